/* json_position.c — finds the line and column of the value a JSON pointer names in a JSON text
 * (json_position.h). A single forward scan: members and elements that are not on the way are
 * skipped by counting brackets outside strings, so the cost is one read of the text. */
#include "core/json_position.h"
#include "core/hex.h"
#include "core/utf8.h"

#include <stdint.h>
#include <string.h>

enum { KEY_MAX = 1024 };

struct scan {
    const unsigned char *s;
    size_t len, i;
    int line, col;
};

static int peek(const struct scan *sc)
{
    return sc->i < sc->len ? sc->s[sc->i] : -1;
}

/* Moves past one byte, counting lines (LF, CR, CRLF) and UTF-16 columns: a UTF-8 continuation
 * byte adds nothing, a four-byte sequence's first byte adds two (a surrogate pair). */
static void step(struct scan *sc)
{
    unsigned char c = sc->s[sc->i++];
    if (c == '\n' || c == '\r') {
        if (c == '\r' && peek(sc) == '\n')
            sc->i++;
        sc->line++;
        sc->col = 1;
    } else if ((c & 0xC0) != 0x80) {
        sc->col += c >= 0xF0 ? 2 : 1;
    }
}

static void skip_ws(struct scan *sc)
{
    for (int c = peek(sc); c == ' ' || c == '\t' || c == '\n' || c == '\r'; c = peek(sc))
        step(sc);
}

/* The four hex digits at `at`, or -1 (past the end, or not digits). */
static int hex4_at(const struct scan *sc, size_t at, uint32_t *out)
{
    int v = at + 4 <= sc->len ? hex4((const char *)sc->s + at) : -1;
    if (v < 0)
        return -1;
    *out = (uint32_t)v;
    return 0;
}

/* cp as UTF-8 at buf + *n, as much of it as fits in KEY_MAX; *n counts it all */
static void put_utf8(char *buf, size_t *n, uint32_t cp)
{
    char b[4];
    size_t k = utf8_put(b, cp);
    for (size_t j = 0; j < k; j++, (*n)++)
        if (*n < KEY_MAX) buf[*n] = b[j];
}

/* Reads the string at the scanner (its opening quote), decoding escapes into buf; *n is the
 * decoded length (more than KEY_MAX when it did not fit: then it matches no token). buf may be
 * NULL to skip the string. */
static int read_string(struct scan *sc, char *buf, size_t *n)
{
    size_t dummy;
    if (!n) n = &dummy;
    *n = 0;
    if (peek(sc) != '"')
        return -1;
    step(sc);
    for (;;) {
        int c = peek(sc);
        if (c < 0)
            return -1;
        step(sc);
        if (c == '"')
            return 0;
        if (c != '\\') {
            if (buf && *n < KEY_MAX) buf[*n] = (char)c;
            (*n)++;
            continue;
        }
        int e = peek(sc);
        if (e < 0)
            return -1;
        step(sc);
        uint32_t cp;
        switch (e) {
        case 'b': cp = '\b'; break;
        case 'f': cp = '\f'; break;
        case 'n': cp = '\n'; break;
        case 'r': cp = '\r'; break;
        case 't': cp = '\t'; break;
        case 'u':
            if (hex4_at(sc, sc->i, &cp) != 0)
                return -1;
            for (int k = 0; k < 4; k++) step(sc);
            uint32_t low;
            if (cp >= 0xD800 && cp < 0xDC00 && peek(sc) == '\\' && sc->i + 1 < sc->len && sc->s[sc->i + 1] == 'u' &&
                hex4_at(sc, sc->i + 2, &low) == 0 && low >= 0xDC00 && low < 0xE000) {
                for (int k = 0; k < 6; k++) step(sc);
                cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
            }
            break;
        default: cp = (uint32_t)e; break; /* \" \\ \/ */
        }
        if (buf) put_utf8(buf, n, cp);
        else (*n)++;
    }
}

/* Moves past the value at the scanner: a string, a container (brackets counted outside
 * strings) or a literal or number. */
