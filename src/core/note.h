/* note.h — C2SP signed notes (https://c2sp.org/signed-note) with Ed25519 signatures, and the
 * checkpoints of C2SP tlog-checkpoint (https://c2sp.org/tlog-checkpoint) that they carry:
 *
 *     <origin>\n<tree size>\n<base64 root hash>\n\n— <key name> <base64(key hash[4] || signature)>\n
 *
 * The key hash is the first 4 bytes of SHA-256(name || "\n" || 0x01 || public key); the vkey
 * (what a verifier configures) is "<name>+<hex key hash>+<base64(0x01 || public key)>". Pure. */
#ifndef BEIAN_NOTE_H
#define BEIAN_NOTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "core/merkle.h"
#include "core/sign.h"

uint32_t note_key_hash(const char *name, const uint8_t pk[SIGN_PK_LEN]);
/* The verifier key text (malloc'd). */
char *note_vkey(const char *name, const uint8_t pk[SIGN_PK_LEN]);
/* The checkpoint body "<origin>\n<size>\n<base64 root>\n" (malloc'd). */
char *note_checkpoint_body(const char *origin, uint64_t size, const merkle_hash root);
/* body signed by (name, sk): the whole note (malloc'd). */
char *note_sign(const char *body, const char *name, const uint8_t sk[SIGN_SK_LEN]);
/* Does note carry a valid signature by (name, pk)? On success *body_len is the length of the
 * body (the text up to and including its last newline before the blank line). why gets a reason
 * when it does not. */
bool note_verify(const char *note, const char *name, const uint8_t pk[SIGN_PK_LEN], size_t *body_len,
                 const char **why);
/* Parse a checkpoint's body: origin (copied into origin, at most cap bytes), size and root. */
int note_checkpoint_parse(const char *note, char *origin, size_t cap, uint64_t *size, merkle_hash root);

#endif
