/* store_orgs.c — organisations, their users, sessions and API tokens, and their systems. */
#include "store/db.h"
#include "core/region.h"

#include <string.h>

/* ---------------------------------------------------------------- organisations */

int64_t store_org_insert(struct store_conn *c, const char *kind, const char *name, const char *uscc,
                         const char *region, const json_t *jurisdiction, const char *number_format, struct err *e)
{
    char now[32];
    now_rfc3339(now);
    json_t *empty = json_array();
    int rc = db_run(c, e, "INSERT INTO orgs(kind,name,uscc,region,jurisdiction,number_format,created_at) "
                          "VALUES(?,?,?,?,?,coalesce(?,'{region}-{year}-{seq:06}'),?)",
                    "ssssjss", kind, name, uscc, region, jurisdiction ? jurisdiction : empty, number_format, now);
    json_decref(empty);
    if (rc != 0) return -1;
    return db_last_insert_id(c);
}

int store_org_update(struct store_conn *c, int64_t id, const char *name, const char *uscc, const char *region,
                     struct err *e)
{
    if (db_run(c, e, "UPDATE orgs SET name=?, uscc=?, region=? WHERE id=?", "sssi", name, uscc, region, id) != 0)
        return -1;
    if (db_changes(c) != 1) return err_set(e, ERR_NOT_FOUND, NULL, "no such organisation", "单位不存在");
    return db_run(c, e, "UPDATE filings SET subject_name=?,written=written+1 WHERE org_id=?", "si", name, id);
}

#define ORG_COLS "id,kind,name,uscc,region,jurisdiction,number_format,created_at"

json_t *store_org_get(struct store_conn *c, int64_t id)
{
    return db_one(c, "SELECT " ORG_COLS " FROM orgs WHERE id=?", "i", id);
}

json_t *store_org_list(struct store_conn *c, const char *kind)
{
    if (kind) return db_query(c, NULL, "SELECT " ORG_COLS " FROM orgs WHERE kind=? ORDER BY id", "s", kind);
    return db_query(c, NULL, "SELECT " ORG_COLS " FROM orgs ORDER BY id", "");
}

json_t *store_org_authority_for_region(struct store_conn *c, const char *region)
{
    json_t *all = store_org_list(c, "authority");
    json_t *best = NULL;
    int best_len = -1;
    size_t i;
    json_t *org;
    json_array_foreach(all, i, org) {
        size_t k;
        json_t *code;
        json_array_foreach(json_object_get(org, "jurisdiction"), k, code) {
            const char *j = json_string_value(code);
            if (!j || !region_covers(j, region)) continue;
            /* specificity: the number of significant leading digits */
            int len = strcmp(j + 2, "0000") == 0 ? 2 : strcmp(j + 4, "00") == 0 ? 4 : 6;
            if (len > best_len) { best_len = len; best = org; }
        }
    }
    json_incref(best);
    json_decref(all);
    return best;
}

/* ---------------------------------------------------------------- users and tokens */

int64_t store_user_insert(struct store_conn *c, int64_t org_id, const char *login, const char *name,
                          const char *pw_hash, const char *roles_csv, struct err *e)
{
    char now[32];
    now_rfc3339(now);
    if (db_run(c, e, "INSERT INTO users(org_id,login,name,pw_hash,roles,created_at) VALUES(?,?,?,?,?,?)",
               "isssss", org_id, login, name, pw_hash, roles_csv, now) != 0)
        return -1;
    return db_last_insert_id(c);
}

json_t *store_user_get(struct store_conn *c, int64_t id)
{
    return db_one(c, "SELECT * FROM users WHERE id=?", "i", id);
}

json_t *store_user_by_login(struct store_conn *c, const char *login)
{
    return db_one(c, "SELECT * FROM users WHERE login=?", "s", login);
}

json_t *store_user_list(struct store_conn *c, int64_t org_id)
{
    if (org_id)
        return db_query(c, NULL, "SELECT id,org_id,login,name,roles,disabled,created_at FROM users "
                                 "WHERE org_id=? ORDER BY id", "i", org_id);
    return db_query(c, NULL, "SELECT id,org_id,login,name,roles,disabled,created_at FROM users ORDER BY id", "");
}

int store_user_set_password(struct store_conn *c, int64_t id, const char *pw_hash, struct err *e)
{
    if (db_run(c, e, "UPDATE users SET pw_hash=? WHERE id=?", "si", pw_hash, id) != 0) return -1;
    if (db_changes(c) == 0) return err_set(e, ERR_NOT_FOUND, NULL, "no such user", "用户不存在");
    /* a new password ends every session of the user */
    return db_run(c, e, "UPDATE tokens SET revoked=1 WHERE user_id=? AND kind='session'", "i", id);
}

int store_token_insert(struct store_conn *c, const char *hash, int64_t user_id, const char *kind,
                       const char *name, const char *csrf, int64_t expires_at, struct err *e)
{
    char now[32];
    now_rfc3339(now);
    return db_run(c, e, "INSERT INTO tokens(hash,user_id,kind,name,csrf,created_at,expires_at) VALUES(?,?,?,?,?,?,?)",
                  "sissssi", hash, user_id, kind, name, csrf, now, expires_at);
}

