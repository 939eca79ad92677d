/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for the in-memory window: selection, validation, retention, stats, concurrency. */
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>

#include "common/buf.h"
#include "test/unit/evaluator/tsdb/tsdb_test_util.h"

static struct tsdb *mem_db(void)
{
    return open_db(NULL);
}

static void fill_index_db(struct tsdb *db)
{
    CHECK_INT(add1(db, "__name__=up,job=api,instance=a", 1000 + fake_now, 1), -1);
    CHECK_INT(add1(db, "__name__=up,job=api,instance=b", 1000 + fake_now, 0), -1);
    CHECK_INT(add1(db, "__name__=up,job=db,instance=c", 1000 + fake_now, 1), -1);
    CHECK_INT(add1(db, "__name__=up,instance=d", 1000 + fake_now, 1), -1);
    CHECK_INT(add1(db, "__name__=http_requests_total,job=api,code=200", 1000 + fake_now, 5), -1);
}

static size_t nsel(struct tsdb *db, const char *sel)
{
    size_t n = 0;
    count_samples(db, sel, INT64_MIN, INT64_MAX, &n);
    return n;
}

static void test_select_every_matcher_kind(void)
{
    struct tsdb *db = mem_db();
    fill_index_db(db);
    CHECK_INT(nsel(db, "{__name__=\"up\"}"), 4);
    CHECK_INT(nsel(db, "{__name__=\"up\", job=\"api\"}"), 2);
    CHECK_INT(nsel(db, "{__name__=\"nope\"}"), 0);
    CHECK_INT(nsel(db, "{__name__=\"up\", job!=\"api\"}"), 2); /* db and no job */
    CHECK_INT(nsel(db, "{__name__=\"up\", job=\"\"}"), 1);     /* absent label */
    CHECK_INT(nsel(db, "{__name__=\"up\", job!=\"\"}"), 3);    /* label present */
    CHECK_INT(nsel(db, "{__name__=\"up\", job=~\"a.*\"}"), 2);
    CHECK_INT(nsel(db, "{__name__=\"up\", job=~\"a.*|\"}"), 3); /* regex matching "" */
    CHECK_INT(nsel(db, "{__name__=\"up\", job!~\"a.*\"}"), 2);
    CHECK_INT(nsel(db, "{__name__=\"up\", job!~\".+\"}"), 1);
    CHECK_INT(nsel(db, "{__name__=~\"up|http.*\"}"), 5);
    CHECK_INT(nsel(db, "{job=~\".*\"}"), 5); /* matches everything */
    CHECK_INT(nsel(db, "{job=\"api\", code=\"200\"}"), 1);
    CHECK_INT(nsel(db, "{instance=~\"a|c\", job=\"db\"}"), 1);
    CHECK_INT(nsel(db, "{__name__=\"up\", instance!~\"a|b|c|d\"}"), 0);
    {
        /* Output is sorted by labels. */
        struct matchers ms;
        struct promql_series_set set;
        CHECK(matchers_parse("{__name__=~\".+\"}", &ms, NULL) == 0);
        promql_series_set_init(&set);
        CHECK(tsdb_select(db, (const struct matcher *const *)ms.v, ms.n, INT64_MIN, INT64_MAX, &set,
                          NULL) == 0);
        CHECK_INT(set.n, 5);
        CHECK_STREQ(labels_get(set.s[0].labels, "__name__"), "http_requests_total");
        for (size_t i = 1; i < set.n; i++)
            CHECK(labels_cmp(set.s[i - 1].labels, set.s[i].labels) < 0);
        CHECK_STREQ(labels_get(set.s[4].labels, "instance"), "d");
        promql_series_set_fini(&set);
        matchers_fini(&ms);
    }
    tsdb_close(db);
}

