/* SPDX-License-Identifier: Apache-2.0 */
/* Self-metrics registry and its text exposition (format 0.0.4). */
#include "common/metrics.h"

#include <ctype.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/log.h"
#include "common/xalloc.h"

const double METRICS_DEFAULT_BUCKETS[11] = {.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10};

struct metric {
    struct metrics_family *fam;
    char **values;             /* fam->nlabels strings, owned */
    _Atomic uint64_t bits;     /* value (counter/gauge) or sum (histogram) as double bits */
    _Atomic uint64_t count;    /* histogram observations */
    _Atomic uint64_t *buckets; /* histogram: per-bucket (non-cumulative) counts, nbuckets */
};

struct metrics_family {
    char *name;
    char *help;
    enum metrics_type type;
    char **label_names;
    size_t nlabels;
    double *bounds;
    size_t nbounds;
    pthread_mutex_t mu; /* guards children */
    struct metric **children;
    size_t nchildren, capchildren;
};

struct collector {
    metrics_collect_cb cb;
    void *ctx;
    void (*free_ctx)(void *);
};

struct metrics_registry {
    pthread_mutex_t mu; /* guards fams and collectors */
    struct metrics_family **fams;
    size_t nfams;
    struct collector *collectors;
    size_t ncollectors;
};

static double bits_to_double(uint64_t b)
{
    double d;
    memcpy(&d, &b, sizeof(d));
    return d;
}

static uint64_t double_to_bits(double d)
{
    uint64_t b;
    memcpy(&b, &d, sizeof(b));
    return b;
}

static void atomic_add_double(_Atomic uint64_t *p, double v)
{
    uint64_t old = atomic_load(p);
    while (!atomic_compare_exchange_weak(p, &old, double_to_bits(bits_to_double(old) + v))) {
    }
}

struct metrics_registry *metrics_registry_new(void)
{
    struct metrics_registry *r = xcalloc(1, sizeof(*r));
    pthread_mutex_init(&r->mu, NULL);
    return r;
}

static void metric_free(struct metric *m)
{
    for (size_t i = 0; i < m->fam->nlabels; i++)
        xfree(m->values[i]);
    xfree(m->values);
    xfree(m->buckets);
    xfree(m);
}

static void family_free(struct metrics_family *f)
{
    for (size_t i = 0; i < f->nchildren; i++)
        metric_free(f->children[i]);
    for (size_t i = 0; i < f->nlabels; i++)
        xfree(f->label_names[i]);
    xfree(f->label_names);
    xfree(f->children);
    xfree(f->bounds);
    xfree(f->name);
    xfree(f->help);
    pthread_mutex_destroy(&f->mu);
    xfree(f);
}

void metrics_registry_free(struct metrics_registry *reg)
{
    if (reg == NULL)
        return;
    for (size_t i = 0; i < reg->nfams; i++)
        family_free(reg->fams[i]);
    xfree(reg->fams);
    for (size_t i = 0; i < reg->ncollectors; i++)
        if (reg->collectors[i].free_ctx != NULL)
            reg->collectors[i].free_ctx(reg->collectors[i].ctx);
    xfree(reg->collectors);
    pthread_mutex_destroy(&reg->mu);
    xfree(reg);
}

static bool valid_name(const char *s, bool colon)
{
    if (s == NULL || *s == '\0')
        return false;
    for (const char *p = s; *p; p++) {
        unsigned char c = (unsigned char)*p;
        bool ok = isalpha(c) || c == '_' || (colon && c == ':') || (p != s && isdigit(c));
        if (!ok || c > 127)
            return false;
    }
    return true;
}

static _Noreturn void misuse(const char *what, const char *name)
{
    log_kv(LOG_ERROR, "BUG: metrics registration", "error", what, "metric", name, NULL);
    abort();
}

