/* merkle.c — RFC 9162 Merkle tree hashing, proofs and their verification (see merkle.h). The
 * proofs follow the recursive definitions of RFC 9162 2.1.3.1 (PATH) and 2.1.4.1 (SUBPROOF);
 * computing them costs O(n) hashes, which is fine for the audit log of one authority platform
 * (about a million entries hash in well under a second). */
#include "core/merkle.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

void merkle_leaf_hash(const void *data, size_t len, merkle_hash out)
{
    crypto_hash_sha256_state st;
    const uint8_t prefix = 0x00;
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, &prefix, 1);
    crypto_hash_sha256_update(&st, data, len);
    crypto_hash_sha256_final(&st, out);
}

void merkle_node_hash(const merkle_hash left, const merkle_hash right, merkle_hash out)
{
    uint8_t buf[1 + 2 * MERKLE_HASH_LEN];
    buf[0] = 0x01;
    memcpy(buf + 1, left, MERKLE_HASH_LEN);
    memcpy(buf + 1 + MERKLE_HASH_LEN, right, MERKLE_HASH_LEN);
    crypto_hash_sha256(out, buf, sizeof buf);
}

/* The largest power of two smaller than n (n >= 2). */
static size_t split_point(size_t n)
{
    size_t k = 1;
    while (k << 1 < n) k <<= 1;
    return k;
}

void merkle_root(const merkle_hash *leaves, size_t n, merkle_hash out)
{
    if (n == 0) {
        crypto_hash_sha256(out, (const uint8_t *)"", 0);
        return;
    }
    if (n == 1) {
        memcpy(out, leaves[0], MERKLE_HASH_LEN);
        return;
    }
    size_t k = split_point(n);
    merkle_hash l, r;
    merkle_root(leaves, k, l);
    merkle_root(leaves + k, n - k, r);
    merkle_node_hash(l, r, out);
}

size_t merkle_inclusion_proof(const merkle_hash *leaves, size_t n, size_t index, merkle_hash *out)
{
    if (n <= 1 || index >= n) return 0;
    size_t k = split_point(n), len;
    if (index < k) {
        len = merkle_inclusion_proof(leaves, k, index, out);
        merkle_root(leaves + k, n - k, out[len]);
    } else {
        len = merkle_inclusion_proof(leaves + k, n - k, index - k, out);
        merkle_root(leaves, k, out[len]);
    }
    return len + 1;
}

static size_t subproof(const merkle_hash *leaves, size_t m, size_t n, bool whole, merkle_hash *out)
{
    if (m == n) {
        if (whole) return 0;
        merkle_root(leaves, n, out[0]);
        return 1;
    }
    size_t k = split_point(n), len;
    if (m <= k) {
        len = subproof(leaves, m, k, whole, out);
        merkle_root(leaves + k, n - k, out[len]);
    } else {
        len = subproof(leaves + k, m - k, n - k, false, out);
        merkle_root(leaves, k, out[len]);
    }
    return len + 1;
}

size_t merkle_consistency_proof(const merkle_hash *leaves, size_t m, size_t n, merkle_hash *out)
{
    if (m == 0 || m > n) return 0;
    return subproof(leaves, m, n, true, out);
}

/* ---- the growing tree ---------------------------------------------------------------- */

/* Where node (h, i) is kept: every node from the block's height up, the last block's below it. */
static uint8_t *slot(const struct merkle_tree *t, int h, size_t i)
{
    return h >= MERKLE_BLOCK_HEIGHT ? t->level[h][i] : t->level[h][i & ((MERKLE_BLOCK >> h) - 1)];
}

/* How many hashes a block's nodes take: its leaves and every level above them up to its root. */
#define BLOCK_NODES (2 * MERKLE_BLOCK - 1)

/* Where level h of a block starts among its nodes (t->block, t->recent): level 0's leaves first. */
static size_t block_offset(int h) { return 2 * MERKLE_BLOCK - (2 * MERKLE_BLOCK >> h); }

