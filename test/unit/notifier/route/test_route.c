/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for the routing tree: matching with continue, inheritance, keys, group keys. */
#include <string.h>

#include "common/err.h"
#include "common/labels.h"
#include "common/xalloc.h"
#include "notifier/config/config.h"
#include "notifier/route/route.h"
#include "test/harness.h"

/* The config of the captured Alertmanager run (captures/alertmanager-webhook-run1/am.yml). */
static const char *run1 = "global:\n"
                          "  resolve_timeout: 10s\n"
                          "route:\n"
                          "  receiver: default\n"
                          "  group_by: ['alertname']\n"
                          "  group_wait: 2s\n"
                          "  group_interval: 6s\n"
                          "  repeat_interval: 20s\n"
                          "  routes:\n"
                          "    - receiver: pager\n"
                          "      matchers:\n"
                          "        - severity=\"page\"\n"
                          "      continue: true\n"
                          "    - receiver: team\n"
                          "      matchers:\n"
                          "        - team=~\"db|infra\"\n"
                          "      group_by: ['...']\n"
                          "      group_wait: 1s\n"
                          "      group_interval: 4s\n"
                          "      repeat_interval: 1h\n"
                          "receivers:\n"
                          "  - name: default\n"
                          "  - name: pager\n"
                          "  - name: team\n";

struct fixture {
    struct am_config *cfg;
    struct route *root;
};

static void setup(struct fixture *f, const char *yaml)
{
    struct err e;
    err_clear(&e);
    if (config_parse(yaml, strlen(yaml), "t.yml", &f->cfg, &e) != 0)
        test_fail(__FILE__, __LINE__, "config: %s (line %d)", e.msg, e.line);
    CHECK_INT(route_tree_build(f->cfg, &f->root, &e), 0);
}

static void teardown(struct fixture *f)
{
    route_tree_free(f->root);
    config_free(f->cfg);
}

static char *group_key_for(const struct route *r, const struct label *items, size_t n)
{
    struct labels *ls = labels_new(items, n);
    struct labels *gl = route_group_labels(r, ls);
    char *k = route_group_key(r, gl);
    labels_free(gl);
    labels_free(ls);
    return k;
}

static void test_match_and_group_keys(void)
{
    struct fixture f;
    const struct route **m = NULL;
    size_t n;
    struct label pager[] = {{"alertname", "Pager"}, {"severity", "page"}};
    struct label db[] = {{"alertname", "DB"}, {"instance", "d1"}, {"team", "db"}};
    struct label disk[] = {{"alertname", "Disk"}, {"instance", "a"}};
    struct label both[] = {{"alertname", "X"}, {"severity", "page"}, {"team", "infra"}};
    struct labels *ls;
    char *k;
    setup(&f, run1);

    ls = labels_new(pager, 2);
    n = route_match(f.root, ls, &m);
    CHECK_INT(n, 1);
    CHECK_STREQ(m[0]->receiver, "pager");
    k = group_key_for(m[0], pager, 2);
    CHECK_STREQ(k, "{}/{severity=\"page\"}:{alertname=\"Pager\"}");
    xfree(k);
    xfree(m);
    labels_free(ls);

    ls = labels_new(db, 3);
    n = route_match(f.root, ls, &m);
    CHECK_INT(n, 1);
    CHECK_STREQ(m[0]->receiver, "team");
    k = group_key_for(m[0], db, 3);
    CHECK_STREQ(k, "{}/{team=~\"db|infra\"}:{alertname=\"DB\", instance=\"d1\", team=\"db\"}");
    xfree(k);
    xfree(m);
    labels_free(ls);

    ls = labels_new(disk, 2);
    n = route_match(f.root, ls, &m);
    CHECK_INT(n, 1);
    CHECK(m[0] == f.root);
    k = group_key_for(m[0], disk, 2);
    CHECK_STREQ(k, "{}:{alertname=\"Disk\"}");
    xfree(k);
    xfree(m);
    labels_free(ls);

    /* Values are quoted like Go's %q. */
    {
        struct label odd[] = {{"alertname", "a\tb\"c"}};
        k = group_key_for(f.root, odd, 1);
        CHECK_STREQ(k, "{}:{alertname=\"a\\tb\\\"c\"}");
        xfree(k);
    }

    /* continue: true on the first child lets the second one match too. */
    ls = labels_new(both, 3);
    n = route_match(f.root, ls, &m);
    CHECK_INT(n, 2);
    CHECK_STREQ(m[0]->receiver, "pager");
    CHECK_STREQ(m[1]->receiver, "team");
    xfree(m);
    labels_free(ls);
    teardown(&f);
}

