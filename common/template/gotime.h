/* SPDX-License-Identifier: Apache-2.0 */
/* Go's time.Time.Format layouts ("2006-01-02 15:04:05.999999999 -0700 MST") and
 * time.Duration.String ("1h2m3.5s") for template values. */
#ifndef TOCSIN_COMMON_TEMPLATE_GOTIME_H
#define TOCSIN_COMMON_TEMPLATE_GOTIME_H

#include <stdint.h>

struct buf;

/*
 * Appends the time sec.nsec (since the epoch) in the fixed zone offset (seconds east of UTC)
 * named zone ("" prints a numeric zone for MST) formatted with a Go reference layout. Unknown
 * characters are copied. Returns 0 or ERR_TOOBIG.
 */
int gofmt_time(struct buf *out, const char *layout, int64_t sec, int32_t nsec, int32_t offset,
               const char *zone);

/* Appends ns formatted like Go's time.Duration.String: "0s", "1.5µs", "1h0m0s". */
int gofmt_duration(struct buf *out, int64_t ns);

#endif
