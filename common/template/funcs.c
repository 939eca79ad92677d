/* SPDX-License-Identifier: Apache-2.0 */
/* Go text/template builtin functions (and, or, not, len, index, slice, print*, html, js,
 * urlquery, call, eq..ge), Go's comparison rules, time/duration methods, argument helpers and
 * the caller function registry. */
#include <string.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/template/gofmt.h"
#include "common/template/gotime.h"
#include "common/template/gotz.h"
#include "common/template/template_int.h"
#include "common/xalloc.h"

static const struct {
    const char *name;
    enum builtin_id id;
    int min, max;
} builtins[] = {
    {"and", B_AND, 1, -1},     {"or", B_OR, 1, -1},         {"not", B_NOT, 1, 1},
    {"len", B_LEN, 1, 1},      {"index", B_INDEX, 1, -1},   {"slice", B_SLICE, 1, -1},
    {"print", B_PRINT, 0, -1}, {"printf", B_PRINTF, 1, -1}, {"println", B_PRINTLN, 0, -1},
    {"html", B_HTML, 0, -1},   {"js", B_JS, 0, -1},         {"urlquery", B_URLQUERY, 0, -1},
    {"call", B_CALL, 1, -1},   {"eq", B_EQ, 1, -1},         {"ne", B_NE, 2, 2},
    {"lt", B_LT, 2, 2},        {"le", B_LE, 2, 2},          {"gt", B_GT, 2, 2},
    {"ge", B_GE, 2, 2},
};

#define NBUILTINS (sizeof(builtins) / sizeof(builtins[0]))

enum builtin_id tmpl_builtin_lookup(const char *name, size_t len)
{
    size_t i;
    for (i = 0; i < NBUILTINS; i++) {
        if (strlen(builtins[i].name) == len && memcmp(builtins[i].name, name, len) == 0)
            return builtins[i].id;
    }
    return B_NONE;
}

void tmpl_builtin_arity(enum builtin_id id, int *min, int *max)
{
    size_t i;
    for (i = 0; i < NBUILTINS; i++) {
        if (builtins[i].id == id) {
            *min = builtins[i].min;
            *max = builtins[i].max;
            return;
        }
    }
    *min = 0;
    *max = -1;
}

struct tmpl_funcs *tmpl_funcs_new(void)
{
    return xcalloc(1, sizeof(struct tmpl_funcs));
}

void tmpl_funcs_free(struct tmpl_funcs *f)
{
    size_t i;
    if (f == NULL)
        return;
    for (i = 0; i < f->n; i++)
        xfree(f->v[i].name);
    xfree(f->v);
    xfree(f);
}

const struct func_entry *tmpl_funcs_lookup(const struct tmpl_funcs *f, const char *name, size_t len)
{
    size_t i;
    if (f == NULL)
        return NULL;
    for (i = 0; i < f->n; i++) {
        if (strlen(f->v[i].name) == len && memcmp(f->v[i].name, name, len) == 0)
            return &f->v[i];
    }
    return NULL;
}

void tmpl_funcs_add(struct tmpl_funcs *f, const char *name, tmpl_func_cb fn, void *user,
                    int min_args, int max_args)
{
    struct func_entry *fe = (struct func_entry *)tmpl_funcs_lookup(f, name, strlen(name));
    if (fe == NULL) {
        if (f->n == f->cap) {
            f->cap = f->cap ? f->cap * 2 : 32;
            f->v = xreallocarray(f->v, f->cap, sizeof(*f->v));
        }
        fe = &f->v[f->n++];
        fe->name = xstrdup(name);
    }
    fe->fn = fn;
    fe->user = user;
    fe->min_args = min_args;
    fe->max_args = max_args;
}

static int wrong_type(struct err *e, const char *want, const struct tmpl_value *v)
{
    return err_set(e, ERR_INVALID, "wrong type for value; expected %s; got %s", want,
                   tmpl_type_name(v));
}

int tmpl_arg_string(const struct tmpl_value *v, const char **s, size_t *n, struct err *e)
{
    if (v == NULL || v->kind != TMPL_STRING)
        return wrong_type(e, "string", v);
    *s = v->u.str.s;
    if (n)
        *n = v->u.str.len;
    return 0;
}

int tmpl_arg_int(const struct tmpl_value *v, int64_t *i, struct err *e)
{
    if (v == NULL || v->kind != TMPL_INT)
        return wrong_type(e, "int", v);
    *i = v->u.i;
    return 0;
}

