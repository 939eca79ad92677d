/* SPDX-License-Identifier: Apache-2.0 */
/* Silence objects, validation, JSON (API v2 shape) and the in-memory silence store. */
#include "notifier/silence/silence.h"

#include <fcntl.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "common/err.h"
#include "common/labels.h"
#include "common/matcher.h"
#include "common/timeutil.h"
#include "common/xalloc.h"

const char *silence_state_str(enum silence_state st)
{
    switch (st) {
    case SILENCE_PENDING:
        return "pending";
    case SILENCE_ACTIVE:
        return "active";
    default:
        return "expired";
    }
}

enum silence_state silence_state_at(const struct silence *s, int64_t now_ms)
{
    if (now_ms < s->starts_at_ms)
        return SILENCE_PENDING;
    if (now_ms > s->ends_at_ms)
        return SILENCE_EXPIRED;
    return SILENCE_ACTIVE;
}

struct silence *silence_new(void)
{
    return xcalloc(1, sizeof(struct silence));
}

void silence_free(struct silence *s)
{
    if (s == NULL)
        return;
    for (size_t i = 0; i < s->nmatchers; i++) {
        xfree(s->matchers[i].name);
        xfree(s->matchers[i].value);
        matcher_free(s->matchers[i].m);
    }
    xfree(s->matchers);
    xfree(s->created_by);
    xfree(s->comment);
    xfree(s);
}

int silence_add_matcher(struct silence *s, const char *name, const char *value, bool is_regex,
                        bool is_equal, struct err *e)
{
    enum match_type t =
        is_regex ? (is_equal ? MATCH_RE : MATCH_NRE) : (is_equal ? MATCH_EQ : MATCH_NEQ);
    struct matcher *m = NULL;
    int r;
    if (!label_name_is_legacy(name, strlen(name)))
        return err_set(e, ERR_INVALID, "invalid label name \"%s\"", name);
    if ((r = matcher_new(t, name, value, &m, e)) != 0)
        return r;
    s->matchers = xreallocarray(s->matchers, s->nmatchers + 1, sizeof(*s->matchers));
    s->matchers[s->nmatchers].name = xstrdup(name);
    s->matchers[s->nmatchers].value = xstrdup(value);
    s->matchers[s->nmatchers].is_regex = is_regex;
    s->matchers[s->nmatchers].is_equal = is_equal;
    s->matchers[s->nmatchers].m = m;
    s->nmatchers++;
    return 0;
}

struct silence *silence_dup(const struct silence *s)
{
    struct silence *c = silence_new();
    memcpy(c->id, s->id, sizeof(c->id));
    c->starts_at_ms = s->starts_at_ms;
    c->ends_at_ms = s->ends_at_ms;
    c->updated_at_ms = s->updated_at_ms;
    c->created_by = s->created_by ? xstrdup(s->created_by) : NULL;
    c->comment = s->comment ? xstrdup(s->comment) : NULL;
    for (size_t i = 0; i < s->nmatchers; i++)
        (void)silence_add_matcher(c, s->matchers[i].name, s->matchers[i].value,
                                  s->matchers[i].is_regex, s->matchers[i].is_equal, NULL);
    return c;
}

int silence_validate(const struct silence *s, struct err *e)
{
    bool all_empty = true;
    if (s->nmatchers == 0)
        return err_set(e, ERR_INVALID, "at least one matcher required");
    for (size_t i = 0; i < s->nmatchers; i++)
        all_empty = all_empty && matcher_matches_empty(s->matchers[i].m);
    if (all_empty)
        return err_set(e, ERR_INVALID, "at least one matcher must not match the empty string");
    if (s->starts_at_ms == 0)
        return err_set(e, ERR_INVALID, "invalid zero start timestamp");
    if (s->ends_at_ms == 0)
        return err_set(e, ERR_INVALID, "invalid zero end timestamp");
    if (s->ends_at_ms < s->starts_at_ms)
        return err_set(e, ERR_INVALID, "end time must not be before start time");
    return 0;
}

int silence_check_post(const struct silence *s, int64_t now_ms, struct err *e)
{
    if (s->starts_at_ms >= s->ends_at_ms)
        return err_set(e, ERR_INVALID,
                       "Failed to create silence: start time must be before end time");
    if (s->ends_at_ms < now_ms)
        return err_set(e, ERR_INVALID, "Failed to create silence: end time can't be in the past");
    return 0;
}

bool silence_matches(const struct silence *s, const struct labels *ls)
{
    for (size_t i = 0; i < s->nmatchers; i++)
        if (!matcher_matches_labels(s->matchers[i].m, ls))
            return false;
    return s->nmatchers > 0;
}

