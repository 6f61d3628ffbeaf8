/* incidents.c — the use cases of security incidents on filed records (see incidents.h): report,
 * read, list (the authority's queue), update, close, order an extra inspection. The level's clocks
 * are copied from the pack onto the incident when it is reported, so a later pack version does not
 * move a deadline already running. An incident has two states, open and closed; what each allows
 * is the incident's table in core/workflow.c (WF_INCIDENT_TABLE), read here. Audit entries
 * name the incident and the enterprise, not the record's filing (filing_id stays empty): the audit
 * log lets a filing's provider read the entries of that filing, and incidents are not the
 * provider's to see. */
#include "service/incidents.h"
#include "core/clock.h"
#include "core/date.h"
#include "core/timestamp.h"
#include "core/workflow.h"
#include "service/app_internal.h"
#include "service/audit.h"
#include "service/auth.h"
#include "service/filings.h"
#include "service/input.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int64_t jint(const json_t *o, const char *k) { return json_integer_value(json_object_get(o, k)); }
static const char *jstr(const json_t *o, const char *k) { return json_string_value(json_object_get(o, k)); }

static const int MAX_TITLE = 200, MAX_TEXT = 4000;

/* The pack whose incident levels apply to a record: the record's pack in force today, or the
 * default pack when that version has no incidents.json. */
static const struct pack *incident_pack(struct app *a, const char *spec)
{
    const struct pack *p = app_pack_in_force(a, spec, date_from_unix(clock_now()));
    return p && p->incidents ? p : a->pack;
}

static bool incident_visible(const struct principal *who, const json_t *row)
{
    if (!row) return false;
    if (principal_is_admin(who)) return true;
    if (strcmp(who->org_kind, "enterprise") == 0) return jint(row, "org_id") == who->org_id;
    if (strcmp(who->org_kind, "authority") == 0)
        return jint(row, "authority_org_id") == who->org_id && jint(row, "authority_visible");
    return false;
}

static bool may_write(const struct principal *who, const json_t *row)
{
    return strcmp(who->org_kind, "enterprise") == 0 && jint(row, "org_id") == who->org_id &&
           (who->roles & (ROLE_FILER | ROLE_ORG_ADMIN));
}

static bool may_order(const struct principal *who, const json_t *row)
{
    return strcmp(who->org_kind, "authority") == 0 && jint(row, "authority_org_id") == who->org_id &&
           (who->roles & (ROLE_REVIEWER | ROLE_AUTHORITY_ADMIN));
}

static int not_found(struct err *e) { return err_set(e, ERR_NOT_FOUND, NULL, "no such incident", "安全事件不存在"); }

static time_t stamp(const json_t *row, const char *key)
{
    time_t t = 0;
    time_parse_rfc3339(jstr(row, key), &t);
    return t;
}

