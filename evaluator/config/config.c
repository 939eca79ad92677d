/* SPDX-License-Identifier: Apache-2.0 */
/* The evaluator's configuration file (see config.h). */
#include "evaluator/config/config.h"

#include <errno.h>
#include <glob.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/err.h"
#include "common/labels.h"
#include "common/xalloc.h"
#include "common/yamlx.h"

static void auth_fini(struct evcfg_auth *a)
{
    free(a->username);
    free(a->password);
    free(a->password_file);
    free(a->auth_type);
    free(a->credentials);
    free(a->credentials_file);
}

static void tls_fini(struct evcfg_tls *t)
{
    free(t->ca_file);
    free(t->cert_file);
    free(t->key_file);
    free(t->server_name);
}

static void headers_fini(struct evcfg_headers *h)
{
    yamlx_strv_free(h->names);
    yamlx_strv_free(h->values);
}

void evcfg_strv_free(char **v)
{
    yamlx_strv_free(v);
}

void evcfg_free(struct evcfg *c)
{
    if (!c)
        return;
    free(c->path);
    free(c->dir);
    labels_free(c->external_labels);
    yamlx_strv_free(c->rule_files);
    for (size_t i = 0; i < c->nalertmanagers; i++) {
        struct evcfg_alertmanager *am = &c->alertmanagers[i];
        yamlx_strv_free(am->targets);
        free(am->scheme);
        free(am->path_prefix);
        free(am->api_version);
        auth_fini(&am->auth);
        tls_fini(&am->tls);
    }
    free(c->alertmanagers);
    free(c->datasource.url);
    auth_fini(&c->datasource.auth);
    tls_fini(&c->datasource.tls);
    headers_fini(&c->datasource.headers);
    for (size_t i = 0; i < c->nremote_write; i++) {
        free(c->remote_write[i].url);
        auth_fini(&c->remote_write[i].auth);
        tls_fini(&c->remote_write[i].tls);
        headers_fini(&c->remote_write[i].headers);
    }
    free(c->remote_write);
    free(c);
}

static int parse_auth(const struct yamlx_node *parent, struct evcfg_auth *a, struct err *e)
{
    static const char *const bkeys[] = {"username", "password", "password_file", NULL};
    static const char *const akeys[] = {"type", "credentials", "credentials_file", NULL};
    const struct yamlx_node *b = yamlx_map_get(parent, "basic_auth");
    const struct yamlx_node *z = yamlx_map_get(parent, "authorization");
    const struct yamlx_node *bt = yamlx_map_get(parent, "bearer_token");
    const struct yamlx_node *btf = yamlx_map_get(parent, "bearer_token_file");
    int rc;
    if (b && !yamlx_is_null(b)) {
        if ((rc = yamlx_map_check(b, bkeys, "basic_auth", e)) != 0 ||
            (rc = yamlx_get_str(yamlx_map_get(b, "username"), &a->username, e)) != 0 ||
            (rc = yamlx_get_str(yamlx_map_get(b, "password"), &a->password, e)) != 0 ||
            (rc = yamlx_get_str(yamlx_map_get(b, "password_file"), &a->password_file, e)) != 0)
            return rc;
        if (!a->username)
            a->username = xstrdup("");
        if (a->password && a->password_file)
            return yamlx_error(e, b, ERR_INVALID,
                               "at most one of basic_auth password & password_file must be "
                               "configured");
    }
    if (z && !yamlx_is_null(z)) {
        if ((rc = yamlx_map_check(z, akeys, "authorization", e)) != 0 ||
            (rc = yamlx_get_str(yamlx_map_get(z, "type"), &a->auth_type, e)) != 0 ||
            (rc = yamlx_get_str(yamlx_map_get(z, "credentials"), &a->credentials, e)) != 0 ||
            (rc = yamlx_get_str(yamlx_map_get(z, "credentials_file"), &a->credentials_file, e)) !=
                0)
            return rc;
        if (a->credentials && a->credentials_file)
            return yamlx_error(e, z, ERR_INVALID,
                               "at most one of authorization credentials & credentials_file "
                               "must be configured");
        if (a->auth_type && strcasecmp(a->auth_type, "basic") == 0)
            return yamlx_error(e, z, ERR_INVALID,
                               "authorization type cannot be set to \"basic\", use "
                               "\"basic_auth\" instead");
    }
    if ((bt && !yamlx_is_null(bt)) || (btf && !yamlx_is_null(btf))) {
        /* the pre-3.0 spelling, still common: bearer_token / bearer_token_file */
        if (a->credentials || a->credentials_file)
            return yamlx_error(e, bt ? bt : btf, ERR_INVALID,
                               "at most one of bearer_token, bearer_token_file & authorization "
                               "must be configured");
        if ((rc = yamlx_get_str(bt, &a->credentials, e)) != 0 ||
            (rc = yamlx_get_str(btf, &a->credentials_file, e)) != 0)
            return rc;
        if (a->credentials && a->credentials_file)
            return yamlx_error(e, bt, ERR_INVALID,
                               "at most one of bearer_token & bearer_token_file must be "
                               "configured");
    }
    if (a->username && (a->credentials || a->credentials_file || (z && !yamlx_is_null(z))))
        return yamlx_error(e, b, ERR_INVALID,
                           "at most one of basic_auth, authorization, bearer_token & "
                           "bearer_token_file must be configured");
    if ((a->credentials || a->credentials_file || (z && !yamlx_is_null(z))) && !a->auth_type)
        a->auth_type = xstrdup("Bearer");
    return 0;
}

