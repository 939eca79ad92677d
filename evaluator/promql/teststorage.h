/* SPDX-License-Identifier: Apache-2.0 */
/*
 * An in-memory storage for tests and the conformance runner: series with float samples (and
 * optional start timestamps), kept sorted by time, served through the struct promql_storage
 * interface. Not thread-safe.
 */
#ifndef TOCSIN_EVALUATOR_PROMQL_TESTSTORAGE_H
#define TOCSIN_EVALUATOR_PROMQL_TESTSTORAGE_H

#include <stddef.h>
#include <stdint.h>

#include "evaluator/promql/storage.h"

struct labels;
struct promql_teststorage;

/* Creates an empty storage. Caller frees with promql_teststorage_free. */
struct promql_teststorage *promql_teststorage_new(void);
void promql_teststorage_free(struct promql_teststorage *ts);
/* Drops every series. */
void promql_teststorage_clear(struct promql_teststorage *ts);
/* Adds (or replaces, at the same timestamp) one sample of the series ls (borrowed, copied). */
void promql_teststorage_add(struct promql_teststorage *ts, const struct labels *ls, int64_t t,
                            double v);
/* Like promql_teststorage_add, also recording the sample's start timestamp st (ms, 0 = unknown). */
void promql_teststorage_add_st(struct promql_teststorage *ts, const struct labels *ls, int64_t t,
                               double v, int64_t st);
/* Removes every sample of series ls (used when a load block redefines a series). */
void promql_teststorage_drop_series(struct promql_teststorage *ts, const struct labels *ls);
/* Number of series held. */
size_t promql_teststorage_series(const struct promql_teststorage *ts);
/* Fills st so that the engine reads from ts; ts must outlive every use of st. */
void promql_teststorage_interface(struct promql_teststorage *ts, struct promql_storage *st);

#endif
