/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for the alert state machine, recording rules, sinks and scheduling. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/labels.h"
#include "common/xalloc.h"
#include "evaluator/promql/storage.h"
#include "evaluator/rules/group.h"
#include "evaluator/rules/rulefile.h"
#include "evaluator/rules/state.h"
#include "test/harness.h"

/* A fake query function: returns the samples configured for an expression. */
struct fake {
    const char *expr[4];
    struct labels *ls[4][4];
    double v[4][4];
    size_t n[4];
    int fail[4];
    /* outputs seen by the sink */
    struct buf sink;
    size_t nsent;
    struct buf sent;
};

static int fake_query(void *ctx, const char *expr, int64_t ts, struct rule_vector *out,
                      struct err *e)
{
    struct fake *f = ctx;
    for (int i = 0; i < 4; i++) {
        if (!f->expr[i] || strcmp(f->expr[i], expr) != 0)
            continue;
        if (f->fail[i])
            return err_set(e, ERR_INVALID, "boom");
        for (size_t j = 0; j < f->n[i]; j++)
            rule_vector_add(out, labels_dup(f->ls[i][j]), ts, f->v[i][j]);
        return 0;
    }
    return 0;
}

static int fake_append(void *ctx, const struct rule_sample *s, size_t n, struct err *e)
{
    struct fake *f = ctx;
    (void)e;
    for (size_t i = 0; i < n; i++) {
        labels_format_metric(s[i].labels, &f->sink);
        if (promql_is_stale(s[i].v))
            buf_printf(&f->sink, " stale @%lld\n", (long long)s[i].t);
        else
            buf_printf(&f->sink, " %g @%lld\n", s[i].v, (long long)s[i].t);
    }
    return 0;
}

static void fake_notify(void *ctx, const char *expr, const struct rule_alert_send *a, size_t n)
{
    struct fake *f = ctx;
    (void)expr;
    for (size_t i = 0; i < n; i++) {
        labels_format(a[i].labels, &f->sent);
        buf_printf(&f->sent, " %lld..%lld\n", (long long)a[i].starts_at_ms,
                   (long long)a[i].ends_at_ms);
        f->nsent++;
    }
}

static struct labels *L(const char *name, const char *v1, const char *v2)
{
    struct label l[2] = {{"__name__", name}, {v1, v2}};
    return labels_new(l, 2);
}

static struct rule_group *load_group(const char *yaml, const struct rule_group_opts *o)
{
    struct rule_file *f = NULL;
    struct err e;
    err_clear(&e);
    struct rule_parse_opts po = {.skip_expr_check = true};
    if (rule_file_parse(yaml, strlen(yaml), "t.yml", &po, &f, NULL, &e) != 0)
        test_fail(__FILE__, __LINE__, "parse: %s", e.msg);
    struct rule_group *g = rule_group_new(&f->groups[0], o);
    rule_file_free(f);
    return g;
}

static struct rule_group_opts opts_for(struct fake *f)
{
    struct rule_group_opts o = {0};
    o.query = fake_query;
    o.append = fake_append;
    o.notify = fake_notify;
    o.query_ctx = o.append_ctx = o.notify_ctx = f;
    o.default_interval_ms = 60000;
    o.resend_delay_ms = 60000;
    return o;
}

static void fake_init(struct fake *f)
{
    memset(f, 0, sizeof(*f));
    buf_init(&f->sink, 0);
    buf_init(&f->sent, 0);
}

static void fake_fini(struct fake *f)
{
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 4; j++)
            labels_free(f->ls[i][j]);
    buf_fini(&f->sink);
    buf_fini(&f->sent);
}

#define MIN 60000

