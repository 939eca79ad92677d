/* SPDX-License-Identifier: Apache-2.0 */
/* The in-memory alert provider: alerts by fingerprint, with Alertmanager's merge on re-post and
 * the garbage collection of resolved alerts. Single-threaded (the daemon's loop thread). */
#ifndef TOCSIN_NOTIFIER_ALERT_PROVIDER_H
#define TOCSIN_NOTIFIER_ALERT_PROVIDER_H

#include <stddef.h>
#include <stdint.h>

#include "notifier/store/kvmap.h"

struct am_alert;
struct err;
struct store;

struct am_alerts {
    struct kvmap by_fp; /* 16-hex fingerprint -> struct am_alert * (owned) */
};

void am_alerts_init(struct am_alerts *p);
void am_alerts_fini(struct am_alerts *p);
/* Stores neu (borrowed) merged with the alert already stored under its fingerprint, as the mem
 * provider does; returns the stored alert (borrowed, valid until the next put/gc). */
const struct am_alert *am_alerts_put(struct am_alerts *p, const struct am_alert *neu, int64_t now);
/* The stored alert with this fingerprint or NULL (borrowed). */
const struct am_alert *am_alerts_get(const struct am_alerts *p, uint64_t fp);
/* Restores a persisted alert as is (no merge); takes a. */
void am_alerts_restore(struct am_alerts *p, struct am_alert *a);
/* Removes alerts resolved at now; calls cb(arg, alert) for each before freeing it (cb may be
 * NULL). Returns how many were removed. */
size_t am_alerts_gc(struct am_alerts *p, int64_t now,
                    void (*cb)(void *arg, const struct am_alert *a), void *arg);
/*
 * Durable batch put for POST /api/v2/alerts: merges each of alerts[0..n) (borrowed) with the
 * stored copy, writes all results to store (may be NULL = memory only) in one commit, and only
 * when the commit succeeded applies them in memory. merged (may be NULL) receives n borrowed
 * pointers to the stored alerts. Returns 0, or the store's error with nothing changed (answer
 * 500 and do not acknowledge).
 */
int am_alerts_put_durable(struct am_alerts *p, struct store *s,
                          const struct am_alert *const *alerts, size_t n, int64_t now,
                          const struct am_alert **merged, struct err *e);
/* Loads the alerts persisted in store (call at start, before the API serves). Returns the number
 * of corrupt records skipped (>= 0). */
int am_alerts_load(struct am_alerts *p, const struct store *s);
/* am_alerts_gc that also deletes the removed alerts from store (one commit). Returns the number
 * removed, or a negative store error (memory is cleaned either way). */
long am_alerts_gc_durable(struct am_alerts *p, struct store *s, int64_t now, struct err *e);

/* All stored alerts sorted by fingerprint in a new array (caller frees the array only). */
const struct am_alert **am_alerts_list(const struct am_alerts *p, size_t *n);

#endif
