/* postgres_blobs.c — material bytes in PostgreSQL, so one pg_dump or replica holds everything:
 * rows of material_blobs (sha256, chunk, data), chunks of at most 1 MiB. Written before any row
 * names them (their own transaction on the calling thread's connection); the same bytes are kept
 * once; concurrent uploads of the same bytes write the same chunks (ON CONFLICT … DO UPDATE).
 * Reading hands back a file descriptor, as the file backend does: the chunks are copied into an
 * unlinked temporary file in the upload directory. */
#include "store/postgres_internal.h"
#include "core/sha256.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CHUNK (1024 * 1024)

static struct pg_conn *reader(struct store *s) { return (struct pg_conn *)pg_reader(s); }

/* Chunks and bytes kept for sha256: 0, or -1 with e. */
static int kept(struct pg_conn *c, const char *sha256, int64_t *chunks, int64_t *bytes, struct err *e)
{
    const char *v[1] = {sha256};
    PGresult *r = PQexecParams(c->pg, "SELECT count(*), coalesce(sum(octet_length(data)), 0) FROM material_blobs "
                                      "WHERE sha256 = $1", 1, NULL, v, NULL, NULL, 0);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        int rc = pg_error(c, e, r);
        PQclear(r);
        return rc;
    }
    *chunks = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    *bytes = strtoll(PQgetvalue(r, 0, 1), NULL, 10);
    PQclear(r);
    return 0;
}

/* Call fn with each chunk of sha256 in order; 0, or -1 with e. */
static int each_chunk(struct pg_conn *c, const char *sha256, int64_t chunks,
                      int (*fn)(const char *data, size_t len, void *arg), void *arg, struct err *e)
{
    for (int64_t i = 0; i < chunks; i++) {
        char n[24];
        snprintf(n, sizeof n, "%lld", (long long)i);
        const char *v[2] = {sha256, n};
        PGresult *r = PQexecParams(c->pg, "SELECT data FROM material_blobs WHERE sha256 = $1 AND chunk = $2::integer",
                                   2, NULL, v, NULL, NULL, 1);
        if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
            int rc = PQresultStatus(r) == PGRES_TUPLES_OK
                         ? err_set(e, ERR_INTERNAL, NULL, "the stored content of this material is missing or damaged",
                                   "该材料的存储内容缺失或已损坏")
                         : pg_error(c, e, r);
            PQclear(r);
            return rc;
        }
        int rc = fn(PQgetvalue(r, 0, 0), (size_t)PQgetlength(r, 0, 0), arg);
        PQclear(r);
        if (rc != 0)
            return err_set(e, ERR_INTERNAL, NULL, "cannot copy the material: %s", "无法复制材料：%s", strerror(errno));
    }
    return 0;
}

static int hash_chunk(const char *data, size_t len, void *arg)
{
    sha256_update(arg, data, len);
    return 0;
}

/* The digest of the kept bytes (got), or -1 when none are kept. */
static int rehash(struct pg_conn *c, const char *sha256, char got[65], int64_t *bytes, struct err *e)
{
    int64_t chunks = 0;
    if (kept(c, sha256, &chunks, bytes, e) != 0) return -1;
    if (chunks == 0) return -1;
    struct sha256 h;
    sha256_init(&h);
    if (each_chunk(c, sha256, chunks, hash_chunk, &h, e) != 0) return -1;
    sha256_final_hex(&h, got);
    return 0;
}

