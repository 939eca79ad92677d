/* SPDX-License-Identifier: Apache-2.0 */
/* Slack integration: templated attachment message in Alertmanager 0.25's JSON shape, posted
 * through the abstract sender and classified like Alertmanager's Retrier. */
#include "notifier/receivers/slack.h"

#include <string.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/xalloc.h"
#include "notifier/config/config.h"
#include "notifier/receivers/tmpldata.h"

#define SLACK_BODY_MAX  (8u << 20)
#define SLACK_TITLE_MAX 1024

struct slack {
    struct am_integration base; /* first member */
    const struct am_slack_config *c;
    struct am_tmpl *t;
    struct receiver_sender *sender;
};

/* ,"key":"value" when value is not empty (omitempty), or always when always is set. */
static int put_kv(struct buf *b, bool *first, const char *key, const char *v, bool always)
{
    int rc = 0;
    if (!always && (v == NULL || v[0] == '\0'))
        return 0;
    if (!*first)
        rc = buf_putc(b, ',');
    *first = false;
    rc = rc ? rc : buf_printf(b, "\"%s\":", key);
    return rc ? rc : am_json_str(b, v);
}

/* Expands text and writes it with put_kv; the string is freed. */
static int put_t(struct buf *b, bool *first, struct am_expander *x, const char *key,
                 const char *text, bool always)
{
    char *v = am_expand(x, text);
    int rc = put_kv(b, first, key, v, always);
    xfree(v);
    return rc;
}

static int put_fields(struct buf *b, const struct am_slack_config *c, struct am_expander *x)
{
    int rc = buf_puts(b, ",\"fields\":[");
    for (size_t i = 0; rc == 0 && i < c->fields.n; i++) {
        const struct am_slack_field *f = c->fields.v[i];
        bool first = true, sh = f->short_ == AM_UNSET ? c->short_fields : f->short_ == AM_TRUE;
        rc = buf_puts(b, i ? ",{" : "{");
        rc = rc ? rc : put_t(b, &first, x, "title", f->title, false);
        rc = rc ? rc : put_t(b, &first, x, "value", f->value, false);
        rc = rc ? rc : buf_printf(b, "%s\"short\":%s}", first ? "" : ",", sh ? "true" : "false");
    }
    return rc ? rc : buf_putc(b, ']');
}

static int put_actions(struct buf *b, const struct am_slack_config *c, struct am_expander *x)
{
    int rc = buf_puts(b, ",\"actions\":[");
    for (size_t i = 0; rc == 0 && i < c->actions.n; i++) {
        const struct am_slack_action *a = c->actions.v[i];
        bool first = true;
        rc = buf_puts(b, i ? ",{" : "{");
        rc = rc ? rc : put_t(b, &first, x, "type", a->type, false);
        rc = rc ? rc : put_t(b, &first, x, "text", a->text, false);
        rc = rc ? rc : put_t(b, &first, x, "url", a->url, false);
        rc = rc ? rc : put_t(b, &first, x, "style", a->style, false);
        rc = rc ? rc : put_t(b, &first, x, "name", a->name, false);
        rc = rc ? rc : put_t(b, &first, x, "value", a->value, false);
        if (rc == 0 && a->confirm) {
            bool f2 = true;
            rc = buf_printf(b, "%s\"confirm\":{", first ? "" : ",");
            first = false;
            rc = rc ? rc : put_t(b, &f2, x, "text", a->confirm->text, false);
            rc = rc ? rc : put_t(b, &f2, x, "title", a->confirm->title, false);
            rc = rc ? rc : put_t(b, &f2, x, "ok_text", a->confirm->ok_text, false);
            rc = rc ? rc : put_t(b, &f2, x, "dismiss_text", a->confirm->dismiss_text, false);
            rc = rc ? rc : buf_putc(b, '}');
        }
        rc = rc ? rc : buf_putc(b, '}');
    }
    return rc ? rc : buf_putc(b, ']');
}

