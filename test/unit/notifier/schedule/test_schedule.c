/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for on-call schedules: handoffs in a time zone across DST, overrides, layers,
 * sub-day rotations and configuration errors, all at fixed times. */
#include <string.h>

#include "common/err.h"
#include "common/timeutil.h"
#include "common/yamlx.h"
#include "notifier/schedule/schedule.h"
#include "test/harness.h"

static const char *CFG = "users:\n"
                         "  - {name: alice, phone: '+1'}\n"
                         "  - {name: bob}\n"
                         "  - {name: carol}\n"
                         "  - {name: dave}\n"
                         "  - {name: erin}\n"
                         "schedules:\n"
                         "  - name: ops\n"
                         "    time_zone: Europe/Berlin\n"
                         "    layers:\n"
                         "      - name: weekly\n"
                         "        members: [alice, bob, carol]\n"
                         "        rotation: 1w\n"
                         "        start: '2026-03-02'\n"
                         "        handoff: '09:00'\n"
                         "      - name: nights\n"
                         "        members: [erin]\n"
                         "        rotation: 1d\n"
                         "        start: '2026-01-01'\n"
                         "        hours: {from: '22:00', to: '06:00'}\n"
                         "    overrides:\n"
                         "      - {start: '2026-03-10T00:00:00Z', end: '2026-03-11T00:00:00Z', "
                         "user: dave}\n"
                         "  - name: shifts\n"
                         "    layers:\n"
                         "      - {members: [alice, bob], rotation: 12h, start: '2026-01-01'}\n";

static struct yamlx_doc *doc;

static struct oncall_directory *load(const char *text, struct err *e)
{
    struct oncall_directory *d = NULL;
    const struct yamlx_node *root;
    err_clear(e);
    if (yamlx_load_string(text, strlen(text), "sched.yml", NULL, &doc, e) != 0)
        return NULL;
    root = yamlx_doc_root(doc, 0);
    if (oncall_directory_parse(yamlx_map_get(root, "schedules"), yamlx_map_get(root, "users"), &d,
                               e) != 0)
        return NULL;
    return d;
}

static int64_t at(const char *rfc3339)
{
    int64_t ms = 0;
    struct err e;
    CHECK(timestamp_parse(rfc3339, &ms, &e) == 0);
    return ms / 1000;
}

static const char *who(const struct oncall_directory *d, const char *s, enum oncall_role r,
                       const char *t)
{
    const char *w = oncall_who(oncall_schedule_find(d, s), r, at(t));
    return w ? w : "(nobody)";
}

static void test_weekly_handoff_in_time_zone(void)
{
    struct err e;
    struct oncall_directory *d = load(CFG, &e);
    CHECK(d != NULL);
    /* 08:59 CET on the start day is still the previous shift (carol, cycling backwards) */
    CHECK_STREQ(who(d, "ops", ONCALL_PRIMARY, "2026-03-02T07:59:00Z"), "carol");
    CHECK_STREQ(who(d, "ops", ONCALL_PRIMARY, "2026-03-02T08:00:00Z"), "alice");
    CHECK_STREQ(who(d, "ops", ONCALL_SECONDARY, "2026-03-02T08:00:00Z"), "bob");
    CHECK_STREQ(who(d, "ops", ONCALL_PRIMARY, "2026-03-09T07:59:59Z"), "alice");
    CHECK_STREQ(who(d, "ops", ONCALL_PRIMARY, "2026-03-09T08:00:00Z"), "bob");
    CHECK_STREQ(who(d, "ops", ONCALL_SECONDARY, "2026-03-09T08:00:00Z"), "carol");
    /* DST started on 2026-03-29: the 09:00 handoff on 03-30 is 07:00 UTC */
    CHECK_STREQ(who(d, "ops", ONCALL_PRIMARY, "2026-03-30T06:59:00Z"), "alice");
    CHECK_STREQ(who(d, "ops", ONCALL_PRIMARY, "2026-03-30T07:00:00Z"), "bob");
    oncall_directory_free(d);
    yamlx_doc_free(doc);
}

