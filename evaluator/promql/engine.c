/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The PromQL engine core: query entry points, selectors (lookback, staleness, offset, @),
 * subqueries, step loop for range queries and the final __name__ removal.
 */
#include "evaluator/promql/engine.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/err.h"
#include "common/labels.h"
#include "common/matcher.h"
#include "common/timeutil.h"
#include "common/xalloc.h"
#include "evaluator/promql/ast.h"
#include "evaluator/promql/engine_int.h"
#include "evaluator/promql/parser.h"

struct promql_engine {
    struct promql_engine_opts o;
};

void promql_engine_opts_default(struct promql_engine_opts *o)
{
    memset(o, 0, sizeof(*o));
    o->lookback_ms = 5 * 60 * 1000;
    o->default_step_ms = 60 * 1000;
    o->max_samples = 50000000;
    o->timeout_ms = 2 * 60 * 1000;
    o->delayed_name_removal = true;
    o->parse_flags = PROMQL_PARSE_ALL;
}

struct promql_engine *promql_engine_new(const struct promql_engine_opts *o)
{
    struct promql_engine *eng = xcalloc(1, sizeof(*eng));
    if (o != NULL)
        eng->o = *o;
    else
        promql_engine_opts_default(&eng->o);
    return eng;
}

void promql_engine_free(struct promql_engine *eng)
{
    xfree(eng);
}

const struct promql_engine_opts *promql_engine_opts(const struct promql_engine *eng)
{
    return &eng->o;
}

int ev_fail(struct ev *ev, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    err_setv(ev->e, code, fmt, ap);
    va_end(ap);
    return code;
}

void ev_note(struct ev *ev, bool info, const struct promql_expr *pos, const char *fmt, ...)
{
    char msg[1024];
    char *text;
    int line = 1, col = 1;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (pos != NULL && ev->query != NULL) {
        for (int i = 0; i < pos->pos_start && ev->query[i] != '\0'; i++) {
            if (ev->query[i] == '\n') {
                line++;
                col = 1;
            } else {
                col++;
            }
        }
    }
    text = xasprintf("PromQL %s: %s (%d:%d)", info ? "info" : "warning", msg, line, col);
    promql_annotations_add(ev->notes, info, text);
    xfree(text);
}

int ev_account(struct ev *ev, size_t n)
{
    ev->samples += n;
    if (ev->o->max_samples != 0 && ev->samples + ev->base_samples > ev->o->max_samples)
        return ev_fail(ev, ERR_LIMIT,
                       "query processing would load too many samples into memory in query "
                       "execution");
    if (ev->deadline != 0 && (++ev->ticks & 63) == 0 && time_mono_ms() > ev->deadline)
        return ev_fail(ev, ERR_TIMEOUT, "query timed out in query execution");
    return 0;
}

static bool is_reserved_name(const char *n)
{
    return strcmp(n, "__name__") == 0 || strcmp(n, "__type__") == 0 || strcmp(n, "__unit__") == 0;
}

struct labels *ev_drop_name(const struct labels *ls)
{
    struct labels_builder b;
    struct labels *out;
    bool any = false;
    for (size_t i = 0; i < ls->n; i++)
        any = any || is_reserved_name(ls->v[i].name);
    if (!any)
        return labels_dup(ls);
    labels_builder_init(&b);
    for (size_t i = 0; i < ls->n; i++)
        if (!is_reserved_name(ls->v[i].name))
            labels_builder_set(&b, ls->v[i].name, ls->v[i].value);
    out = labels_builder_finish(&b);
    labels_builder_fini(&b);
    return out;
}

void ev_vector_apply_drop(struct promql_vector *v)
{
    for (size_t i = 0; i < v->n; i++) {
        if (v->s[i].drop_name) {
            struct labels *l = ev_drop_name(v->s[i].labels);
            labels_free(v->s[i].labels);
            v->s[i].labels = l;
            v->s[i].drop_name = false;
        }
    }
}

int ev_vector_check_dups(struct ev *ev, struct promql_vector *v)
{
    size_t cap = 16, *tab;
    while (cap < v->n * 2)
        cap *= 2;
    tab = xcalloc(cap, sizeof(*tab));
    for (size_t i = 0; i < v->n; i++) {
        size_t h = (size_t)labels_hash(v->s[i].labels) & (cap - 1);
        while (tab[h] != 0) {
            if (labels_equal(v->s[tab[h] - 1].labels, v->s[i].labels)) {
                xfree(tab);
                return ev_fail(ev, ERR_INVALID,
                               "vector cannot contain metrics with the same labelset");
            }
            h = (h + 1) & (cap - 1);
        }
        tab[h] = i + 1;
    }
    xfree(tab);
    return 0;
}

