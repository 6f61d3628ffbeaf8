/* filings.c — use cases of business systems and filings, except the workflow actions (actions.c):
 * create, read, edit the document (whole or merge patch, with ETags), list, versions, diff,
 * rectification answers, events and the public verification of a filing number. */
#include "service/filings.h"
#include "core/json_read.h"
#include "service/filing_traces.h"
#include "service/filing_facts_kept.h"
#include "core/clock.h"
#include "service/proofs.h"
#include "service/filing_facts.h"
#include "service/filing_pass.h"
#include "service/change_reports.h"
#include "service/app_internal.h"
#include "service/audit.h"
#include "service/auth.h"
#include "service/input.h"
#include "core/docdiff.h"
#include "core/json_text.h"
#include "core/sha256.h"
#include "core/workflow.h"
#include "policy/memo.h"
#include "policy/rules.h"
#include "policy/schema.h"
#include "service/materials.h"
#include "service/providers.h"
#include "core/date.h"
#include <time.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int64_t jint(const json_t *o, const char *k) { return json_integer_value(json_object_get(o, k)); }
static const char *jstr(const json_t *o, const char *k) { return json_string_value(json_object_get(o, k)); }

const json_t *json_at_pointer(const json_t *doc, const char *pointer)
{
    if (!pointer || !*pointer) return doc;
    if (*pointer != '/') return NULL;
    const json_t *cur = doc;
    const char *p = pointer + 1;
    char key[256];
    for (;;) {
        size_t n = 0;
        while (*p && *p != '/') {
            char ch = *p++;
            if (ch == '~') {
                if (*p == '0') ch = '~';
                else if (*p == '1') ch = '/';
                else return NULL;
                p++;
            }
            if (n + 1 >= sizeof key) return NULL;
            key[n++] = ch;
        }
        key[n] = 0;
        if (json_is_object(cur)) cur = json_object_get(cur, key);
        else if (json_is_array(cur)) {
            char *end;
            long idx = strtol(key, &end, 10);
            if (*key == 0 || *end || idx < 0) return NULL;
            cur = json_array_get(cur, (size_t)idx);
        } else return NULL;
        if (!cur) return NULL;
        if (!*p) return cur;
        p++;
    }
}

bool filing_visible(const struct principal *who, const json_t *row)
{
    if (!row) return false;
    if (principal_is_admin(who)) return true;
    if (strcmp(who->org_kind, "enterprise") == 0) return jint(row, "org_id") == who->org_id;
    if (strcmp(who->org_kind, "provider") == 0)
        return jint(row, "provider_org_id") == who->org_id && jint(row, "provider_visible");
    if (strcmp(who->org_kind, "authority") == 0)
        return jint(row, "authority_org_id") == who->org_id && jint(row, "authority_visible");
    return false;
}

json_t *filing_load_visible(struct store_conn *c, const struct principal *who, int64_t id, struct err *e)
{
    json_t *row = store_filing_get(c, id);
    if (!filing_visible(who, row)) {
        json_decref(row);
        err_set(e, ERR_NOT_FOUND, NULL, "no such filing", "备案不存在");
        return NULL;
    }
    return row;
}

void filing_derive_columns(json_t *row)
{
    const json_t *doc = json_object_get(row, "document");
    const json_t *v;
    /* subject_name and system_name come from the records (filing_records_read), not from here */
    v = json_at_pointer(doc, "/subject/region_code");
    json_object_set_new(row, "region", json_is_string(v) ? json_copy((json_t *)v) : json_null());
    v = json_at_pointer(doc, "/grading/level");
    json_object_set_new(row, "level", json_is_integer(v) ? json_copy((json_t *)v) : json_null());
    v = json_at_pointer(doc, "/provider/provider_org");
    json_object_set_new(row, "provider_org_id", json_is_integer(v) ? json_copy((json_t *)v) : json_null());
    v = json_at_pointer(doc, "/provider/evaluation");
    json_object_set_new(row, "provider_evaluation_id", json_is_integer(v) ? json_copy((json_t *)v) : json_null());
}

static void evaluate(struct app *a, struct store_conn *c, json_t *row, struct filing_pass *pass, bool doc_given);

void filing_evaluate(struct app *a, struct store_conn *c, json_t *row) { evaluate(a, c, row, NULL, false); }

void filing_evaluate_in_pass(struct app *a, struct store_conn *c, json_t *row, struct filing_pass *pass)
{
    evaluate(a, c, row, pass, false);
}

/* One filing's policy check outside a pass: after its last one, when kept (filing_traces.h), only
 * the rules whose reads changed run. */
static int filing_check(int64_t id, const struct pack *p, const json_t *doc, bool doc_given, day_t today,
                        const json_t *ctx, json_t **findings, json_t **derived, struct err *e)
{
    return id ? filing_traces_check(id, p, doc, doc_given, today, ctx, findings, derived, e)
              : policy_check(p, doc, today, ctx, findings, derived, e);
}

