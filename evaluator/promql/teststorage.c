/* SPDX-License-Identifier: Apache-2.0 */
/* In-memory series storage implementing evaluator/promql/storage.h for tests and the runner. */
#include "evaluator/promql/teststorage.h"

#include <stdbool.h>
#include <string.h>

#include "common/err.h"
#include "common/labels.h"
#include "common/matcher.h"
#include "common/xalloc.h"

struct ts_series {
    struct labels *labels;
    int64_t *t;
    double *v;
    int64_t *st; /* start timestamps, parallel to t (0 = unknown) */
    bool has_st; /* some sample has a known start timestamp */
    size_t n, cap;
};

struct promql_teststorage {
    struct ts_series *s;
    size_t n, cap;
    size_t *idx; /* open-addressing hash of series positions + 1 (0 = empty) */
    size_t idxcap;
};

struct promql_teststorage *promql_teststorage_new(void)
{
    return xcalloc(1, sizeof(struct promql_teststorage));
}

void promql_teststorage_clear(struct promql_teststorage *ts)
{
    for (size_t i = 0; i < ts->n; i++) {
        labels_free(ts->s[i].labels);
        xfree(ts->s[i].t);
        xfree(ts->s[i].v);
        xfree(ts->s[i].st);
    }
    ts->n = 0;
    if (ts->idx != NULL)
        memset(ts->idx, 0, ts->idxcap * sizeof(*ts->idx));
}

void promql_teststorage_free(struct promql_teststorage *ts)
{
    if (ts == NULL)
        return;
    promql_teststorage_clear(ts);
    xfree(ts->s);
    xfree(ts->idx);
    xfree(ts);
}

static void index_insert(struct promql_teststorage *ts, size_t pos)
{
    size_t h = (size_t)labels_hash(ts->s[pos].labels) & (ts->idxcap - 1);
    while (ts->idx[h] != 0)
        h = (h + 1) & (ts->idxcap - 1);
    ts->idx[h] = pos + 1;
}

static void index_grow(struct promql_teststorage *ts)
{
    xfree(ts->idx);
    ts->idxcap = ts->idxcap ? ts->idxcap * 2 : 64;
    ts->idx = xcalloc(ts->idxcap, sizeof(*ts->idx));
    for (size_t i = 0; i < ts->n; i++)
        index_insert(ts, i);
}

static struct ts_series *find_series(struct promql_teststorage *ts, const struct labels *ls)
{
    size_t h;
    if (ts->idxcap == 0)
        return NULL;
    h = (size_t)labels_hash(ls) & (ts->idxcap - 1);
    while (ts->idx[h] != 0) {
        struct ts_series *s = &ts->s[ts->idx[h] - 1];
        if (labels_equal(s->labels, ls))
            return s;
        h = (h + 1) & (ts->idxcap - 1);
    }
    return NULL;
}

void promql_teststorage_add(struct promql_teststorage *ts, const struct labels *ls, int64_t t,
                            double v)
{
    promql_teststorage_add_st(ts, ls, t, v, 0);
}

void promql_teststorage_add_st(struct promql_teststorage *ts, const struct labels *ls, int64_t t,
                               double v, int64_t st)
{
    struct ts_series *s = find_series(ts, ls);
    size_t pos;
    if (s == NULL) {
        if (ts->n == ts->cap) {
            ts->cap = ts->cap ? ts->cap * 2 : 16;
            ts->s = xreallocarray(ts->s, ts->cap, sizeof(*ts->s));
        }
        s = &ts->s[ts->n++];
        memset(s, 0, sizeof(*s));
        s->labels = labels_dup(ls);
        if (ts->n * 2 > ts->idxcap)
            index_grow(ts);
        else
            index_insert(ts, ts->n - 1);
    }
    /* Samples usually arrive in order: find the insertion point from the end. */
    pos = s->n;
    while (pos > 0 && s->t[pos - 1] > t)
        pos--;
    if (st != 0)
        s->has_st = true;
    if (pos > 0 && s->t[pos - 1] == t) {
        s->v[pos - 1] = v;
        s->st[pos - 1] = st;
        return;
    }
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 16;
        s->t = xreallocarray(s->t, s->cap, sizeof(*s->t));
        s->v = xreallocarray(s->v, s->cap, sizeof(*s->v));
        s->st = xreallocarray(s->st, s->cap, sizeof(*s->st));
    }
    memmove(s->t + pos + 1, s->t + pos, (s->n - pos) * sizeof(*s->t));
    memmove(s->v + pos + 1, s->v + pos, (s->n - pos) * sizeof(*s->v));
    memmove(s->st + pos + 1, s->st + pos, (s->n - pos) * sizeof(*s->st));
    s->t[pos] = t;
    s->v[pos] = v;
    s->st[pos] = st;
    s->n++;
}

void promql_teststorage_drop_series(struct promql_teststorage *ts, const struct labels *ls)
{
    struct ts_series *s = find_series(ts, ls);
    if (s != NULL) {
        s->n = 0;
        s->has_st = false;
    }
}

size_t promql_teststorage_series(const struct promql_teststorage *ts)
{
    return ts->n;
}

static int ts_select(void *ctx, const struct matcher *const *ms, size_t nms, int64_t mint,
                     int64_t maxt, struct promql_series_set *out, struct err *e)
{
    struct promql_teststorage *ts = ctx;
    (void)e;
    for (size_t i = 0; i < ts->n; i++) {
        struct ts_series *s = &ts->s[i];
        size_t lo = 0, hi;
        bool ok = true;
        for (size_t j = 0; j < nms && ok; j++)
            ok = matcher_matches_labels(ms[j], s->labels);
        if (!ok)
            continue;
        while (lo < s->n && s->t[lo] < mint)
            lo++;
        hi = lo;
        while (hi < s->n && s->t[hi] <= maxt)
            hi++;
        if (hi == lo)
            continue;
        promql_series_set_add_st(
            out, labels_dup(s->labels), xmemdup(s->t + lo, (hi - lo) * sizeof(*s->t)),
            xmemdup(s->v + lo, (hi - lo) * sizeof(*s->v)),
            s->has_st ? xmemdup(s->st + lo, (hi - lo) * sizeof(*s->st)) : NULL, hi - lo);
    }
    return 0;
}

void promql_teststorage_interface(struct promql_teststorage *ts, struct promql_storage *st)
{
    st->ctx = ts;
    st->select = ts_select;
}
