/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Descriptors of every Alertmanager 0.25 config object (HTTP client, TLS, global, each
 * integration and its sub-objects) with Alertmanager's defaults, checks and global inheritance.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "common/err.h"
#include "common/xalloc.h"
#include "common/yamlx.h"
#include "notifier/config/config_int.h"

#define F(k, t, st, m)                        \
    {                                         \
        k, t, offsetof(struct st, m), NULL, 0 \
    }
#define FA(k, t, st, m)                               \
    {                                                 \
        k, t, offsetof(struct st, m), NULL, CF_ALWAYS \
    }
#define FO(k, t, st, m, sub)                  \
    {                                         \
        k, t, offsetof(struct st, m), &sub, 0 \
    }
#define END                      \
    {                            \
        NULL, CF_STR, 0, NULL, 0 \
    }

static char *dflt(const char *s)
{
    return xstrdup(s);
}

static bool set(const char *s)
{
    return s != NULL && *s != 0;
}

/* ---- TLS ---- */

static int tls_check(void *obj, const struct yamlx_node *n, struct err *e)
{
    struct am_tls_config *t = obj;
    if (set(t->cert_file) != set(t->key_file))
        return yamlx_error(e, n, ERR_INVALID,
                           "exactly one of key or key_file must be configured when a client "
                           "certificate is configured");
    return 0;
}

static const struct cf_field tls_fields[] = {
    F("ca_file", CF_STR, am_tls_config, ca_file),
    F("cert_file", CF_STR, am_tls_config, cert_file),
    F("key_file", CF_STR, am_tls_config, key_file),
    F("server_name", CF_STR, am_tls_config, server_name),
    FA("insecure_skip_verify", CF_BOOL, am_tls_config, insecure_skip_verify),
    F("min_version", CF_STR, am_tls_config, min_version),
    F("max_version", CF_STR, am_tls_config, max_version),
    END,
};
const struct cf_desc am_desc_tls_config = {"tls_config", sizeof(struct am_tls_config), tls_fields,
                                           NULL, tls_check};

/* ---- HTTP client ---- */

static int basic_check(void *obj, const struct yamlx_node *n, struct err *e)
{
    struct am_basic_auth *b = obj;
    if (set(b->password) && set(b->password_file))
        return yamlx_error(e, n, ERR_INVALID,
                           "at most one of basic_auth password & password_file must be configured");
    return 0;
}
static const struct cf_field basic_fields[] = {
    F("username", CF_STR, am_basic_auth, username),
    F("password", CF_SECRET, am_basic_auth, password),
    F("password_file", CF_STR, am_basic_auth, password_file),
    END,
};
static const struct cf_desc desc_basic = {"basic_auth", sizeof(struct am_basic_auth), basic_fields,
                                          NULL, basic_check};

static const struct cf_field authz_fields[] = {
    F("type", CF_STR, am_authorization, type),
    F("credentials", CF_SECRET, am_authorization, credentials),
    F("credentials_file", CF_STR, am_authorization, credentials_file),
    END,
};
static const struct cf_desc desc_authz = {"authorization", sizeof(struct am_authorization),
                                          authz_fields, NULL, NULL};

static int oauth2_check(void *obj, const struct yamlx_node *n, struct err *e)
{
    struct am_oauth2 *o = obj;
    if (!set(o->client_id))
        return yamlx_error(e, n, ERR_INVALID, "oauth2 client_id must be configured");
    if (set(o->client_secret) && set(o->client_secret_file))
        return yamlx_error(e, n, ERR_INVALID,
                           "at most one of oauth2 client_secret & client_secret_file must be "
                           "configured");
    if (!set(o->token_url))
        return yamlx_error(e, n, ERR_INVALID, "oauth2 token_url must be configured");
    return 0;
}
static const struct cf_field oauth2_fields[] = {
    F("client_id", CF_STR, am_oauth2, client_id),
    F("client_secret", CF_SECRET, am_oauth2, client_secret),
    FA("client_secret_file", CF_STR, am_oauth2, client_secret_file),
    F("scopes", CF_STRV, am_oauth2, scopes),
    F("token_url", CF_STR, am_oauth2, token_url),
    F("endpoint_params", CF_STRMAP, am_oauth2, endpoint_params),
    FO("tls_config", CF_OBJ, am_oauth2, tls_config, am_desc_tls_config),
    F("proxy_url", CF_STR, am_oauth2, proxy_url),
    END,
};
static const struct cf_desc desc_oauth2 = {"oauth2", sizeof(struct am_oauth2), oauth2_fields, NULL,
                                           oauth2_check};

static void http_init(void *obj)
{
    struct am_http_config *h = obj;
    h->follow_redirects = true;
    h->enable_http2 = true;
}

static int http_check(void *obj, const struct yamlx_node *n, struct err *e)
{
    struct am_http_config *h = obj;
    if (set(h->bearer_token) && set(h->bearer_token_file))
        return yamlx_error(e, n, ERR_INVALID,
                           "at most one of bearer_token & bearer_token_file must be configured");
    if (h->basic_auth && (set(h->bearer_token) || set(h->bearer_token_file)))
        return yamlx_error(e, n, ERR_INVALID,
                           "at most one of basic_auth, bearer_token & bearer_token_file must be "
                           "configured");
    if (h->authorization) {
        if (set(h->bearer_token) || set(h->bearer_token_file))
            return yamlx_error(e, n, ERR_INVALID,
                               "authorization is not compatible with bearer_token & "
                               "bearer_token_file");
        if (set(h->authorization->credentials) && set(h->authorization->credentials_file))
            return yamlx_error(e, n, ERR_INVALID,
                               "at most one of authorization credentials & credentials_file must "
                               "be configured");
        if (!set(h->authorization->type)) {
            xfree(h->authorization->type);
            h->authorization->type = dflt("Bearer");
        }
        if (strcasecmp(h->authorization->type, "basic") == 0)
            return yamlx_error(e, n, ERR_INVALID,
                               "authorization type cannot be set to \"basic\", use \"basic_auth\" "
                               "instead");
        if (h->basic_auth)
            return yamlx_error(e, n, ERR_INVALID,
                               "at most one of basic_auth, oauth2 & authorization must be "
                               "configured");
    }
    if (h->oauth2 && (h->basic_auth || h->authorization))
        return yamlx_error(e, n, ERR_INVALID,
                           "at most one of basic_auth, oauth2 & authorization must be configured");
    /* Like prometheus/common: bearer_token(_file) become an authorization of type Bearer. */
    if (set(h->bearer_token) || set(h->bearer_token_file)) {
        h->authorization = xcalloc(1, sizeof(*h->authorization));
        h->authorization->type = dflt("Bearer");
        if (set(h->bearer_token))
            h->authorization->credentials = h->bearer_token;
        else
            xfree(h->bearer_token);
        if (set(h->bearer_token_file))
            h->authorization->credentials_file = h->bearer_token_file;
        else
            xfree(h->bearer_token_file);
        h->bearer_token = h->bearer_token_file = NULL;
    }
    return 0;
}