int merkle_tree_append(struct merkle_tree *t, const merkle_hash leaf)
{
    /* room first on every level this append can reach, so that a failure changes nothing */
    if (!t->recent && (t->size + 1) % MERKLE_BLOCK == 0 &&
        !(t->recent = malloc(MERKLE_RECENT_BLOCKS * BLOCK_NODES * sizeof *t->recent)))
        return -1;
    size_t idx = t->size;
    for (int h = 0; h < 64; h++) {
        size_t need = h < MERKLE_BLOCK_HEIGHT ? MERKLE_BLOCK >> h : idx + 1;
        if (t->cap[h] < need) {
            size_t cap = h < MERKLE_BLOCK_HEIGHT ? need : (t->cap[h] ? t->cap[h] * 2 : 64);
            if (cap < need) cap = need;
            merkle_hash *p = realloc(t->level[h], cap * sizeof *p);
            if (!p) return -1;
            t->level[h] = p;
            t->cap[h] = cap;
        }
        if (!(idx & 1)) break;   /* this level's new node is a left child: nothing above completes */
        idx >>= 1;
    }
    merkle_hash node;
    memcpy(node, leaf, MERKLE_HASH_LEN);
    size_t i = t->size;
    for (int h = 0; h < 64; h++) {
        memcpy(slot(t, h, i), node, MERKLE_HASH_LEN);
        if (!(i & 1)) break;
        merkle_node_hash(slot(t, h, i - 1), node, node);   /* a right child completed its parent */
        i >>= 1;
    }
    t->size++;
    if (t->size % MERKLE_BLOCK == 0) {   /* a block complete: its nodes join the recent ones */
        size_t b = t->size / MERKLE_BLOCK - 1;
        merkle_hash *to = t->recent + (b % MERKLE_RECENT_BLOCKS) * BLOCK_NODES;
        for (int h = 0; h < MERKLE_BLOCK_HEIGHT; h++)
            memcpy(to + block_offset(h), t->level[h], (MERKLE_BLOCK >> h) * sizeof *to);
        memcpy(to[block_offset(MERKLE_BLOCK_HEIGHT)], t->level[MERKLE_BLOCK_HEIGHT][b], MERKLE_HASH_LEN);
    }
    return 0;
}

void merkle_tree_free(struct merkle_tree *t)
{
    for (int h = 0; h < 64; h++) free(t->level[h]);
    free(t->block);
    free(t->recent);
    memset(t, 0, sizeof *t);
}

/* Read complete block b's leaves again and make its nodes; they must give the root kept for it. */
static int load_block(struct merkle_tree *t, size_t b)
{
    if (t->block_loaded && t->block_index == b) return 0;
    t->block_loaded = false;
    if (!t->leaves || (b + 1) * MERKLE_BLOCK > t->size) return -1;
    if (!t->block && !(t->block = malloc(BLOCK_NODES * sizeof *t->block))) return -1;
    if (t->leaves(t->leaves_arg, b * MERKLE_BLOCK, MERKLE_BLOCK, t->block) != 0) return -1;
    for (int h = 0; h < MERKLE_BLOCK_HEIGHT; h++) {
        merkle_hash *below = t->block + block_offset(h), *above = t->block + block_offset(h + 1);
        for (size_t i = 0; i < MERKLE_BLOCK >> (h + 1); i++) merkle_node_hash(below[2 * i], below[2 * i + 1], above[i]);
    }
    if (memcmp(t->block[block_offset(MERKLE_BLOCK_HEIGHT)], t->level[MERKLE_BLOCK_HEIGHT][b], MERKLE_HASH_LEN) != 0)
        return -1;
    t->block_index = b;
    t->block_loaded = true;
    return 0;
}

/* Node (h, i), a complete subtree of the tree: kept, or made again from its block's leaves. */
static int node_of(struct merkle_tree *t, int h, size_t i, merkle_hash out)
{
    size_t b = (i << h) >> MERKLE_BLOCK_HEIGHT, complete = t->size >> MERKLE_BLOCK_HEIGHT;
    if (h < MERKLE_BLOCK_HEIGHT && b != complete && b + MERKLE_RECENT_BLOCKS >= complete) {   /* a recent block */
        const merkle_hash *nodes = t->recent + (b % MERKLE_RECENT_BLOCKS) * BLOCK_NODES;
        memcpy(out, nodes[block_offset(h) + (i & ((MERKLE_BLOCK >> h) - 1))], MERKLE_HASH_LEN);
        return 0;
    }
    if (h < MERKLE_BLOCK_HEIGHT && b != complete) {
        if (load_block(t, b) != 0) return -1;
        memcpy(out, t->block[block_offset(h) + (i & ((MERKLE_BLOCK >> h) - 1))], MERKLE_HASH_LEN);
        return 0;
    }
    memcpy(out, slot(t, h, i), MERKLE_HASH_LEN);
    return 0;
}

/* The root of leaves [lo, lo + n): lo is a multiple of the least power of two >= n (RFC 9162's
 * recursion only makes such ranges), so each power-of-two part is a complete subtree. */
static int range_root(struct merkle_tree *t, size_t lo, size_t n, merkle_hash out)
{
    if (n == 0) {
        crypto_hash_sha256(out, (const uint8_t *)"", 0);
        return 0;
    }
    if ((n & (n - 1)) == 0) {
        int h = __builtin_ctzll((unsigned long long)n);
        return node_of(t, h, lo >> h, out);
    }
    size_t k = split_point(n);
    merkle_hash l, r;
    if (range_root(t, lo, k, l) != 0 || range_root(t, lo + k, n - k, r) != 0) return -1;
    merkle_node_hash(l, r, out);
    return 0;
}

int merkle_tree_root(struct merkle_tree *t, size_t n, merkle_hash out)
{
    return n <= t->size ? range_root(t, 0, n, out) : -1;
}

