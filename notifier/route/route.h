/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The routing tree built from the config with Alertmanager's semantics: options inherited from
 * parents, depth-first matching with `continue`, route keys and IDs, group labels and group
 * keys exactly as Alertmanager 0.25 prints them, and time-interval muting of a route.
 */
#ifndef TOCSIN_NOTIFIER_ROUTE_H
#define TOCSIN_NOTIFIER_ROUTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/matcher.h"

struct err;
struct labels;
struct am_config;
struct am_route;
struct yamlx_node;

/* Defaults of the root route (Alertmanager's DefaultRouteOpts). */
#define ROUTE_DEFAULT_GROUP_WAIT_MS      (30 * 1000)
#define ROUTE_DEFAULT_GROUP_INTERVAL_MS  (5 * 60 * 1000)
#define ROUTE_DEFAULT_REPEAT_INTERVAL_MS (4 * 3600 * 1000)

/* One node with its effective (inherited) options. Immutable after route_tree_build. */
struct route {
    struct route *parent; /* NULL for the root */
    size_t index;         /* position among the parent's children */
    const char *receiver; /* effective receiver (borrowed from the config) */
    char **group_by;      /* effective group_by names, sorted, unique (owned) */
    size_t ngroup_by;
    bool group_by_all;        /* `...` */
    struct matchers matchers; /* this node's own matchers, sorted (owned) */
    bool continue_;
    int64_t group_wait_ms, group_interval_ms, repeat_interval_ms;
    char *const *mute_time_intervals; /* this node's names (borrowed; not inherited) */
    size_t nmute;
    char *const *active_time_intervals;
    size_t nactive;
    const struct yamlx_node *escalation_policy; /* effective (inherited) Tocsin extension */
    struct route **routes;
    size_t nroutes;
    char *key; /* "{}/{severity=\"page\"}" (owned) */
    char *id;  /* "{}/{severity=\"page\"}/0" (owned) */
};

/*
 * Builds the tree from cfg (borrowed: cfg must outlive the tree). Returns 0 and *out (caller
 * frees with route_tree_free), or ERR_INVALID when cfg has no route. Thread: any.
 */
int route_tree_build(const struct am_config *cfg, struct route **out, struct err *e);
void route_tree_free(struct route *root);

/*
 * Routes ls through the tree: Alertmanager's Route.Match. Returns the number of matching
 * routes and sets *out to a new array of borrowed pointers (caller frees the array with
 * xfree). The root has no matchers, so at least one route (the root itself when no child
 * matches) is always returned for a tree built by route_tree_build. Thread-safe (read-only).
 */
size_t route_match(const struct route *root, const struct labels *ls, const struct route ***out);

/* Calls fn for every node depth-first (parents before children). */
void route_walk(const struct route *root, void (*fn)(const struct route *r, void *ctx), void *ctx);

/* The group labels of an alert on route r: the group_by labels it has (all with `...`).
 * Caller frees with labels_free. */
struct labels *route_group_labels(const struct route *r, const struct labels *alert);

/* "<route key>:<group labels>" e.g. `{}/{team=~"db|infra"}:{alertname="DB"}`. Caller frees. */
char *route_group_key(const struct route *r, const struct labels *group_labels);

/*
 * True when notifications of route r are muted at ms: ms is inside one of r's
 * mute_time_intervals, or r has active_time_intervals and ms is inside none of them.
 */
bool route_is_muted(const struct route *r, const struct am_config *cfg, int64_t ms);

#endif
