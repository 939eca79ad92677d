/* SPDX-License-Identifier: Apache-2.0 */
/* Rule files: YAML to struct rule_file, then Prometheus 3.x rulefmt validation. */
#include "evaluator/rules/rulefile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/labels.h"
#include "common/xalloc.h"
#include "evaluator/config/ydoc.h"
#include "evaluator/promql/ast.h"
#include "evaluator/promql/parser.h"
#include "evaluator/rules/rtmpl.h"

#define RULE_FILE_MAX (64u << 20)

void rule_errors_init(struct rule_errors *errs)
{
    errs->msgs = NULL;
    errs->n = 0;
}

void rule_errors_fini(struct rule_errors *errs)
{
    if (!errs)
        return;
    for (size_t i = 0; i < errs->n; i++)
        free(errs->msgs[i]);
    free(errs->msgs);
    errs->msgs = NULL;
    errs->n = 0;
}

void rule_errors_add(struct rule_errors *errs, const char *msg)
{
    if (!errs)
        return;
    errs->msgs = xreallocarray(errs->msgs, errs->n + 1, sizeof(*errs->msgs));
    errs->msgs[errs->n++] = xstrdup(msg);
}

void rule_kvs_fini(struct rule_kvs *kvs)
{
    for (size_t i = 0; i < kvs->n; i++) {
        free(kvs->v[i].name);
        free(kvs->v[i].value);
    }
    free(kvs->v);
    kvs->v = NULL;
    kvs->n = 0;
}

void rule_kvs_copy(struct rule_kvs *dst, const struct rule_kvs *src)
{
    dst->n = src->n;
    dst->v = xcalloc(src->n ? src->n : 1, sizeof(*dst->v));
    for (size_t i = 0; i < src->n; i++) {
        dst->v[i].name = xstrdup(src->v[i].name);
        dst->v[i].value = xstrdup(src->v[i].value);
    }
}

const char *rule_kvs_get(const struct rule_kvs *kvs, const char *name)
{
    for (size_t i = 0; i < kvs->n; i++)
        if (strcmp(kvs->v[i].name, name) == 0)
            return kvs->v[i].value;
    return NULL;
}

static void rule_def_fini(struct rule_def *r)
{
    free(r->name);
    free(r->expr);
    rule_kvs_fini(&r->labels);
    rule_kvs_fini(&r->annotations);
}

void rule_file_free(struct rule_file *f)
{
    if (!f)
        return;
    for (size_t i = 0; i < f->ngroups; i++) {
        struct rule_group_def *g = &f->groups[i];
        for (size_t j = 0; j < g->nrules; j++)
            rule_def_fini(&g->rules[j]);
        free(g->rules);
        free(g->name);
        free(g->file);
        rule_kvs_fini(&g->labels);
    }
    free(f->groups);
    free(f->path);
    free(f);
}

size_t rule_file_count(const struct rule_file *f)
{
    size_t n = 0;
    for (size_t i = 0; i < f->ngroups; i++)
        n += f->groups[i].nrules;
    return n;
}

int rule_read_file(const char *path, size_t max, char **out, size_t *len, struct err *e)
{
    int rc = ERR_INTERNAL;
    FILE *fp = NULL;
    struct buf b;
    char tmp[65536];
    buf_init(&b, max);
    *out = NULL;
    *len = 0;
    if (!(fp = fopen(path, "rb"))) {
        rc = err_set(e, ERR_IO, "open %s: %s", path, strerror(errno));
        goto out;
    }
    for (;;) {
        size_t n = fread(tmp, 1, sizeof(tmp), fp);
        if (n > 0 && buf_append(&b, tmp, n) != 0) {
            rc = err_set(e, ERR_TOOBIG, "%s: file larger than %zu bytes", path, max);
            goto out;
        }
        if (n < sizeof(tmp)) {
            if (ferror(fp)) {
                rc = err_set(e, ERR_IO, "read %s: %s", path, strerror(errno));
                goto out;
            }
            break;
        }
    }
    if (buf_reserve(&b, 1) != 0) {
        rc = err_set(e, ERR_TOOBIG, "%s: file larger than %zu bytes", path, max);
        goto out;
    }
    *out = buf_steal(&b, len);
    rc = 0;
out:
    if (fp)
        fclose(fp);
    buf_fini(&b);
    return rc;
}

static int kv_cmp(const void *a, const void *b)
{
    return strcmp(((const struct rule_kv *)a)->name, ((const struct rule_kv *)b)->name);
}

