/* SPDX-License-Identifier: Apache-2.0 */
/*
 * yamlx: libyaml documents converted into position-carrying node trees (aliases shared, merge
 * keys applied, size/depth capped), plus strict map checks and typed scalar getters.
 */
#include "common/yamlx.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "common/amatcher.h"
#include "common/arena.h"
#include "common/buf.h"
#include "common/err.h"
#include "common/labels.h"
#include "common/timeutil.h"
#include "common/xalloc.h"

struct yamlx_doc {
    struct arena arena;
    char *file;
    const struct yamlx_node **roots;
    size_t n;
};

void yamlx_limits_default(struct yamlx_limits *l)
{
    l->max_bytes = 16u << 20;
    l->max_nodes = 1000000;
    l->max_depth = 128;
}

/* Per-libyaml-node conversion state, so aliases share one converted node. */
struct conv_slot {
    struct yamlx_node *node;
    size_t weight; /* nodes reachable through this one, aliases expanded */
    int height;
    bool busy; /* being converted: an alias to it is recursive */
};

struct conv {
    yaml_document_t *doc;
    struct yamlx_doc *out;
    struct conv_slot *slots;
    size_t nslots;
    const struct yamlx_limits *lim;
    size_t total;
};

static int conv_node(struct conv *c, int idx, int depth, struct yamlx_node **out, size_t *weight,
                     int *height, struct err *e);

static struct yamlx_node *node_new(struct conv *c, enum yamlx_kind kind, const yaml_node_t *yn)
{
    struct yamlx_node *n = arena_calloc(&c->out->arena, 1, sizeof(*n));
    n->kind = kind;
    n->line = (int)yn->start_mark.line + 1;
    n->col = (int)yn->start_mark.column + 1;
    n->file = c->out->file;
    if (yn->tag && yn->tag[0] && strcmp((const char *)yn->tag, YAML_STR_TAG) != 0 &&
        strcmp((const char *)yn->tag, YAML_SEQ_TAG) != 0 &&
        strcmp((const char *)yn->tag, YAML_MAP_TAG) != 0)
        n->tag = arena_strdup(&c->out->arena, (const char *)yn->tag);
    return n;
}

static bool is_merge_key(const struct yamlx_node *k)
{
    return k->kind == YAMLX_SCALAR && k->plain && k->len == 2 && memcmp(k->str, "<<", 2) == 0;
}

static bool map_has_key(struct yamlx_node **kids, size_t npairs, const struct yamlx_node *k)
{
    for (size_t i = 0; i < npairs; i++) {
        const struct yamlx_node *x = kids[2 * i];
        if (x->kind == YAMLX_SCALAR && k->kind == YAMLX_SCALAR && x->len == k->len &&
            memcmp(x->str, k->str, k->len) == 0)
            return true;
    }
    return false;
}

