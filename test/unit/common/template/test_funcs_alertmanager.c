/* SPDX-License-Identifier: Apache-2.0 */
/* Alertmanager template functions and data types; renders Alertmanager's default.tmpl (from
 * $TOCSIN_SHARED) against sample notification data. */
#include <stdint.h>
#include <stdlib.h>

#include "common/labels.h"
#include "common/template/funcs_alertmanager.h"
#include "test/unit/common/template/tmpl_test_util.h"

static const struct tmpl_am_opts am_opts = {.now_ms = INT64_C(1700000060000)};

static struct tmpl_funcs *am_funcs(void)
{
    struct tmpl_funcs *f = tmpl_funcs_new();
    tmpl_funcs_add_alertmanager(f, &am_opts);
    return f;
}

static struct tmpl_value *kv(const char *const *pairs)
{
    struct label items[16];
    size_t n = 0;
    struct labels *ls;
    struct tmpl_value *v;
    while (pairs[2 * n] && n < 16) {
        items[n].name = pairs[2 * n];
        items[n].value = pairs[2 * n + 1];
        n++;
    }
    ls = labels_new(items, n);
    v = tmpl_am_kv(ls);
    labels_free(ls);
    return v;
}

static struct tmpl_value *alert(const char *status, const char *const *labels,
                                const char *const *annotations, int64_t starts_s)
{
    return tmpl_am_alert(status, kv(labels), kv(annotations),
                         tmpl_time(starts_s * 1000000000, 0, "UTC"), NULL,
                         "http://prom.example:9090/graph?g0.expr=up", "1234abcd");
}

/* Notification data like Alertmanager's template.Data for two firing alerts and one resolved
 * (the same data as the JSON given to amtool for the expected outputs below). */
static struct tmpl_value *am_data(void)
{
    static const char *const l1[] = {"alertname", "HighLoad", "job",    "node", "severity",
                                     "critical",  "instance", "a:9100", NULL};
    static const char *const l2[] = {"alertname", "HighLoad", "job",    "node", "severity",
                                     "critical",  "instance", "b:9100", NULL};
    static const char *const l3[] = {"alertname", "HighLoad", "job",    "node", "severity",
                                     "critical",  "instance", "c:9100", NULL};
    static const char *const ann[] = {"summary", "Load is high", NULL};
    static const char *const group[] = {"alertname", "HighLoad", NULL};
    static const char *const common[] = {"alertname", "HighLoad", "job", "node",
                                         "severity",  "critical", NULL};
    struct tmpl_value *alerts = tmpl_list();
    tmpl_list_push(alerts, alert("firing", l1, ann, 1700000000));
    tmpl_list_push(alerts, alert("firing", l2, ann, 1700000030));
    tmpl_list_push(alerts, alert("resolved", l3, ann, 1699990000));
    return tmpl_am_data("team-X", "firing", tmpl_am_alerts(alerts), kv(group), kv(common), kv(ann),
                        "http://am.example:9093");
}

/* Extra values for the tz cases. */
static struct tmpl_value *tz_data(void)
{
    struct tmpl_value *d = tmpl_map(TMPL_NULL);
    /* 2023-07-01 12:00:00 UTC and 2100-07-01 12:00:00 UTC */
    tmpl_map_set(d, "Summer", tmpl_time(INT64_C(1688212800) * 1000000000, 0, "UTC"));
    tmpl_map_set(d, "Future", tmpl_time(INT64_C(4118126400) * 1000000000, 0, "UTC"));
    tmpl_map_set(d, "Start", tmpl_time(INT64_C(1700000000) * 1000000000, 0, "UTC"));
    return d;
}

