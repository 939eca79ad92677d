/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for the rule runtime: groups evaluated on the loop + worker pool, outputs in the
 * window, alerts POSTed to a fake Alertmanager with external labels, rule outputs forwarded by
 * remote_write, invalid reloads keeping the old rules, state kept across reloads, the state
 * file, the datasource answer conversion and the file-change fingerprint.
 */
#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/httpd.h"
#include "common/labels.h"
#include "common/metrics.h"
#include "common/timeutil.h"
#include "common/workq.h"
#include "evaluator/manager/datasource.h"
#include "evaluator/manager/manager.h"
#include "evaluator/manager/watch.h"
#include "evaluator/promql/engine.h"
#include "evaluator/rules/group.h"
#include "evaluator/tsdb/tsdb.h"
#include "test/harness.h"

struct fixture {
    char dir[256];
    struct event_base *base;
    struct workq *wq;
    struct tsdb *db;
    struct promql_engine *engine;
    struct metrics_registry *metrics;
    struct evmgr *m;
    struct httpd *srv; /* fake Alertmanager and remote_write receiver */
    struct buf am_bodies, rw_headers;
    int am_posts, rw_posts;
};

static void write_file(const char *dir, const char *name, const char *text)
{
    char p[512];
    snprintf(p, sizeof(p), "%s/%s", dir, name);
    FILE *f = fopen(p, "w");
    CHECK(f != NULL);
    fputs(text, f);
    fclose(f);
}

static void h_alerts(struct httpd_req *req, void *ctx)
{
    struct fixture *fx = ctx;
    size_t n;
    const char *b = httpd_req_body(req, &n);
    buf_append(&fx->am_bodies, b, n);
    buf_putc(&fx->am_bodies, '\n');
    fx->am_posts++;
    httpd_reply(req, 200, NULL, NULL, 0);
}

static void h_write(struct httpd_req *req, void *ctx)
{
    struct fixture *fx = ctx;
    size_t n;
    (void)httpd_req_body(req, &n);
    const char *enc = httpd_req_header(req, "Content-Encoding");
    const char *ver = httpd_req_header(req, "X-Prometheus-Remote-Write-Version");
    buf_printf(&fx->rw_headers, "%s %s %s %zu\n", httpd_req_content_type(req), enc ? enc : "-",
               ver ? ver : "-", n);
    fx->rw_posts++;
    httpd_reply(req, 204, NULL, NULL, 0);
}

/* A slow datasource: answers vector(1) 1.5 s after the request. */
struct slow_reply {
    struct httpd_req *req;
    struct event *ev;
};

static void slow_fire(evutil_socket_t fd, short what, void *arg)
{
    struct slow_reply *r = arg;
    static const char body[] = "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\","
                               "\"result\":[{\"metric\":{},\"value\":[1,\"1\"]}]}}";
    (void)fd;
    (void)what;
    httpd_reply(r->req, 200, "application/json", body, sizeof(body) - 1);
    event_free(r->ev);
    free(r);
}

static void h_slow_query(struct httpd_req *req, void *ctx)
{
    struct fixture *fx = ctx;
    struct slow_reply *r = calloc(1, sizeof(*r));
    struct timeval tv = {1, 500000};
    r->req = req;
    r->ev = evtimer_new(fx->base, slow_fire, r);
    evtimer_add(r->ev, &tv);
}

