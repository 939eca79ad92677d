/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for the Opsgenie integration: the request plan (create, updates, close; URLs, alias,
 * JSON fields and omitempty rules), the API key from a file (trimmed) and its errors, template
 * errors, and delivery through a recording sender: methods, headers, the GenieKey overriding
 * http_config authorization, and the first failing request stopping the sequence.
 */
#include <stdio.h>
#include <unistd.h>

#include "notifier/receivers/opsgenie.h"
#include "test/unit/notifier/receivers/recv_test_util.h"

static const struct rt_alert_spec alerts[] = {
    {{"alertname", "X", "job", "api", NULL}, {"summary", "s", NULL}, 0},
};

#define M10  "mmmmmmmmmm"
#define M140 M10 M10 M10 M10 M10 M10 M10 M10 M10 M10 M10 M10 M10 M10

/* message cut to 130 runes, omitempty fields, details override, teams split, updates, close */
static void test_og_plan(void)
{
    struct am_config *c =
        rt_config("route: {receiver: r}\n"
                  "receivers:\n- name: r\n  opsgenie_configs:\n"
                  "  - api_key: k1\n    api_url: 'http://127.0.0.1:3/og'\n"
                  "    message: '" M140 "'\n"
                  "    description: ''\n"
                  "    details: {job: '{{ .Status }}'}\n"
                  "    responders: [{name: ' ,a,, b ', type: teams}, {id: i1, type: schedule}]\n"
                  "    tags: ' , '\n    update_alerts: true\n");
    struct am_tmpl *t = rt_tmpl();
    struct rt_data r;
    struct opsgenie_plan p;
    struct err e;
    char want[1024];
    const char *alias = "25fb0bff77cf7f8850f1cb3aeea9e63be0fbd3e78a8c0ef038392ade26e7d3a6";
    rt_data_make(&r, "r", alerts, 1, "alertname");
    CHECK_INT(opsgenie_build(c->receivers[0].configs[AM_OPSGENIE].v[0], t, &r.d, &p, &e), 0);
    CHECK_INT(p.n, 3);
    CHECK_STREQ(p.auth, "GenieKey k1");
    CHECK_STREQ(p.req[0].method, "POST");
    CHECK_STREQ(p.req[0].url, "http://127.0.0.1:3/og/v2/alerts");
    snprintf(want, sizeof(want),
             "{\"alias\":\"%s\",\"message\":\"%.127s...\",\"details\":{\"alertname\":\"X\","
             "\"job\":\"firing\"},\"source\":\"http://am.test:9093/#/alerts?receiver=r\","
             "\"responders\":[{\"name\":\"a\",\"type\":\"team\"},{\"name\":\" b\",\"type\":"
             "\"team\"},{\"id\":\"i1\",\"type\":\"schedule\"}]}\n",
             alias, M140);
    CHECK_STREQ(p.req[0].body, want);
    CHECK_INT(p.req[0].len, strlen(want));
    CHECK_STREQ(p.req[1].method, "PUT");
    snprintf(want, sizeof(want), "http://127.0.0.1:3/og/v2/alerts/%s/message?identifierType=alias",
             alias);
    CHECK_STREQ(p.req[1].url, want);
    CHECK(strncmp(p.req[1].body, "{\"message\":\"mmm", 15) == 0);
    CHECK_STREQ(p.req[2].body, "{}\n"); /* empty description: omitempty */
    opsgenie_plan_fini(&p);
    /* all resolved: one close request */
    r.v[0]->ends_at = r.d.now - 1;
    CHECK_INT(opsgenie_build(c->receivers[0].configs[AM_OPSGENIE].v[0], t, &r.d, &p, &e), 0);
    CHECK_INT(p.n, 1);
    snprintf(want, sizeof(want), "http://127.0.0.1:3/og/v2/alerts/%s/close?identifierType=alias",
             alias);
    CHECK_STREQ(p.req[0].url, want);
    CHECK_STREQ(p.req[0].body, "{\"source\":\"http://am.test:9093/#/alerts?receiver=r\"}\n");
    opsgenie_plan_fini(&p);
    rt_data_fini(&r);
    am_tmpl_unref(t);
    config_free(c);
}

