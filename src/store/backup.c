/* backup.c — `beian backup` and `beian restore` (see store.h, "backup and restore").
 *
 * The database is copied with the SQLite online backup API from its own read connection, in one
 * step (sqlite3_backup_step(-1)): one read transaction, so the copy is the database as of one
 * commit even while the server's writer goes on (WAL lets readers and the writer run together).
 * The material files are content-addressed and never rewritten, and a row never names bytes that
 * are not on disk yet (materials.h), so copying, after the snapshot, the files that the snapshot
 * names gives a consistent pair; each is re-hashed as it is copied. Installed policy packs
 * (<data>/policy) are copied as they are. Files are written to a temporary name, fsync'd and
 * renamed, directories fsync'd. The signing keys' public halves come along, their secret keys never
 * (store/keys.h). */
#include "core/sha256.h"
#include "store/store.h"
#include "store/keys.h"
#include "store/backup_postgres.h"
#include "store/db.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
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

static void fsync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return;
    fsync(fd);
    close(fd);
}

static int make_dir(const char *dir, struct err *e)
{
    if (mkdir(dir, 0700) == 0 || errno == EEXIST) return 0;
    return fail_errno(e, "create", dir);
}

/* Copy regular file src to dst (temporary name, fsync, rename); hex gets the SHA-256 of the
 * bytes when not NULL; *bytes the size. */
static int copy_file(const char *src, const char *dst, char hex[65], int64_t *bytes, struct err *e)
{
    int in = open(src, O_RDONLY | O_CLOEXEC);
    if (in < 0) return fail_errno(e, "open", src);
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp", dst);
    int out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (out < 0) { int rc = fail_errno(e, "create", tmp); close(in); return rc; }
    struct sha256 st;
    sha256_init(&st);
    static __thread unsigned char buf[1 << 16];
    int64_t total = 0;
    int rc = 0;
    for (;;) {
        ssize_t r = read(in, buf, sizeof buf);
        if (r == 0) break;
        if (r < 0) {
            if (errno == EINTR) continue;
            rc = fail_errno(e, "read", src);
            break;
        }
        sha256_update(&st, buf, (size_t)r);
        for (ssize_t off = 0; off < r;) {
            ssize_t w = write(out, buf + off, (size_t)(r - off));
            if (w < 0) {
                if (errno == EINTR) continue;
                rc = fail_errno(e, "write", tmp);
                break;
            }
            off += w;
        }
        if (rc) break;
        total += r;
    }
    close(in);
    if (rc == 0 && fsync(out) != 0) rc = fail_errno(e, "sync", tmp);
    if (close(out) != 0 && rc == 0) rc = fail_errno(e, "write", tmp);
    if (rc == 0 && rename(tmp, dst) != 0) rc = fail_errno(e, "rename", tmp);
    if (rc) { unlink(tmp); return rc; }
    if (hex) sha256_final_hex(&st, hex);
    if (bytes) *bytes = total;
    return 0;
}

/* Copy the tree src into dst (created); regular files and directories only. */
static int copy_tree(const char *src, const char *dst, int64_t *files, struct err *e)
{
    DIR *d = opendir(src);
    if (!d) return fail_errno(e, "open", src);
    if (make_dir(dst, e)) { closedir(d); return -1; }
    int rc = 0;
    struct dirent *de;
    while (rc == 0 && (de = readdir(d))) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0) continue;
        char s[4200], t[4200];
        snprintf(s, sizeof s, "%s/%s", src, de->d_name);
        snprintf(t, sizeof t, "%s/%s", dst, de->d_name);
        struct stat sb;
        if (lstat(s, &sb) != 0) continue;
        if (S_ISDIR(sb.st_mode)) rc = copy_tree(s, t, files, e);
        else if (S_ISREG(sb.st_mode)) {
            rc = copy_file(s, t, NULL, NULL, e);
            if (rc == 0) (*files)++;
        }
    }
    closedir(d);
    fsync_dir(dst);
    return rc;
}

static int db_fail(sqlite3 *db, struct err *e, const char *what)
{
    int primary = sqlite3_errcode(db) & 0xff;
    return err_set(e, primary == SQLITE_FULL ? ERR_STORAGE_FULL : ERR_INTERNAL, NULL, "%s: %s", "%s：%s", what,
                   sqlite3_errmsg(db));
}

