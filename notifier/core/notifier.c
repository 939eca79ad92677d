/* SPDX-License-Identifier: Apache-2.0 */
/* The notifier runtime: config generations, durable alerts and silences, dispatcher timers. */
#include "notifier/core/notifier.h"

#include <event2/event.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/httpc.h"
#include "common/labels.h"
#include "common/log.h"
#include "common/metrics.h"
#include "common/xalloc.h"
#include "common/yamlx.h"
#include "notifier/alert/alert.h"
#include "notifier/alert/alert_json.h"
#include "notifier/alert/provider.h"
#include "notifier/config/config.h"
#include "notifier/dispatch/dispatch.h"
#include "notifier/escalation/escalation.h"
#include "notifier/inhibit/inhibit.h"
#include "notifier/receivers/email.h"
#include "notifier/receivers/http_sender.h"
#include "notifier/receivers/opsgenie.h"
#include "notifier/receivers/pagerduty.h"
#include "notifier/receivers/receiver.h"
#include "notifier/receivers/slack.h"
#include "notifier/receivers/sms.h"
#include "notifier/receivers/tmpldata.h"
#include "notifier/receivers/webhook.h"
#include "notifier/route/route.h"
#include "notifier/silence/silence.h"
#include "notifier/store/store.h"

#define NS_PER_MS     1000000LL
#define GC_INTERVAL_S 30

/* Everything that a configuration reload replaces. */
struct generation {
    struct am_config *cfg;
    struct route *routes;
    struct inhibitor *ih;
    struct am_receiver **recv;
    size_t nrecv;
    struct dispatch *disp;
};

struct notifier {
    struct event_base *base;
    struct httpc *http;
    struct http_sender sender;
    struct store *store;
    struct am_alerts alerts;
    struct silence_store *silences;
    struct generation gen;
    struct event *timer, *gc_timer;
    char *external_url;
    int64_t started_at;
    struct metrics_registry *metrics;
    /* POST /api/v2/alerts requests waiting for the next group commit (flush_posts) */
    struct post_wait *posts;
    size_t nposts, cap_posts;
    struct event *post_flush;
    struct escalation *esc; /* incidents and escalation (notifier/escalation) */
    struct metrics_family *m_notifications, *m_failed, *m_received, *m_invalid;
    /* scratch for notifier_alert_status */
    char **sil_ids;
    size_t nsil;
    char inhibited_by[17];
    const char *inhibited_ptr;
};

static void flush_posts(struct notifier *n);
static void on_post_flush(evutil_socket_t fd, short what, void *arg);

int64_t notifier_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* ---- dispatcher hooks ---- */

struct find_route {
    const char *key;
    const struct route *found;
};

static void find_route_cb(const struct route *r, void *ctx)
{
    struct find_route *f = ctx;
    if (f->found == NULL && strcmp(r->key, f->key) == 0)
        f->found = r;
}

static bool hook_time_muted(void *ctx, const char *route_key, int64_t now)
{
    struct notifier *n = ctx;
    struct find_route f = {route_key, NULL};
    route_walk(n->gen.routes, find_route_cb, &f);
    return f.found && route_is_muted(f.found, n->gen.cfg, now / NS_PER_MS);
}

static bool hook_inhibited(void *ctx, const struct am_alert *a, int64_t now)
{
    struct notifier *n = ctx;
    return inhibitor_mutes(n->gen.ih, a->labels, now / NS_PER_MS, NULL);
}

static bool hook_silenced(void *ctx, const struct am_alert *a, int64_t now)
{
    struct notifier *n = ctx;
    char **ids = NULL;
    size_t k = silence_store_mutes(n->silences, a->labels, now / NS_PER_MS, &ids);
    silence_ids_free(ids, k);
    return k > 0;
}

