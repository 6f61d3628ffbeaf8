/* reply_finish.c — what every reply gets once its handler has answered, so that no handler has
 * to remember it (RFC 9110 throughout):
 *   401  WWW-Authenticate: Bearer realm="beian" (api_dispatch sets the error= form itself when a
 *        token was presented and refused, RFC 6750 §3);
 *   201  Location: the handler's, else <request path>/<id> when that path is a route, else the
 *        request path (the collection the thing was created in);
 *   GET/HEAD 200 with a JSON body and no ETag: a strong ETag hashed from the body, so lists and
 *        versions revalidate like filings do; a JSON reply whose handler set the tag of the thing
 *        (a filing's "id-revision", which a transition keeps) gets "id-revision.<body hash>", so
 *        that a 304 never hides a new state (If-Match takes either form); then If-None-Match → 304 with only the headers a
 *        304 may carry (§15.4.5) and no body (libmicrohttpd always states a length: the
 *        200's, which is what RFC 9110 §8.6 allows on a 304);
 *   gzip for compressible types of at least GZIP_MIN_BYTES when Accept-Encoding allows it, with
 *        Vary: Accept-Encoding on both codings and the ETag of the gzip variant ("X-gz").
 * A HEAD gets exactly the headers of the GET (libmicrohttpd leaves the body out). When the
 * client does not take gzip nothing is copied: the common path (GET /filings/{id}) only looks. */
#include "http/http.h"
#include "http/etag.h"
#include "http/gzip.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static struct http_hdr *find_header(struct http_req *r, const char *name)
{
    for (struct http_hdr *h = r->reply_headers; h; h = h->next)
        if (strcasecmp(h->name, name) == 0) return h;
    return NULL;
}

static void set_header_value(struct http_hdr *h, const char *value)
{
    char *copy = strdup(value);
    if (!copy) return;
    free(h->value);
    h->value = copy;
}

void reply_location(struct http_req *r, const char *fmt, ...)
{
    char path[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(path, sizeof path, fmt, ap);
    va_end(ap);
    if (n > 0 && (size_t)n < sizeof path) reply_header(r, "Location", path);
}

const char *http_if_match(struct http_req *r)
{
    const char *sent = http_header(r, "If-Match");
    if (!sent) return NULL;
    char plain[sizeof r->if_match];
    etag_strip_variant(sent, ETAG_GZIP_SUFFIX, plain, sizeof plain);
    etag_strip_reply(plain, r->if_match, sizeof r->if_match);
    return r->if_match;
}

/* ---- 201: Location ---------------------------------------------------------------------- */

static bool names_route(const char *path)
{
    bool path_matched = false;
    router_match(API_ROUTES, API_ROUTES_COUNT, "GET", path, NULL, &path_matched, NULL, 0);
    return path_matched;
}

static void add_location(struct http_req *r)
{
    if (find_header(r, "Location")) return;
    char path[2048 + 80];
    if (r->created_id[0]) {
        snprintf(path, sizeof path, "%s/%s", r->path, r->created_id);
        if (names_route(path)) {
            reply_header(r, "Location", path);
            return;
        }
    }
    reply_header(r, "Location", r->path);
}

/* ---- 304: only what §15.4.5 lets a 304 carry -------------------------------------------- */

static bool allowed_on_304(const char *name)
{
    static const char *const kept[] = {"ETag", "Cache-Control", "Vary", "Expires", "Content-Location", "Date", NULL};
    for (int i = 0; kept[i]; i++)
        if (strcasecmp(name, kept[i]) == 0) return true;
    return false;
}

/* The body stays: libmicrohttpd sends no body with a 304 but states its length, and RFC 9110
 * §8.6 allows a Content-Length on a 304 only when it is the length the 200 would have had. */
static void become_not_modified(struct http_req *r)
{
    struct http_hdr **link = &r->reply_headers;
    while (*link) {
        struct http_hdr *h = *link;
        if (allowed_on_304(h->name)) {
            link = &h->next;
            continue;
        }
        *link = h->next;
        free(h->name);
        free(h->value);
        free(h);
    }
    r->reply_type = NULL;
    r->status = 304;
}

/* ---- gzip ------------------------------------------------------------------------------- */

/* Replace the body by its gzip coding; false (body unchanged) when out of memory. */
static bool use_gzip_body(struct http_req *r)
{
    char *coded = r->reply_gz;
    size_t coded_len = r->reply_gz_len;
    if (!coded) coded = gzip_compress(r->reply_body, r->reply_len, &coded_len);
    r->reply_gz = NULL;
    if (!coded) return false;   /* out of memory: the identity body still goes */
    free(r->reply_body);
    r->reply_body = coded;
    r->reply_len = coded_len;
    return true;
}

static bool is_json_type(const char *type)
{
    if (!type) return false;
    size_t len = strcspn(type, ";");
    while (len && type[len - 1] == ' ') len--;
    return (len == 16 && strncasecmp(type, "application/json", 16) == 0) ||
           (len > 5 && strncasecmp(type + len - 5, "+json", 5) == 0);
}

void reply_finish(struct http_req *r)
{
    if (r->status == 401 && !find_header(r, "WWW-Authenticate"))
        reply_header(r, "WWW-Authenticate", "Bearer realm=\"beian\"");
    if (r->status == 201) add_location(r);

    bool read = strcmp(r->method, "GET") == 0 || strcmp(r->method, "HEAD") == 0;
    bool has_body = r->reply_body && !r->reply_from_fd && r->status != 204 && r->status != 304;
    struct http_hdr *own = find_header(r, "ETag");
    if (read && r->status == 200 && has_body && !own && is_json_type(r->reply_type)) {
        char tag[ETAG_MAX];
        etag_of_bytes(r->reply_body, r->reply_len, tag);
        reply_header(r, "ETag", tag);
    } else if (own && has_body && r->status / 100 == 2 && is_json_type(r->reply_type)) {
        /* the handler's tag names the thing (a filing's document revision); the reply says more */
        char tag[ETAG_MAX];
        etag_of_reply(own->value, r->reply_body, r->reply_len, read, tag, sizeof tag);
        set_header_value(own, tag);
    }

    /* Which coding: decided before the conditional, so that the 304 names the same variant. */
    bool compressible = has_body && r->reply_len >= GZIP_MIN_BYTES && gzip_type_compressible(r->reply_type) &&
                        !find_header(r, "Content-Encoding");
    bool gzip = compressible && gzip_accepted(http_header(r, "Accept-Encoding"));
    struct http_hdr *etag = find_header(r, "ETag");
    if (compressible) reply_header(r, "Vary", "Accept-Encoding");
    if (gzip && etag) {
        char variant[ETAG_MAX + 8];
        if (etag_variant(etag->value, ETAG_GZIP_SUFFIX, variant, sizeof variant)) set_header_value(etag, variant);
    }

    bool coded = gzip && use_gzip_body(r);
    if (gzip && !coded && etag) {
        /* out of memory: sent as identity after all, under the identity tag */
        char plain[ETAG_MAX + 8];
        etag_strip_variant(etag->value, ETAG_GZIP_SUFFIX, plain, sizeof plain);
        set_header_value(etag, plain);
    }
    free(r->reply_gz);
    r->reply_gz = NULL;
    if (read && r->status == 200 && etag && etag_none_match(http_header(r, "If-None-Match"), etag->value))
        become_not_modified(r);
    else if (coded)
        reply_header(r, "Content-Encoding", "gzip");
}
