/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for the e-mail integration: the message for a captured Alertmanager 0.25 flush is
 * compared header by header with the captured .eml (Message-Id, Date and boundary are random or
 * time-dependent there: checked by shape), the quoted-printable encoder reproduces the captured
 * HTML part byte for byte, text parts, custom and encoded headers, envelope and connection
 * settings, outcomes through a fake transport, and one real SMTP transfer through libcurl on a
 * worker thread against a loopback SMTP responder.
 */
#include <arpa/inet.h>
#include <event2/event.h>
#include <netinet/in.h>
#include <pthread.h>
#include <regex.h>
#include <sys/socket.h>

#include "notifier/receivers/email.h"
#include "test/unit/notifier/receivers/recv_test_util.h"

static const char *const am_yml_email = "global:\n"
                                        "  smtp_smarthost: '127.0.0.1:2525'\n"
                                        "  smtp_from: 'alertmanager@example.test'\n"
                                        "  smtp_require_tls: false\n"
                                        "  smtp_hello: 'am-test'\n"
                                        "route: {receiver: all}\n"
                                        "receivers:\n- name: all\n  email_configs:\n"
                                        "  - to: 'oncall@example.test'\n"
                                        "    send_resolved: true\n";

/* Header value of name in the header block of msg (before the first empty line), or NULL. */
static char *header(const char *msg, const char *name)
{
    const char *end = strstr(msg, "\r\n\r\n"), *p = msg;
    size_t nl = strlen(name);
    while (p && p < end) {
        const char *eol = strstr(p, "\r\n");
        if (strncmp(p, name, nl) == 0 && p[nl] == ':')
            return xstrndup(p + nl + 2, (size_t)(eol - p - nl - 2));
        p = eol + 2;
    }
    return NULL;
}

static bool matches(const char *s, const char *re)
{
    regex_t r;
    bool ok;
    CHECK(regcomp(&r, re, REG_EXTENDED | REG_NOSUB) == 0);
    ok = regexec(&r, s, 0, NULL, 0) == 0;
    regfree(&r);
    return ok;
}

static int hexval(char c)
{
    return c >= 'A' ? c - 'A' + 10 : c - '0';
}

/* Decodes quoted-printable (CRLF line ends kept as LF). */
static char *qp_decode(const char *s, size_t n)
{
    struct buf b;
    buf_init(&b, 0);
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '=' && i + 2 < n && s[i + 1] == '\r' && s[i + 2] == '\n') {
            i += 2;
        } else if (s[i] == '=' && i + 2 < n) {
            buf_putc(&b, (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2])));
            i += 2;
        } else if (s[i] == '\r' && i + 1 < n && s[i + 1] == '\n') {
            buf_putc(&b, '\n');
            i++;
        } else {
            buf_putc(&b, s[i]);
        }
    }
    buf_putc(&b, '\0');
    return buf_steal(&b, NULL);
}

/* The body of the first MIME part of an .eml (between its header block and the next
 * boundary), with the boundary found from the Content-Type header. */
static const char *first_part(const char *eml, size_t *len, char **part_headers)
{
    char *ct = header(eml, "Content-Type"), *delim;
    const char *start, *hdr_end, *end;
    CHECK(ct != NULL);
    delim = xasprintf("--%s\r\n", strstr(ct, "boundary=") + 9);
    start = strstr(eml, delim);
    CHECK(start != NULL);
    start += strlen(delim);
    hdr_end = strstr(start, "\r\n\r\n");
    *part_headers = xstrndup(start, (size_t)(hdr_end - start));
    start = hdr_end + 4;
    delim[strlen(delim) - 2] = '\0';
    end = strstr(start, delim);
    CHECK(end != NULL);
    *len = (size_t)(end - 2 - start); /* without the CRLF before the boundary */
    xfree(ct);
    xfree(delim);
    return start;
}

