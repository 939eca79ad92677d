/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for the dispatcher (simulated time), the notification log, and durable restart. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/err.h"
#include "common/labels.h"
#include "common/xalloc.h"
#include "notifier/alert/alert.h"
#include "notifier/alert/provider.h"
#include "notifier/dispatch/dispatch.h"
#include "notifier/dispatch/nflog.h"
#include "notifier/receivers/receiver.h"
#include "notifier/store/store.h"
#include "test/harness.h"

#define S AM_NS_PER_SEC

/* A recording integration: answers from a script (200 ok, 5xx retry, other fail), optionally
 * leaving the answer pending (async) until the test calls rec_complete. */
struct rec {
    struct am_integration base;
    int script[32];
    size_t nscript, next;
    bool async;
    am_notify_done_cb pending;
    void *pending_arg;
    unsigned calls;
    int64_t last_flush;
    char last[256]; /* "a:firing b:resolved" */
};

static void rec_answer(struct rec *r, int status, am_notify_done_cb done, void *arg)
{
    struct am_notify_result res;
    memset(&res, 0, sizeof(res));
    res.status = status;
    res.outcome = status / 100 == 2   ? AM_NOTIFY_OK
                  : status / 100 == 5 ? AM_NOTIFY_RETRY
                                      : AM_NOTIFY_FAIL;
    (void)r;
    done(arg, &res);
}

static int rec_notify(struct am_integration *it, const struct am_notify_data *d, int64_t timeout_ns,
                      am_notify_done_cb done, void *arg)
{
    struct rec *r = (struct rec *)it;
    int status = r->next < r->nscript ? r->script[r->next++] : 200;
    size_t off = 0;
    (void)timeout_ns;
    r->calls++;
    r->last_flush = d->now;
    r->last[0] = '\0';
    for (size_t i = 0; i < d->n; i++) {
        const char *id = labels_get(d->alerts[i]->labels, "instance");
        off += (size_t)snprintf(r->last + off, sizeof(r->last) - off, "%s%s:%s", i ? " " : "",
                                id ? id : "?",
                                am_alert_resolved_at(d->alerts[i], d->now) ? "resolved" : "firing");
    }
    if (r->async) {
        r->pending = done;
        r->pending_arg = arg;
        return 0;
    }
    rec_answer(r, status, done, arg);
    return 0;
}

static void rec_complete(struct rec *r, int status)
{
    am_notify_done_cb done = r->pending;
    r->pending = NULL;
    CHECK(done != NULL);
    rec_answer(r, status, done, r->pending_arg);
}

static void rec_init(struct rec *r, unsigned index, bool send_resolved)
{
    memset(r, 0, sizeof(*r));
    r->base.kind = "rec";
    r->base.index = index;
    r->base.send_resolved = send_resolved;
    r->base.notify = rec_notify;
}

static struct am_alert *alert(const char *name, const char *instance, int64_t starts, int64_t ends,
                              int64_t updated)
{
    struct label l[] = {{"alertname", name}, {"instance", instance}};
    struct am_alert *a = am_alert_new(labels_new(l, 2), NULL, "");
    a->starts_at = starts;
    a->ends_at = ends;
    a->updated_at = updated;
    return a;
}

static const char *const by_name[] = {"alertname"};

static struct dispatch_route_opts route(void)
{
    struct dispatch_route_opts r = {"{}", "r", false, by_name, 1, 30 * S, 300 * S, 4 * 3600 * S};
    return r;
}

static void insert(struct dispatch *d, struct am_alert *a, const struct dispatch_route_opts *r,
                   int64_t now)
{
    const struct dispatch_route_opts *rs[] = {r};
    CHECK_INT(dispatch_insert(d, a, rs, 1, now), 0);
    am_alert_free(a);
}

static const char *GK = "{}:{alertname=\"A\"}";

