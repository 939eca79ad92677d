/* SPDX-License-Identifier: Apache-2.0 */
/* Go's time.LoadLocation for templates (`tz`): zone offsets and abbreviations from the system
 * TZif files (/usr/share/zoneinfo), including the POSIX TZ footer rule for later times. */
#include "common/template/gotz.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/xalloc.h"

#define TZ_MAX_FILE (512 * 1024)

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

static bool leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int64_t year_of(int64_t unix_s)
{
    int64_t days = unix_s >= 0 ? unix_s / 86400 : -((-unix_s + 86399) / 86400);
    int64_t y = 1970 + days / 366;
    while (days_from_civil(y + 1, 1, 1) <= days)
        y++;
    while (days_from_civil(y, 1, 1) > days)
        y--;
    return y;
}

struct posix_rule {
    char kind; /* 'M', 'J' or 'n' */
    int m, w, d, n;
    int32_t time; /* seconds after local midnight */
};

struct posix_tz {
    char std[16], dst[16];
    int32_t std_off, dst_off; /* seconds east of UTC */
    bool has_dst;
    struct posix_rule start, end;
};

static const char *parse_name(const char *p, char *out, size_t n)
{
    size_t k = 0;
    if (*p == '<') {
        p++;
        while (*p && *p != '>') {
            if (k + 1 < n)
                out[k++] = *p;
            p++;
        }
        if (*p != '>')
            return NULL;
        p++;
    } else {
        while ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z')) {
            if (k + 1 < n)
                out[k++] = *p;
            p++;
        }
    }
    out[k] = '\0';
    return k >= 3 ? p : NULL;
}

/* [+-]hh[:mm[:ss]] */
static const char *parse_hms(const char *p, int32_t *secs)
{
    int sign = 1, part = 0;
    int32_t v[3] = {0, 0, 0};
    if (*p == '+' || *p == '-')
        sign = *p++ == '-' ? -1 : 1;
    if (*p < '0' || *p > '9')
        return NULL;
    for (;;) {
        while (*p >= '0' && *p <= '9')
            v[part] = v[part] * 10 + (*p++ - '0');
        if (*p != ':' || part == 2)
            break;
        p++;
        part++;
    }
    *secs = sign * (v[0] * 3600 + v[1] * 60 + v[2]);
    return p;
}

static const char *parse_rule(const char *p, struct posix_rule *r)
{
    memset(r, 0, sizeof(*r));
    r->time = 7200;
    if (*p == 'M') {
        r->kind = 'M';
        r->m = (int)strtol(p + 1, (char **)&p, 10);
        if (*p++ != '.')
            return NULL;
        r->w = (int)strtol(p, (char **)&p, 10);
        if (*p++ != '.')
            return NULL;
        r->d = (int)strtol(p, (char **)&p, 10);
        if (r->m < 1 || r->m > 12 || r->w < 1 || r->w > 5 || r->d < 0 || r->d > 6)
            return NULL;
    } else if (*p == 'J' || (*p >= '0' && *p <= '9')) {
        r->kind = *p == 'J' ? 'J' : 'n';
        if (*p == 'J')
            p++;
        r->n = (int)strtol(p, (char **)&p, 10);
        if (r->n < 0 || r->n > 365)
            return NULL;
    } else {
        return NULL;
    }
    if (*p == '/' && !(p = parse_hms(p + 1, &r->time)))
        return NULL;
    return p;
}

static bool parse_posix(const char *p, struct posix_tz *tz)
{
    int32_t off;
    memset(tz, 0, sizeof(*tz));
    if (!(p = parse_name(p, tz->std, sizeof(tz->std))) || !(p = parse_hms(p, &off)))
        return false;
    tz->std_off = -off;
    if (*p == '\0')
        return true;
    if (!(p = parse_name(p, tz->dst, sizeof(tz->dst))))
        return false;
    tz->has_dst = true;
    tz->dst_off = tz->std_off + 3600;
    if (*p != ',' && *p != '\0') {
        if (!(p = parse_hms(p, &off)))
            return false;
        tz->dst_off = -off;
    }
    if (*p == '\0') {
        /* US rules by default, as Go does */
        parse_rule("M3.2.0", &tz->start);
        parse_rule("M11.1.0", &tz->end);
        return true;
    }
    if (*p++ != ',' || !(p = parse_rule(p, &tz->start)) || *p++ != ',' ||
        !(p = parse_rule(p, &tz->end)))
        return false;
    return *p == '\0';
}

/* Seconds since the epoch of the local midnight starting the rule's day in year y (as UTC). */
static int64_t rule_day(int64_t y, const struct posix_rule *r)
{
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int64_t d0 = days_from_civil(y, 1, 1);
    if (r->kind == 'J') {
        int n = r->n;
        if (leap(y) && n >= 60)
            n++;
        return (d0 + n - 1) * 86400;
    }
    if (r->kind == 'n')
        return (d0 + r->n) * 86400;
    {
        int64_t first = days_from_civil(y, r->m, 1);
        int wday = (int)(((first % 7) + 11) % 7);
        int day = 1 + (r->d - wday + 7) % 7 + (r->w - 1) * 7;
        int len = mdays[r->m - 1] + (r->m == 2 && leap(y) ? 1 : 0);
        while (day > len)
            day -= 7;
        return (first + day - 1) * 86400;
    }
}

