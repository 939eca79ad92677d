/* SPDX-License-Identifier: Apache-2.0 */
/* jansson helpers. */
#include "common/jsonx.h"

#include "common/buf.h"
#include "common/err.h"

int jsonx_parse(const char *s, size_t n, json_t **out, struct err *e)
{
    json_error_t je;
    *out = json_loadb(s, n, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &je);
    if (*out == NULL)
        return err_setpos(e, ERR_PARSE, NULL, je.line > 0 ? je.line : 0,
                          je.column > 0 ? je.column : 0, "invalid JSON: %s", je.text);
    return 0;
}

static int dump_cb(const char *p, size_t n, void *data)
{
    return buf_append(data, p, n) == 0 ? 0 : -1;
}

int jsonx_dump(const json_t *j, struct buf *out)
{
    if (json_dump_callback(j, dump_cb, out, JSON_COMPACT | JSON_ENCODE_ANY) != 0)
        return ERR_TOOBIG;
    return 0;
}

json_t *jsonx_prom_success(json_t *data)
{
    json_t *o = json_object();
    json_object_set_new(o, "status", json_string("success"));
    json_object_set_new(o, "data", data ? data : json_null());
    return o;
}

json_t *jsonx_prom_error(const char *error_type, const char *msg)
{
    json_t *o = json_object();
    json_object_set_new(o, "status", json_string("error"));
    json_object_set_new(o, "errorType", json_string(error_type ? error_type : "internal"));
    /* json_string rejects invalid UTF-8; keep the reply well-formed whatever msg holds */
    json_t *m = json_string(msg ? msg : "");
    json_object_set_new(o, "error", m ? m : json_string("(error message is not valid UTF-8)"));
    return o;
}

const char *jsonx_get_string(const json_t *obj, const char *key)
{
    const json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;
    return json_is_string(v) ? json_string_value(v) : NULL;
}
