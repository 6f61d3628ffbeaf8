/* test_utf8.c — utf8_valid (src/core/utf8.c) answers as jansson's own check does (json_stringn
 * returns NULL exactly when the text is not well-formed UTF-8): every sequence of one and two
 * bytes, every three-byte sequence led by 0xE0-0xEF, every four-byte lead with its boundary
 * continuations, each of them at every place of the first two 8-byte words behind ASCII, cut
 * short at the end, and random texts mixing ASCII runs with multi-byte characters. utf8_put
 * writes every code point as jansson decodes its escape. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/utf8.h"

static bool jansson_accepts(const unsigned char *s, size_t len)
{
    json_t *j = json_stringn((const char *)s, len);
    json_decref(j);
    return j != NULL;
}

static void assert_same(const unsigned char *s, size_t len)
{
    bool want = jansson_accepts(s, len), got = utf8_valid((const char *)s, len);
    if (want != got) {
        fprintf(stderr, "differs on %zu bytes:", len);
        for (size_t i = 0; i < len; i++) fprintf(stderr, " %02x", s[i]);
        fprintf(stderr, " (jansson %d, utf8_valid %d)\n", want, got);
    }
    assert_int_equal(got, want);
}

/* seq behind pad ASCII bytes, and followed by ASCII, so that it meets every place in a word */
static void assert_same_everywhere(const unsigned char *seq, size_t n)
{
    unsigned char buf[40];
    for (size_t pad = 0; pad < 17; pad++) {
        memset(buf, 'a', sizeof buf);
        memcpy(buf + pad, seq, n);
        assert_same(buf, pad + n);         /* at the very end */
        assert_same(buf, pad + n + 9);     /* with a word of ASCII after it */
    }
}

static void test_one_and_two_bytes(void **state)
{
    (void)state;
    unsigned char s[2];
    for (int a = 1; a < 256; a++) {
        s[0] = (unsigned char)a;
        assert_same(s, 1);
        for (int b = 0; b < 256; b++) {
            s[1] = (unsigned char)b;
            assert_same(s, 2);
        }
    }
    unsigned char e[2] = {0xC3, 0xA9};   /* é, everywhere */
    assert_same_everywhere(e, 2);
}

static void test_three_bytes(void **state)
{
    (void)state;
    unsigned char s[3];
    for (int a = 0xE0; a <= 0xEF; a++)
        for (int b = 0; b < 256; b++)
            for (int c = 0; c < 256; c++) {
                s[0] = (unsigned char)a, s[1] = (unsigned char)b, s[2] = (unsigned char)c;
                assert_same(s, 3);
                if (c == 0x80 || c == 0x41) assert_same_everywhere(s, 3);
            }
}

static void test_four_bytes(void **state)
{
    (void)state;
    static const int edges[] = {0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xFF};
    const size_t ne = sizeof edges / sizeof edges[0];
    unsigned char s[4];
    for (int a = 0xF0; a <= 0xFF; a++)
        for (size_t i = 0; i < ne; i++)
            for (size_t j = 0; j < ne; j++)
                for (size_t k = 0; k < ne; k++) {
                    s[0] = (unsigned char)a, s[1] = (unsigned char)edges[i], s[2] = (unsigned char)edges[j],
                    s[3] = (unsigned char)edges[k];
                    assert_same(s, 4);
                    assert_same(s, 3);   /* cut short */
                    assert_same(s, 2);
                    if (k == 3) assert_same_everywhere(s, 4);
                }
}

static void test_random_texts(void **state)
{
    (void)state;
    static const char *const pieces[] = {"a", "abcdefgh", "\xC3\xA9", "\xE4\xB8\xAD", "\xF0\x9F\x98\x80",
                                         "\xED\x9F\xBF", "\xED\xA0\x80", "\xC0\xAF", "\x80", "\xF4\x90\x80\x80",
                                         "\xE0\x9F\xBF", "\xEF\xBF\xBF", "\xF4\x8F\xBF\xBF", "\xFF"};
    const size_t np = sizeof pieces / sizeof pieces[0];
    unsigned int seed = 19;
    unsigned char buf[256];
    for (int round = 0; round < 20000; round++) {
        size_t len = 0;
        int parts = rand_r(&seed) % 12;
        for (int p = 0; p < parts; p++) {
            const char *piece = pieces[rand_r(&seed) % (int)(round % 3 ? 8 : np)];   /* two in three valid */
            size_t n = strlen(piece);
            if (len + n > sizeof buf) break;
            memcpy(buf + len, piece, n);
            len += n;
        }
        assert_same(buf, len);
        if (len) assert_same(buf, len - 1);   /* cut inside the last character, often */
    }
}

/* utf8_put writes every scalar value as jansson writes its \uXXXX escape: the same bytes, which
 * utf8_valid takes */
static void test_put_every_code_point(void **state)
{
    (void)state;
    for (uint32_t cp = 1; cp <= 0x10FFFF; cp++) {
        if (cp >= 0xD800 && cp <= 0xDFFF) continue;
        char mine[4], escaped[16];
        size_t n = utf8_put(mine, cp);
        assert_true(utf8_valid(mine, n));
        if (cp % 97 != 1 && cp > 0x800) continue;   /* jansson on a sample: every 97th, and all below U+0800 */
        if (cp < 0x10000) snprintf(escaped, sizeof escaped, "\"\\u%04X\"", (unsigned)cp);
        else snprintf(escaped, sizeof escaped, "\"\\u%04X\\u%04X\"", (unsigned)(0xD800 + ((cp - 0x10000) >> 10)),
                      (unsigned)(0xDC00 + ((cp - 0x10000) & 0x3FF)));
        json_t *j = json_loads(escaped, JSON_DECODE_ANY, NULL);
        assert_non_null(j);
        assert_int_equal(json_string_length(j), n);
        assert_memory_equal(json_string_value(j), mine, n);
        json_decref(j);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_and_two_bytes),
        cmocka_unit_test(test_three_bytes),
        cmocka_unit_test(test_four_bytes),
        cmocka_unit_test(test_random_texts),
        cmocka_unit_test(test_put_every_code_point),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
