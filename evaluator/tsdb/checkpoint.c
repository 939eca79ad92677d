/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Checkpoints: a snapshot of every series and its chunks, written to a temp file, fsynced and
 * renamed to DIR/checkpoint.N where N is the last WAL segment it covers. Format:
 *   "TSDBCKP1" | uvarint next_id | uvarint nseries | series... | u32 CRC32C (LE) of all before
 *   series: uvarint id, uvarint nlabels, (str name, str value)..., uvarint nchunks,
 *           chunks: varint mint, varint maxt, uvarint n, uvarint nbits, data bytes
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/labels.h"
#include "common/log.h"
#include "common/xalloc.h"
#include "evaluator/tsdb/enc.h"
#include "evaluator/tsdb/tsdb_int.h"
#include "evaluator/tsdb/wal.h"

#define CKPT_MAGIC "TSDBCKP1"

char *tsdb_checkpoint_path(const char *dir, uint32_t seg)
{
    return xasprintf("%s/checkpoint.%08u", dir, seg);
}

struct snap {
    struct series *s;
    struct chunk **closed; /* borrowed: closed chunks are immutable and gc waits for us */
    uint32_t nclosed;
    struct chunk *head; /* owned copy */
};

static int cmp_snap(const void *a, const void *b)
{
    uint64_t x = ((const struct snap *)a)->s->id, y = ((const struct snap *)b)->s->id;
    return x < y ? -1 : x > y;
}

static struct chunk *chunk_copy(const struct chunk *c)
{
    size_t bytes = chunk_data_bytes(c);
    struct chunk *d = xmalloc(sizeof(*d) + (bytes ? bytes : 1));
    memcpy(d, c, sizeof(*d) + bytes);
    d->cap = (uint32_t)(bytes ? bytes : 1);
    return d;
}

static int encode_chunk(struct buf *b, const struct chunk *c)
{
    int rc = enc_varint(b, c->mint);
    rc = rc ? rc : enc_varint(b, c->maxt);
    rc = rc ? rc : enc_uvarint(b, c->n);
    rc = rc ? rc : enc_uvarint(b, c->nbits);
    return rc ? rc : buf_append(b, c->data, chunk_data_bytes(c));
}

static int write_all(FILE *f, const struct buf *b, uint32_t *crc)
{
    *crc = crc32c(*crc, b->data, b->len);
    return b->len == 0 || fwrite(b->data, 1, b->len, f) == b->len ? 0 : ERR_IO;
}

static int write_file(const char *tmp, const struct snap *v, size_t n, uint64_t next_id,
                      struct err *e)
{
    FILE *f = fopen(tmp, "wb");
    struct buf b;
    uint32_t crc = 0;
    uint8_t trailer[4];
    int rc = 0;
    if (f == NULL)
        return err_set(e, ERR_IO, "checkpoint: create %s: %s", tmp, strerror(errno));
    buf_init(&b, 0);
    buf_append(&b, CKPT_MAGIC, 8);
    enc_uvarint(&b, next_id);
    enc_uvarint(&b, n);
    for (size_t i = 0; i < n && rc == 0; i++) {
        const struct series *s = v[i].s;
        enc_uvarint(&b, s->id);
        enc_uvarint(&b, s->ls->n);
        for (size_t k = 0; k < s->ls->n; k++) {
            enc_str(&b, s->ls->v[k].name);
            enc_str(&b, s->ls->v[k].value);
        }
        enc_uvarint(&b, v[i].nclosed + 1u);
        for (uint32_t c = 0; c < v[i].nclosed; c++)
            encode_chunk(&b, v[i].closed[c]);
        encode_chunk(&b, v[i].head);
        if (b.len >= (1u << 20)) {
            rc = write_all(f, &b, &crc);
            buf_reset(&b);
        }
    }
    if (rc == 0)
        rc = write_all(f, &b, &crc);
    trailer[0] = (uint8_t)crc;
    trailer[1] = (uint8_t)(crc >> 8);
    trailer[2] = (uint8_t)(crc >> 16);
    trailer[3] = (uint8_t)(crc >> 24);
    if (rc == 0 && fwrite(trailer, 1, 4, f) != 4)
        rc = ERR_IO;
    if (rc == 0 && (fflush(f) != 0 || fsync(fileno(f)) != 0))
        rc = ERR_IO;
    if (fclose(f) != 0)
        rc = ERR_IO;
    buf_fini(&b);
    if (rc != 0)
        return err_set(e, ERR_IO, "checkpoint: write %s: %s", tmp, strerror(errno));
    return 0;
}

