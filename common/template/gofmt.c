/* SPDX-License-Identifier: Apache-2.0 */
/* Go fmt/strconv formatting of template values: Sprint, Sprintln, Sprintf verbs and flags,
 * shortest float formatting and strconv.Quote. */
#include "common/template/gofmt.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/fmtfloat.h"
#include "common/template/gotime.h"
#include "common/template/value.h"

/* Widths and precisions above this are refused to keep output bounded. */
#define GOFMT_MAX_WIDTH 100000

struct spec {
    bool plus, minus, sharp, space, zero;
    bool has_wid, has_prec;
    int wid, prec;
    char verb;
};

/* Decodes one UTF-8 sequence at s (n > 0 bytes). Returns its length, or 1 with *r = -1 for an
 * invalid byte. */
static int utf8_decode(const unsigned char *s, size_t n, int32_t *r)
{
    int len, i;
    int32_t c;
    unsigned char b = s[0];
    if (b < 0x80) {
        *r = b;
        return 1;
    }
    if (b >= 0xc2 && b <= 0xdf) {
        len = 2;
        c = b & 0x1f;
    } else if (b >= 0xe0 && b <= 0xef) {
        len = 3;
        c = b & 0x0f;
    } else if (b >= 0xf0 && b <= 0xf4) {
        len = 4;
        c = b & 0x07;
    } else {
        *r = -1;
        return 1;
    }
    if ((size_t)len > n) {
        *r = -1;
        return 1;
    }
    for (i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80) {
            *r = -1;
            return 1;
        }
        c = (c << 6) | (s[i] & 0x3f);
    }
    if ((len == 3 && (c < 0x800 || (c >= 0xd800 && c <= 0xdfff))) || (len == 4 && c < 0x10000) ||
        c > 0x10ffff) {
        *r = -1;
        return 1;
    }
    *r = c;
    return len;
}

static int utf8_encode(int32_t r, char *out)
{
    if (r < 0 || r > 0x10ffff || (r >= 0xd800 && r <= 0xdfff))
        r = 0xfffd;
    if (r < 0x80) {
        out[0] = (char)r;
        return 1;
    }
    if (r < 0x800) {
        out[0] = (char)(0xc0 | (r >> 6));
        out[1] = (char)(0x80 | (r & 0x3f));
        return 2;
    }
    if (r < 0x10000) {
        out[0] = (char)(0xe0 | (r >> 12));
        out[1] = (char)(0x80 | ((r >> 6) & 0x3f));
        out[2] = (char)(0x80 | (r & 0x3f));
        return 3;
    }
    out[0] = (char)(0xf0 | (r >> 18));
    out[1] = (char)(0x80 | ((r >> 12) & 0x3f));
    out[2] = (char)(0x80 | ((r >> 6) & 0x3f));
    out[3] = (char)(0x80 | (r & 0x3f));
    return 4;
}

static size_t rune_count(const char *s, size_t n)
{
    size_t i = 0, c = 0;
    int32_t r;
    while (i < n) {
        i += (size_t)utf8_decode((const unsigned char *)s + i, n - i, &r);
        c++;
    }
    return c;
}

static int put_padding(struct buf *out, int n, char c)
{
    int rc = 0;
    while (rc == 0 && n-- > 0)
        rc = buf_putc(out, c);
    return rc;
}

/* Pads s to the spec's width (in runes); zero padding applies only when allowed. */
static int pad(struct buf *out, const struct spec *sp, const char *s, size_t n, bool zero_ok)
{
    int rc = 0, fill = 0;
    if (sp->has_wid) {
        size_t rn = rune_count(s, n);
        if ((size_t)sp->wid > rn)
            fill = sp->wid - (int)rn;
    }
    if (!sp->minus)
        rc = put_padding(out, fill, sp->zero && zero_ok ? '0' : ' ');
    if (rc == 0)
        rc = buf_append(out, s, n);
    if (rc == 0 && sp->minus)
        rc = put_padding(out, fill, ' ');
    return rc;
}

