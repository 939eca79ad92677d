/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The PromQL syntax tree (Prometheus 3.x grammar), the value-type rules, the function table the
 * parser type-checks calls against, and the canonical printer. A parsed expression and
 * everything it points to live in one arena owned by struct promql_expr_tree.
 */
#ifndef TOCSIN_EVALUATOR_PROMQL_AST_H
#define TOCSIN_EVALUATOR_PROMQL_AST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/arena.h"

struct buf;
struct err;
struct matcher;

/* The type an expression evaluates to. NONE only for "no expression". */
enum promql_value_type {
    PROMQL_TYPE_NONE = 0,
    PROMQL_TYPE_SCALAR,
    PROMQL_TYPE_VECTOR, /* instant vector */
    PROMQL_TYPE_MATRIX, /* range vector */
    PROMQL_TYPE_STRING,
};

/* "scalar", "instant vector", "range vector", "string" (Prometheus's DocumentedType). */
const char *promql_value_type_str(enum promql_value_type t);

enum promql_expr_kind {
    PROMQL_EXPR_NUMBER = 1,
    PROMQL_EXPR_STRING,
    PROMQL_EXPR_VECTOR_SELECTOR,
    PROMQL_EXPR_MATRIX_SELECTOR,
    PROMQL_EXPR_SUBQUERY,
    PROMQL_EXPR_UNARY,
    PROMQL_EXPR_BINARY,
    PROMQL_EXPR_AGGREGATE,
    PROMQL_EXPR_CALL,
    PROMQL_EXPR_PAREN,
};

/* Binary operators. Precedence (high to low): ^ | * / % atan2 | + - | comparisons and trims |
 * and unless | or. */
enum promql_binop {
    PROMQL_OP_ADD = 1,
    PROMQL_OP_SUB,
    PROMQL_OP_MUL,
    PROMQL_OP_DIV,
    PROMQL_OP_MOD,
    PROMQL_OP_POW,
    PROMQL_OP_ATAN2,
    PROMQL_OP_EQL, /* == */
    PROMQL_OP_NEQ, /* != */
    PROMQL_OP_LSS, /* < */
    PROMQL_OP_GTR, /* > */
    PROMQL_OP_LTE, /* <= */
    PROMQL_OP_GTE, /* >= */
    PROMQL_OP_AND,
    PROMQL_OP_OR,
    PROMQL_OP_UNLESS,
    PROMQL_OP_TRIM_UPPER, /* </ (experimental: trims a native histogram above a bound) */
    PROMQL_OP_TRIM_LOWER, /* >/ (experimental: trims a native histogram below a bound) */
};

/* Operator text as written ("+", "==", "and", "atan2", "</", ...). */
const char *promql_binop_str(enum promql_binop op);
/* True for == != < > <= >= (the operators that take `bool`). */
bool promql_binop_is_comparison(enum promql_binop op);
/* True for and, or, unless. */
bool promql_binop_is_set(enum promql_binop op);

enum promql_aggop {
    PROMQL_AGG_SUM = 1,
    PROMQL_AGG_AVG,
    PROMQL_AGG_COUNT,
    PROMQL_AGG_MIN,
    PROMQL_AGG_MAX,
    PROMQL_AGG_GROUP,
    PROMQL_AGG_STDDEV,
    PROMQL_AGG_STDVAR,
    PROMQL_AGG_TOPK,         /* param: scalar k */
    PROMQL_AGG_BOTTOMK,      /* param: scalar k */
    PROMQL_AGG_COUNT_VALUES, /* param: string label name */
    PROMQL_AGG_QUANTILE,     /* param: scalar phi */
    PROMQL_AGG_LIMITK,       /* param: scalar k (experimental) */
    PROMQL_AGG_LIMIT_RATIO,  /* param: scalar ratio (experimental) */
};

/* Lower-case name ("sum", "count_values", "limit_ratio"). */
const char *promql_aggop_str(enum promql_aggop op);
/* True when the aggregation takes a parameter before the vector. */
bool promql_aggop_has_param(enum promql_aggop op);

