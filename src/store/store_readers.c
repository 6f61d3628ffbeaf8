/* store_readers.c — the read connections of a backend, one per thread: opened on a thread's
 * first read, closed when the thread says it ends (store_reader_release) or with the store. */
#include "store/db.h"

#include <stdlib.h>

struct reader_slot { struct store_conn *conn; struct reader_slot *next; };

static void key_free(void *p) { (void)p; /* closed in readers_close_all */ }

void readers_init(struct readers *r, struct store_conn *(*open_fn)(struct store *s),
                  void (*close_fn)(struct store_conn *c))
{
    r->open = open_fn;
    r->close = close_fn;
    r->list = NULL;
    pthread_mutex_init(&r->mu, NULL);
    pthread_key_create(&r->key, key_free);
}

struct store_conn *readers_get(struct readers *r, struct store *s)
{
    struct store_conn *c = pthread_getspecific(r->key);
    if (c) return c;
    c = r->open(s);
    if (!c) return NULL;
    struct reader_slot *slot = calloc(1, sizeof *slot);
    if (!slot) { r->close(c); return NULL; }
    slot->conn = c;
    pthread_mutex_lock(&r->mu);
    slot->next = r->list;
    r->list = slot;
    pthread_mutex_unlock(&r->mu);
    pthread_setspecific(r->key, c);
    return c;
}

struct store_conn *readers_peek(struct readers *r) { return pthread_getspecific(r->key); }

void readers_release(struct readers *r)
{
    struct store_conn *c = pthread_getspecific(r->key);
    if (!c) return;
    pthread_mutex_lock(&r->mu);
    for (struct reader_slot **p = &r->list; *p; p = &(*p)->next)
        if ((*p)->conn == c) {
            struct reader_slot *gone = *p;
            *p = gone->next;
            free(gone);
            break;
        }
    pthread_mutex_unlock(&r->mu);
    r->close(c);
    pthread_setspecific(r->key, NULL);
}

void readers_close_all(struct readers *r)
{
    pthread_mutex_lock(&r->mu);
    for (struct reader_slot *p = r->list, *next; p; p = next) {
        next = p->next;
        r->close(p->conn);
        free(p);
    }
    r->list = NULL;
    pthread_mutex_unlock(&r->mu);
    pthread_key_delete(r->key);
    pthread_mutex_destroy(&r->mu);
}