/* Shortest decimal digits of finite nonzero |f|: digits (NUL-ended) and the decimal point
 * position dp so that |f| = 0.DIGITS * 10^dp. */
static void shortest_digits(double f, char *digits, int *dp)
{
    (void)fmtfloat_shortest(f, digits, dp);
}

static int put_exp(struct buf *out, char e, int x)
{
    return buf_printf(out, "%c%c%02d", e, x < 0 ? '-' : '+', x < 0 ? -x : x);
}

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
int gofmt_float(struct buf *out, double f, char verb, int prec)
{
    char digits[32];
    int dp, nd, rc = 0, i;
    char lower = (char)(verb | 0x20);
    if (isnan(f))
        return buf_puts(out, "NaN");
    if (isinf(f))
        return buf_puts(out, f > 0 ? "+Inf" : "-Inf");
    if (verb == 'F')
        verb = lower = 'f';
    if (prec >= 0) {
        char cfmt[8];
        char tmp[512];
        if (prec > 300)
            prec = 300;
        if (lower == 'f' && fabs(f) >= 1e100) {
            snprintf(cfmt, sizeof(cfmt), "%%.%d%c", prec, verb);
            return buf_printf(out, cfmt, f);
        }
        snprintf(cfmt, sizeof(cfmt), "%%.*%c", verb);
        snprintf(tmp, sizeof(tmp), cfmt, prec, f);
        return buf_puts(out, tmp);
    }
    if (signbit(f))
        rc = buf_putc(out, '-');
    if (f == 0) {
        strcpy(digits, "0");
        dp = 1;
    } else {
        shortest_digits(f, digits, &dp);
    }
    nd = (int)strlen(digits);
    if (lower == 'g')
        lower = (dp - 1 < -4 || dp - 1 >= 6) ? 'e' : 'f'; /* strconv: eprec 6 when shortest */
    if (lower == 'e') {
        if (rc == 0)
            rc = buf_putc(out, digits[0]);
        if (rc == 0 && nd > 1) {
            rc = buf_putc(out, '.');
            if (rc == 0)
                rc = buf_puts(out, digits + 1);
        }
        if (rc == 0)
            rc = put_exp(out, (verb == 'E' || verb == 'G') ? 'E' : 'e', f == 0 ? 0 : dp - 1);
        return rc;
    }
    if (dp <= 0) {
        rc = rc ? rc : buf_puts(out, "0.");
        for (i = 0; rc == 0 && i < -dp; i++)
            rc = buf_putc(out, '0');
        return rc ? rc : buf_puts(out, digits);
    }
    if (dp >= nd) {
        rc = rc ? rc : buf_puts(out, digits);
        for (i = nd; rc == 0 && i < dp; i++)
            rc = buf_putc(out, '0');
        return rc;
    }
    rc = rc ? rc : buf_append(out, digits, (size_t)dp);
    rc = rc ? rc : buf_putc(out, '.');
    return rc ? rc : buf_puts(out, digits + dp);
}
#pragma GCC diagnostic pop

/* unicode.IsPrint approximation for non-ASCII runes: C1 controls, spaces other than ' ',
 * format characters, private use, surrogates and noncharacters are not printable. */
static bool rune_printable(int32_t r)
{
    if (r < 0xa0)
        return r >= 0x20 && r < 0x7f;
    if (r == 0xa0 || r == 0xad || r == 0x1680 || r == 0x061c || r == 0x180e)
        return false;
    if ((r >= 0x2000 && r <= 0x200f) || (r >= 0x2028 && r <= 0x202f) ||
        (r >= 0x205f && r <= 0x206f) || r == 0x3000 || r == 0xfeff ||
        (r >= 0xfff9 && r <= 0xfffb) || (r >= 0xd800 && r <= 0xf8ff) || (r & 0xfffe) == 0xfffe ||
        (r >= 0xe0000 && r <= 0xe007f) || r >= 0xf0000)
        return false;
    return true;
}

