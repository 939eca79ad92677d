/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for the PromQL lexer, parser, type checks, error messages and printer. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/matcher.h"
#include "evaluator/promql/ast.h"
#include "evaluator/promql/parser.h"
#include "test/harness.h"

static struct promql_expr_tree *parse_ok(const char *q, unsigned flags)
{
    struct promql_expr_tree *t = NULL;
    struct err e;
    char msg[1200];
    if (promql_parse(q, strlen(q), flags, &t, &e) != 0)
        test_fail(__FILE__, __LINE__, "parse of %s failed: %s", q,
                  promql_parse_error_string(&e, msg, sizeof(msg)));
    return t;
}

/* Dumps the tree shape as an s-expression, e.g. (- (^ 1 2)). */
static void dump(const struct promql_expr *e, struct buf *b)
{
    switch (e->kind) {
    case PROMQL_EXPR_BINARY:
        buf_printf(b, "(%s ", promql_binop_str(e->u.binary.op));
        dump(e->u.binary.lhs, b);
        buf_putc(b, ' ');
        dump(e->u.binary.rhs, b);
        buf_putc(b, ')');
        break;
    case PROMQL_EXPR_UNARY:
        buf_printf(b, "(u%s ", promql_binop_str(e->u.unary.op));
        dump(e->u.unary.expr, b);
        buf_putc(b, ')');
        break;
    case PROMQL_EXPR_PAREN:
        buf_puts(b, "(paren ");
        dump(e->u.paren, b);
        buf_putc(b, ')');
        break;
    default:
        promql_expr_format(e, b);
    }
}

static void check_shape(const char *q, const char *want)
{
    struct promql_expr_tree *t = parse_ok(q, PROMQL_PARSE_ALL);
    struct buf b;
    buf_init(&b, 0);
    dump(t->root, &b);
    if (strcmp(buf_str(&b), want) != 0)
        test_fail(__FILE__, __LINE__, "%s parsed as %s, expected %s", q, buf_str(&b), want);
    buf_fini(&b);
    promql_expr_tree_free(t);
}

static void test_precedence(void)
{
    check_shape("-1^2", "(u- (^ 1 2))");
    check_shape("-foo^2", "(u- (^ foo 2))");
    check_shape("2^3^2", "(^ 2 (^ 3 2))");
    check_shape("2 ^ -1 * 3", "(* (^ 2 -1) 3)");
    check_shape("1 + 2 * 3", "(+ 1 (* 2 3))");
    check_shape("1 * 2 + 3", "(+ (* 1 2) 3)");
    check_shape("a - b - c", "(- (- a b) c)");
    check_shape("-a * b", "(* (u- a) b)");
    check_shape("a * -b", "(* a (u- b))");
    check_shape("a or b and c", "(or a (and b c))");
    check_shape("a unless b or c", "(or (unless a b) c)");
    check_shape("a and b == c", "(and a (== b c))");
    check_shape("a > b + c", "(> a (+ b c))");
    check_shape("a atan2 b + c", "(+ (atan2 a b) c)");
    check_shape("a % b ^ c", "(% a (^ b c))");
    check_shape("a + b offset 5m", "(+ a b offset 5m)");
    check_shape("-a offset 5m", "(u- a offset 5m)");
    check_shape("- -1", "1");
    check_shape("-(1)", "(u- (paren 1))");
    check_shape("(a + b) * c", "(* (paren (+ a b)) c)");
    check_shape("h </ 5 + 1", "(</ h (+ 5 1))");
    /* offset binds to one operand unless it starts with a parenthesis */
    check_shape("x offset -2 ^ 2", "(^ x offset -2s 2)");
    check_shape("x offset 100 + 2", "(+ x offset 1m40s 2)");
    check_shape("x offset -step() * 2", "(* x offset -step() 2)");
    check_shape("x offset (1m) + 2", "x offset (1m) + 2");
    /* keywords and aggregators are metric names where an expression starts */
    check_shape("sum + offset{a=\"b\"}", "(+ sum offset{a=\"b\"})");
    check_shape("by offset 1m", "by offset 1m");
}

