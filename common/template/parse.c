/* SPDX-License-Identifier: Apache-2.0 */
/* Parser for Go text/template: builds trees for a template and its {{define}}/{{block}}s,
 * checks functions and variables as Go does, and adds the trees to a set. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/matcher.h"
#include "common/template/gofmt.h"
#include "common/template/template_int.h"
#include "common/xalloc.h"

/* Nesting of parentheses and control structures; Go allows 10000, we keep the C stack small. */
#define TMPL_MAX_PARSE_DEPTH 500

struct parser {
    struct tmpl_set *set;
    struct arena *a;
    const char *parse_name;
    const char *text;
    struct token *toks;
    size_t ntoks, p;
    struct tree *tree; /* tree being built */
    const char **vars;
    int nvars, capvars, var_base;
    int range_depth, depth;
    struct tree **defs;
    size_t ndefs, capdefs;
    char errmsg[900];
    int errline;
    bool failed;
};

/* A parse failure: stops everything (checked through p->failed). */
__attribute__((format(printf, 2, 3))) static void perr(struct parser *p, const char *fmt, ...)
{
    va_list ap;
    if (p->failed)
        return;
    va_start(ap, fmt);
    vsnprintf(p->errmsg, sizeof(p->errmsg), fmt, ap);
    va_end(ap);
    p->errline = p->toks[p->p < p->ntoks ? p->p : p->ntoks - 1].line;
    p->failed = true;
}

static struct token *peek(struct parser *p)
{
    return &p->toks[p->p];
}

static struct token *next(struct parser *p)
{
    struct token *t = &p->toks[p->p];
    if (t->type != T_EOF)
        p->p++;
    return t;
}

static struct token *next_non_space(struct parser *p)
{
    struct token *t;
    do {
        t = next(p);
    } while (t->type == T_SPACE);
    return t;
}

static struct token *peek_non_space(struct parser *p)
{
    while (p->toks[p->p].type == T_SPACE)
        p->p++;
    return &p->toks[p->p];
}

static bool is_keyword(enum tok_type t)
{
    return t >= T_BLOCK || t == T_NIL;
}

static void token_desc(const struct token *t, char *out, size_t n)
{
    struct buf b;
    if (t->type == T_EOF) {
        snprintf(out, n, "EOF");
        return;
    }
    if (is_keyword(t->type)) {
        snprintf(out, n, "<%.*s>", (int)t->len, t->val);
        return;
    }
    buf_init(&b, 200);
    gofmt_quote(&b, t->val, t->len > 10 ? 10 : t->len);
    snprintf(out, n, "%s%s", buf_str(&b), t->len > 10 ? "..." : "");
    buf_fini(&b);
}

static void unexpected(struct parser *p, const struct token *t, const char *context)
{
    char d[64];
    token_desc(t, d, sizeof(d));
    perr(p, "unexpected %s in %s", d, context);
}

static struct node *new_node(struct parser *p, enum node_kind k, size_t pos)
{
    struct node *n = arena_calloc(p->a, 1, sizeof(*n));
    n->kind = k;
    n->pos = pos;
    n->tree = p->tree;
    return n;
}

static void node_add(struct parser *p, struct node *parent, struct node *kid)
{
    /* arrays are rebuilt in the arena on growth; nodes have few children on average */
    if ((parent->nkids & (parent->nkids - 1)) == 0) {
        size_t cap = parent->nkids ? (size_t)parent->nkids * 2 : 1;
        struct node **v = arena_alloc(p->a, cap * sizeof(*v));
        if (parent->nkids)
            memcpy(v, parent->kids, (size_t)parent->nkids * sizeof(*v));
        parent->kids = v;
    }
    parent->kids[parent->nkids++] = kid;
}

static void push_var(struct parser *p, const char *name)
{
    if (p->nvars == p->capvars) {
        p->capvars = p->capvars ? p->capvars * 2 : 8;
        p->vars = xreallocarray(p->vars, (size_t)p->capvars, sizeof(*p->vars));
    }
    p->vars[p->nvars++] = name;
}

