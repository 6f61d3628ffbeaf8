/* sqlite.c — the SQLite implementation of store.h.
 *
 * One writer connection owned by a writer thread that drains a queue of jobs: each group of
 * pending jobs runs inside one BEGIN IMMEDIATE transaction, each job in its own savepoint, and is
 * acknowledged only after COMMIT returned (WAL, synchronous=FULL: acknowledged means durable).
 * Readers get one connection per thread. Statements are prepared once per connection and cached
 * by the address of their SQL text (all SQL here is string literals). Every value is bound, never
 * spliced into SQL. */
#include "store/store.h"
#include "core/clock.h"
#include "store/migrations.h"
#include "store/sqlite_internal.h"
#include "core/date.h"
#include "core/region.h"
#include "core/sha256.h"

#include <errno.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define STMT_CACHE 96
#define GROUP_MAX 64

struct store_conn {
    sqlite3 *db;
    struct { const char *sql; sqlite3_stmt *stmt; } cache[STMT_CACHE];
    int ncache;
};

struct job {
    store_job_fn fn;
    void *arg;
    struct err *e;
    int rc;
    bool done;
    struct job *next;
};

struct reader_slot { struct store_conn *conn; struct reader_slot *next; };

struct store {
    char path[4096];
    struct store_conn *writer;
    pthread_t writer_thread;
    pthread_mutex_t mu;
    pthread_cond_t work;      /* jobs arrived */
    pthread_cond_t finished;  /* a group finished */
    struct job *head, *tail;
    bool stopping;
    pthread_key_t reader_key;
    pthread_mutex_t readers_mu;
    struct reader_slot *readers;  /* every reader connection, closed at store_close */
};

/* ---------------------------------------------------------------- connections and statements */

static int conn_open(const char *path, bool create, struct store_conn **out, struct err *e)
{
    struct store_conn *c = calloc(1, sizeof *c);
    if (!c) return err_set(e, ERR_INTERNAL, NULL, "out of memory", "内存不足");
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
    if (sqlite3_open_v2(path, &c->db, flags, NULL) != SQLITE_OK) {
        err_set(e, ERR_INTERNAL, NULL, "cannot open database %s: %s", "无法打开数据库 %s：%s", path,
                c->db ? sqlite3_errmsg(c->db) : "out of memory");
        sqlite3_close(c->db);
        free(c);
        return -1;
    }
    sqlite3_busy_timeout(c->db, 10000);
    sqlite3_extended_result_codes(c->db, 1);
    const char *pragmas = "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"
                          "PRAGMA temp_store=MEMORY;";
    char *msg = NULL;
    if (sqlite3_exec(c->db, pragmas, NULL, NULL, &msg) != SQLITE_OK) {
        err_set(e, ERR_INTERNAL, NULL, "cannot configure database: %s", "无法配置数据库：%s", msg ? msg : "?");
        sqlite3_free(msg);
        sqlite3_close(c->db);
        free(c);
        return -1;
    }
    *out = c;
    return 0;
}

static void conn_close(struct store_conn *c)
{
    if (!c) return;
    for (int i = 0; i < c->ncache; i++) sqlite3_finalize(c->cache[i].stmt);
    sqlite3_close(c->db);
    free(c);
}

static int db_error(struct store_conn *c, struct err *e, int rc)
{
    int primary = rc & 0xff;
    if (primary == SQLITE_FULL || primary == SQLITE_IOERR)
        return err_set(e, primary == SQLITE_FULL ? ERR_STORAGE_FULL : ERR_INTERNAL, NULL,
                       "storage error: %s", "存储错误：%s", sqlite3_errmsg(c->db));
    if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY)
        return err_set(e, ERR_DUPLICATE, NULL, "already exists (%s)", "已存在（%s）", sqlite3_errmsg(c->db));
    if (primary == SQLITE_CONSTRAINT)
        return err_set(e, ERR_VALIDATION, NULL, "constraint failed: %s", "约束校验失败：%s", sqlite3_errmsg(c->db));
    return err_set(e, ERR_INTERNAL, NULL, "database error: %s", "数据库错误：%s", sqlite3_errmsg(c->db));
}

static sqlite3_stmt *stmt_get(struct store_conn *c, const char *sql)
{
    for (int i = 0; i < c->ncache; i++)
        if (c->cache[i].sql == sql) {
            sqlite3_reset(c->cache[i].stmt);
            sqlite3_clear_bindings(c->cache[i].stmt);
            return c->cache[i].stmt;
        }
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v3(c->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK) {
        fprintf(stderr, "beian: SQL prepare failed: %s\n", sqlite3_errmsg(c->db));
        return NULL;
    }
    if (c->ncache < STMT_CACHE) {
        c->cache[c->ncache].sql = sql;
        c->cache[c->ncache].stmt = st;
        c->ncache++;
    }
    return st;
}

static void stmt_done(struct store_conn *c, sqlite3_stmt *st)
{
    for (int i = 0; i < c->ncache; i++)
        if (c->cache[i].stmt == st) { sqlite3_reset(st); return; }
    sqlite3_finalize(st);
}

/* Binds by a type string: s text (NULL → null), i int64, I int64 with 0 → null, j json (NULL → null),
 * d double. */
static int bind_args(sqlite3_stmt *st, const char *types, va_list ap)
{
    for (int i = 0; types && types[i]; i++) {
        int idx = i + 1, rc = SQLITE_OK;
        switch (types[i]) {
        case 's': {
            const char *v = va_arg(ap, const char *);
            rc = v ? sqlite3_bind_text(st, idx, v, -1, SQLITE_TRANSIENT) : sqlite3_bind_null(st, idx);
            break;
        }
        case 'i': rc = sqlite3_bind_int64(st, idx, va_arg(ap, int64_t)); break;
        case 'I': {
            int64_t v = va_arg(ap, int64_t);
            rc = v ? sqlite3_bind_int64(st, idx, v) : sqlite3_bind_null(st, idx);
            break;
        }
        case 'j': {
            const json_t *v = va_arg(ap, const json_t *);
            if (!v) { rc = sqlite3_bind_null(st, idx); break; }
            /* canonical text (sorted keys): the SHA-256 of a stored document is that of its text */
            char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_SORT_KEYS);
            rc = s ? sqlite3_bind_text(st, idx, s, -1, free) : SQLITE_NOMEM;
            break;
        }
        default: return SQLITE_MISUSE;
        }
        if (rc != SQLITE_OK) return rc;
    }
    return SQLITE_OK;
}

