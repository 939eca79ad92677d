/* SPDX-License-Identifier: Apache-2.0 */
/* TZif (RFC 8536) reader with POSIX TZ footer rules, and a process-wide cache of zones. */
#include "notifier/config/tzdb.h"

#include <ctype.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/xalloc.h"

#define TZ_MAX_FILE (1u << 20)

/* One rule date: kind 'M' (month.week.day), 'J' (1..365 no leap), 'N' (0..365). */
struct posix_date {
    char kind;
    int m, w, d, n;
    int32_t secs; /* time of day of the change, local */
};

struct posix_rule {
    bool valid, has_dst;
    int32_t std_off, dst_off; /* east of UTC */
    struct posix_date start, end;
};

struct tz {
    char *name;
    int64_t *trans; /* transition instants */
    uint8_t *idx;   /* type index per transition */
    size_t ntrans;
    int32_t *offs; /* offset per type */
    uint8_t *isdst;
    size_t ntypes;
    struct posix_rule rule;
    struct tz *next;
};

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static struct tz *cache;

/* ---- POSIX TZ strings ---- */

static const char *parse_name(const char *p)
{
    if (*p == '<') {
        const char *q = strchr(p, '>');
        return q ? q + 1 : NULL;
    }
    const char *s = p;
    while (isalpha((unsigned char)*p))
        p++;
    return p - s >= 3 ? p : NULL;
}

/* [+-]hh[:mm[:ss]] → seconds. */
static const char *parse_hms(const char *p, int32_t *out)
{
    int sign = 1, h = 0, m = 0, s = 0;
    if (*p == '+' || *p == '-')
        sign = *p++ == '-' ? -1 : 1;
    if (!isdigit((unsigned char)*p))
        return NULL;
    while (isdigit((unsigned char)*p) && h < 1000)
        h = h * 10 + (*p++ - '0');
    if (*p == ':') {
        p++;
        while (isdigit((unsigned char)*p) && m < 100)
            m = m * 10 + (*p++ - '0');
        if (*p == ':') {
            p++;
            while (isdigit((unsigned char)*p) && s < 100)
                s = s * 10 + (*p++ - '0');
        }
    }
    if (h > 167 || m > 59 || s > 59)
        return NULL;
    *out = sign * (h * 3600 + m * 60 + s);
    return p;
}

static const char *parse_num(const char *p, int *out, int lo, int hi)
{
    int v = 0;
    if (!isdigit((unsigned char)*p))
        return NULL;
    while (isdigit((unsigned char)*p) && v <= hi)
        v = v * 10 + (*p++ - '0');
    if (v < lo || v > hi)
        return NULL;
    *out = v;
    return p;
}

static const char *parse_date(const char *p, struct posix_date *d)
{
    memset(d, 0, sizeof(*d));
    d->secs = 2 * 3600;
    if (*p == 'M') {
        d->kind = 'M';
        if (!(p = parse_num(p + 1, &d->m, 1, 12)) || *p++ != '.' ||
            !(p = parse_num(p, &d->w, 1, 5)) || *p++ != '.' || !(p = parse_num(p, &d->d, 0, 6)))
            return NULL;
    } else if (*p == 'J') {
        d->kind = 'J';
        if (!(p = parse_num(p + 1, &d->n, 1, 365)))
            return NULL;
    } else {
        d->kind = 'N';
        if (!(p = parse_num(p, &d->n, 0, 365)))
            return NULL;
    }
    if (*p == '/' && !(p = parse_hms(p + 1, &d->secs)))
        return NULL;
    return p;
}

static bool parse_posix(const char *s, struct posix_rule *r)
{
    const char *p = s;
    int32_t off = 0;
    memset(r, 0, sizeof(*r));
    if (!(p = parse_name(p)) || !(p = parse_hms(p, &off)))
        return false;
    r->std_off = -off;
    if (*p == 0) {
        r->valid = true;
        return true;
    }
    if (!(p = parse_name(p)))
        return false;
    r->has_dst = true;
    r->dst_off = r->std_off + 3600;
    if (*p && *p != ',') {
        if (!(p = parse_hms(p, &off)))
            return false;
        r->dst_off = -off;
    }
    if (*p != ',') {
        /* No rule given: the US rules are POSIX's default. */
        r->start = (struct posix_date){'M', 3, 2, 0, 0, 7200};
        r->end = (struct posix_date){'M', 11, 1, 0, 0, 7200};
    } else if (!(p = parse_date(p + 1, &r->start)) || *p++ != ',' ||
               !(p = parse_date(p, &r->end))) {
        return false;
    }
    r->valid = *p == 0;
    return r->valid;
}

