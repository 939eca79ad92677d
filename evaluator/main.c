/* SPDX-License-Identifier: Apache-2.0 */
/* tocsin-evaluator: process entry point (flags, logging, event loop, HTTP endpoints). */
#include "common/daemon.h"

int main(int argc, char **argv)
{
    static const struct daemon_spec spec = {
        .prog = "tocsin-evaluator",
        .summary = "The Tocsin rule evaluator: evaluates Prometheus alerting and recording rules "
                   "(default listen address 127.0.0.1:9099).",
        .default_listen = "127.0.0.1:9099",
        .default_storage = "data/evaluator",
    };
    struct daemon *d = NULL;
    int rc = daemon_new(&spec, argc, argv, &d);
    if (d == NULL)
        return rc;
    rc = daemon_run(d);
    daemon_free(d);
    return rc;
}
