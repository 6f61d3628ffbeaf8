/* fixtures.c — runs a pack's fixtures (fixtures.h): builds each test document from a base and
 * patches, evaluates it exactly as `beian validate` does (schema checks and rules, policy_check),
 * and compares the findings and derived values with the fixture's expectations.
 *
 * A fixture that cannot be read or built is a failed fixture with the reason, never an error of
 * the whole run: one bad file must not hide the results of the others. */
#include "policy/fixtures.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/date.h"
#include "policy/rules.h"

enum { MAX_FIXTURES = 5000 };

/* The finding rule ids that are not the pack's rules. */
static const char *const BUILTIN_RULES[] = {
    "FORM-UNKNOWN", "FORM-TYPE", "FORM-ENUM", "FORM-LENGTH", "FORM-RANGE", "FORM-DATE",
    "FORM-PATTERN", "FORM-ITEMS", "FORM-REQUIRED", "POLICY-CLASSIFY",
};

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void problem(json_t *problems, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    json_t *s = json_string(buf);
    json_array_append_new(problems, s ? s : json_string("(message not valid UTF-8)"));
}

static bool rule_known(const struct pack *p, const char *id)
{
    for (size_t i = 0; i < sizeof BUILTIN_RULES / sizeof BUILTIN_RULES[0]; i++)
        if (strcmp(id, BUILTIN_RULES[i]) == 0)
            return true;
    size_t i;
    const json_t *r;
    json_array_foreach(policy_rules(p), i, r)
        if (strcmp(json_string_value(json_object_get(r, "id")), id) == 0)
            return true;
    return false;
}

/* ---- building the document -------------------------------------------------------------- */

/* RFC 7396: the result of applying patch to target (target is consumed). */
static json_t *merge_patch(json_t *target, const json_t *patch)
{
    if (!json_is_object(patch)) {
        json_decref(target);
        return json_deep_copy(patch);
    }
    if (!json_is_object(target)) {
        json_decref(target);
        target = json_object();
    }
    const char *key;
    const json_t *value;
    json_object_foreach((json_t *)patch, key, value) {
        if (json_is_null(value)) {
            json_object_del(target, key);
            continue;
        }
        json_t *current = json_object_get(target, key);
        json_object_set_new(target, key, merge_patch(json_incref(current), value));
    }
    return target;
}

/* Set value at an RFC 6901 pointer of doc; the containers on the way must exist (an array index
 * may be its length or "-", which appends). 0 ok, -1 with the reason in why. */
static int pointer_set(json_t *doc, const char *pointer, const json_t *value, char *why, size_t why_len)
{
    if (pointer[0] != '/') {
        snprintf(why, why_len, "\"%s\" is not a JSON pointer", pointer);
        return -1;
    }
    json_t *container = doc;
    const char *p = pointer;
    char segment[256];
    while (*p == '/') {
        p++;
        size_t n = 0;
        while (*p && *p != '/') {
            char c = *p++;
            if (c == '~' && (*p == '0' || *p == '1'))
                c = *p++ == '0' ? '~' : '/';
            if (n + 1 < sizeof segment)
                segment[n++] = c;
        }
        segment[n] = '\0';
        bool last = *p == '\0';
        if (json_is_object(container)) {
            if (last)
                return json_object_set_new(container, segment, json_deep_copy(value));
            container = json_object_get(container, segment);
        } else if (json_is_array(container)) {
            size_t size = json_array_size(container), index = size;
            if (strcmp(segment, "-") != 0) {
                char *end = NULL;
                index = (size_t)strtoul(segment, &end, 10);
                if (!*segment || *end || segment[0] == '-' || segment[0] == '+')
                    index = (size_t)-1;
            }
            if (last && index == size)
                return json_array_append_new(container, json_deep_copy(value));
            if (last && index < size)
                return json_array_set_new(container, index, json_deep_copy(value));
            container = index < size ? json_array_get(container, index) : NULL;
        } else {
            container = NULL;
        }
        if (!container) {
            snprintf(why, why_len, "%s: no such place in the document", pointer);
            return -1;
        }
    }
    snprintf(why, why_len, "%s: cannot set the whole document", pointer);
    return -1;
}

