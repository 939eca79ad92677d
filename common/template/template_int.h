/* SPDX-License-Identifier: Apache-2.0 */
/* Internals shared by the template lexer, parser, executor and builtins. */
#ifndef TOCSIN_COMMON_TEMPLATE_TEMPLATE_INT_H
#define TOCSIN_COMMON_TEMPLATE_TEMPLATE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/arena.h"
#include "common/template/htmlesc.h"
#include "common/template/template.h"

enum tok_type {
    T_EOF,
    T_TEXT,
    T_LEFT,
    T_RIGHT,
    T_SPACE,
    T_IDENT,
    T_FIELD,
    T_VAR,
    T_DOT,
    T_STRING,
    T_RAWSTRING,
    T_CHARCONST,
    T_NUMBER,
    T_BOOL,
    T_NIL,
    T_PIPE,
    T_DECLARE,
    T_ASSIGN,
    T_LPAREN,
    T_RPAREN,
    T_COMMA,
    T_CHAR, /* any other printable ASCII character inside an action */
    /* keywords */
    T_BLOCK,
    T_BREAK,
    T_CONTINUE,
    T_DEFINE,
    T_ELSE,
    T_END,
    T_IF,
    T_RANGE,
    T_TEMPLATE,
    T_WITH,
};

struct token {
    enum tok_type type;
    size_t pos; /* byte offset in the parsed text */
    int line;
    const char *val; /* into the text (T_TEXT: after trimming) */
    size_t len;
};

/* Lexes text into tokens (arena-allocated array ending with T_EOF). On error returns
 * ERR_PARSE with Go's message and line in *errline. */
int tmpl_lex(struct arena *a, const char *name, const char *text, size_t len, struct token **toks,
             size_t *ntoks, char *errmsg, size_t errmsg_size, int *errline);

enum node_kind {
    N_LIST,
    N_TEXT,
    N_ACTION,
    N_IF,
    N_RANGE,
    N_WITH,
    N_TEMPLATE,
    N_BREAK,
    N_CONTINUE,
    N_PIPE,
    N_CMD,
    N_FIELD,
    N_VAR,
    N_DOT,
    N_NIL,
    N_BOOL,
    N_NUMBER,
    N_STRING,
    N_IDENT,
    N_CHAIN,
};

struct tree;

struct node {
    enum node_kind kind;
    size_t pos;
    const struct tree *tree;
    const char *text; /* N_TEXT, N_STRING (unquoted), N_TEMPLATE (name), N_IDENT, N_VAR ($x) */
    size_t len;
    const char *src; /* source form of literals (N_NUMBER, N_STRING) */
    size_t srclen;
    const char **fields; /* N_FIELD, N_VAR, N_CHAIN: names after the base */
    int nfields;
    bool is_float;      /* N_NUMBER */
    int64_t i;          /* N_NUMBER (int), N_BOOL */
    double f;           /* N_NUMBER (float) */
    struct node **kids; /* N_LIST: nodes; N_PIPE: commands; N_CMD: args */
    int nkids;
    const char **vars; /* N_PIPE declarations */
    int nvars;
    bool is_assign;                /* N_PIPE: `=` rather than `:=` */
    struct node *pipe;             /* N_ACTION, N_IF, N_RANGE, N_WITH, N_TEMPLATE; N_CHAIN base */
    struct node *list, *else_list; /* N_IF, N_RANGE, N_WITH */
};

struct tree {
    const char *name;
    const char *parse_name; /* the name given to tmpl_set_parse (for error locations) */
    const char *text;       /* the whole parsed text */
    struct node *root;      /* N_LIST */
};

struct func_entry {
    char *name;
    tmpl_func_cb fn;
    void *user;
    int min_args, max_args;
};

struct tmpl_funcs {
    struct func_entry *v;
    size_t n, cap;
};

struct tmpl_set {
    const struct tmpl_funcs *funcs;
    const struct tmpl_set *parent;
    struct arena arena;
    struct tree **trees;
    size_t n, cap;
};

/* Builtin functions (funcs.c). */
enum builtin_id {
    B_NONE = 0,
    B_AND,
    B_OR,
    B_NOT,
    B_LEN,
    B_INDEX,
    B_SLICE,
    B_PRINT,
    B_PRINTF,
    B_PRINTLN,
    B_HTML,
    B_JS,
    B_URLQUERY,
    B_CALL,
    B_EQ,
    B_NE,
    B_LT,
    B_LE,
    B_GT,
    B_GE,
};

struct tmpl_ctx {
    const struct tmpl_set *set;
    struct tmpl_exec_opts opts;
    struct buf *out;
    size_t limit; /* absolute cap on out->len */
    struct err *e;
    const struct tree *tmpl; /* template being executed */
    const struct node *at;   /* node for error context */
    struct {
        const char *name;
        struct tmpl_value *val;
    } * vars;
    size_t nvars, capvars, var_base;
    int depth;
    int nest; /* current walk/pipeline recursion, bounded to protect the C stack */
    long iterations;
    const struct func_entry *cur_func;
    bool failed;         /* e holds a full "template: ..." message */
    struct htmlesc html; /* HTML context when opts.html */
};

enum builtin_id tmpl_builtin_lookup(const char *name, size_t len);
const struct func_entry *tmpl_funcs_lookup(const struct tmpl_funcs *f, const char *name,
                                           size_t len);
/* Runs builtin id on evaluated arguments (not and/or, which the executor short-circuits). */
int tmpl_builtin_call(struct tmpl_ctx *ctx, enum builtin_id id, const char *name, int argc,
                      struct tmpl_value **argv, struct tmpl_value **out, struct err *e);

/* Looks a tree up in the set chain. */
const struct tree *tmpl_set_lookup(const struct tmpl_set *set, const char *name);

/* Converts the number literal s (a char constant when charconst) into n->i / n->f / n->is_float
 * with Go's rules. Returns 0, or -1 with Go's message in err. */
int tmpl_number_parse(const char *s, bool charconst, struct node *n, char *err, size_t errsize);

/* Appends the Go String() form of node n (for error contexts). */
void tmpl_node_string(const struct node *n, struct buf *out);

/* Builtin arity (max -1: variadic) and the methods of time/duration values (funcs.c). */
void tmpl_builtin_arity(enum builtin_id id, int *min, int *max);
int tmpl_builtin_method(struct tmpl_value *recv, const char *name, int argc,
                        struct tmpl_value **argv, struct tmpl_value **out, struct err *e);

#endif