static void test_am_functions(void)
{
    static const struct tmpl_case cases[] = {
        {"toUpper", "{{ \"firing\" | toUpper }}", "FIRING", 0},
        {"toLower", "{{ \"FiRing\" | toLower }}", "firing", 0},
        {"title", "{{ \"hELLO wORLD foo-bar\" | title }}", "Hello World Foo-Bar", 0},
        {"trimSpace", "[{{ \"  \\t x y \\n\" | trimSpace }}]", "[x y]", 0},
        {"join", "{{ stringSlice \"a\" \"b\" \"c\" | join \", \" }}", "a, b, c", 0},
        {"join type", "{{ join \",\" .Alerts }}", "expected []string", 1},
        {"match", "{{ match \"^fir\" .Status }} {{ match \"x\" .Status }}", "true false", 0},
        {"safeHtml safeUrl", "{{ safeHtml \"<b>\" }}{{ safeUrl \"http://x\" }}", "<b>http://x", 0},
        {"urlUnescape", "{{ urlUnescape \"a%20b+c%2F\" }}", "a b c/", 0},
        {"urlUnescape bad", "{{ urlUnescape \"a%zz\" }}", "invalid URL escape \"%zz\"", 1},
        {"reReplaceAll", "{{ reReplaceAll \"(.*):.*\" \"$1\" \"host:9100\" }}", "host", 0},
        {"stringSlice", "{{ stringSlice \"x\" \"y\" }}", "[x y]", 0},
        {"date", "{{ (index .Alerts 0).StartsAt | date \"2006-01-02 15:04:05 MST\" }}",
         "2023-11-14 22:13:20 UTC", 0},
        {"tz utc", "{{ (index .Alerts 0).StartsAt | tz \"UTC\" | date \"15:04\" }}", "22:13", 0},
        {"tz unknown", "{{ (index .Alerts 0).StartsAt | tz \"Mars/Base\" }}",
         "unknown time zone Mars/Base", 1},
        {"since", "{{ (index .Alerts 0).StartsAt | since }}", "1m0s", 0},
        {"humanizeDuration", "{{ humanizeDuration 3661 }}", "1h 1m 1s", 0},
        {"toJson", "{{ toJson .CommonLabels }}",
         "{\"alertname\":\"HighLoad\",\"job\":\"node\",\"severity\":\"critical\"}", 0},
        {"toJson values",
         "{{ toJson (stringSlice \"<a&b>\") }} {{ toJson 1.5 }} {{ toJson 1e21 }} {{ toJson 1e-7 "
         "}} "
         "{{ toJson nil }} {{ toJson true }}",
         "[\"\\u003ca\\u0026b\\u003e\"] 1.5 1e+21 1e-7 null true", 0},
        {"toJson time", "{{ toJson (index .Alerts 0).StartsAt }}", "\"2023-11-14T22:13:20Z\"", 0},
        {"kv print", "{{ .CommonLabels }}", "map[alertname:HighLoad job:node severity:critical]",
         0},
        {"kv String", "{{ .CommonLabels.String }}",
         "alertname=HighLoad, job=node, severity=critical", 0},
        {"kv key", "{{ .CommonLabels.job }} [{{ .CommonLabels.nope }}]", "node []", 0},
        {"kv names", "{{ .CommonLabels.Names }}", "[alertname job severity]", 0},
        {"kv remove", "{{ (.CommonLabels.Remove (stringSlice \"job\")).Values }}",
         "[HighLoad critical]", 0},
        {"sorted pairs", "{{ range .CommonLabels.SortedPairs }}{{ .Name }}={{ .Value }};{{ end }}",
         "alertname=HighLoad;job=node;severity=critical;", 0},
        {"pairs print", "{{ .GroupLabels.SortedPairs }}", "[{alertname HighLoad}]", 0},
        {"alert struct print", "{{ .Alerts.Resolved }}",
         "[{resolved map[alertname:HighLoad instance:c:9100 job:node severity:critical] "
         "map[summary:Load is high] 2023-11-14 19:26:40 +0000 UTC 0001-01-01 00:00:00 +0000 UTC "
         "http://prom.example:9090/graph?g0.expr=up 1234abcd}]",
         0},
        {"unknown field", "{{ .Nope }}", "can't evaluate field Nope in type *template.Data", 1},
        {"data print", "{{ slice (print .) 0 15 }}", "&{team-X firing", 0},
        {"amtool line 1",
         "{{ .CommonLabels }}|{{ .CommonLabels.SortedPairs }}|{{ .CommonLabels.Names }}|{{ title "
         "\"hELLO wORLD foo-bar o'neil x_y 3rd\" }}|{{ (index .Alerts 0).StartsAt }}|{{ "
         ".Alerts.Firing | len }}|{{ stringSlice \"a\" \"b\" | join \",\" }}|{{ reReplaceAll "
         "\"(.*):.*\" \"$1\" \"h:1\" }}|{{ match \"^h\" \"hx\" }}|{{ .GroupLabels.nope }}|{{ "
         "(.CommonLabels.Remove .GroupLabels.Names).Values }}|{{ len .CommonLabels }}|{{ printf "
         "\"%v\" .GroupLabels }}",
         "map[alertname:HighLoad job:node severity:critical]|[{alertname HighLoad} {job node} "
         "{severity critical}]|[alertname job severity]|Hello World Foo-Bar O'neil X_y "
         "3Rd|2023-11-14 22:13:20 +0000 UTC|2|a,b|h|true||[node "
         "critical]|3|map[alertname:HighLoad]",
         0},
        {"amtool line 2",
         "{{ title \"a3b x.y \xc3\xa9\x61 a1 ab12cd \xc3\xbcn\xc3\xaf w\xc3\xb6rd a-b_c d.e f/g "
         "h:i "
         "\xc3\x80\x42 1a2b x2 X\" }}|{{ toUpper \"stra\xc3\x9f\x65 \xc3\xa9\x61\" }}|{{ toLower "
         "\"\xc3\x80\xc3\x89\" }}|{{ (index .Alerts 0).EndsAt }}|{{ (index .Alerts "
         "0).Labels.SortedPairs.Names }}|{{ printf \"%v\" (index .Alerts 0).Labels.SortedPairs }}",
         "A3b X.y \xc3\x89\x61 A1 Ab12cd \xc3\x9cn\xc3\xaf W\xc3\xb6rd A-B_c D.e F/G H:i "
         "\xc3\x80\x62 1A2b X2 X|STRA\xc3\x9f\x45 \xc3\x89\x41|\xc3\xa0\xc3\xa9|0001-01-01 "
         "00:00:00 +0000 UTC|[alertname instance job severity]|[{alertname HighLoad} {instance "
         "a:9100} {job node} {severity critical}]",
         0},
        {"alerts firing", "{{ len .Alerts }} {{ .Alerts.Firing | len }} {{ len .Alerts.Resolved }}",
         "3 2 1", 0},
        {"range alerts", "{{ range .Alerts.Firing }}{{ .Labels.instance }} {{ end }}",
         "a:9100 b:9100 ", 0},
        {"method arity", "{{ .CommonLabels.Remove }}",
         "wrong number of args for Remove: want 1 got 0", 1},
        {NULL, NULL, NULL, 0},
    };
    struct tmpl_funcs *f = am_funcs();
    struct tmpl_value *d = am_data();
    struct tmpl_exec_opts o = {.missingkey = TMPL_MISSINGKEY_ZERO};
    tt_run(cases, f, d, &o);
    tmpl_unref(d);
    tmpl_funcs_free(f);
}

