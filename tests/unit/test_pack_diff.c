/* test_pack_diff.c — unit tests of pack_diff on two small packs (tests/fixtures/packs/diff-v1 and
 * diff-v2): every change between them, in order, with its texts in zh and en; comments and layout
 * of a rule's code are no change; a pack compared with itself has none; the reverse diff swaps
 * added and removed. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/pack_diff.h"
#include "policy/rules.h"

static struct pack *v1, *v2;

static struct pack *load(const char *name)
{
    const char *policy = getenv("BEIAN_POLICY_DIR");
    char dir[4200];
    snprintf(dir, sizeof dir, "%s/../tests/fixtures/packs/%s", policy ? policy : "policy", name);
    struct err e = {0};
    struct pack *p = NULL;
    if (pack_load(dir, &p, &e) != 0)
        fail_msg("%s: %s", dir, e.detail_en);
    return p;
}

static int setup(void **state)
{
    (void)state;
    v1 = load("diff-v1");
    v2 = load("diff-v2");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    pack_free(v1);
    pack_free(v2);
    policy_thread_cleanup();
    return 0;
}

static const char *s(const json_t *o, const char *key)
{
    const char *v = json_string_value(json_object_get(o, key));
    return v ? v : "";
}

static const struct {
    const char *area, *change, *subject, *aspect;
} EXPECTED[] = {
    {"rules", "changed", "T-001", "severity"},
    {"rules", "changed", "T-002", "source"},
    {"rules", "changed", "T-002", "code"},
    {"rules", "removed", "T-003", NULL},
    {"rules", "added", "T-004", NULL},
    {"fields", "removed", "/subject/nickname", NULL},
    {"fields", "changed", "/subject/kind", "required"},
    {"fields", "changed", "/subject/kind", "options"},
    {"fields", "changed", "/subject/kind", "options"},
    {"fields", "changed", "/system/description", "max_length"},
    {"fields", "added", "/system/url", NULL},
    {"parameters", "changed", "/system/description_min_characters", "value"},
    {"parameters", "changed", "/system/forbidden_words", "values"},
    {"parameters", "changed", "/system/forbidden_words", "values"},
    {"materials", "added", "grading_report", NULL},
    {"materials", "changed", "level_at_least 2", "required"},
    {"deadlines", "changed", "/review_working_days/strict", "value"},
    {"deadlines", "changed", "/self_inspection_months/strict", "value"},
    {"calendar", "changed", "2026", "holiday"},
    {"calendar", "added", "2027", NULL},
    {"incidents", "changed", "serious", "first_report_hours"},
    {"regions", "added", "440000", NULL},
};

static void every_change_in_order(void **state)
{
    (void)state;
    json_t *diff = pack_diff(v1, v2);
    const json_t *changes = json_object_get(diff, "changes");
    size_t n = sizeof EXPECTED / sizeof EXPECTED[0];
    for (size_t i = 0; i < json_array_size(changes) || i < n; i++) {
        const json_t *c = json_array_get(changes, i);
        if (i >= n || !c)
            fail_msg("change %zu: expected %s, got %s", i, i < n ? EXPECTED[i].subject : "nothing", c ? s(c, "en") : "nothing");
        if (strcmp(s(c, "area"), EXPECTED[i].area) || strcmp(s(c, "change"), EXPECTED[i].change) ||
            strcmp(s(c, "subject"), EXPECTED[i].subject) || strcmp(s(c, "aspect"), EXPECTED[i].aspect ? EXPECTED[i].aspect : ""))
            fail_msg("change %zu: expected %s %s %s %s, got %s", i, EXPECTED[i].area, EXPECTED[i].change,
                     EXPECTED[i].subject, EXPECTED[i].aspect ? EXPECTED[i].aspect : "", s(c, "en"));
        assert_true(strlen(s(c, "zh")) > 0 && strlen(s(c, "en")) > 0);
    }
    assert_int_equal(json_integer_value(json_object_get(json_object_get(diff, "summary"), "rules")), 5);
    assert_string_equal(s(json_object_get(diff, "from"), "version"), "1");
    assert_string_equal(s(json_object_get(diff, "to"), "effective_from"), "2026-07-01");
    json_decref(diff);
}

static const json_t *find(const json_t *changes, const char *subject, const char *aspect)
{
    size_t i;
    const json_t *c;
    json_array_foreach(changes, i, c)
        if (strcmp(s(c, "subject"), subject) == 0 && strcmp(s(c, "aspect"), aspect) == 0)
            return c;
    fail_msg("no change of %s %s", subject, aspect);
    return NULL;
}

static void in_words_with_values(void **state)
{
    (void)state;
    json_t *diff = pack_diff(v1, v2);
    const json_t *changes = json_object_get(diff, "changes");
    const json_t *c = find(changes, "T-001", "severity");
    assert_string_equal(s(c, "en"), "Rule T-001: severity changed from error to warning");
    assert_string_equal(s(c, "zh"), "规则 T-001 的严重程度由错误改为警告");
    assert_string_equal(s(c, "from"), "error");
    assert_string_equal(s(c, "to"), "warning");
    c = find(changes, "/review_working_days/strict", "value");
    assert_string_equal(s(c, "en"),
                        "Deadline /review_working_days/strict (review time, working days) changed from 20 to 15");
    assert_int_equal(json_integer_value(json_object_get(c, "to")), 15);
    c = find(changes, "serious", "first_report_hours");
    assert_string_equal(s(c, "zh"), "事件等级 serious（重大）的首次报告时限（小时）由 2 改为 1");
    c = find(changes, "level_at_least 2", "required");
    assert_string_equal(s(c, "en"), "When level_at_least 2: material grading_report is now required");
    json_decref(diff);
}

static void same_pack_no_change(void **state)
{
    (void)state;
    json_t *diff = pack_diff(v2, v2);
    assert_int_equal(json_array_size(json_object_get(diff, "changes")), 0);
    assert_int_equal(json_object_size(json_object_get(diff, "summary")), 0);
    json_decref(diff);
}

static void reverse_swaps_added_and_removed(void **state)
{
    (void)state;
    json_t *diff = pack_diff(v2, v1);
    const json_t *changes = json_object_get(diff, "changes");
    size_t i;
    const json_t *c;
    bool t3 = false, t4 = false;
    json_array_foreach(changes, i, c) {
        t3 |= strcmp(s(c, "subject"), "T-003") == 0 && strcmp(s(c, "change"), "added") == 0;
        t4 |= strcmp(s(c, "subject"), "T-004") == 0 && strcmp(s(c, "change"), "removed") == 0;
    }
    assert_true(t3 && t4);
    assert_int_equal(json_array_size(changes), sizeof EXPECTED / sizeof EXPECTED[0]);
    json_decref(diff);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_change_in_order),
        cmocka_unit_test(in_words_with_values),
        cmocka_unit_test(same_pack_no_change),
        cmocka_unit_test(reverse_swaps_added_and_removed),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
