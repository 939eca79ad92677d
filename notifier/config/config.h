/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The notifier configuration: Alertmanager 0.25's YAML file parsed completely into C structs,
 * with its defaults, global inheritance and validation, plus Tocsin's extension keys kept as
 * opaque YAML nodes. config_print_redacted renders it back like /api/v2/status config.original.
 */
#ifndef TOCSIN_NOTIFIER_CONFIG_H
#define TOCSIN_NOTIFIER_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/matcher.h"
#include "notifier/config/timeinterval.h"

struct err;
struct buf;
struct yamlx_node;
struct yamlx_doc;

/* A list of owned objects of one type (integration configs, links, responders, ...). */
struct am_list {
    void **v;
    size_t n;
};

/* A string map in document order (owned, NULL-terminated arrays). */
struct am_strmap {
    char **keys;
    char **values;
    size_t n;
};

/* A string list (owned, NULL-terminated). */
struct am_strv {
    char **v;
    size_t n;
};

/* Tri-state booleans for Go *bool fields. */
enum am_tribool { AM_UNSET = -1, AM_FALSE = 0, AM_TRUE = 1 };

struct am_tls_config {
    char *ca_file, *cert_file, *key_file, *server_name;
    bool insecure_skip_verify;
    char *min_version, *max_version;
};

struct am_basic_auth {
    char *username, *password /* secret */, *password_file;
};

struct am_authorization {
    char *type, *credentials /* secret */, *credentials_file;
};

struct am_oauth2 {
    char *client_id, *client_secret /* secret */, *client_secret_file;
    struct am_strv scopes;
    char *token_url;
    struct am_strmap endpoint_params;
    struct am_tls_config *tls_config;
    char *proxy_url;
};

/* prometheus/common HTTPClientConfig. bearer_token is folded into authorization (Bearer). */
struct am_http_config {
    struct am_basic_auth *basic_auth;
    struct am_authorization *authorization;
    struct am_oauth2 *oauth2;
    char *bearer_token /* secret */, *bearer_token_file;
    struct am_tls_config *tls_config;
    char *proxy_url;
    struct am_strmap proxy_connect_header;
    bool follow_redirects, enable_http2;
};

struct am_global {
    int64_t resolve_timeout_ms;
    struct am_http_config *http_config;
    char *smtp_from, *smtp_hello, *smtp_smarthost, *smtp_auth_username;
    char *smtp_auth_password /* secret */, *smtp_auth_password_file;
    char *smtp_auth_secret /* secret */, *smtp_auth_identity;
    bool smtp_require_tls;
    char *slack_api_url /* secret */, *slack_api_url_file;
    char *pagerduty_url;
    char *opsgenie_api_url, *opsgenie_api_key /* secret */, *opsgenie_api_key_file;
    char *wechat_api_url, *wechat_api_secret /* secret */, *wechat_api_corp_id;
    char *victorops_api_url, *victorops_api_key /* secret */, *victorops_api_key_file;
    char *telegram_api_url, *webex_api_url;
};

/* ---- integrations (field names follow the YAML keys) ---- */

struct am_webhook_config {
    bool send_resolved;
    struct am_http_config *http_config;
    char *url;
    int64_t max_alerts;
};

struct am_email_config {
    bool send_resolved;
    char *to, *from, *hello, *smarthost, *auth_username, *auth_password /* secret */,
        *auth_password_file, *auth_secret /* secret */, *auth_identity;
    struct am_strmap headers;
    char *html, *text;
    enum am_tribool require_tls;
    struct am_tls_config *tls_config;
};

struct am_pagerduty_link {
    char *href, *text;
};
struct am_pagerduty_image {
    char *src, *alt, *href;
};
struct am_pagerduty_config {
    bool send_resolved;
    struct am_http_config *http_config;
    char *service_key /* secret */, *service_key_file, *routing_key /* secret */, *routing_key_file,
        *url, *client, *client_url, *description;
    struct am_strmap details;
    struct am_list images; /* struct am_pagerduty_image */
    struct am_list links;  /* struct am_pagerduty_link */
    char *source, *severity, *class_, *component, *group;
};

struct am_slack_confirm {
    char *text, *title, *ok_text, *dismiss_text;
};
struct am_slack_action {
    char *type, *text, *url, *style, *name, *value;
    struct am_slack_confirm *confirm;
};
struct am_slack_field {
    char *title, *value;
    enum am_tribool short_;
};
struct am_slack_config {
    bool send_resolved;
    struct am_http_config *http_config;
    char *api_url /* secret */, *api_url_file, *channel, *username, *color, *title, *title_link,
        *pretext, *text;
    struct am_list fields; /* struct am_slack_field */
    bool short_fields;
    char *footer, *fallback, *callback_id, *icon_emoji, *icon_url, *image_url, *thumb_url;
    bool link_names;
    struct am_strv mrkdwn_in;
    struct am_list actions; /* struct am_slack_action */
};

struct am_opsgenie_responder {
    char *id, *name, *username, *type;
};
struct am_opsgenie_config {
    bool send_resolved;
    struct am_http_config *http_config;
    char *api_key /* secret */, *api_key_file, *api_url, *message, *description, *source;
    struct am_strmap details;
    char *entity;
    struct am_list responders; /* struct am_opsgenie_responder */
    char *actions, *tags, *note, *priority;
    bool update_alerts;
};

struct am_wechat_config {
    bool send_resolved;
    struct am_http_config *http_config;
    char *api_secret /* secret */, *corp_id, *message, *api_url, *to_user, *to_party, *to_tag,
        *agent_id, *message_type;
};