bool silence_matches_filter(const struct silence *s, const struct matchers *filter)
{
    if (filter == NULL)
        return true;
    for (size_t i = 0; i < filter->n; i++) {
        const struct matcher *f = filter->v[i];
        const char *v = NULL;
        /* Later matchers with the same name win, like the Go map built from the list. */
        for (size_t j = 0; j < s->nmatchers; j++)
            if (strcmp(s->matchers[j].name, f->name) == 0)
                v = s->matchers[j].value;
        if (v == NULL || !matcher_matches(f, v))
            return false;
    }
    return true;
}

/* ---- JSON ---- */

static json_t *ts_json(int64_t ms)
{
    char buf[64];
    if (ms == 0)
        return json_string("0001-01-01T00:00:00.000Z");
    return json_string(timestamp_format(ms, TS_MILLI, buf, sizeof(buf)));
}

json_t *silence_to_json(const struct silence *s, int64_t now_ms)
{
    json_t *o = json_object(), *st = json_object(), *ms = json_array();
    json_object_set_new(o, "id", json_string(s->id));
    json_object_set_new(st, "state", json_string(silence_state_str(silence_state_at(s, now_ms))));
    json_object_set_new(o, "status", st);
    json_object_set_new(o, "updatedAt", ts_json(s->updated_at_ms));
    json_object_set_new(o, "comment", json_string(s->comment ? s->comment : ""));
    json_object_set_new(o, "createdBy", json_string(s->created_by ? s->created_by : ""));
    json_object_set_new(o, "endsAt", ts_json(s->ends_at_ms));
    for (size_t i = 0; i < s->nmatchers; i++) {
        json_t *m = json_object();
        json_object_set_new(m, "isEqual", json_boolean(s->matchers[i].is_equal));
        json_object_set_new(m, "isRegex", json_boolean(s->matchers[i].is_regex));
        json_object_set_new(m, "name", json_string(s->matchers[i].name));
        json_object_set_new(m, "value", json_string(s->matchers[i].value));
        json_array_append_new(ms, m);
    }
    json_object_set_new(o, "matchers", ms);
    json_object_set_new(o, "startsAt", ts_json(s->starts_at_ms));
    return o;
}

static int get_time(const json_t *o, const char *key, bool required, int64_t *out, struct err *e)
{
    const json_t *v = json_object_get(o, key);
    int64_t ms = 0;
    if (v == NULL || json_is_null(v)) {
        if (required)
            return err_set(e, ERR_INVALID, "%s in body is required", key);
        return 0;
    }
    if (!json_is_string(v))
        return err_set(e, ERR_INVALID, "%s in body must be of type date-time", key);
    if (strncmp(json_string_value(v), "0001-01-01T00:00:00", 19) == 0) {
        *out = 0;
        return 0;
    }
    if (strchr(json_string_value(v), 'T') == NULL ||
        timestamp_parse(json_string_value(v), &ms, NULL) != 0)
        return err_set(e, ERR_INVALID, "%s in body must be of type date-time: \"%s\"", key,
                       json_string_value(v));
    *out = ms;
    return 0;
}

static int get_str(const json_t *o, const char *key, bool required, char **out, struct err *e)
{
    const json_t *v = json_object_get(o, key);
    if (v == NULL || json_is_null(v)) {
        if (required)
            return err_set(e, ERR_INVALID, "%s in body is required", key);
        return 0;
    }
    if (!json_is_string(v))
        return err_set(e, ERR_INVALID, "%s in body must be of type string", key);
    xfree(*out);
    *out = xstrdup(json_string_value(v));
    return 0;
}

