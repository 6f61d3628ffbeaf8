/* hex.h — hexadecimal digits as JSON's \uXXXX escapes and URLs' percent-encoding write them. */
#ifndef BEIAN_CORE_HEX_H
#define BEIAN_CORE_HEX_H

/* The value of one digit (either case), or -1. */
static inline int hex_digit(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* The value of the four digits at p (0 to 0xFFFF), or -1. */
static inline int hex4(const char *p)
{
    int v = 0;
    for (int i = 0; i < 4; i++) {
        int d = hex_digit(p[i]);
        if (d < 0) return -1;
        v = v << 4 | d;
    }
    return v;
}

#endif
