/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The notification log: per (group key, receiver, integration kind and index) the last successful
 * notification (time, hashes of the firing and of the resolved alerts), and Alertmanager's rule
 * deciding whether a flush must notify again. Optionally persisted through the store.
 */
#ifndef TOCSIN_NOTIFIER_DISPATCH_NFLOG_H
#define TOCSIN_NOTIFIER_DISPATCH_NFLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "notifier/store/kvmap.h"

struct err;
struct store;

struct nflog_entry {
    int64_t ts;      /* when the notification succeeded, ns */
    int64_t expires; /* ns; entry dropped after this */
    uint64_t *firing;
    size_t nf;
    uint64_t *resolved;
    size_t nr;
};

struct nflog {
    struct kvmap m;      /* key -> struct nflog_entry * */
    struct store *store; /* borrowed, may be NULL */
    int64_t retention;   /* ns; Alertmanager's --data.retention default 120h */
};

void nflog_init(struct nflog *l, struct store *store, int64_t retention);
void nflog_fini(struct nflog *l);
/* Loads the entries persisted in l->store (call once after nflog_init). Corrupt records are
 * skipped and counted in the return value (>= 0). */
int nflog_load(struct nflog *l);

/* Builds the key "group_key \x1f receiver \x1f kind \x1f index" (Alertmanager's nflog
 * receiver identity: name, integration kind, index among that kind). Caller frees. */
char *nflog_key(const char *group_key, const char *receiver, const char *kind, unsigned index,
                size_t *klen);
/* Entry for key or NULL (borrowed). */
const struct nflog_entry *nflog_query(const struct nflog *l, const char *key, size_t klen);
/*
 * Records a successful notification at now with the given alert hashes (copied), persisting
 * it when a store is attached (put + commit). Returns 0, or the store's error (the in-memory
 * entry is recorded anyway so this process does not repeat the page).
 */
int nflog_log(struct nflog *l, const char *key, size_t klen, const uint64_t *firing, size_t nf,
              const uint64_t *resolved, size_t nr, int64_t now, struct err *e);
/* Drops entries expired at now (in memory; the store drops them at its next snapshot). */
size_t nflog_gc(struct nflog *l, int64_t now);

/*
 * Alertmanager's DedupStage.needsUpdate: with no entry, notify iff something fires; notify
 * when a firing alert is not in the last firing set; with nothing firing, notify iff the last
 * notification had firing alerts; with send_resolved, notify when a resolved alert is not in
 * the last resolved set; else notify iff entry->ts < now - repeat.
 */
bool nflog_needs_update(const struct nflog_entry *entry, const uint64_t *firing, size_t nf,
                        const uint64_t *resolved, size_t nr, bool send_resolved, int64_t repeat,
                        int64_t now);

/* Serialised form used in the store (little-endian fixed fields). Caller frees *out. */
void nflog_entry_encode(const struct nflog_entry *en, char **out, size_t *len);
/* Returns a new entry (caller frees with nflog_entry_free) or NULL when malformed. */
struct nflog_entry *nflog_entry_decode(const char *data, size_t len);
void nflog_entry_free(struct nflog_entry *en);

#endif