int silence_from_json(const json_t *j, struct silence **out, struct err *e)
{
    int rc = ERR_INVALID;
    struct silence *s = silence_new();
    const json_t *ms, *id;
    char *tmp = NULL;
    *out = NULL;
    if (!json_is_object(j)) {
        rc = err_set(e, ERR_INVALID, "silence must be a JSON object");
        goto out;
    }
    id = json_object_get(j, "id");
    if (id && !json_is_null(id)) {
        if (!json_is_string(id)) {
            rc = err_set(e, ERR_INVALID, "id in body must be of type string");
            goto out;
        }
        if (strlen(json_string_value(id)) > SILENCE_ID_LEN) {
            rc = err_set(e, ERR_INVALID, "id in body is too long");
            goto out;
        }
        snprintf(s->id, sizeof(s->id), "%s", json_string_value(id));
    }
    ms = json_object_get(j, "matchers");
    if (ms == NULL || json_is_null(ms)) {
        rc = err_set(e, ERR_INVALID, "matchers in body is required");
        goto out;
    }
    if (!json_is_array(ms)) {
        rc = err_set(e, ERR_INVALID, "matchers in body must be of type array");
        goto out;
    }
    if (json_array_size(ms) == 0) {
        rc = err_set(e, ERR_INVALID, "matchers in body should have at least 1 items");
        goto out;
    }
    for (size_t i = 0; i < json_array_size(ms); i++) {
        const json_t *m = json_array_get(ms, i), *n, *v, *re, *eq;
        if (!json_is_object(m)) {
            rc = err_set(e, ERR_INVALID, "matchers.%zu in body must be of type object", i);
            goto out;
        }
        n = json_object_get(m, "name");
        v = json_object_get(m, "value");
        re = json_object_get(m, "isRegex");
        eq = json_object_get(m, "isEqual");
        if (!json_is_string(n)) {
            rc = err_set(e, ERR_INVALID, "matchers.%zu.name in body is required", i);
            goto out;
        }
        if (!json_is_string(v)) {
            rc = err_set(e, ERR_INVALID, "matchers.%zu.value in body is required", i);
            goto out;
        }
        if (!json_is_boolean(re)) {
            rc = err_set(e, ERR_INVALID, "matchers.%zu.isRegex in body is required", i);
            goto out;
        }
        if (eq != NULL && !json_is_null(eq) && !json_is_boolean(eq)) {
            rc = err_set(e, ERR_INVALID, "matchers.%zu.isEqual in body must be of type boolean", i);
            goto out;
        }
        /* isEqual defaults to true (older clients do not send it). */
        if ((rc = silence_add_matcher(
                 s, json_string_value(n), json_string_value(v), json_is_true(re),
                 eq == NULL || json_is_null(eq) || json_is_true(eq), e)) != 0) {
            err_prefix(e, "invalid label matcher %zu", i);
            goto out;
        }
    }
    if ((rc = get_time(j, "startsAt", true, &s->starts_at_ms, e)) != 0 ||
        (rc = get_time(j, "endsAt", true, &s->ends_at_ms, e)) != 0 ||
        (rc = get_time(j, "updatedAt", false, &s->updated_at_ms, e)) != 0 ||
        (rc = get_str(j, "createdBy", true, &s->created_by, e)) != 0 ||
        (rc = get_str(j, "comment", true, &s->comment, e)) != 0)
        goto out;
    *out = s;
    s = NULL;
    rc = 0;
out:
    xfree(tmp);
    silence_free(s);
    return rc;
}

char *silence_format_json(const struct silence *s, int64_t now_ms)
{
    json_t *j = silence_to_json(s, now_ms);
    char *t = json_dumps(j, JSON_PRESERVE_ORDER | JSON_COMPACT);
    char *c = xstrdup(t ? t : "null");
    free(t);
    json_decref(j);
    return c;
}

int silence_parse_json(const char *text, size_t n, struct silence **out, struct err *e)
{
    json_error_t je;
    json_t *j = json_loadb(text, n, JSON_REJECT_DUPLICATES, &je);
    int r;
    *out = NULL;
    if (j == NULL)
        return err_setpos(e, ERR_PARSE, NULL, je.line, je.column, "%s", je.text);
    r = silence_from_json(j, out, e);
    json_decref(j);
    return r;
}

/* ---- store ---- */

struct silence_store {
    pthread_mutex_t lock;
    struct silence **v;
    size_t n, cap;
    int64_t retention_ms;
};

void silence_uuid4(char *out)
{
    unsigned char b[16];
    size_t got = 0;
    while (got < sizeof(b)) {
        ssize_t r = getrandom(b + got, sizeof(b) - got, 0);
        if (r <= 0)
            abort(); /* no entropy source: nothing sensible to do */
        got += (size_t)r;
    }
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
    snprintf(out, SILENCE_ID_LEN + 1,
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
             b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
             b[15]);
}

struct silence_store *silence_store_new(int64_t retention_ms)
{
    struct silence_store *st = xcalloc(1, sizeof(*st));
    pthread_mutex_init(&st->lock, NULL);
    st->retention_ms = retention_ms > 0 ? retention_ms : SILENCE_DEFAULT_RETENTION_MS;
    return st;
}

void silence_store_free(struct silence_store *st)
{
    if (st == NULL)
        return;
    for (size_t i = 0; i < st->n; i++)
        silence_free(st->v[i]);
    xfree(st->v);
    pthread_mutex_destroy(&st->lock);
    xfree(st);
}

