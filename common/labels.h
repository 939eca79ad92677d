/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Label sets: immutable, sorted by name, stored in one allocation (array + strings), hashed and
 * compared as Prometheus does. Build them with struct labels_builder.
 */
#ifndef TOCSIN_COMMON_LABELS_H
#define TOCSIN_COMMON_LABELS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct buf;

struct label {
    const char *name;
    const char *value;
};

/* Immutable label set. Free with labels_free(). Strings live inside the same block. */
struct labels {
    size_t n;
    uint64_t hash; /* labels_hash, computed once when the set is built */
    struct label v[];
};

/* A mutable set under construction. Strings are copied on labels_builder_finish only. */
struct labels_builder {
    struct label *items; /* borrowed strings until finish */
    size_t n, cap;
};

void labels_builder_init(struct labels_builder *b);
void labels_builder_fini(struct labels_builder *b);
void labels_builder_reset(struct labels_builder *b);
/* Starts from ls (borrowed; must outlive the builder's use). */
void labels_builder_from(struct labels_builder *b, const struct labels *ls);
/* Sets name=value, replacing an existing name. Strings borrowed until finish. An empty value
 * deletes the label (Prometheus treats empty and absent alike). */
void labels_builder_set(struct labels_builder *b, const char *name, const char *value);
void labels_builder_del(struct labels_builder *b, const char *name);
const char *labels_builder_get(const struct labels_builder *b, const char *name);
/* Returns a new sorted set (caller frees). Never NULL. */
struct labels *labels_builder_finish(struct labels_builder *b);

/*
 * Computes the cached hash of a set whose items a caller filled in place (sorted by name, no
 * empty values, strings borrowed), e.g. a zero-copy view over a decoded request. Call it before
 * the set is hashed, compared or handed on.
 */
void labels_view_finish(struct labels *ls);

/* Copies items (need not be sorted; later duplicates win; empty values dropped). Caller frees. */
struct labels *labels_new(const struct label *items, size_t n);
struct labels *labels_empty(void);
struct labels *labels_dup(const struct labels *ls);
void labels_free(struct labels *ls);
/* Bytes used by ls (for memory accounting). */
size_t labels_size(const struct labels *ls);

/* Value of name, or NULL when absent. Binary search. */
const char *labels_get(const struct labels *ls, const char *name);
/* Stable 64-bit hash of the whole set (names and values). */
uint64_t labels_hash(const struct labels *ls);
/* Hash of only the named labels (on=true) or of all but the named ones (on=false). names must
 * be sorted. Used for vector matching and grouping. */
uint64_t labels_hash_subset(const struct labels *ls, const char *const *names, size_t n, bool on);
/* Prometheus labels.Compare order: by name, then value, pairwise; shorter first on a tie. */
int labels_cmp(const struct labels *a, const struct labels *b);
bool labels_equal(const struct labels *a, const struct labels *b);

/* Appends {a="1", b="2"} (all labels, Prometheus String form). Returns 0 or ERR_TOOBIG. */
int labels_format(const struct labels *ls, struct buf *out);
/* Appends name{a="1"} with __name__ outside the braces when it is a legacy-valid name; just
 * name when there are no other labels; {} when empty. */
int labels_format_metric(const struct labels *ls, struct buf *out);

/* Legacy Prometheus label name: [a-zA-Z_][a-zA-Z0-9_]*. */
bool label_name_is_legacy(const char *s, size_t n);
/* Legacy metric name: [a-zA-Z_:][a-zA-Z0-9_:]*. */
bool metric_name_is_legacy(const char *s, size_t n);
/* Valid UTF-8 (the 3.x rule for names and values). */
bool utf8_valid(const char *s, size_t n);

#endif
