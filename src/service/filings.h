/* filings.h — the use cases of business systems and their filings: create, read, edit the
 * document, list, versions, diff, rectification answers, events, public verification, and the
 * workflow actions (actions.c executes the table of core/workflow.c). Every function checks role,
 * state and tenancy; what the caller may not see is ERR_NOT_FOUND. */
#ifndef BEIAN_FILINGS_H
#define BEIAN_FILINGS_H

#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>
#include "core/err.h"
#include "store/store.h"

struct app;
struct principal;

int64_t system_create(struct app *a, const struct principal *who, const json_t *in, struct err *e);
json_t *system_list(struct app *a, const struct principal *who);
json_t *system_get(struct app *a, const struct principal *who, int64_t id, struct err *e);

/* {"system_id", "kind":"initial"} → the new filing (as filing_get returns it). */
json_t *filing_create(struct app *a, const struct principal *who, const json_t *in, struct err *e);
/* The filing with its document, findings, etag and allowed_actions for the caller. */
json_t *filing_get(struct app *a, const struct principal *who, int64_t id, struct err *e);
/* The same, with the members listed in FILING_RAW_MEMBERS holding JSON text (strings) to be
 * spliced into the reply as they are: the read path of GET /filings/{id}. */
json_t *filing_get_raw(struct app *a, const struct principal *who, int64_t id, struct err *e);
extern const char *const FILING_RAW_MEMBERS[];
/* Replace the document; if_match is the ETag the caller read (NULL: 428). */
json_t *filing_put_document(struct app *a, const struct principal *who, int64_t id, const json_t *doc,
                            const char *if_match, struct err *e);
/* RFC 7396 merge patch of the document; if_match optional. */
json_t *filing_patch_document(struct app *a, const struct principal *who, int64_t id, const json_t *patch,
                              const char *if_match, struct err *e);
json_t *filing_list(struct app *a, const struct principal *who, const struct filing_query *q, struct err *e);
json_t *filing_versions(struct app *a, const struct principal *who, int64_t id, struct err *e);
json_t *filing_version(struct app *a, const struct principal *who, int64_t id, int n, struct err *e);
json_t *filing_diff(struct app *a, const struct principal *who, int64_t id, int from, int to, struct err *e);
json_t *filing_rectifications(struct app *a, const struct principal *who, int64_t id, struct err *e);
json_t *filing_answer_item(struct app *a, const struct principal *who, int64_t id, int64_t rid, int64_t iid,
                           const json_t *in, struct err *e);
json_t *filing_events(struct app *a, const struct principal *who, int64_t id, struct err *e);
/* Public facts of a filing number, or NULL with ERR_NOT_FOUND. */
json_t *filing_public(struct app *a, const char *number, struct err *e);

/* POST /filings/{id}/actions/{action} with {"comment","reason","items"}: the result
 * {"filing": …} and, for report_change, {"change_filing": …}. */
json_t *filing_act(struct app *a, const struct principal *who, int64_t id, const char *action,
                   const json_t *in, struct err *e);

/* Override requests (overrides.c): the filer asks {"rule","reason","material_id"} that the error
 * findings of one overridable rule be waved through; the reviewer decides {"accept","comment"};
 * an accepted override turns those errors into warnings (marked overridden). */
json_t *filing_overrides(struct app *a, const struct principal *who, int64_t id, struct err *e);
json_t *filing_override_request(struct app *a, const struct principal *who, int64_t id, const json_t *in,
                                struct err *e);
json_t *filing_override_decide(struct app *a, const struct principal *who, int64_t id, int64_t oid,
                               const json_t *in, struct err *e);
/* The rules of the filing's override requests in a state ("accepted", "requested"): [rule…]. */
json_t *filing_override_rules(struct store_conn *c, int64_t filing_id, const char *state);

/* --- shared by filings.c and actions.c --- */
bool filing_visible(const struct principal *who, const json_t *row);
/* The filing the caller may see (a new reference), or NULL with e: 404 "no such filing". */
json_t *filing_load_visible(struct store_conn *c, const struct principal *who, int64_t id, struct err *e);
/* The actions the caller may take now (names), from the workflow table and its guards, judged by
 * the findings of the last save. */
json_t *filing_allowed_actions(struct app *a, const struct principal *who, const json_t *row);
/* The same (*possible) and every action the workflow gives the caller in the filing's state
 * (*actions): [{"action", "possible", "reason": {"code","zh","en"} when not possible}]. Codes:
 * errors_remain, standing_errors, maker_checker, system_filed, system_filing_open,
 * overrides_pending, change_open, not_the_record, not_now. */
void filing_actions_for(struct app *a, const struct principal *who, const json_t *row, json_t **possible,
                        json_t **actions);
/* Evaluate row.document under the pack as of today — form shape and completeness, the pack's rules
 * with the materials the document attaches, the named provider's qualifications — and store the
 * result in row.findings, row.derived and row.type. Called whenever the document changes or the
 * filing is submitted; reads use the stored result. row needs document, kind, org_id. */
void filing_evaluate(struct app *a, struct store_conn *c, json_t *row);
/* The same within a pass over many records (the standing check): what the pass's worker keeps
 * (filing_pass.h) answers the checks whose inputs it has seen (NULL: nothing kept). */
struct filing_pass;
void filing_evaluate_in_pass(struct app *a, struct store_conn *c, json_t *row, struct filing_pass *pass);
/* Number of findings of severity error in a findings array. */
size_t findings_errors(const json_t *findings);
/* Copy the derived list columns (names, region, level, provider) from the document into row. */
void filing_derive_columns(json_t *row);
/* The filing as the API shows it (row + etag + allowed_actions + findings). Steals nothing. */
json_t *filing_view(struct app *a, const struct principal *who, const json_t *row, bool with_document);
/* RFC 6901 lookup; NULL when absent. Borrowed. */
const json_t *json_at_pointer(const json_t *doc, const char *pointer);

#endif
