/* SPDX-License-Identifier: Apache-2.0 */
/* The incident engine: opening incidents, walking policies, acks, resolution, durable records
 * and timelines, and the wrapper integrations that decorate notifications. */
#include "notifier/escalation/escalation.h"

#include <event2/event.h>
#include <openssl/sha.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/labels.h"
#include "common/log.h"
#include "common/metrics.h"
#include "common/xalloc.h"
#include "common/yamlx.h"
#include "notifier/alert/alert.h"
#include "notifier/config/config.h"
#include "notifier/escalation/acklink.h"
#include "notifier/escalation/policy.h"
#include "notifier/receivers/receiver.h"
#include "notifier/route/route.h"
#include "notifier/store/store.h"
#include "notifier/timeline/timeline.h"

#define NS_PER_S         1000000000LL
#define SEND_TIMEOUT_NS  (30LL * NS_PER_S)
#define MAX_RETRY_NS     (3600LL * NS_PER_S)
#define BACKOFF_FIRST_NS (500LL * 1000000LL)
#define BACKOFF_MAX_NS   (60LL * NS_PER_S)
#define RESOLVED_KEEP_NS (90LL * 24 * 3600 * NS_PER_S)

struct incident {
    json_t *j;        /* the durable record */
    json_t *timeline; /* events in order when there is no store (else read from the store) */
    bool seen;        /* scratch for the group poll */
    bool dirty;       /* record changed since the last commit */
    struct incident *next;
};

struct esc_send {
    struct escalation *x; /* NULL when detached */
    char id[32];
    char *key; /* pending entry key */
    unsigned attempt;
    int64_t first_try, next_try;
    bool inflight, finished;
    struct esc_send *next;
};

/* Wrapper around a receiver's integration. */
struct esc_wrap {
    struct am_integration base;
    struct am_integration *inner;
    struct escalation *x;
};

struct escalation {
    struct event_base *base;
    struct event *timer;
    struct esc_env env;
    struct store *store;
    char *external_url;
    struct acklink_key key;
    int64_t link_ttl, poll;
    struct esc_config *cfg;
    struct route *routes;
    struct am_receiver **recv;
    size_t nrecv;
    struct incident *incidents;
    json_t *active; /* group key -> address of its open/acked incident (an index) */
    struct esc_send *sends;
    struct metrics_family *m_opened, *m_acked, *m_resolved, *m_tta, *m_ttr, *m_esc;
};

static void arm(struct escalation *x);

/* ---- small JSON helpers ---- */

