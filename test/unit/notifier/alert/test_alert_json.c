/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for POST /api/v2/alerts decoding and gettableAlert / alertGroup encoding. */
#include <string.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/labels.h"
#include "notifier/alert/alert.h"
#include "notifier/alert/alert_json.h"
#include "test/harness.h"

#define S AM_NS_PER_SEC

static int64_t T(const char *s)
{
    int64_t ns = 0;
    if (am_time_parse(s, &ns, NULL) != 0)
        test_fail(__FILE__, __LINE__, "bad time %s", s);
    return ns;
}

static int decode(const char *body, int64_t now, struct am_postable_result *r, int *status,
                  struct err *e)
{
    return am_alerts_decode_postable(body, strlen(body), now, 10 * S, r, status, e);
}

static void test_decode_defaults(void)
{
    struct am_postable_result r;
    int st = 0;
    int64_t now = T("2026-11-23T11:41:47.522Z");
    const char *body =
        "[{\"labels\":{\"alertname\":\"P\",\"empty\":\"\"},\"annotations\":{\"s\":\"x\"},"
        "\"startsAt\":\"2026-11-23T11:41:45.521Z\",\"endsAt\":\"2026-11-23T11:45:45.521Z\","
        "\"generatorURL\":\"http://g\"},"
        "{\"labels\":{\"alertname\":\"NoStart\"},\"endsAt\":\"2026-11-23T11:45:47.521Z\"},"
        "{\"labels\":{\"alertname\":\"NoEnd\"}},"
        "{\"labels\":{\"alertname\":\"Amtool\"},\"startsAt\":\"0001-01-01T00:00:00.000Z\","
        "\"endsAt\":\"0001-01-01T00:00:00.000Z\"}]";
    CHECK_INT(decode(body, now, &r, &st, NULL), 0);
    CHECK_INT(r.n, 4);
    CHECK(r.errors == NULL);
    CHECK_INT(r.alerts[0]->labels->n, 1); /* empty label removed */
    CHECK_INT(r.alerts[0]->starts_at, T("2026-11-23T11:41:45.521Z"));
    CHECK_INT(r.alerts[0]->updated_at, now);
    CHECK(!r.alerts[0]->timeout);
    CHECK_STREQ(r.alerts[0]->generator_url, "http://g");
    /* 0.25 quirk: startsAt := endsAt */
    CHECK_INT(r.alerts[1]->starts_at, T("2026-11-23T11:45:47.521Z"));
    CHECK(!r.alerts[1]->timeout);
    CHECK_INT(r.alerts[2]->starts_at, now);
    CHECK_INT(r.alerts[2]->ends_at, now + 10 * S);
    CHECK(r.alerts[2]->timeout);
    CHECK_INT(r.alerts[3]->starts_at, now);
    CHECK(r.alerts[3]->timeout);
    am_postable_result_fini(&r);
}

static void test_decode_like_go_unmarshal(void)
{
    /* encoding/json: field names match case-insensitively, the later key wins; a null string
     * value stays empty (and empty labels are removed) */
    struct am_postable_result r;
    int st = 0;
    CHECK_INT(decode("[{\"Labels\":{\"alertname\":\"A\",\"n\":null},\"LABELS\":{\"alertname\""
                     ":\"B\"},\"GeneratorUrl\":\"http://g\"}]",
                     S, &r, &st, NULL),
              0);
    CHECK_INT(r.n, 1);
    CHECK_STREQ(labels_get(r.alerts[0]->labels, "alertname"), "B");
    CHECK_INT(r.alerts[0]->labels->n, 1);
    CHECK_STREQ(r.alerts[0]->generator_url, "http://g");
    am_postable_result_fini(&r);
    CHECK_INT(decode("[{\"labels\":{\"alertname\":\"A\",\"n\":null}}]", S, &r, &st, NULL), 0);
    CHECK_INT(r.alerts[0]->labels->n, 1);
    am_postable_result_fini(&r);
}

