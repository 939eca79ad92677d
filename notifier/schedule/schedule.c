/* SPDX-License-Identifier: Apache-2.0 */
/* On-call schedules: config parsing and "who is on call now" with time zones, layers and
 * overrides. */
#include "notifier/schedule/schedule.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/timeutil.h"
#include "common/xalloc.h"
#include "common/yamlx.h"
#include "notifier/config/tzdb.h"

/* ---- civil time ---- */

/* Days since 1970-01-01 of a proleptic Gregorian date. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    int64_t era, yoe, doy, doe;
    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0)))
        q--;
    return q;
}

static int64_t floor_mod(int64_t a, int64_t b)
{
    return a - floor_div(a, b) * b;
}

/* Civil date of a day number (inverse of days_from_civil). */
static void civil_from_days(int64_t z, int *y, int *m, int *d)
{
    int64_t era, doe, yoe, doy, mp;
    z += 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = z - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

/* Local date and minute of the day of unix time t in zone z. */
static void local_time(const struct tz *z, int64_t t, int *y, int *m, int *d, int *minute)
{
    int64_t local = t + tz_offset(z, t);
    civil_from_days(floor_div(local, 86400), y, m, d);
    *minute = (int)(floor_mod(local, 86400) / 60);
}

/* Unix time of a local civil time in zone z (in a DST gap, the later offset applies). */
static int64_t civil_to_unix(const struct tz *z, int y, int m, int d, int min)
{
    int64_t local = days_from_civil(y, m, d) * 86400 + (int64_t)min * 60;
    int64_t t = local - tz_offset(z, local);
    return local - tz_offset(z, t);
}

/* ---- who is on call ---- */

bool oncall_role_parse(const char *s, enum oncall_role *out)
{
    if (strcmp(s, "primary") == 0)
        *out = ONCALL_PRIMARY;
    else if (strcmp(s, "secondary") == 0)
        *out = ONCALL_SECONDARY;
    else
        return false;
    return true;
}

/* Rotation index of layer l at now_s; false when the layer does not cover the time. */
static bool layer_index(const struct oncall_schedule *s, const struct oncall_layer *l,
                        int64_t now_s, int64_t *k)
{
    int y, m, d, minute;
    local_time(s->zone, now_s, &y, &m, &d, &minute);
    if (l->from_min >= 0) {
        bool in = l->from_min <= l->to_min ? (minute >= l->from_min && minute < l->to_min)
                                           : (minute >= l->from_min || minute < l->to_min);
        if (!in)
            return false;
    }
    if (l->rotation_s % 86400 == 0) {
        /* calendar rotation: handoffs at the local handoff time, whatever DST does */
        int64_t days =
            days_from_civil(y, m, d) - days_from_civil(l->start_y, l->start_m, l->start_d);
        if (minute < l->handoff_min)
            days--;
        *k = floor_div(days, l->rotation_s / 86400);
    } else {
        int64_t anchor = civil_to_unix(s->zone, l->start_y, l->start_m, l->start_d, l->handoff_min);
        *k = floor_div(now_s - anchor, l->rotation_s);
    }
    return true;
}

const char *oncall_who(const struct oncall_schedule *s, enum oncall_role role, int64_t now_s)
{
    for (size_t i = s->noverrides; i-- > 0;) {
        const struct oncall_override *o = &s->overrides[i];
        if (o->role == role && now_s >= o->start_s && now_s < o->end_s)
            return o->user;
    }
    for (size_t i = s->nlayers; i-- > 0;) {
        const struct oncall_layer *l = &s->layers[i];
        int64_t k;
        if (!layer_index(s, l, now_s, &k))
            continue;
        if (role == ONCALL_SECONDARY && l->nmembers < 2)
            return NULL;
        return l->members[floor_mod(k + (int64_t)role, (int64_t)l->nmembers)];
    }
    return NULL;
}

/* ---- parsing ---- */

const struct oncall_schedule *oncall_schedule_find(const struct oncall_directory *d,
                                                   const char *name)
{
    for (size_t i = 0; d && i < d->nschedules; i++)
        if (strcmp(d->schedules[i].name, name) == 0)
            return &d->schedules[i];
    return NULL;
}

const struct oncall_user *oncall_user_find(const struct oncall_directory *d, const char *name)
{
    for (size_t i = 0; d && i < d->nusers; i++)
        if (strcmp(d->users[i].name, name) == 0)
            return &d->users[i];
    return NULL;
}

void oncall_directory_free(struct oncall_directory *d)
{
    if (d == NULL)
        return;
    for (size_t i = 0; i < d->nusers; i++) {
        struct oncall_user *u = &d->users[i];
        xfree(u->name);
        xfree(u->email);
        xfree(u->phone);
        xfree(u->slack);
        xfree(u->pagerduty_key);
    }
    xfree(d->users);
    for (size_t i = 0; i < d->nschedules; i++) {
        struct oncall_schedule *s = &d->schedules[i];
        for (size_t k = 0; k < s->nlayers; k++) {
            xfree(s->layers[k].name);
            yamlx_strv_free(s->layers[k].members);
        }
        for (size_t k = 0; k < s->noverrides; k++)
            xfree(s->overrides[k].user);
        xfree(s->layers);
        xfree(s->overrides);
        xfree(s->name);
        xfree(s->time_zone);
    }
    xfree(d->schedules);
    xfree(d);
}

/* "HH:MM" → minutes of the day. */
static int parse_hhmm(const struct yamlx_node *n, int *out, struct err *e)
{
    int h = -1, m = -1;
    char tail;
    if (n->kind != YAMLX_SCALAR || sscanf(n->str, "%2d:%2d%c", &h, &m, &tail) != 2 || h < 0 ||
        h > 23 || m < 0 || m > 59)
        return yamlx_error(e, n, ERR_INVALID, "expected a time of day HH:MM, got \"%s\"",
                           n->kind == YAMLX_SCALAR ? n->str : "");
    *out = h * 60 + m;
    return 0;
}

static int parse_date(const struct yamlx_node *n, int *y, int *m, int *d, struct err *e)
{
    char tail;
    if (n->kind != YAMLX_SCALAR || sscanf(n->str, "%4d-%2d-%2d%c", y, m, d, &tail) != 3 || *m < 1 ||
        *m > 12 || *d < 1 || *d > 31)
        return yamlx_error(e, n, ERR_INVALID, "expected a date YYYY-MM-DD, got \"%s\"",
                           n->kind == YAMLX_SCALAR ? n->str : "");
    return 0;
}

static int parse_time(const struct yamlx_node *n, int64_t *out, struct err *e)
{
    int64_t ms;
    struct err e2;
    if (n->kind != YAMLX_SCALAR || timestamp_parse(n->str, &ms, &e2) != 0)
        return yamlx_error(e, n, ERR_INVALID, "expected an RFC3339 time, got \"%s\"",
                           n->kind == YAMLX_SCALAR ? n->str : "");
    *out = floor_div(ms, 1000);
    return 0;
}

static int need(const struct yamlx_node *map, const char *key, const char *what,
                const struct yamlx_node **out, struct err *e)
{
    *out = yamlx_map_get(map, key);
    if (yamlx_is_null(*out))
        return yamlx_error(e, map, ERR_INVALID, "%s: missing %s", what, key);
    return 0;
}

static int parse_users(const struct yamlx_node *n, struct oncall_directory *d, struct err *e)
{
    static const char *const keys[] = {"name", "email", "phone", "slack", "pagerduty_key", NULL};
    int rc;
    if (yamlx_is_null(n))
        return 0;
    if (n->kind != YAMLX_SEQ)
        return yamlx_error(e, n, ERR_INVALID, "users: expected a list");
    d->users = xcalloc(n->n ? n->n : 1, sizeof(*d->users));
    for (size_t i = 0; i < n->n; i++) {
        const struct yamlx_node *u = n->kids[i], *name;
        struct oncall_user *ou = &d->users[d->nusers];
        if ((rc = yamlx_map_check(u, keys, "user", e)) != 0)
            return rc;
        if ((rc = need(u, "name", "user", &name, e)) != 0)
            return rc;
        d->nusers++;
        if ((rc = yamlx_get_str(name, &ou->name, e)) != 0 ||
            (rc = yamlx_get_str(yamlx_map_get(u, "email"), &ou->email, e)) != 0 ||
            (rc = yamlx_get_str(yamlx_map_get(u, "phone"), &ou->phone, e)) != 0 ||
            (rc = yamlx_get_str(yamlx_map_get(u, "slack"), &ou->slack, e)) != 0 ||
            (rc = yamlx_get_str(yamlx_map_get(u, "pagerduty_key"), &ou->pagerduty_key, e)) != 0)
            return rc;
        for (size_t k = 0; k + 1 < d->nusers; k++)
            if (strcmp(d->users[k].name, ou->name) == 0)
                return yamlx_error(e, name, ERR_INVALID, "user \"%s\" defined twice", ou->name);
    }
    return 0;
}

static int check_user(const struct oncall_directory *d, const struct yamlx_node *n,
                      const char *name, struct err *e)
{
    if (oncall_user_find(d, name) == NULL)
        return yamlx_error(e, n, ERR_INVALID, "unknown user \"%s\" (define it under users:)", name);
    return 0;
}

static int parse_layer(const struct yamlx_node *n, struct oncall_directory *d,
                       struct oncall_layer *l, struct err *e)
{
    static const char *const keys[] = {"name",    "members", "rotation", "start",
                                       "handoff", "hours",   NULL};
    const struct yamlx_node *m, *rot, *start, *hours;
    int64_t ms = 0;
    int rc;
    l->from_min = l->to_min = -1;
    if ((rc = yamlx_map_check(n, keys, "layer", e)) != 0)
        return rc;
    if ((rc = yamlx_get_str(yamlx_map_get(n, "name"), &l->name, e)) != 0)
        return rc;
    if ((rc = need(n, "members", "layer", &m, e)) != 0 ||
        (rc = yamlx_get_strv(m, &l->members, &l->nmembers, e)) != 0)
        return rc;
    if (l->nmembers == 0)
        return yamlx_error(e, m, ERR_INVALID, "layer: members must not be empty");
    for (size_t i = 0; i < l->nmembers; i++)
        if ((rc = check_user(d, m->kids[i], l->members[i], e)) != 0)
            return rc;
    if ((rc = need(n, "rotation", "layer", &rot, e)) != 0 ||
        (rc = yamlx_get_duration(rot, &ms, e)) != 0)
        return rc;
    if (ms < 1000 || ms % 1000 != 0)
        return yamlx_error(e, rot, ERR_INVALID, "layer: rotation must be whole seconds >= 1s");
    l->rotation_s = ms / 1000;
    if ((rc = need(n, "start", "layer", &start, e)) != 0 ||
        (rc = parse_date(start, &l->start_y, &l->start_m, &l->start_d, e)) != 0)
        return rc;
    if (!yamlx_is_null(yamlx_map_get(n, "handoff")) &&
        (rc = parse_hhmm(yamlx_map_get(n, "handoff"), &l->handoff_min, e)) != 0)
        return rc;
    hours = yamlx_map_get(n, "hours");
    if (!yamlx_is_null(hours)) {
        const struct yamlx_node *from, *to;
        static const char *const hk[] = {"from", "to", NULL};
        if ((rc = yamlx_map_check(hours, hk, "hours", e)) != 0 ||
            (rc = need(hours, "from", "hours", &from, e)) != 0 ||
            (rc = need(hours, "to", "hours", &to, e)) != 0 ||
            (rc = parse_hhmm(from, &l->from_min, e)) != 0 ||
            (rc = parse_hhmm(to, &l->to_min, e)) != 0)
            return rc;
        if (l->from_min == l->to_min)
            return yamlx_error(e, hours, ERR_INVALID, "hours: from and to must differ");
    }
    return 0;
}

static int parse_override(const struct yamlx_node *n, struct oncall_directory *d,
                          struct oncall_override *o, struct err *e)
{
    static const char *const keys[] = {"start", "end", "user", "role", NULL};
    const struct yamlx_node *st, *en, *us, *ro;
    char *role = NULL;
    int rc;
    if ((rc = yamlx_map_check(n, keys, "override", e)) != 0 ||
        (rc = need(n, "start", "override", &st, e)) != 0 ||
        (rc = need(n, "end", "override", &en, e)) != 0 ||
        (rc = need(n, "user", "override", &us, e)) != 0 ||
        (rc = parse_time(st, &o->start_s, e)) != 0 || (rc = parse_time(en, &o->end_s, e)) != 0 ||
        (rc = yamlx_get_str(us, &o->user, e)) != 0 || (rc = check_user(d, us, o->user, e)) != 0)
        return rc;
    if (o->end_s <= o->start_s)
        return yamlx_error(e, en, ERR_INVALID, "override: end must be after start");
    o->role = ONCALL_PRIMARY;
    ro = yamlx_map_get(n, "role");
    if ((rc = yamlx_get_str(ro, &role, e)) != 0)
        return rc;
    if (role && !oncall_role_parse(role, &o->role))
        rc = yamlx_error(e, ro, ERR_INVALID, "role must be primary or secondary, got \"%s\"", role);
    xfree(role);
    return rc;
}

static int parse_schedule(const struct yamlx_node *n, struct oncall_directory *d,
                          struct oncall_schedule *s, struct err *e)
{
    static const char *const keys[] = {"name", "time_zone", "layers", "overrides", NULL};
    const struct yamlx_node *name, *layers, *ov, *tz;
    int rc;
    if ((rc = yamlx_map_check(n, keys, "schedule", e)) != 0 ||
        (rc = need(n, "name", "schedule", &name, e)) != 0 ||
        (rc = yamlx_get_str(name, &s->name, e)) != 0)
        return rc;
    tz = yamlx_map_get(n, "time_zone");
    if ((rc = yamlx_get_str(tz, &s->time_zone, e)) != 0)
        return rc;
    if (s->time_zone == NULL)
        s->time_zone = xstrdup("UTC");
    {
        struct err e2;
        if (tz_load(s->time_zone, &s->zone, &e2) != 0)
            return yamlx_error(e, tz, ERR_INVALID, "unknown time zone \"%s\": %s", s->time_zone,
                               e2.msg);
    }
    if ((rc = need(n, "layers", "schedule", &layers, e)) != 0)
        return rc;
    if (layers->kind != YAMLX_SEQ || layers->n == 0)
        return yamlx_error(e, layers, ERR_INVALID, "schedule: layers must be a non-empty list");
    s->layers = xcalloc(layers->n, sizeof(*s->layers));
    for (size_t i = 0; i < layers->n; i++) {
        s->nlayers++;
        if ((rc = parse_layer(layers->kids[i], d, &s->layers[i], e)) != 0)
            return rc;
    }
    ov = yamlx_map_get(n, "overrides");
    if (!yamlx_is_null(ov)) {
        if (ov->kind != YAMLX_SEQ)
            return yamlx_error(e, ov, ERR_INVALID, "schedule: overrides must be a list");
        s->overrides = xcalloc(ov->n ? ov->n : 1, sizeof(*s->overrides));
        for (size_t i = 0; i < ov->n; i++) {
            s->noverrides++;
            if ((rc = parse_override(ov->kids[i], d, &s->overrides[i], e)) != 0)
                return rc;
        }
    }
    return 0;
}

int oncall_directory_parse(const struct yamlx_node *schedules, const struct yamlx_node *users,
                           struct oncall_directory **out, struct err *e)
{
    int rc = ERR_INTERNAL;
    struct oncall_directory *d = xcalloc(1, sizeof(*d));
    *out = NULL;
    if ((rc = parse_users(users, d, e)) != 0)
        goto out;
    if (!yamlx_is_null(schedules)) {
        if (schedules->kind != YAMLX_SEQ) {
            rc = yamlx_error(e, schedules, ERR_INVALID, "schedules: expected a list");
            goto out;
        }
        d->schedules = xcalloc(schedules->n ? schedules->n : 1, sizeof(*d->schedules));
        for (size_t i = 0; i < schedules->n; i++) {
            d->nschedules++;
            if ((rc = parse_schedule(schedules->kids[i], d, &d->schedules[i], e)) != 0)
                goto out;
            for (size_t k = 0; k < i; k++)
                if (strcmp(d->schedules[k].name, d->schedules[i].name) == 0) {
                    rc = yamlx_error(e, schedules->kids[i], ERR_INVALID,
                                     "schedule \"%s\" defined twice", d->schedules[i].name);
                    goto out;
                }
        }
    }
    *out = d;
    d = NULL;
    rc = 0;
out:
    oncall_directory_free(d);
    return rc;
}
