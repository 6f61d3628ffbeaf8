/* filing_pass.h — what one worker of a pass over many filed records (the daily standing check)
 * keeps from record to record, so that records sharing a document, an organisation and its
 * materials are not parsed, looked up and checked again and again:
 *   - parsed documents by a digest of their stored text (core/doc_cache.h);
 *   - the policy checks by a digest of their inputs (policy/memo.h);
 *   - the findings against the records (filing_facts.h: subject, jurisdiction, materials, provider)
 *     by a digest of the pack, the organisation and the document, with the materials attached.
 * The rows these read (organisation, authority, materials, provider) are thus read once per pass
 * for each document and organisation: a pass sees the records as they were when it first read
 * them, as if it had read them all at its start; a change during the pass is seen by the next one.
 * Bounded: FILING_PASS_FACTS entries besides the two caches. One per thread, for one pass. */
#ifndef BEIAN_FILING_PASS_H
#define BEIAN_FILING_PASS_H

#include <jansson.h>
#include "policy/pack.h"
#include "store/store.h"

enum { FILING_PASS_FACTS = 64 };

struct filing_pass;

struct filing_pass *filing_pass_new(void);
void filing_pass_free(struct filing_pass *fp);

struct doc_cache *filing_pass_docs(struct filing_pass *fp);
struct policy_memo *filing_pass_checks(struct filing_pass *fp);

/* A digest of doc, which differs whenever the document differs: that of its text when it is one
 * of the pass's parsed documents (no walk), else one walked member by member. */
void filing_pass_doc_digest(struct filing_pass *fp, const json_t *doc, unsigned char out[32]);

/* filing_record_findings (filing_facts.h) through the pass: the same findings (the array a new
 * reference, the findings in it shared with the pass: read only) and the same members added to
 * attached. doc_digest: filing_pass_doc_digest of row.document. */
json_t *filing_pass_record_findings(struct filing_pass *fp, struct store_conn *c, const struct pack *p,
                                    const json_t *row, const unsigned char doc_digest[32], json_t *attached);

#endif
