/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for rule file parsing and rulefmt validation. */
#include <string.h>

#include "common/err.h"
#include "evaluator/rules/rulefile.h"
#include "test/harness.h"

static struct rule_file *ok(const char *y)
{
    struct rule_file *f = NULL;
    struct rule_errors errs;
    struct err e;
    rule_errors_init(&errs);
    if (rule_file_parse(y, strlen(y), "r.yml", NULL, &f, &errs, &e) != 0)
        test_fail(__FILE__, __LINE__, "rejected: %s", errs.n ? errs.msgs[0] : e.msg);
    rule_errors_fini(&errs);
    return f;
}

/* Expects rejection with an error containing want (first error unless all). */
static void bad(const char *y, const char *want)
{
    struct rule_file *f = NULL;
    struct rule_errors errs;
    struct err e;
    rule_errors_init(&errs);
    if (rule_file_parse(y, strlen(y), "r.yml", NULL, &f, &errs, &e) == 0)
        test_fail(__FILE__, __LINE__, "accepted: %s", y);
    bool found = false;
    for (size_t i = 0; i < errs.n; i++)
        found |= strstr(errs.msgs[i], want) != NULL;
    if (!found)
        test_fail(__FILE__, __LINE__, "no error like [%s]; first: %s", want,
                  errs.n ? errs.msgs[0] : "(none)");
    rule_errors_fini(&errs);
}

static void test_good(void)
{
    struct rule_file *f = ok("groups:\n"
                             "- name: g\n"
                             "  interval: 30s\n"
                             "  query_offset: 1m\n"
                             "  limit: 10\n"
                             "  labels: {team: a}\n"
                             "  rules:\n"
                             "  - alert: A\n"
                             "    expr: up == 0\n"
                             "    for: 5m\n"
                             "    keep_firing_for: 10m\n"
                             "    labels: {severity: page}\n"
                             "    annotations: {summary: 'x {{ $labels.job }}'}\n"
                             "  - record: job:up:sum\n"
                             "    expr: sum by (job) (up)\n"
                             "- name: h\n");
    CHECK_INT(f->ngroups, 2);
    CHECK_INT(rule_file_count(f), 2);
    const struct rule_group_def *g = &f->groups[0];
    CHECK_INT(g->interval_ms, 30000);
    CHECK(g->has_query_offset);
    CHECK_INT(g->query_offset_ms, 60000);
    CHECK_INT(g->limit, 10);
    CHECK_STREQ(rule_kvs_get(&g->labels, "team"), "a");
    CHECK_INT(g->rules[0].kind, RULE_ALERT);
    CHECK_INT(g->rules[0].for_ms, 300000);
    CHECK_INT(g->rules[0].keep_firing_for_ms, 600000);
    CHECK_STREQ(rule_kvs_get(&g->rules[0].annotations, "summary"), "x {{ $labels.job }}");
    CHECK_INT(g->rules[1].kind, RULE_RECORD);
    CHECK_STREQ(g->rules[1].name, "job:up:sum");
    CHECK_INT(g->rules[1].line, 14);
    CHECK(!f->groups[1].has_query_offset);
    rule_file_free(f);
}

static void test_empty_and_multidoc(void)
{
    struct rule_file *f = ok("");
    CHECK_INT(f->ngroups, 0);
    rule_file_free(f);
    f = ok("# only a comment\n");
    rule_file_free(f);
    f = ok("groups:\n- name: a\n  rules:\n  - record: x\n    expr: '1'\n---\ngroups: [\n");
    CHECK(f->more_docs);
    CHECK_INT(rule_file_count(f), 1);
    rule_file_free(f);
}

static void test_merge_keys(void)
{
    struct rule_file *f = ok("groups:\n- name: a\n  rules:\n"
                             "  - &base\n    alert: A\n    expr: '1'\n    labels: {s: x}\n"
                             "  - <<: *base\n    alert: B\n");
    CHECK_INT(f->groups[0].nrules, 2);
    CHECK_STREQ(f->groups[0].rules[1].name, "B");
    CHECK_STREQ(f->groups[0].rules[1].expr, "1");
    CHECK_STREQ(rule_kvs_get(&f->groups[0].rules[1].labels, "s"), "x");
    rule_file_free(f);
}

