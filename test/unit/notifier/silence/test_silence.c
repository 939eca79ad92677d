/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for silences: validation, lifecycle rules of Set/Expire, mutes, GC, JSON. */
#include <jansson.h>
#include <string.h>

#include "common/amatcher.h"
#include "common/err.h"
#include "common/labels.h"
#include "common/xalloc.h"
#include "notifier/silence/silence.h"
#include "test/harness.h"

#define NOW 1795000000000LL
#define MIN 60000LL

static struct silence *mk(const char *name, const char *value, int64_t start, int64_t end)
{
    struct silence *s = silence_new();
    CHECK_INT(silence_add_matcher(s, name, value, false, true, NULL), 0);
    s->starts_at_ms = start;
    s->ends_at_ms = end;
    s->created_by = xstrdup("tester");
    s->comment = xstrdup("c");
    return s;
}

static bool is_uuid4(const char *id)
{
    if (strlen(id) != 36 || id[8] != '-' || id[13] != '-' || id[18] != '-' || id[23] != '-')
        return false;
    return id[14] == '4' && strchr("89ab", id[19]) != NULL;
}

static void test_validation(void)
{
    struct silence *s = mk("a", "", NOW, NOW + MIN);
    struct silence_store *st = silence_store_new(0);
    struct err e;
    char id[40];
    err_clear(&e);
    CHECK(silence_store_set(st, s, NOW, id, &e) != 0);
    CHECK_STREQ(e.msg, "silence invalid: at least one matcher must not match the empty string");
    silence_free(s);
    s = mk("a", "b", NOW + MIN, NOW);
    CHECK(silence_validate(s, &e) != 0);
    CHECK_STREQ(e.msg, "end time must not be before start time");
    CHECK(silence_add_matcher(s, "bad-name", "x", false, true, &e) != 0);
    CHECK(silence_add_matcher(s, "x", "(", true, true, &e) != 0);
    silence_free(s);
    s = mk("a", "b", NOW - 2 * MIN, NOW - MIN);
    CHECK(silence_check_post(s, NOW, &e) != 0);
    CHECK_STREQ(e.msg, "Failed to create silence: end time can't be in the past");
    s->ends_at_ms = s->starts_at_ms;
    CHECK(silence_check_post(s, NOW - 3 * MIN, &e) != 0);
    CHECK_STREQ(e.msg, "Failed to create silence: start time must be before end time");
    s->ends_at_ms = NOW + MIN;
    CHECK_INT(silence_check_post(s, NOW, &e), 0);
    silence_free(s);
    s = silence_new();
    CHECK(silence_validate(s, &e) != 0);
    CHECK_STREQ(e.msg, "at least one matcher required");
    silence_free(s);
    silence_store_free(st);
}

static void test_create_update_replace(void)
{
    struct silence_store *st = silence_store_new(0);
    struct silence *s = mk("alertname", "Foo", NOW - 5 * MIN, NOW + 60 * MIN), *got = NULL;
    char id[40], id2[40], id3[40];
    struct err e;
    CHECK_INT(silence_store_set(st, s, NOW, id, NULL), 0);
    CHECK(is_uuid4(id));
    CHECK_INT(silence_store_get(st, id, &got, NULL), 0);
    CHECK_INT(got->starts_at_ms, NOW); /* clamped to now */
    CHECK_INT(got->updated_at_ms, NOW);
    CHECK_INT(silence_state_at(got, NOW), SILENCE_ACTIVE);

    /* Extending an active silence with unchanged matchers keeps the id. */
    got->ends_at_ms = NOW + 120 * MIN;
    CHECK_INT(silence_store_set(st, got, NOW + MIN, id2, NULL), 0);
    CHECK_STREQ(id2, id);
    CHECK_INT(silence_store_count(st), 1);

    /* Changing the matchers of an active silence expires it and creates a new one. */
    CHECK_INT(silence_add_matcher(got, "severity", "info", false, true, NULL), 0);
    CHECK_INT(silence_store_set(st, got, NOW + 2 * MIN, id3, NULL), 0);
    CHECK(strcmp(id3, id) != 0);
    CHECK_INT(silence_store_count(st), 2);
    silence_free(got);
    CHECK_INT(silence_store_get(st, id, &got, NULL), 0);
    CHECK_INT(got->ends_at_ms, NOW + 2 * MIN);
    CHECK_INT(silence_state_at(got, NOW + 2 * MIN + 1), SILENCE_EXPIRED);

    /* Updating an expired silence creates a new one and leaves the old untouched. */
    got->ends_at_ms = NOW + 300 * MIN;
    CHECK_INT(silence_store_set(st, got, NOW + 3 * MIN, id2, NULL), 0);
    CHECK(strcmp(id2, id) != 0);
    CHECK_INT(silence_store_count(st), 3);
    silence_free(got);

    /* Unknown id. */
    err_clear(&e);
    snprintf(s->id, sizeof(s->id), "00000000-0000-4000-8000-000000000000");
    CHECK_INT(silence_store_set(st, s, NOW, id2, &e), ERR_NOTFOUND);
    CHECK_STREQ(e.msg, "silence not found");
    silence_free(s);
    silence_store_free(st);
}

