/* SPDX-License-Identifier: Apache-2.0 */
/* Time intervals: parsing of Alertmanager's time_intervals entries and instant evaluation. */
#include "notifier/config/timeinterval.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/xalloc.h"
#include "common/yamlx.h"
#include "notifier/config/emit.h"
#include "notifier/config/tzdb.h"

static const char *const weekday_names[] = {"sunday",   "monday", "tuesday", "wednesday",
                                            "thursday", "friday", "saturday"};
static const char *const month_names[] = {"january",   "february", "march",    "april",
                                          "may",       "june",     "july",     "august",
                                          "september", "october",  "november", "december"};

static void push_range(struct ti_range **v, size_t *n, int b, int e)
{
    *v = xreallocarray(*v, *n + 1, sizeof(**v));
    (*v)[*n].begin = b;
    (*v)[*n].end = e;
    (*n)++;
}

/* Parses "HH:MM" (00:00..23:59 or 24:00) into minutes. */
static int parse_hhmm(const char *s, int *out)
{
    if (strlen(s) != 5 || s[2] != ':' || !isdigit((unsigned char)s[0]) ||
        !isdigit((unsigned char)s[1]) || !isdigit((unsigned char)s[3]) ||
        !isdigit((unsigned char)s[4]))
        return -1;
    int h = (s[0] - '0') * 10 + (s[1] - '0'), m = (s[3] - '0') * 10 + (s[4] - '0');
    if (h == 24 && m == 0)
        return (*out = 24 * 60), 0;
    if (h > 23 || m > 59)
        return -1;
    *out = h * 60 + m;
    return 0;
}

static int parse_times(const struct yamlx_node *n, struct time_interval *ti, struct err *e)
{
    static const char *const keys[] = {"start_time", "end_time", NULL};
    int r;
    if (yamlx_is_null(n))
        return 0;
    if (n->kind != YAMLX_SEQ)
        return yamlx_error(e, n, ERR_INVALID, "cannot unmarshal %s into []TimeRange",
                           yamlx_kind_str(n->kind));
    ti->has_times = true;
    for (size_t i = 0; i < n->n; i++) {
        const struct yamlx_node *it = n->kids[i];
        char *st = NULL, *en = NULL;
        int b = 0, eend = 0;
        if (yamlx_is_null(it)) {
            push_range(&ti->times, &ti->ntimes, 0, 0); /* Go's zero TimeRange: never matches */
            continue;
        }
        if ((r = yamlx_map_check(it, keys, "time range", e)) != 0)
            return r;
        if ((r = yamlx_get_str(yamlx_map_get(it, "start_time"), &st, e)) != 0 ||
            (r = yamlx_get_str(yamlx_map_get(it, "end_time"), &en, e)) != 0) {
            xfree(st);
            xfree(en);
            return r;
        }
        if (st == NULL || en == NULL || !*st || !*en) {
            r = yamlx_error(e, it, ERR_INVALID, "both start and end times must be provided");
        } else if (parse_hhmm(st, &b) != 0 || b == 24 * 60) {
            r = yamlx_error(e, it, ERR_INVALID, "couldn't parse timestamp %s, invalid format", st);
        } else if (parse_hhmm(en, &eend) != 0) {
            r = yamlx_error(e, it, ERR_INVALID, "couldn't parse timestamp %s, invalid format", en);
        } else if (b >= eend) {
            r = yamlx_error(e, it, ERR_INVALID,
                            "start time cannot be equal or greater than end time");
        } else {
            push_range(&ti->times, &ti->ntimes, b, eend);
        }
        xfree(st);
        xfree(en);
        if (r != 0)
            return r;
    }
    return 0;
}

/* Splits "a:b" (or "a") into two lower-cased parts; returns false when malformed. */
static bool split_range(const char *s, char *a, char *b, size_t cap)
{
    const char *colon = strchr(s, ':');
    size_t la = colon ? (size_t)(colon - s) : strlen(s);
    const char *sb = colon ? colon + 1 : s;
    if (la == 0 || la >= cap || strlen(sb) == 0 || strlen(sb) >= cap || (colon && strchr(sb, ':')))
        return false;
    for (size_t i = 0; i < la; i++)
        a[i] = (char)tolower((unsigned char)s[i]);
    a[la] = 0;
    size_t lb = strlen(sb);
    for (size_t i = 0; i < lb; i++)
        b[i] = (char)tolower((unsigned char)sb[i]);
    b[lb] = 0;
    return true;
}

