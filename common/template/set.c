/* SPDX-License-Identifier: Apache-2.0 */
/* Template sets: creation, layering (child sets over a parent), lookup, and one-shot expansion. */
#include <string.h>

#include "common/err.h"
#include "common/template/template_int.h"
#include "common/xalloc.h"

struct tmpl_set *tmpl_set_new(const struct tmpl_funcs *funcs)
{
    struct tmpl_set *s = xcalloc(1, sizeof(*s));
    s->funcs = funcs;
    arena_init(&s->arena, 0);
    return s;
}

struct tmpl_set *tmpl_set_new_child(const struct tmpl_set *parent)
{
    struct tmpl_set *s = tmpl_set_new(NULL);
    s->parent = parent;
    return s;
}

void tmpl_set_free(struct tmpl_set *set)
{
    if (set == NULL)
        return;
    arena_fini(&set->arena);
    xfree(set->trees);
    xfree(set);
}

const struct tree *tmpl_set_lookup(const struct tmpl_set *set, const char *name)
{
    const struct tmpl_set *s;
    size_t i;
    for (s = set; s; s = s->parent) {
        for (i = 0; i < s->n; i++) {
            if (strcmp(s->trees[i]->name, name) == 0)
                return s->trees[i];
        }
    }
    return NULL;
}

bool tmpl_set_defined(const struct tmpl_set *set, const char *name)
{
    return tmpl_set_lookup(set, name) != NULL;
}

int tmpl_expand(const struct tmpl_set *base, const struct tmpl_funcs *funcs, const char *name,
                const char *text, struct tmpl_value *data, const struct tmpl_exec_opts *opts,
                struct buf *out, struct err *e)
{
    struct tmpl_set *s = base ? tmpl_set_new_child(base) : tmpl_set_new(funcs);
    int rc;
    if (base)
        s->funcs = funcs;
    rc = tmpl_set_parse(s, name, text, (size_t)-1, e);
    if (rc == 0)
        rc = tmpl_set_execute(s, name, data, opts, out, e);
    tmpl_set_free(s);
    return rc;
}

void *tmpl_ctx_func_user(const struct tmpl_ctx *ctx)
{
    return ctx->cur_func ? ctx->cur_func->user : NULL;
}

void *tmpl_ctx_exec_user(const struct tmpl_ctx *ctx)
{
    return ctx->opts.user;
}

size_t tmpl_ctx_max_output(const struct tmpl_ctx *ctx)
{
    return ctx->opts.max_output;
}
