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
/* Count UTF-8 code points. */
size_t utf8_length(const char *s);

#endif
