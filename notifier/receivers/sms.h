/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The SMS integration (Tocsin extension `sms_configs`): Twilio's Messages API (form POST to
 * {url}/2010-04-01/Accounts/{sid}/Messages.json, basic auth sid:token) or a generic HTTP
 * gateway (JSON {"to","message"} with optional http_config authorization), one request per
 * recipient. Recipients already delivered in an earlier attempt of the same notification are
 * not messaged again when the dispatcher retries.
 */
#ifndef TOCSIN_NOTIFIER_RECEIVERS_SMS_H
#define TOCSIN_NOTIFIER_RECEIVERS_SMS_H

#include "notifier/receivers/receiver.h"

struct am_sms_config;
struct am_tmpl;
struct buf;
struct err;

#define SMS_BODY_MAX_RUNES 1600 /* Twilio's limit; longer texts are cut with "..." */

/* New SMS integration; c (borrowed) must outlive it, t gets a reference, sender borrowed. */
struct am_integration *sms_new(const struct am_sms_config *c, unsigned index, struct am_tmpl *t,
                               struct receiver_sender *sender);

/* Appends the request body for one recipient: Twilio's form (To, From, Body) or the generic
 * JSON object. text is the rendered message. */
int sms_build_request(const struct am_sms_config *c, const char *to, const char *from,
                      const char *text, struct buf *out);

#endif
