/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench_load: load generator for test/bench/run.sh. Pre-encodes all request bodies, then POSTs
 * them over a few keep-alive connections (libcurl multi) and prints one key=value line with wall
 * time and, given a PID, that process's CPU seconds (/proc/PID/stat utime+stime) over the run.
 *   bench_load rw URL PID SERIES SAMPLES PER_REQ CONNS T0_MS STEP_MS
 *       remote-write 1.0: SERIES series (90% counters bench_counter, 10% histogram buckets
 *       bench_hist_bucket) with SAMPLES samples each from T0_MS every STEP_MS, PER_REQ samples
 *       per request, time-ordered; series are sharded over CONNS connections as Prometheus does,
 *       each connection sending its requests in order, so no series goes out of order.
 *   bench_load am URL PID FIRST COUNT BATCH CONNS NAMES
 *       Alertmanager API v2: alerts FIRST..FIRST+COUNT-1 in batches of BATCH; alert i has
 *       alertname="BenchAlert<i % NAMES>" and a distinct instance label.
 */
#include <curl/curl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/labels.h"
#include "common/xalloc.h"
#include "evaluator/ingest/rwenc.h"

struct body {
    uint8_t *data;
    size_t len;
};

/* One connection: a queue of bodies sent one after another. */
struct conn {
    CURL *easy;
    struct curl_slist *hdrs;
    size_t *idx; /* indexes into the body array, in send order */
    size_t n, next;
    long status_bad;
    char first_err[256];
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* utime+stime of pid in seconds, or -1 when unreadable. */
static double proc_cpu_s(long pid)
{
    char path[64], line[2048], *p;
    unsigned long ut = 0, st = 0;
    FILE *f;
    if (pid <= 0)
        return -1;
    snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
    if ((f = fopen(path, "r")) == NULL)
        return -1;
    p = fgets(line, sizeof(line), f);
    fclose(f);
    if (p == NULL || (p = strrchr(line, ')')) == NULL)
        return -1;
    /* after ") ": state(3) ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt
     * utime(14) stime(15) */
    if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) != 2)
        return -1;
    return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

static size_t discard_cb(char *ptr, size_t size, size_t nmemb, void *arg)
{
    (void)ptr;
    (void)arg;
    return size * nmemb;
}

static void conn_start(CURLM *multi, struct conn *c, const char *url, const struct body *bodies)
{
    const struct body *b = &bodies[c->idx[c->next]];
    curl_easy_setopt(c->easy, CURLOPT_URL, url);
    curl_easy_setopt(c->easy, CURLOPT_POST, 1L);
    curl_easy_setopt(c->easy, CURLOPT_POSTFIELDS, (const char *)b->data);
    curl_easy_setopt(c->easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)b->len);
    curl_easy_setopt(c->easy, CURLOPT_HTTPHEADER, c->hdrs);
    curl_easy_setopt(c->easy, CURLOPT_WRITEFUNCTION, discard_cb);
    curl_easy_setopt(c->easy, CURLOPT_WRITEDATA, c);
    curl_easy_setopt(c->easy, CURLOPT_PRIVATE, c);
    curl_easy_setopt(c->easy, CURLOPT_TIMEOUT, 120L);
    curl_multi_add_handle(multi, c->easy);
}