static struct silence *find(struct silence_store *st, const char *id)
{
    for (size_t i = 0; i < st->n; i++)
        if (strcmp(st->v[i]->id, id) == 0)
            return st->v[i];
    return NULL;
}

static void push(struct silence_store *st, struct silence *s)
{
    if (st->n == st->cap) {
        st->cap = st->cap ? st->cap * 2 : 16;
        st->v = xreallocarray(st->v, st->cap, sizeof(*st->v));
    }
    st->v[st->n++] = s;
}

static bool same_matchers(const struct silence *a, const struct silence *b)
{
    if (a->nmatchers != b->nmatchers)
        return false;
    for (size_t i = 0; i < a->nmatchers; i++) {
        const struct silence_matcher *x = &a->matchers[i], *y = &b->matchers[i];
        if (strcmp(x->name, y->name) != 0 || strcmp(x->value, y->value) != 0 ||
            x->is_regex != y->is_regex || x->is_equal != y->is_equal)
            return false;
    }
    return true;
}

static bool can_update(const struct silence *a, const struct silence *b, int64_t now)
{
    if (!same_matchers(a, b))
        return false;
    switch (silence_state_at(a, now)) {
    case SILENCE_ACTIVE:
        return b->starts_at_ms == a->starts_at_ms && b->ends_at_ms >= now;
    case SILENCE_PENDING:
        return b->starts_at_ms >= now;
    default:
        return false;
    }
}

/* Replaces the stored silence (or adds) after validation; takes s. */
static int store_put(struct silence_store *st, struct silence *s, int64_t now, struct err *e)
{
    int r;
    s->updated_at_ms = now;
    if ((r = silence_validate(s, e)) != 0) {
        err_prefix(e, "silence invalid");
        silence_free(s);
        return r;
    }
    for (size_t i = 0; i < st->n; i++) {
        if (strcmp(st->v[i]->id, s->id) == 0) {
            silence_free(st->v[i]);
            st->v[i] = s;
            return 0;
        }
    }
    push(st, s);
    return 0;
}

static int expire_locked(struct silence_store *st, const char *id, int64_t now, struct err *e)
{
    struct silence *cur = find(st, id), *c;
    if (cur == NULL)
        return err_set(e, ERR_NOTFOUND, "silence not found");
    c = silence_dup(cur);
    switch (silence_state_at(c, now)) {
    case SILENCE_EXPIRED:
        silence_free(c);
        return err_set(e, ERR_INVALID, "silence %s already expired", id);
    case SILENCE_ACTIVE:
        c->ends_at_ms = now;
        break;
    case SILENCE_PENDING:
        c->starts_at_ms = now;
        c->ends_at_ms = now;
        break;
    }
    return store_put(st, c, now, e);
}

int silence_store_set(struct silence_store *st, const struct silence *s, int64_t now_ms,
                      char *out_id, struct err *e)
{
    int rc = 0;
    struct silence *c = silence_dup(s), *prev;
    pthread_mutex_lock(&st->lock);
    prev = c->id[0] ? find(st, c->id) : NULL;
    if (c->id[0] && prev == NULL) {
        rc = err_set(e, ERR_NOTFOUND, "silence not found");
        silence_free(c);
        goto out;
    }
    if (prev != NULL) {
        if (can_update(prev, c, now_ms)) {
            snprintf(out_id, SILENCE_ID_LEN + 1, "%s", c->id);
            rc = store_put(st, c, now_ms, e);
            goto out;
        }
        if (silence_state_at(prev, now_ms) != SILENCE_EXPIRED) {
            /* Validate the replacement first so a bad update does not expire the old one. */
            struct silence *probe = silence_dup(c);
            if (probe->starts_at_ms < now_ms)
                probe->starts_at_ms = now_ms;
            rc = silence_validate(probe, e);
            silence_free(probe);
            if (rc != 0) {
                err_prefix(e, "silence invalid");
                silence_free(c);
                goto out;
            }
            if ((rc = expire_locked(st, prev->id, now_ms, e)) != 0) {
                err_prefix(e, "expire previous silence");
                silence_free(c);
                goto out;
            }
        }
    }
    silence_uuid4(c->id);
    if (c->starts_at_ms < now_ms)
        c->starts_at_ms = now_ms;
    snprintf(out_id, SILENCE_ID_LEN + 1, "%s", c->id);
    rc = store_put(st, c, now_ms, e);
out:
    pthread_mutex_unlock(&st->lock);
    return rc;
}

int silence_store_expire(struct silence_store *st, const char *id, int64_t now_ms, struct err *e)
{
    int rc;
    pthread_mutex_lock(&st->lock);
    rc = expire_locked(st, id, now_ms, e);
    pthread_mutex_unlock(&st->lock);
    return rc;
}

