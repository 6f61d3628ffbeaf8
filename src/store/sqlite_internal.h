/* sqlite_internal.h — the few helpers of sqlite.c that the other files of the SQLite store
 * (sqlite_materials.c) share. Not part of the store interface: nothing outside src/store/
 * includes this.
 *
 * Statements are cached per connection by the address of their SQL text, so pass string
 * literals (or static pointers) only. Binding types: s text (NULL → null), i int64, I int64 with
 * 0 → null, j json (canonical text; NULL → null). */
#ifndef BEIAN_SQLITE_INTERNAL_H
#define BEIAN_SQLITE_INTERNAL_H

#include <stdint.h>
#include <jansson.h>
#include "core/err.h"

struct store_conn;

/* Run a statement that returns no rows. 0, or -1 with e filled. */
int db_run(struct store_conn *c, struct err *e, const char *sql, const char *types, ...);
/* Run a query: an array of row objects (column → value), or NULL with e filled (e may be NULL). */
json_t *db_query(struct store_conn *c, struct err *e, const char *sql, const char *types, ...);
/* The first row of rows (a new reference) or NULL; consumes rows. */
json_t *first_row(json_t *rows);
#define db_one(c, sql, types, ...) first_row(db_query((c), NULL, (sql), (types), ##__VA_ARGS__))
/* The rowid of the last INSERT, and the rows changed by the last statement, on this connection. */
int64_t db_last_insert_id(struct store_conn *c);
int db_changes(struct store_conn *c);
/* Now as an RFC 3339 UTC timestamp (buf of at least 21 bytes). */
void now_rfc3339(char *buf);

#endif