int tmpl_arg_number(const struct tmpl_value *v, double *f, struct err *e)
{
    if (v && v->kind == TMPL_INT) {
        *f = (double)v->u.i;
        return 0;
    }
    if (v && v->kind == TMPL_FLOAT) {
        *f = v->u.f;
        return 0;
    }
    return wrong_type(e, "float64", v);
}

int tmpl_arg_list(const struct tmpl_value *v, struct tmpl_value **list, struct err *e)
{
    if (v == NULL || v->kind != TMPL_LIST)
        return wrong_type(e, "[]string", v);
    *list = (struct tmpl_value *)v;
    return 0;
}

/* Go's basic kinds for comparisons. */
enum bkind { K_INVALID, K_BOOL, K_INT, K_FLOAT, K_STRING, K_OTHER };

static enum bkind basic_kind(const struct tmpl_value *v)
{
    if (v == NULL)
        return K_INVALID;
    switch (v->kind) {
    case TMPL_NULL:
        return K_INVALID;
    case TMPL_BOOL:
        return K_BOOL;
    case TMPL_INT:
    case TMPL_DURATION:
        return K_INT;
    case TMPL_FLOAT:
        return K_FLOAT;
    case TMPL_STRING:
        return K_STRING;
    default:
        return K_OTHER;
    }
}

static int64_t int_of(const struct tmpl_value *v)
{
    return v->kind == TMPL_DURATION ? v->u.dur_ns : v->u.i;
}

static int str_cmp(const struct tmpl_value *a, const struct tmpl_value *b)
{
    size_t n = a->u.str.len < b->u.str.len ? a->u.str.len : b->u.str.len;
    int c = memcmp(a->u.str.s, b->u.str.s, n);
    if (c != 0)
        return c;
    return a->u.str.len < b->u.str.len ? -1 : a->u.str.len > b->u.str.len;
}

static int eq2(struct tmpl_value *a, struct tmpl_value *b, bool *res, struct err *e)
{
    enum bkind k1 = basic_kind(a), k2 = basic_kind(b);
    *res = false;
    if (k1 != k2) {
        if (k1 != K_INVALID && k2 != K_INVALID)
            return err_set(e, ERR_INVALID, "incompatible types for comparison");
        return 0;
    }
    switch (k1) {
    case K_INVALID:
        *res = true;
        return 0;
    case K_BOOL:
        *res = a->u.b == b->u.b;
        return 0;
    case K_INT:
        *res = int_of(a) == int_of(b);
        return 0;
    case K_FLOAT:
        *res = a->u.f == b->u.f;
        return 0;
    case K_STRING:
        *res = str_cmp(a, b) == 0;
        return 0;
    default:
        break;
    }
    if (a->kind == TMPL_TIME && b->kind == TMPL_TIME) {
        *res = a->u.time.sec == b->u.time.sec && a->u.time.nsec == b->u.time.nsec &&
               a->u.time.offset == b->u.time.offset;
        return 0;
    }
    if (a->kind == TMPL_LIST || a->kind == TMPL_MAP || a->kind == TMPL_FUNC) {
        struct buf s;
        buf_init(&s, 200);
        tmpl_value_print(a, &s);
        err_set(e, ERR_INVALID, "non-comparable type %s: %s", buf_str(&s), tmpl_type_name(a));
        buf_fini(&s);
        return ERR_INVALID;
    }
    if (a->kind != b->kind)
        return err_set(e, ERR_INVALID, "incompatible types for comparison");
    *res = a == b || (a->kind == TMPL_OBJECT && a->u.obj.ptr == b->u.obj.ptr);
    return 0;
}

static int lt2(struct tmpl_value *a, struct tmpl_value *b, bool *res, struct err *e)
{
    enum bkind k1 = basic_kind(a), k2 = basic_kind(b);
    *res = false;
    if (k1 == K_INVALID || k1 == K_OTHER || k2 == K_INVALID || k2 == K_OTHER)
        return err_set(e, ERR_INVALID, "invalid type for comparison");
    if (k1 != k2)
        return err_set(e, ERR_INVALID, "incompatible types for comparison");
    switch (k1) {
    case K_INT:
        *res = int_of(a) < int_of(b);
        return 0;
    case K_FLOAT:
        *res = a->u.f < b->u.f;
        return 0;
    case K_STRING:
        *res = str_cmp(a, b) < 0;
        return 0;
    default:
        return err_set(e, ERR_INVALID, "invalid type for comparison");
    }
}

