/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for the escalation engine in simulated time: steps fire on time through the
 * receivers, an ack stops them, resolution notifies every receiver that was paged, a restart
 * fires an overdue step exactly once and never repeats a fired one; policy parsing errors;
 * signed links. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/err.h"
#include "common/labels.h"
#include "common/xalloc.h"
#include "notifier/alert/alert.h"
#include "notifier/config/config.h"
#include "notifier/escalation/acklink.h"
#include "notifier/escalation/escalation.h"
#include "notifier/escalation/policy.h"
#include "notifier/receivers/receiver.h"
#include "notifier/store/store.h"
#include "test/harness.h"

#define S  1000000000LL
#define T0 (1800000000LL * S)

static const char *CFG =
    "route:\n"
    "  receiver: slack\n"
    "  group_by: [alertname]\n"
    "  routes:\n"
    "    - {receiver: slack, matchers: ['severity=\"page\"'], escalation_policy: page}\n"
    "receivers:\n"
    "  - {name: slack, webhook_configs: [{url: 'http://127.0.0.1:1/s'}]}\n"
    "  - {name: pd, webhook_configs: [{url: 'http://127.0.0.1:1/p'}]}\n"
    "  - {name: sms, webhook_configs: [{url: 'http://127.0.0.1:1/m'}]}\n"
    "escalation_policies:\n"
    "  - name: page\n"
    "    steps:\n"
    "      - {after: 5m, receivers: [pd]}\n"
    "      - after: 15m\n"
    "        notify: [{schedule: ops, role: secondary, via: sms}]\n"
    "users: [{name: alice, phone: '+100'}, {name: bob, phone: '+200'}]\n"
    "schedules:\n"
    "  - name: ops\n"
    "    layers: [{members: [alice, bob], rotation: 1000d, start: '2027-01-15'}]\n";

/* The same with a repeating chain that re-escalates on new alerts. */
static char cfg2[4096];
static const char *cfg_text;

static const char *make_cfg2(void)
{
    const char *steps = strstr(CFG, "    steps:");
    snprintf(cfg2, sizeof(cfg2),
             "%.*s    repeat: 1\n    repeat_interval: 20m\n"
             "    reescalate_on_new_alerts: true\n%s",
             (int)(steps - CFG), CFG, steps);
    return cfg2;
}

/* ---- fakes ---- */

static char sent[64][160];
static int nsent;
static int64_t clock_now = T0;
static const struct am_alert *group_alerts[4];
static size_t ngroup;
static struct labels *group_labels;
static const char *GROUP_KEY = "{}/{severity=\"page\"}:{alertname=\"Down\"}";

static int fake_notify(struct am_integration *it, const struct am_notify_data *d,
                       int64_t timeout_ns, am_notify_done_cb done, void *arg)
{
    struct am_notify_result r;
    const char *user = labels_get(d->alerts[0]->annotations, "tocsin_oncall_user");
    (void)it;
    (void)timeout_ns;
    if (nsent < 64)
        snprintf(sent[nsent++], sizeof(sent[0]), "%s %s %s%s%s", d->receiver,
                 d->alerts[0]->ends_at ? "resolved" : "firing",
                 labels_get(d->alerts[0]->annotations, "tocsin_ack_url") ? "link" : "nolink",
                 user ? " " : "", user ? user : "");
    memset(&r, 0, sizeof(r));
    r.outcome = AM_NOTIFY_OK;
    r.status = 200;
    done(arg, &r);
    return 0;
}

static void fake_free(struct am_integration *it)
{
    xfree(it);
}

static struct am_receiver **fake_receivers(void)
{
    static const char *names[] = {"slack", "pd", "sms"};
    struct am_receiver **v = xcalloc(3, sizeof(*v));
    for (int i = 0; i < 3; i++) {
        struct am_integration *it = xcalloc(1, sizeof(*it));
        it->kind = "fake";
        it->send_resolved = true;
        it->notify = fake_notify;
        it->free = fake_free;
        v[i] = xcalloc(1, sizeof(*v[i]));
        v[i]->name = xstrdup(names[i]);
        v[i]->integrations = xcalloc(1, sizeof(*v[i]->integrations));
        v[i]->integrations[0] = it;
        v[i]->n = 1;
    }
    return v;
}

