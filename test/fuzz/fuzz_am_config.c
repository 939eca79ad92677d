/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzz target: Alertmanager config YAML → parse → print redacted → route tree → free. */
#include <stdint.h>
#include <stdlib.h>

#include "common/buf.h"
#include "common/labels.h"
#include "common/xalloc.h"
#include "notifier/config/config.h"
#include "notifier/route/route.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct am_config *c = NULL;
    if (size > (1u << 20))
        return 0;
    if (config_parse((const char *)data, size, "fuzz.yml", &c, NULL) == 0) {
        struct buf b;
        struct route *root = NULL;
        struct label items[] = {{"alertname", "A"}, {"severity", "page"}};
        struct labels *ls = labels_new(items, 2);
        buf_init(&b, 1u << 24);
        (void)config_print_redacted(c, &b);
        buf_fini(&b);
        if (route_tree_build(c, &root, NULL) == 0) {
            const struct route **m = NULL;
            size_t n = route_match(root, ls, &m);
            for (size_t i = 0; i < n; i++) {
                struct labels *gl = route_group_labels(m[i], ls);
                xfree(route_group_key(m[i], gl));
                (void)route_is_muted(m[i], c, 0);
                labels_free(gl);
            }
            xfree(m);
            route_tree_free(root);
        }
        labels_free(ls);
        config_free(c);
    }
    return 0;
}
