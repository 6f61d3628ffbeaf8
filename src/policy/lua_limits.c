/* lua_limits.c — keeps every library function a rule can call short. The instruction budget of
 * lua_sandbox.c counts VM instructions, and one instruction may call a C function that loops a
 * billion times (string.rep("", 1e9), table.move({}, 1, 3e8, 1, {})) or backtracks without end
 * (a pattern such as ("a*"):rep(30) .. "b"). So:
 * - each library function that loops or copies in C is wrapped: the wrapper works out from its
 *   arguments how much the call will do, charges that to the call's budget (sandbox_charge) and
 *   only then lets the original run — a call that would overrun fails before it starts;
 * - string.find, match, gmatch and gsub use the matcher below instead of Lua's: it implements
 *   Lua 5.4's pattern language and charges every step as it goes, so backtracking ends with the
 *   budget, however the pattern is built; patterns are also limited in length;
 * - utf8.codes hands out a metered iterator; rawequal charges comparing two long strings;
 * - string.pack, packsize and unpack are taken out (rules have no use for binary formats).
 * One unit is about one VM instruction's worth of work: a byte of a loop over bytes costs
 * 1/BYTES_PER_UNIT, one matcher step 1. */
#include "policy/lua_sandbox.h"

#include <ctype.h>
#include <limits.h>
#include <string.h>

#include <lauxlib.h>
#include <lualib.h>

enum {
    BYTES_PER_UNIT = 16,
    MAX_PATTERN = 4096,     /* bytes of a pattern */
    MAX_MATCH_DEPTH = 200,  /* nested calls of the matcher (Lua's MAXCCALLS) */
    MAX_CAPTURES = 32,      /* LUA_MAXCAPTURES */
    STEP_BATCH = 256,       /* matcher steps charged at a time */
    FORMAT_ITEM_UNITS = 32, /* one %-conversion of string.format: at most ~420 bytes */
};

static size_t bytes_units(size_t n)
{
    return n / BYTES_PER_UNIT + 1;
}

/* Lua's relative string positions (lstrlib's posrelatI and getendpos). */
static size_t pos_start(lua_Integer pos, size_t len)
{
    if (pos > 0)
        return (size_t)pos;
    if (pos == 0 || pos < -(lua_Integer)len)
        return 1;
    return len + (size_t)pos + 1;
}

static size_t pos_end(lua_Integer pos, size_t len)
{
    if (pos > (lua_Integer)len)
        return len;
    if (pos >= 0)
        return (size_t)pos;
    if (pos < -(lua_Integer)len)
        return 0;
    return len + (size_t)pos + 1;
}

/* The number of items from i to j (0 when j < i), saturating. */
static size_t span(lua_Integer i, lua_Integer j)
{
    if (j < i)
        return 0;
    lua_Unsigned n = (lua_Unsigned)j - (lua_Unsigned)i;
    return n >= SIZE_MAX ? SIZE_MAX : (size_t)n + 1;
}

static size_t string_len_at(lua_State *L, int idx)
{
    size_t len = 0;
    if (lua_type(L, idx) == LUA_TSTRING)
        lua_tolstring(L, idx, &len);
    return len;
}

/* A table's length, as the table library reads it (frozen tables answer through __len). */
static size_t table_len_at(lua_State *L, int idx)
{
    if (lua_type(L, idx) != LUA_TTABLE)
        return 0;
    lua_len(L, idx);
    lua_Integer n = lua_isinteger(L, -1) ? lua_tointeger(L, -1) : 0;
    lua_pop(L, 1);
    return n > 0 ? (size_t)n : 0;
}

/* An integer argument as the library reads it (3e8 and "10" count), else dflt. */
static lua_Integer int_or(lua_State *L, int idx, lua_Integer dflt)
{
    int ok;
    lua_Integer v = lua_tointegerx(L, idx, &ok);
    return ok ? v : dflt;
}

