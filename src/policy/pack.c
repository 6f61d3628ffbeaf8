/* pack.c — loads a policy pack directory and checks that its data is well formed before anything
 * uses it: a pack that loads is one whose form schema, regions, calendar, deadlines and material
 * kinds can be trusted by the validator, the rule engine and the UI without re-checking.
 *
 * Every error names the file and, inside it, the offending key or field path, so that whoever
 * edits a pack can find the mistake without reading this code. The loaded pack is read-only and
 * may be shared by any number of threads. */
#include "policy/pack.h"

#include <ctype.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/date.h"
#include "policy/pattern.h"
#include "policy/rules.h"

enum { MAX_FIELD_DEPTH = 8 };

static const char *const FIELD_TYPES[] = {
    "text", "int", "bool", "date", "enum", "enum[]", "text[]", "object", "list<object>",
    "material", "material[]", "org_ref", "evaluation_ref",
};

/* Every attribute a field may carry (pack.h); anything else is a typo and is rejected. */
static const char *const FIELD_ATTRIBUTES[] = {
    "key", "type", "label", "help", "required", "max_length", "min", "max", "min_items",
    "max_items", "pattern", "pattern_hint", "options", "fields", "material_kind", "material_kinds", "org_kind",
    "from_record",
};

/* A file of the pack being checked, for error messages. */
struct source {
    const char *dir;
    const char *file;
};

static bool in_list(const char *s, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(s, list[i]) == 0)
            return true;
    return false;
}

#define IN_LIST(s, list) in_list((s), (list), sizeof(list) / sizeof((list)[0]))

/* ---- loading ---------------------------------------------------------------------------- */

static json_t *load_file(const struct source *src, struct err *e)
{
    char path[4200];
    json_error_t jerr;
    snprintf(path, sizeof path, "%s/%s", src->dir, src->file);
    json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
    if (root)
        return root;
    if (jerr.line < 1) /* could not open or read the file at all */
        err_set(e, ERR_NOT_FOUND, NULL, "Policy pack file %s cannot be read: %s",
                "无法读取策略包文件 %s：%s", path, jerr.text);
    else
        err_set(e, ERR_MALFORMED_JSON, NULL,
                "Policy pack file %s is not valid JSON (line %d, column %d): %s",
                "策略包文件 %s 不是有效的 JSON（第%d行，第%d列）：%s", path, jerr.line,
                jerr.column, jerr.text);
    return NULL;
}

/* err_set for a structural problem at `where` (a key or field path) inside one file. The en and
 * zh formats consume the same arguments in the same order; BAD0 is for messages without any. */
#define BAD(src, e, where, en, zh, ...)                                                        \
    err_set((e), ERR_VALIDATION, NULL, "Policy pack file %s/%s, %s: " en,                      \
            "策略包文件 %s/%s，%s：" zh, (src)->dir, (src)->file, (where), __VA_ARGS__)
#define BAD0(src, e, where, en, zh)                                                            \
    err_set((e), ERR_VALIDATION, NULL, "Policy pack file %s/%s, %s: " en,                      \
            "策略包文件 %s/%s，%s：" zh, (src)->dir, (src)->file, (where))

static bool is_nonempty_string(const json_t *v)
{
    return json_is_string(v) && json_string_length(v) > 0;
}

/* {"zh": "...", "en": "..."} with both texts present. */
static bool is_bilingual(const json_t *v)
{
    return json_is_object(v) && is_nonempty_string(json_object_get(v, "zh")) &&
           is_nonempty_string(json_object_get(v, "en"));
}

static bool is_identifier(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (!(islower((unsigned char)*s) || isdigit((unsigned char)*s) || *s == '_'))
            return false;
    return true;
}

/* ---- manifest.json ---------------------------------------------------------------------- */

