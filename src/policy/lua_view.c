/* lua_view.c — the lazy, read-only, recording view of a document for rules (lua_view.h). */
#include "policy/lua_view.h"
#include "policy/lua_sandbox.h"

#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>

void view_init(struct view *v, bool track)
{
    memset(v, 0, sizeof *v);
    v->unit = -1;
    v->track = track;
    v->mt_ref = LUA_NOREF;
}

void view_free_arrays(struct view *v)
{
    free(v->nodes);
    free(v->reads);
    free(v->keys);
    free(v->disarmed);
    v->disarmed = NULL;
    v->n_disarmed = v->cap_disarmed = 0;
    v->nodes = NULL;
    v->reads = NULL;
    v->keys = NULL;
    v->n_nodes = v->n_reads = v->n_keys = 0;
    v->cap_nodes = v->cap_reads = v->cap_keys = 0;
}

void view_end(struct view *v, lua_State *L)
{
    if (v->mt_ref != LUA_NOREF) luaL_unref(L, LUA_REGISTRYINDEX, v->mt_ref);
    v->mt_ref = LUA_NOREF;
}

void view_move_arrays(struct view *v, struct view *from)
{
    view_free_arrays(v);
    v->nodes = from->nodes, v->cap_nodes = from->cap_nodes;
    v->reads = from->reads, v->cap_reads = from->cap_reads;
    v->keys = from->keys, v->cap_keys = from->cap_keys;
    v->disarmed = from->disarmed, v->cap_disarmed = from->cap_disarmed;
    from->nodes = NULL, from->reads = NULL, from->keys = NULL, from->disarmed = NULL;
    from->n_nodes = from->n_reads = from->n_keys = from->n_disarmed = 0;
    from->cap_nodes = from->cap_reads = from->cap_keys = from->cap_disarmed = 0;
}

static bool grow(void **arr, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap) return true;
    size_t n = *cap ? *cap * 2 : 64;
    while (n < need) n *= 2;
    void *p = realloc(*arr, n * size);
    if (!p) return false;
    *arr = p;
    *cap = n;
    return true;
}

/* key copied into the keys; its offset, or (size_t)-1 when out of memory */
static size_t keep_key(struct view *v, const char *key, size_t len)
{
    if (!grow((void **)&v->keys, &v->cap_keys, v->n_keys + len + 1, 1)) return (size_t)-1;
    size_t off = v->n_keys;
    memcpy(v->keys + off, key, len);
    v->keys[off + len] = '\0';
    v->n_keys += len + 1;
    return off;
}

int view_add_node(struct view *v, int parent, const json_t *json, enum view_key kind, const char *key,
                  size_t key_len, long long index)
{
    if (!grow((void **)&v->nodes, &v->cap_nodes, v->n_nodes + 1, sizeof *v->nodes)) return -1;
    struct view_node nd = {.json = json, .parent = parent, .root = -1, .depth = 0, .kind = kind, .index = index};
    if (parent >= 0) {
        nd.root = v->nodes[parent].root;
        nd.depth = v->nodes[parent].depth + 1;
    }
    if (kind == VIEW_KEY_STRING) {
        nd.key_off = keep_key(v, key, key_len);
        nd.key_len = key_len;
        if (nd.key_off == (size_t)-1) return -1;
    }
    v->nodes[v->n_nodes] = nd;
    return (int)v->n_nodes++;
}

void view_record(struct view *v, int unit, int node, enum view_key kind, const char *key, size_t key_len,
                 long long index)
{
    if (!v->track || unit < 0 || v->overflow) return;
    if (v->n_reads) {   /* the same read again (a loop, a repeated lookup): once is enough */
        const struct view_read *last = &v->reads[v->n_reads - 1];
        if (last->unit == unit && last->node == node && last->kind == kind &&
            (kind == VIEW_KEY_ALL || (kind == VIEW_KEY_INDEX && last->index == index) ||
             ((kind == VIEW_KEY_STRING || kind == VIEW_KEY_DEEP) && last->key_len == key_len && memcmp(v->keys + last->key_off, key, key_len) == 0)))
            return;
    }
    if (!grow((void **)&v->reads, &v->cap_reads, v->n_reads + 1, sizeof *v->reads)) {
        v->overflow = true;
        return;
    }
    struct view_read r = {.unit = unit, .node = node, .kind = kind, .key_len = key_len, .index = index};
    if ((kind == VIEW_KEY_STRING || kind == VIEW_KEY_DEEP) && (r.key_off = keep_key(v, key, key_len)) == (size_t)-1) {
        v->overflow = true;
        return;
    }
    v->reads[v->n_reads++] = r;
}

