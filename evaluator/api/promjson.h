/* SPDX-License-Identifier: Apache-2.0 */
/*
 * JSON in the exact shape of Prometheus's HTTP API (v1): query results, errors, label and series
 * lists, and the parameter parsing rules (times, durations) the API uses.
 */
#ifndef TOCSIN_EVALUATOR_API_PROMJSON_H
#define TOCSIN_EVALUATOR_API_PROMJSON_H

#include <stdint.h>

struct buf;
struct err;
struct labels;
struct promql_result;

/* errorType values and the HTTP status Prometheus pairs with each. */
#define PROMAPI_BAD_DATA    "bad_data"    /* 400 */
#define PROMAPI_EXECUTION   "execution"   /* 422 */
#define PROMAPI_TIMEOUT     "timeout"     /* 503 */
#define PROMAPI_CANCELED    "canceled"    /* 503 */
#define PROMAPI_INTERNAL    "internal"    /* 500 */
#define PROMAPI_NOT_FOUND   "not_found"   /* 404 */
#define PROMAPI_UNAVAILABLE "unavailable" /* 503 */

/* HTTP status for an errorType. */
int promjson_error_status(const char *error_type);

/* Appends a sample value as Prometheus writes it: a JSON string, 'f' format, or 'e' format when
 * |v| < 1e-6 or >= 1e21, "NaN", "+Inf", "-Inf". */
void promjson_value(double v, struct buf *out);
/* Appends a timestamp (ms) as Prometheus writes it: seconds, then .mmm when not whole. */
void promjson_time(int64_t ms, struct buf *out);
/* Appends {"name":"value",...} in label order. */
void promjson_labels(const struct labels *ls, struct buf *out);

/* Appends {"status":"success","data":{"resultType":...,"result":...}[,"warnings":[...]]
 * [,"infos":[...]]} for a query result. */
void promjson_query_result(const struct promql_result *r, struct buf *out);
/* Appends {"status":"error","errorType":type,"error":msg}. */
void promjson_error(const char *error_type, const char *msg, struct buf *out);
/* Appends {"status":"success","data":<data_json>} where data_json is already JSON text. */
void promjson_success_raw(const char *data_json, struct buf *out);

/* Parses an API time parameter (RFC 3339 or Unix seconds with fraction) into ms. The error
 * message names the parameter: invalid parameter "time": cannot parse "x" to a valid timestamp */
int promapi_parse_time(const char *param, const char *s, int64_t *ms, struct err *e);
/* Parses a duration parameter (Prometheus duration or float seconds) into ms (> 0 not checked). */
int promapi_parse_duration(const char *param, const char *s, int64_t *ms, struct err *e);

#endif
