/* test_json_text.c — the canonical text (src/core/json_text.c) is json_dumps' with JSON_COMPACT |
 * JSON_SORT_KEYS | JSON_ENCODE_ANY byte for byte: on every JSON file of the policy directory
 * (the pack's form, fixtures, calendars…), on the escapes and orders that could differ, and on
 * random trees. Stored documents are compared and hashed by this text, so any difference would
 * make an unchanged document look changed and its SHA-256 another. Needs BEIAN_POLICY_DIR. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/json_text.h"

static void assert_same_text(const json_t *v)
{
    char *want = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
    size_t len = 0;
    char *got = json_canonical(v, &len);
    assert_non_null(want);
    assert_non_null(got);
    if (strcmp(want, got) != 0) fprintf(stderr, "want %s\n got %s\n", want, got);
    assert_string_equal(got, want);
    assert_int_equal(len, strlen(want));
    free(want);
    free(got);
}

static void test_scalars_and_escapes(void **state)
{
    (void)state;
    const char *texts[] = {
        "null", "true", "false", "0", "-1", "9223372036854775807", "-9223372036854775808",
        "0.5", "1.0", "-0.0", "1e300", "1e-7", "3.141592653589793", "100000000000000000000.0", "2.5e-310",
        "\"\"", "\"plain\"", "\"quote \\\" backslash \\\\ slash /\"", "\"\\b\\f\\n\\r\\t\"",
        "\"\\u0001\\u001f\\u007f\\u0000 after nul\"", "\"中文与 emoji 😀 \\u2028\\u2029\"",
        "[]", "{}", "[[],{},[{}]]", "{\"b\":1,\"a\":2,\"ab\":3,\"a\\u0001\":4,\"\":5,\"B\":6,\"é\":7,\"z\":{\"y\":[1,{\"x\":null}]}}",
    };
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
        json_error_t err;
        json_t *v = json_loads(texts[i], JSON_DECODE_ANY | JSON_ALLOW_NUL, &err);
        if (!v) fail_msg("%s: %s", texts[i], err.text);
        assert_same_text(v);
        json_decref(v);
    }
}

/* every .json under dir, recursively */
static int check_dir(const char *dir)
{
    int files = 0;
    DIR *d = opendir(dir);
    if (!d) return 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.') continue;
        char path[4200];
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        struct stat sb;
        if (stat(path, &sb) != 0) continue;
        if (S_ISDIR(sb.st_mode)) {
            files += check_dir(path);
        } else if (strlen(de->d_name) > 5 && strcmp(de->d_name + strlen(de->d_name) - 5, ".json") == 0) {
            json_t *v = json_load_file(path, JSON_DECODE_ANY, NULL);
            if (!v) continue;
            assert_same_text(v);
            json_decref(v);
            files++;
        }
    }
    closedir(d);
    return files;
}

/* Strings are scanned eight bytes at a time (json_plain_run): an escaped byte at every place of
 * the first words, and bytes on either side of each escaped one (0x1f/0x20, 0x7f, UTF-8), each as
 * json_dumps writes it. */
static void test_escapes_at_every_place(void **state)
{
    (void)state;
    static const char specials[] = {'"', '\\', '\n', '\x01', '\x1f', ' ', '\x7f', '!', '#', '[', ']', '\xc3'};
    for (size_t k = 0; k < sizeof specials; k++)
        for (size_t at = 0; at < 24; at++) {
            char buf[32];
            memset(buf, 'a', sizeof buf);
            buf[at] = specials[k];
            if (specials[k] == '\xc3') buf[at + 1] = '\xa9';   /* é: stays as it is */
            json_t *s = json_stringn(buf, sizeof buf);
            assert_non_null(s);
            assert_same_text(s);
            json_decref(s);
        }
}

static void test_policy_files(void **state)
{
    (void)state;
    const char *base = getenv("BEIAN_POLICY_DIR");
    assert_non_null(base);
    assert_true(check_dir(base) >= 100);
}

static uint64_t rng = 0x2545f4914f6cdd1dULL;
static uint32_t next_random(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng >> 16);
}

/* a random string of ASCII, control characters, quotes, backslashes and multi-byte characters */
static json_t *random_string(void)
{
    static const char *const pieces[] = {"a", "Z", "0", " ", "\"", "\\", "/", "\n", "\t", "\x01", "\x1f", "\x7f",
                                         "é", "中", "文", "😀", "\xe2\x80\xa8", "key", "_"};
    char buf[256];
    size_t used = 0, n = next_random() % 12;
    for (size_t i = 0; i < n; i++) {
        const char *p = pieces[next_random() % (sizeof pieces / sizeof *pieces)];
        size_t l = strlen(p);
        if (used + l >= sizeof buf) break;
        memcpy(buf + used, p, l);
        used += l;
    }
    return json_stringn(buf, used);
}

static json_t *random_value(int depth)
{
    switch (next_random() % (depth > 4 ? 6 : 8)) {
    case 0: return json_null();
    case 1: return json_boolean(next_random() % 2);
    case 2: return json_integer((json_int_t)next_random() - (json_int_t)(next_random() % 3) * 2000000000);
    case 3: return json_real((double)(int32_t)next_random() / (double)(1 + next_random() % 1000));
    case 4:
    case 5: return random_string();
    case 6: {
        json_t *a = json_array();
        for (uint32_t i = 0, n = next_random() % 6; i < n; i++) json_array_append_new(a, random_value(depth + 1));
        return a;
    }
    default: {
        json_t *o = json_object();
        for (uint32_t i = 0, n = next_random() % 40; i < n; i++) {
            json_t *k = random_string();
            json_object_setn_new(o, json_string_value(k), json_string_length(k), random_value(depth + 1));
            json_decref(k);
        }
        return o;
    }
    }
}

static void test_random_trees(void **state)
{
    (void)state;
    for (int i = 0; i < 2000; i++) {
        json_t *v = random_value(0);
        assert_same_text(v);
        json_decref(v);
    }
}

static void test_member_to_text(void **state)
{
    (void)state;
    json_t *o = json_pack("{s:{s:i s:[s]} s:i}", "findings", "z", 1, "a", "中", "n", 2);
    assert_int_equal(json_to_text_member(o, "findings"), 0);
    assert_string_equal(json_string_value(json_object_get(o, "findings")), "{\"a\":[\"中\"],\"z\":1}");
    assert_int_equal(json_to_text_member(o, "absent"), 0);
    assert_null(json_object_get(o, "absent"));
    json_decref(o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scalars_and_escapes),
        cmocka_unit_test(test_escapes_at_every_place),
        cmocka_unit_test(test_policy_files),
        cmocka_unit_test(test_random_trees),
        cmocka_unit_test(test_member_to_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
