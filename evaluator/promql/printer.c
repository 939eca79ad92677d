/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Prints a PromQL syntax tree back in Prometheus's canonical form (its Expr.String()): numbers
 * as Go's strconv.FormatFloat(v, 'f', -1), strings as strconv.Quote, sorted matchers.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/labels.h"
#include "common/matcher.h"
#include "common/timeutil.h"
#include "evaluator/promql/ast.h"

int promql_duration_format(int64_t ms, struct buf *out)
{
    char tmp[64];
    return buf_puts(out, duration_format(ms, tmp, sizeof(tmp)));
}

/* Shortest decimal digits that round-trip: digits in d (no dot), *dp the decimal exponent such
 * that v = 0.d * 10^dp. v must be finite and > 0. */
static void shortest_digits(double v, char *d, size_t dn, int *dp)
{
    char tmp[64];
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(tmp, sizeof(tmp), "%.*e", prec - 1, v);
        if (strtod(tmp, NULL) == v)
            break;
    }
    /* tmp is d.ddde[+-]xx */
    {
        size_t k = 0;
        char *e = strchr(tmp, 'e');
        int exp = atoi(e + 1);
        for (char *c = tmp; c < e && k + 1 < dn; c++)
            if (*c >= '0' && *c <= '9')
                d[k++] = *c;
        while (k > 1 && d[k - 1] == '0')
            k--;
        d[k] = '\0';
        *dp = exp + 1;
    }
}

/* Go's strconv.FormatFloat(v, 'f', -1, 64). */
static int format_float_f(double v, struct buf *out)
{
    char d[32];
    int dp, nd;
    if (isnan(v))
        return buf_puts(out, "NaN");
    if (isinf(v))
        return buf_puts(out, v > 0 ? "+Inf" : "-Inf");
    if (signbit(v) && v == 0)
        return buf_puts(out, "-0");
    if (v == 0)
        return buf_puts(out, "0");
    if (v < 0) {
        buf_putc(out, '-');
        v = -v;
    }
    shortest_digits(v, d, sizeof(d), &dp);
    nd = (int)strlen(d);
    if (dp <= 0) {
        buf_puts(out, "0.");
        for (int i = 0; i < -dp; i++)
            buf_putc(out, '0');
        return buf_puts(out, d);
    }
    for (int i = 0; i < dp; i++)
        buf_putc(out, i < nd ? d[i] : '0');
    if (nd > dp) {
        buf_putc(out, '.');
        buf_puts(out, d + dp);
    }
    return 0;
}

/* Go's %v for a float64 (strconv 'g' with the shortest precision). */
static int format_float_g(double v, struct buf *out)
{
    char d[32];
    int dp, exp;
    if (isnan(v) || isinf(v) || v == 0)
        return format_float_f(v, out);
    if (v < 0) {
        buf_putc(out, '-');
        v = -v;
    }
    shortest_digits(v, d, sizeof(d), &dp);
    exp = dp - 1;
    if (exp < -4 || exp >= 6) {
        buf_putc(out, d[0]);
        if (d[1] != '\0') {
            buf_putc(out, '.');
            buf_puts(out, d + 1);
        }
        return buf_printf(out, "e%c%02d", exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
    }
    return format_float_f(v, out);
}

/* Go's strconv.Quote (approximating unicode.IsPrint for non-ASCII). */
static int quote_go(const char *s, size_t n, struct buf *out)
{
    buf_putc(out, '"');
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x80) {
            switch (c) {
            case '\a':
                buf_puts(out, "\\a");
                break;
            case '\b':
                buf_puts(out, "\\b");
                break;
            case '\f':
                buf_puts(out, "\\f");
                break;
            case '\n':
                buf_puts(out, "\\n");
                break;
            case '\r':
                buf_puts(out, "\\r");
                break;
            case '\t':
                buf_puts(out, "\\t");
                break;
            case '\v':
                buf_puts(out, "\\v");
                break;
            case '\\':
                buf_puts(out, "\\\\");
                break;
            case '"':
                buf_puts(out, "\\\"");
                break;
            default:
                if (c < 0x20 || c == 0x7f)
                    buf_printf(out, "\\x%02x", c);
                else
                    buf_putc(out, (char)c);
            }
            i++;
            continue;
        }
        {
            size_t w = (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 : (c & 0xf8) == 0xf0 ? 4 : 0;
            if (w == 0 || i + w > n || !utf8_valid(s + i, w)) {
                buf_printf(out, "\\x%02x", c);
                i++;
                continue;
            }
            if (w == 2) {
                unsigned cp = ((unsigned)(c & 0x1f) << 6) | ((unsigned char)s[i + 1] & 0x3f);
                if (cp < 0xa0 || cp == 0xad) {
                    buf_printf(out, "\\u%04x", cp);
                    i += w;
                    continue;
                }
            }
            buf_append(out, s + i, w);
            i += w;
        }
    }
    return buf_putc(out, '"');
}

