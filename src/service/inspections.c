/* inspections.c — the self-inspection reports of filed records and their schedule (see
 * inspections.h). The report's workflow is WF_INSPECTION_TABLE (core/workflow.c); this file only
 * executes it: finds the row for (state, action), checks role, party and guards, applies the effects
 * and appends the audit entry, in one transaction. */
#include "service/inspections.h"
#include "service/app_internal.h"
#include "service/audit.h"
#include "service/auth.h"
#include "service/filing_facts.h"
#include "service/filings.h"
#include "service/input.h"
#include "core/clock.h"
#include "core/docdiff.h"
#include "core/workflow.h"
#include "policy/rules.h"
#include "policy/schema.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int64_t jint(const json_t *o, const char *k) { return json_integer_value(json_object_get(o, k)); }
static const char *jstr(const json_t *o, const char *k) { return json_string_value(json_object_get(o, k)); }
static day_t today(void) { return date_from_unix(clock_now()); }
static void now_text(char *buf) { time_format_rfc3339(clock_now(), buf); }

/* ---- the schedule -------------------------------------------------------------------------- */

static day_t add_months(day_t day, int months)
{
    static const int DAYS[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int y, m, d;
    date_to_ymd(day, &y, &m, &d);
    int total = y * 12 + (m - 1) + months;
    y = total / 12;
    m = total % 12 + 1;
    int last = DAYS[m - 1] + (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0));
    return date_from_ymd(y, m, d > last ? last : d);
}

static int cycle_months(const json_t *record)
{
    const json_t *derived = json_object_get(record, "derived");
    json_t *parsed = NULL;
    if (json_is_string(derived)) derived = parsed = json_loads(json_string_value(derived), 0, NULL);
    int months = (int)jint(derived, "self_inspection_months");
    json_decref(parsed);
    return months > 0 ? months : 12;
}

/* When the current cycle's scheduled report is due: its months after approval, or after the last
 * accepted scheduled report. */
static day_t next_due(struct store_conn *c, const json_t *record)
{
    day_t base = date_of_timestamp(jstr(record, "filed_at"));
    json_t *last = store_inspection_latest(c, jint(record, "id"), "scheduled");
    if (last && strcmp(jstr(last, "state"), "accepted") == 0 && date_of_timestamp(jstr(last, "decided_at")) > base)
        base = date_of_timestamp(jstr(last, "decided_at"));
    json_decref(last);
    return add_months(base, cycle_months(record));
}

json_t *inspection_schedule(struct store_conn *c, const json_t *record, day_t day)
{
    day_t due = next_due(c, record);
    char text[11];
    date_format(due, text);
    json_t *open = store_inspection_open(c, jint(record, "id"));
    json_t *ordered = json_array();
    bool scheduled_submitted = false;
    size_t i;
    json_t *r;
    json_array_foreach(open, i, r) {
        bool submitted = !json_is_null(json_object_get(r, "submitted_at"));
        if (strcmp(jstr(r, "kind"), "scheduled") == 0) {
            scheduled_submitted = scheduled_submitted || submitted;
            continue;
        }
        day_t d;
        bool late = date_parse(jstr(r, "due_on"), &d) == 0 && day > d && !submitted;
        json_array_append_new(ordered, json_pack("{s:I s:s s:b}", "id", (json_int_t)jint(r, "id"), "due_on",
                                                 jstr(r, "due_on"), "overdue", late));
    }
    /* overdue until a report of the cycle is submitted */
    bool overdue = day > due && !scheduled_submitted;
    return json_pack("{s:i s:s s:b s:o s:o}", "cycle_months", cycle_months(record), "next_due", text, "overdue",
                     overdue, "ordered", ordered, "open", open);
}

/* ---- visibility ---------------------------------------------------------------------------- */

static bool visible(const struct principal *who, const json_t *insp)
{
    if (!insp) return false;
    if (principal_is_admin(who)) return true;
    if (strcmp(who->org_kind, "enterprise") == 0) return jint(insp, "org_id") == who->org_id;
    if (strcmp(who->org_kind, "authority") == 0)
        return jint(insp, "authority_org_id") == who->org_id &&
               (strcmp(jstr(insp, "kind"), "ordered") == 0 || !json_is_null(json_object_get(insp, "submitted_at")));
    return false;
}

