/* sqlite_checkpoint.c — the WAL's checkpoints on a thread of their own (sqlite_checkpoint.h).
 *
 * SQLite's automatic checkpoint runs inside the COMMIT that took the WAL past 1,000 pages, on the
 * committing connection: here the store's one writer, so every request or batch queued behind
 * that commit waited for pages to be copied into the database file (a tenth of the writer's time
 * in the standing check's first pass). The writer's commit hook now only signals this thread,
 * whose own connection runs the same PASSIVE checkpoint beside the writer, as SQLite allows in WAL
 * mode. Under writes without a pause the WAL file grows even so (SQLite starts it over only when
 * a checkpoint has caught up before the writer's next transaction); once it holds ten times the
 * threshold the writer checkpoints itself as before — little is left to copy by then — so the WAL
 * stays bounded (≈ 41 MB). Durability does not change: a commit is durable in the WAL
 * (synchronous=FULL) before any checkpoint. */
#include "store/sqlite_checkpoint.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

enum { CHECKPOINT_PAGES = 1000, WRITER_CHECKPOINT_PAGES = 10 * CHECKPOINT_PAGES };

struct sqlite_checkpointer {
    sqlite3 *writer, *db;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t due_cv;
    bool due, stop;
};

/* After every commit of the writer, with the WAL's size in pages. */
static int on_commit(void *arg, sqlite3 *writer, const char *schema, int pages)
{
    struct sqlite_checkpointer *ck = arg;
    if (pages < CHECKPOINT_PAGES) return SQLITE_OK;
    if (pages >= WRITER_CHECKPOINT_PAGES) {   /* the thread fell behind: as SQLite would itself */
        sqlite3_wal_checkpoint_v2(writer, schema, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
        return SQLITE_OK;
    }
    pthread_mutex_lock(&ck->mu);
    ck->due = true;
    pthread_cond_signal(&ck->due_cv);
    pthread_mutex_unlock(&ck->mu);
    return SQLITE_OK;
}

static void *checkpoint_main(void *arg)
{
    struct sqlite_checkpointer *ck = arg;
    pthread_mutex_lock(&ck->mu);
    for (;;) {
        while (!ck->due && !ck->stop) pthread_cond_wait(&ck->due_cv, &ck->mu);
        if (ck->stop) break;
        ck->due = false;
        pthread_mutex_unlock(&ck->mu);
        /* PASSIVE: copies what no reader still needs, never waits for the writer or readers */
        sqlite3_wal_checkpoint_v2(ck->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
        pthread_mutex_lock(&ck->mu);
    }
    pthread_mutex_unlock(&ck->mu);
    return NULL;
}

struct sqlite_checkpointer *sqlite_checkpointer_start(const char *path, sqlite3 *writer)
{
    struct sqlite_checkpointer *ck = calloc(1, sizeof *ck);
    if (!ck) return NULL;
    ck->writer = writer;
    if (sqlite3_open_v2(path, &ck->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
        sqlite3_close(ck->db);
        free(ck);
        return NULL;
    }
    sqlite3_busy_timeout(ck->db, 10000);
    /* a connection opens its file on first use: until then it is in no journal mode, and a
     * checkpoint asked of it does nothing (tests/unit/test_store.c saw exactly that) */
    if (sqlite3_exec(ck->db, "PRAGMA journal_mode=WAL", NULL, NULL, NULL) != SQLITE_OK) {
        sqlite3_close(ck->db);
        free(ck);
        return NULL;
    }
    pthread_mutex_init(&ck->mu, NULL);
    pthread_cond_init(&ck->due_cv, NULL);
    if (pthread_create(&ck->thread, NULL, checkpoint_main, ck) != 0) {
        pthread_mutex_destroy(&ck->mu);
        pthread_cond_destroy(&ck->due_cv);
        sqlite3_close(ck->db);
        free(ck);
        return NULL;   /* the writer keeps SQLite's automatic checkpoint */
    }
    sqlite3_wal_hook(writer, on_commit, ck);   /* replaces the automatic checkpoint */
    return ck;
}

void sqlite_checkpointer_stop(struct sqlite_checkpointer *ck)
{
    if (!ck) return;
    sqlite3_wal_autocheckpoint(ck->writer, CHECKPOINT_PAGES);   /* the hook back to SQLite's own */
    pthread_mutex_lock(&ck->mu);
    ck->stop = true;
    pthread_cond_signal(&ck->due_cv);
    pthread_mutex_unlock(&ck->mu);
    pthread_join(ck->thread, NULL);
    pthread_mutex_destroy(&ck->mu);
    pthread_cond_destroy(&ck->due_cv);
    sqlite3_close(ck->db);
    free(ck);
}
