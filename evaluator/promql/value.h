/* SPDX-License-Identifier: Apache-2.0 */
/*
 * PromQL result values: scalar, string, instant vector (samples) and matrix (series of points),
 * plus the annotations (warnings and infos) a query produces.
 */
#ifndef TOCSIN_EVALUATOR_PROMQL_VAL_H
#define TOCSIN_EVALUATOR_PROMQL_VAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct labels;

enum promql_val_type {
    PROMQL_VAL_NONE = 0,
    PROMQL_VAL_SCALAR,
    PROMQL_VAL_STRING,
    PROMQL_VAL_VECTOR,
    PROMQL_VAL_MATRIX,
};

/* One sample of an instant vector. */
struct promql_sample {
    struct labels *labels; /* owned */
    int64_t t;             /* milliseconds */
    double v;
    void *h;        /* native histogram (reserved; always NULL for float samples) */
    bool drop_name; /* delayed __name__ removal: drop the name when the query ends */
};

struct promql_vector {
    struct promql_sample *s;
    size_t n, cap;
};

struct promql_point {
    int64_t t;
    double v;
};

/* One series of a matrix: labels and points in time order. */
struct promql_series {
    struct labels *labels; /* owned */
    struct promql_point *p;
    size_t n, cap;
    bool drop_name;
};

struct promql_matrix {
    struct promql_series *s;
    size_t n, cap;
};

/* A value of any type. Only the member named by type is meaningful. */
struct promql_value {
    enum promql_val_type type;
    int64_t t; /* evaluation time of a scalar or string */
    double f;  /* PROMQL_VAL_SCALAR */
    char *str; /* PROMQL_VAL_STRING, owned */
    struct promql_vector vec;
    struct promql_matrix mat;
};

/* Annotations gathered while a query runs, in the text form of Prometheus's API
 * ("PromQL warning: ... (1:6)"). Duplicates are dropped. */
struct promql_annotations {
    char **warn;
    size_t nwarn;
    char **info;
    size_t ninfo;
};

/* A query's result: the value and its annotations. */
struct promql_result {
    struct promql_value value;
    struct promql_annotations notes;
};

/* Human name of a type ("scalar", "string", "instant vector", "range vector"). */
const char *promql_val_type_name(enum promql_val_type t);

void promql_vector_init(struct promql_vector *v);
/* Appends a sample; takes ownership of labels. */
struct promql_sample *promql_vector_push(struct promql_vector *v, struct labels *labels, int64_t t,
                                         double f);
/* Frees every sample's labels and the array. */
void promql_vector_fini(struct promql_vector *v);
/* Sorts samples by labels (Prometheus label order). */
void promql_vector_sort_labels(struct promql_vector *v);

void promql_matrix_init(struct promql_matrix *m);
/* Appends a series without points; takes ownership of labels. */
struct promql_series *promql_matrix_push(struct promql_matrix *m, struct labels *labels);
void promql_series_push_point(struct promql_series *s, int64_t t, double v);
void promql_matrix_fini(struct promql_matrix *m);
/* Sorts series by labels. */
void promql_matrix_sort_labels(struct promql_matrix *m);
/* Total number of points. */
size_t promql_matrix_points(const struct promql_matrix *m);

void promql_value_init(struct promql_value *v);
/* Frees whatever v holds and resets it to PROMQL_VAL_NONE. */
void promql_value_fini(struct promql_value *v);
/* Moves src into dst (dst must be empty), leaving src empty. */
void promql_value_move(struct promql_value *dst, struct promql_value *src);

void promql_annotations_init(struct promql_annotations *a);
void promql_annotations_fini(struct promql_annotations *a);
/* Adds a warning (is_info false) or an info; text copied; duplicates ignored. */
void promql_annotations_add(struct promql_annotations *a, bool is_info, const char *text);
/* Moves every annotation of src into dst. */
void promql_annotations_merge(struct promql_annotations *dst, struct promql_annotations *src);

void promql_result_init(struct promql_result *r);
void promql_result_fini(struct promql_result *r);

#endif
