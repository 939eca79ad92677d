/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Runs Prometheus's PromQL `.test` files (the promqltest language) against our engine and prints
 * per file "FILE: P passed, F failed, S skipped" plus a total. Statements that need native
 * histograms (per eval-index.json) are skipped.
 *   promql_runner [-v] [-x] [DIR | FILE.test ...]   (DIR defaults to $TOCSIN_SHARED/...)
 * -v prints each failure; -x adds the Go harness's optional checks for instant evals (the same
 * query with every selector pinned by @ at other times, and the middle step of a range query).
 */
#include <ctype.h>
#include <dirent.h>
#include <jansson.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/labels.h"
#include "common/matcher.h"
#include "common/timeutil.h"
#include "common/xalloc.h"
#include "evaluator/promql/ast.h"
#include "evaluator/promql/engine.h"
#include "evaluator/promql/parser.h"
#include "evaluator/promql/storage.h"
#include "evaluator/promql/teststorage.h"
#include "evaluator/promql/value.h"

/* Diagnostics are cut to fit their buffers on purpose. */
#pragma GCC diagnostic ignored "-Wformat-truncation"

static int verbose;
static int extra_checks; /* -x: the Go harness's @-invariance and range-consistency checks */

/* ---- eval index ---- */

struct idx_entry {
    char *file;
    int line;
    bool nh;
};

static struct idx_entry *idx;
static size_t nidx;

static void index_load(const char *dir)
{
    char path[4096];
    json_error_t je;
    json_t *root;
    snprintf(path, sizeof(path), "%s/eval-index.json", dir);
    root = json_load_file(path, 0, &je);
    if (root == NULL || !json_is_array(root)) {
        json_decref(root);
        return;
    }
    nidx = json_array_size(root);
    idx = xcalloc(nidx + 1, sizeof(*idx));
    for (size_t i = 0; i < nidx; i++) {
        json_t *o = json_array_get(root, i);
        const char *f = json_string_value(json_object_get(o, "file"));
        idx[i].file = xstrdup(f ? f : "");
        idx[i].line = (int)json_integer_value(json_object_get(o, "line"));
        idx[i].nh = json_is_true(json_object_get(o, "needs_native_histograms"));
    }
    json_decref(root);
}

static bool index_needs_nh(const char *file, int line)
{
    for (size_t i = 0; i < nidx; i++)
        if (idx[i].line == line && strcmp(idx[i].file, file) == 0)
            return idx[i].nh;
    return false;
}

/* ---- small parsing helpers ---- */

static char *trim(char *s)
{
    char *e;
    while (isspace((unsigned char)*s))
        s++;
    e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1]))
        *--e = '\0';
    return s;
}

/* Parses a Go float (Inf, NaN in any case, underscores allowed) covering all of s. */
static bool parse_number(const char *s, double *out)
{
    char buf[128], *end;
    size_t n = 0;
    for (const char *p = s; *p && n < sizeof(buf) - 1; p++)
        if (*p != '_')
            buf[n++] = *p;
    buf[n] = '\0';
    if (n == 0)
        return false;
    {
        const char *b = buf;
        if (*b == '+' || *b == '-')
            b++;
        if (strcasecmp(b, "inf") == 0 || strcasecmp(b, "infinity") == 0) {
            *out = buf[0] == '-' ? -INFINITY : INFINITY;
            return true;
        }
        if (strcasecmp(b, "nan") == 0) {
            *out = NAN;
            return true;
        }
        if (b[0] == '0' && (b[1] == 'x' || b[1] == 'X'))
            return false;
        for (const char *p = b; *p; p++)
            if (!isdigit((unsigned char)*p) && *p != '.' && *p != 'e' && *p != 'E' && *p != '+' &&
                *p != '-')
                return false;
    }
    *out = strtod(buf, &end);
    return *end == '\0';
}

/* Scalar expectation: Go ParseInt with base prefix, else ParseFloat. */
static bool parse_scalar_line(const char *s, double *out)
{
    char *end;
    long long v;
    if (strchr(s, ' ') != NULL || strchr(s, '\t') != NULL)
        return false;
    v = strtoll(s, &end, 0);
    if (*s != '\0' && *end == '\0') {
        *out = (double)v;
        return true;
    }
    return parse_number(s, out);
}

static bool parse_dur(const char *s, int64_t *out)
{
    double f;
    if (duration_parse_signed(s, out, NULL) == 0)
        return true;
    if (parse_number(s, &f) && !isnan(f) && !isinf(f)) {
        *out = (int64_t)(f * 1000);
        return true;
    }
    return false;
}

/* Splits off the next white-space separated word. */
static char *next_word(char **p)
{
    char *s = *p, *w;
    while (isspace((unsigned char)*s))
        s++;
    w = s;
    while (*s && !isspace((unsigned char)*s))
        s++;
    if (*s)
        *s++ = '\0';
    *p = s;
    return w;
}

/* Parses a series descriptor at s; *rest points after it. Returns labels or NULL. */
static struct labels *parse_series(const char *s, const char **rest, char *why, size_t nwhy)
{
    const char *p = s;
    struct labels_builder b;
    struct labels *out;
    struct matchers ms = {0};
    char name[512];
    size_t nn = 0;
    while (*p && (isalnum((unsigned char)*p) || *p == '_' || *p == ':') && nn < sizeof(name) - 1)
        name[nn++] = *p++;
    name[nn] = '\0';
    labels_builder_init(&b);
    if (*p == '{') {
        const char *q = p + 1;
        char quote = 0;
        char *inner;
        struct err e;
        for (; *q; q++) {
            if (quote) {
                if (*q == '\\' && quote != '`' && q[1])
                    q++;
                else if (*q == quote)
                    quote = 0;
            } else if (*q == '"' || *q == '\'' || *q == '`') {
                quote = *q;
            } else if (*q == '}') {
                break;
            }
        }
        if (*q != '}') {
            snprintf(why, nwhy, "unterminated series braces");
            labels_builder_fini(&b);
            return NULL;
        }
        inner = xstrndup(p, (size_t)(q - p + 1));
        if (matchers_parse(inner, &ms, &e) != 0) {
            /* {"name", ...}: a quoted metric name alone is not handled by matchers_parse */
            snprintf(why, nwhy, "bad series labels: %s", e.msg);
            xfree(inner);
            labels_builder_fini(&b);
            return NULL;
        }
        xfree(inner);
        p = q + 1;
    }
    if (nn > 0)
        labels_builder_set(&b, "__name__", name);
    for (size_t i = 0; i < ms.n; i++)
        labels_builder_set(&b, ms.v[i]->name, ms.v[i]->value);
    out = labels_builder_finish(&b);
    labels_builder_fini(&b);
    matchers_fini(&ms);
    *rest = p;
    return out;
}

