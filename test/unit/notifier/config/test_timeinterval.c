/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for time intervals: parsing, time zones, DST, negative days, ranges, errors. */
#include <string.h>

#include "common/err.h"
#include "common/yamlx.h"
#include "notifier/config/timeinterval.h"
#include "test/harness.h"

static int parse(const char *yaml, struct time_interval *ti, struct err *e)
{
    struct yamlx_doc *d = NULL;
    int r;
    err_clear(e);
    if ((r = yamlx_load_string(yaml, strlen(yaml), "t.yml", NULL, &d, e)) != 0)
        return r;
    r = time_interval_parse(yamlx_doc_root(d, 0), ti, e);
    yamlx_doc_free(d);
    return r;
}

#define S(x) ((int64_t)(x)*1000)

static void test_times_across_dst(void)
{
    struct time_interval ti;
    struct err e;
    CHECK_INT(parse("times: [{start_time: '09:00', end_time: '17:00'}]\n"
                    "location: America/New_York\n",
                    &ti, &e),
              0);
    /* 2026-03-08 is the first day of EDT (UTC-4): 13:30Z is 09:30 local. */
    CHECK(time_interval_contains(&ti, S(1772976600)));
    /* The day before, EST (UTC-5): 13:30Z is 08:30 local. */
    CHECK(!time_interval_contains(&ti, S(1772890200)));
    time_interval_fini(&ti);

    /* The repeated hour when DST ends (2026-11-01): 05:30Z = 01:30 EDT, 06:30Z = 01:30 EST. */
    CHECK_INT(parse("times: [{start_time: '01:00', end_time: '02:00'}]\n"
                    "location: America/New_York\n",
                    &ti, &e),
              0);
    CHECK(time_interval_contains(&ti, S(1793511000)));
    CHECK(time_interval_contains(&ti, S(1793514600)));
    CHECK(!time_interval_contains(&ti, S(1793514600 + 3600)));
    time_interval_fini(&ti);
}

static void test_weekdays_and_zone(void)
{
    struct time_interval utc, berlin;
    struct err e;
    CHECK_INT(parse("weekdays: ['monday']\n", &utc, &e), 0);
    CHECK_INT(parse("weekdays: ['Monday']\nlocation: Europe/Berlin\n", &berlin, &e), 0);
    /* 2026-11-23T23:30Z: Monday in UTC, already Tuesday 00:30 in Berlin. */
    CHECK(time_interval_contains(&utc, S(1795476600)));
    CHECK(!time_interval_contains(&berlin, S(1795476600)));
    time_interval_fini(&utc);
    time_interval_fini(&berlin);
}

static void test_days_months_years(void)
{
    struct time_interval ti;
    struct err e;
    CHECK_INT(parse("days_of_month: ['-1']\n", &ti, &e), 0);
    CHECK(time_interval_contains(&ti, S(1772280000)));  /* 2026-02-28 */
    CHECK(!time_interval_contains(&ti, S(1772193600))); /* 2026-02-27 */
    CHECK(time_interval_contains(&ti, S(1709208000)));  /* 2024-02-29 */
    time_interval_fini(&ti);
    CHECK_INT(parse("days_of_month: ['25:-1']\nmonths: ['january:march', '12']\n"
                    "years: ['2026:2027']\n",
                    &ti, &e),
              0);
    CHECK(time_interval_contains(&ti, S(1772193600)));  /* 2026-02-27 */
    CHECK(!time_interval_contains(&ti, S(1709208000))); /* 2024 */
    CHECK(!time_interval_contains(&ti, S(1795476600))); /* November */
    time_interval_fini(&ti);
    /* An explicit empty times list matches nothing (Go's non-nil empty slice). */
    CHECK_INT(parse("times: []\n", &ti, &e), 0);
    CHECK(!time_interval_contains(&ti, 0));
    time_interval_fini(&ti);
    /* Empty interval matches always. */
    CHECK_INT(parse("{}\n", &ti, &e), 0);
    CHECK(time_interval_contains(&ti, 0));
    time_interval_fini(&ti);
}

static void test_errors(void)
{
    struct time_interval ti;
    struct err e;
    CHECK(parse("location: Mars/Olympus\n", &ti, &e) != 0);
    CHECK(strstr(e.msg, "Mars/Olympus") != NULL);
    CHECK(parse("times: [{start_time: '10:00', end_time: '09:00'}]\n", &ti, &e) != 0);
    CHECK_STREQ(e.msg, "start time cannot be equal or greater than end time");
    CHECK(parse("times: [{start_time: '25:00', end_time: '26:00'}]\n", &ti, &e) != 0);
    CHECK(parse("times: [{start_time: '10:00'}]\n", &ti, &e) != 0);
    CHECK(parse("weekdays: ['funday']\n", &ti, &e) != 0);
    CHECK_STREQ(e.msg, "funday is not a valid weekday");
    CHECK(parse("days_of_month: ['0']\n", &ti, &e) != 0);
    CHECK(parse("months: ['13']\n", &ti, &e) != 0);
    CHECK(parse("years: ['2027:2026']\n", &ti, &e) != 0);
    CHECK(parse("bogus: 1\n", &ti, &e) != 0);
    CHECK_INT(e.line, 1);
}

static const struct test_case tests[] = {
    TEST(test_times_across_dst),
    TEST(test_weekdays_and_zone),
    TEST(test_days_months_years),
    TEST(test_errors),
    {0},
};
TEST_MAIN(tests)
