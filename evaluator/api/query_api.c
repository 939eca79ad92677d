/* SPDX-License-Identifier: Apache-2.0 */
/* Prometheus query API handlers: parameters, worker-pool evaluation, Prometheus-shaped JSON. */
#include "evaluator/api/query_api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/httpd.h"
#include "common/labels.h"
#include "common/matcher.h"
#include "common/metrics.h"
#include "common/timeutil.h"
#include "common/workq.h"
#include "common/xalloc.h"
#include "evaluator/api/promjson.h"
#include "evaluator/promql/ast.h"
#include "evaluator/promql/engine.h"
#include "evaluator/promql/parser.h"
#include "evaluator/promql/value.h"

#define JSON_TYPE "application/json"

/* Default window for series/labels without start/end, as Prometheus: everything. */
#define ALL_MIN (INT64_MIN / 2)
#define ALL_MAX (INT64_MAX / 2)

static void reply_error(struct httpd_req *req, const char *type, const char *msg)
{
    struct buf b;
    buf_init(&b, 0);
    promjson_error(type, msg, &b);
    httpd_reply_buf(req, promjson_error_status(type), JSON_TYPE, &b);
    buf_fini(&b);
}

/* One query on its way through the worker pool. */
struct query_job {
    struct query_api *api;
    struct httpd_req *req;
    char *query;
    bool range;
    int64_t t, start, end, step;
    int64_t started_ms;
    int rc;
    struct err e;
    struct promql_result res;
};

static void job_work(void *arg)
{
    struct query_job *j = arg;
    err_clear(&j->e);
    if (j->range)
        j->rc = promql_query_range(j->api->engine, &j->api->storage, j->query, j->start, j->end,
                                   j->step, &j->res, &j->e);
    else
        j->rc =
            promql_query_instant(j->api->engine, &j->api->storage, j->query, j->t, &j->res, &j->e);
}

static void job_done(void *arg)
{
    struct query_job *j = arg;
    struct buf b;
    char msg[1400];
    buf_init(&b, 0);
    if (j->rc == 0) {
        promjson_query_result(&j->res, &b);
        httpd_reply_buf(j->req, 200, JSON_TYPE, &b);
    } else if (j->rc == ERR_PARSE) {
        char pe[1200];
        snprintf(msg, sizeof(msg), "invalid parameter \"query\": %s",
                 promql_parse_error_string(&j->e, pe, sizeof(pe)));
        reply_error(j->req, PROMAPI_BAD_DATA, msg);
    } else if (j->rc == ERR_TIMEOUT) {
        reply_error(j->req, PROMAPI_TIMEOUT, j->e.msg[0] ? j->e.msg : "query timed out");
    } else if (j->rc == ERR_INVALID || j->rc == ERR_LIMIT) {
        reply_error(j->req, PROMAPI_EXECUTION, j->e.msg[0] ? j->e.msg : err_str(j->rc));
    } else {
        reply_error(j->req, PROMAPI_INTERNAL, j->e.msg[0] ? j->e.msg : err_str(j->rc));
    }
    if (j->api->metrics) {
        struct metrics_family *f =
            metrics_histogram_new(j->api->metrics, "tocsin_query_duration_seconds",
                                  "Time spent evaluating PromQL queries received on the query API.",
                                  (const char *const[]){"type", NULL}, METRICS_DEFAULT_BUCKETS, 11);
        metrics_observe(metrics_childv(f, j->range ? "range" : "instant"),
                        (double)(time_mono_ms() - j->started_ms) / 1000.0);
    }
    buf_fini(&b);
    promql_result_fini(&j->res);
    xfree(j->query);
    xfree(j);
}

/* Reads the form; replies 400 and returns false when it is malformed. */
static bool read_form(struct httpd_req *req)
{
    const struct httpd_params *p;
    struct err e;
    err_clear(&e);
    if (httpd_req_form(req, &p, &e) != 0) {
        char m[1200];
        snprintf(m, sizeof(m), "error parsing form values: %s", e.msg);
        reply_error(req, PROMAPI_BAD_DATA, m);
        return false;
    }
    return true;
}

