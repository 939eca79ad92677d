/* SPDX-License-Identifier: Apache-2.0 */
/* Prometheus-style command-line flags: --name=value or --name value, --help, --version. */
#ifndef TOCSIN_COMMON_FLAGS_H
#define TOCSIN_COMMON_FLAGS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

enum flag_type {
    FLAG_STRING,   /* const char ** (points into argv or the default) */
    FLAG_BOOL,     /* bool *; --x, --x=true|false, --no-x */
    FLAG_DURATION, /* int64_t * milliseconds, Prometheus duration syntax */
    FLAG_INT,      /* int64_t * */
    FLAG_BYTES,    /* int64_t * bytes; accepts 512KB, 4MB, 1GB, KiB/MiB/GiB */
    FLAG_STRINGS,  /* repeatable: struct flag_strings * */
};

struct flag_strings {
    const char **v;
    int n;
};

struct flag_def {
    const char *name; /* without leading dashes, e.g. "web.listen-address" */
    enum flag_type type;
    void *target;
    const char *help;
};

/*
 * Parses argv against defs (terminated by a {NULL} entry). Positional arguments are stored in
 * pos and npos, pointing into argv (pos may be NULL when none are allowed). --help prints usage
 * to stdout and returns 1 (caller exits 0); --version prints "prog, version X (revision R)" and
 * returns 1. On a bad flag prints one line "prog: error: ..." to stderr and returns 2 (the exit
 * status callers use). 0 on success.
 */
int flags_parse(const char *prog, const char *summary, const struct flag_def *defs, int argc,
                char **argv, const char ***pos, int *npos);

/* Prints usage for defs to f. */
void flags_usage(FILE *f, const char *prog, const char *summary, const struct flag_def *defs);

/* Parses a byte size ("512MB", "4KiB", "1024"). Returns 0 or ERR_INVALID. */
int bytes_parse(const char *s, int64_t *out);

#endif
