/* SPDX-License-Identifier: Apache-2.0 */
/* Prometheus HTTP API JSON encoding and parameter parsing. */
#include "evaluator/api/promjson.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/fmtfloat.h"
#include "common/labels.h"
#include "common/timeutil.h"
#include "evaluator/promql/value.h"

int promjson_error_status(const char *t)
{
    if (strcmp(t, PROMAPI_BAD_DATA) == 0)
        return 400;
    if (strcmp(t, PROMAPI_EXECUTION) == 0)
        return 422;
    if (strcmp(t, PROMAPI_TIMEOUT) == 0 || strcmp(t, PROMAPI_CANCELED) == 0 ||
        strcmp(t, PROMAPI_UNAVAILABLE) == 0)
        return 503;
    if (strcmp(t, PROMAPI_NOT_FOUND) == 0)
        return 404;
    return 500;
}

void promjson_value(double v, struct buf *out)
{
    char tmp[400];
    double a = fabs(v);
    enum fmtfloat_style st = (a != 0 && (a < 1e-6 || a >= 1e21)) ? FMTFLOAT_E : FMTFLOAT_F;
    buf_putc(out, '"');
    buf_puts(out, fmtfloat(v, st, tmp, sizeof(tmp)));
    buf_putc(out, '"');
}

void promjson_time(int64_t ms, struct buf *out)
{
    uint64_t u;
    if (ms < 0) {
        buf_putc(out, '-');
        u = (uint64_t)(-(ms + 1)) + 1;
    } else {
        u = (uint64_t)ms;
    }
    buf_printf(out, "%llu", (unsigned long long)(u / 1000));
    if (u % 1000 != 0)
        buf_printf(out, ".%03u", (unsigned)(u % 1000));
}

void promjson_labels(const struct labels *ls, struct buf *out)
{
    buf_putc(out, '{');
    for (size_t i = 0; i < ls->n; i++) {
        if (i)
            buf_putc(out, ',');
        buf_put_json_string(out, ls->v[i].name, strlen(ls->v[i].name));
        buf_putc(out, ':');
        buf_put_json_string(out, ls->v[i].value, strlen(ls->v[i].value));
    }
    buf_putc(out, '}');
}

static void point(int64_t t, double v, struct buf *out)
{
    buf_putc(out, '[');
    promjson_time(t, out);
    buf_putc(out, ',');
    promjson_value(v, out);
    buf_putc(out, ']');
}

static void string_list(const char *key, char **v, size_t n, struct buf *out)
{
    if (n == 0)
        return;
    buf_printf(out, ",\"%s\":[", key);
    for (size_t i = 0; i < n; i++) {
        if (i)
            buf_putc(out, ',');
        buf_put_json_string(out, v[i], strlen(v[i]));
    }
    buf_putc(out, ']');
}

void promjson_query_result(const struct promql_result *r, struct buf *out)
{
    const struct promql_value *v = &r->value;
    buf_puts(out, "{\"status\":\"success\",\"data\":{\"resultType\":");
    switch (v->type) {
    case PROMQL_VAL_SCALAR:
        buf_puts(out, "\"scalar\",\"result\":");
        point(v->t, v->f, out);
        break;
    case PROMQL_VAL_STRING:
        buf_puts(out, "\"string\",\"result\":[");
        promjson_time(v->t, out);
        buf_putc(out, ',');
        buf_put_json_string(out, v->str ? v->str : "", v->str ? strlen(v->str) : 0);
        buf_putc(out, ']');
        break;
    case PROMQL_VAL_MATRIX:
        buf_puts(out, "\"matrix\",\"result\":[");
        for (size_t i = 0; i < v->mat.n; i++) {
            const struct promql_series *s = &v->mat.s[i];
            if (i)
                buf_putc(out, ',');
            buf_puts(out, "{\"metric\":");
            promjson_labels(s->labels, out);
            buf_puts(out, ",\"values\":[");
            for (size_t j = 0; j < s->n; j++) {
                if (j)
                    buf_putc(out, ',');
                point(s->p[j].t, s->p[j].v, out);
            }
            buf_puts(out, "]}");
        }
        buf_putc(out, ']');
        break;
    case PROMQL_VAL_VECTOR:
    default:
        buf_puts(out, "\"vector\",\"result\":[");
        for (size_t i = 0; v->type == PROMQL_VAL_VECTOR && i < v->vec.n; i++) {
            const struct promql_sample *s = &v->vec.s[i];
            if (i)
                buf_putc(out, ',');
            buf_puts(out, "{\"metric\":");
            promjson_labels(s->labels, out);
            buf_puts(out, ",\"value\":");
            point(s->t, s->v, out);
            buf_putc(out, '}');
        }
        buf_putc(out, ']');
        break;
    }
    buf_putc(out, '}');
    string_list("warnings", r->notes.warn, r->notes.nwarn, out);
    string_list("infos", r->notes.info, r->notes.ninfo, out);
    buf_putc(out, '}');
}

void promjson_error(const char *error_type, const char *msg, struct buf *out)
{
    buf_puts(out, "{\"status\":\"error\",\"errorType\":");
    buf_put_json_string(out, error_type, strlen(error_type));
    buf_puts(out, ",\"error\":");
    buf_put_json_string(out, msg, strlen(msg));
    buf_putc(out, '}');
}

void promjson_success_raw(const char *data_json, struct buf *out)
{
    buf_puts(out, "{\"status\":\"success\",\"data\":");
    buf_puts(out, data_json);
    buf_putc(out, '}');
}

int promapi_parse_time(const char *param, const char *s, int64_t *ms, struct err *e)
{
    /* Prometheus also accepts its own min/max time strings, as Grafana sends them */
    if (strcmp(s, "-292273086-05-16T16:47:06Z") == 0 || strcmp(s, "-9223372036854775808") == 0) {
        *ms = INT64_MIN / 2;
        return 0;
    }
    if (strcmp(s, "292277025-08-18T07:12:54.999999999Z") == 0 ||
        strcmp(s, "9223372036854775807") == 0) {
        *ms = INT64_MAX / 2;
        return 0;
    }
    if (timestamp_parse(s, ms, NULL) != 0)
        return err_set(e, ERR_INVALID,
                       "invalid parameter \"%s\": cannot parse \"%s\" to a valid timestamp", param,
                       s);
    return 0;
}

int promapi_parse_duration(const char *param, const char *s, int64_t *ms, struct err *e)
{
    char *end = NULL;
    double f;
    errno = 0;
    f = strtod(s, &end);
    if (end != s && *end == '\0' && errno == 0) {
        double v = f * 1000.0;
        if (!isfinite(v) || v > 9.2e18 || v < -9.2e18)
            return err_set(e, ERR_INVALID,
                           "invalid parameter \"%s\": cannot parse \"%s\" to a valid duration. It "
                           "overflows int64",
                           param, s);
        *ms = (int64_t)llround(v);
        return 0;
    }
    if (duration_parse(s, ms, NULL) != 0)
        return err_set(e, ERR_INVALID,
                       "invalid parameter \"%s\": cannot parse \"%s\" to a valid duration", param,
                       s);
    return 0;
}
