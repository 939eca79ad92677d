/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The notifier runtime: the loaded configuration (route tree, inhibitor, receivers), the alert
 * and silence stores made durable in notifier/store, and the dispatcher driven by a libevent
 * timer. The API v2 handlers and the daemon's reload call into it. Everything runs on the loop
 * thread.
 */
#ifndef TOCSIN_NOTIFIER_CORE_NOTIFIER_H
#define TOCSIN_NOTIFIER_CORE_NOTIFIER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct am_alert;
struct am_alert_status;
struct am_config;
struct err;
struct event_base;
struct labels;
struct metrics_registry;
struct notifier;
struct silence;
struct silence_store;

struct notifier_opts {
    const char *storage_path;    /* WAL + snapshots; NULL = memory only */
    const char *external_url;    /* for payloads; "" = http://<listen address> */
    bool fsync;                  /* fdatasync before acknowledging (default true) */
    const char *ack_secret_file; /* escalation: HMAC secret of ack links; NULL = generated */
};

/*
 * Loads config_file, opens the store, restores alerts, silences and the notification log, and
 * re-inserts the restored alerts into the dispatcher (so a resolved notification that was due
 * when the process died still goes out). Returns 0 and *out, or ERR_* with the reason in e.
 */
int notifier_open(struct event_base *base, const char *config_file, const struct notifier_opts *o,
                  struct metrics_registry *metrics, struct notifier **out, struct err *e);
void notifier_close(struct notifier *n);

/* Loads config_file; on success swaps it in (routes, inhibitor, receivers, a new dispatcher
 * with the alerts re-inserted); on failure the old configuration stays. */
int notifier_reload(struct notifier *n, const char *config_file, struct err *e);

/* The configuration in effect (borrowed until the next reload). */
const struct am_config *notifier_config(const struct notifier *n);
/* Current wall-clock time in ns (the clock every timestamp uses). */
int64_t notifier_now(void);

/*
 * Accepts a POST /api/v2/alerts body: decodes and validates it, merges valid alerts into the
 * store, writes them durably, then routes them to aggregation groups. *status receives the
 * HTTP status (200, 400 with the validation messages in e, 500 when the store write failed);
 * the body text for a non-200 status is e->msg. Synchronous: commits at once, together with any
 * requests queued by notifier_post_alerts_async.
 */
int notifier_post_alerts(struct notifier *n, const char *body, size_t len, int *status,
                         struct err *e);

/* Completion of an asynchronous POST: status is 200, 400 (validation messages in msg), 422
 * (schema error in msg) or 500 (store write failed: nothing was applied); msg is borrowed for
 * the call. Runs on the loop thread. */
typedef void (*notifier_post_done_cb)(void *arg, int status, const char *msg);

/*
 * Group-committed POST /api/v2/alerts: decodes and validates body (len bytes, not kept) at once
 * (a malformed body completes immediately with 400/422), then queues the alerts. Once per loop
 * iteration, all queued requests are merged and written in one store commit (one fdatasync);
 * only after it succeeded are the alerts applied and routed and done(arg, 200 or 400, ...)
 * called for each; when it fails every queued request gets 500 and nothing is applied. done is
 * called exactly once, possibly before this returns. Thread: the loop thread.
 */
void notifier_post_alerts_async(struct notifier *n, const char *body, size_t len,
                                notifier_post_done_cb done, void *arg);

/* Calls cb for every stored alert with its API status and receivers. */
void notifier_foreach_alert(struct notifier *n,
                            void (*cb)(void *arg, const struct am_alert *a,
                                       const struct am_alert_status *st,
                                       const char *const *receivers, size_t nreceivers),
                            void *arg);
/* Status (state, silencedBy, inhibitedBy) of one alert now; strings live until the next call. */
void notifier_alert_status(struct notifier *n, const struct am_alert *a,
                           struct am_alert_status *st);

/* The silence store (borrowed). Mutations must go through the functions below so they are
 * written durably. */
struct silence_store *notifier_silences(struct notifier *n);
/* Creates or updates a silence durably; out_id (>= 37 bytes) gets its id. */
int notifier_silence_set(struct notifier *n, const struct silence *s, char *out_id, struct err *e);
/* Expires a silence durably. ERR_NOTFOUND when unknown. */
int notifier_silence_expire(struct notifier *n, const char *id, struct err *e);

/* Calls cb for every aggregation group. */
void notifier_foreach_group(struct notifier *n,
                            void (*cb)(void *arg, const char *group_key,
                                       const struct labels *group_labels, const char *receiver,
                                       const struct am_alert *const *alerts, size_t na),
                            void *arg);

/* Uptime start (ns) for /api/v2/status. */
int64_t notifier_started_at(const struct notifier *n);
const char *notifier_external_url(const struct notifier *n);

/* The incident/escalation engine (borrowed; notifier/escalation/escalation.h). */
struct escalation;
struct escalation *notifier_escalation(struct notifier *n);

#endif
