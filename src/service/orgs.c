/* orgs.c — use cases of organisations and users: create, list, read, passwords.
 * Checks role and tenancy, validates input (USCC, region, roles that fit the organisation's kind),
 * writes in one transaction with its audit entry. */
#include "service/orgs.h"
#include "service/proofs.h"
#include "service/app_internal.h"
#include "service/auth.h"
#include "service/audit.h"
#include "service/input.h"
#include "core/region.h"
#include "core/uscc.h"
#include "core/workflow.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

static const char *const ORG_KINDS[] = {"enterprise", "provider", "authority", "platform", NULL};

static bool org_kind_valid(const char *k)
{
    for (int i = 0; ORG_KINDS[i]; i++)
        if (strcmp(k, ORG_KINDS[i]) == 0) return true;
    return false;
}

struct org_job {
    const struct principal *who;
    const char *kind, *name, *uscc, *region, *number_format;
    json_t *jurisdiction;
    int64_t id;
};

static int org_insert_job(struct store_conn *c, void *arg, struct err *e)
{
    struct org_job *j = arg;
    j->id = store_org_insert(c, j->kind, j->name, j->uscc, j->region, j->jurisdiction, j->number_format, e);
    if (j->id < 0) {
        if (e->code == ERR_DUPLICATE)
            err_set(e, ERR_DUPLICATE, "/uscc", "an organisation with USCC %s already exists",
                    "统一社会信用代码为 %s 的单位已存在", j->uscc);
        return -1;
    }
    json_t *detail = json_pack("{s:s s:s}", "kind", j->kind, "name", j->name);
    int rc = audit_record(c, j->who, "org.create", "org", j->id, 0, j->id, NULL, NULL, detail, e);
    json_decref(detail);
    return rc;
}

/* A code whose only fault is its check character may be registered as the licence bears it (such
 * licences exist): said explicitly, and the organisation's filings then need an accepted override
 * of the check-character rule, decided by the reviewer. */
int org_uscc_acceptable(const char *uscc, const json_t *as_on_licence, struct err *e)
{
    if (as_on_licence && !json_is_boolean(as_on_licence))
        return err_set(e, ERR_VALIDATION, "/uscc_as_on_licence", "uscc_as_on_licence is true or false",
                       "uscc_as_on_licence 应为 true 或 false");
    struct uscc_result ur;
    if (uscc_check(uscc, &ur) == 0 || (ur.status == USCC_BAD_CHECK && json_is_true(as_on_licence))) return 0;
    char en[256], zh[256];
    uscc_describe(&ur, en, sizeof en, zh, sizeof zh);
    if (ur.status == USCC_BAD_CHAR) err_extra(e, "position", json_integer(ur.position));
    if (ur.status == USCC_BAD_CHECK) {
        err_extra(e, "expected", json_sprintf("%c", ur.expected));
        size_t n = strlen(en), m = strlen(zh);
        snprintf(en + n, sizeof en - n, "%s", "; if the business licence bears this very code, register it with uscc_as_on_licence");
        snprintf(zh + m, sizeof zh - m, "%s", "；如营业执照上的代码确实如此，请以 uscc_as_on_licence 登记");
    }
    return err_set_text(e, ERR_VALIDATION, "/uscc", en, zh);
}