static int check_manifest(struct pack *p, const struct source *src, struct err *e)
{
    const json_t *m = p->manifest;
    if (!json_is_object(m))
        return BAD0(src, e, "top level", "must be an object", "应为对象");
    static const char *const STRING_KEYS[] = {"id", "edition", "version", "effective_from"};
    for (size_t i = 0; i < sizeof STRING_KEYS / sizeof STRING_KEYS[0]; i++)
        if (!is_nonempty_string(json_object_get(m, STRING_KEYS[i])))
            return BAD0(src, e, STRING_KEYS[i], "a non-empty string is required",
                       "必须是非空字符串");
    const char *id = json_string_value(json_object_get(m, "id"));
    const char *version = json_string_value(json_object_get(m, "version"));
    const char *edition = json_string_value(json_object_get(m, "edition"));
    if (strlen(id) >= sizeof p->id)
        return BAD(src, e, "id", "longer than %zu characters", "超过%zu个字符", sizeof p->id - 1);
    for (const char *c = id; *c; c++)
        if (!(islower((unsigned char)*c) || isdigit((unsigned char)*c) || *c == '-' || *c == '_'))
            return BAD(src, e, "id", "\"%s\" may contain only a-z, 0-9, - and _",
                       "“%s”只能包含 a-z、0-9、- 和 _", id);
    if (strlen(version) >= sizeof p->version)
        return BAD(src, e, "version", "longer than %zu characters", "超过%zu个字符",
                   sizeof p->version - 1);
    if (strlen(edition) >= sizeof p->edition)
        return BAD(src, e, "edition", "longer than %zu characters", "超过%zu个字符",
                   sizeof p->edition - 1);
    const char *from = json_string_value(json_object_get(m, "effective_from"));
    if (date_parse(from, &p->effective_from) != 0)
        return BAD(src, e, "effective_from", "\"%s\" is not a day written YYYY-MM-DD",
                   "“%s”不是 YYYY-MM-DD 格式的有效日期", from);
    const json_t *supersedes = json_object_get(m, "supersedes");
    if (!supersedes)
        return BAD0(src, e, "supersedes", "is required (null for a first edition, else the id@version it replaces)",
                   "为必填项（首个版本填 null，否则填被取代的版本）");
    if (!json_is_null(supersedes) && !is_nonempty_string(supersedes))
        return BAD0(src, e, "supersedes", "must be null or a string", "应为 null 或字符串");
    if (!is_bilingual(json_object_get(m, "title")))
        return BAD0(src, e, "title", "must be {\"zh\": \"…\", \"en\": \"…\"}",
                   "应为 {\"zh\": \"…\", \"en\": \"…\"}");
    snprintf(p->id, sizeof p->id, "%s", id);
    snprintf(p->version, sizeof p->version, "%s", version);
    snprintf(p->edition, sizeof p->edition, "%s", edition);
    return 0;
}

/* ---- materials.json --------------------------------------------------------------------- */

static int check_materials(const struct pack *p, const struct source *src, struct err *e)
{
    const json_t *kinds = json_object_get(p->materials, "kinds");
    if (!json_is_array(kinds) || json_array_size(kinds) == 0)
        return BAD0(src, e, "kinds", "must be a non-empty array", "应为非空数组");
    size_t i;
    const json_t *kind;
    json_array_foreach(kinds, i, kind) {
        char where[64];
        snprintf(where, sizeof where, "kinds[%zu]", i);
        const json_t *key = json_object_get(kind, "key");
        if (!json_is_string(key) || !is_identifier(json_string_value(key)))
            return BAD0(src, e, where, "\"key\" must be a snake_case identifier",
                       "“key”应为 snake_case 标识符");
        if (!is_bilingual(json_object_get(kind, "label")))
            return BAD(src, e, where, "\"label\" of %s must have zh and en",
                       "%s 的“label”必须包含 zh 和 en", json_string_value(key));
        for (size_t j = 0; j < i; j++)
            if (json_equal(json_object_get(json_array_get(kinds, j), "key"), key))
                return BAD(src, e, where, "kind \"%s\" is listed twice", "材料类型“%s”重复",
                           json_string_value(key));
    }
    return 0;
}

static bool material_kind_known(const struct pack *p, const char *key)
{
    size_t i;
    const json_t *kind;
    json_array_foreach(json_object_get(p->materials, "kinds"), i, kind)
        if (strcmp(json_string_value(json_object_get(kind, "key")), key) == 0)
            return true;
    return false;
}

/* ---- form.json -------------------------------------------------------------------------- */

static bool pattern_compiles(const char *pattern)
{
    regex_t re;
    if (pattern_compile(pattern, &re) != 0)
        return false;
    regfree(&re);
    return true;
}

static bool type_is_array(const char *type)
{
    return strcmp(type, "enum[]") == 0 || strcmp(type, "text[]") == 0 ||
           strcmp(type, "list<object>") == 0 || strcmp(type, "material[]") == 0;
}

static bool type_has_fields(const char *type)
{
    return strcmp(type, "object") == 0 || strcmp(type, "list<object>") == 0;
}

static bool type_has_options(const char *type)
{
    return strcmp(type, "enum") == 0 || strcmp(type, "enum[]") == 0;
}

static bool type_is_text(const char *type)
{
    return strcmp(type, "text") == 0 || strcmp(type, "text[]") == 0;
}

/* An optional attribute that must be a whole number >= minimum. */
static int check_count(const struct source *src, const json_t *f, const char *attr, long long minimum,
                       const char *where, struct err *e)
{
    const json_t *v = json_object_get(f, attr);
    if (v && (!json_is_integer(v) || json_integer_value(v) < minimum))
        return BAD(src, e, where, "\"%s\" must be a whole number of at least %lld",
                   "“%s”应为不小于%lld的整数", attr, minimum);
    return 0;
}

