/* SPDX-License-Identifier: Apache-2.0 */
/* The PromQL parser's type checks (Prometheus's checkAST) with its messages and positions. */
#include <string.h>

#include "common/err.h"
#include "common/matcher.h"
#include "evaluator/promql/parser_int.h"

#define perr promql_parser_error

/* ---- type checks (Prometheus's checkAST) ---- */

int promql_parser_check(struct parser *p, struct promql_expr *n);

static const char *value_type_name(enum promql_value_type t)
{
    switch (t) {
    case PROMQL_TYPE_SCALAR:
        return "scalar";
    case PROMQL_TYPE_VECTOR:
        return "vector";
    case PROMQL_TYPE_MATRIX:
        return "matrix";
    case PROMQL_TYPE_STRING:
        return "string";
    default:
        return "none";
    }
}

static int expect_type(struct parser *p, struct promql_expr *n, enum promql_value_type want,
                       const char *ctx)
{
    enum promql_value_type t;
    if (promql_parser_check(p, n) != 0)
        return ERR_PARSE;
    t = promql_expr_type(n);
    if (t != want)
        return perr(p, (size_t)n->pos_start, "expected type %s in %s, got %s",
                    promql_value_type_str(want), ctx, promql_value_type_str(t));
    return 0;
}

/* Start of the operator of a binary expression (after the LHS, skipping blanks). */
static size_t op_pos(struct parser *p, const struct promql_expr *n)
{
    size_t i = (size_t)n->u.binary.lhs->pos_end;
    while (i < p->lx.len && (p->lx.in[i] == ' ' || p->lx.in[i] == '\t' || p->lx.in[i] == '\n' ||
                             p->lx.in[i] == '\r'))
        i++;
    return i;
}

static int check_binary(struct parser *p, struct promql_expr *n)
{
    struct promql_binary *b = &n->u.binary;
    struct promql_vector_matching *vm = b->matching;
    enum promql_value_type lt, rt;
    bool cmp = promql_binop_is_comparison(b->op), set = promql_binop_is_set(b->op);
    if (promql_parser_check(p, b->lhs) != 0 || promql_parser_check(p, b->rhs) != 0)
        return ERR_PARSE;
    lt = promql_expr_type(b->lhs);
    rt = promql_expr_type(b->rhs);
    if (b->return_bool && !cmp)
        return perr(p, op_pos(p, n), "bool modifier can only be used on comparison operators");
    if (cmp && !b->return_bool && lt == PROMQL_TYPE_SCALAR && rt == PROMQL_TYPE_SCALAR)
        return perr(p, op_pos(p, n), "comparisons between scalars must use BOOL modifier");
    if (set && vm->card == PROMQL_CARD_ONE_TO_ONE)
        vm->card = PROMQL_CARD_MANY_TO_MANY;
    if (vm->on)
        for (size_t i = 0; i < vm->nlabels; i++)
            for (size_t j = 0; j < vm->ninclude; j++)
                if (strcmp(vm->labels[i], vm->include[j]) == 0)
                    return perr(p, op_pos(p, n),
                                "label \"%s\" must not occur in ON and GROUP clause at once",
                                vm->labels[i]);
    if (lt != PROMQL_TYPE_SCALAR && lt != PROMQL_TYPE_VECTOR)
        return perr(p, (size_t)b->lhs->pos_start,
                    "binary expression must contain only scalar and instant vector types");
    if (rt != PROMQL_TYPE_SCALAR && rt != PROMQL_TYPE_VECTOR)
        return perr(p, (size_t)b->rhs->pos_start,
                    "binary expression must contain only scalar and instant vector types");
    if (lt != PROMQL_TYPE_VECTOR || rt != PROMQL_TYPE_VECTOR) {
        if (vm->nlabels > 0)
            return perr(p, (size_t)n->pos_start,
                        "vector matching only allowed between instant vectors");
        if (vm->fill_left_set || vm->fill_right_set)
            return perr(p, (size_t)n->pos_start,
                        "filling in missing series only allowed between instant vectors");
        b->matching = NULL;
    } else if (set) {
        if (vm->card == PROMQL_CARD_ONE_TO_MANY || vm->card == PROMQL_CARD_MANY_TO_ONE)
            return perr(p, (size_t)n->pos_start, "no grouping allowed for \"%s\" operation",
                        promql_binop_str(b->op));
        if (vm->fill_left_set || vm->fill_right_set)
            return perr(p, (size_t)n->pos_start,
                        "filling in missing series not allowed for set operators");
    }
    if ((lt == PROMQL_TYPE_SCALAR || rt == PROMQL_TYPE_SCALAR) && set)
        return perr(p, (size_t)n->pos_start,
                    "set operator \"%s\" not allowed in binary scalar expression",
                    promql_binop_str(b->op));
    return 0;
}

