/* api.h — helpers shared by the endpoint files (api_*.c). */
#ifndef BEIAN_API_H
#define BEIAN_API_H

#include <stdint.h>
#include "http/http.h"

/* Parse a path parameter as a positive id; 0 when it is not one. */
int64_t api_param_id(struct http_req *r, int index);
/* Reply with the value, or with the error when value is NULL. Status for a value. */
int api_reply(struct http_req *r, int status, json_t *value, struct err *e);

/* Endpoint handlers (one file per resource family). */
int api_session_create(struct http_req *r);
int api_session_delete(struct http_req *r);
int api_me(struct http_req *r);
int api_me_password(struct http_req *r);
int api_tokens_create(struct http_req *r);
int api_tokens_list(struct http_req *r);
int api_tokens_delete(struct http_req *r);
int api_orgs_list(struct http_req *r);
int api_orgs_create(struct http_req *r);
int api_orgs_get(struct http_req *r);
int api_orgs_update(struct http_req *r);
int api_users_list(struct http_req *r);
int api_users_create(struct http_req *r);
int api_systems_list(struct http_req *r);
int api_systems_create(struct http_req *r);
int api_systems_get(struct http_req *r);
int api_filings_list(struct http_req *r);
int api_filings_create(struct http_req *r);
int api_filings_get(struct http_req *r);
int api_filings_put_document(struct http_req *r);
int api_filings_patch_document(struct http_req *r);
int api_filings_action(struct http_req *r);
int api_filings_versions(struct http_req *r);
int api_filings_version(struct http_req *r);
int api_filings_diff(struct http_req *r);
int api_filings_rectifications(struct http_req *r);
int api_filings_answer(struct http_req *r);
int api_filings_events(struct http_req *r);
int api_filings_overrides(struct http_req *r);
int api_filings_override_request(struct http_req *r);
int api_filings_override_decide(struct http_req *r);
int api_audit(struct http_req *r);
int api_public_filing(struct http_req *r);
int api_healthz(struct http_req *r);
int api_metrics(struct http_req *r);
int api_workflow(struct http_req *r);
int api_policy_schema(struct http_req *r);
int api_policy_packs(struct http_req *r);
int api_policy_install(struct http_req *r);
int api_policy_job(struct http_req *r);
int api_policy_pack_schema(struct http_req *r);
int api_policy_pack_rules(struct http_req *r);
int api_policy_impact(struct http_req *r);
int api_policy_diff(struct http_req *r);
int api_openapi(struct http_req *r);
/* incidents (api_incidents.c) */
int api_incidents_report(struct http_req *r);
int api_incidents_list(struct http_req *r);
int api_incidents_get(struct http_req *r);
int api_incidents_update(struct http_req *r);
int api_incidents_close(struct http_req *r);
int api_incidents_order_inspection(struct http_req *r);

#endif
