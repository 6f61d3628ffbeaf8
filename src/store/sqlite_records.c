/* sqlite_records.c — what the SQLite store keeps of a record after its number: self-inspection
 * reports and their rectification notices, and the standing findings of each filed record. */
#include "store/store.h"
#include "store/sqlite_internal.h"

#include <stdlib.h>
#include <string.h>

static int64_t jint(const json_t *o, const char *k) { return json_integer_value(json_object_get(o, k)); }
static const char *jstr(const json_t *o, const char *k) { return json_string_value(json_object_get(o, k)); }

#define INSPECTION_COLS                                                                                 \
    "id,filing_id,org_id,authority_org_id,kind,state,due_on,reason,ordered_by,document,findings,revision," \
    "last_editor_id,check_from,pack,submitted_at,decided_at,created_by,created_at,updated_at"

int64_t store_inspection_insert(struct store_conn *c, const json_t *r, struct err *e)
{
    char now[32];
    now_rfc3339(now);
    if (db_run(c, e,
               "INSERT INTO inspections(filing_id,org_id,authority_org_id,kind,state,due_on,reason,ordered_by,"
               "document,findings,pack,created_by,last_editor_id,created_at,updated_at) "
               "VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
               "iiIssssIjjsIIss", jint(r, "filing_id"), jint(r, "org_id"), jint(r, "authority_org_id"), jstr(r, "kind"),
               jstr(r, "state"), jstr(r, "due_on"), jstr(r, "reason"), jint(r, "ordered_by"),
               json_object_get(r, "document"), json_object_get(r, "findings"), jstr(r, "pack"), jint(r, "created_by"),
               jint(r, "last_editor_id"), now, now) != 0)
        return -1;
    return db_last_insert_id(c);
}

json_t *store_inspection_get(struct store_conn *c, int64_t id)
{
    return db_one(c, "SELECT " INSPECTION_COLS " FROM inspections WHERE id=?", "i", id);
}

int store_inspection_update(struct store_conn *c, const json_t *r, struct err *e)
{
    char now[32];
    now_rfc3339(now);
    if (db_run(c, e,
               "UPDATE inspections SET state=?, document=?, findings=?, revision=?, last_editor_id=?, check_from=?,"
               " submitted_at=?, decided_at=?, pack=?, updated_at=? WHERE id=?",
               "sjjiIsssssi", jstr(r, "state"), json_object_get(r, "document"), json_object_get(r, "findings"),
               jint(r, "revision"), jint(r, "last_editor_id"), jstr(r, "check_from"), jstr(r, "submitted_at"),
               jstr(r, "decided_at"), jstr(r, "pack"), now, jint(r, "id")) != 0)
        return -1;
    if (db_changes(c) != 1) return err_set(e, ERR_NOT_FOUND, NULL, "no such inspection", "自查报告不存在");
    return 0;
}

json_t *store_inspection_list(struct store_conn *c, const struct store_scope *scope, int64_t filing_id)
{
    /* the enterprise sees its own; an authority those of its records once submitted, or ordered by it */
    static const char *sql =
        "SELECT id,filing_id,org_id,authority_org_id,kind,state,due_on,reason,ordered_by,revision,"
        "submitted_at,decided_at,created_at,updated_at FROM inspections WHERE "
        "(?1 = 1 OR (?2 = 'enterprise' AND org_id = ?3) OR (?2 = 'authority' AND authority_org_id = ?3 AND"
        " (kind = 'ordered' OR submitted_at IS NOT NULL))) AND (?4 = 0 OR filing_id = ?4) ORDER BY id DESC LIMIT 500";
    return db_query(c, NULL, sql, "isii", (int64_t)(scope->admin ? 1 : 0), scope->org_kind ? scope->org_kind : "",
                    scope->org_id, filing_id);
}

json_t *store_inspection_latest(struct store_conn *c, int64_t filing_id, const char *kind)
{
    return db_one(c, "SELECT " INSPECTION_COLS " FROM inspections WHERE filing_id=? AND kind=? ORDER BY id DESC LIMIT 1",
                  "is", filing_id, kind);
}

