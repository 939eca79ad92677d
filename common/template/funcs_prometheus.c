/* SPDX-License-Identifier: Apache-2.0 */
/* Prometheus's template functions (template/template.go): humanize*, query helpers, links,
 * host helpers, time conversion, and the alert-template expansion wrapper. */
#include "common/template/funcs_prometheus.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/labels.h"
#include "common/template/funcs_util.h"
#include "common/template/gofmt.h"
#include "common/timeutil.h"
#include "common/xalloc.h"

#define UNUSED_CTX (void)ctx, (void)argc

static const struct tmpl_prom_opts *popts(struct tmpl_ctx *ctx)
{
    return tmpl_ctx_func_user(ctx);
}

static struct tmpl_value *labels_map(const struct labels *ls)
{
    struct tmpl_value *m = tmpl_map(TMPL_STRING);
    size_t i;
    for (i = 0; ls && i < ls->n; i++)
        tmpl_map_set_str(m, ls->v[i].name, ls->v[i].value);
    return m;
}

/* Prometheus's query result element: *template.sample {Labels map[string]string; Value}. */
static const char *const sample_fields[] = {"Labels", "Value"};
static const struct tmpl_struct_type sample_type =
    TMPL_STRUCT_TYPE("*template.sample", sample_fields, 2);

struct tmpl_value *tmpl_prom_sample(const struct labels *ls, double value)
{
    struct tmpl_value *f[2];
    f[0] = labels_map(ls);
    f[1] = tmpl_float(value);
    return tmpl_struct(&sample_type, f);
}

static bool is_sample(const struct tmpl_value *v)
{
    return v->kind == TMPL_OBJECT && v->u.obj.type == &sample_type.obj;
}

/* The anonymous struct Prometheus's AlertTemplateData returns: fixed fields, Go's type name. */
static const char *const alert_fields[] = {"Labels", "ExternalLabels", "ExternalURL", "Value"};
static const struct tmpl_struct_type alert_data_type = TMPL_STRUCT_TYPE(
    "struct { Labels map[string]string; ExternalLabels map[string]string; ExternalURL string; "
    "Value float64 }",
    alert_fields, 4);

struct tmpl_value *tmpl_prom_alert_data(const struct labels *labels,
                                        const struct labels *external_labels,
                                        const char *external_url, double value)
{
    struct tmpl_value *f[4];
    f[0] = labels_map(labels);
    f[1] = labels_map(external_labels);
    f[2] = tmpl_string(external_url ? external_url : "");
    f[3] = tmpl_float(value);
    return tmpl_struct(&alert_data_type, f);
}

static int fmt_result(struct tmpl_value **out, const char *fmt, double v, const char *suffix)
{
    struct buf b;
    (void)fmt;
    buf_init(&b, 0);
    gofmt_float(&b, v, 'g', 4);
    buf_puts(&b, suffix);
    *out = tfu_take_string(&b);
    return 0;
}

static int fn_humanize(struct tmpl_ctx *ctx, int argc, struct tmpl_value **argv,
                       struct tmpl_value **out, struct err *e)
{
    static const char *const big[] = {"k", "M", "G", "T", "P", "E", "Z", "Y"};
    static const char *const small[] = {"m", "u", "n", "p", "f", "a", "z", "y"};
    const char *prefix = "";
    double v;
    int rc, i;
    UNUSED_CTX;
    if ((rc = tfu_to_float(argv[0], &v, e)) != 0)
        return rc;
    if (v == 0 || isnan(v) || isinf(v))
        return fmt_result(out, "%.4g", v, "");
    if (fabs(v) >= 1) {
        for (i = 0; i < 8; i++) {
            if (fabs(v) < 1000)
                break;
            prefix = big[i];
            v /= 1000;
        }
        return fmt_result(out, "%.4g", v, prefix);
    }
    for (i = 0; i < 8; i++) {
        if (fabs(v) >= 1)
            break;
        prefix = small[i];
        v *= 1000;
    }
    return fmt_result(out, "%.4g", v, prefix);
}

