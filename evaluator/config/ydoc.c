/* SPDX-License-Identifier: Apache-2.0 */
/* libyaml documents with positions, merge keys and Go-yaml-like typed getters (see ydoc.h). */
#include "evaluator/config/ydoc.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/timeutil.h"
#include "common/xalloc.h"

int ydoc_error(const struct ydoc *d, const yaml_node_t *n, struct err *e, int code, const char *fmt,
               ...)
{
    va_list ap;
    va_start(ap, fmt);
    err_setv(e, code, fmt, ap);
    va_end(ap);
    if (e) {
        snprintf(e->file, sizeof(e->file), "%s", d && d->file ? d->file : "");
        e->line = n ? ydoc_line(n) : 0;
        e->column = n ? ydoc_col(n) : 0;
    }
    return code;
}

int ydoc_load(struct ydoc *d, const char *data, size_t len, const char *file, struct err *e)
{
    yaml_parser_t p;
    yaml_document_t extra;
    memset(d, 0, sizeof(*d));
    d->file = file;
    if (!yaml_parser_initialize(&p))
        return err_set(e, ERR_INTERNAL, "cannot initialize the YAML parser");
    yaml_parser_set_input_string(&p, (const unsigned char *)data, len);
    if (!yaml_parser_load(&p, &d->doc)) {
        int line = (int)p.problem_mark.line + 1, col = (int)p.problem_mark.column + 1;
        err_setpos(e, ERR_PARSE, file, line, col, "yaml: %s%s%s",
                   p.problem ? p.problem : "syntax error", p.context ? " " : "",
                   p.context ? p.context : "");
        yaml_parser_delete(&p);
        return ERR_PARSE;
    }
    d->loaded = true;
    d->empty = yaml_document_get_root_node(&d->doc) == NULL;
    if (!d->empty) {
        /* a second document exists when it loads with a root, or fails to load (it is not
         * parsed further, as Go's yaml.Decoder reads only the first one) */
        if (yaml_parser_load(&p, &extra)) {
            d->more_docs = yaml_document_get_root_node(&extra) != NULL;
            yaml_document_delete(&extra);
        } else {
            d->more_docs = true;
        }
    }
    yaml_parser_delete(&p);
    return 0;
}

void ydoc_fini(struct ydoc *d)
{
    if (d->loaded)
        yaml_document_delete(&d->doc);
    d->loaded = false;
}

yaml_node_t *ydoc_root(struct ydoc *d)
{
    return d->loaded ? yaml_document_get_root_node(&d->doc) : NULL;
}

int ydoc_line(const yaml_node_t *n)
{
    return (int)n->start_mark.line + 1;
}

int ydoc_col(const yaml_node_t *n)
{
    return (int)n->start_mark.column + 1;
}

const char *ydoc_scalar(const yaml_node_t *n)
{
    if (!n || n->type != YAML_SCALAR_NODE)
        return NULL;
    return (const char *)n->data.scalar.value;
}

static bool is_plain(const yaml_node_t *n)
{
    return n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE ||
           n->data.scalar.style == YAML_ANY_SCALAR_STYLE;
}

bool ydoc_is_null(const yaml_node_t *n)
{
    if (!n)
        return true;
    if (n->type != YAML_SCALAR_NODE || !is_plain(n))
        return false;
    const char *s = ydoc_scalar(n);
    return strcmp(s, "") == 0 || strcmp(s, "~") == 0 || strcmp(s, "null") == 0 ||
           strcmp(s, "Null") == 0 || strcmp(s, "NULL") == 0;
}

static bool parse_int(const char *s, long long *out)
{
    char *end = NULL;
    if (!*s)
        return false;
    errno = 0;
    long long v = strtoll(s, &end, 0);
    if (errno || *end)
        return false;
    *out = v;
    return true;
}

static bool parse_bool(const char *s, bool *out)
{
    static const char *const t[] = {"true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON"};
    static const char *const f[] = {"false", "False", "FALSE", "no", "No",
                                    "NO",    "off",   "Off",   "OFF"};
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        if (strcmp(s, t[i]) == 0) {
            *out = true;
            return true;
        }
        if (strcmp(s, f[i]) == 0) {
            *out = false;
            return true;
        }
    }
    return false;
}

