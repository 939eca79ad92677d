/* SPDX-License-Identifier: Apache-2.0 */
/* Remote-write request builder on top of the protobuf-c generated code and snappy. */
#include "evaluator/ingest/rwenc.h"

#include <snappy-c.h>
#include <string.h>

#include "common/labels.h"
#include "common/xalloc.h"
#include "proto/remote_write_v1.pb-c.h"
#include "proto/remote_write_v2.pb-c.h"

struct rw_series {
    struct labels *ls;
    uint64_t hash;
    int64_t *t, *ht;
    double *v, *hv;
    size_t n, cap, nh, caph;
};

struct rwenc {
    int version;
    struct rw_series *s;
    size_t n, cap;
    size_t *slots; /* open addressing: index + 1 into s, 0 = empty */
    size_t nslots;
};

struct rwenc *rwenc_new(int version)
{
    struct rwenc *w = xcalloc(1, sizeof(*w));
    w->version = version == 2 ? 2 : 1;
    return w;
}

void rwenc_free(struct rwenc *w)
{
    if (w == NULL)
        return;
    for (size_t i = 0; i < w->n; i++) {
        labels_free(w->s[i].ls);
        xfree(w->s[i].t);
        xfree(w->s[i].v);
        xfree(w->s[i].ht);
        xfree(w->s[i].hv);
    }
    xfree(w->s);
    xfree(w->slots);
    xfree(w);
}

static void rehash(struct rwenc *w)
{
    size_t n = w->nslots ? w->nslots * 2 : 64;
    xfree(w->slots);
    w->slots = xcalloc(n, sizeof(*w->slots));
    w->nslots = n;
    for (size_t i = 0; i < w->n; i++) {
        size_t k = w->s[i].hash & (n - 1);
        while (w->slots[k] != 0)
            k = (k + 1) & (n - 1);
        w->slots[k] = i + 1;
    }
}

static struct rw_series *series_for(struct rwenc *w, const struct labels *ls)
{
    uint64_t h = labels_hash(ls);
    size_t k;
    if (w->n > 0 && w->s[w->n - 1].hash == h && labels_equal(w->s[w->n - 1].ls, ls))
        return &w->s[w->n - 1];
    if (2 * (w->n + 1) > w->nslots)
        rehash(w);
    for (k = h & (w->nslots - 1); w->slots[k] != 0; k = (k + 1) & (w->nslots - 1)) {
        struct rw_series *s = &w->s[w->slots[k] - 1];
        if (s->hash == h && labels_equal(s->ls, ls))
            return s;
    }
    if (w->n == w->cap) {
        w->cap = w->cap ? w->cap * 2 : 16;
        w->s = xreallocarray(w->s, w->cap, sizeof(*w->s));
    }
    memset(&w->s[w->n], 0, sizeof(w->s[w->n]));
    w->s[w->n].ls = labels_dup(ls);
    w->s[w->n].hash = h;
    w->slots[k] = w->n + 1;
    return &w->s[w->n++];
}

static void push(int64_t **t, double **v, size_t *n, size_t *cap, int64_t ts, double val)
{
    if (*n == *cap) {
        *cap = *cap ? *cap * 2 : 8;
        *t = xreallocarray(*t, *cap, sizeof(**t));
        *v = xreallocarray(*v, *cap, sizeof(**v));
    }
    (*t)[*n] = ts;
    (*v)[*n] = val;
    (*n)++;
}

void rwenc_add(struct rwenc *w, const struct labels *ls, int64_t t, double v)
{
    struct rw_series *s = series_for(w, ls);
    push(&s->t, &s->v, &s->n, &s->cap, t, v);
}

void rwenc_add_histogram(struct rwenc *w, const struct labels *ls, int64_t t, double v)
{
    struct rw_series *s = series_for(w, ls);
    push(&s->ht, &s->hv, &s->nh, &s->caph, t, v);
}

static void finish_bytes(uint8_t *pb, size_t n, bool snappy, uint8_t **out, size_t *len)
{
    if (!snappy) {
        *out = pb;
        *len = n;
        return;
    }
    *len = snappy_max_compressed_length(n);
    *out = xmalloc(*len ? *len : 1);
    snappy_compress((const char *)pb, n, (char *)*out, len);
    xfree(pb);
}

