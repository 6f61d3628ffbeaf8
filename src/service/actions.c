/* actions.c — executes the workflow table of core/workflow.c for one filing: finds the row for
 * (state, action), checks the caller's role and party, evaluates the guards, applies the side
 * effects of the new state (versions, clocks, numbers, visibility), writes it in one transaction
 * and appends the audit entry. Nothing here restates the table. */
#include "service/filings.h"
#include "core/clock.h"
#include "service/filing_facts.h"
#include "service/change_reports.h"
#include "service/app_internal.h"
#include "service/audit.h"
#include "service/review_drafts.h"
#include "service/proofs.h"
#include "service/auth.h"
#include "service/input.h"
#include "service/materials.h"
#include "service/providers.h"
#include "core/date.h"
#include "core/sha256.h"
#include "core/workflow.h"
#include "policy/schema.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int64_t jint(const json_t *o, const char *k) { return json_integer_value(json_object_get(o, k)); }
static const char *jstr(const json_t *o, const char *k) { return json_string_value(json_object_get(o, k)); }

static bool in_party(const struct principal *who, const json_t *row, enum wf_party party)
{
    switch (party) {
    case PARTY_OWNER: return jint(row, "org_id") == who->org_id && strcmp(who->org_kind, "enterprise") == 0;
    case PARTY_PROVIDER: return jint(row, "provider_org_id") == who->org_id && strcmp(who->org_kind, "provider") == 0;
    case PARTY_AUTHORITY: return jint(row, "authority_org_id") == who->org_id && strcmp(who->org_kind, "authority") == 0;
    }
    return false;
}

struct guard_ctx {
    struct app *a;
    struct store_conn *c;
    const struct principal *who;
    const json_t *row;
    bool stored_findings;   /* for allowed_actions: judge by the findings of the last save instead of
                             * evaluating the document afresh (a read never runs the policy) */
};

/* Guard verdicts: PASS, SKIP (a selector that does not choose this row), or FAIL (refuse). */
enum verdict { PASS, SKIP, FAIL };

/* The stored findings of raw rows, parsed, per thread (a read of an unchanged filing parses them
 * once): the actions a GET offers are judged by them. Kept with their text, which a later read
 * compares byte for byte (cheaper than hashing it); FINDINGS_MEMO texts of at most
 * FINDINGS_MEMO_MAX bytes per thread, freed when the thread ends. */
#define FINDINGS_MEMO 8
#define FINDINGS_MEMO_MAX ((size_t)256 * 1024)
struct findings_memo { char *text[FINDINGS_MEMO]; size_t len[FINDINGS_MEMO]; json_t *parsed[FINDINGS_MEMO]; int next; };
static pthread_key_t findings_key;
static pthread_once_t findings_once = PTHREAD_ONCE_INIT;

static void findings_memo_free(void *p)
{
    struct findings_memo *m = p;
    for (int i = 0; i < FINDINGS_MEMO; i++) { free(m->text[i]); json_decref(m->parsed[i]); }
    free(m);
}

static void findings_key_create(void) { pthread_key_create(&findings_key, findings_memo_free); }

/* The parsed findings of a raw row's text, borrowed (valid until this thread's next call); NULL
 * when the text is not JSON or memory ran out. */
static const json_t *stored_findings_parsed(const char *text)
{
    size_t len = strlen(text);
    pthread_once(&findings_once, findings_key_create);
    struct findings_memo *m = pthread_getspecific(findings_key);
    if (!m && (m = calloc(1, sizeof *m))) pthread_setspecific(findings_key, m);
    if (m)
        for (int i = 0; i < FINDINGS_MEMO; i++)
            if (m->parsed[i] && m->len[i] == len && memcmp(m->text[i], text, len) == 0) return m->parsed[i];
    json_t *parsed = json_loadb(text, len, 0, NULL);
    char *copy = m && parsed && len <= FINDINGS_MEMO_MAX ? malloc(len + 1) : NULL;
    if (!copy) {   /* not kept: this call's answer only, freed at the next */
        static _Thread_local json_t *unkept;
        json_decref(unkept);
        return unkept = parsed;
    }
    memcpy(copy, text, len + 1);
    int slot = m->next;
    m->next = (m->next + 1) % FINDINGS_MEMO;
    free(m->text[slot]);
    json_decref(m->parsed[slot]);
    m->text[slot] = copy;
    m->len[slot] = len;
    m->parsed[slot] = parsed;
    return parsed;
}

/* Evaluates the row afresh (the pack in force, the provider's registry entry and the attached
 * materials may have changed since the last save; the row keeps the new findings) and returns its
 * error findings, leaving out those whose rule the filer asked to override: they wait for the
 * reviewer. */
