/* pack_diff.c — the differences between two versions of a policy pack, in words (pack_diff.h).
 * Each area is compared by what identifies its entries (a rule by id, a field by path, a material
 * kind by key, an incident level by key, a calendar year by year), so that reordering is no change
 * and a renamed entry is one removal and one addition. */
#include "policy/pack_diff.h"

#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/rules.h"

enum { SHOWN_LEN = 400, SHOWN_SLOTS = 16, TEXT_LEN = 1600 };

struct diff {
    json_t *changes;
};

/* ---- words ------------------------------------------------------------------------------ */

/* A value as the texts quote it: compact JSON, cut short. Rotating per-thread buffers, so one
 * text may show several values. */
static const char *shown(const json_t *v)
{
    static _Thread_local char slots[SHOWN_SLOTS][SHOWN_LEN];
    static _Thread_local unsigned next;
    char *buf = slots[next++ % SHOWN_SLOTS];
    char *text = v ? json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;
    snprintf(buf, SHOWN_LEN, "%s", text ? text : "—");
    if (text && strlen(text) >= SHOWN_LEN)
        memcpy(buf + SHOWN_LEN - 4, "...", 4);
    free(text);
    return buf;
}

static const char *str(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

static const char *label(const json_t *o, const char *lang)
{
    return str(json_object_get(o, "label"), lang);
}

/* Text made from a format: rotating per-thread buffers, so that one change's zh and en texts
 * live until add() has copied them. */
static const char *words(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static const char *words(const char *fmt, ...)
{
    static _Thread_local char slots[4][TEXT_LEN];
    static _Thread_local unsigned next;
    char *buf = slots[next++ % 4];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, TEXT_LEN, fmt, ap);
    va_end(ap);
    return buf;
}

/* One change in both languages. from and to are borrowed (copied when not NULL). */
static void add(struct diff *d, const char *area, const char *change, const char *subject, const char *aspect,
                const json_t *from, const json_t *to, const char *zh_text, const char *en_text)
{
    json_t *c = json_pack("{s:s s:s s:s s:s s:s}", "area", area, "change", change, "subject", subject, "zh", zh_text,
                          "en", en_text);
    if (!c)
        return;
    if (aspect)
        json_object_set_new(c, "aspect", json_string(aspect));
    if (from)
        json_object_set_new(c, "from", json_deep_copy(from));
    if (to)
        json_object_set_new(c, "to", json_deep_copy(to));
    json_array_append_new(d->changes, c);
}

/* ---- generic values (parameters, deadlines, provider parameters) ------------------------ */

struct noun {
    const char *area, *zh, *en;
    const char *const (*labels)[3]; /* {first key of the path, zh, en}…, {NULL}: words for the keys; may be NULL */
};

/* The path, and what its first key means when the noun has words for it. */
static const char *named(const struct noun *n, const char *path, bool zh)
{
    static _Thread_local char slots[4][600];
    static _Thread_local unsigned next;
    char *buf = slots[next++ % 4];
    snprintf(buf, 600, "%s", path);
    for (const char *const(*l)[3] = n->labels; l && (*l)[0]; l++) {
        size_t len = strlen((*l)[0]);
        if (strncmp(path + 1, (*l)[0], len) == 0 && (path[len + 1] == '/' || !path[len + 1]))
            snprintf(buf, 600, zh ? "%s（%s）" : "%s (%s)", path, zh ? (*l)[1] : (*l)[2]);
    }
    return buf;
}

static bool scalar_list(const json_t *v)
{
    size_t i;
    const json_t *e;
    if (!json_is_array(v))
        return false;
    json_array_foreach(v, i, e)
        if (json_is_object(e) || json_is_array(e))
            return false;
    return true;
}

static bool in_list(const json_t *list, const json_t *v)
{
    size_t i;
    const json_t *e;
    json_array_foreach(list, i, e)
        if (json_equal(e, v))
            return true;
    return false;
}

static void diff_value(struct diff *d, const struct noun *n, const char *path, const json_t *a, const json_t *b);

static void diff_members(struct diff *d, const struct noun *n, const char *path, const json_t *a, const json_t *b,
                         const char *const *skip)
{
    const char *key;
    const json_t *v;
    char sub[1024];
    json_object_foreach((json_t *)a, key, v) {
        bool skipped = key[0] == '_';   /* _comment, _source: notes, not policy */
        for (const char *const *s = skip; s && *s; s++)
            skipped |= strcmp(*s, key) == 0;
        if (skipped)
            continue;
        snprintf(sub, sizeof sub, "%s/%s", path, key);
        const json_t *w = json_object_get(b, key);
        if (!w)
            add(d, n->area, "removed", sub, NULL, v, NULL, words("删除%s %s（原为 %s）", n->zh, named(n, sub, true),
                shown(v)), words("%s %s removed (was %s)", n->en, named(n, sub, false), shown(v)));
        else
            diff_value(d, n, sub, v, w);
    }
    json_object_foreach((json_t *)b, key, v) {
        bool skipped = key[0] == '_';
        for (const char *const *s = skip; s && *s; s++)
            skipped |= strcmp(*s, key) == 0;
        if (skipped || json_object_get(a, key))
            continue;
        snprintf(sub, sizeof sub, "%s/%s", path, key);
        add(d, n->area, "added", sub, NULL, NULL, v, words("新增%s %s = %s", n->zh, named(n, sub, true), shown(v)), words("%s %s added: %s", n->en, named(n, sub, false),
            shown(v)));
    }
}

static void diff_value(struct diff *d, const struct noun *n, const char *path, const json_t *a, const json_t *b)
{
    if (json_is_object(a) && json_is_object(b)) {
        diff_members(d, n, path, a, b, NULL);
        return;
    }
    if (scalar_list(a) && scalar_list(b)) {
        size_t i;
        const json_t *e;
        json_array_foreach(a, i, e)
            if (!in_list(b, e))
                add(d, n->area, "changed", path, "values", e, NULL, words("%s %s 去掉取值 %s", n->zh,
                    path, shown(e)), words("%s %s loses the value %s", n->en, named(n, path, false), shown(e)));
        json_array_foreach(b, i, e)
            if (!in_list(a, e))
                add(d, n->area, "changed", path, "values", NULL, e, words("%s %s 增加取值 %s", n->zh,
                    path, shown(e)), words("%s %s gains the value %s", n->en, named(n, path, false), shown(e)));
        return;
    }
    if (!json_equal(a, b))
        add(d, n->area, "changed", path, "value", a, b, words("%s %s 由 %s 改为 %s", n->zh, named(n, path, true),
            shown(a), shown(b)), words("%s %s changed from %s to %s", n->en, named(n, path, false), shown(a), shown(b)));
}

/* ---- rules ------------------------------------------------------------------------------ */

/* Past a Lua long bracket at c ('[' '='* '['), or NULL when c does not open one. */
static const char *long_bracket_end(const char *c)
{
    if (*c != '[')
        return NULL;
    int level = 0;
    const char *p = c + 1;
    while (*p == '=') {
        level++;
        p++;
    }
    if (*p != '[')
        return NULL;
    for (p++; *p; p++) {
        if (*p != ']')
            continue;
        const char *q = p + 1;
        int l = 0;
        while (*q == '=') {
            l++;
            q++;
        }
        if (l == level && *q == ']')
            return q + 1;
    }
    return p;
}

/* Lua text without comments and with every run of white space one space: the code a rule
 * runs, whatever its layout. Calls on_rule for each top-level rule{…} with its normalised text. */
static void lua_code(const char *src, void (*on_rule)(const char *code, void *arg), void *arg, char **whole)
{
    size_t cap = strlen(src) + 1, n = 0, rule_start = 0;
    char *out = malloc(cap);
    int depth = 0;
    bool in_rule = false;
    if (!out) {
        *whole = NULL;
        return;
    }
#define EMIT(ch)                                                                                   \
    do {                                                                                           \
        if (n + 1 < cap) out[n++] = (ch);                                                          \
    } while (0)
    for (const char *c = src; *c;) {
        if (c[0] == '-' && c[1] == '-') {
            const char *end = long_bracket_end(c + 2);
            if (end)
                c = end;
            else
                while (*c && *c != '\n')
                    c++;
            if (n && out[n - 1] != ' ')
                EMIT(' ');
            continue;
        }
        if (*c == ' ' || *c == '\t' || *c == '\n' || *c == '\r') {
            while (*c == ' ' || *c == '\t' || *c == '\n' || *c == '\r')
                c++;
            if (n && out[n - 1] != ' ')
                EMIT(' ');
            continue;
        }
        if (*c == '"' || *c == '\'') {
            char q = *c;
            EMIT(*c++);
            while (*c && *c != q) {
                if (*c == '\\' && c[1])
                    EMIT(*c++);
                EMIT(*c++);
            }
            if (*c)
                EMIT(*c++);
            continue;
        }
        const char *end = long_bracket_end(c);
        if (end) {
            while (c < end)
                EMIT(*c++);
            continue;
        }
        if (depth == 0 && strncmp(c, "rule", 4) == 0 && (c == src || !(c[-1] == '_' || (c[-1] >= 'a' && c[-1] <= 'z')))) {
            const char *p = c + 4;
            while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
                p++;
            if (*p == '{') {
                in_rule = true;
                rule_start = n;
            }
        }
        if (*c == '{')
            depth++;
        else if (*c == '}' && depth > 0)
            depth--;
        EMIT(*c++);
        if (in_rule && depth == 0 && c[-1] == '}') {
            out[n] = '\0';
            on_rule(out + rule_start, arg);
            in_rule = false;
        }
    }
#undef EMIT
    out[n] = '\0';
    *whole = out;
}

/* The id = "…" of a normalised rule{…}. */
static bool rule_id(const char *code, char *id, size_t cap)
{
    for (const char *c = strstr(code, "id"); c; c = strstr(c + 2, "id")) {
        if (c > code && (c[-1] == '_' || (c[-1] >= 'a' && c[-1] <= 'z')))
            continue;
        const char *p = c + 2;
        while (*p == ' ')
            p++;
        if (*p++ != '=')
            continue;
        while (*p == ' ')
            p++;
        if (*p != '"' && *p != '\'')
            continue;
        const char *end = strchr(p + 1, *p);
        if (!end || (size_t)(end - p - 1) >= cap)
            return false;
        snprintf(id, cap, "%.*s", (int)(end - p - 1), p + 1);
        return true;
    }
    return false;
}

/* Keeps the check of each rule{…} (from "check =" on: severity, title and source are compared
 * as data) under its id. */
static void collect_rule(const char *code, void *arg)
{
    char id[128];
    if (!rule_id(code, id, sizeof id))
        return;
    const char *check = strstr(code, "check =");
    if (!check)
        check = strstr(code, "check=");
    json_object_set_new(arg, id, json_string(check ? check : code));
}

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *text = NULL;
    size_t len = 0;
    if (fseek(f, 0, SEEK_END) == 0) {
        long size = ftell(f);
        if (size >= 0 && size < (64L << 20) && fseek(f, 0, SEEK_SET) == 0 && (text = malloc((size_t)size + 1)))
            len = fread(text, 1, (size_t)size, f);
    }
    fclose(f);
    if (text)
        text[len] = '\0';
    return text;
}

