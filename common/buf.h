/* SPDX-License-Identifier: Apache-2.0 */
/* Capped dynamic byte buffers: anything sized by a peer or a file grows through one of these. */
#ifndef TOCSIN_COMMON_BUF_H
#define TOCSIN_COMMON_BUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

/*
 * A growable buffer with a hard limit. data is always NUL-terminated (the terminator is not
 * counted in len) so text can be used directly. Growing past max returns ERR_TOOBIG and leaves
 * the contents unchanged.
 */
struct buf {
    char *data; /* owned; NULL until the first append */
    size_t len;
    size_t cap;
    size_t max; /* 0 means unlimited (only for data we produce ourselves) */
};

void buf_init(struct buf *b, size_t max);
void buf_fini(struct buf *b);  /* frees data; b may be reused after buf_init */
void buf_reset(struct buf *b); /* len = 0, keeps memory */
int buf_reserve(struct buf *b, size_t extra);
int buf_append(struct buf *b, const void *p, size_t n);
int buf_puts(struct buf *b, const char *s);
int buf_putc(struct buf *b, char c);
int buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int buf_vprintf(struct buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
/* Appends s as a JSON string literal with quotes and escapes. */
int buf_put_json_string(struct buf *b, const char *s, size_t n);
/* Appends s as a Prometheus/Go quoted string ("..." with \\ \" \n escapes). */
int buf_put_quoted(struct buf *b, const char *s, size_t n);
/* Hands the data to the caller (caller frees; never NULL) and resets b to empty. */
char *buf_steal(struct buf *b, size_t *len);
/* Returns data, or "" when nothing was appended yet. Borrowed. */
const char *buf_str(const struct buf *b);

#endif
