/* SPDX-License-Identifier: Apache-2.0 */
/* Alertmanager's notification template functions and data types (KV with SortedPairs/Names/
 * Values/Remove, Alerts with Firing/Resolved) for the template engine. */
#ifndef TOCSIN_COMMON_TEMPLATE_FUNCS_ALERTMANAGER_H
#define TOCSIN_COMMON_TEMPLATE_FUNCS_ALERTMANAGER_H

#include <stdint.h>

#include "common/template/template.h"

struct labels;

struct tmpl_am_opts {
    int64_t now_ms; /* clock for `since`; 0 means the real clock */
};

/*
 * Registers toUpper, toLower, title, trimSpace, join, match, safeHtml, safeUrl, urlUnescape,
 * reReplaceAll, stringSlice, date, tz, since, humanizeDuration, toJson. opts may be NULL; when
 * given it is borrowed and must outlive funcs.
 */
void tmpl_funcs_add_alertmanager(struct tmpl_funcs *funcs, const struct tmpl_am_opts *opts);

/* A template.KV (map[string]string with SortedPairs, Names, Values, Remove, String) holding a
 * copy of ls (NULL: empty). New reference. */
struct tmpl_value *tmpl_am_kv(const struct labels *ls);
/* Same from a map value of strings (reference taken). */
struct tmpl_value *tmpl_am_kv_from_map(struct tmpl_value *map);
/* A template.Alerts (list with Firing and Resolved methods) wrapping list (reference taken);
 * elements are tmpl_am_alert values (or maps with a "Status" string). */
struct tmpl_value *tmpl_am_alerts(struct tmpl_value *list);

/*
 * A template.Alert struct (fields Status, Labels, Annotations, StartsAt, EndsAt, GeneratorURL,
 * Fingerprint; printed like Go's %v of the struct). References to labels/annotations (KV
 * values) and the two times are taken; NULL gives empty KVs / Go's zero time.
 */
struct tmpl_value *tmpl_am_alert(const char *status, struct tmpl_value *labels,
                                 struct tmpl_value *annotations, struct tmpl_value *starts_at,
                                 struct tmpl_value *ends_at, const char *generator_url,
                                 const char *fingerprint);
/*
 * Alertmanager's notification data (*template.Data: Receiver, Status, Alerts, GroupLabels,
 * CommonLabels, CommonAnnotations, ExternalURL). alerts (a tmpl_am_alerts value) and the three
 * KVs are taken; NULL gives empty ones.
 */
struct tmpl_value *tmpl_am_data(const char *receiver, const char *status, struct tmpl_value *alerts,
                                struct tmpl_value *group_labels, struct tmpl_value *common_labels,
                                struct tmpl_value *common_annotations, const char *external_url);

#endif
