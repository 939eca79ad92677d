/* SPDX-License-Identifier: Apache-2.0 */
/* Per-target queues of alerts POSTed to /api/v2/alerts in batches. */
#include "evaluator/sender/sender.h"

#include <string.h>

#include "common/buf.h"
#include "common/labels.h"
#include "common/log.h"
#include "common/metrics.h"
#include "common/timeutil.h"
#include "common/xalloc.h"

struct target {
    struct sender *s;
    char *url, *bearer, *user, *pass, *ca, *cert, *key;
    struct sender_target_opts opts; /* strings point at the copies above */
    char **q;                       /* ring of alert JSON objects */
    size_t head, len;
    size_t inflight; /* alerts in the request in flight (taken from the head) */
    struct httpc_call *call;
    char *body;
    int64_t started;
    struct metric *m_sent, *m_err, *m_drop, *m_latency;
};

struct sender {
    struct httpc *http;
    struct sender_opts opts;
    struct metrics_registry *metrics;
    struct target **t;
    size_t nt;
};

static char *dup_or_null(const char *s)
{
    return s ? xstrdup(s) : NULL;
}

struct sender *sender_new(struct event_base *base, const struct sender_opts *opts,
                          struct metrics_registry *metrics)
{
    struct sender *s = xcalloc(1, sizeof(*s));
    s->http = httpc_new(base);
    if (opts)
        s->opts = *opts;
    if (s->opts.queue_capacity == 0)
        s->opts.queue_capacity = 10000;
    if (s->opts.max_batch == 0)
        s->opts.max_batch = 64;
    if (s->opts.max_attempts == 0)
        s->opts.max_attempts = 3;
    s->metrics = metrics;
    return s;
}

static void target_free(struct target *t)
{
    if (t == NULL)
        return;
    if (t->call)
        httpc_cancel(t->call);
    for (size_t i = 0; i < t->len; i++)
        xfree(t->q[(t->head + i) % t->s->opts.queue_capacity]);
    xfree(t->q);
    xfree(t->body);
    xfree(t->url);
    xfree(t->bearer);
    xfree(t->user);
    xfree(t->pass);
    xfree(t->ca);
    xfree(t->cert);
    xfree(t->key);
    xfree(t);
}

void sender_free(struct sender *s)
{
    if (s == NULL)
        return;
    for (size_t i = 0; i < s->nt; i++)
        target_free(s->t[i]);
    xfree(s->t);
    httpc_free(s->http);
    xfree(s);
}

static struct target *target_new(struct sender *s, const struct sender_target_opts *o)
{
    struct target *t = xcalloc(1, sizeof(*t));
    t->s = s;
    t->url = xstrdup(o->url);
    t->bearer = dup_or_null(o->bearer_token);
    t->user = dup_or_null(o->basic_user);
    t->pass = dup_or_null(o->basic_password);
    t->ca = dup_or_null(o->tls.ca_file);
    t->cert = dup_or_null(o->tls.cert_file);
    t->key = dup_or_null(o->tls.key_file);
    t->opts = *o;
    t->opts.url = t->url;
    t->opts.bearer_token = t->bearer;
    t->opts.basic_user = t->user;
    t->opts.basic_password = t->pass;
    t->opts.tls.ca_file = t->ca;
    t->opts.tls.cert_file = t->cert;
    t->opts.tls.key_file = t->key;
    t->q = xcalloc(s->opts.queue_capacity, sizeof(*t->q));
    if (s->metrics) {
        const char *const lbl[] = {"alertmanager", NULL};
        t->m_sent =
            metrics_childv(metrics_counter_new(s->metrics, "tocsin_notifications_sent_total",
                                               "Alerts sent to notifiers, by target.", lbl),
                           t->url);
        t->m_err = metrics_childv(
            metrics_counter_new(s->metrics, "tocsin_notifications_errors_total",
                                "Alerts whose batch could not be delivered, by target.", lbl),
            t->url);
        t->m_drop = metrics_childv(
            metrics_counter_new(s->metrics, "tocsin_notifications_dropped_total",
                                "Alerts dropped because a target's queue was full.", lbl),
            t->url);
        t->m_latency =
            metrics_childv(metrics_histogram_new(s->metrics, "tocsin_notifications_latency_seconds",
                                                 "Time to deliver a batch of alerts, by target.",
                                                 lbl, METRICS_DEFAULT_BUCKETS, 11),
                           t->url);
    }
    return t;
}

void sender_set_targets(struct sender *s, const struct sender_target_opts *targets, size_t n)
{
    struct target **nt = xcalloc(n ? n : 1, sizeof(*nt));
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < s->nt; j++) {
            if (s->t[j] && strcmp(s->t[j]->url, targets[i].url) == 0) {
                nt[i] = s->t[j];
                s->t[j] = NULL;
                break;
            }
        }
        if (nt[i] == NULL)
            nt[i] = target_new(s, &targets[i]);
    }
    for (size_t j = 0; j < s->nt; j++)
        target_free(s->t[j]);
    xfree(s->t);
    s->t = nt;
    s->nt = n;
}

size_t sender_target_count(const struct sender *s)
{
    return s->nt;
}

size_t sender_queue_length(const struct sender *s, size_t i)
{
    return i < s->nt ? s->t[i]->len : 0;
}

