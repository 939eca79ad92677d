/* SPDX-License-Identifier: Apache-2.0 */
/* Aggregation groups, their timers and the notification pipeline (see dispatch.h). */
#include "notifier/dispatch/dispatch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/labels.h"
#include "common/log.h"
#include "common/xalloc.h"
#include "notifier/alert/alert.h"
#include "notifier/dispatch/nflog.h"
#include "notifier/receivers/receiver.h"
#include "notifier/store/kvmap.h"

#define NEVER INT64_MAX
#define SEC   1000000000LL

struct dgroup;

/* One tick's notification: decides, once all its deliveries are done, whether the resolved
 * alerts it carried may be removed from the group. */
struct dflush {
    unsigned refs;
    bool failed;
    struct dgroup *g;
    uint64_t *fps; /* resolved alerts carried: fingerprint and updated_at */
    int64_t *upd;
    size_t n;
};

/* One integration's delivery of one notification, retried until success, a permanent
 * failure, max_retry, or replacement by a newer notification of the group. */
struct djob {
    struct dispatch *d;
    struct dgroup *g;
    struct dflush *f;
    struct am_integration *it;
    unsigned idx;
    char *nfkey;
    size_t nfklen;
    struct am_alert **alerts; /* what is sent (owned copies) */
    size_t n;
    uint64_t *firing, *resolved; /* nflog sets (sorted) */
    size_t nf, nr;
    int64_t flush_now, started, next_attempt, backoff;
    int64_t attempt_started; /* when the outstanding attempt began */
    unsigned attempts;
    bool in_flight, canceled;
};

struct dgroup {
    char *key, *route_key, *receiver;
    struct labels *group_labels;
    int64_t group_wait, group_interval, repeat_interval;
    struct kvmap alerts; /* fp hex -> struct am_alert * */
    bool has_flushed;
    int64_t next_tick;
    const struct am_receiver *recv; /* NULL when unknown */
    struct djob **jobs;             /* recv->n slots */
    size_t njobs;
    int64_t due; /* earliest of next_tick and the jobs' next_attempt (heap key) */
    size_t hidx; /* position in dispatch.heap */
};

struct bucket {
    double per_ns, burst, tokens;
    int64_t last;
};

struct dispatch {
    const struct am_receiver *const *receivers;
    size_t nreceivers;
    struct dispatch_hooks h;
    struct dispatch_opts o;
    char *external_url;
    struct kvmap groups;  /* key -> struct dgroup * */
    struct dgroup **heap; /* min-heap of groups by (due, key): the next event in O(log n) */
    size_t hn, hcap;
    struct kvmap buckets; /* receiver -> struct bucket * */
    struct nflog own_nflog;
    struct nflog *nflog; /* &own_nflog or the caller's (kept across reloads) */
    int64_t now, next_maint;
    uint64_t rng;
    bool advancing; /* inside dispatch_advance/dispatch_insert: no rearm callbacks */
};

void dispatch_opts_default(struct dispatch_opts *o)
{
    memset(o, 0, sizeof(*o));
    o->external_url = "";
    o->max_retry = 3600 * SEC;
    o->backoff_initial = SEC / 2;
    o->backoff_factor = 1.5;
    o->backoff_max = 60 * SEC;
    o->backoff_jitter = 0.5;
    o->maintenance = 30 * SEC;
    o->nflog_retention = 120 * 3600 * SEC;
    o->seed = 0x9e3779b97f4a7c15ULL;
}

static int64_t cur_time(const struct dispatch *d)
{
    if (d->h.now) {
        int64_t t = d->h.now(d->h.ctx);
        return t > d->now ? t : d->now;
    }
    return d->now;
}

static double rnd(struct dispatch *d)
{
    uint64_t x = d->rng;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    d->rng = x;
    return (double)(x >> 11) / 9007199254740992.0;
}

/* ---- the group heap ---- */

static int64_t group_due(const struct dgroup *g)
{
    int64_t due = g->next_tick;
    for (size_t i = 0; i < g->njobs; i++) {
        const struct djob *j = g->jobs[i];
        if (j && !j->in_flight && j->next_attempt < due)
            due = j->next_attempt;
    }
    return due;
}

