/* validate_floor.c — the floor under beian's validation figure: the least a validation of the
 * reference filing can do with this pack, beside beian's own validation in the same process.
 *
 *   validate_floor [PACK_DIR] [SECONDS]
 *
 * A validation must read the document, check every value against its field and every required
 * field, classify the filing and run each of the pack's rules, and give the findings and the
 * derived values as JSON. The rules are the pack's Lua code, and they run in the pack's sandbox,
 * whose bounds the brief asks for (an instruction budget by a count hook, a memory budget by the
 * state's allocator, patterns that count their steps). So the floor does exactly that, each part
 * the plainest way:
 *   - the bytes read with json_read (core/json_read.h), jansson's tree;
 *   - the form's shape and completeness checks (schema.h: one walk of the form compiled once);
 *   - the document copied into Lua tables in one pass (sandbox_push_json), the context too;
 *   - classify.lua called, its table read back as the derived values' JSON, given to the rules;
 *   - each rule's check called in the sandbox (sandbox_call), what it returns read as findings.
 * It leaves out what beian adds: the lazy view the rules read the document through (what lets a
 * save run only the rules whose reads changed), the document without the values the shape check
 * refused, the checks of what a rule returns, the time limit of the whole evaluation, overrides.
 *
 * Printed: beian (policy_check after json_read) and the floor, six rounds in turn (every other one
 * with the floor first) and the median of beian's ratio to the floor; the floor's
 * parts (each the better of two runs); and the floor's rules without the sandbox's instruction count (`bare`: no count hook),
 * which no server may run but which shows what the bound costs.
 * For instruction counts: BENCH_COUNT=500 BENCH_ONLY=beian (or floor) valgrind --tool=callgrind
 * --toggle-collect=once build/validate_floor: BENCH_COUNT runs after 20 of warm-up. */
#include <lauxlib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_common.h"
#include "config.h"
#include "core/date.h"
#include "core/json_read.h"
#include "policy/lua_sandbox.h"
#include "policy/pack.h"
#include "policy/rules.h"
#include "policy/schema.h"

struct floor {
    const struct pack *p;
    struct sandbox *sb;
    lua_State *L;
    int n_rules;
    struct { const char *id, *severity, *source, *path; bool inspection; } *rules;
    const char *bytes;
    size_t len;
    day_t as_of;
    /* what one run made */
    json_t *doc, *findings, *derived;
    int stop_after;   /* PART_*: the parts measured one after another */
};

enum { PART_READ, PART_FORM, PART_TO_LUA, PART_ALL };

/* the Lua value at idx as JSON: a table with 1..n as an array, other tables as objects */
static json_t *to_json(lua_State *L, int idx, int depth)
{
    idx = lua_absindex(L, idx);
    switch (lua_type(L, idx)) {
    case LUA_TSTRING: {
        size_t n;
        const char *s = lua_tolstring(L, idx, &n);
        return json_stringn(s, n);
    }
    case LUA_TNUMBER:
        return lua_isinteger(L, idx) ? json_integer(lua_tointeger(L, idx)) : json_real(lua_tonumber(L, idx));
    case LUA_TBOOLEAN: return json_boolean(lua_toboolean(L, idx));
    case LUA_TTABLE: {
        if (depth > 8) return json_null();
        lua_Unsigned n = lua_rawlen(L, idx);
        if (n > 0) {
            json_t *a = json_array();
            for (lua_Unsigned i = 1; i <= n; i++) {
                lua_rawgeti(L, idx, (lua_Integer)i);
                json_array_append_new(a, to_json(L, -1, depth + 1));
                lua_pop(L, 1);
            }
            return a;
        }
        json_t *o = json_object();
        lua_pushnil(L);
        while (lua_next(L, idx)) {
            if (lua_type(L, -2) == LUA_TSTRING) json_object_set_new(o, lua_tostring(L, -2), to_json(L, -1, depth + 1));
            lua_pop(L, 1);
        }
        return o;
    }
    default: return json_null();
    }
}

