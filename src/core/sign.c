/* sign.c — Ed25519 over canonical JSON, key ids, base64 and hex (see sign.h). */
#include "core/sign.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

void sign_key_id(const uint8_t pk[SIGN_PK_LEN], char out[SIGN_KEYID_HEX])
{
    uint8_t h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, pk, SIGN_PK_LEN);
    sign_hex(h, 8, out);
}

char *sign_canonical(const json_t *value)
{
    return value ? json_dumps(value, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY) : NULL;
}

int sign_json(const uint8_t sk[SIGN_SK_LEN], const json_t *value, char **sig_b64)
{
    char *msg = sign_canonical(value);
    if (!msg) return -1;
    uint8_t sig[SIGN_SIG_LEN];
    crypto_sign_detached(sig, NULL, (const uint8_t *)msg, strlen(msg), sk);
    free(msg);
    *sig_b64 = sign_b64(sig, sizeof sig);
    return *sig_b64 ? 0 : -1;
}

bool sign_json_verify(const uint8_t pk[SIGN_PK_LEN], const json_t *value, const char *sig_b64)
{
    uint8_t sig[SIGN_SIG_LEN + 1];
    if (!sig_b64 || sign_unb64(sig_b64, sig, sizeof sig) != SIGN_SIG_LEN) return false;
    char *msg = sign_canonical(value);
    if (!msg) return false;
    bool ok = crypto_sign_verify_detached(sig, (const uint8_t *)msg, strlen(msg), pk) == 0;
    free(msg);
    return ok;
}

char *sign_b64(const void *data, size_t len)
{
    size_t n = sodium_base64_encoded_len(len, sodium_base64_VARIANT_ORIGINAL);
    char *out = malloc(n);
    if (out) sodium_bin2base64(out, n, data, len, sodium_base64_VARIANT_ORIGINAL);
    return out;
}

long sign_unb64(const char *text, uint8_t *out, size_t max)
{
    size_t len = 0;
    const char *end = NULL;
    /* only the alphabet and padding: libsodium's decoder passes over some other bytes */
    for (const char *p = text; p && *p; p++)
        if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '+' ||
              *p == '/' || *p == '='))
            return -1;
    if (!text || sodium_base642bin(out, max, text, strlen(text), NULL, &len, &end, sodium_base64_VARIANT_ORIGINAL) != 0)
        return -1;
    if (end && *end) return -1;   /* trailing garbage */
    return (long)len;
}

void sign_hex(const void *data, size_t len, char *out)
{
    sodium_bin2hex(out, 2 * len + 1, data, len);
}

int sign_unhex(const char *text, uint8_t *out, size_t len)
{
    size_t got = 0;
    const char *end = NULL;
    if (!text || strlen(text) != 2 * len) return -1;
    if (sodium_hex2bin(out, len, text, 2 * len, NULL, &got, &end) != 0 || got != len) return -1;
    return 0;
}
