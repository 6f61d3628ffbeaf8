/* test_etag.c — entity tags (src/http/etag.c): If-None-Match by weak comparison (RFC 9110
 * §13.1.2: "*", lists, W/ on either side, malformed input), body tags, and the tags of the gzip
 * variant there and back. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "http/etag.h"

static void star_matches_anything(void **state)
{
    (void)state;
    assert_true(etag_none_match("*", "\"1-2\""));
    assert_true(etag_none_match(" * ", "W/\"x\""));
    assert_false(etag_none_match("*, \"1-2\"", "\"1-2\""));   /* "*" is alone or not at all */
}

static void lists_are_compared_member_by_member(void **state)
{
    (void)state;
    assert_true(etag_none_match("\"1-2\"", "\"1-2\""));
    assert_true(etag_none_match("\"a\", \"1-2\"", "\"1-2\""));
    assert_true(etag_none_match("\"a\",\"b\" ,\t\"1-2\"", "\"1-2\""));
    assert_false(etag_none_match("\"a\", \"b\"", "\"1-2\""));
    /* a comma inside the quotes belongs to the tag */
    assert_true(etag_none_match("\"x,y\"", "\"x,y\""));
    assert_false(etag_none_match("\"x,y\"", "\"x\""));
    /* no prefix or suffix matches: the whole opaque tag */
    assert_false(etag_none_match("\"1-23\"", "\"1-2\""));
    assert_false(etag_none_match("\"1-2\"", "\"1-23\""));
    assert_false(etag_none_match("\"1-2-gz\"", "\"1-2\""));
}

static void comparison_is_weak(void **state)
{
    (void)state;
    assert_true(etag_none_match("W/\"1-2\"", "\"1-2\""));
    assert_true(etag_none_match("\"1-2\"", "W/\"1-2\""));
    assert_true(etag_none_match("W/\"1-2\"", "W/\"1-2\""));
    assert_false(etag_none_match("w/\"1-2\"", "\"1-2\""));   /* the prefix is case-sensitive */
}

static void malformed_never_matches(void **state)
{
    (void)state;
    assert_false(etag_none_match(NULL, "\"1\""));
    assert_false(etag_none_match("", "\"1\""));
    assert_false(etag_none_match("1-2", "\"1-2\""));          /* unquoted */
    assert_false(etag_none_match("\"1-2", "\"1-2\""));        /* unterminated */
    assert_false(etag_none_match("\"a b\"", "\"a b\""));      /* a space is no etagc */
    assert_false(etag_none_match("\"1\" junk, \"2\"", "\"2\"")); /* the list is broken before it */
    assert_true(etag_none_match("\"2\", junk", "\"2\""));     /* … but not before this one */
    assert_false(etag_none_match("\"1\"", "not-a-tag"));
}

static void body_tags_are_strong_and_stable(void **state)
{
    (void)state;
    char a[ETAG_MAX], b[ETAG_MAX], c[ETAG_MAX];
    etag_of_bytes("{\"items\":[]}", 12, a);
    etag_of_bytes("{\"items\":[]}", 12, b);
    etag_of_bytes("{\"items\":[1]}", 13, c);
    assert_string_equal(a, b);
    assert_string_not_equal(a, c);
    assert_int_equal(a[0], '"');
    assert_int_equal(strlen(a), 2 + 2 + 32);
    assert_true(etag_none_match(a, b));
}

static void variants_there_and_back(void **state)
{
    (void)state;
    char out[ETAG_MAX];
    assert_true(etag_variant("\"12-3\"", ETAG_GZIP_SUFFIX, out, sizeof out));
    assert_string_equal(out, "\"12-3-gz\"");
    assert_true(etag_variant("W/\"x\"", ETAG_GZIP_SUFFIX, out, sizeof out));
    assert_string_equal(out, "W/\"x-gz\"");
    assert_false(etag_variant("nope", ETAG_GZIP_SUFFIX, out, sizeof out));
    assert_false(etag_variant("\"a\", \"b\"", ETAG_GZIP_SUFFIX, out, sizeof out));
    assert_false(etag_variant("\"12-3\"", ETAG_GZIP_SUFFIX, out, 6));   /* does not fit */

    etag_strip_variant("\"12-3-gz\"", ETAG_GZIP_SUFFIX, out, sizeof out);
    assert_string_equal(out, "\"12-3\"");
    etag_strip_variant("\"12-3\"", ETAG_GZIP_SUFFIX, out, sizeof out);
    assert_string_equal(out, "\"12-3\"");
    etag_strip_variant("*", ETAG_GZIP_SUFFIX, out, sizeof out);
    assert_string_equal(out, "*");
    etag_strip_variant("\"-gz\"", ETAG_GZIP_SUFFIX, out, sizeof out);   /* nothing before it */
    assert_string_equal(out, "\"-gz\"");
    etag_strip_variant("\"a-gz\", \"b-gz\"", ETAG_GZIP_SUFFIX, out, sizeof out);   /* not one tag */
    assert_string_equal(out, "\"a-gz\", \"b-gz\"");
}

