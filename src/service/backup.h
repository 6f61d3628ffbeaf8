/* backup.h — `beian backup` and `beian restore`, the operator's copy of a deployment: the
 * store's consistent online copy and its checked restore (store/store.h: store_backup,
 * store_restore), reached by cli/ through the service as every other use of the store. */
#ifndef BEIAN_SERVICE_BACKUP_H
#define BEIAN_SERVICE_BACKUP_H

#include "core/err.h"
#include "store/store.h"   /* struct store_backup_report: the figures of the manifest */

/* A consistent copy of data_dir into dest_dir (created; must be empty), while servers write. */
int backup_make(const char *data_dir, const char *dest_dir, struct store_backup_report *r, struct err *e);
/* backup_dir into the new data_dir (location: the empty PostgreSQL database of a pg_dump
 * backup, else NULL), then checked: integrity, every material re-hashed, the audit chain. */
int backup_restore(const char *backup_dir, const char *data_dir, const char *location, struct store_backup_report *r,
                   struct err *e);

#endif
