/* SPDX-License-Identifier: Apache-2.0 */
/* Generic parse/copy/free/print of descriptor-described config objects. */
#include "notifier/config/fields.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/timeutil.h"
#include "common/xalloc.h"
#include "common/yamlx.h"
#include "notifier/config/config.h"
#include "notifier/config/emit.h"

#define FIELD(obj, f) ((char *)(obj) + (f)->off)

int cf_check_url(const char *s, const struct yamlx_node *n, struct err *e)
{
    const char *p = s, *colon = NULL;
    char scheme[32];
    size_t sl = 0;
    /* Go url.Parse: a scheme is [A-Za-z][A-Za-z0-9+.-]* before the first ':'. */
    if (isalpha((unsigned char)*p)) {
        const char *q = p;
        while (isalnum((unsigned char)*q) || *q == '+' || *q == '-' || *q == '.')
            q++;
        if (*q == ':')
            colon = q;
    }
    if (colon) {
        sl = (size_t)(colon - s);
        if (sl >= sizeof(scheme))
            sl = sizeof(scheme) - 1;
        for (size_t i = 0; i < sl; i++)
            scheme[i] = (char)tolower((unsigned char)s[i]);
    }
    scheme[sl] = 0;
    for (const char *c = s; *c; c++)
        if ((unsigned char)*c < 0x20 || *c == 0x7f)
            return yamlx_error(e, n, ERR_INVALID,
                               "parse \"%s\": net/url: invalid control "
                               "character in URL",
                               s);
    if (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0)
        return yamlx_error(e, n, ERR_INVALID, "unsupported scheme \"%s\" for URL", scheme);
    p = colon + 1;
    if (strncmp(p, "//", 2) != 0)
        return yamlx_error(e, n, ERR_INVALID, "missing host for URL");
    p += 2;
    const char *h = p;
    while (*p && *p != '/' && *p != '?' && *p != '#')
        p++;
    /* Strip userinfo. */
    for (const char *q = h; q < p; q++)
        if (*q == '@')
            h = q + 1;
    if (h == p)
        return yamlx_error(e, n, ERR_INVALID, "missing host for URL");
    return 0;
}

int cf_check_hostport(const char *s, const struct yamlx_node *n, struct err *e)
{
    const char *colon = strrchr(s, ':'), *why = NULL;
    size_t j = 0, k = 0;
    if (*s == 0)
        return 0;
    if (colon == NULL) {
        why = "missing port in address";
    } else if (s[0] == '[') {
        const char *end = strchr(s, ']');
        if (end == NULL)
            why = "missing ']' in address";
        else if (end[1] == 0)
            why = "missing port in address";
        else if (end + 1 != colon)
            why = end[1] == ':' ? "too many colons in address" : "missing port in address";
        j = 1;
        k = end ? (size_t)(end - s) + 1 : 0;
    } else {
        for (const char *p = s; p < colon; p++)
            if (*p == ':')
                why = "too many colons in address";
    }
    if (why == NULL && strchr(s + j, '['))
        why = "unexpected '[' in address";
    if (why == NULL && strchr(s + k, ']'))
        why = "unexpected ']' in address";
    if (why)
        return yamlx_error(e, n, ERR_INVALID, "address %s: %s", s, why);
    if (colon[1] == 0)
        return yamlx_error(e, n, ERR_INVALID, "address \"%s\": port cannot be empty", s);
    return 0;
}

const char *cf_go_duration(long long ms, char *out, size_t n)
{
    if (ms == 0) {
        snprintf(out, n, "0s");
        return out;
    }
    if (ms < 1000 && ms > -1000) {
        snprintf(out, n, "%lldms", ms);
        return out;
    }
    long long h = ms / 3600000, m = (ms / 60000) % 60, s = (ms / 1000) % 60, f = ms % 1000;
    char sec[32];
    if (f)
        snprintf(sec, sizeof(sec), "%lld.%03llds", s, f);
    else
        snprintf(sec, sizeof(sec), "%llds", s);
    /* trim trailing zeros of the fraction */
    if (f) {
        size_t l = strlen(sec);
        while (l > 2 && sec[l - 2] == '0')
            memmove(&sec[l - 2], &sec[l - 1], 2), l--;
    }
    if (h)
        snprintf(out, n, "%lldh%lldm%s", h, m, sec);
    else if (m)
        snprintf(out, n, "%lldm%s", m, sec);
    else
        snprintf(out, n, "%s", sec);
    return out;
}