static bool heap_less(const struct dgroup *a, const struct dgroup *b)
{
    if (a->due != b->due)
        return a->due < b->due;
    return strcmp(a->key, b->key) < 0;
}

static void heap_set(struct dispatch *d, size_t i, struct dgroup *g)
{
    d->heap[i] = g;
    g->hidx = i;
}

static void heap_up(struct dispatch *d, size_t i)
{
    struct dgroup *g = d->heap[i];
    while (i > 0 && heap_less(g, d->heap[(i - 1) / 2])) {
        heap_set(d, i, d->heap[(i - 1) / 2]);
        i = (i - 1) / 2;
    }
    heap_set(d, i, g);
}

static void heap_down(struct dispatch *d, size_t i)
{
    struct dgroup *g = d->heap[i];
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= d->hn)
            break;
        if (c + 1 < d->hn && heap_less(d->heap[c + 1], d->heap[c]))
            c++;
        if (!heap_less(d->heap[c], g))
            break;
        heap_set(d, i, d->heap[c]);
        i = c;
    }
    heap_set(d, i, g);
}

/* Recomputes g's due time and restores the heap order. Call after any change to g's timers. */
static void heap_fix(struct dispatch *d, struct dgroup *g)
{
    g->due = group_due(g);
    heap_up(d, g->hidx);
    heap_down(d, g->hidx);
}

static void heap_push(struct dispatch *d, struct dgroup *g)
{
    if (d->hn == d->hcap) {
        d->hcap = d->hcap ? d->hcap * 2 : 64;
        d->heap = xreallocarray(d->heap, d->hcap, sizeof(*d->heap));
    }
    g->due = group_due(g);
    heap_set(d, d->hn++, g);
    heap_up(d, g->hidx);
}

static void heap_remove(struct dispatch *d, struct dgroup *g)
{
    size_t i = g->hidx;
    struct dgroup *last = d->heap[--d->hn];
    if (last == g)
        return;
    heap_set(d, i, last);
    heap_up(d, i);
    heap_down(d, last->hidx);
}

/* ---- flushes ---- */

static void group_delete_resolved(struct dgroup *g, const struct dflush *f)
{
    for (size_t i = 0; i < f->n; i++) {
        char k[17];
        struct am_alert *cur = kvmap_get(&g->alerts, am_fingerprint_format(f->fps[i], k), 16);
        if (cur && cur->updated_at == f->upd[i])
            am_alert_free(kvmap_del(&g->alerts, k, 16));
    }
}

static void flush_unref(struct dflush *f, bool ok)
{
    if (!ok)
        f->failed = true;
    if (--f->refs > 0)
        return;
    if (!f->failed && f->g)
        group_delete_resolved(f->g, f);
    xfree(f->fps);
    xfree(f->upd);
    xfree(f);
}

/* ---- jobs ---- */

static void job_destroy(struct djob *j)
{
    for (size_t i = 0; i < j->n; i++)
        am_alert_free(j->alerts[i]);
    xfree(j->alerts);
    xfree(j->firing);
    xfree(j->resolved);
    xfree(j->nfkey);
    xfree(j);
}

/* Detaches j from its group and flush; frees it now unless an attempt is outstanding. */
static void job_cancel(struct djob *j)
{
    if (j->g)
        j->g->jobs[j->idx] = NULL;
    if (j->f)
        flush_unref(j->f, false);
    j->f = NULL;
    j->g = NULL;
    j->d = NULL;
    j->canceled = true;
    if (!j->in_flight)
        job_destroy(j);
}

static void job_finish(struct djob *j, bool ok)
{
    j->g->jobs[j->idx] = NULL;
    flush_unref(j->f, ok);
    job_destroy(j);
}

static int64_t backoff_next(struct dispatch *d, struct djob *j)
{
    double cur = (double)j->backoff, delay;
    delay = cur * (1.0 + d->o.backoff_jitter * (2.0 * rnd(d) - 1.0));
    cur *= d->o.backoff_factor;
    if (cur > (double)d->o.backoff_max)
        cur = (double)d->o.backoff_max;
    j->backoff = (int64_t)cur;
    return delay < 1 ? 1 : (int64_t)delay;
}

