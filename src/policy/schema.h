/* schema.h — checks a filing document against the pack's form schema (form.json).
 *
 * Findings are a JSON array of {"rule","severity","path","message":{"zh","en"},"source"}, the same
 * shape the rule engine produces, so callers merge them. `path` is an RFC 6901 pointer. */
#ifndef BEIAN_SCHEMA_H
#define BEIAN_SCHEMA_H

#include <jansson.h>
#include "policy/pack.h"

/* Shape: the document is an object of known sections; every value has its field's type, enum
 * values are known codes, texts within max_length and valid UTF-8 (jansson guarantees), numbers
 * within min/max, lists within max_items, dates real ISO days, unknown keys are errors.
 * null counts as "not filled" and is allowed anywhere. Rules: FORM-UNKNOWN, FORM-TYPE, FORM-ENUM,
 * FORM-LENGTH, FORM-RANGE, FORM-DATE, FORM-PATTERN, FORM-ITEMS. Severity error. */
json_t *schema_check_shape(const struct pack *p, const json_t *doc);

/* Completeness: every field marked required (recursively inside required objects and inside
 * every list item) is present, not null, not an empty string, and for lists at least
 * max(1, min_items) long. Rule FORM-REQUIRED, severity error, one finding per missing path. */
json_t *schema_check_required(const struct pack *p, const json_t *doc);

/* Look up the field definition at a document path ("/subject/name", "/provider/data_centers/0/role");
 * NULL when the path names no field of the form. Borrowed reference. */
const json_t *schema_field_at(const struct pack *p, const char *path);

/* Helper: append one finding to the array. */
void finding_add(json_t *findings, const char *rule, const char *severity, const char *path,
                 const char *msg_zh, const char *msg_en, const char *source);

#endif