static void test_am_tz(void)
{
    static const struct tmpl_case cases[] = {
        {"tz berlin winter",
         "{{ .Start | tz \"Europe/Berlin\" | date \"2006-01-02 15:04 MST "
         "-0700\" }}",
         "2023-11-14 23:13 CET +0100", 0},
        {"tz berlin summer", "{{ .Summer | tz \"Europe/Berlin\" }}",
         "2023-07-01 14:00:00 +0200 CEST", 0},
        {"tz new york", "{{ .Summer | tz \"America/New_York\" | date \"15:04 MST\" }}", "08:00 EDT",
         0},
        {"tz far future rule", "{{ .Future | tz \"Europe/Berlin\" | date \"15:04 MST\" }}",
         "14:00 CEST", 0},
        {"tz kolkata", "{{ .Summer | tz \"Asia/Kolkata\" | date \"15:04 -07:00\" }}",
         "17:30 +05:30", 0},
        {"tz bad name", "{{ .Summer | tz \"../etc/passwd\" }}", "unknown time zone ../etc/passwd",
         1},
        {NULL, NULL, NULL, 0},
    };
    struct tmpl_funcs *f;
    struct tmpl_value *d;
    FILE *fp = fopen("/usr/share/zoneinfo/Europe/Berlin", "rb");
    if (!fp) {
        printf("skip test_am_tz: /usr/share/zoneinfo not installed\n");
        exit(0);
    }
    fclose(fp);
    f = am_funcs();
    d = tz_data();
    tt_run(cases, f, d, NULL);
    tmpl_unref(d);
    tmpl_funcs_free(f);
}

