/* sqlite_notify.c — what the SQLite store keeps of notifications: each user's inbox, the webhook
 * endpoints of organisations, the outbox of deliveries with every attempt, and each user's e-mail
 * choice. The outbox rows are written by the event's own transaction (see service/notify.c). */
#include "store/store.h"
#include "store/sqlite_internal.h"

#include <string.h>

json_t *store_users_with_role(struct store_conn *c, int64_t org_id, const char *role)
{
    return db_query(c, NULL,
                    "SELECT id, login FROM users WHERE org_id=? AND disabled=0 AND (','||roles||',') LIKE ('%,'||?||',%')"
                    " ORDER BY id",
                    "is", org_id, role);
}

int64_t store_inbox_insert(struct store_conn *c, int64_t user_id, const char *event, int64_t filing_id,
                           const char *link, const char *params_text, struct err *e)
{
    char now[32];
    now_rfc3339(now);
    if (db_run(c, e, "INSERT INTO notify_inbox(user_id,event,filing_id,link,params,created_at) VALUES(?,?,?,?,?,?)",
               "isIsss", user_id, event, filing_id, link, params_text, now) != 0)
        return -1;
    return db_last_insert_id(c);
}

json_t *store_inbox_list(struct store_conn *c, int64_t user_id, int limit, int64_t *unread)
{
    json_t *n = db_one(c, "SELECT count(*) AS n FROM notify_inbox WHERE user_id=? AND read_at IS NULL", "i", user_id);
    *unread = n ? json_integer_value(json_object_get(n, "n")) : 0;
    json_decref(n);
    return db_query(c, NULL,
                    "SELECT id,event,filing_id,link,params,created_at,read_at FROM notify_inbox WHERE user_id=?"
                    " ORDER BY id DESC LIMIT ?",
                    "ii", user_id, (int64_t)limit);
}

int store_inbox_read(struct store_conn *c, int64_t user_id, int64_t id, struct err *e)
{
    char now[32];
    now_rfc3339(now);
    json_t *row = db_one(c, "SELECT id FROM notify_inbox WHERE id=? AND user_id=?", "ii", id, user_id);
    if (!row) return err_set(e, ERR_NOT_FOUND, NULL, "no such inbox item", "消息不存在");
    json_decref(row);
    return db_run(c, e, "UPDATE notify_inbox SET read_at=coalesce(read_at, ?) WHERE id=? AND user_id=?", "sii", now,
                  id, user_id);
}

int store_inbox_read_all(struct store_conn *c, int64_t user_id, struct err *e)
{
    char now[32];
    now_rfc3339(now);
    return db_run(c, e, "UPDATE notify_inbox SET read_at=? WHERE user_id=? AND read_at IS NULL", "si", now, user_id);
}

int64_t store_webhook_insert(struct store_conn *c, int64_t org_id, const char *url, const json_t *event_types,
                             const char *secret, const char *description, int64_t by, struct err *e)
{
    char now[32];
    now_rfc3339(now);
    if (db_run(c, e,
               "INSERT INTO webhooks(org_id,url,event_types,secret,description,created_by,created_at)"
               " VALUES(?,?,?,?,?,?,?)",
               "isjssIs", org_id, url, event_types, secret, description, by, now) != 0)
        return -1;
    return db_last_insert_id(c);
}

json_t *store_webhook_get(struct store_conn *c, int64_t id)
{
    return db_one(c,
                  "SELECT id,org_id,url,event_types,secret,description,created_by,created_at FROM webhooks"
                  " WHERE id=? AND deleted_at IS NULL",
                  "i", id);
}

json_t *store_webhook_list(struct store_conn *c, int64_t org_id)
{
    return db_query(c, NULL,
                    "SELECT id,org_id,url,event_types,description,created_by,created_at FROM webhooks"
                    " WHERE org_id=? AND deleted_at IS NULL ORDER BY id",
                    "i", org_id);
}

json_t *store_webhooks_for_event(struct store_conn *c, int64_t org_id, const char *event)
{
    return db_query(c, NULL,
                    db_sql(c, "SELECT id FROM webhooks WHERE org_id=? AND deleted_at IS NULL AND"
                              " EXISTS (SELECT 1 FROM json_each(webhooks.event_types) WHERE value=? OR value='*') ORDER BY id",
                           "SELECT id FROM webhooks WHERE org_id=? AND deleted_at IS NULL AND"
                              " EXISTS (SELECT 1 FROM jsonb_array_elements_text(webhooks.event_types::jsonb) AS t(value)"
                              " WHERE value=? OR value='*') ORDER BY id"),
                    "is", org_id, event);
}

