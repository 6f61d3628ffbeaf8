/* keys.c — the signing keys and the device-cookie key (see keys.h): files under the data
 * directory on SQLite, rows of the database on PostgreSQL (postgres_keys.c: one set for the
 * deployment, whichever node signs). Both are reached by the path under the data directory
 * ("keys/platform/current"). A file is written to a temporary name, fsync'd and renamed (or
 * linked, where it must not replace one another process just made); secret keys are created
 * 0600 in 0700 directories and wiped from memory after use. */
#include "store/keys.h"
#include "store/db.h"
#include "core/date.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int fail_errno(struct err *e, const char *what, const char *path)
{
    return err_set(e, errno == ENOSPC ? ERR_STORAGE_FULL : ERR_INTERNAL, NULL, "cannot %s %s: %s",
                   "无法%s %s：%s", what, path, strerror(errno));
}

static bool owner_ok(const char *owner)
{
    if (!owner || !*owner || strlen(owner) > 20) return false;
    if (strcmp(owner, "platform") == 0) return true;
    for (const char *p = owner; *p; p++)
        if (*p < '0' || *p > '9') return false;
    return true;
}

static int owner_dir(const char *data_dir, const char *owner, char *buf, size_t len, bool create, struct err *e)
{
    if (!owner_ok(owner)) return err_set(e, ERR_VALIDATION, NULL, "no such key owner", "没有该密钥持有者");
    char keys[4200];
    snprintf(keys, sizeof keys, "%s/keys", data_dir);
    snprintf(buf, len, "%s/%s", keys, owner);
    if (!create) return 0;
    if (mkdir(keys, 0700) != 0 && errno != EEXIST) return fail_errno(e, "create", keys);
    if (mkdir(buf, 0700) != 0 && errno != EEXIST) return fail_errno(e, "create", buf);
    return 0;
}

/* Write path whole; replace false: leave a file already there and return 1. */
static int write_file(const char *path, const void *data, size_t len, mode_t mode, bool replace, struct err *e)
{
    char tmp[4600];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
    if (fd < 0) return fail_errno(e, "create", tmp);
    const uint8_t *p = data;
    for (size_t off = 0; off < len;) {
        ssize_t w = write(fd, p + off, len - off);
        if (w < 0) {
            if (errno == EINTR) continue;
            int rc = fail_errno(e, "write", tmp);
            close(fd);
            unlink(tmp);
            return rc;
        }
        off += (size_t)w;
    }
    if (fsync(fd) != 0 || close(fd) != 0) { int rc = fail_errno(e, "write", tmp); unlink(tmp); return rc; }
    if (!replace) {   /* link, not rename: another process's file stays */
        int rc = link(tmp, path) == 0 ? 0 : errno == EEXIST ? 1 : fail_errno(e, "link", tmp);
        unlink(tmp);
        return rc;
    }
    if (rename(tmp, path) != 0) { int rc = fail_errno(e, "rename", tmp); unlink(tmp); return rc; }
    return 0;
}

/* Read at most cap-1 bytes of a small file, NUL-terminated; the length or -1. */
static long read_small(const char *path, void *buf, size_t cap)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) return -1;
    size_t got = 0;
    while (got < cap - 1) {
        ssize_t r = read(fd, (char *)buf + got, cap - 1 - got);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        got += (size_t)r;
    }
    close(fd);
    ((char *)buf)[got] = 0;
    return (long)got;
}

/* ---------------------------------------------------------------- where the keys live */

static long ring_read(struct store *s, const char *name, void *buf, size_t cap)
{
    if (s->ops->key_get) return s->ops->key_get(s, name, buf, cap);
    char path[4800];
    snprintf(path, sizeof path, "%s/%s", s->data_dir, name);
    return read_small(path, buf, cap);
}

/* name "keys/<owner>/<file>" or "<file>"; replace false: one already there stays (1). */
static int ring_write(struct store *s, const char *name, const void *data, size_t len, bool secret, bool replace,
                      struct err *e)
{
    if (s->ops->key_put) return s->ops->key_put(s, name, data, len, replace, e);
    char path[4800];
    const char *owner = strncmp(name, "keys/", 5) == 0 ? name + 5 : NULL;
    if (owner) {
        char o[32];
        snprintf(o, sizeof o, "%.*s", (int)strcspn(owner, "/"), owner);
        if (owner_dir(s->data_dir, o, path, sizeof path, true, e) != 0) return -1;
    }
    snprintf(path, sizeof path, "%s/%s", s->data_dir, name);
    return write_file(path, data, len, secret ? 0600 : 0644, replace, e);
}

static void ring_remove(struct store *s, const char *name)
{
    if (s->ops->key_remove) { s->ops->key_remove(s, name); return; }
    char path[4800];
    snprintf(path, sizeof path, "%s/%s", s->data_dir, name);
    unlink(path);
}

