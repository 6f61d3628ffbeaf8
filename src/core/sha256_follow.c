/* sha256_follow.c — see sha256_follow.h. One reader thread per followed file: it waits on a
 * condition variable for the writer to report growth and reads the new bytes back with pread
 * (from the page cache, where they just went). */
#include "sha256_follow.h"
#include "sha256.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FOLLOW_START_BYTES ((uint64_t)1 << 20)   /* below this, a thread is not worth it */
#define FOLLOW_CHUNK ((size_t)256 << 10)
#define FOLLOW_BATCH ((uint64_t)1 << 20)      /* bytes per wakeup of the thread */

struct sha256_follow {
    int fd;
    struct sha256 hash;
    uint64_t hashed;         /* owned by whoever hashes: the thread while it runs */
    pthread_mutex_t lock;
    pthread_cond_t grown;
    uint64_t written;        /* under lock */
    uint64_t wake_at;        /* under lock: the thread sleeps until written reaches this */
    bool finished;           /* under lock: no more growth */
    _Atomic bool abandoned;  /* the upload was cut off: the thread stops without hashing the rest */
    int read_errno;          /* set by the hashing side when a read fails */
    bool thread_tried;       /* a thread was asked for, once (touched by the writer only) */
    bool thread_running;     /* and started (touched by the writer only) */
    bool done;               /* finish has run; hex is the digest (touched by the writer only) */
    char hex[65];
    pthread_t thread;
    unsigned char *buf;
};

/* Hashes [f->hashed, upto); 0 or -1 with f->read_errno. pread copies from the page cache,
 * and measured faster here than a populated mapping of the same range. */
static int hash_range(struct sha256_follow *f, uint64_t upto)
{
    while (f->hashed < upto && !f->abandoned) {
        size_t want = upto - f->hashed < FOLLOW_CHUNK ? (size_t)(upto - f->hashed) : FOLLOW_CHUNK;
        ssize_t r = pread(f->fd, f->buf, want, (off_t)f->hashed);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) {
            f->read_errno = r < 0 ? errno : EIO;   /* 0: the file is shorter than written said */
            return -1;
        }
        sha256_update(&f->hash, f->buf, (size_t)r);
        f->hashed += (uint64_t)r;
    }
    return 0;
}

static void *follow_thread(void *arg)
{
    struct sha256_follow *f = arg;
    for (;;) {
        pthread_mutex_lock(&f->lock);
        /* caught up: sleep until a batch has arrived (one wakeup per batch, not per write) */
        f->wake_at = f->hashed + FOLLOW_BATCH;
        while (f->written < f->wake_at && !f->finished) pthread_cond_wait(&f->grown, &f->lock);
        uint64_t upto = f->written;
        bool last = f->finished;
        pthread_mutex_unlock(&f->lock);
        if (hash_range(f, upto) != 0 || (last && f->hashed == upto) || f->abandoned) return NULL;
    }
}

struct sha256_follow *sha256_follow_new(int fd)
{
    struct sha256_follow *f = calloc(1, sizeof *f);
    if (!f) return NULL;
    f->buf = malloc(FOLLOW_CHUNK);
    if (!f->buf) { free(f); return NULL; }
    f->fd = fd;
    sha256_init(&f->hash);
    pthread_mutex_init(&f->lock, NULL);
    pthread_cond_init(&f->grown, NULL);
    return f;
}

void sha256_follow_grew(struct sha256_follow *f, uint64_t size)
{
    pthread_mutex_lock(&f->lock);
    f->written = size;
    if (size >= f->wake_at) pthread_cond_signal(&f->grown);
    pthread_mutex_unlock(&f->lock);
    /* no thread (not started, or it could not be): finish hashes everything itself */
    if (!f->thread_tried && !f->done && size >= FOLLOW_START_BYTES) {
        f->thread_tried = true;
        f->thread_running = pthread_create(&f->thread, NULL, follow_thread, f) == 0;
    }
}

static void stop_thread(struct sha256_follow *f)
{
    pthread_mutex_lock(&f->lock);
    f->finished = true;
    pthread_cond_signal(&f->grown);
    pthread_mutex_unlock(&f->lock);
    if (f->thread_running) pthread_join(f->thread, NULL);
    f->thread_running = false;
}

int sha256_follow_finish(struct sha256_follow *f, char out[65])
{
    if (!f->done) {
        stop_thread(f);
        /* the thread has stopped (or never ran): the rest, if any, is hashed here */
        if (f->read_errno == 0) hash_range(f, f->written);
        if (f->read_errno == 0) sha256_final_hex(&f->hash, f->hex);
        f->done = true;   /* a second call gives the same answer; growth after it is ignored */
    }
    if (f->read_errno) {
        errno = f->read_errno;
        return -1;
    }
    memcpy(out, f->hex, sizeof f->hex);
    return 0;
}

void sha256_follow_free(struct sha256_follow *f)
{
    if (!f) return;
    f->abandoned = true;   /* unfinished: what is left need not be hashed */
    stop_thread(f);
    pthread_cond_destroy(&f->grown);
    pthread_mutex_destroy(&f->lock);
    free(f->buf);
    free(f);
}