/* doc_given: row.document is handed to the kept trace — nothing changes it afterwards (a save). */
static void evaluate(struct app *a, struct store_conn *c, json_t *row, struct filing_pass *pass, bool doc_given)
{
    const json_t *document = json_object_get(row, "document");
    day_t today = date_from_unix(clock_now());
    /* the version of the filing's pack in force today, recorded with the result */
    const struct pack *p = app_pack_in_force(a, jstr(row, "pack"), today);
    json_object_set_new(row, "pack", json_sprintf("%s@%s", p->id, p->version));
    const char *kind = jstr(row, "kind");
    /* what the records say: what they contradict (subject, jurisdiction, materials, the provider
     * named), the materials attached (the rules read them), the accepted overrides, the names,
     * the provider's standing — kept per filing while nothing of it moved (filing_facts_kept.h) */
    struct filing_records rec;
    unsigned char digest[32];   /* of the document, for what the pass keeps */
    if (pass) {
        filing_pass_doc_digest(pass, document, digest);
        json_t *attached = json_object();
        json_t *facts = filing_pass_record_findings(pass, c, p, row, digest, attached);
        filing_records_read_with_facts(c, p, row, today, facts, attached, &rec);
    } else {
        filing_records_kept(c, p, row, today, &rec);
    }
    json_t *ctx = json_pack("{s:s s:O s:O}", "filing_kind", kind ? kind : "initial", "materials", rec.attached,
                            "overrides", rec.overrides);
    json_t *findings = NULL, *derived = NULL;
    struct err e = {0};
    int rc = pass ? policy_check_memo_digested(filing_pass_checks(pass), p, document, digest, today, ctx, &findings, &derived, &e)
                  : filing_check(jint(row, "id"), p, document, doc_given, today, ctx, &findings, &derived, &e);
    if (rc != 0) {
        /* the engine itself could not run (out of memory): say so as a blocking finding */
        findings = json_array();
        finding_add(findings, "POLICY-ENGINE", "error", "", e.detail_zh, e.detail_en, "beian");
        derived = json_object();
    }
    err_clear(&e);
    json_decref(ctx);
    json_array_extend(findings, rec.facts);
    if (rec.subject_name) json_object_set(row, "subject_name", rec.subject_name);
    if (rec.system_name) json_object_set(row, "system_name", rec.system_name);
    json_array_extend(findings, rec.provider);
    filing_records_free(&rec);
    json_object_set_new(row, "findings", findings);
    json_object_set(row, "type", json_object_get(derived, "filing_type"));
    /* the memo's derived is shared (memo.h); a change filing's classification writes into it */
    if (pass && kind && strcmp(kind, "change") == 0) {
        json_t *own = json_deep_copy(derived);
        json_decref(derived);
        derived = own;
    }
    json_object_set_new(row, "derived", derived);
    change_classify(a, c, row);   /* a change filing: major or minor, late or not (derived.change) */
}

size_t findings_errors(const json_t *findings)
{
    size_t n = 0, i;
    json_t *f;
    json_array_foreach(findings, i, f) {
        const char *sev = jstr(f, "severity");
        if (sev && strcmp(sev, "error") == 0) n++;
    }
    return n;
}

static void etag_of(const json_t *row, char *buf, size_t len)
{
    snprintf(buf, len, "\"%lld-%lld\"", (long long)jint(row, "id"), (long long)jint(row, "revision"));
}

/* A due date past the coverage of the calendar it is counted in (the filing's pack in force
 * today) is an estimate: the days after the last published year were taken as ordinary weeks. */
static bool due_estimated(struct app *a, const json_t *row)
{
    day_t due;
    const char *text = jstr(row, "due_at");
    if (!text || date_parse(text, &due) != 0) return false;
    const struct pack *p = app_pack_in_force(a, jstr(row, "pack"), date_from_unix(clock_now()));
    return !calendar_covers(p->calendar, due);
}

/* v made the view of the row it holds, in place: everything the view says is read from v first,
 * then written over it in one order (the members' order of the reply). */
static json_t *view_in_place(struct app *a, const struct principal *who, json_t *v, bool with_document)
{
    char etag[64];
    etag_of(v, etag, sizeof etag);
    bool estimated = due_estimated(a, v);
    bool provider_visible = jint(v, "provider_visible"), authority_visible = jint(v, "authority_visible");
    const json_t *remaining = json_object_get(v, "paused_remaining");
    bool paused = !json_is_null(remaining) && remaining;
    json_t *record_number = NULL;   /* a change filing shows the number of the record it changes */
    if (jint(v, "parent_id")) {
        json_t *parent = store_filing_get(store_reader(a->store), jint(v, "parent_id"));
        if (parent) record_number = json_incref(json_object_get(parent, "number"));
        json_decref(parent);
    }
    json_t *possible = NULL, *actions = NULL, *evaluation = NULL;
    if (with_document) {
        filing_actions_for(a, who, v, &possible, &actions);
        /* the attached scorecard is the enterprise's judgement of its provider: shown to the
         * enterprise and the authorities, not to the provider it judges */
        if (strcmp(who->org_kind, "provider") != 0) evaluation = provider_evaluation_attached(store_reader(a->store), v);
    }
    json_object_set_new(v, "etag", json_string(etag));
    json_object_set_new(v, "due_estimated", json_boolean(estimated));
    json_object_set_new(v, "provider_visible", json_boolean(provider_visible));
    json_object_set_new(v, "authority_visible", json_boolean(authority_visible));
    json_object_set_new(v, "paused", json_boolean(paused));
    if (record_number) json_object_set_new(v, "record_number", record_number);
    change_view(v);
    json_object_del(v, "written");   /* the store's count of writes (store_filing_save_document_if) */
    if (with_document) {
        json_object_set_new(v, "allowed_actions", possible);
        json_object_set_new(v, "actions", actions);
        if (evaluation) json_object_set_new(v, "provider_evaluation", evaluation);
    } else {
        json_object_del(v, "document");
        json_object_del(v, "findings");
    }
    return v;
}

