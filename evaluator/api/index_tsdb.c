/* SPDX-License-Identifier: Apache-2.0 */
/* match[] semantics on top of tsdb: one lookup per selector, results merged and deduplicated. */
#include "evaluator/api/index_tsdb.h"

#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/labels.h"
#include "common/xalloc.h"
#include "evaluator/tsdb/tsdb.h"

static int cmp_labels(const void *a, const void *b)
{
    return labels_cmp(*(struct labels *const *)a, *(struct labels *const *)b);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int series(void *ctx, const struct matcher *const *const *sets, const size_t *lens,
                  size_t nsets, int64_t mint, int64_t maxt, size_t limit, struct labels ***out,
                  size_t *n, struct err *e)
{
    struct labels **all = NULL;
    size_t cnt = 0, w = 0;
    *out = NULL;
    *n = 0;
    for (size_t i = 0; i < nsets; i++) {
        struct tsdb_label_sets s = {NULL, 0};
        int rc = tsdb_series(ctx, sets[i], lens[i], mint, maxt, &s, e);
        if (rc != 0) {
            for (size_t k = 0; k < cnt; k++)
                labels_free(all[k]);
            xfree(all);
            return rc;
        }
        all = xreallocarray(all, cnt + s.n + 1, sizeof(*all));
        for (size_t k = 0; k < s.n; k++) {
            all[cnt++] = s.v[k];
            s.v[k] = NULL;
        }
        s.n = 0;
        tsdb_label_sets_fini(&s);
    }
    if (cnt > 1)
        qsort(all, cnt, sizeof(*all), cmp_labels);
    for (size_t i = 0; i < cnt; i++) {
        if ((w > 0 && labels_equal(all[w - 1], all[i])) || (limit > 0 && w >= limit)) {
            labels_free(all[i]);
            continue;
        }
        all[w++] = all[i];
    }
    *out = all;
    *n = w;
    return 0;
}

typedef int (*strings_fn)(struct tsdb *db, const char *name, const struct matcher *const *ms,
                          size_t nms, int64_t mint, int64_t maxt, struct tsdb_strings *out,
                          struct err *e);

static int names_adapter(struct tsdb *db, const char *name, const struct matcher *const *ms,
                         size_t nms, int64_t mint, int64_t maxt, struct tsdb_strings *out,
                         struct err *e)
{
    (void)name;
    return tsdb_label_names(db, ms, nms, mint, maxt, out, e);
}

/* Runs fn once per selector (or once with none) and merges the sorted, deduplicated strings. */
static int strings_union(struct tsdb *db, strings_fn fn, const char *name,
                         const struct matcher *const *const *sets, const size_t *lens, size_t nsets,
                         int64_t mint, int64_t maxt, char ***out, size_t *n, struct err *e)
{
    char **all = NULL;
    size_t cnt = 0, w = 0;
    size_t rounds = nsets ? nsets : 1;
    *out = NULL;
    *n = 0;
    for (size_t i = 0; i < rounds; i++) {
        struct tsdb_strings s = {NULL, 0};
        int rc = fn(db, name, nsets ? sets[i] : NULL, nsets ? lens[i] : 0, mint, maxt, &s, e);
        if (rc != 0) {
            for (size_t k = 0; k < cnt; k++)
                xfree(all[k]);
            xfree(all);
            return rc;
        }
        all = xreallocarray(all, cnt + s.n + 1, sizeof(*all));
        for (size_t k = 0; k < s.n; k++) {
            all[cnt++] = s.v[k];
            s.v[k] = NULL;
        }
        s.n = 0;
        tsdb_strings_fini(&s);
    }
    if (cnt > 1)
        qsort(all, cnt, sizeof(*all), cmp_str);
    for (size_t i = 0; i < cnt; i++) {
        if (w > 0 && strcmp(all[w - 1], all[i]) == 0) {
            xfree(all[i]);
            continue;
        }
        all[w++] = all[i];
    }
    *out = all;
    *n = w;
    return 0;
}

static int label_names(void *ctx, const struct matcher *const *const *sets, const size_t *lens,
                       size_t nsets, int64_t mint, int64_t maxt, char ***out, size_t *n,
                       struct err *e)
{
    return strings_union(ctx, names_adapter, NULL, sets, lens, nsets, mint, maxt, out, n, e);
}

static int label_values(void *ctx, const char *name, const struct matcher *const *const *sets,
                        const size_t *lens, size_t nsets, int64_t mint, int64_t maxt, char ***out,
                        size_t *n, struct err *e)
{
    return strings_union(ctx, tsdb_label_values, name, sets, lens, nsets, mint, maxt, out, n, e);
}

struct query_api_index index_tsdb(struct tsdb *db)
{
    struct query_api_index ix = {
        .ctx = db,
        .series = series,
        .label_names = label_names,
        .label_values = label_values,
    };
    return ix;
}
