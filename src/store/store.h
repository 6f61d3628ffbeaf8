/* store.h — the persistence interface of beian. The service layer sees only these functions;
 * SQL lives behind them, written once for both engines (store_*.c, through db.h); the engine is a
 * backend (sqlite.c, postgres.c) selected by store_open's location.
 *
 * Rows travel as jansson objects (column name -> value; JSON columns arrive parsed), which keeps
 * the interface small and lets the service layer hand them straight to the API.
 *
 * Concurrency and durability: all writes go through store_write(), and write jobs run one after
 * another, each seeing the effects of those before it (SQLite: the one writer thread runs the
 * pending jobs of a group each in its own savepoint inside one BEGIN IMMEDIATE transaction and
 * commits them together, group commit, synchronous=FULL; PostgreSQL: the jobs waiting run as
 * one group too, each in a savepoint, in a transaction that first takes one transaction-scoped
 * advisory lock, so jobs of every node sharing the database are serialized). When store_write() returns 0 the job's changes are durable. Reads use
 * store_reader(), a connection private to the calling thread. */
#ifndef BEIAN_STORE_H
#define BEIAN_STORE_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>
#include <jansson.h>
#include "core/err.h"

struct store;
struct store_conn;

/* Open (creating when create is true) the store and apply its migrations. location
 * "postgresql://…" or "postgres://…" (a libpq URI): PostgreSQL, whose schema create makes, and
 * which data_dir then remembers (<data_dir>/store.uri); NULL or empty: the one data_dir remembers,
 * else SQLite in <data_dir>/beian.db. data_dir must exist either way: it holds the keys, the
 * installed policy packs and the temporary files of uploads. */
int store_open(const char *data_dir, const char *location, bool create, struct store **out, struct err *e);
void store_close(struct store *s);
/* Does the PostgreSQL database location names already hold a beian schema? Sets *version (-1:
 * none, the database is new) and *latest (the version this build migrates to). For SQLite
 * (location NULL or empty) *version is -1: its database is a file of the data directory. */
int store_schema_version(const char *location, int *version, int *latest, struct err *e);
/* "sqlite" or "postgresql". */
const char *store_engine(const struct store *s);
/* May this process run job now — work that must run on one node at a time (the standing checks,
 * the notification sender, checkpoint signing)? SQLite: yes (one server per data directory).
 * PostgreSQL: the node that holds job's advisory lock, taken on a connection of its own when
 * free and held until the process ends or loses that connection; another node takes it over at
 * its next try. */
bool store_leads(struct store *s, const char *job);

typedef int (*store_job_fn)(struct store_conn *c, void *arg, struct err *e);
/* Run fn inside the writer's transaction; durable when 0 is returned. fn's changes are rolled
 * back when it returns -1 (its error is returned) or when the commit fails. */
int store_write(struct store *s, store_job_fn fn, void *arg, struct err *e);
/* A write on its way: a save announces it (store_write_soon) before it checks the document and
 * withdraws it when it sends it (store_write_announced) or gives up (store_write_soon_done). While
 * any is announced, the SQLite writer waits for them, up to a millisecond, before it commits what
 * it has: they share the commit and its fsync (group commit's "siblings", as PostgreSQL's
 * commit_delay). A write nobody announced is committed at once. The PostgreSQL store commits
 * the writes already waiting together and does not wait for announced ones. */
void store_write_soon(struct store *s);
void store_write_soon_done(struct store *s);
/* store_write for a write announced with store_write_soon: the announcement ends as the job is
 * queued, so the writer never stops waiting for it just before it arrives. */
int store_write_announced(struct store *s, store_job_fn fn, void *arg, struct err *e);
/* The writer's commits and the writes they held since the store opened (SQLite; 0 elsewhere). */
void store_write_counts(struct store *s, uint64_t *commits, uint64_t *writes);
/* The bytes the store's open connections hold in their page caches, each bounded by SQLite's
 * cache_size (a WAL connection drops its cache when it sees another's writes, so under writes they
 * stay small: 2.5 MiB in the soak, more while the timers' passes read); as each connection's
 * thread last counted it: the writer after each commit, a reader after each read transaction.
 * -1 when the store does not say (PostgreSQL's caches are the server's). */