static void test_label_apis(void)
{
    struct tsdb *db = mem_db();
    struct tsdb_strings s;
    struct tsdb_label_sets sets;
    struct matchers ms;
    struct buf b;
    fill_index_db(db);
    CHECK(tsdb_label_names(db, NULL, 0, INT64_MIN, INT64_MAX, &s, NULL) == 0);
    CHECK_INT(s.n, 4);
    CHECK_STREQ(s.v[0], "__name__");
    CHECK_STREQ(s.v[1], "code");
    CHECK_STREQ(s.v[3], "job");
    tsdb_strings_fini(&s);
    CHECK(tsdb_label_values(db, "job", NULL, 0, INT64_MIN, INT64_MAX, &s, NULL) == 0);
    CHECK_INT(s.n, 2);
    CHECK_STREQ(s.v[0], "api");
    CHECK_STREQ(s.v[1], "db");
    tsdb_strings_fini(&s);
    CHECK(matchers_parse("{__name__=\"up\"}", &ms, NULL) == 0);
    CHECK(tsdb_label_names(db, (const struct matcher *const *)ms.v, ms.n, INT64_MIN, INT64_MAX, &s,
                           NULL) == 0);
    CHECK_INT(s.n, 3); /* no "code" */
    tsdb_strings_fini(&s);
    CHECK(tsdb_label_values(db, "instance", (const struct matcher *const *)ms.v, ms.n, 0,
                            fake_now + 1000, &s, NULL) == 0);
    CHECK_INT(s.n, 4);
    tsdb_strings_fini(&s);
    /* A time range without samples selects nothing. */
    CHECK(tsdb_label_values(db, "instance", (const struct matcher *const *)ms.v, ms.n, 0, 5, &s,
                            NULL) == 0);
    CHECK_INT(s.n, 0);
    tsdb_strings_fini(&s);
    CHECK(tsdb_series(db, (const struct matcher *const *)ms.v, ms.n, INT64_MIN, INT64_MAX, &sets,
                      NULL) == 0);
    CHECK_INT(sets.n, 4);
    buf_init(&b, 0);
    labels_format(sets.v[0], &b);
    CHECK_STREQ(buf_str(&b), "{__name__=\"up\", instance=\"a\", job=\"api\"}");
    buf_fini(&b);
    tsdb_label_sets_fini(&sets);
    CHECK(tsdb_series(db, NULL, 0, INT64_MIN, INT64_MAX, &sets, NULL) == ERR_INVALID);
    matchers_fini(&ms);
    tsdb_close(db);
}

static void test_out_of_order_and_duplicates(void)
{
    struct tsdb *db = mem_db();
    struct tsdb_appender *a = tsdb_appender_new(db);
    struct tsdb_commit_result res;
    int64_t t[] = {fake_now + 10, fake_now + 20, fake_now + 15,
                   fake_now + 20, fake_now + 20, fake_now + 30};
    double v[] = {1, 2, 3, 2, 9, 4};
    struct tsdb_stats st;
    tsdb_appender_add(a, L("__name__=m,x=1"), t, v, 6);
    CHECK(tsdb_appender_commit(a, &res, NULL) == 0);
    CHECK_INT(res.appended, 4); /* 10, 20, 20 (same value: idempotent), 30 */
    CHECK_INT(res.rejected, 2);
    CHECK_INT(res.rejected_by[TSDB_REJECT_OUT_OF_ORDER], 1);
    CHECK_INT(res.rejected_by[TSDB_REJECT_DUPLICATE], 1);
    CHECK_INT(res.first_reason, TSDB_REJECT_OUT_OF_ORDER);
    CHECK(strstr(res.first_error, "out of order sample") != NULL);
    CHECK(strstr(res.first_error, "__name__=\"m\"") != NULL);
    CHECK_INT(count_samples(db, "{__name__=\"m\"}", INT64_MIN, INT64_MAX, NULL), 3);
    /* Duplicate with a different value in a later request. */
    CHECK_INT(add1(db, "__name__=m,x=1", fake_now + 30, 5), TSDB_REJECT_DUPLICATE);
    CHECK_INT(add1(db, "__name__=m,x=1", fake_now + 30, 4), -1);
    /* Too old: before now - retention, for new and existing series. */
    CHECK_INT(add1(db, "__name__=m,x=1", fake_now - TSDB_DEFAULT_RETENTION_MS - 1, 1),
              TSDB_REJECT_TOO_OLD);
    CHECK_INT(add1(db, "__name__=m,x=2", fake_now - TSDB_DEFAULT_RETENTION_MS - 1, 1),
              TSDB_REJECT_TOO_OLD);
    tsdb_stats_get(db, &st);
    CHECK_INT(st.head_series, 1); /* the too-old series was never created */
    CHECK_INT(st.rejected[TSDB_REJECT_TOO_OLD], 2);
    CHECK_INT(st.rejected[TSDB_REJECT_DUPLICATE], 2);
    tsdb_appender_free(a);
    tsdb_close(db);
}

