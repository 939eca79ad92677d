/* SPDX-License-Identifier: Apache-2.0 */
/* Shared helpers for the template unit tests: a fixed data object and a table runner. */
#ifndef TOCSIN_TEST_TMPL_TEST_UTIL_H
#define TOCSIN_TEST_TMPL_TEST_UTIL_H

#include <stdio.h>
#include <string.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/template/template.h"
#include "test/harness.h"

struct tmpl_case {
    const char *name;
    const char *text;
    const char *want; /* expected output, or with want_err the expected error substring */
    int want_err;     /* 0: success; 1: parse or execution error containing want */
};

static inline struct tmpl_value *tt_str_list(const char *const *v, int n)
{
    struct tmpl_value *l = tmpl_list();
    int i;
    for (i = 0; i < n; i++)
        tmpl_list_push(l, tmpl_string(v[i]));
    return l;
}

/* The data object most cases run against (like Go's exec_test tVal, smaller). */
static inline struct tmpl_value *tt_data(void)
{
    static const char *const sl[] = {"a", "b", "c"};
    struct tmpl_value *d = tmpl_map(TMPL_NULL), *l = tmpl_list(), *m = tmpl_map(TMPL_INT);
    struct tmpl_value *labels = tmpl_map(TMPL_STRING), *nested = tmpl_map(TMPL_NULL);
    struct tmpl_value *x = tmpl_map(TMPL_STRING), *empty = tmpl_list();
    tmpl_map_set_str(d, "A", "hello");
    tmpl_map_set(d, "I", tmpl_int(17));
    tmpl_map_set(d, "Neg", tmpl_int(-5));
    tmpl_map_set(d, "F", tmpl_float(1.5));
    tmpl_map_set(d, "B", tmpl_bool(true));
    tmpl_map_set(d, "False", tmpl_bool(false));
    tmpl_map_set(d, "Z", tmpl_int(0));
    tmpl_map_set_str(d, "Empty", "");
    tmpl_map_set(d, "Nil", tmpl_null());
    tmpl_list_push(l, tmpl_int(1));
    tmpl_list_push(l, tmpl_int(2));
    tmpl_list_push(l, tmpl_int(3));
    tmpl_map_set(d, "L", l);
    tmpl_map_set(d, "SL", tt_str_list(sl, 3));
    tmpl_map_set(d, "EmptyL", empty);
    tmpl_map_set(m, "one", tmpl_int(1));
    tmpl_map_set(m, "two", tmpl_int(2));
    tmpl_map_set(m, "three", tmpl_int(3));
    tmpl_map_set(d, "M", m);
    tmpl_map_set_str(labels, "severity", "critical");
    tmpl_map_set_str(labels, "instance", "host:9090");
    tmpl_map_set_str(labels, "job", "node");
    tmpl_map_set(d, "Labels", labels);
    tmpl_map_set(d, "Value", tmpl_float(1234567.0));
    tmpl_map_set_str(x, "Y", "deep");
    tmpl_map_set(nested, "X", x);
    tmpl_map_set(d, "Nested", nested);
    tmpl_map_set_str(d, "HTML", "<a href=\"x\">'&'</a>");
    tmpl_map_set(d, "T", tmpl_time(INT64_C(1700000000123456789), 0, "UTC"));
    tmpl_map_set(d, "Dur", tmpl_duration(INT64_C(3723500000000)));
    return d;
}

/* Runs the cases with funcs against data; each failing case fails the test with its name. */
static inline void tt_run(const struct tmpl_case *cases, const struct tmpl_funcs *funcs,
                          struct tmpl_value *data, const struct tmpl_exec_opts *opts)
{
    const struct tmpl_case *c;
    int failures = 0;
    for (c = cases; c->name; c++) {
        struct tmpl_set *s = tmpl_set_new(funcs);
        struct buf out;
        struct err e;
        int rc;
        buf_init(&out, 0);
        err_clear(&e);
        rc = tmpl_set_parse(s, c->name, c->text, (size_t)-1, &e);
        if (rc == 0)
            rc = tmpl_set_execute(s, c->name, data, opts, &out, &e);
        if (c->want_err) {
            if (rc == 0) {
                printf("# %s: expected error containing \"%s\", got output \"%s\"\n", c->name,
                       c->want, buf_str(&out));
                failures++;
            } else if (strstr(e.msg, c->want) == NULL) {
                printf("# %s: error \"%s\" does not contain \"%s\"\n", c->name, e.msg, c->want);
                failures++;
            }
        } else if (rc != 0) {
            printf("# %s: unexpected error: %s\n", c->name, e.msg);
            failures++;
        } else if (strcmp(buf_str(&out), c->want) != 0) {
            printf("# %s: got \"%s\", want \"%s\"\n", c->name, buf_str(&out), c->want);
            failures++;
        }
        buf_fini(&out);
        tmpl_set_free(s);
    }
    if (failures)
        test_fail(__FILE__, __LINE__, "%d case(s) failed", failures);
}

#endif
