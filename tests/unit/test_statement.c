/* test_statement.c — offline verification of signed statements (src/core/statement.c) on
 * envelopes built here from the pure pieces: a valid one holds; a changed statement, an unknown
 * key, a key of another owner, a checkpoint of another log or key, a wrong inclusion proof, and
 * a rewritten log each fail with their own reason. */
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
#include "core/statement.h"

#define ORIGIN "beian/audit/test"
enum { N = 13 };

struct fixture {
    uint8_t apk[32], ask[64], ppk[32], psk[64], opk[32], osk[64];
    char aid[17], pid[17], oid[17];
    merkle_hash leaves[N];
    uint8_t entries[N][32];
    json_t *keys;
};

static json_t *pub(const char *owner, const uint8_t pk[32], const char *id)
{
    char *b = sign_b64(pk, 32);
    json_t *k = json_pack("{s:s s:s s:s s:s}", "owner", owner, "key_id", id, "alg", "Ed25519", "public_key", b);
    free(b);
    return k;
}

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    crypto_sign_keypair(f->apk, f->ask);
    crypto_sign_keypair(f->ppk, f->psk);
    crypto_sign_keypair(f->opk, f->osk);
    sign_key_id(f->apk, f->aid);
    sign_key_id(f->ppk, f->pid);
    sign_key_id(f->opk, f->oid);
    for (int i = 0; i < N; i++) {
        randombytes_buf(f->entries[i], 32);
        merkle_leaf_hash(f->entries[i], 32, f->leaves[i]);
    }
    f->keys = json_pack("{s:{s:s} s:[o o o]}", "log", "origin", ORIGIN, "keys", pub("4", f->apk, f->aid),
                        pub("platform", f->ppk, f->pid), pub("9", f->opk, f->oid));
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    json_decref(f->keys);
    free(f);
    return 0;
}

static char *checkpoint(const struct fixture *f, size_t size, const char *origin, const uint8_t *sk)
{
    merkle_hash root;
    merkle_root(f->leaves, size, root);
    char *body = note_checkpoint_body(origin, size, root);
    char *note = note_sign(body, origin, sk);
    free(body);
    return note;
}

/* A statement of entry index signed by (sk, key_id) for signer org_id, carrying a checkpoint of size. */
static json_t *envelope(const struct fixture *f, size_t index, size_t size, const uint8_t *sk, const char *key_id)
{
    merkle_hash proof[MERKLE_MAX_PROOF];
    size_t n = merkle_inclusion_proof(f->leaves, size, index, proof);
    json_t *hashes = json_array();
    for (size_t i = 0; i < n; i++) {
        char *b = sign_b64(proof[i], 32);
        json_array_append_new(hashes, json_string(b));
        free(b);
    }
    char hex[65], *cp = checkpoint(f, size, ORIGIN, f->psk);
    sign_hex(f->entries[index], 32, hex);
    json_t *st = json_pack("{s:s s:s s:s s:{s:s s:i} s:{s:I s:s s:I s:o s:s}}", "type", "beian.certificate/1", "number",
                           "110000-2026-000001", "key_id", key_id, "signer", "kind", "authority", "org_id", 4, "audit",
                           "index", (json_int_t)index, "entry_hash", hex, "tree_size", (json_int_t)size,
                           "inclusion_proof", hashes, "checkpoint", cp);
    free(cp);
    char *sig = NULL;
    assert_int_equal(sign_json(sk, st, &sig), 0);
    json_t *env = json_pack("{s:o s:{s:s s:s s:s}}", "statement", st, "signature", "alg", "Ed25519", "key_id", key_id,
                            "value", sig);
    free(sig);
    return env;
}

static void expect_fail(const json_t *keys, const json_t *env, const char *reason)
{
    char why[512] = "";
    assert_int_equal(statement_verify(keys, env, why, sizeof why), -1);
    if (!strstr(why, reason)) fail_msg("reason \"%s\" lacks \"%s\"", why, reason);
}

static void test_valid_and_altered(void **state)
{
    struct fixture *f = *state;
    char why[512] = "";
    for (size_t size = 1; size <= N; size++) {
        json_t *env = envelope(f, size - 1, size, f->ask, f->aid);
        assert_int_equal(statement_verify(f->keys, env, why, sizeof why), 0);
        json_decref(env);
    }
    json_t *env = envelope(f, 4, 9, f->ask, f->aid);
    json_object_set_new(json_object_get(env, "statement"), "number", json_string("110000-2026-000002"));
    expect_fail(f->keys, env, "altered after signing");
    json_decref(env);

    env = envelope(f, 4, 9, f->osk, f->oid);   /* a published key, but of organisation 9 */
    expect_fail(f->keys, env, "does not belong to the signer");
    json_decref(env);

    uint8_t pk[32], sk[64];
    char id[17];
    crypto_sign_keypair(pk, sk);
    sign_key_id(pk, id);
    env = envelope(f, 4, 9, sk, id);
    expect_fail(f->keys, env, "not among the published keys");
    json_decref(env);
}

