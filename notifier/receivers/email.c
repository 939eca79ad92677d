/* SPDX-License-Identifier: Apache-2.0 */
/* E-mail integration: Alertmanager 0.25's MIME message, submitted over SMTP with libcurl's easy
 * interface on a worker thread (common/workq), completing on the loop thread. */
#include "notifier/receivers/email.h"

#include <curl/curl.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/workq.h"
#include "common/xalloc.h"
#include "notifier/config/config.h"
#include "notifier/receivers/tmpldata.h"

#define EMAIL_MAX  (16u << 20)
#define QP_LINEMAX 76

/* ---- quoted-printable (Go's mime/quotedprintable.Writer, text mode) ---- */

struct qp {
    struct buf *out;
    char line[QP_LINEMAX + 4];
    size_t i;
    bool cr;
    int rc;
};

static void qp_flush(struct qp *q)
{
    if (q->rc == 0)
        q->rc = buf_append(q->out, q->line, q->i);
    q->i = 0;
}

static void qp_crlf(struct qp *q)
{
    q->line[q->i++] = '\r';
    q->line[q->i++] = '\n';
    qp_flush(q);
}

static void qp_soft(struct qp *q)
{
    q->line[q->i++] = '=';
    qp_crlf(q);
}

static void qp_encode(struct qp *q, unsigned char b)
{
    static const char hex[] = "0123456789ABCDEF";
    if (QP_LINEMAX - 1 - q->i < 3)
        qp_soft(q);
    q->line[q->i++] = '=';
    q->line[q->i++] = hex[b >> 4];
    q->line[q->i++] = hex[b & 15];
}

static void qp_last_byte(struct qp *q)
{
    unsigned char b;
    if (q->i == 0)
        return;
    b = (unsigned char)q->line[q->i - 1];
    if (b == ' ' || b == '\t') {
        q->i--;
        qp_encode(q, b);
    }
}

static void qp_plain(struct qp *q, unsigned char b)
{
    if (b == '\n' || b == '\r') {
        if (q->cr && b == '\n') {
            q->cr = false;
            return;
        }
        if (b == '\r')
            q->cr = true;
        qp_last_byte(q);
        qp_crlf(q);
        return;
    }
    if (q->i == QP_LINEMAX - 1)
        qp_soft(q);
    q->line[q->i++] = (char)b;
    q->cr = false;
}

int email_qp_encode(struct buf *out, const char *s, size_t n)
{
    struct qp q;
    memset(&q, 0, sizeof(q));
    q.out = out;
    for (size_t k = 0; k < n; k++) {
        unsigned char b = (unsigned char)s[k];
        if ((b >= '!' && b <= '~' && b != '=') || b == ' ' || b == '\t' || b == '\n' || b == '\r') {
            qp_plain(&q, b);
        } else {
            qp_encode(&q, b); /* like Go, leaves the CR state alone */
        }
    }
    qp_last_byte(&q);
    qp_flush(&q);
    return q.rc;
}

/* ---- headers ---- */

/* Go's mime.QEncoding.Encode("utf-8", s): unchanged unless a byte is outside printable ASCII
 * (tab allowed); else encoded-words of at most 75 bytes split on rune boundaries. */
static int put_qword(struct buf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    bool need = false;
    size_t n = strlen(s), wl = 0;
    int rc = 0;
    for (size_t i = 0; i < n; i++)
        need = need || (((unsigned char)s[i] < ' ' || (unsigned char)s[i] > '~') && s[i] != '\t');
    if (!need)
        return buf_append(b, s, n);
    rc = buf_puts(b, "=?utf-8?q?");
    wl = 10;
    for (size_t i = 0; rc == 0 && i < n;) {
        size_t rl = 1, enc = 0;
        unsigned char c = (unsigned char)s[i];
        if (c >= 0xF0)
            rl = 4;
        else if (c >= 0xE0)
            rl = 3;
        else if (c >= 0xC0)
            rl = 2;
        if (i + rl > n)
            rl = n - i;
        for (size_t k = 0; k < rl; k++) {
            unsigned char x = (unsigned char)s[i + k];
            enc += (x == ' ' || (x > ' ' && x <= '~' && x != '=' && x != '?' && x != '_')) ? 1 : 3;
        }
        if (wl + enc + 2 > 75) {
            rc = buf_puts(b, "?= =?utf-8?q?");
            wl = 10;
        }
        for (size_t k = 0; rc == 0 && k < rl; k++) {
            unsigned char x = (unsigned char)s[i + k];
            if (x == ' ')
                rc = buf_putc(b, '_');
            else if (x > ' ' && x <= '~' && x != '=' && x != '?' && x != '_')
                rc = buf_putc(b, (char)x);
            else
                rc = buf_printf(b, "=%c%c", hex[x >> 4], hex[x & 15]);
        }
        wl += enc;
        i += rl;
    }
    return rc ? rc : buf_puts(b, "?=");
}

