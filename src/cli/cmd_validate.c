/* cmd_validate.c — `beian validate FILE.json`: checks a filing document offline, with no server
 * and no data directory (filings as code: an enterprise's own CI runs this). It runs what the
 * server runs on a save — the form schema's shape and completeness checks and the pack's rules
 * (policy_check) — and prints the findings and derived values as text, JSON or SARIF 2.1.0.
 * SARIF is made for code hosts: each result's region is where its pointer is in the file's text
 * (core/json_position.h), the file is named by a URI, rules carry help and a link into
 * docs/rules.md (cli_rule_help.h), results a fingerprint and whether they may be overridden.
 *
 * Exit status: 0 no errors (warnings allowed), 1 errors, 2 usage or unreadable/malformed input. */
#include "cli/cli.h"
#include "cli/cli_pack.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli_rule_help.h"
#include "config.h"
#include "core/date.h"
#include "core/json_position.h"
#include "core/sha256.h"
#include "policy/rules.h"
#include "service/filings.h"

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

struct options {
    const char *file, *pack, *lang, *format, *filing_kind;
    day_t as_of;
};

/* The document as read: its text (for positions in the file) and its parsed value. */
struct document {
    char *text;
    size_t len;
    json_t *doc;
};

enum { DOCUMENT_MAX_BYTES = 64 << 20 };

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

static const char *sarif_level(const char *severity)
{
    return strcmp(severity, "error") == 0 ? "error" : strcmp(severity, "warning") == 0 ? "warning" : "note";
}

/* A rule's name for SARIF: its English title in PascalCase ("Format of the ICP number" → FormatOfTheIcpNumber). */
static void rule_name(const char *title, char *out, size_t cap)
{
    size_t n = 0;
    bool up = true;
    for (const char *c = title; *c && n + 1 < cap; c++) {
        if (*c == '\'' || *c == '-')   /* system's, e-mail: one word */
            continue;
        if (!isalnum((unsigned char)*c)) {
            up = true;
            continue;
        }
        out[n++] = up ? (char)toupper((unsigned char)*c) : (char)tolower((unsigned char)*c);
        up = false;
    }
    out[n] = '\0';
}

static json_t *sarif_rule(const json_t *r, const char *lang)
{
    const char *id = str(r, "id");
    const char *title = str(json_object_get(r, "title"), lang), *about = str(json_object_get(r, "description"), lang);
    bool zh = strcmp(lang, "zh") == 0, overridable = json_is_true(json_object_get(r, "overridable"));
    char name[200], uri[4400], markdown[6000];
    rule_name(str(json_object_get(r, "title"), "en"), name, sizeof name);
    rule_help_uri(id, uri, sizeof uri);
    snprintf(markdown, sizeof markdown, zh ? "**%s**（%s）\n\n%s\n\n[规则说明](%s)" : "**%s** (%s)\n\n%s\n\n[About this rule](%s)",
             title, id, about, uri);
    return json_pack("{s:s s:s s:{s:s} s:{s:s} s:{s:s s:s} s:s s:{s:s} s:{s:s s:b s:[s]}}", "id", id, "name", name,
                     "shortDescription", "text", title, "fullDescription", "text", about, "help", "text", about,
                     "markdown", markdown, "helpUri", uri, "defaultConfiguration", "level",
                     sarif_level(str(r, "severity")), "properties", "source", str(r, "source"), "overridable",
                     overridable, "tags", "compliance");
}

/* Where the finding's pointer is in the file's text; the parent's start when the member is
 * missing (a required field), line 1 when the text cannot be walked. */
static json_t *sarif_region(const struct document *d, const char *pointer)
{
    struct json_position pos;
    if (json_position_find(d->text, d->len, pointer, &pos) != 0)
        return json_pack("{s:i}", "startLine", 1);
    if (!pos.exact)
        return json_pack("{s:i s:i}", "startLine", pos.line, "startColumn", pos.column);
    return json_pack("{s:i s:i s:i s:i}", "startLine", pos.line, "startColumn", pos.column, "endLine", pos.end_line,
                     "endColumn", pos.end_column);
}

/* Stable across runs, layouts and edits elsewhere in the file: the rule, the pointer and the value
 * there; the second and later findings of one rule at one pointer (one per missing material, say)
 * add how many came before them. */
static void fingerprint(const json_t *doc, const json_t *findings, size_t index, char out[65])
{
    const json_t *f = json_array_get(findings, index);
    int earlier = 0;
    for (size_t k = 0; k < index; k++) {
        const json_t *g = json_array_get(findings, k);
        earlier += strcmp(str(g, "rule"), str(f, "rule")) == 0 && strcmp(str(g, "path"), str(f, "path")) == 0;
    }
    char value_hash[65];
    sha256_json_hex(json_at_pointer(doc, str(f, "path")), value_hash);
    struct sha256 s;
    sha256_init(&s);
    sha256_update(&s, str(f, "rule"), strlen(str(f, "rule")) + 1);
    sha256_update(&s, str(f, "path"), strlen(str(f, "path")) + 1);
    sha256_update(&s, value_hash, 64);
    if (earlier)
        sha256_update(&s, &earlier, sizeof earlier);
    sha256_final_hex(&s, out);
}

