/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Alert templates through common/template: Prometheus's prelude and data, missingkey=zero, and
 * Prometheus's template functions when common/template provides them (funcs_prometheus.h).
 * Without that header the function names are still registered so that rule files parse, but
 * calling one fails with "function X is not available in this build".
 */
#include "evaluator/rules/rtmpl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/labels.h"
#include "common/template/template.h"
#include "common/xalloc.h"
#include "evaluator/rules/group.h"

#if __has_include("common/template/funcs_prometheus.h")
#include "common/template/funcs_prometheus.h"
#define RTMPL_PROM_FUNCS 1
#endif

#define RTMPL_PRELUDE                                              \
    "{{$labels := .Labels}}{{$externalLabels := .ExternalLabels}}" \
    "{{$externalURL := .ExternalURL}}{{$value := .Value}}"

#ifdef RTMPL_PROM_FUNCS
static int query_adapter(void *user, const char *expr, int64_t ts_ms, struct tmpl_value *list,
                         struct err *e)
{
    struct rule_tmpl_query *q = user;
    struct rule_vector vec;
    rule_vector_init(&vec);
    int rc = q->query(q->ctx, expr, ts_ms, &vec, e);
    if (rc == 0)
        for (size_t i = 0; i < vec.n; i++)
            tmpl_list_push(list, tmpl_prom_sample(vec.v[i].labels, vec.v[i].v));
    rule_vector_fini(&vec);
    return rc;
}

static struct tmpl_funcs *make_funcs(struct tmpl_prom_opts *po, const struct rule_tmpl_data *d,
                                     struct rule_tmpl_query *q)
{
    struct tmpl_funcs *f = tmpl_funcs_new();
    memset(po, 0, sizeof(*po));
    po->external_url = d ? d->external_url : NULL;
    po->now_ms = d ? d->ts_ms : 0;
    if (q && q->query) {
        po->query = query_adapter;
        po->query_user = q;
    }
    tmpl_funcs_add_prometheus(f, po);
    return f;
}
#else
static int unavailable(struct tmpl_ctx *ctx, int argc, struct tmpl_value **argv,
                       struct tmpl_value **out, struct err *e)
{
    (void)argc;
    (void)argv;
    (void)out;
    return err_set(e, ERR_UNSUPPORTED, "function %s is not available in this build",
                   (const char *)tmpl_ctx_func_user(ctx));
}

struct rtmpl_dummy {
    int unused;
};

static struct tmpl_funcs *make_funcs(struct rtmpl_dummy *po, const struct rule_tmpl_data *d,
                                     struct rule_tmpl_query *q)
{
    static const char *const names[] = {
        "humanize",
        "humanize1024",
        "humanizeDuration",
        "humanizePercentage",
        "humanizeTimestamp",
        "toTime",
        "toDuration",
        "now",
        "title",
        "toUpper",
        "toLower",
        "stripPort",
        "stripDomain",
        "match",
        "reReplaceAll",
        "safeHtml",
        "strvalue",
        "args",
        "first",
        "label",
        "value",
        "sortByLabel",
        "query",
        "externalURL",
        "pathPrefix",
        "parseDuration",
        "graphLink",
        "tableLink",
    };
    (void)po;
    (void)d;
    (void)q;
    struct tmpl_funcs *f = tmpl_funcs_new();
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        tmpl_funcs_add(f, names[i], unavailable, (void *)names[i], 0, -1);
    return f;
}
#endif

#ifdef RTMPL_PROM_FUNCS
typedef struct tmpl_prom_opts rtmpl_opts;
#else
typedef struct rtmpl_dummy rtmpl_opts;
#endif

static struct tmpl_value *labels_map(const struct labels *ls)
{
    struct tmpl_value *m = tmpl_map(TMPL_STRING);
    for (size_t i = 0; ls && i < ls->n; i++)
        tmpl_map_set_str(m, ls->v[i].name, ls->v[i].value);
    return m;
}

static struct tmpl_value *alert_data(const struct rule_tmpl_data *d)
{
    struct tmpl_value *m = tmpl_map(TMPL_NULL);
    tmpl_map_set(m, "Labels", labels_map(d ? d->labels : NULL));
    tmpl_map_set(m, "ExternalLabels", labels_map(d ? d->external_labels : NULL));
    tmpl_map_set(m, "ExternalURL", tmpl_string(d && d->external_url ? d->external_url : ""));
    tmpl_map_set(m, "Value", tmpl_float(d ? d->value : 0));
    return m;
}

int rule_template_check(const char *alert_name, const char *text, struct err *e)
{
    rtmpl_opts po;
    struct tmpl_funcs *f = make_funcs(&po, NULL, NULL);
    struct tmpl_set *s = tmpl_set_new(f);
    char *name = xasprintf("__alert_%s", alert_name);
    char *full = xasprintf("%s%s", RTMPL_PRELUDE, text);
    int rc = tmpl_set_parse(s, name, full, SIZE_MAX, e);
    free(full);
    free(name);
    tmpl_set_free(s);
    tmpl_funcs_free(f);
    return rc;
}

int rule_template_expand(const char *alert_name, const char *text, const struct rule_tmpl_data *d,
                         struct rule_tmpl_query *q, char **out, struct err *e)
{
    rtmpl_opts po;
    struct buf b;
    struct tmpl_exec_opts xo = {0};
    int rc;
    *out = NULL;
    if (!strstr(text, "{{")) { /* the common case: no actions at all */
        *out = xstrdup(text);
        return 0;
    }
    struct tmpl_funcs *f = make_funcs(&po, d, q);
    struct tmpl_set *s = tmpl_set_new(f);
    struct tmpl_value *data = alert_data(d);
    char *name = xasprintf("__alert_%s", alert_name);
    char *full = xasprintf("%s%s", RTMPL_PRELUDE, text);
    buf_init(&b, 0);
    xo.missingkey = TMPL_MISSINGKEY_ZERO;
    rc = tmpl_set_parse(s, name, full, SIZE_MAX, e);
    if (rc == 0)
        rc = tmpl_set_execute(s, name, data, &xo, &b, e);
    if (rc == 0)
        *out = xstrdup(buf_str(&b));
    buf_fini(&b);
    free(full);
    free(name);
    tmpl_unref(data);
    tmpl_set_free(s);
    tmpl_funcs_free(f);
    return rc;
}
