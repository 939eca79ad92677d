/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzz target: POST /api/v2/alerts bodies -> decode -> gettable encode, webhook payload, store
 * record round trip -> free. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/labels.h"
#include "notifier/alert/alert.h"
#include "notifier/alert/alert_json.h"
#include "notifier/receivers/receiver.h"
#include "notifier/receivers/webhook.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct am_postable_result r;
    int status = 0;
    const int64_t now = 1795433913LL * AM_NS_PER_SEC;
    struct buf b;
    if (am_alerts_decode_postable((const char *)data, size, now, 300 * AM_NS_PER_SEC, &r, &status,
                                  NULL) != 0)
        return 0;
    if (r.n > 0) {
        const char *recv[] = {"default"};
        struct am_alert_status st = {AM_STATE_ACTIVE, NULL, 0, NULL, 0};
        struct am_notify_data d;
        struct labels *gl = labels_empty();
        buf_init(&b, 0);
        for (size_t i = 0; i < r.n; i++) {
            struct am_alert *back = NULL;
            if (am_alert_encode_gettable(&b, r.alerts[i], recv, 1, &st) != 0)
                abort();
            buf_reset(&b);
            if (am_alert_encode_record(&b, r.alerts[i]) != 0 ||
                am_alert_decode_record(b.data, b.len, &back, NULL) != 0 ||
                back->fingerprint != r.alerts[i]->fingerprint ||
                back->starts_at != r.alerts[i]->starts_at)
                abort();
            am_alert_free(back);
            buf_reset(&b);
        }
        memset(&d, 0, sizeof(d));
        d.receiver = "fuzz.receiver";
        d.group_key = "{}:{}";
        d.group_labels = gl;
        d.external_url = "http://127.0.0.1:9093";
        d.now = now;
        d.alerts = (const struct am_alert *const *)r.alerts;
        d.n = r.n;
        if (webhook_build_payload(&d, 2, &b) != 0)
            abort();
        buf_fini(&b);
        labels_free(gl);
    }
    am_postable_result_fini(&r);
    return 0;
}
