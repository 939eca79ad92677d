/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for the alert model: fingerprint, merge, ordering, time and JSON string forms. */
#include <string.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/labels.h"
#include "common/xalloc.h"
#include "notifier/alert/alert.h"
#include "notifier/alert/provider.h"
#include "test/harness.h"

#define S AM_NS_PER_SEC

static struct am_alert *mk(const char *const *kv, size_t n)
{
    struct label items[16];
    for (size_t i = 0; i < n; i++) {
        items[i].name = kv[2 * i];
        items[i].value = kv[2 * i + 1];
    }
    return am_alert_new(labels_new(items, n), NULL, "");
}

static void test_fingerprint_matches_captures(void)
{
    /* Fingerprints printed by Alertmanager 0.25 in captures/alertmanager-webhook-run1 and
     * run2-timing. */
    const char *a[] = {"alertname", "Disk", "instance", "a", "severity", "warning"};
    const char *b[] = {"alertname", "Disk", "severity", "warning", "instance", "b"};
    const char *o[] = {"alertname", "Old", "instance", "o"};
    const char *x[] = {"alertname", "X"};
    struct am_alert *aa = mk(a, 3), *ab = mk(b, 3), *ao = mk(o, 2), *ax = mk(x, 1);
    char fp[17];
    CHECK_STREQ(am_fingerprint_format(aa->fingerprint, fp), "b7fa100df802d036");
    CHECK_STREQ(am_fingerprint_format(ab->fingerprint, fp), "803ddb689b135d03");
    CHECK_STREQ(am_fingerprint_format(ao->fingerprint, fp), "3816a6010327bd75");
    CHECK_STREQ(am_fingerprint_format(ax->fingerprint, fp), "d2aeefc389ca7746");
    {
        struct labels *e = labels_empty();
        CHECK(am_fingerprint(e) == 14695981039346656037ULL);
        labels_free(e);
    }
    am_alert_free(aa);
    am_alert_free(ab);
    am_alert_free(ao);
    am_alert_free(ax);
}

static void test_resolved_at(void)
{
    const char *x[] = {"alertname", "X"};
    struct am_alert *a = mk(x, 1);
    a->starts_at = 10 * S;
    a->ends_at = 0;
    CHECK(!am_alert_resolved_at(a, 100 * S));
    a->ends_at = 20 * S;
    CHECK(!am_alert_resolved_at(a, 19 * S));
    CHECK(am_alert_resolved_at(a, 20 * S));
    CHECK(am_alert_resolved_at(a, 21 * S));
    am_alert_free(a);
}

static void test_merge_rules(void)
{
    const char *x[] = {"alertname", "X"};
    struct am_alert *old = mk(x, 1), *neu = mk(x, 1), *m;
    /* firing resend: earliest start kept, newer endsAt wins */
    old->starts_at = 10 * S;
    old->ends_at = 100 * S;
    old->updated_at = 10 * S;
    neu->starts_at = 15 * S;
    neu->ends_at = 120 * S;
    neu->updated_at = 20 * S;
    CHECK(am_alert_overlaps(old, neu));
    m = am_alert_merge(old, neu, 20 * S);
    CHECK_INT(m->starts_at, 10 * S);
    CHECK_INT(m->ends_at, 120 * S);
    CHECK_INT(m->updated_at, 20 * S);
    am_alert_free(m);
    /* argument order does not matter: the younger update wins */
    m = am_alert_merge(neu, old, 20 * S);
    CHECK_INT(m->ends_at, 120 * S);
    am_alert_free(m);
    /* newer firing copy with an earlier endsAt: a later non-timeout endsAt of the older wins */
    neu->ends_at = 50 * S;
    m = am_alert_merge(old, neu, 20 * S);
    CHECK_INT(m->ends_at, 100 * S);
    am_alert_free(m);
    /* ... but not when the older one's endsAt was a resolve_timeout default */
    old->timeout = true;
    m = am_alert_merge(old, neu, 20 * S);
    CHECK_INT(m->ends_at, 50 * S);
    am_alert_free(m);
    old->timeout = false;
    /* both resolved: the later resolve time wins */
    old->ends_at = 30 * S;
    neu->ends_at = 25 * S;
    m = am_alert_merge(old, neu, 40 * S);
    CHECK_INT(m->ends_at, 30 * S);
    am_alert_free(m);
    /* newer resolved, older firing: the resolve wins */
    old->ends_at = 100 * S;
    neu->ends_at = 25 * S;
    m = am_alert_merge(old, neu, 40 * S);
    CHECK_INT(m->ends_at, 25 * S);
    am_alert_free(m);
    am_alert_free(old);
    am_alert_free(neu);
}