static void hook_attempted(void *ctx, const char *group_key, const char *receiver, unsigned index,
                           const struct am_notify_result *r, unsigned attempt, int64_t now)
{
    struct notifier *n = ctx;
    char att[16], st[16], idx[16];
    if (n->esc)
        escalation_on_attempt(n->esc, group_key, receiver, index, r, attempt, now);
    snprintf(att, sizeof(att), "%u", attempt);
    snprintf(st, sizeof(st), "%d", r->status);
    snprintf(idx, sizeof(idx), "%u", index);
    if (n->m_notifications)
        metrics_inc(metrics_childv(n->m_notifications, receiver));
    if (r->outcome == AM_NOTIFY_OK) {
        log_kv(LOG_DEBUG, "notify success", "receiver", receiver, "integration", idx, "aggrGroup",
               group_key, "attempts", att, NULL);
    } else {
        if (n->m_failed)
            metrics_inc(metrics_childv(n->m_failed, receiver,
                                       r->outcome == AM_NOTIFY_RETRY ? "retryable" : "permanent"));
        log_kv(LOG_WARN, "notify attempt failed", "receiver", receiver, "integration", idx,
               "aggrGroup", group_key, "attempt", att, "status", st, "err", r->msg, NULL);
    }
}

/* ---- escalation hooks (notifier/escalation) ---- */

static void esc_foreach_group(void *ctx, esc_group_cb cb, void *arg)
{
    notifier_foreach_group(ctx, cb, arg);
}

static const char *esc_suppressed(void *ctx, const struct am_alert *a)
{
    struct notifier *n = ctx;
    int64_t now = notifier_now();
    if (hook_silenced(n, a, now))
        return "silenced";
    if (hook_inhibited(n, a, now))
        return "inhibited";
    return NULL;
}

static int64_t esc_now(void *ctx)
{
    (void)ctx;
    return notifier_now();
}

struct escalation *notifier_escalation(struct notifier *n)
{
    return n->esc;
}

static int64_t hook_now(void *ctx)
{
    (void)ctx;
    return notifier_now();
}

static void arm_timer(struct notifier *n);

static void on_timer(evutil_socket_t fd, short what, void *arg)
{
    struct notifier *n = arg;
    (void)fd;
    (void)what;
    dispatch_advance(n->gen.disp, notifier_now());
    arm_timer(n);
}

static void arm_timer(struct notifier *n)
{
    int64_t next = dispatch_next_deadline(n->gen.disp), now = notifier_now(), d;
    struct timeval tv;
    if (next == INT64_MAX) {
        evtimer_del(n->timer);
        return;
    }
    d = next > now ? next - now : 0;
    if (d > 3600LL * 1000000000LL)
        d = 3600LL * 1000000000LL;
    tv.tv_sec = (time_t)(d / 1000000000LL);
    tv.tv_usec = (suseconds_t)((d % 1000000000LL) / 1000);
    evtimer_add(n->timer, &tv);
}

/* ---- generations ---- */

static void receivers_free(struct am_receiver **recv, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        for (size_t k = 0; k < recv[i]->n; k++)
            am_integration_free(recv[i]->integrations[k]);
        xfree(recv[i]->integrations);
        xfree(recv[i]->name);
        xfree(recv[i]);
    }
    xfree(recv);
}

static void add_integration(struct am_receiver *r, struct am_integration *it)
{
    r->integrations = xreallocarray(r->integrations, r->n + 1, sizeof(*r->integrations));
    r->integrations[r->n++] = it;
}

/* Builds g's receivers with the template set tmpl (borrowed; loaded by generation_new, so that
 * a template file that does not parse makes the configuration invalid). */
