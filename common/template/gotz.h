/* SPDX-License-Identifier: Apache-2.0 */
/* Time zone lookup for template `tz` (Go's time.LoadLocation + Time.In) from system TZif files. */
#ifndef TOCSIN_COMMON_TEMPLATE_GOTZ_H
#define TOCSIN_COMMON_TEMPLATE_GOTZ_H

#include <stddef.h>
#include <stdint.h>

struct err;

/*
 * Finds the UTC offset (seconds east) and abbreviation ("CET", "CEST") of zone name at the
 * instant unix_s. "UTC" and "" are UTC; "Local" reads /etc/localtime (UTC when absent); other
 * names are IANA names read from /usr/share/zoneinfo. Unknown or malformed zones fail with
 * ERR_INVALID "unknown time zone NAME". Reads a file on each call; thread-safe.
 */
int gotz_lookup(const char *name, int64_t unix_s, int32_t *offset, char *abbr, size_t abbr_size,
                struct err *e);

#endif
