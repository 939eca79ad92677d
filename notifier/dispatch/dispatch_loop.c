/* SPDX-License-Identifier: Apache-2.0 */
/* libevent driver for the dispatcher (see dispatch_loop.h). */
#include "notifier/dispatch/dispatch_loop.h"

#include <event2/event.h>
#include <string.h>
#include <time.h>

#include "common/xalloc.h"
#include "notifier/dispatch/dispatch.h"

struct dispatch_loop {
    struct event_base *base;
    struct event *timer;
    struct dispatch *d;
};

int64_t dispatch_loop_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int64_t hook_now(void *ctx)
{
    (void)ctx;
    return dispatch_loop_now();
}

static void arm(struct dispatch_loop *l)
{
    int64_t at, wait;
    struct timeval tv;
    if (!l->d)
        return;
    at = dispatch_next_deadline(l->d);
    if (at == INT64_MAX) {
        evtimer_del(l->timer);
        return;
    }
    wait = at - dispatch_loop_now();
    if (wait < 0)
        wait = 0;
    tv.tv_sec = (time_t)(wait / 1000000000LL);
    tv.tv_usec = (suseconds_t)((wait % 1000000000LL) / 1000);
    evtimer_add(l->timer, &tv);
}

static void on_timer(evutil_socket_t fd, short what, void *arg)
{
    struct dispatch_loop *l = arg;
    (void)fd;
    (void)what;
    dispatch_advance(l->d, dispatch_loop_now());
    arm(l);
}

static void hook_rearm(void *ctx)
{
    arm(ctx);
}

struct dispatch_loop *dispatch_loop_new(struct event_base *base)
{
    struct dispatch_loop *l = xcalloc(1, sizeof(*l));
    l->base = base;
    l->timer = evtimer_new(base, on_timer, l);
    return l;
}

void dispatch_loop_hooks(struct dispatch_loop *l, struct dispatch_hooks *h)
{
    h->now = hook_now;
    h->rearm = hook_rearm;
    h->rearm_ctx = l;
}

void dispatch_loop_start(struct dispatch_loop *l, struct dispatch *d)
{
    l->d = d;
    arm(l);
}

void dispatch_loop_free(struct dispatch_loop *l)
{
    if (!l)
        return;
    if (l->timer)
        event_free(l->timer);
    xfree(l);
}