static int conv_map(struct conv *c, yaml_node_t *yn, struct yamlx_node *n, int depth,
                    size_t *weight, int *height, struct err *e)
{
    size_t np = (size_t)(yn->data.mapping.pairs.top - yn->data.mapping.pairs.start);
    size_t cap = np * 2, len = 0;
    struct yamlx_node **kids = arena_calloc(&c->out->arena, cap ? cap : 1, sizeof(*kids));
    for (size_t i = 0; i < np; i++) {
        yaml_node_pair_t *p = &yn->data.mapping.pairs.start[i];
        struct yamlx_node *k = NULL, *v = NULL;
        size_t wk = 0, wv = 0;
        int hk = 0, hv = 0, r;
        if ((r = conv_node(c, p->key, depth + 1, &k, &wk, &hk, e)) != 0)
            return r;
        if ((r = conv_node(c, p->value, depth + 1, &v, &wv, &hv, e)) != 0)
            return r;
        *weight += wk + wv;
        if (hk + 1 > *height)
            *height = hk + 1;
        if (hv + 1 > *height)
            *height = hv + 1;
        if (is_merge_key(k)) {
            /* Store merge sources temporarily as pairs with a NULL key marker. */
            kids[len++] = NULL;
            kids[len++] = v;
            continue;
        }
        kids[len++] = k;
        kids[len++] = v;
    }
    /* Expand merge markers: explicit keys win; among merge sources the first wins. */
    size_t nexp = 0;
    for (size_t i = 0; i < len; i += 2) {
        if (kids[i] != NULL)
            nexp++;
        else if (kids[i + 1]->kind == YAMLX_MAP)
            nexp += kids[i + 1]->n;
        else if (kids[i + 1]->kind == YAMLX_SEQ) {
            for (size_t j = 0; j < kids[i + 1]->n; j++) {
                const struct yamlx_node *m = kids[i + 1]->kids[j];
                if (m->kind != YAMLX_MAP)
                    return yamlx_error(e, m, ERR_INVALID,
                                       "map merge requires map or sequence of maps as the value");
                nexp += m->n;
            }
        } else if (!yamlx_is_null(kids[i + 1]))
            return yamlx_error(e, kids[i + 1], ERR_INVALID,
                               "map merge requires map or sequence of maps as the value");
    }
    struct yamlx_node **fin = arena_calloc(&c->out->arena, nexp ? 2 * nexp : 1, sizeof(*fin));
    size_t nf = 0;
    for (size_t i = 0; i < len; i += 2) {
        if (kids[i] != NULL) {
            fin[2 * nf] = kids[i];
            fin[2 * nf + 1] = kids[i + 1];
            nf++;
        }
    }
    for (size_t i = 0; i < len; i += 2) {
        if (kids[i] != NULL)
            continue;
        const struct yamlx_node *src = kids[i + 1];
        size_t nsrc = src->kind == YAMLX_SEQ ? src->n : (src->kind == YAMLX_MAP ? 1 : 0);
        for (size_t s = 0; s < nsrc; s++) {
            const struct yamlx_node *m = src->kind == YAMLX_SEQ ? src->kids[s] : src;
            for (size_t j = 0; j < m->n; j++) {
                if (map_has_key(fin, nf, m->kids[2 * j]))
                    continue;
                fin[2 * nf] = m->kids[2 * j];
                fin[2 * nf + 1] = m->kids[2 * j + 1];
                nf++;
            }
        }
    }
    n->kids = fin;
    n->n = nf;
    return 0;
}

