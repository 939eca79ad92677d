/* SPDX-License-Identifier: Apache-2.0 */
/* `tocsin check config`: load each notifier config and its template files and report like
 * `amtool check-config`. */
#include "cli/check_config.h"

#include <stdio.h>
#include <string.h>

#include "common/buf.h"
#include "common/err.h"
#include "notifier/config/config.h"
#include "notifier/escalation/policy.h"
#include "notifier/receivers/tmpldata.h"

static int check_one(const char *path, bool print)
{
    struct am_config *c = NULL;
    struct err e;
    char msg[1400];
    err_clear(&e);
    printf("Checking '%s'", path);
    if (config_load_file(path, &c, &e) != 0) {
        printf("  FAILED: %s\n\n", err_format(&e, msg, sizeof(msg)));
        return 1;
    }
    {
        struct esc_config *ec = NULL;
        if (esc_config_parse(c, &ec, &e) != 0) {
            printf("  FAILED: %s\n\n", err_format(&e, msg, sizeof(msg)));
            config_free(c);
            return 1;
        }
        esc_config_free(ec);
    }
    printf("  SUCCESS\nFound:\n");
    printf(" - global config\n");
    printf(" - route\n");
    printf(" - %zu inhibit rules\n", c->ninhibit);
    printf(" - %zu receivers\n", c->nreceivers);
    printf(" - %zu templates\n", c->templates.n);
    if (c->templates.n > 0) {
        /* like amtool: the template files must parse too */
        struct am_tmpl *t = NULL;
        if (am_tmpl_load_config(c, &t, &e) != 0) {
            printf("  FAILED: %s\n\n", err_format(&e, msg, sizeof(msg)));
            config_free(c);
            return 1;
        }
        am_tmpl_unref(t);
        printf("  SUCCESS\n");
    }
    printf("\n");
    if (print) {
        struct buf b;
        buf_init(&b, 0);
        config_print_redacted(c, &b);
        fputs(buf_str(&b), stdout);
        buf_fini(&b);
    }
    config_free(c);
    return 0;
}

int cli_check_config(int argc, char **argv)
{
    bool print = false;
    int files = 0, rc = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--print") == 0) {
            print = true;
        } else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            printf("usage: tocsin check config [--print] FILE...\n");
            return 0;
        } else if (argv[i][0] == '-' && argv[i][1] != 0) {
            fprintf(stderr, "tocsin: error: unknown flag %s\n", argv[i]);
            return 2;
        }
    }
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--print") == 0)
            continue;
        files++;
        if (check_one(argv[i], print) != 0)
            rc = 1;
    }
    if (files == 0) {
        fprintf(stderr, "usage: tocsin check config [--print] FILE...\n");
        return 2;
    }
    return rc;
}
