/* server.c — the libmicrohttpd daemon: reads and bounds each request, routes it (/api/ through
 * the route table and api_dispatch, everything else to web_dispatch), queues the reply with the
 * security headers, and writes one log line per request.
 *
 * Life of a request:
 *   on_uri        MHD has the request line: allocate the request and keep the raw path. MHD
 *                 percent-decodes the url it hands to the access handler, which would turn
 *                 "/filings/a%2Fb" into three segments; the router must see the path as sent.
 *   on_request    called once after the headers (validate, early 413), once per body chunk
 *                 (append, bounded), once at the end (dispatch, queue the reply).
 *   on_completed  log, count, free.
 * A response queued before the body was read makes MHD discard the body and close the
 * connection afterwards, which is what we want for a 413 or 400 on the headers alone.
 *
 * The network around a request (issue 12, see net.h and docs/reliability.md): the client is the TCP
 * peer unless that peer is a trusted proxy, then the address the proxy names in X-Forwarded-For;
 * one address holds at most so many connections (trusted proxies exempt, they carry everyone);
 * HTTPS may be served directly (GnuTLS through MHD), and a request that came over TLS gets HSTS and
 * Secure cookies; /metrics answers only allowed addresses or its token; the public verification
 * is rate-limited per client address.
 *
 * The only shared mutable state is the metrics counters (atomics) and the per-address tables
 * (limits.c); everything else belongs to one request, which MHD processes in one thread at a time. */
#include "http/http.h"
#include "http/api.h"
#include "http/net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define HTTP_MAX_PATH 2048
/* Idle timeouts (libmicrohttpd 0.9 has no other kind): a new connection has 10 s between bytes
 * until its first request's headers are in, then 30 s (bodies, keep-alive). */
#define HTTP_HEADER_TIMEOUT_S 10u
#define HTTP_CONNECTION_TIMEOUT_S 30u
#define HTTP_CONNECTION_LIMIT 1000u
#define HTTP_MAX_XFF_HEADERS 16
#define TLS_MAX_PEM ((size_t)1 << 20)
/* A year; without includeSubDomains, which would bind every other host of the domain too. */
#define HSTS_VALUE "max-age=31536000"
/* An oversized body without Content-Length is read and thrown away so the client gets its 413;
 * past this much the connection is simply closed. */
#define HTTP_MAX_DISCARD ((size_t)16 * HTTP_MAX_BODY)
#define BODY_INITIAL_CAPACITY 16384

static const char CONTENT_SECURITY_POLICY[] =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

struct http_server {
    struct MHD_Daemon *daemon;
    struct app *app;
    struct net_list trusted;          /* proxies whose X-Forwarded-For/-Proto count */
    struct net_list metrics_allow;    /* who may read /metrics */
    char *metrics_token;              /* NULL: none */
    struct net_conn_table *conns;     /* connections held per address */
    struct net_buckets *verify;       /* public verification, per client address */
    bool tls;
    char *tls_cert, *tls_key;         /* PEM, kept while the daemon runs */
    union {
        struct sockaddr any;
        struct sockaddr_in v4;
        struct sockaddr_in6 v6;
    } bind_addr;
};

/* What the server keeps per request besides what handlers see. */
struct server_request {
    struct http_req req;          /* first member: handlers only ever see this */
    struct http_server *server;
    struct net_addr client;       /* r->client_ip, parsed */
    char *raw_path;               /* as sent (percent-encoded), without the query */
    char *method;
    bool started;                 /* the access handler has seen the request */
    bool answered;                /* a response is queued */
    bool body_too_large;
    const struct route *route;    /* matched once, on the headers (NULL: none for this method) */
    bool path_matched;            /* the path is a route's, for other methods (then allow[]) */
    char allow[128];
    const struct route *upload_route; /* route, when it is a ROUTE_UPLOAD one */
    struct err upload_err;        /* the upload failed while streaming (disk full, …) */
    size_t body_capacity;
    size_t discarded;
    struct timespec started_at;   /* CLOCK_MONOTONIC */
};

/* ---- metrics ---------------------------------------------------------------------------- */

static const char *const STATUS_CLASS[] = {"1xx", "2xx", "3xx", "4xx", "5xx"};
static _Atomic uint_fast64_t metric_requests[5];   /* answered, by status class */
static _Atomic uint_fast64_t metric_aborted;       /* ended without a complete answer */
static _Atomic uint_fast64_t metric_duration_us;   /* over all requests counted above */
static _Atomic uint_fast64_t metric_refused;       /* connections closed at accept: per-address limit */

static void metrics_count(int status, bool completed, uint_fast64_t duration_us)
{
    if (completed && status >= 100 && status <= 599)
        atomic_fetch_add_explicit(&metric_requests[status / 100 - 1], 1, memory_order_relaxed);
    else
        atomic_fetch_add_explicit(&metric_aborted, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&metric_duration_us, duration_us, memory_order_relaxed);
}

