/* SPDX-License-Identifier: Apache-2.0 */
/* tocsin-notifier: process entry point. Loads the Alertmanager-format config, restores the
 * durable state from --storage.path and serves the Alertmanager API v2. */
#include <stdio.h>
#include <string.h>

#include "common/daemon.h"
#include "common/err.h"
#include "common/httpd.h"
#include "notifier/api/api_v2.h"
#include "notifier/api/incidents.h"
#include "notifier/core/notifier.h"

static int on_reload(void *ctx, const char *config_file, struct err *e)
{
    return notifier_reload(ctx, config_file, e);
}

int main(int argc, char **argv)
{
    bool fsync_on = true;
    const char *ack_secret_file = "";
    const struct flag_def extra[] = {
        {"storage.fsync", FLAG_BOOL, &fsync_on,
         "fdatasync the store before acknowledging writes (default true; --no-storage.fsync "
         "trades crash safety of the machine for speed)."},
        {"escalation.ack-secret-file", FLAG_STRING, &ack_secret_file,
         "File with the HMAC secret of the signed ack links in notifications (default: "
         "generated once as <storage.path>/ack-secret)."},
        {NULL, FLAG_STRING, NULL, NULL},
    };
    static struct daemon_spec spec = {
        .prog = "tocsin-notifier",
        .summary = "The Tocsin notifier: an Alertmanager-compatible receiver of alerts with "
                   "routing, grouping, inhibition, silences and durable state "
                   "(default listen address 127.0.0.1:9098).",
        .default_listen = "127.0.0.1:9098",
        .default_storage = "data/notifier",
        .default_config = "alertmanager.yml",
        .manual_ready = true,
    };
    struct daemon *d = NULL;
    struct notifier *n = NULL;
    struct notifier_opts o;
    struct err e;
    char msg[1400], url[600];
    int rc;

    spec.extra_flags = extra;
    rc = daemon_new(&spec, argc, argv, &d);
    if (d == NULL)
        return rc;
    err_clear(&e);
    memset(&o, 0, sizeof(o));
    o.storage_path = daemon_flags(d)->storage_path;
    o.fsync = fsync_on;
    o.ack_secret_file = ack_secret_file;
    if (daemon_flags(d)->external_url[0]) {
        snprintf(url, sizeof(url), "%s", daemon_flags(d)->external_url);
    } else {
        snprintf(url, sizeof(url), "http://%s", daemon_flags(d)->listen_address);
    }
    /* Alertmanager prints the external URL without a trailing slash */
    while (strlen(url) > 0 && url[strlen(url) - 1] == '/')
        url[strlen(url) - 1] = '\0';
    o.external_url = url;
    if (notifier_open(daemon_base(d), daemon_flags(d)->config_file, &o, daemon_metrics(d), &n,
                      &e) != 0) {
        fprintf(stderr, "tocsin-notifier: error: %s\n", err_format(&e, msg, sizeof(msg)));
        daemon_free(d);
        return e.code == ERR_IO ? 2 : 1;
    }
    if (api_v2_register(daemon_httpd(d), n, &e) != 0 ||
        api_incidents_register(daemon_httpd(d), notifier_escalation(n), &e) != 0) {
        fprintf(stderr, "tocsin-notifier: error: %s\n", err_format(&e, msg, sizeof(msg)));
        rc = 1;
        goto out;
    }
    daemon_set_reload(d, on_reload, n);
    daemon_set_ready(d, true);
    rc = daemon_run(d);
out:
    /* the notifier's timers and transfers live on the daemon's event base: close it first */
    notifier_close(n);
    daemon_free(d);
    return rc;
}
