/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for the SMS integration (Tocsin's sms_configs): config parsing and validation,
 * Twilio Messages API requests (URL, basic auth, form body), the generic JSON gateway with
 * bearer auth, one request per recipient with combined outcomes, no duplicate messages to
 * recipients already delivered when an attempt is retried, and body truncation.
 */
#include "notifier/receivers/sms.h"
#include "test/unit/notifier/receivers/recv_test_util.h"

static const struct rt_alert_spec alerts[] = {
    {{"alertname", "DiskFull", "job", "node", "instance", "db1", NULL},
     {"summary", "Disk full & more", NULL},
     0},
};

static void test_sms_config(void)
{
    static const struct {
        const char *yaml, *err;
    } bad[] = {
        {"  - {provider: pigeon, to: ['+1']}", "unknown provider \"pigeon\""},
        {"  - {account_sid: AC1, auth_token: t, from: '+1'}", "missing to in sms config"},
        {"  - {provider: generic, to: ['+1']}", "missing url in generic sms config"},
        {"  - {to: ['+1'], auth_token: t, from: '+1'}", "missing account_sid"},
        {"  - {to: ['+1'], account_sid: AC1, from: '+1'}", "exactly one of auth_token"},
        {"  - {to: ['+1'], account_sid: AC1, auth_token: t}", "missing from"},
        {"  - {to: ['+1'], provider: generic, url: 'ftp://x'}", "scheme"},
        {"  - {to: ['+1'], provider: generic, url: 'http://x', bogus: 1}", "bogus"},
    };
    struct am_config *c =
        rt_config("route: {receiver: r}\n"
                  "receivers:\n- name: r\n  sms_configs:\n"
                  "  - {account_sid: AC1, auth_token: s3cr3t, from: '+15550000000',"
                  " to: ['+15550000001']}\n");
    const struct am_sms_config *s = c->receivers[0].configs[AM_SMS].v[0];
    CHECK_STREQ(s->provider, "twilio");
    CHECK_STREQ(s->url, "https://api.twilio.com");
    CHECK_STREQ(s->body, "{{ template \"sms.default.text\" . }}");
    CHECK(!s->send_resolved);
    CHECK_INT(s->to.n, 1);
    CHECK_STREQ(am_integration_name(AM_SMS), "sms");
    {
        struct buf out;
        buf_init(&out, 0);
        CHECK_INT(config_print_redacted(c, &out), 0);
        CHECK(strstr(buf_str(&out), "sms_configs:") != NULL);
        CHECK(strstr(buf_str(&out), "auth_token: <secret>") != NULL);
        CHECK(strstr(buf_str(&out), "s3cr3t") == NULL);
        buf_fini(&out);
    }
    config_free(c);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char *yaml = xasprintf("route: {receiver: r}\nreceivers:\n- name: r\n  sms_configs:\n%s\n",
                               bad[i].yaml);
        struct err e;
        c = NULL;
        CHECK(config_parse(yaml, strlen(yaml), NULL, &c, &e) != 0);
        if (strstr(e.msg, bad[i].err) == NULL)
            test_fail(__FILE__, __LINE__, "case %zu: %s lacks %s", i, e.msg, bad[i].err);
        xfree(yaml);
    }
}

static void test_sms_twilio(void)
{
    struct am_config *c =
        rt_config("route: {receiver: r}\n"
                  "receivers:\n- name: r\n  sms_configs:\n"
                  "  - account_sid: AC123\n    auth_token: secret\n    from: '+15550000000'\n"
                  "    url: 'http://127.0.0.1:4/'\n    send_resolved: true\n"
                  "    to: ['+15550000001', '+15550000002']\n");
    struct am_tmpl *t = rt_tmpl();
    struct rt_data r;
    struct rt_sender fs;
    struct am_integration *it;
    struct am_notify_result res;
    rt_data_make(&r, "r", alerts, 1, "alertname");
    rt_sender_init(&fs, 201);
    it = sms_new(c->receivers[0].configs[AM_SMS].v[0], 0, t, &fs.base);
    CHECK_STREQ(it->kind, "sms");
    CHECK(it->send_resolved);
    CHECK_INT(it->notify(it, &r.d, 4, rt_record, &res), 0);
    CHECK_INT(res.outcome, AM_NOTIFY_OK);
    CHECK_INT(fs.n, 2);
    CHECK_STREQ(fs.req[0].url, "http://127.0.0.1:4/2010-04-01/Accounts/AC123/Messages.json");
    CHECK_STREQ(fs.req[0].hdr[0], "Content-Type: application/x-www-form-urlencoded");
    CHECK_STREQ(fs.req[0].hdr[1], "User-Agent: Tocsin-Notifier/" TOCSIN_VERSION);
    /* base64("AC123:secret") */
    CHECK_STREQ(fs.req[0].hdr[2], "Authorization: Basic QUMxMjM6c2VjcmV0");
    CHECK_STREQ(rt_body(&fs, 0),
                "To=%2B15550000001&From=%2B15550000000&Body=%5BFIRING%3A1%5D+DiskFull+%28db1+"
                "node%29%0AFIRING%3A+Disk+full+%26+more");
    CHECK(strncmp(rt_body(&fs, 1), "To=%2B15550000002&", 18) == 0);
    am_integration_free(it);
    rt_sender_fini(&fs);
    rt_data_fini(&r);
    am_tmpl_unref(t);
    config_free(c);
}