json_t *http_metrics_snapshot(void)
{
    json_t *by_class = json_object();
    for (size_t i = 0; i < 5; i++)
        json_object_set_new(by_class, STATUS_CLASS[i],
                            json_integer((json_int_t)atomic_load(&metric_requests[i])));
    return json_pack("{s:o, s:I, s:f}", "requests_total", by_class,
                     "aborted_total", (json_int_t)atomic_load(&metric_aborted),
                     "duration_seconds_sum", (double)atomic_load(&metric_duration_us) / 1e6);
}

void http_metrics_prometheus(FILE *out)
{
    uint_fast64_t total = atomic_load(&metric_aborted);
    fputs("# HELP beian_http_requests_total HTTP requests answered, by status class.\n"
          "# TYPE beian_http_requests_total counter\n", out);
    for (size_t i = 0; i < 5; i++) {
        uint_fast64_t n = atomic_load(&metric_requests[i]);
        total += n;
        fprintf(out, "beian_http_requests_total{class=\"%s\"} %ju\n", STATUS_CLASS[i], (uintmax_t)n);
    }
    fprintf(out, "# HELP beian_http_requests_aborted_total HTTP requests that ended without a "
                 "complete answer (client gone, timeout, oversized upload).\n"
                 "# TYPE beian_http_requests_aborted_total counter\n"
                 "beian_http_requests_aborted_total %ju\n",
            (uintmax_t)atomic_load(&metric_aborted));
    fprintf(out, "# HELP beian_http_request_duration_seconds Time from request line to last byte.\n"
                 "# TYPE beian_http_request_duration_seconds summary\n"
                 "beian_http_request_duration_seconds_sum %.6f\n"
                 "beian_http_request_duration_seconds_count %ju\n",
            (double)atomic_load(&metric_duration_us) / 1e6, (uintmax_t)total);
    fprintf(out, "# HELP beian_http_connections_refused_total Connections closed at accept because their "
                 "address already held its limit.\n"
                 "# TYPE beian_http_connections_refused_total counter\n"
                 "beian_http_connections_refused_total %ju\n",
            (uintmax_t)atomic_load(&metric_refused));
}

/* ---- request setup ---------------------------------------------------------------------- */

/* 16 hex digits of a ChaCha20 stream keyed once per thread from the system's randomness, the seed
 * counted up per request: as unpredictable as a fresh random draw, without a system call each. */
static void fill_request_id(struct http_req *r)
{
    static _Thread_local unsigned char seed[randombytes_SEEDBYTES];
    static _Thread_local bool seeded;
    if (!seeded) {
        randombytes_buf(seed, sizeof seed);
        seeded = true;
    }
    sodium_increment(seed, sizeof seed);
    unsigned char random[8];
    randombytes_buf_deterministic(random, sizeof random, seed);
    sodium_bin2hex(r->request_id, sizeof r->request_id, random, sizeof random);
}

struct header_values { const char *name; const char *v[HTTP_MAX_XFF_HEADERS]; size_t n; };

static enum MHD_Result collect_header(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    struct header_values *h = cls;
    if (key && value && strcasecmp(key, h->name) == 0) {
        if (h->n == HTTP_MAX_XFF_HEADERS) {   /* keep the last ones: the nearest hops */
            memmove(h->v, h->v + 1, (HTTP_MAX_XFF_HEADERS - 1) * sizeof h->v[0]);
            h->n--;
        }
        h->v[h->n++] = value;
    }
    return MHD_YES;
}

/* The client and whether it came over TLS: the TCP peer, or what a trusted proxy says. */
static void fill_client(struct http_server *s, struct server_request *sr)
{
    struct http_req *r = &sr->req;
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    struct net_addr peer;
    r->secure = s->tls;
    if (!info || !net_addr_from_sockaddr(info->client_addr, &peer)) {
        snprintf(r->client_ip, sizeof r->client_ip, "-");
        return;
    }
    sr->client = peer;
    if (s->trusted.n && net_list_contains(&s->trusted, &peer)) {
        struct header_values xff = {.name = "X-Forwarded-For"};
        MHD_get_connection_values(r->conn, MHD_HEADER_KIND, collect_header, &xff);
        net_real_client(&peer, &s->trusted, xff.v, xff.n, &sr->client);
        /* the nearest proxy's word: the last value of the last header */
        struct header_values proto = {.name = "X-Forwarded-Proto"};
        MHD_get_connection_values(r->conn, MHD_HEADER_KIND, collect_header, &proto);
        if (proto.n) {
            const char *last = strrchr(proto.v[proto.n - 1], ',');
            last = last ? last + 1 : proto.v[proto.n - 1];
            while (*last == ' ' || *last == '\t') last++;
            if (strncasecmp(last, "https", 5) == 0 && (last[5] == '\0' || last[5] == ' ' || last[5] == '\t'))
                r->secure = true;
        }
    }
    net_addr_format(&sr->client, r->client_ip, sizeof r->client_ip);
}

