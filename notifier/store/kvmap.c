/* SPDX-License-Identifier: Apache-2.0 */
/* String-keyed chained hash map (see kvmap.h). */
#include "notifier/store/kvmap.h"

#include <stdint.h>
#include <string.h>

#include "common/xalloc.h"

static unsigned long key_hash(const char *k, size_t n)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)k[i];
        h *= 1099511628211ULL;
    }
    return (unsigned long)(h ^ (h >> 29));
}

void kvmap_init(struct kvmap *m)
{
    m->buckets = NULL;
    m->nbuckets = 0;
    m->n = 0;
}

void kvmap_fini(struct kvmap *m)
{
    for (size_t i = 0; i < m->nbuckets; i++) {
        struct kvmap_entry *e = m->buckets[i];
        while (e) {
            struct kvmap_entry *nx = e->next;
            xfree(e);
            e = nx;
        }
    }
    xfree(m->buckets);
    kvmap_init(m);
}

static struct kvmap_entry **find(const struct kvmap *m, const char *key, size_t klen,
                                 unsigned long h)
{
    struct kvmap_entry **pp;
    if (m->nbuckets == 0)
        return NULL;
    pp = &m->buckets[h & (m->nbuckets - 1)];
    for (; *pp; pp = &(*pp)->next) {
        if ((*pp)->hash == h && (*pp)->klen == klen && memcmp((*pp)->key, key, klen) == 0)
            return pp;
    }
    return NULL;
}

void *kvmap_get(const struct kvmap *m, const char *key, size_t klen)
{
    struct kvmap_entry **pp = find(m, key, klen, key_hash(key, klen));
    return pp && *pp ? (*pp)->value : NULL;
}

static void grow(struct kvmap *m)
{
    size_t nb = m->nbuckets ? m->nbuckets * 2 : 16;
    struct kvmap_entry **b = xcalloc(nb, sizeof(*b));
    for (size_t i = 0; i < m->nbuckets; i++) {
        struct kvmap_entry *e = m->buckets[i];
        while (e) {
            struct kvmap_entry *nx = e->next;
            e->next = b[e->hash & (nb - 1)];
            b[e->hash & (nb - 1)] = e;
            e = nx;
        }
    }
    xfree(m->buckets);
    m->buckets = b;
    m->nbuckets = nb;
}

void *kvmap_put(struct kvmap *m, const char *key, size_t klen, void *value)
{
    unsigned long h = key_hash(key, klen);
    struct kvmap_entry **pp = find(m, key, klen, h);
    struct kvmap_entry *e;
    if (pp && *pp) {
        void *old = (*pp)->value;
        (*pp)->value = value;
        return old;
    }
    if (m->n + 1 > m->nbuckets)
        grow(m);
    e = xmalloc(sizeof(*e) + klen + 1);
    e->hash = h;
    e->value = value;
    e->klen = klen;
    memcpy(e->key, key, klen);
    e->key[klen] = '\0';
    e->next = m->buckets[h & (m->nbuckets - 1)];
    m->buckets[h & (m->nbuckets - 1)] = e;
    m->n++;
    return NULL;
}

void *kvmap_del(struct kvmap *m, const char *key, size_t klen)
{
    struct kvmap_entry **pp = find(m, key, klen, key_hash(key, klen));
    struct kvmap_entry *e;
    void *v;
    if (!pp || !*pp)
        return NULL;
    e = *pp;
    *pp = e->next;
    v = e->value;
    xfree(e);
    m->n--;
    return v;
}

struct kvmap_entry *kvmap_next(const struct kvmap *m, struct kvmap_iter *it)
{
    struct kvmap_entry *e = it->next;
    while (!e && it->bucket < m->nbuckets)
        e = m->buckets[it->bucket++];
    it->next = e ? e->next : NULL;
    return e;
}

struct kvmap_entry *kvmap_first(const struct kvmap *m, struct kvmap_iter *it)
{
    it->bucket = 0;
    it->next = NULL;
    return kvmap_next(m, it);
}