/* Copy database file src into dst with the online backup API, as of one read transaction. */
static int db_copy(const char *src, const char *dst, struct err *e)
{
    sqlite3 *from = NULL, *to = NULL;
    int rc = -1;
    if (sqlite3_open_v2(src, &from, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        db_fail(from, e, "cannot open the database");
        goto out;
    }
    sqlite3_busy_timeout(from, 10000);
    if (sqlite3_open_v2(dst, &to, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
        db_fail(to, e, "cannot create the copy");
        goto out;
    }
    sqlite3_busy_timeout(to, 10000);
    sqlite3_backup *b = sqlite3_backup_init(to, "main", from, "main");
    if (!b) { db_fail(to, e, "cannot start the backup"); goto out; }
    int step;
    for (int tries = 0;; tries++) {
        step = sqlite3_backup_step(b, -1);   /* all pages in one read transaction */
        if ((step == SQLITE_BUSY || step == SQLITE_LOCKED) && tries < 200) { sqlite3_sleep(50); continue; }
        break;
    }
    sqlite3_backup_finish(b);
    if (step != SQLITE_DONE) { db_fail(to, e, "backup failed"); goto out; }
    /* the copy is used as a WAL database like the original; fold everything into the main file */
    if (sqlite3_exec(to, "PRAGMA journal_mode=WAL; PRAGMA wal_checkpoint(TRUNCATE);", NULL, NULL, NULL) != SQLITE_OK) {
        db_fail(to, e, "cannot finish the copy");
        goto out;
    }
    rc = 0;
out:
    sqlite3_close(from);
    if (sqlite3_close(to) != SQLITE_OK && rc == 0) rc = err_set(e, ERR_INTERNAL, NULL, "cannot close %s", "无法关闭 %s", dst);
    return rc;
}

/* Facts of a database copy: integrity, referenced blobs, last audit id, number of filings. */
static int db_facts(const char *path, json_t **blobs, struct store_backup_report *r, struct err *e)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    int rc = -1;
    *blobs = json_array();
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
        db_fail(db, e, "cannot open the copy");
        goto out;
    }
    if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL) != SQLITE_OK) { db_fail(db, e, "integrity_check"); goto out; }
    if (sqlite3_step(st) != SQLITE_ROW || strcmp((const char *)sqlite3_column_text(st, 0), "ok") != 0) {
        err_set(e, ERR_INTERNAL, NULL, "the database copy fails PRAGMA integrity_check: %s",
                "数据库副本未通过完整性检查：%s", sqlite3_column_text(st, 0) ? (const char *)sqlite3_column_text(st, 0) : "?");
        goto out;
    }
    sqlite3_finalize(st);
    st = NULL;
    if (sqlite3_prepare_v2(db, "SELECT sha256 FROM material_versions UNION SELECT sha256 FROM material_pins ORDER BY 1",
                           -1, &st, NULL) != SQLITE_OK) { db_fail(db, e, "cannot list the materials"); goto out; }
    while (sqlite3_step(st) == SQLITE_ROW) json_array_append_new(*blobs, json_string((const char *)sqlite3_column_text(st, 0)));
    sqlite3_finalize(st);
    st = NULL;
    if (sqlite3_prepare_v2(db, "SELECT (SELECT coalesce(max(id),0) FROM audit), (SELECT count(*) FROM filings)",
                           -1, &st, NULL) != SQLITE_OK || sqlite3_step(st) != SQLITE_ROW) { db_fail(db, e, "cannot count"); goto out; }
    r->audit_last_id = sqlite3_column_int64(st, 0);
    r->filings = sqlite3_column_int64(st, 1);
    rc = 0;
out:
    sqlite3_finalize(st);
    sqlite3_close(db);
    return rc;
}

