/* SPDX-License-Identifier: Apache-2.0 */
/*
 * PromQL tokenizer. Follows the token rules and error messages of Prometheus's lexer (numbers,
 * durations, strings with Go escapes, keywords, comments); the parser picks the mode.
 */
#include "evaluator/promql/lexer.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "evaluator/promql/ast.h"

void promql_lexer_init(struct promql_lexer *lx, const char *in, size_t len)
{
    memset(lx, 0, sizeof(*lx));
    lx->in = in;
    lx->len = len;
}

static int peekc(const struct promql_lexer *lx, size_t at)
{
    return at < lx->len ? (unsigned char)lx->in[at] : -1;
}

static bool is_alpha(int c)
{
    return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_digit(int c)
{
    return c >= '0' && c <= '9';
}

static bool is_alnum(int c)
{
    return is_alpha(c) || is_digit(c);
}

static bool is_space(int c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Decodes one UTF-8 sequence at in[i]; returns its length (1 for an invalid byte, *cp = -1). */
static size_t utf8_decode(const struct promql_lexer *lx, size_t i, long *cp)
{
    const unsigned char *s = (const unsigned char *)lx->in + i;
    size_t n = lx->len - i, need;
    unsigned long c;
    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    }
    if ((s[0] & 0xe0) == 0xc0) {
        need = 2;
        c = s[0] & 0x1f;
    } else if ((s[0] & 0xf0) == 0xe0) {
        need = 3;
        c = s[0] & 0x0f;
    } else if ((s[0] & 0xf8) == 0xf0) {
        need = 4;
        c = s[0] & 0x07;
    } else {
        *cp = -1;
        return 1;
    }
    if (n < need) {
        *cp = -1;
        return 1;
    }
    for (size_t k = 1; k < need; k++) {
        if ((s[k] & 0xc0) != 0x80) {
            *cp = -1;
            return 1;
        }
        c = (c << 6) | (s[k] & 0x3f);
    }
    if ((need == 2 && c < 0x80) || (need == 3 && c < 0x800) || (need == 4 && c < 0x10000) ||
        c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff)) {
        *cp = -1;
        return 1;
    }
    *cp = (long)c;
    return need;
}

/* Formats the character at in[i] as Go's %q does for a rune ('a', '\n', '\x00', '€'). */
static void quote_rune(const struct promql_lexer *lx, size_t i, char *out, size_t n)
{
    long cp = -1;
    size_t w;
    if (i >= lx->len) {
        snprintf(out, n, "'%s'", "\\uffff"); /* never printed: callers check for EOF first */
        return;
    }
    w = utf8_decode(lx, i, &cp);
    if (cp < 0) {
        snprintf(out, n, "'\xef\xbf\xbd'"); /* U+FFFD, as Go decodes an invalid byte */
        return;
    }
    switch (cp) {
    case '\a':
        snprintf(out, n, "'\\a'");
        return;
    case '\b':
        snprintf(out, n, "'\\b'");
        return;
    case '\f':
        snprintf(out, n, "'\\f'");
        return;
    case '\n':
        snprintf(out, n, "'\\n'");
        return;
    case '\r':
        snprintf(out, n, "'\\r'");
        return;
    case '\t':
        snprintf(out, n, "'\\t'");
        return;
    case '\v':
        snprintf(out, n, "'\\v'");
        return;
    case '\\':
        snprintf(out, n, "'\\\\'");
        return;
    case '\'':
        snprintf(out, n, "'\\''");
        return;
    default:
        break;
    }
    if (cp < 0x20 || cp == 0x7f)
        snprintf(out, n, "'\\x%02lx'", (unsigned long)cp);
    else if (cp >= 0x80 && cp < 0xa0)
        snprintf(out, n, "'\\u%04lx'", (unsigned long)cp);
    else
        snprintf(out, n, "'%.*s'", (int)w, lx->in + i);
}

