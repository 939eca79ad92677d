/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for the TZif reader: offsets agree with glibc's localtime_r, footer rules. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/err.h"
#include "notifier/config/tzdb.h"
#include "test/harness.h"

static void compare_zone(const char *name)
{
    const struct tz *z = NULL;
    struct err e;
    size_t checked = 0;
    err_clear(&e);
    if (tz_load(name, &z, &e) != 0)
        test_fail(__FILE__, __LINE__, "%s: %s", name, e.msg);
    setenv("TZ", name, 1);
    tzset();
    /* 1950 .. 2100, every 7h13m: crosses every transition of the table and the footer rule. */
    for (int64_t t = -631152000LL; t < 4102444800LL; t += 7 * 3600 + 13 * 60) {
        struct tm tm;
        time_t tt = (time_t)t;
        localtime_r(&tt, &tm);
        if (tm.tm_gmtoff != tz_offset(z, t))
            test_fail(__FILE__, __LINE__, "%s at %lld: got %d, glibc %ld", name, (long long)t,
                      tz_offset(z, t), tm.tm_gmtoff);
        checked++;
    }
    CHECK(checked > 100000);
}

static void test_against_glibc(void)
{
    static const char *const zones[] = {"America/New_York", "Europe/Berlin",     "Australia/Sydney",
                                        "Asia/Kolkata",     "Europe/Dublin",     "Pacific/Chatham",
                                        "America/Santiago", "Africa/Casablanca", "UTC"};
    for (size_t i = 0; i < sizeof(zones) / sizeof(zones[0]); i++)
        compare_zone(zones[i]);
}

static void test_posix_rules(void)
{
    const struct tz *z = NULL;
    CHECK_INT(tz_from_posix("EST5EDT,M3.2.0,M11.1.0", &z, NULL), 0);
    CHECK_INT(tz_offset(z, 1772890200), -5 * 3600);                 /* 2026-03-07 */
    CHECK_INT(tz_offset(z, 1772976600), -4 * 3600);                 /* 2026-03-08 13:30Z */
    CHECK_INT(tz_offset(z, 4102444800LL + 180 * 86400), -4 * 3600); /* mid 2100 */
    CHECK_INT(tz_from_posix("<+0530>-5:30", &z, NULL), 0);
    CHECK_INT(tz_offset(z, 0), 5 * 3600 + 1800);
    CHECK(tz_from_posix("nonsense", &z, NULL) != 0);
    CHECK(tz_from_posix("EST5EDT,M13.1.0,M11.1.0", &z, NULL) != 0);
}

static void test_unknown(void)
{
    const struct tz *z = NULL;
    CHECK_INT(tz_load("Mars/Olympus", &z, NULL), ERR_NOTFOUND);
    CHECK_INT(tz_load("../etc/passwd", &z, NULL), ERR_NOTFOUND);
    CHECK_INT(tz_load("UTC", &z, NULL), 0);
    CHECK_INT(tz_offset(z, 1795476600), 0);
}

static const struct test_case tests[] = {
    TEST(test_against_glibc),
    TEST(test_posix_rules),
    TEST(test_unknown),
    {0},
};
TEST_MAIN(tests)
