/* SPDX-License-Identifier: Apache-2.0 */
/* Escalation policy parsing and cross-checks against receivers, schedules and routes. */
#include "notifier/escalation/policy.h"

#include <string.h>

#include "common/err.h"
#include "common/xalloc.h"
#include "common/yamlx.h"
#include "notifier/config/config.h"

void esc_config_free(struct esc_config *c)
{
    if (c == NULL)
        return;
    for (size_t i = 0; i < c->npolicies; i++) {
        struct esc_policy *p = &c->policies[i];
        for (size_t k = 0; k < p->nsteps; k++) {
            yamlx_strv_free(p->steps[k].receivers);
            for (size_t j = 0; j < p->steps[k].nnotify; j++) {
                xfree(p->steps[k].notify[j].schedule);
                xfree(p->steps[k].notify[j].via);
            }
            xfree(p->steps[k].notify);
        }
        xfree(p->steps);
        xfree(p->name);
    }
    xfree(c->policies);
    oncall_directory_free(c->dir);
    xfree(c);
}

const struct esc_policy *esc_policy_find(const struct esc_config *c, const char *name)
{
    for (size_t i = 0; c && i < c->npolicies; i++)
        if (strcmp(c->policies[i].name, name) == 0)
            return &c->policies[i];
    return NULL;
}

static int check_receiver(const struct am_config *cfg, const struct yamlx_node *n, const char *name,
                          struct err *e)
{
    if (config_receiver(cfg, name) == NULL)
        return yamlx_error(e, n, ERR_INVALID, "undefined receiver \"%s\" used in escalation step",
                           name);
    return 0;
}

static int parse_target(const struct am_config *cfg, const struct esc_config *c,
                        const struct yamlx_node *n, struct esc_target *t, struct err *e)
{
    static const char *const keys[] = {"schedule", "role", "via", NULL};
    char *role = NULL;
    int rc;
    if ((rc = yamlx_map_check(n, keys, "notify target", e)) != 0)
        return rc;
    if ((rc = yamlx_get_str(yamlx_map_get(n, "schedule"), &t->schedule, e)) != 0 ||
        (rc = yamlx_get_str(yamlx_map_get(n, "via"), &t->via, e)) != 0 ||
        (rc = yamlx_get_str(yamlx_map_get(n, "role"), &role, e)) != 0)
        goto out;
    rc = ERR_INVALID;
    if (t->schedule == NULL || t->via == NULL) {
        yamlx_error(e, n, ERR_INVALID, "notify target: schedule and via are required");
        goto out;
    }
    if (oncall_schedule_find(c->dir, t->schedule) == NULL) {
        yamlx_error(e, yamlx_map_get(n, "schedule"), ERR_INVALID, "undefined schedule \"%s\"",
                    t->schedule);
        goto out;
    }
    t->role = ONCALL_PRIMARY;
    if (role && !oncall_role_parse(role, &t->role)) {
        yamlx_error(e, yamlx_map_get(n, "role"), ERR_INVALID,
                    "role must be primary or secondary, got \"%s\"", role);
        goto out;
    }
    rc = check_receiver(cfg, yamlx_map_get(n, "via"), t->via, e);
out:
    xfree(role);
    return rc;
}

static int parse_step(const struct am_config *cfg, const struct esc_config *c,
                      const struct yamlx_node *n, struct esc_step *s, struct err *e)
{
    static const char *const keys[] = {"after", "receivers", "notify", NULL};
    const struct yamlx_node *after = yamlx_map_get(n, "after"), *nt, *rv;
    int rc;
    if ((rc = yamlx_map_check(n, keys, "escalation step", e)) != 0)
        return rc;
    if (yamlx_is_null(after))
        return yamlx_error(e, n, ERR_INVALID, "escalation step: missing after");
    if ((rc = yamlx_get_duration(after, &s->after_ms, e)) != 0)
        return rc;
    rv = yamlx_map_get(n, "receivers");
    if ((rc = yamlx_get_strv(rv, &s->receivers, &s->nreceivers, e)) != 0)
        return rc;
    for (size_t i = 0; i < s->nreceivers; i++)
        if ((rc = check_receiver(cfg, rv->kids[i], s->receivers[i], e)) != 0)
            return rc;
    nt = yamlx_map_get(n, "notify");
    if (!yamlx_is_null(nt)) {
        if (nt->kind != YAMLX_SEQ)
            return yamlx_error(e, nt, ERR_INVALID, "escalation step: notify must be a list");
        s->notify = xcalloc(nt->n ? nt->n : 1, sizeof(*s->notify));
        for (size_t i = 0; i < nt->n; i++) {
            s->nnotify++;
            if ((rc = parse_target(cfg, c, nt->kids[i], &s->notify[i], e)) != 0)
                return rc;
        }
    }
    if (s->nreceivers == 0 && s->nnotify == 0)
        return yamlx_error(e, n, ERR_INVALID, "escalation step: needs receivers or notify");
    return 0;
}

