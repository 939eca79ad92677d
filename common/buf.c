/* SPDX-License-Identifier: Apache-2.0 */
/* Capped dynamic byte buffers. */
#include "common/buf.h"

#include <stdio.h>
#include <string.h>

#include "common/err.h"
#include "common/xalloc.h"

void buf_init(struct buf *b, size_t max)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->max = max;
}

void buf_fini(struct buf *b)
{
    xfree(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

void buf_reset(struct buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

int buf_reserve(struct buf *b, size_t extra)
{
    size_t need, ncap;
    if (extra > (size_t)-1 / 2 - b->len)
        return ERR_TOOBIG;
    need = b->len + extra + 1;
    if (b->max != 0 && b->len + extra > b->max)
        return ERR_TOOBIG;
    if (need <= b->cap)
        return 0;
    ncap = b->cap ? b->cap : 64;
    while (ncap < need)
        ncap *= 2;
    if (b->max != 0 && ncap > b->max + 1)
        ncap = b->max + 1;
    b->data = xrealloc(b->data, ncap);
    b->cap = ncap;
    return 0;
}

int buf_append(struct buf *b, const void *p, size_t n)
{
    int rc;
    if ((rc = buf_reserve(b, n)) != 0)
        return rc;
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return 0;
}

int buf_puts(struct buf *b, const char *s)
{
    return buf_append(b, s, strlen(s));
}

int buf_putc(struct buf *b, char c)
{
    return buf_append(b, &c, 1);
}

int buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
    va_list ap2;
    int n, rc;
    va_copy(ap2, ap);
    n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        return ERR_INTERNAL;
    if ((rc = buf_reserve(b, (size_t)n)) != 0)
        return rc;
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
    return 0;
}

int buf_printf(struct buf *b, const char *fmt, ...)
{
    va_list ap;
    int rc;
    va_start(ap, fmt);
    rc = buf_vprintf(b, fmt, ap);
    va_end(ap);
    return rc;
}

int buf_put_json_string(struct buf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    int rc;
    size_t i, start = 0;
    if ((rc = buf_putc(b, '"')) != 0)
        return rc;
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        char esc[7];
        size_t elen = 0;
        if (c == '"' || c == '\\') {
            esc[0] = '\\';
            esc[1] = (char)c;
            elen = 2;
        } else if (c == '\n') {
            memcpy(esc, "\\n", 2);
            elen = 2;
        } else if (c == '\r') {
            memcpy(esc, "\\r", 2);
            elen = 2;
        } else if (c == '\t') {
            memcpy(esc, "\\t", 2);
            elen = 2;
        } else if (c < 0x20) {
            memcpy(esc, "\\u00", 4);
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 15];
            elen = 6;
        }
        if (elen) {
            if ((rc = buf_append(b, s + start, i - start)) != 0)
                return rc;
            if ((rc = buf_append(b, esc, elen)) != 0)
                return rc;
            start = i + 1;
        }
    }
    if ((rc = buf_append(b, s + start, n - start)) != 0)
        return rc;
    return buf_putc(b, '"');
}

int buf_put_quoted(struct buf *b, const char *s, size_t n)
{
    int rc;
    size_t i;
    if ((rc = buf_putc(b, '"')) != 0)
        return rc;
    for (i = 0; i < n; i++) {
        char c = s[i];
        if (c == '"' || c == '\\')
            rc = buf_printf(b, "\\%c", c);
        else if (c == '\n')
            rc = buf_puts(b, "\\n");
        else
            rc = buf_putc(b, c);
        if (rc != 0)
            return rc;
    }
    return buf_putc(b, '"');
}

char *buf_steal(struct buf *b, size_t *len)
{
    char *p = b->data;
    if (len)
        *len = b->len;
    if (p == NULL)
        p = xstrdup("");
    b->data = NULL;
    b->len = b->cap = 0;
    return p;
}

const char *buf_str(const struct buf *b)
{
    return b->data ? b->data : "";
}
