/* api_exports.c — GET /exports/register.csv|.xlsx (the register as a file, with the filters of
 * GET /filings), GET /filings/{id}/bundle (one filing's full record) and GET /statistics: thin
 * adapters to service/exports.h and service/statistics.h. The register is written into a nameless
 * temporary file and sent from it, so a large register never sits in memory. */
#include "http/api_exports.h"
#include "http/api.h"
#include "service/app.h"
#include "service/exports.h"
#include "service/statistics.h"
#include "core/clock.h"
#include "http/query.h"
#include "core/date.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int register_reply(struct http_req *r, enum export_format format)
{
    struct err e = {0};
    static const char *const langs[] = {"zh", "en", NULL};
    const char *lang = NULL;
    int64_t system_id = 0;
    if (query_id(r, "system_id", &system_id, &e) != 0 || query_enum(r, "lang", langs, &lang, &e) != 0)
        return api_reply(r, 0, NULL, &e);
    struct register_query q = {.state = http_query(r, "state"), .region = http_query(r, "region"),
                               .type = http_query(r, "type"), .q = http_query(r, "q"), .kind = http_query(r, "kind"),
                               .system_id = system_id};
    if (export_register_check(&q, &e) != 0) return api_reply(r, 0, NULL, &e);
    int fd = export_tmpfile(r->app, &e);
    if (fd < 0) return api_reply(r, 0, NULL, &e);
    struct stat st;
    if (export_register(r->app, r->who, &q, format, lang && strcmp(lang, "en") == 0, fd, &e) < 0 ||
        fstat(fd, &st) != 0 || lseek(fd, 0, SEEK_SET) != 0) {
        close(fd);
        return api_reply(r, 0, NULL, &e);
    }
    char day[11], disposition[96];
    date_format(date_from_unix(clock_now()), day);
    snprintf(disposition, sizeof disposition, "attachment; filename=\"register-%s.%s\"", day,
             format == EXPORT_CSV ? "csv" : "xlsx");
    reply_header(r, "Content-Disposition", disposition);
    return reply_file(r, 200,
                      format == EXPORT_CSV ? "text/csv; charset=utf-8; header=present"
                                           : "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                      fd, (uint64_t)st.st_size);
}

int api_exports_register_csv(struct http_req *r) { return register_reply(r, EXPORT_CSV); }
int api_exports_register_xlsx(struct http_req *r) { return register_reply(r, EXPORT_XLSX); }

int api_filings_bundle(struct http_req *r)
{
    struct err e = {0};
    json_t *bundle = export_bundle(r->app, r->who, api_param_id(r, 0), &e);
    if (bundle) {
        char disposition[96];
        snprintf(disposition, sizeof disposition, "attachment; filename=\"filing-%lld-bundle.json\"",
                 (long long)api_param_id(r, 0));
        reply_header(r, "Content-Disposition", disposition);
    }
    return api_reply(r, 200, bundle, &e);
}

int api_statistics(struct http_req *r)
{
    struct err e = {0};
    return api_reply(r, 200, statistics_get(r->app, r->who, &e), &e);
}
