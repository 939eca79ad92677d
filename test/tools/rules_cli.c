/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Test driver for `check rules` / `test rules` until cli/main.c wires them:
 *   rules_cli check rules FILE...   rules_cli test rules FILE...
 */
#include "cli/rules_cli.h"

#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
    if (argc >= 3 && strcmp(argv[1], "check") == 0 && strcmp(argv[2], "rules") == 0)
        return cli_check_rules(argc - 2, argv + 2);
    if (argc >= 3 && strcmp(argv[1], "test") == 0 && strcmp(argv[2], "rules") == 0)
        return cli_test_rules(argc - 2, argv + 2);
    fprintf(stderr, "usage: rules_cli check|test rules FILE...\n");
    return 2;
}