int64_t store_page_cache_bytes(struct store *s);
/* How long the writer waits for announced writes, in microseconds (default 1,000): tests. */
void store_write_linger_set(struct store *s, long us);
/* This thread's read connection (opened on first use). */
struct store_conn *store_reader(struct store *s);
/* Close the calling thread's reader connection (a short-lived worker thread, before it ends). */
void store_reader_release(struct store *s);
/* One read transaction for the reads this thread makes until store_read_end (a request: the
 * caller's token and the filing seen in one snapshot, the WAL's read lock taken once instead of
 * per statement). A store_write from this thread ends it first, so the reads after a write see it.
 * Not nested. SQLite only; on PostgreSQL each statement stays its own transaction (a BEGIN and a
 * COMMIT would be two more round trips). */
void store_read_begin(struct store *s);
void store_read_end(struct store *s);
/* Inside store_read_begin's transaction (on SQLite the PRAGMA it reads starts the transaction's
 * snapshot when nothing was read before, so the value and every later read agree): a value that differs whenever
 * anything in the database differs from what another call with the same value saw (SQLite: the
 * reader connection's serial number and its PRAGMA data_version, which moves with every commit of
 * any other connection, this process's writer or another process). False when the engine cannot
 * tell (PostgreSQL, or no read transaction): then nothing may be cached on it. */
bool store_read_generation(struct store *s, uint64_t out[2]);

/* The generation of the records a filing's check reads (migration 16), and of the principal a
 * token resolves to (17): a number that every change of every table moves, but those of
 * RECORDS_UNMOVED (what saves and background workers write and no check of a filing reads: the
 * filings themselves, their versions, the audit trail, notifications, standing checks, numbering,
 * reviewers' drafts) and the inserts of RECORDS_MOVED_NOT_BY_INSERTS (a new token). False when
 * unreadable. */
bool store_records_generation(struct store_conn *c, int64_t *out);
extern const char *const RECORDS_UNMOVED[];
extern const char *const RECORDS_MOVED_NOT_BY_INSERTS[];

/* --- organisations --- */
/* number_format: NULL for the default "{region}-{year}-{seq:06}". */
int64_t store_org_insert(struct store_conn *c, const char *kind, const char *name, const char *uscc,
                         const char *region, const json_t *jurisdiction, const char *number_format, struct err *e);
json_t *store_org_get(struct store_conn *c, int64_t id);          /* NULL when absent */
/* Correct an organisation's name, USCC and region, and the subject name its filings list under. */
int store_org_update(struct store_conn *c, int64_t id, const char *name, const char *uscc, const char *region,
                     struct err *e);
json_t *store_org_list(struct store_conn *c, const char *kind);   /* kind NULL: all */
/* The authority whose jurisdiction covers region (most specific first); NULL when none. */
json_t *store_org_authority_for_region(struct store_conn *c, const char *region);

/* --- users and tokens --- */
int64_t store_user_insert(struct store_conn *c, int64_t org_id, const char *login, const char *name,
                          const char *pw_hash, const char *roles_csv, struct err *e);
json_t *store_user_get(struct store_conn *c, int64_t id);         /* includes pw_hash */
json_t *store_user_by_login(struct store_conn *c, const char *login);
json_t *store_user_list(struct store_conn *c, int64_t org_id);    /* org_id 0: all; no pw_hash */
int store_user_set_password(struct store_conn *c, int64_t id, const char *pw_hash, struct err *e);
int store_token_insert(struct store_conn *c, const char *hash, int64_t user_id, const char *kind,
                       const char *name, const char *csrf, int64_t expires_at, struct err *e);
/* {user_id, kind, csrf, expires_at, revoked} or NULL */
json_t *store_token_get(struct store_conn *c, const char *hash);
/* One read for authentication: the token joined with its user and organisation:
 * {user_id, kind, csrf, expires_at, revoked, login, name, roles, disabled, org_id, org_kind} or NULL. */
json_t *store_token_principal(struct store_conn *c, const char *hash);
int store_token_revoke(struct store_conn *c, const char *hash, struct err *e);
/* API tokens by their public id (16 hex digits, never the hash): insert, one (with user_id, login,
 * org_id, revoked), the live ones (not revoked, not expired at now) of a user or of every member of
 * an organisation, revoke one, revoke every one of a user. */
int store_api_token_insert(struct store_conn *c, const char *hash, const char *public_id, int64_t user_id,
                           const char *name, int64_t expires_at, struct err *e);
json_t *store_api_token_get(struct store_conn *c, const char *public_id);
json_t *store_api_token_list(struct store_conn *c, int64_t user_id, int64_t org_id, int64_t now);
int store_api_token_revoke(struct store_conn *c, const char *public_id, struct err *e);
int store_api_tokens_revoke_user(struct store_conn *c, int64_t user_id, struct err *e);

