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

/* Keeps e's message and sets the position of node n. Returns code. */
static int reposition(struct err *e, const struct yamlx_node *n, int code)
{
    char msg[sizeof(e->msg)];
    if (e == NULL)
        return code;
    snprintf(msg, sizeof(msg), "%s", e->msg);
    return yamlx_error(e, n, code, "%s", msg);
}

/*
 * `match:` (regex false) or `match_re:` (true) into out, adding matchers to into. match_re is
 * Alertmanager's MatchRegexps: label names and null values are checked while decoding (fatal);
 * `match:` names are checked later by the route or rule (see check_match_names).
 */
static int parse_match_map(const struct yamlx_node *n, bool regex, struct am_strmap *out,
                           struct matchers *into, struct cf_ctx *cx)
{
    struct err t;
    char q[600];
    int r;
    if (yamlx_is_null(n))
        return 0;
    err_clear(&t);
    if (yamlx_get_strmap(n, &out->keys, &out->values, &out->n, &t) != 0)
        return cf_soft(cx, &t);
    for (size_t i = 0; i < out->n; i++) {
        struct matcher *m = NULL;
        char *v;
        if (regex) {
            struct buf b;
            buf_init(&b, 0);
            amatcher_put_quoted(&b, out->keys[i]);
            snprintf(q, sizeof(q), "%s", buf_str(&b));
            buf_fini(&b);
            if (!label_ok(out->keys[i]))
                return yamlx_error(cx->e, n->kids[2 * i], ERR_INVALID, "invalid label name %s", q);
            if (yamlx_is_null(n->kids[2 * i + 1]))
                return yamlx_error(cx->e, n->kids[2 * i + 1], ERR_INVALID,
                                   "invalid regexp value for %s", q);
        }
        /* Like Alertmanager, whose config.Regexp.String() is the anchored source: route keys
         * then show `^(?:re)$` for match_re entries. */
        v = regex ? xasprintf("^(?:%s)$", out->values[i]) : xstrdup(out->values[i]);
        r = matcher_new(regex ? MATCH_RE : MATCH_EQ, out->keys[i], v, &m, cx->e);
        xfree(v);
        if (r != 0)
            return reposition(cx->e, n->kids[2 * i + 1], r);
        into->v = xreallocarray(into->v, into->n + 1, sizeof(*into->v));
        into->v[into->n++] = m;
    }
    return 0;
}

/* The "invalid label name" check Alertmanager runs on `match:` keys after decoding. */
static int check_match_names(const struct am_strmap *m, const struct yamlx_node *n, struct err *e)
{
    for (size_t i = 0; i < m->n; i++)
        if (!label_ok(m->keys[i])) {
            char q[600];
            struct buf b;
            buf_init(&b, 0);
            amatcher_put_quoted(&b, m->keys[i]);
            snprintf(q, sizeof(q), "%s", buf_str(&b));
            buf_fini(&b);
            return yamlx_error(e, yamlx_map_key(n, i), ERR_INVALID, "invalid label name %s", q);
        }
    return 0;
}

/* Parses a `matchers:` list of strings with 0.25's (classic) matcher syntax. */
static int parse_matchers_list(const struct yamlx_node *n, struct am_strv *text,
                               struct matchers *parsed, struct cf_ctx *cx)
{
    struct err t;
    int r;
    if (yamlx_is_null(n))
        return 0;
    err_clear(&t);
    if (yamlx_get_strv(n, &text->v, &text->n, &t) != 0)
        return cf_soft(cx, &t);
    for (size_t i = 0; i < text->n; i++) {
        if ((r = amatchers_parse_classic(text->v[i], parsed, cx->e)) != 0)
            return reposition(cx->e, n->kids[i], r);
    }
    /* Alertmanager sorts a `matchers:` list when it loads it (and so prints it sorted). */
    amatchers_sort(parsed);
    return 0;
}

