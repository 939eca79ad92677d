/* SPDX-License-Identifier: Apache-2.0 */
/* PromQL result values and annotations: construction, sorting and release. */
#include "evaluator/promql/value.h"

#include <stdlib.h>
#include <string.h>

#include "common/labels.h"
#include "common/xalloc.h"

const char *promql_val_type_name(enum promql_val_type t)
{
    switch (t) {
    case PROMQL_VAL_SCALAR:
        return "scalar";
    case PROMQL_VAL_STRING:
        return "string";
    case PROMQL_VAL_VECTOR:
        return "instant vector";
    case PROMQL_VAL_MATRIX:
        return "range vector";
    case PROMQL_VAL_NONE:
        break;
    }
    return "none";
}

void promql_vector_init(struct promql_vector *v)
{
    v->s = NULL;
    v->n = v->cap = 0;
}

struct promql_sample *promql_vector_push(struct promql_vector *v, struct labels *labels, int64_t t,
                                         double f)
{
    struct promql_sample *s;
    if (v->n == v->cap) {
        v->cap = v->cap ? v->cap * 2 : 8;
        v->s = xreallocarray(v->s, v->cap, sizeof(*v->s));
    }
    s = &v->s[v->n++];
    memset(s, 0, sizeof(*s));
    s->labels = labels;
    s->t = t;
    s->v = f;
    return s;
}

void promql_vector_fini(struct promql_vector *v)
{
    for (size_t i = 0; i < v->n; i++)
        labels_free(v->s[i].labels);
    xfree(v->s);
    promql_vector_init(v);
}

static int cmp_sample_labels(const void *a, const void *b)
{
    const struct promql_sample *x = a, *y = b;
    return labels_cmp(x->labels, y->labels);
}

void promql_vector_sort_labels(struct promql_vector *v)
{
    if (v->n > 1)
        qsort(v->s, v->n, sizeof(*v->s), cmp_sample_labels);
}

void promql_matrix_init(struct promql_matrix *m)
{
    m->s = NULL;
    m->n = m->cap = 0;
}

struct promql_series *promql_matrix_push(struct promql_matrix *m, struct labels *labels)
{
    struct promql_series *s;
    if (m->n == m->cap) {
        m->cap = m->cap ? m->cap * 2 : 8;
        m->s = xreallocarray(m->s, m->cap, sizeof(*m->s));
    }
    s = &m->s[m->n++];
    memset(s, 0, sizeof(*s));
    s->labels = labels;
    return s;
}

void promql_series_push_point(struct promql_series *s, int64_t t, double v)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 4;
        s->p = xreallocarray(s->p, s->cap, sizeof(*s->p));
    }
    s->p[s->n].t = t;
    s->p[s->n].v = v;
    s->n++;
}

void promql_matrix_fini(struct promql_matrix *m)
{
    for (size_t i = 0; i < m->n; i++) {
        labels_free(m->s[i].labels);
        xfree(m->s[i].p);
    }
    xfree(m->s);
    promql_matrix_init(m);
}

static int cmp_series_labels(const void *a, const void *b)
{
    const struct promql_series *x = a, *y = b;
    return labels_cmp(x->labels, y->labels);
}

void promql_matrix_sort_labels(struct promql_matrix *m)
{
    if (m->n > 1)
        qsort(m->s, m->n, sizeof(*m->s), cmp_series_labels);
}

size_t promql_matrix_points(const struct promql_matrix *m)
{
    size_t n = 0;
    for (size_t i = 0; i < m->n; i++)
        n += m->s[i].n;
    return n;
}

void promql_value_init(struct promql_value *v)
{
    memset(v, 0, sizeof(*v));
    v->type = PROMQL_VAL_NONE;
}

void promql_value_fini(struct promql_value *v)
{
    xfree(v->str);
    promql_vector_fini(&v->vec);
    promql_matrix_fini(&v->mat);
    promql_value_init(v);
}

void promql_value_move(struct promql_value *dst, struct promql_value *src)
{
    *dst = *src;
    promql_value_init(src);
}

void promql_annotations_init(struct promql_annotations *a)
{
    memset(a, 0, sizeof(*a));
}

void promql_annotations_fini(struct promql_annotations *a)
{
    for (size_t i = 0; i < a->nwarn; i++)
        xfree(a->warn[i]);
    for (size_t i = 0; i < a->ninfo; i++)
        xfree(a->info[i]);
    xfree(a->warn);
    xfree(a->info);
    promql_annotations_init(a);
}

static void add_text(char ***list, size_t *n, const char *text)
{
    for (size_t i = 0; i < *n; i++)
        if (strcmp((*list)[i], text) == 0)
            return;
    *list = xreallocarray(*list, *n + 1, sizeof(**list));
    (*list)[(*n)++] = xstrdup(text);
}

void promql_annotations_add(struct promql_annotations *a, bool is_info, const char *text)
{
    if (is_info)
        add_text(&a->info, &a->ninfo, text);
    else
        add_text(&a->warn, &a->nwarn, text);
}

void promql_annotations_merge(struct promql_annotations *dst, struct promql_annotations *src)
{
    for (size_t i = 0; i < src->nwarn; i++)
        add_text(&dst->warn, &dst->nwarn, src->warn[i]);
    for (size_t i = 0; i < src->ninfo; i++)
        add_text(&dst->info, &dst->ninfo, src->info[i]);
    promql_annotations_fini(src);
}

void promql_result_init(struct promql_result *r)
{
    promql_value_init(&r->value);
    promql_annotations_init(&r->notes);
}

void promql_result_fini(struct promql_result *r)
{
    promql_value_fini(&r->value);
    promql_annotations_fini(&r->notes);
}