double ev_scalar_of(const struct promql_value *v)
{
    if (v->type == PROMQL_VAL_SCALAR)
        return v->f;
    if (v->type == PROMQL_VAL_VECTOR && v->vec.n > 0)
        return v->vec.s[0].v;
    return NAN;
}

static void sort_rec(char *a, char *tmp, size_t n, size_t sz,
                     int (*cmp)(const void *, const void *, void *), void *ctx)
{
    size_t h = n / 2, i = 0, j = h, k = 0;
    if (n < 2)
        return;
    sort_rec(a, tmp, h, sz, cmp, ctx);
    sort_rec(a + h * sz, tmp, n - h, sz, cmp, ctx);
    if (cmp(a + (h - 1) * sz, a + h * sz, ctx) <= 0)
        return;
    while (i < h && j < n) {
        if (cmp(a + j * sz, a + i * sz, ctx) < 0)
            memcpy(tmp + (k++) * sz, a + (j++) * sz, sz);
        else
            memcpy(tmp + (k++) * sz, a + (i++) * sz, sz);
    }
    if (i < h)
        memcpy(tmp + k * sz, a + i * sz, (h - i) * sz);
    else
        memcpy(tmp + k * sz, a + j * sz, (n - j) * sz);
    memcpy(a, tmp, n * sz);
}

void ev_sort(void *base, size_t n, size_t sz, int (*cmp)(const void *, const void *, void *),
             void *ctx)
{
    char *tmp;
    if (n < 2)
        return;
    tmp = xmalloc(n * sz);
    sort_rec(base, tmp, n, sz, cmp, ctx);
    xfree(tmp);
}

double kahan_inc(double inc, double sum, double *c)
{
    double t = sum + inc;
    if (isinf(t))
        *c = 0;
    else if (fabs(sum) >= fabs(inc))
        *c += (sum - t) + inc;
    else
        *c += (inc - t) + sum;
    return t;
}

/* ---- selectors ---- */

static struct ev_cache *cache_entry(struct ev *ev, const struct promql_expr *node)
{
    struct ev_cache *c;
    for (size_t i = 0; i < ev->ncache; i++)
        if (ev->cache[i].node == node)
            return &ev->cache[i];
    if (ev->ncache == ev->capcache) {
        ev->capcache = ev->capcache ? ev->capcache * 2 : 8;
        ev->cache = xreallocarray(ev->cache, ev->capcache, sizeof(*ev->cache));
    }
    c = &ev->cache[ev->ncache++];
    memset(c, 0, sizeof(*c));
    c->node = node;
    c->mint = INT64_MAX;
    c->maxt = INT64_MIN;
    promql_series_set_init(&c->set);
    return c;
}

static struct promql_series_set *cache_get(struct ev *ev, const struct promql_expr *node, int *rc)
{
    const struct promql_vector_selector *vs = &node->u.vs;
    struct ev_cache *c = cache_entry(ev, node);
    *rc = 0;
    if (c->selected)
        return &c->set;
    c->selected = true;
    if (c->mint > c->maxt) { /* not planned: take everything */
        c->mint = INT64_MIN;
        c->maxt = INT64_MAX;
    }
    *rc = ev->st->select(ev->st->ctx, (const struct matcher *const *)vs->matchers, vs->nmatchers,
                         c->mint, c->maxt, &c->set, ev->e);
    return &c->set;
}

static int64_t sat_sub(int64_t a, int64_t b)
{
    if (b > 0 && a < INT64_MIN + b)
        return INT64_MIN;
    if (b < 0 && a > INT64_MAX + b)
        return INT64_MAX;
    return a - b;
}

static int64_t sat_add(int64_t a, int64_t b)
{
    return b == INT64_MIN ? INT64_MIN : sat_sub(a, -b);
}

/* The reference-time range [*lo, *hi] of a selector/subquery evaluated at [tmin, tmax]. */
static void plan_ref(struct ev *ev, const struct promql_time_mods *m, int64_t tmin, int64_t tmax,
                     int64_t *lo, int64_t *hi)
{
    int64_t off = m->offset_ms;
    switch (m->at_kind) {
    case PROMQL_AT_TIMESTAMP:
        tmin = tmax = m->at_ms;
        break;
    case PROMQL_AT_START:
        tmin = tmax = ev->start;
        break;
    case PROMQL_AT_END:
        tmin = tmax = ev->end;
        break;
    case PROMQL_AT_NONE:
        break;
    }
    if (m->offset_expr != NULL && m->offset_dynamic) {
        struct promql_duration_ctx dc = {ev->start, ev->end, ev->interval};
        if (promql_duration_eval(m->offset_expr, &dc, &off, NULL) != 0) {
            *lo = INT64_MIN;
            *hi = INT64_MAX;
            return;
        }
    }
    *lo = sat_sub(tmin, off);
    *hi = sat_sub(tmax, off);
}

