/* SPDX-License-Identifier: Apache-2.0 */
/*
 * yamlx: a small libyaml wrapper shared by every config parser. Loads YAML into a tree of
 * map/seq/scalar nodes that remember file:line:column, with strict map readers (unknown and
 * duplicate keys are errors) and typed getters whose errors carry the node position.
 */
#ifndef TOCSIN_COMMON_YAMLX_H
#define TOCSIN_COMMON_YAMLX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct err;
struct buf;

enum yamlx_kind { YAMLX_SCALAR = 0, YAMLX_SEQ = 1, YAMLX_MAP = 2 };

/*
 * One node. Maps store their pairs flat: kids[2*i] is a key, kids[2*i+1] its value, n is the
 * number of pairs. Sequences store items in kids[0..n). Scalars have str/len. Every node lives
 * in the document's arena and is immutable once loaded.
 */
struct yamlx_node {
    enum yamlx_kind kind;
    int line, col;    /* 1-based */
    const char *file; /* borrowed from the document ("<string>" for strings) */
    const char *str;  /* scalars: NUL-terminated value (may contain NULs; use len) */
    size_t len;
    bool plain;      /* scalar written without quotes (so `null`, `~`, `` may mean null) */
    const char *tag; /* explicit tag ("!!str") or NULL */
    struct yamlx_node **kids;
    size_t n;
};

/* Limits applied while loading; yamlx_limits_default() fills sane values. */
struct yamlx_limits {
    size_t max_bytes; /* input size (default 16 MiB) */
    size_t max_nodes; /* nodes after alias expansion (default 1,000,000) */
    int max_depth;    /* nesting depth (default 128) */
};

struct yamlx_doc; /* owns all nodes of every document of one input */

void yamlx_limits_default(struct yamlx_limits *l);

/*
 * Parses text[0..n) (any number of YAML documents). file is the name used in positions (copied;
 * NULL means "<string>"). limits may be NULL for the defaults. On success *out is the loaded
 * stream (caller frees with yamlx_doc_free); an empty input yields zero documents. Errors:
 * ERR_PARSE with position, ERR_TOOBIG when a limit is hit. Thread-safe (no shared state).
 */
int yamlx_load_string(const char *text, size_t n, const char *file,
                      const struct yamlx_limits *limits, struct yamlx_doc **out, struct err *e);
/* Reads and parses a file (ERR_IO when it cannot be read). */
int yamlx_load_file(const char *path, const struct yamlx_limits *limits, struct yamlx_doc **out,
                    struct err *e);
void yamlx_doc_free(struct yamlx_doc *d);
/* Number of documents and the root of document i (NULL when out of range or empty doc). */
size_t yamlx_doc_count(const struct yamlx_doc *d);
const struct yamlx_node *yamlx_doc_root(const struct yamlx_doc *d, size_t i);
/* The file name given at load time. */
const char *yamlx_doc_file(const struct yamlx_doc *d);

/* True for a plain scalar "", "~", "null", "Null", "NULL" (or a missing node: n == NULL). */
bool yamlx_is_null(const struct yamlx_node *n);
/* Kind name for messages: "map", "sequence", "scalar". */
const char *yamlx_kind_str(enum yamlx_kind k);

/*
 * Records a positioned error for node n (may be NULL) in e: file/line/column from the node.
 * Returns code.
 */
int yamlx_error(struct err *e, const struct yamlx_node *n, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/*
 * Checks that n is a map (a null node counts as an empty map) whose keys are scalars, unique,
 * and all listed in allowed (NULL-terminated). what names the object in messages ("route").
 * Error message: "field bogus not found in route" / "key \"a\" already set in map".
 */
int yamlx_map_check(const struct yamlx_node *n, const char *const *allowed, const char *what,
                    struct err *e);
/* Value of key in map n, or NULL when absent (or n is not a map). */
const struct yamlx_node *yamlx_map_get(const struct yamlx_node *n, const char *key);
/* Key i and value i of a map. */
const struct yamlx_node *yamlx_map_key(const struct yamlx_node *n, size_t i);
const struct yamlx_node *yamlx_map_value(const struct yamlx_node *n, size_t i);

/*
 * Typed conversions of one node. A NULL/null node leaves *out untouched and returns 0 (the
 * caller's default stands), except where noted. Errors are ERR_INVALID with the node position
 * and a message naming what was expected ("cannot unmarshal !!seq into string").
 */
/* Scalar to an owned string copy (caller frees; null → *out unchanged). */
int yamlx_get_str(const struct yamlx_node *n, char **out, struct err *e);
/* YAML 1.1 booleans as Go yaml.v2 accepts them: true/false/yes/no/on/off/y/n (any case form). */
int yamlx_get_bool(const struct yamlx_node *n, bool *out, struct err *e);
/* Decimal (or 0x/0o/0b) integer, optional sign and '_' separators, range-checked. */
int yamlx_get_int(const struct yamlx_node *n, int64_t *out, struct err *e);
int yamlx_get_float(const struct yamlx_node *n, double *out, struct err *e);
/* Prometheus duration ("5m", "1h30m") into milliseconds. */
int yamlx_get_duration(const struct yamlx_node *n, int64_t *out, struct err *e);
/* Sequence of scalars into a NULL-terminated owned array (caller frees with yamlx_strv_free);
 * *count may be NULL. A null node gives *out unchanged. */
int yamlx_get_strv(const struct yamlx_node *n, char ***out, size_t *count, struct err *e);
void yamlx_strv_free(char **v);
size_t yamlx_strv_len(char *const *v);
/* Map of scalar → scalar into parallel NULL-terminated arrays keys/values (caller frees both
 * with yamlx_strv_free). Keys keep document order. */
int yamlx_get_strmap(const struct yamlx_node *n, char ***keys, char ***values, size_t *count,
                     struct err *e);

/*
 * Appends s as a YAML scalar the way Go's yaml.v2 writes strings: double-quoted when the plain
 * form would read back as something else (bool, null, number, base-60, timestamp) or holds
 * control characters, single-quoted when libyaml forbids plain style, plain otherwise.
 * _flow is the same inside a flow sequence ([a, b]), where more characters need quoting.
 */
int yamlx_put_scalar(struct buf *b, const char *s);
int yamlx_put_scalar_flow(struct buf *b, const char *s);

#endif
