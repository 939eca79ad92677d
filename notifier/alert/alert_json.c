/* SPDX-License-Identifier: Apache-2.0 */
/* Alert JSON: postableAlert decoding with Alertmanager's defaults and validation, gettableAlert
 * and alertGroup encoding, and the store's internal record. */
#include "notifier/alert/alert_json.h"

#include <jansson.h>
#include <string.h>
#include <strings.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/labels.h"
#include "common/xalloc.h"
#include "notifier/alert/alert.h"

/* The value of field name in obj the way Go's encoding/json finds struct fields: keys match
 * case-insensitively and a later key overrides an earlier one (jansson keeps document order). */
static json_t *field(const json_t *obj, const char *name)
{
    const char *k;
    json_t *v, *found = NULL;
    json_object_foreach((json_t *)obj, k, v)
    {
        if (strcasecmp(k, name) == 0)
            found = v;
    }
    return found;
}

#define PFX "parsing alerts body from \"\" failed, because "

static const char *json_type_go(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return "object";
    case JSON_ARRAY:
        return "array";
    case JSON_STRING:
        return "string";
    case JSON_INTEGER:
    case JSON_REAL:
        return "number";
    case JSON_TRUE:
    case JSON_FALSE:
        return "bool";
    default:
        return "null";
    }
}

/* Reads a {string: string} object into a label set, keeping empty values out. */
static int decode_kv(const json_t *obj, const char *field, struct labels **out, struct err *e)
{
    /* go-swagger: labels live in the embedded models.Alert, annotations in PostableAlert */
    bool is_labels = strcmp(field, "labels") == 0;
    const char *owner = is_labels ? "Alert" : "PostableAlert";
    struct label *items = NULL;
    size_t n = 0;
    const char *k;
    json_t *v;
    int rc = 0;
    *out = NULL;
    if (obj == NULL || json_is_null(obj)) {
        *out = labels_empty();
        return 0;
    }
    if (!json_is_object(obj))
        return err_set(e, ERR_INVALID,
                       "%sjson: cannot unmarshal %s into Go struct field %s.%s of type "
                       "models.LabelSet",
                       PFX, json_type_go(obj), owner, field);
    items = xcalloc(json_object_size(obj) + 1, sizeof(*items));
    json_object_foreach((json_t *)obj, k, v)
    {
        if (!json_is_null(v) && !json_is_string(v)) {
            rc = err_set(e, ERR_INVALID,
                         "%sjson: cannot unmarshal %s into Go struct field %s.%s of type string",
                         PFX, json_type_go(v), owner, field);
            goto out;
        }
        /* null leaves Go's string empty */
        items[n].name = k;
        items[n++].value = json_is_string(v) ? json_string_value(v) : "";
    }
    /* labels: removeEmptyLabels; annotations keep empty values */
    *out = is_labels ? labels_new(items, n) : am_kv_new(items, n);
out:
    xfree(items);
    return rc;
}

static bool digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
    }
    return true;
}

/*
 * Rewrites the extra layouts go-openapi strfmt.DateTime accepts into RFC 3339 (out, n bytes):
 * "2006-01-02 15:04:05" and "2006-01-02T15:04:05" (no zone: UTC, any fraction),
 * "2006-01-02T15:04Z" / "2006-01-02T15:04", and ".000Z0700" / ".000000Z0700" offsets without a
 * colon. Returns false when s is none of these (then parse s as is).
 */
