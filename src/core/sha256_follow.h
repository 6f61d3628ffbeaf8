/* sha256_follow.h — the SHA-256 of a file while it is still being written, computed on a
 * thread of its own that reads behind the writer, so hashing an upload overlaps receiving and
 * writing it instead of adding to them. */
#ifndef BEIAN_SHA256_FOLLOW_H
#define BEIAN_SHA256_FOLLOW_H

#include <stdint.h>

struct sha256_follow;

/* Follows the file open as fd (readable, positioned writes are not needed: pread is used) from
 * offset 0. NULL when out of memory. The thread starts once the file has grown past a first
 * megabyte; smaller files are hashed in sha256_follow_finish. */
struct sha256_follow *sha256_follow_new(int fd);

/* The writer has written the file up to size bytes (monotonic). */
void sha256_follow_grew(struct sha256_follow *f, uint64_t size);

/* No more bytes will come: waits for the hash of the first size bytes and writes it as hex.
 * Returns 0, or -1 with errno when the file could not be read back. Calling it again gives the
 * same answer; growth reported after it is ignored. */
int sha256_follow_finish(struct sha256_follow *f, char out[65]);

/* Stops following and frees f; NULL is fine. Before finish (an upload cut off) the thread stops
 * without hashing what is left. */
void sha256_follow_free(struct sha256_follow *f);

#endif