static void test_types(void)
{
    static const struct {
        const char *q;
        enum promql_value_type t;
    } cases[] = {
        {"1", PROMQL_TYPE_SCALAR},          {"\"s\"", PROMQL_TYPE_STRING},
        {"foo", PROMQL_TYPE_VECTOR},        {"foo[5m]", PROMQL_TYPE_MATRIX},
        {"foo[5m:1m]", PROMQL_TYPE_MATRIX}, {"1 + 2", PROMQL_TYPE_SCALAR},
        {"1 + foo", PROMQL_TYPE_VECTOR},    {"-(1)", PROMQL_TYPE_SCALAR},
        {"sum(foo)", PROMQL_TYPE_VECTOR},   {"scalar(foo)", PROMQL_TYPE_SCALAR},
        {"time()", PROMQL_TYPE_SCALAR},     {"rate(foo[1m])", PROMQL_TYPE_VECTOR},
        {"(foo[1m])", PROMQL_TYPE_MATRIX},  {"step()", PROMQL_TYPE_SCALAR},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct promql_expr_tree *t = parse_ok(cases[i].q, PROMQL_PARSE_ALL);
        if (promql_expr_type(t->root) != cases[i].t)
            test_fail(__FILE__, __LINE__, "type of %s is %s", cases[i].q,
                      promql_value_type_str(promql_expr_type(t->root)));
        promql_expr_tree_free(t);
    }
}

static void check_error(const char *q, unsigned flags, const char *want)
{
    struct promql_expr_tree *t = NULL;
    struct err e;
    char msg[1200];
    int rc = promql_parse(q, strlen(q), flags, &t, &e);
    if (rc == 0)
        test_fail(__FILE__, __LINE__, "%s parsed, expected error %s", q, want);
    CHECK(t == NULL);
    CHECK_INT(rc, ERR_PARSE);
    CHECK_INT(e.code, ERR_PARSE);
    promql_parse_error_string(&e, msg, sizeof(msg));
    if (strcmp(msg, want) != 0)
        test_fail(__FILE__, __LINE__, "%s: got\n  %s\nexpected\n  %s", q, msg, want);
}

