/* cmd_serve.c — `beian serve`: open the data directory and serve HTTP until SIGINT/SIGTERM. */
#include "cli/cli.h"
#include "http/http.h"
#include "service/app.h"
#include "service/standing.h"
#include "service/auth.h"
#include "service/materials.h"
#include "service/proofs.h"
#include "http/cert_pdf.h"
#include "service/notify_sender.h"
#include "service/webhooks.h"

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
        {"trusted-proxy", required_argument, NULL, 'P'}, {"metrics-allow", required_argument, NULL, 'M'},
        {"tls-cert", required_argument, NULL, 'C'}, {"tls-key", required_argument, NULL, 'K'},
        {"max-connections-per-address", required_argument, NULL, 'N'},
        {"verify-per-minute", required_argument, NULL, 'V'},
        {"token-days", required_argument, NULL, 'D'}, {"token-max-days", required_argument, NULL, 'X'},
        {"public-url", required_argument, NULL, 'u'}, {"checkpoint-interval", required_argument, NULL, 'k'},
        {"webhook-allow-private", no_argument, NULL, 'W'},
        {"store", required_argument, NULL, 'Q'},
        {NULL, 0, NULL, 0},
    };
    const char *data = NULL, *listen = "127.0.0.1:8080";
    int threads = 8, ch;
    const char *public_url = NULL;
    long checkpoint_interval = 60;
    long max_upload_mib = 50, quota_stored_mib = 2048, quota_inflight_mib = 200, uploads_per_user = 4;
    long token_days = 90, token_max_days = 365;
    long per_address = HTTP_DEFAULT_CONNECTIONS_PER_ADDRESS, verify_per_minute = HTTP_DEFAULT_VERIFY_PER_MINUTE;
    /* issue 12: the network around the server (README, "Connections, TLS and public endpoints") */
    struct http_options net = {.trusted_proxies = getenv("BEIAN_TRUSTED_PROXIES"),
                               .metrics_token = getenv("BEIAN_METRICS_TOKEN")};
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
        case 'P': net.trusted_proxies = optarg; break;
        case 'M': net.metrics_allow = optarg; break;
        case 'C': net.tls_cert_file = optarg; break;
        case 'K': net.tls_key_file = optarg; break;
        case 'N': per_address = strtol(optarg, NULL, 10); break;
        case 'V': verify_per_minute = strtol(optarg, NULL, 10); break;
        case 'D': token_days = strtol(optarg, NULL, 10); break;
        case 'X': token_max_days = strtol(optarg, NULL, 10); break;
        case 'u': public_url = optarg; break;
        case 'k': checkpoint_interval = strtol(optarg, NULL, 10); break;
        case 'W': webhook_allow_private(true); break;
        case 'Q': setenv("BEIAN_STORE", optarg, 1); break;   /* app_open reads it */
        case 'h':
            printf("usage: beian serve [--data DIR] [--listen ADDR:PORT] [--threads N] [--max-upload-mib N]\n"
                   "                   [--quota-stored-mib N] [--quota-inflight-mib N] [--uploads-per-user N]\n"
                   "                   [--tls-cert FILE --tls-key FILE] [--trusted-proxy ADDR[/BITS],...]\n"
                   "                   [--metrics-allow ADDR[/BITS],...] [--max-connections-per-address N]\n"
                   "                   [--verify-per-minute N] [--token-days N] [--token-max-days N]\n"
                   "                   [--public-url URL] [--checkpoint-interval SECONDS] [--store URI]\n"
                   "Serves the API and the web UI. Defaults: --listen 127.0.0.1:8080, --threads 8,\n"
                   "--max-upload-mib 50 (the largest material upload);\n"
                   "per organisation --quota-stored-mib 2048 (materials stored) and --quota-inflight-mib 200\n"
                   "(uploads in progress), --uploads-per-user 4 (uploads in progress at once);\n"
                   "the data directory is --data or $BEIAN_DATA (create it with 'beian init').\n"
                   "  --tls-cert/--tls-key  serve HTTPS directly (PEM files); cookies get Secure, replies HSTS\n"
                   "  --trusted-proxy       peers whose X-Forwarded-For / X-Forwarded-Proto are believed\n"
                   "                        (default none; also $BEIAN_TRUSTED_PROXIES)\n"
                   "  --metrics-allow       who may read /metrics (default 127.0.0.0/8,::1); the bearer\n"
                   "                        token in $BEIAN_METRICS_TOKEN opens it from anywhere\n"
                   "  --max-connections-per-address  held at once by one client address (default 128;\n"
                   "                        trusted proxies exempt)\n"
                   "  --verify-per-minute   public filing-number checks per client address (default 60)\n"
                   "  --token-days          an API token's life when its request names none (default 90)\n"
                   "  --token-max-days      the longest life one may ask for (default and at most 365)\n"
                   "  --public-url URL      where the public verification page is reached (the QR code of a\n"
                   "                        certificate PDF; default: the request's Host)\n"
                   "  --checkpoint-interval seconds between signed checkpoints of the audit log (default 60)\n"
                   "  --store URI           keep the data in PostgreSQL (postgresql://…, also $BEIAN_STORE)\n"
                   "                        instead of SQLite in the data directory; several nodes may share it\n"
                   "  --webhook-allow-private  let webhooks target loopback and private addresses (also\n"
                   "                        $BEIAN_WEBHOOK_ALLOW_PRIVATE=1); e-mail: $BEIAN_SMTP_URL, $BEIAN_SMTP_FROM,\n"
                   "                        $BEIAN_SMTP_USER, $BEIAN_SMTP_PASSWORD\n");
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
    if (per_address < 1 || per_address > 100000) return cli_usage("serve", "--max-connections-per-address must be 1 to 100000");
    if (verify_per_minute < 1 || verify_per_minute > 1000000) return cli_usage("serve", "--verify-per-minute must be 1 to 1000000");
    if (!net.tls_cert_file != !net.tls_key_file) return cli_usage("serve", "--tls-cert and --tls-key go together");
    net.threads = (unsigned)threads;
    net.connections_per_address = (unsigned)per_address;
    net.verify_per_minute = (unsigned)verify_per_minute;
    if (token_max_days < 1 || token_max_days > 365) return cli_usage("serve", "--token-max-days must be 1 to 365");
    if (token_days < 1 || token_days > token_max_days)
        return cli_usage("serve", "--token-days must be 1 to --token-max-days");
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

    struct app *a;
    if (cli_open(&a, data, false) != 0) return EXIT_FAIL;
    app_set_limits(a, &(struct app_limits){.max_upload_bytes = (uint64_t)max_upload_mib * 1024 * 1024,
                                            .quota_stored_bytes = (uint64_t)quota_stored_mib << 20,
                                            .quota_inflight_bytes = (uint64_t)quota_inflight_mib << 20,
                                            .uploads_per_user = (unsigned)uploads_per_user,
                                            .token_days = (int)token_days,
                                            .token_max_days = (int)token_max_days});
    struct err e = {0};
    if (auth_serve_init(a, &e) != 0) { /* sign-in still works, without device cookies */
        fprintf(stderr, "beian: warning: %s; no device cookies\n", e.detail_en);
        err_clear(&e);
    }
    /* Uploads cut off by a killed server leave their temporary files, space reserved. Nothing
     * locks the data directory against a second server, so only files untouched for an hour go:
     * an upload still arriving writes to its file far more often than that. */
    struct materials_tmp_report tmp;
    if (materials_tmp_sweep(a, time(NULL) - 3600, &tmp, &e) != 0)
        fprintf(stderr, "beian: warning: %s\n", e.detail_en);
    else if (tmp.removed)
        fprintf(stderr, "beian: removed %zu temporary upload file(s) older than an hour\n", tmp.removed);
    err_clear(&e);
    /* the first signed checkpoint of the audit log before the first request (which also makes
     * the platform key and fixes the log's name when there is none yet) */
    proofs_publish_checkpoint(a);
    struct http_server *srv = http_server_start_with(a, host, port, &net, &e);
    if (!srv) {
        app_close(a);
        int rc = e.code == ERR_USAGE ? cli_usage("serve", e.detail_en) : cli_fail(&e);
        err_clear(&e);
        return rc;
    }
    fprintf(stderr, "beian: serving %s on %s://%s:%d (policy %s@%s)\n", data, net.tls_cert_file ? "https" : "http",
            host, port, app_default_pack(a)->id, app_default_pack(a)->version);
    struct standing_timer *timer = standing_timer_start(a);
    /* then a signed checkpoint every --checkpoint-interval seconds (printed when the log grew) */
    struct timespec every = {.tv_sec = checkpoint_interval};
    const char *allow = getenv("BEIAN_WEBHOOK_ALLOW_PRIVATE");
    if (allow && strcmp(allow, "1") == 0) webhook_allow_private(true);
    struct notify_sender *sender = notify_sender_start(a);   /* notifications: the outbox worker */
    int sig = 0;
    for (;;) {
        sig = sigtimedwait(&stop_signals, NULL, &every);
        if (sig == SIGINT || sig == SIGTERM) break;
        if (app_leads(a, "checkpoint")) proofs_publish_checkpoint(a);   /* one node signs */
    }
    fprintf(stderr, "beian: stopping\n");
    notify_sender_stop(sender);
    standing_timer_stop(timer);
    http_server_stop(srv);
    cert_pdf_shutdown();
    app_close(a);
    return EXIT_OK;
}
