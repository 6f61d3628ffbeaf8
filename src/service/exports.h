/* exports.h — what leaves beian as files: the register (the filings a caller may list, with the
 * list's filters) as CSV or XLSX, in words rather than codes (state, filing type and region names
 * from the workflow table and the policy pack; Chinese headers, English on request), and the full
 * record of one filing as a JSON bundle.
 *
 * The register is written a page of rows at a time into a file the caller opened, so that memory
 * does not grow with the register: the HTTP layer streams the file back, the CLI writes it where it
 * was told. Scope is the list's: an authority its jurisdiction, an enterprise its own, a provider
 * the filings naming it, the platform administrator everything. */
#ifndef BEIAN_EXPORTS_H
#define BEIAN_EXPORTS_H

#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>
#include "core/err.h"
#include "store/store.h"

struct app;
struct principal;

enum export_format { EXPORT_CSV, EXPORT_XLSX };

/* Check the filters (ERR_BAD_REQUEST naming the parameter): state a workflow state, kind initial or
 * change, region six digits, q at most 200 bytes, type at most 32. */
int export_register_check(const struct register_query *q, struct err *e);
/* Write the register the caller may see into fd (positioned at its start; left open): CSV in
 * UTF-8 with a byte order mark (Excel reads Chinese right), RFC 4180 quoting, CRLF, and every text
 * cell that a spreadsheet would take for a formula (= + - @, tab, CR) prefixed with an apostrophe;
 * or an XLSX workbook (libxlsxwriter, constant memory; text cells are never formulas). english:
 * English headers and names. Returns the rows written, or -1 with e. */
int64_t export_register(struct app *a, const struct principal *who, const struct register_query *q,
                        enum export_format format, bool english, int fd, struct err *e);
/* A temporary file for an export under <data>/materials/tmp, already without a name (nothing is
 * left behind whatever happens), open read/write; -1 with e. */
int export_tmpfile(struct app *a, struct err *e);
/* The full record of one filing the caller may see (ERR_NOT_FOUND otherwise): {"format", "exported_at",
 * "filing" (with its document and findings), "versions" (each with its document, findings and pinned
 * materials), "materials" (the manifest: every pinned material version with its SHA-256), 
 * "rectifications", "overrides", "events" (the audit entries the caller may read)}. */
json_t *export_bundle(struct app *a, const struct principal *who, int64_t filing_id, struct err *e);

#endif
