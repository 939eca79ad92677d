/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for the durable store: commit visibility, replay, torn and corrupt WAL tails,
 * snapshots with expiry compaction, corrupt snapshots, and the kvmap under it. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/err.h"
#include "common/xalloc.h"
#include "notifier/store/kvmap.h"
#include "notifier/store/store.h"
#include "test/harness.h"

static char *tmpdir(void)
{
    char tmpl[] = "/tmp/tocsin-store-XXXXXX";
    char *d = mkdtemp(tmpl);
    CHECK(d != NULL);
    return xasprintf("%s/data", d); /* store_open creates the last level */
}

/* Removes what the tests create: <parent>/data/{wal,snapshot,snapshot.tmp}, data, parent. */
static void cleanup(char *dir)
{
    const char *files[] = {"wal", "snapshot", "snapshot.tmp"};
    char *slash;
    for (size_t i = 0; i < 3; i++) {
        char *p = xasprintf("%s/%s", dir, files[i]);
        unlink(p);
        xfree(p);
    }
    rmdir(dir);
    slash = strrchr(dir, '/');
    *slash = '\0';
    rmdir(dir);
    xfree(dir);
}

static struct store *open_ok(const char *dir)
{
    struct store *s = NULL;
    struct store_opts o;
    struct err e;
    store_opts_default(&o);
    o.fsync = false; /* tmpfs speed; the fsync path is the same code */
    if (store_open(dir, &o, &s, &e) != 0)
        test_fail(__FILE__, __LINE__, "store_open: %s", e.msg);
    return s;
}

static const char *get(struct store *s, unsigned ns, const char *key)
{
    const struct store_value *v = store_get(s, ns, key, strlen(key));
    return v ? v->data : NULL;
}

static off_t file_size(const char *dir, const char *name)
{
    char *p = xasprintf("%s/%s", dir, name);
    struct stat st;
    off_t n = stat(p, &st) == 0 ? st.st_size : -1;
    xfree(p);
    return n;
}

static void test_commit_then_visible_and_replayed(void)
{
    char *dir = tmpdir();
    struct store *s = open_ok(dir);
    CHECK_INT(store_put(s, STORE_NS_ALERT, "k1", 2, "v1", 2, 0), 0);
    CHECK_INT(store_put(s, STORE_NS_SILENCE, "k1", 2, "silence", 7, 0), 0);
    CHECK(get(s, STORE_NS_ALERT, "k1") == NULL); /* staged only */
    CHECK_INT(store_commit(s, NULL), 0);
    CHECK_STREQ(get(s, STORE_NS_ALERT, "k1"), "v1");
    CHECK_STREQ(get(s, STORE_NS_SILENCE, "k1"), "silence");
    CHECK_INT(store_put(s, STORE_NS_ALERT, "k1", 2, "v2", 2, 0), 0);
    CHECK_INT(store_put(s, STORE_NS_ALERT, "k2", 2, "x", 1, 0), 0);
    CHECK_INT(store_del(s, STORE_NS_SILENCE, "k1", 2), 0);
    CHECK_INT(store_commit(s, NULL), 0);
    CHECK_INT(store_put(s, STORE_NS_ALERT, "lost", 4, "x", 1, 0), 0); /* never committed */
    store_close(s);
    s = open_ok(dir);
    CHECK_STREQ(get(s, STORE_NS_ALERT, "k1"), "v2");
    CHECK_STREQ(get(s, STORE_NS_ALERT, "k2"), "x");
    CHECK(get(s, STORE_NS_SILENCE, "k1") == NULL);
    CHECK(get(s, STORE_NS_ALERT, "lost") == NULL);
    CHECK_INT(store_count(s, STORE_NS_ALERT), 2);
    CHECK_INT(store_put(s, 0, "k", 1, "v", 1, 0), ERR_INVALID);
    CHECK_INT(store_put(s, STORE_NS_COUNT, "k", 1, "v", 1, 0), ERR_INVALID);
    store_close(s);
    cleanup(dir);
}

