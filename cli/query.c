/* SPDX-License-Identifier: Apache-2.0 */
/* promtool-compatible `query` subcommands over the Prometheus HTTP API. */
#include "cli/query.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli_http.h"
#include "common/buf.h"
#include "common/err.h"
#include "common/flags.h"
#include "common/fmtfloat.h"
#include "common/timeutil.h"
#include "common/xalloc.h"

static const char usage_text[] =
    "usage: tocsin query <instant|range|series|labels> [<flags>] SERVER ARGS\n\n"
    "  instant SERVER EXPR [--time=T]                  evaluate EXPR at T (default now)\n"
    "  range SERVER EXPR --start=T --end=T [--step=D]  evaluate EXPR over a range\n"
    "  series SERVER --match=SELECTOR... [--start --end] list series\n"
    "  labels SERVER NAME                              list values of label NAME\n\n"
    "SERVER is the base URL of a Prometheus-compatible API, e.g. http://127.0.0.1:9099.\n"
    "Flags: -o json|promql (output format, default promql), --bearer-token=TOKEN,\n"
    "--timeout=DURATION (default 30s). T is RFC 3339 or Unix seconds.\n";

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * Prints a metric as Prometheus's model.Metric does: name{a="b", c="d"} when name_outside, or
 * {__name__="x", a="b"} (the series listing form) otherwise.
 */
static void print_metric(json_t *metric, bool name_outside)
{
    const char *k, *name = json_string_value(json_object_get(metric, "__name__"));
    json_t *v;
    struct buf b;
    const char **keys = NULL;
    size_t n = 0;
    buf_init(&b, 0);
    json_object_foreach(metric, k, v)
    {
        if (name_outside && strcmp(k, "__name__") == 0)
            continue;
        keys = xreallocarray(keys, n + 1, sizeof(*keys));
        keys[n++] = k;
    }
    if (n > 1)
        qsort(keys, n, sizeof(*keys), cmp_str);
    if (name_outside && name)
        buf_puts(&b, name);
    if (n > 0 || name == NULL || !name_outside) {
        buf_putc(&b, '{');
        for (size_t i = 0; i < n; i++) {
            const char *val = json_string_value(json_object_get(metric, keys[i]));
            buf_printf(&b, "%s%s=", i ? ", " : "", keys[i]);
            buf_put_quoted(&b, val ? val : "", val ? strlen(val) : 0);
        }
        buf_putc(&b, '}');
    }
    fputs(buf_str(&b), stdout);
    buf_fini(&b);
    xfree(keys);
}

static void print_point(json_t *pair)
{
    double t = json_number_value(json_array_get(pair, 0));
    const char *v = json_string_value(json_array_get(pair, 1));
    char ts[64];
    printf("%s @[%s]", v ? v : "?", fmtfloat(t, FMTFLOAT_F, ts, sizeof(ts)));
}

static void print_data(json_t *data)
{
    const char *type = json_string_value(json_object_get(data, "resultType"));
    json_t *res = json_object_get(data, "result"), *s;
    size_t i, j;
    if (type == NULL)
        return;
    if (strcmp(type, "scalar") == 0 || strcmp(type, "string") == 0) {
        printf("%s: ", type);
        print_point(res);
        putchar('\n');
        return;
    }
    json_array_foreach(res, i, s)
    {
        print_metric(json_object_get(s, "metric"), true);
        if (strcmp(type, "vector") == 0) {
            fputs(" => ", stdout);
            print_point(json_object_get(s, "value"));
            putchar('\n');
        } else {
            json_t *p;
            fputs(" =>\n", stdout);
            json_array_foreach(json_object_get(s, "values"), j, p)
            {
                print_point(p);
                putchar('\n');
            }
        }
    }
}

/* Adds "&key=value" (value URL-encoded) to b. */
static void add_param(struct buf *b, const char *key, const char *value)
{
    char *enc = cli_http_escape(value);
    buf_printf(b, "%c%s=%s", b->len == 0 || strchr(buf_str(b), '?') == NULL ? '?' : '&', key, enc);
    xfree(enc);
}

/* Normalises a time flag to Unix seconds as the API accepts it; "now" when s is NULL. */
static int time_param(const char *s, char *out, size_t n)
{
    int64_t ms;
    if (s == NULL)
        ms = time_now_ms();
    else if (timestamp_parse(s, &ms, NULL) != 0)
        return ERR_INVALID;
    timestamp_format_unix(ms, out, n);
    return 0;
}

