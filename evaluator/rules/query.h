/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Rule queries through the PromQL engine: an instant query on a struct promql_storage turned
 * into a struct rule_vector (scalar -> one sample without labels, string -> error), i.e. a
 * ready-made rule_query_cb for the daemon (tsdb storage) and the unit-test runner.
 */
#ifndef TOCSIN_EVALUATOR_RULES_QUERY_H
#define TOCSIN_EVALUATOR_RULES_QUERY_H

#include <stdint.h>

#include "evaluator/promql/storage.h"
#include "evaluator/rules/group.h"

struct promql_engine;
struct err;

/* ctx for rules_query_engine: both borrowed and must outlive the groups using them. */
struct rules_query_ctx {
    struct promql_engine *engine;
    struct promql_storage storage;
};

/*
 * A rule_query_cb: ctx is a struct rules_query_ctx. Errors are the engine's (ERR_PARSE,
 * ERR_INVALID with Prometheus's message, ERR_LIMIT, ERR_TIMEOUT, storage errors).
 */
int rules_query_engine(void *ctx, const char *expr, int64_t ts_ms, struct rule_vector *out,
                       struct err *e);

/* Creates an engine with defaults except default_step_ms (the subquery step; 0 keeps 1m).
 * Caller frees with rules_engine_free. */
struct promql_engine *rules_engine_new(int64_t default_step_ms);
void rules_engine_free(struct promql_engine *eng);

#endif