static void fx_init(struct fixture *fx, bool with_state)
{
    struct tsdb_options to;
    struct err e;
    memset(fx, 0, sizeof(*fx));
    snprintf(fx->dir, sizeof(fx->dir), "/tmp/tocsin-mgr-XXXXXX");
    CHECK(mkdtemp(fx->dir) != NULL);
    fx->base = event_base_new();
    fx->wq = workq_new(fx->base, 2);
    tsdb_options_default(&to);
    to.background = false;
    err_clear(&e);
    CHECK(tsdb_open(&to, &fx->db, &e) == 0);
    struct promql_engine_opts eo;
    promql_engine_opts_default(&eo);
    fx->engine = promql_engine_new(&eo);
    fx->metrics = metrics_registry_new();
    buf_init(&fx->am_bodies, 0);
    buf_init(&fx->rw_headers, 0);
    fx->srv = httpd_new(fx->base, NULL);
    CHECK(httpd_bind(fx->srv, "127.0.0.1:0", &e) == 0);
    CHECK(httpd_route_add(fx->srv, "POST", "/am/api/v2/alerts", h_alerts, fx) == 0);
    CHECK(httpd_route_add(fx->srv, "POST", "/write", h_write, fx) == 0);
    CHECK(httpd_route_add(fx->srv, "POST", "/slow/api/v1/query", h_slow_query, fx) == 0);
    struct evmgr_opts mo = {
        .base = fx->base,
        .wq = fx->wq,
        .db = fx->db,
        .engine = fx->engine,
        .metrics = fx->metrics,
        .state_dir = with_state ? fx->dir : NULL,
        .external_url = "http://ev.example:9099",
        .resend_delay_ms = 60000,
        .outage_tolerance_ms = 3600000,
        .for_grace_period_ms = 600000,
    };
    fx->m = evmgr_new(&mo);
}

static void fx_fini(struct fixture *fx)
{
    char cmd[300];
    evmgr_stop(fx->m);
    workq_free(fx->wq);
    evmgr_free(fx->m);
    httpd_free(fx->srv);
    metrics_registry_free(fx->metrics);
    promql_engine_free(fx->engine);
    tsdb_close(fx->db);
    event_base_free(fx->base);
    buf_fini(&fx->am_bodies);
    buf_fini(&fx->rw_headers);
    snprintf(cmd, sizeof(cmd), "rm -rf %s", fx->dir);
    CHECK(system(cmd) == 0);
}

static void run_for(struct fixture *fx, int ms)
{
    struct timeval tv = {ms / 1000, (ms % 1000) * 1000};
    event_base_loopexit(fx->base, &tv);
    event_base_dispatch(fx->base);
}

static void write_config(struct fixture *fx, const char *extra)
{
    char text[1024];
    snprintf(text, sizeof(text),
             "global: {evaluation_interval: 1s, external_labels: {cluster: c1}}\n"
             "rule_files: ['rules/*.yml']\n"
             "alerting:\n"
             "  alertmanagers:\n"
             "    - static_configs: [{targets: ['127.0.0.1:%d']}]\n"
             "      path_prefix: /am/\n"
             "%s",
             httpd_port(fx->srv), extra ? extra : "");
    write_file(fx->dir, "cfg.yml", text);
    char rd[300];
    snprintf(rd, sizeof(rd), "%s/rules", fx->dir);
    mkdir(rd, 0755);
}

static const char *RULES_A = "groups:\n"
                             "- name: a\n"
                             "  interval: 1s\n"
                             "  rules:\n"
                             "  - record: job:one\n"
                             "    expr: vector(1)\n"
                             "    labels: {job: j}\n"
                             "  - alert: SeesRecord\n"
                             "    expr: job:one > 0\n"
                             "    labels: {severity: page}\n"
                             "    annotations: {summary: 'v={{ $value }}'}\n"
                             "  - alert: Waits\n"
                             "    expr: vector(2)\n"
                             "    for: 1h\n";

static const struct rule_status *find_rule(const struct rule_group_status *gs, size_t n,
                                           const char *name)
{
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < gs[i].nrules; j++)
            if (strcmp(gs[i].rules[j].name, name) == 0)
                return &gs[i].rules[j];
    return NULL;
}

static char *cfg_path(struct fixture *fx)
{
    static char p[300];
    snprintf(p, sizeof(p), "%s/cfg.yml", fx->dir);
    return p;
}

