/* overrides.c — override requests: a filer asks, with a reason and a supporting material, that
 * the error findings of one overridable rule (the pack marks which: e.g. the USCC check
 * character, since real codes exist that fail it) be waved through; the reviewer of the filing's
 * authority accepts or refuses while reviewing. An open request does not block the filing from
 * leaving the house; an accepted one turns those errors into warnings, visible to everyone who
 * sees the filing; approval waits until every request is decided (workflow guard). */
#include "service/filings.h"
#include "core/clock.h"
#include "service/app_internal.h"
#include "service/audit.h"
#include "service/auth.h"
#include "service/input.h"
#include "core/workflow.h"
#include "policy/rules.h"

#include <string.h>
#include <time.h>
#include "core/date.h"

static int64_t jint(const json_t *o, const char *k) { return json_integer_value(json_object_get(o, k)); }
static const char *jstr(const json_t *o, const char *k) { return json_string_value(json_object_get(o, k)); }

json_t *filing_override_rules(struct store_conn *c, int64_t filing_id, const char *state)
{
    json_t *all = store_override_list(c, filing_id), *out = json_array();
    size_t i;
    json_t *o;
    json_array_foreach(all, i, o)
        if (strcmp(jstr(o, "state"), state) == 0) json_array_append(out, json_object_get(o, "rule"));
    json_decref(all);
    return out;
}

json_t *filing_overrides(struct app *a, const struct principal *who, int64_t id, struct err *e)
{
    struct store_conn *c = store_reader(a->store);
    json_t *row = store_filing_get_raw(c, id);
    if (!filing_visible(who, row)) {
        json_decref(row);
        err_set(e, ERR_NOT_FOUND, NULL, "no such filing", "备案不存在");
        return NULL;
    }
    json_decref(row);
    return json_pack("{s:o}", "items", store_override_list(c, id));
}

struct request_job {
    struct app *a;
    const struct principal *who;
    int64_t id, material_id;
    const char *rule, *reason;
};

static bool rule_overridable(const struct pack *p, const char *rule)
{
    size_t i;
    const json_t *r;
    json_array_foreach(policy_rules(p), i, r)
        if (strcmp(jstr(r, "id"), rule) == 0) return json_is_true(json_object_get(r, "overridable"));
    return false;
}

static int request_job_fn(struct store_conn *c, void *arg, struct err *e)
{
    struct request_job *j = arg;
    json_t *row = store_filing_get(c, j->id), *m = NULL, *mine = NULL;
    int rc = -1;
    if (!filing_visible(j->who, row)) {
        err_set(e, ERR_NOT_FOUND, NULL, "no such filing", "备案不存在");
        goto out;
    }
    if (jint(row, "org_id") != j->who->org_id || !(j->who->roles & ROLE_FILER)) {
        err_set(e, ERR_FORBIDDEN, NULL, "only a filer of the enterprise asks for an override", "只有备案主体的填报人可以申请豁免");
        goto out;
    }
    if (!wf_state_editable(wf_state_parse(jstr(row, "state")))) {
        err_extra(e, "state", json_string(jstr(row, "state")));
        err_set(e, ERR_CONFLICT, NULL, "an override is asked for while the filing is a draft or in rectification",
                "仅在草稿或整改状态下可以申请豁免");
        goto out;
    }
    const char *spec = jstr(row, "pack");
    const struct pack *p = app_pack_in_force(j->a, spec, date_from_unix(clock_now()));
    if (!rule_overridable(p, j->rule)) {
        err_set(e, ERR_VALIDATION, "/rule", "rule %s cannot be overridden (the policy pack decides which can)",
                "规则 %s 不可豁免（由策略包规定哪些规则可豁免）", j->rule);
        goto out;
    }
    bool fires = false;
    size_t i;
    json_t *f;
    json_array_foreach(json_object_get(row, "findings"), i, f)
        if (strcmp(jstr(f, "rule"), j->rule) == 0 && strcmp(jstr(f, "severity"), "error") == 0) fires = true;
    if (!fires) {
        err_set(e, ERR_VALIDATION, "/rule", "rule %s raises no error on this filing", "该备案没有规则 %s 的错误", j->rule);
        goto out;
    }
    json_t *requested = filing_override_rules(c, j->id, "requested"), *accepted = filing_override_rules(c, j->id, "accepted");
    bool open = false;
    json_t *x;
    json_array_foreach(requested, i, x) if (strcmp(json_string_value(x), j->rule) == 0) open = true;
    json_array_foreach(accepted, i, x) if (strcmp(json_string_value(x), j->rule) == 0) open = true;
    json_decref(requested);
    json_decref(accepted);
    if (open) {
        err_set(e, ERR_DUPLICATE, "/rule", "an override of %s is already asked for or accepted", "规则 %s 已有豁免申请或已获豁免", j->rule);
        goto out;
    }
    m = store_material_get(c, j->material_id);
    if (!m || jint(m, "org_id") != jint(row, "org_id")) {
        err_set(e, ERR_VALIDATION, "/material_id", "material %lld is not one of your organisation's materials",
                "材料 %lld 不是本单位的材料", (long long)j->material_id);
        goto out;
    }
    int64_t oid = store_override_insert(c, j->id, j->rule, j->reason, j->material_id, j->who->user_id, e);
    if (oid < 0) goto out;
    json_t *d = json_pack("{s:s s:I}", "rule", j->rule, "material_id", (json_int_t)j->material_id);
    rc = audit_record(c, j->who, "override.request", "override", oid, j->id, jint(row, "org_id"), NULL, NULL, d, e);
    json_decref(d);
out:
    json_decref(mine);
    json_decref(m);
    json_decref(row);
    return rc;
}