/* ---- wrapped library functions ------------------------------------------------------------ */

enum metered {
    M_STRING_BYTE, M_STRING_CHAR, M_STRING_FORMAT, M_STRING_REP, M_STRING_SUB, M_STRING_BYTES,
    M_TABLE_CONCAT, M_TABLE_INSERT, M_TABLE_REMOVE, M_TABLE_MOVE, M_TABLE_PACK, M_TABLE_SORT, M_TABLE_UNPACK,
    M_UTF8_CHAR, M_UTF8_CODEPOINT, M_UTF8_BYTES, M_TONUMBER, M_RAWEQUAL,
};

/* What a call to the function of kind k with these arguments costs. */
static size_t cost_of(lua_State *L, enum metered k)
{
    int n = lua_gettop(L);
    switch (k) {
    case M_STRING_BYTE: { /* string.byte(s, i, j) */
        size_t len = string_len_at(L, 1);
        size_t i = pos_start(int_or(L, 2, 1), len);
        size_t j = pos_end(int_or(L, 3, (lua_Integer)i), len);
        return 1 + (j >= i ? j - i + 1 : 0);
    }
    case M_STRING_CHAR:
    case M_UTF8_CHAR:
    case M_TABLE_PACK:
        return 1 + (size_t)n;
    case M_STRING_FORMAT: { /* each conversion, plus the strings it copies */
        size_t len = string_len_at(L, 1), units = bytes_units(len) + (size_t)n;
        const char *f = lua_type(L, 1) == LUA_TSTRING ? lua_tostring(L, 1) : "";
        for (size_t i = 0; i + 1 < len; i++)
            if (f[i] == '%') {
                units += FORMAT_ITEM_UNITS;
                i += f[i + 1] == '%';
            }
        for (int a = 2; a <= n; a++)
            units += 2 * bytes_units(string_len_at(L, a)); /* %q may double a string */
        return units;
    }
    case M_STRING_REP: { /* string.rep(s, n, sep): n copies, whatever their length */
        size_t l = string_len_at(L, 1), lsep = string_len_at(L, 3);
        lua_Integer times = int_or(L, 2, 0);
        if (times <= 0)
            return 1;
        size_t t = (size_t)times;
        if (l + lsep < l || (l + lsep > 0 && t > SANDBOX_CALL_MEMORY / (l + lsep)))
            sandbox_refuse_memory(L); /* larger than any call may hold */
        return t + bytes_units(t * (l + lsep));
    }
    case M_STRING_SUB: { /* string.sub(s, i, j): the copy */
        size_t len = string_len_at(L, 1);
        size_t i = pos_start(int_or(L, 2, 1), len);
        size_t j = pos_end(int_or(L, 3, -1), len);
        return bytes_units(j >= i ? j - i + 1 : 0);
    }
    case M_STRING_BYTES: /* lower, upper, reverse: the whole string */
        return bytes_units(string_len_at(L, 1));
    case M_TABLE_CONCAT: { /* table.concat(t, sep, i, j): each item (the bytes: allocator) */
        lua_Integer i = int_or(L, 3, 1);
        lua_Integer j = lua_isnoneornil(L, 4) ? (lua_Integer)table_len_at(L, 1) : int_or(L, 4, 0);
        return 1 + span(i, j);
    }
    case M_TABLE_INSERT: /* insert(t, pos, v) moves the items after pos; insert(t, v) appends */
        return 1 + (n >= 3 ? table_len_at(L, 1) : 0);
    case M_TABLE_REMOVE: /* remove(t, pos) moves the items after pos; remove(t) takes the last */
        return 1 + (n >= 2 ? table_len_at(L, 1) : 0);
    case M_TABLE_MOVE: /* table.move(a1, f, e, t, a2) */
        return 1 + span(int_or(L, 2, 1), int_or(L, 3, 0));
    case M_TABLE_SORT: { /* n log n comparisons (a Lua comparator is metered as it runs) */
        size_t len = table_len_at(L, 1), lg = 1;
        for (size_t m = len; m > 1; m >>= 1)
            lg++;
        return 1 + (len > SIZE_MAX / lg ? SIZE_MAX : len * lg);
    }
    case M_TABLE_UNPACK: { /* table.unpack(t, i, j) */
        lua_Integer i = int_or(L, 2, 1);
        lua_Integer j = lua_isnoneornil(L, 3) ? (lua_Integer)table_len_at(L, 1) : int_or(L, 3, 0);
        return 1 + span(i, j);
    }
    case M_UTF8_CODEPOINT: { /* utf8.codepoint(s, i, j) */
        size_t len = string_len_at(L, 1);
        size_t i = pos_start(int_or(L, 2, 1), len);
        size_t j = pos_end(int_or(L, 3, (lua_Integer)i), len);
        return 1 + (j >= i ? j - i + 1 : 0);
    }
    case M_UTF8_BYTES:
    case M_TONUMBER:
        return bytes_units(string_len_at(L, 1));
    case M_RAWEQUAL: { /* two long strings are compared byte by byte */
        size_t a = string_len_at(L, 1), b = string_len_at(L, 2);
        return bytes_units(a < b ? a : b);
    }
    }
    return 1;
}

