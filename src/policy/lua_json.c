/* lua_json.c — JSON values as Lua values, for the rule sandbox (pack data, change reports, and a
 * filing document and its context in a plain check; when the reads of a check are recorded, for a
 * later save, the document reaches the rules through the lazy view of lua_view.c instead, which
 * builds the same tables one level at a time). The mapping keeps JSON pointers meaningful: arrays become
 * 1-based sequences in which a JSON null stays in place as the `null` sentinel (a light userdata), so
 * entry i of a list is always at pointer index i-1; a null object member is simply absent, which is
 * what "not filled" means to a rule. Depth is bounded.
 *
 * The conversion may raise Lua memory errors, so it runs inside a protected call. (The way back,
 * from what rules return, is read member by member where it is used: rules.c.) */
#include "policy/lua_sandbox.h"

#include <lauxlib.h>

enum { MAX_TO_LUA_DEPTH = SANDBOX_MAX_DEPTH };

/* The address of this object is the `null` sentinel. */
static const char NULL_SENTINEL = 0;

void sandbox_push_null(lua_State *L)
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
        sandbox_push_null(L);
        return;
    }
    switch (json_typeof(v)) {
    case JSON_OBJECT: {
        lua_createtable(L, 0, (int)json_object_size(v));
        /* Keys by iterator with their lengths, set raw: no strlen, no metamethod lookup. */
        for (void *it = json_object_iter((json_t *)v); it; it = json_object_iter_next((json_t *)v, it)) {
            const json_t *member = json_object_iter_value(it);
            if (json_is_null(member))
                continue;
            lua_pushlstring(L, json_object_iter_key(it), json_object_iter_key_len(it));
            push_json(L, member, depth + 1);
            lua_rawset(L, -3);
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
        sandbox_push_null(L);
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