static void job_result(struct djob *j, const struct am_notify_result *r)
{
    struct dispatch *d = j->d;
    struct dgroup *g = j->g;
    int64_t now = cur_time(d);
    if (d->h.attempted)
        d->h.attempted(d->h.ctx, j->g->key, j->g->receiver, j->it->index, r, j->attempts, now);
    switch (r->outcome) {
    case AM_NOTIFY_OK: {
        struct err e;
        if (nflog_log(d->nflog, j->nfkey, j->nfklen, j->firing, j->nf, j->resolved, j->nr, now,
                      &e) != 0)
            log_kv(LOG_ERROR, "notification log not persisted", "group", j->g->key, "err", e.msg,
                   NULL);
        job_finish(j, true);
        break;
    }
    case AM_NOTIFY_FAIL:
        log_kv(LOG_ERROR, "notify failed, not retrying", "group", j->g->key, "receiver",
               j->g->receiver, "err", r->msg, NULL);
        job_finish(j, false);
        break;
    case AM_NOTIFY_RETRY: {
        int64_t wait;
        if (now - j->started >= d->o.max_retry) {
            log_kv(LOG_ERROR, "notify failed, giving up after max retry duration", "group",
                   j->g->key, "receiver", j->g->receiver, "err", r->msg, NULL);
            job_finish(j, false);
            break;
        }
        wait = backoff_next(d, j);
        if (r->retry_after_ns > wait)
            wait = r->retry_after_ns;
        j->next_attempt = now + wait;
        break;
    }
    }
    heap_fix(d, g);
}

static void job_done(void *arg, const struct am_notify_result *r)
{
    struct djob *j = arg;
    struct dispatch *d = j->d;
    bool async = d && !d->advancing;
    j->in_flight = false;
    if (j->canceled) {
        job_destroy(j);
        return;
    }
    job_result(j, r);
    if (async && d->h.rearm)
        d->h.rearm(d->h.rearm_ctx);
}

/* Tokens left for receiver at now: 0 when one was taken, else ns until one is available. */
static int64_t bucket_take(struct dispatch *d, const char *receiver, int64_t now)
{
    struct bucket *b = kvmap_get(&d->buckets, receiver, strlen(receiver));
    if (!b)
        return 0;
    if (now > b->last) {
        b->tokens += (double)(now - b->last) * b->per_ns;
        if (b->tokens > b->burst)
            b->tokens = b->burst;
        b->last = now;
    }
    if (b->tokens >= 1.0) {
        b->tokens -= 1.0;
        return 0;
    }
    return (int64_t)((1.0 - b->tokens) / b->per_ns) + 1;
}

/* Per-attempt timeout: the configured one, else max(group_interval, 10 s) like 0.25's flush
 * deadline. */
static int64_t attempt_timeout(const struct dispatch *d, const struct dgroup *g)
{
    if (d->o.attempt_timeout > 0)
        return d->o.attempt_timeout;
    return g->group_interval > 10 * SEC ? g->group_interval : 10 * SEC;
}

static void job_attempt(struct dispatch *d, struct djob *j, int64_t now)
{
    struct am_notify_data nd;
    struct dgroup *g = j->g;
    int64_t wait = bucket_take(d, j->g->receiver, now), timeout;
    int rc;
    if (wait > 0) {
        j->next_attempt = now + wait;
        heap_fix(d, g);
        return;
    }
    timeout = attempt_timeout(d, g);
    memset(&nd, 0, sizeof(nd));
    nd.receiver = j->g->receiver;
    nd.group_key = j->g->key;
    nd.group_labels = j->g->group_labels;
    nd.external_url = d->external_url;
    nd.now = j->flush_now;
    nd.alerts = (const struct am_alert *const *)j->alerts;
    nd.n = j->n;
    j->attempts++;
    j->attempt_started = now;
    j->in_flight = true;
    j->next_attempt = NEVER;
    heap_fix(d, g);
    rc = j->it->notify(j->it, &nd, timeout, job_done, j);
    if (rc != 0) {
        struct am_notify_result r;
        memset(&r, 0, sizeof(r));
        r.outcome = AM_NOTIFY_FAIL;
        snprintf(r.msg, sizeof(r.msg), "%s: %s", j->it->kind, err_str(rc));
        job_done(j, &r);
    }
}

/* ---- groups ---- */

