/* SPDX-License-Identifier: Apache-2.0 */
/* Helpers shared by the Prometheus and Alertmanager template function sets (funcs_util.c). */
#ifndef TOCSIN_COMMON_TEMPLATE_FUNCS_UTIL_H
#define TOCSIN_COMMON_TEMPLATE_FUNCS_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "common/template/template.h"

/* Prometheus's convertToFloat: float, int, duration (seconds) or a string strconv.ParseFloat
 * accepts; else "can't convert T to float" / "strconv.ParseFloat: parsing "x": invalid syntax". */
int tfu_to_float(const struct tmpl_value *v, double *f, struct err *e);

/* Go's regexp.ReplaceAllString(text, repl) with $1 / ${1} expansion (named groups expand to ""). */
int tfu_re_replace_all(const char *pattern, const char *repl, const char *text, size_t n,
                       struct buf *out, struct err *e);
/* Go's regexp.MatchString (unanchored). */
int tfu_re_match(const char *pattern, const char *text, size_t n, int *matched, struct err *e);

enum tfu_case {
    TFU_UPPER,            /* strings.ToUpper */
    TFU_LOWER,            /* strings.ToLower */
    TFU_TITLE,            /* strings.Title: first letter of each word upper-cased */
    TFU_TITLE_LOWER_REST, /* cases.Title: also lower-cases the rest of each word */
};

/* Case-maps s[0..n) into out for ASCII, Latin-1, Latin Extended-A, Greek and Cyrillic letters
 * (other runes unchanged). */
int tfu_map_case(const char *s, size_t n, enum tfu_case mode, struct buf *out);
int32_t tfu_rune_upper(int32_t r);
int32_t tfu_rune_lower(int32_t r);

/* Prometheus humanizeDuration of v seconds. */
int tfu_humanize_duration(double v, struct buf *out);

/* url.QueryEscape (funcs.c). */
int tmpl_url_query_escape(const char *s, size_t n, struct buf *out);

/* Common callbacks registered by both sets. */
int tfu_fn_to_upper(struct tmpl_ctx *ctx, int argc, struct tmpl_value **argv,
                    struct tmpl_value **out, struct err *e);
int tfu_fn_to_lower(struct tmpl_ctx *ctx, int argc, struct tmpl_value **argv,
                    struct tmpl_value **out, struct err *e);
int tfu_fn_match(struct tmpl_ctx *ctx, int argc, struct tmpl_value **argv, struct tmpl_value **out,
                 struct err *e);
int tfu_fn_re_replace_all(struct tmpl_ctx *ctx, int argc, struct tmpl_value **argv,
                          struct tmpl_value **out, struct err *e);
/* safeHtml / safeUrl: the string, marked safe for HTML-mode execution. */
int tfu_fn_safe_html(struct tmpl_ctx *ctx, int argc, struct tmpl_value **argv,
                     struct tmpl_value **out, struct err *e);
int tfu_fn_safe_url(struct tmpl_ctx *ctx, int argc, struct tmpl_value **argv,
                    struct tmpl_value **out, struct err *e);
int tfu_fn_humanize_duration(struct tmpl_ctx *ctx, int argc, struct tmpl_value **argv,
                             struct tmpl_value **out, struct err *e);

/* Moves b's contents into a new string value (b is left empty). */
struct tmpl_value *tfu_take_string(struct buf *b);

#endif
