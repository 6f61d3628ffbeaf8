/* cmd_backup.c — `beian backup DEST` (a consistent online copy of the data directory, while the
 * server runs) and `beian restore SRC --data NEWDIR` (into a new, empty data directory, checked). */
#include "cli/cli.h"
#include "service/backup.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char BACKUP_HELP[] =
    "usage: beian backup DEST [--data DIR]\n"
    "Copies the data directory into DEST (created; must be empty) while the server may go on\n"
    "taking writes: the database through the SQLite online backup API (as of one commit), every\n"
    "material file it references (each re-hashed), the installed policy packs, and a manifest\n"
    "DEST/backup.json. Prints the manifest figures. The data directory may also come from $BEIAN_DATA.\n"
    "On PostgreSQL (a data directory made with --store) the database and its materials are\n"
    "DEST/beian.pgdump, written by PostgreSQL's pg_dump from one snapshot (custom format; every\n"
    "material re-hashed in that snapshot); the rest as above. Keep the database's own backups\n"
    "(pg_basebackup, WAL archiving, replicas) as well: this is the copy beian can check.\n";

static const char RESTORE_HELP[] =
    "usage: beian restore SRC --data NEWDIR [--store postgresql://…]\n"
    "Restores the backup SRC into the new data directory NEWDIR (created; refused unless empty),\n"
    "then checks PRAGMA integrity_check, re-hashes every referenced material file and verifies the\n"
    "audit chain. Exit 0 when all hold. A PostgreSQL backup (SRC/beian.pgdump) is loaded with\n"
    "pg_restore into the empty database --store (or $BEIAN_STORE) names, which NEWDIR then remembers.\n";

/* Parse "CMD POSITIONAL [--data DIR]" in any order. */
static int parse(int argc, char **argv, const char *cmd, const char *help, const char **pos, const char **data,
                 const char **store)
{
    static const struct option opts[] = {
        {"data", required_argument, NULL, 'd'}, {"help", no_argument, NULL, 'h'},
        {"store", required_argument, NULL, 'Q'}, {NULL, 0, NULL, 0},
    };
    *pos = NULL;
    *data = NULL;
    *store = getenv("BEIAN_STORE");
    int ch;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (ch) {
        case 'd': *data = optarg; break;
        case 'Q': *store = optarg; break;
        case 'h': fputs(help, stdout); return EXIT_OK;
        default: return cli_usage(cmd, "unknown option");
        }
    }
    if (optind != argc - 1) return cli_usage(cmd, optind < argc ? "one directory expected" : "a directory is required");
    *pos = argv[optind];
    return -1;
}

static void print_report(const char *what, const char *dir, const struct store_backup_report *r)
{
    printf("%s %s: filings %lld, audit entries up to %lld, materials %lld (%lld bytes), policy files %lld\n", what,
           dir, (long long)r->filings, (long long)r->audit_last_id, (long long)r->blobs, (long long)r->blob_bytes,
           (long long)r->policy_files);
}

int cmd_backup(int argc, char **argv)
{
    const char *dest, *data, *store;
    int rc = parse(argc, argv, "backup", BACKUP_HELP, &dest, &data, &store);
    if (rc >= 0) return rc;
    data = cli_data_dir(data);
    if (!data) return cli_usage("backup", "no data directory: give --data DIR or set BEIAN_DATA");
    struct err e = {0};
    struct store_backup_report r;
    if (backup_make(data, dest, &r, &e) != 0) {
        rc = cli_fail(&e);
        err_clear(&e);
        return rc;
    }
    print_report("backup", dest, &r);
    return EXIT_OK;
}

int cmd_restore(int argc, char **argv)
{
    const char *src, *data, *store;
    int rc = parse(argc, argv, "restore", RESTORE_HELP, &src, &data, &store);
    if (rc >= 0) return rc;
    if (!data) return cli_usage("restore", "give the new data directory with --data NEWDIR");
    struct err e = {0};
    struct store_backup_report r;
    if (backup_restore(src, data, store, &r, &e) != 0) {
        rc = cli_fail(&e);
        err_clear(&e);
        return rc;
    }
    print_report("restored", data, &r);
    printf("%s ok, materials re-hashed ok, audit chain ok\n", store && *store ? "pg_restore" : "integrity_check");
    return EXIT_OK;
}