/* The wrapper: upvalue 1 the original function (a C function of Lua's libraries, which use no
 * upvalues of their own), upvalue 2 its kind. The original runs in the wrapper's frame: no second
 * call, and its error messages name the function as the rule called it. */
static int l_metered(lua_State *L)
{
    enum metered k = (enum metered)lua_tointeger(L, lua_upvalueindex(2));
    sandbox_charge(L, cost_of(L, k));
    return lua_tocfunction(L, lua_upvalueindex(1))(L);
}

/* utf8.codes' iterator, metered: a step skips the continuation bytes after position n, which a
 * rule may point anywhere (f(s, k) called directly). Upvalue 1: Lua's iterator. */
static int l_utf8_step(lua_State *L)
{
    size_t len;
    const char *s = lua_type(L, 1) == LUA_TSTRING ? lua_tolstring(L, 1, &len) : NULL;
    if (s && lua_isinteger(L, 2)) {
        size_t run = 0;
        for (lua_Unsigned n = (lua_Unsigned)lua_tointeger(L, 2); n < len && ((unsigned char)s[n] & 0xC0) == 0x80; n++)
            if (++run % 4096 == 0)
                sandbox_charge(L, 4096 / BYTES_PER_UNIT);
        sandbox_charge(L, bytes_units(run % 4096));
    }
    return lua_tocfunction(L, lua_upvalueindex(1))(L);
}

/* utf8.codes(s, lax): Lua's, with its iterator replaced by the metered one. Upvalue 1: Lua's. */
static int l_utf8_codes(lua_State *L)
{
    int n = lua_tocfunction(L, lua_upvalueindex(1))(L);
    int iter = lua_gettop(L) - n + 1;
    lua_pushvalue(L, iter);
    lua_pushcclosure(L, l_utf8_step, 1);
    lua_replace(L, iter);
    return n;
}

/* ---- the matcher ------------------------------------------------------------------------- *
 * Lua 5.4's pattern language (manual §6.4.1), written for the sandbox: the same recursive
 * backtracking as Lua's own, plus a step counter charged to the call's budget. */

#define CAP_UNFINISHED (-1)
#define CAP_POSITION (-2)

struct matcher {
    lua_State *L;
    const char *src, *src_end, *pat_end;
    int depth;  /* calls of match() left */
    int level;  /* captures open or closed */
    unsigned steps;
    struct {
        const char *init;
        ptrdiff_t len;
    } cap[MAX_CAPTURES];
};

static void step(struct matcher *m)
{
    if (++m->steps >= STEP_BATCH) {
        sandbox_charge(m->L, m->steps);
        m->steps = 0;
    }
}