static int parse_tls(const struct yamlx_node *parent, struct evcfg_tls *t, struct err *e)
{
    static const char *const keys[] = {
        "ca_file", "cert_file", "key_file", "server_name", "insecure_skip_verify", NULL};
    const struct yamlx_node *n = yamlx_map_get(parent, "tls_config");
    int rc;
    if (!n || yamlx_is_null(n))
        return 0;
    if ((rc = yamlx_map_check(n, keys, "tls_config", e)) != 0 ||
        (rc = yamlx_get_str(yamlx_map_get(n, "ca_file"), &t->ca_file, e)) != 0 ||
        (rc = yamlx_get_str(yamlx_map_get(n, "cert_file"), &t->cert_file, e)) != 0 ||
        (rc = yamlx_get_str(yamlx_map_get(n, "key_file"), &t->key_file, e)) != 0 ||
        (rc = yamlx_get_str(yamlx_map_get(n, "server_name"), &t->server_name, e)) != 0 ||
        (rc = yamlx_get_bool(yamlx_map_get(n, "insecure_skip_verify"), &t->insecure_skip_verify,
                             e)) != 0)
        return rc;
    if (!t->cert_file != !t->key_file)
        return yamlx_error(e, n, ERR_INVALID,
                           "exactly one of key or key_file and cert or cert_file must be "
                           "configured together");
    return 0;
}

static int parse_headers(const struct yamlx_node *parent, struct evcfg_headers *h, struct err *e)
{
    const struct yamlx_node *n = yamlx_map_get(parent, "headers");
    int rc = yamlx_get_strmap(n, &h->names, &h->values, &h->n, e);
    if (rc)
        return rc;
    for (size_t i = 0; i < h->n; i++) {
        const char *k = h->names[i];
        if (strcasecmp(k, "Authorization") == 0 || strcasecmp(k, "Content-Type") == 0 ||
            strcasecmp(k, "Content-Length") == 0 || strcasecmp(k, "Content-Encoding") == 0 ||
            strcasecmp(k, "User-Agent") == 0 || strcasecmp(k, "Host") == 0)
            return yamlx_error(e, yamlx_map_key(n, i), ERR_INVALID,
                               "%s is a reserved header. It must not be changed", k);
    }
    return 0;
}

static bool url_ok(const char *u)
{
    return u && (strncmp(u, "http://", 7) == 0 || strncmp(u, "https://", 8) == 0) &&
           u[strncmp(u, "https://", 8) == 0 ? 8 : 7] != 0;
}

