/* store_filings.c — filings and their frozen versions, numbering, rectification notices,
 * override requests, and the counts by state. */
#include "store/db.h"
#include "core/json_text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- filings */


int64_t store_filing_insert(struct store_conn *c, const json_t *r, struct err *e)
{
    char now[32];
    now_rfc3339(now);
    if (db_run(c, e,
               "INSERT INTO filings(system_id,org_id,kind,parent_id,state,provider_org_id,region,level,type,"
               "subject_name,system_name,document,revision,pack,created_at,updated_at,last_editor_id,findings,derived,"
               "provider_evaluation_id) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,1,?,?,?,?,?,?,?)",
               "iisIsIsIsssjsssIjjI", db_jint(r, "system_id"), db_jint(r, "org_id"), db_jstr(r, "kind"), db_jint(r, "parent_id"),
               db_jstr(r, "state"), db_jint(r, "provider_org_id"), db_jstr(r, "region"), db_jint(r, "level"), db_jstr(r, "type"),
               db_jstr(r, "subject_name"), db_jstr(r, "system_name"), json_object_get(r, "document"), db_jstr(r, "pack"),
               now, now, db_jint(r, "last_editor_id"), json_object_get(r, "findings"), json_object_get(r, "derived"),
               db_jint(r, "provider_evaluation_id")) != 0)
        return -1;
    return db_last_insert_id(c);
}

json_t *store_filing_get(struct store_conn *c, int64_t id)
{
    return db_one(c, "SELECT * FROM filings WHERE id=?", "i", id);
}

/* written_was < 0: unconditional */
static int save_document(struct store_conn *c, const json_t *r, int64_t written_was, struct err *e)
{
    char now[32];
    now_rfc3339(now);
    const char *updated_at = db_jstr(r, "updated_at") ? db_jstr(r, "updated_at") : now;
    /* findings and derived: JSON text when the caller made it, else made here */
    char *owned[2] = {NULL, NULL};
    const char *text[2];
    static const char *const JSON_MEMBERS[] = {"findings", "derived"};
    for (int i = 0; i < 2; i++) {
        const json_t *v = json_object_get(r, JSON_MEMBERS[i]);
        text[i] = json_is_string(v) ? json_string_value(v) : v ? (owned[i] = json_canonical(v, NULL)) : NULL;
        if (v && !text[i]) {
            free(owned[0]);
            return err_set(e, ERR_INTERNAL, NULL, "out of memory", "内存不足");
        }
    }
    /* a newly named provider sees the filing only once it is asked to confirm it */
#define SAVE_DOCUMENT(same_as, where)                                                              \
    "UPDATE filings SET document=?,findings=?,derived=?,revision=?,last_editor_id=?,subject_name=?," \
    "system_name=?,region=?,level=?,provider_org_id=?,"                                            \
    "provider_visible=CASE WHEN provider_org_id " same_as " ? THEN provider_visible ELSE 0 END,"   \
    "type=?,pack=?,updated_at=?,provider_evaluation_id=?,written=written+1 " where
#define SAVE_DOCUMENT_ARGS "sssiisssIIIsssIi"
    bool guarded = written_was >= 0;
    const char *sql = guarded ? db_sql(c, SAVE_DOCUMENT("IS", "WHERE id=? AND written=?"),
                                       SAVE_DOCUMENT("IS NOT DISTINCT FROM", "WHERE id=? AND written=?"))
                              : db_sql(c, SAVE_DOCUMENT("IS", "WHERE id=?"), SAVE_DOCUMENT("IS NOT DISTINCT FROM", "WHERE id=?"));
    /* the count is bound only where the guard asks for it (db_run reads as many arguments as the
     * format names) */
    int rc = db_run(c, e, sql, guarded ? SAVE_DOCUMENT_ARGS "i" : SAVE_DOCUMENT_ARGS, db_jstr(r, "document"), text[0],
                    text[1], db_jint(r, "revision"), db_jint(r, "last_editor_id"), db_jstr(r, "subject_name"),
                    db_jstr(r, "system_name"), db_jstr(r, "region"), db_jint(r, "level"), db_jint(r, "provider_org_id"),
                    db_jint(r, "provider_org_id"), db_jstr(r, "type"), db_jstr(r, "pack"), updated_at,
                    db_jint(r, "provider_evaluation_id"), db_jint(r, "id"), written_was);
    free(owned[0]);
    free(owned[1]);
    if (rc != 0) return -1;
    if (db_changes(c) == 1) return 0;
    if (guarded) return 1;
    return err_set(e, ERR_NOT_FOUND, NULL, "no such filing", "备案不存在");
}

int store_filing_save_document(struct store_conn *c, const json_t *r, struct err *e)
{
    return save_document(c, r, -1, e);
}

int store_filing_save_document_if(struct store_conn *c, const json_t *r, int64_t written_was, struct err *e)
{
    return written_was < 0 ? 1 : save_document(c, r, written_was, e);   /* a count never read: moved */
}

json_t *store_filing_get_raw(struct store_conn *c, int64_t id)
{
    return first_row(db_query_raw(c, NULL, "SELECT * FROM filings WHERE id=?", "i", id));
}

/* SELECT *'s columns in its order (the reply of a save is the row with the new values in their
 * places). A column a migration adds must be added here: test_store's
 * test_the_rows_read_for_a_save_are_the_whole_row fails until it is. */
#define FILING_COLUMNS(document)                                                                        \
    "id,system_id,org_id,kind,parent_id,state,check_from,provider_org_id,authority_org_id,reviewer_id,"  \
    "last_editor_id,region,level,type,subject_name,system_name," document ",revision,current_version,"  \
    "record_version,number,pack,submitted_at,due_at,paused_remaining,filed_at,decided_at,version_date,"  \
    "provider_visible,authority_visible,created_at,updated_at,NULL AS findings,NULL AS derived,"         \
    "provider_evaluation_id,standing_checked_on,effective_on,reported_on,change_class,late,late_reason,"  \
    "objection_due,objected_at,written"

