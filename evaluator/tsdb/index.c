/* SPDX-License-Identifier: Apache-2.0 */
/* The inverted index: chained hash maps name -> (value -> postings) and matcher selection. */
#include "evaluator/tsdb/index.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "common/labels.h"
#include "common/matcher.h"
#include "common/xalloc.h"

/* A node of a string-keyed chained hash map; embedded first in the payload structs. */
struct snode {
    char *key;
    uint64_t hash;
    struct snode *next;
};

struct smap {
    struct snode **b;
    size_t nb, n;
};

struct ix_value {
    struct snode node;
    struct postings p;
};

struct ix_name {
    struct snode node;
    struct smap values;
};

struct index {
    struct smap names;
    struct postings all;
    size_t bytes;
};

static uint64_t str_hash(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 0x100000001b3ULL;
    }
    return h ^ (h >> 29);
}

static struct snode *smap_get(const struct smap *m, const char *key, uint64_t h)
{
    if (m->nb == 0)
        return NULL;
    for (struct snode *n = m->b[h & (m->nb - 1)]; n; n = n->next)
        if (n->hash == h && strcmp(n->key, key) == 0)
            return n;
    return NULL;
}

static void smap_put(struct smap *m, struct snode *node)
{
    size_t i;
    if (m->n + 1 > m->nb) {
        size_t nb = m->nb ? m->nb * 2 : 8;
        struct snode **b = xcalloc(nb, sizeof(*b));
        for (size_t k = 0; k < m->nb; k++) {
            struct snode *n = m->b[k], *next;
            for (; n; n = next) {
                next = n->next;
                n->next = b[n->hash & (nb - 1)];
                b[n->hash & (nb - 1)] = n;
            }
        }
        xfree(m->b);
        m->b = b;
        m->nb = nb;
    }
    i = node->hash & (m->nb - 1);
    node->next = m->b[i];
    m->b[i] = node;
    m->n++;
}

static void smap_remove(struct smap *m, struct snode *node)
{
    struct snode **pp = &m->b[node->hash & (m->nb - 1)];
    while (*pp && *pp != node)
        pp = &(*pp)->next;
    if (*pp) {
        *pp = node->next;
        m->n--;
    }
}

struct index *index_new(void)
{
    return xcalloc(1, sizeof(struct index));
}

static void free_name(struct ix_name *nm)
{
    for (size_t k = 0; k < nm->values.nb; k++) {
        struct snode *n = nm->values.b[k], *next;
        for (; n; n = next) {
            struct ix_value *v = (struct ix_value *)n;
            next = n->next;
            postings_fini(&v->p);
            xfree(n->key);
            xfree(v);
        }
    }
    xfree(nm->values.b);
    xfree(nm->node.key);
    xfree(nm);
}

void index_free(struct index *ix)
{
    if (ix == NULL)
        return;
    for (size_t k = 0; k < ix->names.nb; k++) {
        struct snode *n = ix->names.b[k], *next;
        for (; n; n = next) {
            next = n->next;
            free_name((struct ix_name *)n);
        }
    }
    xfree(ix->names.b);
    postings_fini(&ix->all);
    xfree(ix);
}

void index_add(struct index *ix, uint64_t id, const struct labels *ls)
{
    for (size_t i = 0; i < ls->n; i++) {
        uint64_t hn = str_hash(ls->v[i].name), hv = str_hash(ls->v[i].value);
        struct ix_name *nm = (struct ix_name *)smap_get(&ix->names, ls->v[i].name, hn);
        struct ix_value *v;
        if (nm == NULL) {
            nm = xcalloc(1, sizeof(*nm));
            nm->node.key = xstrdup(ls->v[i].name);
            nm->node.hash = hn;
            smap_put(&ix->names, &nm->node);
            ix->bytes += sizeof(*nm) + strlen(nm->node.key) + 1;
        }
        v = (struct ix_value *)smap_get(&nm->values, ls->v[i].value, hv);
        if (v == NULL) {
            v = xcalloc(1, sizeof(*v));
            v->node.key = xstrdup(ls->v[i].value);
            v->node.hash = hv;
            smap_put(&nm->values, &v->node);
            ix->bytes += sizeof(*v) + strlen(v->node.key) + 1;
        }
        postings_add(&v->p, id);
        ix->bytes += sizeof(uint64_t);
    }
    postings_add(&ix->all, id);
}

