/* SPDX-License-Identifier: Apache-2.0 */
/* Prometheus template functions, with cases and outputs from Prometheus's template_test.go. */
#include <stdint.h>

#include "common/labels.h"
#include "common/template/funcs_prometheus.h"
#include "test/unit/common/template/tmpl_test_util.h"

/* The samples the fake query function returns (set per case group). */
static const char *const *q_pairs; /* name, value, ..., NULL per sample; samples end with NULL */
static const double *q_values;

static int fake_query(void *user, const char *expr, int64_t ts_ms, struct tmpl_value *list,
                      struct err *e)
{
    const char *const *p = q_pairs;
    int i = 0;
    (void)user;
    (void)ts_ms;
    (void)e;
    if (strcmp(expr, "fail") == 0)
        return err_set(e, ERR_INVALID, "query failed");
    if (strcmp(expr, "missing") == 0)
        return 0;
    while (p && *p) {
        struct label items[8];
        size_t n = 0;
        struct labels *ls;
        while (*p && n < 8) {
            items[n].name = p[0];
            items[n].value = p[1];
            n++;
            p += 2;
        }
        p++;
        ls = labels_new(items, n);
        tmpl_list_push(list, tmpl_prom_sample(ls, q_values[i++]));
        labels_free(ls);
    }
    return 0;
}

static struct tmpl_prom_opts opts = {
    .external_url = "http://testhost:9090/path/prefix",
    .now_ms = 0,
    .query = fake_query,
};

static struct tmpl_funcs *prom_funcs(void)
{
    struct tmpl_funcs *f = tmpl_funcs_new();
    tmpl_funcs_add_prometheus(f, &opts);
    return f;
}

static struct tmpl_value *floats(const double *v, int n)
{
    struct tmpl_value *l = tmpl_list();
    int i;
    for (i = 0; i < n; i++)
        tmpl_list_push(l, tmpl_float(v[i]));
    return l;
}

static struct tmpl_value *ints(const int64_t *v, int n)
{
    struct tmpl_value *l = tmpl_list();
    int i;
    for (i = 0; i < n; i++)
        tmpl_list_push(l, tmpl_int(v[i]));
    return l;
}

static void run_with(const struct tmpl_case *c, struct tmpl_value *data)
{
    struct tmpl_funcs *f = prom_funcs();
    tt_run(c, f, data, NULL);
    tmpl_funcs_free(f);
    tmpl_unref(data);
}

