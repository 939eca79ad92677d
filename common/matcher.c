/* SPDX-License-Identifier: Apache-2.0 */
/* Label matchers with Prometheus regex semantics on PCRE2, and their text-form parser. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "common/matcher.h"

#include <pcre2.h>
#include <pthread.h>
#include <string.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/labels.h"
#include "common/xalloc.h"

enum re_fast { RE_GENERIC, RE_ANY, RE_NONEMPTY, RE_LITERAL };

struct regex {
    pcre2_code *anchored; /* \A(?:pattern)\z */
    pcre2_code *search;   /* pattern alone, for regex_search */
    enum re_fast fast;
    char *literal;
    size_t literal_len;
};

static pthread_key_t md_key;
static pthread_once_t md_once = PTHREAD_ONCE_INIT;

static void md_destroy(void *p)
{
    pcre2_match_data_free(p);
}

static void md_key_init(void)
{
    pthread_key_create(&md_key, md_destroy);
}

/* One match-data block per thread, large enough for 100 groups. */
static pcre2_match_data *thread_md(void)
{
    pcre2_match_data *md;
    pthread_once(&md_once, md_key_init);
    md = pthread_getspecific(md_key);
    if (md == NULL) {
        md = pcre2_match_data_create(101, NULL);
        if (md == NULL)
            abort();
        pthread_setspecific(md_key, md);
    }
    return md;
}

static bool has_meta(const char *p)
{
    for (; *p; p++)
        if (strchr("\\.+*?()|[]{}^$", *p))
            return true;
    return false;
}

/* RE2 rejects constructs PCRE2 accepts; refuse them so we agree with Prometheus. */
static int check_re2(const char *p, struct err *e)
{
    for (size_t i = 0; p[i]; i++) {
        if (p[i] == '\\') {
            if (p[i + 1] >= '1' && p[i + 1] <= '9')
                return err_set(e, ERR_INVALID,
                               "error parsing regexp: invalid escape sequence: `\\%c` at "
                               "position %zu",
                               p[i + 1], i + 1);
            if (p[i + 1] != '\0')
                i++;
            continue;
        }
        if (p[i] == '(' && p[i + 1] == '?' &&
            (p[i + 2] == '=' || p[i + 2] == '!' ||
             (p[i + 2] == '<' && (p[i + 3] == '=' || p[i + 3] == '!'))))
            return err_set(e, ERR_INVALID,
                           "error parsing regexp: invalid or unsupported Perl syntax: `(?%c` at "
                           "position %zu",
                           p[i + 2], i + 1);
    }
    return 0;
}

static pcre2_code *compile_one(const char *pat, size_t prefix, struct err *e, int *rc)
{
    int ec = 0;
    PCRE2_SIZE off = 0;
    pcre2_code *c =
        pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED,
                      PCRE2_DOTALL | PCRE2_UTF | PCRE2_MATCH_INVALID_UTF, &ec, &off, NULL);
    if (c == NULL) {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(ec, msg, sizeof(msg));
        *rc = err_set(e, ERR_INVALID, "error parsing regexp: %s at position %zu", (char *)msg,
                      off >= prefix ? (size_t)(off - prefix) + 1 : 1);
        return NULL;
    }
    (void)pcre2_jit_compile(c, PCRE2_JIT_COMPLETE); /* falls back to the interpreter */
    *rc = 0;
    return c;
}

int regex_compile(const char *pattern, struct regex **out, struct err *e)
{
    int rc = ERR_INTERNAL;
    struct regex *re = NULL;
    char *wrapped = NULL;
    *out = NULL;
    if ((rc = check_re2(pattern, e)) != 0)
        goto out;
    re = xcalloc(1, sizeof(*re));
    wrapped = xasprintf("\\A(?:%s)\\z", pattern);
    /* the bare pattern first, so error positions refer to what the user wrote */
    if ((re->search = compile_one(pattern, 0, e, &rc)) == NULL)
        goto out;
    if ((re->anchored = compile_one(wrapped, 5, e, &rc)) == NULL)
        goto out;
    if (strcmp(pattern, ".*") == 0)
        re->fast = RE_ANY;
    else if (strcmp(pattern, ".+") == 0)
        re->fast = RE_NONEMPTY;
    else if (!has_meta(pattern)) {
        re->fast = RE_LITERAL;
        re->literal = xstrdup(pattern);
        re->literal_len = strlen(pattern);
    }
    *out = re;
    re = NULL;
    rc = 0;
out:
    xfree(wrapped);
    regex_free(re);
    return rc;
}

