/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Runs data-driven notifier dispatch cases (test/conformance/am_dispatch_cases/NAME.json) in
 * simulated time: alerts are decoded as POST /api/v2/alerts bodies, merged by the provider,
 * inserted into the dispatcher on the routes they match, and every webhook delivery attempt is
 * summarised as one line compared with the case's "expect" list. Prints "ok NAME" or
 * "not ok NAME: why" per case file given on the command line.
 *
 * Case format: docs in test/conformance/am_dispatch_cases/README.md.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/labels.h"
#include "common/timeutil.h"
#include "common/xalloc.h"
#include "notifier/alert/alert.h"
#include "notifier/alert/alert_json.h"
#include "notifier/alert/provider.h"
#include "notifier/dispatch/dispatch.h"
#include "notifier/receivers/receiver.h"
#include "notifier/receivers/webhook.h"

#define MS      1000000LL
#define MAX_R   16
#define MAX_OUT 512

/* 2026-11-23T11:38:33Z, the start of captures/alertmanager-webhook-run1. */
static const int64_t EPOCH = 1795433913LL * 1000000000LL;

struct route {
    struct dispatch_route_opts o;
    const char *names[16];
    json_t *match;
    bool cont;
};

struct fake {
    struct receiver_sender base;
    json_t *responses; /* array of status codes, consumed in order; then 200 */
    size_t next;
    char *last_body;
    int last_status;
};

struct runner {
    struct route routes[MAX_R];
    size_t nroutes;
    struct am_receiver recv[MAX_R];
    const struct am_receiver *recvp[MAX_R];
    struct fake fakes[MAX_R];
    size_t nrecv;
    json_t *inhibit, *silences, *mutes;
    struct am_alerts provider;
    char *out[MAX_OUT];
    size_t nout;
    const char *id_label;
    bool show_group_key;
};

static int64_t dur(const char *s)
{
    int64_t ms = 0;
    if (!s)
        return 0;
    if (duration_parse_signed(s, &ms, NULL) != 0) {
        fprintf(stderr, "bad duration %s\n", s);
        exit(2);
    }
    return ms * MS;
}

static int fake_send(struct receiver_sender *s, const char *url, const struct receiver_header *h,
                     size_t nh, const struct receiver_http_opts *o, const char *body, size_t len,
                     int64_t timeout_ns, receiver_send_done_cb done, void *arg)
{
    struct fake *f = (struct fake *)s;
    struct receiver_response r = {200, NULL, NULL};
    json_t *st = json_array_get(f->responses, f->next);
    (void)url;
    (void)h;
    (void)nh;
    (void)o;
    (void)timeout_ns;
    if (st) {
        f->next++;
        if (json_is_integer(st))
            r.status = (int)json_integer_value(st);
        else if (json_is_string(st)) /* "429:5" = status 429 with Retry-After: 5 */
        {
            const char *sv = json_string_value(st), *colon = strchr(sv, ':');
            r.status = (int)strtol(sv, NULL, 10);
            r.retry_after = colon ? colon + 1 : NULL;
        }
    }
    xfree(f->last_body);
    f->last_body = xstrndup(body, len);
    f->last_status = r.status;
    if (r.status == 0)
        r.error = "connection refused";
    done(arg, &r);
    return 0;
}

static bool match_eq(json_t *m, const struct labels *ls)
{
    const char *k;
    json_t *v;
    json_object_foreach(m, k, v)
    {
        const char *x = labels_get(ls, k);
        if (strcmp(x ? x : "", json_string_value(v)) != 0)
            return false;
    }
    return true;
}

static bool hook_inhibited(void *ctx, const struct am_alert *a, int64_t now)
{
    struct runner *r = ctx;
    size_t i;
    json_t *rule;
    json_array_foreach(r->inhibit, i, rule)
    {
        json_t *src = json_object_get(rule, "source"), *eq = json_object_get(rule, "equal");
        struct kvmap_iter it;
        if (!match_eq(json_object_get(rule, "target"), a->labels))
            continue;
        for (struct kvmap_entry *e = kvmap_first(&r->provider.by_fp, &it); e;
             e = kvmap_next(&r->provider.by_fp, &it)) {
            const struct am_alert *s = e->value;
            bool same = true;
            size_t k;
            json_t *name;
            if (s == a || am_alert_resolved_at(s, now) || !match_eq(src, s->labels))
                continue;
            if (match_eq(json_object_get(rule, "target"), s->labels) && match_eq(src, a->labels))
                continue;
            json_array_foreach(eq, k, name)
            {
                const char *x = labels_get(a->labels, json_string_value(name));
                const char *y = labels_get(s->labels, json_string_value(name));
                same = same && strcmp(x ? x : "", y ? y : "") == 0;
            }
            if (same)
                return true;
        }
    }
    return false;
}

