/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A small worker pool for CPU work (queries, rule evaluation, decoding) whose completions run
 * back on the libevent loop thread, so handlers can reply asynchronously without blocking I/O.
 */
#ifndef TOCSIN_COMMON_WORKQ_H
#define TOCSIN_COMMON_WORKQ_H

#include <stddef.h>

struct event_base;
struct workq;

typedef void (*workq_work_cb)(void *arg); /* runs on a worker thread */
typedef void (*workq_done_cb)(void *arg); /* runs on the loop thread afterwards */

/* Creates nthreads workers (>= 1) whose completions are delivered on base (borrowed). */
struct workq *workq_new(struct event_base *base, int nthreads);

/*
 * Queues work(arg) on a worker; when it returns, done(arg) (may be NULL) runs on the loop
 * thread. arg is borrowed by the pool until done runs. Thread: any.
 */
void workq_submit(struct workq *q, workq_work_cb work, workq_done_cb done, void *arg);

/* Jobs queued or running, not yet completed on the loop. */
size_t workq_pending(const struct workq *q);

/*
 * Stops the workers after the queued jobs ran, runs the outstanding done callbacks on the
 * calling thread (which must be the loop thread, outside event_base_loop) and frees q.
 */
void workq_free(struct workq *q);

#endif
