/* SPDX-License-Identifier: Apache-2.0 */
/* Helpers shared by the tsdb unit tests: label sets from text, temp dirs, a fake clock. */
#ifndef TOCSIN_TEST_TSDB_UTIL_H
#define TOCSIN_TEST_TSDB_UTIL_H

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/err.h"
#include "common/labels.h"
#include "common/matcher.h"
#include "common/xalloc.h"
#include "evaluator/tsdb/tsdb.h"
#include "test/harness.h"

static int64_t fake_now = 10000000;

static inline int64_t fake_clock(void *ctx)
{
    (void)ctx;
    return fake_now;
}

/* "a=1,b=2" -> label set (no quoting; for tests only). */
static inline struct labels *L(const char *spec)
{
    struct label items[32];
    char *s = xstrdup(spec), *save = NULL, *tok;
    size_t n = 0;
    struct labels *ls;
    for (tok = strtok_r(s, ",", &save); tok && n < 32; tok = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(tok, '=');
        *eq = '\0';
        items[n].name = tok;
        items[n].value = eq + 1;
        n++;
    }
    ls = labels_new(items, n);
    xfree(s);
    return ls;
}

static inline struct tsdb *open_db(const char *dir)
{
    struct tsdb_options o;
    struct tsdb *db = NULL;
    struct err e;
    tsdb_options_default(&o);
    o.dir = dir;
    o.background = false;
    o.now_ms = fake_clock;
    CHECK(tsdb_open(&o, &db, &e) == 0);
    return db;
}

/* Appends one sample and commits; returns the first rejection reason or -1. */
static inline int add1(struct tsdb *db, const char *spec, int64_t t, double v)
{
    struct tsdb_appender *a = tsdb_appender_new(db);
    struct tsdb_commit_result res;
    tsdb_appender_add(a, L(spec), &t, &v, 1);
    CHECK(tsdb_appender_commit(a, &res, NULL) == 0);
    tsdb_appender_free(a);
    return res.first_reason;
}

/* Number of samples selected by the matcher list text in [mint, maxt]. */
static inline size_t count_samples(struct tsdb *db, const char *sel, int64_t mint, int64_t maxt,
                                   size_t *nseries)
{
    struct matchers ms;
    struct promql_series_set set;
    size_t total = 0;
    CHECK(matchers_parse(sel, &ms, NULL) == 0);
    promql_series_set_init(&set);
    CHECK(tsdb_select(db, (const struct matcher *const *)ms.v, ms.n, mint, maxt, &set, NULL) == 0);
    for (size_t i = 0; i < set.n; i++)
        total += set.s[i].n;
    if (nseries)
        *nseries = set.n;
    promql_series_set_fini(&set);
    matchers_fini(&ms);
    return total;
}

/* Removes path and everything below it. */
static inline void remove_path(const char *path)
{
    DIR *d = opendir(path);
    struct dirent *de;
    if (d == NULL) {
        unlink(path);
        return;
    }
    while ((de = readdir(d)) != NULL) {
        char *sub;
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        sub = xasprintf("%s/%s", path, de->d_name);
        remove_path(sub);
        xfree(sub);
    }
    closedir(d);
    rmdir(path);
}

static inline char *make_tmpdir(void)
{
    char tmpl[] = "/tmp/tocsin-tsdb-XXXXXX";
    CHECK(mkdtemp(tmpl) != NULL);
    return xstrdup(tmpl);
}

static inline void remove_tree(char *dir)
{
    remove_path(dir);
    xfree(dir);
}

#endif