static json_t *load_visible(struct store_conn *c, const struct principal *who, int64_t id, struct err *e)
{
    json_t *insp = store_inspection_get(c, id);
    if (!visible(who, insp)) {
        json_decref(insp);
        err_set(e, ERR_NOT_FOUND, NULL, "no such inspection report", "自查报告不存在");
        return NULL;
    }
    return insp;
}

/* The filed record (an initial filing in state filed) the caller sees, or NULL with e. */
static json_t *load_record(struct store_conn *c, const struct principal *who, int64_t filing_id, struct err *e)
{
    json_t *row = filing_load_visible(c, who, filing_id, e);
    if (!row) return NULL;
    if (strcmp(jstr(row, "kind"), "initial") != 0 || strcmp(jstr(row, "state"), "filed") != 0) {
        err_extra(e, "state", json_string(jstr(row, "state")));
        err_set(e, ERR_CONFLICT, NULL, "only a filed record is inspected (this filing is %s)",
                "只有已备案的记录需要自查（该备案处于 %s 状态）", jstr(row, "state"));
        json_decref(row);
        return NULL;
    }
    return row;
}

/* ---- evaluation ---------------------------------------------------------------------------- */

/* The report's findings: its form's shape and completeness, the INSP- rules, and its material
 * references checked against the enterprise's materials. */
static json_t *evaluate(struct app *a, struct store_conn *c, const json_t *insp, const json_t *doc)
{
    const struct pack *p = app_pack_in_force(a, jstr(insp, "pack"), today());
    json_t *ctx = json_pack("{s:s}", "target", "inspection");
    json_t *findings = NULL, *derived = NULL;
    struct err e = {0};
    if (policy_check(p, doc, today(), ctx, &findings, &derived, &e) != 0) {
        findings = json_array();
        finding_add(findings, "POLICY-ENGINE", "error", "", e.detail_zh, e.detail_en, "beian");
    }
    err_clear(&e);
    json_decref(derived);
    json_decref(ctx);
    if (p->inspection_form) {
        json_t *m = filing_material_findings(c, p->inspection_form, doc, jint(insp, "org_id"), NULL);
        json_array_extend(findings, m);
        json_decref(m);
    }
    return findings;
}

/* ---- the workflow ---------------------------------------------------------------------------- */

struct guard_ctx { const struct principal *who; const json_t *insp; };

static bool in_party(const struct principal *who, const json_t *insp, enum wf_party party)
{
    if (party == PARTY_OWNER) return strcmp(who->org_kind, "enterprise") == 0 && jint(insp, "org_id") == who->org_id;
    if (party == PARTY_AUTHORITY)
        return strcmp(who->org_kind, "authority") == 0 && jint(insp, "authority_org_id") == who->org_id;
    return false;
}

static bool guard_holds(const struct guard_ctx *g, enum wf_guard guard, struct err *e)
{
    switch (guard) {
    case GUARD_NONE: return true;
    case GUARD_COMPLETE: {
        size_t errors = findings_errors(json_object_get(g->insp, "findings"));
        if (errors == 0) return true;
        err_set(e, ERR_INCOMPLETE, NULL, "the report is not complete: %zu item(s) to fix before it can be checked",
                "自查报告不完整：提交审核前还有 %zu 项需要处理", errors);
        err_extra(e, "reason", json_string("errors_remain"));
        return false;
    }
    case GUARD_NOT_LAST_EDITOR:
        if (jint(g->insp, "last_editor_id") != g->who->user_id) return true;
        err_set(e, ERR_CONFLICT, NULL, "maker–checker: the person who last edited the report cannot approve the check",
                "多人审核：最后编辑自查报告的人不能通过内部审核");
        err_extra(e, "reason", json_string("maker_checker"));
        return false;
    default:
        return true;   /* the report's table uses no other guard */
    }
}

/* The row for (state, action) the caller may take, or NULL with e; *mine: the caller has the
 * action in this state at all. */
static const struct wf_transition *find_row(const struct guard_ctx *g, enum wf_action act, struct err *e, bool *mine)
{
    enum wf_state st = wf_state_parse(jstr(g->insp, "state"));
    *mine = false;
    for (int i = 0; i < WF_INSPECTION_TABLE_COUNT; i++) {
        const struct wf_transition *t = &WF_INSPECTION_TABLE[i];
        if (t->action != act || t->from != st || !(g->who->roles & t->roles) || !in_party(g->who, g->insp, t->party))
            continue;
        *mine = true;
        if (guard_holds(g, t->guards[0], e) && guard_holds(g, t->guards[1], e)) return t;
        return NULL;
    }
    err_extra(e, "state", json_string(wf_state_name(st)));
    err_extra(e, "action", json_string(wf_action_name(act)));
    err_set(e, ERR_CONFLICT, NULL, "%s is not possible on this report now (state %s)", "当前不能对该自查报告执行 %s（状态 %s）",
            wf_action_name(act), wf_state_name(st));
    return NULL;
}