/* ?lang=zh|en wins, then an Accept-Language that starts with "en", else Chinese. */
static void fill_lang(struct http_req *r)
{
    const char *query = http_query(r, "lang");
    const char *accept = http_header(r, MHD_HTTP_HEADER_ACCEPT_LANGUAGE);
    bool english;
    if (query && (strcmp(query, "en") == 0 || strcmp(query, "zh") == 0))
        english = strcmp(query, "en") == 0;
    else {
        while (accept && (*accept == ' ' || *accept == '\t')) accept++;
        english = accept && strncasecmp(accept, "en", 2) == 0;
    }
    snprintf(r->lang, sizeof r->lang, "%s", english ? "en" : "zh");
}

static bool has_control_character(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || (unsigned char)*s == 0x7f) return true;
    return false;
}

/* Why the request path is unacceptable (false), with the reason in both languages.
 * decoded_url is MHD's percent-decoded url, so an encoded "%2e%2e" is caught too. */
static bool request_path_acceptable(const char *raw_path, const char *decoded_url,
                                    const char **why_en, const char **why_zh)
{
    size_t len = strlen(decoded_url);
    if (strlen(raw_path) > HTTP_MAX_PATH) {
        *why_en = "request path longer than 2048 bytes";
        *why_zh = "请求路径超过 2048 字节";
    } else if (raw_path[0] != '/') {
        *why_en = "request path must start with '/'";
        *why_zh = "请求路径必须以“/”开头";
    } else if (has_control_character(raw_path)) {
        *why_en = "control character in the request path";
        *why_zh = "请求路径中含有控制字符";
    } else if (strcasestr(raw_path, "%00")) {
        *why_en = "NUL in the request path";
        *why_zh = "请求路径中含有 NUL 字符";
    } else if (strstr(decoded_url, "/../") || (len >= 3 && strcmp(decoded_url + len - 3, "/..") == 0)) {
        *why_en = "'..' segment in the request path";
        *why_zh = "请求路径中含有“..”";
    } else {
        return true;
    }
    return false;
}

