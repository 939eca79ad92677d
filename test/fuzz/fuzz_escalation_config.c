/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzz target: notifier config with the escalation extension → policies, schedules and users →
 * who is on call at a few instants → free. */
#include <stdint.h>
#include <stdlib.h>

#include "notifier/config/config.h"
#include "notifier/escalation/policy.h"
#include "notifier/schedule/schedule.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct am_config *c = NULL;
    struct esc_config *ec = NULL;
    static const int64_t instants[] = {0, 1767225600, 1774746000, 1798761600, -86400};
    if (size > (1u << 20))
        return 0;
    if (config_parse((const char *)data, size, "fuzz.yml", &c, NULL) != 0)
        return 0;
    if (esc_config_parse(c, &ec, NULL) == 0) {
        for (size_t i = 0; i < ec->dir->nschedules; i++)
            for (size_t k = 0; k < sizeof(instants) / sizeof(instants[0]); k++) {
                (void)oncall_who(&ec->dir->schedules[i], ONCALL_PRIMARY, instants[k]);
                (void)oncall_who(&ec->dir->schedules[i], ONCALL_SECONDARY, instants[k]);
            }
        esc_config_free(ec);
    }
    config_free(c);
    return 0;
}