static void test_prom_basic(void)
{
    static const char *const pairs[] = {"__name__", "metric", "instance", "b", NULL,
                                        "__name__", "metric", "instance", "a", "__value__",
                                        "a",        NULL,     NULL};
    static const double values[] = {21, 11};
    static const struct tmpl_case cases[] = {
        {"plain", "plain text", "plain text", 0},
        {"simple", "{{ 1 }}", "1", 0},
        {"nbsp", "{{\xc2\xa0}}", "template: nbsp:1: unrecognized character in action: U+00A0", 1},
        {"no html escaping", "{{ \"<b>\" }}", "<b>", 0},
        {"safeHtml", "{{ \"<b>\" | safeHtml }}", "<b>", 0},
        {"args", "{{define \"x\"}}{{.arg0}} {{.arg1}}{{end}}{{template \"x\" (args 1 \"2\")}}",
         "1 2", 0},
        {"query value", "{{ query \"metric\" | first | value }}", "21", 0},
        {"query label", "{{ query \"metric\" | first | label \"instance\" }}", "b", 0},
        {"query missing label", "{{ query \"metric\" | first | label \"foo\" }}", "", 0},
        {"strvalue", "{{ range query \"metric\" }}[{{ strvalue . }}]{{ end }}", "[][a]", 0},
        {"sortByLabel",
         "{{ range query \"metric\" | sortByLabel \"instance\" }}{{.Labels.instance}}:{{.Value}}: "
         "{{end}}",
         "a:11: b:21: ", 0},
        {"query error", "{{ query \"fail\" }}", "error calling query: query failed", 1},
        {"stripPort host", "{{ \"foo.example.com\" | stripPort }}", "foo.example.com", 0},
        {"stripPort host port", "{{ \"foo.example.com:12345\" | stripPort }}", "foo.example.com",
         0},
        {"stripPort ipv4", "{{ \"192.0.2.1\" | stripPort }}", "192.0.2.1", 0},
        {"stripPort ipv4 port", "{{ \"192.0.2.1:12345\" | stripPort }}", "192.0.2.1", 0},
        {"stripPort ipv6", "{{ \"2001:0DB8::1\" | stripPort }}", "2001:0DB8::1", 0},
        {"stripPort ipv6 port", "{{ \"[2001:0DB8::1]:12345\" | stripPort }}", "2001:0DB8::1", 0},
        {"stripPort bad", "{{ \"[2001:0DB8::1]::12345\" | stripPort }}", "[2001:0DB8::1]::12345",
         0},
        {"stripDomain host", "{{ \"foo.example.com\" | stripDomain }}", "foo", 0},
        {"stripDomain host port", "{{ \"foo.example.com:12345\" | stripDomain }}", "foo:12345", 0},
        {"stripDomain ipv4", "{{ \"192.0.2.1\" | stripDomain }}", "192.0.2.1", 0},
        {"stripDomain ipv4 port", "{{ \"192.0.2.1:12345\" | stripDomain }}", "192.0.2.1:12345", 0},
        {"stripDomain ipv6", "{{ \"2001:0DB8::1\" | stripDomain }}", "2001:0DB8::1", 0},
        {"stripDomain ipv6 port", "{{ \"[2001:0DB8::1]:12345\" | stripDomain }}",
         "[2001:0DB8::1]:12345", 0},
        {"stripDomain bad", "{{ \"[2001:0DB8::1]::12345\" | stripDomain }}",
         "[2001:0DB8::1]::12345", 0},
        {"missing", "{{ .Foo }}", "<no value>", 0},
        {"unparsable", "{{", "template: unparsable:1: unclosed action", 1},
        {"first empty", "{{ query \"missing\" | first }}",
         "template: first empty:1:21: executing \"first empty\" at <first>: error calling first: "
         "first() called on vector with no elements",
         1},
        {"chain error context", "{{ (query \"missing\").banana }}",
         "template: chain error context:1:10: executing \"chain error context\" at "
         "<\"missing\">: can't evaluate field banana in type []interface {}",
         1},
        {"sample print", "{{ query \"metric\" | first }}", "&{map[__name__:metric instance:b] 21}",
         0},
        {"sample bad field", "{{ (query \"metric\" | first).Nope }}",
         "can't evaluate field Nope in type *template.sample", 1},
        {"reReplaceAll", "{{ reReplaceAll \"(a)b\" \"x$1\" \"ab\" }}", "xa", 0},
        {"reReplaceAll braces", "{{ reReplaceAll \"(a)(b)\" \"${2}-$1$$\" \"xaby ab\" }}",
         "xb-a$y b-a$", 0},
        {"reReplaceAll empty matches", "{{ reReplaceAll \"x*\" \"-\" \"abc\" }}", "-a-b-c-", 0},
        {"reReplaceAll greedy name", "{{ reReplaceAll \"(a)\" \"$1x\" \"a\" }}", "", 0},
        {"reReplaceAll bad regex", "{{ reReplaceAll \"(\" \"\" \"a\" }}",
         "error calling "
         "reReplaceAll",
         1},
        {"humanizePercentage literal",
         "{{ -0.22222 | humanizePercentage }}:{{ 0.0 | humanizePercentage }}:{{ 0.1234567 | "
         "humanizePercentage }}:{{ 1.23456 | humanizePercentage }}",
         "-22.22%:0%:12.35%:123.5%", 0},
        {"humanizePercentage string",
         "{{ \"-0.22222\" | humanizePercentage }}:{{ \"0.0\" | humanizePercentage }}", "-22.22%:0%",
         0},
        {"humanizePercentage error", "{{ \"one\" | humanizePercentage }}",
         "template: humanizePercentage error:1:11: executing \"humanizePercentage error\" at "
         "<humanizePercentage>: error calling humanizePercentage: strconv.ParseFloat: parsing "
         "\"one\": invalid syntax",
         1},
        {"humanize error", "{{ humanize \"one\" }}",
         "template: humanize error:1:3: executing \"humanize error\" at <humanize \"one\">: error "
         "calling humanize: strconv.ParseFloat: parsing \"one\": invalid syntax",
         1},
        {"humanizeTimestamp float", "{{ 1435065584.128 | humanizeTimestamp }}",
         "2015-06-23 13:19:44.128 +0000 UTC", 0},
        {"humanizeTimestamp string", "{{ \"1435065584.128\" | humanizeTimestamp }}",
         "2015-06-23 13:19:44.128 +0000 UTC", 0},
        {"toTime", "{{ (1435065584.128 | toTime).Format \"2006\" }}", "2015", 0},
        {"toTime string", "{{ (\"1435065584.128\" | toTime).Format \"2006\" }}", "2015", 0},
        {"toTime print", "{{ 1435065584.128 | toTime }}", "2015-06-23 13:19:44.128 +0000 UTC", 0},
        {"toDuration", "{{ 3661.5 | toDuration }}", "1h1m1.5s", 0},
        {"title", "{{ \"aa bb CC\" | title }}", "Aa Bb CC", 0},
        {"toUpper", "{{ \"aa bb CC\" | toUpper }}", "AA BB CC", 0},
        {"toLower", "{{ \"aA bB CC\" | toLower }}", "aa bb cc", 0},
        {"match", "{{ match \"a+\" \"aa\" }} {{ match \"a+\" \"b\" }}", "true false", 0},
        {"match dot newline", "{{ match \"a.b\" \"a\\nb\" }} {{ match \"(?s)a.b\" \"a\\nb\" }}",
         "false true", 0},
        {"graphLink", "{{ graphLink \"up\" }}", "/graph?g0.expr=up&g0.tab=0", 0},
        {"graphLink escape", "{{ graphLink \"rate(x[5m]) > 1\" }}",
         "/graph?g0.expr=rate%28x%5B5m%5D%29+%3E+1&g0.tab=0", 0},
        {"tableLink", "{{ tableLink \"up\" }}", "/graph?g0.expr=up&g0.tab=1", 0},
        {"pathPrefix", "{{ pathPrefix }}", "/path/prefix", 0},
        {"externalURL", "{{ externalURL }}", "http://testhost:9090/path/prefix", 0},
        {"parseDuration", "{{ printf \"%0.2f\" (parseDuration \"1h2m10ms\") }}", "3720.01", 0},
        {"parseDuration bad", "{{ parseDuration \"1x\" }}", "error calling parseDuration", 1},
        {"now", "{{ now }}", "0", 0},
        {"humanize1234567", "{{ humanize 1234567 }}", "1.235M", 0},
        {"humanizeDuration 3661", "{{ humanizeDuration 3661 }}", "1h 1m 1s", 0},
        {"humanizePercentage 0.1234", "{{ humanizePercentage 0.1234 }}", "12.34%", 0},
        {NULL, NULL, NULL, 0},
    };
    q_pairs = pairs;
    q_values = values;
    run_with(cases, tmpl_null());
}

