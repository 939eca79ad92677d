/* SPDX-License-Identifier: Apache-2.0 */
/* Prometheus durations and timestamps. */
#include "common/timeutil.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/err.h"

int64_t time_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t time_mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct unit {
    const char *name;
    int64_t ms;
};

static const struct unit units[] = {
    {"y", 365LL * 24 * 3600 * 1000},
    {"w", 7LL * 24 * 3600 * 1000},
    {"d", 24LL * 3600 * 1000},
    {"h", 3600LL * 1000},
    {"m", 60LL * 1000},
    {"s", 1000},
    {"ms", 1},
};
#define NUNITS (sizeof(units) / sizeof(units[0]))

int duration_parse(const char *s, int64_t *out, struct err *e)
{
    const char *p = s;
    int64_t total = 0;
    size_t next_unit = 0;
    if (s == NULL || *s == '\0')
        return err_set(e, ERR_INVALID, "empty duration string");
    if (strcmp(s, "0") == 0) {
        *out = 0;
        return 0;
    }
    while (*p) {
        int64_t v = 0;
        size_t u, ulen = 0;
        if (!isdigit((unsigned char)*p))
            goto bad;
        while (isdigit((unsigned char)*p)) {
            if (v > (INT64_MAX - 9) / 10)
                goto bad;
            v = v * 10 + (*p - '0');
            p++;
        }
        /* "ms" must be tried before "m" */
        if (p[0] == 'm' && p[1] == 's') {
            u = NUNITS - 1;
            ulen = 2;
        } else {
            for (u = 0; u < NUNITS - 1; u++)
                if (*p == units[u].name[0])
                    break;
            if (u == NUNITS - 1)
                goto bad;
            ulen = 1;
        }
        if (u < next_unit)
            goto bad; /* units out of order or repeated */
        next_unit = u + 1;
        if (v > INT64_MAX / units[u].ms || total > INT64_MAX - v * units[u].ms)
            return err_set(e, ERR_INVALID, "duration out of range: \"%s\"", s);
        total += v * units[u].ms;
        p += ulen;
    }
    *out = total;
    return 0;
bad:
    return err_set(e, ERR_INVALID, "not a valid duration string: \"%s\"", s);
}

int duration_parse_signed(const char *s, int64_t *out, struct err *e)
{
    int rc;
    if (s && s[0] == '-') {
        if ((rc = duration_parse(s + 1, out, e)) != 0)
            return rc;
        *out = -*out;
        return 0;
    }
    return duration_parse(s, out, e);
}

const char *duration_format(int64_t ms, char *out, size_t n)
{
    size_t w = 0;
    bool neg = ms < 0;
    if (n == 0)
        return out;
    out[0] = '\0';
    if (ms == 0) {
        snprintf(out, n, "0s");
        return out;
    }
    if (neg) {
        if (ms == INT64_MIN)
            ms = INT64_MAX;
        else
            ms = -ms;
        w += (size_t)snprintf(out, n, "-");
    }
    for (size_t u = 0; u < NUNITS; u++) {
        int64_t v;
        if (u < 2 && ms % units[u].ms != 0)
            continue; /* years and weeks only when exact, as Prometheus prints them */
        v = ms / units[u].ms;
        if (v > 0 && w < n) {
            w += (size_t)snprintf(out + w, n - w, "%lld%s", (long long)v, units[u].name);
            ms -= v * units[u].ms;
        }
    }
    return out;
}

static int parse_digits(const char **p, int count, int *out)
{
    int v = 0;
    for (int i = 0; i < count; i++) {
        if (!isdigit((unsigned char)(*p)[i]))
            return -1;
        v = v * 10 + ((*p)[i] - '0');
    }
    *p += count;
    *out = v;
    return 0;
}

static bool is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int parse_rfc3339(const char *s, int64_t *sec_out, int64_t *frac_ns, struct err *e)
{
    const char *p = s;
    int year, mon, day, hour, min, sec, frac_digits = 0;
    int64_t frac = 0, offset_s = 0;
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    struct tm tm;
    time_t t;

    if (parse_digits(&p, 4, &year) || *p++ != '-' || parse_digits(&p, 2, &mon) || *p++ != '-' ||
        parse_digits(&p, 2, &day) || (*p != 'T' && *p != 't' && *p != ' '))
        goto bad;
    p++;
    if (parse_digits(&p, 2, &hour) || *p++ != ':' || parse_digits(&p, 2, &min) || *p++ != ':' ||
        parse_digits(&p, 2, &sec))
        goto bad;
    if (mon < 1 || mon > 12 || day < 1 ||
        day > mdays[mon - 1] + (mon == 2 && is_leap(year) ? 1 : 0) || hour > 23 || min > 59 ||
        sec > 59)
        goto bad;
    if (*p == '.') {
        p++;
        if (!isdigit((unsigned char)*p))
            goto bad;
        while (isdigit((unsigned char)*p)) {
            if (frac_digits < 9) {
                frac = frac * 10 + (*p - '0');
                frac_digits++;
            }
            p++;
        }
        while (frac_digits < 9) {
            frac *= 10;
            frac_digits++;
        }
    }
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int oh, om, sign = *p == '-' ? -1 : 1;
        p++;
        if (parse_digits(&p, 2, &oh) || *p++ != ':' || parse_digits(&p, 2, &om) || oh > 23 ||
            om > 59)
            goto bad;
        offset_s = sign * (oh * 3600 + om * 60);
    } else {
        goto bad;
    }
    if (*p != '\0')
        goto bad;
    memset(&tm, 0, sizeof(tm));
    tm.tm_year = year - 1900;
    tm.tm_mon = mon - 1;
    tm.tm_mday = day;
    tm.tm_hour = hour;
    tm.tm_min = min;
    tm.tm_sec = sec;
    t = timegm(&tm);
    *sec_out = (int64_t)t - offset_s;
    *frac_ns = frac;
    return 0;