/* Every PromQL function; the engine switches on this id. */
enum promql_func_id {
    PROMQL_FN_ABS = 1,
    PROMQL_FN_ABSENT,
    PROMQL_FN_ABSENT_OVER_TIME,
    PROMQL_FN_ACOS,
    PROMQL_FN_ACOSH,
    PROMQL_FN_ASIN,
    PROMQL_FN_ASINH,
    PROMQL_FN_ATAN,
    PROMQL_FN_ATANH,
    PROMQL_FN_AVG_OVER_TIME,
    PROMQL_FN_CEIL,
    PROMQL_FN_CHANGES,
    PROMQL_FN_CLAMP,
    PROMQL_FN_CLAMP_MAX,
    PROMQL_FN_CLAMP_MIN,
    PROMQL_FN_COS,
    PROMQL_FN_COSH,
    PROMQL_FN_COUNT_OVER_TIME,
    PROMQL_FN_DAYS_IN_MONTH,
    PROMQL_FN_DAY_OF_MONTH,
    PROMQL_FN_DAY_OF_WEEK,
    PROMQL_FN_DAY_OF_YEAR,
    PROMQL_FN_DEG,
    PROMQL_FN_DELTA,
    PROMQL_FN_DERIV,
    PROMQL_FN_DOUBLE_EXPONENTIAL_SMOOTHING,
    PROMQL_FN_END,
    PROMQL_FN_EXP,
    PROMQL_FN_FIRST_OVER_TIME,
    PROMQL_FN_FLOOR,
    PROMQL_FN_HISTOGRAM_AVG,
    PROMQL_FN_HISTOGRAM_COUNT,
    PROMQL_FN_HISTOGRAM_FRACTION,
    PROMQL_FN_HISTOGRAM_QUANTILE,
    PROMQL_FN_HISTOGRAM_QUANTILES,
    PROMQL_FN_HISTOGRAM_STDDEV,
    PROMQL_FN_HISTOGRAM_STDVAR,
    PROMQL_FN_HISTOGRAM_SUM,
    PROMQL_FN_HOUR,
    PROMQL_FN_IDELTA,
    PROMQL_FN_INCREASE,
    PROMQL_FN_INFO,
    PROMQL_FN_INTEGRAL,
    PROMQL_FN_IRATE,
    PROMQL_FN_LABEL_JOIN,
    PROMQL_FN_LABEL_REPLACE,
    PROMQL_FN_LAST_OVER_TIME,
    PROMQL_FN_LN,
    PROMQL_FN_LOG10,
    PROMQL_FN_LOG2,
    PROMQL_FN_MAD_OVER_TIME,
    PROMQL_FN_MAX_OF,
    PROMQL_FN_MAX_OVER_TIME,
    PROMQL_FN_MIN_OF,
    PROMQL_FN_MIN_OVER_TIME,
    PROMQL_FN_MINUTE,
    PROMQL_FN_MONTH,
    PROMQL_FN_PI,
    PROMQL_FN_PREDICT_LINEAR,
    PROMQL_FN_PRESENT_OVER_TIME,
    PROMQL_FN_QUANTILE_OVER_TIME,
    PROMQL_FN_RAD,
    PROMQL_FN_RANGE,
    PROMQL_FN_RATE,
    PROMQL_FN_RESETS,
    PROMQL_FN_ROUND,
    PROMQL_FN_SCALAR,
    PROMQL_FN_SGN,
    PROMQL_FN_SIN,
    PROMQL_FN_SINH,
    PROMQL_FN_SORT,
    PROMQL_FN_SORT_BY_LABEL,
    PROMQL_FN_SORT_BY_LABEL_DESC,
    PROMQL_FN_SORT_DESC,
    PROMQL_FN_SQRT,
    PROMQL_FN_START,
    PROMQL_FN_START_TIMESTAMP,
    PROMQL_FN_STDDEV_OVER_TIME,
    PROMQL_FN_STDVAR_OVER_TIME,
    PROMQL_FN_STEP,
    PROMQL_FN_SUM_OVER_TIME,
    PROMQL_FN_TAN,
    PROMQL_FN_TANH,
    PROMQL_FN_TIME,
    PROMQL_FN_TIMESTAMP,
    PROMQL_FN_TS_OF_FIRST_OVER_TIME,
    PROMQL_FN_TS_OF_LAST_OVER_TIME,
    PROMQL_FN_TS_OF_MAX_OVER_TIME,
    PROMQL_FN_TS_OF_MIN_OVER_TIME,
    PROMQL_FN_VECTOR,
    PROMQL_FN_YEAR,
    PROMQL_FN_COUNT_ /* number of ids + 1; not a function */
};