static void plan_need(struct ev *ev, const struct promql_expr *sel, int64_t lo, int64_t hi)
{
    struct ev_cache *c = cache_entry(ev, sel);
    if (lo < c->mint)
        c->mint = lo;
    if (hi > c->maxt)
        c->maxt = hi;
}

void ev_plan(struct ev *ev, const struct promql_expr *x, int64_t tmin, int64_t tmax)
{
    int64_t lo, hi, range;
    switch (x->kind) {
    case PROMQL_EXPR_VECTOR_SELECTOR:
        plan_ref(ev, &x->u.vs.mods, tmin, tmax, &lo, &hi);
        plan_need(ev, x, sat_sub(lo, ev->o->lookback_ms),
                  x->u.vs.smoothed ? sat_add(hi, ev->o->lookback_ms) : hi);
        return;
    case PROMQL_EXPR_MATRIX_SELECTOR: {
        const struct promql_vector_selector *vs = &x->u.ms.vs->u.vs;
        plan_ref(ev, &vs->mods, tmin, tmax, &lo, &hi);
        range = x->u.ms.range_ms;
        if (x->u.ms.range_expr != NULL && x->u.ms.range_dynamic) {
            struct promql_duration_ctx dc = {ev->start, ev->end, ev->interval};
            if (promql_duration_eval(x->u.ms.range_expr, &dc, &range, NULL) != 0)
                range = INT64_MAX;
        }
        lo = sat_sub(lo, range);
        if (vs->anchored || vs->smoothed)
            lo = sat_sub(lo, ev->o->lookback_ms);
        if (vs->smoothed)
            hi = sat_add(hi, ev->o->lookback_ms);
        plan_need(ev, x->u.ms.vs, lo, hi);
        return;
    }
    case PROMQL_EXPR_SUBQUERY:
        plan_ref(ev, &x->u.sq.mods, tmin, tmax, &lo, &hi);
        range = x->u.sq.range_ms;
        if (x->u.sq.range_expr != NULL && x->u.sq.range_dynamic) {
            struct promql_duration_ctx dc = {ev->start, ev->end, ev->interval};
            if (promql_duration_eval(x->u.sq.range_expr, &dc, &range, NULL) != 0)
                range = INT64_MAX;
        }
        ev_plan(ev, x->u.sq.expr, sat_sub(lo, range), hi);
        return;
    case PROMQL_EXPR_PAREN:
        ev_plan(ev, x->u.paren, tmin, tmax);
        return;
    case PROMQL_EXPR_UNARY:
        ev_plan(ev, x->u.unary.expr, tmin, tmax);
        return;
    case PROMQL_EXPR_BINARY:
        ev_plan(ev, x->u.binary.lhs, tmin, tmax);
        ev_plan(ev, x->u.binary.rhs, tmin, tmax);
        return;
    case PROMQL_EXPR_AGGREGATE:
        if (x->u.agg.param != NULL)
            ev_plan(ev, x->u.agg.param, tmin, tmax);
        ev_plan(ev, x->u.agg.expr, tmin, tmax);
        return;
    case PROMQL_EXPR_CALL:
        for (size_t i = 0; i < x->u.call.nargs; i++) {
            /* info()'s second argument is a label selector, never evaluated */
            if (x->u.call.func->id == PROMQL_FN_INFO && i > 0)
                continue;
            ev_plan(ev, x->u.call.args[i], tmin, tmax);
        }
        return;
    default:
        return;
    }
}

int ev_mods_ref(struct ev *ev, const struct promql_time_mods *m, int64_t t, int64_t *ref)
{
    int64_t at = t, off = m->offset_ms;
    switch (m->at_kind) {
    case PROMQL_AT_TIMESTAMP:
        at = m->at_ms;
        break;
    case PROMQL_AT_START:
        at = ev->start;
        break;
    case PROMQL_AT_END:
        at = ev->end;
        break;
    case PROMQL_AT_NONE:
        break;
    }
    if (m->offset_expr != NULL && m->offset_dynamic) {
        struct promql_duration_ctx dc = {ev->start, ev->end, ev->interval};
        int rc = promql_duration_eval(m->offset_expr, &dc, &off, ev->e);
        if (rc != 0)
            return rc;
    }
    *ref = sat_sub(at, off);
    return 0;
}

static int dyn_duration(struct ev *ev, const struct promql_expr *d, bool dynamic, int64_t fixed,
                        int64_t *out)
{
    struct promql_duration_ctx dc = {ev->start, ev->end, ev->interval};
    if (d == NULL || !dynamic) {
        *out = fixed;
        return 0;
    }
    return promql_duration_eval(d, &dc, out, ev->e);
}

