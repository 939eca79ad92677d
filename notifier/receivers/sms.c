/* SPDX-License-Identifier: Apache-2.0 */
/* SMS integration: one POST per recipient to Twilio's Messages API or a generic JSON gateway,
 * results combined; delivered recipients are remembered per notification across retries. */
#include "notifier/receivers/sms.h"

#include <stdio.h>
#include <string.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/xalloc.h"
#include "notifier/config/config.h"
#include "notifier/receivers/tmpldata.h"

#define SMS_REQ_MAX     (64u << 10)
#define SMS_MEMORY_SIZE 128

/* Delivery state of one notification (group key + flush time) across attempts. */
struct sms_state {
    unsigned refs;
    char *key;
    bool *delivered;
    size_t n;
    bool in_flight;
};

struct sms {
    struct am_integration base; /* first member */
    const struct am_sms_config *c;
    struct am_tmpl *t;
    struct receiver_sender *sender;
    struct sms_state *mem[SMS_MEMORY_SIZE];
    size_t nmem;
};

static void state_unref(struct sms_state *s)
{
    if (!s || --s->refs > 0)
        return;
    xfree(s->key);
    xfree(s->delivered);
    xfree(s);
}

static void mem_remove(struct sms *m, size_t i)
{
    state_unref(m->mem[i]);
    memmove(&m->mem[i], &m->mem[i + 1], (m->nmem - i - 1) * sizeof(m->mem[0]));
    m->nmem--;
}

static struct sms_state *state_get(struct sms *m, const char *key, size_t n)
{
    struct sms_state *s;
    for (size_t i = 0; i < m->nmem; i++) {
        s = m->mem[i];
        if (!s->in_flight) {
            bool all = true;
            for (size_t k = 0; k < s->n; k++)
                all = all && s->delivered[k];
            if (all && strcmp(s->key, key) != 0) {
                mem_remove(m, i--);
                continue;
            }
        }
        if (strcmp(s->key, key) == 0 && s->n == n)
            return s;
    }
    if (m->nmem == SMS_MEMORY_SIZE)
        mem_remove(m, 0);
    s = xcalloc(1, sizeof(*s));
    s->refs = 1;
    s->key = xstrdup(key);
    s->delivered = xcalloc(n ? n : 1, sizeof(bool));
    s->n = n;
    m->mem[m->nmem++] = s;
    return s;
}

static int form_put(struct buf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    int rc = 0;
    for (; rc == 0 && *s; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            strchr("-_.~", c))
            rc = buf_putc(b, (char)c);
        else if (c == ' ')
            rc = buf_putc(b, '+');
        else
            rc = buf_printf(b, "%%%c%c", hex[c >> 4], hex[c & 15]);
    }
    return rc;
}

int sms_build_request(const struct am_sms_config *c, const char *to, const char *from,
                      const char *text, struct buf *out)
{
    int rc;
    if (strcmp(c->provider, "generic") == 0) {
        rc = buf_puts(out, "{\"to\":");
        rc = rc ? rc : am_json_str(out, to);
        if (rc == 0 && from && from[0]) {
            rc = buf_puts(out, ",\"from\":");
            rc = rc ? rc : am_json_str(out, from);
        }
        rc = rc ? rc : buf_puts(out, ",\"message\":");
        rc = rc ? rc : am_json_str(out, text);
        return rc ? rc : buf_puts(out, "}\n");
    }
    rc = buf_puts(out, "To=");
    rc = rc ? rc : form_put(out, to);
    rc = rc ? rc : buf_puts(out, "&From=");
    rc = rc ? rc : form_put(out, from);
    rc = rc ? rc : buf_puts(out, "&Body=");
    return rc ? rc : form_put(out, text);
}

/* One notification attempt across recipients. */
struct sms_call {
    am_notify_done_cb done;
    void *arg;
    struct sms_state *st;
    size_t pending;
    struct am_notify_result worst;
};

struct sms_one {
    struct sms_call *call;
    size_t idx;
    char *to;
};

static int severity(enum am_notify_outcome o)
{
    return o == AM_NOTIFY_RETRY ? 2 : (o == AM_NOTIFY_FAIL ? 1 : 0);
}

static void call_unref(struct sms_call *c)
{
    if (--c->pending > 0)
        return;
    c->st->in_flight = false;
    c->done(c->arg, &c->worst);
    state_unref(c->st);
    xfree(c);
}

static void call_result(struct sms_call *c, size_t idx, const char *to,
                        const struct am_notify_result *r)
{
    if (r->outcome == AM_NOTIFY_OK) {
        c->st->delivered[idx] = true;
    } else if (severity(r->outcome) > severity(c->worst.outcome)) {
        int64_t ra = c->worst.retry_after_ns;
        c->worst = *r;
        snprintf(c->worst.msg, sizeof(c->worst.msg), "%.200s (to %.40s)", r->msg, to);
        if (ra > c->worst.retry_after_ns)
            c->worst.retry_after_ns = ra;
    } else if (r->retry_after_ns > c->worst.retry_after_ns) {
        c->worst.retry_after_ns = r->retry_after_ns;
    }
}

static void one_done(void *arg, const struct am_notify_result *r)
{
    struct sms_one *o = arg;
    call_result(o->call, o->idx, o->to, r);
    call_unref(o->call);
    xfree(o->to);
    xfree(o);
}

