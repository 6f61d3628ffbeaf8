/* providers.c — the cloud-provider registry (see providers.h).
 *
 * A profile is one JSON document per provider, checked field by field on the way in (bounded
 * lists, texts, real days, MLPS levels 1–4) and replaced whole on PUT, like a filing document.
 * Qualification states are computed when read, as of a given day, never stored. */
#include "service/providers.h"
#include "core/clock.h"
#include "service/app_internal.h"
#include "service/audit.h"
#include "service/auth.h"
#include "service/input.h"
#include "core/workflow.h"
#include "policy/schema.h"
#include "store/store.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int64_t jint(const json_t *o, const char *k) { return json_integer_value(json_object_get(o, k)); }
static const char *jstr(const json_t *o, const char *k) { return json_string_value(json_object_get(o, k)); }

#define FINDING_SOURCE "provider registry"


static day_t today(void) { return date_from_unix(clock_now()); }

/* ------------------------------------------------------------------------------ checks */

/* Prefix e->field with "/<list>/<i>" (input_* name the member only). */
static int at_item(struct err *e, const char *list, size_t i)
{
    char where[256];
    snprintf(where, sizeof where, "/%s/%zu%.200s", list, i, e->field);
    snprintf(e->field, sizeof e->field, "%s", where);
    return -1;
}

static int check_day(const json_t *o, const char *key, day_t *out, struct err *e)
{
    const char *s;
    if (input_text(o, key, true, 10, &s, e)) return -1;
    if (date_parse(s, out) != 0) {
        char path[64];
        snprintf(path, sizeof path, "/%s", key);
        return err_set(e, ERR_VALIDATION, path, "%s must be a day YYYY-MM-DD", "%s 必须是 YYYY-MM-DD 格式的日期", path);
    }
    return 0;
}

static bool digits(const char *s, size_t n)
{
    if (strlen(s) != n) return false;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9') return false;
    return true;
}

static int check_list(const json_t *in, const char *key, size_t max, const json_t **out, struct err *e)
{
    char path[64];
    snprintf(path, sizeof path, "/%s", key);
    const json_t *v = json_object_get(in, key);
    if (!v || json_is_null(v)) { *out = NULL; return 0; }
    if (!json_is_array(v) || json_array_size(v) > max)
        return err_set(e, ERR_VALIDATION, path, "%s must be a list of at most %zu entries", "%s 必须是最多 %zu 项的列表",
                       path, max);
    *out = v;
    return 0;
}

/* The material kind of a qualification certificate (materials.json of the pack). */
#define CERTIFICATE_KIND "provider_qualification"

/* A qualification's certificate must be a material of the provider itself, of CERTIFICATE_KIND. */
static int check_certificate(struct store_conn *c, const json_t *q, int64_t org_id, struct err *e)
{
    int64_t mid;
    if (input_int(q, "certificate_material_id", false, 1, INT64_MAX, &mid, e)) return -1;
    if (!mid) return 0;
    json_t *m = store_material_get(c, mid);
    int rc = 0;
    if (!m || jint(m, "org_id") != org_id)
        rc = err_set(e, ERR_VALIDATION, "/certificate_material_id",
                     "material %lld is not one of this provider's materials", "材料 %lld 不是该云服务商的材料",
                     (long long)mid);
    else if (!jstr(m, "kind") || strcmp(jstr(m, "kind"), CERTIFICATE_KIND) != 0)
        rc = err_set(e, ERR_VALIDATION, "/certificate_material_id",
                     "material %lld is of kind %s; a certificate is a material of kind " CERTIFICATE_KIND,
                     "材料 %lld 的类别为 %s；资质证书须为“云服务商资质”（" CERTIFICATE_KIND "）类材料",
                     (long long)mid, jstr(m, "kind") ? jstr(m, "kind") : "(none)");
    json_decref(m);
    return rc;
}

