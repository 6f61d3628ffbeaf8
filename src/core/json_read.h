/* json_read.h — JSON text to a jansson tree, faster than json_loadb on the hot paths (a request's
 * body, a stored document): jansson's lexer reads a character at a time through its stream and
 * spends four fifths of a parse there (7.9 KB: 99 µs, where building the same tree is 18 µs).
 * This one scans strings a run at a time and builds the tree with jansson's own constructors.
 *
 * The answer is jansson's, always: the same tree for the same text, and for anything it does not
 * take on itself (any error, reals, \u0000, integers out of range, duplicate keys when they are
 * rejected, deep nesting, other flags) it hands the whole text to json_loadb, so errors carry
 * jansson's message, line and column. tests/unit/test_json_read.c compares both on every JSON file
 * of the repository and on random documents and random damage to them. */
#ifndef BEIAN_CORE_JSON_READ_H
#define BEIAN_CORE_JSON_READ_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>

/* As json_loadb(buf, len, flags, error). */
json_t *json_read(const char *buf, size_t len, size_t flags, json_error_t *error);
/* As json_read, for what a client sends: a text nesting [ and { deeper than max_depth (below
 * 512) is refused: NULL, *too_deep set and error untouched. The reader counts the depth as it
 * goes; a text it hands to jansson is measured first. */
json_t *json_read_bounded(const char *buf, size_t len, size_t flags, int max_depth, bool *too_deep,
                          json_error_t *error);
/* As json_loads(text, flags, error). */
json_t *json_read_text(const char *text, size_t flags, json_error_t *error);
/* How many texts this process handed to json_loadb (tests: that the common case stays here). */
unsigned long json_read_handed_over(void);

#endif