json_t *filing_view(struct app *a, const struct principal *who, const json_t *row, bool with_document)
{
    json_t *v = json_copy((json_t *)row); /* shallow: only top-level members are set */
    return v ? view_in_place(a, who, v, with_document) : NULL;
}

/* ------------------------------------------------------------------------------ systems */

struct system_job { const struct principal *who; const char *name, *description; int64_t id; };

static int system_insert_job(struct store_conn *c, void *arg, struct err *e)
{
    struct system_job *j = arg;
    j->id = store_system_insert(c, j->who->org_id, j->name, j->description, j->who->user_id, e);
    if (j->id < 0) return -1;
    json_t *d = json_pack("{s:s}", "name", j->name);
    int rc = audit_record(c, j->who, "system.create", "system", j->id, 0, j->who->org_id, NULL, NULL, d, e);
    json_decref(d);
    return rc;
}

int64_t system_create(struct app *a, const struct principal *who, const json_t *in, struct err *e)
{
    static const char *const keys[] = {"name", "description", NULL};
    const char *name, *description;
    if (strcmp(who->org_kind, "enterprise") != 0 || !(who->roles & (ROLE_FILER | ROLE_ORG_ADMIN)))
        return err_set(e, ERR_FORBIDDEN, NULL, "only a filer or administrator of an enterprise registers systems",
                       "只有备案主体的填报人或管理员可以登记业务系统");
    if (input_known_keys(in, keys, e) || input_name(in, "name", true, 200, &name, e) ||
        input_text(in, "description", false, 2000, &description, e))
        return -1;
    struct system_job j = {who, name, description, 0};
    if (store_write(a->store, system_insert_job, &j, e) != 0) return -1;
    return j.id;
}

static bool system_visible(const struct principal *who, const json_t *s)
{
    return s && (principal_is_admin(who) || jint(s, "org_id") == who->org_id);
}

json_t *system_list(struct app *a, const struct principal *who)
{
    if (principal_is_admin(who)) return store_system_list(store_reader(a->store), 0);
    if (strcmp(who->org_kind, "enterprise") != 0) return json_array();
    return store_system_list(store_reader(a->store), who->org_id);
}

json_t *system_get(struct app *a, const struct principal *who, int64_t id, struct err *e)
{
    json_t *s = store_system_get(store_reader(a->store), id);
    if (!system_visible(who, s)) {
        json_decref(s);
        err_set(e, ERR_NOT_FOUND, NULL, "no such system", "业务系统不存在");
        return NULL;
    }
    return s;
}

/* ------------------------------------------------------------------------------ filings */

struct create_job { const struct principal *who; json_t *row; int64_t id; };

/* A system has one initial filing under way or filed at a time (the workflow's system_free
 * guard refuses to submit a second): while one is, a new one is refused (409) with the filing to
 * continue (filing_id, state, number), so that "new filing" on a filed system leads to reporting a
 * change rather than to an empty duplicate. Drafts are the filer's own and do not count. */
static int refuse_second_initial(struct store_conn *c, int64_t system_id, struct err *e)
{
    json_t *live = store_system_other_live_filing(c, system_id, 0);
    if (!live) return 0;
    const char *state = jstr(live, "state");
    const char *number = jstr(live, "number");
    bool filed = strcmp(state, "filed") == 0;
    if (filed)
        err_set(e, ERR_CONFLICT, "/system_id", "this system is already filed (number %s): report a change on that filing",
                "该业务系统已备案（备案号 %s）：请在该备案上报告变更", number ? number : "-");
    else
        err_set(e, ERR_CONFLICT, "/system_id", "this system already has a filing in progress: continue that one",
                "该业务系统已有办理中的备案：请继续办理该备案");
    err_extra(e, "filing_id", json_integer(jint(live, "id")));
    err_extra(e, "state", json_string(state));
    if (number) err_extra(e, "number", json_string(number));
    err_extra(e, "reason", json_string(filed ? "system_filed" : "system_filing_open"));
    json_decref(live);
    return -1;
}