static int is_lua(const struct dirent *de)
{
    size_t len = strlen(de->d_name);
    return de->d_name[0] != '.' && len > 4 && strcmp(de->d_name + len - 4, ".lua") == 0;
}

/* {rule id: normalised code} of the pack's rules/ *.lua. */
static json_t *rule_codes(const struct pack *p)
{
    json_t *codes = json_object();
    char dir[4200], path[4500];
    snprintf(dir, sizeof dir, "%s/rules", p->dir);
    struct dirent **names;
    int n = scandir(dir, &names, is_lua, alphasort);
    for (int i = 0; i < n; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[i]->d_name);
        char *src = read_file(path), *whole = NULL;
        if (src)
            lua_code(src, collect_rule, codes, &whole);
        free(whole);
        free(src);
        free(names[i]);
    }
    if (n > 0)
        free(names);
    return codes;
}

static void ignore_rule(const char *code, void *arg)
{
    (void)code;
    (void)arg;
}

/* A whole Lua file of the pack, normalised; "" when absent. */
static char *file_code(const struct pack *p, const char *name)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", p->dir, name);
    char *src = read_file(path), *whole = NULL;
    if (!src)
        return strdup("");
    lua_code(src, ignore_rule, NULL, &whole);
    free(src);
    return whole ? whole : strdup("");
}

