/* api.c — the API's single route table, authentication and CSRF for every non-public route,
 * and the session, identity and organisation/user endpoints. */
#include "http/api.h"
#include "http/api_registry.h"
#include "http/api_records.h"
#include "http/api_proofs.h"
#include "http/api_notify.h"
#include "http/api_exports.h"
#include "http/query.h"
#include "service/app.h"
#include "service/auth.h"
#include "service/orgs.h"
#include "service/test_clock.h"
#include "service/input.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SESSION_COOKIE "beian_session"
/* The device cookie (issue 12): only ever sent back to the sign-in route, for a year. */
#define DEVICE_COOKIE "beian_device"

/* A 429 tells when to come back: Retry-After from the error's retry_after. */
static void retry_after_header(struct http_req *r, const struct err *e)
{
    json_t *v = e->code == ERR_TOO_MANY && e->extra ? json_object_get(e->extra, "retry_after") : NULL;
    if (!json_is_integer(v)) return;
    char buf[32];
    snprintf(buf, sizeof buf, "%lld", (long long)json_integer_value(v));
    reply_header(r, "Retry-After", buf);
}

const struct route API_ROUTES[] = {
    {"POST", "/api/v1/session", api_session_create, ROUTE_PUBLIC},
    {"DELETE", "/api/v1/session", api_session_delete, 0},
    {"GET", "/api/v1/me", api_me, 0},
    {"POST", "/api/v1/me/password", api_me_password, 0},
    {"POST", "/api/v1/tokens", api_tokens_create, 0},
    {"GET", "/api/v1/tokens", api_tokens_list, 0},
    {"DELETE", "/api/v1/tokens/{id}", api_tokens_delete, 0},
    {"GET", "/api/v1/orgs", api_orgs_list, 0},
    {"POST", "/api/v1/orgs", api_orgs_create, 0},
    {"GET", "/api/v1/orgs/{id}", api_orgs_get, 0},
    {"PATCH", "/api/v1/orgs/{id}", api_orgs_update, 0},
    {"GET", "/api/v1/users", api_users_list, 0},
    {"POST", "/api/v1/users", api_users_create, 0},
    {"GET", "/api/v1/systems", api_systems_list, 0},
    {"POST", "/api/v1/systems", api_systems_create, 0},
    {"GET", "/api/v1/systems/{id}", api_systems_get, 0},
    {"GET", "/api/v1/filings", api_filings_list, 0},
    {"POST", "/api/v1/filings", api_filings_create, 0},
    {"GET", "/api/v1/filings/{id}", api_filings_get, 0},
    {"PUT", "/api/v1/filings/{id}/document", api_filings_put_document, 0},
    {"PATCH", "/api/v1/filings/{id}/document", api_filings_patch_document, 0},
    {"POST", "/api/v1/filings/{id}/actions/{action}", api_filings_action, 0},
    {"GET", "/api/v1/filings/{id}/versions", api_filings_versions, 0},
    {"GET", "/api/v1/filings/{id}/versions/{n}", api_filings_version, 0},
    {"GET", "/api/v1/filings/{id}/diff", api_filings_diff, 0},
    {"GET", "/api/v1/filings/{id}/rectifications", api_filings_rectifications, 0},
    {"POST", "/api/v1/filings/{id}/rectifications/{rid}/items/{iid}/answer", api_filings_answer, 0},
    {"GET", "/api/v1/filings/{id}/events", api_filings_events, 0},
    {"GET", "/api/v1/filings/{id}/overrides", api_filings_overrides, 0},
    {"POST", "/api/v1/filings/{id}/overrides", api_filings_override_request, 0},
    {"POST", "/api/v1/filings/{id}/overrides/{oid}/decision", api_filings_override_decide, 0},
    /* a reviewer's rectification request in preparation (api_drafts.c, issue 16) */
    {"GET", "/api/v1/filings/{id}/rectification-draft", api_filings_rect_draft_get, 0},
    {"PUT", "/api/v1/filings/{id}/rectification-draft", api_filings_rect_draft_put, 0},
    {"DELETE", "/api/v1/filings/{id}/rectification-draft", api_filings_rect_draft_delete, 0},
    {"GET", "/api/v1/audit", api_audit, 0},
    /* exports and statistics (api_exports.c) */
    {"GET", "/api/v1/exports/register.csv", api_exports_register_csv, 0},
    {"GET", "/api/v1/exports/register.xlsx", api_exports_register_xlsx, 0},
    {"GET", "/api/v1/filings/{id}/bundle", api_filings_bundle, 0},
    {"GET", "/api/v1/statistics", api_statistics, 0},
    /* after the number: self-inspection reports, standing findings, the work list (api_records.c) */
    {"GET", "/api/v1/records", api_supervision, 0},
    {"GET", "/api/v1/filings/{id}/standing", api_filings_standing, 0},
    {"GET", "/api/v1/filings/{id}/inspections", api_filings_inspections_list, 0},
    {"POST", "/api/v1/filings/{id}/inspections", api_filings_inspections_start, 0},
    {"POST", "/api/v1/filings/{id}/inspections/order", api_filings_inspections_order, 0},
    {"GET", "/api/v1/filings/{id}/evidence", api_filings_evidence_list, 0},
    {"POST", "/api/v1/filings/{id}/evidence", api_filings_evidence_add, 0},
    {"GET", "/api/v1/inspections", api_inspections_list, 0},
    {"GET", "/api/v1/inspections/{id}", api_inspections_get, 0},
    {"PUT", "/api/v1/inspections/{id}/document", api_inspections_put_document, 0},
    {"PATCH", "/api/v1/inspections/{id}/document", api_inspections_patch_document, 0},
    {"POST", "/api/v1/inspections/{id}/actions/{action}", api_inspections_action, 0},
    /* signed certificates and receipts, the verifiable audit log (api_proofs.c, issue 15) */
    {"GET", "/api/v1/filings/{id}/certificate", api_filings_certificate, 0},
    {"GET", "/api/v1/filings/{id}/receipts", api_filings_receipts, 0},
    {"GET", "/api/v1/filings/{id}/receipts/{n}", api_filings_receipt, 0},
    {"GET", "/api/v1/public/keys", api_public_keys, ROUTE_PUBLIC},
    {"GET", "/.well-known/beian-keys.json", api_public_keys, ROUTE_PUBLIC},
    {"GET", "/api/v1/public/log/checkpoint", api_public_checkpoint, ROUTE_PUBLIC},
    {"GET", "/api/v1/public/log/proof", api_public_inclusion, ROUTE_PUBLIC},
    {"GET", "/api/v1/public/log/consistency", api_public_consistency, ROUTE_PUBLIC},
    /* materials and the provider registry (api_materials.c, api_providers.c) */
    {"GET", "/api/v1/materials", api_materials_list, 0},
    {"POST", "/api/v1/materials", api_materials_upload, ROUTE_UPLOAD},
    {"GET", "/api/v1/materials/{id}", api_materials_get, 0},
    {"GET", "/api/v1/materials/{id}/content", api_materials_content, 0},
    {"GET", "/api/v1/materials/{id}/versions", api_materials_versions, 0},
    {"POST", "/api/v1/materials/{id}/versions", api_materials_upload_version, ROUTE_UPLOAD},
    {"GET", "/api/v1/materials/{id}/versions/{n}", api_materials_version, 0},
    {"GET", "/api/v1/materials/{id}/versions/{n}/content", api_materials_version_content, 0},
    {"GET", "/api/v1/filings/{id}/versions/{n}/materials", api_filings_version_materials, 0},
    {"GET", "/api/v1/providers", api_providers_directory, 0},
    {"GET", "/api/v1/providers/{org_id}/profile", api_providers_profile_get, 0},
    {"PUT", "/api/v1/providers/{org_id}/profile", api_providers_profile_put, 0},
    {"GET", "/api/v1/providers/{org_id}/expiring", api_providers_expiring, 0},
    {"GET", "/api/v1/providers/{org_id}/evaluations", api_providers_evaluations_list, 0},
    {"POST", "/api/v1/providers/{org_id}/evaluations", api_providers_evaluations_create, 0},
    /* incidents: security incidents on filed records (api_incidents.c) */
    {"POST", "/api/v1/filings/{id}/incidents", api_incidents_report, 0},
    {"GET", "/api/v1/incidents", api_incidents_list, 0},
    {"GET", "/api/v1/incidents/{id}", api_incidents_get, 0},
    {"POST", "/api/v1/incidents/{id}/updates", api_incidents_update, 0},
    {"POST", "/api/v1/incidents/{id}/close", api_incidents_close, 0},
    {"POST", "/api/v1/incidents/{id}/order_inspection", api_incidents_order_inspection, 0},
    {"GET", "/api/v1/inbox", api_inbox_list, 0},
    {"POST", "/api/v1/inbox/read-all", api_inbox_read_all, 0},
    {"POST", "/api/v1/inbox/{id}/read", api_inbox_read, 0},
    {"GET", "/api/v1/me/notifications", api_me_notifications_get, 0},
    {"PUT", "/api/v1/me/notifications", api_me_notifications_put, 0},
    {"GET", "/api/v1/webhooks", api_webhooks_list, 0},
    {"POST", "/api/v1/webhooks", api_webhooks_create, 0},
    {"DELETE", "/api/v1/webhooks/{id}", api_webhooks_delete, 0},
    {"GET", "/api/v1/webhooks/{id}/deliveries", api_webhooks_deliveries, 0},
    {"POST", "/api/v1/webhooks/{id}/deliveries/{did}/redeliver", api_webhooks_redeliver, 0},
    {"GET", "/api/v1/workflow", api_workflow, ROUTE_PUBLIC},
    {"GET", "/api/v1/policy/schema", api_policy_schema, 0},
    {"GET", "/api/v1/policy/packs", api_policy_packs, 0},
    {"POST", "/api/v1/policy/packs", api_policy_install, 0},
    {"GET", "/api/v1/policy/jobs/{id}", api_policy_job, 0},
    {"GET", "/api/v1/policy/packs/{id}/{version}/schema", api_policy_pack_schema, 0},
    {"GET", "/api/v1/policy/packs/{id}/{version}/rules", api_policy_pack_rules, 0},
    {"GET", "/api/v1/policy/impact", api_policy_impact, 0},
    {"GET", "/api/v1/policy/diff", api_policy_diff, 0},
    {"GET", "/api/v1/public/filings/{number}", api_public_filing, ROUTE_PUBLIC},
    {"GET", "/api/v1/openapi.json", api_openapi, ROUTE_PUBLIC},
    {"GET", "/healthz", api_healthz, ROUTE_PUBLIC},
    {"GET", "/api/v1/healthz", api_healthz, ROUTE_PUBLIC},
    {"GET", "/metrics", api_metrics, ROUTE_PUBLIC},
    {"GET", "/api/v1/metrics", api_metrics, ROUTE_PUBLIC},
};
const size_t API_ROUTES_COUNT = sizeof API_ROUTES / sizeof API_ROUTES[0];

