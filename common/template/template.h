/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A Go text/template engine: template sets (parse several texts, `define`/`block`/`template`),
 * execution against tmpl_value data with Go's semantics and error texts, a function registry
 * for caller functions, and output/recursion/iteration limits.
 *
 *   struct tmpl_funcs *f = tmpl_funcs_new();
 *   struct tmpl_set *s = tmpl_set_new(f);
 *   tmpl_set_parse(s, "x", "{{ .A | printf \"%05.1f\" }}", SIZE_MAX, &e);
 *   tmpl_set_execute(s, "x", data, NULL, &out, &e);
 *
 * Objects are not thread-safe; a parsed set may be executed by one thread at a time (callers
 * that share a set across threads serialize executions).
 *
 * Language: text, trim markers, comments, pipelines, variables (:= and =), $, fields, map keys,
 * methods of objects, parenthesized pipelines and chains, if/else if/else, range (lists, maps in
 * key order, ints, $i/$v, else, break, continue), with/else/else with, define/template/block,
 * all builtins, Go number/string/char literals. tmpl_exec_opts.html adds html/template-like
 * contextual escaping (htmlesc.h; JS and CSS contexts are approximations). Deliberate
 * differences from Go: range over channels/iterators does not exist; complex numbers are
 * rejected; recursion is bounded by tmpl_exec_opts.max_depth and a C-stack budget (Go allows
 * 100000 levels); parse nesting is limited to 500.
 */
#ifndef TOCSIN_COMMON_TEMPLATE_TEMPLATE_H
#define TOCSIN_COMMON_TEMPLATE_TEMPLATE_H

#include <stdbool.h>
#include <stddef.h>

#include "common/template/value.h"

struct buf;
struct err;
struct tmpl_funcs;
struct tmpl_set;
struct tmpl_ctx;

/* What `.key` on a map without that key yields (Go's Option("missingkey=...")). */
enum tmpl_missingkey {
    TMPL_MISSINGKEY_DEFAULT = 0, /* "no value": prints "<no value>" */
    TMPL_MISSINGKEY_ZERO,        /* the map element's zero value ("" for map[string]string) */
    TMPL_MISSINGKEY_ERROR,       /* execution error "map has no entry for key" */
};

struct tmpl_exec_opts {
    enum tmpl_missingkey missingkey;
    size_t max_output;   /* output cap in bytes; 0 means 1 MiB; hitting it fails with ERR_TOOBIG */
    int max_depth;       /* nested {{template}} calls; 0 means 1000 */
    long max_iterations; /* range iterations in one execution; 0 means 1,000,000 */
    void *user;          /* handed to functions through tmpl_ctx_exec_user() */
    bool html;           /* html/template-like contextual escaping of action output */
};

/* A registry of caller functions. Builtins (and, or, not, len, index, slice, print, printf,
 * println, html, js, urlquery, call, eq, ne, lt, le, gt, ge) are always available. */
struct tmpl_funcs *tmpl_funcs_new(void);
void tmpl_funcs_free(struct tmpl_funcs *f); /* NULL ok */
/*
 * Registers (or replaces) function name. min_args/max_args bound the argument count (max -1:
 * variadic); violations fail with Go's "wrong number of args for NAME: want N got M". user is
 * borrowed and reachable from the callback through tmpl_ctx_func_user().
 */
void tmpl_funcs_add(struct tmpl_funcs *f, const char *name, tmpl_func_cb fn, void *user,
                    int min_args, int max_args);

/* For callbacks: the user pointer given to tmpl_funcs_add for the function being called. */
void *tmpl_ctx_func_user(const struct tmpl_ctx *ctx);
/* For callbacks: tmpl_exec_opts.user of the running execution. */
void *tmpl_ctx_exec_user(const struct tmpl_ctx *ctx);
/* For callbacks: the output cap of the running execution (bound strings you build by it). */
size_t tmpl_ctx_max_output(const struct tmpl_ctx *ctx);

/* Argument helpers for callbacks; on a type mismatch they fail with ERR_INVALID and Go's
 * "wrong type for value; expected string; got int". */
int tmpl_arg_string(const struct tmpl_value *v, const char **s, size_t *n, struct err *e);
int tmpl_arg_int(const struct tmpl_value *v, int64_t *i, struct err *e);
/* Accepts int and float values. */
int tmpl_arg_number(const struct tmpl_value *v, double *f, struct err *e);
/* A list of strings (or a string-valued object converting to one) as a borrowed list. */
int tmpl_arg_list(const struct tmpl_value *v, struct tmpl_value **list, struct err *e);

/*
 * A set of named templates. funcs is borrowed (NULL: builtins only) and must outlive the set;
 * functions are resolved at parse time, as in Go.
 */
struct tmpl_set *tmpl_set_new(const struct tmpl_funcs *funcs);
/*
 * A set layered on parent (borrowed; must outlive the child): lookups fall back to parent, so
 * Alertmanager-style "execute this string against the loaded templates" can parse into the
 * child without changing parent.
 */
struct tmpl_set *tmpl_set_new_child(const struct tmpl_set *parent);
void tmpl_set_free(struct tmpl_set *set); /* NULL ok */

/*
 * Parses text (len bytes, or strlen(text) when len is SIZE_MAX) as template name, adding it
 * and every {{define}}/{{block}} in it to the set. As in Go, a later definition replaces an
 * earlier one unless the later body is empty (only whitespace). On error nothing is added and
 * e gets Go's message ("template: NAME:LINE: unexpected EOF"), code ERR_PARSE.
 */
int tmpl_set_parse(struct tmpl_set *set, const char *name, const char *text, size_t len,
                   struct err *e);
/* True when the set (or a parent) defines name. */
bool tmpl_set_defined(const struct tmpl_set *set, const char *name);

/*
 * Executes template name with dot = data (borrowed, NULL means nil) and appends the output to
 * out (output written before an error stays in out). opts may be NULL for defaults. Errors:
 * ERR_NOTFOUND (no such template), ERR_INVALID (execution error, Go's text in e, e.g.
 * `template: x:1:2: executing "x" at <.A.B>: ...`), ERR_TOOBIG / ERR_LIMIT (limits).
 */
int tmpl_set_execute(const struct tmpl_set *set, const char *name, struct tmpl_value *data,
                     const struct tmpl_exec_opts *opts, struct buf *out, struct err *e);

/*
 * Convenience: parses text into a fresh child of base (base may be NULL: funcs used alone)
 * under name and executes it. Returns like tmpl_set_parse / tmpl_set_execute.
 */
int tmpl_expand(const struct tmpl_set *base, const struct tmpl_funcs *funcs, const char *name,
                const char *text, struct tmpl_value *data, const struct tmpl_exec_opts *opts,
                struct buf *out, struct err *e);

/* Go's comparison builtins on two values, for callers that need the same rules:
 * returns 0 and *result, or ERR_INVALID ("incompatible types for comparison"). op is one of
 * "eq" "ne" "lt" "le" "gt" "ge". */
int tmpl_compare(const char *op, struct tmpl_value *a, struct tmpl_value *b, bool *result,
                 struct err *e);

#endif