static const json_t *rule_named(const json_t *rules, const char *id)
{
    size_t i;
    const json_t *r;
    json_array_foreach(rules, i, r)
        if (strcmp(str(r, "id"), id) == 0)
            return r;
    return NULL;
}

static const char *severity_zh(const char *severity)
{
    return strcmp(severity, "error") == 0 ? "错误" : strcmp(severity, "warning") == 0 ? "警告" : "提示";
}

static void diff_rule(struct diff *d, const json_t *a, const json_t *b, const json_t *code_a, const json_t *code_b)
{
    const char *id = str(a, "id");
    if (strcmp(str(a, "severity"), str(b, "severity")) != 0)
        add(d, "rules", "changed", id, "severity", json_object_get(a, "severity"), json_object_get(b, "severity"), words("规则 %s 的严重程度由%s改为%s", id, severity_zh(str(a, "severity")), severity_zh(str(b, "severity"))), words("Rule %s: severity changed from %s to %s", id, str(a, "severity"), str(b, "severity")));
    const json_t *ta = json_object_get(a, "title"), *tb = json_object_get(b, "title");
    if (!json_equal(ta, tb))
        add(d, "rules", "changed", id, "title", ta, tb, words("规则 %s 的标题由“%s”改为“%s”", id, str(ta, "zh"), str(tb, "zh")), words("Rule %s: title changed from \"%s\" to \"%s\"", id, str(ta, "en"),
            str(tb, "en")));
    if (strcmp(str(a, "source"), str(b, "source")) != 0)
        add(d, "rules", "changed", id, "source", json_object_get(a, "source"), json_object_get(b, "source"), words("规则 %s 的依据由“%s”改为“%s”", id, str(a, "source"),
            str(b, "source")), words("Rule %s: source changed from \"%s\" to \"%s\"", id, str(a, "source"), str(b, "source")));
    bool oa = json_is_true(json_object_get(a, "overridable")), ob = json_is_true(json_object_get(b, "overridable"));
    if (oa != ob)
        add(d, "rules", "changed", id, "overridable", json_boolean(oa), json_boolean(ob), words(ob ? "规则 %s 现在可以申请例外" : "规则 %s 不再可以申请例外", id), words(ob ? "Rule %s may now be overridden" : "Rule %s may no longer be overridden", id));
    const json_t *pa = json_object_get(a, "paths"), *pb = json_object_get(b, "paths");
    if (!json_equal(pa, pb))
        add(d, "rules", "changed", id, "paths", pa, pb, words("规则 %s 检查的字段由 %s 改为 %s", id, shown(pa), shown(pb)), words("Rule %s: the fields it checks changed from %s to %s", id, shown(pa), shown(pb)));
    if (code_a && code_b && !json_equal(code_a, code_b))
        add(d, "rules", "changed", id, "code", NULL, NULL, words("规则 %s 的检查逻辑（代码或消息）有变化", id), words("Rule %s: its check (code or messages) changed", id));
}

