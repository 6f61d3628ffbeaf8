/* rules.c — evaluation of a document with a pack's Lua rules and classification (rules.h).
 *
 * A pack's Lua program (its sources and params.json) is read once by pack_load and checked by
 * loading it into a throw-away state, which also yields the rules' metadata. Evaluations then run
 * in prepared states: each thread keeps up to CACHE_SLOTS of them, keyed by program, so that the
 * cost of an evaluation is the classification and one protected call per rule — never compiling,
 * and no conversion of the document: rules read it through a lazy view (lua_view.h) that builds
 * only what they look at. States are never shared between threads, so no lock
 * is taken on the hot path; the only shared objects are the pack and its program, both read-only
 * (the program's reference count is atomic, and keeps its address from being reused while a
 * cache still names it).
 *
 * Order of work in one evaluation (all inside one lua_pcall, so that even a memory error while
 * converting the document unwinds cleanly; the JSON results live outside Lua and are owned by the
 * caller's frame throughout):
 *   1. doc and ctx (with as_of and filing_kind) become views (lua_view.h), which record what each
 *      unit — the classification, each rule — reads;
 *   2. classify(doc, ctx) gives the derived values, checked and completed with the pack's
 *      defaults (deadlines.json); they are exposed to rules as ctx.derived;
 *   3. each rule's check(doc, ctx) runs with its budgets; its result — nil, one finding or a list —
 *      becomes findings; an error, a tripped budget or a malformed result becomes a finding of
 *      that rule.
 * With an earlier evaluation's trace (policy_check_traced), a unit whose every read gives what it
 * gave then is not run: its findings (and, for the classification, the derived values) are taken
 * from the trace. A unit is a pure function of what it reads — the sandbox leaves a rule no clock,
 * no I/O and no state that outlives the evaluation, and the view makes the document and context
 * read-only — so the result equals a full run (tests/unit/test_memo.c compares both). */
#include "policy/rules.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <lauxlib.h>

#include "core/docdiff.h"
#include "policy/lua_sandbox.h"
#include "policy/lua_view.h"
#include "policy/schema.h"

enum {
    CACHE_SLOTS = 4,
    MAX_SOURCE_BYTES = 1 << 20,
    MAX_SOURCES = 256,
    MAX_FINDINGS_PER_RULE = 1000,
    WHY_LEN = 320,
};

#define CLASSIFY_RULE "POLICY-CLASSIFY"

/* ---- the program ------------------------------------------------------------------------ */

static void source_free(struct rules_source *s)
{
    free(s->name);
    free(s->text);
}

static void program_free(struct rules_program *prog)
{
    for (size_t i = 0; i < prog->n_sources; i++)
        source_free(&prog->sources[i]);
    free(prog->sources);
    source_free(&prog->classify);
    source_free(&prog->changes);
    json_decref(prog->params);
    json_decref(prog->rules);
    free(prog);
}

static void program_retain(struct rules_program *prog)
{
    atomic_fetch_add(&prog->refs, 1);
}

static void program_release(struct rules_program *prog)
{
    if (prog && atomic_fetch_sub(&prog->refs, 1) == 1)
        program_free(prog);
}

void rules_program_release(struct rules_program *prog)
{
    if (!prog)
        return;
    atomic_store(&prog->orphaned, true);
    program_release(prog);
}

