/* SPDX-License-Identifier: Apache-2.0 */
/* Go time layouts and Duration.String for template values (fixed zones only). */
#include "common/template/gotime.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "common/buf.h"
#include "common/err.h"

struct civil {
    int64_t year;
    int month, day, hour, min, sec, wday, yday;
    int64_t nsec;
    int32_t offset;
    const char *zone;
};

static const char *const month_names[] = {"January",   "February", "March",    "April",
                                          "May",       "June",     "July",     "August",
                                          "September", "October",  "November", "December"};
static const char *const day_names[] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                        "Thursday", "Friday", "Saturday"};

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0)))
        q--;
    return q;
}

/* Days since 1970-01-01 to year/month/day (proleptic Gregorian). */
static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    int64_t era, doe, yoe, doy, mp;
    z += 719468;
    era = floor_div(z, 146097);
    doe = z - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    *y = yoe + era * 400;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    if (*m <= 2)
        (*y)++;
}

static bool is_leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static void to_civil(int64_t sec, int32_t nsec, int32_t offset, const char *zone, struct civil *c)
{
    static const int cum[] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};
    int64_t secs = sec + offset;
    int64_t days = floor_div(secs, 86400);
    int64_t rem = secs - days * 86400;
    c->nsec = nsec;
    civil_from_days(days, &c->year, &c->month, &c->day);
    c->hour = (int)(rem / 3600);
    c->min = (int)(rem % 3600 / 60);
    c->sec = (int)(rem % 60);
    c->wday = (int)(((days % 7) + 11) % 7); /* 1970-01-01 was a Thursday */
    c->yday = cum[c->month - 1] + c->day + (c->month > 2 && is_leap(c->year) ? 1 : 0);
    c->offset = offset;
    c->zone = zone ? zone : "";
}

static bool starts(const char *s, const char *p)
{
    return strncmp(s, p, strlen(p)) == 0;
}

static int put_zone(struct buf *out, int32_t offset, bool z, bool colon, bool secs, bool hours_only)
{
    int rc;
    int32_t a = offset < 0 ? -offset : offset;
    if (z && offset == 0)
        return buf_putc(out, 'Z');
    rc = buf_printf(out, "%c%02d", offset < 0 ? '-' : '+', (int)(a / 3600));
    if (rc == 0 && !hours_only)
        rc = buf_printf(out, colon ? ":%02d" : "%02d", (int)(a / 60 % 60));
    if (rc == 0 && secs)
        rc = buf_printf(out, colon ? ":%02d" : "%02d", (int)(a % 60));
    return rc;
}

static int put_frac(struct buf *out, char sep, int64_t nsec, int digits, bool trim)
{
    char d[10];
    int i, n = digits;
    int64_t v = nsec;
    for (i = 8; i >= 0; i--) {
        d[i] = (char)('0' + v % 10);
        v /= 10;
    }
    if (n > 9)
        n = 9;
    if (trim) {
        while (n > 0 && d[n - 1] == '0')
            n--;
        if (n == 0)
            return 0;
    }
    if (buf_putc(out, sep) != 0)
        return ERR_TOOBIG;
    return buf_append(out, d, (size_t)n);
}

