/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Test tool: `am_route_test CONFIG name=value...` routes one label set through the config's
 * routing tree and prints the matched receivers joined by "," (like `amtool config routes
 * test`), then one line per matched route: its ID and the alert's group key.
 */
#include <stdio.h>
#include <string.h>

#include "common/err.h"
#include "common/labels.h"
#include "common/xalloc.h"
#include "notifier/config/config.h"
#include "notifier/route/route.h"

int main(int argc, char **argv)
{
    struct am_config *cfg = NULL;
    struct route *root = NULL;
    struct err e;
    struct labels_builder lb;
    struct labels *ls;
    const struct route **m = NULL;
    size_t n;
    char msg[1400];
    if (argc < 2) {
        fprintf(stderr, "usage: am_route_test CONFIG name=value...\n");
        return 2;
    }
    err_clear(&e);
    if (config_load_file(argv[1], &cfg, &e) != 0 || route_tree_build(cfg, &root, &e) != 0) {
        fprintf(stderr, "%s\n", err_format(&e, msg, sizeof(msg)));
        config_free(cfg);
        return 1;
    }
    labels_builder_init(&lb);
    for (int i = 2; i < argc; i++) {
        char *eq = strchr(argv[i], '=');
        if (eq == NULL) {
            fprintf(stderr, "bad label %s\n", argv[i]);
            return 2;
        }
        *eq = 0;
        labels_builder_set(&lb, argv[i], eq + 1);
    }
    ls = labels_builder_finish(&lb);
    n = route_match(root, ls, &m);
    for (size_t i = 0; i < n; i++)
        printf("%s%s", i ? "," : "", m[i]->receiver);
    printf("\n");
    for (size_t i = 0; i < n; i++) {
        struct labels *gl = route_group_labels(m[i], ls);
        char *key = route_group_key(m[i], gl);
        printf("%s %s\n", m[i]->id, key);
        xfree(key);
        labels_free(gl);
    }
    xfree(m);
    labels_free(ls);
    labels_builder_fini(&lb);
    route_tree_free(root);
    config_free(cfg);
    return 0;
}