int64_t api_param_id(struct http_req *r, int index)
{
    if (index >= r->nparams || !r->params[index]) return 0;
    const char *s = r->params[index];
    if (!*s || strlen(s) > 18) return 0;
    int64_t v = 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9') return 0;
        v = v * 10 + (*s - '0');
    }
    return v;
}

int api_reply(struct http_req *r, int status, json_t *value, struct err *e)
{
    if (!value) {
        if (e->code == ERR_NONE) err_set(e, ERR_INTERNAL, NULL, "unexpected failure", "意外错误");
        int rc = reply_problem(r, e);
        err_clear(e);
        return rc;
    }
    err_clear(e);
    return reply_json(r, status, value);
}

/* The challenge of a 401 (RFC 6750 §3): error="invalid_token" when a token was presented (in
 * Authorization, or as the session cookie, which holds the same kind of token) and refused; none
 * when the request carried no Bearer credentials at all. */
static const char *bearer_challenge(struct http_req *r)
{
    const char *authz = http_header(r, "Authorization");
    bool presented = authz ? strncasecmp(authz, "Bearer ", 7) == 0 : http_cookie(r, SESSION_COOKIE) != NULL;
    return presented ? "Bearer realm=\"beian\", error=\"invalid_token\", "
                       "error_description=\"the token is unknown, expired or revoked\""
                     : "Bearer realm=\"beian\"";
}

