/* SPDX-License-Identifier: Apache-2.0 */
/* File change fingerprints for the rule manager's watcher (see watch.h). */
#include "evaluator/manager/watch.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* FNV-1a over bytes, continued from h. */
static uint64_t mix(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) {
        h ^= b[i];
        h *= 1099511628211ULL;
    }
    return h;
}

static uint64_t mix_i64(uint64_t h, int64_t v)
{
    return mix(h, &v, sizeof(v));
}

uint64_t evwatch_fingerprint(const char *const *paths, size_t n)
{
    uint64_t h = 14695981039346656037ULL;
    for (size_t i = 0; i < n; i++) {
        struct stat st;
        char link[4096];
        h = mix(h, paths[i], strlen(paths[i]) + 1);
        if (stat(paths[i], &st) != 0) {
            h = mix_i64(h, -errno);
        } else {
            h = mix_i64(h, (int64_t)st.st_dev);
            h = mix_i64(h, (int64_t)st.st_ino);
            h = mix_i64(h, (int64_t)st.st_size);
            h = mix_i64(h, (int64_t)st.st_mtim.tv_sec);
            h = mix_i64(h, (int64_t)st.st_mtim.tv_nsec);
            h = mix_i64(h, (int64_t)st.st_ctim.tv_sec);
            h = mix_i64(h, (int64_t)st.st_ctim.tv_nsec);
        }
        ssize_t k = readlink(paths[i], link, sizeof(link));
        if (k > 0)
            h = mix(h, link, (size_t)k);
        h = mix_i64(h, k);
    }
    return h;
}