static json_t *load_json(const char *path, json_t *problems)
{
    json_error_t jerr;
    json_t *j = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
    if (!j)
        problem(problems, "%s: %s (line %d)", path, jerr.text, jerr.line);
    return j;
}

/* The fixture's document, as_of and ctx; NULL document with problems when it cannot be built. */
static json_t *build_document(const struct pack *p, const json_t *defaults, const json_t *fx, day_t *as_of,
                              json_t *problems)
{
    const char *as_of_text = json_string_value(json_object_get(fx, "as_of"));
    if (!as_of_text)
        as_of_text = json_string_value(json_object_get(defaults, "as_of"));
    if (!as_of_text || date_parse(as_of_text, as_of) != 0) {
        problem(problems, "as_of must be a day written YYYY-MM-DD (in the fixture or fixtures/fixtures.json)");
        return NULL;
    }
    json_t *doc;
    const json_t *inline_doc = json_object_get(fx, "document");
    if (inline_doc) {
        doc = json_deep_copy(inline_doc);
    } else {
        const char *base = json_string_value(json_object_get(fx, "base"));
        if (!base)
            base = json_string_value(json_object_get(defaults, "base"));
        if (!base || strstr(base, "..") || base[0] == '/') {
            problem(problems, "base must name a document in fixtures/ (in the fixture or fixtures/fixtures.json)");
            return NULL;
        }
        char path[4400];
        snprintf(path, sizeof path, "%s/fixtures/%s", p->dir, base);
        if (!(doc = load_json(path, problems)))
            return NULL;
    }
    const json_t *patch = json_object_get(fx, "patch");
    if (patch)
        doc = merge_patch(doc, patch);
    const char *pointer;
    const json_t *value;
    json_object_foreach((json_t *)json_object_get(fx, "set"), pointer, value) {
        char why[512];
        if (pointer_set(doc, pointer, value, why, sizeof why) != 0) {
            problem(problems, "set: %s", why);
            json_decref(doc);
            return NULL;
        }
    }
    return doc;
}

/* ---- expectations ----------------------------------------------------------------------- */

static bool subset(const json_t *want, const json_t *got)
{
    if (json_is_object(want)) {
        if (!json_is_object(got))
            return false;
        const char *key;
        const json_t *v;
        json_object_foreach((json_t *)want, key, v)
            if (!subset(v, json_object_get(got, key)))
                return false;
        return true;
    }
    if (json_is_array(want)) {
        if (!json_is_array(got) || json_array_size(want) != json_array_size(got))
            return false;
        for (size_t i = 0; i < json_array_size(want); i++)
            if (!subset(json_array_get(want, i), json_array_get(got, i)))
                return false;
        return true;
    }
    return got && json_equal(want, got);
}