static int check_profile(struct store_conn *c, const json_t *in, int64_t org_id, struct err *e)
{
    static const char *const top[] = {"qualifications", "platforms", "data_centers", NULL};
    static const char *const qkeys[] = {"scheme", "certificate_number", "issuer", "valid_from", "valid_until",
                                        "certificate_material_id", NULL};
    static const char *const pkeys[] = {"name", "mlps_level", "filing_certificate_number", "service_models", NULL};
    static const char *const dkeys[] = {"name", "region_code", "country", "role", "physical_security", NULL};
    const json_t *quals, *plats, *dcs;
    if (input_known_keys(in, top, e) || check_list(in, "qualifications", 50, &quals, e) ||
        check_list(in, "platforms", 50, &plats, e) || check_list(in, "data_centers", 100, &dcs, e))
        return -1;
    size_t i;
    json_t *x;
    const char *s;
    json_array_foreach(quals, i, x) {
        day_t from, until;
        if (input_known_keys(x, qkeys, e) || input_text(x, "scheme", true, 100, &s, e) ||
            input_text(x, "certificate_number", true, 100, &s, e) || input_text(x, "issuer", true, 200, &s, e) ||
            check_day(x, "valid_from", &from, e) || check_day(x, "valid_until", &until, e) ||
            check_certificate(c, x, org_id, e))
            return at_item(e, "qualifications", i);
        if (until < from) {
            err_set(e, ERR_VALIDATION, "/valid_until", "valid_until is before valid_from", "有效期截止日早于起始日");
            return at_item(e, "qualifications", i);
        }
    }
    json_array_foreach(plats, i, x) {
        int64_t level;
        if (input_known_keys(x, pkeys, e) || input_text(x, "name", true, 200, &s, e) ||
            input_int(x, "mlps_level", true, 1, 4, &level, e) ||
            input_text(x, "filing_certificate_number", false, 17, &s, e))
            return at_item(e, "platforms", i);
        if (s) {   /* 11 digits, '-', 5 digits */
            bool ok = strlen(s) == 17 && s[11] == '-';
            for (int k = 0; ok && k < 17; k++) ok = k == 11 || (s[k] >= '0' && s[k] <= '9');
            if (!ok) {
                err_set(e, ERR_VALIDATION, "/filing_certificate_number",
                        "the MLPS filing certificate number is 11 digits, '-', 5 digits", "等保备案证明编号格式为11位数字-5位数字");
                return at_item(e, "platforms", i);
            }
        }
        const json_t *models = json_object_get(x, "service_models");
        bool ok = json_is_array(models) && json_array_size(models) >= 1 && json_array_size(models) <= 3;
        size_t k;
        json_t *mdl;
        json_array_foreach(models, k, mdl) {
            const char *v = json_string_value(mdl);
            ok = ok && v && (strcmp(v, "iaas") == 0 || strcmp(v, "paas") == 0 || strcmp(v, "saas") == 0);
        }
        if (!ok) {
            err_set(e, ERR_VALIDATION, "/service_models", "service_models is 1 to 3 of iaas, paas, saas",
                    "service_models 须为 iaas、paas、saas 中的1至3项");
            return at_item(e, "platforms", i);
        }
        for (size_t j = 0; j < i; j++)
            if (strcmp(jstr(json_array_get(plats, j), "name"), jstr(x, "name")) == 0) {
                err_set(e, ERR_VALIDATION, "/name", "two platforms are called %s", "有两个云平台都叫 %s", jstr(x, "name"));
                return at_item(e, "platforms", i);
            }
    }
    json_array_foreach(dcs, i, x) {
        const char *region, *country, *role;
        if (input_known_keys(x, dkeys, e) || input_text(x, "name", true, 200, &s, e) ||
            input_text(x, "region_code", false, 6, &region, e) || input_text(x, "country", true, 2, &country, e) ||
            input_text(x, "role", true, 20, &role, e) || input_text(x, "physical_security", false, 2000, &s, e))
            return at_item(e, "data_centers", i);
        if (region && !digits(region, 6)) {
            err_set(e, ERR_VALIDATION, "/region_code", "region_code is 6 digits", "region_code 须为6位数字");
            return at_item(e, "data_centers", i);
        }
        if (strlen(country) != 2 || country[0] < 'A' || country[0] > 'Z' || country[1] < 'A' || country[1] > 'Z') {
            err_set(e, ERR_VALIDATION, "/country", "country is an ISO 3166-1 alpha-2 code such as CN",
                    "country 须为 ISO 3166-1 两位字母代码，如 CN");
            return at_item(e, "data_centers", i);
        }
        if (strcmp(role, "primary") != 0 && strcmp(role, "backup") != 0) {
            err_set(e, ERR_VALIDATION, "/role", "role is primary or backup", "role 须为 primary 或 backup");
            return at_item(e, "data_centers", i);
        }
        for (size_t j = 0; j < i; j++)
            if (strcmp(jstr(json_array_get(dcs, j), "name"), jstr(x, "name")) == 0) {
                err_set(e, ERR_VALIDATION, "/name", "two data centres are called %s", "有两个数据中心都叫 %s", jstr(x, "name"));
                return at_item(e, "data_centers", i);
            }
    }
    return 0;
}

