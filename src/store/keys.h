/* keys.h — the signing keys, kept as files beside the data, never in the database:
 *
 *   <data>/keys/                 0700
 *   <data>/keys/<owner>/         0700; owner: an authority's organisation id, or "platform"
 *     <key id>.key               0600, the Ed25519 secret key (64 bytes, libsodium's layout)
 *     <key id>.pub.json          the public key {owner, key_id, public_key, created_at[, retired_at]}
 *     current                    the key id that signs now
 *   <data>/keys/platform/origin  the name of the audit log (its checkpoints' origin line)
 *
 * A rotation makes a new key current, marks the old public key retired and removes the old
 * secret key; old public keys stay, so what they signed stays verifiable. `beian backup` does not
 * copy this directory (docs/trust.md). */
#ifndef BEIAN_KEYS_H
#define BEIAN_KEYS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include "core/err.h"
#include "core/sign.h"

struct key_pair {
    uint8_t pk[SIGN_PK_LEN];
    uint8_t sk[SIGN_SK_LEN];
    char id[SIGN_KEYID_HEX];
};

/* The current key of owner; created first when there is none and create is true (else 404). */
int keys_current(const char *data_dir, const char *owner, bool create, struct key_pair *out, struct err *e);
/* A new current key for owner; the old one (if any) is retired. */
int keys_rotate(const char *data_dir, const char *owner, struct key_pair *out, struct err *e);
/* Every public key, current and retired: [{owner, key_id, public_key, created_at, retired_at?, current}]. */
json_t *keys_public_list(const char *data_dir);
/* The audit log's origin (created with the platform's first key): written into buf. */
int keys_log_origin(const char *data_dir, char *buf, size_t len, struct err *e);
/* Copy the public half of from_data/keys into to_data/keys: every *.pub.json and the log's
 * origin, never a secret key nor `current` (`beian backup` and `beian restore`). */
int keys_copy_public(const char *from_data, const char *to_data, struct err *e);
/* Wipe a key pair from memory. */
void keys_wipe(struct key_pair *k);

#endif
