/* SPDX-License-Identifier: Apache-2.0 */
/* The query API's label/series lookups backed by the in-memory window. */
#ifndef TOCSIN_EVALUATOR_API_INDEX_TSDB_H
#define TOCSIN_EVALUATOR_API_INDEX_TSDB_H

#include "evaluator/api/query_api.h"

struct tsdb;

/* Returns the lookups for db (borrowed; must outlive the API). */
struct query_api_index index_tsdb(struct tsdb *db);

#endif
