/* gzip.h — content coding of replies: whether the client's Accept-Encoding allows gzip, which
 * media types are worth compressing, and the compression itself (zlib). */
#ifndef BEIAN_GZIP_H
#define BEIAN_GZIP_H

#include <stdbool.h>
#include <stddef.h>

/* Bodies smaller than this are sent as they are: the gzip header and the CPU cost more than
 * the bytes saved. */
#define GZIP_MIN_BYTES 1024

/* Does the Accept-Encoding field value allow gzip (RFC 9110 §12.5.3)? gzip or x-gzip with a
 * weight above 0, or "*" above 0 when gzip is not named. NULL (no header): no — a client that
 * does not ask gets the identity coding. Case-insensitive; a malformed weight counts as 0. */
bool gzip_accepted(const char *accept_encoding);

/* Is a reply of this Content-Type worth compressing? Text, JSON (+json), JavaScript, SVG, XML,
 * CSV; never what is compressed already (images but SVG, PDF, office documents, archives, fonts). */
bool gzip_type_compressible(const char *content_type);

/* The gzip member (RFC 1952) of data[0..len); malloc'd, *out_len set. NULL when out of memory. */
char *gzip_compress(const void *data, size_t len, size_t *out_len);

#endif
