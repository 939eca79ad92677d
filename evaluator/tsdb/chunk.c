/* SPDX-License-Identifier: Apache-2.0 */
/*
 * XOR chunks. First sample: 64-bit timestamp and 64-bit value. Then each timestamp as a
 * delta-of-delta in buckets ('0', '10'+7, '110'+14, '1110'+20, '1111'+64 bits; the 7-bit bucket
 * absorbs millisecond scrape jitter) and each value as described at put_value. Arithmetic on
 * timestamps wraps (unsigned) so any int64 input round-trips without undefined behaviour.
 */
#include "evaluator/tsdb/chunk.h"

#include <string.h>

#include "common/xalloc.h"

#define CHUNK_INITIAL_CAP 32

struct chunk *chunk_new(struct chunk_app *app)
{
    struct chunk *c = xcalloc(1, sizeof(*c) + CHUNK_INITIAL_CAP);
    c->cap = CHUNK_INITIAL_CAP;
    memset(app, 0, sizeof(*app));
    app->leading = 0xff;
    return c;
}

void chunk_free(struct chunk *c)
{
    xfree(c);
}

size_t chunk_data_bytes(const struct chunk *c)
{
    return (c->nbits + 7) / 8;
}

size_t chunk_alloc_bytes(const struct chunk *c)
{
    return sizeof(*c) + c->cap;
}

static struct chunk *reserve_bits(struct chunk *c, uint32_t add)
{
    size_t need = ((size_t)c->nbits + add + 7) / 8;
    if (need > c->cap) {
        size_t ncap = (size_t)c->cap + c->cap / 2;
        if (ncap < need)
            ncap = need;
        c = xrealloc(c, sizeof(*c) + ncap);
        memset(c->data + c->cap, 0, ncap - c->cap);
        c->cap = (uint32_t)ncap;
    }
    return c;
}

/* Writes the low n bits of x (1..64), most significant first. Space must be reserved. */
static void put_bits(struct chunk *c, uint64_t x, unsigned n)
{
    while (n > 0) {
        uint32_t byte = c->nbits >> 3;
        unsigned room = 8 - (c->nbits & 7);
        unsigned take = n < room ? n : room;
        unsigned bits = (unsigned)(x >> (n - take)) & ((1u << take) - 1);
        c->data[byte] |= (uint8_t)(bits << (room - take));
        c->nbits += take;
        n -= take;
    }
}

static bool fits(int64_t x, unsigned nbits)
{
    int64_t lim = (int64_t)1 << (nbits - 1);
    return x >= -lim && x < lim;
}

static uint64_t to_bits(double v)
{
    uint64_t b;
    memcpy(&b, &v, sizeof(b));
    return b;
}

static double from_bits(uint64_t b)
{
    double v;
    memcpy(&v, &b, sizeof(v));
    return v;
}

static void put_dod(struct chunk *c, int64_t dod)
{
    if (dod == 0) {
        put_bits(c, 0, 1);
    } else if (fits(dod, 7)) {
        put_bits(c, 2, 2);
        put_bits(c, (uint64_t)dod, 7);
    } else if (fits(dod, 14)) {
        put_bits(c, 6, 3);
        put_bits(c, (uint64_t)dod, 14);
    } else if (fits(dod, 20)) {
        put_bits(c, 14, 4);
        put_bits(c, (uint64_t)dod, 20);
    } else {
        put_bits(c, 15, 4);
        put_bits(c, (uint64_t)dod, 64);
    }
}

/* True when bits is a float holding an integer in [-2^53, 2^53] (not -0.0); sets *out. */
static bool int_exact(uint64_t bits, int64_t *out)
{
    double v = from_bits(bits);
    int64_t i;
    if (!(v >= -9007199254740992.0 && v <= 9007199254740992.0))
        return false;
    i = (int64_t)v;
    if (to_bits((double)i) != bits)
        return false;
    *out = i;
    return true;
}

static const unsigned int_widths[] = {4, 8, 16, 32};

/*
 * Value after the first: '0' same; '10' XOR inside the previous window; '110' XOR with a new
 * window (5-bit leading zeros, 6-bit length); '111' + 2-bit class + 4/8/16/32-bit integer
 * delta when both values are exact integers and that is shorter than the XOR form (counters
 * and small gauges).
 */
