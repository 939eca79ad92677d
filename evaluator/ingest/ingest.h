/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Remote-write receiver logic without HTTP: checks Content-Type/Content-Encoding, decompresses
 * snappy, decodes Remote-Write 1.0 (prometheus.WriteRequest) or 2.0
 * (io.prometheus.write.v2.Request), validates series and appends them to a struct tsdb, and
 * returns the HTTP status, message and counts the handler should send.
 */
#ifndef TOCSIN_EVALUATOR_INGEST_INGEST_H
#define TOCSIN_EVALUATOR_INGEST_INGEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct tsdb;

struct ingest_limits {
    size_t max_body_bytes;         /* compressed body; default 8 MiB (0 = the default) */
    size_t max_decompressed_bytes; /* snappy's declared length; default 32 MiB (0 = default) */
    size_t max_labels_per_series;  /* default 128; 0 = unlimited */
    size_t max_label_name_len;     /* bytes; default 1024; 0 = unlimited */
    size_t max_label_value_len;    /* bytes; default 16384; 0 = unlimited */
    uint64_t max_series;           /* series in the window; default 0 = unlimited */
};

/* Fills l with the defaults above. */
void ingest_limits_default(struct ingest_limits *l);

struct ingest_result {
    int status;        /* 204, 400, 413, 415 or 500 (retryable) */
    char message[640]; /* reason for a non-2xx status ("" on 204), for the response body */
    bool v2;           /* Remote-Write 2.0: send the X-Prometheus-Remote-Write-*-Written headers */
    uint64_t samples_written;    /* -> X-Prometheus-Remote-Write-Samples-Written */
    uint64_t histograms_written; /* -> X-Prometheus-Remote-Write-Histograms-Written (always 0) */
    uint64_t exemplars_written;  /* -> X-Prometheus-Remote-Write-Exemplars-Written (always 0) */
    uint64_t samples_rejected, histograms_rejected, exemplars_ignored;
    uint64_t series_created;
};

/*
 * Handles one remote-write request body. content_type and content_encoding are the header
 * values (NULL or "" when absent: 1.0 and snappy are assumed). Valid samples are stored even
 * when others are rejected (the status is then 400 naming the first problem). Outcomes:
 *   204 all stored; 400 malformed snappy/protobuf, invalid labels, out-of-order/duplicate/too-old
 *   samples, series limit, native histograms; 413 body or decompressed size over the limit;
 *   415 unknown Content-Type, proto or encoding; 500 the WAL write failed (retry).
 * limits may be NULL (defaults). body is borrowed. Any thread. Returns 0 for 2xx, else a
 * negative ERR_* matching the status (ERR_INVALID, ERR_TOOBIG, ERR_UNSUPPORTED, ERR_IO).
 */
int ingest_write(struct tsdb *db, const char *content_type, const char *content_encoding,
                 const void *body, size_t len, const struct ingest_limits *limits,
                 struct ingest_result *out);

#endif
