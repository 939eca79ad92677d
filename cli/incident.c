/* SPDX-License-Identifier: Apache-2.0 */
/* Incident commands of the CLI: ack, unack, list, show, resolve and the Markdown report. */
#include "cli/incident.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli_http.h"
#include "common/buf.h"
#include "common/err.h"
#include "common/timeutil.h"
#include "common/xalloc.h"

#define DEFAULT_URL "http://127.0.0.1:9098"

struct args {
    const char *url, *by, *output;
    const char *pos[4];
    int npos;
};

static int parse_args(int argc, char **argv, struct args *a)
{
    memset(a, 0, sizeof(*a));
    a->url = getenv("TOCSIN_NOTIFIER_URL") ? getenv("TOCSIN_NOTIFIER_URL") : DEFAULT_URL;
    a->by = getenv("USER") ? getenv("USER") : "cli";
    a->output = "text";
    for (int i = 1; i < argc; i++) {
        const char *s = argv[i];
        const char **dst = NULL;
        size_t kl = 0;
        if (strncmp(s, "--notifier.url", 14) == 0) {
            dst = &a->url;
            kl = 14;
        } else if (strncmp(s, "--by", 4) == 0) {
            dst = &a->by;
            kl = 4;
        } else if (strncmp(s, "--output", 8) == 0 || strncmp(s, "-o", 2) == 0) {
            dst = &a->output;
            kl = s[1] == 'o' ? 2 : 8;
        }
        if (dst && s[kl] == '=') {
            *dst = s + kl + 1;
        } else if (dst && s[kl] == '\0' && i + 1 < argc) {
            *dst = argv[++i];
        } else if (s[0] == '-' || a->npos >= 4) {
            fprintf(stderr, "tocsin: error: unexpected argument \"%s\"\n", s);
            return 2;
        } else {
            a->pos[a->npos++] = s;
        }
    }
    if (strcmp(a->output, "text") != 0 && strcmp(a->output, "json") != 0) {
        fprintf(stderr, "tocsin: error: --output must be text or json\n");
        return 2;
    }
    return 0;
}

/* Runs one request; prints the API error and returns 1 on failure. */
static int request(const char *method, const struct args *a, const char *path, const char *body,
                   json_t **data)
{
    long status = 0;
    json_t *j = NULL;
    struct err e;
    char msg[1200];
    err_clear(&e);
    *data = NULL;
    if (cli_http_json(method, a->url, path, body, body ? "application/json" : NULL, NULL, &status,
                      &j, &e) != 0) {
        fprintf(stderr, "tocsin: error: %s\n", err_format(&e, msg, sizeof(msg)));
        json_decref(j);
        return 1;
    }
    if (status / 100 != 2) {
        const char *m = json_string_value(json_object_get(j, "error"));
        fprintf(stderr, "tocsin: error: %ld: %s\n", status, m ? m : "request failed");
        json_decref(j);
        return 1;
    }
    *data = json_incref(json_object_get(j, "data"));
    json_decref(j);
    return 0;
}

