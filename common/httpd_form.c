/* SPDX-License-Identifier: Apache-2.0 */
/* Query-string and form-body decoding with Go's net/url semantics. */
#include "common/httpd_form.h"

#include <string.h>

#include "common/err.h"
#include "common/xalloc.h"

void httpd_params_init(struct httpd_params *p)
{
    p->v = NULL;
    p->n = 0;
    p->cap = 0;
}

void httpd_params_fini(struct httpd_params *p)
{
    for (size_t i = 0; i < p->n; i++) {
        xfree(p->v[i].key);
        xfree(p->v[i].value);
    }
    xfree(p->v);
    httpd_params_init(p);
}

static void params_push(struct httpd_params *p, char *key, char *value)
{
    if (p->n == p->cap) {
        p->cap = p->cap ? p->cap * 2 : 8;
        p->v = xreallocarray(p->v, p->cap, sizeof(*p->v));
    }
    p->v[p->n].key = key;
    p->v[p->n].value = value;
    p->n++;
}

void httpd_params_add(struct httpd_params *p, const char *key, const char *value)
{
    params_push(p, xstrdup(key), xstrdup(value));
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

int httpd_url_decode(const char *s, size_t n, bool plus_as_space, char **out, size_t *outlen)
{
    char *d = xmalloc(n + 1);
    size_t j = 0;
    *out = NULL;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '%') {
            int hi, lo;
            if (i + 2 >= n) {
                xfree(d);
                return ERR_INVALID;
            }
            hi = hexval(s[i + 1]);
            lo = hexval(s[i + 2]);
            if (hi < 0 || lo < 0) {
                xfree(d);
                return ERR_INVALID;
            }
            d[j++] = (char)(hi << 4 | lo);
            i += 2;
        } else if (s[i] == '+' && plus_as_space) {
            d[j++] = ' ';
        } else {
            d[j++] = s[i];
        }
    }
    d[j] = '\0';
    *out = d;
    if (outlen)
        *outlen = j;
    return 0;
}

int httpd_params_parse(struct httpd_params *p, const char *s, size_t n, struct err *e)
{
    size_t i = 0;
    size_t added = 0;
    while (i < n) {
        const char *seg = s + i;
        const char *amp = memchr(seg, '&', n - i);
        size_t len = amp ? (size_t)(amp - seg) : n - i;
        const char *eq;
        size_t klen;
        char *key = NULL, *value = NULL;
        i += len + (amp ? 1 : 0);
        if (len == 0)
            continue;
        if (memchr(seg, ';', len) != NULL)
            return err_set(e, ERR_INVALID, "invalid semicolon separator in query");
        if (++added > HTTPD_PARAMS_MAX)
            return err_set(e, ERR_LIMIT, "too many parameters (more than %d)", HTTPD_PARAMS_MAX);
        eq = memchr(seg, '=', len);
        klen = eq ? (size_t)(eq - seg) : len;
        if (httpd_url_decode(seg, klen, true, &key, NULL) != 0)
            return err_set(e, ERR_INVALID, "invalid URL escape in \"%.*s\"",
                           (int)(klen > 64 ? 64 : klen), seg);
        if (eq == NULL) {
            value = xstrdup("");
        } else if (httpd_url_decode(eq + 1, len - klen - 1, true, &value, NULL) != 0) {
            size_t vlen = len - klen - 1;
            xfree(key);
            return err_set(e, ERR_INVALID, "invalid URL escape in \"%.*s\"",
                           (int)(vlen > 64 ? 64 : vlen), eq + 1);
        }
        params_push(p, key, value);
    }
    return 0;
}

const char *httpd_params_get(const struct httpd_params *p, const char *key)
{
    for (size_t i = 0; i < p->n; i++)
        if (strcmp(p->v[i].key, key) == 0)
            return p->v[i].value;
    return NULL;
}

size_t httpd_params_count(const struct httpd_params *p, const char *key)
{
    size_t c = 0;
    for (size_t i = 0; i < p->n; i++)
        if (strcmp(p->v[i].key, key) == 0)
            c++;
    return c;
}
