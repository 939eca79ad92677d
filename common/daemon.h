/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Shared daemon scaffolding: Prometheus-style flags, logging, storage directory, the event
 * loop, the HTTP server with /metrics, /-/healthy, /-/ready and /-/reload, SIGHUP reload and
 * graceful SIGTERM/SIGINT shutdown. A daemon's main() fills a daemon_spec, calls daemon_new,
 * adds its routes and hooks, then daemon_run.
 */
#ifndef TOCSIN_COMMON_DAEMON_H
#define TOCSIN_COMMON_DAEMON_H

#include <stdbool.h>
#include <stdint.h>

#include "common/flags.h"

struct daemon;
struct err;
struct event_base;
struct httpd;
struct metrics_registry;

/* How long in-flight HTTP requests may take to finish after SIGTERM, by default. */
#define DAEMON_SHUTDOWN_TIMEOUT_MS 10000

struct daemon_spec {
    const char *prog;            /* "tocsin-evaluator": logs, --help, --version */
    const char *summary;         /* one line shown by --help */
    const char *default_listen;  /* default --web.listen-address */
    const char *default_storage; /* default --storage.path */
    const char *default_config;  /* default --config.file; NULL or "" = none */
    /* more flags for this daemon ({NULL}-terminated, targets hold their defaults), or NULL */
    const struct flag_def *extra_flags;
    bool manual_ready;           /* true: /-/ready stays 503 until daemon_set_ready(d, true) */
    int64_t shutdown_timeout_ms; /* 0 = DAEMON_SHUTDOWN_TIMEOUT_MS */
};

/* The common flag values after parsing (strings point into argv or the defaults). */
struct daemon_flags {
    const char *listen_address;
    const char *config_file; /* "" when none */
    const char *storage_path;
    const char *log_level;
    const char *log_format;
    const char *external_url; /* "" when not set */
    const char *route_prefix; /* "" = the path of external_url (Prometheus semantics) */
};

/*
 * Reload hook: re-read the configuration at config_file ("" when none was given). Runs on the
 * loop thread for POST /-/reload and SIGHUP, after the file was checked to be readable. Return
 * 0, or an error code with the reason in e (the old configuration must stay in effect).
 */
typedef int (*daemon_reload_cb)(void *ctx, const char *config_file, struct err *e);

/* Runs on the loop thread after the HTTP server drained at shutdown, in reverse order added. */
typedef void (*daemon_hook_cb)(void *ctx);

/*
 * Parses flags (spec borrowed; must outlive the daemon), sets up logging, creates the storage
 * directory, checks that the config file is readable, and creates the event loop, metrics
 * registry and HTTP server (with the built-in routes; not yet listening). On success returns 0
 * and *out (caller frees with daemon_free). Otherwise *out is NULL and the return value is the
 * process exit status: 0 after --help/--version, 2 after a bad flag, an invalid
 * listen address, log level or format, an unusable storage path or an unreadable config file
 * (one line "prog: error: ..." on stderr).
 */
int daemon_new(const struct daemon_spec *spec, int argc, char **argv, struct daemon **out);

/* Frees everything daemon_new created. NULL is a no-op. */
void daemon_free(struct daemon *d);

/* Accessors; all borrowed from d. */
struct event_base *daemon_base(struct daemon *d);
struct httpd *daemon_httpd(struct daemon *d);
struct metrics_registry *daemon_metrics(struct daemon *d);
const struct daemon_flags *daemon_flags(const struct daemon *d);

/* Sets the reload hook (ctx borrowed). Without one, a reload only checks the file is readable. */
void daemon_set_reload(struct daemon *d, daemon_reload_cb cb, void *ctx);

/* Adds a shutdown hook (ctx borrowed). */
void daemon_on_shutdown(struct daemon *d, daemon_hook_cb cb, void *ctx);

/* Marks the daemon ready (/-/ready 200) or not (503). Any thread. */
void daemon_set_ready(struct daemon *d, bool ready);
bool daemon_is_ready(const struct daemon *d);

/*
 * Reloads now, as /-/reload and SIGHUP do: checks the config file is readable, calls the reload
 * hook, updates tocsin_config_last_reload_successful and logs the outcome. Returns 0 or the
 * error (reason in e). Thread: the loop thread.
 */
int daemon_reload(struct daemon *d, struct err *e);

/*
 * Runs cb(ctx) on base's loop thread soon; callable from any thread (worker pools hand results
 * back this way, e.g. to reply to an HTTP request). Requires a base created after
 * evthread_use_pthreads() (daemon_new does this). Returns 0 or ERR_INTERNAL.
 */
int daemon_loop_call(struct event_base *base, void (*cb)(void *ctx), void *ctx);

/* Asks daemon_run to stop gracefully, as SIGTERM does. Thread: the loop thread. */
void daemon_stop(struct daemon *d);

/*
 * Binds the listen address (logging "listening" with the actual address), marks the daemon
 * ready unless spec->manual_ready, and runs the loop until SIGTERM/SIGINT or daemon_stop; then
 * stops accepting, lets in-flight requests finish (up to the shutdown timeout) and runs the
 * shutdown hooks. Returns the process exit status: 0 after a graceful stop, 1 when the address
 * cannot be bound (one line on stderr).
 */
int daemon_run(struct daemon *d);

#endif
