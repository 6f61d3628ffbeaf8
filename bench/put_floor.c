/* put_floor.c — the floor under beian's PUT figure (bench/run.sh): the least a server must do to
 * save a filing's document as the API promises, and nothing else. Per PUT:
 *   - receive it over HTTP: libmicrohttpd with beian's daemon settings (as mhd_floor.c);
 *   - authenticate the bearer token (its SHA-256 looked up, one query) and read the filing's owner,
 *     revision and document (one query) for the visibility check, If-Match and "nothing changed";
 *   - parse the body (core/json_read.c, jansson's tree, as beian) and check it with the pack — beian's own engine, after the filing's
 *     last trace (policy_check_traced: the form's shape and completeness, the rules whose reads
 *     changed), with the context beian gives a draft that attaches no material;
 *   - the canonical text of the document, the findings and the derived values (what is stored);
 *     a document whose text is the stored one is answered without a write, as the API promises;
 *   - on one writer thread, group-committed with one fsync (WAL, synchronous=FULL): the row
 *     updated where the revision is still the one read, and a hash-chained audit row;
 *   - answer 200 with the stored row: its id, revision and the three texts (beian's reply also
 *     has the row's other columns and the allowed actions: 15 KB against these 11 KB).
 * Not done here, done by beian: the records' checks (materials, organisation, jurisdiction,
 * provider), the old document's hash, the filing's view with its allowed actions, the reply's
 * ETag, the request log line, the derived columns. What beian spends above this is beian's.
 *
 *   put_floor PORT THREADS PACK_DIR DB TOKEN IDS   IDS: the filings' ids, comma-separated
 * The database is made afresh: the token's hash, and each filing with an empty document. */
#include "core/date.h"
#include "core/json_read.h"
#include "core/json_text.h"
#include "core/sha256.h"
#include "policy/pack.h"
#include "policy/rules.h"

#include <jansson.h>
#include <microhttpd.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum { MAX_BODY = 1 << 20, TRACE_SLOTS = 128 };

static const struct pack *pack;
static const char *db_path;
static json_t *ctx;   /* what beian gives a draft's check that attaches no material */

/* ---- the filings' last traces, as src/service/filing_traces.c keeps them ---- */
static struct { long long id; struct policy_trace *t; } traces[TRACE_SLOTS];
static pthread_mutex_t traces_mu = PTHREAD_MUTEX_INITIALIZER;

/* ---- the one writer and its queue ---- */
struct job {
    long long id, revision, user;
    char *text, *findings, *derived;
    size_t text_len, findings_len, derived_len;
    bool done, ok;
    pthread_cond_t cv;
    struct job *next;
};
static struct job *queue, *queue_tail;   /* in arrival order, as beian's writer takes them */
static pthread_mutex_t queue_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t queue_cv = PTHREAD_COND_INITIALIZER;

static sqlite3 *open_db(void)
{
    sqlite3 *db;
    if (sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
        fprintf(stderr, "put_floor: cannot open %s\n", db_path);
        exit(1);
    }
    sqlite3_busy_timeout(db, 10000);
    sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;", NULL, NULL, NULL);
    return db;
}

static sqlite3_stmt *prepare(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK) {
        fprintf(stderr, "put_floor: %s: %s\n", sql, sqlite3_errmsg(db));
        exit(1);
    }
    return st;
}

