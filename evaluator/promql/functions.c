/* SPDX-License-Identifier: Apache-2.0 */
/*
 * PromQL functions over instant vectors and scalars: math, clamp, round, date functions,
 * label_replace/label_join, sorting, absent, scalar/vector, time, timestamp and the query-context
 * functions; dispatches the range-vector and histogram functions to their files.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/labels.h"
#include "common/matcher.h"
#include "common/xalloc.h"
#include "evaluator/promql/ast.h"
#include "evaluator/promql/engine_int.h"
#include "evaluator/promql/functions_int.h"

static double fn_sgn(double v)
{
    return v < 0 ? -1 : v > 0 ? 1 : v;
}

static double apply_math(enum promql_func_id id, double v)
{
    switch (id) {
    case PROMQL_FN_ABS:
        return fabs(v);
    case PROMQL_FN_CEIL:
        return ceil(v);
    case PROMQL_FN_FLOOR:
        return floor(v);
    case PROMQL_FN_EXP:
        return exp(v);
    case PROMQL_FN_SQRT:
        return sqrt(v);
    case PROMQL_FN_LN:
        return log(v);
    case PROMQL_FN_LOG2:
        return log2(v);
    case PROMQL_FN_LOG10:
        return log10(v);
    case PROMQL_FN_SIN:
        return sin(v);
    case PROMQL_FN_COS:
        return cos(v);
    case PROMQL_FN_TAN:
        return tan(v);
    case PROMQL_FN_ASIN:
        return asin(v);
    case PROMQL_FN_ACOS:
        return acos(v);
    case PROMQL_FN_ATAN:
        return atan(v);
    case PROMQL_FN_SINH:
        return sinh(v);
    case PROMQL_FN_COSH:
        return cosh(v);
    case PROMQL_FN_TANH:
        return tanh(v);
    case PROMQL_FN_ASINH:
        return asinh(v);
    case PROMQL_FN_ACOSH:
        return acosh(v);
    case PROMQL_FN_ATANH:
        return atanh(v);
    case PROMQL_FN_RAD:
        return v * M_PI / 180;
    case PROMQL_FN_DEG:
        return v * 180 / M_PI;
    case PROMQL_FN_SGN:
        return fn_sgn(v);
    default:
        return NAN;
    }
}

static bool is_math(enum promql_func_id id)
{
    return !isnan(apply_math(id, 0.5)) || id == PROMQL_FN_ACOSH;
}

static double date_part(enum promql_func_id id, double secs)
{
    time_t tt;
    struct tm tm;
    if (isnan(secs) || isinf(secs) || secs > 9.2e15 || secs < -9.2e15)
        secs = 0; /* Go's time.Unix of such values is garbage too; stay defined */
    tt = (time_t)(int64_t)secs;
    gmtime_r(&tt, &tm);
    switch (id) {
    case PROMQL_FN_DAY_OF_MONTH:
        return tm.tm_mday;
    case PROMQL_FN_DAY_OF_WEEK:
        return tm.tm_wday;
    case PROMQL_FN_DAY_OF_YEAR:
        return tm.tm_yday + 1;
    case PROMQL_FN_HOUR:
        return tm.tm_hour;
    case PROMQL_FN_MINUTE:
        return tm.tm_min;
    case PROMQL_FN_MONTH:
        return tm.tm_mon + 1;
    case PROMQL_FN_YEAR:
        return tm.tm_year + 1900;
    case PROMQL_FN_DAYS_IN_MONTH: {
        static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
        int y = tm.tm_year + 1900;
        if (tm.tm_mon == 1 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
            return 29;
        return dm[tm.tm_mon];
    }
    default:
        return NAN;
    }
}

static bool is_date(enum promql_func_id id)
{
    switch (id) {
    case PROMQL_FN_DAY_OF_MONTH:
    case PROMQL_FN_DAY_OF_WEEK:
    case PROMQL_FN_DAY_OF_YEAR:
    case PROMQL_FN_HOUR:
    case PROMQL_FN_MINUTE:
    case PROMQL_FN_MONTH:
    case PROMQL_FN_YEAR:
    case PROMQL_FN_DAYS_IN_MONTH:
        return true;
    default:
        return false;
    }
}