/* ---- the Lua side ------------------------------------------------------------------------ */

/* Upvalues of the metamethods (tables of this evaluation): */
enum {
    UP_VIEW = 1,   /* the struct view */
    UP_IDS,        /* proxy → node */
    UP_SHADOWS,    /* node → its contents; OVERLAY → what the unit wrote into a root read by key */
    UP_PROXIES,    /* node → proxy */
    UP_MTS,        /* node → its own metatable, __index its shadow (a proxy once looked into) */
    N_UP
};
enum { OVERLAY = -1 };
static const char TOMBSTONE = 0;   /* a nil written into a root read by key */
static const char VIEW_MARK = 0;   /* key of every proxy metatable (view_index) */

static struct view *up_view(lua_State *L) { return lua_touserdata(L, lua_upvalueindex(UP_VIEW)); }

static int node_of(lua_State *L, int idx)
{
    lua_pushvalue(L, idx);
    lua_rawget(L, lua_upvalueindex(UP_IDS));
    int n = (int)lua_tointeger(L, -1);
    lua_pop(L, 1);
    return n;
}

static void push_metatable(lua_State *L, struct view *v) { lua_rawgeti(L, LUA_REGISTRYINDEX, v->mt_ref); }

/* A new proxy for node n, with the shared metatable at mt_idx. */
static void push_proxy_for(lua_State *L, struct view *v, int n, int mt_idx)
{
    lua_newtable(L);
    lua_pushvalue(L, mt_idx);
    lua_setmetatable(L, -2);
    lua_pushvalue(L, -1);
    lua_pushinteger(L, n);
    lua_rawset(L, lua_upvalueindex(UP_IDS));
    lua_pushvalue(L, -1);
    lua_rawseti(L, lua_upvalueindex(UP_PROXIES), n);
}

/* A member as lua_json.c converts it, containers as proxies. */
static void push_member(lua_State *L, struct view *v, int mt_idx, int parent, const json_t *m, int depth,
                        enum view_key kind, const char *key, size_t key_len, long long index)
{
    if (depth > SANDBOX_MAX_DEPTH) {
        sandbox_push_null(L);
        return;
    }
    switch (json_typeof(m)) {
    case JSON_OBJECT:
    case JSON_ARRAY: {
        int node = view_add_node(v, parent, m, kind, key, key_len, index);
        if (node < 0) luaL_error(L, "not enough memory");
        push_proxy_for(L, v, node, mt_idx);
        break;
    }
    case JSON_STRING: lua_pushlstring(L, json_string_value(m), json_string_length(m)); break;
    case JSON_INTEGER: lua_pushinteger(L, (lua_Integer)json_integer_value(m)); break;
    case JSON_REAL: lua_pushnumber(L, json_real_value(m)); break;
    case JSON_TRUE: lua_pushboolean(L, 1); break;
    case JSON_FALSE: lua_pushboolean(L, 0); break;
    default: sandbox_push_null(L); break;
    }
}

/* Fill the table at idx with node n's members as lua_json.c converts them (containers as
 * proxies). */
static void fill(lua_State *L, struct view *v, int n, int idx)
{
    luaL_checkstack(L, 8, "document view");
    push_metatable(L, v);
    int mt = lua_gettop(L);
    const json_t *json = v->nodes[n].json;
    int depth = v->nodes[n].depth + 1;
    if (json_is_object(json)) {
        for (void *it = json_object_iter((json_t *)json); it; it = json_object_iter_next((json_t *)json, it)) {
            const json_t *m = json_object_iter_value(it);
            if (json_is_null(m)) continue;
            const char *k = json_object_iter_key(it);
            size_t klen = json_object_iter_key_len(it);
            lua_pushlstring(L, k, klen);
            push_member(L, v, mt, n, m, depth, VIEW_KEY_STRING, k, klen, 0);
            lua_rawset(L, idx);
        }
    } else {
        size_t len = json_array_size(json);
        for (size_t i = 0; i < len; i++) {
            push_member(L, v, mt, n, json_array_get(json, i), depth, VIEW_KEY_INDEX, NULL, 0, (long long)i + 1);
            lua_rawseti(L, idx, (lua_Integer)i + 1);
        }
    }
    lua_pop(L, 1);
}

