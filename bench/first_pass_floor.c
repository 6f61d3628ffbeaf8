/* first_pass_floor.c — the floor under the first pass of the standing check (bench/impact.sh): a
 * plain C loop that writes the rows that pass writes, and nothing else. For each of N records it
 * inserts the standing findings, the audit entries (each hashed with SHA-256 over the one before
 * it, a chain as beian's) and the inbox items beian wrote for one record of the same database, and
 * notes the day the record was checked; 1,000 records a transaction, on one connection, with
 * beian's settings (WAL, synchronous=FULL, foreign keys on). No evaluation, no JSON, no
 * notification choices: what is left is what SQLite costs to keep those rows.
 * Usage: first_pass_floor TEMPLATE_DB FILING_ID DB N — the rows of FILING_ID in TEMPLATE_DB (a
 * database after the first pass) are the template; the copies go to the first N filed records of
 * DB (a copy of the same database before the pass). Prints the seconds taken and the rows written. */
#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { BATCH = 1000, MAX_ROWS = 64, MAX_COLS = 16 };

/* The template: one table's rows of the record, every column but the id, as text or NULL. */
struct rows {
    int n, cols;
    char *names[MAX_COLS];
    char *values[MAX_ROWS][MAX_COLS];
};

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(sqlite3 *db, const char *what)
{
    fprintf(stderr, "first_pass_floor: %s: %s\n", what, sqlite3_errmsg(db));
    exit(1);
}

static void load(sqlite3 *db, const char *sql, long long filing_id, struct rows *out)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) die(db, sql);
    sqlite3_bind_int64(st, 1, filing_id);
    memset(out, 0, sizeof *out);
    out->cols = sqlite3_column_count(st);
    for (int c = 0; c < out->cols && c < MAX_COLS; c++) out->names[c] = strdup(sqlite3_column_name(st, c));
    while (sqlite3_step(st) == SQLITE_ROW && out->n < MAX_ROWS) {
        for (int c = 0; c < out->cols && c < MAX_COLS; c++) {
            const unsigned char *t = sqlite3_column_text(st, c);
            out->values[out->n][c] = t ? strdup((const char *)t) : NULL;
        }
        out->n++;
    }
    sqlite3_finalize(st);
}

/* INSERT INTO table(the template's columns) VALUES(?…) */
static sqlite3_stmt *insert_of(sqlite3 *db, const char *table, const struct rows *r)
{
    char sql[2048];
    int len = snprintf(sql, sizeof sql, "INSERT INTO %s(", table);
    for (int c = 0; c < r->cols; c++) len += snprintf(sql + len, sizeof sql - (size_t)len, "%s%s", c ? "," : "", r->names[c]);
    len += snprintf(sql + len, sizeof sql - (size_t)len, ") VALUES(");
    for (int c = 0; c < r->cols; c++) len += snprintf(sql + len, sizeof sql - (size_t)len, "%s?", c ? "," : "");
    snprintf(sql + len, sizeof sql - (size_t)len, ")");
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) die(db, sql);
    return st;
}

static int column(const struct rows *r, const char *name)
{
    for (int c = 0; c < r->cols; c++) if (strcmp(r->names[c], name) == 0) return c;
    return -1;
}

static void step(sqlite3 *db, sqlite3_stmt *st)
{
    if (sqlite3_step(st) != SQLITE_DONE) die(db, "insert");
    sqlite3_reset(st);
}

