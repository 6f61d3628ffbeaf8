/* cmd_policy_diff.c — `beian policy diff A B`: what changed between two versions of a policy pack
 * (policy/pack_diff.h), in words, or as JSON. A and B are pack directories or ID@VERSION: an
 * installed version of the data directory (--data or $BEIAN_DATA: the built-in packs and
 * DATA/policy, as the server sees them), else a built-in pack (cli_pack.h).
 *
 * Exit status: 0 (whether or not anything changed), 1 a pack does not load, 2 usage. */
#include "cli/cli.h"
#include "cli/cli_pack.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "policy/pack_diff.h"
#include "policy/registry.h"
#include "policy/rules.h"
#include "service/app.h"

static const char USAGE[] =
    "usage: beian policy diff A B [--data DATA] [--json] [--lang zh|en]\n"
    "  A, B     pack directories, or ID@VERSION: an installed version of DATA (--data or $BEIAN_DATA),\n"
    "           else a built-in pack\n"
    "  --json   the changes as JSON ({from, to, changes: [{area, change, subject, aspect, from, to, zh, en}],\n"
    "           summary}) instead of text\n"
    "  --lang   language of the text (default: zh when $LANG starts with zh, else en)\n"
    "Says which rules, form fields, parameters, required materials, deadlines, calendar days, incident\n"
    "report clocks and regions changed from A to B. Exit status: 0, 1 a pack does not load, 2 usage.\n";

static const struct {
    const char *area, *zh, *en;
} AREAS[] = {
    {"rules", "规则", "Rules"},
    {"classification", "分类", "Classification"},
    {"fields", "表单字段", "Form fields"},
    {"inspection_fields", "自查报告字段", "Self-inspection report fields"},
    {"parameters", "参数与阈值", "Parameters and thresholds"},
    {"materials", "材料", "Materials"},
    {"deadlines", "期限", "Deadlines"},
    {"calendar", "工作日历", "Working-day calendar"},
    {"incidents", "事件报告时限", "Incident report clocks"},
    {"providers", "云服务商", "Cloud providers"},
    {"regions", "行政区划", "Regions"},
};

struct loaded {
    struct pack_registry *registry; /* when --data: the versions the server sees */
    struct pack *owned[2];
};

static bool is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static const struct pack *load(struct loaded *l, int which, const char *spec, const char *data, struct err *e)
{
    if (!is_dir(spec) && data) {
        if (!l->registry) {
            char installed[4200];
            snprintf(installed, sizeof installed, "%s/policy", data);
            if (registry_load(app_policy_root(), installed, &l->registry, e) != 0)
                return NULL;
        }
        const struct pack *p = registry_find_spec(l->registry, spec);
        if (!p)
            err_set(e, ERR_USAGE, NULL, "Policy pack %s is not installed in %s", "未安装策略包 %s（数据目录 %s）", spec, data);
        return p;
    }
    if (cli_pack_open(spec, &l->owned[which], e) != 0)
        return NULL;
    return l->owned[which];
}

static void print_text(const json_t *diff, bool zh)
{
    const json_t *from = json_object_get(diff, "from"), *to = json_object_get(diff, "to");
    const json_t *changes = json_object_get(diff, "changes");
    const char *lang = zh ? "zh" : "en";
    printf(zh ? "%s@%s → %s@%s（%s 起施行）：%zu 项变化\n" : "%s@%s → %s@%s (in force from %s): %zu change%s\n",
           json_string_value(json_object_get(from, "id")), json_string_value(json_object_get(from, "version")),
           json_string_value(json_object_get(to, "id")), json_string_value(json_object_get(to, "version")),
           json_string_value(json_object_get(to, "effective_from")), json_array_size(changes),
           json_array_size(changes) == 1 ? "" : "s");
    for (size_t a = 0; a < sizeof AREAS / sizeof AREAS[0]; a++) {
        json_int_t n = json_integer_value(json_object_get(json_object_get(diff, "summary"), AREAS[a].area));
        if (!n)
            continue;
        printf(zh ? "\n%s（%lld）\n" : "\n%s (%lld)\n", zh ? AREAS[a].zh : AREAS[a].en, (long long)n);
        size_t i;
        const json_t *c;
        json_array_foreach(changes, i, c) {
            if (strcmp(json_string_value(json_object_get(c, "area")), AREAS[a].area) != 0)
                continue;
            const char *change = json_string_value(json_object_get(c, "change"));
            printf("  %c %s\n", strcmp(change, "added") == 0 ? '+' : strcmp(change, "removed") == 0 ? '-' : '~',
                   json_string_value(json_object_get(c, lang)));
        }
    }
    if (!json_array_size(changes))
        printf(zh ? "两个版本的规则、表单、参数、材料与期限相同\n" : "The two versions have the same rules, form, parameters, materials and deadlines\n");
}

int cmd_policy_diff(int argc, char **argv)
{
    static const struct option opts[] = {
        {"data", required_argument, NULL, 'd'}, {"json", no_argument, NULL, 'j'},
        {"lang", required_argument, NULL, 'l'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0},
    };
    const char *data = NULL, *lang_env = getenv("LANG");
    bool json = false, zh = lang_env && strncmp(lang_env, "zh", 2) == 0;
    int ch;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (ch) {
        case 'd': data = optarg; break;
        case 'j': json = true; break;
        case 'l':
            if (strcmp(optarg, "zh") != 0 && strcmp(optarg, "en") != 0)
                return cli_usage("policy", "--lang is zh or en");
            zh = strcmp(optarg, "zh") == 0;
            break;
        case 'h': fputs(USAGE, stdout); return EXIT_OK;
        default: return cli_usage("policy", "unknown option (see beian policy diff --help)");
        }
    }
    if (optind + 2 != argc)
        return cli_usage("policy", "diff takes two packs: A B (directories or ID@VERSION)");
    data = cli_data_dir(data);
    struct loaded l = {0};
    struct err e = {0};
    int rc = EXIT_OK;
    const struct pack *a = load(&l, 0, argv[optind], data, &e), *b = a ? load(&l, 1, argv[optind + 1], data, &e) : NULL;
    if (!a || !b) {
        rc = e.code == ERR_USAGE ? EXIT_USAGE : EXIT_FAIL;
        cli_fail(&e);
    } else {
        json_t *diff = pack_diff(a, b);
        if (json) {
            json_dumpf(diff, stdout, JSON_INDENT(2));
            putchar('\n');
        } else {
            print_text(diff, zh);
        }
        json_decref(diff);
    }
    err_clear(&e);
    pack_free(l.owned[0]);
    pack_free(l.owned[1]);
    registry_free(l.registry);
    policy_thread_cleanup();
    return rc;
}
