/* SPDX-License-Identifier: Apache-2.0 */
/* The webhook integration: Alertmanager's version-4 JSON payload POSTed to a URL. */
#ifndef TOCSIN_NOTIFIER_RECEIVERS_WEBHOOK_H
#define TOCSIN_NOTIFIER_RECEIVERS_WEBHOOK_H

#include <stdbool.h>
#include <stddef.h>

#include "notifier/receivers/receiver.h"

struct am_http_config;
struct buf;

struct webhook_conf {
    const char *url;    /* copied */
    bool send_resolved; /* Alertmanager default: true */
    size_t max_alerts;  /* 0 = all */
    /* authorization, TLS, proxy and redirects (borrowed; must outlive the integration; NULL =
     * none) */
    const struct am_http_config *http_config;
};

/* New webhook integration posting through sender (borrowed; must outlive it). index is the
 * integration's position in its receiver. Caller frees with am_integration_free. Every attempt
 * sends the http_config's Authorization header (secret files reread) with its transport
 * options. */
struct am_integration *webhook_new(const struct webhook_conf *c, unsigned index,
                                   struct receiver_sender *sender);

/*
 * Appends the exact body Alertmanager 0.25 sends (Go encoding/json with HTML escaping, keys in
 * struct order, trailing newline): receiver (regexp-quoted), status, alerts (the first
 * max_alerts, 0 = all), groupLabels, commonLabels, commonAnnotations (over the kept alerts),
 * externalURL, version "4", groupKey, truncatedAlerts. Returns 0 or ERR_TOOBIG.
 */
int webhook_build_payload(const struct am_notify_data *d, size_t max_alerts, struct buf *out);

#endif
