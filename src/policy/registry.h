/* registry.h — the installed versions of the policy packs, side by side.
 *
 * Versions come from two places: the built-in policy root (app_policy_root(): one directory per
 * pack, policy/<id>/) and the data directory (<data>/policy/<id>/<version>/, where
 * `beian policy install` copies a pack). A filing follows the version of its pack in force on
 * its as-of date: the one with the latest effective_from not after that day. Loaded packs are
 * never freed before the registry is, so a pointer handed out stays valid; adding a version is
 * safe while other threads read. */
#ifndef BEIAN_REGISTRY_H
#define BEIAN_REGISTRY_H

#include <jansson.h>
#include "core/date.h"
#include "core/err.h"
#include "policy/pack.h"

struct pack_registry;

/* Load every pack under builtin_root and installed_root (either may be NULL or missing). A pack
 * that fails to load is an error naming it. At least one pack must load. */
int registry_load(const char *builtin_root, const char *installed_root, struct pack_registry **out, struct err *e);
void registry_free(struct pack_registry *r);

/* The version of pack id in force on day as_of (NULL when none is in force yet). */
const struct pack *registry_in_force(struct pack_registry *r, const char *id, day_t as_of);
/* An exact version; NULL when not installed. spec may be "id@version". */
const struct pack *registry_find(struct pack_registry *r, const char *id, const char *version);
const struct pack *registry_find_spec(struct pack_registry *r, const char *spec);
/* [{id, version, edition, effective_from, supersedes, title, source: "builtin"|"installed", in_force}] */
json_t *registry_list(struct pack_registry *r, day_t as_of);
/* Add a loaded pack (the registry takes it); ERR_DUPLICATE when that id@version is already there. */
int registry_add(struct pack_registry *r, struct pack *p, const char *source, struct err *e);

#endif
