/* sign.h — Ed25519 signatures over canonical JSON, key ids and base64, the primitives of signed
 * certificates and receipts. Pure: bytes in, bytes out (libsodium's functions only compute).
 *
 * Canonical JSON: jansson's compact form with object keys sorted (JSON_COMPACT|JSON_SORT_KEYS),
 * non-ASCII characters as UTF-8, integers only (statements hold no floating-point numbers). */
#ifndef BEIAN_SIGN_H
#define BEIAN_SIGN_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SIGN_PK_LEN 32
#define SIGN_SK_LEN 64         /* libsodium's secret key: seed || public key */
#define SIGN_SIG_LEN 64
#define SIGN_KEYID_HEX 17      /* 16 hex digits + NUL */

/* The key id of a public key: the first 8 bytes of SHA-256(public key), lowercase hex. */
void sign_key_id(const uint8_t pk[SIGN_PK_LEN], char out[SIGN_KEYID_HEX]);
/* The canonical bytes of a JSON value (malloc'd, NUL-terminated); NULL when it cannot be serialised. */
char *sign_canonical(const json_t *value);
/* Sign the canonical bytes of value; sig_b64 gets the base64 signature (malloc'd). 0 or -1. */
int sign_json(const uint8_t sk[SIGN_SK_LEN], const json_t *value, char **sig_b64);
/* Does sig_b64 sign the canonical bytes of value under pk? */
bool sign_json_verify(const uint8_t pk[SIGN_PK_LEN], const json_t *value, const char *sig_b64);

/* Base64 (standard alphabet, padded). Encode: malloc'd string. Decode: the length written, or -1
 * when the text is not base64 or holds more than max bytes. */
char *sign_b64(const void *data, size_t len);
long sign_unb64(const char *text, uint8_t *out, size_t max);
/* Lowercase hex of len bytes into out (2*len+1). Decode: 0 when text is exactly 2*len hex digits. */
void sign_hex(const void *data, size_t len, char *out);
int sign_unhex(const char *text, uint8_t *out, size_t len);

#endif
