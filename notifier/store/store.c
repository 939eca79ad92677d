/* SPDX-License-Identifier: Apache-2.0 */
/* Durable namespaced key/value store: snapshot + write-ahead log of CRC-framed records (see
 * store.h and docs/notifier-storage.md for the format). */
#include "notifier/store/store.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/log.h"
#include "common/xalloc.h"
#include "notifier/store/kvmap.h"

#define REC_HDR    9 /* u32 len, u32 crc, u8 type */
#define REC_HEADER 1 /* file header: "TOCSIN-STORE" + u32 version */
#define REC_PUT    2
#define REC_DEL    3
#define REC_END    4 /* last record of a snapshot */
#define MAGIC      "TOCSIN-STORE"
#define FORMAT_VER 1u
#define MAX_KEY    (1u << 16)

struct sval {
    struct store_value v;
};

struct store {
    char *dir, *wal_path, *snap_path, *tmp_path;
    int wal_fd;
    size_t wal_size;
    struct store_opts o;
    struct kvmap ns[STORE_NS_COUNT];
    struct buf pending;
};

static uint32_t crc_table[256];

static void crc_init(void)
{
    if (crc_table[1] != 0)
        return;
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
        crc_table[i] = c;
    }
}

static uint32_t crc32_update(uint32_t crc, const void *p, size_t n)
{
    const unsigned char *s = p;
    crc = ~crc;
    for (size_t i = 0; i < n; i++)
        crc = crc_table[(crc ^ s[i]) & 0xff] ^ (crc >> 8);
    return ~crc;
}