static void test_group_wait_then_interval(void)
{
    struct rec r0;
    struct am_integration *its[1];
    struct am_receiver recv = {"r", its, 1};
    const struct am_receiver *rv[] = {&recv};
    struct dispatch_route_opts ro = route();
    struct dispatch *d;
    rec_init(&r0, 0, true);
    its[0] = &r0.base;
    d = dispatch_new(rv, 1, NULL, NULL, 0);
    insert(d, alert("A", "a", 0, 3600 * S, 0), &ro, 0);
    CHECK_INT(dispatch_next_deadline(d), 30 * S);
    dispatch_advance(d, 30 * S - 1);
    CHECK_INT(r0.calls, 0);
    dispatch_advance(d, 30 * S);
    CHECK_INT(r0.calls, 1);
    CHECK_STREQ(r0.last, "a:firing");
    insert(d, alert("A", "b", 60 * S, 3600 * S, 60 * S), &ro, 60 * S);
    dispatch_advance(d, 329 * S);
    CHECK_INT(r0.calls, 1); /* a new alert waits for the next group_interval tick */
    dispatch_advance(d, 330 * S);
    CHECK_INT(r0.calls, 2);
    CHECK_STREQ(r0.last, "a:firing b:firing");
    CHECK_INT(r0.last_flush, 330 * S);
    CHECK_INT(dispatch_group_alert_count(d, GK), 2);
    CHECK_INT(dispatch_group_count(d), 1);
    dispatch_free(d);
}

static void test_old_alert_flushes_immediately_once(void)
{
    struct rec r0;
    struct am_integration *its[1];
    struct am_receiver recv = {"r", its, 1};
    const struct am_receiver *rv[] = {&recv};
    struct dispatch_route_opts ro = route();
    struct dispatch *d;
    int64_t t = 3600 * S;
    rec_init(&r0, 0, true);
    its[0] = &r0.base;
    d = dispatch_new(rv, 1, NULL, NULL, t);
    insert(d, alert("A", "a", 0, t + 600 * S, t), &ro, t);
    CHECK_INT(dispatch_next_deadline(d), t);
    dispatch_advance(d, t);
    CHECK_INT(r0.calls, 1);
    /* the group has flushed: another old alert waits for the tick */
    insert(d, alert("A", "b", 0, t + 600 * S, t + S), &ro, t + S);
    dispatch_advance(d, t + 299 * S);
    CHECK_INT(r0.calls, 1);
    dispatch_advance(d, t + 300 * S);
    CHECK_INT(r0.calls, 2);
    dispatch_free(d);
}

static void test_resolved_kept_until_every_integration_succeeds(void)
{
    struct rec r0, r1;
    struct am_integration *its[2];
    struct am_receiver recv = {"r", its, 2};
    const struct am_receiver *rv[] = {&recv};
    struct dispatch_route_opts ro = route();
    struct dispatch *d;
    rec_init(&r0, 0, true);
    rec_init(&r1, 1, true);
    r1.script[0] = 200;
    r1.script[1] = 400;
    r1.nscript = 2;
    its[0] = &r0.base;
    its[1] = &r1.base;
    d = dispatch_new(rv, 1, NULL, NULL, 0);
    insert(d, alert("A", "a", 0, 3600 * S, 0), &ro, 0);
    dispatch_advance(d, 30 * S);
    CHECK_INT(r0.calls, 1);
    CHECK_INT(r1.calls, 1);
    insert(d, alert("A", "a", 0, 40 * S, 40 * S), &ro, 40 * S);
    dispatch_advance(d, 330 * S);
    CHECK_STREQ(r0.last, "a:resolved");
    CHECK_INT(r1.calls, 2); /* answered 400: not retried */
    CHECK_INT(dispatch_group_alert_count(d, GK), 1);
    dispatch_advance(d, 630 * S);
    CHECK_INT(r0.calls, 2); /* already told */
    CHECK_INT(r1.calls, 3); /* the failed one is tried again on the next tick */
    CHECK(dispatch_group_alert_count(d, GK) <= 0); /* emptied (and swept: 630 s is a sweep) */
    dispatch_advance(d, 660 * S);                  /* maintenance sweep */
    CHECK_INT(dispatch_group_count(d), 0);
    dispatch_free(d);
}

static void test_async_attempt_not_duplicated_and_free_safe(void)
{
    struct rec r0;
    struct am_integration *its[1];
    struct am_receiver recv = {"r", its, 1};
    const struct am_receiver *rv[] = {&recv};
    struct dispatch_route_opts ro = route();
    struct dispatch *d;
    rec_init(&r0, 0, true);
    r0.async = true;
    its[0] = &r0.base;
    d = dispatch_new(rv, 1, NULL, NULL, 0);
    insert(d, alert("A", "a", 0, 3600 * S, 0), &ro, 0);
    dispatch_advance(d, 30 * S);
    CHECK_INT(r0.calls, 1);
    CHECK(dispatch_group_busy(d, GK));
    dispatch_advance(d, 330 * S); /* still in flight, same content: no second request */
    CHECK_INT(r0.calls, 1);
    rec_complete(&r0, 200);
    CHECK(!dispatch_group_busy(d, GK));
    dispatch_advance(d, 630 * S);
    CHECK_INT(r0.calls, 1); /* logged: deduplicated */
    /* a new alert starts another attempt; the dispatcher goes away before it answers */
    insert(d, alert("A", "b", 700 * S, 3600 * S, 700 * S), &ro, 700 * S);
    dispatch_advance(d, 930 * S);
    CHECK_INT(r0.calls, 2);
    dispatch_free(d);
    rec_complete(&r0, 200); /* must be a harmless no-op (ASan checks) */
}