static void put_value(struct chunk *c, struct chunk_app *app, uint64_t vb)
{
    uint64_t x = vb ^ app->v;
    unsigned lead, trail, sig, xcost, icost = 1000, cls = 0;
    bool reuse;
    int64_t p, q, d = 0;
    if (x == 0) {
        put_bits(c, 0, 1);
        return;
    }
    lead = (unsigned)__builtin_clzll(x);
    trail = (unsigned)__builtin_ctzll(x);
    if (lead > 31)
        lead = 31;
    reuse = app->leading != 0xff && lead >= app->leading && trail >= app->trailing;
    sig = 64u - lead - trail;
    xcost = reuse ? 2u + (64u - app->leading - app->trailing) : 3u + 11u + sig;
    if (int_exact(app->v, &p) && int_exact(vb, &q)) {
        d = q - p;
        for (cls = 0; cls < 4; cls++) {
            if (fits(d, int_widths[cls])) {
                icost = 5 + int_widths[cls];
                break;
            }
        }
    }
    if (icost < xcost) {
        put_bits(c, 7, 3);
        put_bits(c, cls, 2);
        put_bits(c, (uint64_t)d, int_widths[cls]);
        return;
    }
    if (reuse) {
        put_bits(c, 2, 2);
        put_bits(c, x >> app->trailing, 64u - app->leading - app->trailing);
        return;
    }
    put_bits(c, 6, 3);
    put_bits(c, lead, 5);
    put_bits(c, sig == 64 ? 0 : sig, 6);
    put_bits(c, x >> trail, sig);
    app->leading = (uint8_t)lead;
    app->trailing = (uint8_t)trail;
}

struct chunk *chunk_append(struct chunk *c, struct chunk_app *app, int64_t t, double v)
{
    uint64_t vb = to_bits(v);
    /* Worst case: 4 + 64 timestamp bits, 2 + 5 + 6 + 64 value bits. */
    c = reserve_bits(c, 160);
    if (c->n == 0) {
        put_bits(c, (uint64_t)t, 64);
        put_bits(c, vb, 64);
        c->mint = t;
        app->delta = 0;
    } else {
        int64_t delta = (int64_t)((uint64_t)t - (uint64_t)app->t);
        int64_t dod = (int64_t)((uint64_t)delta - (uint64_t)app->delta);
        put_dod(c, dod);
        put_value(c, app, vb);
        app->delta = delta;
    }
    app->t = t;
    app->v = vb;
    c->maxt = t;
    c->n++;
    return c;
}

struct chunk *chunk_compact(struct chunk *c)
{
    size_t need = chunk_data_bytes(c);
    if (need < c->cap) {
        c = xrealloc(c, sizeof(*c) + (need ? need : 1));
        c->cap = (uint32_t)(need ? need : 1);
    }
    return c;
}

void chunk_iter_init(struct chunk_iter *it, const struct chunk *c)
{
    memset(it, 0, sizeof(*it));
    it->c = c;
    it->st.leading = 0xff;
}

static bool get_bits(struct chunk_iter *it, unsigned n, uint64_t *out)
{
    uint64_t x = 0;
    if ((uint64_t)it->pos + n > it->c->nbits) {
        it->err = true;
        return false;
    }
    while (n > 0) {
        uint32_t byte = it->pos >> 3;
        unsigned room = 8 - (it->pos & 7);
        unsigned take = n < room ? n : room;
        unsigned bits = ((unsigned)it->c->data[byte] >> (room - take)) & ((1u << take) - 1);
        x = (x << take) | bits;
        it->pos += take;
        n -= take;
    }
    *out = x;
    return true;
}

static int64_t sign_extend(uint64_t x, unsigned nbits)
{
    if (nbits == 64)
        return (int64_t)x;
    if (x & ((uint64_t)1 << (nbits - 1)))
        x |= ~(((uint64_t)1 << nbits) - 1);
    return (int64_t)x;
}

