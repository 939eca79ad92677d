/* SPDX-License-Identifier: Apache-2.0 */
/* Helpers shared by the integrations: HTTP outcome classification and receiver-name quoting. */
#define _XOPEN_SOURCE 700 /* strptime */
#include "notifier/receivers/receiver.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/buf.h"

void am_integration_free(struct am_integration *it)
{
    if (it && it->free)
        it->free(it);
}

/* Retry-After: delta seconds or an IMF-fixdate; returns ns to wait or 0. */
static int64_t parse_retry_after(const char *v, int64_t now)
{
    char *end = NULL;
    long long secs;
    struct tm tm;
    if (!v)
        return 0;
    while (*v == ' ')
        v++;
    secs = strtoll(v, &end, 10);
    if (end != v && *end == '\0')
        return secs > 0 ? (int64_t)(secs > 86400 ? 86400 : secs) * 1000000000LL : 0;
    memset(&tm, 0, sizeof(tm));
    end = strptime(v, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    if (end && *end == '\0') {
        int64_t at = (int64_t)timegm(&tm) * 1000000000LL;
        if (at > now)
            return at - now > 86400LL * 1000000000LL ? 86400LL * 1000000000LL : at - now;
    }
    return 0;
}

void am_notify_result_from_http(const struct receiver_response *r, const char *kind, int64_t now,
                                struct am_notify_result *out)
{
    memset(out, 0, sizeof(*out));
    out->status = r->status;
    if (r->status >= 200 && r->status < 300) {
        out->outcome = AM_NOTIFY_OK;
        return;
    }
    if (r->status == 0) {
        out->outcome = AM_NOTIFY_RETRY;
        snprintf(out->msg, sizeof(out->msg), "%s: %s", kind, r->error ? r->error : "no response");
        return;
    }
    snprintf(out->msg, sizeof(out->msg), "%s: unexpected status code %d", kind, r->status);
    if (r->status >= 500 && r->status < 600) {
        out->outcome = AM_NOTIFY_RETRY;
    } else if (r->status == 429) {
        out->outcome = AM_NOTIFY_RETRY;
        out->retry_after_ns = parse_retry_after(r->retry_after, now);
    } else {
        out->outcome = AM_NOTIFY_FAIL;
    }
}

int am_regexp_quote_meta(struct buf *b, const char *s)
{
    int rc = 0;
    for (; rc == 0 && *s; s++) {
        if (strchr("\\.+*?()|[]{}^$", *s))
            rc = buf_putc(b, '\\');
        if (rc == 0)
            rc = buf_putc(b, *s);
    }
    return rc;
}
