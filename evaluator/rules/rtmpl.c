/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Alert templates through common/template: Prometheus's prelude and data, missingkey=zero, and
 * Prometheus's template functions (humanize, query, ...) with the group's query function.
 */
#include "evaluator/rules/rtmpl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/labels.h"
#include "common/template/funcs_prometheus.h"
#include "common/template/template.h"
#include "common/xalloc.h"
#include "evaluator/rules/group.h"

#define RTMPL_PRELUDE TMPL_PROM_ALERT_PREFIX

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

typedef struct tmpl_prom_opts rtmpl_opts;

static struct tmpl_value *alert_data(const struct rule_tmpl_data *d)
{
    if (!d)
        return tmpl_prom_alert_data(NULL, NULL, "", 0);
    return tmpl_prom_alert_data(d->labels, d->external_labels,
                                d->external_url ? d->external_url : "", d->value);
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
    /* Prometheus's Expander names the stage and the template before the engine's message */
    if ((rc = tmpl_set_parse(s, name, full, SIZE_MAX, e)) != 0)
        err_prefix(e, "error parsing template %s", name);
    else if ((rc = tmpl_set_execute(s, name, data, &xo, &b, e)) != 0)
        err_prefix(e, "error executing template %s", name);
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
