/* input.h — checks on JSON input objects shared by the use cases: known keys only, texts of
 * bounded length, integers, lists. Each failure names the field (as a JSON pointer) in e. */
#ifndef BEIAN_INPUT_H
#define BEIAN_INPUT_H

#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>
#include "core/err.h"

/* 0 when in is an object whose keys are all in allowed (NULL-terminated). */
int input_known_keys(const json_t *in, const char *const allowed[], struct err *e);
/* *out = the string at key (NULL when absent and !required); 1..max_chars code points, no
 * control characters other than tab/newline. */
int input_text(const json_t *in, const char *key, bool required, size_t max_chars, const char **out,
               struct err *e);
/* *out = the integer at key (0 when absent and !required). */
int input_int(const json_t *in, const char *key, bool required, int64_t min, int64_t max, int64_t *out,
              struct err *e);
/* The one check of a name a person reads (organisation, user, system, material title, filename):
 * 1..max_chars code points of valid UTF-8, not blank only (spaces, no-break and ideographic
 * spaces), and none of the characters that make a name show as something other than it is: C0
 * and C1 controls, DEL, the bidirectional marks, embeddings, overrides and isolates (U+061C,
 * U+200E-U+200F, U+202A-U+202E, U+2066-U+2069), zero-width and invisible format characters
 * (U+200B-U+200D, U+2060-U+2064, U+206A-U+206F, U+FEFF) and the line and paragraph separators
 * (U+2028-U+2029). field names the input in e (a JSON pointer such as "/name", or a query
 * parameter such as "title"). s NULL is "missing". */
int input_name_check(const char *s, const char *field, size_t max_chars, struct err *e);
/* input_text for names: *out = the string at key, checked by input_name_check. */
int input_name(const json_t *in, const char *key, bool required, size_t max_chars, const char **out, struct err *e);
/* Count UTF-8 code points. */
size_t utf8_length(const char *s);

#endif