static const char *str(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

/* "DS-001 /path (warning), …" of the findings, for messages. */
static void describe_findings(const json_t *findings, char *buf, size_t len)
{
    size_t used = 0;
    buf[0] = '\0';
    size_t i;
    const json_t *f;
    json_array_foreach(findings, i, f) {
        int n = snprintf(buf + used, len - used, "%s%s %s (%s)", i ? ", " : "", str(f, "rule"), str(f, "path"),
                         str(f, "severity"));
        if (n < 0 || (size_t)n >= len - used)
            break;
        used += (size_t)n;
    }
    if (!used)
        snprintf(buf, len, "nothing");
}

static void check_expectations(const struct pack *p, const json_t *expect, const json_t *findings,
                               const json_t *derived, json_t *entry, json_t *problems)
{
    char seen[2048];
    describe_findings(findings, seen, sizeof seen);
    json_t *fire_ids = json_object_get(entry, "fire"), *quiet_ids = json_object_get(entry, "quiet");
    size_t i, j;
    const json_t *item, *f;
    json_array_foreach(json_object_get(expect, "fire"), i, item) {
        const char *rule = json_is_string(item) ? json_string_value(item) : str(item, "rule");
        const char *path = json_string_value(json_object_get(item, "path"));
        const char *severity = json_string_value(json_object_get(item, "severity"));
        if (!rule_known(p, rule)) {
            problem(problems, "expect.fire names %s, which is not a rule of the pack", rule);
            continue;
        }
        json_array_append_new(fire_ids, json_string(rule));
        bool found = false;
        json_array_foreach(findings, j, f)
            found = found || (strcmp(str(f, "rule"), rule) == 0 && (!path || strcmp(str(f, "path"), path) == 0) &&
                              (!severity || strcmp(str(f, "severity"), severity) == 0));
        if (!found)
            problem(problems, "expected %s%s%s%s%s to fire; found: %s", rule, path ? " at " : "", path ? path : "",
                    severity ? " as " : "", severity ? severity : "", seen);
    }
    json_array_foreach(json_object_get(expect, "quiet"), i, item) {
        const char *rule = json_string_value(item);
        if (!rule || !rule_known(p, rule)) {
            problem(problems, "expect.quiet names %s, which is not a rule of the pack", rule ? rule : "a non-string");
            continue;
        }
        json_array_append_new(quiet_ids, json_string(rule));
        json_array_foreach(findings, j, f)
            if (strcmp(str(f, "rule"), rule) == 0) {
                problem(problems, "expected %s to stay quiet; it found: %s %s: %s", rule, str(f, "severity"),
                        str(f, "path"), str(json_object_get(f, "message"), "en"));
                break;
            }
    }
    if (json_is_true(json_object_get(expect, "no_other_errors")))
        json_array_foreach(findings, j, f) {
            if (strcmp(str(f, "severity"), "error") != 0)
                continue;
            bool listed = false;
            json_array_foreach(fire_ids, i, item) listed = listed || strcmp(json_string_value(item), str(f, "rule")) == 0;
            if (!listed)
                problem(problems, "unexpected error %s %s: %s", str(f, "rule"), str(f, "path"),
                        str(json_object_get(f, "message"), "en"));
        }
    const json_t *want = json_object_get(expect, "derived");
    if (want && !subset(want, derived)) {
        char *w = json_dumps(want, JSON_COMPACT), *g = json_dumps(derived, JSON_COMPACT);
        problem(problems, "derived values differ: expected (subset) %s; got %s", w ? w : "?", g ? g : "?");
        free(w);
        free(g);
    }
}

/* ---- change fixtures (fixtures/changes/): the classification of a change report ----------- */

/* fx's "patch" then "set" applied to doc (consumed); NULL with problems when a pointer fails. */
static json_t *apply_edits(json_t *doc, const json_t *patch, const json_t *set, json_t *problems)
{
    if (patch)
        doc = merge_patch(doc, patch);
    const char *pointer;
    const json_t *value;
    json_object_foreach((json_t *)set, pointer, value) {
        char why[512];
        if (pointer_set(doc, pointer, value, why, sizeof why) != 0) {
            problem(problems, "set: %s", why);
            json_decref(doc);
            return NULL;
        }
    }
    return doc;
}

/* {"base"?, "before_patch"?, "before_set"?, "patch"?, "set"?, "ctx": {effective_on, reported_on},
 *  "expect": {"class", "reasons": [code…] (in order), "late"?, "report_by"?}}: the record is the
 * base with the before_ edits, the change filing the record with the other edits. */
static void run_change(const struct pack *p, const json_t *defaults, const json_t *fx, const json_t *expect,
                       json_t *entry, json_t *problems)
{
    day_t as_of;
    json_t *base_fx = json_pack("{s:O? s:O?}", "base", json_object_get(fx, "base"), "as_of", json_object_get(fx, "as_of"));
    json_t *before = build_document(p, defaults, base_fx, &as_of, problems);
    json_decref(base_fx);
    if (!before)
        return;
    before = apply_edits(before, json_object_get(fx, "before_patch"), json_object_get(fx, "before_set"), problems);
    json_t *after = before ? apply_edits(json_deep_copy(before), json_object_get(fx, "patch"), json_object_get(fx, "set"), problems)
                           : NULL;
    json_t *got = NULL;
    struct err e = {0};
    if (after && policy_classify_change(p, before, after, as_of, json_object_get(fx, "ctx"), &got, &e) != 0) {
        problem(problems, "classification failed: %s", e.detail_en);
        err_clear(&e);
    }
    if (got) {
        const char *want_class = str(expect, "class");
        if (strcmp(want_class, str(got, "class")) != 0)
            problem(problems, "expected class %s; got %s", want_class, str(got, "class"));
        json_t *codes = json_array();
        size_t i;
        const json_t *r;
        json_array_foreach(json_object_get(got, "reasons"), i, r) json_array_append_new(codes, json_string(str(r, "code")));
        const json_t *want_reasons = json_object_get(expect, "reasons");
        if (want_reasons && !json_equal((json_t *)want_reasons, codes)) {
            char *w = json_dumps(want_reasons, JSON_COMPACT), *g = json_dumps(json_object_get(got, "reasons"), JSON_COMPACT);
            problem(problems, "expected reasons %s; got %s", w ? w : "?", g ? g : "?");
            free(w);
            free(g);
        }
        json_decref(codes);
        const json_t *late = json_object_get(expect, "late");
        if (late && !json_equal((json_t *)late, json_object_get(got, "late")))
            problem(problems, "expected late %s; got %s", json_is_true(late) ? "true" : "false",
                    json_is_true(json_object_get(got, "late")) ? "true" : "false");
        const json_t *by = json_object_get(expect, "report_by");
        if (by && !json_equal((json_t *)by, json_object_get(got, "report_by")))
            problem(problems, "expected report_by %s; got %s", json_string_value(by) ? json_string_value(by) : "null",
                    str(got, "report_by"));
        if (strcmp(str(json_array_get(json_object_get(got, "reasons"), 0), "code"), "unclassified") == 0)
            problem(problems, "changes.lua failed: %s", str(json_array_get(json_object_get(got, "reasons"), 0), "en"));
        json_object_set_new(entry, "derived", got);
    }
    json_decref(before);
    json_decref(after);
}

static json_t *run_one(const struct pack *p, const json_t *defaults, const char *dir, const char *rel)
{
    json_t *entry = json_object();
    json_t *problems = json_array();
    json_object_set_new(entry, "file", json_string(rel));
    json_object_set_new(entry, "fire", json_array());
    json_object_set_new(entry, "quiet", json_array());
    char path[4400];
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    json_t *fx = load_json(path, problems);
    json_t *doc = NULL, *findings = NULL, *derived = NULL;
    day_t as_of = 0;
    const json_t *expect = json_object_get(fx, "expect");
    if (fx && !json_is_object(expect))
        problem(problems, "the fixture has no \"expect\" object");
    else if (fx && strncmp(rel, "changes/", 8) == 0)
        run_change(p, defaults, fx, expect, entry, problems);
    else if (fx && (doc = build_document(p, defaults, fx, &as_of, problems))) {
        struct err e = {0};
        if (policy_check(p, doc, as_of, json_object_get(fx, "ctx"), &findings, &derived, &e) != 0) {
            problem(problems, "evaluation failed: %s", e.detail_en);
            err_clear(&e);
        } else {
            check_expectations(p, expect, findings, derived, entry, problems);
        }
    }
    json_object_set_new(entry, "ok", json_boolean(json_array_size(problems) == 0));
    json_object_set_new(entry, "problems", problems);
    json_object_set_new(entry, "findings", findings ? findings : json_array());
    if (!json_object_get(entry, "derived"))
        json_object_set_new(entry, "derived", derived ? derived : json_object());
    json_decref(doc);
    json_decref(fx);
    return entry;
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Names "sub/file.json" of the fixtures under dir (one level of subdirectories), sorted. */
static int list_fixtures(const char *dir, char ***out, size_t *n)
{
    *out = NULL;
    *n = 0;
    DIR *top = opendir(dir);
    if (!top)
        return -1;
    char **names = calloc(MAX_FIXTURES, sizeof *names);
    struct dirent *sub;
    while (names && (sub = readdir(top))) {
        if (sub->d_name[0] == '.')
            continue;
        char subdir[4600];
        snprintf(subdir, sizeof subdir, "%s/%s", dir, sub->d_name);
        DIR *d = opendir(subdir);
        if (!d)
            continue; /* a file: fixtures.json or a base document */
        struct dirent *de;
        while ((de = readdir(d)) && *n < MAX_FIXTURES) {
            size_t len = strlen(de->d_name);
            if (de->d_name[0] == '.' || len < 6 || strcmp(de->d_name + len - 5, ".json") != 0)
                continue;
            size_t size = strlen(sub->d_name) + len + 2;
            char *name = malloc(size);
            if (!name)
                break;
            snprintf(name, size, "%s/%s", sub->d_name, de->d_name);
            names[(*n)++] = name;
        }
        closedir(d);
    }
    closedir(top);
    if (!names)
        return -1;
    qsort(names, *n, sizeof *names, compare_names);
    *out = names;
    return 0;
}

int fixtures_run(const struct pack *p, json_t **report, struct err *e)
{
    return fixtures_run_within(p, 0, NULL, report, e);
}

int fixtures_run_within(const struct pack *p, int max_seconds, const atomic_bool *cancel, json_t **report,
                        struct err *e)
{
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    char dir[4200];
    snprintf(dir, sizeof dir, "%s/fixtures", p->dir);
    char **names;
    size_t n;
    *report = NULL;
    if (list_fixtures(dir, &names, &n) != 0)
        return err_set(e, ERR_NOT_FOUND, NULL, "The fixtures of pack %s cannot be read (%s): %s",
                       "无法读取策略包 %s 的测试样例（%s）：%s", p->id, dir, strerror(errno));
    char defaults_path[4400];
    snprintf(defaults_path, sizeof defaults_path, "%s/fixtures.json", dir);
    json_t *defaults = json_load_file(defaults_path, JSON_REJECT_DUPLICATES, NULL);
    json_t *out = json_array();
    size_t done = 0;
    for (; done < n; done++) {
        clock_gettime(CLOCK_MONOTONIC, &now);
        if ((max_seconds > 0 && now.tv_sec - start.tv_sec >= max_seconds) || (cancel && atomic_load(cancel)))
            break;
        json_array_append_new(out, run_one(p, defaults, dir, names[done]));
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    json_decref(defaults);
    if (done < n && cancel && atomic_load(cancel)) {
        json_decref(out);
        return err_set(e, ERR_BUSY, NULL, "The fixtures of pack %s were stopped: the server is stopping",
                       "策略包 %s 的测试样例被中止：服务正在停止", p->id);
    }
    if (done < n) {
        json_decref(out);
        return err_set(e, ERR_VALIDATION, NULL, "The fixtures of pack %s took longer than %d s (%zu of %zu ran)",
                       "策略包 %s 的测试样例运行超过 %d 秒（已运行 %zu 个，共 %zu 个）", p->id, max_seconds, done, n);
    }
    *report = out;
    return 0;
}

json_t *fixtures_inputs(const struct pack *p, struct err *e)
{
    char dir[4200];
    snprintf(dir, sizeof dir, "%s/fixtures", p->dir);
    char **names;
    size_t n;
    if (list_fixtures(dir, &names, &n) != 0) {
        err_set(e, ERR_NOT_FOUND, NULL, "The fixtures of pack %s cannot be read (%s): %s",
                "无法读取策略包 %s 的测试样例（%s）：%s", p->id, dir, strerror(errno));
        return NULL;
    }
    char defaults_path[4400];
    snprintf(defaults_path, sizeof defaults_path, "%s/fixtures.json", dir);
    json_t *defaults = json_load_file(defaults_path, JSON_REJECT_DUPLICATES, NULL);
    json_t *out = json_array();
    for (size_t i = 0; i < n; i++) {
        char path[4400];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        json_t *problems = json_array();
        json_t *fx = strncmp(names[i], "changes/", 8) == 0 ? NULL : load_json(path, problems);
        day_t as_of = 0;
        json_t *doc = fx ? build_document(p, defaults, fx, &as_of, problems) : NULL;
        if (doc) {
            char day[11];
            date_format(as_of, day);
            json_array_append_new(out, json_pack("{s:s s:o s:s s:O?}", "file", names[i], "document", doc, "as_of", day,
                                                 "ctx", json_object_get(fx, "ctx")));
        }
        json_decref(fx);
        json_decref(problems);
        free(names[i]);
    }
    free(names);
    json_decref(defaults);
    return out;
}