static void diff_rules(struct diff *d, const struct pack *pa, const struct pack *pb)
{
    const json_t *ra = policy_rules(pa), *rb = policy_rules(pb);
    json_t *ca = rule_codes(pa), *cb = rule_codes(pb);
    size_t i;
    const json_t *r;
    json_array_foreach(ra, i, r) {
        const char *id = str(r, "id");
        const json_t *other = rule_named(rb, id);
        if (other)
            diff_rule(d, r, other, json_object_get(ca, id), json_object_get(cb, id));
        else
            add(d, "rules", "removed", id, NULL, NULL, NULL, words("删除规则 %s（%s）", id,
                str(json_object_get(r, "title"), "zh")), words("Rule %s removed (%s)", id, str(json_object_get(r, "title"), "en")));
    }
    json_array_foreach(rb, i, r) {
        const char *id = str(r, "id");
        if (!rule_named(ra, id))
            add(d, "rules", "added", id, NULL, NULL, NULL, words("新增规则 %s（%s，%s）：%s", id, severity_zh(str(r, "severity")), json_is_true(json_object_get(r, "overridable")) ? "可申请例外" : "不可申请例外",
                str(json_object_get(r, "title"), "zh")), words("Rule %s added (%s, %s): %s", id, str(r, "severity"),
                json_is_true(json_object_get(r, "overridable")) ? "overridable" : "not overridable",
                str(json_object_get(r, "title"), "en")));
    }
    json_decref(ca);
    json_decref(cb);
}

/* The pack's other Lua files: the helpers every rule may use, the classification and the
 * classification of change reports. */
static void diff_lua_files(struct diff *d, const struct pack *pa, const struct pack *pb)
{
    static const struct {
        const char *file, *area, *zh, *en;
    } FILES[] = {
        {"lib.lua", "rules", "规则共用的辅助函数（lib.lua）有变化，使用它们的规则可能得出不同结论",
         "The helpers the rules share (lib.lua) changed: rules that use them may decide differently"},
        {"classify.lua", "classification", "分类程序（classify.lua）有变化：等级、备案类型、出境途径或须提交材料的推导可能不同",
         "The classification (classify.lua) changed: level, filing type, cross-border route or required materials may be derived differently"},
        {"changes.lua", "classification", "变更报告的分类程序（changes.lua）有变化：重大与一般变更的划分或报告时限的计算可能不同",
         "The classification of change reports (changes.lua) changed: what is a major or a minor change, or the reporting limits, may differ"},
    };
    for (size_t i = 0; i < sizeof FILES / sizeof FILES[0]; i++) {
        char *a = file_code(pa, FILES[i].file), *b = file_code(pb, FILES[i].file);
        if (a && b && strcmp(a, b) != 0)
            add(d, FILES[i].area, !*a ? "added" : !*b ? "removed" : "changed", FILES[i].file, *a && *b ? "code" : NULL,
                NULL, NULL, words("%s", FILES[i].zh), words("%s", FILES[i].en));
        free(a);
        free(b);
    }
}

