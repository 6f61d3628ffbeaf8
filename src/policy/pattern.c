/* pattern.c — see pattern.h. */
#include "policy/pattern.h"

#include <string.h>

/* POSIX extended regular expressions lack Perl's \d, \D, \s and \w; pack patterns may use them. */
static int translate(const char *in, char *out, size_t cap)
{
    size_t n = 0;
    for (; *in; in++) {
        const char *piece;
        char two[3] = {0};
        if (in[0] == '\\' && in[1]) {
            switch (in[1]) {
            case 'd': piece = "[0-9]"; break;
            case 'D': piece = "[^0-9]"; break;
            case 's': piece = "[[:space:]]"; break;
            case 'w': piece = "[[:alnum:]_]"; break;
            default: two[0] = in[0]; two[1] = in[1]; piece = two; break;
            }
            in++;
        } else {
            two[0] = in[0];
            piece = two;
        }
        size_t len = strlen(piece);
        if (n + len + 1 > cap)
            return -1;
        memcpy(out + n, piece, len);
        n += len;
    }
    out[n] = '\0';
    return 0;
}

int pattern_compile(const char *pattern, regex_t *re)
{
    char translated[PATTERN_MAX * 12];   /* \s, the longest piece, is 11 bytes for 2 */
    if (strlen(pattern) > PATTERN_MAX || translate(pattern, translated, sizeof translated) != 0)
        return -1;
    return regcomp(re, translated, REG_EXTENDED | REG_NOSUB) == 0 ? 0 : -1;
}
