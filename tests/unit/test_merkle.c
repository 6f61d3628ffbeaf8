/* test_merkle.c — the RFC 6962/9162 Merkle tree (src/core/merkle.c) against the test vectors of
 * Certificate Transparency (roots of the trees of the first 1..8 of its eight leaves, an
 * inclusion and consistency proofs), every proof of trees up to 40 leaves checked by the
 * independent verifier and refused when any hash, the index or a size is off; and the signed
 * notes and canonical-JSON signatures (src/core/note.c, src/core/sign.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "core/merkle.h"
#include "core/note.h"
#include "core/sign.h"

static const char *const LEAVES[] = {"", "00", "10", "2021", "3031", "40414243", "5051525354555657",
                                     "606162636465666768696a6b6c6d6e6f"};
static const char *const ROOTS[] = {
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
};

static void ct_leaves(merkle_hash out[8])
{
    for (int i = 0; i < 8; i++) {
        uint8_t b[16];
        size_t len = strlen(LEAVES[i]) / 2;
        if (len) assert_int_equal(sign_unhex(LEAVES[i], b, len), 0);
        merkle_leaf_hash(b, len, out[i]);
    }
}

static void hex_of(const merkle_hash h, char out[65]) { sign_hex(h, MERKLE_HASH_LEN, out); }

static void test_ct_roots(void **state)
{
    (void)state;
    merkle_hash l[8], root;
    char hex[65];
    ct_leaves(l);
    for (size_t n = 1; n <= 8; n++) {
        merkle_root(l, n, root);
        hex_of(root, hex);
        assert_string_equal(hex, ROOTS[n - 1]);
    }
    merkle_root(l, 0, root);
    hex_of(root, hex);
    assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

static void test_ct_proofs(void **state)
{
    (void)state;
    merkle_hash l[8], p[MERKLE_MAX_PROOF];
    char hex[65];
    ct_leaves(l);
    static const char *const path0[] = {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                                        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                                        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"};
    assert_int_equal(merkle_inclusion_proof(l, 8, 0, p), 3);
    for (int i = 0; i < 3; i++) { hex_of(p[i], hex); assert_string_equal(hex, path0[i]); }
    /* consistency 1 -> 8 is the audit path of leaf 0 */
    assert_int_equal(merkle_consistency_proof(l, 1, 8, p), 3);
    for (int i = 0; i < 3; i++) { hex_of(p[i], hex); assert_string_equal(hex, path0[i]); }
    /* consistency 2 -> 5 */
    assert_int_equal(merkle_consistency_proof(l, 2, 5, p), 2);
    hex_of(p[0], hex);
    assert_string_equal(hex, "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e");
    hex_of(p[1], hex);
    assert_string_equal(hex, "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b");
}

/* Every inclusion and consistency proof of trees of 1..40 leaves verifies; any change fails. */
static void test_all_proofs(void **state)
{
    (void)state;
    enum { N = 40 };
    merkle_hash l[N], roots[N + 1], p[MERKLE_MAX_PROOF];
    for (int i = 0; i < N; i++) {
        uint8_t b[4] = {(uint8_t)i, 0xbe, 0xa1, 0x4e};
        merkle_leaf_hash(b, sizeof b, l[i]);
    }
    for (size_t n = 1; n <= N; n++) merkle_root(l, n, roots[n]);
    for (size_t n = 1; n <= N; n++) {
        for (size_t i = 0; i < n; i++) {
            size_t len = merkle_inclusion_proof(l, n, i, p);
            assert_true(merkle_verify_inclusion(l[i], i, n, p, len, roots[n]));
            if (n > 1) assert_false(merkle_verify_inclusion(l[i], (i + 1) % n, n, p, len, roots[n]));
            assert_false(merkle_verify_inclusion(l[i], i, n, p, len, roots[n == 1 ? 2 : n - 1]));
            for (size_t k = 0; k < len; k++) {
                p[k][5] ^= 1;
                assert_false(merkle_verify_inclusion(l[i], i, n, p, len, roots[n]));
                p[k][5] ^= 1;
            }
            if (len) assert_false(merkle_verify_inclusion(l[i], i, n, p, len - 1, roots[n]));
        }
        for (size_t m = 1; m <= n; m++) {
            size_t len = merkle_consistency_proof(l, m, n, p);
            assert_true(merkle_verify_consistency(m, n, roots[m], roots[n], p, len));
            if (m < n) {
                /* a rewritten history: the old root of another tree */
                merkle_hash other;
                memcpy(other, roots[m], sizeof other);
                other[0] ^= 0x80;
                assert_false(merkle_verify_consistency(m, n, other, roots[n], p, len));
                assert_false(merkle_verify_consistency(m, n, roots[m], roots[n - 1], p, len));
                for (size_t k = 0; k < len; k++) {
                    p[k][9] ^= 4;
                    assert_false(merkle_verify_consistency(m, n, roots[m], roots[n], p, len));
                    p[k][9] ^= 4;
                }
            }
        }
    }
}

