/* test_schema.c — the default policy pack (policy/cn-cloud) loads, its reference filing passes,
 * and every shape and completeness rule of schema.c reports the precise path it concerns.
 * Needs BEIAN_POLICY_DIR (meson sets it to the repository's policy/ directory). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <regex.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/date.h"
#include "policy/pack.h"
#include "policy/pattern.h"
#include "policy/schema.h"

static struct pack *pack;
static char pack_dir[4096];

#include "unit_common.h"

/* ---- helpers ---------------------------------------------------------------------------- */

static json_t *load_fixture(const char *name)
{
    char dir[4200];
    snprintf(dir, sizeof dir, "%s/fixtures", pack_dir);
    return unit_load_json(dir, name);
}


static const json_t *find(const json_t *findings, const char *rule, const char *path)
{
    size_t i;
    const json_t *f;
    json_array_foreach(findings, i, f)
        if (strcmp(json_string_value(json_object_get(f, "rule")), rule) == 0 &&
            strcmp(json_string_value(json_object_get(f, "path")), path) == 0)
            return f;
    return NULL;
}

static void assert_no_findings(json_t *findings)
{
    if (json_array_size(findings) != 0)
        unit_print_findings(findings);
    assert_int_equal(json_array_size(findings), 0);
}

/* Exactly one finding, with this rule and path. */
static void assert_only(json_t *findings, const char *rule, const char *path)
{
    if (json_array_size(findings) != 1 || !find(findings, rule, path)) {
        print_message("expected only %s at %s, got:\n", rule, path);
        unit_print_findings(findings);
        fail();
    }
}

/* The shape findings of the reference filing after setting one value at a path of sections and
 * fields ("subject", "name"); value is stolen. */
static json_t *shape_with(const char *section, const char *field, json_t *value)
{
    json_t *doc = load_fixture("reference.json");
    json_object_set_new(json_object_get(doc, section), field, value);
    json_t *findings = schema_check_shape(pack, doc);
    json_decref(doc);
    return findings;
}

static void expect_shape(const char *section, const char *field, json_t *value, const char *rule,
                         const char *path)
{
    json_t *findings = shape_with(section, field, value);
    assert_only(findings, rule, path);
    json_decref(findings);
}

static void expect_shape_ok(const char *section, const char *field, json_t *value)
{
    json_t *findings = shape_with(section, field, value);
    assert_no_findings(findings);
    json_decref(findings);
}

static char *repeat(const char *unit, size_t times)
{
    size_t n = strlen(unit);
    char *s = malloc(n * times + 1);
    for (size_t i = 0; i < times; i++)
        memcpy(s + i * n, unit, n);
    s[n * times] = '\0';
    return s;
}

static int setup_pack(void **state)
{
    const char *base = getenv("BEIAN_POLICY_DIR");
    if (!base) {
        fprintf(stderr, "BEIAN_POLICY_DIR is not set\n");
        return -1;
    }
    snprintf(pack_dir, sizeof pack_dir, "%s/cn-cloud", base);
    struct err e = {0};
    if (pack_load(pack_dir, &pack, &e) != 0) {
        fprintf(stderr, "pack_load: %s\n", e.detail_en);
        err_clear(&e);
        return -1;
    }
    return 0;
}

static int teardown_pack(void **state)
{
    pack_free(pack);
    return 0;
}

/* ---- the pack --------------------------------------------------------------------------- */

static void test_pack_loads(void **state)
{
    assert_string_equal(pack->id, "cn-cloud");
    assert_string_equal(pack->edition, "2025");
    assert_string_equal(pack->version, "2025.1");
    assert_int_equal(pack->effective_from, date_from_ymd(2025, 1, 1));
    assert_int_equal(json_array_size(json_object_get(pack->form, "sections")), 9);
    assert_int_equal(json_array_size(json_object_get(pack->materials, "kinds")), 16);

    assert_true(pack_region_known(pack, "110105"));
    assert_true(pack_region_known(pack, "710000"));
    assert_true(pack_region_known(pack, "820000"));
    assert_false(pack_region_known(pack, "110100"));
    assert_false(pack_region_known(pack, "11010"));
    assert_false(pack_region_known(pack, NULL));

    assert_string_equal(pack_default_filing_type(pack), "standard");
    assert_int_equal(pack_review_working_days(pack, "simplified"), 5);
    assert_int_equal(pack_review_working_days(pack, "strict"), 20);
    assert_int_equal(pack_review_working_days(pack, "no-such-type"), 10);
    assert_int_equal(pack_review_working_days(pack, NULL), 10);
    assert_int_equal(pack_rectification_working_days(pack), 15);

    /* The calendar came from calendar.json: a make-up Sunday, a holiday Thursday. */
    assert_true(calendar_is_workday(pack->calendar, date_from_ymd(2026, 1, 4)));
    assert_false(calendar_is_workday(pack->calendar, date_from_ymd(2026, 10, 1)));
    assert_false(calendar_is_workday(pack->calendar, date_from_ymd(2025, 1, 28)));
    assert_true(calendar_is_workday(pack->calendar, date_from_ymd(2025, 2, 8)));
}

static void test_every_provincial_region(void **state)
{
    int provinces = 0;
    const char *code;
    const json_t *names;
    json_object_foreach(pack->regions, code, names)
        provinces += strcmp(code + 2, "0000") == 0;
    assert_int_equal(provinces, 34);
}

/* ---- fixtures --------------------------------------------------------------------------- */

static void test_reference_passes(void **state)
{
    json_t *doc = load_fixture("reference.json");
    json_t *shape = schema_check_shape(pack, doc);
    json_t *required = schema_check_required(pack, doc);
    assert_no_findings(shape);
    assert_no_findings(required);
    json_decref(shape);
    json_decref(required);
    json_decref(doc);
}

/* The reference fills every field the form has, so every part of the form is exercised. */
static void assert_every_field_present(const json_t *defs, const json_t *value, const char *at)
{
    size_t i;
    const json_t *def;
    json_array_foreach(defs, i, def) {
        const char *key = json_string_value(json_object_get(def, "key"));
        const json_t *v = json_object_get(value, key);
        if (!v || json_is_null(v))
            fail_msg("reference.json has no %s/%s", at, key);
        char here[512];
        snprintf(here, sizeof here, "%s/%s", at, key);
        const char *type = json_string_value(json_object_get(def, "type"));
        if (strcmp(type, "object") == 0)
            assert_every_field_present(json_object_get(def, "fields"), v, here);
        else if (strcmp(type, "list<object>") == 0)
            assert_every_field_present(json_object_get(def, "fields"), json_array_get(v, 0), here);
    }
}

static void test_reference_fills_every_field(void **state)
{
    json_t *doc = load_fixture("reference.json");
    size_t i;
    const json_t *section;
    json_array_foreach(json_object_get(pack->form, "sections"), i, section) {
        const char *key = json_string_value(json_object_get(section, "key"));
        char at[64];
        snprintf(at, sizeof at, "/%s", key);
        assert_every_field_present(json_object_get(section, "fields"), json_object_get(doc, key), at);
    }
    json_decref(doc);
}

