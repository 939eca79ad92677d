/* SPDX-License-Identifier: Apache-2.0 */
/* The Slack integration: Alertmanager 0.25's attachment message POSTed to an incoming webhook
 * or to chat.postMessage (token through http_config authorization / bearer_token). */
#ifndef TOCSIN_NOTIFIER_RECEIVERS_SLACK_H
#define TOCSIN_NOTIFIER_RECEIVERS_SLACK_H

#include "notifier/receivers/receiver.h"

struct am_slack_config;
struct am_tmpl;
struct buf;
struct err;

/*
 * New Slack integration. c (borrowed) must outlive it (the config generation owns both); t gets
 * a reference; sender is borrowed. index is the position among the receiver's Slack configs.
 * Caller frees with am_integration_free.
 */
struct am_integration *slack_new(const struct am_slack_config *c, unsigned index, struct am_tmpl *t,
                                 struct receiver_sender *sender);

/*
 * Appends the JSON body Alertmanager 0.25 sends for d (Go encoding/json, struct field order,
 * omitempty rules, trailing newline). Returns 0, or ERR_INVALID / ERR_PARSE with e when a
 * template fails (Alertmanager then does not send), ERR_TOOBIG.
 */
int slack_build_payload(const struct am_slack_config *c, struct am_tmpl *t,
                        const struct am_notify_data *d, struct buf *out, struct err *e);

#endif