static void test_decode_validation_messages(void)
{
    /* Messages from captures/alertmanager-webhook-run2-timing/scenario2.log */
    struct am_postable_result r;
    int st = 0;
    int64_t now = T("2026-11-23T11:42:35.525Z");
    CHECK_INT(decode("[{\"labels\":{}}]", now, &r, &st, NULL), 0);
    CHECK_INT(r.n, 0);
    CHECK_STREQ(r.errors, "at least one label pair required");
    am_postable_result_fini(&r);
    CHECK_INT(decode("[{\"labels\":{\"alertname\":\"X\",\"bad-name\":\"v\"}}]", now, &r, &st, NULL),
              0);
    CHECK_STREQ(r.errors, "invalid label set: invalid name \"bad-name\"");
    am_postable_result_fini(&r);
    CHECK_INT(decode("[{\"labels\":{\"alertname\":\"X\"},\"startsAt\":\"2026-11-23T11:43:00Z\","
                     "\"endsAt\":\"2026-11-23T11:42:00Z\"}]",
                     now, &r, &st, NULL),
              0);
    CHECK_STREQ(r.errors, "start time must be before end time");
    am_postable_result_fini(&r);
    /* valid alerts are still accepted next to invalid ones; errors joined with "; " */
    CHECK_INT(decode("[{\"labels\":{\"a\":\"\"}},{\"labels\":{\"alertname\":\"ok\"}},"
                     "{\"labels\":{\"x\":\"1\"},\"annotations\":{\"bad key\":\"v\"}}]",
                     now, &r, &st, NULL),
              0);
    CHECK_INT(r.n, 1);
    CHECK_INT(r.n_invalid, 2);
    CHECK_STREQ(r.errors,
                "at least one label pair required; invalid annotations: invalid name \"bad key\"");
    am_postable_result_fini(&r);
}

static void test_decode_malformed(void)
{
    struct am_postable_result r;
    struct err e;
    int st = 0;
    CHECK_INT(decode("{", 0, &r, &st, &e), ERR_INVALID);
    CHECK_INT(st, 400);
    CHECK_INT(decode("{\"labels\":{}}", 0, &r, &st, &e), ERR_INVALID);
    CHECK(strstr(e.msg, "models.PostableAlerts") != NULL);
    CHECK_INT(decode("[{\"labels\":{\"a\":1}}]", 0, &r, &st, &e), ERR_INVALID);
    CHECK_INT(st, 400);
    CHECK_INT(decode("[{\"labels\":{\"a\":\"1\"},\"startsAt\":\"soon\"}]", 0, &r, &st, &e),
              ERR_INVALID);
    CHECK_INT(decode("[{\"annotations\":{}}]", 0, &r, &st, &e), ERR_INVALID);
    CHECK_INT(st, 422);
    CHECK_STREQ(e.msg, "0.labels in body is required");
    CHECK_INT(r.n, 0);
    CHECK_INT(decode("[]", 0, &r, &st, &e), 0);
    CHECK_INT(r.n, 0);
    am_postable_result_fini(&r);
}

static struct am_alert *old_alert(void)
{
    struct label l[] = {{"alertname", "Old"}, {"instance", "o"}};
    struct label an[] = {{"summary", "Old"}};
    struct am_alert *a =
        am_alert_new(labels_new(l, 2), labels_new(an, 1), "http://127.0.0.1:19090/graph");
    a->starts_at = T("2026-11-23T10:41:46.521Z");
    a->ends_at = T("2026-11-23T11:45:46.521Z");
    a->updated_at = T("2026-11-23T11:41:46.522901Z");
    return a;
}

