/* doc_cache.h — parsed JSON documents by a digest of their text, for passes over many stored
 * records (the standing check, the impact of a pack version): records that share a document — or a
 * record read again unchanged — are parsed once. Direct-mapped (DOC_CACHE_SLOTS documents at most),
 * keyed by BLAKE2b (a document crafted to collide with another cannot take its place). The
 * documents are shared by reference: a caller must not change one in place (copy it first). One
 * cache belongs to one thread. */
#ifndef BEIAN_DOC_CACHE_H
#define BEIAN_DOC_CACHE_H

#include <jansson.h>
#include <stdbool.h>

enum { DOC_CACHE_SLOTS = 64 };

struct doc_cache;

struct doc_cache *doc_cache_new(void);
void doc_cache_free(struct doc_cache *dc);

/* The parsed document of text (NUL-terminated JSON), borrowed from the cache: valid until the next
 * call; json_incref it to keep it. Text that is not JSON gives an empty object. NULL only when out
 * of memory. */
json_t *doc_cache_parse(struct doc_cache *dc, const char *text);

/* When doc is one of the cache's documents (as doc_cache_parse returned it, still cached): true,
 * with out the digest of its text (BLAKE2b of "text:" and the text) — a digest of the document for
 * keying other caches without walking it. False otherwise. */
bool doc_cache_digest(const struct doc_cache *dc, const json_t *doc, unsigned char out[32]);

#endif