static const struct cf_field http_fields[] = {
    FO("basic_auth", CF_OBJ, am_http_config, basic_auth, desc_basic),
    FO("authorization", CF_OBJ, am_http_config, authorization, desc_authz),
    FO("oauth2", CF_OBJ, am_http_config, oauth2, desc_oauth2),
    F("bearer_token", CF_SECRET, am_http_config, bearer_token),
    F("bearer_token_file", CF_STR, am_http_config, bearer_token_file),
    FO("tls_config", CF_OBJ, am_http_config, tls_config, am_desc_tls_config),
    F("proxy_url", CF_STR, am_http_config, proxy_url),
    F("proxy_connect_header", CF_STRMAP, am_http_config, proxy_connect_header),
    FA("follow_redirects", CF_BOOL, am_http_config, follow_redirects),
    FA("enable_http2", CF_BOOL, am_http_config, enable_http2),
    END,
};
const struct cf_desc am_desc_http_config = {"http_config", sizeof(struct am_http_config),
                                            http_fields, http_init, http_check};

/* ---- global ---- */

static void global_init(void *obj)
{
    struct am_global *g = obj;
    g->resolve_timeout_ms = 5 * 60 * 1000;
    g->http_config = xcalloc(1, sizeof(*g->http_config));
    http_init(g->http_config);
    g->smtp_hello = dflt("localhost");
    g->smtp_require_tls = true;
    g->pagerduty_url = dflt("https://events.pagerduty.com/v2/enqueue");
    g->opsgenie_api_url = dflt("https://api.opsgenie.com/");
    g->wechat_api_url = dflt("https://qyapi.weixin.qq.com/cgi-bin/");
    g->victorops_api_url = dflt("https://alert.victorops.com/integrations/generic/20131114/alert/");
    g->telegram_api_url = dflt("https://api.telegram.org");
    g->webex_api_url = dflt("https://webexapis.com/v1/messages");
}

int am_global_check(const struct am_global *g, const struct yamlx_node *n, struct err *e)
{
    if (set(g->smtp_auth_password) && set(g->smtp_auth_password_file))
        return yamlx_error(e, n, ERR_INVALID,
                           "at most one of smtp_auth_password & smtp_auth_password_file must be "
                           "configured");
    if (set(g->slack_api_url) && set(g->slack_api_url_file))
        return yamlx_error(e, n, ERR_INVALID,
                           "at most one of slack_api_url & slack_api_url_file must be configured");
    if (set(g->opsgenie_api_key) && set(g->opsgenie_api_key_file))
        return yamlx_error(e, n, ERR_INVALID,
                           "at most one of opsgenie_api_key & opsgenie_api_key_file must be "
                           "configured");
    if (set(g->victorops_api_key) && set(g->victorops_api_key_file))
        return yamlx_error(e, n, ERR_INVALID,
                           "at most one of victorops_api_key & victorops_api_key_file must be "
                           "configured");
    return 0;
}

static const struct cf_field global_fields[] = {
    FA("resolve_timeout", CF_DURATION, am_global, resolve_timeout_ms),
    FO("http_config", CF_OBJ, am_global, http_config, am_desc_http_config),
    F("smtp_from", CF_STR, am_global, smtp_from),
    F("smtp_hello", CF_STR, am_global, smtp_hello),
    F("smtp_smarthost", CF_HOSTPORT, am_global, smtp_smarthost),
    F("smtp_auth_username", CF_STR, am_global, smtp_auth_username),
    F("smtp_auth_password", CF_SECRET, am_global, smtp_auth_password),
    F("smtp_auth_password_file", CF_STR, am_global, smtp_auth_password_file),
    F("smtp_auth_secret", CF_SECRET, am_global, smtp_auth_secret),
    F("smtp_auth_identity", CF_STR, am_global, smtp_auth_identity),
    FA("smtp_require_tls", CF_BOOL, am_global, smtp_require_tls),
    F("slack_api_url", CF_SECRET_URL, am_global, slack_api_url),
    F("slack_api_url_file", CF_STR, am_global, slack_api_url_file),
    F("pagerduty_url", CF_URL, am_global, pagerduty_url),
    F("opsgenie_api_url", CF_URL, am_global, opsgenie_api_url),
    F("opsgenie_api_key", CF_SECRET, am_global, opsgenie_api_key),
    F("opsgenie_api_key_file", CF_STR, am_global, opsgenie_api_key_file),
    F("wechat_api_url", CF_URL, am_global, wechat_api_url),
    F("wechat_api_secret", CF_SECRET, am_global, wechat_api_secret),
    F("wechat_api_corp_id", CF_STR, am_global, wechat_api_corp_id),
    F("victorops_api_url", CF_URL, am_global, victorops_api_url),
    F("victorops_api_key", CF_SECRET, am_global, victorops_api_key),
    F("victorops_api_key_file", CF_STR, am_global, victorops_api_key_file),
    F("telegram_api_url", CF_URL, am_global, telegram_api_url),
    F("webex_api_url", CF_URL, am_global, webex_api_url),
    END,
};
const struct cf_desc am_desc_global = {"global", sizeof(struct am_global), global_fields,
                                       global_init, NULL};

/* ---- webhook ---- */

static void webhook_init(void *obj)
{
    ((struct am_webhook_config *)obj)->send_resolved = true;
}
static int webhook_check(void *obj, const struct yamlx_node *n, struct err *e)
{
    struct am_webhook_config *c = obj;
    if (!set(c->url))
        return yamlx_error(e, n, ERR_INVALID, "missing URL in webhook config");
    if (c->max_alerts < 0)
        return yamlx_error(e, yamlx_map_get(n, "max_alerts"), ERR_INVALID,
                           "cannot unmarshal !!int `%lld` into uint64", (long long)c->max_alerts);
    return 0;
}
static const struct cf_field webhook_fields[] = {
    FA("send_resolved", CF_BOOL, am_webhook_config, send_resolved),
    FO("http_config", CF_OBJ, am_webhook_config, http_config, am_desc_http_config),
    F("url", CF_URL, am_webhook_config, url),
    FA("max_alerts", CF_INT, am_webhook_config, max_alerts),
    END,
};
static const struct cf_desc desc_webhook = {"webhook config", sizeof(struct am_webhook_config),
                                            webhook_fields, webhook_init, webhook_check};

/* ---- email ---- */

