/* SPDX-License-Identifier: Apache-2.0 */
/*
 * PromQL functions over range vectors: rate/increase/delta with Prometheus's extrapolation (and
 * the anchored/smoothed variants), irate/idelta, deriv, predict_linear, the *_over_time family,
 * resets, changes, double_exponential_smoothing.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/labels.h"
#include "common/xalloc.h"
#include "evaluator/promql/engine_int.h"
#include "evaluator/promql/functions_int.h"

static int cmp_double_nan_first(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    if (isnan(x))
        return isnan(y) ? 0 : -1;
    if (isnan(y))
        return 1;
    return x < y ? -1 : x > y ? 1 : 0;
}

double ev_quantile(double q, double *vals, size_t n)
{
    double rank, w;
    size_t lo, hi;
    if (n == 0 || isnan(q))
        return NAN;
    if (q < 0)
        return -INFINITY;
    if (q > 1)
        return INFINITY;
    qsort(vals, n, sizeof(*vals), cmp_double_nan_first);
    rank = q * (double)(n - 1);
    lo = (size_t)fmax(0, floor(rank));
    hi = lo + 1 < n ? lo + 1 : n - 1;
    w = rank - floor(rank);
    return vals[lo] * (1 - w) + vals[hi] * w;
}

/* ---- rate family ---- */

static double interpolate(const struct promql_point *p1, const struct promql_point *p2, int64_t t,
                          bool counter)
{
    double y1 = p1->v, y2 = p2->v;
    if (counter && y2 < y1)
        y1 = 0;
    return y1 + (y2 - y1) * ((double)t - (double)p1->t) / ((double)p2->t - (double)p1->t);
}

/* Index of the first point with time > t among p[0..n), searched like Go's sort.Search over n. */
static size_t search_gt(const struct promql_point *p, size_t n, int64_t t)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (p[mid].t > t)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

static size_t search_ge(const struct promql_point *p, size_t n, int64_t t)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (p[mid].t >= t)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

static bool extended_rate(const struct ev_range *r, const struct promql_series *s, bool counter,
                          bool is_rate, double *out)
{
    const struct promql_point *f = s->p;
    size_t last = s->n - 1, first;
    int64_t rs = ev_range_start(r), re = r->ref;
    double left, right, res;
    size_t k = search_gt(f, last, rs);
    first = k > 0 ? k - 1 : 0;
    if (r->smoothed)
        last = search_ge(f, last, re);
    if (f[last].t <= rs || f[0].t > re)
        return false;
    left = (r->smoothed && f[first].t < rs) ? interpolate(&f[first], &f[first + 1], rs, counter)
                                            : f[first].v;
    right = (r->smoothed && last > 0 && f[last].t > re)
                ? interpolate(&f[last - 1], &f[last], re, counter)
                : f[last].v;
    res = right - left;
    if (counter) {
        long fi = (long)first, li = (long)last;
        double corr = 0, prev = left;
        if (f[fi].t <= rs)
            fi++;
        if (f[li].t >= re)
            li--;
        for (long i = fi; i <= li; i++) {
            if (f[i].v < prev)
                corr += prev;
            prev = f[i].v;
        }
        if (right < prev)
            corr += prev;
        res += corr;
    }
    if (is_rate)
        res /= (double)r->range_ms / 1000.0;
    *out = res;
    return true;
}

/* Drops points outside (ref - range, ref] that anchored/smoothed selection added. */
static size_t window_points(const struct ev_range *r, const struct promql_series *s,
                            const struct promql_point **p)
{
    size_t lo = 0, hi = s->n;
    if (!r->anchored && !r->smoothed) {
        *p = s->p;
        return s->n;
    }
    while (lo < s->n && s->p[lo].t <= ev_range_start(r))
        lo++;
    while (hi > lo && s->p[hi - 1].t > r->ref)
        hi--;
    *p = s->p + lo;
    return hi - lo;
}