static const char *tok_str(struct parser *p, const struct token *t)
{
    return arena_strndup(p->a, t->val, t->len);
}

static bool has_function(struct parser *p, const char *name, size_t len)
{
    const struct tmpl_set *s;
    if (tmpl_builtin_lookup(name, len) != B_NONE)
        return true;
    for (s = p->set; s; s = s->parent) {
        if (tmpl_funcs_lookup(s->funcs, name, len))
            return true;
    }
    return false;
}

static struct node *parse_pipeline(struct parser *p, const char *context, enum tok_type end);
static struct node *parse_pipeline_body(struct parser *p, struct node *pipe, const char *context,
                                        enum tok_type end);
static bool tree_empty(const struct node *n);
static struct node *item_list(struct parser *p, struct node **stop);

/* Splits "$x.a.b" / ".a.b" into base and fields. */
static void split_fields(struct parser *p, struct node *n, const char *s, size_t len, bool var)
{
    size_t i = 0, st;
    if (var) {
        while (i < len && s[i] != '.')
            i++;
        n->text = arena_strndup(p->a, s, i);
        n->len = i;
    }
    while (i < len) {
        st = ++i; /* skip '.' */
        while (i < len && s[i] != '.')
            i++;
        if (n->nfields == 0 || (n->nfields & (n->nfields - 1)) == 0) {
            size_t cap = n->nfields ? (size_t)n->nfields * 2 : 1;
            const char **v = arena_alloc(p->a, cap * sizeof(char *));
            if (n->nfields)
                memcpy(v, n->fields, (size_t)n->nfields * sizeof(char *));
            n->fields = v;
        }
        n->fields[n->nfields++] = arena_strndup(p->a, s + st, i - st);
    }
}

static struct node *new_number(struct parser *p, const struct token *t)
{
    struct node *n = new_node(p, N_NUMBER, t->pos);
    char msg[256];
    n->src = tok_str(p, t);
    n->srclen = t->len;
    if (tmpl_number_parse(n->src, t->type == T_CHARCONST, n, msg, sizeof(msg)) != 0) {
        perr(p, "%s", msg);
        return NULL;
    }
    return n;
}

static struct node *new_string(struct parser *p, const struct token *t)
{
    struct node *n = new_node(p, N_STRING, t->pos);
    struct buf b;
    size_t used;
    buf_init(&b, 0);
    n->src = tok_str(p, t);
    n->srclen = t->len;
    if (string_unquote(t->val, t->len, &used, &b, NULL) != 0 || used != t->len) {
        buf_fini(&b);
        perr(p, "invalid syntax");
        return NULL;
    }
    n->text = arena_memdup(p->a, b.data ? b.data : "", b.len + 1);
    n->len = b.len;
    buf_fini(&b);
    return n;
}

static struct node *term(struct parser *p)
{
    struct token *t = next_non_space(p);
    struct node *n;
    int i;
    switch (t->type) {
    case T_IDENT:
        if (!has_function(p, t->val, t->len)) {
            perr(p, "function \"%.*s\" not defined", (int)t->len, t->val);
            return NULL;
        }
        n = new_node(p, N_IDENT, t->pos);
        n->text = tok_str(p, t);
        n->len = t->len;
        return n;
    case T_DOT:
        return new_node(p, N_DOT, t->pos);
    case T_NIL:
        return new_node(p, N_NIL, t->pos);
    case T_VAR:
        n = new_node(p, N_VAR, t->pos);
        split_fields(p, n, t->val, t->len, true);
        for (i = p->nvars - 1; i >= p->var_base; i--) {
            if (strcmp(p->vars[i], n->text) == 0)
                return n;
        }
        perr(p, "undefined variable \"%s\"", n->text);
        return NULL;
    case T_FIELD:
        n = new_node(p, N_FIELD, t->pos);
        split_fields(p, n, t->val, t->len, false);
        return n;
    case T_BOOL:
        n = new_node(p, N_BOOL, t->pos);
        n->i = t->len == 4;
        return n;
    case T_CHARCONST:
    case T_NUMBER:
        return new_number(p, t);
    case T_LPAREN:
        return parse_pipeline(p, "parenthesized pipeline", T_RPAREN);
    case T_STRING:
    case T_RAWSTRING:
        return new_string(p, t);
    default:
        p->p--;
        return NULL;
    }
}

