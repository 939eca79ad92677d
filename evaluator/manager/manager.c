/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The rule runtime (see manager.h). A "generation" is one loaded config with its groups; a
 * reload builds a new generation, and it replaces the current one once no evaluation of the
 * current one is running (group state is copied over at that moment).
 */
#include "evaluator/manager/manager.h"

#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/jsonx.h"
#include "common/labels.h"
#include "common/log.h"
#include "common/metrics.h"
#include "common/timeutil.h"
#include "common/workq.h"
#include "common/xalloc.h"
#include "evaluator/config/config.h"
#include "evaluator/manager/datasource.h"
#include "evaluator/manager/rwout.h"
#include "evaluator/manager/watch.h"
#include "evaluator/promql/storage.h"
#include "evaluator/rules/group.h"
#include "evaluator/rules/query.h"
#include "evaluator/rules/rulefile.h"
#include "evaluator/rules/state.h"
#include "evaluator/sender/sender.h"
#include "evaluator/tsdb/tsdb.h"

struct gen;

struct mgroup {
    struct evmgr *m;
    struct gen *gen;
    struct rule_group *g;
    struct event *timer;
    bool running;
    char *key; /* "file;name", the rule_group label of the self-metrics */
    uint64_t seen_evals, seen_failures, seen_missed;
};

struct gen {
    struct evcfg *cfg; /* NULL when there is no config file */
    struct rule_group_opts opts;
    struct rules_query_ctx qctx;
    struct evds ds;
    bool has_ds;
    struct mgroup **groups;
    struct rule_group **rg; /* the groups' rule_group pointers (state file API) */
    size_t n;
    char **am_urls;
    struct sender_target_opts *targets;
    struct evhttp_client *am_http;
    size_t nam;
    size_t running; /* evaluations in flight */
    struct evmgr *m;
};

struct evmgr {
    struct evmgr_opts o;
    char *external_url;
    char *state_path;
    char *config_path;
    struct sender *sender;
    struct rwout *rwout;
    struct gen *cur, *pending;
    bool stopping, restored;
    uint64_t saved_version;
    uint64_t loads_ok, loads_failed, iterations;
    struct event *watch_timer;
    uint64_t last_fp;
    /* self-metrics */
    struct metrics_family *f_evals, *f_fails, *f_iters, *f_missed, *f_dur, *f_last, *f_interval,
        *f_rules;
    struct metric *m_reload_fail;
};

/* The evaluation a worker is running (notifications and outputs are collected here). */
struct evjob {
    struct mgroup *mg;
    int64_t next_ms;
    char **alerts;
    size_t nalerts;
    struct rule_vector rw; /* outputs for remote_write */
};

static _Thread_local struct evjob *tl_job;

/* ----------------------------------------------------------------------------- callbacks */

static int gen_query(void *ctx, const char *expr, int64_t ts_ms, struct rule_vector *out,
                     struct err *e)
{
    struct gen *gen = ctx;
    if (gen->has_ds)
        return evds_query(&gen->ds, expr, ts_ms, out, e);
    return rules_query_engine(&gen->qctx, expr, ts_ms, out, e);
}

static int gen_append(void *ctx, const struct rule_sample *s, size_t n, struct err *e)
{
    struct gen *gen = ctx;
    struct tsdb_appender *a = tsdb_appender_new(gen->m->o.db);
    struct tsdb_commit_result res;
    int rc;
    for (size_t i = 0; i < n; i++)
        tsdb_appender_add(a, labels_dup(s[i].labels), &s[i].t, &s[i].v, 1);
    rc = tsdb_appender_commit(a, &res, e);
    tsdb_appender_free(a);
    if (rc == 0 && res.rejected > 0)
        log_kv(LOG_DEBUG, "Rule samples rejected by the window", "err", res.first_error, NULL);
    if (gen->cfg && gen->cfg->nremote_write > 0 && tl_job != NULL) {
        /* as Prometheus's remote_write: external labels added where the series lacks them */
        const struct labels *ext = gen->opts.external_labels;
        struct labels_builder lb;
        labels_builder_init(&lb);
        for (size_t i = 0; i < n; i++) {
            labels_builder_reset(&lb);
            labels_builder_from(&lb, s[i].labels);
            for (size_t j = 0; ext && j < ext->n; j++)
                if (labels_get(s[i].labels, ext->v[j].name) == NULL)
                    labels_builder_set(&lb, ext->v[j].name, ext->v[j].value);
            rule_vector_add(&tl_job->rw, labels_builder_finish(&lb), s[i].t, s[i].v);
        }
        labels_builder_fini(&lb);
    }
    return rc;
}