static bool hook_silenced(void *ctx, const struct am_alert *a, int64_t now)
{
    struct runner *r = ctx;
    size_t i;
    json_t *s;
    json_array_foreach(r->silences, i, s)
    {
        int64_t from = EPOCH + dur(json_string_value(json_object_get(s, "from")));
        int64_t until = EPOCH + dur(json_string_value(json_object_get(s, "until")));
        if (now >= from && now < until && match_eq(json_object_get(s, "match"), a->labels))
            return true;
    }
    return false;
}

static bool hook_time_muted(void *ctx, const char *route_key, int64_t now)
{
    struct runner *r = ctx;
    size_t i;
    json_t *m;
    json_array_foreach(r->mutes, i, m)
    {
        int64_t from = EPOCH + dur(json_string_value(json_object_get(m, "from")));
        int64_t until = EPOCH + dur(json_string_value(json_object_get(m, "until")));
        if (now >= from && now < until &&
            strcmp(route_key, json_string_value(json_object_get(m, "route"))) == 0)
            return true;
    }
    return false;
}

static void fmt_secs(int64_t ns, char *out, size_t n)
{
    int64_t ms = (ns - EPOCH) / MS;
    if (ms % 1000 == 0)
        snprintf(out, n, "%llds", (long long)(ms / 1000));
    else
        snprintf(out, n, "%lld.%03llds", (long long)(ms / 1000), (long long)(ms % 1000));
    if (strchr(out, '.')) {
        char *p = out + strlen(out) - 2; /* before 's' */
        while (*p == '0')
            memmove(p, p + 1, strlen(p + 1) + 1), p--;
    }
}

static void hook_attempted(void *ctx, const char *group_key, const char *receiver, unsigned index,
                           const struct am_notify_result *res, unsigned attempt, int64_t now)
{
    struct runner *r = ctx;
    struct fake *f = NULL;
    json_t *body, *alerts, *a;
    struct buf line;
    char t[32];
    size_t i;
    (void)group_key;
    (void)attempt;
    for (size_t k = 0; k < r->nrecv; k++) {
        if (strcmp(r->recv[k].name, receiver) == 0)
            f = &r->fakes[k];
    }
    body = json_loads(f && f->last_body ? f->last_body : "{}", 0, NULL);
    buf_init(&line, 0);
    fmt_secs(now, t, sizeof(t));
    buf_printf(&line, "%s %s/%u %s [", t, receiver, index,
               json_string_value(json_object_get(body, "status")));
    alerts = json_object_get(body, "alerts");
    json_array_foreach(alerts, i, a)
    {
        json_t *ls = json_object_get(a, "labels");
        const char *id = json_string_value(json_object_get(ls, r->id_label));
        if (!id)
            id = json_string_value(json_object_get(ls, "alertname"));
        buf_printf(&line, "%s%s:%s", i ? " " : "", id,
                   json_string_value(json_object_get(a, "status")));
    }
    buf_puts(&line, "]");
    if (json_integer_value(json_object_get(body, "truncatedAlerts")) > 0)
        buf_printf(&line, " truncated=%lld",
                   (long long)json_integer_value(json_object_get(body, "truncatedAlerts")));
    if (res->outcome != AM_NOTIFY_OK)
        buf_printf(&line, " -> %d", res->status);
    if (r->show_group_key)
        buf_printf(&line, " key=%s", json_string_value(json_object_get(body, "groupKey")));
    if (r->nout < MAX_OUT)
        r->out[r->nout++] = buf_steal(&line, NULL);
    buf_fini(&line);
    json_decref(body);
}