/* ------------------------------------------------------------------------------ expiry */

int provider_warning_days(const struct pack *p)
{
    return p && p->providers ? (int)json_integer_value(json_object_get(p->providers, "qualification_warning_days")) : 0;
}

static const char *qualification_state(const json_t *q, day_t as_of, int warn_days, int *days_left)
{
    day_t from = 0, until = 0;
    date_parse(jstr(q, "valid_from") ? jstr(q, "valid_from") : "", &from);
    date_parse(jstr(q, "valid_until") ? jstr(q, "valid_until") : "", &until);
    *days_left = (int)(until - as_of);
    if (from > as_of) return "not_yet_valid";
    if (until < as_of) return "expired";
    if (until - as_of <= warn_days) return "expiring";
    return "valid";
}

/* The profile document with each qualification's state as of a day (a new copy). */
static json_t *with_states(const json_t *profile, day_t as_of, int warn_days)
{
    json_t *p = json_deep_copy(profile);
    if (!json_is_object(p)) { json_decref(p); p = json_object(); }
    static const char *const lists[] = {"qualifications", "platforms", "data_centers"};
    for (size_t i = 0; i < 3; i++)
        if (!json_is_array(json_object_get(p, lists[i]))) json_object_set_new(p, lists[i], json_array());
    size_t i;
    json_t *q;
    json_array_foreach(json_object_get(p, "qualifications"), i, q) {
        int days;
        json_object_set_new(q, "state", json_string(qualification_state(q, as_of, warn_days, &days)));
        json_object_set_new(q, "days_left", json_integer(days));
    }
    return p;
}

/* Where a filing document attaches a scorecard (the provider section of the default pack). */
#define EVALUATION_PATH "/provider/evaluation"

/* Evaluation id when it is one by org_id of provider_org_id; else NULL (whether it exists or not). */
static json_t *evaluation_of(struct store_conn *c, int64_t id, int64_t provider_org_id, int64_t org_id)
{
    json_t *ev = store_provider_evaluation_get(c, id);
    if (ev && (jint(ev, "org_id") != org_id || jint(ev, "provider_org_id") != provider_org_id)) {
        json_decref(ev);
        ev = NULL;
    }
    return ev;
}

/* Age in days of an evaluation as of a day; -1 when its date is unreadable or after as_of. */
static int evaluation_age(const json_t *ev, day_t as_of)
{
    day_t on;
    if (!jstr(ev, "evaluated_on") || date_parse(jstr(ev, "evaluated_on"), &on) != 0 || on > as_of) return -1;
    return (int)(as_of - on);
}

/* Has org_id evaluated the provider within max_age days of as_of? */
static bool evaluated_since(struct store_conn *c, int64_t provider_org_id, int64_t org_id, int max_age, day_t as_of)
{
    json_t *evals = store_provider_evaluation_list(c, provider_org_id, org_id);
    bool recent = false;
    size_t i;
    json_t *ev;
    json_array_foreach(evals, i, ev) {
        int age = evaluation_age(ev, as_of);
        recent = recent || (age >= 0 && age <= max_age);
    }
    json_decref(evals);
    return recent;
}

static void attached_evaluation_findings(struct store_conn *c, int64_t id, int64_t provider_org_id, int64_t org_id,
                                         int max_age, day_t as_of, json_t *out)
{
    json_t *ev = evaluation_of(c, id, provider_org_id, org_id);
    char zh[400], en[400];
    if (!ev) {
        snprintf(zh, sizeof zh, "所附评估 #%lld 不是本单位对所选云服务商的评估", (long long)id);
        snprintf(en, sizeof en, "The attached evaluation #%lld is not one of your organisation's evaluations of the chosen provider",
                 (long long)id);
        finding_add(out, "PROVIDER-EVALUATION-UNKNOWN", "error", EVALUATION_PATH, zh, en, FINDING_SOURCE);
        return;
    }
    /* the date stays out of the message: the provider, who sees the filing's findings, need not
     * learn when the enterprise judged it (the filer sees the date with the scorecard) */
    if (max_age > 0 && evaluation_age(ev, as_of) > max_age) {
        snprintf(zh, sizeof zh, "所附评估已超过 %d 天，请重新评估云服务商", max_age);
        snprintf(en, sizeof en, "The attached evaluation is more than %d days old: evaluate the provider again", max_age);
        finding_add(out, "PROVIDER-EVALUATION-STALE", "warning", EVALUATION_PATH, zh, en, FINDING_SOURCE);
    }
    json_decref(ev);
}

