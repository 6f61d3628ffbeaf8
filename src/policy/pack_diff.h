/* pack_diff.h — what changed between two versions of a policy pack, said in words (zh and en):
 * rules (added, removed; severity, title, source, overridable, fields, code), form fields of the
 * filing and of the self-inspection report (added, removed; type, required, options, limits),
 * parameters (params.json thresholds), required materials (material kinds and the materials
 * matrix), deadlines (deadlines.json: review, rectification, inspection cycles, change reports),
 * the working-day calendar, incident report clocks, provider parameters and regions.
 *
 * The result: {"from": {id, version, edition, effective_from}, "to": {…}, "changes": [CHANGE…],
 * "summary": {area: count…}}, CHANGE = {"area", "change": "added|removed|changed", "subject" (a rule
 * id, a field path, a parameter pointer, a material kind, a year …), "aspect" (what of the
 * subject changed, e.g. "severity"; absent for added and removed), "from"?, "to"?, "zh", "en"}.
 * Areas, in this order: rules, classification, fields, inspection_fields, parameters, materials,
 * deadlines, calendar, incidents, providers, regions. Pure except that it reads the packs' Lua
 * sources (to compare each rule's code, comments and layout ignored). */
#ifndef BEIAN_PACK_DIFF_H
#define BEIAN_PACK_DIFF_H

#include <jansson.h>
#include "policy/pack.h"

/* A new object as above; NULL only when out of memory. */
json_t *pack_diff(const struct pack *from, const struct pack *to);

#endif