void cf_ctx_init(struct cf_ctx *cx, struct err *e)
{
    memset(cx, 0, sizeof(*cx));
    cx->e = e;
}

int cf_soft(struct cf_ctx *cx, const struct err *t)
{
    if (cx->nsoft++ == 0)
        cx->first_soft = *t;
    return 0;
}

int cf_softf(struct cf_ctx *cx, const struct yamlx_node *n, const char *fmt, ...)
{
    struct err t;
    va_list ap;
    err_clear(&t);
    va_start(ap, fmt);
    err_setv(&t, ERR_INVALID, fmt, ap);
    va_end(ap);
    if (n != NULL) {
        snprintf(t.file, sizeof(t.file), "%s", n->file ? n->file : "");
        t.line = n->line;
        t.column = n->col;
    }
    return cf_soft(cx, &t);
}

int cf_soft_result(struct cf_ctx *cx)
{
    if (cx->nsoft == 0)
        return 0;
    if (cx->e) {
        *cx->e = cx->first_soft;
        err_prefix(cx->e, "yaml: unmarshal errors");
    }
    return ERR_INVALID;
}

static const struct cf_field *find_field(const struct cf_desc *d, const char *k)
{
    for (const struct cf_field *f = d->fields; f->key; f++)
        if (strcmp(f->key, k) == 0)
            return f;
    return NULL;
}

/* Runs a getter that can only fail with a type error: records it as soft. */
#define SOFT(call)                   \
    do {                             \
        struct err t_;               \
        err_clear(&t_);              \
        if ((call) != 0)             \
            return cf_soft(cx, &t_); \
    } while (0)
#define TE (&t_)

/* Frees and zeroes one field (an explicit YAML null sets Go fields to their zero value). */
static void zero_field(const struct cf_field *f, void *obj)
{
    void *p = FIELD(obj, f);
    switch (f->type) {
    case CF_STR:
    case CF_SECRET:
    case CF_URL:
    case CF_SECRET_URL:
    case CF_HOSTPORT:
        xfree(*(char **)p);
        *(char **)p = NULL;
        break;
    case CF_BOOL:
        *(bool *)p = false;
        break;
    case CF_TRIBOOL:
        *(enum am_tribool *)p = AM_UNSET;
        break;
    case CF_INT:
    case CF_DURATION:
    case CF_GODURATION:
        *(int64_t *)p = 0;
        break;
    case CF_STRV:
        yamlx_strv_free(((struct am_strv *)p)->v);
        memset(p, 0, sizeof(struct am_strv));
        break;
    case CF_STRMAP:
        yamlx_strv_free(((struct am_strmap *)p)->keys);
        yamlx_strv_free(((struct am_strmap *)p)->values);
        memset(p, 0, sizeof(struct am_strmap));
        break;
    case CF_OBJ:
        cf_free(f->sub, *(void **)p);
        *(void **)p = NULL;
        break;
    case CF_OBJLIST: {
        struct am_list *l = p;
        for (size_t i = 0; i < l->n; i++)
            cf_free(f->sub, l->v[i]);
        xfree(l->v);
        l->v = NULL;
        l->n = 0;
        break;
    }
    }
}

