/* cmd_validate.c — `beian validate FILE.json`: checks a filing document offline, with no server
 * and no data directory (filings as code: an enterprise's own CI runs this). It runs what the
 * server runs on a save — the form schema's shape and completeness checks and the pack's rules
 * (policy_check) — and prints the findings and derived values as text, JSON or SARIF 2.1.0.
 *
 * Exit status: 0 no errors (warnings allowed), 1 errors, 2 usage or unreadable/malformed input. */
#include "cli/cli.h"
#include "cli/cli_pack.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/date.h"
#include "policy/rules.h"

static const char USAGE[] =
    "usage: beian validate FILE.json [--pack DIR | --pack ID@VERSION] [--as-of YYYY-MM-DD]\n"
    "                      [--lang zh|en] [--format text|json|sarif] [--filing-kind initial|change]\n"
    "\n"
    "Checks a filing document against a policy pack, offline: the form's shape and required\n"
    "fields, then every rule of the pack. FILE may be - for standard input.\n"
    "  --pack       the pack directory, or ID@VERSION of an installed pack (default: cn-cloud)\n"
    "  --as-of      the day the rules look at (default: today, UTC)\n"
    "  --lang       language of the messages (default: zh when $LANG starts with zh, else en)\n"
    "  --format     text (default), json, or sarif (SARIF 2.1.0 for code hosts)\n"
    "  --filing-kind  initial (default) or change: a change filing needs a change description\n"
    "Exit status: 0 no errors (warnings allowed), 1 errors, 2 usage or unreadable input.\n";

/* The schema's and the engine's own rule ids, for SARIF's rule list. */
static const struct {
    const char *id, *zh, *en;
} BUILTIN_RULES[] = {
    {"FORM-UNKNOWN", "未知的部分或字段", "Unknown section or field"},
    {"FORM-TYPE", "值的类型不符", "Value of the wrong type"},
    {"FORM-ENUM", "不是有效的选项", "Not one of the options"},
    {"FORM-LENGTH", "文本过长", "Text too long"},
    {"FORM-RANGE", "数值超出范围", "Number out of range"},
    {"FORM-DATE", "不是有效日期", "Not a real date"},
    {"FORM-PATTERN", "格式不正确", "Wrong format"},
    {"FORM-ITEMS", "条目过多", "Too many entries"},
    {"FORM-REQUIRED", "必填项未填写", "Required field missing"},
    {"POLICY-CLASSIFY", "备案分类无法计算", "Classification could not be computed"},
};

struct options {
    const char *file, *pack, *lang, *format, *filing_kind;
    day_t as_of;
};

static const char *msg(const json_t *finding, const char *lang)
{
    const char *s = json_string_value(json_object_get(json_object_get(finding, "message"), lang));
    return s ? s : "";
}

