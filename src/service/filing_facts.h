/* filing_facts.h — what a filing document states that the records can contradict, checked on every
 * save and again before every decision:
 *   - the subject is the filing organisation: each field the pack marks "from_record" (its name and
 *     USCC) equals the organisation's record;
 *   - jurisdiction follows the organisation: the reviewing authority is the one whose jurisdiction
 *     covers the organisation's registered region, and the document's /subject/region_code must lie
 *     inside that jurisdiction;
 *   - each material field names an existing material of the filing organisation, of a kind the
 *     field accepts;
 *   - /provider/provider_org names a registered cloud provider.
 * Each problem is an error finding at its field (rules RECORD-SUBJECT, RECORD-JURISDICTION,
 * RECORD-MATERIAL, RECORD-PROVIDER), never a refused save. */
#ifndef BEIAN_FILING_FACTS_H
#define BEIAN_FILING_FACTS_H

#include <jansson.h>
#include "policy/pack.h"
#include "store/store.h"

/* The findings of row.document (a JSON object) against the records of row.org_id. New reference.
 * attached (an object, or NULL) gets {kind: [id…]}: the organisation's own materials the document
 * names, as the rules read them (ctx.materials) — each material is read once for both. */
json_t *filing_record_findings(struct store_conn *c, const struct pack *p, const json_t *row, json_t *attached);

/* The same in two steps, for a copy kept of them (filing_facts_kept.h): what of the document the checks
 * read (NULL when out of memory) — the checks see nothing else of it, so its digest stands for the
 * document — and those inputs checked against the records of organisation org_id. */
struct facts_inputs;
struct facts_inputs *filing_facts_inputs(const struct pack *p, const json_t *doc);
void filing_facts_inputs_digest(const struct facts_inputs *in, unsigned char out[32]);
json_t *filing_facts_check(struct store_conn *c, int64_t org_id, const struct facts_inputs *in, json_t *attached);
void filing_facts_inputs_free(struct facts_inputs *in);

/* The RECORD-MATERIAL findings of the material fields of form (the filing's, or the
 * self-inspection report's) in doc, for organisation org_id. New reference. */
json_t *filing_material_findings(struct store_conn *c, const json_t *form, const json_t *doc, int64_t org_id,
                                 json_t *attached);

/* The authority that reviews the filings of organisation org_id: the most specific one whose
 * jurisdiction covers the organisation's registered region. New reference, or NULL when none does. */
json_t *filing_authority_of_org(struct store_conn *c, int64_t org_id);

#endif
