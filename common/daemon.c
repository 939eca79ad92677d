/* SPDX-License-Identifier: Apache-2.0 */
/* Daemon lifecycle: flags, storage, loop, built-in endpoints, reload and graceful shutdown. */
#include "common/daemon.h"

#include <errno.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/thread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/httpd.h"
#include "common/log.h"
#include "common/metrics.h"
#include "common/timeutil.h"
#include "common/xalloc.h"

/* Largest config file we read (anything bigger is certainly a mistake). */
#define DAEMON_CONFIG_MAX (64u * 1024 * 1024)

struct daemon_hook {
    daemon_hook_cb cb;
    void *ctx;
};

struct daemon {
    const struct daemon_spec *spec;
    struct daemon_flags flags;
    struct flag_def *defs;
    char **help; /* owned help strings of the common flags */
    size_t nhelp;
    struct event_base *base;
    struct httpd *httpd;
    struct metrics_registry *metrics;
    struct event *sig_term, *sig_int, *sig_hup;
    daemon_reload_cb reload_cb;
    void *reload_ctx;
    struct daemon_hook *hooks;
    size_t nhooks;
    atomic_bool ready;
    bool stopping;
    struct metric *m_reload_ok, *m_reload_ts;
};

static void usage_error(const char *prog, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void usage_error(const char *prog, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "%s: error: ", prog);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

/* mkdir -p path, then checks that it is a writable directory. */
static int storage_prepare(const char *path, struct err *e)
{
    char *p = xstrdup(path);
    struct stat st;
    int rc = ERR_IO;
    if (*p == '\0') {
        rc = err_set(e, ERR_INVALID, "empty path");
        goto out;
    }
    for (char *s = p + 1;; s++) {
        if (*s == '/' || *s == '\0') {
            char c = *s;
            *s = '\0';
            if (mkdir(p, 0755) != 0 && errno != EEXIST) {
                rc = err_set(e, ERR_IO, "cannot create %s: %s", p, strerror(errno));
                goto out;
            }
            *s = c;
            if (c == '\0')
                break;
        }
    }
    if (stat(path, &st) != 0) {
        rc = err_set(e, ERR_IO, "%s", strerror(errno));
        goto out;
    }
    if (!S_ISDIR(st.st_mode)) {
        rc = err_set(e, ERR_INVALID, "not a directory");
        goto out;
    }
    if (access(path, W_OK | X_OK) != 0) {
        rc = err_set(e, ERR_IO, "not writable: %s", strerror(errno));
        goto out;
    }
    rc = 0;
out:
    xfree(p);
    return rc;
}

/* Reads the whole file (capped) to prove it is readable. */
static int config_check_readable(const char *path, struct err *e)
{
    FILE *f;
    char chunk[65536];
    size_t n, total = 0;
    int rc = 0;
    if (path == NULL || *path == '\0')
        return 0;
    f = fopen(path, "rb");
    if (f == NULL)
        return err_set(e, ERR_IO, "cannot open config file %s: %s", path, strerror(errno));
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
        total += n;
        if (total > DAEMON_CONFIG_MAX) {
            rc = err_set(e, ERR_TOOBIG, "config file %s is larger than %u bytes", path,
                         DAEMON_CONFIG_MAX);
            break;
        }
    }
    if (rc == 0 && ferror(f))
        rc = err_set(e, ERR_IO, "cannot read config file %s: %s", path, strerror(errno));
    fclose(f);
    return rc;
}

/* ---- built-in endpoints ---- */

static void h_metrics(struct httpd_req *req, void *ctx)
{
    struct daemon *d = ctx;
    struct buf b;
    buf_init(&b, 0);
    if (metrics_render(d->metrics, &b) != 0)
        httpd_reply_text(req, 500, "cannot render metrics\n");
    else
        httpd_reply_buf(req, 200, METRICS_CONTENT_TYPE, &b);
    buf_fini(&b);
}

static void h_healthy(struct httpd_req *req, void *ctx)
{
    struct daemon *d = ctx;
    httpd_reply_errorf(req, 200, "%s is Healthy.", d->spec->prog);
}

static void h_ready(struct httpd_req *req, void *ctx)
{
    struct daemon *d = ctx;
    if (daemon_is_ready(d))
        httpd_reply_errorf(req, 200, "%s is Ready.", d->spec->prog);
    else
        httpd_reply_errorf(req, 503, "Service Unavailable: %s is not ready.", d->spec->prog);
}

