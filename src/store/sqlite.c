/* sqlite.c — the SQLite backend of the store (db.h): connections, statements, migrations, and
 * the group commit of write jobs. The store's functions themselves are in store_*.c.
 *
 * One writer connection owned by a writer thread that drains a queue of jobs: each group of
 * pending jobs runs inside one BEGIN IMMEDIATE transaction, each job in its own savepoint, and is
 * acknowledged only after COMMIT returned (WAL, synchronous=FULL: acknowledged means durable); a
 * group of one job needs no savepoint. Each finished job wakes its own request only.
 * Readers get one connection per thread. Statements are prepared once per connection and cached
 * by the address of their SQL text (all SQL here is string literals). Every value is bound, never
 * spliced into SQL. */
#include "store/db.h"
#include "core/json_read.h"
#include "core/json_text.h"
#include "core/utf8.h"
#include "store/migrations.h"
#include "store/sqlite_checkpoint.h"

#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdatomic.h>
#include <sys/stat.h>
#include <time.h>

#define STMT_CACHE 96
#define GROUP_MAX 64
#define WRITER_LINGER_US 1000   /* the longest wait for announced writes (store_write_soon) */

static const struct store_ops SQLITE_OPS;

struct sqlite_conn {
    struct store_conn base;
    sqlite3 *db;
    struct { const char *sql; sqlite3_stmt *stmt; } cache[STMT_CACHE];
    int ncache;
    bool in_read;   /* a reader inside store_read_begin's transaction */
    uint64_t serial;   /* this process's count of connections when it opened: never reused */
    _Atomic int64_t *cache_total;   /* its store's page_cache_bytes (NULL: not counted) */
    int64_t cache_counted;      /* its page cache's bytes, as last added to cache_total */
};

static _Atomic uint64_t connections_opened;

/* Count the connection's page cache as it is now in its store's total (store_page_cache_bytes);
 * called by the thread that uses the connection: no thread reads another's (they are opened
 * without SQLite's mutexes). */
static void cache_count(struct sqlite_conn *c)
{
    int now = 0, highest = 0;
    if (!c->cache_total || sqlite3_db_status(c->db, SQLITE_DBSTATUS_CACHE_USED, &now, &highest, 0) != SQLITE_OK)
        return;
    if (now == c->cache_counted) return;
    atomic_fetch_add(c->cache_total, (int64_t)now - c->cache_counted);
    c->cache_counted = now;
}

struct job {
    store_job_fn fn;
    void *arg;
    struct err *e;
    int rc;
    sem_t finished;           /* posted when done: only the job's own request wakes, and it does
                                 not wait for the writer's lock to return */
    struct job *next;
};

struct sqlite_store {
    struct store base;
    char path[4096];
    struct sqlite_conn *writer;
    struct sqlite_checkpointer *checkpointer;   /* the WAL's checkpoints, beside the writer */
    pthread_t writer_thread;
    pthread_mutex_t mu;
    pthread_cond_t work;      /* jobs arrived */
    struct job *head, *tail;
    bool stopping;
    long linger_us;                /* the wait for announced writes (store_write_soon) */
    _Atomic uint64_t commits, writes;   /* store_write_counts */
    _Atomic int64_t page_cache_bytes;   /* its connections' page caches (cache_count) */
    struct readers readers;       /* one connection per thread, all closed at store_close */
};

/* ---------------------------------------------------------------- connections and statements */

static int conn_open(const char *path, bool create, struct sqlite_conn **out, struct err *e)
{
    struct sqlite_conn *c = calloc(1, sizeof *c);
    if (c) c->serial = atomic_fetch_add(&connections_opened, 1) + 1;
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
    c->base.ops = &SQLITE_OPS;
    *out = c;
    return 0;
}

static void conn_close(struct sqlite_conn *c)
{
    if (!c) return;
    if (c->cache_total) atomic_fetch_sub(c->cache_total, c->cache_counted);
    for (int i = 0; i < c->ncache; i++) sqlite3_finalize(c->cache[i].stmt);
    sqlite3_close(c->db);
    free(c);
}

static int db_error(struct sqlite_conn *c, struct err *e, int rc)
{
    int primary = rc & 0xff;
    if (primary == SQLITE_FULL || primary == SQLITE_IOERR)
        return err_set(e, primary == SQLITE_FULL ? ERR_STORAGE_FULL : ERR_INTERNAL, NULL,
                       "storage error: %s", "存储错误：%s", sqlite3_errmsg(c->db));
    if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY)
        return err_set(e, ERR_DUPLICATE, NULL, "already exists (%s)", "已存在（%s）", sqlite3_errmsg(c->db));
    if (primary == SQLITE_CONSTRAINT)
        return err_set(e, ERR_VALIDATION, NULL, "constraint failed: %s", "约束校验失败：%s", sqlite3_errmsg(c->db));
    /* the engine's words name tables and statements: for the operator's log, not the client */
    fprintf(stderr, "database error: %s\n", sqlite3_errmsg(c->db));
    return err_set(e, ERR_INTERNAL, NULL, "database error (the server log has its details)",
                   "数据库错误（详见服务器日志）");
}

