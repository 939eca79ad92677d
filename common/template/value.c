/* SPDX-License-Identifier: Apache-2.0 */
/* Reference-counted dynamic values for the template engine: constructors, maps, lists, truth,
 * type names and the %v printer. */
#include "common/template/value.h"

#include <string.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/template/gofmt.h"
#include "common/template/gotime.h"
#include "common/xalloc.h"

static struct tmpl_value *value_new(enum tmpl_kind kind)
{
    struct tmpl_value *v = xcalloc(1, sizeof(*v));
    v->kind = kind;
    v->refs = 1;
    return v;
}

struct tmpl_value *tmpl_null(void)
{
    return value_new(TMPL_NULL);
}

struct tmpl_value *tmpl_bool(bool b)
{
    struct tmpl_value *v = value_new(TMPL_BOOL);
    v->u.b = b;
    return v;
}

struct tmpl_value *tmpl_int(int64_t i)
{
    struct tmpl_value *v = value_new(TMPL_INT);
    v->u.i = i;
    return v;
}

struct tmpl_value *tmpl_float(double f)
{
    struct tmpl_value *v = value_new(TMPL_FLOAT);
    v->u.f = f;
    return v;
}

struct tmpl_value *tmpl_string_n(const char *s, size_t n)
{
    struct tmpl_value *v = value_new(TMPL_STRING);
    v->u.str.s = xmalloc(n + 1);
    if (n)
        memcpy(v->u.str.s, s, n);
    v->u.str.s[n] = '\0';
    v->u.str.len = n;
    return v;
}

struct tmpl_value *tmpl_string(const char *s)
{
    return tmpl_string_n(s, strlen(s));
}

struct tmpl_value *tmpl_string_take(char *s, size_t n)
{
    struct tmpl_value *v = value_new(TMPL_STRING);
    v->u.str.s = s;
    v->u.str.len = n;
    return v;
}

struct tmpl_value *tmpl_list(void)
{
    return value_new(TMPL_LIST);
}

struct tmpl_value *tmpl_map(enum tmpl_kind elem)
{
    struct tmpl_value *v = value_new(TMPL_MAP);
    v->u.map.elem = elem;
    return v;
}

struct tmpl_value *tmpl_time(int64_t ns, int32_t offset, const char *zone)
{
    int64_t sec = ns / 1000000000, nsec = ns % 1000000000;
    if (nsec < 0) {
        nsec += 1000000000;
        sec--;
    }
    return tmpl_time_sec(sec, (int32_t)nsec, offset, zone);
}

struct tmpl_value *tmpl_time_sec(int64_t sec, int32_t nsec, int32_t offset, const char *zone)
{
    struct tmpl_value *v = value_new(TMPL_TIME);
    v->u.time.sec = sec;
    v->u.time.nsec = nsec;
    v->u.time.offset = offset;
    if (zone) {
        size_t n = strlen(zone);
        if (n >= sizeof(v->u.time.zone))
            n = sizeof(v->u.time.zone) - 1;
        memcpy(v->u.time.zone, zone, n);
        v->u.time.zone[n] = '\0';
    }
    return v;
}

struct tmpl_value *tmpl_duration(int64_t ns)
{
    struct tmpl_value *v = value_new(TMPL_DURATION);
    v->u.dur_ns = ns;
    return v;
}

struct tmpl_value *tmpl_object(const struct tmpl_object_type *type, void *ptr)
{
    struct tmpl_value *v = value_new(TMPL_OBJECT);
    v->u.obj.type = type;
    v->u.obj.ptr = ptr;
    return v;
}

struct tmpl_value *tmpl_func_value(const char *name, tmpl_func_cb fn, void *user)
{
    struct tmpl_value *v = value_new(TMPL_FUNC);
    v->u.func.fn = fn;
    v->u.func.user = user;
    v->u.func.name = xstrdup(name ? name : "func");
    return v;
}

struct tmpl_value *tmpl_ref(struct tmpl_value *v)
{
    if (v)
        v->refs++;
    return v;
}

void tmpl_unref(struct tmpl_value *v)
{
    size_t i;
    if (v == NULL || --v->refs > 0)
        return;
    switch (v->kind) {
    case TMPL_STRING:
        xfree(v->u.str.s);
        break;
    case TMPL_LIST:
        for (i = 0; i < v->u.list.n; i++)
            tmpl_unref(v->u.list.v[i]);
        xfree(v->u.list.v);
        break;
    case TMPL_MAP:
        for (i = 0; i < v->u.map.n; i++) {
            xfree(v->u.map.v[i].key);
            tmpl_unref(v->u.map.v[i].val);
        }
        xfree(v->u.map.v);
        break;
    case TMPL_OBJECT:
        if (v->u.obj.type->free)
            v->u.obj.type->free(v->u.obj.ptr);
        break;
    case TMPL_FUNC:
        xfree(v->u.func.name);
        break;
    default:
        break;
    }
    xfree(v);
}

