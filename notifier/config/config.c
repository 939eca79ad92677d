/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Alertmanager config loading: top-level keys, route tree, inhibit rules, receivers, time
 * intervals, Tocsin extension keys; then Alertmanager's cross-checks (root route, receiver and
 * time interval references, unique names).
 */
#include "notifier/config/config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/amatcher.h"
#include "common/buf.h"
#include "common/err.h"
#include "common/labels.h"
#include "common/xalloc.h"
#include "common/yamlx.h"
#include "notifier/config/config_int.h"

#define MAX_ROUTE_DEPTH 64

static bool label_ok(const char *s)
{
    return label_name_is_legacy(s, strlen(s));
}

/* Keeps e's message and sets the position of node n. Returns code. */
static int reposition(struct err *e, const struct yamlx_node *n, int code)
{
    char msg[sizeof(e->msg)];
    if (e == NULL)
        return code;
    snprintf(msg, sizeof(msg), "%s", e->msg);
    return yamlx_error(e, n, code, "%s", msg);
}

/* Parses a `match:` / `match_re:` map; regexes are compiled to validate them. */
static int parse_match_map(const struct yamlx_node *n, bool regex, struct am_strmap *out,
                           struct matchers *into, struct err *e)
{
    int r;
    if (yamlx_is_null(n))
        return 0;
    if (n->kind != YAMLX_MAP)
        return yamlx_error(e, n, ERR_INVALID,
                           "yaml: unmarshal errors: cannot unmarshal %s into map[string]string",
                           yamlx_kind_str(n->kind));
    if (regex) {
        for (size_t i = 0; i < n->n; i++) {
            const struct yamlx_node *k = n->kids[2 * i], *v = n->kids[2 * i + 1];
            if (yamlx_is_null(v))
                return yamlx_error(e, v, ERR_INVALID, "invalid regexp value for \"%s\"",
                                   k->kind == YAMLX_SCALAR ? k->str : "?");
        }
    }
    if ((r = yamlx_get_strmap(n, &out->keys, &out->values, &out->n, e)) != 0)
        return r;
    for (size_t i = 0; i < out->n; i++) {
        struct matcher *m = NULL;
        if (!label_ok(out->keys[i]))
            return yamlx_error(e, n->kids[2 * i], ERR_INVALID, "invalid label name \"%s\"",
                               out->keys[i]);
        /* Like Alertmanager, whose config.Regexp.String() is the anchored source: route keys
         * then show `^(?:re)$` for match_re entries. */
        char *v = regex ? xasprintf("^(?:%s)$", out->values[i]) : xstrdup(out->values[i]);
        r = matcher_new(regex ? MATCH_RE : MATCH_EQ, out->keys[i], v, &m, e);
        xfree(v);
        if (r != 0)
            return reposition(e, n->kids[2 * i + 1], r);
        into->v = xreallocarray(into->v, into->n + 1, sizeof(*into->v));
        into->v[into->n++] = m;
    }
    return 0;
}

/* Parses a `matchers:` list of strings with 0.25's (classic) matcher syntax. */
static int parse_matchers_list(const struct yamlx_node *n, struct am_strv *text,
                               struct matchers *parsed, struct err *e)
{
    int r;
    if (yamlx_is_null(n))
        return 0;
    if ((r = yamlx_get_strv(n, &text->v, &text->n, e)) != 0)
        return r;
    for (size_t i = 0; i < text->n; i++) {
        if ((r = amatchers_parse_classic(text->v[i], parsed, e)) != 0)
            return reposition(e, n->kids[i], r);
    }
    return 0;
}

static void route_free(struct am_route *r)
{
    if (r == NULL)
        return;
    xfree(r->receiver);
    yamlx_strv_free(r->group_by.v);
    yamlx_strv_free(r->match.keys);
    yamlx_strv_free(r->match.values);
    yamlx_strv_free(r->match_re.keys);
    yamlx_strv_free(r->match_re.values);
    yamlx_strv_free(r->matchers_text.v);
    matchers_fini(&r->new_matchers);
    matchers_fini(&r->matchers);
    yamlx_strv_free(r->mute_time_intervals.v);
    yamlx_strv_free(r->active_time_intervals.v);
    for (size_t i = 0; i < r->nroutes; i++)
        route_free(r->routes[i]);
    xfree(r->routes);
    xfree(r);
}