static void test_series_limit(void)
{
    struct tsdb *db = mem_db();
    struct tsdb_appender *a = tsdb_appender_new(db);
    struct tsdb_commit_result res;
    int64_t t = fake_now;
    double v = 1;
    tsdb_appender_set_max_series(a, 2);
    tsdb_appender_add(a, L("__name__=a"), &t, &v, 1);
    tsdb_appender_add(a, L("__name__=b"), &t, &v, 1);
    tsdb_appender_add(a, L("__name__=c"), &t, &v, 1);
    tsdb_appender_add(a, L("__name__=a"), &t, &v, 1);
    CHECK(tsdb_appender_commit(a, &res, NULL) == 0);
    CHECK_INT(res.series_created, 2);
    CHECK_INT(res.appended, 3);
    CHECK_INT(res.rejected_by[TSDB_REJECT_SERIES_LIMIT], 1);
    CHECK(strstr(res.first_error, "too many series") != NULL);
    tsdb_appender_free(a);
    tsdb_close(db);
}

static void test_select_time_range_and_stale(void)
{
    struct tsdb *db = mem_db();
    struct tsdb_appender *a = tsdb_appender_new(db);
    struct tsdb_commit_result res;
    struct promql_series_set set;
    struct matchers ms;
    int64_t t[500];
    double v[500];
    uint64_t stale = PROMQL_STALE_NAN_BITS;
    for (int i = 0; i < 500; i++) {
        t[i] = fake_now + i * 1000;
        v[i] = i;
    }
    memcpy(&v[250], &stale, sizeof(stale));
    tsdb_appender_add(a, L("__name__=m"), t, v, 500);
    CHECK(tsdb_appender_commit(a, &res, NULL) == 0);
    CHECK_INT(res.appended, 500);
    CHECK_INT(count_samples(db, "{__name__=\"m\"}", INT64_MIN, INT64_MAX, NULL), 500);
    CHECK_INT(count_samples(db, "{__name__=\"m\"}", t[100], t[199], NULL), 100);
    CHECK_INT(count_samples(db, "{__name__=\"m\"}", t[499] + 1, INT64_MAX, NULL), 0);
    CHECK(matchers_parse("{__name__=\"m\"}", &ms, NULL) == 0);
    promql_series_set_init(&set);
    CHECK(tsdb_storage(db).select(db, (const struct matcher *const *)ms.v, ms.n, t[240], t[260],
                                  &set, NULL) == 0);
    CHECK_INT(set.n, 1);
    CHECK_INT(set.s[0].n, 21);
    CHECK(set.s[0].t[0] == t[240]);
    CHECK(promql_is_stale(set.s[0].v[10]));
    CHECK(!promql_is_stale(set.s[0].v[11]));
    CHECK_DBL(set.s[0].v[11], 251, 0);
    promql_series_set_fini(&set);
    matchers_fini(&ms);
    tsdb_appender_free(a);
    tsdb_close(db);
}