/* Runs on the worker: encodes the alerts (external labels added where absent, as Prometheus's
 * notifier does) so the loop only has to queue them. */
static void gen_notify(void *ctx, const char *expr, const struct rule_alert_send *alerts, size_t n)
{
    struct gen *gen = ctx;
    struct evjob *job = tl_job;
    const struct labels *ext = gen->opts.external_labels;
    struct labels_builder lb;
    (void)expr;
    if (job == NULL)
        return;
    labels_builder_init(&lb);
    job->alerts = xreallocarray(job->alerts, job->nalerts + n + 1, sizeof(*job->alerts));
    for (size_t i = 0; i < n; i++) {
        struct labels *ls = NULL;
        struct buf b;
        struct sender_alert sa = {alerts[i].labels, alerts[i].annotations, alerts[i].starts_at_ms,
                                  alerts[i].ends_at_ms, alerts[i].generator_url};
        if (ext && ext->n > 0) {
            labels_builder_reset(&lb);
            labels_builder_from(&lb, alerts[i].labels);
            for (size_t j = 0; j < ext->n; j++)
                if (labels_get(alerts[i].labels, ext->v[j].name) == NULL)
                    labels_builder_set(&lb, ext->v[j].name, ext->v[j].value);
            ls = labels_builder_finish(&lb);
            sa.labels = ls;
        }
        buf_init(&b, 0);
        sender_encode_alert(&sa, &b);
        job->alerts[job->nalerts++] = buf_steal(&b, NULL);
        labels_free(ls);
    }
    labels_builder_fini(&lb);
}

/* ----------------------------------------------------------------------------- generations */

static void gen_free(struct gen *gen)
{
    if (!gen)
        return;
    for (size_t i = 0; i < gen->n; i++) {
        struct mgroup *mg = gen->groups[i];
        if (mg->timer)
            event_free(mg->timer);
        rule_group_free(mg->g);
        free(mg->key);
        free(mg);
    }
    free(gen->groups);
    free(gen->rg);
    for (size_t i = 0; i < gen->nam; i++) {
        free(gen->am_urls[i]);
        evhttp_client_fini(&gen->am_http[i]);
    }
    free(gen->am_urls);
    free(gen->am_http);
    free(gen->targets);
    if (gen->has_ds) {
        free(gen->ds.query_url);
        evhttp_client_fini(&gen->ds.http);
    }
    evcfg_free(gen->cfg);
    free(gen);
}

static char *join_url(const char *scheme, const char *host, const char *prefix, const char *tail)
{
    struct buf b;
    buf_init(&b, 0);
    buf_printf(&b, "%s://%s", scheme, host);
    size_t plen = prefix ? strlen(prefix) : 0;
    while (plen > 0 && prefix[plen - 1] == '/')
        plen--;
    if (plen > 0) {
        if (prefix[0] != '/')
            buf_putc(&b, '/');
        buf_append(&b, prefix, plen);
    }
    buf_puts(&b, tail);
    return buf_steal(&b, NULL);
}

static void mgroup_on_timer(evutil_socket_t fd, short what, void *arg);