static void build_receivers(struct notifier *n, struct generation *g, struct am_tmpl *tmpl)
{
    struct err e;
    g->nrecv = g->cfg->nreceivers;
    g->recv = xcalloc(g->nrecv ? g->nrecv : 1, sizeof(*g->recv));
    for (size_t i = 0; i < g->nrecv; i++) {
        const struct am_receiver_config *c = &g->cfg->receivers[i];
        struct am_receiver *r = xcalloc(1, sizeof(*r));
        r->name = xstrdup(c->name);
        for (int k = 0; k < AM_INTEGRATION_KINDS; k++) {
            for (size_t j = 0; j < c->configs[k].n; j++) {
                const void *cfg = c->configs[k].v[j];
                struct am_integration *it = NULL;
                int rc = 0;
                if (k == AM_WEBHOOK) {
                    const struct am_webhook_config *w = cfg;
                    struct webhook_conf wc = {w->url, w->send_resolved,
                                              w->max_alerts > 0 ? (size_t)w->max_alerts : 0,
                                              w->http_config};
                    it = webhook_new(&wc, (unsigned)j, &n->sender.base);
                } else if (k == AM_SLACK && tmpl) {
                    it = slack_new(cfg, (unsigned)j, tmpl, &n->sender.base);
                } else if (k == AM_EMAIL && tmpl) {
                    it = email_new(cfg, (unsigned)j, tmpl, email_transport_curl(n->base));
                } else if (k == AM_SMS && tmpl) {
                    it = sms_new(cfg, (unsigned)j, tmpl, &n->sender.base);
                } else if (k == AM_OPSGENIE && tmpl) {
                    it = opsgenie_new(cfg, (unsigned)j, tmpl, &n->sender.base);
                } else if (k == AM_PAGERDUTY && tmpl) {
                    rc = pagerduty_new(cfg, (unsigned)j, tmpl, &n->sender.base, &it, &e);
                } else {
                    rc = err_set(&e, ERR_UNSUPPORTED, "not implemented: %s integration",
                                 am_integration_name((enum am_integration_kind)k));
                }
                if (it) {
                    add_integration(r, it);
                } else {
                    log_kv(LOG_ERROR, "integration not created; notifications to it are not sent",
                           "receiver", c->name, "integration",
                           am_integration_name((enum am_integration_kind)k), "err",
                           rc ? e.msg : "unknown", NULL);
                }
            }
        }
        g->recv[i] = r;
    }
}

static void generation_free(struct generation *g)
{
    dispatch_free(g->disp);
    receivers_free(g->recv, g->nrecv);
    inhibitor_free(g->ih);
    route_tree_free(g->routes);
    config_free(g->cfg);
    memset(g, 0, sizeof(*g));
}

/* Routes a (stored) alert into g's dispatcher. */
static void route_alert(struct generation *g, const struct am_alert *a, int64_t now)
{
    const struct route **rs = NULL;
    size_t nr = route_match(g->routes, a->labels, &rs);
    struct dispatch_route_opts *opts = xcalloc(nr ? nr : 1, sizeof(*opts));
    const struct dispatch_route_opts **ptrs = xcalloc(nr ? nr : 1, sizeof(*ptrs));
    for (size_t i = 0; i < nr; i++) {
        const struct route *r = rs[i];
        opts[i].route_key = r->key;
        opts[i].receiver = r->receiver;
        opts[i].group_by_all = r->group_by_all;
        opts[i].group_by = (const char *const *)r->group_by;
        opts[i].n_group_by = r->ngroup_by;
        opts[i].group_wait = r->group_wait_ms * NS_PER_MS;
        opts[i].group_interval = r->group_interval_ms * NS_PER_MS;
        opts[i].repeat_interval = r->repeat_interval_ms * NS_PER_MS;
        ptrs[i] = &opts[i];
    }
    if (dispatch_insert(g->disp, a, ptrs, nr, now) != 0)
        log_kv(LOG_ERROR, "cannot dispatch alert: route with a non-positive group_interval", NULL);
    xfree(ptrs);
    xfree(opts);
    xfree(rs);
}