/* one finding (the table at idx) of rule r */
static void take_finding(struct floor *f, int r, int idx)
{
    lua_State *L = f->L;
    int top = lua_gettop(L);
    const char *path = f->rules[r].path, *severity = f->rules[r].severity, *zh = "", *en = "";
    if (lua_getfield(L, idx, "path") == LUA_TSTRING) path = lua_tostring(L, -1);
    if (lua_getfield(L, idx, "severity") == LUA_TSTRING) severity = lua_tostring(L, -1);
    if (lua_getfield(L, idx, "message") == LUA_TTABLE) {
        if (lua_getfield(L, -1, "zh") == LUA_TSTRING) zh = lua_tostring(L, -1);
        if (lua_getfield(L, -2, "en") == LUA_TSTRING) en = lua_tostring(L, -1);
    }
    finding_add(f->findings, f->rules[r].id, severity, path, zh, en, f->rules[r].source);
    lua_settop(L, top);
}

/* doc (1) and ctx (2) on the stack: classify, then every rule of a filing */
static int run_pack(lua_State *L)
{
    struct floor *f = lua_touserdata(L, 1);
    char why[256];
    sandbox_push_json(L, f->doc);   /* 2: the document */
    char day[11];
    date_format(f->as_of, day);
    lua_createtable(L, 0, 4);       /* 3: the context */
    lua_pushstring(L, day);
    lua_setfield(L, 3, "as_of");
    lua_pushliteral(L, "initial");
    lua_setfield(L, 3, "filing_kind");
    if (f->stop_after == PART_TO_LUA) return 0;
    lua_rawgeti(L, LUA_REGISTRYINDEX, sandbox_classify_ref(f->sb));
    lua_pushvalue(L, 2);
    lua_pushvalue(L, 3);
    if (sandbox_call(f->sb, 2, 1, why, sizeof why) == SANDBOX_OK) {
        f->derived = to_json(L, -1, 0);
        lua_pop(L, 1);
    }
    sandbox_push_json(L, f->derived);
    lua_setfield(L, 3, "derived");
    lua_rawgeti(L, LUA_REGISTRYINDEX, sandbox_rules_ref(f->sb));   /* 4 */
    for (int r = 0; r < f->n_rules; r++) {
        if (f->rules[r].inspection) continue;
        lua_settop(L, 4);
        lua_rawgeti(L, 4, r + 1);
        lua_getfield(L, -1, "check");
        lua_pushvalue(L, 2);
        lua_pushvalue(L, 3);
        if (sandbox_call(f->sb, 2, 1, why, sizeof why) != SANDBOX_OK) continue;
        if (!lua_istable(L, -1)) continue;
        if (lua_getfield(L, -1, "message") != LUA_TNIL) {
            lua_pop(L, 1);
            take_finding(f, r, lua_gettop(L));
            continue;
        }
        lua_pop(L, 1);
        int list = lua_gettop(L);
        for (lua_Unsigned i = 1, n = lua_rawlen(L, list); i <= n; i++) {
            lua_rawgeti(L, list, (lua_Integer)i);
            take_finding(f, r, lua_gettop(L));
            lua_pop(L, 1);
        }
    }
    return 0;
}

static int floor_once(struct floor *f)
{
    f->doc = json_read(f->bytes, f->len, 0, NULL);
    f->findings = json_array();
    f->derived = NULL;
    int rc = f->doc ? 0 : -1;
    if (!rc && f->stop_after >= PART_FORM) {
        json_t *shape = schema_check_shape_in(f->p->form, f->doc), *required = schema_check_required_in(f->p->form, f->doc);
        json_array_extend(f->findings, shape);
        json_array_extend(f->findings, required);
        json_decref(shape);
        json_decref(required);
    }
    if (!rc && f->stop_after >= PART_TO_LUA) {
        lua_settop(f->L, 0);
        lua_pushcfunction(f->L, run_pack);
        lua_pushlightuserdata(f->L, f);
        rc = lua_pcall(f->L, 1, 0, 0) == LUA_OK ? 0 : -1;
        lua_settop(f->L, 0);
    }
    json_decref(f->doc);
    json_decref(f->findings);
    json_decref(f->derived);
    return rc;
}

static int beian_once(struct floor *f)
{
    json_t *doc = json_read(f->bytes, f->len, 0, NULL), *findings = NULL, *derived = NULL;
    struct err e = {0};
    int rc = doc ? policy_check(f->p, doc, f->as_of, NULL, &findings, &derived, &e) : -1;
    json_decref(doc);
    json_decref(findings);
    json_decref(derived);
    err_clear(&e);
    return rc;
}

