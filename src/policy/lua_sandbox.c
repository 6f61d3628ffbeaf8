/* lua_sandbox.c — builds the Lua state a pack's rules run in, and runs calls in it with bounds.
 *
 * Safety comes from three things, each cheap enough to stay on for every call:
 * - What is reachable. A rule's globals are a fresh table holding copies of the safe base
 *   functions and libraries (string without dump, math without random, table, utf8), the helpers
 *   of lua_helpers.c, `rule` and the frozen `pack` data; `_G` itself is unreachable, and so is the
 *   real string table (its `dump` is deleted as well, since ("").dump would find it).
 * - Instructions. A count hook fires every HOOK_STEP VM instructions and raises an error once the
 *   call's budget is spent. A rule cannot swallow that error: `pcall` is replaced by a version that
 *   re-raises whenever a budget has tripped, and the hook keeps firing.
 * - Memory. The state's allocator (lua_Alloc) counts every byte and refuses growth past the
 *   call's budget; Lua then collects garbage and, if that is not enough, raises a memory error.
 *   Outside calls (converting the document) a hard cap applies instead.
 * A tripped budget is reported to the caller, which turns it into a finding; the state stays
 * usable, so the next rule runs as usual. The Lua panic handler is never reached: every use of
 * the state goes through lua_pcall. */
#include "policy/lua_sandbox.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <lauxlib.h>
#include <lualib.h>

#include "policy/pack.h"

/* The count hook runs every HOOK_STEP instructions; the clock is read once CLOCK_STEP units have
 * been spent since it was last read (a few VM instructions do work in proportion to a string's
 * length without allocating, such as comparing two long strings: between two readings there are
 * at most CLOCK_STEP of them, so the time limit holds within a second or so). */
enum { HOOK_STEP = 1000, CLOCK_STEP = 1000, MAX_RULE_ID = 40 };
/* Growth of at least ALLOC_CHARGE_MIN bytes costs one instruction per ALLOC_BYTES_PER_UNIT: a
 * loop that copies a long string at every turn (s .. "x") spends its budget on the copies. */
enum { ALLOC_CHARGE_MIN = 1024, ALLOC_BYTES_PER_UNIT = 64 };
_Static_assert(LUA_EXTRASPACE >= sizeof(void *), "the state's extra space holds its struct sandbox");
#define HARD_MEMORY ((size_t)256 << 20)

struct sandbox {
    lua_State *L;
    size_t used;                  /* bytes the state holds now */
    size_t limit;                 /* growth past this is refused */
    long long instructions;       /* spent in the current call (counted HOOK_STEP at a time) */
    long long instruction_limit;
    long long next_clock;         /* `instructions` at which to read the clock next (LLONG_MAX
                                     outside calls) */
    long long call_start;         /* monotonic ns of the first reading in the current call; 0 before */
    long long soft_deadline;      /* monotonic ns at which to look at the CPU time */
    long long cpu_start;          /* the thread's CPU time (ns) when the call began */
    enum sandbox_outcome tripped; /* a budget hit during the current call */
    bool loading;                 /* rule{} is only callable while the pack's files load */
    const struct pack *pack;
    int rules_ref, classify_ref, changes_ref;
    json_t *meta;                 /* rule metadata, built as rules register */
};

/* ---- bounds ----------------------------------------------------------------------------- */

static void *sandbox_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
    struct sandbox *sb = ud;
    size_t old = ptr ? osize : 0; /* with ptr NULL, osize is a type tag, not a size */
    if (nsize == 0) {
        free(ptr);
        sb->used -= old;
        return NULL;
    }
    if (nsize <= old) { /* Lua assumes shrinking never fails */
        void *q = realloc(ptr, nsize);
        if (!q)
            return ptr;
        sb->used -= old - nsize;
        return q;
    }
    if (sb->used >= sb->limit || nsize - old > sb->limit - sb->used)
        return NULL;
    if (nsize - old >= ALLOC_CHARGE_MIN && sb->tripped == SANDBOX_OK) {
        /* The allocator may not raise an error; refusing the block makes Lua raise a memory
         * error, which sandbox_call and safe_pcall report as the tripped instruction budget. */
        sb->instructions += (long long)((nsize - old) / ALLOC_BYTES_PER_UNIT);
        if (sb->instructions > sb->instruction_limit) {
            sb->tripped = SANDBOX_INSTRUCTIONS;
            return NULL;
        }
    }
    void *q = realloc(ptr, nsize);
    if (!q)
        return NULL;
    sb->used += nsize - old;
    return q;
}

