/* pack.h — a policy pack loaded from its directory (policy/<id>/): manifest, form schema, region
 * table, working-day calendar, deadlines and material kinds. The program reads every policy fact
 * from here; nothing of the form is compiled in.
 *
 * Files of a pack directory (all JSON, UTF-8):
 *   manifest.json   {"id","edition","version","effective_from","supersedes","title":{"zh","en"}}
 *   form.json       {"sections":[{"key","label":{zh,en},"help":{zh,en},"fields":[FIELD…]}]}
 *   regions.json    {"110000":{"zh":"北京市","en":"Beijing"}, …}
 *   calendar.json   {"2026":{"holidays":["2026-01-01",…],"workdays":["2026-01-04",…]}, …}
 *   deadlines.json  {"review_working_days":{"simplified":5,"standard":10,"strict":20},
 *                    "rectification_working_days":15,
 *                    "self_inspection_months":{"simplified":24,"standard":12,"strict":6},
 *                    "default_filing_type":"standard",
 *                    "filing_types":{"standard":{"zh":"一般备案","en":"Standard"}, …} (optional: names),
 *                    "change_report":{"major_days_before_effective":1,"minor_days_after_effective":30},
 *                    "change_objection_working_days":10}   (the last two optional: change reports)
 *   materials.json  {"kinds":[{"key":"business_licence","label":{"zh","en"}}, …]}
 *   providers.json  (optional) {"qualification_warning_days": n, "evaluation_max_age_days": n,
 *                    "criteria":[{"key","label":{"zh","en"}}, …]} (the provider evaluation)
 *   incidents.json  (optional) {"source":{zh,en},"levels":[{"key","label":{zh,en},
 *                    "first_report_hours":n,"closure_days":n}, …]} (pack_incidents.c)
 *   notifications.json (optional) {"events":{"filing.approved":{"subject":{zh,en},"body":{zh,en}}, …}}
 *                    (texts of notifications; placeholders {system} {number} {items} …, see service/notify.c)
 * FIELD = {"key","type","label":{zh,en},"help":{zh,en}?, "required":bool?, "max_length":n?,
 *          "min":n?, "max":n?, "min_items":n?, "max_items":n?, "pattern":"regex"?,
 *          "options":[{"value","label":{zh,en}}]? (enum, enum[]), "fields":[FIELD…]? (object,
 *          list<object>), "material_kind":"…"? (material, material[]), "org_kind":"provider"? (org_ref)}
 * Types: text, int, bool, date, enum, enum[], text[], object, list<object>, material, material[], org_ref.
 *
 * The pack's rules and classification (rules.h) are Lua files beside these: lib.lua (helpers,
 * optional), rules/ *.lua, classify.lua (optional) and their data in params.json (optional);
 * pack_load reads and checks them too. */
#ifndef BEIAN_PACK_H
#define BEIAN_PACK_H

#include <stdbool.h>
#include <jansson.h>
#include "core/calendar.h"
#include "core/err.h"

struct rules_program;

struct pack {
    char id[64];
    char version[32];
    char edition[32];
    char dir[4096];
    day_t effective_from;
    json_t *manifest;
    json_t *form;        /* form.json as loaded */
    json_t *inspection_form; /* inspection.json: the self-inspection report's form; NULL when absent */
    json_t *regions;     /* code -> {zh,en} */
    json_t *deadlines;
    json_t *materials;
    json_t *providers;   /* providers.json: the provider registry's policy; NULL when absent */
    json_t *incidents;   /* incidents.json: incident levels and report clocks; NULL when absent */
    json_t *notifications; /* notifications.json: {events: {event: {subject: {zh,en}, body: {zh,en}}}}; NULL when absent */
    struct calendar *calendar;
    struct rules_program *rules; /* the Lua program (rules.h); shared read-only by all threads */
};

/* Load and check a pack directory. 0 ok; -1 with e naming the file and what is wrong. */
int pack_load(const char *dir, struct pack **out, struct err *e);
void pack_free(struct pack *p);

bool pack_region_known(const struct pack *p, const char *code);
/* Review deadline in working days for a filing type; falls back to the pack's default type. */
int pack_review_working_days(const struct pack *p, const char *filing_type);
int pack_rectification_working_days(const struct pack *p);
/* The working days the authority has to object to a minor change once it is recorded
 * (deadlines.json change_objection_working_days); 0 when the pack has none: then no change is
 * recorded as minor, every change gets the full review. */
int pack_change_objection_working_days(const struct pack *p);
/* The pack's default filing type (used until classification runs). */
const char *pack_default_filing_type(const struct pack *p);
/* incidents: load and check incidents.json when the directory has one (pack_incidents.c). */
int pack_incidents_load(struct pack *p, const char *dir, struct err *e);
/* incidents: the level {key,label,first_report_hours,closure_days} of that key, or NULL. Borrowed. */
const json_t *pack_incident_level(const struct pack *p, const char *key);

#endif
