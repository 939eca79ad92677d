/* SPDX-License-Identifier: Apache-2.0 */
/* Alertmanager API v2 handlers. */
#include "notifier/api/api_v2.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/amatcher.h"
#include "common/buf.h"
#include "common/err.h"
#include "common/httpd.h"
#include "common/labels.h"
#include "common/matcher.h"
#include "common/timeutil.h"
#include "common/xalloc.h"
#include "notifier/alert/alert.h"
#include "notifier/alert/alert_json.h"
#include "notifier/config/config.h"
#include "notifier/core/notifier.h"
#include "notifier/silence/silence.h"

#define JSON_TYPE "application/json"

/* Alertmanager answers most errors with the message as a JSON string. */
static void reply_json_string(struct httpd_req *req, int status, const char *msg)
{
    struct buf b;
    buf_init(&b, 0);
    buf_put_json_string(&b, msg, strlen(msg));
    buf_putc(&b, '\n');
    httpd_reply_buf(req, status, JSON_TYPE, &b);
    buf_fini(&b);
}

/* go-swagger's validation errors: {"code":6xx,"message":"..."} with 422. */
static void reply_validation(struct httpd_req *req, int code, const char *msg)
{
    struct buf b;
    buf_init(&b, 0);
    buf_printf(&b, "{\"code\":%d,\"message\":", code);
    buf_put_json_string(&b, msg, strlen(msg));
    buf_puts(&b, "}\n");
    httpd_reply_buf(req, 422, JSON_TYPE, &b);
    buf_fini(&b);
}

/* Optional boolean query parameter with a default; false with a 400 reply when malformed. */
static bool bool_param(struct httpd_req *req, const char *name, bool def, bool *out)
{
    const char *v = httpd_req_param(req, name);
    *out = def;
    if (v == NULL || *v == '\0')
        return true;
    if (strcmp(v, "true") == 0 || strcmp(v, "1") == 0) {
        *out = true;
        return true;
    }
    if (strcmp(v, "false") == 0 || strcmp(v, "0") == 0) {
        *out = false;
        return true;
    }
    {
        char msg[300];
        snprintf(msg, sizeof(msg), "%s in query should be of type boolean: \"%.200s\"", name, v);
        reply_validation(req, 602, msg);
    }
    return false;
}

/* Parses every filter= parameter into one matcher list. */
static bool filter_param(struct httpd_req *req, struct matchers *out)
{
    const struct httpd_params *q = httpd_req_query(req);
    out->v = NULL;
    out->n = 0;
    for (size_t i = 0; q && i < q->n; i++) {
        struct matchers one = {NULL, 0};
        struct err e;
        if (strcmp(q->v[i].key, "filter") != 0)
            continue;
        err_clear(&e);
        if (amatchers_parse(q->v[i].value, &one, &e) != 0) {
            char msg[600];
            snprintf(msg, sizeof(msg), "bad matcher format: %.500s", q->v[i].value);
            reply_json_string(req, 400, msg);
            matchers_fini(out);
            return false;
        }
        out->v = xreallocarray(out->v, out->n + one.n + 1, sizeof(*out->v));
        for (size_t k = 0; k < one.n; k++)
            out->v[out->n++] = one.v[k];
        xfree(one.v);
    }
    return true;
}

/* ---- alerts ---- */

struct alert_query {
    struct buf *b;
    struct matchers filter;
    struct regex *receiver;
    bool active, silenced, inhibited, unprocessed;
    size_t count;
};

static bool keep_alert(struct alert_query *q, const struct am_alert *a,
                       const struct am_alert_status *st, const char *const *receivers, size_t nr)
{
    int64_t now = notifier_now();
    if (am_alert_resolved_at(a, now))
        return false; /* the API lists only alerts that have not ended */
    if (!matchers_match(&q->filter, a->labels))
        return false;
    if (q->receiver) {
        bool any = false;
        for (size_t i = 0; i < nr && !any; i++)
            any = regex_match(q->receiver, receivers[i], strlen(receivers[i]));
        if (!any)
            return false;
    }
    if (!q->silenced && st->n_silenced > 0)
        return false;
    if (!q->inhibited && st->n_inhibited > 0)
        return false;
    if (!q->active && st->state == AM_STATE_ACTIVE)
        return false;
    if (!q->unprocessed && st->state == AM_STATE_UNPROCESSED)
        return false;
    return true;
}