/* One expanded value slot: present, value, stale, or a histogram. */
struct slot {
    bool present;
    bool hist;
    double v;
};

struct slots {
    struct slot *s;
    size_t n, cap;
};

static void slot_push(struct slots *ss, bool present, bool hist, double v)
{
    if (ss->n == ss->cap) {
        ss->cap = ss->cap ? ss->cap * 2 : 16;
        ss->s = xreallocarray(ss->s, ss->cap, sizeof(*ss->s));
    }
    ss->s[ss->n].present = present;
    ss->s[ss->n].hist = hist;
    ss->s[ss->n].v = v;
    ss->n++;
}

static double stale_nan(void)
{
    uint64_t bits = PROMQL_STALE_NAN_BITS;
    double d;
    memcpy(&d, &bits, sizeof(d));
    return d;
}

/* Expands a values string ("1 2+3x4 _ stale {{...}}x2") into slots. */
static bool parse_values(const char *s, struct slots *out, char *why, size_t nwhy)
{
    const char *p = s;
    while (*p) {
        char item[256];
        size_t n = 0;
        while (isspace((unsigned char)*p))
            p++;
        if (!*p)
            break;
        if (p[0] == '{' && p[1] == '{') {
            /* histogram item(s): {{A}}, {{A}}xK, {{A}}+{{B}}xK */
            long k = 0;
            const char *e = strstr(p, "}}");
            if (e == NULL) {
                snprintf(why, nwhy, "unterminated histogram literal");
                return false;
            }
            p = e + 2;
            if ((*p == '+' || *p == '-') && p[1] == '{' && p[2] == '{') {
                e = strstr(p, "}}");
                if (e == NULL) {
                    snprintf(why, nwhy, "unterminated histogram literal");
                    return false;
                }
                p = e + 2;
            }
            if (*p == 'x') {
                k = strtol(p + 1, (char **)&p, 10);
            }
            for (long i = 0; i <= k; i++)
                slot_push(out, true, true, 0);
            continue;
        }
        while (*p && !isspace((unsigned char)*p) && n < sizeof(item) - 1)
            item[n++] = *p++;
        item[n] = '\0';
        if (strcmp(item, "_") == 0) {
            slot_push(out, false, false, 0);
            continue;
        }
        if (strcasecmp(item, "stale") == 0) {
            slot_push(out, true, false, stale_nan());
            continue;
        }
        {
            char *x = strrchr(item, 'x');
            long k = -1;
            if (x != NULL && x[1] != '\0') {
                char *end;
                k = strtol(x + 1, &end, 10);
                if (*end != '\0' || k < 0)
                    k = -1;
                else
                    *x = '\0';
            }
            if (k < 0) {
                double v;
                if (!parse_number(item, &v)) {
                    snprintf(why, nwhy, "bad value \"%s\"", item);
                    return false;
                }
                slot_push(out, true, false, v);
                continue;
            }
            if (strcmp(item, "_") == 0) {
                for (long i = 0; i < k; i++)
                    slot_push(out, false, false, 0);
                continue;
            }
            {
                /* N, N+D or N-D */
                size_t len = strlen(item), split = 0;
                double start, delta = 0;
                for (size_t i = 1; i < len; i++)
                    if ((item[i] == '+' || item[i] == '-') && item[i - 1] != 'e' &&
                        item[i - 1] != 'E') {
                        split = i;
                        break;
                    }
                if (split > 0) {
                    char op = item[split];
                    item[split] = '\0';
                    if (!parse_number(item, &start) || !parse_number(item + split + 1, &delta)) {
                        snprintf(why, nwhy, "bad value series item");
                        return false;
                    }
                    if (op == '-')
                        delta = -delta;
                } else if (!parse_number(item, &start)) {
                    snprintf(why, nwhy, "bad value \"%s\"", item);
                    return false;
                }
                {
                    double v = start;
                    for (long i = 0; i <= k; i++) {
                        slot_push(out, true, false, v);
                        v += delta;
                    }
                }
            }
        }
    }
    return true;
}

/* One start-timestamp item of an `@st` line: unset, or an offset from its sample's time. */
struct st_slot {
    bool present;
    int64_t off;
};

struct st_slots {
    struct st_slot *s;
    size_t n, cap;
};

static void st_push(struct st_slots *ss, bool present, int64_t off)
{
    if (ss->n == ss->cap) {
        ss->cap = ss->cap ? ss->cap * 2 : 16;
        ss->s = xreallocarray(ss->s, ss->cap, sizeof(*ss->s));
    }
    ss->s[ss->n].present = present;
    ss->s[ss->n].off = off;
    ss->n++;
}

/* Expands the items of an `@st` line ("_ _x2 -30s -1m-1mx2 0+1sx3") into slots; `_xK` gives K
 * unset items and `<dur>[+-<dur>]xK` K+1 offsets, as value items do. */