/*
 * Whether a sample's start timestamp marks a counter reset since the previous sample (Prometheus's
 * rules): an unknown (0) or not-earlier-than-T start never does; one after the previous sample
 * does; one equal to the previous sample's time does only when the previous sample had a known,
 * valid start of its own (a delta series), not for a cumulative series of unknown start.
 */
static bool st_reset(int64_t prev_st, int64_t prev_t, int64_t cur_st, int64_t cur_t)
{
    if (cur_st == 0 || cur_st >= cur_t || cur_st < prev_t)
        return false;
    if (cur_st > prev_t)
        return true;
    if (prev_st > prev_t)
        return false;
    return prev_st != 0 && prev_st != prev_t;
}

/* Whether a sample's start time reaches back before the previous sample although it is not the
 * previous sample's start (overlapping intervals: bad data). */
static bool st_overlap(int64_t prev_st, int64_t prev_t, int64_t cur_st)
{
    return cur_st != 0 && cur_st < prev_t && cur_st != prev_st;
}

/* rate/increase/delta without modifiers. st (may be NULL) holds the start timestamps of s's
 * points; *overlap is set when they overlap (counters only). */
static bool extrapolated_rate(const struct ev_range *r, const struct promql_series *s,
                              const int64_t *st, bool counter, bool is_rate, double *out,
                              bool *overlap)
{
    int64_t rs = ev_range_start(r), re = r->ref;
    const struct promql_point *p;
    size_t n;
    double res, dstart, dend, sampled, avg = 0, thr, factor = 1;
    if (r->anchored || r->smoothed)
        return extended_rate(r, s, counter, is_rate, out);
    p = s->p;
    n = s->n;
    if (!counter)
        st = NULL;
    if (n < 1 || (n < 2 && st == NULL))
        return false;
    res = p[n - 1].v - p[0].v;
    if (counter)
        for (size_t i = 1; i < n; i++) {
            if (st != NULL && !*overlap && st_overlap(st[i - 1], p[i - 1].t, st[i]))
                *overlap = true;
            if (p[i].v < p[i - 1].v ||
                (st != NULL && st_reset(st[i - 1], p[i - 1].t, st[i], p[i].t)))
                res += p[i - 1].v;
        }
    dstart = ((double)p[0].t - (double)rs) / 1000.0;
    dend = ((double)re - (double)p[n - 1].t) / 1000.0;
    sampled = (double)(p[n - 1].t - p[0].t) / 1000.0;
    if (n > 1)
        avg = sampled / (double)(n - 1);
    thr = avg * 1.1;
    if (st != NULL && st[0] != 0 && st[0] > rs && st[0] < p[0].t) {
        /* The first sample's start lies inside the window: assume a zero sample there instead
         * of extrapolating to the left. */
        dstart = 0;
        sampled = (double)(p[n - 1].t - st[0]) / 1000.0;
        res += p[0].v;
    } else if (n < 2) {
        return false;
    } else {
        if (dstart >= thr)
            dstart = avg / 2;
        if (counter) {
            double dzero = dstart;
            if (res > 0 && p[0].v >= 0)
                dzero = sampled * (p[0].v / res);
            if (dzero < dstart)
                dstart = dzero;
        }
    }
    if (dend >= thr)
        dend = avg / 2;
    if (sampled != 0)
        factor = (sampled + dstart + dend) / sampled;
    if (is_rate)
        factor /= (double)r->range_ms / 1000.0;
    *out = res * factor;
    return true;
}

/* irate/idelta over the last two points; st (may be NULL) as for extrapolated_rate. */
static bool instant_value(const struct promql_series *s, const int64_t *st, bool is_rate,
                          double *out)
{
    const struct promql_point *a, *b;
    double v;
    int64_t dt;
    if (s->n < 2)
        return false;
    a = &s->p[s->n - 2];
    b = &s->p[s->n - 1];
    dt = b->t - a->t;
    if (dt == 0)
        return false;
    v = b->v;
    if (!is_rate ||
        !(b->v < a->v || (st != NULL && st_reset(st[s->n - 2], a->t, st[s->n - 1], b->t))))
        v = b->v - a->v;
    if (is_rate)
        v /= (double)dt / 1000.0;
    *out = v;
    return true;
}