json_t *provider_findings(struct store_conn *c, const struct pack *p, int64_t provider_org_id, int64_t org_id,
                          int64_t evaluation_id, day_t as_of)
{
    json_t *out = json_array();
    int warn_days = provider_warning_days(p);
    json_t *row = provider_org_id > 0 ? store_provider_profile_get(c, provider_org_id) : NULL;
    size_t i;
    json_t *q;
    json_array_foreach(json_object_get(json_object_get(row, "profile"), "qualifications"), i, q) {
        int days;
        const char *state = qualification_state(q, as_of, warn_days, &days);
        char zh[600], en[600];
        if (strcmp(state, "expired") == 0) {
            snprintf(zh, sizeof zh, "云服务商的资质 %s（证书编号 %s）已于 %s 过期", jstr(q, "scheme"),
                     jstr(q, "certificate_number"), jstr(q, "valid_until"));
            snprintf(en, sizeof en, "The provider's qualification %s (certificate %s) expired on %s", jstr(q, "scheme"),
                     jstr(q, "certificate_number"), jstr(q, "valid_until"));
            finding_add(out, "PROVIDER-QUALIFICATION-EXPIRED", "error", "/provider/provider_org", zh, en, FINDING_SOURCE);
        } else if (strcmp(state, "expiring") == 0) {
            snprintf(zh, sizeof zh, "云服务商的资质 %s（证书编号 %s）将于 %s 到期（还有 %d 天）", jstr(q, "scheme"),
                     jstr(q, "certificate_number"), jstr(q, "valid_until"), days);
            snprintf(en, sizeof en, "The provider's qualification %s (certificate %s) expires on %s (in %d days)",
                     jstr(q, "scheme"), jstr(q, "certificate_number"), jstr(q, "valid_until"), days);
            finding_add(out, "PROVIDER-QUALIFICATION-EXPIRING", "warning", "/provider/provider_org", zh, en, FINDING_SOURCE);
        }
    }
    json_decref(row);
    /* the enterprise evaluates its provider regularly (云服务商评估) */
    int max_age = p && p->providers ? (int)json_integer_value(json_object_get(p->providers, "evaluation_max_age_days")) : 0;
    if (evaluation_id > 0 && org_id > 0)
        attached_evaluation_findings(c, evaluation_id, provider_org_id, org_id, max_age, as_of, out);
    else if (org_id > 0 && provider_org_id > 0 && max_age > 0 && !evaluated_since(c, provider_org_id, org_id, max_age, as_of)) {
        char zh[300], en[300];
        snprintf(zh, sizeof zh, "本单位在最近 %d 天内未对所选云服务商进行评估（信誉、技术实力、安全管理水平等）", max_age);
        snprintf(en, sizeof en, "Your organisation has not evaluated the chosen provider within the last %d days "
                                "(reputation, technical strength, security management, …)", max_age);
        finding_add(out, "PROVIDER-EVALUATION-MISSING", "warning", "/provider/provider_org", zh, en, FINDING_SOURCE);
    }
    return out;
}

json_t *provider_evaluation_attached(struct store_conn *c, const json_t *filing_row)
{
    int64_t id = jint(filing_row, "provider_evaluation_id");
    return id > 0 ? evaluation_of(c, id, jint(filing_row, "provider_org_id"), jint(filing_row, "org_id")) : NULL;
}

/* ------------------------------------------------------------------------------ profile */

static json_t *provider_org(struct store_conn *c, int64_t org_id, struct err *e)
{
    json_t *org = org_id > 0 ? store_org_get(c, org_id) : NULL;
    if (!org || strcmp(jstr(org, "kind"), "provider") != 0) {
        json_decref(org);
        err_set(e, ERR_NOT_FOUND, NULL, "no such provider", "云服务商不存在");
        return NULL;
    }
    return org;
}

static json_t *profile_view(struct store_conn *c, const struct pack *p, const json_t *org, day_t as_of)
{
    json_t *row = store_provider_profile_get(c, jint(org, "id"));
    json_t *v = json_pack("{s:I s:s s:o s:I s:O}", "org_id", (json_int_t)jint(org, "id"), "name", jstr(org, "name"),
                          "profile", with_states(json_object_get(row, "profile"), as_of, provider_warning_days(p)), "revision",
                          (json_int_t)jint(row, "revision"), "updated_at",
                          row ? json_object_get(row, "updated_at") : json_null());
    json_decref(row);
    return v;
}

