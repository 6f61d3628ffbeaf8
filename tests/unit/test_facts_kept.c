/* test_facts_kept.c — what a check reads from the records, kept per filing
 * (src/service/filing_facts_kept.c), equals what is read afresh (filing_records_read): the
 * records' findings, the materials attached, the accepted overrides, the names, the provider's
 * findings. Over 600 random edits of the reference document (the subject's name and USCC, the
 * region, each material field, the provider, and fields the records do not read), a day that
 * moves past a qualification's expiry and, between them, changes of the records (the
 * organisation corrected, a material uploaded under an id the document already names, a new
 * authority, a provider registered, the provider's profile, an override accepted), made through
 * the writer's connection as another process's would be. Needs BEIAN_POLICY_DIR (meson sets it). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "policy/pack.h"
#include "policy/rules.h"
#include "core/date.h"
#include "service/filing_facts.h"
#include "service/filing_facts_kept.h"
#include "store/store.h"

static struct pack *pack;
static char dir[64];
static struct store *store;
static int64_t ent, other, provider, authority, user, filing, sys;

static int seed(struct store_conn *c, void *arg, struct err *e)
{
    (void)arg;
    ent = store_org_insert(c, "enterprise", "北京云帆数据科技有限公司", "91110000600037341L", "110000", NULL, NULL, e);
    other = store_org_insert(c, "enterprise", "Other", "91110000000000002B", "110000", NULL, NULL, e);
    provider = store_org_insert(c, "provider", "Cloud", "91110000000000003C", "110000", NULL, NULL, e);
    json_t *jur = json_pack("[s]", "110000");
    authority = store_org_insert(c, "authority", "Authority", "11110000000000004D", "110000", jur, NULL, e);
    json_decref(jur);
    user = store_user_insert(c, ent, "filer", "Filer", "x", "filer", e);
    sys = store_system_insert(c, ent, "System", "", user, e);
    json_t *row = json_pack("{s:I s:I s:s s:s s:s s:i s:s s:s s:s s:{} s:[] s:{} s:I}", "system_id", (json_int_t)sys,
                            "org_id", (json_int_t)ent, "kind", "initial", "state", "draft", "region", "110105",
                            "level", 2, "type", "new", "subject_name", "x", "system_name", "System", "document",
                            "findings", "derived", "last_editor_id", (json_int_t)user);
    filing = store_filing_insert(c, row, e);
    json_decref(row);
    return ent > 0 && other > 0 && provider > 0 && authority > 0 && user > 0 && sys > 0 && filing > 0 ? 0 : -1;
}

static int setup(void **state)
{
    (void)state;
    const char *base = getenv("BEIAN_POLICY_DIR");
    char packdir[4200];
    snprintf(packdir, sizeof packdir, "%s/cn-cloud", base ? base : ".");
    struct err e = {0};
    if (pack_load(packdir, &pack, &e) != 0) {
        fprintf(stderr, "pack_load: %s\n", e.detail_en);
        return -1;
    }
    snprintf(dir, sizeof dir, "/tmp/beian-facts-XXXXXX");
    if (!mkdtemp(dir) || store_open(dir, NULL, true, &store, &e) != 0 || store_write(store, seed, NULL, &e) != 0) {
        fprintf(stderr, "store: %s\n", e.detail_en);
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    filing_facts_kept_clear();
    store_close(store);
    pack_free(pack);
    policy_thread_cleanup();
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

struct material_job { int64_t org; const char *kind; int64_t id; };

static int material_job(struct store_conn *c, void *arg, struct err *e)
{
    struct material_job *j = arg;
    j->id = store_material_insert(c, j->org, j->kind, "title", "a.pdf", "application/pdf", 1,
                                  "0000000000000000000000000000000000000000000000000000000000000000", user, e);
    return j->id > 0 ? 0 : -1;
}

static int64_t material(int64_t org, const char *kind)
{
    struct material_job j = {org, kind, 0};
    struct err e = {0};
    if (store_write(store, material_job, &j, &e) != 0) fail_msg("material: %s", e.detail_en);
    return j.id;
}

/* a change of the records, through the writer (another connection than the reads') */
static int records_job(struct store_conn *c, void *arg, struct err *e)
{
    int which = *(int *)arg;
    static int made;
    char uscc[32];
    snprintf(uscc, sizeof uscc, "911100000000%05dX", ++made);
    switch (which) {
    case 0: return store_org_update(c, ent, "Renamed", "91110000600037341L", "110000", e);
    case 1: return store_org_update(c, ent, "北京云帆数据科技有限公司", "91110000600037341L", "110000", e);
    case 2: return store_org_update(c, ent, "北京云帆数据科技有限公司", "91110000600037341L", "310000", e);
    case 3: return store_org_insert(c, "provider", "Cloud 2", uscc, "110000", NULL, NULL, e) > 0 ? 0 : -1;
    case 4: {   /* the provider's profile: a qualification valid until 2026-07-01 */
        json_t *profile = json_pack("{s:[{s:s s:s s:s s:s s:s}]}", "qualifications", "scheme", "mlps3", "certificate_number",
                                    uscc, "issuer", "x", "valid_from", "2024-01-01", "valid_until", "2026-07-01");
        int rc = store_provider_profile_put(c, provider, profile, user, e);
        json_decref(profile);
        return rc;
    }
    case 5: {   /* an override of the filing, accepted */
        int64_t id = store_override_insert(c, filing, "MAT-ARCH-DIAGRAM", "because", 0, user, e);
        return id > 0 ? store_override_decide(c, id, true, "ok", user, e) : -1;
    }
    default: {
        json_t *jur = json_pack("[s]", "310000");
        int64_t id = store_org_insert(c, "authority", "Shanghai", uscc, "310000", jur, NULL, e);
        json_decref(jur);
        return id > 0 ? 0 : -1;
    }
    }
}

