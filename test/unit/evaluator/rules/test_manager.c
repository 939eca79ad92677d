/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for the rule manager: load, reload with state carry-over, tick, state file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/labels.h"
#include "evaluator/promql/storage.h"
#include "evaluator/rules/manager.h"
#include "test/harness.h"

struct env {
    int up; /* value the fake query returns for "up == 0": 1 = one series, 0 = none */
    struct buf sink;
    int sent;
};

static int q(void *ctx, const char *expr, int64_t ts, struct rule_vector *out, struct err *e)
{
    struct env *env = ctx;
    (void)e;
    if (strstr(expr, "up") && env->up) {
        struct label l[2] = {{"__name__", "up"}, {"job", "a"}};
        rule_vector_add(out, labels_new(l, 2), ts, 0);
    }
    return 0;
}

static int app(void *ctx, const struct rule_sample *s, size_t n, struct err *e)
{
    struct env *env = ctx;
    (void)e;
    for (size_t i = 0; i < n; i++) {
        labels_format_metric(s[i].labels, &env->sink);
        buf_printf(&env->sink, promql_is_stale(s[i].v) ? " stale\n" : " %g\n", s[i].v);
    }
    return 0;
}

static void notify(void *ctx, const char *expr, const struct rule_alert_send *a, size_t n)
{
    struct env *env = ctx;
    (void)expr;
    (void)a;
    env->sent += (int)n;
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    fputs(text, f);
    fclose(f);
}

static const char *RULES1 = "groups:\n- name: g\n  interval: 1m\n  rules:\n"
                            "  - alert: Down\n    expr: up == 0\n    for: 1h\n"
                            "  - record: r:up\n    expr: up\n";

static void test_manager(void)
{
    char dir[] = "/tmp/tocsin-mgr-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char rf[300], st[300];
    snprintf(rf, sizeof(rf), "%s/r.yml", dir);
    snprintf(st, sizeof(st), "%s/rules-state.json", dir);
    write_file(rf, RULES1);
    struct env env = {.up = 1};
    buf_init(&env.sink, 0);
    struct rule_group_opts o = {0};
    o.query = q;
    o.append = app;
    o.notify = notify;
    o.query_ctx = o.append_ctx = o.notify_ctx = &env;
    o.default_interval_ms = 60000;
    struct rules_manager *m = rules_manager_new(&o, st);
    char *files[] = {rf, NULL};
    struct rule_errors errs;
    struct err e;
    rule_errors_init(&errs);
    struct rule_parse_opts po = {.skip_expr_check = true};
    CHECK_INT(rules_manager_load(m, files, 1, &po, 0, &errs, &e), 0);
    CHECK_INT(m->ngroups, 1);
    int64_t now = 1000000000000LL;
    int64_t next = rules_manager_tick(m, now); /* schedules */
    CHECK(next > now);
    for (int i = 0; i < 40; i++)
        next = rules_manager_tick(m, next);
    struct rule_group *g = m->groups[0];
    CHECK_INT(g->evaluations, 40);
    CHECK_INT(g->rules[0].nalerts, 1);
    CHECK_INT(g->rules[0].alerts[0]->state, ALERT_PENDING);
    int64_t active = g->rules[0].alerts[0]->active_at;
    CHECK(access(st, F_OK) == 0); /* saved because an alert changed */

    /* an invalid reload changes nothing */
    write_file(rf, "groups:\n- name: g\n  rules:\n  - record: x\n");
    CHECK_INT(rules_manager_load(m, files, 1, &po, next, &errs, &e), ERR_INVALID);
    CHECK(errs.n > 0);
    CHECK(m->groups[0] == g);
    rule_errors_fini(&errs);

    /* a valid reload without the recording rule: alert state kept, r:up goes stale */
    write_file(rf, "groups:\n- name: g\n  interval: 1m\n  rules:\n"
                   "  - alert: Down\n    expr: up == 0\n    for: 1h\n");
    buf_reset(&env.sink);
    CHECK_INT(rules_manager_load(m, files, 1, &po, next, &errs, &e), 0);
    CHECK(strstr(buf_str(&env.sink), "r:up{job=\"a\"} stale") != NULL);
    g = m->groups[0];
    CHECK_INT(g->rules[0].nalerts, 1);
    CHECK_INT(g->rules[0].alerts[0]->active_at, active);
    next = rules_manager_tick(m, next);
    rules_manager_free(m); /* saves the state */

    /* restart: the pending alert keeps activeAt and fires 1h after it, not after the restart */
    m = rules_manager_new(&o, st);
    CHECK_INT(rules_manager_load(m, files, 1, &po, next, &errs, &e), 0);
    g = m->groups[0];
    CHECK_INT(g->rules[0].nalerts, 1);
    CHECK_INT(g->rules[0].alerts[0]->active_at, active);
    rules_manager_tick(m, next);
    while (g->rules[0].alerts[0]->state != ALERT_FIRING)
        next = rules_manager_tick(m, next);
    CHECK_INT(g->last_eval_ms - active, 3600000);
    CHECK_INT(env.sent, 1);
    struct rule_group_status *s = NULL;
    size_t ns = 0;
    rules_manager_snapshot(m, &s, &ns);
    CHECK_INT(ns, 1);
    CHECK_INT(s[0].rules[0].state, ALERT_FIRING);
    rules_manager_snapshot_free(s, ns);
    rules_manager_free(m);
    rule_errors_fini(&errs);
    buf_fini(&env.sink);
    char cmd[400];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    CHECK(system(cmd) == 0);
}

static const struct test_case tests[] = {
    TEST(test_manager),
    {0},
};
TEST_MAIN(tests)