static bool get_dod(struct chunk_iter *it, int64_t *dod)
{
    static const unsigned widths[] = {7, 14, 20, 64};
    uint64_t b, x;
    unsigned k = 0;
    /* Count leading one bits (at most 4); a zero bit ends the prefix. */
    while (k < 4) {
        if (!get_bits(it, 1, &b))
            return false;
        if (b == 0)
            break;
        k++;
    }
    if (k == 0) {
        *dod = 0;
        return true;
    }
    if (!get_bits(it, widths[k - 1], &x))
        return false;
    *dod = sign_extend(x, widths[k - 1]);
    return true;
}

static bool get_value(struct chunk_iter *it, uint64_t *vb)
{
    uint64_t b, x, lead, sig;
    int64_t p;
    if (!get_bits(it, 1, &b))
        return false;
    if (b == 0) {
        *vb = it->st.v;
        return true;
    }
    if (!get_bits(it, 1, &b))
        return false;
    if (b == 0) {
        if (it->st.leading == 0xff) {
            it->err = true;
            return false;
        }
        sig = 64u - it->st.leading - it->st.trailing;
        if (!get_bits(it, (unsigned)sig, &x))
            return false;
        *vb = it->st.v ^ (x << it->st.trailing);
        return true;
    }
    if (!get_bits(it, 1, &b))
        return false;
    if (b == 1) {
        uint64_t cls;
        if (!get_bits(it, 2, &cls) || !get_bits(it, int_widths[cls], &x))
            return false;
        if (!int_exact(it->st.v, &p)) {
            it->err = true;
            return false;
        }
        *vb = to_bits((double)(p + sign_extend(x, int_widths[cls])));
        return true;
    }
    if (!get_bits(it, 5, &lead) || !get_bits(it, 6, &sig))
        return false;
    if (sig == 0)
        sig = 64;
    if (lead + sig > 64) {
        it->err = true;
        return false;
    }
    if (!get_bits(it, (unsigned)sig, &x))
        return false;
    it->st.leading = (uint8_t)lead;
    it->st.trailing = (uint8_t)(64 - lead - sig);
    *vb = it->st.v ^ x << it->st.trailing;
    return true;
}

bool chunk_iter_next(struct chunk_iter *it, int64_t *t, double *v)
{
    uint64_t x, vb;
    if (it->err || it->i >= it->c->n)
        return false;
    if (it->i == 0) {
        if (!get_bits(it, 64, &x) || !get_bits(it, 64, &vb))
            return false;
        it->st.t = (int64_t)x;
        it->st.delta = 0;
    } else {
        int64_t dod;
        if (!get_dod(it, &dod) || !get_value(it, &vb))
            return false;
        it->st.delta = (int64_t)((uint64_t)it->st.delta + (uint64_t)dod);
        it->st.t = (int64_t)((uint64_t)it->st.t + (uint64_t)it->st.delta);
    }
    it->st.v = vb;
    it->i++;
    *t = it->st.t;
    *v = from_bits(vb);
    return true;
}

struct chunk *chunk_from_bytes(const uint8_t *data, size_t nbytes, uint32_t nbits, uint16_t n,
                               int64_t mint, int64_t maxt, struct chunk_app *app)
{
    struct chunk *c;
    struct chunk_iter it;
    int64_t t, prev = 0;
    double v;
    if (n == 0 || n > CHUNK_SAMPLES || nbytes != ((size_t)nbits + 7) / 8 || nbytes > 1u << 16)
        return NULL;
    c = xcalloc(1, sizeof(*c) + (nbytes ? nbytes : 1));
    memcpy(c->data, data, nbytes);
    c->cap = (uint32_t)(nbytes ? nbytes : 1);
    c->nbits = nbits;
    c->n = n;
    c->mint = mint;
    c->maxt = maxt;
    chunk_iter_init(&it, c);
    while (chunk_iter_next(&it, &t, &v)) {
        if ((it.i == 1 && t != mint) || (it.i > 1 && t <= prev))
            goto bad;
        prev = t;
    }
    if (it.err || it.i != n || it.pos != nbits || prev != maxt)
        goto bad;
    *app = it.st;
    return c;
bad:
    chunk_free(c);
    return NULL;
}