static int parse_interval(const struct yamlx_node *n, const char *name, int64_t *out, struct err *e)
{
    int r;
    if (n == NULL)
        return 0;
    if (yamlx_is_null(n))
        return 0;
    if ((r = yamlx_get_duration(n, out, e)) != 0)
        return r;
    if (*out == 0)
        return yamlx_error(e, n, ERR_INVALID, "%s cannot be zero", name);
    return 0;
}

static int parse_route(const struct yamlx_node *n, int depth, struct am_route **out, struct err *e)
{
    static const char *const keys[] = {"receiver",
                                       "group_by",
                                       "match",
                                       "match_re",
                                       "matchers",
                                       "mute_time_intervals",
                                       "active_time_intervals",
                                       "continue",
                                       "routes",
                                       "group_wait",
                                       "group_interval",
                                       "repeat_interval",
                                       "escalation_policy",
                                       NULL};
    int r;
    struct am_route *rt = xcalloc(1, sizeof(*rt));
    const struct yamlx_node *v;
    *out = NULL;
    rt->group_wait_ms = rt->group_interval_ms = rt->repeat_interval_ms = -1;
    if (depth > MAX_ROUTE_DEPTH) {
        r = yamlx_error(e, n, ERR_TOOBIG, "routes nested deeper than %d levels", MAX_ROUTE_DEPTH);
        goto fail;
    }
    if ((r = yamlx_map_check(n, keys, "route", e)) != 0) {
        err_prefix(e, "yaml: unmarshal errors");
        goto fail;
    }
    if ((r = yamlx_get_str(yamlx_map_get(n, "receiver"), &rt->receiver, e)) != 0)
        goto fail;
    if ((v = yamlx_map_get(n, "group_by")) != NULL) {
        if ((r = yamlx_get_strv(v, &rt->group_by.v, &rt->group_by.n, e)) != 0)
            goto fail;
        rt->group_by_set = true;
        size_t named = 0;
        for (size_t i = 0; i < rt->group_by.n; i++) {
            if (strcmp(rt->group_by.v[i], "...") == 0) {
                rt->group_by_all = true;
                continue;
            }
            named++;
            if (!label_ok(rt->group_by.v[i])) {
                r = yamlx_error(e, v->kids[i], ERR_INVALID,
                                "invalid label name \"%s\" in group_by list", rt->group_by.v[i]);
                goto fail;
            }
        }
        if (named > 0 && rt->group_by_all) {
            r = yamlx_error(e, v, ERR_INVALID,
                            "cannot have wildcard group_by (`...`) and other other labels at the "
                            "same time");
            goto fail;
        }
        for (size_t i = 0; i < rt->group_by.n; i++)
            for (size_t j = 0; j < i; j++)
                if (strcmp(rt->group_by.v[i], rt->group_by.v[j]) == 0 &&
                    strcmp(rt->group_by.v[i], "...") != 0) {
                    r = yamlx_error(e, v->kids[i], ERR_INVALID,
                                    "duplicated label \"%s\" in group_by", rt->group_by.v[i]);
                    goto fail;
                }
    }
    if ((r = parse_match_map(yamlx_map_get(n, "match"), false, &rt->match, &rt->matchers, e)) != 0)
        goto fail;
    if ((r = parse_match_map(yamlx_map_get(n, "match_re"), true, &rt->match_re, &rt->matchers,
                             e)) != 0)
        goto fail;
    if ((r = parse_matchers_list(yamlx_map_get(n, "matchers"), &rt->matchers_text,
                                 &rt->new_matchers, e)) != 0)
        goto fail;
    /* Alertmanager sorts a `matchers:` list when it loads it (and so prints it sorted). */
    amatchers_sort(&rt->new_matchers);
    amatchers_copy(&rt->matchers, &rt->new_matchers);
    amatchers_sort(&rt->matchers);
    if ((r = yamlx_get_strv(yamlx_map_get(n, "mute_time_intervals"), &rt->mute_time_intervals.v,
                            &rt->mute_time_intervals.n, e)) != 0)
        goto fail;
    if ((r = yamlx_get_strv(yamlx_map_get(n, "active_time_intervals"), &rt->active_time_intervals.v,
                            &rt->active_time_intervals.n, e)) != 0)
        goto fail;
    if ((r = yamlx_get_bool(yamlx_map_get(n, "continue"), &rt->continue_, e)) != 0)
        goto fail;
    if ((r = parse_interval(yamlx_map_get(n, "group_wait"), "group_wait", &rt->group_wait_ms,
                            NULL)) != 0) {
        /* group_wait may be zero; only the syntax is checked. */
        int64_t tmp = 0;
        if ((r = yamlx_get_duration(yamlx_map_get(n, "group_wait"), &tmp, e)) != 0)
            goto fail;
        rt->group_wait_ms = tmp;
    }
    if ((r = parse_interval(yamlx_map_get(n, "group_interval"), "group_interval",
                            &rt->group_interval_ms, e)) != 0)
        goto fail;
    if ((r = parse_interval(yamlx_map_get(n, "repeat_interval"), "repeat_interval",
                            &rt->repeat_interval_ms, e)) != 0)
        goto fail;
    rt->escalation_policy = yamlx_map_get(n, "escalation_policy");
    if ((v = yamlx_map_get(n, "routes")) != NULL && !yamlx_is_null(v)) {
        if (v->kind != YAMLX_SEQ) {
            r = yamlx_error(e, v, ERR_INVALID,
                            "yaml: unmarshal errors: cannot unmarshal %s into []*config.Route",
                            yamlx_kind_str(v->kind));
            goto fail;
        }
        rt->routes = xcalloc(v->n ? v->n : 1, sizeof(*rt->routes));
        for (size_t i = 0; i < v->n; i++) {
            if ((r = parse_route(v->kids[i], depth + 1, &rt->routes[i], e)) != 0)
                goto fail;
            rt->nroutes++;
        }
    }
    *out = rt;
    return 0;
fail:
    route_free(rt);
    return r;
}

