/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for durability: WAL framing, replay after kill -9, corrupt tails, checkpoints. */
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "common/buf.h"
#include "evaluator/tsdb/wal.h"
#include "test/unit/evaluator/tsdb/tsdb_test_util.h"

static int count_cb(void *ctx, uint8_t type, const uint8_t *p, size_t n)
{
    (void)p;
    (void)n;
    *(int *)ctx += type;
    return 0;
}

static void test_wal_framing(void)
{
    struct buf b;
    struct wal_read_result res;
    int sum = 0;
    CHECK(crc32c(0, "123456789", 9) == 0xe3069283u); /* the standard check value */
    buf_init(&b, 0);
    CHECK(wal_frame(&b, 1, "abc", 3) == 0);
    CHECK(wal_frame(&b, 2, "", 0) == 0);
    CHECK(wal_frame(&b, 4, "hello", 5) == 0);
    wal_read_buffer((const uint8_t *)b.data, b.len, count_cb, &sum, &res);
    CHECK_INT(res.records, 3);
    CHECK_INT(sum, 7);
    CHECK(res.problem == NULL);
    CHECK_INT(res.valid, b.len);
    /* Every truncation stops cleanly at a record boundary. */
    for (size_t cut = 0; cut < b.len; cut++) {
        sum = 0;
        wal_read_buffer((const uint8_t *)b.data, cut, count_cb, &sum, &res);
        CHECK(res.valid <= cut);
        CHECK(res.valid == 0 || res.valid == 12 || res.valid == 21);
        CHECK(res.problem != NULL || cut == 0 || cut == 12 || cut == 21);
    }
    /* A flipped payload byte fails the checksum. */
    b.data[b.len - 1] ^= 1;
    wal_read_buffer((const uint8_t *)b.data, b.len, count_cb, &sum, &res);
    CHECK_INT(res.records, 2);
    CHECK_STREQ(res.problem, "checksum mismatch");
    buf_fini(&b);
}

/* Writes `rounds` commits of 10 series x 1 sample each (t = fake_now + round*1000). */
static void write_rounds(struct tsdb *db, int from, int to)
{
    for (int r = from; r < to; r++) {
        struct tsdb_appender *a = tsdb_appender_new(db);
        struct tsdb_commit_result res;
        for (int s = 0; s < 10; s++) {
            char spec[64];
            int64_t t = fake_now + r * 1000LL;
            double v = r * 10 + s;
            snprintf(spec, sizeof(spec), "__name__=w,s=%d", s);
            tsdb_appender_add(a, L(spec), &t, &v, 1);
        }
        CHECK(tsdb_appender_commit(a, &res, NULL) == 0);
        CHECK_INT(res.appended, 10);
        tsdb_appender_free(a);
    }
}

static void test_replay_after_kill(void)
{
    char *dir = make_tmpdir();
    pid_t pid = fork();
    struct tsdb *db;
    int status;
    CHECK(pid >= 0);
    if (pid == 0) {
        db = open_db(dir);
        write_rounds(db, 0, 50);
        kill(getpid(), SIGKILL); /* no close, no fsync: acknowledged data is in the page cache */
        _exit(1);
    }
    CHECK(waitpid(pid, &status, 0) == pid);
    CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    db = open_db(dir);
    {
        size_t n = 0;
        struct tsdb_stats st;
        CHECK_INT(count_samples(db, "{__name__=\"w\"}", INT64_MIN, INT64_MAX, &n), 500);
        CHECK_INT(n, 10);
        tsdb_stats_get(db, &st);
        CHECK_INT(st.replay_corruptions, 0);
        CHECK_INT(st.replay_samples_dropped, 0);
    }
    /* Appending continues after the replayed data, and survives a second restart. */
    write_rounds(db, 50, 60);
    CHECK_INT(add1(db, "__name__=w,s=1", fake_now + 10, 1), TSDB_REJECT_OUT_OF_ORDER);
    tsdb_close(db);
    db = open_db(dir);
    CHECK_INT(count_samples(db, "{__name__=\"w\"}", INT64_MIN, INT64_MAX, NULL), 600);
    tsdb_close(db);
    remove_tree(dir);
}

