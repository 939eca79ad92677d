/* SPDX-License-Identifier: Apache-2.0 */
/* Rule groups at run time: evaluation, the alert state machine, sending, scheduling. */
#include "evaluator/rules/group.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/labels.h"
#include "common/log.h"
#include "common/timeutil.h"
#include "common/xalloc.h"
#include "evaluator/promql/storage.h"
#include "evaluator/rules/rtmpl.h"

/* How long a resolved alert is kept (and re-sent), as Prometheus's resolvedRetention. */
#define RESOLVED_RETENTION_MS (15 * 60 * 1000)

const char *alert_state_str(enum alert_state s)
{
    switch (s) {
    case ALERT_PENDING:
        return "pending";
    case ALERT_FIRING:
        return "firing";
    default:
        return "inactive";
    }
}

const char *rule_health_str(enum rule_health h)
{
    switch (h) {
    case RULE_HEALTH_OK:
        return "ok";
    case RULE_HEALTH_ERR:
        return "err";
    default:
        return "unknown";
    }
}

void rule_vector_init(struct rule_vector *vec)
{
    vec->v = NULL;
    vec->n = vec->cap = 0;
}

void rule_vector_fini(struct rule_vector *vec)
{
    for (size_t i = 0; i < vec->n; i++)
        labels_free(vec->v[i].labels);
    free(vec->v);
    rule_vector_init(vec);
}

void rule_vector_add(struct rule_vector *vec, struct labels *labels, int64_t t, double v)
{
    if (vec->n == vec->cap) {
        vec->cap = vec->cap ? vec->cap * 2 : 16;
        vec->v = xreallocarray(vec->v, vec->cap, sizeof(*vec->v));
    }
    vec->v[vec->n].labels = labels;
    vec->v[vec->n].t = t;
    vec->v[vec->n].v = v;
    vec->n++;
}

struct alert *rule_alert_new(void)
{
    struct alert *a = xcalloc(1, sizeof(*a));
    a->fired_at = a->resolved_at = a->last_sent_at = a->valid_until = RULE_TIME_NONE;
    a->keep_firing_since = RULE_TIME_NONE;
    return a;
}

void rule_alert_free(struct alert *a)
{
    if (!a)
        return;
    labels_free(a->labels);
    labels_free(a->annotations);
    free(a);
}

void rule_add_alert(struct rule *r, struct alert *a)
{
    if (r->nalerts == r->capalerts) {
        r->capalerts = r->capalerts ? r->capalerts * 2 : 8;
        r->alerts = xreallocarray(r->alerts, r->capalerts, sizeof(*r->alerts));
    }
    r->alerts[r->nalerts++] = a;
}

static struct labels *kvs_to_labels(const struct rule_kvs *kvs)
{
    struct label *items = xcalloc(kvs->n ? kvs->n : 1, sizeof(*items));
    for (size_t i = 0; i < kvs->n; i++) {
        items[i].name = kvs->v[i].name;
        items[i].value = kvs->v[i].value;
    }
    struct labels *ls = labels_new(items, kvs->n);
    free(items);
    return ls;
}

static uint64_t group_hash(const char *name, const char *file)
{
    struct label l[2] = {{"file", file}, {"name", name}};
    struct labels *ls = labels_new(l, 2);
    uint64_t h = labels_hash(ls);
    labels_free(ls);
    return h;
}

