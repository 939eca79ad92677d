/* SPDX-License-Identifier: Apache-2.0 */
/* In-memory alert provider with Alertmanager's merge rule (see provider.h). */
#include "notifier/alert/provider.h"

#include <stdlib.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/log.h"
#include "common/xalloc.h"
#include "notifier/alert/alert.h"
#include "notifier/alert/alert_json.h"
#include "notifier/store/store.h"

void am_alerts_init(struct am_alerts *p)
{
    kvmap_init(&p->by_fp);
}

void am_alerts_fini(struct am_alerts *p)
{
    struct kvmap_iter it;
    for (struct kvmap_entry *e = kvmap_first(&p->by_fp, &it); e; e = kvmap_next(&p->by_fp, &it))
        am_alert_free(e->value);
    kvmap_fini(&p->by_fp);
}

const struct am_alert *am_alerts_put(struct am_alerts *p, const struct am_alert *neu, int64_t now)
{
    char fp[17];
    struct am_alert *old, *m;
    am_fingerprint_format(neu->fingerprint, fp);
    old = kvmap_get(&p->by_fp, fp, 16);
    m = am_alert_put_merge(old, neu, now);
    kvmap_put(&p->by_fp, fp, 16, m);
    am_alert_free(old);
    return m;
}

const struct am_alert *am_alerts_get(const struct am_alerts *p, uint64_t fp)
{
    char k[17];
    return kvmap_get(&p->by_fp, am_fingerprint_format(fp, k), 16);
}

void am_alerts_restore(struct am_alerts *p, struct am_alert *a)
{
    char fp[17];
    am_alert_free(kvmap_put(&p->by_fp, am_fingerprint_format(a->fingerprint, fp), 16, a));
}

size_t am_alerts_gc(struct am_alerts *p, int64_t now,
                    void (*cb)(void *arg, const struct am_alert *a), void *arg)
{
    struct kvmap_iter it;
    size_t n = 0;
    for (struct kvmap_entry *e = kvmap_first(&p->by_fp, &it); e; e = kvmap_next(&p->by_fp, &it)) {
        struct am_alert *a = e->value;
        if (!am_alert_resolved_at(a, now))
            continue;
        if (cb)
            cb(arg, a);
        kvmap_del(&p->by_fp, e->key, e->klen);
        am_alert_free(a);
        n++;
    }
    return n;
}

static int cmp_fp(const void *x, const void *y)
{
    const struct am_alert *a = *(const struct am_alert *const *)x;
    const struct am_alert *b = *(const struct am_alert *const *)y;
    return a->fingerprint < b->fingerprint ? -1 : a->fingerprint > b->fingerprint;
}

const struct am_alert **am_alerts_list(const struct am_alerts *p, size_t *n)
{
    const struct am_alert **v = xcalloc(p->by_fp.n ? p->by_fp.n : 1, sizeof(*v));
    struct kvmap_iter it;
    size_t k = 0;
    for (struct kvmap_entry *e = kvmap_first(&p->by_fp, &it); e; e = kvmap_next(&p->by_fp, &it))
        v[k++] = e->value;
    qsort(v, k, sizeof(*v), cmp_fp);
    *n = k;
    return v;
}

int am_alerts_put_durable(struct am_alerts *p, struct store *s,
                          const struct am_alert *const *alerts, size_t n, int64_t now,
                          const struct am_alert **merged, struct err *e)
{
    struct am_alert **m = xcalloc(n ? n : 1, sizeof(*m));
    struct buf rec;
    int rc = 0;
    buf_init(&rec, 0);
    for (size_t i = 0; i < n; i++) {
        const struct am_alert *old = am_alerts_get(p, alerts[i]->fingerprint);
        /* a batch may carry the same alert twice: merge with the earlier one of the batch */
        for (size_t k = 0; k < i; k++) {
            if (m[k]->fingerprint == alerts[i]->fingerprint)
                old = m[k];
        }
        m[i] = am_alert_put_merge(old, alerts[i], now);
        if (s) {
            char fp[17];
            buf_reset(&rec);
            am_alert_encode_record(&rec, m[i]);
            am_fingerprint_format(m[i]->fingerprint, fp);
            if ((rc = store_put(s, STORE_NS_ALERT, fp, 16, rec.data, rec.len, 0)) != 0) {
                err_set(e, rc, "alert record too large");
                goto out;
            }
        }
    }
    if (s && (rc = store_commit(s, e)) != 0)
        goto out;
    for (size_t i = 0; i < n; i++) {
        char fp[17];
        am_alert_free(kvmap_put(&p->by_fp, am_fingerprint_format(m[i]->fingerprint, fp), 16, m[i]));
        if (merged)
            merged[i] = m[i];
        m[i] = NULL;
    }
    /* a fingerprint repeated in the batch: the later merge replaced the earlier in the map and
     * the earlier was freed, so point every duplicate at the survivor */
    for (size_t i = 0; merged && i < n; i++)
        merged[i] = am_alerts_get(p, alerts[i]->fingerprint);
out:
    for (size_t i = 0; i < n; i++)
        am_alert_free(m[i]);
    if (rc != 0 && s) {
        /* drop what was staged so the next commit does not write it */
        store_discard(s);
    }
    xfree(m);
    buf_fini(&rec);
    return rc;
}

struct load_ctx {
    struct am_alerts *p;
    int bad;
};

static void load_one(void *arg, const char *key, size_t klen, const struct store_value *v)
{
    struct load_ctx *c = arg;
    struct am_alert *a = NULL;
    (void)key;
    (void)klen;
    if (am_alert_decode_record(v->data, v->len, &a, NULL) != 0) {
        c->bad++;
        return;
    }
    am_alerts_restore(c->p, a);
}

int am_alerts_load(struct am_alerts *p, const struct store *s)
{
    struct load_ctx c = {p, 0};
    store_foreach(s, STORE_NS_ALERT, load_one, &c);
    if (c.bad)
        log_warnf("alerts: skipped %d corrupt stored alerts", c.bad);
    return c.bad;
}

struct gc_ctx {
    struct store *s;
    int rc;
};

static void gc_one(void *arg, const struct am_alert *a)
{
    struct gc_ctx *c = arg;
    char fp[17];
    if (c->s && c->rc == 0)
        c->rc = store_del(c->s, STORE_NS_ALERT, am_fingerprint_format(a->fingerprint, fp), 16);
}

long am_alerts_gc_durable(struct am_alerts *p, struct store *s, int64_t now, struct err *e)
{
    struct gc_ctx c = {s, 0};
    size_t n = am_alerts_gc(p, now, gc_one, &c);
    if (c.rc == 0 && s)
        c.rc = store_commit(s, e);
    return c.rc != 0 ? c.rc : (long)n;
}
