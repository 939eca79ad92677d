/* SPDX-License-Identifier: Apache-2.0 */
/* Handlers of /api/v1/incidents and the signed ack links. */
#include "notifier/api/incidents.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/httpd.h"
#include "common/xalloc.h"
#include "notifier/escalation/escalation.h"

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void reply_err(struct httpd_req *req, int code, const struct err *e)
{
    int status = code == ERR_NOTFOUND ? 404 : code == ERR_INVALID ? 409 : 500;
    const char *type = code == ERR_NOTFOUND  ? "not_found"
                       : code == ERR_INVALID ? "bad_data"
                                             : "internal";
    httpd_reply_api_error(req, status, type, "%s", e->msg);
}

static bool id_ok(const char *id)
{
    size_t n = strlen(id);
    if (n == 0 || n > 31)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((id[i] >= '0' && id[i] <= '9') || (id[i] >= 'a' && id[i] <= 'f')))
            return false;
    return true;
}

static void h_list(struct httpd_req *req, void *ctx)
{
    httpd_reply_api_success(req, escalation_list_json(ctx));
}

static void h_get(struct httpd_req *req, void *ctx)
{
    const char *id = httpd_req_path_suffix(req);
    json_t *j = id_ok(id) ? escalation_incident_json(ctx, id, now_ns()) : NULL;
    if (j == NULL) {
        httpd_reply_api_error(req, 404, "not_found", "incident %.40s not found", id);
        return;
    }
    httpd_reply_api_success(req, j);
}

/* POST /api/v1/incidents/{id}/{ack|unack|resolve} with optional {"by": "..."} or ?by=. */
static void h_post(struct httpd_req *req, void *ctx)
{
    const char *suffix = httpd_req_path_suffix(req), *slash = strchr(suffix, '/');
    const char *by = httpd_req_param(req, "by"), *body, *via = "api";
    char id[32], byv[200];
    enum esc_action act;
    json_t *j = NULL;
    struct err e;
    size_t len = 0;
    int rc;
    err_clear(&e);
    if (slash == NULL || (size_t)(slash - suffix) >= sizeof(id) ||
        !esc_action_parse(slash + 1, &act)) {
        httpd_reply_api_error(req, 404, "not_found",
                              "expected /api/v1/incidents/{id}/ack|unack|resolve");
        return;
    }
    memcpy(id, suffix, (size_t)(slash - suffix));
    id[slash - suffix] = '\0';
    if (!id_ok(id)) {
        httpd_reply_api_error(req, 404, "not_found", "incident %.40s not found", id);
        return;
    }
    body = httpd_req_body(req, &len);
    if (len > 0) {
        j = json_loadb(body, len, 0, NULL);
        if (j == NULL || !json_is_object(j)) {
            json_decref(j);
            httpd_reply_api_error(req, 400, "bad_data", "body must be a JSON object");
            return;
        }
        if (json_is_string(json_object_get(j, "by")))
            by = json_string_value(json_object_get(j, "by"));
        if (json_is_string(json_object_get(j, "via")) &&
            strcmp(json_string_value(json_object_get(j, "via")), "cli") == 0)
            via = "cli";
    }
    snprintf(byv, sizeof(byv), "%s", by && *by ? by : "api");
    json_decref(j);
    rc = escalation_act(ctx, id, act, byv, via, now_ns(), &e);
    if (rc != 0) {
        reply_err(req, rc, &e);
        return;
    }
    httpd_reply_api_success(req, escalation_incident_json(ctx, id, now_ns()));
}

/* Link preview fetchers must not act on a link they only unfurl. */
static bool is_preview_bot(const char *ua)
{
    static const char *const bots[] = {"Slackbot",    "Slack-ImgProxy",  "Discordbot",
                                       "TelegramBot", "WhatsApp",        "facebookexternalhit",
                                       "Twitterbot",  "SkypeUriPreview", "LinkedInBot",
                                       NULL};
    for (size_t i = 0; ua && bots[i]; i++)
        if (strstr(ua, bots[i]))
            return true;
    return false;
}

static void reply_page(struct httpd_req *req, int status, const char *text)
{
    struct buf b;
    buf_init(&b, 0);
    buf_printf(&b,
               "<!doctype html><meta name=viewport content=\"width=device-width\">"
               "<title>Tocsin</title><p>%s</p>\n",
               text);
    httpd_reply_buf(req, status, "text/html; charset=utf-8", &b);
    buf_fini(&b);
}

static void h_link(struct httpd_req *req, void *ctx)
{
    const char *id = httpd_req_param(req, "incident"), *action = httpd_req_param(req, "action");
    const char *exp = httpd_req_param(req, "expires"), *sig = httpd_req_param(req, "sig");
    enum esc_action act;
    char *end = NULL, msg[300];
    long long expires;
    struct err e;
    const struct httpd_params *form;
    err_clear(&e);
    if (httpd_req_form(req, &form, &e) != 0) {
        reply_page(req, 400, "bad request");
        return;
    }
    id = httpd_req_param(req, "incident");
    action = httpd_req_param(req, "action");
    exp = httpd_req_param(req, "expires");
    sig = httpd_req_param(req, "sig");
    if (id == NULL || action == NULL || exp == NULL || sig == NULL || !id_ok(id) ||
        !esc_action_parse(action, &act)) {
        reply_page(req, 403, "This link is not valid.");
        return;
    }
    expires = strtoll(exp, &end, 10);
    if (end == exp || *end != '\0' ||
        !escalation_link_valid(ctx, id, action, (int64_t)expires, sig, now_ns())) {
        reply_page(req, 403, "This link is not valid or has expired.");
        return;
    }
    if (strcmp(httpd_req_method(req), "GET") == 0 &&
        is_preview_bot(httpd_req_header(req, "User-Agent"))) {
        reply_page(req, 200, "Open this link in a browser to act on the incident.");
        return;
    }
    if (escalation_act(ctx, id, act, "signed link", "link", now_ns(), &e) != 0) {
        snprintf(msg, sizeof(msg), "Nothing done: %.200s", e.msg);
        reply_page(req, e.code == ERR_NOTFOUND ? 404 : e.code == ERR_INVALID ? 409 : 500, msg);
        return;
    }
    snprintf(msg, sizeof(msg), "Incident %s: %s done.", id,
             act == ESC_ACK     ? "acknowledgement"
             : act == ESC_UNACK ? "un-acknowledgement"
                                : "resolution");
    reply_page(req, 200, msg);
}

int api_incidents_register(struct httpd *srv, struct escalation *x, struct err *e)
{
    int rc;
    if ((rc = httpd_route_add(srv, "GET", "/api/v1/incidents", h_list, x)) != 0 ||
        (rc = httpd_route_add_prefix(srv, "GET", "/api/v1/incidents/", h_get, x)) != 0 ||
        (rc = httpd_route_add_prefix(srv, "POST", "/api/v1/incidents/", h_post, x)) != 0 ||
        (rc = httpd_route_add(srv, "GET", "/api/v1/ack", h_link, x)) != 0 ||
        (rc = httpd_route_add(srv, "POST", "/api/v1/ack", h_link, x)) != 0)
        return err_set(e, rc, "cannot register the incident API routes");
    return 0;
}
