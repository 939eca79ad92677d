/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The PromQL parser: recursive descent with precedence climbing over the tokens of lexer.c,
 * building the tree of ast.h in the tree's arena, then the type checks of Prometheus's checkAST
 * with its error messages and positions.
 */
#include "evaluator/promql/parser.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/arena.h"
#include "common/buf.h"
#include "common/err.h"
#include "common/labels.h"
#include "common/matcher.h"
#include "common/timeutil.h"
#include "common/xalloc.h"
#include "evaluator/promql/ast.h"
#include "evaluator/promql/lexer.h"
#include "evaluator/promql/parser_int.h"

#define DUR_EXPECTED "number, duration, step(), or range()"
/* Largest duration literal in seconds (Go's time.Duration limit). */
#define DUR_MAX_SECONDS 9223372036.854775807

#define perr promql_parser_error

int promql_parser_error(struct parser *p, size_t pos, const char *fmt, ...)
{
    va_list ap;
    int line = 1, col;
    size_t last_nl = (size_t)-1;
    if (p->failed)
        return ERR_PARSE;
    p->failed = true;
    if (p->e == NULL)
        return ERR_PARSE;
    if (pos > p->lx.len)
        pos = p->lx.len;
    for (size_t i = 0; i < pos; i++) {
        if (p->lx.in[i] == '\n') {
            line++;
            last_nl = i;
        }
    }
    col = (int)(pos - last_nl); /* last_nl == -1 gives pos + 1 */
    va_start(ap, fmt);
    err_setv(p->e, ERR_PARSE, fmt, ap);
    va_end(ap);
    p->e->line = p->lx.len == 0 ? 0 : line;
    p->e->column = p->lx.len == 0 ? 0 : col;
    return ERR_PARSE;
}

static void advance(struct parser *p, enum promql_lex_mode mode)
{
    promql_lexer_next(&p->lx, mode, &p->tok);
}

/* Reports the current token as unexpected ("unexpected <tok> in <ctx>, expected <exp>"). A lexer
 * error is reported as itself. */
static int unexpected(struct parser *p, const char *ctx, const char *exp)
{
    char d[320];
    if (p->tok.type == PROMQL_TOK_ERROR)
        return perr(p, p->lx.errpos, "%s", p->lx.errmsg);
    promql_token_desc(&p->lx, &p->tok, d, sizeof(d));
    if (ctx != NULL && exp != NULL)
        return perr(p, p->tok.start, "unexpected %s in %s, expected %s", d, ctx, exp);
    if (ctx != NULL)
        return perr(p, p->tok.start, "unexpected %s in %s", d, ctx);
    return perr(p, p->tok.start, "unexpected %s", d);
}

/* Token type of the token after the current one (normal mode). */
static enum promql_tok peek_type(struct parser *p)
{
    struct promql_lexer save = p->lx;
    struct promql_token t;
    promql_lexer_next(&save, PROMQL_LEX_NORMAL, &t);
    return t.type;
}

static struct promql_expr *new_node(struct parser *p, enum promql_expr_kind kind, size_t start,
                                    size_t end)
{
    struct promql_expr *n = arena_calloc(p->a, 1, sizeof(*n));
    n->kind = kind;
    n->pos_start = (int)start;
    n->pos_end = (int)end;
    return n;
}

static const char *tok_str(struct parser *p, const struct promql_token *t)
{
    return arena_strndup(p->a, p->lx.in + t->start, t->end - t->start);
}

static bool tok_is_word(struct parser *p, const char *w)
{
    size_t n = strlen(w);
    return p->tok.type == PROMQL_TOK_IDENT && p->tok.end - p->tok.start == n &&
           strncasecmp(p->lx.in + p->tok.start, w, n) == 0;
}

/* ---- literals ---- */

/* Parses number text as Prometheus does (ParseInt with base prefix, then ParseFloat). */
static int number_value(struct parser *p, const struct promql_token *t, double *out)
{
    size_t n = t->end - t->start, k = 0;
    char *tmp = arena_alloc(p->a, n + 1); /* printed floats can have 300+ digits */
    char *end = NULL;
    const char *s = p->lx.in + t->start;
    for (size_t i = 0; i < n; i++)
        if (s[i] != '_')
            tmp[k++] = s[i];
    tmp[k] = '\0';
    if (strcasecmp(tmp, "inf") == 0) {
        *out = INFINITY;
        return 0;
    }
    if (strcasecmp(tmp, "nan") == 0) {
        *out = NAN;
        return 0;
    }
    if (k > 2 && tmp[0] == '0' && (tmp[1] == 'x' || tmp[1] == 'X')) {
        uint64_t v = 0;
        for (size_t i = 2; i < k; i++) {
            int c = tmp[i], d = c >= '0' && c <= '9'   ? c - '0'
                                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                                       : -1;
            if (d < 0 || v > (UINT64_C(0x7fffffffffffffff) - (uint64_t)d) / 16)
                return perr(p, t->start,
                            "error parsing number: strconv.ParseFloat: parsing \"%.*s\": "
                            "invalid syntax",
                            (int)n, s);
            v = v * 16 + (uint64_t)d;
        }
        *out = (double)v;
        return 0;
    }
    if (k > 1 && tmp[0] == '0' && strspn(tmp, "01234567") == k) {
        uint64_t v = 0;
        bool ovf = false;
        for (size_t i = 1; i < k; i++) {
            if (v > (UINT64_C(0x7fffffffffffffff) - (uint64_t)(tmp[i] - '0')) / 8)
                ovf = true;
            v = v * 8 + (uint64_t)(tmp[i] - '0');
        }
        if (!ovf) {
            *out = (double)v;
            return 0;
        }
    }
    errno = 0;
    *out = strtod(tmp, &end);
    if (end == tmp || *end != '\0')
        return perr(p, t->start,
                    "error parsing number: strconv.ParseFloat: parsing \"%.*s\": invalid syntax",
                    (int)n, s);
    if (errno == ERANGE && isinf(*out))
        return perr(p, t->start,
                    "error parsing number: strconv.ParseFloat: parsing \"%.*s\": value out of "
                    "range",
                    (int)n, s);
    return 0;
}

/* Seconds of a DURATION token. */
static int duration_value(struct parser *p, const struct promql_token *t, double *out)
{
    char tmp[128];
    int64_t ms = 0;
    struct err e2;
    size_t n = t->end - t->start;
    if (n >= sizeof(tmp))
        return perr(p, t->start, "not a valid duration string: \"%.*s\"", (int)n,
                    p->lx.in + t->start);
    memcpy(tmp, p->lx.in + t->start, n);
    tmp[n] = '\0';
    err_clear(&e2);
    if (duration_parse(tmp, &ms, &e2) != 0)
        return perr(p, t->start, "%s", e2.msg);
    *out = (double)ms / 1000.0;
    return 0;
}

static struct promql_expr *parse_number_literal(struct parser *p)
{
    struct promql_expr *n = new_node(p, PROMQL_EXPR_NUMBER, p->tok.start, p->tok.end);
    if (p->tok.type == PROMQL_TOK_DURATION) {
        n->u.number.duration = true;
        if (duration_value(p, &p->tok, &n->u.number.value) != 0)
            return NULL;
    } else if (number_value(p, &p->tok, &n->u.number.value) != 0) {
        return NULL;
    }
    advance(p, PROMQL_LEX_NORMAL);
    return n;
}

