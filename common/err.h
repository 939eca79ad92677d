/* SPDX-License-Identifier: Apache-2.0 */
/* Error codes and the optional human-detail record every fallible function may fill. */
#ifndef TOCSIN_COMMON_ERR_H
#define TOCSIN_COMMON_ERR_H

#include <stdarg.h>

enum {
    ERR_OK = 0,
    ERR_INTERNAL = -1,     /* a bug or an impossible state */
    ERR_NOMEM = -2,        /* never returned by x* allocators (they abort) */
    ERR_INVALID = -3,      /* bad input from a user, a file or a peer */
    ERR_PARSE = -4,        /* syntax error; position in struct err */
    ERR_NOTFOUND = -5,     /* lookup failed */
    ERR_TOOBIG = -6,       /* a capped buffer or a configured limit was exceeded */
    ERR_IO = -7,           /* system call or file failure; errno text in message */
    ERR_TIMEOUT = -8,      /* a deadline passed */
    ERR_LIMIT = -9,        /* a query/resource limit was hit */
    ERR_UNSUPPORTED = -10, /* not implemented (clear "not implemented" to the user) */
    ERR_EXISTS = -11,      /* already exists */
    ERR_CANCELED = -12,    /* operation was canceled */
    ERR_CORRUPT = -13,     /* on-disk data failed a checksum or framing check */
};

/* Human detail for an error. Callers may pass NULL wherever a struct err * is taken. */
struct err {
    int code;       /* one of ERR_* */
    char file[256]; /* optional source file name ("" when not applicable) */
    int line;       /* 1-based, 0 when unknown */
    int column;     /* 1-based, 0 when unknown */
    char msg[1024]; /* message without file/line prefix */
};

/* Resets e (may be NULL) to "no error". */
void err_clear(struct err *e);

/*
 * Records code and a printf-style message in e (may be NULL) and returns code, so callers can
 * write `return err_set(e, ERR_INVALID, "bad %s", x);`. Keeps any file/line already set.
 */
int err_set(struct err *e, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int err_setv(struct err *e, int code, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

/* Like err_set and also records a position (file may be NULL). Returns code. */
int err_setpos(struct err *e, int code, const char *file, int line, int column, const char *fmt,
               ...) __attribute__((format(printf, 6, 7)));

/* Prefixes the message already in e with "prefix: " (printf-style). No-op when e is NULL. */
void err_prefix(struct err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * Formats e as "file:line:column: message" (parts that are unset are left out) into out (size
 * n, always NUL-terminated). Returns out.
 */
const char *err_format(const struct err *e, char *out, unsigned long n);

/* Static name for an error code ("invalid input", "parse error", ...). */
const char *err_str(int code);

#endif
