/* postgres.c — the PostgreSQL backend of the store (db.h), through libpq.
 *
 * Writes: write jobs run on this process's writer connection inside a transaction that first
 * takes a transaction-scoped advisory lock, the same key on every node: write jobs of all nodes
 * sharing the database run one after another, each seeing the commits before it — what the
 * SQLite backend's single writer gives, so the service's checks inside a job (revisions,
 * numbering, the audit chain's predecessor) hold across nodes. Group commit, as on SQLite: the
 * jobs that arrive while a group runs wait in a queue; the next caller to find the writer free
 * leads them all in one transaction, each job in its own savepoint (a failed job is rolled back
 * alone), so one commit — one WAL flush — acknowledges the whole group. Reads:
 * one autocommit connection per thread. Statements are prepared once per connection, named by
 * the address of their SQL text; "?"/"?N" become "$N"; every value is bound.
 *
 * The schema is the SQLite migrations (migrations.c) translated for PostgreSQL by
 * postgres_schema.c, counted in the table beian_schema, applied under an advisory lock so nodes
 * starting together do not race. Material bytes are rows of material_blobs (postgres_blobs.c). */
#include "store/postgres_internal.h"
#include "core/json_read.h"
#include "core/json_text.h"
#include "store/migrations.h"

#include <libpq-fe.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STMT_CACHE 160
#define GROUP_MAX 64

/* advisory lock keys (one namespace, "beian" in ASCII, then a number) */
#define LOCK_WRITE 0x626569616e01LL
#define LOCK_MIGRATE 0x626569616e02LL

/* type OIDs (pg_type.h is not in libpq-dev's public headers) */
enum { OID_BOOL = 16, OID_INT8 = 20, OID_INT2 = 21, OID_INT4 = 23, OID_TEXT = 25, OID_FLOAT4 = 700,
       OID_FLOAT8 = 701, OID_NUMERIC = 1700 };

static const struct store_ops POSTGRES_OPS;

struct pg_store {
    struct store base;
    char uri[2048];
    struct pg_conn *writer;
    pthread_mutex_t write_mu;      /* the queue and `leading` */
    pthread_cond_t group_done;
    struct pg_job *head, *tail;    /* write jobs waiting for the next group */
    bool leading;                  /* a caller runs a group on the writer connection */
    struct readers readers;        /* one autocommit connection per thread */
    struct pg_conn *lead;          /* holds the advisory locks of the jobs this node leads */
    pthread_mutex_t lead_mu;
    long long held[16];
    int nheld;
};

struct pg_job {
    store_job_fn fn;
    void *arg;
    struct err *e;
    int rc;
    bool done;
    struct pg_job *next;
};

static struct pg_conn *conn_of(struct store_conn *c) { return (struct pg_conn *)c; }
static struct pg_store *store_of(struct store *s) { return (struct pg_store *)s; }

/* ---------------------------------------------------------------- connections */

static int pg_conn_open(const char *uri, struct pg_conn **out, struct err *e)
{
    struct pg_conn *c = calloc(1, sizeof *c);
    if (!c) return err_set(e, ERR_INTERNAL, NULL, "out of memory", "内存不足");
    c->base.ops = &POSTGRES_OPS;
    c->pg = PQconnectdb(uri);
    if (PQstatus(c->pg) != CONNECTION_OK) {
        /* the URI may carry a password: name only what failed */
        err_set(e, ERR_INTERNAL, NULL, "cannot connect to PostgreSQL: %s", "无法连接 PostgreSQL：%s",
                PQerrorMessage(c->pg));
        PQfinish(c->pg);
        free(c);
        return -1;
    }
    PGresult *r = PQexec(c->pg, "SET client_min_messages = warning; SET TIME ZONE 'UTC'");
    PQclear(r);
    *out = c;
    return 0;
}

static void pg_conn_close(struct pg_conn *c)
{
    if (!c) return;
    PQfinish(c->pg);
    free(c->cache);
    free(c);
}

/* A lost connection is reset (its prepared statements are gone with it). */
static void conn_check(struct pg_conn *c)
{
    if (PQstatus(c->pg) == CONNECTION_OK) return;
    PQreset(c->pg);
    c->ncache = 0;
}

