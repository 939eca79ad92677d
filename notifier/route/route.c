/* SPDX-License-Identifier: Apache-2.0 */
/* Routing tree: construction with inheritance, matching, keys, group labels, muting. */
#include "notifier/route/route.h"

#include <stdlib.h>
#include <string.h>

#include "common/amatcher.h"
#include "common/buf.h"
#include "common/err.h"
#include "common/labels.h"
#include "common/xalloc.h"
#include "common/yamlx.h"
#include "notifier/config/config.h"

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static char **strv_copy(char *const *v, size_t n)
{
    char **c = xcalloc(n + 1, sizeof(*c));
    for (size_t i = 0; i < n; i++)
        c[i] = xstrdup(v[i]);
    return c;
}

static struct route *build_node(const struct am_route *cr, struct route *parent, size_t index)
{
    struct route *r = xcalloc(1, sizeof(*r));
    struct buf b;
    r->parent = parent;
    r->index = index;
    if (parent) {
        r->receiver = parent->receiver;
        r->group_by = strv_copy(parent->group_by, parent->ngroup_by);
        r->ngroup_by = parent->ngroup_by;
        r->group_by_all = parent->group_by_all;
        r->group_wait_ms = parent->group_wait_ms;
        r->group_interval_ms = parent->group_interval_ms;
        r->repeat_interval_ms = parent->repeat_interval_ms;
        r->escalation_policy = parent->escalation_policy;
    } else {
        r->group_by = xcalloc(1, sizeof(*r->group_by));
        r->group_wait_ms = ROUTE_DEFAULT_GROUP_WAIT_MS;
        r->group_interval_ms = ROUTE_DEFAULT_GROUP_INTERVAL_MS;
        r->repeat_interval_ms = ROUTE_DEFAULT_REPEAT_INTERVAL_MS;
    }
    if (cr->receiver && cr->receiver[0])
        r->receiver = cr->receiver;
    /* An explicit non-empty group_by replaces the parent's (an empty list inherits, as in Go
     * where it yields a nil slice). */
    size_t named = 0;
    for (size_t i = 0; i < cr->group_by.n; i++)
        if (strcmp(cr->group_by.v[i], "...") != 0)
            named++;
    if (named > 0 || cr->group_by_all) {
        yamlx_strv_free(r->group_by);
        r->group_by = xcalloc(named + 1, sizeof(*r->group_by));
        r->ngroup_by = 0;
        for (size_t i = 0; i < cr->group_by.n; i++)
            if (strcmp(cr->group_by.v[i], "...") != 0)
                r->group_by[r->ngroup_by++] = xstrdup(cr->group_by.v[i]);
        qsort(r->group_by, r->ngroup_by, sizeof(*r->group_by), cmp_str);
        r->group_by_all = cr->group_by_all;
    }
    if (cr->group_wait_ms >= 0)
        r->group_wait_ms = cr->group_wait_ms;
    if (cr->group_interval_ms >= 0)
        r->group_interval_ms = cr->group_interval_ms;
    if (cr->repeat_interval_ms >= 0)
        r->repeat_interval_ms = cr->repeat_interval_ms;
    if (cr->escalation_policy)
        r->escalation_policy = cr->escalation_policy;
    amatchers_copy(&r->matchers, &cr->matchers);
    amatchers_sort(&r->matchers);
    r->continue_ = cr->continue_;
    r->mute_time_intervals = cr->mute_time_intervals.v;
    r->nmute = cr->mute_time_intervals.n;
    r->active_time_intervals = cr->active_time_intervals.v;
    r->nactive = cr->active_time_intervals.n;

    buf_init(&b, 0);
    if (parent) {
        buf_puts(&b, parent->key);
        buf_putc(&b, '/');
    }
    amatchers_format(&r->matchers, &b);
    r->key = buf_steal(&b, NULL);
    if (parent) {
        buf_puts(&b, parent->id);
        buf_putc(&b, '/');
    }
    amatchers_format(&r->matchers, &b);
    if (parent)
        buf_printf(&b, "/%zu", index);
    r->id = buf_steal(&b, NULL);
    buf_fini(&b);

    if (cr->nroutes) {
        r->routes = xcalloc(cr->nroutes, sizeof(*r->routes));
        for (size_t i = 0; i < cr->nroutes; i++)
            r->routes[i] = build_node(cr->routes[i], r, i);
        r->nroutes = cr->nroutes;
    }
    return r;
}

