/* input.c — bounded checks of JSON input objects (see input.h). */
#include "service/input.h"

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
