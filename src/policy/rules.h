/* rules.h — the rule engine: evaluates a filing document with the rules and the classification
 * of a policy pack, written in Lua (policy/<pack>/lib.lua, rules/ *.lua, classify.lua, params.json).
 *
 * Evaluation is a pure function of (pack, document, as-of day, context): no clock, no I/O. Each
 * rule runs sandboxed (lua_sandbox.h) with its own instruction, memory and time budget; a rule
 * that fails, loops or exhausts memory yields a finding of its own (severity error, "Rule …
 * failed: …") and the other rules still run — unless the rules before it have used up the
 * evaluation's 2 s of CPU time (10 s on the clock), when it is not run and its finding says so. Any number of threads may evaluate at once against one shared,
 * read-only pack: each thread keeps its own prepared Lua states (rules already loaded) in a small
 * cache keyed by the pack, so an evaluation costs one conversion of the document plus the rules.
 *
 * Findings: a JSON array of {"rule","severity":"error|warning|info","path","message":{"zh","en"},
 * "source","overridable"} — the shape of schema.h, overridable from the rule's pack data — in rule order, plus "overridden": true on a finding an
 * accepted override turned from error into warning, and "rule_failed": true on the finding that
 * says a rule (or the classification, rule id POLICY-CLASSIFY) could not be evaluated.
 * Derived: {"level": n|null, "filing_type": "strict|standard|simplified",
 * "filing_type_reasons": [{"code","zh","en"}…], "required_materials": [kind…],
 * "cross_border_route": "security_assessment|standard_contract|certification|exempt"|null,
 * "review_working_days": n, "self_inspection_months": n} — every member always present.
 * Context (may be NULL): {"filing_kind": "initial"|"change" (default initial),
 * "materials": {kind: [id…]} (the filing's attached materials; absent = not known),
 * "overrides": ["SUBJ-002", …] or {"SUBJ-002": …} (accepted overrides of overridable rules)}. */
#ifndef BEIAN_RULES_H
#define BEIAN_RULES_H

#include <jansson.h>
#include "core/date.h"
#include "core/err.h"
#include "policy/pack.h"

/* Run the pack's classification and rules on doc (the FORM-* schema checks are not included:
 * see policy_check). 0 ok with *findings and *derived new references; -1 with e only when the
 * engine itself cannot run (e.g. out of memory) — a failing rule is a finding, not an error. */
int policy_evaluate(const struct pack *p, const json_t *doc, day_t as_of, const json_t *ctx,
                    json_t **findings, json_t **derived, struct err *e);

/* Everything a filer is told: the schema's shape and completeness findings (schema.h), then the
 * rules' findings; derived as policy_evaluate. What `beian validate` and the server report. */
int policy_check(const struct pack *p, const json_t *doc, day_t as_of, const json_t *ctx,
                 json_t **findings, json_t **derived, struct err *e);
/* The same for a document whose shape the caller has checked against p and found clean (an empty
 * schema_check_shape): the shape is not checked twice. */
int policy_check_shaped(const struct pack *p, const json_t *doc, day_t as_of, const json_t *ctx,
                        json_t **findings, json_t **derived, struct err *e);

/* What one evaluation read and found, unit by unit (the classification, each rule): kept so that
 * a later evaluation of the same pack and target runs only the units whose reads changed. It
 * holds references to the document it was made from (and copies of the context): the caller must
 * not change that document while the trace lives. */
struct policy_trace;
void policy_trace_free(struct policy_trace *t);

/* policy_check, reusing from prev (NULL: none) every unit whose reads are what they were; *next
 * (when next is not NULL) gets this evaluation's trace, or NULL when there was no memory for it.
 * The findings and derived values equal policy_check's. */
int policy_check_traced(const struct pack *p, const json_t *doc, day_t as_of, const json_t *ctx,
                        const struct policy_trace *prev, struct policy_trace **next, json_t **findings,
                        json_t **derived, struct err *e);

/* Units run and reused by the evaluation that made t. */
struct policy_trace_stats { int ran, reused; };
struct policy_trace_stats policy_trace_stats(const struct policy_trace *t);

/* The pack's rules, in evaluation order: [{"id","severity","title":{"zh","en"},"paths":[…],
 * "source","overridable"}]. Borrowed, read-only, valid while the pack is. */
const json_t *policy_rules(const struct pack *p);

/* The classification of a change report (the pack's changes.lua): before is the filed record's
 * document, after the change filing's; ctx {effective_on, reported_on} (either may be absent).
 * *out: {"class": "major"|"minor", "reasons": [{"code","zh","en"}…], "report_by": day|null,
 * "late": bool, "late_reason": {"code","zh","en"}|null}. A pack without changes.lua, or whose
 * changes.lua fails, classifies every change as major (reason code "unclassified"): the full
 * review is the safe side. -1 only when the engine itself cannot run (out of memory). */
int policy_classify_change(const struct pack *p, const json_t *before, const json_t *after, day_t as_of,
                           const json_t *ctx, json_t **out, struct err *e);

/* Counts of findings by severity. */
struct policy_counts {
    int errors, warnings, infos;
};
struct policy_counts policy_count(const json_t *findings);

/* Drop the calling thread's prepared states (a thread's states are also dropped when it exits).
 * Call before the main thread exits to leave nothing allocated. */
void policy_thread_cleanup(void);

/* ---- for pack.c ------------------------------------------------------------------------- */

struct rules_program;
/* Read the pack's Lua sources and params.json and check them by loading them once. A pack
 * without Lua files has no rules (classification falls back to the pack's defaults). 0 ok; -1
 * with e naming the file and the problem. */
int rules_program_load(const struct pack *p, struct rules_program **out, struct err *e);
/* The pack lets go of its program (pack_free). */
void rules_program_release(struct rules_program *prog);

#endif
