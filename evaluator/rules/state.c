/* SPDX-License-Identifier: Apache-2.0 */
/* Alert state file: JSON, written atomically, restored at start (see state.h). */
#include "evaluator/rules/state.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/err.h"
#include "common/labels.h"
#include "common/xalloc.h"
#include "evaluator/rules/group.h"

#define STATE_FORMAT_VERSION 1

uint64_t rules_state_version(struct rule_group *const *groups, size_t n)
{
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        pthread_mutex_lock(&groups[i]->mu);
        v += groups[i]->state_version;
        pthread_mutex_unlock(&groups[i]->mu);
    }
    return v;
}

static json_t *labels_json(const struct labels *ls)
{
    json_t *o = json_object();
    for (size_t i = 0; ls && i < ls->n; i++)
        json_object_set_new(o, ls->v[i].name, json_string(ls->v[i].value));
    return o;
}

static json_t *time_json(int64_t t)
{
    return t == RULE_TIME_NONE ? json_null() : json_integer((json_int_t)t);
}

static json_t *alert_json(const struct alert *a)
{
    json_t *o = json_object();
    json_object_set_new(o, "labels", labels_json(a->labels));
    json_object_set_new(o, "annotations", labels_json(a->annotations));
    json_object_set_new(o, "state", json_string(alert_state_str(a->state)));
    json_object_set_new(o, "value", json_real(a->value));
    json_object_set_new(o, "active_at", json_integer((json_int_t)a->active_at));
    json_object_set_new(o, "fired_at", time_json(a->fired_at));
    json_object_set_new(o, "resolved_at", time_json(a->resolved_at));
    json_object_set_new(o, "last_sent_at", time_json(a->last_sent_at));
    json_object_set_new(o, "valid_until", time_json(a->valid_until));
    json_object_set_new(o, "keep_firing_since", time_json(a->keep_firing_since));
    return o;
}

static json_t *group_json(struct rule_group *g)
{
    json_t *jg = json_object(), *rules = json_array();
    json_object_set_new(jg, "file", json_string(g->file));
    json_object_set_new(jg, "name", json_string(g->name));
    pthread_mutex_lock(&g->mu);
    for (size_t i = 0; i < g->nrules; i++) {
        const struct rule *r = &g->rules[i];
        if (r->def.kind != RULE_ALERT || r->nalerts == 0)
            continue;
        json_t *jr = json_object(), *alerts = json_array();
        json_object_set_new(jr, "name", json_string(r->def.name));
        json_object_set_new(jr, "labels", labels_json(r->static_labels));
        for (size_t j = 0; j < r->nalerts; j++)
            json_array_append_new(alerts, alert_json(r->alerts[j]));
        json_object_set_new(jr, "alerts", alerts);
        json_array_append_new(rules, jr);
    }
    pthread_mutex_unlock(&g->mu);
    json_object_set_new(jg, "rules", rules);
    return jg;
}

static int fsync_dir_of(const char *path)
{
    char *copy = xstrdup(path);
    int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY);
    free(copy);
    if (fd < 0)
        return -1;
    int r = fsync(fd);
    close(fd);
    return r;
}

int rules_state_save(struct rule_group *const *groups, size_t n, const char *path, int64_t now_ms,
                     struct err *e)
{
    int rc = ERR_INTERNAL;
    json_t *root = json_object(), *jgroups = json_array();
    char *text = NULL, *tmp = xasprintf("%s.tmp", path);
    int fd = -1;
    json_object_set_new(root, "version", json_integer(STATE_FORMAT_VERSION));
    json_object_set_new(root, "saved_at", json_integer((json_int_t)now_ms));
    for (size_t i = 0; i < n; i++)
        json_array_append_new(jgroups, group_json(groups[i]));
    json_object_set_new(root, "groups", jgroups);
    text = json_dumps(root, JSON_COMPACT);
    if (!text) {
        rc = err_set(e, ERR_INTERNAL, "cannot encode the alert state");
        goto out;
    }
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        rc = err_set(e, ERR_IO, "open %s: %s", tmp, strerror(errno));
        goto out;
    }
    size_t len = strlen(text), off = 0;
    while (off < len) {
        ssize_t w = write(fd, text + off, len - off);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            rc = err_set(e, ERR_IO, "write %s: %s", tmp, strerror(errno));
            goto out;
        }
        off += (size_t)w;
    }
    if (fsync(fd) != 0) {
        rc = err_set(e, ERR_IO, "fsync %s: %s", tmp, strerror(errno));
        goto out;
    }
    close(fd);
    fd = -1;
    if (rename(tmp, path) != 0) {
        rc = err_set(e, ERR_IO, "rename %s: %s", tmp, strerror(errno));
        goto out;
    }
    fsync_dir_of(path);
    rc = 0;
out:
    if (fd >= 0) {
        close(fd);
        unlink(tmp);
    }
    free(tmp);
    free(text);
    json_decref(root);
    return rc;
}

