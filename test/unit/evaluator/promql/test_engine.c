/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for the PromQL engine API: queries, limits, timeouts, annotations, test storage. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "common/err.h"
#include "common/labels.h"
#include "common/matcher.h"
#include "common/xalloc.h"
#include "evaluator/promql/engine.h"
#include "evaluator/promql/storage.h"
#include "evaluator/promql/teststorage.h"
#include "evaluator/promql/value.h"
#include "test/harness.h"

/* Adds name{job=job, i=i} with samples v0, v0+step_v, ... every step_ms from 0. */
static void add_series(struct promql_teststorage *ts, const char *name, const char *job,
                       const char *i, int n, int64_t step_ms, double v0, double step_v)
{
    struct label items[] = {{"__name__", name}, {"job", job}, {"i", i}};
    struct labels *ls = labels_new(items, 3);
    for (int k = 0; k < n; k++)
        promql_teststorage_add(ts, ls, k * step_ms, v0 + k * step_v);
    labels_free(ls);
}

static struct promql_teststorage *fixture(struct promql_storage *st)
{
    struct promql_teststorage *ts = promql_teststorage_new();
    add_series(ts, "req_total", "api", "0", 11, 60000, 0, 60);
    add_series(ts, "req_total", "api", "1", 11, 60000, 0, 120);
    add_series(ts, "req_total", "db", "0", 11, 60000, 0, 30);
    promql_teststorage_interface(ts, st);
    return ts;
}

static void test_instant_selector_and_lookback(void)
{
    struct promql_storage st;
    struct promql_teststorage *ts = fixture(&st);
    struct promql_engine *eng = promql_engine_new(NULL);
    struct promql_result r;
    struct err e;
    CHECK_INT(promql_query_instant(eng, &st, "req_total{job=\"db\"}", 600000, &r, &e), 0);
    CHECK_INT(r.value.type, PROMQL_VAL_VECTOR);
    CHECK_INT(r.value.vec.n, 1);
    CHECK_DBL(r.value.vec.s[0].v, 300, 1e-9);
    CHECK_INT(r.value.vec.s[0].t, 600000);
    CHECK_STREQ(labels_get(r.value.vec.s[0].labels, "__name__"), "req_total");
    promql_result_fini(&r);
    /* The last sample is at 10m; 5m lookback is left-open, so at 15m it is gone. */
    CHECK_INT(promql_query_instant(eng, &st, "req_total", 900000, &r, &e), 0);
    CHECK_INT(r.value.vec.n, 0);
    promql_result_fini(&r);
    CHECK_INT(promql_query_instant(eng, &st, "req_total", 899999, &r, &e), 0);
    CHECK_INT(r.value.vec.n, 3);
    promql_result_fini(&r);
    promql_engine_free(eng);
    promql_teststorage_free(ts);
}

static void test_rate_sum_and_names(void)
{
    struct promql_storage st;
    struct promql_teststorage *ts = fixture(&st);
    struct promql_engine *eng = promql_engine_new(NULL);
    struct promql_result r;
    struct err e;
    CHECK_INT(promql_query_instant(eng, &st, "sum by (job) (rate(req_total[5m]))", 600000, &r, &e),
              0);
    CHECK_INT(r.value.vec.n, 2);
    promql_vector_sort_labels(&r.value.vec);
    CHECK_STREQ(labels_get(r.value.vec.s[0].labels, "job"), "api");
    CHECK_DBL(r.value.vec.s[0].v, 3, 1e-9);
    CHECK_DBL(r.value.vec.s[1].v, 0.5, 1e-9);
    CHECK(labels_get(r.value.vec.s[0].labels, "__name__") == NULL);
    promql_result_fini(&r);
    /* Arithmetic drops the metric name; comparison without bool keeps it. */
    CHECK_INT(promql_query_instant(eng, &st, "req_total{job=\"db\"} > 1", 600000, &r, &e), 0);
    CHECK_STREQ(labels_get(r.value.vec.s[0].labels, "__name__"), "req_total");
    promql_result_fini(&r);
    CHECK_INT(promql_query_instant(eng, &st, "req_total{job=\"db\"} * 2", 600000, &r, &e), 0);
    CHECK(labels_get(r.value.vec.s[0].labels, "__name__") == NULL);
    CHECK_DBL(r.value.vec.s[0].v, 600, 1e-9);
    promql_result_fini(&r);
    promql_engine_free(eng);
    promql_teststorage_free(ts);
}

