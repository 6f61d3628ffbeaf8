/* test_workflow.c — invariants of the workflow table (src/core/workflow.c) and its name helpers. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "core/workflow.h"

static const char *party_org_kind(enum wf_party p)
{
    return p == PARTY_OWNER ? "enterprise" : p == PARTY_PROVIDER ? "provider" : "authority";
}

/* Every role a row names exists in the organisation of the row's party. */
static void test_roles_fit_party(void **state)
{
    for (int i = 0; i < WF_TABLE_COUNT; i++) {
        const struct wf_transition *t = &WF_TABLE[i];
        assert_true(t->roles != 0);
        for (int b = 0; b < ROLE__COUNT; b++)
            if (t->roles & (1u << b)) assert_true(wf_role_fits_org_kind(1u << b, party_org_kind(t->party)));
    }
}

/* From-states are real states; to-states are real states or the two markers. */
static void test_states_valid(void **state)
{
    for (int i = 0; i < WF_TABLE_COUNT; i++) {
        const struct wf_transition *t = &WF_TABLE[i];
        assert_true(t->from >= 0 && t->from < ST__COUNT);
        assert_true((t->to >= 0 && t->to < ST__COUNT) || t->to == ST_PREVIOUS || t->to == ST_SAME);
        /* a decided state has no way out but a filed record's, and the objection to a recorded minor change */
        assert_false(wf_state_is_final(t->from) && t->from != ST_FILED &&
                     !(t->from == ST_MINOR_RECORDED && t->action == ACT_OBJECT));
    }
}

/* For each (from, action) the last row has no selector guard, so some row always decides. */
static void test_last_row_decides(void **state)
{
    for (int i = 0; i < WF_TABLE_COUNT; i++) {
        const struct wf_transition *t = &WF_TABLE[i];
        bool later = false;
        for (int k = i + 1; k < WF_TABLE_COUNT; k++)
            if (WF_TABLE[k].from == t->from && WF_TABLE[k].action == t->action) later = true;
        if (!later)
            for (int g = 0; g < 2; g++) {
                assert_int_not_equal(t->guards[g], GUARD_RESUBMIT_SAME_PROVIDER);
                assert_int_not_equal(t->guards[g], GUARD_MINOR_CHANGE);
            }
    }
}

/* A filer may withdraw from every state before a decision, and from none after. */
static void test_withdraw_before_decision(void **state)
{
    for (int s = 0; s < ST__COUNT; s++) {
        bool found = false;
        for (int i = 0; i < WF_TABLE_COUNT; i++)
            if (WF_TABLE[i].from == s && WF_TABLE[i].action == ACT_WITHDRAW) {
                found = true;
                assert_int_equal(WF_TABLE[i].to, ST_WITHDRAWN);
                assert_true(WF_TABLE[i].roles & ROLE_FILER);
            }
        assert_int_equal(found, !wf_state_is_final((enum wf_state)s));
    }
}

/* The decisions carry what the issue demands: reasons, items, comments. */
static void test_needs(void **state)
{
    for (int i = 0; i < WF_TABLE_COUNT; i++) {
        const struct wf_transition *t = &WF_TABLE[i];
        if (t->action == ACT_REJECT || t->action == ACT_CANCEL || t->action == ACT_REVOKE ||
            t->action == ACT_DECLINE_HOSTING)
            assert_true(t->needs & NEEDS_REASON);
        if (t->action == ACT_REQUEST_RECTIFICATION) assert_true(t->needs & NEEDS_ITEMS);
        if (t->action == ACT_OBJECT) assert_true(t->needs & NEEDS_REASON);
        if (t->action == ACT_REPORT_CHANGE) assert_true(t->needs & NEEDS_EFFECTIVE_ON);
        if (t->action == ACT_RETURN) assert_true(t->needs & NEEDS_COMMENT);
        if (t->action == ACT_APPROVE_CHECK)
            assert_true(t->guards[0] == GUARD_NOT_LAST_EDITOR || t->guards[1] == GUARD_NOT_LAST_EDITOR);
    }
}

/* Only the authority files, rejects and revokes; only the provider confirms. */
static void test_who_decides(void **state)
{
    for (int i = 0; i < WF_TABLE_COUNT; i++) {
        const struct wf_transition *t = &WF_TABLE[i];
        if (t->to == ST_FILED || t->to == ST_REJECTED || t->to == ST_REVOKED)
            assert_int_equal(t->party, PARTY_AUTHORITY);
        if (t->action == ACT_CONFIRM_HOSTING) assert_int_equal(t->party, PARTY_PROVIDER);
    }
}

