/* mhd_floor.c — the floor libmicrohttpd sets for GET /api/v1/filings/{id} (bench/get.sh): a server
 * with beian's daemon settings (MHD_USE_AUTO, internal polling, a pool of N threads, the same
 * connection limits) answering every request with the same bytes from memory and the same
 * headers beian sends (security headers, ETag, Vary, a request id), doing nothing else: no
 * authentication, no database, no JSON, no log. What beian spends above this is beian's.
 * Usage: mhd_floor PORT THREADS BODY_FILE */
#include <microhttpd.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench_headers.h"

static char *body;
static size_t body_len;
static _Atomic uint_fast64_t served;

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                                  const char *version, const char *upload_data, size_t *upload_data_size,
                                  void **con_cls)
{
    (void)cls; (void)url; (void)method; (void)version; (void)upload_data;
    /* as beian does: the first call has the headers, the answer goes at the end of the request
     * (a response queued on the first call makes libmicrohttpd close the connection after it) */
    static int started;
    if (!*con_cls) { *con_cls = &started; return MHD_YES; }
    if (*upload_data_size) { *upload_data_size = 0; return MHD_YES; }
    char rid[20];
    snprintf(rid, sizeof rid, "%016jx", (uintmax_t)atomic_fetch_add(&served, 1));
    struct MHD_Response *res = MHD_create_response_from_buffer(body_len, body, MHD_RESPMEM_PERSISTENT);
    if (!res) return MHD_NO;
    bench_add_beian_headers(res, "application/json", "\"2-3.0123456789abcdef\"", rid);
    enum MHD_Result rc = MHD_queue_response(conn, MHD_HTTP_OK, res);
    MHD_destroy_response(res);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc != 4) { fprintf(stderr, "usage: %s PORT THREADS BODY_FILE\n", argv[0]); return 2; }
    FILE *f = fopen(argv[3], "rb");
    if (!f) { perror(argv[3]); return 1; }
    fseek(f, 0, SEEK_END);
    body_len = (size_t)ftell(f);
    rewind(f);
    body = malloc(body_len ? body_len : 1);
    if (!body || fread(body, 1, body_len, f) != body_len) { fprintf(stderr, "cannot read %s\n", argv[3]); return 1; }
    fclose(f);
    unsigned threads = (unsigned)atoi(argv[2]);
    struct MHD_Daemon *d = MHD_start_daemon(
        MHD_USE_AUTO | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG, (uint16_t)atoi(argv[1]), NULL, NULL,
        on_request, NULL, threads > 1 ? MHD_OPTION_THREAD_POOL_SIZE : MHD_OPTION_CONNECTION_TIMEOUT,
        threads > 1 ? threads : 10u, MHD_OPTION_CONNECTION_TIMEOUT, 10u,
        MHD_OPTION_CONNECTION_LIMIT, 1000u, MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024), MHD_OPTION_END);
    if (!d) { fprintf(stderr, "cannot listen on port %s\n", argv[1]); return 1; }
    for (;;) pause();
}
