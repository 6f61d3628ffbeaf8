/* policy_notices.c — the notices of a new policy version to the enterprises whose filed records it
 * would break (see policy_notices.h). The impact analysis (policy_admin.c) finds the records; each
 * notice is an audit entry on the record (policy.affected), from which the notification catalogue
 * reaches the record's filers and administrators, in the entry's own transaction. */
#include "service/policy_notices.h"
#include "core/clock.h"
#include "core/date.h"
#include "policy/registry.h"
#include "policy/pack.h"
#include "policy/rules.h"
#include "service/app_internal.h"
#include "service/audit.h"
#include "service/auth.h"
#include "service/policy_admin.h"
#include "store/store.h"

#include <string.h>

/* At most this many records are told of one version (the impact analysis streams; the notices
 * are kept in memory until written). */
#define NOTICES_MAX 100000

static const char *jstr(const json_t *o, const char *k) { return json_string_value(json_object_get(o, k)); }

static void collect(const json_t *item, void *arg)
{
    json_t *items = arg;
    if (json_array_size(json_object_get(item, "new_rules")) && json_array_size(items) < NOTICES_MAX)
        json_array_append(items, (json_t *)item);
}

/* "ID title; ID title" of the rules, in one language, from the pack's rule list. */
static json_t *rules_text(const struct pack *p, const json_t *ids)
{
    json_t *out = json_object();
    static const char *const langs[] = {"zh", "en"};
    for (int l = 0; l < 2; l++) {
        char buf[2048] = "";
        size_t i, k;
        json_t *id, *r;
        json_array_foreach(ids, i, id) {
            const char *title = NULL;
            json_array_foreach(policy_rules(p), k, r)
                if (strcmp(jstr(r, "id"), json_string_value(id)) == 0)
                    title = jstr(json_object_get(r, "title"), langs[l]);
            size_t used = strlen(buf);
            snprintf(buf + used, sizeof buf - used, "%s%s%s%s", i ? (l ? "; " : "；") : "", title ? title : "",
                     title ? (l ? " (" : "（") : "", json_string_value(id));
            used = strlen(buf);
            if (title) snprintf(buf + used, sizeof buf - used, "%s", l ? ")" : "）");
        }
        json_object_set_new(out, langs[l], json_string(buf));
    }
    return out;
}

struct notice_job {
    const struct pack *p;
    const json_t *items;
    const char *spec, *effective_from;
    int64_t written;
};

static int notice_job_fn(struct store_conn *c, void *arg, struct err *e)
{
    struct notice_job *j = arg;
    struct principal system;
    principal_operator(&system);
    size_t i;
    json_t *it;
    json_array_foreach(j->items, i, it) {
        int64_t id = json_integer_value(json_object_get(it, "id"));
        json_t *row = store_filing_get_raw(c, id);
        if (!row) continue;
        int64_t org = json_integer_value(json_object_get(row, "org_id"));
        json_decref(row);
        json_t *d = json_pack("{s:s s:s s:O s:o}", "pack", j->spec, "effective_from", j->effective_from, "new_rules",
                              json_object_get(it, "new_rules"), "rules", rules_text(j->p, json_object_get(it, "new_rules")));
        int rc = audit_record(c, &system, "policy.affected", "filing", id, id, org, NULL, NULL, d, e);
        json_decref(d);
        if (rc != 0) return -1;
        j->written++;
    }
    return 0;
}

int policy_notify_affected(struct app *a, const char *spec, int64_t *notified, struct err *e)
{
    const struct pack *p = registry_find_spec(a->packs, spec);
    if (!p) return err_set(e, ERR_NOT_FOUND, NULL, "policy pack %s is not installed", "未安装策略包 %s", spec);
    struct principal op;
    principal_operator(&op);
    /* as of today: what the version itself changes, not what time alone would bring by then */
    day_t as_of = date_from_unix(clock_now());
    json_t *items = json_array();
    int64_t checked = 0;
    int rc = policy_impact(a, &op, spec, as_of, collect, items, &checked, e);
    char from[11];
    date_format(p->effective_from, from);
    struct notice_job j = {p, items, spec, from, 0};
    if (rc == 0 && json_array_size(items)) rc = store_write(a->store, notice_job_fn, &j, e);
    if (notified) *notified = rc == 0 ? j.written : 0;
    json_decref(items);
    return rc;
}