static void test_pending_firing_resolved(void)
{
    struct fake f;
    fake_init(&f);
    struct rule_group_opts o = opts_for(&f);
    struct rule_group *g = load_group("groups:\n- name: g\n  rules:\n  - alert: Down\n"
                                      "    expr: up == 0\n    for: 2m\n"
                                      "    labels: {severity: page}\n",
                                      &o);
    f.expr[0] = "up == 0";
    f.ls[0][0] = L("up", "job", "a");
    f.v[0][0] = 0;
    f.n[0] = 1;
    rule_group_eval(g, 0);
    struct rule *r = &g->rules[0];
    CHECK_INT(r->nalerts, 1);
    CHECK_INT(r->alerts[0]->state, ALERT_PENDING);
    CHECK_STREQ(labels_get(r->alerts[0]->labels, "severity"), "page");
    CHECK_STREQ(labels_get(r->alerts[0]->labels, "alertname"), "Down");
    CHECK(labels_get(r->alerts[0]->labels, "__name__") == NULL);
    CHECK(strstr(buf_str(&f.sink), "ALERTS{alertname=\"Down\", alertstate=\"pending\", job=\"a\", "
                                   "severity=\"page\"} 1 @0") != NULL);
    CHECK(strstr(buf_str(&f.sink), "ALERTS_FOR_STATE{alertname=\"Down\", job=\"a\", "
                                   "severity=\"page\"} 0 @0") != NULL);
    CHECK_INT(f.nsent, 0); /* pending alerts are not sent */
    rule_group_eval(g, MIN);
    CHECK_INT(r->alerts[0]->state, ALERT_PENDING);
    rule_group_eval(g, 2 * MIN);
    CHECK_INT(r->alerts[0]->state, ALERT_FIRING);
    CHECK_INT(r->alerts[0]->fired_at, 2 * MIN);
    CHECK_INT(f.nsent, 1);
    /* endsAt = ts + 4 * max(interval, resend) */
    CHECK(strstr(buf_str(&f.sent), " 120000..360000") != NULL);
    /* the pending ALERTS series went stale when it became firing */
    CHECK(strstr(buf_str(&f.sink), "alertstate=\"pending\", job=\"a\", severity=\"page\"} stale "
                                   "@120000") != NULL);
    rule_group_eval(g, 3 * MIN); /* resend only after resend delay has passed (strictly) */
    CHECK_INT(f.nsent, 1);
    rule_group_eval(g, 3 * MIN + 1);
    CHECK_INT(f.nsent, 2);
    /* resolve */
    f.n[0] = 0;
    rule_group_eval(g, 4 * MIN);
    CHECK_INT(r->nalerts, 1);
    CHECK_INT(r->alerts[0]->state, ALERT_INACTIVE);
    CHECK_INT(r->alerts[0]->resolved_at, 4 * MIN);
    CHECK_INT(f.nsent, 3); /* resolved alerts are sent at once */
    CHECK(strstr(buf_str(&f.sent), " 120000..240000") != NULL);
    /* kept 15 minutes, then dropped */
    rule_group_eval(g, 19 * MIN);
    CHECK_INT(r->nalerts, 1);
    rule_group_eval(g, 19 * MIN + 1);
    CHECK_INT(r->nalerts, 0);
    rule_group_free(g);
    fake_fini(&f);
}

static void test_pending_dropped_and_restart(void)
{
    struct fake f;
    fake_init(&f);
    struct rule_group_opts o = opts_for(&f);
    struct rule_group *g = load_group("groups:\n- name: g\n  rules:\n  - alert: A\n"
                                      "    expr: x\n    for: 5m\n",
                                      &o);
    f.expr[0] = "x";
    f.ls[0][0] = L("x", "i", "1");
    f.v[0][0] = 3;
    f.n[0] = 1;
    rule_group_eval(g, 0);
    f.n[0] = 0;
    rule_group_eval(g, MIN);
    CHECK_INT(g->rules[0].nalerts, 0);
    f.n[0] = 1;
    rule_group_eval(g, 2 * MIN);
    CHECK_INT(g->rules[0].alerts[0]->active_at, 2 * MIN);
    CHECK(g->rules[0].alerts[0]->value == 3);
    rule_group_free(g);
    fake_fini(&f);
}