static struct node *operand(struct parser *p)
{
    struct node *n = term(p);
    struct node *chain;
    if (n == NULL || p->failed || peek(p)->type != T_FIELD)
        return n;
    switch (n->kind) {
    case N_FIELD:
    case N_VAR:
        chain = n;
        break;
    case N_BOOL:
    case N_STRING:
    case N_NUMBER:
    case N_NIL:
    case N_DOT: {
        struct buf b, q;
        buf_init(&b, 0);
        buf_init(&q, 0);
        tmpl_node_string(n, &b);
        gofmt_quote(&q, buf_str(&b), b.len);
        perr(p, "unexpected . after term %s", buf_str(&q));
        buf_fini(&b);
        buf_fini(&q);
        return NULL;
    }
    default:
        chain = new_node(p, N_CHAIN, n->pos);
        chain->pipe = n;
        break;
    }
    chain->pos = peek(p)->pos; /* Go positions a chain at its first added field */
    while (peek(p)->type == T_FIELD) {
        struct token *t = next(p);
        split_fields(p, chain, t->val, t->len, false);
    }
    return chain;
}

static struct node *command(struct parser *p)
{
    struct node *cmd = new_node(p, N_CMD, peek_non_space(p)->pos);
    for (;;) {
        struct node *op;
        struct token *t;
        peek_non_space(p);
        op = operand(p);
        if (p->failed)
            return NULL;
        if (op)
            node_add(p, cmd, op);
        t = next(p);
        if (t->type == T_SPACE)
            continue;
        if (t->type == T_RIGHT || t->type == T_RPAREN) {
            p->p--;
        } else if (t->type != T_PIPE) {
            unexpected(p, t, "operand");
            return NULL;
        }
        break;
    }
    if (cmd->nkids == 0) {
        perr(p, "empty command");
        return NULL;
    }
    return cmd;
}

static struct node *parse_pipeline(struct parser *p, const char *context, enum tok_type end)
{
    struct node *pipe = new_node(p, N_PIPE, peek_non_space(p)->pos);
    if (++p->depth > TMPL_MAX_PARSE_DEPTH) {
        perr(p, "max expression depth exceeded");
        return NULL;
    }
    pipe = parse_pipeline_body(p, pipe, context, end);
    p->depth--;
    return pipe;
}

static struct node *parse_pipeline_body(struct parser *p, struct node *pipe, const char *context,
                                        enum tok_type end)
{
    struct token *v;
    int i;
decls:
    v = peek_non_space(p);
    if (v->type == T_VAR) {
        size_t save = p->p;
        struct token *after, *nx;
        next(p);
        after = peek(p);
        nx = peek_non_space(p);
        if (nx->type == T_ASSIGN || nx->type == T_DECLARE || nx->type == T_COMMA) {
            const char *name = tok_str(p, v);
            if (memchr(v->val, '.', v->len)) {
                perr(p, "unexpected \".\" in declaration");
                return NULL;
            }
            next(p);
            if (nx->type != T_COMMA)
                pipe->is_assign = nx->type == T_ASSIGN;
            if (pipe->nvars == 0)
                pipe->vars = arena_alloc(p->a, 2 * sizeof(char *));
            pipe->vars[pipe->nvars++] = name;
            push_var(p, name);
            if (nx->type == T_COMMA) {
                if (strcmp(context, "range") == 0 && pipe->nvars < 2) {
                    struct token *t2 = peek_non_space(p);
                    if (t2->type == T_VAR || t2->type == T_RIGHT || t2->type == T_RPAREN)
                        goto decls;
                    perr(p, "range can only initialize variables");
                    return NULL;
                }
                perr(p, "too many declarations in %s", context);
                return NULL;
            }
        } else {
            (void)after;
            p->p = save;
        }
    }
    for (;;) {
        struct token *t = next_non_space(p);
        if (t->type == end) {
            if (pipe->nkids == 0) {
                perr(p, "missing value for %s", context);
                return NULL;
            }
            for (i = 1; i < pipe->nkids; i++) {
                enum node_kind k = pipe->kids[i]->kids[0]->kind;
                if (k == N_BOOL || k == N_DOT || k == N_NIL || k == N_NUMBER || k == N_STRING) {
                    perr(p, "non executable command in pipeline stage %d", i + 1);
                    return NULL;
                }
            }
            return pipe;
        }
        switch (t->type) {
        case T_BOOL:
        case T_CHARCONST:
        case T_DOT:
        case T_FIELD:
        case T_IDENT:
        case T_NUMBER:
        case T_NIL:
        case T_RAWSTRING:
        case T_STRING:
        case T_VAR:
        case T_LPAREN: {
            struct node *cmd;
            p->p--;
            cmd = command(p);
            if (cmd == NULL)
                return NULL;
            node_add(p, pipe, cmd);
            break;
        }
        default:
            unexpected(p, t, context);
            return NULL;
        }
    }
}

