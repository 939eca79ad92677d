/* SPDX-License-Identifier: Apache-2.0 */
/* The dispatcher driven in real time by a libevent loop, with deliveries answered
 * asynchronously from the same loop (as the libcurl client will). */
#include <event2/event.h>
#include <string.h>

#include "common/labels.h"
#include "common/xalloc.h"
#include "notifier/alert/alert.h"
#include "notifier/dispatch/dispatch.h"
#include "notifier/dispatch/dispatch_loop.h"
#include "notifier/receivers/receiver.h"
#include "test/harness.h"

#define MS 1000000LL

struct async_it {
    struct am_integration base;
    struct event_base *eb;
    int statuses[4];
    unsigned calls;
    int64_t times[8];
    am_notify_done_cb done;
    void *arg;
};

static void answer(evutil_socket_t fd, short what, void *p)
{
    struct async_it *it = p;
    struct am_notify_result r;
    int st = it->statuses[it->calls - 1];
    (void)fd;
    (void)what;
    memset(&r, 0, sizeof(r));
    r.status = st;
    r.outcome = st == 200 ? AM_NOTIFY_OK : AM_NOTIFY_RETRY;
    it->done(it->arg, &r);
    if (st == 200)
        event_base_loopbreak(it->eb); /* done: no need to wait for the safety timeout */
}

static int notify_later(struct am_integration *base, const struct am_notify_data *d,
                        int64_t timeout_ns, am_notify_done_cb done, void *arg)
{
    struct async_it *it = (struct async_it *)base;
    struct timeval tv = {0, 20000}; /* the "server" answers after 20 ms */
    (void)d;
    (void)timeout_ns;
    it->times[it->calls++] = dispatch_loop_now();
    it->done = done;
    it->arg = arg;
    event_base_once(it->eb, -1, EV_TIMEOUT, answer, it, &tv);
    return 0;
}

static void test_real_time_loop_with_async_retry(void)
{
    struct event_base *eb = event_base_new();
    struct async_it it;
    struct am_integration *its[1];
    struct am_receiver recv = {"r", its, 1};
    const struct am_receiver *rv[] = {&recv};
    const char *const by[] = {"alertname"};
    struct dispatch_route_opts ro = {"{}", "r", false, by, 1, 100 * MS, 5000 * MS, 3600000 * MS};
    const struct dispatch_route_opts *rs[] = {&ro};
    struct dispatch_hooks h;
    struct dispatch_opts o;
    struct dispatch_loop *l = dispatch_loop_new(eb);
    struct dispatch *d;
    struct label lb = {"alertname", "A"};
    struct am_alert *a = am_alert_new(labels_new(&lb, 1), NULL, "");
    struct timeval stop = {10, 0}; /* safety net only */
    int64_t t0 = dispatch_loop_now();
    memset(&it, 0, sizeof(it));
    it.base.kind = "async";
    it.base.send_resolved = true;
    it.base.notify = notify_later;
    it.eb = eb;
    it.statuses[0] = 503;
    it.statuses[1] = 200;
    its[0] = &it.base;
    memset(&h, 0, sizeof(h));
    dispatch_loop_hooks(l, &h);
    dispatch_opts_default(&o);
    o.backoff_initial = 50 * MS;
    o.backoff_jitter = 0;
    d = dispatch_new(rv, 1, &h, &o, t0);
    dispatch_loop_start(l, d);
    a->starts_at = t0;
    a->ends_at = t0 + 3600000 * MS;
    a->updated_at = t0;
    CHECK_INT(dispatch_insert(d, a, rs, 1, t0), 0);
    event_base_loopexit(eb, &stop);
    event_base_dispatch(eb);
    CHECK_INT(it.calls, 2);
    /* first attempt after group_wait, the retry 50 ms after the 503 arrived (~20 ms later) */
    CHECK(it.times[0] - t0 >= 100 * MS && it.times[0] - t0 < 3000 * MS);
    CHECK(it.times[1] - it.times[0] >= 70 * MS && it.times[1] - it.times[0] < 3000 * MS);
    CHECK(!dispatch_group_busy(d, "{}:{alertname=\"A\"}"));
    dispatch_loop_free(l);
    dispatch_free(d);
    am_alert_free(a);
    event_base_free(eb);
}

static const struct test_case tests[] = {
    TEST(test_real_time_loop_with_async_retry),
    {0},
};

TEST_MAIN(tests)