/* Copy every blob in blobs from data dir from to data dir to, checking each hash. */
static int copy_blobs(const char *from, const char *to, const json_t *blobs, struct store_backup_report *r,
                      struct err *e)
{
    char dir[4200];
    snprintf(dir, sizeof dir, "%s/materials", to);
    if (make_dir(dir, e)) return -1;
    snprintf(dir, sizeof dir, "%s/materials/sha256", to);
    if (make_dir(dir, e)) return -1;
    size_t i;
    json_t *b;
    json_array_foreach(blobs, i, b) {
        const char *sha = json_string_value(b);
        if (!sha || strlen(sha) != 64 || strspn(sha, "0123456789abcdef") != 64)
            return err_set(e, ERR_INTERNAL, NULL, "bad material hash in the database: %s", "数据库中的材料哈希有误：%s",
                           sha ? sha : "?");
        char src[4400], dst[4400], sub[4300], got[65];
        snprintf(sub, sizeof sub, "%s/materials/sha256/%.2s", to, sha);
        if (make_dir(sub, e)) return -1;
        snprintf(src, sizeof src, "%s/materials/sha256/%.2s/%s", from, sha, sha);
        snprintf(dst, sizeof dst, "%s/%s", sub, sha);
        int64_t bytes = 0;
        if (copy_file(src, dst, got, &bytes, e)) return -1;
        if (strcmp(got, sha) != 0) {
            unlink(dst);
            return err_set(e, ERR_INTERNAL, NULL, "material %s is damaged (its bytes hash to %s)",
                           "材料 %s 已损坏（内容哈希为 %s）", sha, got);
        }
        r->blobs++;
        r->blob_bytes += bytes;
    }
    /* directory entries: every shard, then the roots */
    json_array_foreach(blobs, i, b) {
        char sub[4300];
        snprintf(sub, sizeof sub, "%s/materials/sha256/%.2s", to, json_string_value(b));
        fsync_dir(sub);
    }
    fsync_dir(dir);
    snprintf(dir, sizeof dir, "%s/materials", to);
    fsync_dir(dir);
    return 0;
}

/* Re-hash every blob of blobs in data dir dir. */
static int verify_blobs(const char *dir, const json_t *blobs, struct err *e)
{
    size_t i;
    json_t *b;
    json_array_foreach(blobs, i, b) {
        const char *sha = json_string_value(b);
        char path[4300], got[65];
        snprintf(path, sizeof path, "%s/materials/sha256/%.2s/%s", dir, sha, sha);
        if (sha256_file_hex(path, got) != 0)
            return err_set(e, ERR_INTERNAL, NULL, "material %s is missing", "材料 %s 缺失", sha);
        if (strcmp(got, sha) != 0)
            return err_set(e, ERR_INTERNAL, NULL, "material %s is damaged", "材料 %s 已损坏", sha);
    }
    return 0;
}

static bool dir_empty(const char *dir, bool *exists)
{
    DIR *d = opendir(dir);
    *exists = d != NULL;
    if (!d) return true;
    struct dirent *de;
    bool empty = true;
    while ((de = readdir(d)))
        if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0) { empty = false; break; }
    closedir(d);
    return empty;
}

/* The common part: database, blobs, policy packs from `from` into the empty directory `to`.
 * pg_from: the source is the PostgreSQL database of that URI (backup), else from/beian.db;
 * pg_to: the copy goes into that empty PostgreSQL database (restore of a dump), else to/. */
static int copy_data(const char *from, const char *to, const char *pg_from, const char *pg_to,
                     struct store_backup_report *r, struct err *e)
{
    memset(r, 0, sizeof *r);
    char src[4200], dst[4200];
    snprintf(src, sizeof src, "%s/%s", from, pg_to ? "beian.pgdump" : "beian.db");
    struct stat sb;
    if (!pg_from && stat(src, &sb) != 0)
        return err_set(e, ERR_NOT_FOUND, NULL, "%s holds no %s", "%s 中没有 %s", from, pg_to ? "beian.pgdump" : "beian.db");
    bool exists;
    if (!dir_empty(to, &exists))
        return err_set(e, ERR_CONFLICT, NULL, "%s is not empty", "%s 不是空目录", to);
    if (!exists && mkdir(to, 0700) != 0) return fail_errno(e, "create", to);
    json_t *blobs = NULL;
    if (pg_from) {
        snprintf(dst, sizeof dst, "%s/beian.pgdump", to);
        if (postgres_dump(pg_from, dst, r, e)) return -1;
    } else if (pg_to) {
        if (postgres_load(pg_to, src, e)) return -1;
    } else {
        snprintf(dst, sizeof dst, "%s/beian.db", to);
        if (db_copy(src, dst, e)) return -1;
        if (db_facts(dst, &blobs, r, e) || copy_blobs(from, to, blobs, r, e)) { json_decref(blobs); return -1; }
    }
    snprintf(src, sizeof src, "%s/policy", from);
    snprintf(dst, sizeof dst, "%s/policy", to);
    if (stat(src, &sb) == 0 && S_ISDIR(sb.st_mode) && copy_tree(src, dst, &r->policy_files, e)) {
        json_decref(blobs);
        return -1;
    }
    /* the public keys and the log's name, so that what old keys signed stays verifiable after a
     * restore; never a secret key (docs/trust.md: back up <data>/keys separately, or not at all) */
    if (keys_copy_public(from, to, e)) {
        json_decref(blobs);
        return -1;
    }
    int rc = blobs ? verify_blobs(to, blobs, e) : 0;
    json_decref(blobs);
    fsync_dir(to);
    return rc;
}