static char *only_segment(const char *dir)
{
    char *wal = xasprintf("%s/wal", dir), *path = NULL;
    uint32_t *segs = NULL;
    size_t n = 0;
    CHECK(wal_list_segments(wal, &segs, &n, NULL) == 0);
    CHECK(n >= 1);
    for (size_t i = 0; i < n; i++) {
        struct stat st;
        char *p = xasprintf("%s/%08u", wal, segs[i]);
        if (stat(p, &st) == 0 && st.st_size > 0) {
            xfree(path);
            path = p;
        } else {
            xfree(p);
        }
    }
    xfree(segs);
    xfree(wal);
    CHECK(path != NULL);
    return path;
}

static off_t file_size(const char *path)
{
    struct stat st;
    CHECK(stat(path, &st) == 0);
    return st.st_size;
}

static void test_corrupt_tail_truncated(void)
{
    for (int mode = 0; mode < 3; mode++) {
        char *dir = make_tmpdir(), *seg;
        struct tsdb *db = open_db(dir);
        off_t before, size;
        int fd;
        write_rounds(db, 0, 20);
        seg = only_segment(dir);
        before = file_size(seg);
        write_rounds(db, 20, 21); /* the last commit: one samples record */
        tsdb_close(db);
        size = file_size(seg);
        CHECK(size > before);
        fd = open(seg, O_RDWR);
        CHECK(fd >= 0);
        if (mode == 0) {
            CHECK(ftruncate(fd, before + (size - before) / 2) == 0); /* torn mid-record */
        } else if (mode == 1) {
            uint8_t c;
            CHECK(pread(fd, &c, 1, size - 3) == 1); /* flipped payload byte */
            c ^= 0x40;
            CHECK(pwrite(fd, &c, 1, size - 3) == 1);
        } else {
            CHECK(pwrite(fd, "\xff\xff\xff\x7f", 4, before) == 4); /* absurd length */
        }
        close(fd);
        db = open_db(dir);
        {
            struct tsdb_stats st;
            tsdb_stats_get(db, &st);
            CHECK_INT(st.replay_corruptions, 1);
        }
        CHECK_INT(count_samples(db, "{__name__=\"w\"}", INT64_MIN, INT64_MAX, NULL), 200);
        CHECK(file_size(seg) == before);
        /* New data goes to a new segment and replays fine next time. */
        write_rounds(db, 21, 22);
        tsdb_close(db);
        db = open_db(dir);
        CHECK_INT(count_samples(db, "{__name__=\"w\"}", INT64_MIN, INT64_MAX, NULL), 210);
        tsdb_close(db);
        xfree(seg);
        remove_tree(dir);
    }
}

static void test_garbage_segment_never_crashes(void)
{
    char *dir = make_tmpdir();
    char *wal = xasprintf("%s/wal", dir), *seg = xasprintf("%s/wal/00000001", dir);
    struct tsdb *db;
    struct buf b;
    FILE *f;
    /* Valid framing around malformed payloads, then random bytes. */
    buf_init(&b, 0);
    wal_frame(&b, WAL_REC_SERIES, "\x01\x05\x01", 3);  /* 5 labels announced, 1 byte */
    wal_frame(&b, WAL_REC_SAMPLES, "\x07\x02\x00", 3); /* unknown series, short data */
    wal_frame(&b, 99, "x", 1);                         /* unknown type */
    wal_frame(&b, WAL_REC_SERIES,
              "\x02\x01\x01"
              "a\x01"
              "b",
              6); /* valid: id 2 {a="b"} */
    buf_append(&b, "\x13\x37garbage-tail", 14);
    CHECK(mkdir(wal, 0755) == 0);
    f = fopen(seg, "wb");
    CHECK(f != NULL);
    fwrite(b.data, 1, b.len, f);
    fclose(f);
    db = open_db(dir);
    {
        struct tsdb_stats st;
        tsdb_stats_get(db, &st);
        CHECK(st.replay_corruptions >= 3);
        CHECK_INT(st.head_series, 0); /* {a="b"} had no samples: removed by retention gc */
    }
    CHECK_INT(add1(db, "__name__=x", fake_now, 1), -1);
    tsdb_close(db);
    buf_fini(&b);
    xfree(wal);
    xfree(seg);
    remove_tree(dir);
}

