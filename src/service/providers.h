/* providers.h — the cloud-provider registry (云服务商): a provider's profile (qualifications,
 * platforms, data centres), qualification expiry (a list as of a day, and findings for the
 * filings that name the provider), the check that a filing's provider section names the
 * provider's own platform and data centres (confirm_hosting), evaluation scorecards kept by
 * enterprises, and the authority's directory of providers. */
#ifndef BEIAN_PROVIDERS_H
#define BEIAN_PROVIDERS_H

#include <stdint.h>
#include <jansson.h>
#include "core/date.h"
#include "core/err.h"

struct app;
struct principal;
struct store_conn;

struct pack;

/* Days before valid_until from which a qualification counts as expiring: the pack's
 * providers.json qualification_warning_days (0 when the pack says nothing). */
int provider_warning_days(const struct pack *p);

/* GET: the profile of provider org_id ({org_id, name, profile, revision, updated_at}, each
 * qualification with its "state" as of today); ERR_NOT_FOUND when org_id is not a provider. A
 * provider without a profile yet answers an empty one with revision 0. Anyone signed in. */
json_t *provider_profile_get(struct app *a, const struct principal *who, int64_t org_id, struct err *e);
/* PUT {"qualifications":[…],"platforms":[…],"data_centers":[…]}: the provider's org_admin or
 * provider role (or the platform admin). Returns the profile as provider_profile_get. */
json_t *provider_profile_put(struct app *a, const struct principal *who, int64_t org_id, const json_t *in,
                             struct err *e);
/* Qualifications expiring within provider_warning_days of as_of or already expired:
 * {"as_of", "items":[{index, scheme, certificate_number, valid_until, days_left, state}],
 *  "findings": what provider_findings gives a filing naming the provider on that day}. */
json_t *provider_expiring(struct app *a, const struct principal *who, int64_t org_id, day_t as_of, struct err *e);
/* Findings for a filing of enterprise org_id naming the provider, as of a day, in the shape of
 * schema.h ({rule, severity, path, message{zh,en}, source}): PROVIDER-QUALIFICATION-EXPIRED
 * (error), PROVIDER-QUALIFICATION-EXPIRING (warning), and PROVIDER-EVALUATION-MISSING (warning)
 * when the enterprise has not evaluated the provider within the pack's evaluation_max_age_days
 * (org_id 0: not checked). A scorecard attached to the filing (evaluation_id, 0: none) must be
 * one of the enterprise's evaluations of that provider (PROVIDER-EVALUATION-UNKNOWN, error) and
 * is itself the evaluation that counts (PROVIDER-EVALUATION-STALE, warning, when older). */
json_t *provider_findings(struct store_conn *c, const struct pack *p, int64_t provider_org_id, int64_t org_id,
                          int64_t evaluation_id, day_t as_of);
/* The scorecard a filing row attaches (provider_evaluation_id, from the document's
 * /provider/evaluation) when it is an evaluation by the filing's organisation of the provider the
 * filing names; else NULL. */
json_t *provider_evaluation_attached(struct store_conn *c, const json_t *filing_row);
/* confirm_hosting: when the provider named in the filing row has a profile, the document's provider
 * section must match it: the platform is one of its own with the same level, MLPS filing number and
 * service models (the filing's a subset), and every data centre is one of its own with the same
 * country, region code and role (422 naming the field and both values, rule
 * provider_registry_mismatch). */
int provider_check_hosting(struct store_conn *c, const json_t *filing_row, struct err *e);

/* Evaluation scorecards: POST by a filer or org_admin of an enterprise
 * {"evaluated_on"?: day (default today), "criteria":[{"key","weight","score","evidence"}], "notes"?};
 * every criterion once; the weighted score (0–100) is computed. GET: the caller's organisation's
 * evaluations of the provider (admin: all). */
json_t *provider_evaluation_create(struct app *a, const struct principal *who, int64_t provider_org_id,
                                   const json_t *in, struct err *e);
json_t *provider_evaluation_list(struct app *a, const struct principal *who, int64_t provider_org_id,
                                 struct err *e);

/* The directory: every provider with its platforms, data centres, qualification states as of today;
 * for an authority also "filed_systems", the number of filed systems in its jurisdiction hosted by
 * the provider (admin: over all authorities). */
json_t *provider_directory(struct app *a, const struct principal *who, struct err *e);

#endif