static int generation_new(struct notifier *n, const char *config_file, struct generation *g,
                          struct err *e)
{
    int rc = ERR_INTERNAL;
    struct dispatch_hooks hooks = {
        .ctx = n,
        .time_muted = hook_time_muted,
        .inhibited = hook_inhibited,
        .silenced = hook_silenced,
        .attempted = hook_attempted,
        .now = hook_now,
    };
    struct dispatch_opts dopts;
    const struct am_alert **list = NULL;
    struct am_tmpl *tmpl = NULL;
    size_t na = 0;
    int64_t now = notifier_now();
    memset(g, 0, sizeof(*g));
    if ((rc = config_load_file(config_file, &g->cfg, e)) != 0)
        goto out;
    if ((rc = route_tree_build(g->cfg, &g->routes, e)) != 0)
        goto out;
    if ((rc = am_tmpl_load_config(g->cfg, &tmpl, e)) != 0)
        goto out;
    g->ih = inhibitor_new(g->cfg);
    build_receivers(n, g, tmpl);
    dispatch_opts_default(&dopts);
    dopts.external_url = n->external_url;
    dopts.store = n->store;
    g->disp =
        dispatch_new((const struct am_receiver *const *)g->recv, g->nrecv, &hooks, &dopts, now);
    list = am_alerts_list(&n->alerts, &na);
    for (size_t i = 0; i < na; i++) {
        inhibitor_put(g->ih, list[i]->fingerprint, list[i]->labels, list[i]->ends_at / NS_PER_MS);
        route_alert(g, list[i], now);
    }
    xfree(list);
    rc = 0;
out:
    am_tmpl_unref(tmpl);
    if (rc != 0)
        generation_free(g);
    return rc;
}

/* ---- housekeeping ---- */

static void on_gc(evutil_socket_t fd, short what, void *arg)
{
    struct notifier *n = arg;
    int64_t now = notifier_now();
    struct err e;
    (void)fd;
    (void)what;
    err_clear(&e);
    /* resolved alerts are kept as long as Alertmanager keeps them: until they are resolved
     * for the GC period; the dispatcher holds its own copies for pending notifications */
    if (am_alerts_gc_durable(&n->alerts, n->store, now, &e) < 0)
        log_kv(LOG_WARN, "alert garbage collection: store write failed", "err", e.msg, NULL);
    inhibitor_gc(n->gen.ih, now / NS_PER_MS);
    silence_store_gc(n->silences, now / NS_PER_MS);
    if (n->store && store_maybe_snapshot(n->store, now, &e) != 0)
        log_kv(LOG_WARN, "store snapshot failed", "err", e.msg, NULL);
}

/* ---- open / close / reload ---- */

static void restore_silences_cb(void *arg, const char *key, size_t klen,
                                const struct store_value *v)
{
    struct notifier *n = arg;
    struct silence *s = NULL;
    struct err e;
    (void)key;
    (void)klen;
    err_clear(&e);
    if (silence_parse_json(v->data, v->len, &s, &e) != 0 ||
        silence_store_restore(n->silences, s, &e) != 0)
        log_kv(LOG_WARN, "skipping a stored silence that does not load", "err", e.msg, NULL);
    silence_free(s);
}