/* Index of the last sample with time <= t, or -1. */
static long last_le(const int64_t *ts, size_t n, int64_t t)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (ts[mid] <= t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return (long)lo - 1;
}

static int eval_vector_selector(struct ev *ev, const struct promql_expr *x, int64_t t,
                                struct promql_value *out)
{
    int rc;
    int64_t ref;
    struct promql_series_set *set = cache_get(ev, x, &rc);
    if (rc != 0)
        return rc;
    if ((rc = ev_mods_ref(ev, &x->u.vs.mods, t, &ref)) != 0)
        return rc;
    out->type = PROMQL_VAL_VECTOR;
    for (size_t i = 0; i < set->n; i++) {
        const struct promql_series_data *s = &set->s[i];
        long k = last_le(s->t, s->n, ref);
        double v;
        if (k < 0 || s->t[k] <= sat_sub(ref, ev->o->lookback_ms) || promql_is_stale(s->v[k]))
            continue;
        v = s->v[k];
        if (x->u.vs.smoothed && s->t[k] < ref && k + 1 < (long)s->n &&
            s->t[k + 1] <= sat_add(ref, ev->o->lookback_ms) && !promql_is_stale(s->v[k + 1]))
            v = s->v[k] +
                (s->v[k + 1] - s->v[k]) * (double)(ref - s->t[k]) / (double)(s->t[k + 1] - s->t[k]);
        promql_vector_push(&out->vec, labels_dup(s->labels), s->t[k], v);
    }
    return ev_account(ev, out->vec.n);
}

static int eval_matrix_selector(struct ev *ev, const struct promql_expr *x, int64_t t,
                                struct ev_range *out)
{
    const struct promql_expr *vsx = x->u.ms.vs;
    const struct promql_vector_selector *vs = &vsx->u.vs;
    int rc;
    int64_t ref, range, lo_t, hi_t;
    size_t total = 0, used = 0;
    long *from, *to;
    struct promql_series_set *set = cache_get(ev, vsx, &rc);
    if (rc != 0)
        return rc;
    if ((rc = ev_mods_ref(ev, &vs->mods, t, &ref)) != 0)
        return rc;
    if ((rc = dyn_duration(ev, x->u.ms.range_expr, x->u.ms.range_dynamic, x->u.ms.range_ms,
                           &range)) != 0)
        return rc;
    out->range_ms = range;
    out->ref = ref;
    out->anchored = vs->anchored;
    out->smoothed = vs->smoothed;
    lo_t = sat_sub(ref, range);
    hi_t = ref;
    if (vs->anchored || vs->smoothed)
        lo_t = sat_sub(lo_t, ev->o->lookback_ms);
    if (vs->smoothed)
        hi_t = sat_add(hi_t, ev->o->lookback_ms);
    from = xcalloc(set->n + 1, sizeof(*from));
    to = xcalloc(set->n + 1, sizeof(*to));
    for (size_t i = 0; i < set->n; i++) {
        const struct promql_series_data *s = &set->s[i];
        from[i] = last_le(s->t, s->n, lo_t) + 1;
        to[i] = last_le(s->t, s->n, hi_t) + 1;
        if (to[i] > from[i])
            total += (size_t)(to[i] - from[i]);
    }
    if ((rc = ev_account(ev, total)) != 0)
        goto out;
    /* One block holds every window; labels are borrowed from the selection (see ev_range). */
    out->block = xcalloc(total + 1, sizeof(*out->block));
    out->borrowed = true;
    for (size_t i = 0; i < set->n && out->st_block == NULL; i++)
        if (set->s[i].st != NULL && to[i] > from[i])
            out->st_block = xcalloc(total + 1, sizeof(*out->st_block));
    for (size_t i = 0; i < set->n; i++) {
        const struct promql_series_data *s = &set->s[i];
        struct promql_series *ser = NULL;
        for (long k = from[i]; k < to[i]; k++) {
            if (promql_is_stale(s->v[k]))
                continue;
            if (ser == NULL) {
                ser = promql_matrix_push(&out->m, s->labels);
                ser->p = out->block + used;
            }
            ser->p[ser->n].t = s->t[k];
            ser->p[ser->n].v = s->v[k];
            if (out->st_block != NULL && s->st != NULL)
                out->st_block[used] = s->st[k];
            ser->n++;
            used++;
        }
        if (ser != NULL)
            ser->cap = ser->n;
    }
out:
    xfree(from);
    xfree(to);
    return rc;
}

void ev_range_fini(struct ev_range *r)
{
    for (size_t i = 0; i < r->m.n; i++) {
        if (r->borrowed)
            r->m.s[i].labels = NULL;
        if (r->block != NULL)
            r->m.s[i].p = NULL;
    }
    xfree(r->block);
    r->block = NULL;
    xfree(r->st_block);
    r->st_block = NULL;
    r->borrowed = false;
    promql_matrix_fini(&r->m);
}

