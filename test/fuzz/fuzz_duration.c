/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzz target: Prometheus duration parsing and formatting round trip. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/timeutil.h"
#include "common/xalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = xstrndup((const char *)data, size);
    int64_t ms = 0, back = 0;
    char out[64];
    struct err e;
    if (duration_parse(s, &ms, &e) == 0) {
        duration_format(ms, out, sizeof(out));
        /* every duration we accept must format to a string we parse back to the same value */
        if (duration_parse(out, &back, NULL) != 0 || back != ms)
            abort();
    }
    (void)duration_parse_signed(s, &ms, NULL);
    xfree(s);
    return 0;
}