static void test_inheritance_and_ids(void)
{
    struct fixture f;
    setup(&f, run1);
    CHECK_INT(f.root->nroutes, 2);
    CHECK_STREQ(f.root->key, "{}");
    CHECK_STREQ(f.root->id, "{}");
    CHECK_STREQ(f.root->routes[0]->id, "{}/{severity=\"page\"}/0");
    CHECK_STREQ(f.root->routes[1]->key, "{}/{team=~\"db|infra\"}");
    /* pager inherits timings and group_by from the root. */
    CHECK_INT(f.root->routes[0]->group_wait_ms, 2000);
    CHECK_INT(f.root->routes[0]->group_interval_ms, 6000);
    CHECK_INT(f.root->routes[0]->repeat_interval_ms, 20000);
    CHECK_INT(f.root->routes[0]->ngroup_by, 1);
    CHECK(!f.root->routes[0]->group_by_all);
    CHECK(f.root->routes[1]->group_by_all);
    CHECK_INT(f.root->routes[1]->group_wait_ms, 1000);
    CHECK_INT(f.root->routes[1]->repeat_interval_ms, 3600000);
    teardown(&f);
}

static void test_nested_fallback_to_parent(void)
{
    /* conf.good.yml shape: a child that matches but whose children do not is the match. */
    static const char *yaml = "route:\n"
                              "  receiver: a\n"
                              "  routes:\n"
                              "  - match_re: {service: '^(foo1|foo2|baz)$'}\n"
                              "    receiver: b\n"
                              "    routes:\n"
                              "    - match: {severity: critical}\n"
                              "      receiver: c\n"
                              "  - match: {service: files}\n"
                              "    receiver: d\n"
                              "receivers: [{name: a}, {name: b}, {name: c}, {name: d}]\n";
    struct fixture f;
    const struct route **m = NULL;
    struct label x[] = {{"service", "foo1"}, {"severity", "warning"}};
    struct label y[] = {{"service", "foo2"}, {"severity", "critical"}};
    struct labels *ls;
    setup(&f, yaml);
    ls = labels_new(x, 2);
    CHECK_INT(route_match(f.root, ls, &m), 1);
    CHECK_STREQ(m[0]->receiver, "b");
    CHECK_INT(m[0]->group_wait_ms, 30000); /* defaults */
    CHECK_INT(m[0]->repeat_interval_ms, 4 * 3600 * 1000);
    xfree(m);
    labels_free(ls);
    ls = labels_new(y, 2);
    CHECK_INT(route_match(f.root, ls, &m), 1);
    CHECK_STREQ(m[0]->receiver, "c");
    CHECK_STREQ(m[0]->key, "{}/{service=~\"^(?:^(foo1|foo2|baz)$)$\"}/{severity=\"critical\"}");
    xfree(m);
    labels_free(ls);
    teardown(&f);
}

static void test_mute_and_active_intervals(void)
{
    static const char *yaml = "time_intervals:\n"
                              "- name: weekend\n"
                              "  time_intervals: [{weekdays: ['saturday', 'sunday']}]\n"
                              "route:\n"
                              "  receiver: a\n"
                              "  routes:\n"
                              "  - receiver: a\n"
                              "    mute_time_intervals: [weekend]\n"
                              "  - receiver: a\n"
                              "    active_time_intervals: [weekend]\n"
                              "receivers: [{name: a}]\n";
    struct fixture f;
    int64_t sat = 1795219200000LL; /* 2026-11-21T00:00:00Z, a Saturday */
    int64_t mon = sat + 2 * 86400000LL;
    setup(&f, yaml);
    CHECK(route_is_muted(f.root->routes[0], f.cfg, sat));
    CHECK(!route_is_muted(f.root->routes[0], f.cfg, mon));
    CHECK(!route_is_muted(f.root->routes[1], f.cfg, sat));
    CHECK(route_is_muted(f.root->routes[1], f.cfg, mon));
    CHECK(!route_is_muted(f.root, f.cfg, sat));
    teardown(&f);
}

static const struct test_case tests[] = {
    TEST(test_match_and_group_keys),
    TEST(test_inheritance_and_ids),
    TEST(test_nested_fallback_to_parent),
    TEST(test_mute_and_active_intervals),
    {0},
};
TEST_MAIN(tests)
