/* SPDX-License-Identifier: Apache-2.0 */
/* logfmt / JSON log records. */
#include "common/log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "common/buf.h"
#include "common/err.h"

static pthread_mutex_t log_mu = PTHREAD_MUTEX_INITIALIZER;
static enum log_level cur_level = LOG_INFO;
static enum log_format cur_fmt = LOG_FMT_LOGFMT;
static FILE *cur_stream = NULL;

static const char *level_names[] = {"debug", "info", "warn", "error"};

int log_level_parse(const char *s, enum log_level *out)
{
    for (int i = 0; i < 4; i++) {
        if (strcmp(s, level_names[i]) == 0) {
            *out = (enum log_level)i;
            return 0;
        }
    }
    return ERR_INVALID;
}

int log_format_parse(const char *s, enum log_format *out)
{
    if (strcmp(s, "logfmt") == 0)
        *out = LOG_FMT_LOGFMT;
    else if (strcmp(s, "json") == 0)
        *out = LOG_FMT_JSON;
    else
        return ERR_INVALID;
    return 0;
}

void log_setup(enum log_level level, enum log_format fmt, FILE *stream)
{
    pthread_mutex_lock(&log_mu);
    cur_level = level;
    cur_fmt = fmt;
    cur_stream = stream;
    pthread_mutex_unlock(&log_mu);
}

enum log_level log_get_level(void)
{
    return cur_level;
}

static bool needs_quote(const char *v)
{
    if (*v == '\0')
        return true;
    for (; *v; v++) {
        unsigned char c = (unsigned char)*v;
        if (c <= ' ' || c == '=' || c == '"' || c == '\\' || c >= 0x7f)
            return true;
    }
    return false;
}

static void put_field(struct buf *b, enum log_format fmt, bool first, const char *k, const char *v)
{
    if (v == NULL)
        v = "";
    if (fmt == LOG_FMT_JSON) {
        if (!first)
            buf_putc(b, ',');
        buf_put_json_string(b, k, strlen(k));
        buf_putc(b, ':');
        buf_put_json_string(b, v, strlen(v));
    } else {
        if (!first)
            buf_putc(b, ' ');
        buf_puts(b, k);
        buf_putc(b, '=');
        if (needs_quote(v))
            buf_put_quoted(b, v, strlen(v));
        else
            buf_puts(b, v);
    }
}

static void emit(enum log_level level, const char *msg, va_list ap)
{
    struct buf b;
    struct timeval tv;
    struct tm tm;
    char ts[64];
    const char *k, *v;
    FILE *out;

    if (level < cur_level)
        return;
    gettimeofday(&tv, NULL);
    gmtime_r(&tv.tv_sec, &tm);
    snprintf(ts, sizeof(ts), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(tv.tv_usec / 1000));
    buf_init(&b, 0);
    if (cur_fmt == LOG_FMT_JSON)
        buf_putc(&b, '{');
    put_field(&b, cur_fmt, true, "ts", ts);
    put_field(&b, cur_fmt, false, "level", level_names[level]);
    put_field(&b, cur_fmt, false, "msg", msg);
    while ((k = va_arg(ap, const char *)) != NULL) {
        v = va_arg(ap, const char *);
        put_field(&b, cur_fmt, false, k, v);
    }
    if (cur_fmt == LOG_FMT_JSON)
        buf_putc(&b, '}');
    buf_putc(&b, '\n');
    pthread_mutex_lock(&log_mu);
    out = cur_stream ? cur_stream : stderr;
    fwrite(b.data, 1, b.len, out);
    fflush(out);
    pthread_mutex_unlock(&log_mu);
    buf_fini(&b);
}

void log_kv(enum log_level level, const char *msg, ...)
{
    va_list ap;
    va_start(ap, msg);
    emit(level, msg, ap);
    va_end(ap);
}

static void emit_none(enum log_level level, const char *msg, ...)
{
    va_list ap;
    va_start(ap, msg);
    emit(level, msg, ap);
    va_end(ap);
}

void log_msgf(enum log_level level, const char *fmt, ...)
{
    char msg[2048];
    va_list ap;
    if (level < cur_level)
        return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    emit_none(level, msg, (const char *)NULL);
}