/* Unquotes the current STRING token into the arena. */
static int unquote_tok(struct parser *p, const char **out, size_t *outlen)
{
    struct buf b;
    size_t used = 0;
    struct err e2;
    int rc;
    buf_init(&b, 0);
    err_clear(&e2);
    rc = string_unquote(p->lx.in + p->tok.start, p->tok.end - p->tok.start, &used, &b, &e2);
    if (rc != 0) {
        buf_fini(&b);
        return perr(p, p->tok.start, "error unquoting string %.*s: %s",
                    (int)(p->tok.end - p->tok.start), p->lx.in + p->tok.start, e2.msg);
    }
    *out = b.len ? arena_memdup(p->a, b.data, b.len + 1) : arena_strdup(p->a, "");
    if (outlen)
        *outlen = b.len;
    buf_fini(&b);
    return 0;
}

/* ---- label lists ---- */

struct strvec {
    const char **v;
    size_t n, cap;
};

static void strvec_push(struct strvec *sv, const char *s)
{
    if (sv->n == sv->cap) {
        sv->cap = sv->cap ? sv->cap * 2 : 8;
        sv->v = xreallocarray(sv->v, sv->cap, sizeof(*sv->v));
    }
    sv->v[sv->n++] = s;
}

static const char **strvec_to_arena(struct parser *p, struct strvec *sv, size_t *n)
{
    const char **out = arena_calloc(p->a, sv->n ? sv->n : 1, sizeof(*out));
    if (sv->n)
        memcpy(out, sv->v, sv->n * sizeof(*out));
    *n = sv->n;
    xfree(sv->v);
    sv->v = NULL;
    sv->n = sv->cap = 0;
    return out;
}

/* True for tokens Prometheus accepts as a label in grouping lists (identifiers, keywords). */
static bool tok_is_label_word(struct parser *p)
{
    switch (p->tok.type) {
    case PROMQL_TOK_IDENT:
    case PROMQL_TOK_LAND:
    case PROMQL_TOK_LOR:
    case PROMQL_TOK_LUNLESS:
    case PROMQL_TOK_ATAN2:
    case PROMQL_TOK_AGGREGATOR:
    case PROMQL_TOK_OFFSET:
    case PROMQL_TOK_BY:
    case PROMQL_TOK_WITHOUT:
    case PROMQL_TOK_ON:
    case PROMQL_TOK_IGNORING:
    case PROMQL_TOK_GROUP_LEFT:
    case PROMQL_TOK_GROUP_RIGHT:
    case PROMQL_TOK_BOOL:
    case PROMQL_TOK_ANCHORED:
    case PROMQL_TOK_SMOOTHED:
    case PROMQL_TOK_FILL:
    case PROMQL_TOK_FILL_LEFT:
    case PROMQL_TOK_FILL_RIGHT:
        return true;
    case PROMQL_TOK_NUMBER: /* inf, nan */
        return label_name_is_legacy(p->lx.in + p->tok.start, p->tok.end - p->tok.start);
    default:
        return false;
    }
}

/* Parses "(a, b, "c.d")" at the current LPAREN into labels. */
static int parse_grouping_labels(struct parser *p, const char ***labels, size_t *n)
{
    struct strvec sv = {0};
    int rc = ERR_PARSE;
    if (p->tok.type != PROMQL_TOK_LPAREN) {
        rc = unexpected(p, "grouping opts", "\"(\"");
        goto out;
    }
    advance(p, PROMQL_LEX_NORMAL);
    while (p->tok.type != PROMQL_TOK_RPAREN) {
        if (p->tok.type == PROMQL_TOK_STRING) {
            const char *s = NULL;
            size_t len = 0;
            if ((rc = unquote_tok(p, &s, &len)) != 0)
                goto out;
            if (!utf8_valid(s, len) || strlen(s) != len) {
                rc = perr(p, p->tok.start, "invalid label name %s", s);
                goto out;
            }
            strvec_push(&sv, s);
        } else if (tok_is_label_word(p)) {
            if (!label_name_is_legacy(p->lx.in + p->tok.start, p->tok.end - p->tok.start)) {
                rc = unexpected(p, "grouping opts", "label");
                goto out;
            }
            strvec_push(&sv, tok_str(p, &p->tok));
        } else {
            rc = unexpected(p, "grouping opts", "label");
            goto out;
        }
        advance(p, PROMQL_LEX_NORMAL);
        if (p->tok.type == PROMQL_TOK_COMMA) {
            advance(p, PROMQL_LEX_NORMAL);
        } else if (p->tok.type != PROMQL_TOK_RPAREN) {
            rc = unexpected(p, "grouping opts", "\",\" or \")\"");
            goto out;
        }
    }
    advance(p, PROMQL_LEX_NORMAL);
    *labels = strvec_to_arena(p, &sv, n);
    rc = 0;
out:
    xfree(sv.v);
    return rc;
}

/* ---- vector selectors ---- */

static void tree_own_matcher(struct promql_expr_tree *t, struct matcher *m)
{
    if (t->nowned == t->capowned) {
        t->capowned = t->capowned ? t->capowned * 2 : 8;
        t->owned = xreallocarray(t->owned, t->capowned, sizeof(*t->owned));
    }
    t->owned[t->nowned++] = m;
}

static int add_matcher(struct parser *p, struct matcher ***v, size_t *n, size_t *cap,
                       enum match_type type, const char *name, const char *value, size_t pos)
{
    struct matcher *m = NULL;
    struct err e2;
    err_clear(&e2);
    if (matcher_new(type, name, value, &m, &e2) != 0)
        return perr(p, pos, "%s", e2.msg);
    tree_own_matcher(p->tree, m);
    if (*n == *cap) {
        *cap = *cap ? *cap * 2 : 4;
        *v = xreallocarray(*v, *cap, sizeof(**v));
    }
    (*v)[(*n)++] = m;
    return 0;
}

/*
 * Parses a vector selector: name_tok (may be NULL) already consumed; the current token is
 * either '{' or whatever follows the name.
 */
