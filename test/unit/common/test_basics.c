/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for err, buf, arena and xalloc. */
#include <stdint.h>

#include "common/arena.h"
#include "common/buf.h"
#include "common/err.h"
#include "common/xalloc.h"
#include "test/harness.h"

static void test_err_format(void)
{
    struct err e;
    char out[256];
    err_clear(&e);
    CHECK_INT(err_setpos(&e, ERR_PARSE, "r.yml", 3, 7, "bad %s", "thing"), ERR_PARSE);
    CHECK_STREQ(err_format(&e, out, sizeof(out)), "r.yml:3:7: bad thing");
    err_prefix(&e, "group %s", "g1");
    CHECK_STREQ(err_format(&e, out, sizeof(out)), "r.yml:3:7: group g1: bad thing");
    CHECK_INT(err_set(NULL, ERR_INVALID, "ignored"), ERR_INVALID);
    CHECK_STREQ(err_str(ERR_UNSUPPORTED), "not implemented");
}

static void test_buf_cap(void)
{
    struct buf b;
    buf_init(&b, 8);
    CHECK_INT(buf_puts(&b, "1234"), 0);
    CHECK_INT(buf_puts(&b, "5678"), 0);
    CHECK_INT(buf_puts(&b, "9"), ERR_TOOBIG);
    CHECK_STREQ(buf_str(&b), "12345678");
    CHECK_INT(b.len, 8);
    buf_reset(&b);
    CHECK_INT(buf_printf(&b, "%d-%s", 42, "x"), 0);
    CHECK_STREQ(buf_str(&b), "42-x");
    buf_fini(&b);
}

static void test_buf_json(void)
{
    struct buf b;
    buf_init(&b, 0);
    buf_put_json_string(&b, "a\"b\\c\n\x01", 7);
    CHECK_STREQ(buf_str(&b), "\"a\\\"b\\\\c\\n\\u0001\"");
    buf_reset(&b);
    buf_put_quoted(&b, "x\"y\n", 4);
    CHECK_STREQ(buf_str(&b), "\"x\\\"y\\n\"");
    buf_fini(&b);
}

static void test_arena(void)
{
    struct arena a;
    arena_init(&a, 64);
    char *s = arena_strdup(&a, "hello");
    void *big = arena_alloc(&a, 1000);
    CHECK_STREQ(s, "hello");
    CHECK(((uintptr_t)big & 15) == 0);
    for (int i = 0; i < 100; i++)
        CHECK(arena_calloc(&a, 3, 7) != NULL);
    arena_reset(&a);
    CHECK_INT(a.used, 0);
    CHECK_STREQ(arena_strndup(&a, "abcdef", 3), "abc");
    arena_fini(&a);
}

static void test_xasprintf(void)
{
    char *s = xasprintf("%s=%d", "n", 5);
    CHECK_STREQ(s, "n=5");
    xfree(s);
    xfree(NULL);
}

static const struct test_case tests[] = {
    TEST(test_err_format), TEST(test_buf_cap),   TEST(test_buf_json),
    TEST(test_arena),      TEST(test_xasprintf), {0},
};
TEST_MAIN(tests)