int pg_error(struct pg_conn *c, struct err *e, const PGresult *r)
{
    const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    const char *msg = r ? PQresultErrorMessage(r) : PQerrorMessage(c->pg);
    if (!msg || !*msg) msg = PQerrorMessage(c->pg);
    if (state && strcmp(state, "23505") == 0)
        return err_set(e, ERR_DUPLICATE, NULL, "already exists (%s)", "已存在（%s）", msg);
    if (state && (strncmp(state, "23", 2) == 0 || strcmp(state, "P0001") == 0))
        return err_set(e, ERR_VALIDATION, NULL, "constraint failed: %s", "约束校验失败：%s", msg);
    if (state && strcmp(state, "53100") == 0)
        return err_set(e, ERR_STORAGE_FULL, NULL, "storage error: %s", "存储错误：%s", msg);
    /* the engine's words name tables and statements: for the operator's log, not the client */
    fprintf(stderr, "database error: %s\n", msg);
    return err_set(e, ERR_INTERNAL, NULL, "database error (the server log has its details)",
                   "数据库错误（详见服务器日志）");
}

/* "?" → "$k" (counting), "?N" → "$N"; quoted text and identifiers are copied as they are. */
char *pg_translate(const char *sql, int *nparams)
{
    size_t len = strlen(sql);
    char *out = malloc(len * 4 + 1), *o = out;
    int next = 0, max = 0;
    char quote = 0;
    for (const char *p = sql; *p; p++) {
        if (quote) {
            if (*p == quote) quote = 0;
            *o++ = *p;
            continue;
        }
        if (*p == '\'' || *p == '"') { quote = *p; *o++ = *p; continue; }
        if (*p != '?') { *o++ = *p; continue; }
        int n;
        if (p[1] >= '0' && p[1] <= '9') {
            n = 0;
            while (p[1] >= '0' && p[1] <= '9') n = n * 10 + (*++p - '0');
        } else {
            n = ++next;
        }
        if (n > max) max = n;
        o += sprintf(o, "$%d", n);
    }
    *o = '\0';
    *nparams = max;
    return out;
}

/* ---------------------------------------------------------------- statements */

struct params {
    int n;
    Oid types[32];
    char *values[32];
    int lengths[32], formats[32];
    char num[32][32];
    char *owned[32];
};

static void params_free(struct params *p)
{
    for (int i = 0; i < p->n; i++) free(p->owned[i]);
}

static int params_bind(struct params *p, const char *types, va_list ap, struct err *e)
{
    memset(p, 0, sizeof *p);
    for (int i = 0; types && types[i]; i++) {
        if (i >= 32) return err_set(e, ERR_INTERNAL, NULL, "too many parameters", "参数过多");
        p->n = i + 1;
        switch (types[i]) {
        case 's':
            p->types[i] = OID_TEXT;
            p->values[i] = (char *)va_arg(ap, const char *);
            break;
        case 'i':
        case 'I': {
            int64_t v = va_arg(ap, int64_t);
            p->types[i] = OID_INT8;
            snprintf(p->num[i], sizeof p->num[i], "%lld", (long long)v);
            p->values[i] = types[i] == 'I' && v == 0 ? NULL : p->num[i];
            break;
        }
        case 'd':
            p->types[i] = OID_FLOAT8;
            snprintf(p->num[i], sizeof p->num[i], "%.17g", va_arg(ap, double));
            p->values[i] = p->num[i];
            break;
        case 'j': {
            const json_t *v = va_arg(ap, const json_t *);
            p->types[i] = OID_TEXT;
            if (v) {
                /* canonical text (sorted keys): the SHA-256 of a stored document is that of its text */
                p->owned[i] = json_canonical(v, NULL);
                p->values[i] = p->owned[i];
            }
            break;
        }
        default: return err_set(e, ERR_INTERNAL, NULL, "bad binding type %c", "绑定类型 %c 无效", types[i]);
        }
    }
    return 0;
}

