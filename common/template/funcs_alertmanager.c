/* SPDX-License-Identifier: Apache-2.0 */
/* Alertmanager's template functions (template/template.go DefaultFuncs) and its KV / Pairs /
 * Alerts types with their methods, plus toJson in encoding/json's format. */
#include "common/template/funcs_alertmanager.h"

#include <math.h>
#include <string.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/labels.h"
#include "common/template/funcs_util.h"
#include "common/template/gofmt.h"
#include "common/template/gotime.h"
#include "common/template/gotz.h"
#include "common/timeutil.h"
#include "common/xalloc.h"

#define UNUSED_CTX (void)ctx, (void)argc

static void unref_ptr(void *p)
{
    tmpl_unref(p);
}

static int conv_ptr(void *p, struct tmpl_value **out, struct err *e)
{
    (void)e;
    *out = tmpl_ref(p);
    return 0;
}

/* ---- Pair, Pairs ---- */

static const char *const pair_fields[] = {"Name", "Value"};
static const struct tmpl_struct_type pair_type = TMPL_STRUCT_TYPE("template.Pair", pair_fields, 2);

static struct tmpl_value *pairs_field(struct tmpl_value *pairs, int field)
{
    struct tmpl_value *l = tmpl_list();
    size_t i;
    for (i = 0; i < pairs->u.list.n; i++) {
        struct tmpl_value *v = tmpl_struct_field(pairs->u.list.v[i], field);
        tmpl_list_push(l, v ? tmpl_ref(v) : tmpl_string(""));
    }
    return l;
}

static int pairs_get(void *ptr, const char *name, int argc, struct tmpl_value **argv,
                     struct tmpl_value **out, struct err *e)
{
    struct tmpl_value *pairs = ptr;
    (void)argv;
    if (strcmp(name, "Names") != 0 && strcmp(name, "Values") != 0)
        return ERR_NOTFOUND;
    if (argc != 0)
        return err_set(e, ERR_INVALID, "wrong number of args for %s: want 0 got %d", name, argc);
    *out = pairs_field(pairs, name[0] == 'N' ? 0 : 1);
    return 0;
}

/* Alertmanager 0.25 prints Pairs as the slice of structs it is ("[{a b} {c d}]"). */
static const struct tmpl_object_type pairs_type = {
    "template.Pairs", pairs_get, conv_ptr, unref_ptr, NULL,
};

/* ---- KV ---- */

static struct tmpl_value *kv_sorted_pairs(struct tmpl_value *map)
{
    struct tmpl_value *l = tmpl_list();
    size_t i;
    for (i = 0; i < map->u.map.n; i++) {
        struct tmpl_value *f[2], *p;
        f[0] = tmpl_string(map->u.map.v[i].key);
        f[1] = tmpl_ref(map->u.map.v[i].val);
        p = tmpl_struct(&pair_type, f);
        if (strcmp(map->u.map.v[i].key, "alertname") == 0) {
            /* alertname first, the rest sorted */
            tmpl_list_push(l, NULL);
            memmove(&l->u.list.v[1], &l->u.list.v[0], (l->u.list.n - 1) * sizeof(p));
            l->u.list.v[0] = p;
        } else {
            tmpl_list_push(l, p);
        }
    }
    return l;
}

static int pairs_string(struct tmpl_value *pairs, struct buf *out)
{
    size_t i;
    int rc = 0;
    for (i = 0; rc == 0 && i < pairs->u.list.n; i++) {
        struct tmpl_value *n = tmpl_struct_field(pairs->u.list.v[i], 0);
        struct tmpl_value *v = tmpl_struct_field(pairs->u.list.v[i], 1);
        rc = buf_printf(out, "%s=%s%s", n ? n->u.str.s : "", v ? v->u.str.s : "",
                        i + 1 < pairs->u.list.n ? ", " : "");
    }
    return rc;
}

