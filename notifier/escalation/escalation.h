/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Incidents and escalation. An incident is one aggregation group's life from its first
 * notification to its resolution. It walks its route's escalation policy (step 0 is the route's
 * receiver, sent by the dispatcher; steps 1..n and repeats are sent from here through the same
 * receivers), stops on acknowledgement and resolution, and keeps a durable timeline.
 *
 * Durability (store namespace STORE_NS_ESCALATION, one JSON record per incident): the due time
 * of the next step is committed before it is acted on; firing a step commits "step fired" and
 * its pending deliveries in one record before any send, so a step fires at most once across
 * restarts, and a due step missed while the process was down fires right after start. Pending
 * deliveries are re-sent after a restart until a final outcome is committed (at-least-once per
 * delivery; a duplicate needs a crash between the receiver's 2xx and the commit after it).
 *
 * Everything runs on the loop thread.
 */
#ifndef TOCSIN_NOTIFIER_ESCALATION_ESCALATION_H
#define TOCSIN_NOTIFIER_ESCALATION_ESCALATION_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct am_alert;
struct am_config;
struct am_notify_result;
struct am_receiver;
struct err;
struct event_base;
struct labels;
struct metrics_registry;
struct store;

typedef void (*esc_group_cb)(void *arg, const char *group_key, const struct labels *group_labels,
                             const char *receiver, const struct am_alert *const *alerts, size_t n);

/* What the escalation engine needs from the notifier. */
struct esc_env {
    void *ctx;
    /* Calls cb for every aggregation group with its current alerts. */
    void (*foreach_group)(void *ctx, esc_group_cb cb, void *arg);
    /* "silenced" / "inhibited" when a is muted now, else NULL. */
    const char *(*suppressed)(void *ctx, const struct am_alert *a);
    /* Wall clock, ns. */
    int64_t (*now)(void *ctx);
};

struct esc_opts {
    struct store *store;              /* borrowed; NULL = memory only */
    const char *external_url;         /* base of ack links (copied) */
    const char *ack_secret_file;      /* NULL/"": generated in storage_dir */
    const char *storage_dir;          /* where a generated secret is kept (may be NULL) */
    struct metrics_registry *metrics; /* may be NULL */
    int64_t link_ttl_ns;              /* validity of links in notifications; 0 = 24h */
    int64_t poll_ns;                  /* how often groups are checked; 0 = 250ms */
};

enum esc_action { ESC_ACK, ESC_UNACK, ESC_RESOLVE };

struct escalation;

/* New engine; restores the incidents in o->store. base may be NULL (tests call
 * escalation_tick themselves). ERR_IO when the ack secret cannot be read or created. */
int escalation_new(struct event_base *base, const struct esc_env *env, const struct esc_opts *o,
                   struct escalation **out, struct err *e);
/* Frees the engine; deliveries in flight are detached. NULL is a no-op. */
void escalation_free(struct escalation *x);

/*
 * Parses cfg's escalation extension (ERR_INVALID with position; nothing changes then), then
 * switches to it: receivers (recv[0..n), borrowed, must stay valid until the next attach or
 * free) are used for step sends, and each of their integrations is wrapped so that every
 * notification opens the group's incident when needed and carries the incident id and signed
 * ack link as annotations (tocsin_incident_id, tocsin_ack_url) when its route has an escalation
 * policy (other payloads stay as Alertmanager sends them). cfg must outlive the attach.
 */
int escalation_attach(struct escalation *x, const struct am_config *cfg, struct am_receiver **recv,
                      size_t n, struct err *e);

/* Records one dispatcher delivery attempt (dispatch hooks->attempted) in the timeline. */
void escalation_on_attempt(struct escalation *x, const char *group_key, const char *receiver,
                           unsigned index, const struct am_notify_result *r, unsigned attempt,
                           int64_t now);

/* Checks groups (alerts joining/resolving, silences), fires due steps, runs due retries. */
void escalation_tick(struct escalation *x, int64_t now);
/* Time of the next due step or retry (INT64_MAX when none). */
int64_t escalation_next_deadline(const struct escalation *x);

/*
 * Acknowledges, un-acknowledges or resolves incident id, recorded with by (who) and via ("api",
 * "cli", "link"). ERR_NOTFOUND for an unknown id, ERR_INVALID when the action does not apply to
 * the incident's state (e.g. ack of a resolved incident), ERR_IO when the store write failed.
 * Acking an acked incident is a no-op returning 0.
 */
int escalation_act(struct escalation *x, const char *id, enum esc_action act, const char *by,
                   const char *via, int64_t now, struct err *e);
/* "ack" / "unack" / "resolve" → action; false when unknown. */
bool esc_action_parse(const char *s, enum esc_action *out);
const char *esc_action_name(enum esc_action a);

/* True when sig is a valid, unexpired link signature for (id, action, expires_s). */
bool escalation_link_valid(const struct escalation *x, const char *id, const char *action,
                           int64_t expires_s, const char *sig, int64_t now);
/* A signed link for id and action valid until now + link TTL (caller frees). */
char *escalation_link(const struct escalation *x, const char *id, const char *action, int64_t now);

/* JSON summaries of every incident, newest first (new reference). */
json_t *escalation_list_json(const struct escalation *x);
/* One incident with its timeline (each event with a "text" field), or NULL when unknown. */
json_t *escalation_incident_json(const struct escalation *x, const char *id, int64_t now);

#endif
