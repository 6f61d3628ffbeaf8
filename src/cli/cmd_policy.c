/* cmd_policy.c — `beian policy test|lint|rules`: work on a policy pack directory as its author
 * does. `test` runs the pack's fixtures (fixtures.h); `lint` checks that the pack is complete —
 * every rule has a passing and a failing fixture, every path a rule names is a field of the form,
 * every title and message has zh and en, no rule fails on a fixture; `rules` lists the rules
 * (or writes docs/rules.md). `diff` is cmd_policy_diff.c, install|impact|packs cmd_policy_admin.c.
 *
 * Exit status: 0 all good, 1 a fixture failed or lint found problems (or the pack does not load),
 * 2 usage. */
#include "cli/cli.h"
#include "cli/cli_pack.h"
#include "cli/cli_rule_help.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "core/calendar.h"
#include "core/date.h"
#include "policy/fixtures.h"
#include "policy/rules.h"
#include "policy/schema.h"

static const char USAGE[] =
    "usage: beian policy test [DIR]     run the pack's fixtures (default: the built-in cn-cloud)\n"
    "       beian policy lint DIR [--as-of DATE]  check the pack: fixtures per rule, field paths, zh and en\n"
    "                                   texts; warns when the working-day calendar ends within 60 days\n"
    "       beian policy rules [DIR] [--markdown]  list the pack's rules (id, severity, source, title);\n"
    "                                   --markdown writes docs/rules.md (what SARIF's helpUri links to)\n"
    "       beian policy diff A B [--json]  what changed between two pack versions (see 'beian policy diff --help')\n"
    "       beian policy install|impact|packs …   pack versions of a data directory (see 'beian policy install --help')\n"
    "DIR may also be ID@VERSION of an installed pack.\n"
    "Exit status: 0 all good, 1 failures or problems, 2 usage.\n";

