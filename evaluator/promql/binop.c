/* SPDX-License-Identifier: Apache-2.0 */
/* PromQL binary operators: arithmetic, comparison, set operators and vector matching. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/labels.h"
#include "common/xalloc.h"
#include "evaluator/promql/ast.h"
#include "evaluator/promql/engine_int.h"

/* Applies op to two floats. Comparisons return lhs and set *keep to the outcome. */
static double float_binop(enum promql_binop op, double l, double r, bool *keep)
{
    *keep = true;
    switch (op) {
    case PROMQL_OP_ADD:
        return l + r;
    case PROMQL_OP_SUB:
        return l - r;
    case PROMQL_OP_MUL:
        return l * r;
    case PROMQL_OP_DIV:
        return l / r;
    case PROMQL_OP_POW:
        return pow(l, r);
    case PROMQL_OP_MOD:
        return fmod(l, r);
    case PROMQL_OP_ATAN2:
        return atan2(l, r);
    case PROMQL_OP_EQL:
        *keep = l == r;
        return l;
    case PROMQL_OP_NEQ:
        *keep = l != r;
        return l;
    case PROMQL_OP_GTR:
        *keep = l > r;
        return l;
    case PROMQL_OP_LSS:
        *keep = l < r;
        return l;
    case PROMQL_OP_GTE:
        *keep = l >= r;
        return l;
    case PROMQL_OP_LTE:
        *keep = l <= r;
        return l;
    default:
        break;
    }
    *keep = false;
    return NAN;
}

static bool op_drops_name(enum promql_binop op)
{
    switch (op) {
    case PROMQL_OP_ADD:
    case PROMQL_OP_SUB:
    case PROMQL_OP_MUL:
    case PROMQL_OP_DIV:
    case PROMQL_OP_POW:
    case PROMQL_OP_MOD:
    case PROMQL_OP_ATAN2:
        return true;
    default:
        return false;
    }
}

/* ---- signatures ---- */

struct sigspec {
    const char **names; /* sorted */
    size_t n;
    bool on;
};

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void sigspec_init(struct sigspec *s, const struct promql_vector_matching *m)
{
    size_t n = m ? m->nlabels : 0;
    s->on = m ? m->on : false;
    s->names = xcalloc(n + 1, sizeof(*s->names));
    for (size_t i = 0; i < n; i++)
        s->names[i] = m->labels[i];
    s->n = n;
    if (!s->on)
        s->names[s->n++] = "__name__";
    qsort(s->names, s->n, sizeof(*s->names), cmp_str);
}

static uint64_t sig_of(const struct sigspec *s, const struct labels *ls)
{
    return labels_hash_subset(ls, s->names, s->n, s->on);
}

static bool name_in(const struct sigspec *s, const char *name)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->names[i], name) == 0)
            return true;
    return false;
}

/* The labels a signature is computed from (for error messages). */
static struct labels *match_labels(const struct sigspec *s, const struct labels *ls)
{
    struct labels_builder b;
    struct labels *out;
    labels_builder_init(&b);
    for (size_t i = 0; i < ls->n; i++)
        if (name_in(s, ls->v[i].name) == s->on)
            labels_builder_set(&b, ls->v[i].name, ls->v[i].value);
    out = labels_builder_finish(&b);
    labels_builder_fini(&b);
    return out;
}

/* A small open-addressing map from 64-bit hashes to indexes. */
struct hmap {
    uint64_t *keys;
    size_t *vals; /* index + 1, 0 = empty */
    size_t cap, n;
};

static void hmap_init(struct hmap *m, size_t want)
{
    m->cap = 16;
    while (m->cap < want * 2 + 2)
        m->cap *= 2;
    m->keys = xcalloc(m->cap, sizeof(*m->keys));
    m->vals = xcalloc(m->cap, sizeof(*m->vals));
    m->n = 0;
}

static void hmap_fini(struct hmap *m)
{
    xfree(m->keys);
    xfree(m->vals);
}

static size_t *hmap_slot(struct hmap *m, uint64_t k, bool *found)
{
    size_t h = (size_t)(k ^ (k >> 29)) & (m->cap - 1);
    while (m->vals[h] != 0) {
        if (m->keys[h] == k) {
            *found = true;
            return &m->vals[h];
        }
        h = (h + 1) & (m->cap - 1);
    }
    *found = false;
    m->keys[h] = k;
    return &m->vals[h];
}