json_t *provider_profile_get(struct app *a, const struct principal *who, int64_t org_id, struct err *e)
{
    struct store_conn *c = store_reader(a->store);
    json_t *org = provider_org(c, org_id, e);
    if (!org) return NULL;
    json_t *v = profile_view(c, a->pack, org, today());
    json_decref(org);
    (void)who;
    return v;
}

struct profile_job { const struct principal *who; int64_t org_id; const json_t *in; };

static int profile_job_fn(struct store_conn *c, void *arg, struct err *e)
{
    struct profile_job *j = arg;
    if (check_profile(c, j->in, j->org_id, e) != 0) return -1;
    json_t *before = store_provider_profile_get(c, j->org_id);
    if (store_provider_profile_put(c, j->org_id, j->in, j->who->user_id, e) != 0) { json_decref(before); return -1; }
    json_t *d = json_pack("{s:I}", "revision", (json_int_t)(jint(before, "revision") + 1));
    int rc = audit_record(c, j->who, "provider.profile", "provider", j->org_id, 0, j->org_id, NULL, NULL, d, e);
    json_decref(d);
    json_decref(before);
    return rc;
}

json_t *provider_profile_put(struct app *a, const struct principal *who, int64_t org_id, const json_t *in,
                             struct err *e)
{
    struct store_conn *c = store_reader(a->store);
    json_t *org = provider_org(c, org_id, e);
    if (!org) return NULL;
    bool own = who->org_id == org_id && strcmp(who->org_kind, "provider") == 0 &&
               (who->roles & (ROLE_PROVIDER | ROLE_ORG_ADMIN));
    if (!own && !principal_is_admin(who)) {
        json_decref(org);
        err_set(e, ERR_FORBIDDEN, NULL, "only the provider's own provider or org_admin users keep its profile",
                "只有云服务商本单位的 provider 或 org_admin 用户可以维护其档案");
        return NULL;
    }
    struct profile_job j = {who, org_id, in};
    json_t *v = store_write(a->store, profile_job_fn, &j, e) == 0 ? profile_view(c, a->pack, org, today()) : NULL;
    json_decref(org);
    return v;
}

json_t *provider_expiring(struct app *a, const struct principal *who, int64_t org_id, day_t as_of, struct err *e)
{
    struct store_conn *c = store_reader(a->store);
    json_t *org = provider_org(c, org_id, e);
    if (!org) return NULL;
    json_decref(org);
    json_t *row = store_provider_profile_get(c, org_id);
    json_t *items = json_array();
    int warn_days = provider_warning_days(a->pack);
    size_t i;
    json_t *q;
    json_array_foreach(json_object_get(json_object_get(row, "profile"), "qualifications"), i, q) {
        int days;
        const char *state = qualification_state(q, as_of, warn_days, &days);
        if (strcmp(state, "expired") != 0 && strcmp(state, "expiring") != 0) continue;
        json_array_append_new(items, json_pack("{s:I s:O s:O s:O s:i s:s}", "index", (json_int_t)i, "scheme",
                                               json_object_get(q, "scheme"), "certificate_number",
                                               json_object_get(q, "certificate_number"), "valid_until",
                                               json_object_get(q, "valid_until"), "days_left", days, "state", state));
    }
    json_decref(row);
    char day[11];
    date_format(as_of, day);
    (void)who;
    return json_pack("{s:s s:i s:o s:o}", "as_of", day, "warning_days", warn_days, "items", items,
                     "findings", provider_findings(c, a->pack, org_id, 0, 0, as_of));
}

/* ------------------------------------------------------------------------------ hosting */

static const json_t *named(const json_t *list, const char *name)
{
    size_t i;
    json_t *x;
    json_array_foreach(list, i, x) if (name && jstr(x, "name") && strcmp(jstr(x, "name"), name) == 0) return x;
    return NULL;
}

static bool same_text(const char *a, const char *b) { return a && b ? strcmp(a, b) == 0 : a == b; }

/* An integer member as text in buf, or NULL when it is not an integer. */
static const char *int_text(const json_t *o, const char *key, char *buf, size_t n)
{
    if (!json_is_integer(json_object_get(o, key))) return NULL;
    snprintf(buf, n, "%lld", (long long)jint(o, key));
    return buf;
}

/* A list of strings as "a, b" in buf. */
static const char *list_text(const json_t *list, char *buf, size_t n)
{
    size_t i, used = 0;
    json_t *x;
    buf[0] = '\0';
    json_array_foreach(list, i, x)
        if (json_is_string(x) && used < n)
            used += (size_t)snprintf(buf + used, n - used, "%s%s", i ? ", " : "", json_string_value(x));
    return buf;
}