static json_t *blocking_errors(const struct guard_ctx *g)
{
    const json_t *f;
    if (g->stored_findings) {
        f = json_object_get(g->row, "findings");
        if (json_is_string(f)) f = stored_findings_parsed(json_string_value(f));   /* a raw row */
    } else {
        filing_evaluate(g->a, g->c, (json_t *)g->row);
        f = json_object_get(g->row, "findings");
    }
    json_t *asked = NULL;   /* read once there is an error to weigh: a filing without errors asks nothing */
    json_t *blocking = json_array();
    size_t i, k;
    json_t *x, *rule;
    json_array_foreach(f, i, x) {
        if (strcmp(jstr(x, "severity"), "error") != 0) continue;
        if (!asked) asked = filing_override_rules(g->c, jint(g->row, "id"), "requested");
        bool waits = false;
        json_array_foreach(asked, k, rule) if (strcmp(json_string_value(rule), jstr(x, "rule")) == 0) waits = true;
        if (!waits) json_array_append(blocking, x);
    }
    json_decref(asked);
    return blocking;
}

/* The stable code of a refusal by a guard, for allowed_actions' reasons and the 409's "reason". */
static void reason_code(struct err *e, const char *code)
{
    err_extra(e, "reason", json_string(code));
}

static enum verdict guard_check(const struct guard_ctx *g, enum wf_guard guard, struct err *e)
{
    switch (guard) {
    case GUARD_NONE: return PASS;
    case GUARD_COMPLETE:
    case GUARD_NO_STANDING_ERRORS: {
        json_t *blocking = blocking_errors(g);
        size_t errors = json_array_size(blocking);
        if (errors == 0) { json_decref(blocking); return PASS; }
        if (guard == GUARD_COMPLETE) {
            err_set(e, ERR_INCOMPLETE, jstr(json_array_get(blocking, 0), "path"),
                    "the filing is not complete: %zu item(s) to fix before it can be checked",
                    "备案内容不完整：提交审核前还有 %zu 项需要处理", errors);
            reason_code(e, "errors_remain");
        } else {   /* the reviewer's approve: something changed since the filing was submitted */
            err_set(e, ERR_CONFLICT, jstr(json_array_get(blocking, 0), "path"),
                    "%zu error finding(s) stand against the filing as it is today (%s): request rectification or reject",
                    "按当前情况，该备案仍有 %zu 项错误（%s）：请要求整改或不予备案", errors,
                    jstr(json_array_get(blocking, 0), "rule"));
            reason_code(e, "standing_errors");
        }
        err_extra(e, "findings", blocking);
        return FAIL;
    }
    case GUARD_SYSTEM_FREE: {
        if (strcmp(jstr(g->row, "kind"), "initial") != 0) return PASS;   /* a change amends its record */
        json_t *other = store_system_other_live_filing(g->c, jint(g->row, "system_id"), jint(g->row, "id"));
        if (!other) return PASS;
        err_extra(e, "filing_id", json_integer(jint(other, "id")));
        if (strcmp(jstr(other, "state"), "filed") == 0)
            err_set(e, ERR_CONFLICT, NULL, "this system is already filed (number %s): report a change on that filing instead",
                    "该业务系统已备案（备案号 %s）：请在该备案上报告变更", jstr(other, "number") ? jstr(other, "number") : "-");
        else
            err_set(e, ERR_CONFLICT, NULL, "filing %lld of this system is already under way (%s)",
                    "该业务系统的备案 %lld 正在办理中（%s）", (long long)jint(other, "id"), jstr(other, "state"));
        err_extra(e, "rule", json_string("system_free"));
        reason_code(e, strcmp(jstr(other, "state"), "filed") == 0 ? "system_filed" : "system_filing_open");
        json_decref(other);
        return FAIL;
    }
    case GUARD_NOT_LAST_EDITOR:
        if (jint(g->row, "last_editor_id") != g->who->user_id) return PASS;
        err_set(e, ERR_CONFLICT, NULL, "maker–checker: the person who last edited the document cannot approve the check",
                "多人审核：最后编辑备案内容的人不能通过内部审核");
        err_extra(e, "rule", json_string("maker_checker"));
        reason_code(e, "maker_checker");
        return FAIL;
    case GUARD_RESUBMIT_SAME_PROVIDER: {
        const char *from = jstr(g->row, "check_from");
        if (!from || strcmp(from, "rectification") != 0) return SKIP;
        /* the provider section as the authority last saw it: the version before the current one */
        int n = (int)jint(g->row, "current_version");
        json_t *prev = n > 1 ? store_version_get(g->c, jint(g->row, "id"), n - 1) : NULL;
        const json_t *before = json_at_pointer(json_object_get(prev, "document"), "/provider");
        const json_t *now = json_at_pointer(json_object_get(g->row, "document"), "/provider");
        bool same = before && now && json_equal((json_t *)before, (json_t *)now);
        json_decref(prev);
        return same ? PASS : SKIP;
    }
    case GUARD_OVERRIDES_DECIDED: {
        json_t *asked = filing_override_rules(g->c, jint(g->row, "id"), "requested");
        size_t n = json_array_size(asked);
        json_decref(asked);
        if (n == 0) return PASS;
        err_set(e, ERR_CONFLICT, NULL, "decide the %zu override request(s) of this filing first",
                "请先处理该备案的 %zu 项豁免申请", n);
        err_extra(e, "rule", json_string("overrides_decided"));
        reason_code(e, "overrides_pending");
        return FAIL;
    }
    case GUARD_RECORD_NO_OPEN_CHANGE: {
        if (strcmp(jstr(g->row, "kind"), "initial") != 0) {
            err_set(e, ERR_CONFLICT, NULL, "act on the filed record, not on the change filing",
                    "请对原备案记录执行该操作，而不是对变更备案");
            reason_code(e, "not_the_record");
            return FAIL;
        }
        if (store_filing_has_open_change(g->c, jint(g->row, "id"))) {
            err_set(e, ERR_CONFLICT, NULL, "a change filing of this record is already in progress",
                    "该备案已有进行中的变更备案");
            reason_code(e, "change_open");
            return FAIL;
        }
        char day[11];
        date_format(date_from_unix(clock_now()), day);
        int64_t minor = store_filing_minor_in_window(g->c, jint(g->row, "id"), day);
        if (!minor) return PASS;
        /* the record must not move again while the authority may still object (and revert it) */
        err_extra(e, "filing_id", json_integer(minor));
        err_set(e, ERR_CONFLICT, NULL, "the minor change %lld of this record is within the authority's objection window",
                "该备案的一般变更 %lld 仍在备案管理部门可提出异议的期限内", (long long)minor);
        reason_code(e, "change_in_objection_window");
        return FAIL;
    }
    case GUARD_MINOR_CHANGE: {
        /* a change the pack calls minor, never objected to, with a window the pack defines */
        char due[11];
        if (strcmp(jstr(g->row, "kind"), "change") != 0 || jstr(g->row, "objected_at") || !change_is_minor(g->row) ||
            !change_objection_due(g->a, g->row, due))
            return SKIP;
        return PASS;
    }
    case GUARD_OBJECTION_WINDOW:
        if (change_objection_open(g->row)) return PASS;
        err_set(e, ERR_CONFLICT, NULL, "the window to object to this minor change ended on %s: the change is final",
                "对该一般变更提出异议的期限已于 %s 届满，变更已为最终结果",
                jstr(g->row, "objection_due") ? jstr(g->row, "objection_due") : "-");
        reason_code(e, "objection_window_closed");
        return FAIL;
    }
    return FAIL;
}

