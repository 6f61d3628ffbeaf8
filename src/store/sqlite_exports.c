/* sqlite_exports.c — the queries behind the register exports and the statistics (store.h, "exports
 * and statistics"): the register a page at a time in id order (so that an export of any size holds
 * one page in memory), and the figures counted by SQLite itself (GROUP BY), never by loading filings.
 *
 * Every statement is scoped like store_filing_list: the scope's columns are compared against bound
 * values (?1 admin, ?2 org kind, ?3 org id), so a caller only ever counts or exports what it may list. */
#include "store/store.h"
#include "store/sqlite_internal.h"

#include <stdio.h>
#include <string.h>

/* What a scope may list (as store_filing_list). */
#define FILING_SCOPE                                                                                 \
    "(?1 = 1 OR (?2 = 'enterprise' AND f.org_id = ?3) "                                            \
    "  OR (?2 = 'provider' AND f.provider_org_id = ?3 AND f.provider_visible = 1) "                \
    "  OR (?2 = 'authority' AND f.authority_org_id = ?3 AND f.authority_visible = 1))"
/* The filed records a scope supervises (as store_filing_each_record): its enterprise's and its
 * authority's; a provider supervises none. */
#define RECORD_SCOPE                                                                                 \
    "f.kind = 'initial' AND f.state = 'filed' "                                                    \
    "AND (?1 = 1 OR (?2 = 'authority' AND f.authority_org_id = ?3) OR (?2 = 'enterprise' AND f.org_id = ?3))"

#define SCOPE_ARGS(s) (int64_t)((s)->admin ? 1 : 0), (s)->org_kind ? (s)->org_kind : "", (s)->org_id

static const char *nonempty(const char *s) { return s && *s ? s : NULL; }

json_t *store_register_page(struct store_conn *c, const struct store_scope *scope, const struct register_query *q,
                            int64_t after_id, int limit, struct err *e)
{
    static const char *sql =
        "SELECT f.id, f.kind, f.state, f.region, f.level, f.type, f.subject_name, o.uscc AS subject_uscc, "
        "f.system_name, f.number, p.number AS record_number, pv.name AS provider_name, au.name AS authority_name, "
        "f.submitted_at, f.due_at, f.filed_at, f.decided_at, f.created_at, f.updated_at, f.change_class, f.late "
        "FROM filings f JOIN orgs o ON o.id = f.org_id LEFT JOIN orgs pv ON pv.id = f.provider_org_id "
        "LEFT JOIN orgs au ON au.id = f.authority_org_id LEFT JOIN filings p ON p.id = f.parent_id "
        "WHERE " FILING_SCOPE " "
        "AND (?4 IS NULL OR f.state = ?4) AND (?5 IS NULL OR f.region LIKE ?5 || '%') "
        "AND (?6 IS NULL OR f.type = ?6) "
        "AND (?7 IS NULL OR instr(f.system_name, ?7) > 0 OR instr(f.subject_name, ?7) > 0 "
        "     OR instr(coalesce(f.number,''), ?7) > 0) "
        "AND (?8 = 0 OR f.system_id = ?8) AND (?9 IS NULL OR f.kind = ?9) AND f.id > ?10 "
        "ORDER BY f.id LIMIT ?11";
    /* a province code filters by its 2-digit prefix, a city by 4 (as the list) */
    char prefix[8] = {0};
    const char *rp = NULL;
    if (nonempty(q->region)) {
        snprintf(prefix, sizeof prefix, "%s", q->region);
        if (strlen(q->region) == 6 && strcmp(q->region + 2, "0000") == 0) prefix[2] = 0;
        else if (strlen(q->region) == 6 && strcmp(q->region + 4, "00") == 0) prefix[4] = 0;
        rp = prefix;
    }
    return db_query(c, e, sql, "isissssisii", SCOPE_ARGS(scope), nonempty(q->state), rp, nonempty(q->type),
                    nonempty(q->q), q->system_id, nonempty(q->kind), after_id, (int64_t)limit);
}