static void test_hung_attempt_replaced(void)
{
    /* A sender that never answers: after twice the attempt timeout the next tick starts a new
     * delivery instead of waiting forever; the late answer of the old one is ignored. */
    struct rec r0;
    struct am_integration *its[1];
    struct am_receiver recv = {"r", its, 1};
    const struct am_receiver *rv[] = {&recv};
    struct dispatch_route_opts ro = route();
    struct dispatch_opts o;
    struct dispatch *d;
    am_notify_done_cb first_done;
    void *first_arg;
    struct am_notify_result ok;
    rec_init(&r0, 0, true);
    r0.async = true;
    its[0] = &r0.base;
    dispatch_opts_default(&o);
    o.attempt_timeout = 60 * S;
    d = dispatch_new(rv, 1, NULL, &o, 0);
    insert(d, alert("A", "a", 0, 36000 * S, 0), &ro, 0);
    dispatch_advance(d, 30 * S);
    CHECK_INT(r0.calls, 1);
    first_done = r0.pending;
    first_arg = r0.pending_arg;
    dispatch_advance(d, 330 * S); /* 300 s > 2 x 60 s in flight: replaced */
    CHECK_INT(r0.calls, 2);
    memset(&ok, 0, sizeof(ok));
    ok.outcome = AM_NOTIFY_OK;
    first_done(first_arg, &ok); /* late answer of the abandoned attempt: ignored */
    CHECK(dispatch_group_busy(d, GK));
    rec_complete(&r0, 200);
    CHECK(!dispatch_group_busy(d, GK));
    dispatch_free(d);
}

static int64_t fake_wall;

static int64_t wall_now(void *ctx)
{
    (void)ctx;
    return fake_wall;
}

static void test_no_catch_up_after_stall(void)
{
    /* Real-time mode: the process was stopped for 1000 s; the overdue tick runs once at the
     * current time and the next one is group_interval after it (a 400 receiver is asked once
     * per tick, so a burst of replayed ticks would show as extra calls). */
    struct rec r0;
    struct am_integration *its[1];
    struct am_receiver recv = {"r", its, 1};
    const struct am_receiver *rv[] = {&recv};
    struct dispatch_route_opts ro = route();
    struct dispatch_hooks h;
    struct dispatch *d;
    rec_init(&r0, 0, true);
    for (int i = 0; i < 32; i++)
        r0.script[i] = 400;
    r0.nscript = 32;
    its[0] = &r0.base;
    memset(&h, 0, sizeof(h));
    h.now = wall_now;
    fake_wall = 0;
    d = dispatch_new(rv, 1, &h, NULL, 0);
    insert(d, alert("A", "a", 0, 36000 * S, 0), &ro, 0);
    fake_wall = 1000 * S;
    dispatch_advance(d, 1000 * S);
    CHECK_INT(r0.calls, 1);
    CHECK_INT(r0.last_flush, 1000 * S);
    fake_wall = 1299 * S;
    dispatch_advance(d, 1299 * S);
    CHECK_INT(r0.calls, 1);
    fake_wall = 1300 * S;
    dispatch_advance(d, 1300 * S);
    CHECK_INT(r0.calls, 2);
    dispatch_free(d);
}

