/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Test tool: `am_inhibit_check CONFIG ALERTS.json` loads the inhibit rules of CONFIG, feeds every
 * alert of a captured GET /api/v2/alerts answer into the inhibitor, and checks that each alert
 * is inhibited exactly by the fingerprints Alertmanager reported (status.inhibitedBy).
 */
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "common/err.h"
#include "common/labels.h"
#include "common/timeutil.h"
#include "notifier/config/config.h"
#include "notifier/inhibit/inhibit.h"

/* Alertmanager's fingerprint: FNV-1a 64 over sorted "name 0xFF value 0xFF". */
static uint64_t fingerprint(const struct labels *ls)
{
    uint64_t h = 14695981039346656037ULL;
    for (size_t i = 0; i < ls->n; i++) {
        const char *parts[2] = {ls->v[i].name, ls->v[i].value};
        for (int k = 0; k < 2; k++) {
            for (const unsigned char *p = (const unsigned char *)parts[k]; *p; p++)
                h = (h ^ *p) * 1099511628211ULL;
            h = (h ^ 0xff) * 1099511628211ULL;
        }
    }
    return h;
}

static struct labels *labels_of(const json_t *obj)
{
    const char *k;
    json_t *v;
    struct labels_builder b;
    struct labels *ls;
    labels_builder_init(&b);
    json_object_foreach((json_t *)obj, k, v) labels_builder_set(&b, k, json_string_value(v));
    ls = labels_builder_finish(&b);
    labels_builder_fini(&b);
    return ls;
}

int main(int argc, char **argv)
{
    struct am_config *cfg = NULL;
    struct inhibitor *ih;
    struct err e;
    json_error_t je;
    json_t *alerts;
    size_t i;
    int64_t now = 0;
    int bad = 0;
    if (argc != 3)
        return 2;
    err_clear(&e);
    if (config_load_file(argv[1], &cfg, &e) != 0 ||
        (alerts = json_load_file(argv[2], 0, &je)) == NULL) {
        fprintf(stderr, "load failed: %s %s\n", e.msg, je.text);
        return 2;
    }
    ih = inhibitor_new(cfg);
    for (i = 0; i < json_array_size(alerts); i++) {
        json_t *a = json_array_get(alerts, i);
        struct labels *ls = labels_of(json_object_get(a, "labels"));
        int64_t ends = 0, upd = 0;
        char fp[32];
        timestamp_parse(json_string_value(json_object_get(a, "endsAt")), &ends, NULL);
        timestamp_parse(json_string_value(json_object_get(a, "updatedAt")), &upd, NULL);
        if (upd > now)
            now = upd;
        snprintf(fp, sizeof(fp), "%016" PRIx64, fingerprint(ls));
        if (strcmp(fp, json_string_value(json_object_get(a, "fingerprint"))) != 0) {
            printf("not ok fingerprint %s != %s\n", fp,
                   json_string_value(json_object_get(a, "fingerprint")));
            bad++;
        }
        inhibitor_put(ih, fingerprint(ls), ls, ends);
        labels_free(ls);
    }
    for (i = 0; i < json_array_size(alerts); i++) {
        json_t *a = json_array_get(alerts, i);
        json_t *by = json_object_get(json_object_get(a, "status"), "inhibitedBy");
        struct labels *ls = labels_of(json_object_get(a, "labels"));
        uint64_t src = 0;
        bool muted = inhibitor_mutes(ih, ls, now, &src);
        char fp[32] = "";
        if (muted)
            snprintf(fp, sizeof(fp), "%016" PRIx64, src);
        if (muted != (json_array_size(by) > 0) ||
            (muted && strcmp(fp, json_string_value(json_array_get(by, 0))) != 0)) {
            printf("not ok %s: inhibited by \"%s\", Alertmanager says %zu source(s)\n",
                   json_string_value(json_object_get(a, "fingerprint")), fp, json_array_size(by));
            bad++;
        } else {
            printf("ok %s\n", json_string_value(json_object_get(a, "fingerprint")));
        }
        labels_free(ls);
    }
    inhibitor_free(ih);
    json_decref(alerts);
    config_free(cfg);
    return bad ? 1 : 0;
}
