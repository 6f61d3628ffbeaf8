/* utf8.h — is this text well-formed UTF-8 (Unicode 15, table 3-7: no overlong forms, no surrogates,
 * nothing above U+10FFFF)? The same answer as jansson's own check, which json_string pays on
 * every string; this one takes plain ASCII eight bytes at a time, so a caller can check and then
 * hand the text to json_stringn_nocheck. */
#ifndef BEIAN_CORE_UTF8_H
#define BEIAN_CORE_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

bool utf8_valid(const char *text, size_t len);
/* Writes code point cp (at most U+10FFFF, not a surrogate) as UTF-8 at out: 1 to 4 bytes,
 * returns how many. */
size_t utf8_put(char *out, uint32_t cp);

#endif