static void group_free(struct dgroup *g)
{
    struct kvmap_iter it;
    for (size_t i = 0; i < g->njobs; i++) {
        if (g->jobs[i])
            job_cancel(g->jobs[i]);
    }
    for (struct kvmap_entry *e = kvmap_first(&g->alerts, &it); e; e = kvmap_next(&g->alerts, &it))
        am_alert_free(e->value);
    kvmap_fini(&g->alerts);
    labels_free(g->group_labels);
    xfree(g->jobs);
    xfree(g->key);
    xfree(g->route_key);
    xfree(g->receiver);
    xfree(g);
}

static bool group_busy(const struct dgroup *g)
{
    for (size_t i = 0; i < g->njobs; i++) {
        if (g->jobs[i])
            return true;
    }
    return false;
}

static const struct am_receiver *find_receiver(const struct dispatch *d, const char *name)
{
    for (size_t i = 0; i < d->nreceivers; i++) {
        if (strcmp(d->receivers[i]->name, name) == 0)
            return d->receivers[i];
    }
    return NULL;
}

static int cmp_notify(const void *x, const void *y)
{
    return am_alert_cmp_notify(*(const struct am_alert *const *)x,
                               *(const struct am_alert *const *)y);
}

static int cmp_u64(const void *x, const void *y)
{
    uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
    return a < b ? -1 : a > b;
}

static bool same_set(const uint64_t *a, size_t na, const uint64_t *b, size_t nb)
{
    return na == nb && (na == 0 || memcmp(a, b, na * sizeof(*a)) == 0);
}

/* Alerts of g sorted for notification (owned copies; firing ones with ends_at 0). */
static struct am_alert **group_snapshot(const struct dgroup *g, int64_t now, size_t *n)
{
    struct am_alert **v = xcalloc(g->alerts.n ? g->alerts.n : 1, sizeof(*v));
    struct kvmap_iter it;
    size_t k = 0;
    for (struct kvmap_entry *e = kvmap_first(&g->alerts, &it); e; e = kvmap_next(&g->alerts, &it)) {
        struct am_alert *a = am_alert_dup(e->value);
        if (!am_alert_resolved_at(a, now))
            a->ends_at = 0;
        v[k++] = a;
    }
    qsort(v, k, sizeof(*v), cmp_notify);
    *n = k;
    return v;
}

/* Abandons every delivery still being retried for g: the tick decided that nothing (or
 * something else) is to be sent, so the old content must not go out late. */
static void cancel_jobs(struct dgroup *g)
{
    for (size_t i = 0; i < g->njobs; i++) {
        if (g->jobs[i])
            job_cancel(g->jobs[i]);
    }
}