static void test_put_merge_overlap(void)
{
    const char *x[] = {"alertname", "X"};
    struct am_alert *old = mk(x, 1), *neu = mk(x, 1), *m;
    old->starts_at = 10 * S;
    old->ends_at = 20 * S;
    old->updated_at = 10 * S;
    /* no overlap (run1 Disk/a resolve with an endsAt before the stored start): replaced,
     * start time included */
    neu->starts_at = 5 * S;
    neu->ends_at = 5 * S;
    neu->updated_at = 30 * S;
    CHECK(!am_alert_overlaps(old, neu));
    m = am_alert_put_merge(old, neu, 30 * S);
    CHECK_INT(m->starts_at, 5 * S);
    CHECK_INT(m->ends_at, 5 * S);
    am_alert_free(m);
    /* endsAt strictly inside (start, end): merged */
    neu->starts_at = 12 * S;
    neu->ends_at = 15 * S;
    CHECK(am_alert_overlaps(old, neu));
    m = am_alert_put_merge(old, neu, 30 * S);
    CHECK_INT(m->starts_at, 10 * S);
    CHECK_INT(m->ends_at, 20 * S); /* both resolved at 30s: later resolve wins */
    am_alert_free(m);
    /* boundaries are exclusive */
    neu->starts_at = 20 * S;
    neu->ends_at = 40 * S;
    CHECK(!am_alert_overlaps(old, neu));
    am_alert_free(old);
    am_alert_free(neu);
}

static void test_merge_like_live_alertmanager(void)
{
    /* Re-posts answered by a live Alertmanager 0.25 (GET /api/v2/alerts afterwards), times
     * relative to now N; "none" = no endsAt (resolve_timeout 5m, timeout flag) */
    static const struct {
        const char *name;
        int64_t s1, e1, s2, e2; /* e = -1: none */
        int64_t want_s, want_e;
    } cases[] = {
        {"a", -3600, 3600, -1800, 5400, -3600, 5400}, /* start inside: merged */
        {"b", -3600, 3600, 7200, 10800, 7200, 10800}, /* disjoint: replaced */
        {"c", -3600, 7200, -7200, 3600, -7200, 7200}, /* end inside: older later end kept */
        {"d", -3600, -1, -1800, 60, -3600, 60},       /* older end was a timeout: not kept */
        {"f", -3600, -1, -1800, -1, -3600, 301},      /* both timeouts: the newer one */
    };
    const int64_t N = 1800000000LL * S;
    struct am_alerts p;
    am_alerts_init(&p);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *kv[] = {"alertname", cases[i].name};
        struct am_alert *x = mk(kv, 1), *y = mk(kv, 1);
        const struct am_alert *got;
        x->updated_at = N;
        x->starts_at = N + cases[i].s1 * S;
        x->timeout = cases[i].e1 < 0;
        x->ends_at = N + (x->timeout ? 300 : cases[i].e1) * S;
        y->updated_at = N + S;
        y->starts_at = N + cases[i].s2 * S;
        y->timeout = cases[i].e2 < 0;
        y->ends_at = N + (y->timeout ? 301 : cases[i].e2) * S;
        am_alerts_put(&p, x, N);
        got = am_alerts_put(&p, y, N + S);
        if (got->starts_at != N + cases[i].want_s * S || got->ends_at != N + cases[i].want_e * S)
            test_fail(__FILE__, __LINE__, "%s: got %lld..%lld", cases[i].name,
                      (long long)((got->starts_at - N) / S), (long long)((got->ends_at - N) / S));
        am_alert_free(x);
        am_alert_free(y);
    }
    am_alerts_fini(&p);
}

static void test_provider_put_gc(void)
{
    const char *x[] = {"alertname", "X"};
    const char *y[] = {"alertname", "Y"};
    struct am_alerts p;
    struct am_alert *a = mk(x, 1), *b = mk(y, 1);
    const struct am_alert *got, **list;
    size_t n;
    am_alerts_init(&p);
    a->starts_at = 10 * S;
    a->ends_at = 100 * S;
    a->updated_at = 10 * S;
    am_alerts_put(&p, a, 10 * S);
    a->starts_at = 20 * S;
    a->ends_at = 110 * S;
    a->updated_at = 20 * S;
    got = am_alerts_put(&p, a, 20 * S);
    CHECK_INT(got->starts_at, 10 * S);
    CHECK_INT(got->ends_at, 110 * S);
    b->starts_at = 10 * S;
    b->ends_at = 15 * S;
    am_alerts_put(&p, b, 20 * S);
    list = am_alerts_list(&p, &n);
    CHECK_INT(n, 2);
    CHECK(list[0]->fingerprint < list[1]->fingerprint);
    xfree(list);
    CHECK_INT(am_alerts_gc(&p, 20 * S, NULL, NULL), 1);
    CHECK(am_alerts_get(&p, b->fingerprint) == NULL);
    CHECK(am_alerts_get(&p, a->fingerprint) != NULL);
    am_alerts_fini(&p);
    am_alert_free(a);
    am_alert_free(b);
}