static void test_pending_rules_and_expire(void)
{
    struct silence_store *st = silence_store_new(0);
    struct silence *s = mk("a", "b", NOW + 60 * MIN, NOW + 120 * MIN), *got = NULL;
    char id[40], id2[40];
    struct err e;
    CHECK_INT(silence_store_set(st, s, NOW, id, NULL), 0);
    CHECK_INT(silence_store_get(st, id, &got, NULL), 0);
    CHECK_INT(silence_state_at(got, NOW), SILENCE_PENDING);
    /* Pending: moving startsAt within the future keeps the id. */
    got->starts_at_ms = NOW + 30 * MIN;
    CHECK_INT(silence_store_set(st, got, NOW, id2, NULL), 0);
    CHECK_STREQ(id2, id);
    /* Pending: startsAt in the past means replace. */
    got->starts_at_ms = NOW - MIN;
    CHECK_INT(silence_store_set(st, got, NOW, id2, NULL), 0);
    CHECK(strcmp(id2, id) != 0);
    silence_free(got);
    CHECK_INT(silence_store_get(st, id, &got, NULL), 0);
    CHECK_INT(got->starts_at_ms, NOW);
    CHECK_INT(got->ends_at_ms, NOW);
    silence_free(got);
    /* Expire the active replacement; expiring again fails. */
    CHECK_INT(silence_store_expire(st, id2, NOW + MIN, NULL), 0);
    err_clear(&e);
    CHECK(silence_store_expire(st, id2, NOW + 2 * MIN, &e) != 0);
    CHECK(strstr(e.msg, "already expired") != NULL);
    CHECK_INT(silence_store_expire(st, "nope", NOW, &e), ERR_NOTFOUND);
    CHECK_STREQ(e.msg, "silence not found");
    silence_free(s);
    silence_store_free(st);
}

static void test_mutes_and_gc(void)
{
    struct silence_store *st = silence_store_new(10 * MIN);
    struct silence *a = mk("job", "api", NOW, NOW + 60 * MIN);
    struct silence *p = mk("job", "api", NOW + 30 * MIN, NOW + 60 * MIN);
    struct label items[] = {{"alertname", "X"}, {"job", "api"}};
    struct labels *ls = labels_new(items, 2);
    char ida[40], idp[40], **ids = NULL;
    size_t n;
    CHECK_INT(silence_add_matcher(a, "alertname", "X|Y", true, true, NULL), 0);
    CHECK_INT(silence_store_set(st, a, NOW, ida, NULL), 0);
    CHECK_INT(silence_store_set(st, p, NOW, idp, NULL), 0);
    n = silence_store_mutes(st, ls, NOW + MIN, &ids);
    CHECK_INT(n, 1);
    CHECK_STREQ(ids[0], ida);
    silence_ids_free(ids, n);
    n = silence_store_mutes(st, ls, NOW + 40 * MIN, &ids);
    CHECK_INT(n, 2);
    silence_ids_free(ids, n);
    CHECK_INT(silence_store_expire(st, ida, NOW + 41 * MIN, NULL), 0);
    n = silence_store_mutes(st, ls, NOW + 41 * MIN + 1, &ids);
    CHECK_INT(n, 1);
    CHECK_STREQ(ids[0], idp);
    silence_ids_free(ids, n);
    /* Retention 10m after endsAt. */
    CHECK_INT(silence_store_gc(st, NOW + 50 * MIN), 0);
    CHECK_INT(silence_store_gc(st, NOW + 51 * MIN), 1);
    CHECK_INT(silence_store_count(st), 1);
    CHECK_INT(silence_store_gc(st, NOW + 70 * MIN), 1);
    CHECK_INT(silence_store_count(st), 0);
    labels_free(ls);
    silence_free(a);
    silence_free(p);
    silence_store_free(st);
}

