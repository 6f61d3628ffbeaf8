/* docdiff.h — field-level difference of two JSON documents, and RFC 7396 merge patch. Pure. */
#ifndef BEIAN_DOCDIFF_H
#define BEIAN_DOCDIFF_H

#include <jansson.h>

/* A new JSON array of changes, in document order, each {"path", "op", "from", "to"}:
 *  - path: RFC 6901 JSON pointer ("/subject/name", "/provider/data_centers/0/region_code");
 *  - op: "add" (only "to"), "remove" (only "from"), "replace" (both);
 * Objects are compared member by member (recursively); arrays element by element by index
 * (recursively when both elements are objects or arrays), extra elements are add/remove;
 * a change of type is one "replace" of the whole value. Equal documents give []. NULL inputs
 * count as {}. */
json_t *docdiff(const json_t *from, const json_t *to);

/* RFC 7396: returns a new value = target patched by patch (target is not modified). */
json_t *merge_patch(const json_t *target, const json_t *patch);

/* RFC 6901 pointer escaping of one key into buf ("~" -> "~0", "/" -> "~1"). */
void json_pointer_escape(const char *key, char *buf, unsigned len);

#endif
