/* SPDX-License-Identifier: Apache-2.0 */
/* POST /api/v1/write: the remote_write receiver route (Remote-Write 1.0 and 2.0). */
#ifndef TOCSIN_EVALUATOR_API_WRITE_API_H
#define TOCSIN_EVALUATOR_API_WRITE_API_H

#include "evaluator/ingest/ingest.h"

struct err;
struct httpd;
struct metrics_registry;
struct tsdb;
struct workq;

struct write_api {
    struct tsdb *db;                  /* borrowed */
    struct ingest_limits limits;      /* copied */
    struct workq *wq;                 /* borrowed; NULL decodes on the loop thread */
    struct metrics_registry *metrics; /* borrowed; may be NULL */
};

/* Registers POST /api/v1/write with a body limit of limits.max_body_bytes. api borrowed. */
int write_api_register(struct httpd *srv, struct write_api *api, struct err *e);

/* Registers collectors that export the window's statistics (head series, chunk bytes, WAL size,
 * samples and series ingested, rejections by reason) on every /metrics scrape. */
void write_api_register_metrics(struct write_api *api);

#endif