static int filing_insert_job(struct store_conn *c, void *arg, struct err *e)
{
    struct create_job *j = arg;
    if (refuse_second_initial(c, jint(j->row, "system_id"), e)) return -1;
    j->id = store_filing_insert(c, j->row, e);
    if (j->id < 0) return -1;
    char sha[65];
    sha256_json_hex(json_object_get(j->row, "document"), sha);
    return audit_record(c, j->who, "filing.create", "filing", j->id, j->id, j->who->org_id, NULL, sha, NULL, e);
}

json_t *filing_create(struct app *a, const struct principal *who, const json_t *in, struct err *e)
{
    static const char *const keys[] = {"system_id", "kind", NULL};
    int64_t system_id;
    const char *kind;
    if (input_known_keys(in, keys, e) || input_int(in, "system_id", true, 1, INT64_MAX, &system_id, e) ||
        input_text(in, "kind", false, 16, &kind, e))
        return NULL;
    if (kind && strcmp(kind, "initial") != 0) {
        err_set(e, ERR_VALIDATION, "/kind", "a new filing is of kind \"initial\"; a change is opened with the report_change action",
                "新建备案的类型为 initial；变更请在已备案的备案上执行 report_change");
        return NULL;
    }
    struct store_conn *c = store_reader(a->store);
    json_t *sys = store_system_get(c, system_id);
    if (!sys || jint(sys, "org_id") != who->org_id || strcmp(who->org_kind, "enterprise") != 0) {
        json_decref(sys);
        err_set(e, ERR_NOT_FOUND, "/system_id", "no such system", "业务系统不存在");
        return NULL;
    }
    if (!(who->roles & ROLE_FILER)) {
        json_decref(sys);
        err_set(e, ERR_FORBIDDEN, NULL, "only a filer starts a filing", "只有填报人可以新建备案");
        return NULL;
    }
    /* Start the document with what is already known of the subject and the system. */
    json_t *org = store_org_get(c, who->org_id);
    json_t *doc = json_pack("{s:{s:O s:O s:O} s:{s:O}}", "subject", "name", json_object_get(org, "name"), "uscc",
                            json_object_get(org, "uscc"), "region_code", json_object_get(org, "region"), "system",
                            "name", json_object_get(sys, "name"));
    char pack[128];
    snprintf(pack, sizeof pack, "%s@%s", a->pack->id, a->pack->version);
    json_t *row = json_pack("{s:I s:I s:s s:s s:o s:s s:I}", "system_id", (json_int_t)system_id, "org_id",
                            (json_int_t)who->org_id, "kind", "initial", "state", "draft", "document", doc, "pack",
                            pack, "last_editor_id", (json_int_t)who->user_id);
    filing_derive_columns(row);
    filing_evaluate(a, c, row);
    json_decref(org);
    json_decref(sys);
    struct create_job j = {who, row, 0};
    int rc = store_write(a->store, filing_insert_job, &j, e);
    json_decref(row);
    if (rc != 0) return NULL;
    return filing_get(a, who, j.id, e);
}

const char *const FILING_RAW_MEMBERS[] = {"document", "findings", "derived", NULL};

json_t *filing_get_raw(struct app *a, const struct principal *who, int64_t id, struct err *e)
{
    json_t *row = store_filing_get_raw(store_reader(a->store), id);
    if (!filing_visible(who, row)) {
        json_decref(row);
        err_set(e, ERR_NOT_FOUND, NULL, "no such filing", "备案不存在");
        return NULL;
    }
    json_t *v = filing_view(a, who, row, true);
    json_decref(row);
    return v;
}

json_t *filing_get(struct app *a, const struct principal *who, int64_t id, struct err *e)
{
    json_t *row = filing_load_visible(store_reader(a->store), who, id, e);
    if (!row) return NULL;
    json_t *v = filing_view(a, who, row, true);
    json_decref(row);
    return v;
}

/* The checks of a document save that depend on the row: who may edit, in which state, with
 * which ETag. They run before the work and again inside the write, because the row may have
 * changed in between. */
static int check_editable(const struct principal *who, const json_t *row, const char *if_match, struct err *e)
{
    enum wf_state st = wf_state_parse(jstr(row, "state"));
    if (jint(row, "org_id") != who->org_id || !(who->roles & ROLE_FILER))
        return err_set(e, ERR_FORBIDDEN, NULL, "only a filer of the enterprise edits the document",
                       "只有备案主体的填报人可以编辑备案内容");
    if (!wf_state_editable(st)) {
        err_extra(e, "state", json_string(wf_state_name(st)));
        return err_set(e, ERR_CONFLICT, NULL, "the document cannot be edited in state %s",
                       "备案处于 %s 状态，不能编辑", wf_state_name(st));
    }
    char etag[64];
    etag_of(row, etag, sizeof etag);
    if (if_match && strcmp(if_match, "*") != 0 && strcmp(if_match, etag) != 0) {
        err_extra(e, "etag", json_string(etag));
        return err_set(e, ERR_PRECONDITION_FAILED, NULL,
                       "the document changed since you read it (now %s); reload and retry",
                       "文档在您读取后已被修改（当前 %s），请重新加载后再试", etag);
    }
    return 0;
}

