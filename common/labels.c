/* SPDX-License-Identifier: Apache-2.0 */
/* Label sets: sorted, single-allocation, hashed, compared and printed like Prometheus's. */
#include "common/labels.h"

#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/xalloc.h"

void labels_builder_init(struct labels_builder *b)
{
    b->items = NULL;
    b->n = b->cap = 0;
}

void labels_builder_fini(struct labels_builder *b)
{
    xfree(b->items);
    labels_builder_init(b);
}

void labels_builder_reset(struct labels_builder *b)
{
    b->n = 0;
}

static void builder_push(struct labels_builder *b, const char *name, const char *value)
{
    if (b->n == b->cap) {
        b->cap = b->cap ? b->cap * 2 : 8;
        b->items = xreallocarray(b->items, b->cap, sizeof(*b->items));
    }
    b->items[b->n].name = name;
    b->items[b->n].value = value;
    b->n++;
}

void labels_builder_from(struct labels_builder *b, const struct labels *ls)
{
    b->n = 0;
    for (size_t i = 0; ls && i < ls->n; i++)
        builder_push(b, ls->v[i].name, ls->v[i].value);
}

void labels_builder_del(struct labels_builder *b, const char *name)
{
    for (size_t i = 0; i < b->n; i++) {
        if (strcmp(b->items[i].name, name) == 0) {
            memmove(&b->items[i], &b->items[i + 1], (b->n - i - 1) * sizeof(*b->items));
            b->n--;
            return;
        }
    }
}

void labels_builder_set(struct labels_builder *b, const char *name, const char *value)
{
    if (value == NULL || value[0] == '\0') {
        labels_builder_del(b, name);
        return;
    }
    for (size_t i = 0; i < b->n; i++) {
        if (strcmp(b->items[i].name, name) == 0) {
            b->items[i].value = value;
            return;
        }
    }
    builder_push(b, name, value);
}

const char *labels_builder_get(const struct labels_builder *b, const char *name)
{
    for (size_t i = 0; i < b->n; i++)
        if (strcmp(b->items[i].name, name) == 0)
            return b->items[i].value;
    return NULL;
}

static int label_cmp_name(const void *a, const void *b)
{
    const struct label *x = a, *y = b;
    return strcmp(x->name, y->name);
}

static uint64_t compute_hash(const struct labels *ls);

static struct labels *pack(const struct label *items, size_t n)
{
    size_t bytes = sizeof(struct labels) + n * sizeof(struct label);
    struct labels *ls;
    char *p;
    for (size_t i = 0; i < n; i++)
        bytes += strlen(items[i].name) + strlen(items[i].value) + 2;
    ls = xmalloc(bytes);
    ls->n = n;
    p = (char *)&ls->v[n];
    for (size_t i = 0; i < n; i++) {
        size_t ln = strlen(items[i].name) + 1, lv = strlen(items[i].value) + 1;
        memcpy(p, items[i].name, ln);
        ls->v[i].name = p;
        p += ln;
        memcpy(p, items[i].value, lv);
        ls->v[i].value = p;
        p += lv;
    }
    ls->hash = compute_hash(ls);
    return ls;
}

struct labels *labels_builder_finish(struct labels_builder *b)
{
    if (b->n > 1)
        qsort(b->items, b->n, sizeof(*b->items), label_cmp_name);
    return pack(b->items, b->n);
}

struct labels *labels_new(const struct label *items, size_t n)
{
    struct labels_builder b;
    struct labels *ls;
    labels_builder_init(&b);
    for (size_t i = 0; i < n; i++)
        labels_builder_set(&b, items[i].name, items[i].value);
    ls = labels_builder_finish(&b);
    labels_builder_fini(&b);
    return ls;
}

struct labels *labels_empty(void)
{
    return pack(NULL, 0);
}

struct labels *labels_dup(const struct labels *ls)
{
    return pack(ls->v, ls->n);
}

void labels_free(struct labels *ls)
{
    xfree(ls);
}

size_t labels_size(const struct labels *ls)
{
    size_t bytes = sizeof(struct labels) + ls->n * sizeof(struct label);
    for (size_t i = 0; i < ls->n; i++)
        bytes += strlen(ls->v[i].name) + strlen(ls->v[i].value) + 2;
    return bytes;
}

const char *labels_get(const struct labels *ls, const char *name)
{
    size_t lo = 0, hi = ls->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(ls->v[mid].name, name);
        if (c == 0)
            return ls->v[mid].value;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* FNV-1a 64 with a separator byte between strings, then a final avalanche. */
static uint64_t hash_bytes(uint64_t h, const char *s)
{
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 0x100000001b3ULL;
    }
    h ^= 0xff;
    h *= 0x100000001b3ULL;
    return h;
}

static uint64_t hash_final(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h;
}

uint64_t labels_hash(const struct labels *ls)
{
    return ls->hash;
}

