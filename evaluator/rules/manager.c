/* SPDX-License-Identifier: Apache-2.0 */
/* The rule manager: load/reload, tick, persistence, snapshots (see manager.h). */
#include "evaluator/rules/manager.h"

#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/labels.h"
#include "common/log.h"
#include "common/timeutil.h"
#include "common/xalloc.h"
#include "evaluator/promql/storage.h"
#include "evaluator/rules/state.h"

struct rules_manager *rules_manager_new(const struct rule_group_opts *opts, const char *state_path)
{
    struct rules_manager *m = xcalloc(1, sizeof(*m));
    m->opts = *opts;
    m->state_path = state_path ? xstrdup(state_path) : NULL;
    pthread_mutex_init(&m->mu, NULL);
    return m;
}

void rules_manager_free(struct rules_manager *m)
{
    if (!m)
        return;
    struct err e;
    err_clear(&e);
    if (m->restored && rules_manager_save_state(m, time_now_ms(), false, &e) != 0)
        log_kv(LOG_WARN, "Saving the alert state failed", "err", e.msg, NULL);
    for (size_t i = 0; i < m->ngroups; i++)
        rule_group_free(m->groups[i]);
    free(m->groups);
    free(m->state_path);
    pthread_mutex_destroy(&m->mu);
    free(m);
}

/* Staleness markers for every series an old group's rules wrote last time. */
static void mark_stale(struct rules_manager *m, struct rule_group *g, int64_t now_ms)
{
    struct rule_vector v;
    union {
        uint64_t u;
        double d;
    } nan = {PROMQL_STALE_NAN_BITS};
    struct err e;
    err_clear(&e);
    rule_vector_init(&v);
    for (size_t i = 0; i < g->nrules; i++)
        for (size_t j = 0; j < g->rules[i].nprev; j++)
            rule_vector_add(&v, labels_dup(g->rules[i].prev[j]), now_ms - g->query_offset_ms,
                            nan.d);
    if (v.n > 0 && m->opts.append && m->opts.append(m->opts.append_ctx, v.v, v.n, &e) != 0)
        log_kv(LOG_WARN, "Adding stale samples for removed rules failed", "group", g->name, "err",
               e.msg, NULL);
    rule_vector_fini(&v);
}

int rules_manager_load(struct rules_manager *m, char *const *files, size_t n,
                       const struct rule_parse_opts *po, int64_t now_ms, struct rule_errors *errs,
                       struct err *e)
{
    int rc = ERR_INTERNAL;
    struct rule_file **rfs = xcalloc(n + 1, sizeof(*rfs));
    struct rule_group **ng = NULL, **old = NULL;
    size_t nng = 0, nold = 0;
    bool failed = false;
    for (size_t i = 0; i < n; i++) {
        if (rule_file_load(files[i], po, &rfs[i], errs, e) != 0)
            failed = true;
        else if (rfs[i]->more_docs)
            log_kv(LOG_WARN, "Only the first YAML document of a rule file is used", "file",
                   files[i], NULL);
    }
    if (failed) {
        rc = ERR_INVALID;
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < rfs[i]->ngroups; j++) {
            ng = xreallocarray(ng, nng + 1, sizeof(*ng));
            ng[nng++] = rule_group_new(&rfs[i]->groups[j], &m->opts);
        }
    }
    /* carry state over from groups with the same file and name */
    old = m->groups;
    nold = m->ngroups;
    bool *used = xcalloc(nold + 1, sizeof(*used));
    for (size_t i = 0; i < nng; i++) {
        for (size_t j = 0; j < nold; j++) {
            if (!used[j] && strcmp(ng[i]->file, old[j]->file) == 0 &&
                strcmp(ng[i]->name, old[j]->name) == 0) {
                rule_group_copy_state(ng[i], old[j]);
                used[j] = true;
                break;
            }
        }
    }
    /* removed groups, and removed rules of kept groups (whose series were not moved over),
     * still hold their last series: mark them stale */
    for (size_t j = 0; j < nold; j++)
        mark_stale(m, old[j], now_ms);
    free(used);
    if (!m->restored && m->state_path) {
        size_t restored = 0;
        struct err se;
        err_clear(&se);
        if (rules_state_restore(ng, nng, m->state_path, &restored, &se) != 0)
            log_kv(LOG_WARN, "Alert state not restored", "file", m->state_path, "err", se.msg,
                   NULL);
        else if (restored > 0)
            log_infof("Restored %zu alerts from %s", restored, m->state_path);
        m->saved_version = rules_state_version(ng, nng);
    }
    m->restored = true;
    pthread_mutex_lock(&m->mu);
    m->groups = ng;
    m->ngroups = nng;
    pthread_mutex_unlock(&m->mu);
    ng = NULL;
    nng = 0;
    for (size_t j = 0; j < nold; j++)
        rule_group_free(old[j]);
    free(old);
    /* force a save: the set of rules changed */
    m->saved_version = UINT64_MAX;
    rc = 0;
out:
    for (size_t i = 0; i < nng; i++)
        rule_group_free(ng[i]);
    free(ng);
    for (size_t i = 0; i < n; i++)
        rule_file_free(rfs[i]);
    free(rfs);
    return rc;
}

int rules_manager_save_state(struct rules_manager *m, int64_t now_ms, bool force, struct err *e)
{
    if (!m->state_path)
        return 0;
    uint64_t v = rules_state_version(m->groups, m->ngroups);
    if (!force && v == m->saved_version)
        return 0;
    int rc = rules_state_save(m->groups, m->ngroups, m->state_path, now_ms, e);
    if (rc == 0)
        m->saved_version = v;
    return rc;
}

int64_t rules_manager_tick(struct rules_manager *m, int64_t now_ms)
{
    int64_t next = INT64_MAX;
    for (size_t i = 0; i < m->ngroups; i++) {
        int64_t t = rule_group_tick(m->groups[i], now_ms);
        if (t < next)
            next = t;
    }
    struct err e;
    err_clear(&e);
    if (rules_manager_save_state(m, now_ms, false, &e) != 0)
        log_kv(LOG_WARN, "Saving the alert state failed", "err", e.msg, NULL);
    return next;
}

void rules_manager_snapshot(struct rules_manager *m, struct rule_group_status **out, size_t *n)
{
    pthread_mutex_lock(&m->mu);
    *n = m->ngroups;
    *out = xcalloc(m->ngroups + 1, sizeof(**out));
    for (size_t i = 0; i < m->ngroups; i++)
        rule_group_snapshot(m->groups[i], &(*out)[i]);
    pthread_mutex_unlock(&m->mu);
}

void rules_manager_snapshot_free(struct rule_group_status *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        rule_group_status_fini(&s[i]);
    free(s);
}
