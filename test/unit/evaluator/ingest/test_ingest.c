/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for remote-write ingestion: 1.0/2.0 bodies, captures, every error status. */
#include <dirent.h>
#include <jansson.h>
#include <signal.h>
#include <snappy-c.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "common/err.h"
#include "common/labels.h"
#include "common/matcher.h"
#include "common/xalloc.h"
#include "evaluator/ingest/ingest.h"
#include "evaluator/ingest/rwenc.h"
#include "evaluator/tsdb/tsdb.h"
#include "proto/remote_write_v1.pb-c.h"
#include "proto/remote_write_v2.pb-c.h"
#include "test/harness.h"

#define CT_V1 "application/x-protobuf"
#define CT_V2 "application/x-protobuf;proto=io.prometheus.write.v2.Request"

static int64_t now_ms = 1795433800000LL;

static int64_t clock_fn(void *ctx)
{
    (void)ctx;
    return now_ms;
}

static struct tsdb *new_db(void)
{
    struct tsdb_options o;
    struct tsdb *db = NULL;
    tsdb_options_default(&o);
    o.background = false;
    o.now_ms = clock_fn;
    CHECK(tsdb_open(&o, &db, NULL) == 0);
    return db;
}

static struct labels *L2(const char *name, const char *k, const char *v)
{
    struct label items[2] = {{"__name__", name}, {k, v}};
    return labels_new(items, k ? 2 : 1);
}

static size_t stored(struct tsdb *db, const char *sel)
{
    struct matchers ms;
    struct promql_series_set set;
    size_t total = 0;
    CHECK(matchers_parse(sel, &ms, NULL) == 0);
    promql_series_set_init(&set);
    CHECK(tsdb_select(db, (const struct matcher *const *)ms.v, ms.n, INT64_MIN, INT64_MAX, &set,
                      NULL) == 0);
    for (size_t i = 0; i < set.n; i++)
        total += set.s[i].n;
    promql_series_set_fini(&set);
    matchers_fini(&ms);
    return total;
}

static uint64_t head_series(struct tsdb *db)
{
    struct tsdb_stats st;
    tsdb_stats_get(db, &st);
    return st.head_series;
}

/* Encodes the rwenc contents, sends them and frees the body. */
static int send(struct tsdb *db, struct rwenc *w, const char *ct, const struct ingest_limits *lim,
                struct ingest_result *res)
{
    uint8_t *body;
    size_t len;
    int rc;
    rwenc_finish(w, true, &body, &len);
    rc = ingest_write(db, ct, "snappy", body, len, lim, res);
    xfree(body);
    return rc;
}

static void test_v1_and_v2_success(void)
{
    struct tsdb *db = new_db();
    struct ingest_result res;
    for (int version = 1; version <= 2; version++) {
        struct rwenc *w = rwenc_new(version);
        struct labels *a = L2(version == 1 ? "m1" : "m2", "job", "x");
        struct labels *b = L2(version == 1 ? "m1" : "m2", "job", "y");
        for (int i = 0; i < 5; i++) {
            rwenc_add(w, a, now_ms - 5000 + i * 1000, i);
            rwenc_add(w, b, now_ms - 5000 + i * 1000, i * 2);
        }
        CHECK(send(db, w, version == 1 ? CT_V1 : CT_V2, NULL, &res) == 0);
        CHECK_INT(res.status, 204);
        CHECK_STREQ(res.message, "");
        CHECK_INT(res.v2, version == 2);
        CHECK_INT(res.samples_written, 10);
        CHECK_INT(res.series_created, 2);
        CHECK_INT(res.histograms_written, 0);
        labels_free(a);
        labels_free(b);
        rwenc_free(w);
    }
    CHECK_INT(stored(db, "{__name__=\"m1\"}"), 10);
    CHECK_INT(stored(db, "{__name__=\"m2\", job=\"y\"}"), 5);
    tsdb_close(db);
}