/* Splits an RFC 5322 address list into bare addresses ("a@x, B <b@y>" -> a@x, b@y). */
static int parse_addrs(const char *s, char ***out, size_t *n, struct err *e)
{
    const char *p = s;
    *out = NULL;
    *n = 0;
    while (*p) {
        const char *start = p, *lt = NULL, *gt = NULL;
        bool quoted = false;
        char *addr;
        for (; *p && (quoted || *p != ','); p++) {
            if (*p == '"')
                quoted = !quoted;
            else if (!quoted && *p == '<')
                lt = p;
            else if (!quoted && *p == '>')
                gt = p;
        }
        if (lt && gt && gt > lt) {
            addr = xstrndup(lt + 1, (size_t)(gt - lt - 1));
        } else {
            while (start < p && (*start == ' ' || *start == '\t'))
                start++;
            addr = xstrndup(start, (size_t)(p - start));
            for (size_t l = strlen(addr); l > 0 && (addr[l - 1] == ' ' || addr[l - 1] == '\t');)
                addr[--l] = '\0';
        }
        if (*p == ',')
            p++;
        if (addr[0] == '\0') {
            xfree(addr);
            continue;
        }
        if (strchr(addr, '@') == NULL || strpbrk(addr, " \r\n<>") != NULL) {
            err_set(e, ERR_INVALID, "mail: invalid address \"%s\"", addr);
            xfree(addr);
            return ERR_INVALID;
        }
        *out = xreallocarray(*out, *n + 2, sizeof(char *));
        (*out)[(*n)++] = addr;
        (*out)[*n] = NULL;
    }
    if (*n == 0)
        return err_set(e, ERR_INVALID, "mail: no address in \"%s\"", s);
    return 0;
}

void email_msg_free(struct email_msg *m)
{
    if (!m)
        return;
    xfree(m->url);
    xfree(m->from);
    for (size_t i = 0; i < m->nrcpt; i++)
        xfree(m->rcpt[i]);
    xfree(m->rcpt);
    xfree(m->username);
    xfree(m->password);
    xfree(m->authzid);
    xfree(m->ca_file);
    xfree(m->cert_file);
    xfree(m->key_file);
    xfree(m->data);
    xfree(m);
}

static char *opt_dup(const char *s)
{
    return s && s[0] ? xstrdup(s) : NULL;
}

/* smtp[s]://host:port/hello from "host:port" (port 465: implicit TLS, as Alertmanager). */
static char *smtp_url(const char *smarthost, const char *hello)
{
    const char *colon = strrchr(smarthost, ':');
    bool tls = colon && strcmp(colon + 1, "465") == 0;
    return xasprintf("%s://%s/%s", tls ? "smtps" : "smtp", smarthost, hello ? hello : "");
}

static int add_part(struct buf *b, const char *boundary, bool first, const char *ctype,
                    const char *body)
{
    int rc = buf_printf(b,
                        "%s--%s\r\nContent-Transfer-Encoding: quoted-printable\r\n"
                        "Content-Type: %s; charset=UTF-8\r\n\r\n",
                        first ? "" : "\r\n", boundary, ctype);
    return rc ? rc : email_qp_encode(b, body, strlen(body));
}

