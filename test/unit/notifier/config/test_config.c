/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for the Alertmanager config parser: defaults, inheritance, checks, printing. */
#include <string.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/yamlx.h"
#include "notifier/config/config.h"
#include "test/harness.h"

static struct am_config *parse_ok(const char *yaml)
{
    struct am_config *c = NULL;
    struct err e;
    err_clear(&e);
    if (config_parse(yaml, strlen(yaml), "t.yml", &c, &e) != 0)
        test_fail(__FILE__, __LINE__, "unexpected error: %d:%d: %s", e.line, e.column, e.msg);
    return c;
}

static void expect_err(const char *yaml, const char *msg, int line)
{
    struct am_config *c = NULL;
    struct err e;
    err_clear(&e);
    if (config_parse(yaml, strlen(yaml), "t.yml", &c, &e) == 0) {
        config_free(c);
        test_fail(__FILE__, __LINE__, "accepted, expected \"%s\"", msg);
    }
    if (strstr(e.msg, msg) == NULL)
        test_fail(__FILE__, __LINE__, "got \"%s\", expected \"%s\"", e.msg, msg);
    if (line && e.line != line)
        test_fail(__FILE__, __LINE__, "error at line %d, expected %d (%s)", e.line, line, e.msg);
}

static void test_defaults_and_inheritance(void)
{
    struct am_config *c = parse_ok("global:\n"
                                   "  smtp_smarthost: 'mail:25'\n"
                                   "  smtp_from: am@x\n"
                                   "  smtp_auth_password: pw\n"
                                   "  slack_api_url: https://hooks.example/xyz\n"
                                   "  http_config: {proxy_url: 'http://127.0.0.1:3128'}\n"
                                   "route: {receiver: r}\n"
                                   "receivers:\n"
                                   "- name: r\n"
                                   "  email_configs: [{to: a@b}]\n"
                                   "  slack_configs: [{channel: '#x'}]\n"
                                   "  webhook_configs: [{url: 'http://127.0.0.1/h'}]\n"
                                   "  pagerduty_configs: [{routing_key: k}]\n");
    const struct am_receiver_config *r = config_receiver(c, "r");
    const struct am_email_config *em;
    const struct am_slack_config *sl;
    const struct am_webhook_config *wh;
    const struct am_pagerduty_config *pd;
    CHECK_INT(c->global.resolve_timeout_ms, 300000);
    CHECK(c->global.smtp_require_tls);
    CHECK(r != NULL);
    em = r->configs[AM_EMAIL].v[0];
    CHECK_STREQ(em->smarthost, "mail:25");
    CHECK_STREQ(em->from, "am@x");
    CHECK_STREQ(em->auth_password, "pw");
    CHECK_STREQ(em->hello, "localhost");
    CHECK_INT(em->require_tls, AM_TRUE);
    CHECK(!em->send_resolved);
    sl = r->configs[AM_SLACK].v[0];
    CHECK_STREQ(sl->api_url, "https://hooks.example/xyz");
    CHECK(!sl->send_resolved);
    CHECK_STREQ(sl->http_config->proxy_url, "http://127.0.0.1:3128");
    wh = r->configs[AM_WEBHOOK].v[0];
    CHECK(wh->send_resolved);
    CHECK(wh->http_config->follow_redirects);
    pd = r->configs[AM_PAGERDUTY].v[0];
    CHECK_STREQ(pd->url, "https://events.pagerduty.com/v2/enqueue");
    CHECK_INT(pd->details.n, 4);
    CHECK(pd->send_resolved);
    config_free(c);
}

static void test_redacted_print(void)
{
    struct am_config *c = parse_ok("global:\n"
                                   "  slack_api_url: https://hooks.example/SECRET1\n"
                                   "route: {receiver: r, group_by: [a]}\n"
                                   "receivers:\n"
                                   "- name: r\n"
                                   "  pagerduty_configs: [{routing_key: SECRET2}]\n"
                                   "  webhook_configs:\n"
                                   "  - url: 'http://127.0.0.1/h'\n"
                                   "    http_config: {bearer_token: SECRET3}\n");
    struct buf b;
    buf_init(&b, 0);
    CHECK_INT(config_print_redacted(c, &b), 0);
    CHECK(strstr(buf_str(&b), "SECRET") == NULL);
    CHECK(strstr(buf_str(&b), "slack_api_url: <secret>") != NULL);
    CHECK(strstr(buf_str(&b), "routing_key: <secret>") != NULL);
    CHECK(strstr(buf_str(&b), "credentials: <secret>") != NULL);
    CHECK(strstr(buf_str(&b), "type: Bearer") != NULL);
    /* The printed form parses again. */
    {
        struct am_config *c2 = NULL;
        struct err e;
        err_clear(&e);
        /* <secret> is not a URL, so only check YAML well-formedness via yamlx. */
        struct yamlx_doc *d = NULL;
        CHECK_INT(yamlx_load_string(buf_str(&b), b.len, NULL, NULL, &d, &e), 0);
        yamlx_doc_free(d);
        (void)c2;
    }
    buf_fini(&b);
    config_free(c);
}