static struct metrics_family *family_register(struct metrics_registry *reg, const char *name,
                                              const char *help, enum metrics_type type,
                                              const char *const *labels, const double *bounds,
                                              size_t nbounds)
{
    struct metrics_family *f = NULL;
    size_t nl = 0;
    if (!valid_name(name, true))
        misuse("invalid metric name", name);
    while (labels && labels[nl]) {
        if (!valid_name(labels[nl], false) || strncmp(labels[nl], "__", 2) == 0 ||
            (type == METRICS_HISTOGRAM && strcmp(labels[nl], "le") == 0))
            misuse("invalid label name", name);
        nl++;
    }
    for (size_t i = 1; i < nbounds; i++)
        if (!(bounds[i] > bounds[i - 1]))
            misuse("histogram buckets must be strictly increasing", name);
    for (size_t i = 0; i < nbounds; i++)
        if (!isfinite(bounds[i]))
            misuse("histogram buckets must be finite", name);
    pthread_mutex_lock(&reg->mu);
    for (size_t i = 0; i < reg->nfams; i++) {
        struct metrics_family *o = reg->fams[i];
        if (strcmp(o->name, name) != 0)
            continue;
        if (o->type != type || o->nlabels != nl)
            misuse("registered twice with a different type or labels", name);
        for (size_t j = 0; j < nl; j++)
            if (strcmp(o->label_names[j], labels[j]) != 0)
                misuse("registered twice with different labels", name);
        pthread_mutex_unlock(&reg->mu);
        return o;
    }
    f = xcalloc(1, sizeof(*f));
    f->name = xstrdup(name);
    f->help = xstrdup(help ? help : "");
    f->type = type;
    f->nlabels = nl;
    f->label_names = xcalloc(nl ? nl : 1, sizeof(char *));
    for (size_t i = 0; i < nl; i++)
        f->label_names[i] = xstrdup(labels[i]);
    if (nbounds) {
        f->bounds = xmemdup(bounds, nbounds * sizeof(double));
        f->nbounds = nbounds;
    }
    pthread_mutex_init(&f->mu, NULL);
    reg->fams = xreallocarray(reg->fams, reg->nfams + 1, sizeof(*reg->fams));
    reg->fams[reg->nfams++] = f;
    pthread_mutex_unlock(&reg->mu);
    return f;
}

struct metrics_family *metrics_counter_new(struct metrics_registry *reg, const char *name,
                                           const char *help, const char *const *label_names)
{
    return family_register(reg, name, help, METRICS_COUNTER, label_names, NULL, 0);
}

struct metrics_family *metrics_gauge_new(struct metrics_registry *reg, const char *name,
                                         const char *help, const char *const *label_names)
{
    return family_register(reg, name, help, METRICS_GAUGE, label_names, NULL, 0);
}

struct metrics_family *metrics_histogram_new(struct metrics_registry *reg, const char *name,
                                             const char *help, const char *const *label_names,
                                             const double *buckets, size_t nbuckets)
{
    return family_register(reg, name, help, METRICS_HISTOGRAM, label_names, buckets, nbuckets);
}

static bool values_equal(const struct metrics_family *f, char *const *a, const char *const *b)
{
    for (size_t i = 0; i < f->nlabels; i++)
        if (strcmp(a[i], b[i] ? b[i] : "") != 0)
            return false;
    return true;
}

struct metric *metrics_child(struct metrics_family *f, const char *const *values)
{
    struct metric *m = NULL;
    pthread_mutex_lock(&f->mu);
    for (size_t i = 0; i < f->nchildren; i++) {
        if (values_equal(f, f->children[i]->values, values)) {
            m = f->children[i];
            goto out;
        }
    }
    m = xcalloc(1, sizeof(*m));
    m->fam = f;
    m->values = xcalloc(f->nlabels ? f->nlabels : 1, sizeof(char *));
    for (size_t i = 0; i < f->nlabels; i++)
        m->values[i] = xstrdup(values[i] ? values[i] : "");
    if (f->type == METRICS_HISTOGRAM)
        m->buckets = xcalloc(f->nbounds + 1, sizeof(*m->buckets));
    if (f->nchildren == f->capchildren) {
        f->capchildren = f->capchildren ? f->capchildren * 2 : 4;
        f->children = xreallocarray(f->children, f->capchildren, sizeof(*f->children));
    }
    f->children[f->nchildren++] = m;
out:
    pthread_mutex_unlock(&f->mu);
    return m;
}

struct metric *metrics_childv(struct metrics_family *f, ...)
{
    const char *vals[16];
    va_list ap;
    if (f->nlabels > 16)
        misuse("metrics_childv supports at most 16 labels", f->name);
    va_start(ap, f);
    for (size_t i = 0; i < f->nlabels; i++)
        vals[i] = va_arg(ap, const char *);
    va_end(ap);
    return metrics_child(f, vals);
}