static void test_checkpoint_and_replay(void)
{
    char *dir = make_tmpdir(), *ck, *wal;
    struct tsdb *db = open_db(dir), *db2;
    uint32_t *segs = NULL;
    size_t nsegs = 0;
    struct tsdb_stats st;
    write_rounds(db, 0, 300); /* several chunks per series */
    CHECK(tsdb_checkpoint(db, NULL) == 0);
    write_rounds(db, 300, 310);
    /* The segment covered by the checkpoint is gone. */
    wal = xasprintf("%s/wal", dir);
    CHECK(wal_list_segments(wal, &segs, &nsegs, NULL) == 0);
    CHECK_INT(nsegs, 1);
    CHECK_INT(segs[0], 2);
    ck = xasprintf("%s/checkpoint.00000001", dir);
    CHECK(access(ck, F_OK) == 0);
    /* "Crash": open a second instance without closing the first. */
    db2 = open_db(dir);
    CHECK_INT(count_samples(db2, "{__name__=\"w\"}", INT64_MIN, INT64_MAX, NULL), 3100);
    CHECK_INT(count_samples(db2, "{s=\"3\"}", fake_now + 299000, fake_now + 301000, NULL), 3);
    tsdb_stats_get(db2, &st);
    CHECK_INT(st.head_series, 10);
    CHECK_INT(st.replay_corruptions, 0);
    /* Appends continue on restored head chunks. */
    write_rounds(db2, 310, 320);
    tsdb_close(db);
    CHECK(tsdb_checkpoint(db2, NULL) == 0);
    tsdb_close(db2);
    db = open_db(dir);
    CHECK_INT(count_samples(db, "{__name__=\"w\"}", INT64_MIN, INT64_MAX, NULL), 3200);
    tsdb_close(db);
    CHECK(access(ck, F_OK) != 0); /* older checkpoint deleted */
    xfree(segs);
    xfree(ck);
    xfree(wal);
    remove_tree(dir);
}

static void test_corrupt_checkpoint_keeps_wal_data(void)
{
    char *dir = make_tmpdir(), *ck;
    struct tsdb *db = open_db(dir);
    int fd;
    write_rounds(db, 0, 10);
    CHECK(tsdb_checkpoint(db, NULL) == 0);
    write_rounds(db, 10, 12);
    tsdb_close(db);
    ck = xasprintf("%s/checkpoint.00000001", dir);
    fd = open(ck, O_RDWR);
    CHECK(fd >= 0);
    CHECK(pwrite(fd, "X", 1, 20) == 1);
    close(fd);
    db = open_db(dir); /* logs an error, keeps what the WAL has */
    {
        struct tsdb_stats st;
        tsdb_stats_get(db, &st);
        CHECK_INT(st.replay_corruptions, 1);
    }
    CHECK_INT(count_samples(db, "{__name__=\"w\"}", INT64_MIN, INT64_MAX, NULL), 20);
    tsdb_close(db);
    xfree(ck);
    remove_tree(dir);
}

static void test_expired_dropped_at_replay(void)
{
    char *dir = make_tmpdir();
    struct tsdb *db = open_db(dir);
    int64_t saved = fake_now;
    write_rounds(db, 0, 10);
    CHECK(tsdb_checkpoint(db, NULL) == 0);
    fake_now += 3600 * 1000LL;
    write_rounds(db, 0, 10);
    tsdb_close(db);
    /* Restart 6.5 h later: the checkpointed samples are expired, the WAL ones are not. Retention
     * works on whole chunks, so the expired samples sharing a chunk with fresh ones remain. */
    fake_now = saved + TSDB_DEFAULT_RETENTION_MS + 1800 * 1000LL;
    db = open_db(dir);
    CHECK_INT(count_samples(db, "{__name__=\"w\"}", saved + 1800 * 1000LL, INT64_MAX, NULL), 100);
    tsdb_close(db);
    fake_now = saved + 2 * TSDB_DEFAULT_RETENTION_MS;
    db = open_db(dir);
    {
        struct tsdb_stats st;
        tsdb_stats_get(db, &st);
        CHECK_INT(st.head_series, 0);
        CHECK_INT(st.replay_samples_dropped, 100);
    }
    tsdb_close(db);
    fake_now = saved;
    remove_tree(dir);
}