static void email_init(void *obj)
{
    struct am_email_config *c = obj;
    c->send_resolved = false;
    c->html = dflt("{{ template \"email.default.html\" . }}");
    c->require_tls = AM_UNSET;
}
/* Go's textproto.CanonicalMIMEHeaderKey for plain ASCII tokens. */
static void canon_header(char *s)
{
    bool up = true;
    for (; *s; s++) {
        if (*s == ' ')
            return;
        if (up && *s >= 'a' && *s <= 'z')
            *s = (char)(*s - 'a' + 'A');
        else if (!up && *s >= 'A' && *s <= 'Z')
            *s = (char)(*s - 'A' + 'a');
        up = *s == '-';
    }
}
static int email_check(void *obj, const struct yamlx_node *n, struct err *e)
{
    struct am_email_config *c = obj;
    if (!set(c->to))
        return yamlx_error(e, n, ERR_INVALID, "missing to address in email config");
    for (size_t i = 0; i < c->headers.n; i++) {
        canon_header(c->headers.keys[i]);
        for (size_t j = 0; j < i; j++)
            if (strcmp(c->headers.keys[i], c->headers.keys[j]) == 0)
                return yamlx_error(e, yamlx_map_get(n, "headers"), ERR_INVALID,
                                   "duplicate header \"%s\" in email config", c->headers.keys[i]);
    }
    return 0;
}
static const struct cf_field email_fields[] = {
    FA("send_resolved", CF_BOOL, am_email_config, send_resolved),
    F("to", CF_STR, am_email_config, to),
    F("from", CF_STR, am_email_config, from),
    F("hello", CF_STR, am_email_config, hello),
    F("smarthost", CF_HOSTPORT, am_email_config, smarthost),
    F("auth_username", CF_STR, am_email_config, auth_username),
    F("auth_password", CF_SECRET, am_email_config, auth_password),
    F("auth_password_file", CF_STR, am_email_config, auth_password_file),
    F("auth_secret", CF_SECRET, am_email_config, auth_secret),
    F("auth_identity", CF_STR, am_email_config, auth_identity),
    F("headers", CF_STRMAP, am_email_config, headers),
    F("html", CF_STR, am_email_config, html),
    F("text", CF_STR, am_email_config, text),
    F("require_tls", CF_TRIBOOL, am_email_config, require_tls),
    FO("tls_config", CF_OBJ, am_email_config, tls_config, am_desc_tls_config),
    END,
};
static const struct cf_desc desc_email = {"email config", sizeof(struct am_email_config),
                                          email_fields, email_init, email_check};

/* ---- pagerduty ---- */

static const struct cf_field pd_link_fields[] = {
    F("href", CF_STR, am_pagerduty_link, href),
    F("text", CF_STR, am_pagerduty_link, text),
    END,
};
static const struct cf_desc desc_pd_link = {"pagerduty link", sizeof(struct am_pagerduty_link),
                                            pd_link_fields, NULL, NULL};
static const struct cf_field pd_image_fields[] = {
    F("src", CF_STR, am_pagerduty_image, src),
    F("alt", CF_STR, am_pagerduty_image, alt),
    F("href", CF_STR, am_pagerduty_image, href),
    END,
};
static const struct cf_desc desc_pd_image = {"pagerduty image", sizeof(struct am_pagerduty_image),
                                             pd_image_fields, NULL, NULL};
static void pd_init(void *obj)
{
    struct am_pagerduty_config *c = obj;
    c->send_resolved = true;
    c->description = dflt("{{ template \"pagerduty.default.description\" .}}");
    c->client = dflt("{{ template \"pagerduty.default.client\" . }}");
    c->client_url = dflt("{{ template \"pagerduty.default.clientURL\" . }}");
}
static void strmap_add(struct am_strmap *m, const char *k, const char *v)
{
    for (size_t i = 0; i < m->n; i++)
        if (strcmp(m->keys[i], k) == 0)
            return;
    m->keys = xreallocarray(m->keys, m->n + 2, sizeof(char *));
    m->values = xreallocarray(m->values, m->n + 2, sizeof(char *));
    m->keys[m->n] = xstrdup(k);
    m->values[m->n] = xstrdup(v);
    m->n++;
    m->keys[m->n] = NULL;
    m->values[m->n] = NULL;
}
static int pd_check(void *obj, const struct yamlx_node *n, struct err *e)
{
    struct am_pagerduty_config *c = obj;
    if (!set(c->routing_key) && !set(c->service_key) && !set(c->routing_key_file) &&
        !set(c->service_key_file))
        return yamlx_error(e, n, ERR_INVALID, "missing service or routing key in PagerDuty config");
    if (set(c->routing_key) && set(c->routing_key_file))
        return yamlx_error(e, n, ERR_INVALID,
                           "at most one of routing_key & routing_key_file must be configured");
    if (set(c->service_key) && set(c->service_key_file))
        return yamlx_error(e, n, ERR_INVALID,
                           "at most one of service_key & service_key_file must be configured");
    if (!set(c->source) && c->client) {
        xfree(c->source);
        c->source = xstrdup(c->client);
    }
    strmap_add(&c->details, "firing",
               "{{ template \"pagerduty.default.instances\" .Alerts.Firing }}");
    strmap_add(&c->details, "resolved",
               "{{ template \"pagerduty.default.instances\" .Alerts.Resolved }}");
    strmap_add(&c->details, "num_firing", "{{ .Alerts.Firing | len }}");
    strmap_add(&c->details, "num_resolved", "{{ .Alerts.Resolved | len }}");
    return 0;
}
static const struct cf_field pd_fields[] = {
    FA("send_resolved", CF_BOOL, am_pagerduty_config, send_resolved),
    FO("http_config", CF_OBJ, am_pagerduty_config, http_config, am_desc_http_config),
    F("service_key", CF_SECRET, am_pagerduty_config, service_key),
    F("service_key_file", CF_STR, am_pagerduty_config, service_key_file),
    F("routing_key", CF_SECRET, am_pagerduty_config, routing_key),
    F("routing_key_file", CF_STR, am_pagerduty_config, routing_key_file),
    F("url", CF_URL, am_pagerduty_config, url),
    F("client", CF_STR, am_pagerduty_config, client),
    F("client_url", CF_STR, am_pagerduty_config, client_url),
    F("description", CF_STR, am_pagerduty_config, description),
    F("details", CF_STRMAP, am_pagerduty_config, details),
    FO("images", CF_OBJLIST, am_pagerduty_config, images, desc_pd_image),
    FO("links", CF_OBJLIST, am_pagerduty_config, links, desc_pd_link),
    F("source", CF_STR, am_pagerduty_config, source),
    F("severity", CF_STR, am_pagerduty_config, severity),
    F("class", CF_STR, am_pagerduty_config, class_),
    F("component", CF_STR, am_pagerduty_config, component),
    F("group", CF_STR, am_pagerduty_config, group),
    END,
};
static const struct cf_desc desc_pagerduty = {
    "pagerduty config", sizeof(struct am_pagerduty_config), pd_fields, pd_init, pd_check};

