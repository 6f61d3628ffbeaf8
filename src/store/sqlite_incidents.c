/* sqlite_incidents.c — the SQLite side of security incidents on filed records (see
 * service/incidents.c): the incidents, their append-only updates, and the scoped lists and counts
 * of the incident queue. Times are RFC 3339 UTC texts of one fixed width, so that comparing texts
 * compares times. Same conventions as sqlite.c: bound values only, cached statements. */
#include "store/store.h"
#include "store/sqlite_internal.h"

/* Who sees an incident: the platform admin all; the record's enterprise its own; the authority of
 * the record (filings.authority_org_id, visible to it) those of its records; nobody else (the
 * provider of the record does not). ?1 admin, ?2 org kind, ?3 org id. */
#define INCIDENT_SCOPE                                                                             \
    "(?1 = 1 OR (?2 = 'enterprise' AND i.org_id = ?3) "                                            \
    " OR (?2 = 'authority' AND f.authority_org_id = ?3 AND f.authority_visible = 1)) "

#define INCIDENT_SELECT                                                                            \
    "SELECT i.*, f.number, f.system_name, f.subject_name, f.authority_org_id, f.authority_visible "  \
    "FROM incidents i "                                                                            \
    "JOIN filings f ON f.id = i.filing_id "

int64_t store_incident_insert(struct store_conn *c, const struct store_incident *in, struct err *e)
{
    if (db_run(c, e,
               "INSERT INTO incidents(filing_id,org_id,level,title,summary,measures,detected_at,reported_at,"
               "reported_by,pack,first_report_hours,closure_days,first_report_due_at,closure_due_at,"
               "late_first_report,state) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,'open')",
               "iissssssisiissi", in->filing_id, in->org_id, in->level, in->title, in->summary, in->measures,
               in->detected_at, in->reported_at, in->reported_by, in->pack, in->first_report_hours,
               in->closure_days, in->first_report_due_at, in->closure_due_at,
               (int64_t)(in->late_first_report ? 1 : 0)) != 0)
        return -1;
    return db_last_insert_id(c);
}

json_t *store_incident_get(struct store_conn *c, int64_t id)
{
    return db_one(c, INCIDENT_SELECT "WHERE i.id = ?", "i", id);
}

json_t *store_incident_list(struct store_conn *c, const struct store_scope *scope, const struct incident_query *q,
                            struct err *e)
{
    return db_query(c, e,
                    INCIDENT_SELECT "WHERE " INCIDENT_SCOPE
                    "AND (?4 = '' OR i.state = ?4) AND (?5 = 0 OR i.late_first_report = 1) "
                    "AND (?6 = 0 OR (i.state = 'open' AND i.closure_due_at < ?7)) AND (?8 = 0 OR i.filing_id = ?8) "
                    "ORDER BY i.id DESC LIMIT 500",
                    "isisiisi", (int64_t)(scope->admin ? 1 : 0), scope->org_kind ? scope->org_kind : "",
                    scope->org_id, q->state ? q->state : "", (int64_t)(q->late ? 1 : 0),
                    (int64_t)(q->overdue ? 1 : 0), q->now, q->filing_id);
}

json_t *store_incident_counts(struct store_conn *c, const struct store_scope *scope, const char *now)
{
    json_t *row = db_one(c,
                         "SELECT count(*) AS total, coalesce(sum(CASE WHEN i.state = 'open' THEN 1 ELSE 0 END), 0) AS open, "
                         "coalesce(sum(CASE WHEN i.state = 'closed' THEN 1 ELSE 0 END), 0) AS closed, "
                         "coalesce(sum(i.late_first_report), 0) AS late_first_report, "
                         "coalesce(sum(CASE WHEN i.state = 'open' AND i.closure_due_at < ?4 THEN 1 ELSE 0 END), 0) "
                         "AS closure_overdue "
                         "FROM incidents i JOIN filings f ON f.id = i.filing_id WHERE " INCIDENT_SCOPE,
                         "isis", (int64_t)(scope->admin ? 1 : 0), scope->org_kind ? scope->org_kind : "",
                         scope->org_id, now);
    return row ? row : json_object();
}

int store_incident_update_insert(struct store_conn *c, int64_t incident_id, const char *text, int64_t by,
                                 struct err *e)
{
    char now[32];
    now_rfc3339(now);
    return db_run(c, e, "INSERT INTO incident_updates(incident_id,text,created_by,created_at) VALUES(?,?,?,?)",
                  "isis", incident_id, text, by, now);
}

json_t *store_incident_updates(struct store_conn *c, int64_t incident_id)
{
    return db_query(c, NULL, "SELECT * FROM incident_updates WHERE incident_id = ? ORDER BY id", "i", incident_id);
}

int store_incident_close(struct store_conn *c, int64_t id, const struct store_incident_closure *cl, struct err *e)
{
    char now[32];
    now_rfc3339(now);
    if (db_run(c, e,
               "UPDATE incidents SET state='closed', closure_cause=?, closure_impact=?, personal_data_involved=?, "
               "individuals_affected=?, closure_measures=?, closed_at=?, closed_by=? WHERE id=? AND state='open'",
               "ssiissii", cl->cause, cl->impact, (int64_t)(cl->personal_data ? 1 : 0), cl->individuals,
               cl->measures, now, cl->by, id) != 0)
        return -1;
    if (db_changes(c) != 1)
        return err_set(e, ERR_CONFLICT, NULL, "the incident is already closed", "该事件已结案");
    return 0;
}

int store_incident_order_inspection(struct store_conn *c, int64_t id, const char *reason, const char *due_date,
                                    int64_t by, struct err *e)
{
    char now[32];
    now_rfc3339(now);
    if (db_run(c, e,
               "UPDATE incidents SET inspection_reason=?, inspection_due_date=?, inspection_ordered_by=?, "
               "inspection_ordered_at=? WHERE id=? AND inspection_ordered_at IS NULL",
               "ssisi", reason, due_date, by, now, id) != 0)
        return -1;
    if (db_changes(c) != 1)
        return err_set(e, ERR_CONFLICT, NULL, "an extra inspection is already ordered for this incident",
                       "该事件已下达过加查指令");
    return 0;
}
