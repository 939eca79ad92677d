/* SPDX-License-Identifier: Apache-2.0 */
/* /api/v1/rules, /api/v1/alerts and /api/v1/alertmanagers (see rules_api.h). */
#include "evaluator/api/rules_api.h"

#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/fmtfloat.h"
#include "common/httpd.h"
#include "common/labels.h"
#include "common/timeutil.h"
#include "common/xalloc.h"
#include "evaluator/api/promjson.h"
#include "evaluator/manager/manager.h"
#include "evaluator/rules/group.h"

/* Go's time.Time JSON (RFC3339Nano); the zero time when never set. */
static void put_time(struct buf *b, int64_t ms)
{
    char ts[64];
    if (ms == RULE_TIME_NONE || ms == 0) {
        buf_puts(b, "\"0001-01-01T00:00:00Z\"");
        return;
    }
    buf_putc(b, '"');
    buf_puts(b, timestamp_format(ms, TS_NANO_TRIM, ts, sizeof(ts)));
    buf_putc(b, '"');
}

/* A float64 field as encoding/json writes it. */
static void put_float(struct buf *b, double v)
{
    char s[64];
    double a = v < 0 ? -v : v;
    /* encoding/json: 'f' format, or 'e' for tiny/huge magnitudes */
    fmtfloat(v, (a != 0 && (a < 1e-6 || a >= 1e21)) ? FMTFLOAT_E : FMTFLOAT_F, s, sizeof(s));
    buf_puts(b, s);
}

static void put_str(struct buf *b, const char *s)
{
    buf_put_json_string(b, s ? s : "", s ? strlen(s) : 0);
}

static void put_labels(struct buf *b, const struct labels *ls)
{
    if (ls == NULL)
        buf_puts(b, "{}");
    else
        promjson_labels(ls, b);
}

static void put_alert(struct buf *b, const struct alert_status *a)
{
    char v[64];
    buf_puts(b, "{\"labels\":");
    put_labels(b, a->labels);
    buf_puts(b, ",\"annotations\":");
    put_labels(b, a->annotations);
    buf_puts(b, ",\"state\":");
    put_str(b, alert_state_str(a->state));
    buf_puts(b, ",\"activeAt\":");
    put_time(b, a->active_at);
    if (a->keep_firing_since != RULE_TIME_NONE) {
        buf_puts(b, ",\"keepFiringSince\":");
        put_time(b, a->keep_firing_since);
    }
    buf_puts(b, ",\"value\":");
    put_str(b, fmtfloat(a->value, FMTFLOAT_E, v, sizeof(v)));
    buf_putc(b, '}');
}

static bool in_list(const char *const *list, size_t n, const char *s)
{
    if (n == 0)
        return true;
    for (size_t i = 0; i < n; i++)
        if (strcmp(list[i], s) == 0)
            return true;
    return false;
}

static bool rule_selected(const struct rule_status *r, const struct rules_api_filter *f)
{
    if (f == NULL)
        return true;
    if (f->type == 1 && r->kind != RULE_ALERT)
        return false;
    if (f->type == 2 && r->kind != RULE_RECORD)
        return false;
    return in_list(f->names, f->nnames, r->name);
}

static void put_rule(struct buf *b, const struct rule_status *r, bool exclude_alerts)
{
    if (r->kind == RULE_ALERT) {
        buf_puts(b, "{\"state\":");
        put_str(b, alert_state_str(r->state));
        buf_puts(b, ",\"name\":");
        put_str(b, r->name);
        buf_puts(b, ",\"query\":");
        put_str(b, r->expr);
        buf_puts(b, ",\"duration\":");
        put_float(b, (double)r->for_ms / 1000.0);
        buf_puts(b, ",\"keepFiringFor\":");
        put_float(b, (double)r->keep_firing_for_ms / 1000.0);
        buf_puts(b, ",\"labels\":");
        put_labels(b, r->labels);
        buf_puts(b, ",\"annotations\":");
        put_labels(b, r->annotations);
        if (!exclude_alerts) {
            buf_puts(b, ",\"alerts\":[");
            for (size_t i = 0; i < r->nalerts; i++) {
                if (i > 0)
                    buf_putc(b, ',');
                put_alert(b, &r->alerts[i]);
            }
            buf_putc(b, ']');
        }
    } else {
        buf_puts(b, "{\"name\":");
        put_str(b, r->name);
        buf_puts(b, ",\"query\":");
        put_str(b, r->expr);
        if (r->labels && r->labels->n > 0) {
            buf_puts(b, ",\"labels\":");
            put_labels(b, r->labels);
        }
    }
    buf_puts(b, ",\"health\":");
    put_str(b, rule_health_str(r->health));
    if (r->last_error && r->last_error[0]) {
        buf_puts(b, ",\"lastError\":");
        put_str(b, r->last_error);
    }
    buf_puts(b, ",\"evaluationTime\":");
    put_float(b, (double)r->eval_duration_us / 1e6);
    buf_puts(b, ",\"lastEvaluation\":");
    put_time(b, r->last_eval_ms);
    buf_puts(b, ",\"type\":");
    put_str(b, r->kind == RULE_ALERT ? "alerting" : "recording");
    buf_putc(b, '}');
}