static void test_minimal_draft(void **state)
{
    json_t *doc = load_fixture("minimal-draft.json");
    json_t *shape = schema_check_shape(pack, doc);
    assert_no_findings(shape);

    json_t *required = schema_check_required(pack, doc);
    assert_true(json_array_size(required) > 40);
    assert_non_null(find(required, "FORM-REQUIRED", "/subject/uscc"));
    assert_non_null(find(required, "FORM-REQUIRED", "/subject/region_code"));
    assert_non_null(find(required, "FORM-REQUIRED", "/subject/legal_representative"));
    assert_non_null(find(required, "FORM-REQUIRED", "/provider/provider_org"));
    assert_non_null(find(required, "FORM-REQUIRED", "/provider/data_centers"));
    assert_non_null(find(required, "FORM-REQUIRED", "/system/architecture_diagram"));
    assert_non_null(find(required, "FORM-REQUIRED", "/grading/level"));
    assert_non_null(find(required, "FORM-REQUIRED", "/agreement/clauses"));
    assert_non_null(find(required, "FORM-REQUIRED", "/emergency/team"));
    assert_non_null(find(required, "FORM-REQUIRED", "/operations/change_management"));
    /* Filled fields, optional fields and the inside of a missing object are not reported. */
    assert_null(find(required, "FORM-REQUIRED", "/subject/name"));
    assert_null(find(required, "FORM-REQUIRED", "/system/name"));
    assert_null(find(required, "FORM-REQUIRED", "/system/domains"));
    assert_null(find(required, "FORM-REQUIRED", "/provider/platform_filing_number"));
    assert_null(find(required, "FORM-REQUIRED", "/subject/legal_representative/name"));

    size_t i;
    const json_t *f;
    json_array_foreach(required, i, f) {
        assert_string_equal(json_string_value(json_object_get(f, "rule")), "FORM-REQUIRED");
        assert_string_equal(json_string_value(json_object_get(f, "severity")), "error");
        assert_non_null(strstr(json_string_value(json_object_get(f, "source")), "form.json"));
    }
    const json_t *uscc = find(required, "FORM-REQUIRED", "/subject/uscc");
    assert_string_equal(json_string_value(json_object_get(json_object_get(uscc, "message"), "en")),
                        "Unified social credit code (/subject/uscc) is required");
    assert_string_equal(json_string_value(json_object_get(json_object_get(uscc, "message"), "zh")),
                        "统一社会信用代码（/subject/uscc）为必填项");
    json_decref(shape);
    json_decref(required);
    json_decref(doc);
}

/* ---- shape rules ------------------------------------------------------------------------ */

static void test_unknown_section(void **state)
{
    json_t *doc = load_fixture("reference.json");
    json_object_set_new(doc, "attachments", json_object());
    json_t *findings = schema_check_shape(pack, doc);
    assert_only(findings, "FORM-UNKNOWN", "/attachments");
    json_decref(findings);
    json_decref(doc);
}

static void test_unknown_field(void **state)
{
    expect_shape("subject", "nickname", json_string("云帆"), "FORM-UNKNOWN", "/subject/nickname");
    /* Keys are escaped as RFC 6901 requires. */
    expect_shape("subject", "a/b~c", json_true(), "FORM-UNKNOWN", "/subject/a~1b~0c");

    json_t *doc = load_fixture("reference.json");
    json_object_set_new(json_object_get(json_object_get(doc, "subject"), "legal_representative"), "age",
                        json_integer(50));
    json_object_set_new(json_array_get(json_object_get(json_object_get(doc, "provider"), "data_centers"), 1),
                        "rack", json_string("A-12"));
    json_t *findings = schema_check_shape(pack, doc);
    assert_int_equal(json_array_size(findings), 2);
    assert_non_null(find(findings, "FORM-UNKNOWN", "/subject/legal_representative/age"));
    assert_non_null(find(findings, "FORM-UNKNOWN", "/provider/data_centers/1/rack"));
    json_decref(findings);
    json_decref(doc);
}

static void test_wrong_type(void **state)
{
    expect_shape("provider", "platform_level", json_string("3"), "FORM-TYPE", "/provider/platform_level");
    expect_shape("provider", "platform_level", json_real(3.0), "FORM-TYPE", "/provider/platform_level");
    expect_shape("system", "internet_facing", json_string("yes"), "FORM-TYPE", "/system/internet_facing");
    expect_shape("subject", "name", json_integer(1), "FORM-TYPE", "/subject/name");
    expect_shape("subject", "legal_representative", json_string("王立新"), "FORM-TYPE",
                 "/subject/legal_representative");
    expect_shape("system", "go_live_date", json_integer(20260301), "FORM-TYPE", "/system/go_live_date");
    expect_shape("system", "data_flows", json_object(), "FORM-TYPE", "/system/data_flows");
    expect_shape("system", "domains", json_pack("[s, i]", "kf.example.cn", 7), "FORM-TYPE",
                 "/system/domains/1");
    expect_shape("provider", "data_centers", json_pack("[s]", "北京"), "FORM-TYPE",
                 "/provider/data_centers/0");
    expect_shape("provider", "provider_org", json_integer(0), "FORM-TYPE", "/provider/provider_org");
    expect_shape("provider", "provider_org", json_string("2"), "FORM-TYPE", "/provider/provider_org");
    expect_shape("system", "architecture_diagram", json_integer(-4), "FORM-TYPE",
                 "/system/architecture_diagram");
    expect_shape("compliance", "industry_materials", json_pack("[i, s]", 12, "x"), "FORM-TYPE",
                 "/compliance/industry_materials/1");

    json_t *findings = shape_with("subject", "name", json_integer(1));
    const json_t *message = json_object_get(json_array_get(findings, 0), "message");
    assert_string_equal(json_string_value(json_object_get(message, "en")),
                        "Organisation name (/subject/name) must be text");
    assert_string_equal(json_string_value(json_object_get(message, "zh")), "单位名称（/subject/name）应为文本");
    json_decref(findings);

    /* A section that is not an object, and a document that is not an object. */
    json_t *doc = json_pack("{s:[]}", "grading");
    findings = schema_check_shape(pack, doc);
    assert_only(findings, "FORM-TYPE", "/grading");
    json_decref(findings);
    json_decref(doc);
    doc = json_array();
    findings = schema_check_shape(pack, doc);
    assert_only(findings, "FORM-TYPE", "");
    json_decref(findings);
    json_decref(doc);
}

static void test_unknown_enum_code(void **state)
{
    expect_shape("subject", "unit_type", json_string("company"), "FORM-ENUM", "/subject/unit_type");
    expect_shape("subject", "unit_type", json_string("Enterprise"), "FORM-ENUM", "/subject/unit_type");
    expect_shape("provider", "service_models", json_pack("[s, s]", "iaas", "faas"), "FORM-ENUM",
                 "/provider/service_models/1");
    expect_shape_ok("subject", "industry", json_string("banking"));
    expect_shape_ok("subject", "unit_type", json_string("")); /* not filled, like null */

    json_t *findings = shape_with("subject", "unit_type", json_string("company"));
    const json_t *message = json_object_get(json_array_get(findings, 0), "message");
    assert_string_equal(json_string_value(json_object_get(message, "en")),
                        "Organisation type (/subject/unit_type) must be one of party_organ, government, "
                        "public_institution, enterprise, other; \"company\" is not");
    assert_non_null(strstr(json_string_value(json_object_get(message, "zh")), "enterprise（企业）"));
    json_decref(findings);

    json_t *doc = load_fixture("reference.json");
    json_t *team = json_object_get(json_object_get(doc, "emergency"), "team");
    json_object_set_new(json_array_get(team, 2), "role", json_string("captain"));
    findings = schema_check_shape(pack, doc);
    assert_only(findings, "FORM-ENUM", "/emergency/team/2/role");
    json_decref(findings);
    json_decref(doc);
}

