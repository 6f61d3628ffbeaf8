/* note.c — C2SP signed notes and tlog checkpoints, Ed25519 only (see note.h). */
#include "core/note.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EM_DASH "\xe2\x80\x94"   /* U+2014, which starts a signature line */
#define ALG_ED25519 0x01

uint32_t note_key_hash(const char *name, const uint8_t pk[SIGN_PK_LEN])
{
    crypto_hash_sha256_state st;
    uint8_t h[32], alg = ALG_ED25519;
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, (const uint8_t *)name, strlen(name));
    crypto_hash_sha256_update(&st, (const uint8_t *)"\n", 1);
    crypto_hash_sha256_update(&st, &alg, 1);
    crypto_hash_sha256_update(&st, pk, SIGN_PK_LEN);
    crypto_hash_sha256_final(&st, h);
    return (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 | (uint32_t)h[2] << 8 | h[3];
}

char *note_vkey(const char *name, const uint8_t pk[SIGN_PK_LEN])
{
    uint8_t k[1 + SIGN_PK_LEN];
    k[0] = ALG_ED25519;
    memcpy(k + 1, pk, SIGN_PK_LEN);
    char *b64 = sign_b64(k, sizeof k);
    if (!b64) return NULL;
    char *out = NULL;
    if (asprintf(&out, "%s+%08x+%s", name, (unsigned)note_key_hash(name, pk), b64) < 0) out = NULL;
    free(b64);
    return out;
}

char *note_checkpoint_body(const char *origin, uint64_t size, const merkle_hash root)
{
    char *b64 = sign_b64(root, MERKLE_HASH_LEN), *out = NULL;
    if (!b64) return NULL;
    if (asprintf(&out, "%s\n%llu\n%s\n", origin, (unsigned long long)size, b64) < 0) out = NULL;
    free(b64);
    return out;
}

char *note_sign(const char *body, const char *name, const uint8_t sk[SIGN_SK_LEN])
{
    uint8_t blob[4 + SIGN_SIG_LEN];
    uint32_t kh = note_key_hash(name, sk + 32);   /* libsodium's secret key ends with the public key */
    blob[0] = (uint8_t)(kh >> 24); blob[1] = (uint8_t)(kh >> 16); blob[2] = (uint8_t)(kh >> 8); blob[3] = (uint8_t)kh;
    crypto_sign_detached(blob + 4, NULL, (const uint8_t *)body, strlen(body), sk);
    char *b64 = sign_b64(blob, sizeof blob), *out = NULL;
    if (!b64) return NULL;
    if (asprintf(&out, "%s\n" EM_DASH " %s %s\n", body, name, b64) < 0) out = NULL;
    free(b64);
    return out;
}

bool note_verify(const char *note, const char *name, const uint8_t pk[SIGN_PK_LEN], size_t *body_len,
                 const char **why)
{
    const char *sep = note ? strstr(note, "\n\n") : NULL;
    if (!sep) { *why = "not a signed note (no blank line before the signatures)"; return false; }
    size_t blen = (size_t)(sep - note) + 1;
    uint32_t want = note_key_hash(name, pk);
    size_t nlen = strlen(name);
    for (const char *line = sep + 2; *line;) {
        const char *eol = strchr(line, '\n');
        if (!eol) { *why = "the note's last line does not end with a newline"; return false; }
        size_t llen = (size_t)(eol - line);
        if (llen > strlen(EM_DASH " ") + nlen + 1 && strncmp(line, EM_DASH " ", 4) == 0 &&
            strncmp(line + 4, name, nlen) == 0 && line[4 + nlen] == ' ') {
            char b64[200];
            size_t b = llen - 5 - nlen;
            if (b < sizeof b64) {
                memcpy(b64, line + 5 + nlen, b);
                b64[b] = 0;
                uint8_t blob[4 + SIGN_SIG_LEN + 1];
                long got = sign_unb64(b64, blob, sizeof blob);
                uint32_t kh = got >= 4 ? (uint32_t)blob[0] << 24 | (uint32_t)blob[1] << 16 | (uint32_t)blob[2] << 8 | blob[3] : 0;
                if (got == 4 + SIGN_SIG_LEN && kh == want) {
                    if (crypto_sign_verify_detached(blob + 4, (const uint8_t *)note, blen, pk) == 0) {
                        *body_len = blen;
                        return true;
                    }
                    *why = "the checkpoint's signature does not match its text (altered, or not signed by this key)";
                    return false;
                }
            }
        }
        line = eol + 1;
    }
    *why = "the checkpoint carries no signature by the published log key";
    return false;
}

int note_checkpoint_parse(const char *note, char *origin, size_t cap, uint64_t *size, merkle_hash root)
{
    const char *l1 = strchr(note, '\n');
    if (!l1 || (size_t)(l1 - note) >= cap || l1 == note) return -1;
    memcpy(origin, note, (size_t)(l1 - note));
    origin[l1 - note] = 0;
    const char *l2 = strchr(l1 + 1, '\n');
    if (!l2 || l2 == l1 + 1 || l2 - l1 > 21) return -1;
    uint64_t v = 0;
    for (const char *p = l1 + 1; p < l2; p++) {
        if (*p < '0' || *p > '9') return -1;
        v = v * 10 + (uint64_t)(*p - '0');
    }
    if (l1[1] == '0' && l2 - l1 > 2) return -1;   /* no leading zeros */
    const char *l3 = strchr(l2 + 1, '\n');
    if (!l3 || l3 - l2 - 1 >= 64) return -1;
    char b64[64];
    memcpy(b64, l2 + 1, (size_t)(l3 - l2 - 1));
    b64[l3 - l2 - 1] = 0;
    if (sign_unb64(b64, root, MERKLE_HASH_LEN) != MERKLE_HASH_LEN) return -1;
    /* exactly the standard encoding (libsodium's decoder passes over some bytes it does not know) */
    char *again = sign_b64(root, MERKLE_HASH_LEN);
    bool same = again && strcmp(again, b64) == 0;
    free(again);
    if (!same) return -1;
    *size = v;
    return 0;
}
