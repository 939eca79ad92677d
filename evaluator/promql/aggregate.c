/* SPDX-License-Identifier: Apache-2.0 */
/* PromQL aggregation operators (sum, avg, count, topk, quantile, count_values, limitk, ...). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/labels.h"
#include "common/xalloc.h"
#include "evaluator/promql/ast.h"
#include "evaluator/promql/engine_int.h"
#include "evaluator/promql/fmtfloat.h"

struct group {
    uint64_t key;
    struct labels *labels; /* output labels */
    bool drop_name;
    double value, mean, c, cmean;
    double count;
    bool incremental, seen_nan_inf;
    size_t *members; /* indexes into the input vector (topk, quantile, limitk) */
    size_t nmembers, capmembers;
};

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static struct labels *group_labels(const struct promql_aggregate *a, const struct labels *ls)
{
    struct labels_builder b;
    struct labels *out;
    labels_builder_init(&b);
    if (a->without) {
        labels_builder_from(&b, ls);
        for (size_t i = 0; i < a->ngrouping; i++)
            labels_builder_del(&b, a->grouping[i]);
        labels_builder_del(&b, "__name__");
        labels_builder_del(&b, "__type__");
        labels_builder_del(&b, "__unit__");
    } else {
        for (size_t i = 0; i < a->ngrouping; i++) {
            const char *v = labels_get(ls, a->grouping[i]);
            if (v != NULL)
                labels_builder_set(&b, a->grouping[i], v);
        }
    }
    out = labels_builder_finish(&b);
    labels_builder_fini(&b);
    return out;
}

static void member_add(struct group *g, size_t i)
{
    if (g->nmembers == g->capmembers) {
        g->capmembers = g->capmembers ? g->capmembers * 2 : 4;
        g->members = xreallocarray(g->members, g->capmembers, sizeof(*g->members));
    }
    g->members[g->nmembers++] = i;
}

static void fmt_label_name_q(const char *s, char *out, size_t n)
{
    size_t o = 0;
    for (; *s != '\0' && o + 5 < n; s++) {
        unsigned char c = (unsigned char)*s;
        if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\')
            o += (size_t)snprintf(out + o, n - o, "\\x%02x", c);
        else
            out[o++] = (char)c;
    }
    out[o] = '\0';
}

/* Orders for topk (descending, NaN last) and bottomk (ascending, NaN last). */
struct member_order {
    const struct promql_vector *v;
    bool desc;
};

static int cmp_members(const void *a, const void *b, void *ctx)
{
    const struct member_order *o = ctx;
    double x = o->v->s[*(const size_t *)a].v, y = o->v->s[*(const size_t *)b].v;
    if (isnan(x) && isnan(y))
        return 0;
    if (isnan(x))
        return 1;
    if (isnan(y))
        return -1;
    if (x == y)
        return 0;
    return ((x > y) == o->desc) ? -1 : 1;
}

/* Stable sort of member indexes (input order kept on ties). */
static void sort_members(const struct promql_vector *v, size_t *m, size_t n, bool desc)
{
    struct member_order o = {v, desc};
    ev_sort(m, n, sizeof(*m), cmp_members, &o);
}

/* ---- xxHash64 (seed 0), as Go's github.com/cespare/xxhash, for limit_ratio's sampling ---- */

#define XXP1 11400714785074694791ULL
#define XXP2 14029467366897019727ULL
#define XXP3 1609587929392839161ULL
#define XXP4 9650029242287828579ULL
#define XXP5 2870177450012600261ULL

static uint64_t rotl64(uint64_t x, int r)
{
    return (x << r) | (x >> (64 - r));
}

static uint64_t rd64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

static uint32_t rd32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t xx_round(uint64_t acc, uint64_t in)
{
    acc += in * XXP2;
    acc = rotl64(acc, 31);
    return acc * XXP1;
}

static uint64_t xx_merge(uint64_t acc, uint64_t val)
{
    val = xx_round(0, val);
    acc ^= val;
    return acc * XXP1 + XXP4;
}