static void free_receivers(struct am_receiver **v)
{
    for (int i = 0; i < 3; i++) {
        am_integration_free(v[i]->integrations[0]);
        xfree(v[i]->integrations);
        xfree(v[i]->name);
        xfree(v[i]);
    }
    xfree(v);
}

static void env_groups(void *ctx, esc_group_cb cb, void *arg)
{
    (void)ctx;
    if (ngroup)
        cb(arg, GROUP_KEY, group_labels, "slack", group_alerts, ngroup);
}

static bool muted;

static const char *env_suppressed(void *ctx, const struct am_alert *a)
{
    (void)ctx;
    (void)a;
    return muted ? "silenced" : NULL;
}

static int64_t env_now(void *ctx)
{
    (void)ctx;
    return clock_now;
}

struct rig {
    char dir[64];
    struct store *store;
    struct am_config *cfg;
    struct am_receiver **recv;
    struct escalation *x;
};

static void rig_open(struct rig *r, bool fresh)
{
    struct err e;
    struct esc_env env = {NULL, env_groups, env_suppressed, env_now};
    struct esc_opts o = {0};
    err_clear(&e);
    if (fresh) {
        snprintf(r->dir, sizeof(r->dir), "/tmp/tocsin-esc-XXXXXX");
        CHECK(mkdtemp(r->dir) != NULL);
    }
    CHECK(store_open(r->dir, NULL, &r->store, &e) == 0);
    if (cfg_text == NULL)
        cfg_text = CFG;
    CHECK(config_parse(cfg_text, strlen(cfg_text), "am.yml", &r->cfg, &e) == 0);
    r->recv = fake_receivers();
    o.store = r->store;
    o.external_url = "http://tocsin.example";
    o.storage_dir = r->dir;
    CHECK(escalation_new(NULL, &env, &o, &r->x, &e) == 0);
    CHECK(escalation_attach(r->x, r->cfg, r->recv, 3, &e) == 0);
}

static void rig_close(struct rig *r)
{
    escalation_free(r->x);
    free_receivers(r->recv);
    config_free(r->cfg);
    store_close(r->store);
}

static void noop_done(void *arg, const struct am_notify_result *r)
{
    (void)arg;
    (void)r;
}

/* The dispatcher's first notification of the group, through the wrapped slack integration. */
static void notify_first(struct rig *r)
{
    struct am_notify_data d;
    struct am_integration *it = r->recv[0]->integrations[0];
    memset(&d, 0, sizeof(d));
    d.receiver = "slack";
    d.group_key = GROUP_KEY;
    d.group_labels = group_labels;
    d.external_url = "http://tocsin.example";
    d.now = clock_now;
    d.alerts = group_alerts;
    d.n = ngroup;
    CHECK(it->notify(it, &d, S, noop_done, NULL) == 0);
}

static struct am_alert *alert_down;

static void setup_group(void)
{
    struct label ls[] = {{"alertname", "Down"}, {"severity", "page"}};
    struct label gl[] = {{"alertname", "Down"}};
    alert_down = am_alert_new(labels_new(ls, 2), NULL, "");
    alert_down->starts_at = T0;
    group_alerts[0] = alert_down;
    ngroup = 1;
    group_labels = labels_new(gl, 1);
    nsent = 0;
    clock_now = T0;
}

static const char *only_id(struct escalation *x)
{
    static char id[32];
    json_t *l = escalation_list_json(x);
    CHECK_INT(json_array_size(l), 1);
    snprintf(id, sizeof(id), "%s", json_string_value(json_object_get(json_array_get(l, 0), "id")));
    json_decref(l);
    return id;
}

static const char *state_of(struct escalation *x, const char *id)
{
    static char st[32];
    json_t *j = escalation_incident_json(x, id, clock_now);
    CHECK(j != NULL);
    snprintf(st, sizeof(st), "%s", json_string_value(json_object_get(j, "state")));
    json_decref(j);
    return st;
}

