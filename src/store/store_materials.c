/* store_materials.c — materials: metadata and versions (the bytes are blobs, see store_blobs.c),
 * and the material versions frozen filing versions pin. Same conventions as the other store
 * files (db.h): bound values only, statements cached by the address of their SQL literal. */
#include "store/db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int64_t jint(const json_t *o, const char *k) { return json_integer_value(json_object_get(o, k)); }

/* ---------------------------------------------------------------- materials */

#define MATERIAL_SELECT                                                                            \
    "SELECT m.id, m.org_id, m.kind, m.title, m.current_version, m.created_by, m.created_at, "     \
    "m.updated_at, v.filename, v.content_type, v.size, v.sha256 FROM materials m "                \
    "JOIN material_versions v ON v.material_id = m.id AND v.n = m.current_version "

json_t *store_material_get(struct store_conn *c, int64_t id)
{
    return db_one(c, MATERIAL_SELECT "WHERE m.id=?", "i", id);
}

json_t *store_materials_by_ids(struct store_conn *c, const char *ids)
{
    return db_query(c, NULL, db_sql(c, MATERIAL_SELECT "WHERE m.id IN (SELECT value FROM json_each(?))",
                                    MATERIAL_SELECT "WHERE m.id IN (SELECT jsonb_array_elements_text(?::jsonb)::bigint)"),
                    "s", ids);
}

json_t *store_material_list(struct store_conn *c, int64_t org_id)
{
    if (org_id) return db_query(c, NULL, MATERIAL_SELECT "WHERE m.org_id=? ORDER BY m.id DESC", "i", org_id);
    return db_query(c, NULL, MATERIAL_SELECT "ORDER BY m.id DESC", "");
}

static int version_insert(struct store_conn *c, int64_t id, int n, const char *filename, const char *content_type,
                          int64_t size, const char *sha256, int64_t by, struct err *e)
{
    char now[32];
    now_rfc3339(now);
    return db_run(c, e, "INSERT INTO material_versions(material_id,n,filename,content_type,size,sha256,created_by,"
                        "created_at) VALUES(?,?,?,?,?,?,?,?)",
                  "iissisIs", id, (int64_t)n, filename, content_type, size, sha256, by, now);
}

int64_t store_material_insert(struct store_conn *c, int64_t org_id, const char *kind, const char *title,
                              const char *filename, const char *content_type, int64_t size,
                              const char *sha256, int64_t by, struct err *e)
{
    char now[32];
    now_rfc3339(now);
    if (db_run(c, e, "INSERT INTO materials(org_id,kind,title,current_version,created_by,created_at,updated_at) "
                     "VALUES(?,?,?,1,?,?,?)", "issIss", org_id, kind, title, by, now, now) != 0)
        return -1;
    int64_t id = db_last_insert_id(c);
    if (version_insert(c, id, 1, filename, content_type, size, sha256, by, e) != 0) return -1;
    return id;
}

int store_material_add_version(struct store_conn *c, int64_t id, const char *filename, const char *content_type,
                               int64_t size, const char *sha256, int64_t by, struct err *e)
{
    json_t *m = db_one(c, "SELECT current_version FROM materials WHERE id=?", "i", id);
    if (!m) return err_set(e, ERR_NOT_FOUND, NULL, "no such material", "材料不存在");
    int n = (int)jint(m, "current_version") + 1;
    json_decref(m);
    char now[32];
    now_rfc3339(now);
    if (version_insert(c, id, n, filename, content_type, size, sha256, by, e) != 0 ||
        db_run(c, e, "UPDATE materials SET current_version=?, updated_at=? WHERE id=?", "isi", (int64_t)n, now, id) != 0)
        return -1;
    return n;
}

json_t *store_material_version_get(struct store_conn *c, int64_t id, int n)
{
    return db_one(c, "SELECT * FROM material_versions WHERE material_id=? AND n=?", "ii", id, (int64_t)n);
}