static void test_keep_firing_for(void)
{
    struct fake f;
    fake_init(&f);
    struct rule_group_opts o = opts_for(&f);
    struct rule_group *g = load_group("groups:\n- name: g\n  rules:\n  - alert: A\n"
                                      "    expr: x\n    keep_firing_for: 2m\n",
                                      &o);
    f.expr[0] = "x";
    f.ls[0][0] = L("x", "i", "1");
    f.n[0] = 1;
    rule_group_eval(g, 0);
    struct rule *r = &g->rules[0];
    CHECK_INT(r->alerts[0]->state, ALERT_FIRING); /* for: 0 fires at once */
    f.n[0] = 0;
    rule_group_eval(g, MIN);
    CHECK_INT(r->alerts[0]->state, ALERT_FIRING);
    CHECK_INT(r->alerts[0]->keep_firing_since, MIN);
    rule_group_eval(g, 2 * MIN);
    CHECK_INT(r->alerts[0]->state, ALERT_FIRING);
    rule_group_eval(g, 3 * MIN);
    CHECK_INT(r->alerts[0]->state, ALERT_INACTIVE);
    CHECK_INT(r->alerts[0]->resolved_at, 3 * MIN);
    /* back again: a new alert, keep_firing_since cleared */
    f.n[0] = 1;
    rule_group_eval(g, 4 * MIN);
    CHECK_INT(r->nalerts, 1);
    CHECK_INT(r->alerts[0]->state, ALERT_FIRING);
    CHECK_INT(r->alerts[0]->keep_firing_since, RULE_TIME_NONE);
    rule_group_free(g);
    fake_fini(&f);
}

static void test_limit_and_errors(void)
{
    struct fake f;
    fake_init(&f);
    struct rule_group_opts o = opts_for(&f);
    struct rule_group *g = load_group("groups:\n- name: g\n  limit: 1\n  rules:\n"
                                      "  - alert: A\n    expr: x\n"
                                      "  - record: r:x\n    expr: x\n    labels: {k: v}\n"
                                      "  - record: r:y\n    expr: y\n",
                                      &o);
    f.expr[0] = "x";
    f.ls[0][0] = L("x", "i", "1");
    f.ls[0][1] = L("x", "i", "2");
    f.n[0] = 2;
    f.expr[1] = "y";
    f.fail[1] = 1;
    CHECK_INT(rule_group_eval(g, 0), 3);
    CHECK_INT(g->rules[0].nalerts, 0);
    CHECK_STREQ(g->rules[0].last_error, "exceeded limit of 1 with 2 alerts");
    CHECK_STREQ(g->rules[1].last_error, "exceeded limit of 1 with 2 series");
    CHECK_STREQ(g->rules[2].last_error, "boom");
    CHECK_INT(g->rules[2].health, RULE_HEALTH_ERR);
    CHECK_INT(g->failures, 3);
    CHECK_INT(g->evaluations, 1);
    f.n[0] = 1;
    f.fail[1] = 0;
    CHECK_INT(rule_group_eval(g, MIN), 0);
    CHECK(strstr(buf_str(&f.sink), "r:x{i=\"1\", k=\"v\"} 0 @60000") != NULL);
    CHECK_INT(g->rules[2].health, RULE_HEALTH_OK);
    rule_group_free(g);
    fake_fini(&f);
}

static void test_query_offset_and_group_labels(void)
{
    struct fake f;
    fake_init(&f);
    struct rule_group_opts o = opts_for(&f);
    struct rule_group *g = load_group("groups:\n- name: g\n  query_offset: 30s\n"
                                      "  labels: {team: a, k: g}\n  rules:\n"
                                      "  - record: r:x\n    expr: x\n    labels: {k: v}\n",
                                      &o);
    f.expr[0] = "x";
    f.ls[0][0] = L("x", "i", "1");
    f.n[0] = 1;
    rule_group_eval(g, 10 * MIN);
    CHECK(strstr(buf_str(&f.sink), "r:x{i=\"1\", k=\"v\", team=\"a\"} 0 @570000") != NULL);
    f.n[0] = 0;
    rule_group_eval(g, 11 * MIN);
    CHECK(strstr(buf_str(&f.sink), "r:x{i=\"1\", k=\"v\", team=\"a\"} stale @630000") != NULL);
    rule_group_free(g);
    fake_fini(&f);
}

