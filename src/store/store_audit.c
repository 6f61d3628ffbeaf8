/* store_audit.c — the audit log: append-only, each entry hashed over its fields and its
 * predecessor's hash (one chain), the rule of who reads which entries, and the chain's check. */
#include "store/db.h"
#include "core/json_out.h"
#include "core/json_text.h"
#include "core/sha256.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- audit */

/* An entry's hash: SHA-256 of the canonical text (json_text.h) of its fields with prev_hash, the
 * hash of the entry before it ("0" for the first), and without its own hash. */
static void audit_hash(json_t *fields, const char *prev, char out[65])
{
    json_object_del(fields, "hash");
    json_object_set_new(fields, "prev_hash", json_string(prev));
    sha256_json_hex(fields, out);
}

static void member_int(struct json_out *o, const char *key_text, int64_t v)   /* 0: null */
{
    json_out_raw(o, key_text, strlen(key_text));
    if (v) json_out_int(o, v);
    else json_out_raw(o, "null", 4);
}

static void member_string(struct json_out *o, const char *key_text, const char *v)   /* NULL: null */
{
    json_out_raw(o, key_text, strlen(key_text));
    if (v) json_out_string(o, v, strlen(v));
    else json_out_raw(o, "null", 4);
}

/* The new entry's canonical text, written member by member in the canonical order (keys sorted
 * bytewise), with the detail's canonical text as it is: the bytes audit_hash makes of the stored
 * row, which store_audit_verify recomputes (tests/unit/test_store.c appends odd entries and
 * verifies them). NULL when out of memory. */
static char *entry_text(const struct audit_entry *a, int64_t id, const char *at, const char *detail,
                        size_t detail_len, const char *prev, size_t *len)
{
    struct json_out o;
    json_out_init(&o, 480 + detail_len);
    member_string(&o, "{\"action\":", a->action);
    member_int(&o, ",\"actor_org_id\":", a->actor_org_id);
    member_int(&o, ",\"actor_user_id\":", a->actor_user_id);
    member_string(&o, ",\"after_sha\":", a->after_sha);
    member_string(&o, ",\"at\":", at);
    member_string(&o, ",\"before_sha\":", a->before_sha);
    json_out_raw(&o, ",\"detail\":", 10);
    json_out_raw(&o, detail, detail_len);
    member_int(&o, ",\"filing_id\":", a->filing_id);
    member_int(&o, ",\"id\":", id);
    member_int(&o, ",\"object_id\":", a->object_id);
    member_string(&o, ",\"object_type\":", a->object_type);
    member_int(&o, ",\"org_id\":", a->org_id);
    member_string(&o, ",\"prev_hash\":", prev);
    json_out_raw(&o, "}", 1);
    return json_out_take(&o, len);
}

int store_audit_append(struct store_conn *c, const struct audit_entry *a, struct err *e)
{
    char now[32];
    now_rfc3339(now);
    json_t *last = db_one(c, "SELECT id,hash FROM audit ORDER BY id DESC LIMIT 1", "");
    char prev[65];
    snprintf(prev, sizeof prev, "%s", last ? db_jstr(last, "hash") : "0");
    int64_t id = last ? db_jint(last, "id") + 1 : 1;
    json_decref(last);
    /* the detail's canonical text, made once: stored as it is and spliced into the entry's text
     * for the hash (what audit_hash gives on the stored row, which store_audit_verify recomputes) */
    size_t detail_len = 2;
    char *own = NULL;
    const char *detail = "{}";   /* no detail: an empty object */
    if (a->detail_text) detail_len = strlen(detail = a->detail_text);
    else if (a->detail && !(detail = own = json_canonical(a->detail, &detail_len)))
        return err_set(e, ERR_INTERNAL, NULL, "cannot build audit entry", "无法生成审计记录");
    size_t len;
    char *text = entry_text(a, id, now, detail, detail_len, prev, &len);
    if (!text) {
        free(own);
        return err_set(e, ERR_INTERNAL, NULL, "cannot build audit entry", "无法生成审计记录");
    }
    char hash[65];
    sha256_hex(text, len, hash);
    free(text);
    int rc = db_run(c, e, "INSERT INTO audit(id,at,actor_user_id,actor_org_id,action,object_type,object_id,filing_id,"
                          "org_id,before_sha,after_sha,detail,prev_hash,hash) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    "isIIssIIIsssss", id, now, a->actor_user_id, a->actor_org_id, a->action, a->object_type,
                    a->object_id, a->filing_id, a->org_id, a->before_sha, a->after_sha, detail, prev, hash);
    free(own);
    return rc;
}

