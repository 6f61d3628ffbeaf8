/* lua_json.c — JSON documents as Lua values and back, for the rule sandbox.
 *
 * A filing document is converted into plain tables once per evaluation: rules then read it at the
 * speed of table access, with no proxies. The mapping keeps JSON pointers meaningful: arrays become
 * 1-based sequences in which a JSON null stays in place as the `null` sentinel (a light userdata), so
 * entry i of a list is always at pointer index i-1; a null object member is simply absent, which is
 * what "not filled" means to a rule. Depth is bounded both ways.
 *
 * Both directions may raise Lua memory errors, so they run inside a protected call; the reverse
 * direction reads tables raw (never a metamethod, so never rule code) and sorts object keys so that
 * its output does not depend on Lua's per-state hash seed. */
#include "policy/lua_sandbox.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>

enum { MAX_TO_LUA_DEPTH = 32, MAX_TO_JSON_DEPTH = 16 };

/* The address of this object is the `null` sentinel. */
static const char NULL_SENTINEL = 0;

static void push_null(lua_State *L)
{
    lua_pushlightuserdata(L, (void *)&NULL_SENTINEL);
}

bool sandbox_is_null(lua_State *L, int idx)
{
    return lua_type(L, idx) == LUA_TLIGHTUSERDATA && lua_touserdata(L, idx) == (void *)&NULL_SENTINEL;
}

static void push_json(lua_State *L, const json_t *v, int depth)
{
    luaL_checkstack(L, 4, "document nesting");
    if (depth > MAX_TO_LUA_DEPTH) {
        push_null(L);
        return;
    }
    switch (json_typeof(v)) {
    case JSON_OBJECT: {
        lua_createtable(L, 0, (int)json_object_size(v));
        const char *key;
        const json_t *member;
        json_object_foreach((json_t *)v, key, member) {
            if (json_is_null(member))
                continue;
            push_json(L, member, depth + 1);
            lua_setfield(L, -2, key);
        }
        break;
    }
    case JSON_ARRAY: {
        size_t n = json_array_size(v);
        lua_createtable(L, n > 1000000 ? 0 : (int)n, 0);
        for (size_t i = 0; i < n; i++) {
            push_json(L, json_array_get(v, i), depth + 1);
            lua_rawseti(L, -2, (lua_Integer)i + 1);
        }
        break;
    }
    case JSON_STRING:
        lua_pushlstring(L, json_string_value(v), json_string_length(v));
        break;
    case JSON_INTEGER:
        lua_pushinteger(L, (lua_Integer)json_integer_value(v));
        break;
    case JSON_REAL:
        lua_pushnumber(L, json_real_value(v));
        break;
    case JSON_TRUE:
        lua_pushboolean(L, 1);
        break;
    case JSON_FALSE:
        lua_pushboolean(L, 0);
        break;
    case JSON_NULL:
    default:
        push_null(L);
        break;
    }
}

void sandbox_push_json(lua_State *L, const json_t *v)
{
    if (!v)
        lua_pushnil(L);
    else
        push_json(L, v, 0);
}

/* ---- Lua → JSON ------------------------------------------------------------------------- */

static int compare_members(const void *a, const void *b)
{
    /* Both point at a struct whose first member is the key. */
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static json_t *to_json(lua_State *L, int idx, bool empty_is_array, int depth);

/* The table at idx (absolute) as an array when its keys are exactly 1..n, else NULL. */
static json_t *table_as_array(lua_State *L, int idx, size_t count, int depth)
{
    lua_Unsigned n = lua_rawlen(L, idx);
    if (n != count)
        return NULL;
    json_t *array = json_array();
    for (lua_Unsigned i = 1; i <= n; i++) {
        lua_rawgeti(L, idx, (lua_Integer)i);
        json_t *item = to_json(L, lua_gettop(L), true, depth + 1);
        lua_pop(L, 1);
        json_array_append_new(array, item ? item : json_null());
    }
    return array;
}

static json_t *table_to_json(lua_State *L, int idx, bool empty_is_array, int depth)
{
    size_t count = 0, strings = 0;
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        count++;
        strings += lua_type(L, -2) == LUA_TSTRING;
        lua_pop(L, 1);
    }
    if (count == 0)
        return empty_is_array ? json_array() : json_object();
    if (strings == 0) {
        json_t *array = table_as_array(L, idx, count, depth);
        if (array)
            return array;
    }
    /* An object of the string keys, sorted. Converted during the walk (lua_next, raw reads and
     * conversions never allocate Lua memory, so nothing can raise while `members` is held), then
     * inserted in key order; the key strings stay anchored by the table. */
    struct member { const char *key; json_t *value; } *members = malloc(strings * sizeof *members);
    if (!members)
        return NULL;
    size_t k = 0;
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        if (lua_type(L, -2) == LUA_TSTRING && k < strings) {
            json_t *value = to_json(L, lua_gettop(L), false, depth + 1);
            if (value) {
                members[k].key = lua_tostring(L, -2);
                members[k].value = value;
                k++;
            }
        }
        lua_pop(L, 1);
    }
    qsort(members, k, sizeof *members, compare_members);
    json_t *object = json_object();
    for (size_t i = 0; i < k; i++)
        json_object_set_new(object, members[i].key, members[i].value);
    free(members);
    return object;
}

static json_t *to_json(lua_State *L, int idx, bool empty_is_array, int depth)
{
    if (depth > MAX_TO_JSON_DEPTH)
        return NULL;
    switch (lua_type(L, idx)) {
    case LUA_TNIL:
        return json_null();
    case LUA_TBOOLEAN:
        return json_boolean(lua_toboolean(L, idx));
    case LUA_TNUMBER:
        if (lua_isinteger(L, idx))
            return json_integer((json_int_t)lua_tointeger(L, idx));
        return isfinite(lua_tonumber(L, idx)) ? json_real(lua_tonumber(L, idx)) : json_null();
    case LUA_TSTRING: {
        size_t len;
        const char *s = lua_tolstring(L, idx, &len);
        return json_stringn(s, len); /* NULL when not valid UTF-8 */
    }
    case LUA_TTABLE:
        return table_to_json(L, idx, empty_is_array, depth);
    case LUA_TLIGHTUSERDATA:
        return sandbox_is_null(L, idx) ? json_null() : NULL;
    default:
        return NULL;
    }
}

json_t *sandbox_to_json(lua_State *L, int idx, bool empty_is_array)
{
    /* Room for the recursion's pushes, reserved before any C allocation so that no Lua error
     * can be raised while a malloc'd buffer is held. */
    if (!lua_checkstack(L, 3 * MAX_TO_JSON_DEPTH + 8))
        return NULL;
    return to_json(L, lua_absindex(L, idx), empty_is_array, 0);
}
