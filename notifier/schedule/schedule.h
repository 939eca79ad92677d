/* SPDX-License-Identifier: Apache-2.0 */
/*
 * On-call schedules and users (Tocsin extension keys `schedules:` and `users:` of the notifier
 * config): rotations anchored at a local date and handoff time in a time zone, layers (a later
 * layer overrides the earlier ones where it covers the time), and temporary overrides. Answers
 * "who is primary/secondary on call for schedule X at time t". Pure computation (time zones
 * from notifier/config/tzdb, no process-wide TZ switch); thread-safe once parsed.
 */
#ifndef TOCSIN_NOTIFIER_SCHEDULE_SCHEDULE_H
#define TOCSIN_NOTIFIER_SCHEDULE_SCHEDULE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct tz;

struct err;
struct yamlx_node;

enum oncall_role { ONCALL_PRIMARY = 0, ONCALL_SECONDARY = 1 };

/* A person with contact details (every field may be NULL except name). */
struct oncall_user {
    char *name, *email, *phone, *slack, *pagerduty_key;
};

struct oncall_layer {
    char *name;
    char **members; /* user names, rotation order (NULL-terminated) */
    size_t nmembers;
    int64_t rotation_s;            /* rotation length in seconds (> 0) */
    int start_y, start_m, start_d; /* local date of the first handoff */
    int handoff_min;               /* local minute of the day of every handoff */
    int from_min, to_min;          /* daily coverage window (local minutes); -1 = all day */
};

struct oncall_override {
    int64_t start_s, end_s; /* [start, end) in unix seconds */
    char *user;
    enum oncall_role role;
};

struct oncall_schedule {
    char *name;
    char *time_zone;       /* IANA name, "UTC" default */
    const struct tz *zone; /* loaded zone (process-wide cache of notifier/config/tzdb) */
    struct oncall_layer *layers;
    size_t nlayers;
    struct oncall_override *overrides;
    size_t noverrides;
};

struct oncall_directory {
    struct oncall_user *users;
    size_t nusers;
    struct oncall_schedule *schedules;
    size_t nschedules;
};

/*
 * Parses the `schedules:` and `users:` nodes (either may be NULL). Every member and override
 * user must be a known user. Errors are ERR_INVALID with file:line:column. *out: caller frees
 * with oncall_directory_free.
 */
int oncall_directory_parse(const struct yamlx_node *schedules, const struct yamlx_node *users,
                           struct oncall_directory **out, struct err *e);
void oncall_directory_free(struct oncall_directory *d);

/* Lookups by name (NULL when unknown). Borrowed from d. */
const struct oncall_schedule *oncall_schedule_find(const struct oncall_directory *d,
                                                   const char *name);
const struct oncall_user *oncall_user_find(const struct oncall_directory *d, const char *name);

/*
 * The user name on call for role at unix time now_s (borrowed from s), or NULL when nobody is
 * (no layer covers the time, or a one-member layer has no secondary). Overrides win over
 * layers; a later layer wins over an earlier one where it covers the time.
 */
const char *oncall_who(const struct oncall_schedule *s, enum oncall_role role, int64_t now_s);

/* "primary" / "secondary" → role; false when neither. */
bool oncall_role_parse(const char *s, enum oncall_role *out);

#endif
