/* cli_common.c — what every subcommand shares (see cli.h). */
#include "cli/cli.h"
#include "service/app.h"
#include "service/auth.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *cli_data_dir(const char *flag_value)
{
    if (flag_value && *flag_value) return flag_value;
    const char *env = getenv("BEIAN_DATA");
    return env && *env ? env : NULL;
}

int cli_fail(const struct err *e)
{
    const char *lang = getenv("LANG");
    bool zh = lang && strncmp(lang, "zh", 2) == 0;
    const char *detail = zh ? e->detail_zh : e->detail_en;
    if (!*detail) detail = zh ? err_info(e->code)->title_zh : err_info(e->code)->title_en;
    if (e->field[0]) fprintf(stderr, "beian: %s (%s)\n", detail, e->field);
    else fprintf(stderr, "beian: %s\n", detail);
    json_t *findings = e->extra ? json_object_get(e->extra, "findings") : NULL;
    size_t i;
    json_t *f;
    json_array_foreach(findings, i, f) {
        json_t *msg = json_object_get(f, "message");
        fprintf(stderr, "  %s %s: %s\n", json_string_value(json_object_get(f, "rule")),
                json_string_value(json_object_get(f, "path")), json_string_value(json_object_get(msg, zh ? "zh" : "en")));
    }
    return EXIT_FAIL;
}

int cli_usage(const char *cmd, const char *msg)
{
    fprintf(stderr, "beian %s: %s\nTry 'beian %s --help'.\n", cmd, msg, cmd);
    return EXIT_USAGE;
}

int cli_open(struct app **a, const char *data_dir, bool create)
{
    struct err e = {0};
    if (app_open(a, data_dir, create, &e) != 0) {
        cli_fail(&e);
        err_clear(&e);
        return -1;
    }
    return 0;
}

int cli_read_secret(char *buf, size_t len)
{
    if (!fgets(buf, (int)len, stdin)) return -1;
    buf[strcspn(buf, "\r\n")] = 0;
    return 0;
}

int cli_create_as_operator(const char *data_dir, json_t *in, cli_create_fn *create)
{
    struct app *a;
    if (cli_open(&a, data_dir, false) != 0) { json_decref(in); return EXIT_FAIL; }
    struct principal op;
    principal_operator(&op);
    struct err e = {0};
    int64_t id = create(a, &op, in, &e);
    json_decref(in);
    int rc = EXIT_OK;
    if (id < 0) rc = cli_fail(&e);
    else printf("%lld\n", (long long)id);
    err_clear(&e);
    app_close(a);
    return rc;
}

int cli_list_args(int argc, char **argv, const char *cmd, const char *help, const char *filter, const char **data,
                  const char **filter_value, bool *as_json)
{
    const struct option opts[] = {{"data", required_argument, NULL, 'd'}, {filter, required_argument, NULL, 'f'},
                                  {"json", no_argument, NULL, 'J'}, {"help", no_argument, NULL, 'h'},
                                  {NULL, 0, NULL, 0}};
    *data = NULL;
    *filter_value = NULL;
    *as_json = false;
    int ch;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (ch) {
        case 'd': *data = optarg; break;
        case 'f': *filter_value = optarg; break;
        case 'J': *as_json = true; break;
        case 'h': fputs(help, stdout); return EXIT_OK;
        default: return cli_usage(cmd, "unknown option");
        }
    }
    if (optind < argc) return cli_usage(cmd, "unexpected argument");
    *data = cli_data_dir(*data);
    if (!*data) return cli_usage(cmd, "no data directory: give --data DIR or set BEIAN_DATA");
    return -1;
}
