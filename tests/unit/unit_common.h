/* unit_common.h — helpers shared by the unit tests that read pack files and print findings.
 * Include after <cmocka.h> and <jansson.h>. */
#ifndef BEIAN_UNIT_COMMON_H
#define BEIAN_UNIT_COMMON_H

#include <stdio.h>

/* dir/name parsed as JSON; fails the test (naming file and line) when it cannot be read. */
static inline json_t *unit_load_json(const char *dir, const char *name)
{
    char path[8300];
    json_error_t jerr;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    json_t *doc = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
    if (!doc) fail_msg("%s: %s (line %d)", path, jerr.text, jerr.line);
    return doc;
}

/* One line per finding (severity, rule, path, English message), to explain a failed assertion. */
static inline void unit_print_findings(const json_t *findings)
{
    size_t i;
    const json_t *f;
    json_array_foreach(findings, i, f)
        print_message("  %s %s %s: %s\n", json_string_value(json_object_get(f, "severity")),
                      json_string_value(json_object_get(f, "rule")), json_string_value(json_object_get(f, "path")),
                      json_string_value(json_object_get(json_object_get(f, "message"), "en")));
}

#endif
