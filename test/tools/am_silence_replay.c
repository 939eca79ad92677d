/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Test tool: `am_silence_replay EXCHANGES.jsonl` replays the silence calls of a captured
 * Alertmanager session (POST /api/v2/silences, GET /api/v2/silences[?filter=], GET and DELETE
 * /api/v2/silence/ID) against our silence store at the captured times, and checks that every
 * answer equals Alertmanager's (our random IDs are mapped to the captured ones). Prints one
 * "ok"/"not ok" line per call; exits 1 on any difference.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/amatcher.h"
#include "common/err.h"
#include "common/matcher.h"
#include "common/timeutil.h"
#include "common/xalloc.h"
#include "notifier/silence/silence.h"

#define MAX_IDS 256

static char their[MAX_IDS][SILENCE_ID_LEN + 1], ours[MAX_IDS][SILENCE_ID_LEN + 1];
static size_t nids;

static const char *to_ours(const char *id)
{
    for (size_t i = 0; i < nids; i++)
        if (strcmp(their[i], id) == 0)
            return ours[i];
    return id;
}

static const char *to_theirs(const char *id)
{
    for (size_t i = 0; i < nids; i++)
        if (strcmp(ours[i], id) == 0)
            return their[i];
    return id;
}

/* Our silence as JSON with the captured id. */
static json_t *render(const struct silence *s, int64_t now)
{
    json_t *j = silence_to_json(s, now);
    json_object_set_new(j, "id", json_string(to_theirs(s->id)));
    return j;
}

static void url_decode(const char *in, char *out, size_t n)
{
    size_t o = 0;
    for (size_t i = 0; in[i] && o + 1 < n; i++) {
        if (in[i] == '%' && in[i + 1] && in[i + 2]) {
            char hex[3] = {in[i + 1], in[i + 2], 0};
            out[o++] = (char)strtol(hex, NULL, 16);
            i += 2;
        } else {
            out[o++] = in[i] == '+' ? ' ' : in[i];
        }
    }
    out[o] = 0;
}

/* The capture's call times come from a proxy, a millisecond or so away from Alertmanager's own
 * clock: times within 5 ms of Alertmanager's are taken as equal. */
static void align_times(json_t *got, const json_t *want)
{
    static const char *const keys[] = {"updatedAt", "startsAt", "endsAt", NULL};
    if (json_is_array(got) && json_is_array(want) &&
        json_array_size(got) == json_array_size(want)) {
        for (size_t i = 0; i < json_array_size(got); i++)
            align_times(json_array_get(got, i), json_array_get(want, i));
        return;
    }
    if (!json_is_object(got) || !json_is_object(want))
        return;
    for (size_t i = 0; keys[i]; i++) {
        const char *g = json_string_value(json_object_get(got, keys[i]));
        const char *w = json_string_value(json_object_get(want, keys[i]));
        int64_t gm = 0, wm = 0;
        if (g && w && timestamp_parse(g, &gm, NULL) == 0 && timestamp_parse(w, &wm, NULL) == 0 &&
            gm != wm && llabs((long long)(gm - wm)) <= 5)
            json_object_set_new(got, keys[i], json_string(w));
    }
}

static int check(const char *what, json_t *got, const json_t *want)
{
    int bad;
    align_times(got, want);
    bad = !json_equal(got, want);
    if (bad) {
        char *g = json_dumps(got, JSON_COMPACT | JSON_PRESERVE_ORDER);
        char *w = json_dumps(want, JSON_COMPACT | JSON_PRESERVE_ORDER);
        printf("not ok %s\n  got  %s\n  want %s\n", what, g, w);
        free(g);
        free(w);
    } else {
        printf("ok %s\n", what);
    }
    json_decref(got);
    return bad;
}

