/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzz target: the API v2 silence JSON decoder, validation and the encoder round trip. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/xalloc.h"
#include "notifier/silence/silence.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct silence *s = NULL, *back = NULL;
    struct err e;
    if (silence_parse_json((const char *)data, size, &s, &e) == 0) {
        char *txt;
        (void)silence_validate(s, &e);
        txt = silence_format_json(s, 1795433816000LL);
        /* what we print must parse again */
        if (silence_parse_json(txt, strlen(txt), &back, &e) != 0)
            abort();
        silence_free(back);
        xfree(txt);
    }
    silence_free(s);
    return 0;
}