/* ---- slack ---- */

static int slack_confirm_check(void *obj, const struct yamlx_node *n, struct err *e)
{
    if (!set(((struct am_slack_confirm *)obj)->text))
        return yamlx_error(e, n, ERR_INVALID, "missing text in Slack confirmation configuration");
    return 0;
}
static const struct cf_field slack_confirm_fields[] = {
    F("text", CF_STR, am_slack_confirm, text),
    F("title", CF_STR, am_slack_confirm, title),
    F("ok_text", CF_STR, am_slack_confirm, ok_text),
    F("dismiss_text", CF_STR, am_slack_confirm, dismiss_text),
    END,
};
static const struct cf_desc desc_slack_confirm = {"slack confirm", sizeof(struct am_slack_confirm),
                                                  slack_confirm_fields, NULL, slack_confirm_check};
static int slack_action_check(void *obj, const struct yamlx_node *n, struct err *e)
{
    struct am_slack_action *a = obj;
    if (!set(a->type))
        return yamlx_error(e, n, ERR_INVALID, "missing type in Slack action configuration");
    if (!set(a->text))
        return yamlx_error(e, n, ERR_INVALID, "missing text in Slack action configuration");
    if (set(a->url)) {
        xfree(a->name);
        xfree(a->value);
        a->name = a->value = NULL;
        cf_free(&desc_slack_confirm, a->confirm);
        a->confirm = NULL;
    } else if (!set(a->name)) {
        return yamlx_error(e, n, ERR_INVALID, "missing name or url in Slack action configuration");
    }
    return 0;
}
static const struct cf_field slack_action_fields[] = {
    F("type", CF_STR, am_slack_action, type),
    F("text", CF_STR, am_slack_action, text),
    F("url", CF_STR, am_slack_action, url),
    F("style", CF_STR, am_slack_action, style),
    F("name", CF_STR, am_slack_action, name),
    F("value", CF_STR, am_slack_action, value),
    FO("confirm", CF_OBJ, am_slack_action, confirm, desc_slack_confirm),
    END,
};
static const struct cf_desc desc_slack_action = {"slack action", sizeof(struct am_slack_action),
                                                 slack_action_fields, NULL, slack_action_check};
static void slack_field_init(void *obj)
{
    ((struct am_slack_field *)obj)->short_ = AM_UNSET;
}
static int slack_field_check(void *obj, const struct yamlx_node *n, struct err *e)
{
    struct am_slack_field *f = obj;
    if (!set(f->title))
        return yamlx_error(e, n, ERR_INVALID, "missing title in Slack field configuration");
    if (!set(f->value))
        return yamlx_error(e, n, ERR_INVALID, "missing value in Slack field configuration");
    return 0;
}
static const struct cf_field slack_field_fields[] = {
    F("title", CF_STR, am_slack_field, title),
    F("value", CF_STR, am_slack_field, value),
    F("short", CF_TRIBOOL, am_slack_field, short_),
    END,
};
static const struct cf_desc desc_slack_field = {"slack field", sizeof(struct am_slack_field),
                                                slack_field_fields, slack_field_init,
                                                slack_field_check};
static void slack_init(void *obj)
{
    struct am_slack_config *c = obj;
    c->send_resolved = false;
    c->color = dflt("{{ if eq .Status \"firing\" }}danger{{ else }}good{{ end }}");
    c->username = dflt("{{ template \"slack.default.username\" . }}");
    c->title = dflt("{{ template \"slack.default.title\" . }}");
    c->title_link = dflt("{{ template \"slack.default.titlelink\" . }}");
    c->icon_emoji = dflt("{{ template \"slack.default.iconemoji\" . }}");
    c->icon_url = dflt("{{ template \"slack.default.iconurl\" . }}");
    c->pretext = dflt("{{ template \"slack.default.pretext\" . }}");
    c->text = dflt("{{ template \"slack.default.text\" . }}");
    c->fallback = dflt("{{ template \"slack.default.fallback\" . }}");
    c->callback_id = dflt("{{ template \"slack.default.callbackid\" . }}");
    c->footer = dflt("{{ template \"slack.default.footer\" . }}");
}
static int slack_check(void *obj, const struct yamlx_node *n, struct err *e)
{
    struct am_slack_config *c = obj;
    if (set(c->api_url) && set(c->api_url_file))
        return yamlx_error(e, n, ERR_INVALID,
                           "at most one of api_url & api_url_file must be configured");
    return 0;
}
static const struct cf_field slack_fields[] = {
    FA("send_resolved", CF_BOOL, am_slack_config, send_resolved),
    FO("http_config", CF_OBJ, am_slack_config, http_config, am_desc_http_config),
    F("api_url", CF_SECRET_URL, am_slack_config, api_url),
    F("api_url_file", CF_STR, am_slack_config, api_url_file),
    F("channel", CF_STR, am_slack_config, channel),
    F("username", CF_STR, am_slack_config, username),
    F("color", CF_STR, am_slack_config, color),
    F("title", CF_STR, am_slack_config, title),
    F("title_link", CF_STR, am_slack_config, title_link),
    F("pretext", CF_STR, am_slack_config, pretext),
    F("text", CF_STR, am_slack_config, text),
    FO("fields", CF_OBJLIST, am_slack_config, fields, desc_slack_field),
    FA("short_fields", CF_BOOL, am_slack_config, short_fields),
    F("footer", CF_STR, am_slack_config, footer),
    F("fallback", CF_STR, am_slack_config, fallback),
    F("callback_id", CF_STR, am_slack_config, callback_id),
    F("icon_emoji", CF_STR, am_slack_config, icon_emoji),
    F("icon_url", CF_STR, am_slack_config, icon_url),
    F("image_url", CF_STR, am_slack_config, image_url),
    F("thumb_url", CF_STR, am_slack_config, thumb_url),
    FA("link_names", CF_BOOL, am_slack_config, link_names),
    F("mrkdwn_in", CF_STRV, am_slack_config, mrkdwn_in),
    FO("actions", CF_OBJLIST, am_slack_config, actions, desc_slack_action),
    END,
};
static const struct cf_desc desc_slack = {"slack config", sizeof(struct am_slack_config),
                                          slack_fields, slack_init, slack_check};

/* ---- opsgenie ---- */

static const struct cf_field og_resp_fields[] = {
    F("id", CF_STR, am_opsgenie_responder, id),
    F("name", CF_STR, am_opsgenie_responder, name),
    F("username", CF_STR, am_opsgenie_responder, username),
    F("type", CF_STR, am_opsgenie_responder, type),
    END,
};
static const struct cf_desc desc_og_resp = {
    "opsgenie responder", sizeof(struct am_opsgenie_responder), og_resp_fields, NULL, NULL};
