/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Alert state persistence: every alert of every alerting rule (state, activeAt, firedAt,
 * resolvedAt, keepFiringSince, lastSentAt, validUntil, value, labels, annotations) in one JSON
 * file written atomically (temp file, fsync, rename, fsync of the directory), restored at start
 * so `for` and `keep_firing_for` survive a restart. See docs/rules.md.
 */
#ifndef TOCSIN_EVALUATOR_RULES_STATE_H
#define TOCSIN_EVALUATOR_RULES_STATE_H

#include <stddef.h>
#include <stdint.h>

struct err;
struct rule_group;

/* Default file name inside the storage directory. */
#define RULES_STATE_FILE "rules-state.json"

/*
 * Sum of the groups' state versions: it changes whenever an alert state changed. The caller
 * saves when this differs from the value at the last save. Thread-safe.
 */
uint64_t rules_state_version(struct rule_group *const *groups, size_t n);

/*
 * Writes the alert state of groups[0..n) to path atomically. now_ms is recorded in the file.
 * Returns 0, or ERR_IO with the system error in e (the old file is then left as it was).
 * Thread-safe with respect to evaluation (takes each group's lock while copying).
 */
int rules_state_save(struct rule_group *const *groups, size_t n, const char *path, int64_t now_ms,
                     struct err *e);

/*
 * Restores alerts saved by rules_state_save into groups[0..n) (before their first evaluation).
 * Rules are matched by file, group name, rule name and labels; saved alerts of rules that no
 * longer exist are dropped. A missing file is not an error (returns 0, *restored 0). A corrupt
 * file returns ERR_CORRUPT and restores nothing. *restored (may be NULL) gets the number of
 * alerts restored.
 */
int rules_state_restore(struct rule_group *const *groups, size_t n, const char *path,
                        size_t *restored, struct err *e);

#endif