static struct sandbox *sandbox_of(lua_State *L)
{
    return *(struct sandbox **)lua_getextraspace(L);
}

static long long ns_of(const struct timespec *t)
{
    return (long long)t->tv_sec * 1000000000LL + t->tv_nsec;
}

static long long now_ns(clockid_t clock)
{
    struct timespec t;
    clock_gettime(clock, &t);
    return ns_of(&t);
}

/* Has the call run past its time? The clocks start at the first reading, CLOCK_STEP units into
 * the call (the thread's CPU clock costs a system call: the many calls that end sooner never read
 * it). Then the monotonic clock, which is cheap, is read every time; only once SANDBOX_CALL_MS
 * have passed on it is the CPU time read again: a call that waited for a CPU (a loaded machine)
 * is given the time it did not get, up to SANDBOX_CALL_WALL_MS in all. */
static bool past_deadline(struct sandbox *sb)
{
    long long now = now_ns(CLOCK_MONOTONIC);
    if (sb->call_start == 0) {
        sb->call_start = now;
        sb->soft_deadline = now + (long long)SANDBOX_CALL_MS * 1000000;
        sb->cpu_start = now_ns(CLOCK_THREAD_CPUTIME_ID);
        return false;
    }
    if (now < sb->soft_deadline)
        return false;
    if (now - sb->call_start >= (long long)SANDBOX_CALL_WALL_MS * 1000000)
        return true;
    long long left = (long long)SANDBOX_CALL_MS * 1000000 - (now_ns(CLOCK_THREAD_CPUTIME_ID) - sb->cpu_start);
    if (left <= 0)
        return true;
    sb->soft_deadline = now + left;
    return false;
}

/* Spend units of the call's budget and look at the clock; raises once either is exhausted (and
 * keeps raising: the budget stays spent until the call ends). */
static void spend(lua_State *L, struct sandbox *sb, long long units)
{
    if (units < 0 || units > LLONG_MAX - sb->instructions)
        sb->instructions = LLONG_MAX;
    else
        sb->instructions += units;
    if (sb->instructions > sb->instruction_limit) {
        if (sb->tripped == SANDBOX_OK)
            sb->tripped = SANDBOX_INSTRUCTIONS;
        luaL_error(L, "instruction budget exhausted");
    }
    if (sb->next_clock == LLONG_MAX || sb->instructions < sb->next_clock) /* outside calls: no clock */
        return;
    sb->next_clock = sb->instructions < LLONG_MAX - CLOCK_STEP ? sb->instructions + CLOCK_STEP : LLONG_MAX - 1;
    if (sb->tripped == SANDBOX_TIME || past_deadline(sb)) {
        sb->tripped = SANDBOX_TIME;
        luaL_error(L, "time limit exceeded");
    }
}

void sandbox_charge(lua_State *L, size_t units)
{
    spend(L, sandbox_of(L), units > (size_t)LLONG_MAX ? LLONG_MAX : (long long)units);
}

void sandbox_refuse_memory(lua_State *L)
{
    struct sandbox *sb = sandbox_of(L);
    if (sb->tripped == SANDBOX_OK)
        sb->tripped = SANDBOX_MEMORY;
    luaL_error(L, "not enough memory");
}

static void count_hook(lua_State *L, lua_Debug *ar)
{
    (void)ar;
    spend(L, sandbox_of(L), HOOK_STEP);
}