static int put_attachment(struct buf *b, const struct am_slack_config *c, struct am_expander *x)
{
    bool first = true, cut;
    char *title = am_truncate_runes(am_expand(x, c->title), SLACK_TITLE_MAX, &cut);
    int rc = buf_putc(b, '{');
    rc = rc ? rc : put_kv(b, &first, "title", title, false);
    xfree(title);
    rc = rc ? rc : put_t(b, &first, x, "title_link", c->title_link, false);
    rc = rc ? rc : put_t(b, &first, x, "pretext", c->pretext, false);
    rc = rc ? rc : put_t(b, &first, x, "text", c->text, true);
    rc = rc ? rc : put_t(b, &first, x, "fallback", c->fallback, true);
    rc = rc ? rc : put_t(b, &first, x, "callback_id", c->callback_id, true);
    if (rc == 0 && c->fields.n > 0)
        rc = put_fields(b, c, x);
    if (rc == 0 && c->actions.n > 0)
        rc = put_actions(b, c, x);
    rc = rc ? rc : put_t(b, &first, x, "image_url", c->image_url, false);
    rc = rc ? rc : put_t(b, &first, x, "thumb_url", c->thumb_url, false);
    rc = rc ? rc : put_t(b, &first, x, "footer", c->footer, true);
    rc = rc ? rc : put_t(b, &first, x, "color", c->color, false);
    rc = rc ? rc : buf_puts(b, ",\"mrkdwn_in\":[");
    if (c->mrkdwn_in.n == 0) {
        rc = rc ? rc : buf_puts(b, "\"fallback\",\"pretext\",\"text\"");
    } else {
        for (size_t i = 0; rc == 0 && i < c->mrkdwn_in.n; i++) {
            rc = i ? buf_putc(b, ',') : 0;
            rc = rc ? rc : am_json_str(b, c->mrkdwn_in.v[i]);
        }
    }
    return rc ? rc : buf_puts(b, "]}");
}

int slack_build_payload(const struct am_slack_config *c, struct am_tmpl *t,
                        const struct am_notify_data *d, struct buf *out, struct err *e)
{
    struct am_expander x;
    bool first = true;
    int rc;
    am_expander_init(&x, t, d);
    rc = buf_putc(out, '{');
    rc = rc ? rc : put_t(out, &first, &x, "channel", c->channel, false);
    rc = rc ? rc : put_t(out, &first, &x, "username", c->username, false);
    rc = rc ? rc : put_t(out, &first, &x, "icon_emoji", c->icon_emoji, false);
    rc = rc ? rc : put_t(out, &first, &x, "icon_url", c->icon_url, false);
    if (rc == 0 && c->link_names) {
        rc = buf_puts(out, first ? "\"link_names\":true" : ",\"link_names\":true");
        first = false;
    }
    rc = rc ? rc : buf_puts(out, first ? "\"attachments\":[" : ",\"attachments\":[");
    rc = rc ? rc : put_attachment(out, c, &x);
    rc = rc ? rc : buf_puts(out, "]}\n");
    if (rc == 0 && x.rc != 0) {
        rc = x.rc;
        if (e)
            *e = x.e;
    } else if (rc != 0) {
        rc = err_set(e, rc, "payload too large");
    }
    am_expander_fini(&x);
    return rc;
}

static int slack_notify(struct am_integration *it, const struct am_notify_data *d,
                        int64_t timeout_ns, am_notify_done_cb done, void *arg)
{
    struct slack *s = (struct slack *)it;
    struct buf body;
    struct err e;
    char *url = NULL, *auth = NULL;
    int rc = 0;
    buf_init(&body, SLACK_BODY_MAX);
    if (slack_build_payload(s->c, s->t, d, &body, &e) != 0) {
        am_notify_fail(done, arg, "slack", "%s", e.msg);
        goto out;
    }
    if (s->c->api_url && s->c->api_url[0]) {
        url = xstrdup(s->c->api_url);
    } else if (am_read_secret_file(s->c->api_url_file, &url, &e) != 0) {
        am_notify_fail(done, arg, "slack", "api_url_file: %s", e.msg);
        goto out;
    }
    if (am_http_auth_header(s->c->http_config, &auth, &e) != 0) {
        am_notify_fail(done, arg, "slack", "http_config: %s", e.msg);
        goto out;
    }
    rc = am_post(s->sender, "slack", url, "application/json", auth, s->c->http_config,
                 buf_str(&body), body.len, d->now, timeout_ns, done, arg);
out:
    xfree(url);
    xfree(auth);
    buf_fini(&body);
    return rc;
}

static void slack_free(struct am_integration *it)
{
    struct slack *s = (struct slack *)it;
    am_tmpl_unref(s->t);
    xfree(s);
}

struct am_integration *slack_new(const struct am_slack_config *c, unsigned index, struct am_tmpl *t,
                                 struct receiver_sender *sender)
{
    struct slack *s = xcalloc(1, sizeof(*s));
    s->base.kind = "slack";
    s->base.index = index;
    s->base.send_resolved = c->send_resolved;
    s->base.notify = slack_notify;
    s->base.free = slack_free;
    s->c = c;
    s->t = am_tmpl_ref(t);
    s->sender = sender;
    return &s->base;
}
