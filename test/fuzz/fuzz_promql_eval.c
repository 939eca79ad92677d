/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target: parses the input as a PromQL query and evaluates it (instant and a short range
 * query) against a small fixed data set, with tight sample and time limits.
 */
#include <stdint.h>
#include <stdlib.h>

#include "common/err.h"
#include "common/labels.h"
#include "common/xalloc.h"
#include "evaluator/promql/engine.h"
#include "evaluator/promql/teststorage.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct promql_teststorage *ts;
static struct promql_engine *eng;

static void setup(void)
{
    static const char *const jobs[] = {"api", "db"};
    struct promql_engine_opts o;
    ts = promql_teststorage_new();
    for (int j = 0; j < 2; j++) {
        for (int b = 0; b < 3; b++) {
            static const char *const les[] = {"0.1", "1", "+Inf"};
            struct label c[] = {{"__name__", "req_total"}, {"job", jobs[j]}, {"i", les[b]}};
            struct label h[] = {{"__name__", "lat_bucket"}, {"job", jobs[j]}, {"le", les[b]}};
            struct labels *lc = labels_new(c, 3), *lh = labels_new(h, 3);
            for (int k = 0; k < 20; k++) {
                promql_teststorage_add(ts, lc, k * 15000, k * (j + 1.5) + b);
                promql_teststorage_add(ts, lh, k * 15000, k * (b + 1));
            }
            labels_free(lc);
            labels_free(lh);
        }
    }
    promql_engine_opts_default(&o);
    o.max_samples = 20000;
    o.timeout_ms = 200;
    eng = promql_engine_new(&o);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *q = xstrndup((const char *)data, size);
    struct promql_storage st;
    struct promql_result r;
    struct err e;
    if (ts == NULL)
        setup();
    promql_teststorage_interface(ts, &st);
    if (promql_query_instant(eng, &st, q, 150000, &r, &e) == 0)
        promql_result_fini(&r);
    if (promql_query_range(eng, &st, q, 0, 300000, 30000, &r, &e) == 0)
        promql_result_fini(&r);
    xfree(q);
    return 0;
}