struct rule_group *rule_group_new(const struct rule_group_def *def,
                                  const struct rule_group_opts *opts)
{
    struct rule_group *g = xcalloc(1, sizeof(*g));
    pthread_mutex_init(&g->mu, NULL);
    g->name = xstrdup(def->name);
    g->file = xstrdup(def->file ? def->file : "");
    g->interval_ms = def->interval_ms > 0            ? def->interval_ms
                     : opts->default_interval_ms > 0 ? opts->default_interval_ms
                                                     : 60000;
    g->query_offset_ms =
        def->has_query_offset ? def->query_offset_ms : opts->default_query_offset_ms;
    g->limit = def->limit;
    g->opts = opts;
    g->offset_ms = (int64_t)(group_hash(g->name, g->file) % (uint64_t)g->interval_ms);
    g->next_eval_ms = RULE_TIME_NONE;
    g->last_eval_ms = RULE_TIME_NONE;
    g->nrules = def->nrules;
    g->rules = xcalloc(def->nrules ? def->nrules : 1, sizeof(*g->rules));
    for (size_t i = 0; i < def->nrules; i++) {
        struct rule *r = &g->rules[i];
        const struct rule_def *rd = &def->rules[i];
        r->def = *rd;
        r->def.name = xstrdup(rd->name);
        r->def.expr = xstrdup(rd->expr);
        rule_kvs_copy(&r->def.annotations, &rd->annotations);
        /* group labels are added to the rule's, the rule's own value wins */
        size_t n = rd->labels.n;
        struct rule_kvs merged = {xcalloc(rd->labels.n + def->labels.n + 1, sizeof(struct rule_kv)),
                                  0};
        for (size_t j = 0; j < n; j++) {
            merged.v[merged.n].name = xstrdup(rd->labels.v[j].name);
            merged.v[merged.n++].value = xstrdup(rd->labels.v[j].value);
        }
        for (size_t j = 0; j < def->labels.n; j++) {
            if (rule_kvs_get(&rd->labels, def->labels.v[j].name))
                continue;
            merged.v[merged.n].name = xstrdup(def->labels.v[j].name);
            merged.v[merged.n++].value = xstrdup(def->labels.v[j].value);
        }
        r->def.labels = merged;
        r->static_labels = kvs_to_labels(&merged);
        r->last_eval_ms = RULE_TIME_NONE;
    }
    return g;
}

static void rule_fini(struct rule *r)
{
    free(r->def.name);
    free(r->def.expr);
    rule_kvs_fini(&r->def.labels);
    rule_kvs_fini(&r->def.annotations);
    labels_free(r->static_labels);
    free(r->last_error);
    for (size_t i = 0; i < r->nalerts; i++)
        rule_alert_free(r->alerts[i]);
    free(r->alerts);
    for (size_t i = 0; i < r->nprev; i++)
        labels_free(r->prev[i]);
    free(r->prev);
}

void rule_group_free(struct rule_group *g)
{
    if (!g)
        return;
    for (size_t i = 0; i < g->nrules; i++)
        rule_fini(&g->rules[i]);
    free(g->rules);
    free(g->name);
    free(g->file);
    pthread_mutex_destroy(&g->mu);
    free(g);
}

/* ---------------------------------------------------------------------------- evaluation */

static char *expand_or_error(const struct rule_group *g, const struct rule *r, const char *text,
                             const struct rule_tmpl_data *d)
{
    char *out = NULL;
    struct err e;
    struct rule_tmpl_query q = {g->opts->query, g->opts->query_ctx};
    err_clear(&e);
    if (rule_template_expand(r->def.name, text, d, &q, &out, &e) == 0)
        return out;
    log_kv(LOG_WARN, "Expanding alert template failed", "rule", r->def.name, "err", e.msg, NULL);
    return xasprintf("<error expanding template: %s>", e.msg);
}

static void append_alert_samples(const struct rule *r, const struct alert *a, int64_t t,
                                 struct rule_vector *out)
{
    char buf[32];
    struct labels_builder b;
    labels_builder_init(&b);
    labels_builder_from(&b, r->static_labels);
    for (size_t i = 0; i < a->labels->n; i++)
        labels_builder_set(&b, a->labels->v[i].name, a->labels->v[i].value);
    labels_builder_set(&b, "__name__", "ALERTS");
    labels_builder_set(&b, "alertname", r->def.name);
    labels_builder_set(&b, "alertstate", alert_state_str(a->state));
    rule_vector_add(out, labels_builder_finish(&b), t, 1);
    labels_builder_del(&b, "alertstate");
    labels_builder_set(&b, "__name__", "ALERTS_FOR_STATE");
    (void)buf;
    /* activeAt in whole seconds, as Prometheus's float64(ActiveAt.Unix()) */
    int64_t sec = a->active_at / 1000;
    if (a->active_at < 0 && a->active_at % 1000 != 0)
        sec--;
    rule_vector_add(out, labels_builder_finish(&b), t, (double)sec);
    labels_builder_fini(&b);
}