static void test_notify_order(void)
{
    const char *j1[] = {"alertname", "A", "job", "b"};
    const char *j2[] = {"alertname", "A", "job", "a", "instance", "z"};
    const char *j3[] = {"alertname", "A", "job", "a", "instance", "y"};
    const char *n1[] = {"alertname", "A"};
    const char *n2[] = {"alertname", "B"};
    const char *n3[] = {"alertname", "A", "x", "1"};
    struct am_alert *a1 = mk(j1, 2), *a2 = mk(j2, 3), *a3 = mk(j3, 3);
    struct am_alert *b1 = mk(n1, 1), *b2 = mk(n2, 1), *b3 = mk(n3, 2);
    CHECK(am_alert_cmp_notify(a3, a2) < 0); /* same job: instance decides */
    CHECK(am_alert_cmp_notify(a2, a1) < 0); /* job a before job b */
    CHECK(am_alert_cmp_notify(a1, b1) < 0); /* having job sorts first */
    CHECK(am_alert_cmp_notify(b1, b2) < 0); /* values */
    CHECK(am_alert_cmp_notify(b2, b3) < 0); /* fewer labels first */
    CHECK(am_alert_cmp_notify(b1, b1) == 0);
    am_alert_free(a1);
    am_alert_free(a2);
    am_alert_free(a3);
    am_alert_free(b1);
    am_alert_free(b2);
    am_alert_free(b3);
}

static void test_time_forms(void)
{
    char out[48];
    int64_t ns = 0;
    CHECK_STREQ(am_time_format_go(0, out, sizeof(out)), "0001-01-01T00:00:00Z");
    CHECK(am_time_parse("2026-11-23T11:42:35.525533577Z", &ns, NULL) == 0);
    CHECK_STREQ(am_time_format_go(ns, out, sizeof(out)), "2026-11-23T11:42:35.525533577Z");
    CHECK_STREQ(am_time_format_api(ns, out, sizeof(out)), "2026-11-23T11:42:35.525Z");
    CHECK(am_time_parse("2026-11-23T11:44:30.510Z", &ns, NULL) == 0);
    CHECK_STREQ(am_time_format_go(ns, out, sizeof(out)), "2026-11-23T11:44:30.51Z");
    CHECK(am_time_parse("0001-01-01T00:00:00.000Z", &ns, NULL) == 0);
    CHECK_INT(ns, 0);
    CHECK(am_time_parse("0001-01-01T00:00:00Z", &ns, NULL) == 0);
    CHECK_INT(ns, 0);
    CHECK(am_time_parse("yesterday", &ns, NULL) == ERR_INVALID);
    CHECK(am_time_parse("0001-01-02T00:00:00Z", &ns, NULL) == ERR_INVALID); /* out of range */
}

static void test_json_string_like_go(void)
{
    struct buf b;
    buf_init(&b, 0);
    am_json_put_string(&b, "a<b>&\"\\\n\t\x01\xe2\x80\xa8\xff\xc3\xa9", 16, true);
    CHECK_STREQ(buf_str(&b),
                "\"a\\u003cb\\u003e\\u0026\\\"\\\\\\n\\t\\u0001\\u2028\\ufffd\xc3\xa9\"");
    buf_reset(&b);
    am_json_put_string(&b, "<&>", 3, false);
    CHECK_STREQ(buf_str(&b), "\"<&>\"");
    buf_fini(&b);
}

static const struct test_case tests[] = {
    TEST(test_fingerprint_matches_captures),
    TEST(test_resolved_at),
    TEST(test_merge_rules),
    TEST(test_put_merge_overlap),
    TEST(test_merge_like_live_alertmanager),
    TEST(test_provider_put_gc),
    TEST(test_notify_order),
    TEST(test_time_forms),
    TEST(test_json_string_like_go),
    {0},
};

TEST_MAIN(tests)
