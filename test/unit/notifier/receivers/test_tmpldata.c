/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for what the integrations share: template sets with user files (globs, overrides,
 * parse errors), Alertmanager's template data, the expander's first-error semantics,
 * Authorization headers from http_config, rune truncation.
 */
#include <sys/stat.h>

#include "notifier/receivers/tmpldata.h"
#include "test/unit/notifier/receivers/recv_test_util.h"

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    fputs(text, f);
    fclose(f);
}

static const struct rt_alert_spec alerts[] = {
    {{"alertname", "X", "job", "api", "instance", "a:1", NULL}, {"summary", "s1", NULL}, 0},
    {{"alertname", "X", "job", "api", "instance", "b:1", NULL}, {"summary", "s1", NULL}, 5},
};

static char *expand1(struct am_tmpl *t, const struct am_notify_data *d, const char *text, int *rc)
{
    struct am_expander x;
    char *s;
    am_expander_init(&x, t, d);
    s = am_expand(&x, text);
    *rc = x.rc;
    am_expander_fini(&x);
    return s;
}

static void test_template_files(void)
{
    char dir[] = "/tmp/tocsin-tmpl-XXXXXX", path[128];
    const char *pats[] = {"b/*.tmpl", "/nonexistent-tocsin-dir/*.tmpl"};
    struct am_tmpl *t = NULL;
    struct rt_data r;
    struct err e;
    char *s;
    int rc;
    CHECK(mkdtemp(dir) != NULL);
    snprintf(path, sizeof(path), "%s/b", dir);
    mkdir(path, 0700);
    snprintf(path, sizeof(path), "%s/b/1.tmpl", dir);
    write_file(path, "{{ define \"mine\" }}one{{ end }}{{ define \"__subject\" }}SUBJ {{ "
                     ".Status }}{{ end }}");
    snprintf(path, sizeof(path), "%s/b/2.tmpl", dir);
    write_file(path, "{{ define \"mine\" }}two{{ end }}");
    CHECK_INT(am_tmpl_new(pats, 2, dir, &t, &e), 0);
    rt_data_make(&r, "team.a+b", alerts, 2, "alertname");
    /* files in glob order, the later define wins; defaults see the overridden __subject */
    s = expand1(t, &r.d, "{{ template \"mine\" . }}|{{ template \"slack.default.title\" . }}", &rc);
    CHECK_INT(rc, 0);
    CHECK_STREQ(s, "two|SUBJ firing");
    xfree(s);
    am_tmpl_unref(t);
    /* a parse error names the file */
    write_file(path, "{{ define \"broken\" }}{{ .X ");
    CHECK(am_tmpl_new(pats, 1, dir, &t, &e) != 0);
    CHECK(t == NULL);
    CHECK(strstr(e.msg, "2.tmpl") != NULL);
    unlink(path);
    snprintf(path, sizeof(path), "%s/b/1.tmpl", dir);
    unlink(path);
    snprintf(path, sizeof(path), "%s/b", dir);
    rmdir(path);
    rmdir(dir);
    rt_data_fini(&r);
}

static void test_data_fields(void)
{
    struct am_tmpl *t = rt_tmpl();
    struct rt_data r;
    char *s;
    int rc;
    rt_data_make(&r, "team.a+b", alerts, 2, "alertname");
    s = expand1(t, &r.d,
                "{{ .Receiver }}|{{ .Status }}|{{ len .Alerts.Firing }}/{{ len .Alerts.Resolved }}|"
                "{{ .GroupLabels }}|{{ .CommonLabels }}|{{ .CommonAnnotations.summary }}|"
                "{{ .ExternalURL }}|{{ range .Alerts }}{{ .Status }} {{ .Labels.instance }} "
                "{{ .StartsAt.Unix }} {{ .GeneratorURL }} {{ len .Fingerprint }};{{ end }}|"
                "{{ .CommonLabels.nope }}",
                &rc);
    CHECK_INT(rc, 0);
    CHECK_STREQ(s, "team\\.a\\+b|firing|1/1|map[alertname:X]|map[alertname:X job:api]|s1|"
                   "http://am.test:9093|firing a:1 1700000000 "
                   "http://prom.test:9090/graph?g0.expr=up 16;resolved b:1 1700000000 "
                   "http://prom.test:9090/graph?g0.expr=up 16;|");
    xfree(s);
    /* a firing alert's EndsAt is Go's zero time, as Alertmanager clears it at flush time, also
     * when the stored alert carries a future end (resolve_timeout) */
    s = expand1(t, &r.d, "{{ range .Alerts }}{{ .EndsAt }}|{{ .EndsAt.Unix }};{{ end }}", &rc);
    CHECK_INT(rc, 0);
    CHECK_STREQ(
        s, "0001-01-01 00:00:00 +0000 UTC|-62135596800;1970-01-01 00:00:00.000000005 +0000 UTC|0;");
    xfree(s);
    r.v[0]->ends_at = r.d.now + 3600LL * 1000000000LL;
    s = expand1(t, &r.d, "{{ (index .Alerts 0).EndsAt }}", &rc);
    CHECK_STREQ(s, "0001-01-01 00:00:00 +0000 UTC");
    xfree(s);
    r.v[0]->ends_at = 0;
    s = expand1(t, &r.d, "{{ template \"__alertmanagerURL\" . }}", &rc);
    CHECK_STREQ(s, "http://am.test:9093/#/alerts?receiver=team%5C.a%5C%2Bb");
    xfree(s);
    /* all resolved */
    r.v[0]->ends_at = 7;
    s = expand1(t, &r.d, "{{ template \"__subject\" . }}", &rc);
    CHECK_STREQ(s, "[RESOLVED] X (api)");
    xfree(s);
    rt_data_fini(&r);
    am_tmpl_unref(t);
}