static struct promql_expr *parse_vector_selector(struct parser *p, const struct promql_token *name,
                                                 size_t start)
{
    struct matcher **ms = NULL;
    size_t nms = 0, cap = 0, end = name ? name->end : start;
    struct promql_expr *n = NULL;
    static const char *const ctx = "label matching";
    if (p->tok.type == PROMQL_TOK_LBRACE) {
        advance(p, PROMQL_LEX_BRACES);
        for (;;) {
            const char *lname = NULL, *value = NULL;
            size_t lpos = p->tok.start, vlen = 0;
            enum match_type mt;
            if (p->tok.type == PROMQL_TOK_RBRACE)
                break;
            if (p->tok.type == PROMQL_TOK_IDENT) {
                lname = tok_str(p, &p->tok);
            } else if (p->tok.type == PROMQL_TOK_STRING) {
                size_t llen = 0;
                if (unquote_tok(p, &lname, &llen) != 0)
                    goto fail;
                advance(p, PROMQL_LEX_BRACES);
                if (p->tok.type == PROMQL_TOK_COMMA || p->tok.type == PROMQL_TOK_RBRACE) {
                    /* {"metric.name"}: a quoted metric name */
                    if (add_matcher(p, &ms, &nms, &cap, MATCH_EQ, "__name__", lname, lpos))
                        goto fail;
                    goto next;
                }
                goto have_name;
            } else {
                unexpected(p, ctx, "identifier or \"}\"");
                goto fail;
            }
            advance(p, PROMQL_LEX_BRACES);
        have_name:
            switch (p->tok.type) {
            case PROMQL_TOK_EQL:
                mt = MATCH_EQ;
                break;
            case PROMQL_TOK_NEQ:
                mt = MATCH_NEQ;
                break;
            case PROMQL_TOK_EQL_REGEX:
                mt = MATCH_RE;
                break;
            case PROMQL_TOK_NEQ_REGEX:
                mt = MATCH_NRE;
                break;
            default:
                unexpected(p, ctx, "label matching operator");
                goto fail;
            }
            advance(p, PROMQL_LEX_BRACES);
            if (p->tok.type != PROMQL_TOK_STRING) {
                unexpected(p, ctx, "string");
                goto fail;
            }
            if (unquote_tok(p, &value, &vlen) != 0)
                goto fail;
            if (add_matcher(p, &ms, &nms, &cap, mt, lname, value, lpos) != 0)
                goto fail;
            advance(p, PROMQL_LEX_BRACES);
        next:
            if (p->tok.type == PROMQL_TOK_COMMA) {
                advance(p, PROMQL_LEX_BRACES);
            } else if (p->tok.type != PROMQL_TOK_RBRACE) {
                unexpected(p, ctx, "\",\" or \"}\"");
                goto fail;
            }
        }
        end = p->tok.end;
        advance(p, PROMQL_LEX_NORMAL);
    }
    n = new_node(p, PROMQL_EXPR_VECTOR_SELECTOR, start, end);
    if (name != NULL) {
        n->u.vs.name = tok_str(p, name);
        if (add_matcher(p, &ms, &nms, &cap, MATCH_EQ, "__name__", n->u.vs.name, name->start))
            goto fail;
    }
    n->u.vs.matchers = arena_calloc(p->a, nms ? nms : 1, sizeof(*ms));
    if (nms)
        memcpy(n->u.vs.matchers, ms, nms * sizeof(*ms));
    n->u.vs.nmatchers = nms;
    xfree(ms);
    return n;
fail:
    xfree(ms);
    return NULL;
}

/* ---- duration expressions ---- */

static struct promql_expr *parse_dur_expr(struct parser *p, int min_prec,
                                          enum promql_lex_mode mode);

static int binop_prec(enum promql_tok t)
{
    switch (t) {
    case PROMQL_TOK_LOR:
        return 1;
    case PROMQL_TOK_LAND:
    case PROMQL_TOK_LUNLESS:
        return 2;
    case PROMQL_TOK_EQLC:
    case PROMQL_TOK_NEQ:
    case PROMQL_TOK_LSS:
    case PROMQL_TOK_GTR:
    case PROMQL_TOK_LTE:
    case PROMQL_TOK_GTE:
    case PROMQL_TOK_TRIM_UPPER:
    case PROMQL_TOK_TRIM_LOWER:
        return 3;
    case PROMQL_TOK_ADD:
    case PROMQL_TOK_SUB:
        return 4;
    case PROMQL_TOK_MUL:
    case PROMQL_TOK_DIV:
    case PROMQL_TOK_MOD:
    case PROMQL_TOK_ATAN2:
        return 5;
    case PROMQL_TOK_POW:
        return 6;
    default:
        return 0;
    }
}

static enum promql_binop tok_binop(enum promql_tok t)
{
    switch (t) {
    case PROMQL_TOK_ADD:
        return PROMQL_OP_ADD;
    case PROMQL_TOK_SUB:
        return PROMQL_OP_SUB;
    case PROMQL_TOK_MUL:
        return PROMQL_OP_MUL;
    case PROMQL_TOK_DIV:
        return PROMQL_OP_DIV;
    case PROMQL_TOK_MOD:
        return PROMQL_OP_MOD;
    case PROMQL_TOK_POW:
        return PROMQL_OP_POW;
    case PROMQL_TOK_ATAN2:
        return PROMQL_OP_ATAN2;
    case PROMQL_TOK_EQLC:
        return PROMQL_OP_EQL;
    case PROMQL_TOK_NEQ:
        return PROMQL_OP_NEQ;
    case PROMQL_TOK_LSS:
        return PROMQL_OP_LSS;
    case PROMQL_TOK_GTR:
        return PROMQL_OP_GTR;
    case PROMQL_TOK_LTE:
        return PROMQL_OP_LTE;
    case PROMQL_TOK_GTE:
        return PROMQL_OP_GTE;
    case PROMQL_TOK_LAND:
        return PROMQL_OP_AND;
    case PROMQL_TOK_LOR:
        return PROMQL_OP_OR;
    case PROMQL_TOK_LUNLESS:
        return PROMQL_OP_UNLESS;
    case PROMQL_TOK_TRIM_UPPER:
        return PROMQL_OP_TRIM_UPPER;
    case PROMQL_TOK_TRIM_LOWER:
        return PROMQL_OP_TRIM_LOWER;
    default:
        return PROMQL_OP_ADD;
    }
}

static bool dur_binop(enum promql_tok t)
{
    return t == PROMQL_TOK_ADD || t == PROMQL_TOK_SUB || t == PROMQL_TOK_MUL ||
           t == PROMQL_TOK_DIV || t == PROMQL_TOK_MOD || t == PROMQL_TOK_POW;
}

static struct promql_expr *new_call(struct parser *p, enum promql_func_id id, size_t start,
                                    size_t end, size_t nargs)
{
    struct promql_expr *n = new_node(p, PROMQL_EXPR_CALL, start, end);
    n->u.call.func = promql_function_by_id(id);
    n->u.call.nargs = nargs;
    n->u.call.args = arena_calloc(p->a, nargs ? nargs : 1, sizeof(struct promql_expr *));
    return n;
}

/* A primary of a duration expression: number, duration, ( expr ), step(), range(), min_of(a, b),
 * max_of(a, b). */