/* The filing's provider section says `filed` where the provider's profile says `registered`
 * (NULL: not given) about `what` of the platform or data centre `name`: 422 at path. */
static int registry_mismatch(struct err *e, const char *path, const char *what_en, const char *what_zh,
                             const char *name, const char *filed, const char *registered)
{
    char en[512], zh[512];
    snprintf(en, sizeof en, "%s (%s): the filing says %s; the provider's profile says %s", what_en, name,
             filed ? filed : "(not given)", registered ? registered : "(not registered)");
    snprintf(zh, sizeof zh, "%s（%s）：备案填写为 %s；云服务商档案中为 %s", what_zh, name, filed ? filed : "（未填写）",
             registered ? registered : "（未登记）");
    return err_set_text(e, ERR_VALIDATION, path, en, zh);
}

/* The section's platform level, filing certificate number and service models against the
 * provider's own platform `own` (the fields web/js/views/filing.js copies from it). */
static int check_platform(const json_t *section, const json_t *own, struct err *e)
{
    const char *name = jstr(own, "name");
    char filed[24], registered[24];
    const char *fl = int_text(section, "platform_level", filed, sizeof filed);
    const char *rl = int_text(own, "mlps_level", registered, sizeof registered);
    if (!same_text(fl, rl))
        return registry_mismatch(e, "/provider/platform_level", "Cloud platform protection level", "云平台安全保护等级", name,
                                 fl, rl);
    const char *fn = jstr(section, "platform_filing_number"), *rn = jstr(own, "filing_certificate_number");
    if (!same_text(fn, rn))
        return registry_mismatch(e, "/provider/platform_filing_number", "Cloud platform MLPS filing number",
                                 "云平台等保备案证明编号", name, fn, rn);
    const json_t *models = json_object_get(section, "service_models"), *offered = json_object_get(own, "service_models");
    size_t i, k;
    json_t *m, *o;
    json_array_foreach(models, i, m) {
        bool found = false;
        json_array_foreach(offered, k, o) found = found || json_equal(m, o);
        if (!found) {
            char path[64], fm[64], rm[64];
            snprintf(path, sizeof path, "/provider/service_models/%zu", i);
            return registry_mismatch(e, path, "Service models", "服务模式", name, list_text(models, fm, sizeof fm),
                                     list_text(offered, rm, sizeof rm));
        }
    }
    return 0;
}

/* Data centre i of the section against the provider's own data centre `own` of that name. */
static int check_data_center(const json_t *dc, const json_t *own, size_t i, struct err *e)
{
    static const struct { const char *key, *en, *zh; } fields[] = {
        {"country", "Country or region", "所在国家或地区"},
        {"region_code", "Region code", "所在行政区划"},
        {"role", "Role", "角色"},
    };
    for (size_t f = 0; f < sizeof fields / sizeof fields[0]; f++) {
        const char *filed = jstr(dc, fields[f].key), *registered = jstr(own, fields[f].key);
        if (same_text(filed, registered)) continue;
        char path[80];
        snprintf(path, sizeof path, "/provider/data_centers/%zu/%s", i, fields[f].key);
        return registry_mismatch(e, path, fields[f].en, fields[f].zh, jstr(own, "name"), filed, registered);
    }
    return 0;
}

int provider_check_hosting(struct store_conn *c, const json_t *row, struct err *e)
{
    json_t *prof = store_provider_profile_get(c, jint(row, "provider_org_id"));
    if (!prof) return 0;   /* no profile yet: nothing to compare with */
    const json_t *p = json_object_get(prof, "profile");
    const json_t *section = json_object_get(json_object_get(row, "document"), "provider");
    const char *platform = jstr(section, "platform_name");
    const json_t *own = named(json_object_get(p, "platforms"), platform);
    int rc = 0;
    if (!own) {
        rc = err_set(e, ERR_VALIDATION, "/provider/platform_name", "platform %s is not one of this provider's platforms",
                     "云平台“%s”不是本云服务商登记的云平台", platform ? platform : "(none)");
    } else if (!(rc = check_platform(section, own, e))) {
        size_t i;
        json_t *dc;
        json_array_foreach(json_object_get(section, "data_centers"), i, dc) {
            const json_t *own_dc = named(json_object_get(p, "data_centers"), jstr(dc, "name"));
            if (!own_dc) {
                char path[80];
                snprintf(path, sizeof path, "/provider/data_centers/%zu/name", i);
                rc = err_set(e, ERR_VALIDATION, path, "data centre %s is not one of this provider's data centres",
                             "数据中心“%s”不是本云服务商登记的数据中心", jstr(dc, "name") ? jstr(dc, "name") : "(none)");
                break;
            }
            if ((rc = check_data_center(dc, own_dc, i, e))) break;
        }
    }
    if (rc) err_extra(e, "rule", json_string("provider_registry_mismatch"));
    json_decref(prof);
    return rc;
}

