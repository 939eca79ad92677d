/* SPDX-License-Identifier: Apache-2.0 */
/* Shared pieces of the Prometheus and Alertmanager template functions: number conversion,
 * Go regexp replace/match over PCRE2, humanizeDuration and string callbacks. */
#include "common/template/funcs_util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/matcher.h"
#include "common/template/gofmt.h"
#include "common/xalloc.h"

#define MAX_GROUPS 32

struct tmpl_value *tfu_take_string(struct buf *b)
{
    size_t n;
    char *s = buf_steal(b, &n);
    return tmpl_string_take(s, n);
}

static int parse_float_go(const char *s, size_t n, double *f, struct err *e)
{
    char tmp[128];
    char *end;
    size_t i, k = 0;
    bool ok = n > 0 && n < sizeof(tmp);
    for (i = 0; ok && i < n; i++) {
        char c = s[i];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v' || c == 0)
            ok = false;
        else if (c != '_')
            tmp[k++] = c;
    }
    if (ok) {
        tmp[k] = '\0';
        *f = strtod(tmp, &end);
        ok = *end == '\0' && k > 0;
        if (ok && strpbrk(tmp, "nN") && !strpbrk(tmp, "xX") && !isnan(*f) && !isinf(*f))
            ok = false;
    }
    if (!ok) {
        struct buf q;
        buf_init(&q, 300);
        gofmt_quote(&q, s, n > 200 ? 200 : n);
        err_set(e, ERR_INVALID, "strconv.ParseFloat: parsing %s: invalid syntax", buf_str(&q));
        buf_fini(&q);
        return ERR_INVALID;
    }
    if (isinf(*f) && !strpbrk(tmp, "iI")) {
        struct buf q;
        buf_init(&q, 300);
        gofmt_quote(&q, s, n > 200 ? 200 : n);
        err_set(e, ERR_INVALID, "strconv.ParseFloat: parsing %s: value out of range", buf_str(&q));
        buf_fini(&q);
        return ERR_INVALID;
    }
    return 0;
}

int tfu_to_float(const struct tmpl_value *v, double *f, struct err *e)
{
    if (v == NULL)
        return err_set(e, ERR_INVALID, "can't convert <nil> to float");
    switch (v->kind) {
    case TMPL_FLOAT:
        *f = v->u.f;
        return 0;
    case TMPL_INT:
        *f = (double)v->u.i;
        return 0;
    case TMPL_DURATION:
        *f = (double)v->u.dur_ns / 1e9;
        return 0;
    case TMPL_STRING:
        return parse_float_go(v->u.str.s, v->u.str.len, f, e);
    default:
        return err_set(e, ERR_INVALID, "can't convert %s to float", tmpl_type_name(v));
    }
}

static size_t rune_len(const char *s, size_t n)
{
    unsigned char c = (unsigned char)s[0];
    size_t l = c < 0x80 ? 1 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
    return l > n ? 1 : l;
}

/* Appends the expansion of repl for one match (Go's Regexp.Expand). */
static int expand(const char *repl, const char *src, const long *caps, int ngroups, struct buf *out)
{
    const char *p = repl;
    int rc = 0;
    while (rc == 0 && *p) {
        const char *name;
        size_t nlen;
        bool braces = false;
        if (*p != '$') {
            rc = buf_putc(out, *p++);
            continue;
        }
        if (p[1] == '$') {
            rc = buf_putc(out, '$');
            p += 2;
            continue;
        }
        name = p + 1;
        if (*name == '{') {
            braces = true;
            name++;
        }
        nlen = 0;
        while (name[nlen] == '_' || (name[nlen] >= 'a' && name[nlen] <= 'z') ||
               (name[nlen] >= 'A' && name[nlen] <= 'Z') || (name[nlen] >= '0' && name[nlen] <= '9'))
            nlen++;
        if (nlen == 0 || (braces && name[nlen] != '}')) {
            /* malformed: Go copies the '$' literally */
            rc = buf_putc(out, '$');
            p++;
            continue;
        }
        p = name + nlen + (braces ? 1 : 0);
        {
            size_t i;
            bool numeric = true;
            long g = 0;
            for (i = 0; i < nlen; i++) {
                if (name[i] < '0' || name[i] > '9')
                    numeric = false;
                else if (g < 100000)
                    g = g * 10 + (name[i] - '0');
            }
            if (numeric && g <= ngroups && g < MAX_GROUPS && caps[2 * g] >= 0)
                rc = buf_append(out, src + caps[2 * g], (size_t)(caps[2 * g + 1] - caps[2 * g]));
        }
    }
    return rc;
}

