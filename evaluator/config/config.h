/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The evaluator's configuration file, shaped like prometheus.yml: global (evaluation_interval,
 * external_labels, query_offset), rule_files (globs relative to the config file),
 * alerting.alertmanagers, datasource (a PromQL HTTP API instead of the embedded window) and
 * remote_write. Unknown keys are errors with file:line:column.
 */
#ifndef TOCSIN_EVALUATOR_CONFIG_CONFIG_H
#define TOCSIN_EVALUATOR_CONFIG_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct err;
struct labels;

/* HTTP client authentication: basic_auth or authorization (at most one). Owned strings. */
struct evcfg_auth {
    char *username, *password, *password_file; /* basic_auth (username NULL: not set) */
    char *auth_type;                           /* authorization.type, "Bearer" by default */
    char *credentials, *credentials_file;      /* authorization (NULL: not set) */
};

struct evcfg_tls {
    char *ca_file, *cert_file, *key_file, *server_name; /* owned or NULL */
    bool insecure_skip_verify;
};

/* Extra request headers: parallel NULL-terminated arrays (owned). */
struct evcfg_headers {
    char **names, **values;
    size_t n;
};

struct evcfg_alertmanager {
    char **targets; /* host:port, owned, NULL-terminated */
    size_t ntargets;
    char *scheme;      /* "http" (default) or "https" */
    char *path_prefix; /* "" by default; requests go to scheme://target + prefix + /api/v2/alerts */
    int64_t timeout_ms; /* default 10s */
    char *api_version;  /* "v2" (the only one supported) */
    struct evcfg_auth auth;
    struct evcfg_tls tls;
};

struct evcfg_datasource {
    bool set;           /* a datasource section was given */
    char *url;          /* base URL of a Prometheus-compatible API (…/api/v1/query is appended) */
    int64_t timeout_ms; /* default 2m */
    struct evcfg_auth auth;
    struct evcfg_tls tls;
    struct evcfg_headers headers;
};

struct evcfg_remote_write {
    char *url;
    int64_t timeout_ms; /* default 30s */
    struct evcfg_auth auth;
    struct evcfg_tls tls;
    struct evcfg_headers headers;
};

struct evcfg {
    char *path;                     /* as given */
    char *dir;                      /* directory of the file (rule_files are relative to it) */
    int64_t evaluation_interval_ms; /* default 1m */
    int64_t query_offset_ms;        /* default 0 */
    struct labels *external_labels; /* never NULL */
    char **rule_files;              /* patterns as written, NULL-terminated */
    size_t nrule_files;
    struct evcfg_alertmanager *alertmanagers;
    size_t nalertmanagers;
    struct evcfg_datasource datasource;
    struct evcfg_remote_write *remote_write;
    size_t nremote_write;
};

/*
 * Parses text[0..n) as the config file path (used for messages and for resolving rule_files).
 * Returns 0 and *out (caller frees with evcfg_free), or ERR_PARSE / ERR_INVALID with
 * file:line:column in e. Thread-safe.
 */
int evcfg_parse(const char *text, size_t n, const char *path, struct evcfg **out, struct err *e);
/* Reads and parses path. */
int evcfg_load(const char *path, struct evcfg **out, struct err *e);
void evcfg_free(struct evcfg *c);

/*
 * Expands rule_files (relative patterns joined to the config file's directory) into a sorted,
 * de-duplicated list of files (*files NULL-terminated, caller frees with evcfg_strv_free).
 * A pattern matching nothing is not an error (as Prometheus). Bad patterns give ERR_INVALID.
 */
int evcfg_rule_files(const struct evcfg *c, char ***files, size_t *n, struct err *e);
void evcfg_strv_free(char **v);

#endif