static void test_email_matches_capture(void)
{
    static const char *const pairs[][2] = {
        {"0001.eml", "0001.webhook.json"},
        {"0002.eml", "0005.webhook.json"},
        {"0003.eml", "0010.webhook.json"},
    };
    struct am_config *c;
    struct am_tmpl *t;
    if (!rt_capture_dir()) {
        printf("skip test_email_matches_capture: ../shared not found\n");
        return;
    }
    c = rt_config(am_yml_email);
    t = rt_tmpl();
    for (size_t i = 0; i < 3; i++) {
        struct rt_data r;
        struct email_msg *m = NULL;
        struct err e;
        char path[1400], *eml, *msg, *h1, *h2, *ph1, *ph2;
        const char *names[] = {"Subject", "To", "From", "MIME-Version"};
        const char *p1, *p2;
        size_t l1, l2;
        snprintf(path, sizeof(path), "%s/%s", rt_capture_dir(), pairs[i][0]);
        eml = rt_read(path, NULL);
        rt_data_load(&r, pairs[i][1]);
        if (email_build(c->receivers[0].configs[AM_EMAIL].v[0], t, &r.d, 1795434424435937969LL,
                        NULL, &m, &e) != 0)
            test_fail(__FILE__, __LINE__, "%s: %s", pairs[i][0], e.msg);
        msg = xstrndup(m->data, m->len);
        for (size_t k = 0; k < 4; k++) {
            h1 = header(msg, names[k]);
            h2 = header(eml, names[k]);
            CHECK(h1 != NULL && h2 != NULL);
            CHECK_STREQ(h1, h2);
            xfree(h1);
            xfree(h2);
        }
        /* header order as Alertmanager writes them */
        CHECK(matches(msg, "^Subject: [^\r]*\r\nTo: [^\r]*\r\nFrom: [^\r]*\r\nMessage-Id: "
                           "<1795434424435937969\\.[0-9]+@[^>]+>\r\nDate: [A-Z][a-z]{2}, [0-9]{2} "
                           "[A-Z][a-z]{2} [0-9]{4} [0-9:]{8} [-+][0-9]{4}\r\nContent-Type: "
                           "multipart/alternative;  boundary=[0-9a-f]{60}\r\nMIME-Version: "
                           "1\\.0\r\n\r\n--[0-9a-f]{60}\r\n"));
        CHECK(matches(eml, "Message-Id: <[0-9]+\\.[0-9]+@[^>]+>\r\nDate: [A-Z][a-z]{2}, [0-9]{2} "
                           "[A-Z][a-z]{2} [0-9]{4} [0-9:]{8} [-+][0-9]{4}\r\nContent-Type: "
                           "multipart/alternative;  boundary=[0-9a-f]{60}\r\nMIME-Version: "
                           "1\\.0\r\n\r\n--[0-9a-f]{60}\r\n"));
        /* the part headers are the same; the HTML layout is Tocsin's own */
        p1 = first_part(msg, &l1, &ph1);
        p2 = first_part(eml, &l2, &ph2);
        CHECK_STREQ(ph1, ph2);
        CHECK(l2 > 1000 && p2[0] == '\r');
        {
            char *html = qp_decode(p1, l1), *sub = header(msg, "Subject");
            CHECK(strstr(html, sub) != NULL);
            for (size_t k = 0; k < r.d.n; k++)
                CHECK(strstr(html, labels_get(r.v[k]->labels, "instance")) != NULL);
            CHECK(strstr(html, "http://127.0.0.1:19093/#/alerts?receiver=all") != NULL);
            xfree(sub);
            xfree(html);
        }
        /* the message ends with the closing boundary */
        CHECK(matches(msg, "\r\n--[0-9a-f]{60}--\r\n$"));
        CHECK_STREQ(m->url, "smtp://127.0.0.1:2525/am-test");
        CHECK_STREQ(m->from, "alertmanager@example.test");
        CHECK_INT(m->nrcpt, 1);
        CHECK_STREQ(m->rcpt[0], "oncall@example.test");
        CHECK(!m->require_tls);
        CHECK(m->username == NULL);
        xfree(ph1);
        xfree(ph2);
        xfree(msg);
        email_msg_free(m);
        rt_data_fini(&r);
        xfree(eml);
    }
    am_tmpl_unref(t);
    config_free(c);
}