static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static bool is_leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int month_days(int64_t y, int m)
{
    static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : d[m - 1];
}

/* Day number (days since epoch) of rule date d in year y. */
static int64_t rule_day(const struct posix_date *d, int64_t y)
{
    int64_t jan1 = days_from_civil(y, 1, 1);
    if (d->kind == 'J')
        return jan1 + d->n - 1 + (is_leap(y) && d->n >= 60 ? 1 : 0);
    if (d->kind == 'N')
        return jan1 + d->n;
    int64_t first = days_from_civil(y, d->m, 1);
    int wd1 = (int)(((first % 7) + 7 + 4) % 7); /* 1970-01-01 was a Thursday */
    int day = 1 + (d->d - wd1 + 7) % 7 + 7 * (d->w - 1);
    while (day > month_days(y, d->m))
        day -= 7;
    return first + day - 1;
}

static int64_t year_of(int64_t t)
{
    int64_t days = t >= 0 ? t / 86400 : (t - 86399) / 86400;
    /* civil_from_days, year only */
    days += 719468;
    int64_t era = (days >= 0 ? days : days - 146096) / 146097;
    int64_t doe = days - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int m = (int)(mp < 10 ? mp + 3 : mp - 9);
    return yoe + era * 400 + (m <= 2);
}

static int32_t rule_offset(const struct posix_rule *r, int64_t t)
{
    if (!r->has_dst)
        return r->std_off;
    int64_t y = year_of(t + r->std_off);
    int64_t start = rule_day(&r->start, y) * 86400 + r->start.secs - r->std_off;
    int64_t end = rule_day(&r->end, y) * 86400 + r->end.secs - r->dst_off;
    bool dst = start < end ? (t >= start && t < end) : !(t >= end && t < start);
    return dst ? r->dst_off : r->std_off;
}

/* ---- TZif ---- */

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int64_t be64(const unsigned char *p)
{
    return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

static int parse_tzif(const unsigned char *b, size_t n, struct tz *z)
{
    size_t pos = 0;
    int version;
    for (int pass = 0; pass < 2; pass++) {
        if (n - pos < 44 || memcmp(b + pos, "TZif", 4) != 0)
            return ERR_CORRUPT;
        version = b[pos + 4];
        uint32_t isut = be32(b + pos + 20), isstd = be32(b + pos + 24), leap = be32(b + pos + 28),
                 timecnt = be32(b + pos + 32), typecnt = be32(b + pos + 36),
                 charcnt = be32(b + pos + 40);
        size_t tsz = pass == 0 ? 4 : 8;
        size_t need;
        pos += 44;
        if (timecnt > 100000 || typecnt == 0 || typecnt > 256 || charcnt > 100000 ||
            leap > 100000 || isut > 256 || isstd > 256)
            return ERR_CORRUPT;
        need = timecnt * tsz + timecnt + typecnt * 6 + charcnt + leap * (tsz + 4) + isstd + isut;
        if (n - pos < need)
            return ERR_CORRUPT;
        if (pass == 0 && version >= '2') {
            pos += need;
            continue;
        }
        z->ntrans = timecnt;
        z->trans = xcalloc(timecnt + 1, sizeof(*z->trans));
        z->idx = xcalloc(timecnt + 1, 1);
        for (size_t i = 0; i < timecnt; i++)
            z->trans[i] = tsz == 4 ? (int32_t)be32(b + pos + i * 4) : be64(b + pos + i * 8);
        pos += timecnt * tsz;
        for (size_t i = 0; i < timecnt; i++) {
            z->idx[i] = b[pos + i];
            if (z->idx[i] >= typecnt)
                return ERR_CORRUPT;
        }
        pos += timecnt;
        z->ntypes = typecnt;
        z->offs = xcalloc(typecnt, sizeof(*z->offs));
        z->isdst = xcalloc(typecnt, 1);
        for (size_t i = 0; i < typecnt; i++) {
            z->offs[i] = (int32_t)be32(b + pos + i * 6);
            z->isdst[i] = b[pos + i * 6 + 4];
        }
        pos += typecnt * 6 + charcnt + leap * (tsz + 4) + isstd + isut;
        if (pass == 1 && pos < n && b[pos] == '\n') {
            const unsigned char *end = memchr(b + pos + 1, '\n', n - pos - 1);
            if (end) {
                char *footer = xstrndup((const char *)b + pos + 1, (size_t)(end - b - pos - 1));
                if (footer[0])
                    parse_posix(footer, &z->rule);
                xfree(footer);
            }
        }
        return 0;
    }
    return ERR_CORRUPT;
}

int32_t tz_offset(const struct tz *z, int64_t t)
{
    size_t lo = 0, hi = z->ntrans;
    if (z->ntrans == 0 || t < z->trans[0]) {
        if (z->ntrans == 0 && z->rule.valid)
            return rule_offset(&z->rule, t);
        for (size_t i = 0; i < z->ntypes; i++)
            if (!z->isdst[i])
                return z->offs[i];
        return z->ntypes ? z->offs[0] : 0;
    }
    if (t >= z->trans[z->ntrans - 1] && z->rule.valid)
        return rule_offset(&z->rule, t);
    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;
        if (z->trans[mid] <= t)
            lo = mid;
        else
            hi = mid;
    }
    return z->offs[z->idx[lo]];
}