/* --- systems --- */
int64_t store_system_insert(struct store_conn *c, int64_t org_id, const char *name,
                            const char *description, int64_t created_by, struct err *e);
json_t *store_system_get(struct store_conn *c, int64_t id);
json_t *store_system_list(struct store_conn *c, int64_t org_id);  /* org_id 0: all */

/* --- filings --- */
/* Insert a filing row from an object holding the columns of migrations.c (id ignored). */
int64_t store_filing_insert(struct store_conn *c, const json_t *row, struct err *e);
json_t *store_filing_get(struct store_conn *c, int64_t id);
/* The same row with its JSON columns (document, findings, derived) left as JSON text in strings,
 * for readers that only pass them on (saves parsing and re-serialising the document). */
json_t *store_filing_get_raw(struct store_conn *c, int64_t id);
/* The same without the columns a save replaces: findings and derived (and the document unless
 * with_document) are read as null, in their places, so a save copies no text it will not use. */
json_t *store_filing_get_for_save(struct store_conn *c, int64_t id, bool with_document);
/* Store a new document: row holds id, document (canonical JSON text), findings and derived (JSON
 * values, or their canonical text as strings), revision, last_editor_id, the list columns
 * (subject_name, system_name, region, level, provider_org_id, provider_evaluation_id, type, pack)
 * and, when the caller fixes it, updated_at (else now). */
int store_filing_save_document(struct store_conn *c, const json_t *row, struct err *e);
/* The same only while the row's write count (its column written, which every UPDATE of filings
 * moves) is still written_was, i.e. nothing wrote the row since it was read with that count:
 * 0 stored, 1 not (the row moved, or is gone), -1 with e on failure. */
int store_filing_save_document_if(struct store_conn *c, const json_t *row, int64_t written_was, struct err *e);
/* Write back every column of row (by row.id); 0 ok. */
int store_filing_update(struct store_conn *c, const json_t *row, struct err *e);

/* Who is asking, for scoping lists: admin sees all; enterprise its own; provider those naming it
 * once visible; authority those assigned to it once visible. */
struct store_scope { const char *org_kind; int64_t org_id; bool admin; };
struct filing_query {
    const char *state, *region, *type, *q; int64_t system_id;
    int limit; int64_t after_id; /* cursor: rows with id < after_id (newest first) */
};
/* Array of filing rows without the document; *next_cursor gets the cursor or 0. */
json_t *store_filing_list(struct store_conn *c, const struct store_scope *scope,
                          const struct filing_query *q, int64_t *next_cursor, struct err *e);
/* Call fn for every filed record (an initial filing in state filed) in scope, in id order, one
 * row at a time (document, findings and derived as JSON text), without loading them all: for
 * the policy impact over every filed system. fn returns 0 to go on, non-zero to stop. */
int store_filing_each_record(struct store_conn *c, const struct store_scope *scope,
                             int (*fn)(const json_t *row, void *arg), void *arg, struct err *e);
/* Is there an open (not decided) change filing of parent? A recorded minor change is decided. */
bool store_filing_has_open_change(struct store_conn *c, int64_t parent_id);
/* Change reports: write a change filing's effective_on, reported_on, change_class, late (0/1),
 * late_reason (JSON text {code,zh,en}), objection_due and objected_at from row (by row.id). */
int store_filing_update_change(struct store_conn *c, const json_t *row, struct err *e);
/* A minor change of parent recorded and still within its objection window (objection_due on or
 * after today, YYYY-MM-DD): its id, or 0. */
int64_t store_filing_minor_in_window(struct store_conn *c, int64_t parent_id, const char *today);
json_t *store_filing_by_number(struct store_conn *c, const char *number);
/* Another initial filing of the system that is under way or filed (not a draft, not ended):
 * {id, state, number}, or NULL. */
json_t *store_system_other_live_filing(struct store_conn *c, int64_t system_id, int64_t filing_id);
/* Next sequence number of an authority in a year (1, 2, …); never reused. */
int64_t store_next_number_seq(struct store_conn *c, int64_t authority_id, int year, struct err *e);

/* --- versions --- */
int store_version_insert(struct store_conn *c, int64_t filing_id, int n, const json_t *document,
                         const char *sha256, const char *action, int64_t by, const json_t *findings,
                         const char *pack, struct err *e);
json_t *store_version_get(struct store_conn *c, int64_t filing_id, int n);
json_t *store_version_list(struct store_conn *c, int64_t filing_id); /* without documents */

