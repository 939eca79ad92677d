/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for label sets and matchers. */
#include "common/buf.h"
#include "common/err.h"
#include "common/labels.h"
#include "common/matcher.h"
#include "common/xalloc.h"
#include "test/harness.h"

static void test_labels_sorted_and_format(void)
{
    struct label items[] = {{"job", "api"}, {"__name__", "up"}, {"instance", "a:1"}, {"e", ""}};
    struct labels *ls = labels_new(items, 4);
    struct buf b;
    CHECK_INT(ls->n, 3);
    CHECK_STREQ(ls->v[0].name, "__name__");
    CHECK_STREQ(labels_get(ls, "job"), "api");
    CHECK(labels_get(ls, "e") == NULL);
    buf_init(&b, 0);
    labels_format(ls, &b);
    CHECK_STREQ(buf_str(&b), "{__name__=\"up\", instance=\"a:1\", job=\"api\"}");
    buf_reset(&b);
    labels_format_metric(ls, &b);
    CHECK_STREQ(buf_str(&b), "up{instance=\"a:1\", job=\"api\"}");
    buf_fini(&b);
    labels_free(ls);
}

static void test_labels_utf8_names(void)
{
    struct label items[] = {{"__name__", "my.metric"}, {"a.b", "x\"y"}};
    struct labels *ls = labels_new(items, 2);
    struct buf b;
    buf_init(&b, 0);
    labels_format_metric(ls, &b);
    CHECK_STREQ(buf_str(&b), "{\"my.metric\", \"a.b\"=\"x\\\"y\"}");
    buf_fini(&b);
    labels_free(ls);
}

static void test_labels_hash_cmp(void)
{
    struct label a1[] = {{"a", "1"}, {"b", "2"}};
    struct label a2[] = {{"b", "2"}, {"a", "1"}};
    struct label a3[] = {{"a", "1"}, {"b", "3"}};
    struct label a4[] = {{"a", "1b"}, {"b", "2"}}; /* separator matters: a=1b,b=2 vs a=1,bb=2 */
    struct label a5[] = {{"a", "1"}, {"bb", "2"}};
    struct labels *x = labels_new(a1, 2), *y = labels_new(a2, 2), *z = labels_new(a3, 2);
    struct labels *p = labels_new(a4, 2), *q = labels_new(a5, 2);
    const char *on[] = {"a"};
    CHECK(labels_hash(x) == labels_hash(y));
    CHECK(labels_equal(x, y));
    CHECK(labels_hash(x) != labels_hash(z));
    CHECK(labels_cmp(x, z) < 0);
    CHECK(labels_hash(p) != labels_hash(q));
    CHECK(labels_hash_subset(x, on, 1, true) == labels_hash_subset(z, on, 1, true));
    CHECK(labels_hash_subset(x, on, 1, false) != labels_hash_subset(z, on, 1, false));
    labels_free(x);
    labels_free(y);
    labels_free(z);
    labels_free(p);
    labels_free(q);
}

static void test_name_validation(void)
{
    CHECK(label_name_is_legacy("job_1", 5));
    CHECK(!label_name_is_legacy("1job", 4));
    CHECK(!label_name_is_legacy("a:b", 3));
    CHECK(metric_name_is_legacy("a:b", 3));
    CHECK(utf8_valid("h\xc3\xa9llo", 6));
    CHECK(!utf8_valid("\xc3", 1));
    CHECK(!utf8_valid("\xed\xa0\x80", 3));
}

static bool m(enum match_type t, const char *re, const char *v)
{
    struct matcher *mt = NULL;
    bool r;
    if (matcher_new(t, "x", re, &mt, NULL) != 0)
        return false;
    r = matcher_matches(mt, v);
    matcher_free(mt);
    return r;
}