static void test_groups_run_and_alerts_are_sent(void)
{
    struct fixture fx;
    struct err e;
    fx_init(&fx, true);
    write_config(&fx, NULL);
    write_file(fx.dir, "rules/a.yml", RULES_A);
    err_clear(&e);
    CHECK_INT(evmgr_load(fx.m, cfg_path(&fx), &e), 0);
    run_for(&fx, 2600);
    CHECK(evmgr_iterations(fx.m) >= 1);

    struct rule_group_status *gs;
    size_t n;
    evmgr_snapshot(fx.m, &gs, &n);
    CHECK_INT(n, 1);
    const struct rule_status *r = find_rule(gs, n, "SeesRecord");
    CHECK(r != NULL);
    /* the alert saw the recording rule's output of the same evaluation */
    CHECK_INT(r->health, RULE_HEALTH_OK);
    CHECK_INT(r->nalerts, 1);
    CHECK_INT(r->alerts[0].state, ALERT_FIRING);
    CHECK_STREQ(labels_get(r->alerts[0].labels, "job"), "j");
    r = find_rule(gs, n, "Waits");
    CHECK(r != NULL && r->nalerts == 1 && r->alerts[0].state == ALERT_PENDING);
    evmgr_snapshot_free(gs, n);

    /* the firing alert reached the fake Alertmanager with the external label */
    run_for(&fx, 300);
    CHECK(fx.am_posts >= 1);
    const char *body = buf_str(&fx.am_bodies);
    CHECK(strstr(body, "\"alertname\":\"SeesRecord\"") != NULL);
    CHECK(strstr(body, "\"cluster\":\"c1\"") != NULL);
    CHECK(strstr(body, "\"summary\":\"v=1\"") != NULL);
    CHECK(strstr(body, "http://ev.example:9099/graph?g0.expr=") != NULL);
    CHECK(strstr(body, "Waits") == NULL); /* pending alerts are not sent */

    /* outputs are in the window */
    struct promql_result res;
    struct promql_storage st = tsdb_storage(fx.db);
    CHECK_INT(promql_query_instant(fx.engine, &st, "job:one", time_now_ms(), &res, &e), 0);
    CHECK_INT(res.value.vec.n, 1);
    promql_result_fini(&res);

    /* alert state file written */
    char p[400];
    struct stat sb;
    snprintf(p, sizeof(p), "%s/rules-state.json", fx.dir);
    CHECK(stat(p, &sb) == 0 && sb.st_size > 0);

    /* self-metrics */
    struct buf mb;
    buf_init(&mb, 0);
    CHECK_INT(metrics_render(fx.metrics, &mb), 0);
    CHECK(strstr(buf_str(&mb), "tocsin_rule_group_interval_seconds{rule_group=\"") != NULL);
    CHECK(strstr(buf_str(&mb), "tocsin_rule_evaluation_failures_total{rule_group=\"") != NULL);
    CHECK(strstr(buf_str(&mb), "rules/a.yml;a\"} 1\n") != NULL); /* interval 1 s */
    buf_fini(&mb);
    fx_fini(&fx);
}

