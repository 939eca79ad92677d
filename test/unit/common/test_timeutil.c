/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for Prometheus durations and timestamps. */
#include "common/err.h"
#include "common/timeutil.h"
#include "test/harness.h"

static int64_t dur(const char *s)
{
    int64_t v = -12345;
    struct err e;
    if (duration_parse(s, &v, &e) != 0)
        return -1;
    return v;
}

static void test_duration_parse(void)
{
    CHECK_INT(dur("1h30m"), 5400000);
    CHECK_INT(dur("250ms"), 250);
    CHECK_INT(dur("1d"), 86400000);
    CHECK_INT(dur("1w"), 604800000);
    CHECK_INT(dur("1y"), 31536000000LL);
    CHECK_INT(dur("0"), 0);
    CHECK_INT(dur("10s53ms"), 10053);
    CHECK_INT(dur("1m1h"), -1); /* out of order */
    CHECK_INT(dur("1h1h"), -1); /* repeated */
    CHECK_INT(dur(""), -1);
    CHECK_INT(dur("5"), -1);
    CHECK_INT(dur("1.5h"), -1);
    CHECK_INT(dur("-1h"), -1);
    CHECK_INT(dur("99999999999999999999y"), -1);
}

static void test_duration_error_message(void)
{
    struct err e;
    int64_t v;
    err_clear(&e);
    CHECK_INT(duration_parse("5x", &v, &e), ERR_INVALID);
    CHECK_STREQ(e.msg, "not a valid duration string: \"5x\"");
    CHECK_INT(duration_parse_signed("-5m", &v, &e), 0);
    CHECK_INT(v, -300000);
}

static void test_duration_format(void)
{
    char b[64];
    CHECK_STREQ(duration_format(5400000, b, sizeof(b)), "1h30m");
    CHECK_STREQ(duration_format(0, b, sizeof(b)), "0s");
    CHECK_STREQ(duration_format(604800000, b, sizeof(b)), "1w");
    CHECK_STREQ(duration_format(8 * 86400000LL, b, sizeof(b)), "8d");
    CHECK_STREQ(duration_format(31536000000LL, b, sizeof(b)), "1y");
    CHECK_STREQ(duration_format(10053, b, sizeof(b)), "10s53ms");
    CHECK_STREQ(duration_format(-60000, b, sizeof(b)), "-1m");
}

static void test_timestamp_parse(void)
{
    int64_t ms;
    struct err e;
    CHECK_INT(timestamp_parse("2026-11-23T11:36:56.568Z", &ms, &e), 0);
    CHECK_INT(ms, 1795433816568LL);
    CHECK_INT(timestamp_parse("2026-11-23T12:36:56.568+01:00", &ms, &e), 0);
    CHECK_INT(ms, 1795433816568LL);
    CHECK_INT(timestamp_parse("1795433816.568", &ms, &e), 0);
    CHECK_INT(ms, 1795433816568LL);
    CHECK_INT(timestamp_parse("1795433816", &ms, &e), 0);
    CHECK_INT(ms, 1795433816000LL);
    CHECK_INT(timestamp_parse("2026-02-30T00:00:00Z", &ms, &e), ERR_INVALID);
    CHECK_INT(timestamp_parse("yesterday", &ms, &e), ERR_INVALID);
    CHECK_INT(timestamp_parse("", &ms, &e), ERR_INVALID);
    CHECK_INT(timestamp_parse("2026-11-23T11:36:56", &ms, &e), ERR_INVALID);
}

static void test_timestamp_format(void)
{
    char b[64];
    CHECK_STREQ(timestamp_format(1795433816568LL, TS_MILLI, b, sizeof(b)),
                "2026-11-23T11:36:56.568Z");
    CHECK_STREQ(timestamp_format(1795433816500LL, TS_NANO_TRIM, b, sizeof(b)),
                "2026-11-23T11:36:56.5Z");
    CHECK_STREQ(timestamp_format(1795433816000LL, TS_NANO_TRIM, b, sizeof(b)),
                "2026-11-23T11:36:56Z");
    CHECK_STREQ(timestamp_format_unix(1795433816500LL, b, sizeof(b)), "1795433816.5");
    CHECK_STREQ(timestamp_format_unix(1000, b, sizeof(b)), "1");
    CHECK_STREQ(timestamp_format_ns(1795433816123456789LL, b, sizeof(b)),
                "2026-11-23T11:36:56.123456789Z");
}

static const struct test_case tests[] = {
    TEST(test_duration_parse),  TEST(test_duration_error_message), TEST(test_duration_format),
    TEST(test_timestamp_parse), TEST(test_timestamp_format),       {0},
};
TEST_MAIN(tests)