static void test_length_counts_code_points(void **state)
{
    char *ok = repeat("汉", 200); /* 600 bytes, 200 characters */
    char *too_long = repeat("汉", 201);
    expect_shape_ok("subject", "name", json_string(ok));
    expect_shape("subject", "name", json_string(too_long), "FORM-LENGTH", "/subject/name");

    json_t *findings = shape_with("subject", "name", json_string(too_long));
    const json_t *message = json_object_get(json_array_get(findings, 0), "message");
    assert_string_equal(json_string_value(json_object_get(message, "en")),
                        "Organisation name (/subject/name) must be at most 200 characters");
    assert_string_equal(json_string_value(json_object_get(message, "zh")),
                        "单位名称（/subject/name）不能超过200个字符");
    json_decref(findings);

    /* Four-byte characters count once as well; the limit applies to each entry of a text list. */
    char *emoji = repeat("\xF0\x9F\x98\x80", 200);
    expect_shape_ok("subject", "name", json_string(emoji));
    expect_shape("compliance", "regulations", json_pack("[s, s]", "网络安全法", too_long), "FORM-LENGTH",
                 "/compliance/regulations/1");
    free(ok);
    free(too_long);
    free(emoji);
}

static void test_int_out_of_range(void **state)
{
    expect_shape_ok("provider", "platform_level", json_integer(4));
    expect_shape("provider", "platform_level", json_integer(5), "FORM-RANGE", "/provider/platform_level");
    expect_shape("provider", "platform_level", json_integer(0), "FORM-RANGE", "/provider/platform_level");
    expect_shape("system", "user_scale", json_integer(-1), "FORM-RANGE", "/system/user_scale");
    expect_shape_ok("system", "user_scale", json_integer(0));

    json_t *findings = shape_with("provider", "platform_level", json_integer(5));
    const json_t *message = json_object_get(json_array_get(findings, 0), "message");
    assert_string_equal(json_string_value(json_object_get(message, "en")),
                        "Cloud platform protection level (/provider/platform_level) must be between 1 and 4");
    json_decref(findings);

    json_t *doc = load_fixture("reference.json");
    json_object_set_new(json_object_get(json_object_get(doc, "operations"), "vuln_scan"), "interval_days",
                        json_integer(0));
    findings = schema_check_shape(pack, doc);
    assert_only(findings, "FORM-RANGE", "/operations/vuln_scan/interval_days");
    json_decref(findings);
    json_decref(doc);
}

static void test_bad_date(void **state)
{
    expect_shape("system", "go_live_date", json_string("2026-02-30"), "FORM-DATE", "/system/go_live_date");
    expect_shape("system", "go_live_date", json_string("2026-2-3"), "FORM-DATE", "/system/go_live_date");
    expect_shape("system", "go_live_date", json_string("2026-03-01T00:00:00Z"), "FORM-DATE",
                 "/system/go_live_date");
    expect_shape_ok("system", "go_live_date", json_string("")); /* not filled, like null */
    expect_shape_ok("system", "go_live_date", json_string("2024-02-29"));

    json_t *findings = shape_with("system", "go_live_date", json_string("2026-02-30"));
    const json_t *message = json_object_get(json_array_get(findings, 0), "message");
    assert_string_equal(json_string_value(json_object_get(message, "en")),
                        "Go-live date (/system/go_live_date) must be a real day written YYYY-MM-DD; "
                        "\"2026-02-30\" is not");
    json_decref(findings);

    json_t *doc = load_fixture("reference.json");
    json_object_set_new(json_object_get(json_object_get(doc, "grading"), "expert_review"), "date",
                        json_string("2025-13-01"));
    findings = schema_check_shape(pack, doc);
    assert_only(findings, "FORM-DATE", "/grading/expert_review/date");
    json_decref(findings);
    json_decref(doc);
}

static void test_pattern(void **state)
{
    expect_shape_ok("provider", "platform_filing_number", json_string("11010513001-00001"));
    expect_shape("provider", "platform_filing_number", json_string("1101051300A-00001"), "FORM-PATTERN",
                 "/provider/platform_filing_number");
    expect_shape("provider", "platform_filing_number", json_string("1101051300-100001"), "FORM-PATTERN",
                 "/provider/platform_filing_number");
    expect_shape("provider", "platform_filing_number", json_string("11010513001 00001"), "FORM-PATTERN",
                 "/provider/platform_filing_number");
    /* A NUL inside the text must not let the rest slip past the pattern. */
    expect_shape("subject", "region_code", json_stringn("11010\0", 6), "FORM-PATTERN", "/subject/region_code");
    expect_shape("subject", "region_code", json_string("11010X"), "FORM-PATTERN", "/subject/region_code");

    json_t *doc = load_fixture("reference.json");
    json_object_set_new(json_array_get(json_object_get(json_object_get(doc, "provider"), "data_centers"), 0),
                        "country", json_string("cn"));
    json_t *findings = schema_check_shape(pack, doc);
    assert_only(findings, "FORM-PATTERN", "/provider/data_centers/0/country");
    json_decref(findings);
    json_decref(doc);
}

static void test_list_over_max_items(void **state)
{
    const json_t *def = schema_field_at(pack, "/provider/data_centers");
    assert_non_null(def);
    json_int_t max_items = json_integer_value(json_object_get(def, "max_items"));
    assert_true(max_items > 0);

    json_t *centres = json_array();
    for (json_int_t i = 0; i < max_items + 1; i++)
        json_array_append_new(centres, json_pack("{s:s, s:s, s:s}", "name", "机房", "country", "CN", "role",
                                                 i ? "backup" : "primary"));
    /* An entry past the limit is not examined, so its bad role does not add a finding. */
    json_array_append_new(centres, json_pack("{s:s}", "role", "tertiary"));
    json_t *exactly_max = json_deep_copy(centres);
    json_array_remove(exactly_max, json_array_size(exactly_max) - 1);
    json_array_remove(exactly_max, json_array_size(exactly_max) - 1);

    expect_shape("provider", "data_centers", centres, "FORM-ITEMS", "/provider/data_centers");
    expect_shape_ok("provider", "data_centers", exactly_max);
    expect_shape("provider", "service_models", json_pack("[s, s, s, s]", "iaas", "paas", "saas", "iaas"),
                 "FORM-ITEMS", "/provider/service_models");
}

/* Sets every field of one section of doc to null. */
static void null_everything(const json_t *defs, json_t *object)
{
    size_t i;
    const json_t *def;
    json_array_foreach(defs, i, def)
        json_object_set_new(object, json_string_value(json_object_get(def, "key")), json_null());
}

static void test_null_allowed(void **state)
{
    json_t *doc = load_fixture("reference.json");
    size_t i;
    const json_t *section;
    json_array_foreach(json_object_get(pack->form, "sections"), i, section)
        null_everything(json_object_get(section, "fields"),
                        json_object_get(doc, json_string_value(json_object_get(section, "key"))));
    json_t *findings = schema_check_shape(pack, doc);
    assert_no_findings(findings);
    json_decref(findings);
    json_t *required = schema_check_required(pack, doc);
    assert_non_null(find(required, "FORM-REQUIRED", "/subject/name"));
    json_decref(required);
    json_decref(doc);

    /* Null sections, null inside objects and null list entries. */
    doc = load_fixture("reference.json");
    json_object_set_new(doc, "operations", json_null());
    json_object_set_new(json_object_get(json_object_get(doc, "subject"), "security_officer"), "email",
                        json_null());
    json_array_append_new(json_object_get(json_object_get(doc, "system"), "data_flows"), json_null());
    json_array_append_new(json_object_get(json_object_get(doc, "system"), "domains"), json_null());
    findings = schema_check_shape(pack, doc);
    assert_no_findings(findings);
    json_decref(findings);
    json_decref(doc);
}