static void linear_regression(const struct promql_point *p, size_t n, int64_t icpt, double *slope,
                              double *intercept)
{
    double sx = 0, cx = 0, sy = 0, cy = 0, sxy = 0, cxy = 0, sx2 = 0, cx2 = 0;
    double init = p[0].v, cnt = 0;
    bool consty = true;
    for (size_t i = 0; i < n; i++) {
        double x = (double)(p[i].t - icpt) / 1e3;
        if (consty && i > 0 && p[i].v != init)
            consty = false;
        cnt += 1;
        sx = kahan_inc(x, sx, &cx);
        sy = kahan_inc(p[i].v, sy, &cy);
        sxy = kahan_inc(x * p[i].v, sxy, &cxy);
        sx2 = kahan_inc(x * x, sx2, &cx2);
    }
    if (consty) {
        if (isinf(init)) {
            *slope = NAN;
            *intercept = NAN;
        } else {
            *slope = 0;
            *intercept = init;
        }
        return;
    }
    sx += cx;
    sy += cy;
    sxy += cxy;
    sx2 += cx2;
    {
        double cov = sxy - sx * sy / cnt, var = sx2 - sx * sx / cnt;
        *slope = cov / var;
        *intercept = sy / cnt - *slope * sx / cnt;
    }
}

static double avg_points(const struct promql_point *p, size_t n)
{
    double sum = p[0].v, count = 1, mean = 0, c = 0;
    bool incr = false;
    for (size_t i = 1; i < n; i++) {
        count = (double)(i + 1);
        if (!incr) {
            double c2 = c, ns = kahan_inc(p[i].v, sum, &c2);
            if (!isinf(ns)) {
                sum = ns;
                c = c2;
                continue;
            }
            incr = true;
            mean = sum / (count - 1);
            c /= (count - 1);
        }
        {
            double q = (count - 1) / count, cc = q * c;
            mean = kahan_inc(p[i].v / count, q * mean, &cc);
            c = cc;
        }
    }
    if (incr)
        return mean + c;
    return sum / count + c / count;
}

static double variance_points(const struct promql_point *p, size_t n)
{
    double count = 0, mean = 0, cmean = 0, aux = 0, caux = 0;
    for (size_t i = 0; i < n; i++) {
        double delta;
        count++;
        delta = p[i].v - (mean + cmean);
        mean = kahan_inc(delta / count, mean, &cmean);
        aux = kahan_inc(delta * (p[i].v - (mean + cmean)), aux, &caux);
    }
    return (aux + caux) / count;
}

static double trend(int i, double tf, double s0, double s1, double b)
{
    if (i == 0)
        return b;
    return tf * (s1 - s0) + (1 - tf) * b;
}

static bool fn_anchored_ok(enum promql_func_id id)
{
    return id == PROMQL_FN_RESETS || id == PROMQL_FN_CHANGES || id == PROMQL_FN_RATE ||
           id == PROMQL_FN_INCREASE || id == PROMQL_FN_DELTA;
}

static bool fn_smoothed_ok(enum promql_func_id id)
{
    return id == PROMQL_FN_RATE || id == PROMQL_FN_INCREASE || id == PROMQL_FN_DELTA;
}