/* Builds a generation from a parsed config and its rule files (taken: cfg; files borrowed). */
static int gen_build(struct evmgr *m, struct evcfg *cfg, struct rule_file **rfs, size_t nrf,
                     struct gen **out, struct err *e)
{
    int rc = ERR_INTERNAL;
    struct gen *gen = xcalloc(1, sizeof(*gen));
    *out = NULL;
    gen->m = m;
    gen->cfg = cfg;
    gen->qctx.engine = m->o.engine;
    gen->qctx.storage = tsdb_storage(m->o.db);
    gen->opts.query = gen_query;
    gen->opts.append = gen_append;
    gen->opts.notify = gen_notify;
    gen->opts.query_ctx = gen;
    gen->opts.append_ctx = gen;
    gen->opts.notify_ctx = gen;
    gen->opts.external_labels = cfg ? cfg->external_labels : NULL;
    gen->opts.external_url = m->external_url;
    gen->opts.default_interval_ms = cfg ? cfg->evaluation_interval_ms : 60000;
    gen->opts.default_query_offset_ms = cfg ? cfg->query_offset_ms : 0;
    gen->opts.resend_delay_ms = m->o.resend_delay_ms;
    if (cfg && cfg->datasource.set) {
        const char *u = cfg->datasource.url;
        size_t ul = strlen(u);
        while (ul > 0 && u[ul - 1] == '/')
            ul--;
        gen->ds.query_url = xmalloc(ul + 16);
        snprintf(gen->ds.query_url, ul + 16, "%.*s/api/v1/query", (int)ul, u);
        gen->ds.timeout_ms = cfg->datasource.timeout_ms;
        gen->has_ds = true;
        if ((rc = evhttp_client_init(&gen->ds.http, &cfg->datasource.auth, &cfg->datasource.tls,
                                     &cfg->datasource.headers, e)) != 0)
            goto out;
    }
    for (size_t i = 0; cfg && i < cfg->nalertmanagers; i++) {
        const struct evcfg_alertmanager *am = &cfg->alertmanagers[i];
        for (size_t j = 0; j < am->ntargets; j++) {
            size_t k = gen->nam;
            gen->am_urls = xreallocarray(gen->am_urls, k + 1, sizeof(*gen->am_urls));
            gen->targets = xreallocarray(gen->targets, k + 1, sizeof(*gen->targets));
            gen->am_http = xreallocarray(gen->am_http, k + 1, sizeof(*gen->am_http));
            gen->am_urls[k] = join_url(am->scheme ? am->scheme : "http", am->targets[j],
                                       am->path_prefix, "/api/v2/alerts");
            memset(&gen->am_http[k], 0, sizeof(gen->am_http[k]));
            memset(&gen->targets[k], 0, sizeof(gen->targets[k]));
            gen->nam++;
            if ((rc = evhttp_client_init(&gen->am_http[k], &am->auth, &am->tls, NULL, e)) != 0)
                goto out;
            gen->targets[k].url = gen->am_urls[k];
            gen->targets[k].timeout_ms = am->timeout_ms;
            gen->targets[k].bearer_token = gen->am_http[k].bearer;
            gen->targets[k].basic_user = gen->am_http[k].basic_user;
            gen->targets[k].basic_password = gen->am_http[k].basic_pw;
            gen->targets[k].tls = gen->am_http[k].tls;
        }
    }
    for (size_t i = 0; i < nrf; i++) {
        for (size_t j = 0; j < rfs[i]->ngroups; j++) {
            struct mgroup *mg = xcalloc(1, sizeof(*mg));
            mg->m = m;
            mg->gen = gen;
            mg->g = rule_group_new(&rfs[i]->groups[j], &gen->opts);
            size_t kl = strlen(mg->g->file) + strlen(mg->g->name) + 2;
            mg->key = xmalloc(kl);
            snprintf(mg->key, kl, "%s;%s", mg->g->file, mg->g->name);
            mg->timer = evtimer_new(m->o.base, mgroup_on_timer, mg);
            gen->groups = xreallocarray(gen->groups, gen->n + 1, sizeof(*gen->groups));
            gen->rg = xreallocarray(gen->rg, gen->n + 1, sizeof(*gen->rg));
            gen->groups[gen->n] = mg;
            gen->rg[gen->n] = mg->g;
            gen->n++;
        }
    }
    *out = gen;
    gen = NULL;
    rc = 0;
out:
    if (gen) {
        gen->cfg = NULL; /* the caller still owns cfg on failure */
        gen_free(gen);
    }
    return rc;
}

/* ----------------------------------------------------------------------------- scheduling */

