/* SPDX-License-Identifier: Apache-2.0 */
/* tocsin-notifier: process entry point (flags, logging, event loop, HTTP endpoints). */
#include "common/daemon.h"

int main(int argc, char **argv)
{
    static const struct daemon_spec spec = {
        .prog = "tocsin-notifier",
        .summary = "The Tocsin notifier: routes, groups, silences, escalates and delivers alerts "
                   "(Alertmanager API v2; default listen address 127.0.0.1:9098).",
        .default_listen = "127.0.0.1:9098",
        .default_storage = "data/notifier",
    };
    struct daemon *d = NULL;
    int rc = daemon_new(&spec, argc, argv, &d);
    if (d == NULL)
        return rc;
    rc = daemon_run(d);
    daemon_free(d);
    return rc;
}
