/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target: arbitrary bytes as the only WAL segment of a storage dir; opening the window must
 * replay what is valid, truncate the rest, and never crash. Also runs the in-memory reader.
 * Inputs starting with 'C' are a checkpoint body instead: the harness adds the magic and a valid
 * checksum, so the series and chunk decoders see the bytes.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/log.h"
#include "common/xalloc.h"
#include "evaluator/tsdb/tsdb.h"
#include "evaluator/tsdb/wal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int nop_cb(void *ctx, uint8_t type, const uint8_t *p, size_t n)
{
    (void)ctx;
    (void)p;
    return type == 1 && n == 0 ? -1 : 0;
}

static void rm(const char *dir)
{
    char *p = xasprintf("%s/wal/00000001", dir);
    unlink(p);
    xfree(p);
    p = xasprintf("%s/wal/00000002", dir);
    unlink(p);
    xfree(p);
    p = xasprintf("%s/checkpoint.00000001", dir);
    unlink(p);
    xfree(p);
    p = xasprintf("%s/wal", dir);
    rmdir(p);
    xfree(p);
    rmdir(dir);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char tmpl[] = "/tmp/tocsin-fuzz-wal-XXXXXX";
    char *wal, *seg;
    struct wal_read_result res;
    struct tsdb_options o;
    struct tsdb *db = NULL;
    struct promql_series_set set;
    FILE *f;
    static int quiet;
    if (!quiet) {
        log_setup(LOG_ERROR, LOG_FMT_LOGFMT, NULL);
        quiet = 1;
    }
    wal_read_buffer(data, size, nop_cb, NULL, &res);
    if (res.valid > size)
        abort();
    if (mkdtemp(tmpl) == NULL)
        return 0;
    wal = xasprintf("%s/wal", tmpl);
    seg = xasprintf("%s/wal/00000001", tmpl);
    mkdir(wal, 0755);
    if (size > 0 && data[0] == 'C') {
        char *ck = xasprintf("%s/checkpoint.00000001", tmpl);
        uint32_t crc = crc32c(crc32c(0, "TSDBCKP1", 8), data + 1, size - 1);
        uint8_t trailer[4] = {(uint8_t)crc, (uint8_t)(crc >> 8), (uint8_t)(crc >> 16),
                              (uint8_t)(crc >> 24)};
        f = fopen(ck, "wb");
        if (f != NULL) {
            fwrite("TSDBCKP1", 1, 8, f);
            fwrite(data + 1, 1, size - 1, f);
            fwrite(trailer, 1, 4, f);
            fclose(f);
        }
        xfree(ck);
    } else {
        f = fopen(seg, "wb");
        if (f != NULL) {
            fwrite(data, 1, size, f);
            fclose(f);
        }
    }
    tsdb_options_default(&o);
    o.dir = tmpl;
    o.background = false;
    o.retention_ms = 0;
    if (tsdb_open(&o, &db, NULL) == 0) {
        promql_series_set_init(&set);
        tsdb_select(db, NULL, 0, INT64_MIN, INT64_MAX, &set, NULL);
        promql_series_set_fini(&set);
        tsdb_close(db);
    }
    rm(tmpl);
    xfree(wal);
    xfree(seg);
    return 0;
}