static void test_override_and_layers(void)
{
    struct err e;
    struct oncall_directory *d = load(CFG, &e);
    CHECK(d != NULL);
    CHECK_STREQ(who(d, "ops", ONCALL_PRIMARY, "2026-03-10T12:00:00Z"), "dave");
    /* the override replaces only the primary */
    CHECK_STREQ(who(d, "ops", ONCALL_SECONDARY, "2026-03-10T12:00:00Z"), "carol");
    CHECK_STREQ(who(d, "ops", ONCALL_PRIMARY, "2026-03-11T00:00:00Z"), "erin"); /* 01:00 CET */
    CHECK_STREQ(who(d, "ops", ONCALL_PRIMARY, "2026-03-11T05:00:00Z"), "bob");  /* 06:00 CET */
    /* a one-member layer has no secondary */
    CHECK_STREQ(who(d, "ops", ONCALL_SECONDARY, "2026-03-12T22:30:00Z"), "(nobody)");
    CHECK_STREQ(who(d, "ops", ONCALL_PRIMARY, "2026-03-12T20:59:00Z"), "bob");
    CHECK_STREQ(who(d, "ops", ONCALL_PRIMARY, "2026-03-12T21:00:00Z"), "erin"); /* 22:00 CET */
    CHECK(oncall_user_find(d, "alice") && strcmp(oncall_user_find(d, "alice")->phone, "+1") == 0);
    oncall_directory_free(d);
    yamlx_doc_free(doc);
}

static void test_sub_day_rotation(void)
{
    struct err e;
    struct oncall_directory *d = load(CFG, &e);
    CHECK(d != NULL);
    CHECK_STREQ(who(d, "shifts", ONCALL_PRIMARY, "2026-01-01T11:59:59Z"), "alice");
    CHECK_STREQ(who(d, "shifts", ONCALL_PRIMARY, "2026-01-01T12:00:00Z"), "bob");
    CHECK_STREQ(who(d, "shifts", ONCALL_SECONDARY, "2026-01-01T12:00:00Z"), "alice");
    CHECK_STREQ(who(d, "shifts", ONCALL_PRIMARY, "2026-01-02T00:00:00Z"), "alice");
    CHECK_STREQ(who(d, "shifts", ONCALL_PRIMARY, "2025-12-31T23:00:00Z"), "bob");
    oncall_directory_free(d);
    yamlx_doc_free(doc);
}

static void expect_error(const char *text, const char *needle, int line)
{
    struct err e;
    struct oncall_directory *d = load(text, &e);
    CHECK(d == NULL);
    if (strstr(e.msg, needle) == NULL)
        test_fail(__FILE__, __LINE__, "error \"%s\" lacks \"%s\"", e.msg, needle);
    CHECK_INT(e.line, line);
    yamlx_doc_free(doc);
}

static void test_errors(void)
{
    expect_error("users: [{name: a}]\nschedules:\n  - name: s\n    layers:\n"
                 "      - {members: [a, zed], rotation: 1d, start: '2026-01-01'}\n",
                 "unknown user \"zed\"", 5);
    expect_error("schedules:\n  - name: s\n    time_zone: Mars/Olympus\n    layers: []\n",
                 "unknown time zone", 3);
    expect_error("users: [{name: a}]\nschedules:\n  - name: s\n    layers:\n"
                 "      - {members: [a], rotation: 1d, start: '2026-01-01', handoff: '25:00'}\n",
                 "HH:MM", 5);
    expect_error("users: [{name: a}]\nschedules:\n  - name: s\n    layers:\n"
                 "      - {members: [a], rotation: 1d, start: '2026-01-01'}\n    overrides:\n"
                 "      - {start: '2026-01-02T00:00:00Z', end: '2026-01-01T00:00:00Z', user: a}\n",
                 "end must be after start", 7);
    expect_error("users: [{name: a, pager: x}]\n", "pager", 1);
}

static const struct test_case tests[] = {
    TEST(test_weekly_handoff_in_time_zone),
    TEST(test_override_and_layers),
    TEST(test_sub_day_rotation),
    TEST(test_errors),
    {0},
};
TEST_MAIN(tests)
