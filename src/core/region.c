/* region.c — GB/T 2260 administrative region codes: six digits, where a province is "xx0000"
 * and a prefecture-level city "xxxx00". Coverage is by prefix, which is how the codes nest. */
#include "region.h"

#include <string.h>

enum { REGION_CODE_LENGTH = 6 };

bool region_code_valid(const char *code)
{
    if (!code)
        return false;
    for (int i = 0; i < REGION_CODE_LENGTH; i++)
        if (code[i] < '0' || code[i] > '9')
            return false;  /* also stops at a NUL before the sixth character */
    return code[REGION_CODE_LENGTH] == '\0';
}

bool region_covers(const char *j, const char *r)
{
    if (!region_code_valid(j) || !region_code_valid(r))
        return false;
    size_t prefix;
    if (strcmp(j + 2, "0000") == 0)
        prefix = 2;  /* province */
    else if (strcmp(j + 4, "00") == 0)
        prefix = 4;  /* city */
    else
        prefix = REGION_CODE_LENGTH;  /* county: only itself */
    return strncmp(j, r, prefix) == 0;
}