static int quote_rune_ascii(struct buf *out, int32_t r, char q, bool ascii_only);

static int quote_rune(struct buf *out, int32_t r, char q)
{
    return quote_rune_ascii(out, r, q, false);
}

static int quote_rune_ascii(struct buf *out, int32_t r, char q, bool ascii_only)
{
    char u[4];
    switch (r) {
    case '\a':
        return buf_puts(out, "\\a");
    case '\b':
        return buf_puts(out, "\\b");
    case '\f':
        return buf_puts(out, "\\f");
    case '\n':
        return buf_puts(out, "\\n");
    case '\r':
        return buf_puts(out, "\\r");
    case '\t':
        return buf_puts(out, "\\t");
    case '\v':
        return buf_puts(out, "\\v");
    case '\\':
        return buf_puts(out, "\\\\");
    default:
        break;
    }
    if (r == q)
        return buf_printf(out, "\\%c", q);
    if (r < ' ' || r == 0x7f)
        return buf_printf(out, "\\x%02x", (unsigned)r);
    if (r >= 0x80 && (ascii_only || !rune_printable(r)))
        return buf_printf(out, r > 0xffff ? "\\U%08x" : "\\u%04x", (unsigned)r);
    return buf_append(out, u, (size_t)utf8_encode(r, u));
}

static int quote_str(struct buf *out, const char *s, size_t n, bool ascii_only);

int gofmt_quote(struct buf *out, const char *s, size_t n)
{
    return quote_str(out, s, n, false);
}

static int quote_str(struct buf *out, const char *s, size_t n, bool ascii_only)
{
    size_t i = 0;
    int rc = buf_putc(out, '"');
    while (rc == 0 && i < n) {
        int32_t r;
        int l = utf8_decode((const unsigned char *)s + i, n - i, &r);
        if (r < 0)
            rc = buf_printf(out, "\\x%02x", (unsigned char)s[i]);
        else
            rc = quote_rune_ascii(out, r, '"', ascii_only);
        i += (size_t)l;
    }
    return rc ? rc : buf_putc(out, '"');
}

static int fmt_value(struct buf *out, const struct spec *sp, struct tmpl_value *v);

static int bad_verb(struct buf *out, char verb, struct tmpl_value *v)
{
    int rc = buf_printf(out, "%%!%c(", verb);
    if (rc == 0 && (v == NULL || v->kind == TMPL_NULL))
        return buf_puts(out, "<nil>)");
    if (rc == 0)
        rc = buf_printf(out, "%s=", tmpl_type_name(v));
    if (rc == 0)
        rc = tmpl_value_print(v, out);
    return rc ? rc : buf_putc(out, ')');
}