static void tick(struct rig *r, int64_t at)
{
    clock_now = at;
    escalation_tick(r->x, at);
}

static void test_chain_on_time_and_resolve(void)
{
    struct rig r;
    setup_group();
    rig_open(&r, true);
    notify_first(&r);
    CHECK_INT(nsent, 1);
    CHECK_STREQ(sent[0], "slack firing link");
    CHECK_INT(escalation_next_deadline(r.x), T0 + 300 * S);
    tick(&r, T0 + 299 * S);
    CHECK_INT(nsent, 1);
    tick(&r, T0 + 300 * S);
    CHECK_INT(nsent, 2);
    CHECK_STREQ(sent[1], "pd firing link");
    tick(&r, T0 + 899 * S);
    CHECK_INT(nsent, 2);
    tick(&r, T0 + 900 * S);
    CHECK_INT(nsent, 3);
    CHECK_STREQ(sent[2], "sms firing link bob"); /* secondary on call */
    tick(&r, T0 + 5000 * S);
    CHECK_INT(nsent, 3);
    /* the alert resolves: pd and sms (paged by escalation) get resolved notifications */
    alert_down->ends_at = T0 + 5001 * S;
    tick(&r, T0 + 5002 * S);
    tick(&r, T0 + 5003 * S);
    CHECK_INT(nsent, 5);
    CHECK(strcmp(sent[3], "pd resolved nolink") == 0 || strcmp(sent[4], "pd resolved nolink") == 0);
    CHECK(strcmp(sent[3], "sms resolved nolink bob") == 0 ||
          strcmp(sent[4], "sms resolved nolink bob") == 0);
    CHECK_STREQ(state_of(r.x, only_id(r.x)), "resolved");
    rig_close(&r);
    am_alert_free(alert_down);
    labels_free(group_labels);
}

static void test_ack_stops_and_unack_resumes(void)
{
    struct rig r;
    struct err e;
    const char *id;
    setup_group();
    rig_open(&r, true);
    notify_first(&r);
    id = only_id(r.x);
    tick(&r, T0 + 60 * S);
    CHECK(escalation_act(r.x, id, ESC_ACK, "alice", "api", clock_now, &e) == 0);
    CHECK_STREQ(state_of(r.x, id), "acked");
    tick(&r, T0 + 2000 * S);
    CHECK_INT(nsent, 1);
    CHECK_INT(escalation_next_deadline(r.x), INT64_MAX);
    /* un-ack: the pending step gets its full gap (5m) again from now */
    CHECK(escalation_act(r.x, id, ESC_UNACK, "alice", "api", clock_now, &e) == 0);
    CHECK_INT(escalation_next_deadline(r.x), T0 + 2300 * S);
    tick(&r, T0 + 2300 * S);
    CHECK_INT(nsent, 2);
    CHECK_STREQ(sent[1], "pd firing link");
    /* acting on unknown or resolved incidents */
    CHECK_INT(escalation_act(r.x, "00", ESC_ACK, "x", "api", clock_now, &e), ERR_NOTFOUND);
    CHECK(escalation_act(r.x, id, ESC_RESOLVE, "bob", "cli", clock_now, &e) == 0);
    CHECK_INT(escalation_act(r.x, id, ESC_ACK, "x", "api", clock_now, &e), ERR_INVALID);
    tick(&r, T0 + 2301 * S);
    /* manual resolve: pd (paged) and slack (route receiver) get resolved notifications */
    CHECK_INT(nsent, 4);
    rig_close(&r);
    am_alert_free(alert_down);
    labels_free(group_labels);
}