static void h_reload(struct httpd_req *req, void *ctx)
{
    struct daemon *d = ctx;
    struct err e;
    err_clear(&e);
    if (daemon_reload(d, &e) != 0)
        httpd_reply_errorf(req, 500, "failed to reload config: %s", e.msg);
    else
        httpd_reply(req, 200, NULL, NULL, 0);
}

/* ---- signals ---- */

static void on_signal(evutil_socket_t sig, short what, void *arg)
{
    struct daemon *d = arg;
    (void)what;
    if (sig == SIGHUP) {
        (void)daemon_reload(d, NULL);
        return;
    }
    log_kv(LOG_WARN, "Received shutdown signal, exiting gracefully...", "signal",
           sig == SIGTERM ? "terminated" : "interrupt", NULL);
    daemon_stop(d);
}

/* ---- lifecycle ---- */

/* Builds the flag table: the common flags (help with their defaults) then spec->extra_flags. */
static struct flag_def *build_defs(struct daemon *d, const struct flag_def *extra)
{
    struct daemon_flags *f = &d->flags;
    const struct flag_def common[] = {
        {"web.listen-address", FLAG_STRING, &f->listen_address,
         "Address to listen on for the API, /metrics and lifecycle endpoints (host:port, "
         "[ipv6]:port, or :port for all interfaces)."},
        {"web.external-url", FLAG_STRING, &f->external_url,
         "The URL under which this daemon is externally reachable (used in links)."},
        {"web.route-prefix", FLAG_STRING, &f->route_prefix,
         "Prefix for the internal routes of web endpoints. Defaults to the path of "
         "--web.external-url."},
        {"config.file", FLAG_STRING, &f->config_file, "Configuration file path."},
        {"storage.path", FLAG_STRING, &f->storage_path,
         "Base path for data storage (created if missing)."},
        {"log.level", FLAG_STRING, &f->log_level,
         "Only log messages with the given severity or above: debug, info, warn, error."},
        {"log.format", FLAG_STRING, &f->log_format, "Output format of log messages: logfmt, json."},
    };
    size_t nc = sizeof(common) / sizeof(common[0]), ne = 0;
    struct flag_def *defs;
    while (extra && extra[ne].name)
        ne++;
    defs = xcalloc(nc + ne + 1, sizeof(*defs));
    memcpy(defs, common, sizeof(common));
    d->help = xcalloc(nc, sizeof(char *));
    for (size_t i = 0; i < nc; i++) {
        const char *def = *(const char **)common[i].target;
        d->help[i] = def && *def ? xasprintf("%s Default: %s", common[i].help, def)
                                 : xstrdup(common[i].help);
        defs[i].help = d->help[i];
    }
    d->nhelp = nc;
    if (ne)
        memcpy(defs + nc, extra, ne * sizeof(*defs));
    return defs;
}

/* Checks an --web.external-url value; *path (caller frees) gets its path ("" when none). */
static bool external_url_valid(const char *u, char **path)
{
    struct evhttp_uri *uri;
    bool ok;
    *path = xstrdup("");
    if (*u == '\0')
        return true;
    uri = evhttp_uri_parse(u);
    if (uri == NULL)
        return false;
    ok = evhttp_uri_get_scheme(uri) != NULL && evhttp_uri_get_host(uri) != NULL &&
         (strcmp(evhttp_uri_get_scheme(uri), "http") == 0 ||
          strcmp(evhttp_uri_get_scheme(uri), "https") == 0);
    if (ok && evhttp_uri_get_path(uri) != NULL) {
        xfree(*path);
        *path = xstrdup(evhttp_uri_get_path(uri));
    }
    evhttp_uri_free(uri);
    return ok;
}

