/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The Prometheus HTTP query API of the evaluator: /api/v1/query, /api/v1/query_range,
 * /api/v1/series, /api/v1/labels, /api/v1/label/<name>/values, /api/v1/status/buildinfo, in
 * GET and POST (form) forms, answering exactly as Prometheus does. Queries run on the worker
 * pool; replies are sent from the loop thread.
 */
#ifndef TOCSIN_EVALUATOR_API_QUERY_API_H
#define TOCSIN_EVALUATOR_API_QUERY_API_H

#include <stddef.h>
#include <stdint.h>

#include "evaluator/promql/storage.h"

struct err;
struct httpd;
struct labels;
struct matcher;
struct metrics_registry;
struct promql_engine;
struct workq;

/*
 * Label/series lookups the API needs besides PromQL. Each call returns new arrays the caller
 * frees with the matching free function. The matcher sets are ANDed inside a set and ORed
 * between sets (match[] semantics); nsets 0 means "everything".
 */
struct query_api_index {
    void *ctx;
    int (*series)(void *ctx, const struct matcher *const *const *sets, const size_t *set_lens,
                  size_t nsets, int64_t mint, int64_t maxt, size_t limit, struct labels ***out,
                  size_t *n, struct err *e);
    int (*label_names)(void *ctx, const struct matcher *const *const *sets, const size_t *set_lens,
                       size_t nsets, int64_t mint, int64_t maxt, char ***out, size_t *n,
                       struct err *e);
    int (*label_values)(void *ctx, const char *name, const struct matcher *const *const *sets,
                        const size_t *set_lens, size_t nsets, int64_t mint, int64_t maxt,
                        char ***out, size_t *n, struct err *e);
};

struct query_api {
    struct promql_engine *engine;     /* borrowed */
    struct promql_storage storage;    /* copied */
    struct query_api_index index;     /* copied; callbacks may be NULL (endpoint answers 501) */
    struct workq *wq;                 /* borrowed; NULL runs queries on the loop thread */
    struct metrics_registry *metrics; /* borrowed; may be NULL */
    int64_t max_points;               /* per series in a range query; default 11000 */
};

/* Registers the routes on srv. api is borrowed and must outlive srv. Thread: loop. */
int query_api_register(struct httpd *srv, struct query_api *api, struct err *e);

#endif