static void test_restart_fires_overdue_step_once(void)
{
    struct rig r;
    setup_group();
    rig_open(&r, true);
    notify_first(&r);
    tick(&r, T0 + 300 * S);
    CHECK_INT(nsent, 2);
    rig_close(&r); /* "crash": the engine goes away; the store keeps what was committed */
    /* down past the 15m step; the 5m step must not fire again */
    clock_now = T0 + 1200 * S;
    rig_open(&r, false);
    CHECK_INT(escalation_next_deadline(r.x), T0 + 900 * S);
    tick(&r, T0 + 1200 * S);
    CHECK_INT(nsent, 3);
    CHECK_STREQ(sent[2], "sms firing link bob");
    tick(&r, T0 + 1201 * S);
    rig_close(&r);
    clock_now = T0 + 1300 * S;
    rig_open(&r, false);
    tick(&r, T0 + 1300 * S);
    tick(&r, T0 + 9000 * S);
    CHECK_INT(nsent, 3);
    {
        json_t *j = escalation_incident_json(r.x, only_id(r.x), clock_now);
        CHECK_INT(json_array_size(json_object_get(j, "fired")), 3);
        CHECK(json_array_size(json_object_get(j, "timeline")) >= 7);
        json_decref(j);
    }
    rig_close(&r);
    am_alert_free(alert_down);
    labels_free(group_labels);
}

static void expect_policy_error(const char *extra, const char *needle)
{
    struct am_config *c = NULL;
    struct esc_config *ec = NULL;
    struct err e;
    const char *users = strstr(CFG, "users:");
    size_t head = (size_t)(users - CFG);
    size_t n = strlen(CFG) + strlen(extra) + 1;
    char *text = xmalloc(n);
    err_clear(&e);
    /* extra policies go at the end of escalation_policies (just before users:) */
    snprintf(text, n, "%.*s%s%s", (int)head, CFG, extra, users);
    CHECK(config_parse(text, strlen(text), "am.yml", &c, &e) == 0);
    CHECK(esc_config_parse(c, &ec, &e) != 0);
    if (strstr(e.msg, needle) == NULL)
        test_fail(__FILE__, __LINE__, "error \"%s\" lacks \"%s\"", e.msg, needle);
    CHECK(e.line > 0);
    config_free(c);
    xfree(text);
}

static void test_policy_errors(void)
{
    struct am_config *c = NULL;
    struct esc_config *ec = NULL;
    struct err e;
    err_clear(&e);
    CHECK(config_parse(CFG, strlen(CFG), "am.yml", &c, &e) == 0);
    CHECK(esc_config_parse(c, &ec, &e) == 0);
    CHECK_INT(ec->npolicies, 1);
    CHECK(ec->policies[0].stop_on_ack && ec->policies[0].stop_on_resolve);
    CHECK_INT(ec->policies[0].steps[1].after_ms, 900000);
    esc_config_free(ec);
    config_free(c);
    expect_policy_error("  - {name: p2, steps: [{after: 1m, receivers: [nope]}]}\n",
                        "undefined receiver \"nope\"");
    expect_policy_error("  - {name: p2, steps: [{after: 5m, receivers: [pd]}, "
                        "{after: 1m, receivers: [pd]}]}\n",
                        "must not be less");
    expect_policy_error(
        "  - {name: p2, steps: [{after: 1m, notify: [{schedule: nope, via: sms}]}]}\n",
        "undefined schedule");
    expect_policy_error("  - {name: page, steps: [{after: 1m, receivers: [pd]}]}\n",
                        "defined twice");
    expect_policy_error("  - {name: p2, repeat: 2, repeat_interval: 1m, "
                        "steps: [{after: 5m, receivers: [pd]}]}\n",
                        "repeat_interval");
}

static void test_ack_links(void)
{
    struct acklink_key k;
    struct err e;
    char sig[65], dir[] = "/tmp/tocsin-ack-XXXXXX", *url;
    struct acklink_key k2;
    CHECK(mkdtemp(dir) != NULL);
    CHECK(acklink_key_load(&k, NULL, dir, &e) == 0);
    CHECK(acklink_key_load(&k2, NULL, dir, &e) == 0); /* the generated secret is kept */
    CHECK_INT(k.len, k2.len);
    CHECK(memcmp(k.secret, k2.secret, k.len) == 0);
    acklink_sign(&k, "abc", "ack", 2000, sig);
    CHECK(acklink_verify(&k, "abc", "ack", 2000, sig, 1999));
    CHECK(!acklink_verify(&k, "abc", "ack", 2000, sig, 2000));     /* expired */
    CHECK(!acklink_verify(&k, "abd", "ack", 2000, sig, 1000));     /* other incident */
    CHECK(!acklink_verify(&k, "abc", "resolve", 2000, sig, 1000)); /* other action */
    CHECK(!acklink_verify(&k, "abc", "ack", 2001, sig, 1000));     /* extended expiry */
    sig[10] = sig[10] == 'a' ? 'b' : 'a';
    CHECK(!acklink_verify(&k, "abc", "ack", 2000, sig, 1000));
    CHECK(!acklink_verify(&k, "abc", "ack", 2000, "short", 1000));
    url = acklink_url(&k, "http://x", "abc", "ack", 2000);
    CHECK(strncmp(url, "http://x/api/v1/ack?incident=abc&action=ack&expires=2000&sig=", 61) == 0);
    xfree(url);
    CHECK(acklink_key_load(&k, "/nonexistent/secret", NULL, &e) == ERR_IO);
}

