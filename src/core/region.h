/* region.h — GB/T 2260 administrative region codes: shape and coverage. Pure. */
#ifndef BEIAN_REGION_H
#define BEIAN_REGION_H

#include <stdbool.h>

/* Six ASCII digits. */
bool region_code_valid(const char *code);
/* Does jurisdiction code j cover region r? "xx0000" covers every code starting "xx";
 * "xxxx00" covers every code starting "xxxx"; otherwise only itself. */
bool region_covers(const char *j, const char *r);

#endif