/* Every "keys/<owner>/<file>" of the files under dir (owners as owner_ok). */
static json_t *file_names(const char *data_dir)
{
    json_t *out = json_array();
    char keys[4200];
    snprintf(keys, sizeof keys, "%s/keys", data_dir);
    DIR *d = opendir(keys);
    if (!d) return out;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (!owner_ok(de->d_name)) continue;
        char dir[4500];
        snprintf(dir, sizeof dir, "%s/%s", keys, de->d_name);
        DIR *kd = opendir(dir);
        if (!kd) continue;
        struct dirent *ke;
        while ((ke = readdir(kd))) {
            if (ke->d_name[0] == '.' || strstr(ke->d_name, ".tmp")) continue;
            char name[600];
            snprintf(name, sizeof name, "keys/%s/%s", de->d_name, ke->d_name);
            json_array_append_new(out, json_string(name));
        }
        closedir(kd);
    }
    closedir(d);
    return out;
}

static json_t *ring_names(struct store *s) { return s->ops->key_names ? s->ops->key_names(s) : file_names(s->data_dir); }

/* One creator or rotator at a time: in this process (files), or in the deployment (the
 * database's key lock, every node's). */
static pthread_mutex_t create_mu = PTHREAD_MUTEX_INITIALIZER;

static int ring_locked(struct store *s, int (*fn)(struct store *s, void *arg, struct err *e), void *arg, struct err *e)
{
    if (s->ops->keys_locked) return s->ops->keys_locked(s, fn, arg, e);
    pthread_mutex_lock(&create_mu);
    int rc = fn(s, arg, e);
    pthread_mutex_unlock(&create_mu);
    return rc;
}

/* ---------------------------------------------------------------- keys */

static void now_text(char *buf) { time_format_rfc3339(time(NULL), buf); }

static int write_pub(struct store *s, const char *owner, const struct key_pair *k, const char *created,
                     const char *retired, struct err *e)
{
    char *b64 = sign_b64(k->pk, SIGN_PK_LEN);
    json_t *pub = json_pack("{s:s s:s s:s s:s s:s}", "owner", owner, "key_id", k->id, "alg", "Ed25519",
                            "public_key", b64 ? b64 : "", "created_at", created);
    free(b64);
    if (retired) json_object_set_new(pub, "retired_at", json_string(retired));
    char *text = json_dumps(pub, JSON_INDENT(1) | JSON_SORT_KEYS);
    json_decref(pub);
    if (!text) return err_set(e, ERR_INTERNAL, NULL, "out of memory", "内存不足");
    char name[600];
    snprintf(name, sizeof name, "keys/%s/%s.pub.json", owner, k->id);
    int rc = ring_write(s, name, text, strlen(text), false, true, e);
    free(text);
    return rc;
}

static int load_key(struct store *s, const char *owner, const char *id, struct key_pair *out, struct err *e)
{
    char name[600];
    snprintf(name, sizeof name, "keys/%s/%s.key", owner, id);
    uint8_t buf[SIGN_SK_LEN + 2];
    long n = ring_read(s, name, buf, sizeof buf);
    if (n != SIGN_SK_LEN) {
        sodium_memzero(buf, sizeof buf);
        return err_set(e, ERR_INTERNAL, NULL, "the signing key %s is missing or damaged", "签名密钥 %s 缺失或损坏", id);
    }
    memcpy(out->sk, buf, SIGN_SK_LEN);
    sodium_memzero(buf, sizeof buf);
    memcpy(out->pk, out->sk + 32, SIGN_PK_LEN);
    sign_key_id(out->pk, out->id);
    if (strcmp(out->id, id) != 0) {
        keys_wipe(out);
        return err_set(e, ERR_INTERNAL, NULL, "the signing key %s does not match its id", "签名密钥 %s 与其标识不符", id);
    }
    return 0;
}

static long read_current(struct store *s, const char *owner, char id[64])
{
    char name[600];
    snprintf(name, sizeof name, "keys/%s/current", owner);
    return ring_read(s, name, id, 64);
}

static int create_key(struct store *s, const char *owner, struct key_pair *out, struct err *e)
{
    crypto_sign_keypair(out->pk, out->sk);
    sign_key_id(out->pk, out->id);
    char name[600], now[32];
    now_text(now);
    snprintf(name, sizeof name, "keys/%s/%s.key", owner, out->id);
    if (ring_write(s, name, out->sk, SIGN_SK_LEN, true, true, e) != 0 || write_pub(s, owner, out, now, NULL, e) != 0) {
        keys_wipe(out);
        return -1;
    }
    if (strcmp(owner, "platform") == 0) {   /* the log's name, fixed with its first key */
        char origin[64];
        int len = snprintf(origin, sizeof origin, "beian/audit/%s\n", out->id);
        if (ring_write(s, "keys/platform/origin", origin, (size_t)len, false, false, e) < 0) { keys_wipe(out); return -1; }
    }
    snprintf(name, sizeof name, "keys/%s/current", owner);
    if (ring_write(s, name, out->id, strlen(out->id), true, true, e) != 0) { keys_wipe(out); return -1; }
    return 0;
}

