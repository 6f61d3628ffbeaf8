/* lua_helpers.c — the functions a rule may call besides Lua's safe libraries: days and months on
 * ISO dates, the GB 32100 USCC check (core/uscc.h), the pack's region table, the form's field
 * labels and material kinds, and safe navigation through a document.
 *
 * Every helper is pure: its result depends only on its arguments and the pack being evaluated
 * (never the clock), and a wrong argument type yields nil rather than an error, so that a rule
 * reading a malformed document (which the schema checks already report) stays quiet instead of
 * failing. Dates are "YYYY-MM-DD" strings or day numbers (days since 1970-01-01). */
#include "policy/lua_sandbox.h"
#include "policy/lua_view.h"

#include <string.h>

#include <lauxlib.h>

#include "core/date.h"
#include "core/uscc.h"
#include "policy/pack.h"
#include "policy/schema.h"

/* Charge a helper's work to the call's budget: one unit, plus one per 16 bytes of the string
 * argument at idx (the helpers that read a string scan or hash it). */
static void charge_string(lua_State *L, int idx)
{
    size_t len = 0;
    if (lua_type(L, idx) == LUA_TSTRING)
        lua_tolstring(L, idx, &len);
    sandbox_charge(L, 1 + len / 16);
}

/* A day from argument idx: an ISO date string or an integer day number. */
static bool arg_day(lua_State *L, int idx, day_t *out)
{
    if (lua_type(L, idx) == LUA_TSTRING)
        return date_parse(lua_tostring(L, idx), out) == 0;
    if (lua_isinteger(L, idx)) {
        lua_Integer n = lua_tointeger(L, idx);
        if (n < -1000000 || n > 3000000) /* about years 1 and 9999 */
            return false;
        *out = (day_t)n;
        return true;
    }
    return false;
}

static bool arg_count(lua_State *L, int idx, lua_Integer limit, int *out)
{
    if (!lua_isinteger(L, idx))
        return false;
    lua_Integer n = lua_tointeger(L, idx);
    if (n < -limit || n > limit)
        return false;
    *out = (int)n;
    return true;
}

static int push_day(lua_State *L, day_t day)
{
    char buf[11];
    int y;
    date_to_ymd(day, &y, NULL, NULL);
    if (y < 1 || y > 9999) {
        lua_pushnil(L);
        return 1;
    }
    date_format(day, buf);
    lua_pushstring(L, buf);
    return 1;
}

/* date(s) → day number, or nil when s is not a real day written YYYY-MM-DD. */
static int l_date(lua_State *L)
{
    day_t day;
    if (lua_type(L, 1) == LUA_TSTRING && arg_day(L, 1, &day))
        lua_pushinteger(L, day);
    else
        lua_pushnil(L);
    return 1;
}

/* format_date(n) → "YYYY-MM-DD". */
static int l_format_date(lua_State *L)
{
    day_t day;
    if (!lua_isinteger(L, 1) || !arg_day(L, 1, &day)) {
        lua_pushnil(L);
        return 1;
    }
    return push_day(L, day);
}

/* days_between(a, b) → b − a in days (positive when b is later), nil if either is not a day. */
static int l_days_between(lua_State *L)
{
    day_t a, b;
    if (arg_day(L, 1, &a) && arg_day(L, 2, &b))
        lua_pushinteger(L, (lua_Integer)b - a);
    else
        lua_pushnil(L);
    return 1;
}

/* add_days(d, n) → "YYYY-MM-DD". */
static int l_add_days(lua_State *L)
{
    day_t d;
    int n;
    if (!arg_day(L, 1, &d) || !arg_count(L, 2, 3650000, &n)) {
        lua_pushnil(L);
        return 1;
    }
    return push_day(L, d + n);
}

/* add_months(d, n) → "YYYY-MM-DD", the same day of the month n months later (n may be
 * negative), clamped to the month's last day: add_months("2026-03-31", -1) = "2026-02-28". */
static int l_add_months(lua_State *L)
{
    day_t d;
    int n;
    if (!arg_day(L, 1, &d) || !arg_count(L, 2, 120000, &n)) {
        lua_pushnil(L);
        return 1;
    }
    int y, m, dd;
    date_to_ymd(d, &y, &m, &dd);
    day_t first = date_from_ymd(y, m + n, 1);
    int ny, nm;
    date_to_ymd(first, &ny, &nm, NULL);
    int last = date_from_ymd(ny, nm + 1, 1) - first; /* days in the target month */
    return push_day(L, first + (dd < last ? dd : last) - 1);
}

/* working_days_after(d, n) → the day on which n working days of the pack's calendar have passed,
 * counting from the day after d. */
static int l_working_days_after(lua_State *L)
{
    day_t d;
    int n;
    const struct pack *p = sandbox_pack_of(L);
    if (!p || !arg_day(L, 1, &d) || !arg_count(L, 2, 100000, &n)) {
        lua_pushnil(L);
        return 1;
    }
    sandbox_charge(L, 1 + (size_t)(n < 0 ? -n : n)); /* a loop over the days */
    return push_day(L, calendar_add_working_days(p->calendar, d, n));
}

/* uscc_check(code) → {ok, status = "ok"|"length"|"char"|"check", position, found, expected,
 * length, en, zh}; en/zh describe what is wrong (core/uscc.h). nil when code is not a string. */
