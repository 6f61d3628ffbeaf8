/* web.c — everything outside /api/. For now only a one-line landing page at "/"; the UI and its
 * static assets will be served from here. */
#include "http/http.h"

#include <string.h>

static const char LANDING_PAGE[] =
    "beian is running; API at /api/v1 \xe2\x80\x94 see /api/v1/openapi.json\n";

int web_dispatch(struct http_req *r)
{
    if (strcmp(r->path, "/") != 0)
        return reply_error(r, ERR_NOT_FOUND, "no such page", "页面不存在");
    if (strcmp(r->method, "GET") != 0) {
        reply_header(r, "Allow", "GET");
        return reply_error(r, ERR_METHOD_NOT_ALLOWED, "only GET is supported here", "此处仅支持 GET");
    }
    return reply_bytes(r, 200, "text/plain; charset=utf-8", LANDING_PAGE, sizeof LANDING_PAGE - 1);
}
