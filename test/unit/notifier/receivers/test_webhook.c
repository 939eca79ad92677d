/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for the webhook integration: the payload is rebuilt from every webhook body
 * Alertmanager 0.25 sent in the captures and must come out byte for byte; the HTTP outcome
 * classification; and one real POST to a loopback server to check the bytes on the wire.
 */
#include <arpa/inet.h>
#include <curl/curl.h>
#include <dirent.h>
#include <jansson.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/labels.h"
#include "common/xalloc.h"
#include "notifier/alert/alert.h"
#include "notifier/alert/alert_json.h"
#include "notifier/config/config.h"
#include "notifier/receivers/receiver.h"
#include "notifier/receivers/webhook.h"
#include "test/harness.h"

static struct labels *kv_of(json_t *obj)
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

static int64_t T(const char *s)
{
    int64_t ns = 0;
    if (am_time_parse(s, &ns, NULL) != 0)
        test_fail(__FILE__, __LINE__, "bad time %s", s);
    return ns;
}

/* Rebuilds the payload of one captured body and compares bytes; returns 1 when checked. */
static int check_capture(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *raw = xmalloc(1 << 20);
    size_t len = fread(raw, 1, (1 << 20) - 1, f);
    json_t *root, *alerts;
    struct am_alert **v;
    struct am_notify_data d;
    struct labels *gl;
    size_t n, kept;
    long long truncated;
    struct buf out;
    fclose(f);
    raw[len] = '\0';
    root = json_loadb(raw, len, 0, NULL);
    CHECK(root != NULL);
    alerts = json_object_get(root, "alerts");
    kept = json_array_size(alerts);
    truncated = json_integer_value(json_object_get(root, "truncatedAlerts"));
    n = kept + (size_t)truncated;
    v = xcalloc(n + 1, sizeof(*v));
    for (size_t i = 0; i < kept; i++) {
        json_t *a = json_array_get(alerts, i);
        char fp[17];
        v[i] = am_alert_new(kv_of(json_object_get(a, "labels")),
                            kv_of(json_object_get(a, "annotations")),
                            json_string_value(json_object_get(a, "generatorURL")));
        v[i]->starts_at = T(json_string_value(json_object_get(a, "startsAt")));
        v[i]->ends_at = T(json_string_value(json_object_get(a, "endsAt")));
        CHECK_STREQ(am_fingerprint_format(v[i]->fingerprint, fp),
                    json_string_value(json_object_get(a, "fingerprint")));
        /* the captured order is Alertmanager's notification order */
        if (i > 0 && am_alert_cmp_notify(v[i - 1], v[i]) > 0)
            test_fail(__FILE__, __LINE__, "%s: alerts %zu and %zu out of order", path, i - 1, i);
    }
    for (size_t i = kept; i < n; i++) {
        struct label l = {"alertname", "zz-truncated"};
        v[i] = am_alert_new(labels_new(&l, 1), NULL, "");
    }
    gl = kv_of(json_object_get(root, "groupLabels"));
    memset(&d, 0, sizeof(d));
    d.receiver = json_string_value(json_object_get(root, "receiver"));
    d.group_key = json_string_value(json_object_get(root, "groupKey"));
    d.group_labels = gl;
    d.external_url = json_string_value(json_object_get(root, "externalURL"));
    d.now = INT64_MAX / 2;
    d.alerts = (const struct am_alert *const *)v;
    d.n = n;
    buf_init(&out, 0);
    CHECK_INT(webhook_build_payload(&d, truncated ? kept : 0, &out), 0);
    if (out.len != len || memcmp(out.data, raw, len) != 0)
        test_fail(__FILE__, __LINE__, "%s differs:\n got  %s\n want %s", path, buf_str(&out), raw);
    buf_fini(&out);
    for (size_t i = 0; i < n; i++)
        am_alert_free(v[i]);
    xfree(v);
    labels_free(gl);
    json_decref(root);
    xfree(raw);
    return 1;
}

