/* SPDX-License-Identifier: Apache-2.0 */
/* Executor for parsed Go templates: walks trees with Go's evaluation rules (pipelines, fields,
 * methods, variables, if/with/range/template/break/continue) and Go's error texts, enforcing
 * output, depth and iteration limits. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/template/template_int.h"
#include "common/xalloc.h"

#define WALK_BREAK    1
#define WALK_CONTINUE 2

#define DEFAULT_MAX_OUTPUT (1u << 20)
#define DEFAULT_MAX_DEPTH  1000
#define DEFAULT_MAX_ITER   1000000L
/* Recursion of walk/pipeline frames (template calls times nesting inside each); beyond this the
 * C stack would be at risk, so execution fails like Go's depth limit. */
#define MAX_NEST 3000

static int vfail(struct tmpl_ctx *c, int code, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

static int vfail(struct tmpl_ctx *c, int code, const char *fmt, va_list ap)
{
    char msg[1024];
    if (c->failed)
        return code;
    c->failed = true;
    vsnprintf(msg, sizeof(msg), fmt, ap);
    if (c->at && c->at->tree) {
        const struct tree *t = c->at->tree;
        size_t pos = c->at->pos, k, lastnl = (size_t)-1;
        int line = 1;
        struct buf ctxs;
        for (k = 0; k < pos && t->text[k]; k++) {
            if (t->text[k] == '\n') {
                line++;
                lastnl = k;
            }
        }
        buf_init(&ctxs, 512);
        tmpl_node_string(c->at, &ctxs);
        err_set(c->e, code, "template: %s:%d:%zu: executing \"%s\" at <%s>: %s", t->parse_name,
                line, lastnl == (size_t)-1 ? pos : pos - lastnl - 1, c->tmpl->name, buf_str(&ctxs),
                msg);
        buf_fini(&ctxs);
    } else {
        err_set(c->e, code, "template: %s: %s", c->tmpl ? c->tmpl->name : "", msg);
    }
    return code;
}

__attribute__((format(printf, 2, 3))) static int fail(struct tmpl_ctx *c, const char *fmt, ...)
{
    va_list ap;
    int rc;
    va_start(ap, fmt);
    rc = vfail(c, ERR_INVALID, fmt, ap);
    va_end(ap);
    return rc;
}

__attribute__((format(printf, 3, 4))) static int fail_code(struct tmpl_ctx *c, int code,
                                                           const char *fmt, ...)
{
    va_list ap;
    int rc;
    va_start(ap, fmt);
    rc = vfail(c, code, fmt, ap);
    va_end(ap);
    return rc;
}

static int write_out(struct tmpl_ctx *c, const char *s, size_t n)
{
    if (c->out->len + n > c->limit || buf_append(c->out, s, n) != 0)
        return fail_code(c, ERR_TOOBIG, "output exceeds the limit of %zu bytes",
                         c->opts.max_output);
    return 0;
}

static void push_var(struct tmpl_ctx *c, const char *name, struct tmpl_value *v)
{
    if (c->nvars == c->capvars) {
        c->capvars = c->capvars ? c->capvars * 2 : 16;
        c->vars = xreallocarray(c->vars, c->capvars, sizeof(*c->vars));
    }
    c->vars[c->nvars].name = name;
    c->vars[c->nvars].val = v;
    c->nvars++;
}

static void pop_vars(struct tmpl_ctx *c, size_t mark)
{
    while (c->nvars > mark) {
        c->nvars--;
        tmpl_unref(c->vars[c->nvars].val);
    }
}

static struct tmpl_value *lookup_var(struct tmpl_ctx *c, const char *name)
{
    size_t i = c->nvars;
    while (i > c->var_base) {
        i--;
        if (strcmp(c->vars[i].name, name) == 0)
            return c->vars[i].val;
    }
    return NULL;
}

static int set_var(struct tmpl_ctx *c, const char *name, struct tmpl_value *v)
{
    size_t i = c->nvars;
    while (i > c->var_base) {
        i--;
        if (strcmp(c->vars[i].name, name) == 0) {
            tmpl_unref(c->vars[i].val);
            c->vars[i].val = tmpl_ref(v);
            return 0;
        }
    }
    return fail(c, "undefined variable: %s", name);
}

static void set_top_var(struct tmpl_ctx *c, size_t k, struct tmpl_value *v)
{
    tmpl_unref(c->vars[c->nvars - k].val);
    c->vars[c->nvars - k].val = tmpl_ref(v);
}

static int eval_pipeline(struct tmpl_ctx *c, struct tmpl_value *dot, const struct node *pipe,
                         struct tmpl_value **out);
static int walk(struct tmpl_ctx *c, struct tmpl_value *dot, const struct node *n);

/* Arguments after the command word plus the piped final value. */
struct argset {
    struct node *const *nodes; /* including the command word at [0] */
    int nnodes;
    struct tmpl_value *final; /* borrowed; valid when has_final */
    bool has_final;
};

static int eval_arg(struct tmpl_ctx *c, struct tmpl_value *dot, const struct node *n,
                    struct tmpl_value **out);

static void free_argv(struct tmpl_value **argv, int argc)
{
    int i;
    for (i = 0; i < argc; i++)
        tmpl_unref(argv[i]);
    xfree(argv);
}

/* Evaluates the arguments into a new array (each a new reference). */
static int eval_args(struct tmpl_ctx *c, struct tmpl_value *dot, const struct argset *a,
                     struct tmpl_value ***argvp, int *argcp)
{
    int argc = (a->nnodes > 0 ? a->nnodes - 1 : 0) + (a->has_final ? 1 : 0), i, rc;
    struct tmpl_value **argv = xcalloc((size_t)argc + 1, sizeof(*argv));
    for (i = 1; i < a->nnodes; i++) {
        if ((rc = eval_arg(c, dot, a->nodes[i], &argv[i - 1])) != 0) {
            free_argv(argv, argc);
            return rc;
        }
    }
    if (a->has_final)
        argv[argc - 1] = tmpl_ref(a->final ? a->final : NULL);
    if (a->has_final && argv[argc - 1] == NULL)
        argv[argc - 1] = tmpl_null();
    *argvp = argv;
    *argcp = argc;
    return 0;
}

static bool has_args(const struct argset *a)
{
    return a && (a->nnodes > 1 || a->has_final);
}

static int not_a_function(struct tmpl_ctx *c, const struct argset *a)
{
    if (has_args(a)) {
        struct buf b;
        int rc;
        buf_init(&b, 256);
        tmpl_node_string(a->nodes[0], &b);
        rc = fail(c, "can't give argument to non-function %s", buf_str(&b));
        buf_fini(&b);
        return rc;
    }
    return 0;
}

static struct tmpl_value *zero_of(enum tmpl_kind k)
{
    switch (k) {
    case TMPL_STRING:
        return tmpl_string("");
    case TMPL_INT:
        return tmpl_int(0);
    case TMPL_FLOAT:
        return tmpl_float(0);
    case TMPL_BOOL:
        return tmpl_bool(false);
    default:
        return tmpl_null();
    }
}

/* Calls fn (a registered function, a builtin, or a function value) on evaluated args. */
static int eval_call(struct tmpl_ctx *c, struct tmpl_value *dot, const struct node *at,
                     const char *name, const struct func_entry *fe, enum builtin_id bid,
                     const struct argset *a, struct tmpl_value **out)
{
    struct tmpl_value **argv = NULL;
    int argc = 0, rc, min = 0, max = -1, nin;
    struct err e2;
    const struct func_entry *saved;
    nin = (a->nnodes > 0 ? a->nnodes - 1 : 0) + (a->has_final ? 1 : 0);
    if (fe) {
        min = fe->min_args;
        max = fe->max_args;
    } else {
        tmpl_builtin_arity(bid, &min, &max);
    }
    /* arity errors point at the function name (the node last evaluated), as in Go */
    if (max < 0 && nin < min)
        return fail(c, "wrong number of args for %s: want at least %d got %d", name, min, nin);
    if (max >= 0 && (nin < min || nin > max))
        return fail(c, "wrong number of args for %s: want %d got %d", name, nin < min ? min : max,
                    nin);
    if (bid == B_PRINTF && a->nnodes > 1) {
        /* Go type-checks printf's format argument while evaluating it */
        const struct node *fmtn = a->nodes[1];
        if (fmtn->kind == N_NUMBER || fmtn->kind == N_BOOL) {
            struct buf b;
            buf_init(&b, 256);
            tmpl_node_string(fmtn, &b);
            c->at = fmtn;
            rc = fail(c, "expected string; found %s", buf_str(&b));
            buf_fini(&b);
            return rc;
        }
    }
    if (bid == B_AND || bid == B_OR) {
        struct tmpl_value *v = NULL;
        int i;
        for (i = 1; i < a->nnodes; i++) {
            tmpl_unref(v);
            if ((rc = eval_arg(c, dot, a->nodes[i], &v)) != 0)
                return rc;
            if (tmpl_truth(v) == (bid == B_OR)) {
                *out = v;
                return 0;
            }
        }
        if (a->has_final) {
            tmpl_unref(v);
            v = a->final ? tmpl_ref(a->final) : tmpl_null();
        }
        *out = v;
        return 0;
    }
    if ((rc = eval_args(c, dot, a, &argv, &argc)) != 0)
        return rc;
    if (bid == B_PRINTF && argv[0]->kind != TMPL_STRING) {
        const char *tn = tmpl_type_name(argv[0]);
        if (a->nnodes > 1)
            c->at = a->nodes[1];
        free_argv(argv, argc);
        return fail(c, "wrong type for value; expected string; got %s", tn);
    }
    err_clear(&e2);
    saved = c->cur_func;
    c->cur_func = fe;
    *out = NULL;
    if (fe)
        rc = fe->fn(c, argc, argv, out, &e2);
    else
        rc = tmpl_builtin_call(c, bid, name, argc, argv, out, &e2);
    c->cur_func = saved;
    free_argv(argv, argc);
    if (rc != 0) {
        tmpl_unref(*out);
        *out = NULL;
        if (c->failed)
            return rc;
        c->at = at;
        return fail_code(c, rc == ERR_TOOBIG || rc == ERR_LIMIT ? rc : ERR_INVALID,
                         "error calling %s: %s", name, e2.msg);
    }
    if (*out == NULL)
        *out = tmpl_null();
    return 0;
}

static int eval_function(struct tmpl_ctx *c, struct tmpl_value *dot, const struct node *ident,
                         const struct node *cmd, const struct argset *a, struct tmpl_value **out)
{
    const struct tmpl_set *s;
    const struct func_entry *fe = NULL;
    enum builtin_id bid = B_NONE;
    c->at = ident;
    for (s = c->set; s && !fe; s = s->parent)
        fe = tmpl_funcs_lookup(s->funcs, ident->text, ident->len);
    if (!fe)
        bid = tmpl_builtin_lookup(ident->text, ident->len);
    if (!fe && bid == B_NONE)
        return fail(c, "\"%s\" is not a defined function", ident->text);
    return eval_call(c, dot, cmd, ident->text, fe, bid, a, out);
}

/* One field or method step on receiver; args only for the last step of a chain. */
static int eval_field(struct tmpl_ctx *c, struct tmpl_value *dot, const char *name,
                      const struct node *at, const struct argset *a, struct tmpl_value *recv,
                      struct tmpl_value **out)
{
    struct tmpl_value *v;
    int rc;
    *out = NULL;
    if (recv == NULL || recv->kind == TMPL_NULL) {
        if (c->opts.missingkey == TMPL_MISSINGKEY_ERROR)
            return fail(c, "nil data; no entry for key \"%s\"", name);
        *out = tmpl_null();
        return 0;
    }
    if (recv->kind == TMPL_OBJECT || recv->kind == TMPL_TIME || recv->kind == TMPL_DURATION) {
        struct tmpl_value **argv = NULL;
        int argc = 0;
        struct err e2;
        struct argset none = {0};
        if ((rc = eval_args(c, dot, a ? a : &none, &argv, &argc)) != 0)
            return rc;
        err_clear(&e2);
        if (recv->kind == TMPL_OBJECT)
            rc = recv->u.obj.type->get(recv->u.obj.ptr, name, argc, argv, out, &e2);
        else
            rc = tmpl_builtin_method(recv, name, argc, argv, out, &e2);
        free_argv(argv, argc);
        if (rc == 0) {
            if (*out == NULL)
                *out = tmpl_null();
            return 0;
        }
        tmpl_unref(*out);
        *out = NULL;
        if (rc != ERR_NOTFOUND) {
            c->at = at;
            return fail(c, "error calling %s: %s", name, e2.msg);
        }
        if (recv->kind == TMPL_OBJECT && recv->u.obj.type->convert) {
            struct tmpl_value *p = NULL;
            if ((rc = tmpl_plain(recv, &p, &e2)) != 0) {
                tmpl_unref(p);
                return fail(c, "%s", e2.msg);
            }
            if (p->kind != TMPL_OBJECT)
                rc = eval_field(c, dot, name, at, a, p, out);
            else
                rc = fail(c, "can't evaluate field %s in type %s", name, tmpl_type_name(recv));
            tmpl_unref(p);
            return rc;
        }
        return fail(c, "can't evaluate field %s in type %s", name, tmpl_type_name(recv));
    }
    if (recv->kind == TMPL_MAP) {
        if (has_args(a))
            return fail(c, "%s is not a method but has arguments", name);
        v = tmpl_map_get(recv, name);
        if (v) {
            *out = tmpl_ref(v);
            return 0;
        }
        switch (c->opts.missingkey) {
        case TMPL_MISSINGKEY_ZERO:
            *out = zero_of(recv->u.map.elem);
            return 0;
        case TMPL_MISSINGKEY_ERROR:
            return fail(c, "map has no entry for key \"%s\"", name);
        default:
            *out = tmpl_null();
            return 0;
        }
    }
    return fail(c, "can't evaluate field %s in type %s", name, tmpl_type_name(recv));
}

static int eval_field_chain(struct tmpl_ctx *c, struct tmpl_value *dot, struct tmpl_value *recv,
                            const struct node *n, const struct argset *a, struct tmpl_value **out)
{
    struct tmpl_value *cur = tmpl_ref(recv), *nx = NULL;
    int i, rc = 0;
    for (i = 0; i < n->nfields - 1; i++) {
        rc = eval_field(c, dot, n->fields[i], n, NULL, cur, &nx);
        tmpl_unref(cur);
        cur = nx;
        if (rc != 0)
            return rc;
    }
    rc = eval_field(c, dot, n->fields[n->nfields - 1], n, a, cur, out);
    tmpl_unref(cur);
    return rc;
}

static int eval_variable(struct tmpl_ctx *c, struct tmpl_value *dot, const struct node *n,
                         const struct argset *a, struct tmpl_value **out)
{
    struct tmpl_value *v;
    int rc;
    c->at = n;
    v = lookup_var(c, n->text);
    if (v == NULL)
        return fail(c, "undefined variable: %s", n->text);
    if (n->nfields == 0) {
        if (a && (rc = not_a_function(c, a)) != 0)
            return rc;
        *out = tmpl_ref(v);
        return 0;
    }
    return eval_field_chain(c, dot, v, n, a, out);
}

static int eval_chain(struct tmpl_ctx *c, struct tmpl_value *dot, const struct node *n,
                      const struct argset *a, struct tmpl_value **out)
{
    struct tmpl_value *base = NULL;
    int rc;
    c->at = n;
    if (n->pipe->kind == N_NIL)
        return fail(c, "indirection through explicit nil in %s", "nil");
    if ((rc = eval_arg(c, dot, n->pipe, &base)) != 0)
        return rc;
    /* like Go, errors in the fields point at the last node evaluated for the base */
    rc = eval_field_chain(c, dot, base, n, a, out);
    tmpl_unref(base);
    return rc;
}

static struct tmpl_value *literal(const struct node *n)
{
    switch (n->kind) {
    case N_BOOL:
        return tmpl_bool(n->i != 0);
    case N_NUMBER:
        return n->is_float ? tmpl_float(n->f) : tmpl_int(n->i);
    case N_STRING:
        return tmpl_string_n(n->text, n->len);
    default:
        return tmpl_null();
    }
}

static int eval_arg(struct tmpl_ctx *c, struct tmpl_value *dot, const struct node *n,
                    struct tmpl_value **out)
{
    struct argset word = {.nodes = (struct node *const *)&n, .nnodes = 1};
    *out = NULL;
    c->at = n;
    switch (n->kind) {
    case N_DOT:
        *out = dot ? tmpl_ref(dot) : tmpl_null();
        return 0;
    case N_NIL:
        *out = tmpl_null();
        return 0;
    case N_FIELD:
        return eval_field_chain(c, dot, dot, n, NULL, out);
    case N_VAR:
        return eval_variable(c, dot, n, NULL, out);
    case N_PIPE:
        return eval_pipeline(c, dot, n, out);
    case N_IDENT:
        return eval_function(c, dot, n, n, &word, out);
    case N_CHAIN:
        return eval_chain(c, dot, n, NULL, out);
    default:
        *out = literal(n);
        return 0;
    }
}

static int eval_command(struct tmpl_ctx *c, struct tmpl_value *dot, const struct node *cmd,
                        struct tmpl_value *final, bool has_final, struct tmpl_value **out)
{
    const struct node *first = cmd->kids[0];
    struct argset a = {
        .nodes = cmd->kids, .nnodes = cmd->nkids, .final = final, .has_final = has_final};
    int rc;
    *out = NULL;
    switch (first->kind) {
    case N_FIELD:
        c->at = first;
        return eval_field_chain(c, dot, dot, first, &a, out);
    case N_CHAIN:
        return eval_chain(c, dot, first, &a, out);
    case N_IDENT:
        return eval_function(c, dot, first, cmd, &a, out);
    case N_PIPE:
        if ((rc = not_a_function(c, &a)) != 0)
            return rc;
        return eval_pipeline(c, dot, first, out);
    case N_VAR:
        return eval_variable(c, dot, first, &a, out);
    default:
        break;
    }
    c->at = first;
    if ((rc = not_a_function(c, &a)) != 0)
        return rc;
    if (first->kind == N_NIL)
        return fail(c, "nil is not a command");
    if (first->kind == N_DOT) {
        *out = dot ? tmpl_ref(dot) : tmpl_null();
        return 0;
    }
    *out = literal(first);
    return 0;
}

static int eval_pipeline_inner(struct tmpl_ctx *c, struct tmpl_value *dot, const struct node *pipe,
                               struct tmpl_value **out);

static int eval_pipeline(struct tmpl_ctx *c, struct tmpl_value *dot, const struct node *pipe,
                         struct tmpl_value **out)
{
    int rc;
    *out = NULL;
    if (++c->nest > MAX_NEST) {
        c->nest--;
        c->at = pipe;
        return fail_code(c, ERR_LIMIT, "exceeded maximum template depth (%d)", c->opts.max_depth);
    }
    rc = eval_pipeline_inner(c, dot, pipe, out);
    c->nest--;
    return rc;
}

static int eval_pipeline_inner(struct tmpl_ctx *c, struct tmpl_value *dot, const struct node *pipe,
                               struct tmpl_value **out)
{
    struct tmpl_value *val = NULL, *nv = NULL;
    bool has = false;
    int i, rc;
    *out = NULL;
    c->at = pipe;
    for (i = 0; i < pipe->nkids; i++) {
        rc = eval_command(c, dot, pipe->kids[i], val, has, &nv);
        tmpl_unref(val);
        val = nv;
        nv = NULL;
        if (rc != 0) {
            tmpl_unref(val);
            return rc;
        }
        has = true;
    }
    for (i = 0; i < pipe->nvars; i++) {
        if (pipe->is_assign) {
            if ((rc = set_var(c, pipe->vars[i], val)) != 0) {
                tmpl_unref(val);
                return rc;
            }
        } else {
            push_var(c, pipe->vars[i], tmpl_ref(val));
        }
    }
    *out = val;
    return 0;
}

static int print_value(struct tmpl_ctx *c, const struct node *at, struct tmpl_value *v)
{
    struct buf b;
    int rc;
    if (v == NULL || v->kind == TMPL_NULL)
        return write_out(c, "<no value>", 10);
    if (v->kind == TMPL_STRING)
        return write_out(c, v->u.str.s, v->u.str.len);
    if (v->kind == TMPL_FUNC) {
        c->at = at;
        return fail(c, "can't print %s of type %s", "value", tmpl_type_name(v));
    }
    buf_init(&b, c->limit - c->out->len + 1);
    rc = tmpl_value_print(v, &b);
    if (rc == 0)
        rc = write_out(c, b.data ? b.data : "", b.len);
    else
        rc = fail_code(c, ERR_TOOBIG, "output exceeds the limit of %zu bytes", c->opts.max_output);
    buf_fini(&b);
    return rc;
}

/* HTML mode: the printed value escaped for the current HTML context. */
static int print_html(struct tmpl_ctx *c, const struct node *at, struct tmpl_value *v)
{
    const struct node *last = at->pipe->kids[at->pipe->nkids - 1]->kids[0];
    enum htmlesc_pre kind = HP_NONE;
    struct buf b, o;
    int rc;
    if (v && v->kind == TMPL_FUNC) {
        c->at = at;
        return fail(c, "can't print %s of type %s", "value", tmpl_type_name(v));
    }
    if (last->kind == N_IDENT && strcmp(last->text, "html") == 0)
        kind = HP_HTML;
    else if (last->kind == N_IDENT && strcmp(last->text, "urlquery") == 0)
        kind = HP_URLQUERY;
    else if (v && v->kind == TMPL_STRING && v->u.str.safe == TMPL_SAFE_HTML)
        kind = HP_SAFE_HTML;
    else if (v && v->kind == TMPL_STRING && v->u.str.safe == TMPL_SAFE_URL)
        kind = HP_SAFE_URL;
    buf_init(&b, c->limit - c->out->len + 1);
    buf_init(&o, 0);
    /* html/template prints nil as an empty string */
    rc = (v == NULL || v->kind == TMPL_NULL) ? 0 : tmpl_value_print(v, &b);
    if (rc == 0)
        rc = htmlesc_action(&c->html, b.data ? b.data : "", b.len, kind,
                            v && v->kind == TMPL_STRING, &o);
    if (rc == 0)
        rc = write_out(c, o.data ? o.data : "", o.len);
    else
        rc = fail_code(c, ERR_TOOBIG, "output exceeds the limit of %zu bytes", c->opts.max_output);
    buf_fini(&b);
    buf_fini(&o);
    return rc;
}

static int one_iteration(struct tmpl_ctx *c, const struct node *r, size_t mark,
                         struct tmpl_value *index, struct tmpl_value *elem)
{
    const struct node *pipe = r->pipe;
    int rc = 0;
    if (++c->iterations > c->opts.max_iterations)
        return fail_code(c, ERR_LIMIT, "range iteration limit (%ld) exceeded",
                         c->opts.max_iterations);
    if (pipe->nvars > 0) {
        if (pipe->is_assign)
            rc = set_var(c, pipe->vars[0], pipe->nvars > 1 ? index : elem);
        else
            set_top_var(c, 1, elem);
    }
    if (rc == 0 && pipe->nvars > 1) {
        if (pipe->is_assign)
            rc = set_var(c, pipe->vars[1], elem);
        else
            set_top_var(c, 2, index);
    }
    if (rc == 0)
        rc = walk(c, elem, r->list);
    pop_vars(c, mark);
    return rc;
}

static int walk_range(struct tmpl_ctx *c, struct tmpl_value *dot, const struct node *r)
{
    size_t mark0 = c->nvars, mark, i;
    struct tmpl_value *raw = NULL, *val = NULL;
    int rc;
    bool ran = false;
    c->at = r;
    if ((rc = eval_pipeline(c, dot, r->pipe, &raw)) != 0)
        goto out;
    if ((rc = tmpl_plain(raw, &val, NULL)) != 0) {
        rc = fail(c, "range can't iterate over %s", tmpl_type_name(raw));
        goto out;
    }
    mark = c->nvars;
    switch (val->kind) {
    case TMPL_LIST:
        for (i = 0; i < val->u.list.n; i++) {
            struct tmpl_value *idx = tmpl_int((int64_t)i);
            ran = true;
            rc = one_iteration(c, r, mark, idx, val->u.list.v[i]);
            tmpl_unref(idx);
            if (rc == WALK_BREAK || rc < 0)
                break;
        }
        break;
    case TMPL_MAP:
        for (i = 0; i < val->u.map.n; i++) {
            struct tmpl_value *key = tmpl_string(val->u.map.v[i].key);
            ran = true;
            rc = one_iteration(c, r, mark, key, val->u.map.v[i].val);
            tmpl_unref(key);
            if (rc == WALK_BREAK || rc < 0)
                break;
        }
        break;
    case TMPL_INT:
        if (r->pipe->nvars > 1) {
            rc = fail(c, "can't use %lld to iterate over more than one variable",
                      (long long)val->u.i);
            goto out;
        }
        for (i = 0; (int64_t)i < val->u.i; i++) {
            struct tmpl_value *idx = tmpl_int((int64_t)i);
            ran = true;
            rc = one_iteration(c, r, mark, idx, idx);
            tmpl_unref(idx);
            if (rc == WALK_BREAK || rc < 0)
                break;
        }
        break;
    case TMPL_NULL:
        break;
    default: {
        struct buf b;
        buf_init(&b, 200);
        tmpl_value_print(val, &b);
        rc = fail(c, "range can't iterate over %s", buf_str(&b));
        buf_fini(&b);
        goto out;
    }
    }
    if (rc < 0)
        goto out;
    rc = 0;
    if (!ran && r->else_list)
        rc = walk(c, dot, r->else_list);
out:
    pop_vars(c, mark0);
    tmpl_unref(raw);
    tmpl_unref(val);
    return rc;
}

static int walk_template(struct tmpl_ctx *c, struct tmpl_value *dot, const struct node *n)
{
    const struct tree *t, *saved_tmpl;
    struct tmpl_value *nd = NULL;
    size_t saved_base, mark;
    int rc;
    c->at = n;
    t = tmpl_set_lookup(c->set, n->text);
    if (t == NULL)
        return fail(c, "template \"%s\" not defined", n->text);
    if (c->depth >= c->opts.max_depth)
        return fail_code(c, ERR_LIMIT, "exceeded maximum template depth (%d)", c->opts.max_depth);
    if (n->pipe && (rc = eval_pipeline(c, dot, n->pipe, &nd)) != 0)
        return rc;
    if (nd == NULL)
        nd = tmpl_null();
    saved_tmpl = c->tmpl;
    saved_base = c->var_base;
    mark = c->nvars;
    c->var_base = c->nvars;
    push_var(c, "$", tmpl_ref(nd));
    c->tmpl = t;
    c->depth++;
    rc = walk(c, nd, t->root);
    c->depth--;
    c->tmpl = saved_tmpl;
    pop_vars(c, mark);
    c->var_base = saved_base;
    tmpl_unref(nd);
    return rc;
}

static int walk_inner(struct tmpl_ctx *c, struct tmpl_value *dot, const struct node *n);

static int walk(struct tmpl_ctx *c, struct tmpl_value *dot, const struct node *n)
{
    int rc;
    if (++c->nest > MAX_NEST) {
        c->nest--;
        c->at = n;
        return fail_code(c, ERR_LIMIT, "exceeded maximum template depth (%d)", c->opts.max_depth);
    }
    rc = walk_inner(c, dot, n);
    c->nest--;
    return rc;
}

static int walk_inner(struct tmpl_ctx *c, struct tmpl_value *dot, const struct node *n)
{
    struct tmpl_value *v = NULL;
    size_t mark;
    int rc = 0, i;
    switch (n->kind) {
    case N_LIST:
        for (i = 0; i < n->nkids; i++) {
            if ((rc = walk(c, dot, n->kids[i])) != 0)
                return rc;
        }
        return 0;
    case N_TEXT:
        if (c->opts.html) {
            struct buf b;
            buf_init(&b, 0);
            htmlesc_text(&c->html, n->text, n->len, &b);
            rc = write_out(c, b.data ? b.data : "", b.len);
            buf_fini(&b);
            return rc;
        }
        return write_out(c, n->text, n->len);
    case N_ACTION:
        if ((rc = eval_pipeline(c, dot, n->pipe, &v)) != 0)
            return rc;
        if (n->pipe->nvars == 0)
            rc = c->opts.html ? print_html(c, n, v) : print_value(c, n, v);
        tmpl_unref(v);
        return rc;
    case N_IF:
    case N_WITH:
        mark = c->nvars;
        rc = eval_pipeline(c, dot, n->pipe, &v);
        if (rc == 0) {
            if (tmpl_truth(v))
                rc = walk(c, n->kind == N_WITH ? v : dot, n->list);
            else if (n->else_list)
                rc = walk(c, dot, n->else_list);
        }
        tmpl_unref(v);
        pop_vars(c, mark);
        return rc;
    case N_RANGE:
        return walk_range(c, dot, n);
    case N_TEMPLATE:
        return walk_template(c, dot, n);
    case N_BREAK:
        return WALK_BREAK;
    case N_CONTINUE:
        return WALK_CONTINUE;
    default:
        c->at = n;
        return fail(c, "unknown node");
    }
}

int tmpl_set_execute(const struct tmpl_set *set, const char *name, struct tmpl_value *data,
                     const struct tmpl_exec_opts *opts, struct buf *out, struct err *e)
{
    struct tmpl_ctx c;
    const struct tree *t = tmpl_set_lookup(set, name);
    int rc;
    if (t == NULL)
        return err_set(e, ERR_NOTFOUND, "template: no template \"%s\" associated with the set",
                       name);
    memset(&c, 0, sizeof(c));
    if (opts)
        c.opts = *opts;
    if (c.opts.max_output == 0)
        c.opts.max_output = DEFAULT_MAX_OUTPUT;
    /* the cap counts output of this execution only; the buffer's own cap also holds */
    c.limit = out->len + c.opts.max_output;
    if (out->max != 0 && out->max < c.limit)
        c.limit = out->max;
    if (c.opts.max_depth <= 0)
        c.opts.max_depth = DEFAULT_MAX_DEPTH;
    if (c.opts.max_iterations <= 0)
        c.opts.max_iterations = DEFAULT_MAX_ITER;
    c.set = set;
    htmlesc_init(&c.html);
    c.out = out;
    c.e = e;
    c.tmpl = t;
    push_var(&c, "$", data ? tmpl_ref(data) : tmpl_null());
    rc = walk(&c, data, t->root);
    if (rc > 0)
        rc = 0; /* break/continue cannot escape a range: the parser checks */
    pop_vars(&c, 0);
    xfree(c.vars);
    return rc;
}
