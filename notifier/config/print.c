/* SPDX-License-Identifier: Apache-2.0 */
/* config_print_redacted: the parsed config as YAML (Alertmanager's order), secrets hidden. */
#include <stdio.h>
#include <string.h>

#include "common/amatcher.h"
#include "common/buf.h"
#include "common/timeutil.h"
#include "common/yamlx.h"
#include "notifier/config/config_int.h"
#include "notifier/config/emit.h"

static void print_matchers(struct emit *em, int indent, const char *key, const struct matchers *ms)
{
    struct buf tmp;
    if (ms->n == 0)
        return;
    buf_init(&tmp, 0);
    emit_key(em, indent, key);
    emit_nl(em);
    for (size_t i = 0; i < ms->n; i++) {
        buf_reset(&tmp);
        amatcher_format(ms->v[i], &tmp);
        emit_item(em, indent);
        em->inl = false;
        if (em->rc == 0)
            em->rc = yamlx_put_scalar(em->b, buf_str(&tmp));
        emit_nl(em);
    }
    buf_fini(&tmp);
}

static void print_map(struct emit *em, int indent, const char *key, const struct am_strmap *m)
{
    emit_strmap(em, indent, key, m->keys, m->values, m->n);
}

static void print_route(struct emit *em, const struct am_route *r, int indent)
{
    char tmp[64];
    if (r->receiver)
        emit_kv(em, indent, "receiver", r->receiver);
    if (r->group_by_set)
        emit_strv(em, indent, "group_by", r->group_by.v, r->group_by.n, false);
    print_map(em, indent, "match", &r->match);
    print_map(em, indent, "match_re", &r->match_re);
    print_matchers(em, indent, "matchers", &r->new_matchers);
    emit_strv(em, indent, "mute_time_intervals", r->mute_time_intervals.v, r->mute_time_intervals.n,
              false);
    emit_strv(em, indent, "active_time_intervals", r->active_time_intervals.v,
              r->active_time_intervals.n, false);
    emit_kv_raw(em, indent, "continue", r->continue_ ? "true" : "false");
    if (r->nroutes) {
        emit_key(em, indent, "routes");
        emit_nl(em);
        for (size_t i = 0; i < r->nroutes; i++) {
            emit_item(em, indent);
            print_route(em, r->routes[i], indent + 2);
        }
    }
    if (r->group_wait_ms >= 0)
        emit_kv_raw(em, indent, "group_wait", duration_format(r->group_wait_ms, tmp, sizeof(tmp)));
    if (r->group_interval_ms >= 0)
        emit_kv_raw(em, indent, "group_interval",
                    duration_format(r->group_interval_ms, tmp, sizeof(tmp)));
    if (r->repeat_interval_ms >= 0)
        emit_kv_raw(em, indent, "repeat_interval",
                    duration_format(r->repeat_interval_ms, tmp, sizeof(tmp)));
}

static void print_named(struct emit *em, const char *key, const struct am_named_interval *v,
                        size_t n)
{
    if (n == 0)
        return;
    emit_key(em, 0, key);
    emit_nl(em);
    for (size_t i = 0; i < n; i++) {
        emit_item(em, 0);
        emit_kv(em, 2, "name", v[i].name ? v[i].name : "");
        if (v[i].n == 0) {
            emit_kv_raw(em, 2, "time_intervals", "[]");
            continue;
        }
        emit_key(em, 2, "time_intervals");
        emit_nl(em);
        for (size_t j = 0; j < v[i].n; j++) {
            emit_item(em, 2);
            time_interval_print(&v[i].intervals[j], em, 4);
        }
    }
}

int config_print_redacted(const struct am_config *c, struct buf *out)
{
    struct emit em;
    emit_init(&em, out);
    emit_key(&em, 0, "global");
    emit_nl(&em);
    cf_print(&am_desc_global, &c->global, &em, 2);
    if (c->route) {
        emit_key(&em, 0, "route");
        emit_nl(&em);
        print_route(&em, c->route, 2);
    }
    if (c->ninhibit) {
        emit_key(&em, 0, "inhibit_rules");
        emit_nl(&em);
        for (size_t i = 0; i < c->ninhibit; i++) {
            const struct am_inhibit_rule *ir = &c->inhibit_rules[i];
            emit_item(&em, 0);
            print_map(&em, 2, "source_match", &ir->source_match);
            print_map(&em, 2, "source_match_re", &ir->source_match_re);
            print_matchers(&em, 2, "source_matchers", &ir->source_new);
            print_map(&em, 2, "target_match", &ir->target_match);
            print_map(&em, 2, "target_match_re", &ir->target_match_re);
            print_matchers(&em, 2, "target_matchers", &ir->target_new);
            emit_strv(&em, 2, "equal", ir->equal.v, ir->equal.n, false);
            if (em.inl) {
                em.inl = false;
                if (em.rc == 0)
                    em.rc = buf_puts(out, "{}\n");
            }
        }
    }
    if (c->nreceivers) {
        emit_key(&em, 0, "receivers");
        emit_nl(&em);
        for (size_t i = 0; i < c->nreceivers; i++) {
            const struct am_receiver_config *rc = &c->receivers[i];
            emit_item(&em, 0);
            emit_kv(&em, 2, "name", rc->name);
            for (int k = 0; k < AM_INTEGRATION_KINDS; k++) {
                if (rc->configs[k].n == 0)
                    continue;
                emit_key(&em, 2, am_kinds[k].key);
                emit_nl(&em);
                for (size_t j = 0; j < rc->configs[k].n; j++) {
                    emit_item(&em, 2);
                    cf_print(am_kinds[k].desc, rc->configs[k].v[j], &em, 4);
                }
            }
        }
    }
    emit_strv(&em, 0, "templates", c->templates.v, c->templates.n, true);
    print_named(&em, "mute_time_intervals", c->mute_time_intervals, c->nmute);
    print_named(&em, "time_intervals", c->time_intervals, c->ntime);
    return em.rc;
}
