/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Inverted index of the in-memory window: label name -> value -> sorted postings of series IDs,
 * plus the list of all IDs. Selection by matchers intersects and unions postings. Not
 * thread-safe: struct tsdb guards it with a rwlock.
 */
#ifndef TOCSIN_EVALUATOR_TSDB_INDEX_H
#define TOCSIN_EVALUATOR_TSDB_INDEX_H

#include <stddef.h>
#include <stdint.h>

#include "evaluator/tsdb/postings.h"

struct labels;
struct matcher;
struct index;

struct index *index_new(void);
void index_free(struct index *ix);

/* Adds series id with labels ls (borrowed; strings are copied once per distinct value). */
void index_add(struct index *ix, uint64_t id, const struct labels *ls);
/* Removes series id (ls must be the labels it was added with). */
void index_del(struct index *ix, uint64_t id, const struct labels *ls);

/* All series IDs (borrowed; valid until the next change). */
const struct postings *index_all(const struct index *ix);

/*
 * Sets out (initialized by the caller, contents replaced) to the IDs of series matching every
 * matcher. Matchers that match the empty string also select series without the label. With no
 * matchers, out is every series.
 */
void index_select(const struct index *ix, const struct matcher *const *ms, size_t nms,
                  struct postings *out);

/* Sorted copies of all label names / of all values of name. Caller frees each and the array. */
void index_label_names(const struct index *ix, char ***out, size_t *n);
void index_label_values(const struct index *ix, const char *name, char ***out, size_t *n);

/* Bytes used by the index's strings and postings (approximate, for stats). */
size_t index_bytes(const struct index *ix);

#endif
