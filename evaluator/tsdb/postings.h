/* SPDX-License-Identifier: Apache-2.0 */
/* Sorted lists of series IDs and the set operations used to select series by matchers. */
#ifndef TOCSIN_EVALUATOR_TSDB_POSTINGS_H
#define TOCSIN_EVALUATOR_TSDB_POSTINGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A strictly ascending list of series IDs. Heap-owned ids; zero-initialize or postings_init. */
struct postings {
    uint64_t *ids;
    size_t n, cap;
};

void postings_init(struct postings *p);
void postings_fini(struct postings *p);
/* Inserts id keeping order (no-op when present). Appending a larger id is O(1). */
void postings_add(struct postings *p, uint64_t id);
/* Removes id when present. Returns true when it was. */
bool postings_del(struct postings *p, uint64_t id);
/* Replaces dst with a copy of src. */
void postings_copy(struct postings *dst, const struct postings *src);
/* dst = dst ∩ src. */
void postings_intersect(struct postings *dst, const struct postings *src);
/* dst = dst ∪ src. */
void postings_union(struct postings *dst, const struct postings *src);
/* dst = dst \ src. */
void postings_subtract(struct postings *dst, const struct postings *src);

#endif
