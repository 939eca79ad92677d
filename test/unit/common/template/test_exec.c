/* SPDX-License-Identifier: Apache-2.0 */
/* Table-driven tests of the Go text/template language: expected outputs are what Go prints. */
#include "test/unit/common/template/tmpl_test_util.h"

static const struct tmpl_case text_cases[] = {
    {"empty", "", "", 0},
    {"text", "some text", "some text", 0},
    {"dot string", "{{.A}}", "hello", 0},
    {"dot int", "{{.I}}", "17", 0},
    {"dot float", "{{.F}}", "1.5", 0},
    {"dot bool", "{{.B}}", "true", 0},
    {"missing field", "{{.Missing}}", "<no value>", 0},
    {"nil field", "{{.Nil}}", "<no value>", 0},
    {"nested", "{{.Nested.X.Y}}", "deep", 0},
    {"missing nested", "{{.Nope.X.Y}}", "<no value>", 0},
    {"map key", "{{.Labels.severity}}", "critical", 0},
    {"list", "{{.L}}", "[1 2 3]", 0},
    {"map print", "{{.M}}", "map[one:1 three:3 two:2]", 0},
    {"float big", "{{.Value}}", "1.234567e+06", 0},
    {"time print", "{{.T}}", "2023-11-14 22:13:20.123456789 +0000 UTC", 0},
    {"duration print", "{{.Dur}}", "1h2m3.5s", 0},
    {"dollar", "{{$.A}}", "hello", 0},
    {"dollar alone", "{{with .Nested}}{{$.I}}{{end}}", "17", 0},
    {"comment", "a{{/* c */}}b", "ab", 0},
    {"comment trim", "a {{- /* c */ -}} b", "ab", 0},
    {"trim left", "a  {{- .A}}", "ahello", 0},
    {"trim right", "{{.A -}}  \n b", "hellob", 0},
    {"trim both", "x \n{{- 3 -}}\n y", "x3y", 0},
    {"negative number not trim", "{{-3}}", "-3", 0},
    {"int literal", "{{ 42 }}", "42", 0},
    {"hex literal", "{{ 0x1F }}", "31", 0},
    {"octal literal", "{{ 0o17 }}", "15", 0},
    {"old octal", "{{ 010 }}", "8", 0},
    {"binary literal", "{{ 0b101 }}", "5", 0},
    {"underscore literal", "{{ 1_000 }}", "1000", 0},
    {"float literal", "{{ 1.5e3 }}", "1500", 0},
    {"float small", "{{ 0.000001 }}", "1e-06", 0},
    {"float tenth", "{{ 0.1 }}", "0.1", 0},
    {"char literal", "{{ 'a' }}", "97", 0},
    {"char escape", "{{ '\\n' }}", "10", 0},
    {"string literal", "{{ \"x\\ty\" }}", "x\ty", 0},
    {"raw string", "{{ `a\\n` }}", "a\\n", 0},
    {"bool literal", "{{ true }} {{ false }}", "true false", 0},
    {"paren", "{{ (print 1 2) }}", "1 2", 0},
    {"paren field", "{{ (.Nested).X.Y }}", "deep", 0},
    {"paren chain", "{{ (index .Nested \"X\").Y }}", "deep", 0},
    {"pipeline", "{{ .A | printf \"%s!\" }}", "hello!", 0},
    {"pipeline 2", "{{ 3 | printf \"%d-%d\" 4 }}", "4-3", 0},
    {"var declare", "{{ $x := 5 }}{{ $x }}", "5", 0},
    {"var assign", "{{ $x := 5 }}{{ $x = 6 }}{{ $x }}", "6", 0},
    {"var in if", "{{ $x := 1 }}{{ if true }}{{ $x = 2 }}{{ end }}{{ $x }}", "2", 0},
    {"var scope", "{{ if true }}{{ $x := 1 }}{{ $x }}{{ end }}", "1", 0},
    {"var field", "{{ $n := .Nested }}{{ $n.X.Y }}", "deep", 0},
    {"if true", "{{if .B}}yes{{end}}", "yes", 0},
    {"if false", "{{if .False}}yes{{else}}no{{end}}", "no", 0},
    {"if zero", "{{if .Z}}yes{{else}}no{{end}}", "no", 0},
    {"if empty string", "{{if .Empty}}yes{{else}}no{{end}}", "no", 0},
    {"if empty list", "{{if .EmptyL}}yes{{else}}no{{end}}", "no", 0},
    {"if nil", "{{if .Nil}}yes{{else}}no{{end}}", "no", 0},
    {"if missing", "{{if .Missing}}yes{{else}}no{{end}}", "no", 0},
    {"else if", "{{if .False}}a{{else if .B}}b{{else}}c{{end}}", "b", 0},
    {"else if chain", "{{if eq .I 1}}a{{else if eq .I 2}}b{{else if eq .I 17}}c{{end}}", "c", 0},
    {"with", "{{with .Nested.X}}{{.Y}}{{end}}", "deep", 0},
    {"with else", "{{with .Empty}}x{{else}}empty{{end}}", "empty", 0},
    {"else with", "{{with .Empty}}x{{else with .A}}{{.}}{{end}}", "hello", 0},
    {"with var", "{{with $x := .I}}{{$x}}{{.}}{{end}}", "1717", 0},
    {"range list", "{{range .L}}<{{.}}>{{end}}", "<1><2><3>", 0},
    {"range index", "{{range $i, $e := .SL}}{{$i}}={{$e}} {{end}}", "0=a 1=b 2=c ", 0},
    {"range one var", "{{range $e := .SL}}{{$e}}{{end}}", "abc", 0},
    {"range map sorted", "{{range $k, $v := .M}}{{$k}}:{{$v}},{{end}}", "one:1,three:3,two:2,", 0},
    {"range map values", "{{range .Labels}}{{.}};{{end}}", "host:9090;node;critical;", 0},
    {"range else", "{{range .EmptyL}}x{{else}}none{{end}}", "none", 0},
    {"range nil", "{{range .Nil}}x{{else}}none{{end}}", "none", 0},
    {"range int", "{{range 3}}{{.}}{{end}}", "012", 0},
    {"range break", "{{range .L}}{{if eq . 2}}{{break}}{{end}}{{.}}{{end}}", "1", 0},
    {"range continue", "{{range .L}}{{if eq . 2}}{{continue}}{{end}}{{.}}{{end}}", "13", 0},
    {"range dollar", "{{range .SL}}{{$.I}}{{end}}", "171717", 0},
    {"range assign", "{{$i := 0}}{{$v := 0}}{{range $i, $v = .SL}}{{end}}{{$i}}{{$v}}", "2c", 0},
    {"nested range", "{{range $a := .SL}}{{range $.L}}{{$a}}{{.}}{{end}}|{{end}}",
     "a1a2a3|b1b2b3|c1c2c3|", 0},
    {"define template", "{{define \"T\"}}[{{.}}]{{end}}{{template \"T\" .A}}", "[hello]", 0},
    {"template no arg", "{{define \"T\"}}{{.}}{{end}}{{template \"T\"}}", "<no value>", 0},
    {"template vars isolated", "{{define \"T\"}}{{$}}{{end}}{{$x := 1}}{{template \"T\" 2}}", "2",
     0},
    {"block", "{{block \"B\" .I}}<{{.}}>{{end}}", "<17>", 0},
    {"recursive template",
     "{{define \"R\"}}{{if gt . 0}}{{.}}{{template \"R\" (sub1 .)}}{{end}}{{end}}"
     "{{template \"R\" 3}}",
     "321", 0},
    {"and", "{{and 1 2}} {{and 0 2}} {{and 1 \"\"}}", "2 0 ", 0},
    {"or", "{{or 0 2}} {{or 0 \"\"}} {{or 1 2}}", "2  1", 0},
    {"and short circuit", "{{and false .Nested.X.Y.Z.Q}}", "false", 0},
    {"or short circuit", "{{or true (index .L 99)}}", "true", 0},
    {"not", "{{not 0}} {{not 1}} {{not .Empty}}", "true false true", 0},
    {"eq", "{{eq 1 1}} {{eq 1 2}} {{eq \"a\" \"a\"}}", "true false true", 0},
    {"eq multi", "{{eq .I 1 2 17}} {{eq .I 1 2}}", "true false", 0},
    {"ne", "{{ne 1 2}} {{ne \"a\" \"a\"}}", "true false", 0},
    {"lt", "{{lt 1 2}} {{lt 2 1}} {{lt 1.5 2.5}} {{lt \"a\" \"b\"}}", "true false true true", 0},
    {"le ge gt", "{{le 2 2}} {{ge 1 2}} {{gt 3 2}} {{gt .F 1.0}}", "true false true true", 0},
    {"eq nil", "{{eq .Nil nil}} {{eq .A nil}}", "true false", 0},
    {"eq bool", "{{eq true .B}}", "true", 0},
    {"len", "{{len .A}} {{len .L}} {{len .M}} {{len .Labels}}", "5 3 3 3", 0},
    {"index list", "{{index .L 1}}", "2", 0},
    {"index map", "{{index .Labels \"job\"}}", "node", 0},
    {"index map missing string", "[{{index .Labels \"nope\"}}]", "[]", 0},
    {"index map missing any", "{{index .Nested \"nope\"}}", "<no value>", 0},
    {"index nested", "{{index .Nested \"X\" \"Y\"}}", "deep", 0},
    {"index string", "{{index .A 1}}", "101", 0},
    {"slice string", "{{slice .A 1 3}}", "el", 0},
    {"slice string open", "{{slice .A 2}}", "llo", 0},
    {"slice list", "{{slice .L 1}}", "[2 3]", 0},
    {"slice none", "{{slice .A}}", "hello", 0},
    {"print", "{{print 1 2 \"a\" \"b\" 3}}", "1 2ab3", 0},
    {"print nil", "{{print nil}}", "<nil>", 0},
    {"println", "{{println 1 \"a\"}}", "1 a\n", 0},
    {"printf verbs", "{{printf \"%d %s %v %q %x %X %o %b %c\" 42 \"s\" 1.5 \"q\" 255 255 8 5 65}}",
     "42 s 1.5 \"q\" ff FF 10 101 A", 0},
    {"printf floats",
     "{{printf \"%f %.2f %e %g %5.1f|%-8.3f|\" 3.14159 3.14159 1234.5 0.00001 2.25 "
     "1.0}}",
     "3.141590 3.14 1.234500e+03 1e-05   2.2|1.000   |", 0},
    {"printf width", "{{printf \"[%5s][%-5s][%05d][%+d][% d][%x]\" \"ab\" \"ab\" 42 5 5 \"hi\"}}",
     "[   ab][ab   ][00042][+5][ 5][6869]", 0},
    {"printf bool pct", "{{printf \"%t %v %%\" true false}}", "true false %", 0},
    {"printf bad verb", "{{printf \"%d\" \"x\"}}", "%!d(string=x)", 0},
    {"printf missing", "{{printf \"%d %d\" 1}}", "1 %!d(MISSING)", 0},
    {"printf extra", "{{printf \"%d\" 1 2}}", "1%!(EXTRA int=2)", 0},
    {"printf list", "{{printf \"%v %s %d\" .L .SL .L}}", "[1 2 3] [a b c] [1 2 3]", 0},
    {"printf quote escapes", "{{printf \"%q\" \"a\\\"b\\n\"}}", "\"a\\\"b\\n\"", 0},
    {"printf float v", "{{printf \"%v %v %v %v\" 1e6 100000.0 1e21 3.0}}", "1e+06 100000 1e+21 3",
     0},
    {"printf inf", "{{printf \"%v %f %.2f\" .Inf .Inf .NegInf}}", "+Inf +Inf -Inf", 0},
    {"printf nan", "{{printf \"%v %5.1f|\" .NaN .NaN}}", "NaN   NaN|", 0},
    {"printf star", "{{printf \"%*d|%-*d|%.*f\" 4 1 3 2 1 3.14159}}", "   1|2  |3.1", 0},
    {"printf time", "{{printf \"%s\" .T}}", "2023-11-14 22:13:20.123456789 +0000 UTC", 0},
    {"printf dur", "{{printf \"%v %d\" .Dur .Dur}}", "1h2m3.5s 3723500000000", 0},
    {"html", "{{html .HTML}}", "&lt;a href=&#34;x&#34;&gt;&#39;&amp;&#39;&lt;/a&gt;", 0},
    {"html pipeline", "{{.HTML | html}}", "&lt;a href=&#34;x&#34;&gt;&#39;&amp;&#39;&lt;/a&gt;", 0},
    {"js", "{{js .HTML}}", "\\u003Ca href\\u003D\\\"x\\\"\\u003E\\'\\u0026\\'\\u003C/a\\u003E", 0},
    {"urlquery", "{{urlquery \"a b&c=d/é\"}}", "a+b%26c%3Dd%2F%C3%A9", 0},
    {"urlquery multi", "{{urlquery 1 2}}", "1+2", 0},
    {"time format", "{{.T.Format \"2006-01-02T15:04:05Z07:00\"}}", "2023-11-14T22:13:20Z", 0},
    {"time format 2", "{{.T.Format \"Mon Jan _2 3:04PM .000\"}}", "Tue Nov 14 10:13PM .123", 0},
    {"time unix", "{{.T.Unix}}", "1700000000", 0},
    {"duration seconds", "{{.Dur.Seconds}}", "3723.5", 0},
    {"method via pipe", "{{\"2006\" | .T.Format}}", "2023", 0},
    {"call", "{{call .Fn 2 3}}", "5", 0},
    {"printf T", "{{printf \"%T %T %T %T %T\" 0xef 1.5 \"s\" .L nil}}",
     "int float64 string []interface {} <nil>", 0},
    {"printf sharp q", "{{printf \"%#q %#q\" \"zeroArgs\" \"a`b\"}}", "`zeroArgs` \"a`b\"", 0},
    {"printf 04x", "{{printf \"%04x\" 127}}", "007f", 0},
    {"go and", "{{and false 0}} {{and 1 0}} {{and 0 true}} {{and 1 1}}", "false 0 0 1", 0},
    {"go or", "{{or 0 0}} {{or 1 0}} {{or 0 true}} {{or 1 1}}", "0 1 true 1", 0},
    {"go boolean if not", "{{if and true 1 `hi` | not}}TRUE{{else}}FALSE{{end}}", "FALSE", 0},
    {"go parens in pipeline", "{{printf `%d %d %d` (1) (2 | sub1) (sub1 (sub1 6))}}", "1 1 4", 0},
    {"go if with shadow", "{{if $x := true}}{{with $x := .I}}{{$x}},{{end}}{{$x}}{{end}}",
     "17,true", 0},
    {"go range map", "{{range .M}}-{{.}}-{{end}}", "-1--3--2-", 0},
    {"go declare in range", "{{range $x := .L}}<{{$foo:=$x}}{{$x}}>{{end}}", "<1><2><3>", 0},
    {"go or as if", "{{or .EmptyL \"slice is empty\"}}", "slice is empty", 0},
    {"go eq index char", "{{eq (index `x` 0) 'x'}} {{eq (index `x` 0) 'y'}}", "true false", 0},
    {"go cmp strings", "{{lt `xy` `xyz`}} {{le `xyz` `xy`}} {{ge `xy` `xy`}} {{gt 2 1}}",
     "true false true true", 0},
    {"go eq many", "{{eq 3 4 5 6 3}} {{eq 3 4 5 6 7}}", "true false", 0},
    {"go chain from function", "{{(sub1 5)}}", "4", 0},
    {"go js", "{{js \"It'd be nice.\"}}", "It\\'d be nice.", 0},
    {"go urlquery", "{{\"http://www.example.org/\"|urlquery}}", "http%3A%2F%2Fwww.example.org%2F",
     0},
    {"go html", "{{html \"<script>alert(\\\"XSS\\\");</script>\"}}",
     "&lt;script&gt;alert(&#34;XSS&#34;);&lt;/script&gt;", 0},
    {"go with map", "{{with .Labels}}{{.}}{{end}}",
     "map[instance:host:9090 job:node severity:critical]", 0},
    {"go printf final", "{{\"aaa\"|printf }}", "aaa", 0},
    {"whitespace newline in action", "{{ .A\n }}", "hello", 0},
    {"redefine in later parse keeps nonempty", "{{define \"T\"}}x{{end}}{{template \"T\"}}", "x",
     0},
    {NULL, NULL, NULL, 0},
};