/* Push the shadow of node n, building it on first use. */
static void push_shadow(lua_State *L, struct view *v, int n)
{
    if (lua_rawgeti(L, lua_upvalueindex(UP_SHADOWS), n) == LUA_TTABLE) return;
    lua_pop(L, 1);
    const json_t *json = v->nodes[n].json;
    size_t len = json_is_array(json) ? json_array_size(json) : json_object_size(json);
    if (len > 1000000) len = 0;
    lua_createtable(L, json_is_array(json) ? (int)len : 0, json_is_array(json) ? 0 : (int)len);
    fill(L, v, n, lua_gettop(L));
    lua_pushvalue(L, -1);
    lua_rawseti(L, lua_upvalueindex(UP_SHADOWS), n);
}

/* Push a new metatable for one proxy: the shared metamethods, __index to be set by the caller. */
static void push_own_metatable(lua_State *L, struct view *v)
{
    push_metatable(L, v);
    lua_createtable(L, 0, 8);
    static const char *const SHARED[] = {"__len", "__pairs", "__next", "__newindex", "__metatable", "__view"};
    for (size_t i = 0; i < sizeof SHARED / sizeof SHARED[0]; i++) {
        lua_getfield(L, -2, SHARED[i]);
        lua_setfield(L, -2, SHARED[i]);
    }
    lua_pushboolean(L, 1);
    lua_rawsetp(L, -2, &VIEW_MARK);
    lua_remove(L, -2);
}

/* Node n is to be armed again when the next unit starts. */
static void disarmed(lua_State *L, struct view *v, int n)
{
    if (!grow((void **)&v->disarmed, &v->cap_disarmed, v->n_disarmed + 1, sizeof *v->disarmed))
        luaL_error(L, "not enough memory");
    v->disarmed[v->n_disarmed++] = n;
}

/* Give the proxy at idx (node n) its own metatable, whose __index is its shadow: the unit reads
 * the rest of it at the speed of a table. */
static void open_proxy(lua_State *L, struct view *v, int idx, int n)
{
    if (lua_rawgeti(L, lua_upvalueindex(UP_MTS), n) != LUA_TTABLE) {
        lua_pop(L, 1);
        push_own_metatable(L, v);
        push_shadow(L, v, n);
        lua_setfield(L, -2, "__index");
        lua_pushvalue(L, -1);
        lua_rawseti(L, lua_upvalueindex(UP_MTS), n);
    }
    lua_setmetatable(L, idx);
    disarmed(L, v, n);
}

/* __index of a proxy not yet looked into by the current unit: the unit reads the node. */
static int mm_first_index(lua_State *L)
{
    struct view *v = up_view(L);
    int n = node_of(L, 1);
    view_record(v, v->unit, n, VIEW_KEY_ALL, NULL, 0, 0);
    open_proxy(L, v, 1, n);
    push_shadow(L, v, n);
    lua_pushvalue(L, 2);
    lua_rawget(L, -2);
    return 1;
}

/* The unit's own write of t[k] into a root read by key, pushed when there is one. */
static bool push_written(lua_State *L, int idx, int key_idx)
{
    if (lua_rawgeti(L, lua_upvalueindex(UP_SHADOWS), OVERLAY) != LUA_TTABLE) {
        lua_pop(L, 1);
        return false;
    }
    lua_pushvalue(L, idx);
    if (lua_rawget(L, -2) != LUA_TTABLE) {
        lua_pop(L, 2);
        return false;
    }
    lua_pushvalue(L, key_idx);
    if (lua_rawget(L, -2) == LUA_TNIL) {
        lua_pop(L, 3);
        return false;
    }
    if (lua_touserdata(L, -1) == (void *)&TOMBSTONE) {
        lua_pop(L, 1);
        lua_pushnil(L);
    }
    lua_replace(L, -3);
    lua_pop(L, 1);
    return true;
}