static int kv_get(void *ptr, const char *name, int argc, struct tmpl_value **argv,
                  struct tmpl_value **out, struct err *e)
{
    struct tmpl_value *map = ptr, *pairs;
    int want = strcmp(name, "Remove") == 0 ? 1 : 0;
    if (strcmp(name, "SortedPairs") && strcmp(name, "Names") && strcmp(name, "Values") &&
        strcmp(name, "Remove") && strcmp(name, "String"))
        return ERR_NOTFOUND;
    if (argc != want)
        return err_set(e, ERR_INVALID, "wrong number of args for %s: want %d got %d", name, want,
                       argc);
    if (strcmp(name, "Remove") == 0) {
        struct tmpl_value *res = tmpl_map(TMPL_STRING), *keys = NULL;
        size_t i, k;
        int rc = tmpl_plain(argv[0], &keys, e);
        if (rc == 0 && keys->kind != TMPL_LIST)
            rc = err_set(e, ERR_INVALID, "wrong type for value; expected []string; got %s",
                         tmpl_type_name(keys));
        for (i = 0; rc == 0 && i < map->u.map.n; i++) {
            bool drop = false;
            for (k = 0; k < keys->u.list.n && !drop; k++) {
                struct tmpl_value *kk = keys->u.list.v[k];
                drop = kk->kind == TMPL_STRING && strcmp(kk->u.str.s, map->u.map.v[i].key) == 0;
            }
            if (!drop)
                tmpl_map_set(res, map->u.map.v[i].key, tmpl_ref(map->u.map.v[i].val));
        }
        tmpl_unref(keys);
        if (rc != 0) {
            tmpl_unref(res);
            return rc;
        }
        *out = tmpl_am_kv_from_map(res);
        return 0;
    }
    pairs = kv_sorted_pairs(map);
    if (strcmp(name, "SortedPairs") == 0) {
        *out = tmpl_object(&pairs_type, pairs);
        return 0;
    }
    if (strcmp(name, "String") == 0) {
        struct buf b;
        buf_init(&b, 0);
        pairs_string(pairs, &b);
        *out = tfu_take_string(&b);
    } else {
        *out = pairs_field(pairs, name[0] == 'N' ? 0 : 1);
    }
    tmpl_unref(pairs);
    return 0;
}

/* Alertmanager 0.25's KV has no String method: it prints as the map it is. */
static const struct tmpl_object_type kv_type = {
    "template.KV", kv_get, conv_ptr, unref_ptr, NULL,
};

struct tmpl_value *tmpl_am_kv_from_map(struct tmpl_value *map)
{
    return tmpl_object(&kv_type, map);
}

struct tmpl_value *tmpl_am_kv(const struct labels *ls)
{
    struct tmpl_value *m = tmpl_map(TMPL_STRING);
    size_t i;
    for (i = 0; ls && i < ls->n; i++)
        tmpl_map_set_str(m, ls->v[i].name, ls->v[i].value);
    return tmpl_am_kv_from_map(m);
}

/* ---- Alerts ---- */

static int alerts_get(void *ptr, const char *name, int argc, struct tmpl_value **argv,
                      struct tmpl_value **out, struct err *e)
{
    struct tmpl_value *list = ptr, *res;
    const char *want;
    size_t i;
    (void)argv;
    if (strcmp(name, "Firing") == 0)
        want = "firing";
    else if (strcmp(name, "Resolved") == 0)
        want = "resolved";
    else
        return ERR_NOTFOUND;
    if (argc != 0)
        return err_set(e, ERR_INVALID, "wrong number of args for %s: want 0 got %d", name, argc);
    res = tmpl_list();
    for (i = 0; i < list->u.list.n; i++) {
        struct tmpl_value *a = list->u.list.v[i], *st = NULL;
        if (a->kind == TMPL_MAP)
            st = tmpl_map_get(a, "Status");
        else if (a->kind == TMPL_OBJECT &&
                 a->u.obj.type->get(a->u.obj.ptr, "Status", 0, NULL, &st, NULL) == 0) {
            tmpl_unref(st); /* objects hand out a new reference; the alert keeps its own */
        }
        if (st && st->kind == TMPL_STRING && strcmp(st->u.str.s, want) == 0)
            tmpl_list_push(res, tmpl_ref(a));
    }
    *out = res;
    return 0;
}

static const struct tmpl_object_type alerts_type = {
    "template.Alerts", alerts_get, conv_ptr, unref_ptr, NULL,
};

struct tmpl_value *tmpl_am_alerts(struct tmpl_value *list)
{
    return tmpl_object(&alerts_type, list);
}

static const char *const alert_fields[] = {"Status", "Labels",       "Annotations", "StartsAt",
                                           "EndsAt", "GeneratorURL", "Fingerprint"};
static const struct tmpl_struct_type alert_type =
    TMPL_STRUCT_TYPE("template.Alert", alert_fields, 7);

