/* SPDX-License-Identifier: Apache-2.0 */
/* tocsin check rules FILE...: validates rule files like `promtool check rules`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/rules_cli.h"
#include "common/err.h"
#include "common/labels.h"
#include "common/xalloc.h"
#include "evaluator/promql/parser.h"
#include "evaluator/rules/rulefile.h"

int rules_cli_features(const char *list, unsigned *flags)
{
    static const struct {
        const char *name;
        unsigned bit;
    } feats[] = {
        {"promql-experimental-functions", PROMQL_PARSE_EXPERIMENTAL_FUNCTIONS},
        {"promql-duration-expr", PROMQL_PARSE_DURATION_EXPR},
        {"promql-extended-range-selectors", PROMQL_PARSE_EXTENDED_RANGE},
        {"promql-binop-fill-modifiers", PROMQL_PARSE_FILL_MODIFIERS},
        {"promql-at-modifier", 0},
        {"promql-negative-offset", 0},
        {"promql-delayed-name-removal", 0},
    };
    const char *p = list;
    while (*p) {
        size_t n = strcspn(p, ",");
        bool found = false;
        for (size_t i = 0; i < sizeof(feats) / sizeof(feats[0]); i++) {
            if (strlen(feats[i].name) == n && strncmp(feats[i].name, p, n) == 0) {
                *flags |= feats[i].bit;
                found = true;
            }
        }
        if (!found)
            return -1;
        p += n;
        if (*p == ',')
            p++;
    }
    return 0;
}

static void check_usage(FILE *f)
{
    fprintf(f, "usage: tocsin check rules [--ignore-unknown-fields] "
               "[--validation-scheme=utf8|legacy]\n"
               "                          [--enable-feature=NAME,...]\n"
               "                          [--lint=duplicate-rules|none] [--lint-fatal] FILE...\n\n"
               "Checks Prometheus rule files. Exit status 0 when all are valid, 1 when one is\n"
               "not, 2 on usage errors.\n");
}

struct dup_key {
    const char *metric;
    struct labels *labels;
};

static int dup_cmp(const void *a, const void *b)
{
    const struct dup_key *x = a, *y = b;
    int c = strcmp(x->metric, y->metric);
    return c ? c : labels_cmp(x->labels, y->labels);
}

/*
 * promtool's duplicate-rules lint: rules with the same name and the same labels (group labels
 * merged). Prints the lint report to stderr; returns the number of duplicates.
 */
static size_t lint_duplicates(const struct rule_file *f)
{
    size_t n = rule_file_count(f), k = 0, ndup = 0;
    struct dup_key *v = xcalloc(n + 1, sizeof(*v));
    struct dup_key **dups = xcalloc(n + 1, sizeof(*dups));
    for (size_t i = 0; i < f->ngroups; i++) {
        const struct rule_group_def *g = &f->groups[i];
        for (size_t j = 0; j < g->nrules; j++) {
            struct labels_builder b;
            labels_builder_init(&b);
            for (size_t x = 0; x < g->labels.n; x++)
                labels_builder_set(&b, g->labels.v[x].name, g->labels.v[x].value);
            for (size_t x = 0; x < g->rules[j].labels.n; x++)
                labels_builder_set(&b, g->rules[j].labels.v[x].name, g->rules[j].labels.v[x].value);
            v[k].metric = g->rules[j].name;
            v[k++].labels = labels_builder_finish(&b);
            labels_builder_fini(&b);
        }
    }
    if (k > 1)
        qsort(v, k, sizeof(*v), dup_cmp);
    for (size_t i = 1; i < k; i++) {
        if (dup_cmp(&v[i - 1], &v[i]) != 0)
            continue;
        if (ndup == 0 || dup_cmp(&v[i - 1], dups[ndup - 1]) != 0)
            dups[ndup++] = &v[i];
    }
    if (ndup > 0) {
        fprintf(stderr, "  FAILED:\nlint error %zu duplicate rule(s) found.\n", ndup);
        for (size_t i = 0; i < ndup; i++) {
            fprintf(stderr, "Metric: %s\nLabel(s):\n", dups[i]->metric);
            for (size_t x = 0; x < dups[i]->labels->n; x++)
                fprintf(stderr, "\t%s: %s\n", dups[i]->labels->v[x].name,
                        dups[i]->labels->v[x].value);
        }
        fprintf(stderr, "Might cause inconsistency while recording expressions\n");
        fflush(stderr);
    }
    for (size_t i = 0; i < k; i++)
        labels_free(v[i].labels);
    free(v);
    free(dups);
    return ndup;
}

