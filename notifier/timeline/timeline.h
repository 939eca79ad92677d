/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Incident timelines: events (JSON objects with "t" in ns and "type") appended durably in the
 * store namespace STORE_NS_TIMELINE under "<incident id>/<16-digit sequence>", read back in
 * order. Single-threaded (the store's thread).
 */
#ifndef TOCSIN_NOTIFIER_TIMELINE_TIMELINE_H
#define TOCSIN_NOTIFIER_TIMELINE_TIMELINE_H

#include <jansson.h>
#include <stdint.h>

struct store;

/* How long timeline entries are kept in the store after they are written. */
#define TIMELINE_RETENTION_NS (90LL * 24 * 3600 * 1000000000LL)

/*
 * Stages event ev (borrowed) as entry seq of incident id in s (the caller commits). Returns 0
 * or the store's error (ERR_TOOBIG). s may be NULL (no-op).
 */
int timeline_stage(struct store *s, const char *id, uint64_t seq, const json_t *ev);

/* The committed events of incident id in sequence order (new JSON array; caller decrefs). */
json_t *timeline_load(const struct store *s, const char *id);

/* One-line human description of an event ("acknowledged by alice"); caller frees. */
char *timeline_describe(const json_t *ev);

#endif
