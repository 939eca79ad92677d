/* SPDX-License-Identifier: Apache-2.0 */
/* Tocsin's default notification templates; the short ones render exactly what Alertmanager
 * 0.25 renders (subjects, links, alert lists), the e-mail HTML body is Tocsin's own layout. */
#include "notifier/receivers/default_tmpl.h"

#include <stddef.h>

/* clang-format off */
const char *const am_default_templates[] = {
    /* ---- building blocks ---- */
    "{{ define \"__alertmanager\" }}Alertmanager{{ end }}"
    "{{ define \"__alertmanagerURL\" }}{{ .ExternalURL }}/#/alerts?receiver="
    "{{ urlquery .Receiver }}{{ end }}"
    /* [STATUS(:firing count)] group label values (other common label values) */
    "{{ define \"__subject\" }}"
    "[{{ toUpper .Status }}{{ if eq .Status \"firing\" }}:{{ len .Alerts.Firing }}{{ end }}] "
    "{{ join \" \" .GroupLabels.SortedPairs.Values }} "
    "{{ if lt (len .GroupLabels) (len .CommonLabels) }}"
    "({{ with .CommonLabels.Remove .GroupLabels.Names }}{{ join \" \" .Values }}{{ end }})"
    "{{ end }}"
    "{{ end }}"
    "{{ define \"__description\" }}{{ end }}"
    /* one block per alert: its labels, annotations and source link */
    "{{ define \"__text_alert_list\" }}"
    "{{ range . }}"
    "Labels:\n{{ range .Labels.SortedPairs }} - {{ .Name }} = {{ .Value }}\n{{ end }}"
    "Annotations:\n{{ range .Annotations.SortedPairs }} - {{ .Name }} = {{ .Value }}\n{{ end }}"
    "Source: {{ .GeneratorURL }}\n"
    "{{ end }}"
    "{{ end }}"

    ,
    /* ---- Slack ---- */
    "{{ define \"slack.default.title\" }}{{ template \"__subject\" . }}{{ end }}"
    "{{ define \"slack.default.username\" }}{{ template \"__alertmanager\" . }}{{ end }}"
    "{{ define \"slack.default.titlelink\" }}{{ template \"__alertmanagerURL\" . }}{{ end }}"
    "{{ define \"slack.default.fallback\" }}{{ template \"slack.default.title\" . }} | "
    "{{ template \"slack.default.titlelink\" . }}{{ end }}"
    "{{ define \"slack.default.callbackid\" }}{{ end }}"
    "{{ define \"slack.default.pretext\" }}{{ end }}"
    "{{ define \"slack.default.iconemoji\" }}{{ end }}"
    "{{ define \"slack.default.iconurl\" }}{{ end }}"
    /* Tocsin: escalated notifications carry a signed ack link (empty for other routes, so the
     * payload stays Alertmanager's) */
    "{{ define \"slack.default.text\" }}{{ if eq .Status \"firing\" }}"
    "{{ with .CommonAnnotations.tocsin_ack_url }}<{{ . }}|Acknowledge>{{ end }}{{ end }}{{ end }}"
    "{{ define \"slack.default.footer\" }}{{ end }}"

    /* ---- PagerDuty ---- */
    "{{ define \"pagerduty.default.description\" }}{{ template \"__subject\" . }}{{ end }}"
    "{{ define \"pagerduty.default.client\" }}{{ template \"__alertmanager\" . }}{{ end }}"
    "{{ define \"pagerduty.default.clientURL\" }}{{ template \"__alertmanagerURL\" . }}{{ end }}"
    "{{ define \"pagerduty.default.instances\" }}{{ template \"__text_alert_list\" . }}{{ end }}"

    /* ---- Opsgenie: subject, link back, common annotations then the alert lists ---- */
    "{{ define \"opsgenie.default.message\" }}{{ template \"__subject\" . }}{{ end }}"
    "{{ define \"opsgenie.default.source\" }}{{ template \"__alertmanagerURL\" . }}{{ end }}"
    "{{ define \"opsgenie.default.description\" }}"
    "{{ join \" \" .CommonAnnotations.SortedPairs.Values }}\n"
    "{{ if .Alerts.Firing }}Alerts Firing:\n{{ template \"__text_alert_list\" .Alerts.Firing }}"
    "{{ end }}\n"
    "{{ if .Alerts.Resolved }}Alerts Resolved:\n"
    "{{ template \"__text_alert_list\" .Alerts.Resolved }}{{ end }}"
    "{{ end }}"

    ,
    /* ---- SMS (Tocsin): subject, then one short line per alert ---- */
    "{{ define \"sms.default.text\" }}{{ template \"__subject\" . }}"
    "{{ range .Alerts }}\n{{ if eq .Status \"firing\" }}FIRING{{ else }}RESOLVED{{ end }}: "
    "{{ with .Annotations.summary }}{{ . }}{{ else }}{{ .Labels.alertname }}"
    "{{ with .Labels.instance }} on {{ . }}{{ end }}{{ end }}"
    "{{ end }}{{ if eq .Status \"firing\" }}{{ with .CommonAnnotations.tocsin_ack_url }}"
    "\nAck: {{ . }}{{ end }}{{ end }}{{ end }}"

    /* ---- e-mail ---- */
    "{{ define \"email.default.subject\" }}{{ template \"__subject\" . }}{{ end }}"
    "{{ define \"__subject_html\" }}"
    "[{{ toUpper .Status }}{{ if eq .Status \"firing\" }}:{{ len .Alerts.Firing }}{{ end }}] "
    "{{ html (join \" \" .GroupLabels.SortedPairs.Values) }} "
    "{{ if lt (len .GroupLabels) (len .CommonLabels) }}"
    "({{ with .CommonLabels.Remove .GroupLabels.Names }}{{ html (join \" \" .Values) }}{{ end }})"
    "{{ end }}"
    "{{ end }}"
    "{{ define \"__email_alert\" }}"
    "<tr><td style=\"padding:8px 12px;border-top:1px solid #e4e4e4\">"
    "<div style=\"font-weight:bold\">{{ html (or .Labels.alertname \"alert\") }}"
    " <span style=\"font-weight:normal;color:#666\">since {{ .StartsAt.Format \"2006-01-02 15:04:05 MST\" }}</span></div>"
    "<table style=\"border-collapse:collapse;font-size:13px\">"
    "{{ range .Labels.SortedPairs }}<tr><td style=\"color:#666;padding-right:8px\">{{ html .Name }}</td>"
    "<td>{{ html .Value }}</td></tr>{{ end }}"
    "{{ range .Annotations.SortedPairs }}<tr><td style=\"color:#666;padding-right:8px\"><i>{{ html .Name }}</i></td>"
    "<td>{{ html .Value }}</td></tr>{{ end }}"
    "</table>"
    "{{ with .GeneratorURL }}<div><a href=\"{{ html . }}\">Source</a></div>{{ end }}"
    "</td></tr>"
    "{{ end }}"
    ,
    "{{ define \"email.default.html\" }}"
    "<!DOCTYPE html>\n"
    "<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=UTF-8\">"
    "<title>{{ template \"__subject_html\" . }}</title></head>\n"
    "<body style=\"font-family:Helvetica,Arial,sans-serif;font-size:14px;background:#f6f6f6\">\n"
    "<table style=\"max-width:640px;margin:0 auto;background:#fff;border:1px solid #e4e4e4\" width=\"100%\">"
    "<tr><td style=\"padding:16px 12px;color:#fff;background:"
    "{{ if eq .Status \"firing\" }}#e45959{{ else }}#68b90f{{ end }}\">"
    "{{ len .Alerts.Firing }} firing, {{ len .Alerts.Resolved }} resolved"
    " for {{ html (join \" \" .GroupLabels.SortedPairs.Values) }}</td></tr>\n"
    "<tr><td style=\"padding:12px\"><a href=\"{{ html .ExternalURL }}/#/alerts?receiver="
    "{{ urlquery .Receiver }}\">View in Tocsin</a></td></tr>\n"
    "{{ if .Alerts.Firing }}<tr><td style=\"padding:12px;font-size:16px\"><b>Firing</b></td></tr>\n"
    "{{ range .Alerts.Firing }}{{ template \"__email_alert\" . }}\n{{ end }}{{ end }}"
    "{{ if .Alerts.Resolved }}<tr><td style=\"padding:12px;font-size:16px\"><b>Resolved</b></td></tr>\n"
    "{{ range .Alerts.Resolved }}{{ template \"__email_alert\" . }}\n{{ end }}{{ end }}"
    "<tr><td style=\"padding:12px;color:#999;font-size:12px\">Sent by "
    "<a href=\"{{ html .ExternalURL }}\">{{ template \"__alertmanager\" . }}</a></td></tr>\n"
    "</table>\n</body></html>\n"
    "{{ end }}"
    "{{ define \"email.default.text\" }}{{ template \"__subject\" . }}\n\n"
    "{{ if .Alerts.Firing }}Firing:\n{{ template \"__text_alert_list\" .Alerts.Firing }}\n{{ end }}"
    "{{ if .Alerts.Resolved }}Resolved:\n{{ template \"__text_alert_list\" .Alerts.Resolved }}\n{{ end }}"
    "{{ template \"__alertmanagerURL\" . }}\n"
    "{{ end }}",
    NULL,
};
/* clang-format on */
