/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Alertmanager API v2 on the notifier: alerts (POST/GET), alert groups, silences (list, create,
 * update, get, expire), receivers and status, answering as Alertmanager 0.25 does so that
 * Prometheus, amtool, Grafana and Karma work unchanged.
 */
#ifndef TOCSIN_NOTIFIER_API_API_V2_H
#define TOCSIN_NOTIFIER_API_API_V2_H

struct err;
struct httpd;
struct notifier;

/* Registers the /api/v2 routes on srv; n is borrowed and must outlive srv. Thread: loop. */
int api_v2_register(struct httpd *srv, struct notifier *n, struct err *e);

#endif
