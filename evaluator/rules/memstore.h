/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A small in-memory sample store for rule unit tests (tocsin test rules): the promtool input
 * series notation ("1+2x3 _ stale _x2"), a promql_storage over it, and a rule sink, so that
 * recording-rule output is readable by the next rule at the same timestamp.
 */
#ifndef TOCSIN_EVALUATOR_RULES_MEMSTORE_H
#define TOCSIN_EVALUATOR_RULES_MEMSTORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "evaluator/promql/storage.h"
#include "evaluator/rules/group.h"

struct err;
struct labels;

struct memstore_series {
    struct labels *labels;
    int64_t *t;
    double *v;
    size_t n, cap;
};

struct memstore {
    struct memstore_series *s;
    size_t n, cap;
    size_t *index;         /* open addressing by labels hash: series number + 1, 0 = empty */
    uint64_t *hashes;      /* labels hash per series */
    size_t index_mask;     /* index size - 1 */
    int64_t visible_until; /* samples after this are hidden (promtool's lazy loading) */
};

void memstore_init(struct memstore *m);
void memstore_fini(struct memstore *m);

/* Adds one sample; a sample at an existing timestamp replaces the old one. labels borrowed. */
void memstore_add(struct memstore *m, const struct labels *labels, int64_t t, double v);

/* A storage handle reading m (select copies the data). */
struct promql_storage memstore_storage(struct memstore *m);

/* The rule sink for struct rule_group_opts.append (ctx = the memstore). */
int memstore_append(void *ctx, const struct rule_sample *s, size_t n, struct err *e);

/*
 * Parses a series description as promtool's input_series.series: `name{a="b"}`, `{a="b"}`
 * or `name`. *out is a new label set (caller frees). ERR_PARSE with a message otherwise.
 */
int memstore_parse_metric(const char *s, struct labels **out, struct err *e);

/* One expanded value of the notation: omitted (`_`) or a value (stale = the stale NaN). */
struct memstore_value {
    bool omitted;
    double v;
};

/*
 * Expands the values notation ("1 2 3", "1+2x3", "1-1x3", "5x2", "_", "_x3", "stale", "NaN",
 * "Inf") into *out (xmalloc'd, caller frees), capped at max values. Native histogram
 * literals ({{...}}) give ERR_UNSUPPORTED.
 */
int memstore_expand_values(const char *s, size_t max, struct memstore_value **out, size_t *n,
                           struct err *e);

#endif