/* The incident as the API shows it, with the flags computed against clock_now(). */
static json_t *incident_view(struct app *a, const struct principal *who, const json_t *row, json_t *updates)
{
    time_t now = clock_now();
    bool open = strcmp(jstr(row, "state"), "open") == 0;
    time_t due = stamp(row, "closure_due_at");
    json_t *v = json_pack("{s:O s:O s:O s:O s:O s:O s:O s:O s:O s:O s:O s:O s:O s:O s:O s:O s:O s:O}", "id",
                          json_object_get(row, "id"), "filing_id", json_object_get(row, "filing_id"), "org_id",
                          json_object_get(row, "org_id"), "number", json_object_get(row, "number"), "system_name",
                          json_object_get(row, "system_name"), "subject_name", json_object_get(row, "subject_name"),
                          "level", json_object_get(row, "level"), "title", json_object_get(row, "title"), "summary",
                          json_object_get(row, "summary"), "measures", json_object_get(row, "measures"),
                          "detected_at", json_object_get(row, "detected_at"), "reported_at",
                          json_object_get(row, "reported_at"), "reported_by", json_object_get(row, "reported_by"),
                          "first_report_hours", json_object_get(row, "first_report_hours"), "closure_days",
                          json_object_get(row, "closure_days"), "first_report_due_at",
                          json_object_get(row, "first_report_due_at"), "closure_due_at",
                          json_object_get(row, "closure_due_at"), "state", json_object_get(row, "state"));
    const json_t *level = pack_incident_level(incident_pack(a, jstr(row, "pack")), jstr(row, "level"));
    json_object_set_new(v, "level_label", level ? json_deep_copy(json_object_get(level, "label"))
                                                : json_pack("{s:O s:O}", "zh", json_object_get(row, "level"), "en",
                                                            json_object_get(row, "level")));
    json_object_set_new(v, "late_first_report", json_boolean(jint(row, "late_first_report")));
    json_object_set_new(v, "first_report_delay_seconds",
                        json_integer((json_int_t)(stamp(row, "reported_at") - stamp(row, "detected_at"))));
    json_object_set_new(v, "closure_overdue", json_boolean(open && now > due));
    json_object_set_new(v, "closure_seconds_left", open ? json_integer((json_int_t)(due - now)) : json_null());
    if (open) {
        json_object_set_new(v, "closure", json_null());
        json_object_set_new(v, "closed_late", json_false());
    } else {
        json_object_set_new(v, "closure",
                            json_pack("{s:O s:O s:b s:O s:O s:O s:O}", "cause", json_object_get(row, "closure_cause"),
                                      "impact", json_object_get(row, "closure_impact"), "personal_data_involved",
                                      (int)jint(row, "personal_data_involved"), "individuals_affected",
                                      json_object_get(row, "individuals_affected"), "measures",
                                      json_object_get(row, "closure_measures"), "closed_at",
                                      json_object_get(row, "closed_at"), "closed_by", json_object_get(row, "closed_by")));
        json_object_set_new(v, "closed_late", json_boolean(stamp(row, "closed_at") > due));
    }
    json_object_set_new(v, "inspection_order",
                        json_is_null(json_object_get(row, "inspection_ordered_at"))
                            ? json_null()
                            : json_pack("{s:O s:O s:O s:O}", "reason", json_object_get(row, "inspection_reason"),
                                        "due_date", json_object_get(row, "inspection_due_date"), "ordered_by",
                                        json_object_get(row, "inspection_ordered_by"), "ordered_at",
                                        json_object_get(row, "inspection_ordered_at")));
    json_object_set_new(v, "can", json_pack("{s:b s:b s:b}", "update", open && may_write(who, row), "close",
                                            open && may_write(who, row), "order_inspection",
                                            may_order(who, row) && json_is_null(json_object_get(row, "inspection_ordered_at"))));
    if (updates) json_object_set_new(v, "updates", updates);
    return v;
}

json_t *incident_get(struct app *a, const struct principal *who, int64_t id, struct err *e)
{
    struct store_conn *c = store_reader(a->store);
    json_t *row = store_incident_get(c, id);
    if (!incident_visible(who, row)) {
        json_decref(row);
        not_found(e);
        return NULL;
    }
    json_t *v = incident_view(a, who, row, store_incident_updates(c, id));
    json_decref(row);
    return v;
}

/* ------------------------------------------------------------------------------- reporting */

struct report_job {
    struct app *a;
    const struct principal *who;
    int64_t filing_id, id;
    const json_t *level;   /* the level of the record's pack, found inside the job */
    const char *level_key, *title, *summary, *measures;
    time_t detected;
};

