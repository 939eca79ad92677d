/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for POST /api/v2/alerts decoding and gettableAlert / alertGroup encoding. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/labels.h"
#include "common/xalloc.h"
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

static void test_decode_errors_like_live_alertmanager(void)
{
    /* Answers of Alertmanager 0.25 on loopback to these bodies (probed while writing this) */
    static const struct {
        const char *body;
        int status;
        const char *msg;
    } cases[] = {
        {"[{\"labels\":{\"a\":1}}]", 400,
         "parsing alerts body from \"\" failed, because json: cannot unmarshal number into Go "
         "struct field Alert.labels of type string"},
        {"{", 400, "parsing alerts body from \"\" failed, because unexpected EOF"},
        {"{\"labels\":{}}", 400,
         "parsing alerts body from \"\" failed, because json: cannot unmarshal object into Go "
         "value of type models.PostableAlerts"},
        {"[{\"labels\":{\"a\":\"1\"},\"startsAt\":\"soon\"}]", 400,
         "parsing alerts body from \"\" failed, because parsing time \"soon\" as \"2006-01-02 "
         "15:04:05\": cannot parse \"soon\" as \"2006\""},
        {"[{\"labels\":{\"a\":\"1\"},\"generatorURL\":5}]", 400,
         "parsing alerts body from \"\" failed, because json: cannot unmarshal number into Go "
         "struct field Alert.generatorURL of type string"},
        {"[{\"labels\":{\"a\":\"1\"},\"startsAt\":\"2026-11-23T11:41:45+0000\"}]", 400,
         "parsing alerts body from \"\" failed, because parsing time \"2026-11-23T11:41:45+0000\" "
         "as \"2006-01-02 15:04:05\": cannot parse \"T11:41:45+0000\" as \" \""},
        {"[{\"labels\":{\"a\":\"1\"}},{\"annotations\":{}}]", 422, "1.labels in body is required"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct am_postable_result r;
        struct err e;
        int st = 0;
        err_clear(&e);
        CHECK_INT(decode(cases[i].body, S, &r, &st, &e), ERR_INVALID);
        CHECK_INT(st, cases[i].status);
        CHECK_STREQ(e.msg, cases[i].msg);
    }
}

static void test_decode_strfmt_layouts(void)
{
    /* accepted by strfmt.DateTime (live check: "2026-11-23T11:41:45" answered 200) */
    static const char *ok[] = {"2026-11-23T11:41:45",
                               "2026-11-23 11:41:45",
                               "2026-11-23T11:41:45.5",
                               "2026-11-23T11:41Z",
                               "2026-11-23T11:41",
                               "2026-11-23T11:41:45.000+0000",
                               "2026-11-23T11:41:45.000000-0100"};
    int64_t want = T("2026-11-23T11:41:45Z");
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        struct am_postable_result r;
        int st = 0;
        char body[256];
        snprintf(body, sizeof(body), "[{\"labels\":{\"a\":\"1\"},\"startsAt\":\"%s\"}]", ok[i]);
        if (decode(body, want + 7200 * S, &r, &st, NULL) != 0 || r.n != 1)
            test_fail(__FILE__, __LINE__, "%s rejected", ok[i]);
        CHECK_INT(r.n, 1);
        if (i < 2)
            CHECK_INT(r.alerts[0]->starts_at, want);
        if (i == 6)
            CHECK_INT(r.alerts[0]->starts_at, want + 3600 * S);
        am_postable_result_fini(&r);
    }
    {
        struct am_postable_result r;
        int st = 0;
        CHECK_INT(decode("null", S, &r, &st, NULL), 0); /* Go: empty slice, 200 */
        CHECK_INT(r.n, 0);
        am_postable_result_fini(&r);
    }
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

static struct labels *kv_of(json_t *obj)
{
    struct labels_builder lb;
    struct labels *ls;
    const char *k;
    json_t *v;
    labels_builder_init(&lb);
    json_object_foreach(obj, k, v)
    {
        labels_builder_set(&lb, k, json_string_value(v));
    }
    ls = labels_builder_finish(&lb);
    labels_builder_fini(&lb);
    return ls;
}

/* Everything one captured gettableAlert says, rebuilt as our inputs. */
struct rebuilt {
    struct am_alert *a;
    struct am_alert_status st;
    const char *recv[8], *sil[8], *inh[8];
    size_t nrecv;
};

static void rebuild(json_t *g, struct rebuilt *r)
{
    json_t *status = json_object_get(g, "status"), *v;
    const char *state = json_string_value(json_object_get(status, "state"));
    size_t i;
    memset(r, 0, sizeof(*r));
    r->a =
        am_alert_new(kv_of(json_object_get(g, "labels")), kv_of(json_object_get(g, "annotations")),
                     json_string_value(json_object_get(g, "generatorURL")));
    r->a->starts_at = T(json_string_value(json_object_get(g, "startsAt")));
    r->a->ends_at = T(json_string_value(json_object_get(g, "endsAt")));
    r->a->updated_at = T(json_string_value(json_object_get(g, "updatedAt")));
    r->st.state = strcmp(state, "active") == 0       ? AM_STATE_ACTIVE
                  : strcmp(state, "suppressed") == 0 ? AM_STATE_SUPPRESSED
                                                     : AM_STATE_UNPROCESSED;
    json_array_foreach(json_object_get(g, "receivers"), i, v)
    {
        r->recv[r->nrecv++] = json_string_value(json_object_get(v, "name"));
    }
    json_array_foreach(json_object_get(status, "silencedBy"), i, v)
    {
        r->sil[r->st.n_silenced++] = json_string_value(v);
    }
    json_array_foreach(json_object_get(status, "inhibitedBy"), i, v)
    {
        r->inh[r->st.n_inhibited++] = json_string_value(v);
    }
    r->st.silenced_by = r->sil;
    r->st.inhibited_by = r->inh;
}

static int check_api_capture(const char *path, bool groups)
{
    json_t *root = json_load_file(path, 0, NULL), *item;
    size_t i, checked = 0;
    CHECK(root != NULL);
    json_array_foreach(root, i, item)
    {
        char *want = json_dumps(item, JSON_COMPACT | JSON_PRESERVE_ORDER);
        struct buf b;
        buf_init(&b, 0);
        if (!groups) {
            struct rebuilt r;
            rebuild(item, &r);
            CHECK_INT(am_alert_encode_gettable(&b, r.a, r.recv, r.nrecv, &r.st), 0);
            am_alert_free(r.a);
        } else {
            json_t *alerts = json_object_get(item, "alerts"), *ga;
            size_t n = json_array_size(alerts), k;
            struct rebuilt *rs = xcalloc(n + 1, sizeof(*rs));
            const struct am_alert **as = xcalloc(n + 1, sizeof(*as));
            struct am_alert_status *sts = xcalloc(n + 1, sizeof(*sts));
            const char *const **rpa = xcalloc(n + 1, sizeof(*rpa));
            size_t *nrpa = xcalloc(n + 1, sizeof(*nrpa));
            struct labels *gl = kv_of(json_object_get(item, "labels"));
            json_array_foreach(alerts, k, ga)
            {
                rebuild(ga, &rs[k]);
                as[k] = rs[k].a;
                sts[k] = rs[k].st;
                rpa[k] = rs[k].recv;
                nrpa[k] = rs[k].nrecv;
            }
            CHECK_INT(am_alert_group_encode(&b, gl,
                                            json_string_value(json_object_get(
                                                json_object_get(item, "receiver"), "name")),
                                            as, sts, rpa, nrpa, n),
                      0);
            for (k = 0; k < n; k++)
                am_alert_free(rs[k].a);
            labels_free(gl);
            xfree(rs);
            xfree(as);
            xfree(sts);
            xfree(rpa);
            xfree(nrpa);
        }
        if (strcmp(buf_str(&b), want) != 0)
            test_fail(__FILE__, __LINE__, "%s item %zu:\n got  %s\n want %s", path, i, buf_str(&b),
                      want);
        buf_fini(&b);
        free(want);
        checked++;
    }
    json_decref(root);
    return (int)checked;
}

static void test_api_answers_match_captures(void)
{
    static const struct {
        const char *file;
        bool groups;
    } files[] = {
        {"alertmanager-webhook-run1/api_v2_alerts_after.json", false},
        {"alertmanager-webhook-run1/api_v2_alerts_groups_after.json", true},
        {"alertmanager-webhook-run2-timing/api_v2_alerts_after.json", false},
        {"amtool-api/api_v2_alerts.json", false},
        {"amtool-api/api_v2_alerts_groups.json", true},
        {"prometheus-to-alertmanager-e2e/alertmanager_api_v2_alerts.json", false},
    };
    const char *shared = getenv("TOCSIN_SHARED");
    char path[1024];
    int checked = 0;
    if (!shared)
        shared = "../shared";
    snprintf(path, sizeof(path), "%s/conformance/alertmanager/captures", shared);
    if (access(path, R_OK) != 0) {
        printf("skip test_api_answers_match_captures: ../shared not found\n");
        return;
    }
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        snprintf(path, sizeof(path), "%s/conformance/alertmanager/captures/%s", shared,
                 files[i].file);
        checked += check_api_capture(path, files[i].groups);
    }
    printf("    checked %d captured API items\n", checked);
    CHECK(checked >= 20);
}

static const struct test_case tests[] = {
    TEST(test_decode_defaults),
    TEST(test_decode_like_go_unmarshal),
    TEST(test_decode_validation_messages),
    TEST(test_decode_errors_like_live_alertmanager),
    TEST(test_decode_strfmt_layouts),
    TEST(test_decode_malformed),
    TEST(test_encode_gettable_like_capture),
    TEST(test_encode_suppressed_and_group),
    TEST(test_record_roundtrip),
    TEST(test_api_answers_match_captures),
    {0},
};

TEST_MAIN(tests)