static void posix_lookup(const struct posix_tz *tz, int64_t t, int32_t *off, char *abbr, size_t n)
{
    bool dst = false;
    if (tz->has_dst) {
        int64_t y = year_of(t + tz->std_off);
        int64_t start = rule_day(y, &tz->start) + tz->start.time - tz->std_off;
        int64_t end = rule_day(y, &tz->end) + tz->end.time - tz->dst_off;
        dst = start < end ? (t >= start && t < end) : !(t >= end && t < start);
    }
    *off = dst ? tz->dst_off : tz->std_off;
    snprintf(abbr, n, "%s", dst ? tz->dst : tz->std);
}

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int64_t be64(const unsigned char *p)
{
    return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

static bool valid_name(const char *name)
{
    const char *p;
    if (name[0] == '\0' || name[0] == '/' || strlen(name) > 200 || strstr(name, ".."))
        return false;
    for (p = name; *p; p++) {
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '/' || *p == '_' || *p == '-' || *p == '+'))
            return false;
    }
    return true;
}

static unsigned char *read_all(const char *path, size_t *n)
{
    FILE *fp = fopen(path, "rb");
    unsigned char *b;
    if (!fp)
        return NULL;
    b = xmalloc(TZ_MAX_FILE + 1);
    *n = fread(b, 1, TZ_MAX_FILE + 1, fp);
    fclose(fp);
    if (*n > TZ_MAX_FILE || *n < 44) {
        xfree(b);
        return NULL;
    }
    return b;
}

/* Parses TZif data b[0..n) and finds the zone at t. Returns false for malformed data. */
static bool tzif_lookup(const unsigned char *b, size_t n, int64_t t, int32_t *off, char *abbr,
                        size_t an)
{
    size_t pos = 0, tsz = 4, need;
    uint32_t isut, isstd, leapc, timec, typec, charc;
    const unsigned char *times, *idx, *types, *chars;
    size_t i, type = 0;
    int pass;
    for (pass = 0; pass < 2; pass++) {
        if (n - pos < 44 || memcmp(b + pos, "TZif", 4) != 0)
            return false;
        isut = be32(b + pos + 20);
        isstd = be32(b + pos + 24);
        leapc = be32(b + pos + 28);
        timec = be32(b + pos + 32);
        typec = be32(b + pos + 36);
        charc = be32(b + pos + 40);
        if (timec > 100000 || typec > 256 || typec == 0 || charc > 10000 || leapc > 10000 ||
            isut > 256 || isstd > 256)
            return false;
        need = (size_t)timec * tsz + timec + (size_t)typec * 6 + charc + (size_t)leapc * (tsz + 4) +
               isstd + isut;
        if (n - pos - 44 < need)
            return false;
        if (pass == 0 && b[pos + 4] >= '2') {
            pos += 44 + need;
            tsz = 8;
            continue;
        }
        break;
    }
    times = b + pos + 44;
    idx = times + (size_t)timec * tsz;
    types = idx + timec;
    chars = types + (size_t)typec * 6;
    if (timec > 0 &&
        t >= (tsz == 8 ? be64(times + (timec - 1) * 8) : (int32_t)be32(times + (timec - 1) * 4))) {
        /* after the last transition: the footer rule, when there is one */
        const unsigned char *foot = chars + charc + (size_t)leapc * (tsz + 4) + isstd + isut;
        if (tsz == 8 && foot < b + n && *foot == '\n') {
            char rule[128];
            size_t k = 0;
            struct posix_tz tz;
            foot++;
            while (foot < b + n && *foot != '\n' && k + 1 < sizeof(rule))
                rule[k++] = (char)*foot++;
            rule[k] = '\0';
            if (k > 0 && parse_posix(rule, &tz)) {
                posix_lookup(&tz, t, off, abbr, an);
                return true;
            }
        }
    }
    for (i = 0; i < timec; i++) {
        int64_t ti = tsz == 8 ? be64(times + i * 8) : (int32_t)be32(times + i * 4);
        if (ti > t)
            break;
        type = idx[i];
    }
    if (type >= typec)
        return false;
    *off = (int32_t)be32(types + type * 6);
    {
        size_t ai = types[type * 6 + 5];
        size_t k = 0;
        if (ai >= charc)
            return false;
        while (ai + k < charc && chars[ai + k] && k + 1 < an) {
            abbr[k] = (char)chars[ai + k];
            k++;
        }
        abbr[k] = '\0';
    }
    return true;
}

int gotz_lookup(const char *name, int64_t unix_s, int32_t *offset, char *abbr, size_t abbr_size,
                struct err *e)
{
    char path[300];
    unsigned char *b;
    size_t n = 0;
    bool ok;
    if (name[0] == '\0' || strcmp(name, "UTC") == 0) {
        *offset = 0;
        snprintf(abbr, abbr_size, "UTC");
        return 0;
    }
    if (strcmp(name, "Local") == 0) {
        snprintf(path, sizeof(path), "/etc/localtime");
    } else {
        if (!valid_name(name))
            return err_set(e, ERR_INVALID, "unknown time zone %s", name);
        snprintf(path, sizeof(path), "/usr/share/zoneinfo/%s", name);
    }
    b = read_all(path, &n);
    if (b == NULL) {
        if (strcmp(name, "Local") == 0) {
            *offset = 0;
            snprintf(abbr, abbr_size, "UTC");
            return 0;
        }
        return err_set(e, ERR_INVALID, "unknown time zone %s", name);
    }
    ok = tzif_lookup(b, n, unix_s, offset, abbr, abbr_size);
    xfree(b);
    if (!ok)
        return err_set(e, ERR_INVALID, "unknown time zone %s", name);
    return 0;
}