int email_build(const struct am_email_config *c, struct am_tmpl *t, const struct am_notify_data *d,
                int64_t date_ns, const char *boundary, struct email_msg **out, struct err *e)
{
    struct am_expander x;
    struct email_msg *m = xcalloc(1, sizeof(*m));
    struct buf b;
    char *to = NULL, *from = NULL, **froms = NULL, bnd[61], date[64], host[256];
    size_t nfrom = 0;
    bool have_subject = false, have_to = false, have_from = false, have_msgid = false;
    int rc = 0;
    *out = NULL;
    buf_init(&b, EMAIL_MAX);
    am_expander_init(&x, t, d);
    to = am_expand(&x, c->to);
    from = am_expand(&x, c->from);
    if (x.rc != 0) {
        rc = x.rc;
        *e = x.e;
        err_prefix(e, "execute to/from template");
        goto out;
    }
    if ((rc = parse_addrs(to, &m->rcpt, &m->nrcpt, e)) != 0) {
        err_prefix(e, "parse 'to' addresses");
        goto out;
    }
    if ((rc = parse_addrs(from, &froms, &nfrom, e)) != 0) {
        err_prefix(e, "parse 'from' addresses");
        goto out;
    }
    m->from = xstrdup(froms[0]);
    for (size_t i = 0; i < c->headers.n; i++) {
        have_subject = have_subject || strcmp(c->headers.keys[i], "Subject") == 0;
        have_to = have_to || strcmp(c->headers.keys[i], "To") == 0;
        have_from = have_from || strcmp(c->headers.keys[i], "From") == 0;
        have_msgid = have_msgid || strcmp(c->headers.keys[i], "Message-Id") == 0;
    }
    /* Alertmanager adds Subject, To and From when the config does not set them. */
    for (int k = 0; rc == 0 && k < 3; k++) {
        static const char *const names[] = {"Subject", "To", "From"};
        const char *tmpl =
            k == 0 ? "{{ template \"email.default.subject\" . }}" : (k == 1 ? c->to : c->from);
        char *v;
        if ((k == 0 && have_subject) || (k == 1 && have_to) || (k == 2 && have_from))
            continue;
        v = am_expand(&x, tmpl);
        rc = buf_printf(&b, "%s: ", names[k]);
        rc = rc ? rc : put_qword(&b, v);
        rc = rc ? rc : buf_puts(&b, "\r\n");
        xfree(v);
    }
    for (size_t i = 0; rc == 0 && i < c->headers.n; i++) {
        char *v = am_expand(&x, c->headers.values[i]);
        if (x.rc != 0) {
            xfree(v);
            break;
        }
        rc = buf_printf(&b, "%s: ", c->headers.keys[i]);
        rc = rc ? rc : put_qword(&b, v);
        rc = rc ? rc : buf_puts(&b, "\r\n");
        xfree(v);
    }
    if (x.rc != 0) {
        rc = x.rc;
        *e = x.e;
        err_prefix(e, "execute header template");
        goto out;
    }
    if (!have_msgid) {
        uint64_t r = 0;
        if (gethostname(host, sizeof(host)) != 0)
            snprintf(host, sizeof(host), "localhost");
        host[sizeof(host) - 1] = '\0';
        RAND_bytes((unsigned char *)&r, sizeof(r));
        rc = rc ? rc
                : buf_printf(&b, "Message-Id: <%lld.%llu@%s>\r\n", (long long)date_ns,
                             (unsigned long long)(r >> 1), host);
    }
    {
        time_t secs = (time_t)(date_ns / 1000000000LL);
        struct tm tm;
        localtime_r(&secs, &tm);
        strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S %z", &tm);
    }
    if (!boundary) {
        unsigned char raw[30];
        static const char hex[] = "0123456789abcdef";
        RAND_bytes(raw, sizeof(raw));
        for (size_t i = 0; i < sizeof(raw); i++) {
            bnd[2 * i] = hex[raw[i] >> 4];
            bnd[2 * i + 1] = hex[raw[i] & 15];
        }
        bnd[60] = '\0';
        boundary = bnd;
    }
    rc = rc ? rc
            : buf_printf(&b,
                         "Date: %s\r\nContent-Type: multipart/alternative;  boundary=%s\r\n"
                         "MIME-Version: 1.0\r\n\r\n",
                         date, boundary);
    {
        bool first = true;
        if (rc == 0 && c->text && c->text[0]) {
            char *body = am_expand(&x, c->text);
            if (x.rc == 0)
                rc = add_part(&b, boundary, first, "text/plain", body);
            first = false;
            xfree(body);
        }
        if (rc == 0 && x.rc == 0 && c->html && c->html[0]) {
            char *body = am_expand_html(&x, c->html);
            if (x.rc == 0)
                rc = add_part(&b, boundary, first, "text/html", body);
            first = false;
            xfree(body);
        }
        if (x.rc != 0) {
            rc = x.rc;
            *e = x.e;
            err_prefix(e, "execute body template");
            goto out;
        }
        rc = rc ? rc : buf_printf(&b, "\r\n--%s--\r\n", boundary);
    }
    if (rc != 0) {
        rc = err_set(e, rc, "message larger than %u bytes", EMAIL_MAX);
        goto out;
    }
    m->url = smtp_url(c->smarthost, c->hello);
    m->username = opt_dup(c->auth_username);
    if (m->username) {
        if (c->auth_password_file && c->auth_password_file[0]) {
            if ((rc = am_read_secret_file(c->auth_password_file, &m->password, e)) != 0)
                goto out;
        } else {
            m->password = xstrdup(c->auth_password ? c->auth_password
                                                   : (c->auth_secret ? c->auth_secret : ""));
        }
    }
    if (m->username)
        m->authzid = opt_dup(c->auth_identity);
    m->require_tls = c->require_tls == AM_TRUE;
    if (c->tls_config) {
        m->insecure_skip_verify = c->tls_config->insecure_skip_verify;
        m->ca_file = opt_dup(c->tls_config->ca_file);
        m->cert_file = opt_dup(c->tls_config->cert_file);
        m->key_file = opt_dup(c->tls_config->key_file);
    }
    m->data = buf_steal(&b, &m->len);
    *out = m;
    m = NULL;
out:
    for (size_t i = 0; i < nfrom; i++)
        xfree(froms[i]);
    xfree(froms);
    xfree(to);
    xfree(from);
    am_expander_fini(&x);
    buf_fini(&b);
    email_msg_free(m);
    return rc;
}