static int fmt_int(struct buf *out, const struct spec *sp, int64_t v, struct tmpl_value *orig)
{
    char tmp[160];
    char digits[80];
    int nd = 0, base = 10, prec = -1, n = 0, i;
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    const char *dig = "0123456789abcdef";
    struct spec s2 = *sp;
    switch (sp->verb) {
    case 'v':
    case 'd':
        break;
    case 'b':
        base = 2;
        break;
    case 'o':
        base = 8;
        break;
    case 'x':
        base = 16;
        break;
    case 'X':
        base = 16;
        dig = "0123456789ABCDEF";
        break;
    case 'c':
        n = utf8_encode((int32_t)(v > 0x10ffff || v < 0 ? 0xfffd : v), tmp);
        return pad(out, sp, tmp, (size_t)n, true);
    case 'q': {
        struct buf b;
        int rc;
        buf_init(&b, 64);
        rc = buf_putc(&b, '\'');
        if (rc == 0)
            rc = quote_rune(&b, (int32_t)(v > 0x10ffff || v < 0 ? 0xfffd : v), '\'');
        if (rc == 0)
            rc = buf_putc(&b, '\'');
        if (rc == 0)
            rc = pad(out, sp, b.data, b.len, true);
        buf_fini(&b);
        return rc;
    }
    case 'U':
        n = snprintf(tmp, sizeof(tmp), "U+%04llX", (unsigned long long)u);
        if (sp->sharp && v >= 0 && v <= 0x10ffff && rune_printable((int32_t)v)) {
            tmp[n++] = ' ';
            tmp[n++] = '\'';
            n += utf8_encode((int32_t)v, tmp + n);
            tmp[n++] = '\'';
        }
        return pad(out, sp, tmp, (size_t)n, true);
    default:
        return bad_verb(out, sp->verb, orig);
    }
    do {
        digits[nd++] = dig[u % (uint64_t)base];
        u /= (uint64_t)base;
    } while (u > 0);
    if (sp->has_prec) {
        prec = sp->prec;
        if (prec == 0 && v == 0)
            nd = 0;
    } else if (sp->zero && sp->has_wid && !sp->minus) {
        prec = sp->wid;
        if (v < 0 || sp->plus || sp->space)
            prec--;
        s2.zero = false;
    }
    if (prec > 64)
        prec = 64;
    while (nd < prec)
        digits[nd++] = '0';
    if (sp->sharp) {
        if (base == 8 && (nd == 0 || digits[nd - 1] != '0'))
            digits[nd++] = '0';
        else if (base == 16)
            digits[nd++] = sp->verb, digits[nd++] = '0';
        else if (base == 2)
            digits[nd++] = 'b', digits[nd++] = '0';
    }
    if (v < 0)
        tmp[n++] = '-';
    else if (sp->plus)
        tmp[n++] = '+';
    else if (sp->space)
        tmp[n++] = ' ';
    for (i = nd - 1; i >= 0; i--)
        tmp[n++] = digits[i];
    s2.zero = s2.zero && !sp->has_prec;
    return pad(out, &s2, tmp, (size_t)n, true);
}

static int fmt_float(struct buf *out, const struct spec *sp, double f, struct tmpl_value *orig)
{
    struct buf num;
    int rc, prec = sp->has_prec ? sp->prec : -1;
    char verb = sp->verb;
    const char *s;
    size_t n;
    switch (verb) {
    case 'v':
        verb = 'g';
        break;
    case 'e':
    case 'E':
    case 'f':
    case 'F':
        if (!sp->has_prec)
            prec = 6;
        break;
    case 'g':
    case 'G':
        break;
    default:
        return bad_verb(out, sp->verb, orig);
    }
    buf_init(&num, 0);
    /* a leading sign slot, as Go's fmt does, so flags can replace it */
    rc = buf_putc(&num, '+');
    if (rc == 0)
        rc = gofmt_float(&num, f, verb, prec);
    if (rc != 0)
        goto out;
    s = num.data;
    n = num.len;
    if (s[1] == '-' || s[1] == '+') {
        s++;
        n--;
    }
    if (s[1] == 'I' || s[1] == 'N') {
        struct spec s2 = *sp;
        s2.zero = false;
        if (s[1] == 'N' && !sp->space && !sp->plus) {
            s++;
            n--;
        } else if (s[0] == '+' && sp->space && !sp->plus && s[1] == 'N') {
            num.data[s - num.data] = ' ';
        }
        rc = pad(out, &s2, s, n, false);
        goto out;
    }
    if (sp->plus) {
        /* keep the sign */
    } else if (s[0] == '+' && sp->space) {
        num.data[s - num.data] = ' ';
    } else if (s[0] == '+') {
        s++;
        n--;
    }
    if (sp->zero && sp->has_wid && !sp->minus && (size_t)sp->wid > n) {
        size_t skip = (s[0] == '-' || s[0] == '+' || s[0] == ' ') ? 1 : 0;
        if (skip)
            rc = buf_putc(out, s[0]);
        if (rc == 0)
            rc = put_padding(out, sp->wid - (int)n, '0');
        if (rc == 0)
            rc = buf_append(out, s + skip, n - skip);
        goto out;
    }
    rc = pad(out, sp, s, n, false);
out:
    buf_fini(&num);
    return rc;
}

