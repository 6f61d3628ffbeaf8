/* lua_view.h — internal to src/policy: a read-only, lazy view of a JSON document for rules, which
 * also records what each rule read.
 *
 * Instead of converting the whole document into Lua tables per evaluation, each JSON object or
 * array a rule reaches is a proxy: an empty table whose metamethods (__index, __len, __pairs)
 * build its contents one level at a time (a "shadow", exactly the table lua_json.c would have
 * built at that level, with nested containers as further proxies) the first time any rule looks
 * inside. So the keys, values, `null` sentinels, depth limit, `#`, ipairs and the order of pairs
 * are those of the converted tables. A write is the writing unit's own (it reads it back; pairs
 * and # do not see it) and is forgotten when the next unit starts: no rule changes what another
 * reads. Raw access (rawget, rawlen, next) sees an empty table, as with the pack's frozen data.
 *
 * Reads are recorded against the current unit (the classification or one rule): the node (a
 * container, by its path from one of the roots) and, for the roots read key by key (the context,
 * so that a rule reading ctx.derived does not depend on ctx.as_of), the key read; for every other
 * node the unit's first look inside records the whole node ("all": its keys and what each holds,
 * containers by kind), after which the proxy's own metatable points straight at its contents and
 * the unit reads them at table speed, with no call into C. When the next unit starts, the proxies
 * opened are closed again (their shared metatable restored). `#` and pairs record "all". rules.c uses these reads to decide, for a later evaluation, which
 * units read something that changed (see policy_trace in rules.h). */
#ifndef BEIAN_LUA_VIEW_H
#define BEIAN_LUA_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>
#include <lua.h>

/* DEEP: the member at a string key, all of it (what C code such as the override check reads). */
enum view_key { VIEW_KEY_STRING, VIEW_KEY_INDEX, VIEW_KEY_ALL, VIEW_KEY_DEEP };

/* A container reached from a root: root (parent -1) or the member/entry of its parent. */
struct view_node {
    const json_t *json;
    int parent, root, depth;
    enum view_key kind;     /* STRING: key_off/key_len in the keys; INDEX: index (1-based) */
    size_t key_off, key_len;
    long long index;
    bool by_key;            /* a root whose reads are recorded key by key (the context) */
};

/* One read: of `unit`, in node, of a key (or of all of it). */
struct view_read {
    int unit, node;
    enum view_key kind;
    size_t key_off, key_len;
    long long index;
};

struct view {
    struct view_node *nodes;
    size_t n_nodes, cap_nodes;
    struct view_read *reads;
    size_t n_reads, cap_reads;
    char *keys;
    size_t n_keys, cap_keys;
    int unit;          /* reads are recorded against it; -1: not recorded */
    bool track;        /* record reads at all */
    bool overflow;     /* out of memory recording: the reads are incomplete */
    bool wrote;        /* the current unit wrote into a root read by key */
    int *disarmed;     /* nodes opened (or written) by the current unit, to arm again */
    size_t n_disarmed, cap_disarmed;
    int mt_ref;        /* the proxies' metatable (registry), LUA_NOREF before the first root */
};

/* track: record reads. Roots are pushed only when reads are recorded: a plain check gives the
 * rules the converted tables themselves (lua_json.c, rules.c), what an unrecorded proxy would only
 * become; an untracked view just takes the recording calls (view_record) as no-ops. */
void view_init(struct view *v, bool track);
/* Release the Lua side (in L) and, unless moved out, the arrays. */
void view_end(struct view *v, lua_State *L);
void view_free_arrays(struct view *v);
/* The arrays of `from` move to v (emptied, their room kept), v's own freed, and `from` is left
 * without any: one thread's evaluations reuse one set instead of growing a new one each time. */
void view_move_arrays(struct view *v, struct view *from);

/* Push a proxy for json (an object or array) as root `root` of a tracked view; its node index in
 * *node. by_key: its
 * reads are recorded key by key (else, as for every nested container, a unit's first look inside
 * records the whole node, and the unit then reads it at table speed). Inside a protected call. */
void view_push_root(lua_State *L, struct view *v, int root, const json_t *json, bool by_key, int *node);

/* A node of the view for json (a container) reached from parent by a key or an index, without a
 * proxy (for reads carried over from an earlier evaluation). -1 when out of memory. */
int view_add_node(struct view *v, int parent, const json_t *json, enum view_key kind, const char *key,
                  size_t key_len, long long index);
/* Start recording reads against unit (-1: none), forgetting what the unit before wrote. */
void view_set_unit(lua_State *L, struct view *v, int unit);
/* Record a read of unit in node (key: a string of key_len bytes, or index). */
void view_record(struct view *v, int unit, int node, enum view_key kind, const char *key, size_t key_len,
                 long long index);

/* If the value at idx is a view, push value[key at key_idx] through it (recorded) and return
 * true; else push nothing and return false. For helper functions that read raw otherwise. */
bool view_index(lua_State *L, int idx, int key_idx);

/* What a rule sees at key (or index) in the container json at the given depth, compared between
 * two documents: true when a rule could not tell them apart there. a/b may be NULL (no such
 * container). For VIEW_KEY_ALL: every member (keys, their order, and what each holds). */
bool view_same(const json_t *a, const json_t *b, int depth, enum view_key kind, const char *key, size_t key_len,
               long long index);
/* The member of container json at key/index (NULL when absent or null), as a node's json. */
const json_t *view_child(const json_t *json, enum view_key kind, const char *key, size_t key_len, long long index);

#endif