int gofmt_time(struct buf *out, const char *layout, int64_t sec, int32_t nsec, int32_t offset,
               const char *zone)
{
    struct civil c;
    const char *p = layout;
    int rc = 0;
    int h12;
    to_civil(sec, nsec, offset, zone, &c);
    h12 = c.hour % 12 == 0 ? 12 : c.hour % 12;
    while (rc == 0 && *p) {
        if (starts(p, "January")) {
            rc = buf_puts(out, month_names[c.month - 1]), p += 7;
        } else if (starts(p, "Jan")) {
            rc = buf_append(out, month_names[c.month - 1], 3), p += 3;
        } else if (starts(p, "Monday")) {
            rc = buf_puts(out, day_names[c.wday]), p += 6;
        } else if (starts(p, "Mon")) {
            rc = buf_append(out, day_names[c.wday], 3), p += 3;
        } else if (starts(p, "MST")) {
            p += 3;
            if (c.zone[0])
                rc = buf_puts(out, c.zone);
            else
                rc = put_zone(out, c.offset, false, false, false, false);
        } else if (starts(p, "2006")) {
            rc = buf_printf(out, "%04lld", (long long)c.year), p += 4;
        } else if (starts(p, "002")) {
            rc = buf_printf(out, "%03d", c.yday), p += 3;
        } else if (starts(p, "__2")) {
            rc = buf_printf(out, "%3d", c.yday), p += 3;
        } else if (starts(p, "01")) {
            rc = buf_printf(out, "%02d", c.month), p += 2;
        } else if (starts(p, "02")) {
            rc = buf_printf(out, "%02d", c.day), p += 2;
        } else if (starts(p, "03")) {
            rc = buf_printf(out, "%02d", h12), p += 2;
        } else if (starts(p, "04")) {
            rc = buf_printf(out, "%02d", c.min), p += 2;
        } else if (starts(p, "05")) {
            rc = buf_printf(out, "%02d", c.sec), p += 2;
        } else if (starts(p, "06")) {
            rc = buf_printf(out, "%02d", (int)(((c.year % 100) + 100) % 100)), p += 2;
        } else if (starts(p, "15")) {
            rc = buf_printf(out, "%02d", c.hour), p += 2;
        } else if (starts(p, "_2")) {
            rc = buf_printf(out, "%2d", c.day), p += 2;
        } else if (*p == '1') {
            rc = buf_printf(out, "%d", c.month), p++;
        } else if (*p == '2') {
            rc = buf_printf(out, "%d", c.day), p++;
        } else if (*p == '3') {
            rc = buf_printf(out, "%d", h12), p++;
        } else if (*p == '4') {
            rc = buf_printf(out, "%d", c.min), p++;
        } else if (*p == '5') {
            rc = buf_printf(out, "%d", c.sec), p++;
        } else if (starts(p, "PM")) {
            rc = buf_puts(out, c.hour >= 12 ? "PM" : "AM"), p += 2;
        } else if (starts(p, "pm")) {
            rc = buf_puts(out, c.hour >= 12 ? "pm" : "am"), p += 2;
        } else if (starts(p, "-07:00:00") || starts(p, "Z07:00:00")) {
            rc = put_zone(out, c.offset, *p == 'Z', true, true, false), p += 9;
        } else if (starts(p, "-070000") || starts(p, "Z070000")) {
            rc = put_zone(out, c.offset, *p == 'Z', false, true, false), p += 7;
        } else if (starts(p, "-07:00") || starts(p, "Z07:00")) {
            rc = put_zone(out, c.offset, *p == 'Z', true, false, false), p += 6;
        } else if (starts(p, "-0700") || starts(p, "Z0700")) {
            rc = put_zone(out, c.offset, *p == 'Z', false, false, false), p += 5;
        } else if (starts(p, "-07") || starts(p, "Z07")) {
            rc = put_zone(out, c.offset, *p == 'Z', false, false, true), p += 3;
        } else if ((*p == '.' || *p == ',') && (p[1] == '0' || p[1] == '9')) {
            char ch = p[1];
            int n = 1;
            while (p[1 + n] == ch)
                n++;
            if (p[1 + n] >= '0' && p[1 + n] <= '9') {
                rc = buf_putc(out, *p), p++;
            } else {
                rc = put_frac(out, *p, c.nsec, n, ch == '9');
                p += 1 + n;
            }
        } else {
            rc = buf_putc(out, *p), p++;
        }
    }
    return rc;
}

/* Appends v/unit with the fraction digits (trailing zeros trimmed) and the suffix. */
static int put_scaled(struct buf *out, uint64_t v, uint64_t unit, int digits, const char *suffix)
{
    char frac[16];
    int n = digits, i;
    uint64_t f = v % unit;
    int rc = buf_printf(out, "%llu", (unsigned long long)(v / unit));
    for (i = digits - 1; i >= 0; i--) {
        frac[i] = (char)('0' + f % 10);
        f /= 10;
    }
    while (n > 0 && frac[n - 1] == '0')
        n--;
    if (rc == 0 && n > 0) {
        rc = buf_putc(out, '.');
        if (rc == 0)
            rc = buf_append(out, frac, (size_t)n);
    }
    return rc ? rc : buf_puts(out, suffix);
}

int gofmt_duration(struct buf *out, int64_t ns)
{
    uint64_t u = ns < 0 ? (uint64_t)0 - (uint64_t)ns : (uint64_t)ns;
    int rc = 0;
    if (ns == 0)
        return buf_puts(out, "0s");
    if (ns < 0)
        rc = buf_putc(out, '-');
    if (rc != 0)
        return rc;
    if (u < 1000)
        return buf_printf(out, "%lluns", (unsigned long long)u);
    if (u < 1000000)
        return put_scaled(out, u, 1000, 3, "\xc2\xb5s");
    if (u < 1000000000)
        return put_scaled(out, u, 1000000, 6, "ms");
    {
        uint64_t secs = u / 1000000000, h = secs / 3600, m = secs / 60 % 60;
        if (h > 0)
            rc = buf_printf(out, "%lluh", (unsigned long long)h);
        if (rc == 0 && (h > 0 || m > 0))
            rc = buf_printf(out, "%llum", (unsigned long long)m);
        if (rc == 0)
            rc = put_scaled(out, u % 60000000000ULL, 1000000000, 9, "s");
    }
    return rc;
}
