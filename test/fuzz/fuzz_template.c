/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzz target: parse arbitrary template text and execute it against a small fixed data object
 * with Prometheus and Alertmanager functions and small output/iteration/depth caps. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/labels.h"
#include "common/template/funcs_alertmanager.h"
#include "common/template/funcs_prometheus.h"
#include "common/template/template.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct tmpl_prom_opts prom_opts = {
    .external_url = "http://127.0.0.1:9090/prefix",
    .now_ms = 1700000000000,
};
static const struct tmpl_am_opts am_opts = {.now_ms = 1700000000000};

static struct tmpl_value *fixed_data(void)
{
    struct label l[] = {{"alertname", "A"}, {"instance", "h:1"}, {"job", "j"}};
    struct labels *ls = labels_new(l, 3);
    struct tmpl_value *d = tmpl_map(TMPL_NULL), *alerts = tmpl_list(), *nums = tmpl_list();
    tmpl_list_push(alerts, tmpl_am_alert("firing", tmpl_am_kv(ls), tmpl_am_kv(NULL),
                                         tmpl_time(1700000000000000000LL, 0, "UTC"), NULL,
                                         "http://127.0.0.1:9090/graph", "abc"));
    tmpl_list_push(nums, tmpl_int(1));
    tmpl_list_push(nums, tmpl_float(2.5));
    tmpl_list_push(nums, tmpl_string("x"));
    tmpl_map_set(d, "AM",
                 tmpl_am_data("r", "firing", tmpl_am_alerts(alerts), tmpl_am_kv(ls), tmpl_am_kv(ls),
                              NULL, "http://127.0.0.1:9093"));
    tmpl_map_set(d, "Prom", tmpl_prom_alert_data(ls, NULL, "http://127.0.0.1:9090", 0.5));
    tmpl_map_set(d, "Labels", tmpl_am_kv(ls));
    tmpl_map_set(d, "Value", tmpl_float(0.5));
    tmpl_map_set(d, "N", nums);
    tmpl_map_set(d, "Sample", tmpl_prom_sample(ls, 3));
    tmpl_map_set(d, "D", tmpl_duration(1500000000));
    labels_free(ls);
    return d;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct tmpl_funcs *funcs;
    struct tmpl_set *s;
    struct tmpl_value *d;
    struct buf out;
    struct err e;
    struct tmpl_exec_opts o = {
        .missingkey = TMPL_MISSINGKEY_ZERO,
        .max_output = 4096,
        .max_depth = 50,
        .max_iterations = 10000,
    };
    if (funcs == NULL) {
        funcs = tmpl_funcs_new();
        tmpl_funcs_add_prometheus(funcs, &prom_opts);
        tmpl_funcs_add_alertmanager(funcs, &am_opts);
    }
    s = tmpl_set_new(funcs);
    d = fixed_data();
    buf_init(&out, 0);
    if (tmpl_set_parse(s, "f", (const char *)data, size, &e) == 0) {
        if (tmpl_set_execute(s, "f", d, &o, &out, &e) == 0 && out.len > 4096)
            abort();
        /* every defined template must run without crashing either */
        (void)tmpl_set_execute(s, "t", d, &o, &out, &e);
        /* and the same in HTML mode */
        buf_reset(&out);
        o.html = true;
        if (tmpl_set_execute(s, "f", d, &o, &out, &e) == 0 && out.len > 4096)
            abort();
    }
    buf_fini(&out);
    tmpl_unref(d);
    tmpl_set_free(s);
    return 0;
}
