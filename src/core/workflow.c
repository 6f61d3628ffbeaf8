/* workflow.c — THE transition table of the filing workflow, and the names of its parts.
 * Everything else (service, API, UI, docs, tests) reads this table; nothing re-states it. */
#include "core/workflow.h"

#include <stdio.h>
#include <string.h>

#define BEFORE_DECISION(st) \
    {st, ACT_WITHDRAW, ROLE_FILER, PARTY_OWNER, ST_WITHDRAWN, {GUARD_NONE, GUARD_NONE}, NEEDS_NOTHING}

const struct wf_transition WF_TABLE[] = {
    /* from                      action                     roles                         party            to                        guards                                                   needs */
    {ST_DRAFT,                   ACT_SUBMIT_FOR_CHECK,      ROLE_FILER,                   PARTY_OWNER,     ST_INTERNAL_CHECK,        {GUARD_SYSTEM_FREE, GUARD_COMPLETE},                    NEEDS_NOTHING},
    {ST_RECTIFICATION,           ACT_SUBMIT_FOR_CHECK,      ROLE_FILER,                   PARTY_OWNER,     ST_INTERNAL_CHECK,        {GUARD_COMPLETE, GUARD_NONE},                           NEEDS_NOTHING},
    {ST_INTERNAL_CHECK,          ACT_RETURN,                ROLE_CHECKER,                 PARTY_OWNER,     ST_PREVIOUS,              {GUARD_NONE, GUARD_NONE},                               NEEDS_COMMENT},
    {ST_INTERNAL_CHECK,          ACT_APPROVE_CHECK,         ROLE_CHECKER,                 PARTY_OWNER,     ST_MINOR_RECORDED,        {GUARD_NOT_LAST_EDITOR, GUARD_MINOR_CHANGE},            NEEDS_NOTHING},
    {ST_INTERNAL_CHECK,          ACT_APPROVE_CHECK,         ROLE_CHECKER,                 PARTY_OWNER,     ST_UNDER_REVIEW,          {GUARD_NOT_LAST_EDITOR, GUARD_RESUBMIT_SAME_PROVIDER},  NEEDS_NOTHING},
    {ST_INTERNAL_CHECK,          ACT_APPROVE_CHECK,         ROLE_CHECKER,                 PARTY_OWNER,     ST_PROVIDER_CONFIRMATION, {GUARD_NOT_LAST_EDITOR, GUARD_NONE},                    NEEDS_NOTHING},
    {ST_PROVIDER_CONFIRMATION,   ACT_CONFIRM_HOSTING,       ROLE_PROVIDER,                PARTY_PROVIDER,  ST_SUBMITTED,             {GUARD_NONE, GUARD_NONE},                               NEEDS_NOTHING},
    {ST_PROVIDER_CONFIRMATION,   ACT_DECLINE_HOSTING,       ROLE_PROVIDER,                PARTY_PROVIDER,  ST_DRAFT,                 {GUARD_NONE, GUARD_NONE},                               NEEDS_REASON},
    {ST_SUBMITTED,               ACT_ACCEPT,                ROLE_REVIEWER,                PARTY_AUTHORITY, ST_UNDER_REVIEW,          {GUARD_NONE, GUARD_NONE},                               NEEDS_NOTHING},
    {ST_UNDER_REVIEW,            ACT_REQUEST_RECTIFICATION, ROLE_REVIEWER,                PARTY_AUTHORITY, ST_RECTIFICATION,         {GUARD_NONE, GUARD_NONE},                               NEEDS_ITEMS},
    {ST_UNDER_REVIEW,            ACT_APPROVE,               ROLE_REVIEWER,                PARTY_AUTHORITY, ST_FILED,                 {GUARD_OVERRIDES_DECIDED, GUARD_NO_STANDING_ERRORS},    NEEDS_NOTHING},
    {ST_UNDER_REVIEW,            ACT_REJECT,                ROLE_REVIEWER,                PARTY_AUTHORITY, ST_REJECTED,              {GUARD_NONE, GUARD_NONE},                               NEEDS_REASON},
    BEFORE_DECISION(ST_DRAFT),
    BEFORE_DECISION(ST_INTERNAL_CHECK),
    BEFORE_DECISION(ST_PROVIDER_CONFIRMATION),
    BEFORE_DECISION(ST_SUBMITTED),
    BEFORE_DECISION(ST_UNDER_REVIEW),
    BEFORE_DECISION(ST_RECTIFICATION),
    {ST_FILED,                   ACT_REPORT_CHANGE,         ROLE_FILER,                   PARTY_OWNER,     ST_SAME,                  {GUARD_RECORD_NO_OPEN_CHANGE, GUARD_NONE},              NEEDS_EFFECTIVE_ON},
    {ST_FILED,                   ACT_CANCEL,                ROLE_FILER | ROLE_ORG_ADMIN,  PARTY_OWNER,     ST_CANCELLED,             {GUARD_RECORD_NO_OPEN_CHANGE, GUARD_NONE},              NEEDS_REASON},
    {ST_FILED,                   ACT_REVOKE,                ROLE_AUTHORITY_ADMIN,         PARTY_AUTHORITY, ST_REVOKED,               {GUARD_NONE, GUARD_NONE},                               NEEDS_REASON},
    {ST_MINOR_RECORDED,          ACT_OBJECT,                ROLE_REVIEWER,                PARTY_AUTHORITY, ST_UNDER_REVIEW,          {GUARD_OBJECTION_WINDOW, GUARD_NONE},                   NEEDS_REASON},
};
const int WF_TABLE_COUNT = (int)(sizeof WF_TABLE / sizeof WF_TABLE[0]);

