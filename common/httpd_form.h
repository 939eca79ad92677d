/* SPDX-License-Identifier: Apache-2.0 */
/* URL query strings and application/x-www-form-urlencoded bodies, decoded as Go's ParseQuery. */
#ifndef TOCSIN_COMMON_HTTPD_FORM_H
#define TOCSIN_COMMON_HTTPD_FORM_H

#include <stdbool.h>
#include <stddef.h>

struct err;

/* Most parameters one query string or form body may carry (more is ERR_LIMIT). */
#define HTTPD_PARAMS_MAX 10000

struct httpd_param {
    char *key;   /* owned, decoded, NUL-terminated (may contain NUL bytes only via %00) */
    char *value; /* owned, decoded */
};

/* An ordered list of decoded key/value pairs; repeated keys are kept in order (match[]). */
struct httpd_params {
    struct httpd_param *v;
    size_t n;
    size_t cap;
};

void httpd_params_init(struct httpd_params *p);
void httpd_params_fini(struct httpd_params *p); /* frees every pair; p may be reused after init */

/* Appends a copy of key and value (both borrowed). */
void httpd_params_add(struct httpd_params *p, const char *key, const char *value);

/*
 * Decodes the query string s (n bytes, no leading '?') and appends its pairs to p. Pairs are
 * separated by '&'; empty pairs are skipped; a pair without '=' has the value "". '+' decodes to
 * a space and %XX to the byte XX. A ';' in a pair, a bad %-escape or more than HTTPD_PARAMS_MAX
 * pairs is an error (ERR_INVALID / ERR_LIMIT, message in e); pairs decoded before the error
 * stay in p. Thread: any.
 */
int httpd_params_parse(struct httpd_params *p, const char *s, size_t n, struct err *e);

/* First value for key, or NULL. Borrowed from p. */
const char *httpd_params_get(const struct httpd_params *p, const char *key);

/* Number of values for key. */
size_t httpd_params_count(const struct httpd_params *p, const char *key);

/*
 * Percent-decodes s (n bytes) into a new NUL-terminated string (*out, caller frees, *outlen
 * bytes without the terminator; outlen may be NULL). plus_as_space turns '+' into ' ' (query
 * strings) or keeps it (paths). ERR_INVALID on a malformed escape (*out stays NULL).
 */
int httpd_url_decode(const char *s, size_t n, bool plus_as_space, char **out, size_t *outlen);

#endif
