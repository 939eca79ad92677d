/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Prometheus rule files (rulefmt): parsing and validation with Prometheus 3.x's checks and
 * messages, every error naming file:line:column and the group/rule.
 */
#ifndef TOCSIN_EVALUATOR_RULES_RULEFILE_H
#define TOCSIN_EVALUATOR_RULES_RULEFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct err;

/* A name/value pair of a rule's labels or annotations (values may be templates). */
struct rule_kv {
    char *name;
    char *value;
};

/* A sorted (by name) list of pairs; owned strings. */
struct rule_kvs {
    struct rule_kv *v;
    size_t n;
};

enum rule_kind { RULE_RECORD = 1, RULE_ALERT = 2 };

struct rule_def {
    enum rule_kind kind;
    char *name; /* alert or record name */
    char *expr;
    int64_t for_ms;
    int64_t keep_firing_for_ms;
    struct rule_kvs labels;
    struct rule_kvs annotations;
    int line, column; /* position of the rule's mapping */
};

struct rule_group_def {
    char *name;
    char *file;              /* the file it came from (as given to the loader) */
    int64_t interval_ms;     /* 0: use the default */
    bool has_query_offset;   /* query_offset given (even 0) */
    int64_t query_offset_ms; /* >= 0 */
    long long limit;         /* 0: no limit */
    struct rule_kvs labels;  /* group labels, added to every rule (rule labels win) */
    struct rule_def *rules;
    size_t nrules;
    int line, column;
};

struct rule_file {
    char *path;
    struct rule_group_def *groups;
    size_t ngroups;
    bool more_docs; /* the file had more than one YAML document (only the first is used) */
};

/* Every error found in a file, each "file:line:col: message" (position parts when known). */
struct rule_errors {
    char **msgs;
    size_t n;
};

void rule_errors_init(struct rule_errors *errs);
void rule_errors_fini(struct rule_errors *errs);
/* Appends a copy of msg. */
void rule_errors_add(struct rule_errors *errs, const char *msg);

/* Name validation scheme: utf8 is the 3.x default, legacy the 2.x rules. */
enum rule_name_scheme { RULE_NAMES_UTF8 = 0, RULE_NAMES_LEGACY = 1 };

struct rule_parse_opts {
    bool ignore_unknown_fields;
    enum rule_name_scheme names;
    unsigned promql_flags; /* PROMQL_PARSE_* bits for expressions */
    bool skip_expr_check;  /* do not parse expressions (unit tests of the state machine) */
};

/*
 * Parses and validates data[0..len) as a rule file named path (used in messages). On success
 * returns 0 and a new *out (caller frees with rule_file_free). When the file is invalid returns
 * ERR_INVALID (ERR_PARSE for YAML syntax) and appends every problem found to errs (may be NULL;
 * e then holds the first). opts may be NULL for the defaults. Thread-safe.
 */
int rule_file_parse(const char *data, size_t len, const char *path,
                    const struct rule_parse_opts *opts, struct rule_file **out,
                    struct rule_errors *errs, struct err *e);

/* Reads path (capped at 64 MiB) and calls rule_file_parse. */
int rule_file_load(const char *path, const struct rule_parse_opts *opts, struct rule_file **out,
                   struct rule_errors *errs, struct err *e);

void rule_file_free(struct rule_file *f);

/* Number of rules in all groups. */
size_t rule_file_count(const struct rule_file *f);

/* Looks a pair up by name; NULL when absent. */
const char *rule_kvs_get(const struct rule_kvs *kvs, const char *name);
void rule_kvs_fini(struct rule_kvs *kvs);
void rule_kvs_copy(struct rule_kvs *dst, const struct rule_kvs *src);

/* Reads a whole file into a NUL-terminated heap buffer (max bytes); ERR_IO / ERR_TOOBIG. */
int rule_read_file(const char *path, size_t max, char **out, size_t *len, struct err *e);

#endif
