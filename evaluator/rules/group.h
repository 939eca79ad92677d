/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Rule groups at run time: recording and alerting rules evaluated in order, the alert state
 * machine of Prometheus 3.x (rules/alerting.go), ALERTS / ALERTS_FOR_STATE output, staleness
 * markers, resend and endsAt rules, scheduling with an injectable clock, counters, and
 * snapshots for /api/v1/rules and /api/v1/alerts.
 *
 * Threads: a group is evaluated by one thread at a time (rule_group_eval / rule_group_tick);
 * rule_group_snapshot and the state-file functions may run concurrently from other threads
 * (a per-group mutex guards the state they read).
 */
#ifndef TOCSIN_EVALUATOR_RULES_GROUP_H
#define TOCSIN_EVALUATOR_RULES_GROUP_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "evaluator/rules/rulefile.h"

struct err;
struct labels;

/* "No time" for the optional timestamps below (0 is a valid time: the Unix epoch). */
#define RULE_TIME_NONE INT64_MIN

/* A sample: owned labels, a timestamp (ms) and a value. */
struct rule_sample {
    struct labels *labels;
    int64_t t;
    double v;
};

/* A growable list of samples; rule_vector_fini frees the labels. */
struct rule_vector {
    struct rule_sample *v;
    size_t n, cap;
};

void rule_vector_init(struct rule_vector *vec);
void rule_vector_fini(struct rule_vector *vec);
/* Appends a sample, taking ownership of labels. */
void rule_vector_add(struct rule_vector *vec, struct labels *labels, int64_t t, double v);

/*
 * Instant query of expr at ts_ms. Appends the result to out (a scalar result becomes one sample
 * with empty labels; a string result is an error "rule result is not a vector or scalar").
 * Returns 0 or a negative ERR_* with the message in e. Called from the evaluating thread.
 */
typedef int (*rule_query_cb)(void *ctx, const char *expr, int64_t ts_ms, struct rule_vector *out,
                             struct err *e);

/*
 * Writes samples (recording-rule results, ALERTS, ALERTS_FOR_STATE, staleness markers with the
 * PROMQL_STALE_NAN_BITS pattern) at their timestamps. They must be visible to the next query of
 * the same evaluation (rules of a group see their predecessors' output at the same timestamp).
 * Samples and labels are borrowed for the call. Returns 0 or an error (logged, counted).
 */
typedef int (*rule_append_cb)(void *ctx, const struct rule_sample *s, size_t n, struct err *e);

/* One alert to send (Alertmanager API v2 fields). Pointers borrowed for the call. */
struct rule_alert_send {
    const struct labels *labels;
    const struct labels *annotations;
    int64_t starts_at_ms; /* when it started firing */
    int64_t ends_at_ms;   /* resolve time, or eval time + 4 * max(interval, resend delay) */
    const char *generator_url;
};

/* Hands alerts to the notifier sender. expr is the rule's expression text. */
typedef void (*rule_notify_cb)(void *ctx, const char *expr, const struct rule_alert_send *alerts,
                               size_t n);

/* What every group of a manager shares. Strings and labels are borrowed (must outlive groups). */
struct rule_group_opts {
    rule_query_cb query;
    void *query_ctx;                      /* first argument of query */
    rule_append_cb append;                /* may be NULL: outputs are dropped */
    void *append_ctx;                     /* first argument of append */
    rule_notify_cb notify;                /* may be NULL */
    void *notify_ctx;                     /* first argument of notify */
    const struct labels *external_labels; /* may be NULL */
    const char *external_url;             /* may be NULL; generatorURL prefix */
    int64_t default_interval_ms;          /* global evaluation_interval (default 1m) */
    int64_t default_query_offset_ms;      /* global rule_query_offset */
    int64_t resend_delay_ms;              /* default 1m */
};

enum alert_state { ALERT_INACTIVE = 0, ALERT_PENDING = 1, ALERT_FIRING = 2 };
enum rule_health { RULE_HEALTH_UNKNOWN = 0, RULE_HEALTH_OK = 1, RULE_HEALTH_ERR = 2 };

/* "inactive", "pending", "firing" */
const char *alert_state_str(enum alert_state s);
/* "unknown", "ok", "err" (the API's health strings) */
const char *rule_health_str(enum rule_health h);

struct alert {
    struct labels *labels;      /* owned: series labels - __name__ + rule labels + alertname */
    struct labels *annotations; /* owned: expanded annotations */
    uint64_t hash;              /* labels_hash(labels) */
    enum alert_state state;
    double value;
    int64_t active_at;         /* ms */
    int64_t fired_at;          /* ms or RULE_TIME_NONE */
    int64_t resolved_at;       /* ms or RULE_TIME_NONE */
    int64_t last_sent_at;      /* ms or RULE_TIME_NONE */
    int64_t valid_until;       /* ms or RULE_TIME_NONE */
    int64_t keep_firing_since; /* ms or RULE_TIME_NONE */
    bool in_result;            /* evaluation scratch: produced by the current query */
    bool replaced;             /* evaluation scratch: superseded by a new alert */
};

