/* SPDX-License-Identifier: Apache-2.0 */
/* Shortest round-trip float formatting in the styles Go's strconv uses (Prometheus API, templates).
 */
#ifndef TOCSIN_COMMON_FMTFLOAT_H
#define TOCSIN_COMMON_FMTFLOAT_H

#include <stddef.h>

enum fmtfloat_style {
    FMTFLOAT_F, /* strconv.FormatFloat(v, 'f', -1, 64): "0.000001", "1000000000000000000000" */
    FMTFLOAT_G, /* strconv.FormatFloat(v, 'g', -1, 64) as fmt's %v prints: "1e+06", "123456", "0.1"
                 */
    FMTFLOAT_E, /* strconv.FormatFloat(v, 'e', -1, 64): "1e+06", "1.5e-07" */
};

/*
 * The shortest decimal digits of |v| (v finite and non-zero) that parse back to exactly |v|:
 * digits (no dot, at least 32 bytes) and the decimal point position dp such that
 * |v| = 0.DIGITS * 10^dp. Returns the number of digits. Shared by every float printer.
 */
int fmtfloat_shortest(double v, char *digits, int *dp);

/*
 * Writes the shortest decimal that parses back to exactly v, in the given style, into out (size
 * n, always NUL-terminated; 400 bytes is always enough for FMTFLOAT_F). Infinities are "+Inf" and
 * "-Inf", NaN is "NaN" (Prometheus's spelling). Returns out.
 */
const char *fmtfloat(double v, enum fmtfloat_style style, char *out, size_t n);

#endif