static const char *str_arg(const struct promql_expr *x)
{
    x = promql_expr_unparen(x);
    return x->kind == PROMQL_EXPR_STRING ? x->u.string.value : "";
}

/* Labels for absent()/absent_over_time(): the equality matchers of a selector argument. */
static struct labels *absent_labels(const struct promql_expr *arg)
{
    const struct promql_vector_selector *vs = NULL;
    struct labels_builder b;
    struct labels *out;
    const char **seen;
    size_t nseen = 0;
    arg = promql_expr_unparen(arg);
    if (arg->kind == PROMQL_EXPR_VECTOR_SELECTOR)
        vs = &arg->u.vs;
    else if (arg->kind == PROMQL_EXPR_MATRIX_SELECTOR)
        vs = &arg->u.ms.vs->u.vs;
    if (vs == NULL)
        return labels_empty();
    labels_builder_init(&b);
    seen = xcalloc(vs->nmatchers + 1, sizeof(*seen));
    for (size_t i = 0; i < vs->nmatchers; i++) {
        const struct matcher *m = vs->matchers[i];
        bool has = false;
        if (strcmp(m->name, "__name__") == 0)
            continue;
        for (size_t j = 0; j < nseen; j++)
            has = has || strcmp(seen[j], m->name) == 0;
        if (m->type == MATCH_EQ && !has) {
            labels_builder_set(&b, m->name, m->value);
            seen[nseen++] = m->name;
        } else {
            labels_builder_del(&b, m->name);
        }
    }
    out = labels_builder_finish(&b);
    labels_builder_fini(&b);
    xfree(seen);
    return out;
}

static int cmp_value_asc(const void *a, const void *b, void *ctx)
{
    (void)ctx;
    double x = ((const struct promql_sample *)a)->v, y = ((const struct promql_sample *)b)->v;
    if (isnan(x))
        return isnan(y) ? 0 : 1;
    if (isnan(y))
        return -1;
    return x < y ? -1 : x > y ? 1 : 0;
}

static int cmp_value_desc(const void *a, const void *b, void *ctx)
{
    (void)ctx;
    double x = ((const struct promql_sample *)a)->v, y = ((const struct promql_sample *)b)->v;
    if (isnan(x))
        return isnan(y) ? 0 : 1;
    if (isnan(y))
        return -1;
    return x > y ? -1 : x < y ? 1 : 0;
}

/* Natural ("natsort") comparison: digit runs compare as numbers. Returns <0, 0, >0. */
static int natcmp(const char *a, const char *b)
{
    while (*a && *b) {
        if (*a >= '0' && *a <= '9' && *b >= '0' && *b <= '9') {
            const char *ea = a, *eb = b;
            size_t la, lb;
            while (*a == '0' && a[1] >= '0' && a[1] <= '9')
                a++;
            while (*b == '0' && b[1] >= '0' && b[1] <= '9')
                b++;
            ea = a;
            eb = b;
            while (*ea >= '0' && *ea <= '9')
                ea++;
            while (*eb >= '0' && *eb <= '9')
                eb++;
            la = (size_t)(ea - a);
            lb = (size_t)(eb - b);
            if (la != lb)
                return la < lb ? -1 : 1;
            {
                int c = strncmp(a, b, la);
                if (c != 0)
                    return c;
            }
            a = ea;
            b = eb;
            continue;
        }
        if (*a != *b)
            return (unsigned char)*a < (unsigned char)*b ? -1 : 1;
        a++;
        b++;
    }
    return *a ? 1 : *b ? -1 : 0;
}

struct label_order {
    const char *const *names;
    size_t n;
    int dir;
};

