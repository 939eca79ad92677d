/* SPDX-License-Identifier: Apache-2.0 */
/* Webhook integration: builds Alertmanager 0.25's version-4 payload and posts it through the
 * abstract sender, classifying the answer like Alertmanager's Retrier. */
#include "notifier/receivers/webhook.h"

#include <string.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/labels.h"
#include "common/xalloc.h"
#include "notifier/alert/alert.h"
#include "notifier/receivers/tmpldata.h"

#define WEBHOOK_BODY_MAX (64u << 20)

struct webhook {
    struct am_integration base; /* first member: the pipeline sees only this */
    char *url;
    size_t max_alerts;
    const struct am_http_config *http_config;
    struct receiver_sender *sender;
};

/* Labels (or annotations) shared with the same value by every alert (empty annotation values
 * included, as Alertmanager's template data has them). */
static struct labels *common_kv(const struct am_alert *const *alerts, size_t n, bool annotations)
{
    struct label *keep;
    struct labels *res;
    const struct labels *first;
    size_t k = 0;
    if (n == 0)
        return labels_empty();
    first = annotations ? alerts[0]->annotations : alerts[0]->labels;
    keep = xcalloc(first->n + 1, sizeof(*keep));
    for (size_t i = 0; i < first->n; i++) {
        bool same = true;
        for (size_t j = 1; same && j < n; j++) {
            const struct labels *o = annotations ? alerts[j]->annotations : alerts[j]->labels;
            const char *v = labels_get(o, first->v[i].name);
            /* Go compares map lookups: a missing key reads as "" and so equals an empty value */
            same = strcmp(v ? v : "", first->v[i].value) == 0;
        }
        if (same)
            keep[k++] = first->v[i];
    }
    res = am_kv_new(keep, k);
    xfree(keep);
    return res;
}

static int put_alert(struct buf *b, const struct am_alert *a, int64_t now)
{
    char t[48], fp[17];
    bool resolved = am_alert_resolved_at(a, now);
    int rc = buf_printf(b, "{\"status\":\"%s\",\"labels\":", resolved ? "resolved" : "firing");
    rc = rc ? rc : am_json_put_labels(b, a->labels, true);
    rc = rc ? rc : buf_puts(b, ",\"annotations\":");
    rc = rc ? rc : am_json_put_labels(b, a->annotations, true);
    rc = rc ? rc : buf_printf(b, ",\"startsAt\":\"%s\"", am_time_format_go(a->starts_at, t, 48));
    rc = rc ? rc : buf_printf(b, ",\"endsAt\":\"%s\"", am_time_format_go(a->ends_at, t, 48));
    rc = rc ? rc : buf_puts(b, ",\"generatorURL\":");
    rc = rc ? rc : am_json_put_string(b, a->generator_url, strlen(a->generator_url), true);
    rc = rc ? rc
            : buf_printf(b, ",\"fingerprint\":\"%s\"}", am_fingerprint_format(a->fingerprint, fp));
    return rc;
}

