/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target: PromQL parsing. Whatever parses must print, and the printed form must parse again
 * and print identically (Prometheus's String() round-trip property, see the +Inf exception).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/err.h"
#include "evaluator/promql/ast.h"
#include "evaluator/promql/parser.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct promql_expr_tree *t = NULL, *t2 = NULL;
    struct err e;
    struct buf b1, b2;
    if (size > 4096)
        return 0;
    if (promql_parse((const char *)data, size, PROMQL_PARSE_ALL, &t, &e) != 0)
        return 0;
    buf_init(&b1, 0);
    buf_init(&b2, 0);
    (void)promql_expr_type(t->root);
    promql_expr_format(t->root, &b1);
    if (promql_parse(b1.data, b1.len, PROMQL_PARSE_ALL, &t2, &e) != 0)
        abort(); /* the printed form must parse */
    promql_expr_format(t2->root, &b2);
    /* Printing is a fixed point, except that Prometheus prints the literal +Inf with a sign that
     * reads back as a unary plus (`Inf ^ 2` prints as `+Inf ^ 2`, which is `+(Inf ^ 2)`). */
    if (strstr(buf_str(&b1), "Inf") == NULL &&
        (b1.len != b2.len || memcmp(b1.data, b2.data, b1.len) != 0))
        abort();
    buf_fini(&b1);
    buf_fini(&b2);
    promql_expr_tree_free(t);
    promql_expr_tree_free(t2);
    return 0;
}
