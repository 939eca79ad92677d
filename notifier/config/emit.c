/* SPDX-License-Identifier: Apache-2.0 */
/* Block-style YAML emitter for the redacted config printer. */
#include "notifier/config/emit.h"

#include "common/buf.h"
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

void emit_kv(struct emit *em, int indent, const char *key, const char *value)
{
    emit_key(em, indent, key);
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