static uint64_t xxhash64(const unsigned char *p, size_t n)
{
    const unsigned char *end = p + n;
    uint64_t h;
    if (n >= 32) {
        uint64_t v1 = XXP1 + XXP2, v2 = XXP2, v3 = 0, v4 = (uint64_t)0 - XXP1;
        while (end - p >= 32) {
            v1 = xx_round(v1, rd64(p));
            v2 = xx_round(v2, rd64(p + 8));
            v3 = xx_round(v3, rd64(p + 16));
            v4 = xx_round(v4, rd64(p + 24));
            p += 32;
        }
        h = rotl64(v1, 1) + rotl64(v2, 7) + rotl64(v3, 12) + rotl64(v4, 18);
        h = xx_merge(h, v1);
        h = xx_merge(h, v2);
        h = xx_merge(h, v3);
        h = xx_merge(h, v4);
    } else {
        h = XXP5;
    }
    h += (uint64_t)n;
    while (end - p >= 8) {
        h ^= xx_round(0, rd64(p));
        h = rotl64(h, 27) * XXP1 + XXP4;
        p += 8;
    }
    if (end - p >= 4) {
        h ^= (uint64_t)rd32(p) * XXP1;
        h = rotl64(h, 23) * XXP2 + XXP3;
        p += 4;
    }
    while (p < end) {
        h ^= (uint64_t)*p * XXP5;
        h = rotl64(h, 11) * XXP1;
        p++;
    }
    h ^= h >> 33;
    h *= XXP2;
    h ^= h >> 29;
    h *= XXP3;
    h ^= h >> 32;
    return h;
}

static void put_uvarint(struct buf *b, size_t v)
{
    while (v >= 0x80) {
        buf_putc(b, (char)(unsigned char)(v | 0x80));
        v >>= 7;
    }
    buf_putc(b, (char)(unsigned char)v);
}

/* Prometheus's Labels.Hash() in its default (stringlabels) layout: xxhash64 of the labels
 * encoded as uvarint-length-prefixed names and values. */
static uint64_t ratio_hash(const struct labels *ls)
{
    struct buf b;
    uint64_t h;
    buf_init(&b, 0);
    for (size_t i = 0; i < ls->n; i++) {
        put_uvarint(&b, strlen(ls->v[i].name));
        buf_puts(&b, ls->v[i].name);
        put_uvarint(&b, strlen(ls->v[i].value));
        buf_puts(&b, ls->v[i].value);
    }
    h = xxhash64((const unsigned char *)buf_str(&b), b.len);
    buf_fini(&b);
    return h;
}

static int aggregate_vector(struct ev *ev, const struct promql_expr *x, int64_t t,
                            struct promql_vector *in, double param, const char *sparam,
                            struct promql_vector *out)
{
    const struct promql_aggregate *a = &x->u.agg;
    const char **names = NULL;
    size_t nnames = 0;
    struct group *groups = NULL;
    size_t ngroups = 0, capgroups = 0;
    size_t *tab = NULL, cap = 16;
    int rc = 0;
    int64_t k = 0;

    if (a->op == PROMQL_AGG_TOPK || a->op == PROMQL_AGG_BOTTOMK || a->op == PROMQL_AGG_LIMITK) {
        if (isnan(param))
            return ev_fail(ev, ERR_INVALID, "Parameter value is NaN");
        if (param >= 9.2e18)
            k = INT64_MAX;
        else if (param <= -9.2e18)
            k = INT64_MIN;
        else
            k = (int64_t)param;
        if (k < 1)
            return 0;
    }
    if (a->op == PROMQL_AGG_LIMIT_RATIO) {
        if (isnan(param))
            return ev_fail(ev, ERR_INVALID, "Ratio value is NaN");
        if (param < -1 || param > 1) {
            ev_note(ev, false, a->param,
                    "ratio value should be between -1 and 1, got %s, capping to %d",
                    fmtfloat_g(param).s, param < 0 ? -1 : 1);
            param = param < 0 ? -1 : 1;
        }
    }
    if (a->op == PROMQL_AGG_QUANTILE && (isnan(param) || param < 0 || param > 1))
        ev_note(ev, false, a->param, "quantile value should be between 0 and 1, got %s",
                fmtfloat_g(param).s);
    if (a->op == PROMQL_AGG_COUNT_VALUES) {
        if (!utf8_valid(sparam, strlen(sparam)) || sparam[0] == '\0') {
            char q[512];
            fmt_label_name_q(sparam, q, sizeof(q));
            return ev_fail(ev, ERR_INVALID, "invalid label name \"%s\"", q);
        }
    }