/* Our encoder reproduces Go's quotedprintable output for the captured HTML parts. */
static void test_qp_matches_go(void)
{
    const char *files[] = {"0001.eml", "0002.eml", "0003.eml"};
    if (!rt_capture_dir()) {
        printf("skip test_qp_matches_go: ../shared not found\n");
        return;
    }
    for (size_t i = 0; i < 3; i++) {
        char path[1400], *eml, *ph, *plain;
        const char *p;
        size_t len;
        struct buf out;
        snprintf(path, sizeof(path), "%s/%s", rt_capture_dir(), files[i]);
        eml = rt_read(path, NULL);
        p = first_part(eml, &len, &ph);
        plain = qp_decode(p, len);
        buf_init(&out, 0);
        CHECK_INT(email_qp_encode(&out, plain, strlen(plain)), 0);
        if (out.len != len || memcmp(out.data, p, len) != 0)
            test_fail(__FILE__, __LINE__, "%s: quoted-printable differs", files[i]);
        buf_fini(&out);
        xfree(plain);
        xfree(ph);
        xfree(eml);
    }
}

static void test_qp_edges(void)
{
    struct buf out;
    char long_line[200];
    buf_init(&out, 0);
    CHECK_INT(email_qp_encode(&out, "a b \nc\t\r\nd=é\r", 14), 0);
    CHECK_STREQ(buf_str(&out), "a b=20\r\nc=09\r\nd=3D=C3=A9\r\n");
    buf_reset(&out);
    memset(long_line, 'x', sizeof(long_line));
    email_qp_encode(&out, long_line, 80);
    CHECK_INT(out.len, 75 + 3 + 5);
    CHECK(memcmp(buf_str(&out) + 75, "=\r\n", 3) == 0);
    buf_fini(&out);
}

/* Random bytes: lines stay within 76 characters, no trailing blanks, and decoding gives the
 * input back (line ends normalised to LF the way Go's writer does). */
static void test_qp_random_roundtrip(void)
{
    unsigned seed = 12345;
    for (int round = 0; round < 300; round++) {
        char in[600], want[600];
        size_t n = (size_t)(rand_r(&seed) % 600), wn = 0;
        struct buf out;
        char *back;
        const char *line;
        for (size_t i = 0; i < n; i++) {
            int k = rand_r(&seed) % 10;
            in[i] = (char)(k < 5 ? 'a' + k
                                 : (k == 5 ? ' ' : (k == 6 ? '\n' : 1 + rand_r(&seed) % 255)));
        }
        /* Go's line-end handling: CR, LF and CRLF each end a line; an LF right after a CR
         * (even with an encoded byte between) is swallowed */
        {
            bool cr = false;
            for (size_t i = 0; i < n; i++) {
                unsigned char b = (unsigned char)in[i];
                bool plain = (b >= '!' && b <= '~' && b != '=') || b == ' ' || b == '\t';
                if (b == '\r' || b == '\n') {
                    if (cr && b == '\n') {
                        cr = false;
                        continue;
                    }
                    cr = b == '\r';
                    want[wn++] = '\n';
                } else {
                    want[wn++] = (char)b;
                    if (plain)
                        cr = false;
                }
            }
        }
        buf_init(&out, 0);
        CHECK_INT(email_qp_encode(&out, in, n), 0);
        for (line = buf_str(&out); *line;) {
            const char *eol = strstr(line, "\r\n");
            size_t l = eol ? (size_t)(eol - line) : strlen(line);
            if (l > 76)
                test_fail(__FILE__, __LINE__, "round %d: line of %zu chars", round, l);
            for (size_t i = 0; i < l; i++)
                if ((line[i] < ' ' && line[i] != '\t') || line[i] > '~')
                    test_fail(__FILE__, __LINE__, "round %d: byte %d at %zu of %zu", round, line[i],
                              i, l);
            if (l > 0)
                CHECK(line[l - 1] != ' ' && line[l - 1] != '\t');
            line += l + (eol ? 2 : 0);
        }
        back = qp_decode(out.data ? out.data : "", out.len);
        if (strlen(back) != wn || memcmp(back, want, wn) != 0)
            test_fail(__FILE__, __LINE__, "round %d: roundtrip differs", round);
        xfree(back);
        buf_fini(&out);
    }
}