/* Go's regexp: '.' does not match '\n' unless the pattern says (?s); the shared matcher compiles
 * with Prometheus's dot-all, so switch it off first. */
static int compile_go(const char *pattern, struct regex **re, struct err *e)
{
    char *p = xasprintf("(?-s)%s", pattern);
    int rc = regex_compile(p, re, e);
    xfree(p);
    return rc;
}

int tfu_re_replace_all(const char *pattern, const char *repl, const char *text, size_t n,
                       struct buf *out, struct err *e)
{
    struct regex *re = NULL;
    long caps[2 * MAX_GROUPS];
    size_t search = 0, last_end = 0;
    int rc, ngroups;
    if ((rc = compile_go(pattern, &re, e)) != 0)
        return rc;
    ngroups = regex_groups(re);
    if (ngroups >= MAX_GROUPS)
        ngroups = MAX_GROUPS - 1;
    while (search <= n) {
        size_t so, eo, width;
        if (regex_search(re, text, n, search, caps, ngroups + 1) <= 0)
            break;
        so = (size_t)caps[0];
        eo = (size_t)caps[1];
        if ((rc = buf_append(out, text + last_end, so - last_end)) != 0)
            goto out;
        if (eo > last_end || so == 0) {
            if ((rc = expand(repl, text, caps, ngroups, out)) != 0)
                goto out;
        }
        last_end = eo;
        width = search < n ? rune_len(text + search, n - search) : 0;
        if (search + width > eo)
            search += width;
        else if (search + 1 > eo)
            search++;
        else
            search = eo;
    }
    rc = buf_append(out, text + last_end, n - last_end);
out:
    regex_free(re);
    if (rc == ERR_TOOBIG)
        err_set(e, ERR_TOOBIG, "result exceeds the output limit");
    return rc;
}

int tfu_re_match(const char *pattern, const char *text, size_t n, int *matched, struct err *e)
{
    struct regex *re = NULL;
    long caps[2];
    int rc = compile_go(pattern, &re, e);
    if (rc != 0)
        return rc;
    *matched = regex_search(re, text, n, 0, caps, 1) > 0;
    regex_free(re);
    return 0;
}

int tfu_humanize_duration(double v, struct buf *out)
{
    static const char *const small[] = {"m", "u", "n", "p", "f", "a", "z", "y"};
    const char *prefix = "";
    int i;
    if (isnan(v) || isinf(v)) {
        return gofmt_float(out, v, 'g', 4);
    }
    if (v == 0) {
        return buf_puts(out, "0s");
    }
    if (fabs(v) >= 1) {
        const char *sign = "";
        int64_t iv, seconds, minutes, hours, days;
        if (v < 0) {
            sign = "-";
            v = -v;
        }
        iv = v >= 9.2e18 ? INT64_MAX : (int64_t)v;
        seconds = iv % 60;
        minutes = (iv / 60) % 60;
        hours = (iv / 60 / 60) % 24;
        days = iv / 60 / 60 / 24;
        if (days != 0)
            return buf_printf(out, "%s%lldd %lldh %lldm %llds", sign, (long long)days,
                              (long long)hours, (long long)minutes, (long long)seconds);
        if (hours != 0)
            return buf_printf(out, "%s%lldh %lldm %llds", sign, (long long)hours,
                              (long long)minutes, (long long)seconds);
        if (minutes != 0)
            return buf_printf(out, "%s%lldm %llds", sign, (long long)minutes, (long long)seconds);
        if (buf_puts(out, sign) != 0 || gofmt_float(out, v, 'g', 4) != 0)
            return ERR_TOOBIG;
        return buf_putc(out, 's');
    }
    for (i = 0; i < 8; i++) {
        if (fabs(v) >= 1)
            break;
        prefix = small[i];
        v *= 1000;
    }
    if (gofmt_float(out, v, 'g', 4) != 0)
        return ERR_TOOBIG;
    return buf_printf(out, "%ss", prefix);
}

/* Simple case mapping (unicode.ToUpper/ToLower) for ASCII, Latin-1, Latin Extended-A, Greek
 * and Cyrillic; other runes are unchanged. */