static void test_retry_backoff_independent_of_interval(void)
{
    struct rec r0;
    struct am_integration *its[1];
    struct am_receiver recv = {"r", its, 1};
    const struct am_receiver *rv[] = {&recv};
    struct dispatch_route_opts ro = route();
    struct dispatch_opts o;
    struct dispatch *d;
    rec_init(&r0, 0, true);
    for (int i = 0; i < 20; i++)
        r0.script[i] = 503;
    r0.script[20] = 200;
    r0.nscript = 21;
    its[0] = &r0.base;
    ro.group_interval = 10 * S;
    dispatch_opts_default(&o);
    o.backoff_jitter = 0;
    d = dispatch_new(rv, 1, NULL, &o, 0);
    insert(d, alert("A", "a", 0, 36000 * S, 0), &ro, 0);
    dispatch_advance(d, 30 * S);
    CHECK_INT(r0.calls, 1);
    CHECK_INT(dispatch_next_deadline(d), 30 * S + S / 2);
    dispatch_advance(d, 600 * S);
    /* 0.5 s x1.5^k capped at 60 s: 20 attempts by 600 s, none restarted by the 10 s ticks */
    CHECK_INT(r0.calls, 20);
    dispatch_advance(d, 700 * S); /* the 21st, at 638.7 s, succeeds */
    CHECK_INT(r0.calls, 21);
    CHECK(!dispatch_group_busy(d, GK));
    dispatch_advance(d, 1200 * S);
    CHECK_INT(r0.calls, 21);
    dispatch_free(d);
}

static bool mute_all(void *ctx, const char *route_key, int64_t now)
{
    (void)ctx;
    (void)route_key;
    (void)now;
    return true;
}

static bool silence_a(void *ctx, const struct am_alert *a, int64_t now)
{
    (void)ctx;
    (void)now;
    return strcmp(labels_get(a->labels, "instance"), "a") == 0;
}

static void count_attempt(void *ctx, const char *group_key, const char *receiver, unsigned index,
                          const struct am_notify_result *r, unsigned attempt, int64_t now)
{
    (void)group_key;
    (void)receiver;
    (void)index;
    (void)r;
    (void)attempt;
    (void)now;
    (*(int *)ctx)++;
}

static void test_hooks_mute_and_silence(void)
{
    struct rec r0;
    struct am_integration *its[1];
    struct am_receiver recv = {"r", its, 1};
    const struct am_receiver *rv[] = {&recv};
    struct dispatch_route_opts ro = route();
    struct dispatch_hooks h;
    struct dispatch *d;
    int attempts = 0;
    rec_init(&r0, 0, true);
    its[0] = &r0.base;
    memset(&h, 0, sizeof(h));
    h.ctx = &attempts;
    h.time_muted = mute_all;
    h.attempted = count_attempt;
    d = dispatch_new(rv, 1, &h, NULL, 0);
    insert(d, alert("A", "a", 0, 10 * S, 0), &ro, 0);
    dispatch_advance(d, 30 * S);
    CHECK_INT(r0.calls, 0);
    /* muted flush counts as done: the resolved alert is dropped (and the group swept) */
    CHECK(dispatch_group_alert_count(d, GK) <= 0);
    dispatch_free(d);
    h.time_muted = NULL;
    h.silenced = silence_a;
    d = dispatch_new(rv, 1, &h, NULL, 0);
    insert(d, alert("A", "a", 0, 3600 * S, 0), &ro, 0);
    insert(d, alert("A", "b", 0, 3600 * S, 0), &ro, 0);
    dispatch_advance(d, 30 * S);
    CHECK_INT(r0.calls, 1);
    CHECK_STREQ(r0.last, "b:firing");
    CHECK_INT(attempts, 1);
    dispatch_free(d);
}

static bool silence_flag(void *ctx, const struct am_alert *a, int64_t now)
{
    (void)a;
    (void)now;
    return *(bool *)ctx;
}

static void test_retry_abandoned_when_nothing_to_send(void)
{
    struct rec r0;
    struct am_integration *its[1];
    struct am_receiver recv = {"r", its, 1};
    const struct am_receiver *rv[] = {&recv};
    struct dispatch_route_opts ro = route();
    struct dispatch_hooks h;
    struct dispatch *d;
    bool silenced = false;
    unsigned calls;
    rec_init(&r0, 0, true);
    for (int i = 0; i < 32; i++)
        r0.script[i] = 503;
    r0.nscript = 32;
    its[0] = &r0.base;
    memset(&h, 0, sizeof(h));
    h.ctx = &silenced;
    h.silenced = silence_flag;
    d = dispatch_new(rv, 1, &h, NULL, 0);
    insert(d, alert("A", "a", 0, 36000 * S, 0), &ro, 0);
    dispatch_advance(d, 300 * S);
    CHECK(r0.calls > 3);
    CHECK(dispatch_group_busy(d, GK));
    silenced = true;
    dispatch_advance(d, 330 * S); /* tick: everything silenced, the retry is dropped */
    CHECK(!dispatch_group_busy(d, GK));
    calls = r0.calls;
    dispatch_advance(d, 3000 * S);
    CHECK_INT(r0.calls, calls);
    dispatch_free(d);
}