/* --- rectifications --- */
int64_t store_rectification_insert(struct store_conn *c, int64_t filing_id, int version,
                                   int64_t by, const char *comment, const json_t *items, struct err *e);
json_t *store_rectification_list(struct store_conn *c, int64_t filing_id); /* with items */
json_t *store_rectification_item_get(struct store_conn *c, int64_t item_id);
int store_rectification_item_answer(struct store_conn *c, int64_t item_id, const char *answer,
                                    int64_t by, struct err *e);
int store_rectification_close_open(struct store_conn *c, int64_t filing_id, struct err *e);

/* --- audit (append-only, hash-chained) --- */
struct audit_entry {
    int64_t actor_user_id, actor_org_id;
    const char *action, *object_type;
    int64_t object_id, filing_id, org_id;     /* org_id: the organisation the object belongs to */
    const char *before_sha, *after_sha;
    const json_t *detail;
    /* detail's canonical text (json_canonical) when the caller made it already, else NULL: made
     * outside the store's single writer, it costs the writer neither of its two serialisations */
    const char *detail_text;
};
int store_audit_append(struct store_conn *c, const struct audit_entry *a, struct err *e);
/* The entries scope may read (see the rule in sqlite.c), newest first. user_id is the caller;
 * manages_users: it is org_admin/authority_admin and reads its organisation's entries on accounts,
 * sessions and tokens of other users. */
json_t *store_audit_list(struct store_conn *c, const struct store_scope *scope, int64_t user_id, bool manages_users,
                         int64_t filing_id, int limit, int64_t after_id, int64_t *next_cursor, struct err *e);
/* Recompute the chain; 0 when unbroken, else -1 with the first bad id in e. */
int store_audit_verify(struct store_conn *c, struct err *e);

/* --- the verifiable log and signed statements (sqlite_proofs.c) --- */
/* Entries in the audit log (its Merkle tree's size), -1 on failure. */
int64_t store_audit_size(struct store_conn *c);
/* {id, hash, action, filing_id} of the newest entry, NULL when none. */
json_t *store_audit_last(struct store_conn *c);
/* The chain hashes of entries from+1..size as raw 32-byte values, one after another (malloc'd). */
uint8_t *store_audit_hashes(struct store_conn *c, int64_t from, int64_t size, struct err *e);
/* Keep a signed envelope (JSON text) issued for a filing; kind "certificate" or "receipt". */
int store_statement_insert(struct store_conn *c, int64_t filing_id, const char *kind, int64_t seq,
                           const char *action, const char *envelope, struct err *e);
int64_t store_statement_next_seq(struct store_conn *c, int64_t filing_id, const char *kind);
/* [{seq, action, envelope (text), created_at}] in order of issue. */
json_t *store_statement_list(struct store_conn *c, int64_t filing_id, const char *kind);
/* One of them by seq (seq 0: the latest), or NULL. */
json_t *store_statement_get(struct store_conn *c, int64_t filing_id, const char *kind, int64_t seq);

/* --- override requests --- */
int64_t store_override_insert(struct store_conn *c, int64_t filing_id, const char *rule, const char *reason,
                              int64_t material_id, int64_t by, struct err *e);
json_t *store_override_list(struct store_conn *c, int64_t filing_id);
json_t *store_override_get(struct store_conn *c, int64_t id);
int store_override_decide(struct store_conn *c, int64_t id, bool accept, const char *comment, int64_t by, struct err *e);

/* Counts for /metrics: {state: n}. */
json_t *store_filing_counts(struct store_conn *c);

/* ==== material contents (store_blobs.c; PostgreSQL: postgres_blobs.c) ====================== */

/* An upload's bytes: a temporary file under store_upload_dir(), already hashed. */
struct store_upload {
    const char *path;
    int fd;
    uint64_t size;
    const char *sha256;
    bool taken;          /* set when the store took the file itself (the caller must not remove it) */
};
/* Keep the bytes of an upload under their SHA-256, durably, before any row names them; the same
 * bytes are kept once (bytes already kept are re-hashed, and replaced when damaged). */
int store_blob_put(struct store *s, struct store_upload *u, struct err *e);
/* Open the kept bytes of sha256 for reading (*fd, the caller closes); ERR_INTERNAL when they are
 * missing or not of size bytes. */
int store_blob_open(struct store *s, const char *sha256, int64_t size, int *fd, struct err *e);
/* Re-hash kept bytes: 0 intact, 1 changed (got: their digest now), -1 missing; where: where they
 * were looked for (a path, or the table). */
