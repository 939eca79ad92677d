/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Alert templates: the adapter between rules and the Go text/template engine. Rule labels and
 * annotations are expanded with Prometheus's prelude ({{$labels := .Labels}}...) and data
 * (.Labels, .ExternalLabels, .ExternalURL, .Value), under the template name "__alert_<name>".
 */
#ifndef TOCSIN_EVALUATOR_RULES_RTMPL_H
#define TOCSIN_EVALUATOR_RULES_RTMPL_H

#include <stdint.h>

struct err;
struct labels;

/* What a template sees. All pointers borrowed. */
struct rule_tmpl_data {
    const struct labels *labels;          /* the series labels (with __name__ when present) */
    const struct labels *external_labels; /* may be NULL */
    const char *external_url;             /* may be NULL */
    double value;
    int64_t ts_ms; /* evaluation time */
};

struct rule_vector;

/* The query function templates may call ({{ query "..." }}): the group's query callback. */
struct rule_tmpl_query {
    int (*query)(void *ctx, const char *expr, int64_t ts_ms, struct rule_vector *out,
                 struct err *e);
    void *ctx;
};

/*
 * Parses text as a template (with the prelude) without running it, as rulefmt does for alert
 * labels and annotations. alert_name names the template. Returns 0 or ERR_PARSE with the Go
 * message in e ("template: __alert_X:1: unexpected ..."). Thread-safe.
 */
int rule_template_check(const char *alert_name, const char *text, struct err *e);

/*
 * Expands text with data d. *out is a new string (caller frees) on success; on failure returns
 * a negative ERR_* with the Go-style message in e (the caller then uses
 * "<error expanding template: MSG>"). Thread-safe.
 */
int rule_template_expand(const char *alert_name, const char *text, const struct rule_tmpl_data *d,
                         struct rule_tmpl_query *q, char **out, struct err *e);

#endif
