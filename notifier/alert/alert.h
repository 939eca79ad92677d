/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Alertmanager's alert model: identity (fingerprint), resolution, and the merge applied when an
 * alert is re-posted. Times are nanoseconds since the Unix epoch; 0 stands for Go's zero time.
 */
#ifndef TOCSIN_NOTIFIER_ALERT_ALERT_H
#define TOCSIN_NOTIFIER_ALERT_ALERT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct buf;
struct err;
struct label;
struct labels;

#define AM_NS_PER_MS  1000000LL
#define AM_NS_PER_SEC 1000000000LL

struct am_alert {
    struct labels *labels;      /* owned, sorted, no empty values */
    struct labels *annotations; /* owned */
    int64_t starts_at;          /* ns; 0 = zero time */
    int64_t ends_at;            /* ns; 0 = zero time (only inside a flush: "firing") */
    int64_t updated_at;         /* ns; time the alert was received */
    char *generator_url;        /* owned, never NULL ("" when absent) */
    bool timeout;               /* ends_at was defaulted to now + resolve_timeout */
    uint64_t fingerprint;       /* am_fingerprint(labels) */
};

/* A key/value set that, unlike labels_new, keeps empty values (annotations: Alertmanager strips
 * empty labels but keeps empty annotations). items need not be sorted; a later duplicate name
 * wins. Strings are copied. Caller frees with labels_free. */
struct labels *am_kv_new(const struct label *items, size_t n);

/* Alertmanager's fingerprint: FNV-1a 64 over the sorted labels, each "name 0xff value 0xff". */
uint64_t am_fingerprint(const struct labels *ls);
/* Writes fp as 16 lowercase hex digits into out (NUL-terminated). Returns out. */
const char *am_fingerprint_format(uint64_t fp, char out[17]);

/* New alert taking ownership of labels and annotations (annotations may be NULL = empty);
 * generator_url is copied (NULL = ""). Computes the fingerprint. Caller frees. */
struct am_alert *am_alert_new(struct labels *labels, struct labels *annotations,
                              const char *generator_url);
/* Deep copy; caller frees. */
struct am_alert *am_alert_dup(const struct am_alert *a);
void am_alert_free(struct am_alert *a);

/* Alertmanager's ResolvedAt: ends_at set and not after now. */
bool am_alert_resolved_at(const struct am_alert *a, int64_t now);

/*
 * types.Alert.Merge: returns a new alert (caller frees) combining a and b: the one with the later
 * updated_at wins for everything except that the earliest starts_at is kept and, when the winner
 * is resolved at now, a later resolve time of the other resolved copy wins; when the winner is
 * firing, a later non-timeout ends_at of the other copy wins.
 */
struct am_alert *am_alert_merge(const struct am_alert *a, const struct am_alert *b, int64_t now);
/* The memory provider's overlap rule: neu.ends_at in (old.starts_at, old.ends_at) or
 * neu.starts_at in (old.starts_at, old.ends_at). */
bool am_alert_overlaps(const struct am_alert *old, const struct am_alert *neu);
/* What the provider stores when neu is posted and old (may be NULL) is stored under the same
 * fingerprint: the merge when they overlap, else a copy of neu. Caller frees. */
struct am_alert *am_alert_put_merge(const struct am_alert *old, const struct am_alert *neu,
                                    int64_t now);

/*
 * Alertmanager.LabelSet.Before order used to sort notification alerts: fewer labels first, then
 * by the union of names in order (a missing name sorts first), then by value.
 */
bool am_labels_before(const struct labels *a, const struct labels *b);
/* types.AlertSlice order: by "job", then "instance" (present before absent), then labels. */
int am_alert_cmp_notify(const struct am_alert *a, const struct am_alert *b);

/* Appends s as a JSON string the way Go's encoding/json does (invalid UTF-8 becomes \ufffd,
 * U+2028/U+2029 escaped; with html, also < > & as \u003c \u003e \u0026). */
int am_json_put_string(struct buf *b, const char *s, size_t n, bool html);
/* Appends ls as a JSON object with sorted keys (Go map order). */
int am_json_put_labels(struct buf *b, const struct labels *ls, bool html);
/* Formats ns like Go's time.Time JSON (RFC 3339, nanoseconds, trailing zeros trimmed; 0 gives
 * "0001-01-01T00:00:00Z"). n >= 40. Returns out. */
const char *am_time_format_go(int64_t ns, char *out, size_t n);
/* Formats ns like go-openapi strfmt.DateTime (always 3 fraction digits, truncated). */
const char *am_time_format_api(int64_t ns, char *out, size_t n);
/* Parses an RFC 3339 time; Go's zero time ("0001-01-01T00:00:00Z", any zero fraction or
 * offset-free form) gives 0. ERR_INVALID (message in e) when malformed or outside the range of
 * int64 nanoseconds (years 1678..2261). */
int am_time_parse(const char *s, int64_t *ns, struct err *e);

#endif
