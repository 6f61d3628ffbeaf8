/* sqlite_insert.c — baseline for the PUT benchmark: a plain C loop that inserts the same filing
 * document into SQLite (WAL, synchronous=FULL, one transaction per insert, as acknowledged
 * writes need), for a fixed time. Prints inserts per second.
 * Usage: sqlite_insert DB DOCUMENT.json SECONDS */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: sqlite_insert DB DOCUMENT.json SECONDS\n");
        return 2;
    }
    FILE *f = fopen(argv[2], "rb");
    if (!f) { perror(argv[2]); return 1; }
    static char doc[1 << 20];
    size_t len = fread(doc, 1, sizeof doc - 1, f);
    fclose(f);
    double seconds = atof(argv[3]);
    sqlite3 *db;
    if (sqlite3_open(argv[1], &db) != SQLITE_OK) return 1;
    sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                     "CREATE TABLE IF NOT EXISTS docs(id INTEGER PRIMARY KEY, document TEXT NOT NULL)", NULL, NULL, NULL);
    sqlite3_stmt *st;
    sqlite3_prepare_v2(db, "INSERT INTO docs(document) VALUES(?)", -1, &st, NULL);
    long n = 0;
    double start = now(), end = start + seconds;
    while (now() < end) {
        sqlite3_bind_text(st, 1, doc, (int)len, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE) { fprintf(stderr, "insert failed: %s\n", sqlite3_errmsg(db)); return 1; }
        sqlite3_reset(st);
        n++;
    }
    double took = now() - start;
    printf("%.0f\n", (double)n / took);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return 0;
}
