/* SPDX-License-Identifier: Apache-2.0 */
/* `tocsin query instant|range|series|labels`: promtool-compatible queries against any Prometheus
 * HTTP API (the evaluator, Prometheus, Thanos, Mimir, VictoriaMetrics). */
#ifndef TOCSIN_CLI_QUERY_H
#define TOCSIN_CLI_QUERY_H

/* argv[0] is "query". Returns the process exit status: 0 ok, 1 query error, 2 usage error. */
int cli_query(int argc, char **argv);

#endif
