/* SPDX-License-Identifier: Apache-2.0 */
/* The PromQL parser: query text to a type-checked syntax tree (evaluator/promql/ast.h). */
#ifndef TOCSIN_EVALUATOR_PROMQL_PARSER_H
#define TOCSIN_EVALUATOR_PROMQL_PARSER_H

#include <stddef.h>

struct err;
struct promql_expr_tree;

/* Feature bits for promql_parse; Prometheus hides these behind --enable-feature flags. */
enum {
    PROMQL_PARSE_EXPERIMENTAL_FUNCTIONS = 1 << 0, /* functions and aggregations marked
                                                     experimental (limitk, sort_by_label...) */
    PROMQL_PARSE_DURATION_EXPR = 1 << 1,          /* `[5m+1m]`, `offset step()` */
    PROMQL_PARSE_EXTENDED_RANGE = 1 << 2,         /* `[5m] anchored`, `[5m] smoothed` */
    PROMQL_PARSE_FILL_MODIFIERS = 1 << 3,         /* `+ fill(0)`, fill_left, fill_right */
    PROMQL_PARSE_ALL = 0xff,                      /* everything (the conformance suite) */
};

/*
 * Parses query[0..len) into a new tree (*out, caller frees with promql_expr_tree_free).
 * flags: PROMQL_PARSE_* bits. On a syntax or type error returns ERR_PARSE with e->line and
 * e->column (1-based, column in bytes, as Prometheus prints them) and e->msg holding the text
 * that follows "parse error: " in Prometheus's message; promql_parse_error_string renders the
 * whole Prometheus form. Thread-safe (no shared state).
 */
int promql_parse(const char *query, size_t len, unsigned flags, struct promql_expr_tree **out,
                 struct err *e);

/*
 * Parses a lone series selector (`up{job="x"}`, `{__name__=~"a.*"}`) as Prometheus's
 * ParseMetricSelector does for the match[] parameters of the HTTP API: no modifiers, no
 * operators. On success (*out)->root is a PROMQL_EXPR_VECTOR_SELECTOR. Errors as promql_parse.
 */
int promql_parse_selector(const char *s, size_t len, struct promql_expr_tree **out, struct err *e);

/*
 * Renders a parse error as Prometheus does: "1:14: parse error: unexpected ...". out is always
 * NUL-terminated. Returns out.
 */
const char *promql_parse_error_string(const struct err *e, char *out, size_t n);

#endif