/* Deletes checkpoints older than seg and leftover temp files. */
static void delete_old(const char *dir, uint32_t seg)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    if (d == NULL)
        return;
    while ((de = readdir(d)) != NULL) {
        unsigned long n;
        char *end;
        if (strncmp(de->d_name, "checkpoint.", 11) != 0)
            continue;
        n = strtoul(de->d_name + 11, &end, 10);
        if ((*end == '\0' && n < seg) || strcmp(end, ".tmp") == 0) {
            char *path = xasprintf("%s/%s", dir, de->d_name);
            unlink(path);
            xfree(path);
        }
    }
    closedir(d);
}

int tsdb_checkpoint(struct tsdb *db, struct err *e)
{
    struct snap *v = NULL;
    size_t n = 0;
    uint32_t seg = 0;
    uint64_t next_id;
    char *path = NULL, *tmp = NULL;
    int rc = 0;
    if (db->wal == NULL)
        return err_set(e, ERR_INVALID, "checkpoint: no storage directory");
    pthread_mutex_lock(&db->ckpt_mu);
    pthread_mutex_lock(&db->append_mu);
    if ((rc = wal_rotate(db->wal, &seg, e)) != 0) {
        pthread_mutex_unlock(&db->append_mu);
        goto out;
    }
    v = xcalloc(db->nseries ? db->nseries : 1, sizeof(*v));
    for (size_t b = 0; b < db->by_id.nb; b++) {
        for (struct series *s = db->by_id.b[b]; s; s = s->inext) {
            pthread_mutex_lock(tsdb_stripe(db, s));
            if (s->nchunks > 0) {
                atomic_fetch_add(&s->refs, 1);
                v[n].s = s;
                v[n].nclosed = s->nchunks - 1;
                v[n].closed = xcalloc(s->nchunks, sizeof(*v[n].closed));
                memcpy(v[n].closed, s->chunks, v[n].nclosed * sizeof(*s->chunks));
                v[n].head = chunk_copy(s->chunks[s->nchunks - 1]);
                n++;
            }
            pthread_mutex_unlock(tsdb_stripe(db, s));
            /* Log the series again in the new segments, so that their samples stay
             * replayable even when this checkpoint turns out unreadable. */
            s->logged = false;
        }
    }
    next_id = db->next_id;
    db->ckpt_running = true;
    pthread_mutex_unlock(&db->append_mu);

    qsort(v, n, sizeof(*v), cmp_snap);
    path = tsdb_checkpoint_path(db->dir, seg);
    tmp = xasprintf("%s.tmp", path);
    rc = write_file(tmp, v, n, next_id, e);
    if (rc == 0 && rename(tmp, path) != 0)
        rc = err_set(e, ERR_IO, "checkpoint: rename %s: %s", tmp, strerror(errno));
    if (rc == 0) {
        int dfd = open(db->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd >= 0) {
            fsync(dfd);
            close(dfd);
        }
        delete_old(db->dir, seg);
        wal_delete_segments(db->wal_dir, seg);
        atomic_fetch_add(&db->checkpoints, 1);
    } else {
        unlink(tmp);
    }

    pthread_mutex_lock(&db->append_mu);
    db->ckpt_running = false;
    pthread_mutex_unlock(&db->append_mu);
    for (size_t i = 0; i < n; i++) {
        chunk_free(v[i].head);
        xfree(v[i].closed);
        tsdb_series_unref(db, v[i].s);
    }
out:
    if (rc != 0)
        atomic_fetch_add(&db->checkpoint_errors, 1);
    pthread_mutex_unlock(&db->ckpt_mu);
    xfree(v);
    xfree(path);
    xfree(tmp);
    return rc;
}

static bool dec_str(struct dec *d, char **out)
{
    uint64_t len;
    const uint8_t *p;
    if (!dec_uvarint(d, &len) || !dec_bytes(d, len, &p))
        return false;
    *out = xstrndup((const char *)p, len);
    return true;
}

