/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzz target: Alertmanager matcher parsers (classic, UTF-8, fallback) and formatting. */
#include <stdint.h>
#include <stdlib.h>

#include "common/amatcher.h"
#include "common/buf.h"
#include "common/labels.h"
#include "common/xalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void exercise(const struct matchers *ms, const struct labels *ls)
{
    struct buf b;
    struct matchers copy = {0};
    buf_init(&b, 0);
    (void)matchers_match(ms, ls);
    amatchers_copy(&copy, ms);
    amatchers_sort(&copy);
    (void)amatchers_format(&copy, &b);
    matchers_fini(&copy);
    buf_fini(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = xstrndup((const char *)data, size);
    struct matchers ms = {0};
    struct label items[] = {{"a", "b"}, {"job", "x\ny"}};
    struct labels *ls = labels_new(items, 2);
    if (amatchers_parse_classic(s, &ms, NULL) == 0)
        exercise(&ms, ls);
    matchers_fini(&ms);
    if (amatchers_parse_utf8(s, &ms, NULL) == 0)
        exercise(&ms, ls);
    matchers_fini(&ms);
    if (amatchers_parse(s, &ms, NULL) == 0)
        exercise(&ms, ls);
    matchers_fini(&ms);
    labels_free(ls);
    xfree(s);
    return 0;
}