static void test_repeat_and_reescalation(void)
{
    struct rig r;
    struct err e;
    struct am_alert *second;
    struct label ls[] = {{"alertname", "Down"}, {"severity", "page"}, {"instance", "b"}};
    const char *id;
    cfg_text = make_cfg2();
    setup_group();
    rig_open(&r, true);
    notify_first(&r);
    for (int64_t t = 1; t <= 3000; t++)
        tick(&r, T0 + t * S);
    /* cycle 0: slack (dispatcher), pd at 5m, sms at 15m; cycle 1 (+20m): slack, pd, sms */
    CHECK_INT(nsent, 6);
    CHECK_STREQ(sent[3], "slack firing link");
    CHECK_STREQ(sent[4], "pd firing link");
    CHECK_STREQ(sent[5], "sms firing link bob");
    id = only_id(r.x);
    CHECK(escalation_act(r.x, id, ESC_ACK, "alice", "api", clock_now, &e) == 0);
    /* a new alert joins the acknowledged incident: the policy restarts the chain */
    second = am_alert_new(labels_new(ls, 3), NULL, "");
    second->starts_at = clock_now;
    group_alerts[1] = second;
    ngroup = 2;
    tick(&r, T0 + 3001 * S);
    CHECK_STREQ(state_of(r.x, id), "open");
    tick(&r, T0 + 3300 * S);
    CHECK_INT(nsent, 6);
    tick(&r, T0 + 3301 * S); /* 5m after the new alert joined */
    CHECK_INT(nsent, 7);
    CHECK_STREQ(sent[6], "pd firing link");
    rig_close(&r);
    am_alert_free(alert_down);
    am_alert_free(second);
    labels_free(group_labels);
    cfg_text = NULL;
}

static void test_silenced_incident_holds_steps(void)
{
    struct rig r;
    json_t *j;
    size_t i;
    json_t *ev;
    bool held = false, silenced = false;
    setup_group();
    rig_open(&r, true);
    notify_first(&r);
    muted = true;
    tick(&r, T0 + 10 * S);
    tick(&r, T0 + 600 * S);
    CHECK_INT(nsent, 1); /* the 5m step waits while every alert is silenced */
    muted = false;
    tick(&r, T0 + 601 * S);
    CHECK_INT(nsent, 2);
    CHECK_STREQ(sent[1], "pd firing link");
    j = escalation_incident_json(r.x, only_id(r.x), clock_now);
    json_array_foreach(json_object_get(j, "timeline"), i, ev)
    {
        const char *t = json_string_value(json_object_get(ev, "type"));
        held = held || strcmp(t, "held") == 0;
        silenced = silenced || strcmp(t, "silenced") == 0;
    }
    CHECK(held && silenced);
    json_decref(j);
    rig_close(&r);
    am_alert_free(alert_down);
    labels_free(group_labels);
}

static const struct test_case tests[] = {
    TEST(test_repeat_and_reescalation),
    TEST(test_silenced_incident_holds_steps),
    TEST(test_chain_on_time_and_resolve),
    TEST(test_ack_stops_and_unack_resumes),
    TEST(test_restart_fires_overdue_step_once),
    TEST(test_policy_errors),
    TEST(test_ack_links),
    {0},
};
TEST_MAIN(tests)
