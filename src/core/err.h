/* err.h — the one error idiom of beian.
 *
 * A function that can fail returns 0 on success and -1 on failure, and fills a caller-owned
 * `struct err` with a stable code (which carries the HTTP status and a bilingual title), a
 * detail in English and Chinese, and optionally the field path the error concerns and extra
 * JSON members for the problem document (RFC 9457). Nothing swallows an error: either return
 * it or turn it into a reply. */
#ifndef BEIAN_ERR_H
#define BEIAN_ERR_H

#include <jansson.h>
#include <stdarg.h>

enum err_code {
    ERR_NONE = 0,
    ERR_BAD_REQUEST,          /* 400 generic bad input */
    ERR_MALFORMED_JSON,       /* 400 JSON that does not parse (detail names line/column) */
    ERR_UNAUTHENTICATED,      /* 401 */
    ERR_FORBIDDEN,            /* 403 (only where the object itself is visible) */
    ERR_NOT_FOUND,            /* 404 also for what the caller may not see */
    ERR_METHOD_NOT_ALLOWED,   /* 405 */
    ERR_CONFLICT,             /* 409 state conflict / action not allowed now */
    ERR_DUPLICATE,            /* 409 unique key taken */
    ERR_PRECONDITION_FAILED,  /* 412 stale If-Match */
    ERR_TOO_LARGE,            /* 413 */
    ERR_UNSUPPORTED_MEDIA,    /* 415 */
    ERR_VALIDATION,           /* 422 wrong type, unknown field, bad value */
    ERR_INCOMPLETE,           /* 422 required fields missing / blocking findings */
    ERR_PRECONDITION_REQUIRED,/* 428 If-Match missing */
    ERR_TOO_MANY,             /* 429 throttled */
    ERR_INTERNAL,             /* 500 */
    ERR_BUSY,                 /* 503 */
    ERR_STORAGE_FULL,         /* 507 */
    ERR_USAGE,                /* CLI usage error (exit 2); 400 if it ever reaches HTTP */
    ERR_BAD_QUERY,            /* 400 a query parameter's value (field: the parameter's name) */
    ERR__COUNT
};

struct err {
    enum err_code code;
    char field[256];       /* JSON pointer of the field concerned, or "" */
    char detail_en[512];
    char detail_zh[512];
    json_t *extra;         /* owned; extra members merged into the problem document */
};

struct err_info {
    const char *slug;      /* stable machine code, e.g. "not_found" */
    int http_status;
    const char *title_en;
    const char *title_zh;
};

/* Static facts about a code; never NULL. */
const struct err_info *err_info(enum err_code code);

/* Set an error. `en` and `zh` are printf formats that consume the same arguments in the same
 * order. Returns -1 so that `return err_set(...)` reads naturally. */
int err_set(struct err *e, enum err_code code, const char *field, const char *en, const char *zh, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 6)))
#endif
    ;

/* Set an error from two ready texts (no formatting). Returns -1. */
int err_set_text(struct err *e, enum err_code code, const char *field, const char *en, const char *zh);

/* Attach an extra member (steals the reference of value). */
void err_extra(struct err *e, const char *key, json_t *value);

/* Reset to "no error", freeing extra. */
void err_clear(struct err *e);

/* Build the RFC 9457 problem document (type, title, status, detail, code, field, lang-specific
 * title/detail plus title_zh/title_en, and extra members). lang is "zh" or "en". */
json_t *err_problem_json(const struct err *e, const char *lang);

#endif