static const struct rt_alert_spec alerts[] = {
    {{"alertname", "Dïsk", "job", "node", "instance", "db1", NULL}, {"summary", "full", NULL}, 0},
};

static void test_email_options(void)
{
    struct am_config *c = rt_config(
        "global: {smtp_smarthost: 'mail.test:465', smtp_from: 'Tocsin <tocsin@example.test>',"
        " smtp_auth_username: u, smtp_auth_password: p, smtp_auth_identity: id}\n"
        "route: {receiver: r}\n"
        "receivers:\n- name: r\n  email_configs:\n"
        "  - to: 'A <a@example.test>, b@example.test'\n"
        "    headers: {x-team: '{{ .CommonLabels.job }}', subject: 'Alert {{ "
        ".CommonLabels.alertname }}', message-id: '<fixed@x>'}\n"
        "    text: 'text for {{ .CommonLabels.instance }}'\n"
        "    html: '<b>{{ .CommonLabels.instance }}</b>'\n"
        "    tls_config: {insecure_skip_verify: true, ca_file: /ca.pem}\n"
        "  - to: x@example.test\n    smarthost: 'mail.test:587'\n    require_tls: true\n"
        "    html: '{{ template \"nope\" . }}'\n");
    struct am_tmpl *t = rt_tmpl();
    struct rt_data r;
    struct email_msg *m = NULL;
    struct err e;
    char *msg;
    rt_data_make(&r, "r", alerts, 1, "alertname");
    CHECK_INT(email_build(c->receivers[0].configs[AM_EMAIL].v[0], t, &r.d, 1, "BOUND", &m, &e), 0);
    msg = xstrndup(m->data, m->len);
    /* configured headers in file order; the config appends the To and From defaults */
    CHECK(matches(msg, "^X-Team: node\r\n"
                       "Subject: =\\?utf-8\\?q\\?Alert_D=C3=AFsk\\?=\r\n"
                       "Message-Id: <fixed@x>\r\n"
                       "To: A <a@example.test>, b@example.test\r\n"
                       "From: Tocsin <tocsin@example.test>\r\nDate: "));
    CHECK(strstr(msg, "MIME-Version: 1.0\r\n\r\n--BOUND\r\n"
                      "Content-Transfer-Encoding: quoted-printable\r\n"
                      "Content-Type: text/plain; charset=UTF-8\r\n\r\n"
                      "text for db1\r\n--BOUND\r\n"
                      "Content-Transfer-Encoding: quoted-printable\r\n"
                      "Content-Type: text/html; charset=UTF-8\r\n\r\n"
                      "<b>db1</b>\r\n--BOUND--\r\n") != NULL);
    CHECK_STREQ(m->url, "smtps://mail.test:465/localhost");
    CHECK_STREQ(m->from, "tocsin@example.test");
    CHECK_INT(m->nrcpt, 2);
    CHECK_STREQ(m->rcpt[0], "a@example.test");
    CHECK_STREQ(m->rcpt[1], "b@example.test");
    CHECK_STREQ(m->username, "u");
    CHECK_STREQ(m->password, "p");
    CHECK_STREQ(m->authzid, "id");
    CHECK(m->require_tls); /* smtp_require_tls defaults to true */
    CHECK(m->insecure_skip_verify);
    CHECK_STREQ(m->ca_file, "/ca.pem");
    xfree(msg);
    email_msg_free(m);
    m = NULL;
    CHECK(email_build(c->receivers[0].configs[AM_EMAIL].v[1], t, &r.d, 1, "B", &m, &e) != 0);
    CHECK(strstr(e.msg, "nope") != NULL);
    CHECK(m == NULL);
    rt_data_fini(&r);
    am_tmpl_unref(t);
    config_free(c);
}