static int report_job_fn(struct store_conn *c, void *arg, struct err *e)
{
    struct report_job *j = arg;
    json_t *row = store_filing_get(c, j->filing_id);
    int rc = -1;
    if (!filing_visible(j->who, row)) {
        err_set(e, ERR_NOT_FOUND, NULL, "no such filing", "备案不存在");
        goto out;
    }
    if (strcmp(j->who->org_kind, "enterprise") != 0 || jint(row, "org_id") != j->who->org_id ||
        !(j->who->roles & (ROLE_FILER | ROLE_ORG_ADMIN))) {
        err_set(e, ERR_FORBIDDEN, NULL, "a filer or org_admin of the enterprise reports its incidents",
                "安全事件由备案主体的填报人或单位管理员报告");
        goto out;
    }
    if (strcmp(jstr(row, "kind"), "initial") != 0) {
        err_extra(e, "record_filing_id", json_integer(jint(row, "parent_id")));
        err_set(e, ERR_CONFLICT, NULL, "report the incident on the filed record, not on its change filing",
                "请针对原备案记录报告安全事件，而不是变更备案");
        goto out;
    }
    if (strcmp(jstr(row, "state"), "filed") != 0) {
        err_extra(e, "state", json_string(jstr(row, "state")));
        err_set(e, ERR_CONFLICT, NULL, "incidents are reported on a filed record (this filing is %s)",
                "安全事件须针对已备案的记录报告（该备案处于 %s 状态）", jstr(row, "state"));
        goto out;
    }
    const struct pack *p = incident_pack(j->a, jstr(row, "pack"));
    if (!(j->level = pack_incident_level(p, j->level_key))) {
        json_t *known = json_array();
        size_t i;
        const json_t *l;
        if (p->incidents)
            json_array_foreach(json_object_get(p->incidents, "levels"), i, l)
                json_array_append(known, json_object_get(l, "key"));
        err_extra(e, "allowed", known);
        err_set(e, ERR_VALIDATION, "/level", "%s is not an incident level of the policy pack",
                "%s 不是策略包规定的事件级别", j->level_key);
        goto out;
    }
    time_t now = clock_now();
    int64_t hours = jint(j->level, "first_report_hours"), days = jint(j->level, "closure_days");
    char detected[32], reported[32], first_due[32], closure_due[32];
    time_format_rfc3339(j->detected, detected);
    time_format_rfc3339(now, reported);
    time_format_rfc3339(j->detected + (time_t)hours * 3600, first_due);
    time_format_rfc3339(j->detected + (time_t)days * 86400, closure_due);
    char pack[128];
    snprintf(pack, sizeof pack, "%s@%s", p->id, p->version);
    struct store_incident in = {
        .filing_id = j->filing_id, .org_id = jint(row, "org_id"), .reported_by = j->who->user_id,
        .first_report_hours = hours, .closure_days = days, .level = jstr(j->level, "key"), .title = j->title,
        .summary = j->summary, .measures = j->measures, .detected_at = detected, .reported_at = reported,
        .pack = pack, .first_report_due_at = first_due, .closure_due_at = closure_due,
        .late_first_report = now - j->detected > (time_t)hours * 3600,
    };
    j->id = store_incident_insert(c, &in, e);
    if (j->id < 0) goto out;
    json_t *d = json_pack("{s:I s:s s:s s:b}", "record_filing_id", (json_int_t)j->filing_id, "level", in.level,
                          "detected_at", detected, "late_first_report", in.late_first_report);
    rc = audit_record(c, j->who, "incident.report", "incident", j->id, 0, in.org_id, NULL, NULL, d, e);
    json_decref(d);
out:
    json_decref(row);
    return rc;
}

/* *out = the time at key: RFC 3339, not after now. */
static int input_time_past(const json_t *in, const char *key, time_t *out, struct err *e)
{
    const char *s;
    char path[64];
    snprintf(path, sizeof path, "/%s", key);
    if (input_text(in, key, true, 40, &s, e)) return -1;
    if (time_parse_rfc3339(s, out) != 0)
        return err_set(e, ERR_VALIDATION, path, "%s must be an RFC 3339 time such as 2026-03-01T08:30:00+08:00",
                       "%s 须为 RFC 3339 时间，例如 2026-03-01T08:30:00+08:00", path);
    if (*out > clock_now())
        return err_set(e, ERR_VALIDATION, path, "%s lies in the future", "%s 不能晚于当前时间", path);
    if (*out < 946684800) /* 2000-01-01 */
        return err_set(e, ERR_VALIDATION, path, "%s lies before 2000", "%s 不能早于2000年", path);
    return 0;
}

json_t *incident_report(struct app *a, const struct principal *who, int64_t filing_id, const json_t *in,
                        struct err *e)
{
    static const char *const keys[] = {"level", "title", "detected_at", "summary", "measures", NULL};
    struct report_job j = {.a = a, .who = who, .filing_id = filing_id};
    if (input_known_keys(in, keys, e) || input_text(in, "level", true, 40, &j.level_key, e) ||
        input_name(in, "title", true, MAX_TITLE, &j.title, e) || input_text(in, "summary", true, MAX_TEXT, &j.summary, e) ||
        input_text(in, "measures", false, MAX_TEXT, &j.measures, e) || input_time_past(in, "detected_at", &j.detected, e))
        return NULL;
    if (store_write(a->store, report_job_fn, &j, e) != 0) return NULL;
    return incident_get(a, who, j.id, e);
}

