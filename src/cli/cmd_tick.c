/* cmd_tick.c — `beian tick --data DIR`: the daily standing check of every filed record, the same
 * pass the server's timer makes (service/standing.h), by hand or from cron. Each record is checked
 * once a day: a second tick the same day changes nothing. */
#include "cli/cli.h"
#include "service/app.h"
#include "service/standing.h"
#include "service/test_clock.h"

#include <stdio.h>
#include <string.h>

static const char TICK_HELP[] =
    "usage: beian tick --data DIR\n"
    "Re-evaluates every filed record not yet checked today against the day and the policy pack in\n"
    "force, keeps what stands against it (expiring agreements and qualifications, stale scans,\n"
    "drills and training, inspections due) and records what appeared and cleared in the audit log.\n"
    "The running server does the same once a day. Prints: records checked, findings appeared, cleared.\n";

int cmd_tick(int argc, char **argv)
{
    const char *data = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(TICK_HELP, stdout);
            return EXIT_OK;
        }
        if (strcmp(argv[i], "--data") == 0 && i + 1 < argc) data = argv[++i];
        else return cli_usage("tick", "unknown argument (see beian tick --help)");
    }
    data = cli_data_dir(data);
    if (!data) return cli_usage("tick", "no data directory: give --data DIR or set BEIAN_DATA");
    test_clock_refresh();
    struct app *a;
    if (cli_open(&a, data, false) != 0) return EXIT_FAIL;
    struct standing_report rep;
    struct err e = {0};
    int rc = standing_tick(a, &rep, &e);
    if (rc == 0) printf("checked %d record(s): %d finding(s) appeared, %d cleared\n", rep.records, rep.appeared, rep.cleared);
    else rc = cli_fail(&e);
    err_clear(&e);
    app_close(a);
    return rc == 0 ? EXIT_OK : rc;
}