static int conv_node(struct conv *c, int idx, int depth, struct yamlx_node **out, size_t *weight,
                     int *height, struct err *e)
{
    yaml_node_t *yn = yaml_document_get_node(c->doc, idx);
    struct conv_slot *slot;
    struct yamlx_node *n = NULL;
    size_t w = 1;
    int h = 0, r = 0;
    if (yn == NULL || idx < 1 || (size_t)idx > c->nslots)
        return err_set(e, ERR_INTERNAL, "yaml: dangling node reference");
    slot = &c->slots[idx - 1];
    if (depth > c->lim->max_depth)
        return err_setpos(e, ERR_TOOBIG, c->out->file, (int)yn->start_mark.line + 1,
                          (int)yn->start_mark.column + 1, "yaml: nesting deeper than %d levels",
                          c->lim->max_depth);
    if (slot->busy)
        return err_setpos(e, ERR_INVALID, c->out->file, (int)yn->start_mark.line + 1,
                          (int)yn->start_mark.column + 1, "yaml: anchor refers to itself");
    if (slot->node != NULL) {
        /* An alias: share the node but account for its full expanded size and height. */
        if (depth + slot->height > c->lim->max_depth)
            return err_setpos(e, ERR_TOOBIG, c->out->file, (int)yn->start_mark.line + 1,
                              (int)yn->start_mark.column + 1, "yaml: nesting deeper than %d levels",
                              c->lim->max_depth);
        c->total += slot->weight;
        if (c->total > c->lim->max_nodes)
            goto toobig;
        *out = slot->node;
        *weight = slot->weight;
        *height = slot->height;
        return 0;
    }
    if (++c->total > c->lim->max_nodes)
        goto toobig;
    slot->busy = true;
    switch (yn->type) {
    case YAML_SCALAR_NODE:
        n = node_new(c, YAMLX_SCALAR, yn);
        n->str = arena_memdup(&c->out->arena, yn->data.scalar.value, yn->data.scalar.length + 1);
        n->len = yn->data.scalar.length;
        n->plain = yn->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
        break;
    case YAML_SEQUENCE_NODE: {
        size_t cnt = (size_t)(yn->data.sequence.items.top - yn->data.sequence.items.start);
        n = node_new(c, YAMLX_SEQ, yn);
        n->kids = arena_calloc(&c->out->arena, cnt ? cnt : 1, sizeof(*n->kids));
        for (size_t i = 0; i < cnt; i++) {
            size_t wk = 0;
            int hk = 0;
            r = conv_node(c, yn->data.sequence.items.start[i], depth + 1, &n->kids[i], &wk, &hk, e);
            if (r != 0)
                goto out;
            w += wk;
            if (hk + 1 > h)
                h = hk + 1;
        }
        n->n = cnt;
        break;
    }
    case YAML_MAPPING_NODE:
        n = node_new(c, YAMLX_MAP, yn);
        if ((r = conv_map(c, yn, n, depth, &w, &h, e)) != 0)
            goto out;
        break;
    default:
        r = err_set(e, ERR_INTERNAL, "yaml: unexpected node type");
        goto out;
    }
    slot->node = n;
    slot->weight = w;
    slot->height = h;
    *out = n;
    *weight = w;
    *height = h;
out:
    slot->busy = false;
    return r;
toobig:
    return err_setpos(e, ERR_TOOBIG, c->out->file, (int)yn->start_mark.line + 1,
                      (int)yn->start_mark.column + 1, "yaml: more than %zu nodes",
                      c->lim->max_nodes);
}

int yamlx_load_string(const char *text, size_t n, const char *file,
                      const struct yamlx_limits *limits, struct yamlx_doc **out, struct err *e)
{
    int rc = ERR_INTERNAL;
    struct yamlx_limits defl;
    struct yamlx_doc *d = NULL;
    yaml_parser_t parser;
    bool parser_ok = false;
    size_t cap = 0, total = 0;
    *out = NULL;
    if (limits == NULL) {
        yamlx_limits_default(&defl);
        limits = &defl;
    }
    d = xcalloc(1, sizeof(*d));
    arena_init(&d->arena, 0);
    d->file = xstrdup(file ? file : "<string>");
    if (n > limits->max_bytes) {
        rc = err_setpos(e, ERR_TOOBIG, d->file, 0, 0, "yaml: input of %zu bytes exceeds %zu", n,
                        limits->max_bytes);
        goto out;
    }
    if (!yaml_parser_initialize(&parser)) {
        rc = err_set(e, ERR_INTERNAL, "yaml: parser init failed");
        goto out;
    }
    parser_ok = true;
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, n);
    for (;;) {
        yaml_document_t doc;
        yaml_node_t *root;
        struct conv c;
        struct yamlx_node *rn = NULL;
        size_t w = 0;
        int h = 0, r;
        if (!yaml_parser_load(&parser, &doc)) {
            const char *ctx = parser.context ? parser.context : "";
            rc = err_setpos(e, ERR_PARSE, d->file, (int)parser.problem_mark.line + 1,
                            (int)parser.problem_mark.column + 1, "yaml: %s%s%s",
                            parser.problem ? parser.problem : "syntax error", ctx[0] ? " " : "",
                            ctx);
            goto out;
        }
        root = yaml_document_get_root_node(&doc);
        if (root == NULL) {
            yaml_document_delete(&doc);
            break;
        }
        memset(&c, 0, sizeof(c));
        c.doc = &doc;
        c.out = d;
        c.lim = limits;
        c.total = total;
        c.nslots = (size_t)(doc.nodes.top - doc.nodes.start);
        c.slots = xcalloc(c.nslots ? c.nslots : 1, sizeof(*c.slots));
        r = conv_node(&c, 1, 0, &rn, &w, &h, e);
        total = c.total;
        xfree(c.slots);
        yaml_document_delete(&doc);
        if (r != 0) {
            rc = r;
            goto out;
        }
        if (d->n == cap) {
            cap = cap ? cap * 2 : 4;
            d->roots = xreallocarray(d->roots, cap, sizeof(*d->roots));
        }
        d->roots[d->n++] = rn;
    }
    *out = d;
    d = NULL;
    rc = 0;
