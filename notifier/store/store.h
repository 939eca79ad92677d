/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The notifier's durable store: namespaced key -> bytes tables (alerts, silences, notification
 * log, ...) kept in memory and persisted in <dir>/wal (append-only log of framed records) and
 * <dir>/snapshot (the compacted tables). Writes are staged with store_put/store_del and become
 * durable and visible together in store_commit, which returns only after write + fdatasync, so
 * a caller may acknowledge its client once commit returns 0. Format and fsync policy:
 * docs/notifier-storage.md. Single-threaded.
 */
#ifndef TOCSIN_NOTIFIER_STORE_STORE_H
#define TOCSIN_NOTIFIER_STORE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct err;

/* Namespaces (stable on disk; add new ones at the end, never renumber). */
enum store_ns {
    STORE_NS_ALERT = 1,      /* key: 16-hex fingerprint, value: am_alert_encode_record */
    STORE_NS_SILENCE = 2,    /* key: silence id, value: the silence module's JSON */
    STORE_NS_NFLOG = 3,      /* key: nflog key, value: nflog_entry_encode */
    STORE_NS_GROUP = 4,      /* key: group key, value: aggregation-group state (reserved) */
    STORE_NS_ESCALATION = 5, /* reserved: escalation timers */
    STORE_NS_TIMELINE = 6,   /* reserved: incident timelines */
    STORE_NS_COUNT = 32,     /* namespaces are 1..STORE_NS_COUNT-1 */
};

struct store_value {
    const char *data; /* owned by the store; NUL-terminated for convenience */
    size_t len;
    int64_t expires; /* ns since epoch; 0 = never. Dropped at the first snapshot after it. */
};

struct store_opts {
    bool fsync;                /* fdatasync on commit (default true; tests may turn it off) */
    size_t snapshot_wal_bytes; /* store_maybe_snapshot compacts past this WAL size (16 MiB) */
    size_t max_record;         /* largest accepted record (default 16 MiB) */
};

struct store;

/* Default options (fsync on, 16 MiB thresholds). */
void store_opts_default(struct store_opts *o);

/*
 * Opens (creating when missing) the store in dir, loads the snapshot and replays the WAL. A
 * torn or corrupt WAL tail is truncated at the last good record with a warning in the log and
 * replay goes on; a corrupt snapshot is an ERR_CORRUPT error (never a crash). o may be NULL.
 * *out is the new store (free with store_close).
 */
int store_open(const char *dir, const struct store_opts *o, struct store **out, struct err *e);
/* Closes files and frees memory (pending uncommitted writes are dropped). NULL is a no-op. */
void store_close(struct store *s);

/* Stages a put (copies key and value). Visible only after a successful store_commit.
 * ERR_INVALID for a bad namespace, ERR_TOOBIG past max_record. */
int store_put(struct store *s, unsigned ns, const char *key, size_t klen, const void *val,
              size_t vlen, int64_t expires);
/* Stages a delete of key (no error when absent). */
int store_del(struct store *s, unsigned ns, const char *key, size_t klen);
/* Writes the staged records to the WAL, fdatasyncs (when enabled), then applies them in memory.
 * On failure nothing staged is applied, the WAL is cut back to its previous size, and ERR_IO is
 * returned (the caller must not acknowledge). No-op returning 0 when nothing is staged. */
int store_commit(struct store *s, struct err *e);

/* Drops the staged, uncommitted writes. */
void store_discard(struct store *s);

/* Committed value or NULL (borrowed until the next commit/snapshot of that key). */
const struct store_value *store_get(const struct store *s, unsigned ns, const char *key,
                                    size_t klen);
/* Calls cb for every committed entry of ns (unspecified order; cb must not modify the store). */
void store_foreach(const struct store *s, unsigned ns,
                   void (*cb)(void *arg, const char *key, size_t klen, const struct store_value *v),
                   void *arg);
/* Number of committed entries in ns. */
size_t store_count(const struct store *s, unsigned ns);

/* Writes a new snapshot without the entries expired at now (write tmp, fsync, rename, fsync
 * dir) and starts an empty WAL. Staged, uncommitted writes are kept staged. */
int store_snapshot(struct store *s, int64_t now, struct err *e);
/* store_snapshot when the WAL has grown past opts.snapshot_wal_bytes; else 0. */
int store_maybe_snapshot(struct store *s, int64_t now, struct err *e);
/* Current WAL size in bytes. */
size_t store_wal_size(const struct store *s);

#endif
