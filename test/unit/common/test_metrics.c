/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for the self-metrics registry and its text exposition. */
#include <pthread.h>
#include <string.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/metrics.h"
#include "test/harness.h"

static char *render(struct metrics_registry *reg)
{
    static struct buf b;
    buf_fini(&b);
    buf_init(&b, 0);
    CHECK_INT(metrics_render(reg, &b), 0);
    return b.data ? b.data : "";
}

static void test_exposition(void)
{
    struct metrics_registry *reg = metrics_registry_new();
    static const char *const lbl[] = {"code", "path", NULL};
    static const double bk[] = {0.1, 1, 1e6};
    struct metrics_family *c = metrics_counter_new(reg, "b_requests_total", "Requests.", lbl);
    struct metrics_family *g = metrics_gauge_new(reg, "a_temp", "Help with \\ and\nnewline.", NULL);
    struct metrics_family *h =
        metrics_histogram_new(reg, "c_latency_seconds", "Latency.", NULL, bk, 3);
    struct metrics_family *empty = metrics_counter_new(reg, "d_unused_total", "Unused.", lbl);
    const char *v1[] = {"200", "/b"}, *v2[] = {"200", "/a"}, *v3[] = {"500", "q\"\\\nx"};
    (void)empty;
    metrics_inc(metrics_child(c, v1));
    metrics_add(metrics_child(c, v1), 2.5);
    metrics_add(metrics_child(c, v1), -7); /* counters never go down */
    metrics_inc(metrics_child(c, v2));
    metrics_add(metrics_child(c, v3), 1234567);
    metrics_set(metrics_get(g), -0.25);
    metrics_observe(metrics_get(h), 0.05);
    metrics_observe(metrics_get(h), 0.1); /* le is inclusive */
    metrics_observe(metrics_get(h), 3);
    metrics_observe(metrics_get(h), 2e6);
    CHECK_STREQ(render(reg), "# HELP a_temp Help with \\\\ and\\nnewline.\n"
                             "# TYPE a_temp gauge\n"
                             "a_temp -0.25\n"
                             "# HELP b_requests_total Requests.\n"
                             "# TYPE b_requests_total counter\n"
                             "b_requests_total{code=\"200\",path=\"/a\"} 1\n"
                             "b_requests_total{code=\"200\",path=\"/b\"} 3.5\n"
                             "b_requests_total{code=\"500\",path=\"q\\\"\\\\\\nx\"} 1.234567e+06\n"
                             "# HELP c_latency_seconds Latency.\n"
                             "# TYPE c_latency_seconds histogram\n"
                             "c_latency_seconds_bucket{le=\"0.1\"} 2\n"
                             "c_latency_seconds_bucket{le=\"1\"} 2\n"
                             "c_latency_seconds_bucket{le=\"1e+06\"} 3\n"
                             "c_latency_seconds_bucket{le=\"+Inf\"} 4\n"
                             "c_latency_seconds_sum 2.00000315e+06\n"
                             "c_latency_seconds_count 4\n");
    CHECK_INT(metrics_count(metrics_get(h)), 4);
    CHECK_DBL(metrics_value(metrics_child(c, v1)), 3.5, 0);
    /* same registration returns the same family */
    CHECK(metrics_counter_new(reg, "b_requests_total", "Requests.", lbl) == c);
    metrics_child_remove(c, v3);
    CHECK(strstr(render(reg), "500") == NULL);
    metrics_registry_free(reg);
}

static void test_number_format(void)
{
    struct metrics_registry *reg = metrics_registry_new();
    struct metric *m = metrics_get(metrics_gauge_new(reg, "x", "x", NULL));
    static const struct {
        double v;
        const char *want;
    } cases[] = {
        {100000, "x 100000\n"},
        {1e6, "x 1e+06\n"},
        {0.0001, "x 0.0001\n"},
        {0.00001, "x 1e-05\n"},
        {1.5, "x 1.5\n"},
        {0.1, "x 0.1\n"},
        {1.0 / 0.0, "x +Inf\n"},
        {-1.0 / 0.0, "x -Inf\n"},
        {0.0 / 0.0, "x NaN\n"},
        {123456.5, "x 123456.5\n"},
        {1700000000.5, "x 1.7000000005e+09\n"},
        {0, "x 0\n"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *out;
        metrics_set(m, cases[i].v);
        out = strstr(render(reg), "\nx ");
        CHECK(out != NULL);
        CHECK_STREQ(out + 1, cases[i].want);
    }
    metrics_registry_free(reg);
}

struct worker {
    struct metric *c, *h;
};

static void *hammer(void *arg)
{
    struct worker *w = arg;
    for (int i = 0; i < 100000; i++) {
        metrics_inc(w->c);
        metrics_observe(w->h, 0.5);
    }
    return NULL;
}

static void test_threads(void)
{
    struct metrics_registry *reg = metrics_registry_new();
    struct worker w;
    pthread_t th[4];
    static const double bk[] = {1};
    w.c = metrics_get(metrics_counter_new(reg, "n_total", "n", NULL));
    w.h = metrics_get(metrics_histogram_new(reg, "h", "h", NULL, bk, 1));
    for (int i = 0; i < 4; i++)
        pthread_create(&th[i], NULL, hammer, &w);
    for (int i = 0; i < 4; i++)
        pthread_join(th[i], NULL);
    CHECK_DBL(metrics_value(w.c), 400000, 0);
    CHECK_INT(metrics_count(w.h), 400000);
    CHECK_DBL(metrics_value(w.h), 200000, 0);
    metrics_registry_free(reg);
}

static void test_process_and_build_info(void)
{
    struct metrics_registry *reg = metrics_registry_new();
    const char *out;
    double start;
    metrics_register_process(reg);
    metrics_register_build_info(reg);
    out = render(reg);
    CHECK(strstr(out, "# TYPE process_cpu_seconds_total counter\n") != NULL);
    CHECK(strstr(out, "process_open_fds ") != NULL);
    CHECK(strstr(out, "process_max_fds ") != NULL);
    CHECK(strstr(out, "process_resident_memory_bytes ") != NULL);
    /* the revision baked into the library may predate this test's object: check the shape */
    CHECK(strstr(out, "\ntocsin_build_info{version=\"" TOCSIN_VERSION "\",revision=\"") != NULL);
    CHECK(strstr(strstr(out, "\ntocsin_build_info{"), "\"} 1\n") != NULL);
    start = strtod(strstr(out, "\nprocess_start_time_seconds ") + 28, NULL);
    CHECK(start > 1.6e9);
    CHECK(strtod(strstr(out, "\nprocess_resident_memory_bytes ") + 31, NULL) > 1e5);
    CHECK(strtod(strstr(out, "\nprocess_open_fds ") + 18, NULL) >= 3);
    metrics_registry_free(reg);
}

static void test_render_cap(void)
{
    struct metrics_registry *reg = metrics_registry_new();
    struct buf b;
    metrics_set(metrics_get(metrics_gauge_new(reg, "a_long_metric_name", "help text", NULL)), 1);
    buf_init(&b, 10);
    CHECK_INT(metrics_render(reg, &b), ERR_TOOBIG);
    buf_fini(&b);
    metrics_registry_free(reg);
}

static const struct test_case tests[] = {TEST(test_exposition), TEST(test_number_format),
                                         TEST(test_threads),    TEST(test_process_and_build_info),
                                         TEST(test_render_cap), {0}};
TEST_MAIN(tests)