/* Turns a borrowed range into one that owns its labels and points. */
static void range_own(struct ev_range *r)
{
    for (size_t i = 0; i < r->m.n; i++) {
        struct promql_series *s = &r->m.s[i];
        if (r->borrowed)
            s->labels = labels_dup(s->labels);
        if (r->block != NULL) {
            s->p = xmemdup(s->p, (s->n + 1) * sizeof(*s->p));
            s->cap = s->n + 1;
        }
    }
    xfree(r->block);
    r->block = NULL;
    xfree(r->st_block); /* start timestamps only reach range functions, not matrix results */
    r->st_block = NULL;
    r->borrowed = false;
}

/* Appends the vector (or scalar) v at time ts to matrix m, finding series by labels. */
struct series_index {
    size_t *tab;
    size_t cap;
};

static struct promql_series *series_find_or_add(struct promql_matrix *m, struct series_index *ix,
                                                const struct labels *ls, bool drop_name,
                                                bool borrow)
{
    size_t h;
    if (ix->cap < (m->n + 1) * 2) {
        size_t ncap = ix->cap ? ix->cap * 2 : 64;
        while (ncap < (m->n + 1) * 2)
            ncap *= 2;
        xfree(ix->tab);
        ix->tab = xcalloc(ncap, sizeof(*ix->tab));
        ix->cap = ncap;
        for (size_t i = 0; i < m->n; i++) {
            size_t g = (size_t)labels_hash(m->s[i].labels) & (ncap - 1);
            while (ix->tab[g] != 0)
                g = (g + 1) & (ncap - 1);
            ix->tab[g] = i + 1;
        }
    }
    h = (size_t)labels_hash(ls) & (ix->cap - 1);
    while (ix->tab[h] != 0) {
        struct promql_series *s = &m->s[ix->tab[h] - 1];
        if (labels_equal(s->labels, ls))
            return s;
        h = (h + 1) & (ix->cap - 1);
    }
    ix->tab[h] = m->n + 1;
    {
        struct promql_series *s =
            promql_matrix_push(m, borrow ? (struct labels *)ls : labels_dup(ls));
        s->drop_name = drop_name;
        return s;
    }
}

static struct ev_memo *memo_get(struct ev *ev, const struct promql_expr *node)
{
    struct ev_memo *m;
    for (size_t i = 0; i < ev->nmemo; i++)
        if (ev->memo[i].node == node)
            return &ev->memo[i];
    if (ev->nmemo == ev->capmemo) {
        ev->capmemo = ev->capmemo ? ev->capmemo * 2 : 4;
        ev->memo = xreallocarray(ev->memo, ev->capmemo, sizeof(*ev->memo));
    }
    m = &ev->memo[ev->nmemo++];
    memset(m, 0, sizeof(*m));
    m->node = node;
    return m;
}