static void actions_of(const struct principal *who, const json_t *insp, json_t **possible, json_t **actions)
{
    *possible = json_array();
    *actions = json_array();
    struct guard_ctx g = {who, insp};
    for (int act = 0; act < ACT__COUNT; act++) {
        struct err e = {0};
        bool mine;
        const struct wf_transition *t = find_row(&g, (enum wf_action)act, &e, &mine);
        const char *name = wf_action_name((enum wf_action)act);
        if (t) json_array_append_new(*possible, json_string(name));
        if (t || mine) {
            json_t *entry = json_pack("{s:s s:b}", "action", name, "possible", t != NULL);
            if (!t) {
                const char *code = json_string_value(json_object_get(e.extra, "reason"));
                json_object_set_new(entry, "reason", json_pack("{s:s s:s s:s}", "code", code ? code : "not_now", "zh",
                                                               e.detail_zh, "en", e.detail_en));
            }
            json_array_append_new(*actions, entry);
        }
        err_clear(&e);
    }
}

static void etag_of(const json_t *insp, char *buf, size_t len)
{
    snprintf(buf, len, "\"i%lld-%lld\"", (long long)jint(insp, "id"), (long long)jint(insp, "revision"));
}

static json_t *view(struct app *a, const struct principal *who, json_t *insp)
{
    json_t *v = json_copy(insp);
    char etag[64];
    etag_of(insp, etag, sizeof etag);
    json_object_set_new(v, "etag", json_string(etag));
    json_t *possible, *actions;
    actions_of(who, insp, &possible, &actions);
    json_object_set_new(v, "allowed_actions", possible);
    json_object_set_new(v, "actions", actions);
    json_object_set_new(v, "notices", store_inspection_notices(store_reader(a->store), jint(insp, "id")));
    day_t due;
    json_object_set_new(v, "overdue", json_boolean(date_parse(jstr(insp, "due_on"), &due) == 0 && today() > due &&
                                                   json_is_null(json_object_get(insp, "submitted_at"))));
    json_t *record = store_filing_get(store_reader(a->store), jint(insp, "filing_id"));
    if (record) {
        json_object_set(v, "number", json_object_get(record, "number"));
        json_object_set(v, "system_name", json_object_get(record, "system_name"));
        json_object_set(v, "subject_name", json_object_get(record, "subject_name"));
    }
    json_decref(record);
    return v;
}

/* ---- use cases ------------------------------------------------------------------------------- */

struct insert_job { const struct principal *who; json_t *row; const char *action; int64_t id; };

static int insert_job_fn(struct store_conn *c, void *arg, struct err *e)
{
    struct insert_job *j = arg;
    /* one open report of a kind per record at a time (checked again inside the write) */
    if (strcmp(jstr(j->row, "kind"), "scheduled") == 0) {
        json_t *last = store_inspection_latest(c, jint(j->row, "filing_id"), "scheduled");
        bool open = last && strcmp(jstr(last, "state"), "accepted") != 0;
        if (open) err_extra(e, "inspection_id", json_integer(jint(last, "id")));
        json_decref(last);
        if (open)
            return err_set(e, ERR_CONFLICT, NULL, "the report of this cycle is already open", "本周期的自查报告已在办理中");
    }
    j->id = store_inspection_insert(c, j->row, e);
    if (j->id < 0) return -1;
    json_t *d = json_pack("{s:s s:s}", "kind", jstr(j->row, "kind"), "due_on", jstr(j->row, "due_on"));
    if (jstr(j->row, "reason")) json_object_set_new(d, "reason", json_string(jstr(j->row, "reason")));
    int rc = audit_record(c, j->who, j->action, "inspection", j->id, jint(j->row, "filing_id"), jint(j->row, "org_id"),
                          NULL, NULL, d, e);
    json_decref(d);
    return rc;
}

static json_t *insert(struct app *a, const struct principal *who, json_t *row, const char *action, struct err *e)
{
    struct insert_job j = {who, row, action, 0};
    int rc = store_write(a->store, insert_job_fn, &j, e);
    json_decref(row);
    return rc == 0 ? inspection_get(a, who, j.id, e) : NULL;
}

