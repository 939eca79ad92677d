/* SPDX-License-Identifier: Apache-2.0 */
/* Worker pool with loop-thread completions (a pipe wakes the loop). */
#include "common/workq.h"

#include <event2/event.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <unistd.h>

#include "common/xalloc.h"

struct job {
    workq_work_cb work;
    workq_done_cb done;
    void *arg;
    struct job *next;
};

struct workq {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct job *head, *tail;           /* waiting for a worker */
    struct job *done_head, *done_tail; /* finished, waiting for the loop */
    size_t pending;
    bool stopping;
    int nthreads;
    pthread_t *threads;
    int pipefd[2];
    struct event *ev;
};

static void push(struct job **h, struct job **t, struct job *j)
{
    j->next = NULL;
    if (*t)
        (*t)->next = j;
    else
        *h = j;
    *t = j;
}

static void run_done(struct workq *q)
{
    struct job *list;
    pthread_mutex_lock(&q->mu);
    list = q->done_head;
    q->done_head = q->done_tail = NULL;
    pthread_mutex_unlock(&q->mu);
    while (list) {
        struct job *n = list->next;
        if (list->done)
            list->done(list->arg);
        xfree(list);
        pthread_mutex_lock(&q->mu);
        q->pending--;
        pthread_mutex_unlock(&q->mu);
        list = n;
    }
}

static void on_wake(evutil_socket_t fd, short what, void *arg)
{
    char b[64];
    (void)what;
    while (read(fd, b, sizeof(b)) > 0)
        ;
    run_done(arg);
}

static void *worker(void *arg)
{
    struct workq *q = arg;
    for (;;) {
        struct job *j;
        pthread_mutex_lock(&q->mu);
        while (q->head == NULL && !q->stopping)
            pthread_cond_wait(&q->cv, &q->mu);
        if (q->head == NULL) {
            pthread_mutex_unlock(&q->mu);
            return NULL;
        }
        j = q->head;
        q->head = j->next;
        if (q->head == NULL)
            q->tail = NULL;
        pthread_mutex_unlock(&q->mu);
        j->work(j->arg);
        pthread_mutex_lock(&q->mu);
        push(&q->done_head, &q->done_tail, j);
        pthread_mutex_unlock(&q->mu);
        if (write(q->pipefd[1], "x", 1) < 0) {
            /* the pipe is non-blocking: full means a wake-up is already pending */
        }
    }
}

struct workq *workq_new(struct event_base *base, int nthreads)
{
    struct workq *q = xcalloc(1, sizeof(*q));
    if (nthreads < 1)
        nthreads = 1;
    pthread_mutex_init(&q->mu, NULL);
    pthread_cond_init(&q->cv, NULL);
    if (pipe(q->pipefd) != 0)
        abort();
    for (int i = 0; i < 2; i++) {
        fcntl(q->pipefd[i], F_SETFL, fcntl(q->pipefd[i], F_GETFL) | O_NONBLOCK);
        fcntl(q->pipefd[i], F_SETFD, FD_CLOEXEC);
    }
    q->ev = event_new(base, q->pipefd[0], EV_READ | EV_PERSIST, on_wake, q);
    event_add(q->ev, NULL);
    q->nthreads = nthreads;
    q->threads = xcalloc((size_t)nthreads, sizeof(*q->threads));
    for (int i = 0; i < nthreads; i++)
        pthread_create(&q->threads[i], NULL, worker, q);
    return q;
}

void workq_submit(struct workq *q, workq_work_cb work, workq_done_cb done, void *arg)
{
    struct job *j = xcalloc(1, sizeof(*j));
    j->work = work;
    j->done = done;
    j->arg = arg;
    pthread_mutex_lock(&q->mu);
    push(&q->head, &q->tail, j);
    q->pending++;
    pthread_cond_signal(&q->cv);
    pthread_mutex_unlock(&q->mu);
}

size_t workq_pending(const struct workq *q)
{
    size_t n;
    pthread_mutex_lock((pthread_mutex_t *)&q->mu);
    n = q->pending;
    pthread_mutex_unlock((pthread_mutex_t *)&q->mu);
    return n;
}

void workq_free(struct workq *q)
{
    if (q == NULL)
        return;
    pthread_mutex_lock(&q->mu);
    q->stopping = true;
    pthread_cond_broadcast(&q->cv);
    pthread_mutex_unlock(&q->mu);
    for (int i = 0; i < q->nthreads; i++)
        pthread_join(q->threads[i], NULL);
    run_done(q);
    event_free(q->ev);
    close(q->pipefd[0]);
    close(q->pipefd[1]);
    pthread_mutex_destroy(&q->mu);
    pthread_cond_destroy(&q->cv);
    xfree(q->threads);
    xfree(q);
}
