/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The evaluator's in-memory time-series window: series by label set, an inverted index,
 * Gorilla-compressed chunks, time-based retention, a write-ahead log with checkpoints, and the
 * PromQL storage interface. Appends and queries may run from different threads at once.
 */
#ifndef TOCSIN_EVALUATOR_TSDB_TSDB_H
#define TOCSIN_EVALUATOR_TSDB_TSDB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "evaluator/promql/storage.h"

struct err;
struct labels;
struct matcher;
struct tsdb;
struct tsdb_appender;

#define TSDB_DEFAULT_RETENTION_MS (6 * 3600 * 1000LL)

/* Why a sample (or a whole series' samples) was not stored. */
enum tsdb_reject {
    TSDB_REJECT_OUT_OF_ORDER = 0, /* older than the series' last sample */
    TSDB_REJECT_DUPLICATE,        /* same timestamp as the last sample, different value */
    TSDB_REJECT_TOO_OLD,          /* older than now - retention */
    TSDB_REJECT_SERIES_LIMIT,     /* would create a series beyond the limit */
    TSDB_REJECT_INVALID_LABELS,   /* counted by ingest: bad names/values, missing __name__ */
    TSDB_REJECT_LABEL_LIMITS,     /* counted by ingest: too many labels, too long */
    TSDB_REJECT_HISTOGRAM,        /* counted by ingest: native histograms not supported */
    TSDB_REJECT_COUNT
};

/* Static name ("out_of_order", "duplicate", ...) for metrics labels. */
const char *tsdb_reject_name(enum tsdb_reject r);

struct tsdb_options {
    const char *dir;                /* storage dir (WAL, checkpoints); NULL = memory only */
    int64_t retention_ms;           /* default 6h; 0 = keep everything (tests, fuzzing) */
    int fsync_interval_ms;          /* 0 = fsync on every commit; default 1000 (background) */
    int64_t checkpoint_interval_ms; /* background checkpoints; 0 = never; default 30 min */
    int64_t gc_interval_ms;         /* background retention; default 60 s */
    size_t wal_segment_bytes;       /* default 64 MiB */
    bool background;                /* start the fsync/gc/checkpoint thread (default true) */
    int64_t (*now_ms)(void *ctx);   /* clock for retention; NULL = wall clock */
    void *now_ctx;
};

/* Fills o with the defaults above (dir NULL). */
void tsdb_options_default(struct tsdb_options *o);

/*
 * Opens a window: when o->dir is set, creates it if needed, loads the latest checkpoint and
 * replays the WAL after it (torn or corrupt tails are truncated with a warning; expired data is
 * dropped), then starts a new WAL segment. Returns 0 or ERR_IO/ERR_INVALID with detail in e.
 * Caller frees with tsdb_close. o is copied (dir too).
 */
int tsdb_open(const struct tsdb_options *o, struct tsdb **out, struct err *e);

/* Stops the background thread, fsyncs and closes the WAL, frees everything. NULL is a no-op.
 * No other call may be running. */
void tsdb_close(struct tsdb *db);

/* ---- appending ---- */

/* Starts a write batch. Any thread; each appender is used by one thread. */
struct tsdb_appender *tsdb_appender_new(struct tsdb *db);
/* Discards the appender (and anything not committed). NULL is a no-op. */
void tsdb_appender_free(struct tsdb_appender *a);
/* Maximum number of series in the window; creating more is rejected (0 = unlimited). */
void tsdb_appender_set_max_series(struct tsdb_appender *a, uint64_t max_series);
/*
 * Queues n samples for the series ls (taken: the appender frees it; must be a valid, sorted set
 * from labels_new/labels_builder). t ascending is expected; anything else is rejected per sample
 * at commit.
 */
void tsdb_appender_add(struct tsdb_appender *a, struct labels *ls, const int64_t *t,
                       const double *v, size_t n);
/*
 * Like tsdb_appender_add but ls is borrowed until the commit returns (it is copied only when a
 * new series is created). ls must be sorted by name with unique names and no empty values; it
 * may point at strings owned by the caller (a view built over a decoded request).
 */
void tsdb_appender_add_ref(struct tsdb_appender *a, const struct labels *ls, const int64_t *t,
                           const double *v, size_t n);

