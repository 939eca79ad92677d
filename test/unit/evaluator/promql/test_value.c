/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for PromQL values, annotations and Go-style float formatting. */
#include <math.h>
#include <string.h>

#include "common/labels.h"
#include "evaluator/promql/fmtfloat.h"
#include "evaluator/promql/value.h"
#include "test/harness.h"

static void test_fmt_go_f(void)
{
    char b[400];
    fmtfloat_go_f(1, b, sizeof(b));
    CHECK_STREQ(b, "1");
    fmtfloat_go_f(-2.5, b, sizeof(b));
    CHECK_STREQ(b, "-2.5");
    fmtfloat_go_f(0.1, b, sizeof(b));
    CHECK_STREQ(b, "0.1");
    fmtfloat_go_f(1e21, b, sizeof(b));
    CHECK_STREQ(b, "1000000000000000000000");
    fmtfloat_go_f(1e-7, b, sizeof(b));
    CHECK_STREQ(b, "0.0000001");
    fmtfloat_go_f(123456.789, b, sizeof(b));
    CHECK_STREQ(b, "123456.789");
    fmtfloat_go_f(0, b, sizeof(b));
    CHECK_STREQ(b, "0");
    fmtfloat_go_f(NAN, b, sizeof(b));
    CHECK_STREQ(b, "NaN");
    fmtfloat_go_f(-INFINITY, b, sizeof(b));
    CHECK_STREQ(b, "-Inf");
}

static void test_fmt_g_and_openmetrics(void)
{
    CHECK_STREQ(fmtfloat_g(2).s, "2");
    CHECK_STREQ(fmtfloat_g(1.1).s, "1.1");
    CHECK_STREQ(fmtfloat_g(1e21).s, "1e+21");
    CHECK_STREQ(fmtfloat_g(1e20).s, "100000000000000000000");
    CHECK_STREQ(fmtfloat_g(0.00001).s, "1e-05");
    CHECK_STREQ(fmtfloat_g(NAN).s, "NaN");
    CHECK_STREQ(fmtfloat_om(0).s, "0.0");
    CHECK_STREQ(fmtfloat_om(1).s, "1.0");
    CHECK_STREQ(fmtfloat_om(0.25).s, "0.25");
    CHECK_STREQ(fmtfloat_om(100).s, "100.0");
    CHECK_STREQ(fmtfloat_om(1e6).s, "1e+06");
    CHECK_STREQ(fmtfloat_om(INFINITY).s, "+Inf");
}

static void test_vector_matrix(void)
{
    struct promql_vector v;
    struct promql_matrix m;
    struct label a[] = {{"x", "b"}}, b[] = {{"x", "a"}};
    struct promql_series *s;
    promql_vector_init(&v);
    promql_vector_push(&v, labels_new(a, 1), 1, 1);
    promql_vector_push(&v, labels_new(b, 1), 1, 2);
    promql_vector_sort_labels(&v);
    CHECK_STREQ(labels_get(v.s[0].labels, "x"), "a");
    CHECK_DBL(v.s[0].v, 2, 0);
    promql_vector_fini(&v);
    CHECK_INT(v.n, 0);
    promql_matrix_init(&m);
    s = promql_matrix_push(&m, labels_new(a, 1));
    for (int i = 0; i < 100; i++)
        promql_series_push_point(s, i, i);
    promql_matrix_push(&m, labels_new(b, 1));
    promql_matrix_sort_labels(&m);
    CHECK_INT(promql_matrix_points(&m), 100);
    CHECK_INT(m.s[0].n, 0);
    promql_matrix_fini(&m);
}

static void test_annotations_dedup(void)
{
    struct promql_annotations a, b;
    promql_annotations_init(&a);
    promql_annotations_init(&b);
    promql_annotations_add(&a, false, "PromQL warning: w (1:1)");
    promql_annotations_add(&a, false, "PromQL warning: w (1:1)");
    promql_annotations_add(&a, true, "PromQL info: i (1:1)");
    promql_annotations_add(&b, true, "PromQL info: i (1:1)");
    promql_annotations_add(&b, true, "PromQL info: j (1:1)");
    promql_annotations_merge(&a, &b);
    CHECK_INT(a.nwarn, 1);
    CHECK_INT(a.ninfo, 2);
    CHECK_INT(b.ninfo, 0);
    promql_annotations_fini(&a);
    CHECK_STREQ(promql_val_type_name(PROMQL_VAL_MATRIX), "range vector");
}

static const struct test_case tests[] = {
    TEST(test_fmt_go_f),
    TEST(test_fmt_g_and_openmetrics),
    TEST(test_vector_matrix),
    TEST(test_annotations_dedup),
    {0},
};

TEST_MAIN(tests)
