/* SPDX-License-Identifier: Apache-2.0 */
/*
 * An approximation of Go's html/template contextual autoescaping for executing templates in
 * HTML mode: the HTML context (text, tag, attribute value and its kind, URL part, script, style,
 * comment) is tracked over the template text as it is written, HTML comments are stripped, and
 * each action's output is escaped for the context it lands in.
 */
#ifndef TOCSIN_COMMON_TEMPLATE_HTMLESC_H
#define TOCSIN_COMMON_TEMPLATE_HTMLESC_H

#include <stdbool.h>
#include <stddef.h>

struct buf;

enum htmlesc_state {
    HS_TEXT,
    HS_RCDATA, /* <title>, <textarea> */
    HS_SCRIPT,
    HS_STYLE,
    HS_COMMENT,
    HS_TAG,        /* inside a tag, between attributes */
    HS_ATTR_NAME,  /* reading an attribute name */
    HS_AFTER_NAME, /* after an attribute name, before '=' */
    HS_BEFORE_VAL, /* after '=' */
    HS_ATTR_VALUE, /* inside an attribute value */
};

enum htmlesc_attr { HA_NORMAL, HA_URL, HA_JS, HA_CSS };
enum htmlesc_url { HU_NONE, HU_PRE_QUERY, HU_QUERY };

struct htmlesc {
    enum htmlesc_state st;
    enum htmlesc_attr attr;
    enum htmlesc_url url;
    char delim;             /* '"', '\'' or ' ' (unquoted) inside an attribute value */
    char tag[16];           /* current element name, lower-case */
    char name[32];          /* current attribute name, lower-case */
    size_t namelen, taglen; /* while reading names */
    bool reading_tag;       /* reading the element name after '<' */
    bool end_tag;
    enum htmlesc_state after_tag; /* state after '>' (text, script, style, rcdata) */
    char pending[8];              /* partial "<!--" / "-->" / "</script" match across chunks */
    size_t npending;
};

void htmlesc_init(struct htmlesc *h);

/* Writes template text s[0..n) to out (comments removed) and advances the context. */
int htmlesc_text(struct htmlesc *h, const char *s, size_t n, struct buf *out);

enum htmlesc_pre {
    HP_NONE,      /* plain value */
    HP_SAFE_HTML, /* safeHtml: not escaped in text */
    HP_SAFE_URL,  /* safeUrl: not filtered in URLs */
    HP_HTML,      /* the pipeline ended in the html builtin */
    HP_URLQUERY,  /* the pipeline ended in the urlquery builtin */
};

/*
 * Writes an action's printed value s[0..n) escaped for the current context. kind says how the
 * value was produced; is_string/is_number/is_bool say what it was (for script contexts).
 */
int htmlesc_action(struct htmlesc *h, const char *s, size_t n, enum htmlesc_pre kind,
                   bool is_string, struct buf *out);

#endif