static int fn_humanize1024(struct tmpl_ctx *ctx, int argc, struct tmpl_value **argv,
                           struct tmpl_value **out, struct err *e)
{
    static const char *const big[] = {"ki", "Mi", "Gi", "Ti", "Pi", "Ei", "Zi", "Yi"};
    const char *prefix = "";
    double v;
    int rc, i;
    UNUSED_CTX;
    if ((rc = tfu_to_float(argv[0], &v, e)) != 0)
        return rc;
    if (fabs(v) <= 1 || isnan(v) || isinf(v))
        return fmt_result(out, "%.4g", v, "");
    for (i = 0; i < 8; i++) {
        if (fabs(v) < 1024)
            break;
        prefix = big[i];
        v /= 1024;
    }
    return fmt_result(out, "%.4g", v, prefix);
}

static int fn_humanize_percentage(struct tmpl_ctx *ctx, int argc, struct tmpl_value **argv,
                                  struct tmpl_value **out, struct err *e)
{
    double v;
    int rc;
    UNUSED_CTX;
    if ((rc = tfu_to_float(argv[0], &v, e)) != 0)
        return rc;
    return fmt_result(out, "%.4g", v * 100, "%");
}

/* floatToTime: seconds to a UTC time truncated to milliseconds (model.TimeFromUnixNano). */
static int float_to_time(double v, struct tmpl_value **out, struct err *e)
{
    double ts = v * 1e9;
    int64_t ns;
    if (ts >= 9.223372036854775807e18 || ts < -9.223372036854775808e18) {
        struct buf b;
        buf_init(&b, 0);
        gofmt_float(&b, v, 'g', -1);
        err_set(e, ERR_INVALID,
                "%s cannot be represented as a nanoseconds timestamp since it overflows int64",
                buf_str(&b));
        buf_fini(&b);
        return ERR_INVALID;
    }
    ns = (int64_t)ts;
    ns = ns / 1000000 * 1000000;
    *out = tmpl_time(ns, 0, "UTC");
    return 0;
}

static int fn_humanize_timestamp(struct tmpl_ctx *ctx, int argc, struct tmpl_value **argv,
                                 struct tmpl_value **out, struct err *e)
{
    double v;
    int rc;
    struct tmpl_value *t = NULL;
    struct buf b;
    UNUSED_CTX;
    if ((rc = tfu_to_float(argv[0], &v, e)) != 0)
        return rc;
    if (isnan(v) || isinf(v))
        return fmt_result(out, "%.4g", v, "");
    if ((rc = float_to_time(v, &t, e)) != 0)
        return rc;
    buf_init(&b, 0);
    tmpl_value_print(t, &b);
    tmpl_unref(t);
    *out = tfu_take_string(&b);
    return 0;
}

static int fn_to_time(struct tmpl_ctx *ctx, int argc, struct tmpl_value **argv,
                      struct tmpl_value **out, struct err *e)
{
    double v;
    int rc;
    UNUSED_CTX;
    if ((rc = tfu_to_float(argv[0], &v, e)) != 0)
        return rc;
    if (isnan(v) || isinf(v))
        return err_set(e, ERR_INVALID, "value is NaN or Inf");
    return float_to_time(v, out, e);
}

static int fn_to_duration(struct tmpl_ctx *ctx, int argc, struct tmpl_value **argv,
                          struct tmpl_value **out, struct err *e)
{
    double v;
    int rc;
    UNUSED_CTX;
    if ((rc = tfu_to_float(argv[0], &v, e)) != 0)
        return rc;
    if (isnan(v) || isinf(v))
        return err_set(e, ERR_INVALID, "value is NaN or Inf");
    if (fabs(v * 1e9) >= 9.2e18)
        return err_set(e, ERR_INVALID, "%g cannot be represented as a duration", v);
    *out = tmpl_duration((int64_t)(v * 1e9));
    return 0;
}

static int fn_now(struct tmpl_ctx *ctx, int argc, struct tmpl_value **argv, struct tmpl_value **out,
                  struct err *e)
{
    (void)argc;
    (void)argv;
    (void)e;
    *out = tmpl_float((double)popts(ctx)->now_ms / 1000.0);
    return 0;
}