/* Prepare (once per connection) and run sql with p; a result to PQclear, or NULL with e. */
static PGresult *exec(struct pg_conn *c, struct err *e, const char *sql, struct params *p, int result_format)
{
    conn_check(c);
    const char *name = NULL;
    char buf[32];
    for (int i = 0; i < c->ncache; i++)
        if (c->cache[i].sql == sql) { snprintf(buf, sizeof buf, "s%d", i); name = buf; break; }
    if (!name && c->ncache < STMT_CACHE) {
        if (!c->cache) c->cache = calloc(STMT_CACHE, sizeof *c->cache);
        int nparams = 0;
        char *text = pg_translate(sql, &nparams);
        snprintf(buf, sizeof buf, "s%d", c->ncache);
        PGresult *r = PQprepare(c->pg, buf, text, p->n, p->types);
        free(text);
        if (PQresultStatus(r) != PGRES_COMMAND_OK) {
            pg_error(c, e, r);
            fprintf(stderr, "beian: SQL prepare failed: %s", PQresultErrorMessage(r));
            PQclear(r);
            return NULL;
        }
        PQclear(r);
        c->cache[c->ncache++].sql = sql;
        name = buf;
    }
    PGresult *r;
    if (name) {
        r = PQexecPrepared(c->pg, name, p->n, (const char *const *)p->values, NULL, NULL, result_format);
    } else {
        int nparams = 0;
        char *text = pg_translate(sql, &nparams);
        r = PQexecParams(c->pg, text, p->n, p->types, (const char *const *)p->values, NULL, NULL, result_format);
        free(text);
    }
    ExecStatusType st = PQresultStatus(r);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        pg_error(c, e, r);
        PQclear(r);
        return NULL;
    }
    return r;
}

