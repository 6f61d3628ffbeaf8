/* fuzz_http.c — the whole HTTP request path: a real server (libmicrohttpd, the router, the API's
 * header, query, cookie and JSON body handling) on a loopback port over a fresh demo data
 * directory; each input is sent as the raw bytes of one connection, then the write side is
 * closed and the reply read to the end. The server must keep answering (a /healthz probe after
 * every input that does not get a reply). */
#include <arpa/inet.h>
#include <ftw.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include "cli/cli.h"
#include "http/http.h"
#include "service/app.h"

static int port;
static unsigned long connect_failures;

static char dir[256];

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb; (void)flag; (void)ftw;
    return remove(path);
}

/* (the server's threads still run: remove the directory only, SQLite keeps its open files) */
static void cleanup(void) { if (dir[0]) nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS); }

static void setup(void)
{
    snprintf(dir, sizeof dir, "%s/beian-fuzz-http-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(dir)) abort();
    atexit(cleanup);
    char data[300];
    snprintf(data, sizeof data, "%s/data", dir);
    char *argv[] = {"init", data, "--demo", NULL};
    FILE *saved = stdout;
    stdout = fopen("/dev/null", "w");                 /* the demo logins */
    if (cmd_init(3, argv) != 0) abort();
    fclose(stdout);
    stdout = saved;
    static struct app *a;
    struct err e = {0};
    if (app_open(&a, data, false, &e) != 0) { fprintf(stderr, "fuzz_http: %s\n", e.detail_en); abort(); }
    struct http_server *s = http_server_start(a, "127.0.0.1", 0, 4, &e);
    if (!s) { fprintf(stderr, "fuzz_http: %s\n", e.detail_en); abort(); }
    port = http_server_port(s);
}

/* Send len bytes as one connection; returns the number of reply bytes read. */
static size_t exchange(const void *data, size_t len, int wait_ms)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) abort();
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    struct timeval tv = {.tv_sec = 2};
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    /* (the server runs in this process: if it crashed, so did the fuzzer; a refused connection
     * means its connection slots or backlog are full for a moment: wait a little, then skip) */
    int tries = 0;
    while (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        close(fd);
        if (++tries == 40) { connect_failures++; return (size_t)-1; }
        usleep(50000);
        fd = socket(AF_INET, SOCK_STREAM, 0);
        if (fd < 0) abort();
    }
    for (size_t off = 0; off < len;) {
        ssize_t w = send(fd, (const char *)data + off, len - off, MSG_NOSIGNAL);
        if (w <= 0) break;
        off += (size_t)w;
    }
    shutdown(fd, SHUT_WR);
    /* until the reply is complete (headers and Content-Length bytes), the server closes, or it
     * is silent for wait_ms (libmicrohttpd keeps an idle or incomplete connection open after the
     * client's half-close until its timeout) */
    static char buf[1 << 16];
    size_t got = 0;
    for (;;) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, wait_ms) <= 0) break;
        ssize_t r = recv(fd, buf + got, sizeof buf - 1 - got, 0);
        if (r <= 0) break;
        got += (size_t)r;
        buf[got] = 0;
        char *end = strstr(buf, "\r\n\r\n");
        if (end) {
            const char *cl = strcasestr(buf, "\r\nContent-Length:");
            size_t want = cl && cl < end ? strtoul(cl + 17, NULL, 10) : 0;
            if ((size_t)(buf + got - (end + 4)) >= want) break;
        }
        if (got >= sizeof buf - 1) got = 0;   /* a long reply: keep reading, count from zero */
    }
    /* reset rather than close: the server drops the connection at once instead of holding an
     * idle keep-alive (or an incomplete request) for its 30 s timeout, which would exhaust its
     * 1000 connections at fuzzing speed */
    struct linger lg = {.l_onoff = 1, .l_linger = 0};
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    close(fd);
    return got;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!port) setup();
    size_t got = exchange(data, size, 50);
    if (got == (size_t)-1) {
        fprintf(stderr, "fuzz_http: cannot connect for 2 s (%lu times so far); input skipped\n", connect_failures);
        return 0;
    }
    if (got == 0) {
        static const char probe[] = "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
        if (exchange(probe, sizeof probe - 1, 5000) == 0) {   /* connected, but no answer: a hang */
            fprintf(stderr, "fuzz_http: the server stopped answering\n");
            abort();
        }
    }
    return 0;
}
