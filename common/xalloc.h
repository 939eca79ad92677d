/* SPDX-License-Identifier: Apache-2.0 */
/* Allocation wrappers that abort with the size on out-of-memory, so callers never check NULL. */
#ifndef TOCSIN_COMMON_XALLOC_H
#define TOCSIN_COMMON_XALLOC_H

#include <stddef.h>

/* All return non-NULL or abort the process after logging the requested size. */
void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size); /* zeroed; aborts on overflow */
void *xrealloc(void *p, size_t n);
void *xreallocarray(void *p, size_t nmemb, size_t size); /* aborts on overflow */
char *xstrdup(const char *s);                            /* s must not be NULL */
char *xstrndup(const char *s, size_t n);                 /* copies at most n bytes, NUL-ends */
void *xmemdup(const void *p, size_t n);
/* printf into a new heap string; caller frees. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* free() that accepts NULL (as free does) – here for symmetry and grep-ability. */
void xfree(void *p);

#endif
