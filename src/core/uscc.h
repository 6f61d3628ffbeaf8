/* uscc.h — GB 32100-2015 unified social credit code (统一社会信用代码) check.
 * Pure: no I/O. Says exactly what is wrong: the 1-based position of a bad character, or the
 * check character that was expected. */
#ifndef BEIAN_USCC_H
#define BEIAN_USCC_H

enum uscc_status { USCC_OK = 0, USCC_BAD_LENGTH, USCC_BAD_CHAR, USCC_BAD_CHECK };

struct uscc_result {
    enum uscc_status status;
    int position;   /* USCC_BAD_CHAR: 1-based position of the first bad character */
    char found;     /* the character found there (BAD_CHAR) or the check character found (BAD_CHECK) */
    char expected;  /* USCC_BAD_CHECK: the check character the first 17 imply */
    int length;     /* USCC_BAD_LENGTH: the length seen */
};

/* 0 when code is a valid 18-character USCC, -1 otherwise with *out filled (out may be NULL). */
int uscc_check(const char *code, struct uscc_result *out);

/* One sentence in English and one in Chinese saying what is wrong (empty strings when OK). */
void uscc_describe(const struct uscc_result *r, char *en, unsigned en_len, char *zh, unsigned zh_len);

#endif
