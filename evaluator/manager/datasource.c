/* SPDX-License-Identifier: Apache-2.0 */
/* Rule queries against a remote PromQL HTTP API; shared HTTP client settings (see datasource.h). */
#include "evaluator/manager/datasource.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/jsonx.h"
#include "common/labels.h"
#include "common/timeutil.h"
#include "common/xalloc.h"
#include "evaluator/config/config.h"
#include "evaluator/promql/storage.h"

/* Secrets files are small; anything larger is a mistake. */
#define SECRET_MAX (64 * 1024)

static int read_secret(const char *path, char **out, struct err *e)
{
    int rc = ERR_INTERNAL;
    FILE *f = NULL;
    struct buf b;
    char chunk[4096];
    size_t k;
    buf_init(&b, SECRET_MAX);
    *out = NULL;
    f = fopen(path, "r");
    if (f == NULL) {
        rc = err_set(e, ERR_IO, "reading %s: %s", path, strerror(errno));
        goto out;
    }
    while ((k = fread(chunk, 1, sizeof(chunk), f)) > 0) {
        if (buf_append(&b, chunk, k) != 0) {
            rc = err_set(e, ERR_TOOBIG, "reading %s: larger than %d bytes", path, SECRET_MAX);
            goto out;
        }
    }
    while (b.len > 0 && strchr(" \t\r\n", b.data[b.len - 1]) != NULL)
        b.data[--b.len] = '\0';
    *out = buf_steal(&b, NULL);
    rc = 0;
out:
    if (f)
        fclose(f);
    buf_fini(&b);
    return rc;
}

static void add_header(struct evhttp_client *c, const char *name, const char *value)
{
    size_t n = strlen(name) + strlen(value) + 3;
    char *h = xmalloc(n);
    snprintf(h, n, "%s: %s", name, value);
    c->headers = xreallocarray(c->headers, c->nheaders + 2, sizeof(*c->headers));
    c->headers[c->nheaders++] = h;
    c->headers[c->nheaders] = NULL;
}

int evhttp_client_init(struct evhttp_client *c, const struct evcfg_auth *auth,
                       const struct evcfg_tls *tls, const struct evcfg_headers *headers,
                       struct err *e)
{
    int rc = ERR_INTERNAL;
    char *secret = NULL;
    memset(c, 0, sizeof(*c));
    c->headers = xcalloc(1, sizeof(*c->headers));
    if (auth && auth->username) {
        c->basic_user = xstrdup(auth->username);
        if (auth->password_file) {
            if ((rc = read_secret(auth->password_file, &c->basic_pw, e)) != 0)
                goto out;
        } else {
            c->basic_pw = xstrdup(auth->password ? auth->password : "");
        }
    }
    if (auth && (auth->credentials || auth->credentials_file)) {
        if (auth->credentials_file) {
            if ((rc = read_secret(auth->credentials_file, &secret, e)) != 0)
                goto out;
        } else {
            secret = xstrdup(auth->credentials);
        }
        const char *type = auth->auth_type && auth->auth_type[0] ? auth->auth_type : "Bearer";
        if (strcmp(type, "Bearer") == 0) {
            c->bearer = secret;
            secret = NULL;
        } else {
            size_t n = strlen(type) + strlen(secret) + 2;
            char *v = xmalloc(n);
            snprintf(v, n, "%s %s", type, secret);
            add_header(c, "Authorization", v);
            free(v);
        }
    }
    if (headers)
        for (size_t i = 0; i < headers->n; i++)
            add_header(c, headers->names[i], headers->values[i]);
    if (tls) {
        c->tls.ca_file = tls->ca_file;
        c->tls.cert_file = tls->cert_file;
        c->tls.key_file = tls->key_file;
        c->tls.insecure_skip_verify = tls->insecure_skip_verify;
    }
    rc = 0;
out:
    free(secret);
    if (rc != 0)
        evhttp_client_fini(c);
    return rc;
}

void evhttp_client_fini(struct evhttp_client *c)
{
    free(c->bearer);
    free(c->basic_user);
    free(c->basic_pw);
    for (size_t i = 0; i < c->nheaders; i++)
        free(c->headers[i]);
    free(c->headers);
    memset(c, 0, sizeof(*c));
}

void evhttp_client_apply(const struct evhttp_client *c, struct httpc_request *req)
{
    req->bearer_token = c->bearer;
    req->basic_user = c->basic_user;
    req->basic_password = c->basic_pw;
    req->headers = (const char *const *)c->headers;
    req->tls = c->tls;
}

/* A sample value: [<unix seconds>, "<value>"]. */
static int parse_point(const json_t *p, int64_t *t, double *v, struct err *e)
{
    if (!json_is_array(p) || json_array_size(p) != 2 || !json_is_number(json_array_get(p, 0)) ||
        !json_is_string(json_array_get(p, 1)))
        return err_set(e, ERR_INVALID, "datasource: malformed sample in query result");
    double secs = json_number_value(json_array_get(p, 0));
    const char *s = json_string_value(json_array_get(p, 1));
    char *end = NULL;
    *t = (int64_t)(secs * 1000.0 + (secs >= 0 ? 0.5 : -0.5));
    errno = 0;
    *v = strtod(s, &end);
    if (end == s || *end != '\0') {
        if (strcmp(s, "+Inf") == 0)
            *v = 1.0 / 0.0;
        else if (strcmp(s, "-Inf") == 0)
            *v = -1.0 / 0.0;
        else
            return err_set(e, ERR_INVALID, "datasource: bad sample value \"%s\"", s);
    }
    return 0;
}