static void test_prom_humanize_lists(void)
{
    static const double f1[] = {0.0, 1.0, 1234567.0, .12};
    static const int64_t i1[] = {0, -1, 1, 1234567, INT64_MAX};
    static const double f2[] = {0.0, 1.0, 1048576.0, .12};
    static const double d1[] = {
        0, 1, 60, 3600, 86400, 86400 + 3600, -(86400 * 2 + 3600 * 3 + 60 * 4 + 5), 899.99};
    static const double d2[] = {.1, .0001, .12345, 60.1, 60.5, 1.2345, 12.345};
    static const int64_t d3[] = {0, -1, 1, 1234567};
    static const int64_t t1[] = {0, -1, 1, 1234567, 9223372036};
    static const double inf[] = {HUGE_VAL, -HUGE_VAL, NAN};
    static const int64_t pct[] = {0, -1, 1, 1234567, INT64_MAX};
    static const int64_t bad_ts[] = {INT64_MIN, INT64_MAX};
    struct {
        struct tmpl_value *data;
        struct tmpl_case c[2];
    } groups[] = {
        {floats(f1, 4),
         {{"humanize float", "{{ range . }}{{ humanize . }}:{{ end }}", "0:1:1.235M:120m:", 0}}},
        {ints(i1, 5),
         {{"humanize int", "{{ range . }}{{ humanize . }}:{{ end }}", "0:-1:1:1.235M:9.223E:", 0}}},
        {floats(f2, 4),
         {{"humanize1024 float", "{{ range . }}{{ humanize1024 . }}:{{ end }}",
           "0:1:1Mi:0.12:", 0}}},
        {ints(i1, 5),
         {{"humanize1024 int", "{{ range . }}{{ humanize1024 . }}:{{ end }}",
           "0:-1:1:1.177Mi:8Ei:", 0}}},
        {floats(d1, 8),
         {{"humanizeDuration", "{{ range . }}{{ humanizeDuration . }}:{{ end }}",
           "0s:1s:1m 0s:1h 0m 0s:1d 0h 0m 0s:1d 1h 0m 0s:-2d 3h 4m 5s:14m 59s:", 0}}},
        {floats(d2, 7),
         {{"humanizeDuration frac", "{{ range . }}{{ humanizeDuration . }}:{{ end }}",
           "100ms:100us:123.5ms:1m 0s:1m 0s:1.234s:12.35s:", 0}}},
        {ints(d3, 4),
         {{"humanizeDuration int", "{{ range . }}{{ humanizeDuration . }}:{{ end }}",
           "0s:-1s:1s:14d 6h 56m 7s:", 0}}},
        {ints(t1, 5),
         {{"humanizeTimestamp int", "{{ range . }}{{ humanizeTimestamp . }}:{{ end }}",
           "1970-01-01 00:00:00 +0000 UTC:1969-12-31 23:59:59 +0000 UTC:1970-01-01 00:00:01 +0000 "
           "UTC:1970-01-15 06:56:07 +0000 UTC:2262-04-11 23:47:16 +0000 UTC:",
           0}}},
        {floats(inf, 3),
         {{"inf nan",
           "{{ range . }}{{ humanize . }}:{{ humanize1024 . }}:{{ humanizeDuration . }}:{{"
           "humanizeTimestamp .}}:{{ end }}",
           "+Inf:+Inf:+Inf:+Inf:-Inf:-Inf:-Inf:-Inf:NaN:NaN:NaN:NaN:", 0}}},
        {ints(pct, 5),
         {{"humanizePercentage int", "{{ range . }}{{ humanizePercentage . }}:{{ end }}",
           "0%:-100%:100%:1.235e+08%:9.223e+20%:", 0}}},
        {ints(bad_ts, 2),
         {{"humanizeTimestamp overflow", "{{ range . }}{{ humanizeTimestamp . }}:{{ end }}",
           "template: humanizeTimestamp overflow:1:16: executing \"humanizeTimestamp overflow\" at "
           "<humanizeTimestamp .>: error calling humanizeTimestamp: -9.223372036854776e+18 cannot "
           "be represented as a nanoseconds timestamp since it overflows int64",
           1}}},
    };
    size_t i;
    for (i = 0; i < sizeof(groups) / sizeof(groups[0]); i++)
        run_with(groups[i].c, groups[i].data);
}