enum { VALIDATE_ROUNDS = 6 };   /* beian and the floor in turn: an even count (the median's two middle rounds) */

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* runs per second of fn over `seconds` after a warm-up (BENCH_COUNT: exactly that many runs) */
static double measure(struct floor *f, int (*fn)(struct floor *), double seconds)
{
    const char *count_env = getenv("BENCH_COUNT");
    long fixed = count_env ? atol(count_env) : 0;
    for (int i = 0; i < (fixed ? 20 : 200); i++)
        if (fn(f) != 0) return -1;
    double start = bench_now(), elapsed;
    long count = 0;
    do {
        for (int i = 0; i < (fixed ? fixed : 100); i++) fn(f);
        count += fixed ? fixed : 100;
        elapsed = bench_now() - start;
    } while (!fixed && elapsed < seconds);
    return (double)count / elapsed;
}

/* the better of two measurements: a part's figure is a difference of two, which one slow
 * moment of a shared machine would spoil */
static double best_of_two(struct floor *f, int (*fn)(struct floor *), double seconds)
{
    double a = measure(f, fn, seconds), b = measure(f, fn, seconds);
    return a > b ? a : b;
}

static int collect_rules(lua_State *L)
{
    struct floor *f = lua_touserdata(L, 1);
    lua_rawgeti(L, LUA_REGISTRYINDEX, sandbox_rules_ref(f->sb));
    f->n_rules = (int)lua_rawlen(L, 2);
    f->rules = calloc((size_t)f->n_rules + 1, sizeof *f->rules);
    for (int r = 0; r < f->n_rules; r++) {
        lua_rawgeti(L, 2, r + 1);
        lua_getfield(L, -1, "id");
        f->rules[r].id = lua_tostring(L, -1);
        lua_getfield(L, -2, "severity");
        f->rules[r].severity = lua_tostring(L, -1);
        lua_getfield(L, -3, "source");
        f->rules[r].source = lua_tostring(L, -1);
        lua_getfield(L, -4, "path");
        f->rules[r].path = lua_tostring(L, -1);
        f->rules[r].inspection = f->rules[r].id && strncmp(f->rules[r].id, "INSP-", 5) == 0;
        lua_settop(L, 2);   /* the strings stay alive in the frozen rule tables */
    }
    return 0;
}

