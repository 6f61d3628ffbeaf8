/* uscc.c — GB 32100-2015 unified social credit code (统一社会信用代码) check.
 *
 * 18 characters from a 31-character alphabet (no I, O, S, V, Z; uppercase only). Characters 1–17
 * are weighted, and the 18th is the check character: c = 31 − (Σ value×weight mod 31), with 31
 * written as 0. Letters are allowed in every position (real codes carry them in positions 1–8).
 * The check reports the first thing wrong, in this order: length, a bad character, the check. */
#include "uscc.h"

#include <stdio.h>
#include <string.h>

enum { USCC_LENGTH = 18, USCC_RADIX = 31, USCC_MAX_SCAN = 4096 };

static const char USCC_CHARSET[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";

static const int USCC_WEIGHTS[USCC_LENGTH - 1] = {
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
};

/* The value of character ch in the USCC alphabet, or -1 when it is not in it (NUL included). */
static int uscc_char_value(char ch)
{
    if (ch == '\0')
        return -1;
    const char *hit = strchr(USCC_CHARSET, ch);
    return hit ? (int)(hit - USCC_CHARSET) : -1;
}

int uscc_check(const char *code, struct uscc_result *out)
{
    struct uscc_result scratch;
    struct uscc_result *r = out ? out : &scratch;
    memset(r, 0, sizeof *r);

    /* strnlen bounds the walk over untrusted input: anything longer reads as USCC_MAX_SCAN. */
    size_t length = code ? strnlen(code, USCC_MAX_SCAN) : 0;
    if (length != USCC_LENGTH) {
        r->status = USCC_BAD_LENGTH;
        r->length = (int)length;
        return -1;
    }

    int sum = 0;
    for (int i = 0; i < USCC_LENGTH; i++) {
        int value = uscc_char_value(code[i]);
        if (value < 0) {
            r->status = USCC_BAD_CHAR;
            r->position = i + 1;
            r->found = code[i];
            return -1;
        }
        if (i < USCC_LENGTH - 1)
            sum += value * USCC_WEIGHTS[i];
    }

    int check = USCC_RADIX - sum % USCC_RADIX;
    if (check == USCC_RADIX)
        check = 0;
    char expected = USCC_CHARSET[check];
    if (code[USCC_LENGTH - 1] != expected) {
        r->status = USCC_BAD_CHECK;
        r->position = USCC_LENGTH;
        r->found = code[USCC_LENGTH - 1];
        r->expected = expected;
        return -1;
    }
    r->status = USCC_OK;
    return 0;
}

/* Printable ASCII can be quoted as is; anything else (a byte of a UTF-8 sequence, a control
 * character) is shown as its hex byte value so the message stays valid UTF-8. */
static void uscc_quote_char(char ch, char *buf, size_t len)
{
    unsigned char byte = (unsigned char)ch;
    if (byte >= 0x20 && byte < 0x7f)
        snprintf(buf, len, "%c", ch);
    else
        snprintf(buf, len, "0x%02X", byte);
}

/* snprintf may cut a message inside a multi-byte UTF-8 sequence; drop such a partial tail. */
static void utf8_trim_partial_tail(char *s)
{
    size_t len = strlen(s);
    size_t lead = len;
    while (lead > 0 && ((unsigned char)s[lead - 1] & 0xC0) == 0x80)
        lead--;
    if (lead == 0)
        return;
    unsigned char first = (unsigned char)s[lead - 1];
    size_t need = first < 0x80 ? 1 : first >= 0xF0 ? 4 : first >= 0xE0 ? 3 : first >= 0xC0 ? 2 : 1;
    if (len - (lead - 1) < need)
        s[lead - 1] = '\0';
}

void uscc_describe(const struct uscc_result *r, char *en, unsigned en_len, char *zh, unsigned zh_len)
{
    char found[8];
    char *en_out = en_len ? en : NULL;
    char *zh_out = zh_len ? zh : NULL;
    if (en_out)
        en_out[0] = '\0';
    if (zh_out)
        zh_out[0] = '\0';
    if (!r)
        return;

    switch (r->status) {
    case USCC_OK:
        break;
    case USCC_BAD_LENGTH:
        if (en_out)
            snprintf(en_out, en_len, "a USCC has 18 characters, found %d", r->length);
        if (zh_out)
            snprintf(zh_out, zh_len, "统一社会信用代码应为18位，实际为%d位", r->length);
        break;
    case USCC_BAD_CHAR:
        uscc_quote_char(r->found, found, sizeof found);
        if (en_out)
            snprintf(en_out, en_len, "character %d '%s' is not allowed in a USCC", r->position, found);
        if (zh_out)
            snprintf(zh_out, zh_len, "第%d位字符“%s”不是统一社会信用代码允许的字符", r->position, found);
        break;
    case USCC_BAD_CHECK:
        uscc_quote_char(r->found, found, sizeof found);
        if (en_out)
            snprintf(en_out, en_len, "check character should be '%c', found '%s'", r->expected, found);
        if (zh_out)
            snprintf(zh_out, zh_len, "校验码应为“%c”，实际为“%s”", r->expected, found);
        break;
    }
    if (zh_out)
        utf8_trim_partial_tail(zh_out);
}