static void test_prom_strings_humanize(void)
{
    static const char *const s1[] = {"0.0", "1.0", "1234567.0", ".12"};
    static const char *const s2[] = {"+Inf", "-Inf", "NaN"};
    static const struct tmpl_case c1[] = {
        {"humanize string", "{{ range . }}{{ humanize . }}:{{ end }}", "0:1:1.235M:120m:", 0},
        {NULL, NULL, NULL, 0}};
    static const struct tmpl_case c2[] = {
        {"inf strings", "{{ range . }}{{ humanize . }}:{{ humanizeDuration . }}:{{ end }}",
         "+Inf:+Inf:-Inf:-Inf:NaN:NaN:", 0},
        {NULL, NULL, NULL, 0}};
    run_with(c1, tt_str_list(s1, 4));
    run_with(c2, tt_str_list(s2, 3));
}

static void test_prom_alert_expand(void)
{
    struct label l[] = {{"alertname", "HighLoad"}, {"instance", "host:9100"}};
    struct label ext[] = {{"cluster", "eu1"}};
    struct labels *ls = labels_new(l, 2), *es = labels_new(ext, 1);
    struct tmpl_value *d = tmpl_prom_alert_data(ls, es, "http://prom.example:9090", 0.123456);
    struct tmpl_funcs *f = prom_funcs();
    struct buf out;
    struct err e;
    buf_init(&out, 0);
    CHECK_INT(tmpl_prom_expand_alert(f, "__alert_HighLoad",
                                     "{{ $labels.instance }} in {{ $externalLabels.cluster }} at "
                                     "{{ $value | humanizePercentage }} [{{ $labels.nope }}] "
                                     "{{ $externalURL }}",
                                     d, &out, &e),
              0);
    CHECK_STREQ(buf_str(&out), "host:9100 in eu1 at 12.35% [] http://prom.example:9090");
    buf_reset(&out);
    CHECK(tmpl_prom_expand_alert(f, "__alert_HighLoad", "{{ if gt $value 1 }}x{{ end }}", d, &out,
                                 &e) != 0);
    CHECK_STREQ(buf_str(&out),
                "<error expanding template: error executing template __alert_HighLoad: template: "
                "__alert_HighLoad:1:118: executing \"__alert_HighLoad\" at <gt $value 1>: error "
                "calling gt: incompatible types for comparison>");
    buf_reset(&out);
    /* the data is Go's anonymous struct: unknown fields fail, printing shows the fields */
    CHECK(tmpl_prom_expand_alert(f, "__alert_A", "[{{ $labels.nope }}] [{{ .Foo }}]", d, &out,
                                 &e) != 0);
    CHECK_STREQ(buf_str(&out),
                "<error expanding template: error executing template __alert_A: template: "
                "__alert_A:1:137: executing \"__alert_A\" at <.Foo>: can't evaluate field Foo in "
                "type struct { Labels map[string]string; ExternalLabels map[string]string; "
                "ExternalURL string; Value float64 }>");
    buf_reset(&out);
    CHECK_INT(
        tmpl_prom_expand_alert(f, "__alert_A", "{{ . }} {{ printf \"%T\" $value }}", d, &out, &e),
        0);
    CHECK_STREQ(buf_str(&out), "{map[alertname:HighLoad instance:host:9100] map[cluster:eu1] "
                               "http://prom.example:9090 0.123456} float64");
    buf_reset(&out);
    CHECK(tmpl_prom_expand_alert(f, "__alert_X", "{{ nope }}", d, &out, &e) == ERR_PARSE);
    CHECK_STREQ(buf_str(&out), "<error expanding template: error parsing template __alert_X: "
                               "template: __alert_X:1: function \"nope\" not defined>");
    buf_fini(&out);
    tmpl_funcs_free(f);
    tmpl_unref(d);
    labels_free(ls);
    labels_free(es);
}