static void remove_alert_at(struct rule *r, size_t i)
{
    rule_alert_free(r->alerts[i]);
    r->alerts[i] = r->alerts[--r->nalerts];
}

/* An open-addressing index of alerts by label hash, built per evaluation. */
struct alert_index {
    struct alert **tab;
    size_t mask;
};

static void index_init(struct alert_index *ix, size_t n)
{
    size_t cap = 16;
    while (cap < 2 * n + 2)
        cap *= 2;
    ix->tab = xcalloc(cap, sizeof(*ix->tab));
    ix->mask = cap - 1;
}

static struct alert *index_find(const struct alert_index *ix, const struct alert *a)
{
    for (size_t i = a->hash & ix->mask;; i = (i + 1) & ix->mask) {
        struct alert *x = ix->tab[i];
        if (!x)
            return NULL;
        if (x->hash == a->hash && labels_equal(x->labels, a->labels))
            return x;
    }
}

/* Inserts a unless an equal label set is present; returns the present one or NULL. */
static struct alert *index_add(struct alert_index *ix, struct alert *a)
{
    size_t i = a->hash & ix->mask;
    for (;; i = (i + 1) & ix->mask) {
        struct alert *x = ix->tab[i];
        if (!x)
            break;
        if (x->hash == a->hash && labels_equal(x->labels, a->labels))
            return x;
    }
    ix->tab[i] = a;
    return NULL;
}

/*
 * The alerting half of Prometheus's AlertingRule.Eval: res is the query result at qts; out gets
 * the ALERTS / ALERTS_FOR_STATE samples. *changed is set when persisted state changed.
 */
static int eval_alerting(struct rule_group *g, struct rule *r, int64_t ts, int64_t qts,
                         const struct rule_vector *res, struct rule_vector *out, bool *changed,
                         struct err *e)
{
    int rc = ERR_INTERNAL;
    const struct rule_group_opts *o = g->opts;
    struct alert **fresh = xcalloc(res->n + 1, sizeof(*fresh));
    struct alert_index fix;
    struct alert_index oix = {NULL, 0};
    index_init(&fix, res->n);
    size_t nfresh = 0;
    bool locked = false;
    struct labels_builder lb;
    labels_builder_init(&lb);
    for (size_t i = 0; i < res->n; i++) {
        const struct rule_sample *s = &res->v[i];
        struct rule_tmpl_data td = {s->labels, o->external_labels, o->external_url, s->v, ts};
        char **lv = xcalloc(r->def.labels.n + 1, sizeof(*lv));
        labels_builder_reset(&lb);
        labels_builder_from(&lb, s->labels);
        labels_builder_del(&lb, "__name__");
        for (size_t j = 0; j < r->def.labels.n; j++) {
            lv[j] = expand_or_error(g, r, r->def.labels.v[j].value, &td);
            labels_builder_set(&lb, r->def.labels.v[j].name, lv[j]);
        }
        labels_builder_set(&lb, "alertname", r->def.name);
        struct labels *ls = labels_builder_finish(&lb);
        for (size_t j = 0; j < r->def.labels.n; j++)
            free(lv[j]);
        free(lv);
        struct label *an = xcalloc(r->def.annotations.n + 1, sizeof(*an));
        for (size_t j = 0; j < r->def.annotations.n; j++) {
            an[j].name = r->def.annotations.v[j].name;
            an[j].value = expand_or_error(g, r, r->def.annotations.v[j].value, &td);
        }
        struct labels *annots = labels_new(an, r->def.annotations.n);
        for (size_t j = 0; j < r->def.annotations.n; j++)
            free((char *)an[j].value);
        free(an);
        struct alert *a = rule_alert_new();
        a->labels = ls;
        a->annotations = annots;
        a->hash = labels_hash(ls);
        a->state = ALERT_PENDING;
        a->active_at = ts;
        a->value = s->v;
        fresh[nfresh++] = a;
        if (index_add(&fix, a)) {
            rc = err_set(e, ERR_INVALID,
                         "vector contains metrics with the same labelset "
                         "after applying alert labels");
            goto out;
        }
    }

