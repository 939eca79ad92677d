/* SPDX-License-Identifier: Apache-2.0 */
/* Write-ahead log segments: framing, CRC32C, writing with rollback, rotation and replay. */
#include "evaluator/tsdb/wal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/log.h"
#include "common/xalloc.h"

struct wal {
    char *dir;
    size_t seg_bytes;
    pthread_mutex_t mu; /* guards fd, seg, size, dirty against wal_sync */
    int fd;
    uint32_t seg;
    size_t size;
    bool dirty;
    bool broken; /* a failed write could not be rolled back: rotate before the next one */
    _Atomic uint64_t bytes, fsyncs;
};

static uint32_t crc_table[256];
static pthread_once_t crc_once = PTHREAD_ONCE_INIT;

static void crc_init(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = (c & 1) ? (c >> 1) ^ 0x82f63b78u : c >> 1;
        crc_table[i] = c;
    }
}

uint32_t crc32c(uint32_t crc, const void *p, size_t n)
{
    const uint8_t *b = p;
    pthread_once(&crc_once, crc_init);
    crc = ~crc;
    for (size_t i = 0; i < n; i++)
        crc = crc_table[(crc ^ b[i]) & 0xff] ^ (crc >> 8);
    return ~crc;
}

static void put_u32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static uint32_t get_u32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

int wal_frame(struct buf *b, uint8_t type, const void *payload, size_t len)
{
    uint8_t h[WAL_HEADER_BYTES];
    uint32_t crc;
    int rc;
    if (len > WAL_MAX_RECORD)
        return ERR_TOOBIG;
    crc = crc32c(crc32c(0, &type, 1), payload, len);
    put_u32(h, (uint32_t)len);
    put_u32(h + 4, crc);
    h[8] = type;
    if ((rc = buf_reserve(b, sizeof(h) + len)) != 0)
        return rc;
    buf_append(b, h, sizeof(h));
    return buf_append(b, payload, len);
}

static char *seg_path(const char *dir, uint32_t seg)
{
    return xasprintf("%s/%08u", dir, seg);
}

static int open_segment(struct wal *w, uint32_t seg, struct err *e)
{
    char *path = seg_path(w->dir, seg);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    int rc = 0;
    if (fd < 0) {
        rc = err_set(e, ERR_IO, "wal: open %s: %s", path, strerror(errno));
        goto out;
    }
    w->fd = fd;
    w->seg = seg;
    w->size = 0;
    w->dirty = false;
    w->broken = false;
out:
    xfree(path);
    return rc;
}

static int sync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int rc = 0;
    if (fd < 0)
        return ERR_IO;
    if (fsync(fd) != 0)
        rc = ERR_IO;
    close(fd);
    return rc;
}

int wal_open(const char *dir, uint32_t seg, size_t seg_bytes, struct wal **out, struct err *e)
{
    struct wal *w = NULL;
    int rc;
    *out = NULL;
    if (mkdir(dir, 0755) != 0 && errno != EEXIST)
        return err_set(e, ERR_IO, "wal: mkdir %s: %s", dir, strerror(errno));
    w = xcalloc(1, sizeof(*w));
    w->dir = xstrdup(dir);
    w->seg_bytes = seg_bytes ? seg_bytes : (64u << 20);
    w->fd = -1;
    pthread_mutex_init(&w->mu, NULL);
    if ((rc = open_segment(w, seg, e)) != 0)
        goto out;
    sync_dir(dir);
    *out = w;
    w = NULL;
out:
    wal_close(w);
    return rc;
}

void wal_close(struct wal *w)
{
    if (w == NULL)
        return;
    if (w->fd >= 0) {
        if (w->dirty)
            fsync(w->fd);
        close(w->fd);
    }
    pthread_mutex_destroy(&w->mu);
    xfree(w->dir);
    xfree(w);
}