json_t *filing_override_request(struct app *a, const struct principal *who, int64_t id, const json_t *in,
                                struct err *e)
{
    static const char *const keys[] = {"rule", "reason", "material_id", NULL};
    struct request_job j = {a, who, id, 0, NULL, NULL};
    if (input_known_keys(in, keys, e) || input_text(in, "rule", true, 64, &j.rule, e) ||
        input_text(in, "reason", true, 4000, &j.reason, e) ||
        input_int(in, "material_id", true, 1, INT64_MAX, &j.material_id, e))
        return NULL;
    if (store_write(a->store, request_job_fn, &j, e) != 0) return NULL;
    return filing_overrides(a, who, id, e);
}

struct decide_job {
    struct app *a;
    const struct principal *who;
    int64_t id, oid;
    bool accept;
    const char *comment;
};

static int decide_job_fn(struct store_conn *c, void *arg, struct err *e)
{
    struct decide_job *j = arg;
    json_t *row = store_filing_get(c, j->id), *o = NULL;
    int rc = -1;
    if (!filing_visible(j->who, row)) {
        err_set(e, ERR_NOT_FOUND, NULL, "no such filing", "备案不存在");
        goto out;
    }
    o = store_override_get(c, j->oid);
    if (!o || jint(o, "filing_id") != j->id) {
        err_set(e, ERR_NOT_FOUND, NULL, "no such override request", "豁免申请不存在");
        goto out;
    }
    if (strcmp(j->who->org_kind, "authority") != 0 || jint(row, "authority_org_id") != j->who->org_id ||
        !(j->who->roles & ROLE_REVIEWER)) {
        err_set(e, ERR_FORBIDDEN, NULL, "only a reviewer of the filing's authority decides an override",
                "只有该备案管理部门的审核人员可以决定豁免申请");
        goto out;
    }
    if (strcmp(jstr(row, "state"), "under_review") != 0 || strcmp(jstr(o, "state"), "requested") != 0) {
        err_extra(e, "state", json_string(jstr(row, "state")));
        err_set(e, ERR_CONFLICT, NULL, "an override request is decided once, while the filing is under review",
                "豁免申请只能在审核中决定一次");
        goto out;
    }
    if (store_override_decide(c, j->oid, j->accept, j->comment, j->who->user_id, e) != 0) goto out;
    /* the findings of the filing follow the decision */
    filing_evaluate(j->a, c, row);
    if (store_filing_update(c, row, e) != 0) goto out;
    json_t *d = json_pack("{s:s s:b}", "rule", jstr(o, "rule"), "accepted", j->accept);
    if (j->comment) json_object_set_new(d, "comment", json_string(j->comment));
    rc = audit_record(c, j->who, j->accept ? "override.accept" : "override.refuse", "override", j->oid, j->id,
                      jint(row, "org_id"), NULL, NULL, d, e);
    json_decref(d);
out:
    json_decref(o);
    json_decref(row);
    return rc;
}

json_t *filing_override_decide(struct app *a, const struct principal *who, int64_t id, int64_t oid,
                               const json_t *in, struct err *e)
{
    static const char *const keys[] = {"accept", "comment", NULL};
    struct decide_job j = {a, who, id, oid, false, NULL};
    if (input_known_keys(in, keys, e) || input_text(in, "comment", false, 4000, &j.comment, e)) return NULL;
    json_t *acc = json_object_get(in, "accept");
    if (!json_is_boolean(acc)) {
        err_set(e, ERR_VALIDATION, "/accept", "accept must be true or false", "accept 须为 true 或 false");
        return NULL;
    }
    j.accept = json_is_true(acc);
    if (store_write(a->store, decide_job_fn, &j, e) != 0) return NULL;
    return filing_overrides(a, who, id, e);
}