int32_t tfu_rune_upper(int32_t r)
{
    if (r >= 'a' && r <= 'z')
        return r - 32;
    if (r < 0x80)
        return r;
    if ((r >= 0xe0 && r <= 0xfe && r != 0xf7))
        return r - 32;
    if (r == 0xff)
        return 0x178;
    if (r == 0xb5)
        return 0x39c;
    if (r >= 0x100 && r <= 0x17f && r != 0x131 && r != 0x138 && r != 0x149 && r != 0x17f &&
        r != 0x178) {
        bool odd_lower = (r >= 0x100 && r <= 0x137) || (r >= 0x14a && r <= 0x177);
        if (odd_lower)
            return (r & 1) ? r - 1 : r;
        return (r & 1) ? r : r - 1; /* 0x139..0x148 and 0x179..0x17e: even is lower */
    }
    if (r == 0x131)
        return 'I';
    if (r == 0x17f)
        return 'S';
    if (r >= 0x3b1 && r <= 0x3cb && r != 0x3c2)
        return r - 32;
    if (r == 0x3c2)
        return 0x3a3;
    if (r >= 0x430 && r <= 0x44f)
        return r - 32;
    if (r >= 0x450 && r <= 0x45f)
        return r - 80;
    return r;
}

int32_t tfu_rune_lower(int32_t r)
{
    if (r >= 'A' && r <= 'Z')
        return r + 32;
    if (r < 0x80)
        return r;
    if (r >= 0xc0 && r <= 0xde && r != 0xd7)
        return r + 32;
    if (r == 0x178)
        return 0xff;
    if (r >= 0x100 && r <= 0x17f && r != 0x130 && r != 0x138 && r != 0x149 && r != 0x17f &&
        r != 0x178) {
        bool even_upper = (r >= 0x100 && r <= 0x137) || (r >= 0x14a && r <= 0x177);
        if (even_upper)
            return (r & 1) ? r : r + 1;
        return (r & 1) ? r + 1 : r;
    }
    if (r == 0x130)
        return 'i';
    if (r >= 0x391 && r <= 0x3ab && r != 0x3a2)
        return r + 32;
    if (r >= 0x410 && r <= 0x42f)
        return r + 32;
    if (r >= 0x400 && r <= 0x40f)
        return r + 80;
    return r;
}

static int decode(const unsigned char *s, size_t n, int32_t *r)
{
    if (s[0] < 0x80) {
        *r = s[0];
        return 1;
    }
    if (s[0] >= 0xc2 && s[0] < 0xe0 && n >= 2 && (s[1] & 0xc0) == 0x80) {
        *r = ((s[0] & 0x1f) << 6) | (s[1] & 0x3f);
        return 2;
    }
    *r = -1; /* other sequences are copied unchanged byte by byte */
    return 1;
}

static void put_rune(struct buf *b, int32_t r)
{
    if (r < 0x80) {
        buf_putc(b, (char)r);
    } else if (r < 0x800) {
        buf_putc(b, (char)(0xc0 | (r >> 6)));
        buf_putc(b, (char)(0x80 | (r & 0x3f)));
    } else {
        buf_putc(b, (char)(0xe0 | (r >> 12)));
        buf_putc(b, (char)(0x80 | ((r >> 6) & 0x3f)));
        buf_putc(b, (char)(0x80 | (r & 0x3f)));
    }
}

static bool is_letter(int32_t r)
{
    return tfu_rune_upper(r) != r || tfu_rune_lower(r) != r || r >= 0x80;
}

static bool is_digit(int32_t r)
{
    return r >= '0' && r <= '9';
}

/* cases.Title's word test: letters, digits and '_' join; '.', ':' and '\'' join two letters. */
static bool title_word_char(const char *s, size_t n, size_t i, int32_t r, int32_t prev)
{
    int32_t nx = -1;
    if (is_letter(r) || is_digit(r) || r == '_' || r < 0)
        return true;
    if (r != '.' && r != ':' && r != '\'')
        return false;
    if (i + 1 < n)
        decode((const unsigned char *)s + i + 1, n - i - 1, &nx);
    return prev >= 0 && is_letter(prev) && nx >= 0 && is_letter(nx);
}

int tfu_map_case(const char *s, size_t n, enum tfu_case mode, struct buf *out)
{
    size_t i = 0;
    bool in_word = false, need_upper = true;
    int32_t prev = -1;
    while (i < n) {
        int32_t r;
        int l = decode((const unsigned char *)s + i, n - i, &r);
        if (r < 0) {
            buf_putc(out, s[i]);
            i++;
            in_word = true;
            need_upper = false;
            prev = -1;
            continue;
        }
        switch (mode) {
        case TFU_UPPER:
            put_rune(out, tfu_rune_upper(r));
            break;
        case TFU_LOWER:
            put_rune(out, tfu_rune_lower(r));
            break;
        case TFU_TITLE:
            /* strings.Title: upper-case letters that follow a separator */
            put_rune(out, in_word ? r : tfu_rune_upper(r));
            in_word = is_letter(r) || is_digit(r) || r == '_';
            break;
        case TFU_TITLE_LOWER_REST:
            /* cases.Title: the first letter of each word upper, its other letters lower */
            if (!title_word_char(s, n, i, r, prev))
                need_upper = true;
            if (is_letter(r)) {
                put_rune(out, need_upper ? tfu_rune_upper(r) : tfu_rune_lower(r));
                need_upper = false;
            } else {
                put_rune(out, r);
            }
            break;
        }
        prev = r;
        i += (size_t)l;
    }
    return out->max && out->len >= out->max ? ERR_TOOBIG : 0;
}