int tmpl_compare(const char *op, struct tmpl_value *a, struct tmpl_value *b, bool *result,
                 struct err *e)
{
    struct tmpl_value *pa = NULL, *pb = NULL;
    bool lt = false, eq = false;
    int rc;
    *result = false;
    if ((rc = tmpl_plain(a, &pa, e)) != 0 || (rc = tmpl_plain(b, &pb, e)) != 0)
        goto out;
    if (strcmp(op, "eq") == 0 || strcmp(op, "ne") == 0) {
        rc = eq2(pa, pb, &eq, e);
        *result = op[0] == 'e' ? eq : !eq;
        goto out;
    }
    if ((rc = lt2(pa, pb, &lt, e)) != 0)
        goto out;
    if (strcmp(op, "lt") == 0) {
        *result = lt;
    } else if (strcmp(op, "ge") == 0) {
        *result = !lt;
    } else {
        if (!lt && (rc = eq2(pa, pb, &eq, e)) != 0)
            goto out;
        *result = op[1] == 'e' ? (lt || eq) : !(lt || eq); /* le / gt */
    }
out:
    tmpl_unref(pa);
    tmpl_unref(pb);
    return rc;
}

static int index_arg(const struct tmpl_value *idx, size_t cap, int64_t *x, struct err *e)
{
    if (idx == NULL || idx->kind == TMPL_NULL)
        return err_set(e, ERR_INVALID, "cannot index slice/array with nil");
    if (idx->kind != TMPL_INT)
        return err_set(e, ERR_INVALID, "cannot index slice/array with type %s",
                       tmpl_type_name(idx));
    if (idx->u.i < 0 || (uint64_t)idx->u.i > cap)
        return err_set(e, ERR_INVALID, "index out of range: %lld", (long long)idx->u.i);
    *x = idx->u.i;
    return 0;
}

static int builtin_index(int argc, struct tmpl_value **argv, struct tmpl_value **out, struct err *e)
{
    struct tmpl_value *item = NULL, *nx = NULL;
    int i, rc;
    if ((rc = tmpl_plain(argv[0], &item, e)) != 0)
        goto out;
    if (item->kind == TMPL_NULL) {
        rc = err_set(e, ERR_INVALID, "index of untyped nil");
        goto out;
    }
    for (i = 1; i < argc; i++) {
        int64_t x;
        struct tmpl_value *idx = argv[i];
        if (item->kind == TMPL_LIST || item->kind == TMPL_STRING) {
            size_t len = item->kind == TMPL_LIST ? item->u.list.n : item->u.str.len;
            if ((rc = index_arg(idx, len, &x, e)) != 0)
                goto out;
            if ((size_t)x == len) {
                rc = err_set(e, ERR_INVALID, "index out of range: %lld", (long long)x);
                goto out;
            }
            if (item->kind == TMPL_LIST)
                nx = tmpl_ref(item->u.list.v[x]);
            else
                nx = tmpl_int((unsigned char)item->u.str.s[x]);
        } else if (item->kind == TMPL_MAP) {
            struct tmpl_value *v;
            if (idx == NULL || idx->kind == TMPL_NULL) {
                rc = err_set(e, ERR_INVALID, "value is nil; should be of type string");
                goto out;
            }
            if (idx->kind != TMPL_STRING) {
                rc = err_set(e, ERR_INVALID, "value has type %s; should be string",
                             tmpl_type_name(idx));
                goto out;
            }
            v = tmpl_map_get(item, idx->u.str.s);
            if (v)
                nx = tmpl_ref(v);
            else if (item->u.map.elem == TMPL_STRING)
                nx = tmpl_string("");
            else
                nx = tmpl_null();
        } else {
            rc = err_set(e, ERR_INVALID, "can't index item of type %s", tmpl_type_name(item));
            goto out;
        }
        tmpl_unref(item);
        if ((rc = tmpl_plain(nx, &item, e)) != 0)
            goto out;
        tmpl_unref(nx);
        nx = NULL;
        if (i + 1 < argc && item->kind == TMPL_NULL) {
            rc = err_set(e, ERR_INVALID, "index of nil pointer");
            goto out;
        }
    }
    *out = item;
    item = NULL;
    rc = 0;
out:
    tmpl_unref(item);
    tmpl_unref(nx);
    return rc;
}