static void test_torn_tail_truncated(void)
{
    char *dir = tmpdir(), *wal = xasprintf("%s/wal", dir);
    struct store *s = open_ok(dir);
    off_t good;
    int fd;
    store_put(s, STORE_NS_NFLOG, "a", 1, "1", 1, 0);
    store_commit(s, NULL);
    store_put(s, STORE_NS_NFLOG, "b", 1, "2", 1, 0);
    store_commit(s, NULL);
    good = (off_t)store_wal_size(s);
    store_close(s);
    /* a torn half record after the last good one */
    fd = open(wal, O_WRONLY | O_APPEND);
    CHECK(write(fd, "\x20\x00\x00\x00\x01\x02", 6) == 6);
    close(fd);
    s = open_ok(dir);
    CHECK_STREQ(get(s, STORE_NS_NFLOG, "a"), "1");
    CHECK_STREQ(get(s, STORE_NS_NFLOG, "b"), "2");
    CHECK_INT(file_size(dir, "wal"), good);
    /* appending after the truncation works and survives another replay */
    store_put(s, STORE_NS_NFLOG, "c", 1, "3", 1, 0);
    CHECK_INT(store_commit(s, NULL), 0);
    store_close(s);
    s = open_ok(dir);
    CHECK_STREQ(get(s, STORE_NS_NFLOG, "c"), "3");
    store_close(s);
    xfree(wal);
    cleanup(dir);
}

static void test_corrupt_crc_stops_replay(void)
{
    char *dir = tmpdir(), *wal = xasprintf("%s/wal", dir);
    struct store *s = open_ok(dir);
    off_t after_a;
    int fd;
    char byte;
    store_put(s, STORE_NS_ALERT, "a", 1, "1", 1, 0);
    store_commit(s, NULL);
    after_a = (off_t)store_wal_size(s);
    store_put(s, STORE_NS_ALERT, "b", 1, "2", 1, 0);
    store_commit(s, NULL);
    store_close(s);
    /* flip the last byte (the value of b) */
    fd = open(wal, O_RDWR);
    CHECK(pread(fd, &byte, 1, file_size(dir, "wal") - 1) == 1);
    byte ^= 0x55;
    CHECK(pwrite(fd, &byte, 1, file_size(dir, "wal") - 1) == 1);
    close(fd);
    s = open_ok(dir);
    CHECK_STREQ(get(s, STORE_NS_ALERT, "a"), "1");
    CHECK(get(s, STORE_NS_ALERT, "b") == NULL);
    CHECK_INT(file_size(dir, "wal"), after_a);
    store_close(s);
    xfree(wal);
    cleanup(dir);
}

static void test_snapshot_compacts_expired(void)
{
    char *dir = tmpdir();
    struct store *s = open_ok(dir);
    struct err e;
    for (int i = 0; i < 100; i++) {
        char k[16];
        snprintf(k, sizeof(k), "k%d", i);
        store_put(s, STORE_NS_NFLOG, k, strlen(k), "payload", 7, i < 50 ? 1000 : 0);
    }
    store_put(s, STORE_NS_SILENCE, "s", 1, "{\"id\":\"s\"}", 10, 5000);
    CHECK_INT(store_commit(s, NULL), 0);
    CHECK(store_wal_size(s) > 2000);
    CHECK_INT(store_snapshot(s, 2000, &e), 0);
    CHECK(store_wal_size(s) < 64); /* header only */
    CHECK_INT(store_count(s, STORE_NS_NFLOG), 50);
    CHECK(get(s, STORE_NS_NFLOG, "k10") == NULL);
    CHECK_STREQ(get(s, STORE_NS_NFLOG, "k60"), "payload");
    store_put(s, STORE_NS_NFLOG, "after", 5, "snap", 4, 0);
    store_del(s, STORE_NS_NFLOG, "k60", 3);
    CHECK_INT(store_commit(s, NULL), 0);
    store_close(s);
    s = open_ok(dir);
    CHECK_INT(store_count(s, STORE_NS_NFLOG), 50);
    CHECK_STREQ(get(s, STORE_NS_NFLOG, "after"), "snap");
    CHECK(get(s, STORE_NS_NFLOG, "k60") == NULL);
    CHECK_STREQ(get(s, STORE_NS_SILENCE, "s"), "{\"id\":\"s\"}");
    CHECK_INT(file_size(dir, "snapshot.tmp"), -1);
    CHECK_INT(store_maybe_snapshot(s, 2000, NULL), 0); /* below threshold: nothing */
    store_close(s);
    cleanup(dir);
}