    pthread_mutex_lock(&g->mu);
    locked = true;
    index_init(&oix, r->nalerts);
    for (size_t i = 0; i < r->nalerts; i++) {
        r->alerts[i]->in_result = false;
        r->alerts[i]->replaced = false;
        index_add(&oix, r->alerts[i]);
    }
    for (size_t i = 0; i < nfresh; i++) {
        struct alert *a = fresh[i];
        struct alert *old = index_find(&oix, a);
        fresh[i] = NULL;
        if (old && old->state != ALERT_INACTIVE) {
            old->value = a->value;
            labels_free(old->annotations);
            old->annotations = a->annotations;
            a->annotations = NULL;
            rule_alert_free(a);
            old->in_result = true;
            continue;
        }
        if (old)
            old->replaced = true; /* a resolved alert that came back: a new alert replaces it */
        a->in_result = true;
        rule_add_alert(r, a);
        *changed = true;
    }

    size_t active_pending = 0;
    for (size_t i = 0; i < r->nalerts;) {
        struct alert *a = r->alerts[i];
        if (a->replaced) {
            remove_alert_at(r, i);
            continue;
        }
        if (!a->in_result) {
            bool keep_firing = false;
            if (a->state == ALERT_FIRING && r->def.keep_firing_for_ms > 0) {
                if (a->keep_firing_since == RULE_TIME_NONE) {
                    a->keep_firing_since = ts;
                    *changed = true;
                }
                if (ts - a->keep_firing_since < r->def.keep_firing_for_ms)
                    keep_firing = true;
            }
            bool drop = a->state == ALERT_PENDING || (a->resolved_at != RULE_TIME_NONE &&
                                                      ts - a->resolved_at > RESOLVED_RETENTION_MS);
            if (a->state != ALERT_INACTIVE && !keep_firing) {
                a->state = ALERT_INACTIVE;
                a->resolved_at = ts;
                *changed = true;
            }
            if (drop) {
                remove_alert_at(r, i);
                *changed = true;
                continue; /* a dropped alert is never kept firing: it was pending or inactive */
            }
            if (!keep_firing) {
                i++;
                continue;
            }
        } else if (a->keep_firing_since != RULE_TIME_NONE) {
            a->keep_firing_since = RULE_TIME_NONE;
            *changed = true;
        }
        active_pending++;
        if (a->state == ALERT_PENDING && ts - a->active_at >= r->def.for_ms) {
            a->state = ALERT_FIRING;
            a->fired_at = ts;
            *changed = true;
        }
        append_alert_samples(r, a, qts, out);
        i++;
    }
    if (g->limit > 0 && active_pending > (size_t)g->limit) {
        for (size_t i = 0; i < r->nalerts; i++)
            rule_alert_free(r->alerts[i]);
        r->nalerts = 0;
        *changed = true;
        rule_vector_fini(out);
        rc = err_set(e, ERR_LIMIT, "exceeded limit of %lld with %zu alerts", g->limit,
                     active_pending);
        goto out;
    }
    rc = 0;
out:
    if (locked)
        pthread_mutex_unlock(&g->mu);
    for (size_t i = 0; i < nfresh; i++)
        rule_alert_free(fresh[i]);
    free(fresh);
    free(fix.tab);
    free(oix.tab);
    labels_builder_fini(&lb);
    return rc;
}