static void alert_cb(void *arg, const struct am_alert *a, const struct am_alert_status *st,
                     const char *const *receivers, size_t nr)
{
    struct alert_query *q = arg;
    if (!keep_alert(q, a, st, receivers, nr))
        return;
    if (q->count++)
        buf_putc(q->b, ',');
    am_alert_encode_gettable(q->b, a, receivers, nr, st);
}

static bool read_alert_query(struct httpd_req *req, struct alert_query *q)
{
    const char *rcv = httpd_req_param(req, "receiver");
    memset(q, 0, sizeof(*q));
    if (!bool_param(req, "active", true, &q->active) ||
        !bool_param(req, "silenced", true, &q->silenced) ||
        !bool_param(req, "inhibited", true, &q->inhibited) ||
        !bool_param(req, "unprocessed", true, &q->unprocessed))
        return false;
    if (!filter_param(req, &q->filter))
        return false;
    if (rcv && *rcv) {
        struct err e;
        err_clear(&e);
        if (regex_compile(rcv, &q->receiver, &e) != 0) {
            char msg[1200];
            snprintf(msg, sizeof(msg), "failed to parse receiver param: %s", e.msg);
            reply_json_string(req, 400, msg);
            matchers_fini(&q->filter);
            return false;
        }
    }
    return true;
}

static void alert_query_fini(struct alert_query *q)
{
    matchers_fini(&q->filter);
    regex_free(q->receiver);
}

static void handle_get_alerts(struct httpd_req *req, void *ctx)
{
    struct notifier *n = ctx;
    struct alert_query q;
    struct buf b;
    if (!read_alert_query(req, &q))
        return;
    buf_init(&b, 0);
    q.b = &b;
    buf_putc(&b, '[');
    notifier_foreach_alert(n, alert_cb, &q);
    buf_puts(&b, "]\n");
    httpd_reply_buf(req, 200, JSON_TYPE, &b);
    buf_fini(&b);
    alert_query_fini(&q);
}

static void post_alerts_done(void *arg, int status, const char *msg)
{
    struct httpd_req *req = arg;
    if (status == 200)
        httpd_reply(req, 200, NULL, NULL, 0);
    else if (status == 422)
        reply_validation(req, 602, msg);
    else
        reply_json_string(req, status, msg);
}

/* Answered after the group commit that makes the alerts durable (notifier_post_alerts_async). */
static void handle_post_alerts(struct httpd_req *req, void *ctx)
{
    struct notifier *n = ctx;
    size_t len;
    const char *body = httpd_req_body(req, &len);
    notifier_post_alerts_async(n, body, len, post_alerts_done, req);
}

/* ---- groups ---- */

struct group_query {
    struct notifier *n;
    struct alert_query aq;
    struct buf *b;
    size_t count;
};

/* Writes the alertGroup objects the way am_alert_group_encode does, one alert at a time: the
 * status strings of notifier_alert_status live only until its next call, so each alert is
 * encoded before the next lookup. A group whose alerts all get filtered out is cut back off. */
static void group_cb(void *arg, const char *group_key, const struct labels *group_labels,
                     const char *receiver, const struct am_alert *const *alerts, size_t na)
{
    struct group_query *g = arg;
    const char *one[1] = {receiver};
    size_t mark = g->b->len, k = 0;
    (void)group_key;
    if (g->aq.receiver && !regex_match(g->aq.receiver, receiver, strlen(receiver)))
        return;
    if (g->count)
        buf_putc(g->b, ',');
    buf_puts(g->b, "{\"alerts\":[");
    for (size_t i = 0; i < na; i++) {
        struct am_alert_status s;
        notifier_alert_status(g->n, alerts[i], &s);
        if (!keep_alert(&g->aq, alerts[i], &s, one, 1))
            continue;
        if (k++)
            buf_putc(g->b, ',');
        am_alert_encode_gettable(g->b, alerts[i], one, 1, &s);
    }
    if (k == 0) {
        g->b->len = mark;
        if (g->b->data)
            g->b->data[mark] = '\0';
        return;
    }
    g->count++;
    buf_puts(g->b, "],\"labels\":");
    am_json_put_labels(g->b, group_labels, false);
    buf_puts(g->b, ",\"receiver\":{\"name\":");
    am_json_put_string(g->b, receiver, strlen(receiver), false);
    buf_puts(g->b, "}}");
}

