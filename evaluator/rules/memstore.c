/* SPDX-License-Identifier: Apache-2.0 */
/* In-memory sample store and the promtool series notation (see memstore.h). */
#include "evaluator/rules/memstore.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/labels.h"
#include "common/matcher.h"
#include "common/xalloc.h"

void memstore_init(struct memstore *m)
{
    memset(m, 0, sizeof(*m));
    m->visible_until = INT64_MAX;
}

void memstore_fini(struct memstore *m)
{
    for (size_t i = 0; i < m->n; i++) {
        labels_free(m->s[i].labels);
        free(m->s[i].t);
        free(m->s[i].v);
    }
    free(m->s);
    free(m->index);
    free(m->hashes);
    memset(m, 0, sizeof(*m));
}

static void index_rebuild(struct memstore *m, size_t cap)
{
    free(m->index);
    m->index = xcalloc(cap, sizeof(*m->index));
    m->index_mask = cap - 1;
    for (size_t i = 0; i < m->n; i++) {
        size_t j = m->hashes[i] & m->index_mask;
        while (m->index[j])
            j = (j + 1) & m->index_mask;
        m->index[j] = i + 1;
    }
}

static struct memstore_series *find_series(struct memstore *m, const struct labels *ls)
{
    uint64_t h = labels_hash(ls);
    if (m->index) {
        for (size_t j = h & m->index_mask; m->index[j]; j = (j + 1) & m->index_mask) {
            size_t k = m->index[j] - 1;
            if (m->hashes[k] == h && labels_equal(m->s[k].labels, ls))
                return &m->s[k];
        }
    }
    if (m->n == m->cap) {
        m->cap = m->cap ? m->cap * 2 : 16;
        m->s = xreallocarray(m->s, m->cap, sizeof(*m->s));
        m->hashes = xreallocarray(m->hashes, m->cap, sizeof(*m->hashes));
    }
    struct memstore_series *s = &m->s[m->n];
    memset(s, 0, sizeof(*s));
    s->labels = labels_dup(ls);
    m->hashes[m->n] = h;
    m->n++;
    if (!m->index || m->n * 2 > m->index_mask + 1) {
        size_t cap = 64;
        while (cap < m->n * 4)
            cap *= 2;
        index_rebuild(m, cap);
    } else {
        size_t j = h & m->index_mask;
        while (m->index[j])
            j = (j + 1) & m->index_mask;
        m->index[j] = m->n;
    }
    return s;
}

void memstore_add(struct memstore *m, const struct labels *labels, int64_t t, double v)
{
    struct memstore_series *s = find_series(m, labels);
    size_t pos = s->n;
    while (pos > 0 && s->t[pos - 1] > t)
        pos--;
    if (pos > 0 && s->t[pos - 1] == t) {
        s->v[pos - 1] = v;
        return;
    }
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 16;
        s->t = xreallocarray(s->t, s->cap, sizeof(*s->t));
        s->v = xreallocarray(s->v, s->cap, sizeof(*s->v));
    }
    memmove(&s->t[pos + 1], &s->t[pos], (s->n - pos) * sizeof(*s->t));
    memmove(&s->v[pos + 1], &s->v[pos], (s->n - pos) * sizeof(*s->v));
    s->t[pos] = t;
    s->v[pos] = v;
    s->n++;
}

static int mem_select(void *ctx, const struct matcher *const *ms, size_t nms, int64_t mint,
                      int64_t maxt, struct promql_series_set *out, struct err *e)
{
    struct memstore *m = ctx;
    (void)e;
    if (maxt > m->visible_until)
        maxt = m->visible_until;
    for (size_t i = 0; i < m->n; i++) {
        const struct memstore_series *s = &m->s[i];
        bool ok = true;
        for (size_t j = 0; j < nms && ok; j++)
            ok = matcher_matches_labels(ms[j], s->labels);
        if (!ok)
            continue;
        size_t a = 0, b;
        while (a < s->n && s->t[a] < mint)
            a++;
        b = a;
        while (b < s->n && s->t[b] <= maxt)
            b++;
        if (b == a)
            continue;
        int64_t *t = xmemdup(&s->t[a], (b - a) * sizeof(*t));
        double *v = xmemdup(&s->v[a], (b - a) * sizeof(*v));
        promql_series_set_add(out, labels_dup(s->labels), t, v, b - a);
    }
    return 0;
}

struct promql_storage memstore_storage(struct memstore *m)
{
    struct promql_storage st = {m, mem_select};
    return st;
}

int memstore_append(void *ctx, const struct rule_sample *s, size_t n, struct err *e)
{
    (void)e;
    for (size_t i = 0; i < n; i++)
        memstore_add(ctx, s[i].labels, s[i].t, s[i].v);
    return 0;
}

static bool metric_char(char c, bool first)
{
    return isalpha((unsigned char)c) || c == '_' || c == ':' ||
           (!first && isdigit((unsigned char)c));
}