static bool parse_st_items(const char *s, struct st_slots *out, char *why, size_t nwhy)
{
    const char *p = s;
    while (*p) {
        char item[128];
        size_t n = 0, split = 0;
        long k = 0;
        int64_t start, step = 0;
        char *x;
        while (isspace((unsigned char)*p))
            p++;
        if (!*p)
            break;
        while (*p && !isspace((unsigned char)*p) && n < sizeof(item) - 1)
            item[n++] = *p++;
        item[n] = '\0';
        x = strrchr(item, 'x');
        if (x != NULL) {
            char *end;
            k = strtol(x + 1, &end, 10);
            if (x[1] == '\0' || *end != '\0' || k < 0) {
                snprintf(why, nwhy, "bad start timestamp item \"%s\"", item);
                return false;
            }
            *x = '\0';
        }
        if (strcmp(item, "_") == 0) {
            for (long i = 0; i < (x != NULL ? k : 1); i++)
                st_push(out, false, 0);
            continue;
        }
        for (size_t i = 1; item[i] != '\0'; i++)
            if (item[i] == '+' || item[i] == '-') {
                split = i;
                break;
            }
        if (split > 0) {
            char op = item[split];
            item[split] = '\0';
            if (duration_parse_signed(item + split + 1, &step, NULL) != 0) {
                snprintf(why, nwhy, "bad start timestamp step \"%s\"", item + split + 1);
                return false;
            }
            if (op == '-')
                step = -step;
        }
        if (duration_parse_signed(item[0] == '+' ? item + 1 : item, &start, NULL) != 0) {
            snprintf(why, nwhy, "bad start timestamp \"%s\"", item);
            return false;
        }
        for (long i = 0; i <= k; i++)
            st_push(out, true, start + (int64_t)i * step);
    }
    return true;
}

/* ---- float comparison ---- */

static bool float_match(double a, double b)
{
    const double min_normal = 2.2250738585072014e-308;
    bool sa = promql_is_stale(a), sb = promql_is_stale(b);
    if (sa || sb)
        return sa && sb;
    if (isnan(a) && isnan(b))
        return true;
    if (a == b)
        return true;
    {
        double diff = fabs(a - b), sum = fabs(a) + fabs(b);
        if (a == 0 || b == 0 || sum < min_normal)
            return diff < 1e-6 * min_normal;
        return diff / sum < 1e-6;
    }
}

/* ---- eval statements ---- */

struct expect_note {
    int kind; /* 0 bare, 1 msg, 2 regex */
    char *text;
};

struct expected_series {
    struct labels *labels;
    struct slots vals;
    int line;
};

struct eval_stmt {
    bool range;
    int64_t t, start, end, step;
    char *expr;
    bool expect_fail;
    int fail_kind;
    char *fail_text;
    bool ordered;
    bool has_string;
    char *string_val;
    bool has_scalar;
    double scalar;
    bool has_rv;
    int64_t rv_start, rv_end, rv_step;
    struct expect_note warn[16], info[16];
    int nwarn, ninfo;
    bool no_warn, no_info;
    struct expected_series *series;
    size_t nseries;
    char bad[256];
};

static void stmt_fini(struct eval_stmt *s)
{
    xfree(s->expr);
    xfree(s->fail_text);
    xfree(s->string_val);
    for (int i = 0; i < s->nwarn; i++)
        xfree(s->warn[i].text);
    for (int i = 0; i < s->ninfo; i++)
        xfree(s->info[i].text);
    for (size_t i = 0; i < s->nseries; i++) {
        labels_free(s->series[i].labels);
        xfree(s->series[i].vals.s);
    }
    xfree(s->series);
}

static bool note_matches(const struct expect_note *n, const char *text)
{
    if (n->kind == 0)
        return true;
    if (n->kind == 1)
        return strcmp(n->text, text) == 0;
    {
        struct regex *re = NULL;
        long caps[2];
        bool ok;
        if (regex_compile(n->text, &re, NULL) != 0)
            return false;
        ok = regex_search(re, text, strlen(text), 0, caps, 1) > 0;
        regex_free(re);
        return ok;
    }
}

static bool check_notes(const struct expect_note *ex, int nex, bool none, char **got, size_t ngot,
                        const char *kind, char *why, size_t nwhy)
{
    if (none && ngot > 0) {
        snprintf(why, nwhy, "unexpected %s: %s", kind, got[0]);
        return false;
    }
    if (nex == 0)
        return true;
    for (int i = 0; i < nex; i++) {
        bool any = false;
        for (size_t j = 0; j < ngot && !any; j++)
            any = note_matches(&ex[i], got[j]);
        if (!any) {
            snprintf(why, nwhy, "expected %s %s not produced (got %zu: %s)", kind,
                     ex[i].text ? ex[i].text : "(any)", ngot, ngot ? got[0] : "");
            return false;
        }
    }
    for (size_t j = 0; j < ngot; j++) {
        bool any = false;
        for (int i = 0; i < nex && !any; i++)
            any = note_matches(&ex[i], got[j]);
        if (!any) {
            snprintf(why, nwhy, "unexpected %s: %s", kind, got[j]);
            return false;
        }
    }
    return true;
}

static void fmt_labels(const struct labels *ls, char *out, size_t n)
{
    struct buf b;
    buf_init(&b, 0);
    labels_format(ls, &b);
    snprintf(out, n, "%s", buf_str(&b));
    buf_fini(&b);
}

static bool compare_vector(const struct eval_stmt *st, const struct promql_vector *v, char *why,
                           size_t nwhy)
{
    char lb[512];
    if (v->n != st->nseries) {
        snprintf(why, nwhy, "expected %zu samples, got %zu", st->nseries, v->n);
        if (v->n > 0) {
            size_t len = strlen(why);
            fmt_labels(v->s[0].labels, lb, sizeof(lb));
            snprintf(why + len, nwhy - len, " (first: %s %g)", lb, v->s[0].v);
        }
        return false;
    }
    for (size_t i = 0; i < st->nseries; i++) {
        const struct expected_series *es = &st->series[i];
        size_t j;
        bool found = false;
        if (es->vals.n != 1 || !es->vals.s[0].present) {
            snprintf(why, nwhy, "expected series line %d needs exactly one value", es->line);
            return false;
        }
        for (j = 0; j < v->n; j++) {
            if (labels_equal(v->s[j].labels, es->labels)) {
                found = true;
                break;
            }
        }
        if (!found) {
            fmt_labels(es->labels, lb, sizeof(lb));
            snprintf(why, nwhy, "expected series %s not in result", lb);
            return false;
        }
        if (st->ordered && j != i) {
            fmt_labels(es->labels, lb, sizeof(lb));
            snprintf(why, nwhy, "series %s at position %zu, expected %zu", lb, j, i);
            return false;
        }
        if (!float_match(v->s[j].v, es->vals.s[0].v)) {
            fmt_labels(es->labels, lb, sizeof(lb));
            snprintf(why, nwhy, "%s: expected %.17g, got %.17g", lb, es->vals.s[0].v, v->s[j].v);
            return false;
        }
    }
    return true;
}