static int load(struct runner *r, json_t *c, char *why, size_t nwhy)
{
    json_t *routes = json_object_get(c, "routes"), *recvs = json_object_get(c, "receivers"), *v;
    const char *k;
    size_t i;
    json_array_foreach(routes, i, v)
    {
        struct route *rt = &r->routes[r->nroutes++];
        json_t *gb = json_object_get(v, "group_by"), *n;
        size_t j;
        rt->o.route_key = json_string_value(json_object_get(v, "key"));
        rt->o.receiver = json_string_value(json_object_get(v, "receiver"));
        rt->o.group_wait = dur(json_string_value(json_object_get(v, "group_wait")));
        rt->o.group_interval = dur(json_string_value(json_object_get(v, "group_interval")));
        rt->o.repeat_interval = dur(json_string_value(json_object_get(v, "repeat_interval")));
        json_array_foreach(gb, j, n)
        {
            if (strcmp(json_string_value(n), "...") == 0)
                rt->o.group_by_all = true;
            else if (j < 16)
                rt->names[rt->o.n_group_by++] = json_string_value(n);
        }
        rt->o.group_by = rt->names;
        rt->match = json_object_get(v, "match");
        rt->cont = json_is_true(json_object_get(v, "continue"));
        if (!rt->o.route_key || !rt->o.receiver) {
            snprintf(why, nwhy, "route %zu needs key and receiver", i);
            return -1;
        }
    }
    json_object_foreach(recvs, k, v)
    {
        struct am_receiver *rc = &r->recv[r->nrecv];
        struct fake *f = &r->fakes[r->nrecv];
        struct webhook_conf wc = {"http://127.0.0.1:1/hook", true, 0, NULL};
        json_t *sr = json_object_get(v, "send_resolved");
        f->base.send = fake_send;
        f->responses = json_object_get(v, "responses");
        if (sr)
            wc.send_resolved = json_is_true(sr);
        wc.max_alerts = (size_t)json_integer_value(json_object_get(v, "max_alerts"));
        rc->name = xstrdup(k);
        rc->integrations = xcalloc(1, sizeof(*rc->integrations));
        rc->integrations[0] = webhook_new(&wc, 0, &f->base);
        rc->n = 1;
        r->recvp[r->nrecv] = rc;
        r->nrecv++;
    }
    return 0;
}

/* Routes an alert like the route tree would for a flat list of children under the root:
 * children (routes[1..]) in order, stopping at the first match without "continue"; the root
 * (routes[0]) when none matched. */
static size_t route_alert(struct runner *r, const struct am_alert *a,
                          const struct dispatch_route_opts **out)
{
    size_t n = 0;
    for (size_t i = 1; i < r->nroutes; i++) {
        if (!match_eq(r->routes[i].match, a->labels))
            continue;
        out[n++] = &r->routes[i].o;
        if (!r->routes[i].cont)
            break;
    }
    if (n == 0)
        out[n++] = &r->routes[0].o;
    return n;
}

/* Rewrites relative times ("+1h", "-30s", "now") in a step's alerts to RFC 3339. */
static void absolutize(json_t *alerts, int64_t at)
{
    size_t i;
    json_t *a;
    json_array_foreach(alerts, i, a)
    {
        const char *fields[] = {"startsAt", "endsAt"};
        for (size_t k = 0; k < 2; k++) {
            json_t *v = json_object_get(a, fields[k]);
            char out[64];
            const char *s;
            int64_t t;
            if (!json_is_string(v))
                continue;
            s = json_string_value(v);
            if (s[0] != '+' && s[0] != '-' && strcmp(s, "now") != 0)
                continue;
            t = at + (strcmp(s, "now") == 0 ? 0 : dur(s[0] == '+' ? s + 1 : s));
            am_time_format_go(t, out, sizeof(out));
            json_object_set_new(a, fields[k], json_string(out));
        }
    }
}

/* Orders output lines by their time, then text (simultaneous deliveries of different groups
 * have no defined order in Alertmanager either). */
static int cmp_line(const void *x, const void *y)
{
    const char *a = *(const char *const *)x, *b = *(const char *const *)y;
    double ta = strtod(a, NULL), tb = strtod(b, NULL);
    if (ta != tb)
        return ta < tb ? -1 : 1;
    return strcmp(a, b);
}