static int parse_field(const struct cf_field *f, const struct yamlx_node *v, void *obj,
                       struct cf_ctx *cx)
{
    void *p = FIELD(obj, f);
    int r = 0;
    if (yamlx_is_null(v)) {
        zero_field(f, obj);
        return 0;
    }
    switch (f->type) {
    case CF_STR:
    case CF_SECRET:
        SOFT(yamlx_get_str(v, (char **)p, TE));
        return 0;
    case CF_URL:
    case CF_SECRET_URL: {
        char *s = NULL;
        SOFT(yamlx_get_str(v, &s, TE));
        if ((r = cf_check_url(s, v, cx->e)) != 0) {
            xfree(s);
            return r;
        }
        xfree(*(char **)p);
        *(char **)p = s;
        return 0;
    }
    case CF_HOSTPORT:
        SOFT(yamlx_get_str(v, (char **)p, TE));
        return cf_check_hostport(*(char **)p, v, cx->e);
    case CF_BOOL:
        SOFT(yamlx_get_bool(v, (bool *)p, TE));
        return 0;
    case CF_TRIBOOL: {
        bool b = false;
        SOFT(yamlx_get_bool(v, &b, TE));
        *(enum am_tribool *)p = b ? AM_TRUE : AM_FALSE;
        return 0;
    }
    case CF_INT: {
        /* Go's yaml.v2 also stores a float into an integer field, truncated. */
        double d = 0;
        if (yamlx_get_int(v, (int64_t *)p, NULL) == 0)
            return 0;
        if (v->kind == YAMLX_SCALAR && v->plain && yamlx_get_float(v, &d, NULL) == 0 &&
            d > -9.2e18 && d < 9.2e18) {
            *(int64_t *)p = (int64_t)d;
            return 0;
        }
        SOFT(yamlx_get_int(v, (int64_t *)p, TE));
        return 0;
    }
    case CF_DURATION:
    case CF_GODURATION:
        /* A non-scalar is a type error; an unparsable string fails the field's unmarshaler. */
        if (v->kind != YAMLX_SCALAR)
            return cf_softf(cx, v, "cannot unmarshal %s into string", yamlx_kind_str(v->kind));
        return yamlx_get_duration(v, (int64_t *)p, cx->e);
    case CF_STRV: {
        struct am_strv *sv = p;
        SOFT(yamlx_get_strv(v, &sv->v, &sv->n, TE));
        return 0;
    }
    case CF_STRMAP: {
        struct am_strmap *sm = p;
        SOFT(yamlx_get_strmap(v, &sm->keys, &sm->values, &sm->n, TE));
        return 0;
    }
    case CF_OBJ: {
        void *sub = NULL;
        if ((r = cf_parse_new(f->sub, v, &sub, cx)) != 0)
            return r;
        cf_free(f->sub, *(void **)p);
        *(void **)p = sub;
        return 0;
    }
    case CF_OBJLIST: {
        struct am_list *l = p;
        if (v->kind != YAMLX_SEQ)
            return cf_softf(cx, v, "cannot unmarshal %s into []%s", yamlx_kind_str(v->kind),
                            f->sub->what);
        for (size_t i = 0; i < v->n; i++) {
            void *sub = NULL;
            if ((r = cf_parse_new(f->sub, v->kids[i], &sub, cx)) != 0)
                return r;
            l->v = xreallocarray(l->v, l->n + 1, sizeof(*l->v));
            l->v[l->n++] = sub;
        }
        return 0;
    }
    }
    return ERR_INTERNAL;
}

int cf_parse_into(const struct cf_desc *d, const struct yamlx_node *n, void *obj, struct cf_ctx *cx)
{
    size_t before = cx->nsoft;
    int r;
    if (!yamlx_is_null(n)) {
        if (n->kind != YAMLX_MAP)
            return cf_softf(cx, n, "cannot unmarshal %s into %s", yamlx_kind_str(n->kind), d->what);
        for (size_t i = 0; i < n->n; i++) {
            const struct yamlx_node *k = n->kids[2 * i];
            const struct cf_field *f;
            bool dup = false;
            if (k->kind != YAMLX_SCALAR) {
                cf_softf(cx, k, "non-scalar key in %s", d->what);
                continue;
            }
            for (size_t j = 0; j < i; j++)
                if (n->kids[2 * j]->kind == YAMLX_SCALAR &&
                    strcmp(n->kids[2 * j]->str, k->str) == 0)
                    dup = true;
            if (dup) {
                cf_softf(cx, k, "key \"%s\" already set in %s", k->str, d->what);
                continue;
            }
            if ((f = find_field(d, k->str)) == NULL) {
                cf_softf(cx, k, "field %s not found in %s", k->str, d->what);
                continue;
            }
            if ((r = parse_field(f, n->kids[2 * i + 1], obj, cx)) != 0)
                return r;
        }
    }
    /* Like a Go UnmarshalYAML that returns the type error before validating. */
    if (cx->nsoft > before)
        return 0;
    if (d->check && (r = d->check(obj, n, cx->e)) != 0)
        return r;
    return 0;
}