static void og_init(void *obj)
{
    struct am_opsgenie_config *c = obj;
    c->send_resolved = true;
    c->message = dflt("{{ template \"opsgenie.default.message\" . }}");
    c->description = dflt("{{ template \"opsgenie.default.description\" . }}");
    c->source = dflt("{{ template \"opsgenie.default.source\" . }}");
}
static int og_check(void *obj, const struct yamlx_node *n, struct err *e)
{
    struct am_opsgenie_config *c = obj;
    static const char *const types[] = {"team", "teams", "user", "escalation", "schedule", NULL};
    if (set(c->api_key) && set(c->api_key_file))
        return yamlx_error(e, n, ERR_INVALID,
                           "at most one of api_key & api_key_file must be configured");
    for (size_t i = 0; i < c->responders.n; i++) {
        struct am_opsgenie_responder *r = c->responders.v[i];
        bool ok = false;
        /* Go prints the responder with %v: {id name username type}. */
        char desc[512];
        snprintf(desc, sizeof(desc), "{%s %s %s %s}", r->id ? r->id : "", r->name ? r->name : "",
                 r->username ? r->username : "", r->type ? r->type : "");
        if (!set(r->id) && !set(r->username) && !set(r->name))
            return yamlx_error(e, n, ERR_INVALID,
                               "opsGenieConfig responder %s has to have at least one of id, "
                               "username or name specified",
                               desc);
        if (r->type && strstr(r->type, "{{"))
            continue;
        /* Validated in lower case; the stored value is kept as written (Go checks a copy). */
        for (size_t j = 0; types[j]; j++)
            if (r->type && strcasecmp(r->type, types[j]) == 0)
                ok = true;
        if (!ok)
            return yamlx_error(e, n, ERR_INVALID,
                               "opsGenieConfig responder %s type does not match valid options "
                               "^(team|teams|user|escalation|schedule)$",
                               desc);
    }
    return 0;
}
static const struct cf_field og_fields[] = {
    FA("send_resolved", CF_BOOL, am_opsgenie_config, send_resolved),
    FO("http_config", CF_OBJ, am_opsgenie_config, http_config, am_desc_http_config),
    F("api_key", CF_SECRET, am_opsgenie_config, api_key),
    F("api_key_file", CF_STR, am_opsgenie_config, api_key_file),
    F("api_url", CF_URL, am_opsgenie_config, api_url),
    F("message", CF_STR, am_opsgenie_config, message),
    F("description", CF_STR, am_opsgenie_config, description),
    F("source", CF_STR, am_opsgenie_config, source),
    F("details", CF_STRMAP, am_opsgenie_config, details),
    F("entity", CF_STR, am_opsgenie_config, entity),
    FO("responders", CF_OBJLIST, am_opsgenie_config, responders, desc_og_resp),
    F("actions", CF_STR, am_opsgenie_config, actions),
    F("tags", CF_STR, am_opsgenie_config, tags),
    F("note", CF_STR, am_opsgenie_config, note),
    F("priority", CF_STR, am_opsgenie_config, priority),
    F("update_alerts", CF_BOOL, am_opsgenie_config, update_alerts),
    END,
};
static const struct cf_desc desc_opsgenie = {"opsgenie config", sizeof(struct am_opsgenie_config),
                                             og_fields, og_init, og_check};

/* ---- wechat ---- */

static void wechat_init(void *obj)
{
    struct am_wechat_config *c = obj;
    c->send_resolved = false;
    c->message = dflt("{{ template \"wechat.default.message\" . }}");
    c->to_user = dflt("{{ template \"wechat.default.to_user\" . }}");
    c->to_party = dflt("{{ template \"wechat.default.to_party\" . }}");
    c->to_tag = dflt("{{ template \"wechat.default.to_tag\" . }}");
    c->agent_id = dflt("{{ template \"wechat.default.agent_id\" . }}");
}
static int wechat_check(void *obj, const struct yamlx_node *n, struct err *e)
{
    struct am_wechat_config *c = obj;
    if (!set(c->message_type)) {
        xfree(c->message_type);
        c->message_type = dflt("text");
    }
    if (strcmp(c->message_type, "text") != 0 && strcmp(c->message_type, "markdown") != 0)
        return yamlx_error(e, n, ERR_INVALID,
                           "weChat message type \"%s\" does not match valid options "
                           "^(text|markdown)$",
                           c->message_type);
    return 0;
}
static const struct cf_field wechat_fields[] = {
    FA("send_resolved", CF_BOOL, am_wechat_config, send_resolved),
    FO("http_config", CF_OBJ, am_wechat_config, http_config, am_desc_http_config),
    F("api_secret", CF_SECRET, am_wechat_config, api_secret),
    F("corp_id", CF_STR, am_wechat_config, corp_id),
    F("message", CF_STR, am_wechat_config, message),
    F("api_url", CF_URL, am_wechat_config, api_url),
    F("to_user", CF_STR, am_wechat_config, to_user),
    F("to_party", CF_STR, am_wechat_config, to_party),
    F("to_tag", CF_STR, am_wechat_config, to_tag),
    F("agent_id", CF_STR, am_wechat_config, agent_id),
    F("message_type", CF_STR, am_wechat_config, message_type),
    END,
};
static const struct cf_desc desc_wechat = {"wechat config", sizeof(struct am_wechat_config),
                                           wechat_fields, wechat_init, wechat_check};

/* ---- pushover ---- */

static void pushover_init(void *obj)
{
    struct am_pushover_config *c = obj;
    c->send_resolved = true;
    c->title = dflt("{{ template \"pushover.default.title\" . }}");
    c->message = dflt("{{ template \"pushover.default.message\" . }}");
    c->url = dflt("{{ template \"pushover.default.url\" . }}");
    c->priority = dflt("{{ if eq .Status \"firing\" }}2{{ else }}0{{ end }}");
    c->retry_ms = 60 * 1000;
    c->expire_ms = 3600 * 1000;
}
static int pushover_check(void *obj, const struct yamlx_node *n, struct err *e)
{
    struct am_pushover_config *c = obj;
    if (!set(c->user_key) && !set(c->user_key_file))
        return yamlx_error(e, n, ERR_INVALID, "missing user key in Pushover config");
    if (set(c->user_key) && set(c->user_key_file))
        return yamlx_error(e, n, ERR_INVALID,
                           "at most one of user_key & user_key_file must be configured");
    if (!set(c->token) && !set(c->token_file))
        return yamlx_error(e, n, ERR_INVALID, "missing token in Pushover config");
    if (set(c->token) && set(c->token_file))
        return yamlx_error(e, n, ERR_INVALID,
                           "at most one of token & token_file must be configured");
    if (c->html && c->monospace)
        return yamlx_error(e, n, ERR_INVALID, "at most one of monospace & html must be configured");
    return 0;
}
static const struct cf_field pushover_fields[] = {
    FA("send_resolved", CF_BOOL, am_pushover_config, send_resolved),
    FO("http_config", CF_OBJ, am_pushover_config, http_config, am_desc_http_config),
    F("user_key", CF_SECRET, am_pushover_config, user_key),
    F("token", CF_SECRET, am_pushover_config, token),
    F("title", CF_STR, am_pushover_config, title),
    F("message", CF_STR, am_pushover_config, message),
    F("url", CF_STR, am_pushover_config, url),
    F("url_title", CF_STR, am_pushover_config, url_title),
    F("sound", CF_STR, am_pushover_config, sound),
    F("priority", CF_STR, am_pushover_config, priority),
    F("retry", CF_GODURATION, am_pushover_config, retry_ms),
    F("expire", CF_GODURATION, am_pushover_config, expire_ms),
    FA("html", CF_BOOL, am_pushover_config, html),
    END,
};
static const struct cf_desc desc_pushover = {"pushover config", sizeof(struct am_pushover_config),
                                             pushover_fields, pushover_init, pushover_check};

