/* keys.h — the signing keys and the device-cookie key, where they are kept:
 *
 *   SQLite: files beside the data
 *   <data>/keys/                 0700
 *   <data>/keys/<owner>/         0700; owner: an authority's organisation id, or "platform"
 *     <key id>.key               0600, the Ed25519 secret key (64 bytes, libsodium's layout)
 *     <key id>.pub.json          the public key {owner, key_id, public_key, created_at[, retired_at]}
 *     current                    the key id that signs now
 *   <data>/keys/platform/origin  the name of the audit log (its checkpoints' origin line)
 *   <data>/device-cookie.key     0600, 32 random bytes: the HMAC key of device cookies
 *
 *   PostgreSQL: the same, as rows named by those paths (postgres_keys.c), one set for the
 *   deployment so that every node signs with the same keys and trusts the same device cookies;
 *   the secret ones in a table of their own that `beian backup` leaves out. A data directory's
 *   files are adopted once, by the first node that opens a database without keys (keys_adopt).
 *
 * A rotation makes a new key current, marks the old public key retired and removes the old
 * secret key; old public keys stay, so what they signed stays verifiable. `beian backup` copies
 * no secret key (docs/trust.md). */
#ifndef BEIAN_KEYS_H
#define BEIAN_KEYS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include "core/err.h"
#include "core/sign.h"

struct store;

struct key_pair {
    uint8_t pk[SIGN_PK_LEN];
    uint8_t sk[SIGN_SK_LEN];
    char id[SIGN_KEYID_HEX];
};

/* The current key of owner; created first when there is none and create is true (else 404). */
int keys_current(struct store *s, const char *owner, bool create, struct key_pair *out, struct err *e);
/* A new current key for owner; the old one (if any) is retired. */
int keys_rotate(struct store *s, const char *owner, struct key_pair *out, struct err *e);
/* Every public key, current and retired: [{owner, key_id, public_key, created_at, retired_at?, current}]. */
json_t *keys_public_list(struct store *s);
/* The audit log's origin (created with the platform's first key): written into buf. */
int keys_log_origin(struct store *s, char *buf, size_t len, struct err *e);
/* Copy the public half of from_data/keys into to_data/keys: every *.pub.json and the log's
 * origin, never a secret key nor `current` (`beian backup` and `beian restore`). */
int keys_copy_public(const char *from_data, const char *to_data, struct err *e);
/* The key that signs device cookies, created first when there is none. */
#define KEYS_DEVICE_LEN 32
int keys_device(struct store *s, unsigned char out[KEYS_DEVICE_LEN], struct err *e);
/* PostgreSQL: when the database holds no keys yet, the data directory's (the files above) become
 * the deployment's — a deployment from before keys moved into the database keeps the keys that
 * signed its proofs. One node does it, under the deployment's key lock. SQLite: nothing to do. */
int keys_adopt(struct store *s, struct err *e);
/* Wipe a key pair from memory. */
void keys_wipe(struct key_pair *k);

#endif
