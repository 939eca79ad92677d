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

/* Allocates an object with defaults applied and parses n into it (null node: defaults only,
 * check still runs). Caller frees with cf_free. */
int cf_parse_new(const struct cf_desc *d, const struct yamlx_node *n, void **out, struct err *e);
/* Parses n into an existing object (already initialised). */
int cf_parse_into(const struct cf_desc *d, const struct yamlx_node *n, void *obj, struct err *e);
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
