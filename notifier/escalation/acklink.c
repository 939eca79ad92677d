/* SPDX-License-Identifier: Apache-2.0 */
/* HMAC-SHA256 signed acknowledgement links and their secret. */
#include "notifier/escalation/acklink.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/xalloc.h"

static int read_secret(struct acklink_key *k, const char *path, struct err *e)
{
    FILE *f = fopen(path, "rb");
    size_t n;
    if (f == NULL)
        return err_set(e, ERR_IO, "cannot read ack secret %s: %s", path, strerror(errno));
    n = fread(k->secret, 1, sizeof(k->secret), f);
    fclose(f);
    while (n > 0 && (k->secret[n - 1] == '\n' || k->secret[n - 1] == '\r'))
        n--;
    if (n < 16)
        return err_set(e, ERR_INVALID, "ack secret %s: need at least 16 bytes", path);
    k->len = n;
    return 0;
}

int acklink_key_load(struct acklink_key *k, const char *file, const char *dir, struct err *e)
{
    unsigned char raw[32];
    char hex[65], path[4096];
    int fd;
    memset(k, 0, sizeof(*k));
    if (file && *file)
        return read_secret(k, file, e);
    if (RAND_bytes(raw, sizeof(raw)) != 1)
        return err_set(e, ERR_INTERNAL, "cannot generate an ack secret");
    for (size_t i = 0; i < sizeof(raw); i++)
        snprintf(hex + 2 * i, 3, "%02x", raw[i]);
    if (dir == NULL || *dir == '\0') {
        memcpy(k->secret, hex, 64);
        k->len = 64;
        return 0;
    }
    snprintf(path, sizeof(path), "%s/ack-secret", dir);
    if (access(path, F_OK) == 0)
        return read_secret(k, path, e);
    fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd < 0)
        return err_set(e, ERR_IO, "cannot create ack secret %s: %s", path, strerror(errno));
    if (write(fd, hex, 64) != 64 || fsync(fd) != 0) {
        close(fd);
        return err_set(e, ERR_IO, "cannot write ack secret %s: %s", path, strerror(errno));
    }
    close(fd);
    memcpy(k->secret, hex, 64);
    k->len = 64;
    return 0;
}

void acklink_sign(const struct acklink_key *k, const char *id, const char *action,
                  int64_t expires_s, char out[65])
{
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int mlen = 0;
    struct buf msg;
    buf_init(&msg, 0);
    buf_printf(&msg, "%s\n%s\n%lld", id, action, (long long)expires_s);
    HMAC(EVP_sha256(), k->secret, (int)k->len, (const unsigned char *)buf_str(&msg), msg.len, mac,
         &mlen);
    buf_fini(&msg);
    for (unsigned i = 0; i < 32 && i < mlen; i++)
        snprintf(out + 2 * i, 3, "%02x", mac[i]);
    out[64] = '\0';
}

bool acklink_verify(const struct acklink_key *k, const char *id, const char *action,
                    int64_t expires_s, const char *sig, int64_t now_s)
{
    char want[65];
    if (sig == NULL || strlen(sig) != 64 || now_s >= expires_s)
        return false;
    acklink_sign(k, id, action, expires_s, want);
    return CRYPTO_memcmp(want, sig, 64) == 0;
}

char *acklink_url(const struct acklink_key *k, const char *base_url, const char *id,
                  const char *action, int64_t expires_s)
{
    char sig[65];
    struct buf b;
    acklink_sign(k, id, action, expires_s, sig);
    buf_init(&b, 0);
    buf_printf(&b, "%s/api/v1/ack?incident=%s&action=%s&expires=%lld&sig=%s", base_url, id, action,
               (long long)expires_s, sig);
    return buf_steal(&b, NULL);
}
