/* proofs.h — proof anyone can check offline (issue 15): the authorities' signed filing
 * certificates (备案证明), the signed receipts of every step taken on a filing, and the audit log
 * as a verifiable log (RFC 9162 Merkle tree, C2SP checkpoints, inclusion and consistency proofs).
 *
 * Signing keys are files beside the data (store/keys.h). A certificate or receipt is a JSON
 * envelope {"statement": {...}, "signature": {"alg": "Ed25519", "key_id", "value"}} whose
 * signature covers the canonical bytes of the statement (core/sign.h); its statement carries the
 * audit entry of the step, a checkpoint of the log that ends with that entry (signed by the
 * platform key) and the entry's inclusion proof. docs/trust.md describes the formats. */
#ifndef BEIAN_PROOFS_H
#define BEIAN_PROOFS_H

#include <jansson.h>
#include <stdint.h>
#include "core/err.h"

struct app;
struct principal;
struct store_conn;

/* Hooks, run inside the writer's transaction right after the step's audit entry was appended:
 * a receipt for every workflow action (action: its name, e.g. "approve") on the filing row (as
 * written), and a certificate when the action files a record, applies an approved change,
 * cancels or revokes it. */
int proofs_after_action(struct store_conn *c, struct app *a, const struct principal *who, const char *action,
                        const json_t *row, struct err *e);
/* A receipt for an answer to a rectification item of the filing row. */
int proofs_after_answer(struct store_conn *c, struct app *a, const struct principal *who, const json_t *row,
                        struct err *e);
/* Make sure an authority organisation has a signing key (created with the organisation). */
int proofs_ensure_key(struct app *a, int64_t org_id, struct err *e);
/* Rotate the signing key of an authority (org_id), or of the platform (org_id 0): platform
 * administrator only, audited ("key.rotate"). The new key id is written to new_id. Old public
 * keys stay published, so what they signed stays verifiable. */
int proofs_rotate(struct app *a, const struct principal *who, int64_t org_id, char new_id[17], struct err *e);

/* The published keys: {"log": {origin, key_id, vkey}, "keys": [{owner, org_id?, name?, key_id,
 * alg, public_key, created_at, retired_at?, current}]}. */
json_t *proofs_keys(struct app *a, struct err *e);
/* A signed checkpoint of the log as it is now (cached until the log grows); malloc'd note text. */
char *proofs_checkpoint(struct app *a, struct err *e);
/* Publish a checkpoint now: cache it and print it to stderr when the log grew since the last one
 * (`beian serve` calls this every --checkpoint-interval seconds). */
void proofs_publish_checkpoint(struct app *a);
/* {index, tree_size, entry_hash, hashes: [base64]}: entry index (0-based) in the tree of size. */
json_t *proofs_inclusion(struct app *a, int64_t index, int64_t size, struct err *e);
/* {old_size, new_size, hashes: [base64]} */
json_t *proofs_consistency(struct app *a, int64_t old_size, int64_t new_size, struct err *e);

/* The latest certificate of a filing the caller sees (404 when it has none). */
json_t *proofs_certificate(struct app *a, const struct principal *who, int64_t filing_id, struct err *e);
/* The receipts of a filing ({items: [{seq, action, created_at, receipt}]}), or one (seq > 0):
 * for its enterprise and the platform administrator. */
json_t *proofs_receipts(struct app *a, const struct principal *who, int64_t filing_id, int64_t seq, struct err *e);
/* For the public verification of a number: {certificate, verification: {signature_valid,
 * current, key_id, signer, reason?}}, or NULL when the filing has no certificate. */
json_t *proofs_public(struct app *a, int64_t filing_id, struct err *e);
/* The same for a filing number. */
json_t *proofs_public_number(struct app *a, const char *number, struct err *e);

#endif