/* ---- fake transport ---- */

struct fake_tr {
    struct email_transport base;
    int rc, code;
    size_t n;
    char url[128];
    int64_t timeout;
};

static void fake_send(struct email_transport *t, struct email_msg *m, email_done_cb done, void *arg)
{
    struct fake_tr *f = (struct fake_tr *)t;
    f->n++;
    snprintf(f->url, sizeof(f->url), "%s", m->url);
    f->timeout = m->timeout_ns;
    email_msg_free(m);
    done(arg, f->rc, f->code, f->rc ? "refused" : NULL);
}

static void test_email_outcomes(void)
{
    struct am_config *c = rt_config(am_yml_email);
    struct am_tmpl *t = rt_tmpl();
    struct fake_tr f = {{fake_send}, 0, 250, 0, "", 0};
    struct rt_data r;
    struct am_integration *it;
    struct am_notify_result res;
    rt_data_make(&r, "all", alerts, 1, "alertname");
    it = email_new(c->receivers[0].configs[AM_EMAIL].v[0], 0, t, &f.base);
    CHECK_STREQ(it->kind, "email");
    CHECK(it->send_resolved);
    CHECK_INT(it->notify(it, &r.d, 5000000, rt_record, &res), 0);
    CHECK_INT(res.outcome, AM_NOTIFY_OK);
    CHECK_INT(f.timeout, 5000000);
    CHECK_STREQ(f.url, "smtp://127.0.0.1:2525/am-test");
    f.rc = ERR_IO;
    f.code = 550; /* retried, as Alertmanager 0.25 retries SMTP 5xx replies */
    it->notify(it, &r.d, 1, rt_record, &res);
    CHECK_INT(res.outcome, AM_NOTIFY_RETRY);
    CHECK_STREQ(res.msg, "email: SMTP 550: refused");
    f.code = 421;
    it->notify(it, &r.d, 1, rt_record, &res);
    CHECK_INT(res.outcome, AM_NOTIFY_RETRY);
    f.code = 0;
    it->notify(it, &r.d, 1, rt_record, &res);
    CHECK_INT(res.outcome, AM_NOTIFY_RETRY);
    CHECK_STREQ(res.msg, "email: refused");
    am_integration_free(it);
    rt_data_fini(&r);
    am_tmpl_unref(t);
    config_free(c);
}

/* ---- real transfer: libcurl on the worker against a scripted loopback SMTP responder ---- */

struct smtp_srv {
    int lfd;
    char got[8192];
    size_t len;
    int reject_rcpt; /* 1: 550 to RCPT; 2: 554 after the message body */
    int auth;        /* advertise AUTH PLAIN and accept any credentials */
};

static void srv_line(int fd, const char *s)
{
    ssize_t w = write(fd, s, strlen(s));
    (void)w;
}