static int check_fields(const struct pack *p, const struct source *src, const json_t *fields,
                        const char *parent, int depth, struct err *e);

static int check_options(const struct source *src, const json_t *options, const char *where,
                         struct err *e)
{
    if (!json_is_array(options) || json_array_size(options) == 0)
        return BAD0(src, e, where, "an enum needs a non-empty \"options\" array",
                   "枚举字段需要非空的“options”数组");
    size_t i;
    const json_t *option;
    json_array_foreach(options, i, option) {
        const json_t *value = json_object_get(option, "value");
        if (!is_nonempty_string(value))
            return BAD(src, e, where, "option %zu has no \"value\" string", "第%zu个选项缺少“value”字符串",
                       i + 1);
        if (!is_bilingual(json_object_get(option, "label")))
            return BAD(src, e, where, "option \"%s\" needs a label with zh and en",
                       "选项“%s”的“label”必须包含 zh 和 en", json_string_value(value));
        for (size_t j = 0; j < i; j++)
            if (json_equal(json_object_get(json_array_get(options, j), "value"), value))
                return BAD(src, e, where, "option \"%s\" is listed twice", "选项“%s”重复",
                           json_string_value(value));
    }
    return 0;
}

/* One field definition; `where` is its path in the form ("/subject/legal_representative"). */
static int check_field(const struct pack *p, const struct source *src, const json_t *f,
                       const char *where, int depth, struct err *e)
{
    const char *key_name;
    const json_t *value;
    json_object_foreach((json_t *)f, key_name, value)
        if (!IN_LIST(key_name, FIELD_ATTRIBUTES))
            return BAD(src, e, where, "unknown attribute \"%s\"", "未知属性“%s”", key_name);

    const json_t *type_json = json_object_get(f, "type");
    if (!json_is_string(type_json))
        return BAD0(src, e, where, "\"type\" is missing", "缺少“type”");
    const char *type = json_string_value(type_json);
    if (!IN_LIST(type, FIELD_TYPES))
        return BAD(src, e, where, "unknown type \"%s\"", "未知类型“%s”", type);
    if (!is_bilingual(json_object_get(f, "label")))
        return BAD0(src, e, where, "\"label\" must have zh and en",
                   "“label”必须包含 zh 和 en");
    const json_t *help = json_object_get(f, "help");
    if (help && !is_bilingual(help))
        return BAD0(src, e, where, "\"help\" must have zh and en", "“help”必须包含 zh 和 en");
    const json_t *required = json_object_get(f, "required");
    if (required && !json_is_boolean(required))
        return BAD0(src, e, where, "\"required\" must be true or false",
                   "“required”应为 true 或 false");

    /* Attributes that make sense only for some types. */
    if (json_object_get(f, "max_length") && !type_is_text(type))
        return BAD(src, e, where, "\"max_length\" does not apply to type %s", "“max_length”不适用于类型 %s",
                   type);
    if (json_object_get(f, "pattern") && !type_is_text(type))
        return BAD(src, e, where, "\"pattern\" does not apply to type %s", "“pattern”不适用于类型 %s", type);
    if ((json_object_get(f, "min") || json_object_get(f, "max")) && strcmp(type, "int") != 0)
        return BAD(src, e, where, "\"min\"/\"max\" do not apply to type %s", "“min”/“max”不适用于类型 %s",
                   type);
    if ((json_object_get(f, "min_items") || json_object_get(f, "max_items")) && !type_is_array(type))
        return BAD(src, e, where, "\"min_items\"/\"max_items\" do not apply to type %s",
                   "“min_items”/“max_items”不适用于类型 %s", type);
    if (json_object_get(f, "options") && !type_has_options(type))
        return BAD(src, e, where, "\"options\" do not apply to type %s", "“options”不适用于类型 %s", type);
    if (json_object_get(f, "fields") && !type_has_fields(type))
        return BAD(src, e, where, "\"fields\" do not apply to type %s", "“fields”不适用于类型 %s", type);
    bool is_material = strcmp(type, "material") == 0 || strcmp(type, "material[]") == 0;
    if ((json_object_get(f, "material_kind") || json_object_get(f, "material_kinds")) && !is_material)
        return BAD(src, e, where, "\"material_kind(s)\" does not apply to type %s",
                   "“material_kind(s)”不适用于类型 %s", type);
    const json_t *from_record = json_object_get(f, "from_record");
    if (from_record && (!type_is_text(type) || !json_is_string(from_record) ||
                        (strcmp(json_string_value(from_record), "name") != 0 &&
                         strcmp(json_string_value(from_record), "uscc") != 0)))
        return BAD0(src, e, where, "\"from_record\" is \"name\" or \"uscc\" of the filing organisation, on a text field",
                    "“from_record”只能用于文本字段，取值为备案单位的“name”或“uscc”");
    const json_t *hint = json_object_get(f, "pattern_hint");
    if (hint && (!json_object_get(f, "pattern") || !json_is_string(json_object_get(hint, "zh")) ||
                 !json_is_string(json_object_get(hint, "en"))))
        return BAD0(src, e, where, "\"pattern_hint\" goes with \"pattern\" and is {\"zh\",\"en\"}",
                    "“pattern_hint”须与“pattern”同用，形如 {\"zh\",\"en\"}");
    if (json_object_get(f, "org_kind") && strcmp(type, "org_ref") != 0)
        return BAD(src, e, where, "\"org_kind\" does not apply to type %s", "“org_kind”不适用于类型 %s",
                   type);

    if (check_count(src, f, "max_length", 1, where, e) || check_count(src, f, "min_items", 0, where, e) ||
        check_count(src, f, "max_items", 1, where, e))
        return -1;
    const json_t *min = json_object_get(f, "min"), *max = json_object_get(f, "max");
    if ((min && !json_is_integer(min)) || (max && !json_is_integer(max)))
        return BAD0(src, e, where, "\"min\" and \"max\" must be whole numbers",
                   "“min”和“max”应为整数");
    if (min && max && json_integer_value(min) > json_integer_value(max))
        return BAD0(src, e, where, "\"min\" is greater than \"max\"", "“min”大于“max”");
    const json_t *min_items = json_object_get(f, "min_items"), *max_items = json_object_get(f, "max_items");
    if (min_items && max_items && json_integer_value(min_items) > json_integer_value(max_items))
        return BAD0(src, e, where, "\"min_items\" is greater than \"max_items\"",
                   "“min_items”大于“max_items”");
    const json_t *pattern = json_object_get(f, "pattern");
    if (pattern && (!json_is_string(pattern) || !pattern_compiles(json_string_value(pattern))))
        return BAD0(src, e, where, "\"pattern\" is not a valid regular expression",
                   "“pattern”不是有效的正则表达式");

    if (type_has_options(type) && check_options(src, json_object_get(f, "options"), where, e))
        return -1;
    /* A material field says which kinds it accepts: one (material_kind) or a list (material_kinds). */
    const json_t *kind = json_object_get(f, "material_kind"), *kinds = json_object_get(f, "material_kinds");
    if (is_material && !kind && !kinds)
        return BAD0(src, e, where, "a material field needs \"material_kind\" or \"material_kinds\" (the kinds it accepts)",
                   "材料字段需要“material_kind”或“material_kinds”（可接受的材料类型）");
    if (kind && (!json_is_string(kind) || !material_kind_known(p, json_string_value(kind))))
        return BAD0(src, e, where, "\"material_kind\" is not a kind listed in materials.json",
                   "“material_kind”不是 materials.json 中列出的材料类型");
    if (kinds && (!json_is_array(kinds) || json_array_size(kinds) == 0))
        return BAD0(src, e, where, "\"material_kinds\" is a non-empty list of kinds",
                   "“material_kinds”应为非空的材料类型列表");
    size_t ki;
    const json_t *k;
    json_array_foreach(kinds, ki, k)
        if (!json_is_string(k) || !material_kind_known(p, json_string_value(k)))
            return BAD0(src, e, where, "\"material_kinds\" names a kind not listed in materials.json",
                        "“material_kinds”中有 materials.json 未列出的材料类型");
    const json_t *org_kind = json_object_get(f, "org_kind");
    if (strcmp(type, "org_ref") == 0 &&
        (!json_is_string(org_kind) || !is_identifier(json_string_value(org_kind))))
        return BAD0(src, e, where, "an org_ref field needs \"org_kind\" (e.g. \"provider\")",
                   "单位引用字段需要“org_kind”（例如“provider”）");
    if (type_has_fields(type)) {
        if (depth >= MAX_FIELD_DEPTH)
            return BAD(src, e, where, "fields nest deeper than %d levels", "字段嵌套超过%d层",
                       MAX_FIELD_DEPTH);
        return check_fields(p, src, json_object_get(f, "fields"), where, depth + 1, e);
    }
    return 0;
}

