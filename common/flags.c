/* SPDX-License-Identifier: Apache-2.0 */
/* Prometheus-style flag parsing. */
#include "common/flags.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/timeutil.h"
#include "common/xalloc.h"

int bytes_parse(const char *s, int64_t *out)
{
    static const struct {
        const char *suf;
        int64_t mult;
    } sufs[] = {{"KiB", 1LL << 10},
                {"MiB", 1LL << 20},
                {"GiB", 1LL << 30},
                {"TiB", 1LL << 40},
                {"KB", 1LL << 10},
                {"MB", 1LL << 20},
                {"GB", 1LL << 30},
                {"TB", 1LL << 40},
                {"kB", 1LL << 10},
                {"B", 1},
                {"", 1}};
    char *end = NULL;
    long long v;
    if (s == NULL || !isdigit((unsigned char)*s))
        return ERR_INVALID;
    errno = 0;
    v = strtoll(s, &end, 10);
    if (errno != 0 || v < 0)
        return ERR_INVALID;
    for (size_t i = 0; i < sizeof(sufs) / sizeof(sufs[0]); i++) {
        if (strcmp(end, sufs[i].suf) == 0) {
            if (v > INT64_MAX / sufs[i].mult)
                return ERR_INVALID;
            *out = v * sufs[i].mult;
            return 0;
        }
    }
    return ERR_INVALID;
}

void flags_usage(FILE *f, const char *prog, const char *summary, const struct flag_def *defs)
{
    fprintf(f, "usage: %s [<flags>]\n\n%s\n\nFlags:\n", prog, summary);
    fprintf(f, "  %-36s %s\n", "-h, --help", "Show this help and exit.");
    fprintf(f, "  %-36s %s\n", "--version", "Show the version and exit.");
    for (const struct flag_def *d = defs; d->name; d++) {
        char left[128];
        const char *meta = d->type == FLAG_BOOL ? "" : "=<value>";
        snprintf(left, sizeof(left), "--%s%s", d->name, meta);
        fprintf(f, "  %-36s %s\n", left, d->help);
    }
}

static int set_value(const char *prog, const struct flag_def *d, const char *v)
{
    struct err e;
    int64_t n;
    char *end = NULL;
    err_clear(&e);
    switch (d->type) {
    case FLAG_STRING:
        *(const char **)d->target = v;
        return 0;
    case FLAG_BOOL:
        if (strcmp(v, "true") == 0)
            *(bool *)d->target = true;
        else if (strcmp(v, "false") == 0)
            *(bool *)d->target = false;
        else
            goto bad;
        return 0;
    case FLAG_DURATION:
        if (duration_parse(v, &n, &e) != 0)
            goto bad;
        *(int64_t *)d->target = n;
        return 0;
    case FLAG_INT:
        errno = 0;
        n = strtoll(v, &end, 10);
        if (errno || end == v || *end)
            goto bad;
        *(int64_t *)d->target = n;
        return 0;
    case FLAG_BYTES:
        if (bytes_parse(v, &n) != 0)
            goto bad;
        *(int64_t *)d->target = n;
        return 0;
    case FLAG_STRINGS: {
        struct flag_strings *fs = d->target;
        fs->v = xreallocarray(fs->v, (size_t)fs->n + 1, sizeof(*fs->v));
        fs->v[fs->n++] = v;
        return 0;
    }
    }
bad:
    fprintf(stderr, "%s: error: invalid value \"%s\" for flag --%s\n", prog, v, d->name);
    return 2;
}

int flags_parse(const char *prog, const char *summary, const struct flag_def *defs, int argc,
                char **argv, const char ***pos, int *npos)
{
    if (pos) {
        *pos = NULL;
        *npos = 0;
    }
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *name, *eq, *val = NULL;
        size_t nlen;
        const struct flag_def *d;
        bool negate = false;
        if (strcmp(a, "--") == 0) {
            for (i++; i < argc && pos; i++) {
                *pos = xreallocarray((void *)*pos, (size_t)*npos + 1, sizeof(**pos));
                (*pos)[(*npos)++] = argv[i];
            }
            break;
        }
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0 || strcmp(a, "-help") == 0) {
            flags_usage(stdout, prog, summary, defs);
            return 1;
        }
        if (strcmp(a, "--version") == 0) {
            printf("%s, version %s (revision: %s)\n", prog, TOCSIN_VERSION, TOCSIN_REVISION);
            return 1;
        }
        if (a[0] != '-' || a[1] == '\0') {
            if (pos == NULL) {
                fprintf(stderr, "%s: error: unexpected argument \"%s\"\n", prog, a);
                return 2;
            }
            *pos = xreallocarray((void *)*pos, (size_t)*npos + 1, sizeof(**pos));
            (*pos)[(*npos)++] = a;
            continue;
        }
        name = a + (a[1] == '-' ? 2 : 1);
        eq = strchr(name, '=');
        nlen = eq ? (size_t)(eq - name) : strlen(name);
        for (d = defs; d->name; d++)
            if (strlen(d->name) == nlen && strncmp(d->name, name, nlen) == 0)
                break;
        if (d->name == NULL && nlen > 3 && strncmp(name, "no-", 3) == 0 && eq == NULL) {
            for (d = defs; d->name; d++)
                if (d->type == FLAG_BOOL && strcmp(d->name, name + 3) == 0)
                    break;
            negate = d->name != NULL;
        }
        if (d->name == NULL) {
            fprintf(stderr, "%s: error: unknown flag --%.*s, try --help\n", prog, (int)nlen, name);
            return 2;
        }
        if (d->type == FLAG_BOOL && eq == NULL) {
            *(bool *)d->target = !negate;
            continue;
        }
        if (eq)
            val = eq + 1;
        else if (i + 1 < argc)
            val = argv[++i];
        else {
            fprintf(stderr, "%s: error: expected argument for flag --%s\n", prog, d->name);
            return 2;
        }
        if (set_value(prog, d, val) != 0)
            return 2;
    }
    return 0;
}