static void hmap_grow_if(struct hmap *m)
{
    if ((m->n + 1) * 2 > m->cap) {
        struct hmap n2;
        hmap_init(&n2, m->cap);
        for (size_t i = 0; i < m->cap; i++) {
            if (m->vals[i] != 0) {
                bool f;
                *hmap_slot(&n2, m->keys[i], &f) = m->vals[i];
                n2.n++;
            }
        }
        hmap_fini(m);
        *m = n2;
    }
}

static size_t hmap_get(struct hmap *m, uint64_t k)
{
    bool f;
    size_t *v = hmap_slot(m, k, &f);
    if (!f) {
        *v = 0;
        return 0;
    }
    return *v;
}

static void hmap_put(struct hmap *m, uint64_t k, size_t v)
{
    bool f;
    size_t *slot;
    hmap_grow_if(m);
    slot = hmap_slot(m, k, &f);
    if (!f)
        m->n++;
    *slot = v;
}

/* ---- set operators ---- */

static void move_sample(struct promql_vector *out, struct promql_sample *s)
{
    struct promql_sample *d = promql_vector_push(out, s->labels, s->t, s->v);
    d->drop_name = s->drop_name;
    d->h = s->h;
    s->labels = NULL;
}

static int set_op(struct ev *ev, const struct promql_binary *b, struct promql_vector *l,
                  struct promql_vector *r, struct promql_vector *out)
{
    struct sigspec ss;
    struct hmap rs;
    (void)ev;
    sigspec_init(&ss, b->matching);
    hmap_init(&rs, b->op == PROMQL_OP_OR ? l->n : r->n);
    if (b->op == PROMQL_OP_OR) {
        for (size_t i = 0; i < l->n; i++) {
            hmap_put(&rs, sig_of(&ss, l->s[i].labels), 1);
            move_sample(out, &l->s[i]);
        }
        for (size_t i = 0; i < r->n; i++)
            if (hmap_get(&rs, sig_of(&ss, r->s[i].labels)) == 0)
                move_sample(out, &r->s[i]);
    } else {
        for (size_t i = 0; i < r->n; i++)
            hmap_put(&rs, sig_of(&ss, r->s[i].labels), 1);
        for (size_t i = 0; i < l->n; i++) {
            bool in = hmap_get(&rs, sig_of(&ss, l->s[i].labels)) != 0;
            if (in == (b->op == PROMQL_OP_AND))
                move_sample(out, &l->s[i]);
        }
    }
    hmap_fini(&rs);
    xfree(ss.names);
    return 0;
}

/* ---- vector/vector arithmetic and comparison ---- */

static struct labels *result_metric(const struct promql_binary *b, const struct sigspec *ss,
                                    const struct labels *ls, const struct labels *rs)
{
    const struct promql_vector_matching *m = b->matching;
    struct labels_builder lb;
    struct labels *out;
    labels_builder_init(&lb);
    if (m->card == PROMQL_CARD_ONE_TO_ONE) {
        if (m->on) {
            for (size_t i = 0; i < ls->n; i++)
                for (size_t j = 0; j < m->nlabels; j++)
                    if (strcmp(ls->v[i].name, m->labels[j]) == 0)
                        labels_builder_set(&lb, ls->v[i].name, ls->v[i].value);
        } else {
            labels_builder_from(&lb, ls);
            for (size_t j = 0; j < m->nlabels; j++)
                labels_builder_del(&lb, m->labels[j]);
        }
    } else {
        labels_builder_from(&lb, ls);
        for (size_t j = 0; j < m->ninclude; j++) {
            const char *v = labels_get(rs, m->include[j]);
            if (v != NULL && v[0] != '\0')
                labels_builder_set(&lb, m->include[j], v);
            else
                labels_builder_del(&lb, m->include[j]);
        }
    }
    (void)ss;
    out = labels_builder_finish(&lb);
    labels_builder_fini(&lb);
    return out;
}