static char *read_file(const char *path, size_t *n)
{
    FILE *fp = fopen(path, "rb");
    char *s;
    long sz;
    if (!fp)
        return NULL;
    fseek(fp, 0, SEEK_END);
    sz = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    s = malloc((size_t)sz + 1);
    if (s && fread(s, 1, (size_t)sz, fp) != (size_t)sz) {
        free(s);
        s = NULL;
    }
    fclose(fp);
    if (s) {
        s[sz] = '\0';
        *n = (size_t)sz;
    }
    return s;
}

static void exec_check(struct tmpl_set *s, const char *name, struct tmpl_value *d, const char *want)
{
    struct buf out;
    struct err e;
    struct tmpl_exec_opts o = {.missingkey = TMPL_MISSINGKEY_ZERO};
    buf_init(&out, 0);
    if (tmpl_set_execute(s, name, d, &o, &out, &e) != 0)
        test_fail(__FILE__, __LINE__, "%s: %s", name, e.msg);
    if (strstr(buf_str(&out), want) == NULL)
        test_fail(__FILE__, __LINE__, "%s: output \"%s\" lacks \"%s\"", name, buf_str(&out), want);
    buf_fini(&out);
}

static void test_am_default_tmpl(void)
{
    const char *shared = getenv("TOCSIN_SHARED");
    char path[1024];
    char *text;
    size_t n = 0;
    struct tmpl_funcs *f;
    struct tmpl_set *s, *child;
    struct tmpl_value *d;
    struct err e;
    snprintf(path, sizeof(path), "%s/conformance/alertmanager/template/default.tmpl",
             shared ? shared : "../shared");
    text = read_file(path, &n);
    if (!text) {
        printf("skip test_am_default_tmpl: ../shared not found\n");
        exit(0);
    }
    f = am_funcs();
    s = tmpl_set_new(f);
    d = am_data();
    if (tmpl_set_parse(s, "default.tmpl", text, n, &e) != 0)
        test_fail(__FILE__, __LINE__, "parse: %s", e.msg);
    CHECK(tmpl_set_defined(s, "slack.default.title"));
    CHECK(tmpl_set_defined(s, "pagerduty.default.instances"));
    exec_check(s, "slack.default.title", d, "[FIRING:2] HighLoad (node critical)");
    exec_check(s, "slack.default.username", d, "Alertmanager");
    exec_check(s, "slack.default.titlelink", d, "http://am.example:9093/#/alerts?receiver=team-X");
    exec_check(s, "slack.default.fallback", d,
               "[FIRING:2] HighLoad (node critical) | http://am.example:9093/#/alerts?receiver=");
    exec_check(s, "opsgenie.default.description", d,
               "Labels:\n - alertname = HighLoad\n - instance = a:9100\n - job = node\n"
               " - severity = critical\nAnnotations:\n - summary = Load is high\n"
               "Source: http://prom.example:9090/graph?g0.expr=up\n");
    exec_check(s, "opsgenie.default.description", d, "Load is high\nAlerts Firing:\nLabels:\n");
    exec_check(s, "opsgenie.default.description", d, "Alerts Resolved:\nLabels:\n");
    exec_check(s, "wechat.default.message", d,
               "AlertmanagerUrl:\nhttp://am.example:9093/#/alerts?receiver=team-X");
    exec_check(s, "telegram.default.message", d, " - instance = c:9100\n");
    /* Alertmanager's ExecuteTextString: a string parsed over the loaded templates */
    child = tmpl_set_new_child(s);
    CHECK_INT(tmpl_set_parse(child, "", "{{ template \"email.like.subject\" . }}", (size_t)-1, &e),
              0);
    {
        struct buf out;
        buf_init(&out, 0);
        CHECK(tmpl_set_execute(child, "", d, NULL, &out, &e) == ERR_INVALID);
        CHECK(strstr(e.msg, "template \"email.like.subject\" not defined") != NULL);
        buf_fini(&out);
    }
    tmpl_set_free(child);
    child = tmpl_set_new_child(s);
    CHECK_INT(tmpl_set_parse(child, "",
                             "{{ define \"email.like.html\" }}<h1>{{ template \"__subject\" . }}"
                             "</h1>{{ range .Alerts.Firing }}<li>{{ .Labels.instance }}: {{ "
                             ".Annotations.summary }} since {{ .StartsAt.Format \"15:04\" }}</li>"
                             "{{ end }}{{ end }}{{ template \"email.like.html\" . }}",
                             (size_t)-1, &e),
              0);
    exec_check(child, "", d,
               "<h1>[FIRING:2] HighLoad (node critical)</h1><li>a:9100: Load is high since "
               "22:13</li><li>b:9100: Load is high since 22:13</li>");
    tmpl_set_free(child);
    CHECK(!tmpl_set_defined(s, "email.like.html"));
    tmpl_set_free(s);
    tmpl_unref(d);
    tmpl_funcs_free(f);
    free(text);
}