/* ---- fields ----------------------------------------------------------------------------- */

/* {path: field} of a form: sections as /key, fields as /section/field, fields of an object as
 * /section/field/sub, of a list of objects as /section/field/ * /sub. */
static void flatten_fields(json_t *out, const char *prefix, const json_t *fields)
{
    size_t i;
    const json_t *f;
    char path[1024];
    json_array_foreach(fields, i, f) {
        snprintf(path, sizeof path, "%s/%s", prefix, str(f, "key"));
        json_object_set(out, path, (json_t *)f);
        const json_t *sub = json_object_get(f, "fields");
        if (sub) {
            char inner[1100];
            snprintf(inner, sizeof inner, strcmp(str(f, "type"), "list<object>") == 0 ? "%s/*" : "%s", path);
            flatten_fields(out, inner, sub);
        }
    }
}

static json_t *form_fields(const json_t *form)
{
    json_t *out = json_object();
    size_t i;
    const json_t *s;
    char path[512];
    json_array_foreach(json_object_get(form, "sections"), i, s) {
        snprintf(path, sizeof path, "/%s", str(s, "key"));
        json_object_set_new(out, path, json_pack("{s:s s:O*}", "type", "section", "label", json_object_get(s, "label")));
        flatten_fields(out, path, json_object_get(s, "fields"));
    }
    return out;
}

static const json_t *option_named(const json_t *options, const char *value)
{
    size_t i;
    const json_t *o;
    json_array_foreach(options, i, o)
        if (strcmp(str(o, "value"), value) == 0)
            return o;
    return NULL;
}

static void diff_options(struct diff *d, const char *area, const char *path, const json_t *a, const json_t *b)
{
    size_t i;
    const json_t *o;
    const json_t *oa = json_object_get(a, "options"), *ob = json_object_get(b, "options");
    json_array_foreach(oa, i, o)
        if (!option_named(ob, str(o, "value")))
            add(d, area, "changed", path, "options", json_object_get(o, "value"), NULL, words("字段 %s 去掉选项 %s（%s）", path, str(o, "value"), label(o, "zh")), words("Field %s: option %s (%s) removed", path, str(o, "value"),
                label(o, "en")));
    json_array_foreach(ob, i, o)
        if (!option_named(oa, str(o, "value")))
            add(d, area, "changed", path, "options", NULL, json_object_get(o, "value"), words("字段 %s 新增选项 %s（%s）", path, str(o, "value"), label(o, "zh")), words("Field %s: option %s (%s) added", path, str(o, "value"),
                label(o, "en")));
}

static void diff_field(struct diff *d, const char *area, const char *path, const json_t *a, const json_t *b)
{
    static const struct {
        const char *key, *zh, *en;
    } LIMITS[] = {
        {"type", "类型", "type"},
        {"max_length", "最大长度", "maximum length"},
        {"min", "最小值", "minimum"},
        {"max", "最大值", "maximum"},
        {"min_items", "最少条目数", "minimum number of entries"},
        {"max_items", "最多条目数", "maximum number of entries"},
        {"pattern", "格式", "pattern"},
        {"material_kind", "材料类型", "material kind"},
        {"org_kind", "机构类型", "kind of organisation"},
    };
    bool ra = json_is_true(json_object_get(a, "required")), rb = json_is_true(json_object_get(b, "required"));
    if (ra != rb)
        add(d, area, "changed", path, "required", json_boolean(ra), json_boolean(rb), words(rb ? "字段 %s（%s）改为必填" : "字段 %s（%s）改为选填",
            path, label(b, "zh")), words(rb ? "Field %s (%s) is now required" : "Field %s (%s) is no longer required", path, label(b, "en")));
    for (size_t i = 0; i < sizeof LIMITS / sizeof LIMITS[0]; i++) {
        const json_t *va = json_object_get(a, LIMITS[i].key), *vb = json_object_get(b, LIMITS[i].key);
        if (json_equal(va, vb) || (!va && !vb))
            continue;
        add(d, area, "changed", path, LIMITS[i].key, va, vb, words("字段 %s 的%s由 %s 改为 %s", path, LIMITS[i].zh, shown(va), shown(vb)), words("Field %s: %s changed from %s to %s", path, LIMITS[i].en,
            shown(va), shown(vb)));
    }
    diff_options(d, area, path, a, b);
    const json_t *la = json_object_get(a, "label"), *lb = json_object_get(b, "label");
    if (!json_equal(la, lb))
        add(d, area, "changed", path, "label", la, lb, words("字段 %s 的名称由“%s”改为“%s”", path, str(la, "zh"), str(lb, "zh")), words("Field %s: label changed from \"%s\" to \"%s\"", path, str(la, "en"),
            str(lb, "en")));
}