static int dup_error(struct ev *ev, const struct sigspec *ss, const struct labels *a,
                     const struct labels *bl, bool right)
{
    struct buf g, x, y;
    struct labels *ml = match_labels(ss, a);
    int rc;
    buf_init(&g, 0);
    buf_init(&x, 0);
    buf_init(&y, 0);
    labels_format(ml, &g);
    labels_format(a, &x);
    labels_format(bl, &y);
    rc = ev_fail(ev, ERR_INVALID,
                 "found duplicate series for the match group %s on the %s hand-side of the "
                 "operation: [%s, %s];many-to-many matching not allowed: matching labels must be "
                 "unique on one side",
                 buf_str(&g), right ? "right" : "left", buf_str(&x), buf_str(&y));
    labels_free(ml);
    buf_fini(&g);
    buf_fini(&x);
    buf_fini(&y);
    return rc;
}

static int vector_binop(struct ev *ev, const struct promql_binary *b, int64_t t,
                        struct promql_vector *lhs, struct promql_vector *rhs,
                        struct promql_vector *out)
{
    const struct promql_vector_matching *m = b->matching;
    struct sigspec ss;
    struct hmap rsig, matched, inserted;
    bool swap = m->card == PROMQL_CARD_ONE_TO_MANY;
    struct promql_vector *l = swap ? rhs : lhs, *r = swap ? lhs : rhs;
    bool *rused = NULL;
    int rc = 0;
    sigspec_init(&ss, m);
    hmap_init(&rsig, r->n);
    hmap_init(&matched, l->n);
    hmap_init(&inserted, l->n);
    rused = xcalloc(r->n + 1, sizeof(*rused));
    for (size_t i = 0; i < r->n; i++) {
        uint64_t sg = sig_of(&ss, r->s[i].labels);
        size_t prev = hmap_get(&rsig, sg);
        if (prev != 0) {
            rc = dup_error(ev, &ss, r->s[prev - 1].labels, r->s[i].labels, !swap);
            goto out;
        }
        hmap_put(&rsig, sg, i + 1);
    }
    for (size_t i = 0; i < l->n; i++) {
        struct promql_sample *ls = &l->s[i];
        uint64_t sg = sig_of(&ss, ls->labels);
        size_t ri = hmap_get(&rsig, sg);
        struct promql_sample *rs;
        double fl, fr, val;
        bool keep;
        struct labels *metric;
        if (ri == 0) {
            struct labels *empty;
            if (!m->fill_right_set)
                continue;
            /* fill_right: the (internal) right-hand side is missing. */
            fl = swap ? m->fill_right : ls->v;
            fr = swap ? ls->v : m->fill_right;
            val = float_binop(b->op, fl, fr, &keep);
            if (promql_binop_is_comparison(b->op) && !b->return_bool)
                val = fl;
            if (b->return_bool) {
                val = keep ? 1 : 0;
                keep = true;
            }
            if (!keep)
                continue;
            empty = labels_empty();
            {
                struct promql_sample *d =
                    promql_vector_push(out, result_metric(b, &ss, ls->labels, empty), t, val);
                d->drop_name = op_drops_name(b->op) || b->return_bool ||
                               (ls->drop_name && !(m->card == PROMQL_CARD_ONE_TO_ONE && m->on));
            }
            labels_free(empty);
            continue;
        }
        rs = &r->s[ri - 1];
        rused[ri - 1] = true;
        if (m->card == PROMQL_CARD_ONE_TO_ONE) {
            if (hmap_get(&matched, sg) != 0) {
                rc = ev_fail(ev, ERR_INVALID,
                             "multiple matches for labels: many-to-one matching must be explicit "
                             "(group_left/group_right)");
                goto out;
            }
            hmap_put(&matched, sg, 1);
        }
        fl = ls->v;
        fr = rs->v;
        if (swap) {
            fl = rs->v;
            fr = ls->v;
        }
        val = float_binop(b->op, fl, fr, &keep);
        if (b->return_bool) {
            val = keep ? 1 : 0;
            keep = true;
        }
        if (!keep)
            continue;
        metric = result_metric(b, &ss, ls->labels, rs->labels);
        if (m->card != PROMQL_CARD_ONE_TO_ONE) {
            uint64_t mh = labels_hash(metric) ^ (sg * 0x9E3779B97F4A7C15ULL);
            if (hmap_get(&inserted, mh) != 0) {
                labels_free(metric);
                rc = ev_fail(ev, ERR_INVALID,
                             "multiple matches for labels: grouping labels must ensure unique "
                             "matches");
                goto out;
            }
            hmap_put(&inserted, mh, 1);
        }
        {
            struct promql_sample *d = promql_vector_push(out, metric, t, val);
            d->drop_name = op_drops_name(b->op) || b->return_bool ||
                           (ls->drop_name && !(m->card == PROMQL_CARD_ONE_TO_ONE && m->on));
        }
    }
    /* fill_left: (internal) right-hand samples without a left-hand match. */
    if (m->fill_left_set) {
        struct hmap lsig;
        hmap_init(&lsig, l->n);
        for (size_t i = 0; i < l->n; i++)
            hmap_put(&lsig, sig_of(&ss, l->s[i].labels), 1);
        for (size_t i = 0; i < r->n; i++) {
            struct promql_sample *rs = &r->s[i];
            double fl = swap ? rs->v : m->fill_left, fr = swap ? m->fill_left : rs->v, val;
            bool keep;
            if (rused[i] || hmap_get(&lsig, sig_of(&ss, rs->labels)) != 0)
                continue;
            val = float_binop(b->op, fl, fr, &keep);
            if (promql_binop_is_comparison(b->op) && !b->return_bool)
                val = fl;
            if (b->return_bool) {
                val = keep ? 1 : 0;
                keep = true;
            }
            if (!keep)
                continue;
            {
                struct promql_sample *d =
                    promql_vector_push(out, match_labels(&ss, rs->labels), t, val);
                d->drop_name = op_drops_name(b->op) || b->return_bool;
            }
        }
        hmap_fini(&lsig);
    }
out:
    xfree(rused);
    hmap_fini(&rsig);
    hmap_fini(&matched);
    hmap_fini(&inserted);
    xfree(ss.names);
    return rc;
}