/* ---- completeness ----------------------------------------------------------------------- */

static json_t *required_with(const char *pointer_parent, const char *key, json_t *value)
{
    json_t *doc = load_fixture("reference.json");
    /* pointer_parent is "section" or "section/object" or "section/list/index". */
    char buf[256];
    snprintf(buf, sizeof buf, "%s", pointer_parent);
    json_t *at = doc;
    for (char *save = NULL, *seg = strtok_r(buf, "/", &save); seg; seg = strtok_r(NULL, "/", &save))
        at = json_is_array(at) ? json_array_get(at, (size_t)atoi(seg)) : json_object_get(at, seg);
    assert_non_null(at);
    if (value)
        json_object_set_new(at, key, value);
    else
        json_object_del(at, key);
    json_t *findings = schema_check_required(pack, doc);
    json_decref(doc);
    return findings;
}

static void expect_required(const char *parent, const char *key, json_t *value, const char *path)
{
    json_t *findings = required_with(parent, key, value);
    assert_only(findings, "FORM-REQUIRED", path);
    json_decref(findings);
}

static void test_required_details(void **state)
{
    expect_required("subject", "uscc", NULL, "/subject/uscc");
    expect_required("subject", "uscc", json_string(""), "/subject/uscc");
    expect_required("subject", "address", json_string(" \t\xE3\x80\x80"), "/subject/address");
    expect_required("subject/security_officer", "email", json_null(), "/subject/security_officer/email");
    expect_required("subject", "legal_representative", json_null(), "/subject/legal_representative");
    expect_required("subject/legal_representative", "name", NULL, "/subject/legal_representative/name");
    expect_required("provider/data_centers/1", "role", NULL, "/provider/data_centers/1/role");
    expect_required("agreement/clauses/audit_rights", "included", NULL, "/agreement/clauses/audit_rights/included");
    expect_required("provider", "service_models", json_array(), "/provider/service_models");
    expect_required("provider", "data_centers", json_pack("[n]"), "/provider/data_centers");
    expect_required("emergency", "team", json_pack("[{s:s, s:s, s:s}]", "name", "李明", "role", "leader", "phone",
                                                   "13901234567"),
                    "/emergency/team");

    json_t *findings = required_with("emergency", "team", json_pack("[{s:s, s:s, s:s}]", "name", "李明", "role",
                                                                     "leader", "phone", "13901234567"));
    const json_t *message = json_object_get(json_array_get(findings, 0), "message");
    assert_string_equal(json_string_value(json_object_get(message, "en")),
                        "Emergency response team (/emergency/team) needs at least 2 entries; it has 1");
    json_decref(findings);

    /* Not required: false, 0 and optional fields count as answers or may stay empty. */
    findings = required_with("system", "internet_facing", json_false());
    assert_no_findings(findings);
    json_decref(findings);
    findings = required_with("system", "user_scale", json_integer(0));
    assert_no_findings(findings);
    json_decref(findings);
    findings = required_with("grading", "supervisor", NULL);
    assert_no_findings(findings);
    json_decref(findings);
    findings = required_with("operations/vuln_scan", "tool", NULL);
    assert_no_findings(findings);
    json_decref(findings);

    /* A document that is not an object is missing everything. */
    json_t *doc = json_string("x");
    findings = schema_check_required(pack, doc);
    assert_non_null(find(findings, "FORM-REQUIRED", "/subject/name"));
    json_decref(findings);
    json_decref(doc);
}

/* ---- field lookup ----------------------------------------------------------------------- */

static void test_field_at(void **state)
{
    const json_t *def = schema_field_at(pack, "/subject/name");
    assert_non_null(def);
    assert_string_equal(json_string_value(json_object_get(json_object_get(def, "label"), "zh")), "单位名称");
    def = schema_field_at(pack, "/provider/data_centers/0/role");
    assert_non_null(def);
    assert_string_equal(json_string_value(json_object_get(def, "type")), "enum");
    def = schema_field_at(pack, "/subject/security_officer/email");
    assert_non_null(def);
    assert_string_equal(json_string_value(json_object_get(def, "key")), "email");
    def = schema_field_at(pack, "/agreement/clauses/privacy/section");
    assert_non_null(def);
    assert_string_equal(json_string_value(json_object_get(def, "key")), "section");
    assert_ptr_equal(schema_field_at(pack, "/provider/data_centers/12"),
                     schema_field_at(pack, "/provider/data_centers"));
    assert_ptr_equal(schema_field_at(pack, "/system/domains/1"), schema_field_at(pack, "/system/domains"));
    def = schema_field_at(pack, "/subject");
    assert_non_null(def);
    assert_string_equal(json_string_value(json_object_get(def, "key")), "subject");

    assert_null(schema_field_at(pack, ""));
    assert_null(schema_field_at(pack, "subject/name"));
    assert_null(schema_field_at(pack, "/nope"));
    assert_null(schema_field_at(pack, "/subject/nope"));
    assert_null(schema_field_at(pack, "/subject/name/x"));
    assert_null(schema_field_at(pack, "/provider/data_centers/x/role"));
    assert_null(schema_field_at(pack, "/provider/data_centers/01/role"));
    assert_null(schema_field_at(pack, "/provider/data_centers/0/nope"));
    assert_null(schema_field_at(pack, "/system/domains/0/x"));
    assert_null(schema_field_at(pack, NULL));
}

/* ---- broken packs ----------------------------------------------------------------------- */

static void copy_file(const char *from_dir, const char *to_dir, const char *name)
{
    char from[4200], to[4200], buf[8192];
    snprintf(from, sizeof from, "%s/%s", from_dir, name);
    snprintf(to, sizeof to, "%s/%s", to_dir, name);
    FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
    assert_non_null(in);
    assert_non_null(out);
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        assert_int_equal(fwrite(buf, 1, n, out), n);
    fclose(in);
    fclose(out);
}

static void write_file(const char *dir, const char *name, const char *text)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static const char *const PACK_FILES[] = {"manifest.json", "form.json", "regions.json", "calendar.json",
                                         "deadlines.json", "materials.json"};

/* A copy of the default pack in a temporary directory, with one file replaced (or removed when
 * text is NULL). Returns 0 when pack_load accepts it; e receives the error otherwise. */
static int load_variant(const char *name, const char *text, struct err *e)
{
    char dir[] = "/tmp/beian-pack-XXXXXX";
    assert_non_null(mkdtemp(dir));
    for (size_t i = 0; i < sizeof PACK_FILES / sizeof PACK_FILES[0]; i++)
        if (strcmp(PACK_FILES[i], name) != 0)
            copy_file(pack_dir, dir, PACK_FILES[i]);
    if (text)
        write_file(dir, name, text);
    struct pack *p = NULL;
    int rc = pack_load(dir, &p, e);
    pack_free(p);
    for (size_t i = 0; i < sizeof PACK_FILES / sizeof PACK_FILES[0]; i++) {
        char path[4200];
        snprintf(path, sizeof path, "%s/%s", dir, PACK_FILES[i]);
        unlink(path);
    }
    rmdir(dir);
    return rc;
}

static void expect_load_error(const char *name, const char *text, const char *needle1, const char *needle2)
{
    struct err e = {0};
    assert_int_equal(load_variant(name, text, &e), -1);
    if (!strstr(e.detail_en, needle1) || (needle2 && !strstr(e.detail_en, needle2)))
        fail_msg("error \"%s\" should mention \"%s\" and \"%s\"", e.detail_en, needle1, needle2 ? needle2 : "");
    assert_true(e.detail_zh[0] != '\0');
    err_clear(&e);
}