struct first_seen {
    int64_t first[300];
    unsigned count[300];
};

static void record_first(void *ctx, const char *group_key, const char *receiver, unsigned index,
                         const struct am_notify_result *r, unsigned attempt, int64_t now)
{
    struct first_seen *fs = ctx;
    const char *p = strstr(group_key, "G");
    long i = p ? strtol(p + 1, NULL, 10) : -1;
    (void)receiver;
    (void)index;
    (void)r;
    (void)attempt;
    CHECK(i >= 0 && i < 300);
    if (fs->count[i]++ == 0)
        fs->first[i] = now;
}

static void test_many_groups_tick_on_time(void)
{
    /* 300 groups with pseudo-random group_wait / group_interval / creation times: every first
     * notification happens exactly at creation + group_wait and repeats happen on the first
     * tick after repeat_interval, whatever the interleaving (checks the event heap). */
    struct rec r0;
    struct am_integration *its[1];
    struct am_receiver recv = {"r", its, 1};
    const struct am_receiver *rv[] = {&recv};
    struct dispatch_hooks h;
    struct dispatch *d;
    static struct first_seen fs;
    struct dispatch_route_opts ro[300];
    int64_t created[300];
    uint64_t x = 12345;
    rec_init(&r0, 0, true);
    its[0] = &r0.base;
    memset(&h, 0, sizeof(h));
    h.ctx = &fs;
    h.attempted = record_first;
    for (int i = 0; i < 300; i++) {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        ro[i] = route();
        ro[i].group_wait = (int64_t)((x >> 33) % 60) * S;
        ro[i].group_interval = (int64_t)((x >> 20) % 50 + 1) * S;
        ro[i].repeat_interval = 120 * S;
        created[i] = (int64_t)((x >> 40) % 100) * S;
    }
    memset(&fs, 0, sizeof(fs));
    d = dispatch_new(rv, 1, &h, NULL, 0);
    for (int64_t t = 0; t <= 100 * S; t += S) {
        dispatch_advance(d, t);
        for (int i = 0; i < 300; i++) {
            char name[16];
            if (created[i] != t)
                continue;
            snprintf(name, sizeof(name), "G%d", i);
            insert(d, alert(name, "x", t, 36000 * S, t), &ro[i], t);
        }
    }
    dispatch_advance(d, 1000 * S);
    for (int i = 0; i < 300; i++) {
        int64_t gw = ro[i].group_wait, gi = ro[i].group_interval;
        int64_t first = created[i] + gw, ticks_to_repeat = (120 * S + gi) / gi;
        unsigned expect = 1;
        /* repeats land on the first tick strictly after first + repeat_interval */
        for (int64_t last = first; last + ticks_to_repeat * gi <= 1000 * S;
             last += ticks_to_repeat * gi)
            expect++;
        if (fs.first[i] != first || fs.count[i] != expect)
            test_fail(__FILE__, __LINE__,
                      "group %d: first %lld (want %lld), %u sends (want %u), gw %lld gi %lld", i,
                      (long long)fs.first[i], (long long)first, fs.count[i], expect, (long long)gw,
                      (long long)gi);
    }
    dispatch_free(d);
}

static void test_shared_nflog_survives_reload(void)
{
    struct rec r0;
    struct am_integration *its[1];
    struct am_receiver recv = {"r", its, 1};
    const struct am_receiver *rv[] = {&recv};
    struct dispatch_route_opts ro = route();
    struct dispatch_opts o;
    struct nflog log;
    struct dispatch *d;
    rec_init(&r0, 0, true);
    its[0] = &r0.base;
    nflog_init(&log, NULL, 120 * 3600 * S);
    dispatch_opts_default(&o);
    o.nflog = &log;
    d = dispatch_new(rv, 1, NULL, &o, 0);
    insert(d, alert("A", "a", 0, 36000 * S, 0), &ro, 0);
    dispatch_advance(d, 30 * S);
    CHECK_INT(r0.calls, 1);
    dispatch_free(d); /* "reload": a new dispatcher, same log */
    d = dispatch_new(rv, 1, NULL, &o, 40 * S);
    insert(d, alert("A", "a", 0, 36000 * S, 0), &ro, 40 * S);
    dispatch_advance(d, 40 * S); /* old alert: immediate flush, already notified */
    CHECK_INT(r0.calls, 1);
    dispatch_free(d);
    nflog_fini(&log);
}