static int skip_value(struct scan *sc)
{
    int c = peek(sc);
    if (c == '"')
        return read_string(sc, NULL, NULL);
    if (c == '{' || c == '[') {
        int depth = 0;
        for (;;) {
            c = peek(sc);
            if (c < 0)
                return -1;
            if (c == '"') {
                if (read_string(sc, NULL, NULL) != 0) return -1;
                continue;
            }
            if (c == '{' || c == '[') depth++;
            else if (c == '}' || c == ']') depth--;
            step(sc);
            if (depth == 0)
                return 0;
        }
    }
    /* a number or true, false, null: it starts with an ASCII character, so it takes a column */
    if (c < 0 || !(c == '-' || (c >= '0' && c <= '9') || c == 't' || c == 'f' || c == 'n'))
        return -1;
    for (c = peek(sc); c > 0 && !strchr(",]} \t\r\n", c); c = peek(sc))
        step(sc);
    return 0;
}

/* The next reference token of the pointer at *p (after its '/'), unescaped into tok; *p moves
 * past it. -1 on a '~' not followed by 0 or 1. */
static int next_token(const char **p, char *tok, size_t *n)
{
    const char *c = *p + 1;
    *n = 0;
    for (; *c && *c != '/'; c++) {
        char ch = *c;
        if (ch == '~') {
            if (c[1] != '0' && c[1] != '1')
                return -1;
            ch = c[1] == '0' ? '~' : '/';
            c++;
        }
        if (*n < KEY_MAX) tok[*n] = ch;
        (*n)++;
    }
    *p = c;
    return 0;
}

/* The array index a token names, or -1 ("-", a leading zero, not a number: no element). */
static long token_index(const char *tok, size_t n)
{
    if (n == 0 || n > 9 || (n > 1 && tok[0] == '0'))
        return -1;
    long v = 0;
    for (size_t k = 0; k < n; k++) {
        if (tok[k] < '0' || tok[k] > '9') return -1;
        v = v * 10 + (tok[k] - '0');
    }
    return v;
}

/* At an object's '{': moves to the value of member tok. 1 found, 0 missing, -1 not JSON. */
static int enter_member(struct scan *sc, const char *tok, size_t tok_len)
{
    char key[KEY_MAX];
    step(sc);
    skip_ws(sc);
    if (peek(sc) == '}')
        return 0;
    for (;;) {
        size_t n;
        skip_ws(sc);
        if (read_string(sc, key, &n) != 0)
            return -1;
        skip_ws(sc);
        if (peek(sc) != ':')
            return -1;
        step(sc);
        skip_ws(sc);
        if (n == tok_len && n <= KEY_MAX && memcmp(key, tok, n) == 0)
            return 1;
        if (skip_value(sc) != 0)
            return -1;
        skip_ws(sc);
        int c = peek(sc);
        if (c == '}')
            return 0;
        if (c != ',')
            return -1;
        step(sc);
    }
}

/* At an array's '[': moves to element index. 1 found, 0 missing, -1 not JSON. */
static int enter_element(struct scan *sc, long index)
{
    step(sc);
    skip_ws(sc);
    if (peek(sc) == ']' || index < 0)
        return 0;
    for (long k = 0;; k++) {
        skip_ws(sc);
        if (k == index)
            return 1;
        if (skip_value(sc) != 0)
            return -1;
        skip_ws(sc);
        int c = peek(sc);
        if (c == ']')
            return 0;
        if (c != ',')
            return -1;
        step(sc);
    }
}

static int value_here(struct scan *sc, bool exact, struct json_position *out)
{
    out->line = sc->line;
    out->column = sc->col;
    out->exact = exact;
    if (skip_value(sc) != 0)
        return -1;
    out->end_line = sc->line;
    out->end_column = sc->col;
    return 0;
}

int json_position_find(const char *text, size_t len, const char *pointer, struct json_position *out)
{
    struct scan sc = {(const unsigned char *)text, len, 0, 1, 1};
    memset(out, 0, sizeof *out);
    if (!pointer || (*pointer && *pointer != '/'))
        return -1;
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) /* a byte order mark is not a column */
        sc.i = 3;
    skip_ws(&sc);
    const char *p = pointer;
    char tok[KEY_MAX];
    for (;;) {
        if (!*p)
            return value_here(&sc, true, out);
        struct scan parent = sc;
        size_t n;
        if (next_token(&p, tok, &n) != 0)
            return -1;
        int c = peek(&sc), found;
        if (c == '{')
            found = enter_member(&sc, tok, n);
        else if (c == '[')
            found = enter_element(&sc, token_index(tok, n));
        else
            found = 0;
        if (found < 0)
            return -1;
        if (!found)
            return value_here(&parent, false, out);
    }
}