int cf_parse_new(const struct cf_desc *d, const struct yamlx_node *n, void **out, struct cf_ctx *cx)
{
    void *obj = xcalloc(1, d->size);
    int r;
    *out = NULL;
    if (d->init)
        d->init(obj);
    if ((r = cf_parse_into(d, n, obj, cx)) != 0) {
        cf_free(d, obj);
        return r;
    }
    *out = obj;
    return 0;
}

static char **strv_dup(char *const *v)
{
    size_t n = yamlx_strv_len(v);
    char **c;
    if (v == NULL)
        return NULL;
    c = xcalloc(n + 1, sizeof(*c));
    for (size_t i = 0; i < n; i++)
        c[i] = xstrdup(v[i]);
    return c;
}

void *cf_dup(const struct cf_desc *d, const void *obj)
{
    void *c;
    if (obj == NULL)
        return NULL;
    c = xmemdup(obj, d->size);
    for (const struct cf_field *f = d->fields; f->key; f++) {
        void *p = FIELD(c, f);
        switch (f->type) {
        case CF_STR:
        case CF_SECRET:
        case CF_URL:
        case CF_SECRET_URL:
        case CF_HOSTPORT:
            if (*(char **)p)
                *(char **)p = xstrdup(*(char **)p);
            break;
        case CF_STRV:
            ((struct am_strv *)p)->v = strv_dup(((struct am_strv *)p)->v);
            break;
        case CF_STRMAP:
            ((struct am_strmap *)p)->keys = strv_dup(((struct am_strmap *)p)->keys);
            ((struct am_strmap *)p)->values = strv_dup(((struct am_strmap *)p)->values);
            break;
        case CF_OBJ:
            *(void **)p = cf_dup(f->sub, *(void **)p);
            break;
        case CF_OBJLIST: {
            struct am_list *l = p;
            void **nv = l->n ? xcalloc(l->n, sizeof(*nv)) : NULL;
            for (size_t i = 0; i < l->n; i++)
                nv[i] = cf_dup(f->sub, l->v[i]);
            l->v = nv;
            break;
        }
        default:
            break;
        }
    }
    return c;
}

void cf_fini(const struct cf_desc *d, void *obj)
{
    if (obj == NULL)
        return;
    /* releasing a field is zeroing it: one switch serves both */
    for (const struct cf_field *f = d->fields; f->key; f++)
        zero_field(f, obj);
}

void cf_free(const struct cf_desc *d, void *obj)
{
    if (obj == NULL)
        return;
    cf_fini(d, obj);
    xfree(obj);
}

/* Sorted index order of a string map's keys (Go's yaml prints maps sorted). */
static void print_strmap(struct emit *em, int indent, const char *key, const struct am_strmap *m)
{
    size_t *idx;
    if (m->n == 0)
        return;
    idx = xcalloc(m->n, sizeof(*idx));
    for (size_t i = 0; i < m->n; i++)
        idx[i] = i;
    for (size_t i = 1; i < m->n; i++)
        for (size_t j = i; j > 0 && strcmp(m->keys[idx[j - 1]], m->keys[idx[j]]) > 0; j--) {
            size_t t = idx[j];
            idx[j] = idx[j - 1];
            idx[j - 1] = t;
        }
    emit_key(em, indent, key);
    emit_nl(em);
    for (size_t i = 0; i < m->n; i++)
        emit_kv(em, indent + 2, m->keys[idx[i]], m->values[idx[i]]);
    xfree(idx);
}

