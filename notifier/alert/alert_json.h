/* SPDX-License-Identifier: Apache-2.0 */
/*
 * JSON forms of alerts: the body of POST /api/v2/alerts (postableAlert[]), the answers of
 * GET /api/v2/alerts (gettableAlert) and /api/v2/alerts/groups (alertGroup), and the internal
 * record the store persists.
 */
#ifndef TOCSIN_NOTIFIER_ALERT_ALERT_JSON_H
#define TOCSIN_NOTIFIER_ALERT_ALERT_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct am_alert;
struct buf;
struct err;
struct labels;

/* Result of decoding a postable alerts body. */
struct am_postable_result {
    struct am_alert **alerts; /* owned array of owned valid alerts */
    size_t n;
    size_t n_invalid; /* alerts rejected by validation */
    char *errors;     /* NULL, or Alertmanager's "; "-joined validation messages (owned) */
};

/*
 * Decodes a POST /api/v2/alerts body (len bytes, need not be NUL-terminated) received at now
 * (ns), applying Alertmanager 0.25's rules: updated_at = now; missing/zero startsAt becomes
 * endsAt when set, else now; missing/zero endsAt becomes now + resolve_timeout (ns) with the
 * timeout flag; labels with empty values are removed; each alert is validated ("start time must
 * be before end time", "invalid label set: invalid name \"x\"", "at least one label pair
 * required", "invalid annotations: ...") and invalid ones are reported in out->errors while
 * valid ones are still returned (the API then answers 400 with the errors as a JSON string).
 * Returns 0 when the body had the right shape (out filled; free with am_postable_result_fini),
 * or ERR_INVALID for a malformed body with *http_status set to 400 (not JSON / wrong types) or
 * 422 (schema: missing labels) and the message in e; out is then empty. Any thread.
 */
int am_alerts_decode_postable(const char *body, size_t len, int64_t now, int64_t resolve_timeout,
                              struct am_postable_result *out, int *http_status, struct err *e);
void am_postable_result_fini(struct am_postable_result *r);

/* What the API shows about an alert besides the alert itself. */
enum am_alert_state {
    AM_STATE_UNPROCESSED,
    AM_STATE_ACTIVE,
    AM_STATE_SUPPRESSED,
};
struct am_alert_status {
    enum am_alert_state state;
    const char *const *silenced_by; /* silence ids, borrowed */
    size_t n_silenced;
    const char *const *inhibited_by; /* fingerprints (16 hex), borrowed */
    size_t n_inhibited;
};

/* Name of a state as the API prints it ("active", "suppressed", "unprocessed"). */
const char *am_alert_state_name(enum am_alert_state s);

/* Appends one gettableAlert object (compact, Alertmanager's key order, API time format) with
 * the given receiver names (borrowed). Returns 0 or ERR_TOOBIG from b's cap. */
int am_alert_encode_gettable(struct buf *b, const struct am_alert *a, const char *const *receivers,
                             size_t n_receivers, const struct am_alert_status *st);

/* Appends one alertGroup object: {"alerts":[...],"labels":{...},"receiver":{"name":...}}.
 * statuses[i] and receivers_per_alert[i] / n_receivers_per_alert[i] describe alerts[i]. */
int am_alert_group_encode(struct buf *b, const struct labels *group_labels, const char *receiver,
                          const struct am_alert *const *alerts,
                          const struct am_alert_status *statuses,
                          const char *const *const *receivers_per_alert,
                          const size_t *n_receivers_per_alert, size_t n);

/* Internal persistent form (exact ns times and the timeout flag). Returns 0 or ERR_TOOBIG. */
int am_alert_encode_record(struct buf *b, const struct am_alert *a);
/* Inverse of am_alert_encode_record; *out is a new alert (caller frees). ERR_CORRUPT when the
 * bytes are not a valid record. */
int am_alert_decode_record(const char *data, size_t len, struct am_alert **out, struct err *e);

#endif