static void test_schedule(void)
{
    struct fake f;
    fake_init(&f);
    struct rule_group_opts o = opts_for(&f);
    struct rule_group *g = load_group("groups:\n- name: g\n  interval: 10s\n  rules:\n"
                                      "  - record: r:x\n    expr: x\n",
                                      &o);
    CHECK(g->offset_ms >= 0 && g->offset_ms < 10000);
    int64_t start = 1700000000123LL;
    int64_t next = rule_group_tick(g, start);
    CHECK(next > start && next <= start + 10000);
    CHECK_INT((next - g->offset_ms) % 10000, 0);
    CHECK_INT(rule_group_tick(g, next - 1), next);
    CHECK_INT(g->evaluations, 0);
    int64_t n2 = rule_group_tick(g, next);
    CHECK_INT(n2, next + 10000);
    CHECK_INT(g->evaluations, 1);
    CHECK_INT(g->last_eval_ms, next);
    /* 3.5 intervals late: 3 slots missed, one evaluation at the latest due slot */
    int64_t n3 = rule_group_tick(g, n2 + 35000);
    CHECK_INT(g->missed, 3);
    CHECK_INT(g->evaluations, 2);
    CHECK_INT(g->last_eval_ms, n2 + 30000);
    CHECK_INT(n3, n2 + 40000);
    rule_group_free(g);
    fake_fini(&f);
}

static void test_snapshot(void)
{
    struct fake f;
    fake_init(&f);
    struct rule_group_opts o = opts_for(&f);
    struct rule_group *g = load_group("groups:\n- name: g\n  rules:\n  - alert: A\n"
                                      "    expr: x\n    for: 1m\n"
                                      "    annotations: {summary: hi}\n",
                                      &o);
    f.expr[0] = "x";
    f.ls[0][0] = L("x", "i", "1");
    f.v[0][0] = 7;
    f.n[0] = 1;
    rule_group_eval(g, 5000);
    struct rule_group_status s;
    rule_group_snapshot(g, &s);
    CHECK_INT(s.nrules, 1);
    CHECK_INT(s.rules[0].state, ALERT_PENDING);
    CHECK_INT(s.rules[0].nalerts, 1);
    CHECK_INT(s.rules[0].alerts[0].active_at, 5000);
    CHECK(s.rules[0].alerts[0].value == 7);
    CHECK_STREQ(labels_get(s.rules[0].alerts[0].annotations, "summary"), "hi");
    CHECK_STREQ(rule_health_str(s.rules[0].health), "ok");
    CHECK_INT(s.evaluations, 1);
    rule_group_status_fini(&s);
    rule_group_free(g);
    fake_fini(&f);
}

static void test_state_roundtrip(void)
{
    struct fake f;
    fake_init(&f);
    struct rule_group_opts o = opts_for(&f);
    const char *y = "groups:\n- name: g\n  rules:\n  - alert: A\n    expr: x\n    for: 1h\n"
                    "  - alert: B\n    expr: y\n    keep_firing_for: 1h\n";
    struct rule_group *g = load_group(y, &o);
    f.expr[0] = "x";
    f.ls[0][0] = L("x", "i", "1");
    f.n[0] = 1;
    f.expr[1] = "y";
    f.ls[1][0] = L("y", "i", "2");
    f.n[1] = 1;
    rule_group_eval(g, 0);
    f.n[1] = 0;
    rule_group_eval(g, 10 * MIN); /* B keeps firing since 10m */
    CHECK_INT(g->rules[1].alerts[0]->keep_firing_since, 10 * MIN);
    char path[] = "/tmp/tocsin-state-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    close(fd);
    struct err e;
    err_clear(&e);
    uint64_t v0 = rules_state_version(&g, 1);
    CHECK(v0 > 0);
    CHECK_INT(rules_state_save(&g, 1, path, 10 * MIN, &e), 0);
    struct rule_group *g2 = load_group(y, &o);
    size_t nres = 0;
    CHECK_INT(rules_state_restore(&g2, 1, path, &nres, &e), 0);
    CHECK_INT(nres, 2);
    /* A was pending since 0: after the restart it fires at 1h, not 1h after the restart */
    rule_group_eval(g2, 30 * MIN);
    CHECK_INT(g2->rules[0].alerts[0]->state, ALERT_PENDING);
    CHECK_INT(g2->rules[0].alerts[0]->active_at, 0);
    rule_group_eval(g2, 60 * MIN);
    CHECK_INT(g2->rules[0].alerts[0]->state, ALERT_FIRING);
    /* B: keep_firing_since survived, so it resolves at 10m + 1h */
    CHECK_INT(g2->rules[1].alerts[0]->state, ALERT_FIRING);
    rule_group_eval(g2, 70 * MIN);
    CHECK_INT(g2->rules[1].alerts[0]->state, ALERT_INACTIVE);
    /* a corrupt file restores nothing */
    FILE *fp = fopen(path, "w");
    fputs("{\"version\":1,\"groups\":[{\"file\":\"t.yml\"}]}", fp);
    fclose(fp);
    struct rule_group *g3 = load_group(y, &o);
    CHECK_INT(rules_state_restore(&g3, 1, path, &nres, &e), ERR_CORRUPT);
    CHECK_INT(g3->rules[0].nalerts, 0);
    unlink(path);
    CHECK_INT(rules_state_restore(&g3, 1, path, &nres, &e), 0); /* missing: fine */
    rule_group_free(g);
    rule_group_free(g2);
    rule_group_free(g3);
    fake_fini(&f);
}