static void test_invalid_reload_keeps_old_rules(void)
{
    struct fixture fx;
    struct err e;
    fx_init(&fx, false);
    write_config(&fx, NULL);
    write_file(fx.dir, "rules/a.yml", RULES_A);
    err_clear(&e);
    CHECK_INT(evmgr_load(fx.m, cfg_path(&fx), &e), 0);
    run_for(&fx, 1200);
    write_file(fx.dir, "rules/b.yml",
               "groups:\n- name: b\n  rules:\n  - alert: X\n    expr: sum(\n");
    err_clear(&e);
    CHECK(evmgr_load(fx.m, cfg_path(&fx), &e) != 0);
    CHECK(strstr(e.msg, "rules/b.yml:5:") != NULL);
    CHECK_INT(evmgr_load_count(fx.m, true), 1);
    uint64_t it = evmgr_iterations(fx.m);
    run_for(&fx, 1200);
    CHECK(evmgr_iterations(fx.m) > it); /* the old group still runs */
    struct rule_group_status *gs;
    size_t n;
    evmgr_snapshot(fx.m, &gs, &n);
    CHECK_INT(n, 1);
    CHECK_STREQ(gs[0].name, "a");
    evmgr_snapshot_free(gs, n);
    /* an unknown config key is refused with its position, too */
    write_config(&fx, "bogus: 1\n");
    char bpath[400];
    snprintf(bpath, sizeof(bpath), "%s/rules/b.yml", fx.dir);
    unlink(bpath);
    err_clear(&e);
    CHECK(evmgr_load(fx.m, cfg_path(&fx), &e) != 0);
    CHECK(strstr(e.msg, "cfg.yml:7:") != NULL);
    CHECK(strstr(e.msg, "bogus") != NULL);
    CHECK_INT(evmgr_load_count(fx.m, true), 2);
    fx_fini(&fx);
}

static void test_reload_keeps_alert_state(void)
{
    struct fixture fx;
    struct err e;
    fx_init(&fx, false);
    write_config(&fx, NULL);
    write_file(fx.dir, "rules/a.yml", RULES_A);
    err_clear(&e);
    CHECK_INT(evmgr_load(fx.m, cfg_path(&fx), &e), 0);
    run_for(&fx, 2200);
    struct rule_group_status *gs;
    size_t n;
    evmgr_snapshot(fx.m, &gs, &n);
    const struct rule_status *r = find_rule(gs, n, "Waits");
    CHECK(r != NULL && r->nalerts == 1);
    int64_t active = r->alerts[0].active_at;
    evmgr_snapshot_free(gs, n);
    write_file(fx.dir, "rules/b.yml",
               "groups:\n- name: b\n  interval: 1s\n  rules:\n  - record: two\n"
               "    expr: vector(2)\n");
    CHECK_INT(evmgr_load(fx.m, cfg_path(&fx), &e), 0);
    run_for(&fx, 1200);
    evmgr_snapshot(fx.m, &gs, &n);
    CHECK_INT(n, 2);
    r = find_rule(gs, n, "Waits");
    CHECK(r != NULL && r->nalerts == 1);
    CHECK_INT(r->alerts[0].active_at, active);
    CHECK(find_rule(gs, n, "two") != NULL);
    evmgr_snapshot_free(gs, n);
    fx_fini(&fx);
}

static void test_remote_write_of_outputs(void)
{
    struct fixture fx;
    struct err e;
    char extra[256];
    fx_init(&fx, false);
    snprintf(extra, sizeof(extra), "remote_write:\n  - url: http://127.0.0.1:%d/write\n",
             httpd_port(fx.srv));
    write_config(&fx, extra);
    write_file(fx.dir, "rules/a.yml", RULES_A);
    err_clear(&e);
    CHECK_INT(evmgr_load(fx.m, cfg_path(&fx), &e), 0);
    run_for(&fx, 2300);
    CHECK(fx.rw_posts >= 1);
    CHECK(strstr(buf_str(&fx.rw_headers), "application/x-protobuf snappy 0.1.0 ") != NULL);
    fx_fini(&fx);
}

