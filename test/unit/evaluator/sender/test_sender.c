/* SPDX-License-Identifier: Apache-2.0 */
/* Sender tests on loopback: batches reach a live notifier while a dead one fails on its own. */
#include <event2/event.h>
#include <jansson.h>
#include <string.h>

#include "common/buf.h"
#include "common/httpd.h"
#include "common/labels.h"
#include "evaluator/sender/sender.h"
#include "test/harness.h"

struct sink {
    int posts;
    int alerts;
    char last_body[65536];
    struct event_base *base;
    int want_alerts;
};

static void on_alerts(struct httpd_req *req, void *ctx)
{
    struct sink *k = ctx;
    size_t len;
    const char *body = httpd_req_body(req, &len);
    json_t *j = json_loadb(body, len, 0, NULL);
    k->posts++;
    k->alerts += (int)json_array_size(j);
    snprintf(k->last_body, sizeof(k->last_body), "%.*s", (int)len, body);
    json_decref(j);
    httpd_reply(req, 200, NULL, NULL, 0);
    if (k->alerts >= k->want_alerts)
        event_base_loopexit(k->base, NULL);
}

static void on_timeout(evutil_socket_t fd, short w, void *arg)
{
    (void)fd;
    (void)w;
    event_base_loopexit(arg, NULL);
}

static void test_encode_alert(void)
{
    struct label l[] = {{"alertname", "Disk"}, {"severity", "page"}};
    struct label a[] = {{"summary", "disk \"full\""}};
    struct labels *ls = labels_new(l, 2), *an = labels_new(a, 1);
    struct sender_alert al = {ls, an, 1795433816568LL, 1795433876568LL,
                              "http://x/graph?g0.expr=up"};
    struct buf b;
    buf_init(&b, 0);
    sender_encode_alert(&al, &b);
    CHECK_STREQ(buf_str(&b),
                "{\"annotations\":{\"summary\":\"disk \\\"full\\\"\"},"
                "\"endsAt\":\"2026-11-23T11:37:56.568Z\",\"startsAt\":\"2026-11-23T11:36:56.568Z\","
                "\"generatorURL\":\"http://x/graph?g0.expr=up\","
                "\"labels\":{\"alertname\":\"Disk\",\"severity\":\"page\"}}");
    buf_fini(&b);
    labels_free(ls);
    labels_free(an);
}

static void test_dead_target_does_not_block(void)
{
    struct event_base *base = event_base_new();
    struct httpd *srv = httpd_new(base, NULL);
    struct sink k = {0};
    struct sender *s;
    struct sender_opts o = {.max_batch = 64};
    char url_ok[128];
    struct sender_target_opts t[2];
    struct buf b;
    const char *alerts[100];
    char *store[100];
    struct event *to;
    struct timeval tv = {10, 0};
    k.base = base;
    k.want_alerts = 100;
    CHECK_INT(httpd_route_add(srv, "POST", "/api/v2/alerts", on_alerts, &k), 0);
    CHECK_INT(httpd_bind(srv, "127.0.0.1:0", NULL), 0);
    snprintf(url_ok, sizeof(url_ok), "http://127.0.0.1:%d/api/v2/alerts", httpd_port(srv));
    memset(t, 0, sizeof(t));
    t[0].url = "http://127.0.0.1:1/api/v2/alerts"; /* nothing listens there */
    t[0].timeout_ms = 2000;
    t[1].url = url_ok;
    s = sender_new(base, &o, NULL);
    sender_set_targets(s, t, 2);
    for (int i = 0; i < 100; i++) {
        char v[16];
        struct label l[] = {{"alertname", "A"}, {"i", v}};
        struct labels *ls;
        struct sender_alert al = {0};
        snprintf(v, sizeof(v), "%d", i);
        ls = labels_new(l, 2);
        al.labels = ls;
        al.starts_at_ms = 1000;
        al.ends_at_ms = 2000;
        buf_init(&b, 0);
        sender_encode_alert(&al, &b);
        store[i] = buf_steal(&b, NULL);
        alerts[i] = store[i];
        labels_free(ls);
    }
    sender_send_json(s, alerts, 100);
    to = evtimer_new(base, on_timeout, base);
    evtimer_add(to, &tv);
    event_base_dispatch(base);
    CHECK_INT(k.alerts, 100);
    CHECK_INT(k.posts, 2); /* batches of 64 + 36 */
    CHECK(strstr(k.last_body, "\"i\":\"99\"") != NULL);
    event_free(to);
    sender_free(s);
    httpd_free(srv);
    for (int i = 0; i < 100; i++)
        free(store[i]);
    event_base_free(base);
}

static void test_queue_drops_oldest(void)
{
    struct event_base *base = event_base_new();
    struct sender_opts o = {.queue_capacity = 10, .max_batch = 5};
    struct sender *s = sender_new(base, &o, NULL);
    struct sender_target_opts t = {.url = "http://127.0.0.1:1/api/v2/alerts", .timeout_ms = 1000};
    const char *alerts[25];
    for (int i = 0; i < 25; i++)
        alerts[i] = "{}";
    sender_set_targets(s, &t, 1);
    sender_send_json(s, alerts, 25);
    CHECK_INT(sender_queue_length(s, 0), 10);
    sender_free(s);
    event_base_free(base);
}

static const struct test_case tests[] = {TEST(test_encode_alert),
                                         TEST(test_dead_target_does_not_block),
                                         TEST(test_queue_drops_oldest),
                                         {0}};
TEST_MAIN(tests)
