/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tocsin test rules FILE...: promtool's rule unit tests (3.x format and output): input series in
 * the expanding notation, rules evaluated every evaluation_interval, alert_rule_test and
 * promql_expr_test checks, --run filters, --ignore-unknown-fields for the rule files.
 */
#include <glob.h>
#include <libgen.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/rules_cli.h"
#include "common/arena.h"
#include "common/buf.h"
#include "common/err.h"
#include "common/labels.h"
#include "common/log.h"
#include "common/matcher.h"
#include "common/timeutil.h"
#include "common/xalloc.h"
#include "evaluator/config/ydoc.h"
#include "evaluator/promql/parser.h"
#include "evaluator/rules/group.h"
#include "evaluator/rules/memstore.h"
#include "evaluator/rules/query.h"
#include "evaluator/rules/rulefile.h"

#define MAX_VALUES_PER_SERIES 10000000u

struct ut_series {
    const char *series, *values;
};
struct ut_exp_alert {
    struct labels *labels, *annotations;
};
struct ut_alert_test {
    int64_t eval_time;
    const char *alertname;
    struct ut_exp_alert *exp;
    size_t nexp;
};
struct ut_exp_sample {
    const char *labels;
    double value;
    bool histogram;
};
struct ut_promql_test {
    const char *expr;
    int64_t eval_time;
    struct ut_exp_sample *exp;
    size_t nexp;
};
struct ut_group {
    int64_t interval;
    struct ut_series *series;
    size_t nseries;
    struct ut_alert_test *alerts;
    size_t nalerts;
    struct ut_promql_test *promql;
    size_t npromql;
    struct labels *external_labels;
    const char *external_url;
    const char *name;
    int64_t start_ms;
};
struct ut_file {
    char **rule_files;
    size_t nrule_files;
    int64_t eval_interval;
    const char **order;
    size_t norder;
    bool fuzzy;
    struct ut_group *tests;
    size_t ntests;
};

struct ut_opts {
    struct regex *run; /* NULL: every test group */
    bool ignore_unknown_fields;
    unsigned promql_flags; /* --enable-feature */
};

/* ------------------------------------------------------------------------ output helpers */

/* Go's time.Duration String for whole milliseconds ("0s", "1m0s", "2m59.999s"). */
static void go_duration(int64_t ms, struct buf *b)
{
    if (ms == 0) {
        buf_puts(b, "0s");
        return;
    }
    if (ms < 0) {
        buf_putc(b, '-');
        ms = -ms;
    }
    int64_t h = ms / 3600000, m = ms / 60000 % 60, s = ms / 1000 % 60, frac = ms % 1000;
    if (ms < 1000) {
        buf_printf(b, "%lldms", (long long)ms);
        return;
    }
    if (h)
        buf_printf(b, "%lldh", (long long)h);
    if (h || m)
        buf_printf(b, "%lldm", (long long)m);
    buf_printf(b, "%lld", (long long)s);
    if (frac) {
        char f[8];
        snprintf(f, sizeof(f), "%03lld", (long long)frac);
        for (int i = 2; i > 0 && f[i] == '0'; i--)
            f[i] = 0;
        buf_printf(b, ".%s", f);
    }
    buf_putc(b, 's');
}

/* strconv.FormatFloat(v, 'E', -1, 64) */
static void go_float_e(double v, struct buf *b)
{
    if (isnan(v)) {
        buf_puts(b, "NaN");
        return;
    }
    if (isinf(v)) {
        buf_puts(b, v > 0 ? "+Inf" : "-Inf");
        return;
    }
    char tmp[64];
    for (int p = 0; p < 17; p++) {
        snprintf(tmp, sizeof(tmp), "%.*E", p, v);
        if (strtod(tmp, NULL) == v)
            break;
    }
    buf_puts(b, tmp);
}

static void dur_str(int64_t ms, char *out, size_t n)
{
    duration_format(ms, out, n);
}

/* indentLines: every line after the first gets indent. */
static void indent_lines(const char *s, const char *indent, struct buf *b)
{
    for (const char *p = s; *p; p++) {
        buf_putc(b, *p);
        if (*p == '\n')
            buf_puts(b, indent);
    }
}

/* ------------------------------------------------------------------------ file parsing */

static const char *astr(struct arena *a, const char *s)
{
    return arena_strdup(a, s);
}