static const char *js(const json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

static int64_t ji(const json_t *o, const char *k)
{
    return (int64_t)json_integer_value(json_object_get(o, k));
}

static void set_s(json_t *o, const char *k, const char *v)
{
    json_object_set_new(o, k, json_string(v ? v : ""));
}

static void set_i(json_t *o, const char *k, int64_t v)
{
    json_object_set_new(o, k, json_integer((json_int_t)v));
}

static json_t *labels_json(const struct labels *ls)
{
    json_t *o = json_object();
    for (size_t i = 0; ls && i < ls->n; i++)
        json_object_set_new(o, ls->v[i].name, json_string(ls->v[i].value));
    return o;
}

static struct labels *json_labels(const json_t *o)
{
    struct labels_builder b;
    const char *k;
    json_t *v;
    struct labels *ls;
    labels_builder_init(&b);
    json_object_foreach((json_t *)o, k, v) labels_builder_set(&b, k, json_string_value(v));
    ls = labels_builder_finish(&b);
    labels_builder_fini(&b);
    return ls;
}

/* Text form of an alert's labels for the timeline. */
static char *alert_text(const json_t *labels)
{
    struct labels *ls = json_labels(labels);
    struct buf b;
    buf_init(&b, 0);
    labels_format(ls, &b);
    labels_free(ls);
    return buf_steal(&b, NULL);
}

/* ---- incidents and persistence ---- */

static struct incident *find_id(const struct escalation *x, const char *id)
{
    for (struct incident *i = x->incidents; i; i = i->next)
        if (strcmp(js(i->j, "id"), id) == 0)
            return i;
    return NULL;
}

/* The newest incident of a group; active_only skips resolved ones. */
static struct incident *find_group(const struct escalation *x, const char *group_key,
                                   bool active_only)
{
    struct incident *best = NULL;
    if (active_only) {
        json_t *v = json_object_get(x->active, group_key);
        return v ? (struct incident *)(intptr_t)json_integer_value(v) : NULL;
    }
    for (struct incident *i = x->incidents; i; i = i->next) {
        if (strcmp(js(i->j, "group_key"), group_key) != 0)
            continue;
        if (active_only && strcmp(js(i->j, "state"), "resolved") == 0)
            continue;
        if (best == NULL || ji(i->j, "opened") > ji(best->j, "opened"))
            best = i;
    }
    return best;
}

static void stage_record(struct escalation *x, struct incident *inc)
{
    char *text;
    const char *id = js(inc->j, "id");
    int64_t exp = 0;
    inc->dirty = false;
    if (x->store == NULL)
        return;
    if (strcmp(js(inc->j, "state"), "resolved") == 0)
        exp = ji(inc->j, "resolved_at") + RESOLVED_KEEP_NS;
    text = json_dumps(inc->j, JSON_COMPACT | JSON_SORT_KEYS);
    if (text &&
        store_put(x->store, STORE_NS_ESCALATION, id, strlen(id), text, strlen(text), exp) != 0)
        log_kv(LOG_ERROR, "incident record too large for the store", "incident", id, NULL);
    free(text);
}

/* Commits staged records; failures are logged (the in-memory state goes on). */
static int commit(struct escalation *x, struct err *e)
{
    struct err e2;
    int rc;
    if (x->store == NULL)
        return 0;
    err_clear(&e2);
    rc = store_commit(x->store, e ? e : &e2);
    if (rc != 0)
        log_kv(LOG_ERROR, "escalation store commit failed", "err", e ? e->msg : e2.msg, NULL);
    return rc;
}

/* Appends an event (taken) to the timeline and stages it with the record. */
static void tl_add(struct escalation *x, struct incident *inc, const char *type, int64_t now,
                   json_t *ev)
{
    uint64_t seq = (uint64_t)ji(inc->j, "seq");
    if (ev == NULL)
        ev = json_object();
    set_s(ev, "type", type);
    set_i(ev, "t", now);
    if (x->store && timeline_stage(x->store, js(inc->j, "id"), seq, ev) != 0)
        log_kv(LOG_ERROR, "timeline event too large for the store", NULL);
    if (inc->timeline)
        json_array_append_new(inc->timeline, ev);
    else
        json_decref(ev);
    set_i(inc->j, "seq", (int64_t)seq + 1);
    stage_record(x, inc);
}

static const struct esc_policy *inc_policy(const struct escalation *x, const struct incident *inc)
{
    const char *p = js(inc->j, "policy");
    return *p ? esc_policy_find(x->cfg, p) : NULL;
}

/* Due time of chain position (cycle, step) of inc. */
static int64_t due_at(const struct esc_policy *p, const struct incident *inc, int64_t cycle,
                      int64_t step)
{
    int64_t off = step == 0 ? 0 : p->steps[step - 1].after_ms;
    return ji(inc->j, "chain_start") + (cycle * p->repeat_interval_ms + off) * 1000000LL;
}

/* Sets the next chain position after (cycle, step) fired, or none. */
static void advance_chain(const struct esc_policy *p, struct incident *inc, int64_t cycle,
                          int64_t step)
{
    if (p == NULL) {
        set_i(inc->j, "next_due", 0);
        return;
    }
    if ((size_t)step < p->nsteps) {
        step++;
    } else if (cycle < p->repeat) {
        cycle++;
        step = 0;
    } else {
        set_i(inc->j, "next_due", 0);
        return;
    }
    set_i(inc->j, "cycle", cycle);
    set_i(inc->j, "step", step);
    set_i(inc->j, "next_due", due_at(p, inc, cycle, step));
}

/* ---- metrics ---- */

static const char *inc_severity(const struct incident *inc)
{
    return js(inc->j, "severity");
}

static void observe(struct metrics_family *f, const struct incident *inc, double v)
{
    if (f)
        metrics_observe(metrics_childv(f, js(inc->j, "route"), inc_severity(inc)), v);
}

static void count(struct metrics_family *f, const struct incident *inc)
{
    if (f)
        metrics_inc(metrics_childv(f, js(inc->j, "route"), inc_severity(inc)));
}

/* ---- deliveries ---- */

static struct am_receiver *receiver_find(const struct escalation *x, const char *name)
{
    for (size_t i = 0; i < x->nrecv; i++)
        if (strcmp(x->recv[i]->name, name) == 0)
            return x->recv[i];
    return NULL;
}

static struct am_integration *inner_of(struct am_integration *it)
{
    return it->notify != NULL && strcmp(it->kind, "tocsin-wrap") == 0
               ? ((struct esc_wrap *)it)->inner
               : it;
}

static void queue_send(struct escalation *x, const char *id, const char *key, int64_t now)
{
    struct esc_send *s = xcalloc(1, sizeof(*s));
    s->x = x;
    snprintf(s->id, sizeof(s->id), "%s", id);
    s->key = xstrdup(key);
    s->first_try = s->next_try = now;
    s->next = x->sends;
    x->sends = s;
}

/* Adds pending deliveries (one per integration of receiver) to inc and queues them. */
static void add_pending(struct escalation *x, struct incident *inc, const char *receiver,
                        const char *user, int64_t cycle, int64_t step, bool resolved, int64_t now)
{
    struct am_receiver *r = receiver_find(x, receiver);
    json_t *pending = json_object_get(inc->j, "pending");
    if (r == NULL) {
        log_kv(LOG_WARN, "escalation receiver not found", "receiver", receiver, NULL);
        return;
    }
    for (size_t k = 0; k < r->n; k++) {
        char key[512];
        json_t *p;
        if (resolved && !inner_of(r->integrations[k])->send_resolved)
            continue;
        snprintf(key, sizeof(key), "%s/c%lld/s%lld/%s/%zu/%s", resolved ? "resolved" : "firing",
                 (long long)cycle, (long long)step, receiver, k, user ? user : "");
        if (json_object_get(pending, key))
            continue;
        p = json_object();
        set_s(p, "receiver", receiver);
        set_i(p, "index", (int64_t)k);
        set_s(p, "user", user);
        set_i(p, "cycle", cycle);
        set_i(p, "step", step);
        json_object_set_new(p, "resolved", json_boolean(resolved));
        json_object_set_new(pending, key, p);
        queue_send(x, js(inc->j, "id"), key, now);
    }
}

/* Drops pending firing deliveries (ack / resolve stops them). */
static void cancel_firing(struct incident *inc)
{
    json_t *pending = json_object_get(inc->j, "pending"), *p;
    const char *k;
    void *tmp;
    json_object_foreach_safe(pending, tmp, k, p)
    {
        if (!json_is_true(json_object_get(p, "resolved")))
            json_object_del(pending, k);
    }
}

static void add_annotation(struct labels_builder *b, const char *k, const char *v)
{
    if (v && *v)
        labels_builder_set(b, k, v);
}

/* Builds the alerts of inc for a notification (caller frees each and the array). */
static struct am_alert **build_alerts(const struct escalation *x, const struct incident *inc,
                                      const json_t *pend, bool resolved, int64_t now, size_t *n)
{
    json_t *alerts = json_object_get(inc->j, "alerts"), *a;
    const char *fp;
    struct am_alert **v = xcalloc(json_object_size(alerts) + 1, sizeof(*v));
    char *link = escalation_link(x, js(inc->j, "id"), "ack", now);
    const struct oncall_user *u = NULL;
    char step[32];
    *n = 0;
    if (pend && *js(pend, "user"))
        u = oncall_user_find(x->cfg->dir, js(pend, "user"));
    snprintf(step, sizeof(step), "%lld", pend ? (long long)ji(pend, "step") : 0LL);
    json_object_foreach(alerts, fp, a)
    {
        struct labels_builder b;
        struct am_alert *al;
        int64_t ends = ji(a, "ends_at");
        labels_builder_init(&b);
        {
            struct labels *ann = json_labels(json_object_get(a, "annotations"));
            labels_builder_from(&b, ann);
            add_annotation(&b, "tocsin_incident_id", js(inc->j, "id"));
            if (!resolved)
                add_annotation(&b, "tocsin_ack_url", link);
            add_annotation(&b, "tocsin_escalation_step", step);
            if (u) {
                add_annotation(&b, "tocsin_oncall_user", u->name);
                add_annotation(&b, "tocsin_oncall_email", u->email);
                add_annotation(&b, "tocsin_oncall_phone", u->phone);
                add_annotation(&b, "tocsin_oncall_slack", u->slack);
                add_annotation(&b, "tocsin_oncall_pagerduty_key", u->pagerduty_key);
            }
            al = am_alert_new(json_labels(json_object_get(a, "labels")), labels_builder_finish(&b),
                              js(a, "generator_url"));
            labels_free(ann);
        }
        labels_builder_fini(&b);
        al->starts_at = ji(a, "starts_at");
        al->updated_at = now;
        if (resolved)
            al->ends_at = ends ? ends : ji(inc->j, "resolved_at");
        else
            al->ends_at = ends && ends <= now ? ends : 0;
        v[(*n)++] = al;
    }
    xfree(link);
    return v;
}

static void send_done(void *arg, const struct am_notify_result *r);

static void send_start(struct escalation *x, struct esc_send *s, int64_t now)
{
    struct incident *inc = find_id(x, s->id);
    json_t *p = inc ? json_object_get(json_object_get(inc->j, "pending"), s->key) : NULL;
    struct am_receiver *r;
    struct am_integration *it;
    struct am_alert **alerts;
    struct labels *gl;
    struct am_notify_data d;
    size_t n = 0;
    bool resolved;
    int rc;
    if (p == NULL) {
        s->finished = true; /* cancelled */
        return;
    }
    r = receiver_find(x, js(p, "receiver"));
    if (r == NULL || (size_t)ji(p, "index") >= r->n) {
        json_object_del(json_object_get(inc->j, "pending"), s->key);
        stage_record(x, inc);
        commit(x, NULL);
        s->finished = true;
        return;
    }
    it = inner_of(r->integrations[ji(p, "index")]);
    resolved = json_is_true(json_object_get(p, "resolved"));
    alerts = build_alerts(x, inc, p, resolved, now, &n);
    gl = json_labels(json_object_get(inc->j, "group_labels"));
    memset(&d, 0, sizeof(d));
    d.receiver = r->name;
    d.group_key = js(inc->j, "group_key");
    d.group_labels = gl;
    d.external_url = x->external_url;
    d.now = now;
    d.alerts = (const struct am_alert *const *)alerts;
    d.n = n;
    s->inflight = true;
    s->attempt++;
    rc = it->notify(it, &d, SEND_TIMEOUT_NS, send_done, s);
    for (size_t i = 0; i < n; i++)
        am_alert_free(alerts[i]);
    xfree(alerts);
    labels_free(gl);
    if (rc != 0) {
        struct am_notify_result res;
        memset(&res, 0, sizeof(res));
        res.outcome = AM_NOTIFY_FAIL;
        snprintf(res.msg, sizeof(res.msg), "cannot build the notification (error %d)", rc);
        send_done(s, &res);
    }
}

static const char *outcome_name(enum am_notify_outcome o)
{
    return o == AM_NOTIFY_OK ? "success" : o == AM_NOTIFY_RETRY ? "retryable failure" : "failure";
}

static void send_done(void *arg, const struct am_notify_result *r)
{
    struct esc_send *s = arg;
    struct escalation *x = s->x;
    struct incident *inc;
    json_t *p, *ev;
    int64_t now;
    bool final;
    if (x == NULL) { /* engine gone */
        xfree(s->key);
        xfree(s);
        return;
    }
    s->inflight = false;
    now = x->env.now(x->env.ctx);
    inc = find_id(x, s->id);
    p = inc ? json_object_get(json_object_get(inc->j, "pending"), s->key) : NULL;
    if (p == NULL) {
        s->finished = true;
        arm(x);
        return;
    }
    ev = json_object();
    set_s(ev, "receiver", js(p, "receiver"));
    {
        struct am_receiver *rv = receiver_find(x, js(p, "receiver"));
        size_t idx = (size_t)ji(p, "index");
        set_s(ev, "integration",
              rv && idx < rv->n ? inner_of(rv->integrations[idx])->kind : "unknown");
    }
    set_i(ev, "index", ji(p, "index"));
    set_i(ev, "step", ji(p, "step"));
    set_i(ev, "cycle", ji(p, "cycle"));
    set_i(ev, "attempt", s->attempt);
    set_s(ev, "user", js(p, "user"));
    set_s(ev, "outcome", outcome_name(r->outcome));
    set_i(ev, "status", r->status);
    set_s(ev, "msg", r->msg);
    json_object_set_new(ev, "resolved", json_boolean(json_is_true(json_object_get(p, "resolved"))));
    final = r->outcome != AM_NOTIFY_RETRY || now - s->first_try >= MAX_RETRY_NS;
    if (r->outcome == AM_NOTIFY_OK && !json_is_true(json_object_get(p, "resolved"))) {
        json_t *notified = json_object_get(inc->j, "notified");
        char nk[512];
        snprintf(nk, sizeof(nk), "%s/%lld/%s", js(p, "receiver"), (long long)ji(p, "index"),
                 js(p, "user"));
        if (!json_object_get(notified, nk))
            json_object_set_new(notified, nk,
                                json_pack("{s:s,s:I,s:s}", "receiver", js(p, "receiver"), "index",
                                          (json_int_t)ji(p, "index"), "user", js(p, "user")));
    }
    if (final) {
        json_object_del(json_object_get(inc->j, "pending"), s->key);
        s->finished = true;
    } else {
        int64_t b = BACKOFF_FIRST_NS;
        for (unsigned i = 1; i < s->attempt && b < BACKOFF_MAX_NS; i++)
            b = b * 3 / 2;
        if (b > BACKOFF_MAX_NS)
            b = BACKOFF_MAX_NS;
        if (r->retry_after_ns > b)
            b = r->retry_after_ns;
        s->next_try = now + b;
    }
    tl_add(x, inc, "notify", now, ev);
    commit(x, NULL);
    arm(x);
}

static void run_sends(struct escalation *x, int64_t now)
{
    struct esc_send **pp = &x->sends;
    if (x->cfg == NULL) /* not attached to receivers yet */
        return;
    /* start due ones (the list may grow at the head while we run; new ones wait a tick) */
    for (struct esc_send *s = x->sends; s; s = s->next)
        if (!s->inflight && !s->finished && s->next_try <= now)
            send_start(x, s, now);
    while (*pp) {
        struct esc_send *s = *pp;
        if (s->finished && !s->inflight) {
            *pp = s->next;
            xfree(s->key);
            xfree(s);
        } else {
            pp = &s->next;
        }
    }
}

/* ---- the chain ---- */

static bool all_suppressed(const struct incident *inc)
{
    json_t *alerts = json_object_get(inc->j, "alerts"), *a;
    const char *fp;
    bool any = false;
    json_object_foreach(alerts, fp, a)
    {
        if (ji(a, "ends_at") != 0)
            continue;
        any = true;
        if (*js(a, "suppressed") == '\0')
            return false;
    }
    return any;
}

static void fire_step(struct escalation *x, struct incident *inc, const struct esc_policy *p,
                      int64_t now)
{
    int64_t cycle = ji(inc->j, "cycle"), step = ji(inc->j, "step");
    json_t *ev = json_object();
    struct buf targets;
    char stepname[32];
    buf_init(&targets, 0);
    if (step == 0) {
        add_pending(x, inc, js(inc->j, "receiver"), NULL, cycle, step, false, now);
        buf_puts(&targets, js(inc->j, "receiver"));
    } else {
        const struct esc_step *st = &p->steps[step - 1];
        for (size_t i = 0; i < st->nreceivers; i++) {
            add_pending(x, inc, st->receivers[i], NULL, cycle, step, false, now);
            buf_printf(&targets, "%s%s", targets.len ? ", " : "", st->receivers[i]);
        }
        for (size_t i = 0; i < st->nnotify; i++) {
            const struct esc_target *t = &st->notify[i];
            const struct oncall_schedule *s = oncall_schedule_find(x->cfg->dir, t->schedule);
            const char *who = s ? oncall_who(s, t->role, now / NS_PER_S) : NULL;
            buf_printf(&targets, "%s%s %s of %s", targets.len ? ", " : "",
                       t->role == ONCALL_PRIMARY ? "primary" : "secondary",
                       who ? who : "(nobody on call)", t->schedule);
            if (who) {
                buf_printf(&targets, " via %s", t->via);
                add_pending(x, inc, t->via, who, cycle, step, false, now);
            }
        }
    }
    json_array_append_new(json_object_get(inc->j, "fired"),
                          json_pack("{s:I,s:I,s:I,s:s}", "cycle", (json_int_t)cycle, "step",
                                    (json_int_t)step, "at", (json_int_t)now, "targets",
                                    buf_str(&targets)));
    set_i(ev, "step", step);
    set_i(ev, "cycle", cycle);
    set_s(ev, "targets", buf_str(&targets));
    buf_fini(&targets);
    advance_chain(p, inc, cycle, step);
    json_object_del(inc->j, "held");
    tl_add(x, inc, "escalated", now, ev);
    snprintf(stepname, sizeof(stepname), "%lld", (long long)step);
    if (x->m_esc)
        metrics_inc(metrics_childv(x->m_esc, stepname));
}

static void fire_due(struct escalation *x, int64_t now)
{
    for (struct incident *inc = x->incidents; inc; inc = inc->next) {
        const struct esc_policy *p = inc_policy(x, inc);
        int guard = 0;
        if (strcmp(js(inc->j, "state"), "open") != 0 || p == NULL)
            continue;
        while (ji(inc->j, "next_due") != 0 && ji(inc->j, "next_due") <= now && guard++ < 1000) {
            if (all_suppressed(inc)) {
                if (!json_is_true(json_object_get(inc->j, "held"))) {
                    json_object_set_new(inc->j, "held", json_true());
                    tl_add(x, inc, "held", now,
                           json_pack("{s:I}", "step", (json_int_t)ji(inc->j, "step")));
                }
                break;
            }
            fire_step(x, inc, p, now);
            /* durable before any send starts (the sends start in run_sends) */
            commit(x, NULL);
        }
    }
}

static void resolve_incident(struct escalation *x, struct incident *inc, const char *by,
                             const char *via, int64_t now, bool manual)
{
    json_t *notified = json_object_get(inc->j, "notified"), *nv;
    const char *k;
    json_object_del(x->active, js(inc->j, "group_key"));
    set_s(inc->j, "state", "resolved");
    set_s(inc->j, "resolved_by", by);
    set_i(inc->j, "resolved_at", now);
    set_i(inc->j, "next_due", 0);
    cancel_firing(inc);
    json_object_foreach(notified, k, nv)
        add_pending(x, inc, js(nv, "receiver"), js(nv, "user"), ji(inc->j, "cycle"), -1, true, now);
    if (manual) /* the dispatcher only tells the route's receiver when the alerts resolve */
        add_pending(x, inc, js(inc->j, "receiver"), NULL, ji(inc->j, "cycle"), -1, true, now);
    tl_add(x, inc, "resolved", now, json_pack("{s:s,s:s}", "by", by, "via", via));
    count(x->m_resolved, inc);
    observe(x->m_ttr, inc, (double)(now - ji(inc->j, "opened")) / 1e9);
}

/* ---- group poll ---- */

struct poll_ctx {
    struct escalation *x;
    int64_t now;
};

static void poll_group(void *arg, const char *group_key, const struct labels *gl,
                       const char *receiver, const struct am_alert *const *alerts, size_t n)
{
    struct poll_ctx *pc = arg;
    struct escalation *x = pc->x;
    struct incident *inc = find_group(x, group_key, true);
    json_t *stored;
    (void)gl;
    (void)receiver;
    if (inc == NULL)
        return;
    inc->seen = true;
    stored = json_object_get(inc->j, "alerts");
    for (size_t i = 0; i < n; i++) {
        const struct am_alert *a = alerts[i];
        char fp[17];
        json_t *s;
        bool firing = !am_alert_resolved_at(a, pc->now);
        const char *why = firing && x->env.suppressed ? x->env.suppressed(x->env.ctx, a) : NULL;
        am_fingerprint_format(a->fingerprint, fp);
        s = json_object_get(stored, fp);
        if (s == NULL) {
            if (!firing)
                continue;
            s = json_pack("{s:o,s:o,s:I,s:I,s:s,s:s}", "labels", labels_json(a->labels),
                          "annotations", labels_json(a->annotations), "starts_at",
                          (json_int_t)a->starts_at, "ends_at", (json_int_t)0, "suppressed", "",
                          "generator_url", a->generator_url);
            json_object_set_new(stored, fp, s);
            {
                char *t = alert_text(json_object_get(s, "labels"));
                tl_add(x, inc, "alert_firing", pc->now, json_pack("{s:s}", "alert", t));
                xfree(t);
            }
            if (strcmp(js(inc->j, "state"), "acked") == 0) {
                const struct esc_policy *p = inc_policy(x, inc);
                if (p && p->reescalate_on_new_alerts) {
                    set_s(inc->j, "state", "open");
                    set_i(inc->j, "chain_start", pc->now);
                    set_i(inc->j, "cycle", 0);
                    set_i(inc->j, "step", 1);
                    set_i(inc->j, "next_due", due_at(p, inc, 0, 1));
                    tl_add(x, inc, "reescalated", pc->now, NULL);
                }
            }
        } else if (firing != (ji(s, "ends_at") == 0)) {
            char *t = alert_text(json_object_get(s, "labels"));
            set_i(s, "ends_at", firing ? 0 : a->ends_at);
            tl_add(x, inc, firing ? "alert_firing" : "alert_resolved", pc->now,
                   json_pack("{s:s}", "alert", t));
            xfree(t);
        }
        if (strcmp(js(s, "suppressed"), why ? why : "") != 0) {
            char *t = alert_text(json_object_get(s, "labels"));
            set_s(s, "suppressed", why);
            tl_add(x, inc, why ? why : "unsuppressed", pc->now, json_pack("{s:s}", "alert", t));
            xfree(t);
        }
    }
}

/* Forgets resolved incidents past retention (the store drops their records at a snapshot). */
static void gc_resolved(struct escalation *x, int64_t now)
{
    struct incident **pp = &x->incidents;
    while (*pp) {
        struct incident *inc = *pp;
        bool has_pending = json_object_size(json_object_get(inc->j, "pending")) > 0;
        if (strcmp(js(inc->j, "state"), "resolved") == 0 && !has_pending &&
            ji(inc->j, "resolved_at") + RESOLVED_KEEP_NS < now) {
            *pp = inc->next;
            json_decref(inc->j);
            json_decref(inc->timeline);
            xfree(inc);
        } else {
            pp = &inc->next;
        }
    }
}

static void poll_groups(struct escalation *x, int64_t now)
{
    struct poll_ctx pc = {x, now};
    for (struct incident *inc = x->incidents; inc; inc = inc->next)
        inc->seen = false;
    if (x->env.foreach_group)
        x->env.foreach_group(x->env.ctx, poll_group, &pc);
    for (struct incident *inc = x->incidents; inc; inc = inc->next) {
        json_t *alerts, *a;
        const char *fp;
        bool firing = false;
        const struct esc_policy *p;
        if (strcmp(js(inc->j, "state"), "resolved") == 0)
            continue;
        alerts = json_object_get(inc->j, "alerts");
        json_object_foreach(alerts, fp, a)
        {
            if (ji(a, "ends_at") != 0)
                continue;
            if (!inc->seen) { /* the group is gone: its alerts resolved */
                char *t = alert_text(json_object_get(a, "labels"));
                set_i(a, "ends_at", now);
                tl_add(x, inc, "alert_resolved", now, json_pack("{s:s}", "alert", t));
                xfree(t);
            } else {
                firing = true;
            }
        }
        p = inc_policy(x, inc);
        if (!firing && (p == NULL || p->stop_on_resolve))
            resolve_incident(x, inc, "notifier (all alerts resolved)", "notifier", now, false);
    }
    commit(x, NULL);
    gc_resolved(x, now);
}

/* ---- opening ---- */

static const struct route *route_for_group(const struct route *r, const char *group_key,
                                           const struct route *best)
{
    size_t kl = strlen(r->key);
    if (strncmp(group_key, r->key, kl) == 0 && group_key[kl] == ':' &&
        (best == NULL || strlen(best->key) < kl))
        best = r;
    for (size_t i = 0; i < r->nroutes; i++)
        best = route_for_group(r->routes[i], group_key, best);
    return best;
}

static struct incident *open_incident(struct escalation *x, const struct am_notify_data *d,
                                      int64_t now)
{
    struct incident *inc = xcalloc(1, sizeof(*inc));
    unsigned char md[SHA256_DIGEST_LENGTH];
    char id[17], buf[64];
    struct buf in;
    const struct route *r = x->routes ? route_for_group(x->routes, d->group_key, NULL) : NULL;
    const char *policy = r && r->escalation_policy && r->escalation_policy->kind == YAMLX_SCALAR
                             ? r->escalation_policy->str
                             : "";
    const struct esc_policy *p;
    const char *sev = labels_get(d->group_labels, "severity");
    json_t *alerts = json_object();
    buf_init(&in, 0);
    buf_printf(&in, "%s\n%lld", d->group_key, (long long)now);
    SHA256((const unsigned char *)buf_str(&in), in.len, md);
    buf_fini(&in);
    for (int i = 0; i < 8; i++)
        snprintf(id + 2 * i, 3, "%02x", md[i]);
    for (size_t i = 0; sev == NULL && i < d->n; i++)
        sev = labels_get(d->alerts[i]->labels, "severity");
    inc->j = json_object();
    inc->timeline = x->store ? NULL : json_array();
    set_s(inc->j, "id", id);
    set_s(inc->j, "group_key", d->group_key);
    set_s(inc->j, "route", r ? r->key : "");
    set_s(inc->j, "receiver", d->receiver);
    set_s(inc->j, "policy", policy);
    set_s(inc->j, "severity", sev ? sev : "");
    json_object_set_new(inc->j, "group_labels", labels_json(d->group_labels));
    set_s(inc->j, "state", "open");
    set_i(inc->j, "opened", now);
    set_i(inc->j, "chain_start", now);
    set_i(inc->j, "seq", 0);
    json_object_set_new(inc->j, "fired", json_array());
    json_object_set_new(inc->j, "pending", json_object());
    json_object_set_new(inc->j, "notified", json_object());
    for (size_t i = 0; i < d->n; i++) {
        const struct am_alert *a = d->alerts[i];
        char fp[17];
        if (am_alert_resolved_at(a, now))
            continue;
        am_fingerprint_format(a->fingerprint, fp);
        json_object_set_new(alerts, fp,
                            json_pack("{s:o,s:o,s:I,s:I,s:s,s:s}", "labels", labels_json(a->labels),
                                      "annotations", labels_json(a->annotations), "starts_at",
                                      (json_int_t)a->starts_at, "ends_at", (json_int_t)0,
                                      "suppressed", "", "generator_url", a->generator_url));
    }
    json_object_set_new(inc->j, "alerts", alerts);
    inc->next = x->incidents;
    x->incidents = inc;
    json_object_set_new(x->active, d->group_key, json_integer((json_int_t)(intptr_t)inc));
    p = inc_policy(x, inc);
    tl_add(x, inc, "opened", now,
           json_pack("{s:s,s:s}", "receiver", d->receiver, "policy", policy));
    {
        json_t *a;
        const char *fp;
        json_object_foreach(alerts, fp, a)
        {
            char *t = alert_text(json_object_get(a, "labels"));
            tl_add(x, inc, "alert_firing", now, json_pack("{s:s}", "alert", t));
            xfree(t);
        }
    }
    /* step 0 is the dispatcher's notification in progress */
    json_array_append_new(json_object_get(inc->j, "fired"),
                          json_pack("{s:I,s:I,s:I,s:s}", "cycle", (json_int_t)0, "step",
                                    (json_int_t)0, "at", (json_int_t)now, "targets", d->receiver));
    tl_add(x, inc, "escalated", now,
           json_pack("{s:I,s:I,s:s}", "step", (json_int_t)0, "cycle", (json_int_t)0, "targets",
                     d->receiver));
    set_i(inc->j, "cycle", 0);
    set_i(inc->j, "step", 0);
    advance_chain(p, inc, 0, 0);
    stage_record(x, inc);
    commit(x, NULL);
    count(x->m_opened, inc);
    if (x->m_esc)
        metrics_inc(metrics_childv(x->m_esc, "0"));
    snprintf(buf, sizeof(buf), "%s", id);
    log_kv(LOG_INFO, "incident opened", "incident", buf, "aggrGroup", d->group_key, "policy",
           *policy ? policy : "none", NULL);
    arm(x);
    return inc;
}

/* ---- the wrapper integration ---- */

static int wrap_notify(struct am_integration *it, const struct am_notify_data *d,
                       int64_t timeout_ns, am_notify_done_cb done, void *arg)
{
    struct esc_wrap *w = (struct esc_wrap *)it;
    struct escalation *x = w->x;
    struct incident *inc = find_group(x, d->group_key, true);
    struct am_notify_data d2;
    struct am_alert **v;
    char *link = NULL;
    bool any_firing = false;
    int rc;
    for (size_t i = 0; i < d->n; i++)
        any_firing = any_firing || !am_alert_resolved_at(d->alerts[i], d->now);
    if (inc == NULL && any_firing)
        inc = open_incident(x, d, d->now);
    if (inc == NULL)
        inc = find_group(x, d->group_key, false);
    /* payloads of routes without a policy stay byte-identical to Alertmanager's */
    if (inc == NULL || *js(inc->j, "policy") == '\0')
        return w->inner->notify(w->inner, d, timeout_ns, done, arg);
    if (any_firing && strcmp(js(inc->j, "state"), "resolved") != 0)
        link = escalation_link(x, js(inc->j, "id"), "ack", d->now);
    v = xcalloc(d->n + 1, sizeof(*v));
    for (size_t i = 0; i < d->n; i++) {
        struct labels_builder b;
        v[i] = am_alert_dup(d->alerts[i]);
        labels_builder_init(&b);
        labels_builder_from(&b, v[i]->annotations);
        labels_builder_set(&b, "tocsin_incident_id", js(inc->j, "id"));
        if (link)
            labels_builder_set(&b, "tocsin_ack_url", link);
        {
            struct labels *old = v[i]->annotations;
            v[i]->annotations = labels_builder_finish(&b);
            labels_free(old);
        }
        labels_builder_fini(&b);
    }
    d2 = *d;
    d2.alerts = (const struct am_alert *const *)v;
    rc = w->inner->notify(w->inner, &d2, timeout_ns, done, arg);
    for (size_t i = 0; i < d->n; i++)
        am_alert_free(v[i]);
    xfree(v);
    xfree(link);
    return rc;
}

static void wrap_free(struct am_integration *it)
{
    struct esc_wrap *w = (struct esc_wrap *)it;
    am_integration_free(w->inner);
    xfree(w);
}

static struct am_integration *wrap(struct escalation *x, struct am_integration *inner)
{
    struct esc_wrap *w = xcalloc(1, sizeof(*w));
    w->base.kind = "tocsin-wrap";
    w->base.index = inner->index;
    w->base.send_resolved = inner->send_resolved;
    w->base.notify = wrap_notify;
    w->base.free = wrap_free;
    w->inner = inner;
    w->x = x;
    return &w->base;
}

/* ---- lifecycle ---- */

static void on_timer(evutil_socket_t fd, short what, void *arg)
{
    struct escalation *x = arg;
    (void)fd;
    (void)what;
    escalation_tick(x, x->env.now(x->env.ctx));
}

int64_t escalation_next_deadline(const struct escalation *x)
{
    int64_t next = INT64_MAX;
    for (const struct incident *inc = x->incidents; inc; inc = inc->next) {
        int64_t d = ji(inc->j, "next_due");
        if (d != 0 && strcmp(js(inc->j, "state"), "open") == 0 && d < next)
            next = d;
    }
    for (const struct esc_send *s = x->sends; s; s = s->next)
        if (!s->inflight && !s->finished && s->next_try < next)
            next = s->next_try;
    return next;
}

static void arm(struct escalation *x)
{
    int64_t now, next, d;
    struct timeval tv;
    if (x->timer == NULL)
        return;
    now = x->env.now(x->env.ctx);
    next = escalation_next_deadline(x);
    d = next > now ? next - now : 0;
    if (d > x->poll)
        d = x->poll;
    tv.tv_sec = (time_t)(d / NS_PER_S);
    tv.tv_usec = (suseconds_t)((d % NS_PER_S) / 1000);
    evtimer_add(x->timer, &tv);
}

void escalation_tick(struct escalation *x, int64_t now)
{
    poll_groups(x, now);
    fire_due(x, now);
    run_sends(x, now);
    arm(x);
}

static void restore_cb(void *arg, const char *key, size_t klen, const struct store_value *v)
{
    struct escalation *x = arg;
    struct incident *inc;
    json_t *j = json_loadb(v->data, v->len, 0, NULL), *p;
    const char *k;
    (void)key;
    (void)klen;
    if (j == NULL || !json_is_object(j) || !json_is_string(json_object_get(j, "id")) ||
        !json_is_object(json_object_get(j, "alerts")) ||
        !json_is_object(json_object_get(j, "pending")) ||
        !json_is_object(json_object_get(j, "notified")) ||
        !json_is_array(json_object_get(j, "fired"))) {
        log_kv(LOG_WARN, "skipping a stored incident that does not load", NULL);
        json_decref(j);
        return;
    }
    inc = xcalloc(1, sizeof(*inc));
    inc->j = j;
    inc->next = x->incidents;
    x->incidents = inc;
    if (strcmp(js(j, "state"), "resolved") != 0)
        json_object_set_new(x->active, js(j, "group_key"), json_integer((json_int_t)(intptr_t)inc));
    json_object_foreach(json_object_get(j, "pending"), k, p) queue_send(x, js(j, "id"), k, 0);
}

int escalation_new(struct event_base *base, const struct esc_env *env, const struct esc_opts *o,
                   struct escalation **out, struct err *e)
{
    int rc = ERR_INTERNAL;
    struct escalation *x = xcalloc(1, sizeof(*x));
    static const double buckets[] = {10,   30,   60,   120,   300,   600,  900,
                                     1800, 3600, 7200, 14400, 43200, 86400};
    const char *const rs[] = {"route", "severity", NULL};
    *out = NULL;
    x->base = base;
    x->env = *env;
    x->active = json_object();
    x->store = o->store;
    x->external_url = xstrdup(o->external_url ? o->external_url : "");
    x->link_ttl = o->link_ttl_ns > 0 ? o->link_ttl_ns : 24 * 3600 * NS_PER_S;
    x->poll = o->poll_ns > 0 ? o->poll_ns : 250 * 1000000LL;
    if ((rc = acklink_key_load(&x->key, o->ack_secret_file, o->storage_dir, e)) != 0)
        goto out;
    if (o->metrics) {
        x->m_opened = metrics_counter_new(o->metrics, "tocsin_incidents_opened_total",
                                          "Incidents opened, by route and severity.", rs);
        x->m_acked = metrics_counter_new(o->metrics, "tocsin_incidents_acked_total",
                                         "Incidents acknowledged, by route and severity.", rs);
        x->m_resolved = metrics_counter_new(o->metrics, "tocsin_incidents_resolved_total",
                                            "Incidents resolved, by route and severity.", rs);
        x->m_tta = metrics_histogram_new(
            o->metrics, "tocsin_incident_time_to_acknowledge_seconds",
            "Time from an incident's first notification to its first acknowledgement.", rs, buckets,
            sizeof(buckets) / sizeof(buckets[0]));
        x->m_ttr =
            metrics_histogram_new(o->metrics, "tocsin_incident_time_to_resolve_seconds",
                                  "Time from an incident's first notification to its resolution.",
                                  rs, buckets, sizeof(buckets) / sizeof(buckets[0]));
        x->m_esc = metrics_counter_new(o->metrics, "tocsin_escalations_total",
                                       "Escalation steps fired, by step (0 = route receiver).",
                                       (const char *const[]){"step", NULL});
    }
    if (x->store)
        store_foreach(x->store, STORE_NS_ESCALATION, restore_cb, x);
    if (base) {
        x->timer = evtimer_new(base, on_timer, x);
        arm(x);
    }
    *out = x;
    x = NULL;
    rc = 0;
out:
    escalation_free(x);
    return rc;
}

void escalation_free(struct escalation *x)
{
    if (x == NULL)
        return;
    if (x->timer)
        event_free(x->timer);
    while (x->sends) {
        struct esc_send *s = x->sends;
        x->sends = s->next;
        if (s->inflight) {
            s->x = NULL; /* freed by its completion */
        } else {
            xfree(s->key);
            xfree(s);
        }
    }
    while (x->incidents) {
        struct incident *inc = x->incidents;
        x->incidents = inc->next;
        json_decref(inc->j);
        json_decref(inc->timeline);
        xfree(inc);
    }
    route_tree_free(x->routes);
    esc_config_free(x->cfg);
    json_decref(x->active);
    xfree(x->external_url);
    xfree(x);
}

int escalation_attach(struct escalation *x, const struct am_config *cfg, struct am_receiver **recv,
                      size_t n, struct err *e)
{
    struct esc_config *c = NULL;
    struct route *routes = NULL;
    int rc;
    if ((rc = esc_config_parse(cfg, &c, e)) != 0)
        return rc;
    if ((rc = route_tree_build(cfg, &routes, e)) != 0) {
        esc_config_free(c);
        return rc;
    }
    esc_config_free(x->cfg);
    route_tree_free(x->routes);
    x->cfg = c;
    x->routes = routes;
    x->recv = recv;
    x->nrecv = n;
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < recv[i]->n; k++)
            if (strcmp(recv[i]->integrations[k]->kind, "tocsin-wrap") != 0)
                recv[i]->integrations[k] = wrap(x, recv[i]->integrations[k]);
    arm(x);
    return 0;
}

