/* SPDX-License-Identifier: Apache-2.0 */
/* Template set, Alertmanager template data and small shared helpers for the integrations. */
#include "notifier/receivers/tmpldata.h"

#include <ctype.h>
#include <errno.h>
#include <glob.h>
#include <openssl/sha.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/buf.h"
#include "common/labels.h"
#include "common/template/funcs_alertmanager.h"
#include "common/template/template.h"
#include "common/xalloc.h"
#include "common/yamlx.h"
#include "notifier/alert/alert.h"
#include "notifier/config/config.h"
#include "notifier/receivers/default_tmpl.h"

#define TMPL_FILE_MAX (4u << 20)

struct am_tmpl {
    unsigned refs;
    struct tmpl_funcs *funcs;
    struct tmpl_set *set;
};

static int read_whole(const char *path, size_t max, char **out, size_t *len, struct err *e)
{
    FILE *f = fopen(path, "rb");
    struct buf b;
    char chunk[8192];
    size_t got;
    int rc = 0;
    *out = NULL;
    if (!f)
        return err_set(e, ERR_IO, "open %s: %s", path, strerror(errno));
    buf_init(&b, max);
    while (rc == 0 && (got = fread(chunk, 1, sizeof(chunk), f)) > 0)
        rc = buf_append(&b, chunk, got);
    if (rc == 0 && ferror(f))
        rc = err_set(e, ERR_IO, "read %s: error", path);
    else if (rc != 0)
        rc = err_set(e, rc, "%s: larger than %zu bytes", path, max);
    fclose(f);
    if (rc == 0) {
        if (len)
            *len = b.len;
        buf_putc(&b, '\0');
        *out = buf_steal(&b, NULL);
    }
    buf_fini(&b);
    return rc;
}

static int parse_pattern(struct am_tmpl *t, const char *pat, const char *base_dir, struct err *e)
{
    glob_t g;
    char *full = NULL;
    int rc = 0, grc;
    if (pat[0] != '/' && base_dir && base_dir[0])
        full = xasprintf("%s/%s", base_dir, pat);
    memset(&g, 0, sizeof(g));
    grc = glob(full ? full : pat, 0, NULL, &g);
    if (grc != 0 && grc != GLOB_NOMATCH)
        rc = err_set(e, ERR_IO, "invalid template glob %s", pat);
    for (size_t i = 0; rc == 0 && grc == 0 && i < g.gl_pathc; i++) {
        char *text = NULL;
        size_t n = 0;
        const char *base = strrchr(g.gl_pathv[i], '/');
        if ((rc = read_whole(g.gl_pathv[i], TMPL_FILE_MAX, &text, &n, e)) != 0)
            break;
        /* the template is named by its base name, as Go's ParseGlob; the error keeps the path */
        if ((rc = tmpl_set_parse(t->set, base ? base + 1 : g.gl_pathv[i], text, n, e)) != 0)
            err_prefix(e, "%s", g.gl_pathv[i]);
        xfree(text);
    }
    if (grc == 0)
        globfree(&g);
    xfree(full);
    return rc;
}

int am_tmpl_new(const char *const *files, size_t n, const char *base_dir, struct am_tmpl **out,
                struct err *e)
{
    struct am_tmpl *t = xcalloc(1, sizeof(*t));
    int rc;
    t->refs = 1;
    t->funcs = tmpl_funcs_new();
    tmpl_funcs_add_alertmanager(t->funcs, NULL);
    t->set = tmpl_set_new(t->funcs);
    *out = NULL;
    for (size_t i = 0; am_default_templates[i]; i++)
        if ((rc = tmpl_set_parse(t->set, "default.tmpl", am_default_templates[i], SIZE_MAX, e)) !=
            0)
            goto out;
    for (size_t i = 0; i < n; i++)
        if ((rc = parse_pattern(t, files[i], base_dir, e)) != 0)
            goto out;
    *out = t;
    t = NULL;
out:
    am_tmpl_unref(t);
    return rc;
}

