/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The rule manager: the set of groups loaded from the rule files, reloads that keep alert state,
 * the scheduler tick over all groups, state-file persistence and API snapshots. This is what the
 * evaluator daemon drives.
 *
 * Threads: rules_manager_load, rules_manager_tick and rules_manager_save_state are called from
 * one thread (the rule thread); rules_manager_snapshot may be called from any thread.
 */
#ifndef TOCSIN_EVALUATOR_RULES_MANAGER_H
#define TOCSIN_EVALUATOR_RULES_MANAGER_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "evaluator/rules/group.h"
#include "evaluator/rules/rulefile.h"

struct err;

struct rules_manager {
    struct rule_group_opts opts; /* copied at creation; groups point at it */
    struct rule_group **groups;  /* in file order, then group order */
    size_t ngroups;
    char *state_path;       /* NULL: no persistence */
    uint64_t saved_version; /* rules_state_version at the last save */
    bool restored;          /* the state file was read (first successful load) */
    pthread_mutex_t mu;     /* guards the groups array (not the groups' contents) */
};

/*
 * Creates a manager. opts is copied (its pointers stay borrowed). state_path (copied, may be
 * NULL) is the alert state file, e.g. "<storage dir>/rules-state.json".
 */
struct rules_manager *rules_manager_new(const struct rule_group_opts *opts, const char *state_path);
/* Writes the state one last time (when it changed) and frees everything. NULL ok. */
void rules_manager_free(struct rules_manager *m);

/*
 * Loads files[0..n) (already glob-expanded, e.g. by evcfg_rule_files). All or nothing: when a
 * file is invalid, every problem is appended to errs, ERR_INVALID is returned and the running
 * groups stay untouched. On success the new groups replace the old ones; alert state and
 * counters of unchanged groups/rules carry over (rule_group_copy_state); series of removed
 * rules get staleness markers at now_ms. The first successful load restores the state file.
 */
int rules_manager_load(struct rules_manager *m, char *const *files, size_t n,
                       const struct rule_parse_opts *po, int64_t now_ms, struct rule_errors *errs,
                       struct err *e);

/*
 * Runs every group that is due at now_ms (rule_group_tick), then saves the state file when an
 * alert changed. Returns the earliest time (ms) a group is due next (INT64_MAX with no groups):
 * arm a timer for it.
 */
int64_t rules_manager_tick(struct rules_manager *m, int64_t now_ms);

/* Saves the state file now if the alert state changed since the last save (or force). */
int rules_manager_save_state(struct rules_manager *m, int64_t now_ms, bool force, struct err *e);

/* Snapshots of every group (caller frees with rules_manager_snapshot_free). */
void rules_manager_snapshot(struct rules_manager *m, struct rule_group_status **out, size_t *n);
void rules_manager_snapshot_free(struct rule_group_status *s, size_t n);

#endif