/* Declared Content-Length above the cap? (MHD has already rejected malformed values.) */
static bool declared_body_too_large(struct http_req *r)
{
    const char *value = http_header(r, MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (!value) return false;
    errno = 0;
    unsigned long long n = strtoull(value, NULL, 10);
    return errno == ERANGE || n > HTTP_MAX_BODY;
}

/* Append one chunk of body. The buffer grows with what actually arrives (not with what
 * Content-Length promises, which costs a client nothing). False only when the connection
 * should be dropped. */
static bool upload_append(struct server_request *sr, const char *data, size_t size);

static bool body_append(struct server_request *sr, const char *data, size_t size)
{
    if (sr->upload_route) return upload_append(sr, data, size);
    struct http_req *r = &sr->req;
    if (sr->body_too_large) {
        sr->discarded += size;
        return sr->discarded <= HTTP_MAX_DISCARD;
    }
    if (size > HTTP_MAX_BODY - r->body_len) {
        free(r->body);
        r->body = NULL;
        r->body_len = 0;
        sr->body_too_large = true;
        sr->discarded = size;
        return true;
    }
    size_t needed = r->body_len + size + 1;   /* <= HTTP_MAX_BODY + 1 */
    if (needed > sr->body_capacity) {
        size_t capacity = sr->body_capacity ? sr->body_capacity : BODY_INITIAL_CAPACITY;
        while (capacity < needed) capacity *= 2;
        if (capacity > (size_t)HTTP_MAX_BODY + 1) capacity = (size_t)HTTP_MAX_BODY + 1;
        char *grown = realloc(r->body, capacity);
        if (!grown) return false;
        r->body = grown;
        sr->body_capacity = capacity;
    }
    memcpy(r->body + r->body_len, data, size);
    r->body_len += size;
    return true;
}

/* ---- streaming uploads (ROUTE_UPLOAD, see http.h) ------------------------------------------ */

static void reply_upload_too_large(struct http_req *r)
{
    unsigned long long mib = (unsigned long long)(http_upload_limit(r) >> 20);
    struct err e = {0};
    err_set(&e, ERR_TOO_LARGE, NULL, "upload larger than %llu MiB", "上传内容超过 %llu MiB", mib);
    reply_problem(r, &e);
    err_clear(&e);
}

/* Stream one chunk into the temporary file; past the limit (no Content-Length said so) or after a
 * write error the rest is read and thrown away (up to HTTP_MAX_DISCARD) so the client gets its
 * answer. False only when the connection should be dropped. */
static bool upload_append(struct server_request *sr, const char *data, size_t size)
{
    struct http_req *r = &sr->req;
    if (sr->body_too_large || sr->upload_err.code != ERR_NONE) {
        sr->discarded += size;
        return sr->discarded <= HTTP_MAX_DISCARD;
    }
    if (size > http_upload_limit(r) - r->upload->size) {
        sr->body_too_large = true;
        sr->discarded = size;
        http_upload_free(r);   /* nothing of it stays on disk */
        return true;
    }
    if (http_upload_write(r, data, size, &sr->upload_err) != 0) {
        sr->discarded = size;
        http_upload_free(r);
    }
    return true;
}

/* The headers of a request for an upload route: refuse an oversized Content-Length, let the
 * handler refuse (authentication, CSRF, query), then open the temporary file. */
static enum MHD_Result queue_reply(struct server_request *sr);
static enum MHD_Result upload_headers(struct server_request *sr)
{
    struct http_req *r = &sr->req;
    const char *value = http_header(r, MHD_HTTP_HEADER_CONTENT_LENGTH);
    unsigned long long declared = 0;
    if (value) {
        errno = 0;
        unsigned long long n = strtoull(value, NULL, 10);
        declared = n;
        if (errno == ERANGE || n > http_upload_limit(r)) {
            reply_upload_too_large(r);
            return queue_reply(sr);
        }
    }
    struct err e = {0};
    r->upload = http_upload_new();
    if (!r->upload) return MHD_NO;
    api_dispatch(r, sr->upload_route);           /* phase 1: replies only to refuse */
    if (r->replied) return queue_reply(sr);
    if (http_upload_begin(r, declared, &e) != 0) {
        reply_problem(r, &e);
        err_clear(&e);
        return queue_reply(sr);
    }
    return MHD_YES;
}

static void upload_dispatch(struct server_request *sr)
{
    struct http_req *r = &sr->req;
    struct err e = {0};
    if (sr->body_too_large) {
        reply_upload_too_large(r);
    } else if (sr->upload_err.code != ERR_NONE) {
        reply_problem(r, &sr->upload_err);
    } else if (http_upload_finish(r, &e) != 0) {
        reply_problem(r, &e);
        err_clear(&e);
    } else {
        api_dispatch(r, sr->upload_route);       /* phase 2: the body is on disk */
    }
    http_upload_free(r);   /* not taken: gone before the client hears the answer */
    if (!r->replied)
        reply_error(r, ERR_INTERNAL, "the handler did not answer", "处理程序未返回响应");
}

/* ---- routing and replying --------------------------------------------------------------- */

/* /metrics: an allowed address (the real client, so a trusted proxy's loopback address does not
 * open it to the world) or the metrics token. */
static bool metrics_allowed(struct server_request *sr)
{
    struct http_server *s = sr->server;
    if (sr->client.family && net_list_contains(&s->metrics_allow, &sr->client)) return true;
    const char *auth = http_header(&sr->req, MHD_HTTP_HEADER_AUTHORIZATION);
    if (!s->metrics_token || !auth || strncasecmp(auth, "Bearer ", 7) != 0) return false;
    const char *given = auth + 7;
    size_t len = strlen(s->metrics_token);
    return strlen(given) == len && sodium_memcmp(given, s->metrics_token, len) == 0;
}

/* Checks that depend on who is asking, before the handler: false when already answered. */
static bool network_gate(struct server_request *sr, const struct route *route)
{
    struct http_req *r = &sr->req;
    if (route->fn == api_metrics && !metrics_allowed(sr)) {
        reply_error(r, ERR_NOT_FOUND, "no such API endpoint", "接口不存在");
        return false;
    }
    unsigned retry = 60;
    if (route->fn == api_public_filing && !net_buckets_take(sr->server->verify, &sr->client, &retry)) {
        char value[16];
        snprintf(value, sizeof value, "%u", retry);
        reply_header(r, "Retry-After", value);
        reply_error(r, ERR_TOO_MANY, "too many filing-number checks from this address; try again later",
                    "该地址查询备案号过于频繁，请稍后再试");
        return false;
    }
    return true;
}

static void dispatch(struct server_request *sr)
{
    struct http_req *r = &sr->req;
    if (sr->body_too_large) {
        reply_error(r, ERR_TOO_LARGE, "request body larger than 1 MiB", "请求内容超过 1 MiB");
        return;
    }
    if (r->body) r->body[r->body_len] = '\0';

    /* The route table first (API, health, metrics; matched on the headers); under /api/ an
     * unknown path is an API 404, elsewhere the web UI answers. */
    const struct route *route = sr->route;
    if (route && !network_gate(sr, route)) {
        /* answered: not for this client */
    } else if (route) {
        api_dispatch(r, route);
    } else if (sr->path_matched) {
        reply_header(r, MHD_HTTP_HEADER_ALLOW, sr->allow);
        reply_error(r, ERR_METHOD_NOT_ALLOWED, "method not allowed on this resource", "该资源不支持此请求方法");
    } else if (strncmp(r->path, "/api/", 5) == 0) {
        reply_error(r, ERR_NOT_FOUND, "no such API endpoint", "接口不存在");
    } else {
        web_dispatch(r);
    }
    if (!r->replied)
        reply_error(r, ERR_INTERNAL, "the handler did not answer", "处理程序未返回响应");
}

static bool reply_has_header(const struct http_req *r, const char *name)
{
    for (const struct http_hdr *h = r->reply_headers; h; h = h->next)
        if (strcasecmp(h->name, name) == 0) return true;
    return false;
}

/* Turn the recorded reply into an MHD response and queue it. */
static enum MHD_Result queue_reply(struct server_request *sr)
{
    struct http_req *r = &sr->req;
    struct MHD_Response *response;
    if (r->status < 100 || r->status > 599) r->status = 500;
    reply_finish(r);
    if (r->reply_from_fd) {
        response = MHD_create_response_from_fd64(r->reply_fd_size, r->reply_fd);
        if (response) r->reply_from_fd = false;   /* MHD owns and closes the file now */
    } else if (r->reply_body) {
        response = MHD_create_response_from_buffer(r->reply_len, r->reply_body, MHD_RESPMEM_MUST_FREE);
        if (response) r->reply_body = NULL;   /* MHD owns and frees it now */
    } else {
        response = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
    }
    if (!response) return MHD_NO;

    if (r->reply_type) MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE, r->reply_type);
    for (const struct http_hdr *h = r->reply_headers; h; h = h->next) {
        /* over TLS every cookie is Secure, whichever handler set it */
        if (r->secure && strcasecmp(h->name, MHD_HTTP_HEADER_SET_COOKIE) == 0 && !strcasestr(h->value, "; Secure")) {
            char *secure = NULL;
            if (asprintf(&secure, "%s; Secure", h->value) < 0) {
                MHD_destroy_response(response);
                return MHD_NO;
            }
            MHD_add_response_header(response, h->name, secure);
            free(secure);
            continue;
        }
        MHD_add_response_header(response, h->name, h->value);
    }
    if (r->secure) MHD_add_response_header(response, MHD_HTTP_HEADER_STRICT_TRANSPORT_SECURITY, HSTS_VALUE);
    MHD_add_response_header(response, "X-Request-Id", r->request_id);
    MHD_add_response_header(response, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(response, "Content-Security-Policy", CONTENT_SECURITY_POLICY);
    MHD_add_response_header(response, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(response, "X-Frame-Options", "DENY");
    if (strncmp(r->path, "/api/", 5) == 0 && !reply_has_header(r, MHD_HTTP_HEADER_CACHE_CONTROL))
        MHD_add_response_header(response, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");

    enum MHD_Result queued = MHD_queue_response(r->conn, (unsigned int)r->status, response);
    MHD_destroy_response(response);
    sr->answered = queued == MHD_YES;
    return queued;
}

/* ---- MHD callbacks ---------------------------------------------------------------------- */

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
    struct server_request *sr = calloc(1, sizeof *sr);
    if (!sr) return NULL;
    sr->server = cls;
    clock_gettime(CLOCK_MONOTONIC, &sr->started_at);
    sr->raw_path = strndup(uri, strcspn(uri, "?#"));
    return sr;   /* raw_path NULL (out of memory) is refused in on_request */
}

/* First call: everything that only needs the headers. */
static enum MHD_Result on_request_headers(struct http_server *s, struct server_request *sr,
                                          struct MHD_Connection *conn, const char *url,
                                          const char *method)
{
    struct http_req *r = &sr->req;
    sr->started = true;
    sr->method = strdup(method);
    if (!sr->raw_path || !sr->method) return MHD_NO;
    r->conn = conn;
    r->app = s->app;
    MHD_set_connection_option(conn, MHD_CONNECTION_OPTION_TIMEOUT, HTTP_CONNECTION_TIMEOUT_S);
    r->method = sr->method;
    r->path = sr->raw_path;
    fill_request_id(r);
    fill_client(s, sr);
    fill_lang(r);

    const char *why_en, *why_zh;
    if (!request_path_acceptable(sr->raw_path, url, &why_en, &why_zh)) {
        reply_error(r, ERR_BAD_REQUEST, why_en, why_zh);
        return queue_reply(sr);
    }
    /* the one match of the request (its params stay until the request ends); upload routes
     * stream their body to disk under their own limit */
    sr->route = router_match(API_ROUTES, API_ROUTES_COUNT, r->method, r->path, r, &sr->path_matched, sr->allow,
                             sizeof sr->allow);
    if (sr->route && (sr->route->flags & ROUTE_UPLOAD)) {
        sr->upload_route = sr->route;
        return upload_headers(sr);
    }
    if (declared_body_too_large(r)) {
        reply_error(r, ERR_TOO_LARGE, "request body larger than 1 MiB", "请求内容超过 1 MiB");
        return queue_reply(sr);
    }
    return MHD_YES;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    struct server_request *sr = *con_cls;
    if (!sr) return MHD_NO;                       /* on_uri ran out of memory */
    if (!sr->started) return on_request_headers(cls, sr, conn, url, method);
    if (sr->answered) { *upload_data_size = 0; return MHD_YES; }
    if (*upload_data_size) {
        bool keep = body_append(sr, upload_data, *upload_data_size);
        *upload_data_size = 0;
        return keep ? MHD_YES : MHD_NO;
    }
    if (sr->upload_route) upload_dispatch(sr);
    else dispatch(sr);
    return queue_reply(sr);
}

/* Printable ASCII only, so that a log line stays one line whatever the client sent. */
static void log_safe_copy(char *dst, size_t dst_size, const char *src)
{
    size_t i = 0;
    for (; src && src[i] && i + 1 < dst_size; i++) {
        unsigned char c = (unsigned char)src[i];
        dst[i] = (c > 0x20 && c < 0x7f) ? (char)c : '?';
    }
    dst[i] = '\0';
}

static const char *termination_reason(enum MHD_RequestTerminationCode toe)
{
    switch (toe) {
    case MHD_REQUEST_TERMINATED_COMPLETED_OK: return "ok";
    case MHD_REQUEST_TERMINATED_WITH_ERROR: return "error";
    case MHD_REQUEST_TERMINATED_TIMEOUT_REACHED: return "timeout";
    case MHD_REQUEST_TERMINATED_DAEMON_SHUTDOWN: return "shutdown";
    case MHD_REQUEST_TERMINATED_READ_ERROR: return "read_error";
    case MHD_REQUEST_TERMINATED_CLIENT_ABORT: return "client_abort";
    }
    return "unknown";
}

/* The whole line in one write(2), as unbuffered stderr wrote it, but without holding stdio's lock
 * on stderr across the system call (the server's threads queued on it). Nothing is buffered: a
 * crash loses no line that was complete. */
static void write_line(const char *line, size_t len)
{
    while (len) {
        ssize_t n = write(STDERR_FILENO, line, len);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;
        line += n;
        len -= (size_t)n;
    }
}

static void log_request(struct server_request *sr, enum MHD_RequestTerminationCode toe,
                        uint_fast64_t duration_us)
{
    struct http_req *r = &sr->req;
    struct timespec now;
    char method[16], path[HTTP_MAX_PATH + 1], user[64], status[8], ip[64];
    /* the second's text, made again only when the second changes (per thread) */
    static _Thread_local char ts[32];
    static _Thread_local time_t ts_second = -1;
    clock_gettime(CLOCK_REALTIME, &now);
    if (now.tv_sec != ts_second) {
        struct tm utc;
        gmtime_r(&now.tv_sec, &utc);
        strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%S", &utc);
        ts_second = now.tv_sec;
    }
    log_safe_copy(method, sizeof method, r->method);
    log_safe_copy(path, sizeof path, r->path);
    log_safe_copy(user, sizeof user, api_principal_label(r));
    if (sr->answered) snprintf(status, sizeof status, "%d", r->status);
    else snprintf(status, sizeof status, "-");
    log_safe_copy(ip, sizeof ip, r->client_ip);
    char line[HTTP_MAX_PATH + 512];
    int n = snprintf(line, sizeof line, "%s.%03ldZ %s %s %s %.3fms rid=%s user=%s ip=%s%s%s\n", ts,
                     now.tv_nsec / 1000000L, method, path, status, (double)duration_us / 1000.0, r->request_id,
                     user[0] ? user : "-", ip[0] ? ip : "-", toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " ended=",
                     toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : termination_reason(toe));
    if (n > 0) write_line(line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
}

static void request_free(struct server_request *sr)
{
    struct http_req *r = &sr->req;
    if (sr->started) api_request_free(r);
    router_params_free(r);
    http_upload_free(r);   /* a temporary file not taken by the handler goes */
    if (r->reply_from_fd) close(r->reply_fd);
    err_clear(&sr->upload_err);
    for (struct http_hdr *h = r->reply_headers, *next; h; h = next) {
        next = h->next;
        free(h->name);
        free(h->value);
        free(h);
    }
    free(r->reply_body);
    free(r->reply_gz);
    free(r->body);
    free(sr->method);
    free(sr->raw_path);
    free(sr);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct server_request *sr = *con_cls;
    if (!sr) return;
    *con_cls = NULL;
    if (sr->started && sr->method && sr->raw_path) {
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        int_fast64_t us = (int_fast64_t)(now.tv_sec - sr->started_at.tv_sec) * 1000000 +
                          (now.tv_nsec - sr->started_at.tv_nsec) / 1000;
        uint_fast64_t duration_us = us > 0 ? (uint_fast64_t)us : 0;
        metrics_count(sr->req.status, sr->answered && toe == MHD_REQUEST_TERMINATED_COMPLETED_OK,
                      duration_us);
        log_request(sr, toe, duration_us);
    }
    request_free(sr);
}

/* ---- lifecycle -------------------------------------------------------------------------- */

/* At accept, before MHD spends anything on the connection: is there room for this address? */
static enum MHD_Result on_accept(void *cls, const struct sockaddr *addr, socklen_t addrlen)
{
    struct http_server *s = cls;
    struct net_addr a;
    if (!net_addr_from_sockaddr(addr, &a) || net_list_contains(&s->trusted, &a)) return MHD_YES;
    if (net_conn_admit(s->conns, &a)) return MHD_YES;
    atomic_fetch_add_explicit(&metric_refused, 1, memory_order_relaxed);
    return MHD_NO;
}

/* Count what each address holds; the slot rides in the socket context until the close. The
 * workers accept at once, so on_accept's look can let a few too many in: the one over the limit
 * is shut down here (MHD sees the end of the stream and closes it; the descriptor stays MHD's). */
static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
                          enum MHD_ConnectionNotificationCode code)
{
    struct http_server *s = cls;
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *info = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
        struct net_addr a;
        size_t slot;
        *socket_context = NULL;
        if (!info || !net_addr_from_sockaddr(info->client_addr, &a) || net_list_contains(&s->trusted, &a)) return;
        bool within = net_conn_hold(s->conns, &a, &slot);
        *socket_context = (void *)(uintptr_t)(slot + 1);
        if (!within) {
            const union MHD_ConnectionInfo *fd = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
            if (fd) shutdown(fd->connect_fd, SHUT_RDWR);
            atomic_fetch_add_explicit(&metric_refused, 1, memory_order_relaxed);
        }
    } else if (code == MHD_CONNECTION_NOTIFY_CLOSED && *socket_context) {
        net_conn_release(s->conns, (size_t)(uintptr_t)*socket_context - 1);
        *socket_context = NULL;
    }
}

/* A PEM file into memory (NUL-terminated, bounded); NULL with e set. */
static char *read_pem(const char *path, const char *what, struct err *e)
{
    FILE *f = fopen(path, "rb");
    char *buf = f ? malloc(TLS_MAX_PEM + 1) : NULL;
    size_t n = buf ? fread(buf, 1, TLS_MAX_PEM + 1, f) : 0;
    bool ok = buf && !ferror(f) && n > 0 && n <= TLS_MAX_PEM;
    if (f) fclose(f);
    if (!ok) {
        free(buf);
        err_set(e, ERR_INTERNAL, NULL, "cannot read the TLS %s %s (missing, empty or over 1 MiB)",
                "无法读取 TLS %s %s（不存在、为空或超过 1 MiB）", what, path);
        return NULL;
    }
    buf[n] = '\0';
    return buf;
}

static void server_free(struct http_server *s)
{
    if (!s) return;
    net_conn_table_free(s->conns);
    net_buckets_free(s->verify);
    if (s->tls_key) sodium_memzero(s->tls_key, strlen(s->tls_key));
    free(s->tls_key);
    free(s->tls_cert);
    if (s->metrics_token) sodium_memzero(s->metrics_token, strlen(s->metrics_token));
    free(s->metrics_token);
    free(s);
}

static int server_configure(struct http_server *s, const struct http_options *opt, struct err *e)
{
    if (opt->trusted_proxies && net_list_parse(&s->trusted, opt->trusted_proxies, "--trusted-proxy", e) != 0)
        return -1;
    if (net_list_parse(&s->metrics_allow, opt->metrics_allow ? opt->metrics_allow : HTTP_DEFAULT_METRICS_ALLOW,
                       "--metrics-allow", e) != 0)
        return -1;
    if (opt->metrics_token && opt->metrics_token[0]) {
        if (strlen(opt->metrics_token) < 16)
            return err_set(e, ERR_USAGE, NULL, "BEIAN_METRICS_TOKEN must be at least 16 characters",
                           "BEIAN_METRICS_TOKEN 至少 16 个字符");
        if (!(s->metrics_token = strdup(opt->metrics_token))) goto oom;
    }
    s->conns = net_conn_table_new(opt->connections_per_address ? opt->connections_per_address
                                                               : HTTP_DEFAULT_CONNECTIONS_PER_ADDRESS);
    s->verify = net_buckets_new(opt->verify_per_minute ? opt->verify_per_minute : HTTP_DEFAULT_VERIFY_PER_MINUTE);
    if (!s->conns || !s->verify) goto oom;
    if (!opt->tls_cert_file != !opt->tls_key_file)
        return err_set(e, ERR_USAGE, NULL, "--tls-cert and --tls-key go together", "--tls-cert 与 --tls-key 须同时给出");
    if (opt->tls_cert_file) {
        if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES)
            return err_set(e, ERR_INTERNAL, NULL,
                           "this libmicrohttpd was built without TLS (GnuTLS); serve behind a TLS proxy instead",
                           "此 libmicrohttpd 构建时未启用 TLS（GnuTLS）；请改用 TLS 反向代理");
        if (!(s->tls_cert = read_pem(opt->tls_cert_file, "certificate", e))) return -1;
        if (!(s->tls_key = read_pem(opt->tls_key_file, "key", e))) return -1;
        s->tls = true;
    }
    return 0;
oom:
    return err_set(e, ERR_INTERNAL, NULL, "out of memory", "内存不足");
}