static bool compare_matrix(const struct eval_stmt *st, const struct promql_matrix *m, int64_t start,
                           int64_t step, char *why, size_t nwhy)
{
    char lb[512];
    size_t nonempty = 0;
    for (size_t j = 0; j < m->n; j++)
        nonempty += m->s[j].n > 0;
    for (size_t j = 1; j < m->n; j++)
        if (labels_cmp(m->s[j - 1].labels, m->s[j].labels) > 0) {
            snprintf(why, nwhy, "matrix not sorted by labels");
            return false;
        }
    if (nonempty != st->nseries) {
        snprintf(why, nwhy, "expected %zu series, got %zu", st->nseries, nonempty);
        if (m->n > 0) {
            size_t len = strlen(why);
            fmt_labels(m->s[0].labels, lb, sizeof(lb));
            snprintf(why + len, nwhy - len, " (first: %s)", lb);
        }
        return false;
    }
    for (size_t i = 0; i < st->nseries; i++) {
        const struct expected_series *es = &st->series[i];
        const struct promql_series *s = NULL;
        size_t k = 0;
        for (size_t j = 0; j < m->n; j++)
            if (labels_equal(m->s[j].labels, es->labels))
                s = &m->s[j];
        fmt_labels(es->labels, lb, sizeof(lb));
        if (s == NULL) {
            snprintf(why, nwhy, "expected series %s not in result", lb);
            return false;
        }
        for (size_t e = 0; e < es->vals.n; e++) {
            int64_t ts = start + (int64_t)e * step;
            if (!es->vals.s[e].present)
                continue;
            if (k >= s->n) {
                snprintf(why, nwhy, "%s: missing point at %lld", lb, (long long)ts);
                return false;
            }
            if (s->p[k].t != ts) {
                snprintf(why, nwhy, "%s: point at %lld, expected at %lld (%g)", lb,
                         (long long)s->p[k].t, (long long)ts, es->vals.s[e].v);
                return false;
            }
            if (!float_match(s->p[k].v, es->vals.s[e].v)) {
                snprintf(why, nwhy, "%s at %lld: expected %.17g, got %.17g", lb, (long long)ts,
                         es->vals.s[e].v, s->p[k].v);
                return false;
            }
            k++;
        }
        if (k != s->n) {
            snprintf(why, nwhy, "%s: %zu extra points (next at %lld = %g)", lb, s->n - k,
                     (long long)s->p[k].t, s->p[k].v);
            return false;
        }
    }
    return true;
}

static bool run_eval(struct promql_engine *eng, const struct promql_storage *st,
                     const struct eval_stmt *es, char *why, size_t nwhy)
{
    struct promql_result res;
    struct err e;
    int rc;
    bool ok = false;
    err_clear(&e);
    if (es->range)
        rc = promql_query_range(eng, st, es->expr, es->start, es->end, es->step, &res, &e);
    else
        rc = promql_query_instant(eng, st, es->expr, es->t, &res, &e);
    if (es->expect_fail) {
        if (rc == 0) {
            snprintf(why, nwhy, "expected failure, query succeeded");
            goto out;
        }
        if (es->fail_kind == 1 && strcmp(es->fail_text, e.msg) != 0) {
            snprintf(why, nwhy, "error \"%s\", expected \"%s\"", e.msg, es->fail_text);
            goto out;
        }
        if (es->fail_kind == 2) {
            struct expect_note n = {2, es->fail_text};
            if (!note_matches(&n, e.msg)) {
                snprintf(why, nwhy, "error \"%s\" does not match /%s/", e.msg, es->fail_text);
                goto out;
            }
        }
        ok = true;
        goto out;
    }
    if (rc != 0) {
        snprintf(why, nwhy, "error: %s", e.msg);
        goto out;
    }
    if (!check_notes(es->warn, es->nwarn, es->no_warn, res.notes.warn, res.notes.nwarn, "warning",
                     why, nwhy) ||
        !check_notes(es->info, es->ninfo, es->no_info, res.notes.info, res.notes.ninfo, "info", why,
                     nwhy))
        goto out;
    if (es->has_string) {
        if (res.value.type != PROMQL_VAL_STRING || strcmp(res.value.str, es->string_val) != 0) {
            snprintf(why, nwhy, "expected string \"%s\", got %s", es->string_val,
                     promql_val_type_name(res.value.type));
            goto out;
        }
        ok = true;
        goto out;
    }
    if (es->has_scalar) {
        if (res.value.type != PROMQL_VAL_SCALAR) {
            snprintf(why, nwhy, "expected scalar, got %s", promql_val_type_name(res.value.type));
            goto out;
        }
        if (!float_match(res.value.f, es->scalar)) {
            snprintf(why, nwhy, "expected %.17g, got %.17g", es->scalar, res.value.f);
            goto out;
        }
        ok = true;
        goto out;
    }
    switch (res.value.type) {
    case PROMQL_VAL_VECTOR:
        if (es->has_rv) {
            snprintf(why, nwhy, "expected range vector, got instant vector");
            goto out;
        }
        ok = compare_vector(es, &res.value.vec, why, nwhy);
        break;
    case PROMQL_VAL_MATRIX:
        if (es->range)
            ok = compare_matrix(es, &res.value.mat, es->start, es->step, why, nwhy);
        else if (es->has_rv)
            ok = compare_matrix(es, &res.value.mat, es->rv_start, es->rv_step, why, nwhy);
        else if (es->nseries == 0 && res.value.mat.n == 0)
            ok = true;
        else
            snprintf(why, nwhy, "got a range vector without `expect range vector`");
        break;
    case PROMQL_VAL_SCALAR:
        snprintf(why, nwhy, "expected %s, got scalar %g", es->nseries ? "series" : "empty result",
                 res.value.f);
        break;
    default:
        snprintf(why, nwhy, "unexpected result type %s", promql_val_type_name(res.value.type));
        break;
    }
out:
    promql_result_fini(&res);
    return ok;
}

