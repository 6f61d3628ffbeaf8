/* main.c — `beian`: the server and the command line, git-style subcommands from one table. */
#include "cli/cli.h"
#include "core/sha256.h"
#include "config.h"

#include <stdio.h>
#include <string.h>

const struct cli_command CLI_COMMANDS[] = {
    {"serve", cmd_serve, "run the server (HTTP API and web UI)"},
    {"init", cmd_init, "create a data directory (--demo: with demo organisations and users)"},
    {"org", cmd_org, "add or list organisations"},
    {"user", cmd_user, "add or list users, set a password"},
    {"workflow", cmd_workflow, "print the workflow table (states, actions, roles)"},
    {"validate", cmd_validate, "check a filing document against a policy pack, offline"},
    {"policy", cmd_policy, "test, lint or list the rules of a policy pack"},
    {"verify", cmd_verify, "check stored material files against their hashes"},
    {"tick", cmd_tick, "run the daily standing check of every filed record"},
    {"verify", cmd_verify, "check material files, the audit chain, or offline a certificate, receipt, checkpoint"},
    {"keys", cmd_keys, "list, export or rotate the signing keys"},
    {"export", cmd_export, "export the register (CSV, XLSX) or one filing's record (JSON)"},
    {"backup", cmd_backup, "make a consistent online copy of a data directory"},
    {"restore", cmd_restore, "restore a backup into a new data directory"},
    {"version", cmd_version, "print the version"},
    {NULL, NULL, NULL},
};

static void usage(FILE *out)
{
    fprintf(out, "beian — filing of business systems moved to the cloud (业务系统上云备案)\n\n"
                 "usage: beian <command> [options]   (beian <command> --help for its options)\n\ncommands:\n");
    for (const struct cli_command *c = CLI_COMMANDS; c->name; c++) fprintf(out, "  %-9s %s\n", c->name, c->summary);
    fprintf(out, "\nThe data directory is --data DIR, or $BEIAN_DATA.\n");
}

int cmd_version(int argc, char **argv)
{
    if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        printf("usage: beian version\nPrints the version of beian.\n");
        return EXIT_OK;
    }
    if (argc > 1) return cli_usage("version", "takes no arguments");
    printf("beian %s\n", BEIAN_VERSION);
    printf("sha256: %s\n", sha256_implementation());   /* sha-ni or portable (bench/upload.sh) */
    return EXIT_OK;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return EXIT_OK;
    }
    if (strcmp(argv[1], "--version") == 0) return cmd_version(1, argv + 1);
    for (const struct cli_command *c = CLI_COMMANDS; c->name; c++)
        if (strcmp(argv[1], c->name) == 0) return c->run(argc - 1, argv + 1);
    fprintf(stderr, "beian: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return EXIT_USAGE;
}