static int parse_policy(const struct am_config *cfg, const struct esc_config *c,
                        const struct yamlx_node *n, struct esc_policy *p, struct err *e)
{
    static const char *const keys[] = {"name",
                                       "steps",
                                       "repeat",
                                       "repeat_interval",
                                       "stop_on_ack",
                                       "stop_on_resolve",
                                       "reescalate_on_new_alerts",
                                       NULL};
    const struct yamlx_node *steps = yamlx_map_get(n, "steps");
    int rc;
    p->stop_on_ack = p->stop_on_resolve = true;
    p->repeat_interval_ms = -1;
    if ((rc = yamlx_map_check(n, keys, "escalation policy", e)) != 0 ||
        (rc = yamlx_get_str(yamlx_map_get(n, "name"), &p->name, e)) != 0 ||
        (rc = yamlx_get_int(yamlx_map_get(n, "repeat"), &p->repeat, e)) != 0 ||
        (rc = yamlx_get_duration(yamlx_map_get(n, "repeat_interval"), &p->repeat_interval_ms, e)) !=
            0 ||
        (rc = yamlx_get_bool(yamlx_map_get(n, "stop_on_ack"), &p->stop_on_ack, e)) != 0 ||
        (rc = yamlx_get_bool(yamlx_map_get(n, "stop_on_resolve"), &p->stop_on_resolve, e)) != 0 ||
        (rc = yamlx_get_bool(yamlx_map_get(n, "reescalate_on_new_alerts"),
                             &p->reescalate_on_new_alerts, e)) != 0)
        return rc;
    if (p->name == NULL || p->name[0] == '\0')
        return yamlx_error(e, n, ERR_INVALID, "escalation policy: missing name");
    if (p->repeat < 0 || p->repeat > 1000)
        return yamlx_error(e, yamlx_map_get(n, "repeat"), ERR_INVALID,
                           "escalation policy: repeat must be between 0 and 1000");
    if (yamlx_is_null(steps) || steps->kind != YAMLX_SEQ || steps->n == 0)
        return yamlx_error(e, steps ? steps : n, ERR_INVALID,
                           "escalation policy \"%s\": steps must be a non-empty list", p->name);
    p->steps = xcalloc(steps->n, sizeof(*p->steps));
    for (size_t i = 0; i < steps->n; i++) {
        p->nsteps++;
        if ((rc = parse_step(cfg, c, steps->kids[i], &p->steps[i], e)) != 0)
            return rc;
        if (i > 0 && p->steps[i].after_ms < p->steps[i - 1].after_ms)
            return yamlx_error(e, steps->kids[i], ERR_INVALID,
                               "escalation step: after must not be less than the previous "
                               "step's (after counts from the first notification)");
    }
    if (p->repeat_interval_ms < 0)
        p->repeat_interval_ms = p->steps[p->nsteps - 1].after_ms + p->steps[0].after_ms;
    if (p->repeat > 0 && p->repeat_interval_ms <= p->steps[p->nsteps - 1].after_ms)
        return yamlx_error(e, n, ERR_INVALID,
                           "escalation policy \"%s\": repeat_interval must be longer than the "
                           "last step's after",
                           p->name);
    return 0;
}

static int check_routes(const struct am_route *r, const struct esc_config *c, struct err *e)
{
    int rc;
    if (r == NULL)
        return 0;
    if (r->escalation_policy) {
        const struct yamlx_node *n = r->escalation_policy;
        if (n->kind != YAMLX_SCALAR)
            return yamlx_error(e, n, ERR_INVALID, "escalation_policy: expected a policy name");
        if (n->str[0] != '\0' && esc_policy_find(c, n->str) == NULL)
            return yamlx_error(e, n, ERR_INVALID, "undefined escalation policy \"%s\"", n->str);
    }
    for (size_t i = 0; i < r->nroutes; i++)
        if ((rc = check_routes(r->routes[i], c, e)) != 0)
            return rc;
    return 0;
}

int esc_config_parse(const struct am_config *cfg, struct esc_config **out, struct err *e)
{
    int rc = ERR_INTERNAL;
    struct esc_config *c = xcalloc(1, sizeof(*c));
    const struct yamlx_node *ps = cfg->escalation_policies;
    *out = NULL;
    if ((rc = oncall_directory_parse(cfg->schedules, cfg->users, &c->dir, e)) != 0)
        goto out;
    if (!yamlx_is_null(ps)) {
        if (ps->kind != YAMLX_SEQ) {
            rc = yamlx_error(e, ps, ERR_INVALID, "escalation_policies: expected a list");
            goto out;
        }
        c->policies = xcalloc(ps->n ? ps->n : 1, sizeof(*c->policies));
        for (size_t i = 0; i < ps->n; i++) {
            c->npolicies++;
            if ((rc = parse_policy(cfg, c, ps->kids[i], &c->policies[i], e)) != 0)
                goto out;
            for (size_t k = 0; k < i; k++)
                if (strcmp(c->policies[k].name, c->policies[i].name) == 0) {
                    rc = yamlx_error(e, ps->kids[i], ERR_INVALID,
                                     "escalation policy \"%s\" defined twice", c->policies[i].name);
                    goto out;
                }
        }
    }
    if ((rc = check_routes(cfg->route, c, e)) != 0)
        goto out;
    *out = c;
    c = NULL;
    rc = 0;
out:
    esc_config_free(c);
    return rc;
}