static struct promql_expr *parse_dur_primary(struct parser *p, enum promql_lex_mode mode)
{
    size_t start = p->tok.start;
    struct promql_expr *n;
    switch (p->tok.type) {
    case PROMQL_TOK_NUMBER:
    case PROMQL_TOK_DURATION:
        n = new_node(p, PROMQL_EXPR_NUMBER, p->tok.start, p->tok.end);
        if (p->tok.type == PROMQL_TOK_DURATION) {
            n->u.number.duration = true;
            if (duration_value(p, &p->tok, &n->u.number.value) != 0)
                return NULL;
        } else if (number_value(p, &p->tok, &n->u.number.value) != 0) {
            return NULL;
        }
        if (fabs(n->u.number.value) > DUR_MAX_SECONDS) {
            perr(p, p->tok.start, "duration out of range");
            return NULL;
        }
        advance(p, mode);
        return n;
    case PROMQL_TOK_LPAREN: {
        struct promql_expr *in;
        advance(p, mode);
        if ((in = parse_dur_expr(p, 0, mode)) == NULL)
            return NULL;
        if (p->tok.type != PROMQL_TOK_RPAREN) {
            unexpected(p, p->dctx, DUR_EXPECTED);
            return NULL;
        }
        n = new_node(p, PROMQL_EXPR_PAREN, start, p->tok.end);
        n->u.paren = in;
        advance(p, mode);
        return n;
    }
    case PROMQL_TOK_IDENT:
    case PROMQL_TOK_AGGREGATOR: {
        enum promql_func_id id;
        size_t nargs = 0;
        if (tok_is_word(p, "step")) {
            id = PROMQL_FN_STEP;
        } else if (tok_is_word(p, "range")) {
            id = PROMQL_FN_RANGE;
        } else if (tok_is_word(p, "min_of")) {
            id = PROMQL_FN_MIN_OF, nargs = 2;
        } else if (tok_is_word(p, "max_of")) {
            id = PROMQL_FN_MAX_OF, nargs = 2;
        } else {
            break;
        }
        advance(p, mode);
        if (p->tok.type != PROMQL_TOK_LPAREN) {
            unexpected(p, p->dctx, DUR_EXPECTED);
            return NULL;
        }
        advance(p, mode);
        n = new_call(p, id, start, start, nargs);
        for (size_t i = 0; i < nargs; i++) {
            if ((n->u.call.args[i] = parse_dur_expr(p, 0, mode)) == NULL)
                return NULL;
            if (i + 1 < nargs) {
                if (p->tok.type != PROMQL_TOK_COMMA) {
                    unexpected(p, p->dctx, DUR_EXPECTED);
                    return NULL;
                }
                advance(p, mode);
            }
        }
        if (p->tok.type != PROMQL_TOK_RPAREN) {
            unexpected(p, p->dctx, DUR_EXPECTED);
            return NULL;
        }
        n->pos_end = (int)p->tok.end;
        advance(p, mode);
        return n;
    }
    default:
        break;
    }
    unexpected(p, p->dctx, DUR_EXPECTED);
    return NULL;
}

/* [+|-] primary, folding the sign into a literal. */
static struct promql_expr *parse_dur_unary(struct parser *p, enum promql_lex_mode mode)
{
    if (p->tok.type == PROMQL_TOK_ADD || p->tok.type == PROMQL_TOK_SUB) {
        bool neg = p->tok.type == PROMQL_TOK_SUB;
        size_t start = p->tok.start;
        struct promql_expr *in, *n;
        if (++p->depth > MAX_DEPTH) {
            perr(p, p->tok.start, "expression nested too deeply");
            return NULL;
        }
        advance(p, mode);
        in = parse_dur_expr(p, 6, mode);
        p->depth--;
        if (in == NULL)
            return NULL;
        if (in->kind == PROMQL_EXPR_NUMBER) {
            if (neg)
                in->u.number.value = -in->u.number.value;
            in->pos_start = (int)start;
            return in;
        }
        n = new_node(p, PROMQL_EXPR_UNARY, start, (size_t)in->pos_end);
        n->u.unary.op = neg ? PROMQL_OP_SUB : PROMQL_OP_ADD;
        n->u.unary.expr = in;
        return n;
    }
    return parse_dur_primary(p, mode);
}

static struct promql_expr *parse_dur_expr(struct parser *p, int min_prec, enum promql_lex_mode mode)
{
    struct promql_expr *lhs;
    if (++p->depth > MAX_DEPTH) {
        perr(p, p->tok.start, "expression nested too deeply");
        return NULL;
    }
    lhs = parse_dur_unary(p, mode);
    while (lhs != NULL && dur_binop(p->tok.type) && binop_prec(p->tok.type) >= min_prec) {
        enum promql_tok op = p->tok.type;
        int prec = binop_prec(op);
        size_t op_start = p->tok.start;
        struct promql_expr *rhs, *n;
        advance(p, mode);
        rhs = parse_dur_expr(p, op == PROMQL_TOK_POW ? prec : prec + 1, mode);
        if (rhs == NULL) {
            lhs = NULL;
            break;
        }
        if ((op == PROMQL_TOK_DIV || op == PROMQL_TOK_MOD) && rhs->kind == PROMQL_EXPR_NUMBER &&
            rhs->u.number.value == 0) {
            perr(p, op_start, op == PROMQL_TOK_DIV ? "division by zero" : "modulo by zero");
            lhs = NULL;
            break;
        }
        n = new_node(p, PROMQL_EXPR_BINARY, (size_t)lhs->pos_start, (size_t)rhs->pos_end);
        n->u.binary.op = tok_binop(op);
        n->u.binary.lhs = lhs;
        n->u.binary.rhs = rhs;
        lhs = n;
    }
    p->depth--;
    return lhs;
}

static bool dur_is_dynamic(const struct promql_expr *d)
{
    switch (d->kind) {
    case PROMQL_EXPR_CALL:
        if (d->u.call.func->id == PROMQL_FN_STEP || d->u.call.func->id == PROMQL_FN_RANGE ||
            d->u.call.func->id == PROMQL_FN_START || d->u.call.func->id == PROMQL_FN_END)
            return true;
        for (size_t i = 0; i < d->u.call.nargs; i++)
            if (dur_is_dynamic(d->u.call.args[i]))
                return true;
        return false;
    case PROMQL_EXPR_PAREN:
        return dur_is_dynamic(d->u.paren);
    case PROMQL_EXPR_UNARY:
        return dur_is_dynamic(d->u.unary.expr);
    case PROMQL_EXPR_BINARY:
        return dur_is_dynamic(d->u.binary.lhs) || dur_is_dynamic(d->u.binary.rhs);
    default:
        return false;
    }
}

/*
 * Resolves a parsed duration expression d: plain literals become *ms with *expr NULL, others are
 * kept in *expr (with *ms their value when constant, *dynamic when they need step()/range()).
 */
static int resolve_duration(struct parser *p, struct promql_expr *d, bool positive, int64_t *ms,
                            struct promql_expr **expr, bool *dynamic)
{
    *expr = NULL;
    *dynamic = false;
    *ms = 0;
    if (d->kind == PROMQL_EXPR_NUMBER) {
        double v = d->u.number.value;
        if (isnan(v) || fabs(v) > DUR_MAX_SECONDS)
            return perr(p, (size_t)d->pos_start, "duration out of range");
        if (positive && !(v > 0))
            return perr(p, (size_t)d->pos_start, "duration must be greater than 0");
        /* as Go: nanoseconds rounded, then truncated to milliseconds */
        *ms = (int64_t)llround(v * 1e9) / 1000000;
        return 0;
    }
    if (!(p->flags & PROMQL_PARSE_DURATION_EXPR))
        return perr(p, (size_t)d->pos_start, "experimental duration expression is not enabled");
    *expr = d;
    if (dur_is_dynamic(d)) {
        *dynamic = true;
        return 0;
    }
    {
        struct promql_duration_ctx ctx = {0, 0, 0};
        struct err e2;
        err_clear(&e2);
        if (promql_duration_eval(d, &ctx, ms, &e2) != 0)
            return perr(p, (size_t)d->pos_start, "%s", e2.msg);
    }
    return 0;
}

/* ---- expressions ---- */

static struct promql_expr *parse_expr(struct parser *p, int min_prec);