static json_t *new_row(struct app *a, const json_t *record, const char *kind, const char *due_on)
{
    char pack[128];
    snprintf(pack, sizeof pack, "%s", jstr(record, "pack") ? jstr(record, "pack") : a->pack->id);
    json_t *row = json_pack("{s:I s:I s:O s:s s:s s:s s:o s:s}", "filing_id", (json_int_t)jint(record, "id"), "org_id",
                            (json_int_t)jint(record, "org_id"), "authority_org_id",
                            json_object_get(record, "authority_org_id"), "kind", kind, "state", "draft", "due_on", due_on,
                            "document", json_object(), "pack", pack);
    json_object_set_new(row, "findings", evaluate(a, store_reader(a->store), row, json_object_get(row, "document")));
    return row;
}

json_t *inspection_start(struct app *a, const struct principal *who, int64_t filing_id, struct err *e)
{
    struct store_conn *c = store_reader(a->store);
    json_t *record = load_record(c, who, filing_id, e);
    if (!record) return NULL;
    if (strcmp(who->org_kind, "enterprise") != 0 || jint(record, "org_id") != who->org_id || !(who->roles & ROLE_FILER)) {
        json_decref(record);
        err_set(e, ERR_FORBIDDEN, NULL, "only a filer of the enterprise prepares its self-inspection report",
                "只有备案主体的填报人可以填写自查报告");
        return NULL;
    }
    char due[11];
    date_format(next_due(c, record), due);
    json_t *row = new_row(a, record, "scheduled", due);
    json_object_set_new(row, "created_by", json_integer(who->user_id));
    json_object_set_new(row, "last_editor_id", json_integer(who->user_id));
    json_decref(record);
    return insert(a, who, row, "inspection.start", e);
}

json_t *inspection_order(struct app *a, const struct principal *who, int64_t filing_id, const json_t *in, struct err *e)
{
    static const char *const keys[] = {"reason", "due_on", NULL};
    const char *reason, *due_on;
    day_t due;
    if (input_known_keys(in, keys, e) || input_text(in, "reason", true, 2000, &reason, e) ||
        input_text(in, "due_on", true, 10, &due_on, e))
        return NULL;
    if (date_parse(due_on, &due) != 0 || due <= today()) {
        err_set(e, ERR_VALIDATION, "/due_on", "due_on is a day after today, written YYYY-MM-DD", "due_on 应为今天之后的日期（YYYY-MM-DD）");
        return NULL;
    }
    struct store_conn *c = store_reader(a->store);
    json_t *record = load_record(c, who, filing_id, e);
    if (!record) return NULL;
    if (strcmp(who->org_kind, "authority") != 0 || jint(record, "authority_org_id") != who->org_id ||
        !(who->roles & (ROLE_REVIEWER | ROLE_AUTHORITY_ADMIN))) {
        json_decref(record);
        err_set(e, ERR_FORBIDDEN, NULL, "only the record's authority orders an extra inspection", "只有该备案的管理部门可以要求专项自查");
        return NULL;
    }
    json_t *row = new_row(a, record, "ordered", due_on);
    json_object_set_new(row, "reason", json_string(reason));
    json_object_set_new(row, "ordered_by", json_integer(who->user_id));
    json_object_set_new(row, "created_by", json_integer(who->user_id));
    json_decref(record);
    return insert(a, who, row, "inspection.order", e);
}

json_t *inspection_list(struct app *a, const struct principal *who, int64_t filing_id, struct err *e)
{
    struct store_conn *c = store_reader(a->store);
    if (filing_id) {
        json_t *row = filing_load_visible(c, who, filing_id, e);
        if (!row) return NULL;
        json_decref(row);
    }
    struct store_scope scope;
    audit_scope_of(who, &scope);
    if (!scope.admin && strcmp(who->org_kind, "enterprise") != 0 && strcmp(who->org_kind, "authority") != 0)
        return json_pack("{s:[]}", "items");
    json_t *rows = store_inspection_list(c, &scope, filing_id);
    json_t *items = json_array();
    size_t i;
    json_t *r;
    day_t day = today();
    json_array_foreach(rows, i, r) {
        day_t due;
        json_object_set_new(r, "overdue", json_boolean(date_parse(jstr(r, "due_on"), &due) == 0 && day > due &&
                                                       json_is_null(json_object_get(r, "submitted_at"))));
        json_t *record = store_filing_get(c, jint(r, "filing_id"));
        if (record) {
            json_object_set(r, "number", json_object_get(record, "number"));
            json_object_set(r, "system_name", json_object_get(record, "system_name"));
            json_object_set(r, "subject_name", json_object_get(record, "subject_name"));
        }
        json_decref(record);
        json_array_append(items, r);
    }
    json_decref(rows);
    return json_pack("{s:o}", "items", items);
}

