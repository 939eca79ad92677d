/* SPDX-License-Identifier: Apache-2.0 */
/* Durable incident timelines in the store's timeline namespace, and their human form. */
#include "notifier/timeline/timeline.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/xalloc.h"
#include "notifier/store/store.h"

int timeline_stage(struct store *s, const char *id, uint64_t seq, const json_t *ev)
{
    char key[96];
    char *text;
    int rc;
    json_int_t t = json_integer_value(json_object_get(ev, "t"));
    if (s == NULL)
        return 0;
    snprintf(key, sizeof(key), "%s/%016llu", id, (unsigned long long)seq);
    text = json_dumps(ev, JSON_COMPACT | JSON_SORT_KEYS);
    if (text == NULL)
        return -1;
    rc = store_put(s, STORE_NS_TIMELINE, key, strlen(key), text, strlen(text),
                   (int64_t)t + TIMELINE_RETENTION_NS);
    free(text);
    return rc;
}

struct collect {
    const char *prefix;
    size_t plen;
    json_t *pairs; /* [[key, event], ...] */
};

static void collect_cb(void *arg, const char *key, size_t klen, const struct store_value *v)
{
    struct collect *c = arg;
    json_t *ev;
    if (klen <= c->plen || memcmp(key, c->prefix, c->plen) != 0)
        return;
    ev = json_loadb(v->data, v->len, 0, NULL);
    if (ev == NULL || !json_is_object(ev)) {
        json_decref(ev);
        return;
    }
    json_array_append_new(c->pairs, json_pack("[s#o]", key, (int)klen, ev));
}

static int cmp_pairs(const void *a, const void *b)
{
    const json_t *x = *(const json_t *const *)a, *y = *(const json_t *const *)b;
    return strcmp(json_string_value(json_array_get(x, 0)), json_string_value(json_array_get(y, 0)));
}

json_t *timeline_load(const struct store *s, const char *id)
{
    char prefix[80];
    struct collect c;
    json_t *out = json_array();
    json_t **v;
    size_t n;
    if (s == NULL)
        return out;
    snprintf(prefix, sizeof(prefix), "%s/", id);
    c.prefix = prefix;
    c.plen = strlen(prefix);
    c.pairs = json_array();
    store_foreach(s, STORE_NS_TIMELINE, collect_cb, &c);
    n = json_array_size(c.pairs);
    v = xcalloc(n ? n : 1, sizeof(*v));
    for (size_t i = 0; i < n; i++)
        v[i] = json_array_get(c.pairs, i);
    qsort(v, n, sizeof(*v), cmp_pairs);
    for (size_t i = 0; i < n; i++)
        json_array_append(out, json_array_get(v[i], 1));
    xfree(v);
    json_decref(c.pairs);
    return out;
}

static const char *str(const json_t *ev, const char *k)
{
    const char *s = json_string_value(json_object_get(ev, k));
    return s ? s : "";
}

char *timeline_describe(const json_t *ev)
{
    struct buf b;
    const char *type = str(ev, "type");
    buf_init(&b, 0);
    if (strcmp(type, "opened") == 0) {
        buf_printf(&b, "incident opened (route receiver %s, policy %s)", str(ev, "receiver"),
                   *str(ev, "policy") ? str(ev, "policy") : "none");
    } else if (strcmp(type, "alert_firing") == 0) {
        buf_printf(&b, "alert firing: %s", str(ev, "alert"));
    } else if (strcmp(type, "alert_resolved") == 0) {
        buf_printf(&b, "alert resolved: %s", str(ev, "alert"));
    } else if (strcmp(type, "notify") == 0) {
        buf_printf(&b, "notification %s to %s/%s[%lld] (step %lld, attempt %lld)%s%s",
                   str(ev, "outcome"), str(ev, "receiver"), str(ev, "integration"),
                   (long long)json_integer_value(json_object_get(ev, "index")),
                   (long long)json_integer_value(json_object_get(ev, "step")),
                   (long long)json_integer_value(json_object_get(ev, "attempt")),
                   *str(ev, "msg") ? ": " : "", str(ev, "msg"));
        if (*str(ev, "user"))
            buf_printf(&b, " for on-call %s", str(ev, "user"));
    } else if (strcmp(type, "escalated") == 0) {
        buf_printf(&b, "escalated to step %lld (cycle %lld): %s",
                   (long long)json_integer_value(json_object_get(ev, "step")),
                   (long long)json_integer_value(json_object_get(ev, "cycle")), str(ev, "targets"));
    } else if (strcmp(type, "acked") == 0 || strcmp(type, "unacked") == 0 ||
               strcmp(type, "resolved") == 0) {
        buf_printf(&b, "%s by %s",
                   strcmp(type, "acked") == 0     ? "acknowledged"
                   : strcmp(type, "unacked") == 0 ? "un-acknowledged"
                                                  : "resolved",
                   str(ev, "by"));
        if (*str(ev, "via"))
            buf_printf(&b, " (via %s)", str(ev, "via"));
    } else if (strcmp(type, "silenced") == 0 || strcmp(type, "inhibited") == 0) {
        buf_printf(&b, "alert %s: %s", type, str(ev, "alert"));
    } else if (strcmp(type, "unsuppressed") == 0) {
        buf_printf(&b, "alert no longer silenced or inhibited: %s", str(ev, "alert"));
    } else if (strcmp(type, "reescalated") == 0) {
        buf_printf(&b, "new alert joined an acknowledged incident: chain restarted");
    } else if (strcmp(type, "held") == 0) {
        buf_printf(&b, "step %lld held: every alert is silenced or inhibited",
                   (long long)json_integer_value(json_object_get(ev, "step")));
    } else {
        buf_printf(&b, "%s", type);
    }
    return buf_steal(&b, NULL);
}