int main(int argc, char **argv)
{
    char pack_dir[4200];
    struct pack *p;
    double seconds;
    if (bench_open_pack("validate_floor", argc, argv, pack_dir, sizeof pack_dir, &p, &seconds) != 0)
        return 1;
    struct err e = {0};
    char path[4400];
    snprintf(path, sizeof path, "%s/fixtures/reference.json", pack_dir);
    struct floor f = {.p = p, .as_of = date_from_ymd(2026, 3, 1), .stop_after = PART_ALL};
    if (!(f.bytes = bench_read_file(path, &f.len)) || sandbox_new(p->rules, p, &f.sb, &e) != 0) {
        fprintf(stderr, "validate_floor: cannot read %s or start the rules\n", path);
        return 1;
    }
    sandbox_set_pack(f.sb, p);
    f.L = sandbox_lua(f.sb);
    lua_pushcfunction(f.L, collect_rules);
    lua_pushlightuserdata(f.L, &f);
    if (lua_pcall(f.L, 1, 0, 0) != LUA_OK) return 1;

    /* the floor finds what beian finds (rule and path of each finding, the derived values), on the
     * reference filing and on a draft with findings of every kind */
    static const char *const CHECKED[] = {"reference.json", "minimal-draft.json"};
    for (size_t k = 0; k < sizeof CHECKED / sizeof CHECKED[0]; k++) {
        snprintf(path, sizeof path, "%s/fixtures/%s", pack_dir, CHECKED[k]);
        size_t len = 0;
        char *bytes = bench_read_file(path, &len);
        json_t *doc = bytes ? json_read(bytes, len, 0, NULL) : NULL, *want = NULL, *derived = NULL;
        free(bytes);
        if (!doc || policy_check(p, doc, f.as_of, NULL, &want, &derived, &e) != 0) return 1;
        f.doc = doc;
        f.findings = json_array();
        json_t *shape = schema_check_shape_in(p->form, doc), *required = schema_check_required_in(p->form, doc);
        json_array_extend(f.findings, shape);
        json_array_extend(f.findings, required);
        json_decref(shape);
        json_decref(required);
        lua_pushcfunction(f.L, run_pack);
        lua_pushlightuserdata(f.L, &f);
        lua_pcall(f.L, 1, 0, 0);
        lua_settop(f.L, 0);
        size_t i;
        json_t *x;
        bool same = json_array_size(want) == json_array_size(f.findings);
        json_array_foreach(want, i, x) {
            json_t *y = json_array_get(f.findings, i);
            same = same && json_equal(json_object_get(x, "rule"), json_object_get(y, "rule")) &&
                   json_equal(json_object_get(x, "path"), json_object_get(y, "path"));
        }
        same = same && json_equal(json_object_get(derived, "filing_type"), json_object_get(f.derived, "filing_type")) &&
               json_equal(json_object_get(derived, "required_materials"), json_object_get(f.derived, "required_materials"));
        printf("%s: %zu bytes; beian finds %zu, the floor %zu: %s\n", CHECKED[k], len, json_array_size(want),
               json_array_size(f.findings), same ? "the same findings and derived values" : "NOT THE SAME");
        json_decref(want);
        json_decref(derived);
        json_decref(f.findings);
        json_decref(f.derived);
        json_decref(doc);
        if (!same) return 1;   /* a floor that does other work is no floor */
    }

    const char *only = getenv("BENCH_ONLY");   /* "beian" or "floor": that one alone (for callgrind) */
    if (only && *only) {
        double rate = measure(&f, strcmp(only, "beian") == 0 ? beian_once : floor_once, seconds);
        printf("%s %.0f /s\n", only, rate);
        return 0;
    }
    /* rounds in turn, every other one with the floor first: a shared machine's speed drifts
     * within seconds, and whichever runs second in every round would carry the drift alone */
    double ratios[VALIDATE_ROUNDS];
    for (int round = 0; round < VALIDATE_ROUNDS; round++) {
        double b, fl;
        if (round % 2 == 0) {
            b = measure(&f, beian_once, seconds);
            fl = measure(&f, floor_once, seconds);
        } else {
            fl = measure(&f, floor_once, seconds);
            b = measure(&f, beian_once, seconds);
        }
        ratios[round] = b / fl;
        printf("round %d: beian %7.0f /s %7.2f us   floor %7.0f /s %7.2f us   beian at %.2fx the floor\n", round + 1, b,
               1e6 / b, fl, 1e6 / fl, b / fl);
    }
    qsort(ratios, VALIDATE_ROUNDS, sizeof *ratios, compare_doubles);
    printf("beian at %.2fx the floor (median of the %d rounds; single rounds %.2f-%.2fx)\n",
           (ratios[VALIDATE_ROUNDS / 2 - 1] + ratios[VALIDATE_ROUNDS / 2]) / 2, VALIDATE_ROUNDS, ratios[0],
           ratios[VALIDATE_ROUNDS - 1]);
    static const char *const PART[] = {"read (json_read)", "+ the form's checks", "+ the document into Lua"};
    double before = 0;
    for (int part = PART_READ; part < PART_ALL; part++) {
        f.stop_after = part;
        double rate = best_of_two(&f, floor_once, seconds);
        printf("floor, %-26s %7.2f us  (+%.2f)\n", PART[part], 1e6 / rate, 1e6 / rate - before);
        before = 1e6 / rate;
    }
    f.stop_after = PART_ALL;
    double all = best_of_two(&f, floor_once, seconds);
    printf("floor, %-26s %7.2f us  (+%.2f)\n", "+ classify and the rules", 1e6 / all, 1e6 / all - before);
    lua_sethook(f.L, NULL, 0, 0);
    double bare = best_of_two(&f, floor_once, seconds);
    printf("bare: the floor without the count hook %7.2f us (%.0f /s): the instruction bound costs %.2f us\n",
           1e6 / bare, bare, 1e6 / all - 1e6 / bare);
    sandbox_free(f.sb);
    return 0;
}
