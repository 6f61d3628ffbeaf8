/* cmd_keys.c — `beian keys list|export|rotate`: the signing keys of the authorities and the
 * platform (files under <data>/keys, on PostgreSQL the deployment's rows: store/keys.h). export prints the public keys as the server
 * publishes them (/.well-known/beian-keys.json), for `beian verify … --key`. */
#include "cli/cli.h"
#include "service/app.h"
#include "service/auth.h"
#include "service/proofs.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char KEYS_HELP[] =
    "usage: beian keys list|export --data DIR\n"
    "       beian keys rotate --data DIR (--org ID | --platform)\n"
    "list:   one line per public key: owner, key id, created, retired or current.\n"
    "export: the published keys as JSON (what /.well-known/beian-keys.json serves), for\n"
    "        `beian verify certificate|receipt|checkpoint --key FILE`.\n"
    "rotate: a new signing key for the authority ID (or the platform, which signs the audit log's\n"
    "        checkpoints); the old secret key is removed, its public key stays published so what it\n"
    "        signed stays verifiable. Audited. Prints the new key id.\n"
    "The secret keys live in DIR/keys (0700; never in the database, backups or answers); on\n"
    "PostgreSQL in the database, one set for every node (never in `beian backup` or answers).\n";

int cmd_keys(int argc, char **argv)
{
    static const struct option opts[] = {
        {"data", required_argument, NULL, 'd'}, {"org", required_argument, NULL, 'o'},
        {"platform", no_argument, NULL, 'p'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0},
    };
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        if (argc >= 2) { fputs(KEYS_HELP, stdout); return EXIT_OK; }
        return cli_usage("keys", "what to do: list, export or rotate");
    }
    const char *sub = argv[1];
    if (strcmp(sub, "list") != 0 && strcmp(sub, "export") != 0 && strcmp(sub, "rotate") != 0)
        return cli_usage("keys", "what to do: list, export or rotate");
    const char *data = NULL, *org = NULL;
    bool platform = false;
    int ch;
    optind = 1;
    while ((ch = getopt_long(argc - 1, argv + 1, "h", opts, NULL)) != -1) {
        switch (ch) {
        case 'd': data = optarg; break;
        case 'o': org = optarg; break;
        case 'p': platform = true; break;
        case 'h': fputs(KEYS_HELP, stdout); return EXIT_OK;
        default: return cli_usage("keys", "unknown option");
        }
    }
    if (optind < argc - 1) return cli_usage("keys", "unexpected argument");
    data = cli_data_dir(data);
    if (!data) return cli_usage("keys", "no data directory: give --data DIR or set BEIAN_DATA");
    int64_t org_id = 0;
    if (strcmp(sub, "rotate") == 0) {
        if (!!org == platform) return cli_usage("keys", "rotate needs --org ID or --platform");
        if (org && (org_id = strtoll(org, NULL, 10)) <= 0) return cli_usage("keys", "--org needs an organisation id");
    } else if (org || platform) {
        return cli_usage("keys", "--org and --platform are for rotate");
    }
    struct app *a;
    if (cli_open(&a, data, false) != 0) return EXIT_FAIL;
    struct err e = {0};
    int rc = EXIT_OK;
    if (strcmp(sub, "rotate") == 0) {
        struct principal op;
        principal_operator(&op);
        char id[17];
        if (proofs_rotate(a, &op, org_id, id, &e) != 0) rc = cli_fail(&e);
        else printf("%s\n", id);
    } else {
        json_t *keys = proofs_keys(a, &e);
        if (!keys) rc = cli_fail(&e);
        else if (strcmp(sub, "export") == 0) {
            json_dumpf(keys, stdout, JSON_INDENT(1) | JSON_SORT_KEYS);
            putchar('\n');
        } else {
            size_t i;
            json_t *k;
            json_array_foreach(json_object_get(keys, "keys"), i, k)
                printf("%-9s %s %s %s\n", json_string_value(json_object_get(k, "owner")),
                       json_string_value(json_object_get(k, "key_id")), json_string_value(json_object_get(k, "created_at")),
                       json_is_true(json_object_get(k, "current")) ? "current"
                       : json_object_get(k, "retired_at") ? "retired" : "-");
        }
        json_decref(keys);
    }
    err_clear(&e);
    app_close(a);
    return rc;
}