int daemon_new(const struct daemon_spec *spec, int argc, char **argv, struct daemon **out)
{
    struct daemon *d = xcalloc(1, sizeof(*d));
    enum log_level lvl;
    enum log_format fmt;
    char host[256];
    int port, rc;
    struct err e;
    struct httpd_opts hopts = {0};
    static const char *const no_labels[] = {NULL};
    char ver[160];
    char *ext_path = NULL;

    *out = NULL;
    err_clear(&e);
    d->spec = spec;
    d->flags.listen_address = spec->default_listen;
    d->flags.storage_path = spec->default_storage ? spec->default_storage : "data/";
    d->flags.config_file = spec->default_config ? spec->default_config : "";
    d->flags.log_level = "info";
    d->flags.log_format = "logfmt";
    d->flags.external_url = "";
    d->flags.route_prefix = "";
    d->defs = build_defs(d, spec->extra_flags);
    rc = flags_parse(spec->prog, spec->summary, d->defs, argc, argv, NULL, NULL);
    if (rc != 0) {
        rc = rc == 1 ? 0 : 2;
        goto fail;
    }
    rc = 2;
    if (log_level_parse(d->flags.log_level, &lvl) != 0) {
        usage_error(spec->prog, "invalid --log.level \"%s\" (want debug, info, warn or error)",
                    d->flags.log_level);
        goto fail;
    }
    if (log_format_parse(d->flags.log_format, &fmt) != 0) {
        usage_error(spec->prog, "invalid --log.format \"%s\" (want logfmt or json)",
                    d->flags.log_format);
        goto fail;
    }
    if (httpd_parse_address(d->flags.listen_address, host, sizeof(host), &port, &e) != 0) {
        usage_error(spec->prog, "invalid --web.listen-address: %s", e.msg);
        goto fail;
    }
    if (!external_url_valid(d->flags.external_url, &ext_path)) {
        usage_error(spec->prog, "invalid --web.external-url \"%s\": want an absolute http(s) URL",
                    d->flags.external_url);
        goto fail;
    }
    if (storage_prepare(d->flags.storage_path, &e) != 0) {
        usage_error(spec->prog, "unusable --storage.path \"%s\": %s", d->flags.storage_path, e.msg);
        goto fail;
    }
    if (config_check_readable(d->flags.config_file, &e) != 0) {
        usage_error(spec->prog, "%s", e.msg);
        goto fail;
    }
    log_setup(lvl, fmt, NULL);
    signal(SIGPIPE, SIG_IGN);
    evthread_use_pthreads();
    d->base = event_base_new();
    if (d->base == NULL) {
        usage_error(spec->prog, "cannot create the event loop");
        rc = 1;
        goto fail;
    }
    d->metrics = metrics_registry_new();
    metrics_register_process(d->metrics);
    metrics_register_build_info(d->metrics);
    d->m_reload_ok = metrics_get(metrics_gauge_new(
        d->metrics, "tocsin_config_last_reload_successful",
        "Whether the last configuration reload attempt was successful.", no_labels));
    d->m_reload_ts = metrics_get(
        metrics_gauge_new(d->metrics, "tocsin_config_last_reload_success_timestamp_seconds",
                          "Timestamp of the last successful configuration reload.", no_labels));
    metrics_set(d->m_reload_ok, 1);
    metrics_set(d->m_reload_ts, (double)time_now_ms() / 1000.0);
    hopts.name = spec->prog;
    d->httpd = httpd_new(d->base, &hopts);
    httpd_set_metrics(d->httpd, d->metrics);
    httpd_set_route_prefix(d->httpd, *d->flags.route_prefix ? d->flags.route_prefix : ext_path);
    httpd_route_add(d->httpd, "GET", "/metrics", h_metrics, d);
    httpd_route_add(d->httpd, "GET", "/-/healthy", h_healthy, d);
    httpd_route_add(d->httpd, "GET", "/-/ready", h_ready, d);
    httpd_route_add(d->httpd, "POST", "/-/reload", h_reload, d);
    httpd_route_add(d->httpd, "PUT", "/-/reload", h_reload, d);
    d->sig_term = evsignal_new(d->base, SIGTERM, on_signal, d);
    d->sig_int = evsignal_new(d->base, SIGINT, on_signal, d);
    d->sig_hup = evsignal_new(d->base, SIGHUP, on_signal, d);
    evsignal_add(d->sig_term, NULL);
    evsignal_add(d->sig_int, NULL);
    evsignal_add(d->sig_hup, NULL);
    snprintf(ver, sizeof(ver), "(version=%s, revision=%s)", TOCSIN_VERSION, TOCSIN_REVISION);
    log_kv(LOG_INFO, "Starting", "program", spec->prog, "version", ver, NULL);
    xfree(ext_path);
    *out = d;
    return 0;
fail:
    xfree(ext_path);
    daemon_free(d);
    return rc;
}

void daemon_free(struct daemon *d)
{
    if (d == NULL)
        return;
    httpd_free(d->httpd);
    if (d->sig_term)
        event_free(d->sig_term);
    if (d->sig_int)
        event_free(d->sig_int);
    if (d->sig_hup)
        event_free(d->sig_hup);
    if (d->base)
        event_base_free(d->base);
    metrics_registry_free(d->metrics);
    xfree(d->hooks);
    xfree(d->defs);
    for (size_t i = 0; i < d->nhelp; i++)
        xfree(d->help[i]);
    xfree(d->help);
    xfree(d);
}