/* A "fields" array: each entry a field with a unique snake_case key. */
static int check_fields(const struct pack *p, const struct source *src, const json_t *fields,
                        const char *parent, int depth, struct err *e)
{
    if (!json_is_array(fields) || json_array_size(fields) == 0)
        return BAD0(src, e, parent, "needs a non-empty \"fields\" array",
                   "需要非空的“fields”数组");
    size_t i;
    const json_t *f;
    json_array_foreach(fields, i, f) {
        char where[1024];
        const json_t *key = json_object_get(f, "key");
        if (!json_is_object(f) || !json_is_string(key) || !is_identifier(json_string_value(key))) {
            snprintf(where, sizeof where, "%s/fields[%zu]", parent, i);
            return BAD0(src, e, where, "every field needs a \"key\" in snake_case (a-z, 0-9, _)",
                       "每个字段都需要 snake_case 格式的“key”（a-z、0-9、_）");
        }
        snprintf(where, sizeof where, "%s/%s", parent, json_string_value(key));
        for (size_t j = 0; j < i; j++)
            if (json_equal(json_object_get(json_array_get(fields, j), "key"), key))
                return BAD0(src, e, where, "the key is used twice", "字段键重复");
        if (check_field(p, src, f, where, depth, e))
            return -1;
    }
    return 0;
}