static struct labels *json_labels(json_t *o, bool *ok)
{
    if (!json_is_object(o)) {
        *ok = false;
        return labels_empty();
    }
    size_t n = json_object_size(o), i = 0;
    struct label *items = xcalloc(n + 1, sizeof(*items));
    const char *k;
    json_t *v;
    json_object_foreach(o, k, v)
    {
        if (!json_is_string(v)) {
            *ok = false;
            continue;
        }
        items[i].name = k;
        items[i].value = json_string_value(v);
        i++;
    }
    struct labels *ls = labels_new(items, i);
    free(items);
    return ls;
}

static int64_t json_time(json_t *v, bool *ok)
{
    if (!v || json_is_null(v))
        return RULE_TIME_NONE;
    if (!json_is_integer(v)) {
        *ok = false;
        return RULE_TIME_NONE;
    }
    return (int64_t)json_integer_value(v);
}

static struct alert *alert_from_json(json_t *ja, bool *ok)
{
    struct alert *a = rule_alert_new();
    const char *st = json_string_value(json_object_get(ja, "state"));
    a->labels = json_labels(json_object_get(ja, "labels"), ok);
    a->annotations = json_labels(json_object_get(ja, "annotations"), ok);
    a->hash = labels_hash(a->labels);
    if (st && strcmp(st, "firing") == 0)
        a->state = ALERT_FIRING;
    else if (st && strcmp(st, "pending") == 0)
        a->state = ALERT_PENDING;
    else if (st && strcmp(st, "inactive") == 0)
        a->state = ALERT_INACTIVE;
    else
        *ok = false;
    json_t *v = json_object_get(ja, "value");
    a->value = json_is_number(v) ? json_number_value(v) : 0;
    a->active_at = json_time(json_object_get(ja, "active_at"), ok);
    if (a->active_at == RULE_TIME_NONE)
        *ok = false;
    a->fired_at = json_time(json_object_get(ja, "fired_at"), ok);
    a->resolved_at = json_time(json_object_get(ja, "resolved_at"), ok);
    a->last_sent_at = json_time(json_object_get(ja, "last_sent_at"), ok);
    a->valid_until = json_time(json_object_get(ja, "valid_until"), ok);
    a->keep_firing_since = json_time(json_object_get(ja, "keep_firing_since"), ok);
    return a;
}

int rules_state_restore(struct rule_group *const *groups, size_t n, const char *path,
                        size_t *restored, struct err *e)
{
    int rc = ERR_INTERNAL;
    json_error_t je;
    json_t *root = NULL;
    size_t count = 0;
    bool ok = true;
    if (restored)
        *restored = 0;
    if (access(path, F_OK) != 0 && errno == ENOENT)
        return 0;
    root = json_load_file(path, 0, &je);
    if (!root) {
        rc = err_setpos(e, ERR_CORRUPT, path, je.line, je.column, "alert state file: %s", je.text);
        goto out;
    }
    json_t *jgroups = json_object_get(root, "groups");
    json_t *ver = json_object_get(root, "version");
    if (!json_is_array(jgroups) || !json_is_integer(ver) ||
        json_integer_value(ver) != STATE_FORMAT_VERSION) {
        rc = err_set(e, ERR_CORRUPT, "%s: not an alert state file of version %d", path,
                     STATE_FORMAT_VERSION);
        goto out;
    }
    /* validate everything first so a corrupt file restores nothing */
    for (int pass = 0; pass < 2; pass++) {
        size_t gi;
        json_t *jg;
        json_array_foreach(jgroups, gi, jg)
        {
            const char *file = json_string_value(json_object_get(jg, "file"));
            const char *name = json_string_value(json_object_get(jg, "name"));
            json_t *jrules = json_object_get(jg, "rules");
            if (!file || !name || !json_is_array(jrules)) {
                ok = false;
                continue;
            }
            struct rule_group *g = NULL;
            for (size_t i = 0; i < n && !g; i++)
                if (strcmp(groups[i]->file, file) == 0 && strcmp(groups[i]->name, name) == 0)
                    g = groups[i];
            size_t ri;
            json_t *jr;
            json_array_foreach(jrules, ri, jr)
            {
                const char *rname = json_string_value(json_object_get(jr, "name"));
                bool lok = true;
                struct labels *rl = json_labels(json_object_get(jr, "labels"), &lok);
                json_t *jalerts = json_object_get(jr, "alerts");
                if (!rname || !lok || !json_is_array(jalerts))
                    ok = false;
                struct rule *r = NULL;
                for (size_t i = 0; g && rname && i < g->nrules && !r; i++)
                    if (g->rules[i].def.kind == RULE_ALERT &&
                        strcmp(g->rules[i].def.name, rname) == 0 &&
                        labels_equal(g->rules[i].static_labels, rl))
                        r = &g->rules[i];
                labels_free(rl);
                size_t ai;
                json_t *ja;
                json_array_foreach(jalerts, ai, ja)
                {
                    struct alert *a = alert_from_json(ja, &ok);
                    if (pass == 1 && ok && r) {
                        pthread_mutex_lock(&g->mu);
                        rule_add_alert(r, a);
                        pthread_mutex_unlock(&g->mu);
                        a = NULL;
                        count++;
                    }
                    rule_alert_free(a);
                }
            }
        }
        if (!ok) {
            rc = err_set(e, ERR_CORRUPT, "%s: malformed alert state", path);
            goto out;
        }
    }
    if (restored)
        *restored = count;
    rc = 0;
out:
    json_decref(root);
    return rc;
}