/* ---- the Go harness's extra checks for instant evals (-x) ---- */

/* True when x calls one of the functions in ids (n of them). */
static bool calls_any(const struct promql_expr *x, const enum promql_func_id *ids, size_t n)
{
    switch (x->kind) {
    case PROMQL_EXPR_PAREN:
        return calls_any(x->u.paren, ids, n);
    case PROMQL_EXPR_UNARY:
        return calls_any(x->u.unary.expr, ids, n);
    case PROMQL_EXPR_BINARY:
        return calls_any(x->u.binary.lhs, ids, n) || calls_any(x->u.binary.rhs, ids, n);
    case PROMQL_EXPR_AGGREGATE:
        return (x->u.agg.param && calls_any(x->u.agg.param, ids, n)) ||
               calls_any(x->u.agg.expr, ids, n);
    case PROMQL_EXPR_SUBQUERY:
        return calls_any(x->u.sq.expr, ids, n) ||
               (x->u.sq.range_expr && calls_any(x->u.sq.range_expr, ids, n)) ||
               (x->u.sq.step_expr && calls_any(x->u.sq.step_expr, ids, n)) ||
               (x->u.sq.mods.offset_expr && calls_any(x->u.sq.mods.offset_expr, ids, n));
    case PROMQL_EXPR_MATRIX_SELECTOR:
        return (x->u.ms.range_expr && calls_any(x->u.ms.range_expr, ids, n)) ||
               calls_any(x->u.ms.vs, ids, n);
    case PROMQL_EXPR_VECTOR_SELECTOR:
        return x->u.vs.mods.offset_expr && calls_any(x->u.vs.mods.offset_expr, ids, n);
    case PROMQL_EXPR_CALL:
        for (size_t i = 0; i < n; i++)
            if (x->u.call.func->id == ids[i])
                return true;
        for (size_t i = 0; i < x->u.call.nargs; i++)
            if (calls_any(x->u.call.args[i], ids, n))
                return true;
        return false;
    default:
        return false;
    }
}

/* Pins every selector and subquery without @ to t. */
static void pin_at(struct promql_expr *x, int64_t t)
{
    switch (x->kind) {
    case PROMQL_EXPR_PAREN:
        pin_at(x->u.paren, t);
        break;
    case PROMQL_EXPR_UNARY:
        pin_at(x->u.unary.expr, t);
        break;
    case PROMQL_EXPR_BINARY:
        pin_at(x->u.binary.lhs, t);
        pin_at(x->u.binary.rhs, t);
        break;
    case PROMQL_EXPR_AGGREGATE:
        if (x->u.agg.param)
            pin_at(x->u.agg.param, t);
        pin_at(x->u.agg.expr, t);
        break;
    case PROMQL_EXPR_SUBQUERY:
        /* Selectors inside a subquery stay as they are: the subquery's @ moves them. */
        if (x->u.sq.mods.at_kind == PROMQL_AT_NONE) {
            x->u.sq.mods.at_kind = PROMQL_AT_TIMESTAMP;
            x->u.sq.mods.at_ms = t;
        }
        break;
    case PROMQL_EXPR_MATRIX_SELECTOR:
        pin_at(x->u.ms.vs, t);
        break;
    case PROMQL_EXPR_VECTOR_SELECTOR:
        if (x->u.vs.mods.at_kind == PROMQL_AT_NONE) {
            x->u.vs.mods.at_kind = PROMQL_AT_TIMESTAMP;
            x->u.vs.mods.at_ms = t;
        }
        break;
    case PROMQL_EXPR_CALL:
        for (size_t i = 0; i < x->u.call.nargs; i++)
            pin_at(x->u.call.args[i], t);
        break;
    default:
        break;
    }
}

/* Compares a result value with the statement's expectations (no annotations). */
static bool compare_value(const struct eval_stmt *es, const struct promql_value *v, char *why,
                          size_t nwhy)
{
    if (es->has_scalar) {
        if (v->type != PROMQL_VAL_SCALAR || !float_match(v->f, es->scalar)) {
            snprintf(why, nwhy, "scalar mismatch");
            return false;
        }
        return true;
    }
    if (v->type != PROMQL_VAL_VECTOR) {
        snprintf(why, nwhy, "expected a vector, got %s", promql_val_type_name(v->type));
        return false;
    }
    return compare_vector(es, &v->vec, why, nwhy);
}