static void group_tick(struct dispatch *d, struct dgroup *g, int64_t now)
{
    struct am_alert **all = NULL;
    const struct am_alert **sel = NULL;
    struct djob **start = NULL;
    uint64_t *firing = NULL, *resolved = NULL;
    size_t n = 0, nsel = 0, nf = 0, nr = 0, nstart = 0;
    struct dflush *f;

    g->next_tick = now + g->group_interval;
    g->has_flushed = true;
    if (g->alerts.n == 0) {
        heap_fix(d, g);
        return;
    }
    all = group_snapshot(g, now, &n);
    f = xcalloc(1, sizeof(*f));
    f->refs = 1;
    f->g = g;
    f->fps = xcalloc(n, sizeof(*f->fps));
    f->upd = xcalloc(n, sizeof(*f->upd));
    for (size_t i = 0; i < n; i++) {
        if (all[i]->ends_at != 0) {
            f->fps[f->n] = all[i]->fingerprint;
            f->upd[f->n++] = all[i]->updated_at;
        }
    }
    if (!g->recv) {
        log_kv(LOG_ERROR, "no such receiver", "receiver", g->receiver, "group", g->key, NULL);
        f->failed = true;
        goto out;
    }
    if (d->h.time_muted && d->h.time_muted(d->h.ctx, g->route_key, now)) {
        cancel_jobs(g);
        goto out;
    }
    sel = xcalloc(n, sizeof(*sel));
    firing = xcalloc(n, sizeof(*firing));
    resolved = xcalloc(n, sizeof(*resolved));
    for (size_t i = 0; i < n; i++) {
        if (d->h.inhibited && d->h.inhibited(d->h.ctx, all[i], now))
            continue;
        if (d->h.silenced && d->h.silenced(d->h.ctx, all[i], now))
            continue;
        sel[nsel++] = all[i];
        if (all[i]->ends_at != 0)
            resolved[nr++] = all[i]->fingerprint;
        else
            firing[nf++] = all[i]->fingerprint;
    }
    if (nsel == 0) {
        cancel_jobs(g);
        goto out;
    }
    qsort(firing, nf, sizeof(*firing), cmp_u64);
    qsort(resolved, nr, sizeof(*resolved), cmp_u64);
    start = xcalloc(g->njobs ? g->njobs : 1, sizeof(*start));
    for (size_t idx = 0; idx < g->njobs; idx++) {
        struct am_integration *it = g->recv->integrations[idx];
        struct djob *old = g->jobs[idx], *j;
        size_t klen;
        char *key = nflog_key(g->key, g->receiver, it->kind, it->index, &klen);
        const struct nflog_entry *en = nflog_query(d->nflog, key, klen);
        size_t nsend = 0;
        if (!nflog_needs_update(en, firing, nf, resolved, nr, it->send_resolved, g->repeat_interval,
                                now)) {
            xfree(key);
            continue;
        }
        for (size_t i = 0; i < nsel; i++)
            nsend += it->send_resolved || sel[i]->ends_at == 0;
        if (nsend == 0) {
            /* All resolved on a send_resolved: false integration: nothing goes out, but the
             * log forgets the firing alerts (Alertmanager does the same). */
            struct err e;
            if (old)
                job_cancel(old);
            if (nflog_log(d->nflog, key, klen, firing, nf, resolved, nr, now, &e) != 0)
                log_kv(LOG_ERROR, "notification log not persisted", "err", e.msg, NULL);
            xfree(key);
            continue;
        }
        if (old && same_set(old->firing, old->nf, firing, nf) &&
            same_set(old->resolved, old->nr, resolved, nr) &&
            !(old->in_flight && now - old->attempt_started > 2 * attempt_timeout(d, g))) {
            /* The same notification is still being retried: let it go on (unless its attempt
             * hangs past twice the timeout: a sender that never answers must not block). */
            f->failed = true;
            xfree(key);
            continue;
        }
        if (old)
            job_cancel(old);
        j = xcalloc(1, sizeof(*j));
        j->d = d;
        j->g = g;
        j->f = f;
        f->refs++;
        j->it = it;
        j->idx = (unsigned)idx;
        j->nfkey = key;
        j->nfklen = klen;
        j->alerts = xcalloc(nsend, sizeof(*j->alerts));
        for (size_t i = 0; i < nsel; i++) {
            if (it->send_resolved || sel[i]->ends_at == 0)
                j->alerts[j->n++] = am_alert_dup(sel[i]);
        }
        j->firing = xmemdup(firing, (nf ? nf : 1) * sizeof(*firing));
        j->nf = nf;
        j->resolved = xmemdup(resolved, (nr ? nr : 1) * sizeof(*resolved));
        j->nr = nr;
        j->flush_now = now;
        j->started = now;
        j->backoff = d->o.backoff_initial;
        j->next_attempt = NEVER;
        g->jobs[idx] = j;
        start[nstart++] = j;
    }
    /* Start after every job is registered: a synchronous completion may end the flush. */
    for (size_t i = 0; i < nstart; i++)
        job_attempt(d, start[i], now);
out:
    flush_unref(f, true);
    heap_fix(d, g);
    for (size_t i = 0; i < n; i++)
        am_alert_free(all[i]);
    xfree(all);
    xfree(sel);
    xfree(firing);
    xfree(resolved);
    xfree(start);
}

char *dispatch_group_key(const char *route_key, const struct labels *group_labels)
{
    struct buf b;
    buf_init(&b, 0);
    buf_puts(&b, route_key);
    buf_putc(&b, ':');
    labels_format(group_labels, &b);
    return buf_steal(&b, NULL);
}

