/* api_proofs.c — the endpoints of issue 15: published keys, checkpoints and proofs of the audit
 * log (public on purpose: they reveal hashes only), a filing's certificate (JSON, or the PDF of
 * cert_pdf.c) and its receipts. */
#include "http/api.h"
#include "http/api_proofs.h"
#include "http/query.h"
#include "http/cert_pdf.h"
#include "service/app.h"
#include "service/filings.h"
#include "service/proofs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int api_public_keys(struct http_req *r)
{
    struct err e = {0};
    json_t *keys = proofs_keys(r->app, &e);
    if (keys) reply_header(r, "Cache-Control", "public, max-age=300");
    return api_reply(r, 200, keys, &e);
}

int api_public_checkpoint(struct http_req *r)
{
    struct err e = {0};
    char *note = proofs_checkpoint(r->app, &e);
    if (!note) return api_reply(r, 0, NULL, &e);
    reply_header(r, "Cache-Control", "no-store");
    int rc = reply_bytes(r, 200, "text/plain; charset=utf-8", note, strlen(note));
    free(note);
    return rc;
}

int api_public_inclusion(struct http_req *r)
{
    struct err e = {0};
    int64_t index, size;
    if (query_int(r, "index", 0, QUERY_INT_MAX, -1, &index, &e) || query_int(r, "size", 0, QUERY_INT_MAX, 0, &size, &e))
        return api_reply(r, 0, NULL, &e);
    if (index < 0) {
        err_set(&e, ERR_BAD_QUERY, "index", "give index=N (0-based) and optionally size=M", "请提供 index=N（从0起）及可选的 size=M");
        return api_reply(r, 0, NULL, &e);
    }
    return api_reply(r, 200, proofs_inclusion(r->app, index, size, &e), &e);
}

int api_public_consistency(struct http_req *r)
{
    struct err e = {0};
    int64_t from, to;
    if (query_int(r, "from", 0, QUERY_INT_MAX, -1, &from, &e) || query_int(r, "to", 0, QUERY_INT_MAX, 0, &to, &e))
        return api_reply(r, 0, NULL, &e);
    if (from < 0) {
        err_set(&e, ERR_BAD_QUERY, "from", "give from=M and optionally to=N", "请提供 from=M 及可选的 to=N");
        return api_reply(r, 0, NULL, &e);
    }
    return api_reply(r, 200, proofs_consistency(r->app, from, to, &e), &e);
}

static bool wants_pdf(struct http_req *r, const char *format)
{
    if (format) return strcmp(format, "pdf") == 0;
    const char *accept = http_header(r, "Accept");
    return accept && strstr(accept, "application/pdf") != NULL;
}

int api_filings_certificate(struct http_req *r)
{
    struct err e = {0};
    static const char *const formats[] = {"json", "pdf", NULL};
    const char *format;
    if (query_enum(r, "format", formats, &format, &e) != 0) return api_reply(r, 0, NULL, &e);
    json_t *env = proofs_certificate(r->app, r->who, api_param_id(r, 0), &e);
    if (!env || !wants_pdf(r, format)) return api_reply(r, 200, env, &e);
    /* the QR code opens the public verification page: --public-url, else this request's Host */
    char base[600];
    const char *pub = cert_pdf_public_url(), *host = http_header(r, "Host");
    if (pub && *pub) snprintf(base, sizeof base, "%s", pub);
    else snprintf(base, sizeof base, "http://%.500s", host && !strpbrk(host, " /\\\"<>") ? host : "localhost");
    size_t len = 0;
    unsigned char *pdf = cert_pdf_render(env, base, &len, &e);
    json_decref(env);
    if (!pdf) return api_reply(r, 0, NULL, &e);
    char disp[128];
    snprintf(disp, sizeof disp, "attachment; filename=\"certificate-%lld.pdf\"", (long long)api_param_id(r, 0));
    reply_header(r, "Content-Disposition", disp);
    int rc = reply_bytes(r, 200, "application/pdf", pdf, len);
    free(pdf);
    return rc;
}

int api_filings_receipts(struct http_req *r)
{
    struct err e = {0};
    return api_reply(r, 200, proofs_receipts(r->app, r->who, api_param_id(r, 0), 0, &e), &e);
}

int api_filings_receipt(struct http_req *r)
{
    struct err e = {0};
    int64_t n = api_param_id(r, 1);
    if (n <= 0) {
        err_set(&e, ERR_NOT_FOUND, NULL, "no such receipt", "回执不存在");
        return api_reply(r, 0, NULL, &e);
    }
    return api_reply(r, 200, proofs_receipts(r->app, r->who, api_param_id(r, 0), n, &e), &e);
}
