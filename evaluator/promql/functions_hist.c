/* SPDX-License-Identifier: Apache-2.0 */
/*
 * histogram_quantile, histogram_quantiles and histogram_fraction over classic histograms (series
 * with an `le` label), with Prometheus's bucket sorting, coalescing and monotonicity fixes.
 */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/labels.h"
#include "common/xalloc.h"
#include "evaluator/promql/engine_int.h"
#include "evaluator/promql/functions_int.h"

struct bucket {
    double upper, count;
};

struct hgroup {
    struct labels *labels; /* labels without le */
    uint64_t key;
    struct bucket *b;
    size_t n, cap;
    bool drop_name;
};

static int cmp_bucket(const void *a, const void *b)
{
    double x = ((const struct bucket *)a)->upper, y = ((const struct bucket *)b)->upper;
    return x < y ? -1 : x > y ? 1 : 0;
}

static bool almost_equal(double a, double b, double eps)
{
    const double min_normal = 2.2250738585072014e-308;
    double sum, diff;
    if (a == b)
        return true;
    sum = fabs(a) + fabs(b);
    diff = fabs(a - b);
    if (a == 0 || b == 0 || sum < min_normal)
        return diff < eps * min_normal;
    return diff / fmin(sum, DBL_MAX) < eps;
}

/* Sorts, coalesces and fixes monotonicity. Returns the number of buckets left. */
static size_t prepare(struct bucket *b, size_t n, bool *forced)
{
    size_t m = 0;
    double prev;
    *forced = false;
    qsort(b, n, sizeof(*b), cmp_bucket);
    for (size_t i = 0; i < n; i++) {
        if (m > 0 && b[m - 1].upper == b[i].upper)
            b[m - 1].count += b[i].count;
        else
            b[m++] = b[i];
    }
    if (m == 0)
        return 0;
    prev = b[0].count;
    for (size_t i = 1; i < m; i++) {
        double cur = b[i].count;
        if (cur == prev)
            continue;
        if (almost_equal(prev, cur, 1e-12)) {
            b[i].count = prev;
            continue;
        }
        if (cur < prev) {
            b[i].count = prev;
            *forced = true;
            continue;
        }
        prev = cur;
    }
    return m;
}

static double bucket_quantile(double q, struct bucket *b, size_t n, bool *forced)
{
    double obs, rank, start = 0, end, count;
    size_t k;
    *forced = false;
    if (isnan(q))
        return NAN;
    if (q < 0)
        return -INFINITY;
    if (q > 1)
        return INFINITY;
    qsort(b, n, sizeof(*b), cmp_bucket);
    if (n == 0 || !isinf(b[n - 1].upper) || b[n - 1].upper < 0)
        return NAN;
    n = prepare(b, n, forced);
    if (n < 2)
        return NAN;
    obs = b[n - 1].count;
    if (obs == 0 || isnan(obs))
        return NAN;
    rank = q * obs;
    for (k = 0; k < n - 1; k++)
        if (b[k].count >= rank)
            break;
    if (k == n - 1)
        return b[n - 2].upper;
    if (k == 0 && b[0].upper <= 0)
        return b[0].upper;
    end = b[k].upper;
    count = b[k].count;
    if (k > 0) {
        start = b[k - 1].upper;
        count -= b[k - 1].count;
        rank -= b[k - 1].count;
    }
    return start + (end - start) * (rank / count);
}

/* Cumulative count at x, interpolating linearly inside a bucket. */
static double rank_at(const struct bucket *b, size_t n, double x)
{
    double prev_upper = 0, prev_count = 0;
    if (isinf(x) && x < 0)
        return 0;
    for (size_t i = 0; i < n; i++) {
        double lo = i == 0 ? (b[0].upper > 0 ? 0 : -INFINITY) : prev_upper;
        double up = b[i].upper, cnt = b[i].count - prev_count;
        if (x >= up) {
            prev_upper = up;
            prev_count = b[i].count;
            continue;
        }
        if (x <= lo)
            return prev_count;
        /* No interpolation inside a bucket of infinite width: its observations sit at the
         * finite bound. */
        if (isinf(lo))
            return prev_count + cnt;
        if (isinf(up))
            return prev_count;
        return prev_count + cnt * (x - lo) / (up - lo);
    }
    return prev_count;
}