static struct labels *group_labels_of(const struct am_alert *a, const struct dispatch_route_opts *r)
{
    struct labels_builder lb;
    struct labels *ls;
    if (r->group_by_all)
        return labels_dup(a->labels);
    labels_builder_init(&lb);
    for (size_t i = 0; i < r->n_group_by; i++) {
        const char *v = labels_get(a->labels, r->group_by[i]);
        if (v)
            labels_builder_set(&lb, r->group_by[i], v);
    }
    ls = labels_builder_finish(&lb);
    labels_builder_fini(&lb);
    return ls;
}

int dispatch_insert(struct dispatch *d, const struct am_alert *a,
                    const struct dispatch_route_opts *const *routes, size_t n, int64_t now)
{
    if (now > d->now)
        d->now = now;
    for (size_t i = 0; i < n; i++) {
        if (routes[i]->group_interval <= 0 || routes[i]->repeat_interval <= 0)
            return ERR_INVALID;
    }
    for (size_t i = 0; i < n; i++) {
        const struct dispatch_route_opts *r = routes[i];
        struct labels *gl = group_labels_of(a, r);
        char *key = dispatch_group_key(r->route_key, gl);
        struct dgroup *g = kvmap_get(&d->groups, key, strlen(key));
        char fp[17];
        if (!g) {
            g = xcalloc(1, sizeof(*g));
            g->key = key;
            key = NULL;
            g->route_key = xstrdup(r->route_key);
            g->receiver = xstrdup(r->receiver);
            g->group_labels = gl;
            gl = NULL;
            g->group_wait = r->group_wait;
            g->group_interval = r->group_interval;
            g->repeat_interval = r->repeat_interval;
            kvmap_init(&g->alerts);
            g->next_tick = now + r->group_wait;
            g->recv = find_receiver(d, r->receiver);
            g->njobs = g->recv ? g->recv->n : 0;
            g->jobs = xcalloc(g->njobs ? g->njobs : 1, sizeof(*g->jobs));
            kvmap_put(&d->groups, g->key, strlen(g->key), g);
            heap_push(d, g);
        }
        am_alert_free(
            kvmap_put(&g->alerts, am_fingerprint_format(a->fingerprint, fp), 16, am_alert_dup(a)));
        if (!g->has_flushed && a->starts_at + g->group_wait < now && g->next_tick > now) {
            g->next_tick = now;
            heap_fix(d, g);
        }
        labels_free(gl);
        xfree(key);
    }
    if (d->h.rearm && !d->advancing)
        d->h.rearm(d->h.rearm_ctx);
    return 0;
}

/* ---- the event loop ---- */

enum ev_kind { EV_NONE, EV_RETRY, EV_TICK, EV_MAINT };

struct ev {
    enum ev_kind kind;
    int64_t at;
    struct dgroup *g;
    struct djob *j;
};

/* The earliest event: the heap's first group (its earliest retry at or before its tick, else its
 * tick) unless the maintenance sweep is due strictly earlier. */
static struct ev next_event(const struct dispatch *d)
{
    struct ev ev = {EV_MAINT, d->next_maint, NULL, NULL};
    struct dgroup *g;
    if (d->hn == 0 || d->heap[0]->due > d->next_maint)
        return ev;
    g = d->heap[0];
    ev = (struct ev){EV_TICK, g->next_tick, g, NULL};
    for (size_t i = 0; i < g->njobs; i++) {
        struct djob *j = g->jobs[i];
        if (j && !j->in_flight && j->next_attempt <= ev.at &&
            (ev.kind == EV_TICK || j->next_attempt < ev.at))
            ev = (struct ev){EV_RETRY, j->next_attempt, g, j};
    }
    return ev;
}

static void maintenance(struct dispatch *d, int64_t now)
{
    struct kvmap_iter it;
    for (struct kvmap_entry *e = kvmap_first(&d->groups, &it); e; e = kvmap_next(&d->groups, &it)) {
        struct dgroup *g = e->value;
        if (g->alerts.n == 0 && !group_busy(g)) {
            kvmap_del(&d->groups, e->key, e->klen);
            heap_remove(d, g);
            group_free(g);
        }
    }
    nflog_gc(d->nflog, now);
    d->next_maint = now + d->o.maintenance;
}

