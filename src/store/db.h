/* db.h — the seam between the store's functions and the database engine under them.
 *
 * The functions of store.h (store_orgs.c, store_filings.c, store_audit.c, store_materials.c, …)
 * are written once, as SQL through db_run()/db_query(); a backend (sqlite.c, postgres.c) provides
 * the engine behind them as a table of operations (struct store_ops): opening and closing, the
 * write transaction, the per-thread read connection, running a statement, the stored bytes of
 * materials. Not part of the store interface: nothing outside src/store/ includes this.
 *
 * Statements are cached per connection by the address of their SQL text, so pass string literals
 * (or static pointers) only. Parameters are "?" or "?N"; binding types: s text (NULL → null),
 * i int64, I int64 with 0 → null, j json (canonical text; NULL → null), d double. The SQL is the
 * common ground of SQLite and PostgreSQL; where they differ, db_sql() picks the text per engine. */
#ifndef BEIAN_STORE_DB_H
#define BEIAN_STORE_DB_H

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>
#include "core/err.h"
#include "store/store.h"

enum db_engine { DB_SQLITE, DB_POSTGRES };

struct store_ops {
    enum db_engine engine;
    void (*close)(struct store *s);
    int (*write)(struct store *s, store_job_fn fn, void *arg, struct err *e);
    struct store_conn *(*reader)(struct store *s);
    void (*reader_release)(struct store *s);
    void (*read_begin)(struct store *s);   /* optional (store_read_begin) */
    void (*read_end)(struct store *s);
    bool (*read_generation)(struct store *s, uint64_t out[2]);   /* optional */
    int (*write_announced)(struct store *s, store_job_fn fn, void *arg, struct err *e);   /* optional */
    void (*write_counts)(struct store *s, uint64_t *commits, uint64_t *writes);   /* optional */
    void (*write_linger_set)(struct store *s, long us);                         /* optional */
    int64_t (*page_cache_bytes)(struct store *s);                               /* optional */
    /* a statement without rows; rows as objects (raw_json: JSON columns stay text); each row to fn
     * without collecting them (fn may run other statements on c; non-zero stops) */
    int (*run)(struct store_conn *c, struct err *e, const char *sql, const char *types, va_list ap);
    json_t *(*query)(struct store_conn *c, struct err *e, bool raw_json, const char *sql, const char *types,
                     va_list ap);
    int (*each)(struct store_conn *c, struct err *e, const char *sql, const char *types,
                int (*fn)(const json_t *row, void *arg), void *arg, va_list ap);
    int64_t (*last_insert_id)(struct store_conn *c);
    int (*changes)(struct store_conn *c);
    /* material contents by SHA-256 (see store.h, "material contents") */
    int (*blob_put)(struct store *s, struct store_upload *u, struct err *e);
    int (*blob_open)(struct store *s, const char *sha256, int64_t size, int *fd, struct err *e);
    int (*blob_check)(struct store *s, const char *sha256, char got[65], char *where, size_t where_len);
    bool (*leads)(struct store *s, const char *job);
    /* the deployment's keys (keys.c) by their path under the data directory, when the backend
     * keeps them (PostgreSQL: one set for every node); NULL: files in the data directory.
     * key_get: the length read (at most cap-1, NUL added) or -1; key_put: 0, or 1 when replace
     * is false and name was there; keys_locked: fn holding the deployment's key lock */
    long (*key_get)(struct store *s, const char *name, void *buf, size_t cap);
    int (*key_put)(struct store *s, const char *name, const void *data, size_t len, bool replace, struct err *e);
    int (*key_remove)(struct store *s, const char *name);
    json_t *(*key_names)(struct store *s);
    int (*keys_locked)(struct store *s, int (*fn)(struct store *s, void *arg, struct err *e), void *arg, struct err *e);
};

/* The first members of every backend's store and connection. */
struct store {
    const struct store_ops *ops;
    char data_dir[4096];
    atomic_int writes_soon;   /* writes announced (store_write_soon) and not yet sent */
};
struct store_conn {
    const struct store_ops *ops;
};

