/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for the worker pool: work runs off the loop, completions run on it. */
#include <event2/event.h>
#include <pthread.h>
#include <stdatomic.h>

#include "common/workq.h"
#include "test/harness.h"

struct job_state {
    pthread_t loop_thread;
    atomic_int worked;
    int done;
    int on_loop;
    struct event_base *base;
    int total;
};

struct one {
    struct job_state *st;
    long result;
    long n;
};

static void work(void *arg)
{
    struct one *o = arg;
    long s = 0;
    for (long i = 0; i < o->n; i++)
        s += i;
    o->result = s;
    atomic_fetch_add(&o->st->worked, 1);
}

static void done(void *arg)
{
    struct one *o = arg;
    o->st->done++;
    if (pthread_equal(pthread_self(), o->st->loop_thread))
        o->st->on_loop++;
    if (o->st->done == o->st->total)
        event_base_loopbreak(o->st->base);
}

static void test_workq_roundtrip(void)
{
    struct job_state st = {0};
    struct one jobs[50];
    struct workq *q;
    st.base = event_base_new();
    st.loop_thread = pthread_self();
    st.total = 50;
    q = workq_new(st.base, 3);
    for (int i = 0; i < 50; i++) {
        jobs[i].st = &st;
        jobs[i].n = 1000 + i;
        workq_submit(q, work, done, &jobs[i]);
    }
    event_base_dispatch(st.base);
    CHECK_INT(st.done, 50);
    CHECK_INT(st.on_loop, 50);
    CHECK_INT(jobs[10].result, (1010L * 1009L) / 2);
    CHECK_INT(workq_pending(q), 0);
    workq_free(q);
    event_base_free(st.base);
}

static void test_workq_free_runs_pending_done(void)
{
    struct job_state st = {0};
    struct one jobs[5];
    struct workq *q;
    st.base = event_base_new();
    st.loop_thread = pthread_self();
    st.total = 100; /* never reached: no loop runs */
    q = workq_new(st.base, 1);
    for (int i = 0; i < 5; i++) {
        jobs[i].st = &st;
        jobs[i].n = 10;
        workq_submit(q, work, done, &jobs[i]);
    }
    workq_free(q); /* must run the queued work and their completions */
    CHECK_INT(atomic_load(&st.worked), 5);
    CHECK_INT(st.done, 5);
    event_base_free(st.base);
}

static const struct test_case tests[] = {
    TEST(test_workq_roundtrip), TEST(test_workq_free_runs_pending_done), {0}};
TEST_MAIN(tests)