int64_t org_create(struct app *a, const struct principal *who, const json_t *in, struct err *e)
{
    static const char *const keys[] = {"kind", "name", "uscc", "region", "jurisdiction", "number_format",
                                       "uscc_as_on_licence", NULL};
    if (!principal_is_admin(who))
        return err_set(e, ERR_FORBIDDEN, NULL, "only the platform administrator creates organisations",
                       "只有平台管理员可以创建单位");
    const char *kind, *name, *uscc, *region, *number_format;
    if (input_known_keys(in, keys, e) || input_text(in, "number_format", false, 64, &number_format, e) ||
        input_text(in, "kind", true, 16, &kind, e) ||
        input_name(in, "name", true, 200, &name, e) || input_text(in, "uscc", true, 18, &uscc, e) ||
        input_text(in, "region", true, 6, &region, e))
        return -1;
    if (!org_kind_valid(kind))
        return err_set(e, ERR_VALIDATION, "/kind", "kind must be enterprise, provider, authority or platform",
                       "单位类型必须是 enterprise、provider、authority 或 platform");
    if (org_uscc_acceptable(uscc, json_object_get(in, "uscc_as_on_licence"), e) != 0) return -1;
    if (!region_code_valid(region) || !pack_region_known(a->pack, region))
        return err_set(e, ERR_VALIDATION, "/region", "region %s is not a known GB/T 2260 code",
                       "行政区划代码 %s 不在区划表中", region);
    json_t *jur = json_object_get(in, "jurisdiction");
    if (strcmp(kind, "authority") == 0) {
        if (!json_is_array(jur) || json_array_size(jur) == 0 || json_array_size(jur) > 100)
            return err_set(e, ERR_VALIDATION, "/jurisdiction", "an authority needs a jurisdiction: 1 to 100 region codes",
                           "备案管理部门需要管辖范围：1至100个行政区划代码");
        size_t i;
        json_t *code;
        json_array_foreach(jur, i, code) {
            const char *s = json_string_value(code);
            if (!s || !region_code_valid(s) || !pack_region_known(a->pack, s)) {
                char path[64];
                snprintf(path, sizeof path, "/jurisdiction/%zu", i);
                return err_set(e, ERR_VALIDATION, path, "jurisdiction entry %zu is not a known region code",
                               "管辖范围第 %zu 项不是已知的行政区划代码", i);
            }
        }
    } else if (jur && !json_is_null(jur) && !(json_is_array(jur) && json_array_size(jur) == 0)) {
        return err_set(e, ERR_VALIDATION, "/jurisdiction", "only an authority has a jurisdiction",
                       "只有备案管理部门有管辖范围");
    }
    if (number_format && (strcmp(kind, "authority") != 0 || !strstr(number_format, "{seq")))
        return err_set(e, ERR_VALIDATION, "/number_format",
                       "only an authority has a number format, and it must contain {seq} or {seq:0N}",
                       "只有备案管理部门可设置编号格式，且格式须包含 {seq} 或 {seq:0N}");
    struct org_job j = {who, kind, name, uscc, region, number_format, json_is_array(jur) ? jur : NULL, 0};
    if (store_write(a->store, org_insert_job, &j, e) != 0) return -1;
    /* an authority gets its signing key with it (else it is made at its first signature) */
    if (strcmp(kind, "authority") == 0 && proofs_ensure_key(a, j.id, e) != 0) {
        fprintf(stderr, "beian: warning: no signing key yet for organisation %lld: %s\n", (long long)j.id, e->detail_en);
        err_clear(e);
    }
    return j.id;
}

static json_t *org_public_view(json_t *org)
{
    return org; /* every column of an organisation is public to signed-in users */
}

json_t *org_list(struct app *a, const struct principal *who, const char *kind)
{
    json_t *all = store_org_list(store_reader(a->store), kind);
    if (principal_is_admin(who)) return all;
    json_t *out = json_array();
    size_t i;
    json_t *o;
    json_array_foreach(all, i, o) {
        const char *k = json_string_value(json_object_get(o, "kind"));
        int64_t id = json_integer_value(json_object_get(o, "id"));
        if (id == who->org_id || strcmp(k, "provider") == 0 || strcmp(k, "authority") == 0)
            json_array_append(out, org_public_view(o));
    }
    json_decref(all);
    return out;
}

json_t *org_get(struct app *a, const struct principal *who, int64_t id, struct err *e)
{
    json_t *o = store_org_get(store_reader(a->store), id);
    if (o && !principal_is_admin(who) && id != who->org_id) {
        const char *k = json_string_value(json_object_get(o, "kind"));
        if (strcmp(k, "provider") != 0 && strcmp(k, "authority") != 0) {
            json_decref(o);
            o = NULL;
        }
    }
    if (!o) err_set(e, ERR_NOT_FOUND, NULL, "no such organisation", "单位不存在");
    return o;
}

/* ------------------------------------------------------------------------------------ users */

struct user_job {
    const struct principal *who;
    int64_t org_id;
    const char *login, *name, *roles;
    char hash[crypto_pwhash_STRBYTES];
    int64_t id;
};

