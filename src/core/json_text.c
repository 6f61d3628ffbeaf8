/* json_text.c — the canonical text of a JSON value (json_text.h). */
#include "core/json_text.h"

#include <stdlib.h>
#include <string.h>

char *json_canonical(const json_t *v, size_t *len)
{
    char *text = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
    if (text && len) *len = strlen(text);
    return text;
}

int json_to_text_member(json_t *obj, const char *key)
{
    const json_t *v = json_object_get(obj, key);
    if (!v) return 0;
    size_t len;
    char *text = json_canonical(v, &len);
    /* the text of a tree whose strings jansson checked: valid UTF-8, no need to check it again */
    json_t *s = text ? json_stringn_nocheck(text, len) : NULL;
    free(text);
    if (!s) return -1;
    return json_object_set_new(obj, key, s);
}