out:
    if (parser_ok)
        yaml_parser_delete(&parser);
    yamlx_doc_free(d);
    return rc;
}

int yamlx_load_file(const char *path, const struct yamlx_limits *limits, struct yamlx_doc **out,
                    struct err *e)
{
    int rc = ERR_INTERNAL;
    struct yamlx_limits defl;
    FILE *f = NULL;
    struct buf b;
    char chunk[16384];
    size_t got;
    *out = NULL;
    if (limits == NULL) {
        yamlx_limits_default(&defl);
        limits = &defl;
    }
    buf_init(&b, limits->max_bytes + 1);
    f = fopen(path, "rb");
    if (f == NULL) {
        rc = err_setpos(e, ERR_IO, path, 0, 0, "open: %s", strerror(errno));
        goto out;
    }
    while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0) {
        if (buf_append(&b, chunk, got) != 0) {
            rc = err_setpos(e, ERR_TOOBIG, path, 0, 0, "file larger than %zu bytes",
                            limits->max_bytes);
            goto out;
        }
    }
    if (ferror(f)) {
        rc = err_setpos(e, ERR_IO, path, 0, 0, "read: %s", strerror(errno));
        goto out;
    }
    rc = yamlx_load_string(buf_str(&b), b.len, path, limits, out, e);
out:
    if (f)
        fclose(f);
    buf_fini(&b);
    return rc;
}

void yamlx_doc_free(struct yamlx_doc *d)
{
    if (d == NULL)
        return;
    arena_fini(&d->arena);
    xfree(d->roots);
    xfree(d->file);
    xfree(d);
}

size_t yamlx_doc_count(const struct yamlx_doc *d)
{
    return d ? d->n : 0;
}

const struct yamlx_node *yamlx_doc_root(const struct yamlx_doc *d, size_t i)
{
    return d && i < d->n ? d->roots[i] : NULL;
}

const char *yamlx_doc_file(const struct yamlx_doc *d)
{
    return d ? d->file : NULL;
}

bool yamlx_is_null(const struct yamlx_node *n)
{
    if (n == NULL)
        return true;
    if (n->kind != YAMLX_SCALAR)
        return false;
    if (n->tag && strcmp(n->tag, YAML_NULL_TAG) == 0)
        return true;
    if (!n->plain || n->tag)
        return false;
    return n->len == 0 || strcmp(n->str, "~") == 0 || strcmp(n->str, "null") == 0 ||
           strcmp(n->str, "Null") == 0 || strcmp(n->str, "NULL") == 0;
}

const char *yamlx_kind_str(enum yamlx_kind k)
{
    switch (k) {
    case YAMLX_MAP:
        return "map";
    case YAMLX_SEQ:
        return "sequence";
    default:
        return "scalar";
    }
}

int yamlx_error(struct err *e, const struct yamlx_node *n, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    err_setv(e, code, fmt, ap);
    va_end(ap);
    if (e != NULL && n != NULL) {
        snprintf(e->file, sizeof(e->file), "%s", n->file ? n->file : "");
        e->line = n->line;
        e->column = n->col;
    }
    return code;
}

/* Go-style type tag of a node for "cannot unmarshal" messages. */
static const char *node_tag(const struct yamlx_node *n)
{
    if (n->kind == YAMLX_MAP)
        return "!!map";
    if (n->kind == YAMLX_SEQ)
        return "!!seq";
    return "!!str";
}