/* Parses "( args )" of a call or aggregation at the current LPAREN. */
static int parse_call_args(struct parser *p, struct promql_expr ***args, size_t *nargs, size_t *end)
{
    struct promql_expr **v = NULL;
    size_t n = 0, cap = 0;
    int rc = ERR_PARSE;
    advance(p, PROMQL_LEX_NORMAL); /* ( */
    if (p->tok.type != PROMQL_TOK_RPAREN) {
        for (;;) {
            struct promql_expr *a = parse_expr(p, 0);
            if (a == NULL)
                goto out;
            if (n == cap) {
                cap = cap ? cap * 2 : 4;
                v = xreallocarray(v, cap, sizeof(*v));
            }
            v[n++] = a;
            if (p->tok.type == PROMQL_TOK_COMMA) {
                size_t comma = p->tok.start;
                advance(p, PROMQL_LEX_NORMAL);
                if (p->tok.type == PROMQL_TOK_RPAREN) {
                    rc = perr(p, comma, "trailing commas not allowed in function call args");
                    goto out;
                }
                continue;
            }
            if (p->tok.type != PROMQL_TOK_RPAREN) {
                rc = unexpected(p, NULL, NULL);
                goto out;
            }
            break;
        }
    }
    *end = p->tok.end;
    advance(p, PROMQL_LEX_NORMAL);
    *args = arena_calloc(p->a, n ? n : 1, sizeof(**args));
    if (n)
        memcpy(*args, v, n * sizeof(*v));
    *nargs = n;
    rc = 0;
out:
    xfree(v);
    return rc;
}

static struct promql_expr *parse_function_call(struct parser *p)
{
    struct promql_token name = p->tok;
    const struct promql_function *f;
    size_t len = name.end - name.start, end = 0;
    const char *s = p->lx.in + name.start;
    struct promql_expr *n = new_node(p, PROMQL_EXPR_CALL, name.start, name.end);
    advance(p, PROMQL_LEX_NORMAL);
    /* Prometheus reduces the arguments before it looks the name up */
    if (parse_call_args(p, &n->u.call.args, &n->u.call.nargs, &end) != 0)
        return NULL;
    n->pos_end = (int)end;
    f = promql_function_lookup(s, len);
    if (f == NULL && len >= 3 && len <= 5) {
        /* step, range, start, end are keywords (case-insensitive) in Prometheus */
        static const char *const kw[] = {"step", "range", "start", "end"};
        for (size_t i = 0; i < 4; i++)
            if (strlen(kw[i]) == len && strncasecmp(s, kw[i], len) == 0)
                f = promql_function_lookup(kw[i], len);
    }
    if (f == NULL) {
        perr(p, name.start, "unknown function with name \"%.*s\"", (int)len, s);
        return NULL;
    }
    if (f->experimental && !(p->flags & PROMQL_PARSE_EXPERIMENTAL_FUNCTIONS)) {
        perr(p, name.start, "function \"%.*s\" is not enabled", (int)len, s);
        return NULL;
    }
    n->u.call.func = f;
    return n;
}

static struct promql_expr *parse_aggregate(struct parser *p)
{
    struct promql_token op = p->tok;
    struct promql_expr *n = new_node(p, PROMQL_EXPR_AGGREGATE, op.start, op.end);
    struct promql_expr **args = NULL;
    size_t nargs = 0, end = 0, want = 1;
    bool have_mod = false;
    n->u.agg.op = (enum promql_aggop)op.agg;
    advance(p, PROMQL_LEX_NORMAL);
    if (p->tok.type == PROMQL_TOK_BY || p->tok.type == PROMQL_TOK_WITHOUT) {
        n->u.agg.without = p->tok.type == PROMQL_TOK_WITHOUT;
        advance(p, PROMQL_LEX_NORMAL);
        if (parse_grouping_labels(p, &n->u.agg.grouping, &n->u.agg.ngrouping) != 0)
            return NULL;
        have_mod = true;
    }
    if (p->tok.type != PROMQL_TOK_LPAREN) {
        unexpected(p, "aggregation", NULL);
        return NULL;
    }
    if (parse_call_args(p, &args, &nargs, &end) != 0)
        return NULL;
    n->pos_end = (int)end;
    if (!have_mod && (p->tok.type == PROMQL_TOK_BY || p->tok.type == PROMQL_TOK_WITHOUT)) {
        n->u.agg.without = p->tok.type == PROMQL_TOK_WITHOUT;
        advance(p, PROMQL_LEX_NORMAL);
        if (parse_grouping_labels(p, &n->u.agg.grouping, &n->u.agg.ngrouping) != 0)
            return NULL;
    }
    if (nargs == 0) {
        perr(p, op.start, "no arguments for aggregate expression provided");
        return NULL;
    }
    if (promql_aggop_has_param(n->u.agg.op)) {
        if ((n->u.agg.op == PROMQL_AGG_LIMITK || n->u.agg.op == PROMQL_AGG_LIMIT_RATIO) &&
            !(p->flags & PROMQL_PARSE_EXPERIMENTAL_FUNCTIONS)) {
            perr(p, op.start,
                 "%s() is experimental and must be enabled with "
                 "--enable-feature=promql-experimental-functions",
                 promql_aggop_str(n->u.agg.op));
            return NULL;
        }
        want = 2;
        n->u.agg.param = args[0];
    }
    if (nargs != want) {
        perr(p, op.start,
             "wrong number of arguments for aggregate expression provided, expected %zu, got "
             "%zu",
             want, nargs);
        return NULL;
    }
    n->u.agg.expr = args[want - 1];
    return n;
}

/* The node offset/@/anchored/smoothed apply to: the selector of a matrix selector. */
static struct promql_time_mods *mods_of(struct promql_expr *e)
{
    if (e->kind == PROMQL_EXPR_VECTOR_SELECTOR)
        return &e->u.vs.mods;
    if (e->kind == PROMQL_EXPR_MATRIX_SELECTOR)
        return &e->u.ms.vs->u.vs.mods;
    if (e->kind == PROMQL_EXPR_SUBQUERY)
        return &e->u.sq.mods;
    return NULL;
}

/* True when the current token is step, range, min_of or max_of followed by '('. */
static bool tok_is_dur_call(struct parser *p)
{
    return (tok_is_word(p, "step") || tok_is_word(p, "range") || tok_is_word(p, "min_of") ||
            tok_is_word(p, "max_of")) &&
           peek_type(p) == PROMQL_TOK_LPAREN;
}

/*
 * The operand of `offset`, shaped as Prometheus's grammar: a literal, step()/range()/min_of()/
 * max_of(), or a signed one of those, binds alone (`offset 2 ^ 2` is `(x offset 2) ^ 2`); a
 * parenthesised start takes a whole duration expression (`offset (1m) + 2`).
 */