int main(int argc, char **argv)
{
    FILE *f;
    char line[1 << 16];
    struct silence_store *st = silence_store_new(0);
    int failed = 0, calls = 0;
    if (argc != 2 || (f = fopen(argv[1], "r")) == NULL) {
        fprintf(stderr, "usage: am_silence_replay EXCHANGES.jsonl\n");
        return 2;
    }
    while (fgets(line, sizeof(line), f)) {
        json_error_t je;
        json_t *x = json_loads(line, 0, &je), *resp = NULL;
        const char *method, *path;
        int64_t now;
        char what[512];
        if (x == NULL)
            continue;
        method = json_string_value(json_object_get(x, "method"));
        path = json_string_value(json_object_get(x, "path"));
        now = (int64_t)(json_number_value(json_object_get(x, "t")) * 1000.0);
        if (method == NULL || path == NULL || strstr(path, "/api/v2/silence") == NULL ||
            json_integer_value(json_object_get(x, "status")) != 200) {
            json_decref(x);
            continue;
        }
        {
            const char *rb = json_string_value(json_object_get(x, "resp_body"));
            resp = rb ? json_loads(rb, JSON_DECODE_ANY, &je)
                      : json_incref(json_object_get(x, "resp_body"));
        }
        snprintf(what, sizeof(what), "%s %s", method, path);
        calls++;
        if (strcmp(method, "POST") == 0) {
            struct silence *s = NULL;
            struct err e;
            char id[SILENCE_ID_LEN + 1];
            const char *want_id = json_string_value(json_object_get(resp, "silenceID"));
            err_clear(&e);
            if (silence_from_json(json_object_get(x, "req_body"), &s, &e) != 0 ||
                (s->id[0] && snprintf(s->id, sizeof(s->id), "%s", to_ours(s->id)) < 0) ||
                silence_store_set(st, s, now, id, &e) != 0) {
                printf("not ok %s: %s\n", what, e.msg);
                failed++;
            } else {
                if (want_id && strcmp(to_ours(want_id), want_id) == 0 && nids < MAX_IDS) {
                    snprintf(their[nids], sizeof(their[0]), "%s", want_id);
                    snprintf(ours[nids], sizeof(ours[0]), "%s", id);
                    nids++;
                }
                /* Same id kept or replaced exactly when Alertmanager did. */
                if (want_id == NULL || strcmp(to_ours(want_id), id) != 0) {
                    printf("not ok %s: id %s does not correspond to %s\n", what, id,
                           want_id ? want_id : "?");
                    failed++;
                } else {
                    printf("ok %s\n", what);
                }
            }
            silence_free(s);
        } else if (strcmp(method, "GET") == 0 && strncmp(path, "/api/v2/silences", 16) == 0) {
            struct matchers filter = {0};
            struct silence **v = NULL;
            size_t n;
            const char *q = strstr(path, "filter=");
            json_t *arr = json_array();
            while (q) {
                char enc[512], dec[512];
                const char *end = strchr(q, '&');
                size_t len = end ? (size_t)(end - q - 7) : strlen(q + 7);
                snprintf(enc, sizeof(enc), "%.*s", (int)len, q + 7);
                url_decode(enc, dec, sizeof(dec));
                (void)amatchers_parse(dec, &filter, NULL);
                q = end ? strstr(end, "filter=") : NULL;
            }
            n = silence_store_list(st, now, filter.n ? &filter : NULL, &v);
            for (size_t i = 0; i < n; i++)
                json_array_append_new(arr, render(v[i], now));
            silence_list_free(v, n);
            matchers_fini(&filter);
            failed += check(what, arr, resp);
        } else if (strcmp(method, "GET") == 0) {
            struct silence *s = NULL;
            if (silence_store_get(st, to_ours(path + strlen("/api/v2/silence/")), &s, NULL) != 0) {
                printf("not ok %s: not found\n", what);
                failed++;
            } else {
                failed += check(what, render(s, now), resp);
            }
            silence_free(s);
        } else if (strcmp(method, "DELETE") == 0) {
            struct err e;
            err_clear(&e);
            if (silence_store_expire(st, to_ours(path + strlen("/api/v2/silence/")), now, &e) !=
                0) {
                printf("not ok %s: %s\n", what, e.msg);
                failed++;
            } else {
                printf("ok %s\n", what);
            }
        }
        json_decref(resp);
        json_decref(x);
    }
    fclose(f);
    silence_store_free(st);
    printf("# %d silence calls replayed, %d differ\n", calls, failed);
    return failed || calls == 0 ? 1 : 0;
}