static bool is_json_column(const char *name)
{
    static const char *const cols[] = {"jurisdiction", "document", "detail", "findings", "derived",
                                       "params", "payload", "event_types", "email_events", /* notifications */ NULL};
    for (int i = 0; cols[i]; i++)
        if (strcmp(name, cols[i]) == 0) return true;
    return false;
}

static json_t *row_to_json(sqlite3_stmt *st, bool raw_json)
{
    json_t *o = json_object();
    int n = sqlite3_column_count(st);
    for (int i = 0; i < n; i++) {
        const char *name = sqlite3_column_name(st, i);
        json_t *v;
        switch (sqlite3_column_type(st, i)) {
        case SQLITE_INTEGER: v = json_integer(sqlite3_column_int64(st, i)); break;
        case SQLITE_FLOAT: v = json_real(sqlite3_column_double(st, i)); break;
        case SQLITE_NULL: v = json_null(); break;
        default: {
            const char *t = (const char *)sqlite3_column_text(st, i);
            if (!raw_json && is_json_column(name)) {
                v = json_loads(t ? t : "null", JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
                if (!v) v = json_null();
            } else if (raw_json && is_json_column(name)) {
                /* JSON text this store wrote itself (valid UTF-8): no need to check it again */
                v = json_stringn_nocheck(t ? t : "", (size_t)sqlite3_column_bytes(st, i));
            } else {
                v = json_stringn(t ? t : "", (size_t)sqlite3_column_bytes(st, i));
                if (!v) v = json_null();
            }
        }
        }
        json_object_set_new(o, name, v);
    }
    return o;
}

/* Run a statement that returns no rows. Returns 0 or -1 (e filled). */
int db_run(struct store_conn *c, struct err *e, const char *sql, const char *types, ...)
{
    sqlite3_stmt *st = stmt_get(c, sql);
    if (!st) return db_error(c, e, sqlite3_errcode(c->db));
    va_list ap;
    va_start(ap, types);
    int rc = bind_args(st, types, ap);
    va_end(ap);
    if (rc == SQLITE_OK) {
        rc = sqlite3_step(st);
        while (rc == SQLITE_ROW) rc = sqlite3_step(st);
    }
    int out = 0;
    if (rc != SQLITE_DONE) out = db_error(c, e, rc);
    stmt_done(c, st);
    return out;
}

/* Run a query; returns an array of row objects (never NULL unless e is set). raw_json keeps the
 * JSON columns as text. */
static json_t *db_query_v(struct store_conn *c, struct err *e, bool raw_json, const char *sql, const char *types,
                          va_list ap)
{
    sqlite3_stmt *st = stmt_get(c, sql);
    if (!st) { db_error(c, e, sqlite3_errcode(c->db)); return NULL; }
    int rc = bind_args(st, types, ap);
    json_t *rows = json_array();
    if (rc == SQLITE_OK) {
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) json_array_append_new(rows, row_to_json(st, raw_json));
    }
    if (rc != SQLITE_DONE) {
        db_error(c, e, rc);
        json_decref(rows);
        rows = NULL;
    }
    stmt_done(c, st);
    return rows;
}

json_t *db_query(struct store_conn *c, struct err *e, const char *sql, const char *types, ...)
{
    va_list ap;
    va_start(ap, types);
    json_t *rows = db_query_v(c, e, false, sql, types, ap);
    va_end(ap);
    return rows;
}

static json_t *db_query_raw(struct store_conn *c, struct err *e, const char *sql, const char *types, ...)
{
    va_list ap;
    va_start(ap, types);
    json_t *rows = db_query_v(c, e, true, sql, types, ap);
    va_end(ap);
    return rows;
}

/* First row of a query or NULL. */
json_t *first_row(json_t *rows)
{
    if (!rows) return NULL;
    json_t *r = json_array_get(rows, 0);
    json_incref(r);
    json_decref(rows);
    return r;
}

void now_rfc3339(char *buf) { time_format_rfc3339(clock_now(), buf); }

int64_t db_last_insert_id(struct store_conn *c) { return sqlite3_last_insert_rowid(c->db); }
int db_changes(struct store_conn *c) { return sqlite3_changes(c->db); }

/* ---------------------------------------------------------------- open, migrate, writer */

