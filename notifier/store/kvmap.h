/* SPDX-License-Identifier: Apache-2.0 */
/* A string-keyed hash map (chained, power-of-two buckets) used by the notifier's alert, nflog,
 * dispatch and store modules. Keys are copied; values are opaque pointers the caller owns. */
#ifndef TOCSIN_NOTIFIER_STORE_KVMAP_H
#define TOCSIN_NOTIFIER_STORE_KVMAP_H

#include <stdbool.h>
#include <stddef.h>

struct kvmap_entry {
    struct kvmap_entry *next;
    unsigned long hash;
    void *value;
    size_t klen;
    char key[]; /* NUL-terminated copy, klen bytes before the NUL */
};

struct kvmap {
    struct kvmap_entry **buckets;
    size_t nbuckets; /* 0 or a power of two */
    size_t n;
};

/* Initialises an empty map (no allocation). */
void kvmap_init(struct kvmap *m);
/* Frees the entries; values are not touched (free them first with kvmap_each/kvmap_take). */
void kvmap_fini(struct kvmap *m);
/* Value for key (klen bytes, may hold NULs) or NULL. */
void *kvmap_get(const struct kvmap *m, const char *key, size_t klen);
/* Sets key to value; returns the previous value (caller frees it) or NULL. */
void *kvmap_put(struct kvmap *m, const char *key, size_t klen, void *value);
/* Removes key; returns its value (caller frees) or NULL when absent. */
void *kvmap_del(struct kvmap *m, const char *key, size_t klen);

/* Iteration: for (e = kvmap_first(m, &it); e; e = kvmap_next(m, &it)). Removing the current
 * entry with kvmap_del during iteration is allowed (the iterator already points past it). */
struct kvmap_iter {
    size_t bucket;
    struct kvmap_entry *next;
};
struct kvmap_entry *kvmap_first(const struct kvmap *m, struct kvmap_iter *it);
struct kvmap_entry *kvmap_next(const struct kvmap *m, struct kvmap_iter *it);

#endif
