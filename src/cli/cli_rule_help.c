/* cli_rule_help.c — descriptions and docs links of the rules findings name (cli_rule_help.h). The
 * built-in rules are described here; a pack's rules are described by their title, source and
 * whether they may be overridden (rule{} in the pack's Lua files). */
#include "cli/cli_rule_help.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "policy/rules.h"

static const struct {
    const char *id, *zh, *en, *about_zh, *about_en;
} BUILTIN_RULES[] = {
    {"FORM-UNKNOWN", "未知的部分或字段", "Unknown section or field",
     "文档中有表单（form.json）未定义的部分或字段。", "The document has a section or field the form (form.json) does not define."},
    {"FORM-TYPE", "值的类型不符", "Value of the wrong type",
     "字段的值不是表单规定的类型（文本、整数、布尔、列表或对象）。",
     "A field's value is not of the type the form gives it (text, integer, boolean, list or object)."},
    {"FORM-ENUM", "不是有效的选项", "Not one of the options", "选择题字段的值不在表单列出的选项之中。",
     "A choice field's value is not one of the options the form lists."},
    {"FORM-LENGTH", "文本过长", "Text too long", "文本超过表单规定的最大长度（max_length）。",
     "A text is longer than the form's max_length."},
    {"FORM-RANGE", "数值超出范围", "Number out of range", "数值小于表单的 min 或大于 max。",
     "A number is below the form's min or above its max."},
    {"FORM-DATE", "不是有效日期", "Not a real date", "日期字段须为存在的日期，格式 YYYY-MM-DD。",
     "A date field must be a real day written YYYY-MM-DD."},
    {"FORM-PATTERN", "格式不正确", "Wrong format", "文本不符合表单规定的格式（pattern）。",
     "A text does not match the form's pattern."},
    {"FORM-ITEMS", "条目过多", "Too many entries", "列表的条目数超过表单的 max_items（或少于 min_items）。",
     "A list has more entries than the form's max_items (or fewer than min_items)."},
    {"FORM-REQUIRED", "必填项未填写", "Required field missing", "表单标为必填的字段没有填写。",
     "A field the form marks as required is not filled in."},
    {"POLICY-CLASSIFY", "备案分类无法计算", "Classification could not be computed",
     "策略包的分类程序（classify.lua）未能算出等级与备案类型；按默认类型处理。",
     "The pack's classification (classify.lua) could not compute the level and filing type; the default type applies."},
};

json_t *rule_help_catalogue(const struct pack *p)
{
    json_t *all = json_array();
    for (size_t i = 0; i < sizeof BUILTIN_RULES / sizeof BUILTIN_RULES[0]; i++)
        json_array_append_new(all, json_pack("{s:s s:s s:{s:s s:s} s:{s:s s:s} s:s s:b s:[]}", "id", BUILTIN_RULES[i].id,
                                             "severity", "error", "title", "zh", BUILTIN_RULES[i].zh, "en",
                                             BUILTIN_RULES[i].en, "description", "zh", BUILTIN_RULES[i].about_zh, "en",
                                             BUILTIN_RULES[i].about_en, "source", "beian", "overridable", 0, "paths"));
    size_t i;
    const json_t *r;
    json_array_foreach(policy_rules(p), i, r) {
        const json_t *title = json_object_get(r, "title");
        const char *zh = json_string_value(json_object_get(title, "zh")), *en = json_string_value(json_object_get(title, "en"));
        const char *source = json_string_value(json_object_get(r, "source"));
        bool overridable = json_is_true(json_object_get(r, "overridable"));
        char about_zh[2048], about_en[2048];
        snprintf(about_zh, sizeof about_zh, "%s。依据：%s。%s", zh ? zh : "", source ? source : "—",
                 overridable ? "可申请例外：经审核同意后，错误降为警告。" : "不可申请例外。");
        snprintf(about_en, sizeof about_en, "%s. Source: %s. %s", en ? en : "", source ? source : "—",
                 overridable ? "May be overridden: once an override is accepted, the error becomes a warning."
                             : "May not be overridden.");
        json_t *entry = json_deep_copy(r);
        json_object_set_new(entry, "description", json_pack("{s:s s:s}", "zh", about_zh, "en", about_en));
        json_object_set_new(entry, "overridable", json_boolean(overridable));
        json_array_append_new(all, entry);
    }
    return all;
}

