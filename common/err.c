/* SPDX-License-Identifier: Apache-2.0 */
/* Error records: codes, messages and positions. */
#include "common/err.h"

#include <stdio.h>
#include <string.h>

void err_clear(struct err *e)
{
    if (e == NULL)
        return;
    memset(e, 0, sizeof(*e));
}

int err_setv(struct err *e, int code, const char *fmt, va_list ap)
{
    if (e == NULL)
        return code;
    e->code = code;
    vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
    return code;
}

int err_set(struct err *e, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    err_setv(e, code, fmt, ap);
    va_end(ap);
    return code;
}

int err_setpos(struct err *e, int code, const char *file, int line, int column, const char *fmt,
               ...)
{
    va_list ap;
    if (e == NULL)
        return code;
    snprintf(e->file, sizeof(e->file), "%s", file ? file : "");
    e->line = line;
    e->column = column;
    va_start(ap, fmt);
    err_setv(e, code, fmt, ap);
    va_end(ap);
    return code;
}

void err_prefix(struct err *e, const char *fmt, ...)
{
    char pre[512], old[sizeof(e->msg)];
    va_list ap;
    if (e == NULL)
        return;
    va_start(ap, fmt);
    vsnprintf(pre, sizeof(pre), fmt, ap);
    va_end(ap);
    memcpy(old, e->msg, sizeof(old));
    {
        size_t pl = strlen(pre), ol = strlen(old);
        if (pl + 2 >= sizeof(e->msg))
            pl = sizeof(e->msg) - 3;
        memcpy(e->msg, pre, pl);
        memcpy(e->msg + pl, ": ", 2);
        if (ol > sizeof(e->msg) - pl - 3)
            ol = sizeof(e->msg) - pl - 3;
        memcpy(e->msg + pl + 2, old, ol);
        e->msg[pl + 2 + ol] = '\0';
    }
}

const char *err_format(const struct err *e, char *out, unsigned long n)
{
    int w = 0;
    if (n == 0)
        return out;
    out[0] = '\0';
    if (e == NULL)
        return out;
    if (e->file[0] != '\0' && e->line > 0 && e->column > 0)
        w = snprintf(out, n, "%s:%d:%d: ", e->file, e->line, e->column);
    else if (e->file[0] != '\0' && e->line > 0)
        w = snprintf(out, n, "%s:%d: ", e->file, e->line);
    else if (e->file[0] != '\0')
        w = snprintf(out, n, "%s: ", e->file);
    else if (e->line > 0)
        w = snprintf(out, n, "%d:%d: ", e->line, e->column);
    if (w < 0 || (unsigned long)w >= n)
        return out;
    snprintf(out + w, n - (unsigned long)w, "%s", e->msg[0] ? e->msg : err_str(e->code));
    return out;
}

const char *err_str(int code)
{
    switch (code) {
    case ERR_OK:
        return "ok";
    case ERR_INTERNAL:
        return "internal error";
    case ERR_NOMEM:
        return "out of memory";
    case ERR_INVALID:
        return "invalid input";
    case ERR_PARSE:
        return "parse error";
    case ERR_NOTFOUND:
        return "not found";
    case ERR_TOOBIG:
        return "too big";
    case ERR_IO:
        return "i/o error";
    case ERR_TIMEOUT:
        return "timeout";
    case ERR_LIMIT:
        return "limit exceeded";
    case ERR_UNSUPPORTED:
        return "not implemented";
    case ERR_EXISTS:
        return "already exists";
    case ERR_CANCELED:
        return "canceled";
    case ERR_CORRUPT:
        return "corrupt data";
    default:
        return "unknown error";
    }
}
