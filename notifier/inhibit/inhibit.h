/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Inhibition with Alertmanager 0.25 semantics: per rule, a cache of firing alerts matching the
 * source matchers; a target alert is muted when some cached source alert that is not resolved
 * has equal values for every `equal` label (absent equals empty) and, when the target itself
 * also matches the source side, the source does not match the target side.
 */
#ifndef TOCSIN_NOTIFIER_INHIBIT_H
#define TOCSIN_NOTIFIER_INHIBIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct labels;
struct am_config;
struct inhibitor;

/* Creates an inhibitor for cfg's inhibit_rules (cfg borrowed; must outlive it). */
struct inhibitor *inhibitor_new(const struct am_config *cfg);
void inhibitor_free(struct inhibitor *ih);

/*
 * Records (or updates) alert fp with labels ls (copied) and end time ends_at_ms (0 = no end)
 * in the source cache of every rule whose source matchers it satisfies. Thread-safe.
 */
void inhibitor_put(struct inhibitor *ih, uint64_t fp, const struct labels *ls, int64_t ends_at_ms);
/* Drops alert fp from every cache (alert deleted from the store). Thread-safe. */
void inhibitor_remove(struct inhibitor *ih, uint64_t fp);
/* Drops cached alerts resolved at now_ms (ends_at <= now). Returns how many. Thread-safe. */
size_t inhibitor_gc(struct inhibitor *ih, int64_t now_ms);

/*
 * True when ls is inhibited at now_ms; *by_fp (may be NULL) receives the fingerprint of the
 * inhibiting source alert (Alertmanager reports the first one found). Thread-safe.
 */
bool inhibitor_mutes(struct inhibitor *ih, const struct labels *ls, int64_t now_ms,
                     uint64_t *by_fp);

#endif