static int eval_subquery(struct ev *ev, const struct promql_expr *x, int64_t t,
                         struct ev_range *out)
{
    const struct promql_subquery *sq = &x->u.sq;
    int rc = 0;
    int64_t ref, range, step, start;
    struct series_index ix = {NULL, 0};
    struct ev_memo *memo;
    size_t drop = 0, pos = 0, nsteps;
    /* Vector results: the matrix borrows labels from the memo, which keeps them until this node
     * is evaluated again (after the caller has consumed the matrix). */
    bool borrow = promql_expr_type(sq->expr) == PROMQL_TYPE_VECTOR;
    if ((rc = ev_mods_ref(ev, &sq->mods, t, &ref)) != 0)
        return rc;
    if ((rc = dyn_duration(ev, sq->range_expr, sq->range_dynamic, sq->range_ms, &range)) != 0)
        return rc;
    if ((rc = dyn_duration(ev, sq->step_expr, sq->step_dynamic, sq->step_ms, &step)) != 0)
        return rc;
    if (step <= 0)
        step = ev->o->default_step_ms;
    if (step <= 0)
        return ev_fail(ev, ERR_INVALID, "subquery step must be positive");
    out->range_ms = range;
    out->ref = ref;
    start = step * (sat_sub(ref, range) / step);
    if (start <= sat_sub(ref, range) && start <= INT64_MAX - step)
        start += step;
    nsteps = start <= ref ? (size_t)(((uint64_t)ref - (uint64_t)start) / (uint64_t)step) + 1 : 1;
    if (nsteps > 4096)
        nsteps = 4096;
    memo = memo_get(ev, x);
    /* Inner results before this window are no longer needed. */
    while (drop < memo->n && memo->e[drop].ts < start)
        promql_value_fini(&memo->e[drop++].v);
    if (drop > 0) {
        memmove(memo->e, memo->e + drop, (memo->n - drop) * sizeof(*memo->e));
        memo->n -= drop;
    }
    for (int64_t ts = start; ts <= ref; ts += step) {
        struct promql_value *v;
        while (pos < memo->n && memo->e[pos].ts < ts)
            pos++;
        if (pos < memo->n && memo->e[pos].ts == ts) {
            v = &memo->e[pos].v;
        } else {
            struct promql_value nv;
            size_t held = ev->samples;
            promql_value_init(&nv);
            rc = ev_eval(ev, sq->expr, ts, &nv);
            /* The inner step's working set is released; only the points kept stay counted. */
            ev->samples = held;
            if (rc == 0)
                rc = ev_account(ev, nv.type == PROMQL_VAL_VECTOR ? nv.vec.n : 1);
            if (rc != 0) {
                promql_value_fini(&nv);
                break;
            }
            if (memo->n == memo->cap) {
                memo->cap = memo->cap ? memo->cap * 2 : 16;
                memo->e = xreallocarray(memo->e, memo->cap, sizeof(*memo->e));
            }
            memmove(memo->e + pos + 1, memo->e + pos, (memo->n - pos) * sizeof(*memo->e));
            memo->e[pos].ts = ts;
            promql_value_move(&memo->e[pos].v, &nv);
            memo->n++;
            v = &memo->e[pos].v;
        }
        pos++;
        if (v->type == PROMQL_VAL_SCALAR) {
            struct labels *empty = labels_empty();
            struct promql_series *s = series_find_or_add(&out->m, &ix, empty, false, false);
            labels_free(empty);
            promql_series_push_point(s, ts, v->f);
        } else if (v->type == PROMQL_VAL_VECTOR) {
            for (size_t i = 0; i < v->vec.n; i++) {
                struct promql_series *s = series_find_or_add(&out->m, &ix, v->vec.s[i].labels,
                                                             v->vec.s[i].drop_name, borrow);
                if (s->cap == 0) {
                    s->cap = nsteps;
                    s->p = xcalloc(nsteps, sizeof(*s->p));
                }
                promql_series_push_point(s, ts, v->vec.s[i].v);
            }
        }
        if (ts > INT64_MAX - step)
            break;
    }
    out->borrowed = borrow;
    xfree(ix.tab);
    return rc;
}

int ev_eval_range(struct ev *ev, const struct promql_expr *x, int64_t t, struct ev_range *out)
{
    x = promql_expr_unparen(x);
    memset(out, 0, sizeof(*out));
    promql_matrix_init(&out->m);
    if (x->kind == PROMQL_EXPR_MATRIX_SELECTOR)
        return eval_matrix_selector(ev, x, t, out);
    if (x->kind == PROMQL_EXPR_SUBQUERY)
        return eval_subquery(ev, x, t, out);
    return ev_fail(ev, ERR_INVALID, "expected a range vector");
}

static int eval_unary(struct ev *ev, const struct promql_expr *x, int64_t t,
                      struct promql_value *out)
{
    int rc = ev_eval(ev, x->u.unary.expr, t, out);
    if (rc != 0 || x->u.unary.op != PROMQL_OP_SUB)
        return rc;
    if (out->type == PROMQL_VAL_SCALAR) {
        out->f = -out->f;
    } else if (out->type == PROMQL_VAL_VECTOR) {
        for (size_t i = 0; i < out->vec.n; i++) {
            out->vec.s[i].v = -out->vec.s[i].v;
            out->vec.s[i].drop_name = true;
            out->vec.s[i].t = t;
        }
    }
    return 0;
}

int ev_eval(struct ev *ev, const struct promql_expr *x, int64_t t, struct promql_value *out)
{
    promql_value_init(out);
    switch (x->kind) {
    case PROMQL_EXPR_NUMBER:
        out->type = PROMQL_VAL_SCALAR;
        out->f = x->u.number.value;
        out->t = t;
        return 0;
    case PROMQL_EXPR_STRING:
        out->type = PROMQL_VAL_STRING;
        out->str = xstrndup(x->u.string.value, x->u.string.len);
        out->t = t;
        return 0;
    case PROMQL_EXPR_PAREN:
        return ev_eval(ev, x->u.paren, t, out);
    case PROMQL_EXPR_VECTOR_SELECTOR:
        return eval_vector_selector(ev, x, t, out);
    case PROMQL_EXPR_MATRIX_SELECTOR:
    case PROMQL_EXPR_SUBQUERY: {
        struct ev_range r;
        int rc = ev_eval_range(ev, x, t, &r);
        if (rc != 0) {
            ev_range_fini(&r);
            return rc;
        }
        range_own(&r);
        out->type = PROMQL_VAL_MATRIX;
        out->mat = r.m;
        return 0;
    }
    case PROMQL_EXPR_UNARY:
        return eval_unary(ev, x, t, out);
    case PROMQL_EXPR_BINARY:
        return ev_binary(ev, x, t, out);
    case PROMQL_EXPR_AGGREGATE:
        return ev_aggregate(ev, x, t, out);
    case PROMQL_EXPR_CALL:
        return ev_call(ev, x, t, out);
    }
    return ev_fail(ev, ERR_INTERNAL, "unknown expression kind %d", (int)x->kind);
}