static void test_expander_first_error(void)
{
    struct am_tmpl *t = rt_tmpl();
    struct rt_data r;
    struct am_expander x;
    char *a, *b, *c;
    rt_data_make(&r, "r", alerts, 1, "alertname");
    am_expander_init(&x, t, &r.d);
    a = am_expand(&x, "ok");
    b = am_expand(&x, "{{ template \"undefined.one\" . }}");
    c = am_expand(&x, "also ok");
    CHECK_STREQ(a, "ok");
    CHECK_STREQ(b, "");
    CHECK_STREQ(c, ""); /* after an error everything is empty, the first error is kept */
    CHECK(x.rc != 0);
    CHECK(strstr(x.e.msg, "undefined.one") != NULL);
    xfree(a);
    xfree(b);
    xfree(c);
    am_expander_fini(&x);
    rt_data_fini(&r);
    am_tmpl_unref(t);
}

static void test_auth_header(void)
{
    char dir[] = "/tmp/tocsin-auth-XXXXXX", path[128];
    struct am_http_config h;
    struct am_authorization a = {NULL, "tok", NULL};
    struct am_basic_auth ba = {.username = "user", .password = "pass"};
    struct err e;
    char *v = NULL;
    CHECK(mkdtemp(dir) != NULL);
    snprintf(path, sizeof(path), "%s/secret", dir);
    write_file(path, " from-file\n");
    memset(&h, 0, sizeof(h));
    CHECK_INT(am_http_auth_header(NULL, &v, &e), 0);
    CHECK(v == NULL);
    CHECK_INT(am_http_auth_header(&h, &v, &e), 0);
    CHECK(v == NULL);
    h.authorization = &a;
    CHECK_INT(am_http_auth_header(&h, &v, &e), 0);
    CHECK_STREQ(v, "Bearer tok");
    xfree(v);
    a.type = "Token";
    a.credentials_file = path;
    CHECK_INT(am_http_auth_header(&h, &v, &e), 0);
    CHECK_STREQ(v, "Token from-file");
    xfree(v);
    h.authorization = NULL;
    h.bearer_token = "bt";
    CHECK_INT(am_http_auth_header(&h, &v, &e), 0);
    CHECK_STREQ(v, "Bearer bt");
    xfree(v);
    h.bearer_token = NULL;
    h.basic_auth = &ba;
    CHECK_INT(am_http_auth_header(&h, &v, &e), 0);
    CHECK_STREQ(v, "Basic dXNlcjpwYXNz"); /* user:pass */
    xfree(v);
    ba.password_file = path;
    CHECK_INT(am_http_auth_header(&h, &v, &e), 0);
    CHECK_STREQ(v, "Basic dXNlcjpmcm9tLWZpbGU="); /* user:from-file */
    xfree(v);
    unlink(path);
    CHECK_INT(am_http_auth_header(&h, &v, &e), ERR_IO);
    CHECK(v == NULL);
    CHECK(strstr(e.msg, "secret") != NULL);
    rmdir(dir);
}

static void test_truncate_runes(void)
{
    bool cut;
    char *s = am_truncate_runes(xstrdup("héllo wörld"), 11, &cut);
    CHECK(!cut);
    CHECK_STREQ(s, "héllo wörld");
    s = am_truncate_runes(s, 8, &cut);
    CHECK(cut);
    CHECK_STREQ(s, "héllo...");
    s = am_truncate_runes(s, 2, &cut);
    CHECK(cut);
    CHECK_STREQ(s, "hé");
    xfree(s);
}

static const struct test_case tests[] = {
    TEST(test_template_files), TEST(test_data_fields),    TEST(test_expander_first_error),
    TEST(test_auth_header),    TEST(test_truncate_runes), {0},
};

TEST_MAIN(tests)