int merkle_tree_leaf(struct merkle_tree *t, size_t index, merkle_hash out)
{
    return index < t->size ? node_of(t, 0, index, out) : -1;
}

/* PATH of RFC 9162 over leaves [lo, lo + n); its length in *len. */
static int tree_path(struct merkle_tree *t, size_t lo, size_t n, size_t index, merkle_hash *out, size_t *len)
{
    if (n <= 1) {
        *len = 0;
        return 0;
    }
    size_t k = split_point(n);
    int rc = index < k ? tree_path(t, lo, k, index, out, len) : tree_path(t, lo + k, n - k, index - k, out, len);
    if (rc == 0) rc = index < k ? range_root(t, lo + k, n - k, out[*len]) : range_root(t, lo, k, out[*len]);
    (*len)++;
    return rc;
}

int merkle_tree_inclusion_proof(struct merkle_tree *t, size_t n, size_t index, merkle_hash *out, size_t *len)
{
    *len = 0;
    if (n > t->size || index >= n) return -1;
    return tree_path(t, 0, n, index, out, len);
}

/* SUBPROOF of RFC 9162 over leaves [lo, lo + n); its length in *len. */
static int tree_subproof(struct merkle_tree *t, size_t lo, size_t m, size_t n, bool whole, merkle_hash *out,
                         size_t *len)
{
    if (m == n) {
        *len = whole ? 0 : 1;
        return whole ? 0 : range_root(t, lo, n, out[0]);
    }
    size_t k = split_point(n);
    int rc = m <= k ? tree_subproof(t, lo, m, k, whole, out, len)
                    : tree_subproof(t, lo + k, m - k, n - k, false, out, len);
    if (rc == 0) rc = m <= k ? range_root(t, lo + k, n - k, out[*len]) : range_root(t, lo, k, out[*len]);
    (*len)++;
    return rc;
}

int merkle_tree_consistency_proof(struct merkle_tree *t, size_t m, size_t n, merkle_hash *out, size_t *len)
{
    *len = 0;
    if (m == 0 || m > n || n > t->size) return -1;
    return tree_subproof(t, 0, m, n, true, out, len);
}

bool merkle_verify_inclusion(const merkle_hash leaf, uint64_t index, uint64_t size, const merkle_hash *proof,
                             size_t plen, const merkle_hash root)
{
    if (index >= size) return false;
    uint64_t fn = index, sn = size - 1;
    merkle_hash r;
    memcpy(r, leaf, MERKLE_HASH_LEN);
    for (size_t i = 0; i < plen; i++) {
        if (sn == 0) return false;
        if ((fn & 1) || fn == sn) {
            merkle_node_hash(proof[i], r, r);
            if (!(fn & 1))
                while (!(fn & 1) && fn != 0) { fn >>= 1; sn >>= 1; }
        } else {
            merkle_node_hash(r, proof[i], r);
        }
        fn >>= 1;
        sn >>= 1;
    }
    return sn == 0 && sodium_memcmp(r, root, MERKLE_HASH_LEN) == 0;
}

bool merkle_verify_consistency(uint64_t size1, uint64_t size2, const merkle_hash root1, const merkle_hash root2,
                               const merkle_hash *proof, size_t plen)
{
    if (size1 == 0 || size1 > size2) return false;
    if (size1 == size2) return plen == 0 && sodium_memcmp(root1, root2, MERKLE_HASH_LEN) == 0;
    if (plen == 0 || plen > MERKLE_MAX_PROOF) return false;
    merkle_hash path[MERKLE_MAX_PROOF + 1];
    size_t n = 0;
    if ((size1 & (size1 - 1)) == 0) memcpy(path[n++], root1, MERKLE_HASH_LEN);  /* a power of two */
    for (size_t i = 0; i < plen; i++) memcpy(path[n++], proof[i], MERKLE_HASH_LEN);
    uint64_t fn = size1 - 1, sn = size2 - 1;
    while (fn & 1) { fn >>= 1; sn >>= 1; }
    merkle_hash fr, sr;
    memcpy(fr, path[0], MERKLE_HASH_LEN);
    memcpy(sr, path[0], MERKLE_HASH_LEN);
    for (size_t i = 1; i < n; i++) {
        if (sn == 0) return false;
        if ((fn & 1) || fn == sn) {
            merkle_node_hash(path[i], fr, fr);
            merkle_node_hash(path[i], sr, sr);
            if (!(fn & 1))
                while (!(fn & 1) && fn != 0) { fn >>= 1; sn >>= 1; }
        } else {
            merkle_node_hash(sr, path[i], sr);
        }
        fn >>= 1;
        sn >>= 1;
    }
    return sn == 0 && sodium_memcmp(fr, root1, MERKLE_HASH_LEN) == 0 &&
           sodium_memcmp(sr, root2, MERKLE_HASH_LEN) == 0;
}