static int rotate_locked(struct wal *w, struct err *e)
{
    int rc;
    if (w->fd >= 0) {
        if (w->dirty && fsync(w->fd) == 0)
            atomic_fetch_add(&w->fsyncs, 1);
        close(w->fd);
        w->fd = -1;
    }
    if ((rc = open_segment(w, w->seg + 1, e)) != 0) {
        /* Leave fd closed; the next write retries opening. */
        w->seg++;
        w->broken = true;
        return rc;
    }
    sync_dir(w->dir);
    return 0;
}

int wal_rotate(struct wal *w, uint32_t *closed, struct err *e)
{
    int rc;
    pthread_mutex_lock(&w->mu);
    *closed = w->seg;
    rc = rotate_locked(w, e);
    pthread_mutex_unlock(&w->mu);
    return rc;
}

int wal_write(struct wal *w, const void *p, size_t n, bool sync, struct err *e)
{
    const uint8_t *b = p;
    size_t done = 0;
    int rc = 0;
    pthread_mutex_lock(&w->mu);
    if (w->broken || w->fd < 0 || (w->size > 0 && w->size + n > w->seg_bytes)) {
        if (w->broken && w->fd < 0) {
            /* A previous rotation failed: retry the segment that could not be opened. */
            w->seg--;
        }
        if ((rc = rotate_locked(w, e)) != 0)
            goto out;
    }
    while (done < n) {
        ssize_t k = write(w->fd, b + done, n - done);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0) {
            rc = err_set(e, ERR_IO, "wal: write segment %08u: %s", w->seg,
                         k < 0 ? strerror(errno) : "short write");
            if (ftruncate(w->fd, (off_t)w->size) != 0 || lseek(w->fd, (off_t)w->size, SEEK_SET) < 0)
                w->broken = true;
            goto out;
        }
        done += (size_t)k;
    }
    w->size += n;
    w->dirty = true;
    atomic_fetch_add(&w->bytes, n);
    if (sync) {
        if (fsync(w->fd) != 0) {
            rc = err_set(e, ERR_IO, "wal: fsync segment %08u: %s", w->seg, strerror(errno));
            w->broken = true;
            goto out;
        }
        w->dirty = false;
        atomic_fetch_add(&w->fsyncs, 1);
    }
out:
    pthread_mutex_unlock(&w->mu);
    return rc;
}

int wal_sync(struct wal *w, struct err *e)
{
    int fd = -1, rc = 0;
    uint32_t seg;
    pthread_mutex_lock(&w->mu);
    if (w->dirty && w->fd >= 0) {
        fd = dup(w->fd);
        w->dirty = false;
    }
    seg = w->seg;
    pthread_mutex_unlock(&w->mu);
    if (fd < 0)
        return 0;
    /* fsync a duplicate outside the lock so writers are not held up by the disk. */
    if (fsync(fd) != 0) {
        rc = err_set(e, ERR_IO, "wal: fsync segment %08u: %s", seg, strerror(errno));
        pthread_mutex_lock(&w->mu);
        w->dirty = true;
        pthread_mutex_unlock(&w->mu);
    } else {
        atomic_fetch_add(&w->fsyncs, 1);
    }
    close(fd);
    return rc;
}

uint32_t wal_segment(const struct wal *w)
{
    return w->seg;
}

uint64_t wal_bytes_written(const struct wal *w)
{
    return atomic_load(&w->bytes);
}

uint64_t wal_fsyncs(const struct wal *w)
{
    return atomic_load(&w->fsyncs);
}