static void diff_forms(struct diff *d, const char *area, const json_t *form_a, const json_t *form_b)
{
    json_t *fa = form_fields(form_a), *fb = form_fields(form_b);
    const char *path;
    const json_t *f;
    json_object_foreach(fa, path, f) {
        const json_t *g = json_object_get(fb, path);
        if (g)
            diff_field(d, area, path, f, g);
        else
            add(d, area, "removed", path, NULL, NULL, NULL, words("删除%s %s（%s）",
                strcmp(str(f, "type"), "section") == 0 ? "部分" : "字段", path, label(f, "zh")), words("%s %s removed (%s)",
                strcmp(str(f, "type"), "section") == 0 ? "Section" : "Field", path, label(f, "en")));
    }
    json_object_foreach(fb, path, f)
        if (!json_object_get(fa, path)) {
            bool section = strcmp(str(f, "type"), "section") == 0, required = json_is_true(json_object_get(f, "required"));
            add(d, area, "added", path, NULL, NULL, NULL, words("新增%s %s（%s%s）", section ? "部分" : "字段",
                path, label(f, "zh"), required ? "，必填" : ""), words("%s %s added (%s%s)", section ? "Section" : "Field", path, label(f, "en"),
                required ? ", required" : ""));
        }
    json_decref(fa);
    json_decref(fb);
}

/* ---- materials -------------------------------------------------------------------------- */

static const json_t *keyed(const json_t *list, const char *key)
{
    size_t i;
    const json_t *e;
    json_array_foreach(list, i, e)
        if (strcmp(str(e, "key"), key) == 0)
            return e;
    return NULL;
}

static void diff_material_kinds(struct diff *d, const struct pack *pa, const struct pack *pb)
{
    const json_t *ka = json_object_get(pa->materials, "kinds"), *kb = json_object_get(pb->materials, "kinds");
    size_t i;
    const json_t *k;
    json_array_foreach(ka, i, k) {
        const json_t *other = keyed(kb, str(k, "key"));
        if (!other)
            add(d, "materials", "removed", str(k, "key"), NULL, NULL, NULL, words("删除材料类型 %s（%s）", str(k, "key"), label(k, "zh")), words("Material kind %s removed (%s)", str(k, "key"), label(k, "en")));
        else if (!json_equal(json_object_get(k, "label"), json_object_get(other, "label")))
            add(d, "materials", "changed", str(k, "key"), "label", json_object_get(k, "label"),
                json_object_get(other, "label"), words("材料类型 %s 的名称由“%s”改为“%s”", str(k, "key"), label(k, "zh"),
                label(other, "zh")), words("Material kind %s: label changed from \"%s\" to \"%s\"", str(k, "key"), label(k, "en"), label(other, "en")));
    }
    json_array_foreach(kb, i, k)
        if (!keyed(ka, str(k, "key")))
            add(d, "materials", "added", str(k, "key"), NULL, NULL, NULL, words("新增材料类型 %s（%s）", str(k, "key"), label(k, "zh")), words("Material kind %s added (%s)", str(k, "key"), label(k, "en")));
}

/* The condition of a materials_matrix entry, as its identity and in words: when [value]. */
static void condition(const json_t *entry, char *out, size_t cap)
{
    const json_t *value = json_object_get(entry, "value");
    if (value)
        snprintf(out, cap, "%s %s", str(entry, "when"), shown(value));
    else
        snprintf(out, cap, "%s", str(entry, "when"));
}

static const json_t *entry_when(const json_t *matrix, const char *cond)
{
    size_t i;
    const json_t *e;
    char c[SHOWN_LEN + 100];
    json_array_foreach(matrix, i, e) {
        condition(e, c, sizeof c);
        if (strcmp(c, cond) == 0)
            return e;
    }
    return NULL;
}

static void diff_kinds_required(struct diff *d, const char *cond, const json_t *kinds, const json_t *other, bool now)
{
    size_t i;
    const json_t *k;
    json_array_foreach(kinds, i, k)
        if (!in_list(other, k))
            add(d, "materials", "changed", cond, "required", now ? NULL : k, now ? k : NULL, words(now ? "条件“%s”成立时须提交材料 %s" : "条件“%s”成立时不再须提交材料 %s", cond,
                json_string_value(k)), words(now ? "When %s: material %s is now required" : "When %s: material %s is no longer required", cond, json_string_value(k)));
}