int am_tmpl_load_config(const struct am_config *cfg, struct am_tmpl **out, struct err *e)
{
    const char *file = cfg->doc ? yamlx_doc_file(cfg->doc) : NULL;
    const char *slash = file ? strrchr(file, '/') : NULL;
    char *dir = slash ? xstrndup(file, slash == file ? 1 : (size_t)(slash - file)) : NULL;
    int rc = am_tmpl_new((const char *const *)cfg->templates.v, cfg->templates.n, dir, out, e);
    if (rc != 0)
        err_prefix(e, "failed to parse templates");
    xfree(dir);
    return rc;
}

struct am_tmpl *am_tmpl_ref(struct am_tmpl *t)
{
    t->refs++;
    return t;
}

void am_tmpl_unref(struct am_tmpl *t)
{
    if (!t || --t->refs > 0)
        return;
    tmpl_set_free(t->set);
    tmpl_funcs_free(t->funcs);
    xfree(t);
}

struct labels *am_common_kv(const struct am_alert *const *alerts, size_t n, bool annotations)
{
    struct labels_builder lb;
    struct labels *res;
    const struct labels *first;
    if (n == 0)
        return labels_empty();
    first = annotations ? alerts[0]->annotations : alerts[0]->labels;
    labels_builder_init(&lb);
    for (size_t i = 0; i < first->n; i++) {
        bool same = true;
        for (size_t j = 1; same && j < n; j++) {
            const struct labels *o = annotations ? alerts[j]->annotations : alerts[j]->labels;
            const char *v = labels_get(o, first->v[i].name);
            same = v && strcmp(v, first->v[i].value) == 0;
        }
        if (same)
            labels_builder_set(&lb, first->v[i].name, first->v[i].value);
    }
    res = labels_builder_finish(&lb);
    labels_builder_fini(&lb);
    return res;
}

bool am_alerts_firing(const struct am_alert *const *alerts, size_t n, int64_t now)
{
    for (size_t i = 0; i < n; i++)
        if (!am_alert_resolved_at(alerts[i], now))
            return true;
    return false;
}

static struct tmpl_value *alert_value(const struct am_alert *a, int64_t now)
{
    struct tmpl_value *v = tmpl_map(TMPL_NULL);
    char fp[17];
    tmpl_map_set_str(v, "Status", am_alert_resolved_at(a, now) ? "resolved" : "firing");
    tmpl_map_set(v, "Labels", tmpl_am_kv(a->labels));
    tmpl_map_set(v, "Annotations", tmpl_am_kv(a->annotations));
    tmpl_map_set(v, "StartsAt", tmpl_time(a->starts_at, 0, "UTC"));
    /* Alertmanager's aggregation group clears EndsAt of alerts still firing at flush time, so
     * templates see Go's zero time, not the Unix epoch */
    if (am_alert_resolved_at(a, now))
        tmpl_map_set(v, "EndsAt", tmpl_time(a->ends_at, 0, "UTC"));
    else
        tmpl_map_set(v, "EndsAt", tmpl_time_sec(TMPL_TIME_ZERO_SEC, 0, 0, "UTC"));
    tmpl_map_set_str(v, "GeneratorURL", a->generator_url);
    tmpl_map_set_str(v, "Fingerprint", am_fingerprint_format(a->fingerprint, fp));
    return v;
}

struct tmpl_value *am_tmpl_data_new(const struct am_notify_data *d)
{
    struct tmpl_value *data = tmpl_map(TMPL_NULL), *list = tmpl_list();
    struct labels *cl = am_common_kv(d->alerts, d->n, false);
    struct labels *ca = am_common_kv(d->alerts, d->n, true);
    struct buf recv;
    buf_init(&recv, 0);
    am_regexp_quote_meta(&recv, d->receiver ? d->receiver : "");
    for (size_t i = 0; i < d->n; i++)
        tmpl_list_push(list, alert_value(d->alerts[i], d->now));
    tmpl_map_set_str(data, "Receiver", buf_str(&recv));
    tmpl_map_set_str(data, "Status",
                     am_alerts_firing(d->alerts, d->n, d->now) ? "firing" : "resolved");
    tmpl_map_set(data, "Alerts", tmpl_am_alerts(list));
    tmpl_map_set(data, "GroupLabels", tmpl_am_kv(d->group_labels));
    tmpl_map_set(data, "CommonLabels", tmpl_am_kv(cl));
    tmpl_map_set(data, "CommonAnnotations", tmpl_am_kv(ca));
    tmpl_map_set_str(data, "ExternalURL", d->external_url ? d->external_url : "");
    labels_free(cl);
    labels_free(ca);
    buf_fini(&recv);
    return data;
}