static int user_insert_job(struct store_conn *c, void *arg, struct err *e)
{
    struct user_job *j = arg;
    j->id = store_user_insert(c, j->org_id, j->login, j->name, j->hash, j->roles, e);
    if (j->id < 0) {
        if (e->code == ERR_DUPLICATE)
            err_set(e, ERR_DUPLICATE, "/login", "the login %s is taken", "登录名 %s 已被使用", j->login);
        return -1;
    }
    json_t *detail = json_pack("{s:s s:s}", "login", j->login, "roles", j->roles);
    int rc = audit_record(c, j->who, "user.create", "user", j->id, 0, j->org_id, NULL, NULL, detail, e);
    json_decref(detail);
    return rc;
}

static bool login_valid(const char *s)
{
    size_t n = strlen(s);
    if (n < 2 || n > 64) return false;
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '.' ||
              ch == '_' || ch == '-' || ch == '@'))
            return false;
    }
    return true;
}

int64_t user_create(struct app *a, const struct principal *who, const json_t *in, struct err *e)
{
    static const char *const keys[] = {"org_id", "login", "name", "roles", "password", NULL};
    int64_t org_id;
    const char *login, *name, *password;
    if (input_known_keys(in, keys, e) || input_int(in, "org_id", true, 1, INT64_MAX, &org_id, e) ||
        input_text(in, "login", true, 64, &login, e) || input_name(in, "name", false, 100, &name, e) ||
        input_text(in, "password", true, 256, &password, e))
        return -1;
    bool allowed = principal_is_admin(who) ||
                   (org_id == who->org_id && (who->roles & (ROLE_ORG_ADMIN | ROLE_AUTHORITY_ADMIN)));
    json_t *org = store_org_get(store_reader(a->store), org_id);
    if (org && !allowed && org_id == who->org_id) {   /* one's own organisation is no secret */
        json_decref(org);
        return err_set(e, ERR_FORBIDDEN, NULL, "only an administrator of the organisation adds its users",
                       "只有本单位的管理员可以添加用户");
    }
    if (!org || !allowed) {
        json_decref(org);
        return err_set(e, ERR_NOT_FOUND, "/org_id", "no such organisation", "单位不存在");
    }
    const char *kind = json_string_value(json_object_get(org, "kind"));
    if (!login_valid(login)) {
        json_decref(org);
        return err_set(e, ERR_VALIDATION, "/login", "a login is 2 to 64 letters, digits or . _ - @",
                       "登录名为2至64个字母、数字或 . _ - @");
    }
    json_t *roles = json_object_get(in, "roles");
    if (!json_is_array(roles) || json_array_size(roles) == 0 || json_array_size(roles) > 8) {
        json_decref(org);
        return err_set(e, ERR_VALIDATION, "/roles", "roles must be a list of 1 to 8 role names", "角色须为1至8个角色名的列表");
    }
    unsigned bits = 0;
    size_t i;
    json_t *r;
    json_array_foreach(roles, i, r) {
        unsigned bit = wf_role_parse(json_string_value(r));
        char path[32];
        snprintf(path, sizeof path, "/roles/%zu", i);
        if (!bit) {
            json_decref(org);
            return err_set(e, ERR_VALIDATION, path, "unknown role", "未知角色");
        }
        if (!wf_role_fits_org_kind(bit, kind)) {
            err_set(e, ERR_VALIDATION, path, "role %s does not exist in an organisation of kind %s",
                    "%s 角色不适用于 %s 类型的单位", wf_role_name(bit), kind);
            json_decref(org);
            return -1;
        }
        bits |= bit;
    }
    json_decref(org);
    if (auth_password_acceptable(password, login, name, e) != 0) return -1;
    struct user_job j = {.who = who, .org_id = org_id, .login = login, .name = name && *name ? name : login};
    char roles_csv[128];
    wf_roles_format(bits, roles_csv, sizeof roles_csv);
    j.roles = roles_csv;
    if (auth_hash_password(a, password, j.hash, sizeof j.hash, e) != 0) return -1;
    if (store_write(a->store, user_insert_job, &j, e) != 0) return -1;
    return j.id;
}