json_t *store_audit_list(struct store_conn *c, const struct store_scope *scope, int64_t user_id, bool manages_users,
                         int64_t filing_id, int limit, int64_t after_id, int64_t *next_cursor, struct err *e)
{
    /* Who reads what (docs/reliability.md, issue 12):
     *  - entries of no filing: those of the caller's organisation (about it or by it); entries on
     *    user accounts, sessions and tokens only when they are the caller's own, or the caller
     *    manages the organisation's users;
     *  - entries of a filing: its enterprise all of them; its provider from the first approve_check
     *    (the moment it was asked to confirm, which made the filing visible to it); its authority
     *    from the first confirm_hosting (the submission); anyone its own organisation's steps.
     * The first approve_check / confirm_hosting of a filing is found through the index audit_filing. */
    static const char *sql =
        "SELECT a.* FROM audit a LEFT JOIN filings f ON f.id = a.filing_id WHERE "
        "(?1 = 1 "
        "  OR (a.filing_id IS NULL AND (a.org_id = ?3 OR a.actor_org_id = ?3) "
        "      AND (a.object_type <> 'user' OR ?7 = 1 OR a.actor_user_id = ?8 OR a.object_id = ?8)) "
        "  OR (a.filing_id IS NOT NULL AND (a.actor_org_id = ?3 "
        "      OR (?2 = 'enterprise' AND f.org_id = ?3) "
        "      OR (?2 = 'provider' AND f.provider_org_id = ?3 AND f.provider_visible = 1 AND a.id >= "
        "          (SELECT min(b.id) FROM audit b WHERE b.filing_id = f.id AND b.action = 'filing.approve_check')) "
        "      OR (?2 = 'authority' AND f.authority_org_id = ?3 AND f.authority_visible = 1 AND a.id >= "
        "          (SELECT min(b.id) FROM audit b WHERE b.filing_id = f.id "
        "           AND b.action IN ('filing.confirm_hosting', 'filing.change_recorded')))))) "
        "AND (?4 = 0 OR a.filing_id = ?4) AND (?5 = 0 OR a.id < ?5) ORDER BY a.id DESC LIMIT ?6";
    if (limit <= 0 || limit > 500) limit = 100;
    json_t *rows = db_query(c, e, sql, "isiiiiii", (int64_t)(scope->admin ? 1 : 0),
                            scope->org_kind ? scope->org_kind : "", scope->org_id, filing_id, after_id,
                            (int64_t)(limit + 1), (int64_t)(manages_users ? 1 : 0), user_id);
    if (!rows) return NULL;
    *next_cursor = 0;
    if ((int)json_array_size(rows) > limit) {
        json_array_remove(rows, (size_t)limit);
        *next_cursor = db_jint(json_array_get(rows, (size_t)limit - 1), "id");
    }
    /* the chain fields are internal */
    size_t i;
    json_t *r;
    json_array_foreach(rows, i, r) json_object_del(r, "prev_hash");
    return rows;
}

int store_audit_verify(struct store_conn *c, struct err *e)
{
    json_t *rows = db_query(c, e, "SELECT * FROM audit ORDER BY id", "");
    if (!rows) return -1;
    char prev[65] = "0";
    size_t i;
    json_t *r;
    int rc = 0;
    json_array_foreach(rows, i, r) {
        char want[65], stored[65];
        if (strcmp(db_jstr(r, "prev_hash") ? db_jstr(r, "prev_hash") : "", prev) != 0) {
            rc = err_set(e, ERR_INTERNAL, NULL, "audit entry %lld does not follow its predecessor",
                         "审计记录 %lld 与前一条不衔接", (long long)db_jint(r, "id"));
            break;
        }
        snprintf(stored, sizeof stored, "%s", db_jstr(r, "hash") ? db_jstr(r, "hash") : "");
        audit_hash(r, prev, want);
        if (strcmp(want, stored) != 0) {
            rc = err_set(e, ERR_INTERNAL, NULL, "audit entry %lld was altered", "审计记录 %lld 已被篡改",
                         (long long)db_jint(r, "id"));
            break;
        }
        snprintf(prev, sizeof prev, "%s", stored);
    }
    json_decref(rows);
    return rc;
}
