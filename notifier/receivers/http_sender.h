/* SPDX-License-Identifier: Apache-2.0 */
/* The receivers' HTTP transport on the libevent-driven libcurl client (common/httpc). */
#ifndef TOCSIN_NOTIFIER_RECEIVERS_HTTP_SENDER_H
#define TOCSIN_NOTIFIER_RECEIVERS_HTTP_SENDER_H

#include "notifier/receivers/receiver.h"

struct httpc;

/* A receiver_sender whose sends are single attempts through http (borrowed; retries and backoff
 * belong to the dispatcher). Embed it; no allocation. */
struct http_sender {
    struct receiver_sender base; /* must stay first */
    struct httpc *http;
};

/* Initialises s to send through http. Thread: loop. */
void http_sender_init(struct http_sender *s, struct httpc *http);

#endif
