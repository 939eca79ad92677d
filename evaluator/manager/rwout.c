/* SPDX-License-Identifier: Apache-2.0 */
/* Remote-write forwarding of rule outputs (see rwout.h). */
#include "evaluator/manager/rwout.h"

#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/httpc.h"
#include "common/labels.h"
#include "common/log.h"
#include "common/metrics.h"
#include "common/xalloc.h"
#include "evaluator/config/config.h"
#include "evaluator/ingest/rwenc.h"
#include "evaluator/manager/datasource.h"
#include "evaluator/rules/group.h"

struct rwtarget {
    struct rwout *w;
    char *url;
    int64_t timeout_ms;
    struct evhttp_client http;
    struct rule_sample *q; /* queue: q[head..n) */
    size_t head, n, cap;
    size_t inflight; /* samples of the request in flight (the first ones of the queue) */
    struct httpc_call *call;
    struct metric *m_sent, *m_failed, *m_dropped;
};

struct rwout {
    struct event_base *base;
    struct httpc *hc;
    struct rwtarget **t;
    size_t nt;
    struct metrics_family *f_sent, *f_failed, *f_dropped;
};

static void send_next(struct rwtarget *t);

static void drop_front(struct rwtarget *t, size_t k)
{
    for (size_t i = 0; i < k; i++)
        labels_free(t->q[t->head + i].labels);
    t->head += k;
    if (t->head == t->n) {
        t->head = t->n = 0;
    } else if (t->head > t->cap / 2) {
        memmove(t->q, t->q + t->head, (t->n - t->head) * sizeof(*t->q));
        t->n -= t->head;
        t->head = 0;
    }
}

static void target_free(struct rwtarget *t)
{
    if (!t)
        return;
    if (t->call)
        httpc_cancel(t->call);
    drop_front(t, t->n - t->head);
    free(t->q);
    free(t->url);
    evhttp_client_fini(&t->http);
    free(t);
}

static void on_done(struct httpc_response *resp, void *ctx)
{
    struct rwtarget *t = ctx;
    size_t k = t->inflight;
    t->call = NULL;
    t->inflight = 0;
    if (resp->rc == 0 && resp->status / 100 == 2) {
        if (t->m_sent)
            metrics_add(t->m_sent, (double)k);
    } else {
        /* retries happened inside httpc; what is left is dropped (the next evaluation writes
         * fresh samples anyway), as Prometheus does for non-recoverable errors */
        log_kv(LOG_WARN, "remote_write of rule outputs failed", "url", t->url, "err",
               resp->rc != 0 ? resp->error : resp->body, NULL);
        if (t->m_failed)
            metrics_add(t->m_failed, (double)k);
    }
    drop_front(t, k);
    send_next(t);
}

static void send_next(struct rwtarget *t)
{
    if (t->call || t->n == t->head)
        return;
    size_t k = t->n - t->head;
    if (k > RWOUT_MAX_BATCH)
        k = RWOUT_MAX_BATCH;
    struct rwenc *enc = rwenc_new(1);
    for (size_t i = 0; i < k; i++)
        rwenc_add(enc, t->q[t->head + i].labels, t->q[t->head + i].t, t->q[t->head + i].v);
    uint8_t *body = NULL;
    size_t len = 0;
    rwenc_finish(enc, true, &body, &len);
    rwenc_free(enc);
    struct httpc_request req = {0};
    const char *extra[] = {"Content-Encoding: snappy", "X-Prometheus-Remote-Write-Version: 0.1.0",
                           NULL};
    /* the configured headers plus the protocol's */
    size_t nh = t->http.nheaders;
    const char **hs = xcalloc(nh + 3, sizeof(*hs));
    for (size_t i = 0; i < nh; i++)
        hs[i] = t->http.headers[i];
    hs[nh] = extra[0];
    hs[nh + 1] = extra[1];
    evhttp_client_apply(&t->http, &req);
    req.headers = hs;
    req.method = "POST";
    req.url = t->url;
    req.body = body;
    req.body_len = len;
    req.content_type = "application/x-protobuf";
    req.timeout_ms = t->timeout_ms;
    req.max_attempts = 3;
    struct err e;
    err_clear(&e);
    t->inflight = k;
    if (httpc_do(t->w->hc, &req, on_done, t, &t->call, &e) != 0) {
        log_kv(LOG_WARN, "remote_write request not started", "url", t->url, "err", e.msg, NULL);
        t->inflight = 0;
        t->call = NULL;
        drop_front(t, k);
    }
    free(hs);
    free(body);
}

