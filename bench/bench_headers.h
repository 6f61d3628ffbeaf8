/* bench_headers.h — the response headers beian sends with every JSON reply (src/http/server.c,
 * reply_finish.c), for the floors that answer as beian does (mhd_floor.c, put_floor.c --contract). */
#ifndef BEIAN_BENCH_HEADERS_H
#define BEIAN_BENCH_HEADERS_H

#include <microhttpd.h>

static inline void bench_add_beian_headers(struct MHD_Response *res, const char *type, const char *etag,
                                           const char *request_id)
{
    MHD_add_response_header(res, "Content-Type", type);
    MHD_add_response_header(res, "ETag", etag);
    MHD_add_response_header(res, "Vary", "Accept-Encoding");
    MHD_add_response_header(res, "X-Request-Id", request_id);
    MHD_add_response_header(res, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(res, "Content-Security-Policy",
                            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                            "object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'");
    MHD_add_response_header(res, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(res, "X-Frame-Options", "DENY");
    MHD_add_response_header(res, "Cache-Control", "no-store");
}

#endif