static void test_matcher_semantics(void)
{
    CHECK(m(MATCH_EQ, "a", "a"));
    CHECK(!m(MATCH_EQ, "a", "b"));
    CHECK(m(MATCH_NEQ, "a", "b"));
    CHECK(m(MATCH_RE, "a.*", "abc"));
    CHECK(!m(MATCH_RE, "b", "abc")); /* fully anchored */
    CHECK(!m(MATCH_RE, "abc", "abc\n"));
    CHECK(m(MATCH_RE, "a.c", "a\nc")); /* dot matches newline */
    CHECK(m(MATCH_RE, "foo|bar", "bar"));
    CHECK(!m(MATCH_RE, "foo|bar", "foobar"));
    CHECK(m(MATCH_NRE, "foo|bar", "baz"));
    CHECK(m(MATCH_RE, ".*", ""));
    CHECK(!m(MATCH_RE, ".+", ""));
    CHECK(m(MATCH_RE, "(?i)ABC", "abc"));
    CHECK(m(MATCH_RE, "[[:digit:]]+", "123"));
    CHECK(m(MATCH_RE, "\\d{2}", "12"));
    CHECK(m(MATCH_RE, "h.llo", "h\xc3\xa9llo"));
}

static void test_regex_errors(void)
{
    struct matcher *mt = NULL;
    struct err e;
    err_clear(&e);
    CHECK_INT(matcher_new(MATCH_RE, "x", "a(b", &mt, &e), ERR_INVALID);
    CHECK(mt == NULL);
    CHECK(strstr(e.msg, "error parsing regexp") != NULL);
    CHECK(strstr(e.msg, "position 4") != NULL);
    CHECK_INT(matcher_new(MATCH_RE, "x", "(?=a)", &mt, &e), ERR_INVALID);
    CHECK_INT(matcher_new(MATCH_RE, "x", "(a)\\1", &mt, &e), ERR_INVALID);
}

static void test_regex_search(void)
{
    struct regex *re = NULL;
    long caps[6];
    CHECK_INT(regex_compile("(a+)(b)?", &re, NULL), 0);
    CHECK_INT(regex_groups(re), 2);
    CHECK_INT(regex_search(re, "xxaab", 5, 0, caps, 3), 3);
    CHECK_INT(caps[0], 2);
    CHECK_INT(caps[1], 5);
    CHECK_INT(caps[2], 2);
    CHECK_INT(caps[3], 4);
    CHECK_INT(regex_search(re, "xyz", 3, 0, caps, 3), 0);
    regex_free(re);
}

static void test_matchers_parse(void)
{
    struct matchers ms;
    struct err e;
    struct label items[] = {{"job", "api"}, {"env", "prod"}};
    struct labels *ls = labels_new(items, 2);
    err_clear(&e);
    CHECK_INT(matchers_parse("{job=\"api\", env=~'pr.*' ,x!=`y`}", &ms, &e), 0);
    CHECK_INT(ms.n, 3);
    CHECK_INT(ms.v[1]->type, MATCH_RE);
    CHECK(matchers_match(&ms, ls));
    matchers_fini(&ms);
    CHECK_INT(matchers_parse("job=\"web\"", &ms, &e), 0);
    CHECK(!matchers_match(&ms, ls));
    matchers_fini(&ms);
    CHECK_INT(matchers_parse("{\"a.b\"=\"\\u00e9\"}", &ms, &e), 0);
    CHECK_STREQ(ms.v[0]->name, "a.b");
    CHECK_STREQ(ms.v[0]->value, "\xc3\xa9");
    matchers_fini(&ms);
    CHECK_INT(matchers_parse("{job=}", &ms, &e), ERR_PARSE);
    CHECK_INT(e.column, 6);
    CHECK_INT(matchers_parse("{job=\"a\"", &ms, &e), ERR_PARSE);
    CHECK_INT(matchers_parse("{job~\"a\"}", &ms, &e), ERR_PARSE);
    CHECK_INT(matchers_parse("{job=~\"(\"}", &ms, &e), ERR_INVALID);
    labels_free(ls);
}

static const struct test_case tests[] = {
    TEST(test_labels_sorted_and_format),
    TEST(test_labels_utf8_names),
    TEST(test_labels_hash_cmp),
    TEST(test_name_validation),
    TEST(test_matcher_semantics),
    TEST(test_regex_errors),
    TEST(test_regex_search),
    TEST(test_matchers_parse),
    {0},
};
TEST_MAIN(tests)