struct save_job {
    const struct principal *who;
    int64_t id;
    int64_t based_on_revision;   /* the revision the new document was computed from */
    const char *if_match;
    json_t *row;                 /* the new values: document, findings and derived as text, list columns */
    const char *before, *after;  /* SHA-256 of the old and the new document text */
    json_t *read;                /* the whole row as the save read it, before the check */
    bool raced;                  /* the row changed between the read and the write */
    json_t *cur;                 /* on success, the row as the write found it (raw), for the reply */
};

/* The row as the write finds it: the save's own read when nothing wrote the row since (its count
 * of writes has not moved, store_filing_save_document_if: stored then, 0), else read again and
 * checked again before the new document is stored (1); -1 with e when it may not be stored. */
static int save_against_row(struct store_conn *c, struct save_job *j, json_t **cur, struct err *e)
{
    int moved = store_filing_save_document_if(c, j->row, jint(j->read, "written"), e);
    if (moved <= 0) {
        *cur = moved == 0 ? json_incref(j->read) : NULL;
        return moved;
    }
    *cur = store_filing_get_for_save(c, j->id, false);   /* the reply puts the new texts in */
    if (!filing_visible(j->who, *cur))
        return err_set(e, ERR_NOT_FOUND, NULL, "no such filing", "备案不存在");
    if (check_editable(j->who, *cur, j->if_match, e) != 0) return -1;
    if (jint(*cur, "revision") != j->based_on_revision) {
        j->raced = true;
        char etag[64];
        etag_of(*cur, etag, sizeof etag);
        err_extra(e, "etag", json_string(etag));
        return err_set(e, ERR_PRECONDITION_FAILED, NULL,
                       "the document changed while it was being saved; reload and retry",
                       "保存期间文档已被修改，请重新加载后再试");
    }
    return store_filing_save_document(c, j->row, e) == 0 ? 1 : -1;
}

static int save_job_fn(struct store_conn *c, void *arg, struct err *e)
{
    struct save_job *j = arg;
    json_object_set_new(j->row, "id", json_integer(j->id));
    json_object_set_new(j->row, "revision", json_integer(j->based_on_revision + 1));
    json_object_set_new(j->row, "last_editor_id", json_integer(j->who->user_id));
    char now[32];
    time_format_rfc3339(clock_now(), now);
    json_object_set_new(j->row, "updated_at", json_string(now));
    json_t *cur = NULL;
    int rc = save_against_row(c, j, &cur, e) < 0 ? -1 : 0;
    if (rc == 0 && jstr(cur, "kind") && strcmp(jstr(cur, "kind"), "change") == 0)
        rc = store_filing_update_change(c, j->row, e);
    if (rc == 0)
        rc = audit_record(c, j->who, "filing.document", "filing", j->id, j->id, jint(cur, "org_id"), j->before,
                          j->after, NULL, e);
    if (rc == 0) {
        j->cur = cur;
        cur = NULL;
    }
    json_decref(cur);
    return rc;
}

/* The reply to a save: the row as the write found it with what the save wrote over it, i.e. what
 * a GET reads right after (tests/api/save_reply.test.mjs), without reading the row again or
 * parsing the findings just made (the allowed actions read them). A change filing's own columns
 * (store_filing_update_change) are read back instead. */
static json_t *saved_view(struct app *a, const struct principal *who, json_t *cur, const json_t *nrow,
                          json_t *findings, struct err *e)
{
    if (jstr(cur, "kind") && strcmp(jstr(cur, "kind"), "change") == 0) return filing_get_raw(a, who, jint(cur, "id"), e);
    /* what store_filing_save_document writes, as the row reads it back (absent: NULL) */
    static const char *const WRITTEN[] = {"document", "derived", "revision", "last_editor_id", "subject_name",
                                          "system_name", "region", "level", "type", "pack", "updated_at",
                                          "provider_evaluation_id", NULL};
    /* a newly named provider sees the filing only once it is asked to confirm it */
    if (jint(cur, "provider_org_id") != jint(nrow, "provider_org_id"))
        json_object_set_new(cur, "provider_visible", json_integer(0));
    json_t *provider = json_object_get(nrow, "provider_org_id");
    json_object_set(cur, "provider_org_id", provider && jint(nrow, "provider_org_id") ? provider : json_null());
    for (int k = 0; WRITTEN[k]; k++) {
        json_t *v = json_object_get(nrow, WRITTEN[k]);
        json_object_set(cur, WRITTEN[k], v ? v : json_null());
    }
    json_object_set(cur, "findings", findings);
    json_t *v = view_in_place(a, who, json_incref(cur), true);   /* cur is this reply's alone */
    json_object_set(v, "findings", json_object_get(nrow, "findings"));   /* the stored text, spliced */
    return v;
}