struct metric *metrics_get(struct metrics_family *f)
{
    if (f->nlabels != 0)
        misuse("metrics_get on a labelled family", f->name);
    return metrics_child(f, NULL);
}

void metrics_child_remove(struct metrics_family *f, const char *const *values)
{
    pthread_mutex_lock(&f->mu);
    for (size_t i = 0; i < f->nchildren; i++) {
        if (values_equal(f, f->children[i]->values, values)) {
            metric_free(f->children[i]);
            memmove(&f->children[i], &f->children[i + 1],
                    (f->nchildren - i - 1) * sizeof(*f->children));
            f->nchildren--;
            break;
        }
    }
    pthread_mutex_unlock(&f->mu);
}

void metrics_inc(struct metric *m)
{
    atomic_add_double(&m->bits, 1.0);
}

void metrics_add(struct metric *m, double v)
{
    if (m->fam->type == METRICS_COUNTER && !(v >= 0))
        return;
    atomic_add_double(&m->bits, v);
}

void metrics_set(struct metric *m, double v)
{
    atomic_store(&m->bits, double_to_bits(v));
}

void metrics_observe(struct metric *m, double v)
{
    size_t i = 0;
    if (m->fam->type != METRICS_HISTOGRAM)
        return;
    while (i < m->fam->nbounds && v > m->fam->bounds[i])
        i++;
    atomic_fetch_add(&m->buckets[i], 1);
    atomic_fetch_add(&m->count, 1);
    atomic_add_double(&m->bits, v);
}

double metrics_value(const struct metric *m)
{
    return bits_to_double(atomic_load(&((struct metric *)m)->bits));
}

unsigned long long metrics_count(const struct metric *m)
{
    return atomic_load(&((struct metric *)m)->count);
}

void metrics_add_collector(struct metrics_registry *reg, metrics_collect_cb cb, void *ctx,
                           void (*free_ctx)(void *))
{
    pthread_mutex_lock(&reg->mu);
    reg->collectors =
        xreallocarray(reg->collectors, reg->ncollectors + 1, sizeof(*reg->collectors));
    reg->collectors[reg->ncollectors].cb = cb;
    reg->collectors[reg->ncollectors].ctx = ctx;
    reg->collectors[reg->ncollectors].free_ctx = free_ctx;
    reg->ncollectors++;
    pthread_mutex_unlock(&reg->mu);
}

/* ---- rendering ---- */

/* Formats v as Go's strconv.FormatFloat(v, 'g', -1, 64), as the Prometheus client does. */
static void format_value(double v, char *out, size_t n)
{
    char tmp[40];
    int prec, exp;
    if (isnan(v)) {
        snprintf(out, n, "NaN");
        return;
    }
    if (isinf(v)) {
        snprintf(out, n, v > 0 ? "+Inf" : "-Inf");
        return;
    }
    if (v == 0) {
        snprintf(out, n, signbit(v) ? "-0" : "0");
        return;
    }
    for (prec = 1; prec <= 17; prec++) {
        snprintf(tmp, sizeof(tmp), "%.*e", prec - 1, v);
        if (strtod(tmp, NULL) == v)
            break;
    }
    exp = (int)strtol(strchr(tmp, 'e') + 1, NULL, 10);
    if (exp < -4 || exp >= 6) { /* Go: shortest 'g' switches to %e at exponent 6 */
        snprintf(out, n, "%s", tmp);
        return;
    }
    snprintf(out, n, "%.*f", prec - 1 - exp > 0 ? prec - 1 - exp : 0, v);
}

static int put_escaped(struct buf *b, const char *s, bool quote)
{
    int rc = 0;
    for (const char *p = s; *p && rc == 0; p++) {
        if (*p == '\\')
            rc = buf_puts(b, "\\\\");
        else if (*p == '\n')
            rc = buf_puts(b, "\\n");
        else if (*p == '"' && quote)
            rc = buf_puts(b, "\\\"");
        else
            rc = buf_putc(b, *p);
    }
    return rc;
}