static void *writer_main(void *arg)
{
    (void)arg;
    sqlite3 *db = open_db();
    sqlite3_stmt *begin = prepare(db, "BEGIN IMMEDIATE"), *commit = prepare(db, "COMMIT");
    sqlite3_stmt *update = prepare(db, "UPDATE filings SET document = ?, findings = ?, derived = ?, "
                                       "revision = revision + 1 WHERE id = ? AND revision = ?");
    sqlite3_stmt *last = prepare(db, "SELECT hash FROM audit ORDER BY id DESC LIMIT 1");
    sqlite3_stmt *append = prepare(db, "INSERT INTO audit (detail, prev_hash, hash) VALUES (?, ?, ?)");
    for (;;) {
        pthread_mutex_lock(&queue_mu);
        while (!queue) pthread_cond_wait(&queue_cv, &queue_mu);
        struct job *group = queue;
        queue = queue_tail = NULL;
        pthread_mutex_unlock(&queue_mu);
        bool failed = sqlite3_step(begin) != SQLITE_DONE;   /* the group is one transaction or none */
        sqlite3_reset(begin);
        for (struct job *j = group; j && !failed; j = j->next) {
            sqlite3_bind_text(update, 1, j->text, (int)j->text_len, SQLITE_STATIC);
            sqlite3_bind_text(update, 2, j->findings, (int)j->findings_len, SQLITE_STATIC);
            sqlite3_bind_text(update, 3, j->derived, (int)j->derived_len, SQLITE_STATIC);
            sqlite3_bind_int64(update, 4, j->id);
            sqlite3_bind_int64(update, 5, j->revision);
            int rc = sqlite3_step(update);
            failed = rc != SQLITE_DONE;
            j->ok = !failed && sqlite3_changes(db) == 1;   /* no row: the revision moved on */
            sqlite3_reset(update);
            if (!j->ok) continue;
            char prev[65] = "", doc_hash[65], detail[256], hash[65];
            if (sqlite3_step(last) == SQLITE_ROW) snprintf(prev, sizeof prev, "%s", sqlite3_column_text(last, 0));
            sqlite3_reset(last);
            sha256_hex(j->text, j->text_len, doc_hash);
            int n = snprintf(detail, sizeof detail, "{\"action\":\"save_document\",\"by\":%lld,\"filing\":%lld,"
                             "\"revision\":%lld,\"sha256\":\"%s\"}", j->user, j->id, j->revision + 1, doc_hash);
            struct sha256 s;
            sha256_init(&s);
            sha256_update(&s, prev, strlen(prev));
            sha256_update(&s, detail, (size_t)n);
            sha256_final_hex(&s, hash);
            sqlite3_bind_text(append, 1, detail, n, SQLITE_STATIC);
            sqlite3_bind_text(append, 2, prev, -1, SQLITE_STATIC);
            sqlite3_bind_text(append, 3, hash, -1, SQLITE_STATIC);
            failed = sqlite3_step(append) != SQLITE_DONE;
            sqlite3_reset(append);
        }
        bool committed = !failed && sqlite3_step(commit) == SQLITE_DONE;
        sqlite3_reset(commit);
        if (!committed) sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);   /* every save of the group fails */
        pthread_mutex_lock(&queue_mu);
        for (struct job *j = group, *next; j; j = next) {
            next = j->next;
            j->ok = j->ok && committed;
            j->done = true;
            pthread_cond_signal(&j->cv);
        }
        pthread_mutex_unlock(&queue_mu);
    }
    return NULL;
}

/* ---- a request thread's reads ---- */
struct reader { sqlite3 *db; sqlite3_stmt *begin, *commit, *token, *filing; };
static __thread struct reader *reader;

static struct reader *reader_of_thread(void)
{
    if (!reader) {
        reader = calloc(1, sizeof *reader);
        reader->db = open_db();
        reader->begin = prepare(reader->db, "BEGIN");
        reader->commit = prepare(reader->db, "COMMIT");
        reader->token = prepare(reader->db, "SELECT user_id, org_id FROM tokens WHERE hash = ? AND expires > ?");
        reader->filing = prepare(reader->db, "SELECT org_id, revision, document FROM filings WHERE id = ?");
    }
    return reader;
}

struct body { char *p; size_t len; bool too_big; };

static enum MHD_Result answer(struct MHD_Connection *conn, unsigned status, char *text, size_t len)
{
    struct MHD_Response *res = MHD_create_response_from_buffer(len, text, MHD_RESPMEM_MUST_FREE);
    if (!res) return MHD_NO;
    MHD_add_response_header(res, "Content-Type", "application/json");
    enum MHD_Result rc = MHD_queue_response(conn, status, res);
    MHD_destroy_response(res);
    return rc;
}

static enum MHD_Result refuse(struct MHD_Connection *conn, unsigned status)
{
    return answer(conn, status, strdup("{}"), 2);
}