static void inhibit_fini(struct am_inhibit_rule *ir)
{
    struct am_strmap *maps[] = {&ir->source_match, &ir->source_match_re, &ir->target_match,
                                &ir->target_match_re};
    for (size_t i = 0; i < 4; i++) {
        yamlx_strv_free(maps[i]->keys);
        yamlx_strv_free(maps[i]->values);
    }
    yamlx_strv_free(ir->source_matchers_text.v);
    yamlx_strv_free(ir->target_matchers_text.v);
    matchers_fini(&ir->source_new);
    matchers_fini(&ir->target_new);
    matchers_fini(&ir->source);
    matchers_fini(&ir->target);
    yamlx_strv_free(ir->equal.v);
}

static int parse_inhibit(const struct yamlx_node *n, struct am_inhibit_rule *ir, struct err *e)
{
    static const char *const keys[] = {
        "source_match",    "source_match_re", "source_matchers", "target_match",
        "target_match_re", "target_matchers", "equal",           NULL};
    const struct yamlx_node *v;
    int r;
    if ((r = yamlx_map_check(n, keys, "inhibit rule", e)) != 0) {
        err_prefix(e, "yaml: unmarshal errors");
        return r;
    }
    if ((r = parse_match_map(yamlx_map_get(n, "source_match"), false, &ir->source_match,
                             &ir->source, e)) != 0 ||
        (r = parse_match_map(yamlx_map_get(n, "source_match_re"), true, &ir->source_match_re,
                             &ir->source, e)) != 0 ||
        (r = parse_matchers_list(yamlx_map_get(n, "source_matchers"), &ir->source_matchers_text,
                                 &ir->source_new, e)) != 0 ||
        (r = parse_match_map(yamlx_map_get(n, "target_match"), false, &ir->target_match,
                             &ir->target, e)) != 0 ||
        (r = parse_match_map(yamlx_map_get(n, "target_match_re"), true, &ir->target_match_re,
                             &ir->target, e)) != 0 ||
        (r = parse_matchers_list(yamlx_map_get(n, "target_matchers"), &ir->target_matchers_text,
                                 &ir->target_new, e)) != 0)
        return r;
    amatchers_sort(&ir->source_new);
    amatchers_sort(&ir->target_new);
    amatchers_copy(&ir->source, &ir->source_new);
    amatchers_copy(&ir->target, &ir->target_new);
    v = yamlx_map_get(n, "equal");
    if ((r = yamlx_get_strv(v, &ir->equal.v, &ir->equal.n, e)) != 0)
        return r;
    for (size_t i = 0; i < ir->equal.n; i++)
        if (!label_ok(ir->equal.v[i]))
            return yamlx_error(e, v->kids[i], ERR_INVALID, "\"%s\" is not a valid label name",
                               ir->equal.v[i]);
    return 0;
}

