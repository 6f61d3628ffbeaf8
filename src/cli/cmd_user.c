/* cmd_user.c — `beian user add|list|passwd`: users from the command line (as the local operator).
 * Passwords are read from standard input, never from the command line. */
#include "cli/cli.h"
#include "service/app.h"
#include "service/auth.h"
#include "service/orgs.h"

#include <getopt.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char USER_HELP[] =
    "usage: beian user add --data DIR --org ID --login LOGIN --role ROLE [--role ROLE ...] [--name NAME]\n"
    "                      --password-stdin\n"
    "       beian user list --data DIR [--org ID] [--json]\n"
    "       beian user passwd --data DIR --login LOGIN --password-stdin [--keep-tokens]\n"
    "Roles: enterprise filer, checker, org_admin; provider provider, org_admin; authority reviewer,\n"
    "authority_admin; platform admin. The password (at least 10 characters, not built on a dictionary\n"
    "word, without the login or name: cracklib) is the first line of stdin. passwd ends the user's\n"
    "sessions and revokes its API tokens, unless --keep-tokens.\n";

static int user_add(int argc, char **argv)
{
    static const struct option opts[] = {
        {"data", required_argument, NULL, 'd'}, {"org", required_argument, NULL, 'o'},
        {"login", required_argument, NULL, 'l'}, {"role", required_argument, NULL, 'r'},
        {"name", required_argument, NULL, 'n'}, {"password-stdin", no_argument, NULL, 'p'},
        {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0},
    };
    const char *data = NULL, *org = NULL, *login = NULL, *name = NULL;
    bool pw_stdin = false;
    json_t *roles = json_array();
    int ch;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (ch) {
        case 'd': data = optarg; break;
        case 'o': org = optarg; break;
        case 'l': login = optarg; break;
        case 'n': name = optarg; break;
        case 'r': json_array_append_new(roles, json_string(optarg)); break;
        case 'p': pw_stdin = true; break;
        case 'h': json_decref(roles); fputs(USER_HELP, stdout); return EXIT_OK;
        default: json_decref(roles); return cli_usage("user", "unknown option");
        }
    }
    if (optind < argc || !org || !login || json_array_size(roles) == 0 || !pw_stdin) {
        json_decref(roles);
        return cli_usage("user", "add needs --org, --login, at least one --role and --password-stdin");
    }
    data = cli_data_dir(data);
    if (!data) { json_decref(roles); return cli_usage("user", "no data directory: give --data DIR or set BEIAN_DATA"); }
    char *end;
    long long org_id = strtoll(org, &end, 10);
    if (*end || org_id <= 0) { json_decref(roles); return cli_usage("user", "--org must be an organisation id"); }
    char pw[300];
    if (cli_read_secret(pw, sizeof pw) != 0) { json_decref(roles); return cli_usage("user", "no password on stdin"); }
    json_t *in = json_pack("{s:I s:s s:o s:s}", "org_id", (json_int_t)org_id, "login", login, "roles", roles,
                           "password", pw);
    sodium_memzero(pw, sizeof pw);
    if (!in) return cli_usage("user", "arguments must be valid UTF-8");
    if (name) json_object_set_new(in, "name", json_string(name));
    return cli_create_as_operator(data, in, user_create);
}

static int user_list_cmd(int argc, char **argv)
{
    const char *data, *org;
    bool as_json;
    int done = cli_list_args(argc, argv, "user", USER_HELP, "org", &data, &org, &as_json);
    if (done >= 0) return done;
    long long org_id = 0;
    if (org) {
        char *end;
        org_id = strtoll(org, &end, 10);
        if (*end || org_id <= 0) return cli_usage("user", "--org must be an organisation id");
    }
    struct app *a;
    if (cli_open(&a, data, false) != 0) return EXIT_FAIL;
    struct principal op;
    principal_operator(&op);
    struct err e = {0};
    json_t *list = user_list(a, &op, org_id, &e);
    if (as_json) {
        json_dumpf(list, stdout, JSON_INDENT(2));
        putchar('\n');
    } else {
        size_t i;
        json_t *u;
        printf("%-5s %-5s %-20s %s\n", "ID", "ORG", "LOGIN", "ROLES");
        json_array_foreach(list, i, u) {
            char roles[128] = "";
            size_t k;
            json_t *r;
            json_array_foreach(json_object_get(u, "roles"), k, r) {
                strncat(roles, k ? "," : "", sizeof roles - strlen(roles) - 1);
                strncat(roles, json_string_value(r), sizeof roles - strlen(roles) - 1);
            }
            printf("%-5lld %-5lld %-20s %s\n", (long long)json_integer_value(json_object_get(u, "id")),
                   (long long)json_integer_value(json_object_get(u, "org_id")),
                   json_string_value(json_object_get(u, "login")), roles);
        }
    }
    json_decref(list);
    err_clear(&e);
    app_close(a);
    return EXIT_OK;
}

static int user_passwd(int argc, char **argv)
{
    static const struct option opts[] = {{"data", required_argument, NULL, 'd'}, {"login", required_argument, NULL, 'l'},
                                         {"password-stdin", no_argument, NULL, 'p'}, {"help", no_argument, NULL, 'h'},
                                         {"keep-tokens", no_argument, NULL, 'k'}, {NULL, 0, NULL, 0}};
    const char *data = NULL, *login = NULL;
    bool pw_stdin = false, keep_tokens = false;
    int ch;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (ch) {
        case 'd': data = optarg; break;
        case 'l': login = optarg; break;
        case 'p': pw_stdin = true; break;
        case 'k': keep_tokens = true; break;
        case 'h': fputs(USER_HELP, stdout); return EXIT_OK;
        default: return cli_usage("user", "unknown option");
        }
    }
    if (optind < argc || !login || !pw_stdin) return cli_usage("user", "passwd needs --login and --password-stdin");
    data = cli_data_dir(data);
    if (!data) return cli_usage("user", "no data directory: give --data DIR or set BEIAN_DATA");
    char pw[300];
    if (cli_read_secret(pw, sizeof pw) != 0) return cli_usage("user", "no password on stdin");
    struct app *a;
    if (cli_open(&a, data, false) != 0) return EXIT_FAIL;
    struct principal op;
    principal_operator(&op);
    struct err e = {0};
    int rc = user_set_password(a, &op, login, NULL, pw, !keep_tokens, &e) == 0 ? EXIT_OK : cli_fail(&e);
    sodium_memzero(pw, sizeof pw);
    err_clear(&e);
    app_close(a);
    return rc;
}

int cmd_user(int argc, char **argv)
{
    if (argc < 2) return cli_usage("user", "give a subcommand: add, list or passwd");
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) { fputs(USER_HELP, stdout); return EXIT_OK; }
    if (strcmp(argv[1], "add") == 0) return user_add(argc - 1, argv + 1);
    if (strcmp(argv[1], "list") == 0) return user_list_cmd(argc - 1, argv + 1);
    if (strcmp(argv[1], "passwd") == 0) return user_passwd(argc - 1, argv + 1);
    return cli_usage("user", "unknown subcommand (add, list, passwd)");
}
