/* SPDX-License-Identifier: Apache-2.0 */
/* PromQL syntax-tree helpers: names of operators and types, the function table, value types of
 * nodes, duration-expression evaluation and freeing a parsed tree. */
#include "evaluator/promql/ast.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/matcher.h"
#include "common/xalloc.h"

/* Indexed by id - 1: keep in the order of enum promql_func_id. */
static const struct promql_function functions[] = {
    {"abs", PROMQL_FN_ABS, {PROMQL_TYPE_VECTOR}, 1, 0, PROMQL_TYPE_VECTOR, false},
    {"absent", PROMQL_FN_ABSENT, {PROMQL_TYPE_VECTOR}, 1, 0, PROMQL_TYPE_VECTOR, false},
    {"absent_over_time",
     PROMQL_FN_ABSENT_OVER_TIME,
     {PROMQL_TYPE_MATRIX},
     1,
     0,
     PROMQL_TYPE_VECTOR,
     false},
    {"acos", PROMQL_FN_ACOS, {PROMQL_TYPE_VECTOR}, 1, 0, PROMQL_TYPE_VECTOR, false},
    {"acosh", PROMQL_FN_ACOSH, {PROMQL_TYPE_VECTOR}, 1, 0, PROMQL_TYPE_VECTOR, false},
    {"asin", PROMQL_FN_ASIN, {PROMQL_TYPE_VECTOR}, 1, 0, PROMQL_TYPE_VECTOR, false},
    {"asinh", PROMQL_FN_ASINH, {PROMQL_TYPE_VECTOR}, 1, 0, PROMQL_TYPE_VECTOR, false},
    {"atan", PROMQL_FN_ATAN, {PROMQL_TYPE_VECTOR}, 1, 0, PROMQL_TYPE_VECTOR, false},
    {"atanh", PROMQL_FN_ATANH, {PROMQL_TYPE_VECTOR}, 1, 0, PROMQL_TYPE_VECTOR, false},
    {"avg_over_time",
     PROMQL_FN_AVG_OVER_TIME,
     {PROMQL_TYPE_MATRIX},
     1,
     0,
     PROMQL_TYPE_VECTOR,
     false},
    {"ceil", PROMQL_FN_CEIL, {PROMQL_TYPE_VECTOR}, 1, 0, PROMQL_TYPE_VECTOR, false},
    {"changes", PROMQL_FN_CHANGES, {PROMQL_TYPE_MATRIX}, 1, 0, PROMQL_TYPE_VECTOR, false},
    {"clamp",
     PROMQL_FN_CLAMP,
     {PROMQL_TYPE_VECTOR, PROMQL_TYPE_SCALAR, PROMQL_TYPE_SCALAR},
     3,
     0,
     PROMQL_TYPE_VECTOR,
     false},
    {"clamp_max",
     PROMQL_FN_CLAMP_MAX,
     {PROMQL_TYPE_VECTOR, PROMQL_TYPE_SCALAR},
     2,
     0,
     PROMQL_TYPE_VECTOR,
     false},
    {"clamp_min",
     PROMQL_FN_CLAMP_MIN,
     {PROMQL_TYPE_VECTOR, PROMQL_TYPE_SCALAR},
     2,
     0,
     PROMQL_TYPE_VECTOR,
     false},
    {"cos", PROMQL_FN_COS, {PROMQL_TYPE_VECTOR}, 1, 0, PROMQL_TYPE_VECTOR, false},
    {"cosh", PROMQL_FN_COSH, {PROMQL_TYPE_VECTOR}, 1, 0, PROMQL_TYPE_VECTOR, false},
    {"count_over_time",
     PROMQL_FN_COUNT_OVER_TIME,
     {PROMQL_TYPE_MATRIX},
     1,
     0,
     PROMQL_TYPE_VECTOR,
     false},
    {"days_in_month",
     PROMQL_FN_DAYS_IN_MONTH,
     {PROMQL_TYPE_VECTOR},
     1,
     1,
     PROMQL_TYPE_VECTOR,
     false},
    {"day_of_month", PROMQL_FN_DAY_OF_MONTH, {PROMQL_TYPE_VECTOR}, 1, 1, PROMQL_TYPE_VECTOR, false},
    {"day_of_week", PROMQL_FN_DAY_OF_WEEK, {PROMQL_TYPE_VECTOR}, 1, 1, PROMQL_TYPE_VECTOR, false},
    {"day_of_year", PROMQL_FN_DAY_OF_YEAR, {PROMQL_TYPE_VECTOR}, 1, 1, PROMQL_TYPE_VECTOR, false},
    {"deg", PROMQL_FN_DEG, {PROMQL_TYPE_VECTOR}, 1, 0, PROMQL_TYPE_VECTOR, false},
    {"delta", PROMQL_FN_DELTA, {PROMQL_TYPE_MATRIX}, 1, 0, PROMQL_TYPE_VECTOR, false},
    {"deriv", PROMQL_FN_DERIV, {PROMQL_TYPE_MATRIX}, 1, 0, PROMQL_TYPE_VECTOR, false},
    {"double_exponential_smoothing",
     PROMQL_FN_DOUBLE_EXPONENTIAL_SMOOTHING,
     {PROMQL_TYPE_MATRIX, PROMQL_TYPE_SCALAR, PROMQL_TYPE_SCALAR},
     3,
     0,
     PROMQL_TYPE_VECTOR,
     true},
    {"end", PROMQL_FN_END, {PROMQL_TYPE_NONE}, 0, 0, PROMQL_TYPE_SCALAR, true},
    {"exp", PROMQL_FN_EXP, {PROMQL_TYPE_VECTOR}, 1, 0, PROMQL_TYPE_VECTOR, false},
    {"first_over_time",
     PROMQL_FN_FIRST_OVER_TIME,
     {PROMQL_TYPE_MATRIX},
     1,
     0,
     PROMQL_TYPE_VECTOR,
     true},
    {"floor", PROMQL_FN_FLOOR, {PROMQL_TYPE_VECTOR}, 1, 0, PROMQL_TYPE_VECTOR, false},
    {"histogram_avg",
     PROMQL_FN_HISTOGRAM_AVG,
     {PROMQL_TYPE_VECTOR},
     1,
     0,
     PROMQL_TYPE_VECTOR,
     false},
    {"histogram_count",
     PROMQL_FN_HISTOGRAM_COUNT,
     {PROMQL_TYPE_VECTOR},
     1,
     0,
     PROMQL_TYPE_VECTOR,
     false},
    {"histogram_fraction",
     PROMQL_FN_HISTOGRAM_FRACTION,
     {PROMQL_TYPE_SCALAR, PROMQL_TYPE_SCALAR, PROMQL_TYPE_VECTOR},
     3,
     0,
     PROMQL_TYPE_VECTOR,
     false},
    {"histogram_quantile",
     PROMQL_FN_HISTOGRAM_QUANTILE,
     {PROMQL_TYPE_SCALAR, PROMQL_TYPE_VECTOR},
     2,
     0,
     PROMQL_TYPE_VECTOR,
     false},
    {"histogram_quantiles",
     PROMQL_FN_HISTOGRAM_QUANTILES,
     {PROMQL_TYPE_VECTOR, PROMQL_TYPE_STRING, PROMQL_TYPE_SCALAR, PROMQL_TYPE_SCALAR},
     4,
     9,
     PROMQL_TYPE_VECTOR,
     true},
    {"histogram_stddev",
     PROMQL_FN_HISTOGRAM_STDDEV,
     {PROMQL_TYPE_VECTOR},
     1,
     0,
     PROMQL_TYPE_VECTOR,
     false},
    {"histogram_stdvar",
     PROMQL_FN_HISTOGRAM_STDVAR,
     {PROMQL_TYPE_VECTOR},
     1,
     0,
     PROMQL_TYPE_VECTOR,
     false},
    {"histogram_sum",
     PROMQL_FN_HISTOGRAM_SUM,
     {PROMQL_TYPE_VECTOR},
     1,
     0,
     PROMQL_TYPE_VECTOR,
     false},
    {"hour", PROMQL_FN_HOUR, {PROMQL_TYPE_VECTOR}, 1, 1, PROMQL_TYPE_VECTOR, false},
    {"idelta", PROMQL_FN_IDELTA, {PROMQL_TYPE_MATRIX}, 1, 0, PROMQL_TYPE_VECTOR, false},
    {"increase", PROMQL_FN_INCREASE, {PROMQL_TYPE_MATRIX}, 1, 0, PROMQL_TYPE_VECTOR, false},
    {"info",
     PROMQL_FN_INFO,
     {PROMQL_TYPE_VECTOR, PROMQL_TYPE_VECTOR},
     2,
     1,
     PROMQL_TYPE_VECTOR,
     true},
    {"integral",
     PROMQL_FN_INTEGRAL,
     {PROMQL_TYPE_MATRIX, PROMQL_TYPE_SCALAR},
     2,
     1,
     PROMQL_TYPE_VECTOR,
     true},
    {"irate", PROMQL_FN_IRATE, {PROMQL_TYPE_MATRIX}, 1, 0, PROMQL_TYPE_VECTOR, false},
    {"label_join",
     PROMQL_FN_LABEL_JOIN,
     {PROMQL_TYPE_VECTOR, PROMQL_TYPE_STRING, PROMQL_TYPE_STRING, PROMQL_TYPE_STRING},
     4,
     -1,
     PROMQL_TYPE_VECTOR,
     false},
    {"label_replace",
     PROMQL_FN_LABEL_REPLACE,
     {PROMQL_TYPE_VECTOR, PROMQL_TYPE_STRING, PROMQL_TYPE_STRING, PROMQL_TYPE_STRING,
      PROMQL_TYPE_STRING},
     5,
     0,
     PROMQL_TYPE_VECTOR,
     false},
    {"last_over_time",
     PROMQL_FN_LAST_OVER_TIME,
     {PROMQL_TYPE_MATRIX},
     1,
     0,
     PROMQL_TYPE_VECTOR,
     false},
    {"ln", PROMQL_FN_LN, {PROMQL_TYPE_VECTOR}, 1, 0, PROMQL_TYPE_VECTOR, false},
    {"log10", PROMQL_FN_LOG10, {PROMQL_TYPE_VECTOR}, 1, 0, PROMQL_TYPE_VECTOR, false},
    {"log2", PROMQL_FN_LOG2, {PROMQL_TYPE_VECTOR}, 1, 0, PROMQL_TYPE_VECTOR, false},
    {"mad_over_time",
     PROMQL_FN_MAD_OVER_TIME,
     {PROMQL_TYPE_MATRIX},
     1,
     0,
     PROMQL_TYPE_VECTOR,
     true},
    {"max_of",
     PROMQL_FN_MAX_OF,
     {PROMQL_TYPE_SCALAR, PROMQL_TYPE_SCALAR},
     2,
     0,
     PROMQL_TYPE_SCALAR,
     true},
    {"max_over_time",
     PROMQL_FN_MAX_OVER_TIME,
     {PROMQL_TYPE_MATRIX},
     1,
     0,
     PROMQL_TYPE_VECTOR,
     false},
    {"min_of",
     PROMQL_FN_MIN_OF,
     {PROMQL_TYPE_SCALAR, PROMQL_TYPE_SCALAR},
     2,
     0,
     PROMQL_TYPE_SCALAR,
     true},
    {"min_over_time",
     PROMQL_FN_MIN_OVER_TIME,
     {PROMQL_TYPE_MATRIX},
     1,
     0,
     PROMQL_TYPE_VECTOR,
     false},
    {"minute", PROMQL_FN_MINUTE, {PROMQL_TYPE_VECTOR}, 1, 1, PROMQL_TYPE_VECTOR, false},
    {"month", PROMQL_FN_MONTH, {PROMQL_TYPE_VECTOR}, 1, 1, PROMQL_TYPE_VECTOR, false},
    {"pi", PROMQL_FN_PI, {PROMQL_TYPE_NONE}, 0, 0, PROMQL_TYPE_SCALAR, false},
    {"predict_linear",
     PROMQL_FN_PREDICT_LINEAR,
     {PROMQL_TYPE_MATRIX, PROMQL_TYPE_SCALAR},
     2,
     0,
     PROMQL_TYPE_VECTOR,
     false},
    {"present_over_time",
     PROMQL_FN_PRESENT_OVER_TIME,
     {PROMQL_TYPE_MATRIX},
     1,
     0,
     PROMQL_TYPE_VECTOR,
     false},
    {"quantile_over_time",
     PROMQL_FN_QUANTILE_OVER_TIME,
     {PROMQL_TYPE_SCALAR, PROMQL_TYPE_MATRIX},
     2,
     0,
     PROMQL_TYPE_VECTOR,
     false},
    {"rad", PROMQL_FN_RAD, {PROMQL_TYPE_VECTOR}, 1, 0, PROMQL_TYPE_VECTOR, false},
    {"range", PROMQL_FN_RANGE, {PROMQL_TYPE_NONE}, 0, 0, PROMQL_TYPE_SCALAR, true},
    {"rate", PROMQL_FN_RATE, {PROMQL_TYPE_MATRIX}, 1, 0, PROMQL_TYPE_VECTOR, false},
    {"resets", PROMQL_FN_RESETS, {PROMQL_TYPE_MATRIX}, 1, 0, PROMQL_TYPE_VECTOR, false},
    {"round",
     PROMQL_FN_ROUND,
     {PROMQL_TYPE_VECTOR, PROMQL_TYPE_SCALAR},
     2,
     1,
     PROMQL_TYPE_VECTOR,
     false},
    {"scalar", PROMQL_FN_SCALAR, {PROMQL_TYPE_VECTOR}, 1, 0, PROMQL_TYPE_SCALAR, false},
    {"sgn", PROMQL_FN_SGN, {PROMQL_TYPE_VECTOR}, 1, 0, PROMQL_TYPE_VECTOR, false},
    {"sin", PROMQL_FN_SIN, {PROMQL_TYPE_VECTOR}, 1, 0, PROMQL_TYPE_VECTOR, false},
    {"sinh", PROMQL_FN_SINH, {PROMQL_TYPE_VECTOR}, 1, 0, PROMQL_TYPE_VECTOR, false},
    {"sort", PROMQL_FN_SORT, {PROMQL_TYPE_VECTOR}, 1, 0, PROMQL_TYPE_VECTOR, false},
    {"sort_by_label",
     PROMQL_FN_SORT_BY_LABEL,
     {PROMQL_TYPE_VECTOR, PROMQL_TYPE_STRING},
     2,
     -1,
     PROMQL_TYPE_VECTOR,
     true},
    {"sort_by_label_desc",
     PROMQL_FN_SORT_BY_LABEL_DESC,
     {PROMQL_TYPE_VECTOR, PROMQL_TYPE_STRING},
     2,
     -1,
     PROMQL_TYPE_VECTOR,
     true},
    {"sort_desc", PROMQL_FN_SORT_DESC, {PROMQL_TYPE_VECTOR}, 1, 0, PROMQL_TYPE_VECTOR, false},
    {"sqrt", PROMQL_FN_SQRT, {PROMQL_TYPE_VECTOR}, 1, 0, PROMQL_TYPE_VECTOR, false},
    {"start", PROMQL_FN_START, {PROMQL_TYPE_NONE}, 0, 0, PROMQL_TYPE_SCALAR, true},
    {"start_timestamp",
     PROMQL_FN_START_TIMESTAMP,
     {PROMQL_TYPE_VECTOR},
     1,
     0,
     PROMQL_TYPE_VECTOR,
     true},
    {"stddev_over_time",
     PROMQL_FN_STDDEV_OVER_TIME,
     {PROMQL_TYPE_MATRIX},
     1,
     0,
     PROMQL_TYPE_VECTOR,
     false},
    {"stdvar_over_time",
     PROMQL_FN_STDVAR_OVER_TIME,
     {PROMQL_TYPE_MATRIX},
     1,
     0,
     PROMQL_TYPE_VECTOR,
     false},
    {"step", PROMQL_FN_STEP, {PROMQL_TYPE_NONE}, 0, 0, PROMQL_TYPE_SCALAR, true},
    {"sum_over_time",
     PROMQL_FN_SUM_OVER_TIME,
     {PROMQL_TYPE_MATRIX},
     1,
     0,
     PROMQL_TYPE_VECTOR,
     false},
    {"tan", PROMQL_FN_TAN, {PROMQL_TYPE_VECTOR}, 1, 0, PROMQL_TYPE_VECTOR, false},
    {"tanh", PROMQL_FN_TANH, {PROMQL_TYPE_VECTOR}, 1, 0, PROMQL_TYPE_VECTOR, false},
    {"time", PROMQL_FN_TIME, {PROMQL_TYPE_NONE}, 0, 0, PROMQL_TYPE_SCALAR, false},
    {"timestamp", PROMQL_FN_TIMESTAMP, {PROMQL_TYPE_VECTOR}, 1, 0, PROMQL_TYPE_VECTOR, false},
    {"ts_of_first_over_time",
     PROMQL_FN_TS_OF_FIRST_OVER_TIME,
     {PROMQL_TYPE_MATRIX},
     1,
     0,
     PROMQL_TYPE_VECTOR,
     true},
    {"ts_of_last_over_time",
     PROMQL_FN_TS_OF_LAST_OVER_TIME,
     {PROMQL_TYPE_MATRIX},
     1,
     0,
     PROMQL_TYPE_VECTOR,
     true},
    {"ts_of_max_over_time",
     PROMQL_FN_TS_OF_MAX_OVER_TIME,
     {PROMQL_TYPE_MATRIX},
     1,
     0,
     PROMQL_TYPE_VECTOR,
     true},
    {"ts_of_min_over_time",
     PROMQL_FN_TS_OF_MIN_OVER_TIME,
     {PROMQL_TYPE_MATRIX},
     1,
     0,
     PROMQL_TYPE_VECTOR,
     true},
    {"vector", PROMQL_FN_VECTOR, {PROMQL_TYPE_SCALAR}, 1, 0, PROMQL_TYPE_VECTOR, false},
    {"year", PROMQL_FN_YEAR, {PROMQL_TYPE_VECTOR}, 1, 1, PROMQL_TYPE_VECTOR, false},
};

