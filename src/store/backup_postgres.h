/* backup_postgres.h — the database part of backup and restore on PostgreSQL (backup_postgres.c),
 * for backup.c. Not part of the store interface. */
#ifndef BEIAN_BACKUP_POSTGRES_H
#define BEIAN_BACKUP_POSTGRES_H

#include "store/store.h"

/* pg_dump of one snapshot of uri's database into dump_path; in the same snapshot the figures of r
 * are counted and every referenced material re-hashed. */
int postgres_dump(const char *uri, const char *dump_path, struct store_backup_report *r, struct err *e);
/* pg_restore of dump_path into uri's database, which must be empty. */
int postgres_load(const char *uri, const char *dump_path, struct err *e);

#endif