int store_blob_check(struct store *s, const char *sha256, char got[65], char *where, size_t where_len);
/* The directory of temporary upload files (<data>/materials/tmp), and the sweep of those a killed
 * server left: removed when last modified before remove_before (0: none), else counted in left
 * and left_bytes (space on disk). No directory is no files. */
void store_upload_dir(const struct store *s, char *buf, size_t len);
int store_upload_sweep(const struct store *s, time_t remove_before, size_t *removed, size_t *left,
                       uint64_t *left_bytes, struct err *e);

/* ==== materials (store_materials.c) and the provider registry (store_providers.c) =========== */

/* A material: {id, org_id, kind, title, current_version, created_by, created_at, updated_at} joined
 * with its current version's {filename, content_type, size, sha256}. NULL when absent. */
json_t *store_material_get(struct store_conn *c, int64_t id);
/* The materials whose ids the JSON array text ids lists ("[3,1,7]"), in no particular order, as
 * store_material_get: one query for the materials a document names. */
json_t *store_materials_by_ids(struct store_conn *c, const char *ids);
/* The materials of an organisation (org_id 0: all), newest first, as store_material_get. */
json_t *store_material_list(struct store_conn *c, int64_t org_id);
/* A new material with its version 1. Returns the id or -1. */
int64_t store_material_insert(struct store_conn *c, int64_t org_id, const char *kind, const char *title,
                              const char *filename, const char *content_type, int64_t size,
                              const char *sha256, int64_t by, struct err *e);
/* A new version n (current_version + 1) of a material; it becomes the current one. Returns n or -1. */
int store_material_add_version(struct store_conn *c, int64_t id, const char *filename, const char *content_type,
                               int64_t size, const char *sha256, int64_t by, struct err *e);
/* One version {material_id, n, filename, content_type, size, sha256, created_by, created_at}, or NULL. */
json_t *store_material_version_get(struct store_conn *c, int64_t id, int n);
json_t *store_material_version_list(struct store_conn *c, int64_t id);
/* Every stored blob: [{sha256, size}] (distinct), for `beian verify materials`. */
json_t *store_material_blobs(struct store_conn *c);
/* Pin material version (material_id, n, sha256) to filing version (filing_id, version). */
int store_material_pin(struct store_conn *c, int64_t filing_id, int version, int64_t material_id, int n,
                       const char *sha256, struct err *e);
/* Pins of one filing version: [{material_id, material_version, sha256}]. */
json_t *store_material_pins(struct store_conn *c, int64_t filing_id, int version);
/* The versions of a material that frozen versions of its owner's filings pin, counting only the
 * filings a party may see ((org_kind, org_id): the provider named / the authority assigned, once
 * visible to it; admin: all): a new array of version numbers, ascending, no repeats. */
json_t *store_material_pinned_versions(struct store_conn *c, int64_t material_id, int64_t owner_org_id,
                                       const struct store_scope *scope);
/* Does a material (any version) of the organisation hold the bytes of this SHA-256? */
bool store_material_org_has_sha256(struct store_conn *c, int64_t org_id, const char *sha256);
/* Bytes the organisation's materials hold: the sizes of its distinct stored contents (SHA-256)
 * over every version; -1 when the store cannot say. */
int64_t store_material_org_bytes(struct store_conn *c, int64_t org_id);
/* Is the material the certificate of a qualification in its owner's provider profile? */
bool store_material_is_certificate(struct store_conn *c, int64_t material_id, int64_t owner_org_id);

/* A provider's profile {org_id, profile (parsed), revision, updated_by, updated_at} or NULL. */
json_t *store_provider_profile_get(struct store_conn *c, int64_t org_id);
/* Insert or replace; the revision goes up by one. */
int store_provider_profile_put(struct store_conn *c, int64_t org_id, const json_t *profile, int64_t by,
                               struct err *e);
/* Every profile (for the directory), parsed. */
json_t *store_provider_profile_list(struct store_conn *c);
int64_t store_provider_evaluation_insert(struct store_conn *c, int64_t provider_org_id, int64_t org_id,
                                         const char *evaluated_on, const json_t *scorecard, double score,
                                         int64_t by, struct err *e);
/* Evaluations of a provider, newest first; org_id 0: by everyone, else by that organisation. */
json_t *store_provider_evaluation_list(struct store_conn *c, int64_t provider_org_id, int64_t org_id);
/* One evaluation (scorecard parsed), or NULL. Evaluations are never changed once made. */
json_t *store_provider_evaluation_get(struct store_conn *c, int64_t id);
/* Number of systems with a filed (state 'filed', initial) filing per provider assigned to an
 * authority (0: any): {"<provider_org_id>": n}. */
