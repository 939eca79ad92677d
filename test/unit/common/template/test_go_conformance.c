/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Go conformance: each template below was expanded by promtool 2.42 (Prometheus's alert
 * annotation expansion, Go 1.19 text/template) against the alert {__name__="up",
 * job="node exporter"} with $value 0 and no external URL; the expected strings are its output,
 * errors included. Deliberate differences (range over an int, else-with, the recursion limit)
 * are tested in test_exec.c instead.
 */
#include "common/labels.h"
#include "common/template/funcs_prometheus.h"
#include "test/unit/common/template/tmpl_test_util.h"

static const struct {
    const char *text, *want;
} go_cases[] = {
    {"{{ printf \"%d %s %v %q %x %X %o %b %c\" 42 \"s\" 1.5 \"q\" 255 255 8 5 65 }}",
     "42 s 1.5 \"q\" ff FF 10 101 A"},
    {"{{ printf \"%f %.2f %e %g %5.1f|%-8.3f|\" 3.14159 3.14159 1234.5 0.00001 2.25 1.0 }}",
     "3.141590 3.14 1.234500e+03 1e-05   2.2|1.000   |"},
    {"{{ printf \"[%5s][%-5s][%05d][%+d][% d][%x]\" \"ab\" \"ab\" 42 5 5 \"hi\" }}",
     "[   ab][ab   ][00042][+5][ 5][6869]"},
    {"{{ printf \"%t %v %%\" true false }}", "true false %"},
    {"{{ printf \"%d\" \"x\" }}|{{ printf \"%d %d\" 1 }}|{{ printf \"%d\" 1 2 }}",
     "%!d(string=x)|1 %!d(MISSING)|1%!(EXTRA int=2)"},
    {"{{ printf \"%v %v %v %v\" 1e6 100000.0 1e21 3.0 }}", "1e+06 100000 1e+21 3"},
    {"{{ printf \"%*d|%-*d|%.*f\" 4 1 3 2 1 3.14159 }}", "   1|2  |3.1"},
    {"{{ printf \"%08.3f|%+.1e|%x|%X|% x\" -3.14159 12345.678 \"h\303\251llo\" 3735928559 \"ab\" "
     "}}",
     "-003.142|+1.2e+04|68c3a96c6c6f|DEADBEEF|61 62"},
    {"{{ printf \"%q %v %s\" 'x' 'x' \"\303\251\" }}", "'x' 120 \303\251"},
    {"{{ printf \"%6.2f%%\" 12.3456 }} {{ printf \"%-6d|\" -42 }} {{ printf \"%+06d\" 42 }}",
     " 12.35% -42   | +00042"},
    {"{{ printf \"%.3s|%5.1s|%q\" \"abcdef\" \"xyz\" \"a\\tb\\x00\" }}",
     "abc|    x|\"a\\tb\\x00\""},
    {"{{ printf \"%v\" 0.000001 }} {{ 0.00001 }} {{ 123456789.0 }} {{ 1.0e-10 }} {{ -0.0 }} {{ "
     "100000000000000000000.0 }}",
     "1e-06 1e-05 1.23456789e+08 1e-10 -0 1e+20"},
    {"{{ print 1 2 \"a\" \"b\" 3 }}|{{ print nil }}|{{ println 1 \"a\" }}|",
     "1 2ab3|<nil>|1 a\012|"},
    {"{{ 0x1F }} {{ 0o17 }} {{ 010 }} {{ 0b101 }} {{ 1_000 }} {{ 'a' }} {{ '\\n' }} {{ 1.5e3 }}",
     "31 15 8 5 1000 97 10 1500"},
    {"{{ and 1 2 }} {{ and 0 2 }} {{ or 0 \"\" }} {{ or 1 2 }} {{ not 0 }} {{ not \"x\" }}",
     "2 0  1 true false"},
    {"{{ eq 1 1 }} {{ eq 1 2 3 1 }} {{ ne \"a\" \"b\" }} {{ lt 1.5 2.5 }} {{ le 2 2 }} {{ gt \"b\" "
     "\"a\" }} {{ ge 1 2 }}",
     "true true true true true true false"},
    {"{{ eq 1 1.0 }}",
     "<error expanding template: error executing template __alert_A: template: __alert_A:1:115: "
     "executing \"__alert_A\" at <eq 1 1.0>: error calling eq: incompatible types for comparison>"},
    {"{{ lt true false }}",
     "<error expanding template: error executing template __alert_A: template: __alert_A:1:115: "
     "executing \"__alert_A\" at <lt true false>: error calling lt: invalid type for comparison>"},
    {"{{ eq $value 0.0 }} {{ gt $value -1.0 }}", "true true"},
    {"{{ gt $value 1 }}", "<error expanding template: error executing template __alert_A: "
                          "template: __alert_A:1:115: executing \"__alert_A\" at <gt $value 1>: "
                          "error calling gt: incompatible types for comparison>"},
    {"{{ len \"h\303\251llo\" }} {{ index \"abc\" 1 }} {{ slice \"abcdef\" 1 3 }} {{ slice \"abc\" "
     "1 }}",
     "6 98 bc bc"},
    {"{{ index $labels \"job\" }}|{{ index $labels \"nope\" }}|{{ len $labels }}",
     "node exporter||2"},
    {"{{ range $k, $v := $labels }}{{ $k }}={{ $v }};{{ end }}", "__name__=up;job=node exporter;"},
    {"{{ range $i, $e := slice \"abc\" 0 }}{{ $i }}{{ $e }}{{ end }}",
     "<error expanding template: error executing template __alert_A: template: __alert_A:1:143: "
     "executing \"__alert_A\" at <0>: range can't iterate over abc>"},
    {"{{ range $labels }}{{ if eq . \"up\" }}{{ continue }}{{ end }}[{{ . }}]{{ end }}",
     "[node exporter]"},
    {"{{ with $labels.job }}{{ . }}{{ else }}none{{ end }} {{ with $labels.nope }}x{{ else "
     "}}none{{ end }}",
     "node exporter none"},
    {"{{ if $labels.nope }}a{{ else if $labels.job }}b{{ else }}c{{ end }}", "b"},
    {"{{ html \"<a href=\\\"x\\\">'&'</a>\" }} {{ js \"<a href=\\\"x\\\">'&'=</a>\\n\" }} {{ "
     "urlquery \"a b&c=d/\303\251\" }}",
     "&lt;a href=&#34;x&#34;&gt;&#39;&amp;&#39;&lt;/a&gt; \\u003Ca "
     "href\\u003D\\\"x\\\"\\u003E\\'\\u0026\\'\\u003D\\u003C/a\\u003E\\u000A a+b%26c%3Dd%2F%C3%A9"},
    {"{{ $x := 1 }}{{ if true }}{{ $x = 2 }}{{ end }}{{ $x }}", "2"},
    {"{{ define \"T\" }}[{{ . }}]{{ end }}{{ template \"T\" \"x\" }}{{ template \"T\" }}",
     "[x][<no value>]"},
    {"{{ block \"B\" 5 }}<{{ . }}>{{ end }}", "<5>"},
    {"{{- \"  trim  \" -}}  |  {{- 3 }}", "  trim  |3"},
    {"{{ humanize 0.000012345 }} {{ humanize -1234567 }} {{ humanize1024 1048576 }} {{ "
     "humanize1024 -2048 }} {{ humanize \"1e9\" }}",
     "12.35u -1.235M 1Mi -2ki 1G"},
    {"{{ humanizeDuration 0.000001 }} {{ humanizeDuration 86400.5 }} {{ humanizeDuration -0.5 }} "
     "{{ humanizePercentage 0.001 }}",
     "1us 1d 0h 0m 0s -500ms 0.1%"},
    {"{{ humanizeTimestamp 0 }} {{ humanizeTimestamp 1435065584.128 }} {{ (toTime "
     "1700000000).Format \"Mon Jan 2 15:04:05 2006\" }}",
     "1970-01-01 00:00:00 +0000 UTC 2015-06-23 13:19:44.128 +0000 UTC Tue Nov 14 22:13:20 2023"},
    {"{{ \"foo.bar.com:80\" | stripDomain }} {{ \"[::1]:80\" | stripPort }} {{ \"host\" | "
     "stripPort }}",
     "foo:80 ::1 host"},
    {"{{ reReplaceAll \"(a)b\" \"x$1\" \"abab\" }} {{ reReplaceAll \"a*\" \"-\" \"baaac\" }} {{ "
     "reReplaceAll \"^\" \"x\" \"abc\" }} {{ reReplaceAll \"\" \"-\" \"ab\" }}",
     "xaxa -b-c- xabc -a-b-"},
    {"{{ match \"^node\" $labels.job }} {{ match \"exp\" $labels.job }} {{ toUpper \"aBc\" }} {{ "
     "toLower \"AbC\" }} {{ title \"hello wOrld-foo_bar\" }}",
     "true true ABC abc Hello WOrld-Foo_bar"},
    {"{{ graphLink \"rate(x[5m])\" }} {{ tableLink \"a b\" }} {{ parseDuration \"1m30s\" }}",
     "/graph\?g0.expr=rate%28x%5B5m%5D%29&g0.tab=0 /graph\?g0.expr=a+b&g0.tab=1 90"},
    {"{{ args 1 \"a\" }} {{ (args 1 2).arg1 }}", "map[arg0:1 arg1:a] 2"},
    {"{{ .Nope }}",
     "<error expanding template: error executing template __alert_A: template: __alert_A:1:115: "
     "executing \"__alert_A\" at <.Nope>: can't evaluate field Nope in type struct { Labels "
     "map[string]string; ExternalLabels map[string]string; ExternalURL string; Value float64 }>"},
    {"{{ index \"abc\" 5 }}",
     "<error expanding template: error executing template __alert_A: template: __alert_A:1:115: "
     "executing \"__alert_A\" at <index \"abc\" 5>: error calling index: index out of range: 5>"},
    {"{{ len 3 }}",
     "<error expanding template: error executing template __alert_A: template: __alert_A:1:115: "
     "executing \"__alert_A\" at <len 3>: error calling len: len of type int>"},
    {"{{ template \"missing\" }}",
     "<error expanding template: error executing template __alert_A: template: __alert_A:1:124: "
     "executing \"__alert_A\" at <{{template \"missing\"}}>: template \"missing\" not defined>"},
    {"{{ $labels.job.x }}",
     "<error expanding template: error executing template __alert_A: template: __alert_A:1:122: "
     "executing \"__alert_A\" at <$labels.job.x>: can't evaluate field x in type string>"},
    {"{{ 3 | printf \"%d-%d\" 4 }} {{ \"x\" | printf \"%s%s\" \"y\" }} {{ printf \"%T %T %T %T\" 1 "
     "1.5 \"s\" $labels }}",
     "4-3 yx int float64 string map[string]string"},
    {"{{ printf \"%v %s\" $labels (slice \"ab\" 0 1) }}", "map[__name__:up job:node exporter] a"},
    {"{{ printf \"%05s|%-05d|%#x|%#o|%#v\" \"ab\" 3 255 8 \"q\" }}", "000ab|3    |0xff|010|\"q\""},
    {"{{ printf \"%e %E %G %g %g\" 0.0 123456789.0 1e-7 1e20 1e21 }}",
     "0.000000e+00 1.234568E+08 1E-07 1e+20 1e+21"},
    {"{{ printf \"%.0f %.0f %.0f %.1f\" 0.5 1.5 2.5 0.25 }}", "0 2 2 0.2"},
    {"{{ printf \"%v %v\" 1.7976931348623157e308 5e-324 }}", "1.7976931348623157e+308 5e-324"},
    {"{{ printf \"%5t|%-7v|%3c|%U\" true false '\303\251' '\303\251' }}",
     " true|false  |  \303\251|U+00E9"},
    {"{{ template \"missing\" }}",
     "<error expanding template: error executing template __alert_A: template: __alert_A:1:124: "
     "executing \"__alert_A\" at <{{template \"missing\"}}>: template \"missing\" not defined>"},
    {"a {{- /* c */ -}} b {{/* x */}} c", "ab  c"},
    {"{{ \"x\" }}{{- \"\\n\\n\" -}}{{ \"y\" }}", "x\012\012y"},
    {"{{ printf \"%s|%v|%d\" nil nil nil }}", "%!s(<nil>)|<nil>|%!d(<nil>)"},
    {"{{ printf \"%v %v\" true (eq 1 1) }} {{ printf \"%s\" true }}", "true true %!s(bool=true)"},
    {"{{ printf \"%x %X %o\" -255 -255 -8 }} {{ printf \"%08b\" 5 }} {{ printf \"%#08x\" 255 }}",
     "-ff -FF -10 00000101 0x000000ff"},
    {"{{ printf \"%.2e %.3g %.10g %g\" 123456.789 0.00012345 1.0 100000.0 }} {{ printf \"%g\" "
     "1000000.0 }}",
     "1.23e+05 0.000123 1 100000 1e+06"},
    {"{{ printf \"%6.3v|%-10.4g|%10.3e\" 3.14159 2.71828 -0.000123 }}",
     "  3.14|2.718     |-1.230e-04"},
    {"{{ printf \"%q\" \"h\303\251llo\\x7f\\u00a0\\u200b\" }} {{ printf \"%+q\" \"\303\251\" }}",
     "\"h\303\251llo\\x7f\\u00a0\\u200b\" \"\\u00e9\""},
    {"{{ printf \"%c%c%c\" 72 105 128512 }} {{ printf \"%U\" 128512 }} {{ printf \"%#U\" 'x' }}",
     "Hi\360\237\230\200 U+1F600 U+0078 'x'"},
    {"{{ printf \"%3d|%-3d|%03d|% 03d|%+3d\" 7 7 7 7 7 }}", "  7|7  |007| 07| +7"},
    {"{{ printf \"%.1f %.1f %.1f %.1f\" 0.05 0.15 0.25 0.35 }} {{ printf \"%.2f\" 1.005 }}",
     "0.1 0.1 0.2 0.3 1.00"},
    {"{{ printf \"%v\" -1e-7 }} {{ 1e100 }} {{ 12345678.9 }} {{ 999999.0 }} {{ 0.0001 }} {{ "
     "0.00001234 }}",
     "-1e-07 1e+100 1.23456789e+07 999999 0.0001 1.234e-05"},
    {"{{ printf \"%v %d\" 9223372036854775807 -9223372036854775807 }}",
     "9223372036854775807 -9223372036854775807"},
    {"{{ print \"a\" 1 2 \"b\" nil 3.5 true }}", "a1 2b<nil> 3.5 true"},
    {"{{ println }}|{{ print }}|{{ printf \"\" }}|", "\012|||"},
    {"{{ $a := 1 }}{{ $b := \"x\" }}{{ print $a $b }}{{ $a = $b }}{{ $a }}", "1xx"},
    {"{{ range $i, $v := $labels }}{{ if $i }}{{ $i }}{{ end }}{{ end }}", "__name__job"},
    {"{{ range $labels }}{{ break }}{{ end }}done", "done"},
    {"{{ if and $labels.job (not $labels.nope) }}ok{{ end }} {{ or $labels.nope \"default\" }}",
     "ok default"},
    {"{{ define \"a\" }}A{{ template \"b\" . }}{{ end }}{{ define \"b\" }}B{{ . }}{{ end }}{{ "
     "template \"a\" 1 }}",
     "AB1"},
    {"{{ len (printf \"%5s\" \"\") }} {{ index (args 1 2) \"arg1\" }} {{ slice (printf \"abcdef\") "
     "2 4 }}",
     "5 2 cd"},
    {"{{ html 1 2 \"<\" }} {{ js 1 \"x\" }} {{ urlquery nil }} {{ html nil }}",
     "1 2&lt; 1x %3Cno+value%3E &lt;no value&gt;"},
    {"{{ eq \"a\" \"b\" \"a\" }} {{ eq nil nil }} {{ ne 1 1 }} {{ le 1.5 1.5 }} {{ lt \"\" \"a\" "
     "}}",
     "true true false true true"},
    {"{{ eq $labels $labels }}",
     "<error expanding template: error executing template __alert_A: template: __alert_A:1:115: "
     "executing \"__alert_A\" at <eq $labels $labels>: error calling eq: non-comparable type "
     "map[__name__:up job:node exporter]: map[string]string>"},
    {"{{ index $labels 1 }}",
     "<error expanding template: error executing template __alert_A: template: __alert_A:1:115: "
     "executing \"__alert_A\" at <index $labels 1>: error calling index: value has type int; "
     "should be string>"},
    {"{{ slice \"abc\" 2 1 }}", "<error expanding template: error executing template __alert_A: "
                                "template: __alert_A:1:115: executing \"__alert_A\" at <slice "
                                "\"abc\" 2 1>: error calling slice: invalid slice index: 2 > 1>"},
    {"{{ slice \"abc\" 1 2 3 }}",
     "<error expanding template: error executing template __alert_A: template: __alert_A:1:115: "
     "executing \"__alert_A\" at <slice \"abc\" 1 2 3>: error calling slice: cannot 3-index slice "
     "a string>"},
    {"{{ index 1 }}", "1"},
    {"{{ printf 1 }}",
     "<error expanding template: error executing template __alert_A: template: __alert_A:1:122: "
     "executing \"__alert_A\" at <1>: expected string; found 1>"},
    {"{{ humanize \"abc\" }}",
     "<error expanding template: error executing template __alert_A: template: __alert_A:1:115: "
     "executing \"__alert_A\" at <humanize \"abc\">: error calling humanize: strconv.ParseFloat: "
     "parsing \"abc\": invalid syntax>"},
    {"{{ .Labels.job 1 }}",
     "<error expanding template: error executing template __alert_A: template: __alert_A:1:122: "
     "executing \"__alert_A\" at <.Labels.job>: job is not a method but has arguments>"},
    {"{{ $value.x }}",
     "<error expanding template: error executing template __alert_A: template: __alert_A:1:121: "
     "executing \"__alert_A\" at <$value.x>: can't evaluate field x in type float64>"},
    {"{{ and }}",
     "<error expanding template: error executing template __alert_A: template: __alert_A:1:115: "
     "executing \"__alert_A\" at <and>: wrong number of args for and: want at least 1 got 0>"},
    {"{{ not 1 2 }}",
     "<error expanding template: error executing template __alert_A: template: __alert_A:1:115: "
     "executing \"__alert_A\" at <not>: wrong number of args for not: want 1 got 2>"},
    {"{{ 1 2 }}",
     "<error expanding template: error executing template __alert_A: template: __alert_A:1:115: "
     "executing \"__alert_A\" at <1>: can't give argument to non-function 1>"},
    {"{{ $labels.job | printf \"%s!\" | printf \"%q\" }} {{ $labels.job | len | printf \"%03d\" }}",
     "\"node exporter!\" 013"},
    {"{{ humanizeDuration 59.999 }} {{ humanizeDuration 3599.5 }} {{ humanizeDuration 0.0000000001 "
     "}} {{ humanize 0.0 }} {{ humanize 999.9999 }}",
     "60s 59m 59s 100ps 0 1000"},
    {"{{ humanize1024 1023 }} {{ humanize1024 1024 }} {{ humanize1024 0.5 }} {{ humanizePercentage "
     "-0.5 }} {{ humanizePercentage \"x\" }}",
     "<error expanding template: error executing template __alert_A: template: __alert_A:1:216: "
     "executing \"__alert_A\" at <humanizePercentage \"x\">: error calling humanizePercentage: "
     "strconv.ParseFloat: parsing \"x\": invalid syntax>"},
    {"{{ reReplaceAll \"(\\\\w+)@(\\\\w+)\" \"$2 at ${1}\" \"bob@example\" }} {{ reReplaceAll "
     "\"x\" \"$$\" \"axb\" }} {{ reReplaceAll \"(a)\" \"${1\" \"a\" }}",
     "example at bob a$b ${1"},
    {"{{ title \"\303\274n\303\257code w\303\266rd\" }} {{ toUpper \"stra\303\237e\" }} {{ "
     "stripDomain \"a.b.c\" }} {{ stripDomain \"10.0.0.1:80\" }} {{ stripDomain \"[fe80::1]:9\" }}",
     "\303\234n\303\257code W\303\266rd STRA\303\237E a 10.0.0.1:80 [fe80::1]:9"},
    {"{{ humanizeTimestamp -1.5 }} {{ humanizeTimestamp \"1e9\" }} {{ (toTime 1).Unix }} {{ toTime "
     "\"x\" }}",
     "<error expanding template: error executing template __alert_A: template: __alert_A:1:196: "
     "executing \"__alert_A\" at <toTime \"x\">: error calling toTime: strconv.ParseFloat: parsing "
     "\"x\": invalid syntax>"},
    {"{{ parseDuration \"1y\" }} {{ parseDuration \"90s\" }} {{ parseDuration \"-1s\" }}",
     "<error expanding template: error executing template __alert_A: template: __alert_A:1:166: "
     "executing \"__alert_A\" at <parseDuration \"-1s\">: error calling parseDuration: not a valid "
     "duration string: \"-1s\">"},
    {"{{ 1.0 }} {{ 1. }} {{ .5 }} {{ -.5 }} {{ +3 }} {{ 0x10p-2 }} {{ 1e-3 }}",
     "1 1 0.5 -0.5 3 4 0.001"},
};

