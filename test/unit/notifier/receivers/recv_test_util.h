/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Helpers shared by the integration unit tests: notification data rebuilt from a captured
 * Alertmanager webhook body (same flush as the other captured integrations), a recording fake
 * receiver_sender, config loading, and capture file access.
 */
#ifndef TOCSIN_TEST_UNIT_NOTIFIER_RECEIVERS_RECV_TEST_UTIL_H
#define TOCSIN_TEST_UNIT_NOTIFIER_RECEIVERS_RECV_TEST_UTIL_H

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/labels.h"
#include "common/xalloc.h"
#include "notifier/alert/alert.h"
#include "notifier/config/config.h"
#include "notifier/receivers/receiver.h"
#include "notifier/receivers/tmpldata.h"
#include "test/harness.h"

/* ---- capture files ---- */

/* Directory of the integrations capture, or NULL when ../shared is absent. */
static __attribute__((unused)) const char *rt_capture_dir(void)
{
    static char path[1024];
    const char *shared = getenv("TOCSIN_SHARED");
    snprintf(path, sizeof(path), "%s/conformance/alertmanager/captures/alertmanager-integrations",
             shared ? shared : "../shared");
    return access(path, R_OK) == 0 ? path : NULL;
}

static __attribute__((unused)) char *rt_read(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    struct buf b;
    char chunk[4096];
    size_t got;
    if (!f)
        test_fail(__FILE__, __LINE__, "cannot open %s", path);
    buf_init(&b, 0);
    while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0)
        buf_append(&b, chunk, got);
    fclose(f);
    if (len)
        *len = b.len;
    buf_putc(&b, '\0');
    return buf_steal(&b, NULL);
}

/* ---- notification data ---- */

struct rt_data {
    struct am_notify_data d;
    struct am_alert **v;
    struct labels *gl;
    json_t *root;
};

static __attribute__((unused)) struct labels *rt_kv(json_t *obj)
{
    struct labels_builder lb;
    struct labels *ls;
    const char *k;
    json_t *v;
    labels_builder_init(&lb);
    json_object_foreach(obj, k, v)
    {
        labels_builder_set(&lb, k, json_string_value(v));
    }
    ls = labels_builder_finish(&lb);
    labels_builder_fini(&lb);
    return ls;
}

static __attribute__((unused)) int64_t rt_time(const char *s)
{
    int64_t ns = 0;
    if (am_time_parse(s, &ns, NULL) != 0)
        test_fail(__FILE__, __LINE__, "bad time %s", s);
    return ns;
}

/* Loads the notification of a captured webhook body (file under the capture dir). now is
 * between the resolved alerts' ends and the firing ones' (INT64_MAX / 2 keeps resolved ones
 * resolved and firing ones with endsAt 0 firing). */
static __attribute__((unused)) void rt_data_load(struct rt_data *r, const char *file)
{
    char path[1400];
    json_t *alerts;
    size_t n;
    snprintf(path, sizeof(path), "%s/%s", rt_capture_dir(), file);
    memset(r, 0, sizeof(*r));
    r->root = json_load_file(path, 0, NULL);
    CHECK(r->root != NULL);
    alerts = json_object_get(r->root, "alerts");
    n = json_array_size(alerts);
    r->v = xcalloc(n + 1, sizeof(*r->v));
    for (size_t i = 0; i < n; i++) {
        json_t *a = json_array_get(alerts, i);
        r->v[i] = am_alert_new(rt_kv(json_object_get(a, "labels")),
                               rt_kv(json_object_get(a, "annotations")),
                               json_string_value(json_object_get(a, "generatorURL")));
        r->v[i]->starts_at = rt_time(json_string_value(json_object_get(a, "startsAt")));
        r->v[i]->ends_at = rt_time(json_string_value(json_object_get(a, "endsAt")));
        /* firing alerts in the capture carry a future endsAt (resolve_timeout): keep firing */
        if (strcmp(json_string_value(json_object_get(a, "status")), "firing") == 0)
            r->v[i]->ends_at = 0;
    }
    r->gl = rt_kv(json_object_get(r->root, "groupLabels"));
    r->d.receiver = json_string_value(json_object_get(r->root, "receiver"));
    r->d.group_key = json_string_value(json_object_get(r->root, "groupKey"));
    r->d.group_labels = r->gl;
    r->d.external_url = json_string_value(json_object_get(r->root, "externalURL"));
    r->d.now = INT64_MAX / 2;
    r->d.alerts = (const struct am_alert *const *)r->v;
    r->d.n = n;
}

static __attribute__((unused)) void rt_data_fini(struct rt_data *r)
{
    for (size_t i = 0; i < r->d.n; i++)
        am_alert_free(r->v[i]);
    xfree(r->v);
    labels_free(r->gl);
    json_decref(r->root);
}

/* One synthetic alert list: name=value label pairs per alert separated by NULL, ending with two
 * NULLs. Firing unless ends_at given (ns, <= now). */
struct rt_alert_spec {
    const char *labels[12];
    const char *annotations[6];
    int64_t ends_at;
};