static int get_str_map_labels(struct ydoc *d, yaml_node_t *n, struct labels **out,
                              const char *add_name, const char *add_value, struct err *e)
{
    struct ydoc_pair *p = NULL;
    size_t np = 0;
    int rc = ydoc_map_pairs(d, n, "map[string]string", &p, &np, e);
    *out = NULL;
    if (rc)
        return rc;
    struct label *items = xcalloc(np + 2, sizeof(*items));
    size_t k = 0;
    for (size_t i = 0; i < np; i++) {
        const char *v;
        if ((rc = ydoc_get_str(d, p[i].value, &v, e)) != 0)
            break;
        items[k].name = ydoc_scalar(p[i].key);
        items[k++].value = v;
    }
    if (add_name) {
        items[k].name = add_name;
        items[k++].value = add_value;
    }
    if (rc == 0)
        *out = labels_new(items, k);
    free(items);
    free(p);
    return rc;
}

static int parse_group(struct ydoc *d, yaml_node_t *n, struct arena *a, int64_t eval_interval,
                       struct ut_group *g, struct err *e)
{
    static const char *const keys[] = {"interval",
                                       "input_series",
                                       "alert_rule_test",
                                       "promql_expr_test",
                                       "external_labels",
                                       "external_url",
                                       "name",
                                       "start_timestamp",
                                       NULL};
    static const char *const skeys[] = {"series", "values", NULL};
    static const char *const akeys[] = {"eval_time", "alertname", "exp_alerts", NULL};
    static const char *const eakeys[] = {"exp_labels", "exp_annotations", NULL};
    static const char *const pkeys[] = {"expr", "eval_time", "exp_samples", NULL};
    static const char *const eskeys[] = {"labels", "value", "histogram", NULL};
    int rc = ERR_INTERNAL;
    struct ydoc_pair *p = NULL, *q = NULL;
    size_t np = 0, nq = 0, ni = 0, nj = 0;
    yaml_node_t **items = NULL, **sub = NULL;
    const char *s;
    memset(g, 0, sizeof(*g));
    if ((rc = ydoc_map_pairs(d, n, "main.testGroup", &p, &np, e)) != 0 ||
        (rc = ydoc_check_keys(d, p, np, keys, "main.testGroup", false, e)) != 0)
        goto out;
    if ((rc = ydoc_get_duration(d, ydoc_pairs_get(p, np, "interval"), &g->interval, e)) != 0)
        goto out;
    if (g->interval == 0)
        g->interval = eval_interval;
    if ((rc = ydoc_get_str(d, ydoc_pairs_get(p, np, "name"), &s, e)) != 0)
        goto out;
    g->name = astr(a, s);
    if ((rc = ydoc_get_str(d, ydoc_pairs_get(p, np, "external_url"), &s, e)) != 0)
        goto out;
    g->external_url = astr(a, s);
    if ((rc = ydoc_get_str(d, ydoc_pairs_get(p, np, "start_timestamp"), &s, e)) != 0)
        goto out;
    if (*s) {
        struct err te;
        err_clear(&te);
        if (timestamp_parse(s, &g->start_ms, &te) != 0) {
            rc = ydoc_error(d, ydoc_pairs_get(p, np, "start_timestamp"), e, ERR_INVALID,
                            "invalid start_timestamp %s: %s", s, te.msg);
            goto out;
        }
    }
    if ((rc = get_str_map_labels(d, ydoc_pairs_get(p, np, "external_labels"), &g->external_labels,
                                 NULL, NULL, e)) != 0)
        goto out;
    /* input_series */
    if ((rc = ydoc_seq(d, ydoc_pairs_get(p, np, "input_series"), "[]main.series", &items, &ni,
                       e)) != 0)
        goto out;
    g->series = arena_calloc(a, ni + 1, sizeof(*g->series));
    for (size_t i = 0; i < ni; i++) {
        free(q);
        q = NULL;
        if ((rc = ydoc_map_pairs(d, items[i], "main.series", &q, &nq, e)) != 0 ||
            (rc = ydoc_check_keys(d, q, nq, skeys, "main.series", false, e)) != 0)
            goto out;
        if ((rc = ydoc_get_str(d, ydoc_pairs_get(q, nq, "series"), &s, e)) != 0)
            goto out;
        g->series[i].series = astr(a, s);
        if ((rc = ydoc_get_str(d, ydoc_pairs_get(q, nq, "values"), &s, e)) != 0)
            goto out;
        g->series[i].values = astr(a, s);
        g->nseries++;
    }
    free(items);
    items = NULL;
    /* alert_rule_test */
    if ((rc = ydoc_seq(d, ydoc_pairs_get(p, np, "alert_rule_test"), "[]main.alertTestCase", &items,
                       &ni, e)) != 0)
        goto out;
    g->alerts = arena_calloc(a, ni + 1, sizeof(*g->alerts));
    for (size_t i = 0; i < ni; i++) {
        struct ut_alert_test *t = &g->alerts[i];
        free(q);
        q = NULL;
        if ((rc = ydoc_map_pairs(d, items[i], "main.alertTestCase", &q, &nq, e)) != 0 ||
            (rc = ydoc_check_keys(d, q, nq, akeys, "main.alertTestCase", false, e)) != 0)
            goto out;
        if ((rc = ydoc_get_duration(d, ydoc_pairs_get(q, nq, "eval_time"), &t->eval_time, e)) ||
            (rc = ydoc_get_str(d, ydoc_pairs_get(q, nq, "alertname"), &s, e)))
            goto out;
        t->alertname = astr(a, s);
        g->nalerts++;
        free(sub);
        sub = NULL;
        if ((rc = ydoc_seq(d, ydoc_pairs_get(q, nq, "exp_alerts"), "[]main.alert", &sub, &nj, e)) !=
            0)
            goto out;
        t->exp = arena_calloc(a, nj + 1, sizeof(*t->exp));
        for (size_t j = 0; j < nj; j++) {
            struct ydoc_pair *r = NULL;
            size_t nr = 0;
            if ((rc = ydoc_map_pairs(d, sub[j], "main.alert", &r, &nr, e)) != 0 ||
                (rc = ydoc_check_keys(d, r, nr, eakeys, "main.alert", false, e)) != 0 ||
                (rc = get_str_map_labels(d, ydoc_pairs_get(r, nr, "exp_labels"), &t->exp[j].labels,
                                         "alertname", t->alertname, e)) != 0 ||
                (rc = get_str_map_labels(d, ydoc_pairs_get(r, nr, "exp_annotations"),
                                         &t->exp[j].annotations, NULL, NULL, e)) != 0) {
                free(r);
                t->nexp = j + 1;
                goto out;
            }
            free(r);
            t->nexp = j + 1;
        }
    }
    free(items);
    items = NULL;
    /* promql_expr_test */
    if ((rc = ydoc_seq(d, ydoc_pairs_get(p, np, "promql_expr_test"), "[]main.promqlTestCase",
                       &items, &ni, e)) != 0)
        goto out;
    g->promql = arena_calloc(a, ni + 1, sizeof(*g->promql));
    for (size_t i = 0; i < ni; i++) {
        struct ut_promql_test *t = &g->promql[i];
        free(q);
        q = NULL;
        if ((rc = ydoc_map_pairs(d, items[i], "main.promqlTestCase", &q, &nq, e)) != 0 ||
            (rc = ydoc_check_keys(d, q, nq, pkeys, "main.promqlTestCase", false, e)) != 0)
            goto out;
        if ((rc = ydoc_get_duration(d, ydoc_pairs_get(q, nq, "eval_time"), &t->eval_time, e)) ||
            (rc = ydoc_get_str(d, ydoc_pairs_get(q, nq, "expr"), &s, e)))
            goto out;
        t->expr = astr(a, s);
        g->npromql++;
        free(sub);
        sub = NULL;
        if ((rc = ydoc_seq(d, ydoc_pairs_get(q, nq, "exp_samples"), "[]main.sample", &sub, &nj,
                           e)) != 0)
            goto out;
        t->exp = arena_calloc(a, nj + 1, sizeof(*t->exp));
        for (size_t j = 0; j < nj; j++) {
            struct ydoc_pair *r = NULL;
            size_t nr = 0;
            const char *hs = "";
            if ((rc = ydoc_map_pairs(d, sub[j], "main.sample", &r, &nr, e)) != 0 ||
                (rc = ydoc_check_keys(d, r, nr, eskeys, "main.sample", false, e)) != 0 ||
                (rc = ydoc_get_str(d, ydoc_pairs_get(r, nr, "labels"), &s, e)) != 0 ||
                (rc = ydoc_get_float(d, ydoc_pairs_get(r, nr, "value"), &t->exp[j].value, e)) ||
                (rc = ydoc_get_str(d, ydoc_pairs_get(r, nr, "histogram"), &hs, e)) != 0) {
                free(r);
                goto out;
            }
            t->exp[j].labels = astr(a, s);
            t->exp[j].histogram = *hs != 0;
            free(r);
            t->nexp = j + 1;
        }
    }
    rc = 0;
out:
    free(items);
    free(sub);
    free(p);
    free(q);
    return rc;
}