static void test_templates(void)
{
    struct fake f;
    fake_init(&f);
    struct rule_group_opts o = opts_for(&f);
    struct label ext[1] = {{"cluster", "eu1"}};
    struct labels *el = labels_new(ext, 1);
    o.external_labels = el;
    o.external_url = "http://tocsin:9090";
    struct rule_group *g = load_group(
        "groups:\n- name: g\n  rules:\n  - alert: A\n    expr: x\n"
        "    labels: {sev: '{{ if gt $value 5.0 }}page{{ else }}ticket{{ end }}'}\n"
        "    annotations:\n"
        "      s: '{{ $labels.i }} {{ $value | humanize }} {{ $externalLabels.cluster }}'\n"
        "      q: '{{ with query \"y\" }}{{ . | first | value }}{{ end }}'\n"
        "      u: '{{ $externalURL }}'\n"
        "      bad: '{{ humanize \"abc\" }}'\n",
        &o);
    f.expr[0] = "x";
    f.ls[0][0] = L("x", "i", "1");
    f.v[0][0] = 1234567;
    f.n[0] = 1;
    f.expr[1] = "y";
    f.ls[1][0] = L("y", "j", "2");
    f.v[1][0] = 42;
    f.n[1] = 1;
    rule_group_eval(g, 0);
    const struct alert *a = g->rules[0].alerts[0];
    CHECK_STREQ(labels_get(a->labels, "sev"), "page");
    CHECK_STREQ(labels_get(a->annotations, "s"), "1 1.235M eu1");
    CHECK_STREQ(labels_get(a->annotations, "q"), "42");
    CHECK_STREQ(labels_get(a->annotations, "u"), "http://tocsin:9090");
    CHECK(strncmp(labels_get(a->annotations, "bad"), "<error expanding template: ", 27) == 0);
    rule_group_free(g);
    labels_free(el);
    fake_fini(&f);
}

static void test_duplicates(void)
{
    struct fake f;
    fake_init(&f);
    struct rule_group_opts o = opts_for(&f);
    struct rule_group *g = load_group("groups:\n- name: g\n  rules:\n"
                                      "  - alert: A\n    expr: x\n"
                                      "  - record: r\n    expr: x\n",
                                      &o);
    f.expr[0] = "x";
    f.ls[0][0] = L("a", "i", "1");
    f.ls[0][1] = L("b", "i", "1"); /* same labels once __name__ is gone or replaced */
    f.n[0] = 2;
    CHECK_INT(rule_group_eval(g, 0), 2);
    CHECK_STREQ(g->rules[0].last_error,
                "vector contains metrics with the same labelset after applying alert labels");
    CHECK_STREQ(g->rules[1].last_error,
                "vector contains metrics with the same labelset after applying rule labels");
    CHECK_INT(g->rules[0].nalerts, 0);
    rule_group_free(g);
    fake_fini(&f);
}

static const struct test_case tests[] = {
    TEST(test_duplicates),
    TEST(test_templates),
    TEST(test_state_roundtrip),
    TEST(test_pending_firing_resolved),
    TEST(test_pending_dropped_and_restart),
    TEST(test_keep_firing_for),
    TEST(test_limit_and_errors),
    TEST(test_query_offset_and_group_labels),
    TEST(test_schedule),
    TEST(test_snapshot),
    {0},
};
TEST_MAIN(tests)
