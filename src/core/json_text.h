/* json_text.h — the canonical text of a JSON value as beian stores and hashes it: compact, object
 * members sorted by key, any value at the top (what json_dumps gives with JSON_COMPACT |
 * JSON_SORT_KEYS | JSON_ENCODE_ANY). The text of a stored document, its SHA-256 and the
 * comparison "did the save change anything" all depend on it being byte for byte the same. */
#ifndef BEIAN_JSON_TEXT_H
#define BEIAN_JSON_TEXT_H

#include <stddef.h>
#include <jansson.h>

/* The canonical text (malloc'd, NUL-terminated; *len its length when len is not NULL), or NULL
 * when out of memory. */
char *json_canonical(const json_t *v, size_t *len);
/* The canonical text of the object obj with the value of its member key written as text (which
 * must itself be a canonical text: it is copied as it is): the text json_canonical gives when that
 * member holds the value text stands for. The member must be there (its value is not read). NULL
 * when out of memory, obj is no object or has no such member, or it is nested too deep. For an
 * entry whose largest member's text is made once, elsewhere, and stored as well as hashed. */
char *json_canonical_spliced(const json_t *obj, const char *key, const char *text, size_t text_len, size_t *len);
/* Replace obj[key] by a string holding its canonical text (no member: nothing). 0, or -1 when out
 * of memory. */
int json_to_text_member(json_t *obj, const char *key);

#endif