/* ---------------------------------------------------------------------------------- lists */

static int bool_query(const char *s, const char *name, bool *out, struct err *e)
{
    *out = false;
    if (!s || strcmp(s, "false") == 0) return 0;
    if (strcmp(s, "true") == 0) { *out = true; return 0; }
    return err_set(e, ERR_BAD_REQUEST, name, "query parameter %s must be true or false", "查询参数 %s 须为 true 或 false",
                   name);
}

json_t *incident_list(struct app *a, const struct principal *who, const char *state, const char *late,
                      const char *overdue, const char *filing_id, struct err *e)
{
    struct incident_query q = {0};
    char now[32];
    time_format_rfc3339(clock_now(), now);
    q.now = now;
    if (state && *state) {
        if (strcmp(state, "open") != 0 && strcmp(state, "closed") != 0) {
            err_set(e, ERR_BAD_REQUEST, "state", "state must be open or closed", "state 须为 open 或 closed");
            return NULL;
        }
        q.state = state;
    }
    if (bool_query(late, "late", &q.late, e) || bool_query(overdue, "overdue", &q.overdue, e)) return NULL;
    if (filing_id && *filing_id) {
        char *end;
        long long v = strtoll(filing_id, &end, 10);
        if (*end || v < 1) {
            err_set(e, ERR_BAD_REQUEST, "filing_id", "filing_id must be a positive integer", "filing_id 须为正整数");
            return NULL;
        }
        q.filing_id = v;
    }
    struct store_scope scope;
    audit_scope_of(who, &scope);
    if (!scope.admin && strcmp(who->org_kind, "enterprise") != 0 && strcmp(who->org_kind, "authority") != 0)
        scope.org_kind = "none";   /* providers and the platform's other users see no incident */
    struct store_conn *c = store_reader(a->store);
    json_t *rows = store_incident_list(c, &scope, &q, e);
    if (!rows) return NULL;
    json_t *items = json_array();
    size_t i;
    json_t *r;
    json_array_foreach(rows, i, r) json_array_append_new(items, incident_view(a, who, r, NULL));
    json_decref(rows);
    return json_pack("{s:o s:o s:s}", "items", items, "counts", store_incident_counts(c, &scope, now), "now", now);
}

json_t *incident_metrics(struct app *a)
{
    struct store_scope scope = {.org_kind = "", .org_id = 0, .admin = true};
    char now[32];
    time_format_rfc3339(clock_now(), now);
    return store_incident_counts(store_reader(a->store), &scope, now);
}

/* ------------------------------------------------------------------- updates and closure */

struct change_job {
    const struct principal *who;
    int64_t id;
    enum { UPDATE, CLOSE, ORDER } what;
    const char *text;                      /* UPDATE */
    struct store_incident_closure closure; /* CLOSE */
    const char *reason, *due_date;         /* ORDER */
};

static int change_job_fn(struct store_conn *c, void *arg, struct err *e)
{
    struct change_job *j = arg;
    json_t *row = store_incident_get(c, j->id), *d = NULL;
    int rc = -1;
    if (!incident_visible(j->who, row)) {
        not_found(e);
        goto out;
    }
    if (j->what == ORDER ? !may_order(j->who, row) : !may_write(j->who, row)) {
        if (j->what == ORDER)
            err_set(e, ERR_FORBIDDEN, NULL, "a reviewer of the record's authority orders an extra inspection",
                    "加查由该备案管理部门的审核人员下达");
        else
            err_set(e, ERR_FORBIDDEN, NULL, "a filer or org_admin of the enterprise updates and closes its incidents",
                    "安全事件由备案主体的填报人或单位管理员续报和结案");
        goto out;
    }
    /* what each state allows is the incident's table in core/workflow.c */
    enum wf_action act = j->what == UPDATE ? ACT_UPDATE : j->what == CLOSE ? ACT_CLOSE : ACT_ORDER_INSPECTION;
    if (!wf_table_row(WF_INCIDENT_TABLE, WF_INCIDENT_TABLE_COUNT, wf_state_parse(jstr(row, "state")), act, j->who->roles)) {
        err_extra(e, "state", json_string(jstr(row, "state")));
        err_set(e, ERR_CONFLICT, NULL, "the incident is closed: no more updates or closure",
                "该事件已结案，不能再续报或结案");
        goto out;
    }
    const char *action = "";
    switch (j->what) {
    case UPDATE:
        rc = store_incident_update_insert(c, j->id, j->text, j->who->user_id, e);
        action = "incident.update";
        d = json_object();
        break;
    case CLOSE:
        j->closure.by = j->who->user_id;
        rc = store_incident_close(c, j->id, &j->closure, e);
        action = "incident.close";
        d = json_pack("{s:b s:I}", "personal_data_involved", j->closure.personal_data, "individuals_affected",
                      (json_int_t)j->closure.individuals);
        break;
    case ORDER:
        rc = store_incident_order_inspection(c, j->id, j->reason, j->due_date, j->who->user_id, e);
        action = "incident.order_inspection";
        d = json_pack("{s:s}", "due_date", j->due_date);
        break;
    }
    if (rc != 0) goto out;
    json_object_set_new(d, "record_filing_id", json_integer(jint(row, "filing_id")));
    rc = audit_record(c, j->who, action, "incident", j->id, 0, jint(row, "org_id"), NULL, NULL, d, e);
out:
    json_decref(d);
    json_decref(row);
    return rc;
}

