/* cli_pack.h — how the policy subcommands (validate, policy) find a pack: --pack DIR, or
 * --pack ID@VERSION, or by default the built-in pack <policy root>/cn-cloud. */
#ifndef BEIAN_CLI_PACK_H
#define BEIAN_CLI_PACK_H

#include "core/err.h"
#include "policy/pack.h"

/* Load the pack `spec` names (NULL: the default pack). 0 ok; -1 with e (ERR_USAGE when
 * ID@VERSION names no installed pack). */
int cli_pack_open(const char *spec, struct pack **out, struct err *e);

#endif