/* Markers returned by action() for {{end}} and {{else}}. */
static struct node end_marker, else_marker;

static struct node *control(struct parser *p, enum node_kind kind, const char *context);

static const char *template_name(struct parser *p, struct token *t, const char *context)
{
    struct node *s;
    if (t->type != T_STRING && t->type != T_RAWSTRING) {
        unexpected(p, t, context);
        return NULL;
    }
    s = new_string(p, t);
    return s ? s->text : NULL;
}

static void add_def(struct parser *p, struct tree *t)
{
    size_t i;
    for (i = 0; i < p->ndefs; i++) {
        if (strcmp(p->defs[i]->name, t->name) == 0) {
            if (tree_empty(p->defs[i]->root)) {
                p->defs[i] = t;
            } else if (!tree_empty(t->root)) {
                perr(p, "template: multiple definition of template \"%s\"", t->name);
            }
            return;
        }
    }
    if (p->ndefs == p->capdefs) {
        p->capdefs = p->capdefs ? p->capdefs * 2 : 8;
        p->defs = xreallocarray(p->defs, p->capdefs, sizeof(*p->defs));
    }
    p->defs[p->ndefs++] = t;
}

/* Parses a body into a new tree named name with a fresh variable scope. */
static struct tree *sub_tree(struct parser *p, const char *name, const char *context)
{
    struct tree *saved_tree = p->tree, *t = arena_calloc(p->a, 1, sizeof(*t));
    int saved_nvars = p->nvars, saved_range = p->range_depth, saved_base = p->var_base;
    struct node *stop = NULL;
    t->name = name;
    t->parse_name = p->parse_name;
    t->text = p->text;
    p->tree = t;
    p->var_base = p->nvars;
    push_var(p, "$");
    p->range_depth = 0;
    t->root = item_list(p, &stop);
    if (!p->failed && stop != &end_marker)
        perr(p, "unexpected {{else}} in %s", context);
    p->tree = saved_tree;
    p->nvars = saved_nvars;
    p->var_base = saved_base;
    p->range_depth = saved_range;
    return t;
}

