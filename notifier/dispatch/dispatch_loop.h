/* SPDX-License-Identifier: Apache-2.0 */
/* Drives a dispatcher from a libevent loop in real time: one timer armed at
 * dispatch_next_deadline, re-armed through the dispatcher's rearm hook. */
#ifndef TOCSIN_NOTIFIER_DISPATCH_DISPATCH_LOOP_H
#define TOCSIN_NOTIFIER_DISPATCH_DISPATCH_LOOP_H

#include <stdint.h>

struct dispatch;
struct dispatch_hooks;
struct event_base;

struct dispatch_loop;

/* New driver on base (borrowed). Call dispatch_loop_hooks before dispatch_new, then
 * dispatch_loop_start with the dispatcher. Caller frees with dispatch_loop_free (before the
 * dispatcher). Loop thread only. */
struct dispatch_loop *dispatch_loop_new(struct event_base *base);
/* Fills h->now (wall clock in ns), h->rearm and h->rearm_ctx for this driver; other hooks are
 * left alone. */
void dispatch_loop_hooks(struct dispatch_loop *l, struct dispatch_hooks *h);
/* Attaches d (borrowed) and arms the timer. */
void dispatch_loop_start(struct dispatch_loop *l, struct dispatch *d);
/* Current wall-clock time in ns (what the driver passes to dispatch_advance). */
int64_t dispatch_loop_now(void);
void dispatch_loop_free(struct dispatch_loop *l);

#endif