static bool strfmt_normalize(const char *s, char *out, size_t n)
{
    size_t len = strlen(s), end;
    if (len < 16 || len + 8 > n || !digits(s, 4) || s[4] != '-' || !digits(s + 5, 2) ||
        s[7] != '-' || !digits(s + 8, 2) || (s[10] != 'T' && s[10] != ' ') || !digits(s + 11, 2) ||
        s[13] != ':' || !digits(s + 14, 2))
        return false;
    if (len == 16 || (len == 17 && s[16] == 'Z')) { /* reduced precision */
        if (s[10] != 'T')
            return false;
        snprintf(out, n, "%.16s:00Z", s);
        return true;
    }
    if (len < 19 || s[16] != ':' || !digits(s + 17, 2))
        return false;
    end = 19;
    if (s[end] == '.' && end + 1 < len && digits(s + end + 1, 1)) {
        end++;
        while (end < len && digits(s + end, 1))
            end++;
    }
    if (end == len) { /* local time, no zone: UTC */
        snprintf(out, n, "%.10sT%sZ", s, s + 11);
        return true;
    }
    if (s[10] == 'T' && end > 19 && (end - 20 == 3 || end - 20 == 6) && len - end == 5 &&
        (s[end] == '+' || s[end] == '-') && digits(s + end + 1, 4)) {
        snprintf(out, n, "%.*s%.3s:%s", (int)end, s, s + end, s + end + 3);
        return true;
    }
    return false;
}

/* Go's error for the last layout strfmt tries, "2006-01-02 15:04:05": where the value stops
 * matching the layout ("cannot parse \"rest\" as \"elem\"") or what is left over. */
static void go_time_error(const char *v, struct err *e)
{
    static const struct {
        const char *elem;
        int digits; /* 0 = literal */
        bool fixed;
    } lay[] = {{"2006", 4, true}, {"-", 0, false}, {"01", 2, true},  {"-", 0, false},
               {"02", 2, true},   {" ", 0, false}, {"15", 2, false}, {":", 0, false},
               {"04", 2, true},   {":", 0, false}, {"05", 2, true}};
    const char *p = v;
    for (size_t i = 0; i < sizeof(lay) / sizeof(lay[0]); i++) {
        size_t k = 0;
        if (lay[i].digits == 0) {
            if (*p == lay[i].elem[0]) {
                p++;
                continue;
            }
        } else {
            while (k < (size_t)lay[i].digits && p[k] >= '0' && p[k] <= '9')
                k++;
            if (k == (size_t)lay[i].digits || (!lay[i].fixed && k >= 1)) {
                p += k;
                continue;
            }
        }
        err_set(e, ERR_INVALID,
                "%sparsing time \"%s\" as \"2006-01-02 15:04:05\": cannot parse \"%s\" as \"%s\"",
                PFX, v, p, lay[i].elem);
        return;
    }
    if (*p == '.' && p[1] >= '0' && p[1] <= '9') {
        p++;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    if (*p)
        err_set(e, ERR_INVALID, "%sparsing time \"%s\": extra text: \"%s\"", PFX, v, p);
    else
        err_set(e, ERR_INVALID, "%sparsing time \"%s\": value out of range", PFX, v);
}

static int decode_time(const json_t *v, const char *field, int64_t *ns, struct err *e)
{
    char norm[96];
    const char *s;
    *ns = 0;
    if (v == NULL || json_is_null(v))
        return 0;
    if (!json_is_string(v))
        return err_set(e, ERR_INVALID,
                       "%sjson: cannot unmarshal %s into Go struct field PostableAlert.%s of type "
                       "strfmt.DateTime",
                       PFX, json_type_go(v), field);
    s = json_string_value(v);
    if (am_time_parse(s, ns, NULL) == 0)
        return 0;
    if (strfmt_normalize(s, norm, sizeof(norm)) && am_time_parse(norm, ns, NULL) == 0)
        return 0;
    go_time_error(s, e);
    return ERR_INVALID;
}

/* First invalid name in ls ("invalid name \"x\"" / "invalid value \"y\""), or 0. */
static int validate_kv(const struct labels *ls, struct buf *msg)
{
    for (size_t i = 0; i < ls->n; i++) {
        const char *n = ls->v[i].name, *v = ls->v[i].value;
        if (!label_name_is_legacy(n, strlen(n))) {
            buf_puts(msg, "invalid name ");
            buf_put_quoted(msg, n, strlen(n));
            return ERR_INVALID;
        }
        if (!utf8_valid(v, strlen(v))) {
            buf_puts(msg, "invalid value ");
            buf_put_quoted(msg, v, strlen(v));
            return ERR_INVALID;
        }
    }
    return 0;
}

/* model.Alert.Validate after defaults: appends the message to msg and returns ERR_INVALID. */
static int validate_alert(const struct am_alert *a, struct buf *msg)
{
    if (a->ends_at != 0 && a->ends_at < a->starts_at) {
        buf_puts(msg, "start time must be before end time");
        return ERR_INVALID;
    }
    if (a->labels->n > 0) {
        struct buf tmp;
        buf_init(&tmp, 0);
        if (validate_kv(a->labels, &tmp) != 0) {
            buf_printf(msg, "invalid label set: %s", buf_str(&tmp));
            buf_fini(&tmp);
            return ERR_INVALID;
        }
        buf_fini(&tmp);
    }
    if (a->labels->n == 0) {
        buf_puts(msg, "at least one label pair required");
        return ERR_INVALID;
    }
    {
        struct buf tmp;
        buf_init(&tmp, 0);
        if (validate_kv(a->annotations, &tmp) != 0) {
            buf_printf(msg, "invalid annotations: %s", buf_str(&tmp));
            buf_fini(&tmp);
            return ERR_INVALID;
        }
        buf_fini(&tmp);
    }
    return 0;
}

void am_postable_result_fini(struct am_postable_result *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n; i++)
        am_alert_free(r->alerts[i]);
    xfree(r->alerts);
    xfree(r->errors);
    memset(r, 0, sizeof(*r));
}

