/* org_records.c — correcting an organisation's record. A filing's subject is the organisation that
 * files it (filing_facts.c), so its name, USCC and registered region are kept by the platform
 * administrator alone, and every correction is audited with the values before and after. */
#include "service/orgs.h"
#include "service/app_internal.h"
#include "service/audit.h"
#include "service/auth.h"
#include "service/input.h"
#include "core/region.h"

#include <string.h>

static const char *jstr(const json_t *o, const char *k) { return json_string_value(json_object_get(o, k)); }

struct org_update_job {
    const struct principal *who;
    int64_t id;
    const char *name, *uscc, *region;   /* NULL: unchanged */
};

static int org_update_job_fn(struct store_conn *c, void *arg, struct err *e)
{
    struct org_update_job *j = arg;
    json_t *before = store_org_get(c, j->id);
    if (!before) return err_set(e, ERR_NOT_FOUND, NULL, "no such organisation", "单位不存在");
    const char *name = j->name ? j->name : jstr(before, "name");
    const char *uscc = j->uscc ? j->uscc : jstr(before, "uscc");
    const char *region = j->region ? j->region : jstr(before, "region");
    int rc = store_org_update(c, j->id, name, uscc, region, e);
    if (rc != 0 && e->code == ERR_DUPLICATE)
        err_set(e, ERR_DUPLICATE, "/uscc", "an organisation with USCC %s already exists", "统一社会信用代码为 %s 的单位已存在",
                uscc);
    if (rc == 0) {
        json_t *detail = json_pack("{s:{s:O s:O s:O} s:{s:s s:s s:s}}", "before", "name", json_object_get(before, "name"),
                                   "uscc", json_object_get(before, "uscc"), "region", json_object_get(before, "region"),
                                   "after", "name", name, "uscc", uscc, "region", region);
        rc = audit_record(c, j->who, "org.update", "org", j->id, 0, j->id, NULL, NULL, detail, e);
        json_decref(detail);
    }
    json_decref(before);
    return rc;
}

json_t *org_update(struct app *a, const struct principal *who, int64_t id, const json_t *in, struct err *e)
{
    static const char *const keys[] = {"name", "uscc", "region", "uscc_as_on_licence", NULL};
    if (!principal_is_admin(who)) {
        /* whoever can see the organisation learns only that the record is not theirs to change */
        json_t *seen = org_get(a, who, id, e);
        if (!seen) return NULL;
        json_decref(seen);
        err_set(e, ERR_FORBIDDEN, NULL, "only the platform administrator corrects an organisation's record",
                "只有平台管理员可以更正单位的登记信息");
        return NULL;
    }
    struct org_update_job j = {who, id, NULL, NULL, NULL};
    if (input_known_keys(in, keys, e) || input_name(in, "name", false, 200, &j.name, e) ||
        input_text(in, "uscc", false, 18, &j.uscc, e) || input_text(in, "region", false, 6, &j.region, e))
        return NULL;
    if (!j.name && !j.uscc && !j.region) {
        err_set(e, ERR_VALIDATION, "", "give at least one of name, uscc, region", "请至少给出 name、uscc、region 之一");
        return NULL;
    }
    if (j.uscc && org_uscc_acceptable(j.uscc, json_object_get(in, "uscc_as_on_licence"), e) != 0) return NULL;
    if (j.region && (!region_code_valid(j.region) || !pack_region_known(a->pack, j.region))) {
        err_set(e, ERR_VALIDATION, "/region", "region %s is not a known GB/T 2260 code", "行政区划代码 %s 不在区划表中", j.region);
        return NULL;
    }
    if (store_write(a->store, org_update_job_fn, &j, e) != 0) return NULL;
    return org_get(a, who, id, e);
}