/* The row of the table that applies, or NULL with e saying why (409 with state, action, roles). */
/* Who may take an action at all, and from which states: the explanation of a 409. */
static void explain_refusal(enum wf_action act, enum wf_state st, bool state_ok, bool role_ok, struct err *e)
{
    json_t *roles = json_array(), *states = json_array();
    unsigned role_bits = 0;
    for (int i = 0; i < WF_TABLE_COUNT; i++) {
        const struct wf_transition *t = &WF_TABLE[i];
        if (t->action != act) continue;
        role_bits |= t->roles;
        bool listed = false;
        for (int k = 0; k < i; k++)
            if (WF_TABLE[k].action == act && WF_TABLE[k].from == t->from) listed = true;
        if (!listed) json_array_append_new(states, json_string(wf_state_name(t->from)));
    }
    for (int b = 0; b < ROLE__COUNT; b++)
        if (role_bits & (1u << b)) json_array_append_new(roles, json_string(wf_role_name(1u << b)));
    err_extra(e, "state", json_string(wf_state_name(st)));
    err_extra(e, "action", json_string(wf_action_name(act)));
    err_extra(e, "allowed_roles", roles);
    err_extra(e, "allowed_states", states);
    if (!state_ok)
        err_set(e, ERR_CONFLICT, NULL, "%s is not possible while the filing is %s", "不能执行 %s：备案处于 %s 状态",
                wf_action_name(act), wf_state_name(st));
    else if (!role_ok)
        err_set(e, ERR_CONFLICT, NULL, "%s is not yours to do on this filing (state %s)",
                "您无权对该备案执行 %s（当前状态 %s）", wf_action_name(act), wf_state_name(st));
    else
        err_set(e, ERR_CONFLICT, NULL, "%s is not possible now", "当前不能执行 %s", wf_action_name(act));
}

/* The row of the table that applies, or NULL with e saying why: 409 with the state, the action
 * and who may take it, or the guard's refusal. *mine (when not NULL) tells whether the caller may
 * take the action in this state at all, whatever the guards say; an action not the caller's is
 * then not explained (allowed_actions lists only the caller's). */