json_t *store_inspection_open(struct store_conn *c, int64_t filing_id)
{
    return db_query(c, NULL,
                    "SELECT id,kind,state,due_on,submitted_at FROM inspections WHERE filing_id=? AND state<>'accepted'"
                    " ORDER BY id",
                    "i", filing_id);
}

int64_t store_inspection_notice_insert(struct store_conn *c, int64_t inspection_id, int64_t user_id,
                                       const char *comment, const json_t *items, struct err *e)
{
    char now[32];
    now_rfc3339(now);
    if (db_run(c, e, "INSERT INTO inspection_notices(inspection_id,created_by,comment,detail,created_at) VALUES(?,?,?,?,?)",
               "iisjs", inspection_id, user_id, comment, items, now) != 0)
        return -1;
    return db_last_insert_id(c);
}

json_t *store_inspection_notices(struct store_conn *c, int64_t inspection_id)
{
    json_t *rows = db_query(c, NULL,
                            "SELECT id,created_by,comment,detail AS items,created_at,closed_at FROM inspection_notices"
                            " WHERE inspection_id=? ORDER BY id",
                            "i", inspection_id);
    /* detail holds the items as JSON text under the alias "items": parse it here */
    size_t i;
    json_t *r;
    json_array_foreach(rows, i, r) {
        const char *text = jstr(r, "items");
        json_t *items = text ? json_loads(text, 0, NULL) : NULL;
        json_object_set_new(r, "items", items ? items : json_array());
    }
    return rows ? rows : json_array();
}

int store_inspection_notices_close(struct store_conn *c, int64_t inspection_id, struct err *e)
{
    char now[32];
    now_rfc3339(now);
    return db_run(c, e, "UPDATE inspection_notices SET closed_at=? WHERE inspection_id=? AND closed_at IS NULL", "si",
                  now, inspection_id);
}

/* ---- standing findings -------------------------------------------------------------------- */

json_t *store_standing_open(struct store_conn *c, int64_t filing_id)
{
    json_t *rows = db_query(c, NULL,
                            "SELECT id,rule,path,severity,detail,since FROM standing_findings WHERE filing_id=? AND"
                            " cleared_on IS NULL ORDER BY id",
                            "i", filing_id);
    return rows ? rows : json_array();
}

const char STORE_SQL_STANDING_OPEN_KEYS[] =
    "SELECT id,rule,path,since FROM standing_findings WHERE filing_id=? AND cleared_on IS NULL ORDER BY id";

json_t *store_standing_open_keys(struct store_conn *c, int64_t filing_id)
{
    json_t *rows = db_query(c, NULL, STORE_SQL_STANDING_OPEN_KEYS, "i", filing_id);
    return rows ? rows : json_array();
}

char *store_standing_detail_text(const json_t *finding)
{
    json_t *detail = json_pack("{s:O s:O}", "message", json_object_get(finding, "message"), "source",
                               json_object_get(finding, "source"));
    /* as db_run binds JSON (the canonical text) */
    char *text = detail ? json_dumps(detail, JSON_COMPACT | JSON_ENCODE_ANY | JSON_SORT_KEYS) : NULL;
    json_decref(detail);
    return text;
}

void store_standing_open_stamp(struct store_conn *c, int64_t filing_id, int64_t *count, int64_t *max_id)
{
    json_t *row = db_one(c, "SELECT count(*) AS n, coalesce(max(id), 0) AS m FROM standing_findings WHERE filing_id=? AND"
                            " cleared_on IS NULL",
                         "i", filing_id);
    *count = row ? json_integer_value(json_object_get(row, "n")) : -1;
    *max_id = row ? json_integer_value(json_object_get(row, "m")) : -1;
    json_decref(row);
}

int store_standing_insert(struct store_conn *c, int64_t filing_id, const json_t *finding, const char *detail_text,
                          const char *since, struct err *e)
{
    char *own = detail_text ? NULL : store_standing_detail_text(finding);
    if (!detail_text && !own) return err_set(e, ERR_INTERNAL, NULL, "cannot serialise finding", "无法生成发现项");
    int rc = db_run(c, e,
                    "INSERT INTO standing_findings(filing_id,rule,path,severity,detail,since) VALUES(?,?,?,?,?,?)",
                    "isssss", filing_id, jstr(finding, "rule"), jstr(finding, "path") ? jstr(finding, "path") : "",
                    jstr(finding, "severity"), detail_text ? detail_text : own, since);
    free(own);
    return rc;
}

