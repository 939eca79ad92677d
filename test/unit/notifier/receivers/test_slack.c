/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for the Slack integration: the message body rebuilt for every captured Slack
 * request of Alertmanager 0.25 (same flush's webhook body gives the alerts) must match byte for
 * byte; optional fields, actions, token auth, api_url_file and outcome classification through a
 * recording fake sender.
 */
#include "notifier/receivers/slack.h"
#include "test/unit/notifier/receivers/recv_test_util.h"

static const char *const am_yml_slack =
    "route: {receiver: all}\n"
    "receivers:\n"
    "- name: all\n"
    "  slack_configs:\n"
    "  - api_url: 'http://127.0.0.1:19999/slack/T000/B000/XXXX'\n"
    "    channel: '#ops'\n"
    "    send_resolved: true\n";

static void test_slack_matches_captures(void)
{
    static const char *const pairs[][2] = {
        {"0003.slack.json", "0001.webhook.json"},
        {"0007.slack.json", "0005.webhook.json"},
        {"0009.slack.json", "0010.webhook.json"},
    };
    struct am_config *c;
    struct am_tmpl *t;
    if (!rt_capture_dir()) {
        printf("skip test_slack_matches_captures: ../shared not found\n");
        return;
    }
    c = rt_config(am_yml_slack);
    t = rt_tmpl();
    for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
        struct rt_data r;
        struct buf out;
        struct err e;
        char path[1400], *want;
        size_t len;
        snprintf(path, sizeof(path), "%s/%s", rt_capture_dir(), pairs[i][0]);
        want = rt_read(path, &len);
        rt_data_load(&r, pairs[i][1]);
        buf_init(&out, 0);
        if (slack_build_payload(c->receivers[0].configs[AM_SLACK].v[0], t, &r.d, &out, &e) != 0)
            test_fail(__FILE__, __LINE__, "%s: %s", pairs[i][0], e.msg);
        if (out.len != len || memcmp(out.data, want, len) != 0)
            test_fail(__FILE__, __LINE__, "%s differs:\n got  %s\n want %s", pairs[i][0],
                      buf_str(&out), want);
        buf_fini(&out);
        rt_data_fini(&r);
        xfree(want);
    }
    am_tmpl_unref(t);
    config_free(c);
}

static const struct rt_alert_spec two_alerts[] = {
    {{"alertname", "X", "job", "api", "instance", "a:1", NULL}, {"summary", "down <a>", NULL}, 0},
    {{"alertname", "X", "job", "api", "instance", "b:1", NULL}, {"summary", "down b", NULL}, 5},
};

