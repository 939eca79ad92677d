/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The evaluator's rule runtime: loads the config file and its rule_files, schedules every group
 * on the event loop at Prometheus's aligned offsets, evaluates on the worker pool (one evaluation
 * at a time per group), writes outputs into the window, sends alerts, persists alert state,
 * reloads (keeping the old rules when the new set is invalid) and watches the files on disk.
 *
 * Threads: every function here runs on the loop thread unless said otherwise.
 */
#ifndef TOCSIN_EVALUATOR_MANAGER_MANAGER_H
#define TOCSIN_EVALUATOR_MANAGER_MANAGER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct err;
struct event_base;
struct evmgr;
struct metrics_registry;
struct promql_engine;
struct rule_group_status;
struct tsdb;
struct workq;

/* Asks the daemon to reload (e.g. daemon_reload), used by the file watcher. */
typedef void (*evmgr_reload_cb)(void *ctx);

struct evmgr_opts {
    struct event_base *base;          /* borrowed */
    struct workq *wq;                 /* borrowed; evaluations run here */
    struct tsdb *db;                  /* borrowed; rule outputs are appended here */
    struct promql_engine *engine;     /* borrowed; queries of the embedded window */
    struct metrics_registry *metrics; /* borrowed; may be NULL */
    const char *state_dir;            /* alert state file directory; NULL = no persistence */
    const char *external_url;         /* generatorURL prefix and $externalURL; may be "" */
    int64_t resend_delay_ms;          /* --rules.alert.resend-delay (default 1m) */
    int64_t outage_tolerance_ms;      /* --rules.alert.for-outage-tolerance (default 1h) */
    int64_t for_grace_period_ms;      /* --rules.alert.for-grace-period (default 10m) */
    int64_t watch_interval_ms;        /* file change polling; 0 = off */
    evmgr_reload_cb reload;           /* called by the watcher when a file changed; may be NULL */
    void *reload_ctx;
};

/* Creates the runtime (opts copied, pointers borrowed). Nothing runs until the first load. */
struct evmgr *evmgr_new(const struct evmgr_opts *opts);

/*
 * Stops timers and the watcher; evaluations still on the worker pool finish normally (their
 * completions only clean up). Call before the worker pool is freed (shutdown hook).
 */
void evmgr_stop(struct evmgr *m);

/* Saves the alert state a last time and frees everything. The worker pool must be idle. */
void evmgr_free(struct evmgr *m);

/*
 * Loads config_path ("" or NULL: no config file, no rules) and every rule file its rule_files
 * name, all or nothing. On any error nothing changes, ERR_INVALID/ERR_PARSE/ERR_IO is returned
 * with every problem ("file:line:col: message", one per line) in e, the failure is logged and
 * counted (tocsin_rule_reload_failures_total). On success the new groups replace the old ones
 * (immediately, or as soon as running evaluations finish), alert state of unchanged groups
 * carries over, and the first successful load restores the state file.
 */
int evmgr_load(struct evmgr *m, const char *config_path, struct err *e);

/* Number of loads that succeeded / failed since start. */
uint64_t evmgr_load_count(const struct evmgr *m, bool failed);

/* Snapshots of the current groups (caller frees with evmgr_snapshot_free). */
void evmgr_snapshot(struct evmgr *m, struct rule_group_status **out, size_t *n);
void evmgr_snapshot_free(struct rule_group_status *s, size_t n);

/* Alerts endpoints of the current config (borrowed strings; valid until the next load). */
size_t evmgr_alertmanager_urls(const struct evmgr *m, const char *const **urls);

/* Evaluations (group iterations) completed since start; tests wait on this. */
uint64_t evmgr_iterations(const struct evmgr *m);

#endif
