/* filing_facts_kept.h — what a filing's check reads from the records rather than its document
 * (struct filing_records: the records' findings, the materials attached, the accepted overrides,
 * the names of the organisation and the system, the named provider's findings), and a copy of it
 * kept per filing (as its policy trace is, filing_traces.h). The next check gets the copy
 * without reading the records again when
 *   - its document says the same to the records (filing_facts_inputs' digest: the subject fields,
 *     the region, the materials named, the provider named),
 *   - for the same organisation, system, provider and scorecard named, pack and day,
 *   - and the records' generation (store_records_generation) has not moved since the copy was
 *     read: no organisation, system, material, provider, override… changed, here or elsewhere.
 * Equal to filing_records_read by construction; tests/unit/test_facts_kept.c compares both over
 * random edits and record changes. */
#ifndef BEIAN_FILING_FACTS_KEPT_H
#define BEIAN_FILING_FACTS_KEPT_H

#include <jansson.h>
#include "core/date.h"
#include "policy/pack.h"
#include "store/store.h"

enum { FILING_FACTS_SLOTS = 128 };

struct filing_records {
    json_t *facts;         /* the records' findings (filing_record_findings) */
    json_t *attached;      /* {kind: [id…]}: the organisation's own materials the document names */
    json_t *overrides;     /* the rules of the filing's accepted overrides */
    json_t *subject_name;  /* the organisation's and the system's names, or NULL */
    json_t *system_name;
    json_t *provider;      /* the named provider's findings on that day (empty when none is named) */
};

/* All of it read afresh for row (document, id, org_id, system_id, provider_org_id,
 * provider_evaluation_id), or with facts and attached given (a pass keeps those itself: stolen). */
void filing_records_read(struct store_conn *c, const struct pack *p, const json_t *row, day_t today,
                         struct filing_records *out);
void filing_records_read_with_facts(struct store_conn *c, const struct pack *p, const json_t *row, day_t today,
                                    json_t *facts, json_t *attached, struct filing_records *out);

/* The same, from the copy kept for row.id when it still holds (0: nothing is kept). The values
 * are the kept copy's own, shared with every check that gets them: read only. */
void filing_records_kept(struct store_conn *c, const struct pack *p, const json_t *row, day_t today,
                         struct filing_records *out);

void filing_records_free(struct filing_records *r);

/* Forget every kept copy (the packs they were read for are going away). */
void filing_facts_kept_clear(void);

#endif