static void test_payload_matches_all_captures(void)
{
    const char *shared = getenv("TOCSIN_SHARED");
    const char *dirs[] = {"alertmanager-webhook-run1", "alertmanager-webhook-run2-timing",
                          "alertmanager-integrations", "prometheus-to-alertmanager-e2e",
                          "amtool-api"};
    int checked = 0;
    char path[1024];
    if (!shared)
        shared = "../shared";
    snprintf(path, sizeof(path), "%s/conformance/alertmanager/captures", shared);
    if (access(path, R_OK) != 0) {
        printf("skip test_payload_matches_all_captures: ../shared not found\n");
        return;
    }
    for (size_t k = 0; k < sizeof(dirs) / sizeof(dirs[0]); k++) {
        DIR *dir;
        struct dirent *de;
        snprintf(path, sizeof(path), "%s/conformance/alertmanager/captures/%s", shared, dirs[k]);
        dir = opendir(path);
        CHECK(dir != NULL);
        while ((de = readdir(dir)) != NULL) {
            char file[1400];
            size_t l = strlen(de->d_name);
            if (l < 13 || strcmp(de->d_name + l - 13, ".webhook.json") != 0)
                continue;
            snprintf(file, sizeof(file), "%s/%s", path, de->d_name);
            checked += check_capture(file);
        }
        closedir(dir);
    }
    printf("    checked %d captured webhook bodies\n", checked);
    CHECK(checked > 100);
}

static void test_payload_escaping_and_quote(void)
{
    struct label l[] = {{"alertname", "A<B>"}, {"x", "&"}};
    struct label an[] = {{"d", "line\nnext"}};
    struct am_alert *a = am_alert_new(labels_new(l, 2), labels_new(an, 1), "http://x/?a=1&b=2");
    const struct am_alert *v[] = {a};
    struct label g = {"alertname", "A<B>"};
    struct labels *gl = labels_new(&g, 1);
    struct am_notify_data d = {"team.a+b", "{}:{alertname=\"A<B>\"}", gl, "http://am", 0, v, 1};
    struct buf out;
    a->starts_at = 1700000000LL * AM_NS_PER_SEC;
    buf_init(&out, 0);
    CHECK_INT(webhook_build_payload(&d, 0, &out), 0);
    {
        char fp[17], *want;
        want = xasprintf(
            "{\"receiver\":\"team\\\\.a\\\\+b\",\"status\":\"firing\",\"alerts\":[{\"status\":"
            "\"firing\",\"labels\":{\"alertname\":\"A\\u003cB\\u003e\",\"x\":\"\\u0026\"},"
            "\"annotations\":{\"d\":\"line\\nnext\"},\"startsAt\":\"2023-11-14T22:13:20Z\","
            "\"endsAt\":\"0001-01-01T00:00:00Z\",\"generatorURL\":\"http://x/?a=1\\u0026b=2\","
            "\"fingerprint\":\"%s\"}],\"groupLabels\":{\"alertname\":\"A\\u003cB\\u003e\"},"
            "\"commonLabels\":{\"alertname\":\"A\\u003cB\\u003e\",\"x\":\"\\u0026\"},"
            "\"commonAnnotations\":{\"d\":\"line\\nnext\"},\"externalURL\":\"http://am\","
            "\"version\":\"4\",\"groupKey\":\"{}:{alertname=\\\"A\\u003cB\\u003e\\\"}\","
            "\"truncatedAlerts\":0}\n",
            am_fingerprint_format(a->fingerprint, fp));
        CHECK_STREQ(buf_str(&out), want);
        xfree(want);
    }
    buf_fini(&out);
    labels_free(gl);
    am_alert_free(a);
}

/* ---- fake sender ---- */

struct fake_sender {
    struct receiver_sender base;
    int status;
    const char *retry_after;
    char url[256];
    char *body;
    size_t len, nh;
    char hdr[4][128];
    int64_t timeout;
    bool has_opts;
    struct receiver_http_opts opts;
};

static int fake_send(struct receiver_sender *s, const char *url, const struct receiver_header *h,
                     size_t nh, const struct receiver_http_opts *o, const char *body, size_t len,
                     int64_t timeout_ns, receiver_send_done_cb done, void *arg)
{
    struct fake_sender *f = (struct fake_sender *)s;
    struct receiver_response r = {f->status, f->retry_after, f->status ? NULL : "refused"};
    snprintf(f->url, sizeof(f->url), "%s", url);
    xfree(f->body);
    f->body = xmemdup(body, len);
    f->len = len;
    f->nh = nh;
    for (size_t i = 0; i < nh && i < 4; i++)
        snprintf(f->hdr[i], sizeof(f->hdr[i]), "%s: %s", h[i].name, h[i].value);
    f->timeout = timeout_ns;
    f->has_opts = o != NULL;
    if (o)
        f->opts = *o;
    done(arg, &r);
    return 0;
}

static void record_result(void *arg, const struct am_notify_result *r)
{
    *(struct am_notify_result *)arg = *r;
}