static const struct wf_transition *find_transition(const struct guard_ctx *g, enum wf_action act, struct err *e,
                                                   bool *mine)
{
    if (mine) *mine = false;
    enum wf_state st = wf_state_parse(jstr(g->row, "state"));
    bool state_ok = false, role_ok = false;
    for (int i = 0; i < WF_TABLE_COUNT; i++) {
        const struct wf_transition *t = &WF_TABLE[i];
        if (t->action != act || t->from != st) continue;
        state_ok = true;
        if (!(g->who->roles & t->roles) || !in_party(g->who, g->row, t->party)) continue;
        role_ok = true;
        if (mine) *mine = true;
        enum verdict v = PASS;
        for (int k = 0; k < 2 && v == PASS; k++) v = guard_check(g, t->guards[k], e);
        if (v == FAIL) return NULL;
        if (v == PASS) return t;
    }
    if (!mine || *mine) explain_refusal(act, st, state_ok, role_ok, e);
    return NULL;
}

/* {"action", "possible", "reason": {"code","zh","en"} when not possible} */
static json_t *action_entry(enum wf_action act, bool possible, const struct err *why)
{
    json_t *entry = json_pack("{s:s s:b}", "action", wf_action_name(act), "possible", possible);
    if (!possible) {
        const char *code = json_string_value(json_object_get(why->extra, "reason"));
        json_object_set_new(entry, "reason", json_pack("{s:s s:s s:s}", "code", code ? code : "not_now", "zh",
                                                       why->detail_zh, "en", why->detail_en));
    }
    return entry;
}

void filing_actions_for(struct app *a, const struct principal *who, const json_t *row, json_t **possible,
                        json_t **actions)
{
    *possible = json_array();
    *actions = json_array();
    struct guard_ctx g = {a, store_reader(a->store), who, row, true};
    struct err e = {0};   /* 1.3 KB: cleared only after an action that said why not */
    for (int act = 0; act < ACT__COUNT; act++) {
        bool mine;
        const struct wf_transition *t = find_transition(&g, (enum wf_action)act, &e, &mine);
        if (t) json_array_append_new(*possible, json_string(wf_action_name((enum wf_action)act)));
        if (t || mine) json_array_append_new(*actions, action_entry((enum wf_action)act, t != NULL, &e));
        if (e.code || e.extra) err_clear(&e);
    }
}

json_t *filing_allowed_actions(struct app *a, const struct principal *who, const json_t *row)
{
    json_t *possible, *actions;
    filing_actions_for(a, who, row, &possible, &actions);
    json_decref(actions);
    return possible;
}

/* ----------------------------------------------------------------------------- side effects */

struct act_job {
    struct app *a;
    const struct principal *who;
    int64_t id;
    enum wf_action action;
    const char *comment, *reason;
    const char *effective_on;   /* report_change: the day the change took (takes) effect */
    const json_t *items;
    json_t *result_row;
    int64_t change_id;
};

static void now_text(char *buf) { time_format_rfc3339(clock_now(), buf); }
static day_t today(void) { return date_from_unix(clock_now()); }

/* The same pins on filing version (filing_id, n) as on (from_id, from_n). */
static int copy_pins(struct store_conn *c, int64_t from_id, int from_n, int64_t filing_id, int n, struct err *e)
{
    json_t *pins = store_material_pins(c, from_id, from_n);
    int rc = 0;
    size_t i;
    json_t *p;
    json_array_foreach(pins, i, p) {
        rc = store_material_pin(c, filing_id, n, jint(p, "material_id"), (int)jint(p, "material_version"),
                                jstr(p, "sha256"), e);
        if (rc != 0) break;
    }
    json_decref(pins);
    return rc;
}

/* Freezes the row's document as its next version. The version pins the materials it attaches:
 * their current versions, or — pins_from, when not NULL — the versions another filing version
 * pinned (an approved change takes the ones the reviewer saw, not what was uploaded since). */
static int freeze_version(struct store_conn *c, struct act_job *j, json_t *row, const char *action,
                         const json_t *pins_from, struct err *e)
{
    int n = (int)jint(row, "current_version") + 1;
    char sha[65];
    const json_t *doc = json_object_get(row, "document");
    sha256_json_hex(doc, sha);
    int rc = store_version_insert(c, jint(row, "id"), n, doc, sha, action, j->who->user_id,
                                  json_object_get(row, "findings"), jstr(row, "pack"), e);
    if (rc == 0)
        rc = pins_from ? copy_pins(c, jint(pins_from, "id"), (int)jint(pins_from, "current_version"), jint(row, "id"), n, e)
                       : materials_pin_version(c, j->a->pack, jint(row, "id"), n, doc, e);
    if (rc == 0) {
        json_object_set_new(row, "current_version", json_integer(n));
        char now[32];
        now_text(now);
        json_object_set_new(row, "version_date", json_string(now));
    }
    return rc;
}

