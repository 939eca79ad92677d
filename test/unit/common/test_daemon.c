/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for the daemon scaffolding: flags and exit codes, reload hook, run and stop. */
#include <event2/event.h>
#include <event2/thread.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/daemon.h"
#include "common/err.h"
#include "common/httpc.h"
#include "common/httpd.h"
#include "common/metrics.h"
#include "test/harness.h"

static const struct daemon_spec spec = {
    .prog = "tocsin-test",
    .summary = "test daemon",
    .default_listen = "127.0.0.1:0",
    .default_storage = "/nonexistent-dir-for-tests/x",
};

static char tmpdir[64];

static void make_tmp(void)
{
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/tocsin-daemon-XXXXXX");
    CHECK(mkdtemp(tmpdir) != NULL);
}

static void rm_tmp(void)
{
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
    CHECK_INT(system(cmd), 0);
}

static void test_exit_codes(void)
{
    struct daemon *d = (struct daemon *)1;
    char *help[] = {"p", "--help", NULL};
    char *bad[] = {"p", "--bogus", NULL};
    char *lvl[] = {"p", "--log.level=verbose", NULL};
    CHECK_INT(daemon_new(&spec, 2, help, &d), 0);
    CHECK(d == NULL);
    CHECK_INT(daemon_new(&spec, 2, bad, &d), 2);
    CHECK(d == NULL);
    CHECK_INT(daemon_new(&spec, 2, lvl, &d), 2);
}

static int reload_calls;

static int reload_hook(void *ctx, const char *file, struct err *e)
{
    (void)ctx;
    reload_calls++;
    if (strstr(file, "cfg.yml") == NULL)
        return err_set(e, ERR_INTERNAL, "wrong file %s", file);
    if (reload_calls == 2)
        return err_setpos(e, ERR_PARSE, file, 3, 1, "bad thing");
    return 0;
}

static void test_reload(void)
{
    struct daemon *d = NULL;
    char store[128], cfgarg[192], storearg[192], cfg[128];
    char *argv[] = {"p", storearg, cfgarg, NULL};
    struct err e;
    struct buf b;
    FILE *f;
    struct stat st;
    make_tmp();
    snprintf(store, sizeof(store), "%s/a/b", tmpdir);
    snprintf(storearg, sizeof(storearg), "--storage.path=%s", store);
    snprintf(cfg, sizeof(cfg), "%s/cfg.yml", tmpdir);
    snprintf(cfgarg, sizeof(cfgarg), "--config.file=%s", cfg);
    f = fopen(cfg, "w");
    fputs("x: 1\n", f);
    fclose(f);
    CHECK_INT(daemon_new(&spec, 3, argv, &d), 0);
    CHECK(d != NULL);
    CHECK(stat(store, &st) == 0 && S_ISDIR(st.st_mode));
    CHECK_STREQ(daemon_flags(d)->config_file, cfg);
    CHECK_STREQ(daemon_flags(d)->listen_address, "127.0.0.1:0");
    daemon_set_reload(d, reload_hook, NULL);
    CHECK_INT(daemon_reload(d, &e), 0);
    CHECK_INT(daemon_reload(d, &e), ERR_PARSE);
    CHECK_INT(e.line, 3);
    buf_init(&b, 0);
    CHECK_INT(metrics_render(daemon_metrics(d), &b), 0);
    CHECK(strstr(b.data, "\ntocsin_config_last_reload_successful 0\n") != NULL);
    buf_fini(&b);
    remove(cfg);
    CHECK_INT(daemon_reload(d, &e), ERR_IO);
    CHECK(strstr(e.msg, "cannot open config file") != NULL);
    CHECK_INT(reload_calls, 2);
    daemon_free(d);
    rm_tmp();
}

struct run_ctx {
    struct daemon *d;
    struct httpc *cli;
    int ready_status;
    int hook_ran;
};

static void on_ready(struct httpc_response *resp, void *ctx)
{
    struct run_ctx *rc = ctx;
    rc->ready_status = resp->status;
    daemon_stop(rc->d);
}

static void kick(evutil_socket_t fd, short what, void *arg)
{
    struct run_ctx *rc = arg;
    char url[128];
    struct httpc_request r = {0};
    (void)fd;
    (void)what;
    snprintf(url, sizeof(url), "http://%s/-/ready", httpd_address(daemon_httpd(rc->d)));
    r.url = url;
    CHECK_INT(httpc_do(rc->cli, &r, on_ready, rc, NULL, NULL), 0);
}

static void hook(void *ctx)
{
    struct run_ctx *rc = ctx;
    rc->hook_ran++;
}