/* The leaves a growing tree reads again: the test's own array, or one with a leaf changed. */
struct leaves_of { const merkle_hash *l; size_t reads, visible; };
static int give_leaves(void *arg, size_t first, size_t n, merkle_hash *out)
{
    struct leaves_of *w = arg;
    w->reads++;
    if (w->visible && first + n > w->visible) return -1;   /* a view of the log that ends there */
    memcpy(out, w->l + first, n * sizeof *out);
    return 0;
}

/* The growing tree gives the same roots and proofs as the plain recursion, at every size: within
 * its last block, across the recent complete blocks it keeps, and across older blocks whose
 * insides it reads again. */
static void test_tree_matches(void **state)
{
    (void)state;
    enum { N = (MERKLE_RECENT_BLOCKS + 4) * MERKLE_BLOCK + 300 };
    static merkle_hash l[N];
    struct leaves_of w = {l, 0, 0};
    struct merkle_tree t = {.leaves = give_leaves, .leaves_arg = &w};
    merkle_hash a[MERKLE_MAX_PROOF], b[MERKLE_MAX_PROOF], r1, r2;
    for (size_t i = 0; i < N; i++) {
        uint8_t x[8] = {(uint8_t)i, (uint8_t)(i >> 8), 7};
        merkle_leaf_hash(x, sizeof x, l[i]);
        assert_int_equal(merkle_tree_append(&t, l[i]), 0);
    }
    assert_int_equal(t.size, N);
    for (size_t n = 0; n <= N; n += (n < 300 || n % MERKLE_BLOCK > MERKLE_BLOCK - 3 || n % MERKLE_BLOCK < 3 ? 1 : 97)) {
        merkle_root(l, n, r1);
        assert_int_equal(merkle_tree_root(&t, n, r2), 0);
        assert_memory_equal(r1, r2, MERKLE_HASH_LEN);
        size_t la, lb;
        for (size_t i = 0; i < n; i += (n > 300 ? n / 17 + 1 : n > 64 ? 7 : 1)) {
            la = merkle_inclusion_proof(l, n, i, a);
            assert_int_equal(merkle_tree_inclusion_proof(&t, n, i, b, &lb), 0);
            assert_int_equal(la, lb);
            assert_memory_equal(a, b, la * MERKLE_HASH_LEN);
            assert_int_equal(merkle_tree_leaf(&t, i, r2), 0);
            assert_memory_equal(l[i], r2, MERKLE_HASH_LEN);
        }
        for (size_t m = 1; m <= n; m += (n > 300 ? n / 19 + 1 : n > 64 ? 11 : 1)) {
            la = merkle_consistency_proof(l, m, n, a);
            assert_int_equal(merkle_tree_consistency_proof(&t, m, n, b, &lb), 0);
            assert_int_equal(la, lb);
            assert_memory_equal(a, b, la * MERKLE_HASH_LEN);
        }
    }
    assert_true(w.reads > 0);   /* the older blocks' insides were read again, not kept */
    size_t kept = 0;
    for (int h = 0; h < 64; h++) kept += t.cap[h];
    assert_true(kept < N / 4);   /* the last block's nodes and the levels above the blocks: not every leaf */

    /* a reader whose view ends inside a recent complete block (the writer has gone on): answered
     * from the recent blocks' nodes, nothing read; inside an older block, the proof fails */
    size_t view = N - 300 - MERKLE_BLOCK / 2, reads = w.reads;
    w.visible = view;
    t.block_loaded = false;
    merkle_root(l, view, r1);
    assert_int_equal(merkle_tree_root(&t, view, r2), 0);
    assert_memory_equal(r1, r2, MERKLE_HASH_LEN);
    assert_int_equal(merkle_tree_leaf(&t, view - 1, r2), 0);
    assert_memory_equal(l[view - 1], r2, MERKLE_HASH_LEN);
    size_t la = merkle_inclusion_proof(l, view, view - 7, a), lb;
    assert_int_equal(merkle_tree_inclusion_proof(&t, view, view - 7, b, &lb), 0);
    assert_int_equal(la, lb);
    assert_memory_equal(a, b, la * MERKLE_HASH_LEN);
    assert_int_equal(w.reads, reads);
    w.visible = MERKLE_BLOCK + 10;
    assert_int_equal(merkle_tree_leaf(&t, MERKLE_BLOCK + 9, r2), -1);
    w.visible = 0;
    assert_int_equal(merkle_tree_inclusion_proof(&t, N, N, b, &lb), -1);   /* out of range */

    /* a complete block whose leaves no longer give its root: the proof fails, not a wrong one */
    static merkle_hash bad[N];
    memcpy(bad, l, sizeof bad);
    bad[MERKLE_BLOCK + 5][0] ^= 1;
    struct leaves_of wb = {bad, 0, 0};
    t.leaves_arg = &wb;
    t.block_loaded = false;
    size_t len;
    assert_int_equal(merkle_tree_inclusion_proof(&t, N, MERKLE_BLOCK + 9, b, &len), -1);
    assert_int_equal(merkle_tree_leaf(&t, MERKLE_BLOCK + 5, r2), -1);
    assert_int_equal(merkle_tree_inclusion_proof(&t, N, N - 1, b, &len), 0);   /* the last block is kept */
    t.leaves = NULL;
    assert_int_equal(merkle_tree_consistency_proof(&t, 3, N, b, &len), -1);   /* and nothing to read with */
    merkle_tree_free(&t);
    assert_int_equal(t.size, 0);
}

