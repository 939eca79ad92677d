/* SPDX-License-Identifier: Apache-2.0 */
/* Series sets handed from storage to the PromQL engine. */
#include "evaluator/promql/storage.h"

#include <string.h>

#include "common/labels.h"
#include "common/xalloc.h"

void promql_series_set_init(struct promql_series_set *set)
{
    set->s = NULL;
    set->n = set->cap = 0;
}

void promql_series_set_add(struct promql_series_set *set, struct labels *labels, int64_t *t,
                           double *v, size_t n)
{
    promql_series_set_add_st(set, labels, t, v, NULL, n);
}

void promql_series_set_add_st(struct promql_series_set *set, struct labels *labels, int64_t *t,
                              double *v, int64_t *st, size_t n)
{
    if (set->n == set->cap) {
        set->cap = set->cap ? set->cap * 2 : 16;
        set->s = xreallocarray(set->s, set->cap, sizeof(*set->s));
    }
    set->s[set->n].labels = labels;
    set->s[set->n].t = t;
    set->s[set->n].v = v;
    set->s[set->n].st = st;
    set->s[set->n].n = n;
    set->n++;
}

void promql_series_set_fini(struct promql_series_set *set)
{
    for (size_t i = 0; i < set->n; i++) {
        labels_free(set->s[i].labels);
        xfree(set->s[i].t);
        xfree(set->s[i].v);
        xfree(set->s[i].st);
    }
    xfree(set->s);
    promql_series_set_init(set);
}

int promql_is_stale(double v)
{
    uint64_t bits;
    memcpy(&bits, &v, sizeof(bits));
    return bits == PROMQL_STALE_NAN_BITS;
}