static void arm(struct mgroup *mg, int64_t next_ms)
{
    int64_t d = next_ms - time_now_ms();
    if (d < 0)
        d = 0;
    struct timeval tv = {(time_t)(d / 1000), (suseconds_t)((d % 1000) * 1000)};
    evtimer_add(mg->timer, &tv);
}

static void save_state(struct evmgr *m, bool force)
{
    if (!m->state_path || !m->cur || !m->restored)
        return;
    uint64_t v = rules_state_version(m->cur->rg, m->cur->n);
    if (!force && v == m->saved_version)
        return;
    struct err e;
    err_clear(&e);
    if (rules_state_save(m->cur->rg, m->cur->n, m->state_path, time_now_ms(), &e) != 0)
        log_kv(LOG_WARN, "Saving the alert state failed", "file", m->state_path, "err", e.msg,
               NULL);
    else
        m->saved_version = v;
}

static void update_metrics(struct evmgr *m, struct mgroup *mg)
{
    struct rule_group *g = mg->g;
    if (!m->f_evals)
        return;
    pthread_mutex_lock(&g->mu);
    uint64_t ev = g->evaluations, fl = g->failures, ms = g->missed;
    int64_t last = g->last_eval_ms, dur = g->last_duration_us;
    pthread_mutex_unlock(&g->mu);
    const char *k = mg->key;
    if (ev + ms > mg->seen_evals + mg->seen_missed)
        metrics_add(metrics_childv(m->f_iters, k),
                    (double)(ev + ms - mg->seen_evals - mg->seen_missed));
    if (ev > mg->seen_evals) {
        metrics_add(metrics_childv(m->f_evals, k), (double)((ev - mg->seen_evals) * g->nrules));
    }
    if (fl > mg->seen_failures)
        metrics_add(metrics_childv(m->f_fails, k), (double)(fl - mg->seen_failures));
    if (ms > mg->seen_missed)
        metrics_add(metrics_childv(m->f_missed, k), (double)(ms - mg->seen_missed));
    mg->seen_evals = ev;
    mg->seen_failures = fl;
    mg->seen_missed = ms;
    if (last != RULE_TIME_NONE && ev > 0) {
        metrics_set(metrics_childv(m->f_last, k), (double)last / 1000.0);
        metrics_set(metrics_childv(m->f_dur, k), (double)dur / 1e6);
    }
}

static void apply_pending(struct evmgr *m);

static void job_work(void *arg)
{
    struct evjob *job = arg;
    tl_job = job;
    job->next_ms = rule_group_tick(job->mg->g, time_now_ms());
    tl_job = NULL;
}

static void job_free(struct evjob *job)
{
    for (size_t i = 0; i < job->nalerts; i++)
        free(job->alerts[i]);
    free(job->alerts);
    rule_vector_fini(&job->rw);
    free(job);
}

static void job_done(void *arg)
{
    struct evjob *job = arg;
    struct mgroup *mg = job->mg;
    struct evmgr *m = mg->m;
    mg->running = false;
    mg->gen->running--;
    m->iterations++;
    if (job->nalerts > 0 && m->sender)
        sender_send_json(m->sender, (const char *const *)job->alerts, job->nalerts);
    if (job->rw.n > 0 && m->rwout)
        rwout_push(m->rwout, &job->rw);
    update_metrics(m, mg);
    if (!m->stopping) {
        save_state(m, false);
        if (m->pending) {
            if (m->cur->running == 0)
                apply_pending(m);
        } else {
            arm(mg, job->next_ms);
        }
    }
    job_free(job);
}

static void mgroup_on_timer(evutil_socket_t fd, short what, void *arg)
{
    struct mgroup *mg = arg;
    struct evmgr *m = mg->m;
    (void)fd;
    (void)what;
    if (m->stopping || m->pending || mg->running)
        return;
    struct evjob *job = xcalloc(1, sizeof(*job));
    job->mg = mg;
    rule_vector_init(&job->rw);
    mg->running = true;
    mg->gen->running++;
    workq_submit(m->o.wq, job_work, job_done, job);
}

/* ----------------------------------------------------------------------------- reload */

