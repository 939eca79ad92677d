/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A thin layer over libyaml's document API for the evaluator's files (rule files, the evaluator
 * config, promtool unit-test files): line:column for every node, merge keys (<<), duplicate-key
 * and unknown-key errors, and Go-yaml-like typed getters with Go-yaml-like messages.
 */
#ifndef TOCSIN_EVALUATOR_CONFIG_YDOC_H
#define TOCSIN_EVALUATOR_CONFIG_YDOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <yaml.h>

struct err;

/* One loaded YAML document. Nodes are borrowed pointers into it. */
struct ydoc {
    yaml_document_t doc;
    bool loaded;
    bool empty;       /* the stream held no document at all */
    bool more_docs;   /* another document follows the first one */
    const char *file; /* borrowed; used in error positions */
};

/* A key/value pair of a mapping after merge keys are resolved. */
struct ydoc_pair {
    yaml_node_t *key;
    yaml_node_t *value;
};

/*
 * Parses the first document of data[0..len) into d (caller calls ydoc_fini). file (borrowed,
 * may be NULL) prefixes error positions. A syntax error returns ERR_PARSE with e->line/column.
 * Whether further documents follow is recorded in d->more_docs (they are not parsed).
 */
int ydoc_load(struct ydoc *d, const char *data, size_t len, const char *file, struct err *e);
void ydoc_fini(struct ydoc *d);

/* Root node or NULL when the document is empty. */
yaml_node_t *ydoc_root(struct ydoc *d);

/* 1-based line and column of a node. */
int ydoc_line(const yaml_node_t *n);
int ydoc_col(const yaml_node_t *n);

/* True for a plain scalar null ("", "~", "null", "Null", "NULL") or a NULL pointer. */
bool ydoc_is_null(const yaml_node_t *n);

/*
 * Resolves a mapping's pairs with merge keys (explicit keys win, then merged maps in order).
 * *out is an xmalloc'd array the caller frees. Duplicate explicit keys are an error
 * ("mapping key \"x\" already defined at line N"). A non-mapping node is an error naming the
 * Go type name `what` ("cannot unmarshal !!seq into rulefmt.RuleGroup"). A null node gives 0 pairs.
 */
int ydoc_map_pairs(struct ydoc *d, yaml_node_t *n, const char *what, struct ydoc_pair **out,
                   size_t *nout, struct err *e);

/*
 * Checks that every key of pairs is in the NULL-terminated list known; the first unknown key is
 * an error "field K not found in type WHAT" at the key's position (unless ignore_unknown).
 */
int ydoc_check_keys(struct ydoc *d, const struct ydoc_pair *pairs, size_t n,
                    const char *const *known, const char *what, bool ignore_unknown, struct err *e);

/* Value node for key in pairs, or NULL. */
yaml_node_t *ydoc_pairs_get(const struct ydoc_pair *pairs, size_t n, const char *key);

/* Scalar text (borrowed, NUL-terminated) or NULL when n is not a scalar. */
const char *ydoc_scalar(const yaml_node_t *n);

/*
 * Typed getters. All accept a NULL or null node and then leave *out as the zero value (""
 * for strings). Type mismatches are errors at the node: "cannot unmarshal !!seq into string".
 */
int ydoc_get_str(struct ydoc *d, yaml_node_t *n, const char **out, struct err *e);
int ydoc_get_int(struct ydoc *d, yaml_node_t *n, long long *out, struct err *e);
int ydoc_get_bool(struct ydoc *d, yaml_node_t *n, bool *out, struct err *e);
int ydoc_get_float(struct ydoc *d, yaml_node_t *n, double *out, struct err *e);
/* Prometheus model.Duration ("5m", "1h30m"); *out in milliseconds. */
int ydoc_get_duration(struct ydoc *d, yaml_node_t *n, int64_t *out, struct err *e);

/* Sequence items: *items borrowed pointers into the document (n==NULL or null: 0 items). */
int ydoc_seq(struct ydoc *d, yaml_node_t *n, const char *what, yaml_node_t ***items, size_t *nitems,
             struct err *e);

/* Records an error at node n (file from d) and returns code. */
int ydoc_error(const struct ydoc *d, const yaml_node_t *n, struct err *e, int code, const char *fmt,
               ...) __attribute__((format(printf, 5, 6)));

/* Go yaml tag name for a node kind: "!!map", "!!seq", "!!str", "!!int", ... */
const char *ydoc_tag_name(const yaml_node_t *n);

#endif