/* strings.Title: upper-cases the first letter of each word. */
static int fn_title(struct tmpl_ctx *ctx, int argc, struct tmpl_value **argv,
                    struct tmpl_value **out, struct err *e)
{
    const char *s;
    size_t n;
    int rc;
    struct buf b;
    UNUSED_CTX;
    if ((rc = tmpl_arg_string(argv[0], &s, &n, e)) != 0)
        return rc;
    buf_init(&b, 0);
    tfu_map_case(s, n, TFU_TITLE, &b);
    *out = tfu_take_string(&b);
    return 0;
}

/* net.SplitHostPort: 0 on success with [*h, *hl) host and port [*p, *pl). */
static int split_host_port(const char *s, size_t n, size_t *hs, size_t *hl, size_t *ps, size_t *pl)
{
    size_t colon = n, i;
    for (i = n; i > 0; i--) {
        if (s[i - 1] == ':') {
            colon = i - 1;
            break;
        }
    }
    if (colon == n)
        return -1; /* missing port */
    if (n > 0 && s[0] == '[') {
        const char *rb = memchr(s, ']', n);
        size_t end;
        if (!rb)
            return -1;
        end = (size_t)(rb - s);
        if (end + 1 != colon)
            return -1;
        *hs = 1;
        *hl = end - 1;
    } else {
        if (memchr(s, ':', colon))
            return -1; /* too many colons */
        if (memchr(s, '[', colon) || memchr(s, ']', colon))
            return -1;
        *hs = 0;
        *hl = colon;
    }
    if (memchr(s + colon + 1, '[', n - colon - 1) || memchr(s + colon + 1, ']', n - colon - 1))
        return -1;
    *ps = colon + 1;
    *pl = n - colon - 1;
    return 0;
}

static int fn_strip_port(struct tmpl_ctx *ctx, int argc, struct tmpl_value **argv,
                         struct tmpl_value **out, struct err *e)
{
    const char *s;
    size_t n, hs, hl, ps, pl;
    int rc;
    UNUSED_CTX;
    if ((rc = tmpl_arg_string(argv[0], &s, &n, e)) != 0)
        return rc;
    if (split_host_port(s, n, &hs, &hl, &ps, &pl) != 0)
        *out = tmpl_ref(argv[0]);
    else
        *out = tmpl_string_n(s + hs, hl);
    return 0;
}

static bool looks_like_ip(const char *s, size_t n)
{
    size_t i, dots = 0, colons = 0;
    bool digits_only = true;
    for (i = 0; i < n; i++) {
        char c = s[i];
        if (c == '.')
            dots++;
        else if (c == ':')
            colons++;
        else if (!(c >= '0' && c <= '9'))
            digits_only = false;
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') ||
              c == '.' || c == ':'))
            return false;
    }
    if (colons >= 2)
        return true;
    return colons == 0 && dots == 3 && digits_only;
}

static int fn_strip_domain(struct tmpl_ctx *ctx, int argc, struct tmpl_value **argv,
                           struct tmpl_value **out, struct err *e)
{
    const char *s, *host, *dot;
    size_t n, hs = 0, hl, ps = 0, pl = 0;
    int rc;
    bool has_port;
    struct buf b;
    UNUSED_CTX;
    if ((rc = tmpl_arg_string(argv[0], &s, &n, e)) != 0)
        return rc;
    has_port = split_host_port(s, n, &hs, &hl, &ps, &pl) == 0;
    if (!has_port) {
        hs = 0;
        hl = n;
    }
    host = s + hs;
    if (looks_like_ip(host, hl)) {
        *out = tmpl_ref(argv[0]);
        return 0;
    }
    dot = memchr(host, '.', hl);
    if (dot)
        hl = (size_t)(dot - host);
    buf_init(&b, 0);
    if (has_port && pl > 0) {
        bool v6 = memchr(host, ':', hl) != NULL;
        if (v6)
            buf_putc(&b, '[');
        buf_append(&b, host, hl);
        if (v6)
            buf_putc(&b, ']');
        buf_putc(&b, ':');
        buf_append(&b, s + ps, pl);
    } else {
        buf_append(&b, host, hl);
    }
    *out = tfu_take_string(&b);
    return 0;
}

