/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Escalation policies (Tocsin extension key `escalation_policies:` and route
 * `escalation_policy:` of the notifier config), parsed and checked against the receivers,
 * schedules and users of the same config. Thread: any.
 */
#ifndef TOCSIN_NOTIFIER_ESCALATION_POLICY_H
#define TOCSIN_NOTIFIER_ESCALATION_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "notifier/schedule/schedule.h"

struct am_config;
struct err;

/* "Whoever is on call for schedule now, in role, reached through receiver via." */
struct esc_target {
    char *schedule;
    enum oncall_role role;
    char *via; /* receiver name whose templates read the tocsin_oncall_* annotations */
};

struct esc_step {
    int64_t after_ms; /* offset from the start of the chain (step 0, the route's receiver, is 0) */
    char **receivers; /* NULL-terminated receiver names */
    size_t nreceivers;
    struct esc_target *notify;
    size_t nnotify;
};

struct esc_policy {
    char *name;
    struct esc_step *steps; /* steps 1..n of the chain, after_ms non-decreasing */
    size_t nsteps;
    int64_t repeat;             /* how many more times the whole chain runs (0 = once) */
    int64_t repeat_interval_ms; /* one chain cycle; default: the last step's after */
    bool stop_on_ack, stop_on_resolve, reescalate_on_new_alerts;
};

struct esc_config {
    struct esc_policy *policies;
    size_t npolicies;
    struct oncall_directory *dir; /* schedules and users (never NULL) */
};

/*
 * Parses cfg's escalation_policies, schedules and users, and checks every receiver, schedule
 * and route escalation_policy name. ERR_INVALID with file:line:column. *out: caller frees
 * with esc_config_free. cfg is only read.
 */
int esc_config_parse(const struct am_config *cfg, struct esc_config **out, struct err *e);
void esc_config_free(struct esc_config *c);
const struct esc_policy *esc_policy_find(const struct esc_config *c, const char *name);

#endif
