/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for Alertmanager matcher parsing (classic and UTF-8) and formatting. */
#include <string.h>

#include "common/amatcher.h"
#include "common/buf.h"
#include "common/err.h"
#include "common/labels.h"
#include "common/matcher.h"
#include "test/harness.h"

static char *fmt(const struct matchers *ms)
{
    static char out[512];
    struct buf b;
    buf_init(&b, 0);
    amatchers_format(ms, &b);
    snprintf(out, sizeof(out), "%s", buf_str(&b));
    buf_fini(&b);
    return out;
}

static void test_classic_basic(void)
{
    struct matchers ms = {0};
    struct err e;
    CHECK_INT(amatchers_parse_classic("{foo=\"bar\", baz=~\"x|y\", q!=z , w!~\"a.*\"}", &ms, &e),
              0);
    CHECK_INT(ms.n, 4);
    CHECK_STREQ(fmt(&ms), "{foo=\"bar\",baz=~\"x|y\",q!=\"z\",w!~\"a.*\"}");
    CHECK_INT(ms.v[1]->type, MATCH_RE);
    CHECK_INT(ms.v[2]->type, MATCH_NEQ);
    matchers_fini(&ms);
}

static void test_classic_escapes_and_commas(void)
{
    struct matchers ms = {0};
    CHECK_INT(amatchers_parse_classic("a=\"x,y\",b=\"q\\\"r\",c=\"l\\n\",d=\"\\w\"", &ms, NULL), 0);
    CHECK_INT(ms.n, 4);
    CHECK_STREQ(ms.v[0]->value, "x,y");
    CHECK_STREQ(ms.v[1]->value, "q\"r");
    CHECK_STREQ(ms.v[2]->value, "l\n");
    CHECK_STREQ(ms.v[3]->value, "\\w"); /* spurious escape kept literally */
    matchers_fini(&ms);
}

static void test_classic_errors(void)
{
    struct matchers ms = {0};
    struct err e;
    err_clear(&e);
    CHECK(amatchers_parse_classic("foo=\"a\"b\"", &ms, &e) != 0);
    CHECK_STREQ(e.msg, "matcher value contains unescaped double quote: \"a\"b\"");
    CHECK(amatchers_parse_classic("foo-bar=1", &ms, &e) != 0);
    CHECK_STREQ(e.msg, "bad matcher format: foo-bar=1");
    CHECK(amatchers_parse_classic("foo=~\"(\"", &ms, &e) != 0);
    CHECK(strstr(e.msg, "error parsing regexp") != NULL);
    CHECK(amatchers_parse_classic("a=b,,c=d", &ms, &e) != 0);
    CHECK_INT(ms.n, 0);
}

static void test_utf8_parser(void)
{
    struct matchers ms = {0};
    struct err e;
    CHECK_INT(
        amatchers_parse_utf8("{\"service.name\"=\"api\", env=prod, team=~db|infra,}", &ms, &e), 0);
    CHECK_INT(ms.n, 3);
    CHECK_STREQ(ms.v[0]->name, "service.name");
    CHECK_STREQ(ms.v[1]->value, "prod");
    CHECK_STREQ(ms.v[2]->value, "db|infra");
    matchers_fini(&ms);
    CHECK_INT(amatchers_parse_utf8("foo = bar", &ms, &e), 0);
    CHECK_INT(ms.n, 1);
    matchers_fini(&ms);
    err_clear(&e);
    CHECK(amatchers_parse_utf8("{foo=bar", &ms, &e) != 0);
    CHECK(strstr(e.msg, "missing closing '}'") != NULL);
    CHECK(amatchers_parse_utf8("foo bar", &ms, &e) != 0);
    CHECK(strstr(e.msg, "expected an operator") != NULL);
    CHECK(amatchers_parse_utf8("foo=\"abc", &ms, &e) != 0);
    CHECK(strstr(e.msg, "missing end") != NULL);
    CHECK_INT(ms.n, 0);
}

static void test_fallback_and_match(void)
{
    struct matchers ms = {0};
    struct label items[] = {{"severity", "page"}, {"team", "db"}};
    struct labels *ls = labels_new(items, 2);
    /* Classic-only syntax (escaped quote inside unquoted-looking value) still parses. */
    CHECK_INT(amatchers_parse("severity=page, team=~\"db|infra\", missing=\"\"", &ms, NULL), 0);
    CHECK(matchers_match(&ms, ls));
    matchers_fini(&ms);
    /* Classic wins: "\\t" stays a backslash and a t, as in 0.25. */
    CHECK_INT(amatchers_parse("x=\"\\t\"", &ms, NULL), 0);
    CHECK_STREQ(ms.v[0]->value, "\\t");
    matchers_fini(&ms);
    /* Only the UTF-8 parser takes a dotted, quoted name. */
    CHECK_INT(amatchers_parse("{\"a.b\"=\"c\"}", &ms, NULL), 0);
    CHECK_STREQ(ms.v[0]->name, "a.b");
    matchers_fini(&ms);
    CHECK_INT(amatchers_parse("severity!=page", &ms, NULL), 0);
    CHECK(!matchers_match(&ms, ls));
    matchers_fini(&ms);
    labels_free(ls);
}

static void test_sort_and_format(void)
{
    struct matchers ms = {0};
    CHECK_INT(amatchers_parse("{b=\"2\", a=~\"x\", a=\"x\", c=\"t\\tab\"}", &ms, NULL), 0);
    amatchers_sort(&ms);
    CHECK_STREQ(fmt(&ms), "{a=\"x\",a=~\"x\",b=\"2\",c=\"t\\\\tab\"}");
    matchers_fini(&ms);
    /* Control characters are escaped like Go's %q. */
    {
        struct matcher *m = NULL;
        struct buf b;
        CHECK_INT(matcher_new(MATCH_EQ, "c", "t\tab\x01", &m, NULL), 0);
        buf_init(&b, 0);
        amatcher_format(m, &b);
        CHECK_STREQ(buf_str(&b), "c=\"t\\tab\\x01\"");
        buf_fini(&b);
        matcher_free(m);
    }
}

static const struct test_case tests[] = {
    TEST(test_classic_basic),
    TEST(test_classic_escapes_and_commas),
    TEST(test_classic_errors),
    TEST(test_utf8_parser),
    TEST(test_fallback_and_match),
    TEST(test_sort_and_format),
    {0},
};
TEST_MAIN(tests)