static void mark_stale(struct evmgr *m, struct rule_group *g, int64_t now_ms)
{
    union {
        uint64_t u;
        double d;
    } nan = {PROMQL_STALE_NAN_BITS};
    struct tsdb_appender *a = NULL;
    size_t n = 0;
    for (size_t i = 0; i < g->nrules; i++) {
        for (size_t j = 0; j < g->rules[i].nprev; j++) {
            int64_t t = now_ms - g->query_offset_ms;
            if (!a)
                a = tsdb_appender_new(m->o.db);
            tsdb_appender_add(a, labels_dup(g->rules[i].prev[j]), &t, &nan.d, 1);
            n++;
        }
    }
    if (a) {
        struct tsdb_commit_result res;
        struct err e;
        err_clear(&e);
        if (tsdb_appender_commit(a, &res, &e) != 0)
            log_kv(LOG_WARN, "Adding stale samples for removed rules failed", "group", g->name,
                   "err", e.msg, NULL);
        tsdb_appender_free(a);
    }
    (void)n;
}

/* Reads "saved_at" of the state file; RULE_TIME_NONE when absent or unreadable. */
static int64_t state_saved_at(const char *path)
{
    json_error_t je;
    json_t *root = json_load_file(path, 0, &je);
    int64_t t = RULE_TIME_NONE;
    if (root && json_is_integer(json_object_get(root, "saved_at")))
        t = (int64_t)json_integer_value(json_object_get(root, "saved_at"));
    if (root)
        json_decref(root);
    return t;
}

/*
 * --rules.alert.for-grace-period, as Prometheus applies it to restored pending alerts: one that
 * would fire sooner than the grace period after the restart gets its activeAt moved so it fires
 * at restart + grace period at the earliest.
 */
static void apply_grace(struct evmgr *m, struct gen *gen, int64_t now_ms)
{
    int64_t grace = m->o.for_grace_period_ms;
    if (grace <= 0)
        return;
    for (size_t i = 0; i < gen->n; i++) {
        struct rule_group *g = gen->rg[i];
        pthread_mutex_lock(&g->mu);
        for (size_t r = 0; r < g->nrules; r++) {
            struct rule *ru = &g->rules[r];
            if (ru->def.kind != RULE_ALERT || ru->def.for_ms < grace)
                continue;
            for (size_t a = 0; a < ru->nalerts; a++) {
                struct alert *al = ru->alerts[a];
                if (al->state != ALERT_PENDING)
                    continue;
                if (al->active_at + ru->def.for_ms < now_ms + grace)
                    al->active_at = now_ms + grace - ru->def.for_ms;
            }
        }
        pthread_mutex_unlock(&g->mu);
    }
}

static void restore_state(struct evmgr *m, struct gen *gen, int64_t now_ms)
{
    size_t restored = 0;
    struct err e;
    err_clear(&e);
    int64_t saved = state_saved_at(m->state_path);
    if (saved != RULE_TIME_NONE && m->o.outage_tolerance_ms > 0 &&
        now_ms - saved > m->o.outage_tolerance_ms) {
        log_kv(LOG_WARN,
               "Alert state not restored: saved longer ago than --rules.alert.for-outage-tolerance",
               "file", m->state_path, NULL);
        return;
    }
    if (rules_state_restore(gen->rg, gen->n, m->state_path, &restored, &e) != 0) {
        log_kv(LOG_WARN, "Alert state not restored", "file", m->state_path, "err", e.msg, NULL);
        return;
    }
    if (restored > 0) {
        log_infof("Restored %zu alerts from %s", restored, m->state_path);
        apply_grace(m, gen, now_ms);
    }
}

static void remove_group_metrics(struct evmgr *m, const char *key)
{
    const char *v[1] = {key};
    struct metrics_family *fs[] = {m->f_evals, m->f_fails,    m->f_iters, m->f_missed,
                                   m->f_dur,   m->f_interval, m->f_rules, m->f_last};
    for (size_t i = 0; i < sizeof(fs) / sizeof(fs[0]); i++)
        if (fs[i])
            metrics_child_remove(fs[i], v);
}