static void test_signed_note(void **state)
{
    (void)state;
    uint8_t pk[SIGN_PK_LEN], sk[SIGN_SK_LEN], pk2[SIGN_PK_LEN], sk2[SIGN_SK_LEN];
    crypto_sign_keypair(pk, sk);
    crypto_sign_keypair(pk2, sk2);
    merkle_hash root;
    memset(root, 7, sizeof root);
    char *body = note_checkpoint_body("example.org/log", 42, root);
    assert_string_equal(body, "example.org/log\n42\nBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=\n");
    char *note = note_sign(body, "example.org/log", sk);
    size_t blen = 0;
    const char *why = NULL;
    assert_true(note_verify(note, "example.org/log", pk, &blen, &why));
    assert_int_equal(blen, strlen(body));
    assert_false(note_verify(note, "example.org/log", pk2, &blen, &why));   /* another key */
    assert_false(note_verify(note, "other.org/log", pk, &blen, &why));      /* another name */
    char origin[64];
    uint64_t size;
    merkle_hash got;
    assert_int_equal(note_checkpoint_parse(note, origin, sizeof origin, &size, got), 0);
    assert_string_equal(origin, "example.org/log");
    assert_int_equal(size, 42);
    assert_memory_equal(got, root, sizeof root);
    note[strlen("example.org/log\n4")] = '3';   /* the size altered */
    assert_false(note_verify(note, "example.org/log", pk, &blen, &why));
    /* the vkey names the key hash the signature line carries */
    char *vkey = note_vkey("example.org/log", pk);
    char want[9];
    snprintf(want, sizeof want, "%08x", (unsigned)note_key_hash("example.org/log", pk));
    assert_non_null(strstr(vkey, want));
    free(vkey);
    free(note);
    free(body);
}

static void test_sign_json(void **state)
{
    (void)state;
    uint8_t pk[SIGN_PK_LEN], sk[SIGN_SK_LEN];
    crypto_sign_keypair(pk, sk);
    json_t *a = json_pack("{s:s s:i s:{s:s}}", "number", "110000-2026-000001", "version", 2, "subject", "name", "云帆");
    json_t *b = json_pack("{s:{s:s} s:i s:s}", "subject", "name", "云帆", "version", 2, "number", "110000-2026-000001");
    char *sig = NULL;
    assert_int_equal(sign_json(sk, a, &sig), 0);
    assert_true(sign_json_verify(pk, b, sig));   /* member order does not matter */
    json_object_set_new(b, "version", json_integer(3));
    assert_false(sign_json_verify(pk, b, sig));
    char id[SIGN_KEYID_HEX];
    sign_key_id(pk, id);
    assert_int_equal(strlen(id), 16);
    free(sig);
    json_decref(a);
    json_decref(b);
}

int main(void)
{
    if (sodium_init() < 0) return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ct_roots), cmocka_unit_test(test_ct_proofs), cmocka_unit_test(test_all_proofs), cmocka_unit_test(test_tree_matches),
        cmocka_unit_test(test_signed_note), cmocka_unit_test(test_sign_json),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
