/* store_blobs.c — material contents as content-addressed files in the data directory (the
 * SQLite backend's blobs): <data>/materials/sha256/<first two hex>/<sha256>, moved there by
 * rename from the upload's temporary file after fsync, then the directory fsync'd. A file once
 * there is never rewritten, unless its bytes no longer have its digest. */
#include "store/db.h"
#include "core/sha256.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int fsync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return -1;
    int rc = fsync(fd);
    close(fd);
    return rc;
}

/* mkdir; when it is new, fsync its parent so the entry survives a crash. */
static int make_dir(const char *dir, const char *parent, struct err *e)
{
    if (mkdir(dir, 0700) == 0) {
        fsync_dir(parent);
        return 0;
    }
    if (errno == EEXIST) return 0;
    return err_set(e, errno == ENOSPC ? ERR_STORAGE_FULL : ERR_INTERNAL, NULL, "cannot create %s: %s",
                   "无法创建目录 %s：%s", dir, strerror(errno));
}

static void blob_path(const struct store *s, const char *sha, char *out, size_t len)
{
    snprintf(out, len, "%s/materials/sha256/%.2s/%s", s->data_dir, sha, sha);
}

/* Two uploads of the same bytes at once both rename onto the same name: rename is atomic and the
 * bytes are equal, so either order leaves one good file. A file already there is re-hashed: one
 * damaged in place (same size, other bytes) is replaced by the upload, which has the digest. */
int blob_files_put(struct store *s, struct store_upload *u, struct err *e)
{
    char root[4200], sub[4200], path[4300];
    snprintf(root, sizeof root, "%s/materials", s->data_dir);
    snprintf(sub, sizeof sub, "%s/materials/sha256", s->data_dir);
    if (make_dir(root, s->data_dir, e) || make_dir(sub, root, e)) return -1;
    snprintf(root, sizeof root, "%s/materials/sha256/%.2s", s->data_dir, u->sha256);
    if (make_dir(root, sub, e)) return -1;
    blob_path(s, u->sha256, path, sizeof path);
    struct stat sb;
    if (stat(path, &sb) == 0) {
        char got[65];
        if (S_ISREG(sb.st_mode) && (uint64_t)sb.st_size == u->size && sha256_file_hex(path, got) == 0 &&
            strcmp(got, u->sha256) == 0)
            return 0;
        fprintf(stderr, "beian: warning: the stored material file %s no longer has its digest; "
                        "replaced by the bytes just uploaded\n", u->sha256);
    }
    if (fsync(u->fd) != 0 || rename(u->path, path) != 0)
        return err_set(e, errno == ENOSPC ? ERR_STORAGE_FULL : ERR_INTERNAL, NULL, "cannot store the material: %s",
                       "无法保存材料：%s", strerror(errno));
    u->taken = true;
    if (fsync_dir(root) != 0)
        return err_set(e, ERR_INTERNAL, NULL, "cannot sync %s: %s", "无法同步目录 %s：%s", root, strerror(errno));
    return 0;
}

int blob_files_open(struct store *s, const char *sha256, int64_t size, int *fd, struct err *e)
{
    char path[4300];
    blob_path(s, sha256 ? sha256 : "", path, sizeof path);
    *fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat sb;
    if (*fd < 0 || fstat(*fd, &sb) != 0 || (int64_t)sb.st_size != size) {
        if (*fd >= 0) close(*fd);
        *fd = -1;
        return err_set(e, ERR_INTERNAL, NULL, "the stored content of this material is missing or damaged",
                       "该材料的存储内容缺失或已损坏");
    }
    return 0;
}

int blob_files_check(struct store *s, const char *sha256, char got[65], char *where, size_t where_len)
{
    blob_path(s, sha256, where, where_len);
    if (sha256_file_hex(where, got) != 0) return -1;
    return strcmp(got, sha256) == 0 ? 0 : 1;
}