struct am_pushover_config {
    bool send_resolved;
    struct am_http_config *http_config;
    char *user_key /* secret */, *user_key_file, *token /* secret */, *token_file, *title, *message,
        *url, *url_title, *device, *sound, *priority;
    int64_t retry_ms, expire_ms, ttl_ms;
    bool html, monospace;
};

struct am_victorops_config {
    bool send_resolved;
    struct am_http_config *http_config;
    char *api_key /* secret */, *api_key_file, *api_url, *routing_key, *message_type,
        *state_message, *entity_display_name, *monitoring_tool;
    struct am_strmap custom_fields;
};

struct am_sigv4 {
    char *region, *access_key, *secret_key /* secret */, *profile, *role_arn;
};
struct am_sns_config {
    bool send_resolved;
    struct am_http_config *http_config;
    char *api_url;
    struct am_sigv4 *sigv4;
    char *topic_arn, *phone_number, *target_arn, *subject, *message;
    struct am_strmap attributes;
};

struct am_telegram_config {
    bool send_resolved;
    struct am_http_config *http_config;
    char *api_url, *bot_token /* secret */;
    int64_t chat_id;
    char *message;
    bool disable_notifications;
    char *parse_mode;
};

struct am_discord_config {
    bool send_resolved;
    struct am_http_config *http_config;
    char *webhook_url /* secret */, *title, *message;
};

struct am_webex_config {
    bool send_resolved;
    struct am_http_config *http_config;
    char *api_url, *message, *room_id;
};

/* Tocsin extension `sms_configs`: Twilio Messages API or a generic HTTP SMS gateway. */
struct am_sms_config {
    bool send_resolved;
    struct am_http_config *http_config;
    char *provider; /* "twilio" (default) or "generic" */
    char *url;      /* twilio: API base (default https://api.twilio.com); generic: endpoint */
    char *account_sid, *auth_token /* secret */, *auth_token_file;
    char *from;
    struct am_strv to;
    char *body; /* template */
};

/* In the order Alertmanager 0.25 prints a receiver's integrations (Tocsin's extension last). */
enum am_integration_kind {
    AM_DISCORD = 0,
    AM_EMAIL,
    AM_PAGERDUTY,
    AM_SLACK,
    AM_WEBHOOK,
    AM_OPSGENIE,
    AM_WECHAT,
    AM_PUSHOVER,
    AM_VICTOROPS,
    AM_SNS,
    AM_TELEGRAM,
    AM_WEBEX,
    AM_SMS, /* Tocsin extension */
    AM_INTEGRATION_KINDS
};

/* "email", "pagerduty", ... (Alertmanager's integration names). */
const char *am_integration_name(enum am_integration_kind k);

struct am_receiver_config {
    char *name;
    /* configs[k] holds pointers to struct am_<kind>_config in file order. */
    struct am_list configs[AM_INTEGRATION_KINDS];
};

struct am_route {
    char *receiver;                   /* NULL: inherit */
    struct am_strv group_by;          /* as written (may contain "...") */
    bool group_by_set, group_by_all;  /* set: key present */
    struct am_strmap match, match_re; /* deprecated forms, as written */
    struct am_strv matchers_text;     /* `matchers:` strings as written */
    struct matchers new_matchers;     /* `matchers:` parsed, in order */
    struct matchers matchers;         /* all of the above combined and sorted */
    struct am_strv mute_time_intervals, active_time_intervals;
    bool continue_;
    int64_t group_wait_ms, group_interval_ms, repeat_interval_ms; /* -1: inherit */
    struct am_route **routes;
    size_t nroutes;
    const struct yamlx_node *escalation_policy; /* Tocsin extension, opaque; NULL when absent */
};

struct am_inhibit_rule {
    struct am_strmap source_match, source_match_re, target_match, target_match_re;
    struct am_strv source_matchers_text, target_matchers_text;
    struct matchers source_new, target_new; /* `*_matchers:` parsed */
    struct matchers source, target;         /* combined */
    struct am_strv equal;
};

struct am_named_interval {
    char *name;
    struct time_interval *intervals;
    size_t n;
};

struct am_config {
    struct am_global global;
    struct am_route *route;
    struct am_inhibit_rule *inhibit_rules;
    size_t ninhibit;
    struct am_receiver_config *receivers;
    size_t nreceivers;
    struct am_strv templates;
    struct am_named_interval *mute_time_intervals;
    size_t nmute;
    struct am_named_interval *time_intervals;
    size_t ntime;
    /* Tocsin extensions kept as opaque nodes (NULL when absent). */
    const struct yamlx_node *escalation_policies, *schedules, *users;
    struct yamlx_doc *doc; /* owns the nodes above */
    char *original;        /* the YAML text as loaded */
};

/*
 * Parses an Alertmanager configuration from text[0..n). file names it in error positions (NULL
 * for "<string>"). On success *out is the checked config (caller frees with config_free).
 * Errors: ERR_PARSE for YAML syntax, ERR_INVALID for everything Alertmanager rejects, with
 * file:line:column when the offending node is known and Alertmanager's message text.
 * Thread-safe.
 */
int config_parse(const char *text, size_t n, const char *file, struct am_config **out,
                 struct err *e);
/* Reads path and parses it (ERR_IO when unreadable). */
int config_load_file(const char *path, struct am_config **out, struct err *e);
void config_free(struct am_config *c);

/* Receiver named name, or NULL. */
const struct am_receiver_config *config_receiver(const struct am_config *c, const char *name);
/* Time interval list named name (time_intervals or mute_time_intervals), or NULL. */
const struct am_named_interval *config_time_interval(const struct am_config *c, const char *name);

/*
 * Appends the config as YAML in Alertmanager's field order with defaults and inherited global
 * values filled in and every secret rendered as <secret>. Returns 0 or ERR_TOOBIG from out.
 */
int config_print_redacted(const struct am_config *c, struct buf *out);

#endif