static int parse_alertmanager(const struct yamlx_node *n, struct evcfg_alertmanager *am,
                              struct err *e)
{
    static const char *const keys[] = {"static_configs",
                                       "scheme",
                                       "path_prefix",
                                       "timeout",
                                       "api_version",
                                       "basic_auth",
                                       "authorization",
                                       "bearer_token",
                                       "bearer_token_file",
                                       "tls_config",
                                       NULL};
    static const char *const skeys[] = {"targets", "labels", NULL};
    int rc;
    am->timeout_ms = 10000;
    if ((rc = yamlx_map_check(n, keys, "alertmanager_config", e)) != 0)
        return rc;
    if ((rc = yamlx_get_str(yamlx_map_get(n, "scheme"), &am->scheme, e)) != 0 ||
        (rc = yamlx_get_str(yamlx_map_get(n, "path_prefix"), &am->path_prefix, e)) != 0 ||
        (rc = yamlx_get_str(yamlx_map_get(n, "api_version"), &am->api_version, e)) != 0 ||
        (rc = yamlx_get_duration(yamlx_map_get(n, "timeout"), &am->timeout_ms, e)) != 0)
        return rc;
    if (!am->scheme)
        am->scheme = xstrdup("http");
    if (strcmp(am->scheme, "http") != 0 && strcmp(am->scheme, "https") != 0)
        return yamlx_error(e, yamlx_map_get(n, "scheme"), ERR_INVALID,
                           "unsupported scheme \"%s\" for alertmanager, want http or https",
                           am->scheme);
    if (!am->path_prefix)
        am->path_prefix = xstrdup("");
    if (!am->api_version)
        am->api_version = xstrdup("v2");
    if (strcmp(am->api_version, "v2") != 0)
        return yamlx_error(e, yamlx_map_get(n, "api_version"), ERR_INVALID,
                           "expected Alertmanager api version to be one of [v2] but got %s",
                           am->api_version);
    const struct yamlx_node *sc = yamlx_map_get(n, "static_configs");
    size_t cap = 0;
    if (sc && !yamlx_is_null(sc)) {
        if (sc->kind != YAMLX_SEQ)
            return yamlx_error(e, sc, ERR_INVALID, "cannot unmarshal !!%s into []static_config",
                               sc->kind == YAMLX_MAP ? "map" : "str");
        for (size_t i = 0; i < sc->n; i++) {
            char **t = NULL;
            size_t nt = 0;
            if ((rc = yamlx_map_check(sc->kids[i], skeys, "static_config", e)) != 0 ||
                (rc = yamlx_get_strv(yamlx_map_get(sc->kids[i], "targets"), &t, &nt, e)) != 0)
                return rc;
            for (size_t j = 0; j < nt; j++) {
                if (am->ntargets + 2 > cap) {
                    cap = cap ? cap * 2 : 8;
                    am->targets = xreallocarray(am->targets, cap, sizeof(char *));
                }
                am->targets[am->ntargets++] = xstrdup(t[j]);
                am->targets[am->ntargets] = NULL;
            }
            yamlx_strv_free(t);
        }
    }
    if (!am->targets) {
        am->targets = xcalloc(1, sizeof(char *));
    }
    if ((rc = parse_auth(n, &am->auth, e)) != 0 || (rc = parse_tls(n, &am->tls, e)) != 0)
        return rc;
    return 0;
}

static int parse_datasource(const struct yamlx_node *n, struct evcfg_datasource *ds, struct err *e)
{
    static const char *const keys[] = {"url",           "timeout",      "basic_auth",
                                       "authorization", "bearer_token", "bearer_token_file",
                                       "headers",       "tls_config",   NULL};
    int rc;
    ds->set = true;
    ds->timeout_ms = 120000;
    if ((rc = yamlx_map_check(n, keys, "datasource", e)) != 0 ||
        (rc = yamlx_get_str(yamlx_map_get(n, "url"), &ds->url, e)) != 0 ||
        (rc = yamlx_get_duration(yamlx_map_get(n, "timeout"), &ds->timeout_ms, e)) != 0)
        return rc;
    if (!url_ok(ds->url))
        return yamlx_error(e, yamlx_map_get(n, "url") ? yamlx_map_get(n, "url") : n, ERR_INVALID,
                           "datasource url must be an http:// or https:// URL");
    if ((rc = parse_auth(n, &ds->auth, e)) != 0 || (rc = parse_tls(n, &ds->tls, e)) != 0 ||
        (rc = parse_headers(n, &ds->headers, e)) != 0)
        return rc;
    return 0;
}

