/* api_materials.c — endpoints of materials: streaming upload (ROUTE_UPLOAD, see http.h), new
 * versions, metadata, downloads straight from the stored file, and the materials a frozen filing
 * version pins. Thin adapters to service/materials.h. */
#include "http/api.h"
#include "http/api_registry.h"
#include "service/app.h"
#include "service/materials.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Both phases of an upload (http.h): refuse early what the query already shows, then store. */
static int upload(struct http_req *r, int64_t replace_id)
{
    struct err e = {0};
    const char *kind = http_query(r, "kind"), *title = http_query(r, "title"), *filename = http_query(r, "filename");
    const char *declared = http_header(r, MHD_HTTP_HEADER_CONTENT_TYPE);
    if (replace_id == 0 && r->params[0]) replace_id = -1;
    if (!r->upload->complete) {
        if (replace_id < 0 ||
            material_upload_check(r->app, r->who, replace_id, kind, title, filename, declared, &e) != 0) {
            if (replace_id < 0) err_set(&e, ERR_NOT_FOUND, NULL, "no such material", "材料不存在");
            return api_reply(r, 0, NULL, &e);
        }
        return 0;   /* let the body come */
    }
    struct material_file f = {
        .path = r->upload->path, .fd = r->upload->fd, .size = r->upload->size, .sha256 = r->upload->sha256,
        .declared_type = declared,
    };
    json_t *m = replace_id > 0 ? material_add_version(r->app, r->who, replace_id, filename, &f, &e)
                               : material_create(r->app, r->who, kind, title, filename, &f, &e);
    if (f.taken) r->upload->path[0] = '\0';   /* renamed into the store: not ours to remove */
    /* a new material, or the new version of one */
    long long id = (long long)json_integer_value(json_object_get(m, "id"));
    if (m && replace_id > 0)
        reply_location(r, "/api/v1/materials/%lld/versions/%lld", id,
                       (long long)json_integer_value(json_object_get(m, "version")));
    else if (m)
        reply_location(r, "/api/v1/materials/%lld", id);
    return api_reply(r, 201, m, &e);
}

int api_materials_upload(struct http_req *r) { return upload(r, 0); }
int api_materials_upload_version(struct http_req *r) { return upload(r, api_param_id(r, 0)); }

int api_materials_list(struct http_req *r)
{
    struct err e = {0};
    return api_reply(r, 200, material_list(r->app, r->who, &e), &e);
}

int api_materials_get(struct http_req *r)
{
    struct err e = {0};
    return api_reply(r, 200, material_get(r->app, r->who, api_param_id(r, 0), &e), &e);
}

int api_materials_versions(struct http_req *r)
{
    struct err e = {0};
    return api_reply(r, 200, material_versions(r->app, r->who, api_param_id(r, 0), &e), &e);
}

static int version_param(struct http_req *r, int index, struct err *e)
{
    int64_t n = api_param_id(r, index);
    if (n <= 0 || n > 1000000) return err_set(e, ERR_NOT_FOUND, NULL, "no such version", "版本不存在");
    return (int)n;
}

int api_materials_version(struct http_req *r)
{
    struct err e = {0};
    int n = version_param(r, 1, &e);
    if (n < 0) return api_reply(r, 0, NULL, &e);
    return api_reply(r, 200, material_version(r->app, r->who, api_param_id(r, 0), n, &e), &e);
}

/* Content-Disposition: attachment with an ASCII fallback name and the UTF-8 name (RFC 6266/8187). */
static void content_disposition(struct http_req *r, const char *name)
{
    static const char attr_chars[] = "!#$&+-.^_`|~";
    char ascii[300], encoded[3 * 1024 + 1], header[4096];
    size_t a = 0, n = 0;
    for (const unsigned char *p = (const unsigned char *)name; *p && a + 1 < sizeof ascii; p++)
        ascii[a++] = (*p < 0x20 || *p >= 0x7f || *p == '"' || *p == '\\' || *p == ';' || *p == '%') ? '_' : (char)*p;
    ascii[a] = '\0';
    for (const unsigned char *p = (const unsigned char *)name; *p && n + 4 < sizeof encoded; p++) {
        bool plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
                     (*p < 0x80 && strchr(attr_chars, *p));
        n += (size_t)(plain ? snprintf(encoded + n, sizeof encoded - n, "%c", *p)
                            : snprintf(encoded + n, sizeof encoded - n, "%%%02X", *p));
    }
    snprintf(header, sizeof header, "attachment; filename=\"%s\"; filename*=UTF-8''%s", ascii, encoded);
    reply_header(r, "Content-Disposition", header);
}

static int content(struct http_req *r, int n)
{
    struct err e = {0};
    int fd = -1;
    json_t *meta = NULL;
    const char *type = NULL;
    int64_t id = api_param_id(r, 0);
    if (material_open(r->app, r->who, id, n, &fd, &meta, &type, &e) != 0) return api_reply(r, 0, NULL, &e);
    const char *filename = json_string_value(json_object_get(meta, "filename"));
    char fallback[96];
    if (!filename || !*filename) {
        snprintf(fallback, sizeof fallback, "material-%lld-v%lld.%s", (long long)id,
                 (long long)json_integer_value(json_object_get(meta, "n")),
                 json_string_value(json_object_get(meta, "ext")));
        filename = fallback;
    }
    content_disposition(r, filename);
    char etag[80];
    snprintf(etag, sizeof etag, "\"%s\"", json_string_value(json_object_get(meta, "sha256")));
    reply_header(r, "ETag", etag);
    reply_header(r, "Cache-Control", "private, no-store");
    uint64_t size = (uint64_t)json_integer_value(json_object_get(meta, "size"));
    json_decref(meta);
    return reply_file(r, 200, type, fd, size);
}

int api_materials_content(struct http_req *r) { return content(r, 0); }

int api_materials_version_content(struct http_req *r)
{
    struct err e = {0};
    int n = version_param(r, 1, &e);
    if (n < 0) return api_reply(r, 0, NULL, &e);
    return content(r, n);
}

int api_filings_version_materials(struct http_req *r)
{
    struct err e = {0};
    int n = version_param(r, 1, &e);
    if (n < 0) return api_reply(r, 0, NULL, &e);
    return api_reply(r, 200, material_pins_of_version(r->app, r->who, api_param_id(r, 0), n, &e), &e);
}