static void receiver_fini(struct am_receiver *rc)
{
    xfree(rc->name);
    for (int k = 0; k < AM_INTEGRATION_KINDS; k++) {
        for (size_t i = 0; i < rc->configs[k].n; i++)
            cf_free(am_kinds[k].desc, rc->configs[k].v[i]);
        xfree(rc->configs[k].v);
    }
}

static int parse_receiver(const struct yamlx_node *n, struct am_receiver *rc, struct err *e)
{
    const char *keys[AM_INTEGRATION_KINDS + 2];
    int r;
    keys[0] = "name";
    for (int k = 0; k < AM_INTEGRATION_KINDS; k++)
        keys[k + 1] = am_kinds[k].key;
    keys[AM_INTEGRATION_KINDS + 1] = NULL;
    if ((r = yamlx_map_check(n, keys, "receiver", e)) != 0) {
        err_prefix(e, "yaml: unmarshal errors");
        return r;
    }
    if ((r = yamlx_get_str(yamlx_map_get(n, "name"), &rc->name, e)) != 0)
        return r;
    if (rc->name == NULL || rc->name[0] == 0)
        return yamlx_error(e, n, ERR_INVALID, "missing name in receiver");
    for (int k = 0; k < AM_INTEGRATION_KINDS; k++) {
        const struct yamlx_node *v = yamlx_map_get(n, am_kinds[k].key);
        if (yamlx_is_null(v))
            continue;
        if (v->kind != YAMLX_SEQ)
            return yamlx_error(e, v, ERR_INVALID,
                               "yaml: unmarshal errors: cannot unmarshal %s into []%s",
                               yamlx_kind_str(v->kind), am_kinds[k].desc->what);
        rc->configs[k].v = xcalloc(v->n ? v->n : 1, sizeof(void *));
        for (size_t i = 0; i < v->n; i++) {
            void *cfg = NULL;
            /* Alertmanager 0.25 crashes on a null entry here; we reject it. */
            if (yamlx_is_null(v->kids[i]))
                return yamlx_error(e, v->kids[i], ERR_INVALID, "empty entry in %s",
                                   am_kinds[k].key);
            if ((r = cf_parse_new(am_kinds[k].desc, v->kids[i], &cfg, e)) != 0)
                return r;
            rc->configs[k].v[rc->configs[k].n++] = cfg;
        }
    }
    return 0;
}

static int parse_named_intervals(const struct yamlx_node *n, const char *what,
                                 struct am_named_interval **out, size_t *count, struct err *e)
{
    static const char *const keys[] = {"name", "time_intervals", NULL};
    int r;
    if (yamlx_is_null(n))
        return 0;
    if (n->kind != YAMLX_SEQ)
        return yamlx_error(e, n, ERR_INVALID,
                           "yaml: unmarshal errors: cannot unmarshal %s into "
                           "[]%s",
                           yamlx_kind_str(n->kind), what);
    *out = xcalloc(n->n ? n->n : 1, sizeof(**out));
    for (size_t i = 0; i < n->n; i++) {
        struct am_named_interval *ni = &(*out)[i];
        const struct yamlx_node *it = n->kids[i], *list;
        *count = i + 1;
        if ((r = yamlx_map_check(it, keys, what, e)) != 0)
            return r;
        if ((r = yamlx_get_str(yamlx_map_get(it, "name"), &ni->name, e)) != 0)
            return r;
        list = yamlx_map_get(it, "time_intervals");
        if (yamlx_is_null(list))
            continue;
        if (list->kind != YAMLX_SEQ)
            return yamlx_error(e, list, ERR_INVALID,
                               "yaml: unmarshal errors: cannot unmarshal %s into "
                               "[]timeinterval.TimeInterval",
                               yamlx_kind_str(list->kind));
        ni->intervals = xcalloc(list->n ? list->n : 1, sizeof(*ni->intervals));
        for (size_t j = 0; j < list->n; j++) {
            if ((r = time_interval_parse(list->kids[j], &ni->intervals[j], e)) != 0)
                return r;
            ni->n = j + 1;
        }
    }
    return 0;
}