static int migrate(struct store_conn *c, struct err *e)
{
    int count = 0;
    const char *const *list = migrations_list(&count);
    sqlite3_stmt *st = NULL;
    int version = 0;
    if (sqlite3_prepare_v2(c->db, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        version = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    if (version > count)
        return err_set(e, ERR_INTERNAL, NULL, "the data directory was written by a newer beian (schema %d > %d)",
                       "数据目录由更新版本的 beian 写入（模式 %d > %d）", version, count);
    for (int i = version; i < count; i++) {
        char *msg = NULL;
        char setv[64];
        snprintf(setv, sizeof setv, "PRAGMA user_version=%d;", i + 1);
        if (sqlite3_exec(c->db, "BEGIN IMMEDIATE", NULL, NULL, &msg) != SQLITE_OK ||
            sqlite3_exec(c->db, list[i], NULL, NULL, &msg) != SQLITE_OK ||
            sqlite3_exec(c->db, setv, NULL, NULL, &msg) != SQLITE_OK ||
            sqlite3_exec(c->db, "COMMIT", NULL, NULL, &msg) != SQLITE_OK) {
            err_set(e, ERR_INTERNAL, NULL, "migration %d failed: %s", "数据库迁移 %d 失败：%s", i + 1, msg ? msg : "?");
            sqlite3_free(msg);
            sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
            return -1;
        }
    }
    return 0;
}

static void run_group(struct store *s, struct job *group)
{
    struct store_conn *c = s->writer;
    char *msg = NULL;
    int rc = sqlite3_exec(c->db, "BEGIN IMMEDIATE", NULL, NULL, &msg);
    sqlite3_free(msg);
    if (rc != SQLITE_OK) {
        for (struct job *j = group; j; j = j->next) j->rc = db_error(c, j->e, rc);
        return;
    }
    for (struct job *j = group; j; j = j->next) {
        sqlite3_exec(c->db, "SAVEPOINT job", NULL, NULL, NULL);
        j->rc = j->fn(c, j->arg, j->e);
        if (j->rc != 0) sqlite3_exec(c->db, "ROLLBACK TO job", NULL, NULL, NULL);
        sqlite3_exec(c->db, "RELEASE job", NULL, NULL, NULL);
    }
    rc = sqlite3_exec(c->db, "COMMIT", NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        for (struct job *j = group; j; j = j->next)
            if (j->rc == 0) j->rc = db_error(c, j->e, rc);
        sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
    }
}

static void *writer_main(void *arg)
{
    struct store *s = arg;
    pthread_mutex_lock(&s->mu);
    for (;;) {
        while (!s->head && !s->stopping) pthread_cond_wait(&s->work, &s->mu);
        if (!s->head && s->stopping) break;
        /* take up to GROUP_MAX jobs */
        struct job *group = s->head, *last = group;
        int n = 1;
        while (last->next && n < GROUP_MAX) { last = last->next; n++; }
        s->head = last->next;
        if (!s->head) s->tail = NULL;
        last->next = NULL;
        pthread_mutex_unlock(&s->mu);
        run_group(s, group);
        pthread_mutex_lock(&s->mu);
        for (struct job *j = group; j; j = j->next) j->done = true;
        pthread_cond_broadcast(&s->finished);
    }
    pthread_mutex_unlock(&s->mu);
    return NULL;
}

static void reader_key_free(void *p) { (void)p; /* closed in store_close */ }

int store_open(const char *dir, bool create, struct store **out, struct err *e)
{
    struct stat sb;
    if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
        return err_set(e, ERR_NOT_FOUND, NULL, "data directory %s does not exist (run 'beian init %s')",
                       "数据目录 %s 不存在（请先运行 'beian init %s'）", dir, dir);
    struct store *s = calloc(1, sizeof *s);
    if (!s) return err_set(e, ERR_INTERNAL, NULL, "out of memory", "内存不足");
    snprintf(s->path, sizeof s->path, "%s/beian.db", dir);
    if (!create && stat(s->path, &sb) != 0) {
        free(s);
        return err_set(e, ERR_NOT_FOUND, NULL, "%s is not a beian data directory (run 'beian init')",
                       "%s 不是 beian 数据目录（请先运行 'beian init'）", dir);
    }
    if (conn_open(s->path, create, &s->writer, e) != 0) { free(s); return -1; }
    if (migrate(s->writer, e) != 0) { conn_close(s->writer); free(s); return -1; }
    pthread_mutex_init(&s->mu, NULL);
    pthread_mutex_init(&s->readers_mu, NULL);
    pthread_cond_init(&s->work, NULL);
    pthread_cond_init(&s->finished, NULL);
    pthread_key_create(&s->reader_key, reader_key_free);
    if (pthread_create(&s->writer_thread, NULL, writer_main, s) != 0) {
        conn_close(s->writer);
        free(s);
        return err_set(e, ERR_INTERNAL, NULL, "cannot start the writer thread", "无法启动写线程");
    }
    *out = s;
    return 0;
}

void store_close(struct store *s)
{
    if (!s) return;
    pthread_mutex_lock(&s->mu);
    s->stopping = true;
    pthread_cond_broadcast(&s->work);
    pthread_mutex_unlock(&s->mu);
    pthread_join(s->writer_thread, NULL);
    conn_close(s->writer);
    pthread_mutex_lock(&s->readers_mu);
    for (struct reader_slot *r = s->readers, *next; r; r = next) {
        next = r->next;
        conn_close(r->conn);
        free(r);
    }
    pthread_mutex_unlock(&s->readers_mu);
    pthread_key_delete(s->reader_key);
    free(s);
}

int store_write(struct store *s, store_job_fn fn, void *arg, struct err *e)
{
    struct job j = {.fn = fn, .arg = arg, .e = e};
    pthread_mutex_lock(&s->mu);
    if (s->tail) s->tail->next = &j; else s->head = &j;
    s->tail = &j;
    pthread_cond_signal(&s->work);
    while (!j.done) pthread_cond_wait(&s->finished, &s->mu);
    pthread_mutex_unlock(&s->mu);
    return j.rc;
}

struct store_conn *store_reader(struct store *s)
{
    struct store_conn *c = pthread_getspecific(s->reader_key);
    if (c) return c;
    struct err e = {0};
    if (conn_open(s->path, false, &c, &e) != 0) {
        fprintf(stderr, "beian: %s\n", e.detail_en);
        err_clear(&e);
        return NULL;
    }
    struct reader_slot *slot = calloc(1, sizeof *slot);
    slot->conn = c;
    pthread_mutex_lock(&s->readers_mu);
    slot->next = s->readers;
    s->readers = slot;
    pthread_mutex_unlock(&s->readers_mu);
    pthread_setspecific(s->reader_key, c);
    return c;
}

void store_reader_release(struct store *s)
{
    struct store_conn *c = pthread_getspecific(s->reader_key);
    if (!c) return;
    pthread_mutex_lock(&s->readers_mu);
    for (struct reader_slot **r = &s->readers; *r; r = &(*r)->next)
        if ((*r)->conn == c) {
            struct reader_slot *gone = *r;
            *r = gone->next;
            free(gone);
            break;
        }
    pthread_mutex_unlock(&s->readers_mu);
    conn_close(c);
    pthread_setspecific(s->reader_key, NULL);
}

/* ---------------------------------------------------------------- organisations */

int64_t store_org_insert(struct store_conn *c, const char *kind, const char *name, const char *uscc,
                         const char *region, const json_t *jurisdiction, const char *number_format, struct err *e)
{
    char now[32];
    now_rfc3339(now);
    json_t *empty = json_array();
    int rc = db_run(c, e, "INSERT INTO orgs(kind,name,uscc,region,jurisdiction,number_format,created_at) "
                          "VALUES(?,?,?,?,?,coalesce(?,'{region}-{year}-{seq:06}'),?)",
                    "ssssjss", kind, name, uscc, region, jurisdiction ? jurisdiction : empty, number_format, now);
    json_decref(empty);
    if (rc != 0) return -1;
    return sqlite3_last_insert_rowid(c->db);
}

int store_org_update(struct store_conn *c, int64_t id, const char *name, const char *uscc, const char *region,
                     struct err *e)
{
    if (db_run(c, e, "UPDATE orgs SET name=?, uscc=?, region=? WHERE id=?", "sssi", name, uscc, region, id) != 0)
        return -1;
    if (sqlite3_changes(c->db) != 1) return err_set(e, ERR_NOT_FOUND, NULL, "no such organisation", "单位不存在");
    return db_run(c, e, "UPDATE filings SET subject_name=? WHERE org_id=?", "si", name, id);
}

#define ORG_COLS "id,kind,name,uscc,region,jurisdiction,number_format,created_at"

json_t *store_org_get(struct store_conn *c, int64_t id)
{
    return db_one(c, "SELECT " ORG_COLS " FROM orgs WHERE id=?", "i", id);
}

json_t *store_org_list(struct store_conn *c, const char *kind)
{
    if (kind) return db_query(c, NULL, "SELECT " ORG_COLS " FROM orgs WHERE kind=? ORDER BY id", "s", kind);
    return db_query(c, NULL, "SELECT " ORG_COLS " FROM orgs ORDER BY id", "");
}

json_t *store_org_authority_for_region(struct store_conn *c, const char *region)
{
    json_t *all = store_org_list(c, "authority");
    json_t *best = NULL;
    int best_len = -1;
    size_t i;
    json_t *org;
    json_array_foreach(all, i, org) {
        size_t k;
        json_t *code;
        json_array_foreach(json_object_get(org, "jurisdiction"), k, code) {
            const char *j = json_string_value(code);
            if (!j || !region_covers(j, region)) continue;
            /* specificity: the number of significant leading digits */
            int len = strcmp(j + 2, "0000") == 0 ? 2 : strcmp(j + 4, "00") == 0 ? 4 : 6;
            if (len > best_len) { best_len = len; best = org; }
        }
    }
    json_incref(best);
    json_decref(all);
    return best;
}

/* ---------------------------------------------------------------- users and tokens */

int64_t store_user_insert(struct store_conn *c, int64_t org_id, const char *login, const char *name,
                          const char *pw_hash, const char *roles_csv, struct err *e)
{
    char now[32];
    now_rfc3339(now);
    if (db_run(c, e, "INSERT INTO users(org_id,login,name,pw_hash,roles,created_at) VALUES(?,?,?,?,?,?)",
               "isssss", org_id, login, name, pw_hash, roles_csv, now) != 0)
        return -1;
    return sqlite3_last_insert_rowid(c->db);
}

json_t *store_user_get(struct store_conn *c, int64_t id)
{
    return db_one(c, "SELECT * FROM users WHERE id=?", "i", id);
}

json_t *store_user_by_login(struct store_conn *c, const char *login)
{
    return db_one(c, "SELECT * FROM users WHERE login=?", "s", login);
}

json_t *store_user_list(struct store_conn *c, int64_t org_id)
{
    if (org_id)
        return db_query(c, NULL, "SELECT id,org_id,login,name,roles,disabled,created_at FROM users "
                                 "WHERE org_id=? ORDER BY id", "i", org_id);
    return db_query(c, NULL, "SELECT id,org_id,login,name,roles,disabled,created_at FROM users ORDER BY id", "");
}

int store_user_set_password(struct store_conn *c, int64_t id, const char *pw_hash, struct err *e)
{
    if (db_run(c, e, "UPDATE users SET pw_hash=? WHERE id=?", "si", pw_hash, id) != 0) return -1;
    if (sqlite3_changes(c->db) == 0) return err_set(e, ERR_NOT_FOUND, NULL, "no such user", "用户不存在");
    /* a new password ends every session of the user */
    return db_run(c, e, "UPDATE tokens SET revoked=1 WHERE user_id=? AND kind='session'", "i", id);
}

int store_token_insert(struct store_conn *c, const char *hash, int64_t user_id, const char *kind,
                       const char *name, const char *csrf, int64_t expires_at, struct err *e)
{
    char now[32];
    now_rfc3339(now);
    return db_run(c, e, "INSERT INTO tokens(hash,user_id,kind,name,csrf,created_at,expires_at) VALUES(?,?,?,?,?,?,?)",
                  "sissssi", hash, user_id, kind, name, csrf, now, expires_at);
}

json_t *store_token_get(struct store_conn *c, const char *hash)
{
    return db_one(c, "SELECT user_id,kind,name,csrf,expires_at,revoked FROM tokens WHERE hash=?", "s", hash);
}

json_t *store_token_principal(struct store_conn *c, const char *hash)
{
    return db_one(c, "SELECT t.user_id, t.kind, t.csrf, t.expires_at, t.revoked, u.login, u.name, u.roles, "
                     "u.disabled, u.org_id, o.kind AS org_kind FROM tokens t JOIN users u ON u.id = t.user_id "
                     "JOIN orgs o ON o.id = u.org_id WHERE t.hash=?", "s", hash);
}

int store_token_revoke(struct store_conn *c, const char *hash, struct err *e)
{
    return db_run(c, e, "UPDATE tokens SET revoked=1 WHERE hash=?", "s", hash);
}

/* API tokens by their public id (migration 7), issue 12 */

int store_api_token_insert(struct store_conn *c, const char *hash, const char *public_id, int64_t user_id,
                           const char *name, int64_t expires_at, struct err *e)
{
    char now[32];
    now_rfc3339(now);
    return db_run(c, e, "INSERT INTO tokens(hash,public_id,user_id,kind,name,created_at,expires_at) "
                        "VALUES(?,?,?,'api',?,?,?)", "ssissi", hash, public_id, user_id, name, now, expires_at);
}

#define API_TOKEN_COLUMNS "t.public_id AS id, t.name, t.user_id, u.login, u.org_id, t.created_at, " \
    "strftime('%Y-%m-%dT%H:%M:%SZ', t.expires_at, 'unixepoch') AS expires_at"

json_t *store_api_token_get(struct store_conn *c, const char *public_id)
{
    return db_one(c, "SELECT " API_TOKEN_COLUMNS ", t.revoked FROM tokens t JOIN users u ON u.id = t.user_id "
                     "WHERE t.public_id=? AND t.kind='api'", "s", public_id);
}

json_t *store_api_token_list(struct store_conn *c, int64_t user_id, int64_t org_id, int64_t now)
{
    return db_query(c, NULL, "SELECT " API_TOKEN_COLUMNS " FROM tokens t JOIN users u ON u.id = t.user_id "
                             "WHERE t.kind='api' AND t.public_id IS NOT NULL AND t.revoked=0 AND t.expires_at>=? "
                             "AND (t.user_id=? OR u.org_id=?) ORDER BY t.created_at, t.rowid",
                    "iii", now, user_id ? user_id : -1, org_id ? org_id : -1);
}

int store_api_token_revoke(struct store_conn *c, const char *public_id, struct err *e)
{
    return db_run(c, e, "UPDATE tokens SET revoked=1 WHERE public_id=? AND kind='api'", "s", public_id);
}

int store_api_tokens_revoke_user(struct store_conn *c, int64_t user_id, struct err *e)
{
    return db_run(c, e, "UPDATE tokens SET revoked=1 WHERE user_id=? AND kind='api'", "i", user_id);
}

/* ---------------------------------------------------------------- systems */

int64_t store_system_insert(struct store_conn *c, int64_t org_id, const char *name,
                            const char *description, int64_t created_by, struct err *e)
{
    char now[32];
    now_rfc3339(now);
    if (db_run(c, e, "INSERT INTO systems(org_id,name,description,created_by,created_at) VALUES(?,?,?,?,?)",
               "issIs", org_id, name, description ? description : "", created_by, now) != 0)
        return -1;
    return sqlite3_last_insert_rowid(c->db);
}

json_t *store_system_get(struct store_conn *c, int64_t id)
{
    return db_one(c, "SELECT * FROM systems WHERE id=?", "i", id);
}

json_t *store_system_list(struct store_conn *c, int64_t org_id)
{
    if (org_id) return db_query(c, NULL, "SELECT * FROM systems WHERE org_id=? ORDER BY id", "i", org_id);
    return db_query(c, NULL, "SELECT * FROM systems ORDER BY id", "");
}

/* ---------------------------------------------------------------- filings */

static const char *jstr(const json_t *o, const char *k) { return json_string_value(json_object_get(o, k)); }
static int64_t jint(const json_t *o, const char *k) { return json_integer_value(json_object_get(o, k)); }

int64_t store_filing_insert(struct store_conn *c, const json_t *r, struct err *e)
{
    char now[32];
    now_rfc3339(now);
    if (db_run(c, e,
               "INSERT INTO filings(system_id,org_id,kind,parent_id,state,provider_org_id,region,level,type,"
               "subject_name,system_name,document,revision,pack,created_at,updated_at,last_editor_id,findings,derived,"
               "provider_evaluation_id) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,1,?,?,?,?,?,?,?)",
               "iisIsIsIsssjsssIjjI", jint(r, "system_id"), jint(r, "org_id"), jstr(r, "kind"), jint(r, "parent_id"),
               jstr(r, "state"), jint(r, "provider_org_id"), jstr(r, "region"), jint(r, "level"), jstr(r, "type"),
               jstr(r, "subject_name"), jstr(r, "system_name"), json_object_get(r, "document"), jstr(r, "pack"),
               now, now, jint(r, "last_editor_id"), json_object_get(r, "findings"), json_object_get(r, "derived"),
               jint(r, "provider_evaluation_id")) != 0)
        return -1;
    return sqlite3_last_insert_rowid(c->db);
}

json_t *store_filing_get(struct store_conn *c, int64_t id)
{
    return db_one(c, "SELECT * FROM filings WHERE id=?", "i", id);
}

int store_filing_save_document(struct store_conn *c, const json_t *r, struct err *e)
{
    char now[32];
    now_rfc3339(now);
    if (db_run(c, e,
               "UPDATE filings SET document=?,findings=?,derived=?,revision=?,last_editor_id=?,subject_name=?,"
               "system_name=?,region=?,level=?,provider_org_id=?,"
               /* a newly named provider sees the filing only once it is asked to confirm it */
               "provider_visible=CASE WHEN provider_org_id IS ? THEN provider_visible ELSE 0 END,"
               "type=?,pack=?,updated_at=?,provider_evaluation_id=? WHERE id=?",
               "sjjiisssIIIsssIi", jstr(r, "document"), json_object_get(r, "findings"), json_object_get(r, "derived"),
               jint(r, "revision"), jint(r, "last_editor_id"), jstr(r, "subject_name"), jstr(r, "system_name"),
               jstr(r, "region"), jint(r, "level"), jint(r, "provider_org_id"), jint(r, "provider_org_id"),
               jstr(r, "type"), jstr(r, "pack"), now, jint(r, "provider_evaluation_id"), jint(r, "id")) != 0)
        return -1;
    if (sqlite3_changes(c->db) != 1) return err_set(e, ERR_NOT_FOUND, NULL, "no such filing", "备案不存在");
    return 0;
}

json_t *store_filing_get_raw(struct store_conn *c, int64_t id)
{
    return first_row(db_query_raw(c, NULL, "SELECT * FROM filings WHERE id=?", "i", id));
}

int store_filing_update(struct store_conn *c, const json_t *r, struct err *e)
{
    char now[32];
    now_rfc3339(now);
    if (db_run(c, e,
               "UPDATE filings SET state=?,check_from=?,provider_org_id=?,authority_org_id=?,reviewer_id=?,"
               "last_editor_id=?,region=?,level=?,type=?,subject_name=?,system_name=?,document=?,revision=?,"
               "current_version=?,record_version=?,number=?,pack=?,submitted_at=?,due_at=?,paused_remaining=?,"
               "filed_at=?,decided_at=?,version_date=?,provider_visible=?,authority_visible=?,updated_at=?,"
               "findings=?,derived=?,provider_evaluation_id=? WHERE id=?",
               "ssIIIIsIsssjiiIssssIsssiisjjIi",
               jstr(r, "state"), jstr(r, "check_from"), jint(r, "provider_org_id"), jint(r, "authority_org_id"),
               jint(r, "reviewer_id"), jint(r, "last_editor_id"), jstr(r, "region"), jint(r, "level"),
               jstr(r, "type"), jstr(r, "subject_name"), jstr(r, "system_name"), json_object_get(r, "document"),
               jint(r, "revision"), jint(r, "current_version"), jint(r, "record_version"), jstr(r, "number"),
               jstr(r, "pack"), jstr(r, "submitted_at"), jstr(r, "due_at"), jint(r, "paused_remaining"),
               jstr(r, "filed_at"), jstr(r, "decided_at"), jstr(r, "version_date"), jint(r, "provider_visible"),
               jint(r, "authority_visible"), now, json_object_get(r, "findings"), json_object_get(r, "derived"),
               jint(r, "provider_evaluation_id"), jint(r, "id")) != 0)
        return -1;
    if (sqlite3_changes(c->db) != 1) return err_set(e, ERR_NOT_FOUND, NULL, "no such filing", "备案不存在");
    return 0;
}

#define FILING_LIST_COLS                                                                           \
    "f.id,f.system_id,f.org_id,f.kind,f.parent_id,f.state,f.provider_org_id,f.authority_org_id,"   \
    "f.reviewer_id,f.region,f.level,f.type,f.subject_name,f.system_name,f.revision,"              \
    "f.current_version,f.number,f.submitted_at,f.due_at,f.filed_at,f.created_at,f.updated_at,"     \
    "f.change_class,f.late,f.late_reason,f.effective_on,f.reported_on,f.objection_due,f.objected_at"

json_t *store_filing_list(struct store_conn *c, const struct store_scope *scope,
                          const struct filing_query *q, int64_t *next_cursor, struct err *e)
{
    /* One statement for every scope: the scope columns are compared against bound values, so a
     * caller only ever matches rows of its own kind of visibility. */
    static const char *sql =
        "SELECT " FILING_LIST_COLS " FROM filings f WHERE "
        "(?1 = 1 OR (?2 = 'enterprise' AND f.org_id = ?3) "
        "  OR (?2 = 'provider' AND f.provider_org_id = ?3 AND f.provider_visible = 1) "
        "  OR (?2 = 'authority' AND f.authority_org_id = ?3 AND f.authority_visible = 1)) "
        "AND (?4 IS NULL OR f.state = ?4) AND (?5 IS NULL OR f.region LIKE ?5 || '%') "
        "AND (?6 IS NULL OR f.type = ?6) "
        "AND (?7 IS NULL OR instr(f.system_name, ?7) > 0 OR instr(f.subject_name, ?7) > 0 "
        "     OR instr(coalesce(f.number,''), ?7) > 0) "
        "AND (?8 = 0 OR f.system_id = ?8) AND (?9 = 0 OR f.id < ?9) "
        "ORDER BY f.id DESC LIMIT ?10";
    int limit = q->limit > 0 && q->limit <= 200 ? q->limit : 50;
    /* region filter: a province code filters by its 2-digit prefix, a city by 4 */
    char region_prefix[8] = {0};
    const char *rp = NULL;
    if (q->region && *q->region) {
        size_t len = strlen(q->region);
        snprintf(region_prefix, sizeof region_prefix, "%s", q->region);
        if (len == 6 && strcmp(q->region + 2, "0000") == 0) region_prefix[2] = 0;
        else if (len == 6 && strcmp(q->region + 4, "00") == 0) region_prefix[4] = 0;
        rp = region_prefix;
    }
    json_t *rows = db_query(c, e, sql, "isissssiii", (int64_t)(scope->admin ? 1 : 0),
                            scope->org_kind ? scope->org_kind : "", scope->org_id,
                            q->state && *q->state ? q->state : NULL, rp,
                            q->type && *q->type ? q->type : NULL, q->q && *q->q ? q->q : NULL,
                            q->system_id, q->after_id, (int64_t)(limit + 1));
    if (!rows) return NULL;
    *next_cursor = 0;
    if ((int)json_array_size(rows) > limit) {
        json_array_remove(rows, (size_t)limit);
        *next_cursor = jint(json_array_get(rows, (size_t)limit - 1), "id");
    }
    return rows;
}

int store_filing_each_record(struct store_conn *c, const struct store_scope *scope,
                             int (*fn)(const json_t *row, void *arg), void *arg, struct err *e)
{
    static const char *sql =
        "SELECT id, org_id, number, subject_name, system_name, region, authority_org_id, document, findings "
        "FROM filings WHERE kind = 'initial' AND state = 'filed' "
        "AND (?1 = 1 OR (?2 = 'authority' AND authority_org_id = ?3) OR (?2 = 'enterprise' AND org_id = ?3)) "
        "ORDER BY id";
    /* a statement of its own (not the cache): fn may run other queries on this connection */
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(c->db, sql, -1, &st, NULL) != SQLITE_OK) return db_error(c, e, sqlite3_errcode(c->db));
    sqlite3_bind_int(st, 1, scope->admin ? 1 : 0);
    sqlite3_bind_text(st, 2, scope->org_kind ? scope->org_kind : "", -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 3, scope->org_id);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        json_t *row = row_to_json(st, true);
        int stop = fn(row, arg);
        json_decref(row);
        if (stop) { rc = SQLITE_DONE; break; }
    }
    int out = rc == SQLITE_DONE ? 0 : db_error(c, e, rc);
    sqlite3_finalize(st);
    return out;
}