json_t *user_list(struct app *a, const struct principal *who, int64_t org_id, struct err *e)
{
    if (!principal_is_admin(who)) {
        if (org_id && org_id != who->org_id) {
            err_set(e, ERR_NOT_FOUND, NULL, "no such organisation", "单位不存在");
            return NULL;
        }
        org_id = who->org_id;
    }
    json_t *list = store_user_list(store_reader(a->store), org_id);
    size_t i;
    json_t *u;
    json_array_foreach(list, i, u) {
        /* roles as a list */
        const char *csv = json_string_value(json_object_get(u, "roles"));
        unsigned bits = wf_roles_parse_csv(csv, NULL, 0);
        json_t *arr = json_array();
        for (int b = 0; b < ROLE__COUNT; b++)
            if (bits & (1u << b)) json_array_append_new(arr, json_string(wf_role_name(1u << b)));
        json_object_set_new(u, "roles", arr);
        json_object_set_new(u, "disabled", json_boolean(json_integer_value(json_object_get(u, "disabled"))));
    }
    return list;
}

struct passwd_job {
    const struct principal *who; int64_t user_id, org_id; char hash[crypto_pwhash_STRBYTES]; bool revoke_tokens;
};

static int passwd_job_fn(struct store_conn *c, void *arg, struct err *e)
{
    struct passwd_job *j = arg;
    if (store_user_set_password(c, j->user_id, j->hash, e) != 0) return -1;
    if (j->revoke_tokens && store_api_tokens_revoke_user(c, j->user_id, e) != 0) return -1;
    json_t *d = json_pack("{s:b}", "api_tokens_revoked", j->revoke_tokens);
    int rc = audit_record(c, j->who, "user.password", "user", j->user_id, 0, j->org_id, NULL, NULL, d, e);
    json_decref(d);
    return rc;
}

int user_set_password(struct app *a, const struct principal *who, const char *login,
                      const char *old_password, const char *new_password, bool revoke_tokens, struct err *e)
{
    json_t *u = store_user_by_login(store_reader(a->store), login);
    if (!u || (!principal_is_admin(who) && json_integer_value(json_object_get(u, "id")) != who->user_id)) {
        json_decref(u);
        return err_set(e, ERR_NOT_FOUND, NULL, "no such user", "用户不存在");
    }
    struct passwd_job j = {who, json_integer_value(json_object_get(u, "id")),
                           json_integer_value(json_object_get(u, "org_id")), {0}, revoke_tokens};
    const char *current = json_string_value(json_object_get(u, "pw_hash"));
    if (who->user_id != 0) { /* a user changing its own password proves the old one, within a throttle */
        if (auth_password_change_begin(a, who, e) != 0) { json_decref(u); return -1; }
        int ok = old_password && crypto_pwhash_str_verify(current, old_password, strlen(old_password)) == 0;
        auth_password_change_done(a, who, ok);
        if (!ok) {
            json_decref(u);
            return err_set(e, ERR_FORBIDDEN, "/old_password", "the current password is wrong", "当前密码不正确");
        }
    }
    if (auth_password_acceptable(new_password, login, json_string_value(json_object_get(u, "name")), e) != 0) {
        json_decref(u);
        return -1;
    }
    bool same = (old_password && strcmp(old_password, new_password) == 0) ||
                (!old_password && crypto_pwhash_str_verify(current, new_password, strlen(new_password)) == 0);
    json_decref(u);
    if (same)
        return err_set(e, ERR_VALIDATION, "/password", "the new password must differ from the current one",
                       "新密码不能与当前密码相同");
    if (auth_hash_password(a, new_password, j.hash, sizeof j.hash, e) != 0) return -1;
    return store_write(a->store, passwd_job_fn, &j, e);
}

json_t *user_me(struct app *a, const struct principal *who)
{
    json_t *org = store_org_get(store_reader(a->store), who->org_id);
    json_t *roles = json_array();
    for (int b = 0; b < ROLE__COUNT; b++)
        if (who->roles & (1u << b)) json_array_append_new(roles, json_string(wf_role_name(1u << b)));
    return json_pack("{s:I s:s s:s s:o s:o}", "id", (json_int_t)who->user_id, "login", who->login, "name", who->name,
                     "roles", roles, "org", org ? org : json_null());
}