static char *twilio_url(const struct am_sms_config *c)
{
    size_t n = strlen(c->url);
    return xasprintf("%.*s/2010-04-01/Accounts/%s/Messages.json",
                     (int)(n > 0 && c->url[n - 1] == '/' ? n - 1 : n), c->url, c->account_sid);
}

static int sms_notify(struct am_integration *it, const struct am_notify_data *d, int64_t timeout_ns,
                      am_notify_done_cb done, void *arg)
{
    struct sms *m = (struct sms *)it;
    const struct am_sms_config *c = m->c;
    bool twilio = strcmp(c->provider, "twilio") == 0, cut;
    struct am_expander x;
    struct sms_call *call;
    struct err e;
    char *text, *from, *url = NULL, *auth = NULL, *key, **to;
    int rc = 0;
    am_expander_init(&x, m->t, d);
    text = am_truncate_runes(am_expand(&x, c->body), SMS_BODY_MAX_RUNES, &cut);
    from = am_expand(&x, c->from);
    to = xcalloc(c->to.n + 1, sizeof(*to));
    for (size_t i = 0; i < c->to.n; i++)
        to[i] = am_expand(&x, c->to.v[i]);
    if (x.rc != 0) {
        am_notify_fail(done, arg, "sms", "%s", x.e.msg);
        goto out;
    }
    if (twilio) {
        char *token = NULL;
        struct am_basic_auth ba;
        struct am_http_config hc;
        if (c->auth_token_file && c->auth_token_file[0] &&
            am_read_secret_file(c->auth_token_file, &token, &e) != 0) {
            am_notify_fail(done, arg, "sms", "auth_token_file: %s", e.msg);
            goto out;
        }
        /* basic auth sid:token, encoded like http_config basic_auth */
        memset(&ba, 0, sizeof(ba));
        memset(&hc, 0, sizeof(hc));
        ba.username = c->account_sid;
        ba.password = token ? token : c->auth_token;
        hc.basic_auth = &ba;
        rc = am_http_auth_header(&hc, &auth, &e);
        xfree(token);
        if (rc != 0) {
            rc = 0;
            am_notify_fail(done, arg, "sms", "%s", e.msg);
            goto out;
        }
        url = twilio_url(c);
    } else {
        if (am_http_auth_header(c->http_config, &auth, &e) != 0) {
            am_notify_fail(done, arg, "sms", "http_config: %s", e.msg);
            goto out;
        }
        url = xstrdup(c->url);
    }
    key = xasprintf("%s\x1f%lld", d->group_key, (long long)d->now);
    call = xcalloc(1, sizeof(*call));
    call->done = done;
    call->arg = arg;
    call->st = state_get(m, key, c->to.n);
    call->st->refs++;
    call->st->in_flight = true;
    call->pending = 1; /* released after the loop */
    call->worst.outcome = AM_NOTIFY_OK;
    xfree(key);
    for (size_t i = 0; i < c->to.n; i++) {
        struct sms_one *o;
        struct buf body;
        int src;
        if (call->st->delivered[i])
            continue;
        buf_init(&body, SMS_REQ_MAX);
        if (sms_build_request(c, to[i], from, text, &body) != 0) {
            struct am_notify_result r = {AM_NOTIFY_FAIL, 0, 0, "sms: request too large"};
            call_result(call, i, to[i], &r);
            buf_fini(&body);
            continue;
        }
        o = xcalloc(1, sizeof(*o));
        o->call = call;
        o->idx = i;
        o->to = xstrdup(to[i]);
        call->pending++;
        src = am_post(m->sender, "sms", url,
                      twilio ? "application/x-www-form-urlencoded" : "application/json", auth,
                      c->http_config, buf_str(&body), body.len, d->now, timeout_ns, one_done, o);
        if (src != 0) {
            struct am_notify_result r = {AM_NOTIFY_RETRY, 0, 0, ""};
            snprintf(r.msg, sizeof(r.msg), "sms: %s", err_str(src));
            call_result(call, i, to[i], &r);
            call->pending--;
            xfree(o->to);
            xfree(o);
        }
        buf_fini(&body);
    }
    call_unref(call);
out:
    for (size_t i = 0; i < c->to.n; i++)
        xfree(to[i]);
    xfree(to);
    xfree(text);
    xfree(from);
    xfree(url);
    xfree(auth);
    am_expander_fini(&x);
    return rc;
}

static void sms_free(struct am_integration *it)
{
    struct sms *m = (struct sms *)it;
    for (size_t i = 0; i < m->nmem; i++)
        state_unref(m->mem[i]);
    am_tmpl_unref(m->t);
    xfree(m);
}

struct am_integration *sms_new(const struct am_sms_config *c, unsigned index, struct am_tmpl *t,
                               struct receiver_sender *sender)
{
    struct sms *m = xcalloc(1, sizeof(*m));
    m->base.kind = "sms";
    m->base.index = index;
    m->base.send_resolved = c->send_resolved;
    m->base.notify = sms_notify;
    m->base.free = sms_free;
    m->c = c;
    m->t = am_tmpl_ref(t);
    m->sender = sender;
    return &m->base;
}
