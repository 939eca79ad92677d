/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Builds Remote-Write 1.0 or 2.0 request bodies (protobuf, optionally snappy-compressed) from
 * label sets and samples. Used by test tools, benchmarks and tests of the receiver.
 */
#ifndef TOCSIN_EVALUATOR_INGEST_RWENC_H
#define TOCSIN_EVALUATOR_INGEST_RWENC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct labels;
struct rwenc;

/* version 1 (prometheus.WriteRequest) or 2 (io.prometheus.write.v2.Request). Caller frees. */
struct rwenc *rwenc_new(int version);
void rwenc_free(struct rwenc *w);
/* Adds a float sample for series ls (copied); samples of one series are grouped in order. */
void rwenc_add(struct rwenc *w, const struct labels *ls, int64_t t, double v);
/* Adds a minimal native histogram sample (count 1, sum v) for series ls. */
void rwenc_add_histogram(struct rwenc *w, const struct labels *ls, int64_t t, double v);
/* Encodes everything added so far. *out is heap memory the caller frees. */
void rwenc_finish(struct rwenc *w, bool snappy, uint8_t **out, size_t *len);

#endif