static void test_payload_verified_against_live_alertmanager(void)
{
    /* Body that Alertmanager 0.25 (Debian prometheus-alertmanager) sent on loopback for this
     * alert and a receiver named "team.a+b" (checked by hand while writing this test). */
    static const char want[] =
        "{\"receiver\":\"team\\\\.a\\\\+b\",\"status\":\"firing\",\"alerts\":[{\"status\":"
        "\"firing\",\"labels\":{\"alertname\":\"A\\u003cB\\u003e\",\"x\":\"\\u0026\"},"
        "\"annotations\":{\"d\":\"line\\nnext \\u2028 \xc3\xa9\"},\"startsAt\":\"2023-11-14T22:"
        "13:20Z\",\"endsAt\":\"0001-01-01T00:00:00Z\",\"generatorURL\":\"http://x/?a=1\\u0026b=2\","
        "\"fingerprint\":\"8fc31eca720b499d\"}],\"groupLabels\":{\"alertname\":\"A\\u003cB\\u003e"
        "\"},\"commonLabels\":{\"alertname\":\"A\\u003cB\\u003e\",\"x\":\"\\u0026\"},"
        "\"commonAnnotations\":{\"d\":\"line\\nnext \\u2028 \xc3\xa9\"},\"externalURL\":\"http:"
        "//127.0.0.1:29093\",\"version\":\"4\",\"groupKey\":\"{}:{alertname=\\\"A\\u003cB\\u003e"
        "\\\"}\",\"truncatedAlerts\":0}\n";
    struct label l[] = {{"alertname", "A<B>"}, {"x", "&"}};
    struct label an[] = {{"d", "line\nnext \xe2\x80\xa8 \xc3\xa9"}};
    struct am_alert *a = am_alert_new(labels_new(l, 2), labels_new(an, 1), "http://x/?a=1&b=2");
    const struct am_alert *v[] = {a};
    struct label g = {"alertname", "A<B>"};
    struct labels *gl = labels_new(&g, 1);
    struct am_notify_data d = {
        "team.a+b", "{}:{alertname=\"A<B>\"}", gl, "http://127.0.0.1:29093", 0, v, 1};
    struct buf out;
    a->starts_at = 1700000000LL * AM_NS_PER_SEC;
    buf_init(&out, 0);
    CHECK_INT(webhook_build_payload(&d, 0, &out), 0);
    CHECK_STREQ(buf_str(&out), want);
    buf_fini(&out);
    labels_free(gl);
    am_alert_free(a);
}

static void test_empty_annotations_like_live_alertmanager(void)
{
    /* Alertmanager 0.25 live: empty and null annotations are kept ("n" was null on the first
     * alert and absent on the second, yet is "common": Go reads a missing key as ""). */
    static const char want[] =
        "{\"receiver\":\"r\",\"status\":\"firing\",\"alerts\":[{\"status\":\"firing\",\"labels\":{"
        "\"alertname\":\"E\",\"instance\":\"a\"},\"annotations\":{\"d\":\"x\",\"n\":\"\","
        "\"summary\":"
        "\"\"},\"startsAt\":\"2023-11-14T22:13:20Z\",\"endsAt\":\"0001-01-01T00:00:00Z\","
        "\"generatorURL\":\"\",\"fingerprint\":\"391a449802fb7149\"},{\"status\":\"firing\","
        "\"labels\":{\"alertname\":\"E\",\"instance\":\"b\"},\"annotations\":{\"d\":\"y\","
        "\"summary\":\"\"},\"startsAt\":\"2023-11-14T22:13:20Z\",\"endsAt\":\"0001-01-01T00:00:"
        "00Z\","
        "\"generatorURL\":\"\",\"fingerprint\":\"3926449803072bce\"}],\"groupLabels\":{"
        "\"alertname\":\"E\"},\"commonLabels\":{\"alertname\":\"E\"},\"commonAnnotations\":{\"n\":"
        "\"\",\"summary\":\"\"},\"externalURL\":\"http://127.0.0.1:29094\",\"version\":\"4\","
        "\"groupKey\":\"{}:{alertname=\\\"E\\\"}\",\"truncatedAlerts\":0}\n";
    static const char body[] =
        "[{\"labels\":{\"alertname\":\"E\",\"instance\":\"a\"},\"annotations\":{\"summary\":\"\","
        "\"n\":null,\"d\":\"x\"},\"startsAt\":\"2023-11-14T22:13:20Z\",\"endsAt\":\"2099-01-01T00:"
        "00:00Z\"},{\"labels\":{\"alertname\":\"E\",\"instance\":\"b\"},\"annotations\":{"
        "\"summary\":\"\",\"d\":\"y\"},\"startsAt\":\"2023-11-14T22:13:20Z\",\"endsAt\":"
        "\"2099-01-01T00:00:00Z\"}]";
    struct am_postable_result pr;
    int st = 0;
    struct label g = {"alertname", "E"};
    struct labels *gl = labels_new(&g, 1);
    struct am_notify_data d;
    struct buf out;
    int64_t now = 1800000000LL * AM_NS_PER_SEC;
    CHECK_INT(
        am_alerts_decode_postable(body, strlen(body), now, 300 * AM_NS_PER_SEC, &pr, &st, NULL), 0);
    CHECK_INT(pr.n, 2);
    for (size_t i = 0; i < pr.n; i++)
        pr.alerts[i]->ends_at = 0; /* firing at flush */
    memset(&d, 0, sizeof(d));
    d.receiver = "r";
    d.group_key = "{}:{alertname=\"E\"}";
    d.group_labels = gl;
    d.external_url = "http://127.0.0.1:29094";
    d.now = now;
    d.alerts = (const struct am_alert *const *)pr.alerts;
    d.n = pr.n;
    buf_init(&out, 0);
    CHECK_INT(webhook_build_payload(&d, 0, &out), 0);
    CHECK_STREQ(buf_str(&out), want);
    buf_fini(&out);
    labels_free(gl);
    am_postable_result_fini(&pr);
}