/* strconv.CanBackquote: valid UTF-8 without control characters (tab allowed), '`' or U+FEFF. */
static bool can_backquote(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        int32_t r;
        int l = utf8_decode((const unsigned char *)s + i, n - i, &r);
        if (r < 0 || r == '`' || r == 0xfeff || r == 0x7f || (r < ' ' && r != '\t'))
            return false;
        i += (size_t)l;
    }
    return true;
}

static int fmt_string(struct buf *out, const struct spec *sp, const char *s, size_t n,
                      struct tmpl_value *orig)
{
    struct buf tmp;
    int rc = 0;
    size_t i;
    switch (sp->verb) {
    case 'v':
    case 's':
        if (sp->has_prec) {
            size_t cut = 0, runes = 0;
            int32_t r;
            while (cut < n && runes < (size_t)sp->prec) {
                cut += (size_t)utf8_decode((const unsigned char *)s + cut, n - cut, &r);
                runes++;
            }
            n = cut;
        }
        if (sp->verb == 'v' && sp->sharp)
            break;
        return pad(out, sp, s, n, true);
    case 'q':
        break;
    case 'x':
    case 'X':
        buf_init(&tmp, 0);
        if (sp->has_prec && (size_t)sp->prec < n)
            n = (size_t)sp->prec;
        for (i = 0; rc == 0 && i < n; i++) {
            if (sp->space && i > 0)
                rc = buf_putc(&tmp, ' ');
            if (rc == 0 && sp->sharp && (sp->space || i == 0))
                rc = buf_puts(&tmp, sp->verb == 'x' ? "0x" : "0X");
            if (rc == 0)
                rc = buf_printf(&tmp, sp->verb == 'x' ? "%02x" : "%02X", (unsigned char)s[i]);
        }
        if (rc == 0)
            rc = pad(out, sp, buf_str(&tmp), tmp.len, true);
        buf_fini(&tmp);
        return rc;
    default:
        return bad_verb(out, sp->verb, orig);
    }
    buf_init(&tmp, 0);
    if (sp->has_prec && sp->verb == 'q') {
        size_t cut = 0, runes = 0;
        int32_t r;
        while (cut < n && runes < (size_t)sp->prec) {
            cut += (size_t)utf8_decode((const unsigned char *)s + cut, n - cut, &r);
            runes++;
        }
        n = cut;
    }
    if (sp->sharp && sp->verb == 'q' && can_backquote(s, n)) {
        rc = buf_putc(&tmp, '`');
        if (rc == 0)
            rc = buf_append(&tmp, s, n);
        if (rc == 0)
            rc = buf_putc(&tmp, '`');
    } else {
        rc = quote_str(&tmp, s, n, sp->plus);
    }
    if (rc == 0)
        rc = pad(out, sp, buf_str(&tmp), tmp.len, true);
    buf_fini(&tmp);
    return rc;
}

static int fmt_stringer(struct buf *out, const struct spec *sp, struct tmpl_value *v)
{
    struct buf tmp;
    int rc;
    buf_init(&tmp, 0);
    rc = tmpl_value_print(v, &tmp);
    if (rc == 0)
        rc = fmt_string(out, sp, buf_str(&tmp), tmp.len, v);
    buf_fini(&tmp);
    return rc;
}

