/* statement.c — offline verification of certificates, receipts, checkpoints and proofs (see
 * statement.h). The reasons are meant for people: they say which check failed. */
#include "core/statement.h"
#include "core/note.h"
#include "core/sign.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int fail(char *why, size_t cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, cap, fmt, ap);
    va_end(ap);
    return -1;
}

static const char *jstr(const json_t *o, const char *k) { return json_string_value(json_object_get(o, k)); }

/* The published key with this id (any owner), or NULL. */
static const json_t *find_key(const json_t *keys, const char *key_id)
{
    size_t i;
    const json_t *k;
    json_array_foreach(json_object_get(keys, "keys"), i, k) {
        const char *id = jstr(k, "key_id");
        if (id && key_id && strcmp(id, key_id) == 0) return k;
    }
    return NULL;
}

/* The public key of a published key entry, checked against its id. */
static int key_bytes(const json_t *k, uint8_t pk[SIGN_PK_LEN])
{
    const char *alg = jstr(k, "alg");
    if (alg && strcmp(alg, "Ed25519") != 0) return -1;
    if (sign_unb64(jstr(k, "public_key"), pk, SIGN_PK_LEN) != SIGN_PK_LEN) return -1;
    char id[SIGN_KEYID_HEX];
    sign_key_id(pk, id);
    return jstr(k, "key_id") && strcmp(id, jstr(k, "key_id")) == 0 ? 0 : -1;
}

int statement_checkpoint_verify(const json_t *keys, const char *note, uint64_t *size, merkle_hash root, char *why,
                                size_t cap)
{
    const char *origin = jstr(json_object_get(keys, "log"), "origin");
    if (!origin) return fail(why, cap, "the keys file names no log origin");
    if (!note) return fail(why, cap, "there is no checkpoint");
    char got[256];
    if (note_checkpoint_parse(note, got, sizeof got, size, root) != 0)
        return fail(why, cap, "the checkpoint is malformed");
    if (strcmp(got, origin) != 0)
        return fail(why, cap, "the checkpoint is of another log (%s, not %s)", got, origin);
    const char *reason = "the checkpoint carries no signature by a published platform key";
    size_t i;
    const json_t *k;
    json_array_foreach(json_object_get(keys, "keys"), i, k) {
        const char *owner = jstr(k, "owner");
        uint8_t pk[SIGN_PK_LEN];
        if (!owner || strcmp(owner, "platform") != 0 || key_bytes(k, pk) != 0) continue;
        size_t blen;
        const char *r = NULL;
        if (note_verify(note, origin, pk, &blen, &r)) return 0;
        if (r && strstr(r, "does not match")) reason = r;   /* the key hash matched: the text was altered */
    }
    return fail(why, cap, "%s", reason);
}

/* The hashes of a proof object's "hashes" array; -1 when malformed. */
static long proof_hashes(const json_t *proof, merkle_hash *out)
{
    const json_t *arr = json_object_get(proof, "hashes");
    if (!json_is_array(arr) || json_array_size(arr) > MERKLE_MAX_PROOF) return -1;
    size_t i;
    const json_t *h;
    json_array_foreach(arr, i, h) if (sign_unb64(json_string_value(h), out[i], MERKLE_HASH_LEN) != MERKLE_HASH_LEN) return -1;
    return (long)json_array_size(arr);
}

int statement_inclusion_verify(const json_t *proof, const char *entry_hex, uint64_t size, const merkle_hash root,
                               char *why, size_t cap)
{
    merkle_hash hashes[MERKLE_MAX_PROOF], leaf;
    uint8_t entry[32];
    long n = proof_hashes(proof, hashes);
    const json_t *index = json_object_get(proof, "index");
    if (n < 0 || !json_is_integer(index) || json_integer_value(index) < 0)
        return fail(why, cap, "the inclusion proof is malformed");
    if (sign_unhex(entry_hex, entry, sizeof entry) != 0) return fail(why, cap, "the audit entry hash is malformed");
    const json_t *ps = json_object_get(proof, "tree_size");
    if (ps && (!json_is_integer(ps) || (uint64_t)json_integer_value(ps) != size))
        return fail(why, cap, "the inclusion proof is for a tree of %lld entries, the checkpoint has %llu",
                    (long long)json_integer_value(ps), (unsigned long long)size);
    merkle_leaf_hash(entry, sizeof entry, leaf);
    if (!merkle_verify_inclusion(leaf, (uint64_t)json_integer_value(index), size, hashes, (size_t)n, root))
        return fail(why, cap, "audit entry %lld is not in the log of the checkpoint (the inclusion proof fails)",
                    (long long)json_integer_value(index));
    return 0;
}