static void record_key(lua_State *L, struct view *v, int n, int key_idx)
{
    if (!v->track || v->unit < 0) return;
    if (lua_type(L, key_idx) == LUA_TSTRING) {
        size_t len;
        const char *k = lua_tolstring(L, key_idx, &len);
        view_record(v, v->unit, n, VIEW_KEY_STRING, k, len, 0);
    } else if (lua_type(L, key_idx) == LUA_TNUMBER) {
        int isint;
        lua_Integer i = lua_tointegerx(L, key_idx, &isint);
        if (isint) view_record(v, v->unit, n, VIEW_KEY_INDEX, NULL, 0, (long long)i);
        /* other numbers are never keys of a converted document */
    }
    /* other key types never find anything in a converted document */
}

/* __index of a root read key by key (the context: a rule that reads ctx.derived does not read
 * ctx.as_of). */
static int mm_key_index(lua_State *L)
{
    struct view *v = up_view(L);
    if (v->wrote && push_written(L, 1, 2)) return 1;
    int n = node_of(L, 1);
    record_key(L, v, n, 2);
    push_shadow(L, v, n);
    lua_pushvalue(L, 2);
    lua_rawget(L, -2);
    return 1;
}

static int mm_len(lua_State *L)
{
    struct view *v = up_view(L);
    int n = node_of(L, 1);
    view_record(v, v->unit, n, VIEW_KEY_ALL, NULL, 0, 0);
    const json_t *json = v->nodes[n].json;
    lua_pushinteger(L, json_is_array(json) ? (lua_Integer)json_array_size(json) : 0);
    return 1;
}

/* the iterator pairs() returns: next() over the shadow, with the proxy as its state */
static int mm_next(lua_State *L)
{
    struct view *v = up_view(L);
    lua_settop(L, 2);
    push_shadow(L, v, node_of(L, 1));
    lua_pushvalue(L, 2);
    if (!lua_next(L, -2)) {
        lua_pushnil(L);
        return 1;
    }
    return 2;
}

static int mm_pairs(lua_State *L)
{
    struct view *v = up_view(L);
    view_record(v, v->unit, node_of(L, 1), VIEW_KEY_ALL, NULL, 0, 0);
    push_metatable(L, v);
    lua_getfield(L, -1, "__next");
    lua_pushvalue(L, 1);
    lua_pushnil(L);
    return 3;
}

/* A write stays the writing unit's own: the next unit sees the document as it is (a rule or the
 * library may keep what it worked out for itself, as lib.lua keeps ctx.effective_level; no unit
 * can change what another reads). Not seen by pairs or #; a nil written into a nested table
 * uncovers the document's value. */
static int mm_newindex(lua_State *L)
{
    struct view *v = up_view(L);
    lua_settop(L, 3);
    int n = node_of(L, 1);
    if (v->nodes[n].by_key) {   /* into the overlay of the roots read by key */
        if (lua_rawgeti(L, lua_upvalueindex(UP_SHADOWS), OVERLAY) != LUA_TTABLE) {
            lua_pop(L, 1);
            lua_newtable(L);
            lua_pushvalue(L, -1);
            lua_rawseti(L, lua_upvalueindex(UP_SHADOWS), OVERLAY);
        }
        lua_pushvalue(L, 1);
        if (lua_rawget(L, -2) != LUA_TTABLE) {
            lua_pop(L, 1);
            lua_newtable(L);
            lua_pushvalue(L, 1);
            lua_pushvalue(L, -2);
            lua_rawset(L, -4);
        }
        lua_pushvalue(L, 2);
        if (lua_isnil(L, 3)) lua_pushlightuserdata(L, (void *)&TOMBSTONE);
        else lua_pushvalue(L, 3);
        lua_rawset(L, -3);
        v->wrote = true;
        return 0;
    }
    /* a table of the unit's writes in front of the shadow, in a metatable of its own */
    view_record(v, v->unit, n, VIEW_KEY_ALL, NULL, 0, 0);   /* its reads through it are not seen */
    lua_getmetatable(L, 1);
    if (lua_getfield(L, -1, "__written") == LUA_TTABLE) {
        lua_pushvalue(L, 2);
        lua_pushvalue(L, 3);
        lua_rawset(L, -3);
        return 0;
    }
    lua_pop(L, 2);
    push_own_metatable(L, v);
    lua_newtable(L);                 /* the writes */
    lua_createtable(L, 0, 1);
    push_shadow(L, v, n);
    lua_setfield(L, -2, "__index");
    lua_setmetatable(L, -2);
    lua_pushvalue(L, 2);
    lua_pushvalue(L, 3);
    lua_rawset(L, -3);
    lua_pushvalue(L, -1);
    lua_setfield(L, -3, "__written");
    lua_setfield(L, -2, "__index");
    lua_setmetatable(L, 1);
    /* written, it is armed again for the next unit */
    if (v->n_disarmed == 0 || v->disarmed[v->n_disarmed - 1] != n) disarmed(L, v, n);
    return 0;
}

