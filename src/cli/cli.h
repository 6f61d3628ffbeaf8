/* cli.h — the subcommands of `beian` and what they share: the data directory, opening the
 * application, printing errors. Exit codes: 0 success, 1 failure, 2 usage. */
#ifndef BEIAN_CLI_H
#define BEIAN_CLI_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include "core/err.h"

struct app;
struct principal;

enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

struct cli_command {
    const char *name;
    int (*run)(int argc, char **argv);   /* argv[0] is the command name */
    const char *summary;
};

extern const struct cli_command CLI_COMMANDS[];

int cmd_serve(int argc, char **argv);
int cmd_init(int argc, char **argv);
int cmd_org(int argc, char **argv);
int cmd_user(int argc, char **argv);
int cmd_version(int argc, char **argv);
int cmd_validate(int argc, char **argv);
int cmd_policy(int argc, char **argv);
int cmd_workflow(int argc, char **argv);
/* policy install|impact|packs (argv[0] is the subcommand) */
int cmd_policy_admin(int argc, char **argv);
/* policy diff A B (cmd_policy_diff.c; argv[0] is the subcommand) */
int cmd_policy_diff(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_tick(int argc, char **argv);
/* verify certificate|receipt|checkpoint, offline (cmd_verify_proof.c; argv[0] is the subcommand) */
int cmd_verify_proof(int argc, char **argv);
/* keys list|export|rotate (cmd_keys.c) */
int cmd_keys(int argc, char **argv);
/* backup DEST / restore SRC (cmd_backup.c) */
int cmd_backup(int argc, char **argv);
int cmd_restore(int argc, char **argv);
/* export register|bundle (cmd_export.c) */
int cmd_export(int argc, char **argv);

/* The data directory: the --data value, else $BEIAN_DATA, else NULL. */
const char *cli_data_dir(const char *flag_value);
/* Open the app on the data dir; prints the error and returns -1 on failure. */
int cli_open(struct app **a, const char *data_dir, bool create);
/* Print an error as "beian: <en>" (and zh when LANG starts with zh). Returns EXIT_FAIL. */
int cli_fail(const struct err *e);
/* Print a usage error and the hint to --help. Returns EXIT_USAGE. */
int cli_usage(const char *cmd, const char *msg);
/* Read one line (the password) from stdin without its newline; -1 when none. */
int cli_read_secret(char *buf, size_t len);
/* Open the data directory, run create(app, the local operator, in), print the new id alone on
 * stdout; takes in. The exit status. */
/* The options of a `list` subcommand: --data DIR, --<filter> VALUE, --json, --help. Returns -1
 * when the command goes on (*data from --data or $BEIAN_DATA), else the exit status to return
 * (help printed, or a usage error). */
int cli_list_args(int argc, char **argv, const char *cmd, const char *help, const char *filter, const char **data,
                  const char **filter_value, bool *as_json);
typedef int64_t cli_create_fn(struct app *a, const struct principal *who, const json_t *in, struct err *e);
int cli_create_as_operator(const char *data_dir, json_t *in, cli_create_fn *create);

#endif
