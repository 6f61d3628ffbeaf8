/* statistics.c — the figures of the filings a caller may see (see statistics.h): counts from the
 * store, review turnaround in the pack's working days, and what is overdue, each as the rest of
 * beian judges it (the queue's due dates, the supervision's inspection schedule, the change
 * reports' lateness, the incident clocks). */
#include "service/statistics.h"
#include "service/app_internal.h"
#include "service/audit.h"
#include "service/auth.h"
#include "service/inspections.h"
#include "core/calendar.h"
#include "core/clock.h"
#include "core/date.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { PAGE = 500 };

static int64_t jint(const json_t *o, const char *k) { return json_integer_value(json_object_get(o, k)); }
static const char *jstr(const json_t *o, const char *k) { return json_string_value(json_object_get(o, k)); }

/* ---- months --------------------------------------------------------------------------------- */

static int month_index(const char *ym)
{
    int y, m;
    if (!ym || sscanf(ym, "%4d-%2d", &y, &m) != 2 || m < 1 || m > 12) return -1;
    return y * 12 + m - 1;
}

/* [{month, submitted, filed, rejected}] for every month from the first to the last counted. */
static json_t *by_month(const json_t *counts)
{
    static const char *const SERIES[] = {"submitted", "filed", "rejected"};
    int first = -1, last = -1;
    for (int s = 0; s < 3; s++) {
        const char *ym;
        json_t *n;
        json_object_foreach(json_object_get(counts, SERIES[s]), ym, n) {
            int i = month_index(ym);
            if (i < 0) continue;
            if (first < 0 || i < first) first = i;
            if (i > last) last = i;
        }
    }
    json_t *out = json_array();
    for (int i = first; first >= 0 && i <= last; i++) {
        char ym[16];
        snprintf(ym, sizeof ym, "%04d-%02d", i / 12, i % 12 + 1);
        json_t *row = json_pack("{s:s}", "month", ym);
        for (int s = 0; s < 3; s++)
            json_object_set_new(row, SERIES[s], json_integer(jint(json_object_get(counts, SERIES[s]), ym)));
        json_array_append_new(out, row);
    }
    return out;
}

/* ---- review turnaround ---------------------------------------------------------------------- */

static int compare_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

/* PERCENTILE.INC of sorted values, to one decimal. */
static double percentile(const int *v, size_t n, double p)
{
    double rank = p * (double)(n - 1);
    size_t lo = (size_t)floor(rank), hi = lo + 1 < n ? lo + 1 : lo;
    double x = v[lo] + (rank - (double)lo) * (v[hi] - v[lo]);
    return round(x * 10) / 10;
}

static json_t *turnaround(struct store_conn *c, const struct store_scope *scope, const struct calendar *cal,
                          struct err *e)
{
    int *days = NULL;
    size_t n = 0, cap = 0;
    int64_t after = 0;
    for (;;) {
        json_t *page = store_review_spans(c, scope, after, PAGE, e);
        if (!page) { free(days); return NULL; }
        size_t i, count = json_array_size(page);
        json_t *r;
        json_array_foreach(page, i, r) {
            after = jint(r, "id");
            day_t from = date_of_timestamp(jstr(r, "submitted_at")), to = date_of_timestamp(jstr(r, "decided_at"));
            if (from < 0 || to < 0) continue;
            if (n == cap) {
                int *grown = realloc(days, (cap = cap ? cap * 2 : 64) * sizeof *days);
                if (!grown) { free(days); json_decref(page); err_set(e, ERR_INTERNAL, NULL, "out of memory", "内存不足"); return NULL; }
                days = grown;
            }
            days[n++] = calendar_working_days_between(cal, from, to);
        }
        json_decref(page);
        if (count < PAGE) break;
    }
    json_t *out;
    if (n == 0) {
        out = json_pack("{s:i s:n s:n}", "reviews", 0, "median_working_days", "p90_working_days");
    } else {
        qsort(days, n, sizeof *days, compare_int);
        out = json_pack("{s:I s:f s:f}", "reviews", (json_int_t)n, "median_working_days", percentile(days, n, 0.5),
                        "p90_working_days", percentile(days, n, 0.9));
    }
    free(days);
    return out;
}