/* Read dir/name into src. 1 read, 0 absent (when optional), -1 error. */
static int read_source(const struct pack *p, const char *name, bool optional, struct rules_source *src,
                       struct err *e)
{
    char path[4400];
    snprintf(path, sizeof path, "%s/%s", p->dir, name);
    FILE *f = fopen(path, "rb");
    if (!f) {
        if (optional && errno == ENOENT)
            return 0;
        return err_set(e, ERR_NOT_FOUND, NULL, "Policy pack file %s cannot be read: %s",
                       "无法读取策略包文件 %s：%s", path, strerror(errno));
    }
    char *text = malloc(MAX_SOURCE_BYTES + 1);
    size_t len = text ? fread(text, 1, MAX_SOURCE_BYTES + 1, f) : 0;
    bool failed = !text || ferror(f);
    fclose(f);
    if (failed || len > MAX_SOURCE_BYTES) {
        free(text);
        return err_set(e, ERR_VALIDATION, NULL, "Policy pack file %s cannot be read or is over %d bytes",
                       "策略包文件 %s 无法读取或超过 %d 字节", path, MAX_SOURCE_BYTES);
    }
    text[len] = '\0';
    src->name = strdup(name);
    src->text = text;
    src->len = len;
    if (!src->name) {
        source_free(src);
        return err_set(e, ERR_INTERNAL, NULL, "Out of memory loading a policy pack", "加载策略包时内存不足");
    }
    return 1;
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names of rules/ *.lua, sorted; *out NULL and *n 0 when there is no rules directory. */
static int list_rule_files(const struct pack *p, char ***out, size_t *n, struct err *e)
{
    char path[4200];
    *out = NULL;
    *n = 0;
    snprintf(path, sizeof path, "%s/rules", p->dir);
    DIR *d = opendir(path);
    if (!d)
        return errno == ENOENT ? 0
                               : err_set(e, ERR_NOT_FOUND, NULL, "Policy pack directory %s cannot be read: %s",
                                         "无法读取策略包目录 %s：%s", path, strerror(errno));
    char **names = calloc(MAX_SOURCES, sizeof *names);
    struct dirent *de;
    int rc = names ? 0 : -1;
    while (rc == 0 && (de = readdir(d))) {
        size_t len = strlen(de->d_name);
        if (de->d_name[0] == '.' || len < 5 || strcmp(de->d_name + len - 4, ".lua") != 0)
            continue;
        if (*n == MAX_SOURCES) {
            rc = err_set(e, ERR_VALIDATION, NULL, "Policy pack directory %s has more than %d rule files",
                         "策略包目录 %s 中的规则文件超过 %d 个", path, MAX_SOURCES);
            break;
        }
        char *name = malloc(len + 7);
        if (!name) {
            rc = -1;
            break;
        }
        snprintf(name, len + 7, "rules/%s", de->d_name);
        names[(*n)++] = name;
    }
    closedir(d);
    if (rc != 0 || !names) {
        for (size_t i = 0; names && i < *n; i++)
            free(names[i]);
        free(names);
        *n = 0;
        if (e->code == ERR_NONE)
            err_set(e, ERR_INTERNAL, NULL, "Out of memory loading a policy pack", "加载策略包时内存不足");
        return -1;
    }
    qsort(names, *n, sizeof *names, compare_names);
    *out = names;
    return 0;
}

static int load_params(const struct pack *p, struct rules_program *prog, struct err *e)
{
    char path[4200];
    struct stat st;
    snprintf(path, sizeof path, "%s/params.json", p->dir);
    if (stat(path, &st) != 0 && errno == ENOENT) {
        prog->params = json_object();
        return 0;
    }
    json_error_t jerr;
    prog->params = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
    if (!prog->params)
        return err_set(e, ERR_MALFORMED_JSON, NULL, "Policy pack file %s is not valid JSON (line %d): %s",
                       "策略包文件 %s 不是有效的 JSON（第%d行）：%s", path, jerr.line, jerr.text);
    if (!json_is_object(prog->params))
        return err_set(e, ERR_VALIDATION, NULL, "Policy pack file %s must be a JSON object",
                       "策略包文件 %s 应为 JSON 对象", path);
    return 0;
}

int rules_program_load(const struct pack *p, struct rules_program **out, struct err *e)
{
    *out = NULL;
    struct rules_program *prog = calloc(1, sizeof *prog);
    char **names = NULL;
    size_t n_names = 0;
    if (!prog)
        return err_set(e, ERR_INTERNAL, NULL, "Out of memory loading a policy pack", "加载策略包时内存不足");
    atomic_init(&prog->refs, 1);
    atomic_init(&prog->orphaned, false);
    if (load_params(p, prog, e) != 0 || list_rule_files(p, &names, &n_names, e) != 0)
        goto fail;
    prog->sources = calloc(n_names + 1, sizeof *prog->sources);
    if (!prog->sources) {
        err_set(e, ERR_INTERNAL, NULL, "Out of memory loading a policy pack", "加载策略包时内存不足");
        goto fail;
    }
    int rc = read_source(p, "lib.lua", true, &prog->sources[0], e);
    if (rc < 0)
        goto fail;
    prog->n_sources = (size_t)rc;
    for (size_t i = 0; i < n_names; i++) {
        if (read_source(p, names[i], false, &prog->sources[prog->n_sources], e) < 0)
            goto fail;
        prog->n_sources++;
    }
    if (read_source(p, "classify.lua", true, &prog->classify, e) < 0)
        goto fail;
    if (read_source(p, "changes.lua", true, &prog->changes, e) < 0)
        goto fail;

    /* Load it once: syntax errors, bad rule definitions and failing top levels show now. */
    struct sandbox *sb;
    if (sandbox_new(prog, p, &sb, e) != 0)
        goto fail;
    prog->rules = json_deep_copy(sandbox_rules_meta(sb));
    sandbox_free(sb);

    for (size_t i = 0; i < n_names; i++)
        free(names[i]);
    free(names);
    *out = prog;
    return 0;

fail:
    for (size_t i = 0; i < n_names; i++)
        free(names[i]);
    free(names);
    program_free(prog);
    return -1;
}

/* ---- the per-thread cache of prepared states -------------------------------------------- */

/* A rule as stored by rule{} (lua_sandbox.c), read once per state: the strings belong to the
 * state (anchored by the registry's array of rules) and live as long as it does. */
struct rule_info {
    const char *id, *severity, *source, *path;
    bool overridable;
    bool inspection;            /* a rule of the self-inspection report (INSP-…) */
};

struct cache_slot {
    struct rules_program *prog; /* a reference */
    struct sandbox *sb;
    struct rule_info *rules;    /* rules[i] is entry i+1 of the state's array of rules */
    size_t n_rules;
    unsigned long used;         /* for least-recently-used replacement */
    struct view spare;          /* the arrays of the thread's last evaluation, for the next */
};

struct state_cache {
    struct cache_slot slots[CACHE_SLOTS];
    unsigned long clock;
};

static _Thread_local struct state_cache *tls_cache;
static pthread_key_t cache_key;
static pthread_once_t cache_key_once = PTHREAD_ONCE_INIT;

static void slot_clear(struct cache_slot *slot)
{
    free(slot->rules);
    view_free_arrays(&slot->spare);
    sandbox_free(slot->sb);
    program_release(slot->prog);
    memset(slot, 0, sizeof *slot);
}

static void cache_destroy(void *arg)
{
    struct state_cache *c = arg;
    if (!c)
        return;
    for (int i = 0; i < CACHE_SLOTS; i++)
        slot_clear(&c->slots[i]);
    free(c);
}

static void cache_key_create(void)
{
    pthread_key_create(&cache_key, cache_destroy);
}

void policy_thread_cleanup(void)
{
    if (!tls_cache)
        return;
    pthread_once(&cache_key_once, cache_key_create);
    pthread_setspecific(cache_key, NULL);
    cache_destroy(tls_cache);
    tls_cache = NULL;
}

/* Rules whose id starts INSP- check the self-inspection report (inspection.json); all others the
 * filing document (form.json). */
static bool is_inspection_rule(const char *id) { return id && strncmp(id, "INSP-", 5) == 0; }

/* Read the stored rules of a new state into slot->rules (a protected call: getfield may
 * allocate). */
static int collect_rules(lua_State *L)
{
    struct cache_slot *slot = lua_touserdata(L, 1);
    lua_rawgeti(L, LUA_REGISTRYINDEX, sandbox_rules_ref(slot->sb));
    for (size_t i = 0; i < slot->n_rules; i++) {
        lua_rawgeti(L, 2, (lua_Integer)i + 1);
        struct rule_info *r = &slot->rules[i];
        lua_getfield(L, 3, "id");
        r->id = lua_tostring(L, -1);
        lua_getfield(L, 3, "severity");
        r->severity = lua_tostring(L, -1);
        lua_getfield(L, 3, "source");
        r->source = lua_tostring(L, -1);
        lua_getfield(L, 3, "path");
        r->path = lua_tostring(L, -1);
        lua_getfield(L, 3, "overridable");
        r->overridable = lua_toboolean(L, -1);
        r->inspection = is_inspection_rule(r->id);
        lua_settop(L, 2);
    }
    return 0;
}

static int slot_fill(struct cache_slot *slot, struct sandbox *sb, struct err *e)
{
    lua_State *L = sandbox_lua(sb);
    slot->sb = sb;
    lua_rawgeti(L, LUA_REGISTRYINDEX, sandbox_rules_ref(sb));
    slot->n_rules = lua_rawlen(L, -1);
    lua_pop(L, 1);
    slot->rules = calloc(slot->n_rules + 1, sizeof *slot->rules);
    lua_pushcfunction(L, collect_rules);
    lua_pushlightuserdata(L, slot);
    if (!slot->rules || lua_pcall(L, 1, 0, 0) != LUA_OK) {
        lua_settop(L, 0);
        return err_set(e, ERR_INTERNAL, NULL, "Out of memory starting the rule engine", "启动规则引擎时内存不足");
    }
    return 0;
}

/* The calling thread's prepared state for p, made on first use. */
static struct cache_slot *state_for(const struct pack *p, struct err *e)
{
    if (!tls_cache) {
        pthread_once(&cache_key_once, cache_key_create);
        tls_cache = calloc(1, sizeof *tls_cache);
        if (!tls_cache) {
            err_set(e, ERR_INTERNAL, NULL, "Out of memory starting the rule engine", "启动规则引擎时内存不足");
            return NULL;
        }
        pthread_setspecific(cache_key, tls_cache);
    }
    struct state_cache *c = tls_cache;
    struct cache_slot *victim = &c->slots[0];
    for (int i = 0; i < CACHE_SLOTS; i++) {
        struct cache_slot *slot = &c->slots[i];
        if (slot->prog && slot->prog != p->rules && atomic_load(&slot->prog->orphaned))
            slot_clear(slot); /* its pack is gone */
        if (slot->prog == p->rules) {
            slot->used = ++c->clock;
            sandbox_set_pack(slot->sb, p);
            return slot;
        }
        if (!slot->prog || (victim->prog && slot->used < victim->used))
            victim = slot;
    }
    struct sandbox *sb;
    if (sandbox_new(p->rules, p, &sb, e) != 0)
        return NULL;
    slot_clear(victim);
    if (slot_fill(victim, sb, e) != 0) {
        slot_clear(victim);
        return NULL;
    }
    program_retain(p->rules);
    victim->prog = p->rules;
    victim->used = ++c->clock;
    return victim;
}

/* Forget the calling thread's state for p (after the engine itself failed in it). */
static void state_drop(const struct pack *p)
{
    for (int i = 0; tls_cache && i < CACHE_SLOTS; i++)
        if (tls_cache->slots[i].prog == p->rules)
            slot_clear(&tls_cache->slots[i]);
}

/* ---- findings --------------------------------------------------------------------------- */

/* The units of an evaluation: the classification, then each rule (unit i+1 is rule i). */
enum { UNIT_CLASSIFY = 0 };
/* The roots a unit reads: the document, the context the classification sees, and the context the
 * rules see (the same with ctx.derived). */
enum { ROOT_DOC, ROOT_CTX_CLASSIFY, ROOT_CTX_RULES, N_ROOTS };

struct trace_unit {
    json_t *findings;   /* what the unit added, in order */
    bool reusable;      /* it ran to the end within its limits (or was not run for this target) */
    size_t first, n;    /* its reads: reads[first … first+n) */
};

struct policy_trace {
    struct rules_program *prog;   /* a reference: its address names the pack's rules */
    const struct pack *p;
    bool inspection;
    json_t *roots[N_ROOTS];
    struct view_node *nodes;
    size_t n_nodes;
    struct view_read *reads;      /* grouped by unit */
    size_t n_reads;
    char *keys;
    struct trace_unit *units;
    size_t n_units;
    json_t *derived;
    int ran, reused;
    /* the form checks' parts (schema.h), reused while the form and a part's value stay: */
    const json_t *form;       /* the form they were made against */
    json_t *doc_checked;      /* the document as given (the rules' root has refused values nulled) */
    json_t *shape_parts;      /* the document's member key -> its shape findings */
    json_t *required_parts;   /* section key -> its completeness findings */
};

struct eval {
    struct sandbox *sb;
    struct cache_slot *slot;
    const struct pack *p;
    const json_t *doc;
    const json_t *ctx;
    day_t as_of;
    json_t *findings;
    json_t *derived;
    long long start_wall, start_cpu; /* ns, when the rules began */
    bool out_of_time;
    bool inspection;   /* ctx.target "inspection": the self-inspection report and its INSP- rules */
    /* the view of the document and context the units read, and what each read */
    struct view view;
    json_t *roots[N_ROOTS];
    int root_node[N_ROOTS];
    size_t *unit_start, *unit_end;   /* per unit: its findings in findings[start … end) */
    bool *unit_ok;                   /* per unit: may be reused by a later evaluation */
    /* an earlier evaluation of the same pack and target whose unchanged units are reused */
    const struct policy_trace *prev;
    const json_t **prev_resolved;    /* per node of prev: its container in this evaluation's roots */
    signed char *prev_state;         /* 0 not looked up, 1 resolved, -1 gone */
    signed char *prev_all;           /* per node of prev: 0 not compared whole, 1 the same, -1 not */
    int *prev_map;                   /* per node of prev: its node in this view (-1 not yet) */
    int ran, reused;
};

/* A whole evaluation's time: each call has its own limits (lua_sandbox.h), and the rules together
 * may use EVALUATION_MS of the thread's CPU time, never more than EVALUATION_WALL_MS on the clock;
 * the rules not run by then each get a finding that says so. An honest pack's evaluation takes
 * well under a millisecond; this bounds what a pack whose rules each stay just inside their own
 * limits can hold a server thread for. */
enum { EVALUATION_MS = 2000, EVALUATION_WALL_MS = 10000 };

static long long clock_ns(clockid_t clock)
{
    struct timespec t;
    clock_gettime(clock, &t);
    return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

static bool evaluation_out_of_time(struct eval *ev)
{
    if (ev->out_of_time)
        return true;
    long long wall = clock_ns(CLOCK_MONOTONIC) - ev->start_wall; /* CPU time never exceeds it */
    if (wall >= (long long)EVALUATION_MS * 1000000)
        ev->out_of_time = wall >= (long long)EVALUATION_WALL_MS * 1000000 ||
                          clock_ns(CLOCK_THREAD_CPUTIME_ID) - ev->start_cpu >= (long long)EVALUATION_MS * 1000000;
    return ev->out_of_time;
}

static bool override_accepted(const json_t *ctx, const char *id)
{
    const json_t *overrides = json_object_get(ctx, "overrides");
    if (json_is_object(overrides))
        return json_object_get(overrides, id) != NULL;
    size_t i;
    const json_t *o;
    json_array_foreach(overrides, i, o)
        if (json_is_string(o) && strcmp(json_string_value(o), id) == 0)
            return true;
    return false;
}

static void add_finding(struct eval *ev, const struct rule_info *r, const char *severity, const char *path,
                        const char *zh, const char *en)
{
    bool overridden = false;
    if (r->overridable && strcmp(severity, "error") == 0) {
        overridden = override_accepted(ev->ctx, r->id);
        view_record(&ev->view, ev->view.unit, ev->root_node[ROOT_CTX_RULES], VIEW_KEY_DEEP, "overrides", 9, 0);
    }
    finding_add(ev->findings, r->id, overridden ? "warning" : severity, path, zh, en, r->source);
    json_t *added = json_array_get(ev->findings, json_array_size(ev->findings) - 1);
    json_object_set_new(added, "overridable", json_boolean(r->overridable));
    if (overridden)
        json_object_set_new(added, "overridden", json_true());
}

/* The finding that says a rule could not be evaluated. `why` is an English detail (a Lua error
 * message, or what was wrong with the result) shown in both languages. */
static void add_failure(struct eval *ev, const struct rule_info *r, enum sandbox_outcome outcome, const char *why)
{
    char en[WHY_LEN + 200], zh[WHY_LEN + 200];
    switch (outcome) {
    case SANDBOX_INSTRUCTIONS:
        snprintf(en, sizeof en, "Rule %s failed: it ran past its budget of %d instructions (an endless loop? "
                 "work done in library functions counts too)", r->id, SANDBOX_CALL_INSTRUCTIONS);
        snprintf(zh, sizeof zh, "规则 %s 执行失败：超出 %d 条指令的上限（是否陷入死循环？库函数的工作量也计入）", r->id,
                 SANDBOX_CALL_INSTRUCTIONS);
        break;
    case SANDBOX_TIME:
        snprintf(en, sizeof en, "Rule %s failed: it ran past its time limit of %d ms", r->id, SANDBOX_CALL_MS);
        snprintf(zh, sizeof zh, "规则 %s 执行失败：运行时间超出 %d 毫秒的上限", r->id, SANDBOX_CALL_MS);
        break;
    case SANDBOX_MEMORY:
        snprintf(en, sizeof en, "Rule %s failed: it asked for more than its %zu MiB of memory", r->id,
                 SANDBOX_CALL_MEMORY >> 20);
        snprintf(zh, sizeof zh, "规则 %s 执行失败：内存用量超出 %zu MiB 的上限", r->id, SANDBOX_CALL_MEMORY >> 20);
        break;
    default:
        snprintf(en, sizeof en, "Rule %s failed: %s", r->id, why);
        snprintf(zh, sizeof zh, "规则 %s 执行失败：%s", r->id, why);
        break;
    }
    struct rule_info failed = *r;
    failed.overridable = false; /* a broken rule is never waved through */
    add_finding(ev, &failed, "error", r->path, zh, en);
    json_object_set_new(json_array_get(ev->findings, json_array_size(ev->findings) - 1), "rule_failed", json_true());
}

static bool valid_severity(const char *s)
{
    return strcmp(s, "error") == 0 || strcmp(s, "warning") == 0 || strcmp(s, "info") == 0;
}

/* One finding returned by a rule (table at idx). NULL when added; else what is wrong with it. */
static const char *take_issue(struct eval *ev, const struct rule_info *r, lua_State *L, int idx)
{
    if (lua_type(L, idx) != LUA_TTABLE)
        return "a finding that is not a table";
    int top = lua_gettop(L);
    const char *problem = NULL;
    const char *path = r->path, *severity = r->severity, *zh = NULL, *en = NULL;
    int t = lua_getfield(L, idx, "path");
    if (t == LUA_TSTRING)
        path = lua_tostring(L, -1);
    else if (t != LUA_TNIL)
        problem = "a finding whose path is not a string";
    t = lua_getfield(L, idx, "severity");
    if (t == LUA_TSTRING)
        severity = lua_tostring(L, -1);
    if (!problem && ((t != LUA_TSTRING && t != LUA_TNIL) || !valid_severity(severity)))
        problem = "a finding whose severity is not error, warning or info";
    if (lua_getfield(L, idx, "message") == LUA_TTABLE) {
        if (lua_getfield(L, -1, "zh") == LUA_TSTRING && lua_rawlen(L, -1) > 0)
            zh = lua_tostring(L, -1);
        if (lua_getfield(L, -2, "en") == LUA_TSTRING && lua_rawlen(L, -1) > 0)
            en = lua_tostring(L, -1);
    }
    if (!problem && (!zh || !en))
        problem = "a finding without message = { zh = \"…\", en = \"…\" }";
    if (!problem && path[0] != '\0' && path[0] != '/')
        problem = "a finding whose path is not a JSON pointer";
    if (!problem)
        add_finding(ev, r, severity, path, zh, en);
    lua_settop(L, top);
    return problem;
}

/* A rule's result at idx: nil/false (nothing found), one finding {path, message, severity?} or a
 * list of them. */
static void take_result(struct eval *ev, const struct rule_info *r, lua_State *L, int idx)
{
    int t = lua_type(L, idx);
    if (t == LUA_TNIL || (t == LUA_TBOOLEAN && !lua_toboolean(L, idx)))
        return;
    char why[WHY_LEN];
    if (t != LUA_TTABLE) {
        snprintf(why, sizeof why, "it returned a %s; a check returns nil, one finding or a list of findings",
                 lua_typename(L, t));
        add_failure(ev, r, SANDBOX_RUNTIME_ERROR, why);
        return;
    }
    const char *problem = NULL;
    if (lua_getfield(L, idx, "message") != LUA_TNIL) {
        lua_pop(L, 1);
        problem = take_issue(ev, r, L, idx);
    } else {
        lua_pop(L, 1);
        lua_Unsigned n = lua_rawlen(L, idx);
        for (lua_Unsigned i = 1; i <= n && !problem; i++) {
            if (i > MAX_FINDINGS_PER_RULE) {
                problem = "more findings than the engine keeps per rule";
                break;
            }
            lua_rawgeti(L, idx, (lua_Integer)i);
            problem = take_issue(ev, r, L, lua_gettop(L));
            lua_pop(L, 1);
        }
    }
    if (problem) {
        snprintf(why, sizeof why, "it returned %s", problem);
        add_failure(ev, r, SANDBOX_RUNTIME_ERROR, why);
    }
}

/* ---- derived values --------------------------------------------------------------------- */

static const struct rule_info CLASSIFY_INFO = {CLASSIFY_RULE, "error", "classify.lua", "", false, false};

static void classify_problem(struct eval *ev, const char *what)
{
    add_failure(ev, &CLASSIFY_INFO, SANDBOX_RUNTIME_ERROR, what);
}

static int per_type(const struct pack *p, const char *table, const char *type)
{
    const json_t *t = json_object_get(p->deadlines, table);
    const json_t *n = json_object_get(t, type);
    if (!json_is_integer(n))
        n = json_object_get(t, pack_default_filing_type(p));
    return (int)json_integer_value(n);
}

static void derived_defaults(struct eval *ev)
{
    json_t *d = ev->derived;
    json_object_set_new(d, "level", json_null());
    json_object_set_new(d, "filing_type", json_string(pack_default_filing_type(ev->p)));
    json_object_set_new(d, "filing_type_reasons", json_array());
    json_object_set_new(d, "required_materials", json_array());
    json_object_set_new(d, "cross_border_route", json_null());
    json_object_set_new(d, "review_working_days", json_null());
    json_object_set_new(d, "self_inspection_months", json_null());
}

/* A string member of the table at idx as JSON, or NULL (absent, not a string, not UTF-8). */
static json_t *string_member(lua_State *L, int idx, const char *key)
{
    json_t *v = NULL;
    if (lua_getfield(L, idx, key) == LUA_TSTRING && lua_rawlen(L, -1) > 0)
        v = json_stringn(lua_tostring(L, -1), lua_rawlen(L, -1));
    lua_pop(L, 1);
    return v;
}

/* A list of {code?, zh, en} (table at idx) as JSON, or NULL when malformed. */
static json_t *take_reasons(lua_State *L, int idx)
{
    json_t *out = json_array();
    lua_Unsigned n = lua_rawlen(L, idx);
    for (lua_Unsigned i = 1; i <= n && out; i++) {
        lua_rawgeti(L, idx, (lua_Integer)i);
        int item = lua_gettop(L);
        json_t *zh = lua_istable(L, item) ? string_member(L, item, "zh") : NULL;
        json_t *en = lua_istable(L, item) ? string_member(L, item, "en") : NULL;
        json_t *code = lua_istable(L, item) ? string_member(L, item, "code") : NULL;
        if (zh && en) {
            json_t *r = json_object();
            if (code)
                json_object_set_new(r, "code", code);
            json_object_set_new(r, "zh", zh);
            json_object_set_new(r, "en", en);
            json_array_append_new(out, r);
        } else {
            json_decref(zh);
            json_decref(en);
            json_decref(code);
            json_decref(out);
            out = NULL;
        }
        lua_settop(L, item - 1);
    }
    return out;
}

/* A list of strings (table at idx) as JSON, or NULL when malformed. */
static json_t *take_strings(lua_State *L, int idx)
{
    json_t *out = json_array();
    lua_Unsigned n = lua_rawlen(L, idx);
    for (lua_Unsigned i = 1; i <= n && out; i++) {
        json_t *v = lua_rawgeti(L, idx, (lua_Integer)i) == LUA_TSTRING ? json_stringn(lua_tostring(L, -1), lua_rawlen(L, -1)) : NULL;
        lua_pop(L, 1);
        if (v) {
            json_array_append_new(out, v);
        } else {
            json_decref(out);
            out = NULL;
        }
    }
    return out;
}

/* The members of classify's result (table at idx) that are well formed replace the defaults;
 * each one that is not is reported. Read member by member (no generic conversion: this runs on
 * every evaluation). */
static void take_derived(struct eval *ev, lua_State *L, int idx)
{
    json_t *d = ev->derived;
    if (!lua_istable(L, idx)) {
        classify_problem(ev, "classify returned a value that is not a table of derived values");
        return;
    }
    idx = lua_absindex(L, idx);
    int top = lua_gettop(L);
    int t = lua_getfield(L, idx, "level");
    lua_Integer level = lua_isinteger(L, -1) ? lua_tointeger(L, -1) : 0;
    if (level >= 1 && level <= 5)
        json_object_set_new(d, "level", json_integer((json_int_t)level));
    else if (t != LUA_TNIL)
        classify_problem(ev, "classify returned a level that is not a whole number from 1 to 5");

    t = lua_getfield(L, idx, "filing_type");
    const json_t *review = json_object_get(ev->p->deadlines, "review_working_days");
    if (t == LUA_TSTRING && json_object_get(review, lua_tostring(L, -1)))
        json_object_set_new(d, "filing_type", json_string(lua_tostring(L, -1)));
    else if (t != LUA_TNIL)
        classify_problem(ev, "classify returned a filing_type that deadlines.json does not list");

    json_t *list = NULL;
    t = lua_getfield(L, idx, "filing_type_reasons");
    if (t == LUA_TTABLE && (list = take_reasons(L, lua_gettop(L))))
        json_object_set_new(d, "filing_type_reasons", list);
    else if (t != LUA_TNIL)
        classify_problem(ev, "classify returned filing_type_reasons that are not a list of {zh, en}");

    t = lua_getfield(L, idx, "required_materials");
    if (t == LUA_TTABLE && (list = take_strings(L, lua_gettop(L))))
        json_object_set_new(d, "required_materials", list);
    else if (t != LUA_TNIL)
        classify_problem(ev, "classify returned required_materials that are not a list of kinds");

    t = lua_getfield(L, idx, "cross_border_route");
    if (t == LUA_TSTRING)
        json_object_set_new(d, "cross_border_route", json_stringn(lua_tostring(L, -1), lua_rawlen(L, -1)));
    else if (t != LUA_TNIL)
        classify_problem(ev, "classify returned a cross_border_route that is not a string");

    static const char *const COUNTS[] = {"review_working_days", "self_inspection_months"};
    for (int i = 0; i < 2; i++) {
        t = lua_getfield(L, idx, COUNTS[i]);
        lua_Integer n = lua_isinteger(L, -1) ? lua_tointeger(L, -1) : 0;
        if (n > 0 && n < 100000)
            json_object_set_new(d, COUNTS[i], json_integer((json_int_t)n));
        else if (t != LUA_TNIL)
            classify_problem(ev, "classify returned a review or self-inspection period that is not a positive whole number");
    }
    lua_settop(L, top);
}

/* Periods the classification did not give come from deadlines.json for the filing type. */
static void derived_complete(struct eval *ev)
{
    json_t *d = ev->derived;
    const char *type = json_string_value(json_object_get(d, "filing_type"));
    if (json_is_null(json_object_get(d, "review_working_days")))
        json_object_set_new(d, "review_working_days", json_integer(per_type(ev->p, "review_working_days", type)));
    if (json_is_null(json_object_get(d, "self_inspection_months")))
        json_object_set_new(d, "self_inspection_months",
                            json_integer(per_type(ev->p, "self_inspection_months", type)));
}

/* ---- evaluation ------------------------------------------------------------------------- */

enum { ARG_EVAL = 1, ARG_DOC, ARG_CTX, ARG_RULES };

/* The context the classification sees: a copy of ctx with as_of and filing_kind (default
 * initial). A deep copy when a trace keeps it. */
static json_t *ctx_for_classify(const json_t *ctx, day_t as_of, bool kept)
{
    json_t *c = !json_is_object(ctx) ? json_object() : kept ? json_deep_copy(ctx) : json_copy((json_t *)ctx);
    if (!c) return NULL;
    char day[11];
    date_format(as_of, day);
    json_object_set_new(c, "as_of", json_string(day));
    if (!json_is_string(json_object_get(c, "filing_kind"))) json_object_set_new(c, "filing_kind", json_string("initial"));
    return c;
}

/* ---- reusing the units of an earlier evaluation ------------------------------------------ */

/* The container of this evaluation at the place of prev's node n; NULL when there is none. */
static const json_t *prev_resolve(struct eval *ev, int n)
{
    if (ev->prev_state[n]) return ev->prev_state[n] > 0 ? ev->prev_resolved[n] : NULL;
    const struct view_node *nd = &ev->prev->nodes[n];
    const json_t *now = nd->parent < 0 ? ev->roots[nd->root]
                                       : view_child(prev_resolve(ev, nd->parent), nd->kind, ev->prev->keys + nd->key_off,
                                                    nd->key_len, nd->index);
    bool ok = now && json_typeof(now) == json_typeof(nd->json) && (nd->parent < 0 || prev_resolve(ev, nd->parent));
    ev->prev_state[n] = ok ? 1 : -1;
    ev->prev_resolved[n] = ok ? now : NULL;
    return ev->prev_resolved[n];
}

/* Did unit u of prev read only what reads the same now? */
static bool prev_unit_same(struct eval *ev, size_t u)
{
    const struct policy_trace *t = ev->prev;
    const struct trace_unit *tu = &t->units[u];
    if (!tu->reusable) return false;
    for (size_t i = tu->first; i < tu->first + tu->n; i++) {
        const struct view_read *r = &t->reads[i];
        const struct view_node *nd = &t->nodes[r->node];
        if (r->kind == VIEW_KEY_ALL) {   /* many units read a section whole: compared once */
            signed char *all = &ev->prev_all[r->node];
            if (!*all) *all = view_same(nd->json, prev_resolve(ev, r->node), nd->depth, r->kind, NULL, 0, 0) ? 1 : -1;
            if (*all < 0) return false;
            continue;
        }
        if (!view_same(nd->json, prev_resolve(ev, r->node), nd->depth, r->kind, t->keys + r->key_off, r->key_len, r->index))
            return false;
    }
    return true;
}

/* prev's node n as a node of this evaluation's view; -1 when out of memory. */
static int prev_map_node(struct eval *ev, int n)
{
    if (ev->prev_map[n] >= 0) return ev->prev_map[n];
    const struct view_node *nd = &ev->prev->nodes[n];
    int mine;
    if (nd->parent < 0) {
        mine = ev->root_node[nd->root];
    } else {
        int parent = prev_map_node(ev, nd->parent);
        mine = parent < 0 ? -1
                          : view_add_node(&ev->view, parent, prev_resolve(ev, n), nd->kind, ev->prev->keys + nd->key_off,
                                          nd->key_len, nd->index);
    }
    return ev->prev_map[n] = mine;
}

/* Unit u's results from prev: its findings appended, its reads recorded as this evaluation's. */
static void prev_unit_reuse(struct eval *ev, size_t u)
{
    const struct policy_trace *t = ev->prev;
    const struct trace_unit *tu = &t->units[u];
    size_t i;
    json_t *f;
    json_array_foreach(tu->findings, i, f) json_array_append_new(ev->findings, json_deep_copy(f));
    for (i = tu->first; i < tu->first + tu->n; i++) {
        const struct view_read *r = &t->reads[i];
        int node = prev_map_node(ev, r->node);
        if (node < 0) ev->view.overflow = true;
        else view_record(&ev->view, (int)u, node, r->kind, t->keys + r->key_off, r->key_len, r->index);
    }
    ev->unit_ok[u] = true;
    ev->reused++;
}

static bool unit_reusable(struct eval *ev, size_t u)
{
    return ev->prev && prev_unit_same(ev, u);
}

/* ---- running the units ------------------------------------------------------------------- */

/* Root r for the units: through the view when their reads are recorded (by_key: read key by key,
 * as the context); else converted whole (lua_json.c), the plain tables the view's unrecorded
 * proxies would become one at a time, with none of the view's work. */
static void push_root(lua_State *L, struct eval *ev, int r, bool by_key)
{
    if (ev->view.track) view_push_root(L, &ev->view, r, ev->roots[r], by_key, &ev->root_node[r]);
    else sandbox_push_json(L, ev->roots[r]);
}

static void run_classify(struct eval *ev, lua_State *L)
{
    ev->unit_start[UNIT_CLASSIFY] = json_array_size(ev->findings);
    ev->unit_ok[UNIT_CLASSIFY] = true;
    if (unit_reusable(ev, UNIT_CLASSIFY)) {
        json_t *copy = json_deep_copy(ev->prev->derived);
        if (!copy) luaL_error(L, "not enough memory");
        json_decref(ev->derived);
        ev->derived = copy;
        prev_unit_reuse(ev, UNIT_CLASSIFY);
    } else {
        derived_defaults(ev);
        int ref = ev->inspection ? LUA_NOREF : sandbox_classify_ref(ev->sb);   /* a report is not classified */
        if (ref != LUA_NOREF) {
            char why[WHY_LEN];
            ev->ran++;
            view_set_unit(L, &ev->view, UNIT_CLASSIFY);
            lua_rawgeti(L, LUA_REGISTRYINDEX, ref);
            lua_pushvalue(L, ARG_DOC);
            lua_pushvalue(L, ARG_CTX);
            enum sandbox_outcome o = sandbox_call(ev->sb, 2, 1, why, sizeof why);
            if (o == SANDBOX_OK) {
                take_derived(ev, L, -1);
                lua_pop(L, 1);
            } else {
                add_failure(ev, &CLASSIFY_INFO, o, why);
                ev->unit_ok[UNIT_CLASSIFY] = false;
            }
            ev->view.unit = -1;
        }
        derived_complete(ev);
    }
    ev->unit_end[UNIT_CLASSIFY] = json_array_size(ev->findings);
    /* the rules' context: the classification's with ctx.derived */
    bool kept = ev->view.track;
    json_t *ctx = kept ? json_deep_copy(ev->roots[ROOT_CTX_CLASSIFY]) : json_copy(ev->roots[ROOT_CTX_CLASSIFY]);
    if (!ctx || json_object_set_new(ctx, "derived", kept ? json_deep_copy(ev->derived) : json_incref(ev->derived)) != 0) {
        json_decref(ctx);
        luaL_error(L, "not enough memory");
    }
    ev->roots[ROOT_CTX_RULES] = ctx;
    push_root(L, ev, ROOT_CTX_RULES, true);
    lua_replace(L, ARG_CTX);
}

static void run_rules(struct eval *ev, lua_State *L)
{
    lua_rawgeti(L, LUA_REGISTRYINDEX, sandbox_rules_ref(ev->sb));
    for (size_t i = 0; i < ev->slot->n_rules; i++) {
        const struct rule_info *r = &ev->slot->rules[i];
        size_t u = i + 1;
        ev->unit_start[u] = ev->unit_end[u] = json_array_size(ev->findings);
        ev->unit_ok[u] = true;
        if (r->inspection != ev->inspection) continue;
        if (unit_reusable(ev, u)) {
            prev_unit_reuse(ev, u);
            ev->unit_end[u] = json_array_size(ev->findings);
            continue;
        }
        if (evaluation_out_of_time(ev)) {
            char why[WHY_LEN];
            snprintf(why, sizeof why, "not run: the rules before it used up the evaluation's time limit of %d ms",
                     EVALUATION_MS);
            add_failure(ev, r, SANDBOX_RUNTIME_ERROR, why);
            ev->unit_ok[u] = false;
            ev->unit_end[u] = json_array_size(ev->findings);
            continue;
        }
        ev->ran++;
        view_set_unit(L, &ev->view, (int)u);
        lua_settop(L, ARG_RULES);
        lua_rawgeti(L, ARG_RULES, (lua_Integer)i + 1);
        lua_getfield(L, -1, "check");
        lua_pushvalue(L, ARG_DOC);
        lua_pushvalue(L, ARG_CTX);
        char why[WHY_LEN];
        enum sandbox_outcome o = sandbox_call(ev->sb, 2, 1, why, sizeof why);
        if (o == SANDBOX_OK) {
            take_result(ev, r, L, lua_gettop(L));
        } else {
            add_failure(ev, r, o, why);
            ev->unit_ok[u] = false;
        }
        ev->view.unit = -1;
        ev->unit_end[u] = json_array_size(ev->findings);
    }
    lua_settop(L, ARG_RULES - 1);
}

static int eval_main(lua_State *L)
{
    struct eval *ev = lua_touserdata(L, ARG_EVAL);
    push_root(L, ev, ROOT_DOC, false);
    push_root(L, ev, ROOT_CTX_CLASSIFY, true);
    ev->start_wall = clock_ns(CLOCK_MONOTONIC);
    ev->start_cpu = clock_ns(CLOCK_THREAD_CPUTIME_ID);
    run_classify(ev, L);
    run_rules(ev, L);
    return 0;
}

static void derived_only_defaults(struct eval *ev)
{
    derived_defaults(ev);
    derived_complete(ev);
}

/* The trace of the evaluation ev: its roots, its view's nodes and reads (grouped by unit) and each
 * unit's findings. NULL when out of memory. */
static struct policy_trace *trace_make(struct eval *ev, size_t n_units)
{
    struct policy_trace *t = calloc(1, sizeof *t);
    size_t *count = calloc(n_units + 1, sizeof *count);
    if (!t || !count) goto oom;
    t->units = calloc(n_units, sizeof *t->units);
    t->reads = malloc((ev->view.n_reads + 1) * sizeof *t->reads);
    if (!t->units || !t->reads) goto oom;
    t->n_units = n_units;
    program_retain(ev->p->rules);
    t->prog = ev->p->rules;
    t->p = ev->p;
    t->inspection = ev->inspection;
    for (int r = 0; r < N_ROOTS; r++) t->roots[r] = json_incref(ev->roots[r]);
    t->derived = json_deep_copy(ev->derived);
    for (size_t i = 0; i < ev->view.n_reads; i++) count[ev->view.reads[i].unit + 1]++;
    for (size_t u = 0; u < n_units; u++) count[u + 1] += count[u];
    for (size_t u = 0; u < n_units; u++) {
        struct trace_unit *tu = &t->units[u];
        tu->first = count[u];
        tu->n = count[u + 1] - count[u];
        tu->reusable = ev->unit_ok[u] && !ev->view.overflow;
        tu->findings = json_array();
        for (size_t k = ev->unit_start[u]; k < ev->unit_end[u]; k++)
            json_array_append_new(tu->findings, json_deep_copy(json_array_get(ev->findings, k)));
    }
    for (size_t i = 0; i < ev->view.n_reads; i++) t->reads[count[ev->view.reads[i].unit]++] = ev->view.reads[i];
    t->n_reads = ev->view.n_reads;
    t->nodes = ev->view.nodes;
    t->n_nodes = ev->view.n_nodes;
    t->keys = ev->view.keys;
    ev->view.nodes = NULL;   /* the trace's now */
    ev->view.keys = NULL;
    ev->view.cap_nodes = ev->view.cap_keys = 0;
    t->ran = ev->ran;
    t->reused = ev->reused;
    free(count);
    return t;
oom:
    free(count);
    policy_trace_free(t);
    return NULL;
}

void policy_trace_free(struct policy_trace *t)
{
    if (!t) return;
    for (int r = 0; r < N_ROOTS; r++) json_decref(t->roots[r]);
    for (size_t u = 0; u < t->n_units && t->units; u++) json_decref(t->units[u].findings);
    free(t->units);
    free(t->nodes);
    free(t->reads);
    free(t->keys);
    json_decref(t->derived);
    json_decref(t->doc_checked);
    json_decref(t->shape_parts);
    json_decref(t->required_parts);
    if (t->prog) program_release(t->prog);
    free(t);
}

struct policy_trace_stats policy_trace_stats(const struct policy_trace *t)
{
    return t ? (struct policy_trace_stats){t->ran, t->reused} : (struct policy_trace_stats){0, 0};
}

static void eval_release(struct eval *ev)
{
    for (int r = 0; r < N_ROOTS; r++) json_decref(ev->roots[r]);
    free(ev->unit_start);
    free(ev->unit_end);
    free(ev->unit_ok);
    free(ev->prev_resolved);
    free(ev->prev_state);
    free(ev->prev_all);
    free(ev->prev_map);
    if (ev->slot) view_move_arrays(&ev->slot->spare, &ev->view);
    else view_free_arrays(&ev->view);
}

static int evaluate(const struct pack *p, const json_t *doc, day_t as_of, const json_t *ctx,
                    const struct policy_trace *prev, struct policy_trace **next, json_t **findings, json_t **derived,
                    struct err *e)
{
    *findings = NULL;
    *derived = NULL;
    if (next) *next = NULL;
    const char *target = json_string_value(json_object_get(ctx, "target"));
    struct eval ev = {.p = p, .doc = doc, .ctx = ctx, .as_of = as_of, .findings = json_array(), .derived = json_object(),
                      .inspection = target && strcmp(target, "inspection") == 0};
    view_init(&ev.view, next != NULL);
    if (!ev.findings || !ev.derived)
        goto oom;
    if (!p->rules) { /* a pack built without rules_program_load */
        derived_only_defaults(&ev);
        goto done;
    }
    ev.slot = state_for(p, e);
    if (!ev.slot)
        goto fail;
    ev.sb = ev.slot->sb;
    view_move_arrays(&ev.view, &ev.slot->spare);
    size_t n_units = ev.slot->n_rules + 1;
    /* a document that is no object: rules see an empty one */
    ev.roots[ROOT_DOC] = json_is_object(doc) ? json_incref((json_t *)doc) : json_object();
    ev.roots[ROOT_CTX_CLASSIFY] = ctx_for_classify(ctx, as_of, next != NULL);
    ev.unit_start = calloc(n_units, sizeof *ev.unit_start);
    ev.unit_end = calloc(n_units, sizeof *ev.unit_end);
    ev.unit_ok = calloc(n_units, sizeof *ev.unit_ok);
    if (!ev.roots[ROOT_DOC] || !ev.roots[ROOT_CTX_CLASSIFY] || !ev.unit_start || !ev.unit_end || !ev.unit_ok)
        goto oom;
    if (prev && prev->prog == p->rules && prev->p == p && prev->inspection == ev.inspection && prev->n_units == n_units) {
        ev.prev_resolved = calloc(prev->n_nodes + 1, sizeof *ev.prev_resolved);
        ev.prev_state = calloc(prev->n_nodes + 1, sizeof *ev.prev_state);
        ev.prev_all = calloc(prev->n_nodes + 1, sizeof *ev.prev_all);
        ev.prev_map = malloc((prev->n_nodes + 1) * sizeof *ev.prev_map);
        if (!ev.prev_resolved || !ev.prev_state || !ev.prev_all || !ev.prev_map)
            goto oom;
        for (size_t i = 0; i < prev->n_nodes; i++) ev.prev_map[i] = -1;
        ev.prev = prev;
    }
    lua_State *L = sandbox_lua(ev.sb);
    lua_settop(L, 0);
    lua_pushcfunction(L, eval_main);
    lua_pushlightuserdata(L, &ev);
    int status = lua_pcall(L, 1, 0, 0);
    view_end(&ev.view, L);
    if (status != LUA_OK) {
        err_set(e, status == LUA_ERRMEM ? ERR_TOO_LARGE : ERR_INTERNAL, NULL,
                "The rule engine could not evaluate the document: %s", "规则引擎无法评估该文档：%s",
                lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "?");
        state_drop(p);
        goto fail;
    }
    lua_settop(L, 0);
    if (next) *next = trace_make(&ev, n_units);   /* NULL when out of memory: nothing to reuse next time */
done:
    *findings = ev.findings;
    *derived = ev.derived;
    eval_release(&ev);
    return 0;
oom:
    err_set(e, ERR_INTERNAL, NULL, "Out of memory evaluating a document", "评估文档时内存不足");
fail:
    json_decref(ev.findings);
    json_decref(ev.derived);
    eval_release(&ev);
    return -1;
}

int policy_evaluate(const struct pack *p, const json_t *doc, day_t as_of, const json_t *ctx,
                    json_t **findings, json_t **derived, struct err *e)
{
    return evaluate(p, doc, as_of, ctx, NULL, NULL, findings, derived, e);
}

/* ---- the form checks, a part at a time after a trace ---- */

/* a and b are the same JSON, objects' members in the same order too (json_equal ignores that
 * order, but the shape check reports a member's findings in it). */
static bool same_in_order(const json_t *a, const json_t *b)
{
    if (a == b) return true;
    if (!a || !b || json_typeof(a) != json_typeof(b)) return false;
    if (json_is_object(a)) {
        if (json_object_size(a) != json_object_size(b)) return false;
        void *ia = json_object_iter((json_t *)a), *ib = json_object_iter((json_t *)b);
        for (; ia && ib; ia = json_object_iter_next((json_t *)a, ia), ib = json_object_iter_next((json_t *)b, ib)) {
            size_t la = json_object_iter_key_len(ia);
            if (la != json_object_iter_key_len(ib) || memcmp(json_object_iter_key(ia), json_object_iter_key(ib), la) != 0 ||
                !same_in_order(json_object_iter_value(ia), json_object_iter_value(ib)))
                return false;
        }
        return !ia && !ib;
    }
    if (json_is_array(a)) {
        if (json_array_size(a) != json_array_size(b)) return false;
        for (size_t i = 0; i < json_array_size(a); i++)
            if (!same_in_order(json_array_get(a, i), json_array_get(b, i))) return false;
        return true;
    }
    return json_equal((json_t *)a, (json_t *)b);
}

/* Whether each member of the document is the one of the last trace (same_in_order), for the
 * members the shape check compared: the completeness check asks the same of each section, which
 * is a member's value too, and reads the answer here instead of comparing again. */
enum { SAME_MEMBERS_MAX = 64 };
struct same_members {
    size_t n;
    const char *key[SAME_MEMBERS_MAX];
    bool same[SAME_MEMBERS_MAX];
};

static void same_members_note(struct same_members *m, const char *key, bool same)
{
    if (m && m->n < SAME_MEMBERS_MAX) {
        m->key[m->n] = key;
        m->same[m->n++] = same;
    }
}

/* The shape check's answer for member key: 1 the same, 0 not, -1 not compared. */
static int same_members_known(const struct same_members *m, const char *key)
{
    for (size_t i = 0; m && i < m->n; i++)
        if (strcmp(m->key[i], key) == 0) return m->same[i];
    return -1;
}

/* The part the last trace kept under key (parts: NULL when there is none), when the value it was
 * made from (was) is value again, members in the same order (both absent counts as the same): the
 * caller's own copy; NULL when it must be made afresh. The kept part goes on to *kept (shared by
 * the traces, never changed). known: the answer of an earlier comparison of was and value (1 the
 * same, 0 not), or -1 to compare them here; the answer goes to noted (when not NULL). */
static json_t *part_again(const json_t *parts, const char *key, const json_t *was, const json_t *value, int known,
                          struct same_members *noted, json_t **kept)
{
    *kept = parts ? json_object_get(parts, key) : NULL;
    if (*kept) {
        bool same = known >= 0 ? known == 1 : same_in_order(was, value);
        same_members_note(noted, key, same);
        if (!same) *kept = NULL;
    }
    return *kept ? json_deep_copy(*kept) : NULL;
}

/* Keep part (a copy, or the part reused) for the next trace, when there will be one. */
static void part_keep(json_t *parts, const char *key, json_t *fresh, json_t *kept)
{
    if (!parts) return;
    if (kept) json_object_set(parts, key, kept);
    else json_object_set_new(parts, key, json_deep_copy(fresh));
}

/* schema_check_shape_in, member by member, each reused from prev when its value is the same
 * (noted in same for the completeness check). */
static json_t *shape_checked(const json_t *form, const json_t *doc, const struct policy_trace *prev, json_t *parts,
                             struct same_members *same)
{
    if (!json_is_object(doc)) return schema_check_shape_in(form, doc);
    json_t *all = json_array();
    const char *key;
    json_t *value, *kept;
    json_object_foreach((json_t *)doc, key, value) {
        json_t *part = part_again(prev ? prev->shape_parts : NULL, key,
                                  prev ? json_object_get(prev->doc_checked, key) : NULL, value, -1, same, &kept);
        if (!part) part = schema_check_shape_member(form, key, value);
        part_keep(parts, key, part, kept);
        json_array_extend(all, part);
        json_decref(part);
    }
    return all;
}

/* A section's value as the completeness check reads it: its object, or nothing. */
static const json_t *section_value(const json_t *doc, const char *key)
{
    const json_t *v = json_is_object(doc) ? json_object_get(doc, key) : NULL;
    return json_is_object(v) ? v : NULL;
}

/* The completeness check's answer for section key from the shape check's for the member: values
 * the same, sections the same; different values that are both not objects, both no section. */
static int section_same_known(const struct same_members *same, const json_t *doc, const json_t *was_doc,
                              const char *key)
{
    int known = same_members_known(same, key);
    if (known != 0) return known;
    return !section_value(doc, key) && !section_value(was_doc, key) ? 1 : 0;
}

/* schema_check_required_in, section by section, each reused from prev when its value is the same
 * (what the shape check found, when it compared the member). */
static json_t *required_checked(const json_t *form, const json_t *doc, const struct policy_trace *prev, json_t *parts,
                                const struct same_members *same)
{
    json_t *all = json_array(), *kept;
    size_t i;
    const json_t *section;
    json_array_foreach(json_object_get(form, "sections"), i, section) {
        const char *key = json_string_value(json_object_get(section, "key"));
        const json_t *value = section_value(doc, key);
        json_t *part = key ? part_again(prev ? prev->required_parts : NULL, key,
                                        prev ? section_value(prev->doc_checked, key) : NULL, value,
                                        prev ? section_same_known(same, doc, prev->doc_checked, key) : -1, NULL, &kept)
                           : NULL;
        if (!part) part = schema_check_required_section(form, i, value);
        if (key) part_keep(parts, key, part, kept);
        json_array_extend(all, part);
        json_decref(part);
    }
    return all;
}

static int check(const struct pack *p, const json_t *doc, day_t as_of, const json_t *ctx, bool shape,
                 const struct policy_trace *prev, struct policy_trace **next, json_t **findings, json_t **derived,
                 struct err *e)
{
    json_t *rule_findings;
    if (next) *next = NULL;
    /* ctx.target "inspection": the self-inspection report, checked against its own form */
    const char *target = json_string_value(json_object_get(ctx, "target"));
    const json_t *form = target && strcmp(target, "inspection") == 0 ? p->inspection_form : p->form;
    if (!form) {
        *findings = NULL;
        return err_set(e, ERR_VALIDATION, NULL, "the policy pack has no form for %s", "策略包没有 %s 的表单", target);
    }
    /* after a trace of the same pack and form, the parts whose values are unchanged are reused */
    const struct policy_trace *same = prev && prev->prog == p->rules && prev->p == p && prev->form == form &&
                                              prev->doc_checked ? prev : NULL;
    json_t *shape_parts = next && shape ? json_object() : NULL, *required_parts = next && shape ? json_object() : NULL;
    struct same_members members = {0};
    json_t *all = shape ? shape_checked(form, doc, same, shape_parts, &members) : json_array();
    /* completeness now, while the document is still in the cache (its findings follow the shape's) */
    json_t *required = shape ? required_checked(form, doc, same, required_parts, &members) : schema_check_required_in(form, doc);
    /* the rules see the document without the values the shape check refused */
    json_t *well_formed = schema_without_findings(doc, all);
    int rc = well_formed ? evaluate(p, well_formed, as_of, ctx, prev, next, &rule_findings, derived, e)
                         : err_set(e, ERR_INTERNAL, NULL, "Out of memory evaluating a document", "评估文档时内存不足");
    json_decref(well_formed);
    if (rc != 0) {
        json_decref(all);
        json_decref(required);
        json_decref(shape_parts);
        json_decref(required_parts);
        *findings = NULL;
        return -1;
    }
    if (next && *next && shape_parts && required_parts) {
        (*next)->form = form;
        (*next)->doc_checked = json_incref((json_t *)doc);
        (*next)->shape_parts = shape_parts;
        (*next)->required_parts = required_parts;
    } else {
        json_decref(shape_parts);
        json_decref(required_parts);
    }
    json_array_extend(all, required);
    json_array_extend(all, rule_findings);
    json_decref(required);
    json_decref(rule_findings);
    *findings = all;
    return 0;
}

int policy_check(const struct pack *p, const json_t *doc, day_t as_of, const json_t *ctx,
                 json_t **findings, json_t **derived, struct err *e)
{
    return check(p, doc, as_of, ctx, true, NULL, NULL, findings, derived, e);
}

int policy_check_shaped(const struct pack *p, const json_t *doc, day_t as_of, const json_t *ctx,
                        json_t **findings, json_t **derived, struct err *e)
{
    return check(p, doc, as_of, ctx, false, NULL, NULL, findings, derived, e);
}

int policy_check_traced(const struct pack *p, const json_t *doc, day_t as_of, const json_t *ctx,
                        const struct policy_trace *prev, struct policy_trace **next, json_t **findings,
                        json_t **derived, struct err *e)
{
    return check(p, doc, as_of, ctx, true, prev, next, findings, derived, e);
}

const json_t *policy_rules(const struct pack *p)
{
    return p && p->rules ? p->rules->rules : NULL;
}

struct policy_counts policy_count(const json_t *findings)
{
    struct policy_counts c = {0, 0, 0};
    size_t i;
    const json_t *f;
    json_array_foreach(findings, i, f) {
        const char *s = json_string_value(json_object_get(f, "severity"));
        if (!s)
            continue;
        if (strcmp(s, "error") == 0)
            c.errors++;
        else if (strcmp(s, "warning") == 0)
            c.warnings++;
        else
            c.infos++;
    }
    return c;
}

/* ---- change reports --------------------------------------------------------------------- */

struct change_eval {
    struct sandbox *sb;
    const json_t *before, *after, *diff, *ctx;
    day_t as_of;
    json_t *out;       /* the classification, filled by changes_main */
    char why[WHY_LEN]; /* what went wrong, when out stays NULL */
};

/* The result of changes.lua at idx, checked member by member; NULL with cx->why when malformed. */
static json_t *take_change(struct change_eval *cx, lua_State *L, int idx)
{
    if (!lua_istable(L, idx)) {
        snprintf(cx->why, sizeof cx->why, "changes.lua returned a %s, not a table", luaL_typename(L, idx));
        return NULL;
    }
    json_t *out = json_object();
    int t = lua_getfield(L, idx, "class");
    const char *cls = t == LUA_TSTRING ? lua_tostring(L, -1) : "";
    if (strcmp(cls, "major") != 0 && strcmp(cls, "minor") != 0) {
        snprintf(cx->why, sizeof cx->why, "changes.lua returned a class that is not \"major\" or \"minor\"");
        goto bad;
    }
    json_object_set_new(out, "class", json_string(cls));
    json_t *reasons = NULL;
    if (lua_getfield(L, idx, "reasons") != LUA_TTABLE || !(reasons = take_reasons(L, lua_gettop(L)))) {
        snprintf(cx->why, sizeof cx->why, "changes.lua returned reasons that are not a list of {code, zh, en}");
        goto bad;
    }
    json_object_set_new(out, "reasons", reasons);
    t = lua_getfield(L, idx, "report_by");
    day_t d;
    if (t == LUA_TSTRING && date_parse(lua_tostring(L, -1), &d) == 0)
        json_object_set_new(out, "report_by", json_string(lua_tostring(L, -1)));
    else if (t == LUA_TNIL)
        json_object_set_new(out, "report_by", json_null());
    else {
        snprintf(cx->why, sizeof cx->why, "changes.lua returned a report_by that is not a day YYYY-MM-DD");
        goto bad;
    }
    t = lua_getfield(L, idx, "late");
    json_object_set_new(out, "late", json_boolean(t == LUA_TBOOLEAN && lua_toboolean(L, -1)));
    t = lua_getfield(L, idx, "late_reason");
    if (t == LUA_TTABLE) {
        lua_newtable(L);
        lua_pushvalue(L, -2);
        lua_rawseti(L, -2, 1);
        json_t *one = take_reasons(L, lua_gettop(L));
        if (!one) {
            snprintf(cx->why, sizeof cx->why, "changes.lua returned a late_reason that is not {code, zh, en}");
            goto bad;
        }
        json_object_set(out, "late_reason", json_array_get(one, 0));
        json_decref(one);
    } else {
        json_object_set_new(out, "late_reason", json_null());
    }
    return out;
bad:
    json_decref(out);
    return NULL;
}

static int changes_main(lua_State *L)
{
    struct change_eval *cx = lua_touserdata(L, 1);
    lua_settop(L, 1);
    lua_rawgeti(L, LUA_REGISTRYINDEX, sandbox_changes_ref(cx->sb));
    const json_t *docs[3] = {cx->before, cx->after, cx->diff};
    for (int i = 0; i < 3; i++) {
        sandbox_push_json(L, docs[i]);
        if (!lua_istable(L, -1)) {
            lua_pop(L, 1);
            lua_newtable(L);
        }
    }
    if (json_is_object(cx->ctx))
        sandbox_push_json(L, cx->ctx);
    else
        lua_newtable(L);
    char as_of[11];
    date_format(cx->as_of, as_of);
    lua_pushstring(L, as_of);
    lua_setfield(L, -2, "as_of");
    enum sandbox_outcome o = sandbox_call(cx->sb, 4, 1, cx->why, sizeof cx->why);
    if (o == SANDBOX_OK)
        cx->out = take_change(cx, L, lua_gettop(L));
    else if (o != SANDBOX_RUNTIME_ERROR)
        snprintf(cx->why, sizeof cx->why, "changes.lua ran past its %s budget",
                 o == SANDBOX_MEMORY ? "memory" : "instruction");
    return 0;
}

/* The fail-safe classification: a change the pack cannot classify gets the full review. */
static json_t *change_unclassified(const char *why_en)
{
    char en[WHY_LEN + 80], zh[WHY_LEN + 80];
    snprintf(en, sizeof en, "the change could not be classified, so it is reviewed in full (%s)", why_en);
    snprintf(zh, sizeof zh, "无法判定变更类别，按重大变更全面审核（%s）", why_en);
    json_t *r = json_pack("{s:s s:s s:s}", "code", "unclassified", "zh", zh, "en", en);
    return json_pack("{s:s s:[o] s:n s:b s:n}", "class", "major", "reasons", r, "report_by", "late", 0,
                     "late_reason");
}

int policy_classify_change(const struct pack *p, const json_t *before, const json_t *after, day_t as_of,
                           const json_t *ctx, json_t **out, struct err *e)
{
    *out = NULL;
    json_t *diff = docdiff(before, after);
    if (!diff)
        return err_set(e, ERR_INTERNAL, NULL, "Out of memory comparing documents", "比较文档时内存不足");
    struct change_eval cx = {NULL, before, after, diff, ctx, as_of, NULL, ""};
    struct cache_slot *slot = p->rules ? state_for(p, e) : NULL;
    if (p->rules && !slot) {
        json_decref(diff);
        return -1;
    }
    if (!slot || sandbox_changes_ref(slot->sb) == LUA_NOREF) {
        snprintf(cx.why, sizeof cx.why, "the policy pack has no changes.lua");
    } else {
        cx.sb = slot->sb;
        lua_State *L = sandbox_lua(cx.sb);
        lua_settop(L, 0);
        lua_pushcfunction(L, changes_main);
        lua_pushlightuserdata(L, &cx);
        int status = lua_pcall(L, 1, 0, 0);
        if (status != LUA_OK) {
            snprintf(cx.why, sizeof cx.why, "%s", lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "?");
            json_decref(cx.out);
            cx.out = NULL;
            state_drop(p);
        } else {
            lua_settop(L, 0);
        }
    }
    json_decref(diff);
    *out = cx.out ? cx.out : change_unclassified(cx.why);
    return *out ? 0 : err_set(e, ERR_INTERNAL, NULL, "Out of memory classifying a change", "判定变更类别时内存不足");
}