static double bucket_fraction(double lower, double upper, struct bucket *b, size_t n)
{
    bool forced;
    double total;
    if (n == 0)
        return NAN;
    qsort(b, n, sizeof(*b), cmp_bucket);
    if (!isinf(b[n - 1].upper) || b[n - 1].upper < 0)
        return NAN;
    n = prepare(b, n, &forced);
    total = b[n - 1].count;
    if (isnan(lower) || isnan(upper))
        return NAN;
    if (total == 0)
        return NAN;
    if (upper <= lower)
        return 0;
    return (rank_at(b, n, upper) - rank_at(b, n, lower)) / total;
}

static int parse_le(const char *s, double *out)
{
    char *end;
    if (s == NULL || *s == '\0')
        return -1;
    if (strcmp(s, "+Inf") == 0 || strcmp(s, "Inf") == 0 || strcmp(s, "+inf") == 0 ||
        strcmp(s, "inf") == 0) {
        *out = INFINITY;
        return 0;
    }
    *out = strtod(s, &end);
    if (*end != '\0')
        return -1;
    return 0;
}

int ev_call_histogram(struct ev *ev, const struct promql_expr *x, int64_t t,
                      struct promql_value *out)
{
    const struct promql_call *c = &x->u.call;
    enum promql_func_id id = c->func->id;
    const struct promql_expr *varg;
    double qs[64];
    size_t nq = 0;
    double lower = NAN, upper = NAN;
    const char *qlabel = NULL;
    struct promql_value in;
    struct hgroup *g = NULL;
    size_t ng = 0, capg = 0;
    int rc = 0;
    promql_value_init(&in);
    promql_value_init(out);
    if (id == PROMQL_FN_HISTOGRAM_QUANTILE) {
        struct promql_value v;
        varg = c->args[1];
        if ((rc = ev_eval(ev, c->args[0], t, &v)) != 0) {
            promql_value_fini(&v);
            return rc;
        }
        qs[nq++] = ev_scalar_of(&v);
        promql_value_fini(&v);
    } else if (id == PROMQL_FN_HISTOGRAM_QUANTILES) {
        const struct promql_expr *la = promql_expr_unparen(c->args[1]);
        varg = c->args[0];
        qlabel = la->kind == PROMQL_EXPR_STRING ? la->u.string.value : "quantile";
        for (size_t i = 2; i < c->nargs && nq < 64; i++) {
            struct promql_value v;
            if ((rc = ev_eval(ev, c->args[i], t, &v)) != 0) {
                promql_value_fini(&v);
                return rc;
            }
            qs[nq++] = ev_scalar_of(&v);
            promql_value_fini(&v);
        }
    } else {
        struct promql_value v;
        varg = c->args[2];
        if ((rc = ev_eval(ev, c->args[0], t, &v)) != 0) {
            promql_value_fini(&v);
            return rc;
        }
        lower = ev_scalar_of(&v);
        promql_value_fini(&v);
        if ((rc = ev_eval(ev, c->args[1], t, &v)) != 0) {
            promql_value_fini(&v);
            return rc;
        }
        upper = ev_scalar_of(&v);
        promql_value_fini(&v);
    }
    if ((rc = ev_eval(ev, varg, t, &in)) != 0)
        goto out;
    out->type = PROMQL_VAL_VECTOR;
    for (size_t i = 0; i < nq; i++)
        if (isnan(qs[i]) || qs[i] < 0 || qs[i] > 1)
            ev_note(ev, false, id == PROMQL_FN_HISTOGRAM_QUANTILE ? c->args[0] : c->args[2 + i],
                    "quantile value should be between 0 and 1, got %s", fmtfloat_g(qs[i]).s);
    if (in.vec.n == 0)
        goto out;
    for (size_t i = 0; i < in.vec.n; i++) {
        struct promql_sample *s = &in.vec.s[i];
        const char *le = labels_get(s->labels, "le");
        double ub;
        struct labels_builder lb;
        struct labels *ls;
        uint64_t key;
        struct hgroup *hg = NULL;
        if (parse_le(le, &ub) != 0 || isnan(ub)) {
            const char *nm = labels_get(s->labels, "__name__");
            ev_note(ev, false, varg,
                    "bucket label \"le\" is missing or has a malformed value of \"%s\" for "
                    "metric name \"%s\"",
                    le ? le : "", nm ? nm : "");
            continue;
        }
        labels_builder_init(&lb);
        labels_builder_from(&lb, s->labels);
        labels_builder_del(&lb, "le");
        ls = labels_builder_finish(&lb);
        labels_builder_fini(&lb);
        key = labels_hash(ls);
        for (size_t j = 0; j < ng; j++)
            if (g[j].key == key && labels_equal(g[j].labels, ls)) {
                hg = &g[j];
                break;
            }
        if (hg == NULL) {
            if (ng == capg) {
                capg = capg ? capg * 2 : 8;
                g = xreallocarray(g, capg, sizeof(*g));
            }
            hg = &g[ng++];
            memset(hg, 0, sizeof(*hg));
            hg->labels = ls;
            hg->key = key;
            hg->drop_name = true;
        } else {
            labels_free(ls);
        }
        if (hg->n == hg->cap) {
            hg->cap = hg->cap ? hg->cap * 2 : 8;
            hg->b = xreallocarray(hg->b, hg->cap, sizeof(*hg->b));
        }
        hg->b[hg->n].upper = ub;
        hg->b[hg->n].count = s->v;
        hg->n++;
    }
    if (id == PROMQL_FN_HISTOGRAM_FRACTION) {
        for (size_t j = 0; j < ng; j++) {
            double v = bucket_fraction(lower, upper, g[j].b, g[j].n);
            struct promql_sample *d = promql_vector_push(&out->vec, labels_dup(g[j].labels), t, v);
            d->drop_name = true;
        }
    } else {
        for (size_t qi = 0; qi < nq; qi++) {
            for (size_t j = 0; j < ng; j++) {
                bool forced;
                struct bucket *copy = xmemdup(g[j].b, g[j].n * sizeof(*g[j].b));
                double v = bucket_quantile(qs[qi], copy, g[j].n, &forced);
                struct labels *ls = labels_dup(g[j].labels);
                struct promql_sample *d;
                xfree(copy);
                if (forced) {
                    const char *nm = labels_get(g[j].labels, "__name__");
                    ev_note(ev, true, varg,
                            "input to histogram_quantile needed to be fixed for monotonicity "
                            "(see https://prometheus.io/docs/prometheus/latest/querying/"
                            "functions/#histogram_quantile) for metric name \"%s\"",
                            nm ? nm : "");
                }
                if (qlabel != NULL) {
                    struct labels_builder lb;
                    char qb[400];
                    struct fmtfloat_buf fb = fmtfloat_om(qs[qi]);
                    snprintf(qb, sizeof(qb), "%s", fb.s);
                    labels_builder_init(&lb);
                    labels_builder_from(&lb, ls);
                    labels_builder_set(&lb, qlabel, qb);
                    {
                        struct labels *nl = labels_builder_finish(&lb);
                        labels_builder_fini(&lb);
                        labels_free(ls);
                        ls = nl;
                    }
                }
                d = promql_vector_push(&out->vec, ls, t, v);
                d->drop_name = true;
            }
        }
    }
    rc = 0;
out:
    for (size_t j = 0; j < ng; j++) {
        labels_free(g[j].labels);
        xfree(g[j].b);
    }
    xfree(g);
    promql_value_fini(&in);
    if (rc != 0)
        promql_value_fini(out);
    return rc;
}