/* ------------------------------------------------------------------------------ evaluations */

struct eval_job {
    const struct principal *who;
    int64_t provider_org_id;
    char day[11];
    json_t *card;
    double score;
    int64_t id;
};

static int eval_job_fn(struct store_conn *c, void *arg, struct err *e)
{
    struct eval_job *j = arg;
    j->id = store_provider_evaluation_insert(c, j->provider_org_id, j->who->org_id, j->day, j->card, j->score,
                                             j->who->user_id, e);
    if (j->id < 0) return -1;
    json_t *d = json_pack("{s:s s:f}", "evaluated_on", j->day, "score", j->score);
    int rc = audit_record(c, j->who, "provider.evaluation", "provider_evaluation", j->id, 0, j->who->org_id, NULL,
                          NULL, d, e);
    json_decref(d);
    return rc;
}

/* The scorecard against the pack's criteria (evaluation.json): each criterion once. */
static int check_criteria(const struct pack *p, const json_t *in, json_t **card, double *score, struct err *e)
{
    static const char *const ckeys[] = {"key", "weight", "score", "evidence", NULL};
    const json_t *list = json_object_get(in, "criteria");
    const json_t *criteria = p->providers ? json_object_get(p->providers, "criteria") : NULL;
    size_t n = json_array_size(criteria);
    if (n == 0)
        return err_set(e, ERR_CONFLICT, NULL, "the policy pack %s defines no provider evaluation criteria",
                       "策略包 %s 未规定云服务商评估标准", p->id);
    if (!json_is_array(list) || json_array_size(list) != n)
        return err_set(e, ERR_VALIDATION, "/criteria", "criteria lists each of the %zu criteria once",
                       "criteria 须将 %zu 项评估标准各列一次", n);
    double sum_w = 0, sum = 0;
    json_t *out = json_array();
    size_t i;
    json_t *x;
    json_array_foreach(list, i, x) {
        const char *key, *evidence;
        if (input_known_keys(x, ckeys, e) || input_text(x, "key", true, 64, &key, e) ||
            input_text(x, "evidence", true, 2000, &evidence, e)) {
            json_decref(out);
            return at_item(e, "criteria", i);
        }
        bool known = false;
        size_t k;
        const json_t *crit;
        json_array_foreach(criteria, k, crit) known = known || strcmp(jstr(crit, "key"), key) == 0;
        bool repeated = false;
        for (k = 0; k < i; k++) repeated = repeated || strcmp(jstr(json_array_get(list, k), "key"), key) == 0;
        const json_t *w = json_object_get(x, "weight"), *s = json_object_get(x, "score");
        double wv = json_number_value(w), sv = json_number_value(s);
        const char *bad = !known ? "/key" : repeated ? "/key" : (!json_is_number(w) || !(wv > 0) || wv > 100) ? "/weight"
                        : (!json_is_number(s) || sv < 0 || sv > 100) ? "/score" : NULL;
        if (bad) {
            err_set(e, ERR_VALIDATION, bad,
                    "each criterion of the policy pack is listed once, with a weight in (0, 100] and a score in [0, 100]",
                    "策略包的每项评估标准只列一次，权重在 (0, 100] 之间，得分在 [0, 100] 之间");
            json_decref(out);
            return at_item(e, "criteria", i);
        }
        sum_w += wv;
        sum += wv * sv;
        json_array_append_new(out, json_pack("{s:s s:f s:f s:s}", "key", key, "weight", wv, "score", sv, "evidence", evidence));
    }
    *score = round(sum / sum_w * 100.0) / 100.0;
    *card = out;
    return 0;
}