/* Parses a map[string]string. Node positions of each value are returned in *nodes (optional). */
static int parse_kvs(struct ydoc *d, yaml_node_t *n, struct rule_kvs *out, yaml_node_t ***nodes,
                     struct err *e)
{
    int rc = ERR_INTERNAL;
    struct ydoc_pair *pairs = NULL;
    size_t np = 0;
    out->v = NULL;
    out->n = 0;
    if (nodes)
        *nodes = NULL;
    if ((rc = ydoc_map_pairs(d, n, "map[string]string", &pairs, &np, e)) != 0)
        goto out;
    out->v = xcalloc(np ? np : 1, sizeof(*out->v));
    for (size_t i = 0; i < np; i++) {
        const char *v;
        if ((rc = ydoc_get_str(d, pairs[i].value, &v, e)) != 0)
            goto out;
        out->v[out->n].name = xstrdup(ydoc_scalar(pairs[i].key));
        out->v[out->n].value = xstrdup(v);
        out->n++;
    }
    /* keep node positions aligned with the sorted order */
    if (nodes) {
        yaml_node_t **nv = xcalloc(np ? np : 1, sizeof(*nv));
        for (size_t i = 0; i < np; i++)
            nv[i] = pairs[i].value;
        /* sort pairs of (kv, node) together: simple insertion sort (maps are small) */
        for (size_t i = 1; i < out->n; i++) {
            for (size_t j = i; j > 0 && kv_cmp(&out->v[j - 1], &out->v[j]) > 0; j--) {
                struct rule_kv t = out->v[j];
                out->v[j] = out->v[j - 1];
                out->v[j - 1] = t;
                yaml_node_t *tn = nv[j];
                nv[j] = nv[j - 1];
                nv[j - 1] = tn;
            }
        }
        *nodes = nv;
    } else if (out->n > 1) {
        qsort(out->v, out->n, sizeof(*out->v), kv_cmp);
    }
    rc = 0;
out:
    if (rc)
        rule_kvs_fini(out);
    free(pairs);
    return rc;
}

/* Formats an error from e as "file:line:col: msg" and appends it. */
static void add_err(struct rule_errors *errs, const struct err *e)
{
    char tmp[1400];
    rule_errors_add(errs, err_format(e, tmp, sizeof(tmp)));
}

struct vctx {
    const char *path;
    struct rule_errors *errs;
    struct err *first;
    int nerr;
};

