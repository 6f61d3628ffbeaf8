/* api_registry.h — endpoint handlers of materials (api_materials.c) and of the provider registry
 * (api_providers.c), for the route table in api.c. */
#ifndef BEIAN_API_REGISTRY_H
#define BEIAN_API_REGISTRY_H

#include "http/http.h"

int api_materials_upload(struct http_req *r);          /* ROUTE_UPLOAD */
int api_materials_upload_version(struct http_req *r);  /* ROUTE_UPLOAD */
int api_materials_list(struct http_req *r);
int api_materials_get(struct http_req *r);
int api_materials_versions(struct http_req *r);
int api_materials_version(struct http_req *r);
int api_materials_content(struct http_req *r);
int api_materials_version_content(struct http_req *r);
int api_filings_version_materials(struct http_req *r);

int api_providers_directory(struct http_req *r);
int api_providers_profile_get(struct http_req *r);
int api_providers_profile_put(struct http_req *r);
int api_providers_expiring(struct http_req *r);
int api_providers_evaluations_list(struct http_req *r);
int api_providers_evaluations_create(struct http_req *r);

#endif