/* ---- self-inspections ----------------------------------------------------------------------- */

/* Records whose scheduled report is overdue, and those with an ordered report overdue, as the
 * supervision view judges them (inspection_schedule), read without the documents. */
static int inspections_overdue(struct store_conn *c, const struct store_scope *scope, day_t today, int64_t *late,
                               int64_t *ordered_late, struct err *e)
{
    int64_t after = 0;
    *late = *ordered_late = 0;
    for (;;) {
        json_t *page = store_record_schedule_page(c, scope, after, PAGE, e);
        if (!page) return -1;
        size_t i, k, count = json_array_size(page);
        json_t *r, *o;
        json_array_foreach(page, i, r) {
            after = jint(r, "id");
            json_t *record = json_pack("{s:I s:O s:{s:O}}", "id", (json_int_t)after, "filed_at", json_object_get(r, "filed_at"),
                                       "derived", "self_inspection_months", json_object_get(r, "self_inspection_months"));
            json_t *schedule = inspection_schedule(c, record, today);
            *late += json_is_true(json_object_get(schedule, "overdue"));
            bool any = false;
            json_array_foreach(json_object_get(schedule, "ordered"), k, o) any |= json_is_true(json_object_get(o, "overdue"));
            *ordered_late += any;
            json_decref(schedule);
            json_decref(record);
        }
        json_decref(page);
        if (count < PAGE) return 0;
    }
}

/* ---- the answer ----------------------------------------------------------------------------- */

json_t *statistics_get(struct app *a, const struct principal *who, struct err *e)
{
    struct store_scope scope;
    audit_scope_of(who, &scope);
    struct store_conn *c = store_reader(a->store);
    day_t today = date_from_unix(clock_now());
    char today_text[11], now[32];
    date_format(today, today_text);
    time_format_rfc3339(clock_now(), now);
    const struct pack *p = app_pack_in_force(a, NULL, today);

    json_t *counts = store_statistics_counts(c, &scope, e);
    json_t *late = counts ? store_statistics_overdue(c, &scope, today_text, e) : NULL;
    json_t *reviews = late ? turnaround(c, &scope, p->calendar, e) : NULL;
    int64_t insp = 0, ordered = 0;
    /* the records an enterprise or an authority supervises; a provider supervises none */
    bool supervises = scope.admin || strcmp(who->org_kind, "enterprise") == 0 || strcmp(who->org_kind, "authority") == 0;
    int rc = reviews && supervises ? inspections_overdue(c, &scope, today, &insp, &ordered, e) : 0;
    json_t *out = NULL;
    if (reviews && rc == 0) {
        struct store_scope incident_scope = scope;
        if (!supervises) incident_scope.org_kind = "none";   /* as the incident queue: no provider sees them */
        json_t *inc = store_incident_counts(c, &incident_scope, now);
        int64_t total = 0;
        const char *k;
        json_t *n;
        json_object_foreach(json_object_get(counts, "state"), k, n) total += json_integer_value(n);
        out = json_pack("{s:s s:I s:o s:o s:o s:o s:O s:{s:I s:I s:I s:I s:I s:I s:I}}", "as_of", today_text, "total",
                        (json_int_t)total, "by_state", json_object_get(counts, "state") ? json_incref(json_object_get(counts, "state")) : json_object(),
                        "by_type", json_object_get(counts, "type") ? json_incref(json_object_get(counts, "type")) : json_object(),
                        "by_region", json_object_get(counts, "region") ? json_incref(json_object_get(counts, "region")) : json_object(),
                        "by_month", by_month(counts), "review_turnaround", reviews, "overdue",
                        "reviews", (json_int_t)jint(late, "reviews_overdue"), "inspections", (json_int_t)insp,
                        "ordered_inspections", (json_int_t)ordered, "change_reports_late",
                        (json_int_t)jint(late, "change_reports_late"), "records_with_standing_errors",
                        (json_int_t)jint(late, "records_with_standing_errors"),
                        "incidents_late_first_report", (json_int_t)jint(inc, "late_first_report"),
                        "incidents_closure_overdue", (json_int_t)jint(inc, "closure_overdue"));
        json_decref(inc);
    }
    json_decref(counts);
    json_decref(late);
    json_decref(reviews);
    return out;
}