static const char *match(struct matcher *m, const char *s, const char *p);

/* The end of the single-character class starting at p. */
static const char *class_end(struct matcher *m, const char *p)
{
    char c = *p++;
    if (c == '%') {
        if (p >= m->pat_end)
            luaL_error(m->L, "malformed pattern (ends with '%%')");
        return p + 1;
    }
    if (c == '[') {
        if (*p == '^')
            p++;
        do { /* the first character may be ']' */
            if (p >= m->pat_end)
                luaL_error(m->L, "malformed pattern (missing ']')");
            if (*(p++) == '%' && p < m->pat_end)
                p++;
        } while (*p != ']');
        return p + 1;
    }
    return p;
}

static bool class_match(int c, int cl)
{
    bool r;
    switch (tolower(cl)) {
    case 'a': r = isalpha(c); break;
    case 'c': r = iscntrl(c); break;
    case 'd': r = isdigit(c); break;
    case 'g': r = isgraph(c); break;
    case 'l': r = islower(c); break;
    case 'p': r = ispunct(c); break;
    case 's': r = isspace(c); break;
    case 'u': r = isupper(c); break;
    case 'w': r = isalnum(c); break;
    case 'x': r = isxdigit(c); break;
    case 'z': r = c == 0; break; /* deprecated in Lua, still understood */
    default: return cl == c;
    }
    return isupper(cl) ? !r : r;
}

/* c against the set [p … ec] (p at '[', ec at its ']'). */
static bool set_match(struct matcher *m, int c, const char *p, const char *ec)
{
    bool in = true;
    if (*(p + 1) == '^') {
        in = false;
        p++;
    }
    while (++p < ec) {
        step(m);
        if (*p == '%') {
            p++;
            if (class_match(c, (unsigned char)*p))
                return in;
        } else if (*(p + 1) == '-' && p + 2 < ec) {
            p += 2;
            if ((unsigned char)*(p - 2) <= c && c <= (unsigned char)*p)
                return in;
        } else if ((unsigned char)*p == c) {
            return in;
        }
    }
    return !in;
}

static bool single_match(struct matcher *m, const char *s, const char *p, const char *ep)
{
    step(m);
    if (s >= m->src_end)
        return false;
    int c = (unsigned char)*s;
    switch (*p) {
    case '.': return true;
    case '%': return class_match(c, (unsigned char)*(p + 1));
    case '[': return set_match(m, c, p, ep - 1);
    default: return (unsigned char)*p == c;
    }
}

static const char *match_balance(struct matcher *m, const char *s, const char *p)
{
    if (p >= m->pat_end - 1)
        luaL_error(m->L, "malformed pattern (missing arguments to '%%b')");
    if (s >= m->src_end || *s != *p)
        return NULL;
    char b = *p, e = *(p + 1);
    int open = 1;
    while (++s < m->src_end) {
        step(m);
        if (*s == e) {
            if (--open == 0)
                return s + 1;
        } else if (*s == b) {
            open++;
        }
    }
    return NULL;
}

static const char *max_expand(struct matcher *m, const char *s, const char *p, const char *ep)
{
    ptrdiff_t i = 0;
    while (single_match(m, s + i, p, ep))
        i++;
    for (; i >= 0; i--) { /* the longest run first, then shorter ones */
        const char *r = match(m, s + i, ep + 1);
        if (r)
            return r;
    }
    return NULL;
}

static const char *min_expand(struct matcher *m, const char *s, const char *p, const char *ep)
{
    for (;;) {
        const char *r = match(m, s, ep + 1);
        if (r)
            return r;
        if (!single_match(m, s, p, ep))
            return NULL;
        s++;
    }
}

static const char *start_capture(struct matcher *m, const char *s, const char *p, ptrdiff_t what)
{
    if (m->level >= MAX_CAPTURES)
        luaL_error(m->L, "too many captures");
    m->cap[m->level].init = s;
    m->cap[m->level].len = what;
    m->level++;
    const char *r = match(m, s, p);
    if (!r)
        m->level--;
    return r;
}