struct listing {
    char text[512];
};

static void list_group(void *arg, const char *group_key, const struct labels *group_labels,
                       const char *receiver, const struct am_alert *const *alerts, size_t n)
{
    struct listing *l = arg;
    size_t off = strlen(l->text);
    (void)group_labels;
    off += (size_t)snprintf(l->text + off, sizeof(l->text) - off, "%s@%s[", group_key, receiver);
    for (size_t i = 0; i < n; i++)
        off += (size_t)snprintf(l->text + off, sizeof(l->text) - off, "%s%s", i ? "," : "",
                                labels_get(alerts[i]->labels, "instance"));
    snprintf(l->text + off, sizeof(l->text) - off, "] ");
}

static void test_groups_listing_order(void)
{
    /* captures/alertmanager-webhook-run1/api_v2_alerts_groups_after.json: fewer group labels
     * first, then by values; alerts in notification order */
    struct dispatch *d = dispatch_new(NULL, 0, NULL, NULL, 0);
    struct dispatch_route_opts ro = route(), all = route();
    struct listing l;
    all.group_by_all = true;
    all.route_key = "{}/{team=~\"db|infra\"}";
    all.receiver = "team";
    insert(d, alert("Inh2", "j", 0, 3600 * S, 0), &ro, 0);
    insert(d, alert("Inh2", "i", 0, 3600 * S, 0), &ro, 0);
    insert(d, alert("DB", "d2", 0, 3600 * S, 0), &all, 0);
    insert(d, alert("Disk", "c", 0, 3600 * S, 0), &ro, 0);
    insert(d, alert("DB", "d1", 0, 3600 * S, 0), &all, 0);
    insert(d, alert("Disk", "b", 0, 3600 * S, 0), &ro, 0);
    memset(&l, 0, sizeof(l));
    dispatch_foreach_group(d, list_group, &l);
    CHECK_STREQ(l.text, "{}:{alertname=\"Disk\"}@r[b,c] {}:{alertname=\"Inh2\"}@r[i,j] "
                        "{}/{team=~\"db|infra\"}:{alertname=\"DB\", instance=\"d1\"}@team[d1] "
                        "{}/{team=~\"db|infra\"}:{alertname=\"DB\", instance=\"d2\"}@team[d2] ");
    dispatch_free(d);
}

static void test_rate_limit_delays(void)
{
    struct rec r0;
    struct am_integration *its[1];
    struct am_receiver recv = {"r", its, 1};
    const struct am_receiver *rv[] = {&recv};
    struct dispatch_route_opts ro = route();
    struct dispatch_rate_limit rl = {"r", 6, 1}; /* one per 10 s */
    struct dispatch *d;
    rec_init(&r0, 0, true);
    its[0] = &r0.base;
    d = dispatch_new(rv, 1, NULL, NULL, 0);
    dispatch_set_rate_limit(d, &rl);
    insert(d, alert("A", "a", 0, 3600 * S, 0), &ro, 0);
    insert(d, alert("B", "b", 0, 3600 * S, 0), &ro, 0);
    insert(d, alert("C", "c", 0, 3600 * S, 0), &ro, 0);
    dispatch_advance(d, 30 * S);
    CHECK_INT(r0.calls, 1);
    dispatch_advance(d, 40 * S - 1);
    CHECK_INT(r0.calls, 1);
    dispatch_advance(d, 40 * S + S / 1000);
    CHECK_INT(r0.calls, 2);
    dispatch_advance(d, 51 * S);
    CHECK_INT(r0.calls, 3);
    dispatch_free(d);
}

static void test_bad_route_rejected(void)
{
    struct dispatch_route_opts ro = route();
    const struct dispatch_route_opts *rs[] = {&ro};
    struct dispatch *d = dispatch_new(NULL, 0, NULL, NULL, 0);
    struct am_alert *a = alert("A", "a", 0, S, 0);
    ro.group_interval = 0;
    CHECK_INT(dispatch_insert(d, a, rs, 1, 0), ERR_INVALID);
    CHECK_INT(dispatch_group_count(d), 0);
    /* an unknown receiver: the group exists, flushes find nothing to send to */
    ro = route();
    ro.receiver = "missing";
    CHECK_INT(dispatch_insert(d, a, rs, 1, 0), 0);
    dispatch_advance(d, 60 * S);
    CHECK_INT(dispatch_group_alert_count(d, GK), 1);
    am_alert_free(a);
    dispatch_free(d);
}