struct event_base *daemon_base(struct daemon *d)
{
    return d->base;
}

struct httpd *daemon_httpd(struct daemon *d)
{
    return d->httpd;
}

struct metrics_registry *daemon_metrics(struct daemon *d)
{
    return d->metrics;
}

const struct daemon_flags *daemon_flags(const struct daemon *d)
{
    return &d->flags;
}

void daemon_set_reload(struct daemon *d, daemon_reload_cb cb, void *ctx)
{
    d->reload_cb = cb;
    d->reload_ctx = ctx;
}

void daemon_on_shutdown(struct daemon *d, daemon_hook_cb cb, void *ctx)
{
    d->hooks = xreallocarray(d->hooks, d->nhooks + 1, sizeof(*d->hooks));
    d->hooks[d->nhooks].cb = cb;
    d->hooks[d->nhooks].ctx = ctx;
    d->nhooks++;
}

void daemon_set_ready(struct daemon *d, bool ready)
{
    atomic_store(&d->ready, ready);
}

bool daemon_is_ready(const struct daemon *d)
{
    return atomic_load(&((struct daemon *)d)->ready);
}

int daemon_reload(struct daemon *d, struct err *e)
{
    struct err local;
    int rc;
    const char *file = d->flags.config_file;
    if (e == NULL)
        e = &local;
    err_clear(e);
    log_kv(LOG_INFO, "Loading configuration file", "filename", file, NULL);
    rc = config_check_readable(file, e);
    if (rc == 0 && d->reload_cb != NULL)
        rc = d->reload_cb(d->reload_ctx, file, e);
    if (rc != 0) {
        char msg[1400];
        metrics_set(d->m_reload_ok, 0);
        log_kv(LOG_ERROR, "Error reloading config", "filename", file, "err",
               err_format(e, msg, sizeof(msg)), NULL);
        return rc;
    }
    metrics_set(d->m_reload_ok, 1);
    metrics_set(d->m_reload_ts, (double)time_now_ms() / 1000.0);
    log_kv(LOG_INFO, "Completed loading of configuration file", "filename", file, NULL);
    return 0;
}

struct loop_call {
    void (*cb)(void *ctx);
    void *ctx;
};

static void on_loop_call(evutil_socket_t fd, short what, void *arg)
{
    struct loop_call lc = *(struct loop_call *)arg;
    (void)fd;
    (void)what;
    xfree(arg);
    lc.cb(lc.ctx);
}

int daemon_loop_call(struct event_base *base, void (*cb)(void *ctx), void *ctx)
{
    struct loop_call *lc = xmalloc(sizeof(*lc));
    struct timeval now = {0, 0};
    lc->cb = cb;
    lc->ctx = ctx;
    if (event_base_once(base, -1, EV_TIMEOUT, on_loop_call, lc, &now) != 0) {
        xfree(lc);
        return ERR_INTERNAL;
    }
    return 0;
}

void daemon_stop(struct daemon *d)
{
    d->stopping = true;
    event_base_loopbreak(d->base);
}

int daemon_run(struct daemon *d)
{
    struct err e;
    int64_t timeout = d->spec->shutdown_timeout_ms > 0 ? d->spec->shutdown_timeout_ms
                                                       : DAEMON_SHUTDOWN_TIMEOUT_MS;
    err_clear(&e);
    if (httpd_bind(d->httpd, d->flags.listen_address, &e) != 0) {
        log_kv(LOG_ERROR, "Unable to start web listener", "err", e.msg, NULL);
        return 1;
    }
    log_kv(LOG_INFO, "listening", "address", httpd_address(d->httpd), NULL);
    if (!d->spec->manual_ready)
        daemon_set_ready(d, true);
    while (!d->stopping) {
        int lr = event_base_loop(d->base, 0);
        if (lr < 0)
            log_kv(LOG_ERROR, "event loop failed", NULL);
        if (lr != 0)
            break;
        /* a loopbreak that was not ours (some module's) continues the loop */
    }
    daemon_set_ready(d, false);
    if (httpd_shutdown(d->httpd, timeout) != 0)
        log_kv(LOG_WARN, "closed connections with requests still in flight", NULL);
    for (size_t i = d->nhooks; i > 0; i--)
        d->hooks[i - 1].cb(d->hooks[i - 1].ctx);
    log_kv(LOG_INFO, "See you next time!", NULL);
    return 0;
}