static int parse_metric(const json_t *m, struct labels **out, struct err *e)
{
    struct labels_builder lb;
    const char *k;
    json_t *v;
    *out = NULL;
    if (m != NULL && !json_is_object(m))
        return err_set(e, ERR_INVALID, "datasource: malformed metric in query result");
    labels_builder_init(&lb);
    json_object_foreach((json_t *)m, k, v)
    {
        if (!json_is_string(v)) {
            labels_builder_fini(&lb);
            return err_set(e, ERR_INVALID, "datasource: label %s is not a string", k);
        }
        labels_builder_set(&lb, k, json_string_value(v));
    }
    *out = labels_builder_finish(&lb);
    labels_builder_fini(&lb);
    return 0;
}

int evds_parse_result(const char *body, size_t n, struct rule_vector *out, struct err *e)
{
    int rc = ERR_INTERNAL;
    json_t *root = NULL;
    struct labels *ls = NULL;
    if ((rc = jsonx_parse(body, n, &root, e)) != 0) {
        rc = err_set(e, ERR_INVALID, "datasource: answer is not JSON: %s", e ? e->msg : "");
        goto out;
    }
    const char *status = jsonx_get_string(root, "status");
    if (status == NULL || strcmp(status, "success") != 0) {
        const char *msg = jsonx_get_string(root, "error");
        const char *type = jsonx_get_string(root, "errorType");
        rc = err_set(e, ERR_INVALID, "datasource: %s%s%s", type ? type : "", type ? ": " : "",
                     msg ? msg : "query failed");
        goto out;
    }
    const json_t *data = json_object_get(root, "data");
    const char *rtype = jsonx_get_string(data, "resultType");
    const json_t *result = json_object_get(data, "result");
    if (rtype == NULL || result == NULL) {
        rc = err_set(e, ERR_INVALID, "datasource: answer without data.resultType/result");
        goto out;
    }
    if (strcmp(rtype, "scalar") == 0) {
        int64_t t;
        double v;
        if ((rc = parse_point(result, &t, &v, e)) != 0)
            goto out;
        rule_vector_add(out, labels_empty(), t, v);
    } else if (strcmp(rtype, "vector") == 0) {
        if (!json_is_array(result)) {
            rc = err_set(e, ERR_INVALID, "datasource: vector result is not a list");
            goto out;
        }
        size_t i;
        json_t *s;
        json_array_foreach(result, i, s)
        {
            int64_t t;
            double v;
            if ((rc = parse_metric(json_object_get(s, "metric"), &ls, e)) != 0 ||
                (rc = parse_point(json_object_get(s, "value"), &t, &v, e)) != 0)
                goto out;
            rule_vector_add(out, ls, t, v);
            ls = NULL;
        }
    } else {
        rc = err_set(e, ERR_INVALID, "rule result is not a vector or scalar");
        goto out;
    }
    rc = 0;
out:
    labels_free(ls);
    if (root)
        json_decref(root);
    return rc;
}

int evds_query(void *ctx, const char *expr, int64_t ts_ms, struct rule_vector *out, struct err *e)
{
    struct evds *ds = ctx;
    struct httpc_request req = {0};
    struct httpc_response resp;
    struct buf form;
    char ts[64];
    int rc;
    buf_init(&form, 0);
    memset(&resp, 0, sizeof(resp));
    buf_puts(&form, "query=");
    for (const unsigned char *p = (const unsigned char *)expr; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            *p == '-' || *p == '_' || *p == '.' || *p == '~')
            buf_putc(&form, (char)*p);
        else
            buf_printf(&form, "%%%02X", *p);
    }
    buf_printf(&form, "&time=%s", timestamp_format_unix(ts_ms, ts, sizeof(ts)));
    req.method = "POST";
    req.url = ds->query_url;
    req.body = form.data;
    req.body_len = form.len;
    req.content_type = "application/x-www-form-urlencoded";
    req.timeout_ms = ds->timeout_ms;
    req.max_attempts = 1;
    evhttp_client_apply(&ds->http, &req);
    rc = httpc_do_sync(&req, &resp, e);
    if (rc != 0) {
        rc = err_set(e, rc, "datasource %s: %s", ds->query_url, resp.error);
        goto out;
    }
    if (resp.status / 100 != 2 && resp.status != 400 && resp.status != 422 && resp.status != 503) {
        rc = err_set(e, ERR_IO, "datasource %s: HTTP status %d", ds->query_url, resp.status);
        goto out;
    }
    rc = evds_parse_result(resp.body, resp.body_len, out, e);
out:
    httpc_response_fini(&resp);
    buf_fini(&form);
    return rc;
}