static int cmp_by_label(const void *pa, const void *pb, void *ctx)
{
    const struct promql_sample *a = pa, *b = pb;
    const struct label_order *o = ctx;
    for (size_t i = 0; i < o->n; i++) {
        const char *x = labels_get(a->labels, o->names[i]);
        const char *y = labels_get(b->labels, o->names[i]);
        int c;
        x = x ? x : "";
        y = y ? y : "";
        if (strcmp(x, y) == 0)
            continue;
        c = natcmp(x, y);
        if (c == 0)
            c = strcmp(x, y);
        return c * o->dir;
    }
    return labels_cmp(a->labels, b->labels) * o->dir;
}

static int label_replace(struct ev *ev, const struct promql_call *c, int64_t t,
                         struct promql_value *out)
{
    const char *dst = str_arg(c->args[1]), *repl = str_arg(c->args[2]), *src = str_arg(c->args[3]),
               *re_src = str_arg(c->args[4]);
    struct regex *re = NULL;
    struct err e2;
    int rc;
    char *pat;
    pat = xasprintf("^(?s:%s)$", re_src);
    rc = regex_compile(pat, &re, &e2);
    xfree(pat);
    if (rc != 0)
        return ev_fail(ev, ERR_INVALID, "invalid regular expression in label_replace(): %s",
                       re_src);
    if (!utf8_valid(dst, strlen(dst)) || dst[0] == '\0') {
        regex_free(re);
        return ev_fail(ev, ERR_INVALID, "invalid destination label name in label_replace(): %s",
                       dst);
    }
    if ((rc = ev_eval(ev, c->args[0], t, out)) != 0)
        goto out;
    for (size_t i = 0; i < out->vec.n; i++) {
        struct promql_sample *s = &out->vec.s[i];
        const char *sv = labels_get(s->labels, src);
        long caps[40];
        int ng;
        sv = sv ? sv : "";
        if (!regex_match(re, sv, strlen(sv)))
            continue;
        ng = regex_search(re, sv, strlen(sv), 0, caps, 20);
        {
            struct buf b;
            struct labels_builder lb;
            struct labels *nl;
            buf_init(&b, 0);
            for (const char *p = repl; *p;) {
                if (*p == '$') {
                    const char *q = p + 1;
                    char name[64];
                    size_t nn = 0;
                    bool brace = *q == '{';
                    if (brace)
                        q++;
                    while ((*q == '_' || (*q >= '0' && *q <= '9') || (*q >= 'a' && *q <= 'z') ||
                            (*q >= 'A' && *q <= 'Z')) &&
                           nn < sizeof(name) - 1)
                        name[nn++] = *q++;
                    name[nn] = '\0';
                    if (p[1] == '$') {
                        buf_putc(&b, '$');
                        p += 2;
                        continue;
                    }
                    if (nn == 0 || (brace && *q != '}')) {
                        buf_putc(&b, '$');
                        p++;
                        continue;
                    }
                    if (brace)
                        q++;
                    {
                        char *endp;
                        long gi = strtol(name, &endp, 10);
                        if (*endp == '\0' && gi >= 0 && gi < ng && caps[2 * gi] >= 0)
                            buf_append(&b, sv + caps[2 * gi],
                                       (size_t)(caps[2 * gi + 1] - caps[2 * gi]));
                    }
                    p = q;
                    continue;
                }
                buf_putc(&b, *p++);
            }
            labels_builder_init(&lb);
            labels_builder_from(&lb, s->labels);
            labels_builder_set(&lb, dst, buf_str(&b));
            nl = labels_builder_finish(&lb);
            labels_builder_fini(&lb);
            buf_fini(&b);
            labels_free(s->labels);
            s->labels = nl;
            if (strcmp(dst, "__name__") == 0)
                s->drop_name = false;
        }
    }
    rc = ev_vector_check_dups(ev, &out->vec);
out:
    regex_free(re);
    return rc;
}

