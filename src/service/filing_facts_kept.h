/* filing_facts_kept.h — the records' findings of a filing's last check, kept per filing (as its
 * policy trace is, filing_traces.h): the next check gets them without reading the records again
 * when its document says the same to the records (filing_facts_inputs' digest: the subject fields,
 * the region, the materials named, the provider named), for the same organisation and pack, and
 * the records' generation (store_records_generation) has not moved since they were read — no
 * organisation, system, material, provider, override… changed, by this process or another.
 * Equal to filing_record_findings by construction; tests/unit/test_facts_kept.c compares both
 * over random edits and record changes. */
#ifndef BEIAN_FILING_FACTS_KEPT_H
#define BEIAN_FILING_FACTS_KEPT_H

#include <jansson.h>
#include "policy/pack.h"
#include "store/store.h"

enum { FILING_FACTS_SLOTS = 128 };

/* As filing_record_findings (filing_facts.h); row.id names the filing (0: nothing is kept). The
 * finding objects in the array may be shared with the kept copy: read only. */
json_t *filing_record_findings_kept(struct store_conn *c, const struct pack *p, const json_t *row, json_t *attached);

/* Forget them all (the packs they were checked against are going away). */
void filing_facts_kept_clear(void);

#endif