static bool parse_float(const char *s, double *out)
{
    if (strcmp(s, ".inf") == 0 || strcmp(s, "+.inf") == 0 || strcmp(s, ".Inf") == 0 ||
        strcmp(s, "+.Inf") == 0 || strcmp(s, ".INF") == 0) {
        *out = INFINITY;
        return true;
    }
    if (strcmp(s, "-.inf") == 0 || strcmp(s, "-.Inf") == 0 || strcmp(s, "-.INF") == 0) {
        *out = -INFINITY;
        return true;
    }
    if (strcmp(s, ".nan") == 0 || strcmp(s, ".NaN") == 0 || strcmp(s, ".NAN") == 0) {
        *out = NAN;
        return true;
    }
    if (!*s || strchr(s, 'x') || strchr(s, 'X') || strchr(s, 'n') || strchr(s, 'N') ||
        strchr(s, 'i') || strchr(s, 'I'))
        return false; /* no hex floats, nan or inf spellings other than YAML's */
    char *end = NULL;
    errno = 0;
    double v = strtod(s, &end);
    if (*end || (errno && v != 0 && !isinf(v)))
        return false;
    *out = v;
    return true;
}

const char *ydoc_tag_name(const yaml_node_t *n)
{
    if (!n)
        return "!!null";
    switch (n->type) {
    case YAML_MAPPING_NODE:
        return "!!map";
    case YAML_SEQUENCE_NODE:
        return "!!seq";
    case YAML_SCALAR_NODE: {
        if (!is_plain(n))
            return "!!str";
        const char *s = ydoc_scalar(n);
        long long i;
        double f;
        bool b;
        if (ydoc_is_null(n))
            return "!!null";
        if (parse_int(s, &i))
            return "!!int";
        if (parse_float(s, &f))
            return "!!float";
        if (strcmp(s, "true") == 0 || strcmp(s, "false") == 0 || parse_bool(s, &b))
            return strcmp(s, "true") == 0 || strcmp(s, "false") == 0 ? "!!bool" : "!!str";
        return "!!str";
    }
    default:
        return "!!null";
    }
}

static int mismatch(const struct ydoc *d, const yaml_node_t *n, const char *what, struct err *e)
{
    if (n->type == YAML_SCALAR_NODE)
        return ydoc_error(d, n, e, ERR_INVALID, "cannot unmarshal %s `%s` into %s",
                          ydoc_tag_name(n), ydoc_scalar(n), what);
    return ydoc_error(d, n, e, ERR_INVALID, "cannot unmarshal %s into %s", ydoc_tag_name(n), what);
}

static bool is_merge_key(const yaml_node_t *k)
{
    return k->type == YAML_SCALAR_NODE && is_plain(k) && strcmp(ydoc_scalar(k), "<<") == 0;
}

static bool key_eq(const yaml_node_t *a, const yaml_node_t *b)
{
    const char *sa = ydoc_scalar(a), *sb = ydoc_scalar(b);
    return sa && sb && strcmp(sa, sb) == 0;
}

static void pairs_add(struct ydoc_pair **v, size_t *n, size_t *cap, yaml_node_t *k,
                      yaml_node_t *val)
{
    for (size_t i = 0; i < *n; i++)
        if (key_eq((*v)[i].key, k))
            return; /* an earlier (explicit or earlier-merged) key wins */
    if (*n == *cap) {
        *cap = *cap ? *cap * 2 : 8;
        *v = xrealloc(*v, *cap * sizeof(**v));
    }
    (*v)[*n].key = k;
    (*v)[*n].value = val;
    (*n)++;
}

static int merge_into(struct ydoc *d, yaml_node_t *m, struct ydoc_pair **v, size_t *n, size_t *cap,
                      int depth, struct err *e)
{
    if (depth > 32)
        return ydoc_error(d, m, e, ERR_INVALID, "merge keys nested too deeply");
    if (m->type != YAML_MAPPING_NODE)
        return ydoc_error(d, m, e, ERR_INVALID,
                          "map merge requires map or sequence of maps as the value");
    yaml_node_pair_t *p;
    /* explicit keys first, then merged ones */
    for (p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(&d->doc, p->key);
        yaml_node_t *val = yaml_document_get_node(&d->doc, p->value);
        if (k->type != YAML_SCALAR_NODE)
            return ydoc_error(d, k, e, ERR_INVALID, "invalid map key: %s", ydoc_tag_name(k));
        if (!is_merge_key(k))
            pairs_add(v, n, cap, k, val);
    }
    for (p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(&d->doc, p->key);
        yaml_node_t *val = yaml_document_get_node(&d->doc, p->value);
        if (!is_merge_key(k))
            continue;
        if (val->type == YAML_SEQUENCE_NODE) {
            for (yaml_node_item_t *it = val->data.sequence.items.start;
                 it < val->data.sequence.items.top; it++) {
                int rc =
                    merge_into(d, yaml_document_get_node(&d->doc, *it), v, n, cap, depth + 1, e);
                if (rc)
                    return rc;
            }
        } else {
            int rc = merge_into(d, val, v, n, cap, depth + 1, e);
            if (rc)
                return rc;
        }
    }
    return 0;
}

