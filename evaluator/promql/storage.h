/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The storage interface the PromQL engine reads from. The in-memory window (evaluator/tsdb), the
 * test storage of the conformance runner and a remote PromQL data source all implement it.
 */
#ifndef TOCSIN_EVALUATOR_PROMQL_STORAGE_H
#define TOCSIN_EVALUATOR_PROMQL_STORAGE_H

#include <stddef.h>
#include <stdint.h>

struct err;
struct labels;
struct matcher;

/* Bit pattern of Prometheus's staleness marker (a NaN that is not the ordinary NaN). */
#define PROMQL_STALE_NAN_BITS 0x7ff0000000000002ULL

/* One series as returned by a select: its labels and its float samples in time order. */
struct promql_series_data {
    struct labels *labels; /* owned by the set */
    int64_t *t;            /* owned; milliseconds, strictly ascending */
    double *v;             /* owned; staleness markers keep PROMQL_STALE_NAN_BITS */
    int64_t *st; /* owned, may be NULL (= unknown for all): per-sample start timestamps in ms,
                  * 0 = unknown for that sample (OTel-style created/start time) */
    size_t n;
    /* room for native histograms later: a parallel array of histogram pointers */
};

struct promql_series_set {
    struct promql_series_data *s;
    size_t n, cap;
};

void promql_series_set_init(struct promql_series_set *set);
/* Appends a series without start timestamps; takes ownership of labels, t and v (heap,
 * xmalloc'd). */
void promql_series_set_add(struct promql_series_set *set, struct labels *labels, int64_t *t,
                           double *v, size_t n);
/* Like promql_series_set_add, also taking ownership of st (n start timestamps, 0 = unknown), which
 * may be NULL when no sample has a known start timestamp. */
void promql_series_set_add_st(struct promql_series_set *set, struct labels *labels, int64_t *t,
                              double *v, int64_t *st, size_t n);
/* Frees every series and its arrays. */
void promql_series_set_fini(struct promql_series_set *set);

/*
 * A storage handle. select appends to out every series that matches all matchers and has at least
 * one sample with mint <= t <= maxt (only those samples are returned; the engine applies the
 * left-open window itself). The data is copied, so the storage may change while the engine reads
 * it. Safe to call from several threads at once when the implementation says so (tsdb does).
 * Returns 0, or a negative ERR_* with detail in e.
 */
struct promql_storage {
    void *ctx;
    int (*select)(void *ctx, const struct matcher *const *ms, size_t nms, int64_t mint,
                  int64_t maxt, struct promql_series_set *out, struct err *e);
};

/* Returns true when v is the staleness marker. */
int promql_is_stale(double v);

#endif
