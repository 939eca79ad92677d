/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for shortest float formatting, compared with what Go's strconv prints. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/fmtfloat.h"
#include "test/harness.h"

static const char *f(double v, enum fmtfloat_style s)
{
    static char b[512];
    return fmtfloat(v, s, b, sizeof(b));
}

static void test_style_f(void)
{
    CHECK_STREQ(f(1.750877192982456, FMTFLOAT_F), "1.750877192982456");
    CHECK_STREQ(f(0.1, FMTFLOAT_F), "0.1");
    CHECK_STREQ(f(1e21, FMTFLOAT_F), "1000000000000000000000");
    CHECK_STREQ(f(1e-7, FMTFLOAT_F), "0.0000001");
    CHECK_STREQ(f(-2.5, FMTFLOAT_F), "-2.5");
    CHECK_STREQ(f(100, FMTFLOAT_F), "100");
    CHECK_STREQ(f(0, FMTFLOAT_F), "0");
    CHECK_STREQ(f(NAN, FMTFLOAT_F), "NaN");
    CHECK_STREQ(f(INFINITY, FMTFLOAT_F), "+Inf");
    CHECK_STREQ(f(-INFINITY, FMTFLOAT_F), "-Inf");
    CHECK_STREQ(f(123456789.125, FMTFLOAT_F), "123456789.125");
}

static void test_style_g(void)
{
    CHECK_STREQ(f(1e6, FMTFLOAT_G), "1e+06");
    CHECK_STREQ(f(123456, FMTFLOAT_G), "123456");
    CHECK_STREQ(f(1e20, FMTFLOAT_G), "1e+20");
    CHECK_STREQ(f(1234567, FMTFLOAT_G), "1.234567e+06");
    CHECK_STREQ(f(1e21, FMTFLOAT_G), "1e+21");
    CHECK_STREQ(f(0.0001, FMTFLOAT_G), "0.0001");
    CHECK_STREQ(f(0.00001, FMTFLOAT_G), "1e-05");
    CHECK_STREQ(f(3.14, FMTFLOAT_G), "3.14");
    CHECK_STREQ(f(-1.5e-7, FMTFLOAT_G), "-1.5e-07");
}

static void test_style_e(void)
{
    CHECK_STREQ(f(1e6, FMTFLOAT_E), "1e+06");
    CHECK_STREQ(f(1234.5, FMTFLOAT_E), "1.2345e+03");
    CHECK_STREQ(f(1e-300, FMTFLOAT_E), "1e-300");
}

/* Random bit patterns: every finite value must parse back exactly, in every style, and no
 * shorter precision may round-trip (shortest digits). */
static void test_round_trip_random(void)
{
    uint64_t x = 88172645463325252ULL;
    for (int i = 0; i < 20000; i++) {
        double v;
        char b[512];
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        memcpy(&v, &x, sizeof(v));
        if (!isfinite(v))
            continue;
        if (i % 3 == 1)
            v = (double)(int64_t)(x % 100000000000ULL) / 1000.0;
        for (int st = 0; st < 3; st++) {
            fmtfloat(v, (enum fmtfloat_style)st, b, sizeof(b));
            CHECK(strtod(b, NULL) == v);
        }
        fmtfloat(v, FMTFLOAT_E, b, sizeof(b));
        {
            /* count significant digits printed and check one fewer does not round-trip */
            int nd = 0;
            for (const char *c = b; *c && *c != 'e'; c++)
                nd += (*c >= '0' && *c <= '9');
            if (nd > 1) {
                char shorter[64];
                snprintf(shorter, sizeof(shorter), "%.*e", nd - 2, v);
                CHECK(strtod(shorter, NULL) != v);
            }
        }
    }
}

static const struct test_case tests[] = {
    TEST(test_style_f), TEST(test_style_g), TEST(test_style_e), TEST(test_round_trip_random), {0}};
TEST_MAIN(tests)