const char *rule_help_docs_base(void)
{
    static char base[4200];
    const char *env = getenv("BEIAN_DOCS_URL");
    if (env && *env)
        snprintf(base, sizeof base, "%s", env);
    else if (rule_help_path_uri(BEIAN_SOURCE_DIR, base, sizeof base) != 0)
        snprintf(base, sizeof base, "file:///");
    size_t n = strlen(base);
    while (n > 0 && base[n - 1] == '/' && strcmp(base, "file:///") != 0)
        base[--n] = '\0';
    return base;
}

void rule_help_uri(const char *rule_id, char *out, size_t cap)
{
    char anchor[128];
    size_t n = 0;
    for (const char *c = rule_id; *c && n + 1 < sizeof anchor; c++)
        anchor[n++] = isalnum((unsigned char)*c) ? (char)tolower((unsigned char)*c) : '-';
    anchor[n] = '\0';
    snprintf(out, cap, "%s/docs/rules.md#%s", rule_help_docs_base(), anchor);
}

void rule_help_information_uri(char *out, size_t cap)
{
    snprintf(out, cap, "%s/README.md", rule_help_docs_base());
}

int rule_help_path_uri(const char *path, char *out, size_t cap)
{
    static const char HEX[] = "0123456789ABCDEF";
    size_t n = 0;
    if (path[0] == '/') {
        if (cap < 8) return -1;
        memcpy(out, "file://", 7);
        n = 7;
    }
    while (path[0] == '.' && path[1] == '/')
        for (path += 2; *path == '/'; path++) {}
    for (const unsigned char *c = (const unsigned char *)path; *c; c++) {
        bool keep = isalnum(*c) || strchr("-._~/", *c);
        if (n + (keep ? 1 : 3) >= cap)
            return -1;
        if (keep) {
            out[n++] = (char)*c;
        } else {
            out[n++] = '%';
            out[n++] = HEX[*c >> 4];
            out[n++] = HEX[*c & 15];
        }
    }
    out[n] = '\0';
    return 0;
}

static const char *text_of(const json_t *o, const char *key, const char *lang)
{
    const char *s = json_string_value(json_object_get(json_object_get(o, key), lang));
    return s ? s : "";
}

void rule_help_print_markdown(FILE *out, const struct pack *p)
{
    fprintf(out, "# Rules / 规则\n\n"
                 "<!-- Generated by `beian policy rules --markdown` from the pack %s@%s: do not edit by hand. -->\n\n"
                 "Every rule a finding of `beian validate` or of the server can name: the form's own checks (FORM-*),\n"
                 "the engine's (POLICY-CLASSIFY) and the rules of the policy pack %s@%s. SARIF output links each\n"
                 "rule here (`helpUri`). 校验结果可能引用的全部规则：表单自身的检查、规则引擎的检查，以及策略包的规则。\n",
            p->id, p->version, p->id, p->version);
    json_t *all = rule_help_catalogue(p);
    size_t i, j;
    const json_t *r, *path;
    json_array_foreach(all, i, r) {
        const char *id = json_string_value(json_object_get(r, "id"));
        char uri[4400];
        rule_help_uri(id, uri, sizeof uri);
        fprintf(out, "\n<a id=\"%s\"></a>\n\n## %s — %s / %s\n\n", strrchr(uri, '#') + 1, id, text_of(r, "title", "en"),
                text_of(r, "title", "zh"));
        fprintf(out, "%s\n\n%s\n\n", text_of(r, "description", "en"), text_of(r, "description", "zh"));
        fprintf(out, "- Severity / 严重程度: %s\n", json_string_value(json_object_get(r, "severity")));
        fprintf(out, "- Overridable / 可申请例外: %s\n",
                json_is_true(json_object_get(r, "overridable")) ? "yes / 是" : "no / 否");
        if (json_array_size(json_object_get(r, "paths"))) {
            fprintf(out, "- Fields / 字段:");
            json_array_foreach(json_object_get(r, "paths"), j, path)
                fprintf(out, "%s `%s`", j ? "," : "", json_string_value(path));
            fprintf(out, "\n");
        }
    }
    json_decref(all);
}
