/* SPDX-License-Identifier: Apache-2.0 */
/* Varint and fixed-width encoders/decoders shared by the WAL records and checkpoints. */
#ifndef TOCSIN_EVALUATOR_TSDB_ENC_H
#define TOCSIN_EVALUATOR_TSDB_ENC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "common/buf.h"

/* Appends v as a LEB128 varint. Returns 0 or ERR_TOOBIG from the buffer. */
static inline int enc_uvarint(struct buf *b, uint64_t v)
{
    uint8_t tmp[10];
    size_t n = 0;
    while (v >= 0x80) {
        tmp[n++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    tmp[n++] = (uint8_t)v;
    return buf_append(b, tmp, n);
}

static inline int enc_varint(struct buf *b, int64_t v)
{
    return enc_uvarint(b, ((uint64_t)v << 1) ^ (uint64_t)(v >> 63));
}

static inline int enc_u64(struct buf *b, uint64_t v)
{
    uint8_t tmp[8];
    for (int i = 0; i < 8; i++)
        tmp[i] = (uint8_t)(v >> (8 * i));
    return buf_append(b, tmp, 8);
}

static inline int enc_f64(struct buf *b, double v)
{
    uint64_t u;
    memcpy(&u, &v, sizeof(u));
    return enc_u64(b, u);
}

static inline int enc_str(struct buf *b, const char *s)
{
    size_t n = strlen(s);
    int rc = enc_uvarint(b, n);
    return rc ? rc : buf_append(b, s, n);
}

/* A bounded reader: every get fails (returns false) instead of reading past end. */
struct dec {
    const uint8_t *p, *end;
};

static inline bool dec_uvarint(struct dec *d, uint64_t *out)
{
    uint64_t v = 0;
    for (unsigned shift = 0; shift < 64; shift += 7) {
        uint8_t c;
        if (d->p >= d->end)
            return false;
        c = *d->p++;
        v |= (uint64_t)(c & 0x7f) << shift;
        if (!(c & 0x80)) {
            *out = v;
            return true;
        }
    }
    return false;
}

static inline bool dec_varint(struct dec *d, int64_t *out)
{
    uint64_t u;
    if (!dec_uvarint(d, &u))
        return false;
    *out = (int64_t)((u >> 1) ^ (~(u & 1) + 1));
    return true;
}

static inline bool dec_u64(struct dec *d, uint64_t *out)
{
    uint64_t v = 0;
    if (d->end - d->p < 8)
        return false;
    for (int i = 0; i < 8; i++)
        v |= (uint64_t)d->p[i] << (8 * i);
    d->p += 8;
    *out = v;
    return true;
}

static inline bool dec_f64(struct dec *d, double *out)
{
    uint64_t u;
    if (!dec_u64(d, &u))
        return false;
    memcpy(out, &u, sizeof(u));
    return true;
}

/* Points *s at len bytes of the input (not NUL-terminated). */
static inline bool dec_bytes(struct dec *d, size_t len, const uint8_t **s)
{
    if ((size_t)(d->end - d->p) < len)
        return false;
    *s = d->p;
    d->p += len;
    return true;
}

#endif