const char *promql_value_type_str(enum promql_value_type t)
{
    switch (t) {
    case PROMQL_TYPE_SCALAR:
        return "scalar";
    case PROMQL_TYPE_VECTOR:
        return "instant vector";
    case PROMQL_TYPE_MATRIX:
        return "range vector";
    case PROMQL_TYPE_STRING:
        return "string";
    case PROMQL_TYPE_NONE:
        break;
    }
    return "none";
}

const char *promql_binop_str(enum promql_binop op)
{
    switch (op) {
    case PROMQL_OP_ADD:
        return "+";
    case PROMQL_OP_SUB:
        return "-";
    case PROMQL_OP_MUL:
        return "*";
    case PROMQL_OP_DIV:
        return "/";
    case PROMQL_OP_MOD:
        return "%";
    case PROMQL_OP_POW:
        return "^";
    case PROMQL_OP_ATAN2:
        return "atan2";
    case PROMQL_OP_EQL:
        return "==";
    case PROMQL_OP_NEQ:
        return "!=";
    case PROMQL_OP_LSS:
        return "<";
    case PROMQL_OP_GTR:
        return ">";
    case PROMQL_OP_LTE:
        return "<=";
    case PROMQL_OP_GTE:
        return ">=";
    case PROMQL_OP_AND:
        return "and";
    case PROMQL_OP_OR:
        return "or";
    case PROMQL_OP_UNLESS:
        return "unless";
    case PROMQL_OP_TRIM_UPPER:
        return "</";
    case PROMQL_OP_TRIM_LOWER:
        return ">/";
    }
    return "?";
}

