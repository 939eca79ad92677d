/* SPDX-License-Identifier: Apache-2.0 */
/* Bump-pointer arenas for data that shares one lifetime (a parse, an evaluation, a request). */
#ifndef TOCSIN_COMMON_ARENA_H
#define TOCSIN_COMMON_ARENA_H

#include <stddef.h>

struct arena_block;

struct arena {
    struct arena_block *head; /* newest block first */
    size_t block_size;        /* default size of new blocks */
    size_t used;              /* bytes handed out since the last reset (for accounting) */
};

/* block_size 0 picks a default (16 KiB). */
void arena_init(struct arena *a, size_t block_size);
/* Frees every block. */
void arena_fini(struct arena *a);
/* Releases all allocations but keeps the first block for reuse. */
void arena_reset(struct arena *a);
/* Returns n bytes aligned to 16; never NULL (aborts on OOM). Freed with the arena. */
void *arena_alloc(struct arena *a, size_t n);
void *arena_calloc(struct arena *a, size_t nmemb, size_t size);
char *arena_strdup(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t n);
void *arena_memdup(struct arena *a, const void *p, size_t n);

#endif
