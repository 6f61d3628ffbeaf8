/* policy_admin.h — the policy packs as the platform and the authorities manage them: the
 * installed versions, installing a new version (checked: it loads and its fixtures pass), and the
 * impact of a version on every filed system (which would fail, on which rules). */
#ifndef BEIAN_POLICY_ADMIN_H
#define BEIAN_POLICY_ADMIN_H

#include <stdatomic.h>
#include <stdint.h>
#include <jansson.h>
#include "core/date.h"
#include "core/err.h"

struct app;
struct principal;

/* Every installed version, with the one in force today marked. */
json_t *policy_packs(struct app *a);
/* Install the pack in directory dir into <data>/policy/<id>/<version>/ (platform admin or the local
 * operator). *installed gets the new version's entry. */
int policy_install(struct app *a, const struct principal *who, const char *dir, json_t **installed, struct err *e);
/* The same, stopped between two fixtures once *cancel is true (NULL: never); the pack's fixtures
 * run for at most a minute. The install worker's call (policy_jobs.h). */
int policy_install_cancellable(struct app *a, const struct principal *who, const char *dir, const atomic_bool *cancel,
                               json_t **installed, struct err *e);

/* Re-evaluate every filed record the caller may see (admin: all; an authority: its own) under
 * pack version spec ("id@version") as of as_of, streaming: on_failing is called (from one thread
 * at a time, in no particular order) for each record that would have errors, with
 * {id, number, subject_name, system_name, region, rules:[…], new_rules:[…], findings:[errors]}
 * (new_rules: failing now but not under the findings stored for the record). *checked gets the
 * number of records evaluated. Memory stays bounded whatever the number of records. */
int policy_impact(struct app *a, const struct principal *who, const char *spec, day_t as_of,
                  void (*on_failing)(const json_t *item, void *arg), void *arg, int64_t *checked, struct err *e);

#endif