struct rule {
    struct rule_def def;          /* owned copy; def.labels merged with the group's labels */
    struct labels *static_labels; /* def.labels as a label set (for recording rules) */
    /* health, last error and timing (guarded by the group mutex) */
    enum rule_health health;
    char *last_error; /* owned or NULL */
    int64_t last_eval_ms;
    int64_t eval_duration_us;
    bool failing; /* inside a failure streak (logged once) */
    /* alerting state */
    struct alert **alerts;
    size_t nalerts, capalerts;
    /* series written at the previous evaluation, for staleness markers */
    struct labels **prev;
    size_t nprev;
};

struct rule_group {
    char *name;
    char *file;
    int64_t interval_ms;
    int64_t query_offset_ms;
    long long limit;
    struct rule *rules;
    size_t nrules;
    const struct rule_group_opts *opts; /* borrowed */
    pthread_mutex_t mu;

    /* scheduling */
    int64_t offset_ms;    /* stable hash(name, file) % interval */
    int64_t next_eval_ms; /* RULE_TIME_NONE until started */

    /* counters (guarded by mu) */
    uint64_t evaluations;
    uint64_t failures; /* rule evaluation failures */
    uint64_t missed;   /* missed iterations */
    int64_t last_eval_ms;
    int64_t last_duration_us;
    uint64_t state_version; /* bumped whenever alert state changed (for persistence) */
};

/*
 * Builds a runnable group from its definition (copied; def may be freed afterwards). opts is
 * borrowed. Returns a new group (caller frees with rule_group_free).
 */
struct rule_group *rule_group_new(const struct rule_group_def *def,
                                  const struct rule_group_opts *opts);
void rule_group_free(struct rule_group *g);

/*
 * Evaluates every rule once at ts_ms (the scheduled time; query_offset is subtracted for the
 * queries and output timestamps). now_ms / duration come from the caller's clock through
 * time_mono_ms. Rule errors mark the rule unhealthy and are counted; the group goes on.
 * Returns the number of rules that failed.
 */
int rule_group_eval(struct rule_group *g, int64_t ts_ms);

/* The time of the first evaluation at or before start_ms aligned to interval + offset. */
int64_t rule_group_eval_timestamp(const struct rule_group *g, int64_t start_ms);

/*
 * Scheduler step with an injectable clock. The first call sets the next evaluation to the
 * aligned time after now. When now_ms has reached it, counts missed iterations (never queues
 * them), evaluates once at the latest due slot and schedules the next one. Returns the time (ms)
 * of the next due evaluation, so the caller can arm its timer.
 */
int64_t rule_group_tick(struct rule_group *g, int64_t now_ms);

/*
 * Carries alert state and staleness bookkeeping from old to new (a reload): rules are matched
 * by kind, name and labels, like Prometheus's Group.CopyState. Both groups must be idle.
 */
void rule_group_copy_state(struct rule_group *dst, struct rule_group *src);

/* ------------------------------------------------------------------ snapshots for the API */

struct alert_status {
    struct labels *labels;      /* owned copy */
    struct labels *annotations; /* owned copy */
    enum alert_state state;
    double value;
    int64_t active_at;         /* ms */
    int64_t keep_firing_since; /* ms or RULE_TIME_NONE */
};

struct rule_status {
    enum rule_kind kind;
    char *name;
    char *expr;
    int64_t for_ms, keep_firing_for_ms;
    struct labels *labels;      /* the rule's labels (owned) */
    struct labels *annotations; /* the rule's annotation templates (owned) */
    enum rule_health health;
    char *last_error; /* owned, "" when none */
    int64_t last_eval_ms;
    int64_t eval_duration_us;
    enum alert_state state;      /* max over alerts (alerting rules) */
    struct alert_status *alerts; /* active (not resolved) alerts */
    size_t nalerts;
};

struct rule_group_status {
    char *name, *file;
    int64_t interval_ms, query_offset_ms;
    long long limit;
    int64_t last_eval_ms;
    int64_t last_duration_us;
    uint64_t evaluations, failures, missed;
    struct rule_status *rules;
    size_t nrules;
};

/* Copies the group's current state into out (caller calls rule_group_status_fini). */
void rule_group_snapshot(struct rule_group *g, struct rule_group_status *out);
void rule_group_status_fini(struct rule_group_status *s);

/* Calls f for every current alert of every alerting rule (under the group lock). */
void rule_group_foreach_alert(struct rule_group *g,
                              void (*f)(void *arg, const struct rule *r, const struct alert *a),
                              void *arg);

/* Internal helpers shared with the state file (evaluator/rules/state.c). */
struct alert *rule_alert_new(void);
void rule_alert_free(struct alert *a);
void rule_add_alert(struct rule *r, struct alert *a);

#endif
