/* api_policy.c — endpoints of the policy packs: installed versions, a version's form schema and
 * rules, installing a version (admin), the impact of a version on the filed systems, and what
 * changed between two versions (policy/pack_diff.h). */
#include "http/api.h"
#include "http/query.h"
#include "core/clock.h"
#include "service/app.h"
#include "service/auth.h"
#include "service/input.h"
#include "service/policy_admin.h"
#include "service/policy_jobs.h"
#include "policy/pack_diff.h"
#include "policy/registry.h"
#include "policy/rules.h"

#include <string.h>
#include <time.h>

#define IMPACT_MAX_ITEMS 10000

int api_policy_packs(struct http_req *r)
{
    return reply_json(r, 200, json_pack("{s:o}", "items", policy_packs(r->app)));
}

/* The install runs in the background (service/policy_jobs.h): 202 with the job to poll. */
int api_policy_install(struct http_req *r)
{
    struct err e = {0};
    json_t *in = NULL, *job = NULL;
    if (http_body_json(r, &in, false, &e) != 0) return api_reply(r, 0, NULL, &e);
    static const char *const keys[] = {"dir", NULL};
    const char *dir;
    if (input_known_keys(in, keys, &e) == 0 && input_text(in, "dir", true, 1000, &dir, &e) == 0)
        policy_jobs_submit_install(r->app, r->who, dir, &job, &e);
    json_decref(in);
    return api_reply(r, 202, job, &e);
}

int api_policy_job(struct http_req *r)
{
    struct err e = {0};
    json_t *job = NULL;
    policy_jobs_get(r->app, r->who, r->params[0], &job, &e);
    return api_reply(r, 200, job, &e);
}

static const struct pack *pack_of(struct http_req *r, struct err *e)
{
    const struct pack *p = registry_find(app_packs(r->app), r->params[0], r->params[1]);
    if (!p) err_set(e, ERR_NOT_FOUND, NULL, "no such policy pack version", "没有该策略包版本");
    return p;
}

int api_policy_pack_schema(struct http_req *r)
{
    struct err e = {0};
    const struct pack *p = pack_of(r, &e);
    if (!p) return api_reply(r, 0, NULL, &e);
    return reply_json(r, 200, json_pack("{s:s s:s s:O s:O s:O}", "pack", p->id, "version", p->version, "manifest",
                                        p->manifest, "form", p->form, "materials", p->materials));
}

int api_policy_pack_rules(struct http_req *r)
{
    struct err e = {0};
    const struct pack *p = pack_of(r, &e);
    if (!p) return api_reply(r, 0, NULL, &e);
    return reply_json(r, 200, json_pack("{s:s s:s s:O}", "pack", p->id, "version", p->version, "items",
                                        (json_t *)policy_rules(p)));
}

static void collect(const json_t *item, void *arg)
{
    json_t *items = arg;
    if (json_array_size(items) < IMPACT_MAX_ITEMS) json_array_append(items, (json_t *)item);
}

int api_policy_impact(struct http_req *r)
{
    struct err e = {0};
    const char *spec;
    day_t as_of;
    if (query_text(r, "pack", 200, &spec, &e) || query_day(r, "as_of", date_from_unix(clock_now()), &as_of, &e))
        return api_reply(r, 0, NULL, &e);
    json_t *items = json_array();
    int64_t checked = 0;
    if (policy_impact(r->app, r->who, spec, as_of, collect, items, &checked, &e) != 0) {
        json_decref(items);
        return api_reply(r, 0, NULL, &e);
    }
    char day[11];
    date_format(as_of, day);
    size_t n = json_array_size(items);
    return reply_json(r, 200, json_pack("{s:s s:s s:I s:I s:o s:b}", "pack", spec, "as_of", day, "checked",
                                        (json_int_t)checked, "failing_count", (json_int_t)n, "items", items,
                                        "truncated", n >= IMPACT_MAX_ITEMS));
}

/* GET /policy/diff?from=ID@VERSION&to=ID@VERSION — for anyone signed in, as the packs themselves. */
int api_policy_diff(struct http_req *r)
{
    struct err e = {0};
    const char *names[2] = {"from", "to"};
    const struct pack *packs[2];
    for (int i = 0; i < 2; i++) {
        const char *spec = http_query(r, names[i]);
        if (!spec || !*spec) {
            err_set(&e, ERR_BAD_REQUEST, names[i], "%s=ID@VERSION is required", "须给出 %s=ID@VERSION", names[i]);
            return api_reply(r, 0, NULL, &e);
        }
        if (!(packs[i] = registry_find_spec(app_packs(r->app), spec))) {
            err_set(&e, ERR_NOT_FOUND, names[i], "policy pack %.200s is not installed (give ID@VERSION)",
                    "未安装策略包 %.200s（请给出 ID@VERSION）", spec);
            return api_reply(r, 0, NULL, &e);
        }
    }
    json_t *diff = pack_diff(packs[0], packs[1]);
    if (!diff) {
        err_set(&e, ERR_INTERNAL, NULL, "out of memory comparing the packs", "比较策略包时内存不足");
        return api_reply(r, 0, NULL, &e);
    }
    return reply_json(r, 200, diff);
}