static int fmt_value(struct buf *out, const struct spec *sp, struct tmpl_value *v)
{
    int rc = 0;
    size_t i;
    if (sp->verb == 'T') {
        const char *t = tmpl_type_name(v);
        return pad(out, sp, t, strlen(t), false);
    }
    if (v == NULL || v->kind == TMPL_NULL) {
        if (sp->verb == 'v')
            return pad(out, sp, "<nil>", 5, false);
        return bad_verb(out, sp->verb, v);
    }
    switch (v->kind) {
    case TMPL_BOOL:
        if (sp->verb == 'v' || sp->verb == 't')
            return pad(out, sp, v->u.b ? "true" : "false", v->u.b ? 4 : 5, true);
        return bad_verb(out, sp->verb, v);
    case TMPL_INT:
        return fmt_int(out, sp, v->u.i, v);
    case TMPL_FLOAT:
        return fmt_float(out, sp, v->u.f, v);
    case TMPL_STRING:
        return fmt_string(out, sp, v->u.str.s, v->u.str.len, v);
    case TMPL_LIST:
        rc = buf_putc(out, '[');
        for (i = 0; rc == 0 && i < v->u.list.n; i++) {
            if (i > 0)
                rc = buf_putc(out, ' ');
            if (rc == 0)
                rc = fmt_value(out, sp, v->u.list.v[i]);
        }
        return rc ? rc : buf_putc(out, ']');
    case TMPL_MAP:
        rc = buf_puts(out, "map[");
        for (i = 0; rc == 0 && i < v->u.map.n; i++) {
            struct tmpl_value key = {.kind = TMPL_STRING, .refs = 1};
            key.u.str.s = v->u.map.v[i].key;
            key.u.str.len = strlen(key.u.str.s);
            if (i > 0)
                rc = buf_putc(out, ' ');
            if (rc == 0)
                rc = fmt_value(out, sp, &key);
            if (rc == 0)
                rc = buf_putc(out, ':');
            if (rc == 0)
                rc = fmt_value(out, sp, v->u.map.v[i].val);
        }
        return rc ? rc : buf_putc(out, ']');
    case TMPL_DURATION:
        if (strchr("vsqxX", sp->verb))
            return fmt_stringer(out, sp, v);
        return fmt_int(out, sp, v->u.dur_ns, v);
    case TMPL_TIME:
        if (strchr("vsqxX", sp->verb))
            return fmt_stringer(out, sp, v);
        return bad_verb(out, sp->verb, v);
    case TMPL_OBJECT: {
        struct tmpl_value *p = NULL;
        if (v->u.obj.type->print && strchr("vsqxX", sp->verb))
            return fmt_stringer(out, sp, v);
        if (v->u.obj.type->convert && tmpl_plain(v, &p, NULL) == 0 && p->kind != TMPL_OBJECT)
            rc = fmt_value(out, sp, p);
        else
            rc = fmt_stringer(out, sp, v);
        tmpl_unref(p);
        return rc;
    }
    default:
        return fmt_stringer(out, sp, v);
    }
}

static bool is_string(const struct tmpl_value *v)
{
    return v != NULL && v->kind == TMPL_STRING;
}

int gofmt_sprint(struct buf *out, int argc, struct tmpl_value **argv)
{
    int rc = 0, i;
    bool prev_string = false;
    struct spec sp = {.verb = 'v'};
    for (i = 0; rc == 0 && i < argc; i++) {
        bool s = is_string(argv[i]);
        if (i > 0 && !s && !prev_string)
            rc = buf_putc(out, ' ');
        if (rc == 0)
            rc = fmt_value(out, &sp, argv[i]);
        prev_string = s;
    }
    return rc;
}

int gofmt_sprintln(struct buf *out, int argc, struct tmpl_value **argv)
{
    int rc = 0, i;
    struct spec sp = {.verb = 'v'};
    for (i = 0; rc == 0 && i < argc; i++) {
        if (i > 0)
            rc = buf_putc(out, ' ');
        if (rc == 0)
            rc = fmt_value(out, &sp, argv[i]);
    }
    return rc ? rc : buf_putc(out, '\n');
}

/* Reads a decimal number at *p (bounded). Returns false when there is none. */
static bool parse_num(const char *f, size_t flen, size_t *p, int *num)
{
    bool any = false;
    long n = 0;
    while (*p < flen && f[*p] >= '0' && f[*p] <= '9') {
        if (n < 1000000)
            n = n * 10 + (f[*p] - '0');
        (*p)++;
        any = true;
    }
    *num = (int)n;
    return any;
}