static int authenticate(struct http_req *r, struct err *e)
{
    const char *authz = http_header(r, "Authorization");
    const char *token = NULL;
    bool cookie = false;
    if (authz) {
        if (strncasecmp(authz, "Bearer ", 7) != 0)
            return err_set(e, ERR_UNAUTHENTICATED, NULL, "use Authorization: Bearer <token>",
                           "请使用 Authorization: Bearer <令牌>");
        token = authz + 7;
    } else if ((token = http_cookie(r, SESSION_COOKIE))) {
        cookie = true;
    }
    if (!token) return err_set(e, ERR_UNAUTHENTICATED, NULL, "sign in first", "请先登录");
    struct principal *p = calloc(1, sizeof *p);
    if (!p) return err_set(e, ERR_INTERNAL, NULL, "out of memory", "内存不足");
    if (auth_resolve(r->app, token, p, e) != 0) {
        free(p);
        return -1;
    }
    if (cookie && strcmp(p->token_kind, "session") != 0) {
        free(p);
        return err_set(e, ERR_UNAUTHENTICATED, NULL, "sign in first", "请先登录");
    }
    r->who = p;
    r->cookie_auth = cookie;
    return 0;
}

static int dispatch_checked(struct http_req *r, const struct route *route, bool safe)
{
    struct err e = {0};
    if (http_query_check(r, &e) != 0) return api_reply(r, 0, NULL, &e);
    /* an upload's handler runs twice (http.h); the caller is checked the first time */
    if (!(route->flags & ROUTE_PUBLIC) && !(r->upload && r->who)) {
        if (authenticate(r, &e) != 0) {
            if (e.code == ERR_UNAUTHENTICATED) reply_header(r, "WWW-Authenticate", bearer_challenge(r));
            return api_reply(r, 0, NULL, &e);
        }
        if (r->cookie_auth && !safe) {
            const char *sent = http_header(r, "X-CSRF-Token");
            if (!sent || !r->who->csrf[0] || strcmp(sent, r->who->csrf) != 0) {
                err_set(&e, ERR_FORBIDDEN, NULL, "missing or wrong X-CSRF-Token header for a cookie session",
                        "使用 Cookie 会话时需要正确的 X-CSRF-Token 请求头");
                return api_reply(r, 0, NULL, &e);
            }
        }
    }
    if (query_check_common(r, &e) != 0) return api_reply(r, 0, NULL, &e);
    return route->fn(r);
}

