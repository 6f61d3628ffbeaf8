/* pattern.h — the regular expressions of a pack's form fields ("pattern"): POSIX extended
 * expressions, with Perl's \d, \D, \s and \w allowed and translated. One compiler for pack.c
 * (a pack whose pattern does not compile is refused) and schema.c (values are matched). */
#ifndef BEIAN_PATTERN_H
#define BEIAN_PATTERN_H

#include <regex.h>

enum { PATTERN_MAX = 512 };   /* bytes of a pattern as written in the pack */

/* Compiles pattern into re (REG_EXTENDED | REG_NOSUB); 0, or -1 when it is too long or does not
 * compile (re is then not to be freed). */
int pattern_compile(const char *pattern, regex_t *re);

#endif