static void test_broken_pack(void **state)
{
    struct err e = {0};
    assert_int_equal(load_variant("form.json", NULL, &e), -1); /* missing file */
    assert_int_equal(e.code, ERR_NOT_FOUND);
    assert_non_null(strstr(e.detail_en, "form.json"));
    err_clear(&e);

    /* Not JSON: the message names the file, the line and the column. */
    assert_int_equal(load_variant("form.json", "{\"sections\": [\n  {\"key\": \"subject\",,}\n]}\n", &e), -1);
    assert_int_equal(e.code, ERR_MALFORMED_JSON);
    assert_non_null(strstr(e.detail_en, "form.json"));
    assert_non_null(strstr(e.detail_en, "line 2"));
    assert_non_null(strstr(e.detail_en, "column"));
    err_clear(&e);

#define SECTION(fields) "{\"sections\": [{\"key\": \"subject\", \"label\": {\"zh\": \"主体\", \"en\": \"Subject\"}, " \
                        "\"fields\": [" fields "]}]}"
#define LABEL "\"label\": {\"zh\": \"名称\", \"en\": \"Name\"}"
    expect_load_error("form.json", SECTION("{\"key\": \"name\", " LABEL "}"), "/subject/name", "\"type\" is missing");
    expect_load_error("form.json", SECTION("{\"key\": \"name\", \"type\": \"string\", " LABEL "}"), "/subject/name",
                      "unknown type \"string\"");
    expect_load_error("form.json", SECTION("{\"key\": \"name\", \"type\": \"text\", \"label\": {\"zh\": \"名称\"}}"),
                      "/subject/name", "label");
    expect_load_error("form.json", SECTION("{\"key\": \"kind\", \"type\": \"enum\", " LABEL "}"), "/subject/kind",
                      "options");
    expect_load_error("form.json", SECTION("{\"key\": \"rep\", \"type\": \"object\", " LABEL "}"), "/subject/rep",
                      "fields");
    expect_load_error("form.json",
                      SECTION("{\"key\": \"rep\", \"type\": \"object\", " LABEL ", \"fields\": [{\"key\": \"phone\", "
                              "\"type\": \"text\", " LABEL ", \"requird\": true}]}"),
                      "/subject/rep/phone", "unknown attribute \"requird\"");
    expect_load_error("form.json", SECTION("{\"type\": \"text\", " LABEL "}"), "/subject/fields[0]", "key");
    expect_load_error("form.json", SECTION("{\"key\": \"doc\", \"type\": \"material\", " LABEL ", "
                                           "\"material_kind\": \"selfie\"}"),
                      "/subject/doc", "material_kind");
    expect_load_error("form.json", SECTION("{\"key\": \"n\", \"type\": \"text\", " LABEL ", \"pattern\": \"([0-9\"}"),
                      "/subject/n", "pattern");
    expect_load_error("form.json", SECTION("{\"key\": \"n\", \"type\": \"int\", " LABEL ", \"min\": 5, \"max\": 1}"),
                      "/subject/n", "min");
    expect_load_error("form.json", "{\"sections\": []}", "form.json", "sections");
#undef SECTION
#undef LABEL

    expect_load_error("manifest.json", "{\"id\": \"cn-cloud\"}", "manifest.json", "edition");
    expect_load_error("calendar.json", "{\"2026\": {\"holidays\": [\"2026-02-30\"], \"workdays\": []}}",
                      "calendar.json", "2026.holidays");
    expect_load_error("calendar.json", "{\"2026\": {\"holidays\": [], \"workdays\": [\"2026-01-05\"]}}",
                      "calendar.json", "weekday");
    expect_load_error("regions.json", "{\"1100\": {\"zh\": \"北京\", \"en\": \"Beijing\"}}", "regions.json", "1100");
    expect_load_error("deadlines.json", "{\"review_working_days\": {\"strict\": 20}, \"rectification_working_days\": 15,"
                      " \"self_inspection_months\": {\"strict\": 6}, \"default_filing_type\": \"standard\"}",
                      "deadlines.json", "standard");
    expect_load_error("materials.json", "{\"kinds\": [{\"key\": \"a\", \"label\": {\"zh\": \"甲\", \"en\": \"A\"}}, "
                      "{\"key\": \"a\", \"label\": {\"zh\": \"甲\", \"en\": \"A\"}}]}",
                      "materials.json", "twice");

    /* The untouched copy loads. */
    assert_int_equal(load_variant("none", NULL, &e), 0);
}

/* ---- threads ---------------------------------------------------------------------------- */

static void *validate_repeatedly(void *doc)
{
    intptr_t findings = 0;
    for (int i = 0; i < 30; i++) {
        json_t *shape = schema_check_shape(pack, doc);
        json_t *required = schema_check_required(pack, doc);
        findings += (intptr_t)(json_array_size(shape) + json_array_size(required));
        json_decref(shape);
        json_decref(required);
    }
    return (void *)findings;
}

static void test_concurrent_validation(void **state)
{
    enum { THREADS = 4 };
    pthread_t threads[THREADS];
    json_t *docs[THREADS];
    for (int i = 0; i < THREADS; i++) {
        docs[i] = load_fixture("reference.json");
        if (i % 2) /* half of them with a pattern failure, so regexec runs on every thread */
            json_object_set_new(json_object_get(docs[i], "provider"), "platform_filing_number",
                                json_string("bad"));
        assert_int_equal(pthread_create(&threads[i], NULL, validate_repeatedly, docs[i]), 0);
    }
    for (int i = 0; i < THREADS; i++) {
        void *findings;
        assert_int_equal(pthread_join(threads[i], &findings), 0);
        assert_int_equal((intptr_t)findings, i % 2 ? 30 : 0);
        json_decref(docs[i]);
    }
}

/* ---- the material walk ------------------------------------------------------------------ */

/* The walk of every material field, written the plain way here (every field of the form, by its
 * type) to hold schema_each_material, which walks a plan of only the fields that can hold one. */
static void naive_members(const json_t *defs, const json_t *object, const char *at, json_t *out);

static void naive_value(const json_t *def, const json_t *value, const char *at, json_t *out)
{
    const char *type = json_string_value(json_object_get(def, "type"));
    type = type ? type : "";
    if (json_is_null(value)) return;
    if (strcmp(type, "material") == 0) {
        json_array_append_new(out, json_pack("[s O]", at, value));
    } else if (strcmp(type, "object") == 0) {
        if (json_is_object(value)) naive_members(json_object_get(def, "fields"), value, at, out);
    } else if ((strcmp(type, "material[]") == 0 || strcmp(type, "list<object>") == 0) && json_is_array(value)) {
        size_t count = json_array_size(value);
        const json_t *max = json_object_get(def, "max_items");
        if (json_is_integer(max) && count > (size_t)json_integer_value(max)) count = (size_t)json_integer_value(max);
        for (size_t i = 0; i < count; i++) {
            const json_t *item = json_array_get(value, i);
            char path[600];
            if (snprintf(path, sizeof path, "%.500s/%zu", at, i) >= (int)sizeof path) continue;
            if (json_is_null(item)) continue;
            if (strcmp(type, "material[]") == 0) json_array_append_new(out, json_pack("[s O]", path, item));
            else if (json_is_object(item)) naive_members(json_object_get(def, "fields"), item, path, out);
        }
    }
}

static void naive_members(const json_t *defs, const json_t *object, const char *at, json_t *out)
{
    size_t i;
    const json_t *def;
    json_array_foreach(defs, i, def) {
        const char *key = json_string_value(json_object_get(def, "key"));
        const json_t *value = key ? json_object_get(object, key) : NULL;
        char path[600];
        if (snprintf(path, sizeof path, "%.300s/%.200s", at, key ? key : "") >= (int)sizeof path) continue;
        if (value) naive_value(def, value, path, out);
    }
}

