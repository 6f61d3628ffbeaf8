/* cmd_serve.c — `beian serve`: open the data directory and serve HTTP until SIGINT/SIGTERM. */
#include "cli/cli.h"
#include "http/http.h"
#include "service/app.h"
#include "service/auth.h"
#include "service/materials.h"

#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int cmd_serve(int argc, char **argv)
{
    static const struct option opts[] = {
        {"data", required_argument, NULL, 'd'}, {"listen", required_argument, NULL, 'l'},
        {"threads", required_argument, NULL, 't'}, {"help", no_argument, NULL, 'h'},
        {"max-upload-mib", required_argument, NULL, 'm'},
        {"token-days", required_argument, NULL, 'T'}, {"token-max-days", required_argument, NULL, 'M'},
        {NULL, 0, NULL, 0},
    };
    const char *data = NULL, *listen = "127.0.0.1:8080";
    int threads = 8, ch;
    long max_upload_mib = 50, token_days = 90, token_max_days = 365;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "d:l:t:h", opts, NULL)) != -1) {
        switch (ch) {
        case 'd': data = optarg; break;
        case 'l': listen = optarg; break;
        case 't': threads = atoi(optarg); break;
        case 'm': max_upload_mib = strtol(optarg, NULL, 10); break;
        case 'T': token_days = strtol(optarg, NULL, 10); break;
        case 'M': token_max_days = strtol(optarg, NULL, 10); break;
        case 'h':
            printf("usage: beian serve [--data DIR] [--listen ADDR:PORT] [--threads N] [--max-upload-mib N]\n"
                   "                   [--token-days N] [--token-max-days N]\n"
                   "Serves the API and the web UI. Defaults: --listen 127.0.0.1:8080, --threads 8,\n"
                   "--max-upload-mib 50 (the largest material upload);\n"
                   "--token-days 90 (an API token's life when its request names none),\n"
                   "--token-max-days 365 (the longest one may ask for; at most 365);\n"
                   "the data directory is --data or $BEIAN_DATA (create it with 'beian init').\n");
            return EXIT_OK;
        default: return cli_usage("serve", "unknown option");
        }
    }
    if (optind < argc) return cli_usage("serve", "unexpected argument");
    data = cli_data_dir(data);
    if (!data) return cli_usage("serve", "no data directory: give --data DIR or set BEIAN_DATA");
    if (threads < 1 || threads > 256) return cli_usage("serve", "--threads must be 1 to 256");
    if (max_upload_mib < 1 || max_upload_mib > 1048576) return cli_usage("serve", "--max-upload-mib must be 1 to 1048576");
    if (token_max_days < 1 || token_max_days > 365) return cli_usage("serve", "--token-max-days must be 1 to 365");
    if (token_days < 1 || token_days > token_max_days)
        return cli_usage("serve", "--token-days must be 1 to --token-max-days");
    char host[256];
    const char *colon = strrchr(listen, ':');
    int port = colon ? atoi(colon + 1) : 0;
    if (!colon || port <= 0 || port > 65535 || (size_t)(colon - listen) >= sizeof host)
        return cli_usage("serve", "--listen must be ADDR:PORT, e.g. 127.0.0.1:8080");
    snprintf(host, sizeof host, "%.*s", (int)(colon - listen), listen);

    /* SIGINT/SIGTERM are blocked before any thread exists, so every thread (store writer, HTTP
     * workers, hashing threads) inherits the mask and the signal stays pending until sigwait below
     * takes it. A handler plus `while (!flag) pause();` lost the wakeup whenever the signal ran on
     * another thread or between the test and pause() — the server then never stopped (seen under
     * valgrind, where the harness's SIGTERM hung the auth and overrides suites). */
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);
    signal(SIGPIPE, SIG_IGN);

    struct app a;
    if (cli_open(&a, data, false) != 0) return EXIT_FAIL;
    a.max_upload_bytes = (uint64_t)max_upload_mib * 1024 * 1024;
    a.token_days = (int)token_days;
    a.token_max_days = (int)token_max_days;
    struct err e = {0};
    if (auth_serve_init(&a, &e) != 0) { /* sign-in still works, without device cookies */
        fprintf(stderr, "beian: warning: %s; no device cookies\n", e.detail_en);
        err_clear(&e);
    }
    /* Uploads cut off by a killed server leave their temporary files, space reserved. Nothing
     * locks the data directory against a second server, so only files untouched for an hour go:
     * an upload still arriving writes to its file far more often than that. */
    struct materials_tmp_report tmp;
    if (materials_tmp_sweep(&a, time(NULL) - 3600, &tmp, &e) != 0)
        fprintf(stderr, "beian: warning: %s\n", e.detail_en);
    else if (tmp.removed)
        fprintf(stderr, "beian: removed %zu temporary upload file(s) older than an hour\n", tmp.removed);
    err_clear(&e);
    struct http_server *srv = http_server_start(&a, host, port, (unsigned)threads, &e);
    if (!srv) {
        app_close(&a);
        int rc = cli_fail(&e);
        err_clear(&e);
        return rc;
    }
    fprintf(stderr, "beian: serving %s on http://%s:%d (policy %s@%s)\n", data, host, port, a.pack->id,
            a.pack->version);
    int sig = 0;
    while (sigwait(&stop_signals, &sig) != 0) {}
    fprintf(stderr, "beian: stopping\n");
    http_server_stop(srv);
    app_close(&a);
    return EXIT_OK;
}
