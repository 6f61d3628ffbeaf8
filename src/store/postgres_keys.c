/* postgres_keys.c — the deployment's keys on PostgreSQL, one set whichever node signs: the files
 * keys.c keeps under a data directory on SQLite become rows named by the same relative paths
 * ("keys/platform/current", "device-cookie.key"). Two tables, so that `beian backup` (pg_dump)
 * can leave the secrets out as it leaves <data>/keys out on SQLite (docs/trust.md):
 *   deployment_keys     public: keys/<owner>/<id>.pub.json, keys/platform/origin
 *   deployment_secrets  secret: keys/<owner>/<id>.key, keys/<owner>/current (it names a secret
 *                       key: a restore without the secrets makes new keys), device-cookie.key
 * Each call runs on the calling thread's connection; keys.c creates and rotates inside
 * pg_keys_locked, a transaction holding one advisory lock that every node takes. */
#include "store/postgres_internal.h"

#include <stdlib.h>
#include <string.h>

#define LOCK_KEYS 0x626569616e03LL

const char *postgres_schema_keys(void)
{
    return "CREATE TABLE IF NOT EXISTS deployment_keys(name TEXT PRIMARY KEY, value BYTEA NOT NULL);"
           "CREATE TABLE IF NOT EXISTS deployment_secrets(name TEXT PRIMARY KEY, value BYTEA NOT NULL)";
}

static bool is_secret(const char *name)
{
    size_t n = strlen(name);
    return (n > 4 && strcmp(name + n - 4, ".key") == 0) || (n > 8 && strcmp(name + n - 8, "/current") == 0);
}

static struct pg_conn *conn(struct store *s) { return (struct pg_conn *)pg_reader(s); }

long pg_key_get(struct store *s, const char *name, void *buf, size_t cap)
{
    struct pg_conn *c = conn(s);
    if (!c || cap == 0) return -1;
    const char *v[1] = {name};
    PGresult *r = PQexecParams(c->pg, is_secret(name) ? "SELECT value FROM deployment_secrets WHERE name = $1"
                                                      : "SELECT value FROM deployment_keys WHERE name = $1",
                               1, NULL, v, NULL, NULL, 1);
    long got = -1;
    if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1) {
        size_t len = (size_t)PQgetlength(r, 0, 0);
        if (len > cap - 1) len = cap - 1;
        memcpy(buf, PQgetvalue(r, 0, 0), len);
        ((char *)buf)[len] = 0;
        got = (long)len;
    }
    PQclear(r);
    return got;
}

int pg_key_put(struct store *s, const char *name, const void *data, size_t len, bool replace, struct err *e)
{
    struct pg_conn *c = conn(s);
    if (!c) return err_set(e, ERR_INTERNAL, NULL, "no database connection", "无数据库连接");
    static const char *const sql[2][2] = {
        {"INSERT INTO deployment_keys VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
         "INSERT INTO deployment_keys VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET value = excluded.value"},
        {"INSERT INTO deployment_secrets VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
         "INSERT INTO deployment_secrets VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET value = excluded.value"}};
    const char *v[2] = {name, data};
    int lengths[2] = {0, (int)len}, formats[2] = {0, 1};
    PGresult *r = PQexecParams(c->pg, sql[is_secret(name)][replace], 2, NULL, v, lengths, formats, 0);
    int rc = PQresultStatus(r) == PGRES_COMMAND_OK ? (atoi(PQcmdTuples(r)) == 0 ? 1 : 0) : pg_error(c, e, r);
    PQclear(r);
    return rc;
}

int pg_key_remove(struct store *s, const char *name)
{
    struct pg_conn *c = conn(s);
    if (!c) return -1;
    const char *v[1] = {name};
    PGresult *r = PQexecParams(c->pg, is_secret(name) ? "DELETE FROM deployment_secrets WHERE name = $1"
                                                      : "DELETE FROM deployment_keys WHERE name = $1",
                               1, NULL, v, NULL, NULL, 0);
    int rc = PQresultStatus(r) == PGRES_COMMAND_OK ? 0 : -1;
    PQclear(r);
    return rc;
}

json_t *pg_key_names(struct store *s)
{
    struct pg_conn *c = conn(s);
    json_t *out = json_array();
    if (!c) return out;
    PGresult *r = PQexec(c->pg, "SELECT name FROM deployment_keys UNION ALL SELECT name FROM deployment_secrets ORDER BY 1");
    if (PQresultStatus(r) == PGRES_TUPLES_OK)
        for (int i = 0; i < PQntuples(r); i++) json_array_append_new(out, json_string(PQgetvalue(r, i, 0)));
    PQclear(r);
    return out;
}

int pg_keys_locked(struct store *s, int (*fn)(struct store *s, void *arg, struct err *e), void *arg, struct err *e)
{
    struct pg_conn *c = conn(s);
    if (!c) return err_set(e, ERR_INTERNAL, NULL, "no database connection", "无数据库连接");
    char lock[96];
    snprintf(lock, sizeof lock, "BEGIN; SELECT pg_advisory_xact_lock(%lld)", (long long)LOCK_KEYS);
    int rc = pg_exec_simple(c, lock, e);
    if (rc == 0) rc = fn(s, arg, e);
    if (rc == 0) rc = pg_exec_simple(c, "COMMIT", e);
    if (rc != 0) pg_exec_simple(c, "ROLLBACK", NULL);
    return rc;
}
