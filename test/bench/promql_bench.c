/* SPDX-License-Identifier: Apache-2.0 */
/*
 * PromQL engine benchmark: generated counters and classic histograms (1, 10, 100, 1000 series,
 * 15s scrape interval over 1h), instant and 1000-step range queries; prints CPU time per query
 * and bytes allocated (counted by the malloc wrappers below; not available under ASan).
 *   promql_bench [max_series]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/err.h"
#include "common/labels.h"
#include "evaluator/promql/engine.h"
#include "evaluator/promql/teststorage.h"

#if defined(__SANITIZE_ADDRESS__)
#define BENCH_COUNT_ALLOC 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define BENCH_COUNT_ALLOC 0
#endif
#endif
#ifndef BENCH_COUNT_ALLOC
#define BENCH_COUNT_ALLOC 1
#endif

static unsigned long long alloc_bytes, alloc_calls;

#if BENCH_COUNT_ALLOC
/* Counting wrappers over glibc's allocator: every malloc in the process goes through these. */
void *__libc_malloc(size_t n);
void *__libc_calloc(size_t a, size_t b);
void *__libc_realloc(void *p, size_t n);
void __libc_free(void *p);
void *malloc(size_t n);
void *calloc(size_t a, size_t b);
void *realloc(void *p, size_t n);
void free(void *p);

void *malloc(size_t n)
{
    alloc_bytes += n;
    alloc_calls++;
    return __libc_malloc(n);
}

void *calloc(size_t a, size_t b)
{
    alloc_bytes += a * b;
    alloc_calls++;
    return __libc_calloc(a, b);
}

void *realloc(void *p, size_t n)
{
    alloc_bytes += n;
    alloc_calls++;
    return __libc_realloc(p, n);
}

void free(void *p)
{
    __libc_free(p);
}
#endif

#define SCRAPE_MS 15000
#define SPAN_MS   (3600 * 1000)

/* CPU time of the process: steadier than wall time on a shared machine. */
static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void load(struct promql_teststorage *ts, int nseries)
{
    static const char *const les[] = {"0.1", "0.5", "1", "5", "+Inf"};
    char inst[32], job[32];
    for (int i = 0; i < nseries; i++) {
        struct labels *x, *y, *h;
        snprintf(inst, sizeof(inst), "host-%d", i);
        snprintf(job, sizeof(job), "job-%d", i % 10);
        {
            struct label a[] = {{"__name__", "x"}, {"job", job}, {"instance", inst}};
            struct label b[] = {{"__name__", "y"}, {"job", job}, {"instance", inst}};
            x = labels_new(a, 3);
            y = labels_new(b, 3);
        }
        {
            char hinst[32];
            struct label c[] = {
                {"__name__", "h_bucket"}, {"job", job}, {"instance", hinst}, {"le", les[i % 5]}};
            snprintf(hinst, sizeof(hinst), "host-%d", i / 5);
            h = labels_new(c, 4);
        }
        for (int64_t t = 0; t <= SPAN_MS; t += SCRAPE_MS) {
            double k = (double)(t / SCRAPE_MS);
            promql_teststorage_add(ts, x, t, k * (1 + i % 7));
            promql_teststorage_add(ts, y, t, 100 + i);
            promql_teststorage_add(ts, h, t, k * (1 + i % 5));
        }
        labels_free(x);
        labels_free(y);
        labels_free(h);
    }
}

static const char *const queries[] = {
    "rate(x[5m])",
    "sum by (job) (rate(x[5m]))",
    "rate(x[5m]) / on(job, instance) y",
    "histogram_quantile(0.9, sum by (le) (rate(h_bucket[5m])))",
    "max_over_time(rate(x[5m])[30m:1m])",
};

int main(int argc, char **argv)
{
    int max_series = argc > 1 ? (int)strtol(argv[1], NULL, 10) : 1000;
    struct promql_engine_opts o;
    struct promql_engine *eng;
    promql_engine_opts_default(&o);
    o.max_samples = 0;
    o.timeout_ms = 0;
    eng = promql_engine_new(&o);
    printf("%-8s %-60s %-8s %10s %14s %10s %8s\n", "series", "query", "kind", "cpu_ms", "bytes",
           "allocs", "result");
    for (int n = 1; n <= max_series; n *= 10) {
        struct promql_teststorage *ts = promql_teststorage_new();
        struct promql_storage st;
        load(ts, n);
        promql_teststorage_interface(ts, &st);
        for (size_t q = 0; q < sizeof(queries) / sizeof(queries[0]); q++) {
            for (int range = 0; range < 2; range++) {
                struct promql_result r;
                struct err e;
                unsigned long long b0 = alloc_bytes, c0 = alloc_calls;
                double t0 = now_ms(), t1;
                int rc;
                size_t got;
                if (range)
                    rc = promql_query_range(eng, &st, queries[q], 600000, SPAN_MS,
                                            (SPAN_MS - 600000) / 1000, &r, &e);
                else
                    rc = promql_query_instant(eng, &st, queries[q], SPAN_MS, &r, &e);
                t1 = now_ms();
                if (rc != 0) {
                    printf("not ok promql-bench: %s: %s\n", queries[q], e.msg);
                    return 1;
                }
                got = r.value.type == PROMQL_VAL_MATRIX ? promql_matrix_points(&r.value.mat)
                                                        : r.value.vec.n;
                if (BENCH_COUNT_ALLOC)
                    printf("%-8d %-60s %-8s %10.2f %14llu %10llu %8zu\n", n, queries[q],
                           range ? "range" : "instant", t1 - t0, alloc_bytes - b0, alloc_calls - c0,
                           got);
                else
                    printf("%-8d %-60s %-8s %10.2f %14s %10s %8zu\n", n, queries[q],
                           range ? "range" : "instant", t1 - t0, "n/a", "n/a", got);
                (void)c0;
                promql_result_fini(&r);
            }
        }
        promql_teststorage_free(ts);
    }
    promql_engine_free(eng);
    printf("ok promql-bench\n");
    return 0;
}
