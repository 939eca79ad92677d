/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for the /api/v1/rules and /api/v1/alerts JSON (Prometheus's shape and filters). */
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/labels.h"
#include "common/xalloc.h"
#include "evaluator/api/rules_api.h"
#include "evaluator/rules/group.h"
#include "test/harness.h"

/* One group: a recording rule and a firing alerting rule with one alert. */
static void make_group(struct rule_group_status *g)
{
    struct label rl[] = {{"severity", "page"}};
    struct label an[] = {{"summary", "hot \"x\""}};
    struct label al[] = {{"alertname", "Hot"}, {"instance", "i1"}, {"severity", "page"}};
    struct label aa[] = {{"summary", "hot \"i1\""}};
    memset(g, 0, sizeof(*g));
    g->name = xstrdup("g");
    g->file = xstrdup("/etc/r.yml");
    g->interval_ms = 15000;
    g->last_eval_ms = 1700000000123LL;
    g->last_duration_us = 1500;
    g->nrules = 2;
    g->rules = xcalloc(2, sizeof(*g->rules));
    struct rule_status *r = &g->rules[0];
    r->kind = RULE_RECORD;
    r->name = xstrdup("job:x:sum");
    r->expr = xstrdup("sum by (job) (x)");
    r->labels = labels_empty();
    r->annotations = labels_empty();
    r->health = RULE_HEALTH_OK;
    r->last_error = xstrdup("");
    r->last_eval_ms = 1700000000123LL;
    r->eval_duration_us = 250;
    r = &g->rules[1];
    r->kind = RULE_ALERT;
    r->name = xstrdup("Hot");
    r->expr = xstrdup("x > 1");
    r->for_ms = 300000;
    r->keep_firing_for_ms = 0;
    r->labels = labels_new(rl, 1);
    r->annotations = labels_new(an, 1);
    r->health = RULE_HEALTH_ERR;
    r->last_error = xstrdup("boom");
    r->last_eval_ms = RULE_TIME_NONE;
    r->state = ALERT_FIRING;
    r->nalerts = 1;
    r->alerts = xcalloc(1, sizeof(*r->alerts));
    r->alerts[0].labels = labels_new(al, 3);
    r->alerts[0].annotations = labels_new(aa, 1);
    r->alerts[0].state = ALERT_FIRING;
    r->alerts[0].value = 2.5;
    r->alerts[0].active_at = 1700000000000LL;
    r->alerts[0].keep_firing_since = RULE_TIME_NONE;
}

static void test_rules_shape(void)
{
    struct rule_group_status g;
    struct buf b;
    make_group(&g);
    buf_init(&b, 0);
    rules_api_rules_json(&g, 1, NULL, &b);
    CHECK_STREQ(
        buf_str(&b),
        "{\"status\":\"success\",\"data\":{\"groups\":[{\"name\":\"g\",\"file\":\"/etc/r.yml\","
        "\"rules\":[{\"name\":\"job:x:sum\",\"query\":\"sum by (job) (x)\",\"health\":\"ok\","
        "\"evaluationTime\":0.00025,\"lastEvaluation\":\"2023-11-14T22:13:20.123Z\","
        "\"type\":\"recording\"},{\"state\":\"firing\",\"name\":\"Hot\",\"query\":\"x > 1\","
        "\"duration\":300,\"keepFiringFor\":0,\"labels\":{\"severity\":\"page\"},"
        "\"annotations\":{\"summary\":\"hot \\\"x\\\"\"},\"alerts\":[{\"labels\":{\"alertname\":"
        "\"Hot\",\"instance\":\"i1\",\"severity\":\"page\"},\"annotations\":{\"summary\":\"hot "
        "\\\"i1\\\"\"},\"state\":\"firing\",\"activeAt\":\"2023-11-14T22:13:20Z\",\"value\":"
        "\"2.5e+00\"}],\"health\":\"err\",\"lastError\":\"boom\",\"evaluationTime\":0,"
        "\"lastEvaluation\":\"0001-01-01T00:00:00Z\",\"type\":\"alerting\"}],\"interval\":15,"
        "\"limit\":0,\"evaluationTime\":0.0015,\"lastEvaluation\":\"2023-11-14T22:13:20.123Z\"}]}"
        "}");
    buf_reset(&b);
    rules_api_alerts_json(&g, 1, &b);
    CHECK_STREQ(buf_str(&b),
                "{\"status\":\"success\",\"data\":{\"alerts\":[{\"labels\":{\"alertname\":\"Hot\","
                "\"instance\":\"i1\",\"severity\":\"page\"},\"annotations\":{\"summary\":\"hot "
                "\\\"i1\\\"\"},\"state\":\"firing\",\"activeAt\":\"2023-11-14T22:13:20Z\","
                "\"value\":\"2.5e+00\"}]}}");
    buf_fini(&b);
    rule_group_status_fini(&g);
}

static void test_rules_filters(void)
{
    struct rule_group_status g;
    struct buf b;
    make_group(&g);
    buf_init(&b, 0);
    struct rules_api_filter f = {0};
    f.type = 2; /* record */
    rules_api_rules_json(&g, 1, &f, &b);
    CHECK(strstr(buf_str(&b), "job:x:sum") != NULL);
    CHECK(strstr(buf_str(&b), "\"Hot\"") == NULL);
    buf_reset(&b);
    f.type = 1;
    f.exclude_alerts = true;
    rules_api_rules_json(&g, 1, &f, &b);
    CHECK(strstr(buf_str(&b), "\"Hot\"") != NULL);
    CHECK(strstr(buf_str(&b), "\"alerts\"") == NULL);
    buf_reset(&b);
    const char *names[] = {"Nope"};
    memset(&f, 0, sizeof(f));
    f.names = names;
    f.nnames = 1;
    rules_api_rules_json(&g, 1, &f, &b); /* no rule matches: the group is left out */
    CHECK_STREQ(buf_str(&b), "{\"status\":\"success\",\"data\":{\"groups\":[]}}");
    buf_reset(&b);
    const char *groups[] = {"g"};
    memset(&f, 0, sizeof(f));
    f.groups = groups;
    f.ngroups = 1;
    rules_api_rules_json(&g, 1, &f, &b);
    CHECK(strstr(buf_str(&b), "job:x:sum") != NULL && strstr(buf_str(&b), "\"Hot\"") != NULL);
    buf_fini(&b);
    rule_group_status_fini(&g);
}

static const struct test_case tests[] = {
    TEST(test_rules_shape),
    TEST(test_rules_filters),
    {0},
};

TEST_MAIN(tests)