static void put_u32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static uint32_t get_u32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put_u64(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t get_u64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

/* Appends one framed record whose payload is the concatenation of up to three parts. */
static int rec_append(struct buf *b, unsigned type, const void *p1, size_t n1, const void *p2,
                      size_t n2, const void *p3, size_t n3)
{
    unsigned char hdr[REC_HDR], t = (unsigned char)type;
    uint32_t crc = crc32_update(0, &t, 1);
    size_t len = n1 + n2 + n3;
    int rc;
    if (len > UINT32_MAX)
        return ERR_TOOBIG;
    crc = crc32_update(crc, p1, n1);
    crc = crc32_update(crc, p2, n2);
    crc = crc32_update(crc, p3, n3);
    put_u32(hdr, (uint32_t)len);
    put_u32(hdr + 4, crc);
    hdr[8] = t;
    rc = buf_append(b, hdr, REC_HDR);
    rc = rc ? rc : buf_append(b, p1, n1);
    rc = rc ? rc : buf_append(b, p2, n2);
    rc = rc ? rc : buf_append(b, p3, n3);
    return rc;
}

static int rec_header(struct buf *b)
{
    unsigned char v[4];
    put_u32(v, FORMAT_VER);
    return rec_append(b, REC_HEADER, MAGIC, strlen(MAGIC), v, 4, NULL, 0);
}

static int rec_put(struct buf *b, unsigned ns, const char *key, size_t klen, const void *val,
                   size_t vlen, int64_t expires)
{
    unsigned char pre[5], ex[8];
    struct buf tmp;
    int rc;
    pre[0] = (unsigned char)ns;
    put_u32(pre + 1, (uint32_t)klen);
    put_u64(ex, (uint64_t)expires);
    /* key and expiry are small: join them so rec_append's three parts suffice */
    buf_init(&tmp, 0);
    buf_append(&tmp, key, klen);
    buf_append(&tmp, ex, 8);
    rc = rec_append(b, REC_PUT, pre, 5, tmp.data ? tmp.data : "", tmp.len, val, vlen);
    buf_fini(&tmp);
    return rc;
}

static void sval_free(struct sval *v)
{
    if (!v)
        return;
    xfree((char *)v->v.data);
    xfree(v);
}

/* Applies the records in data (len bytes). Returns the offset after the last good record;
 * *bad is set when parsing stopped early (torn or corrupt), *end when an END record was seen. */
static size_t apply_records(struct store *s, const unsigned char *data, size_t len, bool *bad,
                            bool *end, bool *header)
{
    size_t off = 0;
    *bad = false;
    *end = false;
    while (off < len && !*end) {
        uint32_t plen, crc;
        unsigned type;
        const unsigned char *p;
        if (len - off < REC_HDR) {
            *bad = true;
            break;
        }
        plen = get_u32(data + off);
        crc = get_u32(data + off + 4);
        type = data[off + 8];
        if (plen > s->o.max_record + 64 || len - off - REC_HDR < plen) {
            *bad = true;
            break;
        }
        p = data + off + REC_HDR;
        if (crc32_update(crc32_update(0, data + off + 8, 1), p, plen) != crc) {
            *bad = true;
            break;
        }
        if (type == REC_HEADER) {
            if (plen != strlen(MAGIC) + 4 || memcmp(p, MAGIC, strlen(MAGIC)) != 0 ||
                get_u32(p + strlen(MAGIC)) != FORMAT_VER) {
                *bad = true;
                break;
            }
            *header = true;
        } else if (type == REC_PUT || type == REC_DEL) {
            unsigned ns;
            uint32_t klen;
            if (plen < 5) {
                *bad = true;
                break;
            }
            ns = p[0];
            klen = get_u32(p + 1);
            if (ns == 0 || ns >= STORE_NS_COUNT || klen > plen - 5 ||
                (type == REC_PUT && plen - 5 - klen < 8)) {
                *bad = true;
                break;
            }
            if (type == REC_PUT) {
                struct sval *v = xcalloc(1, sizeof(*v));
                size_t vlen = plen - 5 - klen - 8;
                char *d = xmalloc(vlen + 1);
                memcpy(d, p + 5 + klen + 8, vlen);
                d[vlen] = '\0';
                v->v.data = d;
                v->v.len = vlen;
                v->v.expires = (int64_t)get_u64(p + 5 + klen);
                sval_free(kvmap_put(&s->ns[ns], (const char *)p + 5, klen, v));
            } else {
                sval_free(kvmap_del(&s->ns[ns], (const char *)p + 5, klen));
            }
        } else if (type == REC_END) {
            *end = true;
        } else {
            /* A record type from a newer version: framing is intact, so skip it. */
            log_warnf("store: skipping unknown record type %u", type);
        }
        off += REC_HDR + plen;
    }
    return off;
}

static int read_file(const char *path, struct buf *out, bool *exists, struct err *e)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    char tmp[65536];
    int rc = 0;
    *exists = fd >= 0;
    if (fd < 0)
        return errno == ENOENT ? 0 : err_set(e, ERR_IO, "open %s: %s", path, strerror(errno));
    for (;;) {
        ssize_t r = read(fd, tmp, sizeof(tmp));
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            rc = err_set(e, ERR_IO, "read %s: %s", path, strerror(errno));
            break;
        }
        if (r == 0)
            break;
        buf_append(out, tmp, (size_t)r);
    }
    close(fd);
    return rc;
}

static int write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static int sync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int r;
    if (fd < 0)
        return -1;
    r = fsync(fd);
    close(fd);
    return r;
}

void store_opts_default(struct store_opts *o)
{
    o->fsync = true;
    o->snapshot_wal_bytes = 16u << 20;
    o->max_record = 16u << 20;
}

void store_close(struct store *s)
{
    if (!s)
        return;
    for (unsigned i = 0; i < STORE_NS_COUNT; i++) {
        struct kvmap_iter it;
        for (struct kvmap_entry *e = kvmap_first(&s->ns[i], &it); e; e = kvmap_next(&s->ns[i], &it))
            sval_free(e->value);
        kvmap_fini(&s->ns[i]);
    }
    if (s->wal_fd >= 0)
        close(s->wal_fd);
    buf_fini(&s->pending);
    xfree(s->dir);
    xfree(s->wal_path);
    xfree(s->snap_path);
    xfree(s->tmp_path);
    xfree(s);
}

/* Starts an empty WAL holding only its header record. */
static int wal_reset(struct store *s, struct err *e)
{
    struct buf b;
    int rc = 0;
    buf_init(&b, 0);
    rec_header(&b);
    if (ftruncate(s->wal_fd, 0) != 0 || write_all(s->wal_fd, b.data, b.len) != 0 ||
        (s->o.fsync && fdatasync(s->wal_fd) != 0))
        rc = err_set(e, ERR_IO, "write %s: %s", s->wal_path, strerror(errno));
    else
        s->wal_size = b.len;
    buf_fini(&b);
    return rc;
}