static void handle_groups(struct httpd_req *req, void *ctx)
{
    struct group_query g;
    struct buf b;
    memset(&g, 0, sizeof(g));
    g.n = ctx;
    if (!read_alert_query(req, &g.aq))
        return;
    buf_init(&b, 0);
    g.b = &b;
    buf_putc(&b, '[');
    notifier_foreach_group(g.n, group_cb, &g);
    buf_puts(&b, "]\n");
    httpd_reply_buf(req, 200, JSON_TYPE, &b);
    buf_fini(&b);
    alert_query_fini(&g.aq);
}

/* ---- silences ---- */

static void handle_get_silences(struct httpd_req *req, void *ctx)
{
    struct notifier *n = ctx;
    struct matchers filter;
    struct silence **v = NULL;
    size_t cnt;
    json_t *arr;
    char *s;
    int64_t now = notifier_now() / 1000000;
    if (!filter_param(req, &filter))
        return;
    cnt = silence_store_list(notifier_silences(n), now, filter.n ? &filter : NULL, &v);
    arr = json_array();
    for (size_t i = 0; i < cnt; i++)
        json_array_append_new(arr, silence_to_json(v[i], now));
    s = json_dumps(arr, JSON_COMPACT | JSON_PRESERVE_ORDER);
    httpd_reply(req, 200, JSON_TYPE, s, strlen(s));
    free(s);
    json_decref(arr);
    silence_list_free(v, cnt);
    matchers_fini(&filter);
}

static void handle_post_silences(struct httpd_req *req, void *ctx)
{
    struct notifier *n = ctx;
    size_t len;
    const char *body = httpd_req_body(req, &len);
    json_error_t je;
    json_t *j = json_loadb(body, len, 0, &je);
    struct silence *s = NULL;
    struct err e;
    char id[64], out[128];
    err_clear(&e);
    if (j == NULL || !json_is_object(j)) {
        json_decref(j);
        reply_json_string(req, 400, "parsing silence body: invalid JSON");
        return;
    }
    if (silence_from_json(j, &s, &e) != 0) {
        json_decref(j);
        if (strstr(e.msg, " in body ") != NULL)
            reply_validation(req, 602, e.msg);
        else
            reply_json_string(req, 400, e.msg);
        return;
    }
    json_decref(j);
    if (s->ends_at_ms < notifier_now() / 1000000) {
        reply_json_string(req, 400, "Failed to create silence: end time can't be in the past");
        silence_free(s);
        return;
    }
    if (notifier_silence_set(n, s, id, &e) != 0) {
        if (e.code == ERR_NOTFOUND || strstr(e.msg, "not found"))
            reply_json_string(req, 404, e.msg);
        else if (e.code == ERR_INVALID)
            reply_json_string(req, 400, e.msg);
        else
            reply_json_string(req, 500, e.msg);
        silence_free(s);
        return;
    }
    snprintf(out, sizeof(out), "{\"silenceID\":\"%s\"}\n", id);
    httpd_reply(req, 200, JSON_TYPE, out, strlen(out));
    silence_free(s);
}

static bool is_uuid(const char *s)
{
    static const char shape[] = "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx";
    if (strlen(s) != sizeof(shape) - 1)
        return false;
    for (size_t i = 0; shape[i]; i++) {
        char c = s[i];
        if (shape[i] == '-') {
            if (c != '-')
                return false;
        } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
            return false;
        }
    }
    return true;
}

