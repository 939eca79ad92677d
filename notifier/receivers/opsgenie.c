/* SPDX-License-Identifier: Apache-2.0 */
/* Opsgenie Alert API v2 integration: Alertmanager 0.25's create / close / update requests (field
 * order and omitempty rules of its Go structs), sent one after the other through the sender. */
#include "notifier/receivers/opsgenie.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/labels.h"
#include "common/xalloc.h"
#include "notifier/config/config.h"
#include "notifier/receivers/tmpldata.h"

#define OG_BODY_MAX     (4u << 20)
#define OG_MESSAGE_RUNE 130 /* Opsgenie's limit on message, in runes */

struct opsgenie {
    struct am_integration base; /* first member */
    const struct am_opsgenie_config *c;
    struct am_tmpl *t;
    struct receiver_sender *sender;
};

struct og_kv {
    const char *k;
    char *v; /* owned */
};

static int kv_cmp(const void *a, const void *b)
{
    return strcmp(((const struct og_kv *)a)->k, ((const struct og_kv *)b)->k);
}

/* ,"key":"v" when v is not empty (Go's omitempty) */
static void put_opt(struct buf *b, const char *key, const char *v)
{
    if (!v || !v[0])
        return;
    buf_printf(b, ",\"%s\":", key);
    am_json_str(b, v);
}

/* Go's strings.Split(strings.TrimSpace(s), sep) without the empty parts; returns the count and
 * the parts in *out (heap strings, caller frees each and the array). */
static size_t safe_split(const char *s, char ***out)
{
    size_t n = 0, len;
    char **v;
    const char *end, *p;
    while (*s && isspace((unsigned char)*s))
        s++;
    len = strlen(s);
    while (len > 0 && isspace((unsigned char)s[len - 1]))
        len--;
    v = xcalloc(len + 1, sizeof(*v));
    end = s + len;
    for (p = s; p <= end;) {
        const char *q = memchr(p, ',', (size_t)(end - p));
        if (!q)
            q = end;
        if (q > p)
            v[n++] = xstrndup(p, (size_t)(q - p));
        p = q + 1;
    }
    *out = v;
    return n;
}

/* ,"key":["a","b"] unless empty */
static void put_split(struct buf *b, const char *key, const char *s)
{
    char **v;
    size_t n = safe_split(s, &v);
    if (n > 0) {
        buf_printf(b, ",\"%s\":[", key);
        for (size_t i = 0; i < n; i++) {
            if (i > 0)
                buf_putc(b, ',');
            am_json_str(b, v[i]);
        }
        buf_putc(b, ']');
    }
    for (size_t i = 0; i < n; i++)
        xfree(v[i]);
    xfree(v);
}

static void put_responder(struct buf *b, size_t *count, const char *id, const char *name,
                          const char *username, const char *type)
{
    buf_puts(b, *count ? ",{" : "{");
    (*count)++;
    /* id, name and username are omitempty, type is not; the leading comma trick needs a first
     * field, so write them by hand */
    bool first = true;
    const char *keys[] = {"id", "name", "username"};
    const char *vals[] = {id, name, username};
    for (size_t i = 0; i < 3; i++) {
        if (!vals[i][0])
            continue;
        buf_printf(b, "%s\"%s\":", first ? "" : ",", keys[i]);
        am_json_str(b, vals[i]);
        first = false;
    }
    buf_printf(b, "%s\"type\":", first ? "" : ",");
    am_json_str(b, type);
    buf_putc(b, '}');
}

static void put_responders(struct buf *b, const struct am_opsgenie_config *c, struct am_expander *x)
{
    struct buf r;
    size_t count = 0;
    buf_init(&r, 0);
    for (size_t k = 0; k < c->responders.n; k++) {
        const struct am_opsgenie_responder *o = c->responders.v[k];
        char *id = am_expand(x, o->id), *name = am_expand(x, o->name);
        char *user = am_expand(x, o->username), *type = am_expand(x, o->type);
        if (!id[0] && !name[0] && !user[0] && !type[0]) {
            /* dropped: lets responders be filled from labels that may be absent */
        } else if (strcmp(type, "teams") == 0) {
            char **teams;
            size_t nt = safe_split(name, &teams);
            for (size_t i = 0; i < nt; i++) {
                char *team = am_expand(x, teams[i]);
                put_responder(&r, &count, "", team, "", "team");
                xfree(team);
                xfree(teams[i]);
            }
            xfree(teams);
        } else {
            put_responder(&r, &count, id, name, user, type);
        }
        xfree(id);
        xfree(name);
        xfree(user);
        xfree(type);
    }
    if (count > 0)
        buf_printf(b, ",\"responders\":[%s]", buf_str(&r));
    buf_fini(&r);
}