void rules_api_rules_json(const struct rule_group_status *groups, size_t n,
                          const struct rules_api_filter *f, struct buf *out)
{
    bool filtered = f && (f->type != 0 || f->nnames > 0 || f->ngroups > 0 || f->nfiles > 0);
    bool first_group = true;
    buf_puts(out, "{\"status\":\"success\",\"data\":{\"groups\":[");
    for (size_t i = 0; i < n; i++) {
        const struct rule_group_status *g = &groups[i];
        if (f &&
            (!in_list(f->groups, f->ngroups, g->name) || !in_list(f->files, f->nfiles, g->file)))
            continue;
        size_t nsel = 0;
        for (size_t j = 0; j < g->nrules; j++)
            nsel += rule_selected(&g->rules[j], f);
        if (filtered && nsel == 0)
            continue;
        if (!first_group)
            buf_putc(out, ',');
        first_group = false;
        buf_puts(out, "{\"name\":");
        put_str(out, g->name);
        buf_puts(out, ",\"file\":");
        put_str(out, g->file);
        buf_puts(out, ",\"rules\":[");
        bool first = true;
        for (size_t j = 0; j < g->nrules; j++) {
            if (!rule_selected(&g->rules[j], f))
                continue;
            if (!first)
                buf_putc(out, ',');
            first = false;
            put_rule(out, &g->rules[j], f && f->exclude_alerts);
        }
        buf_puts(out, "],\"interval\":");
        put_float(out, (double)g->interval_ms / 1000.0);
        buf_printf(out, ",\"limit\":%lld", g->limit);
        buf_puts(out, ",\"evaluationTime\":");
        put_float(out, (double)g->last_duration_us / 1e6);
        buf_puts(out, ",\"lastEvaluation\":");
        put_time(out, g->last_eval_ms);
        buf_putc(out, '}');
    }
    buf_puts(out, "]}}");
}

void rules_api_alerts_json(const struct rule_group_status *groups, size_t n, struct buf *out)
{
    bool first = true;
    buf_puts(out, "{\"status\":\"success\",\"data\":{\"alerts\":[");
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < groups[i].nrules; j++) {
            const struct rule_status *r = &groups[i].rules[j];
            if (r->kind != RULE_ALERT)
                continue;
            for (size_t k = 0; k < r->nalerts; k++) {
                if (!first)
                    buf_putc(out, ',');
                first = false;
                put_alert(out, &r->alerts[k]);
            }
        }
    }
    buf_puts(out, "]}}");
}

/* ----------------------------------------------------------------------------- handlers */

/* Values of key in params (borrowed pointers into params). */
static const char **param_list(const struct httpd_params *p, const char *key, size_t *n)
{
    const char **v = xcalloc(p->n + 1, sizeof(*v));
    *n = 0;
    for (size_t i = 0; i < p->n; i++)
        if (strcmp(p->v[i].key, key) == 0)
            v[(*n)++] = p->v[i].value;
    return v;
}