int memstore_parse_metric(const char *s, struct labels **out, struct err *e)
{
    int rc = ERR_INTERNAL;
    struct labels_builder b;
    struct matchers ms = {0};
    char *name = NULL;
    *out = NULL;
    labels_builder_init(&b);
    const char *p = s;
    while (isspace((unsigned char)*p))
        p++;
    const char *ns = p;
    while (*p && metric_char(*p, p == ns))
        p++;
    if (p > ns)
        name = xstrndup(ns, (size_t)(p - ns));
    while (isspace((unsigned char)*p))
        p++;
    if (*p == '{') {
        const char *end = p + strlen(p);
        while (end > p && isspace((unsigned char)end[-1]))
            end--;
        if (end[-1] != '}') {
            rc = err_set(e, ERR_PARSE, "1:%d: parse error: unexpected end of input inside braces",
                         (int)(end - s) + 1);
            goto out;
        }
        char *inner = xstrndup(p, (size_t)(end - p));
        rc = matchers_parse(inner, &ms, e);
        free(inner);
        if (rc != 0) {
            rc = ERR_PARSE;
            goto out;
        }
        for (size_t i = 0; i < ms.n; i++) {
            if (ms.v[i]->type != MATCH_EQ) {
                rc = err_set(e, ERR_PARSE, "parse error: unexpected %s in label set",
                             match_type_str(ms.v[i]->type));
                goto out;
            }
            labels_builder_set(&b, ms.v[i]->name, ms.v[i]->value);
        }
    } else if (*p) {
        rc = err_set(e, ERR_PARSE, "1:%d: parse error: unexpected character %c", (int)(p - s) + 1,
                     *p);
        goto out;
    }
    if (!name && b.n == 0) {
        rc = err_set(e, ERR_PARSE, "parse error: unexpected end of input");
        goto out;
    }
    if (name)
        labels_builder_set(&b, "__name__", name);
    *out = labels_builder_finish(&b);
    rc = 0;
out:
    matchers_fini(&ms);
    labels_builder_fini(&b);
    free(name);
    return rc;
}

/* Parses a number at *p (Go ParseFloat forms plus Inf/NaN); advances *p. */
static bool parse_num(const char **p, double *out)
{
    const char *s = *p;
    int sign = 1;
    const char *q = s;
    if (*q == '+' || *q == '-') {
        sign = *q == '-' ? -1 : 1;
        q++;
    }
    if (strncasecmp(q, "inf", 3) == 0) {
        *out = sign * INFINITY;
        *p = q + 3;
        return true;
    }
    if (strncasecmp(q, "nan", 3) == 0) {
        *out = NAN;
        *p = q + 3;
        return true;
    }
    if (!isdigit((unsigned char)*q) && *q != '.')
        return false;
    /* stop before an 'x' repetition marker (strtod would read "0x3" as hex) */
    char tmp[64];
    size_t n = 0;
    while (q[n] && n < sizeof(tmp) - 1 &&
           (isdigit((unsigned char)q[n]) || q[n] == '.' || q[n] == '_' || q[n] == 'e' ||
            q[n] == 'E' ||
            ((q[n] == '+' || q[n] == '-') && n > 0 && (q[n - 1] == 'e' || q[n - 1] == 'E'))))
        n++;
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (q[i] != '_')
            tmp[k++] = q[i];
    tmp[k] = 0;
    char *end = NULL;
    double v = strtod(tmp, &end);
    if (end == tmp || *end)
        return false;
    *out = sign * v;
    *p = q + n;
    return true;
}

static bool parse_uint(const char **p, unsigned long long *out)
{
    const char *s = *p;
    if (!isdigit((unsigned char)*s))
        return false;
    char *end = NULL;
    *out = strtoull(s, &end, 10);
    *p = end;
    return true;
}

int memstore_expand_values(const char *s, size_t max, struct memstore_value **out, size_t *n,
                           struct err *e)
{
    struct memstore_value *v = NULL;
    size_t cnt = 0, cap = 0;
    union {
        uint64_t u;
        double d;
    } stale = {PROMQL_STALE_NAN_BITS};
    const char *p = s;
    *out = NULL;
    *n = 0;
#define PUSH(om, val)                                                   \
    do {                                                                \
        if (cnt >= max) {                                               \
            free(v);                                                    \
            return err_set(e, ERR_TOOBIG, "more than %zu values", max); \
        }                                                               \
        if (cnt == cap) {                                               \
            cap = cap ? cap * 2 : 16;                                   \
            v = xreallocarray(v, cap, sizeof(*v));                      \
        }                                                               \
        v[cnt].omitted = (om);                                          \
        v[cnt].v = (val);                                               \
        cnt++;                                                          \
    } while (0)
    for (;;) {
        while (isspace((unsigned char)*p))
            p++;
        if (!*p)
            break;
        const char *tok = p;
        if (strncmp(p, "{{", 2) == 0) {
            free(v);
            return err_set(e, ERR_UNSUPPORTED, "native histogram values are not supported: %s",
                           tok);
        }
        if (*p == '_') {
            p++;
            unsigned long long times = 1;
            if (*p == 'x') {
                p++;
                if (!parse_uint(&p, &times))
                    goto bad;
            }
            if (*p && !isspace((unsigned char)*p))
                goto bad;
            for (unsigned long long i = 0; i < times; i++)
                PUSH(true, 0);
            continue;
        }
        double base;
        if (strncmp(p, "stale", 5) == 0) {
            base = stale.d;
            p += 5;
        } else if (!parse_num(&p, &base)) {
            goto bad;
        }
        double step = 0;
        unsigned long long times = 0;
        bool rep = false;
        if (*p == '+' || *p == '-') {
            if (!parse_num(&p, &step) || *p != 'x')
                goto bad;
        }
        if (*p == 'x') {
            p++;
            if (!parse_uint(&p, &times))
                goto bad;
            rep = true;
        }
        if (*p && !isspace((unsigned char)*p))
            goto bad;
        if (!rep) {
            PUSH(false, base);
            continue;
        }
        double cur = base;
        for (unsigned long long i = 0; i <= times; i++) {
            PUSH(false, cur);
            cur += step;
        }
        continue;
    bad:
        free(v);
        return err_set(e, ERR_PARSE, "invalid series value %.*s", (int)strcspn(tok, " \t\n"), tok);
    }
#undef PUSH
    *out = v;
    *n = cnt;
    return 0;
}
