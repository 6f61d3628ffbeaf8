/* openapi.c — serves the OpenAPI 3.1 description of the API (docs/openapi.json, embedded at build). */
#include "http/api.h"

#include <stddef.h>

extern const unsigned char openapi_json[];
extern const size_t openapi_json_len;

int api_openapi(struct http_req *r)
{
    return reply_bytes(r, 200, "application/json; charset=utf-8", openapi_json, openapi_json_len);
}
