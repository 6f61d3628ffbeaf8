/* change_reports.c — classification, lateness and the objection window of change reports
 * (change_reports.h). The policy (what is major, the limits, the window) is the pack's; this file
 * feeds it the record, the change and the days, and keeps the answer with the filing. */
#include "service/change_reports.h"

#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/date.h"
#include "policy/rules.h"
#include "service/app_internal.h"

static const char *jstr(const json_t *o, const char *k) { return json_string_value(json_object_get(o, k)); }
static int64_t jint(const json_t *o, const char *k) { return json_integer_value(json_object_get(o, k)); }

static day_t today(void) { return date_from_unix(clock_now()); }

void change_classify(struct app *a, struct store_conn *c, json_t *row)
{
    const char *kind = jstr(row, "kind");
    if (!kind || strcmp(kind, "change") != 0 || !jint(row, "parent_id")) return;
    /* once on the record, the record carries the change: the verdict given then is the one kept */
    const char *state = jstr(row, "state");
    if (state && (strcmp(state, "filed") == 0 || strcmp(state, "minor_recorded") == 0)) return;
    json_t *parent = store_filing_get(c, jint(row, "parent_id"));
    if (!parent) return;
    const struct pack *p = app_pack_in_force(a, jstr(row, "pack"), today());
    json_t *ctx = json_object();
    if (jstr(row, "effective_on")) json_object_set_new(ctx, "effective_on", json_string(jstr(row, "effective_on")));
    if (jstr(row, "reported_on")) json_object_set_new(ctx, "reported_on", json_string(jstr(row, "reported_on")));
    json_t *verdict = NULL;
    struct err e = {0};
    if (policy_classify_change(p, json_object_get(parent, "document"), json_object_get(row, "document"), today(), ctx,
                               &verdict, &e) == 0) {
        json_t *derived = json_object_get(row, "derived");
        if (!json_is_object(derived)) json_object_set_new(row, "derived", derived = json_object());
        json_object_set(derived, "change", verdict);
        json_object_set(row, "change_class", json_object_get(verdict, "class"));
        json_object_set(row, "late", json_object_get(verdict, "late"));
        const json_t *why = json_object_get(verdict, "late_reason");
        char *text = json_is_object(why) ? json_dumps(why, JSON_COMPACT) : NULL;
        json_object_set_new(row, "late_reason", text ? json_string(text) : json_null());
        free(text);
        json_decref(verdict);
    }
    err_clear(&e);
    json_decref(ctx);
    json_decref(parent);
}

bool change_is_minor(const json_t *row)
{
    const json_t *derived = json_object_get(row, "derived");
    json_t *parsed = json_is_string(derived) ? json_loads(json_string_value(derived), 0, NULL) : NULL;
    const char *cls = json_string_value(json_object_get(json_object_get(parsed ? parsed : derived, "change"), "class"));
    bool minor = cls && strcmp(cls, "minor") == 0;
    json_decref(parsed);
    return minor;
}

bool change_objection_due(struct app *a, const json_t *row, char buf[11])
{
    const struct pack *p = app_pack_in_force(a, jstr(row, "pack"), today());
    int days = pack_change_objection_working_days(p);
    if (days <= 0) return false;
    date_format(calendar_add_working_days(p->calendar, today(), days), buf);
    return true;
}

bool change_objection_open(const json_t *row)
{
    const char *state = jstr(row, "state"), *due = jstr(row, "objection_due");
    day_t d;
    return state && strcmp(state, "minor_recorded") == 0 && due && date_parse(due, &d) == 0 && today() <= d;
}

void change_view(json_t *v)
{
    static const char *const CHANGE_ONLY[] = {"change_class", "late", "late_reason", "effective_on", "reported_on",
                                              "objection_due", "objected_at", NULL};
    const char *kind = jstr(v, "kind");
    if (!kind || strcmp(kind, "change") != 0) {   /* an initial filing is no change report */
        for (int i = 0; CHANGE_ONLY[i]; i++) json_object_del(v, CHANGE_ONLY[i]);
        return;
    }
    const json_t *late = json_object_get(v, "late");
    json_object_set_new(v, "late", json_boolean(json_is_true(late) || json_integer_value(late) != 0));
    const char *why = jstr(v, "late_reason");
    json_t *parsed = why ? json_loads(why, 0, NULL) : NULL;
    json_object_set_new(v, "late_reason", parsed ? parsed : json_null());
    const char *state = jstr(v, "state");
    if (state && strcmp(state, "minor_recorded") == 0) {
        bool open = change_objection_open(v);
        json_object_set_new(v, "objection_open", json_boolean(open));
        json_object_set_new(v, "final", json_boolean(!open));
    }
}