static int fn_strvalue(struct tmpl_ctx *ctx, int argc, struct tmpl_value **argv,
                       struct tmpl_value **out, struct err *e)
{
    struct tmpl_value *l, *v;
    UNUSED_CTX;
    l = tmpl_struct_field(argv[0], 0);
    if (!is_sample(argv[0]))
        return err_set(e, ERR_INVALID, "wrong type for value; expected *template.sample; got %s",
                       tmpl_type_name(argv[0]));
    v = tmpl_map_get(l, "__value__");
    *out = v ? tmpl_ref(v) : tmpl_string("");
    return 0;
}

static int fn_args(struct tmpl_ctx *ctx, int argc, struct tmpl_value **argv,
                   struct tmpl_value **out, struct err *e)
{
    struct tmpl_value *m = tmpl_map(TMPL_NULL);
    int i;
    (void)ctx;
    (void)e;
    for (i = 0; i < argc; i++) {
        char key[32];
        snprintf(key, sizeof(key), "arg%d", i);
        tmpl_map_set(m, key, tmpl_ref(argv[i]));
    }
    *out = m;
    return 0;
}

static int want_samples(const struct tmpl_value *v, struct err *e)
{
    if (v->kind != TMPL_LIST)
        return err_set(e, ERR_INVALID,
                       "wrong type for value; expected template.queryResult; got %s",
                       tmpl_type_name(v));
    return 0;
}

static int want_sample(const struct tmpl_value *v, struct err *e)
{
    if (!is_sample(v))
        return err_set(e, ERR_INVALID, "wrong type for value; expected *template.sample; got %s",
                       tmpl_type_name(v));
    return 0;
}

static int fn_first(struct tmpl_ctx *ctx, int argc, struct tmpl_value **argv,
                    struct tmpl_value **out, struct err *e)
{
    int rc;
    UNUSED_CTX;
    if ((rc = want_samples(argv[0], e)) != 0)
        return rc;
    if (argv[0]->u.list.n == 0)
        return err_set(e, ERR_INVALID, "first() called on vector with no elements");
    *out = tmpl_ref(argv[0]->u.list.v[0]);
    return 0;
}

static int fn_label(struct tmpl_ctx *ctx, int argc, struct tmpl_value **argv,
                    struct tmpl_value **out, struct err *e)
{
    const char *name;
    struct tmpl_value *v;
    int rc;
    UNUSED_CTX;
    if ((rc = tmpl_arg_string(argv[0], &name, NULL, e)) != 0 || (rc = want_sample(argv[1], e)) != 0)
        return rc;
    v = tmpl_map_get(tmpl_struct_field(argv[1], 0), name);
    *out = v ? tmpl_ref(v) : tmpl_string("");
    return 0;
}

static int fn_value(struct tmpl_ctx *ctx, int argc, struct tmpl_value **argv,
                    struct tmpl_value **out, struct err *e)
{
    struct tmpl_value *v;
    int rc;
    UNUSED_CTX;
    if ((rc = want_sample(argv[0], e)) != 0)
        return rc;
    v = tmpl_struct_field(argv[0], 1);
    *out = v ? tmpl_ref(v) : tmpl_float(0);
    return 0;
}

static const char *sample_label(const struct tmpl_value *s, const char *name)
{
    struct tmpl_value *v = tmpl_map_get(tmpl_struct_field(s, 0), name);
    return v && v->kind == TMPL_STRING ? v->u.str.s : "";
}