static bool run_extra_checks(struct promql_engine *eng, const struct promql_storage *st,
                             const struct eval_stmt *es, char *why, size_t nwhy)
{
    static const enum promql_func_id at_unsafe[] = {
        PROMQL_FN_TIME,        PROMQL_FN_TIMESTAMP,   PROMQL_FN_PREDICT_LINEAR,
        PROMQL_FN_MINUTE,      PROMQL_FN_HOUR,        PROMQL_FN_DAY_OF_MONTH,
        PROMQL_FN_DAY_OF_WEEK, PROMQL_FN_DAY_OF_YEAR, PROMQL_FN_DAYS_IN_MONTH,
        PROMQL_FN_MONTH,       PROMQL_FN_YEAR,        PROMQL_FN_START,
        PROMQL_FN_END,         PROMQL_FN_RANGE,       PROMQL_FN_STEP};
    static const enum promql_func_id range_unsafe[] = {PROMQL_FN_START, PROMQL_FN_END,
                                                       PROMQL_FN_RANGE, PROMQL_FN_STEP};
    struct promql_expr_tree *tree = NULL;
    bool ok = true;
    if (es->range || es->expect_fail || es->has_string || es->has_rv)
        return true;
    if (promql_parse(es->expr, strlen(es->expr), PROMQL_PARSE_ALL, &tree, NULL) != 0)
        return true;
    if (!calls_any(tree->root, at_unsafe, sizeof(at_unsafe) / sizeof(at_unsafe[0]))) {
        int64_t t = es->t, times[5];
        size_t nt = 0;
        pin_at(tree->root, t);
        if (t == 0) {
            times[nt++] = -1000;
            times[nt++] = 0;
            times[nt++] = 1000;
        } else {
            times[nt++] = -10 * t;
            times[nt++] = 0;
            times[nt++] = t / 5;
            times[nt++] = t;
            times[nt++] = 10 * t;
        }
        for (size_t i = 0; i < nt && ok; i++) {
            struct promql_result r;
            struct err e;
            if (promql_query_instant_expr(eng, st, tree->root, es->expr, times[i], &r, &e) != 0) {
                snprintf(why, nwhy, "@-pinned query at %lld failed: %s", (long long)times[i],
                         e.msg);
                ok = false;
                break;
            }
            if (!compare_value(es, &r.value, why, nwhy)) {
                size_t l = strlen(why);
                snprintf(why + l, nwhy - l, " (@-pinned, evaluated at %lld)", (long long)times[i]);
                ok = false;
            }
            promql_result_fini(&r);
        }
    }
    promql_expr_tree_free(tree);
    tree = NULL;
    if (ok && !es->ordered &&
        promql_parse(es->expr, strlen(es->expr), PROMQL_PARSE_ALL, &tree, NULL) == 0) {
        if (!calls_any(tree->root, range_unsafe, sizeof(range_unsafe) / sizeof(range_unsafe[0]))) {
            struct promql_result r;
            struct err e;
            if (promql_query_range_expr(eng, st, tree->root, es->expr, es->t - 60000, es->t + 60000,
                                        60000, &r, &e) == 0) {
                struct promql_value mid;
                promql_value_init(&mid);
                mid.type = es->has_scalar ? PROMQL_VAL_SCALAR : PROMQL_VAL_VECTOR;
                mid.f = NAN;
                for (size_t i = 0; i < r.value.mat.n; i++) {
                    const struct promql_series *s = &r.value.mat.s[i];
                    for (size_t k = 0; k < s->n; k++) {
                        if (s->p[k].t != es->t)
                            continue;
                        if (es->has_scalar)
                            mid.f = s->p[k].v;
                        else
                            promql_vector_push(&mid.vec, labels_dup(s->labels), es->t, s->p[k].v);
                    }
                }
                if (!compare_value(es, &mid, why, nwhy)) {
                    size_t l = strlen(why);
                    snprintf(why + l, nwhy - l, " (middle step of a range query)");
                    ok = false;
                }
                promql_value_fini(&mid);
                promql_result_fini(&r);
            }
        }
        promql_expr_tree_free(tree);
    }
    return ok;
}

/* ---- files ---- */

struct counts {
    int pass, fail, skip;
};

struct line {
    char *text; /* trimmed, "" for comments */
    int no;
};

static bool parse_note_line(char *rest, struct expect_note *n)
{
    rest = trim(rest);
    n->kind = 0;
    n->text = NULL;
    if (strncmp(rest, "msg:", 4) == 0) {
        n->kind = 1;
        n->text = xstrdup(trim(rest + 4));
    } else if (strncmp(rest, "regex:", 6) == 0) {
        n->kind = 2;
        n->text = xstrdup(trim(rest + 6));
    }
    return true;
}

/* Parses the eval header and body lines[0..n). Returns false on a syntax problem (in bad). */
static bool parse_eval(struct line *lines, size_t n, struct eval_stmt *es)
{
    char *hdr = xstrdup(lines[0].text), *p = hdr, *w;
    bool ok = false;
    memset(es, 0, sizeof(*es));
    w = next_word(&p);
    if (strcmp(w, "eval_fail") == 0)
        es->expect_fail = true;
    else if (strcmp(w, "eval_ordered") == 0)
        es->ordered = true;
    else if (strcmp(w, "eval_warn") == 0)
        es->nwarn = 1;
    else if (strcmp(w, "eval_info") == 0)
        es->ninfo = 1;
    w = next_word(&p);
    if (strcmp(w, "instant") == 0) {
        if (strcmp(next_word(&p), "at") != 0 || !parse_dur(next_word(&p), &es->t)) {
            snprintf(es->bad, sizeof(es->bad), "bad instant header");
            goto out;
        }
    } else if (strcmp(w, "range") == 0) {
        es->range = true;
        if (strcmp(next_word(&p), "from") != 0 || !parse_dur(next_word(&p), &es->start) ||
            strcmp(next_word(&p), "to") != 0 || !parse_dur(next_word(&p), &es->end) ||
            strcmp(next_word(&p), "step") != 0 || !parse_dur(next_word(&p), &es->step)) {
            snprintf(es->bad, sizeof(es->bad), "bad range header");
            goto out;
        }
    } else {
        snprintf(es->bad, sizeof(es->bad), "bad eval header");
        goto out;
    }
    es->expr = xstrdup(trim(p));
    for (size_t i = 1; i < n; i++) {
        char *l = lines[i].text;
        if (strncmp(l, "expected_fail_message ", 22) == 0) {
            es->fail_kind = 1;
            es->fail_text = xstrdup(trim(l + 22));
            break;
        }
        if (strncmp(l, "expected_fail_regexp ", 21) == 0) {
            es->fail_kind = 2;
            es->fail_text = xstrdup(trim(l + 21));
            break;
        }
        if (strncmp(l, "expect range vector ", 20) == 0) {
            char *q = l + 20;
            es->has_rv = true;
            if (strcmp(next_word(&q), "from") != 0 || !parse_dur(next_word(&q), &es->rv_start) ||
                strcmp(next_word(&q), "to") != 0 || !parse_dur(next_word(&q), &es->rv_end) ||
                strcmp(next_word(&q), "step") != 0 || !parse_dur(next_word(&q), &es->rv_step)) {
                snprintf(es->bad, sizeof(es->bad), "bad expect range vector");
                goto out;
            }
            continue;
        }
        if (strncmp(l, "expect string ", 14) == 0) {
            char *q = trim(l + 14);
            struct buf b;
            size_t used;
            buf_init(&b, 0);
            if (string_unquote(q, strlen(q), &used, &b, NULL) != 0) {
                buf_fini(&b);
                snprintf(es->bad, sizeof(es->bad), "bad expect string");
                goto out;
            }
            es->has_string = true;
            es->string_val = buf_steal(&b, NULL);
            continue;
        }
        if (strncmp(l, "expect ", 7) == 0) {
            char *q = l + 7, *kind = next_word(&q);
            if (strcmp(kind, "fail") == 0) {
                struct expect_note nn;
                es->expect_fail = true;
                parse_note_line(q, &nn);
                es->fail_kind = nn.kind;
                es->fail_text = nn.text;
            } else if (strcmp(kind, "warn") == 0 && es->nwarn < 16) {
                parse_note_line(q, &es->warn[es->nwarn++]);
            } else if (strcmp(kind, "info") == 0 && es->ninfo < 16) {
                parse_note_line(q, &es->info[es->ninfo++]);
            } else if (strcmp(kind, "no_warn") == 0) {
                es->no_warn = true;
            } else if (strcmp(kind, "no_info") == 0) {
                es->no_info = true;
            } else if (strcmp(kind, "ordered") == 0) {
                es->ordered = true;
            } else {
                snprintf(es->bad, sizeof(es->bad), "unknown expect %s", kind);
                goto out;
            }
            continue;
        }
        {
            double sv;
            if (parse_scalar_line(l, &sv)) {
                es->has_scalar = true;
                es->scalar = sv;
                break;
            }
        }
        {
            const char *rest;
            char why[256];
            struct labels *ls = parse_series(l, &rest, why, sizeof(why));
            struct expected_series *ex;
            if (ls == NULL) {
                snprintf(es->bad, sizeof(es->bad), "line %d: %s", lines[i].no, why);
                goto out;
            }
            es->series = xreallocarray(es->series, es->nseries + 1, sizeof(*es->series));
            ex = &es->series[es->nseries++];
            memset(ex, 0, sizeof(*ex));
            ex->labels = ls;
            ex->line = lines[i].no;
            if (!parse_values(rest, &ex->vals, why, sizeof(why))) {
                snprintf(es->bad, sizeof(es->bad), "line %d: %s", lines[i].no, why);
                goto out;
            }
        }
    }
    ok = true;
out:
    xfree(hdr);
    return ok;
}