static void test_notify_through_fake_sender(void)
{
    struct fake_sender fs;
    struct webhook_conf c = {"http://127.0.0.1:1/hook", true, 0, NULL};
    struct am_integration *it;
    struct label l = {"alertname", "X"};
    struct am_alert *a = am_alert_new(labels_new(&l, 1), NULL, "");
    const struct am_alert *v[] = {a};
    struct labels *gl = labels_new(&l, 1);
    struct am_notify_data d = {"r", "{}:{alertname=\"X\"}", gl, "http://am", 5, v, 1};
    struct am_notify_result res;
    struct buf expect;
    memset(&fs, 0, sizeof(fs));
    fs.base.send = fake_send;
    it = webhook_new(&c, 0, &fs.base);
    CHECK_STREQ(it->kind, "webhook");
    CHECK(it->send_resolved);
    fs.status = 200;
    CHECK_INT(it->notify(it, &d, 7, record_result, &res), 0);
    CHECK_INT(res.outcome, AM_NOTIFY_OK);
    CHECK_STREQ(fs.url, "http://127.0.0.1:1/hook");
    CHECK_INT(fs.nh, 2);
    CHECK_STREQ(fs.hdr[0], "Content-Type: application/json");
    CHECK_STREQ(fs.hdr[1], "User-Agent: Tocsin-Notifier/" TOCSIN_VERSION);
    CHECK_INT(fs.timeout, 7);
    buf_init(&expect, 0);
    webhook_build_payload(&d, 0, &expect);
    CHECK(fs.len == expect.len && memcmp(fs.body, expect.data, fs.len) == 0);
    buf_fini(&expect);
    fs.status = 503;
    it->notify(it, &d, 7, record_result, &res);
    CHECK_INT(res.outcome, AM_NOTIFY_RETRY);
    CHECK_STREQ(res.msg, "webhook: unexpected status code 503");
    fs.status = 0;
    it->notify(it, &d, 7, record_result, &res);
    CHECK_INT(res.outcome, AM_NOTIFY_RETRY);
    fs.status = 400;
    it->notify(it, &d, 7, record_result, &res);
    CHECK_INT(res.outcome, AM_NOTIFY_FAIL);
    fs.status = 429;
    fs.retry_after = "17";
    it->notify(it, &d, 7, record_result, &res);
    CHECK_INT(res.outcome, AM_NOTIFY_RETRY);
    CHECK_INT(res.retry_after_ns, 17 * AM_NS_PER_SEC);
    fs.status = 204;
    it->notify(it, &d, 7, record_result, &res);
    CHECK_INT(res.outcome, AM_NOTIFY_OK);
    am_integration_free(it);
    xfree(fs.body);
    labels_free(gl);
    am_alert_free(a);
}

/* http_config: basic auth becomes the Authorization header, TLS/proxy/redirect options reach
 * the sender, and an unreadable secret file fails the attempt without sending. */