    nnames = a->ngrouping + (a->without ? 3 : 0);
    names = xcalloc(nnames + 1, sizeof(*names));
    for (size_t i = 0; i < a->ngrouping; i++)
        names[i] = a->grouping[i];
    if (a->without) {
        names[a->ngrouping] = "__name__";
        names[a->ngrouping + 1] = "__type__";
        names[a->ngrouping + 2] = "__unit__";
    }
    qsort(names, nnames, sizeof(*names), cmp_str);
    while (cap < in->n * 2 + 2)
        cap *= 2;
    tab = xcalloc(cap, sizeof(*tab));

    for (size_t i = 0; i < in->n; i++) {
        struct promql_sample *s = &in->s[i];
        uint64_t key = labels_hash_subset(s->labels, names, nnames, !a->without);
        struct group *g = NULL;
        size_t h;
        if (a->op == PROMQL_AGG_COUNT_VALUES) {
            char vbuf[64];
            fmtfloat_go_f(s->v, vbuf, sizeof(vbuf));
            key ^= (uint64_t)strlen(vbuf) * 0x9E3779B97F4A7C15ULL;
            for (const char *p = vbuf; *p; p++)
                key = (key ^ (unsigned char)*p) * 0x100000001b3ULL;
        }
        h = (size_t)(key ^ (key >> 31)) & (cap - 1);
        while (tab[h] != 0) {
            if (groups[tab[h] - 1].key == key) {
                g = &groups[tab[h] - 1];
                break;
            }
            h = (h + 1) & (cap - 1);
        }
        if (g == NULL) {
            if (ngroups == capgroups) {
                capgroups = capgroups ? capgroups * 2 : 8;
                groups = xreallocarray(groups, capgroups, sizeof(*groups));
            }
            g = &groups[ngroups++];
            memset(g, 0, sizeof(*g));
            tab[h] = ngroups;
            g->key = key;
            g->labels = group_labels(a, s->labels);
            g->drop_name = s->drop_name;
            if (a->op == PROMQL_AGG_COUNT_VALUES) {
                char vbuf[64];
                struct labels_builder lb;
                struct labels *nl;
                fmtfloat_go_f(s->v, vbuf, sizeof(vbuf));
                labels_builder_init(&lb);
                labels_builder_from(&lb, g->labels);
                labels_builder_set(&lb, sparam, vbuf);
                nl = labels_builder_finish(&lb);
                labels_builder_fini(&lb);
                labels_free(g->labels);
                g->labels = nl;
            }
            g->value = s->v;
            g->mean = s->v;
            g->count = 1;
            g->c = 0;
            if (a->op == PROMQL_AGG_STDDEV || a->op == PROMQL_AGG_STDVAR) {
                g->value = 0;
                g->mean = s->v;
                g->seen_nan_inf = isnan(s->v) || isinf(s->v);
            }
            member_add(g, i);
            continue;
        }
        g->count++;
        g->drop_name = g->drop_name || s->drop_name;
        member_add(g, i);
        switch (a->op) {
        case PROMQL_AGG_SUM:
            g->value = kahan_inc(s->v, g->value, &g->c);
            break;
        case PROMQL_AGG_AVG:
            if (!g->incremental) {
                double c2 = g->c;
                double ns = kahan_inc(s->v, g->value, &c2);
                if (!isinf(ns)) {
                    g->value = ns;
                    g->c = c2;
                    break;
                }
                g->incremental = true;
                g->mean = g->value / (g->count - 1);
                g->c = g->c / (g->count - 1);
            }
            {
                double q = (g->count - 1) / g->count;
                double cc = q * g->c;
                g->mean = kahan_inc(s->v / g->count, q * g->mean, &cc);
                g->c = cc;
            }
            break;
        case PROMQL_AGG_MIN:
            if (s->v < g->value || isnan(g->value))
                g->value = s->v;
            break;
        case PROMQL_AGG_MAX:
            if (s->v > g->value || isnan(g->value))
                g->value = s->v;
            break;
        case PROMQL_AGG_STDDEV:
        case PROMQL_AGG_STDVAR: {
            double delta = s->v - (g->mean + g->cmean);
            if (isnan(s->v) || isinf(s->v))
                g->seen_nan_inf = true;
            g->mean = kahan_inc(delta / g->count, g->mean, &g->cmean);
            g->value = kahan_inc(delta * (s->v - (g->mean + g->cmean)), g->value, &g->c);
            break;
        }
        default:
            break;
        }
    }