/* form.json, or inspection.json (the self-inspection report's form): the same shape. */
static int check_form(const struct pack *p, const json_t *form, const struct source *src, struct err *e)
{
    const json_t *sections = json_object_get(form, "sections");
    if (!json_is_object(form) || !json_is_array(sections) || json_array_size(sections) == 0)
        return BAD0(src, e, "top level", "must be {\"sections\": [ … ]} with at least one section",
                   "应为 {\"sections\": [ … ]}，且至少有一个部分");
    size_t i;
    const json_t *section;
    json_array_foreach(sections, i, section) {
        char where[256];
        const json_t *key = json_object_get(section, "key");
        if (!json_is_object(section) || !json_is_string(key) || !is_identifier(json_string_value(key))) {
            snprintf(where, sizeof where, "sections[%zu]", i);
            return BAD0(src, e, where, "every section needs a \"key\" in snake_case",
                       "每个部分都需要 snake_case 格式的“key”");
        }
        snprintf(where, sizeof where, "/%s", json_string_value(key));
        for (size_t j = 0; j < i; j++)
            if (json_equal(json_object_get(json_array_get(sections, j), "key"), key))
                return BAD0(src, e, where, "the section key is used twice", "部分键重复");
        const char *attr;
        const json_t *value;
        json_object_foreach((json_t *)section, attr, value)
            if (strcmp(attr, "key") && strcmp(attr, "label") && strcmp(attr, "help") && strcmp(attr, "fields"))
                return BAD(src, e, where, "unknown section attribute \"%s\"", "未知的部分属性“%s”", attr);
        if (!is_bilingual(json_object_get(section, "label")))
            return BAD0(src, e, where, "\"label\" must have zh and en", "“label”必须包含 zh 和 en");
        const json_t *help = json_object_get(section, "help");
        if (help && !is_bilingual(help))
            return BAD0(src, e, where, "\"help\" must have zh and en", "“help”必须包含 zh 和 en");
        if (check_fields(p, src, json_object_get(section, "fields"), where, 1, e))
            return -1;
    }
    return 0;
}

/* ---- regions.json ----------------------------------------------------------------------- */

static bool is_region_code(const char *s)
{
    for (int i = 0; i < 6; i++)
        if (!isdigit((unsigned char)s[i]))
            return false;
    return s[6] == '\0';
}

static int check_regions(const struct pack *p, const struct source *src, struct err *e)
{
    if (!json_is_object(p->regions) || json_object_size(p->regions) == 0)
        return BAD0(src, e, "top level", "must be a non-empty object of code → {zh, en}",
                   "应为“代码 → {zh, en}”的非空对象");
    const char *code;
    const json_t *names;
    json_object_foreach((json_t *)p->regions, code, names) {
        if (!is_region_code(code))
            return BAD0(src, e, code, "a region code is six digits (GB/T 2260)",
                       "行政区划代码应为6位数字（GB/T 2260）");
        if (!is_bilingual(names))
            return BAD0(src, e, code, "needs {\"zh\": …, \"en\": …}", "需要 {\"zh\": …, \"en\": …}");
        char province[7];
        snprintf(province, sizeof province, "%.2s0000", code);
        if (!json_object_get(p->regions, province))
            return BAD(src, e, code, "its province %s is not listed", "所属省级区划 %s 未列出", province);
    }
    return 0;
}

/* ---- calendar.json ---------------------------------------------------------------------- */