/* Writes name{labels[,extra_name="extra_val"]} value\n. */
static int put_sample(struct buf *b, const char *name, const char *suffix,
                      const struct metrics_family *f, const struct metric *m,
                      const char *extra_name, const char *extra_val, double v)
{
    char num[48];
    bool any = f->nlabels > 0 || extra_name != NULL;
    int rc = buf_printf(b, "%s%s", name, suffix);
    if (rc == 0 && any)
        rc = buf_putc(b, '{');
    for (size_t i = 0; rc == 0 && i < f->nlabels; i++) {
        rc = buf_printf(b, "%s%s=\"", i ? "," : "", f->label_names[i]);
        if (rc == 0)
            rc = put_escaped(b, m->values[i], true);
        if (rc == 0)
            rc = buf_putc(b, '"');
    }
    if (rc == 0 && extra_name != NULL)
        rc = buf_printf(b, "%s%s=\"%s\"", f->nlabels ? "," : "", extra_name, extra_val);
    if (rc == 0 && any)
        rc = buf_putc(b, '}');
    format_value(v, num, sizeof(num));
    if (rc == 0)
        rc = buf_printf(b, " %s\n", num);
    return rc;
}

static int cmp_children(const void *a, const void *b)
{
    const struct metric *ma = *(const struct metric *const *)a;
    const struct metric *mb = *(const struct metric *const *)b;
    for (size_t i = 0; i < ma->fam->nlabels; i++) {
        int c = strcmp(ma->values[i], mb->values[i]);
        if (c != 0)
            return c;
    }
    return 0;
}

static int cmp_fams(const void *a, const void *b)
{
    return strcmp((*(struct metrics_family *const *)a)->name,
                  (*(struct metrics_family *const *)b)->name);
}

static int render_family(struct metrics_family *f, struct buf *out)
{
    static const char *const tnames[] = {"counter", "gauge", "histogram"};
    struct metric **kids = NULL;
    size_t nk;
    int rc;
    pthread_mutex_lock(&f->mu);
    nk = f->nchildren;
    if (nk == 0) {
        pthread_mutex_unlock(&f->mu);
        return 0;
    }
    kids = xmemdup(f->children, nk * sizeof(*kids));
    qsort(kids, nk, sizeof(*kids), cmp_children);
    rc = buf_printf(out, "# HELP %s ", f->name);
    if (rc == 0)
        rc = put_escaped(out, f->help, false);
    if (rc == 0)
        rc = buf_printf(out, "\n# TYPE %s %s\n", f->name, tnames[f->type]);
    for (size_t k = 0; rc == 0 && k < nk; k++) {
        struct metric *m = kids[k];
        if (f->type != METRICS_HISTOGRAM) {
            rc = put_sample(out, f->name, "", f, m, NULL, NULL, metrics_value(m));
            continue;
        }
        uint64_t cum = 0;
        char le[48];
        for (size_t i = 0; rc == 0 && i <= f->nbounds; i++) {
            cum += atomic_load(&m->buckets[i]);
            if (i < f->nbounds)
                format_value(f->bounds[i], le, sizeof(le));
            else
                snprintf(le, sizeof(le), "+Inf");
            rc = put_sample(out, f->name, "_bucket", f, m, "le", le, (double)cum);
        }
        if (rc == 0)
            rc = put_sample(out, f->name, "_sum", f, m, NULL, NULL, metrics_value(m));
        if (rc == 0)
            rc = put_sample(out, f->name, "_count", f, m, NULL, NULL, (double)cum);
    }
    pthread_mutex_unlock(&f->mu);
    xfree(kids);
    return rc;
}

int metrics_render(struct metrics_registry *reg, struct buf *out)
{
    struct metrics_family **fams = NULL;
    struct collector *cols = NULL;
    size_t nf, nc;
    int rc = 0;
    pthread_mutex_lock(&reg->mu);
    nc = reg->ncollectors;
    if (nc)
        cols = xmemdup(reg->collectors, nc * sizeof(*cols));
    pthread_mutex_unlock(&reg->mu);
    for (size_t i = 0; i < nc; i++)
        cols[i].cb(reg, cols[i].ctx);
    xfree(cols);
    pthread_mutex_lock(&reg->mu);
    nf = reg->nfams;
    if (nf)
        fams = xmemdup(reg->fams, nf * sizeof(*fams));
    pthread_mutex_unlock(&reg->mu);
    if (nf)
        qsort(fams, nf, sizeof(*fams), cmp_fams);
    for (size_t i = 0; rc == 0 && i < nf; i++)
        rc = render_family(fams[i], out);
    xfree(fams);
    return rc;
}
