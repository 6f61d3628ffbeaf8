/* postgres_internal.h — what the files of the PostgreSQL backend (postgres.c, postgres_schema.c,
 * postgres_blobs.c) share. Not part of the store interface. */
#ifndef BEIAN_POSTGRES_INTERNAL_H
#define BEIAN_POSTGRES_INTERNAL_H

#include <libpq-fe.h>
#include "store/db.h"

struct pg_conn {
    struct store_conn base;
    PGconn *pg;
    struct { const char *sql; } *cache;   /* prepared statement i is named "s<i>" */
    int ncache;
    int changes;
};

/* e from a failed result (r may be NULL: the connection's message); returns -1. */
int pg_error(struct pg_conn *c, struct err *e, const PGresult *r);
/* Run SQL text without parameters (several statements allowed); 0 or -1 with e (e may be NULL). */
int pg_exec_simple(struct pg_conn *c, const char *sql, struct err *e);
/* SQL with "?"/"?N" parameters as PostgreSQL's "$N" (malloc'd); *nparams the highest number. */
char *pg_translate(const char *sql, int *nparams);
/* This thread's read connection. */
struct store_conn *pg_reader(struct store *s);

/* postgres_schema.c: what the schema needs before the first migration (functions the triggers
 * call), and a SQLite migration in PostgreSQL's dialect (malloc'd). */
const char *postgres_schema_preamble(void);
char *postgres_translate_ddl(const char *sqlite_ddl);

/* postgres_blobs.c: material bytes as chunks in material_blobs. */
int pg_blob_put(struct store *s, struct store_upload *u, struct err *e);
int pg_blob_open(struct store *s, const char *sha256, int64_t size, int *fd, struct err *e);
int pg_blob_check(struct store *s, const char *sha256, char got[65], char *where, size_t where_len);

/* postgres_keys.c: the deployment's keys and the device-cookie key as rows (store_ops key_*). */
const char *postgres_schema_keys(void);
long pg_key_get(struct store *s, const char *name, void *buf, size_t cap);
int pg_key_put(struct store *s, const char *name, const void *data, size_t len, bool replace, struct err *e);
int pg_key_remove(struct store *s, const char *name);
json_t *pg_key_names(struct store *s);
int pg_keys_locked(struct store *s, int (*fn)(struct store *s, void *arg, struct err *e), void *arg, struct err *e);

#endif
