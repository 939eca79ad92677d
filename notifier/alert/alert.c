/* SPDX-License-Identifier: Apache-2.0 */
/* Alert identity, resolution, merge and ordering as in Alertmanager 0.25 (see alert.h). */
#include "notifier/alert/alert.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/labels.h"
#include "common/timeutil.h"
#include "common/xalloc.h"

#define FNV_OFFSET 14695981039346656037ULL
#define FNV_PRIME  1099511628211ULL

static uint64_t fnv_add(uint64_t h, const char *s)
{
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= FNV_PRIME;
    }
    return h;
}

static int cmp_label_name(const void *x, const void *y)
{
    return strcmp(((const struct label *)x)->name, ((const struct label *)y)->name);
}

struct labels *am_kv_new(const struct label *items, size_t n)
{
    struct labels *tmp = xmalloc(sizeof(*tmp) + (n ? n : 1) * sizeof(struct label)), *res;
    size_t k = 0;
    /* keep the last occurrence of each name: walk backwards, skip names already taken */
    for (size_t i = n; i-- > 0;) {
        bool seen = false;
        for (size_t j = 0; j < k && !seen; j++)
            seen = strcmp(tmp->v[j].name, items[i].name) == 0;
        if (!seen)
            tmp->v[k++] = items[i];
    }
    qsort(tmp->v, k, sizeof(tmp->v[0]), cmp_label_name);
    tmp->n = k;
    res = labels_dup(tmp); /* packs names and values into one block, empty values included */
    xfree(tmp);
    return res;
}

uint64_t am_fingerprint(const struct labels *ls)
{
    uint64_t h = FNV_OFFSET;
    for (size_t i = 0; i < ls->n; i++) {
        h = fnv_add(h, ls->v[i].name);
        h ^= 0xff;
        h *= FNV_PRIME;
        h = fnv_add(h, ls->v[i].value);
        h ^= 0xff;
        h *= FNV_PRIME;
    }
    return h;
}

const char *am_fingerprint_format(uint64_t fp, char out[17])
{
    snprintf(out, 17, "%016llx", (unsigned long long)fp);
    return out;
}

struct am_alert *am_alert_new(struct labels *labels, struct labels *annotations,
                              const char *generator_url)
{
    struct am_alert *a = xcalloc(1, sizeof(*a));
    a->labels = labels;
    a->annotations = annotations ? annotations : labels_empty();
    a->generator_url = xstrdup(generator_url ? generator_url : "");
    a->fingerprint = am_fingerprint(labels);
    return a;
}

struct am_alert *am_alert_dup(const struct am_alert *a)
{
    struct am_alert *d = xmalloc(sizeof(*d));
    *d = *a;
    d->labels = labels_dup(a->labels);
    d->annotations = labels_dup(a->annotations);
    d->generator_url = xstrdup(a->generator_url);
    return d;
}

void am_alert_free(struct am_alert *a)
{
    if (!a)
        return;
    labels_free(a->labels);
    labels_free(a->annotations);
    xfree(a->generator_url);
    xfree(a);
}

bool am_alert_resolved_at(const struct am_alert *a, int64_t now)
{
    return a->ends_at != 0 && a->ends_at <= now;
}

struct am_alert *am_alert_merge(const struct am_alert *a, const struct am_alert *b, int64_t now)
{
    const struct am_alert *older = a, *younger = b;
    struct am_alert *res;
    /* Go: if o.UpdatedAt.Before(a.UpdatedAt) { return o.Merge(a) } */
    if (b->updated_at < a->updated_at) {
        older = b;
        younger = a;
    }
    res = am_alert_dup(younger);
    if (older->starts_at < younger->starts_at)
        res->starts_at = older->starts_at;
    if (am_alert_resolved_at(younger, now)) {
        if (am_alert_resolved_at(older, now) && older->ends_at > younger->ends_at)
            res->ends_at = older->ends_at;
    } else if (older->ends_at > younger->ends_at && !older->timeout) {
        res->ends_at = older->ends_at;
    }
    return res;
}

bool am_alert_overlaps(const struct am_alert *old, const struct am_alert *neu)
{
    return (neu->ends_at > old->starts_at && neu->ends_at < old->ends_at) ||
           (neu->starts_at > old->starts_at && neu->starts_at < old->ends_at);
}

struct am_alert *am_alert_put_merge(const struct am_alert *old, const struct am_alert *neu,
                                    int64_t now)
{
    if (old && am_alert_overlaps(old, neu))
        return am_alert_merge(old, neu, now);
    return am_alert_dup(neu);
}

bool am_labels_before(const struct labels *a, const struct labels *b)
{
    size_t i = 0, j = 0;
    if (a->n != b->n)
        return a->n < b->n;
    /* Walk the sorted union of names. */
    while (i < a->n || j < b->n) {
        int c;
        if (i == a->n)
            return true; /* name only in b: a lacks it */
        if (j == b->n)
            return false;
        c = strcmp(a->v[i].name, b->v[j].name);
        if (c > 0)
            return true; /* b's name comes first and a lacks it */
        if (c < 0)
            return false;
        c = strcmp(a->v[i].value, b->v[j].value);
        if (c != 0)
            return c < 0;
        i++;
        j++;
    }
    return false;
}

