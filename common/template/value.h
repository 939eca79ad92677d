/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Dynamic values for the Go text/template engine: null, bool, int64, float64, string, list,
 * map (string keys, kept sorted), time, duration, opaque objects with a lookup callback, and
 * function values. Values are reference counted (not atomically: one thread at a time).
 */
#ifndef TOCSIN_COMMON_TEMPLATE_VALUE_H
#define TOCSIN_COMMON_TEMPLATE_VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct err;
struct buf;
struct tmpl_ctx;

enum tmpl_kind {
    TMPL_NULL = 0, /* Go's nil; a missing map key or field is also NULL */
    TMPL_BOOL,
    TMPL_INT,      /* int64 (Go int) */
    TMPL_FLOAT,    /* float64 */
    TMPL_STRING,   /* bytes, usually UTF-8; may contain NUL */
    TMPL_LIST,     /* []interface{} */
    TMPL_MAP,      /* map[string]... iterated in key order */
    TMPL_TIME,     /* time.Time: ns since epoch + fixed zone */
    TMPL_DURATION, /* time.Duration in ns */
    TMPL_OBJECT,   /* caller struct exposed through callbacks */
    TMPL_FUNC,     /* a function value (callable with the `call` builtin) */
};

struct tmpl_value;

/* Function callback shape shared by registered functions and function values. argv is borrowed;
 * on success *out must hold a new reference (never NULL). On failure return a negative ERR_*
 * with a message in e (the engine wraps it as `error calling NAME: MESSAGE`). */
typedef int (*tmpl_func_cb)(struct tmpl_ctx *ctx, int argc, struct tmpl_value **argv,
                            struct tmpl_value **out, struct err *e);

/*
 * Callbacks of an opaque object. get resolves `.Name` (argc 0) or a method call `.Name a b`
 * (argc > 0, argv borrowed); it returns ERR_NOTFOUND (no message needed) when the object has no
 * such field or method, else 0 with a new reference in *out. convert (optional) returns the
 * plain value used for printing, len, index, range and comparisons. free (optional) releases ptr
 * when the last reference goes. print (optional) is the object's String() for output.
 */
struct tmpl_object_type {
    const char *name; /* Go-like type name for error messages, e.g. "template.Alert" */
    int (*get)(void *ptr, const char *name, int argc, struct tmpl_value **argv,
               struct tmpl_value **out, struct err *e);
    int (*convert)(void *ptr, struct tmpl_value **out, struct err *e);
    void (*free)(void *ptr);
    /* optional: Go's String() method, used by print, %v and %s */
    int (*print)(void *ptr, struct buf *out);
};

struct tmpl_map_entry {
    char *key; /* owned */
    struct tmpl_value *val;
};

struct tmpl_value {
    enum tmpl_kind kind;
    unsigned refs;
    union {
        bool b;
        int64_t i;
        double f;
        int64_t dur_ns;
        struct {
            char *s; /* owned, NUL-terminated */
            size_t len;
        } str;
        struct {
            struct tmpl_value **v;
            size_t n, cap;
        } list;
        struct {
            struct tmpl_map_entry *v; /* sorted by key (bytewise) */
            size_t n, cap;
            enum tmpl_kind elem; /* element type for zero values (missingkey=zero, index) */
        } map;
        struct {
            int64_t ns;     /* since the Unix epoch */
            int32_t offset; /* seconds east of UTC */
            char zone[16];  /* "UTC", "CET", "" for a numeric zone */
        } time;
        struct {
            const struct tmpl_object_type *type;
            void *ptr;
        } obj;
        struct {
            tmpl_func_cb fn;
            void *user;
            char *name; /* owned */
        } func;
    } u;
};

/* Constructors: each returns a new reference (refs == 1). Never NULL (abort on OOM). */
struct tmpl_value *tmpl_null(void);
struct tmpl_value *tmpl_bool(bool b);
struct tmpl_value *tmpl_int(int64_t i);
struct tmpl_value *tmpl_float(double f);
struct tmpl_value *tmpl_string(const char *s);             /* copies s */
struct tmpl_value *tmpl_string_n(const char *s, size_t n); /* copies n bytes */
struct tmpl_value *tmpl_string_take(char *s, size_t n);    /* takes ownership of heap s */
struct tmpl_value *tmpl_list(void);
/* elem: the Go element type of the map (TMPL_STRING for map[string]string) or TMPL_NULL. */
struct tmpl_value *tmpl_map(enum tmpl_kind elem);
/* ns since the epoch in a fixed zone (offset seconds east of UTC, zone name may be NULL). */
struct tmpl_value *tmpl_time(int64_t ns, int32_t offset, const char *zone);
struct tmpl_value *tmpl_duration(int64_t ns);
/* ptr is handed over: type->free(ptr) runs when the last reference goes. type is borrowed and
 * must be static. */
struct tmpl_value *tmpl_object(const struct tmpl_object_type *type, void *ptr);
struct tmpl_value *tmpl_func_value(const char *name, tmpl_func_cb fn, void *user);

/* Adds a reference; returns v. v may be NULL. */
struct tmpl_value *tmpl_ref(struct tmpl_value *v);
/* Drops a reference; frees at zero. v may be NULL. */
void tmpl_unref(struct tmpl_value *v);

/* Appends to a list, taking the reference to item. */
void tmpl_list_push(struct tmpl_value *list, struct tmpl_value *item);
/* Sets key in a map (replacing an old value), copying key and taking the reference to val. */
void tmpl_map_set(struct tmpl_value *map, const char *key, struct tmpl_value *val);
/* Convenience: sets key to a new string value. */
void tmpl_map_set_str(struct tmpl_value *map, const char *key, const char *val);
/* Borrowed lookup, NULL when absent. */
struct tmpl_value *tmpl_map_get(const struct tmpl_value *map, const char *key);

/* Go's truth: false, 0, nil, empty string/list/map are false; everything else true. */
bool tmpl_truth(const struct tmpl_value *v);
/* Go type name used in messages: "int", "float64", "string", "[]interface {}", ... */
const char *tmpl_type_name(const struct tmpl_value *v);

/* Returns a new reference to the plain form of v: objects with a convert callback are
 * converted, everything else is returned as is (ref added). */
int tmpl_plain(struct tmpl_value *v, struct tmpl_value **out, struct err *e);

/* Appends fmt's %v form of v ("<nil>" for NULL / TMPL_NULL). Fails only when out is full. */
int tmpl_value_print(struct tmpl_value *v, struct buf *out);

#endif
