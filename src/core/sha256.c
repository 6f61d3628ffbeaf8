/* sha256.c — SHA-256 hex digests through libsodium (crypto_hash_sha256 needs no sodium_init). */
#include "sha256.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

void sha256_hex(const void *data, size_t len, char out[65])
{
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(digest, len ? data : (const void *)"", len);
    sodium_bin2hex(out, 65, digest, sizeof digest);
}

void sha256_json_hex(const json_t *doc, char out[65])
{
    if (!doc) {
        sha256_hex("", 0, out);
        return;
    }
    /* JSON_ENCODE_ANY changes nothing for objects and arrays and lets a scalar be hashed too. */
    char *text = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
    if (!text) {
        out[0] = '\0';  /* a wrong but plausible digest would be worse than none */
        return;
    }
    sha256_hex(text, strlen(text), out);
    free(text);
}