/* Save a new document computed from the current one by make_doc (PUT: the given document;
 * PATCH: the merge patch applied). The policy runs here, outside the writer; the write itself
 * only re-checks the row and stores. A save that names no version (no If-Match on a PATCH, or
 * If-Match: *) and races another save is redone on the newer document, up to SAVE_ATTEMPTS
 * times. Each redo means another save of the draft landed in between, so a save gives up (503)
 * only when SAVE_ATTEMPTS - 1 others land while it is being computed, not when a few people
 * (or an autosave and a person) save at once: four attempts gave up under 12 saves at once on
 * PostgreSQL (tests/api/save_reply.test.mjs). */
enum { SAVE_ATTEMPTS = 16 };

static json_t *save(struct app *a, const struct principal *who, int64_t id, const json_t *doc, const json_t *patch,
                    const char *if_match, struct err *e)
{
    struct store_conn *c = store_reader(a->store);
    for (int attempt = 0; attempt < SAVE_ATTEMPTS; attempt++) {
        json_t *row = store_filing_get_for_save(c, id, true);   /* the reply is made of it (save_against_row) */
        if (!filing_visible(who, row)) {
            json_decref(row);
            err_set(e, ERR_NOT_FOUND, NULL, "no such filing", "备案不存在");
            return NULL;
        }
        if (!if_match && !patch) {
            json_decref(row);
            err_set(e, ERR_PRECONDITION_REQUIRED, NULL, "send If-Match with the ETag of the document you edited",
                    "请在 If-Match 请求头中携带您所编辑文档的 ETag");
            return NULL;
        }
        if (check_editable(who, row, if_match, e) != 0) {
            json_decref(row);
            return NULL;
        }
        const char *old_text = jstr(row, "document");
        json_t *newdoc;
        if (patch) {
            json_t *old = json_read_text(old_text, 0, NULL);
            newdoc = merge_patch(old, patch);
            json_decref(old);
        } else {
            newdoc = json_incref((json_t *)doc);
        }
        /* A draft always saves: whatever is wrong with a field becomes a finding at that field
         * (evaluate below); only a body that is not a JSON object is refused. */
        if (!json_is_object(newdoc)) {
            err_set(e, ERR_VALIDATION, "", "the document must be a JSON object", "备案内容必须是 JSON 对象");
            json_decref(newdoc);
            json_decref(row);
            return NULL;
        }
        size_t text_len;
        char *text = json_canonical(newdoc, &text_len);
        if (!text) {
            json_decref(newdoc);
            json_decref(row);
            err_set(e, ERR_INTERNAL, NULL, "out of memory", "内存不足");
            return NULL;
        }
        if (old_text && strcmp(text, old_text) == 0) { /* nothing changed: nothing to write */
            free(text);
            json_decref(newdoc);
            json_decref(row);
            return filing_get_raw(a, who, id, e);
        }
        /* the write is on its way: the writer may wait for it to commit it with others (store.h) */
        store_write_soon(a->store);
        char before[65], after[65];
        sha256_hex(old_text ? old_text : "", old_text ? json_string_length(json_object_get(row, "document")) : 0, before);
        sha256_hex(text, text_len, after);
        json_t *nrow = json_pack("{s:o s:O s:O s:O s:O s:O s:O}", "document", newdoc, "system_name",
                                 json_object_get(row, "system_name"), "kind", json_object_get(row, "kind"), "org_id",
                                 json_object_get(row, "org_id"), "system_id", json_object_get(row, "system_id"),
                                 "pack", json_object_get(row, "pack"), "id", json_object_get(row, "id"));
        /* what the classification of a change filing reads */
        static const char *const CHANGE_MEMBERS[] = {"parent_id", "effective_on", "reported_on", "state",
                                                     "objection_due", "objected_at", NULL};
        for (int k = 0; CHANGE_MEMBERS[k]; k++)
            if (json_object_get(row, CHANGE_MEMBERS[k]))
                json_object_set(nrow, CHANGE_MEMBERS[k], json_object_get(row, CHANGE_MEMBERS[k]));
        filing_derive_columns(nrow);
        /* the document's tree goes to the kept trace: its text replaces it in nrow just below */
        evaluate(a, c, nrow, NULL, true);
        /* the JSON columns as the text they are stored as, made here rather than in the one writer;
         * the document's text came from a tree whose strings jansson checked: valid UTF-8 */
        json_object_set_new(nrow, "document", json_stringn_nocheck(text, text_len));
        free(text);
        json_t *findings = json_incref(json_object_get(nrow, "findings"));
        if (json_to_text_member(nrow, "findings") != 0 || json_to_text_member(nrow, "derived") != 0) {
            store_write_soon_done(a->store);
            json_decref(findings);
            json_decref(nrow);
            json_decref(row);
            err_set(e, ERR_INTERNAL, NULL, "out of memory", "内存不足");
            return NULL;
        }
        struct save_job j = {who, id, jint(row, "revision"), if_match, nrow, before, after, row, false, NULL};
        int rc = store_write_announced(a->store, save_job_fn, &j, e);
        json_decref(row);   /* j.cur holds it when the write found it unchanged */
        json_t *v = rc == 0 ? saved_view(a, who, j.cur, nrow, findings, e) : NULL;
        json_decref(j.cur);
        json_decref(findings);
        json_decref(nrow);
        if (rc == 0) return v;
        /* a save that named no particular version (no If-Match, or "*") is redone on the newer one */
        bool any_version = !if_match || strcmp(if_match, "*") == 0;
        if (!(j.raced && any_version)) return NULL;
        err_clear(e);
    }
    err_set(e, ERR_BUSY, NULL, "the document keeps changing; try again", "文档正被频繁修改，请稍后重试");
    return NULL;
}