static const char *end_capture(struct matcher *m, const char *s, const char *p)
{
    int l = m->level - 1;
    while (l >= 0 && m->cap[l].len != CAP_UNFINISHED)
        l--;
    if (l < 0)
        luaL_error(m->L, "invalid pattern capture");
    m->cap[l].len = s - m->cap[l].init;
    const char *r = match(m, s, p);
    if (!r)
        m->cap[l].len = CAP_UNFINISHED;
    return r;
}

static const char *match_capture(struct matcher *m, const char *s, int digit)
{
    int l = digit - '1';
    if (l < 0 || l >= m->level || m->cap[l].len == CAP_UNFINISHED)
        luaL_error(m->L, "invalid capture index %%%d", l + 1);
    ptrdiff_t len = m->cap[l].len;
    if (len < 0) /* a position capture matches nothing */
        return NULL;
    sandbox_charge(m->L, bytes_units((size_t)len));
    if (m->src_end - s >= len && memcmp(m->cap[l].init, s, (size_t)len) == 0)
        return s + len;
    return NULL;
}

static const char *match(struct matcher *m, const char *s, const char *p)
{
    if (m->depth-- == 0)
        luaL_error(m->L, "pattern too complex");
    for (;;) {
        step(m);
        if (p == m->pat_end)
            break;
        const char *ep;
        switch (*p) {
        case '(':
            s = p[1] == ')' ? start_capture(m, s, p + 2, CAP_POSITION) : start_capture(m, s, p + 1, CAP_UNFINISHED);
            goto done;
        case ')':
            s = end_capture(m, s, p + 1);
            goto done;
        case '$':
            if (p + 1 != m->pat_end)
                goto single;
            s = s == m->src_end ? s : NULL;
            goto done;
        case '%':
            switch (p[1]) {
            case 'b':
                s = match_balance(m, s, p + 2);
                if (!s)
                    goto done;
                p += 4;
                continue;
            case 'f': {
                p += 2;
                if (*p != '[')
                    luaL_error(m->L, "missing '[' after '%%f' in pattern");
                ep = class_end(m, p);
                int prev = s == m->src ? '\0' : (unsigned char)*(s - 1);
                int cur = s < m->src_end ? (unsigned char)*s : '\0';
                if (!set_match(m, prev, p, ep - 1) && set_match(m, cur, p, ep - 1)) {
                    p = ep;
                    continue;
                }
                s = NULL;
                goto done;
            }
            case '0': case '1': case '2': case '3': case '4':
            case '5': case '6': case '7': case '8': case '9':
                s = match_capture(m, s, (unsigned char)p[1]);
                if (!s)
                    goto done;
                p += 2;
                continue;
            default:
                goto single;
            }
        default:
        single:
            ep = class_end(m, p);
            if (!single_match(m, s, p, ep)) {
                if (*ep == '*' || *ep == '?' || *ep == '-') { /* zero repetitions are fine */
                    p = ep + 1;
                    continue;
                }
                s = NULL;
                goto done;
            }
            switch (*ep) {
            case '?': {
                const char *r = match(m, s + 1, ep + 1);
                if (r) {
                    s = r;
                    goto done;
                }
                p = ep + 1;
                continue;
            }
            case '+': s = max_expand(m, s + 1, p, ep); goto done;
            case '*': s = max_expand(m, s, p, ep); goto done;
            case '-': s = min_expand(m, s, p, ep); goto done;
            default: s++; p = ep; continue;
            }
        }
    }
done:
    m->depth++;
    return s;
}

static void matcher_init(struct matcher *m, lua_State *L, const char *s, size_t ls, const char *p, size_t lp)
{
    if (lp > MAX_PATTERN)
        luaL_error(L, "pattern too long (%d bytes at most)", MAX_PATTERN);
    m->L = L;
    m->src = s;
    m->src_end = s + ls;
    m->pat_end = p + lp;
    m->steps = 0;
}