/* ---- query entry points ---- */

static void ev_init(struct ev *ev, struct promql_engine *eng, const struct promql_storage *st,
                    const char *query, struct promql_result *res, struct err *e)
{
    memset(ev, 0, sizeof(*ev));
    ev->o = &eng->o;
    ev->st = st;
    ev->query = query;
    ev->e = e;
    ev->notes = &res->notes;
    if (eng->o.timeout_ms > 0)
        ev->deadline = time_mono_ms() + eng->o.timeout_ms;
}

static void ev_fini(struct ev *ev)
{
    for (size_t i = 0; i < ev->ncache; i++)
        promql_series_set_fini(&ev->cache[i].set);
    xfree(ev->cache);
    for (size_t i = 0; i < ev->nmemo; i++) {
        for (size_t j = 0; j < ev->memo[i].n; j++)
            promql_value_fini(&ev->memo[i].e[j].v);
        xfree(ev->memo[i].e);
    }
    xfree(ev->memo);
    xfree(ev->noted_name);
}

/* Drops flagged names of a final vector and rejects duplicate label sets. */
static int finish_vector(struct ev *ev, struct promql_vector *v)
{
    ev_vector_apply_drop(v);
    return ev_vector_check_dups(ev, v);
}

static int finish_matrix(struct ev *ev, struct promql_matrix *m)
{
    for (size_t i = 0; i < m->n; i++) {
        if (m->s[i].drop_name) {
            struct labels *l = ev_drop_name(m->s[i].labels);
            labels_free(m->s[i].labels);
            m->s[i].labels = l;
            m->s[i].drop_name = false;
        }
    }
    promql_matrix_sort_labels(m);
    /* Series that became equal when their names were dropped merge when their points do not
     * collide (as Prometheus's mergeSeriesWithSameLabelset does). */
    for (size_t i = 1; i < m->n;) {
        struct promql_series *a = &m->s[i - 1], *b = &m->s[i];
        struct promql_point *merged;
        size_t x = 0, y = 0, k = 0;
        if (!labels_equal(a->labels, b->labels)) {
            i++;
            continue;
        }
        merged = xcalloc(a->n + b->n + 1, sizeof(*merged));
        while (x < a->n || y < b->n) {
            if (x < a->n && y < b->n && a->p[x].t == b->p[y].t) {
                xfree(merged);
                return ev_fail(ev, ERR_INVALID,
                               "vector cannot contain metrics with the same labelset");
            }
            if (y >= b->n || (x < a->n && a->p[x].t < b->p[y].t))
                merged[k++] = a->p[x++];
            else
                merged[k++] = b->p[y++];
        }
        xfree(a->p);
        a->p = merged;
        a->n = a->cap = k;
        labels_free(b->labels);
        xfree(b->p);
        memmove(b, b + 1, (m->n - i - 1) * sizeof(*b));
        m->n--;
    }
    return 0;
}

int promql_query_instant_expr(struct promql_engine *eng, const struct promql_storage *st,
                              const struct promql_expr *expr, const char *query_text, int64_t t,
                              struct promql_result *res, struct err *e)
{
    struct ev ev;
    int rc;
    promql_result_init(res);
    ev_init(&ev, eng, st, query_text, res, e);
    ev.start = ev.end = t;
    ev.interval = 0;
    ev_plan(&ev, expr, t, t);
    rc = ev_eval(&ev, expr, t, &res->value);
    if (rc == 0 && res->value.type == PROMQL_VAL_VECTOR) {
        for (size_t i = 0; i < res->value.vec.n; i++)
            res->value.vec.s[i].t = t;
        rc = finish_vector(&ev, &res->value.vec);
    } else if (rc == 0 && res->value.type == PROMQL_VAL_MATRIX) {
        rc = finish_matrix(&ev, &res->value.mat);
    }
    ev_fini(&ev);
    if (rc != 0)
        promql_result_fini(res);
    return rc;
}

