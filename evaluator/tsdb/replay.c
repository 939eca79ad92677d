/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Start-up recovery: the latest checkpoint, then every WAL segment after it. Series records
 * (uvarint id, uvarint nlabels, (str, str)...) create series; sample records (uvarint id,
 * uvarint count, varint t0, f64 v0, (uvarint dt, f64 v)...) are re-appended with the normal
 * validation, so expired, out-of-order and duplicate samples are dropped. Never aborts on bad
 * data: corrupt tails are truncated by the WAL reader, malformed payloads are skipped.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/labels.h"
#include "common/log.h"
#include "common/xalloc.h"
#include "evaluator/tsdb/enc.h"
#include "evaluator/tsdb/tsdb_int.h"
#include "evaluator/tsdb/wal.h"

static struct series *resolve(struct tsdb *db, uint64_t id)
{
    struct series *s = tsdb_get_by_id(db, id);
    if (s != NULL)
        return s;
    for (size_t i = 0; i < db->alias_n; i++)
        if (db->alias_k[i] == id)
            return tsdb_get_by_id(db, db->alias_v[i]);
    return NULL;
}

static void add_alias(struct tsdb *db, uint64_t from, uint64_t to)
{
    if (db->alias_n == db->alias_cap) {
        db->alias_cap = db->alias_cap ? db->alias_cap * 2 : 16;
        db->alias_k = xreallocarray(db->alias_k, db->alias_cap, sizeof(*db->alias_k));
        db->alias_v = xreallocarray(db->alias_v, db->alias_cap, sizeof(*db->alias_v));
    }
    db->alias_k[db->alias_n] = from;
    db->alias_v[db->alias_n] = to;
    db->alias_n++;
}

static int replay_series(struct tsdb *db, struct dec *d)
{
    while (d->p < d->end) {
        uint64_t id, n;
        struct label *items;
        struct labels *ls = NULL;
        struct series *s;
        size_t k = 0;
        bool ok = true;
        if (!dec_uvarint(d, &id) || !dec_uvarint(d, &n) || n > (uint64_t)(d->end - d->p) / 2)
            return ERR_CORRUPT;
        items = xcalloc(n ? n : 1, sizeof(*items));
        for (; k < n && ok; k++) {
            uint64_t len;
            const uint8_t *p;
            ok = dec_uvarint(d, &len) && dec_bytes(d, len, &p);
            if (ok) {
                items[k].name = xstrndup((const char *)p, len);
                ok = dec_uvarint(d, &len) && dec_bytes(d, len, &p);
                items[k].value = ok ? xstrndup((const char *)p, len) : xstrdup("");
            }
        }
        if (ok)
            ls = labels_new(items, n);
        for (size_t i = 0; i < k; i++) {
            xfree((char *)items[i].name);
            xfree((char *)items[i].value);
        }
        xfree(items);
        if (!ok)
            return ERR_CORRUPT;
        if (id == 0 || id == UINT64_MAX || tsdb_get_by_id(db, id) != NULL) {
            labels_free(ls);
            continue;
        }
        s = tsdb_get_by_labels(db, ls, labels_hash(ls));
        if (s != NULL) {
            add_alias(db, id, s->id);
            if (id >= db->next_id)
                db->next_id = id + 1;
            labels_free(ls);
            continue;
        }
        s = tsdb_series_create(db, ls, id);
        s->logged = true;
    }
    return 0;
}

static int replay_samples(struct tsdb *db, struct dec *d, int64_t cutoff)
{
    while (d->p < d->end) {
        uint64_t id, cnt;
        int64_t t = 0;
        struct series *s;
        if (!dec_uvarint(d, &id) || !dec_uvarint(d, &cnt) || cnt == 0 ||
            cnt > (uint64_t)(d->end - d->p) / 9)
            return ERR_CORRUPT;
        s = resolve(db, id);
        if (s != NULL)
            pthread_mutex_lock(tsdb_stripe(db, s));
        for (uint64_t i = 0; i < cnt; i++) {
            double v;
            bool ok;
            if (i == 0) {
                ok = dec_varint(d, &t);
            } else {
                uint64_t dt;
                ok = dec_uvarint(d, &dt);
                t = (int64_t)((uint64_t)t + dt);
            }
            ok = ok && dec_f64(d, &v);
            if (!ok) {
                if (s != NULL)
                    pthread_mutex_unlock(tsdb_stripe(db, s));
                return ERR_CORRUPT;
            }
            if (s == NULL || tsdb_series_append(db, s, t, v, cutoff) >= 0)
                atomic_fetch_add_explicit(&db->replay_dropped, 1, memory_order_relaxed);
        }
        if (s != NULL)
            pthread_mutex_unlock(tsdb_stripe(db, s));
    }
    return 0;
}

