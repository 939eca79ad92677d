/* SPDX-License-Identifier: Apache-2.0 */
/* The remote_write route: decode and append on the worker pool, reply from the loop. */
#include "evaluator/api/write_api.h"

#include <stdio.h>
#include <string.h>

#include "common/err.h"
#include "common/httpd.h"
#include "common/metrics.h"
#include "common/workq.h"
#include "common/xalloc.h"
#include "evaluator/tsdb/tsdb.h"

struct write_job {
    struct write_api *api;
    struct httpd_req *req;
    char *content_type, *encoding;
    const char *body; /* borrowed from req, which stays alive until the reply */
    size_t len;
    struct ingest_result res;
};

static void write_work(void *arg)
{
    struct write_job *j = arg;
    (void)ingest_write(j->api->db, j->content_type, j->encoding, j->body, j->len, &j->api->limits,
                       &j->res);
}

static void write_done(void *arg)
{
    struct write_job *j = arg;
    if (j->res.v2) {
        char n[32];
        snprintf(n, sizeof(n), "%llu", (unsigned long long)j->res.samples_written);
        httpd_reply_header(j->req, "X-Prometheus-Remote-Write-Samples-Written", n);
        snprintf(n, sizeof(n), "%llu", (unsigned long long)j->res.histograms_written);
        httpd_reply_header(j->req, "X-Prometheus-Remote-Write-Histograms-Written", n);
        snprintf(n, sizeof(n), "%llu", (unsigned long long)j->res.exemplars_written);
        httpd_reply_header(j->req, "X-Prometheus-Remote-Write-Exemplars-Written", n);
    }
    if (j->res.status == 204)
        httpd_reply(j->req, 204, NULL, NULL, 0);
    else
        httpd_reply_errorf(j->req, j->res.status, "%s", j->res.message);
    xfree(j->content_type);
    xfree(j->encoding);
    xfree(j);
}

static void handle_write(struct httpd_req *req, void *ctx)
{
    struct write_api *api = ctx;
    struct write_job *j = xcalloc(1, sizeof(*j));
    const char *ct = httpd_req_header(req, "Content-Type");
    const char *enc = httpd_req_header(req, "Content-Encoding");
    j->api = api;
    j->req = req;
    j->content_type = ct ? xstrdup(ct) : NULL;
    j->encoding = enc ? xstrdup(enc) : NULL;
    j->body = httpd_req_body(req, &j->len);
    if (api->wq) {
        workq_submit(api->wq, write_work, write_done, j);
    } else {
        write_work(j);
        write_done(j);
    }
}

int write_api_register(struct httpd *srv, struct write_api *api, struct err *e)
{
    struct httpd_route_def def = {
        .method = "POST",
        .path = "/api/v1/write",
        .max_body = api->limits.max_body_bytes,
        .cb = handle_write,
        .ctx = api,
    };
    int rc = httpd_route_add_def(srv, &def);
    if (rc != 0)
        return err_set(e, rc, "cannot register /api/v1/write");
    return 0;
}

static void collect(struct metrics_registry *reg, void *ctx)
{
    struct write_api *api = ctx;
    struct tsdb_stats st;
    struct metrics_family *rej;
    tsdb_stats_get(api->db, &st);
#define GAUGE(name, help, v) metrics_set(metrics_get(metrics_gauge_new(reg, name, help, NULL)), (v))
#define COUNTER(name, help, v) \
    metrics_set(metrics_get(metrics_counter_new(reg, name, help, NULL)), (v))
    GAUGE("tocsin_tsdb_head_series", "Series in the in-memory window.", (double)st.head_series);
    GAUGE("tocsin_tsdb_samples_in_memory", "Samples held in the window's chunks.",
          (double)st.samples_in_memory);
    GAUGE("tocsin_tsdb_chunks", "Chunks in the window.", (double)st.chunks);
    GAUGE("tocsin_tsdb_chunk_bytes", "Compressed sample bytes in chunks.", (double)st.chunk_bytes);
    GAUGE("tocsin_tsdb_chunk_alloc_bytes", "Bytes allocated for chunks, headers included.",
          (double)st.chunk_alloc_bytes);
    GAUGE("tocsin_tsdb_bytes_per_sample", "Compressed chunk bytes per sample held.",
          st.bytes_per_sample);
    GAUGE("tocsin_tsdb_label_bytes", "Bytes used by series label sets.", (double)st.labels_bytes);
    GAUGE("tocsin_tsdb_index_bytes", "Bytes used by the inverted index.", (double)st.index_bytes);
    GAUGE("tocsin_tsdb_wal_bytes", "Size of the write-ahead log on disk.", (double)st.wal_bytes);
    COUNTER("tocsin_tsdb_series_created_total", "Series created in the window.",
            (double)st.series_created);
    COUNTER("tocsin_tsdb_series_removed_total", "Series removed by retention.",
            (double)st.series_removed);
    COUNTER("tocsin_tsdb_samples_appended_total", "Samples stored (WAL replay included).",
            (double)st.samples_appended);
    COUNTER("tocsin_tsdb_wal_fsyncs_total", "WAL fsync calls.", (double)st.wal_fsyncs);
    COUNTER("tocsin_tsdb_wal_errors_total", "WAL write or sync errors.", (double)st.wal_errors);
    COUNTER("tocsin_tsdb_checkpoints_total", "Checkpoints written.", (double)st.checkpoints);
    COUNTER("tocsin_tsdb_checkpoint_errors_total", "Checkpoints that failed.",
            (double)st.checkpoint_errors);
    COUNTER("tocsin_tsdb_wal_replay_corruptions_total",
            "Corrupt or torn WAL records truncated at start.", (double)st.replay_corruptions);
#undef GAUGE
#undef COUNTER
    rej = metrics_counter_new(reg, "tocsin_ingest_samples_rejected_total",
                              "Remote-write samples rejected, by reason.",
                              (const char *const[]){"reason", NULL});
    for (int r = 0; r < TSDB_REJECT_COUNT; r++)
        metrics_set(metrics_childv(rej, tsdb_reject_name((enum tsdb_reject)r)),
                    (double)st.rejected[r]);
}

void write_api_register_metrics(struct write_api *api)
{
    if (api->metrics)
        metrics_add_collector(api->metrics, collect, api, NULL);
}