int store_backup(const char *data_dir, const char *dest_dir, struct store_backup_report *r, struct err *e)
{
    char uri[2048];
    db_remembered_location(data_dir, uri, sizeof uri);
    if (!db_is_postgres_uri(uri)) uri[0] = '\0';
    if (copy_data(data_dir, dest_dir, uri[0] ? uri : NULL, NULL, r, e)) return -1;
    /* a small manifest for people and scripts */
    char path[4200];
    snprintf(path, sizeof path, "%s/backup.json", dest_dir);
    char now[32];
    time_t t = time(NULL);
    strftime(now, sizeof now, "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
    json_t *m = json_pack("{s:s s:s s:I s:I s:I s:I s:I}", "created_at", now, "engine", uri[0] ? "postgresql" : "sqlite",
                          "audit_last_id", (json_int_t)r->audit_last_id,
                          "filings", (json_int_t)r->filings, "blobs", (json_int_t)r->blobs,
                          "blob_bytes", (json_int_t)r->blob_bytes, "policy_files", (json_int_t)r->policy_files);
    int rc = m && json_dump_file(m, path, JSON_INDENT(2) | JSON_SORT_KEYS) == 0 ? 0
             : err_set(e, ERR_INTERNAL, NULL, "cannot write %s", "无法写入 %s", path);
    json_decref(m);
    return rc;
}

/* The figures of a restored PostgreSQL database, and every material re-hashed from it. */
static int restored_facts(struct store *s, struct store_backup_report *r, struct err *e)
{
    struct store_conn *c = store_reader(s);
    json_t *blobs = c ? store_material_blobs(c) : NULL;
    if (!blobs) return err_set(e, ERR_INTERNAL, NULL, "cannot read the material list", "无法读取材料列表");
    int rc = 0;
    size_t i;
    json_t *b;
    json_array_foreach(blobs, i, b) {
        const char *sha = json_string_value(json_object_get(b, "sha256"));
        char got[65], where[64];
        if (store_blob_check(s, sha, got, where, sizeof where) != 0) {
            rc = err_set(e, ERR_INTERNAL, NULL, "material %s is missing or damaged", "材料 %s 缺失或已损坏", sha);
            break;
        }
        r->blobs++;
        r->blob_bytes += json_integer_value(json_object_get(b, "size"));
    }
    json_decref(blobs);
    r->audit_last_id = store_audit_size(c);
    json_t *counts = store_filing_counts(c);
    const char *state;
    json_t *n;
    json_object_foreach(counts, state, n) r->filings += json_integer_value(n);
    json_decref(counts);
    return rc;
}

int store_restore(const char *backup_dir, const char *data_dir, const char *location, struct store_backup_report *r,
                  struct err *e)
{
    char dump[4200];
    struct stat sb;
    snprintf(dump, sizeof dump, "%s/beian.pgdump", backup_dir);
    bool is_dump = stat(dump, &sb) == 0, exists;
    if (!dir_empty(data_dir, &exists)) return err_set(e, ERR_CONFLICT, NULL, "%s is not empty", "%s 不是空目录", data_dir);
    if (is_dump && !db_is_postgres_uri(location))
        return err_set(e, ERR_VALIDATION, "store", "a PostgreSQL backup restores into a PostgreSQL database: give --store postgresql://…",
                       "PostgreSQL 备份只能恢复到 PostgreSQL 数据库：请给出 --store postgresql://…");
    if (!is_dump && db_is_postgres_uri(location))
        return err_set(e, ERR_VALIDATION, "store", "%s is a SQLite backup (no beian.pgdump)", "%s 是 SQLite 备份（没有 beian.pgdump）",
                       backup_dir);
    if (copy_data(backup_dir, data_dir, NULL, is_dump ? location : NULL, r, e)) return -1;
    struct store *s = NULL;
    if (store_open(data_dir, is_dump ? location : NULL, is_dump, &s, e)) return -1;
    int rc = is_dump ? restored_facts(s, r, e) : 0;
    if (rc == 0) rc = store_audit_verify(store_reader(s), e);
    store_close(s);
    return rc;
}