void dispatch_advance(struct dispatch *d, int64_t now)
{
    d->advancing = true;
    for (;;) {
        struct ev ev = next_event(d);
        int64_t t;
        if (ev.at > now)
            break;
        /* In real time (a now hook), an event runs at the current time, not at its scheduled
         * one: after a stall a group ticks once and re-arms from now, like a Go timer, instead of
         * replaying every missed interval. Simulated time keeps exact schedules. */
        t = ev.at;
        if (d->h.now) {
            int64_t rn = d->h.now(d->h.ctx);
            if (rn > t)
                t = rn < now ? rn : now;
        }
        if (t > d->now)
            d->now = t;
        switch (ev.kind) {
        case EV_RETRY:
            job_attempt(d, ev.j, t);
            break;
        case EV_TICK:
            group_tick(d, ev.g, t);
            break;
        default:
            maintenance(d, t);
            break;
        }
    }
    if (now > d->now)
        d->now = now;
    d->advancing = false;
}

int64_t dispatch_next_deadline(const struct dispatch *d)
{
    return next_event(d).at;
}

/* ---- lifetime and introspection ---- */

struct dispatch *dispatch_new(const struct am_receiver *const *receivers, size_t n,
                              const struct dispatch_hooks *hooks, const struct dispatch_opts *o,
                              int64_t start)
{
    struct dispatch *d = xcalloc(1, sizeof(*d));
    d->receivers = receivers;
    d->nreceivers = n;
    if (hooks)
        d->h = *hooks;
    if (o)
        d->o = *o;
    else
        dispatch_opts_default(&d->o);
    d->external_url = xstrdup(d->o.external_url ? d->o.external_url : "");
    d->o.external_url = d->external_url;
    if (d->o.maintenance <= 0)
        d->o.maintenance = 30 * SEC;
    if (d->o.backoff_initial <= 0)
        d->o.backoff_initial = SEC / 2;
    if (d->o.backoff_factor < 1.0)
        d->o.backoff_factor = 1.0;
    if (d->o.backoff_max < d->o.backoff_initial)
        d->o.backoff_max = d->o.backoff_initial;
    if (d->o.backoff_jitter < 0 || d->o.backoff_jitter >= 1)
        d->o.backoff_jitter = 0;
    d->rng = d->o.seed ? d->o.seed : 1;
    kvmap_init(&d->groups);
    kvmap_init(&d->buckets);
    if (d->o.nflog) {
        d->nflog = d->o.nflog;
    } else {
        d->nflog = &d->own_nflog;
        nflog_init(d->nflog, d->o.store, d->o.nflog_retention);
        if (d->o.store)
            nflog_load(d->nflog);
    }
    d->now = start;
    d->next_maint = start + d->o.maintenance;
    return d;
}

void dispatch_free(struct dispatch *d)
{
    struct kvmap_iter it;
    if (!d)
        return;
    for (struct kvmap_entry *e = kvmap_first(&d->groups, &it); e; e = kvmap_next(&d->groups, &it))
        group_free(e->value);
    kvmap_fini(&d->groups);
    xfree(d->heap);
    for (struct kvmap_entry *e = kvmap_first(&d->buckets, &it); e; e = kvmap_next(&d->buckets, &it))
        xfree(e->value);
    kvmap_fini(&d->buckets);
    if (d->nflog == &d->own_nflog)
        nflog_fini(d->nflog);
    xfree(d->external_url);
    xfree(d);
}

void dispatch_set_rate_limit(struct dispatch *d, const struct dispatch_rate_limit *rl)
{
    struct bucket *b = xcalloc(1, sizeof(*b));
    b->per_ns = rl->per_minute / (60.0 * (double)SEC);
    b->burst = rl->burst < 1.0 ? 1.0 : rl->burst;
    b->tokens = b->burst;
    b->last = d->now;
    xfree(kvmap_put(&d->buckets, rl->receiver, strlen(rl->receiver), b));
}

size_t dispatch_group_count(const struct dispatch *d)
{
    return d->groups.n;
}

long dispatch_group_alert_count(const struct dispatch *d, const char *group_key)
{
    const struct dgroup *g = kvmap_get(&d->groups, group_key, strlen(group_key));
    return g ? (long)g->alerts.n : -1;
}

