/* SPDX-License-Identifier: Apache-2.0 */
/* In-memory alert provider with Alertmanager's merge rule (see provider.h). */
#include "notifier/alert/provider.h"

#include <stdlib.h>

#include "common/xalloc.h"
#include "notifier/alert/alert.h"

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