/* The due date in the working-day calendar of the filing's pack in force today (an updated
 * calendar arrives as a new pack version). Past the calendar's coverage it is an estimate: the
 * view says so (filing_view's due_estimated). */
static void set_due(struct app *a, json_t *row, int working_days)
{
    char due[11];
    const struct pack *p = app_pack_in_force(a, jstr(row, "pack"), today());
    date_format(calendar_add_working_days(p->calendar, today(), working_days), due);
    json_object_set_new(row, "due_at", json_string(due));
}

/* Jurisdiction follows the organisation: the authority of its registered region reviews the
 * filing, whatever region the document names (RECORD-JURISDICTION holds that one inside). */
static int assign_authority(struct store_conn *c, json_t *row, struct err *e)
{
    json_t *auth = filing_authority_of_org(c, jint(row, "org_id"));
    if (!auth)
        return err_set(e, ERR_INCOMPLETE, "/subject/region_code",
                       "no filing authority covers the region your organisation is registered in",
                       "没有备案管理部门管辖本单位的登记地");
    json_object_set(row, "authority_org_id", json_object_get(auth, "id"));
    json_decref(auth);
    return 0;
}

static int format_number(struct store_conn *c, json_t *row, struct err *e)
{
    json_t *auth = store_org_get(c, jint(row, "authority_org_id"));
    if (!auth) return err_set(e, ERR_INTERNAL, NULL, "the filing has no authority", "备案没有管理部门");
    int y, m, d;
    date_to_ymd(today(), &y, &m, &d);
    int64_t seq = store_next_number_seq(c, jint(auth, "id"), y, e);
    if (seq < 0) { json_decref(auth); return -1; }
    /* the authority's format: {region} {year} {seq:0N} */
    const char *fmt = jstr(auth, "number_format");
    char out[128] = "";
    size_t used = 0;
    for (const char *p = fmt; *p && used < sizeof out - 1;) {
        char piece[256] = "";
        if (strncmp(p, "{region}", 8) == 0) { snprintf(piece, sizeof piece, "%s", jstr(auth, "region")); p += 8; }
        else if (strncmp(p, "{year}", 6) == 0) { snprintf(piece, sizeof piece, "%d", y); p += 6; }
        else if (strncmp(p, "{seq:0", 6) == 0 && p[6] >= '1' && p[6] <= '9' && p[7] == '}') {
            snprintf(piece, sizeof piece, "%0*lld", p[6] - '0', (long long)seq); p += 8;
        } else if (strncmp(p, "{seq}", 5) == 0) { snprintf(piece, sizeof piece, "%lld", (long long)seq); p += 5; }
        else { piece[0] = *p++; piece[1] = 0; }
        used += (size_t)snprintf(out + used, sizeof out - used, "%s", piece);
    }
    json_decref(auth);
    json_object_set_new(row, "number", json_string(out));
    return 0;
}

/* The record a change filing amends, which must still be filed (not revoked while the change was
 * open); NULL with e otherwise. */
static json_t *record_of(struct store_conn *c, const json_t *row, struct err *e)
{
    json_t *parent = store_filing_get(c, jint(row, "parent_id"));
    if (!parent) {
        err_set(e, ERR_INTERNAL, NULL, "the changed record is missing", "被变更的备案记录缺失");
        return NULL;
    }
    if (strcmp(jstr(parent, "state"), "filed") != 0) {
        err_extra(e, "record_state", json_string(jstr(parent, "state")));
        err_set(e, ERR_CONFLICT, NULL, "the record this change would amend is %s", "被变更的备案记录已处于 %s 状态",
                jstr(parent, "state"));
        json_decref(parent);
        return NULL;
    }
    return parent;
}

/* The record takes `document` as its new version (`version_action`), pinning the materials of
 * pins_from's current version, and keeps its number; the audit says `audit_action`. */
static int record_set_document(struct store_conn *c, struct act_job *j, json_t *parent, const json_t *document,
                               const json_t *type, const char *version_action, const json_t *pins_from,
                               const char *audit_action, json_t *detail, struct err *e)
{
    char before[65], after[65];
    sha256_json_hex(json_object_get(parent, "document"), before);
    json_object_set(parent, "document", (json_t *)document);
    filing_derive_columns(parent);
    filing_evaluate(j->a, c, parent);
    if (type) json_object_set(parent, "type", (json_t *)type);
    json_object_set_new(parent, "revision", json_integer(jint(parent, "revision") + 1));
    struct act_job pj = *j;
    pj.id = jint(parent, "id");
    if (freeze_version(c, &pj, parent, version_action, pins_from, e) != 0) return -1;
    json_object_set_new(parent, "record_version", json_integer(jint(parent, "current_version")));
    sha256_json_hex(json_object_get(parent, "document"), after);
    if (store_filing_update(c, parent, e) != 0) return -1;
    return audit_record(c, j->who, audit_action, "filing", pj.id, pj.id, jint(parent, "org_id"), before, after, detail, e);
}