json_t *filing_put_document(struct app *a, const struct principal *who, int64_t id, const json_t *doc,
                            const char *if_match, struct err *e)
{
    if (!json_is_object(doc)) {
        json_t *row = store_filing_get_raw(store_reader(a->store), id);
        bool visible = filing_visible(who, row);
        json_decref(row);
        if (!visible) err_set(e, ERR_NOT_FOUND, NULL, "no such filing", "备案不存在");
        else err_set(e, ERR_VALIDATION, "", "the document must be a JSON object", "备案内容必须是 JSON 对象");
        return NULL;
    }
    return save(a, who, id, doc, NULL, if_match, e);
}

json_t *filing_patch_document(struct app *a, const struct principal *who, int64_t id, const json_t *patch,
                              const char *if_match, struct err *e)
{
    if (!json_is_object(patch)) {
        /* visibility first: a filing the caller cannot see is 404 whatever it sent */
        json_t *row = store_filing_get_raw(store_reader(a->store), id);
        bool visible = filing_visible(who, row);
        json_decref(row);
        if (!visible) err_set(e, ERR_NOT_FOUND, NULL, "no such filing", "备案不存在");
        else err_set(e, ERR_VALIDATION, "", "a merge patch must be a JSON object", "合并补丁必须是 JSON 对象");
        return NULL;
    }
    return save(a, who, id, NULL, patch, if_match, e);
}

json_t *filing_list(struct app *a, const struct principal *who, const struct filing_query *q, struct err *e)
{
    struct store_scope scope;
    audit_scope_of(who, &scope);
    int64_t next = 0;
    json_t *rows = store_filing_list(store_reader(a->store), &scope, q, &next, e);
    if (!rows) return NULL;
    json_t *items = json_array();
    size_t i;
    json_t *r;
    json_array_foreach(rows, i, r) json_array_append_new(items, filing_view(a, who, r, false));
    json_decref(rows);
    return json_pack("{s:o s:o}", "items", items, "next_cursor",
                     next ? json_sprintf("%lld", (long long)next) : json_null());
}

json_t *filing_versions(struct app *a, const struct principal *who, int64_t id, struct err *e)
{
    struct store_conn *c = store_reader(a->store);
    json_t *row = filing_load_visible(c, who, id, e);
    if (!row) return NULL;
    json_decref(row);
    return json_pack("{s:o}", "items", store_version_list(c, id));
}

json_t *filing_version(struct app *a, const struct principal *who, int64_t id, int n, struct err *e)
{
    struct store_conn *c = store_reader(a->store);
    json_t *row = filing_load_visible(c, who, id, e);
    if (!row) return NULL;
    json_decref(row);
    json_t *v = store_version_get(c, id, n);
    if (!v) err_set(e, ERR_NOT_FOUND, NULL, "no version %d of this filing", "该备案没有第 %d 版", n);
    return v;
}

json_t *filing_diff(struct app *a, const struct principal *who, int64_t id, int from, int to, struct err *e)
{
    struct store_conn *c = store_reader(a->store);
    json_t *row = filing_load_visible(c, who, id, e);
    if (!row) return NULL;
    /* to = 0 means the current (possibly unsaved as a version) document */
    json_t *vf = store_version_get(c, id, from);
    json_t *vt = to ? store_version_get(c, id, to) : NULL;
    json_t *out = NULL;
    if (!vf || (to && !vt)) {
        err_set(e, ERR_NOT_FOUND, NULL, "no such version", "版本不存在");
    } else {
        const json_t *dt = vt ? json_object_get(vt, "document") : json_object_get(row, "document");
        out = json_pack("{s:i s:o s:o}", "from", from, "to", to ? json_integer(to) : json_string("current"),
                        "changes", docdiff(json_object_get(vf, "document"), dt));
    }
    json_decref(vf);
    json_decref(vt);
    json_decref(row);
    return out;
}

