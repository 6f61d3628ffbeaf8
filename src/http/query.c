/* query.c — the one parser of query parameters (query.h): typed readers with one wording per kind
 * of value, the check of the common parameters on every API request, and the check that names and
 * values are UTF-8 without NUL (http_query_check, router.c). */
#include "http/query.h"
#include "core/workflow.h"

#include <stdio.h>
#include <string.h>

/* The value, or NULL when absent or empty. */
static const char *value_of(struct http_req *r, const char *name)
{
    const char *v = http_query(r, name);
    return v && *v ? v : NULL;
}

/* Decimal digits only (an optional leading '-'), at most 18 of them. */
static bool parse_integer(const char *s, int64_t *out)
{
    bool negative = *s == '-';
    if (negative) s++;
    size_t n = strspn(s, "0123456789");
    if (n == 0 || s[n] != '\0' || n > 18) return false;
    int64_t v = 0;
    for (size_t i = 0; i < n; i++) v = v * 10 + (s[i] - '0');
    *out = negative ? -v : v;
    return true;
}

int query_int(struct http_req *r, const char *name, int64_t min, int64_t max, int64_t def, int64_t *out,
              struct err *e)
{
    const char *s = value_of(r, name);
    int64_t v;
    *out = def;
    if (!s) return 0;
    if (!parse_integer(s, &v) || v < min || v > max)
        return err_set(e, ERR_BAD_QUERY, name, "query parameter %s must be an integer from %lld to %lld",
                       "查询参数 %s 必须是 %lld 到 %lld 之间的整数", name, (long long)min, (long long)max);
    *out = v;
    return 0;
}

int query_bool(struct http_req *r, const char *name, bool *out, struct err *e)
{
    const char *s = value_of(r, name);
    *out = false;
    if (!s || strcmp(s, "false") == 0) return 0;
    if (strcmp(s, "true") == 0) {
        *out = true;
        return 0;
    }
    return err_set(e, ERR_BAD_QUERY, name, "query parameter %s must be true or false", "查询参数 %s 必须为 true 或 false",
                   name);
}

int query_enum(struct http_req *r, const char *name, const char *const allowed[], const char **out, struct err *e)
{
    const char *s = value_of(r, name);
    *out = NULL;
    if (!s) return 0;
    char list[256] = "";
    for (int i = 0; allowed[i]; i++) {
        if (strcmp(s, allowed[i]) == 0) {
            *out = allowed[i];
            return 0;
        }
        size_t used = strlen(list);
        snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "", allowed[i]);
    }
    return err_set(e, ERR_BAD_QUERY, name, "query parameter %s must be one of: %s", "查询参数 %s 必须为以下之一：%s", name,
                   list);
}

int query_day(struct http_req *r, const char *name, day_t def, day_t *out, struct err *e)
{
    const char *s = value_of(r, name);
    *out = def;
    if (!s) return 0;
    if (date_parse(s, out) != 0)
        return err_set(e, ERR_BAD_QUERY, name, "query parameter %s must be a day YYYY-MM-DD",
                       "查询参数 %s 必须是 YYYY-MM-DD 格式的日期", name);
    return 0;
}

int query_text(struct http_req *r, const char *name, size_t max_bytes, const char **out, struct err *e)
{
    const char *s = value_of(r, name);
    *out = NULL;
    if (!s) return 0;
    if (strlen(s) > max_bytes)
        return err_set(e, ERR_BAD_QUERY, name, "query parameter %s is at most %zu bytes", "查询参数 %s 最长 %zu 字节", name,
                       max_bytes);
    *out = s;
    return 0;
}

int query_page(struct http_req *r, int def_limit, int *limit, int64_t *cursor, struct err *e)
{
    int64_t n;
    if (query_int(r, "limit", 1, QUERY_LIMIT_MAX, def_limit, &n, e) != 0) return -1;
    *limit = (int)n;
    const char *s = value_of(r, "cursor");
    *cursor = 0;
    if (s && (!parse_integer(s, cursor) || *cursor < 1))
        return err_set(e, ERR_BAD_QUERY, "cursor", "query parameter cursor must be the next_cursor of an earlier page",
                       "查询参数 cursor 必须是上一页返回的 next_cursor");
    return 0;
}

int query_id(struct http_req *r, const char *name, int64_t *out, struct err *e)
{
    return query_int(r, name, 1, QUERY_INT_MAX, 0, out, e);
}

int query_state(struct http_req *r, const char **out, struct err *e)
{
    const char *s = value_of(r, "state");
    *out = NULL;
    if (!s) return 0;
    if (wf_state_parse(s) == ST_NONE)
        return err_set(e, ERR_BAD_QUERY, "state", "query parameter state must be a state of the workflow (GET /api/v1/workflow)",
                       "查询参数 state 必须是流程中的状态（见 GET /api/v1/workflow）");
    *out = s;
    return 0;
}

int query_region(struct http_req *r, const char **out, struct err *e)
{
    const char *s = value_of(r, "region");
    *out = NULL;
    if (!s) return 0;
    if (strlen(s) != 6 || strspn(s, "0123456789") != 6)
        return err_set(e, ERR_BAD_QUERY, "region", "query parameter region must be a 6-digit region code",
                       "查询参数 region 必须是6位行政区划代码");
    *out = s;
    return 0;
}

int query_filing_type(struct http_req *r, const char **out, struct err *e)
{
    const char *s = value_of(r, "type");
    *out = NULL;
    if (!s) return 0;
    size_t n = strlen(s);
    if (n > 32 || strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_") != n)
        return err_set(e, ERR_BAD_QUERY, "type", "query parameter type must be a filing type such as standard or strict",
                       "查询参数 type 必须是备案类型，例如 standard 或 strict");
    *out = s;
    return 0;
}

/* ---- the common parameters, on every route ---------------------------------------------- */

static int check_page(struct http_req *r, struct err *e)
{
    int limit;
    int64_t cursor;
    return query_page(r, 1, &limit, &cursor, e);
}

static int check_ids(struct http_req *r, struct err *e)
{
    static const char *const names[] = {"filing_id", "system_id", "org_id", NULL};
    int64_t id;
    for (int i = 0; names[i]; i++)
        if (query_id(r, names[i], &id, e) != 0) return -1;
    return 0;
}

static int check_filters(struct http_req *r, struct err *e)
{
    const char *s;
    day_t day;
    bool b;
    return query_state(r, &s, e) || query_filing_type(r, &s, e) || query_region(r, &s, e) ||
                   query_text(r, "q", QUERY_TEXT_MAX, &s, e) || query_day(r, "as_of", 0, &day, e) ||
                   query_bool(r, "late", &b, e) || query_bool(r, "overdue", &b, e)
               ? -1
               : 0;
}

int query_check_common(struct http_req *r, struct err *e)
{
    return check_page(r, e) || check_ids(r, e) || check_filters(r, e) ? -1 : 0;
}
