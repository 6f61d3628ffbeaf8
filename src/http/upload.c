/* upload.c — streaming uploads and file replies (see http.h, "Uploads").
 *
 * An upload goes to a temporary file in <data>/materials/tmp (mkostemp, mode 0600) chunk by
 * chunk as libmicrohttpd hands the body over, so memory use does not depend on the size of the
 * body. A thread of the upload's own hashes (SHA-256) the file behind the writer, and writeback
 * to the disk starts every few megabytes, so that hashing and the final fsync overlap receiving.
 * When the request declares its size, the space is reserved first (fallocate): a disk without
 * room answers 507 before the body is read, and the filesystem allocates the file in one go
 * instead of block by block. libmicrohttpd hands the body over some 32 KiB at a time; the chunks
 * are gathered into a staging buffer (at most 256 KiB, no larger than the declared size) and
 * written a buffer at a time, which costs the kernel far less than a write per chunk. The file is removed when the request ends unless the handler took
 * it; a body cut off halfway therefore leaves nothing behind. */
#include "http/http.h"
#include "core/sha256_follow.h"
#include "service/app.h"
#include "service/quota.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The public part first, so that r->upload points at both. */
struct upload_private {
    struct http_upload pub;
    struct sha256_follow *hash;
    unsigned char *stage;   /* received, not yet written */
    size_t staged, stage_size;
    uint64_t written;       /* bytes in the file */
    uint64_t flushed;       /* bytes handed to writeback so far */
    struct app *app;        /* whose quota the reservation is held in */
    struct quota_ticket quota;   /* the bytes in flight this upload reserves (service/quota.h) */
};

#define UPLOAD_STAGE_MAX ((size_t)256 << 10)
#define UPLOAD_WRITEBACK_STEP ((uint64_t)8 << 20)

uint64_t http_upload_limit(const struct http_req *r)
{
    return r->app && app_max_upload_bytes(r->app) ? app_max_upload_bytes(r->app) : HTTP_DEFAULT_MAX_UPLOAD;
}

static int ensure_dir(const char *path, struct err *e)
{
    if (mkdir(path, 0700) == 0 || errno == EEXIST) return 0;
    return err_set(e, ERR_INTERNAL, NULL, "cannot create %s: %s", "无法创建目录 %s：%s", path, strerror(errno));
}

struct http_upload *http_upload_new(void)
{
    struct upload_private *u = calloc(1, sizeof *u);
    if (!u) return NULL;
    u->pub.fd = -1;
    return &u->pub;
}

/* Reserves size bytes for the file without changing its length (the length stays what has
 * arrived). Only a disk without room is an error; a filesystem that cannot reserve (tmpfs of old,
 * NFS, …) just goes on without. Only signed-in callers get here (the route's first phase runs
 * before), a reservation is bounded by the upload limit and goes with the file when the upload
 * ends or is cut off or times out. */
static int reserve_space(int fd, uint64_t size, struct err *e)
{
#ifdef __linux__
    if (size == 0) return 0;
    if (fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, (off_t)size) == 0) return 0;
    if (errno == ENOSPC || errno == EDQUOT)
        return err_set(e, ERR_STORAGE_FULL, NULL, "no room on the disk for an upload of %llu bytes",
                       "磁盘空间不足，无法存放 %llu 字节的上传内容", (unsigned long long)size);
#else
    (void)fd, (void)size, (void)e;
#endif
    return 0;
}

int http_upload_begin(struct http_req *r, uint64_t declared_size, struct err *e)
{
    if (!r->upload && !(r->upload = http_upload_new()))
        return err_set(e, ERR_INTERNAL, NULL, "out of memory", "内存不足");
    struct upload_private *u = (struct upload_private *)r->upload;
    if (u->pub.fd >= 0) return 0;
    /* the organisation's quotas first: a refused upload costs no file and no disk; a body of
     * unknown length reserves the most it may grow to */
    if (r->who && !u->quota.held) {
        u->app = r->app;
        if (quota_upload_enter(r->app, r->who, declared_size,
                               declared_size ? declared_size : http_upload_limit(r), &u->quota, e) != 0)
            return -1;
    }
    char dir[4200];
    snprintf(dir, sizeof dir, "%s/materials", app_data_dir(r->app));
    if (ensure_dir(dir, e) != 0) return -1;
    snprintf(dir, sizeof dir, "%s/materials/tmp", app_data_dir(r->app));
    if (ensure_dir(dir, e) != 0) return -1;
    int n = snprintf(u->pub.path, sizeof u->pub.path, "%s/upload-XXXXXX", dir);
    if (n < 0 || (size_t)n >= sizeof u->pub.path) {
        u->pub.path[0] = '\0';
        return err_set(e, ERR_INTERNAL, NULL, "data directory path too long", "数据目录路径过长");
    }
    u->pub.fd = mkostemp(u->pub.path, O_CLOEXEC);
    if (u->pub.fd < 0) {
        int saved = errno;
        u->pub.path[0] = '\0';
        return err_set(e, saved == ENOSPC || saved == EDQUOT ? ERR_STORAGE_FULL : ERR_INTERNAL, NULL,
                       "cannot create a temporary file: %s", "无法创建临时文件：%s", strerror(saved));
    }
    if (reserve_space(u->pub.fd, declared_size, e) != 0) goto undo;
    u->stage_size = declared_size && declared_size < UPLOAD_STAGE_MAX ? (size_t)declared_size : UPLOAD_STAGE_MAX;
    u->stage = malloc(u->stage_size);
    u->hash = sha256_follow_new(u->pub.fd);
    if (!u->hash || !u->stage) {
        err_set(e, ERR_INTERNAL, NULL, "out of memory", "内存不足");
        goto undo;
    }
    return 0;
undo:   /* no half-begun upload: the file goes again */
    sha256_follow_free(u->hash);
    u->hash = NULL;
    free(u->stage);
    u->stage = NULL;
    close(u->pub.fd);
    u->pub.fd = -1;
    unlink(u->pub.path);
    u->pub.path[0] = '\0';
    quota_upload_leave(u->app, &u->quota);
    return -1;
}

