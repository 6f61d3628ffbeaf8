/* sqlite_internal.h — kept for the store files that still include it by this name: the SQL
 * helpers every store file uses are in db.h (the same for SQLite and PostgreSQL). */
#ifndef BEIAN_SQLITE_INTERNAL_H
#define BEIAN_SQLITE_INTERNAL_H
#include "store/db.h"
#endif