/* ---- libcurl transport on a worker ---- */

struct curl_job {
    struct email_msg *m;
    email_done_cb done;
    void *arg;
    size_t off;
    int rc;
    long code;
    char error[CURL_ERROR_SIZE];
};

static size_t read_cb(char *ptr, size_t size, size_t nmemb, void *arg)
{
    struct curl_job *j = arg;
    size_t want = size * nmemb, left = j->m->len - j->off;
    if (want > left)
        want = left;
    memcpy(ptr, j->m->data + j->off, want);
    j->off += want;
    return want;
}

static void curl_work(void *arg)
{
    struct curl_job *j = arg;
    struct email_msg *m = j->m;
    struct curl_slist *rcpt = NULL;
    CURL *h = curl_easy_init();
    CURLcode cc;
    char *from = xasprintf("<%s>", m->from);
    long ms = m->timeout_ns > 0 ? (long)(m->timeout_ns / 1000000) : 30000;
    if (!h) {
        j->rc = ERR_INTERNAL;
        snprintf(j->error, sizeof(j->error), "curl_easy_init failed");
        xfree(from);
        return;
    }
    for (size_t i = 0; i < m->nrcpt; i++) {
        char *r = xasprintf("<%s>", m->rcpt[i]);
        rcpt = curl_slist_append(rcpt, r);
        xfree(r);
    }
    curl_easy_setopt(h, CURLOPT_URL, m->url);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    curl_easy_setopt(h, CURLOPT_MAIL_FROM, from);
    curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpt);
    curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(h, CURLOPT_READFUNCTION, read_cb);
    curl_easy_setopt(h, CURLOPT_READDATA, j);
    curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)m->len);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, ms < 1 ? 1L : ms);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, ms < 1 ? 1L : ms);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, j->error);
    curl_easy_setopt(h, CURLOPT_USE_SSL,
                     m->require_tls ? (long)CURLUSESSL_ALL : (long)CURLUSESSL_NONE);
    if (m->username) {
        curl_easy_setopt(h, CURLOPT_USERNAME, m->username);
        curl_easy_setopt(h, CURLOPT_PASSWORD, m->password ? m->password : "");
        if (m->authzid)
            curl_easy_setopt(h, CURLOPT_SASL_AUTHZID, m->authzid);
    }
    if (m->insecure_skip_verify) {
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    if (m->ca_file)
        curl_easy_setopt(h, CURLOPT_CAINFO, m->ca_file);
    if (m->cert_file)
        curl_easy_setopt(h, CURLOPT_SSLCERT, m->cert_file);
    if (m->key_file)
        curl_easy_setopt(h, CURLOPT_SSLKEY, m->key_file);
    cc = curl_easy_perform(h);
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &j->code);
    if (cc != CURLE_OK) {
        j->rc = cc == CURLE_OPERATION_TIMEDOUT ? ERR_TIMEOUT : ERR_IO;
        if (j->error[0] == '\0')
            snprintf(j->error, sizeof(j->error), "%s", curl_easy_strerror(cc));
    }
    curl_slist_free_all(rcpt);
    curl_easy_cleanup(h);
    xfree(from);
}