static void put_details(struct buf *b, const struct am_opsgenie_config *c,
                        const struct am_notify_data *d, struct am_expander *x)
{
    struct labels *cl = am_common_kv(d->alerts, d->n, false);
    struct og_kv *kv = xcalloc(cl->n + c->details.n + 1, sizeof(*kv));
    size_t n = 0;
    for (size_t i = 0; i < cl->n; i++) {
        kv[n].k = cl->v[i].name;
        kv[n++].v = xstrdup(cl->v[i].value);
    }
    for (size_t i = 0; i < c->details.n; i++) {
        size_t j = 0;
        while (j < n && strcmp(kv[j].k, c->details.keys[i]) != 0)
            j++;
        if (j == n)
            kv[n++].k = c->details.keys[i];
        xfree(kv[j].v);
        kv[j].v = am_expand(x, c->details.values[i]);
    }
    qsort(kv, n, sizeof(*kv), kv_cmp); /* Go's encoding/json sorts map keys */
    buf_puts(b, ",\"details\":{");
    for (size_t i = 0; i < n; i++) {
        if (i > 0)
            buf_putc(b, ',');
        am_json_str(b, kv[i].k);
        buf_putc(b, ':');
        am_json_str(b, kv[i].v);
        xfree(kv[i].v);
    }
    buf_putc(b, '}');
    xfree(kv);
    labels_free(cl);
}

/* Takes url and body's contents into the next request; *too_big set when the body is over
 * OG_BODY_MAX (the buffers are unlimited while building so that nothing is cut silently). */
static void plan_add(struct opsgenie_plan *p, const char *method, char *url, struct buf *body,
                     bool *too_big)
{
    struct opsgenie_req *r = &p->req[p->n++];
    if (body->len > OG_BODY_MAX)
        *too_big = true;
    r->method = method;
    r->url = url;
    r->len = body->len;
    r->body = buf_steal(body, NULL);
}

/* {"key":"v"} or {} (omitempty), with Go's trailing newline */
static void one_field(struct buf *b, const char *key, const char *v)
{
    buf_putc(b, '{');
    if (v[0]) {
        buf_printf(b, "\"%s\":", key);
        am_json_str(b, v);
    }
    buf_puts(b, "}\n");
}

int opsgenie_build(const struct am_opsgenie_config *c, struct am_tmpl *t,
                   const struct am_notify_data *d, struct opsgenie_plan *p, struct err *e)
{
    int rc = 0;
    struct am_expander x;
    char alias[65], *key = NULL, *file_key = NULL, *source = NULL;
    struct buf b;
    bool cut, too_big = false;
    memset(p, 0, sizeof(*p));
    am_group_key_hash(d->group_key, alias);
    am_expander_init(&x, t, d);
    buf_init(&b, 0);
    source = am_expand(&x, c->source);
    if (!am_alerts_firing(d->alerts, d->n, d->now)) {
        buf_puts(&b, "{\"source\":");
        am_json_str(&b, source);
        buf_puts(&b, "}\n");
        plan_add(p, "POST",
                 xasprintf("%sv2/alerts/%s/close?identifierType=alias", c->api_url, alias), &b,
                 &too_big);
    } else {
        char *msg = am_truncate_runes(am_expand(&x, c->message), OG_MESSAGE_RUNE, &cut);
        char *desc = am_expand(&x, c->description), *s;
        buf_puts(&b, "{\"alias\":");
        am_json_str(&b, alias);
        buf_puts(&b, ",\"message\":");
        am_json_str(&b, msg);
        put_opt(&b, "description", desc);
        put_details(&b, c, d, &x);
        buf_puts(&b, ",\"source\":");
        am_json_str(&b, source);
        put_responders(&b, c, &x);
        s = am_expand(&x, c->tags);
        put_split(&b, "tags", s);
        xfree(s);
        put_opt(&b, "note", s = am_expand(&x, c->note));
        xfree(s);
        put_opt(&b, "priority", s = am_expand(&x, c->priority));
        xfree(s);
        put_opt(&b, "entity", s = am_expand(&x, c->entity));
        xfree(s);
        s = am_expand(&x, c->actions);
        put_split(&b, "actions", s);
        xfree(s);
        buf_puts(&b, "}\n");
        plan_add(p, "POST", xasprintf("%sv2/alerts", c->api_url), &b, &too_big);
        if (c->update_alerts) {
            one_field(&b, "message", msg);
            plan_add(p, "PUT",
                     xasprintf("%sv2/alerts/%s/message?identifierType=alias", c->api_url, alias),
                     &b, &too_big);
            one_field(&b, "description", desc);
            plan_add(
                p, "PUT",
                xasprintf("%sv2/alerts/%s/description?identifierType=alias", c->api_url, alias), &b,
                &too_big);
        }
        xfree(msg);
        xfree(desc);
    }
    if (c->api_key && c->api_key[0]) {
        key = am_expand(&x, c->api_key);
    } else if ((rc = am_read_secret_file(c->api_key_file, &file_key, e)) != 0) {
        err_prefix(e, "read key_file error");
        goto out;
    } else {
        key = am_expand(&x, file_key);
    }
    if (x.rc != 0) {
        rc = err_set(e, x.rc, "templating error: %s", x.e.msg);
        goto out;
    }
    if (too_big) {
        rc = err_set(e, ERR_TOOBIG, "request body over %u bytes", OG_BODY_MAX);
        goto out;
    }
    {
        /* the key is trimmed after templating, as Alertmanager does for key files */
        char *k = key;
        size_t n;
        while (*k && isspace((unsigned char)*k))
            k++;
        n = strlen(k);
        while (n > 0 && isspace((unsigned char)k[n - 1]))
            n--;
        p->auth = xasprintf("GenieKey %.*s", (int)n, k);
    }
out:
    if (rc != 0)
        opsgenie_plan_fini(p);
    xfree(key);
    xfree(file_key);
    xfree(source);
    buf_fini(&b);
    am_expander_fini(&x);
    return rc;
}

