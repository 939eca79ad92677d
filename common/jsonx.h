/* SPDX-License-Identifier: Apache-2.0 */
/* Small jansson helpers: parsing with positions, capped compact output, Prometheus envelopes. */
#ifndef TOCSIN_COMMON_JSONX_H
#define TOCSIN_COMMON_JSONX_H

#include <jansson.h>
#include <stddef.h>

struct buf;
struct err;

/*
 * Parses exactly one JSON value from s (n bytes; NUL bytes inside are an error) into *out
 * (caller json_decref; NULL on error). ERR_PARSE with line and column in e on bad JSON.
 * Thread: any.
 */
int jsonx_parse(const char *s, size_t n, json_t **out, struct err *e);

/* Appends the compact serialization of j (any type) to out. ERR_TOOBIG at out's cap. */
int jsonx_dump(const json_t *j, struct buf *out);

/* {"status":"success","data":data}; data is taken (may be NULL for null). Caller decrefs. */
json_t *jsonx_prom_success(json_t *data);

/* {"status":"error","errorType":error_type,"error":msg}, as the Prometheus HTTP API answers. */
json_t *jsonx_prom_error(const char *error_type, const char *msg);

/* obj[key] when obj is an object and the member is a string; else NULL. Borrowed. */
const char *jsonx_get_string(const json_t *obj, const char *key);

#endif