/* Replaces the current generation with the pending one. No evaluation may be running. */
static void apply_pending(struct evmgr *m)
{
    struct gen *ng = m->pending, *old = m->cur;
    int64_t now = time_now_ms();
    m->pending = NULL;
    bool *used = xcalloc((old ? old->n : 0) + 1, sizeof(*used));
    for (size_t i = 0; i < ng->n; i++) {
        struct mgroup *nm = ng->groups[i];
        for (size_t j = 0; old && j < old->n; j++) {
            struct mgroup *om = old->groups[j];
            if (!used[j] && strcmp(nm->g->file, om->g->file) == 0 &&
                strcmp(nm->g->name, om->g->name) == 0) {
                rule_group_copy_state(nm->g, om->g);
                nm->seen_evals = om->seen_evals;
                nm->seen_failures = om->seen_failures;
                nm->seen_missed = om->seen_missed;
                used[j] = true;
                break;
            }
        }
    }
    for (size_t j = 0; old && j < old->n; j++) {
        mark_stale(m, old->groups[j]->g, now);
        bool kept = false;
        for (size_t i = 0; i < ng->n && !kept; i++)
            kept = strcmp(ng->groups[i]->key, old->groups[j]->key) == 0;
        if (!kept)
            remove_group_metrics(m, old->groups[j]->key);
    }
    free(used);
    if (!m->restored && m->state_path)
        restore_state(m, ng, now);
    m->restored = true;
    m->cur = ng;
    m->saved_version = UINT64_MAX;
    if (m->sender)
        sender_set_targets(m->sender, ng->targets, ng->nam);
    if (m->rwout) {
        struct err e;
        err_clear(&e);
        if (rwout_set_targets(m->rwout, ng->cfg ? ng->cfg->remote_write : NULL,
                              ng->cfg ? ng->cfg->nremote_write : 0, &e) != 0)
            log_kv(LOG_WARN, "remote_write targets not updated", "err", e.msg, NULL);
    }
    for (size_t i = 0; i < ng->n; i++) {
        struct mgroup *mg = ng->groups[i];
        if (m->f_interval) {
            metrics_set(metrics_childv(m->f_interval, mg->key), (double)mg->g->interval_ms / 1e3);
            metrics_set(metrics_childv(m->f_rules, mg->key), (double)mg->g->nrules);
            /* the counters exist (at 0) from the start, as Prometheus exports them */
            (void)metrics_childv(m->f_evals, mg->key);
            (void)metrics_childv(m->f_fails, mg->key);
            (void)metrics_childv(m->f_iters, mg->key);
            (void)metrics_childv(m->f_missed, mg->key);
        }
        /* a group carried over keeps its schedule (copy_state); a new one gets its first slot
         * (rule_group_tick only schedules on its first call, it never evaluates then) */
        if (mg->g->next_eval_ms != RULE_TIME_NONE)
            arm(mg, mg->g->next_eval_ms);
        else
            arm(mg, rule_group_tick(mg->g, now));
    }
    gen_free(old);
    save_state(m, true);
}

static void errs_to_err(const struct rule_errors *errs, struct err *e)
{
    struct buf b;
    buf_init(&b, sizeof(e->msg) - 1);
    for (size_t i = 0; i < errs->n; i++) {
        if (i > 0)
            buf_putc(&b, '\n');
        if (buf_puts(&b, errs->msgs[i]) != 0)
            break;
    }
    err_set(e, ERR_INVALID, "%s", buf_str(&b));
    buf_fini(&b);
}

static uint64_t current_fingerprint(struct evmgr *m)
{
    const struct gen *g = m->pending ? m->pending : m->cur;
    char **files = NULL;
    size_t n = 0;
    const char **paths = NULL;
    size_t np = 0;
    struct err e;
    err_clear(&e);
    if (g && g->cfg)
        (void)evcfg_rule_files(g->cfg, &files, &n, &e);
    paths = xcalloc(n + 2, sizeof(*paths));
    if (m->config_path && m->config_path[0])
        paths[np++] = m->config_path;
    for (size_t i = 0; i < n; i++)
        paths[np++] = files[i];
    uint64_t fp = evwatch_fingerprint(paths, np);
    free(paths);
    if (files)
        evcfg_strv_free(files);
    return fp;
}