static json_t *value_to_json(const PGresult *r, int row, int col, bool raw_json)
{
    if (PQgetisnull(r, row, col)) return json_null();
    const char *t = PQgetvalue(r, row, col);
    switch (PQftype(r, col)) {
    case OID_INT2: case OID_INT4: case OID_INT8: return json_integer(strtoll(t, NULL, 10));
    case OID_FLOAT4: case OID_FLOAT8: return json_real(strtod(t, NULL));
    case OID_NUMERIC: return strpbrk(t, ".eE") ? json_real(strtod(t, NULL)) : json_integer(strtoll(t, NULL, 10));
    case OID_BOOL: return json_integer(t[0] == 't');
    default: break;
    }
    size_t len = (size_t)PQgetlength(r, row, col);
    const char *name = PQfname(r, col);
    if (db_is_json_column(name)) {
        if (raw_json) return json_stringn_nocheck(t, len);
        json_t *v = json_read(t, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
        return v ? v : json_null();
    }
    json_t *v = json_stringn(t, len);
    return v ? v : json_null();
}

static json_t *row_to_json(const PGresult *r, int row, bool raw_json)
{
    json_t *o = json_object();
    int n = PQnfields(r);
    for (int i = 0; i < n; i++) json_object_set_new(o, PQfname(r, i), value_to_json(r, row, i, raw_json));
    return o;
}

/* Bind the values (types, ap) and run sql: a result to PQclear, or NULL with e. */
static PGresult *bind_exec(struct pg_conn *c, struct err *e, const char *sql, const char *types, va_list ap)
{
    struct params p;
    PGresult *r = params_bind(&p, types, ap, e) == 0 ? exec(c, e, sql, &p, 0) : NULL;
    params_free(&p);
    return r;
}

static int pg_run(struct store_conn *base, struct err *e, const char *sql, const char *types, va_list ap)
{
    struct pg_conn *c = conn_of(base);
    PGresult *r = bind_exec(c, e, sql, types, ap);
    if (!r) return -1;
    c->changes = atoi(PQcmdTuples(r));
    PQclear(r);
    return 0;
}

static json_t *pg_query(struct store_conn *base, struct err *e, bool raw_json, const char *sql, const char *types,
                        va_list ap)
{
    struct pg_conn *c = conn_of(base);
    PGresult *r = bind_exec(c, e, sql, types, ap);
    if (!r) return NULL;
    json_t *rows = json_array();
    int n = PQntuples(r);
    for (int i = 0; i < n; i++) json_array_append_new(rows, row_to_json(r, i, raw_json));
    c->changes = atoi(PQcmdTuples(r));
    PQclear(r);
    return rows;
}

/* The whole result arrives first (libpq runs one statement at a time on a connection, and fn may
 * run others); the rows become JSON one at a time. */
static int pg_each(struct store_conn *base, struct err *e, const char *sql, const char *types,
                   int (*fn)(const json_t *row, void *arg), void *arg, va_list ap)
{
    PGresult *r = bind_exec(conn_of(base), e, sql, types, ap);
    if (!r) return -1;
    int n = PQntuples(r);
    for (int i = 0; i < n; i++) {
        json_t *row = row_to_json(r, i, true);
        int stop = fn(row, arg);
        json_decref(row);
        if (stop) break;
    }
    PQclear(r);
    return 0;
}

static int64_t pg_last_insert_id(struct store_conn *base)
{
    struct pg_conn *c = conn_of(base);
    PGresult *r = PQexec(c->pg, "SELECT lastval()");
    int64_t id = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1 ? strtoll(PQgetvalue(r, 0, 0), NULL, 10) : -1;
    PQclear(r);
    return id;
}

static int pg_changes(struct store_conn *c) { return conn_of(c)->changes; }

int pg_exec_simple(struct pg_conn *c, const char *sql, struct err *e)
{
    PGresult *r = PQexec(c->pg, sql);
    ExecStatusType st = PQresultStatus(r);
    int rc = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK ? 0 : pg_error(c, e, r);
    PQclear(r);
    return rc;
}

/* ---------------------------------------------------------------- write jobs, readers */

/* Run one group on the writer connection: one transaction under the write lock, each job in a
 * savepoint when there are several; every job's rc set. */
static void run_group(struct pg_store *s, struct pg_job *group)
{
    struct pg_conn *c = s->writer;
    conn_check(c);
    char lock[96];
    snprintf(lock, sizeof lock, "BEGIN; SELECT pg_advisory_xact_lock(%lld)", (long long)LOCK_WRITE);
    struct err begin = {0};
    if (pg_exec_simple(c, lock, &begin) != 0) {
        pg_exec_simple(c, "ROLLBACK", NULL);
        for (struct pg_job *j = group; j; j = j->next)
            j->rc = err_set_text(j->e, begin.code, NULL, begin.detail_en, begin.detail_zh);
        err_clear(&begin);
        return;
    }
    bool alone = !group->next, any = false;
    for (struct pg_job *j = group; j; j = j->next) {
        if (!alone && pg_exec_simple(c, "SAVEPOINT job", j->e) != 0) { j->rc = -1; continue; }
        j->rc = j->fn(&c->base, j->arg, j->e);
        if (alone) break;
        if (j->rc == 0 && pg_exec_simple(c, "RELEASE SAVEPOINT job", j->e) != 0) j->rc = -1;
        if (j->rc != 0) pg_exec_simple(c, "ROLLBACK TO SAVEPOINT job; RELEASE SAVEPOINT job", NULL);
        any |= j->rc == 0;
    }
    if (alone) any = group->rc == 0;
    struct err commit = {0};
    if (!any) {
        pg_exec_simple(c, "ROLLBACK", NULL);
    } else if (pg_exec_simple(c, "COMMIT", &commit) != 0) {
        pg_exec_simple(c, "ROLLBACK", NULL);
        for (struct pg_job *j = group; j; j = j->next)
            if (j->rc == 0) j->rc = err_set_text(j->e, commit.code, NULL, commit.detail_en, commit.detail_zh);
        err_clear(&commit);
    }
}

static int pg_write(struct store *base, store_job_fn fn, void *arg, struct err *e)
{
    struct pg_store *s = store_of(base);
    struct pg_job job = {.fn = fn, .arg = arg, .e = e};
    pthread_mutex_lock(&s->write_mu);
    if (s->tail) s->tail->next = &job;
    else s->head = &job;
    s->tail = &job;
    while (!job.done) {
        if (s->leading) {
            pthread_cond_wait(&s->group_done, &s->write_mu);
            continue;
        }
        /* lead the jobs waiting now (this one among them), at most GROUP_MAX */
        s->leading = true;
        struct pg_job *group = s->head, *last = group;
        for (int n = 1; n < GROUP_MAX && last->next; n++) last = last->next;
        s->head = last->next;
        if (!s->head) s->tail = NULL;
        last->next = NULL;
        pthread_mutex_unlock(&s->write_mu);
        run_group(s, group);
        pthread_mutex_lock(&s->write_mu);
        for (struct pg_job *j = group, *next; j; j = next) {
            next = j->next;
            j->done = true;
        }
        s->leading = false;
        pthread_cond_broadcast(&s->group_done);
    }
    pthread_mutex_unlock(&s->write_mu);
    return job.rc;
}

static struct store_conn *reader_open(struct store *base)
{
    struct pg_conn *c = NULL;
    struct err e = {0};
    if (pg_conn_open(store_of(base)->uri, &c, &e) != 0) {
        fprintf(stderr, "beian: %s\n", e.detail_en);
        err_clear(&e);
        return NULL;
    }
    return &c->base;
}

static void reader_close(struct store_conn *c) { pg_conn_close(conn_of(c)); }
struct store_conn *pg_reader(struct store *base) { return readers_get(&store_of(base)->readers, base); }
static void pg_reader_release(struct store *base) { readers_release(&store_of(base)->readers); }

static void pg_close(struct store *base)
{
    struct pg_store *s = store_of(base);
    pg_conn_close(s->writer);
    pg_conn_close(s->lead);
    pthread_mutex_destroy(&s->lead_mu);
    readers_close_all(&s->readers);
    pthread_mutex_destroy(&s->write_mu);
    pthread_cond_destroy(&s->group_done);
    free(s);
}

/* ---------------------------------------------------------------- migrations */

static int schema_version(struct pg_conn *c, int *version, struct err *e)
{
    PGresult *r = PQexec(c->pg, "SELECT to_regclass('beian_schema') IS NOT NULL");
    bool exists = PQresultStatus(r) == PGRES_TUPLES_OK && PQgetvalue(r, 0, 0)[0] == 't';
    PQclear(r);
    *version = -1;
    if (!exists) return 0;
    r = PQexec(c->pg, "SELECT version FROM beian_schema");
    if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
        int rc = pg_error(c, e, r);
        PQclear(r);
        return rc;
    }
    *version = atoi(PQgetvalue(r, 0, 0));
    PQclear(r);
    return 0;
}