static void test_am_system_email_tmpl(void)
{
    const char *shared = getenv("TOCSIN_SHARED");
    char path[1024];
    char *def, *email;
    size_t n1 = 0, n2 = 0;
    struct tmpl_funcs *f;
    struct tmpl_set *s;
    struct tmpl_value *d;
    struct err e;
    snprintf(path, sizeof(path), "%s/conformance/alertmanager/template/default.tmpl",
             shared ? shared : "../shared");
    def = read_file(path, &n1);
    email = read_file("/usr/share/prometheus/alertmanager/email.tmpl", &n2);
    if (!def || !email) {
        printf("skip test_am_system_email_tmpl: default.tmpl or the packaged email.tmpl not "
               "found\n");
        free(def);
        free(email);
        exit(0);
    }
    f = am_funcs();
    s = tmpl_set_new(f);
    d = am_data();
    CHECK_INT(tmpl_set_parse(s, "default.tmpl", def, n1, &e), 0);
    if (tmpl_set_parse(s, "email.tmpl", email, n2, &e) != 0)
        test_fail(__FILE__, __LINE__, "parse: %s", e.msg);
    exec_check(s, "email.default.subject", d, "[FIRING:2] HighLoad (node critical)");
    exec_check(s, "email.default.html", d, "http://am.example:9093/#/alerts?receiver=team-X");
    exec_check(s, "email.default.html", d, "a:9100");
    {
        /* HTML mode (html/template): byte-identical to amtool 0.25 for this data; check the
         * escaped and comment-stripped parts */
        struct buf out;
        struct tmpl_exec_opts o = {.missingkey = TMPL_MISSINGKEY_ZERO, .html = true};
        buf_init(&out, 0);
        CHECK_INT(tmpl_set_execute(s, "email.default.html", d, &o, &out, &e), 0);
        CHECK(strstr(buf_str(&out), "<!--") == NULL);
        CHECK(strstr(buf_str(&out), "<title>[FIRING:2] HighLoad (node critical)</title>") != NULL);
        CHECK(strstr(buf_str(&out), "href=\"http://am.example:9093/#/alerts?receiver=team-X\"") !=
              NULL);
        CHECK(strstr(buf_str(&out), "[2] Firing") != NULL);
        buf_fini(&out);
    }
    tmpl_set_free(s);
    tmpl_unref(d);
    tmpl_funcs_free(f);
    free(def);
    free(email);
}

