/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The dispatcher: aggregation groups keyed by (route, group labels) with Alertmanager's
 * group_wait / group_interval / repeat_interval timing, and the notification pipeline run on
 * every group tick (time-interval mute, inhibition and silence filters, dedup through the
 * notification log, delivery with per-attempt timeout and exponential backoff, nflog record).
 *
 * It owns no clock and no timer: the caller drives it with dispatch_advance(d, now), which runs
 * every event due at or before now in time order (each with its own scheduled time as "now"),
 * and asks dispatch_next_deadline(d) when to call again. Tests run it in simulated time; the
 * daemon arms a libevent timer. Single-threaded: every function, and every integration
 * callback, runs on the caller's thread.
 */
#ifndef TOCSIN_NOTIFIER_DISPATCH_DISPATCH_H
#define TOCSIN_NOTIFIER_DISPATCH_DISPATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct am_alert;
struct am_notify_result;
struct am_receiver;
struct labels;
struct nflog;
struct store;

/* What the route tree says about one matching route (the lead adapts route nodes to this).
 * Strings are copied when a group is created. */
struct dispatch_route_opts {
    const char *route_key;       /* "{}/{severity=\"page\"}" (group key prefix) */
    const char *receiver;        /* receiver name */
    bool group_by_all;           /* group_by: ['...'] */
    const char *const *group_by; /* label names (any order) when !group_by_all */
    size_t n_group_by;
    int64_t group_wait;      /* ns */
    int64_t group_interval;  /* ns, > 0 */
    int64_t repeat_interval; /* ns, > 0 */
};

/* Hooks into the rest of the notifier. Every pointer may be NULL (= never muted). */
struct dispatch_hooks {
    void *ctx;
    /* True when notifications of this route must not go out now (its mute_time_intervals
     * cover now, or its active_time_intervals do not). The whole flush is dropped. */
    bool (*time_muted)(void *ctx, const char *route_key, int64_t now);
    /* True when a firing alert inhibits a (evaluated at send time). */
    bool (*inhibited)(void *ctx, const struct am_alert *a, int64_t now);
    /* True when an active silence matches a (evaluated at send time). */
    bool (*silenced)(void *ctx, const struct am_alert *a, int64_t now);
    /* Called after each delivery attempt (logging, metrics, timelines); index is the
     * integration's index among its kind (struct am_integration.index). */
    void (*attempted)(void *ctx, const char *group_key, const char *receiver, unsigned index,
                      const struct am_notify_result *r, unsigned attempt, int64_t now);
    /* Current time (ns) for delivery results that arrive asynchronously, outside
     * dispatch_advance. NULL: the time of the last dispatch_advance/dispatch_insert. */
    int64_t (*now)(void *ctx);
    /* Called whenever dispatch_next_deadline may have changed outside dispatch_advance (after
     * dispatch_insert and after an asynchronous delivery result), so a timer can be re-armed.
     * Gets rearm_ctx, not ctx. dispatch_loop (dispatch_loop.h) uses it. */
    void (*rearm)(void *rearm_ctx);
    void *rearm_ctx;
};

struct dispatch_opts {
    const char *external_url; /* copied; "" default */
    int64_t max_retry;        /* give up a retryable failure after this long (default 1h) */
    int64_t attempt_timeout;  /* per attempt; 0 = max(group_interval, 10s) like 0.25 */
    int64_t backoff_initial;  /* default 500ms */
    double backoff_factor;    /* default 1.5 */
    int64_t backoff_max;      /* default 60s */
    double backoff_jitter;    /* +-fraction, default 0.5; 0 = deterministic */
    int64_t maintenance;      /* empty-group sweep period, default 30s */
    int64_t nflog_retention;  /* default 120h */
    uint64_t seed;            /* jitter RNG seed */
    struct store *store;      /* borrowed, optional: nflog persisted there */
    /* Borrowed, optional: a notification log that outlives this dispatcher (config reloads
     * rebuild the dispatcher but keep the log, as Alertmanager does). NULL = an own log, loaded
     * from store and kept for nflog_retention. */
    struct nflog *nflog;
};

/* Per-receiver delivery rate limit (token bucket). */
struct dispatch_rate_limit {
    const char *receiver; /* copied */
    double per_minute;    /* tokens per minute, > 0 */
    double burst;         /* bucket size, >= 1 */
};

struct dispatch;

/* Fills o with the defaults above. */
void dispatch_opts_default(struct dispatch_opts *o);

/*
 * New dispatcher. receivers (array of n borrowed pointers; they and their integrations must
 * outlive the dispatcher) are looked up by name when a group flushes; hooks is copied (may be
 * NULL); o may be NULL for defaults. start is the current time (first maintenance sweep at
 * start + maintenance). Without o->nflog, an own log is created and, when o->store is set,
 * loaded from it. Caller frees.
 */
struct dispatch *dispatch_new(const struct am_receiver *const *receivers, size_t n,
                              const struct dispatch_hooks *hooks, const struct dispatch_opts *o,
                              int64_t start);
/* Frees groups and jobs. Attempts still in flight are detached: their completion callbacks
 * become no-ops that only free their memory. NULL is a no-op. */
void dispatch_free(struct dispatch *d);

/* Sets a token bucket for a receiver (replacing an earlier one). */
void dispatch_set_rate_limit(struct dispatch *d, const struct dispatch_rate_limit *rl);

/*
 * Inserts alert a (borrowed; copied) received at now into the group of each route in routes
 * (n entries), creating groups as needed: a new group ticks group_wait later; a group that has
 * never flushed ticks immediately when a->starts_at + group_wait is already before now.
 * Returns 0, or ERR_INVALID when a route has a non-positive group_interval.
 */
int dispatch_insert(struct dispatch *d, const struct am_alert *a,
                    const struct dispatch_route_opts *const *routes, size_t n, int64_t now);

/* Runs every event due at or before now (group ticks, retries, maintenance) in time order. */
void dispatch_advance(struct dispatch *d, int64_t now);
/* Time of the next pending event (INT64_MAX when none). */
int64_t dispatch_next_deadline(const struct dispatch *d);

/* Introspection (tests, API): number of groups; alerts in the group with this key (-1 when no
 * such group); whether an attempt/retry is pending for the group. */
size_t dispatch_group_count(const struct dispatch *d);
long dispatch_group_alert_count(const struct dispatch *d, const char *group_key);
bool dispatch_group_busy(const struct dispatch *d, const char *group_key);

/* Calls cb for each non-empty group in Alertmanager's /api/v2/alerts/groups order (group
 * labels, then receiver) with its alerts in notification order (borrowed, valid during cb).
 * Silence/inhibition status and filters are the caller's. */
void dispatch_foreach_group(const struct dispatch *d,
                            void (*cb)(void *arg, const char *group_key,
                                       const struct labels *group_labels, const char *receiver,
                                       const struct am_alert *const *alerts, size_t n),
                            void *arg);

/* The group key Alertmanager prints: route_key ":" {a="x", b="y"}. Caller frees. */
char *dispatch_group_key(const char *route_key, const struct labels *group_labels);

#endif