static void curl_job_done(void *arg)
{
    struct curl_job *j = arg;
    j->done(j->arg, j->rc, (int)j->code, j->rc ? j->error : NULL);
    email_msg_free(j->m);
    xfree(j);
}

struct curl_transport {
    struct email_transport base;
    struct workq *wq;
};

static void curl_send(struct email_transport *t, struct email_msg *m, email_done_cb done, void *arg)
{
    struct curl_transport *ct = (struct curl_transport *)t;
    struct curl_job *j = xcalloc(1, sizeof(*j));
    j->m = m;
    j->done = done;
    j->arg = arg;
    workq_submit(ct->wq, curl_work, curl_job_done, j);
}

static struct curl_transport g_curl;

struct email_transport *email_transport_curl(struct event_base *base)
{
    if (!g_curl.wq) {
        curl_global_init(CURL_GLOBAL_DEFAULT);
        g_curl.base.send = curl_send;
        g_curl.wq = workq_new(base, 2);
    }
    return &g_curl.base;
}

void email_transport_curl_shutdown(void)
{
    if (g_curl.wq)
        workq_free(g_curl.wq);
    g_curl.wq = NULL;
}

/* ---- integration ---- */

struct email {
    struct am_integration base; /* first member */
    const struct am_email_config *c;
    struct am_tmpl *t;
    struct email_transport *tr;
};

struct email_call {
    am_notify_done_cb done;
    void *arg;
};

static void email_sent(void *arg, int rc, int code, const char *error)
{
    struct email_call *c = arg;
    struct am_notify_result r;
    memset(&r, 0, sizeof(r));
    if (rc != 0 && code < 400)
        code = 0; /* the last reply was a success (EHLO...): the failure is not the server's */
    r.status = code;
    if (rc == 0) {
        r.outcome = AM_NOTIFY_OK;
    } else {
        /* Alertmanager 0.25 retries every failed SMTP exchange, 5xx replies (e.g. 550 to RCPT)
         * included; only template and address errors (am_notify_fail above) are permanent */
        r.outcome = AM_NOTIFY_RETRY;
        if (code)
            snprintf(r.msg, sizeof(r.msg), "email: SMTP %d: %.200s", code,
                     error ? error : "transfer failed");
        else
            snprintf(r.msg, sizeof(r.msg), "email: %.200s", error ? error : "transfer failed");
    }
    c->done(c->arg, &r);
    xfree(c);
}

static int email_notify(struct am_integration *it, const struct am_notify_data *d,
                        int64_t timeout_ns, am_notify_done_cb done, void *arg)
{
    struct email *em = (struct email *)it;
    struct email_msg *m = NULL;
    struct email_call *c;
    struct err e;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    if (email_build(em->c, em->t, d, (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec, NULL, &m,
                    &e) != 0) {
        am_notify_fail(done, arg, "email", "%s", e.msg);
        return 0;
    }
    m->timeout_ns = timeout_ns;
    c = xmalloc(sizeof(*c));
    c->done = done;
    c->arg = arg;
    em->tr->send(em->tr, m, email_sent, c);
    return 0;
}

static void email_free(struct am_integration *it)
{
    struct email *em = (struct email *)it;
    am_tmpl_unref(em->t);
    xfree(em);
}

struct am_integration *email_new(const struct am_email_config *c, unsigned index, struct am_tmpl *t,
                                 struct email_transport *tr)
{
    struct email *em = xcalloc(1, sizeof(*em));
    em->base.kind = "email";
    em->base.index = index;
    em->base.send_resolved = c->send_resolved;
    em->base.notify = email_notify;
    em->base.free = email_free;
    em->c = c;
    em->t = am_tmpl_ref(t);
    em->tr = tr;
    return &em->base;
}
