/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The experimental info() function: enriches series with the data labels of info metrics
 * (target_info by default) that share the identifying labels instance and job.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/labels.h"
#include "common/matcher.h"
#include "common/xalloc.h"
#include "evaluator/promql/engine_int.h"
#include "evaluator/promql/functions_int.h"

static const char *const id_labels[] = {"instance", "job"};

/* Reference time of the info lookup: @ and offset along the path to the first selector. */
static int info_ref(struct ev *ev, const struct promql_expr *x, int64_t t, int64_t *ref,
                    bool *found)
{
    int rc;
    switch (x->kind) {
    case PROMQL_EXPR_VECTOR_SELECTOR:
        *found = true;
        return ev_mods_ref(ev, &x->u.vs.mods, t, ref);
    case PROMQL_EXPR_MATRIX_SELECTOR:
        *found = true;
        return ev_mods_ref(ev, &x->u.ms.vs->u.vs.mods, t, ref);
    case PROMQL_EXPR_SUBQUERY: {
        int64_t inner;
        if ((rc = ev_mods_ref(ev, &x->u.sq.mods, t, &inner)) != 0)
            return rc;
        *ref = inner;
        rc = info_ref(ev, x->u.sq.expr, inner, ref, found);
        *found = true;
        return rc;
    }
    case PROMQL_EXPR_PAREN:
        return info_ref(ev, x->u.paren, t, ref, found);
    case PROMQL_EXPR_UNARY:
        return info_ref(ev, x->u.unary.expr, t, ref, found);
    case PROMQL_EXPR_BINARY:
        if ((rc = info_ref(ev, x->u.binary.lhs, t, ref, found)) != 0 || *found)
            return rc;
        return info_ref(ev, x->u.binary.rhs, t, ref, found);
    case PROMQL_EXPR_AGGREGATE:
        if (x->u.agg.param != NULL &&
            ((rc = info_ref(ev, x->u.agg.param, t, ref, found)) != 0 || *found))
            return rc;
        return info_ref(ev, x->u.agg.expr, t, ref, found);
    case PROMQL_EXPR_CALL:
        for (size_t i = 0; i < x->u.call.nargs; i++)
            if ((rc = info_ref(ev, x->u.call.args[i], t, ref, found)) != 0 || *found)
                return rc;
        return 0;
    default:
        return 0;
    }
}

static void quote_meta(struct buf *b, const char *s)
{
    for (; *s; s++) {
        if (strchr("\\.+*?()|[]{}^$", *s) != NULL)
            buf_putc(b, '\\');
        buf_putc(b, *s);
    }
}

static bool name_matchers_match(const struct matcher *const *ms, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (!matcher_matches(ms[i], name))
            return false;
    return true;
}

struct info_hit {
    const struct promql_series_data *s;
    int64_t t;
};