static void test_names_round_trip(void **state)
{
    for (int s = 0; s < ST__COUNT; s++) assert_int_equal(wf_state_parse(wf_state_name((enum wf_state)s)), s);
    for (int a = 0; a < ACT__COUNT; a++) assert_int_equal(wf_action_parse(wf_action_name((enum wf_action)a)), a);
    for (int b = 0; b < ROLE__COUNT; b++) assert_int_equal(wf_role_parse(wf_role_name(1u << b)), 1u << b);
    assert_int_equal(wf_state_parse("nonsense"), ST_NONE);
    assert_int_equal(wf_state_parse(NULL), ST_NONE);
    assert_int_equal(wf_action_parse("approve "), ACT_NONE);
    assert_int_equal(wf_role_parse(""), 0);
}

/* Every state has its name in words in both languages (the exports show them); pseudo-states none. */
static void test_state_labels(void **state)
{
    (void)state;
    for (int s = 0; s < ST__COUNT; s++) {
        assert_non_null(wf_state_label((enum wf_state)s, false));
        assert_non_null(wf_state_label((enum wf_state)s, true));
        assert_true(strlen(wf_state_label((enum wf_state)s, true)) > 0);
    }
    assert_string_equal(wf_state_label(ST_FILED, false), "已备案");
    assert_string_equal(wf_state_label(ST_REJECTED, true), "Rejected");
    assert_null(wf_state_label(ST_PREVIOUS, false));
    assert_null(wf_state_label(ST_NONE, true));
}

static void test_roles_csv(void **state)
{
    char bad[32] = "";
    assert_int_equal(wf_roles_parse_csv("filer,checker", bad, sizeof bad), ROLE_FILER | ROLE_CHECKER);
    assert_int_equal(wf_roles_parse_csv("filer,bogus", bad, sizeof bad), 0);
    assert_string_equal(bad, "bogus");
    assert_int_equal(wf_roles_parse_csv("filer,,checker", bad, sizeof bad), 0);
    char out[64];
    wf_roles_format(ROLE_CHECKER | ROLE_FILER | ROLE_ORG_ADMIN, out, sizeof out);
    assert_string_equal(out, "filer,checker,org_admin");
    wf_roles_format(0, out, sizeof out);
    assert_string_equal(out, "");
}

static void test_role_fits_org_kind(void **state)
{
    assert_true(wf_role_fits_org_kind(ROLE_FILER, "enterprise"));
    assert_false(wf_role_fits_org_kind(ROLE_REVIEWER, "enterprise"));
    assert_true(wf_role_fits_org_kind(ROLE_ORG_ADMIN, "provider"));
    assert_false(wf_role_fits_org_kind(ROLE_ORG_ADMIN, "authority"));
    assert_true(wf_role_fits_org_kind(ROLE_ADMIN, "platform"));
    assert_false(wf_role_fits_org_kind(ROLE_ADMIN, "enterprise"));
    assert_false(wf_role_fits_org_kind(ROLE_FILER, NULL));
}

static void test_table_json(void **state)
{
    json_t *t = wf_table_json();
    assert_int_equal(json_array_size(json_object_get(t, "transitions")), (size_t)WF_TABLE_COUNT);
    /* the filing's states are all but the report's "accepted" and the incident's "open" and "closed" */
    assert_int_equal(json_array_size(json_object_get(t, "states")), (size_t)ST__COUNT - 3);
    const json_t *inc = json_object_get(json_object_get(t, "records"), "incident");
    assert_int_equal(json_array_size(json_object_get(inc, "transitions")), (size_t)WF_INCIDENT_TABLE_COUNT);
    assert_int_equal(json_array_size(json_object_get(inc, "states")), 2);
    const json_t *insp = json_object_get(json_object_get(t, "records"), "inspection");
    assert_int_equal(json_array_size(json_object_get(insp, "transitions")), (size_t)WF_INSPECTION_TABLE_COUNT);
    assert_string_equal(json_string_value(json_array_get(json_object_get(insp, "states"), 4)), "accepted");
    json_t *first = json_array_get(json_object_get(t, "transitions"), 0);
    assert_string_equal(json_string_value(json_object_get(first, "from")), "draft");
    assert_string_equal(json_string_value(json_object_get(first, "action")), "submit_for_check");
    json_decref(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roles_fit_party),    cmocka_unit_test(test_states_valid),
        cmocka_unit_test(test_last_row_decides),   cmocka_unit_test(test_withdraw_before_decision),
        cmocka_unit_test(test_needs),              cmocka_unit_test(test_who_decides),
        cmocka_unit_test(test_names_round_trip),   cmocka_unit_test(test_roles_csv), cmocka_unit_test(test_state_labels),
        cmocka_unit_test(test_role_fits_org_kind), cmocka_unit_test(test_table_json),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