bool dispatch_group_busy(const struct dispatch *d, const char *group_key)
{
    const struct dgroup *g = kvmap_get(&d->groups, group_key, strlen(group_key));
    return g && group_busy(g);
}

/* A group as dispatch_foreach_group sorts it: the fields the order reads, next to each other so
 * that a comparison does not first have to load the group. */
struct group_sort {
    const struct labels *ls;
    size_t n; /* ls->n */
    /* the first bytes of ls->v[0].name and .value, zero-padded (all zero when n is 0): memcmp
     * of these orders like strcmp unless both prefixes are equal, then strcmp decides */
    char name_prefix[16];
    char value_prefix[24];
    const char *receiver;
    const struct dgroup *g;
};

/* Alertmanager's AlertGroups order: group labels (LabelSet.Before), then receiver name. One
 * pass over the labels: the same order as labels_equal + am_labels_before. */
static int cmp_group_api(const void *x, const void *y)
{
    const struct group_sort *a = x, *b = y;
    const struct labels *la = a->ls, *lb = b->ls;
    if (la != lb) {
        int c;
        if (a->n != b->n)
            return a->n < b->n ? -1 : 1;
        if (a->n > 0) {
            c = memcmp(a->name_prefix, b->name_prefix, sizeof(a->name_prefix));
            if (c == 0)
                c = strcmp(la->v[0].name, lb->v[0].name);
            if (c != 0)
                return c > 0 ? -1 : 1;
            c = memcmp(a->value_prefix, b->value_prefix, sizeof(a->value_prefix));
            if (c == 0)
                c = strcmp(la->v[0].value, lb->v[0].value);
            if (c != 0)
                return c < 0 ? -1 : 1;
        }
        for (size_t i = 1; i < la->n; i++) {
            c = la->v[i].name == lb->v[i].name ? 0 : strcmp(la->v[i].name, lb->v[i].name);
            if (c != 0)
                return c > 0 ? -1 : 1; /* b's name first: a lacks it, a comes first */
            c = la->v[i].value == lb->v[i].value ? 0 : strcmp(la->v[i].value, lb->v[i].value);
            if (c != 0)
                return c < 0 ? -1 : 1;
        }
    }
    return strcmp(a->receiver, b->receiver);
}

void dispatch_foreach_group(const struct dispatch *d,
                            void (*cb)(void *arg, const char *group_key,
                                       const struct labels *group_labels, const char *receiver,
                                       const struct am_alert *const *alerts, size_t n),
                            void *arg)
{
    struct kvmap_iter it;
    struct group_sort *gs = xcalloc(d->groups.n ? d->groups.n : 1, sizeof(*gs));
    const struct am_alert **v = NULL;
    size_t ng = 0, vcap = 0;
    for (struct kvmap_entry *e = kvmap_first(&d->groups, &it); e; e = kvmap_next(&d->groups, &it)) {
        const struct dgroup *g = e->value;
        gs[ng].ls = g->group_labels;
        gs[ng].n = g->group_labels->n;
        if (gs[ng].n > 0) {
            strncpy(gs[ng].name_prefix, g->group_labels->v[0].name, sizeof(gs[ng].name_prefix));
            strncpy(gs[ng].value_prefix, g->group_labels->v[0].value, sizeof(gs[ng].value_prefix));
        }
        gs[ng].receiver = g->receiver;
        gs[ng++].g = g;
    }
    qsort(gs, ng, sizeof(*gs), cmp_group_api);
    for (size_t i = 0; i < ng; i++) {
        const struct dgroup *g = gs[i].g;
        struct kvmap_iter ai;
        size_t k = 0;
        if (g->alerts.n == 0)
            continue; /* emptied, waiting for the sweep: the API does not show it */
        if (g->alerts.n > vcap) {
            vcap = g->alerts.n > 2 * vcap ? g->alerts.n : 2 * vcap;
            v = xrealloc(v, vcap * sizeof(*v));
        }
        for (struct kvmap_entry *a = kvmap_first(&g->alerts, &ai); a;
             a = kvmap_next(&g->alerts, &ai))
            v[k++] = a->value;
        if (k > 1)
            qsort(v, k, sizeof(*v), cmp_notify);
        cb(arg, g->key, g->group_labels, g->receiver, v, k);
    }
    xfree(v);
    xfree(gs);
}
