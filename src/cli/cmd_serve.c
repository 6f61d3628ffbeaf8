/* cmd_serve.c — `beian serve`: open the data directory and serve HTTP until SIGINT/SIGTERM. */
#include "cli/cli.h"
#include "http/http.h"
#include "service/app.h"
#include "service/materials.h"
#include "service/proofs.h"
#include "http/cert_pdf.h"

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
        {"max-upload-mib", required_argument, NULL, 'm'}, {"quota-stored-mib", required_argument, NULL, 'S'},
        {"quota-inflight-mib", required_argument, NULL, 'F'}, {"uploads-per-user", required_argument, NULL, 'U'},
        {"public-url", required_argument, NULL, 'P'}, {"checkpoint-interval", required_argument, NULL, 'C'},
        {NULL, 0, NULL, 0},
    };
    const char *data = NULL, *listen = "127.0.0.1:8080";
    int threads = 8, ch;
    const char *public_url = NULL;
    long checkpoint_interval = 60;
    long max_upload_mib = 50, quota_stored_mib = 2048, quota_inflight_mib = 200, uploads_per_user = 4;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "d:l:t:h", opts, NULL)) != -1) {
        switch (ch) {
        case 'd': data = optarg; break;
        case 'l': listen = optarg; break;
        case 't': threads = atoi(optarg); break;
        case 'm': max_upload_mib = strtol(optarg, NULL, 10); break;
        case 'S': quota_stored_mib = strtol(optarg, NULL, 10); break;
        case 'F': quota_inflight_mib = strtol(optarg, NULL, 10); break;
        case 'U': uploads_per_user = strtol(optarg, NULL, 10); break;
        case 'P': public_url = optarg; break;
        case 'C': checkpoint_interval = strtol(optarg, NULL, 10); break;
        case 'h':
            printf("usage: beian serve [--data DIR] [--listen ADDR:PORT] [--threads N] [--max-upload-mib N]\n"
                   "                   [--quota-stored-mib N] [--quota-inflight-mib N] [--uploads-per-user N]\n"
                   "                   [--public-url URL] [--checkpoint-interval SECONDS]\n"
                   "Serves the API and the web UI. Defaults: --listen 127.0.0.1:8080, --threads 8,\n"
                   "--max-upload-mib 50 (the largest material upload);\n"
                   "per organisation --quota-stored-mib 2048 (materials stored) and --quota-inflight-mib 200\n"
                   "(uploads in progress), --uploads-per-user 4 (uploads in progress at once);\n"
                   "--public-url URL: where the public verification page is reached (the QR code of a\n"
                   "certificate PDF; default: the request's Host); --checkpoint-interval 60: seconds between\n"
                   "signed checkpoints of the audit log (printed to stderr when the log grew);\n"
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
    if (quota_stored_mib < 1 || quota_stored_mib > 1L << 30) return cli_usage("serve", "--quota-stored-mib must be 1 to 1073741824");
    if (quota_inflight_mib < 1 || quota_inflight_mib > 1L << 30)
        return cli_usage("serve", "--quota-inflight-mib must be 1 to 1073741824");
    if (uploads_per_user < 1 || uploads_per_user > 1000) return cli_usage("serve", "--uploads-per-user must be 1 to 1000");
    if (checkpoint_interval < 1 || checkpoint_interval > 86400)
        return cli_usage("serve", "--checkpoint-interval must be 1 to 86400 seconds");
    if (public_url && strncmp(public_url, "http://", 7) != 0 && strncmp(public_url, "https://", 8) != 0)
        return cli_usage("serve", "--public-url must start with http:// or https://");
    cert_pdf_set_public_url(public_url);
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
    a.quota_stored_bytes = (uint64_t)quota_stored_mib << 20;
    a.quota_inflight_bytes = (uint64_t)quota_inflight_mib << 20;
    a.uploads_per_user = (unsigned)uploads_per_user;
    struct err e = {0};
    /* Uploads cut off by a killed server leave their temporary files, space reserved. Nothing
     * locks the data directory against a second server, so only files untouched for an hour go:
     * an upload still arriving writes to its file far more often than that. */
    struct materials_tmp_report tmp;
    if (materials_tmp_sweep(&a, time(NULL) - 3600, &tmp, &e) != 0)
        fprintf(stderr, "beian: warning: %s\n", e.detail_en);
    else if (tmp.removed)
        fprintf(stderr, "beian: removed %zu temporary upload file(s) older than an hour\n", tmp.removed);
    err_clear(&e);
    /* the first signed checkpoint of the audit log before the first request (which also makes
     * the platform key and fixes the log's name when there is none yet) */
    proofs_publish_checkpoint(&a);
    struct http_server *srv = http_server_start(&a, host, port, (unsigned)threads, &e);
    if (!srv) {
        app_close(&a);
        int rc = cli_fail(&e);
        err_clear(&e);
        return rc;
    }
    fprintf(stderr, "beian: serving %s on http://%s:%d (policy %s@%s)\n", data, host, port, a.pack->id,
            a.pack->version);
    /* then a signed checkpoint every --checkpoint-interval seconds (printed when the log grew) */
    struct timespec every = {.tv_sec = checkpoint_interval};
    int sig = 0;
    for (;;) {
        sig = sigtimedwait(&stop_signals, NULL, &every);
        if (sig == SIGINT || sig == SIGTERM) break;
        proofs_publish_checkpoint(&a);
    }
    fprintf(stderr, "beian: stopping\n");
    http_server_stop(srv);
    cert_pdf_shutdown();
    app_close(&a);
    return EXIT_OK;
}
