/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Alert templates, adapter to the template engine. Until common/template/ is merged, text
 * without "{{" passes through unchanged and anything with an action is reported as not
 * supported (an honest error, shown in the annotation as Prometheus shows expansion errors).
 */
#include "evaluator/rules/rtmpl.h"

#include <string.h>

#include "common/err.h"
#include "common/xalloc.h"

int rule_template_check(const char *alert_name, const char *text, struct err *e)
{
    (void)alert_name;
    (void)text;
    (void)e;
    return 0;
}

int rule_template_expand(const char *alert_name, const char *text, const struct rule_tmpl_data *d,
                         struct rule_tmpl_query *q, char **out, struct err *e)
{
    (void)d;
    (void)q;
    *out = NULL;
    if (strstr(text, "{{"))
        return err_set(e, ERR_UNSUPPORTED, "template: __alert_%s: templates not supported yet",
                       alert_name);
    *out = xstrdup(text);
    return 0;
}