void view_set_unit(lua_State *L, struct view *v, int unit)
{
    v->unit = unit;
    if (!v->wrote && v->n_disarmed == 0) return;
    push_metatable(L, v);
    lua_getfield(L, -1, "__index");
    if (v->wrote) {
        lua_getupvalue(L, -1, UP_SHADOWS);
        lua_pushnil(L);
        lua_rawseti(L, -2, OVERLAY);
        lua_pop(L, 1);
        v->wrote = false;
    }
    if (v->n_disarmed) {
        lua_getupvalue(L, -1, UP_PROXIES);
        for (size_t i = 0; i < v->n_disarmed; i++) {
            lua_rawgeti(L, -1, v->disarmed[i]);
            lua_pushvalue(L, -4);
            lua_setmetatable(L, -2);
            lua_pop(L, 1);
        }
        lua_pop(L, 1);
        v->n_disarmed = 0;
    }
    lua_pop(L, 2);
}

/* The metatable every proxy not yet looked into shares (__index: mm_first_index), made with the
 * first root; a root read key by key has one of its own (__index: mm_key_index). */
static void make_metatables(lua_State *L, struct view *v)
{
    lua_createtable(L, 0, 8);
    int mt = lua_gettop(L);
    lua_pushlightuserdata(L, v);
    for (int u = UP_IDS; u < N_UP; u++) lua_createtable(L, u == UP_IDS ? 0 : 64, u == UP_IDS ? 64 : 0);
    static const struct { const char *name; lua_CFunction fn; } MM[] = {
        {"__index", mm_first_index}, {"__len", mm_len}, {"__pairs", mm_pairs}, {"__next", mm_next},
        {"__newindex", mm_newindex}, {"__key_index", mm_key_index}};
    for (size_t i = 0; i < sizeof MM / sizeof MM[0]; i++) {
        for (int u = 1; u < N_UP; u++) lua_pushvalue(L, mt + u);
        lua_pushcclosure(L, MM[i].fn, N_UP - 1);
        lua_setfield(L, mt, MM[i].name);
    }
    lua_settop(L, mt);
    lua_pushboolean(L, 0);
    lua_setfield(L, mt, "__metatable");
    lua_pushboolean(L, 1);
    lua_setfield(L, mt, "__view");
    lua_pushboolean(L, 1);
    lua_rawsetp(L, mt, &VIEW_MARK);
    v->mt_ref = luaL_ref(L, LUA_REGISTRYINDEX);
}

void view_push_root(lua_State *L, struct view *v, int root, const json_t *json, bool by_key, int *node)
{
    if (v->mt_ref == LUA_NOREF) make_metatables(L, v);
    push_metatable(L, v);
    int mt = lua_gettop(L);
    int n = view_add_node(v, -1, json, VIEW_KEY_ALL, NULL, 0, 0);
    if (n < 0) luaL_error(L, "not enough memory");
    v->nodes[n].root = root;
    v->nodes[n].by_key = by_key;
    *node = n;
    lua_newtable(L);
    int proxy = lua_gettop(L);
    if (by_key) {   /* a metatable of its own, never opened */
        push_own_metatable(L, v);
        lua_getfield(L, mt, "__key_index");
        lua_setfield(L, -2, "__index");
    } else {
        lua_pushvalue(L, mt);
    }
    lua_setmetatable(L, proxy);
    lua_getfield(L, mt, "__index");
    lua_getupvalue(L, -1, UP_IDS);
    lua_pushvalue(L, proxy);
    lua_pushinteger(L, n);
    lua_rawset(L, -3);
    lua_pop(L, 1);
    lua_getupvalue(L, -1, UP_PROXIES);
    lua_pushvalue(L, proxy);
    lua_rawseti(L, -2, n);
    lua_pop(L, 2);
    lua_remove(L, mt);
}

