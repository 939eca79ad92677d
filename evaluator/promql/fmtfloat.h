/* SPDX-License-Identifier: Apache-2.0 */
/* Float formatting as Go prints it (shortest round-trip digits), for messages and labels. */
#ifndef TOCSIN_EVALUATOR_PROMQL_FMTFLOAT_H
#define TOCSIN_EVALUATOR_PROMQL_FMTFLOAT_H

#include <stddef.h>

struct fmtfloat_buf {
    char s[400];
};

/* Go's fmt %v of a float64: shortest digits, exponent form when exp < -4 or exp >= 21. */
struct fmtfloat_buf fmtfloat_g(double f);
/* Go's strconv.FormatFloat(f, 'f', -1, 64) into out (n >= 400 is always enough). */
void fmtfloat_go_f(double f, char *out, size_t n);

/* Prometheus's labels.FormatOpenMetricsFloat: strconv 'g' shortest, ".0" added to integers. */
struct fmtfloat_buf fmtfloat_om(double f);

#endif
