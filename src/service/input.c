/* input.c — bounded checks of JSON input objects (see input.h). */
#include "service/input.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

size_t utf8_length(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80) n++;
    return n;
}

int input_known_keys(const json_t *in, const char *const allowed[], struct err *e)
{
    if (!json_is_object(in)) return err_set(e, ERR_VALIDATION, "", "expected a JSON object", "需要 JSON 对象");
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)in, key, v) {
        bool known = false;
        for (int i = 0; allowed[i]; i++)
            if (strcmp(key, allowed[i]) == 0) { known = true; break; }
        if (!known) {
            char path[300];
            snprintf(path, sizeof path, "/%.280s", key);
            return err_set(e, ERR_VALIDATION, path, "unknown field %s", "未知字段 %s", path);
        }
    }
    return 0;
}

int input_text(const json_t *in, const char *key, bool required, size_t max_chars, const char **out,
               struct err *e)
{
    char path[128];
    snprintf(path, sizeof path, "/%s", key);
    json_t *v = json_object_get(in, key);
    *out = NULL;
    if (!v || json_is_null(v)) {
        if (required) return err_set(e, ERR_VALIDATION, path, "%s is required", "缺少必填字段 %s", path);
        return 0;
    }
    if (!json_is_string(v)) return err_set(e, ERR_VALIDATION, path, "%s must be a string", "%s 必须是字符串", path);
    const char *s = json_string_value(v);
    if (strlen(s) != json_string_length(v))
        return err_set(e, ERR_VALIDATION, path, "%s must not contain NUL characters", "%s 不能包含空字符", path);
    size_t n = utf8_length(s);
    if (required && n == 0) return err_set(e, ERR_VALIDATION, path, "%s must not be empty", "%s 不能为空", path);
    if (n > max_chars)
        return err_set(e, ERR_VALIDATION, path, "%s must be at most %zu characters", "%s 不能超过 %zu 个字符", path,
                       max_chars);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if ((*p < 0x20 && *p != '\t' && *p != '\n' && *p != '\r') || *p == 0x7f)
            return err_set(e, ERR_VALIDATION, path, "%s contains a control character", "%s 含有控制字符", path);
    *out = s;
    return 0;
}

int input_int(const json_t *in, const char *key, bool required, int64_t min, int64_t max, int64_t *out,
              struct err *e)
{
    char path[128];
    snprintf(path, sizeof path, "/%s", key);
    json_t *v = json_object_get(in, key);
    *out = 0;
    if (!v || json_is_null(v)) {
        if (required) return err_set(e, ERR_VALIDATION, path, "%s is required", "缺少必填字段 %s", path);
        return 0;
    }
    if (!json_is_integer(v)) return err_set(e, ERR_VALIDATION, path, "%s must be an integer", "%s 必须是整数", path);
    int64_t x = json_integer_value(v);
    if (x < min || x > max)
        return err_set(e, ERR_VALIDATION, path, "%s must be between %lld and %lld", "%s 必须在 %lld 与 %lld 之间", path,
                       (long long)min, (long long)max);
    *out = x;
    return 0;
}

/* Decode one UTF-8 sequence at p into *cp; its length, or 0 when it is not valid UTF-8. */
static size_t utf8_decode(const unsigned char *p, uint32_t *cp)
{
    unsigned char c = p[0];
    size_t extra;
    uint32_t v;
    if (c < 0x80) { *cp = c; return 1; }
    if (c >= 0xC2 && c <= 0xDF) { extra = 1; v = c & 0x1F; }
    else if (c >= 0xE0 && c <= 0xEF) { extra = 2; v = c & 0x0F; }
    else if (c >= 0xF0 && c <= 0xF4) { extra = 3; v = c & 0x07; }
    else return 0;
    for (size_t k = 1; k <= extra; k++) {
        if ((p[k] & 0xC0) != 0x80) return 0;   /* also stops at the NUL */
        v = (v << 6) | (p[k] & 0x3F);
    }
    if ((extra == 2 && v < 0x800) || (extra == 3 && v < 0x10000) || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    *cp = v;
    return extra + 1;
}

/* Characters that change how a name shows without showing themselves (see input.h). */
static bool name_char_refused(uint32_t cp)
{
    return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0x061C || (cp >= 0x200B && cp <= 0x200F) ||
           (cp >= 0x2028 && cp <= 0x202E) || (cp >= 0x2060 && cp <= 0x2064) || (cp >= 0x2066 && cp <= 0x206F) ||
           cp == 0xFEFF;
}

static bool name_char_blank(uint32_t cp)
{
    return cp == 0x20 || cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x202F ||
           cp == 0x205F || cp == 0x3000;
}

int input_name_check(const char *s, const char *field, size_t max_chars, struct err *e)
{
    if (!s || !*s) return err_set(e, ERR_VALIDATION, field, "%s must not be empty", "%s 不能为空", field);
    size_t n = 0;
    bool blank = true;
    for (const unsigned char *p = (const unsigned char *)s; *p; n++) {
        uint32_t cp;
        size_t len = utf8_decode(p, &cp);
        if (len == 0) return err_set(e, ERR_VALIDATION, field, "%s is not valid UTF-8", "%s 不是有效的 UTF-8 文本", field);
        if (name_char_refused(cp))
            return err_set(e, ERR_VALIDATION, field,
                           "%s contains U+%04X, a control, invisible or bidirectional formatting character",
                           "%s 含有 U+%04X，属于控制字符、不可见字符或双向文本控制字符", field, (unsigned)cp);
        if (!name_char_blank(cp)) blank = false;
        p += len;
    }
    if (blank) return err_set(e, ERR_VALIDATION, field, "%s must not be blank", "%s 不能只含空白", field);
    if (n > max_chars)
        return err_set(e, ERR_VALIDATION, field, "%s must be at most %zu characters", "%s 不能超过 %zu 个字符", field,
                       max_chars);
    return 0;
}

int input_name(const json_t *in, const char *key, bool required, size_t max_chars, const char **out, struct err *e)
{
    char path[128];
    snprintf(path, sizeof path, "/%s", key);
    if (input_text(in, key, required, max_chars, out, e) != 0) return -1;
    if (!*out || (!required && !**out)) return 0;   /* absent; "" is absent for an optional name */
    if (input_name_check(*out, path, max_chars, e) != 0) {
        *out = NULL;
        return -1;
    }
    return 0;
}
