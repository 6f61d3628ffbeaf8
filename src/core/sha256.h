/* sha256.h — SHA-256 digests as lowercase hex, of bytes and of JSON documents in a canonical
 * form (compact, keys sorted), so equal documents hash equally whatever their member order. */
#ifndef BEIAN_SHA256_H
#define BEIAN_SHA256_H

#include <jansson.h>
#include <stddef.h>

/* Writes the SHA-256 of len bytes at data as 64 lowercase hex digits plus NUL. */
void sha256_hex(const void *data, size_t len, char out[65]);

/* SHA-256 hex of json_dumps(doc, COMPACT|SORT_KEYS|ENCODE_ANY); NULL doc hashes ""; out is ""
 * only when the document cannot be serialised (out of memory). */
void sha256_json_hex(const json_t *doc, char out[65]);

#endif
