/* cmd_org.c — `beian org add|list`: organisations from the command line (as the local operator). */
#include "cli/cli.h"
#include "service/app.h"
#include "service/auth.h"
#include "service/orgs.h"

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static const char ORG_HELP[] =
    "usage: beian org add --data DIR --kind enterprise|provider|authority --name NAME --uscc CODE\n"
    "                     --region CODE [--jurisdiction CODE,...] [--number-format FMT]\n"
    "                     [--uscc-as-on-licence]\n"
    "       beian org list --data DIR [--kind KIND] [--json]\n"
    "add prints the new organisation's id alone on stdout. An authority needs --jurisdiction\n"
    "(region codes; a province code covers its cities) and may set the format of its filing numbers,\n"
    "default {region}-{year}-{seq:06}. --uscc-as-on-licence registers a code whose check character\n"
    "fails GB 32100 as the business licence bears it; that organisation's filings then need an\n"
    "accepted override of the check-character rule. The data directory may also come from $BEIAN_DATA.\n";

static int org_add(int argc, char **argv)
{
    static const struct option opts[] = {
        {"data", required_argument, NULL, 'd'}, {"kind", required_argument, NULL, 'k'},
        {"name", required_argument, NULL, 'n'}, {"uscc", required_argument, NULL, 'u'},
        {"region", required_argument, NULL, 'r'}, {"jurisdiction", required_argument, NULL, 'j'},
        {"number-format", required_argument, NULL, 'f'}, {"uscc-as-on-licence", no_argument, NULL, 'l'},
        {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0},
    };
    const char *data = NULL, *kind = NULL, *name = NULL, *uscc = NULL, *region = NULL, *jur = NULL, *fmt = NULL;
    int ch;
    bool as_on_licence = false;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (ch) {
        case 'd': data = optarg; break;
        case 'k': kind = optarg; break;
        case 'n': name = optarg; break;
        case 'u': uscc = optarg; break;
        case 'r': region = optarg; break;
        case 'j': jur = optarg; break;
        case 'f': fmt = optarg; break;
        case 'l': as_on_licence = true; break;
        case 'h': fputs(ORG_HELP, stdout); return EXIT_OK;
        default: return cli_usage("org", "unknown option");
        }
    }
    if (optind < argc) return cli_usage("org", "unexpected argument");
    if (!kind || !name || !uscc || !region) return cli_usage("org", "add needs --kind, --name, --uscc and --region");
    data = cli_data_dir(data);
    if (!data) return cli_usage("org", "no data directory: give --data DIR or set BEIAN_DATA");
    json_t *in = json_pack("{s:s s:s s:s s:s}", "kind", kind, "name", name, "uscc", uscc, "region", region);
    if (!in) return cli_usage("org", "arguments must be valid UTF-8");
    if (fmt) json_object_set_new(in, "number_format", json_string(fmt));
    if (as_on_licence) json_object_set_new(in, "uscc_as_on_licence", json_true());
    if (jur) {
        json_t *list = json_array();
        char buf[4096];
        snprintf(buf, sizeof buf, "%s", jur);
        for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
            json_array_append_new(list, json_string(tok));
        json_object_set_new(in, "jurisdiction", list);
    }
    return cli_create_as_operator(data, in, org_create);
}

static int org_list_cmd(int argc, char **argv)
{
    const char *data, *kind;
    bool as_json;
    int done = cli_list_args(argc, argv, "org", ORG_HELP, "kind", &data, &kind, &as_json);
    if (done >= 0) return done;
    struct app *a;
    if (cli_open(&a, data, false) != 0) return EXIT_FAIL;
    struct principal op;
    principal_operator(&op);
    json_t *list = org_list(a, &op, kind);
    if (as_json) {
        json_dumpf(list, stdout, JSON_INDENT(2));
        putchar('\n');
    } else {
        size_t i;
        json_t *o;
        printf("%-5s %-10s %-18s %-7s %s\n", "ID", "KIND", "USCC", "REGION", "NAME");
        json_array_foreach(list, i, o)
            printf("%-5lld %-10s %-18s %-7s %s\n", (long long)json_integer_value(json_object_get(o, "id")),
                   json_string_value(json_object_get(o, "kind")), json_string_value(json_object_get(o, "uscc")),
                   json_string_value(json_object_get(o, "region")), json_string_value(json_object_get(o, "name")));
    }
    json_decref(list);
    app_close(a);
    return EXIT_OK;
}

int cmd_org(int argc, char **argv)
{
    if (argc < 2) return cli_usage("org", "give a subcommand: add or list");
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) { fputs(ORG_HELP, stdout); return EXIT_OK; }
    if (strcmp(argv[1], "add") == 0) return org_add(argc - 1, argv + 1);
    if (strcmp(argv[1], "list") == 0) return org_list_cmd(argc - 1, argv + 1);
    return cli_usage("org", "unknown subcommand (add, list)");
}
