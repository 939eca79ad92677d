/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Parses every expression of the Prometheus conformance suite (../shared eval-index.json): each
 * must parse, print, and re-parse to the same printed form. Skips when ../shared is absent.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/err.h"
#include "evaluator/promql/ast.h"
#include "evaluator/promql/parser.h"
#include "test/harness.h"

static json_t *load_index(void)
{
    const char *shared = getenv("TOCSIN_SHARED");
    char path[1024];
    json_error_t je;
    snprintf(path, sizeof(path), "%s/conformance/promql/eval-index.json",
             shared ? shared : "../shared");
    return json_load_file(path, 0, &je);
}

static void test_suite_exprs_parse_and_roundtrip(void)
{
    json_t *idx = load_index();
    size_t i, ok = 0, bad = 0, rt_bad = 0;
    json_t *item;
    if (idx == NULL) {
        printf("skip test_suite_exprs_parse_and_roundtrip: ../shared not found\n");
        return;
    }
    json_array_foreach(idx, i, item)
    {
        const char *expr = json_string_value(json_object_get(item, "expr"));
        struct promql_expr_tree *t = NULL, *t2 = NULL;
        struct err e;
        char msg[1200];
        struct buf b1, b2;
        if (expr == NULL)
            continue;
        if (promql_parse(expr, strlen(expr), PROMQL_PARSE_ALL, &t, &e) != 0) {
            if (bad++ < 40)
                printf("# parse failed: %s:%lld: %s\n#   %s\n",
                       json_string_value(json_object_get(item, "file")),
                       (long long)json_integer_value(json_object_get(item, "line")), expr,
                       promql_parse_error_string(&e, msg, sizeof(msg)));
            continue;
        }
        ok++;
        buf_init(&b1, 0);
        buf_init(&b2, 0);
        promql_expr_format(t->root, &b1);
        if (promql_parse(b1.data, b1.len, PROMQL_PARSE_ALL, &t2, &e) != 0) {
            if (rt_bad++ < 40)
                printf("# re-parse failed: %s\n#   printed %s\n#   %s\n", expr, buf_str(&b1),
                       promql_parse_error_string(&e, msg, sizeof(msg)));
        } else {
            promql_expr_format(t2->root, &b2);
            if (strcmp(buf_str(&b1), buf_str(&b2)) != 0 && rt_bad++ < 40)
                printf("# round trip differs: %s\n#   %s\n#   %s\n", expr, buf_str(&b1),
                       buf_str(&b2));
        }
        buf_fini(&b1);
        buf_fini(&b2);
        promql_expr_tree_free(t);
        promql_expr_tree_free(t2);
    }
    printf("# %zu of %zu suite expressions parse; %zu round-trip problems\n", ok, ok + bad, rt_bad);
    json_decref(idx);
    CHECK_INT(bad, 0);
    CHECK_INT(rt_bad, 0);
}

static const struct test_case tests[] = {
    TEST(test_suite_exprs_parse_and_roundtrip),
    {0},
};

TEST_MAIN(tests)
