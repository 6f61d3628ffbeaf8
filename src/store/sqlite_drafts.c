/* sqlite_drafts.c — drafts the SQLite store keeps for people at work: a reviewer's rectification
 * request in preparation (its items against fields and its comment), one per reviewer and filing,
 * until it is sent or thrown away. Nothing here is part of the filing's record or its audit log. */
#include "store/store.h"
#include "store/sqlite_internal.h"

json_t *store_rect_draft_get(struct store_conn *c, int64_t filing_id, int64_t user_id)
{
    json_t *row = db_one(c,
                         "SELECT filing_id,user_id,items,comment,updated_at FROM rectification_drafts"
                         " WHERE filing_id=? AND user_id=?",
                         "ii", filing_id, user_id);
    if (!row) return NULL;
    /* the items are JSON text this store wrote itself */
    const char *text = json_string_value(json_object_get(row, "items"));
    json_t *items = json_loads(text ? text : "[]", 0, NULL);
    if (!json_is_array(items)) {
        json_decref(items);
        items = json_array();
    }
    json_object_set_new(row, "items", items);
    return row;
}

int store_rect_draft_put(struct store_conn *c, int64_t filing_id, int64_t user_id, const json_t *items,
                         const char *comment, struct err *e)
{
    char now[32];
    now_rfc3339(now);
    return db_run(c, e,
                  "INSERT INTO rectification_drafts(filing_id,user_id,items,comment,updated_at) VALUES(?,?,?,?,?)"
                  " ON CONFLICT(filing_id,user_id) DO UPDATE SET items=excluded.items, comment=excluded.comment,"
                  " updated_at=excluded.updated_at",
                  "iijss", filing_id, user_id, items, comment, now);
}

int store_rect_draft_delete(struct store_conn *c, int64_t filing_id, int64_t user_id, struct err *e)
{
    return db_run(c, e, "DELETE FROM rectification_drafts WHERE filing_id=? AND user_id=?", "ii", filing_id, user_id);
}

int store_rect_drafts_clear(struct store_conn *c, int64_t filing_id, struct err *e)
{
    return db_run(c, e, "DELETE FROM rectification_drafts WHERE filing_id=?", "i", filing_id);
}