static void kv_object(const struct labels *ls, struct buf *out)
{
    buf_putc(out, '{');
    for (size_t i = 0; ls && i < ls->n; i++) {
        if (i)
            buf_putc(out, ',');
        buf_put_json_string(out, ls->v[i].name, strlen(ls->v[i].name));
        buf_putc(out, ':');
        buf_put_json_string(out, ls->v[i].value, strlen(ls->v[i].value));
    }
    buf_putc(out, '}');
}

void sender_encode_alert(const struct sender_alert *a, struct buf *out)
{
    char ts[64];
    buf_puts(out, "{\"annotations\":");
    kv_object(a->annotations, out);
    buf_printf(out, ",\"endsAt\":\"%s\"",
               timestamp_format(a->ends_at_ms, TS_MILLI, ts, sizeof(ts)));
    buf_printf(out, ",\"startsAt\":\"%s\"",
               timestamp_format(a->starts_at_ms, TS_MILLI, ts, sizeof(ts)));
    if (a->generator_url) {
        buf_puts(out, ",\"generatorURL\":");
        buf_put_json_string(out, a->generator_url, strlen(a->generator_url));
    }
    buf_puts(out, ",\"labels\":");
    kv_object(a->labels, out);
    buf_putc(out, '}');
}

static void kick(struct target *t);

static void on_done(struct httpc_response *resp, void *ctx)
{
    struct target *t = ctx;
    size_t cap = t->s->opts.queue_capacity, n = t->inflight;
    bool ok = resp->rc == 0 && resp->status >= 200 && resp->status < 300;
    t->call = NULL;
    if (ok) {
        if (t->m_sent)
            metrics_add(t->m_sent, (double)n);
        if (t->m_latency)
            metrics_observe(t->m_latency, (double)(time_mono_ms() - t->started) / 1000.0);
    } else {
        char st[16];
        snprintf(st, sizeof(st), "%d", resp->status);
        log_kv(LOG_WARN, "error sending alerts", "alertmanager", t->url, "count",
               n == 1 ? "1" : "many", "status", st, "err",
               resp->rc ? resp->error : (resp->body ? resp->body : ""), NULL);
        if (t->m_err)
            metrics_add(t->m_err, (double)n);
    }
    /* delivered or given up after the retries: either way the batch leaves the queue (the rule
     * manager re-sends every alert on its resend interval) */
    for (size_t i = 0; i < n; i++) {
        xfree(t->q[t->head]);
        t->q[t->head] = NULL;
        t->head = (t->head + 1) % cap;
        t->len--;
    }
    t->inflight = 0;
    xfree(t->body);
    t->body = NULL;
    kick(t);
}

static void kick(struct target *t)
{
    struct sender *s = t->s;
    size_t cap = s->opts.queue_capacity, n;
    struct buf b;
    struct httpc_request req;
    if (t->call || t->len == 0)
        return;
    n = t->len < s->opts.max_batch ? t->len : s->opts.max_batch;
    buf_init(&b, 0);
    buf_putc(&b, '[');
    for (size_t i = 0; i < n; i++) {
        if (i)
            buf_putc(&b, ',');
        buf_puts(&b, t->q[(t->head + i) % cap]);
    }
    buf_putc(&b, ']');
    t->body = buf_steal(&b, NULL);
    t->inflight = n;
    memset(&req, 0, sizeof(req));
    req.method = "POST";
    req.url = t->url;
    req.body = t->body;
    req.body_len = strlen(t->body);
    req.content_type = "application/json";
    req.bearer_token = t->opts.bearer_token;
    req.basic_user = t->opts.basic_user;
    req.basic_password = t->opts.basic_password;
    req.tls = t->opts.tls;
    req.timeout_ms = t->opts.timeout_ms > 0 ? t->opts.timeout_ms : 10000;
    req.max_attempts = s->opts.max_attempts;
    req.deadline_ms = req.timeout_ms * s->opts.max_attempts + 5000;
    t->started = time_mono_ms();
    if (httpc_do(s->http, &req, on_done, t, &t->call, NULL) != 0) {
        struct httpc_response r;
        memset(&r, 0, sizeof(r));
        r.rc = -1;
        snprintf(r.error, sizeof(r.error), "cannot start request");
        t->call = NULL;
        on_done(&r, t);
    }
}

void sender_send_json(struct sender *s, const char *const *alerts, size_t n)
{
    size_t cap = s->opts.queue_capacity;
    for (size_t i = 0; i < s->nt; i++) {
        struct target *t = s->t[i];
        for (size_t k = 0; k < n; k++) {
            if (t->len == cap) {
                /* full: drop the oldest alert that is not part of the request in flight */
                size_t victim = (t->head + t->inflight) % cap;
                if (t->inflight >= t->len) {
                    if (t->m_drop)
                        metrics_inc(t->m_drop);
                    continue;
                }
                xfree(t->q[victim]);
                for (size_t j = t->inflight; j + 1 < t->len; j++)
                    t->q[(t->head + j) % cap] = t->q[(t->head + j + 1) % cap];
                t->len--;
                if (t->m_drop)
                    metrics_inc(t->m_drop);
            }
            t->q[(t->head + t->len) % cap] = xstrdup(alerts[k]);
            t->len++;
        }
        kick(t);
    }
}