static void matcher_reset(struct matcher *m)
{
    m->level = 0;
    m->depth = MAX_MATCH_DEPTH;
}

/* Charge the steps not charged yet (before results are pushed). */
static void matcher_settle(struct matcher *m)
{
    sandbox_charge(m->L, m->steps);
    m->steps = 0;
}

static void push_capture(struct matcher *m, int i, const char *s, const char *e)
{
    if (i >= m->level) {
        if (i != 0)
            luaL_error(m->L, "invalid capture index %%%d", i + 1);
        lua_pushlstring(m->L, s, (size_t)(e - s)); /* the whole match */
        return;
    }
    ptrdiff_t l = m->cap[i].len;
    if (l == CAP_UNFINISHED)
        luaL_error(m->L, "unfinished capture");
    if (l == CAP_POSITION)
        lua_pushinteger(m->L, (m->cap[i].init - m->src) + 1);
    else
        lua_pushlstring(m->L, m->cap[i].init, (size_t)l);
}

static int push_captures(struct matcher *m, const char *s, const char *e)
{
    int n = m->level == 0 && s ? 1 : m->level;
    luaL_checkstack(m->L, n, "too many captures");
    for (int i = 0; i < n; i++)
        push_capture(m, i, s, e);
    return n;
}

static bool has_specials(const char *p, size_t lp)
{
    for (size_t i = 0; i < lp; i++)
        if (strchr("^$*+?.([%-", p[i]) && p[i] != '\0')
            return true;
    return false;
}

static int find_or_match(lua_State *L, bool find)
{
    size_t ls, lp;
    const char *s = luaL_checklstring(L, 1, &ls);
    const char *p = luaL_checklstring(L, 2, &lp);
    size_t init = pos_start(luaL_optinteger(L, 3, 1), ls) - 1;
    if (init > ls) {
        luaL_pushfail(L);
        return 1;
    }
    if (find && (lua_toboolean(L, 4) || !has_specials(p, lp))) { /* plain search */
        sandbox_charge(L, bytes_units(ls - init) + lp);
        const char *at = lp == 0 ? s + init : memmem(s + init, ls - init, p, lp);
        if (at) {
            lua_pushinteger(L, (at - s) + 1);
            lua_pushinteger(L, (at - s) + (lua_Integer)lp);
            return 2;
        }
        luaL_pushfail(L);
        return 1;
    }
    struct matcher m;
    matcher_init(&m, L, s, ls, p, lp);
    bool anchor = *p == '^';
    if (anchor)
        p++;
    const char *s1 = s + init;
    do {
        matcher_reset(&m);
        const char *e = match(&m, s1, p);
        if (e) {
            matcher_settle(&m);
            if (find) {
                lua_pushinteger(L, (s1 - s) + 1);
                lua_pushinteger(L, e - s);
                return push_captures(&m, NULL, NULL) + 2;
            }
            return push_captures(&m, s1, e);
        }
    } while (s1++ < m.src_end && !anchor);
    matcher_settle(&m);
    luaL_pushfail(L);
    return 1;
}

static int l_find(lua_State *L)
{
    return find_or_match(L, true);
}

static int l_match(lua_State *L)
{
    return find_or_match(L, false);
}

struct gmatch_state {
    const char *at, *last;
    const char *p;
    struct matcher m;
};

/* Upvalues: the subject, the pattern, the state. */
static int gmatch_next(lua_State *L)
{
    struct gmatch_state *g = lua_touserdata(L, lua_upvalueindex(3));
    g->m.L = L;
    for (const char *src = g->at; src <= g->m.src_end; src++) {
        matcher_reset(&g->m);
        const char *e = match(&g->m, src, g->p);
        if (e && e != g->last) {
            g->at = g->last = e;
            matcher_settle(&g->m);
            return push_captures(&g->m, src, e);
        }
    }
    matcher_settle(&g->m);
    return 0;
}