void escalation_on_attempt(struct escalation *x, const char *group_key, const char *receiver,
                           unsigned index, const struct am_notify_result *r, unsigned attempt,
                           int64_t now)
{
    struct incident *inc = find_group(x, group_key, false);
    struct am_receiver *rv = receiver_find(x, receiver);
    json_t *ev;
    if (inc == NULL)
        return;
    ev =
        json_pack("{s:s,s:I,s:I,s:I,s:s,s:I,s:s}", "receiver", receiver, "index", (json_int_t)index,
                  "step", (json_int_t)0, "attempt", (json_int_t)attempt, "outcome",
                  outcome_name(r->outcome), "status", (json_int_t)r->status, "msg", r->msg);
    set_s(ev, "integration",
          rv && index < rv->n ? inner_of(rv->integrations[index])->kind : "unknown");
    set_s(ev, "via", "dispatcher");
    tl_add(x, inc, "notify", now, ev);
    commit(x, NULL);
}

/* ---- actions ---- */

bool esc_action_parse(const char *s, enum esc_action *out)
{
    if (strcmp(s, "ack") == 0)
        *out = ESC_ACK;
    else if (strcmp(s, "unack") == 0)
        *out = ESC_UNACK;
    else if (strcmp(s, "resolve") == 0)
        *out = ESC_RESOLVE;
    else
        return false;
    return true;
}