static void verr(struct vctx *v, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void verr(struct vctx *v, int line, int col, const char *fmt, ...)
{
    struct err tmp;
    va_list ap;
    err_clear(&tmp);
    va_start(ap, fmt);
    err_setv(&tmp, ERR_INVALID, fmt, ap);
    va_end(ap);
    snprintf(tmp.file, sizeof(tmp.file), "%s", v->path);
    tmp.line = line;
    tmp.column = col;
    add_err(v->errs, &tmp);
    if (v->nerr++ == 0 && v->first)
        *v->first = tmp;
}

static bool valid_label_name(const char *s, enum rule_name_scheme sch)
{
    size_t n = strlen(s);
    if (sch == RULE_NAMES_LEGACY)
        return label_name_is_legacy(s, n);
    return n > 0 && utf8_valid(s, n);
}

static bool valid_metric_name(const char *s, enum rule_name_scheme sch)
{
    size_t n = strlen(s);
    if (sch == RULE_NAMES_LEGACY)
        return metric_name_is_legacy(s, n);
    return n > 0 && utf8_valid(s, n);
}

struct rule_nodes {
    yaml_node_t *map, *record, *alert, *expr;
    yaml_node_t **label_nodes, **annot_nodes;
};

static void validate_rule(struct vctx *v, const struct rule_parse_opts *o,
                          const struct rule_group_def *g, size_t idx, const struct rule_def *r,
                          const char *record, const char *alert, const struct rule_nodes *rn)
{
    char pfx[1200];
    const char *rname = *alert ? alert : record;
    int rl = ydoc_line(rn->map), rc = ydoc_col(rn->map);
    snprintf(pfx, sizeof(pfx), "group \"%s\", rule %zu, \"%s\"", g->name, idx + 1, rname);
#define NPOS(nd) ((nd) ? ydoc_line(nd) : rl), ((nd) ? ydoc_col(nd) : rc)
    if (*record && *alert)
        verr(v, NPOS(rn->record), "%s: only one of 'record' and 'alert' must be set", pfx);
    if (!*record && !*alert)
        verr(v, rl, rc, "%s: one of 'record' or 'alert' must be set", pfx);
    if (!*r->expr) {
        verr(v, NPOS(rn->expr), "%s: field 'expr' must be set in rule", pfx);
    } else if (!o->skip_expr_check) {
        struct promql_expr_tree *t = NULL;
        struct err pe;
        err_clear(&pe);
        if (promql_parse(r->expr, strlen(r->expr), o->promql_flags, &t, &pe) != 0) {
            char msg[1200];
            promql_parse_error_string(&pe, msg, sizeof(msg));
            verr(v, NPOS(rn->expr), "%s: could not parse expression: %s", pfx, msg);
        }
        promql_expr_tree_free(t);
    }
    if (*record) {
        if (r->annotations.n > 0)
            verr(v, NPOS(rn->record), "%s: invalid field 'annotations' in recording rule", pfx);
        if (r->for_ms != 0)
            verr(v, NPOS(rn->record), "%s: invalid field 'for' in recording rule", pfx);
        if (r->keep_firing_for_ms != 0)
            verr(v, NPOS(rn->record), "%s: invalid field 'keep_firing_for' in recording rule", pfx);
        if (!valid_metric_name(record, o->names))
            verr(v, NPOS(rn->record), "%s: invalid recording rule name: %s", pfx, record);
        if (strchr(record, '{') || strchr(record, '}'))
            verr(v, NPOS(rn->record),
                 "%s: braces present in the recording rule name; should it be in expr?: %s", pfx,
                 record);
    }
    for (size_t i = 0; i < r->labels.n; i++) {
        const struct rule_kv *kv = &r->labels.v[i];
        yaml_node_t *nd = rn->label_nodes ? rn->label_nodes[i] : NULL;
        if (!valid_label_name(kv->name, o->names) || strcmp(kv->name, "__name__") == 0)
            verr(v, NPOS(nd), "%s: invalid label name: %s", pfx, kv->name);
        if (!utf8_valid(kv->value, strlen(kv->value)))
            verr(v, NPOS(nd), "%s: invalid label value: %s", pfx, kv->value);
    }
    for (size_t i = 0; i < r->annotations.n; i++) {
        const struct rule_kv *kv = &r->annotations.v[i];
        yaml_node_t *nd = rn->annot_nodes ? rn->annot_nodes[i] : NULL;
        if (!valid_label_name(kv->name, o->names))
            verr(v, NPOS(nd), "%s: invalid annotation name: %s", pfx, kv->name);
    }
    if (*alert) {
        for (int pass = 0; pass < 2; pass++) {
            const struct rule_kvs *kvs = pass == 0 ? &r->labels : &r->annotations;
            yaml_node_t **nodes = pass == 0 ? rn->label_nodes : rn->annot_nodes;
            for (size_t i = 0; i < kvs->n; i++) {
                struct err te;
                err_clear(&te);
                if (rule_template_check(alert, kvs->v[i].value, &te) != 0) {
                    yaml_node_t *nd = nodes ? nodes[i] : NULL;
                    verr(v, NPOS(nd), "%s: %s \"%s\": %s", pfx, pass == 0 ? "label" : "annotation",
                         kvs->v[i].name, te.msg);
                }
            }
        }
    }
#undef NPOS
}

static const char *const group_keys[] = {"name",   "interval", "query_offset", "limit", "rules",
                                         "labels", NULL};
static const char *const rule_keys[] = {"record",          "alert",  "expr",        "for",
                                        "keep_firing_for", "labels", "annotations", NULL};

static int parse_rule(struct ydoc *d, yaml_node_t *n, const struct rule_parse_opts *o,
                      struct rule_def *r, const char **record, const char **alert,
                      struct rule_nodes *rn, struct err *e)
{
    int rc = ERR_INTERNAL;
    struct ydoc_pair *p = NULL;
    size_t np = 0;
    const char *s;
    memset(rn, 0, sizeof(*rn));
    rn->map = n;
    r->line = ydoc_line(n);
    r->column = ydoc_col(n);
    *record = *alert = "";
    if ((rc = ydoc_map_pairs(d, n, "rulefmt.Rule", &p, &np, e)) != 0)
        goto out;
    /* the names first, so that any later error can name the rule */
    const char *nm = ydoc_scalar(ydoc_pairs_get(p, np, "alert"));
    if (!nm || !*nm)
        nm = ydoc_scalar(ydoc_pairs_get(p, np, "record"));
    r->name = xstrdup(nm ? nm : "");
    if ((rc = ydoc_check_keys(d, p, np, rule_keys, "rulefmt.Rule", o->ignore_unknown_fields, e)))
        goto out;
    rn->record = ydoc_pairs_get(p, np, "record");
    rn->alert = ydoc_pairs_get(p, np, "alert");
    rn->expr = ydoc_pairs_get(p, np, "expr");
    if ((rc = ydoc_get_str(d, rn->record, record, e)) != 0 ||
        (rc = ydoc_get_str(d, rn->alert, alert, e)) != 0 ||
        (rc = ydoc_get_str(d, rn->expr, &s, e)) != 0)
        goto out;
    r->expr = xstrdup(s);
    r->kind = **alert ? RULE_ALERT : RULE_RECORD;
    free(r->name);
    r->name = xstrdup(**alert ? *alert : *record);
    if ((rc = ydoc_get_duration(d, ydoc_pairs_get(p, np, "for"), &r->for_ms, e)) != 0 ||
        (rc = ydoc_get_duration(d, ydoc_pairs_get(p, np, "keep_firing_for"), &r->keep_firing_for_ms,
                                e)) != 0)
        goto out;
    if ((rc = parse_kvs(d, ydoc_pairs_get(p, np, "labels"), &r->labels, &rn->label_nodes, e)))
        goto out;
    if ((rc = parse_kvs(d, ydoc_pairs_get(p, np, "annotations"), &r->annotations, &rn->annot_nodes,
                        e)))
        goto out;
    rc = 0;
out:
    free(p);
    return rc;
}

static void free_nodes(struct rule_nodes *rn)
{
    free(rn->label_nodes);
    free(rn->annot_nodes);
    rn->label_nodes = rn->annot_nodes = NULL;
}

static int parse_group(struct ydoc *d, yaml_node_t *n, const struct rule_parse_opts *o,
                       const char *path, struct rule_group_def *g, struct vctx *v,
                       struct rule_errors *errs, struct err *e)
{
    int rc = ERR_INTERNAL;
    struct ydoc_pair *p = NULL;
    size_t np = 0, nitems = 0;
    yaml_node_t **items = NULL;
    const char *s;
    struct rule_nodes *rns = NULL;
    const char **records = NULL, **alerts = NULL;
    g->line = ydoc_line(n);
    g->column = ydoc_col(n);
    g->file = xstrdup(path);
    bool in_rule = false;
    if ((rc = ydoc_map_pairs(d, n, "rulefmt.RuleGroup", &p, &np, e)) != 0)
        goto out;
    const char *gn = ydoc_scalar(ydoc_pairs_get(p, np, "name"));
    g->name = xstrdup(gn ? gn : ""); /* early, so that errors can name the group */
    if ((rc = ydoc_check_keys(d, p, np, group_keys, "rulefmt.RuleGroup", o->ignore_unknown_fields,
                              e)) != 0)
        goto out;
    if ((rc = ydoc_get_str(d, ydoc_pairs_get(p, np, "name"), &s, e)) != 0)
        goto out;
    free(g->name);
    g->name = xstrdup(s);
    if ((rc = ydoc_get_duration(d, ydoc_pairs_get(p, np, "interval"), &g->interval_ms, e)) != 0)
        goto out;
    yaml_node_t *qo = ydoc_pairs_get(p, np, "query_offset");
    if (qo && !ydoc_is_null(qo)) {
        g->has_query_offset = true;
        if ((rc = ydoc_get_duration(d, qo, &g->query_offset_ms, e)) != 0)
            goto out;
    }
    if ((rc = ydoc_get_int(d, ydoc_pairs_get(p, np, "limit"), &g->limit, e)) != 0)
        goto out;
    if ((rc = parse_kvs(d, ydoc_pairs_get(p, np, "labels"), &g->labels, NULL, e)) != 0)
        goto out;
    if ((rc = ydoc_seq(d, ydoc_pairs_get(p, np, "rules"), "[]rulefmt.Rule", &items, &nitems, e)))
        goto out;
    g->rules = xcalloc(nitems ? nitems : 1, sizeof(*g->rules));
    rns = xcalloc(nitems ? nitems : 1, sizeof(*rns));
    records = xcalloc(nitems ? nitems : 1, sizeof(*records));
    alerts = xcalloc(nitems ? nitems : 1, sizeof(*alerts));
    for (size_t i = 0; i < nitems; i++) {
        rc = parse_rule(d, items[i], o, &g->rules[i], &records[i], &alerts[i], &rns[i], e);
        g->nrules = i + 1;
        if (rc) {
            in_rule = true;
            err_prefix(e, "group \"%s\", rule %zu, \"%s\"", g->name, i + 1,
                       g->rules[i].name ? g->rules[i].name : "");
            rc = rc == ERR_PARSE ? ERR_PARSE : ERR_INVALID;
            goto out;
        }
    }
    (void)errs;
    for (size_t i = 0; i < g->nrules; i++)
        validate_rule(v, o, g, i, &g->rules[i], records[i], alerts[i], &rns[i]);
    rc = 0;
out:
    if (rc && !in_rule && g->name)
        err_prefix(e, "group \"%s\"", g->name);
    if (rns)
        for (size_t i = 0; i < nitems; i++)
            free_nodes(&rns[i]);
    free(rns);
    free(records);
    free(alerts);
    free(items);
    free(p);
    return rc;
}

int rule_file_parse(const char *data, size_t len, const char *path,
                    const struct rule_parse_opts *opts, struct rule_file **out,
                    struct rule_errors *errs, struct err *e)
{
    int rc = ERR_INTERNAL;
    struct ydoc d;
    struct rule_file *f = NULL;
    struct ydoc_pair *p = NULL;
    size_t np = 0, nitems = 0;
    yaml_node_t **items = NULL;
    struct rule_parse_opts defaults = {0};
    struct err local;
    struct vctx v = {.path = path, .errs = errs, .first = e ? e : &local, .nerr = 0};
    const struct rule_parse_opts *o = opts ? opts : &defaults;
    static const char *const top_keys[] = {"groups", NULL};
    *out = NULL;
    err_clear(&local);
    memset(&d, 0, sizeof(d));
    if ((rc = ydoc_load(&d, data, len, path, e)) != 0) {
        if (e)
            add_err(errs, e);
        goto out;
    }
    f = xcalloc(1, sizeof(*f));
    f->path = xstrdup(path);
    f->more_docs = d.more_docs;
    yaml_node_t *root = ydoc_root(&d);
    if (root && !ydoc_is_null(root)) {
        if ((rc = ydoc_map_pairs(&d, root, "rulefmt.RuleGroups", &p, &np, e)) != 0 ||
            (rc = ydoc_check_keys(&d, p, np, top_keys, "rulefmt.RuleGroups",
                                  o->ignore_unknown_fields, e)) != 0 ||
            (rc = ydoc_seq(&d, ydoc_pairs_get(p, np, "groups"), "[]rulefmt.RuleGroup", &items,
                           &nitems, e)) != 0) {
            if (e)
                add_err(errs, e);
            goto out;
        }
    }
    f->groups = xcalloc(nitems ? nitems : 1, sizeof(*f->groups));
    for (size_t i = 0; i < nitems; i++) {
        struct rule_group_def *g = &f->groups[i];
        rc = parse_group(&d, items[i], o, path, g, &v, errs, e);
        f->ngroups = i + 1;
        if (rc) {
            if (e)
                add_err(errs, e);
            goto out;
        }
    }
    /* group-level checks, in Prometheus's order (after the per-rule ones of each group) */
    for (size_t i = 0; i < f->ngroups; i++) {
        struct rule_group_def *g = &f->groups[i];
        if (!*g->name)
            verr(&v, g->line, g->column, "Groupname must not be empty");
        for (size_t j = 0; j < i; j++) {
            if (strcmp(f->groups[j].name, g->name) == 0) {
                verr(&v, g->line, g->column, "groupname: \"%s\" is repeated in the same file",
                     g->name);
                break;
            }
        }
        for (size_t j = 0; j < g->labels.n; j++) {
            const struct rule_kv *kv = &g->labels.v[j];
            if (!valid_label_name(kv->name, o->names) || strcmp(kv->name, "__name__") == 0)
                verr(&v, g->line, g->column, "invalid label name: %s", kv->name);
            if (!utf8_valid(kv->value, strlen(kv->value)))
                verr(&v, g->line, g->column, "invalid label value: %s", kv->value);
        }
    }
    if (v.nerr > 0) {
        rc = ERR_INVALID;
        goto out;
    }
    *out = f;
    f = NULL;
    rc = 0;
out:
    rule_file_free(f);
    free(items);
    free(p);
    ydoc_fini(&d);
    return rc;
}

int rule_file_load(const char *path, const struct rule_parse_opts *opts, struct rule_file **out,
                   struct rule_errors *errs, struct err *e)
{
    char *data = NULL;
    size_t len = 0;
    *out = NULL;
    int rc = rule_read_file(path, RULE_FILE_MAX, &data, &len, e);
    if (rc) {
        if (e) {
            char tmp[1400];
            rule_errors_add(errs, err_format(e, tmp, sizeof(tmp)));
        }
        return rc;
    }
    rc = rule_file_parse(data, len, path, opts, out, errs, e);
    free(data);
    return rc;
}