json_t *inspection_get(struct app *a, const struct principal *who, int64_t id, struct err *e)
{
    json_t *insp = load_visible(store_reader(a->store), who, id, e);
    if (!insp) return NULL;
    json_t *v = view(a, who, insp);
    json_decref(insp);
    return v;
}

struct save_job { const struct principal *who; int64_t id, revision; json_t *document, *findings; };

static int save_job_fn(struct store_conn *c, void *arg, struct err *e)
{
    struct save_job *j = arg;
    json_t *insp = store_inspection_get(c, j->id);
    int rc = -1;
    if (!insp || jint(insp, "revision") != j->revision) {
        err_set(e, ERR_PRECONDITION_FAILED, NULL, "the report changed while it was being saved; reload and retry",
                "保存期间自查报告已被修改，请重新加载后再试");
        goto out;
    }
    json_object_set(insp, "document", j->document);
    json_object_set(insp, "findings", j->findings);
    json_object_set_new(insp, "revision", json_integer(j->revision + 1));
    json_object_set_new(insp, "last_editor_id", json_integer(j->who->user_id));
    if (store_inspection_update(c, insp, e) != 0) goto out;
    rc = audit_record(c, j->who, "inspection.document", "inspection", j->id, jint(insp, "filing_id"), jint(insp, "org_id"),
                      NULL, NULL, NULL, e);
out:
    json_decref(insp);
    return rc;
}

json_t *inspection_save(struct app *a, const struct principal *who, int64_t id, const json_t *body, bool patch,
                        const char *if_match, struct err *e)
{
    struct store_conn *c = store_reader(a->store);
    json_t *insp = load_visible(c, who, id, e);
    if (!insp) return NULL;
    json_t *out = NULL, *doc = NULL;
    const char *state = jstr(insp, "state");
    char etag[64];
    etag_of(insp, etag, sizeof etag);
    if (jint(insp, "org_id") != who->org_id || !(who->roles & ROLE_FILER)) {
        err_set(e, ERR_FORBIDDEN, NULL, "only a filer of the enterprise edits the report", "只有备案主体的填报人可以编辑自查报告");
    } else if (strcmp(state, "draft") != 0 && strcmp(state, "rectification") != 0) {
        err_extra(e, "state", json_string(state));
        err_set(e, ERR_CONFLICT, NULL, "the report cannot be edited in state %s", "自查报告处于 %s 状态，不能编辑", state);
    } else if (!json_is_object(body)) {
        err_set(e, ERR_VALIDATION, "", "the report must be a JSON object", "自查报告必须是 JSON 对象");
    } else if (!patch && !if_match) {
        err_set(e, ERR_PRECONDITION_REQUIRED, NULL, "send If-Match with the ETag of the report you edited",
                "请在 If-Match 请求头中携带您所编辑报告的 ETag");
    } else if (if_match && strcmp(if_match, "*") != 0 && strcmp(if_match, etag) != 0) {
        err_extra(e, "etag", json_string(etag));
        err_set(e, ERR_PRECONDITION_FAILED, NULL, "the report changed since you read it (now %s); reload and retry",
                "自查报告在您读取后已被修改（当前 %s），请重新加载后再试", etag);
    } else {
        /* like a filing's draft, a report always saves: what is wrong becomes a finding at its field */
        doc = patch ? merge_patch(json_object_get(insp, "document"), body) : json_incref((json_t *)body);
        struct save_job j = {who, id, jint(insp, "revision"), doc, evaluate(a, c, insp, doc)};
        if (store_write(a->store, save_job_fn, &j, e) == 0) out = inspection_get(a, who, id, e);
        json_decref(j.findings);
    }
    json_decref(doc);
    json_decref(insp);
    return out;
}

struct act_job {
    struct app *a;
    const struct principal *who;
    int64_t id;
    enum wf_action action;
    const char *comment;
    const json_t *items;
};