#define PROMQL_FUNC_MAX_ARGS 6

/*
 * A function's signature, as in Prometheus's parser.Functions. Argument counts:
 *   variadic == 0: exactly nargs arguments;
 *   variadic  > 0: nargs - 1 .. nargs + variadic - 1 arguments;
 *   variadic  < 0: at least nargs - 1 arguments, no upper limit.
 * Arguments past nargs have the type of the last entry of args.
 */
struct promql_function {
    const char *name;
    enum promql_func_id id;
    enum promql_value_type args[PROMQL_FUNC_MAX_ARGS];
    int nargs;
    int variadic;
    enum promql_value_type ret;
    bool experimental; /* behind --enable-feature=promql-experimental-functions in Prometheus */
};

/* Looks a function up by its exact (case-sensitive) name; NULL when unknown. Static data. */
const struct promql_function *promql_function_lookup(const char *name, size_t len);
/* Looks a function up by id; NULL for an invalid id. */
const struct promql_function *promql_function_by_id(enum promql_func_id id);

/* How @ was given on a selector or subquery. */
enum promql_at_kind {
    PROMQL_AT_NONE = 0,
    PROMQL_AT_TIMESTAMP, /* @ <number>: at_ms */
    PROMQL_AT_START,     /* @ start() */
    PROMQL_AT_END,       /* @ end() */
};

/*
 * offset and @ of a selector or subquery.
 * A duration expression is a subtree of PROMQL_EXPR_NUMBER (value in seconds), PAREN, UNARY,
 * BINARY (+ - * / % ^, matching NULL) and CALL of step(), range(), min_of(a, b), max_of(a, b).
 * offset_expr is non-NULL when the offset was written as a duration expression (anything but
 * one number or duration literal, e.g. `offset (1m+step())`); then offset_ms holds its value
 * when it is constant, and offset_dynamic is true when it needs query parameters (step(),
 * range(), start(), end()): evaluate it with promql_duration_eval. Same for the range and step
 * of matrix selectors and subqueries below.
 */
struct promql_time_mods {
    int64_t offset_ms; /* may be negative */
    struct promql_expr *offset_expr;
    bool offset_dynamic;
    enum promql_at_kind at_kind;
    int64_t at_ms;
};

struct promql_vector_selector {
    const char *name;          /* metric name as given (unquoted), or NULL */
    struct matcher **matchers; /* all matchers, including __name__="name" when name is given;
                                  owned by the tree */
    size_t nmatchers;
    struct promql_time_mods mods;
    bool bypass_empty_matcher_check; /* set for info()'s second argument */
    bool anchored;                   /* `foo[5m] anchored` or `foo anchored` (experimental) */
    bool smoothed;                   /* `foo[5m] smoothed` or `foo @ 100 smoothed` (experimental) */
};

struct promql_matrix_selector {
    struct promql_expr *vs; /* kind PROMQL_EXPR_VECTOR_SELECTOR; offset/@ live on it */
    int64_t range_ms;
    struct promql_expr *range_expr; /* see struct promql_time_mods */
    bool range_dynamic;
};

struct promql_subquery {
    struct promql_expr *expr;
    int64_t range_ms;
    struct promql_expr *range_expr;
    bool range_dynamic;
    int64_t step_ms; /* 0 = default (the evaluation interval) */
    struct promql_expr *step_expr;
    bool step_dynamic;
    struct promql_time_mods mods;
};

struct promql_unary {
    enum promql_binop op; /* PROMQL_OP_SUB or PROMQL_OP_ADD */
    struct promql_expr *expr;
};

enum promql_card {
    PROMQL_CARD_ONE_TO_ONE = 0,
    PROMQL_CARD_MANY_TO_ONE, /* group_left */
    PROMQL_CARD_ONE_TO_MANY, /* group_right */
    PROMQL_CARD_MANY_TO_MANY /* set operators */
};

