/* upload_floor.c — the floor under beian's upload figure: the least a server on this machine must
 * do to take in an upload the way issue 4 asks (receive it over TCP, write it to a temporary file,
 * SHA-256 it, fsync, rename it to its digest), and nothing else: no HTTP parsing beyond
 * Content-Length, no authentication, no type check, no store, one connection at a time.
 * It takes the same shortcuts beian takes (space reserved up front, hashing on a second thread
 * behind the writer with beian's own SHA-256, writeback started every 8 MiB) and one beian
 * cannot (256 KiB reads; libmicrohttpd reads 32 KiB at a time). bench/upload.sh sends it the same
 * file with the same curl command as beian, so the table shows how far the machine lets any
 * server get.
 *
 *   upload_floor PORT DIR [--no-hash]      serves until killed; each upload answers 201 + digest
 */
#include "core/sha256_follow.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define READ_SIZE (256 * 1024)
#define WRITEBACK_STEP ((uint64_t)8 << 20)

static bool write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w <= 0) return false;
        p += w;
        n -= (size_t)w;
    }
    return true;
}

/* Reads the request head into buf; returns its Content-Length, the body bytes already read in
 * *extra (at buf + *head_len), or -1. */
static long long read_head(int c, char *buf, size_t cap, size_t *head_len, size_t *extra)
{
    size_t have = 0;
    for (;;) {
        ssize_t n = read(c, buf + have, cap - 1 - have);
        if (n <= 0) return -1;
        have += (size_t)n;
        buf[have] = '\0';
        char *end = strstr(buf, "\r\n\r\n");
        if (end) {
            *head_len = (size_t)(end + 4 - buf);
            *extra = have - *head_len;
            char *cl = strcasestr(buf, "\r\ncontent-length:");
            return cl && cl < end ? strtoll(cl + 17, NULL, 10) : -1;
        }
        if (have + 1 >= cap) return -1;
    }
}

static void serve_one(int c, const char *dir, bool hash, char *buf)
{
    size_t head_len, extra;
    long long want = read_head(c, buf, READ_SIZE, &head_len, &extra);
    if (want < 0) return;
    char tmp[4200], final[4300], hex[65] = "";
    snprintf(tmp, sizeof tmp, "%s/upload-XXXXXX", dir);
    int fd = mkostemp(tmp, O_CLOEXEC);
    if (fd < 0) return;
    fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, want);
    struct sha256_follow *f = hash ? sha256_follow_new(fd) : NULL;
    uint64_t got = 0, flushed = 0;
    bool ok = write_all(fd, buf + head_len, extra);
    got = extra;
    while (ok && got < (uint64_t)want) {
        ssize_t n = read(c, buf, READ_SIZE);
        if (n <= 0) { ok = false; break; }
        ok = write_all(fd, buf, (size_t)n);
        got += (uint64_t)n;
        if (f) sha256_follow_grew(f, got);
        if (got - flushed >= WRITEBACK_STEP) {
            sync_file_range(fd, (off_t)flushed, (off_t)(got - flushed), SYNC_FILE_RANGE_WRITE);
            flushed = got;
        }
    }
    if (ok && f) ok = sha256_follow_finish(f, hex) == 0;
    if (ok) ok = fsync(fd) == 0;
    sha256_follow_free(f);
    close(fd);
    snprintf(final, sizeof final, "%s/%s", dir, hash ? hex : "unhashed");
    if (ok && rename(tmp, final) == 0) {
        const char *body = hash ? hex : "";
        char reply[256];
        int n = snprintf(reply, sizeof reply,
                         "HTTP/1.1 201 Created\r\nContent-Type: text/plain\r\nContent-Length: %zu\r\n"
                         "Connection: close\r\n\r\n%s", strlen(body), body);
        write_all(c, reply, (size_t)n);
    } else {
        unlink(tmp);
    }
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: upload_floor PORT DIR [--no-hash]\n");
        return 2;
    }
    bool hash = !(argc > 3 && strcmp(argv[3], "--no-hash") == 0);
    int ls = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[1]))};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (ls < 0 || bind(ls, (struct sockaddr *)&a, sizeof a) != 0 || listen(ls, 16) != 0) {
        perror("upload_floor");
        return 1;
    }
    char *buf = malloc(READ_SIZE);
    if (!buf) return 1;
    for (;;) {
        int c = accept(ls, NULL, NULL);
        if (c < 0) continue;
        serve_one(c, argv[2], hash, buf);
        close(c);
    }
}
