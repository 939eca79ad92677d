/* SPDX-License-Identifier: Apache-2.0 */
/* PagerDuty Events API v2 integration in Alertmanager 0.25's JSON shape, dedup key = SHA-256 of
 * the group key, posted through the abstract sender. */
#include "notifier/receivers/pagerduty.h"

#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/log.h"
#include "common/xalloc.h"
#include "notifier/config/config.h"
#include "notifier/receivers/tmpldata.h"

#define PD_BODY_MAX    (4u << 20)
#define PD_EVENT_MAX   512000u
#define PD_SUMMARY_MAX 1024

struct pagerduty {
    struct am_integration base; /* first member */
    const struct am_pagerduty_config *c;
    struct am_tmpl *t;
    struct receiver_sender *sender;
};

static int put_opt(struct buf *b, const char *key, const char *v)
{
    int rc;
    if (!v || !v[0])
        return 0;
    rc = buf_printf(b, ",\"%s\":", key);
    return rc ? rc : am_json_str(b, v);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* custom_details with keys sorted (Go map order); values expanded one by one. */
static int put_details(struct buf *b, const struct am_pagerduty_config *c, struct am_expander *x,
                       bool truncated, struct err *e)
{
    size_t n = c->details.n;
    char **keys;
    int rc = 0;
    if (truncated)
        return buf_puts(b, ",\"custom_details\":{\"error\":\"Custom details have been removed "
                           "because the original event exceeds the maximum size of 512kB\"}");
    if (n == 0)
        return 0;
    keys = xcalloc(n, sizeof(*keys));
    memcpy(keys, c->details.keys, n * sizeof(*keys));
    qsort(keys, n, sizeof(*keys), cmp_str);
    rc = buf_puts(b, ",\"custom_details\":{");
    for (size_t i = 0; rc == 0 && i < n; i++) {
        const char *tmpl = NULL;
        char *v;
        for (size_t k = 0; k < n; k++)
            if (c->details.keys[k] == keys[i])
                tmpl = c->details.values[k];
        v = am_expand(x, tmpl);
        if (x->rc != 0) {
            rc = err_set(e, x->rc, "%s: failed to template: %s", keys[i], x->e.msg);
            xfree(v);
            break;
        }
        rc = i ? buf_putc(b, ',') : 0;
        rc = rc ? rc : am_json_str(b, keys[i]);
        rc = rc ? rc : buf_putc(b, ':');
        rc = rc ? rc : am_json_str(b, v);
        xfree(v);
    }
    xfree(keys);
    return rc ? rc : buf_putc(b, '}');
}

static int build(const struct am_pagerduty_config *c, struct am_tmpl *t,
                 const struct am_notify_data *d, bool truncated, struct buf *out, struct err *e)
{
    struct am_expander x;
    char hash[65], *rk = NULL, *summary, *v;
    bool cut, firing = am_alerts_firing(d->alerts, d->n, d->now);
    size_t count;
    int rc = 0;
    am_expander_init(&x, t, d);
    if (c->routing_key_file && c->routing_key_file[0]) {
        if ((rc = am_read_secret_file(c->routing_key_file, &rk, e)) != 0)
            goto out;
    } else {
        rk = am_expand(&x, c->routing_key);
    }
    am_group_key_hash(d->group_key, hash);
    rc = buf_puts(out, "{\"routing_key\":");
    rc = rc ? rc : am_json_str(out, rk);
    rc = rc ? rc
            : buf_printf(out, ",\"dedup_key\":\"%s\",\"event_action\":\"%s\"", hash,
                         firing ? "trigger" : "resolve");
    summary = am_truncate_runes(am_expand(&x, c->description), PD_SUMMARY_MAX, &cut);
    rc = rc ? rc : buf_puts(out, ",\"payload\":{\"summary\":");
    rc = rc ? rc : am_json_str(out, summary);
    xfree(summary);
    v = am_expand(&x, c->source && c->source[0] ? c->source : c->client);
    rc = rc ? rc : buf_puts(out, ",\"source\":");
    rc = rc ? rc : am_json_str(out, v);
    xfree(v);
    v = am_expand(&x, c->severity && c->severity[0] ? c->severity : "error");
    rc = rc ? rc : buf_puts(out, ",\"severity\":");
    rc = rc ? rc : am_json_str(out, v);
    xfree(v);
    v = am_expand(&x, c->class_);
    rc = rc ? rc : put_opt(out, "class", v);
    xfree(v);
    v = am_expand(&x, c->component);
    rc = rc ? rc : put_opt(out, "component", v);
    xfree(v);
    v = am_expand(&x, c->group);
    rc = rc ? rc : put_opt(out, "group", v);
    xfree(v);
    if (rc == 0 && x.rc == 0 && (rc = put_details(out, c, &x, truncated, e)) != 0)
        goto out;
    rc = rc ? rc : buf_putc(out, '}');
    v = am_expand(&x, c->client);
    rc = rc ? rc : put_opt(out, "client", v);
    xfree(v);
    v = am_expand(&x, c->client_url);
    rc = rc ? rc : put_opt(out, "client_url", v);
    xfree(v);
    count = 0;
    for (size_t i = 0; rc == 0 && i < c->images.n; i++) {
        const struct am_pagerduty_image *im = c->images.v[i];
        char *src = am_expand(&x, im->src), *alt = am_expand(&x, im->alt);
        char *href = am_expand(&x, im->href);
        if (src[0]) {
            rc = buf_puts(out, count++ ? ",{\"src\":" : ",\"images\":[{\"src\":");
            rc = rc ? rc : am_json_str(out, src);
            rc = rc ? rc : buf_puts(out, ",\"alt\":");
            rc = rc ? rc : am_json_str(out, alt);
            rc = rc ? rc : buf_puts(out, ",\"href\":");
            rc = rc ? rc : am_json_str(out, href);
            rc = rc ? rc : buf_putc(out, '}');
        }
        xfree(src);
        xfree(alt);
        xfree(href);
    }
    if (rc == 0 && count)
        rc = buf_putc(out, ']');
    count = 0;
    for (size_t i = 0; rc == 0 && i < c->links.n; i++) {
        const struct am_pagerduty_link *l = c->links.v[i];
        char *href = am_expand(&x, l->href), *text = am_expand(&x, l->text);
        if (href[0]) {
            rc = buf_puts(out, count++ ? ",{\"href\":" : ",\"links\":[{\"href\":");
            rc = rc ? rc : am_json_str(out, href);
            rc = rc ? rc : buf_puts(out, ",\"text\":");
            rc = rc ? rc : am_json_str(out, text);
            rc = rc ? rc : buf_putc(out, '}');
        }
        xfree(href);
        xfree(text);
    }
    if (rc == 0 && count)
        rc = buf_putc(out, ']');
    rc = rc ? rc : buf_puts(out, "}\n");
    if (rc != 0) {
        rc = err_set(e, rc, "payload too large");
    } else if (x.rc != 0) {
        rc = x.rc;
        if (e) {
            *e = x.e;
            err_prefix(e, "failed to template PagerDuty v2 message");
        }
    } else if (rk == NULL || rk[0] == '\0') {
        rc = err_set(e, ERR_INVALID, "routing key cannot be empty");
    }
out:
    xfree(rk);
    am_expander_fini(&x);
    return rc;
}

int pagerduty_build_payload(const struct am_pagerduty_config *c, struct am_tmpl *t,
                            const struct am_notify_data *d, struct buf *out, struct err *e)
{
    size_t start = out->len;
    int rc = build(c, t, d, false, out, e);
    if (rc == 0 && out->len - start > PD_EVENT_MAX) {
        log_kv(LOG_WARN, "Truncated Details because message exceeds limit 512kB", NULL);
        out->len = start;
        rc = build(c, t, d, true, out, e);
    }
    return rc;
}

static int pagerduty_notify(struct am_integration *it, const struct am_notify_data *d,
                            int64_t timeout_ns, am_notify_done_cb done, void *arg)
{
    struct pagerduty *p = (struct pagerduty *)it;
    struct buf body;
    struct err e;
    char *auth = NULL;
    int rc = 0;
    buf_init(&body, PD_BODY_MAX);
    if (pagerduty_build_payload(p->c, p->t, d, &body, &e) != 0) {
        am_notify_fail(done, arg, "pagerduty", "%s", e.msg);
        goto out;
    }
    if (am_http_auth_header(p->c->http_config, &auth, &e) != 0) {
        am_notify_fail(done, arg, "pagerduty", "http_config: %s", e.msg);
        goto out;
    }
    rc = am_post(p->sender, "pagerduty", p->c->url, "application/json", auth, p->c->http_config,
                 buf_str(&body), body.len, d->now, timeout_ns, done, arg);
out:
    xfree(auth);
    buf_fini(&body);
    return rc;
}

static void pagerduty_free(struct am_integration *it)
{
    struct pagerduty *p = (struct pagerduty *)it;
    am_tmpl_unref(p->t);
    xfree(p);
}

int pagerduty_new(const struct am_pagerduty_config *c, unsigned index, struct am_tmpl *t,
                  struct receiver_sender *sender, struct am_integration **out, struct err *e)
{
    struct pagerduty *p;
    *out = NULL;
    if ((c->service_key && c->service_key[0]) || (c->service_key_file && c->service_key_file[0]))
        return err_set(e, ERR_UNSUPPORTED,
                       "not implemented: PagerDuty Events API v1 (service_key); use routing_key "
                       "(Events API v2)");
    p = xcalloc(1, sizeof(*p));
    p->base.kind = "pagerduty";
    p->base.index = index;
    p->base.send_resolved = c->send_resolved;
    p->base.notify = pagerduty_notify;
    p->base.free = pagerduty_free;
    p->c = c;
    p->t = am_tmpl_ref(t);
    p->sender = sender;
    *out = &p->base;
    return 0;
}