static struct node *action(struct parser *p)
{
    struct token *t = next_non_space(p);
    struct node *n;
    switch (t->type) {
    case T_BLOCK: {
        struct token *nt = next_non_space(p);
        const char *name = template_name(p, nt, "block clause");
        struct node *pipe;
        struct tree *bt;
        if (!name)
            return NULL;
        n = new_node(p, N_TEMPLATE, nt->pos);
        pipe = parse_pipeline(p, "block clause", T_RIGHT);
        if (!pipe)
            return NULL;
        bt = sub_tree(p, name, "block clause");
        if (p->failed)
            return NULL;
        add_def(p, bt);
        n->text = name;
        n->len = strlen(name);
        n->pipe = pipe;
        return n;
    }
    case T_BREAK:
    case T_CONTINUE: {
        struct token *r = next_non_space(p);
        const char *what = t->type == T_BREAK ? "{{break}}" : "{{continue}}";
        if (r->type != T_RIGHT) {
            unexpected(p, r, what);
            return NULL;
        }
        if (p->range_depth == 0) {
            perr(p, "%s outside {{range}}", what);
            return NULL;
        }
        return new_node(p, t->type == T_BREAK ? N_BREAK : N_CONTINUE, t->pos);
    }
    case T_ELSE: {
        struct token *pk = peek_non_space(p);
        if (pk->type == T_IF || pk->type == T_WITH)
            return &else_marker;
        t = next_non_space(p);
        if (t->type != T_RIGHT) {
            unexpected(p, t, "else");
            return NULL;
        }
        return &else_marker;
    }
    case T_END:
        t = next_non_space(p);
        if (t->type != T_RIGHT) {
            unexpected(p, t, "end");
            return NULL;
        }
        return &end_marker;
    case T_IF:
        return control(p, N_IF, "if");
    case T_RANGE:
        return control(p, N_RANGE, "range");
    case T_WITH:
        return control(p, N_WITH, "with");
    case T_TEMPLATE: {
        struct token *nt = next_non_space(p);
        const char *name = template_name(p, nt, "template clause");
        if (!name)
            return NULL;
        n = new_node(p, N_TEMPLATE, nt->pos); /* Go positions it at the name */
        n->text = name;
        n->len = strlen(name);
        if (next_non_space(p)->type != T_RIGHT) {
            p->p--;
            n->pipe = parse_pipeline(p, "template clause", T_RIGHT);
            if (!n->pipe)
                return NULL;
        }
        return n;
    }
    default:
        p->p--;
        n = new_node(p, N_ACTION, peek(p)->pos);
        n->pipe = parse_pipeline(p, "command", T_RIGHT);
        return n->pipe ? n : NULL;
    }
}

static struct node *text_or_action(struct parser *p)
{
    struct token *t = next_non_space(p);
    struct node *n;
    if (t->type == T_TEXT) {
        n = new_node(p, N_TEXT, t->pos);
        n->text = t->val;
        n->len = t->len;
        return n;
    }
    if (t->type == T_LEFT)
        return action(p);
    unexpected(p, t, "input");
    return NULL;
}

static struct node *item_list(struct parser *p, struct node **stop)
{
    struct node *list = new_node(p, N_LIST, peek_non_space(p)->pos);
    *stop = NULL;
    while (!p->failed && peek_non_space(p)->type != T_EOF) {
        struct node *n = text_or_action(p);
        if (n == NULL)
            return list;
        if (n == &end_marker || n == &else_marker) {
            *stop = n;
            return list;
        }
        node_add(p, list, n);
    }
    perr(p, "unexpected EOF");
    return list;
}

static struct node *control(struct parser *p, enum node_kind kind, const char *context)
{
    int saved_vars = p->nvars;
    struct node *n = new_node(p, kind, p->toks[p->p ? p->p - 1 : 0].pos);
    struct node *stop = NULL;
    if (++p->depth > TMPL_MAX_PARSE_DEPTH) {
        perr(p, "max expression depth exceeded");
        return NULL;
    }
    n->pipe = parse_pipeline(p, context, T_RIGHT);
    if (!n->pipe)
        goto out;
    n->pos = n->pipe->pos;
    if (kind == N_RANGE)
        p->range_depth++;
    n->list = item_list(p, &stop);
    if (kind == N_RANGE)
        p->range_depth--;
    if (p->failed)
        goto out;
    if (stop == &else_marker) {
        enum tok_type pk = peek(p)->type;
        if ((kind == N_IF && pk == T_IF) || (kind == N_WITH && pk == T_WITH)) {
            struct node *inner;
            next(p);
            n->else_list = new_node(p, N_LIST, peek(p)->pos);
            inner = control(p, kind, context);
            if (inner)
                node_add(p, n->else_list, inner);
            goto out;
        }
        n->else_list = item_list(p, &stop);
        if (!p->failed && stop != &end_marker)
            perr(p, "expected end; found {{else}}");
    }
out:
    p->depth--;
    p->nvars = saved_vars;
    return p->failed ? NULL : n;
}