static void test_fsync_every_commit(void)
{
    char *dir = make_tmpdir();
    struct tsdb_options o;
    struct tsdb *db = NULL;
    struct tsdb_stats st;
    tsdb_options_default(&o);
    o.dir = dir;
    o.background = true;
    o.fsync_interval_ms = 0;
    o.now_ms = fake_clock;
    CHECK(tsdb_open(&o, &db, NULL) == 0);
    write_rounds(db, 0, 5);
    tsdb_stats_get(db, &st);
    CHECK(st.wal_fsyncs >= 5);
    tsdb_close(db);
    /* Background interval sync. */
    o.fsync_interval_ms = 20;
    CHECK(tsdb_open(&o, &db, NULL) == 0);
    write_rounds(db, 5, 6);
    usleep(200 * 1000);
    tsdb_stats_get(db, &st);
    CHECK(st.wal_fsyncs >= 1);
    tsdb_close(db);
    remove_tree(dir);
}

struct stress {
    struct tsdb *db;
    int id;
    _Atomic int *stop;
};

static void *stress_writer(void *arg)
{
    struct stress *c = arg;
    for (int r = 0; r < 300; r++) {
        struct tsdb_appender *a = tsdb_appender_new(c->db);
        struct tsdb_commit_result res;
        for (int s = 0; s < 10; s++) {
            char spec[64];
            int64_t t = fake_now + r * 1000LL;
            double v = r;
            snprintf(spec, sizeof(spec), "__name__=st,w=%d,s=%d", c->id, s);
            tsdb_appender_add(a, L(spec), &t, &v, 1);
        }
        CHECK(tsdb_appender_commit(a, &res, NULL) == 0);
        CHECK_INT(res.appended, 10);
        tsdb_appender_free(a);
    }
    return NULL;
}

static void *stress_maint(void *arg)
{
    struct stress *c = arg;
    while (!*c->stop) {
        size_t n = 0;
        if (c->id == 0) {
            CHECK(tsdb_checkpoint(c->db, NULL) == 0);
        } else {
            tsdb_gc(c->db);
            count_samples(c->db, "{__name__=\"st\", s=\"1\"}", INT64_MIN, INT64_MAX, &n);
            CHECK(n <= 3);
        }
    }
    return NULL;
}

static void test_concurrent_checkpoints(void)
{
    char *dir = make_tmpdir();
    struct tsdb *db = open_db(dir);
    pthread_t w[3], m[2];
    struct stress cw[3], cm[2];
    _Atomic int stop = 0;
    for (int i = 0; i < 2; i++) {
        cm[i] = (struct stress){db, i, &stop};
        pthread_create(&m[i], NULL, stress_maint, &cm[i]);
    }
    for (int i = 0; i < 3; i++) {
        cw[i] = (struct stress){db, i, &stop};
        pthread_create(&w[i], NULL, stress_writer, &cw[i]);
    }
    for (int i = 0; i < 3; i++)
        pthread_join(w[i], NULL);
    stop = 1;
    for (int i = 0; i < 2; i++)
        pthread_join(m[i], NULL);
    CHECK_INT(count_samples(db, "{__name__=\"st\"}", INT64_MIN, INT64_MAX, NULL), 9000);
    /* Crash-reopen: the last checkpoint plus the WAL after it hold everything. */
    {
        struct tsdb *db2 = open_db(dir);
        struct tsdb_stats st;
        CHECK_INT(count_samples(db2, "{__name__=\"st\"}", INT64_MIN, INT64_MAX, NULL), 9000);
        tsdb_stats_get(db2, &st);
        CHECK_INT(st.replay_corruptions, 0);
        CHECK_INT(st.head_series, 30);
        tsdb_close(db2);
    }
    tsdb_close(db);
    remove_tree(dir);
}

static const struct test_case tests[] = {
    TEST(test_wal_framing),
    TEST(test_replay_after_kill),
    TEST(test_corrupt_tail_truncated),
    TEST(test_garbage_segment_never_crashes),
    TEST(test_checkpoint_and_replay),
    TEST(test_corrupt_checkpoint_keeps_wal_data),
    TEST(test_expired_dropped_at_replay),
    TEST(test_fsync_every_commit),
    TEST(test_concurrent_checkpoints),
    {0},
};
TEST_MAIN(tests)
