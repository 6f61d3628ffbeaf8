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
/* The same over a growing log without rehashing it. Every complete, aligned subtree of at least
 * MERKLE_BLOCK leaves keeps its root (level[h][i]: the root of leaves [i·2^h, (i+1)·2^h), h >=
 * MERKLE_BLOCK_HEIGHT), and so do the subtrees of the last, incomplete block; the nodes below a
 * complete block are dropped and made again from its leaves, read back through `leaves`, when a
 * proof reaches into it (one block at a time is kept for that). The nodes of the last
 * MERKLE_RECENT_BLOCKS complete blocks are kept too, so that a reader whose view of the log ends a
 * little behind the tree (inside a block the tree has completed since) needs no read: it could
 * not read that block whole. So a root or a proof of any size up to the tree's costs O(log² n)
 * hashes and at most one block's leaves read again, and the tree keeps about n/128 hashes (a
 * quarter of a byte a leaf) and 256 KiB, instead of 2n hashes. */
#define MERKLE_BLOCK_HEIGHT 8
#define MERKLE_BLOCK ((size_t)1 << MERKLE_BLOCK_HEIGHT)
#define MERKLE_RECENT_BLOCKS 16
/* Give the leaf hashes [first, first + n) of the tree again (all appended before): 0, or -1. */
typedef int (*merkle_leaves_fn)(void *arg, size_t first, size_t n, merkle_hash *out);
struct merkle_tree {
    merkle_hash *level[64];   /* below MERKLE_BLOCK_HEIGHT: the last block's nodes, at i mod (block >> h) */
    size_t cap[64];
    size_t size;   /* leaves appended */
    merkle_leaves_fn leaves;   /* set before asking about a complete block's insides */
    void *leaves_arg;
    merkle_hash *recent;  /* the nodes of the last MERKLE_RECENT_BLOCKS complete blocks, block b at b mod it */
    merkle_hash *block;   /* the 2·MERKLE_BLOCK - 1 nodes of complete block block_index, when block_loaded */
    size_t block_index;
    bool block_loaded;
};
/* Append a leaf hash; 0, or -1 when out of memory (the tree is unchanged). */
int merkle_tree_append(struct merkle_tree *t, const merkle_hash leaf);
void merkle_tree_free(struct merkle_tree *t);   /* and empty it */
/* As merkle_root, merkle_inclusion_proof, merkle_consistency_proof for the first n <= t->size
 * leaves; the proofs' lengths in *len. 0, or -1 when the arguments are out of range, or a block's
 * leaves were needed and could not be read, or did not give the root kept for the block (they are
 * not the leaves appended). */
int merkle_tree_root(struct merkle_tree *t, size_t n, merkle_hash out);
int merkle_tree_inclusion_proof(struct merkle_tree *t, size_t n, size_t index, merkle_hash *out, size_t *len);
int merkle_tree_consistency_proof(struct merkle_tree *t, size_t m, size_t n, merkle_hash *out, size_t *len);
/* The leaf hash at index (< t->size), read back as above when it is in a complete block. */
int merkle_tree_leaf(struct merkle_tree *t, size_t index, merkle_hash out);

/* Does leaf (a leaf hash) sit at index of the tree of size with root? (RFC 9162 2.1.3.2) */
bool merkle_verify_inclusion(const merkle_hash leaf, uint64_t index, uint64_t size, const merkle_hash *proof,
                             size_t plen, const merkle_hash root);
/* Is the tree (size2, root2) an extension of (size1, root1)? (RFC 9162 2.1.4.2) */
bool merkle_verify_consistency(uint64_t size1, uint64_t size2, const merkle_hash root1, const merkle_hash root2,
                               const merkle_hash *proof, size_t plen);

#endif