static int builtin_slice(int argc, struct tmpl_value **argv, struct tmpl_value **out, struct err *e)
{
    struct tmpl_value *item = NULL;
    int64_t idx[3] = {0, 0, 0};
    size_t len, cap, k;
    int i, rc;
    if ((rc = tmpl_plain(argv[0], &item, e)) != 0)
        goto out;
    if (item->kind == TMPL_NULL) {
        rc = err_set(e, ERR_INVALID, "slice of untyped nil");
        goto out;
    }
    if (argc - 1 > 3) {
        rc = err_set(e, ERR_INVALID, "too many slice indexes: %d", argc - 1);
        goto out;
    }
    if (item->kind == TMPL_STRING) {
        if (argc - 1 == 3) {
            rc = err_set(e, ERR_INVALID, "cannot 3-index slice a string");
            goto out;
        }
        len = cap = item->u.str.len;
    } else if (item->kind == TMPL_LIST) {
        len = cap = item->u.list.n;
    } else {
        rc = err_set(e, ERR_INVALID, "can't slice item of type %s", tmpl_type_name(item));
        goto out;
    }
    idx[1] = (int64_t)len;
    for (i = 1; i < argc; i++) {
        if ((rc = index_arg(argv[i], cap, &idx[i - 1], e)) != 0)
            goto out;
    }
    if (idx[0] > idx[1]) {
        rc = err_set(e, ERR_INVALID, "invalid slice index: %lld > %lld", (long long)idx[0],
                     (long long)idx[1]);
        goto out;
    }
    if (argc - 1 == 3 && idx[1] > idx[2]) {
        rc = err_set(e, ERR_INVALID, "invalid slice index: %lld > %lld", (long long)idx[1],
                     (long long)idx[2]);
        goto out;
    }
    if (item->kind == TMPL_STRING) {
        *out = tmpl_string_n(item->u.str.s + idx[0], (size_t)(idx[1] - idx[0]));
    } else {
        *out = tmpl_list();
        for (k = (size_t)idx[0]; k < (size_t)idx[1]; k++)
            tmpl_list_push(*out, tmpl_ref(item->u.list.v[k]));
    }
    rc = 0;
out:
    tmpl_unref(item);
    return rc;
}

/* Go's evalArgs for the escapers: one string as is, else fmt.Sprint of the arguments. */
static int escaper_input(int argc, struct tmpl_value **argv, struct buf *b)
{
    struct tmpl_value *novalue = NULL, **args;
    int i, rc;
    if (argc == 1 && argv[0]->kind == TMPL_STRING)
        return buf_append(b, argv[0]->u.str.s, argv[0]->u.str.len);
    /* Go's printableValue turns nil into the string "<no value>" before fmt.Sprint */
    args = xcalloc((size_t)argc + 1, sizeof(*args));
    for (i = 0; i < argc; i++) {
        if (argv[i]->kind == TMPL_NULL) {
            if (!novalue)
                novalue = tmpl_string("<no value>");
            args[i] = novalue;
        } else {
            args[i] = argv[i];
        }
    }
    rc = gofmt_sprint(b, argc, args);
    tmpl_unref(novalue);
    xfree(args);
    return rc;
}

static int escape_html(const char *s, size_t n, struct buf *out)
{
    size_t i;
    int rc = 0;
    for (i = 0; rc == 0 && i < n; i++) {
        switch (s[i]) {
        case '"':
            rc = buf_puts(out, "&#34;");
            break;
        case '\'':
            rc = buf_puts(out, "&#39;");
            break;
        case '&':
            rc = buf_puts(out, "&amp;");
            break;
        case '<':
            rc = buf_puts(out, "&lt;");
            break;
        case '>':
            rc = buf_puts(out, "&gt;");
            break;
        case '\0':
            rc = buf_puts(out, "\xef\xbf\xbd");
            break;
        default:
            rc = buf_putc(out, s[i]);
        }
    }
    return rc;
}

static int escape_js(const char *s, size_t n, struct buf *out)
{
    size_t i;
    int rc = 0;
    for (i = 0; rc == 0 && i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        switch (c) {
        case '\\':
            rc = buf_puts(out, "\\\\");
            break;
        case '\'':
            rc = buf_puts(out, "\\'");
            break;
        case '"':
            rc = buf_puts(out, "\\\"");
            break;
        case '<':
            rc = buf_puts(out, "\\u003C");
            break;
        case '>':
            rc = buf_puts(out, "\\u003E");
            break;
        case '&':
            rc = buf_puts(out, "\\u0026");
            break;
        case '=':
            rc = buf_puts(out, "\\u003D");
            break;
        default:
            if (c < ' ')
                rc = buf_printf(out, "\\u00%02X", c);
            else if (c == 0xc2 && i + 1 < n && (unsigned char)s[i + 1] < 0xa0 &&
                     (unsigned char)s[i + 1] >= 0x80)
                rc = buf_printf(out, "\\u%04X", (unsigned char)s[++i] & 0xff);
            else
                rc = buf_putc(out, (char)c);
        }
    }
    return rc;
}