struct tmpl_value *tmpl_am_alert(const char *status, struct tmpl_value *labels,
                                 struct tmpl_value *annotations, struct tmpl_value *starts_at,
                                 struct tmpl_value *ends_at, const char *generator_url,
                                 const char *fingerprint)
{
    struct tmpl_value *f[7];
    f[0] = tmpl_string(status ? status : "");
    f[1] = labels ? labels : tmpl_am_kv(NULL);
    f[2] = annotations ? annotations : tmpl_am_kv(NULL);
    f[3] = starts_at ? starts_at : tmpl_time_sec(TMPL_TIME_ZERO_SEC, 0, 0, "UTC");
    f[4] = ends_at ? ends_at : tmpl_time_sec(TMPL_TIME_ZERO_SEC, 0, 0, "UTC");
    f[5] = tmpl_string(generator_url ? generator_url : "");
    f[6] = tmpl_string(fingerprint ? fingerprint : "");
    return tmpl_struct(&alert_type, f);
}

static const char *const data_fields[] = {"Receiver",    "Status",       "Alerts",
                                          "GroupLabels", "CommonLabels", "CommonAnnotations",
                                          "ExternalURL"};
static const struct tmpl_struct_type data_type = TMPL_STRUCT_TYPE("*template.Data", data_fields, 7);

struct tmpl_value *tmpl_am_data(const char *receiver, const char *status, struct tmpl_value *alerts,
                                struct tmpl_value *group_labels, struct tmpl_value *common_labels,
                                struct tmpl_value *common_annotations, const char *external_url)
{
    struct tmpl_value *f[7];
    f[0] = tmpl_string(receiver ? receiver : "");
    f[1] = tmpl_string(status ? status : "");
    f[2] = alerts ? alerts : tmpl_am_alerts(tmpl_list());
    f[3] = group_labels ? group_labels : tmpl_am_kv(NULL);
    f[4] = common_labels ? common_labels : tmpl_am_kv(NULL);
    f[5] = common_annotations ? common_annotations : tmpl_am_kv(NULL);
    f[6] = tmpl_string(external_url ? external_url : "");
    return tmpl_struct(&data_type, f);
}

/* ---- functions ---- */

/* cases.Title: first letter of each word upper-cased, the rest lower-cased. */
static int fn_title(struct tmpl_ctx *ctx, int argc, struct tmpl_value **argv,
                    struct tmpl_value **out, struct err *e)
{
    const char *s;
    size_t n;
    int rc;
    struct buf b;
    UNUSED_CTX;
    if ((rc = tmpl_arg_string(argv[0], &s, &n, e)) != 0)
        return rc;
    buf_init(&b, 0);
    tfu_map_case(s, n, TFU_TITLE_LOWER_REST, &b);
    *out = tfu_take_string(&b);
    return 0;
}

static bool is_go_space(const unsigned char *s, size_t n, size_t *len)
{
    *len = 1;
    if (s[0] == ' ' || (s[0] >= '\t' && s[0] <= '\r'))
        return true;
    if (n >= 2 && s[0] == 0xc2 && (s[1] == 0x85 || s[1] == 0xa0)) {
        *len = 2;
        return true;
    }
    return false;
}

static int fn_trim_space(struct tmpl_ctx *ctx, int argc, struct tmpl_value **argv,
                         struct tmpl_value **out, struct err *e)
{
    const char *s;
    size_t n, a = 0, b, l;
    int rc;
    UNUSED_CTX;
    if ((rc = tmpl_arg_string(argv[0], &s, &n, e)) != 0)
        return rc;
    while (a < n && is_go_space((const unsigned char *)s + a, n - a, &l))
        a += l;
    b = n;
    while (b > a) {
        if (is_go_space((const unsigned char *)s + b - 1, 1, &l)) {
            b--;
        } else if (b - a >= 2 && is_go_space((const unsigned char *)s + b - 2, 2, &l) && l == 2) {
            b -= 2;
        } else {
            break;
        }
    }
    *out = tmpl_string_n(s + a, b - a);
    return 0;
}