static const struct tmpl_case error_cases[] = {
    {"unclosed action", "{{.A", "template: unclosed action:1: unclosed action", 1},
    {"unclosed action 2", "a\n{{.A", "template: unclosed action 2:2: unclosed action", 1},
    {"unexpected eof", "{{if .A}}x", "template: unexpected eof:1: unexpected EOF", 1},
    {"unexpected end", "{{end}}", "unexpected {{end}}", 1},
    {"unexpected else", "{{else}}", "unexpected {{else}}", 1},
    {"undefined function", "{{nope 1}}",
     "template: undefined function:1: function \"nope\" not "
     "defined",
     1},
    {"undefined variable", "{{$x}}", "undefined variable \"$x\"", 1},
    {"var out of scope", "{{if true}}{{$x := 1}}{{end}}{{$x}}", "undefined variable \"$x\"", 1},
    {"unclosed comment", "{{/* x", "unclosed comment", 1},
    {"comment delim", "{{/* x */ .A}}", "comment ends before closing delimiter", 1},
    {"unterminated string", "{{\"abc}}", "unterminated quoted string", 1},
    {"unterminated raw", "{{`abc}}", "unterminated raw quoted string", 1},
    {"bad number", "{{3k}}", "bad number syntax: \"3k\"", 1},
    {"missing value", "{{if}}{{end}}", "missing value for if", 1},
    {"empty action", "{{}}", "missing value for command", 1},
    {"break outside", "{{break}}", "{{break}} outside {{range}}", 1},
    {"continue outside", "{{if 1}}{{continue}}{{end}}", "{{continue}} outside {{range}}", 1},
    {"nonexec stage", "{{.A | 3}}", "non executable command in pipeline stage 2", 1},
    {"unexpected right paren", "{{ ) }}", "unexpected right paren", 1},
    {"unclosed paren", "{{ (print 1 }}", "unclosed left paren", 1},
    {"dot after literal", "{{ 3.X }}", "bad number syntax", 1},
    {"dot after string", "{{ \"x\".Y }}", "unexpected . after term \"\\\"x\\\"\"", 1},
    {"range too many vars", "{{range $a, $b, $c := .L}}{{end}}", "too many declarations in range",
     1},
    {"multiple definition", "{{define \"a\"}}x{{end}}{{define \"a\"}}y{{end}}",
     "multiple definition of template \"a\"", 1},
    {"bad char", "{{ # }}", "unexpected \"#\" in command", 1},
    {"exec field on string", "{{.A.B}}",
     "template: exec field on string:1:4: executing \"exec field on string\" at <.A.B>: can't "
     "evaluate field B in type string",
     1},
    {"exec eq incompatible", "{{eq .I 1.5}}",
     "executing \"exec eq incompatible\" at <eq .I 1.5>: error calling eq: incompatible types for "
     "comparison",
     1},
    {"exec gt int float", "{{if gt .Value 1}}x{{end}}",
     "error calling gt: incompatible types for comparison", 1},
    {"exec lt bool", "{{lt true false}}", "error calling lt: invalid type for comparison", 1},
    {"exec lt nil", "{{lt .Nil 1}}", "error calling lt: invalid type for comparison", 1},
    {"exec eq missing arg", "{{eq 1}}", "error calling eq: missing argument for comparison", 1},
    {"exec wrong args", "{{ne 1}}", "wrong number of args for ne: want 2 got 1", 1},
    {"exec and no args", "{{and}}", "wrong number of args for and: want at least 1 got 0", 1},
    {"exec index out of range", "{{index .L 5}}", "error calling index: index out of range: 5", 1},
    {"exec index bad type", "{{index .I 1}}", "can't index item of type int", 1},
    {"exec index nil", "{{index .Nil 1}}", "index of untyped nil", 1},
    {"exec slice bad", "{{slice .A 3 1}}", "invalid slice index: 3 > 1", 1},
    {"exec len int", "{{len .I}}", "error calling len: len of type int", 1},
    {"exec template missing", "{{template \"nope\"}}", "template \"nope\" not defined", 1},
    {"exec map field args", "{{.A 1}}", "A is not a method but has arguments", 1},
    {"exec non function", "{{$x := 1}}{{$x 2}}", "can't give argument to non-function $x", 1},
    {"exec literal args", "{{\"x\" 2}}", "can't give argument to non-function \"x\"", 1},
    {"exec map arg", "{{.Labels.job 1}}", "job is not a method but has arguments", 1},
    {"exec nil command", "{{nil}}", "nil is not a command", 1},
    {"exec range int", "{{range .A}}{{end}}", "range can't iterate over hello", 1},
    {"exec printf type", "{{printf 1}}", "at <1>: expected string; found 1", 1},
    {"exec printf var type", "{{$x := 1}}{{printf $x}}",
     "at <$x>: wrong type for value; expected string; got int", 1},
    {"exec time format args", "{{.T.Format}}", "wrong number of args for Format: want 1 got 0", 1},
    {"exec recursion", "{{define \"R\"}}{{template \"R\" .}}{{end}}{{template \"R\" .}}",
     "exceeded maximum template depth (1000)", 1},
    {"exec deep nesting recursion",
     "{{define \"R\"}}{{if 1}}{{if 1}}{{if 1}}{{if 1}}{{if 1}}{{if 1}}{{if 1}}{{if 1}}{{if 1}}"
     "{{if 1}}{{template \"R\" .}}{{end}}{{end}}{{end}}{{end}}{{end}}{{end}}{{end}}{{end}}{{end}}"
     "{{end}}{{end}}{{template \"R\" .}}",
     "exceeded maximum template depth", 1},
    {"go exec error nested",
     "line 1\nline 2\nline 3\n{{template \"one\" .I}}\n{{define \"one\"}}{{template \"two\" "
     ".}}{{end}}\n{{define \"two\"}}{{template \"three\" .}}{{end}}\n{{define \"three\"}}{{index "
     "\"hi\" $}}{{end}}",
     "template: go exec error nested:7:20: executing \"three\" at <index \"hi\" $>: error calling "
     "index: index out of range: 17",
     1},
    {"go unterminated raw line", "hello\n\n{{`unterminated\n\n\n\n}}\n some more\n\n",
     "template: go unterminated raw line:3: unterminated raw quoted string", 1},
    {"unclosed action multiline", "{{ .A\n\n",
     "unclosed action in action started at "
     "unclosed action multiline:1",
     1},
    {"go eq types", "{{eq `xy` 1}}", "incompatible types for comparison", 1},
    {"go eq int float", "{{eq 2 2.0}}", "incompatible types for comparison", 1},
    {"go true printf", "{{true|printf}}", "wrong type for value; expected string; got bool", 1},
    {"go if nil", "{{if nil}}TRUE{{end}}", "nil is not a command", 1},
    {"go nil chain", "{{(nil).True}}", "nil is not a command", 1},
    {"go literal field", "{{$x := (1.0)}}{{$x.anything}}",
     "can't evaluate field anything in type "
     "float64",
     1},
    {"go pipe into var", "{{$x := 1}}{{3 | $x}}", "can't give argument to non-function $x", 1},
    {"exec call nonfunc", "{{call .A}}", "non-function of type string", 1},
    {"deep parens",
     "{{((((((((((((((((((((((((((((((((((((((((((((((((((1))))))))))))))))))))))))"
     "))))))))))))))))))))))))))}}",
     "1", 0},
    {NULL, NULL, NULL, 0},
};