static int migrate(struct pg_conn *c, bool create, struct err *e)
{
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT pg_advisory_lock(%lld)", (long long)LOCK_MIGRATE);
    if (pg_exec_simple(c, sql, e) != 0) return -1;
    int count = 0, version = 0, rc = 0;
    const char *const *list = migrations_list(&count);
    if (schema_version(c, &version, e) != 0) { rc = -1; goto out; }
    if (version < 0 && !create) {
        rc = err_set(e, ERR_NOT_FOUND, NULL, "the PostgreSQL database has no beian schema (run 'beian init DIR --store URI')",
                     "PostgreSQL 数据库中没有 beian 模式（请先运行 'beian init DIR --store URI'）");
        goto out;
    }
    if (version < 0) {
        if (pg_exec_simple(c, "BEGIN", e) != 0 || pg_exec_simple(c, postgres_schema_preamble(), e) != 0 ||
            pg_exec_simple(c, "CREATE TABLE beian_schema(version INTEGER NOT NULL); INSERT INTO beian_schema VALUES (0)", e) != 0 ||
            pg_exec_simple(c, "COMMIT", e) != 0) {
            pg_exec_simple(c, "ROLLBACK", NULL);
            rc = -1;
            goto out;
        }
        version = 0;
    }
    if (version > count) {
        rc = err_set(e, ERR_INTERNAL, NULL, "the database was written by a newer beian (schema %d > %d)",
                     "数据库由更新版本的 beian 写入（模式 %d > %d）", version, count);
        goto out;
    }
    for (int i = version; i < count && rc == 0; i++) {
        char *ddl = postgres_translate_ddl(list[i]);
        char setv[80];
        snprintf(setv, sizeof setv, "UPDATE beian_schema SET version = %d", i + 1);
        struct err me = {0};
        if (pg_exec_simple(c, "BEGIN", &me) != 0 || pg_exec_simple(c, ddl, &me) != 0 ||
            pg_exec_simple(c, setv, &me) != 0 || pg_exec_simple(c, "COMMIT", &me) != 0) {
            pg_exec_simple(c, "ROLLBACK", NULL);
            rc = err_set(e, ERR_INTERNAL, NULL, "migration %d failed: %s", "数据库迁移 %d 失败：%s", i + 1, me.detail_en);
            err_clear(&me);
        }
        free(ddl);
    }
    /* the deployment's keys (postgres_keys.c): PostgreSQL's own, outside SQLite's numbering */
    if (rc == 0) rc = pg_exec_simple(c, postgres_schema_keys(), e);
out:
    snprintf(sql, sizeof sql, "SELECT pg_advisory_unlock(%lld)", (long long)LOCK_MIGRATE);
    pg_exec_simple(c, sql, NULL);
    return rc;
}