int am_alerts_decode_postable(const char *body, size_t len, int64_t now, int64_t resolve_timeout,
                              struct am_postable_result *out, int *http_status, struct err *e)
{
    int rc = ERR_INVALID;
    json_t *root = NULL;
    json_error_t jerr;
    struct am_alert **parsed = NULL;
    size_t n = 0;
    struct buf errs;
    memset(out, 0, sizeof(*out));
    *http_status = 400;
    buf_init(&errs, 1 << 20);
    root = json_loadb(body, len, JSON_DECODE_ANY, &jerr);
    if (!root) {
        /* Go's texts for the two common cases; others keep jansson's wording */
        if ((size_t)jerr.position >= len)
            rc = err_set(e, ERR_INVALID, "%sunexpected EOF", PFX);
        else if (strstr(jerr.text, "invalid token") || strstr(jerr.text, "unexpected token"))
            rc = err_set(e, ERR_INVALID, "%sinvalid character '%c' looking for beginning of value",
                         PFX, body[jerr.position > 0 ? jerr.position - 1 : 0]);
        else
            rc = err_set(e, ERR_INVALID, "%s%s", PFX, jerr.text);
        goto out;
    }
    if (json_is_null(root)) { /* Go decodes null into an empty slice: nothing to do, 200 */
        rc = 0;
        goto out;
    }
    if (!json_is_array(root)) {
        rc = err_set(e, ERR_INVALID,
                     "%sjson: cannot unmarshal %s into Go value of type models.PostableAlerts", PFX,
                     json_type_go(root));
        goto out;
    }
    n = json_array_size(root);
    parsed = xcalloc(n ? n : 1, sizeof(*parsed));
    /* First pass: shape and types, as Go's unmarshal + swagger validation do for the whole body
     * before any alert is looked at. */
    for (size_t i = 0; i < n; i++) {
        json_t *it = json_array_get(root, i), *gu;
        struct labels *ls = NULL, *an = NULL;
        int64_t st = 0, en = 0;
        if (!json_is_object(it)) {
            rc = err_set(e, ERR_INVALID,
                         "%sjson: cannot unmarshal %s into Go value of type models.PostableAlert",
                         PFX, json_type_go(it));
            goto out;
        }
        if ((rc = decode_kv(field(it, "labels"), "labels", &ls, e)) != 0 ||
            (rc = decode_kv(field(it, "annotations"), "annotations", &an, e)) != 0 ||
            (rc = decode_time(field(it, "startsAt"), "startsAt", &st, e)) != 0 ||
            (rc = decode_time(field(it, "endsAt"), "endsAt", &en, e)) != 0) {
            labels_free(ls);
            labels_free(an);
            goto out;
        }
        gu = field(it, "generatorURL");
        if (gu && !json_is_null(gu) && !json_is_string(gu)) {
            labels_free(ls);
            labels_free(an);
            rc = err_set(e, ERR_INVALID,
                         "%sjson: cannot unmarshal %s into Go struct field Alert.generatorURL of "
                         "type string",
                         PFX, json_type_go(gu));
            goto out;
        }
        parsed[i] = am_alert_new(ls, an, json_is_string(gu) ? json_string_value(gu) : "");
        parsed[i]->starts_at = st;
        parsed[i]->ends_at = en;
    }
    for (size_t i = 0; i < n; i++) {
        json_t *lv = field(json_array_get(root, i), "labels");
        if (lv == NULL || json_is_null(lv)) {
            *http_status = 422;
            rc = err_set(e, ERR_INVALID, "%zu.labels in body is required", i);
            goto out;
        }
    }
    out->alerts = xcalloc(n ? n : 1, sizeof(*out->alerts));
    for (size_t i = 0; i < n; i++) {
        struct am_alert *a = parsed[i];
        a->updated_at = now;
        if (a->starts_at == 0)
            a->starts_at = a->ends_at != 0 ? a->ends_at : now;
        if (a->ends_at == 0) {
            a->timeout = true;
            a->ends_at = now + resolve_timeout;
        }
        if (validate_alert(a, &errs) != 0) {
            buf_puts(&errs, "; ");
            out->n_invalid++;
            am_alert_free(a);
        } else {
            out->alerts[out->n++] = a;
        }
        parsed[i] = NULL;
    }
    if (out->n_invalid > 0) {
        errs.len -= 2; /* trailing "; " */
        errs.data[errs.len] = '\0';
        out->errors = buf_steal(&errs, NULL);
    }
    rc = 0;
out:
    if (rc != 0)
        am_postable_result_fini(out);
    for (size_t i = 0; parsed && i < n; i++)
        am_alert_free(parsed[i]);
    xfree(parsed);
    buf_fini(&errs);
    json_decref(root);
    return rc;
}

