/* SPDX-License-Identifier: Apache-2.0 */
/* Shortest round-trip float formatting (Go strconv styles 'f', 'g', 'e' with precision -1). */
#include "common/fmtfloat.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int fmtfloat_shortest(double v, char *digits, int *exp10)
{
    v = fabs(v);
    char tmp[64];
    int nd = 0, lo = 1, hi = 17;
    /* a precision that round-trips keeps round-tripping with more digits, so binary-search the
     * smallest one (about 5 formatting passes instead of up to 17) */
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        snprintf(tmp, sizeof(tmp), "%.*e", mid - 1, v);
        if (strtod(tmp, NULL) == v)
            hi = mid;
        else
            lo = mid + 1;
    }
    snprintf(tmp, sizeof(tmp), "%.*e", lo - 1, v);
    /* tmp is d[.ddd]e[+-]xx */
    {
        char *e = strchr(tmp, 'e');
        int x = atoi(e + 1); /* our own snprintf output: always a valid exponent */
        for (char *c = tmp; c < e; c++)
            if (*c >= '0' && *c <= '9')
                digits[nd++] = *c;
        while (nd > 1 && digits[nd - 1] == '0')
            nd--;
        digits[nd] = '\0';
        *exp10 = x + 1; /* value = 0.DIGITS * 10^(x+1) */
    }
    return nd;
}

static void format_f(const char *d, int nd, int e, char *out, size_t n)
{
    size_t w = 0;
#define PUT(c)              \
    do {                    \
        if (w + 1 < n)      \
            out[w++] = (c); \
    } while (0)
    if (e <= 0) {
        PUT('0');
        PUT('.');
        for (int i = 0; i < -e; i++)
            PUT('0');
        for (int i = 0; i < nd; i++)
            PUT(d[i]);
    } else {
        for (int i = 0; i < e; i++)
            PUT(i < nd ? d[i] : '0');
        if (nd > e) {
            PUT('.');
            for (int i = e; i < nd; i++)
                PUT(d[i]);
        }
    }
    out[w] = '\0';
#undef PUT
}

static void format_e(const char *d, int nd, int e, char *out, size_t n)
{
    size_t w = 0;
    int x = e - 1;
    if (n < 2)
        return;
    out[w++] = d[0];
    if (nd > 1) {
        out[w++] = '.';
        for (int i = 1; i < nd && w + 1 < n; i++)
            out[w++] = d[i];
    }
    snprintf(out + w, n - w, "e%c%02d", x < 0 ? '-' : '+', x < 0 ? -x : x);
}

const char *fmtfloat(double v, enum fmtfloat_style style, char *out, size_t n)
{
    char digits[32];
    int nd, e;
    size_t off = 0;
    if (n == 0)
        return out;
    if (isnan(v)) {
        snprintf(out, n, "NaN");
        return out;
    }
    if (isinf(v)) {
        snprintf(out, n, "%cInf", v > 0 ? '+' : '-');
        return out;
    }
    if (v == 0) {
        snprintf(out, n, "%s", signbit(v) ? "-0" : "0");
        return out;
    }
    if (v < 0) {
        out[0] = '-';
        off = 1;
        v = -v;
    }
    if (style == FMTFLOAT_F && v < 9007199254740992.0 && v == (double)(int64_t)v) {
        /* whole numbers below 2^53 print exactly as integers in 'f' style */
        snprintf(out + off, n - off, "%lld", (long long)(int64_t)v);
        return out;
    }
    nd = fmtfloat_shortest(v, digits, &e);
    switch (style) {
    case FMTFLOAT_F:
        format_f(digits, nd, e, out + off, n - off);
        break;
    case FMTFLOAT_E:
        format_e(digits, nd, e, out + off, n - off);
        break;
    case FMTFLOAT_G:
        /* strconv 'g' with shortest precision: exponent form when exp < -4 || exp >= 6 */
        if (e - 1 < -4 || e - 1 >= 6)
            format_e(digits, nd, e, out + off, n - off);
        else
            format_f(digits, nd, e, out + off, n - off);
        break;
    }
    return out;
}