static const char *str(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

/* ---- text ------------------------------------------------------------------------------- */

static const char *severity_word(const char *severity, bool zh)
{
    if (strcmp(severity, "error") == 0)
        return zh ? "错误" : "error";
    if (strcmp(severity, "warning") == 0)
        return zh ? "警告" : "warning";
    return zh ? "提示" : "info";
}

static const char *kind_label(const struct pack *p, const char *kind, bool zh)
{
    size_t i;
    const json_t *k;
    json_array_foreach(json_object_get(p->materials, "kinds"), i, k)
        if (strcmp(str(k, "key"), kind) == 0)
            return str(json_object_get(k, "label"), zh ? "zh" : "en");
    return kind;
}

static void print_text(const struct options *o, const struct pack *p, const json_t *findings, const json_t *derived)
{
    bool zh = strcmp(o->lang, "zh") == 0;
    size_t i;
    const json_t *f;
    json_array_foreach(findings, i, f)
        printf("%s%s%s: %s %s: %s\n", o->file, *str(f, "path") ? ":" : "", str(f, "path"),
               severity_word(str(f, "severity"), zh), str(f, "rule"), msg(f, o->lang));

    const json_t *level = json_object_get(derived, "level");
    char level_text[32];
    if (json_is_integer(level))
        snprintf(level_text, sizeof level_text, zh ? "第%d级" : "level %d", (int)json_integer_value(level));
    else
        snprintf(level_text, sizeof level_text, zh ? "等级未定" : "level unknown");
    printf(zh ? "推导结果：%s，备案类型 %s" : "derived: %s, filing type %s", level_text, str(derived, "filing_type"));
    const json_t *reasons = json_object_get(derived, "filing_type_reasons");
    json_array_foreach(reasons, i, f)
        printf("%s%s", i ? (zh ? "；" : "; ") : (zh ? "（" : " ("), str(f, o->lang));
    if (json_array_size(reasons))
        printf(zh ? "）" : ")");
    const json_t *route = json_object_get(derived, "cross_border_route");
    printf(zh ? "，审核时限%d个工作日，每%d个月自查" : ", review %d working days, self-inspection every %d months",
           (int)json_integer_value(json_object_get(derived, "review_working_days")),
           (int)json_integer_value(json_object_get(derived, "self_inspection_months")));
    if (json_is_string(route))
        printf(zh ? "，出境途径至少为 %s" : ", cross-border route at least %s", json_string_value(route));
    printf("\n%s", zh ? "须提交材料：" : "required materials: ");
    const json_t *kinds = json_object_get(derived, "required_materials");
    json_array_foreach(kinds, i, f)
        printf("%s%s", i ? (zh ? "、" : ", ") : "", zh ? kind_label(p, json_string_value(f), true) : json_string_value(f));
    if (!json_array_size(kinds))
        printf(zh ? "无" : "none");
    struct policy_counts c = policy_count(findings);
    char as_of[11];
    date_format(o->as_of, as_of);
    if (zh)
        printf("\n错误%d项，警告%d项，提示%d项（策略包 %s@%s，评估日期 %s）\n", c.errors, c.warnings, c.infos, p->id,
               p->version, as_of);
    else
        printf("\n%d error%s, %d warning%s, %d info (pack %s@%s, as of %s)\n", c.errors, c.errors == 1 ? "" : "s",
               c.warnings, c.warnings == 1 ? "" : "s", c.infos, p->id, p->version, as_of);
}

/* ---- json ------------------------------------------------------------------------------- */

static json_t *json_report(const struct options *o, const struct pack *p, json_t *findings, json_t *derived)
{
    char as_of[11];
    date_format(o->as_of, as_of);
    struct policy_counts c = policy_count(findings);
    return json_pack("{s:s, s:{s:s, s:s}, s:s, s:{s:i, s:i, s:i}, s:O, s:O}", "file", o->file, "pack", "id", p->id,
                     "version", p->version, "as_of", as_of, "summary", "errors", c.errors, "warnings", c.warnings,
                     "infos", c.infos, "findings", findings, "derived", derived);
}

/* ---- sarif ------------------------------------------------------------------------------ */

static json_t *sarif_rule(const char *id, const char *description, const char *severity, const char *source)
{
    const char *level = strcmp(severity, "error") == 0 ? "error" : strcmp(severity, "warning") == 0 ? "warning" : "note";
    json_t *r = json_pack("{s:s, s:{s:s}, s:{s:s}}", "id", id, "shortDescription", "text", description,
                          "defaultConfiguration", "level", level);
    if (source)
        json_object_set_new(r, "properties", json_pack("{s:s}", "source", source));
    return r;
}

static json_t *sarif_report(const struct options *o, const struct pack *p, const json_t *findings)
{
    bool zh = strcmp(o->lang, "zh") == 0;
    json_t *rules = json_array();
    for (size_t i = 0; i < sizeof BUILTIN_RULES / sizeof BUILTIN_RULES[0]; i++)
        json_array_append_new(rules, sarif_rule(BUILTIN_RULES[i].id, zh ? BUILTIN_RULES[i].zh : BUILTIN_RULES[i].en,
                                                "error", NULL));
    size_t i;
    const json_t *r, *f;
    json_array_foreach(policy_rules(p), i, r)
        json_array_append_new(rules, sarif_rule(str(r, "id"), str(json_object_get(r, "title"), o->lang),
                                                str(r, "severity"), str(r, "source")));

    json_t *results = json_array();
    json_array_foreach(findings, i, f) {
        const char *severity = str(f, "severity");
        const char *level = strcmp(severity, "error") == 0     ? "error"
                            : strcmp(severity, "warning") == 0 ? "warning"
                                                               : "note";
        json_t *result = json_pack("{s:s, s:s, s:{s:s}, s:[{s:{s:{s:s}}, s:[{s:s}]}]}", "ruleId", str(f, "rule"),
                                   "level", level, "message", "text", msg(f, o->lang), "locations",
                                   "physicalLocation", "artifactLocation", "uri", o->file, "logicalLocations",
                                   "fullyQualifiedName", str(f, "path"));
        size_t k;
        json_array_foreach(rules, k, r)
            if (strcmp(str(r, "id"), str(f, "rule")) == 0) {
                json_object_set_new(result, "ruleIndex", json_integer((json_int_t)k));
                break;
            }
        json_array_append_new(results, result);
    }
    char as_of[11];
    date_format(o->as_of, as_of);
    char pack_name[200];
    snprintf(pack_name, sizeof pack_name, "%s@%s", p->id, p->version);
    return json_pack("{s:s, s:s, s:[{s:{s:{s:s, s:o}}, s:o, s:{s:s, s:s}}]}", "$schema",
                     "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json",
                     "version", "2.1.0", "runs", "tool", "driver", "name", "beian", "rules", rules, "results", results,
                     "properties", "pack", pack_name, "as_of", as_of);
}

/* ---- command ---------------------------------------------------------------------------- */

static int parse_options(int argc, char **argv, struct options *o)
{
    const char *lang_env = getenv("LANG");
    o->lang = lang_env && strncmp(lang_env, "zh", 2) == 0 ? "zh" : "en";
    o->format = "text";
    o->as_of = date_from_unix(time(NULL));
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *value = i + 1 < argc ? argv[i + 1] : NULL;
        bool takes_value = strcmp(a, "--pack") == 0 || strcmp(a, "--as-of") == 0 || strcmp(a, "--lang") == 0 ||
                           strcmp(a, "--format") == 0 || strcmp(a, "--filing-kind") == 0;
        if (takes_value && !value)
            return cli_usage("validate", "an option is missing its value");
        if (strcmp(a, "--pack") == 0)
            o->pack = value;
        else if (strcmp(a, "--as-of") == 0) {
            if (date_parse(value, &o->as_of) != 0)
                return cli_usage("validate", "--as-of takes a day written YYYY-MM-DD");
        } else if (strcmp(a, "--lang") == 0) {
            if (strcmp(value, "zh") && strcmp(value, "en"))
                return cli_usage("validate", "--lang is zh or en");
            o->lang = value;
        } else if (strcmp(a, "--format") == 0) {
            if (strcmp(value, "text") && strcmp(value, "json") && strcmp(value, "sarif"))
                return cli_usage("validate", "--format is text, json or sarif");
            o->format = value;
        } else if (strcmp(a, "--filing-kind") == 0) {
            if (strcmp(value, "initial") && strcmp(value, "change"))
                return cli_usage("validate", "--filing-kind is initial or change");
            o->filing_kind = value;
        } else if (a[0] == '-' && a[1]) {
            return cli_usage("validate", "unknown option");
        } else if (!o->file) {
            o->file = a;
            continue;
        } else {
            return cli_usage("validate", "takes one FILE");
        }
        i++;
    }
    if (!o->file)
        return cli_usage("validate", "FILE is required");
    return EXIT_OK;
}