/* Soft check that n is a map (or null); returns false after recording a type error. */
static bool want_map(const struct yamlx_node *n, const char *what, struct cf_ctx *cx)
{
    if (yamlx_is_null(n) || n->kind == YAMLX_MAP)
        return true;
    cf_softf(cx, n, "cannot unmarshal %s into %s", yamlx_kind_str(n->kind), what);
    return false;
}

/* Soft check of a map key: scalar, not repeated, one of keys. Returns false when skipped. */
static bool key_ok(const struct yamlx_node *n, size_t i, const char *const *keys, const char *what,
                   struct cf_ctx *cx)
{
    const struct yamlx_node *k = n->kids[2 * i];
    if (k->kind != YAMLX_SCALAR) {
        cf_softf(cx, k, "non-scalar key in %s", what);
        return false;
    }
    for (size_t j = 0; j < i; j++)
        if (n->kids[2 * j]->kind == YAMLX_SCALAR && strcmp(n->kids[2 * j]->str, k->str) == 0) {
            cf_softf(cx, k, "key \"%s\" already set in %s", k->str, what);
            return false;
        }
    for (size_t j = 0; keys[j]; j++)
        if (strcmp(keys[j], k->str) == 0)
            return true;
    cf_softf(cx, k, "field %s not found in %s", k->str, what);
    return false;
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

static int parse_route(const struct yamlx_node *n, int depth, struct am_route **out,
                       struct cf_ctx *cx)
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
    struct am_route *rt = xcalloc(1, sizeof(*rt));
    const struct yamlx_node *gb = NULL;
    size_t before = cx->nsoft;
    int r = 0;
    *out = NULL;
    rt->group_wait_ms = rt->group_interval_ms = rt->repeat_interval_ms = -1;
    if (depth > MAX_ROUTE_DEPTH) {
        r = yamlx_error(cx->e, n, ERR_TOOBIG, "routes nested deeper than %d levels",
                        MAX_ROUTE_DEPTH);
        goto fail;
    }
    if (!want_map(n, "route", cx))
        goto done;
    /* Keys in document order, as Go decodes them. */
    for (size_t i = 0; n && !yamlx_is_null(n) && i < n->n; i++) {
        const char *k;
        const struct yamlx_node *v = n->kids[2 * i + 1];
        struct err t;
        err_clear(&t);
        if (!key_ok(n, i, keys, "route", cx))
            continue;
        k = n->kids[2 * i]->str;
        if (strcmp(k, "receiver") == 0) {
            if (yamlx_get_str(v, &rt->receiver, &t) != 0)
                cf_soft(cx, &t);
        } else if (strcmp(k, "group_by") == 0) {
            gb = v;
            if (yamlx_get_strv(v, &rt->group_by.v, &rt->group_by.n, &t) != 0)
                cf_soft(cx, &t);
            rt->group_by_set = !yamlx_is_null(v);
        } else if (strcmp(k, "match") == 0) {
            if ((r = parse_match_map(v, false, &rt->match, &rt->matchers, cx)) != 0)
                goto fail;
        } else if (strcmp(k, "match_re") == 0) {
            if ((r = parse_match_map(v, true, &rt->match_re, &rt->matchers, cx)) != 0)
                goto fail;
        } else if (strcmp(k, "matchers") == 0) {
            if ((r = parse_matchers_list(v, &rt->matchers_text, &rt->new_matchers, cx)) != 0)
                goto fail;
        } else if (strcmp(k, "mute_time_intervals") == 0) {
            if (yamlx_get_strv(v, &rt->mute_time_intervals.v, &rt->mute_time_intervals.n, &t))
                cf_soft(cx, &t);
        } else if (strcmp(k, "active_time_intervals") == 0) {
            if (yamlx_get_strv(v, &rt->active_time_intervals.v, &rt->active_time_intervals.n, &t))
                cf_soft(cx, &t);
        } else if (strcmp(k, "continue") == 0) {
            if (yamlx_get_bool(v, &rt->continue_, &t) != 0)
                cf_soft(cx, &t);
        } else if (strcmp(k, "routes") == 0) {
            if (yamlx_is_null(v))
                continue;
            if (v->kind != YAMLX_SEQ) {
                cf_softf(cx, v, "cannot unmarshal %s into []*config.Route",
                         yamlx_kind_str(v->kind));
                continue;
            }
            rt->routes = xcalloc(v->n ? v->n : 1, sizeof(*rt->routes));
            for (size_t j = 0; j < v->n; j++) {
                if ((r = parse_route(v->kids[j], depth + 1, &rt->routes[j], cx)) != 0)
                    goto fail;
                rt->nroutes++;
            }
        } else if (strcmp(k, "escalation_policy") == 0) {
            rt->escalation_policy = v;
        } else {
            int64_t *dst = strcmp(k, "group_wait") == 0       ? &rt->group_wait_ms
                           : strcmp(k, "group_interval") == 0 ? &rt->group_interval_ms
                                                              : &rt->repeat_interval_ms;
            if (yamlx_is_null(v))
                continue;
            if (v->kind != YAMLX_SCALAR) {
                cf_softf(cx, v, "cannot unmarshal %s into string", yamlx_kind_str(v->kind));
                continue;
            }
            if ((r = yamlx_get_duration(v, dst, cx->e)) != 0)
                goto fail;
        }
    }
    if (cx->nsoft > before)
        goto done;
    /* Route.UnmarshalYAML's checks after decoding, in its order. */
    if ((r = check_match_names(&rt->match, yamlx_map_get(n, "match"), cx->e)) != 0)
        goto fail;
    {
        size_t named = 0;
        char q[600];
        for (size_t i = 0; i < rt->group_by.n; i++) {
            if (strcmp(rt->group_by.v[i], "...") == 0) {
                rt->group_by_all = true;
                continue;
            }
            named++;
            if (!label_ok(rt->group_by.v[i])) {
                r = yamlx_error(cx->e, gb->kids[i], ERR_INVALID,
                                "invalid label name %s in group_by list",
                                goq(rt->group_by.v[i], q, sizeof(q)));
                goto fail;
            }
        }
        if (named > 0 && rt->group_by_all) {
            r = yamlx_error(cx->e, gb, ERR_INVALID,
                            "cannot have wildcard group_by (`...`) and other other labels at the "
                            "same time");
            goto fail;
        }
        for (size_t i = 0; i < rt->group_by.n; i++)
            for (size_t j = 0; j < i; j++)
                if (strcmp(rt->group_by.v[i], rt->group_by.v[j]) == 0 &&
                    strcmp(rt->group_by.v[i], "...") != 0) {
                    r = yamlx_error(cx->e, gb->kids[i], ERR_INVALID,
                                    "duplicated label %s in group_by",
                                    goq(rt->group_by.v[i], q, sizeof(q)));
                    goto fail;
                }
    }
    if (rt->group_interval_ms == 0) {
        r = yamlx_error(cx->e, yamlx_map_get(n, "group_interval"), ERR_INVALID,
                        "group_interval cannot be zero");
        goto fail;
    }
    if (rt->repeat_interval_ms == 0) {
        r = yamlx_error(cx->e, yamlx_map_get(n, "repeat_interval"), ERR_INVALID,
                        "repeat_interval cannot be zero");
        goto fail;
    }
done:
    amatchers_copy(&rt->matchers, &rt->new_matchers);
    amatchers_sort(&rt->matchers);
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

static int parse_inhibit(const struct yamlx_node *n, struct am_inhibit_rule *ir, struct cf_ctx *cx)
{
    static const char *const keys[] = {
        "source_match",    "source_match_re", "source_matchers", "target_match",
        "target_match_re", "target_matchers", "equal",           NULL};
    size_t before = cx->nsoft;
    char q[600];
    int r;
    if (!want_map(n, "inhibit rule", cx))
        return 0;
    for (size_t i = 0; n && !yamlx_is_null(n) && i < n->n; i++) {
        const struct yamlx_node *v = n->kids[2 * i + 1];
        const char *k;
        struct err t;
        err_clear(&t);
        if (!key_ok(n, i, keys, "inhibit rule", cx))
            continue;
        k = n->kids[2 * i]->str;
        if (strcmp(k, "source_match") == 0)
            r = parse_match_map(v, false, &ir->source_match, &ir->source, cx);
        else if (strcmp(k, "source_match_re") == 0)
            r = parse_match_map(v, true, &ir->source_match_re, &ir->source, cx);
        else if (strcmp(k, "source_matchers") == 0)
            r = parse_matchers_list(v, &ir->source_matchers_text, &ir->source_new, cx);
        else if (strcmp(k, "target_match") == 0)
            r = parse_match_map(v, false, &ir->target_match, &ir->target, cx);
        else if (strcmp(k, "target_match_re") == 0)
            r = parse_match_map(v, true, &ir->target_match_re, &ir->target, cx);
        else if (strcmp(k, "target_matchers") == 0)
            r = parse_matchers_list(v, &ir->target_matchers_text, &ir->target_new, cx);
        else {
            /* equal: a list of LabelNames, each checked as it is decoded. */
            r = 0;
            if (yamlx_get_strv(v, &ir->equal.v, &ir->equal.n, &t) != 0) {
                cf_soft(cx, &t);
                continue;
            }
            for (size_t j = 0; j < ir->equal.n; j++)
                if (!yamlx_is_null(v->kids[j]) && !label_ok(ir->equal.v[j]))
                    return yamlx_error(cx->e, v->kids[j], ERR_INVALID,
                                       "%s is not a valid label name",
                                       goq(ir->equal.v[j], q, sizeof(q)));
        }
        if (r != 0)
            return r;
    }
    amatchers_copy(&ir->source, &ir->source_new);
    amatchers_copy(&ir->target, &ir->target_new);
    if (cx->nsoft > before)
        return 0;
    if ((r = check_match_names(&ir->source_match, yamlx_map_get(n, "source_match"), cx->e)) != 0)
        return r;
    return check_match_names(&ir->target_match, yamlx_map_get(n, "target_match"), cx->e);
}

static void receiver_fini(struct am_receiver_config *rc)
{
    xfree(rc->name);
    for (int k = 0; k < AM_INTEGRATION_KINDS; k++) {
        for (size_t i = 0; i < rc->configs[k].n; i++)
            cf_free(am_kinds[k].desc, rc->configs[k].v[i]);
        xfree(rc->configs[k].v);
    }
}

static int parse_receiver(const struct yamlx_node *n, struct am_receiver_config *rc,
                          struct cf_ctx *cx)
{
    const char *keys[AM_INTEGRATION_KINDS + 2];
    size_t before = cx->nsoft;
    int r;
    keys[0] = "name";
    for (int k = 0; k < AM_INTEGRATION_KINDS; k++)
        keys[k + 1] = am_kinds[k].key;
    keys[AM_INTEGRATION_KINDS + 1] = NULL;
    if (!want_map(n, "receiver", cx))
        return 0;
    for (size_t i = 0; n && !yamlx_is_null(n) && i < n->n; i++) {
        const struct yamlx_node *v = n->kids[2 * i + 1];
        int k;
        struct err t;
        err_clear(&t);
        if (!key_ok(n, i, keys, "receiver", cx))
            continue;
        if (strcmp(n->kids[2 * i]->str, "name") == 0) {
            if (yamlx_get_str(v, &rc->name, &t) != 0)
                cf_soft(cx, &t);
            continue;
        }
        for (k = 0; k < AM_INTEGRATION_KINDS; k++)
            if (strcmp(n->kids[2 * i]->str, am_kinds[k].key) == 0)
                break;
        if (yamlx_is_null(v))
            continue;
        if (v->kind != YAMLX_SEQ) {
            cf_softf(cx, v, "cannot unmarshal %s into []%s", yamlx_kind_str(v->kind),
                     am_kinds[k].desc->what);
            continue;
        }
        rc->configs[k].v = xcalloc(v->n ? v->n : 1, sizeof(void *));
        for (size_t j = 0; j < v->n; j++) {
            void *cfg = NULL;
            /* Alertmanager 0.25 crashes on a null entry (after decoding); rejected in
             * build() once decoding succeeded. */
            if (yamlx_is_null(v->kids[j]))
                continue;
            if ((r = cf_parse_new(am_kinds[k].desc, v->kids[j], &cfg, cx)) != 0)
                return r;
            rc->configs[k].v[rc->configs[k].n++] = cfg;
        }
    }
    if (cx->nsoft > before)
        return 0;
    if (rc->name == NULL || rc->name[0] == 0)
        return yamlx_error(cx->e, n, ERR_INVALID, "missing name in receiver");
    return 0;
}

static int parse_named_intervals(const struct yamlx_node *n, const char *what,
                                 struct am_named_interval **out, size_t *count, struct cf_ctx *cx)
{
    static const char *const keys[] = {"name", "time_intervals", NULL};
    int r;
    if (yamlx_is_null(n))
        return 0;
    if (n->kind != YAMLX_SEQ)
        return cf_softf(cx, n, "cannot unmarshal %s into []%s", yamlx_kind_str(n->kind), what);
    *out = xcalloc(n->n ? n->n : 1, sizeof(**out));
    for (size_t i = 0; i < n->n; i++) {
        struct am_named_interval *ni = &(*out)[i];
        const struct yamlx_node *it = n->kids[i];
        *count = i + 1;
        if (yamlx_is_null(it))
            continue; /* Go keeps a zero entry without calling its unmarshaler */
        if (!want_map(it, what, cx))
            continue;
        for (size_t j = 0; it && !yamlx_is_null(it) && j < it->n; j++) {
            const struct yamlx_node *v = it->kids[2 * j + 1];
            struct err t;
            err_clear(&t);
            if (!key_ok(it, j, keys, what, cx))
                continue;
            if (strcmp(it->kids[2 * j]->str, "name") == 0) {
                if (yamlx_get_str(v, &ni->name, &t) != 0)
                    cf_soft(cx, &t);
                continue;
            }
            if (yamlx_is_null(v))
                continue;
            if (v->kind != YAMLX_SEQ) {
                cf_softf(cx, v, "cannot unmarshal %s into []timeinterval.TimeInterval",
                         yamlx_kind_str(v->kind));
                continue;
            }
            ni->intervals = xcalloc(v->n ? v->n : 1, sizeof(*ni->intervals));
            for (size_t k = 0; k < v->n; k++) {
                static const char *const tkeys[] = {
                    "times", "weekdays", "days_of_month", "months", "years", "location", NULL};
                const struct yamlx_node *ti = v->kids[k];
                bool keys_fine = true;
                /* Unknown keys are type errors in Go; only well-formed entries are parsed. */
                if (!want_map(ti, "time interval", cx))
                    continue;
                for (size_t m = 0; ti && !yamlx_is_null(ti) && m < ti->n; m++)
                    keys_fine = key_ok(ti, m, tkeys, "time interval", cx) && keys_fine;
                if (!keys_fine)
                    continue;
                if ((r = time_interval_parse(ti, &ni->intervals[k], cx->e)) != 0)
                    return r;
                ni->n = k + 1;
            }
        }
        /* (Mute)TimeInterval.UnmarshalYAML checks the name as it decodes. */
        if (cx->nsoft == 0 && (ni->name == NULL || ni->name[0] == 0))
            return yamlx_error(cx->e, it, ERR_INVALID, "missing name in %s", what);
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

const struct am_receiver_config *config_receiver(const struct am_config *c, const char *name)
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
    const struct yamlx_node *v = NULL, *rn = NULL;
    struct cf_ctx cx;
    char q[600];
    int r;
    cf_ctx_init(&cx, e);
    if (!want_map(root, "config", &cx))
        return cf_soft_result(&cx);
    /* Decode the top-level keys in document order (fatal errors stop at the first one). */
    for (size_t i = 0; i < root->n; i++) {
        const struct yamlx_node *val = root->kids[2 * i + 1];
        const char *k;
        struct err t;
        err_clear(&t);
        if (!key_ok(root, i, keys, "config", &cx))
            continue;
        k = root->kids[2 * i]->str;
        r = 0;
        if (strcmp(k, "global") == 0) {
            r = cf_parse_into(&am_desc_global, val, &c->global, &cx);
        } else if (strcmp(k, "route") == 0) {
            rn = val;
            if (!yamlx_is_null(val))
                r = parse_route(val, 0, &c->route, &cx);
        } else if (strcmp(k, "inhibit_rules") == 0) {
            if (yamlx_is_null(val))
                continue;
            if (val->kind != YAMLX_SEQ) {
                cf_softf(&cx, val, "cannot unmarshal %s into []config.InhibitRule",
                         yamlx_kind_str(val->kind));
                continue;
            }
            c->inhibit_rules = xcalloc(val->n ? val->n : 1, sizeof(*c->inhibit_rules));
            for (size_t j = 0; j < val->n && r == 0; j++) {
                c->ninhibit = j + 1;
                r = parse_inhibit(val->kids[j], &c->inhibit_rules[j], &cx);
            }
        } else if (strcmp(k, "receivers") == 0) {
            v = val;
            if (yamlx_is_null(val))
                continue;
            if (val->kind != YAMLX_SEQ) {
                cf_softf(&cx, val, "cannot unmarshal %s into []config.Receiver",
                         yamlx_kind_str(val->kind));
                v = NULL;
                continue;
            }
            c->receivers = xcalloc(val->n ? val->n : 1, sizeof(*c->receivers));
            for (size_t j = 0; j < val->n && r == 0; j++) {
                c->nreceivers = j + 1;
                r = parse_receiver(val->kids[j], &c->receivers[j], &cx);
            }
        } else if (strcmp(k, "templates") == 0) {
            if (yamlx_get_strv(val, &c->templates.v, &c->templates.n, &t) != 0)
                cf_soft(&cx, &t);
        } else if (strcmp(k, "mute_time_intervals") == 0) {
            r = parse_named_intervals(val, "mute time interval", &c->mute_time_intervals, &c->nmute,
                                      &cx);
        } else if (strcmp(k, "time_intervals") == 0) {
            r = parse_named_intervals(val, "time interval", &c->time_intervals, &c->ntime, &cx);
        } else if (strcmp(k, "escalation_policies") == 0) {
            c->escalation_policies = val;
        } else if (strcmp(k, "schedules") == 0) {
            c->schedules = val;
        } else if (strcmp(k, "users") == 0) {
            c->users = val;
        }
        if (r != 0)
            return r;
    }
    if ((r = cf_soft_result(&cx)) != 0)
        return r;
    for (size_t i = 0; v && i < v->n; i++)
        for (int k = 0; k < AM_INTEGRATION_KINDS; k++) {
            const struct yamlx_node *list = yamlx_map_get(v->kids[i], am_kinds[k].key);
            for (size_t j = 0; list && list->kind == YAMLX_SEQ && j < list->n; j++)
                if (yamlx_is_null(list->kids[j]))
                    return yamlx_error(e, list->kids[j], ERR_INVALID, "empty entry in %s",
                                       am_kinds[k].key);
        }

    /* Config.UnmarshalYAML's checks, in its order: global, receivers, route, intervals. */
    if ((r = am_global_check(&c->global, yamlx_map_get(root, "global"), e)) != 0)
        return r;
    if (v != NULL) {
        for (size_t i = 0; i < c->nreceivers; i++) {
            struct am_receiver_config *rc = &c->receivers[i];
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
        if (c->mute_time_intervals[i].name == NULL)
            c->mute_time_intervals[i].name = xstrdup("");
        for (size_t j = 0; j < i; j++)
            if (strcmp(c->mute_time_intervals[j].name, c->mute_time_intervals[i].name) == 0)
                return err_set(e, ERR_INVALID, "mute time interval %s is not unique",
                               goq(c->mute_time_intervals[i].name, q, sizeof(q)));
    }
    for (size_t i = 0; i < c->ntime; i++) {
        if (c->time_intervals[i].name == NULL)
            c->time_intervals[i].name = xstrdup("");
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
