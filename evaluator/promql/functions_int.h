/* SPDX-License-Identifier: Apache-2.0 */
/* Internals shared by the function files of the engine. */
#ifndef TOCSIN_EVALUATOR_PROMQL_FUNCTIONS_INT_H
#define TOCSIN_EVALUATOR_PROMQL_FUNCTIONS_INT_H

#include <stdint.h>

#include "evaluator/promql/fmtfloat.h"

struct ev;
struct promql_expr;
struct promql_value;

/* Functions whose main argument is a range vector. */
int ev_call_range(struct ev *ev, const struct promql_expr *x, int64_t t, struct promql_value *out);
/* histogram_quantile, histogram_quantiles and histogram_fraction on classic `le` buckets. */
int ev_call_histogram(struct ev *ev, const struct promql_expr *x, int64_t t,
                      struct promql_value *out);

/* info(v [, selector]). */
int ev_call_info(struct ev *ev, const struct promql_expr *x, int64_t t, struct promql_value *out);

#endif
