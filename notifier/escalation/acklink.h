/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Signed acknowledgement links: HMAC-SHA256 over "<incident>\n<action>\n<expires>" with a
 * secret read from a file or generated once and kept in the storage directory, so the person
 * paged can ack from a phone without credentials. Thread: any.
 */
#ifndef TOCSIN_NOTIFIER_ESCALATION_ACKLINK_H
#define TOCSIN_NOTIFIER_ESCALATION_ACKLINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct err;

#define ACKLINK_SECRET_MAX 256

struct acklink_key {
    unsigned char secret[ACKLINK_SECRET_MAX];
    size_t len;
};

/*
 * Loads the secret: from file when not NULL/"" (its bytes, trailing newlines stripped, at least
 * 16 bytes), else from <dir>/ack-secret, creating it (32 random bytes as hex, mode 0600) when
 * missing; with no dir either, a random secret for this process only. ERR_IO / ERR_INVALID.
 */
int acklink_key_load(struct acklink_key *k, const char *file, const char *dir, struct err *e);

/* Signature of (id, action, expires_s) as 64 lowercase hex digits + NUL into out. */
void acklink_sign(const struct acklink_key *k, const char *id, const char *action,
                  int64_t expires_s, char out[65]);

/* True when sig is the signature of (id, action, expires_s) and now_s < expires_s
 * (constant-time comparison). */
bool acklink_verify(const struct acklink_key *k, const char *id, const char *action,
                    int64_t expires_s, const char *sig, int64_t now_s);

/* The full link: base_url "/api/v1/ack?incident=..&action=..&expires=..&sig=..". Caller
 * frees. */
char *acklink_url(const struct acklink_key *k, const char *base_url, const char *id,
                  const char *action, int64_t expires_s);

#endif
