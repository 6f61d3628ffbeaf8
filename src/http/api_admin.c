/* api_admin.c — the cross-cutting endpoints: audit log, public verification, health, metrics,
 * the workflow table, the form schema and the OpenAPI document. */
#include "http/api.h"
#include "http/query.h"
#include "service/app.h"
#include "service/audit.h"
#include "service/filings.h"
#include "service/incidents.h"
#include "service/proofs.h"
#include "core/heap.h"
#include "core/workflow.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int api_audit(struct http_req *r)
{
    struct err e = {0};
    int limit;
    int64_t cursor, filing_id;
    if (query_page(r, 100, &limit, &cursor, &e) || query_id(r, "filing_id", &filing_id, &e))
        return api_reply(r, 0, NULL, &e);
    return api_reply(r, 200, audit_list(r->app, r->who, filing_id, limit, cursor, &e), &e);
}

int api_public_filing(struct http_req *r)
{
    struct err e = {0};
    json_t *out = filing_public(r->app, r->params[0], &e);
    /* the signed certificate, and whether its signature holds and it states the record as it is */
    json_t *cert = out ? proofs_public_number(r->app, r->params[0], &e) : NULL;
    if (cert) json_object_update(out, cert);
    json_decref(cert);
    return api_reply(r, 200, out, &e);
}

int api_healthz(struct http_req *r)
{
    json_t *counts = app_store_counts(r->app);
    int ok = counts != NULL;
    json_decref(counts);
    return reply_json(r, ok ? 200 : 503, json_pack("{s:s}", "status", ok ? "ok" : "store unavailable"));
}

int api_metrics(struct http_req *r)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    if (!out) return reply_error(r, ERR_INTERNAL, "out of memory", "内存不足");
    http_metrics_prometheus(out);
    json_t *all = app_store_counts(r->app);
    json_t *counts = json_object_get(all, "filings");
    fprintf(out, "# HELP beian_filings Filings by state.\n# TYPE beian_filings gauge\n");
    const char *state;
    json_t *n;
    json_object_foreach(counts, state, n) fprintf(out, "beian_filings{state=\"%s\"} %lld\n", state,
                                                  (long long)json_integer_value(n));
    /* after the number: what stands against the filed records (overdue inspections among it) */
    json_t *standing = json_object_get(all, "standing");
    fprintf(out, "# HELP beian_standing_findings Findings standing against filed records, by rule and severity.\n"
                 "# TYPE beian_standing_findings gauge\n");
    fprintf(out, "beian_standing_findings{rule=\"INSPECTION-OVERDUE\",severity=\"error\"} %lld\n",
            (long long)json_integer_value(json_object_get(json_object_get(standing, "INSPECTION-OVERDUE"), "error")));
    const char *rule;
    json_t *by_sev;
    json_object_foreach(standing, rule, by_sev) {
        const char *sev;
        json_object_foreach(by_sev, sev, n) {
            if (strcmp(rule, "INSPECTION-OVERDUE") == 0 && strcmp(sev, "error") == 0) continue;   /* printed above */
            fprintf(out, "beian_standing_findings{rule=\"%s\",severity=\"%s\"} %lld\n", rule, sev,
                    (long long)json_integer_value(n));
        }
    }
    json_t *inc = incident_metrics(r->app);
    fprintf(out, "# HELP beian_incidents_open Security incidents not yet closed.\n# TYPE beian_incidents_open gauge\n"
                 "beian_incidents_open %lld\n", (long long)json_integer_value(json_object_get(inc, "open")));
    fprintf(out, "# HELP beian_incidents_late_first_report Incidents whose first report came later than their level allows.\n"
                 "# TYPE beian_incidents_late_first_report gauge\nbeian_incidents_late_first_report %lld\n",
            (long long)json_integer_value(json_object_get(inc, "late_first_report")));
    fprintf(out, "# HELP beian_incidents_closure_overdue Open incidents past their closure deadline.\n"
                 "# TYPE beian_incidents_closure_overdue gauge\nbeian_incidents_closure_overdue %lld\n",
            (long long)json_integer_value(json_object_get(inc, "closure_overdue")));
    json_decref(inc);
    /* notifications: the outbox by state (pending growing means deliveries are failing) */
    json_t *outbox = json_object_get(all, "outbox");
    fprintf(out, "# HELP beian_notify_outbox Webhook and e-mail deliveries by state.\n# TYPE beian_notify_outbox gauge\n");
    json_object_foreach(outbox, state, n) fprintf(out, "beian_notify_outbox{state=\"%s\"} %lld\n", state,
                                                  (long long)json_integer_value(n));
    json_decref(all);
    /* memory: what the embedded store's page caches hold (each connection's is bounded) */
    int64_t cache = app_page_cache_bytes(r->app);
    if (cache >= 0)
        fprintf(out, "# HELP beian_store_page_cache_bytes Bytes the embedded store's connections hold in their page "
                     "caches, each bounded by SQLite's cache_size.\n# TYPE beian_store_page_cache_bytes gauge\n"
                     "beian_store_page_cache_bytes %lld\n", (long long)cache);
    /* and the C allocator's: in use (a leak grows it) and free inside its arenas (fragmentation) */
    struct heap_bytes heap;
    if (heap_bytes(&heap))
        fprintf(out, "# HELP beian_heap_bytes Bytes the C allocator holds: in use, or freed and kept inside its "
                     "arenas for reuse.\n# TYPE beian_heap_bytes gauge\nbeian_heap_bytes{state=\"in_use\"} %lld\n"
                     "beian_heap_bytes{state=\"free\"} %lld\n", (long long)heap.in_use, (long long)heap.free);
    fclose(out);
    int rc = reply_bytes(r, 200, "text/plain; version=0.0.4; charset=utf-8", buf, len);
    free(buf);
    return rc;
}

int api_workflow(struct http_req *r) { return reply_json(r, 200, wf_table_json()); }

int api_policy_schema(struct http_req *r)
{
    const struct pack *p = app_default_pack(r->app);
    json_t *out = json_pack("{s:s s:s s:O s:O s:O}", "pack", p->id, "version", p->version, "manifest",
                            p->manifest, "form", p->form, "materials", p->materials);
    /* For the web UI: region names (labels, filters), the deadlines and the working-day calendar
     * (how close a due date is, in working days). */
    if (out && p->inspection_form) json_object_set(out, "inspection_form", p->inspection_form);   /* 定期自查 */
    if (out && p->regions) json_object_set(out, "regions", p->regions);
    if (out && p->deadlines) json_object_set(out, "deadlines", p->deadlines);
    if (out && p->providers) json_object_set(out, "providers", p->providers); /* evaluation criteria */
    if (out && p->incidents) json_object_set(out, "incidents", p->incidents); /* incident levels and clocks */
    char path[sizeof p->dir + 32];
    snprintf(path, sizeof path, "%s/calendar.json", p->dir);
    json_t *calendar = out ? json_load_file(path, 0, NULL) : NULL;
    if (json_is_object(calendar)) json_object_set(out, "calendar", calendar);
    json_decref(calendar);
    return reply_json(r, 200, out);
}
