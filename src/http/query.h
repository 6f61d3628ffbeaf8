/* query.h — the one parser of query parameters. Every parameter is read through it, so that an
 * error always has the problem code bad_query_parameter (400) with field = the parameter's name
 * and the same words in zh and en for the same kind of value, and the same bad value gets the
 * same answer on every route: the parameters of a fixed meaning (limit, cursor, state, type,
 * region, q, filing_id, system_id, org_id, as_of, late, overdue) are checked for every API request
 * by query_check_common, whichever route it goes to and whether or not the route reads them.
 * An empty value counts as absent. */
#ifndef BEIAN_QUERY_H
#define BEIAN_QUERY_H

#include <stdbool.h>
#include <stdint.h>
#include "core/date.h"
#include "http/http.h"

#define QUERY_LIMIT_MAX 500      /* a page: limit=1..500; a route may serve fewer per page */
#define QUERY_TEXT_MAX 200       /* q= */
#define QUERY_INT_MAX INT64_C(999999999999999999)   /* 18 digits: the most an integer parameter has */

/* Checks every common parameter present (after http_query_check: names and values are UTF-8
 * without NUL). 0, or -1 with e set. */
int query_check_common(struct http_req *r, struct err *e);

/* Typed readers: 0 with *out set (def when absent), or -1 with e set. */
int query_int(struct http_req *r, const char *name, int64_t min, int64_t max, int64_t def, int64_t *out,
              struct err *e);
int query_bool(struct http_req *r, const char *name, bool *out, struct err *e);
/* One of allowed (NULL-terminated); *out NULL when absent. */
int query_enum(struct http_req *r, const char *name, const char *const allowed[], const char **out, struct err *e);
int query_day(struct http_req *r, const char *name, day_t def, day_t *out, struct err *e);
/* Any text of at most max_bytes; *out NULL when absent. */
int query_text(struct http_req *r, const char *name, size_t max_bytes, const char **out, struct err *e);

/* The common ones. */
int query_page(struct http_req *r, int def_limit, int *limit, int64_t *cursor, struct err *e);
int query_id(struct http_req *r, const char *name, int64_t *out, struct err *e);     /* filing_id, …; 0 absent */
int query_state(struct http_req *r, const char **out, struct err *e);                /* a workflow state */
int query_region(struct http_req *r, const char **out, struct err *e);               /* 6 digits */
int query_filing_type(struct http_req *r, const char **out, struct err *e);          /* type= */

#endif