int yamlx_map_check(const struct yamlx_node *n, const char *const *allowed, const char *what,
                    struct err *e)
{
    if (yamlx_is_null(n))
        return 0;
    if (n->kind != YAMLX_MAP)
        return yamlx_error(e, n, ERR_INVALID, "cannot unmarshal %s into %s", node_tag(n), what);
    for (size_t i = 0; i < n->n; i++) {
        const struct yamlx_node *k = n->kids[2 * i];
        bool ok = false;
        if (k->kind != YAMLX_SCALAR)
            return yamlx_error(e, k, ERR_INVALID, "%s key must be a scalar in %s",
                               yamlx_kind_str(k->kind), what);
        for (size_t j = 0; j < i; j++) {
            const struct yamlx_node *p = n->kids[2 * j];
            if (p->kind == YAMLX_SCALAR && p->len == k->len && memcmp(p->str, k->str, k->len) == 0)
                return yamlx_error(e, k, ERR_INVALID, "key \"%s\" already set in %s", k->str, what);
        }
        for (size_t j = 0; allowed && allowed[j]; j++) {
            if (strlen(allowed[j]) == k->len && memcmp(allowed[j], k->str, k->len) == 0) {
                ok = true;
                break;
            }
        }
        if (!ok)
            return yamlx_error(e, k, ERR_INVALID, "field %s not found in %s", k->str, what);
    }
    return 0;
}

const struct yamlx_node *yamlx_map_get(const struct yamlx_node *n, const char *key)
{
    size_t kl = strlen(key);
    if (n == NULL || n->kind != YAMLX_MAP)
        return NULL;
    for (size_t i = 0; i < n->n; i++) {
        const struct yamlx_node *k = n->kids[2 * i];
        if (k->kind == YAMLX_SCALAR && k->len == kl && memcmp(k->str, key, kl) == 0)
            return n->kids[2 * i + 1];
    }
    return NULL;
}

const struct yamlx_node *yamlx_map_key(const struct yamlx_node *n, size_t i)
{
    return n && n->kind == YAMLX_MAP && i < n->n ? n->kids[2 * i] : NULL;
}

const struct yamlx_node *yamlx_map_value(const struct yamlx_node *n, size_t i)
{
    return n && n->kind == YAMLX_MAP && i < n->n ? n->kids[2 * i + 1] : NULL;
}

static int want_scalar(const struct yamlx_node *n, const char *what, struct err *e)
{
    if (n->kind != YAMLX_SCALAR)
        return yamlx_error(e, n, ERR_INVALID, "cannot unmarshal %s into %s", node_tag(n), what);
    return 0;
}

int yamlx_get_str(const struct yamlx_node *n, char **out, struct err *e)
{
    int r;
    if (yamlx_is_null(n))
        return 0;
    if ((r = want_scalar(n, "string", e)) != 0)
        return r;
    if (strlen(n->str) != n->len)
        return yamlx_error(e, n, ERR_INVALID, "string contains a NUL byte");
    xfree(*out);
    *out = xstrdup(n->str);
    return 0;
}

int yamlx_get_bool(const struct yamlx_node *n, bool *out, struct err *e)
{
    static const char *const yes[] = {"true", "True", "TRUE", "yes", "Yes", "YES",
                                      "on",   "On",   "ON",   "y",   "Y",   NULL};
    static const char *const no[] = {"false", "False", "FALSE", "no", "No", "NO",
                                     "off",   "Off",   "OFF",   "n",  "N",  NULL};
    int r;
    if (yamlx_is_null(n))
        return 0;
    if ((r = want_scalar(n, "bool", e)) != 0)
        return r;
    if (n->plain) {
        for (size_t i = 0; yes[i]; i++)
            if (strcmp(n->str, yes[i]) == 0)
                return (*out = true), 0;
        for (size_t i = 0; no[i]; i++)
            if (strcmp(n->str, no[i]) == 0)
                return (*out = false), 0;
    }
    return yamlx_error(e, n, ERR_INVALID, "cannot unmarshal !!str `%.40s` into bool", n->str);
}