/* The read connections of a backend, one per thread (store_readers.c): open_fn opens one (NULL
 * when it cannot, having said why on stderr), close_fn closes one. */
struct reader_slot;
struct readers {
    pthread_key_t key;
    pthread_mutex_t mu;
    struct reader_slot *list;
    struct store_conn *(*open)(struct store *s);
    void (*close)(struct store_conn *c);
};
void readers_init(struct readers *r, struct store_conn *(*open_fn)(struct store *s),
                  void (*close_fn)(struct store_conn *c));
struct store_conn *readers_get(struct readers *r, struct store *s);   /* this thread's */
struct store_conn *readers_peek(struct readers *r);                   /* this thread's, NULL: none yet */
void readers_release(struct readers *r);                              /* this thread's */
void readers_close_all(struct readers *r);

/* The backends (sqlite.c, postgres.c). location: a data directory / a postgresql:// URI. */
int sqlite_store_open(const char *data_dir, bool create, struct store **out, struct err *e);
int postgres_store_open(const char *data_dir, const char *uri, bool create, struct store **out, struct err *e);
/* The schema version the database at uri holds (-1: none) and the latest this build knows. */
int postgres_schema_version(const char *uri, int *version, int *latest, struct err *e);
/* Content-addressed files under <data>/materials (store_blobs.c): the SQLite backend's blobs. */
int blob_files_put(struct store *s, struct store_upload *u, struct err *e);
int blob_files_open(struct store *s, const char *sha256, int64_t size, int *fd, struct err *e);
int blob_files_check(struct store *s, const char *sha256, char got[65], char *where, size_t where_len);

/* A postgresql:// or postgres:// URI? The location data_dir remembers (<data_dir>/store.uri; ""
 * when none: SQLite). */
bool db_is_postgres_uri(const char *location);
void db_remembered_location(const char *data_dir, char *buf, size_t len);

/* Run a statement that returns no rows. 0, or -1 with e filled. */
int db_run(struct store_conn *c, struct err *e, const char *sql, const char *types, ...);
/* Run a query: an array of row objects (column → value), or NULL with e filled (e may be NULL). */
json_t *db_query(struct store_conn *c, struct err *e, const char *sql, const char *types, ...);
/* The same with the JSON columns (document, findings, …) left as JSON text in strings. */
json_t *db_query_raw(struct store_conn *c, struct err *e, const char *sql, const char *types, ...);
/* Each row (JSON columns as text) to fn, one at a time; fn returns non-zero to stop. */
int db_each(struct store_conn *c, struct err *e, const char *sql, const char *types,
            int (*fn)(const json_t *row, void *arg), void *arg, ...);
/* The first row of rows (a new reference) or NULL; consumes rows. */
json_t *first_row(json_t *rows);
#define db_one(c, sql, types, ...) first_row(db_query((c), NULL, (sql), (types), ##__VA_ARGS__))

/* The system_free guard's ask (store_system_other_live_filing), asked on every view and save; the
 * conformance suite checks that SQLite answers it from the index, not by a scan. */
extern const char STORE_SQL_OTHER_LIVE_FILING[];
/* The keys of a record's open standing findings (store_standing_open_keys), asked for every filed
 * record every day; the same suite checks that SQLite answers it from the index alone. */
extern const char STORE_SQL_STANDING_OPEN_KEYS[];
/* The id the last INSERT gave its row, and the rows changed by the last statement, on this connection. */
int64_t db_last_insert_id(struct store_conn *c);
int db_changes(struct store_conn *c);
/* The SQL text for this connection's engine (both string literals). */
#define db_sql(c, sqlite_text, postgres_text) ((c)->ops->engine == DB_POSTGRES ? (postgres_text) : (sqlite_text))
/* Is this column a JSON column (parsed on the way out)? */
bool db_is_json_column(const char *name);
/* Now as an RFC 3339 UTC timestamp (buf of at least 21 bytes). */
void now_rfc3339(char *buf);

static inline const char *db_jstr(const json_t *o, const char *k) { return json_string_value(json_object_get(o, k)); }
static inline int64_t db_jint(const json_t *o, const char *k) { return json_integer_value(json_object_get(o, k)); }

#endif
