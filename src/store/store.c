/* store.c — the front of the store: picks the backend a location names and hands every call
 * (write jobs, read connections, statements, material contents) to that backend's operations
 * (db.h). Nothing here knows an engine. */
#include "store/db.h"
#include "core/clock.h"
#include "core/date.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

bool db_is_postgres_uri(const char *location)
{
    return location && (strncmp(location, "postgresql://", 13) == 0 || strncmp(location, "postgres://", 11) == 0);
}

/* The data directory remembers the database it was created with (<data>/store.uri, mode 0600: the
 * URI may hold a password), so every command on it reaches the same store. */
void db_remembered_location(const char *data_dir, char *buf, size_t len)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/store.uri", data_dir);
    buf[0] = '\0';
    FILE *f = fopen(path, "r");
    if (!f) return;
    if (fgets(buf, (int)len, f)) buf[strcspn(buf, "\r\n")] = '\0';
    fclose(f);
}

static int remember_location(const char *data_dir, const char *location, struct err *e)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/store.uri", data_dir);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    size_t len = strlen(location);
    bool ok = fd >= 0 && write(fd, location, len) == (ssize_t)len && write(fd, "\n", 1) == 1 && fsync(fd) == 0;
    if (fd >= 0) close(fd);
    if (!ok) return err_set(e, ERR_INTERNAL, NULL, "cannot write %s: %s", "无法写入 %s：%s", path, strerror(errno));
    return 0;
}