int store_open(const char *dir, const struct store_opts *o, struct store **out, struct err *e)
{
    struct store *s = xcalloc(1, sizeof(*s));
    struct buf data;
    bool exists = false, bad = false, end = false, header = false;
    size_t good;
    int rc = ERR_IO;
    *out = NULL;
    crc_init();
    buf_init(&data, 0);
    s->wal_fd = -1;
    if (o)
        s->o = *o;
    else
        store_opts_default(&s->o);
    if (s->o.max_record == 0)
        s->o.max_record = 16u << 20;
    for (unsigned i = 0; i < STORE_NS_COUNT; i++)
        kvmap_init(&s->ns[i]);
    buf_init(&s->pending, 0);
    s->dir = xstrdup(dir);
    s->wal_path = xasprintf("%s/wal", dir);
    s->snap_path = xasprintf("%s/snapshot", dir);
    s->tmp_path = xasprintf("%s/snapshot.tmp", dir);
    if (mkdir(dir, 0750) != 0 && errno != EEXIST) {
        rc = err_set(e, ERR_IO, "mkdir %s: %s", dir, strerror(errno));
        goto out;
    }
    if ((rc = read_file(s->snap_path, &data, &exists, e)) != 0)
        goto out;
    if (exists) {
        apply_records(s, (const unsigned char *)data.data, data.len, &bad, &end, &header);
        if (bad || !end || !header) {
            rc = err_set(e, ERR_CORRUPT, "%s: corrupt or incomplete snapshot", s->snap_path);
            goto out;
        }
    }
    buf_reset(&data);
    if ((rc = read_file(s->wal_path, &data, &exists, e)) != 0)
        goto out;
    s->wal_fd = open(s->wal_path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
    if (s->wal_fd < 0) {
        rc = err_set(e, ERR_IO, "open %s: %s", s->wal_path, strerror(errno));
        goto out;
    }
    header = false;
    good = apply_records(s, (const unsigned char *)data.data, data.len, &bad, &end, &header);
    if (data.len == 0 || (!header && good == 0)) {
        if (data.len > 0)
            log_warnf("store: %s has no valid header; starting a new log", s->wal_path);
        if ((rc = wal_reset(s, e)) != 0)
            goto out;
        /* a new file: make its directory entry durable too */
        if (!exists && s->o.fsync && sync_dir(dir) != 0) {
            rc = err_set(e, ERR_IO, "fsync %s: %s", dir, strerror(errno));
            goto out;
        }
    } else {
        if (end) /* END belongs to snapshots only: cut it and what follows */
            good -= REC_HDR;
        if (bad || end) {
            log_warnf("store: %s: torn or corrupt tail at offset %zu of %zu, truncating",
                      s->wal_path, good, data.len);
            if (ftruncate(s->wal_fd, (off_t)good) != 0) {
                rc = err_set(e, ERR_IO, "truncate %s: %s", s->wal_path, strerror(errno));
                goto out;
            }
        }
        s->wal_size = good;
    }
    *out = s;
    s = NULL;
    rc = 0;
out:
    buf_fini(&data);
    store_close(s);
    return rc;
}

int store_put(struct store *s, unsigned ns, const char *key, size_t klen, const void *val,
              size_t vlen, int64_t expires)
{
    if (ns == 0 || ns >= STORE_NS_COUNT || klen > MAX_KEY)
        return ERR_INVALID;
    if (vlen > s->o.max_record)
        return ERR_TOOBIG;
    return rec_put(&s->pending, ns, key, klen, val, vlen, expires);
}

int store_del(struct store *s, unsigned ns, const char *key, size_t klen)
{
    unsigned char pre[5];
    if (ns == 0 || ns >= STORE_NS_COUNT || klen > MAX_KEY)
        return ERR_INVALID;
    pre[0] = (unsigned char)ns;
    put_u32(pre + 1, (uint32_t)klen);
    return rec_append(&s->pending, REC_DEL, pre, 5, key, klen, NULL, 0);
}

int store_commit(struct store *s, struct err *e)
{
    bool bad, end, header;
    if (s->pending.len == 0)
        return 0;
    if (write_all(s->wal_fd, s->pending.data, s->pending.len) != 0 ||
        (s->o.fsync && fdatasync(s->wal_fd) != 0)) {
        int saved = errno;
        if (ftruncate(s->wal_fd, (off_t)s->wal_size) != 0)
            log_warnf("store: cannot cut %s back after a failed write", s->wal_path);
        buf_reset(&s->pending);
        return err_set(e, ERR_IO, "write %s: %s", s->wal_path, strerror(saved));
    }
    s->wal_size += s->pending.len;
    apply_records(s, (const unsigned char *)s->pending.data, s->pending.len, &bad, &end, &header);
    buf_reset(&s->pending);
    return 0;
}

void store_discard(struct store *s)
{
    buf_reset(&s->pending);
}

const struct store_value *store_get(const struct store *s, unsigned ns, const char *key,
                                    size_t klen)
{
    const struct sval *v;
    if (ns == 0 || ns >= STORE_NS_COUNT)
        return NULL;
    v = kvmap_get(&s->ns[ns], key, klen);
    return v ? &v->v : NULL;
}

void store_foreach(const struct store *s, unsigned ns,
                   void (*cb)(void *arg, const char *key, size_t klen, const struct store_value *v),
                   void *arg)
{
    struct kvmap_iter it;
    if (ns == 0 || ns >= STORE_NS_COUNT)
        return;
    for (struct kvmap_entry *e = kvmap_first(&s->ns[ns], &it); e; e = kvmap_next(&s->ns[ns], &it))
        cb(arg, e->key, e->klen, &((const struct sval *)e->value)->v);
}

size_t store_count(const struct store *s, unsigned ns)
{
    return ns == 0 || ns >= STORE_NS_COUNT ? 0 : s->ns[ns].n;
}

size_t store_wal_size(const struct store *s)
{
    return s->wal_size;
}

int store_snapshot(struct store *s, int64_t now, struct err *e)
{
    struct buf b;
    int fd = -1, rc = ERR_IO;
    buf_init(&b, 0);
    rec_header(&b);
    for (unsigned ns = 1; ns < STORE_NS_COUNT; ns++) {
        struct kvmap_iter it;
        for (struct kvmap_entry *en = kvmap_first(&s->ns[ns], &it); en;
             en = kvmap_next(&s->ns[ns], &it)) {
            struct sval *v = en->value;
            if (v->v.expires != 0 && v->v.expires <= now) {
                kvmap_del(&s->ns[ns], en->key, en->klen);
                sval_free(v);
                continue;
            }
            rec_put(&b, ns, en->key, en->klen, v->v.data, v->v.len, v->v.expires);
        }
    }
    rec_append(&b, REC_END, NULL, 0, NULL, 0, NULL, 0);
    fd = open(s->tmp_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
    if (fd < 0 || write_all(fd, b.data, b.len) != 0 || (s->o.fsync && fsync(fd) != 0)) {
        rc = err_set(e, ERR_IO, "write %s: %s", s->tmp_path, strerror(errno));
        goto out;
    }
    close(fd);
    fd = -1;
    if (rename(s->tmp_path, s->snap_path) != 0) {
        rc = err_set(e, ERR_IO, "rename %s: %s", s->tmp_path, strerror(errno));
        goto out;
    }
    if (s->o.fsync && sync_dir(s->dir) != 0) {
        rc = err_set(e, ERR_IO, "fsync %s: %s", s->dir, strerror(errno));
        goto out;
    }
    /* The snapshot now holds everything the WAL did; a crash before the reset below replays
     * the old WAL over it, which converges to the same tables. */
    rc = wal_reset(s, e);
out:
    if (fd >= 0) {
        close(fd);
        unlink(s->tmp_path);
    }
    buf_fini(&b);
    return rc;
}

int store_maybe_snapshot(struct store *s, int64_t now, struct err *e)
{
    if (s->wal_size < s->o.snapshot_wal_bytes)
        return 0;
    return store_snapshot(s, now, e);
}