static int l_gmatch(lua_State *L)
{
    size_t ls, lp;
    const char *s = luaL_checklstring(L, 1, &ls);
    const char *p = luaL_checklstring(L, 2, &lp);
    size_t init = pos_start(luaL_optinteger(L, 3, 1), ls) - 1;
    if (init > ls)
        init = ls + 1;
    lua_settop(L, 2);
    struct gmatch_state *g = lua_newuserdatauv(L, sizeof *g, 0);
    matcher_init(&g->m, L, s, ls, p, lp);
    g->at = s + init;
    g->last = NULL;
    g->p = p;
    lua_pushcclosure(L, gmatch_next, 3);
    return 1;
}

/* gsub's replacement string: %0–%9 and %%. */
static void add_string(struct matcher *m, luaL_Buffer *b, const char *s, const char *e)
{
    lua_State *L = m->L;
    size_t l;
    const char *news = lua_tolstring(L, 3, &l);
    sandbox_charge(L, bytes_units(l));
    const char *p;
    while ((p = memchr(news, '%', l)) != NULL) {
        luaL_addlstring(b, news, (size_t)(p - news));
        p++;
        if (*p == '%') {
            luaL_addchar(b, '%');
        } else if (*p == '0') {
            sandbox_charge(L, bytes_units((size_t)(e - s)));
            luaL_addlstring(b, s, (size_t)(e - s));
        } else if (isdigit((unsigned char)*p)) {
            push_capture(m, *p - '1', s, e);
            luaL_tolstring(L, -1, NULL);
            lua_remove(L, -2);
            sandbox_charge(L, bytes_units(lua_rawlen(L, -1)));
            luaL_addvalue(b);
        } else {
            luaL_error(L, "invalid use of '%%' in replacement string");
        }
        l -= (size_t)(p + 1 - news);
        news = p + 1;
    }
    luaL_addlstring(b, news, l);
}

/* One replacement; false when the match is kept as it is (a false or nil value). */
static bool add_value(struct matcher *m, luaL_Buffer *b, const char *s, const char *e, int tr)
{
    lua_State *L = m->L;
    switch (tr) {
    case LUA_TFUNCTION: {
        lua_pushvalue(L, 3);
        int n = push_captures(m, s, e);
        lua_call(L, n, 1);
        break;
    }
    case LUA_TTABLE:
        push_capture(m, 0, s, e);
        lua_gettable(L, 3);
        break;
    default:
        add_string(m, b, s, e);
        return true;
    }
    if (!lua_toboolean(L, -1)) {
        lua_pop(L, 1);
        luaL_addlstring(b, s, (size_t)(e - s));
        return false;
    }
    if (!lua_isstring(L, -1))
        return luaL_error(L, "invalid replacement value (a %s)", luaL_typename(L, -1));
    sandbox_charge(L, bytes_units(lua_rawlen(L, -1)));
    luaL_addvalue(b);
    return true;
}

static int l_gsub(lua_State *L)
{
    size_t ls, lp;
    const char *src = luaL_checklstring(L, 1, &ls);
    const char *p = luaL_checklstring(L, 2, &lp);
    const char *last = NULL;
    int tr = lua_type(L, 3);
    lua_Integer max_n = luaL_optinteger(L, 4, (lua_Integer)ls + 1);
    luaL_argexpected(L, tr == LUA_TNUMBER || tr == LUA_TSTRING || tr == LUA_TFUNCTION || tr == LUA_TTABLE, 3,
                     "string/function/table");
    struct matcher m;
    matcher_init(&m, L, src, ls, p, lp);
    bool anchor = *p == '^';
    if (anchor)
        p++;
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    lua_Integer n = 0;
    bool changed = false;
    while (n < max_n) {
        matcher_reset(&m);
        const char *e = match(&m, src, p);
        if (e && e != last) {
            n++;
            changed = add_value(&m, &b, src, e, tr) || changed;
            src = last = e;
        } else if (src < m.src_end) {
            luaL_addchar(&b, *src++);
        } else {
            break;
        }
        if (anchor)
            break;
    }
    matcher_settle(&m);
    if (!changed) {
        lua_pushvalue(L, 1);
    } else {
        sandbox_charge(L, bytes_units((size_t)(m.src_end - src)));
        luaL_addlstring(&b, src, (size_t)(m.src_end - src));
        luaL_pushresult(&b);
    }
    lua_pushinteger(L, n);
    return 2;
}