int yamlx_get_int(const struct yamlx_node *n, int64_t *out, struct err *e)
{
    char tmp[80];
    size_t j = 0;
    const char *s;
    char *end;
    int base = 10, r;
    bool neg = false;
    unsigned long long v;
    if (yamlx_is_null(n))
        return 0;
    if ((r = want_scalar(n, "int", e)) != 0)
        return r;
    s = n->str;
    if (!n->plain || n->len == 0 || n->len >= sizeof(tmp))
        goto bad;
    if (*s == '+' || *s == '-')
        neg = *s++ == '-';
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
        base = 16, s += 2;
    else if (s[0] == '0' && (s[1] == 'o' || s[1] == 'O'))
        base = 8, s += 2;
    else if (s[0] == '0' && (s[1] == 'b' || s[1] == 'B'))
        base = 2, s += 2;
    for (; *s; s++)
        if (*s != '_')
            tmp[j++] = *s;
    tmp[j] = 0;
    if (j == 0 || tmp[0] == '-' || tmp[0] == '+' || tmp[0] == ' ')
        goto bad;
    errno = 0;
    v = strtoull(tmp, &end, base);
    if (*end != 0 || errno != 0)
        goto bad;
    if (neg ? v > (unsigned long long)INT64_MAX + 1 : v > (unsigned long long)INT64_MAX)
        goto bad;
    *out = neg ? (int64_t)(0 - v) : (int64_t)v;
    return 0;
bad:
    return yamlx_error(e, n, ERR_INVALID, "cannot unmarshal !!str `%.40s` into int", n->str);
}

int yamlx_get_float(const struct yamlx_node *n, double *out, struct err *e)
{
    char *end;
    double v;
    int r;
    if (yamlx_is_null(n))
        return 0;
    if ((r = want_scalar(n, "float", e)) != 0)
        return r;
    if (n->plain && (strcmp(n->str, ".inf") == 0 || strcmp(n->str, "+.inf") == 0))
        return (*out = INFINITY), 0;
    if (n->plain && strcmp(n->str, "-.inf") == 0)
        return (*out = -INFINITY), 0;
    if (n->plain && strcmp(n->str, ".nan") == 0)
        return (*out = NAN), 0;
    errno = 0;
    v = strtod(n->str, &end);
    if (!n->plain || n->len == 0 || *end != 0 || errno == ERANGE || isnan(v) || isinf(v))
        return yamlx_error(e, n, ERR_INVALID, "cannot unmarshal !!str `%.40s` into float64",
                           n->str);
    *out = v;
    return 0;
}

int yamlx_get_duration(const struct yamlx_node *n, int64_t *out, struct err *e)
{
    int r;
    if (yamlx_is_null(n))
        return 0;
    if ((r = want_scalar(n, "duration", e)) != 0)
        return r;
    if ((r = duration_parse(n->str, out, e)) != 0) {
        /* Go's model.ParseDuration message, with %q quoting. */
        struct buf q;
        buf_init(&q, 256);
        amatcher_put_quoted(&q, n->str);
        r = yamlx_error(e, n, r, "not a valid duration string: %s", buf_str(&q));
        buf_fini(&q);
        return r;
    }
    return 0;
}

size_t yamlx_strv_len(char *const *v)
{
    size_t n = 0;
    while (v && v[n])
        n++;
    return n;
}

void yamlx_strv_free(char **v)
{
    for (size_t i = 0; v && v[i]; i++)
        xfree(v[i]);
    xfree(v);
}

int yamlx_get_strv(const struct yamlx_node *n, char ***out, size_t *count, struct err *e)
{
    char **v = NULL;
    int r;
    if (yamlx_is_null(n))
        return 0;
    if (n->kind != YAMLX_SEQ)
        return yamlx_error(e, n, ERR_INVALID, "cannot unmarshal %s into []string", node_tag(n));
    v = xcalloc(n->n + 1, sizeof(*v));
    for (size_t i = 0; i < n->n; i++) {
        const struct yamlx_node *it = n->kids[i];
        if (it->kind != YAMLX_SCALAR || strlen(it->str) != it->len) {
            yamlx_strv_free(v);
            return yamlx_error(e, it, ERR_INVALID, "cannot unmarshal %s into string", node_tag(it));
        }
        v[i] = xstrdup(yamlx_is_null(it) ? "" : it->str);
    }
    r = 0;
    yamlx_strv_free(*out);
    *out = v;
    if (count)
        *count = n->n;
    return r;
}

