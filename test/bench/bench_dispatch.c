/* SPDX-License-Identifier: Apache-2.0 */
/* Benchmark: N aggregation groups (one alert each) run for one simulated hour with a
 * discarding integration; prints wall time and deliveries. usage: bench_dispatch [N] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/labels.h"
#include "common/xalloc.h"
#include "notifier/alert/alert.h"
#include "notifier/dispatch/dispatch.h"
#include "notifier/receivers/receiver.h"

#define S 1000000000LL

static unsigned long delivered;

static int discard(struct am_integration *it, const struct am_notify_data *d, int64_t timeout,
                   am_notify_done_cb done, void *arg)
{
    struct am_notify_result r;
    (void)it;
    (void)d;
    (void)timeout;
    memset(&r, 0, sizeof(r));
    r.outcome = AM_NOTIFY_OK;
    delivered++;
    done(arg, &r);
    return 0;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? strtol(argv[1], NULL, 10) : 10000;
    struct am_integration it = {"discard", 0, true, discard, NULL};
    struct am_integration *its[] = {&it};
    struct am_receiver recv = {"r", its, 1};
    const struct am_receiver *rv[] = {&recv};
    const char *const by[] = {"alertname"};
    struct dispatch_route_opts ro = {"{}", "r", false, by, 1, 30 * S, 300 * S, 3600 * S};
    const struct dispatch_route_opts *rs[] = {&ro};
    struct dispatch *d = dispatch_new(rv, 1, NULL, NULL, 0);
    double t0 = now_s(), t1;
    for (long i = 0; i < n; i++) {
        char name[32];
        struct label l;
        struct am_alert *a;
        snprintf(name, sizeof(name), "A%ld", i);
        l.name = "alertname";
        l.value = name;
        a = am_alert_new(labels_new(&l, 1), NULL, "");
        a->starts_at = (i % 300) * S;
        a->ends_at = 7200 * S;
        a->updated_at = a->starts_at;
        dispatch_insert(d, a, rs, 1, a->starts_at);
        am_alert_free(a);
    }
    t1 = now_s();
    dispatch_advance(d, 3600 * S);
    printf("groups=%ld insert=%.3fs advance(1h)=%.3fs deliveries=%lu\n", n, t1 - t0, now_s() - t1,
           delivered);
    dispatch_free(d);
    return 0;
}