static void test_range_query_sorted_matrix(void)
{
    struct promql_storage st;
    struct promql_teststorage *ts = fixture(&st);
    struct promql_engine *eng = promql_engine_new(NULL);
    struct promql_result r;
    struct err e;
    CHECK_INT(promql_query_range(eng, &st, "req_total", 0, 600000, 120000, &r, &e), 0);
    CHECK_INT(r.value.type, PROMQL_VAL_MATRIX);
    CHECK_INT(r.value.mat.n, 3);
    for (size_t i = 1; i < r.value.mat.n; i++)
        CHECK(labels_cmp(r.value.mat.s[i - 1].labels, r.value.mat.s[i].labels) < 0);
    CHECK_INT(r.value.mat.s[0].n, 6);
    CHECK_INT(r.value.mat.s[0].p[5].t, 600000);
    promql_result_fini(&r);
    /* A scalar range query is one series without labels. */
    CHECK_INT(promql_query_range(eng, &st, "time()", 0, 60000, 30000, &r, &e), 0);
    CHECK_INT(r.value.mat.n, 1);
    CHECK_INT(r.value.mat.s[0].labels->n, 0);
    CHECK_DBL(r.value.mat.s[0].p[2].v, 60, 1e-9);
    promql_result_fini(&r);
    /* Range queries need an instant-vector or scalar expression and a positive step. */
    CHECK(promql_query_range(eng, &st, "req_total[5m]", 0, 60000, 30000, &r, &e) != 0);
    CHECK(promql_query_range(eng, &st, "req_total", 0, 60000, 0, &r, &e) != 0);
    promql_engine_free(eng);
    promql_teststorage_free(ts);
}

static void test_errors(void)
{
    struct promql_storage st;
    struct promql_teststorage *ts = fixture(&st);
    struct promql_engine *eng = promql_engine_new(NULL);
    struct promql_result r;
    struct err e;
    CHECK_INT(promql_query_instant(eng, &st, "sum(", 0, &r, &e), ERR_PARSE);
    CHECK(strstr(e.msg, "parse error") != NULL);
    /* Two series that only differ by name collide once the name is dropped. */
    add_series(ts, "other_total", "db", "0", 11, 60000, 0, 1);
    CHECK_INT(promql_query_instant(eng, &st, "-{job=\"db\"}", 60000, &r, &e), ERR_INVALID);
    CHECK_STREQ(e.msg, "vector cannot contain metrics with the same labelset");
    CHECK_INT(promql_query_range(eng, &st, "-{job=\"db\"}", 0, 120000, 60000, &r, &e), ERR_INVALID);
    CHECK_STREQ(e.msg, "vector cannot contain metrics with the same labelset");
    CHECK_INT(promql_query_instant(eng, &st, "req_total + on(job) req_total", 60000, &r, &e),
              ERR_INVALID);
    CHECK(strstr(e.msg, "many-to-many matching not allowed") != NULL);
    promql_engine_free(eng);
    promql_teststorage_free(ts);
}

static void test_max_samples(void)
{
    struct promql_storage st;
    struct promql_teststorage *ts = fixture(&st);
    struct promql_engine_opts o;
    struct promql_engine *eng;
    struct promql_result r;
    struct err e;
    promql_engine_opts_default(&o);
    o.max_samples = 10;
    eng = promql_engine_new(&o);
    /* 3 series x 5 points in the window = 15 samples > 10. */
    CHECK_INT(promql_query_instant(eng, &st, "count_over_time(req_total[5m])", 600000, &r, &e),
              ERR_LIMIT);
    CHECK_STREQ(e.msg,
                "query processing would load too many samples into memory in query execution");
    /* 3 samples fit. */
    CHECK_INT(promql_query_instant(eng, &st, "req_total", 600000, &r, &e), 0);
    promql_result_fini(&r);
    /* A range query's result counts too: 3 series x 11 steps. */
    CHECK_INT(promql_query_range(eng, &st, "req_total", 0, 600000, 60000, &r, &e), ERR_LIMIT);
    promql_engine_free(eng);
    promql_teststorage_free(ts);
}

