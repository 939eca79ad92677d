/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for the jansson helpers. */
#include "common/buf.h"
#include "common/err.h"
#include "common/jsonx.h"
#include "test/harness.h"

static void test_parse(void)
{
    json_t *j = NULL;
    struct err e;
    const char *ok = "{\"a\":\"b\",\"n\":1}";
    CHECK_INT(jsonx_parse(ok, strlen(ok), &j, &e), 0);
    CHECK_STREQ(jsonx_get_string(j, "a"), "b");
    CHECK(jsonx_get_string(j, "n") == NULL);
    CHECK(jsonx_get_string(j, "zz") == NULL);
    json_decref(j);
    CHECK_INT(jsonx_parse("[1,\n2,", 6, &j, &e), ERR_PARSE);
    CHECK(j == NULL);
    CHECK_INT(e.line, 2);
    CHECK(strstr(e.msg, "invalid JSON") != NULL);
    CHECK_INT(jsonx_parse("{\"a\":1,\"a\":2}", 13, &j, &e), ERR_PARSE);
    CHECK_INT(jsonx_parse("\"x\"", 3, &j, &e), 0);
    CHECK(json_is_string(j));
    json_decref(j);
}

static void test_dump_and_envelopes(void)
{
    struct buf b;
    json_t *j = jsonx_prom_success(json_pack("{s:s,s:[]}", "resultType", "vector", "result"));
    buf_init(&b, 0);
    CHECK_INT(jsonx_dump(j, &b), 0);
    CHECK_STREQ(buf_str(&b),
                "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[]}}");
    json_decref(j);
    buf_fini(&b);
    buf_init(&b, 0);
    j = jsonx_prom_error("bad_data", "invalid parameter \"query\": 1:1: parse error");
    CHECK_INT(jsonx_dump(j, &b), 0);
    CHECK_STREQ(buf_str(&b), "{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":"
                             "\"invalid parameter \\\"query\\\": 1:1: parse error\"}");
    json_decref(j);
    buf_fini(&b);
    /* invalid UTF-8 in a message still yields valid JSON */
    j = jsonx_prom_error("internal", "\xff\xfe");
    CHECK(json_is_string(json_object_get(j, "error")));
    json_decref(j);
    buf_init(&b, 8);
    j = json_string("a long string over the cap");
    CHECK_INT(jsonx_dump(j, &b), ERR_TOOBIG);
    json_decref(j);
    buf_fini(&b);
}

static const struct test_case tests[] = {TEST(test_parse), TEST(test_dump_and_envelopes), {0}};
TEST_MAIN(tests)