int am_alert_cmp_notify(const struct am_alert *a, const struct am_alert *b)
{
    static const char *const keys[] = {"job", "instance"};
    for (size_t k = 0; k < 2; k++) {
        const char *x = labels_get(a->labels, keys[k]);
        const char *y = labels_get(b->labels, keys[k]);
        int c;
        if (!x && !y)
            continue;
        if (!x)
            return 1;
        if (!y)
            return -1;
        c = strcmp(x, y);
        if (c != 0)
            return c < 0 ? -1 : 1;
    }
    if (am_labels_before(a->labels, b->labels))
        return -1;
    if (am_labels_before(b->labels, a->labels))
        return 1;
    return 0;
}

/* Length of the valid UTF-8 sequence at s (n bytes left), 0 when invalid. Go's rules: no
 * overlongs, no surrogates, max U+10FFFF. */
static size_t utf8_seq(const unsigned char *s, size_t n, unsigned *cp)
{
    unsigned c = s[0];
    size_t len;
    unsigned v, min;
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c >= 0xc2 && c <= 0xdf) {
        len = 2;
        v = c & 0x1f;
        min = 0x80;
    } else if (c >= 0xe0 && c <= 0xef) {
        len = 3;
        v = c & 0x0f;
        min = 0x800;
    } else if (c >= 0xf0 && c <= 0xf4) {
        len = 4;
        v = c & 0x07;
        min = 0x10000;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        v = (v << 6) | (s[i] & 0x3f);
    }
    if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
        return 0;
    *cp = v;
    return len;
}

int am_json_put_string(struct buf *b, const char *s, size_t n, bool html)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0, start = 0;
    int rc = buf_putc(b, '"');
    while (rc == 0 && i < n) {
        unsigned cp = 0;
        size_t len = utf8_seq(p + i, n - i, &cp);
        const char *esc = NULL;
        char ubuf[8];
        if (len == 1) {
            if (cp == '"')
                esc = "\\\"";
            else if (cp == '\\')
                esc = "\\\\";
            else if (cp == '\n')
                esc = "\\n";
            else if (cp == '\r')
                esc = "\\r";
            else if (cp == '\t')
                esc = "\\t";
            else if (cp < 0x20 || (html && (cp == '<' || cp == '>' || cp == '&'))) {
                ubuf[0] = '\\';
                ubuf[1] = 'u';
                ubuf[2] = '0';
                ubuf[3] = '0';
                ubuf[4] = hex[cp >> 4];
                ubuf[5] = hex[cp & 0xf];
                ubuf[6] = '\0';
                esc = ubuf;
            }
        } else if (len == 0) {
            esc = "\\ufffd";
            len = 1;
        } else if (cp == 0x2028) {
            esc = "\\u2028";
        } else if (cp == 0x2029) {
            esc = "\\u2029";
        }
        if (esc) {
            rc = buf_append(b, s + start, i - start);
            if (rc == 0)
                rc = buf_puts(b, esc);
            start = i + len;
        }
        i += len;
    }
    if (rc == 0)
        rc = buf_append(b, s + start, n - start);
    if (rc == 0)
        rc = buf_putc(b, '"');
    return rc;
}

int am_json_put_labels(struct buf *b, const struct labels *ls, bool html)
{
    int rc = buf_putc(b, '{');
    for (size_t i = 0; rc == 0 && i < ls->n; i++) {
        if (i > 0)
            rc = buf_putc(b, ',');
        if (rc == 0)
            rc = am_json_put_string(b, ls->v[i].name, strlen(ls->v[i].name), html);
        if (rc == 0)
            rc = buf_putc(b, ':');
        if (rc == 0)
            rc = am_json_put_string(b, ls->v[i].value, strlen(ls->v[i].value), html);
    }
    if (rc == 0)
        rc = buf_putc(b, '}');
    return rc;
}

const char *am_time_format_go(int64_t ns, char *out, size_t n)
{
    if (ns == 0) {
        snprintf(out, n, "0001-01-01T00:00:00Z");
        return out;
    }
    return timestamp_format_ns(ns, out, n);
}

const char *am_time_format_api(int64_t ns, char *out, size_t n)
{
    int64_t ms = ns / AM_NS_PER_MS;
    if (ns == 0) {
        snprintf(out, n, "0001-01-01T00:00:00.000Z");
        return out;
    }
    if (ns < 0 && ns % AM_NS_PER_MS != 0)
        ms--;
    return timestamp_format(ms, TS_MILLI, out, n);
}

/* True for the spellings of Go's zero time: 0001-01-01T00:00:00 with an optional all-zero
 * fraction and a Z or +00:00 zone. */
static bool is_zero_time(const char *s)
{
    const char *p = "0001-01-01T00:00:00";
    size_t n = strlen(p);
    if (strncmp(s, p, n) != 0 && !(strncasecmp(s, p, n) == 0))
        return false;
    s += n;
    if (*s == '.') {
        s++;
        if (*s < '0' || *s > '9')
            return false;
        while (*s == '0')
            s++;
    }
    return strcmp(s, "Z") == 0 || strcmp(s, "z") == 0 || strcmp(s, "+00:00") == 0;
}

int am_time_parse(const char *s, int64_t *ns, struct err *e)
{
    int64_t v = 0;
    if (is_zero_time(s)) {
        *ns = 0;
        return 0;
    }
    if (timestamp_parse_rfc3339_ns(s, &v, NULL) != 0)
        return err_set(e, ERR_INVALID, "parsing time \"%s\" as RFC 3339 failed", s);
    *ns = v;
    return 0;
}