/* url.QueryEscape */
static void query_escape(struct buf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '_' || c == '.' || c == '~') {
            buf_putc(b, (char)c);
        } else if (c == ' ') {
            buf_putc(b, '+');
        } else {
            buf_putc(b, '%');
            buf_putc(b, hex[c >> 4]);
            buf_putc(b, hex[c & 15]);
        }
    }
}

/* Prometheus's sendAlerts + needsSending + the manager's SendAlerts conversion. */
static void send_alerts(struct rule_group *g, struct rule *r, int64_t ts, bool *changed)
{
    const struct rule_group_opts *o = g->opts;
    int64_t resend = o->resend_delay_ms > 0 ? o->resend_delay_ms : 60000;
    int64_t delta = g->interval_ms > resend ? g->interval_ms : resend;
    struct rule_alert_send *out = NULL;
    struct alert **copies = NULL;
    size_t n = 0;
    struct buf url;
    buf_init(&url, 0);
    buf_puts(&url, o->external_url ? o->external_url : "");
    buf_puts(&url, "/graph?g0.expr=");
    query_escape(&url, r->def.expr);
    buf_puts(&url, "&g0.tab=1");

    pthread_mutex_lock(&g->mu);
    out = xcalloc(r->nalerts + 1, sizeof(*out));
    copies = xcalloc(r->nalerts + 1, sizeof(*copies));
    for (size_t i = 0; i < r->nalerts; i++) {
        struct alert *a = r->alerts[i];
        bool need;
        if (a->state == ALERT_PENDING)
            need = false;
        else if (a->resolved_at != RULE_TIME_NONE &&
                 (a->last_sent_at == RULE_TIME_NONE || a->resolved_at > a->last_sent_at))
            need = true;
        else
            need = a->last_sent_at == RULE_TIME_NONE || a->last_sent_at + resend < ts;
        if (!need)
            continue;
        a->last_sent_at = ts;
        a->valid_until = ts + 4 * delta;
        *changed = true;
        struct alert *c = rule_alert_new();
        c->labels = labels_dup(a->labels);
        c->annotations = labels_dup(a->annotations);
        copies[n] = c;
        out[n].labels = c->labels;
        out[n].annotations = c->annotations;
        out[n].starts_at_ms = a->fired_at;
        out[n].ends_at_ms = a->resolved_at != RULE_TIME_NONE ? a->resolved_at : a->valid_until;
        out[n].generator_url = buf_str(&url);
        n++;
    }
    pthread_mutex_unlock(&g->mu);
    if (n > 0 && o->notify)
        o->notify(o->notify_ctx, r->def.expr, out, n);
    for (size_t i = 0; i < n; i++)
        rule_alert_free(copies[i]);
    free(copies);
    free(out);
    buf_fini(&url);
}

static int labels_ptr_cmp(const void *a, const void *b)
{
    return labels_cmp(*(struct labels *const *)a, *(struct labels *const *)b);
}

/* The recording half: result samples renamed and relabelled. */
static int eval_recording(struct rule_group *g, struct rule *r, const struct rule_vector *res,
                          struct rule_vector *out, struct err *e)
{
    struct labels_builder lb;
    labels_builder_init(&lb);
    for (size_t i = 0; i < res->n; i++) {
        labels_builder_reset(&lb);
        labels_builder_from(&lb, res->v[i].labels);
        labels_builder_set(&lb, "__name__", r->def.name);
        for (size_t j = 0; j < r->static_labels->n; j++)
            labels_builder_set(&lb, r->static_labels->v[j].name, r->static_labels->v[j].value);
        rule_vector_add(out, labels_builder_finish(&lb), res->v[i].t, res->v[i].v);
    }
    labels_builder_fini(&lb);
    if (out->n > 1) {
        struct labels **sorted = xcalloc(out->n, sizeof(*sorted));
        bool dup = false;
        for (size_t i = 0; i < out->n; i++)
            sorted[i] = out->v[i].labels;
        qsort(sorted, out->n, sizeof(*sorted), labels_ptr_cmp);
        for (size_t i = 1; i < out->n && !dup; i++)
            dup = labels_equal(sorted[i - 1], sorted[i]);
        free(sorted);
        if (dup) {
            rule_vector_fini(out);
            return err_set(e, ERR_INVALID,
                           "vector contains metrics with the same labelset "
                           "after applying rule labels");
        }
    }
    if (g->limit > 0 && out->n > (size_t)g->limit) {
        size_t n = out->n;
        rule_vector_fini(out);
        return err_set(e, ERR_LIMIT, "exceeded limit of %lld with %zu series", g->limit, n);
    }
    return 0;
}

