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
 * With --contract BEIAN_DB the floor does, besides, everything else the API promises of a save
 * (docs/api.md), each the plainest way and none through beian's service or store code, on a copy
 * of beian's own database (its tables, indexes and triggers), taken with SQLite's backup API:
 *   - the token resolved to its user, organisation and roles (one query, as beian's first);
 *   - the body refused when a key repeats;
 *   - the records' check: the materials the document names, the organisation's and system's
 *     names, the provider named and its qualifications, the accepted overrides — read on the
 *     first save of a filing and kept while the records' generation (record_generation, one
 *     query a save) and the document's references stay as they were, as beian keeps them;
 *     the materials and overrides go to the pack's check as its context;
 *   - the row's list columns written (region, level, type, provider, names, editor, time);
 *   - the audit entry with the old and the new document's SHA-256, in beian's audit table;
 *   - the reply: every column of the row, the allowed actions from core/workflow.c's table with
 *     their guards (the system's other live filings: one query), the ETag with the reply's
 *     BLAKE2b, beian's response headers; and the request's log line.
 *
 *   put_floor PORT THREADS PACK_DIR DB TOKEN IDS [--contract BEIAN_DB]
 * IDS: the filings' ids, comma-separated. The database is made afresh: without --contract the
 * token's hash and each filing with an empty document; with it, a copy of BEIAN_DB. */
#include "core/calendar.h"
#include "core/date.h"
#include "core/json_read.h"
#include "core/json_text.h"
#include "core/sha256.h"
#include "core/workflow.h"
#include "core/json_out.h"
#include "policy/pack.h"
#include "policy/rules.h"
#include "policy/schema.h"

#include <jansson.h>
#include <microhttpd.h>
#include <pthread.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench_headers.h"

enum { MAX_BODY = 1 << 20, TRACE_SLOTS = 128 };

static const struct pack *pack;
static const char *db_path;
static json_t *ctx;   /* what beian gives a draft's check that attaches no material */
static bool contract; /* --contract: the API's whole promise, on beian's database (above) */

/* ---- the filings' last traces, as src/service/filing_traces.c keeps them ---- */
static struct { long long id; struct policy_trace *t; } traces[TRACE_SLOTS];
static pthread_mutex_t traces_mu = PTHREAD_MUTEX_INITIALIZER;

/* ---- the one writer and its queue ---- */
struct job {
    long long id, revision, user;
    char *text, *findings, *derived;
    size_t text_len, findings_len, derived_len;
    struct written *columns;   /* --contract: the row's list columns and the audit's hashes */
    bool done, ok;
    pthread_cond_t cv;
    struct job *next;
};
/* --contract: what a save writes besides the texts (NULL text: SQL NULL; level, provider and
 * evaluation: 0 for NULL) */
struct written {
    long long org, level, provider, evaluation;
    const char *subject_name, *system_name, *region, *type, *pack;
    char at[32], before[65], after[65];
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

static void bind_text_or_null(sqlite3_stmt *st, int i, const char *text)
{
    if (text) sqlite3_bind_text(st, i, text, -1, SQLITE_STATIC);
    else sqlite3_bind_null(st, i);
}

static void bind_id_or_null(sqlite3_stmt *st, int i, long long id)
{
    if (id) sqlite3_bind_int64(st, i, id);
    else sqlite3_bind_null(st, i);
}

/* --contract: the save's UPDATE of every column it writes (its texts are bound already) */
static void bind_written(sqlite3_stmt *st, const struct job *j)
{
    const struct written *w = j->columns;
    sqlite3_bind_int64(st, 4, j->user);
    bind_text_or_null(st, 5, w->subject_name);
    bind_text_or_null(st, 6, w->system_name);
    bind_text_or_null(st, 7, w->region);
    bind_id_or_null(st, 8, w->level);
    bind_id_or_null(st, 9, w->provider);
    bind_id_or_null(st, 10, w->provider);
    bind_text_or_null(st, 11, w->type);
    bind_text_or_null(st, 12, w->pack);
    sqlite3_bind_text(st, 13, w->at, -1, SQLITE_STATIC);
    bind_id_or_null(st, 14, w->evaluation);
    sqlite3_bind_int64(st, 15, j->id);
    sqlite3_bind_int64(st, 16, j->revision);
}

static void *writer_main(void *arg)
{
    (void)arg;
    sqlite3 *db = open_db();
    sqlite3_stmt *begin = prepare(db, "BEGIN IMMEDIATE"), *commit = prepare(db, "COMMIT");
    sqlite3_stmt *last = prepare(db, "SELECT hash FROM audit ORDER BY id DESC LIMIT 1");
    sqlite3_stmt *append = prepare(db, contract ? "INSERT INTO audit (detail, prev_hash, hash, at, actor_user_id, "
                                                  "actor_org_id, action, object_type, object_id, filing_id, org_id, "
                                                  "before_sha, after_sha) VALUES (?, ?, ?, ?, ?, ?, 'filing.document', "
                                                  "'filing', ?, ?, ?, ?, ?)"
                                                : "INSERT INTO audit (detail, prev_hash, hash) VALUES (?, ?, ?)");
    sqlite3_stmt *update = prepare(db, contract
        ? "UPDATE filings SET document = ?, findings = ?, derived = ?, revision = revision + 1, last_editor_id = ?, "
          "subject_name = ?, system_name = ?, region = ?, level = ?, provider_org_id = ?, "
          "provider_visible = CASE WHEN provider_org_id IS ? THEN provider_visible ELSE 0 END, type = ?, pack = ?, "
          "updated_at = ?, provider_evaluation_id = ? WHERE id = ? AND revision = ? AND state IN ('draft', 'rectification')"
        : "UPDATE filings SET document = ?, findings = ?, derived = ?, revision = revision + 1 WHERE id = ? AND revision = ?");
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
            if (contract) bind_written(update, j);
            else {
                sqlite3_bind_int64(update, 4, j->id);
                sqlite3_bind_int64(update, 5, j->revision);
            }
            int rc = sqlite3_step(update);
            failed = rc != SQLITE_DONE;
            j->ok = !failed && sqlite3_changes(db) == 1;   /* no row: the revision moved on */
            sqlite3_reset(update);
            if (!j->ok) continue;
            char prev[65] = "", doc_hash[65], detail[256], hash[65];
            if (sqlite3_step(last) == SQLITE_ROW) snprintf(prev, sizeof prev, "%s", sqlite3_column_text(last, 0));
            sqlite3_reset(last);
            if (contract) snprintf(doc_hash, sizeof doc_hash, "%s", j->columns->after);
            else sha256_hex(j->text, j->text_len, doc_hash);
            int n = contract ? snprintf(detail, sizeof detail, "{\"at\":\"%s\",\"by\":%lld,\"org\":%lld,\"filing\":%lld,"
                                        "\"before\":\"%s\",\"after\":\"%s\"}", j->columns->at, j->user,
                                        j->columns->org, j->id, j->columns->before, doc_hash)
                             : snprintf(detail, sizeof detail, "{\"action\":\"save_document\",\"by\":%lld,\"filing\":%lld,"
                                        "\"revision\":%lld,\"sha256\":\"%s\"}", j->user, j->id, j->revision + 1, doc_hash);
            struct sha256 s;
            sha256_init(&s);
            sha256_update(&s, prev, strlen(prev));
            sha256_update(&s, detail, (size_t)n);
            sha256_final_hex(&s, hash);
            sqlite3_bind_text(append, 1, detail, n, SQLITE_STATIC);
            sqlite3_bind_text(append, 2, prev, -1, SQLITE_STATIC);
            sqlite3_bind_text(append, 3, hash, -1, SQLITE_STATIC);
            if (contract) {
                sqlite3_bind_text(append, 4, j->columns->at, -1, SQLITE_STATIC);
                sqlite3_bind_int64(append, 5, j->user);
                sqlite3_bind_int64(append, 6, j->columns->org);
                sqlite3_bind_int64(append, 7, j->id);
                sqlite3_bind_int64(append, 8, j->id);
                sqlite3_bind_int64(append, 9, j->columns->org);
                sqlite3_bind_text(append, 10, j->columns->before, -1, SQLITE_STATIC);
                sqlite3_bind_text(append, 11, doc_hash, -1, SQLITE_STATIC);
            }
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
/* --contract: the row's columns as beian's reply has them (the document read after them) */
#define ROW_COLUMNS                                                                                \
    "id, system_id, org_id, kind, parent_id, state, check_from, provider_org_id, authority_org_id, " \
    "reviewer_id, last_editor_id, region, level, type, subject_name, system_name, revision, "       \
    "current_version, record_version, number, pack, submitted_at, due_at, paused_remaining, "       \
    "filed_at, decided_at, version_date, provider_visible, authority_visible, created_at, "         \
    "updated_at, provider_evaluation_id, standing_checked_on"
enum { N_ROW_COLUMNS = 33 };
struct reader {
    sqlite3 *db;
    sqlite3_stmt *begin, *commit, *token, *filing;
    int revision_column;   /* of the filing's query */
    /* --contract */
    sqlite3_stmt *generation, *materials, *org, *system, *provider, *profile, *evaluation, *latest_evaluation, *overrides,
        *system_live;
};
static __thread struct reader *reader;

static struct reader *reader_of_thread(void)
{
    if (!reader) {
        reader = calloc(1, sizeof *reader);
        reader->db = open_db();
        reader->begin = prepare(reader->db, "BEGIN");
        reader->commit = prepare(reader->db, "COMMIT");
        if (!contract) {
            reader->token = prepare(reader->db, "SELECT user_id, org_id FROM tokens WHERE hash = ? AND expires > ?");
            reader->filing = prepare(reader->db, "SELECT org_id, revision, document FROM filings WHERE id = ?");
            reader->revision_column = 1;
            return reader;
        }
        reader->token = prepare(reader->db, "SELECT t.user_id, u.org_id, u.roles, o.kind FROM tokens t JOIN users u ON "
                                            "u.id = t.user_id JOIN orgs o ON o.id = u.org_id WHERE t.hash = ? AND "
                                            "t.expires_at > ? AND t.revoked = 0 AND u.disabled = 0");
        reader->filing = prepare(reader->db, "SELECT " ROW_COLUMNS ", document FROM filings WHERE id = ?");
        reader->revision_column = 16;
        reader->generation = prepare(reader->db, "SELECT n FROM record_generation");
        reader->materials = prepare(reader->db, "SELECT id, kind FROM materials WHERE org_id = ? AND id IN "
                                                "(SELECT value FROM json_each(?))");
        reader->org = prepare(reader->db, "SELECT * FROM orgs WHERE id = ?");
        reader->system = prepare(reader->db, "SELECT name FROM systems WHERE id = ?");
        reader->provider = prepare(reader->db, "SELECT kind FROM orgs WHERE id = ?");
        reader->profile = prepare(reader->db, "SELECT profile FROM provider_profiles WHERE org_id = ?");
        reader->evaluation = prepare(reader->db, "SELECT evaluated_on FROM provider_evaluations WHERE id = ? AND "
                                                 "provider_org_id = ? AND org_id = ?");
        reader->latest_evaluation = prepare(reader->db, "SELECT max(evaluated_on) FROM provider_evaluations WHERE "
                                                        "provider_org_id = ? AND org_id = ?");
        reader->overrides = prepare(reader->db, "SELECT rule FROM overrides WHERE filing_id = ? AND state = 'accepted' "
                                                "ORDER BY id");
        reader->system_live = prepare(reader->db, "SELECT id FROM filings WHERE system_id = ? AND kind = 'initial' AND "
                                                  "state NOT IN ('draft','rejected','withdrawn','cancelled','revoked') "
                                                  "AND id <> ? LIMIT 1");
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

/* One snapshot for the request's reads, as beian; the token's query bound (its hash in hash) */
static void begin_reads(struct reader *r, const char *token, char hash[65])
{
    sha256_hex(token, strlen(token), hash);
    sqlite3_step(r->begin);
    sqlite3_reset(r->begin);
    sqlite3_bind_text(r->token, 1, hash, 64, SQLITE_STATIC);
    sqlite3_bind_int64(r->token, 2, (long long)time(NULL));
}

/* The pack's check after the filing's last trace, kept as beian keeps it (filing_traces.c). doc is
 * handed to the trace. */
static int check_after_trace(long long id, json_t *doc, const json_t *context, json_t **findings, json_t **derived)
{
    size_t slot = (unsigned long long)id % TRACE_SLOTS;
    struct policy_trace *prev = NULL, *next = NULL;
    pthread_mutex_lock(&traces_mu);
    if (traces[slot].id == id) {
        prev = traces[slot].t;
        traces[slot].t = NULL;
    }
    pthread_mutex_unlock(&traces_mu);
    struct err e = {0};
    day_t today = date_from_unix(time(NULL));
    int rc = policy_check_traced(pack, doc, today, context, prev, &next, findings, derived, &e);
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
    return rc;
}

/* The job to the writer and back; a save that named no version is redone on the newer one, as
 * beian does (only the write). */
static void submit(struct reader *r, struct job *j, const char *if_match)
{
    pthread_cond_init(&j->cv, NULL);
    for (int attempt = 0; attempt < 5; attempt++) {
        if (attempt) {
            sqlite3_bind_int64(r->filing, 1, j->id);
            if (sqlite3_step(r->filing) == SQLITE_ROW) j->revision = sqlite3_column_int64(r->filing, r->revision_column);
            sqlite3_reset(r->filing);
        }
        pthread_mutex_lock(&queue_mu);
        j->done = false;
        j->next = NULL;
        if (queue_tail) queue_tail->next = j;
        else queue = j;
        queue_tail = j;
        pthread_cond_signal(&queue_cv);
        while (!j->done) pthread_cond_wait(&j->cv, &queue_mu);
        pthread_mutex_unlock(&queue_mu);
        if (j->ok || strcmp(if_match, "*") != 0) break;
    }
    pthread_cond_destroy(&j->cv);
}

static enum MHD_Result save(struct MHD_Connection *conn, const char *url, struct body *b)
{
    struct reader *r = reader_of_thread();
    const char *auth = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Authorization");
    long long id = 0;
    if (!auth || strncmp(auth, "Bearer ", 7) != 0) return refuse(conn, 401);
    if (sscanf(url, "/api/v1/filings/%lld/document", &id) != 1 || id <= 0) return refuse(conn, 404);
    char token_hash[65];
    begin_reads(r, auth + 7, token_hash);
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
    json_t *findings = NULL, *derived = NULL;
    int rc = check_after_trace(id, doc, ctx, &findings, &derived);
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
    submit(r, &j, if_match);
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

/* ======== --contract: the rest of what the API promises of a save, each the plainest way ======== */

static void out_str(struct json_out *o, const char *s) { json_out_raw(o, s, strlen(s)); }

/* What the records say about a filing: read on its first save, kept while the records'
 * generation and the document's references (inputs) stay as they were. */
struct records {
    long long id, generation;
    char *inputs;
    json_t *materials, *overrides, *facts;   /* the check's context members; the records' findings */
    char *subject_name, *system_name;
};
static struct records *records_kept[TRACE_SLOTS];
static pthread_mutex_t records_mu = PTHREAD_MUTEX_INITIALIZER;

static void records_free(struct records *rec)
{
    if (!rec) return;
    free(rec->inputs);
    json_decref(rec->materials);
    json_decref(rec->overrides);
    json_decref(rec->facts);
    free(rec->subject_name);
    free(rec->system_name);
    free(rec);
}

static const json_t *at_path(const json_t *doc, const char *a, const char *b)
{
    return json_object_get(json_object_get(doc, a), b);
}

/* the value at a JSON pointer of plain segments (the record fields' paths), or NULL */
static const json_t *pointer_get(const json_t *doc, const char *path)
{
    char segment[128];
    while (doc && *path == '/') {
        size_t n = strcspn(path + 1, "/");
        if (n >= sizeof segment) return NULL;
        memcpy(segment, path + 1, n);
        segment[n] = '\0';
        doc = json_is_array(doc) ? json_array_get(doc, strtoul(segment, NULL, 10)) : json_object_get(doc, segment);
        path += 1 + n;
    }
    return doc;
}

/* the document's references, one text: compared with the kept one */
struct refs { struct json_out ids, all; };

static void collect_ref(const char *path, const json_t *def, const json_t *value, void *arg)
{
    (void)def;
    struct refs *r = arg;
    if (!json_is_integer(value) || json_integer_value(value) < 1) return;
    char one[48];
    int n = snprintf(one, sizeof one, "%s%lld", r->ids.len > 1 ? "," : "", (long long)json_integer_value(value));
    json_out_raw(&r->ids, one, (size_t)n);
    json_out_raw(&r->all, path, strlen(path));
    json_out_raw(&r->all, one, (size_t)n);
}

static void step_text(sqlite3_stmt *st, int col, char **out)
{
    const char *t = (const char *)sqlite3_column_text(st, col);
    *out = t ? strdup(t) : NULL;
}

/* The records' findings and context for a filing of org in system whose document is doc. */
static struct records *records_read(struct reader *r, long long id, long long org, long long system, const json_t *doc,
                                    const char *ids_json)
{
    struct records *rec = calloc(1, sizeof *rec);
    if (!rec) return NULL;
    rec->id = id;
    rec->materials = json_object();
    rec->overrides = json_array();
    rec->facts = json_array();
    /* the materials named: the organisation's own go to the check, others are findings */
    json_t *kinds = json_object();
    sqlite3_bind_int64(r->materials, 1, org);
    sqlite3_bind_text(r->materials, 2, ids_json, -1, SQLITE_STATIC);
    while (sqlite3_step(r->materials) == SQLITE_ROW) {
        char key[24];
        snprintf(key, sizeof key, "%lld", (long long)sqlite3_column_int64(r->materials, 0));
        json_object_set_new(kinds, key, json_string((const char *)sqlite3_column_text(r->materials, 1)));
    }
    sqlite3_reset(r->materials);
    const char *p = ids_json + 1;
    while (*p && *p != ']') {
        char *end;
        long long mid = strtoll(p, &end, 10);
        char key[24];
        snprintf(key, sizeof key, "%lld", mid);
        const char *kind = json_string_value(json_object_get(kinds, key));
        if (!kind) {
            finding_add(rec->facts, "RECORD-MATERIAL", "error", "", "本单位没有该材料", "no such material of yours", "records");
        } else {
            json_t *list = json_object_get(rec->materials, kind);
            if (!list) json_object_set_new(rec->materials, kind, list = json_array());
            bool there = false;
            for (size_t i = 0; i < json_array_size(list); i++) there |= json_integer_value(json_array_get(list, i)) == mid;
            if (!there) json_array_append_new(list, json_integer(mid));
        }
        p = *end == ',' ? end + 1 : end;
    }
    json_decref(kinds);
    /* the subject's fields against the organisation's record */
    size_t n_fields;
    const struct schema_record_field *fields = schema_record_fields(pack->form, &n_fields);
    sqlite3_bind_int64(r->org, 1, org);
    if (sqlite3_step(r->org) == SQLITE_ROW) {
        for (int c = 0; c < sqlite3_column_count(r->org); c++) {
            const char *name = sqlite3_column_name(r->org, c);
            if (strcmp(name, "name") == 0) step_text(r->org, c, &rec->subject_name);
            for (size_t f = 0; f < n_fields; f++) {
                if (strcmp(fields[f].member, name) != 0) continue;
                const char *want = (const char *)sqlite3_column_text(r->org, c);
                const json_t *v = pointer_get(doc, fields[f].path);
                if (json_is_string(v) && want && strcmp(json_string_value(v), want) != 0)
                    finding_add(rec->facts, "RECORD-SUBJECT", "error", fields[f].path, "与登记信息不符",
                                "differs from the register", "records");
            }
        }
    }
    sqlite3_reset(r->org);
    sqlite3_bind_int64(r->system, 1, system);
    if (sqlite3_step(r->system) == SQLITE_ROW) step_text(r->system, 0, &rec->system_name);
    sqlite3_reset(r->system);
    /* the provider named, and its qualifications' standing */
    long long provider = json_integer_value(at_path(doc, "provider", "provider_org"));
    if (provider > 0) {
        sqlite3_bind_int64(r->provider, 1, provider);
        bool is_provider = sqlite3_step(r->provider) == SQLITE_ROW &&
                           strcmp((const char *)sqlite3_column_text(r->provider, 0), "provider") == 0;
        sqlite3_reset(r->provider);
        if (!is_provider)
            finding_add(rec->facts, "RECORD-PROVIDER", "error", "/provider/provider_org", "不是云服务商", "not a provider",
                        "records");
        sqlite3_bind_int64(r->profile, 1, provider);
        if (sqlite3_step(r->profile) == SQLITE_ROW) {
            const char *text = (const char *)sqlite3_column_text(r->profile, 0);
            json_t *profile = text ? json_read(text, strlen(text), 0, NULL) : NULL;
            json_t *q;
            size_t i;
            day_t today = date_from_unix(time(NULL)), until;
            int warn = (int)json_integer_value(json_object_get(pack->providers, "qualification_warning_days"));
            json_array_foreach(json_object_get(profile, "qualifications"), i, q) {
                const char *valid = json_string_value(json_object_get(q, "valid_until"));
                if (!valid || date_parse(valid, &until) != 0) continue;
                if (until < today)
                    finding_add(rec->facts, "PROVIDER-QUALIFICATION-EXPIRED", "error", "/provider/provider_org",
                                "资质已过期", "qualification expired", "records");
                else if (until - today <= warn)
                    finding_add(rec->facts, "PROVIDER-QUALIFICATION-EXPIRING", "warning", "/provider/provider_org",
                                "资质将到期", "qualification expiring", "records");
            }
            json_decref(profile);
        }
        sqlite3_reset(r->profile);
        /* the enterprise's evaluation of its provider: the one attached, else its latest */
        long long evaluation = json_integer_value(at_path(doc, "provider", "evaluation"));
        int max_age = (int)json_integer_value(json_object_get(pack->providers, "evaluation_max_age_days"));
        sqlite3_stmt *ev = evaluation > 0 ? r->evaluation : r->latest_evaluation;
        int k = 1;
        if (evaluation > 0) sqlite3_bind_int64(ev, k++, evaluation);
        sqlite3_bind_int64(ev, k++, provider);
        sqlite3_bind_int64(ev, k, org);
        const char *on = sqlite3_step(ev) == SQLITE_ROW ? (const char *)sqlite3_column_text(ev, 0) : NULL;
        day_t when, today = date_from_unix(time(NULL));
        bool recent = on && date_parse(on, &when) == 0 && today - when <= max_age;
        sqlite3_reset(ev);
        if (evaluation > 0 && !on)
            finding_add(rec->facts, "PROVIDER-EVALUATION-UNKNOWN", "error", "/provider/evaluation", "没有该评估",
                        "no such evaluation", "records");
        else if (max_age > 0 && !recent)
            finding_add(rec->facts, "PROVIDER-EVALUATION-MISSING", "warning", "/provider/provider_org",
                        "近期未评估所选云服务商", "the provider was not evaluated lately", "records");
    }
    /* the overrides the reviewer accepted */
    sqlite3_bind_int64(r->overrides, 1, id);
    while (sqlite3_step(r->overrides) == SQLITE_ROW)
        json_array_append_new(rec->overrides, json_string((const char *)sqlite3_column_text(r->overrides, 0)));
    sqlite3_reset(r->overrides);
    return rec;
}

/* The records of filing id for doc: the kept ones while nothing they came from moved, else read
 * again (and kept). Returned owned by the caller: it gives it back with records_keep. */
static struct records *records_for(struct reader *r, long long id, long long org, long long system, const json_t *doc)
{
    struct refs refs;
    json_out_init(&refs.ids, 256);
    json_out_init(&refs.all, 1024);
    json_out_raw(&refs.ids, "[", 1);
    schema_each_material(pack->form, doc, collect_ref, &refs);
    json_out_raw(&refs.ids, "]", 1);
    char head[160];
    int n = snprintf(head, sizeof head, "|%lld|%lld|%lld|%lld|", org, system,
                     (long long)json_integer_value(at_path(doc, "provider", "provider_org")),
                     (long long)json_integer_value(at_path(doc, "provider", "evaluation")));
    json_out_raw(&refs.all, head, (size_t)n);
    size_t n_fields;
    const struct schema_record_field *fields = schema_record_fields(pack->form, &n_fields);
    for (size_t f = 0; f < n_fields; f++) {
        const char *v = json_string_value(pointer_get(doc, fields[f].path));
        json_out_raw(&refs.all, v ? v : "", v ? strlen(v) : 0);
        json_out_raw(&refs.all, "|", 1);
    }
    long long generation = -1;
    if (sqlite3_step(r->generation) == SQLITE_ROW) generation = sqlite3_column_int64(r->generation, 0);
    sqlite3_reset(r->generation);
    size_t slot = (unsigned long long)id % TRACE_SLOTS;
    pthread_mutex_lock(&records_mu);
    struct records *rec = records_kept[slot];
    if (rec && rec->id == id && rec->generation == generation && refs.all.buf && strcmp(rec->inputs, refs.all.buf) == 0)
        records_kept[slot] = NULL;
    else
        rec = NULL;
    pthread_mutex_unlock(&records_mu);
    if (!rec && (rec = records_read(r, id, org, system, doc, refs.ids.buf ? refs.ids.buf : "[]"))) {
        rec->generation = generation;
        size_t len;
        rec->inputs = json_out_take(&refs.all, &len);
    }
    free(refs.ids.buf);
    free(refs.all.buf);
    return rec;
}

static void records_keep(struct records *rec)
{
    if (!rec) return;
    size_t slot = (unsigned long long)rec->id % TRACE_SLOTS;
    pthread_mutex_lock(&records_mu);
    struct records *old = records_kept[slot];
    records_kept[slot] = rec;
    pthread_mutex_unlock(&records_mu);
    if (old != rec) records_free(old);
}

/* The row as read: each column's value (text copied) */
struct row {
    int type[N_ROW_COLUMNS];
    long long i[N_ROW_COLUMNS];
    char *t[N_ROW_COLUMNS];
    const char *name[N_ROW_COLUMNS];
};

static void row_read(sqlite3_stmt *st, struct row *row)
{
    for (int c = 0; c < N_ROW_COLUMNS; c++) {
        row->name[c] = sqlite3_column_name(st, c);
        row->type[c] = sqlite3_column_type(st, c);
        row->t[c] = NULL;
        if (row->type[c] == SQLITE_INTEGER) row->i[c] = sqlite3_column_int64(st, c);
        else if (row->type[c] != SQLITE_NULL) step_text(st, c, &row->t[c]);
    }
}

static void row_free(struct row *row)
{
    for (int c = 0; c < N_ROW_COLUMNS; c++) free(row->t[c]);
}

static int row_column(const struct row *row, const char *name)
{
    for (int c = 0; c < N_ROW_COLUMNS; c++)
        if (strcmp(row->name[c], name) == 0) return c;
    return -1;
}

static void row_set_int(struct row *row, const char *name, long long v)
{
    int c = row_column(row, name);
    free(row->t[c]);
    row->t[c] = NULL;
    row->type[c] = v ? SQLITE_INTEGER : SQLITE_NULL;
    row->i[c] = v;
}

static void row_set_text(struct row *row, const char *name, const char *v)
{
    int c = row_column(row, name);
    free(row->t[c]);
    row->t[c] = v ? strdup(v) : NULL;
    row->type[c] = v ? SQLITE_TEXT : SQLITE_NULL;
}

/* Each action the caller may take on the filing now (core/workflow.c's table and its guards) */
static void actions_add(struct reader *r, struct json_out *t, const struct row *row, unsigned roles, bool complete)
{
    enum wf_state state = wf_state_parse(row->t[row_column(row, "state")]);
    bool initial = strcmp(row->t[row_column(row, "kind")], "initial") == 0;
    struct json_out possible, all;
    json_out_init(&possible, 256);
    json_out_init(&all, 512);
    for (int a = 0; a < ACT__COUNT; a++) {
        const struct wf_transition *tr = wf_table_row(WF_TABLE, WF_TABLE_COUNT, state, (enum wf_action)a, roles);
        if (!tr || tr->party != PARTY_OWNER) continue;
        bool ok = true;
        for (int g = 0; g < 2 && ok; g++) {
            if (tr->guards[g] == GUARD_COMPLETE) ok = complete;
            if (tr->guards[g] == GUARD_SYSTEM_FREE && initial) {
                sqlite3_bind_int64(r->system_live, 1, row->i[row_column(row, "system_id")]);
                sqlite3_bind_int64(r->system_live, 2, row->i[row_column(row, "id")]);
                ok = sqlite3_step(r->system_live) != SQLITE_ROW;
                sqlite3_reset(r->system_live);
            }
        }
        const char *name = wf_action_name((enum wf_action)a);
        char one[160];
        int n = snprintf(one, sizeof one, "%s{\"action\":\"%s\",\"possible\":%s}", all.len ? "," : "", name,
                         ok ? "true" : "false");
        json_out_raw(&all, one, (size_t)n);
        if (ok) {
            n = snprintf(one, sizeof one, "%s\"%s\"", possible.len ? "," : "", name);
            json_out_raw(&possible, one, (size_t)n);
        }
    }
    json_out_raw(t, ",\"allowed_actions\":[", 20);
    if (possible.buf) json_out_raw(t, possible.buf, possible.len);
    json_out_raw(t, "],\"actions\":[", 13);
    if (all.buf) json_out_raw(t, all.buf, all.len);
    json_out_raw(t, "]", 1);
    free(possible.buf);
    free(all.buf);
}

/* beian's response headers (src/http/server.c) */
static enum MHD_Result answer_contract(struct MHD_Connection *conn, char *body, size_t len, const char *etag,
                                       const char *request_id)
{
    struct MHD_Response *res = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
    if (!res) return MHD_NO;
    bench_add_beian_headers(res, "application/json; charset=utf-8", etag, request_id);
    enum MHD_Result rc = MHD_queue_response(conn, 200, res);
    MHD_destroy_response(res);
    return rc;
}

/* the request's log line, as beian writes it */
static void log_line(const char *url, unsigned status, struct timespec *began, const char *request_id, long long user)
{
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    struct tm tm;
    gmtime_r(&now.tv_sec, &tm);
    double ms = (double)(now.tv_sec - began->tv_sec) * 1e3 + (double)(now.tv_nsec - began->tv_nsec) / 1e6;
    char line[512];
    int n = snprintf(line, sizeof line, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ PUT %s %u %.3fms rid=%s user=%lld ip=127.0.0.1\n",
                     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                     now.tv_nsec / 1000000, url, status, ms, request_id, user);
    if (n > 0 && write(2, line, (size_t)n) < 0) return;
}

static enum MHD_Result save_contract(struct MHD_Connection *conn, const char *url, struct body *b)
{
    struct timespec began;
    clock_gettime(CLOCK_REALTIME, &began);
    unsigned char rid_bytes[8];
    char request_id[17];
    randombytes_buf(rid_bytes, sizeof rid_bytes);
    sodium_bin2hex(request_id, sizeof request_id, rid_bytes, sizeof rid_bytes);
    struct reader *r = reader_of_thread();
    const char *auth = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Authorization");
    const char *type = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Type");
    long long id = 0;
    if (!auth || strncmp(auth, "Bearer ", 7) != 0) return refuse(conn, 401);
    if (sscanf(url, "/api/v1/filings/%lld/document", &id) != 1 || id <= 0) return refuse(conn, 404);
    if (!type || strncasecmp(type, "application/json", 16) != 0) return refuse(conn, 415);
    char token_hash[65];
    begin_reads(r, auth + 7, token_hash);
    long long user = -1, org = -1;
    unsigned roles = 0;
    bool enterprise = false;
    if (sqlite3_step(r->token) == SQLITE_ROW) {
        user = sqlite3_column_int64(r->token, 0);
        org = sqlite3_column_int64(r->token, 1);
        roles = wf_roles_parse_csv((const char *)sqlite3_column_text(r->token, 2), NULL, 0);
        enterprise = strcmp((const char *)sqlite3_column_text(r->token, 3), "enterprise") == 0;
    }
    sqlite3_reset(r->token);
    struct row row;
    bool found = false;
    char *old_text = NULL;
    sqlite3_bind_int64(r->filing, 1, id);
    if (sqlite3_step(r->filing) == SQLITE_ROW) {
        found = true;
        row_read(r->filing, &row);
        step_text(r->filing, N_ROW_COLUMNS, &old_text);
    }
    sqlite3_reset(r->filing);
    const char *if_match = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "If-Match");
    unsigned refused = user < 0 ? 401 : !found || row.i[row_column(&row, "org_id")] != org ? 404 : 0;
    if (!refused && !(enterprise && (roles & ROLE_FILER))) refused = 403;
    if (!refused && !wf_state_editable(wf_state_parse(row.t[row_column(&row, "state")]))) refused = 409;
    if (!refused && !if_match) refused = 428;
    if (!refused && strcmp(if_match, "*") != 0) {
        char want[64];
        snprintf(want, sizeof want, "\"%lld-%lld\"", id, row.i[r->revision_column]);
        if (strncmp(if_match, want, strlen(want) - 1) != 0) refused = 412;   /* the reply's suffix aside */
    }
    json_t *doc = refused ? NULL : json_read(b->p, b->len, JSON_REJECT_DUPLICATES, NULL);
    if (!refused && !json_is_object(doc)) refused = 422;
    struct records *rec = NULL;
    if (!refused)
        rec = records_for(r, id, org, row.i[row_column(&row, "system_id")], doc);
    sqlite3_step(r->commit);
    sqlite3_reset(r->commit);
    if (refused || !rec) {
        if (found) row_free(&row);
        free(old_text);
        json_decref(doc);
        return refuse(conn, refused ? refused : 500);
    }
    struct written w = {.org = org};
    struct job j = {.id = id, .revision = row.i[r->revision_column], .user = user, .columns = &w};
    j.text = json_canonical(doc, &j.text_len);
    bool unchanged = j.text && old_text && strcmp(j.text, old_text) == 0;
    sha256_hex(old_text ? old_text : "", old_text ? strlen(old_text) : 0, w.before);
    free(old_text);
    if (!j.text || unchanged) {   /* beian answers the row as it is */
        free(j.text);
        json_decref(doc);
        row_free(&row);
        records_keep(rec);
        return refuse(conn, unchanged ? 200 : 500);
    }
    sha256_hex(j.text, j.text_len, w.after);
    /* the list columns, from the document and the records */
    const json_t *region = at_path(doc, "subject", "region_code"), *level = at_path(doc, "grading", "level");
    char *region_text = json_is_string(region) ? strdup(json_string_value(region)) : NULL;
    w.level = json_is_integer(level) ? json_integer_value(level) : 0;
    w.provider = json_integer_value(at_path(doc, "provider", "provider_org"));
    w.evaluation = json_integer_value(at_path(doc, "provider", "evaluation"));
    w.region = region_text;
    w.subject_name = rec->subject_name;
    w.system_name = rec->system_name;
    char pack_name[128];
    snprintf(pack_name, sizeof pack_name, "%s@%s", pack->id, pack->version);
    w.pack = pack_name;
    struct tm tm;
    time_t now = time(NULL);
    gmtime_r(&now, &tm);
    strftime(w.at, sizeof w.at, "%Y-%m-%dT%H:%M:%SZ", &tm);
    /* the pack's check, with what the records say as its context */
    json_t *context = json_pack("{s:s s:O s:O}", "filing_kind", row.t[row_column(&row, "kind")], "materials",
                                rec->materials, "overrides", rec->overrides);
    json_t *findings = NULL, *derived = NULL;
    int rc = check_after_trace(id, doc, context, &findings, &derived);
    json_decref(context);
    size_t errors = 0, i;
    json_t *f;
    char *type_text = NULL;
    if (rc == 0) {
        json_array_foreach(rec->facts, i, f) json_array_append(findings, f);
        json_array_foreach(findings, i, f) errors += strcmp(json_string_value(json_object_get(f, "severity")), "error") == 0;
        const char *t = json_string_value(json_object_get(derived, "filing_type"));
        type_text = t ? strdup(t) : NULL;
        j.findings = json_canonical(findings, &j.findings_len);
        j.derived = json_canonical(derived, &j.derived_len);
    }
    w.type = type_text;
    json_decref(findings);
    json_decref(derived);
    struct json_out reply;
    json_out_init(&reply, 16384);
    if (j.findings && j.derived) {
        submit(r, &j, if_match);
        if (j.ok) {
            /* the reply: the row with what the save wrote, the tag, the actions, the three texts */
            long long old_provider = row.i[row_column(&row, "provider_org_id")];
            if (row.type[row_column(&row, "provider_org_id")] == SQLITE_NULL) old_provider = 0;
            if (old_provider != w.provider) row_set_int(&row, "provider_visible", 0);
            row_set_int(&row, "revision", j.revision + 1);
            row_set_int(&row, "last_editor_id", user);
            row_set_int(&row, "provider_org_id", w.provider);
            row_set_int(&row, "provider_evaluation_id", w.evaluation);
            row_set_int(&row, "level", w.level);
            row_set_text(&row, "region", w.region);
            row_set_text(&row, "type", w.type);
            row_set_text(&row, "subject_name", w.subject_name);
            row_set_text(&row, "system_name", w.system_name);
            row_set_text(&row, "pack", w.pack);
            row_set_text(&row, "updated_at", w.at);
            json_out_raw(&reply, "{", 1);
            for (int c = 0; c < N_ROW_COLUMNS; c++) {
                char one[96];
                int n = snprintf(one, sizeof one, "%s\"%s\":", c ? "," : "", row.name[c]);
                json_out_raw(&reply, one, (size_t)n);
                if (strcmp(row.name[c], "provider_visible") == 0 || strcmp(row.name[c], "authority_visible") == 0) {
                    out_str(&reply, row.i[c] ? "true" : "false");
                } else if (row.type[c] == SQLITE_INTEGER) {
                    n = snprintf(one, sizeof one, "%lld", row.i[c]);
                    json_out_raw(&reply, one, (size_t)n);
                } else if (row.t[c]) {
                    json_out_string(&reply, row.t[c], strlen(row.t[c]));
                } else {
                    json_out_raw(&reply, "null", 4);
                }
            }
            char etag_plain[64];
            snprintf(etag_plain, sizeof etag_plain, "\"%lld-%lld\"", id, j.revision + 1);
            out_str(&reply, ",\"etag\":");
            json_out_string(&reply, etag_plain, strlen(etag_plain));
            /* a due date past the calendar's years is an estimate; a paused review keeps its days */
            const char *due_text = row.t[row_column(&row, "due_at")];
            day_t due;
            bool estimated = due_text && date_parse(due_text, &due) == 0 && !calendar_covers(pack->calendar, due);
            out_str(&reply, estimated ? ",\"due_estimated\":true" : ",\"due_estimated\":false");
            out_str(&reply, row.type[row_column(&row, "paused_remaining")] != SQLITE_NULL ? ",\"paused\":true"
                                                                                          : ",\"paused\":false");
            actions_add(r, &reply, &row, roles, errors == 0);
            out_str(&reply, ",\"document\":");
            json_out_raw(&reply, j.text, j.text_len);
            out_str(&reply, ",\"findings\":");
            json_out_raw(&reply, j.findings, j.findings_len);
            out_str(&reply, ",\"derived\":");
            json_out_raw(&reply, j.derived, j.derived_len);
            json_out_raw(&reply, "}", 1);
        }
    }
    records_keep(rec);
    row_free(&row);
    free(region_text);
    free(type_text);
    free(j.text);
    free(j.findings);
    free(j.derived);
    size_t reply_len;
    char *body = json_out_take(&reply, &reply_len);
    if (!j.ok || !body) {
        free(body);
        return refuse(conn, 409);
    }
    /* the tag names the revision; its suffix, the reply's BLAKE2b, says the reply is this one */
    unsigned char digest[8];
    char hex[17], etag[96];
    crypto_generichash(digest, sizeof digest, (const unsigned char *)body, reply_len, NULL, 0);
    sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
    snprintf(etag, sizeof etag, "\"%lld-%lld.%s\"", id, j.revision + 1, hex);
    log_line(url, 200, &began, request_id, user);
    return answer_contract(conn, body, reply_len, etag, request_id);
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
    return contract ? save_contract(conn, url, b) : save(conn, url, b);
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

/* --contract: the database is a copy of beian's, taken while it runs (SQLite's backup API) */
static void copy_db(const char *beian_db)
{
    unlink(db_path);
    sqlite3 *from, *to = open_db();
    if (sqlite3_open_v2(beian_db, &from, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        fprintf(stderr, "put_floor: cannot open %s\n", beian_db);
        exit(1);
    }
    sqlite3_busy_timeout(from, 10000);
    sqlite3_backup *b = sqlite3_backup_init(to, "main", from, "main");
    int rc = b ? sqlite3_backup_step(b, -1) : SQLITE_ERROR;
    sqlite3_backup_finish(b);
    if (rc != SQLITE_DONE) {
        fprintf(stderr, "put_floor: cannot copy %s: %s\n", beian_db, sqlite3_errmsg(to));
        exit(1);
    }
    sqlite3_exec(to, "PRAGMA journal_mode=WAL", NULL, NULL, NULL);
    sqlite3_close(from);
    sqlite3_close(to);
}

int main(int argc, char **argv)
{
    contract = argc == 9 && strcmp(argv[7], "--contract") == 0;
    if (argc != 7 && !contract) {
        fprintf(stderr, "usage: %s PORT THREADS PACK_DIR DB TOKEN IDS [--contract BEIAN_DB]\n", argv[0]);
        return 2;
    }
    if (sodium_init() < 0) return 1;
    struct err e = {0};
    struct pack *p;
    if (pack_load(argv[3], &p, &e) != 0) {
        fprintf(stderr, "put_floor: %s\n", e.detail_en);
        return 1;
    }
    pack = p;
    db_path = argv[4];
    if (contract) copy_db(argv[8]);
    else setup_db(argv[5], argv[6]);
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