static void diff_materials_matrix(struct diff *d, const json_t *ma, const json_t *mb)
{
    size_t i;
    const json_t *e;
    char cond[SHOWN_LEN + 100];
    json_array_foreach(ma, i, e) {
        condition(e, cond, sizeof cond);
        const json_t *other = entry_when(mb, cond);
        diff_kinds_required(d, cond, json_object_get(e, "kinds"), other ? json_object_get(other, "kinds") : NULL, false);
    }
    json_array_foreach(mb, i, e) {
        condition(e, cond, sizeof cond);
        const json_t *other = entry_when(ma, cond);
        diff_kinds_required(d, cond, json_object_get(e, "kinds"), other ? json_object_get(other, "kinds") : NULL, true);
    }
}

/* ---- calendar, incidents, regions -------------------------------------------------------- */

static void diff_days(struct diff *d, const char *year, const char *what_zh, const char *what_en, const json_t *a,
                      const json_t *b)
{
    size_t i;
    const json_t *day;
    json_array_foreach(a, i, day)
        if (!in_list(b, day))
            add(d, "calendar", "changed", year, what_en, day, NULL, words("%s 年：%s %s 取消", year,
                what_zh, json_string_value(day)), words("%s: %s %s removed", year, what_en, json_string_value(day)));
    json_array_foreach(b, i, day)
        if (!in_list(a, day))
            add(d, "calendar", "changed", year, what_en, NULL, day, words("%s 年：新增%s %s", year, what_zh,
                json_string_value(day)), words("%s: %s %s added", year, what_en, json_string_value(day)));
}

static void diff_calendar(struct diff *d, const json_t *a, const json_t *b)
{
    const char *year;
    const json_t *y;
    json_object_foreach((json_t *)a, year, y) {
        if (year[0] == '_')
            continue;
        const json_t *other = json_object_get(b, year);
        if (!other) {
            add(d, "calendar", "removed", year, NULL, NULL, NULL, words("删除 %s 年的工作日历",
                year), words("Working-day calendar of %s removed", year));
            continue;
        }
        diff_days(d, year, "节假日", "holiday", json_object_get(y, "holidays"), json_object_get(other, "holidays"));
        diff_days(d, year, "调休工作日", "working weekend day", json_object_get(y, "workdays"),
                  json_object_get(other, "workdays"));
    }
    json_object_foreach((json_t *)b, year, y)
        if (year[0] != '_' && !json_object_get(a, year))
            add(d, "calendar", "added", year, NULL, NULL, NULL, words("新增 %s 年的工作日历（%zu 个节假日，%zu 个调休工作日）", year,
                json_array_size(json_object_get(y, "holidays")), json_array_size(json_object_get(y, "workdays"))), words("Working-day calendar of %s added (%zu holiday(s), %zu working weekend day(s))", year,
                json_array_size(json_object_get(y, "holidays")), json_array_size(json_object_get(y, "workdays"))));
}

static void diff_incidents(struct diff *d, const json_t *a, const json_t *b)
{
    static const struct {
        const char *key, *zh, *en;
    } CLOCKS[] = {
        {"first_report_hours", "首次报告时限（小时）", "first report within (hours)"},
        {"closure_days", "总结报告时限（天）", "closure report within (days)"},
    };
    const json_t *la = json_object_get(a, "levels"), *lb = json_object_get(b, "levels");
    size_t i;
    const json_t *l;
    json_array_foreach(la, i, l) {
        const json_t *other = keyed(lb, str(l, "key"));
        if (!other) {
            add(d, "incidents", "removed", str(l, "key"), NULL, NULL, NULL, words("删除事件等级 %s（%s）", str(l, "key"), label(l, "zh")), words("Incident level %s removed (%s)", str(l, "key"), label(l, "en")));
            continue;
        }
        for (size_t k = 0; k < sizeof CLOCKS / sizeof CLOCKS[0]; k++) {
            const json_t *va = json_object_get(l, CLOCKS[k].key), *vb = json_object_get(other, CLOCKS[k].key);
            if (!json_equal(va, vb))
                add(d, "incidents", "changed", str(l, "key"), CLOCKS[k].key, va, vb, words("事件等级 %s（%s）的%s由 %s 改为 %s", str(l, "key"), label(l, "zh"), CLOCKS[k].zh,
                    shown(va), shown(vb)), words("Incident level %s (%s): %s changed from %s to %s", str(l, "key"), label(l, "en"), CLOCKS[k].en, shown(va), shown(vb)));
        }
    }
    json_array_foreach(lb, i, l)
        if (!keyed(la, str(l, "key")))
            add(d, "incidents", "added", str(l, "key"), NULL, NULL, NULL, words("新增事件等级 %s（%s），首次报告时限 %s 小时", str(l, "key"), label(l, "zh"),
                shown(json_object_get(l, "first_report_hours"))), words("Incident level %s added (%s), first report within %s hours", str(l, "key"), label(l, "en"),
                shown(json_object_get(l, "first_report_hours"))));
}

