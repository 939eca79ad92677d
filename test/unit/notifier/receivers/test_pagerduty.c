/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for the PagerDuty integration: Events API v2 bodies rebuilt for every captured
 * PagerDuty request of Alertmanager 0.25 must match byte for byte (dedup_key = SHA-256 of the
 * group key); optional payload fields, links/images, truncation, v1 rejection and outcomes.
 */
#include "notifier/receivers/pagerduty.h"
#include "test/unit/notifier/receivers/recv_test_util.h"

static void test_pd_matches_captures(void)
{
    static const char *const pairs[][2] = {
        {"0002.pagerduty.json", "0001.webhook.json"},
        {"0006.pagerduty.json", "0005.webhook.json"},
        {"0011.pagerduty.json", "0010.webhook.json"},
    };
    struct am_config *c;
    struct am_tmpl *t;
    if (!rt_capture_dir()) {
        printf("skip test_pd_matches_captures: ../shared not found\n");
        return;
    }
    c = rt_config("route: {receiver: all}\n"
                  "receivers:\n- name: all\n  pagerduty_configs:\n"
                  "  - routing_key: 'R0UT1NGKEY0000000000000000000000'\n"
                  "    url: 'http://127.0.0.1:19999/pagerduty/v2/enqueue'\n"
                  "    send_resolved: true\n");
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
        if (pagerduty_build_payload(c->receivers[0].configs[AM_PAGERDUTY].v[0], t, &r.d, &out,
                                    &e) != 0)
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

static void test_pd_group_key_hash(void)
{
    char h[65];
    am_group_key_hash("{}:{alertname=\"DiskFull\"}", h);
    CHECK_STREQ(h, "17c4e445d234645c9e547ff6d32a864af0ebdadcd1902771c24c8d366637ff41");
    am_group_key_hash("", h);
    CHECK_STREQ(h, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

static const struct rt_alert_spec alerts[] = {
    {{"alertname", "X", "job", "api", "severity", "critical", NULL}, {"summary", "s", NULL}, 0},
};

static void test_pd_all_fields(void)
{
    struct am_config *c = rt_config(
        "route: {receiver: r}\n"
        "receivers:\n- name: r\n  pagerduty_configs:\n"
        "  - routing_key: '{{ \"rk-\" }}{{ .CommonLabels.job }}'\n"
        "    url: 'http://127.0.0.1:3/v2/enqueue'\n"
        "    client: 'Tocsin {{ .Receiver }}'\n"
        "    client_url: 'http://c.test/'\n"
        "    description: 'desc {{ .CommonLabels.severity }}'\n"
        "    severity: '{{ if eq .CommonLabels.severity \"critical\" }}critical{{ else }}"
        "warning{{ end }}'\n"
        "    class: cls\n"
        "    component: '{{ .CommonLabels.job }}'\n"
        "    group: grp\n"
        "    details: {extra: '{{ .Status }}', num_firing: custom}\n"
        "    images:\n"
        "    - {src: 'http://img.test/a.png', alt: A, href: 'http://h.test/'}\n"
        "    - {src: '', alt: dropped}\n"
        "    links:\n"
        "    - {href: 'http://runbook.test/{{ .GroupLabels.alertname }}', text: Runbook}\n"
        "    - {href: '', text: dropped}\n"
        "    - {href: 'http://l2.test/', text: L2}\n");
    struct am_tmpl *t = rt_tmpl();
    struct rt_data r;
    struct rt_sender fs;
    struct am_integration *it = NULL;
    struct am_notify_result res;
    struct err e;
    rt_data_make(&r, "r", alerts, 1, "alertname");
    rt_sender_init(&fs, 202);
    CHECK_INT(pagerduty_new(c->receivers[0].configs[AM_PAGERDUTY].v[0], 0, t, &fs.base, &it, &e),
              0);
    CHECK_STREQ(it->kind, "pagerduty");
    CHECK(it->send_resolved);
    CHECK_INT(it->notify(it, &r.d, 9, rt_record, &res), 0);
    CHECK_INT(res.outcome, AM_NOTIFY_OK);
    CHECK_STREQ(fs.req[0].url, "http://127.0.0.1:3/v2/enqueue");
    CHECK_STREQ(fs.req[0].hdr[0], "Content-Type: application/json");
    CHECK_STREQ(fs.req[0].hdr[1], "User-Agent: Tocsin-Notifier/" TOCSIN_VERSION);
    CHECK_STREQ(
        rt_body(&fs, 0),
        "{\"routing_key\":\"rk-api\",\"dedup_key\":"
        "\"25fb0bff77cf7f8850f1cb3aeea9e63be0fbd3e78a8c0ef038392ade26e7d3a6\","
        "\"event_action\":\"trigger\",\"payload\":{\"summary\":\"desc critical\","
        "\"source\":\"Tocsin r\",\"severity\":\"critical\",\"class\":\"cls\","
        "\"component\":\"api\",\"group\":\"grp\",\"custom_details\":{\"extra\":\"firing\","
        "\"firing\":\"Labels:\\n - alertname = X\\n - job = api\\n - severity = critical\\n"
        "Annotations:\\n - summary = s\\nSource: http://prom.test:9090/graph?g0.expr=up\\n\","
        "\"num_firing\":\"custom\",\"num_resolved\":\"0\",\"resolved\":\"\"}},"
        "\"client\":\"Tocsin r\",\"client_url\":\"http://c.test/\",\"images\":[{\"src\":"
        "\"http://img.test/a.png\",\"alt\":\"A\",\"href\":\"http://h.test/\"}],\"links\":["
        "{\"href\":\"http://runbook.test/X\",\"text\":\"Runbook\"},"
        "{\"href\":\"http://l2.test/\",\"text\":\"L2\"}]}\n");
    /* resolved */
    r.v[0]->ends_at = r.d.now - 1;
    it->notify(it, &r.d, 9, rt_record, &res);
    CHECK(strstr(rt_body(&fs, 1), "\"event_action\":\"resolve\"") != NULL);
    /* outcomes */
    fs.status[2] = 429;
    fs.retry_after = "Wed, 21 Oct 2015 07:28:00 GMT";
    it->notify(it, &r.d, 9, rt_record, &res);
    CHECK_INT(res.outcome, AM_NOTIFY_RETRY);
    fs.status[3] = 400;
    it->notify(it, &r.d, 9, rt_record, &res);
    CHECK_INT(res.outcome, AM_NOTIFY_FAIL);
    fs.status[4] = 502;
    it->notify(it, &r.d, 9, rt_record, &res);
    CHECK_INT(res.outcome, AM_NOTIFY_RETRY);
    am_integration_free(it);
    rt_sender_fini(&fs);
    rt_data_fini(&r);
    am_tmpl_unref(t);
    config_free(c);
}

static void test_pd_v1_rejected_and_empty_key(void)
{
    struct am_config *c = rt_config("route: {receiver: r}\n"
                                    "receivers:\n- name: r\n  pagerduty_configs:\n"
                                    "  - service_key: abc\n"
                                    "  - routing_key: '{{ .CommonLabels.nope }}'\n"
                                    "  - routing_key: k\n    description: '{{ .Bad.Field.X }}'\n"
                                    "    details: {x: '{{ template \"nope\" }}'}\n");
    struct am_tmpl *t = rt_tmpl();
    struct rt_data r;
    struct rt_sender fs;
    struct am_integration *it = NULL;
    struct am_notify_result res;
    struct err e;
    rt_data_make(&r, "r", alerts, 1, "alertname");
    rt_sender_init(&fs, 202);
    CHECK_INT(pagerduty_new(c->receivers[0].configs[AM_PAGERDUTY].v[0], 0, t, &fs.base, &it, &e),
              ERR_UNSUPPORTED);
    CHECK(it == NULL);
    CHECK(strstr(e.msg, "not implemented: PagerDuty Events API v1 (service_key)") != NULL);
    CHECK_INT(pagerduty_new(c->receivers[0].configs[AM_PAGERDUTY].v[1], 1, t, &fs.base, &it, &e),
              0);
    CHECK_INT(it->notify(it, &r.d, 9, rt_record, &res), 0);
    CHECK_INT(res.outcome, AM_NOTIFY_FAIL);
    CHECK_STREQ(res.msg, "pagerduty: routing key cannot be empty");
    am_integration_free(it);
    CHECK_INT(pagerduty_new(c->receivers[0].configs[AM_PAGERDUTY].v[2], 2, t, &fs.base, &it, &e),
              0);
    CHECK_INT(it->notify(it, &r.d, 9, rt_record, &res), 0);
    CHECK_INT(res.outcome, AM_NOTIFY_FAIL);
    CHECK(strstr(res.msg, "nope") != NULL || strstr(res.msg, "Bad") != NULL);
    CHECK_INT(fs.n, 0);
    am_integration_free(it);
    rt_sender_fini(&fs);
    rt_data_fini(&r);
    am_tmpl_unref(t);
    config_free(c);
}

/* The integration's http_config (here inherited from global) reaches the sender: TLS files,
 * proxy, redirects and the Authorization header. */
static void test_pd_http_config(void)
{
    struct am_config *c = rt_config(
        "global:\n  http_config:\n    bearer_token: tok\n    proxy_url: 'http://127.0.0.1:9'\n"
        "    follow_redirects: false\n"
        "    tls_config: {ca_file: /x/ca.pem, cert_file: /x/c.pem, key_file: /x/k.pem}\n"
        "route: {receiver: r}\n"
        "receivers:\n- name: r\n  pagerduty_configs:\n"
        "  - routing_key: k\n    url: 'https://127.0.0.1:3/v2/enqueue'\n");
    struct am_tmpl *t = rt_tmpl();
    struct rt_data r;
    struct rt_sender fs;
    struct am_integration *it = NULL;
    struct am_notify_result res;
    struct err e;
    rt_data_make(&r, "r", alerts, 1, "alertname");
    rt_sender_init(&fs, 202);
    CHECK_INT(pagerduty_new(c->receivers[0].configs[AM_PAGERDUTY].v[0], 0, t, &fs.base, &it, &e),
              0);
    CHECK_INT(it->notify(it, &r.d, 9, rt_record, &res), 0);
    CHECK_INT(res.outcome, AM_NOTIFY_OK);
    CHECK_INT(fs.req[0].nh, 3);
    CHECK_STREQ(fs.req[0].hdr[2], "Authorization: Bearer tok");
    CHECK(fs.req[0].has_opts);
    CHECK_STREQ(fs.req[0].opts.ca_file, "/x/ca.pem");
    CHECK_STREQ(fs.req[0].opts.cert_file, "/x/c.pem");
    CHECK_STREQ(fs.req[0].opts.key_file, "/x/k.pem");
    CHECK(!fs.req[0].opts.insecure_skip_verify);
    CHECK_STREQ(fs.req[0].opts.proxy_url, "http://127.0.0.1:9");
    CHECK(!fs.req[0].opts.follow_redirects);
    am_integration_free(it);
    rt_sender_fini(&fs);
    rt_data_fini(&r);
    am_tmpl_unref(t);
    config_free(c);
}

static void test_pd_summary_and_details_limits(void)
{
    struct am_config *c =
        rt_config("route: {receiver: r}\n"
                  "receivers:\n- name: r\n  pagerduty_configs:\n"
                  "  - routing_key: k\n"
                  "    description: '{{ printf \"%0990d\" 0 }}ééééééééééééééé"
                  "éééééééééééééééééééééééééé'\n"
                  "    details: {big: '{{ $s := printf \"%0100000d\" 0 }}{{ range "
                  "(stringSlice \"1\" \"2\" \"3\" \"4\" \"5\" \"6\") }}"
                  "{{ $s }}{{ end }}'}\n");
    struct am_tmpl *t = rt_tmpl();
    struct rt_data r;
    struct buf out;
    struct err e;
    const char *p, *q;
    rt_data_make(&r, "r", alerts, 1, "alertname");
    buf_init(&out, 0);
    CHECK_INT(
        pagerduty_build_payload(c->receivers[0].configs[AM_PAGERDUTY].v[0], t, &r.d, &out, &e), 0);
    /* 990 digits + 31 runes of é (2 bytes each) + "..." = 1024 runes */
    p = strstr(buf_str(&out), "\"summary\":\"");
    q = strstr(buf_str(&out), "...\",\"source\"");
    CHECK(p && q);
    CHECK_INT(q - (p + 11), 990 + 31 * 2);
    CHECK(strstr(buf_str(&out),
                 "\"custom_details\":{\"error\":\"Custom details have been removed because the "
                 "original event exceeds the maximum size of 512kB\"}") != NULL);
    CHECK(out.len < 512000);
    buf_fini(&out);
    rt_data_fini(&r);
    am_tmpl_unref(t);
    config_free(c);
}

static const struct test_case tests[] = {
    TEST(test_pd_matches_captures),
    TEST(test_pd_group_key_hash),
    TEST(test_pd_all_fields),
    TEST(test_pd_v1_rejected_and_empty_key),
    TEST(test_pd_http_config),
    TEST(test_pd_summary_and_details_limits),
    {0},
};

TEST_MAIN(tests)