static void *smtp_thread(void *arg)
{
    struct smtp_srv *s = arg;
    int fd = accept(s->lfd, NULL, NULL);
    char buf[4096];
    bool data = false, awaiting = false;
    srv_line(fd, "220 test ready\r\n");
    for (;;) {
        ssize_t n = read(fd, buf, sizeof(buf));
        if (n <= 0)
            break;
        if (s->len + (size_t)n < sizeof(s->got)) {
            memcpy(s->got + s->len, buf, (size_t)n);
            s->len += (size_t)n;
            s->got[s->len] = '\0';
        }
        if (data) {
            if (strstr(s->got, "\r\n.\r\n")) {
                data = false;
                srv_line(fd, s->reject_rcpt == 2 ? "554 5.7.1 rejected\r\n" : "250 queued\r\n");
            }
            continue;
        }
        if (awaiting) {
            awaiting = false;
            srv_line(fd, "235 2.7.0 authenticated\r\n");
        } else if (strncmp(buf, "EHLO", 4) == 0)
            srv_line(fd, s->auth ? "250-test\r\n250-AUTH PLAIN\r\n250 8BITMIME\r\n"
                                 : "250-test\r\n250 8BITMIME\r\n");
        else if (strncmp(buf, "AUTH", 4) == 0) {
            awaiting = strchr(buf + 11, ' ') == NULL && strncmp(buf, "AUTH PLAIN\r\n", 12) == 0;
            srv_line(fd, awaiting ? "334 \r\n" : "235 2.7.0 authenticated\r\n");
        } else if (strncmp(buf, "MAIL", 4) == 0)
            srv_line(fd, "250 ok\r\n");
        else if (strncmp(buf, "RCPT", 4) == 0)
            srv_line(fd, s->reject_rcpt == 1 ? "550 no such user\r\n" : "250 ok\r\n");
        else if (strncmp(buf, "DATA", 4) == 0) {
            data = true;
            srv_line(fd, "354 go\r\n");
        } else if (strncmp(buf, "QUIT", 4) == 0) {
            srv_line(fd, "221 bye\r\n");
            break;
        } else if (strncmp(buf, "RSET", 4) == 0)
            srv_line(fd, "250 ok\r\n");
        else
            srv_line(fd, "502 unknown\r\n");
    }
    close(fd);
    return NULL;
}

struct loop_res {
    struct event_base *base;
    struct am_notify_result r;
    int done;
};

static void loop_record(void *arg, const struct am_notify_result *r)
{
    struct loop_res *l = arg;
    l->r = *r;
    l->done = 1;
    event_base_loopbreak(l->base);
}

static void run_transfer(int reject, int tls, int auth, struct loop_res *lr, struct smtp_srv *s)
{
    struct sockaddr_in a;
    socklen_t al = sizeof(a);
    pthread_t th;
    char *yaml;
    struct am_config *c;
    struct am_tmpl *t = rt_tmpl();
    struct rt_data r;
    struct am_integration *it;
    memset(s, 0, sizeof(*s));
    s->reject_rcpt = reject;
    s->auth = auth;
    s->lfd = socket(AF_INET, SOCK_STREAM, 0);
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    CHECK(bind(s->lfd, (struct sockaddr *)&a, sizeof(a)) == 0);
    CHECK(listen(s->lfd, 4) == 0);
    getsockname(s->lfd, (struct sockaddr *)&a, &al);
    pthread_create(&th, NULL, smtp_thread, s);
    yaml = xasprintf("global: {smtp_smarthost: '127.0.0.1:%d', smtp_from: 'am@example.test', "
                     "smtp_require_tls: %s, smtp_hello: tocsin-test%s}\n"
                     "route: {receiver: r}\n"
                     "receivers:\n- name: r\n  email_configs: [{to: 'ops@example.test'}]\n",
                     ntohs(a.sin_port), tls ? "true" : "false",
                     auth ? ", smtp_auth_username: u1, smtp_auth_password: pw1" : "");
    c = rt_config(yaml);
    lr->base = event_base_new();
    rt_data_make(&r, "r", alerts, 1, "alertname");
    it = email_new(c->receivers[0].configs[AM_EMAIL].v[0], 0, t, email_transport_curl(lr->base));
    CHECK_INT(it->notify(it, &r.d, 5000000000LL, loop_record, lr), 0);
    am_integration_free(it); /* an in-flight transfer owns what it needs */
    event_base_dispatch(lr->base);
    CHECK(lr->done);
    pthread_join(th, NULL);
    close(s->lfd);
    rt_data_fini(&r);
    am_tmpl_unref(t);
    config_free(c);
    xfree(yaml);
}

