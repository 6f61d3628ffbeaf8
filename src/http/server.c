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
 * The only shared mutable state is the metrics counters (atomics); everything else belongs to
 * one request, which MHD processes in one thread at a time. */
#include "http/http.h"

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
#define HTTP_CONNECTION_TIMEOUT_S 30u
#define HTTP_CONNECTION_LIMIT 1000u
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
    union {
        struct sockaddr any;
        struct sockaddr_in v4;
        struct sockaddr_in6 v6;
    } bind_addr;
};

/* What the server keeps per request besides what handlers see. */
struct server_request {
    struct http_req req;          /* first member: handlers only ever see this */
    char *raw_path;               /* as sent (percent-encoded), without the query */
    char *method;
    bool started;                 /* the access handler has seen the request */
    bool answered;                /* a response is queued */
    bool body_too_large;
    const struct route *upload_route; /* a ROUTE_UPLOAD route, matched on the headers */
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
}

/* ---- request setup ---------------------------------------------------------------------- */

static void fill_request_id(struct http_req *r)
{
    unsigned char random[8];
    randombytes_buf(random, sizeof random);
    sodium_bin2hex(r->request_id, sizeof r->request_id, random, sizeof random);
}

static void fill_client_ip(struct http_req *r)
{
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    snprintf(r->client_ip, sizeof r->client_ip, "-");
    if (!info || !info->client_addr) return;
    const struct sockaddr *sa = info->client_addr;
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr,
                  r->client_ip, sizeof r->client_ip);
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr,
                  r->client_ip, sizeof r->client_ip);
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

static void dispatch(struct server_request *sr)
{
    struct http_req *r = &sr->req;
    if (sr->body_too_large) {
        reply_error(r, ERR_TOO_LARGE, "request body larger than 1 MiB", "请求内容超过 1 MiB");
        return;
    }
    if (r->body) r->body[r->body_len] = '\0';

    /* The route table first (API, health, metrics); under /api/ an unknown path is an API 404,
     * elsewhere the web UI answers. */
    bool path_matched = false;
    char allow[128];
    const struct route *route = router_match(API_ROUTES, API_ROUTES_COUNT, r->method, r->path, r,
                                             &path_matched, allow, sizeof allow);
    if (route) {
        api_dispatch(r, route);
    } else if (path_matched) {
        reply_header(r, MHD_HTTP_HEADER_ALLOW, allow);
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
    for (const struct http_hdr *h = r->reply_headers; h; h = h->next)
        MHD_add_response_header(response, h->name, h->value);
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
    r->method = sr->method;
    r->path = sr->raw_path;
    fill_request_id(r);
    fill_client_ip(r);
    fill_lang(r);

    const char *why_en, *why_zh;
    if (!request_path_acceptable(sr->raw_path, url, &why_en, &why_zh)) {
        reply_error(r, ERR_BAD_REQUEST, why_en, why_zh);
        return queue_reply(sr);
    }
    /* upload routes stream their body to disk under their own limit */
    bool path_matched;
    char allow[128];
    const struct route *route = router_match(API_ROUTES, API_ROUTES_COUNT, r->method, r->path, r,
                                             &path_matched, allow, sizeof allow);
    if (route && (route->flags & ROUTE_UPLOAD)) {
        sr->upload_route = route;
        return upload_headers(sr);
    }
    router_params_free(r);
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

static void log_request(struct server_request *sr, enum MHD_RequestTerminationCode toe,
                        uint_fast64_t duration_us)
{
    struct http_req *r = &sr->req;
    struct timespec now;
    struct tm utc;
    char ts[32], method[16], path[HTTP_MAX_PATH + 1], user[64], status[8];
    clock_gettime(CLOCK_REALTIME, &now);
    gmtime_r(&now.tv_sec, &utc);
    strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%S", &utc);
    log_safe_copy(method, sizeof method, r->method);
    log_safe_copy(path, sizeof path, r->path);
    log_safe_copy(user, sizeof user, api_principal_label(r));
    if (sr->answered) snprintf(status, sizeof status, "%d", r->status);
    else snprintf(status, sizeof status, "-");
    fprintf(stderr, "%s.%03ldZ %s %s %s %.3fms rid=%s user=%s%s%s\n", ts, now.tv_nsec / 1000000L,
            method, path, status, (double)duration_us / 1000.0, r->request_id,
            user[0] ? user : "-", toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " ended=",
            toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : termination_reason(toe));
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

struct http_server *http_server_start(struct app *app, const char *listen_addr, int port,
                                      unsigned threads, struct err *e)
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

    const char *host = listen_addr && listen_addr[0] ? listen_addr : "127.0.0.1";
    if (strcmp(host, "localhost") == 0) host = "127.0.0.1";
    unsigned int flags = MHD_USE_AUTO | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;
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
        free(s);
        return NULL;
    }

    /* A pool of one is not a pool (MHD warns); then the single polling thread does the work. */
    struct MHD_OptionItem pool[] = {
        {threads > 1 ? MHD_OPTION_THREAD_POOL_SIZE : MHD_OPTION_END, (intptr_t)threads, NULL},
        {MHD_OPTION_END, 0, NULL},
    };
    s->daemon = MHD_start_daemon(
        flags, (uint16_t)port, NULL, NULL, on_request, s,
        MHD_OPTION_SOCK_ADDR, &s->bind_addr.any,
        MHD_OPTION_URI_LOG_CALLBACK, on_uri, s,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
        MHD_OPTION_CONNECTION_TIMEOUT, HTTP_CONNECTION_TIMEOUT_S,
        MHD_OPTION_CONNECTION_LIMIT, HTTP_CONNECTION_LIMIT,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024),
        MHD_OPTION_ARRAY, pool,
        MHD_OPTION_END);
    if (!s->daemon) {
        err_set(e, ERR_INTERNAL, NULL, "cannot listen on %s port %d (address in use?)",
                "无法监听 %s 端口 %d（地址已被占用？）", host, port);
        free(s);
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
    free(s);
}