static sqlite3_stmt *stmt_get(struct sqlite_conn *c, const char *sql)
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

static void stmt_done(struct sqlite_conn *c, sqlite3_stmt *st)
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
            char *s = json_canonical(v, NULL);
            rc = s ? sqlite3_bind_text(st, idx, s, -1, free) : SQLITE_NOMEM;
            break;
        }
        default: return SQLITE_MISUSE;
        }
        if (rc != SQLITE_OK) return rc;
    }
    return SQLITE_OK;
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
            if (!raw_json && db_is_json_column(name)) {
                v = json_read_text(t ? t : "null", JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
                if (!v) v = json_null();
            } else if (raw_json && db_is_json_column(name)) {
                /* JSON text this store wrote itself (valid UTF-8): no need to check it again */
                v = json_stringn_nocheck(t ? t : "", (size_t)sqlite3_column_bytes(st, i));
            } else {
                size_t len = (size_t)sqlite3_column_bytes(st, i);
                v = utf8_valid(t ? t : "", len) ? json_stringn_nocheck(t ? t : "", len) : json_null();
            }
        }
        }
        /* the column's name comes from this program's own SQL: valid UTF-8, no check needed */
        json_object_setn_new_nocheck(o, name, strlen(name), v);
    }
    return o;
}

static struct sqlite_conn *conn_of(struct store_conn *c) { return (struct sqlite_conn *)c; }