static int l_uscc_check(lua_State *L)
{
    if (lua_type(L, 1) != LUA_TSTRING) {
        lua_pushnil(L);
        return 1;
    }
    size_t len;
    const char *code = lua_tolstring(L, 1, &len);
    charge_string(L, 1);
    struct uscc_result r;
    bool ok = strlen(code) == len && uscc_check(code, &r) == 0;
    if (strlen(code) != len) { /* an embedded NUL: the code is as long as Lua says */
        memset(&r, 0, sizeof r);
        r.status = USCC_BAD_LENGTH;
        r.length = (int)(len > 4096 ? 4096 : len);
    }
    static const char *const STATUS[] = {"ok", "length", "char", "check"};
    char en[160], zh[160];
    uscc_describe(&r, en, sizeof en, zh, sizeof zh);
    lua_createtable(L, 0, 8);
    lua_pushboolean(L, ok);
    lua_setfield(L, -2, "ok");
    lua_pushstring(L, STATUS[r.status]);
    lua_setfield(L, -2, "status");
    lua_pushinteger(L, r.position);
    lua_setfield(L, -2, "position");
    lua_pushinteger(L, r.length);
    lua_setfield(L, -2, "length");
    if (r.found) {
        lua_pushlstring(L, &r.found, 1);
        lua_setfield(L, -2, "found");
    }
    if (r.expected) {
        lua_pushlstring(L, &r.expected, 1);
        lua_setfield(L, -2, "expected");
    }
    lua_pushstring(L, en);
    lua_setfield(L, -2, "en");
    lua_pushstring(L, zh);
    lua_setfield(L, -2, "zh");
    return 1;
}

/* region_known(code) → true when code is in the pack's region table. */
static int l_region_known(lua_State *L)
{
    const struct pack *p = sandbox_pack_of(L);
    charge_string(L, 1);
    lua_pushboolean(L, lua_type(L, 1) == LUA_TSTRING && pack_region_known(p, lua_tostring(L, 1)));
    return 1;
}

static int push_bilingual(lua_State *L, const json_t *label)
{
    const char *zh = json_string_value(json_object_get(label, "zh"));
    const char *en = json_string_value(json_object_get(label, "en"));
    if (!zh || !en) {
        lua_pushnil(L);
        return 1;
    }
    lua_pushstring(L, zh);
    lua_pushstring(L, en);
    return 2;
}

/* region_name(code) → zh, en; nil when unknown. */
static int l_region_name(lua_State *L)
{
    const struct pack *p = sandbox_pack_of(L);
    charge_string(L, 1);
    if (lua_type(L, 1) != LUA_TSTRING || !pack_region_known(p, lua_tostring(L, 1))) {
        lua_pushnil(L);
        return 1;
    }
    return push_bilingual(L, json_object_get(p->regions, lua_tostring(L, 1)));
}

/* field_label(path) → zh, en: the form's label of the field at a JSON pointer
 * ("/provider/data_centers/0/country"); nil when the path names no field. */
static int l_field_label(lua_State *L)
{
    const struct pack *p = sandbox_pack_of(L);
    charge_string(L, 1);
    if (lua_type(L, 1) != LUA_TSTRING) {
        lua_pushnil(L);
        return 1;
    }
    const json_t *def = schema_field_at(p, lua_tostring(L, 1));
    return def ? push_bilingual(L, json_object_get(def, "label")) : (lua_pushnil(L), 1);
}

/* material_label(kind) → zh, en from materials.json; nil when the kind is unknown. */
static int l_material_label(lua_State *L)
{
    const struct pack *p = sandbox_pack_of(L);
    const char *kind = lua_type(L, 1) == LUA_TSTRING ? lua_tostring(L, 1) : NULL;
    size_t i;
    charge_string(L, 1);
    if (p)
        sandbox_charge(L, json_array_size(json_object_get(p->materials, "kinds")));
    const json_t *k;
    if (p && kind)
        json_array_foreach(json_object_get(p->materials, "kinds"), i, k)
            if (strcmp(json_string_value(json_object_get(k, "key")), kind) == 0)
                return push_bilingual(L, json_object_get(k, "label"));
    lua_pushnil(L);
    return 1;
}

/* get(t, k1, k2, …) → t[k1][k2]…, or nil as soon as a step is not a table (raw reads, but through
 * the document's view). */
static int l_get(lua_State *L)
{
    int n = lua_gettop(L);
    sandbox_charge(L, (size_t)n);
    lua_pushvalue(L, 1);
    for (int i = 2; i <= n; i++) {
        if (lua_type(L, -1) != LUA_TTABLE) {
            lua_pushnil(L);
            return 1;
        }
        if (!view_index(L, -1, i)) {   /* the document's view: through it, so the read is recorded */
            lua_pushvalue(L, i);
            lua_rawget(L, -2);
        }
        lua_remove(L, -2);
    }
    if (sandbox_is_null(L, -1)) {
        lua_pop(L, 1);
        lua_pushnil(L);
    }
    return 1;
}

/* is_null(v) → true for the `null` sentinel (a JSON null inside a list). */
static int l_is_null(lua_State *L)
{
    lua_pushboolean(L, sandbox_is_null(L, 1));
    return 1;
}

void sandbox_open_helpers(lua_State *L, int env_idx)
{
    static const luaL_Reg HELPERS[] = {
        {"date", l_date},
        {"format_date", l_format_date},
        {"days_between", l_days_between},
        {"add_days", l_add_days},
        {"add_months", l_add_months},
        {"working_days_after", l_working_days_after},
        {"uscc_check", l_uscc_check},
        {"region_known", l_region_known},
        {"region_name", l_region_name},
        {"field_label", l_field_label},
        {"material_label", l_material_label},
        {"get", l_get},
        {"is_null", l_is_null},
        {NULL, NULL},
    };
    env_idx = lua_absindex(L, env_idx);
    lua_pushvalue(L, env_idx);
    luaL_setfuncs(L, HELPERS, 0);
    lua_pop(L, 1);
    /* `null`: the sentinel a JSON null becomes inside a list (lua_json.c). */
    sandbox_push_json(L, json_null());
    lua_setfield(L, env_idx, "null");
}