json_t *filing_rectifications(struct app *a, const struct principal *who, int64_t id, struct err *e)
{
    struct store_conn *c = store_reader(a->store);
    json_t *row = filing_load_visible(c, who, id, e);
    if (!row) return NULL;
    json_t *list = store_rectification_list(c, id);
    size_t i, k;
    json_t *r, *it;
    json_array_foreach(list, i, r) {
        json_t *ver = store_version_get(c, id, (int)jint(r, "version"));
        const json_t *then = json_object_get(ver, "document");
        const json_t *now = json_object_get(row, "document");
        int open_items = 0;
        json_array_foreach(json_object_get(r, "items"), k, it) {
            const json_t *a1 = json_at_pointer(then, jstr(it, "path"));
            const json_t *a2 = json_at_pointer(now, jstr(it, "path"));
            bool changed = !((a1 == NULL && a2 == NULL) || (a1 && a2 && json_equal((json_t *)a1, (json_t *)a2)));
            json_object_set_new(it, "field_changed", json_boolean(changed));
            bool answered = !json_is_null(json_object_get(it, "answer"));
            json_object_set_new(it, "open", json_boolean(!answered));
            if (!answered) open_items++;
        }
        json_object_set_new(r, "open_items", json_integer(open_items));
        json_decref(ver);
    }
    json_decref(row);
    return json_pack("{s:o}", "items", list);
}

struct answer_job { const struct principal *who; int64_t id, rid, iid; const char *answer; struct app *a; };

static int answer_job_fn(struct store_conn *c, void *arg, struct err *e)
{
    struct answer_job *j = arg;
    json_t *row = filing_load_visible(c, j->who, j->id, e);
    if (!row) return -1;
    int rc = -1;
    json_t *item = store_rectification_item_get(c, j->iid);
    if (!item || jint(item, "filing_id") != j->id || jint(item, "rectification_id") != j->rid) {
        err_set(e, ERR_NOT_FOUND, NULL, "no such rectification item", "整改事项不存在");
        goto out;
    }
    if (jint(row, "org_id") != j->who->org_id || !(j->who->roles & ROLE_FILER)) {
        err_set(e, ERR_FORBIDDEN, NULL, "only a filer of the enterprise answers rectification items",
                "只有备案主体的填报人可以答复整改事项");
        goto out;
    }
    if (strcmp(jstr(row, "state"), "rectification") != 0 || !json_is_null(json_object_get(item, "closed_at"))) {
        err_set(e, ERR_CONFLICT, NULL, "this rectification notice is no longer open", "该整改通知已关闭");
        err_extra(e, "state", json_string(jstr(row, "state")));
        goto out;
    }
    if (store_rectification_item_answer(c, j->iid, j->answer, j->who->user_id, e) != 0) goto out;
    json_t *d = json_pack("{s:I s:I}", "rectification_id", (json_int_t)j->rid, "item_id", (json_int_t)j->iid);
    rc = audit_record(c, j->who, "rectification.answer", "rectification_item", j->iid, j->id, jint(row, "org_id"),
                      NULL, NULL, d, e);
    json_decref(d);
    if (rc == 0) rc = proofs_after_answer(c, j->a, j->who, row, e);   /* the filer's signed receipt */
out:
    json_decref(item);
    json_decref(row);
    return rc;
}

json_t *filing_answer_item(struct app *a, const struct principal *who, int64_t id, int64_t rid, int64_t iid,
                           const json_t *in, struct err *e)
{
    static const char *const keys[] = {"answer", NULL};
    const char *answer;
    if (input_known_keys(in, keys, e) || input_text(in, "answer", true, 4000, &answer, e)) return NULL;
    struct answer_job j = {who, id, rid, iid, answer, a};
    if (store_write(a->store, answer_job_fn, &j, e) != 0) return NULL;
    return filing_rectifications(a, who, id, e);
}

json_t *filing_events(struct app *a, const struct principal *who, int64_t id, struct err *e)
{
    json_t *row = filing_load_visible(store_reader(a->store), who, id, e);
    if (!row) return NULL;
    json_decref(row);
    /* of a visible filing, the events the caller may read: a provider's from its confirmation
     * request, an authority's from submission (audit_list, issue 12) */
    return audit_list(a, who, id, 500, 0, e);
}

json_t *filing_public(struct app *a, const char *number, struct err *e)
{
    struct store_conn *c = store_reader(a->store);
    json_t *row = number && strlen(number) <= 64 ? store_filing_by_number(c, number) : NULL;
    if (!row) {
        err_set(e, ERR_NOT_FOUND, NULL, "no filing has this number", "未找到该备案编号");
        return NULL;
    }
    json_t *auth = store_org_get(c, jint(row, "authority_org_id"));
    json_t *ver = store_version_get(c, jint(row, "id"), (int)jint(row, "record_version"));
    char filing_date[11] = "";
    const char *filed_at = jstr(row, "filed_at");
    if (filed_at) snprintf(filing_date, sizeof filing_date, "%.10s", filed_at);
    const char *vdate = ver ? jstr(ver, "created_at") : filed_at;
    char version_date[11] = "";
    if (vdate) snprintf(version_date, sizeof version_date, "%.10s", vdate);
    json_t *out = json_pack("{s:s s:s s:O s:O s:s s:s s:s}", "number", number, "state", jstr(row, "state"),
                            "subject_name", json_object_get(row, "subject_name"), "system_name",
                            json_object_get(row, "system_name"), "authority", auth ? jstr(auth, "name") : "",
                            "filing_date", filing_date, "latest_version_date", version_date);
    json_decref(auth);
    json_decref(ver);
    json_decref(row);
    return out;
}
