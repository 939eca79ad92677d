/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Tocsin's default notification templates (written for Tocsin): the template names the
 * Alertmanager 0.25 integration defaults refer to (slack.default.*, pagerduty.default.*,
 * email.default.*, ...) plus sms.default.text, rendering the same information.
 */
#ifndef TOCSIN_NOTIFIER_RECEIVERS_DEFAULT_TMPL_H
#define TOCSIN_NOTIFIER_RECEIVERS_DEFAULT_TMPL_H

/* The template text in pieces (each holds whole definitions; NULL-terminated list), parsed
 * first into every notification template set. */
extern const char *const am_default_templates[];

#endif
