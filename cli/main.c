/* SPDX-License-Identifier: Apache-2.0 */
/* tocsin: the command line (check and test rules, query, silences, ack). Dispatches to one file
 * per command family. */
#include <stdio.h>
#include <string.h>

#include "cli/check_config.h"
#include "cli/incident.h"
#include "cli/query.h"
#include "cli/rules_cli.h"

struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *help;
};

/* `tocsin check rules|config ...` */
static int cmd_check(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "rules") == 0)
        return cli_check_rules(argc - 1, argv + 1);
    if (argc >= 2 && strcmp(argv[1], "config") == 0)
        return cli_check_config(argc - 1, argv + 1);
    fprintf(stderr, "usage: tocsin check rules FILE... | tocsin check config FILE...\n");
    return 2;
}

/* `tocsin test rules ...` */
static int cmd_test(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "rules") == 0)
        return cli_test_rules(argc - 1, argv + 1);
    fprintf(stderr, "usage: tocsin test rules TEST_FILE...\n");
    return 2;
}

static const struct command commands[] = {
    {"check", cmd_check,
     "Check rule files (check rules FILE...) or notifier/Alertmanager configs (check config)."},
    {"test", cmd_test, "Run promtool-format rule unit tests (test rules FILE...)."},
    {"query", cli_query, "Query a Prometheus-compatible API (instant, range, series, labels)."},
    {"ack", cli_ack, "Acknowledge an incident (ack ID [--by=NAME] [--notifier.url=URL])."},
    {"unack", cli_unack, "Un-acknowledge an incident (unack ID): escalation resumes."},
    {"incident", cli_incident,
     "Incidents on a notifier (incident list | show ID | report ID | resolve ID)."},
    {NULL, NULL, NULL},
};

static void usage(FILE *f)
{
    fprintf(f, "usage: tocsin <command> [<args>]\n\nCommands:\n");
    for (const struct command *c = commands; c->name; c++)
        fprintf(f, "  %-10s %s\n", c->name, c->help);
    fprintf(f, "  %-10s %s\n  %-10s %s\n", "version", "Print the version.", "help",
            "Show this help.");
    fprintf(f, "\nExit status: 0 success, 1 the check or request failed, 2 usage error.\n");
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
    for (const struct command *c = commands; c->name; c++)
        if (strcmp(argv[1], c->name) == 0)
            return c->run(argc - 1, argv + 1);
    fprintf(stderr, "tocsin: error: unknown command \"%s\", try tocsin help\n", argv[1]);
    return 2;
}
