/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Forwards rule outputs (recording-rule results, ALERTS, ALERTS_FOR_STATE, staleness markers)
 * to the config's remote_write targets as Remote-Write 1.0 requests. Each target has its own
 * bounded queue and one request in flight; a full queue drops the oldest samples (counted).
 *
 * Threads: the loop thread only.
 */
#ifndef TOCSIN_EVALUATOR_MANAGER_RWOUT_H
#define TOCSIN_EVALUATOR_MANAGER_RWOUT_H

#include <stddef.h>

struct err;
struct event_base;
struct evcfg_remote_write;
struct metrics_registry;
struct rule_vector;
struct rwout;

/* Samples queued per target before the oldest are dropped. */
#define RWOUT_QUEUE_CAP 100000
/* Samples per request. */
#define RWOUT_MAX_BATCH 2000

/* New forwarder without targets (base borrowed, metrics may be NULL). */
struct rwout *rwout_new(struct event_base *base, struct metrics_registry *metrics);
/* Cancels requests in flight and frees everything. NULL is a no-op. */
void rwout_free(struct rwout *w);

/*
 * Replaces the targets (cfg entries read now; secret files too). Targets whose URL stays keep
 * their queue. ERR_IO when a secrets file cannot be read (that target is then left out).
 */
int rwout_set_targets(struct rwout *w, const struct evcfg_remote_write *t, size_t n, struct err *e);

/* Queues the samples of v (copied) for every target and starts sending. */
void rwout_push(struct rwout *w, const struct rule_vector *v);

/* Samples queued or in flight for target i (tests). */
size_t rwout_queue_length(const struct rwout *w, size_t i);

#endif
