/* SPDX-License-Identifier: Apache-2.0 */
/* Lexer for Go text/template: text, {{ }} actions with trim markers, comments, and the tokens
 * inside actions, with Go's lexer error messages. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "common/err.h"
#include "common/template/template_int.h"
#include "common/xalloc.h"

struct lexer {
    struct arena *a;
    const char *s;
    size_t n, pos;
    int line;
    struct token *toks;
    size_t ntoks, cap;
    int paren_depth;
    char *errmsg;
    size_t errsize;
    int *errline;
    const char *name;
    int action_line; /* line of the open action's "{{", 0 outside actions */
    int fail_line;   /* line to report when nonzero (the start of the failing token) */
};

static void emit(struct lexer *l, enum tok_type t, size_t start, size_t end, int line)
{
    struct token *tk;
    if (l->ntoks == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 64;
        l->toks = xreallocarray(l->toks, l->cap, sizeof(*l->toks));
    }
    tk = &l->toks[l->ntoks++];
    tk->type = t;
    tk->pos = start;
    tk->line = line;
    tk->val = l->s + start;
    tk->len = end - start;
}

__attribute__((format(printf, 2, 3))) static int lex_fail(struct lexer *l, const char *fmt, ...)
{
    va_list ap;
    size_t n;
    int line = l->fail_line ? l->fail_line : l->line;
    va_start(ap, fmt);
    vsnprintf(l->errmsg, l->errsize, fmt, ap);
    va_end(ap);
    n = strlen(l->errmsg);
    /* like Go's parser: point at the action's start when the error is on a later line */
    if (l->action_line != 0 && l->action_line != line && n < l->errsize)
        snprintf(l->errmsg + n, l->errsize - n, " in action started at %s:%d", l->name,
                 l->action_line);
    *l->errline = line;
    return ERR_PARSE;
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool is_alnum(unsigned char c)
{
    return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c >= 0x80;
}

/* memmem is a GNU extension; this finds needle (2 bytes) in s[0..n). */
static const char *find2(const char *s, size_t n, const char *needle)
{
    size_t i;
    for (i = 0; i + 1 < n; i++) {
        if (s[i] == needle[0] && s[i + 1] == needle[1])
            return s + i;
    }
    return NULL;
}

/* Decodes the UTF-8 sequence at s (0xFFFD when invalid). */
static uint32_t decode_rune(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    if (u[0] >= 0xc2 && u[0] < 0xe0 && n >= 2 && (u[1] & 0xc0) == 0x80)
        return ((uint32_t)(u[0] & 0x1f) << 6) | (u[1] & 0x3f);
    if (u[0] >= 0xe0 && u[0] < 0xf0 && n >= 3 && (u[1] & 0xc0) == 0x80 && (u[2] & 0xc0) == 0x80)
        return ((uint32_t)(u[0] & 0x0f) << 12) | ((uint32_t)(u[1] & 0x3f) << 6) | (u[2] & 0x3f);
    if (u[0] >= 0xf0 && u[0] < 0xf5 && n >= 4 && (u[1] & 0xc0) == 0x80 && (u[2] & 0xc0) == 0x80 &&
        (u[3] & 0xc0) == 0x80)
        return ((uint32_t)(u[0] & 0x07) << 18) | ((uint32_t)(u[1] & 0x3f) << 12) |
               ((uint32_t)(u[2] & 0x3f) << 6) | (u[3] & 0x3f);
    return 0xfffd;
}

/* Approximates unicode.IsLetter/IsDigit for a non-ASCII rune: Latin-1 symbols, spaces and
 * general punctuation are not letters; other valid runes are taken as letters. */
static bool is_letter_rune(const char *s, size_t n)
{
    uint32_t r = decode_rune(s, n);
    if (r == 0xfffd)
        return false;
    if (r < 0xc0)
        return r == 0xaa || r == 0xb5 || r == 0xba;
    if (r == 0xd7 || r == 0xf7)
        return false;
    if ((r >= 0x2000 && r <= 0x206f) || r == 0x1680 || r == 0x3000 || (r >= 0x2190 && r <= 0x2bff))
        return false;
    return true;
}

static int count_lines(const char *s, size_t n)
{
    int c = 0;
    size_t i;
    for (i = 0; i < n; i++)
        c += s[i] == '\n';
    return c;
}

static bool at(const struct lexer *l, size_t pos, const char *p)
{
    size_t k = strlen(p);
    return pos + k <= l->n && memcmp(l->s + pos, p, k) == 0;
}

/* " -}}" or "}}" at pos: returns its length (0 when absent) and whether it trims. */
static size_t right_delim_at(const struct lexer *l, size_t pos, bool *trim)
{
    *trim = false;
    if (at(l, pos, " -}}") || at(l, pos, "\t-}}") || at(l, pos, "\r-}}") || at(l, pos, "\n-}}")) {
        *trim = true;
        return 4;
    }
    if (at(l, pos, "}}"))
        return 2;
    return 0;
}

static bool is_terminator(const struct lexer *l, size_t pos)
{
    char c;
    bool trim;
    if (pos >= l->n)
        return true;
    c = l->s[pos];
    if (is_space(c) || c == '.' || c == ',' || c == '|' || c == ':' || c == ')' || c == '(')
        return true;
    return right_delim_at(l, pos, &trim) > 0;
}

static void accept_run(struct lexer *l, const char *valid)
{
    while (l->pos < l->n && l->s[l->pos] && strchr(valid, l->s[l->pos]))
        l->pos++;
}

static bool accept(struct lexer *l, const char *valid)
{
    if (l->pos < l->n && l->s[l->pos] && strchr(valid, l->s[l->pos])) {
        l->pos++;
        return true;
    }
    return false;
}

static bool scan_number(struct lexer *l)
{
    const char *digits = "0123456789_";
    accept(l, "+-");
    if (accept(l, "0")) {
        if (accept(l, "xX"))
            digits = "0123456789abcdefABCDEF_";
        else if (accept(l, "oO"))
            digits = "01234567_";
        else if (accept(l, "bB"))
            digits = "01_";
    }
    accept_run(l, digits);
    if (accept(l, "."))
        accept_run(l, digits);
    if (strlen(digits) == 11 && accept(l, "eE")) {
        accept(l, "+-");
        accept_run(l, "0123456789_");
    }
    if (strlen(digits) == 23 && accept(l, "pP")) {
        accept(l, "+-");
        accept_run(l, "0123456789_");
    }
    accept(l, "i");
    if (l->pos < l->n && is_alnum((unsigned char)l->s[l->pos])) {
        l->pos++;
        return false;
    }
    return true;
}

static const struct {
    const char *word;
    enum tok_type type;
} keywords[] = {
    {"block", T_BLOCK},
    {"break", T_BREAK},
    {"continue", T_CONTINUE},
    {"define", T_DEFINE},
    {"else", T_ELSE},
    {"end", T_END},
    {"if", T_IF},
    {"range", T_RANGE},
    {"nil", T_NIL},
    {"template", T_TEMPLATE},
    {"with", T_WITH},
    {"true", T_BOOL},
    {"false", T_BOOL},
};

static int lex_quote(struct lexer *l, char q, const char *what)
{
    size_t start = l->pos++;
    int start_line = l->line;
    while (l->pos < l->n) {
        char c = l->s[l->pos++];
        if (c == '\\' && q != '`') {
            if (l->pos < l->n && l->s[l->pos] != '\n') {
                l->pos++;
                continue;
            }
            break;
        }
        if (c == '\n' && q != '`')
            break;
        if (c == '\n')
            l->line++;
        if (c == q) {
            emit(l,
                 q == '"'   ? T_STRING
                 : q == '`' ? T_RAWSTRING
                            : T_CHARCONST,
                 start, l->pos,
                 l->line - (q == '`' ? count_lines(l->s + start, l->pos - start) : 0));
            return 0;
        }
    }
    l->fail_line = start_line;
    return lex_fail(l, "unterminated %s", what);
}

/* Lexes the inside of one action, l->pos just after the left delimiter (and trim marker). */
static int lex_action(struct lexer *l, bool *trim_after)
{
    for (;;) {
        bool trim;
        size_t dl = right_delim_at(l, l->pos, &trim);
        size_t start = l->pos;
        unsigned char c;
        if (dl > 0) {
            if (l->paren_depth > 0)
                return lex_fail(l, "unclosed left paren");
            emit(l, T_RIGHT, l->pos + (trim ? 2 : 0), l->pos + dl, l->line);
            l->pos += dl;
            *trim_after = trim;
            return 0;
        }
        if (l->pos >= l->n)
            return lex_fail(l, "unclosed action");
        c = (unsigned char)l->s[l->pos];
        if (is_space((char)c)) {
            int lines = 0;
            while (l->pos < l->n && is_space(l->s[l->pos])) {
                bool tr;
                if (right_delim_at(l, l->pos, &tr) > 0 && tr)
                    break;
                lines += l->s[l->pos] == '\n';
                l->pos++;
            }
            if (l->pos > start)
                emit(l, T_SPACE, start, l->pos, l->line);
            l->line += lines;
            continue;
        }
        if (c == '=') {
            l->pos++;
            emit(l, T_ASSIGN, start, l->pos, l->line);
        } else if (c == ':') {
            if (!at(l, l->pos, ":="))
                return lex_fail(l, "expected :=");
            l->pos += 2;
            emit(l, T_DECLARE, start, l->pos, l->line);
        } else if (c == '|') {
            l->pos++;
            emit(l, T_PIPE, start, l->pos, l->line);
        } else if (c == '"') {
            if (lex_quote(l, '"', "quoted string") != 0)
                return ERR_PARSE;
        } else if (c == '`') {
            if (lex_quote(l, '`', "raw quoted string") != 0)
                return ERR_PARSE;
        } else if (c == '\'') {
            if (lex_quote(l, '\'', "character constant") != 0)
                return ERR_PARSE;
        } else if (c == '$' || c == '.') {
            if (c == '.' && l->pos + 1 < l->n && l->s[l->pos + 1] >= '0' &&
                l->s[l->pos + 1] <= '9') {
                if (!scan_number(l))
                    return lex_fail(l, "bad number syntax: \"%.*s\"", (int)(l->pos - start),
                                    l->s + start);
                emit(l, T_NUMBER, start, l->pos, l->line);
                continue;
            }
            l->pos++;
            if (c == '.' && is_terminator(l, l->pos)) {
                emit(l, T_DOT, start, l->pos, l->line);
                continue;
            }
            while (l->pos < l->n && is_alnum((unsigned char)l->s[l->pos]))
                l->pos++;
            if (!is_terminator(l, l->pos))
                return lex_fail(l, "bad character U+%04X '%c'", (unsigned char)l->s[l->pos],
                                l->s[l->pos]);
            emit(l, c == '$' ? T_VAR : T_FIELD, start, l->pos, l->line);
        } else if (c == '+' || c == '-' || (c >= '0' && c <= '9')) {
            if (!scan_number(l))
                return lex_fail(l, "bad number syntax: \"%.*s\"", (int)(l->pos - start),
                                l->s + start);
            emit(l, T_NUMBER, start, l->pos, l->line);
        } else if (c >= 0x80 && !is_letter_rune(l->s + l->pos, l->n - l->pos)) {
            return lex_fail(l, "unrecognized character in action: U+%04X",
                            (unsigned)decode_rune(l->s + l->pos, l->n - l->pos));
        } else if (is_alnum(c)) {
            size_t i;
            enum tok_type t = T_IDENT;
            while (l->pos < l->n && is_alnum((unsigned char)l->s[l->pos]))
                l->pos++;
            if (!is_terminator(l, l->pos))
                return lex_fail(l, "bad character U+%04X '%c'", (unsigned char)l->s[l->pos],
                                l->s[l->pos]);
            for (i = 0; i < sizeof(keywords) / sizeof(keywords[0]); i++) {
                if (strlen(keywords[i].word) == l->pos - start &&
                    memcmp(keywords[i].word, l->s + start, l->pos - start) == 0)
                    t = keywords[i].type;
            }
            emit(l, t, start, l->pos, l->line);
        } else if (c == '(') {
            l->pos++;
            l->paren_depth++;
            emit(l, T_LPAREN, start, l->pos, l->line);
        } else if (c == ')') {
            l->pos++;
            if (--l->paren_depth < 0)
                return lex_fail(l, "unexpected right paren");
            emit(l, T_RPAREN, start, l->pos, l->line);
        } else if (c == ',') {
            l->pos++;
            emit(l, T_COMMA, start, l->pos, l->line);
        } else if (c >= 0x21 && c < 0x7f) {
            l->pos++;
            emit(l, T_CHAR, start, l->pos, l->line);
        } else {
            return lex_fail(l, "unrecognized character in action: U+%04X", c);
        }
    }
}

int tmpl_lex(struct arena *a, const char *name, const char *text, size_t len, struct token **toks,
             size_t *ntoks, char *errmsg, size_t errmsg_size, int *errline)
{
    struct lexer l;
    int rc = 0;
    bool trim_next = false;
    memset(&l, 0, sizeof(l));
    l.a = a;
    l.s = text;
    l.n = len;
    l.line = 1;
    l.errmsg = errmsg;
    l.errsize = errmsg_size;
    l.errline = errline;
    l.name = name;
    *toks = NULL;
    *ntoks = 0;
    while (l.pos < l.n) {
        const char *d = NULL;
        size_t start = l.pos, end, after;
        bool trim_left = false, trim_after = false;
        int text_line = l.line;
        if (l.n - l.pos >= 2)
            d = find2(l.s + l.pos, l.n - l.pos, "{{");
        end = d ? (size_t)(d - l.s) : l.n;
        after = end + 2;
        if (d && after + 1 < l.n && l.s[after] == '-' && is_space(l.s[after + 1]))
            trim_left = true;
        l.line += count_lines(l.s + start, end - start);
        {
            size_t ts = start, te = end;
            if (trim_next)
                while (ts < te && is_space(l.s[ts]))
                    ts++;
            if (trim_left)
                while (te > ts && is_space(l.s[te - 1]))
                    te--;
            if (te > ts)
                emit(&l, T_TEXT, ts, te, text_line + count_lines(l.s + start, ts - start));
        }
        trim_next = false;
        if (!d) {
            l.pos = l.n;
            break;
        }
        l.pos = after + (trim_left ? 2 : 0);
        if (at(&l, l.pos, "/*")) {
            const char *ce = find2(l.s + l.pos, l.n - l.pos, "*/");
            size_t cpos;
            bool tr;
            size_t dl;
            if (!ce) {
                rc = lex_fail(&l, "unclosed comment");
                goto out;
            }
            cpos = (size_t)(ce - l.s) + 2;
            l.line += count_lines(l.s + l.pos, cpos - l.pos);
            dl = right_delim_at(&l, cpos, &tr);
            if (dl == 0) {
                rc = lex_fail(&l, "comment ends before closing delimiter");
                goto out;
            }
            l.pos = cpos + dl;
            trim_next = tr;
            continue;
        }
        emit(&l, T_LEFT, end, l.pos, l.line);
        l.paren_depth = 0;
        l.action_line = l.line;
        if ((rc = lex_action(&l, &trim_after)) != 0)
            goto out;
        l.action_line = 0;
        trim_next = trim_after;
    }
    emit(&l, T_EOF, l.n, l.n, l.line);
    *toks = arena_memdup(a, l.toks, l.ntoks * sizeof(*l.toks));
    *ntoks = l.ntoks;
out:
    xfree(l.toks);
    return rc;
}