/* The change filing `row` goes on its record: the record moves to the change's document as a new
 * version under the same number (an approved change, or a minor one recorded at once). */
static int record_take_change(struct store_conn *c, struct act_job *j, json_t *row, const char *version_action,
                              struct err *e)
{
    json_t *parent = record_of(c, row, e);
    if (!parent) return -1;
    json_t *d = json_pack("{s:I s:s?}", "change_filing_id", (json_int_t)j->id, "class", jstr(row, "change_class"));
    int rc = record_set_document(c, j, parent, json_object_get(row, "document"), json_object_get(row, "type"),
                                 version_action, row, "filing.change_applied", d, e);
    json_decref(d);
    json_decref(parent);
    return rc;
}

/* The authority objects to a recorded minor change: the record goes back to the version before it
 * (a new version with that document and its pins), and the change filing gets the full review. */
static int record_undo_change(struct store_conn *c, struct act_job *j, json_t *row, struct err *e)
{
    json_t *parent = record_of(c, row, e);
    if (!parent) return -1;
    int n = (int)jint(parent, "current_version");
    json_t *prev = n > 1 ? store_version_get(c, jint(parent, "id"), n - 1) : NULL;
    int rc;
    if (!prev || !json_equal(json_object_get(parent, "document"), json_object_get(row, "document"))) {
        /* the record moved on since (cannot happen while the window guards it): refuse, change nothing */
        rc = err_set(e, ERR_CONFLICT, NULL, "the record no longer carries this change", "备案记录已不再是该变更后的内容");
    } else {
        json_t *pins = json_pack("{s:I s:i}", "id", (json_int_t)jint(parent, "id"), "current_version", n - 1);
        json_t *d = json_pack("{s:I s:s?}", "change_filing_id", (json_int_t)j->id, "reason", j->reason);
        rc = record_set_document(c, j, parent, json_object_get(prev, "document"), NULL, "change_objected", pins,
                                 "filing.change_reverted", d, e);
        json_decref(d);
        json_decref(pins);
    }
    json_decref(prev);
    json_decref(parent);
    return rc;
}

