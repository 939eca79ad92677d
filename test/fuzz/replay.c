/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Replays a fuzz target's corpus without libFuzzer, so `make test` runs every saved input under
 * ASan/UBSan with the ordinary compiler. usage: fuzz_x DIR_OR_FILE...
 */
#include <dirent.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    uint8_t *data;
    long n;
    if (f == NULL) {
        printf("not ok %s: cannot open\n", path);
        return 1;
    }
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    data = malloc((size_t)n + 1);
    if (n > 0 && fread(data, 1, (size_t)n, f) != (size_t)n) {
        fclose(f);
        free(data);
        printf("not ok %s: short read\n", path);
        return 1;
    }
    fclose(f);
    LLVMFuzzerTestOneInput(data, (size_t)n);
    free(data);
    return 0;
}

int main(int argc, char **argv)
{
    int files = 0, bad = 0;
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode)) {
            struct dirent **ents = NULL;
            int n = scandir(argv[i], &ents, NULL, alphasort);
            for (int j = 0; j < n; j++) {
                char path[4096];
                if (ents[j]->d_name[0] != '.') {
                    snprintf(path, sizeof(path), "%s/%s", argv[i], ents[j]->d_name);
                    bad += run_file(path);
                    files++;
                }
                free(ents[j]);
            }
            free(ents);
        } else {
            bad += run_file(argv[i]);
            files++;
        }
    }
    /* an empty input is always replayed too */
    LLVMFuzzerTestOneInput((const uint8_t *)"", 0);
    if (bad == 0)
        printf("ok %s: %d inputs replayed\n", argv[0], files);
    return bad ? 1 : 0;
}
