/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Go's fmt and strconv output rules for template values: fmt.Sprint/Sprintln/Sprintf with Go
 * verbs and flags, strconv float formatting (shortest 'g' for %v), strconv.Quote.
 */
#ifndef TOCSIN_COMMON_TEMPLATE_GOFMT_H
#define TOCSIN_COMMON_TEMPLATE_GOFMT_H

#include <stddef.h>

struct buf;
struct tmpl_value;

/*
 * Appends f formatted like Go's strconv.FormatFloat(f, verb, prec, 64) with fmt's conventions
 * for special values ("+Inf", "-Inf", "NaN"). verb is one of e E f F g G; prec -1 means the
 * shortest representation that reads back exactly. Returns 0 or ERR_TOOBIG when out is full.
 */
int gofmt_float(struct buf *out, double f, char verb, int prec);

/* Appends s[0..n) quoted like Go's strconv.Quote. */
int gofmt_quote(struct buf *out, const char *s, size_t n);

/* fmt.Sprint: operands printed with %v, a space between two operands when neither is a
 * string. argv entries are borrowed and may be NULL (printed as <nil>). */
int gofmt_sprint(struct buf *out, int argc, struct tmpl_value **argv);
/* fmt.Sprintln: spaces between all operands and a trailing newline. */
int gofmt_sprintln(struct buf *out, int argc, struct tmpl_value **argv);
/*
 * fmt.Sprintf with Go's verbs (%v %s %d %q %x %X %o %b %c %U %e %E %f %F %g %G %t %%), flags
 * (+ - # space 0), width and precision (digits or *), and Go's error forms for bad verbs
 * ("%!d(string=x)"), missing ("%!d(MISSING)") and extra operands ("%!(EXTRA int=1)").
 */
int gofmt_sprintf(struct buf *out, const char *format, size_t flen, int argc,
                  struct tmpl_value **argv);

#endif
