/* SPDX-License-Identifier: Apache-2.0 */
/* tocsin-evaluator: process entry point (flags, logging, event loop). */
#include <stdio.h>

#include "common/flags.h"

int main(int argc, char **argv)
{
    const char *listen = "127.0.0.1:0";
    const struct flag_def defs[] = {
        {"web.listen-address", FLAG_STRING, &listen, "Address to listen on."},
        {NULL, FLAG_STRING, NULL, NULL},
    };
    int rc = flags_parse("tocsin-evaluator", "Tocsin evaluator.", defs, argc, argv, NULL, NULL);
    if (rc != 0)
        return rc == 1 ? 0 : rc;
    fprintf(stderr, "tocsin-evaluator: not implemented yet\n");
    return 1;
}