static const char *jstr(const json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

static int64_t jint(const json_t *o, const char *k)
{
    return (int64_t)json_integer_value(json_object_get(o, k));
}

static const char *ts(int64_t ns, char *out, size_t n)
{
    if (ns == 0)
        return "-";
    return timestamp_format(ns / 1000000, TS_MILLI, out, n);
}

static const char *dur(int64_t ns, char *out, size_t n)
{
    return duration_format(ns / 1000000 > 0 ? ns / 1000000 : 0, out, n);
}

static int act(int argc, char **argv, const char *action)
{
    struct args a;
    json_t *data = NULL, *body;
    char *path, *text;
    int rc = parse_args(argc, argv, &a);
    struct buf p;
    if (rc != 0)
        return rc;
    if (a.npos != 1) {
        fprintf(stderr, "usage: tocsin %s ID [--by=NAME] [--notifier.url=URL]\n", argv[0]);
        return 2;
    }
    buf_init(&p, 0);
    path = cli_http_escape(a.pos[0]);
    buf_printf(&p, "/api/v1/incidents/%s/%s", path, action);
    xfree(path);
    body = json_pack("{s:s,s:s}", "by", a.by, "via", "cli");
    text = json_dumps(body, JSON_COMPACT);
    rc = request("POST", &a, buf_str(&p), text, &data);
    free(text);
    json_decref(body);
    buf_fini(&p);
    if (rc == 0)
        printf("incident %s: %s\n", a.pos[0], jstr(data, "state"));
    json_decref(data);
    return rc;
}

int cli_ack(int argc, char **argv)
{
    return act(argc, argv, "ack");
}

int cli_unack(int argc, char **argv)
{
    return act(argc, argv, "unack");
}

static void print_list(const json_t *data)
{
    size_t i;
    json_t *inc;
    char t[64];
    printf("%-16s  %-8s  %-20s  %-6s  %-10s  %s\n", "ID", "STATE", "OPENED", "FIRING", "POLICY",
           "GROUP");
    json_array_foreach(data, i, inc)
    {
        printf("%-16s  %-8s  %-20s  %-6lld  %-10s  %s\n", jstr(inc, "id"), jstr(inc, "state"),
               ts(jint(inc, "opened"), t, sizeof(t)), (long long)jint(inc, "firing"),
               *jstr(inc, "policy") ? jstr(inc, "policy") : "-", jstr(inc, "group_key"));
    }
}

static void print_show(const json_t *inc)
{
    size_t i;
    json_t *ev;
    char t[64];
    printf("Incident %s (%s)\n", jstr(inc, "id"), jstr(inc, "state"));
    printf("Group:    %s\nReceiver: %s\nPolicy:   %s\nOpened:   %s\n", jstr(inc, "group_key"),
           jstr(inc, "receiver"), *jstr(inc, "policy") ? jstr(inc, "policy") : "-",
           ts(jint(inc, "opened"), t, sizeof(t)));
    if (*jstr(inc, "acked_by"))
        printf("Acked:    %s by %s\n", ts(jint(inc, "acked_at"), t, sizeof(t)),
               jstr(inc, "acked_by"));
    if (*jstr(inc, "resolved_by"))
        printf("Resolved: %s by %s\n", ts(jint(inc, "resolved_at"), t, sizeof(t)),
               jstr(inc, "resolved_by"));
    if (*jstr(inc, "ackURL"))
        printf("Ack link: %s\n", jstr(inc, "ackURL"));
    printf("\nTimeline:\n");
    json_array_foreach(json_object_get(inc, "timeline"), i, ev)
    {
        printf("  %s  %s\n", ts(jint(ev, "t"), t, sizeof(t)), jstr(ev, "text"));
    }
}

void cli_incident_report(FILE *f, const struct json_t *incident)
{
    const json_t *inc = incident, *alerts = json_object_get(inc, "alerts"), *a, *ev;
    const char *fp,
        *title =
            json_string_value(json_object_get(json_object_get(inc, "group_labels"), "alertname"));
    int64_t opened = jint(inc, "opened"), acked = jint(inc, "first_acked_at");
    int64_t resolved = jint(inc, "resolved_at");
    char t[64], d[64];
    size_t i;
    fprintf(f, "# Incident %s: %s\n\n", jstr(inc, "id"), title ? title : jstr(inc, "group_key"));
    fprintf(f, "_Post-incident draft generated by `tocsin incident report`. Edit freely._\n\n");
    fprintf(f, "## Summary\n\n| | |\n|---|---|\n");
    fprintf(f, "| State | %s |\n", jstr(inc, "state"));
    fprintf(f, "| Aggregation group | `%s` |\n", jstr(inc, "group_key"));
    fprintf(f, "| Severity | %s |\n", *jstr(inc, "severity") ? jstr(inc, "severity") : "-");
    fprintf(f, "| First receiver | %s |\n", jstr(inc, "receiver"));
    fprintf(f, "| Escalation policy | %s |\n", *jstr(inc, "policy") ? jstr(inc, "policy") : "-");
    fprintf(f, "| Opened | %s |\n", ts(opened, t, sizeof(t)));
    if (acked)
        fprintf(f, "| Acknowledged | %s by %s |\n", ts(acked, t, sizeof(t)),
                *jstr(inc, "acked_by") ? jstr(inc, "acked_by") : "(later un-acknowledged)");
    if (resolved)
        fprintf(f, "| Resolved | %s by %s |\n", ts(resolved, t, sizeof(t)),
                jstr(inc, "resolved_by"));
    fprintf(f, "| Time to acknowledge | %s |\n",
            acked ? dur(acked - opened, d, sizeof(d)) : "not acknowledged");
    fprintf(f, "| Time to resolve | %s |\n\n",
            resolved ? dur(resolved - opened, d, sizeof(d)) : "not resolved");
    fprintf(f, "## Impact\n\n%zu alert(s) in this incident:\n\n", json_object_size(alerts));
    fprintf(f, "| Alert | Labels | Started | Resolved | Duration |\n|---|---|---|---|---|\n");
    json_object_foreach((json_t *)alerts, fp, a)
    {
        const json_t *ls = json_object_get(a, "labels"), *v;
        const char *k;
        int64_t st = jint(a, "starts_at"), en = jint(a, "ends_at");
        char t2[64];
        struct buf lb;
        buf_init(&lb, 0);
        json_object_foreach((json_t *)ls, k, v)
        {
            buf_printf(&lb, "%s`%s=%s`", lb.len ? " " : "", k, json_string_value(v));
        }
        fprintf(f, "| %s | %s | %s | %s | %s |\n",
                json_string_value(json_object_get(ls, "alertname"))
                    ? json_string_value(json_object_get(ls, "alertname"))
                    : fp,
                buf_str(&lb), ts(st, t, sizeof(t)), en ? ts(en, t2, sizeof(t2)) : "still firing",
                en ? dur(en - st, d, sizeof(d)) : "-");
        buf_fini(&lb);
    }
    fprintf(f, "\n## Escalation steps fired\n\n");
    json_array_foreach(json_object_get(inc, "fired"), i, ev)
    {
        fprintf(f, "- %s (+%s): step %lld, cycle %lld: %s\n", ts(jint(ev, "at"), t, sizeof(t)),
                dur(jint(ev, "at") - opened, d, sizeof(d)), (long long)jint(ev, "step"),
                (long long)jint(ev, "cycle"), jstr(ev, "targets"));
    }
    fprintf(f, "\n## Timeline\n\n| Time (UTC) | Since open | Event |\n|---|---|---|\n");
    json_array_foreach(json_object_get(inc, "timeline"), i, ev)
    {
        fprintf(f, "| %s | +%s | %s |\n", ts(jint(ev, "t"), t, sizeof(t)),
                dur(jint(ev, "t") - opened, d, sizeof(d)), jstr(ev, "text"));
    }
    fprintf(f, "\n## Root cause\n\n_TODO_\n\n## Follow-up actions\n\n- [ ] _TODO_\n");
}

int cli_incident(int argc, char **argv)
{
    struct args a;
    json_t *data = NULL;
    const char *sub;
    int rc;
    if (argc < 2) {
        fprintf(stderr, "usage: tocsin incident list | show ID | report ID | resolve ID "
                        "[--notifier.url=URL] [-o json]\n");
        return 2;
    }
    sub = argv[1];
    if (strcmp(sub, "resolve") == 0)
        return act(argc - 1, argv + 1, "resolve");
    if ((rc = parse_args(argc - 1, argv + 1, &a)) != 0)
        return rc;
    if (strcmp(sub, "list") == 0 && a.npos == 0) {
        rc = request("GET", &a, "/api/v1/incidents", NULL, &data);
    } else if ((strcmp(sub, "show") == 0 || strcmp(sub, "report") == 0) && a.npos == 1) {
        char *id = cli_http_escape(a.pos[0]);
        struct buf p;
        buf_init(&p, 0);
        buf_printf(&p, "/api/v1/incidents/%s", id);
        rc = request("GET", &a, buf_str(&p), NULL, &data);
        buf_fini(&p);
        xfree(id);
    } else {
        fprintf(stderr, "tocsin: error: usage: tocsin incident list | show ID | report ID | "
                        "resolve ID\n");
        return 2;
    }
    if (rc != 0)
        return rc;
    if (strcmp(a.output, "json") == 0) {
        json_dumpf(data, stdout, JSON_INDENT(2));
        putchar('\n');
    } else if (strcmp(sub, "list") == 0) {
        print_list(data);
    } else if (strcmp(sub, "show") == 0) {
        print_show(data);
    } else {
        cli_incident_report(stdout, data);
    }
    json_decref(data);
    return 0;
}