json_t *store_filing_get_for_save(struct store_conn *c, int64_t id, bool with_document)
{
    return first_row(with_document
                         ? db_query_raw(c, NULL, "SELECT " FILING_COLUMNS("document") " FROM filings WHERE id=?", "i", id)
                         : db_query_raw(c, NULL, "SELECT " FILING_COLUMNS("NULL AS document") " FROM filings WHERE id=?",
                                        "i", id));
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
               "findings=?,derived=?,provider_evaluation_id=?,written=written+1 WHERE id=?",
               "ssIIIIsIsssjiiIssssIsssiisjjIi",
               db_jstr(r, "state"), db_jstr(r, "check_from"), db_jint(r, "provider_org_id"), db_jint(r, "authority_org_id"),
               db_jint(r, "reviewer_id"), db_jint(r, "last_editor_id"), db_jstr(r, "region"), db_jint(r, "level"),
               db_jstr(r, "type"), db_jstr(r, "subject_name"), db_jstr(r, "system_name"), json_object_get(r, "document"),
               db_jint(r, "revision"), db_jint(r, "current_version"), db_jint(r, "record_version"), db_jstr(r, "number"),
               db_jstr(r, "pack"), db_jstr(r, "submitted_at"), db_jstr(r, "due_at"), db_jint(r, "paused_remaining"),
               db_jstr(r, "filed_at"), db_jstr(r, "decided_at"), db_jstr(r, "version_date"), db_jint(r, "provider_visible"),
               db_jint(r, "authority_visible"), now, json_object_get(r, "findings"), json_object_get(r, "derived"),
               db_jint(r, "provider_evaluation_id"), db_jint(r, "id")) != 0)
        return -1;
    if (db_changes(c) != 1) return err_set(e, ERR_NOT_FOUND, NULL, "no such filing", "备案不存在");
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
        *next_cursor = db_jint(json_array_get(rows, (size_t)limit - 1), "id");
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
    return db_each(c, e, sql, "isi", fn, arg, (int64_t)(scope->admin ? 1 : 0), scope->org_kind ? scope->org_kind : "",
                   scope->org_id);
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
                  "objected_at=?,written=written+1 WHERE id=?",
                  "sssisssi", db_jstr(r, "effective_on"), db_jstr(r, "reported_on"), db_jstr(r, "change_class"),
                  is_late, db_jstr(r, "late_reason"),
                  db_jstr(r, "objection_due"), db_jstr(r, "objected_at"), db_jint(r, "id"));
}

int64_t store_filing_minor_in_window(struct store_conn *c, int64_t parent_id, const char *today)
{
    json_t *r = db_one(c, "SELECT id FROM filings WHERE parent_id=? AND state='minor_recorded' AND objection_due>=? "
                          "ORDER BY id DESC LIMIT 1", "is", parent_id, today);
    int64_t id = db_jint(r, "id");
    json_decref(r);
    return id;
}

/* Its WHERE repeats the partial index filings_system_live (migration 14) so that the index applies. */
const char STORE_SQL_OTHER_LIVE_FILING[] =
    "SELECT id, state, number FROM filings WHERE system_id=? AND kind='initial' AND id<>? "
    "AND state NOT IN ('draft','rejected','withdrawn','cancelled','revoked') ORDER BY id LIMIT 1";

json_t *store_system_other_live_filing(struct store_conn *c, int64_t system_id, int64_t filing_id)
{
    return db_one(c, STORE_SQL_OTHER_LIVE_FILING, "ii", system_id, filing_id);
}

json_t *store_filing_by_number(struct store_conn *c, const char *number)
{
    return db_one(c, "SELECT * FROM filings WHERE number=? AND kind='initial'", "s", number);
}

int64_t store_next_number_seq(struct store_conn *c, int64_t authority_id, int year, struct err *e)
{
    if (db_run(c, e, "INSERT INTO number_seq(authority_org_id,year,seq) VALUES(?,?,1) "
                     "ON CONFLICT(authority_org_id,year) DO UPDATE SET seq=number_seq.seq+1",
               "ii", authority_id, (int64_t)year) != 0)
        return -1;
    json_t *r = db_one(c, "SELECT seq FROM number_seq WHERE authority_org_id=? AND year=?", "ii",
                       authority_id, (int64_t)year);
    int64_t seq = db_jint(r, "seq");
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
    int64_t rid = db_last_insert_id(c);
    size_t i;
    json_t *it;
    json_array_foreach(items, i, it) {
        if (db_run(c, e, "INSERT INTO rectification_items(rectification_id,path,message) VALUES(?,?,?)", "iss",
                   rid, db_jstr(it, "path"), db_jstr(it, "message")) != 0)
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
                                 "i", db_jint(r, "id"));
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

/* ---------------------------------------------------------------- override requests, counts */


int64_t store_override_insert(struct store_conn *c, int64_t filing_id, const char *rule, const char *reason,
                              int64_t material_id, int64_t by, struct err *e)
{
    char now[32];
    now_rfc3339(now);
    if (db_run(c, e, "INSERT INTO overrides(filing_id,rule,reason,material_id,state,requested_by,requested_at) "
                     "VALUES(?,?,?,?,'requested',?,?)", "issIis", filing_id, rule, reason, material_id, by, now) != 0)
        return -1;
    return db_last_insert_id(c);
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
    json_array_foreach(rows, i, r) json_object_set(out, db_jstr(r, "state"), json_object_get(r, "n"));
    json_decref(rows);
    return out;
}
