/* SPDX-License-Identifier: Apache-2.0 */
/* Internals of struct tsdb shared by tsdb.c, replay.c and checkpoint.c. */
#ifndef TOCSIN_EVALUATOR_TSDB_TSDB_INT_H
#define TOCSIN_EVALUATOR_TSDB_TSDB_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "evaluator/tsdb/chunk.h"
#include "evaluator/tsdb/tsdb.h"

struct index;
struct wal;

#define TSDB_STRIPES 64

/*
 * One series. id, hash and ls never change while the series is alive; the map links change
 * under db->index_mu (write) with db->append_mu held; chunks and app are guarded by the stripe
 * lock db->stripes[id % TSDB_STRIPES]; logged by append_mu. refs: one for the maps plus one per
 * query holding it; the last unref frees it.
 */
struct series {
    uint64_t id;
    uint64_t hash;
    struct labels *ls;
    struct series *hnext, *inext;
    atomic_uint refs;
    bool logged;
    uint32_t nchunks, cap;
    struct chunk **chunks; /* oldest first; the last one is the head being appended to */
    struct chunk_app app;  /* encoder state of the head chunk */
};

struct series_map {
    struct series **b;
    size_t nb;
};

struct tsdb {
    struct tsdb_options opt;
    char *dir, *wal_dir;

    pthread_mutex_t append_mu; /* one writer: commits, gc, checkpoint snapshot, replay */
    pthread_rwlock_t index_mu; /* maps and index: read by queries, written with append_mu */
    pthread_mutex_t stripes[TSDB_STRIPES];
    pthread_mutex_t ckpt_mu; /* one checkpoint at a time */

    struct series_map by_hash, by_id;
    size_t nseries;
    struct index *ix;
    uint64_t next_id;
    bool ckpt_running; /* under append_mu: gc must not free chunks */
    struct wal *wal;
    uint64_t *alias_k, *alias_v; /* replay only: WAL id -> series id when labels repeat */
    size_t alias_n, alias_cap;

    pthread_t bg;
    bool bg_started, bg_stop;
    pthread_mutex_t bg_mu;
    pthread_cond_t bg_cond;

    _Atomic uint64_t series_created, series_removed, samples_appended, samples_in_mem;
    _Atomic uint64_t nchunks, chunk_bytes, chunk_alloc, labels_bytes;
    _Atomic uint64_t rejected[TSDB_REJECT_COUNT];
    _Atomic uint64_t wal_errors, checkpoints, checkpoint_errors;
    _Atomic uint64_t replay_records, replay_corruptions, replay_dropped;
};

/* Outcome of series_append beyond the reject reasons. */
#define TSDB_APPENDED     (-1)
#define TSDB_APPENDED_DUP (-2)

int64_t tsdb_now(struct tsdb *db);
int64_t tsdb_cutoff(struct tsdb *db, int64_t now);
static inline pthread_mutex_t *tsdb_stripe(struct tsdb *db, const struct series *s)
{
    return &db->stripes[s->id % TSDB_STRIPES];
}
/* Lookups; caller holds append_mu or index_mu. */
struct series *tsdb_get_by_labels(struct tsdb *db, const struct labels *ls, uint64_t hash);
struct series *tsdb_get_by_id(struct tsdb *db, uint64_t id);
/* Creates and indexes a series (append_mu held); takes ls. */
struct series *tsdb_series_create(struct tsdb *db, struct labels *ls, uint64_t id);
/* Appends one sample (stripe lock held). Returns TSDB_APPENDED, TSDB_APPENDED_DUP or a reason. */
int tsdb_series_append(struct tsdb *db, struct series *s, int64_t t, double v, int64_t cutoff);
/* Installs a restored chunk at the end of s (stripe lock held or single-threaded). */
void tsdb_series_add_chunk(struct tsdb *db, struct series *s, struct chunk *c,
                           const struct chunk_app *app);
void tsdb_series_unref(struct tsdb *db, struct series *s);

/* replay.c: loads checkpoint + WAL into db (single-threaded, at open). *last_seg gets the
 * highest segment number seen (0 when none). */
int tsdb_replay(struct tsdb *db, uint32_t *last_seg, struct err *e);
/* checkpoint.c */
int tsdb_checkpoint_load(struct tsdb *db, const char *path, struct err *e);
/* Name of the checkpoint covering segments <= seg: DIR/checkpoint.%08u */
char *tsdb_checkpoint_path(const char *dir, uint32_t seg);
/* Decodes a WAL record into db (replay and fuzzing). Returns 0 or ERR_CORRUPT. */
int tsdb_replay_record(struct tsdb *db, uint8_t type, const uint8_t *p, size_t n);

#endif