static int fn_sub1(struct tmpl_ctx *ctx, int argc, struct tmpl_value **argv,
                   struct tmpl_value **out, struct err *e)
{
    int64_t i;
    int rc;
    (void)ctx;
    (void)argc;
    if ((rc = tmpl_arg_int(argv[0], &i, e)) != 0)
        return rc;
    *out = tmpl_int(i - 1);
    return 0;
}

static int fn_add(struct tmpl_ctx *ctx, int argc, struct tmpl_value **argv, struct tmpl_value **out,
                  struct err *e)
{
    int64_t a, b;
    int rc;
    (void)ctx;
    (void)argc;
    if ((rc = tmpl_arg_int(argv[0], &a, e)) != 0 || (rc = tmpl_arg_int(argv[1], &b, e)) != 0)
        return rc;
    *out = tmpl_int(a + b);
    return 0;
}

static struct tmpl_value *full_data(void)
{
    struct tmpl_value *d = tt_data();
    tmpl_map_set(d, "Inf", tmpl_float(HUGE_VAL));
    tmpl_map_set(d, "NegInf", tmpl_float(-HUGE_VAL));
    tmpl_map_set(d, "NaN", tmpl_float(NAN));
    tmpl_map_set(d, "Fn", tmpl_func_value("add", fn_add, NULL));
    return d;
}