int statement_consistency_verify(const json_t *proof, uint64_t size1, const merkle_hash root1, uint64_t size2,
                                 const merkle_hash root2, char *why, size_t cap)
{
    merkle_hash hashes[MERKLE_MAX_PROOF];
    long n = 0;
    if (size1 > size2) return fail(why, cap, "the old checkpoint (%llu entries) is larger than the new one (%llu)",
                                   (unsigned long long)size1, (unsigned long long)size2);
    if (size1 < size2) {
        if (!proof) return fail(why, cap, "the sizes differ: a consistency proof (--proof) is needed");
        n = proof_hashes(proof, hashes);
        if (n < 0) return fail(why, cap, "the consistency proof is malformed");
        const json_t *o = json_object_get(proof, "old_size"), *w = json_object_get(proof, "new_size");
        if ((o && (uint64_t)json_integer_value(o) != size1) || (w && (uint64_t)json_integer_value(w) != size2))
            return fail(why, cap, "the consistency proof is for other sizes than the checkpoints'");
    }
    if (size1 == 0) return 0;   /* every log extends the empty one */
    if (!merkle_verify_consistency(size1, size2, root1, root2, hashes, (size_t)n))
        return fail(why, cap, size1 == size2 ? "two checkpoints of %llu entries with different roots: the log was forked"
                                             : "the log of %llu entries is not a prefix of the new one: history was rewritten",
                    (unsigned long long)size1);
    return 0;
}

int statement_verify(const json_t *keys, const json_t *envelope, char *why, size_t cap)
{
    const json_t *st = json_object_get(envelope, "statement"), *sig = json_object_get(envelope, "signature");
    if (!json_is_object(st) || !json_is_object(sig)) return fail(why, cap, "not a signed statement (statement, signature)");
    const char *key_id = jstr(sig, "key_id");
    if (!key_id || !jstr(st, "key_id") || strcmp(key_id, jstr(st, "key_id")) != 0)
        return fail(why, cap, "the signature's key id does not match the statement's");
    if (!jstr(sig, "alg") || strcmp(jstr(sig, "alg"), "Ed25519") != 0) return fail(why, cap, "unknown signature algorithm");
    const json_t *k = find_key(keys, key_id);
    if (!k) return fail(why, cap, "key %s is not among the published keys", key_id);
    uint8_t pk[SIGN_PK_LEN];
    if (key_bytes(k, pk) != 0) return fail(why, cap, "the published key %s is malformed", key_id);
    /* the signer named in the statement must own the key */
    const json_t *signer = json_object_get(st, "signer");
    const char *owner = jstr(k, "owner");
    const json_t *sorg = json_object_get(signer, "org_id");
    char want[32];
    if (json_is_integer(sorg)) snprintf(want, sizeof want, "%lld", (long long)json_integer_value(sorg));
    else snprintf(want, sizeof want, "platform");
    if (!owner || strcmp(owner, want) != 0) return fail(why, cap, "key %s does not belong to the signer the statement names", key_id);
    if (!sign_json_verify(pk, st, jstr(sig, "value")))
        return fail(why, cap, "the signature does not match the statement: it was altered after signing");
    const json_t *audit = json_object_get(st, "audit");
    if (!json_is_object(audit)) return fail(why, cap, "the statement carries no audit entry");
    uint64_t size;
    merkle_hash root;
    if (statement_checkpoint_verify(keys, jstr(audit, "checkpoint"), &size, root, why, cap) != 0) return -1;
    json_t *proof = json_pack("{s:O s:O s:O}", "index", json_object_get(audit, "index"), "tree_size",
                              json_object_get(audit, "tree_size"), "hashes", json_object_get(audit, "inclusion_proof"));
    int rc = proof ? statement_inclusion_verify(proof, jstr(audit, "entry_hash"), size, root, why, cap)
                   : fail(why, cap, "the statement's audit proof is malformed");
    json_decref(proof);
    return rc;
}