json_t *store_token_get(struct store_conn *c, const char *hash)
{
    return db_one(c, "SELECT user_id,kind,name,csrf,expires_at,revoked FROM tokens WHERE hash=?", "s", hash);
}

json_t *store_token_principal(struct store_conn *c, const char *hash)
{
    return db_one(c, "SELECT t.user_id, t.kind, t.csrf, t.expires_at, t.revoked, u.login, u.name, u.roles, "
                     "u.disabled, u.org_id, o.kind AS org_kind FROM tokens t JOIN users u ON u.id = t.user_id "
                     "JOIN orgs o ON o.id = u.org_id WHERE t.hash=?", "s", hash);
}

int store_token_revoke(struct store_conn *c, const char *hash, struct err *e)
{
    return db_run(c, e, "UPDATE tokens SET revoked=1 WHERE hash=?", "s", hash);
}

/* API tokens by their public id (migration 7), issue 12 */

int store_api_token_insert(struct store_conn *c, const char *hash, const char *public_id, int64_t user_id,
                           const char *name, int64_t expires_at, struct err *e)
{
    char now[32];
    now_rfc3339(now);
    return db_run(c, e, "INSERT INTO tokens(hash,public_id,user_id,kind,name,created_at,expires_at) "
                        "VALUES(?,?,?,'api',?,?,?)", "ssissi", hash, public_id, user_id, name, now, expires_at);
}

#define API_TOKEN_COLUMNS_AND(expires_at) "t.public_id AS id, t.name, t.user_id, u.login, u.org_id, t.created_at, " \
    expires_at " AS expires_at"
#define API_TOKEN_SQLITE(rest) "SELECT " API_TOKEN_COLUMNS_AND("strftime('%Y-%m-%dT%H:%M:%SZ', t.expires_at, 'unixepoch')") rest
#define API_TOKEN_POSTGRES(rest) \
    "SELECT " API_TOKEN_COLUMNS_AND("to_char(to_timestamp(t.expires_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')") rest

json_t *store_api_token_get(struct store_conn *c, const char *public_id)
{
#define TOKEN_GET ", t.revoked FROM tokens t JOIN users u ON u.id = t.user_id WHERE t.public_id=? AND t.kind='api'"
    return db_one(c, db_sql(c, API_TOKEN_SQLITE(TOKEN_GET), API_TOKEN_POSTGRES(TOKEN_GET)), "s", public_id);
}

json_t *store_api_token_list(struct store_conn *c, int64_t user_id, int64_t org_id, int64_t now)
{
#define TOKEN_LIST(order) " FROM tokens t JOIN users u ON u.id = t.user_id "                            \
    "WHERE t.kind='api' AND t.public_id IS NOT NULL AND t.revoked=0 AND t.expires_at>=? "           \
    "AND (t.user_id=? OR u.org_id=?) ORDER BY t.created_at, " order
    /* in the order they were made (PostgreSQL has no rowid; live tokens' rows are never updated,
     * so their ctid is the order of insertion) */
    return db_query(c, NULL, db_sql(c, API_TOKEN_SQLITE(TOKEN_LIST("t.rowid")), API_TOKEN_POSTGRES(TOKEN_LIST("t.ctid"))),
                    "iii", now, user_id ? user_id : -1, org_id ? org_id : -1);
}

int store_api_token_revoke(struct store_conn *c, const char *public_id, struct err *e)
{
    return db_run(c, e, "UPDATE tokens SET revoked=1 WHERE public_id=? AND kind='api'", "s", public_id);
}

int store_api_tokens_revoke_user(struct store_conn *c, int64_t user_id, struct err *e)
{
    return db_run(c, e, "UPDATE tokens SET revoked=1 WHERE user_id=? AND kind='api'", "i", user_id);
}

/* ---------------------------------------------------------------- systems */

int64_t store_system_insert(struct store_conn *c, int64_t org_id, const char *name,
                            const char *description, int64_t created_by, struct err *e)
{
    char now[32];
    now_rfc3339(now);
    if (db_run(c, e, "INSERT INTO systems(org_id,name,description,created_by,created_at) VALUES(?,?,?,?,?)",
               "issIs", org_id, name, description ? description : "", created_by, now) != 0)
        return -1;
    return db_last_insert_id(c);
}

json_t *store_system_get(struct store_conn *c, int64_t id)
{
    return db_one(c, "SELECT * FROM systems WHERE id=?", "i", id);
}

json_t *store_system_list(struct store_conn *c, int64_t org_id)
{
    if (org_id) return db_query(c, NULL, "SELECT * FROM systems WHERE org_id=? ORDER BY id", "i", org_id);
    return db_query(c, NULL, "SELECT * FROM systems ORDER BY id", "");
}


const char *const RECORDS_MOVED_NOT_BY_INSERTS[] = {"tokens", NULL};
const char *const RECORDS_UNMOVED[] = {"filings", "filing_versions", "audit", "notify_outbox",
                                       "notify_attempts", "notify_inbox", "standing_checks", "standing_findings",
                                       "number_seq", "rectification_drafts", "record_generation", NULL};

bool store_records_generation(struct store_conn *c, int64_t *out)
{
    json_t *row = db_one(c, "SELECT n FROM record_generation", "");
    bool ok = json_is_integer(json_object_get(row, "n"));
    if (ok) *out = db_jint(row, "n");
    json_decref(row);
    return ok;
}