bool store_filing_has_open_change(struct store_conn *c, int64_t parent_id)
{
    json_t *r = db_one(c, "SELECT id FROM filings WHERE parent_id=? AND state NOT IN "
                          "('filed','rejected','withdrawn','cancelled','revoked','minor_recorded') LIMIT 1", "i", parent_id);
    bool open = r != NULL;
    json_decref(r);
    return open;
}

int store_filing_update_change(struct store_conn *c, const json_t *r, struct err *e)
{
    const json_t *late = json_object_get(r, "late");
    int64_t is_late = json_is_true(late) || json_integer_value(late) != 0;
    return db_run(c, e,
                  "UPDATE filings SET effective_on=?,reported_on=?,change_class=?,late=?,late_reason=?,objection_due=?,"
                  "objected_at=? WHERE id=?",
                  "sssisssi", jstr(r, "effective_on"), jstr(r, "reported_on"), jstr(r, "change_class"),
                  is_late, jstr(r, "late_reason"),
                  jstr(r, "objection_due"), jstr(r, "objected_at"), jint(r, "id"));
}

int64_t store_filing_minor_in_window(struct store_conn *c, int64_t parent_id, const char *today)
{
    json_t *r = db_one(c, "SELECT id FROM filings WHERE parent_id=? AND state='minor_recorded' AND objection_due>=? "
                          "ORDER BY id DESC LIMIT 1", "is", parent_id, today);
    int64_t id = jint(r, "id");
    json_decref(r);
    return id;
}

