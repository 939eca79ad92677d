/* SPDX-License-Identifier: Apache-2.0 */
/* The Opsgenie integration: Alert API v2 create / close (and, with update_alerts, message and
 * description updates) keyed by the SHA-256 of the group key, as Alertmanager 0.25 sends them. */
#ifndef TOCSIN_NOTIFIER_RECEIVERS_OPSGENIE_H
#define TOCSIN_NOTIFIER_RECEIVERS_OPSGENIE_H

#include <stddef.h>

#include "notifier/receivers/receiver.h"

struct am_opsgenie_config;
struct am_tmpl;
struct err;

#define OPSGENIE_MAX_REQ 3

/* One HTTP request of a notification. */
struct opsgenie_req {
    const char *method; /* "POST" or "PUT" (static) */
    char *url;          /* owned */
    char *body;         /* owned JSON, with Go's trailing newline */
    size_t len;
};

/* What one notification sends, in order. */
struct opsgenie_plan {
    struct opsgenie_req req[OPSGENIE_MAX_REQ];
    size_t n;
    char *auth; /* "GenieKey <key>" (owned) */
};

/*
 * Builds the requests Alertmanager 0.25 sends for d: while any alert fires, POST
 * {api_url}v2/alerts {alias, message (cut to 130 runes), description, details (common labels
 * overridden by the templated `details`), source, responders (type "teams" split into one
 * "team" per name, all-empty ones dropped), tags, note, priority, entity, actions} then, with
 * update_alerts, PUT .../v2/alerts/{alias}/message and .../description (?identifierType=alias);
 * when all are resolved, POST .../v2/alerts/{alias}/close?identifierType=alias {source}. The
 * alias is the SHA-256 hex of the group key; the API key (templated; api_key_file is reread and
 * trimmed) goes into p->auth. Returns 0 with *p filled (free with opsgenie_plan_fini), or a
 * template / key file error in e (nothing to free).
 */
int opsgenie_build(const struct am_opsgenie_config *c, struct am_tmpl *t,
                   const struct am_notify_data *d, struct opsgenie_plan *p, struct err *e);

/* Frees what p owns (a zeroed plan is fine). */
void opsgenie_plan_fini(struct opsgenie_plan *p);

/*
 * New Opsgenie integration. c (borrowed) must outlive it; t gets a reference; sender is
 * borrowed. Each attempt sends the plan's requests one after the other with
 * Authorization: GenieKey and the http_config's transport options, stopping at the first that
 * fails (classified like Alertmanager's Retrier: 5xx, 429 and no answer retried). Caller frees
 * with am_integration_free.
 */
struct am_integration *opsgenie_new(const struct am_opsgenie_config *c, unsigned index,
                                    struct am_tmpl *t, struct receiver_sender *sender);

#endif