int evmgr_load(struct evmgr *m, const char *config_path, struct err *e)
{
    int rc = ERR_INTERNAL;
    struct evcfg *cfg = NULL;
    char **files = NULL;
    size_t nfiles = 0;
    struct rule_file **rfs = NULL;
    struct rule_errors errs;
    struct gen *gen = NULL;
    struct rule_parse_opts po = {0};
    struct err le;
    bool failed = false;
    if (e == NULL)
        e = &le;
    err_clear(e);
    rule_errors_init(&errs);
    free(m->config_path);
    m->config_path = xstrdup(config_path ? config_path : "");
    if (config_path && config_path[0]) {
        if ((rc = evcfg_load(config_path, &cfg, e)) != 0)
            goto out;
        if ((rc = evcfg_rule_files(cfg, &files, &nfiles, e)) != 0)
            goto out;
    }
    rfs = xcalloc(nfiles + 1, sizeof(*rfs));
    for (size_t i = 0; i < nfiles; i++) {
        struct err fe;
        err_clear(&fe);
        if (rule_file_load(files[i], &po, &rfs[i], &errs, &fe) != 0) {
            failed = true;
            if (errs.n == 0)
                rule_errors_add(&errs, fe.msg);
        }
    }
    if (failed) {
        errs_to_err(&errs, e);
        rc = ERR_INVALID;
        goto out;
    }
    /* a group name may appear once per file, as Prometheus checks; across files is fine */
    if ((rc = gen_build(m, cfg, rfs, nfiles, &gen, e)) != 0)
        goto out;
    cfg = NULL;
    gen_free(m->pending);
    m->pending = gen;
    gen = NULL;
    if (m->cur == NULL || m->cur->running == 0)
        apply_pending(m);
    m->loads_ok++;
    log_kv(LOG_INFO, "Rules loaded", "config", config_path ? config_path : "", NULL);
    rc = 0;
out:
    if (rc != 0) {
        if (e->line > 0 || e->file[0]) {
            /* put the position into the message: it is what /-/reload and the log show */
            char full[sizeof(e->msg) + 300];
            err_format(e, full, sizeof(full));
            size_t k = strlen(full);
            if (k >= sizeof(e->msg))
                k = sizeof(e->msg) - 1;
            memcpy(e->msg, full, k);
            e->msg[k] = '\0';
            e->file[0] = '\0';
            e->line = e->column = 0;
        }
        m->loads_failed++;
        if (m->m_reload_fail)
            metrics_inc(m->m_reload_fail);
        log_kv(LOG_ERROR, "Loading rules failed; the previous rules keep running", "config",
               config_path ? config_path : "", "err", e->msg, NULL);
    }
    m->last_fp = current_fingerprint(m);
    gen_free(gen);
    for (size_t i = 0; rfs && i < nfiles; i++)
        rule_file_free(rfs[i]);
    free(rfs);
    if (files)
        evcfg_strv_free(files);
    evcfg_free(cfg);
    rule_errors_fini(&errs);
    return rc;
}

/* ----------------------------------------------------------------------------- watcher */

static void on_watch(evutil_socket_t fd, short what, void *arg)
{
    struct evmgr *m = arg;
    (void)fd;
    (void)what;
    if (m->stopping)
        return;
    uint64_t fp = current_fingerprint(m);
    if (fp != m->last_fp) {
        m->last_fp = fp;
        log_kv(LOG_INFO, "A rule or config file changed on disk; reloading", "config",
               m->config_path ? m->config_path : "", NULL);
        if (m->o.reload)
            m->o.reload(m->o.reload_ctx);
        else
            (void)evmgr_load(m, m->config_path, NULL);
    }
}

/* ----------------------------------------------------------------------------- lifecycle */