int ev_call_range(struct ev *ev, const struct promql_expr *x, int64_t t, struct promql_value *out)
{
    const struct promql_call *c = &x->u.call;
    enum promql_func_id id = c->func->id;
    const struct promql_expr *marg = NULL;
    double sarg[2] = {NAN, NAN};
    struct ev_range r;
    int rc = 0;
    size_t held = 0;
    size_t mi = (id == PROMQL_FN_QUANTILE_OVER_TIME) ? 1 : 0;
    memset(&r, 0, sizeof(r));
    marg = c->args[mi];
    /* Scalar arguments first (they are evaluated at the same time). */
    for (size_t i = 0, k = 0; i < c->nargs && k < 2; i++) {
        struct promql_value v;
        if (i == mi)
            continue;
        if ((rc = ev_eval(ev, c->args[i], t, &v)) != 0) {
            promql_value_fini(&v);
            return rc;
        }
        sarg[k++] = ev_scalar_of(&v);
        promql_value_fini(&v);
    }
    {
        const struct promql_expr *u = promql_expr_unparen(marg);
        if (u->kind == PROMQL_EXPR_MATRIX_SELECTOR) {
            const struct promql_vector_selector *vs = &u->u.ms.vs->u.vs;
            if (vs->smoothed && !fn_smoothed_ok(id))
                return ev_fail(ev, ERR_INVALID,
                               "smoothed modifier can only be used with: delta, increase, rate - "
                               "not with %s",
                               c->func->name);
            if (vs->anchored && !fn_anchored_ok(id))
                return ev_fail(ev, ERR_INVALID,
                               "anchored modifier can only be used with: changes, delta, "
                               "increase, rate, resets - not with %s",
                               c->func->name);
        }
    }
    held = ev->samples;
    if ((rc = ev_eval_range(ev, marg, t, &r)) != 0)
        goto out;
    out->type = PROMQL_VAL_VECTOR;
    if (id == PROMQL_FN_QUANTILE_OVER_TIME && r.m.n > 0 &&
        (isnan(sarg[0]) || sarg[0] < 0 || sarg[0] > 1))
        ev_note(ev, false, c->args[0], "quantile value should be between 0 and 1, got %s",
                fmtfloat_g(sarg[0]).s);
    if ((id == PROMQL_FN_RATE || id == PROMQL_FN_INCREASE) && r.m.n > 0) {
        for (size_t i = 0; i < r.m.n; i++) {
            const char *name = labels_get(r.m.s[i].labels, "__name__");
            size_t nl;
            if (name == NULL)
                continue;
            nl = strlen(name);
#define ENDS(suf) (nl >= sizeof(suf) - 1 && strcmp(name + nl - (sizeof(suf) - 1), suf) == 0)
            if (ev->noted_name != NULL && ev->noted_node == marg &&
                strcmp(ev->noted_name, name) == 0)
                continue; /* already noted (the note is the same at every step) */
            if (!ENDS("_total") && !ENDS("_sum") && !ENDS("_count") && !ENDS("_bucket")) {
                xfree(ev->noted_name);
                ev->noted_name = xstrdup(name);
                ev->noted_node = marg;
                ev_note(ev, true, marg,
                        "metric might not be a counter, name does not end in "
                        "_total/_sum/_count/_bucket: \"%s\"",
                        name);
            }
#undef ENDS
        }
    }
    for (size_t i = 0; i < r.m.n; i++) {
        struct promql_series *s = &r.m.s[i];
        const struct promql_point *p;
        size_t n = window_points(&r, s, &p);
        const int64_t *sts = ev_range_st(&r, s);
        double v = NAN;
        bool ok = true, keep_name = false;
        switch (id) {
        case PROMQL_FN_RATE:
        case PROMQL_FN_INCREASE: {
            bool overlap = false;
            ok =
                s->n > 0 && extrapolated_rate(&r, s, sts, true, id == PROMQL_FN_RATE, &v, &overlap);
            if (overlap) {
                const char *name = labels_get(s->labels, "__name__");
                ev_note(ev, false, marg,
                        "sample has start time that overlaps with previous sample timestamp for "
                        "metric \"%s\"",
                        name ? name : "");
            }
            break;
        }
        case PROMQL_FN_DELTA: {
            bool overlap = false;
            ok = s->n > 0 && extrapolated_rate(&r, s, NULL, false, false, &v, &overlap);
            break;
        }
        case PROMQL_FN_IRATE:
            ok = instant_value(s, sts, true, &v);
            break;
        case PROMQL_FN_IDELTA:
            ok = instant_value(s, NULL, false, &v);
            break;
        case PROMQL_FN_DERIV:
            if (n < 2) {
                ok = false;
            } else {
                double icpt;
                linear_regression(p, n, p[0].t, &v, &icpt);
            }
            break;
        case PROMQL_FN_PREDICT_LINEAR:
            if (n < 2) {
                ok = false;
            } else {
                double slope, icpt;
                linear_regression(p, n, t, &slope, &icpt);
                v = slope * sarg[0] + icpt;
            }
            break;
        case PROMQL_FN_AVG_OVER_TIME:
            ok = n > 0;
            if (ok)
                v = avg_points(p, n);
            break;
        case PROMQL_FN_SUM_OVER_TIME: {
            double sum = 0, cc = 0;
            ok = n > 0;
            for (size_t j = 0; j < n; j++)
                sum = kahan_inc(p[j].v, sum, &cc);
            v = isinf(sum) ? sum : sum + cc;
            break;
        }
        case PROMQL_FN_COUNT_OVER_TIME:
            ok = n > 0;
            v = (double)n;
            break;
        case PROMQL_FN_MIN_OVER_TIME:
        case PROMQL_FN_MAX_OVER_TIME:
        case PROMQL_FN_TS_OF_MIN_OVER_TIME:
        case PROMQL_FN_TS_OF_MAX_OVER_TIME: {
            double best;
            int64_t bt;
            bool is_max = id == PROMQL_FN_MAX_OVER_TIME || id == PROMQL_FN_TS_OF_MAX_OVER_TIME;
            bool ts = id == PROMQL_FN_TS_OF_MIN_OVER_TIME || id == PROMQL_FN_TS_OF_MAX_OVER_TIME;
            ok = n > 0;
            if (!ok)
                break;
            best = p[0].v;
            bt = p[0].t;
            for (size_t j = 0; j < n; j++) {
                bool take;
                if (ts)
                    take =
                        is_max ? (p[j].v >= best || isnan(best)) : (p[j].v <= best || isnan(best));
                else
                    take = is_max ? (p[j].v > best || isnan(best)) : (p[j].v < best || isnan(best));
                if (take) {
                    best = p[j].v;
                    bt = p[j].t;
                }
            }
            v = ts ? (double)bt / 1000.0 : best;
            break;
        }
        case PROMQL_FN_LAST_OVER_TIME:
            ok = n > 0;
            if (ok)
                v = p[n - 1].v;
            keep_name = true;
            break;
        case PROMQL_FN_FIRST_OVER_TIME:
            ok = n > 0;
            if (ok)
                v = p[0].v;
            keep_name = true;
            break;
        case PROMQL_FN_TS_OF_LAST_OVER_TIME:
            ok = n > 0;
            if (ok)
                v = (double)p[n - 1].t / 1000.0;
            break;
        case PROMQL_FN_TS_OF_FIRST_OVER_TIME:
            ok = n > 0;
            if (ok)
                v = (double)p[0].t / 1000.0;
            break;
        case PROMQL_FN_PRESENT_OVER_TIME:
            ok = n > 0;
            v = 1;
            break;
        case PROMQL_FN_STDDEV_OVER_TIME:
        case PROMQL_FN_STDVAR_OVER_TIME:
            ok = n > 0;
            if (ok) {
                v = variance_points(p, n);
                if (id == PROMQL_FN_STDDEV_OVER_TIME)
                    v = sqrt(v);
            }
            break;
        case PROMQL_FN_QUANTILE_OVER_TIME:
        case PROMQL_FN_MAD_OVER_TIME: {
            double *vals;
            ok = n > 0;
            if (!ok)
                break;
            vals = xcalloc(n, sizeof(double));
            for (size_t j = 0; j < n; j++)
                vals[j] = p[j].v;
            if (id == PROMQL_FN_MAD_OVER_TIME) {
                bool any_nan = false;
                for (size_t j = 0; j < n; j++)
                    any_nan = any_nan || isnan(p[j].v);
                if (any_nan) {
                    xfree(vals);
                    v = NAN;
                    break;
                }
            }
            if (id == PROMQL_FN_QUANTILE_OVER_TIME) {
                v = ev_quantile(sarg[0], vals, n);
            } else {
                double med = ev_quantile(0.5, vals, n);
                for (size_t j = 0; j < n; j++)
                    vals[j] = fabs(p[j].v - med);
                v = ev_quantile(0.5, vals, n);
            }
            xfree(vals);
            break;
        }
        case PROMQL_FN_RESETS:
        case PROMQL_FN_CHANGES: {
            size_t first = 0, cnt = 0;
            const struct promql_point *fp = s->p;
            size_t fn = s->n;
            if (!r.anchored) {
                fp = p;
                fn = n;
            } else {
                int64_t rs = ev_range_start(&r);
                size_t hi = fn;
                while (hi > 0 && fp[hi - 1].t > r.ref)
                    hi--;
                fn = hi;
                if (fn == 0 || fp[fn - 1].t <= rs) {
                    ok = false;
                    break;
                }
                {
                    size_t kk = search_gt(fp, fn - 1, rs);
                    first = kk > 0 ? kk - 1 : 0;
                }
            }
            ok = fn > first;
            for (size_t j = first + 1; j < fn; j++) {
                if (id == PROMQL_FN_RESETS) {
                    const int64_t *fst = sts != NULL ? sts + (fp - s->p) : NULL;
                    if (fp[j].v < fp[j - 1].v ||
                        (fst != NULL && st_reset(fst[j - 1], fp[j - 1].t, fst[j], fp[j].t)))
                        cnt++;
                } else if (fp[j].v != fp[j - 1].v && !(isnan(fp[j].v) && isnan(fp[j - 1].v))) {
                    cnt++;
                }
            }
            v = (double)cnt;
            break;
        }
        case PROMQL_FN_DOUBLE_EXPONENTIAL_SMOOTHING: {
            double sf = sarg[0], tf = sarg[1], s0 = 0, s1, b;
            if (sf <= 0 || sf >= 1) {
                rc = ev_fail(ev, ERR_INVALID,
                             "invalid smoothing factor. Expected: 0 < sf < 1, got: %f", sf);
                goto out;
            }
            if (tf <= 0 || tf >= 1) {
                rc = ev_fail(ev, ERR_INVALID, "invalid trend factor. Expected: 0 < tf < 1, got: %f",
                             tf);
                goto out;
            }
            if (n < 2) {
                ok = false;
                break;
            }
            s1 = p[0].v;
            b = p[1].v - p[0].v;
            for (size_t j = 1; j < n; j++) {
                double xx = sf * p[j].v, y;
                b = trend((int)j - 1, tf, s0, s1, b);
                y = (1 - sf) * (s1 + b);
                s0 = s1;
                s1 = xx + y;
            }
            v = s1;
            break;
        }
        default:
            rc = ev_fail(ev, ERR_UNSUPPORTED, "function %s is not implemented", c->func->name);
            goto out;
        }
        if (!ok)
            continue;
        {
            struct promql_sample *d =
                promql_vector_push(&out->vec, r.borrowed ? labels_dup(s->labels) : s->labels, t, v);
            d->drop_name = keep_name ? s->drop_name : true;
            if (!r.borrowed)
                s->labels = NULL;
        }
    }
    /* The range argument is released; the output samples stay. */
    ev->samples = held;
    rc = ev_account(ev, out->vec.n);
out:
    ev_range_fini(&r);
    return rc;
}