/* HTML mode against Go's html/template: expected output from amtool 0.25 (--template.type=html)
 * for the same data. */
static void test_am_html_mode(void)
{
    static const char probe[] =
        "<p title=\"{{ .Receiver }}\">{{ \"<b>&'\\\"+\" }} {{ safeHtml \"<i>x</i>\" }}</p><a "
        "href=\"{{ .ExternalURL }}/x?a={{ \"a b&c\" }}&b={{ \"x y\" | urlquery }}#{{ \"f g\" "
        "}}\">l</a><a href=\"{{ \"javascript:alert(1)\" }}\">j</a><a href=\"/p/{{ \"a b/c'(\" "
        "}}\">p</a><!-- comment {{ \"x\" }} --><title>{{ \"<t>\" }}</title><img src='{{ "
        "\"http://h/a b\" }}'>{{ print \"a\" \"<\" }}{{ \"x\" | html }}{{ html \"<\" }}{{ urlquery "
        "\"a b\" }}<script>var x = {{ \"s\\\"\" }};</script><style>p { color: {{ \"red\" }} "
        "}</style>{{ .Nope }}";
    static const char want[] =
        "<p title=\"team-X\">&lt;b&gt;&amp;&#39;&#34;&#43; <i>x</i></p><a "
        "href=\"http://am.example:9093/x?a=a%20b%26c&b=x&#43;y#f%20g\">l</a><a "
        "href=\"#ZgotmplZ\">j</a><a href=\"/p/a%20b/c%27%28\">p</a><title>&lt;t&gt;</title><img "
        "src='http://h/a%20b'>a&lt;x&lt;a&#43;b<script>var x = \"s\\\"\";</script><style>p { "
        "color: red }</style>";
    struct tmpl_funcs *f = am_funcs();
    struct tmpl_value *d = am_data();
    struct tmpl_set *s = tmpl_set_new(f);
    struct tmpl_exec_opts o = {.missingkey = TMPL_MISSINGKEY_ZERO, .html = true};
    struct buf out;
    struct err e;
    buf_init(&out, 0);
    CHECK_INT(tmpl_set_parse(s, "probe", probe, (size_t)-1, &e), 0);
    /* .Nope on *template.Data fails in Go too; everything before it must match */
    CHECK_INT(tmpl_set_execute(s, "probe", d, &o, &out, &e), ERR_INVALID);
    CHECK_STREQ(buf_str(&out), want);
    buf_fini(&out);
    buf_init(&out, 0);
    CHECK_INT(tmpl_set_parse(s, "probe2", probe, sizeof(probe) - 1 - strlen("{{ .Nope }}"), &e), 0);
    CHECK_INT(tmpl_set_execute(s, "probe2", d, &o, &out, &e), 0);
    CHECK_STREQ(buf_str(&out), want);
    buf_fini(&out);
    tmpl_set_free(s);
    tmpl_unref(d);
    tmpl_funcs_free(f);
}

static const struct test_case tests[] = {
    TEST(test_am_html_mode),    TEST(test_am_functions),         TEST(test_am_tz),
    TEST(test_am_default_tmpl), TEST(test_am_system_email_tmpl), {0},
};

TEST_MAIN(tests)
