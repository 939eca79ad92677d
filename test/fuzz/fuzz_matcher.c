/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzz target: label matcher list parsing ({a="b", c=~"re"}) and regex compilation. */
#include <stdint.h>
#include <stdlib.h>

#include "common/buf.h"
#include "common/labels.h"
#include "common/matcher.h"
#include "common/xalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = xstrndup((const char *)data, size);
    struct matchers ms;
    struct label items[] = {{"a", "b"}, {"job", "x\ny"}};
    struct labels *ls = labels_new(items, 2);
    if (matchers_parse(s, &ms, NULL) == 0) {
        struct buf b;
        buf_init(&b, 0);
        (void)matchers_match(&ms, ls);
        for (size_t i = 0; i < ms.n; i++)
            matcher_format(ms.v[i], &b);
        buf_fini(&b);
        matchers_fini(&ms);
    }
    labels_free(ls);
    xfree(s);
    return 0;
}