static void test_promtool_outputs(void)
{
    static const struct tmpl_prom_opts opts = {.external_url = ""};
    struct label l[] = {{"__name__", "up"}, {"job", "node exporter"}};
    struct labels *ls = labels_new(l, 2);
    struct tmpl_value *d = tmpl_prom_alert_data(ls, NULL, "", 0);
    struct tmpl_funcs *f = tmpl_funcs_new();
    size_t i;
    int failures = 0;
    tmpl_funcs_add_prometheus(f, &opts);
    for (i = 0; i < sizeof(go_cases) / sizeof(go_cases[0]); i++) {
        struct buf out;
        struct err e;
        buf_init(&out, 0);
        tmpl_prom_expand_alert(f, "__alert_A", go_cases[i].text, d, &out, &e);
        if (strcmp(buf_str(&out), go_cases[i].want) != 0) {
            printf("# case %zu %s: got \"%s\", want \"%s\"\n", i, go_cases[i].text, buf_str(&out),
                   go_cases[i].want);
            failures++;
        }
        buf_fini(&out);
    }
    tmpl_funcs_free(f);
    tmpl_unref(d);
    labels_free(ls);
    CHECK_INT(failures, 0);
}

static const struct test_case tests[] = {
    TEST(test_promtool_outputs),
    {0},
};

TEST_MAIN(tests)
