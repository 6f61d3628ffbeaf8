/* sha256.h — SHA-256: a streaming digest (with the x86 SHA extensions when the CPU has them),
 * hex digests of bytes and files, and of JSON documents in a canonical form (compact, keys
 * sorted), so equal documents hash equally whatever their member order. */
#ifndef BEIAN_SHA256_H
#define BEIAN_SHA256_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

struct sha256 {
    uint32_t h[8];
    uint64_t bytes;          /* fed so far */
    unsigned char buf[64];   /* a partial block */
    size_t buffered;
};

void sha256_init(struct sha256 *s);
void sha256_update(struct sha256 *s, const void *data, size_t len);
/* Writes the digest as 64 lowercase hex digits plus NUL; s must be initialised again to reuse. */
void sha256_final_hex(struct sha256 *s, char out[65]);

/* Which block function runs: "sha-ni" or "portable" (reported by the benchmark). */
const char *sha256_implementation(void);

/* Writes the SHA-256 of len bytes at data as 64 lowercase hex digits plus NUL. */
void sha256_hex(const void *data, size_t len, char out[65]);

/* SHA-256 hex of the file at path; -1 with errno set when it cannot be opened or read. */
int sha256_file_hex(const char *path, char out[65]);

/* SHA-256 hex of json_dumps(doc, COMPACT|SORT_KEYS|ENCODE_ANY); NULL doc hashes ""; out is ""
 * only when the document cannot be serialised (out of memory). */
void sha256_json_hex(const json_t *doc, char out[65]);

#endif