const char *esc_action_name(enum esc_action a)
{
    return a == ESC_ACK ? "ack" : a == ESC_UNACK ? "unack" : "resolve";
}

int escalation_act(struct escalation *x, const char *id, enum esc_action act, const char *by,
                   const char *via, int64_t now, struct err *e)
{
    struct incident *inc = find_id(x, id);
    const char *state;
    const struct esc_policy *p;
    if (inc == NULL)
        return err_set(e, ERR_NOTFOUND, "incident %s not found", id);
    state = js(inc->j, "state");
    p = inc_policy(x, inc);
    if (by == NULL || *by == '\0')
        by = "unknown";
    if (strcmp(state, "resolved") == 0)
        return err_set(e, ERR_INVALID, "incident %s is already resolved", id);
    switch (act) {
    case ESC_ACK:
        if (strcmp(state, "acked") == 0)
            return 0;
        set_s(inc->j, "state", "acked");
        set_s(inc->j, "acked_by", by);
        set_i(inc->j, "acked_at", now);
        if (p == NULL || p->stop_on_ack)
            cancel_firing(inc);
        else
            set_s(inc->j, "state", "open"); /* the chain goes on; the ack is recorded */
        tl_add(x, inc, "acked", now, json_pack("{s:s,s:s}", "by", by, "via", via));
        count(x->m_acked, inc);
        if (ji(inc->j, "first_acked_at") == 0) {
            set_i(inc->j, "first_acked_at", now);
            observe(x->m_tta, inc, (double)(now - ji(inc->j, "opened")) / 1e9);
            stage_record(x, inc);
        }
        break;
    case ESC_UNACK:
        if (strcmp(state, "acked") != 0)
            return err_set(e, ERR_INVALID, "incident %s is not acknowledged", id);
        set_s(inc->j, "state", "open");
        json_object_del(inc->j, "acked_by");
        json_object_del(inc->j, "acked_at");
        if (p && ji(inc->j, "next_due") != 0) {
            /* the pending step gets its full gap again from now */
            int64_t step = ji(inc->j, "step"), cycle = ji(inc->j, "cycle");
            int64_t prev = step > 0 ? due_at(p, inc, cycle, step - 1)
                                    : due_at(p, inc, cycle - 1, (int64_t)p->nsteps);
            int64_t gap = due_at(p, inc, cycle, step) - prev;
            if (now + gap > ji(inc->j, "next_due")) {
                set_i(inc->j, "chain_start",
                      ji(inc->j, "chain_start") + (now + gap) - ji(inc->j, "next_due"));
                set_i(inc->j, "next_due", due_at(p, inc, cycle, step));
            }
        }
        tl_add(x, inc, "unacked", now, json_pack("{s:s,s:s}", "by", by, "via", via));
        break;
    case ESC_RESOLVE:
        resolve_incident(x, inc, by, via, now, true);
        break;
    }
    stage_record(x, inc);
    if (commit(x, e) != 0)
        return ERR_IO;
    log_kv(LOG_INFO, "incident action", "incident", id, "action", esc_action_name(act), "by", by,
           "via", via, NULL);
    arm(x);
    return 0;
}