static json_t *sarif_result(const struct options *o, const struct document *d, const json_t *rules,
                            const json_t *findings, size_t index, const char *uri)
{
    const json_t *f = json_array_get(findings, index);
    char print[65];
    fingerprint(d->doc, findings, index, print);
    json_t *result = json_pack("{s:s s:s s:{s:s} s:[{s:{s:{s:s} s:o} s:[{s:s s:s}]}] s:{s:s} s:{s:b s:s}}", "ruleId",
                               str(f, "rule"), "level", sarif_level(str(f, "severity")), "message", "text",
                               msg(f, o->lang), "locations", "physicalLocation", "artifactLocation", "uri", uri, "region", sarif_region(d, str(f, "path")), "logicalLocations",
                               "fullyQualifiedName", str(f, "path"), "kind", "member", "partialFingerprints",
                               "beianFinding/v1", print, "properties", "overridable",
                               json_is_true(json_object_get(f, "overridable")), "pointer", str(f, "path"));
    if (json_is_true(json_object_get(f, "overridden")))
        json_object_set_new(json_object_get(result, "properties"), "overridden", json_true());
    size_t k;
    const json_t *r;
    json_array_foreach(rules, k, r)
        if (strcmp(str(r, "id"), str(f, "rule")) == 0) {
            json_object_set_new(result, "ruleIndex", json_integer((json_int_t)k));
            break;
        }
    return result;
}

static json_t *sarif_report(const struct options *o, const struct pack *p, const struct document *d,
                            const json_t *findings)
{
    json_t *catalogue = rule_help_catalogue(p), *rules = json_array(), *results = json_array();
    size_t i;
    const json_t *r, *f;
    json_array_foreach(catalogue, i, r)
        json_array_append_new(rules, sarif_rule(r, o->lang));
    char uri[8200];
    if (rule_help_path_uri(strcmp(o->file, "-") == 0 ? "stdin" : o->file, uri, sizeof uri) != 0)
        snprintf(uri, sizeof uri, "document.json");
    json_array_foreach(findings, i, f)
        json_array_append_new(results, sarif_result(o, d, rules, findings, i, uri));
    json_decref(catalogue);
    char as_of[11], pack_name[200], information[4300];
    date_format(o->as_of, as_of);
    snprintf(pack_name, sizeof pack_name, "%s@%s", p->id, p->version);
    rule_help_information_uri(information, sizeof information);
    return json_pack("{s:s s:s s:[{s:{s:{s:s s:s s:s s:s s:o}} s:s s:o s:{s:s s:s}}]}", "$schema",
                     "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json",
                     "version", "2.1.0", "runs", "tool", "driver", "name", "beian", "version", BEIAN_VERSION,
                     "semanticVersion", BEIAN_VERSION, "informationUri", information, "rules", rules, "columnKind", "utf16CodeUnits", "results", results, "properties", "pack",
                     pack_name, "as_of", as_of);
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

static int read_text(const char *file, struct document *d)
{
    FILE *in = strcmp(file, "-") == 0 ? stdin : fopen(file, "rb");
    if (!in) {
        fprintf(stderr, "beian validate: cannot read %s: %s\n", file, strerror(errno));
        return -1;
    }
    size_t cap = 1 << 16;
    d->text = malloc(cap);
    for (size_t got; d->text && (got = fread(d->text + d->len, 1, cap - d->len, in)) > 0;) {
        d->len += got;
        if (d->len == cap && cap < DOCUMENT_MAX_BYTES) {
            char *bigger = realloc(d->text, cap * 2);
            if (!bigger) break;
            d->text = bigger;
            cap *= 2;
        } else if (d->len == cap) {
            break;
        }
    }
    bool failed = ferror(in) || !d->text || d->len == cap;
    if (in != stdin)
        fclose(in);
    if (failed)
        fprintf(stderr, "beian validate: cannot read %s: %s\n", file,
                d->len == cap ? "larger than 64 MiB" : "read error or out of memory");
    return failed ? -1 : 0;
}

static int read_document(const char *file, struct document *d)
{
    if (read_text(file, d) != 0)
        return -1;
    json_error_t jerr;
    d->doc = json_loadb(d->text, d->len, JSON_REJECT_DUPLICATES, &jerr);
    if (d->doc)
        return 0;
    fprintf(stderr, "beian validate: %s is not valid JSON (line %d, column %d): %s\n", file, jerr.line, jerr.column,
            jerr.text);
    return -1;
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
    struct document d = {0};
    json_t *ctx = NULL, *findings = NULL, *derived = NULL;
    if (cli_pack_open(o.pack, &p, &e) != 0) {
        cli_fail(&e);
        rc = e.code == ERR_USAGE ? EXIT_USAGE : EXIT_FAIL;
        goto done;
    }
    if (read_document(o.file, &d) != 0) {
        rc = EXIT_USAGE;
        goto done;
    }
    ctx = json_pack("{s:s}", "filing_kind", o.filing_kind ? o.filing_kind : "initial");
    if (policy_check(p, d.doc, o.as_of, ctx, &findings, &derived, &e) != 0) {
        rc = cli_fail(&e);
        goto done;
    }
    if (strcmp(o.format, "text") == 0) {
        print_text(&o, p, findings, derived);
    } else {
        json_t *out = strcmp(o.format, "json") == 0 ? json_report(&o, p, findings, derived) : sarif_report(&o, p, &d, findings);
        json_dumpf(out, stdout, JSON_INDENT(2));
        fputc('\n', stdout);
        json_decref(out);
    }
    rc = policy_count(findings).errors > 0 ? EXIT_FAIL : EXIT_OK;
done:
    err_clear(&e);
    json_decref(d.doc);
    free(d.text);
    json_decref(ctx);
    json_decref(findings);
    json_decref(derived);
    pack_free(p);
    policy_thread_cleanup();
    return rc;
}
