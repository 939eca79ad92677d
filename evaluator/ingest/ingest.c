/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Remote-write ingestion: header checks, bounded snappy + protobuf decoding (a memory budget
 * caps protobuf-c's allocations), per-series validation, and one tsdb commit per request.
 */
#include "evaluator/ingest/ingest.h"

#include <ctype.h>
#include <inttypes.h>
#include <snappy-c.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/arena.h"
#include "common/buf.h"
#include "common/err.h"
#include "common/labels.h"
#include "common/xalloc.h"
#include "evaluator/tsdb/tsdb.h"
#include "proto/remote_write_v1.pb-c.h"
#include "proto/remote_write_v2.pb-c.h"

void ingest_limits_default(struct ingest_limits *l)
{
    l->max_body_bytes = 8u << 20;
    l->max_decompressed_bytes = 32u << 20;
    l->max_labels_per_series = 128;
    l->max_label_name_len = 1024;
    l->max_label_value_len = 16384;
    l->max_series = 0;
}

static int finish(struct ingest_result *out, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int finish(struct ingest_result *out, int status, const char *fmt, ...)
{
    va_list ap;
    out->status = status;
    if (fmt != NULL) {
        va_start(ap, fmt);
        vsnprintf(out->message, sizeof(out->message), fmt, ap);
        va_end(ap);
    }
    switch (status) {
    case 204:
        return 0;
    case 413:
        return ERR_TOOBIG;
    case 415:
        return ERR_UNSUPPORTED;
    case 500:
        return ERR_IO;
    default:
        return ERR_INVALID;
    }
}

/* ---- headers ---- */

static void trim(const char **s, size_t *n)
{
    while (*n > 0 && isspace((unsigned char)**s)) {
        (*s)++;
        (*n)--;
    }
    while (*n > 0 && isspace((unsigned char)(*s)[*n - 1]))
        (*n)--;
}

static bool token_eq(const char *s, size_t n, const char *lit)
{
    return strlen(lit) == n && strncasecmp(s, lit, n) == 0;
}

/* Returns 1 for 1.0, 2 for 2.0, 0 when unsupported (message in out). */
static int parse_content_type(const char *ct, struct ingest_result *out)
{
    const char *p, *semi;
    size_t n;
    int version = 1;
    if (ct == NULL || *ct == '\0')
        return 1;
    semi = strchr(ct, ';');
    p = ct;
    n = semi ? (size_t)(semi - ct) : strlen(ct);
    trim(&p, &n);
    if (!token_eq(p, n, "application/x-protobuf")) {
        finish(out, 415, "unsupported Content-Type %.200s: expected application/x-protobuf", ct);
        return 0;
    }
    while (semi != NULL) {
        const char *param = semi + 1, *eq, *val;
        size_t pn, vn;
        semi = strchr(param, ';');
        pn = semi ? (size_t)(semi - param) : strlen(param);
        eq = memchr(param, '=', pn);
        if (eq == NULL)
            continue;
        val = eq + 1;
        vn = pn - (size_t)(val - param);
        pn = (size_t)(eq - param);
        trim(&param, &pn);
        trim(&val, &vn);
        if (vn >= 2 && val[0] == '"' && val[vn - 1] == '"') {
            val++;
            vn -= 2;
        }
        if (!token_eq(param, pn, "proto"))
            continue;
        if (vn == strlen("prometheus.WriteRequest") &&
            strncmp(val, "prometheus.WriteRequest", vn) == 0) {
            version = 1;
        } else if (vn == strlen("io.prometheus.write.v2.Request") &&
                   strncmp(val, "io.prometheus.write.v2.Request", vn) == 0) {
            version = 2;
        } else {
            finish(out, 415,
                   "unsupported remote-write message %.*s: expected prometheus.WriteRequest or "
                   "io.prometheus.write.v2.Request",
                   (int)(vn > 200 ? 200 : vn), val);
            return 0;
        }
    }
    return version;
}

static bool encoding_ok(const char *enc, struct ingest_result *out)
{
    const char *p = enc;
    size_t n = enc ? strlen(enc) : 0;
    trim(&p, &n);
    if (n == 0 || token_eq(p, n, "snappy"))
        return true;
    finish(out, 415, "unsupported Content-Encoding %.200s: only snappy is accepted", enc);
    return false;
}

/* ---- bounded protobuf-c allocator ---- */

/* protobuf-c allocates every message separately; a bump arena freed in one go is much faster
 * than malloc/free, and the budget bounds what a hostile body can make us allocate. */
struct budget {
    struct arena arena;
    size_t max;
    bool exceeded;
};

static void *budget_alloc(void *ctx, size_t size)
{
    struct budget *b = ctx;
    if (size > b->max || b->arena.used > b->max - size) {
        b->exceeded = true;
        return NULL;
    }
    return arena_alloc(&b->arena, size);
}

static void budget_free(void *ctx, void *ptr)
{
    (void)ctx;
    (void)ptr; /* released with the arena */
}

/* ---- validation ---- */

struct state {
    struct tsdb *db;
    const struct ingest_limits *lim;
    struct ingest_result *out;
    struct tsdb_appender *app;
    struct arena *arena; /* the request's decode arena: label views live there */
    char first[400];     /* first problem found while decoding (before the commit) */
    int64_t *t;
    double *v;
    size_t cap;
};

static void note(struct state *st, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void note(struct state *st, const char *fmt, ...)
{
    va_list ap;
    if (st->first[0] != '\0')
        return;
    va_start(ap, fmt);
    vsnprintf(st->first, sizeof(st->first), fmt, ap);
    va_end(ap);
}

static void format_items(const struct label *items, size_t n, struct buf *b)
{
    buf_putc(b, '{');
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && buf_puts(b, ", ") != 0)
            break;
        if (buf_puts(b, items[i].name) != 0 || buf_putc(b, '=') != 0 ||
            buf_put_quoted(b, items[i].value, strlen(items[i].value)) != 0)
            break;
    }
    if (buf_putc(b, '}') != 0 && b->len >= 4)
        memcpy(b->data + b->len - 4, "...}", 4);
}

static int cmp_label_name(const void *a, const void *b)
{
    return strcmp(((const struct label *)a)->name, ((const struct label *)b)->name);
}

/*
 * Validates one series' labels and returns a sorted view over the request's strings (in the
 * request arena, no copies), with empty values dropped as Prometheus does. Returns NULL and sets
 * *reason (a tsdb_reject) when the labels are invalid; the first problem is noted.
 */
static struct labels *check_labels(struct state *st, const struct label *items, size_t n,
                                   int *reason)
{
    const struct ingest_limits *lim = st->lim;
    const char *problem = NULL;
    char detail[256] = "";
    bool has_name = false, sorted = true;
    struct labels *view = NULL;
    size_t k = 0;
    *reason = TSDB_REJECT_INVALID_LABELS;
    if (n == 0) {
        problem = "series without labels";
        goto bad;
    }
    if (lim->max_labels_per_series && n > lim->max_labels_per_series) {
        *reason = TSDB_REJECT_LABEL_LIMITS;
        snprintf(detail, sizeof(detail), "%zu labels, the limit is %zu", n,
                 lim->max_labels_per_series);
        problem = detail;
        goto bad;
    }
    for (size_t i = 0; i < n; i++) {
        size_t nl = strlen(items[i].name), vl = strlen(items[i].value);
        if (nl == 0) {
            problem = "empty label name";
            goto bad;
        }
        if (!utf8_valid(items[i].name, nl)) {
            problem = "label name is not valid UTF-8";
            goto bad;
        }
        if (!utf8_valid(items[i].value, vl)) {
            snprintf(detail, sizeof(detail), "value of label %.64s is not valid UTF-8",
                     items[i].name);
            problem = detail;
            goto bad;
        }
        if ((lim->max_label_name_len && nl > lim->max_label_name_len) ||
            (lim->max_label_value_len && vl > lim->max_label_value_len)) {
            *reason = TSDB_REJECT_LABEL_LIMITS;
            snprintf(detail, sizeof(detail),
                     "label %.64s is too long (name %zu bytes, value %zu bytes; limits %zu, %zu)",
                     items[i].name, nl, vl, lim->max_label_name_len, lim->max_label_value_len);
            problem = detail;
            goto bad;
        }
        if (vl > 0 && strcmp(items[i].name, "__name__") == 0)
            has_name = true;
        if (i > 0 && strcmp(items[i - 1].name, items[i].name) >= 0)
            sorted = false;
    }
    if (!has_name) {
        problem = "missing metric name (__name__ label)";
        goto bad;
    }
    view = arena_alloc(st->arena, sizeof(*view) + n * sizeof(view->v[0]));
    memcpy(view->v, items, n * sizeof(*items));
    if (!sorted) {
        qsort(view->v, n, sizeof(view->v[0]), cmp_label_name);
        for (size_t i = 1; i < n; i++) {
            if (strcmp(view->v[i - 1].name, view->v[i].name) == 0) {
                snprintf(detail, sizeof(detail), "duplicate label name %.64s", view->v[i].name);
                problem = detail;
                goto bad;
            }
        }
    }
    for (size_t i = 0; i < n; i++)
        if (view->v[i].value[0] != '\0')
            view->v[k++] = view->v[i];
    view->n = k;
    labels_view_finish(view);
    return view;
bad:
    if (st->first[0] == '\0') {
        struct buf b;
        buf_init(&b, 200);
        format_items(items, n, &b);
        note(st, "invalid labels: %s for series %s", problem, buf_str(&b));
        buf_fini(&b);
    }
    return NULL;
}

static void reserve(struct state *st, size_t n)
{
    if (n > st->cap) {
        st->cap = n;
        st->t = xreallocarray(st->t, n, sizeof(*st->t));
        st->v = xreallocarray(st->v, n, sizeof(*st->v));
    }
}

static void reject_series(struct state *st, int reason, size_t nsamples)
{
    if (nsamples == 0)
        return;
    tsdb_count_rejected(st->db, (enum tsdb_reject)reason, nsamples);
    st->out->samples_rejected += nsamples;
}

static void count_histograms(struct state *st, size_t n, const struct label *items, size_t nl)
{
    if (n == 0)
        return;
    st->out->histograms_rejected += n;
    tsdb_count_rejected(st->db, TSDB_REJECT_HISTOGRAM, n);
    if (st->first[0] == '\0') {
        struct buf b;
        buf_init(&b, 200);
        format_items(items, nl, &b);
        note(st,
             "native histograms not supported yet: %zu histogram samples rejected for "
             "series %s",
             n, buf_str(&b));
        buf_fini(&b);
    }
}

static void ingest_v1(struct state *st, const Prometheus__WriteRequest *req)
{
    struct label *items = NULL;
    size_t capitems = 0;
    for (size_t i = 0; i < req->n_timeseries; i++) {
        const Prometheus__TimeSeries *ts = req->timeseries[i];
        struct labels *view;
        int reason;
        if (ts->n_labels > capitems) {
            capitems = ts->n_labels;
            items = xreallocarray(items, capitems, sizeof(*items));
        }
        for (size_t k = 0; k < ts->n_labels; k++) {
            items[k].name = ts->labels[k]->name;
            items[k].value = ts->labels[k]->value;
        }
        st->out->exemplars_ignored += ts->n_exemplars;
        if ((view = check_labels(st, items, ts->n_labels, &reason)) == NULL) {
            reject_series(st, reason, ts->n_samples);
            st->out->histograms_rejected += ts->n_histograms;
            continue;
        }
        count_histograms(st, ts->n_histograms, items, ts->n_labels);
        if (ts->n_samples == 0)
            continue;
        reserve(st, ts->n_samples);
        for (size_t k = 0; k < ts->n_samples; k++) {
            st->t[k] = ts->samples[k]->timestamp;
            st->v[k] = ts->samples[k]->value;
        }
        tsdb_appender_add_ref(st->app, view, st->t, st->v, ts->n_samples);
    }
    xfree(items);
}

static void ingest_v2(struct state *st, const Io__Prometheus__Write__V2__Request *req)
{
    struct label *items = NULL;
    size_t capitems = 0;
    for (size_t i = 0; i < req->n_timeseries; i++) {
        const Io__Prometheus__Write__V2__TimeSeries *ts = req->timeseries[i];
        size_t nl = ts->n_labels_refs / 2;
        struct labels *view;
        int reason;
        bool refs_ok = ts->n_labels_refs % 2 == 0;
        if (nl > capitems) {
            capitems = nl;
            items = xreallocarray(items, capitems, sizeof(*items));
        }
        for (size_t k = 0; refs_ok && k < nl; k++) {
            uint32_t a = ts->labels_refs[2 * k], b = ts->labels_refs[2 * k + 1];
            if (a >= req->n_symbols || b >= req->n_symbols) {
                refs_ok = false;
                break;
            }
            items[k].name = req->symbols[a];
            items[k].value = req->symbols[b];
        }
        st->out->exemplars_ignored += ts->n_exemplars;
        if (!refs_ok) {
            note(st,
                 "invalid labels: series #%zu has %s label references (%zu references, %zu "
                 "symbols)",
                 i, ts->n_labels_refs % 2 ? "an odd number of" : "out-of-range", ts->n_labels_refs,
                 req->n_symbols);
            reject_series(st, TSDB_REJECT_INVALID_LABELS, ts->n_samples);
            st->out->histograms_rejected += ts->n_histograms;
            continue;
        }
        if ((view = check_labels(st, items, nl, &reason)) == NULL) {
            reject_series(st, reason, ts->n_samples);
            st->out->histograms_rejected += ts->n_histograms;
            continue;
        }
        count_histograms(st, ts->n_histograms, items, nl);
        if (ts->n_samples == 0)
            continue;
        reserve(st, ts->n_samples);
        for (size_t k = 0; k < ts->n_samples; k++) {
            st->t[k] = ts->samples[k]->timestamp;
            st->v[k] = ts->samples[k]->value;
        }
        tsdb_appender_add_ref(st->app, view, st->t, st->v, ts->n_samples);
    }
    xfree(items);
}

int ingest_write(struct tsdb *db, const char *content_type, const char *content_encoding,
                 const void *body, size_t len, const struct ingest_limits *limits,
                 struct ingest_result *out)
{
    struct ingest_limits deflim;
    struct state st;
    struct budget bud;
    ProtobufCAllocator alloc = {budget_alloc, budget_free, &bud};
    ProtobufCMessage *msg = NULL;
    struct tsdb_commit_result cres;
    struct err e;
    char *raw = NULL;
    size_t rawlen = 0, max_body, max_raw;
    int version, rc;
    memset(out, 0, sizeof(*out));
    memset(&st, 0, sizeof(st));
    memset(&bud, 0, sizeof(bud));
    arena_init(&bud.arena, 64u << 10);
    ingest_limits_default(&deflim);
    if (limits == NULL)
        limits = &deflim;
    if ((version = parse_content_type(content_type, out)) == 0)
        return ERR_UNSUPPORTED;
    out->v2 = version == 2;
    if (!encoding_ok(content_encoding, out))
        return ERR_UNSUPPORTED;
    max_body = limits->max_body_bytes ? limits->max_body_bytes : deflim.max_body_bytes;
    max_raw = limits->max_decompressed_bytes ? limits->max_decompressed_bytes
                                             : deflim.max_decompressed_bytes;
    if (len > max_body)
        return finish(out, 413, "request body of %zu bytes exceeds the limit of %zu bytes", len,
                      max_body);
    if (snappy_uncompressed_length(body, len, &rawlen) != SNAPPY_OK)
        return finish(out, 400, "snappy: corrupt input");
    if (rawlen > max_raw)
        return finish(out, 413, "decompressed request of %zu bytes exceeds the limit of %zu bytes",
                      rawlen, max_raw);
    raw = xmalloc(rawlen ? rawlen : 1);
    if (snappy_uncompress(body, len, raw, &rawlen) != SNAPPY_OK) {
        rc = finish(out, 400, "snappy: corrupt input");
        goto out;
    }
    /* protobuf-c allocates more than the wire size; cap it well above real requests. */
    bud.max = 16 * rawlen + (1u << 20);
    if (version == 1)
        msg = (ProtobufCMessage *)prometheus__write_request__unpack(&alloc, rawlen,
                                                                    (const uint8_t *)raw);
    else
        msg = (ProtobufCMessage *)io__prometheus__write__v2__request__unpack(&alloc, rawlen,
                                                                             (const uint8_t *)raw);
    if (msg == NULL) {
        if (bud.exceeded)
            rc = finish(out, 413, "decoded request needs more than %zu bytes of memory", bud.max);
        else
            rc =
                finish(out, 400, "decode protobuf: malformed %s",
                       version == 1 ? "prometheus.WriteRequest" : "io.prometheus.write.v2.Request");
        goto out;
    }
    st.db = db;
    st.arena = &bud.arena;
    st.lim = limits;
    st.out = out;
    st.app = tsdb_appender_new(db);
    tsdb_appender_set_max_series(st.app, limits->max_series);
    if (version == 1)
        ingest_v1(&st, (const Prometheus__WriteRequest *)msg);
    else
        ingest_v2(&st, (const Io__Prometheus__Write__V2__Request *)msg);
    err_clear(&e);
    rc = tsdb_appender_commit(st.app, &cres, &e);
    out->samples_written = cres.appended;
    out->samples_rejected += cres.rejected;
    out->series_created = cres.series_created;
    if (rc != 0) {
        rc = finish(out, 500, "storing samples failed, retry later: %s", e.msg);
        goto out;
    }
    if (st.first[0] != '\0' || cres.first_reason >= 0 || out->histograms_rejected > 0) {
        rc = finish(out, 400, "%s (%" PRIu64 " samples written, %" PRIu64 " rejected)",
                    st.first[0] ? st.first : cres.first_error, out->samples_written,
                    out->samples_rejected);
        goto out;
    }
    rc = finish(out, 204, NULL);
out:
    (void)msg; /* everything it points to lives in bud.arena */
    arena_fini(&bud.arena);
    tsdb_appender_free(st.app);
    xfree(st.t);
    xfree(st.v);
    xfree(raw);
    return rc;
}