bool escalation_link_valid(const struct escalation *x, const char *id, const char *action,
                           int64_t expires_s, const char *sig, int64_t now)
{
    return acklink_verify(&x->key, id, action, expires_s, sig, now / NS_PER_S);
}

char *escalation_link(const struct escalation *x, const char *id, const char *action, int64_t now)
{
    return acklink_url(&x->key, x->external_url, id, action, (now + x->link_ttl) / NS_PER_S);
}

/* ---- JSON views ---- */

static json_t *summary(const struct incident *inc)
{
    json_t *o = json_object(), *alerts = json_object_get(inc->j, "alerts"), *a;
    const char *fp;
    int firing = 0;
    static const char *const keys[] = {"id",          "group_key",    "route", "receiver",
                                       "policy",      "severity",     "state", "acked_by",
                                       "resolved_by", "group_labels", NULL};
    static const char *const ints[] = {"opened",   "acked_at", "first_acked_at", "resolved_at",
                                       "next_due", "step",     "cycle",          NULL};
    for (size_t i = 0; keys[i]; i++)
        if (json_object_get(inc->j, keys[i]))
            json_object_set(o, keys[i], json_object_get(inc->j, keys[i]));
    for (size_t i = 0; ints[i]; i++)
        if (json_object_get(inc->j, ints[i]))
            json_object_set(o, ints[i], json_object_get(inc->j, ints[i]));
    json_object_foreach(alerts, fp, a) firing += ji(a, "ends_at") == 0;
    set_i(o, "alerts", (int64_t)json_object_size(alerts));
    set_i(o, "firing", firing);
    return o;
}

