/* audit.c — the audit log as the service layer uses it. */
#include "service/audit.h"
#include "service/app.h"
#include "service/auth.h"
#include "store/store.h"
#include "core/workflow.h"
#include "service/notify.h"

int audit_record(struct store_conn *c, const struct principal *who, const char *action, const char *object_type,
                 int64_t object_id, int64_t filing_id, int64_t org_id, const char *before_sha,
                 const char *after_sha, const json_t *detail, struct err *e)
{
    struct audit_entry a = {
        .actor_user_id = who ? who->user_id : 0, .actor_org_id = who ? who->org_id : 0,
        .action = action, .object_type = object_type, .object_id = object_id, .filing_id = filing_id,
        .org_id = org_id, .before_sha = before_sha, .after_sha = after_sha, .detail = detail,
    };
    if (store_audit_append(c, &a, e) != 0) return -1;
    return notify_from_event(c, &a, e);   /* notifications: inbox and outbox in the same transaction */
}

int audit_record_of(struct store_conn *c, const struct audit_entry *a, const struct notify_filing *filing,
                    struct notify_cache *cache, const char *params_text, struct err *e)
{
    if (store_audit_append(c, a, e) != 0) return -1;
    return notify_from_event_of(c, a, filing, cache, params_text, e);
}

void audit_scope_of(const struct principal *who, struct store_scope *scope)
{
    scope->admin = principal_is_admin(who);
    scope->org_kind = who->org_kind;
    scope->org_id = who->org_id;
}

json_t *audit_list(struct app *a, const struct principal *who, int64_t filing_id, int limit, int64_t cursor,
                   struct err *e)
{
    struct store_scope scope;
    audit_scope_of(who, &scope);
    int64_t next = 0;
    bool manages_users = (who->roles & (ROLE_ORG_ADMIN | ROLE_AUTHORITY_ADMIN)) != 0;
    json_t *items = store_audit_list(store_reader(a->store), &scope, who->user_id, manages_users, filing_id, limit,
                                     cursor, &next, e);
    if (!items) return NULL;
    return json_pack("{s:o s:o}", "items", items, "next_cursor", next ? json_sprintf("%lld", (long long)next) : json_null());
}