bool promql_binop_is_comparison(enum promql_binop op)
{
    return op == PROMQL_OP_EQL || op == PROMQL_OP_NEQ || op == PROMQL_OP_LSS ||
           op == PROMQL_OP_GTR || op == PROMQL_OP_LTE || op == PROMQL_OP_GTE;
}

bool promql_binop_is_set(enum promql_binop op)
{
    return op == PROMQL_OP_AND || op == PROMQL_OP_OR || op == PROMQL_OP_UNLESS;
}

const char *promql_aggop_str(enum promql_aggop op)
{
    switch (op) {
    case PROMQL_AGG_SUM:
        return "sum";
    case PROMQL_AGG_AVG:
        return "avg";
    case PROMQL_AGG_COUNT:
        return "count";
    case PROMQL_AGG_MIN:
        return "min";
    case PROMQL_AGG_MAX:
        return "max";
    case PROMQL_AGG_GROUP:
        return "group";
    case PROMQL_AGG_STDDEV:
        return "stddev";
    case PROMQL_AGG_STDVAR:
        return "stdvar";
    case PROMQL_AGG_TOPK:
        return "topk";
    case PROMQL_AGG_BOTTOMK:
        return "bottomk";
    case PROMQL_AGG_COUNT_VALUES:
        return "count_values";
    case PROMQL_AGG_QUANTILE:
        return "quantile";
    case PROMQL_AGG_LIMITK:
        return "limitk";
    case PROMQL_AGG_LIMIT_RATIO:
        return "limit_ratio";
    }
    return "?";
}