int yamlx_get_strmap(const struct yamlx_node *n, char ***keys, char ***values, size_t *count,
                     struct err *e)
{
    char **k = NULL, **v = NULL;
    int r;
    if (yamlx_is_null(n))
        return 0;
    if (n->kind != YAMLX_MAP)
        return yamlx_error(e, n, ERR_INVALID, "cannot unmarshal %s into map[string]string",
                           node_tag(n));
    k = xcalloc(n->n + 1, sizeof(*k));
    v = xcalloc(n->n + 1, sizeof(*v));
    for (size_t i = 0; i < n->n; i++) {
        const struct yamlx_node *kn = n->kids[2 * i], *vn = n->kids[2 * i + 1];
        for (size_t j = 0; j < i; j++) {
            if (kn->kind == YAMLX_SCALAR && strcmp(k[j], kn->str) == 0) {
                r = yamlx_error(e, kn, ERR_INVALID, "key \"%s\" already set in map", kn->str);
                goto fail;
            }
        }
        if (kn->kind != YAMLX_SCALAR || strlen(kn->str) != kn->len) {
            r = yamlx_error(e, kn, ERR_INVALID, "cannot unmarshal %s into string", node_tag(kn));
            goto fail;
        }
        if (vn->kind != YAMLX_SCALAR || strlen(vn->str) != vn->len) {
            r = yamlx_error(e, vn, ERR_INVALID, "cannot unmarshal %s into string", node_tag(vn));
            goto fail;
        }
        k[i] = xstrdup(kn->str);
        v[i] = xstrdup(yamlx_is_null(vn) ? "" : vn->str);
    }
    yamlx_strv_free(*keys);
    yamlx_strv_free(*values);
    *keys = k;
    *values = v;
    if (count)
        *count = n->n;
    return 0;
fail:
    yamlx_strv_free(k);
    yamlx_strv_free(v);
    return r;
}

static bool utf8_ok(const char *s)
{
    return utf8_valid(s, strlen(s));
}

static bool all_digits(const char *s, const char *set)
{
    if (*s == 0)
        return false;
    for (; *s; s++)
        if (!strchr(set, *s))
            return false;
    return true;
}

/* yaml.v2's isBase60Float: [-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)? */
static bool is_base60(const char *s)
{
    const char *p = s;
    int groups = 0;
    if (*p == '+' || *p == '-')
        p++;
    if (!(*p >= '0' && *p <= '9'))
        return false;
    while ((*p >= '0' && *p <= '9') || *p == '_')
        p++;
    while (*p == ':') {
        p++;
        if (p[0] >= '0' && p[0] <= '5' && p[1] >= '0' && p[1] <= '9')
            p += 2;
        else if (p[0] >= '0' && p[0] <= '9')
            p += 1;
        else
            return false;
        groups++;
    }
    if (groups == 0)
        return false;
    if (*p == '.') {
        p++;
        while ((*p >= '0' && *p <= '9') || *p == '_')
            p++;
    }
    return *p == 0;
}