static int string_list(struct tmpl_value *v, struct tmpl_value **out, struct err *e)
{
    size_t i;
    int rc = tmpl_plain(v, out, e);
    if (rc != 0)
        return rc;
    if ((*out)->kind != TMPL_LIST)
        goto bad;
    for (i = 0; i < (*out)->u.list.n; i++) {
        if ((*out)->u.list.v[i]->kind != TMPL_STRING)
            goto bad;
    }
    return 0;
bad:
    err_set(e, ERR_INVALID, "wrong type for value; expected []string; got %s", tmpl_type_name(v));
    tmpl_unref(*out);
    *out = NULL;
    return ERR_INVALID;
}

static int fn_join(struct tmpl_ctx *ctx, int argc, struct tmpl_value **argv,
                   struct tmpl_value **out, struct err *e)
{
    const char *sep;
    size_t seplen, i;
    struct tmpl_value *l = NULL;
    struct buf b;
    int rc;
    (void)argc;
    if ((rc = tmpl_arg_string(argv[0], &sep, &seplen, e)) != 0 ||
        (rc = string_list(argv[1], &l, e)) != 0)
        return rc;
    buf_init(&b, tmpl_ctx_max_output(ctx));
    for (i = 0; rc == 0 && i < l->u.list.n; i++) {
        if (i > 0)
            rc = buf_append(&b, sep, seplen);
        if (rc == 0)
            rc = buf_append(&b, l->u.list.v[i]->u.str.s, l->u.list.v[i]->u.str.len);
    }
    tmpl_unref(l);
    if (rc != 0) {
        buf_fini(&b);
        return err_set(e, ERR_TOOBIG, "result exceeds the output limit");
    }
    *out = tfu_take_string(&b);
    return 0;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static int fn_url_unescape(struct tmpl_ctx *ctx, int argc, struct tmpl_value **argv,
                           struct tmpl_value **out, struct err *e)
{
    const char *s;
    size_t n, i;
    struct buf b;
    int rc;
    UNUSED_CTX;
    if ((rc = tmpl_arg_string(argv[0], &s, &n, e)) != 0)
        return rc;
    buf_init(&b, 0);
    for (i = 0; i < n; i++) {
        if (s[i] == '%') {
            if (i + 2 >= n + 0 || hexval(s[i + 1]) < 0 || hexval(s[i + 2]) < 0) {
                size_t l = n - i < 3 ? n - i : 3;
                buf_fini(&b);
                return err_set(e, ERR_INVALID, "invalid URL escape \"%.*s\"", (int)l, s + i);
            }
            buf_putc(&b, (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2])));
            i += 2;
        } else {
            buf_putc(&b, s[i] == '+' ? ' ' : s[i]);
        }
    }
    *out = tfu_take_string(&b);
    return 0;
}

static int fn_string_slice(struct tmpl_ctx *ctx, int argc, struct tmpl_value **argv,
                           struct tmpl_value **out, struct err *e)
{
    struct tmpl_value *l;
    const char *s;
    int i, rc;
    (void)ctx;
    for (i = 0; i < argc; i++) {
        if ((rc = tmpl_arg_string(argv[i], &s, NULL, e)) != 0)
            return rc;
    }
    l = tmpl_list();
    for (i = 0; i < argc; i++)
        tmpl_list_push(l, tmpl_ref(argv[i]));
    *out = l;
    return 0;
}

static int want_time(const struct tmpl_value *v, struct err *e)
{
    if (v->kind != TMPL_TIME)
        return err_set(e, ERR_INVALID, "wrong type for value; expected time.Time; got %s",
                       tmpl_type_name(v));
    return 0;
}

static int fn_date(struct tmpl_ctx *ctx, int argc, struct tmpl_value **argv,
                   struct tmpl_value **out, struct err *e)
{
    const char *layout;
    struct buf b;
    int rc;
    (void)argc;
    if ((rc = tmpl_arg_string(argv[0], &layout, NULL, e)) != 0 || (rc = want_time(argv[1], e)) != 0)
        return rc;
    buf_init(&b, tmpl_ctx_max_output(ctx));
    if (gofmt_time(&b, layout, argv[1]->u.time.sec, argv[1]->u.time.nsec, argv[1]->u.time.offset,
                   argv[1]->u.time.zone) != 0) {
        buf_fini(&b);
        return err_set(e, ERR_TOOBIG, "result exceeds the output limit");
    }
    *out = tfu_take_string(&b);
    return 0;
}