void opsgenie_plan_fini(struct opsgenie_plan *p)
{
    for (size_t i = 0; i < p->n; i++) {
        xfree(p->req[i].url);
        xfree(p->req[i].body);
    }
    xfree(p->auth);
    memset(p, 0, sizeof(*p));
}

/* ---- delivery: the plan's requests in order ---- */

struct og_call {
    struct opsgenie *o;
    struct opsgenie_plan p;
    size_t i; /* request in flight */
    int64_t now, timeout_ns;
    am_notify_done_cb done;
    void *arg;
};

static void og_sent(void *arg, const struct receiver_response *r);

static int og_start(struct og_call *c)
{
    const struct opsgenie_req *q = &c->p.req[c->i];
    struct receiver_header h[] = {
        {"Content-Type", "application/json"},
        {"User-Agent", "Tocsin-Notifier/" TOCSIN_VERSION},
        {"Authorization", c->p.auth},
    };
    struct receiver_http_opts o;
    am_http_opts_from_config(c->o->c->http_config, &o);
    o.method = q->method;
    return c->o->sender->send(c->o->sender, q->url, h, 3, &o, q->body, q->len, c->timeout_ns,
                              og_sent, c);
}

static void og_finish(struct og_call *c, const struct am_notify_result *r)
{
    c->done(c->arg, r);
    opsgenie_plan_fini(&c->p);
    xfree(c);
}

static void og_sent(void *arg, const struct receiver_response *r)
{
    struct og_call *c = arg;
    struct am_notify_result res;
    int rc;
    am_notify_result_from_http(r, "opsgenie", c->now, &res);
    if (res.outcome != AM_NOTIFY_OK || c->i + 1 == c->p.n) {
        og_finish(c, &res);
        return;
    }
    c->i++;
    if ((rc = og_start(c)) != 0) {
        memset(&res, 0, sizeof(res));
        res.outcome = AM_NOTIFY_RETRY;
        snprintf(res.msg, sizeof(res.msg), "opsgenie: %s", err_str(rc));
        og_finish(c, &res);
    }
}

static int og_notify(struct am_integration *it, const struct am_notify_data *d, int64_t timeout_ns,
                     am_notify_done_cb done, void *arg)
{
    struct opsgenie *o = (struct opsgenie *)it;
    struct og_call *c = xcalloc(1, sizeof(*c));
    struct err e;
    int rc;
    err_clear(&e);
    if (opsgenie_build(o->c, o->t, d, &c->p, &e) != 0) {
        xfree(c);
        am_notify_fail(done, arg, "opsgenie", "%s", e.msg);
        return 0;
    }
    c->o = o;
    c->now = d->now;
    c->timeout_ns = timeout_ns;
    c->done = done;
    c->arg = arg;
    if ((rc = og_start(c)) != 0) {
        opsgenie_plan_fini(&c->p);
        xfree(c);
    }
    return rc;
}

static void og_free(struct am_integration *it)
{
    struct opsgenie *o = (struct opsgenie *)it;
    am_tmpl_unref(o->t);
    xfree(o);
}

struct am_integration *opsgenie_new(const struct am_opsgenie_config *c, unsigned index,
                                    struct am_tmpl *t, struct receiver_sender *sender)
{
    struct opsgenie *o = xcalloc(1, sizeof(*o));
    o->base.kind = "opsgenie";
    o->base.index = index;
    o->base.send_resolved = c->send_resolved;
    o->base.notify = og_notify;
    o->base.free = og_free;
    o->c = c;
    o->t = am_tmpl_ref(t);
    o->sender = sender;
    return &o->base;
}
