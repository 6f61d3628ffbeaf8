/* backup_postgres.c — the database part of `beian backup` and `beian restore` on PostgreSQL.
 *
 * Backup: a REPEATABLE READ transaction exports its snapshot; in it the figures of the manifest
 * are counted and every material's bytes re-hashed, and PostgreSQL's own pg_dump (custom format,
 * --snapshot) writes the dump of exactly that snapshot, materials included (material_blobs), to
 * DEST/beian.pgdump while the nodes go on writing. Restore: pg_restore loads a dump into an empty
 * database (one transaction, stopping at the first error); the caller then opens it and checks. */
#include "store/backup_postgres.h"
#include "core/sha256.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static int pq_fail(PGconn *pg, const PGresult *r, struct err *e, const char *what)
{
    return err_set(e, ERR_INTERNAL, NULL, "%s: %s", "%s：%s", what, r ? PQresultErrorMessage(r) : PQerrorMessage(pg));
}

/* Run a PostgreSQL client program (argv[0] found on PATH); 0 when it exits 0. */
static int run_tool(char *const argv[], struct err *e)
{
    pid_t pid = fork();
    if (pid < 0) return err_set(e, ERR_INTERNAL, NULL, "cannot start %s", "无法启动 %s", argv[0]);
    if (pid == 0) {
        umask(077);   /* the dump holds password hashes and tokens' hashes */
        execvp(argv[0], argv);
        fprintf(stderr, "beian: cannot run %s (install postgresql-client)\n", argv[0]);
        _exit(127);
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0) {}
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return err_set(e, ERR_INTERNAL, NULL, "%s failed (see its message above)", "%s 失败（见上方信息）", argv[0]);
    return 0;
}

/* One value of a one-row query, as an integer. */
static int64_t scalar(PGconn *pg, const char *sql, bool *ok)
{
    PGresult *r = PQexec(pg, sql);
    int64_t v = 0;
    if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1) v = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    else *ok = false;
    PQclear(r);
    return v;
}

/* Re-hash every material the snapshot names from its chunks; figures into r. */
static int rehash_all(PGconn *pg, struct store_backup_report *r, struct err *e)
{
    PGresult *list = PQexec(pg, "SELECT sha256 FROM material_versions UNION SELECT sha256 FROM material_pins ORDER BY 1");
    if (PQresultStatus(list) != PGRES_TUPLES_OK) {
        int rc = pq_fail(pg, list, e, "cannot list the materials");
        PQclear(list);
        return rc;
    }
    int rc = 0;
    for (int i = 0; rc == 0 && i < PQntuples(list); i++) {
        const char *sha = PQgetvalue(list, i, 0);
        const char *v[1] = {sha};
        PGresult *chunks = PQexecParams(pg, "SELECT data FROM material_blobs WHERE sha256 = $1 ORDER BY chunk", 1, NULL, v,
                                        NULL, NULL, 1);
        if (PQresultStatus(chunks) != PGRES_TUPLES_OK) {
            rc = pq_fail(pg, chunks, e, "cannot read a material");
        } else if (PQntuples(chunks) == 0) {
            rc = err_set(e, ERR_INTERNAL, NULL, "material %s is missing", "材料 %s 缺失", sha);
        } else {
            struct sha256 h;
            sha256_init(&h);
            for (int c = 0; c < PQntuples(chunks); c++) {
                sha256_update(&h, PQgetvalue(chunks, c, 0), (size_t)PQgetlength(chunks, c, 0));
                r->blob_bytes += PQgetlength(chunks, c, 0);
            }
            char got[65];
            sha256_final_hex(&h, got);
            if (strcmp(got, sha) != 0)
                rc = err_set(e, ERR_INTERNAL, NULL, "material %s is damaged (its bytes hash to %s)",
                             "材料 %s 已损坏（内容哈希为 %s）", sha, got);
            r->blobs++;
        }
        PQclear(chunks);
    }
    PQclear(list);
    return rc;
}

int postgres_dump(const char *uri, const char *dump_path, struct store_backup_report *r, struct err *e)
{
    PGconn *pg = PQconnectdb(uri);
    if (PQstatus(pg) != CONNECTION_OK) {
        int rc = pq_fail(pg, NULL, e, "cannot connect to PostgreSQL");
        PQfinish(pg);
        return rc;
    }
    int rc = 0;
    PGresult *res = PQexec(pg, "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY");
    if (PQresultStatus(res) != PGRES_COMMAND_OK) rc = pq_fail(pg, res, e, "cannot begin");
    PQclear(res);
    char snapshot[128] = "";
    if (rc == 0) {
        res = PQexec(pg, "SELECT pg_export_snapshot()");
        if (PQresultStatus(res) == PGRES_TUPLES_OK) snprintf(snapshot, sizeof snapshot, "%s", PQgetvalue(res, 0, 0));
        else rc = pq_fail(pg, res, e, "cannot export the snapshot");
        PQclear(res);
    }
    if (rc == 0) {
        bool ok = true;
        r->audit_last_id = scalar(pg, "SELECT coalesce(max(id), 0) FROM audit", &ok);
        r->filings = scalar(pg, "SELECT count(*) FROM filings", &ok);
        if (!ok) rc = pq_fail(pg, NULL, e, "cannot count");
    }
    if (rc == 0) rc = rehash_all(pg, r, e);
    if (rc == 0) {
        char file_arg[4300], snap_arg[160];
        snprintf(file_arg, sizeof file_arg, "--file=%s", dump_path);
        snprintf(snap_arg, sizeof snap_arg, "--snapshot=%s", snapshot);
        /* never a secret key (docs/trust.md): the table is dumped, its rows are not, so a restore
         * publishes the old public keys and makes new secret ones at its first signature */
        char *argv[] = {"pg_dump", "--format=custom", "--no-owner", "--no-privileges",
                        "--exclude-table-data=deployment_secrets", snap_arg, file_arg, "--dbname", (char *)uri, NULL};
        rc = run_tool(argv, e);
    }
    PQclear(PQexec(pg, "COMMIT"));
    PQfinish(pg);
    return rc;
}

int postgres_load(const char *uri, const char *dump_path, struct err *e)
{
    PGconn *pg = PQconnectdb(uri);
    bool ok = PQstatus(pg) == CONNECTION_OK;
    int64_t tables = ok ? scalar(pg, "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()", &ok) : 0;
    int rc = ok ? 0 : pq_fail(pg, NULL, e, "cannot connect to PostgreSQL");
    PQfinish(pg);
    if (rc) return rc;
    if (tables > 0)
        return err_set(e, ERR_CONFLICT, NULL, "the database to restore into is not empty (%lld tables)",
                       "要恢复到的数据库不是空的（%lld 张表）", (long long)tables);
    char *argv[] = {"pg_restore", "--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error",
                    "--dbname", (char *)uri, (char *)dump_path, NULL};
    return run_tool(argv, e);
}
