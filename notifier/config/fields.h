/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Table-driven YAML objects for the notifier config: a descriptor lists an object's keys with
 * their C type and offset, and generic code parses (strictly), validates, copies, frees and
 * prints (secrets redacted) any such object. Internal to notifier/config.
 */
#ifndef TOCSIN_NOTIFIER_CONFIG_FIELDS_H
#define TOCSIN_NOTIFIER_CONFIG_FIELDS_H

#include <stdbool.h>
#include <stddef.h>

#include "common/err.h"

struct err;
struct emit;
struct yamlx_node;

enum cf_type {
    CF_STR,        /* char * */
    CF_SECRET,     /* char *, printed as <secret> */
    CF_URL,        /* char *, must be an http(s) URL with a host */
    CF_SECRET_URL, /* char *, URL, printed as <secret> */
    CF_HOSTPORT,   /* char *, "host:port" checked like Go's net.SplitHostPort */
    CF_BOOL,       /* bool */
    CF_TRIBOOL,    /* enum am_tribool */
    CF_INT,        /* int64_t */
    CF_DURATION,   /* int64_t ms, Prometheus duration syntax and printing */
    CF_GODURATION, /* int64_t ms, printed like Go's time.Duration ("1m0s") */
    CF_STRV,       /* struct am_strv */
    CF_STRMAP,     /* struct am_strmap */
    CF_OBJ,        /* void * to an object of desc sub */
    CF_OBJLIST,    /* struct am_list of objects of desc sub */
};

#define CF_ALWAYS 1u /* print even when zero/empty (Go fields without omitempty) */

struct cf_desc;

struct cf_field {
    const char *key;
    enum cf_type type;
    size_t off;
    const struct cf_desc *sub;
    unsigned flags;
};

struct cf_desc {
    const char *what;              /* for messages: "webhook config" */
    size_t size;                   /* sizeof the C struct */
    const struct cf_field *fields; /* terminated by {NULL} */
    void (*init)(void *obj);       /* defaults before parsing; may be NULL */
    /* Checks after parsing; n is the object's node for positions. May be NULL. */
    int (*check)(void *obj, const struct yamlx_node *n, struct err *e);
};

/*
 * Parse context reproducing Go yaml.v2's two kinds of errors: "type errors" (unknown or
 * duplicate keys, wrong YAML kinds, unparsable scalars) are collected and decoding goes on,
 * skipping the validation of the objects that contain them; any other error (a failed check,
 * a bad URL, regex or duration) stops everything at once, in document order. Once a whole
 * document has been decoded, the first collected type error is the one reported.
 */
struct cf_ctx {
    struct err *e;         /* where fatal errors go (may be NULL) */
    struct err first_soft; /* first type error */
    size_t nsoft;          /* number of type errors so far */
};

void cf_ctx_init(struct cf_ctx *cx, struct err *e);
/* Records a type error (message in t, already positioned). Always returns 0. */
int cf_soft(struct cf_ctx *cx, const struct err *t);
/* Records a type error at node n with a printf message. Returns 0. */
int cf_softf(struct cf_ctx *cx, const struct yamlx_node *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Copies the first type error into cx->e with "yaml: unmarshal errors: " in front and returns
 * ERR_INVALID, or returns 0 when there was none. */
int cf_soft_result(struct cf_ctx *cx);

/* Allocates an object with defaults applied and parses n into it (null node: defaults only,
 * check still runs). Returns 0 (object in *out, possibly with type errors recorded in cx) or a
 * fatal error (nothing allocated). Caller frees with cf_free. */
int cf_parse_new(const struct cf_desc *d, const struct yamlx_node *n, void **out,
                 struct cf_ctx *cx);
/* Parses n into an existing object (already initialised), keys in document order. */
int cf_parse_into(const struct cf_desc *d, const struct yamlx_node *n, void *obj,
                  struct cf_ctx *cx);
/* Deep copy. */
void *cf_dup(const struct cf_desc *d, const void *obj);
/* Frees the members of obj (not obj itself). */
void cf_fini(const struct cf_desc *d, void *obj);
void cf_free(const struct cf_desc *d, void *obj);
/* Emits obj's fields as block YAML at indent. Empty object as {} when em is inline. */
void cf_print(const struct cf_desc *d, const void *obj, struct emit *em, int indent);
/* Validates an http(s) URL like Alertmanager's parseURL (message into e, node for position). */
int cf_check_url(const char *s, const struct yamlx_node *n, struct err *e);
/* Validates host:port like Alertmanager's HostPort (empty is allowed). */
int cf_check_hostport(const char *s, const struct yamlx_node *n, struct err *e);
/* Formats ms like Go's time.Duration.String(). */
const char *cf_go_duration(long long ms, char *out, size_t n);

#endif