static void test_timeout(void)
{
    struct promql_storage st;
    struct promql_teststorage *ts = fixture(&st);
    struct promql_engine_opts o;
    struct promql_engine *eng;
    struct promql_result r;
    struct err e;
    promql_engine_opts_default(&o);
    o.max_samples = 0;
    o.timeout_ms = 1;
    eng = promql_engine_new(&o);
    /* Millions of inner steps: far more than 1 ms of work. */
    CHECK_INT(promql_query_instant(eng, &st, "count_over_time(vector(1)[30d:1ms])", 600000, &r, &e),
              ERR_TIMEOUT);
    CHECK_STREQ(e.msg, "query timed out in query execution");
    promql_engine_free(eng);
    promql_teststorage_free(ts);
}

static void test_annotations(void)
{
    struct promql_storage st;
    struct promql_teststorage *ts = fixture(&st);
    struct promql_engine *eng = promql_engine_new(NULL);
    struct promql_result r;
    struct err e;
    struct label items[] = {{"__name__", "temperature"}};
    struct labels *ls = labels_new(items, 1);
    promql_teststorage_add(ts, ls, 0, 1);
    promql_teststorage_add(ts, ls, 60000, 2);
    labels_free(ls);
    CHECK_INT(promql_query_instant(eng, &st, "rate(temperature[5m])", 60000, &r, &e), 0);
    CHECK_INT(r.notes.ninfo, 1);
    CHECK_STREQ(r.notes.info[0], "PromQL info: metric might not be a counter, name does not end "
                                 "in _total/_sum/_count/_bucket: \"temperature\" (1:6)");
    promql_result_fini(&r);
    CHECK_INT(promql_query_instant(eng, &st, "quantile(2, req_total)", 60000, &r, &e), 0);
    CHECK_INT(r.notes.nwarn, 1);
    CHECK(strstr(r.notes.warn[0], "quantile value should be between 0 and 1, got 2") != NULL);
    promql_result_fini(&r);
    promql_engine_free(eng);
    promql_teststorage_free(ts);
}

static void test_teststorage_select(void)
{
    struct promql_teststorage *ts = promql_teststorage_new();
    struct promql_storage st;
    struct promql_series_set set;
    struct matcher *m = NULL;
    struct label items[] = {{"__name__", "a"}};
    struct labels *ls = labels_new(items, 1);
    promql_teststorage_add(ts, ls, 20, 2);
    promql_teststorage_add(ts, ls, 10, 1);
    promql_teststorage_add(ts, ls, 30, 3);
    promql_teststorage_add(ts, ls, 20, 5); /* replaces */
    labels_free(ls);
    promql_teststorage_interface(ts, &st);
    CHECK_INT(matcher_new(MATCH_EQ, "__name__", "a", &m, NULL), 0);
    promql_series_set_init(&set);
    CHECK_INT(st.select(st.ctx, (const struct matcher *const *)&m, 1, 15, 30, &set, NULL), 0);
    CHECK_INT(set.n, 1);
    CHECK_INT(set.s[0].n, 2);
    CHECK_INT(set.s[0].t[0], 20);
    CHECK_DBL(set.s[0].v[0], 5, 0);
    promql_series_set_fini(&set);
    matcher_free(m);
    CHECK_INT(promql_teststorage_series(ts), 1);
    promql_teststorage_clear(ts);
    CHECK_INT(promql_teststorage_series(ts), 0);
    promql_teststorage_free(ts);
}

static const struct test_case tests[] = {
    TEST(test_instant_selector_and_lookback),
    TEST(test_rate_sum_and_names),
    TEST(test_range_query_sorted_matrix),
    TEST(test_errors),
    TEST(test_max_samples),
    TEST(test_timeout),
    TEST(test_annotations),
    TEST(test_teststorage_select),
    {0},
};

TEST_MAIN(tests)
