/* SPDX-License-Identifier: Apache-2.0 */
/* Sorted series-ID lists: insertion, deletion and linear-merge set operations. */
#include "evaluator/tsdb/postings.h"

#include <string.h>

#include "common/xalloc.h"

void postings_init(struct postings *p)
{
    p->ids = NULL;
    p->n = p->cap = 0;
}

void postings_fini(struct postings *p)
{
    xfree(p->ids);
    postings_init(p);
}

static void grow(struct postings *p, size_t need)
{
    if (need > p->cap) {
        size_t ncap = p->cap ? p->cap * 2 : 4;
        while (ncap < need)
            ncap *= 2;
        p->ids = xreallocarray(p->ids, ncap, sizeof(*p->ids));
        p->cap = ncap;
    }
}

/* Index of the first element >= id. */
static size_t lower_bound(const struct postings *p, uint64_t id)
{
    size_t lo = 0, hi = p->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (p->ids[mid] < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

void postings_add(struct postings *p, uint64_t id)
{
    size_t i;
    if (p->n == 0 || p->ids[p->n - 1] < id) {
        grow(p, p->n + 1);
        p->ids[p->n++] = id;
        return;
    }
    i = lower_bound(p, id);
    if (i < p->n && p->ids[i] == id)
        return;
    grow(p, p->n + 1);
    memmove(p->ids + i + 1, p->ids + i, (p->n - i) * sizeof(*p->ids));
    p->ids[i] = id;
    p->n++;
}

bool postings_del(struct postings *p, uint64_t id)
{
    size_t i = lower_bound(p, id);
    if (i >= p->n || p->ids[i] != id)
        return false;
    memmove(p->ids + i, p->ids + i + 1, (p->n - i - 1) * sizeof(*p->ids));
    p->n--;
    if (p->n == 0)
        postings_fini(p);
    else if (p->cap > 16 && p->n < p->cap / 4) {
        p->cap /= 2;
        p->ids = xreallocarray(p->ids, p->cap, sizeof(*p->ids));
    }
    return true;
}

void postings_copy(struct postings *dst, const struct postings *src)
{
    dst->n = 0;
    grow(dst, src->n);
    if (src->n)
        memcpy(dst->ids, src->ids, src->n * sizeof(*src->ids));
    dst->n = src->n;
}

void postings_intersect(struct postings *dst, const struct postings *src)
{
    size_t i = 0, j = 0, k = 0;
    while (i < dst->n && j < src->n) {
        if (dst->ids[i] < src->ids[j]) {
            i++;
        } else if (dst->ids[i] > src->ids[j]) {
            j++;
        } else {
            dst->ids[k++] = dst->ids[i];
            i++;
            j++;
        }
    }
    dst->n = k;
}

void postings_union(struct postings *dst, const struct postings *src)
{
    uint64_t *out;
    size_t i = 0, j = 0, k = 0, total = dst->n + src->n;
    if (src->n == 0)
        return;
    out = xreallocarray(NULL, total, sizeof(*out));
    while (i < dst->n || j < src->n) {
        if (j >= src->n || (i < dst->n && dst->ids[i] < src->ids[j])) {
            out[k++] = dst->ids[i++];
        } else if (i >= dst->n || src->ids[j] < dst->ids[i]) {
            out[k++] = src->ids[j++];
        } else {
            out[k++] = dst->ids[i++];
            j++;
        }
    }
    xfree(dst->ids);
    dst->ids = out;
    dst->n = k;
    dst->cap = total;
}

void postings_subtract(struct postings *dst, const struct postings *src)
{
    size_t i = 0, j = 0, k = 0;
    while (i < dst->n) {
        while (j < src->n && src->ids[j] < dst->ids[i])
            j++;
        if (j < src->n && src->ids[j] == dst->ids[i]) {
            i++;
            continue;
        }
        dst->ids[k++] = dst->ids[i++];
    }
    dst->n = k;
}