static __attribute__((unused)) void rt_data_make(struct rt_data *r, const char *receiver,
                                                 const struct rt_alert_spec *s, size_t n,
                                                 const char *group_label)
{
    memset(r, 0, sizeof(*r));
    r->v = xcalloc(n + 1, sizeof(*r->v));
    for (size_t i = 0; i < n; i++) {
        struct labels_builder lb, ab;
        labels_builder_init(&lb);
        labels_builder_init(&ab);
        for (size_t k = 0; s[i].labels[k]; k += 2)
            labels_builder_set(&lb, s[i].labels[k], s[i].labels[k + 1]);
        for (size_t k = 0; s[i].annotations[k]; k += 2)
            labels_builder_set(&ab, s[i].annotations[k], s[i].annotations[k + 1]);
        r->v[i] = am_alert_new(labels_builder_finish(&lb), labels_builder_finish(&ab),
                               "http://prom.test:9090/graph?g0.expr=up");
        labels_builder_fini(&lb);
        labels_builder_fini(&ab);
        r->v[i]->starts_at = 1700000000LL * 1000000000LL;
        r->v[i]->ends_at = s[i].ends_at;
    }
    {
        struct label g = {group_label, labels_get(r->v[0]->labels, group_label)};
        r->gl = labels_new(&g, 1);
    }
    r->d.receiver = receiver;
    r->d.group_key = "{}:{alertname=\"X\"}";
    r->d.group_labels = r->gl;
    r->d.external_url = "http://am.test:9093";
    r->d.now = 1700000100LL * 1000000000LL;
    r->d.alerts = (const struct am_alert *const *)r->v;
    r->d.n = n;
}

/* ---- config ---- */

static __attribute__((unused)) struct am_config *rt_config(const char *yaml)
{
    struct am_config *c = NULL;
    struct err e;
    if (config_parse(yaml, strlen(yaml), NULL, &c, &e) != 0)
        test_fail(__FILE__, __LINE__, "config: %s", e.msg);
    return c;
}

static __attribute__((unused)) struct am_tmpl *rt_tmpl(void)
{
    struct am_tmpl *t = NULL;
    struct err e;
    if (am_tmpl_new(NULL, 0, NULL, &t, &e) != 0)
        test_fail(__FILE__, __LINE__, "templates: %s", e.msg);
    return t;
}

/* ---- fake sender ---- */

#define RT_MAX_REQ 8

struct rt_request {
    char url[512];
    char hdr[4][256];
    size_t nh;
    char *body;
    size_t len;
    int64_t timeout;
    bool has_opts;
    struct receiver_http_opts opts; /* strings point into the configuration */
};

struct rt_sender {
    struct receiver_sender base;
    int status[RT_MAX_REQ]; /* answer per request index (last one repeats) */
    const char *retry_after;
    struct rt_request req[RT_MAX_REQ];
    size_t n;
};

static __attribute__((unused)) int rt_send(struct receiver_sender *s, const char *url,
                                           const struct receiver_header *h, size_t nh,
                                           const struct receiver_http_opts *o, const char *body,
                                           size_t len, int64_t timeout_ns,
                                           receiver_send_done_cb done, void *arg)
{
    struct rt_sender *f = (struct rt_sender *)s;
    size_t i = f->n < RT_MAX_REQ ? f->n : RT_MAX_REQ - 1;
    struct rt_request *q = &f->req[i];
    int st = f->status[i];
    struct receiver_response r = {st, f->retry_after, st ? NULL : "connection refused"};
    snprintf(q->url, sizeof(q->url), "%s", url);
    xfree(q->body);
    q->body = xmemdup(body, len);
    q->len = len;
    q->nh = nh;
    for (size_t k = 0; k < nh && k < 4; k++)
        snprintf(q->hdr[k], sizeof(q->hdr[k]), "%s: %s", h[k].name, h[k].value);
    q->timeout = timeout_ns;
    q->has_opts = o != NULL;
    if (o)
        q->opts = *o;
    f->n++;
    done(arg, &r);
    return 0;
}

static __attribute__((unused)) void rt_sender_init(struct rt_sender *f, int status)
{
    memset(f, 0, sizeof(*f));
    f->base.send = rt_send;
    for (size_t i = 0; i < RT_MAX_REQ; i++)
        f->status[i] = status;
}

static __attribute__((unused)) void rt_sender_fini(struct rt_sender *f)
{
    for (size_t i = 0; i < RT_MAX_REQ; i++)
        xfree(f->req[i].body);
}

static __attribute__((unused)) void rt_record(void *arg, const struct am_notify_result *r)
{
    *(struct am_notify_result *)arg = *r;
}

/* Request body as a string (NUL-terminated copy owned by the sender). */
static __attribute__((unused)) const char *rt_body(struct rt_sender *f, size_t i)
{
    struct rt_request *q = &f->req[i];
    q->body = xrealloc(q->body, q->len + 1);
    q->body[q->len] = '\0';
    return q->body;
}

#endif