static void test_corrupt_snapshot_is_an_error(void)
{
    char *dir = tmpdir(), *snap = xasprintf("%s/snapshot", dir);
    struct store *s = open_ok(dir);
    struct store_opts o;
    struct err e;
    int fd;
    store_put(s, STORE_NS_ALERT, "a", 1, "1", 1, 0);
    store_commit(s, NULL);
    CHECK_INT(store_snapshot(s, 0, NULL), 0);
    store_close(s);
    CHECK(truncate(snap, file_size(dir, "snapshot") - 3) == 0); /* END record damaged */
    store_opts_default(&o);
    s = (struct store *)1;
    CHECK_INT(store_open(dir, &o, &s, &e), ERR_CORRUPT);
    CHECK(s == NULL);
    CHECK(strstr(e.msg, "snapshot") != NULL);
    /* garbage instead of a snapshot */
    fd = open(snap, O_WRONLY | O_TRUNC);
    CHECK(write(fd, "garbage!garbage!", 16) == 16);
    close(fd);
    CHECK_INT(store_open(dir, &o, &s, &e), ERR_CORRUPT);
    xfree(snap);
    cleanup(dir);
}

static void test_garbage_wal_restarts_log(void)
{
    char *dir = tmpdir(), *wal = xasprintf("%s/wal", dir);
    struct store *s;
    int fd;
    mkdir(dir, 0750);
    fd = open(wal, O_WRONLY | O_CREAT, 0640);
    CHECK(write(fd, "not a wal at all, just text\n", 28) == 28);
    close(fd);
    s = open_ok(dir);
    CHECK_INT(store_count(s, STORE_NS_ALERT), 0);
    store_put(s, STORE_NS_ALERT, "a", 1, "1", 1, 0);
    CHECK_INT(store_commit(s, NULL), 0);
    store_close(s);
    s = open_ok(dir);
    CHECK_STREQ(get(s, STORE_NS_ALERT, "a"), "1");
    store_close(s);
    xfree(wal);
    cleanup(dir);
}

static void test_unwritable_dir_is_an_error(void)
{
    struct store *s = NULL;
    struct err e;
    CHECK_INT(store_open("/proc/tocsin-no-such/x", NULL, &s, &e), ERR_IO);
    CHECK(s == NULL);
}

static void write_file(const char *dir, const char *name, const char *data, size_t n)
{
    char *p = xasprintf("%s/%s", dir, name);
    int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0640);
    CHECK(fd >= 0);
    CHECK(write(fd, data, n) == (ssize_t)n);
    close(fd);
    xfree(p);
}

static char *read_all(const char *dir, const char *name, size_t *n)
{
    char *p = xasprintf("%s/%s", dir, name), *buf = xmalloc(1 << 16);
    int fd = open(p, O_RDONLY);
    ssize_t r;
    CHECK(fd >= 0);
    r = read(fd, buf, 1 << 16);
    CHECK(r >= 0);
    *n = (size_t)r;
    close(fd);
    xfree(p);
    return buf;
}

