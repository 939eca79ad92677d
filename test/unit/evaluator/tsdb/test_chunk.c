/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for XOR chunks: random round trips, bit-exact NaNs, extremes, corrupt input. */
#include <stdint.h>
#include <string.h>

#include "common/xalloc.h"
#include "evaluator/promql/storage.h"
#include "evaluator/tsdb/chunk.h"
#include "test/harness.h"

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static uint64_t bits_of(double v)
{
    uint64_t u;
    memcpy(&u, &v, sizeof(u));
    return u;
}

static double from_bits(uint64_t u)
{
    double v;
    memcpy(&v, &u, sizeof(v));
    return v;
}

/* Appends n samples and checks that decoding gives them back bit-exactly. */
static void round_trip(const int64_t *t, const double *v, size_t n)
{
    struct chunk_app app;
    struct chunk *c = chunk_new(&app);
    struct chunk_iter it;
    int64_t tt;
    double vv;
    size_t i = 0;
    for (size_t k = 0; k < n; k++)
        c = chunk_append(c, &app, t[k], v[k]);
    CHECK_INT(c->n, n);
    CHECK(c->mint == t[0]);
    CHECK(c->maxt == t[n - 1]);
    chunk_iter_init(&it, c);
    while (chunk_iter_next(&it, &tt, &vv)) {
        CHECK(i < n);
        CHECK(tt == t[i]);
        CHECK(bits_of(vv) == bits_of(v[i]));
        i++;
    }
    CHECK(!it.err);
    CHECK_INT(i, n);
    /* The compacted copy and a rebuilt chunk decode the same and can be appended to. */
    c = chunk_compact(c);
    {
        struct chunk_app app2;
        struct chunk *d =
            chunk_from_bytes(c->data, chunk_data_bytes(c), c->nbits, c->n, c->mint, c->maxt, &app2);
        CHECK(d != NULL);
        CHECK(app2.t == app.t && app2.v == app.v && app2.delta == app.delta);
        CHECK(app2.leading == app.leading && app2.trailing == app.trailing);
        chunk_free(d);
    }
    chunk_free(c);
}

static void test_chunk_random_round_trip(void)
{
    int64_t t[CHUNK_SAMPLES];
    double v[CHUNK_SAMPLES];
    for (int round = 0; round < 300; round++) {
        size_t n = 1 + next_rand() % CHUNK_SAMPLES;
        int64_t ts = (int64_t)(next_rand() % 2000000000000ULL) - 1000000000000LL;
        for (size_t k = 0; k < n; k++) {
            switch (round % 6) {
            case 4: /* integers around the exact-integer limit and sign changes */
                ts += 1000;
                v[k] =
                    (double)((int64_t)(next_rand() % 64) - 32) + (k % 3 == 0   ? 9007199254740992.0
                                                                  : k % 3 == 1 ? -9007199254740990.0
                                                                               : 0);
                break;
            case 5: /* mixed: small integers, -0.0, halves, big deltas */
                ts += 15000;
                v[k] = k % 5 == 0   ? -0.0
                       : k % 5 == 1 ? (double)(next_rand() % 100)
                       : k % 5 == 2 ? (double)(int64_t)(next_rand() % 4000000000ULL) - 2e9
                       : k % 5 == 3 ? 0.5 * (double)(next_rand() % 10)
                                    : (double)(next_rand() % 1000000);
                break;
            case 0: /* regular scrape with jitter */
                ts += 15000 + (int64_t)(next_rand() % 50) - 25;
                v[k] = (double)(next_rand() % 1000);
                break;
            case 1: /* random bits, huge gaps */
                ts += 1 + (int64_t)(next_rand() % (1ULL << 40));
                v[k] = from_bits(next_rand());
                break;
            case 2: /* counters */
                ts += 1000;
                v[k] = k == 0 ? 1e6 : v[k - 1] + (double)(next_rand() % 100);
                break;
            default: /* gauges */
                ts += 1 + (int64_t)(next_rand() % 100000);
                v[k] = (double)(int64_t)next_rand() / 3.0;
                break;
            }
            t[k] = ts;
        }
        round_trip(t, v, n);
    }
}

static void test_chunk_stale_nan_bits(void)
{
    int64_t t[] = {1000, 2000, 3000, 4000, 5000};
    double v[5];
    v[0] = 1.5;
    v[1] = from_bits(PROMQL_STALE_NAN_BITS);
    v[2] = from_bits(0x7ff8000000000001ULL); /* ordinary NaN */
    v[3] = from_bits(PROMQL_STALE_NAN_BITS);
    v[4] = -0.0;
    round_trip(t, v, 5);
}

static void test_chunk_extremes(void)
{
    int64_t t[] = {INT64_MIN, -1, 0, 1, INT64_MAX};
    double v[] = {0, 1e308, -1e-308, 0, 42};
    round_trip(t, v, 5);
    round_trip(t + 4, v + 4, 1);
}

static void test_chunk_regular_compresses(void)
{
    struct chunk_app app;
    struct chunk *c = chunk_new(&app);
    for (int k = 0; k < CHUNK_SAMPLES; k++)
        c = chunk_append(c, &app, 1700000000000LL + k * 15000, 1.0);
    /* 16 bytes for the first sample, 25 bits for the second, then 2 bits per sample. */
    CHECK(chunk_data_bytes(c) <= 16 + (25 + (CHUNK_SAMPLES - 2) * 2 + 7) / 8);
    chunk_free(c);
}

static void test_chunk_corrupt_rejected(void)
{
    struct chunk_app app;
    struct chunk *c = chunk_new(&app);
    uint8_t *copy;
    struct chunk *d;
    for (int k = 0; k < 50; k++)
        c = chunk_append(c, &app, 1000 + k * 1000, (double)k * 1.25);
    /* Wrong counts, short streams and flipped bits never decode past the data. */
    CHECK(chunk_from_bytes(c->data, chunk_data_bytes(c), c->nbits, 51, c->mint, c->maxt, &app) ==
          NULL);
    CHECK(chunk_from_bytes(c->data, chunk_data_bytes(c) - 2, c->nbits - 16, 50, c->mint, c->maxt,
                           &app) == NULL);
    CHECK(chunk_from_bytes(c->data, chunk_data_bytes(c), c->nbits, 50, c->mint + 1, c->maxt,
                           &app) == NULL);
    copy = xmemdup(c->data, chunk_data_bytes(c));
    for (size_t i = 0; i < chunk_data_bytes(c); i++) {
        copy[i] ^= 0xa5;
        d = chunk_from_bytes(copy, chunk_data_bytes(c), c->nbits, 50, c->mint, c->maxt, &app);
        chunk_free(d); /* may or may not decode, must not crash */
        copy[i] ^= 0xa5;
    }
    xfree(copy);
    chunk_free(c);
}

static const struct test_case tests[] = {
    TEST(test_chunk_random_round_trip), TEST(test_chunk_stale_nan_bits),
    TEST(test_chunk_extremes),          TEST(test_chunk_regular_compresses),
    TEST(test_chunk_corrupt_rejected),  {0},
};
TEST_MAIN(tests)