int cli_query(int argc, char **argv)
{
    int rc = 2;
    const char *sub = argc > 1 ? argv[1] : NULL;
    const char *output = "promql", *t = NULL, *start = NULL, *end = NULL, *step = NULL;
    const char *bearer = NULL;
    int64_t timeout_ms = 30000;
    struct flag_strings match = {NULL, 0};
    const char **pos = NULL;
    int npos = 0;
    struct buf path;
    struct err e;
    json_t *resp = NULL;
    long status = 0;
    const char *status_text;
    char tb[64];
    struct cli_http_opts opts = {0};
    const struct flag_def defs[] = {
        {"o", FLAG_STRING, &output, "Output format: promql or json."},
        {"output", FLAG_STRING, &output, "Output format: promql or json."},
        {"time", FLAG_STRING, &t, "Evaluation time (instant)."},
        {"start", FLAG_STRING, &start, "Range start."},
        {"end", FLAG_STRING, &end, "Range end."},
        {"step", FLAG_STRING, &step, "Range step (duration or seconds)."},
        {"match", FLAG_STRINGS, &match, "Series selector (repeatable)."},
        {"bearer-token", FLAG_STRING, &bearer, "Bearer token for the API."},
        {"timeout", FLAG_DURATION, &timeout_ms, "Request timeout."},
        {NULL, FLAG_STRING, NULL, NULL},
    };

    buf_init(&path, 1 << 20);
    err_clear(&e);
    if (sub == NULL || strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0) {
        fputs(usage_text, sub ? stdout : stderr);
        rc = sub ? 0 : 2;
        goto out;
    }
    rc = flags_parse("tocsin query", usage_text, defs, argc - 1, argv + 1, &pos, &npos);
    if (rc != 0) {
        rc = rc == 1 ? 0 : 2;
        goto out;
    }
    rc = 2;
    if (strcmp(output, "json") != 0 && strcmp(output, "promql") != 0) {
        fprintf(stderr, "tocsin query: error: unknown output format \"%s\"\n", output);
        goto out;
    }
    opts.timeout_s = (double)timeout_ms / 1000.0;
    opts.bearer_token = bearer;
    if (strcmp(sub, "instant") == 0 && npos == 2) {
        buf_puts(&path, "/api/v1/query");
        add_param(&path, "query", pos[1]);
        if (time_param(t, tb, sizeof(tb)) != 0)
            goto bad_time;
        add_param(&path, "time", tb);
    } else if (strcmp(sub, "range") == 0 && npos == 2) {
        int64_t s_ms, e_ms;
        buf_puts(&path, "/api/v1/query_range");
        add_param(&path, "query", pos[1]);
        e_ms = time_now_ms();
        if (end && timestamp_parse(end, &e_ms, NULL) != 0)
            goto bad_time;
        s_ms = e_ms - 5 * 60 * 1000;
        if (start && timestamp_parse(start, &s_ms, NULL) != 0)
            goto bad_time;
        timestamp_format_unix(s_ms, tb, sizeof(tb));
        add_param(&path, "start", tb);
        timestamp_format_unix(e_ms, tb, sizeof(tb));
        add_param(&path, "end", tb);
        if (step == NULL) {
            /* like promtool: about 250 points per series, at least one second */
            int64_t st = (e_ms - s_ms) / 250;
            snprintf(tb, sizeof(tb), "%lldms", (long long)(st < 1000 ? 1000 : st));
            step = tb;
        }
        add_param(&path, "step", step);
    } else if (strcmp(sub, "series") == 0 && npos == 1 && match.n > 0) {
        buf_puts(&path, "/api/v1/series");
        for (int i = 0; i < match.n; i++)
            add_param(&path, "match[]", match.v[i]);
        if (start && time_param(start, tb, sizeof(tb)) == 0)
            add_param(&path, "start", tb);
        if (end && time_param(end, tb, sizeof(tb)) == 0)
            add_param(&path, "end", tb);
    } else if (strcmp(sub, "labels") == 0 && npos == 2) {
        char *enc = cli_http_escape(pos[1]);
        buf_printf(&path, "/api/v1/label/%s/values", enc);
        xfree(enc);
    } else {
        fputs(usage_text, stderr);
        goto out;
    }
    if (cli_http_json("GET", pos[0], buf_str(&path), NULL, NULL, &opts, &status, &resp, &e) != 0) {
        char m[1400];
        fprintf(stderr, "query error: %s\n", err_format(&e, m, sizeof(m)));
        rc = 1;
        goto out;
    }
    status_text = json_string_value(json_object_get(resp, "status"));
    if (status_text == NULL || strcmp(status_text, "success") != 0) {
        const char *et = json_string_value(json_object_get(resp, "errorType"));
        const char *em = json_string_value(json_object_get(resp, "error"));
        fprintf(stderr, "query error: %s: %s\n", et ? et : "error",
                em ? em : "unexpected answer from server");
        rc = 1;
        goto out;
    }
    {
        json_t *data = json_object_get(resp, "data"), *w;
        size_t i;
        json_array_foreach(json_object_get(resp, "warnings"), i, w)
            fprintf(stderr, "warning: %s\n", json_string_value(w));
        if (strcmp(output, "json") == 0) {
            json_t *what = json_is_object(data) ? json_object_get(data, "result") : data;
            char *s = json_dumps(what, JSON_COMPACT | JSON_ENCODE_ANY);
            printf("%s\n", s ? s : "null");
            free(s);
        } else if (strcmp(sub, "series") == 0) {
            json_t *m;
            json_array_foreach(data, i, m)
            {
                print_metric(m, false);
                putchar('\n');
            }
        } else if (strcmp(sub, "labels") == 0) {
            json_t *v;
            json_array_foreach(data, i, v) printf("%s\n", json_string_value(v));
        } else {
            print_data(data);
        }
    }
    rc = 0;
    goto out;
bad_time:
    fprintf(stderr, "tocsin query: error: invalid time; use RFC 3339 or Unix seconds\n");
    rc = 2;
out:
    json_decref(resp);
    buf_fini(&path);
    xfree(match.v);
    xfree((void *)pos);
    return rc;
}
