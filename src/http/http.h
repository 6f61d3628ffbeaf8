/* http.h — the contract between the HTTP plumbing (server.c, router.c, reply.c) and the
 * endpoint handlers (api_*.c). A handler gets a fully read, bounded request and answers with
 * exactly one reply_* call. */
#ifndef BEIAN_HTTP_H
#define BEIAN_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <jansson.h>
#include <microhttpd.h>
#include "core/err.h"

#define HTTP_MAX_BODY (1024 * 1024)   /* JSON bodies: 1 MiB */
#define HTTP_MAX_PARAMS 4

struct app;        /* service/app.h */
struct principal;  /* service/auth.h */

struct http_hdr { char *name; char *value; struct http_hdr *next; };

/* Uploads (routes flagged ROUTE_UPLOAD): the body streams into a temporary file under
 * <data>/materials/tmp as it arrives, hashed on the way, bounded by the upload limit (app.h
 * max_upload_bytes, default HTTP_DEFAULT_MAX_UPLOAD) instead of HTTP_MAX_BODY; a Content-Length
 * above the limit is refused with 413 before any of the body is read.
 * The handler of such a route is called twice:
 *   1. when the headers are in (complete false, no file yet), after authentication and CSRF:
 *      it checks what it can without the body (query, tenancy) and replies only to refuse;
 *   2. when the whole body is on disk (complete true): path, fd, size and sha256 are set.
 * The server removes the temporary file when the request ends (completed, failed, cut off)
 * unless the handler took it (renamed it away and set path[0] = '\0'). */
#define HTTP_DEFAULT_MAX_UPLOAD ((uint64_t)50 * 1024 * 1024)
struct http_upload {
    bool complete;        /* the body is all there */
    char path[4200];      /* the temporary file; "" when none or taken */
    int fd;               /* the temporary file, open read/write; -1 when none */
    uint64_t size;        /* bytes received */
    char sha256[65];      /* of the whole body (lowercase hex), once complete */
};

struct http_req {
    struct MHD_Connection *conn;
    struct app *app;
    const char *method;               /* "GET", "POST", … */
    const char *path;                 /* URL path as sent (still percent-encoded), no query */
    const char *params[HTTP_MAX_PARAMS]; /* values of {placeholders} in route order */
    int nparams;
    char *body;                       /* NUL-terminated raw body, NULL when none */
    size_t body_len;
    struct http_upload *upload;       /* ROUTE_UPLOAD routes only (see above); else NULL */
    char request_id[20];
    char lang[3];                     /* "zh" (default) or "en": ?lang=, else Accept-Language */
    char client_ip[64];               /* the real client: the TCP peer, or behind a trusted proxy
                                         the address it names in X-Forwarded-For (server.c) */
    bool secure;                      /* came over TLS: served directly, or X-Forwarded-Proto https
                                         from a trusted proxy (cookies get Secure, replies HSTS) */
    struct principal *who;            /* NULL: anonymous; owned by the request */
    bool cookie_auth;                 /* authenticated by the session cookie (CSRF applies) */
    /* the reply (filled by reply_*) */
    int status;
    char *reply_body;
    size_t reply_len;
    const char *reply_type;
    struct http_hdr *reply_headers;
    bool replied;
    bool reply_from_fd;               /* reply_file: the body is reply_fd (owned until queued) */
    int reply_fd;
    uint64_t reply_fd_size;
    char *reply_gz;                   /* optional: the body already gzip-coded (web.c's cache), used
                                         instead of compressing when the client takes gzip */
    size_t reply_gz_len;
    char if_match[128];               /* http_if_match's copy */
    char created_id[64];              /* a 201's "id" member (reply_json): its Location, unless set */
    /* router-owned: the decoded path segments that params[] point into (router_params_free) */
    char *param_storage;
};

typedef int (*route_fn)(struct http_req *r);

enum route_flags {
    ROUTE_PUBLIC = 1u << 0,   /* no authentication needed */
    ROUTE_UPLOAD = 1u << 1,   /* streaming upload into a temporary file (struct http_upload) */
};

struct route {
    const char *method;
    const char *pattern;      /* "/api/v1/filings/{id}/actions/{action}" */
    route_fn fn;
    unsigned flags;
};

/* The API route table (api.c) — the single list of endpoints. */
extern const struct route API_ROUTES[];
extern const size_t API_ROUTES_COUNT;

/* Request accessors. */
const char *http_header(struct http_req *r, const char *name);
const char *http_query(struct http_req *r, const char *name);
/* 0 when every query parameter's name and value are UTF-8 without NUL (http_query would silently
 * cut a value at an encoded %00); else 400 in e. api_dispatch checks it for every API route. */
int http_query_check(struct http_req *r, struct err *e);
const char *http_cookie(struct http_req *r, const char *name);

/* Parse the body as JSON: 415 unless Content-Type is application/json (or +json, or
 * application/merge-patch+json); 400 with line/column when malformed; 400 when empty.
 * Must be an object unless allow_any. */
int http_body_json(struct http_req *r, json_t **out, bool allow_any, struct err *e);

/* Replies. Each returns 0. */
int reply_json(struct http_req *r, int status, json_t *body /* stolen */);
/* Like reply_json, but the members named in raw_members (NULL-terminated) hold JSON text as
 * strings, which is written into the reply as it is (already validated JSON from the store). */