int ydoc_map_pairs(struct ydoc *d, yaml_node_t *n, const char *what, struct ydoc_pair **out,
                   size_t *nout, struct err *e)
{
    int rc = ERR_INTERNAL;
    struct ydoc_pair *v = NULL;
    size_t cnt = 0, cap = 0;
    *out = NULL;
    *nout = 0;
    if (ydoc_is_null(n))
        return 0;
    if (n->type != YAML_MAPPING_NODE)
        return mismatch(d, n, what, e);
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(&d->doc, p->key);
        if (k->type != YAML_SCALAR_NODE) {
            rc = ydoc_error(d, k, e, ERR_INVALID, "invalid map key: %s", ydoc_tag_name(k));
            goto out;
        }
        if (is_merge_key(k))
            continue;
        for (yaml_node_pair_t *q = n->data.mapping.pairs.start; q < p; q++) {
            yaml_node_t *k2 = yaml_document_get_node(&d->doc, q->key);
            if (!is_merge_key(k2) && key_eq(k, k2)) {
                rc = ydoc_error(d, k, e, ERR_INVALID,
                                "mapping key \"%s\" already defined at line %d", ydoc_scalar(k),
                                ydoc_line(k2));
                goto out;
            }
        }
    }
    if ((rc = merge_into(d, n, &v, &cnt, &cap, 0, e)) != 0)
        goto out;
    *out = v;
    *nout = cnt;
    v = NULL;
    rc = 0;
out:
    free(v);
    return rc;
}

int ydoc_check_keys(struct ydoc *d, const struct ydoc_pair *pairs, size_t n,
                    const char *const *known, const char *what, bool ignore_unknown, struct err *e)
{
    if (ignore_unknown)
        return 0;
    for (size_t i = 0; i < n; i++) {
        const char *k = ydoc_scalar(pairs[i].key);
        bool ok = false;
        for (size_t j = 0; known[j]; j++)
            if (strcmp(known[j], k) == 0)
                ok = true;
        if (!ok)
            return ydoc_error(d, pairs[i].key, e, ERR_INVALID, "field %s not found in type %s", k,
                              what);
    }
    return 0;
}

yaml_node_t *ydoc_pairs_get(const struct ydoc_pair *pairs, size_t n, const char *key)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(ydoc_scalar(pairs[i].key), key) == 0)
            return pairs[i].value;
    return NULL;
}

int ydoc_get_str(struct ydoc *d, yaml_node_t *n, const char **out, struct err *e)
{
    *out = "";
    if (ydoc_is_null(n))
        return 0;
    if (n->type != YAML_SCALAR_NODE)
        return mismatch(d, n, "string", e);
    *out = ydoc_scalar(n);
    return 0;
}

int ydoc_get_int(struct ydoc *d, yaml_node_t *n, long long *out, struct err *e)
{
    *out = 0;
    if (ydoc_is_null(n))
        return 0;
    if (n->type != YAML_SCALAR_NODE || !is_plain(n) || !parse_int(ydoc_scalar(n), out))
        return mismatch(d, n, "int", e);
    return 0;
}

int ydoc_get_bool(struct ydoc *d, yaml_node_t *n, bool *out, struct err *e)
{
    *out = false;
    if (ydoc_is_null(n))
        return 0;
    if (n->type != YAML_SCALAR_NODE || !is_plain(n) || !parse_bool(ydoc_scalar(n), out))
        return mismatch(d, n, "bool", e);
    return 0;
}

int ydoc_get_float(struct ydoc *d, yaml_node_t *n, double *out, struct err *e)
{
    *out = 0;
    if (ydoc_is_null(n))
        return 0;
    if (n->type != YAML_SCALAR_NODE || !is_plain(n) || !parse_float(ydoc_scalar(n), out))
        return mismatch(d, n, "float64", e);
    return 0;
}

int ydoc_get_duration(struct ydoc *d, yaml_node_t *n, int64_t *out, struct err *e)
{
    *out = 0;
    if (ydoc_is_null(n))
        return 0;
    if (n->type != YAML_SCALAR_NODE)
        return mismatch(d, n, "model.Duration", e);
    struct err de;
    err_clear(&de);
    if (duration_parse(ydoc_scalar(n), out, &de) != 0)
        return ydoc_error(d, n, e, ERR_INVALID, "%s", de.msg);
    return 0;
}

int ydoc_seq(struct ydoc *d, yaml_node_t *n, const char *what, yaml_node_t ***items, size_t *nitems,
             struct err *e)
{
    *items = NULL;
    *nitems = 0;
    if (ydoc_is_null(n))
        return 0;
    if (n->type != YAML_SEQUENCE_NODE)
        return mismatch(d, n, what, e);
    size_t cnt = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
    yaml_node_t **v = xcalloc(cnt ? cnt : 1, sizeof(*v));
    for (size_t i = 0; i < cnt; i++)
        v[i] = yaml_document_get_node(&d->doc, n->data.sequence.items.start[i]);
    *items = v;
    *nitems = cnt;
    return 0;
}