static void put_label_name(const char *s, struct buf *out)
{
    if (label_name_is_legacy(s, strlen(s)))
        buf_puts(out, s);
    else
        quote_go(s, strlen(s), out);
}

static void put_labels(const char *const *v, size_t n, struct buf *out)
{
    for (size_t i = 0; i < n; i++) {
        if (i > 0)
            buf_puts(out, ", ");
        put_label_name(v[i], out);
    }
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int format_expr(const struct promql_expr *e, struct buf *out);

static void put_at(const struct promql_time_mods *m, struct buf *out)
{
    switch (m->at_kind) {
    case PROMQL_AT_TIMESTAMP:
        buf_printf(out, " @ %.3f", (double)m->at_ms / 1000.0);
        break;
    case PROMQL_AT_START:
        buf_puts(out, " @ start()");
        break;
    case PROMQL_AT_END:
        buf_puts(out, " @ end()");
        break;
    case PROMQL_AT_NONE:
        break;
    }
}

static void put_offset(const struct promql_time_mods *m, struct buf *out)
{
    if (m->offset_expr != NULL) {
        buf_puts(out, " offset ");
        format_expr(m->offset_expr, out);
    } else if (m->offset_ms != 0) {
        buf_puts(out, " offset ");
        promql_duration_format(m->offset_ms, out);
    }
}

static void put_anchored(const struct promql_vector_selector *vs, struct buf *out)
{
    if (vs->anchored)
        buf_puts(out, " anchored");
    else if (vs->smoothed)
        buf_puts(out, " smoothed");
}

/* name{matchers} without modifiers. */
static void put_selector(const struct promql_vector_selector *vs, struct buf *out)
{
    char **strs = calloc(vs->nmatchers ? vs->nmatchers : 1, sizeof(char *));
    size_t n = 0;
    if (strs == NULL)
        abort();
    for (size_t i = 0; i < vs->nmatchers; i++) {
        const struct matcher *m = vs->matchers[i];
        struct buf b;
        if (vs->name != NULL && m->type == MATCH_EQ && strcmp(m->name, "__name__") == 0 &&
            strcmp(m->value, vs->name) == 0 && m->value[0] != '\0')
            continue;
        buf_init(&b, 0);
        put_label_name(m->name, &b);
        buf_puts(&b, match_type_str(m->type));
        quote_go(m->value, strlen(m->value), &b);
        strs[n++] = buf_steal(&b, NULL);
    }
    if (vs->name != NULL)
        buf_puts(out, vs->name);
    if (n == 0 && vs->name == NULL) /* info(x, {}); Prometheus prints nothing, which won't parse */
        buf_puts(out, "{}");
    if (n > 0) {
        qsort(strs, n, sizeof(*strs), cmp_str);
        buf_putc(out, '{');
        for (size_t i = 0; i < n; i++) {
            if (i > 0)
                buf_putc(out, ',');
            buf_puts(out, strs[i]);
        }
        buf_putc(out, '}');
    }
    for (size_t i = 0; i < n; i++)
        free(strs[i]);
    free(strs);
}

static void put_range(int64_t ms, const struct promql_expr *expr, struct buf *out)
{
    if (expr != NULL)
        format_expr(expr, out);
    else
        promql_duration_format(ms, out);
}

static void put_matching(const struct promql_binary *b, struct buf *out)
{
    const struct promql_vector_matching *vm = b->matching;
    if (vm == NULL)
        return;
    if (vm->nlabels > 0 || vm->on || vm->card == PROMQL_CARD_MANY_TO_ONE ||
        vm->card == PROMQL_CARD_ONE_TO_MANY) {
        buf_puts(out, vm->on ? " on (" : " ignoring (");
        put_labels(vm->labels, vm->nlabels, out);
        buf_putc(out, ')');
    }
    if (vm->card == PROMQL_CARD_MANY_TO_ONE || vm->card == PROMQL_CARD_ONE_TO_MANY) {
        buf_puts(out, vm->card == PROMQL_CARD_MANY_TO_ONE ? " group_left (" : " group_right (");
        put_labels(vm->include, vm->ninclude, out);
        buf_putc(out, ')');
    }
    if (vm->fill_both) {
        buf_puts(out, " fill (");
        format_float_g(vm->fill_left, out);
        buf_putc(out, ')');
    } else {
        if (vm->fill_left_set) {
            buf_puts(out, " fill_left (");
            format_float_g(vm->fill_left, out);
            buf_putc(out, ')');
        }
        if (vm->fill_right_set) {
            buf_puts(out, " fill_right (");
            format_float_g(vm->fill_right, out);
            buf_putc(out, ')');
        }
    }
}

static int format_expr(const struct promql_expr *e, struct buf *out)
{
    switch (e->kind) {
    case PROMQL_EXPR_NUMBER:
        if (e->u.number.duration) {
            double v = e->u.number.value * 1000.0;
            if (isnan(v) || isinf(v) || fabs(v) > 9.2e18)
                return format_float_f(e->u.number.value, out);
            return promql_duration_format((int64_t)v, out);
        }
        return format_float_f(e->u.number.value, out);
    case PROMQL_EXPR_STRING:
        return quote_go(e->u.string.value, e->u.string.len, out);
    case PROMQL_EXPR_VECTOR_SELECTOR:
        put_selector(&e->u.vs, out);
        put_at(&e->u.vs.mods, out);
        put_anchored(&e->u.vs, out);
        put_offset(&e->u.vs.mods, out);
        break;
    case PROMQL_EXPR_MATRIX_SELECTOR: {
        const struct promql_vector_selector *vs = &e->u.ms.vs->u.vs;
        put_selector(vs, out);
        buf_putc(out, '[');
        put_range(e->u.ms.range_ms, e->u.ms.range_expr, out);
        buf_putc(out, ']');
        put_anchored(vs, out);
        put_at(&vs->mods, out);
        put_offset(&vs->mods, out);
        break;
    }
    case PROMQL_EXPR_SUBQUERY:
        format_expr(e->u.sq.expr, out);
        buf_putc(out, '[');
        put_range(e->u.sq.range_ms, e->u.sq.range_expr, out);
        buf_putc(out, ':');
        if (e->u.sq.step_expr != NULL)
            format_expr(e->u.sq.step_expr, out);
        else if (e->u.sq.step_ms != 0)
            promql_duration_format(e->u.sq.step_ms, out);
        buf_putc(out, ']');
        put_at(&e->u.sq.mods, out);
        put_offset(&e->u.sq.mods, out);
        break;
    case PROMQL_EXPR_UNARY:
        buf_puts(out, promql_binop_str(e->u.unary.op));
        format_expr(e->u.unary.expr, out);
        break;
    case PROMQL_EXPR_BINARY:
        format_expr(e->u.binary.lhs, out);
        buf_putc(out, ' ');
        buf_puts(out, promql_binop_str(e->u.binary.op));
        if (e->u.binary.return_bool)
            buf_puts(out, " bool");
        put_matching(&e->u.binary, out);
        buf_putc(out, ' ');
        format_expr(e->u.binary.rhs, out);
        break;
    case PROMQL_EXPR_AGGREGATE:
        buf_puts(out, promql_aggop_str(e->u.agg.op));
        if (e->u.agg.without || e->u.agg.ngrouping > 0) {
            buf_puts(out, e->u.agg.without ? " without (" : " by (");
            put_labels(e->u.agg.grouping, e->u.agg.ngrouping, out);
            buf_puts(out, ") ");
        }
        buf_putc(out, '(');
        if (e->u.agg.param != NULL) {
            format_expr(e->u.agg.param, out);
            buf_puts(out, ", ");
        }
        format_expr(e->u.agg.expr, out);
        buf_putc(out, ')');
        break;
    case PROMQL_EXPR_CALL:
        buf_puts(out, e->u.call.func->name);
        buf_putc(out, '(');
        for (size_t i = 0; i < e->u.call.nargs; i++) {
            if (i > 0)
                buf_puts(out, ", ");
            format_expr(e->u.call.args[i], out);
        }
        buf_putc(out, ')');
        break;
    case PROMQL_EXPR_PAREN:
        buf_putc(out, '(');
        format_expr(e->u.paren, out);
        buf_putc(out, ')');
        break;
    }
    return 0;
}

int promql_expr_format(const struct promql_expr *e, struct buf *out)
{
    struct buf tmp;
    int rc;
    if (out->max == 0)
        return format_expr(e, out);
    /* format without a cap, then append in one piece so a capped buffer is all or nothing */
    buf_init(&tmp, 0);
    format_expr(e, &tmp);
    rc = buf_append(out, tmp.data, tmp.len);
    buf_fini(&tmp);
    return rc;
}
