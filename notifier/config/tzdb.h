/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Time zones from the system TZif database (/usr/share/zoneinfo or $ZONEINFO), parsed by us so
 * that converting an instant to local time needs no process-wide TZ switch: transitions from the
 * 64-bit section, and the POSIX TZ footer rule for instants after the last transition.
 */
#ifndef TOCSIN_NOTIFIER_TZDB_H
#define TOCSIN_NOTIFIER_TZDB_H

#include <stdint.h>

struct err;
struct tz;

/*
 * Loads zone name ("Europe/Berlin", "UTC"; "Local" reads /etc/localtime). Zones are cached for
 * the life of the process and immutable, so *out stays valid and may be shared across threads.
 * ERR_NOTFOUND for an unknown zone, ERR_CORRUPT for a malformed file. Thread-safe.
 */
int tz_load(const char *name, const struct tz **out, struct err *e);

/* Offset east of UTC in seconds in effect at Unix time t. Thread-safe. */
int32_t tz_offset(const struct tz *z, int64_t t);

/* Parses a POSIX TZ rule string ("EST5EDT,M3.2.0,M11.1.0") into a zone (for tests; cached). */
int tz_from_posix(const char *rule, const struct tz **out, struct err *e);

#endif