static bool parse_seg_name(const char *s, uint32_t *out)
{
    char *end;
    unsigned long v;
    if (strlen(s) != 8)
        return false;
    for (const char *c = s; *c; c++)
        if (*c < '0' || *c > '9')
            return false;
    v = strtoul(s, &end, 10);
    if (*end != '\0' || v > UINT32_MAX)
        return false;
    *out = (uint32_t)v;
    return true;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

int wal_list_segments(const char *dir, uint32_t **out, size_t *n, struct err *e)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    uint32_t *v = NULL;
    size_t k = 0, cap = 0;
    *out = NULL;
    *n = 0;
    if (d == NULL) {
        if (errno == ENOENT)
            return 0;
        return err_set(e, ERR_IO, "wal: open dir %s: %s", dir, strerror(errno));
    }
    while ((de = readdir(d)) != NULL) {
        uint32_t seg;
        if (!parse_seg_name(de->d_name, &seg))
            continue;
        if (k == cap) {
            cap = cap ? cap * 2 : 16;
            v = xreallocarray(v, cap, sizeof(*v));
        }
        v[k++] = seg;
    }
    closedir(d);
    if (k)
        qsort(v, k, sizeof(*v), cmp_u32);
    *out = v;
    *n = k;
    return 0;
}

void wal_delete_segments(const char *dir, uint32_t upto)
{
    uint32_t *segs = NULL;
    size_t n = 0;
    if (wal_list_segments(dir, &segs, &n, NULL) != 0)
        return;
    for (size_t i = 0; i < n && segs[i] <= upto; i++) {
        char *path = seg_path(dir, segs[i]);
        if (unlink(path) != 0 && errno != ENOENT)
            log_kv(LOG_WARN, "wal: cannot delete segment", "path", path, "err", strerror(errno),
                   NULL);
        xfree(path);
    }
    xfree(segs);
    sync_dir(dir);
}

void wal_read_buffer(const uint8_t *data, size_t len, wal_record_cb cb, void *ctx,
                     struct wal_read_result *res)
{
    size_t off = 0;
    memset(res, 0, sizeof(*res));
    while (off < len) {
        uint32_t plen, crc;
        uint8_t type;
        if (len - off < WAL_HEADER_BYTES) {
            res->problem = "torn record header";
            break;
        }
        plen = get_u32(data + off);
        crc = get_u32(data + off + 4);
        type = data[off + 8];
        if (plen > WAL_MAX_RECORD) {
            res->problem = "record length out of range";
            break;
        }
        if (len - off - WAL_HEADER_BYTES < plen) {
            res->problem = "torn record";
            break;
        }
        if (crc32c(crc32c(0, &type, 1), data + off + WAL_HEADER_BYTES, plen) != crc) {
            res->problem = "checksum mismatch";
            break;
        }
        if (cb(ctx, type, data + off + WAL_HEADER_BYTES, plen) != 0)
            res->bad_payloads++;
        res->records++;
        off += WAL_HEADER_BYTES + plen;
    }
    res->valid = off;
}

int wal_replay_file(const char *path, wal_record_cb cb, void *ctx, struct wal_read_result *res,
                    struct err *e)
{
    int fd = -1, rc = ERR_INTERNAL;
    uint8_t *data = NULL;
    struct stat st;
    size_t got = 0;
    memset(res, 0, sizeof(*res));
    fd = open(path, O_RDWR | O_CLOEXEC);
    if (fd < 0)
        fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || fstat(fd, &st) != 0) {
        rc = err_set(e, ERR_IO, "wal: open %s: %s", path, strerror(errno));
        goto out;
    }
    data = xmalloc(st.st_size > 0 ? (size_t)st.st_size : 1);
    while (got < (size_t)st.st_size) {
        ssize_t k = read(fd, data + got, (size_t)st.st_size - got);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            break;
        got += (size_t)k;
    }
    wal_read_buffer(data, got, cb, ctx, res);
    if (res->problem != NULL) {
        char off[32], size[32];
        snprintf(off, sizeof(off), "%zu", res->valid);
        snprintf(size, sizeof(size), "%zu", got);
        log_kv(LOG_WARN, "wal: truncating segment at a torn or corrupt record", "segment", path,
               "offset", off, "size", size, "reason", res->problem, NULL);
        if (ftruncate(fd, (off_t)res->valid) != 0)
            log_kv(LOG_WARN, "wal: cannot truncate segment", "segment", path, "err",
                   strerror(errno), NULL);
        else
            fsync(fd);
    }
    rc = 0;
out:
    if (fd >= 0)
        close(fd);
    xfree(data);
    return rc;
}
