/* SPDX-License-Identifier: Apache-2.0 */
/* Rule queries through the PromQL engine (see query.h). */
#include "evaluator/rules/query.h"

#include "common/err.h"
#include "common/labels.h"
#include "evaluator/promql/engine.h"
#include "evaluator/promql/value.h"

int rules_query_engine(void *ctx, const char *expr, int64_t ts_ms, struct rule_vector *out,
                       struct err *e)
{
    struct rules_query_ctx *q = ctx;
    struct promql_result res;
    int rc = promql_query_instant(q->engine, &q->storage, expr, ts_ms, &res, e);
    if (rc != 0)
        return rc;
    switch (res.value.type) {
    case PROMQL_VAL_VECTOR:
        for (size_t i = 0; i < res.value.vec.n; i++) {
            struct promql_sample *s = &res.value.vec.s[i];
            rule_vector_add(out, s->labels, s->t, s->v);
            s->labels = NULL;
        }
        break;
    case PROMQL_VAL_SCALAR:
        rule_vector_add(out, labels_empty(), res.value.t, res.value.f);
        break;
    default:
        rc = err_set(e, ERR_INVALID, "rule result is not a vector or scalar");
        break;
    }
    promql_result_fini(&res);
    return rc;
}

struct promql_engine *rules_engine_new(int64_t default_step_ms)
{
    struct promql_engine_opts o;
    promql_engine_opts_default(&o);
    if (default_step_ms > 0)
        o.default_step_ms = default_step_ms;
    return promql_engine_new(&o);
}

void rules_engine_free(struct promql_engine *eng)
{
    promql_engine_free(eng);
}