static void test_content_type_variants(void)
{
    static const char *ok_v1[] = {"", "application/x-protobuf", "Application/X-Protobuf ",
                                  "application/x-protobuf; proto=prometheus.WriteRequest",
                                  "application/x-protobuf;proto=\"prometheus.WriteRequest\""};
    static const char *bad[] = {"application/json", "text/plain",
                                "application/x-protobuf;proto=foo.Bar",
                                "application/x-protobuf-foo"};
    struct tsdb *db = new_db();
    struct ingest_result res;
    uint8_t *body;
    size_t len;
    struct rwenc *w = rwenc_new(1);
    struct labels *a = L2("m", NULL, NULL);
    rwenc_add(w, a, now_ms, 1);
    rwenc_finish(w, true, &body, &len);
    for (size_t i = 0; i < sizeof(ok_v1) / sizeof(ok_v1[0]); i++) {
        CHECK(ingest_write(db, ok_v1[i], NULL, body, len, NULL, &res) == 0);
        CHECK_INT(res.status, 204);
        CHECK(!res.v2);
    }
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        CHECK(ingest_write(db, bad[i], "snappy", body, len, NULL, &res) == ERR_UNSUPPORTED);
        CHECK_INT(res.status, 415);
        CHECK(strstr(res.message, "unsupported") != NULL);
    }
    CHECK(ingest_write(db, CT_V1, "gzip", body, len, NULL, &res) == ERR_UNSUPPORTED);
    CHECK_INT(res.status, 415);
    CHECK(strstr(res.message, "Content-Encoding") != NULL);
    CHECK(ingest_write(db, CT_V1, " Snappy", body, len, NULL, &res) == 0);
    CHECK_INT(stored(db, "{__name__=\"m\"}"), 1); /* identical re-sends are idempotent */
    xfree(body);
    labels_free(a);
    rwenc_free(w);
    tsdb_close(db);
}

static void test_malformed_bodies_store_nothing(void)
{
    struct tsdb *db = new_db();
    struct ingest_result res;
    struct ingest_limits lim;
    uint8_t *body;
    size_t len, clen;
    char *junk;
    struct rwenc *w = rwenc_new(1);
    struct labels *a = L2("m", "k", "v");
    for (int i = 0; i < 200; i++)
        rwenc_add(w, a, now_ms - 200000 + i * 1000, i);
    rwenc_finish(w, true, &body, &len);
    /* Not snappy at all. */
    CHECK(ingest_write(db, CT_V1, "snappy", "garbage", 7, NULL, &res) == ERR_INVALID);
    CHECK_INT(res.status, 400);
    CHECK_STREQ(res.message, "snappy: corrupt input");
    CHECK(ingest_write(db, CT_V1, "snappy", "", 0, NULL, &res) == ERR_INVALID);
    /* Truncated snappy. */
    for (size_t cut = 1; cut < len; cut += len / 7 + 1) {
        CHECK(ingest_write(db, CT_V1, "snappy", body, cut, NULL, &res) == ERR_INVALID);
        CHECK_INT(res.status, 400);
    }
    /* Valid snappy around invalid protobuf. */
    junk = xmalloc(snappy_max_compressed_length(9));
    clen = snappy_max_compressed_length(9);
    snappy_compress("\x0a\xff\xff\xff\xff\x0f\x01\x02\x03", 9, junk, &clen);
    CHECK(ingest_write(db, CT_V1, "snappy", junk, clen, NULL, &res) == ERR_INVALID);
    CHECK_INT(res.status, 400);
    CHECK(strstr(res.message, "decode protobuf") != NULL);
    CHECK(ingest_write(db, CT_V2, "snappy", junk, clen, NULL, &res) == ERR_INVALID);
    CHECK(strstr(res.message, "io.prometheus.write.v2.Request") != NULL);
    xfree(junk);
    /* Over the limits. */
    ingest_limits_default(&lim);
    lim.max_body_bytes = len - 1;
    CHECK(ingest_write(db, CT_V1, "snappy", body, len, &lim, &res) == ERR_TOOBIG);
    CHECK_INT(res.status, 413);
    ingest_limits_default(&lim);
    lim.max_decompressed_bytes = 100;
    CHECK(ingest_write(db, CT_V1, "snappy", body, len, &lim, &res) == ERR_TOOBIG);
    CHECK_INT(res.status, 413);
    CHECK(strstr(res.message, "decompressed") != NULL);
    /* A header that claims 4 GiB is refused before any allocation. */
    CHECK(ingest_write(db, CT_V1, "snappy", "\xff\xff\xff\xff\x0f\x00", 6, NULL, &res) ==
          ERR_TOOBIG);
    CHECK_INT(head_series(db), 0);
    CHECK_INT(stored(db, "{k=\"v\"}"), 0);
    /* The same body within the limits is fine. */
    CHECK(ingest_write(db, CT_V1, "snappy", body, len, NULL, &res) == 0);
    CHECK_INT(stored(db, "{k=\"v\"}"), 200);
    xfree(body);
    labels_free(a);
    rwenc_free(w);
    tsdb_close(db);
}