static void ut_file_fini(struct ut_file *f)
{
    for (size_t i = 0; i < f->nrule_files; i++)
        free(f->rule_files[i]);
    free(f->rule_files);
    for (size_t i = 0; i < f->ntests; i++) {
        struct ut_group *g = &f->tests[i];
        labels_free(g->external_labels);
        for (size_t j = 0; j < g->nalerts; j++)
            for (size_t k = 0; k < g->alerts[j].nexp; k++) {
                labels_free(g->alerts[j].exp[k].labels);
                labels_free(g->alerts[j].exp[k].annotations);
            }
    }
}

/* Resolves rule_files relative to the test file's directory and expands globs. */
static void add_rule_files(struct ut_file *f, const char *test_path, const char *pattern)
{
    char *dir_copy = xstrdup(test_path);
    const char *dir = dirname(dir_copy);
    char *path = pattern[0] == '/' || !*pattern || strcmp(dir, ".") == 0
                     ? xstrdup(pattern)
                     : xasprintf("%s/%s", dir, pattern);
    glob_t gl;
    memset(&gl, 0, sizeof(gl));
    int r = glob(path, 0, NULL, &gl);
    if (r != 0 || gl.gl_pathc == 0) {
        fprintf(stderr, "  WARNING: no file match pattern %s\n", path);
    } else {
        for (size_t i = 0; i < gl.gl_pathc; i++) {
            f->rule_files = xreallocarray(f->rule_files, f->nrule_files + 1, sizeof(char *));
            f->rule_files[f->nrule_files++] = xstrdup(gl.gl_pathv[i]);
        }
    }
    globfree(&gl);
    free(path);
    free(dir_copy);
}