/* One list of a year ("holidays" or "workdays"); each day must lie in that year. */
static int load_days(struct pack *p, const struct source *src, const char *year, const char *list_name,
                     const json_t *list, bool workdays, struct err *e)
{
    char where[64];
    snprintf(where, sizeof where, "%s.%s", year, list_name);
    if (!json_is_array(list))
        return BAD0(src, e, where, "must be an array of days (YYYY-MM-DD)",
                   "应为日期数组（YYYY-MM-DD）");
    size_t i;
    const json_t *item;
    json_array_foreach(list, i, item) {
        day_t day;
        const char *text = json_string_value(item);
        if (!text || date_parse(text, &day) != 0)
            return BAD(src, e, where, "entry %zu is not a day written YYYY-MM-DD",
                       "第%zu项不是 YYYY-MM-DD 格式的有效日期", i + 1);
        if (strncmp(text, year, 4) != 0)
            return BAD(src, e, where, "%s does not belong to year %s", "%s 不属于 %s 年", text, year);
        if (workdays && date_weekday(day) < 5)
            return BAD(src, e, where, "%s is a weekday; make-up workdays fall on weekends",
                       "%s 是工作日；调休上班日应为周末", text);
        int rc = workdays ? calendar_add_workday(p->calendar, day) : calendar_add_holiday(p->calendar, day);
        if (rc != 0)
            return err_set(e, ERR_INTERNAL, NULL, "Out of memory loading the calendar", "加载日历时内存不足");
    }
    return 0;
}

static int load_calendar(struct pack *p, const json_t *cal, const struct source *src, struct err *e)
{
    if (!json_is_object(cal))
        return BAD0(src, e, "top level", "must be an object of year → {holidays, workdays}",
                   "应为“年份 → {holidays, workdays}”的对象");
    p->calendar = calendar_new();
    if (!p->calendar)
        return err_set(e, ERR_INTERNAL, NULL, "Out of memory loading the calendar", "加载日历时内存不足");
    const char *year;
    const json_t *entry;
    json_object_foreach((json_t *)cal, year, entry) {
        if (strlen(year) != 4 || !isdigit((unsigned char)year[0]) || !isdigit((unsigned char)year[1]) ||
            !isdigit((unsigned char)year[2]) || !isdigit((unsigned char)year[3]))
            return BAD0(src, e, year, "a year is four digits", "年份应为4位数字");
        if (!json_is_object(entry))
            return BAD0(src, e, year, "must be {\"holidays\": […], \"workdays\": […]}",
                       "应为 {\"holidays\": […], \"workdays\": […]}");
        const char *attr;
        const json_t *value;
        json_object_foreach((json_t *)entry, attr, value)
            if (strcmp(attr, "holidays") && strcmp(attr, "workdays") && strcmp(attr, "source"))
                return BAD(src, e, year, "unknown key \"%s\"", "未知键“%s”", attr);
        const json_t *source = json_object_get(entry, "source");
        if (source && !json_is_string(source))
            return BAD0(src, e, year, "\"source\" must be a string", "“source”应为字符串");
        const json_t *holidays = json_object_get(entry, "holidays");
        const json_t *workdays = json_object_get(entry, "workdays");
        if (load_days(p, src, year, "holidays", holidays, false, e) ||
            load_days(p, src, year, "workdays", workdays, true, e))
            return -1;
        size_t i, j;
        const json_t *w, *h;
        json_array_foreach(workdays, i, w)
            json_array_foreach(holidays, j, h)
                if (json_equal(w, h))
                    return BAD(src, e, year, "%s is both a holiday and a make-up workday",
                               "%s 同时被列为假日和调休上班日", json_string_value(w));
    }
    /* The years listed are the coverage; they must follow one another, or the days of a missing
     * year would silently count as published. */
    int first = 0, last = 0;
    json_object_foreach((json_t *)cal, year, entry) {
        int y = atoi(year);
        if (!first || y < first) first = y;
        if (y > last) last = y;
    }
    if (first && (size_t)(last - first + 1) != json_object_size(cal))
        return BAD0(src, e, "top level", "the years must follow one another (the calendar covers them all)",
                    "年份须连续（日历覆盖其间每一年）");
    if (first) calendar_set_coverage(p->calendar, date_from_ymd(first, 1, 1), date_from_ymd(last, 12, 31));
    return 0;
}

/* ---- deadlines.json --------------------------------------------------------------------- */

static int check_per_type(const struct source *src, const json_t *d, const char *name, struct err *e)
{
    const json_t *per_type = json_object_get(d, name);
    if (!json_is_object(per_type) || json_object_size(per_type) == 0)
        return BAD0(src, e, name, "must be an object of filing type → number",
                   "应为“备案类型 → 数值”的对象");
    const char *type;
    const json_t *n;
    json_object_foreach((json_t *)per_type, type, n)
        if (!json_is_integer(n) || json_integer_value(n) < 1)
            return BAD(src, e, name, "\"%s\" must be a positive whole number", "“%s”应为正整数", type);
    const char *def = json_string_value(json_object_get(d, "default_filing_type"));
    if (def && !json_object_get(per_type, def))
        return BAD(src, e, name, "has no entry for the default filing type \"%s\"",
                   "缺少默认备案类型“%s”", def);
    return 0;
}