json_t *store_provider_filed_counts(struct store_conn *c, int64_t authority_org_id);

/* ==== incidents on filed records (sqlite_incidents.c) ======================================= */

/* A new incident as reported (times RFC 3339 UTC, "YYYY-MM-DDTHH:MM:SSZ"). */
struct store_incident {
    int64_t filing_id, org_id, reported_by, first_report_hours, closure_days;
    const char *level, *title, *summary, *measures, *detected_at, *reported_at, *pack;
    const char *first_report_due_at, *closure_due_at;
    bool late_first_report;
};
/* The closure report. */
struct store_incident_closure {
    const char *cause, *impact, *measures;
    bool personal_data;
    int64_t individuals, by;
};
/* Filters of the incident queue: state "open"/"closed" (NULL: both), late first reports only,
 * open past their closure deadline (as of now) only, one record only (0: all). */
struct incident_query {
    const char *state, *now;
    bool late, overdue;
    int64_t filing_id;
};
int64_t store_incident_insert(struct store_conn *c, const struct store_incident *in, struct err *e);
/* The incident joined with its record's number, names, authority_org_id and authority_visible;
 * NULL when absent. */
json_t *store_incident_get(struct store_conn *c, int64_t id);
/* The incidents scope may see (admin all; enterprise its own; authority those of its records),
 * newest first, at most 500. */
json_t *store_incident_list(struct store_conn *c, const struct store_scope *scope, const struct incident_query *q,
                            struct err *e);
/* {total, open, closed, late_first_report, closure_overdue} over what scope may see. */
json_t *store_incident_counts(struct store_conn *c, const struct store_scope *scope, const char *now);
/* Append an update (timestamped now); updates are never changed. */
int store_incident_update_insert(struct store_conn *c, int64_t incident_id, const char *text, int64_t by,
                                 struct err *e);
json_t *store_incident_updates(struct store_conn *c, int64_t incident_id);
/* Close an open incident with its closure report (ERR_CONFLICT when it is not open). */
int store_incident_close(struct store_conn *c, int64_t id, const struct store_incident_closure *cl, struct err *e);
/* Record the order of an extra inspection (once; ERR_CONFLICT when one exists). */
int store_incident_order_inspection(struct store_conn *c, int64_t id, const char *reason, const char *due_date,
                                    int64_t by, struct err *e);

/* ==== backup and restore (backup.c) ========================================================= */

/* What a backup or restore copied. */
struct store_backup_report {
    int64_t filings, audit_last_id;     /* in the copied database */
    int64_t blobs, blob_bytes;          /* material files copied (each re-hashed) */
    int64_t policy_files;               /* files of installed policy packs (<data>/policy) */
};
/* A consistent online copy of data directory data_dir into dest_dir (created; must be empty):
 * beian.db through the SQLite online backup API (one read transaction, while the server goes on
 * writing), then every material file the copy references (re-hashed), the installed policy packs,
 * and a manifest dest_dir/backup.json. */
int store_backup(const char *data_dir, const char *dest_dir, struct store_backup_report *r, struct err *e);
/* On PostgreSQL (the data directory remembers a postgresql:// URI) the database part is
 * DEST/beian.pgdump: pg_dump (custom format) of one snapshot, in which the figures are counted and
 * every material re-hashed. */
/* Bring backup_dir back into data_dir (created; refused unless empty), then check PRAGMA
 * integrity_check, re-hash every referenced material file and verify the audit chain. A
 * PostgreSQL backup (beian.pgdump) goes into the empty database location names, through
 * pg_restore, and data_dir then remembers location. */
int store_restore(const char *backup_dir, const char *data_dir, const char *location, struct store_backup_report *r,
                  struct err *e);

/* ---- after the number (sqlite_records.c) ----------------------------------------------- */

/* Self-inspection reports: row {filing_id, org_id, authority_org_id, kind "scheduled"|"ordered",
 * state, due_on, reason, ordered_by, document, findings, pack, created_by, last_editor_id}. */
int64_t store_inspection_insert(struct store_conn *c, const json_t *row, struct err *e);
json_t *store_inspection_get(struct store_conn *c, int64_t id);
/* Writes state, document, findings, revision, last_editor_id, check_from, submitted_at, decided_at, pack. */
int store_inspection_update(struct store_conn *c, const json_t *row, struct err *e);
/* Without documents, newest first; filing_id 0: all in scope. An authority sees those of its
 * records once submitted, and those it ordered. */