/* The self-inspection report: prepared and checked inside the enterprise (maker–checker), reviewed by
 * the authority of the record, accepted or sent back item by item. */
const struct wf_transition WF_INSPECTION_TABLE[] = {
    /* from                      action                     roles                         party            to                        guards                                                   needs */
    {ST_DRAFT,                   ACT_SUBMIT_FOR_CHECK,      ROLE_FILER,                   PARTY_OWNER,     ST_INTERNAL_CHECK,        {GUARD_COMPLETE, GUARD_NONE},                           NEEDS_NOTHING},
    {ST_RECTIFICATION,           ACT_SUBMIT_FOR_CHECK,      ROLE_FILER,                   PARTY_OWNER,     ST_INTERNAL_CHECK,        {GUARD_COMPLETE, GUARD_NONE},                           NEEDS_NOTHING},
    {ST_INTERNAL_CHECK,          ACT_RETURN,                ROLE_CHECKER,                 PARTY_OWNER,     ST_PREVIOUS,              {GUARD_NONE, GUARD_NONE},                               NEEDS_COMMENT},
    {ST_INTERNAL_CHECK,          ACT_APPROVE_CHECK,         ROLE_CHECKER,                 PARTY_OWNER,     ST_SUBMITTED,             {GUARD_NOT_LAST_EDITOR, GUARD_NONE},                    NEEDS_NOTHING},
    {ST_SUBMITTED,               ACT_REQUEST_RECTIFICATION, ROLE_REVIEWER,                PARTY_AUTHORITY, ST_RECTIFICATION,         {GUARD_NONE, GUARD_NONE},                               NEEDS_ITEMS},
    {ST_SUBMITTED,               ACT_ACCEPT_REPORT,         ROLE_REVIEWER,                PARTY_AUTHORITY, ST_ACCEPTED,              {GUARD_NONE, GUARD_NONE},                               NEEDS_NOTHING},
};
const int WF_INSPECTION_TABLE_COUNT = (int)(sizeof WF_INSPECTION_TABLE / sizeof WF_INSPECTION_TABLE[0]);

/* A security incident: the enterprise reports it (it starts open), adds follow-up reports and closes
 * it with the closure report; the record's authority may order an extra inspection, once. */
const struct wf_transition WF_INCIDENT_TABLE[] = {
    /* from                      action                     roles                         party            to                        guards                                                   needs */
    {ST_OPEN,                    ACT_UPDATE,                ROLE_FILER | ROLE_ORG_ADMIN,  PARTY_OWNER,     ST_SAME,                  {GUARD_NONE, GUARD_NONE},                               NEEDS_NOTHING},
    {ST_OPEN,                    ACT_CLOSE,                 ROLE_FILER | ROLE_ORG_ADMIN,  PARTY_OWNER,     ST_CLOSED,                {GUARD_NONE, GUARD_NONE},                               NEEDS_NOTHING},
    {ST_OPEN,                    ACT_ORDER_INSPECTION,      ROLE_REVIEWER | ROLE_AUTHORITY_ADMIN, PARTY_AUTHORITY, ST_SAME,        {GUARD_NONE, GUARD_NONE},                               NEEDS_REASON},
    {ST_CLOSED,                  ACT_ORDER_INSPECTION,      ROLE_REVIEWER | ROLE_AUTHORITY_ADMIN, PARTY_AUTHORITY, ST_SAME,        {GUARD_NONE, GUARD_NONE},                               NEEDS_REASON},
};
const int WF_INCIDENT_TABLE_COUNT = (int)(sizeof WF_INCIDENT_TABLE / sizeof WF_INCIDENT_TABLE[0]);