json_t *store_system_other_live_filing(struct store_conn *c, int64_t system_id, int64_t filing_id)
{
    return db_one(c, "SELECT id, state, number FROM filings WHERE system_id=? AND kind='initial' AND id<>? "
                     "AND state NOT IN ('draft','rejected','withdrawn','cancelled','revoked') ORDER BY id LIMIT 1",
                  "ii", system_id, filing_id);
}

json_t *store_filing_by_number(struct store_conn *c, const char *number)
{
    return db_one(c, "SELECT * FROM filings WHERE number=? AND kind='initial'", "s", number);
}

int64_t store_next_number_seq(struct store_conn *c, int64_t authority_id, int year, struct err *e)
{
    if (db_run(c, e, "INSERT INTO number_seq(authority_org_id,year,seq) VALUES(?,?,1) "
                     "ON CONFLICT(authority_org_id,year) DO UPDATE SET seq=seq+1",
               "ii", authority_id, (int64_t)year) != 0)
        return -1;
    json_t *r = db_one(c, "SELECT seq FROM number_seq WHERE authority_org_id=? AND year=?", "ii",
                       authority_id, (int64_t)year);
    int64_t seq = jint(r, "seq");
    json_decref(r);
    return seq;
}

/* ---------------------------------------------------------------- versions */

