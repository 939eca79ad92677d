/* SPDX-License-Identifier: Apache-2.0 */
/* tocsin-evaluator: process entry point. Opens the in-memory window (WAL under --storage.path),
 * serves remote_write and the Prometheus query API, and runs the rule groups of --config.file
 * (evaluator/manager). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/daemon.h"
#include "common/err.h"
#include "common/log.h"
#include "common/workq.h"
#include "evaluator/api/index_tsdb.h"
#include "evaluator/api/query_api.h"
#include "evaluator/api/rules_api.h"
#include "evaluator/api/write_api.h"
#include "evaluator/ingest/ingest.h"
#include "evaluator/manager/manager.h"
#include "evaluator/promql/engine.h"
#include "evaluator/tsdb/tsdb.h"

struct evaluator {
    struct tsdb *db;
    struct workq *wq;
    struct promql_engine *engine;
    struct query_api qapi;
    struct write_api wapi;
    struct evmgr *rules;
    struct workq *rules_wq; /* rule evaluations: separate so slow API queries never delay them */
    struct daemon *d;
};

static void on_shutdown(void *ctx)
{
    struct evaluator *ev = ctx;
    workq_free(ev->wq);
    ev->wq = NULL;
}

/* Runs first at shutdown (hooks run in reverse order): no new evaluations are started. */
static void on_shutdown_rules(void *ctx)
{
    struct evaluator *ev = ctx;
    evmgr_stop(ev->rules);
    workq_free(ev->rules_wq);
    ev->rules_wq = NULL;
}

/* SIGHUP and POST /-/reload: reload the config file and the rule files it names. */
static int on_reload(void *ctx, const char *config_file, struct err *e)
{
    struct evaluator *ev = ctx;
    return evmgr_load(ev->rules, config_file, e);
}

/* The file watcher saw a change: reload the way SIGHUP does (metrics and logs included). */
static void on_file_change(void *ctx)
{
    struct evaluator *ev = ctx;
    (void)daemon_reload(ev->d, NULL);
}

/*
 * The URL alerts link back to (generatorURL, $externalURL): --web.external-url without a
 * trailing '/', or, as Prometheus does without it, http://<hostname>:<listen port>.
 */
static void external_url(const struct daemon_flags *f, char *out, size_t n)
{
    if (f->external_url[0]) {
        snprintf(out, n, "%s", f->external_url);
    } else {
        char host[256] = "localhost";
        const char *port = strrchr(f->listen_address, ':');
        if (gethostname(host, sizeof(host) - 1) != 0)
            snprintf(host, sizeof(host), "localhost");
        host[sizeof(host) - 1] = '\0';
        snprintf(out, n, "http://%s:%s", host, port ? port + 1 : "9099");
    }
    size_t k = strlen(out);
    while (k > 0 && out[k - 1] == '/')
        out[--k] = '\0';
}

