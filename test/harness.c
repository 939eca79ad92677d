/* SPDX-License-Identifier: Apache-2.0 */
/* The unit-test harness: fork per test, time limit, one result line per test. */
#include "test/harness.h"

#include <signal.h>
#include <stdarg.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

void test_fail(const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    fprintf(stdout, "    %s:%d: ", file, line);
    va_start(ap, fmt);
    vfprintf(stdout, fmt, ap);
    va_end(ap);
    fputc('\n', stdout);
    fflush(stdout);
    _exit(1);
}

static int run_one(const struct test_case *t, int timeout_s)
{
    pid_t pid;
    int status = 0;
    fflush(stdout);
    fflush(stderr);
    pid = fork();
    if (pid < 0) {
        perror("fork");
        return 0;
    }
    if (pid == 0) {
        alarm((unsigned)timeout_s);
        t->fn();
        fflush(stdout);
        _exit(0);
    }
    while (waitpid(pid, &status, 0) < 0)
        ;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
        printf("ok %s\n", t->name);
        return 1;
    }
    if (WIFSIGNALED(status))
        printf("not ok %s: killed by signal %d%s\n", t->name, WTERMSIG(status),
               WTERMSIG(status) == SIGALRM ? " (time limit)" : "");
    else
        printf("not ok %s: exit status %d\n", t->name, WEXITSTATUS(status));
    return 0;
}

int test_main(const char *prog, const struct test_case *tests, int argc, char **argv)
{
    int passed = 0, failed = 0, timeout_s = 60;
    const char *only = argc > 1 ? argv[1] : NULL;
    const char *env = getenv("TEST_TIMEOUT");
    if (env)
        timeout_s = atoi(env) > 0 ? atoi(env) : 60; /* test code: atoi is fine here */
    setvbuf(stdout, NULL, _IOLBF, 0);
    for (const struct test_case *t = tests; t->name; t++) {
        if (only && strcmp(only, t->name) != 0)
            continue;
        if (run_one(t, timeout_s))
            passed++;
        else
            failed++;
    }
    printf("# %s: %d passed, %d failed\n", prog, passed, failed);
    return failed ? 1 : 0;
}