int postgres_schema_version(const char *uri, int *version, int *latest, struct err *e)
{
    struct pg_conn *c;
    if (pg_conn_open(uri, &c, e) != 0) return -1;
    int rc = schema_version(c, version, e);
    pg_conn_close(c);
    migrations_list(latest);
    return rc;
}

/* ---------------------------------------------------------------- open */

static bool pg_leads(struct store *base, const char *job);

static const struct store_ops POSTGRES_OPS = {
    .engine = DB_POSTGRES,
    .close = pg_close,
    .write = pg_write,
    .reader = pg_reader,
    .reader_release = pg_reader_release,
    .run = pg_run,
    .query = pg_query,
    .each = pg_each,
    .last_insert_id = pg_last_insert_id,
    .changes = pg_changes,
    .blob_put = pg_blob_put,
    .blob_open = pg_blob_open,
    .blob_check = pg_blob_check,
    .leads = pg_leads,
    .key_get = pg_key_get,
    .key_put = pg_key_put,
    .key_remove = pg_key_remove,
    .key_names = pg_key_names,
    .keys_locked = pg_keys_locked,
};

int postgres_store_open(const char *data_dir, const char *uri, bool create, struct store **out, struct err *e)
{
    (void)data_dir;
    struct pg_store *s = calloc(1, sizeof *s);
    if (!s) return err_set(e, ERR_INTERNAL, NULL, "out of memory", "内存不足");
    s->base.ops = &POSTGRES_OPS;
    snprintf(s->uri, sizeof s->uri, "%s", uri);
    if (pg_conn_open(uri, &s->writer, e) != 0) { free(s); return -1; }
    if (migrate(s->writer, create, e) != 0) { pg_conn_close(s->writer); free(s); return -1; }
    pthread_mutex_init(&s->write_mu, NULL);
    pthread_cond_init(&s->group_done, NULL);
    pthread_mutex_init(&s->lead_mu, NULL);
    readers_init(&s->readers, reader_open, reader_close);
    *out = &s->base;
    return 0;
}

/* The lead of a job: a session advisory lock (key: "beian" and a hash of the job's name) on the
 * lead connection. A lock once taken is held while that connection lives; a reset connection has
 * lost its locks, so they are taken again. */
static bool pg_leads(struct store *base, const char *job)
{
    struct pg_store *s = store_of(base);
    uint32_t h = 2166136261u;   /* FNV-1a */
    for (const char *p = job; *p; p++) h = (h ^ (unsigned char)*p) * 16777619u;
    long long key = (0x6265LL << 32) | h;
    pthread_mutex_lock(&s->lead_mu);
    if (!s->lead) {
        struct err e = {0};
        if (pg_conn_open(s->uri, &s->lead, &e) != 0) err_clear(&e);
    } else if (PQstatus(s->lead->pg) != CONNECTION_OK) {
        PQreset(s->lead->pg);
        s->nheld = 0;
    }
    bool held = false;
    for (int i = 0; i < s->nheld; i++)
        if (s->held[i] == key) held = true;
    if (!held && s->lead && s->nheld < (int)(sizeof s->held / sizeof s->held[0])) {
        char sql[96];
        snprintf(sql, sizeof sql, "SELECT pg_try_advisory_lock(%lld)", key);
        PGresult *r = PQexec(s->lead->pg, sql);
        held = PQresultStatus(r) == PGRES_TUPLES_OK && PQgetvalue(r, 0, 0)[0] == 't';
        PQclear(r);
        if (held) s->held[s->nheld++] = key;
    }
    pthread_mutex_unlock(&s->lead_mu);
    return held;
}