static int check_deadlines(const struct pack *p, const struct source *src, struct err *e)
{
    const json_t *d = p->deadlines;
    if (!json_is_object(d))
        return BAD0(src, e, "top level", "must be an object", "应为对象");
    if (!is_nonempty_string(json_object_get(d, "default_filing_type")))
        return BAD0(src, e, "default_filing_type", "a filing type is required", "需要填写备案类型");
    const json_t *rect = json_object_get(d, "rectification_working_days");
    if (!json_is_integer(rect) || json_integer_value(rect) < 1)
        return BAD0(src, e, "rectification_working_days", "must be a positive whole number",
                   "应为正整数");
    if (check_per_type(src, d, "review_working_days", e) || check_per_type(src, d, "self_inspection_months", e))
        return -1;
    /* change reports (optional): the authority's objection window and the reporting limits */
    const json_t *window = json_object_get(d, "change_objection_working_days");
    if (window && (!json_is_integer(window) || json_integer_value(window) < 1 || json_integer_value(window) > 365))
        return BAD0(src, e, "change_objection_working_days", "must be a whole number from 1 to 365",
                    "应为1至365的整数");
    const json_t *report = json_object_get(d, "change_report");
    static const char *const REPORT_KEYS[] = {"major_days_before_effective", "minor_days_after_effective"};
    for (size_t i = 0; report && i < 2; i++) {
        const json_t *n = json_object_get(report, REPORT_KEYS[i]);
        if (!json_is_integer(n) || json_integer_value(n) < 0 || json_integer_value(n) > 3650)
            return BAD(src, e, "change_report", "\"%s\" must be a whole number of days from 0 to 3650",
                       "“%s”应为0至3650的天数", REPORT_KEYS[i]);
    }
    return 0;
}

/* ---- public ----------------------------------------------------------------------------- */

/* ---- providers.json (optional) ------------------------------------------------------------- */

/* The provider registry's policy: warning days, evaluation age, and the evaluation criteria, each
 * with a key and labels in both languages. */
/* inspection.json, when the pack has one: the form of the periodic self-inspection report. */
static int load_inspection_form(struct pack *p, const char *dir, struct err *e)
{
    char path[4200];
    struct stat st;
    snprintf(path, sizeof path, "%s/inspection.json", dir);
    if (stat(path, &st) != 0) return 0;
    struct source src = {dir, "inspection.json"};
    if (!(p->inspection_form = load_file(&src, e))) return -1;
    return check_form(p, p->inspection_form, &src, e);
}

/* notifications.json (optional): the texts of notifications, per event, in both languages. */
static int load_notifications(struct pack *p, const char *dir, struct err *e)
{
    char path[4200];
    struct stat st;
    snprintf(path, sizeof path, "%s/notifications.json", dir);
    if (stat(path, &st) != 0) return 0;
    struct source src = {dir, "notifications.json"};
    if (!(p->notifications = load_file(&src, e))) return -1;
    const char *k;
    json_t *t;
    json_object_foreach(json_object_get(p->notifications, "events"), k, t) {
        static const char *const parts[] = {"subject", "body"};
        for (int i = 0; i < 2; i++) {
            const json_t *x = json_object_get(t, parts[i]);
            if (!json_is_string(json_object_get(x, "zh")) || !json_is_string(json_object_get(x, "en")))
                return err_set(e, ERR_VALIDATION, NULL, "Policy pack file %s: event %s needs a %s in zh and en",
                               "策略包文件 %s：事件 %s 须有中英文 %s", path, k, parts[i]);
        }
    }
    if (!json_is_object(json_object_get(p->notifications, "events")))
        return err_set(e, ERR_VALIDATION, NULL, "Policy pack file %s: \"events\" must be an object",
                       "策略包文件 %s：“events”须为对象", path);
    return 0;
}