int reply_json_spliced(struct http_req *r, int status, json_t *body /* stolen */, const char *const raw_members[]);
int reply_problem(struct http_req *r, const struct err *e);
int reply_error(struct http_req *r, enum err_code code, const char *en, const char *zh);
int reply_bytes(struct http_req *r, int status, const char *content_type, const void *data, size_t len);
int reply_empty(struct http_req *r, int status);
void reply_header(struct http_req *r, const char *name, const char *value);
/* Location: the path printf'd from fmt (e.g. "/api/v1/incidents/%lld"). A 201 without one gets
 * <request path>/<id of the body> when that names a route, else the request path (reply_finish.c). */
void reply_location(struct http_req *r, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* The If-Match header as the service compares it: a tag the client echoed from a gzip-coded
 * reply ("X-gz") stands for the representation ("X"). NULL when absent. Kept in r. */
const char *http_if_match(struct http_req *r);
/* Reply with size bytes read from fd (taken: closed by the server), sent by libmicrohttpd
 * straight from the file (sendfile where it can), never read into memory (upload.c). */
int reply_file(struct http_req *r, int status, const char *content_type, int fd, uint64_t size);

/* Upload plumbing used by server.c (upload.c). Each returns 0 or -1 with e set. */
/* An upload not begun (fd -1): set as r->upload while the route decides whether to take it. */
struct http_upload *http_upload_new(void);
/* Create the temporary file; declared_size (0: unknown) is reserved on the disk first, so a disk
 * without room refuses the upload (ERR_STORAGE_FULL) before its body is read. */
int http_upload_begin(struct http_req *r, uint64_t declared_size, struct err *e);
int http_upload_write(struct http_req *r, const void *data, size_t len, struct err *e);
int http_upload_finish(struct http_req *r, struct err *e);     /* complete: digest, rewind */
/* Drop the temporary file (if any, and not taken) and free r->upload. */
void http_upload_free(struct http_req *r);
/* The upload limit in bytes of this server (the app's setting or the default). */
uint64_t http_upload_limit(const struct http_req *r);

/* Everything the server adds to a reply once the handler has answered (reply_finish.c):
 * WWW-Authenticate on a 401, Location on a 201, an ETag on a JSON 200 to GET/HEAD (a hash of the
 * body unless the handler set one), 304 when If-None-Match matches, gzip when the client takes it
 * (with Vary: Accept-Encoding and the variant's ETag). */
void reply_finish(struct http_req *r);

/* Router: match method+path against the table; fills params. Returns the route, or NULL with
 * *path_matched set when the path exists for other methods (then allow[] gets "GET, POST"). */
const struct route *router_match(const struct route *table, size_t n, const char *method,
                                 const char *path, struct http_req *r, bool *path_matched,
                                 char *allow, size_t allow_len);

/* Called by the server for every request after the body is read: authenticates (unless the route
 * is public), checks CSRF for cookie sessions, calls the handler. Lives in api.c. */
int api_dispatch(struct http_req *r, const struct route *route);

/* Release what router_match allocated for the params (the server does this per request). */
void router_params_free(struct http_req *r);

/* Everything outside /api/ (web.c): the UI and its assets. Answers with one reply_* call. */
int web_dispatch(struct http_req *r);

/* For the request log: who made the request, e.g. "alice", or "-" when anonymous (api.c). */
const char *api_principal_label(struct http_req *r);

/* Free what api_dispatch attached to the request (r->who); called once per request (api.c). */
void api_request_free(struct http_req *r);

/* Request counters since start (server.c): {"requests_total":{"2xx":n,…},"aborted_total":n,
 * "duration_seconds_sum":x}. Caller owns the result. */
json_t *http_metrics_snapshot(void);

/* The same counters in Prometheus text exposition format. */
void http_metrics_prometheus(FILE *out);

/* Server lifecycle (server.c). */
struct http_server;
struct http_server *http_server_start(struct app *app, const char *listen_addr, int port,
                                      unsigned threads, struct err *e);

/* What `beian serve` may set about the network (issue 12); zero/NULL members take the defaults. */
#define HTTP_DEFAULT_CONNECTIONS_PER_ADDRESS 128u
#define HTTP_DEFAULT_VERIFY_PER_MINUTE 60u
#define HTTP_DEFAULT_METRICS_ALLOW "127.0.0.0/8,::1"
struct http_options {
    unsigned threads;
    const char *trusted_proxies;      /* "ADDR[/BITS],…": peers whose X-Forwarded-For/-Proto count */
    const char *metrics_allow;        /* who may read /metrics; NULL: HTTP_DEFAULT_METRICS_ALLOW */
    const char *metrics_token;        /* bearer token that opens /metrics from anywhere; NULL: none */
    unsigned connections_per_address; /* held at once by one address (trusted proxies exempt) */
    unsigned verify_per_minute;       /* public filing-number checks per client address */
    const char *tls_cert_file;        /* PEM; both or neither: serve HTTPS directly */
    const char *tls_key_file;
};
/* As http_server_start, with options; ERR_USAGE for an option that does not parse. */
struct http_server *http_server_start_with(struct app *app, const char *listen_addr, int port,
                                           const struct http_options *opt, struct err *e);
void http_server_stop(struct http_server *s);

/* The TCP port actually bound (useful when started with port 0). */
int http_server_port(const struct http_server *s);

#endif
