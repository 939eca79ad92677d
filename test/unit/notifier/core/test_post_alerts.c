/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for the group-committed POST /api/v2/alerts path: requests queued in one loop
 * iteration share one commit, answers come only after it, and a failed commit applies nothing. */
#include <event2/event.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/err.h"
#include "common/xalloc.h"
#include "notifier/core/notifier.h"
#include "test/harness.h"

#define CONFIG                                                              \
    "route:\n  receiver: sink\n  group_by: [alertname]\n  group_wait: 1h\n" \
    "receivers:\n  - name: sink\n"

struct env {
    char root[64];
    char *cfg, *data;
    struct event_base *base;
    struct notifier *n;
};

struct answer {
    int calls, status;
    char msg[256];
};

static void on_done(void *arg, int status, const char *msg)
{
    struct answer *a = arg;
    a->calls++;
    a->status = status;
    snprintf(a->msg, sizeof(a->msg), "%s", msg);
}

static void env_open(struct env *v)
{
    struct notifier_opts o = {.fsync = true};
    struct err e;
    err_clear(&e);
    v->data = xasprintf("%s/data", v->root);
    o.storage_path = v->data;
    v->base = event_base_new();
    CHECK(v->base != NULL);
    if (notifier_open(v->base, v->cfg, &o, NULL, &v->n, &e) != 0)
        test_fail(__FILE__, __LINE__, "notifier_open: %s", e.msg);
}

static void env_close(struct env *v)
{
    notifier_close(v->n);
    event_base_free(v->base);
    xfree(v->data);
    v->n = NULL;
}

static void env_init(struct env *v)
{
    FILE *f;
    snprintf(v->root, sizeof(v->root), "/tmp/tocsin-post-XXXXXX");
    CHECK(mkdtemp(v->root) != NULL);
    v->cfg = xasprintf("%s/am.yml", v->root);
    f = fopen(v->cfg, "w");
    CHECK(f != NULL);
    fputs(CONFIG, f);
    fclose(f);
    env_open(v);
}

static void env_fini(struct env *v)
{
    char *cmd = xasprintf("rm -rf '%s'", v->root);
    env_close(v);
    CHECK(system(cmd) == 0);
    xfree(cmd);
    xfree(v->cfg);
}

static void count_cb(void *arg, const struct am_alert *a, const struct am_alert_status *st,
                     const char *const *receivers, size_t nreceivers)
{
    (void)a;
    (void)st;
    (void)receivers;
    (void)nreceivers;
    (*(size_t *)arg)++;
}

static size_t count_alerts(struct notifier *n)
{
    size_t c = 0;
    notifier_foreach_alert(n, count_cb, &c);
    return c;
}

static void post(struct env *v, const char *body, struct answer *a)
{
    notifier_post_alerts_async(v->n, body, strlen(body), on_done, a);
}

static void test_batch_answers_after_commit(void)
{
    struct env v;
    struct answer a = {0}, b = {0}, c = {0}, d = {0};
    env_init(&v);
    post(&v, "[{\"labels\":{\"alertname\":\"A\"}}]", &a);
    post(&v, "[{\"labels\":{\"alertname\":\"B\"}},{\"labels\":{}}]", &b);
    post(&v, "[{\"labels\":{\"alertname\":\"A\"},\"annotations\":{\"x\":\"y\"}}]", &c);
    post(&v, "not json", &d);
    /* a malformed body is answered at once; the others wait for the commit */
    CHECK_INT(d.calls, 1);
    CHECK_INT(d.status, 400);
    CHECK_INT(a.calls + b.calls + c.calls, 0);
    CHECK_INT((long)count_alerts(v.n), 0);
    CHECK_INT(event_base_loop(v.base, EVLOOP_ONCE), 0);
    CHECK_INT(a.calls, 1);
    CHECK_INT(a.status, 200);
    CHECK_INT(b.calls, 1);
    CHECK_INT(b.status, 400);
    CHECK(strstr(b.msg, "at least one label pair required") != NULL);
    CHECK_INT(c.calls, 1);
    CHECK_INT(c.status, 200);
    CHECK_INT((long)count_alerts(v.n), 2); /* A (merged twice) and B */
    /* durable: a new process sees them */
    env_close(&v);
    env_open(&v);
    CHECK_INT((long)count_alerts(v.n), 2);
    env_fini(&v);
}

static void test_failed_commit_applies_nothing(void)
{
    struct env v;
    struct answer a = {0}, b = {0}, c = {0};
    struct stat st;
    struct rlimit rl, old;
    char *wal;
    env_init(&v);
    wal = xasprintf("%s/wal", v.data);
    CHECK(stat(wal, &st) == 0);
    post(&v, "[{\"labels\":{\"alertname\":\"A\"}}]", &a);
    post(&v, "[{\"labels\":{\"alertname\":\"B\"}}]", &b);
    /* no file may grow: the WAL write fails with EFBIG */
    signal(SIGXFSZ, SIG_IGN);
    CHECK(getrlimit(RLIMIT_FSIZE, &old) == 0);
    rl = old;
    rl.rlim_cur = (rlim_t)st.st_size;
    CHECK(setrlimit(RLIMIT_FSIZE, &rl) == 0);
    CHECK_INT(event_base_loop(v.base, EVLOOP_ONCE), 0);
    CHECK(setrlimit(RLIMIT_FSIZE, &old) == 0);
    CHECK_INT(a.calls, 1);
    CHECK_INT(a.status, 500);
    CHECK_INT(b.calls, 1);
    CHECK_INT(b.status, 500);
    CHECK_INT((long)count_alerts(v.n), 0);
    /* the store still works afterwards */
    post(&v, "[{\"labels\":{\"alertname\":\"C\"}}]", &c);
    CHECK_INT(event_base_loop(v.base, EVLOOP_ONCE), 0);
    CHECK_INT(c.status, 200);
    CHECK_INT((long)count_alerts(v.n), 1);
    env_close(&v);
    env_open(&v);
    CHECK_INT((long)count_alerts(v.n), 1);
    xfree(wal);
    env_fini(&v);
}

static void test_sync_post_flushes_queue(void)
{
    struct env v;
    struct answer a = {0};
    struct err e;
    int status = 0;
    const char *body = "[{\"labels\":{\"alertname\":\"B\"}}]";
    err_clear(&e);
    env_init(&v);
    post(&v, "[{\"labels\":{\"alertname\":\"A\"}}]", &a);
    CHECK_INT(notifier_post_alerts(v.n, body, strlen(body), &status, &e), 0);
    CHECK_INT(status, 200);
    CHECK_INT(a.calls, 1);
    CHECK_INT(a.status, 200);
    CHECK_INT((long)count_alerts(v.n), 2);
    env_fini(&v);
}

static const struct test_case tests[] = {
    TEST(test_batch_answers_after_commit),
    TEST(test_failed_commit_applies_nothing),
    TEST(test_sync_post_flushes_queue),
    {0},
};

TEST_MAIN(tests)