static void test_group_key_and_group_by_all(void)
{
    struct label l[] = {{"alertname", "DB"}, {"team", "db"}, {"instance", "d1"}};
    struct labels *ls = labels_new(l, 3);
    char *k = dispatch_group_key("{}/{team=~\"db|infra\"}", ls);
    CHECK_STREQ(k, "{}/{team=~\"db|infra\"}:{alertname=\"DB\", instance=\"d1\", team=\"db\"}");
    xfree(k);
    labels_free(ls);
}

static void test_nflog_rules(void)
{
    uint64_t a = 1, b = 2;
    uint64_t fa[] = {1}, fab[] = {1, 2};
    struct nflog_entry en = {100 * S, 0, fa, 1, NULL, 0};
    struct nflog_entry none = {100 * S, 0, NULL, 0, fa, 1};
    int64_t rep = 60 * S;
    CHECK(nflog_needs_update(NULL, &a, 1, NULL, 0, true, rep, 100 * S));
    CHECK(!nflog_needs_update(NULL, NULL, 0, &a, 1, true, rep, 100 * S)); /* blip */
    CHECK(nflog_needs_update(&en, fab, 2, NULL, 0, true, rep, 110 * S));  /* new firing */
    CHECK(!nflog_needs_update(&en, &a, 1, NULL, 0, true, rep, 110 * S));  /* nothing new */
    CHECK(!nflog_needs_update(&en, NULL, 0, NULL, 0, true, rep, 110 * S) == false);
    CHECK(nflog_needs_update(&en, NULL, 0, &a, 1, false, rep, 110 * S));   /* all resolved */
    CHECK(!nflog_needs_update(&none, NULL, 0, &b, 1, true, rep, 110 * S)); /* nothing fired */
    CHECK(nflog_needs_update(&en, &a, 1, &b, 1, true, rep, 110 * S));      /* newly resolved */
    CHECK(!nflog_needs_update(&en, &a, 1, &b, 1, false, rep, 110 * S));    /* ... not wanted */
    CHECK(!nflog_needs_update(&en, &a, 1, NULL, 0, true, rep, 160 * S));   /* strictly older */
    CHECK(nflog_needs_update(&en, &a, 1, NULL, 0, true, rep, 160 * S + 1));
}

static void test_nflog_encode_decode(void)
{
    uint64_t f[] = {7, 8}, r[] = {9};
    struct nflog_entry en = {123, 456, f, 2, r, 1}, *back;
    char *blob;
    size_t len;
    nflog_entry_encode(&en, &blob, &len);
    back = nflog_entry_decode(blob, len);
    CHECK(back != NULL);
    CHECK_INT(back->ts, 123);
    CHECK_INT(back->expires, 456);
    CHECK_INT(back->nf, 2);
    CHECK(back->firing[1] == 8);
    CHECK(back->resolved[0] == 9);
    nflog_entry_free(back);
    CHECK(nflog_entry_decode(blob, len - 1) == NULL);
    CHECK(nflog_entry_decode(blob, 10) == NULL);
    blob[16] = 100; /* absurd count */
    CHECK(nflog_entry_decode(blob, len) == NULL);
    xfree(blob);
}

static char *tmpdir(void)
{
    char tmpl[] = "/tmp/tocsin-dispatch-XXXXXX";
    char *d = mkdtemp(tmpl);
    CHECK(d != NULL);
    return xstrdup(d);
}

static void rmdir_store(const char *dir)
{
    char *w = xasprintf("%s/wal", dir), *s = xasprintf("%s/snapshot", dir);
    unlink(w);
    unlink(s);
    rmdir(dir);
    xfree(w);
    xfree(s);
}

