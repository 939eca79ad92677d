/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Alertmanager time intervals (times, weekdays, days_of_month, months, years, location): parsed
 * from YAML and evaluated for an instant in the interval's time zone.
 */
#ifndef TOCSIN_NOTIFIER_TIMEINTERVAL_H
#define TOCSIN_NOTIFIER_TIMEINTERVAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct err;
struct buf;
struct yamlx_node;
struct tz;

/* An inclusive range [begin, end]; for times, minutes of the day [begin, end). */
struct ti_range {
    int begin, end;
};

struct time_interval {
    struct ti_range *times; /* minutes since midnight, end exclusive */
    size_t ntimes;
    bool has_times;            /* `times:` given (an empty list then matches nothing, as in Go) */
    struct ti_range *weekdays; /* 0 = Sunday .. 6 = Saturday */
    size_t nweekdays;
    struct ti_range *days_of_month; /* -31..31, never 0; negative counts from the month end */
    size_t ndays;
    struct ti_range *months; /* 1..12 */
    size_t nmonths;
    struct ti_range *years;
    size_t nyears;
    char *location;        /* IANA name, "Local", or NULL for UTC */
    const struct tz *zone; /* loaded zone (process-wide cache), NULL for UTC */
    /* Source spellings kept for printing. */
    char **src_weekdays, **src_days, **src_months, **src_years;
};

/*
 * Parses one entry of a `time_intervals:` list (a map with times/weekdays/days_of_month/
 * months/years/location) into *out (zeroed by the call). Errors are ERR_INVALID with the node
 * position and Alertmanager's messages. Free with time_interval_fini.
 */
int time_interval_parse(const struct yamlx_node *n, struct time_interval *out, struct err *e);
void time_interval_fini(struct time_interval *ti);

/*
 * True when the instant ms (Unix milliseconds) lies inside ti, evaluated in ti's location with
 * Alertmanager's rules (each present field must match; negative days count from the end of
 * the month and are clamped to it). Thread-safe (zones come from notifier/config/tzdb.h).
 */
bool time_interval_contains(const struct time_interval *ti, int64_t ms);
/* True when any of the n intervals contains ms. */
bool time_intervals_contain(const struct time_interval *v, size_t n, int64_t ms);

struct emit;
/* Emits ti as a YAML map at indent (see notifier/config/emit.h). */
void time_interval_print(const struct time_interval *ti, struct emit *em, int indent);

#endif
