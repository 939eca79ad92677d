/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Label matchers (=, !=, =~, !~) with Prometheus regex semantics: fully anchored, RE2 syntax,
 * '.' matches newline, compiled with PCRE2 (JIT when available). Also the text form
 * {a="b", c=~"d"} parser shared by the CLI, the notifier and tests.
 */
#ifndef TOCSIN_COMMON_MATCHER_H
#define TOCSIN_COMMON_MATCHER_H

#include <stdbool.h>
#include <stddef.h>

struct err;
struct buf;
struct labels;

enum match_type { MATCH_EQ = 0, MATCH_NEQ = 1, MATCH_RE = 2, MATCH_NRE = 3 };

struct regex; /* compiled, immutable, shareable across threads */

struct matcher {
    enum match_type type;
    char *name;       /* owned */
    char *value;      /* owned: the literal, or the regex source */
    struct regex *re; /* owned; NULL for = and != */
};

/*
 * Compiles a Prometheus regex (anchored on both ends). On error returns ERR_INVALID with a
 * message naming the position: "error parsing regexp: ... at position N". Caller frees.
 */
int regex_compile(const char *pattern, struct regex **out, struct err *e);
void regex_free(struct regex *re);
/* Full-string match of s[0..n). Thread-safe. */
bool regex_match(const struct regex *re, const char *s, size_t n);
/* Finds the first (unanchored) match of the original pattern in s starting at offset; sets
 * [*so, *eo) and capture groups in caps (pairs, up to ncaps pairs, -1 when unset). Returns the
 * number of pairs filled, 0 when no match. Used by label_replace and template reReplaceAll. */
int regex_search(const struct regex *re, const char *s, size_t n, size_t offset, long *caps,
                 int ncaps);
/* Number of capture groups of the pattern. */
int regex_groups(const struct regex *re);

/* Creates a matcher; copies name and value. ERR_INVALID for a bad regex. Caller frees. */
int matcher_new(enum match_type type, const char *name, const char *value, struct matcher **out,
                struct err *e);
void matcher_free(struct matcher *m);
/* True when value (NULL = label absent = "") satisfies m. */
bool matcher_matches(const struct matcher *m, const char *value);
/* True when m matches the empty string (so it also selects series without the label). */
bool matcher_matches_empty(const struct matcher *m);
/* Applies m to ls's label m->name. */
bool matcher_matches_labels(const struct matcher *m, const struct labels *ls);
/* "=", "!=", "=~", "!~" */
const char *match_type_str(enum match_type t);
/* Appends name="value" (op per type) to out. */
int matcher_format(const struct matcher *m, struct buf *out);

/* A list of matchers as produced by matchers_parse. */
struct matchers {
    struct matcher **v;
    size_t n;
};

/*
 * Parses "{a="b", c=~'d.*'}" or the same without braces: comma-separated name op value with
 * values quoted by ", ' or ` (Go escapes) and names legacy or double-quoted. Errors give the
 * 1-based column. Caller frees with matchers_fini.
 */
int matchers_parse(const char *s, struct matchers *out, struct err *e);
void matchers_fini(struct matchers *ms);
/* True when every matcher matches ls. */
bool matchers_match(const struct matchers *ms, const struct labels *ls);

/*
 * Unquotes a Go/PromQL string literal at s (starting with its quote char) of at most n bytes.
 * On success *consumed is the literal's length and the value is appended to out.
 */
int string_unquote(const char *s, size_t n, size_t *consumed, struct buf *out, struct err *e);

#endif