const struct wf_transition *wf_table_row(const struct wf_transition *table, int count, enum wf_state from,
                                         enum wf_action act, unsigned roles)
{
    for (int i = 0; i < count; i++)
        if (table[i].from == from && table[i].action == act && (table[i].roles & roles)) return &table[i];
    return NULL;
}

static const char *const STATE_NAMES[ST__COUNT] = {
    "draft", "internal_check", "provider_confirmation", "submitted", "under_review",
    "rectification", "filed", "rejected", "withdrawn", "cancelled", "revoked", "minor_recorded", "accepted", "open", "closed",
};
static const char *const ACTION_NAMES[ACT__COUNT] = {
    "submit_for_check", "return", "approve_check", "confirm_hosting", "decline_hosting", "accept",
    "request_rectification", "approve", "reject", "withdraw", "report_change", "cancel", "revoke", "object",
    "accept_report", "update", "close", "order_inspection",
};
static const char *const ROLE_NAMES[ROLE__COUNT] = {
    "filer", "checker", "org_admin", "provider", "reviewer", "authority_admin", "admin",
};
static const char *const PARTY_NAMES[] = {"owner", "provider", "authority"};
static const char *const GUARD_NAMES[] = {
    "none", "complete", "not_last_editor", "resubmission_same_provider", "record_without_open_change",
    "overrides_decided", "no_standing_errors", "system_free", "minor_change", "objection_window_open",
};

const char *wf_state_name(enum wf_state s)
{
    if (s == ST_PREVIOUS) return "previous";
    if (s == ST_SAME) return "same";
    return (s >= 0 && s < ST__COUNT) ? STATE_NAMES[s] : "unknown";
}

/* The states in words, as the UI (web/js/strings.js) and the exports show them. */
static const char *const STATE_LABELS[ST__COUNT][2] = {
    {"草稿", "Draft"}, {"内部审核", "Internal check"}, {"待云服务商确认", "Awaiting provider"},
    {"已提交", "Submitted"}, {"审查中", "Under review"}, {"整改中", "Rectification"}, {"已备案", "Filed"},
    {"不予备案", "Rejected"}, {"已撤回", "Withdrawn"}, {"已注销", "Cancelled"}, {"已撤销", "Revoked"},
    {"一般变更已记录", "Minor change recorded"}, {"已认可", "Accepted"}, {"处置中", "Open"}, {"已结案", "Closed"},
};

const char *wf_state_label(enum wf_state s, bool english)
{
    return (s >= 0 && s < ST__COUNT) ? STATE_LABELS[s][english ? 1 : 0] : NULL;
}

enum wf_state wf_state_parse(const char *name)
{
    for (int i = 0; name && i < ST__COUNT; i++)
        if (strcmp(name, STATE_NAMES[i]) == 0) return (enum wf_state)i;
    return ST_NONE;
}

const char *wf_action_name(enum wf_action a)
{
    return (a >= 0 && a < ACT__COUNT) ? ACTION_NAMES[a] : "unknown";
}

enum wf_action wf_action_parse(const char *name)
{
    for (int i = 0; name && i < ACT__COUNT; i++)
        if (strcmp(name, ACTION_NAMES[i]) == 0) return (enum wf_action)i;
    return ACT_NONE;
}

const char *wf_role_name(unsigned role_bit)
{
    for (int i = 0; i < ROLE__COUNT; i++)
        if (role_bit == (1u << i)) return ROLE_NAMES[i];
    return "unknown";
}

unsigned wf_role_parse(const char *name)
{
    for (int i = 0; name && i < ROLE__COUNT; i++)
        if (strcmp(name, ROLE_NAMES[i]) == 0) return 1u << i;
    return 0;
}

const char *wf_party_name(enum wf_party p) { return PARTY_NAMES[p]; }
const char *wf_guard_name(enum wf_guard g) { return GUARD_NAMES[g]; }