static int parse_remote_write(const struct yamlx_node *n, struct evcfg_remote_write *rw,
                              struct err *e)
{
    static const char *const keys[] = {"url",           "remote_timeout", "basic_auth",
                                       "authorization", "bearer_token",   "bearer_token_file",
                                       "headers",       "tls_config",     NULL};
    int rc;
    rw->timeout_ms = 30000;
    if ((rc = yamlx_map_check(n, keys, "remote_write", e)) != 0 ||
        (rc = yamlx_get_str(yamlx_map_get(n, "url"), &rw->url, e)) != 0 ||
        (rc = yamlx_get_duration(yamlx_map_get(n, "remote_timeout"), &rw->timeout_ms, e)) != 0)
        return rc;
    if (!url_ok(rw->url))
        return yamlx_error(e, yamlx_map_get(n, "url") ? yamlx_map_get(n, "url") : n, ERR_INVALID,
                           "remote_write url must be an http:// or https:// URL");
    if ((rc = parse_auth(n, &rw->auth, e)) != 0 || (rc = parse_tls(n, &rw->tls, e)) != 0 ||
        (rc = parse_headers(n, &rw->headers, e)) != 0)
        return rc;
    return 0;
}

static int parse_global(const struct yamlx_node *g, struct evcfg *c, struct err *e)
{
    static const char *const keys[] = {"evaluation_interval", "external_labels", "query_offset",
                                       "rule_query_offset", NULL};
    char **k = NULL, **v = NULL;
    size_t n = 0;
    int rc;
    if ((rc = yamlx_map_check(g, keys, "global", e)) != 0 ||
        (rc = yamlx_get_duration(yamlx_map_get(g, "evaluation_interval"),
                                 &c->evaluation_interval_ms, e)) != 0 ||
        (rc = yamlx_get_duration(yamlx_map_get(g, "rule_query_offset"), &c->query_offset_ms, e)) !=
            0 ||
        (rc = yamlx_get_duration(yamlx_map_get(g, "query_offset"), &c->query_offset_ms, e)) != 0)
        return rc;
    if (c->evaluation_interval_ms <= 0)
        return yamlx_error(e, yamlx_map_get(g, "evaluation_interval"), ERR_INVALID,
                           "evaluation_interval must be greater than 0");
    const struct yamlx_node *el = yamlx_map_get(g, "external_labels");
    if ((rc = yamlx_get_strmap(el, &k, &v, &n, e)) != 0)
        return rc;
    struct label *items = xcalloc(n + 1, sizeof(*items));
    for (size_t i = 0; i < n; i++) {
        if (!label_name_is_legacy(k[i], strlen(k[i])) && !utf8_valid(k[i], strlen(k[i]))) {
            rc = yamlx_error(e, yamlx_map_key(el, i), ERR_INVALID,
                             "\"%s\" is not a valid label name", k[i]);
            break;
        }
        if (strcmp(k[i], "__name__") == 0 || !*k[i]) {
            rc = yamlx_error(e, yamlx_map_key(el, i), ERR_INVALID,
                             "\"%s\" is not a valid label name", k[i]);
            break;
        }
        items[i].name = k[i];
        items[i].value = v[i];
    }
    if (rc == 0) {
        labels_free(c->external_labels);
        c->external_labels = labels_new(items, n);
    }
    free(items);
    yamlx_strv_free(k);
    yamlx_strv_free(v);
    return rc;
}

