/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Internals shared by the engine's files (engine.c, binop.c, aggregate.c, functions*.c).
 *
 * Design: every node is evaluated at one time t (ev_eval); a range query runs the root once per
 * step and collects the vectors into series. Before running, ev_plan records the sample window
 * each selector needs over the whole query, and each selector's series are fetched from storage
 * once (ev_cache) and then windowed by binary search. Subquery inner results are memoized by
 * (node, inner step) because inner steps are aligned to the epoch and shared by outer steps.
 * Range-vector arguments borrow labels (and share one point block) until ev_range_fini.
 * __name__ is only flagged for removal (drop_name) and dropped when the query ends, as 3.x
 * does with delayed name removal.
 */
#ifndef TOCSIN_EVALUATOR_PROMQL_ENGINE_INT_H
#define TOCSIN_EVALUATOR_PROMQL_ENGINE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "evaluator/promql/ast.h"
#include "evaluator/promql/engine.h"
#include "evaluator/promql/storage.h"
#include "evaluator/promql/value.h"

struct err;
struct labels;

/* Series selected for one selector node, kept for the whole query. */
struct ev_cache {
    const struct promql_expr *node;
    struct promql_series_set set;
    int64_t mint, maxt; /* data the query needs from this selector (planned before running) */
    bool selected;
};

/* Inner results of one subquery node by evaluation time, reused by the next outer steps (the
 * inner steps are aligned to the epoch, so consecutive windows overlap). Sorted by ts. */
struct ev_memo_entry {
    int64_t ts;
    struct promql_value v;
};

struct ev_memo {
    const struct promql_expr *node;
    struct ev_memo_entry *e;
    size_t n, cap;
};

/* The state of one query evaluation. */
struct ev {
    const struct promql_engine_opts *o;
    const struct promql_storage *st;
    int64_t start, end, interval; /* query parameters (@ start(), end(), step()) */
    bool range_query;
    const char *query; /* may be NULL */
    struct err *e;
    struct promql_annotations *notes;
    struct ev_cache *cache;
    size_t ncache, capcache;
    struct ev_memo *memo;
    size_t nmemo, capmemo;
    char *noted_name; /* last metric name given the "might not be a counter" info */
    const struct promql_expr *noted_node; /* ... and the argument it was given for */
    int64_t deadline;                     /* time_mono_ms() limit, 0 = none */
    size_t samples;                       /* samples held in the current step */
    size_t base_samples;                  /* samples already held by the range result */
    unsigned ticks;
};

/* A range-vector argument evaluated at one time: the series and the window they came from. */
struct ev_range {
    struct promql_matrix m;
    /* borrowed: series labels point into the selector cache or the subquery memo; block, when
     * set, holds every series' points. Release with ev_range_fini, never promql_matrix_fini. */
    bool borrowed;
    struct promql_point *block;
    /* start timestamps parallel to block (0 = unknown), or NULL when no selected series has any;
     * only matrix selectors set it: subqueries cut start-timestamp propagation */
    int64_t *st_block;
    int64_t range_ms; /* window length */
    int64_t ref;      /* window end (evaluation time after @ and offset) */
    bool anchored, smoothed;
};

/* Records, for every selector under x evaluated at times in [tmin, tmax], the sample time range
 * it needs, so storage is asked only for that window. */
void ev_plan(struct ev *ev, const struct promql_expr *x, int64_t tmin, int64_t tmax);
/* Evaluates x at time t into out (initialised by the callee). */
int ev_eval(struct ev *ev, const struct promql_expr *x, int64_t t, struct promql_value *out);
/* Evaluates a matrix selector or subquery x at t. */
int ev_eval_range(struct ev *ev, const struct promql_expr *x, int64_t t, struct ev_range *out);
/* The (exclusive) start of a range's window, ref - range, saturated to int64. */
static inline int64_t ev_range_start(const struct ev_range *r)
{
    if (r->range_ms > 0 && r->ref < INT64_MIN + r->range_ms)
        return INT64_MIN;
    return r->ref - r->range_ms;
}
/* The start timestamps of series s of range r (parallel to s->p, 0 = unknown), or NULL. */
static inline const int64_t *ev_range_st(const struct ev_range *r, const struct promql_series *s)
{
    if (r->st_block == NULL || r->block == NULL || s->n == 0)
        return NULL;
    return r->st_block + (s->p - r->block);
}
/* Releases a range from ev_eval_range (borrowed or owned). */
void ev_range_fini(struct ev_range *r);
int ev_binary(struct ev *ev, const struct promql_expr *x, int64_t t, struct promql_value *out);
int ev_aggregate(struct ev *ev, const struct promql_expr *x, int64_t t, struct promql_value *out);
int ev_call(struct ev *ev, const struct promql_expr *x, int64_t t, struct promql_value *out);

/* The reference time of a selector or subquery evaluated at t: @ (if any) minus offset. */
int ev_mods_ref(struct ev *ev, const struct promql_time_mods *m, int64_t t, int64_t *ref);
/* Records an error message in ev->e and returns code. */
int ev_fail(struct ev *ev, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Adds an annotation "PromQL warning|info: <msg> (line:col)" positioned at node pos. */
void ev_note(struct ev *ev, bool info, const struct promql_expr *pos, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Accounts n more samples; fails with ERR_LIMIT past max_samples, ERR_TIMEOUT past the deadline. */
int ev_account(struct ev *ev, size_t n);

/* Copy of ls without __name__, __type__ and __unit__. Caller frees. */
struct labels *ev_drop_name(const struct labels *ls);
/* Drops the name of every sample flagged drop_name. */
void ev_vector_apply_drop(struct promql_vector *v);
/* ERR_INVALID "vector cannot contain metrics with the same labelset" on duplicates. */
int ev_vector_check_dups(struct ev *ev, struct promql_vector *v);
/* Converts a scalar or vector value in place to a vector (scalar: one sample, no labels). */
double ev_scalar_of(const struct promql_value *v);

/* Stable merge sort of n elements of size sz with a comparison that takes a context (no globals,
 * so queries may run on several threads). */
void ev_sort(void *base, size_t n, size_t sz, int (*cmp)(const void *, const void *, void *),
             void *ctx);
/* Kahan-compensated addition: returns new sum, updates *c. */
double kahan_inc(double inc, double sum, double *c);
/* Prometheus's quantile over values (sorted in place), phi outside [0,1] gives -Inf/+Inf. */
double ev_quantile(double q, double *vals, size_t n);

#endif