static int name_index(const char *s, const char *const *names, int count)
{
    for (int i = 0; i < count; i++)
        if (strcmp(s, names[i]) == 0)
            return i;
    return -1;
}

static bool parse_intstr(const char *s, int *out)
{
    char *end;
    long v;
    if (*s == 0)
        return false;
    v = strtol(s, &end, 10);
    if (*end != 0 || v < -100000 || v > 100000)
        return false;
    *out = (int)v;
    return true;
}

enum rkind { R_WEEKDAY, R_DOM, R_MONTH, R_YEAR };

static int parse_one_range(const struct yamlx_node *it, enum rkind k, int *pb, int *pe,
                           struct err *e)
{
    char a[64], b[64];
    int x = 0, y = 0;
    if (!split_range(it->str, a, b, sizeof(a)))
        return yamlx_error(e, it, ERR_INVALID, "invalid range %s", it->str);
    switch (k) {
    case R_WEEKDAY:
        if ((x = name_index(a, weekday_names, 7)) < 0)
            return yamlx_error(e, it, ERR_INVALID, "%s is not a valid weekday", a);
        if ((y = name_index(b, weekday_names, 7)) < 0)
            return yamlx_error(e, it, ERR_INVALID, "%s is not a valid weekday", b);
        if (x > y)
            return yamlx_error(e, it, ERR_INVALID, "start day cannot be before end day");
        break;
    case R_DOM:
        if (!parse_intstr(a, &x) || !parse_intstr(b, &y))
            return yamlx_error(e, it, ERR_INVALID, "invalid range %s", it->str);
        if (x == 0 || x < -31 || x > 31)
            return yamlx_error(e, it, ERR_INVALID,
                               "%d is not a valid day of the month: out of range", x);
        if (y == 0 || y < -31 || y > 31)
            return yamlx_error(e, it, ERR_INVALID,
                               "%d is not a valid day of the month: out of range", y);
        /* Same-signed ranges must be ordered; mixed signs are resolved per month. */
        if (((x > 0 && y > 0) || (x < 0 && y < 0)) && x > y)
            return yamlx_error(e, it, ERR_INVALID, "end day must be greater than start day");
        if (x < 0 && y > 0)
            return yamlx_error(e, it, ERR_INVALID,
                               "end day must be negative if start day is negative");
        break;
    case R_MONTH:
        if ((x = name_index(a, month_names, 12)) >= 0)
            x++;
        else if (!parse_intstr(a, &x) || x < 1 || x > 12)
            return yamlx_error(e, it, ERR_INVALID, "%s is not a valid month", a);
        if ((y = name_index(b, month_names, 12)) >= 0)
            y++;
        else if (!parse_intstr(b, &y) || y < 1 || y > 12)
            return yamlx_error(e, it, ERR_INVALID, "%s is not a valid month", b);
        if (x > y)
            return yamlx_error(e, it, ERR_INVALID, "end month %s is before start month %s", b, a);
        break;
    case R_YEAR:
        if (!parse_intstr(a, &x) || !parse_intstr(b, &y) || x < 0 || y < 0)
            return yamlx_error(e, it, ERR_INVALID, "invalid year range %s", it->str);
        if (x > y)
            return yamlx_error(e, it, ERR_INVALID, "end year cannot be less than start year");
        break;
    }
    *pb = x;
    *pe = y;
    return 0;
}