int ev_call_info(struct ev *ev, const struct promql_expr *x, int64_t t, struct promql_value *out)
{
    const struct promql_call *c = &x->u.call;
    const struct promql_vector_selector *sel = NULL;
    const struct matcher **namems = NULL, **datams = NULL, **posms = NULL;
    size_t nname = 0, ndata = 0, npos = 0;
    struct matcher *suffix = NULL;
    struct matcher *target = NULL, *idm[2] = {NULL, NULL};
    struct promql_series_set set;
    struct promql_vector base;
    bool *ignore = NULL, found = false;
    int64_t ref = t;
    int rc;
    struct info_hit *hits = NULL;
    size_t nhits = 0;
    promql_series_set_init(&set);
    promql_vector_init(&base);
    promql_value_init(out);
    out->type = PROMQL_VAL_VECTOR;
    {
        struct promql_value v;
        if ((rc = ev_eval(ev, c->args[0], t, &v)) != 0) {
            promql_value_fini(&v);
            return rc;
        }
        base = v.vec;
    }
    if ((rc = info_ref(ev, c->args[0], t, &ref, &found)) != 0)
        goto out;
    if (c->nargs > 1) {
        const struct promql_expr *a = promql_expr_unparen(c->args[1]);
        if (a->kind == PROMQL_EXPR_VECTOR_SELECTOR)
            sel = &a->u.vs;
    }
    namems = xcalloc(sel ? sel->nmatchers + 1 : 1, sizeof(*namems));
    datams = xcalloc(sel ? sel->nmatchers + 1 : 1, sizeof(*datams));
    if (sel != NULL) {
        for (size_t i = 0; i < sel->nmatchers; i++) {
            if (strcmp(sel->matchers[i]->name, "__name__") == 0)
                namems[nname++] = sel->matchers[i];
            else
                datams[ndata++] = sel->matchers[i];
        }
    } else {
        matcher_new(MATCH_EQ, "__name__", "target_info", &target, NULL);
        namems[nname++] = target;
    }
    /* Only positive __name__ matchers decide which base series are info series themselves. */
    posms = xcalloc(nname + 1, sizeof(*posms));
    for (size_t i = 0; i < nname; i++)
        if (namems[i]->type == MATCH_EQ || namems[i]->type == MATCH_RE)
            posms[npos++] = namems[i];
    ignore = xcalloc(base.n + 1, sizeof(*ignore));
    {
        struct buf re[2];
        bool any = false;
        const struct matcher **all;
        size_t nall = 0;
        buf_init(&re[0], 0);
        buf_init(&re[1], 0);
        for (size_t i = 0; i < base.n; i++) {
            const char *nm = labels_get(base.s[i].labels, "__name__");
            if (npos > 0 && name_matchers_match(namems, nname, nm ? nm : "")) {
                ignore[i] = true;
                continue;
            }
            for (int k = 0; k < 2; k++) {
                const char *v = labels_get(base.s[i].labels, id_labels[k]);
                if (v == NULL || v[0] == '\0')
                    continue;
                if (re[k].len > 0)
                    buf_putc(&re[k], '|');
                quote_meta(&re[k], v);
                any = true;
            }
        }
        if (any) {
            all = xcalloc(nname + ndata + 4, sizeof(*all));
            for (int k = 0; k < 2; k++) {
                if (re[k].len == 0)
                    continue;
                if (matcher_new(MATCH_RE, id_labels[k], buf_str(&re[k]), &idm[k], ev->e) != 0) {
                    rc = ERR_INVALID;
                    xfree(all);
                    buf_fini(&re[0]);
                    buf_fini(&re[1]);
                    goto out;
                }
                all[nall++] = idm[k];
            }
            if (nname == 0) {
                matcher_new(MATCH_EQ, "__name__", "target_info", &target, NULL);
                all[nall++] = target;
            } else if (npos == 0) {
                /* only negative name matchers: consider metrics named like info metrics */
                matcher_new(MATCH_RE, "__name__", ".+_info", &suffix, NULL);
                all[nall++] = suffix;
            }
            for (size_t i = 0; i < nname; i++)
                all[nall++] = namems[i];
            for (size_t i = 0; i < ndata; i++)
                all[nall++] = datams[i];
            rc = ev->st->select(ev->st->ctx, all, nall, INT64_MIN, INT64_MAX, &set, ev->e);
            xfree(all);
        }
        buf_fini(&re[0]);
        buf_fini(&re[1]);
        if (rc != 0)
            goto out;
    }
    /* The info samples current at ref (lookback, staleness); newest wins per signature. */
    hits = xcalloc(set.n + 1, sizeof(*hits));
    for (size_t i = 0; i < set.n; i++) {
        const struct promql_series_data *s = &set.s[i];
        long k = -1;
        for (size_t j = 0; j < s->n && s->t[j] <= ref; j++)
            k = (long)j;
        if (k < 0 || s->t[k] <= ref - ev->o->lookback_ms || promql_is_stale(s->v[k]))
            continue;
        for (size_t h = 0; h < nhits; h++) {
            const struct labels *a = hits[h].s->labels, *b = s->labels;
            bool same = true;
            const char *na = labels_get(a, "__name__"), *nb = labels_get(b, "__name__");
            same = strcmp(na ? na : "", nb ? nb : "") == 0;
            for (int q = 0; q < 2 && same; q++) {
                const char *x1 = labels_get(a, id_labels[q]), *x2 = labels_get(b, id_labels[q]);
                same = strcmp(x1 ? x1 : "", x2 ? x2 : "") == 0;
            }
            if (!same)
                continue;
            if (hits[h].t == s->t[k]) {
                struct buf b1, b2;
                buf_init(&b1, 0);
                buf_init(&b2, 0);
                labels_format(a, &b1);
                labels_format(b, &b2);
                rc = ev_fail(ev, ERR_INVALID,
                             "found duplicate series for info metric: existing %s @ %lld, new %s "
                             "@ %lld",
                             buf_str(&b1), (long long)hits[h].t, buf_str(&b2), (long long)s->t[k]);
                buf_fini(&b1);
                buf_fini(&b2);
                goto out;
            }
            if (hits[h].t < s->t[k]) {
                hits[h].s = s;
                hits[h].t = s->t[k];
            }
            k = -2;
            break;
        }
        if (k == -2)
            continue;
        hits[nhits].s = s;
        hits[nhits].t = s->t[k];
        nhits++;
    }
    for (size_t i = 0; i < base.n; i++) {
        struct promql_sample *bs = &base.s[i];
        struct labels_builder add;
        bool matched = false;
        if (ignore[i]) {
            struct promql_sample *d = promql_vector_push(&out->vec, bs->labels, t, bs->v);
            d->drop_name = bs->drop_name;
            bs->labels = NULL;
            continue;
        }
        labels_builder_init(&add);
        for (size_t h = 0; h < nhits; h++) {
            const struct labels *il = hits[h].s->labels;
            bool same = true;
            for (int q = 0; q < 2 && same; q++) {
                const char *x1 = labels_get(il, id_labels[q]);
                const char *x2 = labels_get(bs->labels, id_labels[q]);
                same = strcmp(x1 ? x1 : "", x2 ? x2 : "") == 0;
            }
            if (!same)
                continue;
            matched = true;
            for (size_t l = 0; l < il->n; l++) {
                const char *n = il->v[l].name, *v = il->v[l].value, *have;
                bool listed = ndata == 0;
                if (strcmp(n, "__name__") == 0)
                    continue;
                for (size_t d = 0; d < ndata && !listed; d++)
                    listed = strcmp(datams[d]->name, n) == 0;
                if (!listed)
                    continue;
                have = labels_builder_get(&add, n);
                if (have != NULL && have[0] != '\0' && strcmp(have, v) != 0) {
                    labels_builder_fini(&add);
                    rc = ev_fail(ev, ERR_INVALID, "conflicting label: %s", n);
                    goto out;
                }
                if (labels_get(bs->labels, n) != NULL)
                    continue;
                labels_builder_set(&add, n, v);
            }
        }
        if (!matched) {
            bool all_empty = true;
            for (size_t d = 0; d < ndata; d++)
                all_empty = all_empty && matcher_matches(datams[d], "");
            if (!all_empty) {
                labels_builder_fini(&add);
                continue;
            }
        }
        {
            struct labels_builder lb;
            struct labels *nl;
            struct promql_sample *d;
            labels_builder_init(&lb);
            labels_builder_from(&lb, bs->labels);
            for (size_t a = 0; a < add.n; a++)
                labels_builder_set(&lb, add.items[a].name, add.items[a].value);
            nl = labels_builder_finish(&lb);
            labels_builder_fini(&lb);
            d = promql_vector_push(&out->vec, nl, t, bs->v);
            d->drop_name = bs->drop_name;
        }
        labels_builder_fini(&add);
    }
    rc = ev_vector_check_dups(ev, &out->vec);
out:
    xfree(hits);
    xfree(ignore);
    xfree(namems);
    xfree(posms);
    matcher_free(suffix);
    xfree(datams);
    matcher_free(target);
    matcher_free(idm[0]);
    matcher_free(idm[1]);
    promql_series_set_fini(&set);
    promql_vector_fini(&base);
    if (rc != 0)
        promql_value_fini(out);
    return rc;
}
