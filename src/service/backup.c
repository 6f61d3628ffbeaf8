/* backup.c — the operator's backup and restore (see backup.h): the store does the copying and
 * the checking; nothing else of the service is needed, no app is opened. */
#include "service/backup.h"

int backup_make(const char *data_dir, const char *dest_dir, struct store_backup_report *r, struct err *e)
{
    return store_backup(data_dir, dest_dir, r, e);
}

int backup_restore(const char *backup_dir, const char *data_dir, const char *location, struct store_backup_report *r,
                   struct err *e)
{
    return store_restore(backup_dir, data_dir, location, r, e);
}
