/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A tiny unit-test harness. Each test runs in a forked child with a time limit, so a crash or a
 * hang fails that test only. Output is one line per test ("ok NAME" / "not ok NAME: reason")
 * that test/run.sh counts.
 *
 *   static void test_x(void) { CHECK(1 + 1 == 2); CHECK_STREQ(a, "b"); }
 *   static const struct test_case tests[] = { TEST(test_x), {0} };
 *   TEST_MAIN(tests)
 */
#ifndef TOCSIN_TEST_HARNESS_H
#define TOCSIN_TEST_HARNESS_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct test_case {
    const char *name;
    void (*fn)(void);
};

#define TEST(fn) \
    {            \
#fn, fn  \
    }

/* Records a failure and aborts the current test (it runs in its own process). */
void test_fail(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4), noreturn));
int test_main(const char *prog, const struct test_case *tests, int argc, char **argv);

#define TEST_MAIN(tests)                               \
    int main(int argc, char **argv)                    \
    {                                                  \
        return test_main(__FILE__, tests, argc, argv); \
    }

#define CHECK(cond)                                                   \
    do {                                                              \
        if (!(cond))                                                  \
            test_fail(__FILE__, __LINE__, "CHECK(%s) failed", #cond); \
    } while (0)

#define CHECK_INT(a, b)                                                                         \
    do {                                                                                        \
        long long va_ = (long long)(a), vb_ = (long long)(b);                                   \
        if (va_ != vb_)                                                                         \
            test_fail(__FILE__, __LINE__, "%s == %lld, expected %s == %lld", #a, va_, #b, vb_); \
    } while (0)

#define CHECK_STREQ(a, b)                                                      \
    do {                                                                       \
        const char *sa_ = (a), *sb_ = (b);                                     \
        if (sa_ == NULL || sb_ == NULL || strcmp(sa_, sb_) != 0)               \
            test_fail(__FILE__, __LINE__, "%s == \"%s\", expected \"%s\"", #a, \
                      sa_ ? sa_ : "(null)", sb_ ? sb_ : "(null)");             \
    } while (0)

#define CHECK_DBL(a, b, eps)                                                            \
    do {                                                                                \
        double da_ = (a), db_ = (b);                                                    \
        if (!(fabs(da_ - db_) <= (eps)) && !(isnan(da_) && isnan(db_)))                 \
            test_fail(__FILE__, __LINE__, "%s == %.17g, expected %.17g", #a, da_, db_); \
    } while (0)

#endif
