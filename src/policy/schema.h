/* schema.h — checks a filing document against the pack's form schema (form.json).
 *
 * Findings are a JSON array of {"rule","severity","path","message":{"zh","en"},"source"}, the same
 * shape the rule engine produces, so callers merge them. `path` is an RFC 6901 pointer. */
#ifndef BEIAN_SCHEMA_H
#define BEIAN_SCHEMA_H

#include <stdbool.h>
#include <jansson.h>
#include "policy/pack.h"

/* Shape: the document is an object of known sections; every value has its field's type, enum
 * values are known codes, texts within max_length and valid UTF-8 (jansson guarantees), numbers
 * within min/max, lists within max_items, dates real ISO days, unknown keys are errors.
 * null counts as "not filled" and is allowed anywhere. Rules: FORM-UNKNOWN, FORM-TYPE, FORM-ENUM,
 * FORM-LENGTH, FORM-RANGE, FORM-DATE, FORM-PATTERN, FORM-ITEMS. Severity error. */
json_t *schema_check_shape(const struct pack *p, const json_t *doc);
/* The same against another form of the pack (e.g. p->inspection_form). */
json_t *schema_check_shape_in(const json_t *form, const json_t *doc);

/* Completeness: every field marked required (recursively inside required objects and inside
 * every list item) is present, not null, not an empty string, and for lists at least
 * max(1, min_items) long. Rule FORM-REQUIRED, severity error, one finding per missing path. */
json_t *schema_check_required(const struct pack *p, const json_t *doc);
json_t *schema_check_required_in(const json_t *form, const json_t *doc);

/* The two checks a part at a time, as they are made: the shape findings of the document's member
 * key (schema_check_shape_in of an object is these, member by member in the object's order), and
 * the completeness findings of the form's section at index (value: the section's object in the
 * document, or NULL; schema_check_required_in is these, section by section in the form's order).
 * A part depends on nothing but the form and its value (rules.c reuses it while both stay). */
json_t *schema_check_shape_member(const json_t *form, const char *key, const json_t *value);
json_t *schema_check_required_section(const json_t *form, size_t index, const json_t *value);

/* Look up the field definition at a document path ("/subject/name", "/provider/data_centers/0/role");
 * NULL when the path names no field of the form. Borrowed reference. */
const json_t *schema_field_at(const struct pack *p, const char *path);
const json_t *schema_field_in(const json_t *form, const char *path);

/* Calls fn for each material reference in doc: the value of every material field, and every entry
 * of every material[] list (up to its max_items), whatever its shape, with its path and its field
 * definition. Borrowed references, valid during the call. */
typedef void (*schema_material_fn)(const char *path, const json_t *def, const json_t *value, void *arg);
void schema_each_material(const json_t *form, const json_t *doc, schema_material_fn fn, void *arg);

/* The fields of form filled from the organisation's record ("from_record": its name, USCC): each
 * with its definition, the record's member and its path in a document. Found once per form;
 * valid as long as the process. *n = 0 (and NULL) when there are none or memory ran out. */
struct schema_record_field { const json_t *def; const char *member; char path[256]; };
const struct schema_record_field *schema_record_fields(const json_t *form, size_t *n);

/* Does the material field def accept a material of this kind? Its "material_kinds" (a list) or
 * its "material_kind" (one) names the kinds it accepts. */
bool schema_material_accepts(const json_t *def, const char *kind);

/* doc with the value at each finding's path set to null (a new reference; doc itself, with its
 * count raised, when there are no findings): what the rules evaluate, so that a draft with a
 * malformed field is checked as if that field were not filled, while the shape finding says what
 * is wrong with it. */
json_t *schema_without_findings(const json_t *doc, const json_t *findings);

/* Helper: append one finding to the array ("overridable": false; rules.c sets it from the rule). */
void finding_add(json_t *findings, const char *rule, const char *severity, const char *path,
                 const char *msg_zh, const char *msg_en, const char *source);

#endif