static int sandbox_panic(lua_State *L)
{
    const char *msg = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "?";
    fprintf(stderr, "beian: unprotected error in the rule engine: %s\n", msg);
    abort();
}

/* pcall(f, …) as in Lua, except that an error caused by a tripped budget goes on up. */
static int safe_pcall(lua_State *L)
{
    luaL_checkany(L, 1);
    int status = lua_pcall(L, lua_gettop(L) - 1, LUA_MULTRET, 0);
    struct sandbox *sb = sandbox_of(L);
    if (status == LUA_ERRMEM && sb->tripped == SANDBOX_OK)
        sb->tripped = SANDBOX_MEMORY;
    if (sb->tripped != SANDBOX_OK)
        return lua_error(L);
    lua_pushboolean(L, status == LUA_OK);
    lua_insert(L, 1);
    return status == LUA_OK ? lua_gettop(L) : 2;
}

enum sandbox_outcome sandbox_call(struct sandbox *sb, int nargs, int nresults, char *why, size_t why_len)
{
    lua_State *L = sb->L;
    sb->instructions = 0;
    sb->instruction_limit = SANDBOX_CALL_INSTRUCTIONS;
    sb->tripped = SANDBOX_OK;
    sb->limit = sb->used < HARD_MEMORY - SANDBOX_CALL_MEMORY ? sb->used + SANDBOX_CALL_MEMORY : HARD_MEMORY;
    sb->next_clock = CLOCK_STEP;
    sb->call_start = 0;
    int status = lua_pcall(L, nargs, nresults, 0);
    sb->limit = HARD_MEMORY;
    sb->instruction_limit = LLONG_MAX;
    sb->next_clock = LLONG_MAX;
    enum sandbox_outcome outcome = SANDBOX_OK;
    if (status != LUA_OK) {
        outcome = sb->tripped != SANDBOX_OK ? sb->tripped
                  : status == LUA_ERRMEM   ? SANDBOX_MEMORY
                                           : SANDBOX_RUNTIME_ERROR;
        if (why_len) {
            if (lua_type(L, -1) == LUA_TSTRING)
                snprintf(why, why_len, "%s", lua_tostring(L, -1));
            else
                snprintf(why, why_len, "(error object is a %s value)", luaL_typename(L, -1));
        }
        lua_pop(L, 1);
        if (outcome == SANDBOX_MEMORY)
            lua_gc(L, LUA_GCCOLLECT); /* give back what the failed call piled up */
    }
    sb->tripped = SANDBOX_OK;
    return outcome;
}

/* ---- read-only tables ------------------------------------------------------------------- */

/* A frozen table is empty; its metatable's __index holds the contents. */
static int frozen_len(lua_State *L)
{
    if (!lua_getmetatable(L, 1))
        return 0;
    lua_getfield(L, -1, "__index");
    lua_pushinteger(L, (lua_Integer)lua_rawlen(L, -1));
    return 1;
}

/* The iterator pairs() returns for a frozen table: next() over its contents, with the frozen
 * table itself as the state, so that the contents table never reaches rule code. */
static int frozen_next(lua_State *L)
{
    lua_settop(L, 2);
    if (!lua_getmetatable(L, 1) || lua_getfield(L, -1, "__index") != LUA_TTABLE)
        return 0;
    lua_pushvalue(L, 2);
    if (!lua_next(L, -2)) {
        lua_pushnil(L);
        return 1;
    }
    return 2;
}

static int frozen_pairs(lua_State *L)
{
    lua_pushcfunction(L, frozen_next);
    lua_pushvalue(L, 1);
    lua_pushnil(L);
    return 3;
}

static int frozen_newindex(lua_State *L)
{
    return luaL_error(L, "attempt to change read-only data (key '%s'): pack data and globals are "
                         "shared by every evaluation", luaL_tolstring(L, 2, NULL));
}

/* Freeze the table at idx and every table reachable from it (once each: `seen` is a table of
 * tables done). Tables that already have a metatable are left alone. */
