/* fixtures.h — a pack's fixtures: test documents, each with what the pack must (and must not)
 * find in it. `beian policy test` runs them, `beian policy lint` counts them per rule.
 *
 * Layout: <pack>/fixtures/fixtures.json holds the defaults {"base": "reference.json",
 * "as_of": "YYYY-MM-DD"}; base documents sit beside it; fixtures are the *.json files of its
 * subdirectories (fixtures/rules/, fixtures/classify/, …), run in name order. One fixture:
 *   {"description": "…",
 *    "base": "reference.json",          the document to start from (default: fixtures.json's)
 *    "document": {…},                   or the whole document instead of base + patches
 *    "patch": {…},                      a JSON merge patch (RFC 7396) applied to the base
 *    "set": {"/json/pointer": value},   then values set at pointers (list entries too)
 *    "as_of": "YYYY-MM-DD", "ctx": {…}, evaluation inputs (rules.h)
 *    "expect": {"fire": ["DS-003", {"rule": "SYS-005", "path": "/system/domains/1",
 *                                    "severity": "error"}],   each must match a finding
 *               "quiet": ["DS-001"],                          no finding of these rules
 *               "derived": {…},                               a subset of the derived values
 *               "no_other_errors": true}}                     errors only from "fire" rules
 * A subset matches when every member it names matches (objects recursively; arrays have the
 * same length and match entry by entry; anything else is equal). The full format, with examples,
 * is in the pack's README.md and docs/policy-authoring.md. */
#ifndef BEIAN_FIXTURES_H
#define BEIAN_FIXTURES_H

#include <stdatomic.h>
#include <jansson.h>
#include "core/err.h"
#include "policy/pack.h"

/* Run every fixture of the pack. *report is an array, one entry per fixture in name order:
 * {"file": "rules/DS-003.fail.json", "ok": bool, "problems": ["…"], "fire": [rule…],
 *  "quiet": [rule…], "findings": […], "derived": {…}}. 0 when the fixtures could be read (each
 * one's own problems are in the report); -1 with e when the fixture directory cannot be read. */
int fixtures_run(const struct pack *p, json_t **report, struct err *e);
/* The same, within max_seconds on the clock (0: no limit) and until *cancel turns true (cancel
 * may be NULL): then the fixtures not yet run are not run, and -1 with e (ERR_VALIDATION, or
 * ERR_BUSY when cancelled) says so. For installs, whose pack is not trusted yet. */
int fixtures_run_within(const struct pack *p, int max_seconds, const atomic_bool *cancel, json_t **report,
                        struct err *e);

/* The inputs of the pack's document fixtures (not changes/), built as fixtures_run builds them:
 * [{"file", "document", "as_of": "YYYY-MM-DD", "ctx"?}…] in name order; fixtures that cannot be
 * built are left out. For tests that compare ways of evaluating. NULL with e when the fixture
 * directory cannot be read. */
json_t *fixtures_inputs(const struct pack *p, struct err *e);

#endif
