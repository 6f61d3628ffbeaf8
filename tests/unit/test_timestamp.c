/* test_timestamp.c — unit tests of RFC 3339 parsing (core/timestamp.h) and of the incident levels
 * of a policy pack (pack_incidents.c): the file of the default pack loads, a broken one is refused. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/date.h"
#include "core/timestamp.h"
#include "policy/pack.h"

static void test_round_trip_and_offsets(void **state)
{
    time_t t;
    char buf[32];
    assert_int_equal(time_parse_rfc3339("2026-03-01T08:30:00Z", &t), 0);
    time_format_rfc3339(t, buf);
    assert_string_equal(buf, "2026-03-01T08:30:00Z");
    /* 08:30 in Beijing is 00:30 UTC; a negative offset goes the other way, across midnight */
    assert_int_equal(time_parse_rfc3339("2026-03-01T08:30:00+08:00", &t), 0);
    time_format_rfc3339(t, buf);
    assert_string_equal(buf, "2026-03-01T00:30:00Z");
    assert_int_equal(time_parse_rfc3339("2026-02-28T23:30:00-05:30", &t), 0);
    time_format_rfc3339(t, buf);
    assert_string_equal(buf, "2026-03-01T05:00:00Z");
    /* fractions are dropped; lower-case t and z and a space are accepted */
    assert_int_equal(time_parse_rfc3339("2026-12-06T05:00:00.123456Z", &t), 0);
    time_format_rfc3339(t, buf);
    assert_string_equal(buf, "2026-12-06T05:00:00Z");
    assert_int_equal(time_parse_rfc3339("2026-12-06t05:00:00z", &t), 0);
    assert_int_equal(time_parse_rfc3339("2026-12-06 05:00:00Z", &t), 0);
    /* a leap day, the epoch */
    assert_int_equal(time_parse_rfc3339("2028-02-29T00:00:00Z", &t), 0);
    assert_int_equal(time_parse_rfc3339("1970-01-01T00:00:00Z", &t), 0);
    assert_int_equal((long long)t, 0);
}

static void test_refused(void **state)
{
    static const char *const bad[] = {
        "", "2026-03-01", "2026-03-01T08:30Z", "2026-03-01T08:30:00", "2026-02-29T00:00:00Z", "2026-13-01T00:00:00Z",
        "2026-03-01T24:00:00Z", "2026-03-01T08:60:00Z", "2026-03-01T08:30:61Z", "2026-03-01T08:30:00+0800",
        "2026-03-01T08:30:00+24:00", "2026-03-01T08:30:00.Z", "2026-03-01T08:30:00Zjunk", "2026-03-01X08:30:00Z",
        "yesterday at noon please", "２026-03-01T08:30:00Z", NULL,
    };
    for (int i = 0; bad[i]; i++) {
        time_t t = 12345;
        if (time_parse_rfc3339(bad[i], &t) == 0) fail_msg("accepted %s", bad[i]);
    }
    time_t t;
    assert_int_equal(time_parse_rfc3339(NULL, &t), -1);
}

static void test_pack_levels(void **state)
{
    const char *root = getenv("BEIAN_POLICY_DIR");
    assert_non_null(root);
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/cn-cloud", root);
    struct pack *p = NULL;
    struct err e = {0};
    if (pack_load(dir, &p, &e) != 0) fail_msg("%s", e.detail_en);
    const json_t *serious = pack_incident_level(p, "serious");
    assert_non_null(serious);
    assert_int_equal(json_integer_value(json_object_get(serious, "first_report_hours")), 2);
    assert_non_null(pack_incident_level(p, "general"));
    assert_null(pack_incident_level(p, "catastrophic"));
    assert_null(pack_incident_level(p, NULL));
    pack_free(p);
}

/* A copy of the pack whose incidents.json is text: refused with the file named. */
static void test_pack_broken_file_refused(void **state)
{
    const char *root = getenv("BEIAN_POLICY_DIR");
    char tmpl[] = "/tmp/beian-incidents-XXXXXX", cmd[8400];
    assert_non_null(mkdtemp(tmpl));
    snprintf(cmd, sizeof cmd, "cp -r '%s/cn-cloud/.' '%s/'", root, tmpl);
    assert_int_equal(system(cmd), 0);
    static const char *const broken[] = {
        "{\"source\":{\"zh\":\"x\",\"en\":\"x\"},\"levels\":[{\"key\":\"a\",\"label\":{\"zh\":\"甲\",\"en\":\"A\"},\"first_report_hours\":0,\"closure_days\":1}]}",
        "{\"source\":{\"zh\":\"x\",\"en\":\"x\"},\"levels\":[]}",
        "{\"levels\":[{\"key\":\"a\",\"label\":{\"zh\":\"甲\",\"en\":\"A\"},\"first_report_hours\":1,\"closure_days\":1}]}",
        "{\"source\":{\"zh\":\"x\",\"en\":\"x\"},\"levels\":[{\"key\":\"a\",\"label\":{\"zh\":\"甲\",\"en\":\"A\"},\"first_report_hours\":1,\"closure_days\":1},"
        "{\"key\":\"a\",\"label\":{\"zh\":\"乙\",\"en\":\"B\"},\"first_report_hours\":2,\"closure_days\":1}]}",
        "{\"source\":{\"zh\":\"x\",\"en\":\"x\"},\"levels\":[{\"key\":\"A b\",\"label\":{\"zh\":\"甲\",\"en\":\"A\"},\"first_report_hours\":1,\"closure_days\":1}]}",
        "not json",
        NULL,
    };
    char path[4200];
    snprintf(path, sizeof path, "%s/incidents.json", tmpl);
    for (int i = 0; broken[i]; i++) {
        FILE *f = fopen(path, "w");
        assert_non_null(f);
        fputs(broken[i], f);
        fclose(f);
        struct pack *p = NULL;
        struct err e = {0};
        if (pack_load(tmpl, &p, &e) == 0) fail_msg("loaded broken incidents.json %d", i);
        assert_non_null(strstr(e.detail_en, "incidents.json"));
        err_clear(&e);
    }
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpl);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip_and_offsets),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_pack_levels),
        cmocka_unit_test(test_pack_broken_file_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