static void test_sms_generic_and_retry_dedup(void)
{
    struct am_config *c =
        rt_config("route: {receiver: r}\n"
                  "receivers:\n- name: r\n  sms_configs:\n"
                  "  - provider: generic\n    url: 'http://127.0.0.1:5/send'\n"
                  "    http_config: {bearer_token: gw-token}\n"
                  "    body: '{{ .CommonLabels.alertname }} on {{ .CommonLabels.instance }}'\n"
                  "    to: ['+1001', '+1002', '+1003']\n");
    struct am_tmpl *t = rt_tmpl();
    struct rt_data r;
    struct rt_sender fs;
    struct am_integration *it;
    struct am_notify_result res;
    rt_data_make(&r, "r", alerts, 1, "alertname");
    rt_sender_init(&fs, 200);
    fs.status[1] = 503; /* second recipient fails the first time */
    fs.status[2] = 200;
    it = sms_new(c->receivers[0].configs[AM_SMS].v[0], 1, t, &fs.base);
    CHECK_INT(it->notify(it, &r.d, 4, rt_record, &res), 0);
    CHECK_INT(res.outcome, AM_NOTIFY_RETRY);
    CHECK_STREQ(res.msg, "sms: unexpected status code 503 (to +1002)");
    CHECK_INT(fs.n, 3);
    CHECK_STREQ(fs.req[0].url, "http://127.0.0.1:5/send");
    CHECK_STREQ(fs.req[0].hdr[0], "Content-Type: application/json");
    CHECK_STREQ(fs.req[0].hdr[2], "Authorization: Bearer gw-token");
    CHECK_STREQ(rt_body(&fs, 0), "{\"to\":\"+1001\",\"message\":\"DiskFull on db1\"}\n");
    /* the dispatcher retries the same notification: only +1002 is messaged again */
    CHECK_INT(it->notify(it, &r.d, 4, rt_record, &res), 0);
    CHECK_INT(res.outcome, AM_NOTIFY_OK);
    CHECK_INT(fs.n, 4);
    CHECK_STREQ(rt_body(&fs, 3), "{\"to\":\"+1002\",\"message\":\"DiskFull on db1\"}\n");
    /* a new flush (other time) messages everybody */
    r.d.now += 1;
    fs.status[4] = 400;
    fs.status[5] = 429;
    fs.retry_after = "9";
    fs.status[6] = 200;
    CHECK_INT(it->notify(it, &r.d, 4, rt_record, &res), 0);
    CHECK_INT(fs.n, 7);
    CHECK_INT(res.outcome, AM_NOTIFY_RETRY); /* retryable wins over permanent */
    CHECK_INT(res.retry_after_ns, 9000000000LL);
    /* permanent only */
    r.d.now += 1;
    fs.status[7] = 400;
    fs.retry_after = NULL;
    CHECK_INT(it->notify(it, &r.d, 4, rt_record, &res), 0);
    CHECK_INT(res.outcome, AM_NOTIFY_FAIL);
    am_integration_free(it);
    rt_sender_fini(&fs);
    rt_data_fini(&r);
    am_tmpl_unref(t);
    config_free(c);
}

static void test_sms_body_cut_and_template_error(void)
{
    struct am_config *c =
        rt_config("route: {receiver: r}\n"
                  "receivers:\n- name: r\n  sms_configs:\n"
                  "  - {provider: generic, url: 'http://127.0.0.1:5/', to: ['+1'],"
                  " body: '{{ printf \"%02000d\" 0 }}'}\n"
                  "  - {provider: generic, url: 'http://127.0.0.1:5/', to: ['+1'],"
                  " body: '{{ template \"nope\" }}'}\n");
    struct am_tmpl *t = rt_tmpl();
    struct rt_data r;
    struct rt_sender fs;
    struct am_integration *it;
    struct am_notify_result res;
    rt_data_make(&r, "r", alerts, 1, "alertname");
    rt_sender_init(&fs, 200);
    it = sms_new(c->receivers[0].configs[AM_SMS].v[0], 0, t, &fs.base);
    it->notify(it, &r.d, 4, rt_record, &res);
    CHECK_INT(res.outcome, AM_NOTIFY_OK);
    CHECK_INT(fs.req[0].len, strlen("{\"to\":\"+1\",\"message\":\"\"}\n") + 1600);
    CHECK(strcmp(rt_body(&fs, 0) + fs.req[0].len - 6, "...\"}\n") == 0);
    am_integration_free(it);
    it = sms_new(c->receivers[0].configs[AM_SMS].v[1], 1, t, &fs.base);
    it->notify(it, &r.d, 4, rt_record, &res);
    CHECK_INT(res.outcome, AM_NOTIFY_FAIL);
    CHECK(strstr(res.msg, "nope") != NULL);
    CHECK_INT(fs.n, 1);
    am_integration_free(it);
    rt_sender_fini(&fs);
    rt_data_fini(&r);
    am_tmpl_unref(t);
    config_free(c);
}

static const struct test_case tests[] = {
    TEST(test_sms_config),
    TEST(test_sms_twilio),
    TEST(test_sms_generic_and_retry_dedup),
    TEST(test_sms_body_cut_and_template_error),
    {0},
};

TEST_MAIN(tests)
