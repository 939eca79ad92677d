/* SPDX-License-Identifier: Apache-2.0 */
/* Test tool: `am_config_check [--print] FILE...` runs the notifier config checker. */
#include "cli/check_config.h"

int main(int argc, char **argv)
{
    return cli_check_config(argc, argv);
}