const char *am_alert_state_name(enum am_alert_state s)
{
    switch (s) {
    case AM_STATE_ACTIVE:
        return "active";
    case AM_STATE_SUPPRESSED:
        return "suppressed";
    default:
        return "unprocessed";
    }
}

/* Appends a string literal without strlen. */
#define PUT_LIT(b, lit) buf_append((b), (lit), sizeof(lit) - 1)

/* am_json_put_string with html=false, with a fast path for the common case: a string of
 * printable ASCII without '"' or '\\' is copied as is; anything else takes the full encoder. */
static int put_json_str(struct buf *b, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    int rc;
    for (size_t i = 0; i < n; i++) {
        if (p[i] < 0x20 || p[i] >= 0x80 || p[i] == '"' || p[i] == '\\')
            return am_json_put_string(b, s, n, false);
    }
    if ((rc = buf_reserve(b, n + 2)) != 0)
        return rc;
    b->data[b->len] = '"';
    memcpy(b->data + b->len + 1, s, n);
    b->data[b->len + 1 + n] = '"';
    b->len += n + 2;
    b->data[b->len] = '\0';
    return 0;
}

static int put_json_labels(struct buf *b, const struct labels *ls)
{
    int rc = buf_putc(b, '{');
    for (size_t i = 0; rc == 0 && i < ls->n; i++) {
        if (i > 0)
            rc = buf_putc(b, ',');
        rc = rc ? rc : put_json_str(b, ls->v[i].name, strlen(ls->v[i].name));
        rc = rc ? rc : buf_putc(b, ':');
        rc = rc ? rc : put_json_str(b, ls->v[i].value, strlen(ls->v[i].value));
    }
    return rc ? rc : buf_putc(b, '}');
}

static int put_str_array(struct buf *b, const char *const *v, size_t n)
{
    int rc = buf_putc(b, '[');
    for (size_t i = 0; rc == 0 && i < n; i++) {
        if (i > 0)
            rc = buf_putc(b, ',');
        if (rc == 0)
            rc = put_json_str(b, v[i], strlen(v[i]));
    }
    return rc ? rc : buf_putc(b, ']');
}

