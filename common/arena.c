/* SPDX-License-Identifier: Apache-2.0 */
/* Bump-pointer arenas. */
#include "common/arena.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/xalloc.h"

struct arena_block {
    struct arena_block *next;
    size_t size;
    size_t off;
    _Alignas(16) unsigned char data[];
};

void arena_init(struct arena *a, size_t block_size)
{
    a->head = NULL;
    a->block_size = block_size ? block_size : 16384;
    a->used = 0;
}

void arena_fini(struct arena *a)
{
    struct arena_block *b = a->head, *n;
    while (b) {
        n = b->next;
        xfree(b);
        b = n;
    }
    a->head = NULL;
    a->used = 0;
}

void arena_reset(struct arena *a)
{
    struct arena_block *b, *n;
    if (a->head == NULL)
        return;
    /* keep the last block in the chain (the oldest, usually block_size) */
    b = a->head;
    while (b->next) {
        n = b->next;
        xfree(b);
        b = n;
    }
    b->off = 0;
    a->head = b;
    a->used = 0;
}

void *arena_alloc(struct arena *a, size_t n)
{
    struct arena_block *b = a->head;
    size_t need = (n + 15) & ~(size_t)15;
    void *p;
    if (need < n)
        abort();
    if (b == NULL || b->size - b->off < need) {
        size_t sz = need > a->block_size ? need : a->block_size;
        b = xmalloc(sizeof(*b) + sz);
        b->size = sz;
        b->off = 0;
        b->next = a->head;
        a->head = b;
    }
    p = b->data + b->off;
    b->off += need;
    a->used += need;
    return p;
}

void *arena_calloc(struct arena *a, size_t nmemb, size_t size)
{
    void *p;
    if (size != 0 && nmemb > SIZE_MAX / size)
        abort();
    p = arena_alloc(a, nmemb * size);
    memset(p, 0, nmemb * size);
    return p;
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
    char *p = arena_alloc(a, n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *arena_strdup(struct arena *a, const char *s)
{
    return arena_strndup(a, s, strlen(s));
}

void *arena_memdup(struct arena *a, const void *p, size_t n)
{
    void *q = arena_alloc(a, n);
    if (n)
        memcpy(q, p, n);
    return q;
}