static int sqlite_run(struct store_conn *base, struct err *e, const char *sql, const char *types, va_list ap)
{
    struct sqlite_conn *c = conn_of(base);
    sqlite3_stmt *st = stmt_get(c, sql);
    if (!st) return db_error(c, e, sqlite3_errcode(c->db));
    int rc = bind_args(st, types, ap);
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
static json_t *sqlite_query(struct store_conn *base, struct err *e, bool raw_json, const char *sql, const char *types,
                            va_list ap)
{
    struct sqlite_conn *c = conn_of(base);
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

static int sqlite_each(struct store_conn *base, struct err *e, const char *sql, const char *types,
                       int (*fn)(const json_t *row, void *arg), void *arg, va_list ap)
{
    struct sqlite_conn *c = conn_of(base);
    /* a statement of its own (not the cache): fn may run other queries on this connection */
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(c->db, sql, -1, &st, NULL) != SQLITE_OK) return db_error(c, e, sqlite3_errcode(c->db));
    int rc = bind_args(st, types, ap);
    if (rc == SQLITE_OK)
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

static int64_t sqlite_last_insert_id(struct store_conn *c) { return sqlite3_last_insert_rowid(conn_of(c)->db); }
static int sqlite_changes(struct store_conn *c) { return sqlite3_changes(conn_of(c)->db); }

/* ---------------------------------------------------------------- open, migrate, writer */

static int migrate(struct sqlite_conn *c, struct err *e)
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

/* A statement without parameters or rows (BEGIN, SAVEPOINT, COMMIT…) from the cache: the
 * writer runs these around every job, and sqlite3_exec would parse them every time. */
static int exec_cached(struct sqlite_conn *c, const char *sql)
{
    sqlite3_stmt *st = stmt_get(c, sql);
    if (!st) return sqlite3_errcode(c->db);
    int rc = sqlite3_step(st);
    stmt_done(c, st);
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? SQLITE_OK : rc;
}

static void run_group(struct sqlite_store *s, struct job *group)
{
    struct sqlite_conn *c = s->writer;
    int rc = exec_cached(c, "BEGIN IMMEDIATE");
    if (rc != SQLITE_OK) {
        for (struct job *j = group; j; j = j->next) j->rc = db_error(c, j->e, rc);
        return;
    }
    if (!group->next) {   /* a group of one: its own transaction, no savepoint needed */
        group->rc = group->fn(&c->base, group->arg, group->e);
        if (group->rc != 0) {
            exec_cached(c, "ROLLBACK");
            return;
        }
    } else {
        for (struct job *j = group; j; j = j->next) {
            exec_cached(c, "SAVEPOINT job");
            j->rc = j->fn(&c->base, j->arg, j->e);
            if (j->rc != 0) exec_cached(c, "ROLLBACK TO job");
            exec_cached(c, "RELEASE job");
        }
    }
    rc = exec_cached(c, "COMMIT");
    if (rc != SQLITE_OK) {
        for (struct job *j = group; j; j = j->next)
            if (j->rc == 0) j->rc = db_error(c, j->e, rc);
        exec_cached(c, "ROLLBACK");
    }
}

/* With jobs queued and writes announced (store_write_soon) but not yet sent: wait for those, up
 * to linger_us after the first job, so that one commit and its fsync serve them all. Every
 * arrival signals work; the wait ends when none is announced any more. Called with mu held. */
static void linger_for_announced(struct sqlite_store *s)
{
    if (s->linger_us <= 0 || atomic_load(&s->base.writes_soon) <= 0) return;
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    long long ns = until.tv_nsec + (long long)s->linger_us * 1000;
    until.tv_sec += (time_t)(ns / 1000000000);
    until.tv_nsec = (long)(ns % 1000000000);
    while (atomic_load(&s->base.writes_soon) > 0 && !s->stopping)
        if (pthread_cond_timedwait(&s->work, &s->mu, &until) != 0) break;
}

static void *writer_main(void *arg)
{
    struct sqlite_store *s = arg;
    pthread_mutex_lock(&s->mu);
    for (;;) {
        while (!s->head && !s->stopping) pthread_cond_wait(&s->work, &s->mu);
        if (!s->head && s->stopping) break;
        linger_for_announced(s);
        /* take up to GROUP_MAX jobs */
        struct job *group = s->head, *last = group;
        int n = 1;
        while (last->next && n < GROUP_MAX) { last = last->next; n++; }
        s->head = last->next;
        if (!s->head) s->tail = NULL;
        last->next = NULL;
        pthread_mutex_unlock(&s->mu);
        run_group(s, group);
        cache_count(s->writer);
        /* counted before any request returns, so a write's caller sees its commit counted */
        atomic_fetch_add(&s->commits, 1);
        atomic_fetch_add(&s->writes, (uint64_t)n);
        for (struct job *j = group, *next; j; j = next) {   /* next first: j ends once its request runs */
            next = j->next;
            sem_post(&j->finished);
        }
        pthread_mutex_lock(&s->mu);
    }
    pthread_mutex_unlock(&s->mu);
    return NULL;
}

static struct sqlite_store *store_of(struct store *s) { return (struct sqlite_store *)s; }

static void sqlite_close(struct store *base)
{
    struct sqlite_store *s = store_of(base);
    pthread_mutex_lock(&s->mu);
    s->stopping = true;
    pthread_cond_broadcast(&s->work);
    pthread_mutex_unlock(&s->mu);
    pthread_join(s->writer_thread, NULL);
    sqlite_checkpointer_stop(s->checkpointer);
    conn_close(s->writer);
    readers_close_all(&s->readers);
    free(s);
}

static void sqlite_read_end(struct store *base)
{
    struct sqlite_conn *c = (struct sqlite_conn *)readers_peek(&store_of(base)->readers);
    if (!c || !c->in_read) return;
    c->in_read = false;
    cache_count(c);   /* every read, so that threads that read seldom (the timers) count too */
    if (sqlite3_get_autocommit(c->db)) return;   /* an error rolled it back already */
    if (exec_cached(c, "COMMIT") != SQLITE_OK) sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
}

/* Deferred: the snapshot (and the WAL read lock) is taken by the first read. */
static void sqlite_read_begin(struct store *base)
{
    struct sqlite_conn *c = (struct sqlite_conn *)readers_get(&store_of(base)->readers, base);
    if (!c || c->in_read) return;
    c->in_read = exec_cached(c, "BEGIN") == SQLITE_OK;
}

static bool sqlite_read_generation(struct store *base, uint64_t out[2])
{
    static const char sql[] = "PRAGMA data_version";
    struct sqlite_conn *c = (struct sqlite_conn *)readers_peek(&store_of(base)->readers);
    if (!c || !c->in_read || sqlite3_get_autocommit(c->db)) return false;
    sqlite3_stmt *st = stmt_get(c, sql);
    bool ok = st && sqlite3_step(st) == SQLITE_ROW;
    if (ok) {
        out[0] = c->serial;
        out[1] = (uint64_t)sqlite3_column_int64(st, 0);
    }
    if (st) stmt_done(c, st);
    return ok;
}

/* Queue the job and wait for its commit; announced: it ends its store_write_soon as it is queued,
 * under the lock the writer's wait for announced writes holds when it looks. */
static int write_job(struct store *base, store_job_fn fn, void *arg, struct err *e, bool announced)
{
    struct sqlite_store *s = store_of(base);
    sqlite_read_end(base);   /* the reads after the write see it */
    struct job j = {.fn = fn, .arg = arg, .e = e};
    sem_init(&j.finished, 0, 0);
    pthread_mutex_lock(&s->mu);
    if (s->tail) s->tail->next = &j; else s->head = &j;
    s->tail = &j;
    if (announced) atomic_fetch_sub(&s->base.writes_soon, 1);
    pthread_mutex_unlock(&s->mu);
    /* after the unlock: the writer, woken, takes the lock at once instead of waiting for it */
    pthread_cond_signal(&s->work);
    while (sem_wait(&j.finished) != 0) { /* EINTR: wait on */ }
    sem_destroy(&j.finished);
    return j.rc;
}

static int sqlite_write(struct store *base, store_job_fn fn, void *arg, struct err *e)
{
    return write_job(base, fn, arg, e, false);
}

static int sqlite_write_announced(struct store *base, store_job_fn fn, void *arg, struct err *e)
{
    return write_job(base, fn, arg, e, true);
}

static void sqlite_write_counts(struct store *base, uint64_t *commits, uint64_t *writes)
{
    struct sqlite_store *s = store_of(base);
    *commits = atomic_load(&s->commits);
    *writes = atomic_load(&s->writes);
}

static int64_t sqlite_page_cache_bytes(struct store *base)
{
    return atomic_load(&store_of(base)->page_cache_bytes);
}

static void sqlite_write_linger_set(struct store *base, long us)
{
    struct sqlite_store *s = store_of(base);
    pthread_mutex_lock(&s->mu);
    s->linger_us = us;
    pthread_mutex_unlock(&s->mu);
}

static struct store_conn *reader_open(struct store *base)
{
    struct sqlite_conn *c = NULL;
    struct err e = {0};
    if (conn_open(store_of(base)->path, false, &c, &e) != 0) {
        fprintf(stderr, "beian: %s\n", e.detail_en);
        err_clear(&e);
        return NULL;
    }
    c->cache_total = &store_of(base)->page_cache_bytes;
    return &c->base;
}

static void reader_close(struct store_conn *c) { conn_close(conn_of(c)); }
static struct store_conn *sqlite_reader(struct store *base) { return readers_get(&store_of(base)->readers, base); }
static void sqlite_reader_release(struct store *base) { readers_release(&store_of(base)->readers); }

static const struct store_ops SQLITE_OPS = {
    .engine = DB_SQLITE,
    .close = sqlite_close,
    .write = sqlite_write,
    .reader = sqlite_reader,
    .reader_release = sqlite_reader_release,
    .read_begin = sqlite_read_begin,
    .read_end = sqlite_read_end,
    .read_generation = sqlite_read_generation,
    .write_announced = sqlite_write_announced,
    .write_counts = sqlite_write_counts,
    .write_linger_set = sqlite_write_linger_set,
    .page_cache_bytes = sqlite_page_cache_bytes,
    .run = sqlite_run,
    .query = sqlite_query,
    .each = sqlite_each,
    .last_insert_id = sqlite_last_insert_id,
    .changes = sqlite_changes,
    .blob_put = blob_files_put,
    .blob_open = blob_files_open,
    .blob_check = blob_files_check,
};

/* SQLite counts every allocation under one process-wide mutex unless told not to: with a reader
 * per server thread that mutex was most of the GET's lock waits (futex). Nothing here reads the
 * counts. Only possible before SQLite's first use in the process (else it stays as it was). */
static pthread_once_t sqlite_configured = PTHREAD_ONCE_INIT;
static void sqlite_configure(void) { (void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); }

int sqlite_store_open(const char *dir, bool create, struct store **out, struct err *e)
{
    pthread_once(&sqlite_configured, sqlite_configure);
    struct sqlite_store *s = calloc(1, sizeof *s);
    if (!s) return err_set(e, ERR_INTERNAL, NULL, "out of memory", "内存不足");
    s->base.ops = &SQLITE_OPS;
    snprintf(s->path, sizeof s->path, "%s/beian.db", dir);
    struct stat sb;
    if (!create && stat(s->path, &sb) != 0) {
        free(s);
        return err_set(e, ERR_NOT_FOUND, NULL, "%s is not a beian data directory (run 'beian init')",
                       "%s 不是 beian 数据目录（请先运行 'beian init'）", dir);
    }
    if (conn_open(s->path, create, &s->writer, e) != 0) { free(s); return -1; }
    s->writer->cache_total = &s->page_cache_bytes;
    if (migrate(s->writer, e) != 0) { conn_close(s->writer); free(s); return -1; }
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->work, NULL);
    s->linger_us = WRITER_LINGER_US;
    readers_init(&s->readers, reader_open, reader_close);
    s->checkpointer = sqlite_checkpointer_start(s->path, s->writer->db);
    if (pthread_create(&s->writer_thread, NULL, writer_main, s) != 0) {
        sqlite_checkpointer_stop(s->checkpointer);
        conn_close(s->writer);
        free(s);
        return err_set(e, ERR_INTERNAL, NULL, "cannot start the writer thread", "无法启动写线程");
    }
    *out = &s->base;
    return 0;
}