static void named_free(struct am_named_interval *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        xfree(v[i].name);
        for (size_t j = 0; j < v[i].n; j++)
            time_interval_fini(&v[i].intervals[j]);
        xfree(v[i].intervals);
    }
    xfree(v);
}

void config_free(struct am_config *c)
{
    if (c == NULL)
        return;
    cf_fini(&am_desc_global, &c->global);
    route_free(c->route);
    for (size_t i = 0; i < c->ninhibit; i++)
        inhibit_fini(&c->inhibit_rules[i]);
    xfree(c->inhibit_rules);
    for (size_t i = 0; i < c->nreceivers; i++)
        receiver_fini(&c->receivers[i]);
    xfree(c->receivers);
    yamlx_strv_free(c->templates.v);
    named_free(c->mute_time_intervals, c->nmute);
    named_free(c->time_intervals, c->ntime);
    yamlx_doc_free(c->doc);
    xfree(c->original);
    xfree(c);
}

const struct am_receiver *config_receiver(const struct am_config *c, const char *name)
{
    for (size_t i = 0; name && i < c->nreceivers; i++)
        if (strcmp(c->receivers[i].name, name) == 0)
            return &c->receivers[i];
    return NULL;
}

const struct am_named_interval *config_time_interval(const struct am_config *c, const char *name)
{
    for (size_t i = 0; i < c->ntime; i++)
        if (c->time_intervals[i].name && strcmp(c->time_intervals[i].name, name) == 0)
            return &c->time_intervals[i];
    for (size_t i = 0; i < c->nmute; i++)
        if (c->mute_time_intervals[i].name && strcmp(c->mute_time_intervals[i].name, name) == 0)
            return &c->mute_time_intervals[i];
    return NULL;
}

/* Appends Go's %q form of s into out (size n). */
static const char *goq(const char *s, char *out, size_t n)
{
    struct buf b;
    buf_init(&b, 0);
    amatcher_put_quoted(&b, s);
    snprintf(out, n, "%s", buf_str(&b));
    buf_fini(&b);
    return out;
}

/* Alertmanager's checkReceiver: children first (post-order), then the node itself. */
static int check_route_receivers(const struct am_config *c, const struct am_route *r,
                                 const struct yamlx_node *n, struct err *e)
{
    const struct yamlx_node *routes = yamlx_map_get(n, "routes");
    char q[600];
    for (size_t i = 0; i < r->nroutes; i++) {
        int rc = check_route_receivers(c, r->routes[i], routes ? routes->kids[i] : NULL, e);
        if (rc != 0)
            return rc;
    }
    if (r->receiver && r->receiver[0] && config_receiver(c, r->receiver) == NULL)
        return yamlx_error(e, yamlx_map_get(n, "receiver"), ERR_INVALID,
                           "undefined receiver %s used in route", goq(r->receiver, q, sizeof(q)));
    return 0;
}

/* Alertmanager's checkTimeInterval, same order. */
static int check_route_intervals(const struct am_config *c, const struct am_route *r,
                                 const struct yamlx_node *n, struct err *e)
{
    const struct yamlx_node *routes = yamlx_map_get(n, "routes");
    char q[600];
    for (size_t i = 0; i < r->nroutes; i++) {
        int rc = check_route_intervals(c, r->routes[i], routes ? routes->kids[i] : NULL, e);
        if (rc != 0)
            return rc;
    }
    for (size_t i = 0; i < r->mute_time_intervals.n; i++)
        if (config_time_interval(c, r->mute_time_intervals.v[i]) == NULL)
            return yamlx_error(e, yamlx_map_get(n, "mute_time_intervals"), ERR_INVALID,
                               "undefined time interval %s used in route",
                               goq(r->mute_time_intervals.v[i], q, sizeof(q)));
    for (size_t i = 0; i < r->active_time_intervals.n; i++)
        if (config_time_interval(c, r->active_time_intervals.v[i]) == NULL)
            return yamlx_error(e, yamlx_map_get(n, "active_time_intervals"), ERR_INVALID,
                               "undefined time interval %s used in route",
                               goq(r->active_time_intervals.v[i], q, sizeof(q)));
    return 0;
}