int route_tree_build(const struct am_config *cfg, struct route **out, struct err *e)
{
    *out = NULL;
    if (cfg == NULL || cfg->route == NULL)
        return err_set(e, ERR_INVALID, "no route provided in config");
    *out = build_node(cfg->route, NULL, 0);
    return 0;
}

void route_tree_free(struct route *r)
{
    if (r == NULL)
        return;
    for (size_t i = 0; i < r->nroutes; i++)
        route_tree_free(r->routes[i]);
    xfree(r->routes);
    yamlx_strv_free(r->group_by);
    matchers_fini(&r->matchers);
    xfree(r->key);
    xfree(r->id);
    xfree(r);
}

struct match_acc {
    const struct route **v;
    size_t n, cap;
};

static void acc_push(struct match_acc *a, const struct route *r)
{
    if (a->n == a->cap) {
        a->cap = a->cap ? a->cap * 2 : 4;
        a->v = xreallocarray(a->v, a->cap, sizeof(*a->v));
    }
    a->v[a->n++] = r;
}

static bool node_matches(const struct route *r, const struct labels *ls)
{
    for (size_t i = 0; i < r->matchers.n; i++)
        if (!matcher_matches_labels(r->matchers.v[i], ls))
            return false;
    return true;
}

/* Appends r's matches to acc; returns how many were added. */
static size_t match_rec(const struct route *r, const struct labels *ls, struct match_acc *acc)
{
    size_t before = acc->n;
    if (!node_matches(r, ls))
        return 0;
    for (size_t i = 0; i < r->nroutes; i++) {
        size_t got = match_rec(r->routes[i], ls, acc);
        if (got > 0 && !r->routes[i]->continue_)
            break;
    }
    if (acc->n == before)
        acc_push(acc, r);
    return acc->n - before;
}

size_t route_match(const struct route *root, const struct labels *ls, const struct route ***out)
{
    struct match_acc acc = {NULL, 0, 0};
    match_rec(root, ls, &acc);
    *out = acc.v;
    return acc.n;
}

void route_walk(const struct route *r, void (*fn)(const struct route *r, void *ctx), void *ctx)
{
    fn(r, ctx);
    for (size_t i = 0; i < r->nroutes; i++)
        route_walk(r->routes[i], fn, ctx);
}

struct labels *route_group_labels(const struct route *r, const struct labels *alert)
{
    struct label *items = xcalloc(alert->n + 1, sizeof(*items));
    size_t n = 0;
    struct labels *out;
    for (size_t i = 0; i < alert->n; i++) {
        bool keep = r->group_by_all;
        if (!keep) {
            const char *name = alert->v[i].name;
            keep = bsearch(&name, r->group_by, r->ngroup_by, sizeof(*r->group_by), cmp_str) != NULL;
        }
        if (keep)
            items[n++] = alert->v[i];
    }
    out = labels_new(items, n);
    xfree(items);
    return out;
}

char *route_group_key(const struct route *r, const struct labels *group_labels)
{
    struct buf b;
    buf_init(&b, 0);
    buf_puts(&b, r->key);
    /* Go's LabelSet.String(): {a="x", b="y"} with %q-quoted values. */
    buf_puts(&b, ":{");
    for (size_t i = 0; i < group_labels->n; i++) {
        if (i > 0)
            buf_puts(&b, ", ");
        buf_puts(&b, group_labels->v[i].name);
        buf_putc(&b, '=');
        amatcher_put_quoted(&b, group_labels->v[i].value);
    }
    buf_putc(&b, '}');
    return buf_steal(&b, NULL);
}

static bool any_contains(const struct am_config *cfg, char *const *names, size_t n, int64_t ms)
{
    for (size_t i = 0; i < n; i++) {
        const struct am_named_interval *ni = config_time_interval(cfg, names[i]);
        if (ni && time_intervals_contain(ni->intervals, ni->n, ms))
            return true;
    }
    return false;
}

bool route_is_muted(const struct route *r, const struct am_config *cfg, int64_t ms)
{
    if (any_contains(cfg, r->mute_time_intervals, r->nmute, ms))
        return true;
    if (r->nactive > 0 && !any_contains(cfg, r->active_time_intervals, r->nactive, ms))
        return true;
    return false;
}