int webhook_build_payload(const struct am_notify_data *d, size_t max_alerts, struct buf *out)
{
    size_t n = d->n, truncated = 0;
    bool firing = false;
    struct labels *cl = NULL, *ca = NULL;
    struct buf recv;
    int rc;
    if (max_alerts > 0 && n > max_alerts) {
        truncated = n - max_alerts;
        n = max_alerts;
    }
    for (size_t i = 0; i < n; i++)
        firing = firing || !am_alert_resolved_at(d->alerts[i], d->now);
    buf_init(&recv, 0);
    am_regexp_quote_meta(&recv, d->receiver);
    rc = buf_puts(out, "{\"receiver\":");
    rc = rc ? rc : am_json_put_string(out, recv.data ? recv.data : "", recv.len, true);
    rc = rc ? rc
            : buf_printf(out, ",\"status\":\"%s\",\"alerts\":[", firing ? "firing" : "resolved");
    for (size_t i = 0; rc == 0 && i < n; i++) {
        if (i > 0)
            rc = buf_putc(out, ',');
        rc = rc ? rc : put_alert(out, d->alerts[i], d->now);
    }
    cl = common_kv(d->alerts, n, false);
    ca = common_kv(d->alerts, n, true);
    rc = rc ? rc : buf_puts(out, "],\"groupLabels\":");
    rc = rc ? rc : am_json_put_labels(out, d->group_labels, true);
    rc = rc ? rc : buf_puts(out, ",\"commonLabels\":");
    rc = rc ? rc : am_json_put_labels(out, cl, true);
    rc = rc ? rc : buf_puts(out, ",\"commonAnnotations\":");
    rc = rc ? rc : am_json_put_labels(out, ca, true);
    rc = rc ? rc : buf_puts(out, ",\"externalURL\":");
    rc = rc ? rc : am_json_put_string(out, d->external_url, strlen(d->external_url), true);
    rc = rc ? rc : buf_puts(out, ",\"version\":\"4\",\"groupKey\":");
    rc = rc ? rc : am_json_put_string(out, d->group_key, strlen(d->group_key), true);
    rc = rc ? rc : buf_printf(out, ",\"truncatedAlerts\":%zu}\n", truncated);
    labels_free(cl);
    labels_free(ca);
    buf_fini(&recv);
    return rc;
}

struct webhook_call {
    am_notify_done_cb done;
    void *arg;
    int64_t now;
};

static void webhook_sent(void *arg, const struct receiver_response *r)
{
    struct webhook_call *c = arg;
    struct am_notify_result res;
    am_notify_result_from_http(r, "webhook", c->now, &res);
    c->done(c->arg, &res);
    xfree(c);
}

static int webhook_notify(struct am_integration *it, const struct am_notify_data *d,
                          int64_t timeout_ns, am_notify_done_cb done, void *arg)
{
    struct webhook *w = (struct webhook *)it;
    struct receiver_header hdr[] = {
        {"Content-Type", "application/json"},
        {"User-Agent", "Tocsin-Notifier/" TOCSIN_VERSION},
        {"Authorization", NULL},
    };
    struct receiver_http_opts o;
    struct webhook_call *c = NULL;
    struct buf body;
    struct err e;
    char *auth = NULL;
    int rc;
    buf_init(&body, WEBHOOK_BODY_MAX);
    if ((rc = webhook_build_payload(d, w->max_alerts, &body)) != 0)
        goto out;
    if (am_http_auth_header(w->http_config, &auth, &e) != 0) {
        /* an unreadable secret file is a failed attempt, not a payload error */
        am_notify_fail(done, arg, "webhook", "http_config: %s", e.msg);
        goto out;
    }
    hdr[2].value = auth;
    am_http_opts_from_config(w->http_config, &o);
    c = xmalloc(sizeof(*c));
    c->done = done;
    c->arg = arg;
    c->now = d->now;
    rc = w->sender->send(w->sender, w->url, hdr, auth ? 3 : 2, &o, buf_str(&body), body.len,
                         timeout_ns, webhook_sent, c);
    if (rc != 0)
        xfree(c);
out:
    xfree(auth);
    buf_fini(&body);
    return rc;
}

static void webhook_free(struct am_integration *it)
{
    struct webhook *w = (struct webhook *)it;
    xfree(w->url);
    xfree(w);
}

struct am_integration *webhook_new(const struct webhook_conf *c, unsigned index,
                                   struct receiver_sender *sender)
{
    struct webhook *w = xcalloc(1, sizeof(*w));
    w->base.kind = "webhook";
    w->base.index = index;
    w->base.send_resolved = c->send_resolved;
    w->base.notify = webhook_notify;
    w->base.free = webhook_free;
    w->url = xstrdup(c->url);
    w->max_alerts = c->max_alerts;
    w->http_config = c->http_config;
    w->sender = sender;
    return &w->base;
}