/* Reads nlabels name/value pairs into a new label set. */
static bool dec_labels(struct dec *d, struct labels **out)
{
    uint64_t n;
    struct label *items;
    bool ok = true;
    size_t k = 0;
    if (!dec_uvarint(d, &n) || n > (uint64_t)(d->end - d->p) / 2)
        return false;
    items = xcalloc(n ? n : 1, sizeof(*items));
    for (; k < n && ok; k++) {
        char *name = NULL, *value = NULL;
        ok = dec_str(d, &name) && dec_str(d, &value);
        items[k].name = name;
        items[k].value = value;
        if (!ok) {
            k++;
            break;
        }
    }
    if (ok)
        *out = labels_new(items, n);
    for (size_t i = 0; i < k; i++) {
        xfree((char *)items[i].name);
        xfree((char *)items[i].value);
    }
    xfree(items);
    return ok;
}

/* Decodes one series of a checkpoint into db. */
static int load_series(struct tsdb *db, struct dec *d)
{
    uint64_t id, nchunks;
    struct labels *ls = NULL;
    struct series *s = NULL;
    if (!dec_uvarint(d, &id) || !dec_labels(d, &ls))
        return ERR_CORRUPT;
    if (!dec_uvarint(d, &nchunks)) {
        labels_free(ls);
        return ERR_CORRUPT;
    }
    if (id != 0 && tsdb_get_by_id(db, id) == NULL &&
        tsdb_get_by_labels(db, ls, labels_hash(ls)) == NULL) {
        s = tsdb_series_create(db, ls, id);
        s->logged = true;
        ls = NULL;
    }
    labels_free(ls);
    for (uint64_t c = 0; c < nchunks; c++) {
        int64_t mint, maxt;
        uint64_t n, nbits;
        const uint8_t *data;
        struct chunk_app app;
        struct chunk *ch;
        if (!dec_varint(d, &mint) || !dec_varint(d, &maxt) || !dec_uvarint(d, &n) ||
            !dec_uvarint(d, &nbits) || nbits > UINT32_MAX || n > CHUNK_SAMPLES ||
            !dec_bytes(d, (nbits + 7) / 8, &data))
            return ERR_CORRUPT;
        if (s == NULL)
            continue;
        ch =
            chunk_from_bytes(data, (nbits + 7) / 8, (uint32_t)nbits, (uint16_t)n, mint, maxt, &app);
        if (ch == NULL)
            return ERR_CORRUPT;
        if (s->nchunks > 0 && s->chunks[s->nchunks - 1]->maxt >= ch->mint) {
            chunk_free(ch);
            return ERR_CORRUPT;
        }
        tsdb_series_add_chunk(db, s, ch, &app);
    }
    return 0;
}

int tsdb_checkpoint_load(struct tsdb *db, const char *path, struct err *e)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    uint8_t *map = MAP_FAILED;
    size_t size = 0;
    struct dec d;
    uint64_t next_id, n;
    uint32_t crc;
    int rc = 0;
    if (fd < 0 || fstat(fd, &st) != 0) {
        rc = err_set(e, ERR_IO, "checkpoint: open %s: %s", path, strerror(errno));
        goto out;
    }
    size = (size_t)st.st_size;
    if (size < 12) {
        rc = err_set(e, ERR_CORRUPT, "checkpoint %s: too short", path);
        goto out;
    }
    map = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (map == MAP_FAILED) {
        rc = err_set(e, ERR_IO, "checkpoint: mmap %s: %s", path, strerror(errno));
        goto out;
    }
    crc = (uint32_t)map[size - 4] | (uint32_t)map[size - 3] << 8 | (uint32_t)map[size - 2] << 16 |
          (uint32_t)map[size - 1] << 24;
    if (memcmp(map, CKPT_MAGIC, 8) != 0 || crc32c(0, map, size - 4) != crc) {
        rc = err_set(e, ERR_CORRUPT, "checkpoint %s: bad magic or checksum", path);
        goto out;
    }
    d.p = map + 8;
    d.end = map + size - 4;
    if (!dec_uvarint(&d, &next_id) || !dec_uvarint(&d, &n)) {
        rc = err_set(e, ERR_CORRUPT, "checkpoint %s: bad header", path);
        goto out;
    }
    for (uint64_t i = 0; i < n; i++) {
        if (load_series(db, &d) != 0) {
            rc = err_set(e, ERR_CORRUPT, "checkpoint %s: bad series #%llu", path,
                         (unsigned long long)i);
            goto out;
        }
    }
    if (next_id > db->next_id)
        db->next_id = next_id;
out:
    if (map != MAP_FAILED)
        munmap(map, size);
    if (fd >= 0)
        close(fd);
    return rc;
}
