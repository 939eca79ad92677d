/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzz target: arbitrary bytes as a rule file -> parse and validate -> build groups -> free. */
#include <stdint.h>
#include <stdlib.h>

#include "common/err.h"
#include "evaluator/rules/group.h"
#include "evaluator/rules/rulefile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct rule_file *f = NULL;
    struct rule_errors errs;
    struct err e;
    struct rule_group_opts o = {0};
    rule_errors_init(&errs);
    err_clear(&e);
    o.default_interval_ms = 60000;
    if (rule_file_parse((const char *)data, size, "fuzz.yml", NULL, &f, &errs, &e) == 0) {
        for (size_t i = 0; i < f->ngroups; i++)
            rule_group_free(rule_group_new(&f->groups[i], &o));
        rule_file_free(f);
    }
    rule_errors_fini(&errs);
    return 0;
}