static void collect(const char *path, const json_t *def, const json_t *value, void *arg)
{
    (void)def;
    json_array_append_new(arg, json_pack("[s O]", path, value));
}

static void assert_same_materials(const json_t *form, const json_t *doc)
{
    json_t *want = json_array(), *got = json_array();
    size_t i;
    const json_t *section;
    json_array_foreach(json_object_get(form, "sections"), i, section) {
        const char *key = json_string_value(json_object_get(section, "key"));
        const json_t *value = key ? json_object_get(doc, key) : NULL;
        char path[256];
        snprintf(path, sizeof path, "/%s", key ? key : "");
        if (json_is_object(value)) naive_members(json_object_get(section, "fields"), value, path, want);
    }
    schema_each_material(form, doc, collect, got);
    if (!json_equal(want, got)) {
        char *a = json_dumps(want, JSON_COMPACT), *b = json_dumps(got, JSON_COMPACT);
        fprintf(stderr, "want %s\n got  %s\n", a, b);
        free(a);
        free(b);
    }
    assert_true(json_equal(want, got));
    json_decref(want);
    json_decref(got);
}

static void test_material_walk(void **state)
{
    (void)state;
    json_t *doc = load_fixture("reference.json");
    assert_same_materials(pack->form, doc);
    json_t *inspection = load_fixture("inspection-reference.json");
    if (pack->inspection_form && inspection) assert_same_materials(pack->inspection_form, inspection);
    json_decref(inspection);
    /* the material fields as the walk meets them: nulls, strings, lists past their limit, objects
     * where lists go, lists of nulls */
    const char *const edits[] = {
        "{\"subject\": {\"business_licence\": null}}",
        "{\"system\": {\"architecture_diagram\": \"7\"}}",
        "{\"compliance\": {\"industry_materials\": [1, null, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21]}}",
        "{\"compliance\": {\"industry_materials\": {\"0\": 1}}}",
        "{\"grading\": {\"expert_review\": [1]}}",
        "{\"grading\": {\"expert_review\": {\"opinion\": 5}}}",
        "{\"grading\": null}",
        "{\"operations\": 3}",
    };
    for (size_t k = 0; k < sizeof edits / sizeof edits[0]; k++) {
        json_t *patch = json_loads(edits[k], 0, NULL);
        assert_non_null(patch);
        json_t *d = json_deep_copy(doc);
        const char *key;
        json_t *v;
        json_object_foreach(patch, key, v) {
            json_t *into = json_object_get(d, key);
            if (json_is_object(into) && json_is_object(v)) json_object_update(into, v);
            else json_object_set(d, key, v);
        }
        assert_same_materials(pack->form, d);
        json_decref(d);
        json_decref(patch);
    }
    /* a form with what the pack's lacks: materials in a list of objects, a limit of two */
    json_t *form = json_loads(
        "{\"sections\": [{\"key\": \"a\", \"fields\": ["
        " {\"key\": \"plain\", \"type\": \"string\"},"
        " {\"key\": \"rows\", \"type\": \"list<object>\", \"max_items\": 3, \"fields\": ["
        "   {\"key\": \"name\", \"type\": \"string\"}, {\"key\": \"proof\", \"type\": \"material\"},"
        "   {\"key\": \"inner\", \"type\": \"object\", \"fields\": [{\"key\": \"m\", \"type\": \"material[]\", \"max_items\": 2}]}]},"
        " {\"key\": \"only_text\", \"type\": \"list<object>\", \"fields\": [{\"key\": \"t\", \"type\": \"string\"}]},"
        " {\"key\": \"two\", \"type\": \"material[]\", \"max_items\": 2}]},"
        " {\"key\": \"b\", \"fields\": [{\"key\": \"x\", \"type\": \"integer\"}]}]}", 0, NULL);
    json_t *d = json_loads(
        "{\"a\": {\"plain\": \"p\", \"rows\": [{\"name\": \"n\", \"proof\": 1, \"inner\": {\"m\": [2, null, 3]}},"
        " null, {\"proof\": null, \"inner\": {\"m\": 4}}, {\"proof\": 9}], \"only_text\": [{\"t\": \"x\"}],"
        " \"two\": [5, 6, 7]}, \"b\": {\"x\": 1}}", 0, NULL);
    assert_non_null(form);
    assert_non_null(d);
    assert_same_materials(form, d);
    json_t *found = json_array();
    schema_each_material(form, d, collect, found);
    /* 1 and 2 of the first row (3 is past m's two), 5 and 6 (7 is past two's); the fourth row
     * (proof 9) is past rows' three, and m = 4 is not a list */
    assert_int_equal(json_array_size(found), 4);
    json_decref(found);
    json_decref(d);
    json_decref(form);
    /* the fields the plan names as filled from the organisation's record: the subject's name and USCC */
    size_t n = 0;
    const struct schema_record_field *rf = schema_record_fields(pack->form, &n);
    assert_int_equal(n, 2);
    assert_string_equal(rf[0].path, "/subject/name");
    assert_string_equal(rf[0].member, "name");
    assert_string_equal(rf[1].path, "/subject/uscc");
    assert_string_equal(rf[1].member, "uscc");
    assert_ptr_equal(rf[1].def, schema_field_in(pack->form, "/subject/uscc"));
    json_t *none = json_array();
    assert_same_materials(pack->form, none);   /* not an object: nothing */
    json_decref(none);
    json_decref(doc);
}

/* ---- the compiled checks against a plain walk of the form ------------------------------- */

/* The shape and completeness checks walk the form compiled once (schema.c's plan). Written here
 * the plain way, reading every attribute from the form's JSON as it goes, the two checks must
 * find the same rules at the same paths, in the same order, on random edits of the pack's
 * documents. (The messages are held by the tests above, case by case.) */

/* Random edits, the same on every run (xorshift64*). */
static unsigned long long mut_state = 88172645463325252ULL;
static unsigned long long mut_next(void)
{
    mut_state ^= mut_state >> 12;
    mut_state ^= mut_state << 25;
    mut_state ^= mut_state >> 27;
    return mut_state * 2685821657736338717ULL;
}
static size_t mut_below(size_t n) { return n ? (size_t)(mut_next() % n) : 0; }

static json_t *mut_value(void)
{
    static const char *const TEXTS[] = {
        "", "   ", "\xe3\x80\x80", "x", "abc-123", "2026-02-30", "2026-13-01", "2026-01-05", "20260105",
        "primary", "standard", "yes", "none", "91350100M000100Y43", "110105", "999999", "a/b~c",
        "13800138000", "someone@example.com", "not an e-mail", "https://example.com/x",
    };
    switch (mut_below(15)) {
    case 0: return json_null();
    case 1: case 2: case 3: return json_string(TEXTS[mut_below(sizeof TEXTS / sizeof TEXTS[0])]);
    case 4: {   /* a long text, CJK and ASCII */
        size_t n = 1 + mut_below(400);
        char *s = malloc(n * 3 + 1);
        size_t k = 0;
        for (size_t i = 0; i < n; i++) {
            if (mut_below(2)) { memcpy(s + k, "\xe5\xa4\x87", 3); k += 3; }
            else s[k++] = (char)('a' + mut_below(26));
        }
        s[k] = 0;
        json_t *v = json_string(s);
        free(s);
        return v;
    }
    case 5: case 13: {
        static const long long INTS[] = {0, -1, 1, 2, 3, 5, 100, 100000000000LL, 4, 1000000};
        return json_integer(INTS[mut_below(sizeof INTS / sizeof INTS[0])]);
    }
    case 6: return json_boolean(mut_below(2));
    case 7: return json_array();
    case 8: return json_pack("[n]");
    case 9: return json_pack("[s n i]", "x", 3);
    case 10: return json_object();
    case 11: return json_pack("{s:i}", "zz_unknown", 1);
    case 12: return json_real(3.5);
    default: return json_pack("[i i]", 1, 2);
    }
}