static void test_text_cases(void)
{
    struct tmpl_funcs *f = tmpl_funcs_new();
    struct tmpl_value *d = full_data();
    tmpl_funcs_add(f, "sub1", fn_sub1, NULL, 1, 1);
    tt_run(text_cases, f, d, NULL);
    tmpl_unref(d);
    tmpl_funcs_free(f);
}

static void test_error_cases(void)
{
    struct tmpl_funcs *f = tmpl_funcs_new();
    struct tmpl_value *d = full_data();
    tt_run(error_cases, f, d, NULL);
    tmpl_unref(d);
    tmpl_funcs_free(f);
}

static void test_missingkey_modes(void)
{
    static const struct tmpl_case zero[] = {
        {"zero string map", "[{{.Labels.nope}}]", "[]", 0},
        {"zero int map", "[{{.M.nope}}]", "[0]", 0},
        {"zero any map", "[{{.Nested.nope}}]", "[<no value>]", 0},
        {NULL, NULL, NULL, 0},
    };
    static const struct tmpl_case error[] = {
        {"error map", "{{.Labels.nope}}", "map has no entry for key \"nope\"", 1},
        {"error present", "{{.Labels.job}}", "node", 0},
        {NULL, NULL, NULL, 0},
    };
    struct tmpl_value *d = tt_data();
    struct tmpl_exec_opts o = {.missingkey = TMPL_MISSINGKEY_ZERO};
    tt_run(zero, NULL, d, &o);
    o.missingkey = TMPL_MISSINGKEY_ERROR;
    tt_run(error, NULL, d, &o);
    tmpl_unref(d);
}

