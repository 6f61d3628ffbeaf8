/* sqlite_checkpoint.h — the WAL's checkpoints off the store's writer thread (sqlite_checkpoint.c). */
#ifndef BEIAN_SQLITE_CHECKPOINT_H
#define BEIAN_SQLITE_CHECKPOINT_H

#include <sqlite3.h>

struct sqlite_checkpointer;

/* A thread with its own connection to the database at path that checkpoints the WAL when the
 * writer's commits have grown it past SQLite's usual threshold. Call it from the thread that owns
 * writer before that connection commits anything else. NULL when it could not start (then the
 * writer checkpoints itself, as SQLite does by default). */
struct sqlite_checkpointer *sqlite_checkpointer_start(const char *path, sqlite3 *writer);
/* Stop it (NULL: nothing), once the writer commits no more and before its connection closes. */
void sqlite_checkpointer_stop(struct sqlite_checkpointer *ck);

#endif
