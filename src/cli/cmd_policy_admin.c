/* cmd_policy_admin.c — `beian policy install` and `beian policy impact`: the pack versions of a
 * data directory, worked on as the local operator (see service/policy_admin.h). */
#include "cli/cli.h"
#include "service/app.h"
#include "service/auth.h"
#include "service/policy_admin.h"
#include "policy/rules.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static const char USAGE[] =
    "usage: beian policy install DIR --data DATA\n"
    "           install the pack version in DIR (it must load and pass its fixtures) into DATA/policy;\n"
    "           a filing follows the version in force on its as-of date (effective_from in the manifest)\n"
    "       beian policy impact ID@VERSION --data DATA [--as-of DATE] [--format table|json]\n"
    "           re-evaluate every filed system under that version and list those that would fail,\n"
    "           with the rules (and which of them are new); exit 1 when any would fail\n"
    "       beian policy packs --data DATA   list the installed versions\n";

struct impact_out { bool json; int64_t failing; };

static void print_item(const json_t *item, void *arg)
{
    struct impact_out *o = arg;
    if (o->json) {
        printf("%s", o->failing ? ",\n    " : "\n    ");
        json_dumpf(item, stdout, JSON_COMPACT);
    } else {
        char rules[512] = "", fresh[512] = "";
        size_t i;
        json_t *r;
        json_array_foreach(json_object_get(item, "rules"), i, r)
            snprintf(rules + strlen(rules), sizeof rules - strlen(rules), "%s%s", i ? "," : "", json_string_value(r));
        json_array_foreach(json_object_get(item, "new_rules"), i, r)
            snprintf(fresh + strlen(fresh), sizeof fresh - strlen(fresh), "%s%s", i ? "," : "", json_string_value(r));
        const char *number = json_string_value(json_object_get(item, "number"));
        printf("%-8lld %-20s %-28s %-20s %s\n", (long long)json_integer_value(json_object_get(item, "id")),
               number ? number : "-", rules, fresh[0] ? fresh : "-",
               json_string_value(json_object_get(item, "system_name")) ? json_string_value(json_object_get(item, "system_name")) : "");
    }
    o->failing++;
}

int cmd_policy_admin(int argc, char **argv)
{
    static const struct option opts[] = {
        {"data", required_argument, NULL, 'd'}, {"as-of", required_argument, NULL, 'a'},
        {"format", required_argument, NULL, 'f'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0},
    };
    const char *sub = argv[0], *data = NULL, *as_of_text = NULL, *format = "table";
    int ch;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (ch) {
        case 'd': data = optarg; break;
        case 'a': as_of_text = optarg; break;
        case 'f': format = optarg; break;
        case 'h': fputs(USAGE, stdout); return EXIT_OK;
        default: return cli_usage("policy", "unknown option");
        }
    }
    bool packs = strcmp(sub, "packs") == 0;
    if ((packs && optind != argc) || (!packs && optind + 1 != argc))
        return cli_usage("policy", packs ? "packs takes no argument" : "give one pack (DIR or ID@VERSION)");
    data = cli_data_dir(data);
    if (!data) return cli_usage("policy", "no data directory: give --data DIR or set BEIAN_DATA");
    day_t as_of = date_from_unix(time(NULL));
    if (as_of_text && date_parse(as_of_text, &as_of) != 0) return cli_usage("policy", "--as-of must be YYYY-MM-DD");
    if (strcmp(format, "table") != 0 && strcmp(format, "json") != 0)
        return cli_usage("policy", "--format is table or json");
    struct app *a;
    if (cli_open(&a, data, false) != 0) return EXIT_FAIL;
    struct principal op;
    principal_operator(&op);
    struct err e = {0};
    int rc = EXIT_OK;
    if (packs) {
        json_t *list = policy_packs(a);
        json_dumpf(list, stdout, JSON_INDENT(2));
        putchar('\n');
        json_decref(list);
    } else if (strcmp(sub, "install") == 0) {
        json_t *installed = NULL;
        if (policy_install(a, &op, argv[optind], &installed, &e) != 0) rc = cli_fail(&e);
        else
            printf("installed %s@%s, in force from %s\n", json_string_value(json_object_get(installed, "id")),
                   json_string_value(json_object_get(installed, "version")),
                   json_string_value(json_object_get(installed, "effective_from")));
        json_decref(installed);
    } else {
        struct impact_out o = {strcmp(format, "json") == 0, 0};
        char day[11];
        date_format(as_of, day);
        if (o.json) printf("{\"pack\": \"%s\", \"as_of\": \"%s\", \"failing\": [", argv[optind], day);
        else printf("%-8s %-20s %-28s %-20s %s\n", "FILING", "NUMBER", "FAILING RULES", "NEW", "SYSTEM");
        int64_t checked = 0;
        int r = policy_impact(a, &op, argv[optind], as_of, print_item, &o, &checked, &e);
        if (o.json) printf("%s], \"checked\": %lld, \"failing_count\": %lld}\n", o.failing ? "\n  " : "",
                           (long long)checked, (long long)o.failing);
        else printf("%lld of %lld filed systems would fail under %s (as of %s)\n", (long long)o.failing,
                    (long long)checked, argv[optind], day);
        if (r != 0) rc = cli_fail(&e);
        else if (o.failing) rc = EXIT_FAIL;
    }
    err_clear(&e);
    app_close(a);
    policy_thread_cleanup();
    return rc;
}