static int build(struct am_config *c, const struct yamlx_node *root, struct err *e)
{
    static const char *const keys[] = {"global",
                                       "route",
                                       "inhibit_rules",
                                       "receivers",
                                       "templates",
                                       "mute_time_intervals",
                                       "time_intervals",
                                       "escalation_policies",
                                       "schedules",
                                       "users",
                                       NULL};
    const struct yamlx_node *v, *rn;
    char q[600];
    int r;
    if ((r = yamlx_map_check(root, keys, "config", e)) != 0) {
        err_prefix(e, "yaml: unmarshal errors");
        return r;
    }
    if ((r = cf_parse_into(&am_desc_global, yamlx_map_get(root, "global"), &c->global, e)) != 0)
        return r;
    rn = yamlx_map_get(root, "route");
    if (!yamlx_is_null(rn) && (r = parse_route(rn, 0, &c->route, e)) != 0)
        return r;
    v = yamlx_map_get(root, "inhibit_rules");
    if (!yamlx_is_null(v)) {
        if (v->kind != YAMLX_SEQ)
            return yamlx_error(e, v, ERR_INVALID,
                               "yaml: unmarshal errors: cannot unmarshal %s into "
                               "[]config.InhibitRule",
                               yamlx_kind_str(v->kind));
        c->inhibit_rules = xcalloc(v->n ? v->n : 1, sizeof(*c->inhibit_rules));
        for (size_t i = 0; i < v->n; i++) {
            c->ninhibit = i + 1;
            if ((r = parse_inhibit(v->kids[i], &c->inhibit_rules[i], e)) != 0)
                return r;
        }
    }
    if ((r = yamlx_get_strv(yamlx_map_get(root, "templates"), &c->templates.v, &c->templates.n,
                            e)) != 0)
        return r;
    if ((r = parse_named_intervals(yamlx_map_get(root, "mute_time_intervals"), "mute time interval",
                                   &c->mute_time_intervals, &c->nmute, e)) != 0)
        return r;
    if ((r = parse_named_intervals(yamlx_map_get(root, "time_intervals"), "time interval",
                                   &c->time_intervals, &c->ntime, e)) != 0)
        return r;
    c->escalation_policies = yamlx_map_get(root, "escalation_policies");
    c->schedules = yamlx_map_get(root, "schedules");
    c->users = yamlx_map_get(root, "users");

    /* Receivers: parse, check names, resolve globals (Alertmanager's order). */
    v = yamlx_map_get(root, "receivers");
    if (!yamlx_is_null(v)) {
        if (v->kind != YAMLX_SEQ)
            return yamlx_error(e, v, ERR_INVALID,
                               "yaml: unmarshal errors: cannot unmarshal %s into "
                               "[]config.Receiver",
                               yamlx_kind_str(v->kind));
        c->receivers = xcalloc(v->n ? v->n : 1, sizeof(*c->receivers));
        for (size_t i = 0; i < v->n; i++) {
            c->nreceivers = i + 1;
            if ((r = parse_receiver(v->kids[i], &c->receivers[i], e)) != 0)
                return r;
        }
        for (size_t i = 0; i < c->nreceivers; i++) {
            struct am_receiver *rc = &c->receivers[i];
            for (size_t j = 0; j < i; j++)
                if (strcmp(c->receivers[j].name, rc->name) == 0)
                    return yamlx_error(e, v->kids[i], ERR_INVALID,
                                       "notification config name %s is not unique",
                                       goq(rc->name, q, sizeof(q)));
            for (int k = 0; k < AM_INTEGRATION_KINDS; k++) {
                const struct yamlx_node *list = yamlx_map_get(v->kids[i], am_kinds[k].key);
                for (size_t j = 0; j < rc->configs[k].n; j++)
                    if ((r = am_integration_resolve((enum am_integration_kind)k,
                                                    rc->configs[k].v[j], &c->global, list->kids[j],
                                                    e)) != 0)
                        return r;
            }
        }
    }
    /* Alertmanager's order: root route rules, receivers used, interval names, intervals used,
     * and `continue` on the root last. */
    if (c->route == NULL)
        return yamlx_error(e, root, ERR_INVALID, "no routes provided");
    if (c->route->receiver == NULL || c->route->receiver[0] == 0)
        return yamlx_error(e, rn, ERR_INVALID, "root route must specify a default receiver");
    if (c->route->matchers.n > 0)
        return yamlx_error(e, rn, ERR_INVALID, "root route must not have any matchers");
    if (c->route->mute_time_intervals.n > 0)
        return yamlx_error(e, rn, ERR_INVALID, "root route must not have any mute time intervals");
    if (c->route->active_time_intervals.n > 0)
        return yamlx_error(e, rn, ERR_INVALID,
                           "root route must not have any active time intervals");
    if ((r = check_route_receivers(c, c->route, rn, e)) != 0)
        return r;
    for (size_t i = 0; i < c->nmute; i++) {
        if (c->mute_time_intervals[i].name == NULL || !c->mute_time_intervals[i].name[0])
            return err_set(e, ERR_INVALID, "missing name in mute time interval");
        for (size_t j = 0; j < i; j++)
            if (strcmp(c->mute_time_intervals[j].name, c->mute_time_intervals[i].name) == 0)
                return err_set(e, ERR_INVALID, "mute time interval %s is not unique",
                               goq(c->mute_time_intervals[i].name, q, sizeof(q)));
    }
    for (size_t i = 0; i < c->ntime; i++) {
        if (c->time_intervals[i].name == NULL || !c->time_intervals[i].name[0])
            return err_set(e, ERR_INVALID, "missing name in time interval");
        for (size_t j = 0; j < c->nmute; j++)
            if (strcmp(c->mute_time_intervals[j].name, c->time_intervals[i].name) == 0)
                return err_set(e, ERR_INVALID, "time interval %s is not unique",
                               goq(c->time_intervals[i].name, q, sizeof(q)));
        for (size_t j = 0; j < i; j++)
            if (strcmp(c->time_intervals[j].name, c->time_intervals[i].name) == 0)
                return err_set(e, ERR_INVALID, "time interval %s is not unique",
                               goq(c->time_intervals[i].name, q, sizeof(q)));
    }
    if ((r = check_route_intervals(c, c->route, rn, e)) != 0)
        return r;
    if (c->route->continue_)
        return yamlx_error(e, rn, ERR_INVALID, "cannot have continue in root route");
    return 0;
}

