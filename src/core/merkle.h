/* merkle.h — the Merkle tree of RFC 6962 / RFC 9162 over a list of leaves: leaf hash
 * SHA-256(0x00 || data), node hash SHA-256(0x01 || left || right), the root of the first n
 * leaves, inclusion proofs (audit paths) and consistency proofs between two sizes, and their
 * verification. Pure: bytes in, bytes out. Leaves are given as their leaf hashes. */
#ifndef BEIAN_MERKLE_H
#define BEIAN_MERKLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MERKLE_HASH_LEN 32
#define MERKLE_MAX_PROOF 64   /* hashes in a proof of a tree of < 2^63 leaves */

typedef uint8_t merkle_hash[MERKLE_HASH_LEN];

void merkle_leaf_hash(const void *data, size_t len, merkle_hash out);
void merkle_node_hash(const merkle_hash left, const merkle_hash right, merkle_hash out);
/* The root of the tree of the first n leaf hashes (n 0: SHA-256 of nothing). */
void merkle_root(const merkle_hash *leaves, size_t n, merkle_hash out);
/* The inclusion proof of leaf index in the tree of size n (index < n): the number of hashes
 * written to out (at most MERKLE_MAX_PROOF). */
size_t merkle_inclusion_proof(const merkle_hash *leaves, size_t n, size_t index, merkle_hash *out);
/* The consistency proof from size m to size n (0 < m <= n): the number of hashes written. */
size_t merkle_consistency_proof(const merkle_hash *leaves, size_t m, size_t n, merkle_hash *out);
/* The same over a growing log without rehashing it: every complete, aligned subtree's root is kept
 * as leaves are appended (level[h][i]: the root of leaves [i·2^h, (i+1)·2^h)), so a root or a proof
 * of any size up to the tree's costs O(log² n) hashes instead of O(n). About 2n hashes of memory. */
struct merkle_tree {
    merkle_hash *level[64];
    size_t count[64], cap[64];
    size_t size;   /* leaves appended */
};
/* Append a leaf hash; 0, or -1 when out of memory (the tree is unchanged). */
int merkle_tree_append(struct merkle_tree *t, const merkle_hash leaf);
void merkle_tree_free(struct merkle_tree *t);   /* and empty it */
/* As merkle_root, merkle_inclusion_proof, merkle_consistency_proof for the first n <= t->size leaves. */
void merkle_tree_root(const struct merkle_tree *t, size_t n, merkle_hash out);
size_t merkle_tree_inclusion_proof(const struct merkle_tree *t, size_t n, size_t index, merkle_hash *out);
size_t merkle_tree_consistency_proof(const struct merkle_tree *t, size_t m, size_t n, merkle_hash *out);

/* Does leaf (a leaf hash) sit at index of the tree of size with root? (RFC 9162 2.1.3.2) */
bool merkle_verify_inclusion(const merkle_hash leaf, uint64_t index, uint64_t size, const merkle_hash *proof,
                             size_t plen, const merkle_hash root);
/* Is the tree (size2, root2) an extension of (size1, root1)? (RFC 9162 2.1.4.2) */
bool merkle_verify_consistency(uint64_t size1, uint64_t size2, const merkle_hash root1, const merkle_hash root2,
                               const merkle_hash *proof, size_t plen);

#endif
