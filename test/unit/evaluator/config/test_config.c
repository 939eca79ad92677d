/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for the evaluator config file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/err.h"
#include "common/labels.h"
#include "evaluator/config/config.h"
#include "test/harness.h"

static struct evcfg *parse_ok(const char *y)
{
    struct evcfg *c = NULL;
    struct err e;
    err_clear(&e);
    if (evcfg_parse(y, strlen(y), "/etc/tocsin/evaluator.yml", &c, &e) != 0)
        test_fail(__FILE__, __LINE__, "parse: %d:%d: %s", e.line, e.column, e.msg);
    return c;
}

static void parse_bad(const char *y, int line, const char *msg)
{
    struct evcfg *c = NULL;
    struct err e;
    err_clear(&e);
    if (evcfg_parse(y, strlen(y), "x.yml", &c, &e) == 0)
        test_fail(__FILE__, __LINE__, "accepted: %s", y);
    if (e.line != line || !strstr(e.msg, msg))
        test_fail(__FILE__, __LINE__, "got %d: %s, want %d: %s", e.line, e.msg, line, msg);
    CHECK_STREQ(e.file, "x.yml");
}

static void test_full(void)
{
    struct evcfg *c = parse_ok("global:\n"
                               "  evaluation_interval: 30s\n"
                               "  query_offset: 1m\n"
                               "  external_labels: {cluster: eu1, replica: a}\n"
                               "rule_files: ['rules/*.yml', /abs/x.yml]\n"
                               "alerting:\n"
                               "  alertmanagers:\n"
                               "  - static_configs: [{targets: ['127.0.0.1:9093', 'h:1']}]\n"
                               "    scheme: https\n"
                               "    path_prefix: /am\n"
                               "    timeout: 5s\n"
                               "    api_version: v2\n"
                               "    basic_auth: {username: u, password: p}\n"
                               "    tls_config: {ca_file: ca.pem, insecure_skip_verify: true}\n"
                               "  - static_configs: [{targets: ['127.0.0.1:9094']}]\n"
                               "    authorization: {credentials: tok}\n"
                               "datasource:\n"
                               "  url: http://127.0.0.1:9090\n"
                               "  bearer_token: abc\n"
                               "  headers: {X-Scope-OrgID: t1}\n"
                               "  timeout: 30s\n"
                               "remote_write:\n"
                               "- url: https://127.0.0.1:9201/write\n"
                               "  basic_auth: {username: a, password_file: /p}\n");
    CHECK_INT(c->evaluation_interval_ms, 30000);
    CHECK_INT(c->query_offset_ms, 60000);
    CHECK_STREQ(labels_get(c->external_labels, "cluster"), "eu1");
    CHECK_INT(c->nrule_files, 2);
    CHECK_STREQ(c->dir, "/etc/tocsin");
    CHECK_INT(c->nalertmanagers, 2);
    CHECK_INT(c->alertmanagers[0].ntargets, 2);
    CHECK_STREQ(c->alertmanagers[0].targets[1], "h:1");
    CHECK_STREQ(c->alertmanagers[0].scheme, "https");
    CHECK_STREQ(c->alertmanagers[0].path_prefix, "/am");
    CHECK_INT(c->alertmanagers[0].timeout_ms, 5000);
    CHECK_STREQ(c->alertmanagers[0].auth.username, "u");
    CHECK(c->alertmanagers[0].tls.insecure_skip_verify);
    CHECK_STREQ(c->alertmanagers[1].auth.credentials, "tok");
    CHECK_STREQ(c->alertmanagers[1].auth.auth_type, "Bearer");
    CHECK_STREQ(c->alertmanagers[1].scheme, "http");
    CHECK_INT(c->alertmanagers[1].timeout_ms, 10000);
    CHECK(c->datasource.set);
    CHECK_STREQ(c->datasource.auth.credentials, "abc");
    CHECK_STREQ(c->datasource.headers.names[0], "X-Scope-OrgID");
    CHECK_INT(c->datasource.timeout_ms, 30000);
    CHECK_INT(c->nremote_write, 1);
    CHECK_STREQ(c->remote_write[0].auth.password_file, "/p");
    evcfg_free(c);
}

static void test_defaults(void)
{
    struct evcfg *c = parse_ok("");
    CHECK_INT(c->evaluation_interval_ms, 60000);
    CHECK_INT(c->nrule_files, 0);
    CHECK(!c->datasource.set);
    CHECK_INT(c->external_labels->n, 0);
    evcfg_free(c);
}

static void test_errors(void)
{
    parse_bad("global:\n  scrape_interval: 1m\n", 2, "field scrape_interval not found");
    parse_bad("bogus: 1\n", 1, "field bogus not found");
    parse_bad("alerting:\n  alertmanagers:\n  - api_version: v1\n", 3, "api version");
    parse_bad("alerting:\n  alertmanagers:\n  - scheme: ftp\n", 3, "unsupported scheme");
    parse_bad("alerting:\n  alertmanagers:\n  - static_configs: [{targets: [a], x: 1}]\n", 3,
              "field x not found");
    parse_bad("alerting:\n  alertmanagers:\n  - basic_auth: {username: u}\n"
              "    authorization: {credentials: c}\n",
              3, "at most one of basic_auth");
    parse_bad("datasource:\n  url: ftp://x\n", 2, "http:// or https://");
    parse_bad("datasource:\n  url: http://x\n  headers: {Authorization: x}\n", 3, "reserved");
    parse_bad("global:\n  evaluation_interval: 5x\n", 2, "duration");
    parse_bad("global:\n  evaluation_interval: 0s\n", 2, "greater than 0");
    parse_bad("remote_write:\n- url: http://x\n  queue_config: {}\n", 3,
              "field queue_config not found");
    parse_bad("global: [\n", 2, "");
}

static void test_rule_files_glob(void)
{
    char dir[] = "/tmp/tocsin-cfg-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char p[256];
    snprintf(p, sizeof(p), "%s/rules", dir);
    CHECK(mkdir(p, 0755) == 0);
    const char *names[] = {"rules/b.yml", "rules/a.yml", "rules/c.txt"};
    for (int i = 0; i < 3; i++) {
        snprintf(p, sizeof(p), "%s/%s", dir, names[i]);
        FILE *f = fopen(p, "w");
        CHECK(f != NULL);
        fclose(f);
    }
    char cfgpath[256];
    snprintf(cfgpath, sizeof(cfgpath), "%s/evaluator.yml", dir);
    const char *y = "rule_files: ['rules/*.yml', 'rules/a.yml', 'none/*.yml']\n";
    struct evcfg *c = NULL;
    struct err e;
    CHECK_INT(evcfg_parse(y, strlen(y), cfgpath, &c, &e), 0);
    char **files = NULL;
    size_t n = 0;
    CHECK_INT(evcfg_rule_files(c, &files, &n, &e), 0);
    CHECK_INT(n, 2);
    snprintf(p, sizeof(p), "%s/rules/a.yml", dir);
    CHECK_STREQ(files[0], p);
    evcfg_strv_free(files);
    evcfg_free(c);
    char cmd[300];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    CHECK(system(cmd) == 0);
}

static const struct test_case tests[] = {
    TEST(test_full), TEST(test_defaults), TEST(test_errors), TEST(test_rule_files_glob), {0},
};
TEST_MAIN(tests)