/* True when the plain scalar s would not read back as a string (yaml.v2's resolve). */
static bool resolves_non_string(const char *s)
{
    static const char *const words[] = {
        "y",     "Y",     "yes",   "Yes",   "YES",   "n",     "N",    "no",   "No",   "NO",
        "true",  "True",  "TRUE",  "false", "False", "FALSE", "on",   "On",   "ON",   "off",
        "Off",   "OFF",   "~",     "null",  "Null",  "NULL",  ".inf", ".Inf", ".INF", "+.inf",
        "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF", ".nan",  ".NaN", ".NAN", NULL};
    const char *p = s;
    if (*s == 0)
        return true;
    for (size_t i = 0; words[i]; i++)
        if (strcmp(s, words[i]) == 0)
            return true;
    if (is_base60(s))
        return true;
    if (*p == '+' || *p == '-')
        p++;
    if (strncmp(p, "0x", 2) == 0 && all_digits(p + 2, "0123456789abcdefABCDEF_"))
        return true;
    if (strncmp(p, "0b", 2) == 0 && all_digits(p + 2, "01_"))
        return true;
    if (strncmp(p, "0o", 2) == 0 && all_digits(p + 2, "01234567_"))
        return true;
    if (all_digits(p, "0123456789_") && *p != '_')
        return true;
    {
        /* float: (\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)? */
        const char *q = p;
        bool digits = false;
        while (*q >= '0' && *q <= '9')
            q++, digits = true;
        if (*q == '.') {
            q++;
            while (*q >= '0' && *q <= '9')
                q++, digits = true;
        }
        if (digits && (*q == 'e' || *q == 'E')) {
            q++;
            if (*q == '+' || *q == '-')
                q++;
            if (!(*q >= '0' && *q <= '9'))
                return false;
            while (*q >= '0' && *q <= '9')
                q++;
        }
        if (digits && *q == 0)
            return true;
    }
    /* Timestamps (YYYY-MM-DD...) resolve as !!timestamp. */
    if (strlen(s) >= 8 && s[0] >= '0' && s[0] <= '9' && s[1] >= '0' && s[1] <= '9' && s[2] >= '0' &&
        s[2] <= '9' && s[3] >= '0' && s[3] <= '9' && s[4] == '-')
        return true;
    return false;
}

/* libyaml's rule for plain scalars (block or flow context). */
static bool plain_allowed(const char *s, bool flow)
{
    size_t n = strlen(s);
    if (n == 0 || s[0] == ' ' || s[n - 1] == ' ')
        return false;
    if (strncmp(s, "---", 3) == 0 || strncmp(s, "...", 3) == 0)
        return false;
    if (strchr(",[]{}#&*!|>'\"%@`", s[0]))
        return false;
    if ((s[0] == '-' || s[0] == '?' || s[0] == ':') && (n == 1 || s[1] == ' '))
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7f)
            return false;
        if (flow && strchr(",?[]{}:", c))
            return false;
        if (c == ':' && (i + 1 == n || s[i + 1] == ' '))
            return false;
        if (c == '#' && i > 0 && s[i - 1] == ' ')
            return false;
    }
    return true;
}

static int put_double(struct buf *b, const char *s)
{
    int r;
    if ((r = buf_putc(b, '"')) != 0)
        return r;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            r = buf_printf(b, "\\%c", *p);
        else if (*p == '\n')
            r = buf_puts(b, "\\n");
        else if (*p == '\t')
            r = buf_puts(b, "\\t");
        else if (*p < 0x20 || *p == 0x7f)
            r = buf_printf(b, "\\x%02X", *p);
        else
            r = buf_putc(b, (char)*p);
        if (r != 0)
            return r;
    }
    return buf_putc(b, '"');
}

static int put_scalar(struct buf *b, const char *s, bool flow)
{
    int r;
    if (resolves_non_string(s) || !utf8_ok(s))
        return put_double(b, s);
    for (const char *p = s; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            return put_double(b, s);
    if (plain_allowed(s, flow))
        return buf_puts(b, s);
    if ((r = buf_putc(b, '\'')) != 0)
        return r;
    for (const char *p = s; *p; p++) {
        if (*p == '\'' && (r = buf_putc(b, '\'')) != 0)
            return r;
        if ((r = buf_putc(b, *p)) != 0)
            return r;
    }
    return buf_putc(b, '\'');
}

int yamlx_put_scalar(struct buf *b, const char *s)
{
    return put_scalar(b, s, false);
}

int yamlx_put_scalar_flow(struct buf *b, const char *s)
{
    return put_scalar(b, s, true);
}