/* A datasource that is down: rules fail, are counted and unhealthy; the group goes on. */
static void test_datasource_down_counts_failures(void)
{
    struct fixture fx;
    struct err e;
    fx_init(&fx, false);
    write_config(&fx, "datasource: {url: 'http://127.0.0.1:1/prefix/', timeout: 1s}\n");
    write_file(fx.dir, "rules/a.yml", RULES_A);
    err_clear(&e);
    CHECK_INT(evmgr_load(fx.m, cfg_path(&fx), &e), 0);
    run_for(&fx, 2600);
    CHECK(evmgr_iterations(fx.m) >= 1);
    struct rule_group_status *gs;
    size_t n;
    evmgr_snapshot(fx.m, &gs, &n);
    const struct rule_status *r = find_rule(gs, n, "SeesRecord");
    CHECK(r != NULL);
    CHECK_INT(r->health, RULE_HEALTH_ERR);
    CHECK(strstr(r->last_error, "http://127.0.0.1:1/prefix/api/v1/query") != NULL);
    CHECK(gs[0].failures >= 3);
    evmgr_snapshot_free(gs, n);
    struct buf mb;
    buf_init(&mb, 0);
    CHECK_INT(metrics_render(fx.metrics, &mb), 0);
    const char *line = strstr(buf_str(&mb), "\ntocsin_rule_evaluation_failures_total{");
    CHECK(line != NULL);
    const char *val = strstr(line, "rules/a.yml;a\"} ");
    CHECK(val != NULL);
    CHECK(strtod(val + strlen("rules/a.yml;a\"} "), NULL) >= 3);
    buf_fini(&mb);
    CHECK_INT(fx.am_posts, 0);
    fx_fini(&fx);
}

/* A reload while an evaluation runs takes effect when it finishes; nothing is lost. */
static void test_reload_waits_for_running_evaluation(void)
{
    struct fixture fx;
    struct err e;
    char extra[200];
    fx_init(&fx, false);
    snprintf(extra, sizeof(extra), "datasource: {url: 'http://127.0.0.1:%d/slow'}\n",
             httpd_port(fx.srv));
    write_config(&fx, extra);
    write_file(fx.dir, "rules/a.yml",
               "groups:\n- name: a\n  interval: 1s\n  rules:\n  - alert: Slow\n"
               "    expr: vector(1)\n");
    err_clear(&e);
    CHECK_INT(evmgr_load(fx.m, cfg_path(&fx), &e), 0);
    run_for(&fx, 1150); /* the first evaluation is waiting for the datasource now */
    CHECK_INT(evmgr_iterations(fx.m), 0);
    write_file(fx.dir, "rules/b.yml",
               "groups:\n- name: b\n  interval: 1s\n  rules:\n  - record: r\n"
               "    expr: vector(1)\n");
    CHECK_INT(evmgr_load(fx.m, cfg_path(&fx), &e), 0);
    struct rule_group_status *gs;
    size_t n;
    evmgr_snapshot(fx.m, &gs, &n);
    CHECK_INT(n, 1); /* still the old set */
    evmgr_snapshot_free(gs, n);
    run_for(&fx, 1600);
    CHECK(evmgr_iterations(fx.m) >= 1);
    evmgr_snapshot(fx.m, &gs, &n);
    CHECK_INT(n, 2);
    const struct rule_status *r = find_rule(gs, n, "Slow");
    CHECK(r != NULL && r->nalerts == 1 && r->alerts[0].state == ALERT_FIRING);
    evmgr_snapshot_free(gs, n);
    /* the fake datasource answers from this loop: let a running evaluation finish first */
    evmgr_stop(fx.m);
    run_for(&fx, 1700);
    fx_fini(&fx);
}

static void test_no_config_no_rules(void)
{
    struct fixture fx;
    struct err e;
    fx_init(&fx, false);
    err_clear(&e);
    CHECK_INT(evmgr_load(fx.m, "", &e), 0);
    struct rule_group_status *gs;
    size_t n;
    evmgr_snapshot(fx.m, &gs, &n);
    CHECK_INT(n, 0);
    evmgr_snapshot_free(gs, n);
    fx_fini(&fx);
}