/* one random edit somewhere in doc */
static void mutate(json_t *doc)
{
    json_t *cur = doc;
    for (int depth = 0; depth < 6; depth++) {
        if (depth > 0 && mut_below(100) < 35) break;
        json_t *child = NULL;
        if (json_is_object(cur) && json_object_size(cur)) {
            size_t pick = mut_below(json_object_size(cur)), i = 0;
            const char *key;
            json_t *v;
            json_object_foreach(cur, key, v) if (i++ == pick) { child = v; break; }
        } else if (json_is_array(cur) && json_array_size(cur)) {
            child = json_array_get(cur, mut_below(json_array_size(cur)));
        }
        if (!child || !(json_is_object(child) || json_is_array(child))) break;
        cur = child;
    }
    if (json_is_object(cur)) {
        size_t n = json_object_size(cur), pick = mut_below(n + 1), i = 0;
        const char *key;
        json_t *v;
        char name[64] = "zz_unknown";
        json_object_foreach(cur, key, v) if (i++ == pick) { snprintf(name, sizeof name, "%s", key); break; }
        json_t *moved = json_incref(json_object_get(cur, name));
        switch (mut_below(5)) {
        case 0: json_object_del(cur, name); break;
        case 1:   /* to the end: out of the form's order */
            json_object_del(cur, name);
            if (moved) json_object_set(cur, name, moved);
            break;
        default: json_object_set_new(cur, name, mut_value()); break;
        }
        json_decref(moved);
    } else if (json_is_array(cur)) {
        size_t n = json_array_size(cur);
        switch (mut_below(3)) {
        case 0: {   /* grow past any max_items */
            json_t *first = n ? json_array_get(cur, 0) : NULL;
            size_t extra = 1 + mut_below(60);
            for (size_t i = 0; i < extra; i++) json_array_append_new(cur, first ? json_deep_copy(first) : mut_value());
            break;
        }
        case 1: if (n) json_array_set_new(cur, mut_below(n), mut_value()); break;
        default: if (n) json_array_remove(cur, mut_below(n)); break;
        }
    }
}

static void plain_add(json_t *out, const char *rule, const char *at)
{
    json_array_append_new(out, json_sprintf("%s %s", rule, at));
}

/* at + "/" + segment, escaped as a JSON pointer */
static void plain_join(char *out, size_t cap, const char *at, const char *segment)
{
    size_t n = (size_t)snprintf(out, cap, "%s/", at);
    for (const char *c = segment; *c && n + 3 < cap; c++) {
        if (*c == '~' || *c == '/') { out[n++] = '~'; out[n++] = *c == '~' ? '0' : '1'; }
        else out[n++] = *c;
    }
    out[n] = 0;
}

static const json_t *plain_field(const json_t *defs, const char *key)
{
    size_t i;
    const json_t *def;
    json_array_foreach(defs, i, def) {
        const char *k = json_string_value(json_object_get(def, "key"));
        if (k && strcmp(k, key) == 0) return def;
    }
    return NULL;
}

static bool plain_int_attr(const json_t *def, const char *attr, long long *v)
{
    const json_t *x = json_object_get(def, attr);
    if (json_is_integer(x)) *v = json_integer_value(x);
    return json_is_integer(x);
}

static void plain_shape_members(const json_t *defs, const json_t *object, const char *at, json_t *out);

static void plain_scalar(const char *type, const json_t *def, const json_t *v, const char *at, json_t *out)
{
    long long a = 0, b = 0;
    if (strcmp(type, "text") == 0) {
        if (!json_is_string(v)) { plain_add(out, "FORM-TYPE", at); return; }
        const char *s = json_string_value(v);
        size_t len = json_string_length(v), points = 0;
        for (size_t i = 0; i < len; i++) points += ((unsigned char)s[i] & 0xC0) != 0x80;
        if (plain_int_attr(def, "max_length", &a) && points > (size_t)a) plain_add(out, "FORM-LENGTH", at);
        const char *pattern = json_string_value(json_object_get(def, "pattern"));
        regex_t re;
        if (pattern && len > 0 && pattern_compile(pattern, &re) == 0) {
            if (strlen(s) != len || regexec(&re, s, 0, NULL, 0) != 0) plain_add(out, "FORM-PATTERN", at);
            regfree(&re);
        }
    } else if (strcmp(type, "int") == 0) {
        if (!json_is_integer(v)) { plain_add(out, "FORM-TYPE", at); return; }
        long long n = json_integer_value(v);
        if ((plain_int_attr(def, "min", &a) && n < a) || (plain_int_attr(def, "max", &b) && n > b))
            plain_add(out, "FORM-RANGE", at);
    } else if (strcmp(type, "bool") == 0) {
        if (!json_is_boolean(v)) plain_add(out, "FORM-TYPE", at);
    } else if (strcmp(type, "date") == 0) {
        day_t day;
        if (!json_is_string(v)) plain_add(out, "FORM-TYPE", at);
        else if (json_string_length(v) && (strlen(json_string_value(v)) != json_string_length(v) ||
                                           date_parse(json_string_value(v), &day) != 0))
            plain_add(out, "FORM-DATE", at);
    } else if (strcmp(type, "enum") == 0 || strcmp(type, "enum[]") == 0) {
        if (!json_is_string(v)) { plain_add(out, "FORM-TYPE", at); return; }
        if (!json_string_length(v)) return;
        size_t i;
        const json_t *option;
        json_array_foreach(json_object_get(def, "options"), i, option)
            if (json_equal(json_object_get(option, "value"), v)) return;
        plain_add(out, "FORM-ENUM", at);
    } else if (strcmp(type, "text[]") == 0) {
        plain_scalar("text", def, v, at, out);
    } else {   /* material, org_ref, evaluation_ref, material[] */
        if (!json_is_integer(v) || json_integer_value(v) < 1) plain_add(out, "FORM-TYPE", at);
    }
}

static void plain_shape_value(const json_t *def, const json_t *v, const char *at, json_t *out)
{
    const char *type = json_string_value(json_object_get(def, "type"));
    type = type ? type : "";
    if (json_is_null(v)) return;
    if (strcmp(type, "object") == 0) {
        if (json_is_object(v)) plain_shape_members(json_object_get(def, "fields"), v, at, out);
        else plain_add(out, "FORM-TYPE", at);
        return;
    }
    bool list = strcmp(type, "enum[]") == 0 || strcmp(type, "text[]") == 0 || strcmp(type, "material[]") == 0 ||
                strcmp(type, "list<object>") == 0;
    if (!list) { plain_scalar(type, def, v, at, out); return; }
    if (!json_is_array(v)) { plain_add(out, "FORM-TYPE", at); return; }
    size_t count = json_array_size(v);
    long long max = 0;
    if (plain_int_attr(def, "max_items", &max) && count > (size_t)max) {
        plain_add(out, "FORM-ITEMS", at);
        count = (size_t)max;
    }
    for (size_t i = 0; i < count; i++) {
        const json_t *item = json_array_get(v, i);
        char path[1100];
        snprintf(path, sizeof path, "%.1000s/%zu", at, i);
        if (json_is_null(item)) continue;
        if (strcmp(type, "list<object>") != 0) plain_scalar(type, def, item, path, out);
        else if (!json_is_object(item)) plain_add(out, "FORM-TYPE", path);
        else plain_shape_members(json_object_get(def, "fields"), item, path, out);
    }
}