json_t *store_inspection_list(struct store_conn *c, const struct store_scope *scope, int64_t filing_id);
/* The newest report of a kind for a record, or NULL. */
json_t *store_inspection_latest(struct store_conn *c, int64_t filing_id, const char *kind);
/* The record's reports not yet accepted: [{id, kind, state, due_on, submitted_at}]. */
json_t *store_inspection_open(struct store_conn *c, int64_t filing_id);
int64_t store_inspection_notice_insert(struct store_conn *c, int64_t inspection_id, int64_t user_id,
                                       const char *comment, const json_t *items, struct err *e);
json_t *store_inspection_notices(struct store_conn *c, int64_t inspection_id);
int store_inspection_notices_close(struct store_conn *c, int64_t inspection_id, struct err *e);

/* Standing findings of filed records: those still standing [{id, rule, path, severity, detail:
 * {message, source}, since}]; a new one from a finding; one cleared on a day. */
json_t *store_standing_open(struct store_conn *c, int64_t filing_id);
/* The same without the message (detail): [{id, rule, path, since}], for the daily pass, which
 * compares them by rule and path. */
json_t *store_standing_open_keys(struct store_conn *c, int64_t filing_id);
/* How many findings of a record stand and the greatest id among them (0, 0: none): ids only grow
 * and findings are cleared, never deleted, so an equal stamp means the same open findings. */
void store_standing_open_stamp(struct store_conn *c, int64_t filing_id, int64_t *count, int64_t *max_id);
/* The text store_standing_insert keeps of a finding (its message and source; malloc'd), which a
 * caller may make beforehand and pass (detail_text; NULL: made there). */
char *store_standing_detail_text(const json_t *finding);
int store_standing_insert(struct store_conn *c, int64_t filing_id, const json_t *finding, const char *detail_text,
                          const char *since, struct err *e);
int store_standing_clear(struct store_conn *c, int64_t id, const char *day, struct err *e);
/* The day a filed record was last standing-checked: noted, and read (a JSON string, or null). */
int store_filing_standing_checked(struct store_conn *c, int64_t filing_id, const char *day, struct err *e);
json_t *store_standing_checked_on(struct store_conn *c, int64_t filing_id);
/* Recurring evidence of a filed record (kind vuln_scan|training|drill|restore_test, on a day). */
int64_t store_evidence_insert(struct store_conn *c, int64_t filing_id, int64_t org_id, const char *kind, const char *on_date,
                              int64_t material_id, const char *note, int64_t user_id, struct err *e);
json_t *store_evidence_list(struct store_conn *c, int64_t filing_id);
/* The newest day of each kind: {kind: "YYYY-MM-DD"}. */
json_t *store_evidence_latest(struct store_conn *c, int64_t filing_id);
/* Standing findings still standing, counted: {rule: {severity: n}}. */
json_t *store_standing_counts(struct store_conn *c);
/* Up to limit ids [{id}] of filed records with ids above after_id not checked on day yet, in id
 * order. */
json_t *store_records_to_check(struct store_conn *c, const char *day, int64_t after_id, int limit);

/* ---- notifications (sqlite_notify.c) ------------------------------------------------------ */

/* Active users of an organisation holding a role (by its name): [{id, login}]. */
json_t *store_users_with_role(struct store_conn *c, int64_t org_id, const char *role);
/* The in-app inbox: a new item (params as canonical JSON text, sign_canonical: the same text goes to
 * every person an event reaches); a user's items newest first (params parsed) with *unread; mark
 * one (0, or ERR_NOT_FOUND when it is not the user's) or all read. */
int64_t store_inbox_insert(struct store_conn *c, int64_t user_id, const char *event, int64_t filing_id,
                           const char *link, const char *params_text, struct err *e);
json_t *store_inbox_list(struct store_conn *c, int64_t user_id, int limit, int64_t *unread);
int store_inbox_read(struct store_conn *c, int64_t user_id, int64_t id, struct err *e);
int store_inbox_read_all(struct store_conn *c, int64_t user_id, struct err *e);
/* Webhook endpoints: insert (returns id); one (with secret, NULL when deleted); an organisation's
 * live ones (without secret); those of an organisation subscribed to an event; delete (soft). */
int64_t store_webhook_insert(struct store_conn *c, int64_t org_id, const char *url, const json_t *event_types,
                             const char *secret, const char *description, int64_t by, struct err *e);
