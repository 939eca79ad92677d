/* SPDX-License-Identifier: Apache-2.0 */
/* Template parse-tree helpers: number literal conversion (Go's parse.NumberNode rules) and the
 * Go String() form of nodes used in error messages. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/matcher.h"
#include "common/template/gofmt.h"
#include "common/template/template_int.h"

static int64_t parse_int_text(const char *s, bool *ok)
{
    char clean[80];
    size_t n = 0;
    int base = 10;
    bool neg = false;
    const char *q = s;
    char *end;
    unsigned long long v;
    *ok = false;
    if (*q == '+' || *q == '-')
        neg = *q++ == '-';
    if (q[0] == '0' && (q[1] == 'x' || q[1] == 'X'))
        base = 16, q += 2;
    else if (q[0] == '0' && (q[1] == 'o' || q[1] == 'O'))
        base = 8, q += 2;
    else if (q[0] == '0' && (q[1] == 'b' || q[1] == 'B'))
        base = 2, q += 2;
    else if (q[0] == '0' && q[1] != '\0')
        base = 8, q += 1;
    for (; *q && n + 1 < sizeof(clean); q++) {
        if (*q != '_')
            clean[n++] = *q;
    }
    clean[n] = '\0';
    if (n == 0 || *q)
        return 0;
    errno = 0;
    v = strtoull(clean, &end, base);
    if (*end || errno != 0 || v > (unsigned long long)INT64_MAX + (neg ? 1 : 0))
        return 0;
    *ok = true;
    return neg ? (int64_t)(0 - v) : (int64_t)v;
}

int tmpl_number_parse(const char *s, bool charconst, struct node *n, char *err, size_t errsize)
{
    bool ok;
    if (charconst) {
        struct buf b;
        size_t used;
        int32_t r = -1;
        buf_init(&b, 64);
        if (string_unquote(s, strlen(s), &used, &b, NULL) == 0 && used == strlen(s) && b.len > 0) {
            const unsigned char *u = (const unsigned char *)b.data;
            if (b.len == 1)
                r = u[0];
            else if (b.len == 2 && (u[0] & 0xe0) == 0xc0)
                r = ((u[0] & 0x1f) << 6) | (u[1] & 0x3f);
            else if (b.len == 3 && (u[0] & 0xf0) == 0xe0)
                r = ((u[0] & 0x0f) << 12) | ((u[1] & 0x3f) << 6) | (u[2] & 0x3f);
            else if (b.len == 4 && (u[0] & 0xf8) == 0xf0)
                r = ((u[0] & 0x07) << 18) | ((u[1] & 0x3f) << 12) | ((u[2] & 0x3f) << 6) |
                    (u[3] & 0x3f);
        }
        buf_fini(&b);
        if (r < 0) {
            snprintf(err, errsize, "malformed character constant: %s", s);
            return -1;
        }
        n->i = r;
        return 0;
    }
    if (strchr(s, 'i')) {
        snprintf(err, errsize, "complex numbers are not supported: \"%s\"", s);
        return -1;
    }
    n->i = parse_int_text(s, &ok);
    if (ok && !(strpbrk(s, ".eEpP") &&
                !(s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && !strpbrk(s, "pP")))) {
        return 0;
    }
    {
        char clean[80];
        size_t k = 0;
        const char *q;
        char *end;
        bool is_hex_int = (s[0] == '0' || ((s[0] == '+' || s[0] == '-') && s[1] == '0')) &&
                          strpbrk(s, "xX") && !strpbrk(s, "pP");
        for (q = s; *q && k + 1 < sizeof(clean); q++) {
            if (*q != '_')
                clean[k++] = *q;
        }
        clean[k] = '\0';
        if (ok && is_hex_int)
            return 0;
        n->f = strtod(clean, &end);
        if (*end || k == 0 || is_hex_int) {
            snprintf(err, errsize, "illegal number syntax: \"%s\"", s);
            return -1;
        }
        if (!strpbrk(s, ".eEpP")) {
            snprintf(err, errsize, "integer overflow: \"%s\"", s);
            return -1;
        }
        if (isinf(n->f)) {
            snprintf(err, errsize, "illegal number syntax: \"%s\"", s);
            return -1;
        }
        n->is_float = true;
    }
    return 0;
}

static void put_pipe(const struct node *n, struct buf *out)
{
    int i;
    if (n->nvars > 0) {
        for (i = 0; i < n->nvars; i++) {
            if (i > 0)
                buf_puts(out, ", ");
            buf_puts(out, n->vars[i]);
        }
        buf_puts(out, n->is_assign ? " = " : " := ");
    }
    for (i = 0; i < n->nkids; i++) {
        if (i > 0)
            buf_puts(out, " | ");
        tmpl_node_string(n->kids[i], out);
    }
}

void tmpl_node_string(const struct node *n, struct buf *out)
{
    int i;
    switch (n->kind) {
    case N_LIST:
        for (i = 0; i < n->nkids; i++)
            tmpl_node_string(n->kids[i], out);
        break;
    case N_TEXT:
        buf_append(out, n->text, n->len);
        break;
    case N_ACTION:
        buf_puts(out, "{{");
        put_pipe(n->pipe, out);
        buf_puts(out, "}}");
        break;
    case N_IF:
    case N_RANGE:
    case N_WITH:
        buf_printf(out, "{{%s ", n->kind == N_IF ? "if" : n->kind == N_RANGE ? "range" : "with");
        put_pipe(n->pipe, out);
        buf_puts(out, "}}");
        tmpl_node_string(n->list, out);
        if (n->else_list) {
            buf_puts(out, "{{else}}");
            tmpl_node_string(n->else_list, out);
        }
        buf_puts(out, "{{end}}");
        break;
    case N_TEMPLATE:
        buf_puts(out, "{{template ");
        gofmt_quote(out, n->text, n->len);
        if (n->pipe) {
            buf_putc(out, ' ');
            put_pipe(n->pipe, out);
        }
        buf_puts(out, "}}");
        break;
    case N_BREAK:
        buf_puts(out, "{{break}}");
        break;
    case N_CONTINUE:
        buf_puts(out, "{{continue}}");
        break;
    case N_PIPE:
        put_pipe(n, out);
        break;
    case N_CMD:
        for (i = 0; i < n->nkids; i++) {
            if (i > 0)
                buf_putc(out, ' ');
            if (n->kids[i]->kind == N_PIPE) {
                buf_putc(out, '(');
                put_pipe(n->kids[i], out);
                buf_putc(out, ')');
            } else {
                tmpl_node_string(n->kids[i], out);
            }
        }
        break;
    case N_FIELD:
    case N_VAR:
    case N_CHAIN:
        if (n->kind == N_VAR) {
            buf_puts(out, n->text);
        } else if (n->kind == N_CHAIN) {
            if (n->pipe->kind == N_PIPE) {
                buf_putc(out, '(');
                put_pipe(n->pipe, out);
                buf_putc(out, ')');
            } else {
                tmpl_node_string(n->pipe, out);
            }
        }
        for (i = 0; i < n->nfields; i++)
            buf_printf(out, ".%s", n->fields[i]);
        break;
    case N_DOT:
        buf_putc(out, '.');
        break;
    case N_NIL:
        buf_puts(out, "nil");
        break;
    case N_BOOL:
        buf_puts(out, n->i ? "true" : "false");
        break;
    case N_NUMBER:
    case N_STRING:
        buf_append(out, n->src, n->srclen);
        break;
    case N_IDENT:
        buf_puts(out, n->text);
        break;
    }
}