int notifier_open(struct event_base *base, const char *config_file, const struct notifier_opts *o,
                  struct metrics_registry *metrics, struct notifier **out, struct err *e)
{
    int rc = ERR_INTERNAL;
    struct notifier *n = xcalloc(1, sizeof(*n));
    struct timeval gc = {GC_INTERVAL_S, 0};
    *out = NULL;
    n->base = base;
    n->started_at = notifier_now();
    n->external_url = xstrdup(o && o->external_url ? o->external_url : "");
    n->http = httpc_new(base);
    http_sender_init(&n->sender, n->http);
    am_alerts_init(&n->alerts);
    n->silences = silence_store_new(0);
    n->metrics = metrics;
    if (metrics) {
        n->m_notifications = metrics_counter_new(metrics, "tocsin_notifications_total",
                                                 "Notification attempts, by receiver.",
                                                 (const char *const[]){"receiver", NULL});
        n->m_failed = metrics_counter_new(metrics, "tocsin_notifications_failed_total",
                                          "Failed notification attempts, by receiver and kind.",
                                          (const char *const[]){"receiver", "reason", NULL});
        n->m_received = metrics_counter_new(metrics, "tocsin_alerts_received_total",
                                            "Alerts received on the API, by status.",
                                            (const char *const[]){"status", NULL});
        n->m_invalid = metrics_counter_new(metrics, "tocsin_alerts_invalid_total",
                                           "Alerts rejected by validation.", NULL);
    }
    if (o && o->storage_path && *o->storage_path) {
        struct store_opts so;
        store_opts_default(&so);
        so.fsync = o->fsync;
        if ((rc = store_open(o->storage_path, &so, &n->store, e)) != 0)
            goto out;
        rc = am_alerts_load(&n->alerts, n->store);
        if (rc > 0)
            log_kv(LOG_WARN, "skipped corrupt alert records while restoring", NULL);
        store_foreach(n->store, STORE_NS_SILENCE, restore_silences_cb, n);
    }
    {
        struct esc_env env = {n, esc_foreach_group, esc_suppressed, esc_now};
        struct esc_opts eo = {.store = n->store,
                              .external_url = n->external_url,
                              .ack_secret_file = o ? o->ack_secret_file : NULL,
                              .storage_dir = o ? o->storage_path : NULL,
                              .metrics = metrics};
        if ((rc = escalation_new(base, &env, &eo, &n->esc, e)) != 0)
            goto out;
    }
    if ((rc = generation_new(n, config_file, &n->gen, e)) != 0)
        goto out;
    if ((rc = escalation_attach(n->esc, n->gen.cfg, n->gen.recv, n->gen.nrecv, e)) != 0)
        goto out;
    n->timer = evtimer_new(base, on_timer, n);
    n->gc_timer = event_new(base, -1, EV_PERSIST, on_gc, n);
    n->post_flush = evtimer_new(base, on_post_flush, n);
    evtimer_add(n->gc_timer, &gc);
    arm_timer(n);
    {
        char cnt[32], sc[32];
        size_t na = 0;
        xfree(am_alerts_list(&n->alerts, &na));
        snprintf(cnt, sizeof(cnt), "%zu", na);
        snprintf(sc, sizeof(sc), "%zu", silence_store_count(n->silences));
        log_kv(LOG_INFO, "notifier state restored", "alerts", cnt, "silences", sc, NULL);
    }
    *out = n;
    n = NULL;
    rc = 0;
out:
    notifier_close(n);
    return rc;
}

void notifier_close(struct notifier *n)
{
    if (n == NULL)
        return;
    /* let SMTP transfers still in flight on worker threads finish before the loop goes */
    email_transport_curl_shutdown();
    /* requests still waiting for a group commit get their answer now */
    flush_posts(n);
    if (n->post_flush)
        event_free(n->post_flush);
    if (n->timer)
        event_free(n->timer);
    if (n->gc_timer)
        event_free(n->gc_timer);
    generation_free(&n->gen);
    escalation_free(n->esc);
    httpc_free(n->http);
    silence_store_free(n->silences);
    am_alerts_fini(&n->alerts);
    store_close(n->store);
    silence_ids_free(n->sil_ids, n->nsil);
    xfree(n->external_url);
    xfree(n);
}

int notifier_reload(struct notifier *n, const char *config_file, struct err *e)
{
    struct generation g;
    int rc = generation_new(n, config_file, &g, e);
    if (rc != 0)
        return rc;
    if ((rc = escalation_attach(n->esc, g.cfg, g.recv, g.nrecv, e)) != 0) {
        generation_free(&g);
        return rc;
    }
    generation_free(&n->gen);
    n->gen = g;
    arm_timer(n);
    return 0;
}

const struct am_config *notifier_config(const struct notifier *n)
{
    return n->gen.cfg;
}

int64_t notifier_started_at(const struct notifier *n)
{
    return n->started_at;
}

const char *notifier_external_url(const struct notifier *n)
{
    return n->external_url;
}

struct silence_store *notifier_silences(struct notifier *n)
{
    return n->silences;
}

/* ---- alerts ---- */

/* One POST /api/v2/alerts waiting for the next group commit. */
struct post_wait {
    struct am_postable_result res;
    notifier_post_done_cb done;
    void *arg;
};