struct tsdb_commit_result {
    uint64_t appended; /* samples stored (identical duplicates included) */
    uint64_t rejected; /* samples rejected, all reasons */
    uint64_t rejected_by[TSDB_REJECT_COUNT];
    uint64_t series_created;
    int first_reason;      /* enum tsdb_reject of the first rejection, -1 when none */
    char first_error[384]; /* e.g. out of order sample: {__name__="x"} t=5 (last t=9) */
};

/*
 * Validates and stores the queued samples: each one is stored or rejected (out of order,
 * duplicate with a different value, too old, series limit). The accepted ones are written to the
 * WAL first and stored in memory only when that succeeded. Returns 0 (see res for rejections),
 * or ERR_IO when the WAL write failed (retryable: nothing of the batch was stored, res->appended
 * is 0). The appender is empty afterwards and may be reused.
 */
int tsdb_appender_commit(struct tsdb_appender *a, struct tsdb_commit_result *res, struct err *e);

/* Adds n to the rejection counter r (for reasons found by callers such as ingest). */
void tsdb_count_rejected(struct tsdb *db, enum tsdb_reject r, uint64_t n);

/* ---- querying (any thread, concurrently with appends) ---- */

/*
 * Appends to out a copy of every series matching all matchers that has a sample in
 * [mint, maxt], with those samples, sorted by labels. Matches promql_storage.select.
 */
int tsdb_select(struct tsdb *db, const struct matcher *const *ms, size_t nms, int64_t mint,
                int64_t maxt, struct promql_series_set *out, struct err *e);

/* The PromQL storage handle for db (borrowed; valid while db is open). */
struct promql_storage tsdb_storage(struct tsdb *db);

/* A list of strings (owned). */
struct tsdb_strings {
    char **v;
    size_t n;
};
void tsdb_strings_fini(struct tsdb_strings *s);

/* A list of label sets (owned). */
struct tsdb_label_sets {
    struct labels **v;
    size_t n;
};
void tsdb_label_sets_fini(struct tsdb_label_sets *s);

/*
 * Sorted label names of the series matching ms (all series when nms == 0) whose time range
 * overlaps [mint, maxt] (INT64_MIN/INT64_MAX for all). out is filled (caller finis).
 */
int tsdb_label_names(struct tsdb *db, const struct matcher *const *ms, size_t nms, int64_t mint,
                     int64_t maxt, struct tsdb_strings *out, struct err *e);
/* Sorted values of label name, with the same filters. */
int tsdb_label_values(struct tsdb *db, const char *name, const struct matcher *const *ms,
                      size_t nms, int64_t mint, int64_t maxt, struct tsdb_strings *out,
                      struct err *e);
/* Label sets of the series matching ms (nms >= 1) overlapping [mint, maxt], sorted. */
int tsdb_series(struct tsdb *db, const struct matcher *const *ms, size_t nms, int64_t mint,
                int64_t maxt, struct tsdb_label_sets *out, struct err *e);

/* ---- maintenance (any thread; the background thread calls these when enabled) ---- */

/* Drops whole chunks older than now - retention and series left without chunks. */
void tsdb_gc(struct tsdb *db);
/* fsyncs the WAL if anything was written since the last sync. */
int tsdb_sync(struct tsdb *db, struct err *e);
/*
 * Writes a checkpoint (all series and chunks: temp file, fsync, rename) and deletes the WAL
 * segments it covers and older checkpoints. Appends continue while the file is written.
 */
int tsdb_checkpoint(struct tsdb *db, struct err *e);

struct tsdb_stats {
    uint64_t head_series;
    uint64_t series_created, series_removed;
    uint64_t samples_appended;  /* total stored since start (replay included) */
    uint64_t samples_in_memory; /* samples currently held in chunks */
    uint64_t chunks;
    uint64_t chunk_bytes;       /* compressed sample data */
    uint64_t chunk_alloc_bytes; /* allocations incl. chunk headers and head slack */
    double bytes_per_sample;    /* chunk_bytes / samples_in_memory */
    uint64_t labels_bytes, index_bytes;
    uint64_t rejected[TSDB_REJECT_COUNT];
    uint64_t wal_bytes, wal_fsyncs, wal_errors;
    uint64_t checkpoints, checkpoint_errors;
    uint64_t replay_records, replay_corruptions, replay_samples_dropped;
};

/* Snapshot of counters. Any thread. */
void tsdb_stats_get(struct tsdb *db, struct tsdb_stats *out);

#endif