static int parse_ranges(const struct yamlx_node *n, enum rkind k, struct ti_range **v, size_t *cnt,
                        char ***src, struct err *e)
{
    int r;
    if (yamlx_is_null(n))
        return 0;
    if ((r = yamlx_get_strv(n, src, NULL, e)) != 0)
        return r;
    for (size_t i = 0; i < n->n; i++) {
        int b = 0, en = 0;
        /* Go leaves a null entry as the zero range {0, 0} (Sunday for weekdays; no day,
         * month or year otherwise) without calling its parser. */
        if (!yamlx_is_null(n->kids[i]) && (r = parse_one_range(n->kids[i], k, &b, &en, e)) != 0)
            return r;
        push_range(v, cnt, b, en);
    }
    /* Mark "present but empty" so an empty list still constrains nothing (as Go nil vs []). */
    return 0;
}

int time_interval_parse(const struct yamlx_node *n, struct time_interval *out, struct err *e)
{
    static const char *const keys[] = {"times",    "weekdays", "days_of_month", "months", "years",
                                       "location", NULL};
    int r;
    memset(out, 0, sizeof(*out));
    if ((r = yamlx_map_check(n, keys, "time interval", e)) != 0)
        goto fail;
    if ((r = parse_times(yamlx_map_get(n, "times"), out, e)) != 0)
        goto fail;
    if ((r = parse_ranges(yamlx_map_get(n, "weekdays"), R_WEEKDAY, &out->weekdays, &out->nweekdays,
                          &out->src_weekdays, e)) != 0)
        goto fail;
    if ((r = parse_ranges(yamlx_map_get(n, "days_of_month"), R_DOM, &out->days_of_month,
                          &out->ndays, &out->src_days, e)) != 0)
        goto fail;
    if ((r = parse_ranges(yamlx_map_get(n, "months"), R_MONTH, &out->months, &out->nmonths,
                          &out->src_months, e)) != 0)
        goto fail;
    if ((r = parse_ranges(yamlx_map_get(n, "years"), R_YEAR, &out->years, &out->nyears,
                          &out->src_years, e)) != 0)
        goto fail;
    if ((r = yamlx_get_str(yamlx_map_get(n, "location"), &out->location, e)) != 0)
        goto fail;
    if (out->location && strcmp(out->location, "UTC") != 0 && out->location[0] &&
        tz_load(out->location, &out->zone, NULL) != 0) {
        r = yamlx_error(e, yamlx_map_get(n, "location"), ERR_INVALID, "unknown time zone %s",
                        out->location);
        goto fail;
    }
    return 0;
fail:
    time_interval_fini(out);
    return r;
}

void time_interval_fini(struct time_interval *ti)
{
    if (ti == NULL)
        return;
    xfree(ti->times);
    xfree(ti->weekdays);
    xfree(ti->days_of_month);
    xfree(ti->months);
    xfree(ti->years);
    xfree(ti->location);
    yamlx_strv_free(ti->src_weekdays);
    yamlx_strv_free(ti->src_days);
    yamlx_strv_free(ti->src_months);
    yamlx_strv_free(ti->src_years);
    memset(ti, 0, sizeof(*ti));
}

/* Broken-down local time of secs in zone z (NULL → UTC). */
static void to_local(const struct tz *z, time_t secs, struct tm *tm)
{
    time_t local = secs + (z ? tz_offset(z, (int64_t)secs) : 0);
    gmtime_r(&local, tm);
}

static int days_in_month(int year, int mon /* 1..12 */)
{
    static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (mon == 2 && ((year % 4 == 0 && year % 100 != 0) || year % 400 == 0))
        return 29;
    return d[mon - 1];
}

