/* store_providers.c — the provider registry: profiles (one per provider, revised in place),
 * evaluations (never changed once made), and the filed systems per provider. */
#include "store/db.h"

#include <stdio.h>
#include <string.h>

/* Parse the JSON text member `key` of row in place. */
static void parse_member(json_t *row, const char *key)
{
    const char *text = json_string_value(json_object_get(row, key));
    json_t *v = text ? json_loads(text, JSON_DECODE_ANY, NULL) : NULL;
    json_object_set_new(row, key, v ? v : json_null());
}

json_t *store_provider_profile_get(struct store_conn *c, int64_t org_id)
{
    json_t *r = db_one(c, "SELECT * FROM provider_profiles WHERE org_id=?", "i", org_id);
    if (r) parse_member(r, "profile");
    return r;
}

int store_provider_profile_put(struct store_conn *c, int64_t org_id, const json_t *profile, int64_t by,
                               struct err *e)
{
    char now[32];
    now_rfc3339(now);
    return db_run(c, e, "INSERT INTO provider_profiles(org_id,profile,revision,updated_by,updated_at) VALUES(?,?,1,?,?) "
                        "ON CONFLICT(org_id) DO UPDATE SET profile=excluded.profile, revision=provider_profiles.revision+1, "
                        "updated_by=excluded.updated_by, updated_at=excluded.updated_at",
                  "ijIs", org_id, profile, by, now);
}

json_t *store_provider_profile_list(struct store_conn *c)
{
    json_t *rows = db_query(c, NULL, "SELECT * FROM provider_profiles ORDER BY org_id", "");
    size_t i;
    json_t *r;
    json_array_foreach(rows, i, r) parse_member(r, "profile");
    return rows;
}

int64_t store_provider_evaluation_insert(struct store_conn *c, int64_t provider_org_id, int64_t org_id,
                                         const char *evaluated_on, const json_t *scorecard, double score,
                                         int64_t by, struct err *e)
{
    char now[32], score_text[32];
    now_rfc3339(now);
    /* bound as text and cast: the binding helpers have no real type */
    snprintf(score_text, sizeof score_text, "%.4f", score);
#define EVALUATION_INSERT(real)                                                                     \
    "INSERT INTO provider_evaluations(provider_org_id,org_id,evaluated_on,scorecard,score,created_by,"     \
    "created_at) VALUES(?,?,?,?,CAST(? AS " real "),?,?)"
    if (db_run(c, e, db_sql(c, EVALUATION_INSERT("REAL"), EVALUATION_INSERT("DOUBLE PRECISION")),
               "iisjsIs", provider_org_id, org_id, evaluated_on, scorecard, score_text, by, now) != 0)
        return -1;
    return db_last_insert_id(c);
}

json_t *store_provider_evaluation_list(struct store_conn *c, int64_t provider_org_id, int64_t org_id)
{
    json_t *rows = db_query(c, NULL, "SELECT * FROM provider_evaluations WHERE provider_org_id=?1 "
                                     "AND (?2 = 0 OR org_id = ?2) ORDER BY evaluated_on DESC, id DESC",
                            "ii", provider_org_id, org_id);
    size_t i;
    json_t *r;
    json_array_foreach(rows, i, r) parse_member(r, "scorecard");
    return rows;
}

json_t *store_provider_evaluation_get(struct store_conn *c, int64_t id)
{
    json_t *row = db_one(c, "SELECT * FROM provider_evaluations WHERE id=?", "i", id);
    if (row) parse_member(row, "scorecard");
    return row;
}

json_t *store_provider_filed_counts(struct store_conn *c, int64_t authority_org_id)
{
    json_t *rows = db_query(c, NULL, "SELECT provider_org_id AS p, count(DISTINCT system_id) AS n FROM filings WHERE state='filed' "
                                     "AND kind='initial' AND (?1 = 0 OR authority_org_id = ?1) AND provider_org_id IS NOT NULL "
                                     "GROUP BY provider_org_id", "i", authority_org_id);
    json_t *out = json_object();
    size_t i;
    json_t *r;
    json_array_foreach(rows, i, r) {
        char key[32];
        snprintf(key, sizeof key, "%lld", (long long)db_jint(r, "p"));
        json_object_set(out, key, json_object_get(r, "n"));
    }
    json_decref(rows);
    return out;
}