struct rwout *rwout_new(struct event_base *base, struct metrics_registry *metrics)
{
    struct rwout *w = xcalloc(1, sizeof(*w));
    w->base = base;
    w->hc = httpc_new(base);
    if (metrics) {
        const char *const l[] = {"url", NULL};
        w->f_sent = metrics_counter_new(metrics, "tocsin_rule_remote_write_samples_total",
                                        "Rule output samples sent to remote_write targets.", l);
        w->f_failed = metrics_counter_new(metrics, "tocsin_rule_remote_write_failed_total",
                                          "Rule output samples whose send failed.", l);
        w->f_dropped = metrics_counter_new(metrics, "tocsin_rule_remote_write_dropped_total",
                                           "Rule output samples dropped from a full queue.", l);
    }
    return w;
}

void rwout_free(struct rwout *w)
{
    if (!w)
        return;
    for (size_t i = 0; i < w->nt; i++)
        target_free(w->t[i]);
    free(w->t);
    httpc_free(w->hc);
    free(w);
}

int rwout_set_targets(struct rwout *w, const struct evcfg_remote_write *cfg, size_t n,
                      struct err *e)
{
    int rc = 0;
    struct rwtarget **nt = xcalloc(n + 1, sizeof(*nt));
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        struct rwtarget *t = xcalloc(1, sizeof(*t));
        int r = evhttp_client_init(&t->http, &cfg[i].auth, &cfg[i].tls, &cfg[i].headers, e);
        if (r != 0) {
            rc = r;
            free(t);
            continue;
        }
        t->w = w;
        t->url = xstrdup(cfg[i].url);
        t->timeout_ms = cfg[i].timeout_ms;
        for (size_t j = 0; j < w->nt; j++) {
            struct rwtarget *o = w->t[j];
            if (o && strcmp(o->url, t->url) == 0) {
                /* keep the queue and the request in flight */
                t->q = o->q;
                t->head = o->head;
                t->n = o->n;
                t->cap = o->cap;
                t->inflight = o->inflight;
                t->call = o->call;
                o->q = NULL;
                o->head = o->n = o->cap = o->inflight = 0;
                o->call = NULL;
                if (t->call) {
                    /* the pending callback still points at o: cancel and resend from t */
                    httpc_cancel(t->call);
                    t->call = NULL;
                    t->inflight = 0;
                }
                target_free(o);
                w->t[j] = NULL;
                break;
            }
        }
        if (w->f_sent) {
            t->m_sent = metrics_childv(w->f_sent, t->url);
            t->m_failed = metrics_childv(w->f_failed, t->url);
            t->m_dropped = metrics_childv(w->f_dropped, t->url);
        }
        nt[k++] = t;
    }
    for (size_t j = 0; j < w->nt; j++)
        target_free(w->t[j]);
    free(w->t);
    w->t = nt;
    w->nt = k;
    for (size_t i = 0; i < k; i++)
        send_next(nt[i]);
    return rc;
}

void rwout_push(struct rwout *w, const struct rule_vector *v)
{
    for (size_t i = 0; i < w->nt; i++) {
        struct rwtarget *t = w->t[i];
        size_t queued = t->n - t->head;
        if (queued + v->n > RWOUT_QUEUE_CAP) {
            /* drop the oldest samples that are not in flight */
            size_t over = queued + v->n - RWOUT_QUEUE_CAP;
            size_t avail = queued - t->inflight;
            size_t drop = over < avail ? over : avail;
            size_t from = t->head + t->inflight;
            for (size_t j = 0; j < drop; j++)
                labels_free(t->q[from + j].labels);
            memmove(t->q + from, t->q + from + drop, (t->n - from - drop) * sizeof(*t->q));
            t->n -= drop;
            if (t->m_dropped)
                metrics_add(t->m_dropped, (double)drop);
        }
        if (t->n + v->n > t->cap) {
            t->cap = (t->n + v->n) * 2;
            t->q = xreallocarray(t->q, t->cap, sizeof(*t->q));
        }
        for (size_t j = 0; j < v->n; j++) {
            if (t->n - t->head >= RWOUT_QUEUE_CAP + t->inflight) {
                if (t->m_dropped)
                    metrics_inc(t->m_dropped);
                continue;
            }
            t->q[t->n].labels = labels_dup(v->v[j].labels);
            t->q[t->n].t = v->v[j].t;
            t->q[t->n].v = v->v[j].v;
            t->n++;
        }
        send_next(t);
    }
}

size_t rwout_queue_length(const struct rwout *w, size_t i)
{
    return i < w->nt ? w->t[i]->n - w->t[i]->head : 0;
}