static bool do_load(struct promql_teststorage *ts, struct line *lines, size_t n, char *why,
                    size_t nwhy)
{
    char *hdr = xstrdup(lines[0].text), *p = hdr;
    int64_t step;
    struct labels **ls = xcalloc(n, sizeof(*ls));
    struct slots *vals = xcalloc(n, sizeof(*vals));
    struct st_slots *sts = xcalloc(n, sizeof(*sts)); /* start timestamps for line i, if any */
    bool ok = false;
    next_word(&p);
    if (!parse_dur(next_word(&p), &step)) {
        snprintf(why, nwhy, "bad load step");
        goto out;
    }
    for (size_t i = 1; i < n; i++) {
        const char *rest;
        char *l = lines[i].text;
        const char *brace_end = NULL;
        ls[i] = parse_series(l, &rest, why, nwhy);
        if (ls[i] == NULL)
            goto out;
        brace_end = rest;
        if (strncmp(brace_end, "@st", 3) == 0 &&
            (brace_end[3] == '\0' || isspace((unsigned char)brace_end[3]))) {
            /* start timestamps for the samples of the next line (same series, same length) */
            struct labels *stl = ls[i];
            ls[i] = NULL;
            if (i + 1 >= n) {
                snprintf(why, nwhy, "start timestamp line without a following series line");
                labels_free(stl);
                goto out;
            }
            if (!parse_st_items(brace_end + 3, &sts[i + 1], why, nwhy)) {
                labels_free(stl);
                goto out;
            }
            ls[i + 1] = parse_series(lines[i + 1].text, &rest, why, nwhy);
            if (ls[i + 1] == NULL) {
                labels_free(stl);
                goto out;
            }
            if (!labels_equal(stl, ls[i + 1])) {
                snprintf(why, nwhy, "start timestamp line names another series than the next");
                labels_free(stl);
                goto out;
            }
            labels_free(stl);
            if (!parse_values(rest, &vals[i + 1], why, nwhy))
                goto out;
            if (vals[i + 1].n != sts[i + 1].n) {
                snprintf(why, nwhy, "start timestamp line has %zu items, its series %zu",
                         sts[i + 1].n, vals[i + 1].n);
                goto out;
            }
            i++;
            continue;
        }
        if (!parse_values(rest, &vals[i], why, nwhy))
            goto out;
    }
    for (size_t i = 1; i < n; i++) {
        bool later = false;
        if (ls[i] == NULL)
            continue;
        for (size_t j = i + 1; j < n && !later; j++)
            later = ls[j] != NULL && labels_equal(ls[i], ls[j]);
        if (later)
            continue;
        for (size_t k = 0; k < vals[i].n; k++) {
            if (!vals[i].s[k].present || vals[i].s[k].hist)
                continue;
            if (sts[i].n > 0) {
                int64_t t = (int64_t)k * step;
                promql_teststorage_add_st(ts, ls[i], t, vals[i].s[k].v,
                                          sts[i].s[k].present ? t + sts[i].s[k].off : 0);
            } else {
                promql_teststorage_add(ts, ls[i], (int64_t)k * step, vals[i].s[k].v);
            }
        }
    }
    ok = true;
out:
    for (size_t i = 0; i < n; i++) {
        labels_free(ls[i]);
        xfree(vals[i].s);
        xfree(sts[i].s);
    }
    xfree(ls);
    xfree(vals);
    xfree(sts);
    xfree(hdr);
    return ok;
}

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    struct buf b;
    char tmp[65536];
    size_t got;
    if (f == NULL)
        return NULL;
    buf_init(&b, 0);
    while ((got = fread(tmp, 1, sizeof(tmp), f)) > 0)
        buf_append(&b, tmp, got);
    fclose(f);
    return buf_steal(&b, NULL);
}