void index_del(struct index *ix, uint64_t id, const struct labels *ls)
{
    for (size_t i = 0; i < ls->n; i++) {
        uint64_t hn = str_hash(ls->v[i].name), hv = str_hash(ls->v[i].value);
        struct ix_name *nm = (struct ix_name *)smap_get(&ix->names, ls->v[i].name, hn);
        struct ix_value *v;
        if (nm == NULL)
            continue;
        v = (struct ix_value *)smap_get(&nm->values, ls->v[i].value, hv);
        if (v == NULL || !postings_del(&v->p, id))
            continue;
        ix->bytes -= sizeof(uint64_t);
        if (v->p.n == 0) {
            smap_remove(&nm->values, &v->node);
            ix->bytes -= sizeof(*v) + strlen(v->node.key) + 1;
            xfree(v->node.key);
            xfree(v);
        }
        if (nm->values.n == 0) {
            smap_remove(&ix->names, &nm->node);
            ix->bytes -= sizeof(*nm) + strlen(nm->node.key) + 1;
            free_name(nm);
        }
    }
    postings_del(&ix->all, id);
}

const struct postings *index_all(const struct index *ix)
{
    return &ix->all;
}

size_t index_bytes(const struct index *ix)
{
    return ix->bytes + ix->all.cap * sizeof(uint64_t);
}

static const struct ix_name *find_name(const struct index *ix, const char *name)
{
    return (const struct ix_name *)smap_get(&ix->names, name, str_hash(name));
}

/*
 * Union of the postings of every value of m->name for which matcher_matches(m, value) == want.
 * Values are never empty (empty values are not stored), so "absent" is handled by the caller.
 */
static void union_values(const struct index *ix, const struct matcher *m, bool want,
                         struct postings *out)
{
    const struct ix_name *nm = find_name(ix, m->name);
    out->n = 0;
    if (nm == NULL)
        return;
    if (m->type == MATCH_EQ || m->type == MATCH_NEQ) {
        /* Fast path: one value matches (EQ) or fails (NEQ) exactly. */
        bool eq_wanted = (m->type == MATCH_EQ) == want;
        if (eq_wanted) {
            const struct ix_value *v =
                (const struct ix_value *)smap_get(&nm->values, m->value, str_hash(m->value));
            if (v)
                postings_copy(out, &v->p);
            return;
        }
    }
    for (size_t k = 0; k < nm->values.nb; k++)
        for (const struct snode *n = nm->values.b[k]; n; n = n->next)
            if (matcher_matches(m, n->key) == want)
                postings_union(out, &((const struct ix_value *)n)->p);
}

void index_select(const struct index *ix, const struct matcher *const *ms, size_t nms,
                  struct postings *out)
{
    struct postings tmp;
    bool have = false;
    postings_init(&tmp);
    out->n = 0;
    /* Matchers that do not match "": the series must have a matching value. Intersect. */
    for (size_t i = 0; i < nms; i++) {
        if (matcher_matches_empty(ms[i]))
            continue;
        union_values(ix, ms[i], true, &tmp);
        if (!have) {
            postings_copy(out, &tmp);
            have = true;
        } else {
            postings_intersect(out, &tmp);
        }
        if (out->n == 0)
            goto out;
    }
    if (!have)
        postings_copy(out, &ix->all);
    /* Matchers that match "": drop series whose value of the label fails the matcher. */
    for (size_t i = 0; i < nms && out->n > 0; i++) {
        if (!matcher_matches_empty(ms[i]))
            continue;
        union_values(ix, ms[i], false, &tmp);
        postings_subtract(out, &tmp);
    }
out:
    postings_fini(&tmp);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void collect_keys(const struct smap *m, char ***out, size_t *n)
{
    char **v = xcalloc(m->n ? m->n : 1, sizeof(*v));
    size_t k = 0;
    for (size_t i = 0; i < m->nb; i++)
        for (const struct snode *s = m->b[i]; s; s = s->next)
            v[k++] = xstrdup(s->key);
    qsort(v, k, sizeof(*v), cmp_str);
    *out = v;
    *n = k;
}

void index_label_names(const struct index *ix, char ***out, size_t *n)
{
    collect_keys(&ix->names, out, n);
}

void index_label_values(const struct index *ix, const char *name, char ***out, size_t *n)
{
    const struct ix_name *nm = find_name(ix, name);
    static const struct smap empty;
    collect_keys(nm ? &nm->values : &empty, out, n);
}
