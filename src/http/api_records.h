/* api_records.h — endpoint handlers of what follows the filing number (api_records.c): the
 * self-inspection reports of filed records, their schedule and the records' standing findings, and
 * the authority's supervision list, for the route table in api.c. */
#ifndef BEIAN_API_RECORDS_H
#define BEIAN_API_RECORDS_H

#include "http/http.h"

int api_inspections_list(struct http_req *r);
int api_inspections_get(struct http_req *r);
int api_inspections_put_document(struct http_req *r);
int api_inspections_patch_document(struct http_req *r);
int api_inspections_action(struct http_req *r);
int api_filings_inspections_list(struct http_req *r);
int api_filings_inspections_start(struct http_req *r);
int api_filings_inspections_order(struct http_req *r);
int api_filings_standing(struct http_req *r);
int api_filings_evidence_list(struct http_req *r);
int api_filings_evidence_add(struct http_req *r);
int api_supervision(struct http_req *r);

#endif