static void test_og_key_file_and_errors(void)
{
    char path[] = "/tmp/tocsin-og-keyXXXXXX", *yaml;
    int fd = mkstemp(path);
    struct am_config *c;
    struct am_tmpl *t = rt_tmpl();
    struct rt_data r;
    struct opsgenie_plan p;
    struct err e;
    CHECK(fd >= 0);
    CHECK(write(fd, " \tkey-{{ .CommonLabels.job }}\n", 30) == 30);
    close(fd);
    yaml = xasprintf(
        "route: {receiver: r}\n"
        "receivers:\n- name: r\n  opsgenie_configs:\n"
        "  - {api_key_file: '%s', api_url: 'http://127.0.0.1:3/'}\n"
        "  - {api_key_file: '/nonexistent/og.key', api_url: 'http://127.0.0.1:3/'}\n"
        "  - {api_key: k, api_url: 'http://127.0.0.1:3/', note: '{{ template \"nope\" }}'}\n",
        path);
    c = rt_config(yaml);
    rt_data_make(&r, "r", alerts, 1, "alertname");
    CHECK_INT(opsgenie_build(c->receivers[0].configs[AM_OPSGENIE].v[0], t, &r.d, &p, &e), 0);
    CHECK_STREQ(p.auth, "GenieKey key-api");
    opsgenie_plan_fini(&p);
    CHECK(opsgenie_build(c->receivers[0].configs[AM_OPSGENIE].v[1], t, &r.d, &p, &e) != 0);
    CHECK(strstr(e.msg, "read key_file error") != NULL);
    CHECK_INT(p.n, 0);
    CHECK(opsgenie_build(c->receivers[0].configs[AM_OPSGENIE].v[2], t, &r.d, &p, &e) != 0);
    CHECK(strstr(e.msg, "templating error") != NULL);
    unlink(path);
    xfree(yaml);
    rt_data_fini(&r);
    am_tmpl_unref(t);
    config_free(c);
}

static void test_og_notify(void)
{
    struct am_config *c =
        rt_config("route: {receiver: r}\n"
                  "receivers:\n- name: r\n  opsgenie_configs:\n"
                  "  - api_key: k1\n    api_url: 'https://127.0.0.1:3/'\n    update_alerts: true\n"
                  "    http_config: {bearer_token: ignored, tls_config: {ca_file: /x/ca.pem}}\n");
    struct am_tmpl *t = rt_tmpl();
    struct rt_data r;
    struct rt_sender fs;
    struct am_integration *it;
    struct am_notify_result res;
    rt_data_make(&r, "r", alerts, 1, "alertname");
    rt_sender_init(&fs, 202);
    it = opsgenie_new(c->receivers[0].configs[AM_OPSGENIE].v[0], 0, t, &fs.base);
    CHECK_STREQ(it->kind, "opsgenie");
    CHECK(it->send_resolved);
    CHECK_INT(it->notify(it, &r.d, 9, rt_record, &res), 0);
    CHECK_INT(res.outcome, AM_NOTIFY_OK);
    CHECK_INT(fs.n, 3);
    CHECK_STREQ(fs.req[0].hdr[0], "Content-Type: application/json");
    CHECK_STREQ(fs.req[0].hdr[2], "Authorization: GenieKey k1");
    CHECK_STREQ(fs.req[0].opts.method, "POST");
    CHECK_STREQ(fs.req[1].opts.method, "PUT");
    CHECK_STREQ(fs.req[2].opts.method, "PUT");
    CHECK_STREQ(fs.req[2].opts.ca_file, "/x/ca.pem");
    CHECK_INT(fs.req[1].timeout, 9);
    /* the message update fails with 503: retried, the description update is not sent */
    rt_sender_fini(&fs);
    rt_sender_init(&fs, 202);
    fs.status[1] = 503;
    CHECK_INT(it->notify(it, &r.d, 9, rt_record, &res), 0);
    CHECK_INT(res.outcome, AM_NOTIFY_RETRY);
    CHECK_INT(res.status, 503);
    CHECK_INT(fs.n, 2);
    /* 400 on create: permanent */
    rt_sender_fini(&fs);
    rt_sender_init(&fs, 400);
    CHECK_INT(it->notify(it, &r.d, 9, rt_record, &res), 0);
    CHECK_INT(res.outcome, AM_NOTIFY_FAIL);
    CHECK_INT(fs.n, 1);
    am_integration_free(it);
    rt_sender_fini(&fs);
    rt_data_fini(&r);
    am_tmpl_unref(t);
    config_free(c);
}

static const struct test_case tests[] = {
    TEST(test_og_plan),
    TEST(test_og_key_file_and_errors),
    TEST(test_og_notify),
    {0},
};

TEST_MAIN(tests)