int store_version_insert(struct store_conn *c, int64_t filing_id, int n, const json_t *document,
                         const char *sha256, const char *action, int64_t by, const json_t *findings,
                         const char *pack, struct err *e)
{
    char now[32];
    now_rfc3339(now);
    json_t *none = json_array();
    int rc = db_run(c, e, "INSERT INTO filing_versions(filing_id,n,document,sha256,action,created_by,findings,pack,created_at) "
                          "VALUES(?,?,?,?,?,?,?,?,?)",
                    "iijssIjss", filing_id, (int64_t)n, document, sha256, action, by,
                    findings ? findings : none, pack, now);
    json_decref(none);
    return rc;
}

json_t *store_version_get(struct store_conn *c, int64_t filing_id, int n)
{
    return db_one(c, "SELECT * FROM filing_versions WHERE filing_id=? AND n=?", "ii", filing_id, (int64_t)n);
}

json_t *store_version_list(struct store_conn *c, int64_t filing_id)
{
    return db_query(c, NULL, "SELECT filing_id,n,sha256,action,created_by,pack,created_at FROM filing_versions "
                             "WHERE filing_id=? ORDER BY n", "i", filing_id);
}

/* ---------------------------------------------------------------- rectifications */

int64_t store_rectification_insert(struct store_conn *c, int64_t filing_id, int version,
                                   int64_t by, const char *comment, const json_t *items, struct err *e)
{
    char now[32];
    now_rfc3339(now);
    if (db_run(c, e, "INSERT INTO rectifications(filing_id,version,created_by,comment,created_at) VALUES(?,?,?,?,?)",
               "iiiss", filing_id, (int64_t)version, by, comment, now) != 0)
        return -1;
    int64_t rid = sqlite3_last_insert_rowid(c->db);
    size_t i;
    json_t *it;
    json_array_foreach(items, i, it) {
        if (db_run(c, e, "INSERT INTO rectification_items(rectification_id,path,message) VALUES(?,?,?)", "iss",
                   rid, jstr(it, "path"), jstr(it, "message")) != 0)
            return -1;
    }
    return rid;
}