/* Messages as Prometheus prints them (checked against promtool where the dialects agree). */
static void test_errors(void)
{
    static const char *const cases[][2] = {
        {"foo{", "1:5: parse error: unexpected end of input inside braces"},
        {"sum(foo", "1:8: parse error: unclosed left parenthesis"},
        {"foo[5m", "1:7: parse error: unclosed left bracket"},
        {"foo[", "1:5: parse error: unexpected end of input in duration expression"},
        {"foo)", "1:5: parse error: unexpected right parenthesis ')'"},
        {"foo]", "1:4: parse error: unexpected right bracket ']'"},
        {"{}", "1:1: parse error: vector selector must contain at least one non-empty matcher"},
        {"{a=~\".*\"}",
         "1:1: parse error: vector selector must contain at least one non-empty matcher"},
        {"foo{__name__=\"bar\"}",
         "1:1: parse error: metric name must not be set twice: \"foo\" or \"bar\""},
        {"1 == 1", "1:3: parse error: comparisons between scalars must use BOOL modifier"},
        {"1 and 1",
         "1:1: parse error: set operator \"and\" not allowed in binary scalar expression"},
        {"rate(foo)", "1:6: parse error: expected type range vector in call to function "
                      "\"rate\", got instant vector"},
        {"rate(foo[5m], 1)", "1:1: parse error: expected 1 argument(s) in call to \"rate\", got 2"},
        {"round()",
         "1:1: parse error: expected at least 1 argument(s) in call to \"round\", got 0"},
        {"round(foo, 1, 2)",
         "1:1: parse error: expected at most 2 argument(s) in call to \"round\", got 3"},
        {"sum(foo[5m])", "1:5: parse error: expected type instant vector in aggregation "
                         "expression, got range vector"},
        {"topk(foo, bar)",
         "1:6: parse error: expected type scalar in aggregation parameter, got instant vector"},
        {"count_values(1, foo)",
         "1:14: parse error: expected type string in aggregation parameter, got scalar"},
        {"foo + bool bar",
         "1:5: parse error: bool modifier can only be used on comparison operators"},
        {"-\"a\"", "1:1: parse error: unary expression only allowed on expressions of type "
                   "scalar or instant vector, got \"string\""},
        {"foo[5m][1m:]",
         "1:1: parse error: subquery is only allowed on instant vector, got matrix instead"},
        {"foo offset 5m offset 1m", "1:1: parse error: offset may not be set multiple times"},
        {"foo offset 1m [5m]", "1:15: parse error: no offset modifiers allowed before range"},
        {"foo @ 1 [5m]", "1:9: parse error: no @ modifiers allowed before range"},
        {"sum(foo)[5m]", "1:9: parse error: ranges only allowed for vector selectors"},
        {"foo @ 10 @ 20", "1:1: parse error: @ <timestamp> may not be set multiple times"},
        {"(foo) offset 5m",
         "1:1: parse error: offset modifier must be preceded by an instant vector selector or "
         "range vector selector or a subquery"},
        {"foo{a=\"b\" c=\"d\"}",
         "1:11: parse error: unexpected identifier \"c\" in label matching, expected \",\" or "
         "\"}\""},
        {"foo{a}", "1:6: parse error: unexpected \"}\" in label matching, expected label "
                   "matching operator"},
        {"foo{a=b}",
         "1:7: parse error: unexpected identifier \"b\" in label matching, expected string"},
        {"foo * on(a) group_left(a) bar",
         "1:5: parse error: label \"a\" must not occur in ON and GROUP clause at once"},
        {"foo and on(a) group_left bar",
         "1:1: parse error: no grouping allowed for \"and\" operation"},
        {"foo + on(a) 1", "1:1: parse error: vector matching only allowed between instant "
                          "vectors"},
        {"unknown_fn(foo)", "1:1: parse error: unknown function with name \"unknown_fn\""},
        {"sum()", "1:1: parse error: no arguments for aggregate expression provided"},
        {"sum(1, 2)", "1:1: parse error: wrong number of arguments for aggregate expression "
                      "provided, expected 1, got 2"},
        {"foo @ end", "1:10: parse error: unexpected end of input in @, expected timestamp"},
        {"foo offset",
         "1:11: parse error: unexpected end of input in offset, expected number, duration, "
         "step(), or range()"},
        {"foo offset -bar", "1:13: parse error: unexpected identifier \"bar\" in offset, "
                            "expected number, duration, step(), or range()"},
        {"foo[0s]", "1:5: parse error: duration must be greater than 0"},
        {"foo[-5m]", "1:5: parse error: duration must be greater than 0"},
        {"foo[5m:0]", "1:8: parse error: duration must be greater than 0"},
        {"foo[]", "1:5: parse error: unexpected \"]\" in subquery or range selector, expected "
                  "number, duration, step(), or range()"},
        {"foo[5m:*]", "1:8: parse error: unexpected <op:*> in subquery selector, expected "
                      "number, duration, step(), range(), or \"]\""},
        {"foo[5m%0]", "1:7: parse error: modulo by zero"},
        {"on(a) foo", "1:1: parse error: unexpected <on>"},
        {"atan2", "1:1: parse error: unexpected <op:atan2>"},
        {"foo unless group_left bar", "1:12: parse error: unexpected <group_left>"},
        {"nosuchfn(foo[5m], )",
         "1:17: parse error: trailing commas not allowed in function call args"},
        {"1 +", "1:4: parse error: unexpected end of input"},
        {"foo bar", "1:5: parse error: unexpected identifier \"bar\""},
        {"foo $ bar", "1:5: parse error: unexpected character: '$'"},
        {"foo{!a=\"b\"}", "1:5: parse error: unexpected character after '!' inside braces: 'a'"},
        {"foo !~ bar", "1:5: parse error: unexpected character after '!': '~'"},
        {"foo =~ bar", "1:5: parse error: unexpected character after '=': '~'"},
        {"'abc", "1:1: parse error: unterminated quoted string"},
        {"`abc", "1:1: parse error: unterminated raw string"},
        {"\"abc\\q\"", "1:1: parse error: unknown escape sequence U+0071 'q'"},
        {"\"\\xZZ\"", "1:1: parse error: illegal character U+005A 'Z' in escape sequence"},
        {"\"\\ud800\"", "1:1: parse error: escape sequence is an invalid Unicode code point"},
        {"1.5h", "1:1: parse error: not a valid duration string: \"1.5h\""},
        {"5M", "1:1: parse error: bad number or duration syntax: \"5\""},
        {"foo[1m:2m:3m]", "1:10: parse error: unexpected colon ':'"},
        {"foo by (a)", "1:5: parse error: unexpected <by>"},
        {"sum by (a:b) (foo)", "1:9: parse error: unexpected metric identifier \"a:b\" in "
                               "grouping opts, expected label"},
        {"sum by a (foo)",
         "1:8: parse error: unexpected identifier \"a\" in grouping opts, expected \"(\""},
        {"sum by (a b) (foo)", "1:11: parse error: unexpected identifier \"b\" in grouping "
                               "opts, expected \",\" or \")\""},
        {"abs(foo,)", "1:8: parse error: trailing commas not allowed in function call args"},
        {"info(foo, bar)",
         "1:11: parse error: expected label selectors only, got vector selector instead"},
        {"# only a comment", "1:1: parse error: no expression found in input"},
        {"", "unknown position: parse error: no expression found in input"},
        {"foo +\n  bar{", "2:7: parse error: unexpected end of input inside braces"},
        {"foo[5m] anchored smoothed",
         "1:1: parse error: anchored and smoothed modifiers cannot be used together"},
        {"foo[5m:] anchored", "1:1: parse error: anchored modifier is not supported for "
                              "subqueries"},
        {"foo and fill(0) bar",
         "1:1: parse error: filling in missing series not allowed for set operators"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        check_error(cases[i][0], PROMQL_PARSE_ALL, cases[i][1]);
}

static void test_feature_flags(void)
{
    check_error("sort_by_label(foo, \"a\")", 0,
                "1:1: parse error: function \"sort_by_label\" is not enabled");
    check_error("limitk(1, foo)", 0,
                "1:1: parse error: limitk() is experimental and must be enabled with "
                "--enable-feature=promql-experimental-functions");
    check_error("foo[5m+1m]", 0,
                "1:5: parse error: experimental duration expression is not enabled");
    check_error("foo[5m] anchored", 0,
                "1:1: parse error: anchored modifier is experimental and not enabled");
    check_error("a + fill(0) b", 0,
                "1:1: parse error: binop fill modifiers are experimental and not enabled");
    promql_expr_tree_free(parse_ok("rate(foo[5m] offset 1m)", 0));
}

static void check_print(const char *q, const char *want)
{
    struct promql_expr_tree *t = parse_ok(q, PROMQL_PARSE_ALL);
    struct buf b;
    buf_init(&b, 0);
    CHECK_INT(promql_expr_format(t->root, &b), 0);
    if (strcmp(buf_str(&b), want) != 0)
        test_fail(__FILE__, __LINE__, "%s printed as %s, expected %s", q, buf_str(&b), want);
    buf_fini(&b);
    promql_expr_tree_free(t);
}

/* Expected forms checked against Prometheus's /api/v1/rules output (except where 3.x differs:
 * numbers are printed without exponent since 3.x). */
static void test_printer(void)
{
    static const char *const cases[][2] = {
        {"sum(rate(foo{a=\"b\"}[5m])) by (job)", "sum by (job) (rate(foo{a=\"b\"}[5m]))"},
        {"SUM WITHOUT(instance)(foo)", "sum without (instance) (foo)"},
        {"sum by () (foo)", "sum(foo)"},
        {"sum without () (foo)", "sum without () (foo)"},
        {"topk(3, foo)", "topk(3, foo)"},
        {"-1^2", "-1 ^ 2"},
        {"- -1", "1"},
        {"foo + on(a, b) group_left(c) bar", "foo + on (a, b) group_left (c) bar"},
        {"foo + ignoring(a) group_right bar", "foo + ignoring (a) group_right () bar"},
        {"foo + on() bar", "foo + on () bar"},
        {"foo and bar", "foo and bar"},
        {"foo == bool 1", "foo == bool 1"},
        {"foo offset 90s", "foo offset 1m30s"},
        {"foo offset -5m", "foo offset -5m"},
        {"foo offset 5m @ end()", "foo @ end() offset 5m"},
        {"foo @ 100.5", "foo @ 100.500"},
        {"foo[5m] offset 1w", "foo[5m] offset 1w"},
        {"foo[14d]", "foo[2w]"},
        {"foo[365d]", "foo[1y]"},
        {"foo[1500ms]", "foo[1s500ms]"},
        {"foo[300]", "foo[5m]"},
        {"rate(foo[1h:])", "rate(foo[1h:])"},
        {"max_over_time(rate(foo[5m])[30m:1m] offset 1h)",
         "max_over_time(rate(foo[5m])[30m:1m] offset 1h)"},
        {"0x10", "16"},
        {"010", "8"},
        {"1_000", "1000"},
        {"1.5e-7", "0.00000015"},
        {"1e21", "1000000000000000000000"},
        {"inf", "+Inf"},
        {"-Inf", "-Inf"},
        {"nAn", "NaN"},
        {"5m", "5m"},
        {"-5m", "-5m"},
        {"'single'", "\"single\""},
        {"`raw\\n`", "\"raw\\\\n\""},
        {"\"a\\x01\\u00e9\"", "\"a\\x01\u00e9\""},
        {"foo{b=\"1\", a=\"2\",}", "foo{a=\"2\",b=\"1\"}"},
        {"{\"my.metric\", \"a.b\"=\"x\"}", "{\"a.b\"=\"x\",__name__=\"my.metric\"}"},
        {"sum by (\"a.b\", c) (foo)", "sum by (\"a.b\", c) (foo)"},
        {"foo:bar:baz", "foo:bar:baz"},
        {"foo # comment\n + bar", "foo + bar"},
        {"foo[5m+1m]", "foo[5m + 1m]"},
        {"foo[(5m)]", "foo[(5m)]"},
        {"foo offset step()", "foo offset step()"},
        {"foo offset -step()*2", "foo offset -step() * 2"},
        {"foo[min_of(step()+1,1h):5s]", "foo[min_of(step() + 1, 1h):5s]"},
        {"rate(foo[1m] anchored)", "rate(foo[1m] anchored)"},
        {"foo @ 100 smoothed", "foo @ 100.000 smoothed"},
        {"a + fill(0) b", "a + fill (0) b"},
        {"a + fill_left(1) fill_right(-Inf) b", "a + fill_left (1) fill_right (-Inf) b"},
        {"a * on(x) group_left fill_right(1e6) b", "a * on (x) group_left () fill_right (1e+06) b"},
        {"h >/ 5", "h >/ 5"},
        {"STEP()", "step()"},
        {"vector(start())", "vector(start())"},
        {"info(e,{})", "info(e, {})"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        check_print(cases[i][0], cases[i][1]);
}

static void test_printer_capped(void)
{
    struct promql_expr_tree *t = parse_ok("sum by (job) (rate(foo[5m]))", 0);
    struct buf b;
    buf_init(&b, 10);
    CHECK_INT(promql_expr_format(t->root, &b), ERR_TOOBIG);
    CHECK_INT(b.len, 0);
    buf_fini(&b);
    buf_init(&b, 100);
    CHECK_INT(promql_expr_format(t->root, &b), 0);
    CHECK_STREQ(buf_str(&b), "sum by (job) (rate(foo[5m]))");
    buf_fini(&b);
    promql_expr_tree_free(t);
}

static void test_selector_details(void)
{
    struct promql_expr_tree *t =
        parse_ok("foo{a=\"b\", c=~\"d.*\"}[5m] offset -1m @ 10.25", PROMQL_PARSE_ALL);
    const struct promql_expr *ms = t->root, *vs;
    CHECK_INT(ms->kind, PROMQL_EXPR_MATRIX_SELECTOR);
    CHECK_INT(ms->u.ms.range_ms, 300000);
    CHECK(ms->u.ms.range_expr == NULL);
    vs = ms->u.ms.vs;
    CHECK_INT(vs->kind, PROMQL_EXPR_VECTOR_SELECTOR);
    CHECK_STREQ(vs->u.vs.name, "foo");
    CHECK_INT(vs->u.vs.nmatchers, 3);
    CHECK_STREQ(vs->u.vs.matchers[0]->name, "a");
    CHECK_INT(vs->u.vs.matchers[1]->type, MATCH_RE);
    CHECK(matcher_matches(vs->u.vs.matchers[1], "dxx"));
    CHECK_STREQ(vs->u.vs.matchers[2]->name, "__name__");
    CHECK_STREQ(vs->u.vs.matchers[2]->value, "foo");
    CHECK_INT(vs->u.vs.mods.offset_ms, -60000);
    CHECK_INT(vs->u.vs.mods.at_kind, PROMQL_AT_TIMESTAMP);
    CHECK_INT(vs->u.vs.mods.at_ms, 10250);
    CHECK_INT(t->root->pos_start, 0);
    promql_expr_tree_free(t);

    t = parse_ok("sum(rate(x[1m]))[30m:] @ start()", PROMQL_PARSE_ALL);
    CHECK_INT(t->root->kind, PROMQL_EXPR_SUBQUERY);
    CHECK_INT(t->root->u.sq.range_ms, 1800000);
    CHECK_INT(t->root->u.sq.step_ms, 0);
    CHECK(t->root->u.sq.step_expr == NULL);
    CHECK_INT(t->root->u.sq.mods.at_kind, PROMQL_AT_START);
    promql_expr_tree_free(t);

    t = parse_ok("info(foo, {k=~\".*\"})", PROMQL_PARSE_ALL);
    CHECK(t->root->u.call.args[1]->u.vs.bypass_empty_matcher_check);
    promql_expr_tree_free(t);
}

static void test_durations(void)
{
    struct promql_duration_ctx ctx = {10000, 70000, 5000};
    int64_t ms = 0;
    struct promql_expr_tree *t = parse_ok("foo[26m+4m]", PROMQL_PARSE_ALL);
    CHECK(t->root->u.ms.range_expr != NULL);
    CHECK(!t->root->u.ms.range_dynamic);
    CHECK_INT(t->root->u.ms.range_ms, 1800000);
    promql_expr_tree_free(t);

    t = parse_ok("foo[30m1s-30m1s % 1m]", PROMQL_PARSE_ALL);
    CHECK_INT(t->root->u.ms.range_ms, 1800000);
    promql_expr_tree_free(t);

    t = parse_ok("foo offset min_of(step(), 1s) + 8000", PROMQL_PARSE_ALL);
    CHECK_INT(t->root->kind, PROMQL_EXPR_BINARY);
    {
        const struct promql_expr *vs = t->root->u.binary.lhs;
        CHECK(vs->u.vs.mods.offset_dynamic);
        CHECK_INT(promql_duration_eval(vs->u.vs.mods.offset_expr, &ctx, &ms, NULL), 0);
        CHECK_INT(ms, 1000);
    }
    promql_expr_tree_free(t);

    t = parse_ok("foo[29s+1s:((((8 - 2) / 3) * 7s) % 4) + 8000ms]", PROMQL_PARSE_ALL);
    CHECK_INT(t->root->u.sq.range_ms, 30000);
    CHECK_INT(t->root->u.sq.step_ms, 10000);
    promql_expr_tree_free(t);

    t = parse_ok("foo offset range()", PROMQL_PARSE_ALL);
    CHECK_INT(promql_duration_eval(t->root->u.vs.mods.offset_expr, &ctx, &ms, NULL), 0);
    CHECK_INT(ms, 60000);
    promql_expr_tree_free(t);

    check_error("foo[1m/0]", PROMQL_PARSE_ALL, "1:7: parse error: division by zero");
}

static void test_numbers_and_strings(void)
{
    static const struct {
        const char *q;
        double v;
    } nums[] = {{"0x10", 16},  {"0X_1f", 31}, {"010", 8},      {"08", 8},          {"1_000", 1000},
                {".5", 0.5},   {"1e3", 1000}, {"1.5E-1", .15}, {"5m", 300},        {"1h30m", 5400},
                {"10ms", .01}, {"-2", -2},    {"+3", 3},       {"0777777", 262143}};
    struct promql_expr_tree *t;
    for (size_t i = 0; i < sizeof(nums) / sizeof(nums[0]); i++) {
        t = parse_ok(nums[i].q, PROMQL_PARSE_ALL);
        CHECK_INT(t->root->kind, PROMQL_EXPR_NUMBER);
        CHECK_DBL(t->root->u.number.value, nums[i].v, 1e-12);
        promql_expr_tree_free(t);
    }
    t = parse_ok("Inf", 0);
    CHECK(isinf(t->root->u.number.value) && t->root->u.number.value > 0);
    promql_expr_tree_free(t);
    t = parse_ok("-nan", 0);
    CHECK(isnan(t->root->u.number.value));
    promql_expr_tree_free(t);
    t = parse_ok("\"a\\tb\\x00c\\u00e9\"", 0);
    CHECK_INT(t->root->kind, PROMQL_EXPR_STRING);
    CHECK_INT(t->root->u.string.len, 7);
    CHECK(memcmp(t->root->u.string.value, "a\tb\0c\xc3\xa9", 7) == 0);
    promql_expr_tree_free(t);
    t = parse_ok("`a\\n\"`", 0);
    CHECK_STREQ(t->root->u.string.value, "a\\n\"");
    promql_expr_tree_free(t);
    {
        /* 'f' formatting of large numbers yields hundreds of digits that must parse back */
        struct promql_expr_tree *t2;
        struct buf b;
        t = parse_ok("-2E199", 0);
        buf_init(&b, 0);
        promql_expr_format(t->root, &b);
        CHECK_INT(b.len, 201);
        t2 = parse_ok(buf_str(&b), 0);
        CHECK(t2->root->u.number.value == -2e199);
        buf_fini(&b);
        promql_expr_tree_free(t);
        promql_expr_tree_free(t2);
    }
    check_error("1e400", 0,
                "1:1: parse error: error parsing number: strconv.ParseFloat: parsing \"1e400\": "
                "value out of range");
}

static void test_binary_details(void)
{
    struct promql_expr_tree *t =
        parse_ok("a * on(x, y) group_left(z) fill_left(2) b", PROMQL_PARSE_ALL);
    const struct promql_vector_matching *vm = t->root->u.binary.matching;
    CHECK(vm != NULL);
    CHECK_INT(vm->card, PROMQL_CARD_MANY_TO_ONE);
    CHECK(vm->on);
    CHECK_INT(vm->nlabels, 2);
    CHECK_STREQ(vm->labels[1], "y");
    CHECK_INT(vm->ninclude, 1);
    CHECK_STREQ(vm->include[0], "z");
    CHECK(vm->fill_left_set && !vm->fill_right_set);
    CHECK_DBL(vm->fill_left, 2, 0);
    promql_expr_tree_free(t);

    t = parse_ok("a or b", 0);
    CHECK_INT(t->root->u.binary.matching->card, PROMQL_CARD_MANY_TO_MANY);
    promql_expr_tree_free(t);

    t = parse_ok("a + 1", 0);
    CHECK(t->root->u.binary.matching == NULL);
    promql_expr_tree_free(t);

    t = parse_ok("1 < bool 2", 0);
    CHECK(t->root->u.binary.return_bool);
    CHECK_INT(promql_expr_type(t->root), PROMQL_TYPE_SCALAR);
    promql_expr_tree_free(t);

    /* fill is a metric name unless followed by '(' */
    t = parse_ok("fill + fill(0) other", PROMQL_PARSE_ALL);
    CHECK_STREQ(t->root->u.binary.lhs->u.vs.name, "fill");
    CHECK(t->root->u.binary.matching->fill_both);
    promql_expr_tree_free(t);
}

static void test_function_table(void)
{
    const struct promql_function *f;
    for (int id = 1; id < PROMQL_FN_COUNT_; id++) {
        f = promql_function_by_id((enum promql_func_id)id);
        CHECK(f != NULL);
        CHECK_INT(f->id, id);
        CHECK(promql_function_lookup(f->name, strlen(f->name)) == f);
    }
    CHECK(promql_function_by_id(PROMQL_FN_COUNT_) == NULL);
    CHECK(promql_function_by_id((enum promql_func_id)0) == NULL);
    f = promql_function_lookup("rate", 4);
    CHECK(f != NULL && f->args[0] == PROMQL_TYPE_MATRIX && f->ret == PROMQL_TYPE_VECTOR);
    CHECK(!f->experimental);
    f = promql_function_lookup("label_join", 10);
    CHECK(f != NULL && f->variadic == -1 && f->nargs == 4);
    CHECK(promql_function_lookup("sort_by_label", 13)->experimental);
    CHECK(promql_function_lookup("Rate", 4) == NULL);
    CHECK(promql_function_lookup("rat", 3) == NULL);
    promql_expr_tree_free(parse_ok("label_join(foo, \"d\", \",\", \"a\", \"b\", \"c\")", 0));
    promql_expr_tree_free(
        parse_ok("histogram_quantiles(foo, \"q\", 0.1, 0.5, 0.9)", PROMQL_PARSE_ALL));
    promql_expr_tree_free(NULL);
}

static void test_parse_selector(void)
{
    struct promql_expr_tree *t = NULL;
    struct err e;
    char msg[1200];
    CHECK_INT(promql_parse_selector("up{job=\"x\"}", strlen("up{job=\"x\"}"), &t, &e), 0);
    CHECK_INT(t->root->kind, PROMQL_EXPR_VECTOR_SELECTOR);
    CHECK_INT(t->root->u.vs.nmatchers, 2);
    promql_expr_tree_free(t);
    CHECK_INT(promql_parse_selector("{__name__=~\"a.*\"}", strlen("{__name__=~\"a.*\"}"), &t, &e),
              0);
    promql_expr_tree_free(t);
    CHECK_INT(promql_parse_selector("up offset 5m", strlen("up offset 5m"), &t, &e), ERR_PARSE);
    CHECK(t == NULL);
    CHECK_STREQ(promql_parse_error_string(&e, msg, sizeof(msg)),
                "1:4: parse error: unexpected <offset>");
    CHECK_INT(promql_parse_selector("sum(up)", strlen("sum(up)"), &t, &e), ERR_PARSE);
    CHECK_INT(promql_parse_selector("{}", strlen("{}"), &t, &e), ERR_PARSE);
    CHECK_STREQ(promql_parse_error_string(&e, msg, sizeof(msg)),
                "1:1: parse error: vector selector must contain at least one non-empty matcher");
}

static int collect_kinds(const struct promql_expr *e, void *ctx)
{
    struct buf *b = ctx;
    buf_printf(b, "%d ", (int)e->kind);
    return e->kind == PROMQL_EXPR_STRING ? 7 : 0;
}

static void test_walk(void)
{
    struct promql_expr_tree *t =
        parse_ok("topk(2, rate(a[5m])) + -(b offset 1m) or max_over_time(c[1h:])", 0);
    struct buf b;
    char want[128];
    buf_init(&b, 0);
    CHECK_INT(promql_expr_walk(t->root, collect_kinds, &b), 0);
    snprintf(want, sizeof(want), "%d %d %d %d %d %d %d %d %d %d %d %d %d ", PROMQL_EXPR_BINARY,
             PROMQL_EXPR_BINARY, PROMQL_EXPR_AGGREGATE, PROMQL_EXPR_NUMBER, PROMQL_EXPR_CALL,
             PROMQL_EXPR_MATRIX_SELECTOR, PROMQL_EXPR_VECTOR_SELECTOR, PROMQL_EXPR_UNARY,
             PROMQL_EXPR_PAREN, PROMQL_EXPR_VECTOR_SELECTOR, PROMQL_EXPR_CALL, PROMQL_EXPR_SUBQUERY,
             PROMQL_EXPR_VECTOR_SELECTOR);
    CHECK_STREQ(buf_str(&b), want);
    promql_expr_tree_free(t);
    t = parse_ok("label_replace(a, \"x\", \"y\", \"z\", \"w\")", 0);
    CHECK_INT(promql_expr_walk(t->root, collect_kinds, &b), 7);
    buf_fini(&b);
    promql_expr_tree_free(t);
}

static const struct test_case tests[] = {
    TEST(test_printer_capped),
    TEST(test_walk),
    TEST(test_parse_selector),
    TEST(test_precedence),
    TEST(test_types),
    TEST(test_errors),
    TEST(test_feature_flags),
    TEST(test_printer),
    TEST(test_selector_details),
    TEST(test_durations),
    TEST(test_numbers_and_strings),
    TEST(test_binary_details),
    TEST(test_function_table),
    {0},
};

TEST_MAIN(tests)
