/* keys.c — signing keys as files under <data>/keys (see keys.h). Every file is written to a
 * temporary name, fsync'd and renamed; secret keys are created 0600 in 0700 directories and
 * wiped from memory after use. */
#include "store/keys.h"
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

static int write_file(const char *path, const void *data, size_t len, mode_t mode, struct err *e)
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

static void now_text(char *buf) { time_format_rfc3339(time(NULL), buf); }

static int write_pub(const char *dir, const char *owner, const struct key_pair *k, const char *created,
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
    char path[4500];
    snprintf(path, sizeof path, "%s/%s.pub.json", dir, k->id);
    int rc = write_file(path, text, strlen(text), 0644, e);
    free(text);
    return rc;
}

static int load_key(const char *dir, const char *id, struct key_pair *out, struct err *e)
{
    char path[4500];
    snprintf(path, sizeof path, "%s/%s.key", dir, id);
    uint8_t buf[SIGN_SK_LEN + 2];
    long n = read_small(path, buf, sizeof buf);
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

static int create_key(const char *dir, const char *owner, struct key_pair *out, struct err *e)
{
    crypto_sign_keypair(out->pk, out->sk);
    sign_key_id(out->pk, out->id);
    char path[4500], now[32];
    now_text(now);
    snprintf(path, sizeof path, "%s/%s.key", dir, out->id);
    if (write_file(path, out->sk, SIGN_SK_LEN, 0600, e) != 0 || write_pub(dir, owner, out, now, NULL, e) != 0) {
        keys_wipe(out);
        return -1;
    }
    if (strcmp(owner, "platform") == 0) {   /* the log's name, fixed with its first key */
        snprintf(path, sizeof path, "%s/origin", dir);
        if (access(path, F_OK) != 0) {
            char origin[64];
            int len = snprintf(origin, sizeof origin, "beian/audit/%s\n", out->id);
            if (write_file(path, origin, (size_t)len, 0644, e) != 0) { keys_wipe(out); return -1; }
        }
    }
    snprintf(path, sizeof path, "%s/current", dir);
    if (write_file(path, out->id, strlen(out->id), 0644, e) != 0) { keys_wipe(out); return -1; }
    return 0;
}

/* One creator at a time in this process (the writer and the checkpoint timer may both find no
 * key at the first start). */
static pthread_mutex_t create_mu = PTHREAD_MUTEX_INITIALIZER;

int keys_current(const char *data_dir, const char *owner, bool create, struct key_pair *out, struct err *e)
{
    char dir[4300], path[4500], id[64];
    if (owner_dir(data_dir, owner, dir, sizeof dir, create, e) != 0) return -1;
    snprintf(path, sizeof path, "%s/current", dir);
    /* a rotation (`beian keys rotate`, another process) may remove the key just named: read again */
    for (int attempt = 0; attempt < 3; attempt++) {
        if (read_small(path, id, sizeof id) != SIGN_KEYID_HEX - 1) break;
        if (load_key(dir, id, out, e) == 0) return 0;
        if (attempt == 2) return -1;
        err_clear(e);
    }
    if (!create) return err_set(e, ERR_NOT_FOUND, NULL, "%s has no signing key", "%s 没有签名密钥", owner);
    pthread_mutex_lock(&create_mu);
    int rc = read_small(path, id, sizeof id) == SIGN_KEYID_HEX - 1 ? load_key(dir, id, out, e)
                                                                  : create_key(dir, owner, out, e);
    pthread_mutex_unlock(&create_mu);
    return rc;
}

int keys_rotate(const char *data_dir, const char *owner, struct key_pair *out, struct err *e)
{
    char dir[4300], path[4500], id[64];
    if (owner_dir(data_dir, owner, dir, sizeof dir, true, e) != 0) return -1;
    snprintf(path, sizeof path, "%s/current", dir);
    bool had = read_small(path, id, sizeof id) == SIGN_KEYID_HEX - 1;
    if (create_key(dir, owner, out, e) != 0) return -1;
    if (had) {   /* retire the old one: its public key stays published, its secret key goes */
        snprintf(path, sizeof path, "%s/%s.pub.json", dir, id);
        json_t *pub = json_load_file(path, 0, NULL);
        char now[32];
        now_text(now);
        if (pub && !json_object_get(pub, "retired_at")) {
            json_object_set_new(pub, "retired_at", json_string(now));
            char *text = json_dumps(pub, JSON_INDENT(1) | JSON_SORT_KEYS);
            if (text) write_file(path, text, strlen(text), 0644, e);
            free(text);
        }
        json_decref(pub);
        snprintf(path, sizeof path, "%s/%s.key", dir, id);
        unlink(path);
    }
    return 0;
}

json_t *keys_public_list(const char *data_dir)
{
    json_t *out = json_array();
    char keys[4200];
    snprintf(keys, sizeof keys, "%s/keys", data_dir);
    DIR *d = opendir(keys);
    if (!d) return out;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (!owner_ok(de->d_name)) continue;
        char dir[4500], cur[4600], id[64] = "";
        snprintf(dir, sizeof dir, "%s/%s", keys, de->d_name);
        snprintf(cur, sizeof cur, "%s/current", dir);
        read_small(cur, id, sizeof id);
        DIR *kd = opendir(dir);
        if (!kd) continue;
        struct dirent *ke;
        while ((ke = readdir(kd))) {
            size_t n = strlen(ke->d_name);
            if (n != SIGN_KEYID_HEX - 1 + 9 || strcmp(ke->d_name + n - 9, ".pub.json") != 0) continue;
            char path[4900];
            snprintf(path, sizeof path, "%s/%s", dir, ke->d_name);
            json_t *pub = json_load_file(path, 0, NULL);
            if (!json_is_object(pub)) { json_decref(pub); continue; }
            const char *kid = json_string_value(json_object_get(pub, "key_id"));
            json_object_set_new(pub, "current", json_boolean(kid && strcmp(kid, id) == 0));
            json_array_append_new(out, pub);
        }
        closedir(kd);
    }
    closedir(d);
    return out;
}

int keys_log_origin(const char *data_dir, char *buf, size_t len, struct err *e)
{
    struct key_pair k;
    if (keys_current(data_dir, "platform", true, &k, e) != 0) return -1;
    keys_wipe(&k);
    char path[4500], text[128];
    snprintf(path, sizeof path, "%s/keys/platform/origin", data_dir);
    long n = read_small(path, text, sizeof text);
    while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == '\r')) text[--n] = 0;
    if (n <= 0) return err_set(e, ERR_INTERNAL, NULL, "the audit log has no name (keys/platform/origin)",
                               "审计日志缺少名称（keys/platform/origin）");
    snprintf(buf, len, "%s", text);
    return 0;
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
            rc = write_file(dp, text, (size_t)len, 0644, e);
        }
        closedir(kd);
    }
    closedir(d);
    return rc;
}
