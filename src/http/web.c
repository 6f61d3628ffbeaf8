/* web.c — everything outside /api/: the web UI, served as static files from the web root
 * (BEIAN_WEB_DIR, else the compile-time default: this repository's web/).
 *
 *   /                      index.html
 *   /a/b.ext               the file web/a/b.ext, or 404 when there is none
 *   /filings/12, /verify   index.html (a route of the single-page application: no extension)
 *
 * Safety: only GET and HEAD; the path is percent-decoded here and every segment must be plain
 * (letters, digits, '-', '_', '.', not starting with '.', so no "..", no hidden files); the file
 * is resolved with realpath and must lie inside the resolved web root (no symlink escapes), be a
 * regular file and at most WEB_MAX_FILE bytes. Files are read per request (they are small and
 * the page cache keeps them), their gzip variants compressed once and kept in memory; replies
 * carry an ETag and Last-Modified, and Cache-Control: no-cache so that a browser revalidates (a
 * 304, answered by reply_finish.c, costs one stat) and never runs stale code. */
#include "config.h"
#include "http/http.h"
#include "core/hex.h"
#include "http/etag.h"   /* ETAG_MAX */
#include "http/gzip.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define WEB_MAX_FILE ((off_t)8 * 1024 * 1024)
#define WEB_MAX_PATH 512

static const struct {
    const char *ext;
    const char *type;
} CONTENT_TYPES[] = {
    {"html", "text/html; charset=utf-8"},
    {"js", "text/javascript; charset=utf-8"},
    {"mjs", "text/javascript; charset=utf-8"},
    {"css", "text/css; charset=utf-8"},
    {"json", "application/json"},
    {"webmanifest", "application/manifest+json"},
    {"svg", "image/svg+xml"},
    {"png", "image/png"},
    {"jpg", "image/jpeg"},
    {"jpeg", "image/jpeg"},
    {"gif", "image/gif"},
    {"webp", "image/webp"},
    {"ico", "image/x-icon"},
    {"woff2", "font/woff2"},
    {"woff", "font/woff"},
    {"txt", "text/plain; charset=utf-8"},
    {"map", "application/json"},
};

static const char *content_type_of(const char *name)
{
    const char *dot = strrchr(name, '.');
    if (!dot) return "application/octet-stream";
    for (size_t i = 0; i < sizeof CONTENT_TYPES / sizeof CONTENT_TYPES[0]; i++)
        if (strcasecmp(dot + 1, CONTENT_TYPES[i].ext) == 0) return CONTENT_TYPES[i].type;
    return "application/octet-stream";
}

static const char *web_root(void)
{
    const char *dir = getenv("BEIAN_WEB_DIR");
    return dir && *dir ? dir : BEIAN_DEFAULT_WEB_DIR;
}

/* Percent-decode `raw` into out (size out_size). False when malformed, too long, or when it
 * decodes to a NUL or a control character. */
static bool percent_decode(const char *raw, char *out, size_t out_size)
{
    size_t n = 0;
    for (const char *s = raw; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '%') {
            int hi = hex_digit(s[1]), lo = hi < 0 ? -1 : hex_digit(s[2]);
            if (hi < 0 || lo < 0) return false;
            c = (unsigned char)(hi * 16 + lo);
            s += 2;
        }
        if (c < 0x20 || c == 0x7f) return false;
        if (n + 1 >= out_size) return false;
        out[n++] = (char)c;
    }
    out[n] = '\0';
    return true;
}

/* Every segment of the decoded path (which starts with '/') is non-empty, does not start with
 * '.', and holds only [A-Za-z0-9._-]. A trailing '/' is allowed (an empty last segment). */
static bool path_is_plain(const char *path)
{
    const char *seg = path + 1;
    while (*seg) {
        const char *end = strchr(seg, '/');
        size_t len = end ? (size_t)(end - seg) : strlen(seg);
        if (len == 0) return end == NULL;
        if (seg[0] == '.') return false;
        for (size_t i = 0; i < len; i++) {
            char c = seg[i];
            bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '_' || c == '.';
            if (!ok) return false;
        }
        if (!end) break;
        seg = end + 1;
    }
    return true;
}

/* The last segment has an extension: the path names an asset, not an app route. */
static bool names_asset(const char *path)
{
    const char *last = strrchr(path, '/');
    return strchr(last ? last + 1 : path, '.') != NULL;
}

/* ---- the gzip variants of assets, compressed once ---------------------------------------- */

#define GZ_CACHE_SLOTS 64
#define GZ_CACHE_MAX_BYTES ((size_t)16 * 1024 * 1024)

/* An asset's gzip variant, keyed by its resolved path and ETag (size and mtime), so an edited
 * file is compressed anew. Slots are reused round-robin; the lock is held only to copy. */
struct gz_entry { char *key; char *gz; size_t len; };
static struct gz_entry gz_cache[GZ_CACHE_SLOTS];
static size_t gz_cache_next, gz_cache_bytes;
static pthread_mutex_t gz_cache_lock = PTHREAD_MUTEX_INITIALIZER;

static char *memdup(const void *p, size_t len)
{
    char *copy = malloc(len ? len : 1);
    if (copy && len) memcpy(copy, p, len);
    return copy;
}