static int sample_cmp(const void *a, const void *b)
{
    return labels_cmp(*(struct labels *const *)a, *(struct labels *const *)b);
}

/* Appends the outputs, then staleness markers for series of the previous evaluation that are
 * gone. Updates r->prev. */
static void write_outputs(struct rule_group *g, struct rule *r, struct rule_vector *out,
                          int64_t qts)
{
    const struct rule_group_opts *o = g->opts;
    struct err e;
    err_clear(&e);
    struct labels **now = xcalloc(out->n + 1, sizeof(*now));
    for (size_t i = 0; i < out->n; i++)
        now[i] = labels_dup(out->v[i].labels);
    qsort(now, out->n, sizeof(*now), sample_cmp);
    struct rule_vector stale;
    rule_vector_init(&stale);
    union {
        uint64_t u;
        double d;
    } nan = {PROMQL_STALE_NAN_BITS};
    for (size_t i = 0; i < r->nprev; i++) {
        if (!bsearch(&r->prev[i], now, out->n, sizeof(*now), sample_cmp))
            rule_vector_add(&stale, labels_dup(r->prev[i]), qts, nan.d);
    }
    if (o->append) {
        if (out->n > 0 && o->append(o->append_ctx, out->v, out->n, &e) != 0)
            log_kv(LOG_WARN, "Rule sample appending failed", "group", g->name, "rule", r->def.name,
                   "err", e.msg, NULL);
        if (stale.n > 0 && o->append(o->append_ctx, stale.v, stale.n, &e) != 0)
            log_kv(LOG_WARN, "Adding stale sample failed", "group", g->name, "rule", r->def.name,
                   "err", e.msg, NULL);
    }
    rule_vector_fini(&stale);
    for (size_t i = 0; i < r->nprev; i++)
        labels_free(r->prev[i]);
    free(r->prev);
    r->prev = now;
    r->nprev = out->n;
}

static int64_t mono_us(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000 + t.tv_nsec / 1000;
}

int rule_group_eval(struct rule_group *g, int64_t ts_ms)
{
    const struct rule_group_opts *o = g->opts;
    int64_t qts = ts_ms - g->query_offset_ms;
    int64_t g0 = mono_us();
    int failed = 0;
    bool changed = false;
    for (size_t i = 0; i < g->nrules; i++) {
        struct rule *r = &g->rules[i];
        struct rule_vector res, out;
        struct err e;
        int rc;
        int64_t t0 = mono_us();
        err_clear(&e);
        rule_vector_init(&res);
        rule_vector_init(&out);
        rc = o->query(o->query_ctx, r->def.expr, qts, &res, &e);
        if (rc == 0) {
            if (r->def.kind == RULE_ALERT)
                rc = eval_alerting(g, r, ts_ms, qts, &res, &out, &changed, &e);
            else
                rc = eval_recording(g, r, &res, &out, &e);
        }
        pthread_mutex_lock(&g->mu);
        r->last_eval_ms = ts_ms;
        r->eval_duration_us = mono_us() - t0;
        free(r->last_error);
        r->last_error = NULL;
        if (rc != 0) {
            r->health = RULE_HEALTH_ERR;
            r->last_error = xstrdup(e.msg[0] ? e.msg : err_str(rc));
            g->failures++;
        } else {
            r->health = RULE_HEALTH_OK;
        }
        pthread_mutex_unlock(&g->mu);
        if (rc != 0) {
            failed++;
            if (!r->failing)
                log_kv(LOG_WARN, "Evaluating rule failed", "group", g->name, "file", g->file,
                       "rule", r->def.name, "err", r->last_error, NULL);
            r->failing = true;
        } else {
            if (r->failing)
                log_kv(LOG_INFO, "Rule evaluation recovered", "group", g->name, "rule", r->def.name,
                       NULL);
            r->failing = false;
            if (r->def.kind == RULE_ALERT)
                send_alerts(g, r, ts_ms, &changed);
            write_outputs(g, r, &out, qts);
        }
        rule_vector_fini(&res);
        rule_vector_fini(&out);
    }
    pthread_mutex_lock(&g->mu);
    g->evaluations++;
    g->last_eval_ms = ts_ms;
    g->last_duration_us = mono_us() - g0;
    if (changed)
        g->state_version++;
    pthread_mutex_unlock(&g->mu);
    return failed;
}