static int parse_file(struct ydoc *d, const char *path, struct arena *a, struct ut_file *f,
                      struct err *e)
{
    static const char *const keys[] = {"rule_files", "evaluation_interval", "group_eval_order",
                                       "tests",      "fuzzy_compare",       NULL};
    int rc = ERR_INTERNAL;
    struct ydoc_pair *p = NULL;
    size_t np = 0, ni = 0;
    yaml_node_t **items = NULL;
    const char *s;
    memset(f, 0, sizeof(*f));
    yaml_node_t *root = ydoc_root(d);
    if ((rc = ydoc_map_pairs(d, root, "main.unitTestFile", &p, &np, e)) != 0 ||
        (rc = ydoc_check_keys(d, p, np, keys, "main.unitTestFile", false, e)) != 0)
        goto out;
    if ((rc = ydoc_get_duration(d, ydoc_pairs_get(p, np, "evaluation_interval"), &f->eval_interval,
                                e)) != 0)
        goto out;
    if (f->eval_interval == 0)
        f->eval_interval = 60000;
    if ((rc = ydoc_get_bool(d, ydoc_pairs_get(p, np, "fuzzy_compare"), &f->fuzzy, e)) != 0)
        goto out;
    if ((rc = ydoc_seq(d, ydoc_pairs_get(p, np, "rule_files"), "[]string", &items, &ni, e)))
        goto out;
    for (size_t i = 0; i < ni; i++) {
        if ((rc = ydoc_get_str(d, items[i], &s, e)) != 0)
            goto out;
        add_rule_files(f, path, s);
    }
    free(items);
    items = NULL;
    if ((rc = ydoc_seq(d, ydoc_pairs_get(p, np, "group_eval_order"), "[]string", &items, &ni, e)) !=
        0)
        goto out;
    f->order = arena_calloc(a, ni + 1, sizeof(*f->order));
    for (size_t i = 0; i < ni; i++) {
        if ((rc = ydoc_get_str(d, items[i], &s, e)) != 0)
            goto out;
        f->order[f->norder++] = astr(a, s);
    }
    free(items);
    items = NULL;
    if ((rc = ydoc_seq(d, ydoc_pairs_get(p, np, "tests"), "[]main.testGroup", &items, &ni, e)))
        goto out;
    f->tests = arena_calloc(a, ni + 1, sizeof(*f->tests));
    for (size_t i = 0; i < ni; i++) {
        rc = parse_group(d, items[i], a, f->eval_interval, &f->tests[i], e);
        f->ntests = i + 1;
        if (rc)
            goto out;
    }
    rc = 0;
out:
    free(items);
    free(p);
    return rc;
}

/* ------------------------------------------------------------------------ running */

struct la {
    struct labels *labels, *annotations; /* borrowed */
};

static int la_cmp(const void *a, const void *b)
{
    const struct la *x = a, *y = b;
    int c = labels_cmp(x->labels, y->labels);
    return c ? c : labels_cmp(x->annotations, y->annotations);
}

static void la_list_string(const struct la *v, size_t n, struct buf *b)
{
    if (n == 0) {
        buf_puts(b, "[]");
        return;
    }
    buf_puts(b, "[\n");
    for (size_t i = 0; i < n; i++) {
        struct buf one;
        buf_init(&one, 0);
        buf_puts(&one, "\nLabels:");
        labels_format(v[i].labels, &one);
        buf_puts(&one, "\nAnnotations:");
        labels_format(v[i].annotations, &one);
        if (i > 0)
            buf_puts(b, ",\n");
        buf_printf(b, "%zu:", i);
        indent_lines(buf_str(&one), "  ", b);
        buf_fini(&one);
    }
    buf_puts(b, "\n]");
}