static int clampi(int v, int lo, int hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

static bool in_ranges(const struct ti_range *v, size_t n, int x)
{
    for (size_t i = 0; i < n; i++)
        if (x >= v[i].begin && x <= v[i].end)
            return true;
    return false;
}

bool time_interval_contains(const struct time_interval *ti, int64_t ms)
{
    struct tm tm;
    time_t secs = (time_t)(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
    to_local(ti->zone, secs, &tm);
    if (ti->has_times) {
        int mins = tm.tm_hour * 60 + tm.tm_min;
        bool in = false;
        for (size_t i = 0; i < ti->ntimes && !in; i++)
            in = mins >= ti->times[i].begin && mins < ti->times[i].end;
        if (!in)
            return false;
    }
    if (ti->src_days) {
        int dim = days_in_month(tm.tm_year + 1900, tm.tm_mon + 1);
        bool in = false;
        for (size_t i = 0; i < ti->ndays && !in; i++) {
            int b = ti->days_of_month[i].begin, en = ti->days_of_month[i].end;
            b = b < 0 ? dim + b + 1 : b;
            en = en < 0 ? dim + en + 1 : en;
            if (b > dim)
                continue;
            b = clampi(b, -dim, dim);
            en = clampi(en, -dim, dim);
            in = tm.tm_mday >= b && tm.tm_mday <= en;
        }
        if (!in)
            return false;
    }
    if (ti->src_months && !in_ranges(ti->months, ti->nmonths, tm.tm_mon + 1))
        return false;
    if (ti->src_weekdays && !in_ranges(ti->weekdays, ti->nweekdays, tm.tm_wday))
        return false;
    if (ti->src_years && !in_ranges(ti->years, ti->nyears, tm.tm_year + 1900))
        return false;
    return true;
}

bool time_intervals_contain(const struct time_interval *v, size_t n, int64_t ms)
{
    for (size_t i = 0; i < n; i++)
        if (time_interval_contains(&v[i], ms))
            return true;
    return false;
}

static void fmt_hhmm(int m, char *out, size_t n)
{
    snprintf(out, n, "%02d:%02d", m / 60, m % 60);
}

/* One flow sequence "key: [a, b]" of ranges, as Alertmanager marshals them. */
static void print_ranges(struct emit *em, int indent, const char *key, const struct ti_range *v,
                         size_t n, bool weekdays)
{
    emit_key(em, indent, key);
    if (em->rc == 0)
        em->rc = buf_puts(em->b, " [");
    for (size_t i = 0; i < n && em->rc == 0; i++) {
        char tmp[64];
        if (weekdays && v[i].begin == v[i].end)
            snprintf(tmp, sizeof(tmp), "%s", weekday_names[v[i].begin]);
        else if (weekdays)
            snprintf(tmp, sizeof(tmp), "%s:%s", weekday_names[v[i].begin], weekday_names[v[i].end]);
        else if (v[i].begin == v[i].end)
            snprintf(tmp, sizeof(tmp), "%d", v[i].begin);
        else
            snprintf(tmp, sizeof(tmp), "%d:%d", v[i].begin, v[i].end);
        if (i > 0)
            em->rc = buf_puts(em->b, ", ");
        if (em->rc == 0)
            em->rc = yamlx_put_scalar_flow(em->b, tmp);
    }
    if (em->rc == 0)
        em->rc = buf_puts(em->b, "]\n");
}

void time_interval_print(const struct time_interval *ti, struct emit *em, int indent)
{
    bool any = false;
    if (ti->ntimes) {
        any = true;
        emit_key(em, indent, "times");
        emit_nl(em);
        for (size_t i = 0; i < ti->ntimes; i++) {
            char a[24], b[24];
            fmt_hhmm(ti->times[i].begin, a, sizeof(a));
            fmt_hhmm(ti->times[i].end, b, sizeof(b));
            emit_item(em, indent);
            emit_kv(em, indent + 2, "start_time", a);
            emit_kv(em, indent + 2, "end_time", b);
        }
    }
    if (ti->src_weekdays && ti->nweekdays) {
        any = true;
        print_ranges(em, indent, "weekdays", ti->weekdays, ti->nweekdays, true);
    }
    if (ti->src_days && ti->ndays) {
        any = true;
        print_ranges(em, indent, "days_of_month", ti->days_of_month, ti->ndays, false);
    }
    if (ti->src_months && ti->nmonths) {
        any = true;
        print_ranges(em, indent, "months", ti->months, ti->nmonths, false);
    }
    if (ti->src_years && ti->nyears) {
        any = true;
        print_ranges(em, indent, "years", ti->years, ti->nyears, false);
    }
    if (ti->location) {
        any = true;
        emit_kv(em, indent, "location", ti->location);
    }
    if (!any) {
        /* An empty interval (matches always) prints as {} like Go does. */
        if (em->inl) {
            em->inl = false;
            if (em->rc == 0)
                em->rc = buf_puts(em->b, "{}\n");
        }
    }
}
