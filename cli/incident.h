/* SPDX-License-Identifier: Apache-2.0 */
/* `tocsin ack|unack ID` and `tocsin incident list|show|report|resolve ...` against the
 * notifier's /api/v1/incidents API. */
#ifndef TOCSIN_CLI_INCIDENT_H
#define TOCSIN_CLI_INCIDENT_H

struct json_t;

/* Entry points (argv[0] is the command name). Exit status 0 ok, 1 request failed, 2 usage. */
int cli_ack(int argc, char **argv);
int cli_unack(int argc, char **argv);
int cli_incident(int argc, char **argv);

/* Writes the Markdown post-incident draft of incident (the API's data object) to f. */
#include <stdio.h>
void cli_incident_report(FILE *f, const struct json_t *incident);

#endif