static void finish_v1(struct rwenc *w, bool snappy, uint8_t **out, size_t *len)
{
    Prometheus__WriteRequest req = PROMETHEUS__WRITE_REQUEST__INIT;
    Prometheus__TimeSeries *ts = xcalloc(w->n + 1, sizeof(*ts));
    Prometheus__TimeSeries **tsp = xcalloc(w->n + 1, sizeof(*tsp));
    size_t nl = 0, ns = 0, nh = 0, il = 0, is = 0, ih = 0;
    Prometheus__Label *l, **lp;
    Prometheus__Sample *sm, **smp;
    Prometheus__Histogram *hg, **hgp;
    uint8_t *pb;
    size_t n;
    for (size_t i = 0; i < w->n; i++) {
        nl += w->s[i].ls->n;
        ns += w->s[i].n;
        nh += w->s[i].nh;
    }
    l = xcalloc(nl + 1, sizeof(*l));
    lp = xcalloc(nl + 1, sizeof(*lp));
    sm = xcalloc(ns + 1, sizeof(*sm));
    smp = xcalloc(ns + 1, sizeof(*smp));
    hg = xcalloc(nh + 1, sizeof(*hg));
    hgp = xcalloc(nh + 1, sizeof(*hgp));
    for (size_t i = 0; i < w->n; i++) {
        const struct rw_series *s = &w->s[i];
        prometheus__time_series__init(&ts[i]);
        tsp[i] = &ts[i];
        ts[i].n_labels = s->ls->n;
        ts[i].labels = lp + il;
        for (size_t k = 0; k < s->ls->n; k++, il++) {
            prometheus__label__init(&l[il]);
            l[il].name = (char *)s->ls->v[k].name;
            l[il].value = (char *)s->ls->v[k].value;
            lp[il] = &l[il];
        }
        ts[i].n_samples = s->n;
        ts[i].samples = smp + is;
        for (size_t k = 0; k < s->n; k++, is++) {
            prometheus__sample__init(&sm[is]);
            sm[is].timestamp = s->t[k];
            sm[is].value = s->v[k];
            smp[is] = &sm[is];
        }
        ts[i].n_histograms = s->nh;
        ts[i].histograms = hgp + ih;
        for (size_t k = 0; k < s->nh; k++, ih++) {
            prometheus__histogram__init(&hg[ih]);
            hg[ih].count_case = PROMETHEUS__HISTOGRAM__COUNT_COUNT_INT;
            hg[ih].count_int = 1;
            hg[ih].sum = s->hv[k];
            hg[ih].timestamp = s->ht[k];
            hgp[ih] = &hg[ih];
        }
    }
    req.n_timeseries = w->n;
    req.timeseries = tsp;
    n = prometheus__write_request__get_packed_size(&req);
    pb = xmalloc(n ? n : 1);
    prometheus__write_request__pack(&req, pb);
    finish_bytes(pb, n, snappy, out, len);
    xfree(ts);
    xfree(tsp);
    xfree(l);
    xfree(lp);
    xfree(sm);
    xfree(smp);
    xfree(hg);
    xfree(hgp);
}

/* Index of s in the symbol table, adding it when new (linear: fine for tools and tests). */
static uint32_t symbol(char ***syms, size_t *n, const char *s)
{
    for (size_t i = 0; i < *n; i++)
        if (strcmp((*syms)[i], s) == 0)
            return (uint32_t)i;
    *syms = xreallocarray(*syms, *n + 1, sizeof(**syms));
    (*syms)[*n] = (char *)s;
    return (uint32_t)(*n)++;
}

static void finish_v2(struct rwenc *w, bool snappy, uint8_t **out, size_t *len)
{
    Io__Prometheus__Write__V2__Request req = IO__PROMETHEUS__WRITE__V2__REQUEST__INIT;
    Io__Prometheus__Write__V2__TimeSeries *ts = xcalloc(w->n + 1, sizeof(*ts));
    Io__Prometheus__Write__V2__TimeSeries **tsp = xcalloc(w->n + 1, sizeof(*tsp));
    char **syms = NULL;
    size_t nsyms = 0, ns = 0, nh = 0, is = 0, ih = 0;
    Io__Prometheus__Write__V2__Sample *sm, **smp;
    Io__Prometheus__Write__V2__Histogram *hg, **hgp;
    uint8_t *pb;
    size_t n;
    symbol(&syms, &nsyms, "");
    for (size_t i = 0; i < w->n; i++) {
        ns += w->s[i].n;
        nh += w->s[i].nh;
    }
    sm = xcalloc(ns + 1, sizeof(*sm));
    smp = xcalloc(ns + 1, sizeof(*smp));
    hg = xcalloc(nh + 1, sizeof(*hg));
    hgp = xcalloc(nh + 1, sizeof(*hgp));
    for (size_t i = 0; i < w->n; i++) {
        const struct rw_series *s = &w->s[i];
        io__prometheus__write__v2__time_series__init(&ts[i]);
        tsp[i] = &ts[i];
        ts[i].n_labels_refs = 2 * s->ls->n;
        ts[i].labels_refs = xcalloc(2 * s->ls->n + 1, sizeof(uint32_t));
        for (size_t k = 0; k < s->ls->n; k++) {
            ts[i].labels_refs[2 * k] = symbol(&syms, &nsyms, s->ls->v[k].name);
            ts[i].labels_refs[2 * k + 1] = symbol(&syms, &nsyms, s->ls->v[k].value);
        }
        ts[i].n_samples = s->n;
        ts[i].samples = smp + is;
        for (size_t k = 0; k < s->n; k++, is++) {
            io__prometheus__write__v2__sample__init(&sm[is]);
            sm[is].timestamp = s->t[k];
            sm[is].value = s->v[k];
            smp[is] = &sm[is];
        }
        ts[i].n_histograms = s->nh;
        ts[i].histograms = hgp + ih;
        for (size_t k = 0; k < s->nh; k++, ih++) {
            io__prometheus__write__v2__histogram__init(&hg[ih]);
            hg[ih].count_case = IO__PROMETHEUS__WRITE__V2__HISTOGRAM__COUNT_COUNT_INT;
            hg[ih].count_int = 1;
            hg[ih].sum = s->hv[k];
            hg[ih].timestamp = s->ht[k];
            hgp[ih] = &hg[ih];
        }
    }
    req.n_symbols = nsyms;
    req.symbols = syms;
    req.n_timeseries = w->n;
    req.timeseries = tsp;
    n = io__prometheus__write__v2__request__get_packed_size(&req);
    pb = xmalloc(n ? n : 1);
    io__prometheus__write__v2__request__pack(&req, pb);
    finish_bytes(pb, n, snappy, out, len);
    for (size_t i = 0; i < w->n; i++)
        xfree(ts[i].labels_refs);
    xfree(ts);
    xfree(tsp);
    xfree(syms);
    xfree(sm);
    xfree(smp);
    xfree(hg);
    xfree(hgp);
}

void rwenc_finish(struct rwenc *w, bool snappy, uint8_t **out, size_t *len)
{
    if (w->version == 2)
        finish_v2(w, snappy, out, len);
    else
        finish_v1(w, snappy, out, len);
}
