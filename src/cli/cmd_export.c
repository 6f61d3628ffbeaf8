/* cmd_export.c — `beian export register|bundle`: the register (every filing, or those the filters
 * keep) as CSV or XLSX, and one filing's full record as a JSON bundle, written by the local operator
 * straight from the data directory — the same files GET /exports/register.csv|.xlsx and GET
 * /filings/{id}/bundle give over HTTP (service/exports.h). */
#include "cli/cli.h"
#include "service/app.h"
#include "service/auth.h"
#include "service/exports.h"
#include "service/test_clock.h"

#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char EXPORT_HELP[] =
    "usage: beian export register --data DIR [--format csv|xlsx] [--state S] [--region CODE] [--type T]\n"
    "                             [--kind initial|change] [--q TEXT] [--lang zh|en] -o FILE\n"
    "       beian export bundle --data DIR FILING_ID -o FILE\n"
    "register: every filing the filters keep, one row each, with the state, filing type and region in\n"
    "words; CSV (UTF-8 with a byte order mark, RFC 4180) or XLSX; Chinese headers unless --lang en.\n"
    "--format defaults to the extension of FILE (.xlsx), else csv.\n"
    "bundle: the filing's document, versions with their findings and pinned materials (SHA-256), the\n"
    "material manifest, rectifications, overrides and events, as JSON.\n";

static int write_bundle(struct app *a, const struct principal *op, const char *id_text, const char *out)
{
    char *end;
    long long id = strtoll(id_text, &end, 10);
    if (*end || id <= 0) return cli_usage("export", "FILING_ID must be a positive number");
    struct err e = {0};
    json_t *bundle = export_bundle(a, op, id, &e);
    if (!bundle) return cli_fail(&e);
    int rc = json_dump_file(bundle, out, JSON_INDENT(2));
    json_decref(bundle);
    if (rc != 0) {
        fprintf(stderr, "beian: cannot write %s\n", out);
        return EXIT_FAIL;
    }
    return EXIT_OK;
}

int cmd_export(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        fputs(EXPORT_HELP, argc < 2 ? stderr : stdout);
        return argc < 2 ? EXIT_USAGE : EXIT_OK;
    }
    const char *what = argv[1];
    if (strcmp(what, "register") != 0 && strcmp(what, "bundle") != 0)
        return cli_usage("export", "the first argument is register or bundle");
    static const struct option opts[] = {
        {"data", required_argument, NULL, 'd'}, {"format", required_argument, NULL, 'f'},
        {"state", required_argument, NULL, 's'}, {"region", required_argument, NULL, 'r'},
        {"type", required_argument, NULL, 't'}, {"kind", required_argument, NULL, 'k'},
        {"q", required_argument, NULL, 'q'}, {"lang", required_argument, NULL, 'l'},
        {"output", required_argument, NULL, 'o'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    const char *data = NULL, *format = NULL, *lang = NULL, *out = NULL;
    struct register_query q = {0};
    optind = 2;
    int c;
    while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
        switch (c) {
        case 'd': data = optarg; break;
        case 'f': format = optarg; break;
        case 's': q.state = optarg; break;
        case 'r': q.region = optarg; break;
        case 't': q.type = optarg; break;
        case 'k': q.kind = optarg; break;
        case 'q': q.q = optarg; break;
        case 'l': lang = optarg; break;
        case 'o': out = optarg; break;
        case 'h': fputs(EXPORT_HELP, stdout); return EXIT_OK;
        default: return cli_usage("export", "unknown option");
        }
    }
    bool bundle = strcmp(what, "bundle") == 0;
    if (!out) return cli_usage("export", "give the output file with -o FILE");
    if (bundle != (optind == argc - 1)) return cli_usage("export", bundle ? "give one FILING_ID" : "unexpected argument");
    size_t olen = strlen(out);
    if (!format) format = olen > 5 && strcmp(out + olen - 5, ".xlsx") == 0 ? "xlsx" : "csv";
    if (strcmp(format, "csv") != 0 && strcmp(format, "xlsx") != 0) return cli_usage("export", "--format is csv or xlsx");
    if (lang && strcmp(lang, "zh") != 0 && strcmp(lang, "en") != 0) return cli_usage("export", "--lang is zh or en");
    data = cli_data_dir(data);
    if (!data) return cli_usage("export", "no data directory: give --data DIR or set BEIAN_DATA");
    test_clock_refresh();
    struct app *a;
    if (cli_open(&a, data, false) != 0) return EXIT_FAIL;
    struct principal op;
    principal_operator(&op);
    int rc;
    if (bundle) {
        rc = write_bundle(a, &op, argv[optind], out);
    } else {
        struct err e = {0};
        int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        int64_t rows = -1;
        if (fd < 0) {
            fprintf(stderr, "beian: cannot write %s\n", out);
            rc = EXIT_FAIL;
        } else {
            rows = export_register(a, &op, &q, strcmp(format, "xlsx") == 0 ? EXPORT_XLSX : EXPORT_CSV,
                                   lang && strcmp(lang, "en") == 0, fd, &e);
            close(fd);
            if (rows < 0) {
                unlink(out);
                rc = e.code == ERR_BAD_QUERY ? cli_usage("export", e.detail_en) : cli_fail(&e);
            } else {
                fprintf(stderr, "beian: %lld filing(s) written to %s\n", (long long)rows, out);
                rc = EXIT_OK;
            }
        }
        err_clear(&e);
    }
    app_close(a);
    return rc;
}