bool view_index(lua_State *L, int idx, int key_idx)
{
    idx = lua_absindex(L, idx);
    key_idx = lua_absindex(L, key_idx);
    if (lua_type(L, idx) != LUA_TTABLE || !lua_getmetatable(L, idx)) return false;
    bool is_view = lua_rawgetp(L, -1, &VIEW_MARK) == LUA_TBOOLEAN;
    lua_pop(L, 2);
    if (!is_view) return false;
    lua_pushvalue(L, key_idx);
    lua_gettable(L, idx);
    return true;
}

/* ---- comparing what rules saw ------------------------------------------------------------ */

const json_t *view_child(const json_t *json, enum view_key kind, const char *key, size_t key_len, long long index)
{
    const json_t *m = NULL;
    if (kind == VIEW_KEY_STRING && json_is_object(json))
        m = json_object_getn(json, key, key_len);
    else if (kind == VIEW_KEY_INDEX && json_is_array(json) && index >= 1 && (size_t)index <= json_array_size(json))
        m = json_array_get(json, (size_t)index - 1);
    return json_is_null(m) ? NULL : m;
}

enum seen { SEEN_NIL, SEEN_NULL, SEEN_OBJECT, SEEN_ARRAY, SEEN_SCALAR };

/* what a rule sees of m, a member at depth (in_array: an entry of a list) */
static enum seen seen_as(const json_t *m, int depth, bool in_array)
{
    if (!m) return SEEN_NIL;
    if (json_is_null(m)) return in_array ? SEEN_NULL : SEEN_NIL;
    if (depth > SANDBOX_MAX_DEPTH) return SEEN_NULL;
    return json_is_object(m) ? SEEN_OBJECT : json_is_array(m) ? SEEN_ARRAY : SEEN_SCALAR;
}

static bool same_member(const json_t *a, const json_t *b, int depth, bool in_array)
{
    enum seen sa = seen_as(a, depth, in_array), sb = seen_as(b, depth, in_array);
    return sa == sb && (sa != SEEN_SCALAR || json_equal(a, b));
}

static bool same_all(const json_t *a, const json_t *b, int depth)
{
    if (json_typeof(a) != json_typeof(b)) return false;
    if (json_is_array(a)) {
        size_t n = json_array_size(a);
        if (n != json_array_size(b)) return false;
        for (size_t i = 0; i < n; i++)
            if (!same_member(json_array_get(a, i), json_array_get(b, i), depth, true)) return false;
        return true;
    }
    if (json_object_size(a) != json_object_size(b)) return false;   /* the size shapes the order of pairs */
    void *ia = json_object_iter((json_t *)a), *ib = json_object_iter((json_t *)b);
    for (; ia && ib; ia = json_object_iter_next((json_t *)a, ia), ib = json_object_iter_next((json_t *)b, ib)) {
        size_t la = json_object_iter_key_len(ia);
        if (la != json_object_iter_key_len(ib) || memcmp(json_object_iter_key(ia), json_object_iter_key(ib), la) != 0)
            return false;
        if (!same_member(json_object_iter_value(ia), json_object_iter_value(ib), depth, false)) return false;
    }
    return !ia && !ib;
}

bool view_same(const json_t *a, const json_t *b, int depth, enum view_key kind, const char *key, size_t key_len,
               long long index)
{
    if (!a || !b) return false;
    if (json_typeof(a) != json_typeof(b)) return false;
    if (kind == VIEW_KEY_ALL) return same_all(a, b, depth + 1);
    if (kind == VIEW_KEY_DEEP) {
        const json_t *ma = json_object_getn(a, key, key_len), *mb = json_object_getn(b, key, key_len);
        return ma == mb || (ma && mb && json_equal(ma, mb));
    }
    if (kind == VIEW_KEY_STRING && !json_is_object(a)) return true;   /* nil in both */
    if (kind == VIEW_KEY_INDEX && !json_is_array(a)) return true;
    const json_t *ma = kind == VIEW_KEY_STRING ? json_object_getn(a, key, key_len)
                                                : index >= 1 && (size_t)index <= json_array_size(a) ? json_array_get(a, (size_t)index - 1) : NULL;
    const json_t *mb = kind == VIEW_KEY_STRING ? json_object_getn(b, key, key_len)
                                                : index >= 1 && (size_t)index <= json_array_size(b) ? json_array_get(b, (size_t)index - 1) : NULL;
    return same_member(ma, mb, depth + 1, kind == VIEW_KEY_INDEX);
}