static int map_case(struct tmpl_value **argv, struct tmpl_value **out, struct err *e, bool up)
{
    const char *s;
    size_t n;
    int rc;
    struct buf b;
    if ((rc = tmpl_arg_string(argv[0], &s, &n, e)) != 0)
        return rc;
    buf_init(&b, 0);
    tfu_map_case(s, n, up ? TFU_UPPER : TFU_LOWER, &b);
    *out = tfu_take_string(&b);
    return 0;
}

int tfu_fn_to_upper(struct tmpl_ctx *ctx, int argc, struct tmpl_value **argv,
                    struct tmpl_value **out, struct err *e)
{
    (void)ctx;
    (void)argc;
    return map_case(argv, out, e, true);
}

int tfu_fn_to_lower(struct tmpl_ctx *ctx, int argc, struct tmpl_value **argv,
                    struct tmpl_value **out, struct err *e)
{
    (void)ctx;
    (void)argc;
    return map_case(argv, out, e, false);
}

int tfu_fn_match(struct tmpl_ctx *ctx, int argc, struct tmpl_value **argv, struct tmpl_value **out,
                 struct err *e)
{
    const char *pat, *s;
    size_t n;
    int rc, m = 0;
    (void)ctx;
    (void)argc;
    if ((rc = tmpl_arg_string(argv[0], &pat, NULL, e)) != 0 ||
        (rc = tmpl_arg_string(argv[1], &s, &n, e)) != 0 ||
        (rc = tfu_re_match(pat, s, n, &m, e)) != 0)
        return rc;
    *out = tmpl_bool(m != 0);
    return 0;
}

int tfu_fn_re_replace_all(struct tmpl_ctx *ctx, int argc, struct tmpl_value **argv,
                          struct tmpl_value **out, struct err *e)
{
    const char *pat, *repl, *s;
    size_t n;
    struct buf b;
    int rc;
    (void)argc;
    if ((rc = tmpl_arg_string(argv[0], &pat, NULL, e)) != 0 ||
        (rc = tmpl_arg_string(argv[1], &repl, NULL, e)) != 0 ||
        (rc = tmpl_arg_string(argv[2], &s, &n, e)) != 0)
        return rc;
    buf_init(&b, tmpl_ctx_max_output(ctx));
    rc = tfu_re_replace_all(pat, repl, s, n, &b, e);
    if (rc == 0)
        *out = tfu_take_string(&b);
    buf_fini(&b);
    return rc;
}

static int safe_string(struct tmpl_value **argv, struct tmpl_value **out, struct err *e, int safe)
{
    const char *s;
    size_t n;
    int rc;
    if ((rc = tmpl_arg_string(argv[0], &s, &n, e)) != 0)
        return rc;
    *out = tmpl_string_n(s, n);
    (*out)->u.str.safe = safe;
    return 0;
}

int tfu_fn_safe_html(struct tmpl_ctx *ctx, int argc, struct tmpl_value **argv,
                     struct tmpl_value **out, struct err *e)
{
    (void)ctx;
    (void)argc;
    return safe_string(argv, out, e, TMPL_SAFE_HTML);
}

int tfu_fn_safe_url(struct tmpl_ctx *ctx, int argc, struct tmpl_value **argv,
                    struct tmpl_value **out, struct err *e)
{
    (void)ctx;
    (void)argc;
    return safe_string(argv, out, e, TMPL_SAFE_URL);
}

int tfu_fn_humanize_duration(struct tmpl_ctx *ctx, int argc, struct tmpl_value **argv,
                             struct tmpl_value **out, struct err *e)
{
    double v;
    struct buf b;
    int rc;
    (void)ctx;
    (void)argc;
    if ((rc = tfu_to_float(argv[0], &v, e)) != 0)
        return rc;
    buf_init(&b, 0);
    tfu_humanize_duration(v, &b);
    *out = tfu_take_string(&b);
    return 0;
}