static void diff_regions(struct diff *d, const json_t *a, const json_t *b)
{
    const char *code;
    const json_t *r;
    json_object_foreach((json_t *)a, code, r)
        if (code[0] != '_' && !json_object_get(b, code))
            add(d, "regions", "removed", code, NULL, NULL, NULL, words("删除行政区划 %s（%s）", code,
                str(r, "zh")), words("Region %s removed (%s)", code, str(r, "en")));
    json_object_foreach((json_t *)b, code, r)
        if (code[0] != '_' && !json_object_get(a, code))
            add(d, "regions", "added", code, NULL, NULL, NULL, words("新增行政区划 %s（%s）", code,
                str(r, "zh")), words("Region %s added (%s)", code, str(r, "en")));
}

/* ---- the whole ---------------------------------------------------------------------------- */

static const char *const DEADLINE_WORDS[][3] = {
    {"review_working_days", "审核时限，工作日", "review time, working days"},
    {"rectification_working_days", "整改时限，工作日", "rectification time, working days"},
    {"self_inspection_months", "自查周期，月", "self-inspection cycle, months"},
    {"default_filing_type", "默认备案类型", "default filing type"},
    {"change_report", "变更报告时限，天", "change report limits, days"},
    {"change_objection_working_days", "一般变更异议期，工作日", "objection period of a minor change, working days"},
    {NULL, NULL, NULL},
};

static json_t *params_of(const struct pack *p)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/params.json", p->dir);
    json_t *params = json_load_file(path, 0, NULL);
    return params ? params : json_object();
}

static json_t *pack_ref(const struct pack *p)
{
    char day[11];
    date_format(p->effective_from, day);
    return json_pack("{s:s s:s s:s s:s}", "id", p->id, "version", p->version, "edition", p->edition, "effective_from", day);
}

json_t *pack_diff(const struct pack *from, const struct pack *to)
{
    struct diff d = {json_array()};
    if (!d.changes)
        return NULL;
    diff_rules(&d, from, to);
    diff_lua_files(&d, from, to);
    diff_forms(&d, "fields", from->form, to->form);
    diff_forms(&d, "inspection_fields", from->inspection_form, to->inspection_form);
    json_t *pa = params_of(from), *pb = params_of(to);
    static const char *const NOT_PARAMETERS[] = {"materials_matrix", NULL};
    diff_members(&d, &(struct noun){"parameters", "参数", "Parameter", NULL}, "", pa, pb, NOT_PARAMETERS);
    diff_material_kinds(&d, from, to);
    diff_materials_matrix(&d, json_object_get(pa, "materials_matrix"), json_object_get(pb, "materials_matrix"));
    json_decref(pa);
    json_decref(pb);
    diff_members(&d, &(struct noun){"deadlines", "期限", "Deadline", DEADLINE_WORDS}, "", from->deadlines, to->deadlines,
                 NULL);
    char cal_a[4200], cal_b[4200];
    snprintf(cal_a, sizeof cal_a, "%s/calendar.json", from->dir);
    snprintf(cal_b, sizeof cal_b, "%s/calendar.json", to->dir);
    json_t *ca = json_load_file(cal_a, 0, NULL), *cb = json_load_file(cal_b, 0, NULL);
    diff_calendar(&d, ca, cb);
    json_decref(ca);
    json_decref(cb);
    diff_incidents(&d, from->incidents, to->incidents);
    diff_members(&d, &(struct noun){"providers", "服务商参数", "Provider parameter", NULL}, "", from->providers, to->providers,
                 NULL);
    diff_regions(&d, from->regions, to->regions);

    json_t *summary = json_object();
    size_t i;
    const json_t *c;
    json_array_foreach(d.changes, i, c) {
        const char *area = str(c, "area");
        json_object_set_new(summary, area, json_integer(json_integer_value(json_object_get(summary, area)) + 1));
    }
    return json_pack("{s:o s:o s:o s:o}", "from", pack_ref(from), "to", pack_ref(to), "changes", d.changes, "summary",
                     summary);
}