/* Sends every body; prints the result line. Returns 0 when all got 2xx. */
static int run(const char *url, long pid, struct body *bodies, size_t nbodies, struct conn *conns,
               size_t nconns, const char *what, double units)
{
    CURLM *multi = curl_multi_init();
    double cpu0, cpu1, t0, t1;
    long bad = 0;
    int running = 0;
    cpu0 = proc_cpu_s(pid);
    t0 = now_s();
    for (size_t i = 0; i < nconns; i++)
        if (conns[i].n > 0)
            conn_start(multi, &conns[i], url, bodies);
    do {
        CURLMsg *m;
        int left;
        curl_multi_perform(multi, &running);
        while ((m = curl_multi_info_read(multi, &left)) != NULL) {
            struct conn *c;
            long code = 0;
            if (m->msg != CURLMSG_DONE)
                continue;
            curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&c);
            curl_easy_getinfo(m->easy_handle, CURLINFO_RESPONSE_CODE, &code);
            if (m->data.result != CURLE_OK || code / 100 != 2) {
                c->status_bad++;
                if (c->first_err[0] == '\0')
                    snprintf(c->first_err, sizeof(c->first_err), "HTTP %ld %s", code,
                             curl_easy_strerror(m->data.result));
            }
            curl_multi_remove_handle(multi, m->easy_handle);
            if (++c->next < c->n) {
                conn_start(multi, c, url, bodies);
                running = 1;
            }
        }
        if (running)
            curl_multi_poll(multi, NULL, 0, 100, NULL);
    } while (running);
    t1 = now_s();
    cpu1 = proc_cpu_s(pid);
    for (size_t i = 0; i < nconns; i++) {
        bad += conns[i].status_bad;
        if (conns[i].first_err[0])
            fprintf(stderr, "bench_load: conn %zu: %ld failed, first: %s\n", i, conns[i].status_bad,
                    conns[i].first_err);
    }
    printf("requests=%zu failed=%ld %s=%.0f wall_s=%.4f cpu_s=%.3f\n", nbodies, bad, what, units,
           t1 - t0, cpu0 >= 0 && cpu1 >= 0 ? cpu1 - cpu0 : -1.0);
    curl_multi_cleanup(multi);
    return bad == 0 ? 0 : 1;
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rng_next(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static const char *const le_values[] = {"0.005", "0.01", "0.025", "0.05", "0.1",
                                        "0.25",  "0.5",  "1",     "2.5",  "+Inf"};

/* Label sets of the remote-write series, deterministic for a given count. */
static struct labels **rw_series(long nseries)
{
    struct labels **ls = xcalloc((size_t)nseries, sizeof(*ls));
    long nhist = nseries / 10 / 10 * 10, ncounter = nseries - nhist;
    struct labels_builder b;
    char v1[32], v2[32], v3[32], v4[32];
    labels_builder_init(&b);
    for (long i = 0; i < nseries; i++) {
        labels_builder_reset(&b);
        if (i < ncounter) {
            labels_builder_set(&b, "__name__", "bench_counter");
            snprintf(v1, sizeof(v1), "job-%ld", i % 10);
            snprintf(v2, sizeof(v2), "host-%ld:9100", i / 10 % 200);
            snprintf(v3, sizeof(v3), "/api/v%ld/item", i / 2000);
            labels_builder_set(&b, "job", v1);
            labels_builder_set(&b, "instance", v2);
            labels_builder_set(&b, "path", v3);
            snprintf(v4, sizeof(v4), "%ld", i);
            labels_builder_set(&b, "series", v4);
        } else {
            long h = (i - ncounter) / 10;
            labels_builder_set(&b, "__name__", "bench_hist_bucket");
            snprintf(v1, sizeof(v1), "job-%ld", h % 10);
            snprintf(v2, sizeof(v2), "host-%ld:9100", h);
            labels_builder_set(&b, "job", v1);
            labels_builder_set(&b, "instance", v2);
            labels_builder_set(&b, "le", le_values[(i - ncounter) % 10]);
        }
        ls[i] = labels_builder_finish(&b);
    }
    labels_builder_fini(&b);
    return ls;
}

static int mode_rw(const char *url, long pid, char **a)
{
    long nseries = atol(a[0]), nsamples = atol(a[1]), per_req = atol(a[2]), nconns = atol(a[3]);
    int64_t t0 = atoll(a[4]), step = atoll(a[5]);
    struct labels **ls;
    double *val;
    struct body *bodies;
    struct conn *conns;
    size_t nb = 0, cap, per_conn_series;
    int rc;
    if (nseries < 10 || nsamples < 1 || per_req < 1 || nconns < 1 || step < 1) {
        fprintf(stderr, "bench_load rw: bad arguments\n");
        return 2;
    }
    ls = rw_series(nseries);
    val = xcalloc((size_t)nseries, sizeof(*val));
    per_conn_series = ((size_t)nseries + (size_t)nconns - 1) / (size_t)nconns;
    cap = (size_t)nsamples * ((per_conn_series + (size_t)per_req - 1) / (size_t)per_req) *
          (size_t)nconns;
    bodies = xcalloc(cap, sizeof(*bodies));
    conns = xcalloc((size_t)nconns, sizeof(*conns));
    for (long c = 0; c < nconns; c++)
        conns[c].idx = xcalloc(cap, sizeof(size_t));
    /* Shard s owns series [s*per_conn_series, ...); for each timestamp it sends its samples in
     * requests of per_req samples. */
    for (long t = 0; t < nsamples; t++) {
        for (long c = 0; c < nconns; c++) {
            long lo = c * (long)per_conn_series, hi = lo + (long)per_conn_series;
            if (hi > nseries)
                hi = nseries;
            for (long s = lo; s < hi; s += per_req) {
                struct rwenc *w = rwenc_new(1);
                long e = s + per_req < hi ? s + per_req : hi;
                for (long i = s; i < e; i++) {
                    val[i] += (double)(rng_next() % 1000) / 10.0;
                    rwenc_add(w, ls[i], t0 + t * step, val[i]);
                }
                rwenc_finish(w, true, &bodies[nb].data, &bodies[nb].len);
                rwenc_free(w);
                conns[c].idx[conns[c].n++] = nb++;
            }
        }
    }
    for (long c = 0; c < nconns; c++) {
        conns[c].easy = curl_easy_init();
        conns[c].hdrs = curl_slist_append(NULL, "Content-Type: application/x-protobuf");
        conns[c].hdrs = curl_slist_append(conns[c].hdrs, "Content-Encoding: snappy");
        conns[c].hdrs =
            curl_slist_append(conns[c].hdrs, "X-Prometheus-Remote-Write-Version: 0.1.0");
        conns[c].hdrs = curl_slist_append(conns[c].hdrs, "User-Agent: tocsin-bench/1");
        conns[c].hdrs = curl_slist_append(conns[c].hdrs, "Expect:");
    }
    rc = run(url, pid, bodies, nb, conns, (size_t)nconns, "samples",
             (double)nseries * (double)nsamples);
    for (long c = 0; c < nconns; c++) {
        curl_easy_cleanup(conns[c].easy);
        curl_slist_free_all(conns[c].hdrs);
        free(conns[c].idx);
    }
    for (size_t i = 0; i < nb; i++)
        free(bodies[i].data);
    for (long i = 0; i < nseries; i++)
        labels_free(ls[i]);
    free(ls);
    free(val);
    free(bodies);
    free(conns);
    return rc;
}

static int mode_am(const char *url, long pid, char **a)
{
    long first = atol(a[0]), count = atol(a[1]), batch = atol(a[2]), nconns = atol(a[3]);
    long names = atol(a[4]);
    size_t nb = 0, nbodies;
    struct body *bodies;
    struct conn *conns;
    time_t now = time(NULL);
    char ts[64];
    int rc;
    if (count < 1 || batch < 1 || nconns < 1 || names < 1) {
        fprintf(stderr, "bench_load am: bad arguments\n");
        return 2;
    }
    strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
    nbodies = (size_t)((count + batch - 1) / batch);
    bodies = xcalloc(nbodies, sizeof(*bodies));
    conns = xcalloc((size_t)nconns, sizeof(*conns));
    for (long c = 0; c < nconns; c++)
        conns[c].idx = xcalloc(nbodies, sizeof(size_t));
    for (long s = 0; s < count; s += batch) {
        struct buf b;
        char *text;
        buf_init(&b, 0);
        buf_puts(&b, "[");
        for (long i = s; i < s + batch && i < count; i++) {
            long id = first + i;
            buf_printf(&b,
                       "%s{\"labels\":{\"alertname\":\"BenchAlert%ld\",\"instance\":"
                       "\"host-%ld:9100\",\"job\":\"bench\",\"severity\":\"%s\"},"
                       "\"annotations\":{\"summary\":\"bench alert %ld\"},"
                       "\"startsAt\":\"%s\",\"generatorURL\":\"http://127.0.0.1/graph\"}",
                       i > s ? "," : "", id % names, id, id % 3 ? "warning" : "critical", id, ts);
        }
        buf_puts(&b, "]");
        text = buf_steal(&b, &bodies[nb].len);
        bodies[nb].data = (uint8_t *)text;
        conns[nb % (size_t)nconns].idx[conns[nb % (size_t)nconns].n++] = nb;
        nb++;
    }
    for (long c = 0; c < nconns; c++) {
        conns[c].easy = curl_easy_init();
        conns[c].hdrs = curl_slist_append(NULL, "Content-Type: application/json");
        conns[c].hdrs = curl_slist_append(conns[c].hdrs, "Expect:");
    }
    rc = run(url, pid, bodies, nb, conns, (size_t)nconns, "alerts", (double)count);
    for (long c = 0; c < nconns; c++) {
        curl_easy_cleanup(conns[c].easy);
        curl_slist_free_all(conns[c].hdrs);
        free(conns[c].idx);
    }
    for (size_t i = 0; i < nb; i++)
        free(bodies[i].data);
    free(bodies);
    free(conns);
    return rc;
}

int main(int argc, char **argv)
{
    int rc = 2;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    if (argc == 10 && strcmp(argv[1], "rw") == 0)
        rc = mode_rw(argv[2], atol(argv[3]), argv + 4);
    else if (argc == 9 && strcmp(argv[1], "am") == 0)
        rc = mode_am(argv[2], atol(argv[3]), argv + 4);
    else
        fprintf(stderr, "usage: bench_load rw URL PID SERIES SAMPLES PER_REQ CONNS T0_MS STEP_MS\n"
                        "       bench_load am URL PID FIRST COUNT BATCH CONNS NAMES\n");
    curl_global_cleanup();
    return rc;
}
