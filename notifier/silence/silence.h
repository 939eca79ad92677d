/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Silences with Alertmanager 0.25 semantics: objects, validation, state (pending / active /
 * expired), a thread-safe store (set with update-or-replace rules, expire, get, list, filter,
 * mutes, garbage collection after a retention) and the API v2 JSON shape (jansson).
 */
#ifndef TOCSIN_NOTIFIER_SILENCE_H
#define TOCSIN_NOTIFIER_SILENCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct err;
struct labels;
struct matchers;
struct matcher;
struct json_t;

#define SILENCE_ID_LEN               36
#define SILENCE_DEFAULT_RETENTION_MS (120LL * 3600 * 1000)

enum silence_state { SILENCE_PENDING = 0, SILENCE_ACTIVE = 1, SILENCE_EXPIRED = 2 };

struct silence_matcher {
    char *name, *value;
    bool is_regex, is_equal;
    struct matcher *m; /* compiled (owned) */
};

struct silence {
    char id[SILENCE_ID_LEN + 1]; /* "" for a silence not stored yet */
    struct silence_matcher *matchers;
    size_t nmatchers;
    int64_t starts_at_ms, ends_at_ms, updated_at_ms;
    char *created_by, *comment;
};

/* "pending", "active", "expired". */
const char *silence_state_str(enum silence_state st);
/* Pending when now < startsAt, expired when now > endsAt, else active. */
enum silence_state silence_state_at(const struct silence *s, int64_t now_ms);

/* Empty silence (caller frees). */
struct silence *silence_new(void);
void silence_free(struct silence *s);
struct silence *silence_dup(const struct silence *s);
/* Adds a matcher (copies strings, compiles). ERR_INVALID for a bad label name or regex. */
int silence_add_matcher(struct silence *s, const char *name, const char *value, bool is_regex,
                        bool is_equal, struct err *e);

/*
 * Alertmanager's validateSilence (without the id/updatedAt checks): at least one matcher,
 * valid names and regexes, not all matchers matching the empty string, non-zero times, endsAt
 * not before startsAt. Messages as Alertmanager's.
 */
int silence_validate(const struct silence *s, struct err *e);
/*
 * The checks POST /api/v2/silences makes before storing (Alertmanager 0.25's API handler):
 * startsAt must be before endsAt ("Failed to create silence: start time must be before end
 * time") and endsAt not before now ("Failed to create silence: end time can't be in the past").
 * ERR_INVALID (HTTP 400) with that message.
 */
int silence_check_post(const struct silence *s, int64_t now_ms, struct err *e);
/* True when every matcher of s matches ls (missing label = ""). */
bool silence_matches(const struct silence *s, const struct labels *ls);
/* API filter: every filter matcher has a silence matcher of the same name whose value it
 * matches. */
bool silence_matches_filter(const struct silence *s, const struct matchers *filter);

/*
 * JSON (API v2). silence_to_json builds a gettableSilence (id, status.state at now, updatedAt,
 * comment, createdBy, endsAt, matchers {isEqual, isRegex, name, value}, startsAt) in that key
 * order; caller json_decref's. silence_from_json accepts postable or gettable silences (id
 * optional; status and updatedAt read when present); required: matchers, startsAt, endsAt,
 * createdBy, comment. Errors are ERR_INVALID with an API-style message.
 */
struct json_t *silence_to_json(const struct silence *s, int64_t now_ms);
int silence_from_json(const struct json_t *j, struct silence **out, struct err *e);
/* Text helpers over the two above (caller frees the string / silence). */
char *silence_format_json(const struct silence *s, int64_t now_ms);
int silence_parse_json(const char *text, size_t n, struct silence **out, struct err *e);

struct silence_store;

/* retention_ms: how long expired silences are kept (<= 0 means the 120h default). */
struct silence_store *silence_store_new(int64_t retention_ms);
void silence_store_free(struct silence_store *st);

/*
 * Creates or updates (Alertmanager's Silences.Set). s is copied. With an empty id a new
 * silence is created. With an id: ERR_NOTFOUND when unknown; updated in place when the
 * matchers are unchanged and (active: same startsAt, endsAt not in the past; pending: new
 * startsAt not in the past); otherwise the old one is expired (unless already expired) and a
 * new id is created. New silences get startsAt clamped to now. out_id (>= 37 bytes) receives
 * the resulting id. Validation errors are ERR_INVALID "silence invalid: ...". Thread-safe.
 */
int silence_store_set(struct silence_store *st, const struct silence *s, int64_t now_ms,
                      char *out_id, struct err *e);
/* Expires id: active → endsAt = now; pending → startsAt = endsAt = now. ERR_NOTFOUND
 * ("silence not found"), ERR_INVALID when already expired. */
int silence_store_expire(struct silence_store *st, const char *id, int64_t now_ms, struct err *e);
/* Copy of silence id (caller frees) or ERR_NOTFOUND. */
int silence_store_get(struct silence_store *st, const char *id, struct silence **out,
                      struct err *e);
/*
 * Copies of all silences passing filter (NULL = all), sorted as the API lists them: active by
 * endsAt, then pending by startsAt, then expired by endsAt descending. *out is an array of
 * owned silences (free each and the array with silence_list_free). Returns the count.
 */
size_t silence_store_list(struct silence_store *st, int64_t now_ms, const struct matchers *filter,
                          struct silence ***out);
void silence_list_free(struct silence **v, size_t n);
/* IDs (owned strings, array owned; free with silence_ids_free) of active silences muting ls,
 * sorted. Returns the count. */
size_t silence_store_mutes(struct silence_store *st, const struct labels *ls, int64_t now_ms,
                           char ***ids);
void silence_ids_free(char **ids, size_t n);
/* Drops silences whose endsAt + retention <= now. Returns how many. */
size_t silence_store_gc(struct silence_store *st, int64_t now_ms);
size_t silence_store_count(struct silence_store *st);
/* Inserts s as-is (restore from persistence; s must have an id and validate). */
int silence_store_restore(struct silence_store *st, const struct silence *s, struct err *e);

/* Writes a random UUID v4 (36 chars + NUL) into out. */
void silence_uuid4(char *out);

#endif