static struct promql_expr *parse_offset_duration(struct parser *p)
{
    enum promql_lex_mode m = PROMQL_LEX_NORMAL;
    p->dctx = "offset";
    if (p->tok.type == PROMQL_TOK_NUMBER || p->tok.type == PROMQL_TOK_DURATION ||
        tok_is_dur_call(p))
        return parse_dur_primary(p, m);
    if (p->tok.type == PROMQL_TOK_ADD || p->tok.type == PROMQL_TOK_SUB) {
        bool neg = p->tok.type == PROMQL_TOK_SUB;
        size_t start = p->tok.start;
        struct promql_expr *in, *n;
        advance(p, m);
        if (p->tok.type != PROMQL_TOK_NUMBER && p->tok.type != PROMQL_TOK_DURATION &&
            p->tok.type != PROMQL_TOK_LPAREN && !tok_is_dur_call(p)) {
            unexpected(p, p->dctx, DUR_EXPECTED);
            return NULL;
        }
        if ((in = parse_dur_primary(p, m)) == NULL)
            return NULL;
        if (in->kind == PROMQL_EXPR_NUMBER) {
            if (neg)
                in->u.number.value = -in->u.number.value;
            in->pos_start = (int)start;
            return in;
        }
        n = new_node(p, PROMQL_EXPR_UNARY, start, (size_t)in->pos_end);
        n->u.unary.op = neg ? PROMQL_OP_SUB : PROMQL_OP_ADD;
        n->u.unary.expr = in;
        return n;
    }
    return parse_dur_expr(p, 0, m);
}

static int parse_offset(struct parser *p, struct promql_expr *e)
{
    struct promql_time_mods *m = mods_of(e);
    struct promql_expr *d;
    int64_t ms;
    struct promql_expr *dexpr;
    bool dyn;
    advance(p, PROMQL_LEX_NORMAL);
    if ((d = parse_offset_duration(p)) == NULL)
        return ERR_PARSE;
    if (m == NULL)
        return perr(p, (size_t)e->pos_start,
                    "offset modifier must be preceded by an instant vector selector or range "
                    "vector selector or a subquery");
    if (m->offset_ms != 0 || m->offset_expr != NULL)
        return perr(p, (size_t)e->pos_start, "offset may not be set multiple times");
    if (resolve_duration(p, d, false, &ms, &dexpr, &dyn) != 0)
        return ERR_PARSE;
    m->offset_ms = ms;
    m->offset_expr = dexpr;
    m->offset_dynamic = dyn;
    e->pos_end = d->pos_end;
    return 0;
}

static int parse_at(struct parser *p, struct promql_expr *e)
{
    struct promql_time_mods *m = mods_of(e);
    enum promql_at_kind kind = PROMQL_AT_TIMESTAMP;
    double ts = 0;
    size_t end;
    advance(p, PROMQL_LEX_NORMAL);
    if (tok_is_word(p, "start") || tok_is_word(p, "end")) {
        kind = tok_is_word(p, "start") ? PROMQL_AT_START : PROMQL_AT_END;
        advance(p, PROMQL_LEX_NORMAL);
        if (p->tok.type != PROMQL_TOK_LPAREN)
            return unexpected(p, "@", "timestamp");
        advance(p, PROMQL_LEX_NORMAL);
        if (p->tok.type != PROMQL_TOK_RPAREN)
            return unexpected(p, "@", "timestamp");
        end = p->tok.end;
        advance(p, PROMQL_LEX_NORMAL);
    } else {
        bool neg = false;
        if (p->tok.type == PROMQL_TOK_ADD || p->tok.type == PROMQL_TOK_SUB) {
            neg = p->tok.type == PROMQL_TOK_SUB;
            advance(p, PROMQL_LEX_NORMAL);
        }
        if (p->tok.type == PROMQL_TOK_NUMBER) {
            if (number_value(p, &p->tok, &ts) != 0)
                return ERR_PARSE;
        } else if (p->tok.type == PROMQL_TOK_DURATION) {
            if (duration_value(p, &p->tok, &ts) != 0)
                return ERR_PARSE;
        } else {
            return unexpected(p, "@", "timestamp");
        }
        if (neg)
            ts = -ts;
        end = p->tok.end;
        advance(p, PROMQL_LEX_NORMAL);
        if (isinf(ts) || isnan(ts) || ts * 1000.0 >= 9.223372036854775807e18 ||
            ts * 1000.0 <= -9.223372036854775807e18)
            return perr(p, (size_t)e->pos_start, "timestamp out of bounds for @ modifier: %f", ts);
    }
    if (m == NULL)
        return perr(p, (size_t)e->pos_start,
                    "@ modifier must be preceded by an instant vector selector or range vector "
                    "selector or a subquery");
    if (m->at_kind != PROMQL_AT_NONE)
        return perr(p, (size_t)e->pos_start, "@ <timestamp> may not be set multiple times");
    m->at_kind = kind;
    if (kind == PROMQL_AT_TIMESTAMP)
        m->at_ms = (int64_t)llround(ts * 1000.0);
    e->pos_end = (int)end;
    return 0;
}

static int parse_anchored_smoothed(struct parser *p, struct promql_expr *e)
{
    bool anchored = p->tok.type == PROMQL_TOK_ANCHORED;
    const char *what = anchored ? "anchored" : "smoothed";
    struct promql_vector_selector *vs = NULL;
    size_t end = p->tok.end;
    if (!(p->flags & PROMQL_PARSE_EXTENDED_RANGE))
        return perr(p, (size_t)e->pos_start, "%s modifier is experimental and not enabled", what);
    if (e->kind == PROMQL_EXPR_VECTOR_SELECTOR)
        vs = &e->u.vs;
    else if (e->kind == PROMQL_EXPR_MATRIX_SELECTOR)
        vs = &e->u.ms.vs->u.vs;
    else if (e->kind == PROMQL_EXPR_SUBQUERY)
        return perr(p, (size_t)e->pos_start, "%s modifier is not supported for subqueries", what);
    else
        return perr(p, (size_t)e->pos_start, "%s modifier not implemented", what);
    if (anchored)
        vs->anchored = true;
    else
        vs->smoothed = true;
    if (vs->anchored && vs->smoothed)
        return perr(p, (size_t)e->pos_start,
                    "anchored and smoothed modifiers cannot be used together");
    e->pos_end = (int)end;
    advance(p, PROMQL_LEX_NORMAL);
    return 0;
}

/* Parses "[range]" or "[range:step]" after e; returns the new node. */
static struct promql_expr *parse_range(struct parser *p, struct promql_expr *e)
{
    size_t lb = p->tok.start;
    struct promql_expr *r = NULL, *s = NULL, *n;
    advance(p, PROMQL_LEX_BRACKET);
    p->dctx = "subquery or range selector";
    if ((r = parse_dur_expr(p, 0, PROMQL_LEX_BRACKET)) == NULL)
        return NULL;
    if (p->tok.type == PROMQL_TOK_RBRACKET) {
        const char *msg = NULL;
        if (e->kind != PROMQL_EXPR_VECTOR_SELECTOR)
            msg = "ranges only allowed for vector selectors";
        else if (e->u.vs.mods.offset_ms != 0 || e->u.vs.mods.offset_expr != NULL)
            msg = "no offset modifiers allowed before range";
        else if (e->u.vs.mods.at_kind != PROMQL_AT_NONE)
            msg = "no @ modifiers allowed before range";
        if (msg != NULL) {
            perr(p, lb, "%s", msg);
            return NULL;
        }
        n = new_node(p, PROMQL_EXPR_MATRIX_SELECTOR, (size_t)e->pos_start, p->tok.end);
        n->u.ms.vs = e;
        if (resolve_duration(p, r, true, &n->u.ms.range_ms, &n->u.ms.range_expr,
                             &n->u.ms.range_dynamic) != 0)
            return NULL;
        advance(p, PROMQL_LEX_NORMAL);
        return n;
    }
    if (p->tok.type != PROMQL_TOK_COLON) {
        unexpected(p, "subquery or range", "\":\" or \"]\"");
        return NULL;
    }
    advance(p, PROMQL_LEX_BRACKET);
    if (p->tok.type != PROMQL_TOK_RBRACKET) {
        enum promql_tok t = p->tok.type;
        if (t != PROMQL_TOK_NUMBER && t != PROMQL_TOK_DURATION && t != PROMQL_TOK_ADD &&
            t != PROMQL_TOK_SUB && t != PROMQL_TOK_LPAREN && t != PROMQL_TOK_IDENT) {
            unexpected(p, "subquery selector", "number, duration, step(), range(), or \"]\"");
            return NULL;
        }
        if ((s = parse_dur_expr(p, 0, PROMQL_LEX_BRACKET)) == NULL)
            return NULL;
        if (p->tok.type != PROMQL_TOK_RBRACKET) {
            unexpected(p, "subquery selector", "\"]\"");
            return NULL;
        }
    }
    n = new_node(p, PROMQL_EXPR_SUBQUERY, (size_t)e->pos_start, p->tok.end);
    n->u.sq.expr = e;
    if (resolve_duration(p, r, true, &n->u.sq.range_ms, &n->u.sq.range_expr,
                         &n->u.sq.range_dynamic))
        return NULL;
    if (s != NULL && resolve_duration(p, s, true, &n->u.sq.step_ms, &n->u.sq.step_expr,
                                      &n->u.sq.step_dynamic) != 0)
        return NULL;
    advance(p, PROMQL_LEX_NORMAL);
    return n;
}