/* ---------------------------------------------------------------------------- scheduling */

static int64_t floor_mod(int64_t a, int64_t m)
{
    int64_t r = a % m;
    return r < 0 ? r + m : r;
}

int64_t rule_group_eval_timestamp(const struct rule_group *g, int64_t start_ms)
{
    int64_t adj = start_ms - g->offset_ms;
    int64_t base = adj - floor_mod(adj, g->interval_ms);
    return base + g->offset_ms;
}

int64_t rule_group_tick(struct rule_group *g, int64_t now_ms)
{
    if (g->next_eval_ms == RULE_TIME_NONE) {
        g->next_eval_ms = rule_group_eval_timestamp(g, now_ms) + g->interval_ms;
        return g->next_eval_ms;
    }
    if (now_ms < g->next_eval_ms)
        return g->next_eval_ms;
    int64_t missed = (now_ms - g->next_eval_ms) / g->interval_ms;
    int64_t ts = g->next_eval_ms + missed * g->interval_ms;
    if (missed > 0) {
        pthread_mutex_lock(&g->mu);
        g->missed += (uint64_t)missed;
        pthread_mutex_unlock(&g->mu);
        log_kv(LOG_WARN, "Rule group evaluation missed iterations", "group", g->name, NULL);
    }
    rule_group_eval(g, ts);
    g->next_eval_ms = ts + g->interval_ms;
    return g->next_eval_ms;
}

/* ---------------------------------------------------------------------------- reload */

static bool rule_same(const struct rule *a, const struct rule *b)
{
    if (a->def.kind != b->def.kind || strcmp(a->def.name, b->def.name) != 0)
        return false;
    return labels_equal(a->static_labels, b->static_labels);
}

void rule_group_copy_state(struct rule_group *dst, struct rule_group *src)
{
    bool *used = xcalloc(src->nrules + 1, sizeof(*used));
    pthread_mutex_lock(&src->mu);
    pthread_mutex_lock(&dst->mu);
    dst->evaluations = src->evaluations;
    dst->failures = src->failures;
    dst->missed = src->missed;
    dst->last_eval_ms = src->last_eval_ms;
    dst->last_duration_us = src->last_duration_us;
    if (dst->interval_ms == src->interval_ms && strcmp(dst->name, src->name) == 0)
        dst->next_eval_ms = src->next_eval_ms;
    for (size_t i = 0; i < dst->nrules; i++) {
        struct rule *d = &dst->rules[i];
        for (size_t j = 0; j < src->nrules; j++) {
            struct rule *s = &src->rules[j];
            if (used[j] || !rule_same(d, s))
                continue;
            used[j] = true;
            d->health = s->health;
            d->last_error = s->last_error;
            s->last_error = NULL;
            d->last_eval_ms = s->last_eval_ms;
            d->eval_duration_us = s->eval_duration_us;
            d->failing = s->failing;
            d->alerts = s->alerts;
            d->nalerts = s->nalerts;
            d->capalerts = s->capalerts;
            s->alerts = NULL;
            s->nalerts = s->capalerts = 0;
            d->prev = s->prev;
            d->nprev = s->nprev;
            s->prev = NULL;
            s->nprev = 0;
            break;
        }
    }
    dst->state_version = src->state_version + 1;
    pthread_mutex_unlock(&dst->mu);
    pthread_mutex_unlock(&src->mu);
    free(used);
}