/* ---- victorops ---- */

static void vo_init(void *obj)
{
    struct am_victorops_config *c = obj;
    c->send_resolved = true;
    c->message_type = dflt("CRITICAL");
    c->state_message = dflt("{{ template \"victorops.default.state_message\" . }}");
    c->entity_display_name = dflt("{{ template \"victorops.default.entity_display_name\" . }}");
    c->monitoring_tool = dflt("{{ template \"victorops.default.monitoring_tool\" . }}");
}
static int vo_check(void *obj, const struct yamlx_node *n, struct err *e)
{
    static const char *const reserved[] = {
        "routing_key",     "message_type", "state_message", "entity_display_name",
        "monitoring_tool", "entity_id",    "entity_state",  NULL};
    struct am_victorops_config *c = obj;
    if (!set(c->routing_key))
        return yamlx_error(e, n, ERR_INVALID, "missing Routing key in VictorOps config");
    if (set(c->api_key) && set(c->api_key_file))
        return yamlx_error(e, n, ERR_INVALID,
                           "at most one of api_key & api_key_file must be configured");
    for (size_t i = 0; i < c->custom_fields.n; i++)
        for (size_t j = 0; reserved[j]; j++)
            if (strcmp(c->custom_fields.keys[i], reserved[j]) == 0)
                return yamlx_error(e, n, ERR_INVALID,
                                   "victorOps config contains custom field %s which cannot be "
                                   "used as it conflicts with the fixed/static fields",
                                   reserved[j]);
    return 0;
}
static const struct cf_field vo_fields[] = {
    FA("send_resolved", CF_BOOL, am_victorops_config, send_resolved),
    FO("http_config", CF_OBJ, am_victorops_config, http_config, am_desc_http_config),
    F("api_key", CF_SECRET, am_victorops_config, api_key),
    F("api_key_file", CF_STR, am_victorops_config, api_key_file),
    F("api_url", CF_URL, am_victorops_config, api_url),
    F("routing_key", CF_STR, am_victorops_config, routing_key),
    F("message_type", CF_STR, am_victorops_config, message_type),
    F("state_message", CF_STR, am_victorops_config, state_message),
    F("entity_display_name", CF_STR, am_victorops_config, entity_display_name),
    F("monitoring_tool", CF_STR, am_victorops_config, monitoring_tool),
    F("custom_fields", CF_STRMAP, am_victorops_config, custom_fields),
    END,
};
static const struct cf_desc desc_victorops = {
    "victorops config", sizeof(struct am_victorops_config), vo_fields, vo_init, vo_check};

/* ---- sns ---- */

static const struct cf_field sigv4_fields[] = {
    F("region", CF_STR, am_sigv4, region),
    F("access_key", CF_STR, am_sigv4, access_key),
    F("secret_key", CF_SECRET, am_sigv4, secret_key),
    F("profile", CF_STR, am_sigv4, profile),
    F("role_arn", CF_STR, am_sigv4, role_arn),
    END,
};
static int sigv4_check(void *obj, const struct yamlx_node *n, struct err *e)
{
    struct am_sigv4 *s = obj;
    if (set(s->access_key) != set(s->secret_key))
        return yamlx_error(e, n, ERR_INVALID,
                           "must provide a AWS SigV4 Access key and Secret Key if credentials "
                           "are specified in the SigV4 config");
    return 0;
}
static const struct cf_desc desc_sigv4 = {"sigv4", sizeof(struct am_sigv4), sigv4_fields, NULL,
                                          sigv4_check};
static void sns_init(void *obj)
{
    struct am_sns_config *c = obj;
    c->send_resolved = true;
    c->subject = dflt("{{ template \"sns.default.subject\" . }}");
    c->message = dflt("{{ template \"sns.default.message\" . }}");
}
static int sns_check(void *obj, const struct yamlx_node *n, struct err *e)
{
    struct am_sns_config *c = obj;
    bool a = !set(c->target_arn), b = !set(c->topic_arn), d = !set(c->phone_number);
    /* Go evaluates (a != b) != d; Alertmanager 0.25 rejects exactly when that is true. */
    if ((a != b) != d)
        return yamlx_error(e, n, ERR_INVALID,
                           "must provide either a Target ARN, Topic ARN, or Phone Number for SNS "
                           "config");
    return 0;
}
static const struct cf_field sns_fields[] = {
    FA("send_resolved", CF_BOOL, am_sns_config, send_resolved),
    FO("http_config", CF_OBJ, am_sns_config, http_config, am_desc_http_config),
    F("api_url", CF_STR, am_sns_config, api_url),
    {"sigv4", CF_OBJ, offsetof(struct am_sns_config, sigv4), &desc_sigv4, CF_ALWAYS},
    F("topic_arn", CF_STR, am_sns_config, topic_arn),
    F("phone_number", CF_STR, am_sns_config, phone_number),
    F("target_arn", CF_STR, am_sns_config, target_arn),
    F("subject", CF_STR, am_sns_config, subject),
    F("message", CF_STR, am_sns_config, message),
    F("attributes", CF_STRMAP, am_sns_config, attributes),
    END,
};
static const struct cf_desc desc_sns = {"sns config", sizeof(struct am_sns_config), sns_fields,
                                        sns_init, sns_check};

/* ---- telegram ---- */

