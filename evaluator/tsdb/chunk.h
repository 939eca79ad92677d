/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Gorilla-style compressed sample chunks: delta-of-delta timestamps and XOR-encoded float bits.
 * A chunk is one allocation (header + bit stream). Not thread-safe: callers lock.
 */
#ifndef TOCSIN_EVALUATOR_TSDB_CHUNK_H
#define TOCSIN_EVALUATOR_TSDB_CHUNK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Samples per chunk before a new one is cut. */
#define CHUNK_SAMPLES 120

struct chunk {
    int64_t mint, maxt; /* first and last sample timestamps */
    uint32_t nbits;     /* bits of data in use */
    uint32_t cap;       /* bytes allocated for data */
    uint16_t n;         /* number of samples */
    uint8_t data[];
};

/* Encoder state of the chunk being appended to (kept next to it, not inside it). */
struct chunk_app {
    int64_t t;       /* last timestamp */
    int64_t delta;   /* last timestamp delta */
    uint64_t v;      /* last value bits */
    uint8_t leading; /* XOR window of the last value change; 0xff when none yet */
    uint8_t trailing;
};

/* Returns a new empty chunk (caller frees with chunk_free) and resets app. */
struct chunk *chunk_new(struct chunk_app *app);
void chunk_free(struct chunk *c);

/*
 * Appends (t, v) to c, which may move (the new pointer is returned). The caller guarantees
 * t > app->t when c->n > 0 (strictly ascending). v's bits are stored exactly (NaN payloads too).
 */
struct chunk *chunk_append(struct chunk *c, struct chunk_app *app, int64_t t, double v);

/* Shrinks c's allocation to its data (used when c stops being the head). Returns the pointer. */
struct chunk *chunk_compact(struct chunk *c);

/* Bytes used by c's data stream (what chunk_compact leaves), and the allocation size. */
size_t chunk_data_bytes(const struct chunk *c);
size_t chunk_alloc_bytes(const struct chunk *c);

/*
 * Builds a chunk from serialized fields (checkpoint load): copies nbytes of data. Returns NULL
 * when the fields are inconsistent or the stream does not decode to exactly n samples within
 * nbits, ascending, with first/last equal to mint/maxt. On success app holds the encoder state,
 * so the chunk can be appended to.
 */
struct chunk *chunk_from_bytes(const uint8_t *data, size_t nbytes, uint32_t nbits, uint16_t n,
                               int64_t mint, int64_t maxt, struct chunk_app *app);

/* Sequential decoder. Bounded by c->nbits: corrupt data ends the iteration, never overreads. */
struct chunk_iter {
    const struct chunk *c;
    uint32_t pos; /* bit position */
    uint16_t i;   /* samples decoded */
    bool err;     /* set when the stream ended early or was malformed */
    struct chunk_app st;
};

void chunk_iter_init(struct chunk_iter *it, const struct chunk *c);
/* Decodes the next sample into *t, *v. Returns false at the end (or on error, see it->err). */
bool chunk_iter_next(struct chunk_iter *it, int64_t *t, double *v);

#endif