/* Formats a code point as Go's %#U ("U+0071 'q'"). */
static void format_u(long cp, char *out, size_t n)
{
    if (cp < 0) {
        snprintf(out, n, "U+FFFD '\xef\xbf\xbd'");
    } else if (cp >= 0x20 && cp < 0x7f) {
        snprintf(out, n, "U+%04lX '%c'", (unsigned long)cp, (int)cp);
    } else if (cp < 0xa0) {
        snprintf(out, n, "U+%04lX", (unsigned long)cp);
    } else {
        char enc[5] = {0};
        unsigned long c = (unsigned long)cp;
        if (c < 0x800) {
            enc[0] = (char)(0xc0 | (c >> 6));
            enc[1] = (char)(0x80 | (c & 0x3f));
        } else if (c < 0x10000) {
            enc[0] = (char)(0xe0 | (c >> 12));
            enc[1] = (char)(0x80 | ((c >> 6) & 0x3f));
            enc[2] = (char)(0x80 | (c & 0x3f));
        } else {
            enc[0] = (char)(0xf0 | (c >> 18));
            enc[1] = (char)(0x80 | ((c >> 12) & 0x3f));
            enc[2] = (char)(0x80 | ((c >> 6) & 0x3f));
            enc[3] = (char)(0x80 | (c & 0x3f));
        }
        snprintf(out, n, "U+%04lX '%s'", c, enc);
    }
}