/* Takes an int operand for '*'; returns false when it is missing or not an int. */
static bool star_arg(int argc, struct tmpl_value **argv, int *ai, int *num)
{
    struct tmpl_value *v;
    if (*ai >= argc)
        return false;
    v = argv[(*ai)++];
    if (v == NULL || v->kind != TMPL_INT || v->u.i > GOFMT_MAX_WIDTH || v->u.i < -GOFMT_MAX_WIDTH)
        return false;
    *num = (int)v->u.i;
    return true;
}

int gofmt_sprintf(struct buf *out, const char *f, size_t flen, int argc, struct tmpl_value **argv)
{
    int rc = 0, ai = 0;
    size_t p = 0;
    while (rc == 0 && p < flen) {
        struct spec sp;
        size_t start = p;
        while (p < flen && f[p] != '%')
            p++;
        if (p > start)
            rc = buf_append(out, f + start, p - start);
        if (rc != 0 || p >= flen)
            break;
        p++; /* '%' */
        memset(&sp, 0, sizeof(sp));
        for (; p < flen; p++) {
            char c = f[p];
            if (c == '+')
                sp.plus = true;
            else if (c == '-')
                sp.minus = true, sp.zero = false;
            else if (c == '#')
                sp.sharp = true;
            else if (c == ' ')
                sp.space = true;
            else if (c == '0')
                sp.zero = !sp.minus;
            else
                break;
        }
        if (p < flen && f[p] == '*') {
            p++;
            if (!star_arg(argc, argv, &ai, &sp.wid)) {
                rc = buf_puts(out, "%!(BADWIDTH)");
            } else {
                sp.has_wid = true;
                if (sp.wid < 0) {
                    sp.minus = true, sp.zero = false;
                    sp.wid = -sp.wid;
                }
            }
        } else {
            sp.has_wid = parse_num(f, flen, &p, &sp.wid);
        }
        if (rc == 0 && p < flen && f[p] == '.') {
            p++;
            if (p < flen && f[p] == '*') {
                p++;
                if (!star_arg(argc, argv, &ai, &sp.prec)) {
                    rc = buf_puts(out, "%!(BADPREC)");
                } else {
                    sp.has_prec = sp.prec >= 0;
                }
            } else {
                parse_num(f, flen, &p, &sp.prec);
                sp.has_prec = true;
            }
        }
        if (rc != 0)
            break;
        if (sp.wid > GOFMT_MAX_WIDTH || sp.prec > GOFMT_MAX_WIDTH)
            return ERR_TOOBIG;
        if (p >= flen) {
            rc = buf_puts(out, "%!(NOVERB)");
            break;
        }
        {
            int32_t r;
            int l = utf8_decode((const unsigned char *)f + p, flen - p, &r);
            sp.verb = r >= 0 && r < 0x80 ? (char)r : '?';
            p += (size_t)l;
        }
        if (sp.verb == '%') {
            rc = buf_putc(out, '%');
            continue;
        }
        if (ai >= argc) {
            rc = buf_printf(out, "%%!%c(MISSING)", sp.verb);
            continue;
        }
        rc = fmt_value(out, &sp, argv[ai++]);
    }
    if (rc == 0 && ai < argc) {
        rc = buf_puts(out, "%!(EXTRA ");
        for (; rc == 0 && ai < argc; ai++) {
            struct tmpl_value *v = argv[ai];
            if (v == NULL || v->kind == TMPL_NULL) {
                rc = buf_puts(out, "<nil>");
            } else {
                rc = buf_printf(out, "%s=", tmpl_type_name(v));
                if (rc == 0)
                    rc = tmpl_value_print(v, out);
            }
            if (rc == 0 && ai + 1 < argc)
                rc = buf_puts(out, ", ");
        }
        if (rc == 0)
            rc = buf_putc(out, ')');
    }
    return rc;
}