/* The effects of entering `to` from `from` by `t`. */
static int apply_effects(struct store_conn *c, struct act_job *j, const struct wf_transition *t, json_t *row,
                         enum wf_state from, enum wf_state to, struct err *e)
{
    char now[32];
    now_text(now);
    switch (t->action) {
    case ACT_SUBMIT_FOR_CHECK:
        if (assign_authority(c, row, e) != 0) return -1;
        json_object_set_new(row, "check_from", json_string(wf_state_name(from)));
        return freeze_version(c, j, row, "submit_for_check", NULL, e);
    case ACT_APPROVE_CHECK:
        if (strcmp(jstr(row, "kind"), "change") == 0 && !jstr(row, "reported_on")) {
            /* the change report leaves the enterprise today: its lateness is judged on this day */
            char day[11];
            date_format(today(), day);
            json_object_set_new(row, "reported_on", json_string(day));
            filing_evaluate(j->a, c, row);
        }
        if (to == ST_MINOR_RECORDED) {
            /* on the record at once; the authority is told and may object within its window */
            char due[11];
            if (!change_objection_due(j->a, row, due))
                return err_set(e, ERR_INTERNAL, NULL, "the policy pack has no objection window", "策略包未规定异议期限");
            json_object_set_new(row, "objection_due", json_string(due));
            json_object_set_new(row, "authority_visible", json_integer(1));
            json_object_set_new(row, "submitted_at", json_string(now));
            json_object_set_new(row, "filed_at", json_string(now));
            json_object_set_new(row, "record_version", json_integer(jint(row, "current_version")));
            json_t *d = json_pack("{s:s s:O}", "objection_due", due, "change", json_object_get(json_object_get(row, "derived"), "change"));
            int rc = audit_record(c, j->who, "filing.change_recorded", "filing", j->id, j->id, jint(row, "org_id"), NULL,
                                  NULL, d, e);
            json_decref(d);
            return rc != 0 ? rc : record_take_change(c, j, row, "change_recorded", e);
        }
        /* to under_review only with the provider section the provider confirmed: it sees it again
         * even if an edit in between named another provider for a while */
        json_object_set_new(row, "provider_visible", json_integer(1));
        if (to == ST_UNDER_REVIEW || to == ST_PROVIDER_CONFIRMATION) {
            /* a resubmission resumes the paused review clock */
            json_t *pr = json_object_get(row, "paused_remaining");
            if (json_is_integer(pr)) {
                set_due(j->a, row, (int)json_integer_value(pr));
                json_object_set_new(row, "paused_remaining", json_null());
            }
        }
        return 0;
    case ACT_CONFIRM_HOSTING:
        if (provider_check_hosting(c, row, e) != 0) return -1;   /* platform and data centres are its own */
        filing_evaluate(j->a, c, row);   /* with the registry entry the provider has just vouched for */
        json_object_set_new(row, "authority_visible", json_integer(1));
        if (json_is_null(json_object_get(row, "submitted_at")) || !json_object_get(row, "submitted_at")) {
            json_object_set_new(row, "submitted_at", json_string(now));
            set_due(j->a, row, pack_review_working_days(app_pack_in_force(j->a, jstr(row, "pack"), today()),
                                                        jstr(row, "type")));
        }
        return 0;
    case ACT_ACCEPT:
        json_object_set_new(row, "reviewer_id", json_integer(j->who->user_id));
        filing_evaluate(j->a, c, row);   /* the reviewer starts from findings as of today */
        return 0;
    case ACT_REQUEST_RECTIFICATION: {
        const char *due = jstr(row, "due_at");
        day_t d;
        int remaining = 0;
        if (due && date_parse(due, &d) == 0)
            remaining = calendar_working_days_between(app_pack_in_force(j->a, jstr(row, "pack"), today())->calendar,
                                                      today(), d);
        json_object_set_new(row, "paused_remaining", json_integer(remaining < 0 ? 0 : remaining));
        if (store_rectification_insert(c, j->id, (int)jint(row, "current_version"), j->who->user_id, j->comment,
                                       j->items, e) < 0)
            return -1;
        return 0;
    }
    case ACT_APPROVE:
        json_object_set_new(row, "decided_at", json_string(now));
        json_object_set_new(row, "filed_at", json_string(now));
        json_object_set_new(row, "record_version", json_integer(jint(row, "current_version")));
        if (strcmp(jstr(row, "kind"), "change") == 0)
            return record_take_change(c, j, row, "change_approved", e);
        return format_number(c, row, e);
    case ACT_OBJECT:
        if (record_undo_change(c, j, row, e) != 0) return -1;
        json_object_set_new(row, "objected_at", json_string(now));
        json_object_set_new(row, "reviewer_id", json_integer(j->who->user_id));
        json_object_set_new(row, "filed_at", json_null());
        json_object_set_new(row, "record_version", json_null());
        filing_evaluate(j->a, c, row);   /* against the record as it is again */
        set_due(j->a, row, pack_review_working_days(app_pack_in_force(j->a, jstr(row, "pack"), today()),
                                                    jstr(row, "type")));
        return 0;
    case ACT_REJECT:
    case ACT_WITHDRAW:
    case ACT_CANCEL:
    case ACT_REVOKE:
        json_object_set_new(row, "decided_at", json_string(now));
        return 0;
    case ACT_REPORT_CHANGE: {
        json_t *ch = json_pack("{s:O s:O s:s s:O s:s s:O s:O s:I}", "system_id", json_object_get(row, "system_id"),
                               "org_id", json_object_get(row, "org_id"), "kind", "change", "parent_id",
                               json_object_get(row, "id"), "state", "draft", "document",
                               json_object_get(row, "document"), "pack", json_object_get(row, "pack"),
                               "last_editor_id", (json_int_t)j->who->user_id);
        json_object_set(ch, "type", json_object_get(row, "type"));
        json_object_set_new(ch, "effective_on", json_string(j->effective_on));
        filing_derive_columns(ch);
        filing_evaluate(j->a, c, ch);   /* with the change's classification (the same document: no change yet) */
        j->change_id = store_filing_insert(c, ch, e);
        json_object_set_new(ch, "id", json_integer(j->change_id));
        int crc = j->change_id < 0 ? -1 : store_filing_update_change(c, ch, e);
        json_decref(ch);
        if (crc != 0) return -1;
        return audit_record(c, j->who, "filing.create", "filing", j->change_id, j->change_id, jint(row, "org_id"),
                            NULL, NULL, NULL, e);
    }
    default:
        return 0;
    }
}

static int check_needs(struct act_job *j, const struct wf_transition *t, struct err *e)
{
    if ((t->needs & NEEDS_COMMENT) && !j->comment)
        return err_set(e, ERR_VALIDATION, "/comment", "%s needs a comment", "%s 需要填写意见", wf_action_name(t->action));
    if ((t->needs & NEEDS_REASON) && !j->reason)
        return err_set(e, ERR_VALIDATION, "/reason", "%s needs a reason", "%s 需要填写理由", wf_action_name(t->action));
    if ((t->needs & NEEDS_EFFECTIVE_ON) && !j->effective_on)
        return err_set(e, ERR_VALIDATION, "/effective_on", "%s needs effective_on: the day the change took or takes effect",
                       "%s 需要填写 effective_on：变更生效的日期", wf_action_name(t->action));
    if (t->needs & NEEDS_ITEMS) {
        if (!json_is_array(j->items) || json_array_size(j->items) == 0 || json_array_size(j->items) > 100)
            return err_set(e, ERR_VALIDATION, "/items", "%s needs 1 to 100 items, each {path, message}",
                           "%s 需要1至100个整改事项，每项包含 path 和 message", wf_action_name(t->action));
        return review_items_check(j->a->pack, j->items, e);
    }
    return 0;
}

