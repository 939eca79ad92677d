/* SPDX-License-Identifier: Apache-2.0 */
/*
 * /api/v1/rules, /api/v1/alerts and /api/v1/alertmanagers of the evaluator, in Prometheus's
 * exact JSON shape (Grafana and promtool read them), built from the rule manager's snapshots.
 */
#ifndef TOCSIN_EVALUATOR_API_RULES_API_H
#define TOCSIN_EVALUATOR_API_RULES_API_H

#include <stdbool.h>
#include <stddef.h>

struct buf;
struct err;
struct evmgr;
struct httpd;
struct rule_group_status;

/* Filters of /api/v1/rules (Prometheus's query parameters). Strings borrowed. */
struct rules_api_filter {
    int type; /* 0 = all, 1 = alerting only (type=alert), 2 = recording only (type=record) */
    const char *const *names, *const *groups, *const *files; /* rule_name[], rule_group[], file[] */
    size_t nnames, ngroups, nfiles;
    bool exclude_alerts;
};

/* Appends {"status":"success","data":{"groups":[...]}} for groups[0..n). Any thread. */
void rules_api_rules_json(const struct rule_group_status *groups, size_t n,
                          const struct rules_api_filter *f, struct buf *out);

/* Appends {"status":"success","data":{"alerts":[...]}} with every active alert. Any thread. */
void rules_api_alerts_json(const struct rule_group_status *groups, size_t n, struct buf *out);

/*
 * Registers GET/POST /api/v1/rules, /api/v1/alerts and GET /api/v1/alertmanagers on srv,
 * answering from m (borrowed; must outlive the routes). Thread: the loop thread.
 */
int rules_api_register(struct httpd *srv, struct evmgr *m, struct err *e);

#endif