static int fn_tz(struct tmpl_ctx *ctx, int argc, struct tmpl_value **argv, struct tmpl_value **out,
                 struct err *e)
{
    const char *name;
    int rc;
    UNUSED_CTX;
    if ((rc = tmpl_arg_string(argv[0], &name, NULL, e)) != 0 || (rc = want_time(argv[1], e)) != 0)
        return rc;
    {
        int64_t secs = argv[1]->u.time.sec;
        int32_t off = 0;
        char abbr[16];
        if ((rc = gotz_lookup(name, secs, &off, abbr, sizeof(abbr), e)) != 0)
            return rc;
        *out = tmpl_time_sec(secs, argv[1]->u.time.nsec, off, abbr);
    }
    return 0;
}

static int fn_since(struct tmpl_ctx *ctx, int argc, struct tmpl_value **argv,
                    struct tmpl_value **out, struct err *e)
{
    const struct tmpl_am_opts *o = tmpl_ctx_func_user(ctx);
    int64_t now_ms = o && o->now_ms ? o->now_ms : time_now_ms();
    int rc;
    (void)argc;
    if ((rc = want_time(argv[0], e)) != 0)
        return rc;
    {
        /* time.Since saturates at the Duration range */
        int64_t now_s = now_ms / 1000, now_ns = (now_ms % 1000) * 1000000;
        int64_t ds = now_s - argv[0]->u.time.sec;
        int64_t dn = now_ns - argv[0]->u.time.nsec;
        if (ds > INT64_MAX / 1000000000 - 1)
            *out = tmpl_duration(INT64_MAX);
        else if (ds < INT64_MIN / 1000000000 + 1)
            *out = tmpl_duration(INT64_MIN);
        else
            *out = tmpl_duration(ds * 1000000000 + dn);
    }
    return 0;
}

static int json_string(struct buf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    size_t i;
    int rc = buf_putc(b, '"');
    for (i = 0; rc == 0 && i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            rc = buf_putc(b, '\\');
            if (rc == 0)
                rc = buf_putc(b, (char)c);
        } else if (c == '\n') {
            rc = buf_puts(b, "\\n");
        } else if (c == '\r') {
            rc = buf_puts(b, "\\r");
        } else if (c == '\t') {
            rc = buf_puts(b, "\\t");
        } else if (c < 0x20 || c == '<' || c == '>' || c == '&') {
            rc = buf_printf(b, "\\u00%c%c", hex[c >> 4], hex[c & 15]);
        } else if (c == 0xe2 && i + 2 < n && (unsigned char)s[i + 1] == 0x80 &&
                   ((unsigned char)s[i + 2] == 0xa8 || (unsigned char)s[i + 2] == 0xa9)) {
            rc = buf_printf(b, "\\u202%c", (unsigned char)s[i + 2] == 0xa8 ? '8' : '9');
            i += 2;
        } else {
            rc = buf_putc(b, (char)c);
        }
    }
    return rc ? rc : buf_putc(b, '"');
}