static enum MHD_Result save(struct MHD_Connection *conn, const char *url, struct body *b)
{
    struct reader *r = reader_of_thread();
    const char *auth = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Authorization");
    long long id = 0;
    if (!auth || strncmp(auth, "Bearer ", 7) != 0) return refuse(conn, 401);
    if (sscanf(url, "/api/v1/filings/%lld/document", &id) != 1 || id <= 0) return refuse(conn, 404);
    char token_hash[65];
    sha256_hex(auth + 7, strlen(auth + 7), token_hash);
    sqlite3_step(r->begin);   /* one snapshot for both reads, as beian */
    sqlite3_reset(r->begin);
    sqlite3_bind_text(r->token, 1, token_hash, 64, SQLITE_STATIC);
    sqlite3_bind_int64(r->token, 2, (long long)time(NULL));
    long long user = -1, org = -1, owner = -2, revision = 0;
    char *old_text = NULL;
    if (sqlite3_step(r->token) == SQLITE_ROW) {
        user = sqlite3_column_int64(r->token, 0);
        org = sqlite3_column_int64(r->token, 1);
    }
    sqlite3_reset(r->token);
    sqlite3_bind_int64(r->filing, 1, id);
    if (sqlite3_step(r->filing) == SQLITE_ROW) {
        owner = sqlite3_column_int64(r->filing, 0);
        revision = sqlite3_column_int64(r->filing, 1);
        const char *t = (const char *)sqlite3_column_text(r->filing, 2);
        old_text = strdup(t ? t : "");
    }
    sqlite3_reset(r->filing);
    sqlite3_step(r->commit);
    sqlite3_reset(r->commit);
    const char *if_match = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "If-Match");
    char want[32];
    snprintf(want, sizeof want, "\"%lld\"", revision);
    unsigned refused = user < 0 ? 401 : owner != org ? 404 : !if_match ? 428
                     : strcmp(if_match, "*") != 0 && strcmp(if_match, want) != 0 ? 412 : 0;
    json_t *doc = refused ? NULL : json_read(b->p, b->len, 0, NULL);
    if (!refused && !json_is_object(doc)) refused = 422;
    if (refused) {
        free(old_text);
        json_decref(doc);
        return refuse(conn, refused);
    }
    /* the stored text first: a document that is the stored one is not checked or written again */
    struct job j = {.id = id, .revision = revision, .user = user};
    j.text = json_canonical(doc, &j.text_len);
    bool unchanged = j.text && old_text && strcmp(j.text, old_text) == 0;
    free(old_text);
    if (!j.text || unchanged) {
        free(j.text);
        json_decref(doc);
        return refuse(conn, unchanged ? 200 : 500);
    }
    size_t slot = (unsigned long long)id % TRACE_SLOTS;
    struct policy_trace *prev = NULL, *next = NULL;
    pthread_mutex_lock(&traces_mu);
    if (traces[slot].id == id) {
        prev = traces[slot].t;
        traces[slot].t = NULL;
    }
    pthread_mutex_unlock(&traces_mu);
    json_t *findings = NULL, *derived = NULL;
    struct err e = {0};
    day_t today = date_from_unix(time(NULL));
    int rc = policy_check_traced(pack, doc, today, ctx, prev, &next, &findings, &derived, &e);
    policy_trace_free(prev);
    json_decref(doc);   /* the trace keeps it */
    if (next) {
        pthread_mutex_lock(&traces_mu);
        struct policy_trace *old = traces[slot].t;
        traces[slot].id = id;
        traces[slot].t = next;
        pthread_mutex_unlock(&traces_mu);
        policy_trace_free(old);
    }
    if (rc == 0) {
        j.findings = json_canonical(findings, &j.findings_len);
        j.derived = json_canonical(derived, &j.derived_len);
    }
    json_decref(findings);
    json_decref(derived);
    if (!j.findings || !j.derived) {   /* the engine could not run, or out of memory */
        free(j.text);
        free(j.findings);
        free(j.derived);
        return refuse(conn, 500);
    }
    pthread_cond_init(&j.cv, NULL);
    /* a save that named no version is redone on the newer one, as beian does (only the write) */
    for (int attempt = 0; attempt < 5; attempt++) {
        if (attempt) {
            sqlite3_bind_int64(r->filing, 1, id);
            if (sqlite3_step(r->filing) == SQLITE_ROW) j.revision = sqlite3_column_int64(r->filing, 1);
            sqlite3_reset(r->filing);
        }
        pthread_mutex_lock(&queue_mu);
        j.done = false;
        j.next = NULL;
        if (queue_tail) queue_tail->next = &j;
        else queue = &j;
        queue_tail = &j;
        pthread_cond_signal(&queue_cv);
        while (!j.done) pthread_cond_wait(&j.cv, &queue_mu);
        pthread_mutex_unlock(&queue_mu);
        if (j.ok || strcmp(if_match, "*") != 0) break;
    }
    pthread_cond_destroy(&j.cv);
    char *reply = NULL;
    size_t reply_len = 0;
    if (j.ok && (reply = malloc(j.text_len + j.findings_len + j.derived_len + 128))) {
        reply_len = (size_t)sprintf(reply, "{\"id\":%lld,\"revision\":%lld,\"document\":%s,\"findings\":%s,\"derived\":%s}",
                                    id, j.revision + 1, j.text, j.findings, j.derived);
    }
    free(j.text);
    free(j.findings);
    free(j.derived);
    return reply ? answer(conn, 200, reply, reply_len) : refuse(conn, 409);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                                  const char *version, const char *upload_data, size_t *upload_data_size,
                                  void **con_cls)
{
    (void)cls; (void)version;
    struct body *b = *con_cls;
    if (!b) {
        *con_cls = calloc(1, sizeof *b);
        return *con_cls ? MHD_YES : MHD_NO;
    }
    if (*upload_data_size) {
        if (b->len + *upload_data_size > MAX_BODY) b->too_big = true;
        else {
            char *p = realloc(b->p, b->len + *upload_data_size);
            if (!p) return MHD_NO;
            memcpy(p + b->len, upload_data, *upload_data_size);
            b->p = p;
            b->len += *upload_data_size;
        }
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (strcmp(method, "PUT") != 0) return refuse(conn, 405);
    if (b->too_big) return refuse(conn, 413);
    return save(conn, url, b);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls, enum MHD_RequestTerminationCode t)
{
    (void)cls; (void)conn; (void)t;
    struct body *b = *con_cls;
    if (b) free(b->p);
    free(b);
    *con_cls = NULL;
}

static void setup_db(const char *token, char *ids)
{
    unlink(db_path);
    sqlite3 *db = open_db();
    char token_hash[65], sql[512];
    sha256_hex(token, strlen(token), token_hash);
    snprintf(sql, sizeof sql,
             "CREATE TABLE tokens (hash TEXT PRIMARY KEY, user_id INTEGER NOT NULL, org_id INTEGER NOT NULL, expires INTEGER NOT NULL);"
             "CREATE TABLE filings (id INTEGER PRIMARY KEY, org_id INTEGER NOT NULL, revision INTEGER NOT NULL, document TEXT, findings TEXT, derived TEXT);"
             "CREATE TABLE audit (id INTEGER PRIMARY KEY, detail TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL);"
             "INSERT INTO tokens VALUES ('%s', 1, 2, %lld);", token_hash, (long long)time(NULL) + 86400);
    if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK) {
        fprintf(stderr, "put_floor: %s\n", sqlite3_errmsg(db));
        exit(1);
    }
    for (char *id = strtok(ids, ","); id; id = strtok(NULL, ",")) {
        snprintf(sql, sizeof sql, "INSERT INTO filings VALUES (%lld, 2, 1, '{}', '[]', '{}')", atoll(id));
        sqlite3_exec(db, sql, NULL, NULL, NULL);
    }
    sqlite3_close(db);
}

