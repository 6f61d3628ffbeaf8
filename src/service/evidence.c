/* evidence.c — recurring evidence of a filed record (see evidence.h). */
#include "service/evidence.h"
#include "service/app_internal.h"
#include "service/audit.h"
#include "service/auth.h"
#include "service/filings.h"
#include "service/input.h"
#include "core/clock.h"
#include "core/date.h"
#include "core/workflow.h"

#include <stdbool.h>
#include <string.h>

static int64_t jint(const json_t *o, const char *k) { return json_integer_value(json_object_get(o, k)); }
static const char *jstr(const json_t *o, const char *k) { return json_string_value(json_object_get(o, k)); }

/* Which field of the filing document each kind of evidence dates. */
static const struct { const char *kind, *section, *object, *field; } FIELDS[] = {
    {"vuln_scan", "operations", "vuln_scan", "last_scan"},
    {"training", "operations", "training", "last_training"},
    {"drill", "emergency", NULL, "last_drill"},
    {"restore_test", "data_security", "backup", "last_restore_test"},
};

static bool kind_known(const char *kind)
{
    for (size_t i = 0; i < sizeof FIELDS / sizeof FIELDS[0]; i++)
        if (strcmp(FIELDS[i].kind, kind) == 0) return true;
    return false;
}

void evidence_overlay(struct store_conn *c, json_t *record)
{
    json_t *latest = store_evidence_latest(c, jint(record, "id"));
    if (json_object_size(latest) == 0) { json_decref(latest); return; }
    json_t *doc = json_object_get(record, "document");
    doc = json_is_string(doc) ? json_loads(json_string_value(doc), 0, NULL) : json_deep_copy(doc);
    for (size_t i = 0; doc && i < sizeof FIELDS / sizeof FIELDS[0]; i++) {
        const char *day = jstr(latest, FIELDS[i].kind);
        if (!day) continue;
        json_t *obj = json_object_get(doc, FIELDS[i].section);
        if (!json_is_object(obj)) json_object_set_new(doc, FIELDS[i].section, obj = json_object());
        if (FIELDS[i].object) {
            json_t *inner = json_object_get(obj, FIELDS[i].object);
            if (!json_is_object(inner)) json_object_set_new(obj, FIELDS[i].object, inner = json_object());
            obj = inner;
        }
        const char *have = jstr(obj, FIELDS[i].field);
        if (!have || strcmp(have, day) < 0) json_object_set_new(obj, FIELDS[i].field, json_string(day));
    }
    if (doc) json_object_set_new(record, "document", doc);
    json_decref(latest);
}

/* The filed record of the caller's enterprise, or NULL with e. */
static json_t *own_record(struct store_conn *c, const struct principal *who, int64_t filing_id, bool write, struct err *e)
{
    json_t *row = filing_load_visible(c, who, filing_id, e);
    if (!row) return NULL;
    if (write && (strcmp(who->org_kind, "enterprise") != 0 || jint(row, "org_id") != who->org_id || !(who->roles & ROLE_FILER))) {
        json_decref(row);
        err_set(e, ERR_FORBIDDEN, NULL, "only a filer of the enterprise adds evidence to its record", "只有备案主体的填报人可以补充记录");
        return NULL;
    }
    if (strcmp(jstr(row, "state"), "filed") != 0 || strcmp(jstr(row, "kind"), "initial") != 0) {
        json_decref(row);
        err_set(e, ERR_CONFLICT, NULL, "evidence is added to a filed record", "只能为已备案的记录补充");
        return NULL;
    }
    return row;
}

struct add_job { const struct principal *who; int64_t filing_id, org_id, material_id; const char *kind, *on_date, *note; int64_t id; };

static int add_job_fn(struct store_conn *c, void *arg, struct err *e)
{
    struct add_job *j = arg;
    j->id = store_evidence_insert(c, j->filing_id, j->org_id, j->kind, j->on_date, j->material_id, j->note, j->who->user_id, e);
    if (j->id < 0) return -1;
    json_t *d = json_pack("{s:s s:s}", "kind", j->kind, "on_date", j->on_date);
    if (j->material_id) json_object_set_new(d, "material_id", json_integer(j->material_id));
    int rc = audit_record(c, j->who, "evidence.add", "filing", j->filing_id, j->filing_id, j->org_id, NULL, NULL, d, e);
    json_decref(d);
    return rc;
}

json_t *evidence_add(struct app *a, const struct principal *who, int64_t filing_id, const json_t *in, struct err *e)
{
    static const char *const keys[] = {"kind", "on_date", "material_id", "note", NULL};
    struct add_job j = {who, filing_id, 0, 0, NULL, NULL, NULL, 0};
    day_t day;
    if (input_known_keys(in, keys, e) || input_text(in, "kind", true, 32, &j.kind, e) ||
        input_text(in, "on_date", true, 10, &j.on_date, e) || input_int(in, "material_id", false, 1, INT64_MAX, &j.material_id, e) ||
        input_text(in, "note", false, 2000, &j.note, e))
        return NULL;
    if (!kind_known(j.kind)) {
        err_set(e, ERR_VALIDATION, "/kind", "kind is vuln_scan, training, drill or restore_test", "kind 应为 vuln_scan、training、drill 或 restore_test");
        return NULL;
    }
    if (date_parse(j.on_date, &day) != 0 || day > date_from_unix(clock_now())) {
        err_set(e, ERR_VALIDATION, "/on_date", "on_date is a day written YYYY-MM-DD, not after today", "on_date 应为不晚于今天的日期（YYYY-MM-DD）");
        return NULL;
    }
    struct store_conn *c = store_reader(a->store);
    json_t *row = own_record(c, who, filing_id, true, e);
    if (!row) return NULL;
    j.org_id = jint(row, "org_id");
    json_decref(row);
    if (j.material_id) {
        json_t *m = store_material_get(c, j.material_id);
        bool ok = m && jint(m, "org_id") == j.org_id;
        json_decref(m);
        if (!ok) {
            err_set(e, ERR_VALIDATION, "/material_id", "your organisation has no material %lld", "本单位没有编号为 %lld 的材料",
                    (long long)j.material_id);
            return NULL;
        }
    }
    if (store_write(a->store, add_job_fn, &j, e) != 0) return NULL;
    return evidence_list(a, who, filing_id, e);
}

json_t *evidence_list(struct app *a, const struct principal *who, int64_t filing_id, struct err *e)
{
    struct store_conn *c = store_reader(a->store);
    json_t *row = filing_load_visible(c, who, filing_id, e);
    if (!row) return NULL;
    json_decref(row);
    return json_pack("{s:o}", "items", store_evidence_list(c, filing_id));
}