static void submit(struct query_api *api, struct query_job *j)
{
    promql_result_init(&j->res);
    j->started_ms = time_mono_ms();
    if (api->wq) {
        workq_submit(api->wq, job_work, job_done, j);
    } else {
        job_work(j);
        job_done(j);
    }
}

static void handle_query(struct httpd_req *req, void *ctx)
{
    struct query_api *api = ctx;
    struct query_job *j;
    const char *q, *ts;
    struct err e;
    int64_t t = time_now_ms();
    if (!read_form(req))
        return;
    err_clear(&e);
    q = httpd_req_param(req, "query");
    ts = httpd_req_param(req, "time");
    if (q == NULL || *q == '\0') {
        reply_error(req, PROMAPI_BAD_DATA, "invalid parameter \"query\": query must not be empty");
        return;
    }
    if (ts && *ts && promapi_parse_time("time", ts, &t, &e) != 0) {
        reply_error(req, PROMAPI_BAD_DATA, e.msg);
        return;
    }
    j = xcalloc(1, sizeof(*j));
    j->api = api;
    j->req = req;
    j->query = xstrdup(q);
    j->t = t;
    submit(api, j);
}

static void handle_query_range(struct httpd_req *req, void *ctx)
{
    struct query_api *api = ctx;
    struct query_job *j;
    const char *q, *s, *en, *st;
    struct err e;
    int64_t start, end, step;
    if (!read_form(req))
        return;
    err_clear(&e);
    q = httpd_req_param(req, "query");
    s = httpd_req_param(req, "start");
    en = httpd_req_param(req, "end");
    st = httpd_req_param(req, "step");
    if (s == NULL || promapi_parse_time("start", s, &start, &e) != 0) {
        reply_error(req, PROMAPI_BAD_DATA,
                    s ? e.msg
                      : "invalid parameter \"start\": cannot parse \"\" to a valid timestamp");
        return;
    }
    if (en == NULL || promapi_parse_time("end", en, &end, &e) != 0) {
        reply_error(req, PROMAPI_BAD_DATA,
                    en ? e.msg
                       : "invalid parameter \"end\": cannot parse \"\" to a valid timestamp");
        return;
    }
    if (end < start) {
        reply_error(req, PROMAPI_BAD_DATA,
                    "invalid parameter \"end\": end timestamp must not be before start time");
        return;
    }
    if (st == NULL || promapi_parse_duration("step", st, &step, &e) != 0) {
        reply_error(req, PROMAPI_BAD_DATA,
                    st ? e.msg
                       : "invalid parameter \"step\": cannot parse \"\" to a valid duration");
        return;
    }
    if (step <= 0) {
        reply_error(req, PROMAPI_BAD_DATA,
                    "invalid parameter \"step\": zero or negative query resolution step widths are "
                    "not accepted. Try a positive integer");
        return;
    }
    if ((end - start) / step > (api->max_points > 0 ? api->max_points : 11000)) {
        reply_error(req, PROMAPI_BAD_DATA,
                    "exceeded maximum resolution of 11,000 points per timeseries. Try decreasing "
                    "the query resolution (?step=XX)");
        return;
    }
    if (q == NULL || *q == '\0') {
        reply_error(req, PROMAPI_BAD_DATA, "invalid parameter \"query\": query must not be empty");
        return;
    }
    j = xcalloc(1, sizeof(*j));
    j->api = api;
    j->req = req;
    j->query = xstrdup(q);
    j->range = true;
    j->start = start;
    j->end = end;
    j->step = step;
    submit(api, j);
}

/* Parsed match[] selectors: one parsed series selector per parameter. */
struct match_sets {
    struct promql_expr_tree **trees;
    const struct matcher *const **ptrs;
    size_t *lens;
    size_t n;
};

static void match_sets_fini(struct match_sets *m)
{
    for (size_t i = 0; i < m->n; i++)
        promql_expr_tree_free(m->trees[i]);
    xfree(m->trees);
    xfree(m->ptrs);
    xfree(m->lens);
    memset(m, 0, sizeof(*m));
}

/*
 * Parses every match[] parameter (a series selector such as up{job="x"} or {a="b"}, with the
 * PromQL parser as Prometheus does) and the optional start/end. Replies 400 and returns false
 * on a bad parameter.
 */