static bool tree_empty(const struct node *n)
{
    int i;
    size_t k;
    if (n == NULL)
        return true;
    switch (n->kind) {
    case N_LIST:
        for (i = 0; i < n->nkids; i++) {
            if (!tree_empty(n->kids[i]))
                return false;
        }
        return true;
    case N_TEXT:
        for (k = 0; k < n->len; k++) {
            if (!strchr(" \t\r\n", n->text[k]))
                return false;
        }
        return true;
    default:
        return false;
    }
}

static void set_add(struct tmpl_set *set, struct tree *t)
{
    size_t i;
    for (i = 0; i < set->n; i++) {
        if (strcmp(set->trees[i]->name, t->name) == 0) {
            if (!tree_empty(t->root) || tree_empty(set->trees[i]->root))
                set->trees[i] = t;
            return;
        }
    }
    if (set->n == set->cap) {
        set->cap = set->cap ? set->cap * 2 : 16;
        set->trees = xreallocarray(set->trees, set->cap, sizeof(*set->trees));
    }
    set->trees[set->n++] = t;
}

int tmpl_set_parse(struct tmpl_set *set, const char *name, const char *text, size_t len,
                   struct err *e)
{
    struct parser p;
    struct tree *root;
    char lexmsg[900];
    int lexline = 0, rc;
    size_t i;
    if (len == (size_t)-1)
        len = strlen(text);
    memset(&p, 0, sizeof(p));
    p.set = set;
    p.a = &set->arena;
    p.parse_name = arena_strdup(p.a, name);
    {
        char *copy = arena_alloc(p.a, len + 1);
        memcpy(copy, text, len);
        copy[len] = '\0';
        p.text = copy;
    }
    rc = tmpl_lex(p.a, name, p.text, len, &p.toks, &p.ntoks, lexmsg, sizeof(lexmsg), &lexline);
    if (rc != 0)
        return err_set(e, ERR_PARSE, "template: %s:%d: %s", name, lexline, lexmsg);
    root = arena_calloc(p.a, 1, sizeof(*root));
    root->name = p.parse_name;
    root->parse_name = p.parse_name;
    root->text = p.text;
    p.tree = root;
    push_var(&p, "$");
    root->root = new_node(&p, N_LIST, 0);
    while (!p.failed && peek(&p)->type != T_EOF) {
        struct node *n;
        if (peek(&p)->type == T_LEFT) {
            size_t save = p.p;
            next(&p);
            if (next_non_space(&p)->type == T_DEFINE) {
                const char *dname = template_name(&p, next_non_space(&p), "define clause");
                struct tree *dt;
                if (!dname)
                    break;
                if (next_non_space(&p)->type != T_RIGHT) {
                    p.p--;
                    unexpected(&p, peek(&p), "define clause");
                    break;
                }
                dt = sub_tree(&p, dname, "define clause");
                if (!p.failed)
                    add_def(&p, dt);
                continue;
            }
            p.p = save;
        }
        n = text_or_action(&p);
        if (p.failed)
            break;
        if (n == &end_marker || n == &else_marker) {
            perr(&p, "unexpected %s", n == &end_marker ? "{{end}}" : "{{else}}");
            break;
        }
        node_add(&p, root->root, n);
    }
    if (!p.failed)
        add_def(&p, root);
    if (p.failed) {
        rc = err_set(e, ERR_PARSE, "template: %s:%d: %s", name, p.errline, p.errmsg);
        goto out;
    }
    for (i = 0; i < p.ndefs; i++)
        set_add(set, p.defs[i]);
    rc = 0;
out:
    xfree(p.vars);
    xfree(p.defs);
    return rc;
}
