/* api_proofs.h — endpoint handlers of signed certificates, receipts and the verifiable audit
 * log (api_proofs.c), for the route table in api.c. */
#ifndef BEIAN_API_PROOFS_H
#define BEIAN_API_PROOFS_H

#include "http/http.h"

int api_public_keys(struct http_req *r);
int api_public_checkpoint(struct http_req *r);
int api_public_inclusion(struct http_req *r);
int api_public_consistency(struct http_req *r);
int api_filings_certificate(struct http_req *r);
int api_filings_receipts(struct http_req *r);
int api_filings_receipt(struct http_req *r);

#endif