static void test_extensions_kept(void)
{
    struct am_config *c = parse_ok("route:\n"
                                   "  receiver: r\n"
                                   "  escalation_policy: db-oncall\n"
                                   "  routes: [{receiver: r, escalation_policy: other}]\n"
                                   "receivers: [{name: r}]\n"
                                   "escalation_policies: [{name: db-oncall, steps: []}]\n"
                                   "schedules: {a: 1}\n"
                                   "users: [alice]\n");
    CHECK(c->escalation_policies != NULL);
    CHECK_INT(c->escalation_policies->kind, YAMLX_SEQ);
    CHECK(c->schedules != NULL);
    CHECK(c->users != NULL);
    CHECK_STREQ(c->route->escalation_policy->str, "db-oncall");
    CHECK_STREQ(c->route->routes[0]->escalation_policy->str, "other");
    config_free(c);
}

static void test_validation_messages(void)
{
    expect_err("route: {receiver: r}\nreceivers: [{name: r}]\nbogus: 1\n", "field bogus not found",
               3);
    expect_err("route:\n  receiver: r\n  routes:\n  - receiver: r\n    foo: 1\n"
               "receivers: [{name: r}]\n",
               "field foo not found in route", 5);
    expect_err("route: {receiver: r}\nreceivers: [{name: r, email_configs: [{to: a}]}]\n",
               "no global SMTP smarthost set", 0);
    expect_err("global: {smtp_smarthost: 'a:1'}\nroute: {receiver: r}\n"
               "receivers: [{name: r, email_configs: [{to: a}]}]\n",
               "no global SMTP from set", 0);
    expect_err("route: {receiver: r}\nreceivers: [{name: r, email_configs: [{}]}]\n",
               "missing to address in email config", 0);
    expect_err("route: {receiver: r}\nreceivers:\n- name: r\n  webhook_configs: [{url: "
               "'http:///x'}]\n",
               "missing host for URL", 4);
    expect_err("route: {receiver: r}\nreceivers: [{}]\n", "missing name in receiver", 0);
    expect_err("route: {receiver: r}\nreceivers: [{name: r, telegram_configs: [{bot_token: x}]}]\n",
               "missing chat_id on telegram_config", 0);
    expect_err("route: {receiver: r}\nreceivers: [{name: r, webex_configs: [{room_id: x}]}]\n",
               "missing webex_configs.http_config.authorization", 0);
    expect_err("route: {receiver: r}\nreceivers: [{name: r, wechat_configs: [{}]}]\n",
               "no global Wechat ApiSecret set", 0);
    expect_err("global: {smtp_smarthost: 'a:1', smtp_from: x}\nroute: {receiver: r}\n"
               "receivers: [{name: r, email_configs: [{to: a, headers: {subject: a, Subject: "
               "b}}]}]\n",
               "duplicate header \"Subject\" in email config", 0);
    expect_err("route: {receiver: r}\nreceivers: [{name: r, webhook_configs: [{url: "
               "'http://a/', http_config: {bearer_token: a, basic_auth: {username: u}}}]}]\n",
               "at most one of basic_auth", 0);
    expect_err("route: {receiver: r, group_wait: 5x}\nreceivers: [{name: r}]\n",
               "not a valid duration", 1);
    expect_err("route: [1]\nreceivers: [{name: r}]\n", "cannot unmarshal", 1);
    expect_err("route: {receiver: r}\nreceivers: [{name: r}]\ntime_intervals:\n"
               "- {name: a}\n- {name: a}\n",
               "time interval \"a\" is not unique", 0);
    expect_err("route: {receiver: r, matchers: ['a=b']}\nreceivers: [{name: r}]\n",
               "root route must not have any matchers", 0);
    expect_err("route: {receiver: r}\nreceivers: [{name: r}]\nroute: {receiver: r}\n",
               "already set", 3);
}

static void test_route_fields(void)
{
    struct am_config *c = parse_ok("route:\n"
                                   "  receiver: r\n"
                                   "  group_wait: 0s\n"
                                   "  routes:\n"
                                   "  - match: {a: b}\n"
                                   "    match_re: {c: 'd.*'}\n"
                                   "    matchers: ['e!=f', '{g=~\"h\", i!~j}']\n"
                                   "    continue: true\n"
                                   "receivers: [{name: r}]\n");
    const struct am_route *ch = c->route->routes[0];
    CHECK_INT(c->route->group_wait_ms, 0);
    CHECK_INT(c->route->group_interval_ms, -1);
    CHECK_INT(ch->matchers.n, 5);
    CHECK_INT(ch->new_matchers.n, 3);
    CHECK(ch->continue_);
    CHECK(ch->receiver == NULL);
    config_free(c);
}

static const struct test_case tests[] = {
    TEST(test_defaults_and_inheritance), TEST(test_redacted_print), TEST(test_extensions_kept),
    TEST(test_validation_messages),      TEST(test_route_fields),   {0},
};
TEST_MAIN(tests)