static void freeze(lua_State *L, int idx, int seen, int fn_len, int fn_pairs, int fn_newindex)
{
    luaL_checkstack(L, 8, "freezing pack data");
    if (lua_getmetatable(L, idx)) {
        lua_pop(L, 1);
        return;
    }
    lua_pushvalue(L, idx);
    if (lua_rawget(L, seen) != LUA_TNIL) {
        lua_pop(L, 1);
        return;
    }
    lua_pop(L, 1);
    lua_pushvalue(L, idx);
    lua_pushboolean(L, 1);
    lua_rawset(L, seen);

    lua_newtable(L);
    int shadow = lua_gettop(L);
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        if (lua_type(L, -1) == LUA_TTABLE)
            freeze(L, lua_gettop(L), seen, fn_len, fn_pairs, fn_newindex);
        lua_pushvalue(L, -2);
        lua_insert(L, -2);
        lua_rawset(L, shadow);
    }
    lua_pushnil(L);
    while (lua_next(L, idx)) { /* clearing fields during a traversal is allowed */
        lua_pop(L, 1);
        lua_pushvalue(L, -1);
        lua_pushnil(L);
        lua_rawset(L, idx);
    }
    lua_createtable(L, 0, 5);
    lua_pushvalue(L, shadow);
    lua_setfield(L, -2, "__index");
    lua_pushvalue(L, fn_newindex);
    lua_setfield(L, -2, "__newindex");
    lua_pushvalue(L, fn_len);
    lua_setfield(L, -2, "__len");
    lua_pushvalue(L, fn_pairs);
    lua_setfield(L, -2, "__pairs");
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
    lua_setmetatable(L, idx);
    lua_pop(L, 1); /* shadow */
}

static void freeze_all(lua_State *L, int idx)
{
    idx = lua_absindex(L, idx);
    lua_newtable(L);
    int seen = lua_gettop(L);
    lua_pushcfunction(L, frozen_len);
    int fn_len = lua_gettop(L);
    lua_pushcfunction(L, frozen_pairs);
    int fn_pairs = lua_gettop(L);
    lua_pushcfunction(L, frozen_newindex);
    int fn_newindex = lua_gettop(L);
    freeze(L, idx, seen, fn_len, fn_pairs, fn_newindex);
    lua_settop(L, seen - 1);
}

/* ---- rule registration ------------------------------------------------------------------ */