static void test_list_sort_and_filter(void)
{
    struct silence_store *st = silence_store_new(0);
    struct silence *a1 = mk("a", "1", NOW, NOW + 50 * MIN), *a2 = mk("a", "2", NOW, NOW + 20 * MIN);
    struct silence *pe = mk("a", "3", NOW + 5 * MIN, NOW + 9 * MIN), **v = NULL;
    struct matchers f = {0};
    char id[40];
    size_t n;
    CHECK_INT(silence_store_set(st, a1, NOW, id, NULL), 0);
    CHECK_INT(silence_store_set(st, pe, NOW, id, NULL), 0);
    CHECK_INT(silence_store_set(st, a2, NOW, id, NULL), 0);
    n = silence_store_list(st, NOW, NULL, &v);
    CHECK_INT(n, 3);
    CHECK_STREQ(v[0]->matchers[0].value, "2");
    CHECK_STREQ(v[1]->matchers[0].value, "1");
    CHECK_STREQ(v[2]->matchers[0].value, "3");
    silence_list_free(v, n);
    CHECK_INT(amatchers_parse("a=~\"1|3\"", &f, NULL), 0);
    n = silence_store_list(st, NOW, &f, &v);
    CHECK_INT(n, 2);
    silence_list_free(v, n);
    matchers_fini(&f);
    silence_free(a1);
    silence_free(a2);
    silence_free(pe);
    silence_store_free(st);
}

static void test_json_round_trip(void)
{
    const char *in = "{\"id\":\"3c91aa56-9191-4bf7-9554-708ed0fc4ec5\",\"status\":{\"state\":"
                     "\"pending\"},\"updatedAt\":\"2026-11-23T11:43:48.915Z\",\"comment\":"
                     "\"future silence\",\"createdBy\":\"tester\",\"endsAt\":"
                     "\"2026-11-23T13:43:48.000Z\",\"matchers\":[{\"isEqual\":false,\"isRegex\":"
                     "false,\"name\":\"alertname\",\"value\":\"Foo\"},{\"isEqual\":true,"
                     "\"isRegex\":true,\"name\":\"severity\",\"value\":\"info|warn\"}],"
                     "\"startsAt\":\"2026-11-23T12:43:48.000Z\"}";
    struct silence *s = NULL;
    struct err e;
    char *out;
    int64_t now = 1795434228915LL; /* 2026-11-23T11:43:48.915Z */
    CHECK_INT(silence_parse_json(in, strlen(in), &s, &e), 0);
    CHECK_INT(s->nmatchers, 2);
    CHECK(!s->matchers[0].is_equal);
    out = silence_format_json(s, now);
    CHECK_STREQ(out, in);
    xfree(out);
    silence_free(s);
    /* Errors as the API reports them. */
    CHECK(silence_parse_json("{\"matchers\":[],\"startsAt\":\"x\"}", 30, &s, &e) != 0);
    CHECK_STREQ(e.msg, "matchers in body should have at least 1 items");
    CHECK(silence_parse_json("{\"matchers\":[{\"name\":\"a\",\"value\":\"b\",\"isRegex\":false}],"
                             "\"startsAt\":\"2026-11-23T12:43:48Z\",\"endsAt\":"
                             "\"2026-11-23T12:43:49Z\",\"comment\":\"c\"}",
                             135, &s, &e) != 0);
    CHECK_STREQ(e.msg, "createdBy in body is required");
    CHECK(silence_parse_json("[1", 2, &s, &e) == ERR_PARSE);
}

static const struct test_case tests[] = {
    TEST(test_validation),
    TEST(test_create_update_replace),
    TEST(test_pending_rules_and_expire),
    TEST(test_mutes_and_gc),
    TEST(test_list_sort_and_filter),
    TEST(test_json_round_trip),
    {0},
};
TEST_MAIN(tests)