int pg_blob_put(struct store *s, struct store_upload *u, struct err *e)
{
    struct pg_conn *c = reader(s);
    if (!c) return err_set(e, ERR_INTERNAL, NULL, "cannot connect to PostgreSQL", "无法连接 PostgreSQL");
    char got[65];
    int64_t bytes = 0;
    struct err ignored = {0};
    if (rehash(c, u->sha256, got, &bytes, &ignored) == 0) {
        if ((uint64_t)bytes == u->size && strcmp(got, u->sha256) == 0) return 0;
        fprintf(stderr, "beian: warning: the stored material file %s no longer has its digest; "
                        "replaced by the bytes just uploaded\n", u->sha256);
    }
    err_clear(&ignored);
    char *buf = malloc(CHUNK);
    if (!buf) return err_set(e, ERR_INTERNAL, NULL, "out of memory", "内存不足");
    int rc = pg_exec_simple(c, "BEGIN", e);
    if (rc == 0) {
        const char *v[1] = {u->sha256};
        PGresult *r = PQexecParams(c->pg, "DELETE FROM material_blobs WHERE sha256 = $1", 1, NULL, v, NULL, NULL, 0);
        if (PQresultStatus(r) != PGRES_COMMAND_OK) rc = pg_error(c, e, r);
        PQclear(r);
    }
    for (uint64_t off = 0, i = 0; rc == 0 && off < u->size; i++) {
        size_t want = u->size - off < CHUNK ? (size_t)(u->size - off) : CHUNK, got_len = 0;
        while (got_len < want) {
            ssize_t n = pread(u->fd, buf + got_len, want - got_len, (off_t)(off + got_len));
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) break;
            got_len += (size_t)n;
        }
        if (got_len != want) {
            rc = err_set(e, ERR_INTERNAL, NULL, "cannot read the upload", "无法读取上传的文件");
            break;
        }
        char n[24];
        snprintf(n, sizeof n, "%llu", (unsigned long long)i);
        const char *v[3] = {u->sha256, n, buf};
        int lens[3] = {0, 0, (int)want}, formats[3] = {0, 0, 1};
        PGresult *r = PQexecParams(c->pg, "INSERT INTO material_blobs(sha256, chunk, data) VALUES ($1, $2::integer, $3) "
                                          "ON CONFLICT (sha256, chunk) DO UPDATE SET data = excluded.data",
                                   3, NULL, v, lens, formats, 0);
        if (PQresultStatus(r) != PGRES_COMMAND_OK) rc = pg_error(c, e, r);
        PQclear(r);
        off += want;
    }
    free(buf);
    if (rc == 0) rc = pg_exec_simple(c, "COMMIT", e);
    else pg_exec_simple(c, "ROLLBACK", NULL);
    return rc;
}

static int write_chunk(const char *data, size_t len, void *arg)
{
    int fd = *(int *)arg;
    while (len > 0) {
        ssize_t n = write(fd, data, len);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return -1;
        data += n;
        len -= (size_t)n;
    }
    return 0;
}

int pg_blob_open(struct store *s, const char *sha256, int64_t size, int *fd, struct err *e)
{
    *fd = -1;
    struct pg_conn *c = reader(s);
    if (!c) return err_set(e, ERR_INTERNAL, NULL, "cannot connect to PostgreSQL", "无法连接 PostgreSQL");
    int64_t chunks = 0, bytes = 0;
    if (kept(c, sha256 ? sha256 : "", &chunks, &bytes, e) != 0) return -1;
    if (chunks == 0 || bytes != size)
        return err_set(e, ERR_INTERNAL, NULL, "the stored content of this material is missing or damaged",
                       "该材料的存储内容缺失或已损坏");
    char dir[4200], path[4300];
    snprintf(dir, sizeof dir, "%s/materials", s->data_dir);
    mkdir(dir, 0700);
    store_upload_dir(s, dir, sizeof dir);
    mkdir(dir, 0700);
    snprintf(path, sizeof path, "%s/download-XXXXXX", dir);
    int out = mkostemp(path, O_CLOEXEC);
    if (out < 0)
        return err_set(e, errno == ENOSPC ? ERR_STORAGE_FULL : ERR_INTERNAL, NULL, "cannot copy the material: %s",
                       "无法复制材料：%s", strerror(errno));
    unlink(path);
    if (each_chunk(c, sha256, chunks, write_chunk, &out, e) != 0 || lseek(out, 0, SEEK_SET) != 0) {
        close(out);
        return -1;
    }
    *fd = out;
    return 0;
}

int pg_blob_check(struct store *s, const char *sha256, char got[65], char *where, size_t where_len)
{
    snprintf(where, where_len, "material_blobs");
    struct pg_conn *c = reader(s);
    if (!c) return -1;
    int64_t bytes = 0;
    struct err e = {0};
    int rc = rehash(c, sha256, got, &bytes, &e);
    err_clear(&e);
    if (rc != 0) return -1;
    return strcmp(got, sha256) == 0 ? 0 : 1;
}