static void test_email_real_smtp(void)
{
    struct loop_res lr;
    struct smtp_srv s;
    memset(&lr, 0, sizeof(lr));
    run_transfer(0, 0, 0, &lr, &s);
    if (lr.r.outcome != AM_NOTIFY_OK)
        test_fail(__FILE__, __LINE__, "transfer failed: %s", lr.r.msg);
    CHECK(strstr(s.got, "EHLO tocsin-test\r\n") != NULL);
    CHECK(strstr(s.got, "MAIL FROM:<am@example.test>") != NULL);
    CHECK(strstr(s.got, "RCPT TO:<ops@example.test>\r\n") != NULL);
    CHECK(strstr(s.got, "Subject: =?utf-8?q?[FIRING:1]_D=C3=AFsk") != NULL);
    CHECK(strstr(s.got, "\r\n.\r\n") != NULL);
    email_transport_curl_shutdown();
    event_base_free(lr.base);
}

static void test_email_real_smtp_reject(void)
{
    struct loop_res lr;
    struct smtp_srv s;
    memset(&lr, 0, sizeof(lr));
    run_transfer(1, 0, 0, &lr, &s);
    /* 550 to RCPT: Alertmanager 0.25 retries it ("send RCPT command: 550 ..."), so do we */
    CHECK_INT(lr.r.outcome, AM_NOTIFY_RETRY);
    CHECK_INT(lr.r.status, 550);
}

/* 554 to the end of the message body: not reported as delivered (Alertmanager ignores this
 * reply), retried like every other SMTP rejection */
static void test_email_real_smtp_reject_after_data(void)
{
    struct loop_res lr;
    struct smtp_srv s;
    memset(&lr, 0, sizeof(lr));
    run_transfer(2, 0, 0, &lr, &s);
    CHECK_INT(lr.r.outcome, AM_NOTIFY_RETRY);
    CHECK_INT(lr.r.status, 554);
    CHECK(strstr(s.got, "\r\n.\r\n") != NULL);
}

/* require_tls against a server without STARTTLS: retried, the message never sent in clear */
static void test_email_require_tls_without_starttls(void)
{
    struct loop_res lr;
    struct smtp_srv s;
    memset(&lr, 0, sizeof(lr));
    run_transfer(0, 1, 0, &lr, &s);
    CHECK_INT(lr.r.outcome, AM_NOTIFY_RETRY);
    CHECK_INT(lr.r.status, 0);
    CHECK(strstr(s.got, "MAIL FROM") == NULL);
    CHECK(strstr(s.got, "Subject:") == NULL);
}

static void test_email_real_smtp_auth(void)
{
    struct loop_res lr;
    struct smtp_srv s;
    memset(&lr, 0, sizeof(lr));
    run_transfer(0, 0, 1, &lr, &s);
    if (lr.r.outcome != AM_NOTIFY_OK)
        test_fail(__FILE__, __LINE__, "transfer failed: %s", lr.r.msg);
    /* base64("\0u1\0pw1") */
    CHECK(strstr(s.got, "AHUxAHB3MQ==\r\n") != NULL);
    CHECK(strstr(s.got, "MAIL FROM:<am@example.test>") != NULL);
}

static const struct test_case tests[] = {
    TEST(test_email_matches_capture),
    TEST(test_qp_matches_go),
    TEST(test_qp_edges),
    TEST(test_qp_random_roundtrip),
    TEST(test_email_options),
    TEST(test_email_outcomes),
    TEST(test_email_real_smtp),
    TEST(test_email_real_smtp_reject),
    TEST(test_email_real_smtp_reject_after_data),
    TEST(test_email_require_tls_without_starttls),
    TEST(test_email_real_smtp_auth),
    {0},
};

TEST_MAIN(tests)