static bool run_case(const char *path)
{
    json_error_t jerr;
    json_t *c = json_load_file(path, 0, &jerr), *steps, *st, *expect;
    struct runner r;
    struct dispatch_hooks h;
    struct dispatch_opts o;
    struct dispatch *d = NULL;
    const char *name;
    char why[512] = "";
    bool ok = false;
    size_t i;
    int64_t rt, until;
    memset(&r, 0, sizeof(r));
    am_alerts_init(&r.provider);
    if (!c) {
        printf("not ok %s: %s:%d: %s\n", path, path, jerr.line, jerr.text);
        return false;
    }
    name = json_string_value(json_object_get(c, "name"));
    if (!name)
        name = path;
    r.id_label = json_string_value(json_object_get(c, "id_label"));
    if (!r.id_label)
        r.id_label = "instance";
    r.show_group_key = json_is_true(json_object_get(c, "show_group_key"));
    r.inhibit = json_object_get(c, "inhibit");
    r.silences = json_object_get(c, "silences");
    r.mutes = json_object_get(c, "mute");
    rt = dur(json_string_value(json_object_get(c, "resolve_timeout")));
    if (rt == 0)
        rt = 300 * 1000 * MS;
    until = EPOCH + dur(json_string_value(json_object_get(c, "until")));
    if (load(&r, c, why, sizeof(why)) != 0)
        goto out;
    memset(&h, 0, sizeof(h));
    h.ctx = &r;
    h.inhibited = hook_inhibited;
    h.silenced = hook_silenced;
    h.time_muted = hook_time_muted;
    h.attempted = hook_attempted;
    dispatch_opts_default(&o);
    o.external_url = "http://127.0.0.1:19093";
    o.backoff_jitter = 0; /* deterministic retries */
    if (json_object_get(c, "max_retry"))
        o.max_retry = dur(json_string_value(json_object_get(c, "max_retry")));
    /* "start": when the dispatcher started relative to the case epoch; it sets the phase of
     * the 30 s empty-group sweep, which Alertmanager does not align with anything. */
    d = dispatch_new(r.recvp, r.nrecv, &h, &o,
                     EPOCH + dur(json_string_value(json_object_get(c, "start"))));
    {
        const char *k;
        json_t *v;
        json_object_foreach(json_object_get(c, "rate_limits"), k, v)
        {
            struct dispatch_rate_limit rl = {k, json_number_value(json_object_get(v, "per_minute")),
                                             json_number_value(json_object_get(v, "burst"))};
            dispatch_set_rate_limit(d, &rl);
        }
    }
    steps = json_object_get(c, "steps");
    json_array_foreach(steps, i, st)
    {
        int64_t at = EPOCH + dur(json_string_value(json_object_get(st, "at")));
        json_t *alerts = json_object_get(st, "post");
        struct am_postable_result pr;
        char *body;
        int status = 0;
        dispatch_advance(d, at - 1);
        absolutize(alerts, at);
        body = json_dumps(alerts, JSON_COMPACT);
        if (am_alerts_decode_postable(body, strlen(body), at, rt, &pr, &status, NULL) != 0) {
            snprintf(why, sizeof(why), "step %zu: body rejected", i);
            xfree(body);
            goto out;
        }
        xfree(body);
        if (json_is_string(json_object_get(st, "expect_errors")) &&
            strcmp(pr.errors ? pr.errors : "",
                   json_string_value(json_object_get(st, "expect_errors"))) != 0) {
            snprintf(why, sizeof(why), "step %zu: errors \"%s\"", i, pr.errors ? pr.errors : "");
            am_postable_result_fini(&pr);
            goto out;
        }
        for (size_t k = 0; k < pr.n; k++) {
            const struct dispatch_route_opts *ro[MAX_R];
            const struct am_alert *m = am_alerts_put(&r.provider, pr.alerts[k], at);
            size_t nr = route_alert(&r, m, ro);
            dispatch_insert(d, m, ro, nr, at);
        }
        am_postable_result_fini(&pr);
    }
    dispatch_advance(d, until);
    qsort(r.out, r.nout, sizeof(r.out[0]), cmp_line);
    expect = json_object_get(c, "expect");
    ok = true;
    for (i = 0; i < r.nout || i < json_array_size(expect); i++) {
        const char *want = json_string_value(json_array_get(expect, i));
        const char *got = i < r.nout ? r.out[i] : NULL;
        if (!want || !got || strcmp(want, got) != 0) {
            snprintf(why, sizeof(why), "notification %zu: got \"%s\", want \"%s\"", i + 1,
                     got ? got : "(none)", want ? want : "(none)");
            ok = false;
            break;
        }
    }
out:
    if (ok) {
        printf("ok %s\n", name);
    } else {
        printf("not ok %s: %s\n", name, why);
        printf("    all notifications:\n");
        for (i = 0; i < r.nout; i++)
            printf("    \"%s\",\n", r.out[i]);
    }
    dispatch_free(d);
    for (i = 0; i < r.nout; i++)
        xfree(r.out[i]);
    for (i = 0; i < r.nrecv; i++) {
        am_integration_free(r.recv[i].integrations[0]);
        xfree(r.recv[i].integrations);
        xfree(r.recv[i].name);
        xfree(r.fakes[i].last_body);
    }
    am_alerts_fini(&r.provider);
    json_decref(c);
    return ok;
}

int main(int argc, char **argv)
{
    int failed = 0;
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc < 2) {
        fprintf(stderr, "usage: am_dispatch_run CASE.json...\n");
        return 2;
    }
    for (int i = 1; i < argc; i++)
        failed += !run_case(argv[i]);
    return failed ? 1 : 0;
}