int silence_store_get(struct silence_store *st, const char *id, struct silence **out, struct err *e)
{
    struct silence *s;
    int rc = 0;
    *out = NULL;
    pthread_mutex_lock(&st->lock);
    s = find(st, id);
    if (s == NULL)
        rc = err_set(e, ERR_NOTFOUND, "silence not found");
    else
        *out = silence_dup(s);
    pthread_mutex_unlock(&st->lock);
    return rc;
}

static int64_t sort_now;

static int list_cmp(const void *a, const void *b)
{
    const struct silence *x = *(const struct silence *const *)a;
    const struct silence *y = *(const struct silence *const *)b;
    enum silence_state sx = silence_state_at(x, sort_now), sy = silence_state_at(y, sort_now);
    int64_t kx, ky;
    if (sx != sy)
        return sx == SILENCE_ACTIVE ? -1 : sy == SILENCE_ACTIVE ? 1 : (int)sx - (int)sy;
    switch (sx) {
    case SILENCE_ACTIVE:
        kx = x->ends_at_ms, ky = y->ends_at_ms;
        break;
    case SILENCE_PENDING:
        kx = x->starts_at_ms, ky = y->starts_at_ms;
        break;
    default:
        kx = y->ends_at_ms, ky = x->ends_at_ms;
        break;
    }
    if (kx != ky)
        return kx < ky ? -1 : 1;
    return strcmp(x->id, y->id);
}

static pthread_mutex_t sort_lock = PTHREAD_MUTEX_INITIALIZER;

size_t silence_store_list(struct silence_store *st, int64_t now_ms, const struct matchers *filter,
                          struct silence ***out)
{
    struct silence **v;
    size_t n = 0;
    pthread_mutex_lock(&st->lock);
    v = xcalloc(st->n + 1, sizeof(*v));
    for (size_t i = 0; i < st->n; i++)
        if (silence_matches_filter(st->v[i], filter))
            v[n++] = silence_dup(st->v[i]);
    pthread_mutex_unlock(&st->lock);
    pthread_mutex_lock(&sort_lock);
    sort_now = now_ms;
    qsort(v, n, sizeof(*v), list_cmp);
    pthread_mutex_unlock(&sort_lock);
    *out = v;
    return n;
}

void silence_list_free(struct silence **v, size_t n)
{
    for (size_t i = 0; v && i < n; i++)
        silence_free(v[i]);
    xfree(v);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

size_t silence_store_mutes(struct silence_store *st, const struct labels *ls, int64_t now_ms,
                           char ***ids)
{
    char **v;
    size_t n = 0;
    pthread_mutex_lock(&st->lock);
    v = xcalloc(st->n + 1, sizeof(*v));
    for (size_t i = 0; i < st->n; i++)
        if (silence_state_at(st->v[i], now_ms) == SILENCE_ACTIVE && silence_matches(st->v[i], ls))
            v[n++] = xstrdup(st->v[i]->id);
    pthread_mutex_unlock(&st->lock);
    qsort(v, n, sizeof(*v), cmp_str);
    *ids = v;
    return n;
}

void silence_ids_free(char **ids, size_t n)
{
    for (size_t i = 0; ids && i < n; i++)
        xfree(ids[i]);
    xfree(ids);
}

size_t silence_store_gc(struct silence_store *st, int64_t now_ms)
{
    size_t dropped = 0;
    pthread_mutex_lock(&st->lock);
    for (size_t i = 0; i < st->n;) {
        if (st->v[i]->ends_at_ms + st->retention_ms <= now_ms) {
            silence_free(st->v[i]);
            st->v[i] = st->v[--st->n];
            dropped++;
        } else {
            i++;
        }
    }
    pthread_mutex_unlock(&st->lock);
    return dropped;
}

size_t silence_store_count(struct silence_store *st)
{
    size_t n;
    pthread_mutex_lock(&st->lock);
    n = st->n;
    pthread_mutex_unlock(&st->lock);
    return n;
}

int silence_store_restore(struct silence_store *st, const struct silence *s, struct err *e)
{
    int rc;
    if (s->id[0] == 0)
        return err_set(e, ERR_INVALID, "silence without id");
    if ((rc = silence_validate(s, e)) != 0)
        return rc;
    pthread_mutex_lock(&st->lock);
    if (find(st, s->id) != NULL) {
        rc = err_set(e, ERR_EXISTS, "silence %s already exists", s->id);
    } else {
        push(st, silence_dup(s));
        rc = 0;
    }
    pthread_mutex_unlock(&st->lock);
    return rc;
}