/* Builds a 1.0 body from raw name/value pairs (duplicates and empty names allowed). */
static void raw_v1(const char *const *pairs, size_t npairs, const char *const *pairs2,
                   size_t npairs2, uint8_t **out, size_t *len)
{
    Prometheus__WriteRequest req = PROMETHEUS__WRITE_REQUEST__INIT;
    Prometheus__TimeSeries ts[2], *tsp[2];
    Prometheus__Label l[2][16], *lp[2][16];
    Prometheus__Sample s[2], *sp[2];
    const char *const *pp[2] = {pairs, pairs2};
    size_t np[2] = {npairs, npairs2};
    size_t n;
    uint8_t *pb;
    for (int i = 0; i < 2; i++) {
        prometheus__time_series__init(&ts[i]);
        for (size_t k = 0; k < np[i]; k++) {
            prometheus__label__init(&l[i][k]);
            l[i][k].name = (char *)pp[i][2 * k];
            l[i][k].value = (char *)pp[i][2 * k + 1];
            lp[i][k] = &l[i][k];
        }
        ts[i].n_labels = np[i];
        ts[i].labels = lp[i];
        prometheus__sample__init(&s[i]);
        s[i].timestamp = now_ms;
        s[i].value = 1;
        sp[i] = &s[i];
        ts[i].n_samples = 1;
        ts[i].samples = &sp[i];
        tsp[i] = &ts[i];
    }
    req.n_timeseries = 2;
    req.timeseries = tsp;
    n = prometheus__write_request__get_packed_size(&req);
    pb = xmalloc(n);
    prometheus__write_request__pack(&req, pb);
    *len = snappy_max_compressed_length(n);
    *out = xmalloc(*len);
    snappy_compress((const char *)pb, n, (char *)*out, len);
    xfree(pb);
}

static void check_invalid(const char *const *pairs, size_t npairs, const char *want,
                          const struct ingest_limits *lim)
{
    static const char *const good[] = {"__name__", "good", "job", "a"};
    struct tsdb *db = new_db();
    struct ingest_result res;
    struct tsdb_stats st;
    uint8_t *body;
    size_t len;
    raw_v1(pairs, npairs, good, 2, &body, &len);
    CHECK(ingest_write(db, CT_V1, "snappy", body, len, lim, &res) == ERR_INVALID);
    CHECK_INT(res.status, 400);
    if (strstr(res.message, want) == NULL)
        test_fail(__FILE__, __LINE__, "message \"%s\" lacks \"%s\"", res.message, want);
    CHECK_INT(res.samples_written, 1); /* the valid series is stored anyway */
    CHECK_INT(res.samples_rejected, 1);
    CHECK_INT(stored(db, "{__name__=\"good\"}"), 1);
    CHECK_INT(head_series(db), 1);
    tsdb_stats_get(db, &st);
    CHECK_INT(st.rejected[TSDB_REJECT_INVALID_LABELS] + st.rejected[TSDB_REJECT_LABEL_LIMITS], 1);
    xfree(body);
    tsdb_close(db);
}

static void test_invalid_labels(void)
{
    static const char *const no_name[] = {"job", "a"};
    static const char *const empty_name[] = {"__name__", "m", "", "x"};
    static const char *const dup[] = {"__name__", "m", "job", "a", "job", "b"};
    static const char *const bad_utf8[] = {"__name__", "m", "j\xffob", "a"};
    static const char *const bad_utf8_value[] = {"__name__", "m", "job", "\xc3("};
    static const char *const unsorted[] = {"zz", "1", "__name__", "unsorted", "aa", "2"};
    static const char *const many[] = {"__name__", "m", "a", "1", "b", "2", "c", "3"};
    struct ingest_limits lim;
    check_invalid(no_name, 1, "missing metric name", NULL);
    check_invalid(empty_name, 2, "empty label name", NULL);
    check_invalid(dup, 3, "duplicate label name job", NULL);
    check_invalid(bad_utf8, 2, "not valid UTF-8", NULL);
    check_invalid(bad_utf8_value, 2, "value of label job is not valid UTF-8", NULL);
    ingest_limits_default(&lim);
    lim.max_labels_per_series = 3;
    check_invalid(many, 4, "4 labels, the limit is 3", &lim);
    ingest_limits_default(&lim);
    lim.max_label_value_len = 4;
    {
        static const char *const longv[] = {"__name__", "m", "job", "abcde"};
        check_invalid(longv, 2, "too long", &lim);
    }
    /* Unsorted labels are fine. */
    {
        static const char *const good[] = {"__name__", "good"};
        struct tsdb *db = new_db();
        struct ingest_result res;
        uint8_t *body;
        size_t len;
        raw_v1(unsorted, 3, good, 1, &body, &len);
        CHECK(ingest_write(db, CT_V1, "snappy", body, len, NULL, &res) == 0);
        CHECK_INT(stored(db, "{__name__=\"unsorted\", aa=\"2\", zz=\"1\"}"), 1);
        xfree(body);
        tsdb_close(db);
    }
}