int tsdb_replay_record(struct tsdb *db, uint8_t type, const uint8_t *p, size_t n)
{
    struct dec d = {p, p + n};
    atomic_fetch_add_explicit(&db->replay_records, 1, memory_order_relaxed);
    switch (type) {
    case WAL_REC_SERIES:
        return replay_series(db, &d);
    case WAL_REC_SAMPLES:
        return replay_samples(db, &d, tsdb_cutoff(db, tsdb_now(db)));
    default:
        return ERR_CORRUPT;
    }
}

static int record_cb(void *ctx, uint8_t type, const uint8_t *p, size_t n)
{
    return tsdb_replay_record(ctx, type, p, n);
}

/* Highest N of DIR/checkpoint.N (exactly 8 digits), 0 when none. */
static uint32_t latest_checkpoint(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    uint32_t best = 0;
    if (d == NULL)
        return 0;
    while ((de = readdir(d)) != NULL) {
        const char *s = de->d_name;
        char *end;
        unsigned long n;
        if (strncmp(s, "checkpoint.", 11) != 0 || strlen(s + 11) != 8)
            continue;
        n = strtoul(s + 11, &end, 10);
        if (*end == '\0' && n <= UINT32_MAX && n > best)
            best = (uint32_t)n;
    }
    closedir(d);
    return best;
}

int tsdb_replay(struct tsdb *db, uint32_t *last_seg, struct err *e)
{
    uint32_t ckpt = latest_checkpoint(db->dir), *segs = NULL;
    size_t nsegs = 0;
    int rc;
    *last_seg = ckpt;
    pthread_mutex_lock(&db->append_mu);
    if (ckpt > 0) {
        char *path = tsdb_checkpoint_path(db->dir, ckpt);
        struct err ce;
        err_clear(&ce);
        if (tsdb_checkpoint_load(db, path, &ce) != 0) {
            log_kv(LOG_ERROR, "tsdb: checkpoint unreadable, starting from the WAL only", "path",
                   path, "err", ce.msg, NULL);
            atomic_fetch_add(&db->replay_corruptions, 1);
        }
        xfree(path);
    }
    if ((rc = wal_list_segments(db->wal_dir, &segs, &nsegs, e)) != 0)
        goto out;
    for (size_t i = 0; i < nsegs; i++) {
        char *path;
        struct wal_read_result res;
        struct err we;
        if (segs[i] <= ckpt)
            continue;
        path = xasprintf("%s/%08u", db->wal_dir, segs[i]);
        err_clear(&we);
        if (wal_replay_file(path, record_cb, db, &res, &we) != 0) {
            log_kv(LOG_ERROR, "tsdb: WAL segment unreadable, skipped", "path", path, "err", we.msg,
                   NULL);
            atomic_fetch_add(&db->replay_corruptions, 1);
        } else {
            if (res.problem != NULL)
                atomic_fetch_add(&db->replay_corruptions, 1);
            if (res.bad_payloads > 0) {
                char nbad[32];
                snprintf(nbad, sizeof(nbad), "%zu", res.bad_payloads);
                log_kv(LOG_WARN, "tsdb: malformed WAL records skipped", "path", path, "count", nbad,
                       NULL);
                atomic_fetch_add(&db->replay_corruptions, res.bad_payloads);
            }
        }
        xfree(path);
        if (segs[i] > *last_seg)
            *last_seg = segs[i];
    }
    if (ckpt > 0)
        wal_delete_segments(db->wal_dir, ckpt);
out:
    xfree(db->alias_k);
    xfree(db->alias_v);
    db->alias_k = db->alias_v = NULL;
    db->alias_n = db->alias_cap = 0;
    pthread_mutex_unlock(&db->append_mu);
    xfree(segs);
    return rc;
}