static void handle_silence_id(struct httpd_req *req, void *ctx)
{
    struct notifier *n = ctx;
    const char *id = httpd_req_path_suffix(req);
    const char *method = httpd_req_method(req);
    struct err e;
    err_clear(&e);
    if (!is_uuid(id)) {
        char msg[300];
        snprintf(msg, sizeof(msg), "silenceID in path must be of type uuid: \"%.200s\"", id);
        reply_validation(req, 601, msg);
        return;
    }
    if (strcmp(method, "DELETE") == 0) {
        if (notifier_silence_expire(n, id, &e) != 0) {
            reply_json_string(req, e.code == ERR_NOTFOUND ? 500 : 500,
                              e.msg[0] ? e.msg : "silence not found");
            return;
        }
        httpd_reply(req, 200, NULL, NULL, 0);
        return;
    }
    {
        struct silence *s = NULL;
        json_t *j;
        char *txt;
        if (silence_store_get(notifier_silences(n), id, &s, &e) != 0) {
            httpd_reply(req, 404, NULL, NULL, 0);
            return;
        }
        j = silence_to_json(s, notifier_now() / 1000000);
        txt = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
        httpd_reply(req, 200, JSON_TYPE, txt, strlen(txt));
        free(txt);
        json_decref(j);
        silence_free(s);
    }
}

/* ---- status and receivers ---- */

static void handle_receivers(struct httpd_req *req, void *ctx)
{
    struct notifier *n = ctx;
    const struct am_config *c = notifier_config(n);
    struct buf b;
    buf_init(&b, 0);
    buf_putc(&b, '[');
    for (size_t i = 0; i < c->nreceivers; i++) {
        buf_puts(&b, i ? ",{\"name\":" : "{\"name\":");
        buf_put_json_string(&b, c->receivers[i].name, strlen(c->receivers[i].name));
        buf_putc(&b, '}');
    }
    buf_puts(&b, "]\n");
    httpd_reply_buf(req, 200, JSON_TYPE, &b);
    buf_fini(&b);
}

static void handle_status(struct httpd_req *req, void *ctx)
{
    struct notifier *n = ctx;
    struct buf yaml, b;
    char up[64];
    buf_init(&yaml, 0);
    buf_init(&b, 0);
    config_print_redacted(notifier_config(n), &yaml);
    buf_puts(&b, "{\"cluster\":{\"peers\":[],\"status\":\"disabled\"},\"config\":{\"original\":");
    buf_put_json_string(&b, buf_str(&yaml), yaml.len);
    buf_printf(&b, "},\"uptime\":\"%s\",",
               timestamp_format(notifier_started_at(n) / 1000000, TS_MILLI, up, sizeof(up)));
    buf_printf(&b,
               "\"versionInfo\":{\"branch\":\"\",\"buildDate\":\"\",\"buildUser\":\"\","
               "\"goVersion\":\"\",\"revision\":\"%s\",\"version\":\"%s\"}}\n",
               TOCSIN_REVISION, TOCSIN_VERSION);
    httpd_reply_buf(req, 200, JSON_TYPE, &b);
    buf_fini(&b);
    buf_fini(&yaml);
}

int api_v2_register(struct httpd *srv, struct notifier *n, struct err *e)
{
    int rc = 0;
    rc = rc ? rc : httpd_route_add(srv, "GET", "/api/v2/alerts", handle_get_alerts, n);
    rc = rc ? rc : httpd_route_add(srv, "POST", "/api/v2/alerts", handle_post_alerts, n);
    rc = rc ? rc : httpd_route_add(srv, "GET", "/api/v2/alerts/groups", handle_groups, n);
    rc = rc ? rc : httpd_route_add(srv, "GET", "/api/v2/silences", handle_get_silences, n);
    rc = rc ? rc : httpd_route_add(srv, "POST", "/api/v2/silences", handle_post_silences, n);
    rc = rc ? rc : httpd_route_add_prefix(srv, "GET", "/api/v2/silence/", handle_silence_id, n);
    rc = rc ? rc : httpd_route_add_prefix(srv, "DELETE", "/api/v2/silence/", handle_silence_id, n);
    rc = rc ? rc : httpd_route_add(srv, "GET", "/api/v2/receivers", handle_receivers, n);
    rc = rc ? rc : httpd_route_add(srv, "GET", "/api/v2/status", handle_status, n);
    if (rc != 0)
        return err_set(e, rc, "cannot register API v2 routes");
    return 0;
}