/*
 * Group commit: merges the alerts of every queued request, writes them in one store commit
 * (one fdatasync), and only when that succeeded applies them in memory and routes them; then
 * answers every request (its own 200/400, or 500 for all when the commit failed).
 */
static void flush_posts(struct notifier *n)
{
    struct post_wait *w = n->posts;
    size_t nw = n->nposts, total = 0, k = 0;
    int64_t now = notifier_now();
    const struct am_alert **all, **merged;
    struct err e;
    int rc;
    n->posts = NULL;
    n->nposts = n->cap_posts = 0;
    if (nw == 0)
        goto out;
    err_clear(&e);
    for (size_t i = 0; i < nw; i++)
        total += w[i].res.n;
    all = xcalloc(total ? total : 1, sizeof(*all));
    merged = xcalloc(total ? total : 1, sizeof(*merged));
    for (size_t i = 0; i < nw; i++)
        for (size_t j = 0; j < w[i].res.n; j++)
            all[k++] = w[i].res.alerts[j];
    rc = am_alerts_put_durable(&n->alerts, n->store, (const struct am_alert *const *)all, total,
                               now, merged, &e);
    if (rc == 0) {
        for (size_t i = 0; i < total; i++) {
            const struct am_alert *a = merged[i];
            inhibitor_put(n->gen.ih, a->fingerprint, a->labels, a->ends_at / NS_PER_MS);
            route_alert(&n->gen, a, now);
            if (n->m_received)
                metrics_inc(metrics_childv(n->m_received,
                                           am_alert_resolved_at(a, now) ? "resolved" : "firing"));
        }
        arm_timer(n);
    }
    for (size_t i = 0; i < nw; i++) {
        if (rc != 0)
            w[i].done(w[i].arg, 500, e.msg);
        else if (w[i].res.errors)
            w[i].done(w[i].arg, 400, w[i].res.errors);
        else
            w[i].done(w[i].arg, 200, "");
    }
    xfree(all);
    xfree(merged);
out:
    for (size_t i = 0; i < nw; i++)
        am_postable_result_fini(&w[i].res);
    xfree(w);
}

static void on_post_flush(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    flush_posts(arg);
}

void notifier_post_alerts_async(struct notifier *n, const char *body, size_t len,
                                notifier_post_done_cb done, void *arg)
{
    struct am_postable_result res = {0};
    int64_t now = notifier_now();
    int status = 500;
    struct err e;
    struct post_wait *w;
    err_clear(&e);
    if (am_alerts_decode_postable(body, len, now, n->gen.cfg->global.resolve_timeout_ms * NS_PER_MS,
                                  &res, &status, &e) != 0) {
        done(arg, status, e.msg);
        return;
    }
    if (n->m_invalid && res.n_invalid)
        metrics_add(metrics_get(n->m_invalid), (double)res.n_invalid);
    if (n->nposts == n->cap_posts) {
        n->cap_posts = n->cap_posts ? 2 * n->cap_posts : 16;
        n->posts = xrealloc(n->posts, n->cap_posts * sizeof(*n->posts));
    }
    w = &n->posts[n->nposts++];
    w->res = res;
    w->done = done;
    w->arg = arg;
    if (n->post_flush == NULL) {
        /* no loop (tests): commit at once */
        flush_posts(n);
    } else if (!evtimer_pending(n->post_flush, NULL)) {
        /* a zero timeout fires after the I/O events of the next loop iteration, so every
         * request read meanwhile (e.g. while this commit's fdatasync blocked) joins the batch */
        struct timeval tv = {0, 0};
        evtimer_add(n->post_flush, &tv);
    }
}

struct post_sync {
    int status;
    struct err *e;
};

static void post_sync_done(void *arg, int status, const char *msg)
{
    struct post_sync *p = arg;
    p->status = status;
    if (status != 200)
        err_set(p->e, status == 500 ? ERR_IO : ERR_INVALID, "%s", msg);
}