static void tg_init(void *obj)
{
    struct am_telegram_config *c = obj;
    c->send_resolved = true;
    c->message = dflt("{{ template \"telegram.default.message\" . }}");
    c->parse_mode = dflt("HTML");
}
static int tg_check(void *obj, const struct yamlx_node *n, struct err *e)
{
    struct am_telegram_config *c = obj;
    if (!set(c->bot_token))
        return yamlx_error(e, n, ERR_INVALID, "missing bot_token on telegram_config");
    if (c->chat_id == 0)
        return yamlx_error(e, n, ERR_INVALID, "missing chat_id on telegram_config");
    if (set(c->parse_mode) && strcmp(c->parse_mode, "Markdown") != 0 &&
        strcmp(c->parse_mode, "MarkdownV2") != 0 && strcmp(c->parse_mode, "HTML") != 0)
        return yamlx_error(e, n, ERR_INVALID,
                           "unknown parse_mode on telegram_config, must be Markdown, MarkdownV2, "
                           "HTML or empty string");
    return 0;
}
static const struct cf_field tg_fields[] = {
    FA("send_resolved", CF_BOOL, am_telegram_config, send_resolved),
    FO("http_config", CF_OBJ, am_telegram_config, http_config, am_desc_http_config),
    F("api_url", CF_URL, am_telegram_config, api_url),
    F("bot_token", CF_SECRET, am_telegram_config, bot_token),
    F("chat_id", CF_INT, am_telegram_config, chat_id),
    F("message", CF_STR, am_telegram_config, message),
    F("disable_notifications", CF_BOOL, am_telegram_config, disable_notifications),
    F("parse_mode", CF_STR, am_telegram_config, parse_mode),
    END,
};
static const struct cf_desc desc_telegram = {"telegram config", sizeof(struct am_telegram_config),
                                             tg_fields, tg_init, tg_check};

/* ---- discord ---- */

static void discord_init(void *obj)
{
    struct am_discord_config *c = obj;
    c->send_resolved = true;
    c->title = dflt("{{ template \"discord.default.title\" . }}");
    c->message = dflt("{{ template \"discord.default.message\" . }}");
}
static const struct cf_field discord_fields[] = {
    FA("send_resolved", CF_BOOL, am_discord_config, send_resolved),
    FO("http_config", CF_OBJ, am_discord_config, http_config, am_desc_http_config),
    F("webhook_url", CF_SECRET_URL, am_discord_config, webhook_url),
    F("title", CF_STR, am_discord_config, title),
    F("message", CF_STR, am_discord_config, message),
    END,
};
static const struct cf_desc desc_discord = {"discord config", sizeof(struct am_discord_config),
                                            discord_fields, discord_init, NULL};

/* ---- webex ---- */

static void webex_init(void *obj)
{
    struct am_webex_config *c = obj;
    c->send_resolved = true;
    c->message = dflt("{{ template \"webex.default.message\" . }}");
}
static int webex_check(void *obj, const struct yamlx_node *n, struct err *e)
{
    struct am_webex_config *c = obj;
    if (!set(c->room_id))
        return yamlx_error(e, n, ERR_INVALID, "missing room_id on webex_config");
    if (c->http_config == NULL || c->http_config->authorization == NULL)
        return yamlx_error(e, n, ERR_INVALID, "missing webex_configs.http_config.authorization");
    return 0;
}
static const struct cf_field webex_fields[] = {
    FA("send_resolved", CF_BOOL, am_webex_config, send_resolved),
    FO("http_config", CF_OBJ, am_webex_config, http_config, am_desc_http_config),
    F("api_url", CF_URL, am_webex_config, api_url),
    F("message", CF_STR, am_webex_config, message),
    FA("room_id", CF_STR, am_webex_config, room_id),
    END,
};
static const struct cf_desc desc_webex = {"webex config", sizeof(struct am_webex_config),
                                          webex_fields, webex_init, webex_check};

/* ---- sms (Tocsin extension) ---- */

static void sms_init(void *obj)
{
    struct am_sms_config *c = obj;
    c->send_resolved = false;
    c->provider = dflt("twilio");
    c->body = dflt("{{ template \"sms.default.text\" . }}");
}
static int sms_check(void *obj, const struct yamlx_node *n, struct err *e)
{
    struct am_sms_config *c = obj;
    bool twilio;
    /* `provider:` with no value (YAML null) leaves the field empty: the default applies */
    if (c->provider == NULL || c->provider[0] == '\0') {
        xfree(c->provider);
        c->provider = xstrdup("twilio");
    }
    twilio = strcmp(c->provider, "twilio") == 0;
    if (!twilio && strcmp(c->provider, "generic") != 0)
        return yamlx_error(e, yamlx_map_get(n, "provider"), ERR_INVALID,
                           "unknown provider \"%s\" in sms config (twilio or generic)",
                           c->provider);
    if (c->to.n == 0)
        return yamlx_error(e, n, ERR_INVALID, "missing to in sms config");
    if (!twilio && !set(c->url))
        return yamlx_error(e, n, ERR_INVALID, "missing url in generic sms config");
    if (twilio) {
        if (!set(c->url)) {
            xfree(c->url);
            c->url = dflt("https://api.twilio.com");
        }
        if (!set(c->account_sid))
            return yamlx_error(e, n, ERR_INVALID, "missing account_sid in twilio sms config");
        if (set(c->auth_token) == set(c->auth_token_file))
            return yamlx_error(e, n, ERR_INVALID,
                               "exactly one of auth_token & auth_token_file must be configured "
                               "in twilio sms config");
        if (!set(c->from))
            return yamlx_error(e, n, ERR_INVALID, "missing from in twilio sms config");
    }
    return 0;
}
static const struct cf_field sms_fields[] = {
    FA("send_resolved", CF_BOOL, am_sms_config, send_resolved),
    FO("http_config", CF_OBJ, am_sms_config, http_config, am_desc_http_config),
    FA("provider", CF_STR, am_sms_config, provider),
    F("url", CF_URL, am_sms_config, url),
    F("account_sid", CF_STR, am_sms_config, account_sid),
    F("auth_token", CF_SECRET, am_sms_config, auth_token),
    F("auth_token_file", CF_STR, am_sms_config, auth_token_file),
    F("from", CF_STR, am_sms_config, from),
    F("to", CF_STRV, am_sms_config, to),
    F("body", CF_STR, am_sms_config, body),
    END,
};
static const struct cf_desc desc_sms = {"sms config", sizeof(struct am_sms_config), sms_fields,
                                        sms_init, sms_check};

#define K(name, key, desc, st)                             \
    {                                                      \
        name, key, &desc, offsetof(struct st, http_config) \
    }