int store_open(const char *data_dir, const char *location, bool create, struct store **out, struct err *e)
{
    struct stat sb;
    if (stat(data_dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
        return err_set(e, ERR_NOT_FOUND, NULL, "data directory %s does not exist (run 'beian init %s')",
                       "数据目录 %s 不存在（请先运行 'beian init %s'）", data_dir, data_dir);
    char remembered[2048];
    if (!location || !*location) {
        db_remembered_location(data_dir, remembered, sizeof remembered);
        location = remembered;
    }
    int rc;
    if (db_is_postgres_uri(location)) {
        rc = postgres_store_open(data_dir, location, create, out, e);
        if (rc == 0 && create && remember_location(data_dir, location, e) != 0) {
            (*out)->ops->close(*out);
            rc = -1;
        }
    }
    else if (!location || !*location) rc = sqlite_store_open(data_dir, create, out, e);
    else
        return err_set(e, ERR_VALIDATION, "store", "the store %s is neither empty (SQLite in the data directory) nor a postgresql:// URI",
                       "存储位置 %s 既非空（数据目录中的 SQLite）也非 postgresql:// URI", location);
    if (rc == 0) snprintf((*out)->data_dir, sizeof (*out)->data_dir, "%s", data_dir);
    return rc;
}

int store_schema_version(const char *location, int *version, int *latest, struct err *e)
{
    *version = *latest = -1;
    return db_is_postgres_uri(location) ? postgres_schema_version(location, version, latest, e) : 0;
}

void store_close(struct store *s) { if (s) s->ops->close(s); }
const char *store_engine(const struct store *s) { return s->ops->engine == DB_POSTGRES ? "postgresql" : "sqlite"; }
bool store_leads(struct store *s, const char *job) { return !s->ops->leads || s->ops->leads(s, job); }
int store_write(struct store *s, store_job_fn fn, void *arg, struct err *e) { return s->ops->write(s, fn, arg, e); }
void store_write_soon(struct store *s) { atomic_fetch_add(&s->writes_soon, 1); }
void store_write_soon_done(struct store *s) { atomic_fetch_sub(&s->writes_soon, 1); }

int store_write_announced(struct store *s, store_job_fn fn, void *arg, struct err *e)
{
    if (s->ops->write_announced) return s->ops->write_announced(s, fn, arg, e);
    store_write_soon_done(s);
    return s->ops->write(s, fn, arg, e);
}

void store_write_counts(struct store *s, uint64_t *commits, uint64_t *writes)
{
    *commits = *writes = 0;
    if (s->ops->write_counts) s->ops->write_counts(s, commits, writes);
}

int64_t store_page_cache_bytes(struct store *s)
{
    return s->ops->page_cache_bytes ? s->ops->page_cache_bytes(s) : -1;
}

void store_write_linger_set(struct store *s, long us)
{
    if (s->ops->write_linger_set) s->ops->write_linger_set(s, us);
}
struct store_conn *store_reader(struct store *s) { return s->ops->reader(s); }
void store_reader_release(struct store *s) { s->ops->reader_release(s); }
void store_read_begin(struct store *s) { if (s->ops->read_begin) s->ops->read_begin(s); }
void store_read_end(struct store *s) { if (s->ops->read_end) s->ops->read_end(s); }
bool store_read_generation(struct store *s, uint64_t out[2])
{
    return s->ops->read_generation && s->ops->read_generation(s, out);
}

/* ---------------------------------------------------------------- statements */

int db_run(struct store_conn *c, struct err *e, const char *sql, const char *types, ...)
{
    va_list ap;
    va_start(ap, types);
    int rc = c->ops->run(c, e, sql, types, ap);
    va_end(ap);
    return rc;
}

json_t *db_query(struct store_conn *c, struct err *e, const char *sql, const char *types, ...)
{
    va_list ap;
    va_start(ap, types);
    json_t *rows = c->ops->query(c, e, false, sql, types, ap);
    va_end(ap);
    return rows;
}

json_t *db_query_raw(struct store_conn *c, struct err *e, const char *sql, const char *types, ...)
{
    va_list ap;
    va_start(ap, types);
    json_t *rows = c->ops->query(c, e, true, sql, types, ap);
    va_end(ap);
    return rows;
}

int db_each(struct store_conn *c, struct err *e, const char *sql, const char *types,
            int (*fn)(const json_t *row, void *arg), void *arg, ...)
{
    va_list ap;
    va_start(ap, arg);
    int rc = c->ops->each(c, e, sql, types, fn, arg, ap);
    va_end(ap);
    return rc;
}

json_t *first_row(json_t *rows)
{
    if (!rows) return NULL;
    json_t *r = json_array_get(rows, 0);
    json_incref(r);
    json_decref(rows);
    return r;
}

int64_t db_last_insert_id(struct store_conn *c) { return c->ops->last_insert_id(c); }
int db_changes(struct store_conn *c) { return c->ops->changes(c); }

bool db_is_json_column(const char *name)
{
    static const char *const cols[] = {"jurisdiction", "document", "detail", "findings", "derived",
                                       "params", "payload", "event_types", "email_events", /* notifications */ NULL};
    for (int i = 0; cols[i]; i++)
        if (strcmp(name, cols[i]) == 0) return true;
    return false;
}

void now_rfc3339(char *buf) { time_format_rfc3339(clock_now(), buf); }

/* ---------------------------------------------------------------- material contents */

int store_blob_put(struct store *s, struct store_upload *u, struct err *e) { return s->ops->blob_put(s, u, e); }

int store_blob_open(struct store *s, const char *sha256, int64_t size, int *fd, struct err *e)
{
    return s->ops->blob_open(s, sha256, size, fd, e);
}

int store_blob_check(struct store *s, const char *sha256, char got[65], char *where, size_t where_len)
{
    return s->ops->blob_check(s, sha256, got, where, where_len);
}

void store_upload_dir(const struct store *s, char *buf, size_t len) { snprintf(buf, len, "%s/materials/tmp", s->data_dir); }

int store_upload_sweep(const struct store *s, time_t remove_before, size_t *removed, size_t *left,
                       uint64_t *left_bytes, struct err *e)
{
    *removed = *left = 0;
    *left_bytes = 0;
    char dir[4200], path[4500];
    store_upload_dir(s, dir, sizeof dir);
    DIR *d = opendir(dir);
    if (!d) {
        if (errno == ENOENT) return 0;
        return err_set(e, ERR_INTERNAL, NULL, "cannot read %s: %s", "无法读取 %s：%s", dir, strerror(errno));
    }
    struct dirent *de;
    while ((de = readdir(d))) {
        struct stat sb;
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        if (strncmp(de->d_name, "upload-", 7) != 0 || lstat(path, &sb) != 0 || !S_ISREG(sb.st_mode)) continue;
        if (sb.st_mtime < remove_before && unlink(path) == 0) {
            (*removed)++;
            continue;
        }
        (*left)++;
        *left_bytes += (uint64_t)sb.st_blocks * 512;
    }
    closedir(d);
    return 0;
}
