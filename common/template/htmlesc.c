/* SPDX-License-Identifier: Apache-2.0 */
/* HTML-mode output for templates: tracks the HTML context over template text and escapes action
 * output like Go's html/template does for text, attributes, URLs, script and style. */
#include "common/template/htmlesc.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "common/buf.h"
#include "common/err.h"

void htmlesc_init(struct htmlesc *h)
{
    memset(h, 0, sizeof(*h));
    h->st = HS_TEXT;
}

static bool starts_ci(const char *s, size_t n, const char *p)
{
    size_t k = strlen(p);
    return n >= k && strncasecmp(s, p, k) == 0;
}

static enum htmlesc_attr attr_kind(const char *name)
{
    static const char *const urls[] = {"href",       "src",    "action",     "cite",     "data",
                                       "formaction", "poster", "background", "codebase", "longdesc",
                                       "usemap",     "icon",   "manifest",   "profile",  "classid",
                                       "archive",    NULL};
    size_t i;
    if (strcmp(name, "style") == 0)
        return HA_CSS;
    if (strncmp(name, "on", 2) == 0)
        return HA_JS;
    for (i = 0; urls[i]; i++) {
        if (strcmp(name, urls[i]) == 0)
            return HA_URL;
    }
    if (strstr(name, "src") || strstr(name, "uri") || strstr(name, "url"))
        return HA_URL;
    return HA_NORMAL;
}

static void end_name(struct htmlesc *h)
{
    h->name[h->namelen < sizeof(h->name) ? h->namelen : sizeof(h->name) - 1] = '\0';
    h->attr = attr_kind(h->name);
}

int htmlesc_text(struct htmlesc *h, const char *s, size_t n, struct buf *out)
{
    size_t i = 0;
    int rc = 0;
    while (rc == 0 && i < n) {
        char c = s[i];
        switch (h->st) {
        case HS_TEXT:
            if (starts_ci(s + i, n - i, "<!--")) {
                h->st = HS_COMMENT;
                i += 4;
                continue;
            }
            if (c == '<' && i + 1 < n &&
                (isalpha((unsigned char)s[i + 1]) ||
                 (s[i + 1] == '/' && i + 2 < n && isalpha((unsigned char)s[i + 2])))) {
                h->end_tag = s[i + 1] == '/';
                h->reading_tag = true;
                h->taglen = 0;
                h->st = HS_TAG;
                rc = buf_append(out, s + i, h->end_tag ? 2 : 1);
                i += h->end_tag ? 2 : 1;
                continue;
            }
            break;
        case HS_RCDATA:
        case HS_SCRIPT:
        case HS_STYLE:
            if (c == '<' && i + 1 < n && s[i + 1] == '/' &&
                starts_ci(s + i + 2, n - i - 2, h->tag)) {
                h->end_tag = true;
                h->reading_tag = true;
                h->taglen = 0;
                h->st = HS_TAG;
                rc = buf_append(out, s + i, 2);
                i += 2;
                continue;
            }
            break;
        case HS_COMMENT:
            if (starts_ci(s + i, n - i, "-->")) {
                h->st = HS_TEXT;
                i += 3;
            } else {
                i++;
            }
            continue;
        case HS_TAG:
            if (h->reading_tag) {
                if (isalnum((unsigned char)c)) {
                    if (h->taglen + 1 < sizeof(h->tag))
                        h->tag[h->taglen++] = (char)tolower((unsigned char)c);
                    h->tag[h->taglen] = '\0';
                    break;
                }
                h->reading_tag = false;
            }
            if (c == '>') {
                if (h->end_tag)
                    h->st = HS_TEXT;
                else if (strcmp(h->tag, "script") == 0)
                    h->st = HS_SCRIPT;
                else if (strcmp(h->tag, "style") == 0)
                    h->st = HS_STYLE;
                else if (strcmp(h->tag, "title") == 0 || strcmp(h->tag, "textarea") == 0)
                    h->st = HS_RCDATA;
                else
                    h->st = HS_TEXT;
                break;
            }
            if (!isspace((unsigned char)c) && c != '/') {
                h->st = HS_ATTR_NAME;
                h->namelen = 0;
                continue;
            }
            break;
        case HS_ATTR_NAME:
            if (isspace((unsigned char)c) || c == '=' || c == '>' || c == '/') {
                end_name(h);
                h->st = HS_AFTER_NAME;
                continue;
            }
            if (h->namelen + 1 < sizeof(h->name))
                h->name[h->namelen++] = (char)tolower((unsigned char)c);
            break;
        case HS_AFTER_NAME:
            if (c == '=') {
                h->st = HS_BEFORE_VAL;
                break;
            }
            if (!isspace((unsigned char)c)) {
                h->st = HS_TAG;
                continue;
            }
            break;
        case HS_BEFORE_VAL:
            if (c == '"' || c == '\'') {
                h->delim = c;
                h->url = HU_NONE;
                h->st = HS_ATTR_VALUE;
                break;
            }
            if (c == '>') {
                h->st = HS_TAG;
                continue;
            }
            if (!isspace((unsigned char)c)) {
                h->delim = ' ';
                h->url = HU_NONE;
                h->st = HS_ATTR_VALUE;
                continue;
            }
            break;
        case HS_ATTR_VALUE:
            if (h->delim == ' ' ? (isspace((unsigned char)c) || c == '>') : c == h->delim) {
                h->st = HS_TAG;
                if (h->delim == ' ')
                    continue;
                break;
            }
            if (h->attr == HA_URL) {
                if (c == '?' || c == '#')
                    h->url = HU_QUERY;
                else if (h->url == HU_NONE)
                    h->url = HU_PRE_QUERY;
            }
            break;
        }
        rc = buf_putc(out, c);
        i++;
    }
    return rc;
}