static int load_providers(struct pack *p, const char *dir, struct err *e)
{
    char path[4200];
    struct stat st;
    snprintf(path, sizeof path, "%s/providers.json", dir);
    if (stat(path, &st) != 0) return 0;
    struct source src = {dir, "providers.json"};
    if (!(p->providers = load_file(&src, e))) return -1;
    if (!json_is_integer(json_object_get(p->providers, "qualification_warning_days")) ||
        !json_is_integer(json_object_get(p->providers, "evaluation_max_age_days")))
        return err_set(e, ERR_VALIDATION, NULL,
                       "Policy pack file %s: qualification_warning_days and evaluation_max_age_days must be integers",
                       "策略包文件 %s：qualification_warning_days 与 evaluation_max_age_days 须为整数", path);
    const json_t *criteria = json_object_get(p->providers, "criteria");
    if (!json_is_array(criteria) || json_array_size(criteria) == 0 || json_array_size(criteria) > 32)
        return err_set(e, ERR_VALIDATION, NULL, "Policy pack file %s: \"criteria\" must list 1 to 32 criteria",
                       "策略包文件 %s：“criteria”须列出1至32项评估标准", path);
    size_t i;
    const json_t *c;
    json_array_foreach(criteria, i, c) {
        const json_t *label = json_object_get(c, "label");
        if (!json_is_string(json_object_get(c, "key")) || !json_is_string(json_object_get(label, "zh")) ||
            !json_is_string(json_object_get(label, "en")))
            return err_set(e, ERR_VALIDATION, NULL, "Policy pack file %s: criterion %zu needs a key and zh/en labels",
                           "策略包文件 %s：第 %zu 项评估标准须有 key 和中英文标签", path, i);
    }
    return 0;
}

int pack_load(const char *dir, struct pack **out, struct err *e)
{
    *out = NULL;
    struct pack *p = calloc(1, sizeof *p);
    if (!p)
        return err_set(e, ERR_INTERNAL, NULL, "Out of memory loading a policy pack", "加载策略包时内存不足");
    if (strlen(dir) >= sizeof p->dir) {
        free(p);
        return err_set(e, ERR_BAD_REQUEST, NULL, "Policy pack directory name is too long",
                       "策略包目录名过长");
    }
    snprintf(p->dir, sizeof p->dir, "%s", dir);

    struct source manifest = {dir, "manifest.json"}, materials = {dir, "materials.json"},
                  form = {dir, "form.json"}, regions = {dir, "regions.json"},
                  calendar = {dir, "calendar.json"}, deadlines = {dir, "deadlines.json"};
    json_t *calendar_json = NULL;

    if (!(p->manifest = load_file(&manifest, e)) || check_manifest(p, &manifest, e))
        goto fail;
    if (!(p->materials = load_file(&materials, e)) || check_materials(p, &materials, e))
        goto fail;
    if (!(p->form = load_file(&form, e)) || check_form(p, p->form, &form, e))
        goto fail;
    if (load_inspection_form(p, dir, e) != 0)
        goto fail;
    if (!(p->regions = load_file(&regions, e)) || check_regions(p, &regions, e))
        goto fail;
    if (!(calendar_json = load_file(&calendar, e)) || load_calendar(p, calendar_json, &calendar, e))
        goto fail;
    if (!(p->deadlines = load_file(&deadlines, e)) || check_deadlines(p, &deadlines, e))
        goto fail;
    if (load_providers(p, dir, e) != 0)
        goto fail;
    if (pack_incidents_load(p, dir, e) != 0)
        goto fail;
    if (load_notifications(p, dir, e) != 0)
        goto fail;
    if (rules_program_load(p, &p->rules, e) != 0) /* last: the rules may read all of the above */
        goto fail;
    json_decref(calendar_json);
    *out = p;
    return 0;

fail:
    json_decref(calendar_json);
    pack_free(p);
    return -1;
}

void pack_free(struct pack *p)
{
    if (!p)
        return;
    json_decref(p->manifest);
    json_decref(p->form);
    json_decref(p->inspection_form);
    json_decref(p->regions);
    json_decref(p->deadlines);
    json_decref(p->materials);
    json_decref(p->providers);
    json_decref(p->incidents);
    json_decref(p->notifications);
    calendar_free(p->calendar);
    rules_program_release(p->rules);
    free(p);
}

bool pack_region_known(const struct pack *p, const char *code)
{
    return p && code && is_region_code(code) && json_object_get(p->regions, code) != NULL;
}

const char *pack_default_filing_type(const struct pack *p)
{
    return json_string_value(json_object_get(p->deadlines, "default_filing_type"));
}

int pack_review_working_days(const struct pack *p, const char *filing_type)
{
    const json_t *per_type = json_object_get(p->deadlines, "review_working_days");
    const json_t *days = filing_type ? json_object_get(per_type, filing_type) : NULL;
    if (!json_is_integer(days))
        days = json_object_get(per_type, pack_default_filing_type(p));
    return (int)json_integer_value(days);
}

int pack_change_objection_working_days(const struct pack *p)
{
    const json_t *n = json_object_get(p->deadlines, "change_objection_working_days");
    return json_is_integer(n) ? (int)json_integer_value(n) : 0;
}

int pack_rectification_working_days(const struct pack *p)
{
    return (int)json_integer_value(json_object_get(p->deadlines, "rectification_working_days"));
}
