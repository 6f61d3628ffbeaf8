/* cmd_verify.c — `beian verify materials`: re-hash every stored material file against the hash
 * it was stored under and report the files that changed or vanished (exit 1 if any). */
#include "cli/cli.h"
#include "service/app.h"
#include "service/materials.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

static const char VERIFY_HELP[] =
    "usage: beian verify materials|audit [--data DIR]\n"
    "       beian verify certificate|receipt|checkpoint … --key KEYS.json   (offline; see\n"
    "       `beian verify certificate --help`)\n"
    "audit: recomputes the hash chain of the audit log; exit 0 when unbroken, 1 (naming the first\n"
    "bad entry) when not.\n"
    "materials:\n"
    "Re-hashes every stored material file (SHA-256) and prints one line per file that changed\n"
    "(\"changed <sha256> <path>\") or is missing (\"missing <sha256> <path>\"). Exit 0 when all are\n"
    "intact, 1 when any is not. Leftover temporary files of cut-off uploads are reported as a notice\n"
    "(count and bytes on disk; `beian serve` removes those older than an hour); they do not fail it.\n"
    "The data directory may also come from $BEIAN_DATA.\n";

int cmd_verify(int argc, char **argv)
{
    static const struct option opts[] = {
        {"data", required_argument, NULL, 'd'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0},
    };
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        fputs(VERIFY_HELP, stdout);
        return EXIT_OK;
    }
    if (argc >= 2 && (strcmp(argv[1], "certificate") == 0 || strcmp(argv[1], "receipt") == 0 ||
                      strcmp(argv[1], "checkpoint") == 0))
        return cmd_verify_proof(argc - 1, argv + 1);   /* offline, no data directory */
    bool audit = argc >= 2 && strcmp(argv[1], "audit") == 0;
    if (argc < 2 || (!audit && strcmp(argv[1], "materials") != 0))
        return cli_usage("verify", "what to verify: materials, audit, certificate, receipt or checkpoint");
    const char *data = NULL;
    int ch;
    optind = 1;
    while ((ch = getopt_long(argc - 1, argv + 1, "h", opts, NULL)) != -1) {
        switch (ch) {
        case 'd': data = optarg; break;
        case 'h': fputs(VERIFY_HELP, stdout); return EXIT_OK;
        default: return cli_usage("verify", "unknown option");
        }
    }
    if (optind < argc - 1) return cli_usage("verify", "unexpected argument");
    data = cli_data_dir(data);
    if (!data) return cli_usage("verify", "no data directory: give --data DIR or set BEIAN_DATA");
    struct app *a;
    if (cli_open(&a, data, false) != 0) return EXIT_FAIL;
    struct err e = {0};
    if (audit) {
        int rc = app_verify_audit(a, &e);
        app_close(a);
        if (rc != 0) {
            rc = cli_fail(&e);
            err_clear(&e);
            return rc;
        }
        fprintf(stderr, "beian: the audit chain is unbroken\n");
        return EXIT_OK;
    }
    size_t checked = 0;
    struct materials_tmp_report tmp = {0};
    int problems = materials_verify(a, stdout, &checked, &e);
    if (problems >= 0 && materials_tmp_sweep(a, 0, &tmp, &e) != 0) problems = -1;
    app_close(a);
    if (problems < 0) {
        int rc = cli_fail(&e);
        err_clear(&e);
        return rc;
    }
    fprintf(stderr, "beian: %zu material file(s) checked, %d problem(s)\n", checked, problems);
    if (tmp.left)   /* a notice, not a problem: `beian serve` removes them once an hour old */
        fprintf(stderr, "beian: notice: %zu leftover temporary upload file(s) in %s/materials/tmp, %llu bytes on disk\n",
                tmp.left, data, (unsigned long long)tmp.left_bytes);
    return problems ? EXIT_FAIL : EXIT_OK;
}
