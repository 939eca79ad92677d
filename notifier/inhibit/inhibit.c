/* SPDX-License-Identifier: Apache-2.0 */
/* Inhibition rules: source-alert caches per rule and the Mutes decision of Alertmanager. */
#include "notifier/inhibit/inhibit.h"

#include <pthread.h>
#include <string.h>

#include "common/labels.h"
#include "common/matcher.h"
#include "common/xalloc.h"
#include "notifier/config/config.h"

struct src_alert {
    uint64_t fp;
    struct labels *ls;
    int64_t ends_at_ms;
};

struct rule_cache {
    const struct am_inhibit_rule *rule;
    struct src_alert *v;
    size_t n, cap;
};

struct inhibitor {
    pthread_mutex_t lock;
    struct rule_cache *rules;
    size_t nrules;
};

struct inhibitor *inhibitor_new(const struct am_config *cfg)
{
    struct inhibitor *ih = xcalloc(1, sizeof(*ih));
    pthread_mutex_init(&ih->lock, NULL);
    ih->nrules = cfg ? cfg->ninhibit : 0;
    ih->rules = xcalloc(ih->nrules ? ih->nrules : 1, sizeof(*ih->rules));
    for (size_t i = 0; i < ih->nrules; i++)
        ih->rules[i].rule = &cfg->inhibit_rules[i];
    return ih;
}

void inhibitor_free(struct inhibitor *ih)
{
    if (ih == NULL)
        return;
    for (size_t i = 0; i < ih->nrules; i++) {
        for (size_t j = 0; j < ih->rules[i].n; j++)
            labels_free(ih->rules[i].v[j].ls);
        xfree(ih->rules[i].v);
    }
    xfree(ih->rules);
    pthread_mutex_destroy(&ih->lock);
    xfree(ih);
}

static void cache_del(struct rule_cache *rc, size_t i)
{
    labels_free(rc->v[i].ls);
    rc->v[i] = rc->v[rc->n - 1];
    rc->n--;
}

void inhibitor_put(struct inhibitor *ih, uint64_t fp, const struct labels *ls, int64_t ends_at_ms)
{
    pthread_mutex_lock(&ih->lock);
    for (size_t i = 0; i < ih->nrules; i++) {
        struct rule_cache *rc = &ih->rules[i];
        bool src = matchers_match(&rc->rule->source, ls);
        size_t j;
        for (j = 0; j < rc->n; j++)
            if (rc->v[j].fp == fp)
                break;
        if (!src) {
            if (j < rc->n)
                cache_del(rc, j);
            continue;
        }
        if (j < rc->n) {
            labels_free(rc->v[j].ls);
        } else {
            if (rc->n == rc->cap) {
                rc->cap = rc->cap ? rc->cap * 2 : 8;
                rc->v = xreallocarray(rc->v, rc->cap, sizeof(*rc->v));
            }
            j = rc->n++;
        }
        rc->v[j].fp = fp;
        rc->v[j].ls = labels_dup(ls);
        rc->v[j].ends_at_ms = ends_at_ms;
    }
    pthread_mutex_unlock(&ih->lock);
}

void inhibitor_remove(struct inhibitor *ih, uint64_t fp)
{
    pthread_mutex_lock(&ih->lock);
    for (size_t i = 0; i < ih->nrules; i++)
        for (size_t j = 0; j < ih->rules[i].n; j++)
            if (ih->rules[i].v[j].fp == fp) {
                cache_del(&ih->rules[i], j);
                break;
            }
    pthread_mutex_unlock(&ih->lock);
}

static bool resolved(const struct src_alert *a, int64_t now)
{
    return a->ends_at_ms != 0 && a->ends_at_ms <= now;
}

size_t inhibitor_gc(struct inhibitor *ih, int64_t now_ms)
{
    size_t dropped = 0;
    pthread_mutex_lock(&ih->lock);
    for (size_t i = 0; i < ih->nrules; i++) {
        struct rule_cache *rc = &ih->rules[i];
        for (size_t j = 0; j < rc->n;) {
            if (resolved(&rc->v[j], now_ms)) {
                cache_del(rc, j);
                dropped++;
            } else {
                j++;
            }
        }
    }
    pthread_mutex_unlock(&ih->lock);
    return dropped;
}

static bool same(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "") == 0;
}

bool inhibitor_mutes(struct inhibitor *ih, const struct labels *ls, int64_t now_ms, uint64_t *by_fp)
{
    bool muted = false;
    pthread_mutex_lock(&ih->lock);
    for (size_t i = 0; i < ih->nrules && !muted; i++) {
        const struct rule_cache *rc = &ih->rules[i];
        const struct am_inhibit_rule *r = rc->rule;
        bool two_sided;
        if (!matchers_match(&r->target, ls))
            continue;
        two_sided = matchers_match(&r->source, ls);
        for (size_t j = 0; j < rc->n && !muted; j++) {
            const struct src_alert *a = &rc->v[j];
            bool eq = true;
            if (resolved(a, now_ms))
                continue;
            for (size_t k = 0; k < r->equal.n && eq; k++)
                eq = same(labels_get(a->ls, r->equal.v[k]), labels_get(ls, r->equal.v[k]));
            if (!eq)
                continue;
            if (two_sided && matchers_match(&r->target, a->ls))
                continue;
            muted = true;
            if (by_fp)
                *by_fp = a->fp;
        }
    }
    pthread_mutex_unlock(&ih->lock);
    return muted;
}