int main(int argc, char **argv)
{
    if (argc != 7) {
        fprintf(stderr, "usage: %s PORT THREADS PACK_DIR DB TOKEN IDS\n", argv[0]);
        return 2;
    }
    struct err e = {0};
    struct pack *p;
    if (pack_load(argv[3], &p, &e) != 0) {
        fprintf(stderr, "put_floor: %s\n", e.detail_en);
        return 1;
    }
    pack = p;
    db_path = argv[4];
    setup_db(argv[5], argv[6]);
    ctx = json_pack("{s:s s:{} s:[]}", "filing_kind", "initial", "materials", "overrides");
    pthread_t w;
    pthread_create(&w, NULL, writer_main, NULL);
    unsigned threads = (unsigned)atoi(argv[2]);
    struct MHD_Daemon *d = MHD_start_daemon(
        MHD_USE_AUTO | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG, (uint16_t)atoi(argv[1]), NULL, NULL,
        on_request, NULL, threads > 1 ? MHD_OPTION_THREAD_POOL_SIZE : MHD_OPTION_CONNECTION_TIMEOUT,
        threads > 1 ? threads : 10u, MHD_OPTION_CONNECTION_TIMEOUT, 10u, MHD_OPTION_CONNECTION_LIMIT, 1000u,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024), MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
        MHD_OPTION_END);
    if (!d) {
        fprintf(stderr, "put_floor: cannot listen on port %s\n", argv[1]);
        return 1;
    }
    for (;;) pause();
}