bad:
    return err_set(e, ERR_INVALID, "cannot parse \"%s\" to a valid timestamp", s);
}

int timestamp_parse_rfc3339_ns(const char *s, int64_t *ns, struct err *e)
{
    int64_t sec, frac;
    if (parse_rfc3339(s, &sec, &frac, e) != 0)
        return ERR_INVALID;
    if (sec > INT64_MAX / 1000000000LL - 1 || sec < INT64_MIN / 1000000000LL + 1)
        return err_set(e, ERR_INVALID, "timestamp \"%s\" out of range", s);
    *ns = sec * 1000000000LL + frac;
    return 0;
}

int timestamp_parse(const char *s, int64_t *ms, struct err *e)
{
    char *end = NULL;
    double f;
    int64_t sec, frac;
    if (s == NULL || *s == '\0')
        return err_set(e, ERR_INVALID, "cannot parse \"\" to a valid timestamp");
    errno = 0;
    f = strtod(s, &end);
    if (end != s && *end == '\0' && errno == 0 && isfinite(f)) {
        double whole, fr = modf(f, &whole);
        if (whole > 9.2e15 || whole < -9.2e15)
            return err_set(e, ERR_INVALID, "cannot parse \"%s\" to a valid timestamp", s);
        *ms = (int64_t)whole * 1000 + (int64_t)llround(fr * 1000.0);
        return 0;
    }
    if (parse_rfc3339(s, &sec, &frac, e) != 0)
        return ERR_INVALID;
    *ms = sec * 1000 + frac / 1000000;
    return 0;
}

static void split_ms(int64_t ms, time_t *sec, int *milli)
{
    int64_t s = ms / 1000, r = ms % 1000;
    if (r < 0) {
        r += 1000;
        s -= 1;
    }
    *sec = (time_t)s;
    *milli = (int)r;
}

const char *timestamp_format(int64_t ms, enum ts_style style, char *out, size_t n)
{
    time_t sec;
    int milli;
    struct tm tm;
    size_t w;
    split_ms(ms, &sec, &milli);
    gmtime_r(&sec, &tm);
    w = strftime(out, n, "%Y-%m-%dT%H:%M:%S", &tm);
    if (style == TS_MILLI) {
        snprintf(out + w, n - w, ".%03dZ", milli);
    } else if (milli == 0) {
        snprintf(out + w, n - w, "Z");
    } else {
        char f[8];
        int len;
        len = snprintf(f, sizeof(f), "%03d", milli);
        while (len > 0 && f[len - 1] == '0')
            f[--len] = '\0';
        snprintf(out + w, n - w, ".%sZ", f);
    }
    return out;
}

const char *timestamp_format_ns(int64_t ns, char *out, size_t n)
{
    int64_t s = ns / 1000000000LL, r = ns % 1000000000LL;
    time_t sec;
    struct tm tm;
    size_t w;
    if (r < 0) {
        r += 1000000000LL;
        s -= 1;
    }
    sec = (time_t)s;
    gmtime_r(&sec, &tm);
    w = strftime(out, n, "%Y-%m-%dT%H:%M:%S", &tm);
    if (r == 0) {
        snprintf(out + w, n - w, "Z");
    } else {
        char f[16];
        int len = snprintf(f, sizeof(f), "%09lld", (long long)r);
        while (len > 0 && f[len - 1] == '0')
            f[--len] = '\0';
        snprintf(out + w, n - w, ".%sZ", f);
    }
    return out;
}

const char *timestamp_format_unix(int64_t ms, char *out, size_t n)
{
    time_t sec;
    int milli;
    split_ms(ms, &sec, &milli);
    if (milli == 0) {
        snprintf(out, n, "%lld", (long long)sec);
    } else {
        char f[8];
        int len = snprintf(f, sizeof(f), "%03d", milli);
        while (len > 0 && f[len - 1] == '0')
            f[--len] = '\0';
        if (sec < 0 && milli != 0)
            snprintf(out, n, "%.3f", (double)ms / 1000.0);
        else
            snprintf(out, n, "%lld.%s", (long long)sec, f);
    }
    return out;
}