static void put_digits(char *out, unsigned v, int width)
{
    for (int i = width - 1; i >= 0; i--) {
        out[i] = (char)('0' + v % 10);
        v /= 10;
    }
}

/* am_time_format_api without gmtime/strftime/snprintf for years 1000-9999 (days to civil date
 * after H. Hinnant's algorithm); other instants take am_time_format_api. out has 25 bytes. */
static const char *format_time_api(int64_t ns, char out[48])
{
    int64_t ms, secs, days, sod, z, era, doe, yoe, y, doy, mp, d, m;
    const int64_t lo = -30610224000LL, hi = 253402300800LL; /* 1000-01-01, 10000-01-01 */
    if (ns == 0)
        return am_time_format_api(ns, out, 48);
    ms = ns / AM_NS_PER_MS;
    if (ns < 0 && ns % AM_NS_PER_MS != 0)
        ms--;
    secs = ms / 1000;
    if (ms % 1000 < 0)
        secs--;
    if (secs < lo || secs >= hi)
        return am_time_format_api(ns, out, 48);
    days = secs / 86400;
    sod = secs % 86400;
    if (sod < 0) {
        sod += 86400;
        days--;
    }
    z = days + 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = z - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    y = yoe + era * 400;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    d = doy - (153 * mp + 2) / 5 + 1;
    m = mp < 10 ? mp + 3 : mp - 9;
    if (m <= 2)
        y++;
    put_digits(out, (unsigned)y, 4);
    out[4] = '-';
    put_digits(out + 5, (unsigned)m, 2);
    out[7] = '-';
    put_digits(out + 8, (unsigned)d, 2);
    out[10] = 'T';
    put_digits(out + 11, (unsigned)(sod / 3600), 2);
    out[13] = ':';
    put_digits(out + 14, (unsigned)(sod / 60 % 60), 2);
    out[16] = ':';
    put_digits(out + 17, (unsigned)(sod % 60), 2);
    out[19] = '.';
    put_digits(out + 20, (unsigned)(ms - secs * 1000), 3);
    out[23] = 'Z';
    out[24] = '\0';
    return out;
}

/* Appends pre, the quoted time, then nothing else. */
static int put_time(struct buf *b, const char *pre, int64_t ns)
{
    char t[48];
    int rc = buf_puts(b, pre);
    rc = rc ? rc : buf_putc(b, '"');
    rc = rc ? rc : buf_puts(b, format_time_api(ns, t));
    return rc ? rc : buf_putc(b, '"');
}

int am_alert_encode_gettable(struct buf *b, const struct am_alert *a, const char *const *receivers,
                             size_t n_receivers, const struct am_alert_status *st)
{
    static const char hex[] = "0123456789abcdef";
    char fp[17];
    int rc;
    for (int i = 0; i < 16; i++)
        fp[i] = hex[(a->fingerprint >> (60 - 4 * i)) & 0xf];
    fp[16] = '\0';
    rc = PUT_LIT(b, "{\"annotations\":");
    rc = rc ? rc : put_json_labels(b, a->annotations);
    rc = rc ? rc : put_time(b, ",\"endsAt\":", a->ends_at);
    rc = rc ? rc : PUT_LIT(b, ",\"fingerprint\":\"");
    rc = rc ? rc : buf_append(b, fp, 16);
    rc = rc ? rc : PUT_LIT(b, "\",\"receivers\":[");
    for (size_t i = 0; rc == 0 && i < n_receivers; i++) {
        rc = buf_puts(b, i ? ",{\"name\":" : "{\"name\":");
        rc = rc ? rc : put_json_str(b, receivers[i], strlen(receivers[i]));
        rc = rc ? rc : buf_putc(b, '}');
    }
    rc = rc ? rc : put_time(b, "],\"startsAt\":", a->starts_at);
    rc = rc ? rc : PUT_LIT(b, ",\"status\":{\"inhibitedBy\":");
    rc = rc ? rc : put_str_array(b, st->inhibited_by, st->n_inhibited);
    rc = rc ? rc : PUT_LIT(b, ",\"silencedBy\":");
    rc = rc ? rc : put_str_array(b, st->silenced_by, st->n_silenced);
    rc = rc ? rc : PUT_LIT(b, ",\"state\":\"");
    rc = rc ? rc : buf_puts(b, am_alert_state_name(st->state));
    rc = rc ? rc : put_time(b, "\"},\"updatedAt\":", a->updated_at);
    if (rc == 0 && a->generator_url[0] != '\0') {
        rc = PUT_LIT(b, ",\"generatorURL\":");
        rc = rc ? rc : put_json_str(b, a->generator_url, strlen(a->generator_url));
    }
    rc = rc ? rc : PUT_LIT(b, ",\"labels\":");
    rc = rc ? rc : put_json_labels(b, a->labels);
    return rc ? rc : buf_putc(b, '}');
}