/* How the two sides of a vector/vector binary operation are matched. */
struct promql_vector_matching {
    enum promql_card card;
    bool on;             /* true: on(labels); false: ignoring(labels) (or nothing given) */
    const char **labels; /* on/ignoring label list */
    size_t nlabels;
    const char **include; /* group_left/group_right extra labels */
    size_t ninclude;
    bool fill_left_set; /* fill(v) / fill_left(v): value for a missing left-hand sample */
    double fill_left;
    bool fill_right_set; /* fill(v) / fill_right(v): value for a missing right-hand sample */
    double fill_right;
    bool fill_both; /* written as fill(v) (printing only) */
};

struct promql_binary {
    enum promql_binop op;
    struct promql_expr *lhs, *rhs;
    bool return_bool;
    /* NULL unless both sides are instant vectors (as in Prometheus). */
    struct promql_vector_matching *matching;
};

struct promql_aggregate {
    enum promql_aggop op;
    struct promql_expr *param; /* NULL unless promql_aggop_has_param */
    struct promql_expr *expr;
    const char **grouping; /* by/without labels, as written */
    size_t ngrouping;
    bool without;
};

struct promql_call {
    const struct promql_function *func; /* static table entry */
    struct promql_expr **args;
    size_t nargs;
};

struct promql_expr {
    enum promql_expr_kind kind;
    int pos_start, pos_end; /* byte offsets [start, end) in the query text */
    union {
        struct {
            double value;
            bool duration; /* written as a duration (5m): printed back as one */
        } number;
        struct {
            const char *value; /* unquoted, NUL-terminated; may hold NULs, see len */
            size_t len;
        } string;
        struct promql_vector_selector vs;
        struct promql_matrix_selector ms;
        struct promql_subquery sq;
        struct promql_unary unary;
        struct promql_binary binary;
        struct promql_aggregate agg;
        struct promql_call call;
        struct promql_expr *paren; /* PROMQL_EXPR_PAREN: the inner expression */
    } u;
};

/* A parsed expression and the arena that holds it. */
struct promql_expr_tree {
    struct arena arena;
    struct promql_expr *root;
    const char *query; /* copy of the source text (in the arena) */
    /* matchers are heap objects (common/matcher.h); the tree frees them */
    struct matcher **owned;
    size_t nowned, capowned;
};

/* Frees the tree, its arena and its matchers. NULL is a no-op. */
void promql_expr_tree_free(struct promql_expr_tree *t);

/* The type e evaluates to (Prometheus's Expr.Type()). */
enum promql_value_type promql_expr_type(const struct promql_expr *e);

/* Strips any number of PROMQL_EXPR_PAREN wrappers. */
const struct promql_expr *promql_expr_unparen(const struct promql_expr *e);

/* Visitor for promql_expr_walk: return 0 to continue, anything else stops the walk. */
typedef int (*promql_visit_cb)(const struct promql_expr *e, void *ctx);

/*
 * Visits e and its sub-expressions depth-first, parents before children, children in source
 * order (as Prometheus's Inspect; the vector selector of a matrix selector is visited, duration
 * expressions of offsets and ranges are not). Returns the first non-zero cb result, else 0.
 */
int promql_expr_walk(const struct promql_expr *e, promql_visit_cb cb, void *ctx);

/* Query parameters a duration expression may refer to (all in milliseconds). */
struct promql_duration_ctx {
    int64_t start_ms, end_ms, step_ms;
};

/*
 * Evaluates a duration expression (the offset_expr / range_expr / step_expr of a node: numbers
 * in seconds, + - * / % ^, unary -, parens, step(), range(), start(), end(), min_of, max_of)
 * to milliseconds. Errors (division by zero, out of range, NaN) return ERR_INVALID.
 */
int promql_duration_eval(const struct promql_expr *d, const struct promql_duration_ctx *ctx,
                         int64_t *out_ms, struct err *e);

/*
 * Appends e in Prometheus's canonical form (as its String() prints it), e.g.
 * `sum by (job) (rate(foo{a="b"}[5m]))`. The output parses back to the same tree, except for
 * Prometheus's own quirk that the literal +Inf prints with a sign (`Inf ^ 2` -> `+Inf ^ 2`).
 * Returns 0 or ERR_TOOBIG from a capped buffer. Thread-safe for a shared tree.
 */
int promql_expr_format(const struct promql_expr *e, struct buf *out);

/* Appends a duration in Prometheus's form ("1h30m", "0s", "-5m", "1ms"). */
int promql_duration_format(int64_t ms, struct buf *out);

#endif