static void test_encode_gettable_like_capture(void)
{
    /* captures/alertmanager-webhook-run2-timing/api_v2_alerts_after.json, first alert,
     * compacted (same key order) */
    struct am_alert *a = old_alert();
    const char *recv[] = {"default"};
    struct am_alert_status st = {AM_STATE_ACTIVE, NULL, 0, NULL, 0};
    struct buf b;
    buf_init(&b, 0);
    CHECK_INT(am_alert_encode_gettable(&b, a, recv, 1, &st), 0);
    CHECK_STREQ(buf_str(&b),
                "{\"annotations\":{\"summary\":\"Old\"},\"endsAt\":\"2026-11-23T11:45:46.521Z\","
                "\"fingerprint\":\"3816a6010327bd75\",\"receivers\":[{\"name\":\"default\"}],"
                "\"startsAt\":\"2026-11-23T10:41:46.521Z\",\"status\":{\"inhibitedBy\":[],"
                "\"silencedBy\":[],\"state\":\"active\"},\"updatedAt\":\"2026-11-23T11:41:46."
                "522Z\",\"generatorURL\":\"http://127.0.0.1:19090/graph\",\"labels\":{"
                "\"alertname\":\"Old\",\"instance\":\"o\"}}");
    buf_fini(&b);
    am_alert_free(a);
}

static void test_encode_suppressed_and_group(void)
{
    struct am_alert *a = old_alert();
    const char *sil[] = {"5a0c2f1e-0000-4000-8000-000000000001"};
    const char *inh[] = {"b7fa100df802d036"};
    const char *recv[] = {"a", "b"};
    const char *const *rpa[] = {recv};
    size_t nrpa[] = {2};
    struct am_alert_status st = {AM_STATE_SUPPRESSED, sil, 1, inh, 1};
    const struct am_alert *alerts[1];
    struct label gl[] = {{"alertname", "Old"}};
    struct labels *g = labels_new(gl, 1);
    struct buf b;
    alerts[0] = a;
    a->generator_url[0] = '\0';
    buf_init(&b, 0);
    CHECK_INT(am_alert_group_encode(&b, g, "a", alerts, &st, rpa, nrpa, 1), 0);
    CHECK(strstr(buf_str(&b), "{\"alerts\":[{\"annotations\"") == buf_str(&b));
    CHECK(strstr(buf_str(&b), "\"status\":{\"inhibitedBy\":[\"b7fa100df802d036\"],\"silencedBy\":"
                              "[\"5a0c2f1e-0000-4000-8000-000000000001\"],\"state\":"
                              "\"suppressed\"}") != NULL);
    CHECK(strstr(buf_str(&b), "generatorURL") == NULL); /* omitempty */
    CHECK(strstr(buf_str(&b), "\"receivers\":[{\"name\":\"a\"},{\"name\":\"b\"}]") != NULL);
    CHECK(strstr(buf_str(&b), "],\"labels\":{\"alertname\":\"Old\"},\"receiver\":{\"name\":"
                              "\"a\"}}") != NULL);
    buf_fini(&b);
    labels_free(g);
    am_alert_free(a);
}

static void test_record_roundtrip(void)
{
    struct am_alert *a = old_alert(), *b = NULL;
    struct buf buf;
    a->timeout = true;
    buf_init(&buf, 0);
    CHECK_INT(am_alert_encode_record(&buf, a), 0);
    CHECK_INT(am_alert_decode_record(buf.data, buf.len, &b, NULL), 0);
    CHECK(labels_equal(a->labels, b->labels));
    CHECK(labels_equal(a->annotations, b->annotations));
    CHECK_INT(b->starts_at, a->starts_at);
    CHECK_INT(b->ends_at, a->ends_at);
    CHECK_INT(b->updated_at, a->updated_at);
    CHECK(b->timeout);
    CHECK(b->fingerprint == a->fingerprint);
    CHECK_STREQ(b->generator_url, a->generator_url);
    am_alert_free(b);
    CHECK_INT(am_alert_decode_record("{\"labels\":{}}", 13, &b, NULL), ERR_CORRUPT);
    CHECK(b == NULL);
    buf_fini(&buf);
    am_alert_free(a);
}

static const struct test_case tests[] = {
    TEST(test_decode_defaults),
    TEST(test_decode_like_go_unmarshal),
    TEST(test_decode_validation_messages),
    TEST(test_decode_malformed),
    TEST(test_encode_gettable_like_capture),
    TEST(test_encode_suppressed_and_group),
    TEST(test_record_roundtrip),
    {0},
};

TEST_MAIN(tests)