static void reply_tags_name_the_thing_and_the_reply(void **state)
{
    (void)state;
    char a[ETAG_MAX], b[ETAG_MAX], out[ETAG_MAX];
    etag_of_reply("\"12-3\"", "{\"state\":\"draft\"}", 17, true, a, sizeof a);
    etag_of_reply("\"12-3\"", "{\"state\":\"filed\"}", 17, true, b, sizeof b);
    assert_int_equal(strlen(a), strlen("\"12-3.\"") + 16);
    assert_memory_equal(a, "\"12-3.", 6);
    assert_string_not_equal(a, b);                       /* the same revision, another reply */
    etag_strip_reply(a, out, sizeof out);
    assert_string_equal(out, "\"12-3\"");
    etag_strip_reply("\"12-3\"", out, sizeof out);      /* the thing's own tag stays */
    assert_string_equal(out, "\"12-3\"");
    etag_strip_reply("\"12-3.0123456789abcdeX\"", out, sizeof out);   /* not hex */
    assert_string_equal(out, "\"12-3.0123456789abcdeX\"");
    etag_strip_reply("\".0123456789abcdef\"", out, sizeof out);       /* nothing before it */
    assert_string_equal(out, "\".0123456789abcdef\"");
    etag_of_reply("nope", "x", 1, true, out, sizeof out);      /* not a tag: copied */
    assert_string_equal(out, "nope");
}

/* The memory of the last replies: the same reply under the same tag gives the same tag as a fresh
 * hash, and any changed byte (same length or not), or another thing's tag, gives the tag of its
 * own bytes, whatever was remembered before. */
static void remembered_replies_tag_as_hashed(void **state)
{
    (void)state;
    char body[20000], first[ETAG_MAX], again[ETAG_MAX], fresh[ETAG_MAX], other[ETAG_MAX];
    for (size_t i = 0; i < sizeof body; i++) body[i] = (char)('a' + i % 26);
    etag_of_reply("\"7-1\"", body, sizeof body, true, first, sizeof first);
    etag_of_reply("\"7-1\"", body, sizeof body, true, again, sizeof again);
    assert_string_equal(first, again);
    body[sizeof body - 1] = '!';                          /* the last byte only */
    etag_of_reply("\"7-1\"", body, sizeof body, true, again, sizeof again);
    assert_string_not_equal(first, again);
    unsigned char digest[8];
    char hex[17], want[ETAG_MAX];
    crypto_generichash(digest, sizeof digest, (const unsigned char *)body, sizeof body, NULL, 0);
    sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
    snprintf(want, sizeof want, "\"7-1.%s\"", hex);
    assert_string_equal(again, want);
    etag_of_reply("\"7-1\"", body, sizeof body - 1, true, fresh, sizeof fresh);   /* shorter */
    assert_string_not_equal(fresh, again);
    etag_of_reply("\"8-1\"", body, sizeof body, true, other, sizeof other);       /* another thing */
    assert_memory_equal(other, "\"8-1.", 5);
    assert_string_equal(other + 5, want + 5);
    /* a write's reply, not remembered, is tagged by its own bytes all the same, and leaves the
     * remembered one in place */
    char written[ETAG_MAX], read_again[ETAG_MAX];
    body[0] = '#';
    etag_of_reply("\"8-1\"", body, sizeof body, false, written, sizeof written);
    assert_string_not_equal(written, other);
    body[0] = 'a';
    etag_of_reply("\"8-1\"", body, sizeof body, true, read_again, sizeof read_again);
    assert_string_equal(read_again, other);
}

int main(void)
{
    if (sodium_init() < 0) return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(star_matches_anything),
        cmocka_unit_test(lists_are_compared_member_by_member),
        cmocka_unit_test(comparison_is_weak),
        cmocka_unit_test(malformed_never_matches),
        cmocka_unit_test(body_tags_are_strong_and_stable),
        cmocka_unit_test(variants_there_and_back),
        cmocka_unit_test(reply_tags_name_the_thing_and_the_reply),
        cmocka_unit_test(remembered_replies_tag_as_hashed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