static void test_partial_acceptance_out_of_order(void)
{
    struct tsdb *db = new_db();
    struct ingest_result res;
    struct rwenc *w = rwenc_new(2);
    struct labels *a = L2("m", "k", "a"), *b = L2("m", "k", "b");
    rwenc_add(w, a, now_ms, 1);
    CHECK(send(db, w, CT_V2, NULL, &res) == 0);
    rwenc_free(w);
    w = rwenc_new(2);
    rwenc_add(w, a, now_ms - 1000, 1);              /* out of order */
    rwenc_add(w, a, now_ms, 2);                     /* duplicate, different value */
    rwenc_add(w, a, now_ms + 1000, 3);              /* fine */
    rwenc_add(w, b, now_ms - 7 * 3600 * 1000LL, 1); /* too old */
    rwenc_add(w, b, now_ms, 1);                     /* fine */
    CHECK(send(db, w, CT_V2, NULL, &res) == ERR_INVALID);
    CHECK_INT(res.status, 400);
    CHECK(strstr(res.message, "out of order sample") != NULL);
    CHECK(strstr(res.message, "2 samples written, 3 rejected") != NULL);
    CHECK_INT(res.samples_written, 2);
    CHECK(res.v2);
    CHECK_INT(stored(db, "{__name__=\"m\"}"), 3);
    labels_free(a);
    labels_free(b);
    rwenc_free(w);
    tsdb_close(db);
}

static void test_histograms_rejected_floats_kept(void)
{
    struct tsdb *db = new_db();
    struct ingest_result res;
    for (int version = 1; version <= 2; version++) {
        struct rwenc *w = rwenc_new(version);
        struct labels *h = L2("hist", "v", version == 1 ? "1" : "2");
        struct labels *f = L2("float", "v", version == 1 ? "1" : "2");
        rwenc_add_histogram(w, h, now_ms, 3);
        rwenc_add_histogram(w, h, now_ms + 1, 4);
        rwenc_add(w, f, now_ms, 1);
        CHECK(send(db, w, version == 1 ? CT_V1 : CT_V2, NULL, &res) == ERR_INVALID);
        CHECK_INT(res.status, 400);
        CHECK(strstr(res.message, "native histograms not supported yet") != NULL);
        CHECK_INT(res.histograms_rejected, 2);
        CHECK_INT(res.histograms_written, 0);
        CHECK_INT(res.samples_written, 1);
        labels_free(h);
        labels_free(f);
        rwenc_free(w);
    }
    CHECK_INT(stored(db, "{__name__=\"float\"}"), 2);
    CHECK_INT(stored(db, "{__name__=\"hist\"}"), 0);
    {
        struct tsdb_stats st;
        tsdb_stats_get(db, &st);
        CHECK_INT(st.rejected[TSDB_REJECT_HISTOGRAM], 4);
    }
    tsdb_close(db);
}

static void test_series_limit(void)
{
    struct tsdb *db = new_db();
    struct ingest_result res;
    struct ingest_limits lim;
    struct rwenc *w = rwenc_new(1);
    ingest_limits_default(&lim);
    lim.max_series = 3;
    for (int i = 0; i < 5; i++) {
        char v[16];
        struct labels *a;
        snprintf(v, sizeof(v), "%d", i);
        a = L2("m", "i", v);
        rwenc_add(w, a, now_ms, i);
        labels_free(a);
    }
    CHECK(send(db, w, CT_V1, &lim, &res) == ERR_INVALID);
    CHECK(strstr(res.message, "too many series") != NULL);
    CHECK_INT(res.samples_written, 3);
    CHECK_INT(head_series(db), 3);
    rwenc_free(w);
    tsdb_close(db);
}