static void run_file(const char *path, const char *base, struct counts *c)
{
    char *text = read_file(path);
    struct line *lines = NULL;
    size_t nlines = 0;
    struct promql_teststorage *ts = promql_teststorage_new();
    struct promql_storage st;
    struct promql_engine_opts o;
    struct promql_engine *eng;
    promql_engine_opts_default(&o);
    o.max_samples = 10000;
    o.timeout_ms = 100000;
    eng = promql_engine_new(&o);
    promql_teststorage_interface(ts, &st);
    if (text == NULL) {
        printf("%s: cannot read\n", path);
        c->fail++;
        goto out;
    }
    for (char *p = text, *nl; p != NULL; p = nl) {
        char *t;
        nl = strchr(p, '\n');
        if (nl != NULL)
            *nl++ = '\0';
        t = trim(p);
        if (t[0] == '#')
            t[0] = '\0';
        lines = xreallocarray(lines, nlines + 1, sizeof(*lines));
        lines[nlines].text = t;
        lines[nlines].no = (int)nlines + 1;
        nlines++;
    }
    for (size_t i = 0; i < nlines;) {
        size_t j;
        char word[64];
        size_t wn = 0;
        if (lines[i].text[0] == '\0') {
            i++;
            continue;
        }
        for (j = i + 1; j < nlines && lines[j].text[0] != '\0'; j++)
            ;
        while (lines[i].text[wn] && !isspace((unsigned char)lines[i].text[wn]) &&
               wn < sizeof(word) - 1) {
            word[wn] = (char)tolower((unsigned char)lines[i].text[wn]);
            wn++;
        }
        word[wn] = '\0';
        if (strcmp(word, "clear") == 0) {
            promql_teststorage_clear(ts);
            j = i + 1; /* no body: the next line starts a new command */
        } else if (strncmp(word, "load", 4) == 0) {
            char why[256];
            if (!do_load(ts, &lines[i], j - i, why, sizeof(why)) && verbose)
                printf("%s:%d: load: %s\n", base, lines[i].no, why);
        } else if (strncmp(word, "eval", 4) == 0) {
            struct eval_stmt es;
            char why[1024] = "";
            if (index_needs_nh(base, lines[i].no)) {
                c->skip++;
            } else if (!parse_eval(&lines[i], j - i, &es)) {
                c->fail++;
                if (verbose)
                    printf("%s:%d: %s: bad statement: %s\n", base, lines[i].no,
                           es.expr ? es.expr : "", es.bad);
                stmt_fini(&es);
            } else {
                if (run_eval(eng, &st, &es, why, sizeof(why)) &&
                    (!extra_checks || run_extra_checks(eng, &st, &es, why, sizeof(why)))) {
                    c->pass++;
                } else {
                    c->fail++;
                    if (verbose)
                        printf("%s:%d: %s: %s\n", base, lines[i].no, es.expr, why);
                }
                stmt_fini(&es);
            }
        } else if (verbose) {
            printf("%s:%d: unknown command %s\n", base, lines[i].no, word);
        }
        i = j;
    }
out:
    xfree(lines);
    xfree(text);
    promql_teststorage_free(ts);
    promql_engine_free(eng);
}

static int cmp_cstr(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void run_path(const char *path, struct counts *total)
{
    struct stat sb;
    char **files = NULL;
    size_t nfiles = 0;
    char dir[4096];
    if (stat(path, &sb) != 0) {
        printf("%s: not found\n", path);
        total->fail++;
        return;
    }
    if (S_ISDIR(sb.st_mode)) {
        DIR *d;
        struct dirent *de;
        snprintf(dir, sizeof(dir), "%s/testdata", path);
        if (stat(dir, &sb) != 0)
            snprintf(dir, sizeof(dir), "%s", path);
        index_load(path);
        d = opendir(dir);
        while (d != NULL && (de = readdir(d)) != NULL) {
            size_t l = strlen(de->d_name);
            if (l > 5 && strcmp(de->d_name + l - 5, ".test") == 0) {
                files = xreallocarray(files, nfiles + 1, sizeof(*files));
                files[nfiles++] = xstrdup(de->d_name);
            }
        }
        if (d != NULL)
            closedir(d);
        qsort(files, nfiles, sizeof(*files), cmp_cstr);
    } else {
        const char *slash = strrchr(path, '/');
        snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - path) : 1, slash ? path : ".");
        files = xcalloc(1, sizeof(*files));
        files[nfiles++] = xstrdup(slash ? slash + 1 : path);
    }
    for (size_t i = 0; i < nfiles; i++) {
        char full[8192];
        struct counts c = {0, 0, 0};
        snprintf(full, sizeof(full), "%s/%s", dir, files[i]);
        run_file(full, files[i], &c);
        printf("%s: %d passed, %d failed, %d skipped\n", files[i], c.pass, c.fail, c.skip);
        fflush(stdout);
        total->pass += c.pass;
        total->fail += c.fail;
        total->skip += c.skip;
        xfree(files[i]);
    }
    xfree(files);
}

int main(int argc, char **argv)
{
    struct counts total = {0, 0, 0};
    int npaths = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-v") == 0) {
            verbose = 1;
            continue;
        }
        if (strcmp(argv[i], "-x") == 0) {
            extra_checks = 1;
            continue;
        }
        run_path(argv[i], &total);
        npaths++;
    }
    if (npaths == 0) {
        const char *sh = getenv("TOCSIN_SHARED");
        char path[4096];
        if (sh == NULL) {
            fprintf(stderr, "usage: promql_runner [-v] [DIR | FILE.test ...] (or set "
                            "TOCSIN_SHARED)\n");
            return 2;
        }
        snprintf(path, sizeof(path), "%s/conformance/promql", sh);
        run_path(path, &total);
    }
    printf("total: %d passed, %d failed, %d skipped (%d evals)\n", total.pass, total.fail,
           total.skip, total.pass + total.fail + total.skip);
    for (size_t i = 0; i < nidx; i++)
        xfree(idx[i].file);
    xfree(idx);
    return total.fail > 0 ? 1 : 0;
}