struct http_server *http_server_start(struct app *app, const char *listen_addr, int port,
                                      unsigned threads, struct err *e)
{
    struct http_options opt = {.threads = threads};
    return http_server_start_with(app, listen_addr, port, &opt, e);
}

struct http_server *http_server_start_with(struct app *app, const char *listen_addr, int port,
                                           const struct http_options *opt, struct err *e)
{
    if (sodium_init() < 0) {
        err_set(e, ERR_INTERNAL, NULL, "libsodium failed to initialise", "libsodium 初始化失败");
        return NULL;
    }
    if (port < 0 || port > 65535) {
        err_set(e, ERR_USAGE, NULL, "port %d out of range", "端口 %d 超出范围", port);
        return NULL;
    }
    struct http_server *s = calloc(1, sizeof *s);
    if (!s) {
        err_set(e, ERR_INTERNAL, NULL, "out of memory", "内存不足");
        return NULL;
    }
    s->app = app;
    if (server_configure(s, opt, e) != 0) {
        server_free(s);
        return NULL;
    }
    unsigned threads = opt->threads ? opt->threads : 1;

    const char *host = listen_addr && listen_addr[0] ? listen_addr : "127.0.0.1";
    if (strcmp(host, "localhost") == 0) host = "127.0.0.1";
    unsigned int flags = MHD_USE_AUTO | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;
    if (s->tls) flags |= MHD_USE_TLS;
    if (inet_pton(AF_INET, host, &s->bind_addr.v4.sin_addr) == 1) {
        s->bind_addr.v4.sin_family = AF_INET;
        s->bind_addr.v4.sin_port = htons((uint16_t)port);
    } else if (inet_pton(AF_INET6, host, &s->bind_addr.v6.sin6_addr) == 1) {
        s->bind_addr.v6.sin6_family = AF_INET6;
        s->bind_addr.v6.sin6_port = htons((uint16_t)port);
        flags |= MHD_USE_IPv6;
    } else {
        err_set(e, ERR_USAGE, NULL, "listen address '%s' is neither an IPv4 nor an IPv6 address",
                "监听地址“%s”不是有效的 IPv4 或 IPv6 地址", listen_addr);
        server_free(s);
        return NULL;
    }

    /* A pool of one is not a pool (MHD warns); then the single polling thread does the work.
     * TLS 1.2 and 1.3 only. */
    struct MHD_OptionItem extra[] = {
        {threads > 1 ? MHD_OPTION_THREAD_POOL_SIZE : MHD_OPTION_END, (intptr_t)threads, NULL},
        {s->tls ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, 0, s->tls_cert},
        {s->tls ? MHD_OPTION_HTTPS_MEM_KEY : MHD_OPTION_END, 0, s->tls_key},
        {s->tls ? MHD_OPTION_HTTPS_PRIORITIES : MHD_OPTION_END, 0,
         (void *)"NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2"},
        {MHD_OPTION_END, 0, NULL},
    };
    /* MHD_OPTION_ARRAY stops at the first END: move the used items to the front. */
    size_t used = 0;
    for (size_t i = 0; i + 1 < sizeof extra / sizeof extra[0]; i++)
        if (extra[i].option != MHD_OPTION_END) extra[used++] = extra[i];
    extra[used] = (struct MHD_OptionItem){MHD_OPTION_END, 0, NULL};

    s->daemon = MHD_start_daemon(
        flags, (uint16_t)port, on_accept, s, on_request, s,
        MHD_OPTION_SOCK_ADDR, &s->bind_addr.any,
        MHD_OPTION_URI_LOG_CALLBACK, on_uri, s,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
        MHD_OPTION_NOTIFY_CONNECTION, on_connection, s,
        MHD_OPTION_CONNECTION_TIMEOUT, HTTP_HEADER_TIMEOUT_S,
        MHD_OPTION_CONNECTION_LIMIT, HTTP_CONNECTION_LIMIT,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024),
        MHD_OPTION_ARRAY, extra,
        MHD_OPTION_END);
    if (!s->daemon) {
        if (s->tls)
            err_set(e, ERR_INTERNAL, NULL,
                    "cannot serve TLS on %s port %d: is the certificate or key not PEM, or do they not match? "
                    "(or the address is in use)",
                    "无法在 %s 端口 %d 上提供 TLS：证书或私钥不是 PEM 格式或彼此不匹配？（或地址已被占用）", host, port);
        else
            err_set(e, ERR_INTERNAL, NULL, "cannot listen on %s port %d (address in use?)",
                    "无法监听 %s 端口 %d（地址已被占用？）", host, port);
        server_free(s);
        return NULL;
    }
    return s;
}

int http_server_port(const struct http_server *s)
{
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
    return info ? (int)info->port : -1;
}

void http_server_stop(struct http_server *s)
{
    if (!s) return;
    MHD_stop_daemon(s->daemon);   /* joins the workers; on_completed frees open requests */
    server_free(s);
}