json_t *store_webhook_get(struct store_conn *c, int64_t id);
json_t *store_webhook_list(struct store_conn *c, int64_t org_id);
json_t *store_webhooks_for_event(struct store_conn *c, int64_t org_id, const char *event);
int store_webhook_delete(struct store_conn *c, int64_t id, struct err *e);
/* The outbox: a pending delivery (channel "webhook"|"email", target: webhook or user id); those due
 * at now (at most limit); one; the deliveries of a webhook, newest first, with their attempts;
 * the result of an attempt (done, or pending again at next_at, or failed); redeliver (pending now).
 * The payload is canonical JSON text, as the inbox's params. */
int64_t store_outbox_insert(struct store_conn *c, const char *channel, int64_t target_id, const char *event,
                            const char *msg_id, const char *payload_text, int64_t now, struct err *e);
json_t *store_outbox_due(struct store_conn *c, int64_t now, int limit);
json_t *store_outbox_get(struct store_conn *c, int64_t id);
json_t *store_outbox_list(struct store_conn *c, const char *channel, int64_t target_id, int limit);
int store_outbox_attempt(struct store_conn *c, int64_t id, const char *state, int64_t next_at, int status,
                         const char *error, int64_t ms, struct err *e);
int store_outbox_redeliver(struct store_conn *c, int64_t id, int64_t now, struct err *e);
/* Counts by state: {pending: n, done: n, failed: n}. */
json_t *store_outbox_counts(struct store_conn *c);
/* A user's e-mail choice {email, lang, email_events} (defaults when unset); replace it. */
json_t *store_notify_prefs_get(struct store_conn *c, int64_t user_id);
int store_notify_prefs_put(struct store_conn *c, int64_t user_id, const char *email, const char *lang,
                           const json_t *email_events, struct err *e);

/* --- drafts (sqlite_drafts.c) --- */
/* A reviewer's rectification request in preparation {filing_id, user_id, items, comment,
 * updated_at} or NULL; store it (replacing the one before); delete it; delete every draft of a
 * filing (when the filing leaves review, the drafts have served). */
json_t *store_rect_draft_get(struct store_conn *c, int64_t filing_id, int64_t user_id);
int store_rect_draft_put(struct store_conn *c, int64_t filing_id, int64_t user_id, const json_t *items,
                         const char *comment, struct err *e);
int store_rect_draft_delete(struct store_conn *c, int64_t filing_id, int64_t user_id, struct err *e);
int store_rect_drafts_clear(struct store_conn *c, int64_t filing_id, struct err *e);

/* ---- exports and statistics (sqlite_exports.c) -------------------------------------------- */

/* Filters of the register: those of the list (store_filing_list) and the kind (initial|change). */
struct register_query {
    const char *state, *region, *type, *q, *kind;
    int64_t system_id;
};
/* Up to limit rows of the register in scope with id > after_id, in id order: {id, kind, state,
 * region, level, type, subject_name, subject_uscc, system_name, number, record_number (of a change
 * filing's record), provider_name, authority_name, submitted_at, due_at, filed_at, decided_at,
 * created_at, updated_at, change_class, late}. */
json_t *store_register_page(struct store_conn *c, const struct store_scope *scope, const struct register_query *q,
                            int64_t after_id, int limit, struct err *e);
/* Counts over the filings in scope: {"state": {state: n}, "type": {type or "": n}, "region": {code
 * or "": n}, "submitted"|"filed"|"rejected": {"YYYY-MM": n}} (a member only when it counts something). */
json_t *store_statistics_counts(struct store_conn *c, const struct store_scope *scope, struct err *e);
/* {reviews_overdue (submitted or under review, not paused, due before today), change_reports_late
 * (change filings reported late), records_with_standing_errors} in scope; today "YYYY-MM-DD". */
json_t *store_statistics_overdue(struct store_conn *c, const struct store_scope *scope, const char *today,
                                 struct err *e);
/* Up to limit reviews that ended, id > after_id, in id order: [{id, submitted_at, decided_at}]. */
json_t *store_review_spans(struct store_conn *c, const struct store_scope *scope, int64_t after_id, int limit,
                           struct err *e);
/* Up to limit filed records the scope supervises, id > after_id, in id order: [{id, filed_at,
 * self_inspection_months}] (what the self-inspection schedule needs, without the document). */
json_t *store_record_schedule_page(struct store_conn *c, const struct store_scope *scope, int64_t after_id, int limit,
                                   struct err *e);

#endif