static json_t *read_document(const char *file)
{
    json_error_t jerr;
    json_t *doc = strcmp(file, "-") == 0 ? json_loadf(stdin, JSON_REJECT_DUPLICATES, &jerr)
                                         : json_load_file(file, JSON_REJECT_DUPLICATES, &jerr);
    if (doc)
        return doc;
    if (jerr.line < 1)
        fprintf(stderr, "beian validate: cannot read %s: %s\n", file, jerr.text);
    else
        fprintf(stderr, "beian validate: %s is not valid JSON (line %d, column %d): %s\n", file, jerr.line,
                jerr.column, jerr.text);
    return NULL;
}

int cmd_validate(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(USAGE, stdout);
            return EXIT_OK;
        }
    struct options o = {0};
    int rc = parse_options(argc, argv, &o);
    if (rc != EXIT_OK)
        return rc;

    struct err e = {0};
    struct pack *p = NULL;
    json_t *doc = NULL, *ctx = NULL, *findings = NULL, *derived = NULL;
    if (cli_pack_open(o.pack, &p, &e) != 0) {
        cli_fail(&e);
        rc = e.code == ERR_USAGE ? EXIT_USAGE : EXIT_FAIL;
        goto done;
    }
    if (!(doc = read_document(o.file))) {
        rc = EXIT_USAGE;
        goto done;
    }
    ctx = json_pack("{s:s}", "filing_kind", o.filing_kind ? o.filing_kind : "initial");
    if (policy_check(p, doc, o.as_of, ctx, &findings, &derived, &e) != 0) {
        rc = cli_fail(&e);
        goto done;
    }
    if (strcmp(o.format, "text") == 0) {
        print_text(&o, p, findings, derived);
    } else {
        json_t *out = strcmp(o.format, "json") == 0 ? json_report(&o, p, findings, derived) : sarif_report(&o, p, findings);
        json_dumpf(out, stdout, JSON_INDENT(2));
        fputc('\n', stdout);
        json_decref(out);
    }
    rc = policy_count(findings).errors > 0 ? EXIT_FAIL : EXIT_OK;
done:
    err_clear(&e);
    json_decref(doc);
    json_decref(ctx);
    json_decref(findings);
    json_decref(derived);
    pack_free(p);
    policy_thread_cleanup();
    return rc;
}