static void test_run_and_stop(void)
{
    struct run_ctx rc = {0};
    char storearg[160];
    char *argv[] = {"p", storearg, NULL};
    struct event *t;
    struct timeval tv = {0, 10000};
    make_tmp();
    snprintf(storearg, sizeof(storearg), "--storage.path=%s", tmpdir);
    CHECK_INT(daemon_new(&spec, 2, argv, &rc.d), 0);
    CHECK(!daemon_is_ready(rc.d));
    rc.cli = httpc_new(daemon_base(rc.d));
    daemon_on_shutdown(rc.d, hook, &rc);
    t = evtimer_new(daemon_base(rc.d), kick, &rc);
    evtimer_add(t, &tv);
    CHECK_INT(daemon_run(rc.d), 0);
    CHECK_INT(rc.ready_status, 200);
    CHECK_INT(rc.hook_ran, 1);
    CHECK(!daemon_is_ready(rc.d));
    event_free(t);
    httpc_free(rc.cli);
    daemon_free(rc.d);
    rm_tmp();
}

static const struct daemon_spec manual_spec = {
    .prog = "tocsin-test",
    .summary = "test daemon",
    .default_listen = "127.0.0.1:0",
    .manual_ready = true,
};

struct manual_ctx {
    struct daemon *d;
    struct httpc *cli;
    int statuses[2];
    int n;
};

static void get_ready(struct manual_ctx *m);

static void on_manual_ready(struct httpc_response *resp, void *ctx)
{
    struct manual_ctx *m = ctx;
    m->statuses[m->n++] = resp->status;
    if (m->n == 1) {
        daemon_set_ready(m->d, true);
        get_ready(m);
    } else {
        daemon_stop(m->d);
    }
}

static void get_ready(struct manual_ctx *m)
{
    char url[128];
    struct httpc_request r = {0};
    snprintf(url, sizeof(url), "http://%s/-/ready", httpd_address(daemon_httpd(m->d)));
    r.url = url;
    CHECK_INT(httpc_do(m->cli, &r, on_manual_ready, m, NULL, NULL), 0);
}

static void kick_manual(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    get_ready(arg);
}

static void test_manual_ready(void)
{
    struct manual_ctx m = {0};
    char storearg[160];
    char *argv[] = {"p", storearg, "--log.format=json", NULL};
    struct event *t;
    struct timeval tv = {0, 10000};
    make_tmp();
    snprintf(storearg, sizeof(storearg), "--storage.path=%s", tmpdir);
    CHECK_INT(daemon_new(&manual_spec, 3, argv, &m.d), 0);
    m.cli = httpc_new(daemon_base(m.d));
    t = evtimer_new(daemon_base(m.d), kick_manual, &m);
    evtimer_add(t, &tv);
    CHECK_INT(daemon_run(m.d), 0);
    CHECK_INT(m.statuses[0], 503);
    CHECK_INT(m.statuses[1], 200);
    event_free(t);
    httpc_free(m.cli);
    daemon_free(m.d);
    rm_tmp();
}

/* ---- worker threads hand replies back to the loop ---- */

struct job {
    struct event_base *base;
    struct httpd_req *req;
    pthread_t th;
};

static void reply_on_loop(void *ctx)
{
    struct job *j = ctx;
    httpd_reply_api_error(j->req, 422, "execution", "computed on a worker: %d", 42);
}

static void *worker(void *arg)
{
    struct job *j = arg;
    usleep(50000);
    CHECK_INT(daemon_loop_call(j->base, reply_on_loop, j), 0);
    return NULL;
}

static void h_offload(struct httpd_req *req, void *ctx)
{
    struct job *j = ctx;
    j->req = req;
    pthread_create(&j->th, NULL, worker, j);
}

struct client {
    int status;
    char body[256];
    bool done;
};

static void on_client(struct httpc_response *resp, void *ctx)
{
    struct client *c = ctx;
    c->status = resp->status;
    snprintf(c->body, sizeof(c->body), "%s", resp->body);
    c->done = true;
}

static void test_loop_call(void)
{
    struct event_base *base;
    struct httpd *srv;
    struct httpc *cli;
    struct job j = {0};
    struct client c = {0};
    struct httpc_request r = {0};
    char url[128];
    evthread_use_pthreads();
    base = event_base_new();
    srv = httpd_new(base, NULL);
    cli = httpc_new(base);
    j.base = base;
    CHECK_INT(httpd_bind(srv, "127.0.0.1:0", NULL), 0);
    CHECK_INT(httpd_route_add(srv, "GET", "/api/v1/query", h_offload, &j), 0);
    snprintf(url, sizeof(url), "http://%s/api/v1/query", httpd_address(srv));
    r.url = url;
    CHECK_INT(httpc_do(cli, &r, on_client, &c, NULL, NULL), 0);
    while (!c.done)
        event_base_loop(base, EVLOOP_ONCE);
    pthread_join(j.th, NULL);
    CHECK_INT(c.status, 422);
    CHECK_STREQ(c.body, "{\"status\":\"error\",\"errorType\":\"execution\",\"error\":\"computed on "
                        "a worker: 42\"}");
    httpc_free(cli);
    httpd_free(srv);
    event_base_free(base);
}

static const struct test_case tests[] = {TEST(test_exit_codes),   TEST(test_reload),
                                         TEST(test_run_and_stop), TEST(test_loop_call),
                                         TEST(test_manual_ready), {0}};
TEST_MAIN(tests)