static int cmp_opened(const void *a, const void *b)
{
    const json_t *x = *(const json_t *const *)a, *y = *(const json_t *const *)b;
    int64_t p = ji(x, "opened"), q = ji(y, "opened");
    return p < q ? 1 : p > q ? -1 : 0;
}

json_t *escalation_list_json(const struct escalation *x)
{
    size_t n = 0, i = 0;
    json_t **v, *arr = json_array();
    for (const struct incident *inc = x->incidents; inc; inc = inc->next)
        n++;
    v = xcalloc(n ? n : 1, sizeof(*v));
    for (const struct incident *inc = x->incidents; inc; inc = inc->next)
        v[i++] = summary(inc);
    qsort(v, n, sizeof(*v), cmp_opened);
    for (i = 0; i < n; i++)
        json_array_append_new(arr, v[i]);
    xfree(v);
    return arr;
}

json_t *escalation_incident_json(const struct escalation *x, const char *id, int64_t now)
{
    const struct incident *inc = find_id(x, id);
    json_t *o, *tl, *ev;
    size_t i;
    if (inc == NULL)
        return NULL;
    o = summary(inc);
    json_object_set(o, "alerts", json_object_get(inc->j, "alerts"));
    json_object_set(o, "fired", json_object_get(inc->j, "fired"));
    json_object_set(o, "notified", json_object_get(inc->j, "notified"));
    json_object_set(o, "pending", json_object_get(inc->j, "pending"));
    if (strcmp(js(inc->j, "state"), "resolved") != 0) {
        static const char *const acts[] = {"ack", "unack", "resolve"};
        static const char *const keys[] = {"ackURL", "unackURL", "resolveURL"};
        for (int k = 0; k < 3; k++) {
            char *l = escalation_link(x, id, acts[k], now);
            set_s(o, keys[k], l);
            xfree(l);
        }
    }
    tl = inc->timeline ? json_deep_copy(inc->timeline) : timeline_load(x->store, id);
    json_array_foreach(tl, i, ev)
    {
        char *t = timeline_describe(ev);
        set_s(ev, "text", t);
        xfree(t);
    }
    json_object_set_new(o, "timeline", tl);
    return o;
}
