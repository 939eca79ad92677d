/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Alertmanager matcher syntax on top of common/matcher.h: the classic 0.25 parser
 * (pkg/labels), the newer UTF-8 parser (quoted or unquoted names and values), the fallback
 * mode that accepts either, and Alertmanager's String() form and sort order of matchers.
 */
#ifndef TOCSIN_COMMON_AMATCHER_H
#define TOCSIN_COMMON_AMATCHER_H

#include <stdbool.h>

#include "common/matcher.h"

struct err;
struct buf;

/*
 * Classic parser (Alertmanager 0.25 labels.ParseMatchers): optional surrounding {}, matchers
 * split on commas outside double quotes, each `name op value` with a legacy name
 * [a-zA-Z_:][a-zA-Z0-9_:]*, value unquoted or "quoted" (\" \\ \n escapes; other escapes kept
 * literally). Messages match 0.25 ("bad matcher format: x", "matcher value contains unescaped
 * double quote: x"). Appends to *out (which must be initialised, e.g. zeroed). Caller frees
 * with matchers_fini. Thread-safe.
 */
int amatchers_parse_classic(const char *s, struct matchers *out, struct err *e);

/*
 * UTF-8 parser (Alertmanager 0.27+ matcher/parse): optional {} (balanced), comma separated,
 * trailing comma allowed; names and values either double-quoted Go strings or unquoted runs
 * without whitespace and without any of {}!=~,"'. Errors name the 0-based byte range
 * ("3:5: unexpected ..."). Appends to *out.
 */
int amatchers_parse_utf8(const char *s, struct matchers *out, struct err *e);

/*
 * What route `matchers:`, inhibit rules and amtool accept: the classic parser (Alertmanager
 * 0.25's only syntax, so its reading of escapes wins), falling back to the UTF-8 parser for
 * input only that one accepts (quoted or dotted names). When both fail, the classic error is
 * reported (0.25's messages).
 */
int amatchers_parse(const char *s, struct matchers *out, struct err *e);

/* Appends s quoted like Go's strconv.Quote / %q (printable UTF-8 kept, control characters and
 * invalid bytes escaped). */
int amatcher_put_quoted(struct buf *b, const char *s);
/* Appends m as Alertmanager prints it: name op "value" (Go %q quoting of the value). */
int amatcher_format(const struct matcher *m, struct buf *out);
/* Appends {a="1",b=~"x"} (no spaces) as Alertmanager's Matchers.String(). */
int amatchers_format(const struct matchers *ms, struct buf *out);
/* Sorts ms in Alertmanager's order: name, then value, then type. */
void amatchers_sort(struct matchers *ms);
/* Deep copy of src appended to dst. */
void amatchers_copy(struct matchers *dst, const struct matchers *src);
/* True when both lists hold the same matchers in the same order. */
bool amatchers_equal(const struct matchers *a, const struct matchers *b);

#endif
