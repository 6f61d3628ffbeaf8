/* supervision.c — the work list of filed records and their next dates (see supervision.h). */
#include "service/supervision.h"
#include "service/app_internal.h"
#include "service/audit.h"
#include "service/auth.h"
#include "service/evidence.h"
#include "service/filings.h"
#include "service/inspections.h"
#include "core/clock.h"

#include <stdio.h>
#include <string.h>

static int64_t jint(const json_t *o, const char *k) { return json_integer_value(json_object_get(o, k)); }
static const char *jstr(const json_t *o, const char *k) { return json_string_value(json_object_get(o, k)); }

enum { MAX_RECORDS = 500 };

struct collect { json_t *ids; };

static int collect_id(const json_t *row, void *arg)
{
    struct collect *c = arg;
    json_array_append_new(c->ids, json_integer(jint(row, "id")));
    return json_array_size(c->ids) >= MAX_RECORDS;
}

/* last + interval days, as text; NULL when either is missing. */
static json_t *day_after(const char *last, int64_t days)
{
    day_t d;
    if (!last || days <= 0 || date_parse(last, &d) != 0) return json_null();
    char buf[11];
    date_format(d + (day_t)days, buf);
    return json_string(buf);
}

static json_t *record_line(struct store_conn *c, const json_t *row, day_t today)
{
    const json_t *doc = json_object_get(row, "document");
    json_t *schedule = inspection_schedule(c, row, today);
    json_t *standing = store_standing_open(c, jint(row, "id"));
    int errors = 0, warnings = 0;
    size_t i;
    json_t *s;
    json_array_foreach(standing, i, s) {
        if (strcmp(jstr(s, "severity"), "error") == 0) errors++;
        else warnings++;
    }
    bool ordered_overdue = false;
    json_array_foreach(json_object_get(schedule, "ordered"), i, s) ordered_overdue |= json_is_true(json_object_get(s, "overdue"));
    const json_t *scan = json_at_pointer(doc, "/operations/vuln_scan");
    json_t *line = json_pack(
        "{s:I s:O s:O s:O s:O s:O s:{s:O s:O s:O s:o s:O} s:i s:i s:O s:b}", "id", (json_int_t)jint(row, "id"), "number",
        json_object_get(row, "number"), "subject_name", json_object_get(row, "subject_name"), "system_name",
        json_object_get(row, "system_name"), "type", json_object_get(row, "type"), "level", json_object_get(row, "level"),
        "next", "inspection_due", json_object_get(schedule, "next_due"), "agreement_valid_until",
        json_at_pointer(doc, "/agreement/valid_until") ? json_at_pointer(doc, "/agreement/valid_until") : json_null(),
        "last_drill", json_at_pointer(doc, "/emergency/last_drill") ? json_at_pointer(doc, "/emergency/last_drill") : json_null(),
        "next_scan", day_after(jstr(scan, "last_scan"), jint(scan, "interval_days")),
        "last_scan", json_object_get(scan, "last_scan") ? json_object_get(scan, "last_scan") : json_null(),
        "standing_errors", errors, "standing_warnings", warnings, "inspection_overdue", json_object_get(schedule, "overdue"),
        "ordered_overdue", ordered_overdue);
    json_object_set(line, "open_inspections", json_object_get(schedule, "open"));
    json_decref(schedule);
    json_decref(standing);
    return line;
}

json_t *supervision_list(struct app *a, const struct principal *who, const char *overdue, struct err *e)
{
    struct store_scope scope;
    audit_scope_of(who, &scope);
    if (!scope.admin && strcmp(who->org_kind, "enterprise") != 0 && strcmp(who->org_kind, "authority") != 0)
        return json_pack("{s:[] s:{s:i s:i s:i s:i}}", "items", "counts", "records", 0, "inspection_overdue", 0,
                         "with_standing_errors", 0, "ordered_overdue", 0);
    struct store_conn *c = store_reader(a->store);
    struct collect ids = {json_array()};
    if (store_filing_each_record(c, &scope, collect_id, &ids, e) != 0) {
        json_decref(ids.ids);
        return NULL;
    }
    bool only_overdue = overdue && strcmp(overdue, "true") == 0;
    day_t today = date_from_unix(clock_now());
    json_t *items = json_array();
    int n = 0, late = 0, with_errors = 0, ordered_late = 0;
    size_t i;
    json_t *id;
    json_array_foreach(ids.ids, i, id) {
        json_t *row = store_filing_get(c, json_integer_value(id));
        if (!row) continue;
        evidence_overlay(c, row);
        json_t *line = record_line(c, row, today);
        json_decref(row);
        bool is_late = json_is_true(json_object_get(line, "inspection_overdue"));
        bool ord = json_is_true(json_object_get(line, "ordered_overdue"));
        bool errs = jint(line, "standing_errors") > 0;
        n++;
        late += is_late;
        ordered_late += ord;
        with_errors += errs;
        if (only_overdue && !is_late && !ord && !errs) json_decref(line);
        else json_array_append_new(items, line);
    }
    json_decref(ids.ids);
    return json_pack("{s:o s:{s:i s:i s:i s:i}}", "items", items, "counts", "records", n, "inspection_overdue", late,
                     "with_standing_errors", with_errors, "ordered_overdue", ordered_late);
}
