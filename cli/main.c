/* SPDX-License-Identifier: Apache-2.0 */
/* tocsin: the command line (check and test rules, query, silences, ack). */
#include <stdio.h>
#include <string.h>

static void usage(FILE *f)
{
    fprintf(f, "usage: tocsin <command> [<args>]\n\n"
               "Commands:\n"
               "  version            Print the version.\n"
               "  help               Show this help.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0 ||
        strcmp(argv[1], "-h") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(argv[1], "version") == 0 || strcmp(argv[1], "--version") == 0) {
        printf("tocsin, version %s (revision: %s)\n", TOCSIN_VERSION, TOCSIN_REVISION);
        return 0;
    }
    fprintf(stderr, "tocsin: error: unknown command \"%s\", try tocsin help\n", argv[1]);
    return 2;
}