static const char *const MATERIAL_PATHS[] = {"/subject/business_licence", "/system/architecture_diagram",
                                             "/grading/grading_report", "/agreement/agreement_document",
                                             "/emergency/plan_document", "/operations/vuln_scan/report"};
static const char *const MATERIAL_KINDS[] = {"business_licence", "architecture_diagram", "grading_report",
                                             "service_agreement", "emergency_plan", "vuln_scan_report"};

/* doc[path] = v (stolen), making the objects on the way */
static void set_at(json_t *doc, const char *path, json_t *v)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", path + 1);
    json_t *o = doc;
    char *save = NULL, *part = strtok_r(buf, "/", &save), *next;
    while ((next = strtok_r(NULL, "/", &save))) {
        json_t *child = json_object_get(o, part);
        if (!json_is_object(child)) json_object_set_new(o, part, child = json_object());
        o = child;
        part = next;
    }
    json_object_set_new(o, part, v);
}

static void test_kept_equals_fresh(void **state)
{
    (void)state;
    char path[4300];
    snprintf(path, sizeof path, "%s/cn-cloud/fixtures/reference.json", getenv("BEIAN_POLICY_DIR") ? getenv("BEIAN_POLICY_DIR") : ".");
    json_t *doc = json_load_file(path, 0, NULL);
    assert_non_null(doc);
    /* the materials the edits choose from: the enterprise's of the right kind and of a wrong one,
     * another organisation's, and an id nobody has yet (uploaded later in the run) */
    int64_t own[6], wrong = material(ent, "other"), foreign = material(other, "grading_report");
    for (int i = 0; i < 6; i++) own[i] = material(ent, MATERIAL_KINDS[i]);
    int64_t later = own[5] + 2;   /* uploaded half-way through */
    struct store_conn *c = store_reader(store);
    unsigned int seed = 7;
    int rounds = 600;
    for (int round = 0; round < rounds; round++) {
        int what = rand_r(&seed) % 10;
        if (what == 0) set_at(doc, "/subject/name", json_string(rand_r(&seed) % 2 ? "北京云帆数据科技有限公司" : "Renamed"));
        else if (what == 1) set_at(doc, "/subject/uscc", json_string(rand_r(&seed) % 2 ? "91110000600037341L" : "91110000000000002B"));
        else if (what == 2) set_at(doc, "/subject/region_code", json_string(rand_r(&seed) % 2 ? "110105" : "310101"));
        else if (what == 3) {
            int f = rand_r(&seed) % 6;
            int64_t choice[] = {own[f], wrong, foreign, later, own[(f + 1) % 6]};
            int k = rand_r(&seed) % 6;
            set_at(doc, MATERIAL_PATHS[f], k == 5 ? json_null() : json_integer(choice[k]));
        } else if (what == 4) {
            int64_t choice[] = {provider, ent, 9999, provider + 4};
            set_at(doc, "/provider/provider_org", json_integer(choice[rand_r(&seed) % 4]));
        } else {
            char text[40];   /* what the records do not read: the usual save */
            snprintf(text, sizeof text, "round %d", round);
            set_at(doc, "/system/description", json_string(text));
        }
        if (round % 37 == 36) {   /* the records change */
            int which = (round / 37) % 7;
            struct err e = {0};
            if (store_write(store, records_job, &which, &e) != 0) fail_msg("records: %s", e.detail_en);
        }
        if (round == rounds / 2) (void)material(ent, "grading_report");
        if (round == rounds / 2 + 1) assert_int_equal(material(ent, "other"), later);
        const json_t *named = json_object_get(json_object_get(doc, "provider"), "provider_org");
        json_t *row = json_pack("{s:I s:I s:I s:O s:I s:i}", "id", (json_int_t)filing, "org_id", (json_int_t)ent,
                                "system_id", (json_int_t)sys, "document", doc, "provider_org_id",
                                (json_int_t)(json_is_integer(named) ? json_integer_value(named) : 0),
                                "provider_evaluation_id", 0);
        day_t today;
        date_parse(round < 200 ? "2026-05-01" : round < 400 ? "2026-06-20" : "2026-07-02", &today);
        struct filing_records fresh, kept;
        filing_records_read(c, pack, row, today, &fresh);
        filing_records_kept(c, pack, row, today, &kept);
        const json_t *parts_fresh[] = {fresh.facts, fresh.attached, fresh.overrides, fresh.subject_name, fresh.system_name, fresh.provider};
        const json_t *parts_kept[] = {kept.facts, kept.attached, kept.overrides, kept.subject_name, kept.system_name, kept.provider};
        for (int k = 0; k < 6; k++) {
            bool same = (!parts_fresh[k] && !parts_kept[k]) || json_equal((json_t *)parts_fresh[k], (json_t *)parts_kept[k]);
            if (!same) {
                char *a = json_dumps(parts_fresh[k], JSON_COMPACT | JSON_ENCODE_ANY), *b = json_dumps(parts_kept[k], JSON_COMPACT | JSON_ENCODE_ANY);
                fprintf(stderr, "round %d, part %d:\n fresh %s\n kept  %s\n", round, k, a, b);
                free(a);
                free(b);
            }
            assert_true(same);
        }
        filing_records_free(&fresh);
        filing_records_free(&kept);
        json_decref(row);
    }
    json_decref(doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kept_equals_fresh),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