/* A copy of the cached variant of key, or NULL. */
static char *gz_cache_get(const char *key, size_t *len)
{
    char *copy = NULL;
    pthread_mutex_lock(&gz_cache_lock);
    for (size_t i = 0; i < GZ_CACHE_SLOTS; i++) {
        if (gz_cache[i].key && strcmp(gz_cache[i].key, key) == 0) {
            copy = memdup(gz_cache[i].gz, gz_cache[i].len);
            *len = gz_cache[i].len;
            break;
        }
    }
    pthread_mutex_unlock(&gz_cache_lock);
    return copy;
}

static void gz_cache_put(const char *key, const char *gz, size_t len)
{
    if (len > GZ_CACHE_MAX_BYTES / 4) return;
    char *k = strdup(key), *data = memdup(gz, len);
    if (!k || !data) { free(k); free(data); return; }
    pthread_mutex_lock(&gz_cache_lock);
    /* make room: the next slot, and the ones after it while over the byte budget */
    for (size_t i = 0; i < GZ_CACHE_SLOTS; i++) {
        if (i > 0 && gz_cache_bytes + len <= GZ_CACHE_MAX_BYTES) break;
        struct gz_entry *old = &gz_cache[(gz_cache_next + i) % GZ_CACHE_SLOTS];
        if (!old->key) continue;
        gz_cache_bytes -= old->len;
        free(old->key);
        free(old->gz);
        *old = (struct gz_entry){0};
    }
    gz_cache[gz_cache_next] = (struct gz_entry){k, data, len};
    gz_cache_bytes += len;
    gz_cache_next = (gz_cache_next + 1) % GZ_CACHE_SLOTS;
    pthread_mutex_unlock(&gz_cache_lock);
}

/* When the client takes gzip and the asset is worth it: hand the finisher (reply_finish.c) the
 * gzip variant from the cache, compressing it the first time. */
static void offer_gzip_variant(struct http_req *r, const char *real, const char *etag, const char *data, size_t len)
{
    if (len < GZIP_MIN_BYTES || !gzip_type_compressible(content_type_of(real)) ||
        !gzip_accepted(http_header(r, "Accept-Encoding")))
        return;
    char key[PATH_MAX + ETAG_MAX];
    snprintf(key, sizeof key, "%s %s", real, etag);
    size_t gz_len = 0;
    char *gz = gz_cache_get(key, &gz_len);
    if (!gz && (gz = gzip_compress(data, len, &gz_len))) gz_cache_put(key, gz, gz_len);
    r->reply_gz = gz;
    r->reply_gz_len = gz_len;
}

static int reply_not_found(struct http_req *r)
{
    return reply_error(r, ERR_NOT_FOUND, "no such page", "页面不存在");
}

/* Serve the file at `rel` (decoded, plain, relative to the web root, no leading '/'). */
static int serve_file(struct http_req *r, const char *rel)
{
    char root_real[PATH_MAX], candidate[PATH_MAX], real[PATH_MAX];
    if (!realpath(web_root(), root_real)) {
        fprintf(stderr, "beian: web root %s: %s\n", web_root(), strerror(errno));
        return reply_error(r, ERR_NOT_FOUND, "the web UI is not installed (BEIAN_WEB_DIR)",
                           "未安装网页界面（BEIAN_WEB_DIR）");
    }
    int n = snprintf(candidate, sizeof candidate, "%s/%s", root_real, rel);
    if (n < 0 || (size_t)n >= sizeof candidate || !realpath(candidate, real)) return reply_not_found(r);
    size_t root_len = strlen(root_real);
    if (strncmp(real, root_real, root_len) != 0 || real[root_len] != '/') return reply_not_found(r);

    int fd = open(real, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) return reply_not_found(r);
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > WEB_MAX_FILE) {
        close(fd);
        return reply_not_found(r);
    }

    char etag[64], modified[64];
    snprintf(etag, sizeof etag, "\"%jx-%jx-%lx\"", (uintmax_t)st.st_size, (uintmax_t)st.st_mtim.tv_sec,
             (unsigned long)st.st_mtim.tv_nsec);
    struct tm utc;
    gmtime_r(&st.st_mtim.tv_sec, &utc);
    strftime(modified, sizeof modified, "%a, %d %b %Y %H:%M:%S GMT", &utc);
    reply_header(r, "ETag", etag);
    reply_header(r, "Last-Modified", modified);
    reply_header(r, "Cache-Control", "no-cache");
    size_t size = (size_t)st.st_size, got = 0;
    char *data = malloc(size ? size : 1);
    if (!data) {
        close(fd);
        return reply_error(r, ERR_INTERNAL, "out of memory", "内存不足");
    }
    while (got < size) {
        ssize_t k = read(fd, data + got, size - got);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) break;
        got += (size_t)k;
    }
    close(fd);
    int rc = reply_bytes(r, 200, content_type_of(real), data, got);
    if (r->status == 200) offer_gzip_variant(r, real, etag, data, got);
    free(data);
    return rc;
}

int web_dispatch(struct http_req *r)
{
    if (strcmp(r->method, "GET") != 0 && strcmp(r->method, "HEAD") != 0) {
        reply_header(r, "Allow", "GET, HEAD");
        return reply_error(r, ERR_METHOD_NOT_ALLOWED, "only GET and HEAD are supported here", "此处仅支持 GET 和 HEAD");
    }
    char path[WEB_MAX_PATH];
    if (!percent_decode(r->path, path, sizeof path) || path[0] != '/' || !path_is_plain(path))
        return reply_not_found(r);
    if (names_asset(path)) return serve_file(r, path + 1);
    /* "/", and every route of the application: the app's page, which routes in the browser */
    return serve_file(r, "index.html");
}