static struct promql_expr *parse_postfix(struct parser *p, struct promql_expr *e)
{
    while (e != NULL) {
        switch (p->tok.type) {
        case PROMQL_TOK_LBRACKET:
            e = parse_range(p, e);
            break;
        case PROMQL_TOK_OFFSET:
            if (parse_offset(p, e) != 0)
                return NULL;
            break;
        case PROMQL_TOK_AT:
            if (parse_at(p, e) != 0)
                return NULL;
            break;
        case PROMQL_TOK_ANCHORED:
        case PROMQL_TOK_SMOOTHED:
            if (parse_anchored_smoothed(p, e) != 0)
                return NULL;
            break;
        default:
            return e;
        }
    }
    return NULL;
}

static struct promql_expr *parse_primary(struct parser *p)
{
    struct promql_expr *n = NULL;
    size_t start = p->tok.start;
    switch (p->tok.type) {
    case PROMQL_TOK_NUMBER:
    case PROMQL_TOK_DURATION:
        n = parse_number_literal(p);
        break;
    case PROMQL_TOK_STRING:
        n = new_node(p, PROMQL_EXPR_STRING, p->tok.start, p->tok.end);
        if (unquote_tok(p, &n->u.string.value, &n->u.string.len) != 0)
            return NULL;
        advance(p, PROMQL_LEX_NORMAL);
        break;
    case PROMQL_TOK_LPAREN: {
        struct promql_expr *in;
        advance(p, PROMQL_LEX_NORMAL);
        if ((in = parse_expr(p, 0)) == NULL)
            return NULL;
        if (p->tok.type != PROMQL_TOK_RPAREN) {
            unexpected(p, NULL, NULL);
            return NULL;
        }
        n = new_node(p, PROMQL_EXPR_PAREN, start, p->tok.end);
        n->u.paren = in;
        advance(p, PROMQL_LEX_NORMAL);
        break;
    }
    case PROMQL_TOK_LBRACE:
        n = parse_vector_selector(p, NULL, start);
        break;
    case PROMQL_TOK_AGGREGATOR:
        if (peek_type(p) == PROMQL_TOK_LPAREN || peek_type(p) == PROMQL_TOK_BY ||
            peek_type(p) == PROMQL_TOK_WITHOUT) {
            n = parse_aggregate(p);
            break;
        }
        /* `sum` alone is a metric name, as in Prometheus 3 */
        __attribute__((fallthrough));
    case PROMQL_TOK_OFFSET:
    case PROMQL_TOK_BY:
    case PROMQL_TOK_WITHOUT:
    case PROMQL_TOK_ANCHORED:
    case PROMQL_TOK_SMOOTHED:
    case PROMQL_TOK_LAND:
    case PROMQL_TOK_LOR:
    case PROMQL_TOK_LUNLESS: {
        /* Prometheus's metric_identifier takes these keywords (`offset{a="b"}`, `and`); not
         * on, ignoring, group_left, group_right, bool, atan2 */
        struct promql_token name = p->tok;
        name.type = PROMQL_TOK_IDENT;
        advance(p, PROMQL_LEX_NORMAL);
        n = parse_vector_selector(p, &name, start);
        break;
    }
    case PROMQL_TOK_IDENT:
        if (peek_type(p) == PROMQL_TOK_LPAREN && !p->tok.metric) {
            n = parse_function_call(p);
        } else {
            struct promql_token name = p->tok;
            advance(p, PROMQL_LEX_NORMAL);
            n = parse_vector_selector(p, &name, start);
        }
        break;
    default:
        unexpected(p, NULL, NULL);
        return NULL;
    }
    return parse_postfix(p, n);
}

static struct promql_expr *parse_unary(struct parser *p)
{
    if (p->tok.type == PROMQL_TOK_ADD || p->tok.type == PROMQL_TOK_SUB) {
        bool neg = p->tok.type == PROMQL_TOK_SUB;
        size_t start = p->tok.start;
        struct promql_expr *in, *n;
        advance(p, PROMQL_LEX_NORMAL);
        /* Prometheus gives unary +/- the precedence of *, so only ^ binds tighter. */
        if ((in = parse_expr(p, 6)) == NULL)
            return NULL;
        if (in->kind == PROMQL_EXPR_NUMBER) {
            if (neg)
                in->u.number.value = -in->u.number.value;
            in->pos_start = (int)start;
            return in;
        }
        n = new_node(p, PROMQL_EXPR_UNARY, start, (size_t)in->pos_end);
        n->u.unary.op = neg ? PROMQL_OP_SUB : PROMQL_OP_ADD;
        n->u.unary.expr = in;
        return n;
    }
    return parse_primary(p);
}

static int parse_fill_value(struct parser *p, double *v)
{
    bool neg = false;
    advance(p, PROMQL_LEX_NORMAL);
    if (p->tok.type != PROMQL_TOK_LPAREN)
        return unexpected(p, NULL, NULL);
    advance(p, PROMQL_LEX_NORMAL);
    if (p->tok.type == PROMQL_TOK_ADD || p->tok.type == PROMQL_TOK_SUB) {
        neg = p->tok.type == PROMQL_TOK_SUB;
        advance(p, PROMQL_LEX_NORMAL);
    }
    if (p->tok.type == PROMQL_TOK_NUMBER) {
        if (number_value(p, &p->tok, v) != 0)
            return ERR_PARSE;
    } else if (p->tok.type == PROMQL_TOK_DURATION) {
        if (duration_value(p, &p->tok, v) != 0)
            return ERR_PARSE;
    } else {
        return unexpected(p, NULL, NULL);
    }
    if (neg)
        *v = -*v;
    advance(p, PROMQL_LEX_NORMAL);
    if (p->tok.type != PROMQL_TOK_RPAREN)
        return unexpected(p, NULL, NULL);
    advance(p, PROMQL_LEX_NORMAL);
    return 0;
}