static void test_notify_http_config(void)
{
    struct fake_sender fs;
    struct am_basic_auth ba = {"user", "pass", NULL};
    struct am_tls_config tls;
    struct am_http_config hc;
    struct webhook_conf c = {"https://127.0.0.1:1/hook", true, 0, &hc};
    struct am_integration *it;
    struct label l = {"alertname", "X"};
    struct am_alert *a = am_alert_new(labels_new(&l, 1), NULL, "");
    const struct am_alert *v[] = {a};
    struct labels *gl = labels_new(&l, 1);
    struct am_notify_data d = {"r", "{}:{alertname=\"X\"}", gl, "http://am", 5, v, 1};
    struct am_notify_result res;
    memset(&fs, 0, sizeof(fs));
    memset(&tls, 0, sizeof(tls));
    memset(&hc, 0, sizeof(hc));
    tls.ca_file = "/tmp/ca.pem";
    tls.cert_file = "/tmp/c.pem";
    tls.key_file = "/tmp/k.pem";
    tls.insecure_skip_verify = true;
    hc.basic_auth = &ba;
    hc.tls_config = &tls;
    hc.proxy_url = "http://127.0.0.1:3128";
    hc.follow_redirects = false;
    fs.base.send = fake_send;
    fs.status = 200;
    it = webhook_new(&c, 0, &fs.base);
    CHECK_INT(it->notify(it, &d, 7, record_result, &res), 0);
    CHECK_INT(res.outcome, AM_NOTIFY_OK);
    CHECK_INT(fs.nh, 3);
    CHECK_STREQ(fs.hdr[2], "Authorization: Basic dXNlcjpwYXNz");
    CHECK(fs.has_opts);
    CHECK_STREQ(fs.opts.ca_file, "/tmp/ca.pem");
    CHECK_STREQ(fs.opts.cert_file, "/tmp/c.pem");
    CHECK_STREQ(fs.opts.key_file, "/tmp/k.pem");
    CHECK(fs.opts.insecure_skip_verify);
    CHECK_STREQ(fs.opts.proxy_url, "http://127.0.0.1:3128");
    CHECK(!fs.opts.follow_redirects);
    /* bearer token from a file that does not exist: permanent failure, nothing sent */
    hc.basic_auth = NULL;
    hc.bearer_token_file = "/nonexistent/tocsin-token";
    xfree(fs.body);
    fs.body = NULL;
    fs.url[0] = 0;
    CHECK_INT(it->notify(it, &d, 7, record_result, &res), 0);
    CHECK_INT(res.outcome, AM_NOTIFY_FAIL);
    CHECK(strstr(res.msg, "http_config") != NULL);
    CHECK_STREQ(fs.url, "");
    am_integration_free(it);
    xfree(fs.body);
    labels_free(gl);
    am_alert_free(a);
}

static void test_retry_after_http_date(void)
{
    struct receiver_response r = {429, "Wed, 21 Oct 2015 07:28:00 GMT", NULL};
    struct am_notify_result res;
    int64_t now = 1445412470LL * AM_NS_PER_SEC; /* 10 s before */
    am_notify_result_from_http(&r, "webhook", now, &res);
    CHECK_INT(res.retry_after_ns, 10 * AM_NS_PER_SEC);
    r.retry_after = "garbage";
    am_notify_result_from_http(&r, "webhook", now, &res);
    CHECK_INT(res.retry_after_ns, 0);
    CHECK_INT(res.outcome, AM_NOTIFY_RETRY);
}

/* ---- one real POST over loopback ---- */

struct server {
    int fd;
    int port;
    char *req; /* everything received */
    size_t len;
};

static void *serve_one(void *arg)
{
    struct server *s = arg;
    int c = accept(s->fd, NULL, NULL);
    size_t cap = 1 << 20, clen = 0;
    char *hdr_end = NULL;
    s->req = xmalloc(cap + 1);
    s->len = 0;
    while (c >= 0) {
        ssize_t r = read(c, s->req + s->len, cap - s->len);
        if (r <= 0)
            break;
        s->len += (size_t)r;
        s->req[s->len] = '\0';
        if (!hdr_end && (hdr_end = strstr(s->req, "\r\n\r\n")) != NULL) {
            const char *cl = strstr(s->req, "Content-Length:");
            clen = cl ? strtoul(cl + 15, NULL, 10) : 0;
        }
        if (hdr_end && s->len >= (size_t)(hdr_end + 4 - s->req) + clen)
            break;
    }
    if (c >= 0) {
        const char *resp = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
        if (write(c, resp, strlen(resp)) < 0)
            perror("write");
        close(c);
    }
    return NULL;
}

