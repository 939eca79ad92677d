/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Write-ahead log: numbered segment files (DIR/00000001, ...) of framed records
 *   u32 payload length (LE) | u32 CRC32C of type+payload (LE) | u8 type | payload
 * plus the framing reader used at replay, which stops at the first torn or corrupt record.
 * The writer is not thread-safe (struct tsdb serializes writes); wal_sync may run concurrently.
 */
#ifndef TOCSIN_EVALUATOR_TSDB_WAL_H
#define TOCSIN_EVALUATOR_TSDB_WAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct buf;
struct err;
struct wal;

#define WAL_HEADER_BYTES 9
#define WAL_MAX_RECORD   (256u << 20) /* larger lengths are treated as corruption */
#define WAL_REC_SERIES   1
#define WAL_REC_SAMPLES  2

/* CRC32C (Castagnoli) of p[0..n) continuing from crc (start with 0). */
uint32_t crc32c(uint32_t crc, const void *p, size_t n);

/* Appends one framed record to b (a buffer with max 0 or big enough). Returns 0 or ERR_TOOBIG. */
int wal_frame(struct buf *b, uint8_t type, const void *payload, size_t len);

/*
 * Creates dir when missing and opens a new segment numbered seg for writing (an existing file of
 * that number is truncated). seg_bytes: rotate once a segment is larger. Caller frees with
 * wal_close.
 */
int wal_open(const char *dir, uint32_t seg, size_t seg_bytes, struct wal **out, struct err *e);
/* Syncs and closes. NULL is a no-op. */
void wal_close(struct wal *w);
/*
 * Writes n bytes of framed records with write(2) (page cache: survives a process crash), then
 * fsync when sync is true. Rotates first when the segment is full. On failure the segment is cut
 * back to its previous length (or the next write starts a new segment) and ERR_IO is returned.
 */
int wal_write(struct wal *w, const void *p, size_t n, bool sync, struct err *e);
/* fsyncs the current segment when something was written since the last sync. Thread-safe with
 * respect to wal_write. */
int wal_sync(struct wal *w, struct err *e);
/* Closes the current segment (fsynced) and opens the next one. *closed gets the old number. */
int wal_rotate(struct wal *w, uint32_t *closed, struct err *e);
/* Number of the segment being written. */
uint32_t wal_segment(const struct wal *w);
/* Bytes written and fsync calls so far. */
uint64_t wal_bytes_written(const struct wal *w);
uint64_t wal_fsyncs(const struct wal *w);

/* Sorted segment numbers found in dir (missing dir = none). Caller frees *out. */
int wal_list_segments(const char *dir, uint32_t **out, size_t *n, struct err *e);
/* Deletes segments numbered <= upto. */
void wal_delete_segments(const char *dir, uint32_t upto);

/* Record callback for replay. Return 0, or negative when the payload is malformed (counted). */
typedef int (*wal_record_cb)(void *ctx, uint8_t type, const uint8_t *p, size_t n);

struct wal_read_result {
    size_t valid;        /* bytes of complete, checksummed records from the start */
    size_t records;      /* records passed to the callback */
    size_t bad_payloads; /* records whose callback returned an error */
    const char *problem; /* NULL when the data ended cleanly, else why reading stopped */
};

/* Reads framed records from data[0..len), calling cb for each, until the end or a torn/corrupt
 * record. Never reads out of bounds. */
void wal_read_buffer(const uint8_t *data, size_t len, wal_record_cb cb, void *ctx,
                     struct wal_read_result *res);

/*
 * Replays one segment file: reads it, calls cb per record, and when a torn or corrupt record is
 * found truncates the file there with a warning in the log. Returns 0, or ERR_IO when the file
 * cannot be read (also logged; replay should go on with the next segment).
 */
int wal_replay_file(const char *path, wal_record_cb cb, void *ctx, struct wal_read_result *res,
                    struct err *e);

#endif
