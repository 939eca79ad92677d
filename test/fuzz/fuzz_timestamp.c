/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzz target: RFC 3339 / Unix-float timestamp parsing and formatting. */
#include <stdint.h>
#include <stdlib.h>

#include "common/err.h"
#include "common/timeutil.h"
#include "common/xalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = xstrndup((const char *)data, size);
    int64_t ms = 0, ns = 0, back = 0;
    char out[64];
    if (timestamp_parse(s, &ms, NULL) == 0 && ms > -62135596800000LL && ms < 253402300799000LL) {
        timestamp_format(ms, TS_MILLI, out, sizeof(out));
        if (timestamp_parse(out, &back, NULL) != 0 || back != ms)
            abort();
    }
    if (timestamp_parse_rfc3339_ns(s, &ns, NULL) == 0)
        timestamp_format_ns(ns, out, sizeof(out));
    xfree(s);
    return 0;
}
