/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rw_encode: reads lines `metric{l="v", ...} value [timestamp_ms]` from stdin (or FILE) and
 * writes one snappy-compressed remote-write body to stdout (1.0 by default, 2.0 with -2; -r for
 * uncompressed protobuf). Values: Go float syntax, NaN, +Inf, -Inf, or "stale" (staleness
 * marker). Missing timestamps mean now. Blank lines and lines starting with # are skipped.
 *   usage: rw_encode [-2] [-r] [FILE]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/labels.h"
#include "common/matcher.h"
#include "common/xalloc.h"
#include "evaluator/ingest/rwenc.h"
#include "evaluator/promql/storage.h"

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Index just past the '}' closing the brace at s[0], honouring quoted strings; 0 if none. */
static size_t close_brace(const char *s)
{
    char q = 0;
    for (size_t i = 1; s[i]; i++) {
        if (q) {
            if (s[i] == '\\' && s[i + 1])
                i++;
            else if (s[i] == q)
                q = 0;
        } else if (s[i] == '"' || s[i] == '\'' || s[i] == '`') {
            q = s[i];
        } else if (s[i] == '}') {
            return i + 1;
        }
    }
    return 0;
}

static int parse_value(const char *tok, double *v)
{
    char *end;
    if (strcmp(tok, "stale") == 0) {
        uint64_t bits = PROMQL_STALE_NAN_BITS;
        memcpy(v, &bits, sizeof(*v));
        return 0;
    }
    *v = strtod(tok, &end);
    return *end == '\0' && end != tok ? 0 : -1;
}

/* Parses one line into a label set and a sample. Returns 0, 1 to skip, or -1 on error. */
static int parse_line(char *line, struct labels **ls, int64_t *t, double *v, struct err *e)
{
    struct labels_builder b;
    struct matchers ms = {0};
    char *p = line, *name_end, *tok, *save = NULL;
    char *name = NULL;
    int rc = -1;
    while (*p == ' ' || *p == '\t')
        p++;
    if (*p == '\0' || *p == '#' || *p == '\n')
        return 1;
    labels_builder_init(&b);
    name_end = p + strcspn(p, "{ \t");
    if (name_end > p) {
        name = xstrndup(p, (size_t)(name_end - p));
        labels_builder_set(&b, "__name__", name);
    }
    p = name_end;
    if (*p == '{') {
        size_t n = close_brace(p);
        char *sel;
        if (n == 0) {
            err_set(e, ERR_PARSE, "unterminated label list");
            goto out;
        }
        sel = xstrndup(p, n);
        if (matchers_parse(sel, &ms, e) != 0) {
            xfree(sel);
            goto out;
        }
        xfree(sel);
        for (size_t i = 0; i < ms.n; i++) {
            if (ms.v[i]->type != MATCH_EQ) {
                err_set(e, ERR_PARSE, "only name=\"value\" labels are allowed");
                goto out;
            }
            labels_builder_set(&b, ms.v[i]->name, ms.v[i]->value);
        }
        p += n;
    }
    tok = strtok_r(p, " \t\r\n", &save);
    if (tok == NULL || parse_value(tok, v) != 0) {
        err_set(e, ERR_PARSE, "missing or bad value");
        goto out;
    }
    tok = strtok_r(NULL, " \t\r\n", &save);
    if (tok == NULL) {
        *t = now_ms();
    } else {
        char *end;
        *t = strtoll(tok, &end, 10);
        if (*end != '\0') {
            err_set(e, ERR_PARSE, "bad timestamp %s", tok);
            goto out;
        }
    }
    *ls = labels_builder_finish(&b);
    rc = 0;
out:
    matchers_fini(&ms);
    labels_builder_fini(&b);
    xfree(name);
    return rc;
}

int main(int argc, char **argv)
{
    int version = 1, opt, lineno = 0, rc = 1;
    bool compress = true;
    FILE *in = stdin;
    char *line = NULL;
    size_t cap = 0;
    struct rwenc *w;
    uint8_t *out = NULL;
    size_t len = 0;
    while ((opt = getopt(argc, argv, "2r")) != -1) {
        if (opt == '2') {
            version = 2;
        } else if (opt == 'r') {
            compress = false;
        } else {
            fprintf(stderr, "usage: rw_encode [-2] [-r] [FILE]\n");
            return 2;
        }
    }
    if (optind < argc && (in = fopen(argv[optind], "r")) == NULL) {
        perror(argv[optind]);
        return 1;
    }
    w = rwenc_new(version);
    while (getline(&line, &cap, in) > 0) {
        struct labels *ls = NULL;
        int64_t t;
        double v;
        struct err e;
        int r;
        lineno++;
        err_clear(&e);
        r = parse_line(line, &ls, &t, &v, &e);
        if (r < 0) {
            fprintf(stderr, "rw_encode: line %d: %s\n", lineno, e.msg);
            goto out;
        }
        if (r == 0) {
            rwenc_add(w, ls, t, v);
            labels_free(ls);
        }
    }
    rwenc_finish(w, compress, &out, &len);
    if (fwrite(out, 1, len, stdout) != len || fflush(stdout) != 0) {
        perror("rw_encode: write");
        goto out;
    }
    rc = 0;
out:
    xfree(out);
    xfree(line);
    rwenc_free(w);
    if (in != stdin)
        fclose(in);
    return rc;
}
