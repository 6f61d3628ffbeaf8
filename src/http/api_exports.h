/* api_exports.h — endpoint handlers of the exports and the statistics (api_exports.c), for the
 * route table in api.c. */
#ifndef BEIAN_API_EXPORTS_H
#define BEIAN_API_EXPORTS_H

#include "http/http.h"

int api_exports_register_csv(struct http_req *r);
int api_exports_register_xlsx(struct http_req *r);
int api_filings_bundle(struct http_req *r);
int api_statistics(struct http_req *r);

#endif