json_t *store_rectification_list(struct store_conn *c, int64_t filing_id)
{
    json_t *list = db_query(c, NULL, "SELECT * FROM rectifications WHERE filing_id=? ORDER BY id", "i", filing_id);
    size_t i;
    json_t *r;
    json_array_foreach(list, i, r) {
        json_t *items = db_query(c, NULL, "SELECT * FROM rectification_items WHERE rectification_id=? ORDER BY id",
                                 "i", jint(r, "id"));
        json_object_set_new(r, "items", items ? items : json_array());
    }
    return list;
}

json_t *store_rectification_item_get(struct store_conn *c, int64_t item_id)
{
    return db_one(c, "SELECT i.*, r.filing_id, r.closed_at, r.version FROM rectification_items i "
                     "JOIN rectifications r ON r.id = i.rectification_id WHERE i.id=?", "i", item_id);
}

int store_rectification_item_answer(struct store_conn *c, int64_t item_id, const char *answer,
                                    int64_t by, struct err *e)
{
    char now[32];
    now_rfc3339(now);
    return db_run(c, e, "UPDATE rectification_items SET answer=?,answered_by=?,answered_at=? WHERE id=?", "sisi",
                  answer, by, now, item_id);
}

int store_rectification_close_open(struct store_conn *c, int64_t filing_id, struct err *e)
{
    char now[32];
    now_rfc3339(now);
    return db_run(c, e, "UPDATE rectifications SET closed_at=? WHERE filing_id=? AND closed_at IS NULL", "si", now,
                  filing_id);
}

/* ---------------------------------------------------------------- audit */

static void audit_hash(const json_t *row, const char *prev, char out[65])
{
    json_t *copy = json_deep_copy(row);
    json_object_del(copy, "hash");
    json_object_set_new(copy, "prev_hash", json_string(prev));
    sha256_json_hex(copy, out);
    json_decref(copy);
}

int store_audit_append(struct store_conn *c, const struct audit_entry *a, struct err *e)
{
    char now[32];
    now_rfc3339(now);
    json_t *last = db_one(c, "SELECT id,hash FROM audit ORDER BY id DESC LIMIT 1", "");
    char prev[65];
    snprintf(prev, sizeof prev, "%s", last ? jstr(last, "hash") : "0");
    int64_t id = last ? jint(last, "id") + 1 : 1;
    json_decref(last);
    json_t *row = json_pack("{sI s:s s:o s:o s:s s:s s:o s:o s:o s:o s:o s:O}", "id", (json_int_t)id, "at", now,
                            "actor_user_id", a->actor_user_id ? json_integer(a->actor_user_id) : json_null(),
                            "actor_org_id", a->actor_org_id ? json_integer(a->actor_org_id) : json_null(),
                            "action", a->action, "object_type", a->object_type,
                            "object_id", a->object_id ? json_integer(a->object_id) : json_null(),
                            "filing_id", a->filing_id ? json_integer(a->filing_id) : json_null(),
                            "org_id", a->org_id ? json_integer(a->org_id) : json_null(),
                            "before_sha", a->before_sha ? json_string(a->before_sha) : json_null(),
                            "after_sha", a->after_sha ? json_string(a->after_sha) : json_null(),
                            "detail", a->detail ? a->detail : json_object());
    if (!row) return err_set(e, ERR_INTERNAL, NULL, "cannot build audit entry", "无法生成审计记录");
    if (!a->detail) json_decref(json_object_get(row, "detail")); /* json_pack O took a reference */
    char hash[65];
    audit_hash(row, prev, hash);
    int rc = db_run(c, e, "INSERT INTO audit(id,at,actor_user_id,actor_org_id,action,object_type,object_id,filing_id,"
                          "org_id,before_sha,after_sha,detail,prev_hash,hash) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    "isIIssIIIssjss", id, now, a->actor_user_id, a->actor_org_id, a->action, a->object_type,
                    a->object_id, a->filing_id, a->org_id, a->before_sha, a->after_sha,
                    json_object_get(row, "detail"), prev, hash);
    json_decref(row);
    return rc;
}

