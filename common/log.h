/* SPDX-License-Identifier: Apache-2.0 */
/* Structured logging: logfmt (default) or JSON lines on stderr, Prometheus-style levels. */
#ifndef TOCSIN_COMMON_LOG_H
#define TOCSIN_COMMON_LOG_H

#include <stdio.h>

enum log_level { LOG_DEBUG = 0, LOG_INFO = 1, LOG_WARN = 2, LOG_ERROR = 3 };
enum log_format { LOG_FMT_LOGFMT = 0, LOG_FMT_JSON = 1 };

/* Parses "debug|info|warn|error" / "logfmt|json". Return 0 or ERR_INVALID. */
int log_level_parse(const char *s, enum log_level *out);
int log_format_parse(const char *s, enum log_format *out);

/* Sets the process-wide level and format and the stream (NULL = stderr). Thread-safe. */
void log_setup(enum log_level level, enum log_format fmt, FILE *stream);
enum log_level log_get_level(void);

/*
 * Writes one record: ts, level, msg, then the NULL-terminated list of key/value string pairs
 * (values may be NULL, written as empty). Safe from any thread; records never interleave.
 *   log_kv(LOG_INFO, "listening", "address", addr, NULL);
 */
void log_kv(enum log_level level, const char *msg, ...) __attribute__((sentinel));

/* printf-style message with no extra fields. */
void log_msgf(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_debugf(...) log_msgf(LOG_DEBUG, __VA_ARGS__)
#define log_infof(...)  log_msgf(LOG_INFO, __VA_ARGS__)
#define log_warnf(...)  log_msgf(LOG_WARN, __VA_ARGS__)
#define log_errorf(...) log_msgf(LOG_ERROR, __VA_ARGS__)

#endif