/* Loads a whole file. Returns NULL when it cannot be read. */
static uint8_t *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    uint8_t *data;
    long n;
    if (f == NULL)
        return NULL;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    data = xmalloc((size_t)n + 1);
    *len = fread(data, 1, (size_t)n, f);
    fclose(f);
    return data;
}

static void test_captured_prometheus_bodies(void)
{
    const char *shared = getenv("TOCSIN_SHARED");
    char *dir;
    DIR *d;
    struct dirent *de;
    int files = 0;
    if (shared == NULL)
        shared = "../shared";
    dir = xasprintf("%s/conformance/alertmanager/captures/prometheus-remote-write", shared);
    d = opendir(dir);
    if (d == NULL) {
        printf("skip test_captured_prometheus_bodies: ../shared not found\n");
        xfree(dir);
        exit(0);
    }
    while ((de = readdir(d)) != NULL) {
        char *path, *jpath;
        uint8_t *body;
        size_t len = 0, want_samples = 0, want_series;
        int64_t maxt = 0;
        json_t *j, *tss;
        struct tsdb *db;
        struct ingest_result res;
        size_t idx;
        json_t *ts;
        if (strstr(de->d_name, ".snappy.bin") == NULL)
            continue;
        path = xasprintf("%s/%s", dir, de->d_name);
        jpath = xasprintf("%s/%.*s.decoded.json", dir, (int)(strlen(de->d_name) - 11), de->d_name);
        body = slurp(path, &len);
        j = json_load_file(jpath, 0, NULL);
        CHECK(body != NULL && j != NULL);
        tss = json_object_get(j, "timeseries");
        want_series = json_array_size(tss);
        json_array_foreach(tss, idx, ts)
        {
            json_t *samples = json_object_get(ts, "samples"), *s;
            size_t k;
            want_samples += json_array_size(samples);
            json_array_foreach(samples, k, s)
            {
                int64_t t = (int64_t)json_integer_value(json_array_get(s, 0));
                if (t > maxt)
                    maxt = t;
            }
        }
        now_ms = maxt + 1000;
        db = new_db();
        CHECK(ingest_write(db, "application/x-protobuf", "snappy", body, len, NULL, &res) == 0);
        CHECK_INT(res.status, 204);
        CHECK_INT(res.samples_written, want_samples);
        CHECK_INT(res.series_created, want_series);
        CHECK_INT(head_series(db), want_series);
        if (want_samples > 0)
            CHECK_INT(stored(db, "{__name__=~\".+\"}"), want_samples);
        tsdb_close(db);
        json_decref(j);
        xfree(body);
        xfree(path);
        xfree(jpath);
        files++;
    }
    closedir(d);
    xfree(dir);
    CHECK(files >= 1);
    printf("# %d captured bodies ingested\n", files);
}

static void test_v2_bad_refs(void)
{
    struct tsdb *db = new_db();
    struct ingest_result res;
    uint8_t *pb, *body;
    size_t n, len;
    Io__Prometheus__Write__V2__Request req = IO__PROMETHEUS__WRITE__V2__REQUEST__INIT;
    Io__Prometheus__Write__V2__TimeSeries ts = IO__PROMETHEUS__WRITE__V2__TIME_SERIES__INIT, *tsp;
    Io__Prometheus__Write__V2__Sample s = IO__PROMETHEUS__WRITE__V2__SAMPLE__INIT, *sp = &s;
    char *syms[] = {"", "__name__", "m"};
    uint32_t refs[] = {1, 7};
    req.n_symbols = 3;
    req.symbols = syms;
    ts.n_labels_refs = 2;
    ts.labels_refs = refs;
    s.timestamp = now_ms;
    ts.n_samples = 1;
    ts.samples = &sp;
    tsp = &ts;
    req.n_timeseries = 1;
    req.timeseries = &tsp;
    n = io__prometheus__write__v2__request__get_packed_size(&req);
    pb = xmalloc(n);
    io__prometheus__write__v2__request__pack(&req, pb);
    len = snappy_max_compressed_length(n);
    body = xmalloc(len);
    snappy_compress((const char *)pb, n, (char *)body, &len);
    CHECK(ingest_write(db, CT_V2, "snappy", body, len, NULL, &res) == ERR_INVALID);
    CHECK(strstr(res.message, "out-of-range label references") != NULL);
    CHECK_INT(head_series(db), 0);
    xfree(pb);
    xfree(body);
    tsdb_close(db);
}