int evcfg_parse(const char *text, size_t n, const char *path, struct evcfg **out, struct err *e)
{
    static const char *const keys[] = {"global",     "rule_files",   "alerting",
                                       "datasource", "remote_write", NULL};
    static const char *const akeys[] = {"alertmanagers", NULL};
    int rc = ERR_INTERNAL;
    struct yamlx_doc *d = NULL;
    struct evcfg *c = xcalloc(1, sizeof(*c));
    char *dcopy = xstrdup(path);
    *out = NULL;
    c->path = xstrdup(path);
    c->dir = xstrdup(dirname(dcopy));
    free(dcopy);
    c->evaluation_interval_ms = 60000;
    c->external_labels = labels_empty();
    if ((rc = yamlx_load_string(text, n, path, NULL, &d, e)) != 0)
        goto out;
    const struct yamlx_node *root = yamlx_doc_root(d, 0);
    if ((rc = yamlx_map_check(root, keys, "config", e)) != 0)
        goto out;
    const struct yamlx_node *g = yamlx_map_get(root, "global");
    if (g && (rc = parse_global(g, c, e)) != 0)
        goto out;
    if ((rc = yamlx_get_strv(yamlx_map_get(root, "rule_files"), &c->rule_files, &c->nrule_files,
                             e)) != 0)
        goto out;
    if (!c->rule_files)
        c->rule_files = xcalloc(1, sizeof(char *));
    for (size_t i = 0; i < c->nrule_files; i++) {
        if (!*c->rule_files[i]) {
            rc = yamlx_error(e, yamlx_map_get(root, "rule_files")->kids[i], ERR_INVALID,
                             "empty rule file pattern");
            goto out;
        }
    }
    const struct yamlx_node *al = yamlx_map_get(root, "alerting");
    if (al && !yamlx_is_null(al)) {
        if ((rc = yamlx_map_check(al, akeys, "alerting", e)) != 0)
            goto out;
        const struct yamlx_node *ams = yamlx_map_get(al, "alertmanagers");
        if (ams && !yamlx_is_null(ams)) {
            if (ams->kind != YAMLX_SEQ) {
                rc = yamlx_error(e, ams, ERR_INVALID, "alertmanagers must be a list");
                goto out;
            }
            c->alertmanagers = xcalloc(ams->n + 1, sizeof(*c->alertmanagers));
            for (size_t i = 0; i < ams->n; i++) {
                c->nalertmanagers = i + 1;
                if ((rc = parse_alertmanager(ams->kids[i], &c->alertmanagers[i], e)) != 0)
                    goto out;
            }
        }
    }
    const struct yamlx_node *ds = yamlx_map_get(root, "datasource");
    if (ds && !yamlx_is_null(ds) && (rc = parse_datasource(ds, &c->datasource, e)) != 0)
        goto out;
    const struct yamlx_node *rw = yamlx_map_get(root, "remote_write");
    if (rw && !yamlx_is_null(rw)) {
        if (rw->kind != YAMLX_SEQ) {
            rc = yamlx_error(e, rw, ERR_INVALID, "remote_write must be a list");
            goto out;
        }
        c->remote_write = xcalloc(rw->n + 1, sizeof(*c->remote_write));
        for (size_t i = 0; i < rw->n; i++) {
            c->nremote_write = i + 1;
            if ((rc = parse_remote_write(rw->kids[i], &c->remote_write[i], e)) != 0)
                goto out;
        }
    }
    *out = c;
    c = NULL;
    rc = 0;
out:
    evcfg_free(c);
    yamlx_doc_free(d);
    return rc;
}

int evcfg_load(const char *path, struct evcfg **out, struct err *e)
{
    *out = NULL;
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return err_set(e, ERR_IO, "open %s: %s", path, strerror(errno));
    char *text = NULL;
    size_t len = 0, cap = 0;
    char tmp[65536];
    size_t r;
    while ((r = fread(tmp, 1, sizeof(tmp), fp)) > 0) {
        if (len + r > (16u << 20)) {
            fclose(fp);
            free(text);
            return err_set(e, ERR_TOOBIG, "%s: larger than 16 MiB", path);
        }
        if (len + r + 1 > cap) {
            cap = (len + r + 1) * 2;
            text = xrealloc(text, cap);
        }
        memcpy(text + len, tmp, r);
        len += r;
    }
    fclose(fp);
    int rc = evcfg_parse(text ? text : "", len, path, out, e);
    free(text);
    return rc;
}

static int str_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int evcfg_rule_files(const struct evcfg *c, char ***files, size_t *n, struct err *e)
{
    char **v = xcalloc(1, sizeof(char *));
    size_t cnt = 0;
    *files = NULL;
    *n = 0;
    for (size_t i = 0; i < c->nrule_files; i++) {
        const char *p = c->rule_files[i];
        char *full = p[0] == '/' ? xstrdup(p) : xasprintf("%s/%s", c->dir, p);
        glob_t gl;
        memset(&gl, 0, sizeof(gl));
        int r = glob(full, 0, NULL, &gl);
        if (r != 0 && r != GLOB_NOMATCH) {
            globfree(&gl);
            evcfg_strv_free(v);
            int rc = err_set(e, ERR_INVALID, "invalid rule file pattern %s", full);
            free(full);
            return rc;
        }
        for (size_t j = 0; r == 0 && j < gl.gl_pathc; j++) {
            v = xreallocarray(v, cnt + 2, sizeof(char *));
            v[cnt++] = xstrdup(gl.gl_pathv[j]);
            v[cnt] = NULL;
        }
        globfree(&gl);
        free(full);
    }
    qsort(v, cnt, sizeof(char *), str_cmp);
    size_t k = 0;
    for (size_t i = 0; i < cnt; i++) {
        if (k > 0 && strcmp(v[k - 1], v[i]) == 0) {
            free(v[i]);
            continue;
        }
        v[k++] = v[i];
    }
    v[k] = NULL;
    *files = v;
    *n = k;
    return 0;
}