    for (size_t gi = 0; gi < ngroups; gi++) {
        struct group *g = &groups[gi];
        double v = g->value;
        switch (a->op) {
        case PROMQL_AGG_SUM:
            v = isinf(g->value) ? g->value : g->value + g->c;
            break;
        case PROMQL_AGG_AVG:
            if (g->incremental)
                v = g->mean + g->c;
            else
                v = g->value / g->count + g->c / g->count;
            break;
        case PROMQL_AGG_COUNT:
        case PROMQL_AGG_COUNT_VALUES:
            v = g->count;
            break;
        case PROMQL_AGG_GROUP:
            v = 1;
            break;
        case PROMQL_AGG_STDDEV:
        case PROMQL_AGG_STDVAR:
            if (g->seen_nan_inf) {
                v = NAN;
            } else {
                v = (g->value + g->c) / g->count;
                if (a->op == PROMQL_AGG_STDDEV)
                    v = sqrt(v);
            }
            break;
        case PROMQL_AGG_QUANTILE: {
            double *vals = xcalloc(g->nmembers + 1, sizeof(double));
            for (size_t j = 0; j < g->nmembers; j++)
                vals[j] = in->s[g->members[j]].v;
            v = ev_quantile(param, vals, g->nmembers);
            xfree(vals);
            break;
        }
        case PROMQL_AGG_TOPK:
        case PROMQL_AGG_BOTTOMK: {
            size_t n = g->nmembers;
            sort_members(in, g->members, n, a->op == PROMQL_AGG_TOPK);
            if ((uint64_t)k < n)
                n = (size_t)k;
            for (size_t j = 0; j < n; j++) {
                struct promql_sample *s = &in->s[g->members[j]];
                struct promql_sample *d = promql_vector_push(out, s->labels, t, s->v);
                d->drop_name = s->drop_name;
                s->labels = NULL;
            }
            continue;
        }
        case PROMQL_AGG_LIMITK: {
            size_t n = g->nmembers;
            if ((uint64_t)k < n)
                n = (size_t)k;
            for (size_t j = 0; j < n; j++) {
                struct promql_sample *s = &in->s[g->members[j]];
                struct promql_sample *d = promql_vector_push(out, s->labels, t, s->v);
                d->drop_name = s->drop_name;
                s->labels = NULL;
            }
            continue;
        }
        case PROMQL_AGG_LIMIT_RATIO: {
            for (size_t j = 0; j < g->nmembers; j++) {
                struct promql_sample *s = &in->s[g->members[j]];
                double off = (double)(ratio_hash(s->labels) % UINT64_MAX) / (double)UINT64_MAX;
                bool keep = param >= 0 ? off < param : off >= 1.0 + param;
                if (keep) {
                    struct promql_sample *d = promql_vector_push(out, s->labels, t, s->v);
                    d->drop_name = s->drop_name;
                    s->labels = NULL;
                }
            }
            continue;
        }
        default:
            break;
        }
        {
            struct promql_sample *d = promql_vector_push(out, g->labels, t, v);
            d->drop_name = g->drop_name && labels_get(g->labels, "__name__") != NULL;
            g->labels = NULL;
        }
    }
    for (size_t gi = 0; gi < ngroups; gi++) {
        labels_free(groups[gi].labels);
        xfree(groups[gi].members);
    }
    xfree(groups);
    xfree(tab);
    xfree(names);
    return rc;
}

int ev_aggregate(struct ev *ev, const struct promql_expr *x, int64_t t, struct promql_value *out)
{
    const struct promql_aggregate *a = &x->u.agg;
    struct promql_value pv, in;
    double param = NAN;
    const char *sparam = "";
    int rc;
    promql_value_init(&pv);
    promql_value_init(&in);
    promql_value_init(out);
    if (a->param != NULL) {
        if ((rc = ev_eval(ev, a->param, t, &pv)) != 0)
            goto out;
        if (pv.type == PROMQL_VAL_STRING)
            sparam = pv.str;
        else
            param = ev_scalar_of(&pv);
    }
    if ((rc = ev_eval(ev, a->expr, t, &in)) != 0)
        goto out;
    out->type = PROMQL_VAL_VECTOR;
    if (in.type != PROMQL_VAL_VECTOR) {
        rc = ev_fail(ev, ERR_INVALID, "aggregation needs an instant vector");
        goto out;
    }
    rc = aggregate_vector(ev, x, t, &in.vec, param, sparam, &out->vec);
out:
    promql_value_fini(&pv);
    promql_value_fini(&in);
    if (rc != 0)
        promql_value_fini(out);
    return rc;
}