/* One copy of the template's rows for filing_id; audit entries chained from prev (64 hex). */
static long long write_rows(sqlite3 *db, sqlite3_stmt *st, const struct rows *r, long long filing_id, char prev[65])
{
    int fid = column(r, "filing_id"), ph = column(r, "prev_hash"), h = column(r, "hash");
    for (int i = 0; i < r->n; i++) {
        crypto_hash_sha256_state sha;
        if (h >= 0) {
            crypto_hash_sha256_init(&sha);
            crypto_hash_sha256_update(&sha, (const unsigned char *)prev, 64);
        }
        for (int c = 0; c < r->cols; c++) {
            if (c == fid) sqlite3_bind_int64(st, c + 1, filing_id);
            else if (c == ph) sqlite3_bind_text(st, c + 1, prev, 64, SQLITE_TRANSIENT);
            else if (c == h) continue;
            else if (r->values[i][c]) sqlite3_bind_text(st, c + 1, r->values[i][c], -1, SQLITE_STATIC);
            else sqlite3_bind_null(st, c + 1);
            if (h >= 0 && c != h && c != ph && r->values[i][c])
                crypto_hash_sha256_update(&sha, (const unsigned char *)r->values[i][c], strlen(r->values[i][c]));
        }
        if (h >= 0) {
            unsigned char digest[32];
            crypto_hash_sha256_final(&sha, digest);
            sodium_bin2hex(prev, 65, digest, sizeof digest);
            sqlite3_bind_text(st, h + 1, prev, 64, SQLITE_TRANSIENT);
        }
        step(db, st);
    }
    return r->n;
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: first_pass_floor TEMPLATE_DB FILING_ID DB N\n");
        return 2;
    }
    long long template_id = atoll(argv[2]), n = atoll(argv[4]);
    sqlite3 *db;
    if (sodium_init() < 0 || sqlite3_open_v2(argv[1], &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) return 1;
    struct rows findings, audit, inbox;
    load(db, "SELECT filing_id,rule,path,severity,detail,since FROM standing_findings WHERE filing_id=? ORDER BY id", template_id, &findings);
    load(db, "SELECT at,actor_user_id,actor_org_id,action,object_type,object_id,filing_id,org_id,detail,prev_hash,hash"
             " FROM audit WHERE filing_id=? AND action LIKE 'standing.%' ORDER BY id", template_id, &audit);
    load(db, "SELECT user_id,event,audit_id,filing_id,link,params,created_at FROM notify_inbox WHERE filing_id=?"
             " AND event LIKE 'standing.%' ORDER BY id", template_id, &inbox);
    if (findings.n == 0 || audit.n == 0) {
        fprintf(stderr, "first_pass_floor: record %lld has no standing findings to copy\n", template_id);
        return 1;
    }
    sqlite3_close(db);
    if (sqlite3_open(argv[3], &db) != SQLITE_OK) return 1;
    if (sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=5000",
                     NULL, NULL, NULL) != SQLITE_OK)
        die(db, "pragmas");
    sqlite3_stmt *ins_f = insert_of(db, "standing_findings", &findings), *ins_a = insert_of(db, "audit", &audit),
                 *ins_i = inbox.n ? insert_of(db, "notify_inbox", &inbox) : NULL, *checked, *last;
    if (sqlite3_prepare_v2(db, "INSERT INTO standing_checks(filing_id,checked_on) VALUES(?,'2999-01-01')"
                               " ON CONFLICT(filing_id) DO UPDATE SET checked_on=excluded.checked_on", -1, &checked, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "SELECT hash FROM audit ORDER BY id DESC LIMIT 1", -1, &last, NULL) != SQLITE_OK)
        die(db, "prepare");
    long long *ids = calloc((size_t)n, sizeof *ids), found = 0;
    sqlite3_stmt *filed;
    if (!ids || sqlite3_prepare_v2(db, "SELECT id FROM filings WHERE kind='initial' AND state='filed' ORDER BY id LIMIT ?", -1,
                                   &filed, NULL) != SQLITE_OK)
        die(db, "filed records");
    sqlite3_bind_int64(filed, 1, n);
    while (sqlite3_step(filed) == SQLITE_ROW) ids[found++] = sqlite3_column_int64(filed, 0);
    sqlite3_finalize(filed);
    n = found;
    char prev[65] = {0};
    if (sqlite3_step(last) == SQLITE_ROW) snprintf(prev, sizeof prev, "%s", (const char *)sqlite3_column_text(last, 0));
    sqlite3_finalize(last);
    long long rows = 0;
    double start = now();
    for (long long i = 0; i < n; i++) {
        if (i % BATCH == 0 && sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) die(db, "begin");
        rows += write_rows(db, ins_f, &findings, ids[i], prev);
        rows += write_rows(db, ins_a, &audit, ids[i], prev);
        if (ins_i) rows += write_rows(db, ins_i, &inbox, ids[i], prev);
        sqlite3_bind_int64(checked, 1, ids[i]);
        step(db, checked);
        rows++;
        if (((i + 1) % BATCH == 0 || i + 1 == n) && sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) die(db, "commit");
    }
    printf("%.1f %lld\n", now() - start, rows);
    sqlite3_finalize(ins_f);
    sqlite3_finalize(ins_a);
    if (ins_i) sqlite3_finalize(ins_i);
    sqlite3_finalize(checked);
    sqlite3_close(db);
    free(ids);
    return 0;
}