void labels_view_finish(struct labels *ls)
{
    ls->hash = compute_hash(ls);
}

static uint64_t compute_hash(const struct labels *ls)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < ls->n; i++) {
        h = hash_bytes(h, ls->v[i].name);
        h = hash_bytes(h, ls->v[i].value);
    }
    return hash_final(h);
}

static bool name_in(const char *name, const char *const *names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(names[i], name) == 0)
            return true;
    return false;
}

uint64_t labels_hash_subset(const struct labels *ls, const char *const *names, size_t n, bool on)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < ls->n; i++) {
        if (name_in(ls->v[i].name, names, n) != on)
            continue;
        h = hash_bytes(h, ls->v[i].name);
        h = hash_bytes(h, ls->v[i].value);
    }
    return hash_final(h);
}

int labels_cmp(const struct labels *a, const struct labels *b)
{
    size_t n = a->n < b->n ? a->n : b->n;
    for (size_t i = 0; i < n; i++) {
        int c = strcmp(a->v[i].name, b->v[i].name);
        if (c != 0)
            return c;
        c = strcmp(a->v[i].value, b->v[i].value);
        if (c != 0)
            return c;
    }
    return a->n < b->n ? -1 : a->n > b->n ? 1 : 0;
}

bool labels_equal(const struct labels *a, const struct labels *b)
{
    if (a == b)
        return true;
    if (a->n != b->n || a->hash != b->hash)
        return false;
    return labels_cmp(a, b) == 0;
}

static int put_name(struct buf *out, const char *name)
{
    if (label_name_is_legacy(name, strlen(name)))
        return buf_puts(out, name);
    return buf_put_quoted(out, name, strlen(name));
}

int labels_format(const struct labels *ls, struct buf *out)
{
    int rc = buf_putc(out, '{');
    for (size_t i = 0; rc == 0 && i < ls->n; i++) {
        if (i > 0)
            rc = buf_puts(out, ", ");
        if (rc == 0)
            rc = put_name(out, ls->v[i].name);
        if (rc == 0)
            rc = buf_putc(out, '=');
        if (rc == 0)
            rc = buf_put_quoted(out, ls->v[i].value, strlen(ls->v[i].value));
    }
    if (rc == 0)
        rc = buf_putc(out, '}');
    return rc;
}

int labels_format_metric(const struct labels *ls, struct buf *out)
{
    const char *name = labels_get(ls, "__name__");
    bool outside = name && metric_name_is_legacy(name, strlen(name));
    bool first = true;
    int rc = 0;
    if (outside) {
        rc = buf_puts(out, name);
        if (ls->n == 1)
            return rc;
    }
    if (rc == 0)
        rc = buf_putc(out, '{');
    if (name && !outside) {
        rc = buf_put_quoted(out, name, strlen(name));
        first = false;
    }
    for (size_t i = 0; rc == 0 && i < ls->n; i++) {
        if (strcmp(ls->v[i].name, "__name__") == 0)
            continue;
        if (!first)
            rc = buf_puts(out, ", ");
        first = false;
        if (rc == 0)
            rc = put_name(out, ls->v[i].name);
        if (rc == 0)
            rc = buf_putc(out, '=');
        if (rc == 0)
            rc = buf_put_quoted(out, ls->v[i].value, strlen(ls->v[i].value));
    }
    if (rc == 0)
        rc = buf_putc(out, '}');
    return rc;
}

static bool is_alpha_(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

bool label_name_is_legacy(const char *s, size_t n)
{
    if (n == 0 || !is_alpha_(s[0]))
        return false;
    for (size_t i = 1; i < n; i++)
        if (!is_alpha_(s[i]) && !(s[i] >= '0' && s[i] <= '9'))
            return false;
    return true;
}

bool metric_name_is_legacy(const char *s, size_t n)
{
    if (n == 0 || !(is_alpha_(s[0]) || s[0] == ':'))
        return false;
    for (size_t i = 1; i < n; i++)
        if (!is_alpha_(s[i]) && !(s[i] >= '0' && s[i] <= '9') && s[i] != ':')
            return false;
    return true;
}

bool utf8_valid(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + n;
    while (p < end) {
        unsigned char c = *p;
        size_t len;
        uint32_t cp;
        if (c < 0x80) {
            p++;
            continue;
        } else if ((c & 0xe0) == 0xc0) {
            len = 2;
            cp = c & 0x1f;
        } else if ((c & 0xf0) == 0xe0) {
            len = 3;
            cp = c & 0x0f;
        } else if ((c & 0xf8) == 0xf0) {
            len = 4;
            cp = c & 0x07;
        } else {
            return false;
        }
        if ((size_t)(end - p) < len)
            return false;
        for (size_t i = 1; i < len; i++) {
            if ((p[i] & 0xc0) != 0x80)
                return false;
            cp = (cp << 6) | (p[i] & 0x3f);
        }
        if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
            cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return false;
        p += len;
    }
    return true;
}
