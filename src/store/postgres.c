/* postgres.c — the PostgreSQL backend of the store (db.h). */
#include "store/db.h"

int postgres_store_open(const char *data_dir, const char *uri, bool create, struct store **out, struct err *e)
{
    return err_set(e, ERR_INTERNAL, NULL, "this beian was built without PostgreSQL", "此 beian 未包含 PostgreSQL 支持");
}