static void test_template_set(void)
{
    struct tmpl_set *s = tmpl_set_new(NULL), *child;
    struct buf out;
    struct err e;
    buf_init(&out, 0);
    CHECK_INT(tmpl_set_parse(s, "a.tmpl", "{{define \"x\"}}X{{.}}{{end}}{{define \"y\"}}Y{{end}}",
                             (size_t)-1, &e),
              0);
    CHECK_INT(tmpl_set_parse(s, "b.tmpl",
                             "{{define \"z\"}}{{template \"x\" 1}}{{template \"y\"}}"
                             "{{end}}",
                             (size_t)-1, &e),
              0);
    CHECK(tmpl_set_defined(s, "x"));
    CHECK(tmpl_set_defined(s, "a.tmpl"));
    CHECK_INT(tmpl_set_execute(s, "z", NULL, NULL, &out, &e), 0);
    CHECK_STREQ(buf_str(&out), "X1Y");
    /* a later non-empty definition replaces; an empty one does not */
    CHECK_INT(tmpl_set_parse(s, "c.tmpl", "{{define \"y\"}}Y2{{end}}{{define \"x\"}} {{end}}",
                             (size_t)-1, &e),
              0);
    buf_reset(&out);
    CHECK_INT(tmpl_set_execute(s, "z", NULL, NULL, &out, &e), 0);
    CHECK_STREQ(buf_str(&out), "X1Y2");
    /* a failed parse adds nothing */
    CHECK(tmpl_set_parse(s, "d.tmpl", "{{define \"q\"}}{{end}}{{if}}", (size_t)-1, &e) ==
          ERR_PARSE);
    CHECK(!tmpl_set_defined(s, "q"));
    /* child overlay */
    child = tmpl_set_new_child(s);
    CHECK_INT(tmpl_set_parse(child, "", "<{{template \"z\"}}>", (size_t)-1, &e), 0);
    buf_reset(&out);
    CHECK_INT(tmpl_set_execute(child, "", NULL, NULL, &out, &e), 0);
    CHECK_STREQ(buf_str(&out), "<X1Y2>");
    CHECK(!tmpl_set_defined(s, ""));
    tmpl_set_free(child);
    CHECK(tmpl_set_execute(s, "nope", NULL, NULL, &out, &e) == ERR_NOTFOUND);
    buf_fini(&out);
    tmpl_set_free(s);
}