struct evmgr *evmgr_new(const struct evmgr_opts *opts)
{
    struct evmgr *m = xcalloc(1, sizeof(*m));
    m->o = *opts;
    m->external_url = xstrdup(opts->external_url ? opts->external_url : "");
    if (m->o.resend_delay_ms <= 0)
        m->o.resend_delay_ms = 60000;
    if (opts->state_dir && opts->state_dir[0]) {
        size_t n = strlen(opts->state_dir) + sizeof(RULES_STATE_FILE) + 2;
        m->state_path = xmalloc(n);
        snprintf(m->state_path, n, "%s/%s", opts->state_dir, RULES_STATE_FILE);
    }
    m->sender = sender_new(opts->base, &(struct sender_opts){0}, opts->metrics);
    m->rwout = rwout_new(opts->base, opts->metrics);
    if (opts->metrics) {
        const char *const lg[] = {"rule_group", NULL};
        struct metrics_registry *r = opts->metrics;
        m->f_evals = metrics_counter_new(r, "tocsin_rule_evaluations_total",
                                         "The total number of rule evaluations.", lg);
        m->f_fails = metrics_counter_new(r, "tocsin_rule_evaluation_failures_total",
                                         "The total number of rule evaluation failures.", lg);
        m->f_iters = metrics_counter_new(r, "tocsin_rule_group_iterations_total",
                                         "The total number of scheduled rule group evaluations, "
                                         "whether executed or missed.",
                                         lg);
        m->f_missed = metrics_counter_new(r, "tocsin_rule_group_iterations_missed_total",
                                          "The total number of rule group evaluations missed "
                                          "due to slow rule group evaluation.",
                                          lg);
        m->f_dur = metrics_gauge_new(r, "tocsin_rule_group_last_duration_seconds",
                                     "The duration of the last rule group evaluation.", lg);
        m->f_last = metrics_gauge_new(r, "tocsin_rule_group_last_evaluation_timestamp_seconds",
                                      "The timestamp of the last rule group evaluation in "
                                      "seconds.",
                                      lg);
        m->f_interval = metrics_gauge_new(r, "tocsin_rule_group_interval_seconds",
                                          "The interval of a rule group.", lg);
        m->f_rules = metrics_gauge_new(r, "tocsin_rule_group_rules", "The number of rules.", lg);
        m->m_reload_fail = metrics_get(metrics_counter_new(
            r, "tocsin_rule_reload_failures_total",
            "Rule or config loads that failed (the previous rules kept running).", NULL));
    }
    if (opts->watch_interval_ms > 0) {
        struct timeval tv = {(time_t)(opts->watch_interval_ms / 1000),
                             (suseconds_t)((opts->watch_interval_ms % 1000) * 1000)};
        m->watch_timer = event_new(opts->base, -1, EV_PERSIST, on_watch, m);
        event_add(m->watch_timer, &tv);
    }
    return m;
}

void evmgr_stop(struct evmgr *m)
{
    if (!m)
        return;
    m->stopping = true;
    if (m->watch_timer)
        event_del(m->watch_timer);
    for (size_t i = 0; m->cur && i < m->cur->n; i++)
        event_del(m->cur->groups[i]->timer);
}

void evmgr_free(struct evmgr *m)
{
    if (!m)
        return;
    m->stopping = true;
    save_state(m, false);
    if (m->watch_timer)
        event_free(m->watch_timer);
    gen_free(m->pending);
    gen_free(m->cur);
    sender_free(m->sender);
    rwout_free(m->rwout);
    free(m->external_url);
    free(m->state_path);
    free(m->config_path);
    free(m);
}

uint64_t evmgr_load_count(const struct evmgr *m, bool failed)
{
    return failed ? m->loads_failed : m->loads_ok;
}

uint64_t evmgr_iterations(const struct evmgr *m)
{
    return m->iterations;
}

void evmgr_snapshot(struct evmgr *m, struct rule_group_status **out, size_t *n)
{
    size_t k = m->cur ? m->cur->n : 0;
    *n = k;
    *out = xcalloc(k + 1, sizeof(**out));
    for (size_t i = 0; i < k; i++)
        rule_group_snapshot(m->cur->rg[i], &(*out)[i]);
}

void evmgr_snapshot_free(struct rule_group_status *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        rule_group_status_fini(&s[i]);
    free(s);
}

size_t evmgr_alertmanager_urls(const struct evmgr *m, const char *const **urls)
{
    if (!m->cur) {
        *urls = NULL;
        return 0;
    }
    *urls = (const char *const *)m->cur->am_urls;
    return m->cur->nam;
}