void tmpl_list_push(struct tmpl_value *list, struct tmpl_value *item)
{
    if (list->u.list.n == list->u.list.cap) {
        list->u.list.cap = list->u.list.cap ? list->u.list.cap * 2 : 4;
        list->u.list.v = xreallocarray(list->u.list.v, list->u.list.cap, sizeof(*list->u.list.v));
    }
    list->u.list.v[list->u.list.n++] = item;
}

/* Binary search: returns the index of key or the insertion point (and *found). */
static size_t map_find(const struct tmpl_value *map, const char *key, bool *found)
{
    size_t lo = 0, hi = map->u.map.n;
    *found = false;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(map->u.map.v[mid].key, key);
        if (c == 0) {
            *found = true;
            return mid;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

void tmpl_map_set(struct tmpl_value *map, const char *key, struct tmpl_value *val)
{
    bool found;
    size_t at = map_find(map, key, &found);
    if (found) {
        tmpl_unref(map->u.map.v[at].val);
        map->u.map.v[at].val = val;
        return;
    }
    if (map->u.map.n == map->u.map.cap) {
        map->u.map.cap = map->u.map.cap ? map->u.map.cap * 2 : 4;
        map->u.map.v = xreallocarray(map->u.map.v, map->u.map.cap, sizeof(*map->u.map.v));
    }
    memmove(&map->u.map.v[at + 1], &map->u.map.v[at], (map->u.map.n - at) * sizeof(*map->u.map.v));
    map->u.map.v[at].key = xstrdup(key);
    map->u.map.v[at].val = val;
    map->u.map.n++;
}

void tmpl_map_set_str(struct tmpl_value *map, const char *key, const char *val)
{
    tmpl_map_set(map, key, tmpl_string(val));
}

struct tmpl_value *tmpl_map_get(const struct tmpl_value *map, const char *key)
{
    bool found;
    size_t at;
    if (map == NULL || map->kind != TMPL_MAP)
        return NULL;
    at = map_find(map, key, &found);
    return found ? map->u.map.v[at].val : NULL;
}

bool tmpl_truth(const struct tmpl_value *v)
{
    if (v == NULL)
        return false;
    switch (v->kind) {
    case TMPL_NULL:
        return false;
    case TMPL_BOOL:
        return v->u.b;
    case TMPL_INT:
        return v->u.i != 0;
    case TMPL_FLOAT:
        return v->u.f != 0;
    case TMPL_STRING:
        return v->u.str.len != 0;
    case TMPL_LIST:
        return v->u.list.n != 0;
    case TMPL_MAP:
        return v->u.map.n != 0;
    case TMPL_DURATION:
        return v->u.dur_ns != 0;
    default:
        return true;
    }
}

const char *tmpl_type_name(const struct tmpl_value *v)
{
    if (v == NULL)
        return "<nil>";
    switch (v->kind) {
    case TMPL_NULL:
        return "<nil>";
    case TMPL_BOOL:
        return "bool";
    case TMPL_INT:
        return "int";
    case TMPL_FLOAT:
        return "float64";
    case TMPL_STRING:
        return "string";
    case TMPL_LIST:
        return "[]interface {}";
    case TMPL_MAP:
        return v->u.map.elem == TMPL_STRING ? "map[string]string" : "map[string]interface {}";
    case TMPL_TIME:
        return "time.Time";
    case TMPL_DURATION:
        return "time.Duration";
    case TMPL_OBJECT:
        return v->u.obj.type->name ? v->u.obj.type->name : "struct";
    case TMPL_FUNC:
        return "func";
    }
    return "?";
}

int tmpl_plain(struct tmpl_value *v, struct tmpl_value **out, struct err *e)
{
    *out = NULL;
    if (v && v->kind == TMPL_OBJECT && v->u.obj.type->convert) {
        int rc = v->u.obj.type->convert(v->u.obj.ptr, out, e);
        if (rc == 0 && *out == NULL)
            *out = tmpl_null();
        return rc;
    }
    *out = v ? tmpl_ref(v) : tmpl_null();
    return 0;
}

int tmpl_value_print(struct tmpl_value *v, struct buf *out)
{
    int rc = 0;
    size_t i;
    if (v == NULL)
        return buf_puts(out, "<nil>");
    switch (v->kind) {
    case TMPL_NULL:
        return buf_puts(out, "<nil>");
    case TMPL_BOOL:
        return buf_puts(out, v->u.b ? "true" : "false");
    case TMPL_INT:
        return buf_printf(out, "%lld", (long long)v->u.i);
    case TMPL_FLOAT:
        return gofmt_float(out, v->u.f, 'g', -1);
    case TMPL_STRING:
        return buf_append(out, v->u.str.s, v->u.str.len);
    case TMPL_LIST:
        rc = buf_putc(out, '[');
        for (i = 0; rc == 0 && i < v->u.list.n; i++) {
            if (i > 0)
                rc = buf_putc(out, ' ');
            if (rc == 0)
                rc = tmpl_value_print(v->u.list.v[i], out);
        }
        return rc ? rc : buf_putc(out, ']');
    case TMPL_MAP:
        rc = buf_puts(out, "map[");
        for (i = 0; rc == 0 && i < v->u.map.n; i++) {
            if (i > 0)
                rc = buf_putc(out, ' ');
            if (rc == 0)
                rc = buf_puts(out, v->u.map.v[i].key);
            if (rc == 0)
                rc = buf_putc(out, ':');
            if (rc == 0)
                rc = tmpl_value_print(v->u.map.v[i].val, out);
        }
        return rc ? rc : buf_putc(out, ']');
    case TMPL_TIME:
        return gofmt_time(out, "2006-01-02 15:04:05.999999999 -0700 MST", v->u.time.sec,
                          v->u.time.nsec, v->u.time.offset, v->u.time.zone);
    case TMPL_DURATION:
        return gofmt_duration(out, v->u.dur_ns);
    case TMPL_OBJECT: {
        struct tmpl_value *p = NULL;
        if (v->u.obj.type->print)
            return v->u.obj.type->print(v->u.obj.ptr, out);
        if (v->u.obj.type->convert && tmpl_plain(v, &p, NULL) == 0 && p->kind != TMPL_OBJECT) {
            rc = tmpl_value_print(p, out);
            tmpl_unref(p);
            return rc;
        }
        tmpl_unref(p);
        return buf_printf(out, "{%s}", tmpl_type_name(v));
    }
    case TMPL_FUNC:
        return buf_printf(out, "func %s", v->u.func.name);
    }
    return 0;
}

struct struct_obj {
    const struct tmpl_struct_type *t;
    struct tmpl_value *v[];
};

struct tmpl_value *tmpl_struct(const struct tmpl_struct_type *t, struct tmpl_value **values)
{
    struct struct_obj *o = xcalloc(1, sizeof(*o) + (size_t)t->nfields * sizeof(o->v[0]));
    int i;
    o->t = t;
    for (i = 0; i < t->nfields; i++)
        o->v[i] = values[i] ? values[i] : tmpl_null();
    return tmpl_object(&t->obj, o);
}

struct tmpl_value *tmpl_struct_field(const struct tmpl_value *v, int i)
{
    const struct struct_obj *o;
    if (v == NULL || v->kind != TMPL_OBJECT || v->u.obj.type->get != tmpl_struct_get)
        return NULL;
    o = v->u.obj.ptr;
    return i >= 0 && i < o->t->nfields ? o->v[i] : NULL;
}

int tmpl_struct_get(void *ptr, const char *name, int argc, struct tmpl_value **argv,
                    struct tmpl_value **out, struct err *e)
{
    struct struct_obj *o = ptr;
    int i;
    (void)argv;
    for (i = 0; i < o->t->nfields; i++) {
        if (strcmp(o->t->fields[i], name) == 0) {
            if (argc > 0)
                return err_set(e, ERR_INVALID, "%s has arguments but cannot be invoked as function",
                               name);
            *out = tmpl_ref(o->v[i]);
            return 0;
        }
    }
    return ERR_NOTFOUND;
}

void tmpl_struct_free(void *ptr)
{
    struct struct_obj *o = ptr;
    int i;
    for (i = 0; i < o->t->nfields; i++)
        tmpl_unref(o->v[i]);
    xfree(o);
}

int tmpl_struct_print(void *ptr, struct buf *out)
{
    struct struct_obj *o = ptr;
    int i, rc = 0;
    if (o->t->obj.name && o->t->obj.name[0] == '*')
        rc = buf_putc(out, '&'); /* fmt prints a pointer to a struct as &{...} */
    if (rc == 0)
        rc = buf_putc(out, '{');
    for (i = 0; rc == 0 && i < o->t->nfields; i++) {
        if (i > 0)
            rc = buf_putc(out, ' ');
        if (rc == 0)
            rc = tmpl_value_print(o->v[i], out);
    }
    return rc ? rc : buf_putc(out, '}');
}
