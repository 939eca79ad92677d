/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The in-memory window: series maps, appends with validation and WAL logging, retention,
 * selection for PromQL and the HTTP API, stats and the background maintenance thread.
 * Locking: append_mu serializes writers; index_mu (rwlock) protects maps and index for readers;
 * stripe mutexes protect each series' chunks. Order: append_mu, then index_mu, then a stripe.
 */
#include "evaluator/tsdb/tsdb.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/labels.h"
#include "common/log.h"
#include "common/matcher.h"
#include "common/xalloc.h"
#include "evaluator/tsdb/enc.h"
#include "evaluator/tsdb/index.h"
#include "evaluator/tsdb/tsdb_int.h"
#include "evaluator/tsdb/wal.h"

#define RLX memory_order_relaxed

static const char *const reject_names[TSDB_REJECT_COUNT] = {
    "out_of_order",   "duplicate",    "too_old",   "series_limit",
    "invalid_labels", "label_limits", "histogram",
};

const char *tsdb_reject_name(enum tsdb_reject r)
{
    return (unsigned)r < TSDB_REJECT_COUNT ? reject_names[r] : "unknown";
}

void tsdb_options_default(struct tsdb_options *o)
{
    memset(o, 0, sizeof(*o));
    o->retention_ms = TSDB_DEFAULT_RETENTION_MS;
    o->fsync_interval_ms = 1000;
    o->checkpoint_interval_ms = 30 * 60 * 1000;
    o->gc_interval_ms = 60 * 1000;
    o->wal_segment_bytes = 64u << 20;
    o->background = true;
}

