/* filing_traces.h — the last evaluation of each recently saved filing, kept in memory (a bounded
 * table by filing id), so that the next save of the same filing runs only the rules whose reads
 * changed (policy_check_traced, rules.h). The results equal a full policy_check; a filing whose
 * trace is not kept (first save since start, evicted, another pack version) is checked in full. */
#ifndef BEIAN_FILING_TRACES_H
#define BEIAN_FILING_TRACES_H

#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>
#include "core/date.h"
#include "core/err.h"
#include "policy/pack.h"

enum { FILING_TRACES_SLOTS = 128 };

/* policy_check of filing_id's document, incremental after its kept trace; keeps this one. The
 * trace keeps the document: a copy of its own, or doc itself when doc_given — the caller promises
 * that nothing changes doc afterwards (a save, which stores the document's text and drops the
 * tree), and saves itself the copy. */
int filing_traces_check(int64_t filing_id, const struct pack *p, const json_t *doc, bool doc_given, day_t as_of,
                        const json_t *ctx, json_t **findings, json_t **derived, struct err *e);

/* Drop every kept trace (before the packs they name are freed). */
void filing_traces_clear(void);

#endif