static bool read_selection(struct httpd_req *req, bool required, struct match_sets *out,
                           int64_t *mint, int64_t *maxt)
{
    const struct httpd_params *p;
    struct err e;
    const char *s;
    char msg[1400];
    memset(out, 0, sizeof(*out));
    *mint = ALL_MIN;
    *maxt = ALL_MAX;
    err_clear(&e);
    if (httpd_req_form(req, &p, &e) != 0) {
        snprintf(msg, sizeof(msg), "error parsing form values: %s", e.msg);
        reply_error(req, PROMAPI_BAD_DATA, msg);
        return false;
    }
    if ((s = httpd_req_param(req, "start")) && *s && promapi_parse_time("start", s, mint, &e) != 0)
        goto bad;
    if ((s = httpd_req_param(req, "end")) && *s && promapi_parse_time("end", s, maxt, &e) != 0)
        goto bad;
    for (size_t i = 0; i < p->n; i++) {
        struct promql_expr_tree *t = NULL;
        const char *sel = p->v[i].value;
        if (strcmp(p->v[i].key, "match[]") != 0)
            continue;
        if (promql_parse_selector(sel, strlen(sel), &t, &e) != 0) {
            char pe[1200];
            snprintf(msg, sizeof(msg), "invalid parameter \"match[]\": %s",
                     promql_parse_error_string(&e, pe, sizeof(pe)));
            reply_error(req, PROMAPI_BAD_DATA, msg);
            match_sets_fini(out);
            return false;
        }
        out->trees = xreallocarray(out->trees, out->n + 1, sizeof(*out->trees));
        out->trees[out->n++] = t;
    }
    if (required && out->n == 0) {
        reply_error(req, PROMAPI_BAD_DATA, "no match[] parameter provided");
        return false;
    }
    out->ptrs = xcalloc(out->n ? out->n : 1, sizeof(*out->ptrs));
    out->lens = xcalloc(out->n ? out->n : 1, sizeof(*out->lens));
    for (size_t i = 0; i < out->n; i++) {
        const struct promql_vector_selector *vs = &out->trees[i]->root->u.vs;
        out->ptrs[i] = (const struct matcher *const *)vs->matchers;
        out->lens[i] = vs->nmatchers;
    }
    return true;
bad:
    reply_error(req, PROMAPI_BAD_DATA, e.msg);
    return false;
}

static void reply_strings(struct httpd_req *req, char **v, size_t n)
{
    struct buf b;
    buf_init(&b, 0);
    buf_puts(&b, "{\"status\":\"success\",\"data\":[");
    for (size_t i = 0; i < n; i++) {
        if (i)
            buf_putc(&b, ',');
        buf_put_json_string(&b, v[i], strlen(v[i]));
    }
    buf_puts(&b, "]}");
    httpd_reply_buf(req, 200, JSON_TYPE, &b);
    buf_fini(&b);
}

static void free_strings(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        xfree(v[i]);
    xfree(v);
}

static void handle_series(struct httpd_req *req, void *ctx)
{
    struct query_api *api = ctx;
    struct match_sets m;
    int64_t mint, maxt;
    struct labels **ls = NULL;
    size_t n = 0;
    struct err e;
    const char *lim = NULL;
    size_t limit = 0;
    struct buf b;
    if (api->index.series == NULL) {
        reply_error(req, PROMAPI_UNAVAILABLE, "series listing not implemented by this storage");
        return;
    }
    if (!read_selection(req, true, &m, &mint, &maxt))
        return;
    if ((lim = httpd_req_param(req, "limit")) && *lim)
        limit = (size_t)strtoull(lim, NULL, 10);
    err_clear(&e);
    if (api->index.series(api->index.ctx, m.ptrs, m.lens, m.n, mint, maxt, limit, &ls, &n, &e) !=
        0) {
        reply_error(req, PROMAPI_INTERNAL, e.msg);
        match_sets_fini(&m);
        return;
    }
    buf_init(&b, 0);
    buf_puts(&b, "{\"status\":\"success\",\"data\":[");
    for (size_t i = 0; i < n; i++) {
        if (i)
            buf_putc(&b, ',');
        promjson_labels(ls[i], &b);
        labels_free(ls[i]);
    }
    buf_puts(&b, "]}");
    httpd_reply_buf(req, 200, JSON_TYPE, &b);
    buf_fini(&b);
    xfree(ls);
    match_sets_fini(&m);
}