static bool is_cmp(enum promql_binop op)
{
    return promql_binop_is_comparison(op);
}

int ev_binary(struct ev *ev, const struct promql_expr *x, int64_t t, struct promql_value *out)
{
    const struct promql_binary *b = &x->u.binary;
    struct promql_value l, r;
    int rc;
    promql_value_init(&l);
    promql_value_init(&r);
    promql_value_init(out);
    if ((rc = ev_eval(ev, b->lhs, t, &l)) != 0)
        goto out;
    if ((rc = ev_eval(ev, b->rhs, t, &r)) != 0)
        goto out;
    if (l.type == PROMQL_VAL_SCALAR && r.type == PROMQL_VAL_SCALAR) {
        bool keep;
        double v = float_binop(b->op, l.f, r.f, &keep);
        if (is_cmp(b->op))
            v = keep ? 1 : 0;
        out->type = PROMQL_VAL_SCALAR;
        out->f = v;
        out->t = t;
    } else if (l.type == PROMQL_VAL_VECTOR && r.type == PROMQL_VAL_VECTOR) {
        out->type = PROMQL_VAL_VECTOR;
        if (promql_binop_is_set(b->op))
            rc = set_op(ev, b, &l.vec, &r.vec, &out->vec);
        else
            rc = vector_binop(ev, b, t, &l.vec, &r.vec, &out->vec);
    } else if (l.type == PROMQL_VAL_VECTOR || r.type == PROMQL_VAL_VECTOR) {
        bool swap = r.type == PROMQL_VAL_VECTOR;
        struct promql_vector *v = swap ? &r.vec : &l.vec;
        double sc = swap ? l.f : r.f;
        out->type = PROMQL_VAL_VECTOR;
        for (size_t i = 0; i < v->n; i++) {
            struct promql_sample *s = &v->s[i];
            double lf = swap ? sc : s->v, rf = swap ? s->v : sc, val;
            bool keep;
            val = float_binop(b->op, lf, rf, &keep);
            if (is_cmp(b->op) && swap)
                val = rf;
            if (b->return_bool) {
                val = keep ? 1 : 0;
                keep = true;
            }
            if (!keep)
                continue;
            {
                struct promql_sample *d = promql_vector_push(&out->vec, s->labels, t, val);
                d->drop_name = s->drop_name || op_drops_name(b->op) || b->return_bool;
                s->labels = NULL;
            }
        }
    } else {
        rc = ev_fail(ev, ERR_INVALID, "unsupported operand types for binary operator %s",
                     promql_binop_str(b->op));
    }
out:
    promql_value_fini(&l);
    promql_value_fini(&r);
    if (rc != 0)
        promql_value_fini(out);
    return rc;
}
