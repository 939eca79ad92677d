/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Self-metrics registry: counters, gauges and histograms, optionally labelled (one child per
 * label-value tuple), thread-safe, rendered in the Prometheus text exposition format 0.0.4.
 */
#ifndef TOCSIN_COMMON_METRICS_H
#define TOCSIN_COMMON_METRICS_H

#include <stddef.h>

struct buf;
struct err;
struct metrics_registry;
struct metrics_family;
struct metric;

enum metrics_type { METRICS_COUNTER, METRICS_GAUGE, METRICS_HISTOGRAM };

/* Text exposition content type served at /metrics. */
#define METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

/* Called at the start of every metrics_render (to refresh gauges); runs on the render thread. */
typedef void (*metrics_collect_cb)(struct metrics_registry *reg, void *ctx);

/* New empty registry; caller frees with metrics_registry_free. */
struct metrics_registry *metrics_registry_new(void);
/* Frees the registry and every family and child in it (pointers into it die). NULL is a no-op. */
void metrics_registry_free(struct metrics_registry *reg);

/*
 * Registers a family. name and help are copied; label_names is a NULL-terminated array (copied)
 * or NULL for none. Registering the same name again with the same type and labels returns the
 * existing family; with a different type or labels, or an invalid metric/label name, it aborts
 * (a programming error). The family lives as long as the registry. Thread-safe.
 */
struct metrics_family *metrics_counter_new(struct metrics_registry *reg, const char *name,
                                           const char *help, const char *const *label_names);
struct metrics_family *metrics_gauge_new(struct metrics_registry *reg, const char *name,
                                         const char *help, const char *const *label_names);
/* buckets: nbuckets strictly increasing finite upper bounds (copied); +Inf is implicit. */
struct metrics_family *metrics_histogram_new(struct metrics_registry *reg, const char *name,
                                             const char *help, const char *const *label_names,
                                             const double *buckets, size_t nbuckets);

/* Default latency buckets (seconds): .005 .01 .025 .05 .1 .25 .5 1 2.5 5 10. */
extern const double METRICS_DEFAULT_BUCKETS[11];

/*
 * The child for the label values (array of as many strings as the family has label names,
 * copied on first use), created at zero on first use. The pointer is stable for the registry's
 * lifetime, so hot paths may keep it. Thread-safe.
 */
struct metric *metrics_child(struct metrics_family *f, const char *const *values);
/* Same with the values as variadic arguments (exactly the family's label count). */
struct metric *metrics_childv(struct metrics_family *f, ...);
/* The single child of a family without labels. */
struct metric *metrics_get(struct metrics_family *f);
/* Removes the child with these values if present (e.g. a receiver that went away). */
void metrics_child_remove(struct metrics_family *f, const char *const *values);

/* Counter/gauge updates; lock-free. metrics_add on a counter ignores negative v. */
void metrics_inc(struct metric *m);
void metrics_add(struct metric *m, double v);
void metrics_set(struct metric *m, double v); /* gauges (and counters restored from disk) */
/* Histogram observation. */
void metrics_observe(struct metric *m, double v);
/* Current value (counter/gauge) or sum of observations (histogram). */
double metrics_value(const struct metric *m);
/* Observation count of a histogram (0 for others). */
unsigned long long metrics_count(const struct metric *m);

/*
 * Adds a callback run at the start of every render. ctx is borrowed when free_ctx is NULL, else
 * taken: free_ctx(ctx) runs when the registry is freed.
 */
void metrics_add_collector(struct metrics_registry *reg, metrics_collect_cb cb, void *ctx,
                           void (*free_ctx)(void *));

/*
 * Appends the text exposition of every family (sorted by name; children sorted by label values)
 * to out. Returns 0 or ERR_TOOBIG when out's cap is hit. Thread-safe.
 */
int metrics_render(struct metrics_registry *reg, struct buf *out);

/*
 * Registers process_cpu_seconds_total, process_resident_memory_bytes,
 * process_virtual_memory_bytes, process_start_time_seconds, process_open_fds and
 * process_max_fds, read from /proc at every render.
 */
void metrics_register_process(struct metrics_registry *reg);

/* Registers tocsin_build_info{version,revision} 1 with the compiled version and revision. */
void metrics_register_build_info(struct metrics_registry *reg);

#endif