int64_t tsdb_now(struct tsdb *db)
{
    struct timespec ts;
    if (db->opt.now_ms)
        return db->opt.now_ms(db->opt.now_ctx);
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t tsdb_cutoff(struct tsdb *db, int64_t now)
{
    if (db->opt.retention_ms <= 0 || now < INT64_MIN + db->opt.retention_ms)
        return INT64_MIN;
    return now - db->opt.retention_ms;
}

/* ---- series maps ---- */

static void map_grow(struct series_map *m, size_t n, bool by_id)
{
    size_t nb;
    struct series **b;
    if (n <= m->nb)
        return;
    nb = m->nb ? m->nb * 2 : 1024;
    b = xcalloc(nb, sizeof(*b));
    for (size_t i = 0; i < m->nb; i++) {
        struct series *s = m->b[i], *next;
        for (; s; s = next) {
            size_t k;
            if (by_id) {
                next = s->inext;
                k = s->id & (nb - 1);
                s->inext = b[k];
            } else {
                next = s->hnext;
                k = s->hash & (nb - 1);
                s->hnext = b[k];
            }
            b[k] = s;
        }
    }
    xfree(m->b);
    m->b = b;
    m->nb = nb;
}

struct series *tsdb_get_by_labels(struct tsdb *db, const struct labels *ls, uint64_t hash)
{
    if (db->by_hash.nb == 0)
        return NULL;
    for (struct series *s = db->by_hash.b[hash & (db->by_hash.nb - 1)]; s; s = s->hnext)
        if (s->hash == hash && labels_equal(s->ls, ls))
            return s;
    return NULL;
}

struct series *tsdb_get_by_id(struct tsdb *db, uint64_t id)
{
    if (db->by_id.nb == 0)
        return NULL;
    for (struct series *s = db->by_id.b[id & (db->by_id.nb - 1)]; s; s = s->inext)
        if (s->id == id)
            return s;
    return NULL;
}

struct series *tsdb_series_create(struct tsdb *db, struct labels *ls, uint64_t id)
{
    struct series *s = xcalloc(1, sizeof(*s));
    size_t k;
    s->id = id;
    s->ls = ls;
    s->hash = labels_hash(ls);
    atomic_init(&s->refs, 1);
    pthread_rwlock_wrlock(&db->index_mu);
    map_grow(&db->by_hash, db->nseries + 1, false);
    map_grow(&db->by_id, db->nseries + 1, true);
    k = s->hash & (db->by_hash.nb - 1);
    s->hnext = db->by_hash.b[k];
    db->by_hash.b[k] = s;
    k = s->id & (db->by_id.nb - 1);
    s->inext = db->by_id.b[k];
    db->by_id.b[k] = s;
    index_add(db->ix, id, ls);
    db->nseries++;
    pthread_rwlock_unlock(&db->index_mu);
    if (id >= db->next_id)
        db->next_id = id + 1;
    atomic_fetch_add_explicit(&db->series_created, 1, RLX);
    atomic_fetch_add_explicit(&db->labels_bytes, labels_size(ls), RLX);
    return s;
}

static void account_chunk(struct tsdb *db, const struct chunk *c, int sign)
{
    uint64_t data = chunk_data_bytes(c), alloc = chunk_alloc_bytes(c);
    if (sign > 0) {
        atomic_fetch_add_explicit(&db->chunk_bytes, data, RLX);
        atomic_fetch_add_explicit(&db->chunk_alloc, alloc, RLX);
    } else {
        atomic_fetch_sub_explicit(&db->chunk_bytes, data, RLX);
        atomic_fetch_sub_explicit(&db->chunk_alloc, alloc, RLX);
    }
}

static void series_free(struct tsdb *db, struct series *s)
{
    for (uint32_t i = 0; i < s->nchunks; i++) {
        account_chunk(db, s->chunks[i], -1);
        atomic_fetch_sub_explicit(&db->samples_in_mem, s->chunks[i]->n, RLX);
        chunk_free(s->chunks[i]);
    }
    atomic_fetch_sub_explicit(&db->nchunks, s->nchunks, RLX);
    atomic_fetch_sub_explicit(&db->labels_bytes, labels_size(s->ls), RLX);
    xfree(s->chunks);
    labels_free(s->ls);
    xfree(s);
}

void tsdb_series_unref(struct tsdb *db, struct series *s)
{
    if (atomic_fetch_sub(&s->refs, 1) == 1)
        series_free(db, s);
}

static void unlink_series(struct tsdb *db, struct series *s)
{
    struct series **pp = &db->by_hash.b[s->hash & (db->by_hash.nb - 1)];
    while (*pp && *pp != s)
        pp = &(*pp)->hnext;
    if (*pp)
        *pp = s->hnext;
    pp = &db->by_id.b[s->id & (db->by_id.nb - 1)];
    while (*pp && *pp != s)
        pp = &(*pp)->inext;
    if (*pp)
        *pp = s->inext;
    index_del(db->ix, s->id, s->ls);
    db->nseries--;
}

static void grow_chunks(struct series *s)
{
    if (s->nchunks == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 2;
        s->chunks = xreallocarray(s->chunks, s->cap, sizeof(*s->chunks));
    }
}

void tsdb_series_add_chunk(struct tsdb *db, struct series *s, struct chunk *c,
                           const struct chunk_app *app)
{
    if (s->nchunks > 0) {
        struct chunk *prev = s->chunks[s->nchunks - 1];
        account_chunk(db, prev, -1);
        prev = chunk_compact(prev);
        account_chunk(db, prev, 1);
        s->chunks[s->nchunks - 1] = prev;
    }
    grow_chunks(s);
    s->chunks[s->nchunks++] = c;
    s->app = *app;
    account_chunk(db, c, 1);
    atomic_fetch_add_explicit(&db->nchunks, 1, RLX);
    atomic_fetch_add_explicit(&db->samples_in_mem, c->n, RLX);
    atomic_fetch_add_explicit(&db->samples_appended, c->n, RLX);
}

static uint64_t dbits(double v)
{
    uint64_t u;
    memcpy(&u, &v, sizeof(u));
    return u;
}

int tsdb_series_append(struct tsdb *db, struct series *s, int64_t t, double v, int64_t cutoff)
{
    struct chunk *head = s->nchunks ? s->chunks[s->nchunks - 1] : NULL;
    if (t < cutoff)
        return TSDB_REJECT_TOO_OLD;
    if (head != NULL) {
        if (t < s->app.t)
            return TSDB_REJECT_OUT_OF_ORDER;
        if (t == s->app.t)
            return dbits(v) == s->app.v ? TSDB_APPENDED_DUP : TSDB_REJECT_DUPLICATE;
    }
    /* Cut a new chunk after CHUNK_SAMPLES samples, or when the head spans a sixth of the
     * retention, so that retention can free slow series' data in steps of that size. */
    if (head == NULL || head->n >= CHUNK_SAMPLES ||
        (db->opt.retention_ms > 0 &&
         (uint64_t)t - (uint64_t)head->mint >= (uint64_t)db->opt.retention_ms / 6)) {
        struct chunk_app app;
        struct chunk *c = chunk_new(&app);
        tsdb_series_add_chunk(db, s, c, &app);
        head = c;
    }
    account_chunk(db, head, -1);
    head = chunk_append(head, &s->app, t, v);
    s->chunks[s->nchunks - 1] = head;
    account_chunk(db, head, 1);
    atomic_fetch_add_explicit(&db->samples_in_mem, 1, RLX);
    atomic_fetch_add_explicit(&db->samples_appended, 1, RLX);
    return TSDB_APPENDED;
}

/* ---- appender ---- */

struct app_entry {
    struct labels *ls; /* owned when owned, else borrowed until the commit */
    bool owned;
    size_t off, n;
};

struct tsdb_appender {
    struct tsdb *db;
    struct app_entry *ents;
    size_t nents, capents;
    int64_t *t;
    double *v;
    size_t ns, caps;
    uint64_t max_series;
};

struct tsdb_appender *tsdb_appender_new(struct tsdb *db)
{
    struct tsdb_appender *a = xcalloc(1, sizeof(*a));
    a->db = db;
    return a;
}

static void appender_reset(struct tsdb_appender *a)
{
    for (size_t i = 0; i < a->nents; i++)
        if (a->ents[i].owned)
            labels_free(a->ents[i].ls);
    a->nents = 0;
    a->ns = 0;
}

void tsdb_appender_free(struct tsdb_appender *a)
{
    if (a == NULL)
        return;
    appender_reset(a);
    xfree(a->ents);
    xfree(a->t);
    xfree(a->v);
    xfree(a);
}

void tsdb_appender_set_max_series(struct tsdb_appender *a, uint64_t max_series)
{
    a->max_series = max_series;
}

static void add_entry(struct tsdb_appender *a, struct labels *ls, bool owned, const int64_t *t,
                      const double *v, size_t n)
{
    struct app_entry *e;
    if (a->nents == a->capents) {
        a->capents = a->capents ? a->capents * 2 : 16;
        a->ents = xreallocarray(a->ents, a->capents, sizeof(*a->ents));
    }
    if (a->ns + n > a->caps) {
        size_t cap = a->caps ? a->caps * 2 : 64;
        while (cap < a->ns + n)
            cap *= 2;
        a->t = xreallocarray(a->t, cap, sizeof(*a->t));
        a->v = xreallocarray(a->v, cap, sizeof(*a->v));
        a->caps = cap;
    }
    e = &a->ents[a->nents++];
    e->ls = ls;
    e->owned = owned;
    e->off = a->ns;
    e->n = n;
    if (n) {
        memcpy(a->t + a->ns, t, n * sizeof(*t));
        memcpy(a->v + a->ns, v, n * sizeof(*v));
    }
    a->ns += n;
}

void tsdb_appender_add(struct tsdb_appender *a, struct labels *ls, const int64_t *t,
                       const double *v, size_t n)
{
    add_entry(a, ls, true, t, v, n);
}

void tsdb_appender_add_ref(struct tsdb_appender *a, const struct labels *ls, const int64_t *t,
                           const double *v, size_t n)
{
    add_entry(a, (struct labels *)ls, false, t, v, n);
}

static void note_reject(struct tsdb_commit_result *res, int reason, uint64_t n,
                        const struct labels *ls, int64_t t, int64_t other)
{
    struct buf b;
    res->rejected += n;
    res->rejected_by[reason] += n;
    if (res->first_reason >= 0)
        return;
    res->first_reason = reason;
    buf_init(&b, 256);
    if (labels_format(ls, &b) != 0) {
        buf_reset(&b);
        buf_puts(&b, "{...}");
    }
    switch (reason) {
    case TSDB_REJECT_OUT_OF_ORDER:
        snprintf(res->first_error, sizeof(res->first_error),
                 "out of order sample: timestamp %" PRId64 " is before the series' last sample "
                 "at %" PRId64 " for series %s",
                 t, other, buf_str(&b));
        break;
    case TSDB_REJECT_DUPLICATE:
        snprintf(res->first_error, sizeof(res->first_error),
                 "duplicate sample for timestamp %" PRId64 " with a different value for series %s",
                 t, buf_str(&b));
        break;
    case TSDB_REJECT_TOO_OLD:
        snprintf(res->first_error, sizeof(res->first_error),
                 "out of bounds: sample at %" PRId64 " is older than the retention window "
                 "(starts at %" PRId64 ") for series %s",
                 t, other, buf_str(&b));
        break;
    default:
        snprintf(res->first_error, sizeof(res->first_error),
                 "too many series: the limit of %" PRId64 " series is reached, series %s was "
                 "not created",
                 other, buf_str(&b));
        break;
    }
    buf_fini(&b);
}

static int encode_series_record(struct buf *b, const struct series *s)
{
    int rc = enc_uvarint(b, s->id);
    rc = rc ? rc : enc_uvarint(b, s->ls->n);
    for (size_t i = 0; rc == 0 && i < s->ls->n; i++) {
        rc = enc_str(b, s->ls->v[i].name);
        rc = rc ? rc : enc_str(b, s->ls->v[i].value);
    }
    return rc;
}

/* The newest sample of a series as seen by the commit in progress (stored or about to be). */
struct pend {
    struct series *s;
    int64_t t;
    uint64_t v;
    bool has;
};

struct pend_map {
    struct pend *v;
    size_t cap;
};

static struct pend *pend_get(struct pend_map *m, struct series *s)
{
    size_t k = (size_t)(s->id * 0x9e3779b97f4a7c15ULL) & (m->cap - 1);
    while (m->v[k].s != NULL && m->v[k].s != s)
        k = (k + 1) & (m->cap - 1);
    if (m->v[k].s == NULL) {
        m->v[k].s = s;
        m->v[k].has = s->nchunks > 0; /* append_mu held: only we change chunks */
        m->v[k].t = s->app.t;
        m->v[k].v = s->app.v;
    }
    return &m->v[k];
}

/* Decides which of entry e's samples are stored (acc[i] = 1) and encodes those into rec. */
static void validate_entry(struct series *s, struct pend *p, const struct tsdb_appender *a,
                           const struct app_entry *e, int64_t cutoff, uint8_t *acc, struct buf *rec,
                           struct buf *tmp, struct tsdb_commit_result *res)
{
    uint64_t cnt = 0;
    int64_t prev = 0;
    buf_reset(tmp);
    for (size_t i = e->off; i < e->off + e->n; i++) {
        int64_t t = a->t[i];
        uint64_t vb = dbits(a->v[i]);
        if (t < cutoff) {
            note_reject(res, TSDB_REJECT_TOO_OLD, 1, s->ls, t, cutoff);
        } else if (p->has && t < p->t) {
            note_reject(res, TSDB_REJECT_OUT_OF_ORDER, 1, s->ls, t, p->t);
        } else if (p->has && t == p->t) {
            if (vb == p->v)
                res->appended++; /* idempotent retry: already stored */
            else
                note_reject(res, TSDB_REJECT_DUPLICATE, 1, s->ls, t, p->t);
        } else {
            if (cnt == 0)
                enc_varint(tmp, t);
            else
                enc_uvarint(tmp, (uint64_t)t - (uint64_t)prev);
            enc_f64(tmp, a->v[i]);
            prev = t;
            cnt++;
            acc[i] = 1;
            p->has = true;
            p->t = t;
            p->v = vb;
            res->appended++;
        }
    }
    if (cnt > 0) {
        enc_uvarint(rec, s->id);
        enc_uvarint(rec, cnt);
        buf_append(rec, tmp->data, tmp->len);
    }
}

/* Removes series created by a failed commit (append_mu held; they have no samples). */
static void drop_created(struct tsdb *db, struct series **created, size_t n)
{
    if (n == 0)
        return;
    pthread_rwlock_wrlock(&db->index_mu);
    for (size_t i = 0; i < n; i++)
        unlink_series(db, created[i]);
    pthread_rwlock_unlock(&db->index_mu);
    atomic_fetch_add_explicit(&db->series_removed, n, RLX);
    for (size_t i = 0; i < n; i++)
        tsdb_series_unref(db, created[i]);
}

/*
 * Commit: (1) resolve or create each entry's series and validate every sample against the
 * series' newest sample (tracked per series across entries), (2) write one series record and
 * one samples record to the WAL, (3) only then store the samples in the chunks. A failed WAL
 * write therefore leaves memory unchanged, so a retry is logged again.
 */
int tsdb_appender_commit(struct tsdb_appender *a, struct tsdb_commit_result *res, struct err *e)
{
    struct tsdb *db = a->db;
    struct buf srec, arec, tmp, out;
    struct series **logged = NULL, **created = NULL, **eser = NULL;
    struct pend_map pm = {NULL, 0};
    uint8_t *acc = NULL;
    size_t nlogged = 0, ncreated = 0;
    int64_t cutoff;
    int rc = 0;
    memset(res, 0, sizeof(*res));
    res->first_reason = -1;
    if (a->nents == 0)
        return 0;
    buf_init(&srec, 0);
    buf_init(&arec, 0);
    buf_init(&tmp, 0);
    buf_init(&out, 0);
    logged = xcalloc(a->nents, sizeof(*logged));
    created = xcalloc(a->nents, sizeof(*created));
    eser = xcalloc(a->nents, sizeof(*eser));
    acc = xcalloc(a->ns ? a->ns : 1, 1);
    pm.cap = 16;
    while (pm.cap < 2 * a->nents)
        pm.cap *= 2;
    pm.v = xcalloc(pm.cap, sizeof(*pm.v));
    pthread_mutex_lock(&db->append_mu);
    cutoff = tsdb_cutoff(db, tsdb_now(db));
    for (size_t i = 0; i < a->nents; i++) {
        struct app_entry *ent = &a->ents[i];
        struct series *s;
        if (ent->n == 0)
            continue;
        s = tsdb_get_by_labels(db, ent->ls, labels_hash(ent->ls));
        if (s == NULL) {
            bool fresh = false;
            for (size_t k = ent->off; k < ent->off + ent->n && !fresh; k++)
                fresh = a->t[k] >= cutoff;
            if (!fresh) {
                note_reject(res, TSDB_REJECT_TOO_OLD, ent->n, ent->ls, a->t[ent->off], cutoff);
                continue;
            }
            if (a->max_series && db->nseries >= a->max_series) {
                note_reject(res, TSDB_REJECT_SERIES_LIMIT, ent->n, ent->ls, 0,
                            (int64_t)a->max_series);
                continue;
            }
            s = tsdb_series_create(db, ent->owned ? ent->ls : labels_dup(ent->ls), db->next_id);
            if (ent->owned)
                ent->ls = NULL;
            created[ncreated++] = s;
            res->series_created++;
        }
        if (!s->logged && db->wal) {
            encode_series_record(&srec, s);
            s->logged = true;
            logged[nlogged++] = s;
        }
        eser[i] = s;
        validate_entry(s, pend_get(&pm, s), a, ent, cutoff, acc, &arec, &tmp, res);
    }
    if (db->wal && (srec.len > 0 || arec.len > 0)) {
        bool sync = db->opt.fsync_interval_ms == 0;
        if (srec.len > 0)
            rc = wal_frame(&out, WAL_REC_SERIES, srec.data, srec.len);
        if (rc == 0 && arec.len > 0)
            rc = wal_frame(&out, WAL_REC_SAMPLES, arec.data, arec.len);
        if (rc != 0)
            rc = err_set(e, ERR_IO, "wal: record too large (%zu bytes)", srec.len + arec.len);
        else
            rc = wal_write(db->wal, out.data, out.len, sync, e);
        if (rc != 0) {
            for (size_t i = 0; i < nlogged; i++)
                logged[i]->logged = false;
            drop_created(db, created, ncreated);
            atomic_fetch_add_explicit(&db->wal_errors, 1, RLX);
            res->appended = 0;
            res->series_created = 0;
            rc = ERR_IO;
        }
    }
    if (rc == 0) {
        for (size_t i = 0; i < a->nents; i++) {
            struct series *s = eser[i];
            const struct app_entry *ent = &a->ents[i];
            if (s == NULL)
                continue;
            pthread_mutex_lock(tsdb_stripe(db, s));
            for (size_t k = ent->off; k < ent->off + ent->n; k++)
                if (acc[k])
                    tsdb_series_append(db, s, a->t[k], a->v[k], cutoff);
            pthread_mutex_unlock(tsdb_stripe(db, s));
        }
    }
    pthread_mutex_unlock(&db->append_mu);
    for (int r = 0; r < TSDB_REJECT_COUNT; r++)
        if (res->rejected_by[r])
            atomic_fetch_add_explicit(&db->rejected[r], res->rejected_by[r], RLX);
    xfree(pm.v);
    xfree(acc);
    xfree(eser);
    xfree(created);
    xfree(logged);
    buf_fini(&srec);
    buf_fini(&arec);
    buf_fini(&tmp);
    buf_fini(&out);
    appender_reset(a);
    return rc;
}

void tsdb_count_rejected(struct tsdb *db, enum tsdb_reject r, uint64_t n)
{
    if ((unsigned)r < TSDB_REJECT_COUNT)
        atomic_fetch_add_explicit(&db->rejected[r], n, RLX);
}

/* ---- queries ---- */

/* Resolves the series matching ms to referenced pointers (caller unrefs and frees *out). */
static void select_series(struct tsdb *db, const struct matcher *const *ms, size_t nms,
                          struct series ***out, size_t *n)
{
    struct postings p;
    struct series **v;
    size_t k = 0;
    postings_init(&p);
    pthread_rwlock_rdlock(&db->index_mu);
    index_select(db->ix, ms, nms, &p);
    v = xcalloc(p.n ? p.n : 1, sizeof(*v));
    for (size_t i = 0; i < p.n; i++) {
        struct series *s = tsdb_get_by_id(db, p.ids[i]);
        if (s == NULL)
            continue;
        atomic_fetch_add(&s->refs, 1);
        v[k++] = s;
    }
    pthread_rwlock_unlock(&db->index_mu);
    postings_fini(&p);
    *out = v;
    *n = k;
}

static void release_series(struct tsdb *db, struct series **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        tsdb_series_unref(db, v[i]);
    xfree(v);
}

/* True when s has chunks overlapping [mint, maxt] (stripe lock taken here). */
static bool series_overlaps(struct tsdb *db, struct series *s, int64_t mint, int64_t maxt)
{
    bool r;
    pthread_mutex_lock(tsdb_stripe(db, s));
    r = s->nchunks > 0 && s->chunks[0]->mint <= maxt && s->chunks[s->nchunks - 1]->maxt >= mint;
    pthread_mutex_unlock(tsdb_stripe(db, s));
    return r;
}

static int cmp_series_data(const void *a, const void *b)
{
    return labels_cmp(((const struct promql_series_data *)a)->labels,
                      ((const struct promql_series_data *)b)->labels);
}

/* Sorts the series appended to set from index first on by labels (deterministic output). */
static void sort_series_set(struct promql_series_set *set, size_t first)
{
    if (set->n > first + 1)
        qsort(set->s + first, set->n - first, sizeof(*set->s), cmp_series_data);
}

int tsdb_select(struct tsdb *db, const struct matcher *const *ms, size_t nms, int64_t mint,
                int64_t maxt, struct promql_series_set *out, struct err *e)
{
    struct series **v = NULL;
    size_t n = 0, first = out->n;
    (void)e;
    if (mint > maxt)
        return 0;
    select_series(db, ms, nms, &v, &n);
    for (size_t i = 0; i < n; i++) {
        struct series *s = v[i];
        int64_t *ts = NULL;
        double *vs = NULL;
        size_t cnt = 0, cap = 0;
        pthread_mutex_lock(tsdb_stripe(db, s));
        for (uint32_t c = 0; c < s->nchunks; c++) {
            const struct chunk *ch = s->chunks[c];
            struct chunk_iter it;
            int64_t t;
            double x;
            if (ch->maxt < mint || ch->mint > maxt)
                continue;
            if (cnt + ch->n > cap) {
                cap = cap ? cap * 2 : 128;
                while (cap < cnt + ch->n)
                    cap *= 2;
                ts = xreallocarray(ts, cap, sizeof(*ts));
                vs = xreallocarray(vs, cap, sizeof(*vs));
            }
            chunk_iter_init(&it, ch);
            while (chunk_iter_next(&it, &t, &x)) {
                if (t < mint)
                    continue;
                if (t > maxt)
                    break;
                ts[cnt] = t;
                vs[cnt] = x;
                cnt++;
            }
        }
        pthread_mutex_unlock(tsdb_stripe(db, s));
        if (cnt > 0) {
            promql_series_set_add(out, labels_dup(s->ls), ts, vs, cnt);
        } else {
            xfree(ts);
            xfree(vs);
        }
    }
    release_series(db, v, n);
    sort_series_set(out, first);
    return 0;
}

static int storage_select(void *ctx, const struct matcher *const *ms, size_t nms, int64_t mint,
                          int64_t maxt, struct promql_series_set *out, struct err *e)
{
    return tsdb_select(ctx, ms, nms, mint, maxt, out, e);
}

struct promql_storage tsdb_storage(struct tsdb *db)
{
    struct promql_storage st = {.ctx = db, .select = storage_select};
    return st;
}

void tsdb_strings_fini(struct tsdb_strings *s)
{
    for (size_t i = 0; i < s->n; i++)
        xfree(s->v[i]);
    xfree(s->v);
    s->v = NULL;
    s->n = 0;
}

void tsdb_label_sets_fini(struct tsdb_label_sets *s)
{
    for (size_t i = 0; i < s->n; i++)
        labels_free(s->v[i]);
    xfree(s->v);
    s->v = NULL;
    s->n = 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorts and removes duplicates from a list of owned strings. */
static void strings_uniq(struct tsdb_strings *s)
{
    size_t k = 0;
    if (s->n == 0)
        return;
    qsort(s->v, s->n, sizeof(*s->v), cmp_str);
    for (size_t i = 0; i < s->n; i++) {
        if (k > 0 && strcmp(s->v[k - 1], s->v[i]) == 0) {
            xfree(s->v[i]);
            continue;
        }
        s->v[k++] = s->v[i];
    }
    s->n = k;
}

static bool all_time(int64_t mint, int64_t maxt)
{
    return mint == INT64_MIN && maxt == INT64_MAX;
}

/* Collects names (name == NULL) or values of name from the selected series. */
static int collect_strings(struct tsdb *db, const char *name, const struct matcher *const *ms,
                           size_t nms, int64_t mint, int64_t maxt, struct tsdb_strings *out)
{
    struct series **v = NULL;
    size_t n = 0, cap = 0;
    out->v = NULL;
    out->n = 0;
    if (mint > maxt)
        return 0;
    if (nms == 0 && all_time(mint, maxt)) {
        pthread_rwlock_rdlock(&db->index_mu);
        if (name == NULL)
            index_label_names(db->ix, &out->v, &out->n);
        else
            index_label_values(db->ix, name, &out->v, &out->n);
        pthread_rwlock_unlock(&db->index_mu);
        return 0;
    }
    select_series(db, ms, nms, &v, &n);
    for (size_t i = 0; i < n; i++) {
        const struct labels *ls = v[i]->ls;
        if (!all_time(mint, maxt) && !series_overlaps(db, v[i], mint, maxt))
            continue;
        for (size_t k = 0; k < ls->n; k++) {
            if (name != NULL && strcmp(ls->v[k].name, name) != 0)
                continue;
            if (out->n == cap) {
                cap = cap ? cap * 2 : 16;
                out->v = xreallocarray(out->v, cap, sizeof(*out->v));
            }
            out->v[out->n++] = xstrdup(name ? ls->v[k].value : ls->v[k].name);
        }
    }
    release_series(db, v, n);
    strings_uniq(out);
    return 0;
}

int tsdb_label_names(struct tsdb *db, const struct matcher *const *ms, size_t nms, int64_t mint,
                     int64_t maxt, struct tsdb_strings *out, struct err *e)
{
    (void)e;
    return collect_strings(db, NULL, ms, nms, mint, maxt, out);
}

int tsdb_label_values(struct tsdb *db, const char *name, const struct matcher *const *ms,
                      size_t nms, int64_t mint, int64_t maxt, struct tsdb_strings *out,
                      struct err *e)
{
    (void)e;
    return collect_strings(db, name, ms, nms, mint, maxt, out);
}

static int cmp_labels(const void *a, const void *b)
{
    return labels_cmp(*(struct labels *const *)a, *(struct labels *const *)b);
}

int tsdb_series(struct tsdb *db, const struct matcher *const *ms, size_t nms, int64_t mint,
                int64_t maxt, struct tsdb_label_sets *out, struct err *e)
{
    struct series **v = NULL;
    size_t n = 0;
    out->v = NULL;
    out->n = 0;
    if (nms == 0)
        return err_set(e, ERR_INVALID, "no matchers given");
    if (mint > maxt)
        return 0;
    select_series(db, ms, nms, &v, &n);
    out->v = xcalloc(n ? n : 1, sizeof(*out->v));
    for (size_t i = 0; i < n; i++)
        if (series_overlaps(db, v[i], mint, maxt))
            out->v[out->n++] = labels_dup(v[i]->ls);
    release_series(db, v, n);
    qsort(out->v, out->n, sizeof(*out->v), cmp_labels);
    return 0;
}

/* ---- maintenance ---- */

void tsdb_gc(struct tsdb *db)
{
    struct series **dead = NULL;
    size_t ndead = 0, capdead = 0;
    int64_t cutoff;
    pthread_mutex_lock(&db->append_mu);
    if (db->ckpt_running) {
        /* A checkpoint is reading closed chunks outside the lock; retention waits a round. */
        pthread_mutex_unlock(&db->append_mu);
        return;
    }
    cutoff = tsdb_cutoff(db, tsdb_now(db));
    for (size_t b = 0; b < db->by_id.nb; b++) {
        for (struct series *s = db->by_id.b[b]; s; s = s->inext) {
            uint32_t drop = 0;
            pthread_mutex_lock(tsdb_stripe(db, s));
            while (drop < s->nchunks && s->chunks[drop]->maxt < cutoff) {
                struct chunk *c = s->chunks[drop];
                account_chunk(db, c, -1);
                atomic_fetch_sub_explicit(&db->samples_in_mem, c->n, RLX);
                chunk_free(c);
                drop++;
            }
            if (drop > 0) {
                memmove(s->chunks, s->chunks + drop, (s->nchunks - drop) * sizeof(*s->chunks));
                s->nchunks -= drop;
                atomic_fetch_sub_explicit(&db->nchunks, drop, RLX);
                if (s->nchunks == 0) {
                    xfree(s->chunks);
                    s->chunks = NULL;
                    s->cap = 0;
                }
            }
            pthread_mutex_unlock(tsdb_stripe(db, s));
            if (s->nchunks == 0) {
                if (ndead == capdead) {
                    capdead = capdead ? capdead * 2 : 64;
                    dead = xreallocarray(dead, capdead, sizeof(*dead));
                }
                dead[ndead++] = s;
            }
        }
    }
    if (ndead > 0) {
        pthread_rwlock_wrlock(&db->index_mu);
        for (size_t i = 0; i < ndead; i++)
            unlink_series(db, dead[i]);
        pthread_rwlock_unlock(&db->index_mu);
        atomic_fetch_add_explicit(&db->series_removed, ndead, RLX);
    }
    pthread_mutex_unlock(&db->append_mu);
    for (size_t i = 0; i < ndead; i++)
        tsdb_series_unref(db, dead[i]);
    xfree(dead);
}

int tsdb_sync(struct tsdb *db, struct err *e)
{
    int rc;
    if (db->wal == NULL)
        return 0;
    rc = wal_sync(db->wal, e);
    if (rc != 0)
        atomic_fetch_add_explicit(&db->wal_errors, 1, RLX);
    return rc;
}

void tsdb_stats_get(struct tsdb *db, struct tsdb_stats *out)
{
    memset(out, 0, sizeof(*out));
    pthread_rwlock_rdlock(&db->index_mu);
    out->head_series = db->nseries;
    out->index_bytes = index_bytes(db->ix);
    pthread_rwlock_unlock(&db->index_mu);
    out->series_created = atomic_load_explicit(&db->series_created, RLX);
    out->series_removed = atomic_load_explicit(&db->series_removed, RLX);
    out->samples_appended = atomic_load_explicit(&db->samples_appended, RLX);
    out->samples_in_memory = atomic_load_explicit(&db->samples_in_mem, RLX);
    out->chunks = atomic_load_explicit(&db->nchunks, RLX);
    out->chunk_bytes = atomic_load_explicit(&db->chunk_bytes, RLX);
    out->chunk_alloc_bytes = atomic_load_explicit(&db->chunk_alloc, RLX);
    out->labels_bytes = atomic_load_explicit(&db->labels_bytes, RLX);
    out->bytes_per_sample =
        out->samples_in_memory ? (double)out->chunk_bytes / (double)out->samples_in_memory : 0;
    for (int r = 0; r < TSDB_REJECT_COUNT; r++)
        out->rejected[r] = atomic_load_explicit(&db->rejected[r], RLX);
    if (db->wal) {
        out->wal_bytes = wal_bytes_written(db->wal);
        out->wal_fsyncs = wal_fsyncs(db->wal);
    }
    out->wal_errors = atomic_load_explicit(&db->wal_errors, RLX);
    out->checkpoints = atomic_load_explicit(&db->checkpoints, RLX);
    out->checkpoint_errors = atomic_load_explicit(&db->checkpoint_errors, RLX);
    out->replay_records = atomic_load_explicit(&db->replay_records, RLX);
    out->replay_corruptions = atomic_load_explicit(&db->replay_corruptions, RLX);
    out->replay_samples_dropped = atomic_load_explicit(&db->replay_dropped, RLX);
}

/* ---- lifecycle ---- */

static void *bg_main(void *arg)
{
    struct tsdb *db = arg;
    int64_t last_gc = tsdb_now(db), last_ckpt = last_gc;
    pthread_mutex_lock(&db->bg_mu);
    while (!db->bg_stop) {
        struct timespec ts;
        int64_t tick = db->opt.fsync_interval_ms > 0 ? db->opt.fsync_interval_ms : 1000, now;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_sec += tick / 1000;
        ts.tv_nsec += (tick % 1000) * 1000000;
        if (ts.tv_nsec >= 1000000000) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000;
        }
        pthread_cond_timedwait(&db->bg_cond, &db->bg_mu, &ts);
        if (db->bg_stop)
            break;
        pthread_mutex_unlock(&db->bg_mu);
        tsdb_sync(db, NULL);
        now = tsdb_now(db);
        if (db->opt.gc_interval_ms > 0 && now - last_gc >= db->opt.gc_interval_ms) {
            tsdb_gc(db);
            last_gc = now;
        }
        if (db->wal && db->opt.checkpoint_interval_ms > 0 &&
            now - last_ckpt >= db->opt.checkpoint_interval_ms) {
            struct err e;
            err_clear(&e);
            if (tsdb_checkpoint(db, &e) != 0)
                log_kv(LOG_ERROR, "tsdb: checkpoint failed", "err", e.msg, NULL);
            last_ckpt = now;
        }
        pthread_mutex_lock(&db->bg_mu);
    }
    pthread_mutex_unlock(&db->bg_mu);
    return NULL;
}

int tsdb_open(const struct tsdb_options *o, struct tsdb **out, struct err *e)
{
    struct tsdb *db = xcalloc(1, sizeof(*db));
    uint32_t last_seg = 0;
    int rc = 0;
    *out = NULL;
    db->opt = *o;
    db->opt.dir = NULL;
    db->ix = index_new();
    db->next_id = 1;
    pthread_mutex_init(&db->append_mu, NULL);
    pthread_rwlock_init(&db->index_mu, NULL);
    pthread_mutex_init(&db->ckpt_mu, NULL);
    pthread_mutex_init(&db->bg_mu, NULL);
    pthread_cond_init(&db->bg_cond, NULL);
    for (int i = 0; i < TSDB_STRIPES; i++)
        pthread_mutex_init(&db->stripes[i], NULL);
    if (o->dir != NULL) {
        db->dir = xstrdup(o->dir);
        db->wal_dir = xasprintf("%s/wal", o->dir);
        if (mkdir(db->dir, 0755) != 0 && errno != EEXIST) {
            rc = err_set(e, ERR_IO, "tsdb: mkdir %s: %s", db->dir, strerror(errno));
            goto out;
        }
        if ((rc = tsdb_replay(db, &last_seg, e)) != 0)
            goto out;
        tsdb_gc(db);
        if ((rc = wal_open(db->wal_dir, last_seg + 1, o->wal_segment_bytes, &db->wal, e)) != 0)
            goto out;
    }
    if (o->background) {
        if (pthread_create(&db->bg, NULL, bg_main, db) != 0) {
            rc = err_set(e, ERR_INTERNAL, "tsdb: cannot start the maintenance thread");
            goto out;
        }
        db->bg_started = true;
    }
    *out = db;
    db = NULL;
out:
    tsdb_close(db);
    return rc;
}

void tsdb_close(struct tsdb *db)
{
    if (db == NULL)
        return;
    if (db->bg_started) {
        pthread_mutex_lock(&db->bg_mu);
        db->bg_stop = true;
        pthread_cond_signal(&db->bg_cond);
        pthread_mutex_unlock(&db->bg_mu);
        pthread_join(db->bg, NULL);
    }
    wal_close(db->wal);
    for (size_t b = 0; b < db->by_id.nb; b++) {
        struct series *s = db->by_id.b[b], *next;
        for (; s; s = next) {
            next = s->inext;
            tsdb_series_unref(db, s);
        }
    }
    xfree(db->by_id.b);
    xfree(db->by_hash.b);
    index_free(db->ix);
    xfree(db->alias_k);
    xfree(db->alias_v);
    pthread_mutex_destroy(&db->append_mu);
    pthread_rwlock_destroy(&db->index_mu);
    pthread_mutex_destroy(&db->ckpt_mu);
    pthread_mutex_destroy(&db->bg_mu);
    pthread_cond_destroy(&db->bg_cond);
    for (int i = 0; i < TSDB_STRIPES; i++)
        pthread_mutex_destroy(&db->stripes[i]);
    xfree(db->dir);
    xfree(db->wal_dir);
    xfree(db);
}