bool promql_aggop_has_param(enum promql_aggop op)
{
    return op == PROMQL_AGG_TOPK || op == PROMQL_AGG_BOTTOMK || op == PROMQL_AGG_COUNT_VALUES ||
           op == PROMQL_AGG_QUANTILE || op == PROMQL_AGG_LIMITK || op == PROMQL_AGG_LIMIT_RATIO;
}

const struct promql_function *promql_function_lookup(const char *name, size_t len)
{
    for (size_t i = 0; i < sizeof(functions) / sizeof(functions[0]); i++) {
        const char *n = functions[i].name;
        if (strncmp(n, name, len) == 0 && n[len] == '\0')
            return &functions[i];
    }
    return NULL;
}

const struct promql_function *promql_function_by_id(enum promql_func_id id)
{
    size_t i = (size_t)id - 1;
    if (id < 1 || i >= sizeof(functions) / sizeof(functions[0]))
        return NULL;
    return &functions[i];
}

void promql_expr_tree_free(struct promql_expr_tree *t)
{
    if (t == NULL)
        return;
    for (size_t i = 0; i < t->nowned; i++)
        matcher_free(t->owned[i]);
    free(t->owned);
    arena_fini(&t->arena);
    free(t);
}

enum promql_value_type promql_expr_type(const struct promql_expr *e)
{
    if (e == NULL)
        return PROMQL_TYPE_NONE;
    switch (e->kind) {
    case PROMQL_EXPR_NUMBER:
        return PROMQL_TYPE_SCALAR;
    case PROMQL_EXPR_STRING:
        return PROMQL_TYPE_STRING;
    case PROMQL_EXPR_VECTOR_SELECTOR:
    case PROMQL_EXPR_AGGREGATE:
        return PROMQL_TYPE_VECTOR;
    case PROMQL_EXPR_MATRIX_SELECTOR:
    case PROMQL_EXPR_SUBQUERY:
        return PROMQL_TYPE_MATRIX;
    case PROMQL_EXPR_UNARY:
        return promql_expr_type(e->u.unary.expr);
    case PROMQL_EXPR_BINARY:
        if (promql_expr_type(e->u.binary.lhs) == PROMQL_TYPE_SCALAR &&
            promql_expr_type(e->u.binary.rhs) == PROMQL_TYPE_SCALAR)
            return PROMQL_TYPE_SCALAR;
        return PROMQL_TYPE_VECTOR;
    case PROMQL_EXPR_CALL:
        return e->u.call.func->ret;
    case PROMQL_EXPR_PAREN:
        return promql_expr_type(e->u.paren);
    }
    return PROMQL_TYPE_NONE;
}

