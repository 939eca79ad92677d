/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for durable incident timelines: order by sequence across a store reopen, isolation
 * between incidents, human descriptions. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/err.h"
#include "common/xalloc.h"
#include "notifier/store/store.h"
#include "notifier/timeline/timeline.h"
#include "test/harness.h"

static void test_append_reload_in_order(void)
{
    char dir[] = "/tmp/tocsin-tl-XXXXXX";
    struct store *s = NULL;
    struct err e;
    json_t *tl;
    err_clear(&e);
    CHECK(mkdtemp(dir) != NULL);
    CHECK(store_open(dir, NULL, &s, &e) == 0);
    for (int i = 0; i < 12; i++) { /* 10 and 11 must sort after 9 */
        json_t *ev =
            json_pack("{s:s,s:I,s:i}", "type", "escalated", "t", (json_int_t)(1000 + i), "step", i);
        CHECK(timeline_stage(s, "aaaa", (uint64_t)i, ev) == 0);
        json_decref(ev);
    }
    {
        json_t *ev = json_pack("{s:s,s:I,s:s}", "type", "acked", "t", (json_int_t)5, "by", "x");
        CHECK(timeline_stage(s, "aaaab", 0, ev) == 0); /* another incident, a longer id */
        json_decref(ev);
    }
    CHECK(store_commit(s, &e) == 0);
    store_close(s);
    CHECK(store_open(dir, NULL, &s, &e) == 0);
    tl = timeline_load(s, "aaaa");
    CHECK_INT(json_array_size(tl), 12);
    for (size_t i = 0; i < 12; i++)
        CHECK_INT(json_integer_value(json_object_get(json_array_get(tl, i), "step")), (long long)i);
    json_decref(tl);
    tl = timeline_load(s, "aaaab");
    CHECK_INT(json_array_size(tl), 1);
    json_decref(tl);
    tl = timeline_load(s, "zzzz");
    CHECK_INT(json_array_size(tl), 0);
    json_decref(tl);
    store_close(s);
}

static void test_describe(void)
{
    json_t *ev = json_pack("{s:s,s:s,s:s}", "type", "acked", "by", "alice", "via", "link");
    char *t = timeline_describe(ev);
    CHECK_STREQ(t, "acknowledged by alice (via link)");
    xfree(t);
    json_decref(ev);
    ev = json_pack("{s:s,s:s,s:s,s:i,s:i,s:i,s:s,s:s}", "type", "notify", "outcome", "success",
                   "receiver", "pd", "index", 0, "step", 1, "attempt", 2, "integration", "webhook",
                   "user", "bob");
    t = timeline_describe(ev);
    CHECK_STREQ(t, "notification success to pd/webhook[0] (step 1, attempt 2) for on-call bob");
    xfree(t);
    json_decref(ev);
    ev = json_pack("{s:s,s:i,s:i,s:s}", "type", "escalated", "step", 2, "cycle", 0, "targets",
                   "sms");
    t = timeline_describe(ev);
    CHECK_STREQ(t, "escalated to step 2 (cycle 0): sms");
    xfree(t);
    json_decref(ev);
}

static const struct test_case tests[] = {
    TEST(test_append_reload_in_order),
    TEST(test_describe),
    {0},
};
TEST_MAIN(tests)