json_t *store_audit_list(struct store_conn *c, const struct store_scope *scope, int64_t user_id, bool manages_users,
                         int64_t filing_id, int limit, int64_t after_id, int64_t *next_cursor, struct err *e)
{
    /* Who reads what (docs/reliability.md, issue 12):
     *  - entries of no filing: those of the caller's organisation (about it or by it); entries on
     *    user accounts, sessions and tokens only when they are the caller's own, or the caller
     *    manages the organisation's users;
     *  - entries of a filing: its enterprise all of them; its provider from the first approve_check
     *    (the moment it was asked to confirm, which made the filing visible to it); its authority
     *    from the first confirm_hosting (the submission); anyone its own organisation's steps.
     * The first approve_check / confirm_hosting of a filing is found through the index audit_filing. */
    static const char *sql =
        "SELECT a.* FROM audit a LEFT JOIN filings f ON f.id = a.filing_id WHERE "
        "(?1 = 1 "
        "  OR (a.filing_id IS NULL AND (a.org_id = ?3 OR a.actor_org_id = ?3) "
        "      AND (a.object_type <> 'user' OR ?7 = 1 OR a.actor_user_id = ?8 OR a.object_id = ?8)) "
        "  OR (a.filing_id IS NOT NULL AND (a.actor_org_id = ?3 "
        "      OR (?2 = 'enterprise' AND f.org_id = ?3) "
        "      OR (?2 = 'provider' AND f.provider_org_id = ?3 AND f.provider_visible = 1 AND a.id >= "
        "          (SELECT min(b.id) FROM audit b WHERE b.filing_id = f.id AND b.action = 'filing.approve_check')) "
        "      OR (?2 = 'authority' AND f.authority_org_id = ?3 AND f.authority_visible = 1 AND a.id >= "
        "          (SELECT min(b.id) FROM audit b WHERE b.filing_id = f.id "
        "           AND b.action IN ('filing.confirm_hosting', 'filing.change_recorded')))))) "
        "AND (?4 = 0 OR a.filing_id = ?4) AND (?5 = 0 OR a.id < ?5) ORDER BY a.id DESC LIMIT ?6";
    if (limit <= 0 || limit > 500) limit = 100;
    json_t *rows = db_query(c, e, sql, "isiiiiii", (int64_t)(scope->admin ? 1 : 0),
                            scope->org_kind ? scope->org_kind : "", scope->org_id, filing_id, after_id,
                            (int64_t)(limit + 1), (int64_t)(manages_users ? 1 : 0), user_id);
    if (!rows) return NULL;
    *next_cursor = 0;
    if ((int)json_array_size(rows) > limit) {
        json_array_remove(rows, (size_t)limit);
        *next_cursor = jint(json_array_get(rows, (size_t)limit - 1), "id");
    }
    /* the chain fields are internal */
    size_t i;
    json_t *r;
    json_array_foreach(rows, i, r) json_object_del(r, "prev_hash");
    return rows;
}

int store_audit_verify(struct store_conn *c, struct err *e)
{
    json_t *rows = db_query(c, e, "SELECT * FROM audit ORDER BY id", "");
    if (!rows) return -1;
    char prev[65] = "0";
    size_t i;
    json_t *r;
    int rc = 0;
    json_array_foreach(rows, i, r) {
        char want[65];
        json_t *copy = json_deep_copy(r);
        json_object_del(copy, "prev_hash");
        if (strcmp(jstr(r, "prev_hash") ? jstr(r, "prev_hash") : "", prev) != 0) {
            rc = err_set(e, ERR_INTERNAL, NULL, "audit entry %lld does not follow its predecessor",
                         "审计记录 %lld 与前一条不衔接", (long long)jint(r, "id"));
            json_decref(copy);
            break;
        }
        audit_hash(copy, prev, want);
        json_decref(copy);
        if (strcmp(want, jstr(r, "hash") ? jstr(r, "hash") : "") != 0) {
            rc = err_set(e, ERR_INTERNAL, NULL, "audit entry %lld was altered", "审计记录 %lld 已被篡改",
                         (long long)jint(r, "id"));
            break;
        }
        snprintf(prev, sizeof prev, "%s", jstr(r, "hash"));
    }
    json_decref(rows);
    return rc;
}

int64_t store_override_insert(struct store_conn *c, int64_t filing_id, const char *rule, const char *reason,
                              int64_t material_id, int64_t by, struct err *e)
{
    char now[32];
    now_rfc3339(now);
    if (db_run(c, e, "INSERT INTO overrides(filing_id,rule,reason,material_id,state,requested_by,requested_at) "
                     "VALUES(?,?,?,?,'requested',?,?)", "issIis", filing_id, rule, reason, material_id, by, now) != 0)
        return -1;
    return sqlite3_last_insert_rowid(c->db);
}

json_t *store_override_list(struct store_conn *c, int64_t filing_id)
{
    return db_query(c, NULL, "SELECT * FROM overrides WHERE filing_id=? ORDER BY id", "i", filing_id);
}

json_t *store_override_get(struct store_conn *c, int64_t id)
{
    return db_one(c, "SELECT * FROM overrides WHERE id=?", "i", id);
}

int store_override_decide(struct store_conn *c, int64_t id, bool accept, const char *comment, int64_t by, struct err *e)
{
    char now[32];
    now_rfc3339(now);
    return db_run(c, e, "UPDATE overrides SET state=?,comment=?,decided_by=?,decided_at=? WHERE id=? AND state='requested'",
                  "ssisi", accept ? "accepted" : "refused", comment, by, now, id);
}

json_t *store_filing_counts(struct store_conn *c)
{
    json_t *rows = db_query(c, NULL, "SELECT state, count(*) AS n FROM filings GROUP BY state", "");
    json_t *out = json_object();
    size_t i;
    json_t *r;
    json_array_foreach(rows, i, r) json_object_set(out, jstr(r, "state"), json_object_get(r, "n"));
    json_decref(rows);
    return out;
}