/* bool, on/ignoring(...), group_left/right(...), fill(...) after a binary operator. */
static int parse_bin_modifiers(struct parser *p, struct promql_binary *b, size_t op_start)
{
    struct promql_vector_matching *vm = arena_calloc(p->a, 1, sizeof(*vm));
    bool fill = false;
    b->matching = vm;
    vm->card = PROMQL_CARD_ONE_TO_ONE;
    if (p->tok.type == PROMQL_TOK_BOOL) {
        b->return_bool = true;
        advance(p, PROMQL_LEX_NORMAL);
    }
    if (p->tok.type == PROMQL_TOK_ON || p->tok.type == PROMQL_TOK_IGNORING) {
        vm->on = p->tok.type == PROMQL_TOK_ON;
        advance(p, PROMQL_LEX_NORMAL);
        if (parse_grouping_labels(p, &vm->labels, &vm->nlabels) != 0)
            return ERR_PARSE;
        if (p->tok.type == PROMQL_TOK_GROUP_LEFT || p->tok.type == PROMQL_TOK_GROUP_RIGHT) {
            vm->card = p->tok.type == PROMQL_TOK_GROUP_LEFT ? PROMQL_CARD_MANY_TO_ONE
                                                            : PROMQL_CARD_ONE_TO_MANY;
            advance(p, PROMQL_LEX_NORMAL);
            if (p->tok.type == PROMQL_TOK_LPAREN &&
                parse_grouping_labels(p, &vm->include, &vm->ninclude) != 0)
                return ERR_PARSE;
        }
    }
    for (;;) {
        double v = 0;
        enum promql_tok t = p->tok.type;
        if (t != PROMQL_TOK_FILL && t != PROMQL_TOK_FILL_LEFT && t != PROMQL_TOK_FILL_RIGHT)
            break;
        if ((t == PROMQL_TOK_FILL && fill) || (t == PROMQL_TOK_FILL_LEFT && vm->fill_left_set) ||
            (t == PROMQL_TOK_FILL_RIGHT && vm->fill_right_set) ||
            (t != PROMQL_TOK_FILL_RIGHT && t != PROMQL_TOK_FILL_LEFT && vm->fill_left_set))
            return unexpected(p, NULL, NULL);
        if (parse_fill_value(p, &v) != 0)
            return ERR_PARSE;
        if (t == PROMQL_TOK_FILL) {
            fill = true;
            vm->fill_left_set = vm->fill_right_set = vm->fill_both = true;
            vm->fill_left = vm->fill_right = v;
        } else if (t == PROMQL_TOK_FILL_LEFT) {
            vm->fill_left_set = true;
            vm->fill_left = v;
        } else {
            vm->fill_right_set = true;
            vm->fill_right = v;
        }
    }
    if ((vm->fill_left_set || vm->fill_right_set) && !(p->flags & PROMQL_PARSE_FILL_MODIFIERS))
        return perr(p, op_start, "binop fill modifiers are experimental and not enabled");
    return 0;
}

static struct promql_expr *parse_expr(struct parser *p, int min_prec)
{
    struct promql_expr *lhs;
    if (++p->depth > MAX_DEPTH) {
        perr(p, p->tok.start, "expression nested too deeply");
        return NULL;
    }
    lhs = parse_unary(p);
    while (lhs != NULL) {
        enum promql_tok op = p->tok.type;
        int prec = binop_prec(op);
        struct promql_expr *rhs, *n;
        if (prec == 0 || prec < min_prec)
            break;
        n = new_node(p, PROMQL_EXPR_BINARY, (size_t)lhs->pos_start, 0);
        n->u.binary.op = tok_binop(op);
        advance(p, PROMQL_LEX_NORMAL);
        if (parse_bin_modifiers(p, &n->u.binary, (size_t)lhs->pos_start) != 0) {
            lhs = NULL;
            break;
        }
        rhs = parse_expr(p, op == PROMQL_TOK_POW ? prec : prec + 1);
        if (rhs == NULL) {
            lhs = NULL;
            break;
        }
        n->u.binary.lhs = lhs;
        n->u.binary.rhs = rhs;
        n->pos_end = rhs->pos_end;
        lhs = n;
    }
    p->depth--;
    return lhs;
}

static struct promql_expr_tree *parser_start(struct parser *p, const char *query, size_t len,
                                             unsigned flags, struct err *e)
{
    struct promql_expr_tree *t = xcalloc(1, sizeof(*t));
    char *copy;
    arena_init(&t->arena, 0);
    copy = arena_alloc(&t->arena, len + 1);
    memcpy(copy, query, len);
    copy[len] = '\0';
    t->query = copy;
    memset(p, 0, sizeof(*p));
    p->tree = t;
    p->a = &t->arena;
    p->flags = flags;
    p->e = e;
    err_clear(e);
    promql_lexer_init(&p->lx, copy, len);
    advance(p, PROMQL_LEX_NORMAL);
    return t;
}

int promql_parse(const char *query, size_t len, unsigned flags, struct promql_expr_tree **out,
                 struct err *e)
{
    int rc = ERR_PARSE;
    struct parser p;
    struct promql_expr_tree *t = parser_start(&p, query, len, flags, e);
    *out = NULL;
    if (p.tok.type == PROMQL_TOK_EOF) {
        perr(&p, 0, "no expression found in input");
        goto out;
    }
    if ((t->root = parse_expr(&p, 0)) == NULL)
        goto out;
    if (p.tok.type != PROMQL_TOK_EOF) {
        unexpected(&p, NULL, NULL);
        goto out;
    }
    p.depth = 0;
    if (promql_parser_check(&p, t->root) != 0)
        goto out;
    *out = t;
    t = NULL;
    rc = 0;
out:
    promql_expr_tree_free(t);
    return rc;
}

int promql_parse_selector(const char *s, size_t len, struct promql_expr_tree **out, struct err *e)
{
    int rc = ERR_PARSE;
    struct parser p;
    struct promql_expr_tree *t = parser_start(&p, s, len, 0, e);
    *out = NULL;
    if (p.tok.type == PROMQL_TOK_LBRACE) {
        t->root = parse_vector_selector(&p, NULL, p.tok.start);
    } else if (p.tok.type == PROMQL_TOK_IDENT) {
        struct promql_token name = p.tok;
        advance(&p, PROMQL_LEX_NORMAL);
        t->root = parse_vector_selector(&p, &name, name.start);
    } else {
        unexpected(&p, NULL, NULL);
        goto out;
    }
    if (t->root == NULL)
        goto out;
    if (p.tok.type != PROMQL_TOK_EOF) {
        unexpected(&p, NULL, NULL);
        goto out;
    }
    if (promql_parser_check(&p, t->root) != 0)
        goto out;
    *out = t;
    t = NULL;
    rc = 0;
out:
    promql_expr_tree_free(t);
    return rc;
}

const char *promql_parse_error_string(const struct err *e, char *out, size_t n)
{
    if (e->code == ERR_PARSE && e->line > 0)
        snprintf(out, n, "%d:%d: parse error: %s", e->line, e->column, e->msg);
    else if (e->code == ERR_PARSE)
        snprintf(out, n, "unknown position: parse error: %s", e->msg);
    else
        snprintf(out, n, "%s", e->msg);
    return out;
}