static void test_limits(void)
{
    struct tmpl_set *s = tmpl_set_new(NULL);
    struct tmpl_exec_opts o = {.max_output = 100, .max_iterations = 1000};
    struct buf out;
    struct err e;
    buf_init(&out, 0);
    CHECK_INT(tmpl_set_parse(s, "big", "{{range 1000}}0123456789{{end}}", (size_t)-1, &e), 0);
    CHECK_INT(tmpl_set_execute(s, "big", NULL, &o, &out, &e), ERR_TOOBIG);
    CHECK(out.len <= 100);
    CHECK(strstr(e.msg, "output exceeds") != NULL);
    CHECK_INT(tmpl_set_parse(s, "loop", "{{range 100}}{{range 100}}{{end}}{{end}}", (size_t)-1, &e),
              0);
    CHECK_INT(tmpl_set_execute(s, "loop", NULL, &o, &out, &e), ERR_LIMIT);
    CHECK(strstr(e.msg, "range iteration limit") != NULL);
    CHECK_INT(tmpl_set_parse(s, "pf", "{{printf \"%099999999d\" 1}}", (size_t)-1, &e), 0);
    CHECK(tmpl_set_execute(s, "pf", NULL, &o, &out, &e) != 0);
    CHECK_INT(tmpl_set_parse(s, "dbl", "{{$x := \"ab\"}}{{range 64}}{{$x = print $x $x}}{{end}}",
                             (size_t)-1, &e),
              0);
    CHECK(tmpl_set_execute(s, "dbl", NULL, &o, &out, &e) != 0);
    buf_fini(&out);
    tmpl_set_free(s);
}

static void test_expand_helper(void)
{
    struct buf out;
    struct err e;
    struct tmpl_value *d = tt_data();
    buf_init(&out, 0);
    CHECK_INT(tmpl_expand(NULL, NULL, "x", "{{.A}} {{len .SL}}", d, NULL, &out, &e), 0);
    CHECK_STREQ(buf_str(&out), "hello 3");
    CHECK(tmpl_expand(NULL, NULL, "x", "{{.A", d, NULL, &out, &e) == ERR_PARSE);
    CHECK_STREQ(e.msg, "template: x:1: unclosed action");
    buf_fini(&out);
    tmpl_unref(d);
}

static const struct test_case tests[] = {
    TEST(test_text_cases),
    TEST(test_error_cases),
    TEST(test_missingkey_modes),
    TEST(test_template_set),
    TEST(test_limits),
    TEST(test_expand_helper),
    {0},
};

TEST_MAIN(tests)
