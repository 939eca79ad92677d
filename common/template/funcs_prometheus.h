/* SPDX-License-Identifier: Apache-2.0 */
/* Prometheus's template functions (rule labels/annotations, consoles) for the template engine. */
#ifndef TOCSIN_COMMON_TEMPLATE_FUNCS_PROMETHEUS_H
#define TOCSIN_COMMON_TEMPLATE_FUNCS_PROMETHEUS_H

#include <stdint.h>

#include "common/template/template.h"

struct labels;

/*
 * Runs a PromQL instant query for the `query` function at ts_ms and appends one sample per
 * series to list with tmpl_list_push(list, tmpl_prom_sample(...)). Returns 0 or a negative
 * ERR_* with a message in e (shown as "error calling query: MESSAGE").
 */
typedef int (*tmpl_prom_query_cb)(void *user, const char *expr, int64_t ts_ms,
                                  struct tmpl_value *list, struct err *e);

struct tmpl_prom_opts {
    const char *external_url; /* --web.external-url, e.g. "http://prom:9090/prefix"; may be NULL */
    int64_t now_ms;           /* evaluation time: query timestamp and `now` */
    tmpl_prom_query_cb query; /* NULL: `query` fails with "query is not available" */
    void *query_user;
};

/*
 * Registers humanize, humanize1024, humanizeDuration, humanizePercentage, humanizeTimestamp,
 * toTime, toDuration, now, title, toUpper, toLower, stripPort, stripDomain, match, reReplaceAll,
 * safeHtml, strvalue, args, first, label, value, sortByLabel, query, externalURL, pathPrefix,
 * parseDuration, graphLink, tableLink. opts is borrowed: it must outlive funcs, and the caller
 * may change now_ms (and the other fields) between executions.
 */
void tmpl_funcs_add_prometheus(struct tmpl_funcs *funcs, const struct tmpl_prom_opts *opts);

/* A query-result sample as templates see it: .Labels (map[string]string) and .Value. */
struct tmpl_value *tmpl_prom_sample(const struct labels *ls, double value);

/*
 * The data Prometheus gives alert label/annotation templates: .Labels, .ExternalLabels,
 * .ExternalURL, .Value. labels/external_labels may be NULL (empty). New reference.
 */
struct tmpl_value *tmpl_prom_alert_data(const struct labels *labels,
                                        const struct labels *external_labels,
                                        const char *external_url, double value);

/* The definitions Prometheus prepends to every alert template ($labels, $externalLabels,
 * $externalURL, $value). Prepend it to the text before parsing. */
#define TMPL_PROM_ALERT_PREFIX                                     \
    "{{$labels := .Labels}}{{$externalLabels := .ExternalLabels}}" \
    "{{$externalURL := .ExternalURL}}{{$value := .Value}}"

/*
 * Expands an alert template the way Prometheus's rule manager does: prefix + text, parsed with
 * missingkey=zero and executed against data. On failure out holds
 * "<error expanding template: MESSAGE>" (as Prometheus stores in the annotation) and the error
 * code is returned. out is appended to.
 */
int tmpl_prom_expand_alert(const struct tmpl_funcs *funcs, const char *name, const char *text,
                           struct tmpl_value *data, struct buf *out, struct err *e);

#endif