static const char *str(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

static int open_pack(const char *spec, struct pack **p)
{
    struct err e = {0};
    if (cli_pack_open(spec, p, &e) == 0)
        return EXIT_OK;
    int rc = e.code == ERR_USAGE ? EXIT_USAGE : EXIT_FAIL;
    cli_fail(&e);
    err_clear(&e);
    return rc;
}

static int run_fixtures(const struct pack *p, json_t **report)
{
    struct err e = {0};
    if (fixtures_run(p, report, &e) == 0)
        return EXIT_OK;
    cli_fail(&e);
    err_clear(&e);
    return EXIT_FAIL;
}

/* ---- test ------------------------------------------------------------------------------- */

static int policy_test(const struct pack *p)
{
    json_t *report;
    if (run_fixtures(p, &report) != EXIT_OK)
        return EXIT_FAIL;
    int passed = 0, failed = 0;
    size_t i, j;
    const json_t *entry, *why;
    json_array_foreach(report, i, entry) {
        if (json_is_true(json_object_get(entry, "ok"))) {
            passed++;
            printf("ok    %s\n", str(entry, "file"));
            continue;
        }
        failed++;
        printf("FAIL  %s\n", str(entry, "file"));
        json_array_foreach(json_object_get(entry, "problems"), j, why)
            printf("      %s\n", json_string_value(why));
    }
    json_decref(report);
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? EXIT_FAIL : EXIT_OK;
}

/* ---- lint ------------------------------------------------------------------------------- */

/* Does the form have the field a rule path names? "" is the whole document; "*" stands for any
 * list index. A rule whose id starts INSP- concerns the self-inspection report (inspection.json). */
static bool path_known(const struct pack *p, const char *rule, const char *path)
{
    if (!*path)
        return true;
    char concrete[1024];
    size_t n = 0;
    for (const char *c = path; *c && n + 2 < sizeof concrete; c++) {
        if (*c == '*' && c > path && c[-1] == '/' && (c[1] == '/' || !c[1]))
            concrete[n++] = '0';
        else
            concrete[n++] = *c;
    }
    concrete[n] = '\0';
    const json_t *form = rule && strncmp(rule, "INSP-", 5) == 0 ? p->inspection_form : p->form;
    return schema_field_in(form, concrete) != NULL;
}

static bool listed(const json_t *ids, const char *id)
{
    size_t i;
    const json_t *v;
    json_array_foreach(ids, i, v)
        if (strcmp(json_string_value(v), id) == 0)
            return true;
    return false;
}

#define PROBLEM(...)                                                                               \
    do {                                                                                           \
        printf("problem: ");                                                                       \
        printf(__VA_ARGS__);                                                                       \
        printf("\n");                                                                              \
        (*count)++;                                                                                \
    } while (0)

static void lint_rules(const struct pack *p, const json_t *report, int *count)
{
    size_t i, j;
    const json_t *rule, *entry, *v;
    json_array_foreach(policy_rules(p), i, rule) {
        const char *id = str(rule, "id");
        int failing = 0, passing = 0;
        json_array_foreach(report, j, entry) {
            if (!json_is_true(json_object_get(entry, "ok")))
                continue;
            failing += listed(json_object_get(entry, "fire"), id);
            passing += listed(json_object_get(entry, "quiet"), id);
        }
        if (!failing)
            PROBLEM("%s: no failing fixture (a passing fixture whose expect.fire lists it)", id);
        if (!passing)
            PROBLEM("%s: no passing fixture (a passing fixture whose expect.quiet lists it)", id);
        json_array_foreach(json_object_get(rule, "paths"), j, v)
            if (!path_known(p, id, json_string_value(v)))
                PROBLEM("%s: path %s is not a field of the form (form.json)", id, json_string_value(v));
        const json_t *title = json_object_get(rule, "title");
        if (!*str(title, "zh") || !*str(title, "en"))
            PROBLEM("%s: the title needs zh and en", id);
        if (!*str(rule, "source"))
            PROBLEM("%s: no source", id);
    }
}

static void lint_fixtures(const struct pack *p, const json_t *report, int *count)
{
    size_t i, j, k;
    const json_t *entry, *f, *why;
    json_array_foreach(report, i, entry) {
        const char *file = str(entry, "file");
        json_array_foreach(json_object_get(entry, "problems"), j, why)
            PROBLEM("fixture %s fails: %s", file, json_string_value(why));
        json_array_foreach(json_object_get(entry, "findings"), j, f) {
            const char *rule = str(f, "rule");
            const json_t *message = json_object_get(f, "message");
            if (json_is_true(json_object_get(f, "rule_failed")))
                PROBLEM("%s fails on fixture %s: %s", rule, file, str(message, "en"));
            if (!*str(message, "zh") || !*str(message, "en"))
                PROBLEM("%s: a message without zh or en (fixture %s)", rule, file);
            if (strncmp(rule, "FORM-", 5) != 0 && strncmp(rule, "RECORD-", 7) != 0 && !path_known(p, rule, str(f, "path")))
                PROBLEM("%s: finding at %s, which is not a field of the form (fixture %s)", rule, str(f, "path"), file);
        }
        /* A fixture that names a rule both ways is a mistake. */
        json_array_foreach(json_object_get(entry, "fire"), k, f)
            if (listed(json_object_get(entry, "quiet"), json_string_value(f)))
                PROBLEM("fixture %s lists %s in both expect.fire and expect.quiet", file, json_string_value(f));
    }
}

/* A pack that classifies change reports (changes.lua) needs a passing fixture of each class, and
 * of a late and a timely report. */
static void lint_changes(const struct pack *p, const json_t *report, int *count)
{
    char path[4200];
    struct stat st;
    snprintf(path, sizeof path, "%s/changes.lua", p->dir);
    if (stat(path, &st) != 0)
        return;
    int major = 0, minor = 0, late = 0, timely = 0;
    size_t i;
    const json_t *entry;
    json_array_foreach(report, i, entry) {
        if (strncmp(str(entry, "file"), "changes/", 8) != 0 || !json_is_true(json_object_get(entry, "ok")))
            continue;
        const json_t *d = json_object_get(entry, "derived");
        major += strcmp(str(d, "class"), "major") == 0;
        minor += strcmp(str(d, "class"), "minor") == 0;
        if (!json_is_null(json_object_get(d, "report_by")) && json_object_get(d, "report_by")) {
            late += json_is_true(json_object_get(d, "late"));
            timely += json_is_false(json_object_get(d, "late"));
        }
    }
    if (!major || !minor)
        PROBLEM("changes.lua: fixtures/changes needs a passing fixture of a major and of a minor change");
    if (!late || !timely)
        PROBLEM("changes.lua: fixtures/changes needs a passing fixture of a late and of a timely report");
}

/* The day lint judges the calendar's coverage from: today, or --as-of. */
static day_t lint_as_of;

/* A warning, not a problem: the working-day calendar ends within 60 days (or has ended), after
 * which due dates are estimates until a pack version with the next year's calendar is installed. */
enum { CALENDAR_WARN_DAYS = 60 };

static int lint_calendar(const struct pack *p)
{
    day_t first, last;
    if (!calendar_coverage(p->calendar, &first, &last)) return 0;
    char until[11];
    date_format(last, until);
    if (last - lint_as_of > CALENDAR_WARN_DAYS) return 0;
    if (last < lint_as_of)
        printf("warning: the working-day calendar ended on %s; due dates after it are estimates — publish a pack "
               "version with the next year's calendar (工作日历已于 %s 结束)\n", until, until);
    else
        printf("warning: the working-day calendar ends on %s, in %d days; due dates after it are estimates — publish "
               "a pack version with the next year's calendar (工作日历将于 %s 结束)\n", until, (int)(last - lint_as_of),
               until);
    return 1;
}

static int policy_lint(const struct pack *p)
{
    json_t *report;
    if (run_fixtures(p, &report) != EXIT_OK)
        return EXIT_FAIL;
    int count = 0;
    printf("lint %s (%s@%s): %zu rules, %zu fixtures\n", p->dir, p->id, p->version, json_array_size(policy_rules(p)),
           json_array_size(report));
    lint_rules(p, report, &count);
    lint_fixtures(p, report, &count);
    lint_changes(p, report, &count);
    json_decref(report);
    int warnings = lint_calendar(p);
    printf(count ? "%d problem%s" : "no problems", count, count == 1 ? "" : "s");
    printf(warnings ? ", %d warning%s\n" : "\n", warnings, warnings == 1 ? "" : "s");
    return count ? EXIT_FAIL : EXIT_OK;
}

/* ---- rules ------------------------------------------------------------------------------ */

static int policy_list_rules(const struct pack *p)
{
    size_t i;
    const json_t *r;
    json_array_foreach(policy_rules(p), i, r)
        printf("%-10s %-8s %s — %s [%s]\n", str(r, "id"), str(r, "severity"), str(json_object_get(r, "title"), "en"),
               str(json_object_get(r, "title"), "zh"), str(r, "source"));
    return EXIT_OK;
}

static int policy_rules_markdown(const struct pack *p)
{
    rule_help_print_markdown(stdout, p);
    return EXIT_OK;
}

int cmd_policy(int argc, char **argv)
{
    if (argc < 2)
        return cli_usage("policy", "a subcommand is required: test, lint or rules");
    const char *sub = argv[1];
    if (strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0 || strcmp(sub, "help") == 0) {
        fputs(USAGE, stdout);
        return EXIT_OK;
    }
    if (strcmp(sub, "install") == 0 || strcmp(sub, "impact") == 0 || strcmp(sub, "packs") == 0)
        return cmd_policy_admin(argc - 1, argv + 1);
    if (strcmp(sub, "diff") == 0)
        return cmd_policy_diff(argc - 1, argv + 1);
    if (argc > 2 && (strcmp(argv[2], "--help") == 0 || strcmp(argv[2], "-h") == 0)) {
        fputs(USAGE, stdout);
        return EXIT_OK;
    }
    lint_as_of = date_from_unix(time(NULL));
    if (argc > 4 && strcmp(argv[3], "--as-of") == 0) {   /* lint DIR --as-of YYYY-MM-DD */
        if (strcmp(sub, "lint") != 0 || date_parse(argv[4], &lint_as_of) != 0)
            return cli_usage("policy", "--as-of takes a day written YYYY-MM-DD (lint only)");
        argc -= 2;
    }
    bool markdown = strcmp(sub, "rules") == 0 && argc > 2 && strcmp(argv[argc - 1], "--markdown") == 0;
    if (markdown)
        argc--;
    if (argc > 3)
        return cli_usage("policy", "takes at most one DIR");
    const char *dir = argc > 2 ? argv[2] : NULL;
    int (*run)(const struct pack *);
    if (strcmp(sub, "test") == 0)
        run = policy_test;
    else if (strcmp(sub, "lint") == 0) {
        if (!dir)
            return cli_usage("policy", "lint needs the pack DIR");
        run = policy_lint;
    } else if (strcmp(sub, "rules") == 0)
        run = markdown ? policy_rules_markdown : policy_list_rules;
    else
        return cli_usage("policy", "unknown subcommand (test, lint or rules)");
    struct pack *p;
    int rc = open_pack(dir, &p);
    if (rc != EXIT_OK)
        return rc;
    rc = run(p);
    pack_free(p);
    policy_thread_cleanup();
    return rc;
}