static int fn_sort_by_label(struct tmpl_ctx *ctx, int argc, struct tmpl_value **argv,
                            struct tmpl_value **out, struct err *e)
{
    const char *name;
    struct tmpl_value *res;
    size_t i, j;
    int rc;
    UNUSED_CTX;
    if ((rc = tmpl_arg_string(argv[0], &name, NULL, e)) != 0 ||
        (rc = want_samples(argv[1], e)) != 0)
        return rc;
    for (i = 0; i < argv[1]->u.list.n; i++) {
        if ((rc = want_sample(argv[1]->u.list.v[i], e)) != 0)
            return rc;
    }
    res = tmpl_list();
    for (i = 0; i < argv[1]->u.list.n; i++)
        tmpl_list_push(res, tmpl_ref(argv[1]->u.list.v[i]));
    /* stable insertion sort: query results are small */
    for (i = 1; i < res->u.list.n; i++) {
        struct tmpl_value *x = res->u.list.v[i];
        const char *kx = sample_label(x, name);
        for (j = i; j > 0 && strcmp(sample_label(res->u.list.v[j - 1], name), kx) > 0; j--)
            res->u.list.v[j] = res->u.list.v[j - 1];
        res->u.list.v[j] = x;
    }
    *out = res;
    return 0;
}

static int fn_query(struct tmpl_ctx *ctx, int argc, struct tmpl_value **argv,
                    struct tmpl_value **out, struct err *e)
{
    const struct tmpl_prom_opts *o = popts(ctx);
    const char *q;
    struct tmpl_value *list;
    int rc;
    (void)argc;
    if ((rc = tmpl_arg_string(argv[0], &q, NULL, e)) != 0)
        return rc;
    if (o->query == NULL)
        return err_set(e, ERR_UNSUPPORTED, "query is not available");
    list = tmpl_list();
    if ((rc = o->query(o->query_user, q, o->now_ms, list, e)) != 0) {
        tmpl_unref(list);
        return rc;
    }
    *out = list;
    return 0;
}

/* The path of the external URL ("" when none). */
static void url_path(const char *url, const char **p, size_t *n)
{
    const char *s = url ? strstr(url, "://") : NULL;
    const char *end;
    *p = "";
    *n = 0;
    if (!s)
        return;
    s = strchr(s + 3, '/');
    if (!s)
        return;
    end = s + strcspn(s, "?#");
    *p = s;
    *n = (size_t)(end - s);
}

static int fn_path_prefix(struct tmpl_ctx *ctx, int argc, struct tmpl_value **argv,
                          struct tmpl_value **out, struct err *e)
{
    const char *p;
    size_t n;
    (void)argc;
    (void)argv;
    (void)e;
    url_path(popts(ctx)->external_url, &p, &n);
    *out = tmpl_string_n(p, n);
    return 0;
}

static int fn_external_url(struct tmpl_ctx *ctx, int argc, struct tmpl_value **argv,
                           struct tmpl_value **out, struct err *e)
{
    const char *u = popts(ctx)->external_url;
    (void)argc;
    (void)argv;
    (void)e;
    *out = tmpl_string(u ? u : "");
    return 0;
}

static int fn_parse_duration(struct tmpl_ctx *ctx, int argc, struct tmpl_value **argv,
                             struct tmpl_value **out, struct err *e)
{
    const char *s;
    int64_t ms;
    int rc;
    UNUSED_CTX;
    if ((rc = tmpl_arg_string(argv[0], &s, NULL, e)) != 0 || (rc = duration_parse(s, &ms, e)) != 0)
        return rc;
    *out = tmpl_float((double)ms / 1000.0);
    return 0;
}

static int link(struct tmpl_value **argv, struct tmpl_value **out, struct err *e, int tab)
{
    const char *s;
    size_t n;
    struct buf b;
    int rc;
    if ((rc = tmpl_arg_string(argv[0], &s, &n, e)) != 0)
        return rc;
    buf_init(&b, 0);
    buf_puts(&b, "/graph?g0.expr=");
    tmpl_url_query_escape(s, n, &b);
    buf_printf(&b, "&g0.tab=%d", tab);
    *out = tfu_take_string(&b);
    return 0;
}

static int fn_graph_link(struct tmpl_ctx *ctx, int argc, struct tmpl_value **argv,
                         struct tmpl_value **out, struct err *e)
{
    UNUSED_CTX;
    return link(argv, out, e, 0);
}

static int fn_table_link(struct tmpl_ctx *ctx, int argc, struct tmpl_value **argv,
                         struct tmpl_value **out, struct err *e)
{
    UNUSED_CTX;
    return link(argv, out, e, 1);
}