/* html/template's htmlEscaper / attrEscaper table. */
static int esc_html(const char *s, size_t n, bool nospace, struct buf *out)
{
    size_t i;
    int rc = 0;
    for (i = 0; rc == 0 && i < n; i++) {
        switch (s[i]) {
        case '\0':
            rc = buf_puts(out, "\xef\xbf\xbd");
            break;
        case '"':
            rc = buf_puts(out, "&#34;");
            break;
        case '&':
            rc = buf_puts(out, "&amp;");
            break;
        case '\'':
            rc = buf_puts(out, "&#39;");
            break;
        case '+':
            rc = buf_puts(out, "&#43;");
            break;
        case '<':
            rc = buf_puts(out, "&lt;");
            break;
        case '>':
            rc = buf_puts(out, "&gt;");
            break;
        default:
            if (nospace && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '=' ||
                            s[i] == '`' || s[i] == '\r' || s[i] == '\f'))
                rc = buf_printf(out, "&#%d;", (unsigned char)s[i]);
            else
                rc = buf_putc(out, s[i]);
        }
    }
    return rc;
}

/* urlFilter: only http, https and mailto schemes (or none) pass. */
static bool url_safe(const char *s, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) {
        if (s[i] == '/' || s[i] == '?' || s[i] == '#')
            return true;
        if (s[i] == ':') {
            return (i == 4 && strncasecmp(s, "http", 4) == 0) ||
                   (i == 5 && strncasecmp(s, "https", 5) == 0) ||
                   (i == 6 && strncasecmp(s, "mailto", 6) == 0);
        }
    }
    return true;
}

/* urlProcessor: norm keeps reserved characters and '%'; otherwise they are encoded too. */
static int esc_url(const char *s, size_t n, bool norm, struct buf *out)
{
    size_t i;
    int rc = 0;
    for (i = 0; rc == 0 && i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        bool keep = isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
        if (!keep && norm && c < 0x80 && strchr("!#$&*+,/:;=?@[]%", c) && c != 0)
            keep = true;
        rc = keep ? buf_putc(out, (char)c) : buf_printf(out, "%%%02X", c);
    }
    return rc;
}

/* jsValEscaper for strings: a double-quoted JS string safe in HTML. */
static int esc_js_string(const char *s, size_t n, struct buf *out)
{
    size_t i;
    int rc = buf_putc(out, '"');
    for (i = 0; rc == 0 && i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\')
            rc = buf_printf(out, "\\%c", c);
        else if (c == '\n')
            rc = buf_puts(out, "\\n");
        else if (c == '\r')
            rc = buf_puts(out, "\\r");
        else if (c == '\t')
            rc = buf_puts(out, "\\t");
        else if (c < 0x20 || c == '<' || c == '>' || c == '&' || c == '\'')
            rc = buf_printf(out, "\\u%04x", c);
        else
            rc = buf_putc(out, (char)c);
    }
    return rc ? rc : buf_putc(out, '"');
}

/* cssValueFilter: plain words, numbers, colors and lengths pass; anything else is refused. */
static int esc_css(const char *s, size_t n, struct buf *out)
{
    size_t i;
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!(isalnum(c) || strchr(" #%.-_+!", c)) || c == 0)
            return buf_puts(out, "ZgotmplZ");
    }
    return buf_append(out, s, n);
}

int htmlesc_action(struct htmlesc *h, const char *s, size_t n, enum htmlesc_pre kind,
                   bool is_string, struct buf *out)
{
    struct buf v;
    int rc = 0;
    switch (h->st) {
    case HS_COMMENT:
        return 0; /* comments are stripped, actions in them too */
    case HS_TEXT:
    case HS_RCDATA:
        if (kind == HP_HTML || (kind == HP_SAFE_HTML && h->st == HS_TEXT))
            return buf_append(out, s, n);
        return esc_html(s, n, false, out);
    case HS_SCRIPT:
        return is_string ? esc_js_string(s, n, out) : buf_append(out, s, n);
    case HS_STYLE:
        return esc_css(s, n, out);
    case HS_TAG:
    case HS_ATTR_NAME:
    case HS_AFTER_NAME:
    case HS_BEFORE_VAL:
        return esc_html(s, n, true, out);
    case HS_ATTR_VALUE:
        break;
    }
    buf_init(&v, 0);
    switch (h->attr) {
    case HA_URL:
        if (h->url == HU_NONE) {
            if (kind != HP_SAFE_URL && !url_safe(s, n))
                rc = buf_puts(&v, "#ZgotmplZ");
            else
                rc = esc_url(s, n, true, &v);
            h->url = HU_PRE_QUERY;
        } else if (h->url == HU_PRE_QUERY) {
            rc = esc_url(s, n, true, &v);
        } else if (kind == HP_URLQUERY) {
            rc = buf_append(&v, s, n);
        } else {
            rc = esc_url(s, n, false, &v);
        }
        break;
    case HA_JS:
        rc = is_string ? esc_js_string(s, n, &v) : buf_append(&v, s, n);
        break;
    case HA_CSS:
        rc = esc_css(s, n, &v);
        break;
    case HA_NORMAL:
        if (kind == HP_HTML) {
            rc = buf_append(out, s, n);
            buf_fini(&v);
            return rc;
        }
        rc = buf_append(&v, s, n);
        break;
    }
    if (rc == 0)
        rc = esc_html(v.data ? v.data : "", v.len, h->delim == ' ', out);
    buf_fini(&v);
    return rc;
}