int store_webhook_delete(struct store_conn *c, int64_t id, struct err *e)
{
    char now[32];
    now_rfc3339(now);
    if (db_run(c, e, "UPDATE webhooks SET deleted_at=? WHERE id=? AND deleted_at IS NULL", "si", now, id) != 0)
        return -1;
    if (db_changes(c) != 1) return err_set(e, ERR_NOT_FOUND, NULL, "no such webhook", "Webhook 不存在");
    /* what was still waiting for the endpoint is not sent any more */
    return db_run(c, e,
                  "UPDATE notify_outbox SET state='failed', last_error='endpoint deleted'"
                  " WHERE channel='webhook' AND target_id=? AND state='pending'",
                  "i", id);
}

int64_t store_outbox_insert(struct store_conn *c, const char *channel, int64_t target_id, const char *event,
                            const char *msg_id, const char *payload_text, int64_t now, struct err *e)
{
    char at[32];
    now_rfc3339(at);
    if (db_run(c, e,
               "INSERT INTO notify_outbox(channel,target_id,event,msg_id,payload,state,next_at,created_unix,created_at)"
               " VALUES(?,?,?,?,?,'pending',?,?,?)",
               "sisssiis", channel, target_id, event, msg_id, payload_text, now, now, at) != 0)
        return -1;
    return db_last_insert_id(c);
}

#define OUTBOX_COLS \
    "id,channel,target_id,event,msg_id,payload,state,attempts,next_at,created_unix,last_status,last_error,created_at,done_at"

json_t *store_outbox_due(struct store_conn *c, int64_t now, int limit)
{
    return db_query(c, NULL,
                    "SELECT " OUTBOX_COLS " FROM notify_outbox WHERE state='pending' AND next_at<=? ORDER BY next_at, id"
                    " LIMIT ?",
                    "ii", now, (int64_t)limit);
}

json_t *store_outbox_get(struct store_conn *c, int64_t id)
{
    return db_one(c, "SELECT " OUTBOX_COLS " FROM notify_outbox WHERE id=?", "i", id);
}

json_t *store_outbox_list(struct store_conn *c, const char *channel, int64_t target_id, int limit)
{
    json_t *rows = db_query(c, NULL,
                            "SELECT id,event,msg_id,payload,state,attempts,next_at,last_status,last_error,created_at,done_at"
                            " FROM notify_outbox WHERE channel=? AND target_id=? ORDER BY id DESC LIMIT ?",
                            "sii", channel, target_id, (int64_t)limit);
    size_t i;
    json_t *r;
    json_array_foreach(rows, i, r) {
        json_t *at = db_query(c, NULL, "SELECT at,status,error,ms FROM notify_attempts WHERE outbox_id=? ORDER BY id",
                              "i", json_integer_value(json_object_get(r, "id")));
        json_object_set_new(r, "attempt_log", at ? at : json_array());
    }
    return rows;
}

int store_outbox_attempt(struct store_conn *c, int64_t id, const char *state, int64_t next_at, int status,
                         const char *error, int64_t ms, struct err *e)
{
    char now[32];
    now_rfc3339(now);
    if (db_run(c, e, "INSERT INTO notify_attempts(outbox_id,at,status,error,ms) VALUES(?,?,?,?,?)", "isIsi", id, now,
               (int64_t)status, error, ms) != 0)
        return -1;
    return db_run(c, e,
                  "UPDATE notify_outbox SET state=?, attempts=attempts+1, next_at=?, last_status=?, last_error=?,"
                  " done_at=CASE WHEN ?='done' THEN ? ELSE done_at END WHERE id=?",
                  "siIsssi", state, next_at, (int64_t)status, error, state, now, id);
}

int store_outbox_redeliver(struct store_conn *c, int64_t id, int64_t now, struct err *e)
{
    return db_run(c, e, "UPDATE notify_outbox SET state='pending', next_at=?, done_at=NULL WHERE id=?", "ii", now, id);
}

json_t *store_outbox_counts(struct store_conn *c)
{
    json_t *rows = db_query(c, NULL, "SELECT state, count(*) AS n FROM notify_outbox GROUP BY state", "");
    json_t *out = json_pack("{s:i s:i s:i}", "pending", 0, "done", 0, "failed", 0);
    size_t i;
    json_t *r;
    json_array_foreach(rows, i, r)
        json_object_set(out, json_string_value(json_object_get(r, "state")), json_object_get(r, "n"));
    json_decref(rows);
    return out;
}

json_t *store_notify_prefs_get(struct store_conn *c, int64_t user_id)
{
    json_t *row = db_one(c, "SELECT email,lang,email_events FROM notify_prefs WHERE user_id=?", "i", user_id);
    if (!row) row = json_pack("{s:n s:s s:[]}", "email", "lang", "zh", "email_events");
    return row;
}

int store_notify_prefs_put(struct store_conn *c, int64_t user_id, const char *email, const char *lang,
                           const json_t *email_events, struct err *e)
{
    return db_run(c, e,
                  "INSERT INTO notify_prefs(user_id,email,lang,email_events) VALUES(?,?,?,?) ON CONFLICT(user_id) DO"
                  " UPDATE SET email=excluded.email, lang=excluded.lang, email_events=excluded.email_events",
                  "issj", user_id, email, lang, email_events);
}
