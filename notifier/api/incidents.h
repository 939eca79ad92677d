/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The Tocsin incident API beside Alertmanager's v2: GET /api/v1/incidents,
 * GET /api/v1/incidents/{id} (with timeline), POST /api/v1/incidents/{id}/ack|unack|resolve,
 * and GET|POST /api/v1/ack?incident=&action=&expires=&sig= for signed links in notifications.
 */
#ifndef TOCSIN_NOTIFIER_API_INCIDENTS_H
#define TOCSIN_NOTIFIER_API_INCIDENTS_H

struct err;
struct escalation;
struct httpd;

/* Registers the routes on srv; x is borrowed and must outlive srv. Thread: loop. */
int api_incidents_register(struct httpd *srv, struct escalation *x, struct err *e);

#endif