json_t *store_material_version_list(struct store_conn *c, int64_t id)
{
    return db_query(c, NULL, "SELECT * FROM material_versions WHERE material_id=? ORDER BY n", "i", id);
}

json_t *store_material_blobs(struct store_conn *c)
{
    return db_query(c, NULL, "SELECT sha256, max(size) AS size FROM material_versions GROUP BY sha256 ORDER BY sha256", "");
}

int store_material_pin(struct store_conn *c, int64_t filing_id, int version, int64_t material_id, int n,
                       const char *sha256, struct err *e)
{
    return db_run(c, e, "INSERT INTO material_pins(filing_id,version,material_id,material_version,sha256) "
                        "VALUES(?,?,?,?,?) ON CONFLICT DO NOTHING", "iiiis", filing_id, (int64_t)version, material_id, (int64_t)n, sha256);
}

json_t *store_material_pins(struct store_conn *c, int64_t filing_id, int version)
{
    return db_query(c, NULL, "SELECT material_id, material_version, sha256 FROM material_pins "
                             "WHERE filing_id=? AND version=? ORDER BY material_id", "ii", filing_id, (int64_t)version);
}

json_t *store_material_pinned_versions(struct store_conn *c, int64_t material_id, int64_t owner_org_id,
                                       const struct store_scope *scope)
{
    static const char *sql =
        "SELECT DISTINCT p.material_version AS n FROM material_pins p JOIN filings f ON f.id = p.filing_id "
        "WHERE p.material_id = ?1 AND f.org_id = ?2 "
        "AND (?3 = 1 OR (?4 = 'provider' AND f.provider_org_id = ?5 AND f.provider_visible = 1) "
        "     OR (?4 = 'authority' AND f.authority_org_id = ?5 AND f.authority_visible = 1)) "
        "ORDER BY p.material_version";
    json_t *rows = db_query(c, NULL, sql, "iiisi", material_id, owner_org_id, (int64_t)(scope->admin ? 1 : 0),
                            scope->org_kind ? scope->org_kind : "", scope->org_id);
    json_t *out = json_array();
    size_t i;
    json_t *r;
    json_array_foreach(rows, i, r) json_array_append_new(out, json_integer(jint(r, "n")));
    json_decref(rows);
    return out;
}

bool store_material_org_has_sha256(struct store_conn *c, int64_t org_id, const char *sha256)
{
    json_t *r = db_one(c, "SELECT 1 AS yes FROM material_versions v JOIN materials m ON m.id = v.material_id "
                          "WHERE v.sha256 = ? AND m.org_id = ? LIMIT 1", "si", sha256, org_id);
    bool yes = r != NULL;
    json_decref(r);
    return yes;
}

int64_t store_material_org_bytes(struct store_conn *c, int64_t org_id)
{
    /* the same bytes in two versions (or two materials) of the organisation count once */
    json_t *r = db_one(c, "SELECT coalesce(sum(size), 0) AS bytes FROM (SELECT DISTINCT v.sha256, v.size "
                          "FROM material_versions v JOIN materials m ON m.id = v.material_id WHERE m.org_id = ?) AS d",
                       "i", org_id);
    int64_t bytes = r ? jint(r, "bytes") : -1;
    json_decref(r);
    return bytes;
}

bool store_material_is_certificate(struct store_conn *c, int64_t material_id, int64_t owner_org_id)
{
    json_t *r = db_one(c, db_sql(c, "SELECT 1 AS yes FROM provider_profiles p, json_each(p.profile, '$.qualifications') q "
                                    "WHERE p.org_id = ? AND json_extract(q.value, '$.certificate_material_id') = ? LIMIT 1",
                                 "SELECT 1 AS yes FROM provider_profiles p, "
                                    "jsonb_array_elements(p.profile::jsonb -> 'qualifications') q(value) "
                                    "WHERE p.org_id = ? AND q.value -> 'certificate_material_id' = to_jsonb(?::bigint) LIMIT 1"),
                       "ii", owner_org_id, material_id);
    bool yes = r != NULL;
    json_decref(r);
    return yes;
}