static int json_value(struct buf *b, struct tmpl_value *v, int depth, struct err *e)
{
    size_t i;
    int rc = 0;
    if (depth > 100)
        return err_set(e, ERR_LIMIT, "json: nesting too deep");
    if (v == NULL)
        return buf_puts(b, "null");
    switch (v->kind) {
    case TMPL_NULL:
        return buf_puts(b, "null");
    case TMPL_BOOL:
        return buf_puts(b, v->u.b ? "true" : "false");
    case TMPL_INT:
        return buf_printf(b, "%lld", (long long)v->u.i);
    case TMPL_DURATION:
        return buf_printf(b, "%lld", (long long)v->u.dur_ns);
    case TMPL_FLOAT: {
        double a = fabs(v->u.f);
        size_t start = b->len;
        if (isnan(v->u.f) || isinf(v->u.f)) {
            struct buf t;
            buf_init(&t, 0);
            gofmt_float(&t, v->u.f, 'g', -1);
            err_set(e, ERR_INVALID, "json: unsupported value: %s", buf_str(&t));
            buf_fini(&t);
            return ERR_INVALID;
        }
        rc = gofmt_float(b, v->u.f, (a != 0 && (a < 1e-6 || a >= 1e21)) ? 'e' : 'f', -1);
        if (rc == 0 && b->len - start >= 4 && b->data[b->len - 4] == 'e' &&
            b->data[b->len - 3] == '-' && b->data[b->len - 2] == '0') {
            b->data[b->len - 2] = b->data[b->len - 1];
            b->data[--b->len] = '\0';
        }
        return rc;
    }
    case TMPL_STRING:
        return json_string(b, v->u.str.s, v->u.str.len);
    case TMPL_TIME: {
        struct buf t;
        buf_init(&t, 0);
        gofmt_time(&t, "2006-01-02T15:04:05.999999999Z07:00", v->u.time.sec, v->u.time.nsec,
                   v->u.time.offset, v->u.time.zone);
        rc = json_string(b, buf_str(&t), t.len);
        buf_fini(&t);
        return rc;
    }
    case TMPL_LIST:
        rc = buf_putc(b, '[');
        for (i = 0; rc == 0 && i < v->u.list.n; i++) {
            if (i > 0)
                rc = buf_putc(b, ',');
            if (rc == 0)
                rc = json_value(b, v->u.list.v[i], depth + 1, e);
        }
        return rc ? rc : buf_putc(b, ']');
    case TMPL_MAP:
        rc = buf_putc(b, '{');
        for (i = 0; rc == 0 && i < v->u.map.n; i++) {
            if (i > 0)
                rc = buf_putc(b, ',');
            if (rc == 0)
                rc = json_string(b, v->u.map.v[i].key, strlen(v->u.map.v[i].key));
            if (rc == 0)
                rc = buf_putc(b, ':');
            if (rc == 0)
                rc = json_value(b, v->u.map.v[i].val, depth + 1, e);
        }
        return rc ? rc : buf_putc(b, '}');
    case TMPL_OBJECT: {
        struct tmpl_value *p = NULL;
        if (v->u.obj.type->convert && tmpl_plain(v, &p, e) == 0 && p->kind != TMPL_OBJECT)
            rc = json_value(b, p, depth + 1, e);
        else
            rc = err_set(e, ERR_INVALID, "json: unsupported type: %s", tmpl_type_name(v));
        tmpl_unref(p);
        return rc;
    }
    case TMPL_FUNC:
        return err_set(e, ERR_INVALID, "json: unsupported type: func");
    }
    return 0;
}

static int fn_to_json(struct tmpl_ctx *ctx, int argc, struct tmpl_value **argv,
                      struct tmpl_value **out, struct err *e)
{
    struct buf b;
    int rc;
    (void)argc;
    buf_init(&b, tmpl_ctx_max_output(ctx));
    rc = json_value(&b, argv[0], 0, e);
    if (rc != 0) {
        buf_fini(&b);
        if (rc == ERR_TOOBIG)
            return err_set(e, ERR_TOOBIG, "result exceeds the output limit");
        return rc;
    }
    *out = tfu_take_string(&b);
    return 0;
}

void tmpl_funcs_add_alertmanager(struct tmpl_funcs *f, const struct tmpl_am_opts *opts)
{
    void *u = (void *)opts;
    tmpl_funcs_add(f, "toUpper", tfu_fn_to_upper, u, 1, 1);
    tmpl_funcs_add(f, "toLower", tfu_fn_to_lower, u, 1, 1);
    tmpl_funcs_add(f, "title", fn_title, u, 1, 1);
    tmpl_funcs_add(f, "trimSpace", fn_trim_space, u, 1, 1);
    tmpl_funcs_add(f, "join", fn_join, u, 2, 2);
    tmpl_funcs_add(f, "match", tfu_fn_match, u, 2, 2);
    tmpl_funcs_add(f, "safeHtml", tfu_fn_safe_html, u, 1, 1);
    tmpl_funcs_add(f, "safeUrl", tfu_fn_safe_url, u, 1, 1);
    tmpl_funcs_add(f, "urlUnescape", fn_url_unescape, u, 1, 1);
    tmpl_funcs_add(f, "reReplaceAll", tfu_fn_re_replace_all, u, 3, 3);
    tmpl_funcs_add(f, "stringSlice", fn_string_slice, u, 0, -1);
    tmpl_funcs_add(f, "date", fn_date, u, 2, 2);
    tmpl_funcs_add(f, "tz", fn_tz, u, 2, 2);
    tmpl_funcs_add(f, "since", fn_since, u, 1, 1);
    tmpl_funcs_add(f, "humanizeDuration", tfu_fn_humanize_duration, u, 1, 1);
    tmpl_funcs_add(f, "toJson", fn_to_json, u, 1, 1);
}
