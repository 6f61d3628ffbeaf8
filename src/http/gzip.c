/* gzip.c — Accept-Encoding negotiation and gzip compression of replies (gzip.h). */
#include "http/gzip.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>

/* The weight of one Accept-Encoding member's parameters (";q=0.5"); 1 when none. */
static double member_weight(const char *params, size_t len)
{
    double q = 1.0;
    size_t i = 0;
    while (i < len) {
        while (i < len && (params[i] == ';' || params[i] == ' ' || params[i] == '\t')) i++;
        if (len - i >= 2 && (params[i] == 'q' || params[i] == 'Q') && params[i + 1] == '=') {
            i += 2;
            /* qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ) */
            if (i < len && (params[i] == '0' || params[i] == '1')) {
                q = params[i] - '0';
                i++;
                if (i < len && params[i] == '.') {
                    double scale = 0.1;
                    for (i++; i < len && params[i] >= '0' && params[i] <= '9'; i++, scale /= 10)
                        q += (params[i] - '0') * scale;
                }
                if (q > 1.0) q = 1.0;
            } else {
                q = 0;
            }
        }
        while (i < len && params[i] != ';') i++;
    }
    return q;
}

bool gzip_accepted(const char *accept_encoding)
{
    if (!accept_encoding) return false;
    double gzip = -1, star = -1;   /* -1: not named */
    const char *p = accept_encoding;
    while (*p) {
        while (*p == ' ' || *p == '\t' || *p == ',') p++;
        if (!*p) break;
        size_t len = strcspn(p, ",");
        size_t name_len = strcspn(p, ",; \t");
        double q = member_weight(p + name_len, len - name_len);
        if ((name_len == 4 && strncasecmp(p, "gzip", 4) == 0) || (name_len == 6 && strncasecmp(p, "x-gzip", 6) == 0)) {
            if (q > gzip) gzip = q;
        } else if (name_len == 1 && *p == '*') {
            star = q;
        }
        p += len;
    }
    if (gzip >= 0) return gzip > 0;
    return star > 0;
}

bool gzip_type_compressible(const char *content_type)
{
    if (!content_type) return false;
    size_t len = strcspn(content_type, ";");
    while (len && (content_type[len - 1] == ' ' || content_type[len - 1] == '\t')) len--;
    if (len >= 5 && strncasecmp(content_type, "text/", 5) == 0) return true;
    static const char *const exact[] = {
        "application/json", "application/javascript", "application/xml", "image/svg+xml",
        "application/manifest+json", "application/x-ndjson", NULL,
    };
    for (int i = 0; exact[i]; i++)
        if (strlen(exact[i]) == len && strncasecmp(content_type, exact[i], len) == 0) return true;
    /* application/problem+json, application/merge-patch+json, application/sarif+json, …+xml */
    return len > 17 && strncasecmp(content_type, "application/", 12) == 0 &&
           (strncasecmp(content_type + len - 5, "+json", 5) == 0 || strncasecmp(content_type + len - 4, "+xml", 4) == 0);
}

char *gzip_compress(const void *data, size_t len, size_t *out_len)
{
    z_stream z = {0};
    if (len > (size_t)UINT_MAX / 2) return NULL;   /* replies are far smaller; zlib counts in uInt */
    /* windowBits 15 + 16: a gzip wrapper instead of zlib's; level 6, zlib's default */
    if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) return NULL;
    uLong bound = deflateBound(&z, (uLong)len);
    char *out = malloc(bound ? bound : 1);
    if (!out) {
        deflateEnd(&z);
        return NULL;
    }
    z.next_in = (Bytef *)data;
    z.avail_in = (uInt)len;
    z.next_out = (Bytef *)out;
    z.avail_out = (uInt)bound;
    int rc = deflate(&z, Z_FINISH);
    *out_len = z.total_out;
    deflateEnd(&z);
    if (rc != Z_STREAM_END) {
        free(out);
        return NULL;
    }
    return out;
}