static void test_datasource_answers(void)
{
    struct rule_vector v;
    struct err e;
    rule_vector_init(&v);
    err_clear(&e);
    const char *vec = "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":["
                      "{\"metric\":{\"__name__\":\"up\",\"job\":\"a\"},\"value\":[1700000000.5,"
                      "\"1\"]},{\"metric\":{},\"value\":[1700000000.5,\"+Inf\"]}]}}";
    CHECK_INT(evds_parse_result(vec, strlen(vec), &v, &e), 0);
    CHECK_INT(v.n, 2);
    CHECK_STREQ(labels_get(v.v[0].labels, "job"), "a");
    CHECK_INT(v.v[0].t, 1700000000500LL);
    CHECK_DBL(v.v[0].v, 1, 0);
    CHECK(v.v[1].v > 1e308);
    rule_vector_fini(&v);

    rule_vector_init(&v);
    const char *sc = "{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\","
                     "\"result\":[1700000000,\"2.5\"]}}";
    CHECK_INT(evds_parse_result(sc, strlen(sc), &v, &e), 0);
    CHECK_INT(v.n, 1);
    CHECK_INT(v.v[0].labels->n, 0);
    CHECK_DBL(v.v[0].v, 2.5, 0);
    rule_vector_fini(&v);

    const char *bad[] = {
        "{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":\"parse error\"}",
        "{\"status\":\"success\",\"data\":{\"resultType\":\"string\",\"result\":[1,\"x\"]}}",
        "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":"
        "{\"a\":1},\"value\":[1,\"1\"]}]}}",
        "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":"
        "{},\"value\":[1,\"one\"]}]}}",
        "not json",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        rule_vector_init(&v);
        err_clear(&e);
        CHECK(evds_parse_result(bad[i], strlen(bad[i]), &v, &e) != 0);
        CHECK(e.msg[0] != '\0');
        rule_vector_fini(&v);
    }
    rule_vector_init(&v);
    err_clear(&e);
    CHECK(evds_parse_result(bad[0], strlen(bad[0]), &v, &e) != 0);
    CHECK(strstr(e.msg, "bad_data: parse error") != NULL);
    rule_vector_fini(&v);
}

static void test_fingerprint_sees_symlink_swaps(void)
{
    char dir[] = "/tmp/tocsin-watch-XXXXXX";
    char p[300], a[300], b[300], data[300], tmp[300], cmd[400];
    CHECK(mkdtemp(dir) != NULL);
    snprintf(a, sizeof(a), "%s/..v1", dir);
    snprintf(b, sizeof(b), "%s/..v2", dir);
    mkdir(a, 0755);
    mkdir(b, 0755);
    write_file(a, "r.yml", "one\n");
    write_file(b, "r.yml", "one\n"); /* same size and content: only the inode differs */
    snprintf(data, sizeof(data), "%s/..data", dir);
    CHECK(symlink("..v1", data) == 0);
    snprintf(p, sizeof(p), "%s/r.yml", dir);
    CHECK(symlink("..data/r.yml", p) == 0);
    const char *paths[] = {p};
    uint64_t f1 = evwatch_fingerprint(paths, 1);
    CHECK(evwatch_fingerprint(paths, 1) == f1);
    snprintf(tmp, sizeof(tmp), "%s/..tmp", dir);
    CHECK(symlink("..v2", tmp) == 0);
    CHECK(rename(tmp, data) == 0);
    uint64_t f2 = evwatch_fingerprint(paths, 1);
    CHECK(f2 != f1);
    unlink(p);
    CHECK(evwatch_fingerprint(paths, 1) != f2); /* gone */
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    CHECK(system(cmd) == 0);
}

static const struct test_case tests[] = {
    TEST(test_groups_run_and_alerts_are_sent),
    TEST(test_invalid_reload_keeps_old_rules),
    TEST(test_reload_keeps_alert_state),
    TEST(test_remote_write_of_outputs),
    TEST(test_datasource_down_counts_failures),
    TEST(test_reload_waits_for_running_evaluation),
    TEST(test_no_config_no_rules),
    TEST(test_datasource_answers),
    TEST(test_fingerprint_sees_symlink_swaps),
    {0},
};

TEST_MAIN(tests)