static int label_join(struct ev *ev, const struct promql_call *c, int64_t t,
                      struct promql_value *out)
{
    const char *dst = str_arg(c->args[1]), *sep = str_arg(c->args[2]);
    int rc;
    for (size_t i = 3; i < c->nargs; i++) {
        const char *s = str_arg(c->args[i]);
        if (!utf8_valid(s, strlen(s)))
            return ev_fail(ev, ERR_INVALID, "invalid source label name in label_join(): %s", s);
    }
    if (!utf8_valid(dst, strlen(dst)) || dst[0] == '\0')
        return ev_fail(ev, ERR_INVALID, "invalid destination label name in label_join(): %s", dst);
    if ((rc = ev_eval(ev, c->args[0], t, out)) != 0)
        return rc;
    for (size_t i = 0; i < out->vec.n; i++) {
        struct promql_sample *s = &out->vec.s[i];
        struct buf b;
        struct labels_builder lb;
        struct labels *nl;
        buf_init(&b, 0);
        for (size_t j = 3; j < c->nargs; j++) {
            const char *v = labels_get(s->labels, str_arg(c->args[j]));
            if (j > 3)
                buf_puts(&b, sep);
            buf_puts(&b, v ? v : "");
        }
        labels_builder_init(&lb);
        labels_builder_from(&lb, s->labels);
        labels_builder_set(&lb, dst, buf_str(&b));
        nl = labels_builder_finish(&lb);
        labels_builder_fini(&lb);
        buf_fini(&b);
        labels_free(s->labels);
        s->labels = nl;
        if (strcmp(dst, "__name__") == 0)
            s->drop_name = false;
    }
    return ev_vector_check_dups(ev, &out->vec);
}

static bool is_range_fn(enum promql_func_id id)
{
    switch (id) {
    case PROMQL_FN_RATE:
    case PROMQL_FN_INCREASE:
    case PROMQL_FN_DELTA:
    case PROMQL_FN_IRATE:
    case PROMQL_FN_IDELTA:
    case PROMQL_FN_DERIV:
    case PROMQL_FN_PREDICT_LINEAR:
    case PROMQL_FN_AVG_OVER_TIME:
    case PROMQL_FN_SUM_OVER_TIME:
    case PROMQL_FN_COUNT_OVER_TIME:
    case PROMQL_FN_MIN_OVER_TIME:
    case PROMQL_FN_MAX_OVER_TIME:
    case PROMQL_FN_TS_OF_MIN_OVER_TIME:
    case PROMQL_FN_TS_OF_MAX_OVER_TIME:
    case PROMQL_FN_TS_OF_FIRST_OVER_TIME:
    case PROMQL_FN_TS_OF_LAST_OVER_TIME:
    case PROMQL_FN_LAST_OVER_TIME:
    case PROMQL_FN_FIRST_OVER_TIME:
    case PROMQL_FN_PRESENT_OVER_TIME:
    case PROMQL_FN_STDDEV_OVER_TIME:
    case PROMQL_FN_STDVAR_OVER_TIME:
    case PROMQL_FN_QUANTILE_OVER_TIME:
    case PROMQL_FN_MAD_OVER_TIME:
    case PROMQL_FN_RESETS:
    case PROMQL_FN_CHANGES:
    case PROMQL_FN_DOUBLE_EXPONENTIAL_SMOOTHING:
        return true;
    default:
        return false;
    }
}

static int scalar_arg(struct ev *ev, const struct promql_expr *x, int64_t t, double *out)
{
    struct promql_value v;
    int rc = ev_eval(ev, x, t, &v);
    *out = ev_scalar_of(&v);
    promql_value_fini(&v);
    return rc;
}

static void set_scalar(struct promql_value *out, double f, int64_t t)
{
    out->type = PROMQL_VAL_SCALAR;
    out->f = f;
    out->t = t;
}

