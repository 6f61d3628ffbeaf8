/* utf8.c — well-formed UTF-8 (utf8.h). */
#include "utf8.h"

#include <stdint.h>
#include <string.h>

bool utf8_valid(const char *text, size_t len)
{
    const unsigned char *s = (const unsigned char *)text, *end = s + len;
    while (s < end) {
        /* ASCII, a word at a time */
        while ((size_t)(end - s) >= 8) {
            uint64_t w;
            memcpy(&w, s, 8);
            if (w & 0x8080808080808080ull) break;
            s += 8;
        }
        if (s == end) break;
        unsigned char c = *s;
        if (c < 0x80) {
            s++;
            continue;
        }
        /* the lead byte: how many follow, and the range of the first that follows */
        size_t follow;
        unsigned char lo = 0x80, hi = 0xBF;
        if (c >= 0xC2 && c <= 0xDF) follow = 1;
        else if (c == 0xE0) follow = 2, lo = 0xA0;
        else if (c == 0xED) follow = 2, hi = 0x9F;   /* no surrogates */
        else if (c >= 0xE1 && c <= 0xEF) follow = 2;
        else if (c == 0xF0) follow = 3, lo = 0x90;
        else if (c == 0xF4) follow = 3, hi = 0x8F;   /* nothing above U+10FFFF */
        else if (c >= 0xF1 && c <= 0xF3) follow = 3;
        else return false;                           /* 0x80-0xC1, 0xF5-0xFF */
        if ((size_t)(end - s) <= follow) return false;
        if (s[1] < lo || s[1] > hi) return false;
        for (size_t k = 2; k <= follow; k++)
            if ((s[k] & 0xC0) != 0x80) return false;
        s += follow + 1;
    }
    return true;
}

size_t utf8_put(char *out, uint32_t cp)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xc0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xe0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        out[2] = (char)(0x80 | (cp & 0x3f));
        return 3;
    }
    out[0] = (char)(0xf0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
    out[3] = (char)(0x80 | (cp & 0x3f));
    return 4;
}