static int check_call(struct parser *p, struct promql_expr *n)
{
    const struct promql_function *f = n->u.call.func;
    size_t na = n->u.call.nargs, nargs = (size_t)f->nargs;
    if (f->variadic == 0) {
        if (nargs != na)
            return perr(p, (size_t)n->pos_start,
                        "expected %zu argument(s) in call to \"%s\", got %zu", nargs, f->name, na);
    } else {
        size_t min = nargs - 1;
        if (min > na)
            return perr(p, (size_t)n->pos_start,
                        "expected at least %zu argument(s) in call to \"%s\", got %zu", min,
                        f->name, na);
        if (f->variadic > 0 && min + (size_t)f->variadic < na)
            return perr(p, (size_t)n->pos_start,
                        "expected at most %zu argument(s) in call to \"%s\", got %zu",
                        min + (size_t)f->variadic, f->name, na);
    }
    if (f->id == PROMQL_FN_INFO && na > 1) {
        struct promql_expr *a = n->u.call.args[1];
        if (promql_expr_type(a) != PROMQL_TYPE_VECTOR)
            return perr(p, (size_t)n->pos_start,
                        "expected type instant vector in call to function \"info\", got %s",
                        promql_value_type_str(promql_expr_type(a)));
        if (a->kind == PROMQL_EXPR_VECTOR_SELECTOR && a->u.vs.name != NULL)
            return perr(p, (size_t)a->pos_start,
                        "expected label selectors only, got vector selector instead");
        if (a->kind != PROMQL_EXPR_VECTOR_SELECTOR)
            return perr(p, (size_t)a->pos_start, "expected label selectors only");
        a->u.vs.bypass_empty_matcher_check = true;
    }
    for (size_t i = 0; i < na; i++) {
        size_t k = i;
        enum promql_value_type t;
        if (k >= nargs) {
            if (f->variadic == 0)
                break;
            k = nargs - 1;
        }
        if (promql_parser_check(p, n->u.call.args[i]) != 0)
            return ERR_PARSE;
        t = promql_expr_type(n->u.call.args[i]);
        if (t != f->args[k])
            return perr(p, (size_t)n->u.call.args[i]->pos_start,
                        "expected type %s in call to function \"%s\", got %s",
                        promql_value_type_str(f->args[k]), f->name, promql_value_type_str(t));
    }
    return 0;
}

static int check_vector_selector(struct parser *p, struct promql_expr *n)
{
    struct promql_vector_selector *vs = &n->u.vs;
    if (vs->name != NULL) {
        for (size_t i = 0; i + 1 < vs->nmatchers; i++)
            if (strcmp(vs->matchers[i]->name, "__name__") == 0)
                return perr(p, (size_t)n->pos_start,
                            "metric name must not be set twice: \"%s\" or \"%s\"", vs->name,
                            vs->matchers[i]->value);
        return 0;
    }
    if (!vs->bypass_empty_matcher_check) {
        for (size_t i = 0; i < vs->nmatchers; i++)
            if (!matcher_matches_empty(vs->matchers[i]))
                return 0;
        return perr(p, (size_t)n->pos_start,
                    "vector selector must contain at least one non-empty matcher");
    }
    return 0;
}

int promql_parser_check(struct parser *p, struct promql_expr *n)
{
    int rc = 0;
    if (++p->depth > MAX_DEPTH)
        return perr(p, (size_t)n->pos_start, "expression nested too deeply");
    switch (n->kind) {
    case PROMQL_EXPR_AGGREGATE:
        if (expect_type(p, n->u.agg.expr, PROMQL_TYPE_VECTOR, "aggregation expression") != 0) {
            rc = ERR_PARSE;
            break;
        }
        if (n->u.agg.op == PROMQL_AGG_COUNT_VALUES)
            rc = expect_type(p, n->u.agg.param, PROMQL_TYPE_STRING, "aggregation parameter");
        else if (n->u.agg.param != NULL)
            rc = expect_type(p, n->u.agg.param, PROMQL_TYPE_SCALAR, "aggregation parameter");
        break;
    case PROMQL_EXPR_BINARY:
        rc = check_binary(p, n);
        break;
    case PROMQL_EXPR_CALL:
        rc = check_call(p, n);
        break;
    case PROMQL_EXPR_PAREN:
        rc = promql_parser_check(p, n->u.paren);
        break;
    case PROMQL_EXPR_UNARY: {
        enum promql_value_type t;
        if ((rc = promql_parser_check(p, n->u.unary.expr)) != 0)
            break;
        t = promql_expr_type(n->u.unary.expr);
        if (t != PROMQL_TYPE_SCALAR && t != PROMQL_TYPE_VECTOR)
            rc = perr(p, (size_t)n->pos_start,
                      "unary expression only allowed on expressions of type scalar or instant "
                      "vector, got \"%s\"",
                      promql_value_type_str(t));
        break;
    }
    case PROMQL_EXPR_SUBQUERY:
        if ((rc = promql_parser_check(p, n->u.sq.expr)) != 0)
            break;
        if (promql_expr_type(n->u.sq.expr) != PROMQL_TYPE_VECTOR)
            rc = perr(p, (size_t)n->pos_start,
                      "subquery is only allowed on instant vector, got %s instead",
                      value_type_name(promql_expr_type(n->u.sq.expr)));
        break;
    case PROMQL_EXPR_MATRIX_SELECTOR:
        rc = promql_parser_check(p, n->u.ms.vs);
        break;
    case PROMQL_EXPR_VECTOR_SELECTOR:
        rc = check_vector_selector(p, n);
        break;
    case PROMQL_EXPR_NUMBER:
    case PROMQL_EXPR_STRING:
        break;
    }
    p->depth--;
    return rc;
}

/* Sets up p and a new tree holding a copy of query[0..len). */