int ev_call(struct ev *ev, const struct promql_expr *x, int64_t t, struct promql_value *out)
{
    const struct promql_call *c = &x->u.call;
    enum promql_func_id id = c->func->id;
    int rc = 0;
    promql_value_init(out);
    if (is_range_fn(id))
        return ev_call_range(ev, x, t, out);
    switch (id) {
    case PROMQL_FN_HISTOGRAM_QUANTILE:
    case PROMQL_FN_HISTOGRAM_QUANTILES:
    case PROMQL_FN_HISTOGRAM_FRACTION:
        return ev_call_histogram(ev, x, t, out);
    case PROMQL_FN_TIME:
        set_scalar(out, (double)t / 1000.0, t);
        return 0;
    case PROMQL_FN_PI:
        set_scalar(out, M_PI, t);
        return 0;
    case PROMQL_FN_START:
        set_scalar(out, (double)ev->start / 1000.0, t);
        return 0;
    case PROMQL_FN_END:
        set_scalar(out, (double)ev->end / 1000.0, t);
        return 0;
    case PROMQL_FN_RANGE:
        set_scalar(out, (double)(ev->end - ev->start) / 1000.0, t);
        return 0;
    case PROMQL_FN_STEP:
        set_scalar(out, (double)ev->interval / 1000.0, t);
        return 0;
    case PROMQL_FN_MIN_OF:
    case PROMQL_FN_MAX_OF: {
        double best = NAN;
        for (size_t i = 0; i < c->nargs; i++) {
            double v;
            if ((rc = scalar_arg(ev, c->args[i], t, &v)) != 0)
                return rc;
            if (i == 0 || isnan(v) || (id == PROMQL_FN_MIN_OF ? v < best : v > best))
                best = isnan(best) && i > 0 ? best : v;
        }
        set_scalar(out, best, t);
        return 0;
    }
    case PROMQL_FN_VECTOR: {
        double v;
        if ((rc = scalar_arg(ev, c->args[0], t, &v)) != 0)
            return rc;
        out->type = PROMQL_VAL_VECTOR;
        promql_vector_push(&out->vec, labels_empty(), t, v);
        return 0;
    }
    case PROMQL_FN_SCALAR: {
        struct promql_value v;
        if ((rc = ev_eval(ev, c->args[0], t, &v)) != 0) {
            promql_value_fini(&v);
            return rc;
        }
        set_scalar(out, v.vec.n == 1 ? v.vec.s[0].v : NAN, t);
        promql_value_fini(&v);
        return 0;
    }
    case PROMQL_FN_INFO:
        return ev_call_info(ev, x, t, out);
    case PROMQL_FN_LABEL_REPLACE:
        return label_replace(ev, c, t, out);
    case PROMQL_FN_LABEL_JOIN:
        return label_join(ev, c, t, out);
    case PROMQL_FN_ABSENT: {
        struct promql_value v;
        if ((rc = ev_eval(ev, c->args[0], t, &v)) != 0) {
            promql_value_fini(&v);
            return rc;
        }
        out->type = PROMQL_VAL_VECTOR;
        if (v.vec.n == 0)
            promql_vector_push(&out->vec, absent_labels(c->args[0]), t, 1);
        promql_value_fini(&v);
        return 0;
    }
    case PROMQL_FN_ABSENT_OVER_TIME: {
        struct ev_range r;
        rc = ev_eval_range(ev, c->args[0], t, &r);
        out->type = PROMQL_VAL_VECTOR;
        if (rc == 0 && r.m.n == 0)
            promql_vector_push(&out->vec, absent_labels(c->args[0]), t, 1);
        ev_range_fini(&r);
        return rc;
    }
    default:
        break;
    }
    /* Functions over one instant vector (plus scalar parameters). */
    {
        double p1 = NAN, p2 = NAN;
        size_t vi = 0;
        if (is_date(id) && c->nargs == 0) {
            out->type = PROMQL_VAL_VECTOR;
            promql_vector_push(&out->vec, labels_empty(), t, date_part(id, (double)t / 1000.0));
            return 0;
        }
        if (c->nargs > 1 && id != PROMQL_FN_SORT_BY_LABEL && id != PROMQL_FN_SORT_BY_LABEL_DESC &&
            id != PROMQL_FN_INFO) {
            if ((rc = scalar_arg(ev, c->args[1], t, &p1)) != 0)
                return rc;
            if (c->nargs > 2 && (rc = scalar_arg(ev, c->args[2], t, &p2)) != 0)
                return rc;
        }
        if ((rc = ev_eval(ev, c->args[vi], t, out)) != 0)
            return rc;
        if (out->type != PROMQL_VAL_VECTOR)
            return ev_fail(ev, ERR_INVALID, "function %s expects an instant vector", c->func->name);
        if (is_math(id) || is_date(id) || id == PROMQL_FN_CLAMP || id == PROMQL_FN_CLAMP_MIN ||
            id == PROMQL_FN_CLAMP_MAX || id == PROMQL_FN_ROUND || id == PROMQL_FN_TIMESTAMP) {
            const struct promql_expr *a0 = promql_expr_unparen(c->args[0]);
            bool sel = a0->kind == PROMQL_EXPR_VECTOR_SELECTOR;
            if (id == PROMQL_FN_CLAMP && p2 < p1) {
                promql_vector_fini(&out->vec);
                return 0;
            }
            for (size_t i = 0; i < out->vec.n; i++) {
                struct promql_sample *s = &out->vec.s[i];
                double v = s->v;
                switch (id) {
                case PROMQL_FN_CLAMP:
                    v = fmax(p1, fmin(p2, v));
                    break;
                case PROMQL_FN_CLAMP_MIN:
                    v = fmax(p1, v);
                    break;
                case PROMQL_FN_CLAMP_MAX:
                    v = fmin(p1, v);
                    break;
                case PROMQL_FN_ROUND: {
                    double inv = 1.0 / (c->nargs > 1 ? p1 : 1.0);
                    v = floor(v * inv + 0.5) / inv;
                    break;
                }
                case PROMQL_FN_TIMESTAMP:
                    v = (double)(sel ? s->t : t) / 1000.0;
                    break;
                default:
                    v = is_date(id) ? date_part(id, v) : apply_math(id, v);
                    break;
                }
                /* Go's math.Max/Min propagate NaN. */
                if ((id == PROMQL_FN_CLAMP || id == PROMQL_FN_CLAMP_MIN ||
                     id == PROMQL_FN_CLAMP_MAX) &&
                    (isnan(s->v) || isnan(p1) || (id == PROMQL_FN_CLAMP && isnan(p2))))
                    v = NAN;
                s->v = v;
                s->t = t;
                s->drop_name = true;
            }
            return 0;
        }
        switch (id) {
        case PROMQL_FN_SORT:
        case PROMQL_FN_SORT_DESC:
            ev_sort(out->vec.s, out->vec.n, sizeof(*out->vec.s),
                    id == PROMQL_FN_SORT ? cmp_value_asc : cmp_value_desc, NULL);
            if (ev->range_query)
                ev_note(ev, false, x,
                        "sort is ineffective for range queries since results are always "
                        "ordered by labels");
            return 0;
        case PROMQL_FN_SORT_BY_LABEL:
        case PROMQL_FN_SORT_BY_LABEL_DESC: {
            const char **names = xcalloc(c->nargs, sizeof(*names));
            for (size_t i = 1; i < c->nargs; i++)
                names[i - 1] = str_arg(c->args[i]);
            struct label_order o = {names, c->nargs - 1, id == PROMQL_FN_SORT_BY_LABEL ? 1 : -1};
            ev_sort(out->vec.s, out->vec.n, sizeof(*out->vec.s), cmp_by_label, &o);
            xfree(names);
            if (ev->range_query)
                ev_note(ev, false, x,
                        "sort is ineffective for range queries since results are always "
                        "ordered by labels");
            return 0;
        }
        default:
            break;
        }
    }
    promql_value_fini(out);
    return ev_fail(ev, ERR_UNSUPPORTED, "function %s is not implemented", c->func->name);
}
