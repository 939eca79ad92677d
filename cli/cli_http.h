/* SPDX-License-Identifier: Apache-2.0 */
/* Blocking HTTP requests for the command line (libcurl easy interface) with JSON decoding. */
#ifndef TOCSIN_CLI_CLI_HTTP_H
#define TOCSIN_CLI_CLI_HTTP_H

#include <jansson.h>

struct err;

struct cli_http_opts {
    double timeout_s;         /* whole-request timeout; 0 = 30 s */
    const char *bearer_token; /* optional */
    const char *basic_user;   /* optional; with basic_pass */
    const char *basic_pass;
};

/*
 * Sends METHOD base_url+path (path may carry a query string) with an optional body of the given
 * content type, and decodes the answer as JSON into *out (caller decrefs; NULL when the body is
 * empty). *status gets the HTTP status. Network errors → ERR_IO with the reason in e; a body
 * that is not JSON → ERR_INVALID. A 4xx/5xx status is not an error here: callers inspect it.
 */
int cli_http_json(const char *method, const char *base_url, const char *path, const char *body,
                  const char *content_type, const struct cli_http_opts *opts, long *status,
                  json_t **out, struct err *e);

/* URL-encodes s into a new string (caller frees). */
char *cli_http_escape(const char *s);

#endif