static void test_retention_frees_memory(void)
{
    struct tsdb *db = mem_db();
    struct tsdb_appender *a = tsdb_appender_new(db);
    struct tsdb_commit_result res;
    struct tsdb_stats st0, st1, st2;
    int64_t base = fake_now;
    for (int s = 0; s < 10; s++) {
        int64_t t[1200];
        double v[1200];
        char spec[64];
        for (int i = 0; i < 1200; i++) {
            t[i] = base + i * 15000LL;
            v[i] = i * (s + 1);
        }
        snprintf(spec, sizeof(spec), "__name__=m,s=%d", s);
        /* Series 0-4 only get the first half of the samples. */
        tsdb_appender_add(a, L(spec), t, v, s < 5 ? 600 : 1200);
    }
    CHECK(tsdb_appender_commit(a, &res, NULL) == 0);
    CHECK_INT(res.appended, 5 * 600 + 5 * 1200);
    tsdb_stats_get(db, &st0);
    CHECK_INT(st0.head_series, 10);
    CHECK_INT(st0.chunks, 5 * 5 + 5 * 10);
    /* Move the clock so the first 600 samples (9000 s) are older than the retention. */
    fake_now = base + 600 * 15000LL + TSDB_DEFAULT_RETENTION_MS;
    tsdb_gc(db);
    tsdb_stats_get(db, &st1);
    CHECK_INT(st1.head_series, 5);
    CHECK_INT(st1.series_removed, 5);
    CHECK_INT(st1.chunks, 5 * 5);
    CHECK_INT(st1.samples_in_memory, 5 * 600);
    CHECK(st1.chunk_bytes < st0.chunk_bytes / 2 + 64);
    CHECK(st1.labels_bytes < st0.labels_bytes);
    CHECK_INT(nsel(db, "{__name__=\"m\"}"), 5);
    CHECK_INT(nsel(db, "{s=\"1\"}"), 0);
    /* Everything expires. */
    fake_now = base + 1200 * 15000LL + TSDB_DEFAULT_RETENTION_MS;
    tsdb_gc(db);
    tsdb_stats_get(db, &st2);
    CHECK_INT(st2.head_series, 0);
    CHECK_INT(st2.chunk_bytes, 0);
    CHECK_INT(st2.chunk_alloc_bytes, 0);
    CHECK_INT(st2.samples_in_memory, 0);
    CHECK_INT(st2.labels_bytes, 0);
    CHECK(st2.index_bytes == 0);
    fake_now = base;
    tsdb_appender_free(a);
    tsdb_close(db);
}

static void test_retention_slow_series(void)
{
    struct tsdb *db = mem_db();
    struct tsdb_appender *a = tsdb_appender_new(db);
    struct tsdb_commit_result res;
    int64_t t[72], base = fake_now;
    double v[72];
    size_t left;
    /* One sample every 10 minutes for 12 hours, written as time goes by. */
    for (int i = 0; i < 72; i++) {
        t[i] = base + i * 600000LL;
        v[i] = i;
        fake_now = t[i];
        tsdb_appender_add(a, L("__name__=slow"), &t[i], &v[i], 1);
        CHECK(tsdb_appender_commit(a, &res, NULL) == 0);
        CHECK_INT(res.appended, 1);
    }
    tsdb_gc(db);
    /* Chunks span at most an hour (retention / 6), so at most 7 h of data remain. */
    left = count_samples(db, "{__name__=\"slow\"}", INT64_MIN, INT64_MAX, NULL);
    CHECK(left >= 36 && left <= 42);
    fake_now = base;
    tsdb_appender_free(a);
    tsdb_close(db);
}

/*
 * Bytes per sample on synthetic scrape data (15 s interval, 720 samples = 3 h per series) of
 * one kind: 0 constant (up), 1 counter with small integer increments, 2 gauge of small integers,
 * 3 random float gauge, 4 counter with timestamp jitter of a few ms.
 */
static double measure_kind(int kind)
{
    struct tsdb *db = mem_db();
    struct tsdb_appender *a = tsdb_appender_new(db);
    struct tsdb_commit_result res;
    struct tsdb_stats st;
    uint64_t r = 88172645463325252ULL;
    for (int s = 0; s < 100; s++) {
        int64_t t[720];
        double v[720];
        char spec[64];
        double c = 1000.0 * s;
        for (int i = 0; i < 720; i++) {
            r ^= r << 13;
            r ^= r >> 7;
            r ^= r << 17;
            t[i] = fake_now + i * 15000LL;
            switch (kind) {
            case 0:
                v[i] = 1;
                break;
            case 1:
                v[i] = (c += (double)(r % 10));
                break;
            case 2:
                v[i] = (double)(r % 100);
                break;
            case 3:
                v[i] = (double)(r % 1000000) / 7.0;
                break;
            default:
                t[i] += (int64_t)(r % 5);
                v[i] = (c += (double)(r % 10));
                break;
            }
        }
        snprintf(spec, sizeof(spec), "__name__=m%d,instance=i%d", s % 10, s);
        tsdb_appender_add(a, L(spec), t, v, 720);
    }
    CHECK(tsdb_appender_commit(a, &res, NULL) == 0);
    tsdb_stats_get(db, &st);
    printf("# kind %d: %.3f bytes/sample in chunk data, %.3f with chunk headers\n", kind,
           st.bytes_per_sample, (double)st.chunk_alloc_bytes / (double)st.samples_in_memory);
    tsdb_appender_free(a);
    tsdb_close(db);
    return st.bytes_per_sample;
}