void am_expander_init(struct am_expander *x, struct am_tmpl *t, const struct am_notify_data *d)
{
    memset(x, 0, sizeof(*x));
    x->t = t;
    x->data = am_tmpl_data_new(d);
}

void am_expander_fini(struct am_expander *x)
{
    tmpl_unref(x->data);
    x->data = NULL;
}

static char *expand(struct am_expander *x, const char *name, const char *text)
{
    struct tmpl_exec_opts o = {.missingkey = TMPL_MISSINGKEY_ZERO};
    struct buf out;
    struct err e;
    int rc;
    if (x->rc != 0 || text == NULL || text[0] == '\0')
        return xstrdup("");
    buf_init(&out, 0);
    rc = tmpl_expand(x->t->set, NULL, name, text, x->data, &o, &out, &e);
    if (rc != 0) {
        x->rc = rc;
        x->e = e;
        buf_fini(&out);
        return xstrdup("");
    }
    if (out.len == 0) {
        buf_fini(&out);
        return xstrdup("");
    }
    return buf_steal(&out, NULL);
}

char *am_expand(struct am_expander *x, const char *text)
{
    return expand(x, "", text);
}

char *am_expand_html(struct am_expander *x, const char *text)
{
    return expand(x, "html", text);
}

static void trim(char *s)
{
    size_t n = strlen(s), i = 0;
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    while (isspace((unsigned char)s[i]))
        i++;
    memmove(s, s + i, n - i + 1);
}

int am_read_secret_file(const char *path, char **out, struct err *e)
{
    int rc = read_whole(path, 1u << 20, out, NULL, e);
    if (rc == 0)
        trim(*out);
    return rc;
}

static int base64(const char *s, struct buf *b)
{
    static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t n = strlen(s);
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < n; i += 3) {
        unsigned v = (unsigned char)s[i] << 16;
        if (i + 1 < n)
            v |= (unsigned char)s[i + 1] << 8;
        if (i + 2 < n)
            v |= (unsigned char)s[i + 2];
        rc = buf_putc(b, tab[(v >> 18) & 63]);
        rc = rc ? rc : buf_putc(b, tab[(v >> 12) & 63]);
        rc = rc ? rc : buf_putc(b, i + 1 < n ? tab[(v >> 6) & 63] : '=');
        rc = rc ? rc : buf_putc(b, i + 2 < n ? tab[v & 63] : '=');
    }
    return rc;
}

int am_http_auth_header(const struct am_http_config *h, char **out, struct err *e)
{
    char *secret = NULL;
    int rc = 0;
    *out = NULL;
    if (!h)
        return 0;
    if (h->authorization) {
        const struct am_authorization *a = h->authorization;
        const char *type = a->type && a->type[0] ? a->type : "Bearer";
        if (a->credentials_file && a->credentials_file[0]) {
            if ((rc = am_read_secret_file(a->credentials_file, &secret, e)) != 0)
                return rc;
            *out = xasprintf("%s %s", type, secret);
        } else if (a->credentials && a->credentials[0]) {
            *out = xasprintf("%s %s", type, a->credentials);
        }
    } else if (h->bearer_token_file && h->bearer_token_file[0]) {
        if ((rc = am_read_secret_file(h->bearer_token_file, &secret, e)) != 0)
            return rc;
        *out = xasprintf("Bearer %s", secret);
    } else if (h->bearer_token && h->bearer_token[0]) {
        *out = xasprintf("Bearer %s", h->bearer_token);
    } else if (h->basic_auth) {
        const struct am_basic_auth *ba = h->basic_auth;
        struct buf b;
        char *pair;
        if (ba->password_file && ba->password_file[0] &&
            (rc = am_read_secret_file(ba->password_file, &secret, e)) != 0)
            return rc;
        pair = xasprintf("%s:%s", ba->username ? ba->username : "",
                         secret ? secret : (ba->password ? ba->password : ""));
        buf_init(&b, 0);
        buf_puts(&b, "Basic ");
        base64(pair, &b);
        *out = buf_steal(&b, NULL);
        buf_fini(&b);
        xfree(pair);
    }
    xfree(secret);
    return rc;
}

