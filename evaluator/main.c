/* SPDX-License-Identifier: Apache-2.0 */
/* tocsin-evaluator: process entry point. Opens the in-memory window (WAL under --storage.path),
 * serves remote_write and the Prometheus query API, and runs the rule groups. */
#include <stdio.h>
#include <stdlib.h>

#include "common/daemon.h"
#include "common/err.h"
#include "common/log.h"
#include "common/workq.h"
#include "evaluator/api/index_tsdb.h"
#include "evaluator/api/query_api.h"
#include "evaluator/api/write_api.h"
#include "evaluator/ingest/ingest.h"
#include "evaluator/promql/engine.h"
#include "evaluator/tsdb/tsdb.h"

struct evaluator {
    struct tsdb *db;
    struct workq *wq;
    struct promql_engine *engine;
    struct query_api qapi;
    struct write_api wapi;
};

static void on_shutdown(void *ctx)
{
    struct evaluator *ev = ctx;
    workq_free(ev->wq);
    ev->wq = NULL;
}

int main(int argc, char **argv)
{
    int64_t retention = 6LL * 3600 * 1000, fsync_ms = 1000, checkpoint_ms = 30LL * 60 * 1000;
    int64_t max_body = 8 << 20, max_series = 0, max_labels = 128, max_name = 1024;
    int64_t max_value = 16384, lookback = 5 * 60 * 1000, max_samples = 50000000;
    int64_t query_timeout = 2 * 60 * 1000, workers = 2;
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
    daemon_on_shutdown(d, on_shutdown, &ev);
    daemon_set_ready(d, true);
    rc = daemon_run(d);
out:
    daemon_free(d);
    workq_free(ev.wq);
    promql_engine_free(ev.engine);
    tsdb_close(ev.db);
    return rc;
}