int promql_query_range_expr(struct promql_engine *eng, const struct promql_storage *st,
                            const struct promql_expr *expr, const char *query_text, int64_t start,
                            int64_t end, int64_t step, struct promql_result *res, struct err *e)
{
    struct ev ev;
    int rc = 0;
    struct series_index ix = {NULL, 0};
    size_t *hint = NULL, nhint = 0;
    struct promql_matrix *m = &res->value.mat;
    promql_result_init(res);
    if (step <= 0)
        return err_set(e, ERR_INVALID,
                       "zero or negative query resolution step widths are not "
                       "accepted. Try a positive integer");
    if (end < start)
        return err_set(e, ERR_INVALID, "end timestamp must not be before start time");
    {
        enum promql_value_type ty = promql_expr_type(expr);
        if (ty != PROMQL_TYPE_SCALAR && ty != PROMQL_TYPE_VECTOR)
            return err_set(e, ERR_INVALID,
                           "invalid expression type \"%s\" for range query, must be Scalar or "
                           "instant Vector",
                           promql_value_type_str(ty));
    }
    ev_init(&ev, eng, st, query_text, res, e);
    ev.start = start;
    ev.end = end;
    ev.interval = step;
    ev.range_query = true;
    ev_plan(&ev, expr, start, end);
    res->value.type = PROMQL_VAL_MATRIX;
    for (int64_t t = start; t <= end; t += step) {
        struct promql_value v;
        ev.samples = 0;
        rc = ev_eval(&ev, expr, t, &v);
        if (rc != 0) {
            promql_value_fini(&v);
            break;
        }
        if (v.type == PROMQL_VAL_SCALAR) {
            struct labels *empty = labels_empty();
            struct promql_series *s = series_find_or_add(m, &ix, empty, false, false);
            labels_free(empty);
            promql_series_push_point(s, t, v.f);
            ev.base_samples++;
        } else if (v.type == PROMQL_VAL_VECTOR) {
            if (v.vec.n > nhint) {
                hint = xreallocarray(hint, v.vec.n, sizeof(*hint));
                for (size_t i = nhint; i < v.vec.n; i++)
                    hint[i] = SIZE_MAX;
                nhint = v.vec.n;
            }
            for (size_t i = 0; i < v.vec.n; i++) {
                struct promql_series *s = NULL;
                /* Steps usually return the same series in the same order: try the series this
                 * position mapped to last step before hashing. */
                if (hint[i] < m->n && labels_equal(m->s[hint[i]].labels, v.vec.s[i].labels))
                    s = &m->s[hint[i]];
                else
                    s = series_find_or_add(m, &ix, v.vec.s[i].labels, v.vec.s[i].drop_name, false);
                hint[i] = (size_t)(s - m->s);
                if (v.vec.s[i].drop_name)
                    s->drop_name = true;
                if (s->n > 0 && s->p[s->n - 1].t == t) {
                    rc = ev_fail(&ev, ERR_INVALID,
                                 "vector cannot contain metrics with the same labelset");
                    break;
                }
                promql_series_push_point(s, t, v.vec.s[i].v);
            }
            ev.base_samples += v.vec.n;
        }
        promql_value_fini(&v);
        if (rc != 0)
            break;
        if (ev.o->max_samples != 0 && ev.base_samples > ev.o->max_samples) {
            rc = ev_fail(&ev, ERR_LIMIT,
                         "query processing would load too many samples into memory in query "
                         "execution");
            break;
        }
        if (t > INT64_MAX - step)
            break;
    }
    xfree(ix.tab);
    xfree(hint);
    if (rc == 0)
        rc = finish_matrix(&ev, m);
    ev_fini(&ev);
    if (rc != 0)
        promql_result_fini(res);
    return rc;
}

static int parse_query(struct promql_engine *eng, const char *query, struct promql_expr_tree **tree,
                       struct err *e)
{
    int rc = promql_parse(query, strlen(query), eng->o.parse_flags, tree, e);
    if (rc != 0 && e != NULL) {
        char buf[sizeof(e->msg)];
        promql_parse_error_string(e, buf, sizeof(buf));
        snprintf(e->msg, sizeof(e->msg), "%s", buf);
    }
    return rc;
}

int promql_query_instant(struct promql_engine *eng, const struct promql_storage *st,
                         const char *query, int64_t t, struct promql_result *res, struct err *e)
{
    struct promql_expr_tree *tree = NULL;
    int rc;
    promql_result_init(res);
    if ((rc = parse_query(eng, query, &tree, e)) != 0)
        return rc;
    rc = promql_query_instant_expr(eng, st, tree->root, query, t, res, e);
    promql_expr_tree_free(tree);
    return rc;
}

int promql_query_range(struct promql_engine *eng, const struct promql_storage *st,
                       const char *query, int64_t start, int64_t end, int64_t step,
                       struct promql_result *res, struct err *e)
{
    struct promql_expr_tree *tree = NULL;
    int rc;
    promql_result_init(res);
    if ((rc = parse_query(eng, query, &tree, e)) != 0)
        return rc;
    rc = promql_query_range_expr(eng, st, tree->root, query, start, end, step, res, e);
    promql_expr_tree_free(tree);
    return rc;
}