/* Writes the staged bytes to the file and tells the hash and writeback how far it now goes. */
static int write_stage(struct upload_private *u, struct err *e)
{
    const unsigned char *p = u->stage;
    size_t left = u->staged;
    while (left > 0) {
        ssize_t w = write(u->pub.fd, p, left);
        if (w < 0) {
            if (errno == EINTR) continue;
            int saved = errno;
            return err_set(e, saved == ENOSPC || saved == EDQUOT ? ERR_STORAGE_FULL : ERR_INTERNAL, NULL,
                           "cannot write the upload: %s", "无法写入上传内容：%s", strerror(saved));
        }
        p += w;
        left -= (size_t)w;
    }
    u->written += u->staged;
    u->staged = 0;
    sha256_follow_grew(u->hash, u->written);
#ifdef __linux__
    /* start writing back what has arrived, so the fsync at the end has little left to wait for
     * (asynchronous; a write error still surfaces at that fsync) */
    if (u->written - u->flushed >= UPLOAD_WRITEBACK_STEP) {
        sync_file_range(u->pub.fd, (off_t)u->flushed, (off_t)(u->written - u->flushed), SYNC_FILE_RANGE_WRITE);
        u->flushed = u->written;
    }
#endif
    return 0;
}

int http_upload_write(struct http_req *r, const void *data, size_t len, struct err *e)
{
    struct upload_private *u = (struct upload_private *)r->upload;
    if (!u || u->pub.fd < 0) return err_set(e, ERR_INTERNAL, NULL, "no upload in progress", "没有正在进行的上传");
    const unsigned char *p = data;
    size_t left = len;
    while (left > 0) {
        size_t n = u->stage_size - u->staged < left ? u->stage_size - u->staged : left;
        memcpy(u->stage + u->staged, p, n);
        u->staged += n;
        p += n;
        left -= n;
        if (u->staged == u->stage_size && write_stage(u, e) != 0) return -1;
    }
    u->pub.size += len;
    return 0;
}

int http_upload_finish(struct http_req *r, struct err *e)
{
    struct upload_private *u = (struct upload_private *)r->upload;
    if (!u || u->pub.fd < 0) return err_set(e, ERR_INTERNAL, NULL, "no upload in progress", "没有正在进行的上传");
    if (u->staged > 0 && write_stage(u, e) != 0) return -1;
    if (sha256_follow_finish(u->hash, u->pub.sha256) != 0)
        return err_set(e, ERR_INTERNAL, NULL, "cannot read the upload back: %s", "无法读回上传内容：%s", strerror(errno));
    if (lseek(u->pub.fd, 0, SEEK_SET) < 0)
        return err_set(e, ERR_INTERNAL, NULL, "cannot rewind the upload: %s", "无法回到上传文件开头：%s", strerror(errno));
    u->pub.complete = true;
    return 0;
}

void http_upload_free(struct http_req *r)
{
    struct upload_private *u = (struct upload_private *)r->upload;
    if (!u) return;
    if (u->app) quota_upload_leave(u->app, &u->quota);   /* however the upload ended */
    sha256_follow_free(u->hash);   /* before the file it reads is closed */
    free(u->stage);
    if (u->pub.fd >= 0) close(u->pub.fd);
    if (u->pub.path[0]) unlink(u->pub.path);
    free(u);
    r->upload = NULL;
}

int reply_file(struct http_req *r, int status, const char *content_type, int fd, uint64_t size)
{
    if (r->reply_from_fd) close(r->reply_fd);
    free(r->reply_body);
    r->reply_body = NULL;
    r->reply_len = 0;
    r->status = status;
    r->reply_type = content_type;
    r->reply_from_fd = true;
    r->reply_fd = fd;
    r->reply_fd_size = size;
    r->replied = true;
    return 0;
}