static void handle_labels(struct httpd_req *req, void *ctx)
{
    struct query_api *api = ctx;
    struct match_sets m;
    int64_t mint, maxt;
    char **v = NULL;
    size_t n = 0;
    struct err e;
    if (api->index.label_names == NULL) {
        reply_error(req, PROMAPI_UNAVAILABLE, "label listing not implemented by this storage");
        return;
    }
    if (!read_selection(req, false, &m, &mint, &maxt))
        return;
    err_clear(&e);
    if (api->index.label_names(api->index.ctx, m.ptrs, m.lens, m.n, mint, maxt, &v, &n, &e) != 0)
        reply_error(req, PROMAPI_INTERNAL, e.msg);
    else
        reply_strings(req, v, n);
    free_strings(v, n);
    match_sets_fini(&m);
}

static void handle_label_values(struct httpd_req *req, void *ctx)
{
    struct query_api *api = ctx;
    struct match_sets m;
    int64_t mint, maxt;
    char **v = NULL;
    size_t n = 0;
    struct err e;
    const char *suffix = httpd_req_path_suffix(req);
    char *name = NULL;
    size_t len = strlen(suffix);
    char msg[600];
    if (len < 7 || strcmp(suffix + len - 7, "/values") != 0) {
        reply_error(req, PROMAPI_NOT_FOUND, "not found");
        return;
    }
    name = xstrndup(suffix, len - 7);
    /* 3.x: names that are not legacy-valid come as U__ escapes; plain UTF-8 is accepted too */
    if (name[0] == '\0' || !utf8_valid(name, strlen(name))) {
        snprintf(msg, sizeof(msg), "invalid label name: \"%.500s\"", name);
        reply_error(req, PROMAPI_BAD_DATA, msg);
        xfree(name);
        return;
    }
    if (api->index.label_values == NULL) {
        reply_error(req, PROMAPI_UNAVAILABLE, "label values not implemented by this storage");
        xfree(name);
        return;
    }
    if (!read_selection(req, false, &m, &mint, &maxt)) {
        xfree(name);
        return;
    }
    err_clear(&e);
    if (api->index.label_values(api->index.ctx, name, m.ptrs, m.lens, m.n, mint, maxt, &v, &n,
                                &e) != 0)
        reply_error(req, PROMAPI_INTERNAL, e.msg);
    else
        reply_strings(req, v, n);
    free_strings(v, n);
    match_sets_fini(&m);
    xfree(name);
}

static void handle_buildinfo(struct httpd_req *req, void *ctx)
{
    struct buf b;
    (void)ctx;
    buf_init(&b, 0);
    buf_printf(&b,
               "{\"status\":\"success\",\"data\":{\"version\":\"%s\",\"revision\":\"%s\","
               "\"branch\":\"\",\"buildUser\":\"\",\"buildDate\":\"\",\"goVersion\":\"\"}}",
               TOCSIN_VERSION, TOCSIN_REVISION);
    httpd_reply_buf(req, 200, JSON_TYPE, &b);
    buf_fini(&b);
}

int query_api_register(struct httpd *srv, struct query_api *api, struct err *e)
{
    static const char *methods[] = {"GET", "POST"};
    int rc;
    for (int i = 0; i < 2; i++) {
        const char *m = methods[i];
        if ((rc = httpd_route_add(srv, m, "/api/v1/query", handle_query, api)) != 0 ||
            (rc = httpd_route_add(srv, m, "/api/v1/query_range", handle_query_range, api)) != 0 ||
            (rc = httpd_route_add(srv, m, "/api/v1/series", handle_series, api)) != 0 ||
            (rc = httpd_route_add(srv, m, "/api/v1/labels", handle_labels, api)) != 0 ||
            (rc = httpd_route_add_prefix(srv, m, "/api/v1/label/", handle_label_values, api)) != 0)
            return err_set(e, rc, "cannot register query API routes");
    }
    if ((rc = httpd_route_add(srv, "GET", "/api/v1/status/buildinfo", handle_buildinfo, api)) != 0)
        return err_set(e, rc, "cannot register query API routes");
    return 0;
}