struct curl_sender {
    struct receiver_sender base;
};

static int curl_send(struct receiver_sender *s, const char *url, const struct receiver_header *h,
                     size_t nh, const struct receiver_http_opts *o, const char *body, size_t len,
                     int64_t timeout_ns, receiver_send_done_cb done, void *arg)
{
    CURL *c = curl_easy_init();
    struct curl_slist *hl = NULL;
    struct receiver_response r = {0, NULL, NULL};
    long code = 0;
    CURLcode cc;
    (void)s;
    (void)o;
    for (size_t i = 0; i < nh; i++) {
        char line[512];
        snprintf(line, sizeof(line), "%s: %s", h[i].name, h[i].value);
        hl = curl_slist_append(hl, line);
    }
    hl = curl_slist_append(hl, "Expect:");
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)len);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)(timeout_ns / 1000000));
    curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
    cc = curl_easy_perform(c);
    if (cc == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
    else
        r.error = curl_easy_strerror(cc);
    r.status = (int)code;
    curl_slist_free_all(hl);
    curl_easy_cleanup(c);
    done(arg, &r);
    return 0;
}

static void test_post_on_loopback(void)
{
    struct server srv = {-1, 0, NULL, 0};
    struct sockaddr_in sa;
    socklen_t sl = sizeof(sa);
    pthread_t th;
    struct curl_sender cs = {{curl_send}};
    struct webhook_conf c = {NULL, true, 0, NULL};
    char url[128];
    struct am_integration *it;
    struct label l[] = {{"alertname", "Disk"}, {"instance", "a"}};
    struct am_alert *a = am_alert_new(labels_new(l, 2), NULL, "http://127.0.0.1:19090/g");
    const struct am_alert *v[] = {a};
    struct labels *gl = labels_new(l, 1);
    struct am_notify_data d = {
        "default", "{}:{alertname=\"Disk\"}", gl, "http://127.0.0.1:9093", 0, v, 1};
    struct am_notify_result res;
    struct buf expect;
    const char *body;
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    srv.fd = socket(AF_INET, SOCK_STREAM, 0);
    CHECK(srv.fd >= 0);
    CHECK(bind(srv.fd, (struct sockaddr *)&sa, sizeof(sa)) == 0);
    CHECK(listen(srv.fd, 1) == 0);
    CHECK(getsockname(srv.fd, (struct sockaddr *)&sa, &sl) == 0);
    snprintf(url, sizeof(url), "http://127.0.0.1:%d/hook/default", ntohs(sa.sin_port));
    c.url = url;
    a->starts_at = 1795433913702000000LL;
    CHECK(pthread_create(&th, NULL, serve_one, &srv) == 0);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    it = webhook_new(&c, 0, &cs.base);
    CHECK_INT(it->notify(it, &d, 5 * AM_NS_PER_SEC, record_result, &res), 0);
    pthread_join(th, NULL);
    CHECK_INT(res.outcome, AM_NOTIFY_OK);
    CHECK_INT(res.status, 200);
    CHECK(strncmp(srv.req, "POST /hook/default HTTP/1.1\r\n", 29) == 0);
    CHECK(strstr(srv.req, "\r\nContent-Type: application/json\r\n") != NULL);
    CHECK(strstr(srv.req, "\r\nUser-Agent: Tocsin-Notifier/" TOCSIN_VERSION "\r\n") != NULL);
    body = strstr(srv.req, "\r\n\r\n") + 4;
    buf_init(&expect, 0);
    webhook_build_payload(&d, 0, &expect);
    CHECK_INT(srv.len - (size_t)(body - srv.req), expect.len);
    CHECK(memcmp(body, expect.data, expect.len) == 0);
    CHECK(strstr(body, "\"fingerprint\":\"b7fa100df802d036\"") == NULL); /* other labels */
    buf_fini(&expect);
    am_integration_free(it);
    curl_global_cleanup();
    close(srv.fd);
    xfree(srv.req);
    labels_free(gl);
    am_alert_free(a);
}

static const struct test_case tests[] = {
    TEST(test_payload_matches_all_captures),
    TEST(test_payload_escaping_and_quote),
    TEST(test_payload_verified_against_live_alertmanager),
    TEST(test_empty_annotations_like_live_alertmanager),
    TEST(test_notify_through_fake_sender),
    TEST(test_notify_http_config),
    TEST(test_retry_after_http_date),
    TEST(test_post_on_loopback),
    {0},
};

TEST_MAIN(tests)