json_t *provider_evaluation_create(struct app *a, const struct principal *who, int64_t provider_org_id,
                                   const json_t *in, struct err *e)
{
    static const char *const keys[] = {"evaluated_on", "criteria", "notes", NULL};
    struct store_conn *c = store_reader(a->store);
    json_t *org = provider_org(c, provider_org_id, e);
    if (!org) return NULL;
    json_decref(org);
    if (strcmp(who->org_kind, "enterprise") != 0 || !(who->roles & (ROLE_FILER | ROLE_ORG_ADMIN))) {
        err_set(e, ERR_FORBIDDEN, NULL, "a filer or org_admin of an enterprise evaluates providers",
                "由备案主体的填报人或管理员评估云服务商");
        return NULL;
    }
    struct eval_job j = {.who = who, .provider_org_id = provider_org_id};
    const char *notes, *day;
    day_t d = today();
    if (input_known_keys(in, keys, e) || input_text(in, "notes", false, 4000, &notes, e) ||
        input_text(in, "evaluated_on", false, 10, &day, e))
        return NULL;
    if (day && date_parse(day, &d) != 0) {
        err_set(e, ERR_VALIDATION, "/evaluated_on", "evaluated_on must be a day YYYY-MM-DD", "evaluated_on 必须是 YYYY-MM-DD 格式的日期");
        return NULL;
    }
    if (d > today()) {
        err_set(e, ERR_VALIDATION, "/evaluated_on", "evaluated_on is in the future", "evaluated_on 不能晚于今天");
        return NULL;
    }
    date_format(d, j.day);
    json_t *criteria = NULL;
    if (check_criteria(a->pack, in, &criteria, &j.score, e) != 0) return NULL;
    j.card = json_pack("{s:o}", "criteria", criteria);
    if (notes) json_object_set_new(j.card, "notes", json_string(notes));
    int rc = store_write(a->store, eval_job_fn, &j, e);
    json_t *out = NULL;
    if (rc == 0)
        out = json_pack("{s:I s:I s:I s:s s:f s:O}", "id", (json_int_t)j.id, "provider_org_id", (json_int_t)provider_org_id,
                        "org_id", (json_int_t)who->org_id, "evaluated_on", j.day, "score", j.score, "scorecard", j.card);
    json_decref(j.card);
    return out;
}

json_t *provider_evaluation_list(struct app *a, const struct principal *who, int64_t provider_org_id,
                                 struct err *e)
{
    struct store_conn *c = store_reader(a->store);
    json_t *org = provider_org(c, provider_org_id, e);
    if (!org) return NULL;
    json_decref(org);
    int64_t scope = principal_is_admin(who) ? 0 : who->org_id;
    if (scope && strcmp(who->org_kind, "enterprise") != 0) return json_pack("{s:[]}", "items");
    return json_pack("{s:o}", "items", store_provider_evaluation_list(c, provider_org_id, scope));
}

/* ------------------------------------------------------------------------------ directory */

json_t *provider_directory(struct app *a, const struct principal *who, struct err *e)
{
    struct store_conn *c = store_reader(a->store);
    json_t *orgs = store_org_list(c, "provider");
    json_t *profiles = store_provider_profile_list(c);
    bool authority = strcmp(who->org_kind, "authority") == 0, admin = principal_is_admin(who);
    json_t *counts = authority || admin ? store_provider_filed_counts(c, admin ? 0 : who->org_id) : NULL;
    json_t *items = json_array();
    day_t now = today();
    size_t i;
    json_t *org;
    json_array_foreach(orgs, i, org) {
        const json_t *prof = NULL;
        size_t k;
        json_t *p;
        json_array_foreach(profiles, k, p) if (jint(p, "org_id") == jint(org, "id")) prof = json_object_get(p, "profile");
        json_t *view = with_states(prof, now, provider_warning_days(a->pack));
        json_t *item = json_pack("{s:I s:s s:s s:O s:O s:O}", "org_id", (json_int_t)jint(org, "id"), "name",
                                 jstr(org, "name"), "region", jstr(org, "region"), "platforms",
                                 json_object_get(view, "platforms"), "data_centers", json_object_get(view, "data_centers"),
                                 "qualifications", json_object_get(view, "qualifications"));
        const char *worst = "none";
        json_array_foreach(json_object_get(view, "qualifications"), k, p) {
            const char *st = jstr(p, "state");
            if (strcmp(st, "expired") == 0) worst = "expired";
            else if (strcmp(st, "expiring") == 0 && strcmp(worst, "expired") != 0) worst = "expiring";
            else if (strcmp(worst, "none") == 0 && strcmp(st, "valid") == 0) worst = "valid";
        }
        json_object_set_new(item, "qualification_state", json_string(worst));
        if (counts) {
            char key[32];
            snprintf(key, sizeof key, "%lld", (long long)jint(org, "id"));
            json_object_set_new(item, "filed_systems", json_integer(jint(counts, key)));
        }
        json_decref(view);
        json_array_append_new(items, item);
    }
    json_decref(orgs);
    json_decref(profiles);
    json_decref(counts);
    (void)e;
    return json_pack("{s:o}", "items", items);
}