void tmpl_funcs_add_prometheus(struct tmpl_funcs *f, const struct tmpl_prom_opts *opts)
{
    void *u = (void *)opts;
    tmpl_funcs_add(f, "humanize", fn_humanize, u, 1, 1);
    tmpl_funcs_add(f, "humanize1024", fn_humanize1024, u, 1, 1);
    tmpl_funcs_add(f, "humanizeDuration", tfu_fn_humanize_duration, u, 1, 1);
    tmpl_funcs_add(f, "humanizePercentage", fn_humanize_percentage, u, 1, 1);
    tmpl_funcs_add(f, "humanizeTimestamp", fn_humanize_timestamp, u, 1, 1);
    tmpl_funcs_add(f, "toTime", fn_to_time, u, 1, 1);
    tmpl_funcs_add(f, "toDuration", fn_to_duration, u, 1, 1);
    tmpl_funcs_add(f, "now", fn_now, u, 0, 0);
    tmpl_funcs_add(f, "title", fn_title, u, 1, 1);
    tmpl_funcs_add(f, "toUpper", tfu_fn_to_upper, u, 1, 1);
    tmpl_funcs_add(f, "toLower", tfu_fn_to_lower, u, 1, 1);
    tmpl_funcs_add(f, "stripPort", fn_strip_port, u, 1, 1);
    tmpl_funcs_add(f, "stripDomain", fn_strip_domain, u, 1, 1);
    tmpl_funcs_add(f, "match", tfu_fn_match, u, 2, 2);
    tmpl_funcs_add(f, "reReplaceAll", tfu_fn_re_replace_all, u, 3, 3);
    tmpl_funcs_add(f, "safeHtml", tfu_fn_safe_html, u, 1, 1);
    tmpl_funcs_add(f, "strvalue", fn_strvalue, u, 1, 1);
    tmpl_funcs_add(f, "args", fn_args, u, 0, -1);
    tmpl_funcs_add(f, "first", fn_first, u, 1, 1);
    tmpl_funcs_add(f, "label", fn_label, u, 2, 2);
    tmpl_funcs_add(f, "value", fn_value, u, 1, 1);
    tmpl_funcs_add(f, "sortByLabel", fn_sort_by_label, u, 2, 2);
    tmpl_funcs_add(f, "query", fn_query, u, 1, 1);
    tmpl_funcs_add(f, "externalURL", fn_external_url, u, 0, 0);
    tmpl_funcs_add(f, "pathPrefix", fn_path_prefix, u, 0, 0);
    tmpl_funcs_add(f, "parseDuration", fn_parse_duration, u, 1, 1);
    tmpl_funcs_add(f, "graphLink", fn_graph_link, u, 1, 1);
    tmpl_funcs_add(f, "tableLink", fn_table_link, u, 1, 1);
}

int tmpl_prom_expand_alert(const struct tmpl_funcs *funcs, const char *name, const char *text,
                           struct tmpl_value *data, struct buf *out, struct err *e)
{
    struct tmpl_set *s = tmpl_set_new(funcs);
    struct tmpl_exec_opts o = {.missingkey = TMPL_MISSINGKEY_ZERO};
    struct buf full, res;
    struct err e2;
    int rc;
    buf_init(&full, 0);
    buf_init(&res, 0);
    err_clear(&e2);
    buf_puts(&full, TMPL_PROM_ALERT_PREFIX);
    buf_puts(&full, text);
    rc = tmpl_set_parse(s, name, buf_str(&full), full.len, &e2);
    if (rc != 0) {
        err_prefix(&e2, "error parsing template %s", name);
    } else if ((rc = tmpl_set_execute(s, name, data, &o, &res, &e2)) != 0) {
        err_prefix(&e2, "error executing template %s", name);
    }
    if (rc != 0) {
        buf_printf(out, "<error expanding template: %s>", e2.msg);
        if (e)
            *e = e2;
    } else {
        buf_append(out, buf_str(&res), res.len);
    }
    buf_fini(&full);
    buf_fini(&res);
    tmpl_set_free(s);
    return rc;
}