static void lex_error(struct promql_lexer *lx, struct promql_token *t, size_t start,
                      const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void lex_error(struct promql_lexer *lx, struct promql_token *t, size_t start,
                      const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(lx->errmsg, sizeof(lx->errmsg), fmt, ap);
    va_end(ap);
    lx->errpos = start;
    t->type = PROMQL_TOK_ERROR;
    t->start = start;
    t->end = lx->len;
    lx->pos = lx->len;
    lx->failed = true;
}

/* Go-style %q of in[a..b) for "bad number or duration syntax" (ASCII in practice). */
static void quote_text(const struct promql_lexer *lx, size_t a, size_t b, char *out, size_t n)
{
    size_t o = 0;
    if (n < 4)
        return;
    out[o++] = '"';
    for (size_t i = a; i < b && i < lx->len && o + 6 < n; i++) {
        unsigned char c = (unsigned char)lx->in[i];
        if (c == '"' || c == '\\') {
            out[o++] = '\\';
            out[o++] = (char)c;
        } else if (c < 0x20 || c == 0x7f) {
            o += (size_t)snprintf(out + o, n - o, "\\x%02x", c);
        } else {
            out[o++] = (char)c;
        }
    }
    out[o++] = '"';
    out[o] = '\0';
}

/*
 * Scans a number the way Prometheus's scanNumber does, from *p. Returns true when a number
 * ends there; *p is left where scanning stopped either way.
 */
static bool scan_number(const struct promql_lexer *lx, size_t *p)
{
    size_t i = *p, initial = *p;
    bool hex = false, dot = false, expo = false;
#define IS_DIG(c) \
    (hex ? (is_digit(c) || ((c) >= 'a' && (c) <= 'f') || ((c) >= 'A' && (c) <= 'F')) : is_digit(c))
#define ANTI(c) ((c) == '.' || (c) == '_' || (c) == 'e' || (c) == 'E')
    if (peekc(lx, i) == '0') {
        i++;
        if (peekc(lx, i) == 'x' || peekc(lx, i) == 'X') {
            i++;
            hex = true;
            if (peekc(lx, i) == '_')
                i++;
        }
    }
    if (peekc(lx, i) == '.')
        i++;
    if (IS_DIG(peekc(lx, i)))
        i++;
    for (;;) {
        int c = peekc(lx, i);
        if (!(IS_DIG(c) || c == '.' || c == '_' || c == 'e' || c == 'E'))
            break;
        if (c == '.' && dot) {
            *p = i + 1;
            return false;
        }
        if ((c == 'e' || c == 'E') && expo) {
            *p = i + 1;
            return false;
        }
        if (c == '.') {
            i++;
            dot = true;
            if (peekc(lx, i) == '_' || peekc(lx, i) == '.') {
                *p = i + 1;
                return false;
            }
            if (hex) {
                *p = i;
                return false;
            }
            continue;
        }
        if (c == 'e' || c == 'E') {
            i++;
            expo = true;
            if (peekc(lx, i) == '+' || peekc(lx, i) == '-')
                i++;
            if (ANTI(peekc(lx, i))) {
                *p = i + 1;
                return false;
            }
            if (peekc(lx, i) < 0) {
                *p = i;
                return false;
            }
            continue;
        }
        if (c == '_') {
            i++;
            if (ANTI(peekc(lx, i))) {
                *p = i + 1;
                return false;
            }
            if (peekc(lx, i) < 0) {
                *p = i;
                return false;
            }
            continue;
        }
        while (IS_DIG(peekc(lx, i)))
            i++;
    }
#undef IS_DIG
#undef ANTI
    *p = i;
    if (i == initial)
        return false;
    return !is_alnum(peekc(lx, i));
}

/* Prometheus's acceptRemainingDuration from *p; on success *p is the end of the duration. */
static bool scan_duration_rest(const struct promql_lexer *lx, size_t *p)
{
    size_t i = *p;
    if (!strchr("smhdwy", peekc(lx, i)) || peekc(lx, i) < 0) {
        *p = i;
        return false;
    }
    i++;
    if (peekc(lx, i) == 's')
        i++;
    while (is_digit(peekc(lx, i))) {
        while (is_digit(peekc(lx, i)))
            i++;
        if (peekc(lx, i) < 0 || !strchr("smhdw", peekc(lx, i))) {
            *p = i;
            return false;
        }
        i++;
        if (peekc(lx, i) == 's')
            i++;
    }
    if (is_alnum(peekc(lx, i))) {
        *p = i + 1;
        return false;
    }
    *p = i;
    return true;
}

static void lex_number_or_duration(struct promql_lexer *lx, struct promql_token *t, size_t start)
{
    size_t p = start;
    char q[128];
    if (scan_number(lx, &p)) {
        t->type = PROMQL_TOK_NUMBER;
        t->end = lx->pos = p;
        return;
    }
    if (scan_duration_rest(lx, &p)) {
        t->type = PROMQL_TOK_DURATION;
        t->end = lx->pos = p;
        return;
    }
    quote_text(lx, start, p, q, sizeof(q));
    lex_error(lx, t, start, "bad number or duration syntax: %s", q);
}

/* Validates a quoted string starting at start (quote char included). */
static void lex_string(struct promql_lexer *lx, struct promql_token *t, size_t start)
{
    char q = lx->in[start];
    size_t i = start + 1;
    char u[64];
    for (;;) {
        long cp;
        size_t w;
        int c = peekc(lx, i);
        if (c < 0) {
            lex_error(lx, t, start,
                      q == '`' ? "unterminated raw string" : "unterminated quoted string");
            return;
        }
        w = utf8_decode(lx, i, &cp);
        if (cp < 0) {
            lex_error(lx, t, start, "invalid UTF-8 rune");
            return;
        }
        if (c == q) {
            i++;
            break;
        }
        if (q != '`' && c == '\n') {
            lex_error(lx, t, start, "unterminated quoted string");
            return;
        }
        if (q != '`' && c == '\\') {
            int n = 0, base = 0;
            unsigned long maxv = 0, x = 0;
            i++;
            c = peekc(lx, i);
            if (c < 0) {
                lex_error(lx, t, start, "escape sequence not terminated");
                return;
            }
            if (strchr("abfnrtv\\", c) || c == q) {
                i++;
                continue;
            }
            if (c >= '0' && c <= '7') {
                n = 3, base = 8, maxv = 255;
            } else if (c == 'x') {
                n = 2, base = 16, maxv = 255;
                i++;
            } else if (c == 'u') {
                n = 4, base = 16, maxv = 0x10ffff;
                i++;
            } else if (c == 'U') {
                n = 8, base = 16, maxv = 0x10ffff;
                i++;
            } else {
                utf8_decode(lx, i, &cp);
                format_u(cp, u, sizeof(u));
                lex_error(lx, t, start, "unknown escape sequence %s", u);
                return;
            }
            for (; n > 0; n--) {
                int d = peekc(lx, i), v = 16;
                if (d >= '0' && d <= '9')
                    v = d - '0';
                else if (d >= 'a' && d <= 'f')
                    v = d - 'a' + 10;
                else if (d >= 'A' && d <= 'F')
                    v = d - 'A' + 10;
                if (v >= base) {
                    if (d < 0) {
                        lex_error(lx, t, start, "escape sequence not terminated");
                        return;
                    }
                    utf8_decode(lx, i, &cp);
                    format_u(cp, u, sizeof(u));
                    lex_error(lx, t, start, "illegal character %s in escape sequence", u);
                    return;
                }
                x = x * (unsigned long)base + (unsigned long)v;
                i++;
            }
            if (x > maxv || (x >= 0xd800 && x < 0xe000)) {
                lex_error(lx, t, start, "escape sequence is an invalid Unicode code point");
                return;
            }
            continue;
        }
        i += w;
    }
    t->type = PROMQL_TOK_STRING;
    t->end = lx->pos = i;
}

struct keyword {
    const char *word;
    enum promql_tok tok;
    int agg;
};

static const struct keyword keywords[] = {
    {"and", PROMQL_TOK_LAND, 0},
    {"or", PROMQL_TOK_LOR, 0},
    {"unless", PROMQL_TOK_LUNLESS, 0},
    {"atan2", PROMQL_TOK_ATAN2, 0},
    {"sum", PROMQL_TOK_AGGREGATOR, PROMQL_AGG_SUM},
    {"avg", PROMQL_TOK_AGGREGATOR, PROMQL_AGG_AVG},
    {"count", PROMQL_TOK_AGGREGATOR, PROMQL_AGG_COUNT},
    {"min", PROMQL_TOK_AGGREGATOR, PROMQL_AGG_MIN},
    {"max", PROMQL_TOK_AGGREGATOR, PROMQL_AGG_MAX},
    {"group", PROMQL_TOK_AGGREGATOR, PROMQL_AGG_GROUP},
    {"stddev", PROMQL_TOK_AGGREGATOR, PROMQL_AGG_STDDEV},
    {"stdvar", PROMQL_TOK_AGGREGATOR, PROMQL_AGG_STDVAR},
    {"topk", PROMQL_TOK_AGGREGATOR, PROMQL_AGG_TOPK},
    {"bottomk", PROMQL_TOK_AGGREGATOR, PROMQL_AGG_BOTTOMK},
    {"count_values", PROMQL_TOK_AGGREGATOR, PROMQL_AGG_COUNT_VALUES},
    {"quantile", PROMQL_TOK_AGGREGATOR, PROMQL_AGG_QUANTILE},
    {"limitk", PROMQL_TOK_AGGREGATOR, PROMQL_AGG_LIMITK},
    {"limit_ratio", PROMQL_TOK_AGGREGATOR, PROMQL_AGG_LIMIT_RATIO},
    {"offset", PROMQL_TOK_OFFSET, 0},
    {"smoothed", PROMQL_TOK_SMOOTHED, 0},
    {"anchored", PROMQL_TOK_ANCHORED, 0},
    {"by", PROMQL_TOK_BY, 0},
    {"without", PROMQL_TOK_WITHOUT, 0},
    {"on", PROMQL_TOK_ON, 0},
    {"ignoring", PROMQL_TOK_IGNORING, 0},
    {"group_left", PROMQL_TOK_GROUP_LEFT, 0},
    {"group_right", PROMQL_TOK_GROUP_RIGHT, 0},
    {"fill", PROMQL_TOK_FILL, 0},
    {"fill_left", PROMQL_TOK_FILL_LEFT, 0},
    {"fill_right", PROMQL_TOK_FILL_RIGHT, 0},
    {"bool", PROMQL_TOK_BOOL, 0},
    {"inf", PROMQL_TOK_NUMBER, 0},
    {"nan", PROMQL_TOK_NUMBER, 0},
};

static bool followed_by_lparen(const struct promql_lexer *lx, size_t i)
{
    while (is_space(peekc(lx, i)))
        i++;
    return peekc(lx, i) == '(';
}

static void lex_word(struct promql_lexer *lx, struct promql_token *t, size_t start,
                     enum promql_lex_mode mode)
{
    size_t i = start;
    bool colon = false;
    while (is_alnum(peekc(lx, i)) || (mode == PROMQL_LEX_NORMAL && peekc(lx, i) == ':')) {
        if (lx->in[i] == ':')
            colon = true;
        i++;
    }
    t->end = lx->pos = i;
    t->type = PROMQL_TOK_IDENT;
    t->metric = colon;
    if (mode == PROMQL_LEX_BRACES)
        return;
    for (size_t k = 0; k < sizeof(keywords) / sizeof(keywords[0]); k++) {
        const struct keyword *kw = &keywords[k];
        if (strlen(kw->word) != i - start || strncasecmp(kw->word, lx->in + start, i - start))
            continue;
        if ((kw->tok == PROMQL_TOK_FILL || kw->tok == PROMQL_TOK_FILL_LEFT ||
             kw->tok == PROMQL_TOK_FILL_RIGHT) &&
            !followed_by_lparen(lx, i))
            return;
        t->type = kw->tok;
        t->agg = kw->agg;
        return;
    }
}

void promql_lexer_next(struct promql_lexer *lx, enum promql_lex_mode mode, struct promql_token *t)
{
    char q[64];
    size_t s;
    int c;
    memset(t, 0, sizeof(*t));
    if (lx->failed) {
        t->type = PROMQL_TOK_ERROR;
        t->start = lx->errpos;
        t->end = lx->len;
        return;
    }
    for (;;) {
        c = peekc(lx, lx->pos);
        if (is_space(c)) {
            lx->pos++;
            continue;
        }
        if (c == '#' && mode != PROMQL_LEX_BRACKET) {
            while (lx->pos < lx->len && lx->in[lx->pos] != '\n' && lx->in[lx->pos] != '\r')
                lx->pos++;
            continue;
        }
        break;
    }
    s = t->start = lx->pos;
    t->end = s + 1;
    if (c < 0) {
        t->end = s;
        if (mode == PROMQL_LEX_BRACES) {
            lex_error(lx, t, s, "unexpected end of input inside braces");
        } else if (mode == PROMQL_LEX_BRACKET && !lx->bracket_num) {
            lex_error(lx, t, s, "unexpected end of input in duration expression");
        } else if (mode == PROMQL_LEX_BRACKET) {
            lex_error(lx, t, s, "unclosed left bracket");
        } else if (lx->paren_depth > 0) {
            lex_error(lx, t, s, "unclosed left parenthesis");
        } else {
            t->type = PROMQL_TOK_EOF;
        }
        return;
    }
    if (mode == PROMQL_LEX_BRACES) {
        lx->pos = s + 1;
        switch (c) {
        case ',':
            t->type = PROMQL_TOK_COMMA;
            return;
        case '"':
        case '\'':
        case '`':
            lex_string(lx, t, s);
            return;
        case '=':
            if (peekc(lx, s + 1) == '~') {
                t->type = PROMQL_TOK_EQL_REGEX;
                t->end = lx->pos = s + 2;
            } else {
                t->type = PROMQL_TOK_EQL;
            }
            return;
        case '!':
            if (peekc(lx, s + 1) == '~') {
                t->type = PROMQL_TOK_NEQ_REGEX;
            } else if (peekc(lx, s + 1) == '=') {
                t->type = PROMQL_TOK_NEQ;
            } else {
                if (peekc(lx, s + 1) < 0)
                    snprintf(q, sizeof(q), "'%s'", "\xef\xbf\xbd");
                else
                    quote_rune(lx, s + 1, q, sizeof(q));
                lex_error(lx, t, s, "unexpected character after '!' inside braces: %s", q);
                return;
            }
            t->end = lx->pos = s + 2;
            return;
        case '{':
            lex_error(lx, t, s, "unexpected left brace '{'");
            return;
        case '}':
            t->type = PROMQL_TOK_RBRACE;
            return;
        default:
            if (is_alpha(c)) {
                lex_word(lx, t, s, mode);
                return;
            }
            quote_rune(lx, s, q, sizeof(q));
            lex_error(lx, t, s, "unexpected character inside braces: %s", q);
            return;
        }
    }
    lx->pos = s + 1;
    switch (c) {
    case ',':
        t->type = PROMQL_TOK_COMMA;
        return;
    case '*':
        t->type = PROMQL_TOK_MUL;
        return;
    case '/':
        t->type = PROMQL_TOK_DIV;
        return;
    case '%':
        t->type = PROMQL_TOK_MOD;
        return;
    case '+':
        t->type = PROMQL_TOK_ADD;
        return;
    case '-':
        t->type = PROMQL_TOK_SUB;
        return;
    case '^':
        t->type = PROMQL_TOK_POW;
        return;
    case '@':
        t->type = PROMQL_TOK_AT;
        return;
    case '=':
        if (peekc(lx, s + 1) == '=') {
            t->type = PROMQL_TOK_EQLC;
            t->end = lx->pos = s + 2;
        } else if (peekc(lx, s + 1) == '~') {
            lex_error(lx, t, s, "unexpected character after '=': '~'");
        } else {
            t->type = PROMQL_TOK_EQL;
        }
        return;
    case '!':
        if (peekc(lx, s + 1) != '=') {
            if (peekc(lx, s + 1) < 0)
                snprintf(q, sizeof(q), "'%s'", "\xef\xbf\xbd");
            else
                quote_rune(lx, s + 1, q, sizeof(q));
            lex_error(lx, t, s, "unexpected character after '!': %s", q);
            return;
        }
        t->type = PROMQL_TOK_NEQ;
        t->end = lx->pos = s + 2;
        return;
    case '<':
    case '>':
        if (peekc(lx, s + 1) == '=') {
            t->type = c == '<' ? PROMQL_TOK_LTE : PROMQL_TOK_GTE;
            t->end = lx->pos = s + 2;
        } else if (peekc(lx, s + 1) == '/') {
            t->type = c == '<' ? PROMQL_TOK_TRIM_UPPER : PROMQL_TOK_TRIM_LOWER;
            t->end = lx->pos = s + 2;
        } else {
            t->type = c == '<' ? PROMQL_TOK_LSS : PROMQL_TOK_GTR;
        }
        return;
    case '"':
    case '\'':
    case '`':
        lex_string(lx, t, s);
        return;
    case '(':
        t->type = PROMQL_TOK_LPAREN;
        lx->paren_depth++;
        return;
    case ')':
        t->type = PROMQL_TOK_RPAREN;
        if (--lx->paren_depth < 0)
            lex_error(lx, t, s + 1, "unexpected right parenthesis ')'");
        return;
    case '{':
        t->type = PROMQL_TOK_LBRACE;
        return;
    case '}':
        t->type = PROMQL_TOK_RBRACE;
        return;
    case '[':
        if (mode == PROMQL_LEX_BRACKET) {
            lex_error(lx, t, s, "unexpected left bracket '['");
            return;
        }
        t->type = PROMQL_TOK_LBRACKET;
        lx->bracket_num = false;
        lx->colons = 0;
        return;
    case ']':
        if (mode != PROMQL_LEX_BRACKET) {
            lex_error(lx, t, s, "unexpected right bracket ']'");
            return;
        }
        t->type = PROMQL_TOK_RBRACKET;
        return;
    case ':':
        if (mode == PROMQL_LEX_BRACKET) {
            if (++lx->colons > 1) {
                lex_error(lx, t, s, "unexpected colon ':'");
                return;
            }
            t->type = PROMQL_TOK_COLON;
            return;
        }
        lex_word(lx, t, s, mode);
        return;
    default:
        break;
    }
    if (is_digit(c) || (c == '.' && is_digit(peekc(lx, s + 1)))) {
        if (mode == PROMQL_LEX_BRACKET)
            lx->bracket_num = true;
        lex_number_or_duration(lx, t, s);
        return;
    }
    if (is_alpha(c)) {
        lex_word(lx, t, s, mode);
        return;
    }
    quote_rune(lx, s, q, sizeof(q));
    if (mode == PROMQL_LEX_BRACKET)
        lex_error(lx, t, s, "unexpected character in duration expression: %s", q);
    else
        lex_error(lx, t, s, "unexpected character: %s", q);
}

static const char *tok_text(enum promql_tok t)
{
    switch (t) {
    case PROMQL_TOK_LPAREN:
        return "(";
    case PROMQL_TOK_RPAREN:
        return ")";
    case PROMQL_TOK_LBRACE:
        return "{";
    case PROMQL_TOK_RBRACE:
        return "}";
    case PROMQL_TOK_LBRACKET:
        return "[";
    case PROMQL_TOK_RBRACKET:
        return "]";
    case PROMQL_TOK_COMMA:
        return ",";
    case PROMQL_TOK_COLON:
        return ":";
    case PROMQL_TOK_EQL:
        return "=";
    default:
        return NULL;
    }
}

const char *promql_token_desc(const struct promql_lexer *lx, const struct promql_token *t,
                              char *out, size_t n)
{
    const char *txt = lx->in + t->start;
    int len = (int)(t->end - t->start);
    const char *fixed = tok_text(t->type);
    if (fixed != NULL) {
        snprintf(out, n, "\"%s\"", fixed);
        return out;
    }
    switch (t->type) {
    case PROMQL_TOK_EOF:
        snprintf(out, n, "end of input");
        break;
    case PROMQL_TOK_ERROR:
        snprintf(out, n, "%s", lx->errmsg);
        break;
    case PROMQL_TOK_IDENT: {
        char q[96];
        quote_text(lx, t->start, t->end, q, sizeof(q));
        snprintf(out, n, "%s %s", t->metric ? "metric identifier" : "identifier", q);
        break;
    }
    case PROMQL_TOK_NUMBER:
    case PROMQL_TOK_DURATION:
    case PROMQL_TOK_STRING: {
        const char *kind = t->type == PROMQL_TOK_NUMBER     ? "number"
                           : t->type == PROMQL_TOK_DURATION ? "duration"
                                                            : "string";
        char q[96];
        if (len > 10) {
            quote_text(lx, t->start, t->start + 10, q, sizeof(q));
            snprintf(out, n, "%s %s...", kind, q);
        } else {
            quote_text(lx, t->start, t->end, q, sizeof(q));
            snprintf(out, n, "%s %s", kind, q);
        }
        break;
    }
    case PROMQL_TOK_AGGREGATOR:
        snprintf(out, n, "<aggr:%.*s>", len, txt);
        break;
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
        snprintf(out, n, "<%.*s>", len, txt);
        break;
    default: /* operators, @, =~, !~ */
        snprintf(out, n, "<op:%.*s>", len, txt);
        break;
    }
    return out;
}