/* ---- installing them --------------------------------------------------------------------- */

static void wrap(lua_State *L, int lib, const char *name, enum metered k)
{
    lua_getfield(L, lib, name);
    if (!lua_tocfunction(L, -1) || lua_getupvalue(L, -1, 1)) {
        /* not a C function without upvalues (another Lua version?): leave it out rather than run
         * it unmetered */
        lua_settop(L, lib);
        lua_pushnil(L);
        lua_setfield(L, lib, name);
        return;
    }
    lua_pushinteger(L, k);
    lua_pushcclosure(L, l_metered, 2);
    lua_setfield(L, lib, name);
}

void sandbox_limit_libraries(lua_State *L)
{
    static const luaL_Reg MATCHERS[] = {
        {"find", l_find}, {"match", l_match}, {"gmatch", l_gmatch}, {"gsub", l_gsub}, {NULL, NULL},
    };
    lua_getglobal(L, LUA_STRLIBNAME);
    int lib = lua_gettop(L);
    wrap(L, lib, "byte", M_STRING_BYTE);
    wrap(L, lib, "char", M_STRING_CHAR);
    wrap(L, lib, "format", M_STRING_FORMAT);
    wrap(L, lib, "rep", M_STRING_REP);
    wrap(L, lib, "sub", M_STRING_SUB);
    wrap(L, lib, "lower", M_STRING_BYTES);
    wrap(L, lib, "upper", M_STRING_BYTES);
    wrap(L, lib, "reverse", M_STRING_BYTES);
    luaL_setfuncs(L, MATCHERS, 0);
    for (const char *const *x = (const char *const[]){"pack", "packsize", "unpack", NULL}; *x; x++) {
        lua_pushnil(L);
        lua_setfield(L, lib, *x);
    }
    lua_pop(L, 1);

    lua_getglobal(L, LUA_TABLIBNAME);
    lib = lua_gettop(L);
    wrap(L, lib, "concat", M_TABLE_CONCAT);
    wrap(L, lib, "insert", M_TABLE_INSERT);
    wrap(L, lib, "remove", M_TABLE_REMOVE);
    wrap(L, lib, "move", M_TABLE_MOVE);
    wrap(L, lib, "pack", M_TABLE_PACK);
    wrap(L, lib, "sort", M_TABLE_SORT);
    wrap(L, lib, "unpack", M_TABLE_UNPACK);
    lua_pop(L, 1);

    lua_getglobal(L, LUA_UTF8LIBNAME);
    lib = lua_gettop(L);
    wrap(L, lib, "char", M_UTF8_CHAR);
    wrap(L, lib, "codepoint", M_UTF8_CODEPOINT);
    wrap(L, lib, "len", M_UTF8_BYTES);
    wrap(L, lib, "offset", M_UTF8_BYTES);
    lua_getfield(L, lib, "codes");
    lua_pushcclosure(L, l_utf8_codes, 1);
    lua_setfield(L, lib, "codes");
    lua_pop(L, 1);

    lua_pushglobaltable(L);
    wrap(L, lua_gettop(L), "tonumber", M_TONUMBER);
    wrap(L, lua_gettop(L), "rawequal", M_RAWEQUAL);
    lua_pop(L, 1);
}
