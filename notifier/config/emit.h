/* SPDX-License-Identifier: Apache-2.0 */
/* A tiny block-style YAML emitter (Go yaml.v2 layout) used by the config printer. */
#ifndef TOCSIN_NOTIFIER_CONFIG_EMIT_H
#define TOCSIN_NOTIFIER_CONFIG_EMIT_H

#include <stdbool.h>
#include <stddef.h>

struct buf;

/* Emitter state: the first error sticks in rc; inl means "right after a `- ` marker". */
struct emit {
    struct buf *b;
    int rc;
    bool inl;
};

void emit_init(struct emit *em, struct buf *b);
/* Starts a line at indent (or continues after "- "), writes "key:". */
void emit_key(struct emit *em, int indent, const char *key);
/* key: scalar (quoted when needed) */
void emit_kv(struct emit *em, int indent, const char *key, const char *value);
/* key: raw (no quoting; for numbers, booleans, durations) */
void emit_kv_raw(struct emit *em, int indent, const char *key, const char *raw);
/* Starts a sequence item "- " at indent; the next emit_key continues on the same line. */
void emit_item(struct emit *em, int indent);
/* key: followed by "- v" lines at the same indent; `key: []` when empty and always is set. */
void emit_strv(struct emit *em, int indent, const char *key, char *const *v, size_t n, bool always);
/* key: followed by "  k: v" lines. Nothing when n == 0. */
void emit_strmap(struct emit *em, int indent, const char *key, char *const *k, char *const *v,
                 size_t n);
/* Ends the current line. */
void emit_nl(struct emit *em);

#endif