/* url.QueryEscape */
int tmpl_url_query_escape(const char *s, size_t n, struct buf *out);
int tmpl_url_query_escape(const char *s, size_t n, struct buf *out)
{
    size_t i;
    int rc = 0;
    for (i = 0; rc == 0 && i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '_' || c == '.' || c == '~')
            rc = buf_putc(out, (char)c);
        else if (c == ' ')
            rc = buf_putc(out, '+');
        else
            rc = buf_printf(out, "%%%02X", c);
    }
    return rc;
}

static int string_result(struct buf *b, int rc, struct tmpl_value **out, struct err *e)
{
    size_t n;
    char *s;
    if (rc != 0) {
        buf_fini(b);
        return err_set(e, ERR_TOOBIG, "result exceeds the output limit");
    }
    s = buf_steal(b, &n);
    *out = tmpl_string_take(s, n);
    return 0;
}

int tmpl_builtin_call(struct tmpl_ctx *ctx, enum builtin_id id, const char *name, int argc,
                      struct tmpl_value **argv, struct tmpl_value **out, struct err *e)
{
    struct buf b, in;
    int rc;
    bool res;
    buf_init(&b, tmpl_ctx_max_output(ctx));
    switch (id) {
    case B_NOT:
        *out = tmpl_bool(!tmpl_truth(argv[0]));
        return 0;
    case B_LEN: {
        struct tmpl_value *p = NULL;
        if ((rc = tmpl_plain(argv[0], &p, e)) != 0) {
            tmpl_unref(p);
            return rc;
        }
        if (p->kind == TMPL_STRING)
            *out = tmpl_int((int64_t)p->u.str.len);
        else if (p->kind == TMPL_LIST)
            *out = tmpl_int((int64_t)p->u.list.n);
        else if (p->kind == TMPL_MAP)
            *out = tmpl_int((int64_t)p->u.map.n);
        else if (p->kind == TMPL_NULL)
            rc = err_set(e, ERR_INVALID, "len of nil pointer");
        else
            rc = err_set(e, ERR_INVALID, "len of type %s", tmpl_type_name(p));
        tmpl_unref(p);
        return rc;
    }
    case B_INDEX:
        return builtin_index(argc, argv, out, e);
    case B_SLICE:
        return builtin_slice(argc, argv, out, e);
    case B_PRINT:
        return string_result(&b, gofmt_sprint(&b, argc, argv), out, e);
    case B_PRINTLN:
        return string_result(&b, gofmt_sprintln(&b, argc, argv), out, e);
    case B_PRINTF:
        if (argv[0]->kind != TMPL_STRING) {
            buf_fini(&b);
            return wrong_type(e, "string", argv[0]);
        }
        return string_result(
            &b, gofmt_sprintf(&b, argv[0]->u.str.s, argv[0]->u.str.len, argc - 1, argv + 1), out,
            e);
    case B_HTML:
    case B_JS:
    case B_URLQUERY:
        buf_init(&in, tmpl_ctx_max_output(ctx));
        rc = escaper_input(argc, argv, &in);
        if (rc == 0) {
            if (id == B_HTML)
                rc = escape_html(buf_str(&in), in.len, &b);
            else if (id == B_JS)
                rc = escape_js(buf_str(&in), in.len, &b);
            else
                rc = tmpl_url_query_escape(buf_str(&in), in.len, &b);
        }
        buf_fini(&in);
        return string_result(&b, rc, out, e);
    case B_CALL:
        buf_fini(&b);
        if (argv[0]->kind == TMPL_NULL)
            return err_set(e, ERR_INVALID, "call of nil");
        if (argv[0]->kind != TMPL_FUNC)
            return err_set(e, ERR_INVALID, "non-function of type %s", tmpl_type_name(argv[0]));
        return argv[0]->u.func.fn(ctx, argc - 1, argv + 1, out, e);
    case B_EQ: {
        int i;
        buf_fini(&b);
        if (argc < 2)
            return err_set(e, ERR_INVALID, "missing argument for comparison");
        for (i = 1; i < argc; i++) {
            struct tmpl_value *pa = NULL, *pb = NULL;
            rc = tmpl_plain(argv[0], &pa, e);
            if (rc == 0)
                rc = tmpl_plain(argv[i], &pb, e);
            if (rc == 0)
                rc = eq2(pa, pb, &res, e);
            tmpl_unref(pa);
            tmpl_unref(pb);
            if (rc != 0)
                return rc;
            if (res)
                break;
        }
        *out = tmpl_bool(res);
        return 0;
    }
    case B_NE:
    case B_LT:
    case B_LE:
    case B_GT:
    case B_GE:
        buf_fini(&b);
        if ((rc = tmpl_compare(name, argv[0], argv[1], &res, e)) != 0)
            return rc;
        *out = tmpl_bool(res);
        return 0;
    default:
        buf_fini(&b);
        return err_set(e, ERR_INTERNAL, "unknown builtin %s", name);
    }
}

