/* SPDX-License-Identifier: Apache-2.0 */
/* Internals shared by the PromQL parser's files: the parser state, error recording and the
 * type checks run after parsing. */
#ifndef TOCSIN_EVALUATOR_PROMQL_PARSER_INT_H
#define TOCSIN_EVALUATOR_PROMQL_PARSER_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "common/arena.h"
#include "evaluator/promql/ast.h"
#include "evaluator/promql/lexer.h"

struct err;

/* Deepest nesting of brackets, unary operators and binary chains the parser accepts. */
#define MAX_DEPTH 500

struct parser {
    struct promql_lexer lx;
    struct promql_token tok; /* current token */
    struct promql_expr_tree *tree;
    struct arena *a;
    unsigned flags;
    struct err *e;
    bool failed;
    int depth;
    const char *dctx; /* context of duration-expression errors ("offset", ...) */
};

/* Records the first error, at byte offset pos, as Prometheus words and places it. Always
 * returns ERR_PARSE. (parser.c) */
int promql_parser_error(struct parser *p, size_t pos, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Prometheus's checkAST over the tree rooted at n: types of operands, function arguments,
 * bool and set-operator rules, selector rules. 0 or ERR_PARSE. (parser_check.c) */
int promql_parser_check(struct parser *p, struct promql_expr *n);

#endif
