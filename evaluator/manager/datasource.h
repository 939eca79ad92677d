/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Rule queries against a remote PromQL HTTP API (Prometheus, Thanos, Mimir, VictoriaMetrics):
 * a rule_query_cb that POSTs /api/v1/query and converts the JSON answer, plus the HTTP client
 * settings shared with the alert and remote-write targets (auth, secrets files, TLS, headers).
 */
#ifndef TOCSIN_EVALUATOR_MANAGER_DATASOURCE_H
#define TOCSIN_EVALUATOR_MANAGER_DATASOURCE_H

#include <stddef.h>
#include <stdint.h>

#include "common/httpc.h"
#include "evaluator/rules/group.h"

struct err;
struct evcfg_auth;
struct evcfg_headers;
struct evcfg_tls;

/* Resolved HTTP client settings (secret files read). Everything owned. */
struct evhttp_client {
    char *bearer;                /* NULL: none */
    char *basic_user, *basic_pw; /* basic_user NULL: none */
    char **headers;              /* NULL-terminated "Name: value" list (auth types other
                                    than Bearer become an Authorization header here) */
    size_t nheaders;
    struct httpc_tls tls; /* strings borrowed from the config (kept alive by the caller) */
};

/*
 * Resolves auth (reading password_file / credentials_file, trailing whitespace trimmed), TLS and
 * headers into c. ERR_IO with the file name in e when a secrets file cannot be read.
 */
int evhttp_client_init(struct evhttp_client *c, const struct evcfg_auth *auth,
                       const struct evcfg_tls *tls, const struct evcfg_headers *headers,
                       struct err *e);
void evhttp_client_fini(struct evhttp_client *c);
/* Fills the auth, TLS and header fields of req from c (borrowed; headers array of c). */
void evhttp_client_apply(const struct evhttp_client *c, struct httpc_request *req);

struct evds {
    char *query_url; /* <url>/api/v1/query */
    int64_t timeout_ms;
    struct evhttp_client http;
};

/* Converts a /api/v1/query answer (body[0..n)) into out: vector samples with their labels and
 * times, a scalar as one sample without labels; strings, matrices and API errors are errors
 * with the remote message. Any thread. */
int evds_parse_result(const char *body, size_t n, struct rule_vector *out, struct err *e);

/*
 * A rule_query_cb: ctx is a struct evds. Blocking (httpc_do_sync): call it from a worker thread,
 * never from the loop thread. Errors: the transport's, a non-2xx status with the API error.
 */
int evds_query(void *ctx, const char *expr, int64_t ts_ms, struct rule_vector *out, struct err *e);

#endif