const struct am_kind_info am_kinds[AM_INTEGRATION_KINDS] = {
    [AM_EMAIL] = {"email", "email_configs", &desc_email, (size_t)-1},
    [AM_PAGERDUTY] = K("pagerduty", "pagerduty_configs", desc_pagerduty, am_pagerduty_config),
    [AM_SLACK] = K("slack", "slack_configs", desc_slack, am_slack_config),
    [AM_WEBHOOK] = K("webhook", "webhook_configs", desc_webhook, am_webhook_config),
    [AM_OPSGENIE] = K("opsgenie", "opsgenie_configs", desc_opsgenie, am_opsgenie_config),
    [AM_WECHAT] = K("wechat", "wechat_configs", desc_wechat, am_wechat_config),
    [AM_PUSHOVER] = K("pushover", "pushover_configs", desc_pushover, am_pushover_config),
    [AM_VICTOROPS] = K("victorops", "victorops_configs", desc_victorops, am_victorops_config),
    [AM_SNS] = K("sns", "sns_configs", desc_sns, am_sns_config),
    [AM_TELEGRAM] = K("telegram", "telegram_configs", desc_telegram, am_telegram_config),
    [AM_DISCORD] = K("discord", "discord_configs", desc_discord, am_discord_config),
    [AM_WEBEX] = K("webex", "webex_configs", desc_webex, am_webex_config),
    [AM_SMS] = K("sms", "sms_configs", desc_sms, am_sms_config),
};

const char *am_integration_name(enum am_integration_kind k)
{
    return (unsigned)k < AM_INTEGRATION_KINDS ? am_kinds[k].name : "unknown";
}

/* Copies a global string into *dst when *dst is unset. */
static void inherit(char **dst, const char *src)
{
    if (!set(*dst) && set(src)) {
        xfree(*dst);
        *dst = xstrdup(src);
    }
}

/* Appends '/' to a URL path that lacks one (Alertmanager does this for OpsGenie and WeChat). */
static void slash_suffix(char **url)
{
    size_t n;
    if (!set(*url))
        return;
    n = strlen(*url);
    if ((*url)[n - 1] != '/') {
        char *s = xmalloc(n + 2);
        memcpy(s, *url, n);
        s[n] = '/';
        s[n + 1] = 0;
        xfree(*url);
        *url = s;
    }
}

int am_integration_resolve(enum am_integration_kind k, void *cfg, const struct am_global *g,
                           const struct yamlx_node *n, struct err *e)
{
    const struct am_kind_info *ki = &am_kinds[k];
    if (ki->http_off != (size_t)-1) {
        struct am_http_config **h = (struct am_http_config **)((char *)cfg + ki->http_off);
        if (*h == NULL)
            *h = cf_dup(&am_desc_http_config, g->http_config);
    }
    switch (k) {
    case AM_EMAIL: {
        struct am_email_config *c = cfg;
        if (!set(c->smarthost)) {
            if (!set(g->smtp_smarthost))
                return yamlx_error(e, n, ERR_INVALID, "no global SMTP smarthost set");
            inherit(&c->smarthost, g->smtp_smarthost);
        }
        if (!set(c->from)) {
            if (!set(g->smtp_from))
                return yamlx_error(e, n, ERR_INVALID, "no global SMTP from set");
            inherit(&c->from, g->smtp_from);
        }
        inherit(&c->hello, g->smtp_hello);
        inherit(&c->auth_username, g->smtp_auth_username);
        if (!set(c->auth_password) && !set(c->auth_password_file)) {
            inherit(&c->auth_password, g->smtp_auth_password);
            inherit(&c->auth_password_file, g->smtp_auth_password_file);
        }
        inherit(&c->auth_secret, g->smtp_auth_secret);
        inherit(&c->auth_identity, g->smtp_auth_identity);
        if (c->require_tls == AM_UNSET)
            c->require_tls = g->smtp_require_tls ? AM_TRUE : AM_FALSE;
        /* Alertmanager's email notifier fills these headers into the shared config at load, so
         * they show in /api/v2/status too. */
        strmap_add(&c->headers, "Subject", "{{ template \"email.default.subject\" . }}");
        strmap_add(&c->headers, "To", c->to);
        strmap_add(&c->headers, "From", c->from);
        return 0;
    }
    case AM_SLACK: {
        struct am_slack_config *c = cfg;
        if (!set(c->api_url) && !set(c->api_url_file)) {
            if (!set(g->slack_api_url) && !set(g->slack_api_url_file))
                return yamlx_error(e, n, ERR_INVALID,
                                   "no global Slack API URL set either inline or in a file");
            inherit(&c->api_url, g->slack_api_url);
            inherit(&c->api_url_file, g->slack_api_url_file);
        }
        return 0;
    }
    case AM_PAGERDUTY:
        inherit(&((struct am_pagerduty_config *)cfg)->url, g->pagerduty_url);
        return 0;
    case AM_OPSGENIE: {
        struct am_opsgenie_config *c = cfg;
        inherit(&c->api_url, g->opsgenie_api_url);
        slash_suffix(&c->api_url);
        if (!set(c->api_key) && !set(c->api_key_file)) {
            if (!set(g->opsgenie_api_key) && !set(g->opsgenie_api_key_file))
                return yamlx_error(e, n, ERR_INVALID,
                                   "no global OpsGenie API Key set either inline or in a file");
            inherit(&c->api_key, g->opsgenie_api_key);
            inherit(&c->api_key_file, g->opsgenie_api_key_file);
        }
        return 0;
    }
    case AM_WECHAT: {
        struct am_wechat_config *c = cfg;
        inherit(&c->api_url, g->wechat_api_url);
        slash_suffix(&c->api_url);
        if (!set(c->api_secret)) {
            if (!set(g->wechat_api_secret))
                return yamlx_error(e, n, ERR_INVALID, "no global Wechat ApiSecret set");
            inherit(&c->api_secret, g->wechat_api_secret);
        }
        if (!set(c->corp_id)) {
            if (!set(g->wechat_api_corp_id))
                return yamlx_error(e, n, ERR_INVALID, "no global Wechat CorpID set");
            inherit(&c->corp_id, g->wechat_api_corp_id);
        }
        return 0;
    }
    case AM_VICTOROPS: {
        struct am_victorops_config *c = cfg;
        inherit(&c->api_url, g->victorops_api_url);
        if (!set(c->api_key) && !set(c->api_key_file)) {
            if (!set(g->victorops_api_key) && !set(g->victorops_api_key_file))
                return yamlx_error(e, n, ERR_INVALID, "no global VictorOps API Key set");
            inherit(&c->api_key, g->victorops_api_key);
            inherit(&c->api_key_file, g->victorops_api_key_file);
        }
        return 0;
    }
    case AM_TELEGRAM:
        inherit(&((struct am_telegram_config *)cfg)->api_url, g->telegram_api_url);
        return 0;
    case AM_WEBEX:
        inherit(&((struct am_webex_config *)cfg)->api_url, g->webex_api_url);
        return 0;
    case AM_DISCORD:
        if (!set(((struct am_discord_config *)cfg)->webhook_url))
            return yamlx_error(e, n, ERR_INVALID, "no discord webhook URL provided");
        return 0;
    default:
        return 0;
    }
}