static void plain_shape_members(const json_t *defs, const json_t *object, const char *at, json_t *out)
{
    const char *key;
    const json_t *v;
    json_object_foreach((json_t *)object, key, v) {
        char path[1024];
        plain_join(path, sizeof path, at, key);
        const json_t *def = plain_field(defs, key);
        if (def) plain_shape_value(def, v, path, out);
        else plain_add(out, "FORM-UNKNOWN", path);
    }
}

static void plain_required_members(const json_t *defs, const json_t *object, const char *at, json_t *out)
{
    size_t i;
    const json_t *def;
    json_array_foreach(defs, i, def) {
        const char *key = json_string_value(json_object_get(def, "key"));
        const char *type = json_string_value(json_object_get(def, "type"));
        const json_t *v = object ? json_object_get(object, key) : NULL;
        bool required = json_is_true(json_object_get(def, "required"));
        char path[1024];
        plain_join(path, sizeof path, at, key);
        if (strcmp(type, "enum[]") == 0 || strcmp(type, "text[]") == 0 || strcmp(type, "material[]") == 0 ||
            strcmp(type, "list<object>") == 0) {
            if (v && !json_is_null(v) && !json_is_array(v)) continue;
            size_t filled = 0;
            for (size_t k = 0; k < json_array_size(v); k++) filled += !json_is_null(json_array_get(v, k));
            long long min = 0;
            plain_int_attr(def, "min_items", &min);
            if (required && filled < (min > 1 ? (size_t)min : 1)) plain_add(out, "FORM-REQUIRED", path);
            if (strcmp(type, "list<object>") != 0) continue;
            for (size_t k = 0; k < json_array_size(v); k++) {
                char entry[1100];
                snprintf(entry, sizeof entry, "%.1000s/%zu", path, k);
                if (json_is_object(json_array_get(v, k)))
                    plain_required_members(json_object_get(def, "fields"), json_array_get(v, k), entry, out);
            }
            continue;
        }
        if (!required) continue;
        bool blank = !v || json_is_null(v);
        if (json_is_string(v)) {   /* only white space: ASCII, or U+3000 */
            const char *s = json_string_value(v);
            size_t len = json_string_length(v), k = 0;
            while (k < len) {
                if (s[k] == ' ' || s[k] == '\t' || s[k] == '\n' || s[k] == '\r') k += 1;
                else if (len - k >= 3 && memcmp(s + k, "\xe3\x80\x80", 3) == 0) k += 3;
                else break;
            }
            blank = k >= len;
        }
        if (blank) plain_add(out, "FORM-REQUIRED", path);
        else if (strcmp(type, "object") == 0 && json_is_object(v))
            plain_required_members(json_object_get(def, "fields"), v, path, out);
    }
}

/* "RULE path" of each finding of both checks, in order */
static json_t *rules_and_paths(json_t *shape, json_t *required)
{
    json_t *out = json_array();
    json_array_extend(shape, required);
    size_t i;
    const json_t *f;
    json_array_foreach(shape, i, f)
        plain_add(out, json_string_value(json_object_get(f, "rule")), json_string_value(json_object_get(f, "path")));
    json_decref(shape);
    json_decref(required);
    return out;
}

static void test_compiled_checks(void **state)
{
    (void)state;
    const char *const bases[] = {"reference.json", "minimal-draft.json", "simplified.json", "inspection-reference.json"};
    json_t *base[4];
    for (int b = 0; b < 4; b++) base[b] = load_fixture(bases[b]);
    long counted[9] = {0};
    const char *const RULES[9] = {"FORM-UNKNOWN", "FORM-TYPE", "FORM-ENUM", "FORM-LENGTH", "FORM-RANGE",
                                  "FORM-DATE", "FORM-PATTERN", "FORM-ITEMS", "FORM-REQUIRED"};
    for (int k = 0; k < 6000; k++) {
        json_t *doc = json_deep_copy(base[k % 4]);
        const json_t *form = k % 4 == 3 ? pack->inspection_form : pack->form;
        for (size_t edits = 1 + mut_below(6); edits > 0; edits--) mutate(doc);
        json_t *want = json_array();
        const char *key;
        json_t *v;
        json_object_foreach(doc, key, v) {
            char path[1024];
            plain_join(path, sizeof path, "", key);
            const json_t *section = plain_field(json_object_get(form, "sections"), key);
            if (!section) plain_add(want, "FORM-UNKNOWN", path);
            else if (json_is_object(v)) plain_shape_members(json_object_get(section, "fields"), v, path, want);
            else if (!json_is_null(v)) plain_add(want, "FORM-TYPE", path);
        }
        size_t i;
        const json_t *section;
        json_array_foreach(json_object_get(form, "sections"), i, section) {
            char path[1024];
            plain_join(path, sizeof path, "", json_string_value(json_object_get(section, "key")));
            const json_t *v2 = json_object_get(doc, json_string_value(json_object_get(section, "key")));
            plain_required_members(json_object_get(section, "fields"), json_is_object(v2) ? v2 : NULL, path, want);
        }
        json_t *got = rules_and_paths(schema_check_shape_in(form, doc), schema_check_required_in(form, doc));
        if (!json_equal(want, got)) {
            char *a = json_dumps(want, JSON_COMPACT), *b = json_dumps(got, JSON_COMPACT), *d = json_dumps(doc, JSON_COMPACT);
            fprintf(stderr, "document %d: %s\nplain walk: %s\nchecks:     %s\n", k, d, a, b);
            free(a), free(b), free(d);
        }
        assert_true(json_equal(want, got));
        json_array_foreach(got, i, v)
            for (int r = 0; r < 9; r++)
                counted[r] += strncmp(json_string_value(v), RULES[r], strlen(RULES[r])) == 0 &&
                              json_string_value(v)[strlen(RULES[r])] == ' ';
        json_decref(want);
        json_decref(got);
        json_decref(doc);
    }
    for (int r = 0; r < 9; r++) {   /* the edits reached every rule */
        print_message("%s: %ld\n", RULES[r], counted[r]);
        assert_true(counted[r] >= 10);
    }
    for (int b = 0; b < 4; b++) json_decref(base[b]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pack_loads),
        cmocka_unit_test(test_every_provincial_region),
        cmocka_unit_test(test_reference_passes),
        cmocka_unit_test(test_reference_fills_every_field),
        cmocka_unit_test(test_minimal_draft),
        cmocka_unit_test(test_unknown_section),
        cmocka_unit_test(test_unknown_field),
        cmocka_unit_test(test_wrong_type),
        cmocka_unit_test(test_unknown_enum_code),
        cmocka_unit_test(test_length_counts_code_points),
        cmocka_unit_test(test_int_out_of_range),
        cmocka_unit_test(test_bad_date),
        cmocka_unit_test(test_pattern),
        cmocka_unit_test(test_list_over_max_items),
        cmocka_unit_test(test_null_allowed),
        cmocka_unit_test(test_required_details),
        cmocka_unit_test(test_field_at),
        cmocka_unit_test(test_broken_pack),
        cmocka_unit_test(test_concurrent_validation),
        cmocka_unit_test(test_material_walk),
        cmocka_unit_test(test_compiled_checks),
    };
    return cmocka_run_group_tests(tests, setup_pack, teardown_pack);
}