json_t *store_statistics_counts(struct store_conn *c, const struct store_scope *scope, struct err *e)
{
    static const char *sql =
        "SELECT 'state' AS dim, f.state AS k, count(*) AS n FROM filings f WHERE " FILING_SCOPE " GROUP BY 2 "
        "UNION ALL SELECT 'type', coalesce(f.type, ''), count(*) FROM filings f WHERE " FILING_SCOPE " GROUP BY 2 "
        "UNION ALL SELECT 'region', coalesce(f.region, ''), count(*) FROM filings f WHERE " FILING_SCOPE " GROUP BY 2 "
        "UNION ALL SELECT 'submitted', substr(f.submitted_at, 1, 7), count(*) FROM filings f "
        "  WHERE " FILING_SCOPE " AND f.submitted_at IS NOT NULL GROUP BY 2 "
        "UNION ALL SELECT 'filed', substr(f.filed_at, 1, 7), count(*) FROM filings f "
        "  WHERE " FILING_SCOPE " AND f.filed_at IS NOT NULL GROUP BY 2 "
        "UNION ALL SELECT 'rejected', substr(f.decided_at, 1, 7), count(*) FROM filings f "
        "  WHERE " FILING_SCOPE " AND f.state = 'rejected' AND f.decided_at IS NOT NULL GROUP BY 2";
    json_t *rows = db_query(c, e, sql, "isi", SCOPE_ARGS(scope));
    if (!rows) return NULL;
    json_t *out = json_object();
    size_t i;
    json_t *r;
    json_array_foreach(rows, i, r) {
        const char *dim = json_string_value(json_object_get(r, "dim"));
        const char *k = json_string_value(json_object_get(r, "k"));
        json_t *per = json_object_get(out, dim);
        if (!per) json_object_set_new(out, dim, per = json_object());
        json_object_set(per, k ? k : "", json_object_get(r, "n"));
    }
    json_decref(rows);
    return out;
}

json_t *store_statistics_overdue(struct store_conn *c, const struct store_scope *scope, const char *today,
                                 struct err *e)
{
    static const char *sql =
        "SELECT "
        "(SELECT count(*) FROM filings f WHERE " FILING_SCOPE " AND f.state IN ('submitted','under_review') "
        "   AND f.paused_remaining IS NULL AND f.due_at < ?4) AS reviews_overdue, "
        "(SELECT count(*) FROM filings f WHERE " FILING_SCOPE " AND f.kind = 'change' AND f.late = 1 "
        "   AND f.submitted_at IS NOT NULL) AS change_reports_late, "
        "(SELECT count(DISTINCT s.filing_id) FROM standing_findings s JOIN filings f ON f.id = s.filing_id "
        "   WHERE " RECORD_SCOPE " AND s.cleared_on IS NULL AND s.severity = 'error') AS records_with_standing_errors";
    return first_row(db_query(c, e, sql, "isis", SCOPE_ARGS(scope), today));
}

json_t *store_review_spans(struct store_conn *c, const struct store_scope *scope, int64_t after_id, int limit,
                           struct err *e)
{
    /* a review ends with the number (filed_at: kept when the record is later cancelled or revoked)
     * or with the rejection (decided_at); a recorded minor change had no review */
    static const char *sql =
        "SELECT f.id, f.submitted_at, CASE WHEN f.state = 'rejected' THEN f.decided_at ELSE f.filed_at END AS decided_at "
        "FROM filings f WHERE " FILING_SCOPE " AND f.submitted_at IS NOT NULL "
        "AND ((f.state = 'rejected' AND f.decided_at IS NOT NULL) "
        "     OR (f.state IN ('filed','cancelled','revoked') AND f.filed_at IS NOT NULL)) "
        "AND f.id > ?4 ORDER BY f.id LIMIT ?5";
    return db_query(c, e, sql, "isiii", SCOPE_ARGS(scope), after_id, (int64_t)limit);
}

json_t *store_record_schedule_page(struct store_conn *c, const struct store_scope *scope, int64_t after_id, int limit,
                                   struct err *e)
{
    const char *sql = db_sql(c,
        "SELECT f.id, f.filed_at, json_extract(f.derived, '$.self_inspection_months') AS self_inspection_months "
        "FROM filings f WHERE " RECORD_SCOPE " AND f.id > ?4 ORDER BY f.id LIMIT ?5",
        "SELECT f.id, f.filed_at, (f.derived::jsonb ->> 'self_inspection_months')::bigint AS self_inspection_months "
        "FROM filings f WHERE " RECORD_SCOPE " AND f.id > ?4 ORDER BY f.id LIMIT ?5");
    return db_query(c, e, sql, "isiii", SCOPE_ARGS(scope), after_id, (int64_t)limit);
}