int api_dispatch(struct http_req *r, const struct route *route)
{
    test_clock_refresh();   /* a no-op unless a test moves the clock (test_clock.h) */
    bool safe = strcmp(r->method, "GET") == 0 || strcmp(r->method, "HEAD") == 0;
    /* One read transaction: a read's token and everything its reply shows come from one snapshot;
     * a write's token and what it reads before it writes too (the write ends it: store.h), so
     * those reads take the WAL's read lock once and the connection keeps its page cache between
     * them, and a thread's kept principal (auth.c) applies to writes as well. */
    app_read_begin(r->app);
    int rc = dispatch_checked(r, route, safe);
    app_read_end(r->app);
    return rc;
}

const char *api_principal_label(struct http_req *r) { return r->who ? r->who->login : "-"; }

void api_request_free(struct http_req *r)
{
    free(r->who);
    r->who = NULL;
}

/* ------------------------------------------------------------------------- session and me */

int api_session_create(struct http_req *r)
{
    struct err e = {0};
    json_t *in = NULL;
    if (http_body_json(r, &in, false, &e) != 0) return api_reply(r, 0, NULL, &e);
    static const char *const keys[] = {"login", "password", NULL};
    const char *login, *password;
    if (input_known_keys(in, keys, &e) || input_text(in, "login", true, 64, &login, &e) ||
        input_text(in, "password", true, 256, &password, &e)) {
        json_decref(in);
        return api_reply(r, 0, NULL, &e);
    }
    char *token = NULL, csrf[64], device[AUTH_DEVICE_COOKIE_MAX];
    struct principal p;
    if (auth_login(r->app, login, password, r->client_ip, http_cookie(r, DEVICE_COOKIE), &token, csrf, sizeof csrf,
                   &p, device, &e) != 0) {
        json_decref(in);
        retry_after_header(r, &e);
        return api_reply(r, 0, NULL, &e);
    }
    json_decref(in);
    char cookie[256];
    snprintf(cookie, sizeof cookie, SESSION_COOKIE "=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=43200", token);
    reply_header(r, "Set-Cookie", cookie);
    if (device[0]) {
        char dc[AUTH_DEVICE_COOKIE_MAX + 128];
        snprintf(dc, sizeof dc, DEVICE_COOKIE "=%s; Path=/api/v1/session; HttpOnly; SameSite=Strict; Max-Age=31536000",
                 device);
        reply_header(r, "Set-Cookie", dc);
    }
    r->who = calloc(1, sizeof *r->who);
    if (r->who) *r->who = p;
    json_t *out = json_pack("{s:s s:s s:i s:o}", "token", token, "csrf_token", csrf, "expires_in", 43200, "user",
                            user_me(r->app, &p));
    free(token);
    return reply_json(r, 201, out);
}