static json_t *run_change(struct app *a, struct change_job *j, struct err *e)
{
    if (store_write(a->store, change_job_fn, j, e) != 0) return NULL;
    return incident_get(a, j->who, j->id, e);
}

json_t *incident_add_update(struct app *a, const struct principal *who, int64_t id, const json_t *in, struct err *e)
{
    static const char *const keys[] = {"text", NULL};
    struct change_job j = {.who = who, .id = id, .what = UPDATE};
    if (input_known_keys(in, keys, e) || input_text(in, "text", true, MAX_TEXT, &j.text, e)) return NULL;
    return run_change(a, &j, e);
}

json_t *incident_close(struct app *a, const struct principal *who, int64_t id, const json_t *in, struct err *e)
{
    static const char *const keys[] = {"cause", "impact", "personal_data_involved", "individuals_affected",
                                       "measures", NULL};
    struct change_job j = {.who = who, .id = id, .what = CLOSE};
    if (input_known_keys(in, keys, e) || input_text(in, "cause", true, MAX_TEXT, &j.closure.cause, e) ||
        input_text(in, "impact", true, MAX_TEXT, &j.closure.impact, e) ||
        input_text(in, "measures", true, MAX_TEXT, &j.closure.measures, e))
        return NULL;
    const json_t *pd = json_object_get(in, "personal_data_involved");
    if (!json_is_boolean(pd)) {
        err_set(e, ERR_VALIDATION, "/personal_data_involved", "personal_data_involved must be true or false",
                "personal_data_involved 须为 true 或 false");
        return NULL;
    }
    j.closure.personal_data = json_is_true(pd);
    if (input_int(in, "individuals_affected", j.closure.personal_data, 0, 2000000000, &j.closure.individuals, e))
        return NULL;
    if (!j.closure.personal_data && j.closure.individuals != 0) {
        err_set(e, ERR_VALIDATION, "/individuals_affected",
                "individuals_affected counts the people whose personal data was involved: 0 when none was",
                "未涉及个人信息时，individuals_affected 须为 0");
        return NULL;
    }
    return run_change(a, &j, e);
}

json_t *incident_order_inspection(struct app *a, const struct principal *who, int64_t id, const json_t *in,
                                  struct err *e)
{
    static const char *const keys[] = {"reason", "due_date", NULL};
    struct change_job j = {.who = who, .id = id, .what = ORDER};
    day_t due;
    if (input_known_keys(in, keys, e) || input_text(in, "reason", true, MAX_TEXT, &j.reason, e) ||
        input_text(in, "due_date", true, 10, &j.due_date, e))
        return NULL;
    day_t today = date_from_unix(clock_now());
    if (date_parse(j.due_date, &due) != 0) {
        err_set(e, ERR_VALIDATION, "/due_date", "due_date must be a day YYYY-MM-DD", "due_date 须为 YYYY-MM-DD 格式的日期");
        return NULL;
    }
    if (due < today || due > today + 3660) {
        err_set(e, ERR_VALIDATION, "/due_date", "due_date must lie between today and ten years from now",
                "due_date 须在今天至十年之内");
        return NULL;
    }
    return run_change(a, &j, e);
}