static void test_random_damage_never_crashes(void)
{
    /* A real WAL and snapshot, then 400 random truncations / byte flips / garbage splices:
     * opening must give either a store (WAL damage is cut off) or ERR_CORRUPT (snapshot), and
     * a store that opened must accept and replay a new commit. */
    char *dir = tmpdir();
    struct store *s = open_ok(dir);
    char *wal, *snap;
    size_t nwal, nsnap;
    uint64_t x = 99;
    for (int i = 0; i < 20; i++) {
        char k[8];
        snprintf(k, sizeof(k), "k%d", i);
        store_put(s, 1 + (unsigned)(i % 3), k, strlen(k), "some value bytes", 16, 0);
        if (i == 10) {
            store_commit(s, NULL);
            store_snapshot(s, 0, NULL);
        }
    }
    store_commit(s, NULL);
    store_close(s);
    wal = read_all(dir, "wal", &nwal);
    snap = read_all(dir, "snapshot", &nsnap);
    for (int round = 0; round < 400; round++) {
        char w[1 << 12], sn[1 << 12];
        size_t nw = nwal, ns = nsnap;
        int rc;
        struct store_opts o;
        memcpy(w, wal, nwal);
        memcpy(sn, snap, nsnap);
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        switch ((x >> 60) % 4) {
        case 0:
            nw = (size_t)(x >> 20) % (nwal + 1);
            break;
        case 1:
            w[(x >> 20) % nwal] ^= (char)(1 + ((x >> 8) & 0x7f));
            break;
        case 2:
            sn[(x >> 20) % nsnap] ^= (char)(1 + ((x >> 8) & 0x7f));
            break;
        default:
            for (size_t k = (x >> 20) % nwal; k < nwal && k < ((x >> 20) % nwal) + 16; k++)
                w[k] = (char)(x >> (k % 56));
            break;
        }
        write_file(dir, "wal", w, nw);
        write_file(dir, "snapshot", sn, ns);
        store_opts_default(&o);
        o.fsync = false;
        s = NULL;
        rc = store_open(dir, &o, &s, NULL);
        if (rc == ERR_CORRUPT) {
            CHECK(s == NULL);
            continue;
        }
        CHECK_INT(rc, 0);
        store_put(s, STORE_NS_ALERT, "new", 3, "v", 1, 0);
        CHECK_INT(store_commit(s, NULL), 0);
        store_close(s);
        s = open_ok(dir);
        CHECK_STREQ(get(s, STORE_NS_ALERT, "new"), "v");
        store_close(s);
    }
    xfree(wal);
    xfree(snap);
    cleanup(dir);
}

static void test_kvmap_basics(void)
{
    struct kvmap m;
    struct kvmap_iter it;
    size_t seen = 0;
    int vals[500];
    kvmap_init(&m);
    for (int i = 0; i < 500; i++) {
        char k[16];
        vals[i] = i;
        snprintf(k, sizeof(k), "key%d", i);
        CHECK(kvmap_put(&m, k, strlen(k), &vals[i]) == NULL);
    }
    CHECK_INT(m.n, 500);
    CHECK(*(int *)kvmap_get(&m, "key77", 5) == 77);
    CHECK(kvmap_put(&m, "key77", 5, &vals[0]) == &vals[77]);
    CHECK(kvmap_del(&m, "key78", 5) == &vals[78]);
    CHECK(kvmap_del(&m, "key78", 5) == NULL);
    CHECK(kvmap_get(&m, "key7", 5) == NULL); /* length counts */
    for (struct kvmap_entry *e = kvmap_first(&m, &it); e; e = kvmap_next(&m, &it)) {
        if (seen % 2 == 0)
            kvmap_del(&m, e->key, e->klen); /* delete during iteration */
        seen++;
    }
    CHECK_INT(seen, 499);
    CHECK_INT(m.n, 249);
    kvmap_fini(&m);
}

static const struct test_case tests[] = {
    TEST(test_commit_then_visible_and_replayed),
    TEST(test_torn_tail_truncated),
    TEST(test_corrupt_crc_stops_replay),
    TEST(test_snapshot_compacts_expired),
    TEST(test_corrupt_snapshot_is_an_error),
    TEST(test_garbage_wal_restarts_log),
    TEST(test_unwritable_dir_is_an_error),
    TEST(test_random_damage_never_crashes),
    TEST(test_kvmap_basics),
    {0},
};

TEST_MAIN(tests)