int api_session_delete(struct http_req *r)
{
    struct err e = {0};
    if (auth_logout(r->app, r->who, &e) != 0) return api_reply(r, 0, NULL, &e);
    reply_header(r, "Set-Cookie", SESSION_COOKIE "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
    return reply_empty(r, 204);
}

int api_me(struct http_req *r) { return reply_json(r, 200, user_me(r->app, r->who)); }

int api_me_password(struct http_req *r)
{
    struct err e = {0};
    json_t *in = NULL;
    if (http_body_json(r, &in, false, &e) != 0) return api_reply(r, 0, NULL, &e);
    static const char *const keys[] = {"old_password", "new_password", "revoke_tokens", NULL};
    const char *old_pw, *new_pw;
    json_t *revoke = json_object_get(in, "revoke_tokens");
    int rc = input_known_keys(in, keys, &e) || input_text(in, "old_password", true, 256, &old_pw, &e) ||
             input_text(in, "new_password", true, 256, &new_pw, &e);
    if (!rc && revoke && !json_is_boolean(revoke))
        rc = err_set(&e, ERR_VALIDATION, "/revoke_tokens", "revoke_tokens must be true or false",
                     "revoke_tokens 必须为 true 或 false");
    /* API tokens are revoked unless the caller asks to keep them */
    if (!rc) rc = user_set_password(r->app, r->who, r->who->login, old_pw, new_pw, !json_is_false(revoke), &e);
    json_decref(in);
    /* the password rules name the field "/password"; here it is "/new_password" */
    if (rc && strcmp(e.field, "/password") == 0) snprintf(e.field, sizeof e.field, "/new_password");
    if (rc) {
        retry_after_header(r, &e);
        return api_reply(r, 0, NULL, &e);
    }
    return reply_empty(r, 204);
}

int api_tokens_create(struct http_req *r)
{
    struct err e = {0};
    json_t *in = NULL;
    if (http_body_json(r, &in, false, &e) != 0) return api_reply(r, 0, NULL, &e);
    static const char *const keys[] = {"name", "days", NULL};
    const char *name;
    int64_t days = 0;
    char *token = NULL;
    json_t *out = NULL;
    /* the service judges the range of days, with a message that names the limit */
    int rc = input_known_keys(in, keys, &e) || input_text(in, "name", true, 100, &name, &e) ||
             input_int(in, "days", false, 1, 1000000, &days, &e) ||
             auth_token_create(r->app, r->who, name, (int)days, &token, &out, &e);
    if (!rc && out) json_object_set_new(out, "token", json_string(token));
    if (out) { json_object_del(out, "revoked"); json_object_del(out, "org_id"); }
    json_decref(in);
    if (token) sodium_memzero(token, strlen(token));
    free(token);
    return api_reply(r, 201, rc ? NULL : out, &e);
}

int api_tokens_list(struct http_req *r)
{
    struct err e = {0};
    static const char *const scopes[] = {"mine", "org", NULL};   /* mine: the default */
    const char *scope;
    if (query_enum(r, "scope", scopes, &scope, &e) != 0) return api_reply(r, 0, NULL, &e);
    json_t *list = auth_token_list(r->app, r->who, scope && strcmp(scope, "org") == 0, &e);
    return api_reply(r, 200, list ? json_pack("{s:o}", "items", list) : NULL, &e);
}

int api_tokens_delete(struct http_req *r)
{
    struct err e = {0};
    const char *id = r->nparams > 0 ? r->params[0] : NULL;
    if (auth_token_revoke(r->app, r->who, id, &e) != 0) return api_reply(r, 0, NULL, &e);
    return reply_empty(r, 204);
}

/* ------------------------------------------------------------------------ orgs and users */

int api_orgs_list(struct http_req *r)
{
    struct err e = {0};
    static const char *const kinds[] = {"enterprise", "provider", "authority", "platform", NULL};
    const char *kind;
    if (query_enum(r, "kind", kinds, &kind, &e) != 0) return api_reply(r, 0, NULL, &e);
    return reply_json(r, 200, json_pack("{s:o}", "items", org_list(r->app, r->who, kind)));
}

int api_orgs_create(struct http_req *r)
{
    struct err e = {0};
    json_t *in = NULL;
    if (http_body_json(r, &in, false, &e) != 0) return api_reply(r, 0, NULL, &e);
    int64_t id = org_create(r->app, r->who, in, &e);
    json_decref(in);
    if (id < 0) return api_reply(r, 0, NULL, &e);
    return api_reply(r, 201, org_get(r->app, r->who, id, &e), &e);
}

int api_orgs_get(struct http_req *r)
{
    struct err e = {0};
    return api_reply(r, 200, org_get(r->app, r->who, api_param_id(r, 0), &e), &e);
}

int api_orgs_update(struct http_req *r)
{
    struct err e = {0};
    json_t *in = NULL;
    if (http_body_json(r, &in, false, &e) != 0) return api_reply(r, 0, NULL, &e);
    json_t *out = org_update(r->app, r->who, api_param_id(r, 0), in, &e);
    json_decref(in);
    return api_reply(r, 200, out, &e);
}

int api_users_list(struct http_req *r)
{
    struct err e = {0};
    int64_t org_id;
    if (query_id(r, "org_id", &org_id, &e) != 0) return api_reply(r, 0, NULL, &e);
    json_t *list = user_list(r->app, r->who, org_id, &e);
    return api_reply(r, 200, list ? json_pack("{s:o}", "items", list) : NULL, &e);
}

int api_users_create(struct http_req *r)
{
    struct err e = {0};
    json_t *in = NULL;
    if (http_body_json(r, &in, false, &e) != 0) return api_reply(r, 0, NULL, &e);
    int64_t id = user_create(r->app, r->who, in, &e);
    json_t *out = NULL;
    if (id > 0) {
        /* the same shape as GET /users (roles a list, disabled a boolean) */
        json_t *list = user_list(r->app, r->who, json_integer_value(json_object_get(in, "org_id")), &e);
        size_t i;
        json_t *u;
        json_array_foreach(list, i, u) if (json_integer_value(json_object_get(u, "id")) == id) out = json_incref(u);
        json_decref(list);
    }
    json_decref(in);
    return api_reply(r, 201, out, &e);
}