int notifier_post_alerts(struct notifier *n, const char *body, size_t len, int *status,
                         struct err *e)
{
    struct post_sync p = {500, e};
    notifier_post_alerts_async(n, body, len, post_sync_done, &p);
    flush_posts(n);
    *status = p.status;
    return p.status == 200 ? 0 : p.status == 500 ? ERR_IO : ERR_INVALID;
}

void notifier_alert_status(struct notifier *n, const struct am_alert *a, struct am_alert_status *st)
{
    int64_t now_ms = notifier_now() / NS_PER_MS;
    uint64_t by = 0;
    silence_ids_free(n->sil_ids, n->nsil);
    n->sil_ids = NULL;
    n->nsil = silence_store_mutes(n->silences, a->labels, now_ms, &n->sil_ids);
    memset(st, 0, sizeof(*st));
    st->silenced_by = (const char *const *)n->sil_ids;
    st->n_silenced = n->nsil;
    if (inhibitor_mutes(n->gen.ih, a->labels, now_ms, &by)) {
        am_fingerprint_format(by, n->inhibited_by);
        n->inhibited_ptr = n->inhibited_by;
        st->inhibited_by = &n->inhibited_ptr;
        st->n_inhibited = 1;
    }
    st->state = (st->n_silenced || st->n_inhibited) ? AM_STATE_SUPPRESSED : AM_STATE_ACTIVE;
}

void notifier_foreach_alert(struct notifier *n,
                            void (*cb)(void *arg, const struct am_alert *a,
                                       const struct am_alert_status *st,
                                       const char *const *receivers, size_t nreceivers),
                            void *arg)
{
    size_t na = 0;
    const struct am_alert **list = am_alerts_list(&n->alerts, &na);
    for (size_t i = 0; i < na; i++) {
        struct am_alert_status st;
        const struct route **rs = NULL;
        size_t nr = route_match(n->gen.routes, list[i]->labels, &rs), nu = 0;
        const char **names = xcalloc(nr ? nr : 1, sizeof(*names));
        for (size_t k = 0; k < nr; k++) {
            bool dup = false;
            for (size_t j = 0; j < nu; j++)
                dup = dup || strcmp(names[j], rs[k]->receiver) == 0;
            if (!dup)
                names[nu++] = rs[k]->receiver;
        }
        notifier_alert_status(n, list[i], &st);
        cb(arg, list[i], &st, names, nu);
        xfree(names);
        xfree(rs);
    }
    xfree(list);
}

void notifier_foreach_group(struct notifier *n,
                            void (*cb)(void *arg, const char *group_key,
                                       const struct labels *group_labels, const char *receiver,
                                       const struct am_alert *const *alerts, size_t na),
                            void *arg)
{
    dispatch_foreach_group(n->gen.disp, cb, arg);
}

/* ---- silences ---- */

static int persist_silence(struct notifier *n, const char *id, struct err *e)
{
    struct silence *s = NULL;
    char *json;
    int rc;
    if (n->store == NULL)
        return 0;
    if ((rc = silence_store_get(n->silences, id, &s, e)) != 0)
        return rc;
    json = silence_format_json(s, notifier_now() / NS_PER_MS);
    rc = store_put(n->store, STORE_NS_SILENCE, id, strlen(id), json, strlen(json), 0);
    if (rc == 0)
        rc = store_commit(n->store, e);
    xfree(json);
    silence_free(s);
    return rc;
}

int notifier_silence_set(struct notifier *n, const struct silence *s, char *out_id, struct err *e)
{
    int rc = silence_store_set(n->silences, s, notifier_now() / NS_PER_MS, out_id, e);
    if (rc != 0)
        return rc;
    /* an update that replaced the silence expired the old one: persist both */
    if (s->id[0] != '\0' && strcmp(s->id, out_id) != 0)
        (void)persist_silence(n, s->id, NULL);
    return persist_silence(n, out_id, e);
}

int notifier_silence_expire(struct notifier *n, const char *id, struct err *e)
{
    int rc = silence_store_expire(n->silences, id, notifier_now() / NS_PER_MS, e);
    if (rc != 0)
        return rc;
    return persist_silence(n, id, e);
}
