/* test_sha256.c — the streaming SHA-256 (src/core/sha256.c) against the FIPS 180-4 examples and
 * against libsodium's SHA-256 on random bytes fed in random pieces, and the hash of a file
 * followed while it is written (src/core/sha256_follow.c). meson runs it twice: with
 * the CPU's SHA extensions when present, and with BEIAN_SHA256_PORTABLE=1 (the plain C code). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/sha256.h"
#include "core/sha256_follow.h"

static void test_fips_examples(void **state)
{
    (void)state;
    char out[65];
    sha256_hex("", 0, out);
    assert_string_equal(out, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    sha256_hex("abc", 3, out);
    assert_string_equal(out, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    sha256_hex(two, strlen(two), out);
    assert_string_equal(out, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    /* one million 'a', fed 1000 at a time */
    struct sha256 s;
    sha256_init(&s);
    char a[1000];
    memset(a, 'a', sizeof a);
    for (int i = 0; i < 1000; i++) sha256_update(&s, a, sizeof a);
    sha256_final_hex(&s, out);
    assert_string_equal(out, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

static void sodium_hex(const unsigned char *p, size_t n, char out[65])
{
    unsigned char d[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(d, p, n);
    sodium_bin2hex(out, 65, d, sizeof d);
}

/* Every length around the padding boundaries, and random lengths in random pieces. */
static void test_matches_libsodium(void **state)
{
    (void)state;
    enum { MAX = 70000 };
    unsigned char *buf = malloc(MAX);
    assert_non_null(buf);
    randombytes_buf(buf, MAX);
    char want[65], got[65];
    for (size_t n = 0; n <= 200; n++) {
        sodium_hex(buf, n, want);
        sha256_hex(buf, n, got);
        assert_string_equal(got, want);
    }
    for (int round = 0; round < 300; round++) {
        size_t n = randombytes_uniform(MAX);
        sodium_hex(buf, n, want);
        struct sha256 s;
        sha256_init(&s);
        for (size_t off = 0; off < n;) {
            size_t piece = 1 + randombytes_uniform(round % 2 ? 200 : 9000);
            if (piece > n - off) piece = n - off;
            sha256_update(&s, buf + off, piece);
            off += piece;
        }
        sha256_final_hex(&s, got);
        assert_string_equal(got, want);
    }
    free(buf);
}

static void test_file_digest(void **state)
{
    (void)state;
    char path[] = "/tmp/beian-sha256-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    enum { N = 600000 };   /* more than one read buffer */
    unsigned char *buf = malloc(N);
    assert_non_null(buf);
    randombytes_buf(buf, N);
    assert_int_equal(write(fd, buf, N), N);
    close(fd);
    char want[65], got[65];
    sodium_hex(buf, N, want);
    assert_int_equal(sha256_file_hex(path, got), 0);
    assert_string_equal(got, want);
    unlink(path);
    assert_int_equal(sha256_file_hex(path, got), -1);
    free(buf);
}

/* The hash of a file followed while it is written in random pieces equals the hash of the whole
 * file, below and above the size at which the thread starts; stopping halfway frees cleanly. */
static void test_follow_while_writing(void **state)
{
    (void)state;
    enum { N = 5 << 20 };
    unsigned char *buf = malloc(N);
    assert_non_null(buf);
    randombytes_buf(buf, N);
    const size_t sizes[] = {0, 1, 1000, (1 << 20) - 1, 1 << 20, (3 << 20) + 17, N};
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        for (int cancel = 0; cancel < 2; cancel++) {
            char path[] = "/tmp/beian-follow-XXXXXX";
            int fd = mkstemp(path);
            assert_true(fd >= 0);
            struct sha256_follow *f = sha256_follow_new(fd);
            assert_non_null(f);
            size_t off = 0;
            while (off < sizes[k]) {
                size_t piece = 1 + randombytes_uniform(200000);
                if (piece > sizes[k] - off) piece = sizes[k] - off;
                assert_int_equal(write(fd, buf + off, piece), (ssize_t)piece);
                off += piece;
                sha256_follow_grew(f, off);
                if (cancel && off > sizes[k] / 2) break;   /* a cut-off upload: free without finishing */
            }
            if (!cancel) {
                char want[65], got[65];
                sha256_hex(buf, sizes[k], want);
                assert_int_equal(sha256_follow_finish(f, got), 0);
                assert_string_equal(got, want);
                sha256_follow_grew(f, sizes[k] + (2u << 20));   /* after finish: ignored */
                assert_int_equal(sha256_follow_finish(f, got), 0);
                assert_string_equal(got, want);
            }
            sha256_follow_free(f);
            close(fd);
            unlink(path);
        }
    }
    free(buf);
}

int main(void)
{
    if (sodium_init() < 0) return 1;
    fprintf(stderr, "sha256 implementation: %s\n", sha256_implementation());
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fips_examples),
        cmocka_unit_test(test_matches_libsodium),
        cmocka_unit_test(test_file_digest),
        cmocka_unit_test(test_follow_while_writing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