static void test_audit_parts(void **state)
{
    struct fixture *f = *state;
    /* a checkpoint of another log, or signed by an authority key: the whole envelope is re-signed,
     * so only the audit checks can catch it */
    const char *cases[][2] = {{"other/log", "of another log"}, {ORIGIN, "no signature by a published platform key"}};
    for (int i = 0; i < 2; i++) {
        json_t *env = envelope(f, 3, 7, f->ask, f->aid);
        json_t *st = json_object_get(env, "statement");
        char *cp = checkpoint(f, 7, cases[i][0], i == 0 ? f->psk : f->ask);
        json_object_set_new(json_object_get(st, "audit"), "checkpoint", json_string(cp));
        free(cp);
        char *sig = NULL;
        sign_json(f->ask, st, &sig);
        json_object_set_new(json_object_get(env, "signature"), "value", json_string(sig));
        free(sig);
        expect_fail(f->keys, env, cases[i][1]);
        json_decref(env);
    }
    /* the proof of another entry under this entry's index */
    json_t *env = envelope(f, 3, 7, f->ask, f->aid);
    json_t *other = envelope(f, 2, 7, f->ask, f->aid);
    json_t *st = json_object_get(env, "statement");
    json_object_set(json_object_get(st, "audit"), "inclusion_proof",
                    json_object_get(json_object_get(json_object_get(other, "statement"), "audit"), "inclusion_proof"));
    char *sig = NULL;
    sign_json(f->ask, st, &sig);
    json_object_set_new(json_object_get(env, "signature"), "value", json_string(sig));
    free(sig);
    expect_fail(f->keys, env, "not in the log of the checkpoint");
    json_decref(env);
    json_decref(other);
}

static void test_consistency(void **state)
{
    struct fixture *f = *state;
    char *old = checkpoint(f, 5, ORIGIN, f->psk), *new = checkpoint(f, N, ORIGIN, f->psk), why[512];
    uint64_t s1, s2;
    merkle_hash r1, r2, proof[MERKLE_MAX_PROOF];
    assert_int_equal(statement_checkpoint_verify(f->keys, old, &s1, r1, why, sizeof why), 0);
    assert_int_equal(statement_checkpoint_verify(f->keys, new, &s2, r2, why, sizeof why), 0);
    size_t n = merkle_consistency_proof(f->leaves, 5, N, proof);
    json_t *hashes = json_array();
    for (size_t i = 0; i < n; i++) {
        char *b = sign_b64(proof[i], 32);
        json_array_append_new(hashes, json_string(b));
        free(b);
    }
    json_t *p = json_pack("{s:i s:i s:o}", "old_size", 5, "new_size", N, "hashes", hashes);
    assert_int_equal(statement_consistency_verify(p, s1, r1, s2, r2, why, sizeof why), 0);
    /* the same keys sign a log whose entry 2 was rewritten: not an extension of the old one */
    randombytes_buf(f->entries[2], 32);
    merkle_leaf_hash(f->entries[2], 32, f->leaves[2]);
    char *forged = checkpoint(f, N, ORIGIN, f->psk);
    assert_int_equal(statement_checkpoint_verify(f->keys, forged, &s2, r2, why, sizeof why), 0);
    n = merkle_consistency_proof(f->leaves, 5, N, proof);
    json_t *h2 = json_array();
    for (size_t i = 0; i < n; i++) {
        char *b = sign_b64(proof[i], 32);
        json_array_append_new(h2, json_string(b));
        free(b);
    }
    json_object_set_new(p, "hashes", h2);
    assert_int_equal(statement_consistency_verify(p, s1, r1, s2, r2, why, sizeof why), -1);
    assert_non_null(strstr(why, "history was rewritten"));
    assert_int_equal(statement_consistency_verify(NULL, s1, r1, s2, r2, why, sizeof why), -1);
    assert_non_null(strstr(why, "consistency proof (--proof) is needed"));
    json_decref(p);
    free(old);
    free(new);
    free(forged);
}

int main(void)
{
    if (sodium_init() < 0) return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_valid_and_altered, setup, teardown),
        cmocka_unit_test_setup_teardown(test_audit_parts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_consistency, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