int main(int argc, char **argv)
{
    int64_t retention = 6LL * 3600 * 1000, fsync_ms = 1000, checkpoint_ms = 30LL * 60 * 1000;
    int64_t max_body = 8 << 20, max_series = 0, max_labels = 128, max_name = 1024;
    int64_t max_value = 16384, lookback = 5 * 60 * 1000, max_samples = 50000000;
    int64_t query_timeout = 2 * 60 * 1000, workers = 2;
    int64_t resend_delay = 60 * 1000, outage_tolerance = 3600 * 1000, grace = 10 * 60 * 1000;
    int64_t watch_interval = 3000, rule_workers = 2;
    const struct flag_def extra[] = {
        {"storage.retention", FLAG_DURATION, &retention,
         "How long samples are kept in the in-memory window (default 6h)."},
        {"storage.wal-fsync-interval", FLAG_DURATION, &fsync_ms,
         "How often the WAL is fsynced; 0 = on every write request (default 1s)."},
        {"storage.checkpoint-interval", FLAG_DURATION, &checkpoint_ms,
         "How often a checkpoint of the window is written (default 30m)."},
        {"ingest.max-body-size", FLAG_BYTES, &max_body,
         "Largest remote_write body accepted; larger gets 413 (default 8MiB)."},
        {"ingest.max-series", FLAG_INT, &max_series,
         "Most series the window may hold; 0 = no limit (default 0)."},
        {"ingest.max-labels-per-series", FLAG_INT, &max_labels,
         "Most labels per series (default 128)."},
        {"ingest.max-label-name-length", FLAG_INT, &max_name,
         "Longest label name in bytes (default 1024)."},
        {"ingest.max-label-value-length", FLAG_INT, &max_value,
         "Longest label value in bytes (default 16384)."},
        {"query.lookback-delta", FLAG_DURATION, &lookback,
         "How far back instant selectors look for a sample (default 5m)."},
        {"query.max-samples", FLAG_INT, &max_samples,
         "Most samples one query may load into memory (default 50000000)."},
        {"query.timeout", FLAG_DURATION, &query_timeout,
         "Longest time one query may run (default 2m)."},
        {"query.workers", FLAG_INT, &workers,
         "Threads evaluating queries and decoding remote_write (default 2)."},
        {"rules.alert.resend-delay", FLAG_DURATION, &resend_delay,
         "Minimum amount of time to wait before resending an alert to Alertmanager "
         "(default 1m)."},
        {"rules.alert.for-outage-tolerance", FLAG_DURATION, &outage_tolerance,
         "Max time to tolerate the evaluator being down: alert state saved longer ago is not "
         "restored (default 1h)."},
        {"rules.alert.for-grace-period", FLAG_DURATION, &grace,
         "Minimum duration between alert and restored 'for' state; only for alerts with a "
         "'for' at least this long (default 10m)."},
        {"rules.workers", FLAG_INT, &rule_workers,
         "Threads evaluating rule groups, apart from the query workers (default 2)."},
        {"rules.watch-interval", FLAG_DURATION, &watch_interval,
         "How often the config and rule files are checked for changes (reload on change, "
         "ConfigMap symlink swaps included); 0 = never (default 3s)."},
        {NULL, FLAG_STRING, NULL, NULL},
    };
    static struct daemon_spec spec = {
        .prog = "tocsin-evaluator",
        .summary = "The Tocsin rule evaluator: a remote_write target with an in-memory window, "
                   "the Prometheus query API, and Prometheus rule evaluation "
                   "(default listen address 127.0.0.1:9099).",
        .default_listen = "127.0.0.1:9099",
        .default_storage = "data/evaluator",
        .manual_ready = true,
        .default_config = "",
    };
    struct evaluator ev = {0};
    struct daemon *d = NULL;
    struct tsdb_options topts;
    struct promql_engine_opts eopts;
    struct err e;
    char msg[1400];
    int rc;

    spec.extra_flags = extra;
    rc = daemon_new(&spec, argc, argv, &d);
    if (d == NULL)
        return rc;
    err_clear(&e);
    tsdb_options_default(&topts);
    topts.dir = daemon_flags(d)->storage_path;
    topts.retention_ms = retention;
    topts.fsync_interval_ms = (int)fsync_ms;
    topts.checkpoint_interval_ms = checkpoint_ms;
    log_kv(LOG_INFO, "opening the in-memory window", "dir", topts.dir, NULL);
    if (tsdb_open(&topts, &ev.db, &e) != 0) {
        fprintf(stderr, "tocsin-evaluator: error: opening storage: %s\n",
                err_format(&e, msg, sizeof(msg)));
        daemon_free(d);
        return 1;
    }
    ev.wq = workq_new(daemon_base(d), workers > 0 ? (int)workers : 1);
    promql_engine_opts_default(&eopts);
    eopts.lookback_ms = lookback;
    eopts.max_samples = (size_t)max_samples;
    eopts.timeout_ms = query_timeout;
    ev.engine = promql_engine_new(&eopts);

    ev.qapi.engine = ev.engine;
    ev.qapi.storage = tsdb_storage(ev.db);
    ev.qapi.index = index_tsdb(ev.db);
    ev.qapi.wq = ev.wq;
    ev.qapi.metrics = daemon_metrics(d);
    ingest_limits_default(&ev.wapi.limits);
    ev.wapi.db = ev.db;
    ev.wapi.wq = ev.wq;
    ev.wapi.metrics = daemon_metrics(d);
    ev.wapi.limits.max_body_bytes = (size_t)max_body;
    if (ev.wapi.limits.max_decompressed_bytes < (size_t)max_body * 4)
        ev.wapi.limits.max_decompressed_bytes = (size_t)max_body * 4;
    ev.wapi.limits.max_series = (uint64_t)max_series;
    ev.wapi.limits.max_labels_per_series = (size_t)max_labels;
    ev.wapi.limits.max_label_name_len = (size_t)max_name;
    ev.wapi.limits.max_label_value_len = (size_t)max_value;
    if (query_api_register(daemon_httpd(d), &ev.qapi, &e) != 0 ||
        write_api_register(daemon_httpd(d), &ev.wapi, &e) != 0) {
        fprintf(stderr, "tocsin-evaluator: error: %s\n", err_format(&e, msg, sizeof(msg)));
        rc = 1;
        goto out;
    }
    write_api_register_metrics(&ev.wapi);

    ev.d = d;
    ev.rules_wq = workq_new(daemon_base(d), rule_workers > 0 ? (int)rule_workers : 1);
    char ext_url[1024];
    external_url(daemon_flags(d), ext_url, sizeof(ext_url));
    struct evmgr_opts mo = {
        .base = daemon_base(d),
        .wq = ev.rules_wq,
        .db = ev.db,
        .engine = ev.engine,
        .metrics = daemon_metrics(d),
        .state_dir = daemon_flags(d)->storage_path,
        .external_url = ext_url,
        .resend_delay_ms = resend_delay,
        .outage_tolerance_ms = outage_tolerance,
        .for_grace_period_ms = grace,
        .watch_interval_ms = watch_interval,
        .reload = on_file_change,
        .reload_ctx = &ev,
    };
    ev.rules = evmgr_new(&mo);
    if (evmgr_load(ev.rules, daemon_flags(d)->config_file, &e) != 0) {
        fprintf(stderr, "tocsin-evaluator: error: loading %s: %s\n", daemon_flags(d)->config_file,
                e.msg);
        rc = 1;
        goto out;
    }
    if (rules_api_register(daemon_httpd(d), ev.rules, &e) != 0) {
        fprintf(stderr, "tocsin-evaluator: error: %s\n", err_format(&e, msg, sizeof(msg)));
        rc = 1;
        goto out;
    }
    daemon_set_reload(d, on_reload, &ev);
    daemon_on_shutdown(d, on_shutdown, &ev);
    daemon_on_shutdown(d, on_shutdown_rules, &ev);
    daemon_set_ready(d, true);
    rc = daemon_run(d);
out:
    evmgr_stop(ev.rules);
    workq_free(ev.rules_wq);
    workq_free(ev.wq);
    ev.wq = NULL;
    evmgr_free(ev.rules);
    daemon_free(d);
    promql_engine_free(ev.engine);
    tsdb_close(ev.db);
    return rc;
}
