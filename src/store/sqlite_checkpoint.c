/* sqlite_checkpoint.c — the WAL's checkpoints on a thread of their own (sqlite_checkpoint.h).
 *
 * SQLite's automatic checkpoint runs inside the COMMIT that took the WAL past 1,000 pages, on the
 * committing connection: here the store's one writer, so every request or batch queued behind
 * that commit waited for pages to be copied into the database file (a tenth of the writer's time
 * in the standing check's first pass). The writer's commit hook now signals this thread, whose own
 * connection runs the same PASSIVE checkpoint beside the writer, as SQLite allows in WAL mode.
 *
 * SQLite starts the WAL over only when a checkpoint has caught up before the writer's next
 * transaction begins, and under writes without a pause the writer has always begun its next one
 * while the thread copies. So once the thread has copied all but the last few commits' pages, the
 * writer copies those itself, in its commit hook (a few pages and two fsyncs, once a cycle): its
 * next transaction then starts the WAL over. Otherwise the WAL grew to the writer's own bound (ten
 * times the threshold) and every checkpoint sorted the page numbers of all its frames again (a
 * twentieth of a save's instructions). Durability does not change: a commit is durable in the WAL
 * (synchronous=FULL) before any checkpoint. */
#include "store/sqlite_checkpoint.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

enum {
    CHECKPOINT_PAGES = 1000,
    WRITER_TAIL_PAGES = CHECKPOINT_PAGES / 4,   /* what the writer copies itself at most */
    WRITER_CHECKPOINT_PAGES = 10 * CHECKPOINT_PAGES,
};

struct sqlite_checkpointer {
    sqlite3 *writer, *db;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t due_cv;
    bool due, busy, stop;
    int last_pages;        /* the WAL's frames at the writer's last commit (the writer's alone) */
    unsigned generation;   /* how often the WAL started over, as the writer saw it */
    int copied;            /* frames of this generation's WAL the thread's checkpoint has copied */
};

/* After every commit of the writer, with the WAL's size in frames. */
static int on_commit(void *arg, sqlite3 *writer, const char *schema, int pages)
{
    struct sqlite_checkpointer *ck = arg;
    bool started_over = pages < ck->last_pages;
    ck->last_pages = pages;
    pthread_mutex_lock(&ck->mu);
    if (started_over) {
        ck->generation++;
        ck->copied = 0;
    }
    bool writer_copies = pages >= WRITER_CHECKPOINT_PAGES;   /* the thread fell behind: as SQLite would */
    if (pages >= CHECKPOINT_PAGES && !ck->busy && !writer_copies) {
        if (pages - ck->copied <= WRITER_TAIL_PAGES) {
            writer_copies = true;
            ck->copied = 0;   /* should the WAL not start over (a reader still in it), the thread next */
        } else {
            ck->due = true;
            pthread_cond_signal(&ck->due_cv);
        }
    }
    pthread_mutex_unlock(&ck->mu);
    /* the rest, or all of it: the writer's next transaction starts the WAL over */
    if (writer_copies) sqlite3_wal_checkpoint_v2(writer, schema, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
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
        ck->busy = true;
        unsigned generation = ck->generation;
        pthread_mutex_unlock(&ck->mu);
        /* PASSIVE: copies what no reader still needs, never waits for the writer or readers */
        int frames = 0, copied = 0;
        int rc = sqlite3_wal_checkpoint_v2(ck->db, NULL, SQLITE_CHECKPOINT_PASSIVE, &frames, &copied);
        pthread_mutex_lock(&ck->mu);
        ck->busy = false;
        /* counted in the WAL as it was: worth nothing once the writer saw it start over */
        if (rc == SQLITE_OK && generation == ck->generation) ck->copied = copied;
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