static void test_errors(void)
{
    bad("groups:\n- name: a\n  rules:\n  - record: x\n    expr: 'sum('\n",
        "r.yml:5:11: group \"a\", rule 1, \"x\": could not parse expression: 1:5: parse error");
    bad("groups:\n- name: a\n  rules:\n  - record: x\n    alert: y\n    expr: '1'\n",
        "only one of 'record' and 'alert' must be set");
    bad("groups:\n- name: a\n  rules:\n  - expr: '1'\n",
        "r.yml:4:5: group \"a\", rule 1, \"\": one of 'record' or 'alert' must be set");
    bad("groups:\n- name: a\n  rules:\n  - record: x\n", "field 'expr' must be set in rule");
    bad("groups:\n- name: a\n  rules:\n  - record: x\n    expr: '1'\n    for: 1m\n",
        "invalid field 'for' in recording rule");
    bad("groups:\n- name: a\n  rules:\n  - record: x\n    expr: '1'\n    annotations: {a: b}\n",
        "invalid field 'annotations' in recording rule");
    bad("groups:\n- name: a\n  rules:\n  - record: 'x{a=\"b\"}'\n    expr: '1'\n",
        "braces present in the recording rule name");
    bad("groups:\n- name: a\n  rules:\n  - record: x\n    expr: '1'\n    labels: {__name__: y}\n",
        "invalid label name: __name__");
    bad("groups:\n- name: a\n- name: a\n",
        "r.yml:3:3: groupname: \"a\" is repeated in the same file");
    bad("groups:\n- name: ''\n", "Groupname must not be empty");
    bad("groups:\n- name: a\n  rules:\n  - record: x\n    expr: '1'\n    bogus: 1\n",
        "r.yml:6:5: group \"a\", rule 1, \"x\": field bogus not found in type rulefmt.Rule");
    bad("groups:\n- name: a\n  bogus: 1\n",
        "r.yml:3:3: group \"a\": field bogus not found in type rulefmt.RuleGroup");
    bad("groupz: []\n", "field groupz not found in type rulefmt.RuleGroups");
    bad("groups:\n- name: a\n  interval: 5x\n",
        "r.yml:3:13: group \"a\": not a valid duration string");
    bad("groups:\n- name: a\n  limit: many\n", "cannot unmarshal !!str `many` into int");
    bad("groups:\n- name: a\n  rules:\n  - record: [x]\n    expr: '1'\n",
        "cannot unmarshal !!seq into string");
    bad("groups:\n- name: a\n  rules:\n  - alert: x\n    expr: '1'\n"
        "    annotations: {s: '{{ $labels.x '}\n",
        "annotation \"s\": template: __alert_x:1: ");
    bad("groups: [\n", "r.yml:2:1: yaml: ");
    bad("groups:\n- name: a\n  name: b\n", "already defined at line 2");
}

static void test_ignore_unknown_and_legacy(void)
{
    const char *y = "groups:\n- name: a\n  owner: x\n  rules:\n  - alert: A\n    expr: '1'\n"
                    "    annotations: {ins-tance: v}\n";
    struct rule_parse_opts o = {.ignore_unknown_fields = true};
    struct rule_file *f = NULL;
    struct err e;
    CHECK_INT(rule_file_parse(y, strlen(y), "r.yml", &o, &f, NULL, &e), 0);
    rule_file_free(f);
    o.names = RULE_NAMES_LEGACY;
    CHECK_INT(rule_file_parse(y, strlen(y), "r.yml", &o, &f, NULL, &e), ERR_INVALID);
    CHECK(strstr(e.msg, "invalid annotation name: ins-tance") != NULL);
}

static const struct test_case tests[] = {
    TEST(test_good),   TEST(test_empty_and_multidoc),        TEST(test_merge_keys),
    TEST(test_errors), TEST(test_ignore_unknown_and_legacy), {0},
};
TEST_MAIN(tests)
