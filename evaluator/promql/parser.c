/* SPDX-License-Identifier: Apache-2.0 */
/* The PromQL parser (work in progress: the grammar lands in the next commits). */
#include "evaluator/promql/parser.h"

#include <stdio.h>

#include "common/err.h"
#include "evaluator/promql/ast.h"

int promql_parse(const char *query, size_t len, unsigned flags, struct promql_expr_tree **out,
                 struct err *e)
{
    (void)query;
    (void)len;
    (void)flags;
    *out = NULL;
    return err_set(e, ERR_UNSUPPORTED, "PromQL parser not implemented yet");
}

const char *promql_parse_error_string(const struct err *e, char *out, size_t n)
{
    if (e->line > 0)
        snprintf(out, n, "%d:%d: parse error: %s", e->line, e->column, e->msg);
    else
        snprintf(out, n, "%s", e->msg);
    return out;
}