static void test_restart_does_not_repeat_page(void)
{
    char *dir = tmpdir();
    struct store_opts so;
    struct store *st = NULL;
    struct rec r0;
    struct am_integration *its[1];
    struct am_receiver recv = {"r", its, 1};
    const struct am_receiver *rv[] = {&recv};
    struct dispatch_route_opts ro = route();
    struct dispatch_opts o;
    struct dispatch *d;
    struct am_alerts p;
    struct am_alert *a = alert("A", "a", 0, 36000 * S, 0);
    const struct am_alert *in[] = {a}, *merged[1];
    const struct dispatch_route_opts *rs[] = {&ro};
    const struct am_alert **list;
    size_t n;
    store_opts_default(&so);
    so.fsync = false;
    CHECK_INT(store_open(dir, &so, &st, NULL), 0);
    rec_init(&r0, 0, true);
    its[0] = &r0.base;
    dispatch_opts_default(&o);
    o.store = st;
    /* first life: accept (durably), notify */
    am_alerts_init(&p);
    CHECK_INT(am_alerts_put_durable(&p, st, in, 1, 0, merged, NULL), 0);
    d = dispatch_new(rv, 1, NULL, &o, 0);
    CHECK_INT(dispatch_insert(d, merged[0], rs, 1, 0), 0);
    dispatch_advance(d, 30 * S);
    CHECK_INT(r0.calls, 1);
    dispatch_free(d);
    am_alerts_fini(&p);
    store_close(st);
    /* second life: restore alerts and nflog; the old alert flushes at once but is not sent */
    CHECK_INT(store_open(dir, &so, &st, NULL), 0);
    o.store = st;
    am_alerts_init(&p);
    CHECK_INT(am_alerts_load(&p, st), 0);
    list = am_alerts_list(&p, &n);
    CHECK_INT(n, 1);
    d = dispatch_new(rv, 1, NULL, &o, 100 * S);
    CHECK_INT(dispatch_insert(d, list[0], rs, 1, 100 * S), 0);
    xfree(list);
    dispatch_advance(d, 100 * S);
    CHECK_INT(r0.calls, 1);
    dispatch_advance(d, 30 * S + 4 * 3600 * S + 300 * S); /* after repeat_interval */
    CHECK_INT(r0.calls, 2);
    dispatch_free(d);
    /* resolved alerts are garbage-collected from memory and from the store */
    CHECK_INT(am_alerts_gc_durable(&p, st, 40000 * S, NULL), 1);
    CHECK_INT(store_count(st, STORE_NS_ALERT), 0);
    am_alerts_fini(&p);
    store_close(st);
    rmdir_store(dir);
    xfree(dir);
    am_alert_free(a);
}

static void test_put_durable_failure_changes_nothing(void)
{
    char *dir = tmpdir();
    struct store_opts so;
    struct store *st = NULL;
    struct am_alerts p;
    struct label big[] = {{"alertname", "A"}, {"x", NULL}};
    char *val = xmalloc(5000);
    struct am_alert *a;
    const struct am_alert *in[1];
    memset(val, 'v', 4999);
    val[4999] = '\0';
    big[1].value = val;
    a = am_alert_new(labels_new(big, 2), NULL, "");
    in[0] = a;
    store_opts_default(&so);
    so.fsync = false;
    so.max_record = 1000;
    CHECK_INT(store_open(dir, &so, &st, NULL), 0);
    am_alerts_init(&p);
    CHECK(am_alerts_put_durable(&p, st, in, 1, 0, NULL, NULL) != 0);
    CHECK(am_alerts_get(&p, a->fingerprint) == NULL);
    CHECK_INT(store_count(st, STORE_NS_ALERT), 0);
    am_alerts_fini(&p);
    store_close(st);
    rmdir_store(dir);
    xfree(dir);
    xfree(val);
    am_alert_free(a);
}

static const struct test_case tests[] = {
    TEST(test_group_wait_then_interval),
    TEST(test_old_alert_flushes_immediately_once),
    TEST(test_resolved_kept_until_every_integration_succeeds),
    TEST(test_async_attempt_not_duplicated_and_free_safe),
    TEST(test_hung_attempt_replaced),
    TEST(test_no_catch_up_after_stall),
    TEST(test_retry_backoff_independent_of_interval),
    TEST(test_hooks_mute_and_silence),
    TEST(test_retry_abandoned_when_nothing_to_send),
    TEST(test_many_groups_tick_on_time),
    TEST(test_shared_nflog_survives_reload),
    TEST(test_groups_listing_order),
    TEST(test_rate_limit_delays),
    TEST(test_bad_route_rejected),
    TEST(test_group_key_and_group_by_all),
    TEST(test_nflog_rules),
    TEST(test_nflog_encode_decode),
    TEST(test_restart_does_not_repeat_page),
    TEST(test_put_durable_failure_changes_nothing),
    {0},
};

TEST_MAIN(tests)