const struct promql_expr *promql_expr_unparen(const struct promql_expr *e)
{
    while (e != NULL && e->kind == PROMQL_EXPR_PAREN)
        e = e->u.paren;
    return e;
}

int promql_expr_walk(const struct promql_expr *e, promql_visit_cb cb, void *ctx)
{
    int rc;
    if (e == NULL)
        return 0;
    if ((rc = cb(e, ctx)) != 0)
        return rc;
    switch (e->kind) {
    case PROMQL_EXPR_MATRIX_SELECTOR:
        return promql_expr_walk(e->u.ms.vs, cb, ctx);
    case PROMQL_EXPR_SUBQUERY:
        return promql_expr_walk(e->u.sq.expr, cb, ctx);
    case PROMQL_EXPR_UNARY:
        return promql_expr_walk(e->u.unary.expr, cb, ctx);
    case PROMQL_EXPR_BINARY:
        if ((rc = promql_expr_walk(e->u.binary.lhs, cb, ctx)) != 0)
            return rc;
        return promql_expr_walk(e->u.binary.rhs, cb, ctx);
    case PROMQL_EXPR_AGGREGATE:
        if ((rc = promql_expr_walk(e->u.agg.param, cb, ctx)) != 0)
            return rc;
        return promql_expr_walk(e->u.agg.expr, cb, ctx);
    case PROMQL_EXPR_CALL:
        for (size_t i = 0; i < e->u.call.nargs; i++)
            if ((rc = promql_expr_walk(e->u.call.args[i], cb, ctx)) != 0)
                return rc;
        return 0;
    case PROMQL_EXPR_PAREN:
        return promql_expr_walk(e->u.paren, cb, ctx);
    default:
        return 0;
    }
}

