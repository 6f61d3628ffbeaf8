/* lua_sandbox.h — internal to src/policy: a Lua 5.4 state that runs one pack's Lua code with
 * nothing but safe functions, a bound on instructions and on memory per call, and the helper
 * functions and pack data that rules may use. rules.c owns the states (one per thread and pack);
 * this module builds them and runs calls in them.
 *
 * What a state promises:
 * - its globals are a fresh environment table shared by the pack's files and frozen once they are
 *   loaded; the pack data it exposes (`pack.params`, `pack.form`, …) is frozen too, so nothing a
 *   rule does outlives the evaluation it runs in;
 * - no io, os, require, load, loadstring, dofile, loadfile, debug, collectgarbage, string.dump,
 *   package, print, rawset, getmetatable, setmetatable, coroutine or math.random is reachable;
 * - a call run through sandbox_call() ends after at most `instructions` VM instructions,
 *   `memory` bytes of growth and SANDBOX_CALL_MS of CPU time (SANDBOX_CALL_WALL_MS on the wall
 *   clock at most), whatever the code does
 *   (pcall included: a tripped limit is re-raised through every pcall of the rule);
 * - the library functions that loop or copy in C (string.rep, table.move, table.concat, the
 *   pattern matchers …) charge their work to the same instruction budget before they do it, or
 *   as they go, so that no single C call runs long (lua_limits.c); large allocations are charged
 *   too. */
#ifndef BEIAN_LUA_SANDBOX_H
#define BEIAN_LUA_SANDBOX_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>
#include <lua.h>

#include "core/err.h"

struct pack;

/* One Lua source file of a pack, read into memory when the pack loads. */
struct rules_source {
    char *name;   /* relative to the pack directory: "lib.lua", "rules/system.lua" */
    char *text;
    size_t len;
};

/* A pack's Lua program: its sources and data, read once by pack_load and shared read-only by every
 * thread. Reference-counted: the pack holds one reference and each cached state one more, so a
 * program's address is never reused while a thread's cache still names it. */
struct rules_program {
    atomic_int refs;
    atomic_bool orphaned;        /* the pack that loaded it was freed */
    struct rules_source *sources; /* lib.lua (if any), then rules/ *.lua by name */
    size_t n_sources;
    struct rules_source classify; /* classify.lua; text NULL when the pack has none */
    struct rules_source changes;  /* changes.lua (change reports); text NULL when the pack has none */
    json_t *params;              /* params.json, or {} */
    json_t *rules;               /* [{id, severity, title{zh,en}, paths[], source, overridable}] */
};

enum sandbox_outcome {
    SANDBOX_OK = 0,
    SANDBOX_RUNTIME_ERROR,   /* the code raised an error (message in `why`) */
    SANDBOX_INSTRUCTIONS,    /* the call ran past its instruction budget */
    SANDBOX_MEMORY,          /* the call asked for more than its memory budget */
    SANDBOX_TIME,            /* the call ran past its time limit */
};

struct sandbox;

/* Build a state for the program: open the safe libraries, expose pack data and helpers, load
 * every source into the shared environment (each top level bounded like a call), freeze the
 * environment. 0 ok; -1 with e naming the file and the problem. */
int sandbox_new(const struct rules_program *prog, const struct pack *p, struct sandbox **out, struct err *e);
void sandbox_free(struct sandbox *sb);

lua_State *sandbox_lua(struct sandbox *sb);
/* The pack the helper functions read (region table, form labels); set before each evaluation. */
void sandbox_set_pack(struct sandbox *sb, const struct pack *p);
/* Registry references: the array of registered rules, and the classify function (LUA_NOREF). */
int sandbox_rules_ref(const struct sandbox *sb);
int sandbox_classify_ref(const struct sandbox *sb);
/* The function changes.lua returned (LUA_NOREF when the pack has none). */
int sandbox_changes_ref(const struct sandbox *sb);
/* The metadata of the registered rules, in registration order (borrowed; see rules.h). */
const json_t *sandbox_rules_meta(const struct sandbox *sb);

/* Call the function below nargs arguments on the stack (lua_pcall) with the per-call budgets.
 * On SANDBOX_OK the nresults results are on the stack; otherwise nothing is, and `why` holds a
 * one-line description (the Lua error message, or the limit that was hit). */
enum sandbox_outcome sandbox_call(struct sandbox *sb, int nargs, int nresults, char *why, size_t why_len);

/* The per-call budgets (limits of the engine, not policy). */
/* Time: SANDBOX_CALL_MS of the thread's CPU time, and never more than SANDBOX_CALL_WALL_MS on the
 * clock (the CPU time keeps an honest rule on a loaded machine from failing; the wall clock holds
 * whatever happens). */
enum { SANDBOX_CALL_INSTRUCTIONS = 1000000, SANDBOX_CALL_MS = 500, SANDBOX_CALL_WALL_MS = 5000 };
#define SANDBOX_CALL_MEMORY ((size_t)16 << 20)

/* ---- conversion (must run inside a protected call: it may raise memory errors) ------------- */

/* Push a JSON value as Lua: objects and arrays become tables (arrays 1-based), null inside an
 * array becomes the sentinel `null` (so indexes keep matching JSON pointers), null as an object
 * member is left out, integers stay integers. Nesting deeper than 32 becomes `null`. */
void sandbox_push_json(lua_State *L, const json_t *v);
/* Push the `null` sentinel. */
void sandbox_push_null(lua_State *L);
/* Containers nested deeper than this become `null`. */
enum { SANDBOX_MAX_DEPTH = 32 };
/* Is the value at idx the `null` sentinel? */
bool sandbox_is_null(lua_State *L, int idx);

/* ---- shared by lua_sandbox.c and lua_helpers.c ------------------------------------------- */

/* The pack the state currently evaluates for (set by sandbox_set_pack). */
const struct pack *sandbox_pack_of(lua_State *L);
/* Put the helper functions for rules (dates, USCC, regions, labels, get, null) into the table at
 * env_idx. lua_helpers.c. */
void sandbox_open_helpers(lua_State *L, int env_idx);
/* Charge work done in C (about one unit per VM instruction's worth) to the current call's
 * budget and look at its deadline; raises the budget's error once either is spent. A no-op
 * limit outside sandbox_call. */
void sandbox_charge(lua_State *L, size_t units);
/* Raise the memory budget's error (for a result known in advance to be too large). */
void sandbox_refuse_memory(lua_State *L);
/* Replace the functions of the string, table and utf8 libraries and tonumber (in the state's
 * real library tables, before they are copied into a pack's environment) with versions that
 * charge their work, and the pattern functions with a matcher that counts its steps.
 * lua_limits.c. */
void sandbox_limit_libraries(lua_State *L);

#endif