unsigned wf_roles_parse_csv(const char *csv, char *bad, unsigned bad_len)
{
    unsigned roles = 0;
    char item[64];
    const char *p = csv ? csv : "";
    while (*p) {
        size_t n = strcspn(p, ",");
        if (n == 0 || n >= sizeof item) {
            if (bad) snprintf(bad, bad_len, "%.*s", (int)(n < 60 ? n : 60), p);
            return 0;
        }
        memcpy(item, p, n);
        item[n] = 0;
        unsigned r = wf_role_parse(item);
        if (!r) {
            if (bad) snprintf(bad, bad_len, "%s", item);
            return 0;
        }
        roles |= r;
        p += n;
        if (*p == ',') p++;
    }
    return roles;
}

void wf_roles_format(unsigned roles, char *buf, unsigned len)
{
    size_t used = 0;
    buf[0] = 0;
    for (int i = 0; i < ROLE__COUNT; i++) {
        if (!(roles & (1u << i))) continue;
        int n = snprintf(buf + used, len - used, "%s%s", used ? "," : "", ROLE_NAMES[i]);
        if (n < 0 || (size_t)n >= len - used) break;
        used += (size_t)n;
    }
}

bool wf_role_fits_org_kind(unsigned role_bit, const char *kind)
{
    if (!kind) return false;
    if (strcmp(kind, "enterprise") == 0) return (role_bit & (ROLE_FILER | ROLE_CHECKER | ROLE_ORG_ADMIN)) != 0;
    if (strcmp(kind, "provider") == 0) return (role_bit & (ROLE_PROVIDER | ROLE_ORG_ADMIN)) != 0;
    if (strcmp(kind, "authority") == 0) return (role_bit & (ROLE_REVIEWER | ROLE_AUTHORITY_ADMIN)) != 0;
    if (strcmp(kind, "platform") == 0) return role_bit == ROLE_ADMIN;
    return false;
}

bool wf_state_is_final(enum wf_state s)
{
    return s == ST_FILED || s == ST_REJECTED || s == ST_WITHDRAWN || s == ST_CANCELLED || s == ST_REVOKED ||
           s == ST_MINOR_RECORDED || s == ST_ACCEPTED || s == ST_OPEN || s == ST_CLOSED;
}

bool wf_state_editable(enum wf_state s) { return s == ST_DRAFT || s == ST_RECTIFICATION; }

/* {"states": [the states its rows use, in enum order], "transitions": [...]} of one table. */
static json_t *table_json(const struct wf_transition *table, int count)
{
    json_t *rows = json_array();
    bool used[ST__COUNT] = {false};
    for (int i = 0; i < count; i++) {
        const struct wf_transition *t = &table[i];
        if (t->from >= 0 && t->from < ST__COUNT) used[t->from] = true;
        if (t->to >= 0 && t->to < ST__COUNT) used[t->to] = true;
        json_t *roles = json_array(), *guards = json_array(), *needs = json_array();
        for (int b = 0; b < ROLE__COUNT; b++)
            if (t->roles & (1u << b)) json_array_append_new(roles, json_string(ROLE_NAMES[b]));
        for (int g = 0; g < 2; g++)
            if (t->guards[g] != GUARD_NONE) json_array_append_new(guards, json_string(GUARD_NAMES[t->guards[g]]));
        if (t->needs & NEEDS_COMMENT) json_array_append_new(needs, json_string("comment"));
        if (t->needs & NEEDS_REASON) json_array_append_new(needs, json_string("reason"));
        if (t->needs & NEEDS_ITEMS) json_array_append_new(needs, json_string("items"));
        if (t->needs & NEEDS_EFFECTIVE_ON) json_array_append_new(needs, json_string("effective_on"));
        json_array_append_new(rows, json_pack("{s:s s:s s:o s:s s:s s:o s:o}", "from", wf_state_name(t->from),
                                              "action", wf_action_name(t->action), "roles", roles, "party",
                                              wf_party_name(t->party), "to", wf_state_name(t->to), "guards",
                                              guards, "needs", needs));
    }
    json_t *states = json_array();
    for (int i = 0; i < ST__COUNT; i++)
        if (used[i]) json_array_append_new(states, json_string(STATE_NAMES[i]));
    return json_pack("{s:o s:o}", "states", states, "transitions", rows);
}

json_t *wf_table_json(void)
{
    json_t *out = table_json(WF_TABLE, WF_TABLE_COUNT);
    json_object_set_new(out, "records", json_pack("{s:o s:o}", "inspection",
                                                  table_json(WF_INSPECTION_TABLE, WF_INSPECTION_TABLE_COUNT),
                                                  "incident", table_json(WF_INCIDENT_TABLE, WF_INCIDENT_TABLE_COUNT)));
    return out;
}