static bool valid_rule_id(const char *id)
{
    size_t n = strlen(id);
    if (n < 3 || n > MAX_RULE_ID || id[0] < 'A' || id[0] > 'Z' || id[n - 1] == '-' || !strchr(id, '-'))
        return false;
    for (const char *c = id; *c; c++)
        if (!((*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || *c == '-'))
            return false;
    /* FORM-* belong to the schema checks (schema.c), POLICY-* to the engine (rules.c). */
    return strncmp(id, "FORM-", 5) != 0 && strncmp(id, "POLICY-", 7) != 0;
}

static bool is_bilingual_at(lua_State *L, int idx)
{
    idx = lua_absindex(L, idx);
    if (lua_type(L, idx) != LUA_TTABLE)
        return false;
    bool ok = lua_getfield(L, idx, "zh") == LUA_TSTRING && lua_rawlen(L, -1) > 0;
    ok = lua_getfield(L, idx, "en") == LUA_TSTRING && lua_rawlen(L, -1) > 0 && ok;
    lua_pop(L, 2);
    return ok;
}

/* rule{ id=, severity=, title={zh=,en=}, paths={…}, source=, check=function(doc, ctx) end,
 * overridable=bool } — checks the definition, stores it (upvalue 1: the array of rules, upvalue 2:
 * the ids seen) and records its metadata. */
static int l_rule(lua_State *L)
{
    struct sandbox *sb = sandbox_of(L);
    if (!sb->loading)
        return luaL_error(L, "rule{} may only be called while the pack's files load");
    luaL_checktype(L, 1, LUA_TTABLE);
    if (lua_getfield(L, 1, "id") != LUA_TSTRING || !valid_rule_id(lua_tostring(L, -1)))
        return luaL_error(L, "rule{}: id must be a string like \"DS-003\" (A-Z, 0-9 and '-', at most %d "
                             "characters, not FORM-… or POLICY-…)", MAX_RULE_ID);
    const char *id = lua_tostring(L, -1); /* anchored at stack index 2 */
    lua_pushvalue(L, 2);
    if (lua_rawget(L, lua_upvalueindex(2)) != LUA_TNIL)
        return luaL_error(L, "rule{ id = \"%s\" }: the id is registered twice", id);
    lua_pop(L, 1);

    const char *severity = lua_getfield(L, 1, "severity") == LUA_TSTRING ? lua_tostring(L, -1) : "";
    if (strcmp(severity, "error") && strcmp(severity, "warning") && strcmp(severity, "info"))
        return luaL_error(L, "rule{ id = \"%s\" }: severity must be \"error\", \"warning\" or \"info\"", id);
    if (lua_getfield(L, 1, "title") != LUA_TTABLE || !is_bilingual_at(L, -1))
        return luaL_error(L, "rule{ id = \"%s\" }: title must be { zh = \"…\", en = \"…\" }", id);
    int title = lua_gettop(L);
    if (lua_getfield(L, 1, "source") != LUA_TSTRING || lua_rawlen(L, -1) == 0)
        return luaL_error(L, "rule{ id = \"%s\" }: source must name the regulation or standard it implements (title and article)", id);
    const char *source = lua_tostring(L, -1);
    if (lua_getfield(L, 1, "check") != LUA_TFUNCTION)
        return luaL_error(L, "rule{ id = \"%s\" }: check must be a function(doc, ctx)", id);
    int check = lua_gettop(L);
    int overridable_type = lua_getfield(L, 1, "overridable");
    if (overridable_type != LUA_TNIL && overridable_type != LUA_TBOOLEAN)
        return luaL_error(L, "rule{ id = \"%s\" }: overridable must be true or false", id);
    bool overridable = lua_toboolean(L, -1);
    if (lua_getfield(L, 1, "paths") != LUA_TTABLE || lua_rawlen(L, -1) == 0)
        return luaL_error(L, "rule{ id = \"%s\" }: paths must list the field paths the rule concerns", id);
    int paths = lua_gettop(L);
    lua_Unsigned n_paths = lua_rawlen(L, paths);
    for (lua_Unsigned i = 1; i <= n_paths; i++) {
        if (lua_rawgeti(L, paths, (lua_Integer)i) != LUA_TSTRING ||
            (lua_tostring(L, -1)[0] != '/' && lua_tostring(L, -1)[0] != '\0'))
            return luaL_error(L, "rule{ id = \"%s\" }: paths[%d] must be a JSON pointer such as "
                                 "\"/system/domains\" (\"*\" for any list index, \"\" for the whole "
                                 "document)", id, (int)i);
        lua_pop(L, 1);
    }
    lua_rawgeti(L, paths, 1);
    const char *first_path = lua_tostring(L, -1);
    int first = lua_gettop(L);

    /* The stored rule: what rules.c reads at every evaluation. */
    lua_createtable(L, 0, 6);
    lua_pushvalue(L, 2);
    lua_setfield(L, -2, "id");
    lua_pushstring(L, severity);
    lua_setfield(L, -2, "severity");
    lua_pushstring(L, source);
    lua_setfield(L, -2, "source");
    if (strchr(first_path, '*'))
        lua_pushliteral(L, ""); /* a pattern is no pointer: findings must name their path */
    else
        lua_pushvalue(L, first);
    lua_setfield(L, -2, "path");
    lua_pushboolean(L, overridable);
    lua_setfield(L, -2, "overridable");
    lua_pushvalue(L, check);
    lua_setfield(L, -2, "check");
    lua_rawseti(L, lua_upvalueindex(1), (lua_Integer)lua_rawlen(L, lua_upvalueindex(1)) + 1);
    lua_pushvalue(L, 2);
    lua_pushboolean(L, 1);
    lua_rawset(L, lua_upvalueindex(2));

    /* Metadata, built last: nothing below can raise, so the JSON never leaks. */
    json_t *m = json_object();
    json_object_set_new(m, "id", json_string(id));
    json_object_set_new(m, "severity", json_string(severity));
    json_t *t = json_object();
    lua_getfield(L, title, "zh");
    json_object_set_new(t, "zh", json_stringn(lua_tostring(L, -1), lua_rawlen(L, -1)));
    lua_getfield(L, title, "en");
    json_object_set_new(t, "en", json_stringn(lua_tostring(L, -1), lua_rawlen(L, -1)));
    json_object_set_new(m, "title", t);
    json_t *p = json_array();
    for (lua_Unsigned i = 1; i <= n_paths; i++) {
        lua_rawgeti(L, paths, (lua_Integer)i);
        json_array_append_new(p, json_stringn(lua_tostring(L, -1), lua_rawlen(L, -1)));
        lua_pop(L, 1);
    }
    json_object_set_new(m, "paths", p);
    json_object_set_new(m, "source", json_string(source));
    json_object_set_new(m, "overridable", json_boolean(overridable));
    json_array_append_new(sb->meta, m);
    return 0;
}

/* ---- building the state ----------------------------------------------------------------- */

struct setup {
    struct sandbox *sb;
    const struct rules_program *prog;
    const struct pack *pack;
    struct err *e;
    bool failed;
};

/* Every function of a library table except the excluded ones. */
static void copy_library(lua_State *L, const char *lib, const char *const *excluded, int env)
{
    lua_getglobal(L, lib);
    int src = lua_gettop(L);
    lua_newtable(L);
    lua_pushnil(L);
    while (lua_next(L, src)) {
        bool skip = false;
        for (const char *const *x = excluded; *x; x++)
            skip |= lua_type(L, -2) == LUA_TSTRING && strcmp(lua_tostring(L, -2), *x) == 0;
        if (skip) {
            lua_pop(L, 1);
            continue;
        }
        lua_pushvalue(L, -2);
        lua_insert(L, -2);
        lua_rawset(L, src + 1);
    }
    lua_setfield(L, env, lib);
    lua_pop(L, 1);
}

static void open_libraries(lua_State *L)
{
    luaL_requiref(L, LUA_GNAME, luaopen_base, 1);
    luaL_requiref(L, LUA_STRLIBNAME, luaopen_string, 1);
    luaL_requiref(L, LUA_TABLIBNAME, luaopen_table, 1);
    luaL_requiref(L, LUA_MATHLIBNAME, luaopen_math, 1);
    luaL_requiref(L, LUA_UTF8LIBNAME, luaopen_utf8, 1);
    lua_pop(L, 5);
    /* Strings index the real string table through their metatable: take dump out of it. */
    lua_getglobal(L, LUA_STRLIBNAME);
    lua_pushnil(L);
    lua_setfield(L, -2, "dump");
    lua_pop(L, 1);
    /* …and put metered versions of the functions that work in C in place (lua_limits.c). */
    sandbox_limit_libraries(L);
}

/* The environment of the pack's code, left on the stack. */
static int build_env(lua_State *L, const struct setup *s)
{
    static const char *const BASE[] = {
        "assert", "error", "ipairs", "next", "pairs", "select", "tonumber", "tostring", "type",
        "rawequal", "rawget", "rawlen", "_VERSION", NULL,
    };
    static const char *const NONE[] = {NULL};
    static const char *const STRING_EXCLUDED[] = {"dump", "pack", "packsize", "unpack", NULL};
    static const char *const MATH_EXCLUDED[] = {"random", "randomseed", NULL};

    lua_newtable(L);
    int env = lua_gettop(L);
    lua_pushglobaltable(L);
    int g = lua_gettop(L);
    for (const char *const *n = BASE; *n; n++) {
        lua_getfield(L, g, *n);
        lua_setfield(L, env, *n);
    }
    lua_pop(L, 1);
    lua_pushcfunction(L, safe_pcall);
    lua_setfield(L, env, "pcall");
    copy_library(L, LUA_STRLIBNAME, STRING_EXCLUDED, env);
    copy_library(L, LUA_TABLIBNAME, NONE, env);
    copy_library(L, LUA_MATHLIBNAME, MATH_EXCLUDED, env);
    copy_library(L, LUA_UTF8LIBNAME, NONE, env);
    sandbox_open_helpers(L, env);

    /* pack: the pack's identity and data. */
    const struct pack *p = s->pack;
    lua_createtable(L, 0, 8);
    lua_pushstring(L, p->id);
    lua_setfield(L, -2, "id");
    lua_pushstring(L, p->version);
    lua_setfield(L, -2, "version");
    lua_pushstring(L, p->edition);
    lua_setfield(L, -2, "edition");
    sandbox_push_json(L, json_object_get(p->manifest, "effective_from"));
    lua_setfield(L, -2, "effective_from");
    sandbox_push_json(L, s->prog->params);
    lua_setfield(L, -2, "params");
    sandbox_push_json(L, p->form);
    lua_setfield(L, -2, "form");
    sandbox_push_json(L, p->deadlines);
    lua_setfield(L, -2, "deadlines");
    sandbox_push_json(L, json_object_get(p->materials, "kinds"));
    lua_setfield(L, -2, "materials");
    lua_setfield(L, env, "pack");

    /* rule{}: registers into the array kept in the registry. */
    lua_newtable(L);
    lua_pushvalue(L, -1);
    s->sb->rules_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    lua_newtable(L);
    lua_pushcclosure(L, l_rule, 2);
    lua_setfield(L, env, "rule");
    return env;
}

/* Load and run one source with the environment; its results (nresults) stay on the stack. */
static int run_source(lua_State *L, struct setup *s, const struct rules_source *src, int env, int nresults)
{
    char chunkname[300];
    char why[512];
    snprintf(chunkname, sizeof chunkname, "@%s", src->name);
    if (luaL_loadbufferx(L, src->text, src->len, chunkname, "t") != LUA_OK) {
        err_set(s->e, ERR_VALIDATION, NULL, "Policy pack %s: %s does not compile: %s",
                "策略包 %s：%s 无法编译：%s", s->pack->dir, src->name, lua_tostring(L, -1));
        lua_pop(L, 1);
        return -1;
    }
    lua_pushvalue(L, env);
    lua_setupvalue(L, -2, 1); /* a main chunk's first upvalue is _ENV */
    enum sandbox_outcome o = sandbox_call(s->sb, 0, nresults, why, sizeof why);
    if (o != SANDBOX_OK) {
        char en[900], zh[900];
        snprintf(en, sizeof en, "Policy pack %.300s: %s failed while loading: %s", s->pack->dir, src->name,
                 o == SANDBOX_INSTRUCTIONS ? "it ran past the instruction budget"
                 : o == SANDBOX_MEMORY     ? "it ran past the memory budget"
                 : o == SANDBOX_TIME       ? "it ran past the time limit"
                                           : why);
        snprintf(zh, sizeof zh, "策略包 %.300s：加载 %s 时出错：%s", s->pack->dir, src->name,
                 o == SANDBOX_INSTRUCTIONS ? "超出指令数上限" : o == SANDBOX_MEMORY ? "超出内存上限"
                 : o == SANDBOX_TIME       ? "超出运行时间上限" : why);
        err_set_text(s->e, ERR_VALIDATION, NULL, en, zh);
        return -1;
    }
    return 0;
}

static int setup_state(lua_State *L)
{
    struct setup *s = lua_touserdata(L, 1);
    open_libraries(L);
    int env = build_env(L, s);
    s->sb->loading = true;
    for (size_t i = 0; i < s->prog->n_sources; i++)
        if (run_source(L, s, &s->prog->sources[i], env, 0) != 0) {
            s->failed = true;
            return 0;
        }
    s->sb->loading = false;
    if (s->prog->classify.text) {
        if (run_source(L, s, &s->prog->classify, env, 1) != 0) {
            s->failed = true;
            return 0;
        }
        if (lua_type(L, -1) != LUA_TFUNCTION) {
            err_set(s->e, ERR_VALIDATION, NULL, "Policy pack %s: %s must return a function(doc, ctx)",
                    "策略包 %s：%s 必须返回函数 function(doc, ctx)", s->pack->dir, s->prog->classify.name);
            s->failed = true;
            return 0;
        }
        s->sb->classify_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    }
    if (s->prog->changes.text) {
        if (run_source(L, s, &s->prog->changes, env, 1) != 0) {
            s->failed = true;
            return 0;
        }
        if (lua_type(L, -1) != LUA_TFUNCTION) {
            err_set(s->e, ERR_VALIDATION, NULL, "Policy pack %s: %s must return a function(before, after, diff, ctx)",
                    "策略包 %s：%s 必须返回函数 function(before, after, diff, ctx)", s->pack->dir, s->prog->changes.name);
            s->failed = true;
            return 0;
        }
        s->sb->changes_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    }
    freeze_all(L, env);
    return 0;
}

int sandbox_new(const struct rules_program *prog, const struct pack *p, struct sandbox **out, struct err *e)
{
    *out = NULL;
    struct sandbox *sb = calloc(1, sizeof *sb);
    if (!sb)
        return err_set(e, ERR_INTERNAL, NULL, "Out of memory starting the rule engine", "启动规则引擎时内存不足");
    sb->limit = HARD_MEMORY;
    sb->instruction_limit = LLONG_MAX;
    sb->next_clock = LLONG_MAX;
    sb->pack = p;
    sb->rules_ref = sb->classify_ref = sb->changes_ref = LUA_NOREF;
    sb->meta = json_array();
    sb->L = lua_newstate(sandbox_alloc, sb);
    if (!sb->L) {
        json_decref(sb->meta);
        free(sb);
        return err_set(e, ERR_INTERNAL, NULL, "Out of memory starting the rule engine", "启动规则引擎时内存不足");
    }
    lua_State *L = sb->L;
    *(struct sandbox **)lua_getextraspace(L) = sb;
    lua_atpanic(L, sandbox_panic);
    lua_sethook(L, count_hook, LUA_MASKCOUNT, HOOK_STEP);
    lua_gc(L, LUA_GCGEN, 0, 0);

    struct setup s = {sb, prog, p, e, false};
    lua_pushcfunction(L, setup_state);
    lua_pushlightuserdata(L, &s);
    int status = lua_pcall(L, 1, 0, 0);
    if (status != LUA_OK) {
        err_set(e, ERR_INTERNAL, NULL, "Policy pack %s: the rule engine could not start: %s",
                "策略包 %s：规则引擎无法启动：%s", p->dir,
                lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "?");
        s.failed = true;
    }
    if (s.failed) {
        sandbox_free(sb);
        return -1;
    }
    lua_settop(L, 0);
    lua_gc(L, LUA_GCCOLLECT);
    *out = sb;
    return 0;
}

void sandbox_free(struct sandbox *sb)
{
    if (!sb)
        return;
    if (sb->L)
        lua_close(sb->L);
    json_decref(sb->meta);
    free(sb);
}

lua_State *sandbox_lua(struct sandbox *sb)
{
    return sb->L;
}

void sandbox_set_pack(struct sandbox *sb, const struct pack *p)
{
    sb->pack = p;
}

const struct pack *sandbox_pack_of(lua_State *L)
{
    return sandbox_of(L)->pack;
}

int sandbox_rules_ref(const struct sandbox *sb)
{
    return sb->rules_ref;
}

int sandbox_classify_ref(const struct sandbox *sb)
{
    return sb->classify_ref;
}

int sandbox_changes_ref(const struct sandbox *sb)
{
    return sb->changes_ref;
}

const json_t *sandbox_rules_meta(const struct sandbox *sb)
{
    return sb->meta;
}