/* Returns 0 valid, 1 invalid, 3 valid with lint findings. */
static int check_one(const char *path, const struct rule_parse_opts *o, bool lint_dups)
{
    struct rule_file *f = NULL;
    struct rule_errors errs;
    struct err e;
    rule_errors_init(&errs);
    err_clear(&e);
    printf("Checking %s\n", path);
    fflush(stdout);
    int rc = rule_file_load(path, o, &f, &errs, &e);
    if (rc != 0) {
        fprintf(stderr, "  FAILED:\n");
        if (errs.n == 0) {
            char tmp[1400];
            fprintf(stderr, "%s\n", err_format(&e, tmp, sizeof(tmp)));
        }
        for (size_t i = 0; i < errs.n; i++)
            fprintf(stderr, "%s\n", errs.msgs[i]);
        fflush(stderr);
        printf("\n");
        rule_errors_fini(&errs);
        return 1;
    }
    if (lint_dups && lint_duplicates(f) > 0) {
        printf("\n");
        rule_file_free(f);
        rule_errors_fini(&errs);
        return 3;
    }
    printf("  SUCCESS: %zu rules found\n\n", rule_file_count(f));
    rule_file_free(f);
    rule_errors_fini(&errs);
    return 0;
}

int cli_check_rules(int argc, char **argv)
{
    struct rule_parse_opts o = {0};
    int failed = 0, nfiles = 0;
    bool lint_dups = true, lint_fatal = false, lint_failed = false;
    bool opts_done = false;
    o.promql_flags = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!opts_done && strcmp(a, "--") == 0) {
            opts_done = true;
        } else if (!opts_done && (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0)) {
            check_usage(stdout);
            return 0;
        } else if (!opts_done && strcmp(a, "--ignore-unknown-fields") == 0) {
            o.ignore_unknown_fields = true;
        } else if (!opts_done && strncmp(a, "--validation-scheme=", 20) == 0) {
            if (strcmp(a + 20, "utf8") == 0) {
                o.names = RULE_NAMES_UTF8;
            } else if (strcmp(a + 20, "legacy") == 0) {
                o.names = RULE_NAMES_LEGACY;
            } else {
                fprintf(stderr, "tocsin check rules: invalid --validation-scheme %s\n", a + 20);
                return 2;
            }
        } else if (!opts_done && strncmp(a, "--enable-feature=", 17) == 0) {
            if (rules_cli_features(a + 17, &o.promql_flags) != 0) {
                fprintf(stderr, "tocsin check rules: unknown feature in %s\n", a);
                return 2;
            }
        } else if (!opts_done && strcmp(a, "--lint-fatal") == 0) {
            lint_fatal = true;
        } else if (!opts_done && strncmp(a, "--lint=", 7) == 0) {
            if (strcmp(a + 7, "none") == 0) {
                lint_dups = false;
            } else if (strcmp(a + 7, "duplicate-rules") == 0 || strcmp(a + 7, "all") == 0) {
                lint_dups = true;
            } else {
                fprintf(stderr, "tocsin check rules: invalid --lint %s\n", a + 7);
                return 2;
            }
        } else if (!opts_done && a[0] == '-' && a[1] == '-') {
            fprintf(stderr, "tocsin check rules: unknown flag %s\n", a);
            check_usage(stderr);
            return 2;
        } else {
            nfiles++;
        }
    }
    if (nfiles == 0) {
        check_usage(stderr);
        return 2;
    }
    opts_done = false;
    for (int i = 1; i < argc; i++) {
        if (!opts_done && strcmp(argv[i], "--") == 0) {
            opts_done = true;
            continue;
        }
        if (!opts_done && argv[i][0] == '-' && argv[i][1] == '-')
            continue;
        int r = check_one(argv[i], &o, lint_dups);
        if (r == 1)
            failed = 1;
        else if (r == 3)
            lint_failed = true;
    }
    return failed || (lint_failed && lint_fatal) ? 1 : 0;
}