static void test_slack_all_fields(void)
{
    struct am_config *c = rt_config(
        "route: {receiver: r}\n"
        "receivers:\n"
        "- name: r\n"
        "  slack_configs:\n"
        "  - api_url: 'http://127.0.0.1:1/api/chat.postMessage'\n"
        "    http_config: {authorization: {credentials: xoxb-123}}\n"
        "    channel: '#{{ .CommonLabels.job }}'\n"
        "    username: bot\n"
        "    icon_emoji: ':fire:'\n"
        "    icon_url: 'http://icons.test/x.png'\n"
        "    link_names: true\n"
        "    pretext: 'pre {{ len .Alerts }}'\n"
        "    text: '{{ range .Alerts }}{{ .Annotations.summary }};{{ end }}'\n"
        "    footer: foot\n"
        "    image_url: 'http://img.test/i.png'\n"
        "    thumb_url: 'http://img.test/t.png'\n"
        "    callback_id: cb\n"
        "    color: '#ff0000'\n"
        "    short_fields: true\n"
        "    mrkdwn_in: [text]\n"
        "    fields:\n"
        "    - {title: Job, value: '{{ .CommonLabels.job }}'}\n"
        "    - {title: Count, value: '{{ len .Alerts }}', short: false}\n"
        "    actions:\n"
        "    - type: button\n"
        "      text: Runbook\n"
        "      url: 'http://runbook.test/{{ .GroupLabels.alertname }}'\n"
        "      style: primary\n"
        "      confirm: {text: dropped-with-url}\n"
        "    - type: button\n"
        "      text: Ack\n"
        "      name: ack\n"
        "      value: '{{ .Status }}'\n"
        "      confirm: {text: sure?, title: Confirm, ok_text: 'yes', dismiss_text: 'no'}\n");
    struct am_tmpl *t = rt_tmpl();
    struct rt_data r;
    struct rt_sender fs;
    struct am_integration *it;
    struct am_notify_result res;
    rt_data_make(&r, "r", two_alerts, 2, "alertname");
    rt_sender_init(&fs, 200);
    it = slack_new(c->receivers[0].configs[AM_SLACK].v[0], 3, t, &fs.base);
    CHECK_STREQ(it->kind, "slack");
    CHECK_INT(it->index, 3);
    CHECK(!it->send_resolved);
    CHECK_INT(it->notify(it, &r.d, 11, rt_record, &res), 0);
    CHECK_INT(res.outcome, AM_NOTIFY_OK);
    CHECK_INT(fs.n, 1);
    CHECK_STREQ(fs.req[0].url, "http://127.0.0.1:1/api/chat.postMessage");
    CHECK_INT(fs.req[0].nh, 3);
    CHECK_STREQ(fs.req[0].hdr[0], "Content-Type: application/json");
    CHECK_STREQ(fs.req[0].hdr[1], "User-Agent: Tocsin-Notifier/" TOCSIN_VERSION);
    CHECK_STREQ(fs.req[0].hdr[2], "Authorization: Bearer xoxb-123");
    CHECK_INT(fs.req[0].timeout, 11);
    CHECK_STREQ(
        rt_body(&fs, 0),
        "{\"channel\":\"#api\",\"username\":\"bot\",\"icon_emoji\":\":fire:\","
        "\"icon_url\":\"http://icons.test/x.png\",\"link_names\":true,\"attachments\":[{"
        "\"title\":\"[FIRING:1] X (api)\",\"title_link\":\"http://am.test:9093/#/alerts?"
        "receiver=r\",\"pretext\":\"pre 2\",\"text\":\"down \\u003ca\\u003e;down b;\","
        "\"fallback\":\"[FIRING:1] X (api) | http://am.test:9093/#/alerts?receiver=r\","
        "\"callback_id\":\"cb\",\"fields\":[{\"title\":\"Job\",\"value\":\"api\",\"short\":true},"
        "{\"title\":\"Count\",\"value\":\"2\",\"short\":false}],\"actions\":[{\"type\":\"button\","
        "\"text\":\"Runbook\",\"url\":\"http://runbook.test/X\",\"style\":\"primary\"},"
        "{\"type\":\"button\",\"text\":\"Ack\",\"name\":\"ack\",\"value\":\"firing\","
        "\"confirm\":{\"text\":\"sure?\",\"title\":\"Confirm\",\"ok_text\":\"yes\","
        "\"dismiss_text\":\"no\"}}],\"image_url\":\"http://img.test/i.png\","
        "\"thumb_url\":\"http://img.test/t.png\",\"footer\":\"foot\",\"color\":\"#ff0000\","
        "\"mrkdwn_in\":[\"text\"]}]}\n");
    am_integration_free(it);
    rt_sender_fini(&fs);
    rt_data_fini(&r);
    am_tmpl_unref(t);
    config_free(c);
}