int am_alert_group_encode(struct buf *b, const struct labels *group_labels, const char *receiver,
                          const struct am_alert *const *alerts,
                          const struct am_alert_status *statuses,
                          const char *const *const *receivers_per_alert,
                          const size_t *n_receivers_per_alert, size_t n)
{
    int rc = buf_puts(b, "{\"alerts\":[");
    for (size_t i = 0; rc == 0 && i < n; i++) {
        if (i > 0)
            rc = buf_putc(b, ',');
        rc = rc ? rc
                : am_alert_encode_gettable(b, alerts[i], receivers_per_alert[i],
                                           n_receivers_per_alert[i], &statuses[i]);
    }
    rc = rc ? rc : buf_puts(b, "],\"labels\":");
    rc = rc ? rc : put_json_labels(b, group_labels);
    rc = rc ? rc : buf_puts(b, ",\"receiver\":{\"name\":");
    rc = rc ? rc : put_json_str(b, receiver, strlen(receiver));
    return rc ? rc : buf_puts(b, "}}");
}

int am_alert_encode_record(struct buf *b, const struct am_alert *a)
{
    int rc = buf_puts(b, "{\"labels\":");
    rc = rc ? rc : am_json_put_labels(b, a->labels, false);
    rc = rc ? rc : buf_puts(b, ",\"annotations\":");
    rc = rc ? rc : am_json_put_labels(b, a->annotations, false);
    rc = rc ? rc
            : buf_printf(b, ",\"startsAt\":%lld,\"endsAt\":%lld,\"updatedAt\":%lld,\"timeout\":%s",
                         (long long)a->starts_at, (long long)a->ends_at, (long long)a->updated_at,
                         a->timeout ? "true" : "false");
    rc = rc ? rc : buf_puts(b, ",\"generatorURL\":");
    rc = rc ? rc : am_json_put_string(b, a->generator_url, strlen(a->generator_url), false);
    return rc ? rc : buf_putc(b, '}');
}

int am_alert_decode_record(const char *data, size_t len, struct am_alert **out, struct err *e)
{
    int rc = ERR_CORRUPT;
    json_t *root = json_loadb(data, len, 0, NULL);
    json_t *st, *en, *up, *to, *gu;
    struct labels *ls = NULL, *an = NULL;
    *out = NULL;
    if (!root)
        goto bad;
    st = json_object_get(root, "startsAt");
    en = json_object_get(root, "endsAt");
    up = json_object_get(root, "updatedAt");
    to = json_object_get(root, "timeout");
    gu = json_object_get(root, "generatorURL");
    if (!json_is_integer(st) || !json_is_integer(en) || !json_is_integer(up) ||
        !json_is_boolean(to) || !json_is_string(gu))
        goto bad;
    if (decode_kv(json_object_get(root, "labels"), "labels", &ls, NULL) != 0 ||
        decode_kv(json_object_get(root, "annotations"), "annotations", &an, NULL) != 0 ||
        ls->n == 0)
        goto bad;
    *out = am_alert_new(ls, an, json_string_value(gu));
    ls = an = NULL;
    (*out)->starts_at = json_integer_value(st);
    (*out)->ends_at = json_integer_value(en);
    (*out)->updated_at = json_integer_value(up);
    (*out)->timeout = json_is_true(to);
    json_decref(root);
    return 0;
bad:
    labels_free(ls);
    labels_free(an);
    json_decref(root);
    return err_set(e, rc, "invalid alert record");
}