static void add_msg(struct rule_errors *errs, struct buf *b)
{
    rule_errors_add(errs, buf_str(b));
    buf_reset(b);
}

static int group_order(const struct ut_file *f, const char *name)
{
    for (size_t i = 0; i < f->norder; i++)
        if (strcmp(f->order[i], name) == 0)
            return (int)i;
    return 0;
}

struct sorted_group {
    struct rule_group *g;
    int order;
    size_t idx;
};

static int sg_cmp(const void *a, const void *b)
{
    const struct sorted_group *x = a, *y = b;
    if (x->order != y->order)
        return x->order < y->order ? -1 : 1;
    return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static int64_t cmp_i64(int64_t a, int64_t b)
{
    return a < b ? -1 : a > b;
}

static bool float_eq(double a, double b, bool fuzzy)
{
    if (a == b)
        return true;
    if (!fuzzy || isnan(a) || isnan(b) || signbit(a) != signbit(b))
        return false;
    int64_t ia, ib;
    memcpy(&ia, &a, sizeof(ia));
    memcpy(&ib, &b, sizeof(ib));
    int64_t d = ia > ib ? ia - ib : ib - ia;
    return d <= 1;
}

struct ps {
    struct labels *labels;
    double v;
};

static int ps_cmp(const void *a, const void *b)
{
    return labels_cmp(((const struct ps *)a)->labels, ((const struct ps *)b)->labels);
}

static void ps_string(const struct ps *v, size_t n, struct buf *b)
{
    if (n == 0) {
        buf_puts(b, "nil");
        return;
    }
    for (size_t i = 0; i < n; i++) {
        if (i)
            buf_puts(b, ", ");
        labels_format(v[i].labels, b);
        buf_putc(b, ' ');
        go_float_e(v[i].v, b);
    }
}

static void run_test_group(const struct ut_file *f, const struct ut_group *tg,
                           const struct ut_opts *uo, struct rule_errors *errs)
{
    struct memstore ms;
    struct buf m;
    struct rule_file **rfs = NULL;
    size_t nrfs = 0;
    struct sorted_group *groups = NULL;
    size_t ngroups = 0;
    struct promql_engine *eng = rules_engine_new(f->eval_interval);
    struct rules_query_ctx qctx;
    struct rule_group_opts go = {0};
    struct err e;
    int64_t *alert_times = NULL;
    size_t nat = 0;
    char d1[64];
    memstore_init(&ms);
    buf_init(&m, 0);
    err_clear(&e);
    qctx.engine = eng;
    qctx.storage = memstore_storage(&ms);

    /* input series */
    for (size_t i = 0; i < tg->nseries; i++) {
        struct labels *ls = NULL;
        struct memstore_value *vals = NULL;
        size_t nv = 0;
        if (memstore_parse_metric(tg->series[i].series, &ls, &e) != 0) {
            buf_printf(&m, "error in series %s: %s", tg->series[i].series, e.msg);
            add_msg(errs, &m);
            goto out;
        }
        if (memstore_expand_values(tg->series[i].values, MAX_VALUES_PER_SERIES, &vals, &nv, &e)) {
            buf_printf(&m, "error in series %s values %s: %s", tg->series[i].series,
                       tg->series[i].values, e.msg);
            add_msg(errs, &m);
            labels_free(ls);
            goto out;
        }
        for (size_t j = 0; j < nv; j++)
            if (!vals[j].omitted)
                memstore_add(&ms, ls, tg->start_ms + (int64_t)j * tg->interval, vals[j].v);
        free(vals);
        labels_free(ls);
    }

    /* rule files */
    go.query = rules_query_engine;
    go.query_ctx = &qctx;
    go.append = memstore_append;
    go.append_ctx = &ms;
    go.external_labels = tg->external_labels;
    go.external_url = tg->external_url;
    go.default_interval_ms = tg->interval;
    go.resend_delay_ms = 60000;
    struct rule_parse_opts po = {0};
    po.ignore_unknown_fields = uo->ignore_unknown_fields;
    po.promql_flags = uo->promql_flags;
    bool load_failed = false;
    for (size_t i = 0; i < f->nrule_files; i++) {
        struct rule_file *rf = NULL;
        if (rule_file_load(f->rule_files[i], &po, &rf, errs, &e) != 0) {
            load_failed = true;
            continue;
        }
        rfs = xreallocarray(rfs, nrfs + 1, sizeof(*rfs));
        rfs[nrfs++] = rf;
    }
    if (load_failed)
        goto out;
    for (size_t i = 0; i < nrfs; i++) {
        for (size_t j = 0; j < rfs[i]->ngroups; j++) {
            groups = xreallocarray(groups, ngroups + 1, sizeof(*groups));
            groups[ngroups].g = rule_group_new(&rfs[i]->groups[j], &go);
            groups[ngroups].order = group_order(f, rfs[i]->groups[j].name);
            groups[ngroups].idx = ngroups;
            ngroups++;
        }
    }
    if (ngroups > 1)
        qsort(groups, ngroups, sizeof(*groups), sg_cmp);

    /* alert tests by eval time */
    int64_t maxt = 0;
    for (size_t i = 0; i < tg->nalerts; i++) {
        if (!*tg->alerts[i].alertname) {
            dur_str(tg->alerts[i].eval_time, d1, sizeof(d1));
            buf_printf(&m,
                       "an item under alert_rule_test misses required attribute alertname "
                       "at eval_time %s",
                       d1);
            if (*tg->name)
                buf_printf(&m, " (in TestGroup %s)", tg->name);
            add_msg(errs, &m);
            goto out;
        }
        if (tg->alerts[i].eval_time > maxt)
            maxt = tg->alerts[i].eval_time;
        bool seen = false;
        for (size_t j = 0; j < nat; j++)
            seen |= alert_times[j] == tg->alerts[i].eval_time;
        if (!seen) {
            alert_times = xreallocarray(alert_times, nat + 1, sizeof(*alert_times));
            alert_times[nat++] = tg->alerts[i].eval_time;
        }
    }
    for (size_t i = 0; i < tg->npromql; i++)
        if (tg->promql[i].eval_time > maxt)
            maxt = tg->promql[i].eval_time;
    for (size_t i = 1; i < nat; i++)
        for (size_t j = i; j > 0 && cmp_i64(alert_times[j - 1], alert_times[j]) > 0; j--) {
            int64_t t = alert_times[j];
            alert_times[j] = alert_times[j - 1];
            alert_times[j - 1] = t;
        }

    size_t curr = 0;
    for (int64_t rel = 0; rel <= maxt; rel += f->eval_interval) {
        int64_t ts = tg->start_ms + rel;
        bool eval_err = false;
        ms.visible_until = ts;
        for (size_t gi = 0; gi < ngroups; gi++) {
            struct rule_group *g = groups[gi].g;
            rule_group_eval(g, ts);
            for (size_t r = 0; r < g->nrules; r++) {
                if (g->rules[r].health == RULE_HEALTH_ERR && g->rules[r].last_error) {
                    buf_printf(&m, "    rule: %s, time: ", g->rules[r].def.name);
                    go_duration(rel, &m);
                    buf_printf(&m, ", err: %s", g->rules[r].last_error);
                    add_msg(errs, &m);
                    eval_err = true;
                }
            }
        }
        if (eval_err)
            goto out;
        while (curr < nat && rel <= alert_times[curr] &&
               alert_times[curr] < rel + f->eval_interval) {
            int64_t t = alert_times[curr];
            for (size_t k = 0; k < tg->nalerts; k++) {
                const struct ut_alert_test *at = &tg->alerts[k];
                if (at->eval_time != t)
                    continue;
                struct la *got = NULL;
                size_t ngot = 0;
                for (size_t gi = 0; gi < ngroups; gi++) {
                    struct rule_group *g = groups[gi].g;
                    for (size_t r = 0; r < g->nrules; r++) {
                        struct rule *ru = &g->rules[r];
                        if (ru->def.kind != RULE_ALERT || strcmp(ru->def.name, at->alertname))
                            continue;
                        for (size_t x = 0; x < ru->nalerts; x++) {
                            struct alert *a = ru->alerts[x];
                            if (a->resolved_at != RULE_TIME_NONE || a->state != ALERT_FIRING)
                                continue;
                            got = xreallocarray(got, ngot + 1, sizeof(*got));
                            got[ngot].labels = a->labels;
                            got[ngot++].annotations = a->annotations;
                        }
                    }
                }
                struct la *exp = xcalloc(at->nexp + 1, sizeof(*exp));
                for (size_t x = 0; x < at->nexp; x++) {
                    exp[x].labels = at->exp[x].labels;
                    exp[x].annotations = at->exp[x].annotations;
                }
                if (ngot > 1)
                    qsort(got, ngot, sizeof(*got), la_cmp);
                if (at->nexp > 1)
                    qsort(exp, at->nexp, sizeof(*exp), la_cmp);
                bool same = ngot == at->nexp;
                for (size_t x = 0; same && x < ngot; x++)
                    same = la_cmp(&got[x], &exp[x]) == 0;
                if (!same) {
                    struct buf es, gs;
                    buf_init(&es, 0);
                    buf_init(&gs, 0);
                    la_list_string(exp, at->nexp, &es);
                    la_list_string(got, ngot, &gs);
                    if (*tg->name)
                        buf_printf(&m, "    name: %s,\n", tg->name);
                    dur_str(at->eval_time, d1, sizeof(d1));
                    buf_printf(&m, "    alertname: %s, time: %s, \n        exp:", at->alertname,
                               d1);
                    indent_lines(buf_str(&es), "            ", &m);
                    buf_puts(&m, ", \n        got:");
                    indent_lines(buf_str(&gs), "            ", &m);
                    add_msg(errs, &m);
                    buf_fini(&es);
                    buf_fini(&gs);
                }
                free(got);
                free(exp);
            }
            curr++;
        }
    }

    /* PromQL expression tests on all data up to the last evaluation */
    for (size_t i = 0; i < tg->npromql; i++) {
        const struct ut_promql_test *pt = &tg->promql[i];
        struct rule_vector res;
        struct buf qe;
        buf_init(&qe, 0);
        buf_put_quoted(&qe, pt->expr, strlen(pt->expr));
        dur_str(pt->eval_time, d1, sizeof(d1));
        rule_vector_init(&res);
        err_clear(&e);
        if (rules_query_engine(&qctx, pt->expr, tg->start_ms + pt->eval_time, &res, &e) != 0) {
            char msg[1400];
            if (e.code == ERR_PARSE)
                promql_parse_error_string(&e, msg, sizeof(msg));
            else
                snprintf(msg, sizeof(msg), "%s", e.msg);
            buf_printf(&m, "    expr: %s, time: %s, err: %s", buf_str(&qe), d1, msg);
            add_msg(errs, &m);
            buf_fini(&qe);
            rule_vector_fini(&res);
            continue;
        }
        struct ps *got = xcalloc(res.n + 1, sizeof(*got));
        struct ps *exp = xcalloc(pt->nexp + 1, sizeof(*exp));
        size_t nexp = 0;
        bool bad = false;
        for (size_t j = 0; j < res.n; j++) {
            got[j].labels = res.v[j].labels;
            got[j].v = res.v[j].v;
        }
        for (size_t j = 0; j < pt->nexp && !bad; j++) {
            const char *ls = pt->exp[j].labels;
            struct labels *l = NULL;
            if (pt->exp[j].histogram) {
                buf_printf(&m,
                           "    expr: %s, time: %s, err: native histogram samples are not "
                           "supported",
                           buf_str(&qe), d1);
                add_msg(errs, &m);
                bad = true;
                break;
            }
            if (*ls == 0 || strcmp(ls, "{}") == 0) {
                l = labels_empty();
            } else if (memstore_parse_metric(ls, &l, &e) != 0) {
                buf_printf(&m, "    expr: %s, time: %s, err: labels ", buf_str(&qe), d1);
                buf_put_quoted(&m, ls, strlen(ls));
                buf_printf(&m, ": %s", e.msg);
                add_msg(errs, &m);
                bad = true;
                break;
            }
            exp[nexp].labels = l;
            exp[nexp++].v = pt->exp[j].value;
        }
        if (!bad) {
            if (res.n > 1)
                qsort(got, res.n, sizeof(*got), ps_cmp);
            if (nexp > 1)
                qsort(exp, nexp, sizeof(*exp), ps_cmp);
            bool same = res.n == nexp;
            for (size_t j = 0; same && j < nexp; j++)
                same = labels_equal(got[j].labels, exp[j].labels) &&
                       float_eq(got[j].v, exp[j].v, f->fuzzy);
            if (!same) {
                buf_printf(&m, "    expr: %s, time: %s,\n        exp: ", buf_str(&qe), d1);
                ps_string(exp, nexp, &m);
                buf_puts(&m, "\n        got: ");
                ps_string(got, res.n, &m);
                add_msg(errs, &m);
            }
        }
        for (size_t j = 0; j < nexp; j++)
            labels_free(exp[j].labels);
        free(exp);
        free(got);
        rule_vector_fini(&res);
        buf_fini(&qe);
    }
out:
    for (size_t i = 0; i < ngroups; i++)
        rule_group_free(groups[i].g);
    free(groups);
    for (size_t i = 0; i < nrfs; i++)
        rule_file_free(rfs[i]);
    free(rfs);
    free(alert_times);
    rules_engine_free(eng);
    memstore_fini(&ms);
    buf_fini(&m);
}

static int unit_test_file(const char *path, const struct ut_opts *uo)
{
    struct rule_errors errs;
    struct arena a;
    struct ydoc d;
    struct ut_file f;
    struct err e;
    char *data = NULL;
    size_t len = 0;
    int failed = 0;
    rule_errors_init(&errs);
    arena_init(&a, 0);
    memset(&d, 0, sizeof(d));
    memset(&f, 0, sizeof(f));
    err_clear(&e);
    printf("Unit Testing:  %s\n", path);
    fflush(stdout);
    if (rule_read_file(path, 64u << 20, &data, &len, &e) != 0 ||
        ydoc_load(&d, data, len, path, &e) != 0 || parse_file(&d, path, &a, &f, &e) != 0) {
        char tmp[1400];
        rule_errors_add(&errs, err_format(&e, tmp, sizeof(tmp)));
        goto report;
    }
    for (size_t i = 0; i < f.norder; i++)
        for (size_t j = 0; j < i; j++)
            if (strcmp(f.order[i], f.order[j]) == 0) {
                char *msg = xasprintf("group name repeated in evaluation order: %s", f.order[i]);
                rule_errors_add(&errs, msg);
                free(msg);
                goto report;
            }
    for (size_t i = 0; i < f.ntests; i++) {
        const struct ut_group *tg = &f.tests[i];
        long caps[2];
        if (uo->run && regex_search(uo->run, tg->name, strlen(tg->name), 0, caps, 1) <= 0)
            continue;
        run_test_group(&f, tg, uo, &errs);
    }
report:
    if (errs.n > 0) {
        fflush(stdout);
        fprintf(stderr, "  FAILED:\n");
        for (size_t i = 0; i < errs.n; i++) {
            fprintf(stderr, "%s\n", errs.msgs[i]);
            fflush(stderr);
            printf("\n");
            fflush(stdout);
        }
        failed = 1;
    } else {
        printf("  SUCCESS\n");
    }
    printf("\n");
    fflush(stdout);
    ut_file_fini(&f);
    ydoc_fini(&d);
    free(data);
    arena_fini(&a);
    rule_errors_fini(&errs);
    return failed;
}

static void test_usage(FILE *f)
{
    fprintf(f, "usage: tocsin test rules [--run REGEX]... [--ignore-unknown-fields] FILE...\n\n"
               "Runs rule unit tests in promtool's format. Exit status 0 when all pass, 1 when\n"
               "one fails, 2 on usage errors.\n");
}

int cli_test_rules(int argc, char **argv)
{
    struct ut_opts uo = {0};
    struct buf run;
    int nrun = 0, nfiles = 0, failed = 0, rc = 2;
    const char **files = xcalloc((size_t)argc + 1, sizeof(*files));
    buf_init(&run, 0);
    log_setup(LOG_ERROR, LOG_FMT_LOGFMT, NULL); /* promtool runs the rules with a silent logger */
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *val = NULL;
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            test_usage(stdout);
            rc = 0;
            goto out;
        } else if (strcmp(a, "--ignore-unknown-fields") == 0) {
            uo.ignore_unknown_fields = true;
        } else if (strncmp(a, "--enable-feature=", 17) == 0) {
            if (rules_cli_features(a + 17, &uo.promql_flags) != 0) {
                fprintf(stderr, "tocsin test rules: unknown feature in %s\n", a);
                goto out;
            }
        } else if (strcmp(a, "--debug") == 0 || strcmp(a, "--diff") == 0) {
            /* accepted for promtool compatibility */
        } else if (strcmp(a, "--run") == 0 || strncmp(a, "--run=", 6) == 0) {
            if (a[5] == '=') {
                val = a + 6;
            } else if (i + 1 < argc) {
                val = argv[++i];
            } else {
                fprintf(stderr, "tocsin test rules: --run needs a value\n");
                goto out;
            }
            buf_printf(&run, "%s(?:%s)", nrun ? "|" : "", val);
            nrun++;
        } else if (a[0] == '-' && a[1] == '-') {
            fprintf(stderr, "tocsin test rules: unknown flag %s\n", a);
            test_usage(stderr);
            goto out;
        } else {
            files[nfiles++] = a;
        }
    }
    if (nfiles == 0) {
        test_usage(stderr);
        goto out;
    }
    if (nrun > 0) {
        struct err e;
        err_clear(&e);
        if (regex_compile(buf_str(&run), &uo.run, &e) != 0) {
            fprintf(stderr, "tocsin test rules: --run: %s\n", e.msg);
            goto out;
        }
    }
    for (int i = 0; i < nfiles; i++)
        failed |= unit_test_file(files[i], &uo);
    rc = failed ? 1 : 0;
out:
    regex_free(uo.run);
    buf_fini(&run);
    free(files);
    return rc;
}
