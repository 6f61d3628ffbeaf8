/* api_providers.c — endpoints of the provider registry: profiles, expiring qualifications,
 * evaluation scorecards and the directory. Thin adapters to service/providers.h. */
#include "http/api.h"
#include "core/clock.h"
#include "http/api_registry.h"
#include "http/query.h"
#include "service/app.h"
#include "service/providers.h"

#include <time.h>

int api_providers_directory(struct http_req *r)
{
    struct err e = {0};
    return api_reply(r, 200, provider_directory(r->app, r->who, &e), &e);
}

int api_providers_profile_get(struct http_req *r)
{
    struct err e = {0};
    return api_reply(r, 200, provider_profile_get(r->app, r->who, api_param_id(r, 0), &e), &e);
}

int api_providers_profile_put(struct http_req *r)
{
    struct err e = {0};
    json_t *in = NULL;
    if (http_body_json(r, &in, false, &e) != 0) return api_reply(r, 0, NULL, &e);
    json_t *out = provider_profile_put(r->app, r->who, api_param_id(r, 0), in, &e);
    json_decref(in);
    return api_reply(r, 200, out, &e);
}

int api_providers_expiring(struct http_req *r)
{
    struct err e = {0};
    day_t day;
    if (query_day(r, "as_of", date_from_unix(clock_now()), &day, &e) != 0) return api_reply(r, 0, NULL, &e);
    return api_reply(r, 200, provider_expiring(r->app, r->who, api_param_id(r, 0), day, &e), &e);
}

int api_providers_evaluations_list(struct http_req *r)
{
    struct err e = {0};
    return api_reply(r, 200, provider_evaluation_list(r->app, r->who, api_param_id(r, 0), &e), &e);
}

int api_providers_evaluations_create(struct http_req *r)
{
    struct err e = {0};
    json_t *in = NULL;
    if (http_body_json(r, &in, false, &e) != 0) return api_reply(r, 0, NULL, &e);
    json_t *out = provider_evaluation_create(r->app, r->who, api_param_id(r, 0), in, &e);
    json_decref(in);
    return api_reply(r, 201, out, &e);
}
