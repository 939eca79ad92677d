/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target: remote-write ingestion into a fresh in-memory window. The first input byte picks
 * the variant: bit 0 = Remote-Write 2.0, bit 1 = the rest is raw protobuf that the harness
 * snappy-compresses first (so mutations reach the protobuf decoder), bit 2 = tight limits.
 */
#include <snappy-c.h>
#include <stdint.h>
#include <stdlib.h>

#include "common/xalloc.h"
#include "evaluator/ingest/ingest.h"
#include "evaluator/tsdb/tsdb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct tsdb_options o;
    struct tsdb *db = NULL;
    struct ingest_limits lim;
    struct ingest_result res;
    struct promql_series_set set;
    struct tsdb_strings names;
    const char *ct;
    char *comp = NULL;
    const void *body;
    size_t len;
    uint8_t mode;
    if (size < 1)
        return 0;
    mode = data[0];
    data++;
    size--;
    tsdb_options_default(&o);
    o.background = false;
    o.retention_ms = 0; /* keep everything: fuzzed timestamps are arbitrary */
    if (tsdb_open(&o, &db, NULL) != 0)
        abort();
    ingest_limits_default(&lim);
    lim.max_decompressed_bytes = 1u << 20;
    if (mode & 4) {
        lim.max_labels_per_series = 3;
        lim.max_label_name_len = 8;
        lim.max_label_value_len = 8;
        lim.max_series = 2;
    }
    body = data;
    len = size;
    if (mode & 2) {
        len = snappy_max_compressed_length(size);
        comp = xmalloc(len ? len : 1);
        if (snappy_compress((const char *)data, size, comp, &len) != SNAPPY_OK)
            abort();
        body = comp;
    }
    ct = (mode & 1) ? "application/x-protobuf;proto=io.prometheus.write.v2.Request"
                    : "application/x-protobuf";
    ingest_write(db, ct, "snappy", body, len, &lim, &res);
    if (res.status != 204 && res.status != 400 && res.status != 413)
        abort();
    promql_series_set_init(&set);
    tsdb_select(db, NULL, 0, INT64_MIN, INT64_MAX, &set, NULL);
    promql_series_set_fini(&set);
    tsdb_label_names(db, NULL, 0, INT64_MIN, INT64_MAX, &names, NULL);
    tsdb_strings_fini(&names);
    tsdb_close(db);
    xfree(comp);
    return 0;
}
