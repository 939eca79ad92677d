/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The PromQL engine: evaluates instant and range queries with Prometheus 3.x semantics for float
 * samples against any struct promql_storage.
 */
#ifndef TOCSIN_EVALUATOR_PROMQL_ENGINE_H
#define TOCSIN_EVALUATOR_PROMQL_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "evaluator/promql/value.h"

struct err;
struct promql_expr;
struct promql_storage;

struct promql_engine_opts {
    int64_t lookback_ms;       /* instant selectors look back (t - lookback, t]; default 5m */
    int64_t default_step_ms;   /* subquery step when none is given (`[5m:]`); default 1m */
    size_t max_samples;        /* samples a query may hold at once; 0 = no limit; default 50M */
    int64_t timeout_ms;        /* wall-clock limit per query; 0 = none; default 2m */
    bool delayed_name_removal; /* drop __name__ at the end of the query (3.x flag); default on */
    unsigned parse_flags;      /* PROMQL_PARSE_* used for text queries; default all */
};

struct promql_engine;

/* Fills o with the defaults listed above. */
void promql_engine_opts_default(struct promql_engine_opts *o);

/* Creates an engine with a copy of o (NULL = defaults). Caller frees. Thread-safe to use from
 * several threads at once: an engine holds only options. */
struct promql_engine *promql_engine_new(const struct promql_engine_opts *o);
void promql_engine_free(struct promql_engine *eng);
/* The engine's options (borrowed). */
const struct promql_engine_opts *promql_engine_opts(const struct promql_engine *eng);

/*
 * Parses query and evaluates it at t (ms). On success *res holds a scalar, string, vector or
 * matrix (for a range-vector expression) plus annotations; the caller frees it with
 * promql_result_fini. res is initialised here; on failure it is left empty (nothing to free).
 * Errors: ERR_PARSE (bad query text, position in e), ERR_INVALID (evaluation error, message as
 * Prometheus words it), ERR_LIMIT (too many samples), ERR_TIMEOUT, or the storage's error.
 */
int promql_query_instant(struct promql_engine *eng, const struct promql_storage *st,
                         const char *query, int64_t t, struct promql_result *res, struct err *e);

/*
 * Evaluates query at start, start+step, ... <= end. The result is a matrix sorted by labels
 * (scalars become one series without labels). step must be > 0 and end >= start.
 */
int promql_query_range(struct promql_engine *eng, const struct promql_storage *st,
                       const char *query, int64_t start, int64_t end, int64_t step,
                       struct promql_result *res, struct err *e);

/* The same two calls for an already parsed expression (borrowed). query_text is the source the
 * tree was parsed from (for annotation positions); may be NULL. */
int promql_query_instant_expr(struct promql_engine *eng, const struct promql_storage *st,
                              const struct promql_expr *expr, const char *query_text, int64_t t,
                              struct promql_result *res, struct err *e);
int promql_query_range_expr(struct promql_engine *eng, const struct promql_storage *st,
                            const struct promql_expr *expr, const char *query_text, int64_t start,
                            int64_t end, int64_t step, struct promql_result *res, struct err *e);

#endif
