/* SPDX-License-Identifier: Apache-2.0 */
/* Process metrics from /proc (CPU, memory, start time, file descriptors) and build info. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "common/metrics.h"
#include "common/xalloc.h"

struct proc_metrics {
    struct metric *cpu, *rss, *vsz, *start, *fds, *maxfds;
};

static double boot_time(void)
{
    FILE *f = fopen("/proc/stat", "r");
    char line[256];
    double bt = 0;
    if (f == NULL)
        return 0;
    while (fgets(line, sizeof(line), f) != NULL) {
        if (strncmp(line, "btime ", 6) == 0) {
            bt = strtod(line + 6, NULL);
            break;
        }
    }
    fclose(f);
    return bt;
}

static void collect_process(struct metrics_registry *reg, void *ctx)
{
    struct proc_metrics *pm = ctx;
    char data[1024], *p;
    FILE *f;
    size_t n;
    double ticks = (double)sysconf(_SC_CLK_TCK);
    double page = (double)sysconf(_SC_PAGESIZE);
    DIR *d;
    struct rlimit rl;
    (void)reg;
    f = fopen("/proc/self/stat", "r");
    if (f != NULL) {
        n = fread(data, 1, sizeof(data) - 1, f);
        fclose(f);
        data[n] = '\0';
        p = strrchr(data, ')');
        if (p != NULL && ticks > 0) {
            /* fields after the command: state(3) ... utime(14) stime(15) ... starttime(22)
             * vsize(23) rss(24); p+2 is field 3 */
            unsigned long long v[25] = {0};
            char *save = NULL, *tok = strtok_r(p + 2, " ", &save);
            for (int field = 3; tok != NULL && field <= 24; field++) {
                v[field] = strtoull(tok, NULL, 10);
                tok = strtok_r(NULL, " ", &save);
            }
            metrics_set(pm->cpu, (double)(v[14] + v[15]) / ticks);
            metrics_set(pm->start, boot_time() + (double)v[22] / ticks);
            metrics_set(pm->vsz, (double)v[23]);
            metrics_set(pm->rss, (double)v[24] * page);
        }
    }
    d = opendir("/proc/self/fd");
    if (d != NULL) {
        struct dirent *de;
        double count = 0;
        while ((de = readdir(d)) != NULL)
            if (de->d_name[0] != '.')
                count++;
        closedir(d);
        metrics_set(pm->fds, count - 1); /* not counting the directory handle itself */
    }
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0)
        metrics_set(pm->maxfds, (double)rl.rlim_cur);
}

void metrics_register_process(struct metrics_registry *reg)
{
    struct proc_metrics *pm = xcalloc(1, sizeof(*pm));
    pm->cpu =
        metrics_get(metrics_counter_new(reg, "process_cpu_seconds_total",
                                        "Total user and system CPU time spent in seconds.", NULL));
    pm->rss = metrics_get(metrics_gauge_new(reg, "process_resident_memory_bytes",
                                            "Resident memory size in bytes.", NULL));
    pm->vsz = metrics_get(metrics_gauge_new(reg, "process_virtual_memory_bytes",
                                            "Virtual memory size in bytes.", NULL));
    pm->start = metrics_get(metrics_gauge_new(reg, "process_start_time_seconds",
                                              "Start time of the process since unix epoch in "
                                              "seconds.",
                                              NULL));
    pm->fds = metrics_get(
        metrics_gauge_new(reg, "process_open_fds", "Number of open file descriptors.", NULL));
    pm->maxfds = metrics_get(metrics_gauge_new(reg, "process_max_fds",
                                               "Maximum number of open file descriptors.", NULL));
    metrics_add_collector(reg, collect_process, pm, xfree);
}

void metrics_register_build_info(struct metrics_registry *reg)
{
    static const char *const labels[] = {"version", "revision", NULL};
    struct metrics_family *f =
        metrics_gauge_new(reg, "tocsin_build_info",
                          "A metric with a constant '1' value labeled by version and revision "
                          "from which tocsin was built.",
                          labels);
    metrics_set(metrics_childv(f, TOCSIN_VERSION, TOCSIN_REVISION), 1);
}