void cf_print(const struct cf_desc *d, const void *obj, struct emit *em, int indent)
{
    bool any = false;
    char tmp[64];
    for (const struct cf_field *f = d->fields; f->key; f++) {
        const void *p = (const char *)obj + f->off;
        bool always = (f->flags & CF_ALWAYS) != 0;
        switch (f->type) {
        case CF_STR:
        case CF_URL: {
            const char *s = *(char *const *)p;
            if ((s && *s) || always) {
                emit_kv(em, indent, f->key, s ? s : "");
                any = true;
            }
            break;
        }
        case CF_HOSTPORT: {
            /* Alertmanager prints host + ":" + port, so "[::1]:25" comes out as "::1:25". */
            const char *s = *(char *const *)p;
            if (s && *s) {
                char *hp = xstrdup(s);
                char *rb = strchr(hp, ']');
                if (hp[0] == '[' && rb) {
                    memmove(rb, rb + 1, strlen(rb + 1) + 1);
                    memmove(hp, hp + 1, strlen(hp));
                }
                emit_kv(em, indent, f->key, hp);
                xfree(hp);
                any = true;
            }
            break;
        }
        case CF_SECRET:
        case CF_SECRET_URL: {
            const char *s = *(char *const *)p;
            if (s && *s) {
                emit_kv_raw(em, indent, f->key, "<secret>");
                any = true;
            }
            break;
        }
        case CF_BOOL:
            if (*(const bool *)p || always) {
                emit_kv_raw(em, indent, f->key, *(const bool *)p ? "true" : "false");
                any = true;
            }
            break;
        case CF_TRIBOOL: {
            enum am_tribool t = *(const enum am_tribool *)p;
            if (t != AM_UNSET) {
                emit_kv_raw(em, indent, f->key, t == AM_TRUE ? "true" : "false");
                any = true;
            }
            break;
        }
        case CF_INT:
            if (*(const int64_t *)p || always) {
                snprintf(tmp, sizeof(tmp), "%lld", (long long)*(const int64_t *)p);
                emit_kv_raw(em, indent, f->key, tmp);
                any = true;
            }
            break;
        case CF_DURATION:
            if (*(const int64_t *)p || always) {
                emit_kv_raw(em, indent, f->key,
                            duration_format(*(const int64_t *)p, tmp, sizeof(tmp)));
                any = true;
            }
            break;
        case CF_GODURATION:
            if (*(const int64_t *)p || always) {
                emit_kv_raw(em, indent, f->key,
                            cf_go_duration(*(const int64_t *)p, tmp, sizeof(tmp)));
                any = true;
            }
            break;
        case CF_STRV: {
            const struct am_strv *sv = p;
            if (sv->n || always) {
                emit_strv(em, indent, f->key, sv->v, sv->n, always);
                any = true;
            }
            break;
        }
        case CF_STRMAP:
            if (((const struct am_strmap *)p)->n) {
                print_strmap(em, indent, f->key, p);
                any = true;
            }
            break;
        case CF_OBJ: {
            const void *sub = *(void *const *)p;
            struct buf sub_buf;
            struct emit sub_em;
            if (sub == NULL && !always)
                break;
            any = true;
            buf_init(&sub_buf, 0);
            emit_init(&sub_em, &sub_buf);
            if (sub)
                cf_print(f->sub, sub, &sub_em, indent + 2);
            emit_key(em, indent, f->key);
            if (sub_buf.len == 0) {
                if (em->rc == 0)
                    em->rc = buf_puts(em->b, " {}\n");
            } else {
                emit_nl(em);
                if (em->rc == 0)
                    em->rc = sub_em.rc ? sub_em.rc : buf_append(em->b, sub_buf.data, sub_buf.len);
            }
            buf_fini(&sub_buf);
            break;
        }
        case CF_OBJLIST: {
            const struct am_list *l = p;
            if (l->n) {
                emit_key(em, indent, f->key);
                emit_nl(em);
                for (size_t i = 0; i < l->n; i++) {
                    emit_item(em, indent);
                    cf_print(f->sub, l->v[i], em, indent + 2);
                }
                any = true;
            }
            break;
        }
        }
    }
    if (!any && em->inl) {
        em->inl = false;
        if (em->rc == 0)
            em->rc = buf_puts(em->b, "{}\n");
    }
}