static void test_slack_outcomes_and_url_file(void)
{
    char dir[] = "/tmp/tocsin-slack-XXXXXX", file[64];
    FILE *f;
    struct am_config *c;
    struct am_tmpl *t = rt_tmpl();
    struct rt_data r;
    struct rt_sender fs;
    struct am_integration *it;
    struct am_notify_result res;
    char *yaml;
    CHECK(mkdtemp(dir) != NULL);
    snprintf(file, sizeof(file), "%s/url", dir);
    f = fopen(file, "w");
    fputs("  http://127.0.0.1:2/services/T/B/C\n", f);
    fclose(f);
    yaml = xasprintf("global: {slack_api_url_file: '%s'}\n"
                     "route: {receiver: r}\n"
                     "receivers:\n- name: r\n  slack_configs: [{send_resolved: true}]\n",
                     file);
    c = rt_config(yaml);
    rt_data_make(&r, "r", two_alerts + 1, 1, "alertname");
    rt_sender_init(&fs, 200);
    it = slack_new(c->receivers[0].configs[AM_SLACK].v[0], 0, t, &fs.base);
    CHECK(it->send_resolved);
    CHECK_INT(it->notify(it, &r.d, 1, rt_record, &res), 0);
    CHECK_INT(res.outcome, AM_NOTIFY_OK);
    CHECK_STREQ(fs.req[0].url, "http://127.0.0.1:2/services/T/B/C");
    CHECK_INT(fs.req[0].nh, 2);
    CHECK(strstr(rt_body(&fs, 0), "\"title\":\"[RESOLVED] X (a:1 api b:1)\"") == NULL);
    CHECK(strstr(rt_body(&fs, 0), "\"title\":\"[RESOLVED] X (b:1 api)\"") != NULL);
    CHECK(strstr(rt_body(&fs, 0), "\"color\":\"good\"") != NULL);
    /* classification */
    fs.status[1] = 500;
    fs.status[2] = 429;
    fs.status[3] = 404;
    fs.status[4] = 0;
    fs.retry_after = "3";
    it->notify(it, &r.d, 1, rt_record, &res);
    CHECK_INT(res.outcome, AM_NOTIFY_RETRY);
    it->notify(it, &r.d, 1, rt_record, &res);
    CHECK_INT(res.outcome, AM_NOTIFY_RETRY);
    CHECK_INT(res.retry_after_ns, 3000000000LL);
    it->notify(it, &r.d, 1, rt_record, &res);
    CHECK_INT(res.outcome, AM_NOTIFY_FAIL);
    CHECK_STREQ(res.msg, "slack: unexpected status code 404");
    it->notify(it, &r.d, 1, rt_record, &res);
    CHECK_INT(res.outcome, AM_NOTIFY_RETRY);
    /* the file is reread: gone means a failure without a request */
    unlink(file);
    fs.n = 0;
    CHECK_INT(it->notify(it, &r.d, 1, rt_record, &res), 0);
    CHECK_INT(res.outcome, AM_NOTIFY_FAIL);
    CHECK(strstr(res.msg, "api_url_file") != NULL);
    CHECK_INT(fs.n, 0);
    rmdir(dir);
    am_integration_free(it);
    rt_sender_fini(&fs);
    rt_data_fini(&r);
    config_free(c);
    xfree(yaml);
    am_tmpl_unref(t);
}

static void test_slack_template_error_and_title_cut(void)
{
    struct am_config *c = rt_config("route: {receiver: r}\n"
                                    "receivers:\n- name: r\n  slack_configs:\n"
                                    "  - api_url: 'http://127.0.0.1:1/x'\n"
                                    "    text: '{{ .Nope.Deeper }}{{ template \"missing\" }}'\n"
                                    "  - api_url: 'http://127.0.0.1:1/x'\n"
                                    "    title: '{{ range $i, $e := (stringSlice \"a\") }}"
                                    "{{ printf \"%02000d\" 1 }}{{ end }}'\n");
    struct am_tmpl *t = rt_tmpl();
    struct rt_data r;
    struct rt_sender fs;
    struct am_integration *it;
    struct am_notify_result res;
    struct buf out;
    struct err e;
    rt_data_make(&r, "r", two_alerts, 1, "alertname");
    rt_sender_init(&fs, 200);
    it = slack_new(c->receivers[0].configs[AM_SLACK].v[0], 0, t, &fs.base);
    CHECK_INT(it->notify(it, &r.d, 1, rt_record, &res), 0);
    CHECK_INT(res.outcome, AM_NOTIFY_FAIL);
    CHECK(strstr(res.msg, "missing") != NULL);
    CHECK_INT(fs.n, 0);
    am_integration_free(it);
    buf_init(&out, 0);
    CHECK_INT(slack_build_payload(c->receivers[0].configs[AM_SLACK].v[1], t, &r.d, &out, &e), 0);
    {
        const char *p = strstr(buf_str(&out), "\"title\":\"");
        const char *q = p ? strchr(p + 9, '"') : NULL;
        CHECK(p && q);
        CHECK_INT(q - (p + 9), 1024);
        CHECK(memcmp(q - 3, "...", 3) == 0);
    }
    buf_fini(&out);
    rt_sender_fini(&fs);
    rt_data_fini(&r);
    am_tmpl_unref(t);
    config_free(c);
}

static const struct test_case tests[] = {
    TEST(test_slack_matches_captures),
    TEST(test_slack_all_fields),
    TEST(test_slack_outcomes_and_url_file),
    TEST(test_slack_template_error_and_title_cut),
    {0},
};

TEST_MAIN(tests)
