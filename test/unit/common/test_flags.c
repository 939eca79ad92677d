/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for flag parsing. */
#include "common/flags.h"
#include "test/harness.h"

static void test_flags_ok(void)
{
    const char *listen = "x";
    bool dbg = false;
    int64_t ret = 0, size = 0;
    const struct flag_def defs[] = {
        {"web.listen-address", FLAG_STRING, &listen, "listen"},
        {"debug", FLAG_BOOL, &dbg, "debug"},
        {"storage.retention", FLAG_DURATION, &ret, "retention"},
        {"max-bytes", FLAG_BYTES, &size, "bytes"},
        {NULL, FLAG_STRING, NULL, NULL},
    };
    char *argv[] = {"p",       "--web.listen-address=127.0.0.1:1",
                    "--debug", "--storage.retention",
                    "6h",      "--max-bytes=4MiB",
                    NULL};
    CHECK_INT(flags_parse("p", "s", defs, 6, argv, NULL, NULL), 0);
    CHECK_STREQ(listen, "127.0.0.1:1");
    CHECK(dbg);
    CHECK_INT(ret, 6 * 3600 * 1000);
    CHECK_INT(size, 4 << 20);
}

static void test_flags_errors(void)
{
    int64_t ret = 0;
    const struct flag_def defs[] = {
        {"storage.retention", FLAG_DURATION, &ret, "retention"},
        {NULL, FLAG_STRING, NULL, NULL},
    };
    char *bad1[] = {"p", "--nope", NULL};
    char *bad2[] = {"p", "--storage.retention=5x", NULL};
    char *bad3[] = {"p", "--storage.retention", NULL};
    char *pos[] = {"p", "file", NULL};
    CHECK_INT(flags_parse("p", "s", defs, 2, bad1, NULL, NULL), 2);
    CHECK_INT(flags_parse("p", "s", defs, 2, bad2, NULL, NULL), 2);
    CHECK_INT(flags_parse("p", "s", defs, 2, bad3, NULL, NULL), 2);
    CHECK_INT(flags_parse("p", "s", defs, 2, pos, NULL, NULL), 2);
}

static const struct test_case tests[] = {TEST(test_flags_ok), TEST(test_flags_errors), {0}};
TEST_MAIN(tests)