int store_standing_clear(struct store_conn *c, int64_t id, const char *day, struct err *e)
{
    return db_run(c, e, "UPDATE standing_findings SET cleared_on=? WHERE id=? AND cleared_on IS NULL", "si", day, id);
}

int store_filing_standing_checked(struct store_conn *c, int64_t filing_id, const char *day, struct err *e)
{
    return db_run(c, e,
                  "INSERT INTO standing_checks(filing_id,checked_on) VALUES(?,?)"
                  " ON CONFLICT(filing_id) DO UPDATE SET checked_on=excluded.checked_on",
                  "is", filing_id, day);
}

json_t *store_standing_checked_on(struct store_conn *c, int64_t filing_id)
{
    json_t *rows = db_query(c, NULL, "SELECT checked_on FROM standing_checks WHERE filing_id=?", "i", filing_id);
    json_t *day = json_incref(json_object_get(json_array_get(rows, 0), "checked_on"));
    json_decref(rows);
    return day ? day : json_null();
}

json_t *store_records_to_check(struct store_conn *c, const char *day, int64_t after_id, int limit)
{
    /* from after_id on: a pass over a million records must not re-read the ones it has checked */
    json_t *rows = db_query(c, NULL,
                            "SELECT f.id FROM filings f LEFT JOIN standing_checks s ON s.filing_id=f.id"
                            " WHERE f.id>? AND f.kind='initial' AND f.state='filed' AND"
                            " (s.checked_on IS NULL OR s.checked_on < ?) ORDER BY f.id LIMIT ?",
                            "isi", after_id, day, (int64_t)limit);
    return rows ? rows : json_array();
}

json_t *store_standing_counts(struct store_conn *c)
{
    json_t *rows = db_query(c, NULL,
                            "SELECT rule, severity, count(*) AS n FROM standing_findings WHERE cleared_on IS NULL"
                            " GROUP BY rule, severity ORDER BY rule, severity",
                            "");
    json_t *out = json_object();
    size_t i;
    json_t *r;
    json_array_foreach(rows, i, r) {
        json_t *by = json_object_get(out, jstr(r, "rule"));
        if (!by) json_object_set_new(out, jstr(r, "rule"), by = json_object());
        json_object_set(by, jstr(r, "severity"), json_object_get(r, "n"));
    }
    json_decref(rows);
    return out;
}

/* ---- recurring evidence -------------------------------------------------------------------- */

int64_t store_evidence_insert(struct store_conn *c, int64_t filing_id, int64_t org_id, const char *kind, const char *on_date,
                              int64_t material_id, const char *note, int64_t user_id, struct err *e)
{
    char now[32];
    now_rfc3339(now);
    if (db_run(c, e,
               "INSERT INTO record_evidence(filing_id,org_id,kind,on_date,material_id,note,created_by,created_at)"
               " VALUES(?,?,?,?,?,?,?,?)",
               "iissIsis", filing_id, org_id, kind, on_date, material_id, note, user_id, now) != 0)
        return -1;
    return db_last_insert_id(c);
}

json_t *store_evidence_list(struct store_conn *c, int64_t filing_id)
{
    json_t *rows = db_query(c, NULL,
                            "SELECT id,kind,on_date,material_id,note,created_by,created_at FROM record_evidence"
                            " WHERE filing_id=? ORDER BY on_date DESC, id DESC",
                            "i", filing_id);
    return rows ? rows : json_array();
}

json_t *store_evidence_latest(struct store_conn *c, int64_t filing_id)
{
    json_t *rows = db_query(c, NULL, "SELECT kind, max(on_date) AS on_date FROM record_evidence WHERE filing_id=? GROUP BY kind",
                            "i", filing_id);
    json_t *out = json_object();
    size_t i;
    json_t *r;
    json_array_foreach(rows, i, r) json_object_set(out, jstr(r, "kind"), json_object_get(r, "on_date"));
    json_decref(rows);
    return out;
}
