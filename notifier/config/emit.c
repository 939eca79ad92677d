/* SPDX-License-Identifier: Apache-2.0 */
/* Block-style YAML emitter for the redacted config printer. */
#include "notifier/config/emit.h"

#include <string.h>

#include "common/buf.h"
#include "common/labels.h"
#include "common/yamlx.h"

void emit_init(struct emit *em, struct buf *b)
{
    em->b = b;
    em->rc = 0;
    em->inl = false;
}

static void put(struct emit *em, const char *s)
{
    if (em->rc == 0)
        em->rc = buf_puts(em->b, s);
}

static void start(struct emit *em, int indent)
{
    if (em->inl) {
        em->inl = false;
        return;
    }
    for (int i = 0; i < indent && em->rc == 0; i++)
        em->rc = buf_putc(em->b, ' ');
}

void emit_key(struct emit *em, int indent, const char *key)
{
    start(em, indent);
    if (em->rc == 0)
        em->rc = yamlx_put_scalar(em->b, key);
    put(em, ":");
}

/* libyaml allows a literal block when no line has trailing spaces and nothing needs escaping. */
static bool literal_allowed(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    if (strchr(s, '\n') == NULL || !utf8_valid(s, strlen(s)))
        return false;
    for (; *p; p++) {
        if ((*p < 0x20 && *p != '\n') || *p == 0x7f)
            return false;
        if (*p == ' ' && (p[1] == '\n' || p[1] == 0))
            return false;
    }
    return true;
}

/* key: |- followed by the lines at indent + 2 (Go yaml.v2 writes multi-line strings so). */
static void emit_literal(struct emit *em, int indent, const char *value)
{
    size_t n = strlen(value), trail = 0;
    while (trail < n && value[n - 1 - trail] == '\n')
        trail++;
    put(em, " |");
    if (value[0] == ' ' || value[0] == '\n')
        put(em, "2");
    put(em, trail == 0 ? "-\n" : trail == 1 ? "\n" : "+\n");
    for (const char *line = value; *line;) {
        const char *nl = strchr(line, '\n');
        size_t len = nl ? (size_t)(nl - line) : strlen(line);
        if (len > 0)
            for (int i = 0; i < indent + 2 && em->rc == 0; i++)
                em->rc = buf_putc(em->b, ' ');
        if (em->rc == 0)
            em->rc = buf_append(em->b, line, len);
        put(em, "\n");
        if (nl == NULL)
            break;
        line = nl + 1;
    }
}

void emit_kv(struct emit *em, int indent, const char *key, const char *value)
{
    emit_key(em, indent, key);
    if (literal_allowed(value)) {
        emit_literal(em, indent, value);
        return;
    }
    put(em, " ");
    if (em->rc == 0)
        em->rc = yamlx_put_scalar(em->b, value);
    put(em, "\n");
}

void emit_kv_raw(struct emit *em, int indent, const char *key, const char *raw)
{
    emit_key(em, indent, key);
    put(em, " ");
    put(em, raw);
    put(em, "\n");
}

void emit_item(struct emit *em, int indent)
{
    start(em, indent);
    put(em, "- ");
    em->inl = true;
}

void emit_strv(struct emit *em, int indent, const char *key, char *const *v, size_t n, bool always)
{
    if (n == 0) {
        if (always)
            emit_kv_raw(em, indent, key, "[]");
        return;
    }
    emit_key(em, indent, key);
    put(em, "\n");
    for (size_t i = 0; i < n; i++) {
        start(em, indent);
        put(em, "- ");
        if (em->rc == 0)
            em->rc = yamlx_put_scalar(em->b, v[i]);
        put(em, "\n");
    }
}

void emit_strmap(struct emit *em, int indent, const char *key, char *const *k, char *const *v,
                 size_t n)
{
    if (n == 0)
        return;
    emit_key(em, indent, key);
    put(em, "\n");
    for (size_t i = 0; i < n; i++)
        emit_kv(em, indent + 2, k[i], v[i]);
}

void emit_nl(struct emit *em)
{
    put(em, "\n");
}