/* Output checked against promtool 2.42 (`promtool test rules` prints expanded annotations). */
static void test_prom_matches_promtool(void)
{
    struct label l[] = {{"__name__", "up"}, {"job", "node exporter"}};
    struct labels *ls = labels_new(l, 2);
    struct tmpl_value *d = tmpl_prom_alert_data(ls, NULL, "", 0);
    struct tmpl_funcs *f = prom_funcs();
    struct buf out;
    struct err e;
    buf_init(&out, 0);
    CHECK_INT(
        tmpl_prom_expand_alert(
            f, "__alert_A",
            "[{{ $labels.nope }}] {{ $value }} {{ humanize 1234567 }} {{ printf \"%v\" 1e6 }} "
            "{{ 1e6 }} {{ $labels.job | title }} {{ . }} {{ printf \"%T\" $value }} "
            "{{ $externalURL }} {{ 0.1 | humanizeDuration }} {{ humanizeTimestamp 1.7e9 }} "
            "{{ \"a.b:1\" | stripPort }} {{ $labels }}",
            d, &out, &e),
        0);
    CHECK_STREQ(buf_str(&out), "[] 0 1.235M 1e+06 1e+06 Node Exporter {map[__name__:up job:node "
                               "exporter] map[]  0} float64  100ms 2023-11-14 22:13:20 +0000 UTC "
                               "a.b map[__name__:up job:node exporter]");
    buf_reset(&out);
    CHECK_INT(tmpl_prom_expand_alert(f, "__alert_A", "x{{ $labels.nope }}y", d, &out, &e), 0);
    CHECK_STREQ(buf_str(&out), "xy");
    buf_fini(&out);
    tmpl_funcs_free(f);
    tmpl_unref(d);
    labels_free(ls);
}

static const struct test_case tests[] = {
    TEST(test_prom_matches_promtool), TEST(test_prom_basic),        TEST(test_prom_humanize_lists),
    TEST(test_prom_strings_humanize), TEST(test_prom_alert_expand), {0},
};

TEST_MAIN(tests)
