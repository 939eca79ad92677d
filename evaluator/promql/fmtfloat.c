/* SPDX-License-Identifier: Apache-2.0 */
/* Shortest round-trip float formatting in Go's styles. */
#include "evaluator/promql/fmtfloat.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/fmtfloat.h"

/* Shortest decimal digits of |f| (no dot) and the decimal exponent: f = 0.d1d2... * 10^dp. */
static void shortest(double f, char *digits, int *nd, int *dp)
{
    if (f == 0) {
        digits[0] = '0';
        digits[1] = '\0';
        *nd = 1;
        *dp = 1;
        return;
    }
    *nd = fmtfloat_shortest(f, digits, dp);
}

static int special(double f, char *out, size_t n)
{
    if (isnan(f)) {
        snprintf(out, n, "NaN");
        return 1;
    }
    if (isinf(f)) {
        snprintf(out, n, f > 0 ? "+Inf" : "-Inf");
        return 1;
    }
    return 0;
}

void fmtfloat_go_f(double f, char *out, size_t n)
{
    char d[32];
    int nd, dp;
    size_t o = 0;
    if (special(f, out, n))
        return;
    shortest(f, d, &nd, &dp);
    if (signbit(f) && f != 0)
        out[o++] = '-';
    if (dp <= 0) {
        out[o++] = '0';
        out[o++] = '.';
        for (int i = 0; i < -dp && o + 2 < n; i++)
            out[o++] = '0';
        for (int i = 0; i < nd && o + 2 < n; i++)
            out[o++] = d[i];
    } else {
        for (int i = 0; i < dp && o + 2 < n; i++)
            out[o++] = i < nd ? d[i] : '0';
        if (nd > dp) {
            out[o++] = '.';
            for (int i = dp; i < nd && o + 2 < n; i++)
                out[o++] = d[i];
        }
    }
    out[o] = '\0';
}

struct fmtfloat_buf fmtfloat_g(double f)
{
    struct fmtfloat_buf b;
    char d[32];
    int nd, dp, exp;
    size_t o = 0;
    if (special(f, b.s, sizeof(b.s)))
        return b;
    shortest(f, d, &nd, &dp);
    exp = dp - 1;
    if (f == 0)
        exp = 0;
    if (exp < -4 || exp >= 21) {
        if (signbit(f))
            b.s[o++] = '-';
        b.s[o++] = d[0];
        if (nd > 1) {
            b.s[o++] = '.';
            for (int i = 1; i < nd; i++)
                b.s[o++] = d[i];
        }
        snprintf(b.s + o, sizeof(b.s) - o, "e%c%02d", exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
        return b;
    }
    fmtfloat_go_f(f, b.s, sizeof(b.s));
    return b;
}

struct fmtfloat_buf fmtfloat_om(double f)
{
    struct fmtfloat_buf b;
    char d[32];
    int nd, dp, exp;
    size_t o = 0;
    if (special(f, b.s, sizeof(b.s)))
        return b;
    shortest(f, d, &nd, &dp);
    exp = f == 0 ? 0 : dp - 1;
    if (exp < -4 || exp >= 6) {
        if (signbit(f))
            b.s[o++] = '-';
        b.s[o++] = d[0];
        if (nd > 1) {
            b.s[o++] = '.';
            for (int i = 1; i < nd; i++)
                b.s[o++] = d[i];
        }
        snprintf(b.s + o, sizeof(b.s) - o, "e%c%02d", exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
        return b;
    }
    fmtfloat_go_f(f, b.s, sizeof(b.s));
    if (strchr(b.s, '.') == NULL) {
        size_t l = strlen(b.s);
        snprintf(b.s + l, sizeof(b.s) - l, ".0");
    }
    return b;
}
