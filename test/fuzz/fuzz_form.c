/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzz target: query-string / form-body decoding (httpd_params_parse, httpd_url_decode). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/httpd_form.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct httpd_params p;
    struct err e;
    char *out = NULL;
    size_t outlen = 0;
    httpd_params_init(&p);
    if (httpd_params_parse(&p, (const char *)data, size, &e) == 0) {
        /* every decoded pair came from a non-empty '&'-separated segment */
        size_t segs = 0;
        for (size_t i = 0; i < size; i++)
            if (data[i] == '&')
                segs++;
        if (p.n > segs + 1)
            abort();
        for (size_t i = 0; i < p.n; i++)
            if (p.v[i].key == NULL || p.v[i].value == NULL ||
                httpd_params_get(&p, p.v[i].key) == NULL)
                abort();
    }
    httpd_params_fini(&p);
    if (httpd_url_decode((const char *)data, size, false, &out, &outlen) == 0) {
        /* decoding never grows the input */
        if (outlen > size || out[outlen] != '\0')
            abort();
        free(out);
    } else if (out != NULL) {
        abort();
    }
    return 0;
}
