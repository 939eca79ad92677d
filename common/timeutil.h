/* SPDX-License-Identifier: Apache-2.0 */
/* Prometheus durations and timestamps (RFC 3339 and Unix float seconds), parsed and formatted. */
#ifndef TOCSIN_COMMON_TIMEUTIL_H
#define TOCSIN_COMMON_TIMEUTIL_H

#include <stddef.h>
#include <stdint.h>

struct err;

/* Milliseconds since the Unix epoch, the unit used everywhere for timestamps. */
int64_t time_now_ms(void);
/* Monotonic clock in milliseconds (for timers and deadlines, never for timestamps). */
int64_t time_mono_ms(void);

/*
 * Parses a Prometheus duration: one or more <int><unit> with units in order y w d h m s ms
 * (d = 24h, w = 7d, y = 365d), or a bare "0". *out is milliseconds. ERR_INVALID with a message
 * like Prometheus's ("not a valid duration string: \"x\"") on error; *out untouched then.
 */
int duration_parse(const char *s, int64_t *out, struct err *e);
/* Same but also accepts a leading '-' (PromQL offsets, test language). */
int duration_parse_signed(const char *s, int64_t *out, struct err *e);

/* Formats ms as Prometheus does ("1h30m", "0s", "1w", "250ms"). Returns out. n >= 32 suffices. */
const char *duration_format(int64_t ms, char *out, size_t n);

/*
 * Parses an RFC 3339 timestamp ("2026-11-23T11:36:56.568Z", offsets allowed, any fraction) or a
 * Unix time in (float) seconds ("1700000000.5") into *ms, as the Prometheus API accepts them.
 */
int timestamp_parse(const char *s, int64_t *ms, struct err *e);
/* Parses RFC 3339 only, keeping nanoseconds: *ns since the epoch. */
int timestamp_parse_rfc3339_ns(const char *s, int64_t *ns, struct err *e);

enum ts_style {
    TS_MILLI,     /* 2026-11-23T11:36:56.568Z, always three digits (Alertmanager, strfmt) */
    TS_NANO_TRIM, /* Go's RFC3339Nano: fraction with trailing zeros trimmed, none when zero */
};
/* Formats ms since the epoch in UTC. Returns out. n >= 40 suffices. */
const char *timestamp_format(int64_t ms, enum ts_style style, char *out, size_t n);
/* Formats ns since the epoch in UTC as RFC3339Nano with trailing zeros trimmed. */
const char *timestamp_format_ns(int64_t ns, char *out, size_t n);
/* Formats ms as Unix seconds the way the Prometheus API does (1700000000.5, no trailing zeros). */
const char *timestamp_format_unix(int64_t ms, char *out, size_t n);

#endif