static void test_bytes_per_sample(void)
{
    double k[5];
    for (int i = 0; i < 5; i++)
        k[i] = measure_kind(i);
    printf("# mix of constant, counter, small gauge: %.3f bytes/sample\n",
           (k[0] + k[1] + k[2]) / 3);
    CHECK(k[0] < 0.5);
    CHECK(k[1] <= 1.5);
    CHECK(k[2] <= 1.9);
    CHECK(k[4] <= 2.4);
    CHECK((k[0] + k[1] + k[2]) / 3 <= 1.3);
}

/* ---- concurrency ---- */

struct conc {
    struct tsdb *db;
    int id;
    _Atomic int *stop;
};

static void *writer_main(void *arg)
{
    struct conc *c = arg;
    struct tsdb_appender *a = tsdb_appender_new(c->db);
    for (int round = 0; round < 200; round++) {
        struct tsdb_commit_result res;
        for (int s = 0; s < 20; s++) {
            char spec[64];
            int64_t t = fake_now + round * 1000;
            double v = round;
            snprintf(spec, sizeof(spec), "__name__=c,w=%d,s=%d", c->id, s);
            tsdb_appender_add(a, L(spec), &t, &v, 1);
        }
        CHECK(tsdb_appender_commit(a, &res, NULL) == 0);
        CHECK_INT(res.rejected, 0);
    }
    tsdb_appender_free(a);
    return NULL;
}

static void *reader_main(void *arg)
{
    struct conc *c = arg;
    while (!*c->stop) {
        struct tsdb_strings s;
        size_t n = 0;
        count_samples(c->db, "{__name__=\"c\", s=~\"1.*\"}", INT64_MIN, INT64_MAX, &n);
        CHECK(n <= 4 * 11);
        CHECK(tsdb_label_values(c->db, "w", NULL, 0, INT64_MIN, INT64_MAX, &s, NULL) == 0);
        tsdb_strings_fini(&s);
        tsdb_gc(c->db);
    }
    return NULL;
}

static void test_concurrent_append_and_query(void)
{
    struct tsdb *db = mem_db();
    pthread_t w[4], r[2];
    struct conc cw[4], cr[2];
    _Atomic int stop = 0;
    size_t n = 0;
    for (int i = 0; i < 2; i++) {
        cr[i] = (struct conc){db, i, &stop};
        pthread_create(&r[i], NULL, reader_main, &cr[i]);
    }
    for (int i = 0; i < 4; i++) {
        cw[i] = (struct conc){db, i, &stop};
        pthread_create(&w[i], NULL, writer_main, &cw[i]);
    }
    for (int i = 0; i < 4; i++)
        pthread_join(w[i], NULL);
    stop = 1;
    for (int i = 0; i < 2; i++)
        pthread_join(r[i], NULL);
    CHECK_INT(count_samples(db, "{__name__=\"c\"}", INT64_MIN, INT64_MAX, &n), 4 * 20 * 200);
    CHECK_INT(n, 80);
    tsdb_close(db);
}

static const struct test_case tests[] = {
    TEST(test_select_every_matcher_kind),   TEST(test_label_apis),
    TEST(test_out_of_order_and_duplicates), TEST(test_series_limit),
    TEST(test_select_time_range_and_stale), TEST(test_retention_frees_memory),
    TEST(test_retention_slow_series),       TEST(test_bytes_per_sample),
    TEST(test_concurrent_append_and_query), {0},
};
TEST_MAIN(tests)
