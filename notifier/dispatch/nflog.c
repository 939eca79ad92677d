/* SPDX-License-Identifier: Apache-2.0 */
/* Notification log with Alertmanager's needsUpdate rule (see nflog.h). */
#include "notifier/dispatch/nflog.h"

#include <stdio.h>
#include <string.h>

#include "common/err.h"
#include "common/log.h"
#include "common/xalloc.h"
#include "notifier/store/store.h"

void nflog_entry_free(struct nflog_entry *en)
{
    if (!en)
        return;
    xfree(en->firing);
    xfree(en->resolved);
    xfree(en);
}

void nflog_init(struct nflog *l, struct store *store, int64_t retention)
{
    kvmap_init(&l->m);
    l->store = store;
    l->retention = retention;
}

void nflog_fini(struct nflog *l)
{
    struct kvmap_iter it;
    for (struct kvmap_entry *e = kvmap_first(&l->m, &it); e; e = kvmap_next(&l->m, &it))
        nflog_entry_free(e->value);
    kvmap_fini(&l->m);
}

char *nflog_key(const char *group_key, const char *receiver, const char *kind, unsigned index,
                size_t *klen)
{
    char *k = xasprintf("%s\x1f%s\x1f%s\x1f%u", group_key, receiver, kind, index);
    *klen = strlen(k);
    return k;
}

const struct nflog_entry *nflog_query(const struct nflog *l, const char *key, size_t klen)
{
    return kvmap_get(&l->m, key, klen);
}

static void put_u64(char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (char)(v >> (8 * i));
}

static uint64_t get_u64(const char *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v |= (uint64_t)(unsigned char)p[i] << (8 * i);
    return v;
}

void nflog_entry_encode(const struct nflog_entry *en, char **out, size_t *len)
{
    size_t n = 8 * (4 + en->nf + en->nr);
    char *p = xmalloc(n);
    put_u64(p, (uint64_t)en->ts);
    put_u64(p + 8, (uint64_t)en->expires);
    put_u64(p + 16, en->nf);
    put_u64(p + 24, en->nr);
    for (size_t i = 0; i < en->nf; i++)
        put_u64(p + 32 + 8 * i, en->firing[i]);
    for (size_t i = 0; i < en->nr; i++)
        put_u64(p + 32 + 8 * (en->nf + i), en->resolved[i]);
    *out = p;
    *len = n;
}

struct nflog_entry *nflog_entry_decode(const char *data, size_t len)
{
    struct nflog_entry *en;
    uint64_t nf, nr;
    if (len < 32)
        return NULL;
    nf = get_u64(data + 16);
    nr = get_u64(data + 24);
    if (nf > len / 8 || nr > len / 8 || len != 8 * (4 + nf + nr))
        return NULL;
    en = xcalloc(1, sizeof(*en));
    en->ts = (int64_t)get_u64(data);
    en->expires = (int64_t)get_u64(data + 8);
    en->nf = nf;
    en->nr = nr;
    en->firing = xcalloc(nf ? nf : 1, 8);
    en->resolved = xcalloc(nr ? nr : 1, 8);
    for (size_t i = 0; i < nf; i++)
        en->firing[i] = get_u64(data + 32 + 8 * i);
    for (size_t i = 0; i < nr; i++)
        en->resolved[i] = get_u64(data + 32 + 8 * (nf + i));
    return en;
}

struct load_ctx {
    struct nflog *l;
    int bad;
};

static void load_one(void *arg, const char *key, size_t klen, const struct store_value *v)
{
    struct load_ctx *c = arg;
    struct nflog_entry *en = nflog_entry_decode(v->data, v->len);
    if (!en) {
        c->bad++;
        return;
    }
    nflog_entry_free(kvmap_put(&c->l->m, key, klen, en));
}

int nflog_load(struct nflog *l)
{
    struct load_ctx c = {l, 0};
    if (l->store)
        store_foreach(l->store, STORE_NS_NFLOG, load_one, &c);
    if (c.bad)
        log_warnf("nflog: skipped %d corrupt entries", c.bad);
    return c.bad;
}

int nflog_log(struct nflog *l, const char *key, size_t klen, const uint64_t *firing, size_t nf,
              const uint64_t *resolved, size_t nr, int64_t now, struct err *e)
{
    struct nflog_entry *en = xcalloc(1, sizeof(*en));
    int rc = 0;
    en->ts = now;
    en->expires = now + l->retention;
    en->nf = nf;
    en->nr = nr;
    en->firing = xmemdup(firing, (nf ? nf : 1) * 8);
    en->resolved = xmemdup(resolved, (nr ? nr : 1) * 8);
    if (l->store) {
        char *blob = NULL;
        size_t blen = 0;
        nflog_entry_encode(en, &blob, &blen);
        rc = store_put(l->store, STORE_NS_NFLOG, key, klen, blob, blen, en->expires);
        if (rc == 0)
            rc = store_commit(l->store, e);
        else
            err_set(e, rc, "nflog: cannot stage entry");
        xfree(blob);
    }
    nflog_entry_free(kvmap_put(&l->m, key, klen, en));
    return rc;
}

size_t nflog_gc(struct nflog *l, int64_t now)
{
    struct kvmap_iter it;
    size_t n = 0;
    for (struct kvmap_entry *e = kvmap_first(&l->m, &it); e; e = kvmap_next(&l->m, &it)) {
        struct nflog_entry *en = e->value;
        if (en->expires != 0 && en->expires <= now) {
            kvmap_del(&l->m, e->key, e->klen);
            nflog_entry_free(en);
            n++;
        }
    }
    return n;
}

static bool contains(const uint64_t *set, size_t n, uint64_t v)
{
    for (size_t i = 0; i < n; i++) {
        if (set[i] == v)
            return true;
    }
    return false;
}

/* Every element of sub is in set. */
static bool subset(const uint64_t *set, size_t n, const uint64_t *sub, size_t m)
{
    for (size_t i = 0; i < m; i++) {
        if (!contains(set, n, sub[i]))
            return false;
    }
    return true;
}

bool nflog_needs_update(const struct nflog_entry *entry, const uint64_t *firing, size_t nf,
                        const uint64_t *resolved, size_t nr, bool send_resolved, int64_t repeat,
                        int64_t now)
{
    if (!entry)
        return nf > 0;
    if (!subset(entry->firing, entry->nf, firing, nf))
        return true;
    if (nf == 0)
        return entry->nf > 0;
    if (send_resolved && !subset(entry->resolved, entry->nr, resolved, nr))
        return true;
    return entry->ts < now - repeat;
}
