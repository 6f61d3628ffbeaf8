/* sqlite_proofs.c — the SQLite side of the verifiable log: the audit entries' chain hashes as
 * the leaves of the Merkle tree, and the signed statements (certificates, receipts) issued for
 * filings, kept as the envelopes that were handed out. Same conventions as sqlite.c. */
#include "store/store.h"
#include "store/sqlite_internal.h"
#include "core/sign.h"

#include <stdlib.h>
#include <string.h>

int64_t store_audit_size(struct store_conn *c)
{
    json_t *r = db_one(c, "SELECT count(*) AS n FROM audit", "");
    int64_t n = r ? json_integer_value(json_object_get(r, "n")) : -1;
    json_decref(r);
    return n;
}

json_t *store_audit_last(struct store_conn *c)
{
    return db_one(c, "SELECT id, hash, action, filing_id FROM audit ORDER BY id DESC LIMIT 1", "");
}

/* One row of store_audit_hashes' walk into its buffer. */
struct hashes_walk { uint8_t *out; int64_t from, n; bool bad; };

static int hashes_row(const json_t *row, void *arg)
{
    struct hashes_walk *w = arg;
    const char *h = json_string_value(json_object_get(row, "hash"));
    if (json_integer_value(json_object_get(row, "id")) != w->from + w->n + 1 || sign_unhex(h, w->out + w->n * 32, 32) != 0) {
        w->bad = true;
        return 1;
    }
    w->n++;
    return 0;
}

uint8_t *store_audit_hashes(struct store_conn *c, int64_t from, int64_t size, struct err *e)
{
    /* Audit ids run 1, 2, 3, … without gaps (store_audit_append; no entry is ever deleted), so
     * the entry with id i is leaf i-1. */
    if (from < 0 || from > size) {
        err_set(e, ERR_INTERNAL, NULL, "bad audit range", "审计范围错误");
        return NULL;
    }
    /* row by row into the buffer: a server's first checkpoint reads every entry of the log, and
     * as one array of rows that was ≈ 300 bytes an entry at once (15 MB for 50,000) */
    struct hashes_walk w = {malloc(size > from ? (size_t)(size - from) * 32 : 1), from, 0, false};
    if (!w.out) { err_set(e, ERR_INTERNAL, NULL, "out of memory", "内存不足"); return NULL; }
    if (db_each(c, e, "SELECT id, hash FROM audit WHERE id > ? AND id <= ? ORDER BY id", "ii", hashes_row, &w, from,
                size) != 0) {
        free(w.out);
        return NULL;
    }
    if (w.bad) {
        free(w.out);
        err_set(e, ERR_INTERNAL, NULL, "audit entry %lld is malformed", "审计记录 %lld 格式错误", (long long)(from + w.n + 1));
        return NULL;
    }
    if (w.n != size - from) {
        free(w.out);
        err_set(e, ERR_NOT_FOUND, NULL, "the audit log has fewer than %lld entries", "审计日志不足 %lld 条", (long long)size);
        return NULL;
    }
    return w.out;
}

int store_statement_insert(struct store_conn *c, int64_t filing_id, const char *kind, int64_t seq,
                           const char *action, const char *envelope, struct err *e)
{
    char now[32];
    now_rfc3339(now);
    return db_run(c, e, "INSERT INTO signed_statements(filing_id, kind, seq, action, envelope, created_at) "
                        "VALUES(?,?,?,?,?,?)", "isisss", filing_id, kind, seq, action, envelope, now);
}

int64_t store_statement_next_seq(struct store_conn *c, int64_t filing_id, const char *kind)
{
    json_t *r = db_one(c, "SELECT coalesce(max(seq), 0) + 1 AS n FROM signed_statements WHERE filing_id=? AND kind=?",
                       "is", filing_id, kind);
    int64_t n = r ? json_integer_value(json_object_get(r, "n")) : 1;
    json_decref(r);
    return n;
}

json_t *store_statement_list(struct store_conn *c, int64_t filing_id, const char *kind)
{
    return db_query(c, NULL, "SELECT seq, action, envelope, created_at FROM signed_statements "
                             "WHERE filing_id=? AND kind=? ORDER BY seq", "is", filing_id, kind);
}

json_t *store_statement_get(struct store_conn *c, int64_t filing_id, const char *kind, int64_t seq)
{
    if (seq > 0)
        return db_one(c, "SELECT seq, action, envelope, created_at FROM signed_statements "
                         "WHERE filing_id=? AND kind=? AND seq=?", "isi", filing_id, kind, seq);
    return db_one(c, "SELECT seq, action, envelope, created_at FROM signed_statements "
                     "WHERE filing_id=? AND kind=? ORDER BY seq DESC LIMIT 1", "is", filing_id, kind);
}