static int act_job_fn(struct store_conn *c, void *arg, struct err *e)
{
    struct act_job *j = arg;
    json_t *row = store_filing_get(c, j->id);
    if (!filing_visible(j->who, row)) {
        json_decref(row);
        return err_set(e, ERR_NOT_FOUND, NULL, "no such filing", "备案不存在");
    }
    int rc = -1;
    struct guard_ctx g = {j->a, c, j->who, row, false};
    const struct wf_transition *t = find_transition(&g, j->action, e, NULL);
    if (!t || check_needs(j, t, e) != 0) goto out;
    enum wf_state from = wf_state_parse(jstr(row, "state"));
    enum wf_state to = t->to == ST_PREVIOUS ? wf_state_parse(jstr(row, "check_from"))
                       : t->to == ST_SAME   ? from
                                            : t->to;
    if (to == ST_NONE) to = ST_DRAFT;
    char before[65];
    sha256_json_hex(json_object_get(row, "document"), before);
    if (apply_effects(c, j, t, row, from, to, e) != 0) goto out;
    if (to == ST_RECTIFICATION || from == ST_RECTIFICATION) {
        if (from == ST_RECTIFICATION && to != ST_RECTIFICATION && store_rectification_close_open(c, j->id, e) != 0)
            goto out;
    }
    /* a step out of review (the request sent, a decision) ends the reviewers' drafts of a request */
    if (from == ST_UNDER_REVIEW && to != ST_UNDER_REVIEW && review_drafts_clear(c, j->id, e) != 0) goto out;
    json_object_set_new(row, "state", json_string(wf_state_name(to)));
    if (store_filing_update(c, row, e) != 0) goto out;
    if (strcmp(jstr(row, "kind"), "change") == 0 && store_filing_update_change(c, row, e) != 0) goto out;
    json_t *detail = json_pack("{s:s s:s}", "from", wf_state_name(from), "to", wf_state_name(to));
    if (j->comment) json_object_set_new(detail, "comment", json_string(j->comment));
    if (j->reason) json_object_set_new(detail, "reason", json_string(j->reason));
    if (j->items) json_object_set(detail, "items", (json_t *)j->items);
    if (j->change_id) json_object_set_new(detail, "change_filing_id", json_integer(j->change_id));
    char action[64];
    snprintf(action, sizeof action, "filing.%s", wf_action_name(j->action));
    rc = audit_record(c, j->who, action, "filing", j->id, j->id, jint(row, "org_id"), before, before, detail, e);
    json_decref(detail);
    /* a signed receipt of the step, and the certificate when it files, changes, ends a record */
    if (rc == 0) rc = proofs_after_action(c, j->a, j->who, wf_action_name(j->action), row, e);
    if (rc == 0) {
        j->result_row = row;
        row = NULL;
    }
out:
    json_decref(row);
    return rc;
}

json_t *filing_act(struct app *a, const struct principal *who, int64_t id, const char *action,
                   const json_t *in, struct err *e)
{
    static const char *const keys[] = {"comment", "reason", "items", "effective_on", NULL};
    enum wf_action act = wf_action_parse(action);
    struct act_job j = {.a = a, .who = who, .id = id, .action = act};
    if (in && (input_known_keys(in, keys, e) || input_text(in, "comment", false, 4000, &j.comment, e) ||
               input_text(in, "reason", false, 4000, &j.reason, e) ||
               input_text(in, "effective_on", false, 10, &j.effective_on, e)))
        return NULL;
    day_t eff;
    if (j.effective_on && date_parse(j.effective_on, &eff) != 0) {
        err_set(e, ERR_VALIDATION, "/effective_on", "effective_on must be a day written YYYY-MM-DD",
                "effective_on 应为 YYYY-MM-DD 格式的日期");
        return NULL;
    }
    j.items = in ? json_object_get(in, "items") : NULL;
    if (act == ACT_NONE) {
        err_set(e, ERR_NOT_FOUND, NULL, "there is no action called %s", "不存在名为 %s 的操作", action);
        return NULL;
    }
    if (store_write(a->store, act_job_fn, &j, e) != 0) return NULL;
    json_t *out = json_object();
    json_object_set_new(out, "filing", filing_view(a, who, j.result_row, true));
    json_decref(j.result_row);
    if (j.change_id) {
        json_t *ch = filing_get(a, who, j.change_id, e);
        if (ch) json_object_set_new(out, "change_filing", ch);
    }
    return out;
}