struct key_job {
    const char *owner;
    struct key_pair *out;
};

/* Under the lock: the current key, made when there is still none. */
static int current_or_create(struct store *s, void *arg, struct err *e)
{
    struct key_job *j = arg;
    char id[64];
    return read_current(s, j->owner, id) == SIGN_KEYID_HEX - 1 ? load_key(s, j->owner, id, j->out, e)
                                                               : create_key(s, j->owner, j->out, e);
}

int keys_current(struct store *s, const char *owner, bool create, struct key_pair *out, struct err *e)
{
    char id[64];
    if (!owner_ok(owner)) return err_set(e, ERR_VALIDATION, NULL, "no such key owner", "没有该密钥持有者");
    /* a rotation (`beian keys rotate`, another process or node) may remove the key just named: read again */
    for (int attempt = 0; attempt < 3; attempt++) {
        if (read_current(s, owner, id) != SIGN_KEYID_HEX - 1) break;
        if (load_key(s, owner, id, out, e) == 0) return 0;
        if (attempt == 2) return -1;
        err_clear(e);
    }
    if (!create) return err_set(e, ERR_NOT_FOUND, NULL, "%s has no signing key", "%s 没有签名密钥", owner);
    struct key_job j = {owner, out};
    return ring_locked(s, current_or_create, &j, e);
}

/* Under the lock: a new current key; the old one's public key marked retired, its secret gone. */
static int rotate(struct store *s, void *arg, struct err *e)
{
    struct key_job *j = arg;
    char id[64], name[600];
    bool had = read_current(s, j->owner, id) == SIGN_KEYID_HEX - 1;
    if (create_key(s, j->owner, j->out, e) != 0) return -1;
    if (!had) return 0;
    snprintf(name, sizeof name, "keys/%s/%s.pub.json", j->owner, id);
    char text[4096];
    long n = ring_read(s, name, text, sizeof text);
    json_t *pub = n > 0 ? json_loadb(text, (size_t)n, 0, NULL) : NULL;
    char now[32];
    now_text(now);
    if (pub && !json_object_get(pub, "retired_at")) {
        json_object_set_new(pub, "retired_at", json_string(now));
        char *out = json_dumps(pub, JSON_INDENT(1) | JSON_SORT_KEYS);
        if (out) ring_write(s, name, out, strlen(out), false, true, e);
        free(out);
    }
    json_decref(pub);
    snprintf(name, sizeof name, "keys/%s/%s.key", j->owner, id);
    ring_remove(s, name);
    return 0;
}

int keys_rotate(struct store *s, const char *owner, struct key_pair *out, struct err *e)
{
    if (!owner_ok(owner)) return err_set(e, ERR_VALIDATION, NULL, "no such key owner", "没有该密钥持有者");
    struct key_job j = {owner, out};
    return ring_locked(s, rotate, &j, e);
}

json_t *keys_public_list(struct store *s)
{
    json_t *out = json_array();
    json_t *names = ring_names(s);
    size_t i;
    json_t *v;
    json_array_foreach(names, i, v) {
        const char *name = json_string_value(v), *slash = strrchr(name, '/');
        size_t n = strlen(name);
        if (strncmp(name, "keys/", 5) != 0 || !slash || n < 9 || strcmp(name + n - 9, ".pub.json") != 0 ||
            n - (size_t)(slash + 1 - name) != SIGN_KEYID_HEX - 1 + 9)
            continue;
        char owner[32], id[64] = "", text[4096];
        snprintf(owner, sizeof owner, "%.*s", (int)(slash - name - 5), name + 5);
        if (!owner_ok(owner)) continue;
        read_current(s, owner, id);
        long len = ring_read(s, name, text, sizeof text);
        json_t *pub = len > 0 ? json_loadb(text, (size_t)len, 0, NULL) : NULL;
        if (!json_is_object(pub)) { json_decref(pub); continue; }
        const char *kid = json_string_value(json_object_get(pub, "key_id"));
        json_object_set_new(pub, "current", json_boolean(kid && strcmp(kid, id) == 0));
        json_array_append_new(out, pub);
    }
    json_decref(names);
    return out;
}

int keys_log_origin(struct store *s, char *buf, size_t len, struct err *e)
{
    struct key_pair k;
    if (keys_current(s, "platform", true, &k, e) != 0) return -1;
    keys_wipe(&k);
    char text[128];
    long n = ring_read(s, "keys/platform/origin", text, sizeof text);
    while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == '\r')) text[--n] = 0;
    if (n <= 0) return err_set(e, ERR_INTERNAL, NULL, "the audit log has no name (keys/platform/origin)",
                               "审计日志缺少名称（keys/platform/origin）");
    snprintf(buf, len, "%s", text);
    return 0;
}