void am_http_opts_from_config(const struct am_http_config *h, struct receiver_http_opts *o)
{
    memset(o, 0, sizeof(*o));
    o->follow_redirects = true;
    if (!h)
        return;
    o->follow_redirects = h->follow_redirects;
    o->proxy_url = h->proxy_url;
    if (h->tls_config) {
        o->ca_file = h->tls_config->ca_file;
        o->cert_file = h->tls_config->cert_file;
        o->key_file = h->tls_config->key_file;
        o->insecure_skip_verify = h->tls_config->insecure_skip_verify;
    }
}

char *am_truncate_runes(char *s, size_t n, bool *cut)
{
    size_t runes = 0, keep = 0, len = strlen(s);
    *cut = false;
    for (size_t i = 0; i < len; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            runes++;
    if (runes <= n)
        return s;
    *cut = true;
    /* keep n-3 runes (n when n <= 3), then "..." */
    {
        size_t want = n <= 3 ? n : n - 3, seen = 0;
        for (keep = 0; keep < len; keep++) {
            if (((unsigned char)s[keep] & 0xC0) != 0x80) {
                if (seen == want)
                    break;
                seen++;
            }
        }
    }
    s = xrealloc(s, keep + 4);
    if (n <= 3) {
        s[keep] = '\0';
    } else {
        memcpy(s + keep, "...", 4);
    }
    return s;
}

void am_group_key_hash(const char *key, char out[65])
{
    unsigned char md[SHA256_DIGEST_LENGTH];
    static const char hex[] = "0123456789abcdef";
    SHA256((const unsigned char *)key, strlen(key), md);
    for (size_t i = 0; i < SHA256_DIGEST_LENGTH; i++) {
        out[2 * i] = hex[md[i] >> 4];
        out[2 * i + 1] = hex[md[i] & 15];
    }
    out[64] = '\0';
}

int am_json_str(struct buf *b, const char *s)
{
    return am_json_put_string(b, s ? s : "", s ? strlen(s) : 0, true);
}

struct post_call {
    am_notify_done_cb done;
    void *arg;
    int64_t now;
    const char *kind;
};

static void post_done(void *arg, const struct receiver_response *r)
{
    struct post_call *c = arg;
    struct am_notify_result res;
    am_notify_result_from_http(r, c->kind, c->now, &res);
    c->done(c->arg, &res);
    xfree(c);
}

int am_post(struct receiver_sender *s, const char *kind, const char *url, const char *ctype,
            const char *auth, const struct am_http_config *hc, const char *body, size_t len,
            int64_t now, int64_t timeout_ns, am_notify_done_cb done, void *arg)
{
    struct receiver_http_opts o;
    struct receiver_header h[3] = {
        {"Content-Type", ctype},
        {"User-Agent", "Tocsin-Notifier/" TOCSIN_VERSION},
        {"Authorization", auth},
    };
    struct post_call *c = xmalloc(sizeof(*c));
    int rc;
    c->done = done;
    c->arg = arg;
    c->now = now;
    c->kind = kind;
    am_http_opts_from_config(hc, &o);
    rc = s->send(s, url, h, auth ? 3 : 2, &o, body, len, timeout_ns, post_done, c);
    if (rc != 0)
        xfree(c);
    return rc;
}

void am_notify_fail(am_notify_done_cb done, void *arg, const char *kind, const char *fmt, ...)
{
    struct am_notify_result r;
    char msg[sizeof(r.msg)];
    va_list ap;
    memset(&r, 0, sizeof(r));
    r.outcome = AM_NOTIFY_FAIL;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    snprintf(r.msg, sizeof(r.msg), "%.32s: %.200s", kind, msg);
    done(arg, &r);
}