void regex_free(struct regex *re)
{
    if (re == NULL)
        return;
    pcre2_code_free(re->anchored);
    pcre2_code_free(re->search);
    xfree(re->literal);
    xfree(re);
}

bool regex_match(const struct regex *re, const char *s, size_t n)
{
    switch (re->fast) {
    case RE_ANY:
        return true;
    case RE_NONEMPTY:
        return n > 0;
    case RE_LITERAL:
        return n == re->literal_len && memcmp(s, re->literal, n) == 0;
    case RE_GENERIC:
        break;
    }
    return pcre2_match(re->anchored, (PCRE2_SPTR)s, n, 0, 0, thread_md(), NULL) >= 0;
}

int regex_search(const struct regex *re, const char *s, size_t n, size_t offset, long *caps,
                 int ncaps)
{
    pcre2_match_data *md = thread_md();
    int rc = pcre2_match(re->search, (PCRE2_SPTR)s, n, offset, 0, md, NULL);
    PCRE2_SIZE *ov;
    int got;
    if (rc <= 0)
        return 0;
    ov = pcre2_get_ovector_pointer(md);
    got = (int)pcre2_get_ovector_count(md);
    for (int i = 0; i < ncaps; i++) {
        if (i < got && i < rc && ov[2 * i] != PCRE2_UNSET) {
            caps[2 * i] = (long)ov[2 * i];
            caps[2 * i + 1] = (long)ov[2 * i + 1];
        } else {
            caps[2 * i] = caps[2 * i + 1] = -1;
        }
    }
    return rc < ncaps ? rc : ncaps;
}

int regex_groups(const struct regex *re)
{
    uint32_t n = 0;
    pcre2_pattern_info(re->search, PCRE2_INFO_CAPTURECOUNT, &n);
    return (int)n;
}

int matcher_new(enum match_type type, const char *name, const char *value, struct matcher **out,
                struct err *e)
{
    int rc = ERR_INTERNAL;
    struct matcher *m = xcalloc(1, sizeof(*m));
    *out = NULL;
    m->type = type;
    m->name = xstrdup(name);
    m->value = xstrdup(value);
    if (type == MATCH_RE || type == MATCH_NRE) {
        if ((rc = regex_compile(value, &m->re, e)) != 0)
            goto out;
    }
    *out = m;
    m = NULL;
    rc = 0;
out:
    matcher_free(m);
    return rc;
}

void matcher_free(struct matcher *m)
{
    if (m == NULL)
        return;
    xfree(m->name);
    xfree(m->value);
    regex_free(m->re);
    xfree(m);
}

bool matcher_matches(const struct matcher *m, const char *value)
{
    if (value == NULL)
        value = "";
    switch (m->type) {
    case MATCH_EQ:
        return strcmp(value, m->value) == 0;
    case MATCH_NEQ:
        return strcmp(value, m->value) != 0;
    case MATCH_RE:
        return regex_match(m->re, value, strlen(value));
    case MATCH_NRE:
        return !regex_match(m->re, value, strlen(value));
    }
    return false;
}

bool matcher_matches_empty(const struct matcher *m)
{
    return matcher_matches(m, "");
}

bool matcher_matches_labels(const struct matcher *m, const struct labels *ls)
{
    return matcher_matches(m, labels_get(ls, m->name));
}

const char *match_type_str(enum match_type t)
{
    static const char *s[] = {"=", "!=", "=~", "!~"};
    return (unsigned)t < 4 ? s[t] : "?";
}