int config_parse(const char *text, size_t n, const char *file, struct am_config **out,
                 struct err *e)
{
    int rc = ERR_INTERNAL;
    struct am_config *c = NULL;
    struct yamlx_doc *doc = NULL;
    const struct yamlx_node *root;
    *out = NULL;
    if ((rc = yamlx_load_string(text, n, file, NULL, &doc, e)) != 0)
        goto out;
    c = xcalloc(1, sizeof(*c));
    c->doc = doc;
    doc = NULL;
    c->original = xstrndup(text, n);
    am_desc_global.init(&c->global);
    root = yamlx_doc_root(c->doc, 0);
    if (root == NULL || yamlx_is_null(root)) {
        rc = err_setpos(e, ERR_INVALID, file, 0, 0, "no route provided in config");
        goto out;
    }
    if ((rc = build(c, root, e)) != 0) {
        /* Type mismatches are YAML decoding errors in Alertmanager's wording. */
        if (e && strncmp(e->msg, "cannot unmarshal", 16) == 0)
            err_prefix(e, "yaml: unmarshal errors");
        goto out;
    }
    *out = c;
    c = NULL;
    rc = 0;
out:
    config_free(c);
    yamlx_doc_free(doc);
    return rc;
}

int config_load_file(const char *path, struct am_config **out, struct err *e)
{
    int rc = ERR_INTERNAL;
    FILE *f = NULL;
    char *data = NULL;
    size_t len = 0, cap = 0;
    const size_t max = 16u << 20;
    *out = NULL;
    f = fopen(path, "rb");
    if (f == NULL) {
        rc = err_setpos(e, ERR_IO, path, 0, 0, "open: %s", strerror(errno));
        goto out;
    }
    for (;;) {
        size_t got;
        if (len == cap) {
            cap = cap ? cap * 2 : 8192;
            data = xrealloc(data, cap + 1);
        }
        got = fread(data + len, 1, cap - len, f);
        len += got;
        if (len > max) {
            rc = err_setpos(e, ERR_TOOBIG, path, 0, 0, "file larger than %zu bytes", max);
            goto out;
        }
        if (got == 0)
            break;
    }
    if (ferror(f)) {
        rc = err_setpos(e, ERR_IO, path, 0, 0, "read error");
        goto out;
    }
    data[len] = 0;
    rc = config_parse(data, len, path, out, e);
out:
    if (f)
        fclose(f);
    xfree(data);
    return rc;
}
