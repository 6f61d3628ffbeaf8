/* statement.h — checking beian's signed statements with nothing but the published keys
 * (keys.json: {"log": {"origin"}, "keys": [{owner, key_id, alg, public_key, …}]}): the Ed25519
 * signature of a certificate or receipt envelope, the checkpoint it carries (a C2SP signed note
 * by a platform key), and the inclusion of its audit entry in that checkpoint's tree; and
 * checkpoints and proofs on their own. Pure: used by `beian verify` offline and by the public
 * verification of the server alike. Each returns 0 when the proof holds, else -1 with a reason
 * in why. */
#ifndef BEIAN_STATEMENT_H
#define BEIAN_STATEMENT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include "core/merkle.h"

int statement_verify(const json_t *keys, const json_t *envelope, char *why, size_t cap);
/* A checkpoint note signed by a platform key of keys under the log's origin: its size and root. */
int statement_checkpoint_verify(const json_t *keys, const char *note, uint64_t *size, merkle_hash root, char *why,
                                size_t cap);
/* proof {index, tree_size, hashes: [base64]} shows the entry with chain hash entry_hex (64 hex)
 * at its index in the tree (size, root). */
int statement_inclusion_verify(const json_t *proof, const char *entry_hex, uint64_t size, const merkle_hash root,
                               char *why, size_t cap);
/* proof {old_size, new_size, hashes} shows (size2, root2) extends (size1, root1). */
int statement_consistency_verify(const json_t *proof, uint64_t size1, const merkle_hash root1, uint64_t size2,
                                 const merkle_hash root2, char *why, size_t cap);

#endif