int matcher_format(const struct matcher *m, struct buf *out)
{
    int rc;
    if (label_name_is_legacy(m->name, strlen(m->name)))
        rc = buf_puts(out, m->name);
    else
        rc = buf_put_quoted(out, m->name, strlen(m->name));
    if (rc == 0)
        rc = buf_puts(out, match_type_str(m->type));
    if (rc == 0)
        rc = buf_put_quoted(out, m->value, strlen(m->value));
    return rc;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static void put_utf8(struct buf *out, uint32_t cp)
{
    char b[4];
    if (cp < 0x80) {
        b[0] = (char)cp;
        buf_append(out, b, 1);
    } else if (cp < 0x800) {
        b[0] = (char)(0xc0 | (cp >> 6));
        b[1] = (char)(0x80 | (cp & 0x3f));
        buf_append(out, b, 2);
    } else if (cp < 0x10000) {
        b[0] = (char)(0xe0 | (cp >> 12));
        b[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        b[2] = (char)(0x80 | (cp & 0x3f));
        buf_append(out, b, 3);
    } else {
        b[0] = (char)(0xf0 | (cp >> 18));
        b[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
        b[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
        b[3] = (char)(0x80 | (cp & 0x3f));
        buf_append(out, b, 4);
    }
}

int string_unquote(const char *s, size_t n, size_t *consumed, struct buf *out, struct err *e)
{
    char q;
    size_t i = 1;
    if (n == 0 || (s[0] != '"' && s[0] != '\'' && s[0] != '`'))
        return err_set(e, ERR_PARSE, "expected a quoted string");
    q = s[0];
    while (i < n) {
        char c = s[i];
        if (c == q) {
            *consumed = i + 1;
            return 0;
        }
        if (q != '`' && c == '\n')
            break;
        if (c == '\\' && q != '`') {
            int digits = 0, base = 16;
            uint32_t cp = 0;
            if (i + 1 >= n)
                break;
            c = s[i + 1];
            i += 2;
            switch (c) {
            case 'a':
                buf_putc(out, '\a');
                continue;
            case 'b':
                buf_putc(out, '\b');
                continue;
            case 'f':
                buf_putc(out, '\f');
                continue;
            case 'n':
                buf_putc(out, '\n');
                continue;
            case 'r':
                buf_putc(out, '\r');
                continue;
            case 't':
                buf_putc(out, '\t');
                continue;
            case 'v':
                buf_putc(out, '\v');
                continue;
            case '\\':
                buf_putc(out, '\\');
                continue;
            case '\'':
            case '"':
                if (c != q)
                    return err_set(e, ERR_PARSE, "invalid escape sequence '\\%c'", c);
                buf_putc(out, c);
                continue;
            case 'x':
                digits = 2;
                break;
            case 'u':
                digits = 4;
                break;
            case 'U':
                digits = 8;
                break;
            default:
                if (c >= '0' && c <= '7') {
                    digits = 3;
                    base = 8;
                    i--;
                    break;
                }
                return err_set(e, ERR_PARSE, "invalid escape sequence '\\%c'", c);
            }
            if (i + (size_t)digits > n)
                break;
            for (int d = 0; d < digits; d++) {
                int v = hexval(s[i + (size_t)d]);
                if (v < 0 || v >= base)
                    return err_set(e, ERR_PARSE, "invalid escape sequence in string");
                cp = cp * (uint32_t)base + (uint32_t)v;
            }
            i += (size_t)digits;
            if (c == 'x' || base == 8) {
                char byte;
                if (cp > 255)
                    return err_set(e, ERR_PARSE, "octal escape value > 255");
                byte = (char)cp;
                buf_append(out, &byte, 1);
            } else {
                if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
                    return err_set(e, ERR_PARSE, "invalid unicode code point in escape");
                put_utf8(out, cp);
            }
            continue;
        }
        buf_putc(out, c);
        i++;
    }
    return err_set(e, ERR_PARSE, "unterminated quoted string");
}

static size_t skip_ws(const char *s, size_t i)
{
    while (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')
        i++;
    return i;
}

void matchers_fini(struct matchers *ms)
{
    for (size_t i = 0; i < ms->n; i++)
        matcher_free(ms->v[i]);
    xfree(ms->v);
    ms->v = NULL;
    ms->n = 0;
}

int matchers_parse(const char *s, struct matchers *out, struct err *e)
{
    int rc = ERR_INTERNAL;
    size_t i = 0, len = strlen(s);
    bool braces = false;
    struct buf name, value;
    struct matchers ms = {NULL, 0};
    buf_init(&name, 65536);
    buf_init(&value, 1 << 20);
    out->v = NULL;
    out->n = 0;
    i = skip_ws(s, 0);
    if (s[i] == '{') {
        braces = true;
        i = skip_ws(s, i + 1);
    }
    while (i < len) {
        enum match_type t;
        size_t used = 0;
        struct matcher *m = NULL;
        if (braces && s[i] == '}')
            break;
        buf_reset(&name);
        buf_reset(&value);
        if (s[i] == '"') {
            if ((rc = string_unquote(s + i, len - i, &used, &name, e)) != 0) {
                if (e) {
                    e->line = 1;
                    e->column = (int)i + 1;
                }
                goto out;
            }
            i += used;
        } else {
            size_t st = i;
            while ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
                   (s[i] >= '0' && s[i] <= '9') || s[i] == '_' || s[i] == ':')
                i++;
            if (i == st || !label_name_is_legacy(s + st, i - st)) {
                rc = err_setpos(e, ERR_PARSE, NULL, 1, (int)st + 1, "expected a label name");
                goto out;
            }
            buf_append(&name, s + st, i - st);
        }
        i = skip_ws(s, i);
        if (s[i] == '=' && s[i + 1] == '~') {
            t = MATCH_RE;
            i += 2;
        } else if (s[i] == '!' && s[i + 1] == '~') {
            t = MATCH_NRE;
            i += 2;
        } else if (s[i] == '!' && s[i + 1] == '=') {
            t = MATCH_NEQ;
            i += 2;
        } else if (s[i] == '=') {
            t = MATCH_EQ;
            i += 1;
        } else {
            rc = err_setpos(e, ERR_PARSE, NULL, 1, (int)i + 1,
                            "expected one of =, !=, =~, !~ after label name");
            goto out;
        }
        i = skip_ws(s, i);
        if ((rc = string_unquote(s + i, len - i, &used, &value, e)) != 0) {
            if (e) {
                e->line = 1;
                e->column = (int)i + 1;
            }
            goto out;
        }
        i += used;
        if ((rc = matcher_new(t, buf_str(&name), buf_str(&value), &m, e)) != 0)
            goto out;
        ms.v = xreallocarray(ms.v, ms.n + 1, sizeof(*ms.v));
        ms.v[ms.n++] = m;
        i = skip_ws(s, i);
        if (s[i] == ',') {
            i = skip_ws(s, i + 1);
            continue;
        }
        if ((braces && s[i] == '}') || (!braces && s[i] == '\0'))
            break;
        rc = err_setpos(e, ERR_PARSE, NULL, 1, (int)i + 1, "expected ',' or %s",
                        braces ? "'}'" : "end of input");
        goto out;
    }
    if (braces) {
        if (s[i] != '}') {
            rc = err_setpos(e, ERR_PARSE, NULL, 1, (int)i + 1, "expected '}'");
            goto out;
        }
        i = skip_ws(s, i + 1);
        if (s[i] != '\0') {
            rc = err_setpos(e, ERR_PARSE, NULL, 1, (int)i + 1, "unexpected text after '}'");
            goto out;
        }
    }
    *out = ms;
    ms.v = NULL;
    ms.n = 0;
    rc = 0;
out:
    matchers_fini(&ms);
    buf_fini(&name);
    buf_fini(&value);
    return rc;
}

bool matchers_match(const struct matchers *ms, const struct labels *ls)
{
    for (size_t i = 0; i < ms->n; i++)
        if (!matcher_matches_labels(ms->v[i], ls))
            return false;
    return true;
}