static void tz_free(struct tz *z)
{
    xfree(z->name);
    xfree(z->trans);
    xfree(z->idx);
    xfree(z->offs);
    xfree(z->isdst);
    xfree(z);
}

static const struct tz *cache_find(const char *key)
{
    for (struct tz *z = cache; z; z = z->next)
        if (strcmp(z->name, key) == 0)
            return z;
    return NULL;
}

static bool name_ok(const char *name)
{
    if (name[0] == 0 || name[0] == '/' || strstr(name, "..") || strlen(name) > 200)
        return false;
    for (const char *p = name; *p; p++)
        if (!isalnum((unsigned char)*p) && !strchr("/_-+", *p))
            return false;
    return true;
}

int tz_load(const char *name, const struct tz **out, struct err *e)
{
    char path[512];
    const char *dir = getenv("ZONEINFO");
    FILE *f = NULL;
    unsigned char *buf = NULL;
    size_t n = 0;
    struct tz *z = NULL;
    int rc;
    *out = NULL;
    if (strcmp(name, "") == 0)
        name = "UTC";
    pthread_mutex_lock(&cache_lock);
    if ((*out = cache_find(name)) != NULL) {
        rc = 0;
        goto out;
    }
    if (strcmp(name, "Local") == 0)
        snprintf(path, sizeof(path), "/etc/localtime");
    else if (!name_ok(name)) {
        rc = err_set(e, ERR_NOTFOUND, "unknown time zone %s", name);
        goto out;
    } else
        snprintf(path, sizeof(path), "%s/%s", dir && *dir ? dir : "/usr/share/zoneinfo", name);
    z = xcalloc(1, sizeof(*z));
    z->name = xstrdup(name);
    f = fopen(path, "rb");
    if (f == NULL) {
        if (strcmp(name, "UTC") == 0 || strcmp(name, "Local") == 0) {
            /* No database at all: UTC still works. */
            parse_posix("UTC0", &z->rule);
            goto publish;
        }
        rc = err_set(e, ERR_NOTFOUND, "unknown time zone %s", name);
        goto out;
    }
    buf = xmalloc(TZ_MAX_FILE);
    n = fread(buf, 1, TZ_MAX_FILE, f);
    if (n == 0 || n == TZ_MAX_FILE || parse_tzif(buf, n, z) != 0) {
        rc = err_set(e, ERR_CORRUPT, "invalid time zone file for %s", name);
        goto out;
    }
publish:
    z->next = cache;
    cache = z;
    *out = z;
    z = NULL;
    rc = 0;
out:
    pthread_mutex_unlock(&cache_lock);
    if (f)
        fclose(f);
    xfree(buf);
    if (z)
        tz_free(z);
    return rc;
}

int tz_from_posix(const char *rule, const struct tz **out, struct err *e)
{
    struct tz *z;
    char key[300];
    *out = NULL;
    snprintf(key, sizeof(key), "posix:%s", rule);
    pthread_mutex_lock(&cache_lock);
    if ((*out = cache_find(key)) != NULL) {
        pthread_mutex_unlock(&cache_lock);
        return 0;
    }
    z = xcalloc(1, sizeof(*z));
    z->name = xstrdup(key);
    if (!parse_posix(rule, &z->rule)) {
        pthread_mutex_unlock(&cache_lock);
        tz_free(z);
        return err_set(e, ERR_INVALID, "invalid POSIX TZ rule %s", rule);
    }
    z->next = cache;
    cache = z;
    *out = z;
    pthread_mutex_unlock(&cache_lock);
    return 0;
}