static int want_args(const char *name, int argc, int want, struct err *e)
{
    if (argc != want)
        return err_set(e, ERR_INVALID, "wrong number of args for %s: want %d got %d", name, want,
                       argc);
    return 0;
}

int tmpl_builtin_method(struct tmpl_value *recv, const char *name, int argc,
                        struct tmpl_value **argv, struct tmpl_value **out, struct err *e)
{
    int rc;
    if (recv->kind == TMPL_TIME) {
        int64_t sec = recv->u.time.sec;
        int32_t nsec = recv->u.time.nsec;
        if (strcmp(name, "Format") == 0) {
            struct buf b;
            const char *layout = NULL;
            if ((rc = want_args(name, argc, 1, e)) != 0 ||
                (rc = tmpl_arg_string(argv[0], &layout, NULL, e)) != 0)
                return rc;
            buf_init(&b, 1 << 16);
            rc = gofmt_time(&b, layout, sec, nsec, recv->u.time.offset, recv->u.time.zone);
            return string_result(&b, rc, out, e);
        }
        if (strcmp(name, "Unix") && strcmp(name, "UnixMilli") && strcmp(name, "UnixNano") &&
            strcmp(name, "UTC") && strcmp(name, "Local") && strcmp(name, "String") &&
            strcmp(name, "IsZero"))
            return ERR_NOTFOUND;
        if ((rc = want_args(name, argc, 0, e)) != 0)
            return rc;
        if (strcmp(name, "Unix") == 0) {
            *out = tmpl_int(sec);
        } else if (strcmp(name, "UnixMilli") == 0) {
            *out = tmpl_int((int64_t)((uint64_t)sec * 1000u) + nsec / 1000000);
        } else if (strcmp(name, "UnixNano") == 0) {
            *out = tmpl_int((int64_t)((uint64_t)sec * 1000000000u) + nsec);
        } else if (strcmp(name, "IsZero") == 0) {
            *out = tmpl_bool(sec == TMPL_TIME_ZERO_SEC && nsec == 0);
        } else if (strcmp(name, "String") == 0) {
            struct buf b;
            buf_init(&b, 0);
            return string_result(&b, tmpl_value_print(recv, &b), out, e);
        } else if (strcmp(name, "Local") == 0) {
            int32_t off = 0;
            char abbr[16];
            if ((rc = gotz_lookup("Local", sec, &off, abbr, sizeof(abbr), e)) != 0)
                return rc;
            *out = tmpl_time_sec(sec, nsec, off, abbr);
        } else {
            *out = tmpl_time_sec(sec, nsec, 0, "UTC");
        }
        return 0;
    }
    if (recv->kind == TMPL_DURATION) {
        int64_t d = recv->u.dur_ns;
        if (argc != 0)
            return ERR_NOTFOUND;
        if (strcmp(name, "Seconds") == 0)
            *out = tmpl_float((double)d / 1e9);
        else if (strcmp(name, "Minutes") == 0)
            *out = tmpl_float((double)d / 60e9);
        else if (strcmp(name, "Hours") == 0)
            *out = tmpl_float((double)d / 3600e9);
        else if (strcmp(name, "Milliseconds") == 0)
            *out = tmpl_int(d / 1000000);
        else if (strcmp(name, "Nanoseconds") == 0)
            *out = tmpl_int(d);
        else if (strcmp(name, "String") == 0) {
            struct buf b;
            buf_init(&b, 0);
            return string_result(&b, gofmt_duration(&b, d), out, e);
        } else
            return ERR_NOTFOUND;
        return 0;
    }
    return ERR_NOTFOUND;
}