static int check_items(const struct pack *p, const json_t *items, struct err *e)
{
    if (!json_is_array(items) || json_array_size(items) == 0 || json_array_size(items) > 100)
        return err_set(e, ERR_VALIDATION, "/items", "request_rectification needs 1 to 100 items, each {path, message}",
                       "要求整改需要1至100个整改事项，每项包含 path 和 message");
    size_t i;
    json_t *it;
    json_array_foreach(items, i, it) {
        static const char *const keys[] = {"path", "message", NULL};
        const char *path, *msg;
        if (input_known_keys(it, keys, e) || input_text(it, "path", true, 300, &path, e) ||
            input_text(it, "message", true, 2000, &msg, e))
            return -1;
        if (!schema_field_in(p->inspection_form, path)) {
            char where[64];
            snprintf(where, sizeof where, "/items/%zu/path", i);
            return err_set(e, ERR_VALIDATION, where, "item %zu names %s, which is not a field of the report",
                           "第 %zu 项指向的 %s 不是自查报告中的字段", i, path);
        }
    }
    return 0;
}

static int act_job_fn(struct store_conn *c, void *arg, struct err *e)
{
    struct act_job *j = arg;
    json_t *insp = load_visible(c, j->who, j->id, e);
    if (!insp) return -1;
    int rc = -1;
    struct guard_ctx g = {j->who, insp};
    bool mine;
    const struct wf_transition *t = find_row(&g, j->action, e, &mine);
    if (!t) goto out;
    if ((t->needs & NEEDS_COMMENT) && !j->comment) {
        err_set(e, ERR_VALIDATION, "/comment", "%s needs a comment", "%s 需要填写意见", wf_action_name(j->action));
        goto out;
    }
    const struct pack *p = app_pack_in_force(j->a, jstr(insp, "pack"), today());
    if ((t->needs & NEEDS_ITEMS) && check_items(p, j->items, e) != 0) goto out;
    enum wf_state from = wf_state_parse(jstr(insp, "state"));
    enum wf_state to = t->to == ST_PREVIOUS ? wf_state_parse(jstr(insp, "check_from")) : t->to;
    if (to == ST_NONE) to = ST_DRAFT;
    char now[32];
    now_text(now);
    switch (j->action) {
    case ACT_SUBMIT_FOR_CHECK: json_object_set_new(insp, "check_from", json_string(wf_state_name(from))); break;
    case ACT_APPROVE_CHECK:
        json_object_set_new(insp, "submitted_at", json_string(now));
        if (store_inspection_notices_close(c, j->id, e) != 0) goto out;
        break;
    case ACT_REQUEST_RECTIFICATION:
        if (store_inspection_notice_insert(c, j->id, j->who->user_id, j->comment, j->items, e) < 0) goto out;
        break;
    case ACT_ACCEPT_REPORT: json_object_set_new(insp, "decided_at", json_string(now)); break;
    default: break;
    }
    json_object_set_new(insp, "state", json_string(wf_state_name(to)));
    if (store_inspection_update(c, insp, e) != 0) goto out;
    json_t *detail = json_pack("{s:s s:s}", "from", wf_state_name(from), "to", wf_state_name(to));
    if (j->comment) json_object_set_new(detail, "comment", json_string(j->comment));
    if (j->items) json_object_set(detail, "items", (json_t *)j->items);
    char action[64];
    snprintf(action, sizeof action, "inspection.%s", wf_action_name(j->action));
    rc = audit_record(c, j->who, action, "inspection", j->id, jint(insp, "filing_id"), jint(insp, "org_id"), NULL, NULL,
                      detail, e);
    json_decref(detail);
out:
    json_decref(insp);
    return rc;
}

json_t *inspection_act(struct app *a, const struct principal *who, int64_t id, const char *action, const json_t *in,
                       struct err *e)
{
    static const char *const keys[] = {"comment", "items", NULL};
    struct act_job j = {a, who, id, wf_action_parse(action), NULL, NULL};
    if (in && (input_known_keys(in, keys, e) || input_text(in, "comment", false, 4000, &j.comment, e))) return NULL;
    j.items = in ? json_object_get(in, "items") : NULL;
    if (j.action == ACT_NONE) {
        err_set(e, ERR_NOT_FOUND, NULL, "there is no action called %s", "不存在名为 %s 的操作", action);
        return NULL;
    }
    if (store_write(a->store, act_job_fn, &j, e) != 0) return NULL;
    return inspection_get(a, who, id, e);
}