/* ---------------------------------------------------------------- the device-cookie key */

static int device_key_create(struct store *s, void *arg, struct err *e)
{
    (void)arg;
    unsigned char key[KEYS_DEVICE_LEN + 2];
    if (ring_read(s, "device-cookie.key", key, sizeof key) >= 0) { sodium_memzero(key, sizeof key); return 0; }
    randombytes_buf(key, KEYS_DEVICE_LEN);
    int rc = ring_write(s, "device-cookie.key", key, KEYS_DEVICE_LEN, true, false, e);
    sodium_memzero(key, sizeof key);
    return rc < 0 ? -1 : 0;
}

int keys_device(struct store *s, unsigned char out[KEYS_DEVICE_LEN], struct err *e)
{
    unsigned char key[KEYS_DEVICE_LEN + 2];
    long n = ring_read(s, "device-cookie.key", key, sizeof key);
    if (n < 0) {
        if (ring_locked(s, device_key_create, NULL, e) != 0) return -1;
        n = ring_read(s, "device-cookie.key", key, sizeof key);
    }
    if (n == KEYS_DEVICE_LEN) memcpy(out, key, KEYS_DEVICE_LEN);
    sodium_memzero(key, sizeof key);
    if (n != KEYS_DEVICE_LEN)
        return err_set(e, ERR_INTERNAL, NULL, "the device-cookie key is damaged (remove it: device cookies then start anew)",
                       "设备 Cookie 密钥已损坏（删除后设备 Cookie 将重新开始）");
    return 0;
}

/* ---------------------------------------------------------------- adoption */

/* Under the lock: the data directory's files become the database's rows, if it has none. */
static int adopt(struct store *s, void *arg, struct err *e)
{
    (void)arg;
    json_t *rows = s->ops->key_names(s);
    unsigned char probe[4];
    bool empty = json_array_size(rows) == 0 && s->ops->key_get(s, "device-cookie.key", probe, sizeof probe) < 0;
    json_decref(rows);
    if (!empty) return 0;
    json_t *names = file_names(s->data_dir);
    json_array_append_new(names, json_string("device-cookie.key"));
    int rc = 0;
    size_t i;
    json_t *v;
    json_array_foreach(names, i, v) {
        char path[4800], text[4096];
        snprintf(path, sizeof path, "%s/%.600s", s->data_dir, json_string_value(v));
        long n = read_small(path, text, sizeof text);
        if (n >= 0) rc = s->ops->key_put(s, json_string_value(v), text, (size_t)n, false, e);
        sodium_memzero(text, sizeof text);
        if (rc < 0) break;
    }
    json_decref(names);
    return rc < 0 ? -1 : 0;
}

int keys_adopt(struct store *s, struct err *e)
{
    return s->ops->key_put ? ring_locked(s, adopt, NULL, e) : 0;
}

void keys_wipe(struct key_pair *k) { sodium_memzero(k, sizeof *k); }

int keys_copy_public(const char *from_data, const char *to_data, struct err *e)
{
    char from[4200];
    snprintf(from, sizeof from, "%s/keys", from_data);
    DIR *d = opendir(from);
    if (!d) return 0;   /* nothing signed yet */
    int rc = 0;
    struct dirent *de;
    while (rc == 0 && (de = readdir(d))) {
        if (!owner_ok(de->d_name)) continue;
        char src_dir[4500], dst_dir[4500];
        snprintf(src_dir, sizeof src_dir, "%s/%s", from, de->d_name);
        if (owner_dir(to_data, de->d_name, dst_dir, sizeof dst_dir, true, e) != 0) { rc = -1; break; }
        DIR *kd = opendir(src_dir);
        if (!kd) continue;
        struct dirent *ke;
        while (rc == 0 && (ke = readdir(kd))) {
            size_t n = strlen(ke->d_name);
            bool pub = n == SIGN_KEYID_HEX - 1 + 9 && strcmp(ke->d_name + n - 9, ".pub.json") == 0;
            if (!pub && strcmp(ke->d_name, "origin") != 0) continue;   /* never *.key */
            char sp[4800], dp[4800], text[4096];
            snprintf(sp, sizeof sp, "%s/%s", src_dir, ke->d_name);
            snprintf(dp, sizeof dp, "%s/%s", dst_dir, ke->d_name);
            long len = read_small(sp, text, sizeof text);
            if (len < 0) { rc = fail_errno(e, "read", sp); break; }
            rc = write_file(dp, text, (size_t)len, 0644, true, e);
        }
        closedir(kd);
    }
    closedir(d);
    return rc;
}