static void test_empty_values_same_series(void)
{
    static const char *const with_empty[] = {"__name__", "m", "job", "", "a", "1"};
    static const char *const without[] = {"a", "1", "__name__", "m"};
    struct tsdb *db = new_db();
    struct ingest_result res;
    uint8_t *body;
    size_t len;
    raw_v1(with_empty, 3, without, 2, &body, &len);
    /* Both series are {__name__="m", a="1"}: the second sample has the same timestamp and
     * value, so it is an idempotent duplicate. */
    CHECK(ingest_write(db, CT_V1, "snappy", body, len, NULL, &res) == 0);
    CHECK_INT(res.samples_written, 2);
    CHECK_INT(head_series(db), 1);
    CHECK_INT(stored(db, "{__name__=\"m\", a=\"1\", job=\"\"}"), 1);
    xfree(body);
    tsdb_close(db);
}

static char *tmpdir_new(void)
{
    char tmpl[] = "/tmp/tocsin-ingest-XXXXXX";
    CHECK(mkdtemp(tmpl) != NULL);
    return xstrdup(tmpl);
}

static void test_wal_failure_is_retryable(void)
{
    struct tsdb_options o;
    struct tsdb *db = NULL;
    struct ingest_result res;
    struct rlimit rl;
    struct rwenc *w = rwenc_new(1);
    struct labels *a = L2("m", "k", "v");
    char *dir = tmpdir_new(), *cmd;
    uint8_t *body;
    size_t len;
    tsdb_options_default(&o);
    o.dir = dir;
    o.background = false;
    o.now_ms = clock_fn;
    CHECK(tsdb_open(&o, &db, NULL) == 0);
    for (int i = 0; i < 500; i++)
        rwenc_add(w, a, now_ms - 500000 + i * 1000, i);
    rwenc_finish(w, true, &body, &len);
    /* The disk is "full": writes beyond 1 KiB fail with EFBIG. */
    signal(SIGXFSZ, SIG_IGN);
    CHECK(getrlimit(RLIMIT_FSIZE, &rl) == 0);
    rl.rlim_cur = 1024;
    CHECK(setrlimit(RLIMIT_FSIZE, &rl) == 0);
    CHECK(ingest_write(db, CT_V1, "snappy", body, len, NULL, &res) == ERR_IO);
    CHECK_INT(res.status, 500);
    CHECK(strstr(res.message, "retry") != NULL);
    rl.rlim_cur = rl.rlim_max;
    CHECK(setrlimit(RLIMIT_FSIZE, &rl) == 0);
    /* Nothing of the failed request is visible or half-stored. */
    CHECK_INT(stored(db, "{__name__=\"m\"}"), 0);
    CHECK_INT(head_series(db), 0);
    /* The sender retries and succeeds; the samples are in the WAL this time. */
    CHECK(ingest_write(db, CT_V1, "snappy", body, len, NULL, &res) == 0);
    CHECK_INT(res.status, 204);
    CHECK_INT(res.samples_written, 500);
    tsdb_close(db);
    db = NULL;
    CHECK(tsdb_open(&o, &db, NULL) == 0);
    CHECK_INT(stored(db, "{__name__=\"m\"}"), 500);
    tsdb_close(db);
    cmd = xasprintf("rm -rf %s", dir);
    CHECK(system(cmd) == 0);
    xfree(cmd);
    xfree(dir);
    xfree(body);
    labels_free(a);
    rwenc_free(w);
}

static const struct test_case tests[] = {
    TEST(test_v1_and_v2_success),
    TEST(test_content_type_variants),
    TEST(test_malformed_bodies_store_nothing),
    TEST(test_invalid_labels),
    TEST(test_partial_acceptance_out_of_order),
    TEST(test_histograms_rejected_floats_kept),
    TEST(test_series_limit),
    TEST(test_captured_prometheus_bodies),
    TEST(test_v2_bad_refs),
    TEST(test_empty_values_same_series),
    TEST(test_wal_failure_is_retryable),
    {0},
};
TEST_MAIN(tests)
