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

/* Marks on strings for HTML-mode execution (Go's html/template.HTML and URL types). */
enum { TMPL_SAFE_NONE = 0, TMPL_SAFE_HTML = 1, TMPL_SAFE_URL = 2 };

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
            int safe; /* TMPL_SAFE_*: set by safeHtml/safeUrl, honoured in HTML mode */
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
            int64_t sec;    /* since the Unix epoch (Go's zero time is TMPL_TIME_ZERO_SEC) */
            int32_t nsec;   /* 0..999999999 */
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
/* The same from seconds and nanoseconds (covers Go's zero time, year 1). */
struct tmpl_value *tmpl_time_sec(int64_t sec, int32_t nsec, int32_t offset, const char *zone);
/* Go's zero time.Time (0001-01-01 00:00:00 UTC), e.g. Alertmanager's EndsAt of firing alerts. */
#define TMPL_TIME_ZERO_SEC INT64_C(-62135596800)
struct tmpl_value *tmpl_duration(int64_t ns);
/* ptr is handed over: type->free(ptr) runs when the last reference goes. type is borrowed and
 * must be static. */
struct tmpl_value *tmpl_object(const struct tmpl_object_type *type, void *ptr);
struct tmpl_value *tmpl_func_value(const char *name, tmpl_func_cb fn, void *user);

/*
 * Go structs: a fixed list of named fields, printed like fmt's %v of a struct ("{a b c}"), with
 * Go's errors for unknown fields. Declare the type statically:
 *   static const char *const f[] = {"Name", "Value"};
 *   static const struct tmpl_struct_type pair = TMPL_STRUCT_TYPE("template.Pair", f, 2);
 */
struct tmpl_struct_type {
    struct tmpl_object_type obj; /* must be first */
    const char *const *fields;
    int nfields;
};
int tmpl_struct_get(void *ptr, const char *name, int argc, struct tmpl_value **argv,
                    struct tmpl_value **out, struct err *e);
void tmpl_struct_free(void *ptr);
int tmpl_struct_print(void *ptr, struct buf *out);
#define TMPL_STRUCT_TYPE(NAME, FIELDS, N)                                             \
    {                                                                                 \
        {NAME, tmpl_struct_get, NULL, tmpl_struct_free, tmpl_struct_print}, FIELDS, N \
    }
/* A struct value; takes the references in values (t->nfields entries, NULL means nil). */
struct tmpl_value *tmpl_struct(const struct tmpl_struct_type *t, struct tmpl_value **values);
/* Borrowed field i of a struct value made by tmpl_struct (NULL when out of range). */
struct tmpl_value *tmpl_struct_field(const struct tmpl_value *v, int i);

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
