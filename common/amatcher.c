/* SPDX-License-Identifier: Apache-2.0 */
/* Alertmanager matcher parsers (classic 0.25 and UTF-8), formatting and ordering. */
#include "common/amatcher.h"

#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/labels.h"
#include "common/xalloc.h"

#define AM_MAX_MATCHER_INPUT (1u << 20)

static void ms_push(struct matchers *ms, struct matcher *m)
{
    ms->v = xreallocarray(ms->v, ms->n + 1, sizeof(*ms->v));
    ms->v[ms->n++] = m;
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static bool is_name_start(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
}

static bool is_name_char(char c)
{
    return is_name_start(c) || (c >= '0' && c <= '9');
}

/* Reads an operator at s; returns its length (0 when none) and sets *t. */
static size_t read_op(const char *s, enum match_type *t)
{
    if (s[0] == '=' && s[1] == '~')
        return (*t = MATCH_RE), 2;
    if (s[0] == '=')
        return (*t = MATCH_EQ), 1;
    if (s[0] == '!' && s[1] == '=')
        return (*t = MATCH_NEQ), 2;
    if (s[0] == '!' && s[1] == '~')
        return (*t = MATCH_NRE), 2;
    return 0;
}

/* One classic matcher from token tok[0..n). */
static int classic_one(const char *tok, size_t n, struct matchers *out, struct err *e)
{
    int rc = ERR_INTERNAL;
    char *t = xstrndup(tok, n);
    const char *p = t, *ns, *raw;
    size_t nl, ol, rl;
    char *name = NULL;
    enum match_type type = MATCH_EQ;
    struct buf val;
    struct matcher *m = NULL;
    bool expect_quote = false, escaped = false;
    buf_init(&val, 0);
    while (is_space(*p))
        p++;
    ns = p;
    if (!is_name_start(*p))
        goto bad;
    while (is_name_char(*p))
        p++;
    nl = (size_t)(p - ns);
    while (is_space(*p))
        p++;
    if ((ol = read_op(p, &type)) == 0)
        goto bad;
    p += ol;
    while (is_space(*p))
        p++;
    raw = p;
    rl = strlen(raw);
    while (rl > 0 && is_space(raw[rl - 1]))
        rl--;
    name = xstrndup(ns, nl);
    if (rl > 0 && raw[0] == '"') {
        expect_quote = true;
        raw++;
        rl--;
    }
    if (!utf8_valid(raw, rl)) {
        rc = err_set(e, ERR_INVALID, "matcher value not valid UTF-8: %s", p);
        goto out;
    }
    for (size_t i = 0; i < rl; i++) {
        char c = raw[i];
        if (escaped) {
            escaped = false;
            if (c == 'n')
                buf_putc(&val, '\n');
            else if (c == '"' || c == '\\')
                buf_putc(&val, c);
            else {
                buf_putc(&val, '\\');
                buf_putc(&val, c);
            }
            continue;
        }
        if (c == '\\') {
            if (i < rl - 1) {
                escaped = true;
                continue;
            }
            buf_putc(&val, '\\');
        } else if (c == '"') {
            if (!expect_quote || i < rl - 1) {
                rc = err_set(e, ERR_INVALID, "matcher value contains unescaped double quote: %.*s",
                             (int)(rl + (size_t)(raw - p)), p);
                goto out;
            }
            expect_quote = false;
        } else {
            buf_putc(&val, c);
        }
    }
    if (expect_quote) {
        rc = err_set(e, ERR_INVALID, "matcher value contains unescaped double quote: %.*s",
                     (int)(rl + (size_t)(raw - p)), p);
        goto out;
    }
    if ((rc = matcher_new(type, name, buf_str(&val), &m, e)) != 0)
        goto out;
    ms_push(out, m);
    rc = 0;
    goto out;
bad:
    rc = err_set(e, ERR_INVALID, "bad matcher format: %s", t);
out:
    buf_fini(&val);
    xfree(name);
    xfree(t);
    return rc;
}

int amatchers_parse_classic(const char *s, struct matchers *out, struct err *e)
{
    size_t n = strlen(s), start = 0;
    bool inq = false, esc = false;
    size_t before = out->n;
    int rc = 0;
    if (n > AM_MAX_MATCHER_INPUT)
        return err_set(e, ERR_TOOBIG, "matcher text longer than %u bytes", AM_MAX_MATCHER_INPUT);
    if (n > 0 && s[0] == '{')
        s++, n--;
    if (n > 0 && s[n - 1] == '}')
        n--;
    for (size_t i = 0; i <= n && rc == 0; i++) {
        char c = i < n ? s[i] : 0;
        if (i == n) {
            size_t a = start, b = n;
            while (a < b && is_space(s[a]))
                a++;
            if (a < b)
                rc = classic_one(s + start, n - start, out, e);
            break;
        }
        if (c == ',' && !inq) {
            rc = classic_one(s + start, i - start, out, e);
            start = i + 1;
            continue;
        }
        if (c == '"') {
            if (!esc)
                inq = !inq;
            else
                esc = false;
        } else if (c == '\\') {
            esc = !esc;
        } else {
            esc = false;
        }
    }
    if (rc != 0) {
        while (out->n > before)
            matcher_free(out->v[--out->n]);
    }
    return rc;
}

/* ---- UTF-8 parser ---- */

struct lex {
    const char *s;
    size_t n, pos;
};

static bool u8_special(char c)
{
    return c == '{' || c == '}' || c == '!' || c == '=' || c == '~' || c == ',' || c == '"' ||
           c == '\'';
}

static void lex_skip(struct lex *l)
{
    while (l->pos < l->n && is_space(l->s[l->pos]))
        l->pos++;
}

/* Reads a quoted or unquoted string at the cursor into out. */
static int lex_string(struct lex *l, const char *what, struct buf *out, struct err *e)
{
    size_t start = l->pos;
    lex_skip(l);
    start = l->pos;
    if (l->pos >= l->n)
        return err_set(e, ERR_INVALID, "%zu:%zu: unexpected end of input, expected %s", start,
                       start, what);
    if (l->s[l->pos] == '"') {
        size_t used = 0;
        struct err sub;
        /* Find the closing quote first so we can report an unterminated string clearly. */
        size_t i = l->pos + 1;
        for (; i < l->n; i++) {
            if (l->s[i] == '\\')
                i++;
            else if (l->s[i] == '"')
                break;
        }
        if (i >= l->n)
            return err_set(e, ERR_INVALID, "%zu:%zu: %.*s: missing end \"", start, l->n,
                           (int)(l->n - start), l->s + start);
        err_clear(&sub);
        if (string_unquote(l->s + l->pos, i + 1 - l->pos, &used, out, &sub) != 0)
            return err_set(e, ERR_INVALID, "%zu:%zu: %s: invalid input", start, i + 1, sub.msg);
        l->pos += used;
        return 0;
    }
    while (l->pos < l->n && !is_space(l->s[l->pos]) && !u8_special(l->s[l->pos]))
        l->pos++;
    if (l->pos == start)
        return err_set(e, ERR_INVALID, "%zu:%zu: unexpected %c: expected %s", start, start + 1,
                       l->s[start], what);
    return buf_append(out, l->s + start, l->pos - start);
}

int amatchers_parse_utf8(const char *s, struct matchers *out, struct err *e)
{
    int rc = ERR_INTERNAL;
    struct lex l = {s, strlen(s), 0};
    struct buf name, val;
    bool brace = false;
    size_t before = out->n;
    buf_init(&name, AM_MAX_MATCHER_INPUT);
    buf_init(&val, AM_MAX_MATCHER_INPUT);
    if (l.n > AM_MAX_MATCHER_INPUT) {
        rc = err_set(e, ERR_TOOBIG, "matcher text longer than %u bytes", AM_MAX_MATCHER_INPUT);
        goto out;
    }
    if (!utf8_valid(s, l.n)) {
        rc = err_set(e, ERR_INVALID, "0:%zu: %s: invalid input: not valid UTF-8", l.n, s);
        goto out;
    }
    lex_skip(&l);
    if (l.pos < l.n && s[l.pos] == '{') {
        brace = true;
        l.pos++;
    }
    for (;;) {
        enum match_type t;
        size_t ol, at;
        struct matcher *m = NULL;
        lex_skip(&l);
        if (l.pos >= l.n) {
            if (brace) {
                rc = err_set(e, ERR_INVALID, "0:%zu: %s: missing closing '}'", l.n, s);
                goto out;
            }
            break;
        }
        if (s[l.pos] == '}') {
            if (!brace) {
                rc = err_set(e, ERR_INVALID, "%zu:%zu: unexpected }: missing opening '{'", l.pos,
                             l.pos + 1);
                goto out;
            }
            l.pos++;
            lex_skip(&l);
            if (l.pos < l.n) {
                rc = err_set(e, ERR_INVALID, "%zu:%zu: unexpected %c: expected end of input", l.pos,
                             l.pos + 1, s[l.pos]);
                goto out;
            }
            break;
        }
        buf_reset(&name);
        buf_reset(&val);
        if ((rc = lex_string(&l, "label name", &name, e)) != 0)
            goto out;
        lex_skip(&l);
        at = l.pos;
        if (at >= l.n || (ol = read_op(s + at, &t)) == 0) {
            if (at >= l.n)
                rc = err_set(e, ERR_INVALID,
                             "%zu:%zu: end of input: expected an operator such as '=', '!=', "
                             "'=~' or '!~'",
                             at, at);
            else
                rc = err_set(e, ERR_INVALID,
                             "%zu:%zu: unexpected %c: expected an operator such as '=', '!=', "
                             "'=~' or '!~'",
                             at, at + 1, s[at]);
            goto out;
        }
        l.pos += ol;
        if ((rc = lex_string(&l, "label value", &val, e)) != 0)
            goto out;
        if (name.len == 0) {
            rc = err_set(e, ERR_INVALID, "%zu:%zu: label name is empty", at, at);
            goto out;
        }
        if ((rc = matcher_new(t, buf_str(&name), buf_str(&val), &m, e)) != 0)
            goto out;
        ms_push(out, m);
        lex_skip(&l);
        if (l.pos < l.n && s[l.pos] == ',') {
            l.pos++;
            continue;
        }
        if (l.pos < l.n && s[l.pos] != '}') {
            rc = err_set(e, ERR_INVALID, "%zu:%zu: unexpected %c: expected a comma or '}'", l.pos,
                         l.pos + 1, s[l.pos]);
            goto out;
        }
    }
    rc = 0;
out:
    if (rc != 0) {
        while (out->n > before)
            matcher_free(out->v[--out->n]);
    }
    buf_fini(&name);
    buf_fini(&val);
    return rc;
}

int amatchers_parse(const char *s, struct matchers *out, struct err *e)
{
    /* Alertmanager 0.25 only knows the classic syntax, so it decides whenever it can. */
    int rc = amatchers_parse_classic(s, out, e);
    if (rc == 0)
        return 0;
    if (amatchers_parse_utf8(s, out, NULL) == 0) {
        err_clear(e);
        return 0;
    }
    return rc;
}

int amatcher_put_quoted(struct buf *b, const char *s)
{
    int r = buf_putc(b, '"');
    const unsigned char *p = (const unsigned char *)s;
    while (r == 0 && *p) {
        unsigned char c = *p;
        size_t clen = c < 0x80         ? 1
                      : (c >> 5) == 6  ? 2
                      : (c >> 4) == 14 ? 3
                      : (c >> 3) == 30 ? 4
                                       : 0;
        if (c >= 0x80) {
            if (clen == 0 || !utf8_valid((const char *)p, strnlen((const char *)p, clen)) ||
                strnlen((const char *)p, clen) < clen) {
                r = buf_printf(b, "\\x%02x", c);
                p++;
                continue;
            }
            r = buf_append(b, p, clen);
            p += clen;
            continue;
        }
        switch (c) {
        case '"':
            r = buf_puts(b, "\\\"");
            break;
        case '\\':
            r = buf_puts(b, "\\\\");
            break;
        case '\n':
            r = buf_puts(b, "\\n");
            break;
        case '\t':
            r = buf_puts(b, "\\t");
            break;
        case '\r':
            r = buf_puts(b, "\\r");
            break;
        case '\a':
            r = buf_puts(b, "\\a");
            break;
        case '\b':
            r = buf_puts(b, "\\b");
            break;
        case '\f':
            r = buf_puts(b, "\\f");
            break;
        case '\v':
            r = buf_puts(b, "\\v");
            break;
        default:
            if (c < 0x20 || c == 0x7f)
                r = buf_printf(b, "\\x%02x", c);
            else
                r = buf_putc(b, (char)c);
        }
        p++;
    }
    return r ? r : buf_putc(b, '"');
}

int amatcher_format(const struct matcher *m, struct buf *out)
{
    int r = buf_puts(out, m->name);
    if (r == 0)
        r = buf_puts(out, match_type_str(m->type));
    if (r == 0)
        r = amatcher_put_quoted(out, m->value);
    return r;
}

int amatchers_format(const struct matchers *ms, struct buf *out)
{
    int r = buf_putc(out, '{');
    for (size_t i = 0; r == 0 && i < ms->n; i++) {
        if (i > 0)
            r = buf_putc(out, ',');
        if (r == 0)
            r = amatcher_format(ms->v[i], out);
    }
    return r ? r : buf_putc(out, '}');
}

static int am_cmp(const void *a, const void *b)
{
    const struct matcher *x = *(const struct matcher *const *)a;
    const struct matcher *y = *(const struct matcher *const *)b;
    int c = strcmp(x->name, y->name);
    if (c == 0)
        c = strcmp(x->value, y->value);
    if (c == 0)
        c = (int)x->type - (int)y->type;
    return c;
}

void amatchers_sort(struct matchers *ms)
{
    if (ms->n > 1)
        qsort(ms->v, ms->n, sizeof(*ms->v), am_cmp);
}

void amatchers_copy(struct matchers *dst, const struct matchers *src)
{
    for (size_t i = 0; i < src->n; i++) {
        struct matcher *m = NULL;
        /* The source compiled already, so this cannot fail. */
        if (matcher_new(src->v[i]->type, src->v[i]->name, src->v[i]->value, &m, NULL) == 0)
            ms_push(dst, m);
    }
}

bool amatchers_equal(const struct matchers *a, const struct matchers *b)
{
    if (a->n != b->n)
        return false;
    for (size_t i = 0; i < a->n; i++) {
        if (a->v[i]->type != b->v[i]->type || strcmp(a->v[i]->name, b->v[i]->name) != 0 ||
            strcmp(a->v[i]->value, b->v[i]->value) != 0)
            return false;
    }
    return true;
}