static void handle_rules(struct httpd_req *req, void *ctx)
{
    struct evmgr *m = ctx;
    const struct httpd_params *p = NULL;
    struct rules_api_filter f = {0};
    struct rule_group_status *gs = NULL;
    size_t ng = 0;
    struct err e;
    struct buf b;
    err_clear(&e);
    if (httpd_req_form(req, &p, &e) != 0) {
        httpd_reply_api_error(req, 400, PROMAPI_BAD_DATA, "error parsing form values: %s", e.msg);
        return;
    }
    const char *type = httpd_params_get(p, "type");
    if (type && type[0]) {
        if (strcmp(type, "alert") == 0) {
            f.type = 1;
        } else if (strcmp(type, "record") == 0) {
            f.type = 2;
        } else {
            httpd_reply_api_error(req, 400, PROMAPI_BAD_DATA, "unsupported type \"%s\"", type);
            return;
        }
    }
    const char *ex = httpd_params_get(p, "exclude_alerts");
    if (ex && ex[0]) {
        if (strcmp(ex, "true") == 0 || strcmp(ex, "1") == 0 || strcmp(ex, "t") == 0 ||
            strcmp(ex, "TRUE") == 0 || strcmp(ex, "True") == 0 || strcmp(ex, "T") == 0) {
            f.exclude_alerts = true;
        } else if (!(strcmp(ex, "false") == 0 || strcmp(ex, "0") == 0 || strcmp(ex, "f") == 0 ||
                     strcmp(ex, "FALSE") == 0 || strcmp(ex, "False") == 0 ||
                     strcmp(ex, "F") == 0)) {
            httpd_reply_api_error(req, 400, PROMAPI_BAD_DATA,
                                  "parsing exclude_alerts: strconv.ParseBool: parsing \"%s\": "
                                  "invalid syntax",
                                  ex);
            return;
        }
    }
    const char **names = param_list(p, "rule_name[]", &f.nnames);
    const char **groups = param_list(p, "rule_group[]", &f.ngroups);
    const char **files = param_list(p, "file[]", &f.nfiles);
    f.names = names;
    f.groups = groups;
    f.files = files;
    evmgr_snapshot(m, &gs, &ng);
    buf_init(&b, 0);
    rules_api_rules_json(gs, ng, &f, &b);
    httpd_reply_buf(req, 200, "application/json", &b);
    buf_fini(&b);
    evmgr_snapshot_free(gs, ng);
    free(names);
    free(groups);
    free(files);
}

static void handle_alerts(struct httpd_req *req, void *ctx)
{
    struct evmgr *m = ctx;
    struct rule_group_status *gs = NULL;
    size_t ng = 0;
    struct buf b;
    evmgr_snapshot(m, &gs, &ng);
    buf_init(&b, 0);
    rules_api_alerts_json(gs, ng, &b);
    httpd_reply_buf(req, 200, "application/json", &b);
    buf_fini(&b);
    evmgr_snapshot_free(gs, ng);
}

static void handle_alertmanagers(struct httpd_req *req, void *ctx)
{
    struct evmgr *m = ctx;
    const char *const *urls = NULL;
    size_t n = evmgr_alertmanager_urls(m, &urls);
    struct buf b;
    buf_init(&b, 0);
    buf_puts(&b, "{\"status\":\"success\",\"data\":{\"activeAlertmanagers\":[");
    for (size_t i = 0; i < n; i++) {
        if (i > 0)
            buf_putc(&b, ',');
        buf_puts(&b, "{\"url\":");
        put_str(&b, urls[i]);
        buf_putc(&b, '}');
    }
    buf_puts(&b, "],\"droppedAlertmanagers\":[]}}");
    httpd_reply_buf(req, 200, "application/json", &b);
    buf_fini(&b);
}

int rules_api_register(struct httpd *srv, struct evmgr *m, struct err *e)
{
    static const char *const methods[] = {"GET", "POST"};
    int rc;
    for (size_t i = 0; i < 2; i++) {
        if ((rc = httpd_route_add(srv, methods[i], "/api/v1/rules", handle_rules, m)) != 0 ||
            (rc = httpd_route_add(srv, methods[i], "/api/v1/alerts", handle_alerts, m)) != 0)
            return err_set(e, rc, "registering the rules API routes");
    }
    if ((rc = httpd_route_add(srv, "GET", "/api/v1/alertmanagers", handle_alertmanagers, m)) != 0)
        return err_set(e, rc, "registering the rules API routes");
    return 0;
}
