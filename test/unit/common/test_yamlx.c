/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for the libyaml wrapper: positions, strict maps, getters, aliases, limits. */
#include <string.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/xalloc.h"
#include "common/yamlx.h"
#include "test/harness.h"

static struct yamlx_doc *load(const char *s, struct err *e)
{
    struct yamlx_doc *d = NULL;
    err_clear(e);
    if (yamlx_load_string(s, strlen(s), "t.yml", NULL, &d, e) != 0)
        return NULL;
    return d;
}

static void test_positions_and_getters(void)
{
    struct err e;
    struct yamlx_doc *d = load("a: 1\nb:\n  c: [x, 'y']\n  d: 5m\n  t: yes\n  f: 2.5\n", &e);
    const struct yamlx_node *r, *b;
    char **v = NULL;
    size_t n = 0;
    int64_t i = 0, ms = 0;
    bool t = false;
    double f = 0;
    CHECK(d != NULL);
    r = yamlx_doc_root(d, 0);
    CHECK_INT(r->kind, YAMLX_MAP);
    b = yamlx_map_get(r, "b");
    CHECK_INT(b->line, 3);
    CHECK_INT(b->col, 3);
    CHECK_INT(yamlx_get_int(yamlx_map_get(r, "a"), &i, &e), 0);
    CHECK_INT(i, 1);
    CHECK_INT(yamlx_get_strv(yamlx_map_get(b, "c"), &v, &n, &e), 0);
    CHECK_INT(n, 2);
    CHECK_STREQ(v[1], "y");
    yamlx_strv_free(v);
    CHECK_INT(yamlx_get_duration(yamlx_map_get(b, "d"), &ms, &e), 0);
    CHECK_INT(ms, 300000);
    CHECK_INT(yamlx_get_bool(yamlx_map_get(b, "t"), &t, &e), 0);
    CHECK(t);
    CHECK_INT(yamlx_get_float(yamlx_map_get(b, "f"), &f, &e), 0);
    CHECK_DBL(f, 2.5, 0);
    /* Type errors carry the position. */
    CHECK(yamlx_get_int(yamlx_map_get(b, "c"), &i, &e) != 0);
    CHECK_INT(e.line, 3);
    CHECK_STREQ(e.file, "t.yml");
    yamlx_doc_free(d);
}

static void test_strict_map(void)
{
    static const char *const allowed[] = {"a", "b", NULL};
    struct err e;
    struct yamlx_doc *d = load("a: 1\nzz: 2\n", &e);
    CHECK(yamlx_map_check(yamlx_doc_root(d, 0), allowed, "thing", &e) != 0);
    CHECK_STREQ(e.msg, "field zz not found in thing");
    CHECK_INT(e.line, 2);
    CHECK_INT(e.column, 1);
    yamlx_doc_free(d);
    d = load("a: 1\na: 2\n", &e);
    CHECK(yamlx_map_check(yamlx_doc_root(d, 0), allowed, "thing", &e) != 0);
    CHECK(strstr(e.msg, "already set") != NULL);
    yamlx_doc_free(d);
}

static void test_null_and_multidoc(void)
{
    struct err e;
    struct yamlx_doc *d = load("a: ~\nb: ''\n---\nx: 1\n", &e);
    char *s = NULL;
    CHECK_INT(yamlx_doc_count(d), 2);
    CHECK(yamlx_is_null(yamlx_map_get(yamlx_doc_root(d, 0), "a")));
    CHECK(!yamlx_is_null(yamlx_map_get(yamlx_doc_root(d, 0), "b")));
    CHECK_INT(yamlx_get_str(yamlx_map_get(yamlx_doc_root(d, 0), "b"), &s, &e), 0);
    CHECK_STREQ(s, "");
    xfree(s);
    CHECK(yamlx_map_get(yamlx_doc_root(d, 1), "x") != NULL);
    yamlx_doc_free(d);
    d = load("", &e);
    CHECK_INT(yamlx_doc_count(d), 0);
    yamlx_doc_free(d);
}

static void test_aliases_and_merge(void)
{
    struct err e;
    struct yamlx_doc *d = load("base: &b {x: 1, y: 2}\nuse:\n  <<: *b\n  y: 3\n", &e);
    const struct yamlx_node *u;
    CHECK(d != NULL);
    u = yamlx_map_get(yamlx_doc_root(d, 0), "use");
    CHECK_INT(u->n, 2);
    CHECK_STREQ(yamlx_map_get(u, "x")->str, "1");
    CHECK_STREQ(yamlx_map_get(u, "y")->str, "3");
    yamlx_doc_free(d);
}

static void test_limits(void)
{
    struct err e;
    struct buf b;
    struct yamlx_doc *d;
    /* Billion laughs: each level doubles; expansion must hit the node cap, not memory. */
    buf_init(&b, 0);
    buf_puts(&b, "a0: &a0 [x, x]\n");
    for (int i = 1; i < 40; i++)
        buf_printf(&b, "a%d: &a%d [*a%d, *a%d]\n", i, i, i - 1, i - 1);
    err_clear(&e);
    CHECK(yamlx_load_string(buf_str(&b), b.len, NULL, NULL, &d, &e) == ERR_TOOBIG);
    buf_fini(&b);
    /* Deep nesting. */
    buf_init(&b, 0);
    for (int i = 0; i < 300; i++)
        buf_putc(&b, '[');
    for (int i = 0; i < 300; i++)
        buf_putc(&b, ']');
    CHECK(yamlx_load_string(buf_str(&b), b.len, NULL, NULL, &d, &e) == ERR_TOOBIG);
    buf_fini(&b);
    /* Recursive alias. */
    CHECK(yamlx_load_string("a: &x [*x]", 10, NULL, NULL, &d, &e) != 0);
    /* Syntax error with position. */
    CHECK(yamlx_load_string("a: [1,\n", 7, "f.yml", NULL, &d, &e) == ERR_PARSE);
    CHECK(e.line >= 1);
}

static void test_put_scalar(void)
{
    static const char *const in[] = {"plain", "true", "#x",   "a\nb", "it's", "12",
                                     "09:00", "n",    "a: b", "-1",   "x:y",  NULL};
    static const char *const want =
        "plain|\"true\"|'#x'|\"a\\nb\"|it's|\"12\"|\"09:00\"|\"n\"|'a: b'|\"-1\"|x:y|";
    struct buf b;
    buf_init(&b, 0);
    for (size_t i = 0; in[i]; i++) {
        yamlx_put_scalar(&b, in[i]);
        buf_putc(&b, '|');
    }
    CHECK_STREQ(buf_str(&b), want);
    buf_reset(&b);
    /* Inside flow sequences ':' and ',' force quotes. */
    yamlx_put_scalar_flow(&b, "monday:friday");
    buf_putc(&b, '|');
    yamlx_put_scalar_flow(&b, "1:5");
    CHECK_STREQ(buf_str(&b), "'monday:friday'|\"1:5\"");
    buf_fini(&b);
}

static const struct test_case tests[] = {
    TEST(test_positions_and_getters),
    TEST(test_strict_map),
    TEST(test_null_and_multidoc),
    TEST(test_aliases_and_merge),
    TEST(test_limits),
    TEST(test_put_scalar),
    {0},
};
TEST_MAIN(tests)