/* Evaluates d in seconds. */
static int duration_eval_sec(const struct promql_expr *d, const struct promql_duration_ctx *ctx,
                             double *out, int depth, struct err *e)
{
    double a = 0, b = 0;
    int rc;
    if (depth > 1000)
        return err_set(e, ERR_INVALID, "duration expression nested too deeply");
    switch (d->kind) {
    case PROMQL_EXPR_NUMBER:
        *out = d->u.number.value;
        return 0;
    case PROMQL_EXPR_PAREN:
        return duration_eval_sec(d->u.paren, ctx, out, depth + 1, e);
    case PROMQL_EXPR_UNARY:
        if ((rc = duration_eval_sec(d->u.unary.expr, ctx, &a, depth + 1, e)) != 0)
            return rc;
        *out = d->u.unary.op == PROMQL_OP_SUB ? -a : a;
        return 0;
    case PROMQL_EXPR_CALL:
        switch (d->u.call.func->id) {
        case PROMQL_FN_STEP:
            *out = (double)ctx->step_ms / 1000.0;
            return 0;
        case PROMQL_FN_RANGE:
            *out = (double)(ctx->end_ms - ctx->start_ms) / 1000.0;
            return 0;
        case PROMQL_FN_START:
            *out = (double)ctx->start_ms / 1000.0;
            return 0;
        case PROMQL_FN_END:
            *out = (double)ctx->end_ms / 1000.0;
            return 0;
        case PROMQL_FN_MIN_OF:
        case PROMQL_FN_MAX_OF:
            if (d->u.call.nargs != 2)
                break;
            if ((rc = duration_eval_sec(d->u.call.args[0], ctx, &a, depth + 1, e)) != 0 ||
                (rc = duration_eval_sec(d->u.call.args[1], ctx, &b, depth + 1, e)) != 0)
                return rc;
            if (d->u.call.func->id == PROMQL_FN_MIN_OF)
                *out = a < b ? a : b;
            else
                *out = a > b ? a : b;
            return 0;
        default:
            break;
        }
        return err_set(e, ERR_INVALID, "function %s not allowed in a duration expression",
                       d->u.call.func->name);
    case PROMQL_EXPR_BINARY:
        if ((rc = duration_eval_sec(d->u.binary.lhs, ctx, &a, depth + 1, e)) != 0 ||
            (rc = duration_eval_sec(d->u.binary.rhs, ctx, &b, depth + 1, e)) != 0)
            return rc;
        switch (d->u.binary.op) {
        case PROMQL_OP_ADD:
            *out = a + b;
            return 0;
        case PROMQL_OP_SUB:
            *out = a - b;
            return 0;
        case PROMQL_OP_MUL:
            *out = a * b;
            return 0;
        case PROMQL_OP_DIV:
            if (b == 0)
                return err_set(e, ERR_INVALID, "division by zero");
            *out = a / b;
            return 0;
        case PROMQL_OP_MOD:
            if (b == 0)
                return err_set(e, ERR_INVALID, "modulo by zero");
            *out = fmod(a, b);
            return 0;
        case PROMQL_OP_POW:
            *out = pow(a, b);
            return 0;
        default:
            break;
        }
        return err_set(e, ERR_INVALID, "operator %s not allowed in a duration expression",
                       promql_binop_str(d->u.binary.op));
    default:
        break;
    }
    return err_set(e, ERR_INVALID, "not a duration expression");
}

int promql_duration_eval(const struct promql_expr *d, const struct promql_duration_ctx *ctx,
                         int64_t *out_ms, struct err *e)
{
    double s = 0;
    int rc = duration_eval_sec(d, ctx, &s, 0, e);
    if (rc != 0)
        return rc;
    s *= 1000.0;
    if (isnan(s) || s >= 9.2e18 || s <= -9.2e18)
        return err_set(e, ERR_INVALID, "duration out of range");
    *out_ms = (int64_t)s;
    return 0;
}
