/* etag.h — entity tags (RFC 9110 §8.8.3): matching If-None-Match by weak comparison, the tag of a
 * reply body, and the tag of a content-coded variant of a representation. Pure functions, but for
 * etag_of_reply's memory of the last replies of this thread (same answers, less hashing). */
#ifndef BEIAN_ETAG_H
#define BEIAN_ETAG_H

#include <stdbool.h>
#include <stddef.h>

#define ETAG_MAX 96
/* The suffix that tells the gzip variant's tag from the identity one: "X" → "X-gz". */
#define ETAG_GZIP_SUFFIX "-gz"

/* Does an If-None-Match field value match etag (RFC 9110 §13.1.2)? "*" matches any; otherwise
 * the value is a comma-separated list of entity tags compared weakly (a W/ prefix on either side
 * is ignored; the opaque tags must be equal octet for octet). NULL or malformed: no match (a
 * malformed list matches only through the tags before the damage). */
bool etag_none_match(const char *if_none_match, const char *etag);

/* A strong tag of the bytes: "\"h-<32 hex digits of BLAKE2b-128>\"". */
void etag_of_bytes(const void *data, size_t len, char out[ETAG_MAX]);

/* The tag of a coded variant: "\"X\"" → "\"X<suffix>\"", "W/\"X\"" → "W/\"X<suffix>\"". False
 * (out unchanged) when etag is not a tag or the result would not fit in out_len. */
bool etag_variant(const char *etag, const char *suffix, char *out, size_t out_len);

/* The other way, for If-Match: a client that echoes the tag of a compressed reply means the
 * representation that tag stands for. Copies tag into out with "<suffix>\"" turned back into
 * "\""; any other value is copied unchanged (truncated to out_len). */
void etag_strip_variant(const char *tag, const char *suffix, char *out, size_t out_len);

/* The tag of one reply of a thing whose own tag names only part of what the reply says (a
 * filing's "id-revision" names its document; its state, actions and dates change without it):
 * "\"X\"" → "\"X.<16 hex digits of BLAKE2b-64 of the body>\"". Unchanged (copied) when tag is not
 * a tag or the result would not fit. A reply equal byte for byte to the one this thread last
 * remembered under the same "X" takes the digest computed then (the body is compared, not hashed);
 * remember: keep this one (a read's: a write's reply names a revision no one has read yet). */
void etag_of_reply(const char *tag, const void *body, size_t len, bool remember, char *out, size_t out_len);

/* The other way, for If-Match: "\"X.<16 hex>\"" → "\"X\"" (the thing's own tag); any other value
 * is copied unchanged (truncated to out_len). */
void etag_strip_reply(const char *tag, char *out, size_t out_len);

#endif
