/* SPDX-License-Identifier: Apache-2.0 */
/* The PagerDuty integration: Events API v2 trigger/resolve events (v1 service_key is not
 * implemented and rejected at construction). */
#ifndef TOCSIN_NOTIFIER_RECEIVERS_PAGERDUTY_H
#define TOCSIN_NOTIFIER_RECEIVERS_PAGERDUTY_H

#include "notifier/receivers/receiver.h"

struct am_pagerduty_config;
struct am_tmpl;
struct buf;
struct err;

/*
 * New PagerDuty integration. c (borrowed) must outlive it; t gets a reference; sender is
 * borrowed. Returns 0 and *out, or ERR_UNSUPPORTED with "not implemented: PagerDuty Events API
 * v1 (service_key)" in e when c uses service_key / service_key_file.
 */
int pagerduty_new(const struct am_pagerduty_config *c, unsigned index, struct am_tmpl *t,
                  struct receiver_sender *sender, struct am_integration **out, struct err *e);

/*
 * Appends the Events API v2 body Alertmanager 0.25 sends for d: routing_key, dedup_key
 * (SHA-256 hex of the group key), event_action (trigger / resolve), payload (summary cut to
 * 1024 runes, source, severity, class, component, group, custom_details), client, client_url,
 * images and links (entries with an empty src / href dropped). Details over 512000 bytes are
 * replaced like Alertmanager does. Returns 0, or a template error / empty routing key in e.
 */
int pagerduty_build_payload(const struct am_pagerduty_config *c, struct am_tmpl *t,
                            const struct am_notify_data *d, struct buf *out, struct err *e);

#endif