/* ---------------------------------------------------------------------------- snapshots */

void rule_group_snapshot(struct rule_group *g, struct rule_group_status *out)
{
    memset(out, 0, sizeof(*out));
    pthread_mutex_lock(&g->mu);
    out->name = xstrdup(g->name);
    out->file = xstrdup(g->file);
    out->interval_ms = g->interval_ms;
    out->query_offset_ms = g->query_offset_ms;
    out->limit = g->limit;
    out->last_eval_ms = g->last_eval_ms;
    out->last_duration_us = g->last_duration_us;
    out->evaluations = g->evaluations;
    out->failures = g->failures;
    out->missed = g->missed;
    out->nrules = g->nrules;
    out->rules = xcalloc(g->nrules + 1, sizeof(*out->rules));
    for (size_t i = 0; i < g->nrules; i++) {
        const struct rule *r = &g->rules[i];
        struct rule_status *s = &out->rules[i];
        s->kind = r->def.kind;
        s->name = xstrdup(r->def.name);
        s->expr = xstrdup(r->def.expr);
        s->for_ms = r->def.for_ms;
        s->keep_firing_for_ms = r->def.keep_firing_for_ms;
        s->labels = labels_dup(r->static_labels);
        s->annotations = kvs_to_labels(&r->def.annotations);
        s->health = r->health;
        s->last_error = xstrdup(r->last_error ? r->last_error : "");
        s->last_eval_ms = r->last_eval_ms;
        s->eval_duration_us = r->eval_duration_us;
        s->state = ALERT_INACTIVE;
        s->alerts = xcalloc(r->nalerts + 1, sizeof(*s->alerts));
        for (size_t j = 0; j < r->nalerts; j++) {
            const struct alert *a = r->alerts[j];
            if (a->state > s->state)
                s->state = a->state;
            if (a->resolved_at != RULE_TIME_NONE)
                continue; /* ActiveAlerts(): not resolved */
            struct alert_status *as = &s->alerts[s->nalerts++];
            as->labels = labels_dup(a->labels);
            as->annotations = labels_dup(a->annotations);
            as->state = a->state;
            as->value = a->value;
            as->active_at = a->active_at;
            as->keep_firing_since = a->keep_firing_since;
        }
    }
    pthread_mutex_unlock(&g->mu);
}

void rule_group_status_fini(struct rule_group_status *s)
{
    for (size_t i = 0; i < s->nrules; i++) {
        struct rule_status *r = &s->rules[i];
        free(r->name);
        free(r->expr);
        labels_free(r->labels);
        labels_free(r->annotations);
        free(r->last_error);
        for (size_t j = 0; j < r->nalerts; j++) {
            labels_free(r->alerts[j].labels);
            labels_free(r->alerts[j].annotations);
        }
        free(r->alerts);
    }
    free(s->rules);
    free(s->name);
    free(s->file);
    memset(s, 0, sizeof(*s));
}

void rule_group_foreach_alert(struct rule_group *g,
                              void (*f)(void *arg, const struct rule *r, const struct alert *a),
                              void *arg)
{
    pthread_mutex_lock(&g->mu);
    for (size_t i = 0; i < g->nrules; i++)
        for (size_t j = 0; j < g->rules[i].nalerts; j++)
            f(arg, &g->rules[i], g->rules[i].alerts[j]);
    pthread_mutex_unlock(&g->mu);
}
