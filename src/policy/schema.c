/* schema.c — checks a filing document against the pack's form schema: its shape (what may be
 * stored, even in a draft) and its completeness (what must be filled before submission).
 *
 * Both walks follow the form definition, never the document alone, so their depth and work are
 * bounded by the form; a list longer than its max_items is reported once and only its first
 * max_items entries are examined. Nothing here keeps state between calls: regular expressions are
 * compiled per check (the form has few patterns), so any number of threads may validate at once
 * against one shared, read-only pack. Findings name the field by its label and its JSON pointer.
 *
 * An empty string, like null, means "not filled": it passes the shape checks of enums, dates and
 * patterns (forms send "" for an untouched input) and counts as missing for completeness. */
#include "policy/schema.h"

#include <pthread.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/date.h"
#include "core/utf8.h"
#include "policy/pattern.h"

#define SOURCE "策略包的表单定义（form.json）：字段类型、选项、长度、格式与必填项"
#define SEVERITY "error"

enum { SHOWN_VALUE_CODEPOINTS = 40 };

/* ---- small helpers ---------------------------------------------------------------------- */

/* A JSON pointer under construction: segments are pushed and later cut back, and its text (RFC
 * 6901: ~ → ~0, / → ~1) is written only when a finding or a caller asks for it; most values pass.
 * A key segment points at the key itself, which outlives it (the document's or the form's). */
struct segment {
    const char *key;   /* NULL: an index */
    size_t index;
};

enum { PATH_ROOM_SEGMENTS = 16, PATH_ROOM_TEXT = 256 };

struct path {
    struct segment *segments;   /* room: at first the path's own (no allocation for most walks) */
    size_t n, cap;
    char *text;
    size_t text_cap;
    struct segment room_segments[PATH_ROOM_SEGMENTS];
    char room_text[PATH_ROOM_TEXT];
};

/* The state of one check: where it is, and what it has found. */
struct walk {
    json_t *findings;
    struct path path;
};

/* An empty path, using its own room (it must not be copied after). */
static void path_init(struct path *p)
{
    p->segments = p->room_segments;
    p->cap = PATH_ROOM_SEGMENTS;
    p->n = 0;
    p->text = p->room_text;
    p->text_cap = PATH_ROOM_TEXT;
}

/* a larger array for *arr of *cap elements of size (its own room is not freed) */
static void path_grow(void **arr, size_t *cap, size_t need, size_t size, const void *room)
{
    size_t n = *cap * 2;
    while (n < need) n *= 2;
    void *bigger = *arr == room ? malloc(n * size) : realloc(*arr, n * size);
    if (!bigger)
        abort(); /* out of memory while validating: nothing sensible to return */
    if (*arr == room) memcpy(bigger, room, *cap * size);
    *arr = bigger;
    *cap = n;
}

/* Pushes a segment; returns the mark to cut back to. */
static size_t path_push_segment(struct path *p, struct segment s)
{
    if (p->n == p->cap)
        path_grow((void **)&p->segments, &p->cap, p->n + 1, sizeof *p->segments, p->room_segments);
    p->segments[p->n] = s;
    return p->n++;
}

static size_t path_push(struct path *p, const char *key)
{
    return path_push_segment(p, (struct segment){key, 0});
}

static size_t path_push_index(struct path *p, size_t index)
{
    return path_push_segment(p, (struct segment){NULL, index});
}

static void path_cut(struct path *p, size_t mark)
{
    p->n = mark;
}

/* The pointer's text, valid until the path is next changed or asked for its text. */
static const char *path_text(struct path *p)
{
    size_t need = 1;
    for (size_t i = 0; i < p->n; i++)
        need += 1 + (p->segments[i].key ? 2 * strlen(p->segments[i].key) : 20);
    if (need > p->text_cap)
        path_grow((void **)&p->text, &p->text_cap, need, 1, p->room_text);
    size_t len = 0;
    for (size_t i = 0; i < p->n; i++) {
        p->text[len++] = '/';
        const char *c = p->segments[i].key;
        if (!c) {
            len += (size_t)sprintf(p->text + len, "%zu", p->segments[i].index);
            continue;
        }
        for (; *c; c++) {
            if (*c == '~' || *c == '/') {
                p->text[len++] = '~';
                p->text[len++] = *c == '~' ? '0' : '1';
            } else {
                p->text[len++] = *c;
            }
        }
    }
    p->text[len] = '\0';
    return p->text;
}

static void path_free(struct path *p)
{
    if (p->segments != p->room_segments) free(p->segments);
    if (p->text != p->room_text) free(p->text);
}

/* printf into a fresh heap string. */
#if defined(__GNUC__)
__attribute__((format(printf, 1, 2)))
#endif
static char *format(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *s = malloc((size_t)(n < 0 ? 0 : n) + 1);
    if (!s)
        abort();
    va_start(ap, fmt);
    vsnprintf(s, (size_t)(n < 0 ? 0 : n) + 1, fmt, ap);
    va_end(ap);
    return s;
}

static size_t utf8_codepoints(const char *s, size_t bytes)
{
    size_t count = 0;
    for (size_t i = 0; i < bytes; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            count++;
    return count;
}

/* A copy of s cut to SHOWN_VALUE_CODEPOINTS code points (never inside one), for messages. */
static char *shown(const char *s)
{
    size_t i = 0, points = 0;
    while (s[i]) {
        if (((unsigned char)s[i] & 0xC0) != 0x80 && ++points > SHOWN_VALUE_CODEPOINTS)
            break;
        i++;
    }
    return s[i] ? format("%.*s…", (int)i, s) : format("%s", s);
}

static const char *label(const json_t *def, const char *lang)
{
    const char *text = json_string_value(json_object_get(json_object_get(def, "label"), lang));
    return text ? text : json_string_value(json_object_get(def, "key"));
}

static const char *def_type(const json_t *def)
{
    const char *type = json_string_value(json_object_get(def, "type"));
    return type ? type : "";
}

static bool def_has(const json_t *def, const char *attr, long long *value)
{
    const json_t *v = json_object_get(def, attr);
    if (!json_is_integer(v))
        return false;
    *value = json_integer_value(v);
    return true;
}

static const json_t *find_by_key(const json_t *defs, const char *key)
{
    size_t i;
    const json_t *def;
    json_array_foreach(defs, i, def) {
        const char *k = json_string_value(json_object_get(def, "key"));
        if (k && strcmp(k, key) == 0)
            return def;
    }
    return NULL;
}

static const json_t *form_sections(const json_t *form)
{
    return json_object_get(form, "sections");
}

/* NULL and invalid UTF-8 become "": a finding never loses a member because of them. */
static json_t *string_or_empty(const char *s)
{
    size_t len = s ? strlen(s) : 0;
    return s && utf8_valid(s, len) ? json_stringn_nocheck(s, len) : json_string("");
}

void finding_add(json_t *findings, const char *rule, const char *severity, const char *path,
                 const char *msg_zh, const char *msg_en, const char *source)
{
    json_t *f = json_object();
    json_t *msg = json_object();
    json_object_set_new(msg, "zh", string_or_empty(msg_zh));
    json_object_set_new(msg, "en", string_or_empty(msg_en));
    json_object_set_new(f, "rule", string_or_empty(rule));
    json_object_set_new(f, "severity", string_or_empty(severity));
    json_object_set_new(f, "path", string_or_empty(path));
    json_object_set_new(f, "message", msg);
    json_object_set_new(f, "source", string_or_empty(source));
    json_object_set_new(f, "overridable", json_false()); /* rules.c marks the findings of overridable rules */
    json_array_append_new(findings, f);
}

/* Adds a finding at the current path and frees both messages. */
static void report(struct walk *w, const char *rule, char *zh, char *en)
{
    finding_add(w->findings, rule, SEVERITY, path_text(&w->path), zh, en, SOURCE);
    free(zh);
    free(en);
}

/* ---- the form, compiled ----------------------------------------------------------------- */

/* What the shape and completeness checks read of a field's definition, read once per form: its
 * type as a kind, its bounds, pattern and option codes, and its fields. The checks then walk these
 * instead of looking each attribute up in the form's JSON for every value they check (that lookup
 * was most of their cost). The definition itself stays at hand for the messages. */
enum field_kind {
    FIELD_TEXT, FIELD_INT, FIELD_BOOL, FIELD_DATE, FIELD_ENUM, FIELD_ID, FIELD_OBJECT,
    FIELD_ENUM_LIST, FIELD_TEXT_LIST, FIELD_MATERIAL_LIST,
    FIELD_OBJECT_LIST   /* list<object>, and a type the form does not know (checked as one) */
};

struct option_code { const char *text; size_t len; };

struct field_list { struct field *items; size_t n; };

struct field {
    const char *key;         /* NULL: the definition has none, or an earlier one has the same */
    const json_t *def;       /* for the messages: labels, pattern hints, options */
    const char *type;        /* as the form writes it; "" when it does not */
    enum field_kind kind;
    bool required;
    bool listed;             /* a list for completeness: enum[], text[], material[], list<object> */
    bool has_max_length, has_min, has_max, has_max_items;
    long long max_length, min, max, max_items, min_items;
    const char *pattern;
    struct option_code *options;   /* the string codes among the options (no other value can match) */
    size_t n_options;
    struct field_list fields;      /* an object's, a list of objects', a section's */
};

static const struct {
    const char *type;
    enum field_kind kind;
} KINDS[] = {
    {"text", FIELD_TEXT}, {"int", FIELD_INT}, {"bool", FIELD_BOOL}, {"date", FIELD_DATE},
    {"enum", FIELD_ENUM}, {"material", FIELD_ID}, {"org_ref", FIELD_ID}, {"evaluation_ref", FIELD_ID},
    {"object", FIELD_OBJECT}, {"enum[]", FIELD_ENUM_LIST}, {"text[]", FIELD_TEXT_LIST},
    {"material[]", FIELD_MATERIAL_LIST}, {"list<object>", FIELD_OBJECT_LIST},
};

static bool compile_fields(const json_t *defs, struct field_list *out);

/* false when out of memory */
static bool compile_field(const json_t *def, struct field *f)
{
    f->def = def;
    f->key = json_string_value(json_object_get(def, "key"));
    f->type = def_type(def);
    f->kind = FIELD_OBJECT_LIST;
    for (size_t i = 0; i < sizeof KINDS / sizeof KINDS[0]; i++)
        if (strcmp(KINDS[i].type, f->type) == 0) f->kind = KINDS[i].kind;
    f->required = json_is_true(json_object_get(def, "required"));
    f->listed = f->kind >= FIELD_ENUM_LIST && (f->kind != FIELD_OBJECT_LIST || strcmp(f->type, "list<object>") == 0);
    f->has_max_length = def_has(def, "max_length", &f->max_length);
    f->has_min = def_has(def, "min", &f->min);
    f->has_max = def_has(def, "max", &f->max);
    f->has_max_items = def_has(def, "max_items", &f->max_items);
    def_has(def, "min_items", &f->min_items);
    f->pattern = json_string_value(json_object_get(def, "pattern"));
    const json_t *options = json_object_get(def, "options");
    if (json_array_size(options) && !(f->options = calloc(json_array_size(options), sizeof *f->options)))
        return false;
    size_t i;
    const json_t *option;
    json_array_foreach(options, i, option) {
        const json_t *code = json_object_get(option, "value");
        if (json_is_string(code))
            f->options[f->n_options++] = (struct option_code){json_string_value(code), json_string_length(code)};
    }
    return compile_fields(json_object_get(def, "fields"), &f->fields);
}

static bool compile_fields(const json_t *defs, struct field_list *out)
{
    *out = (struct field_list){0};
    size_t n = json_array_size(defs), i;
    if (!n) return true;
    if (!(out->items = calloc(n, sizeof *out->items))) return false;
    const json_t *def;
    json_array_foreach(defs, i, def) {
        struct field *f = &out->items[out->n++];
        if (!compile_field(def, f)) return false;
        for (size_t k = 0; k + 1 < out->n && f->key; k++)   /* a key's first definition is the one */
            if (out->items[k].key && strcmp(out->items[k].key, f->key) == 0) f->key = NULL;
    }
    return true;
}

/* The field of list named key, or NULL. Members mostly come in the form's order, so the search
 * starts after the field found last (*next), and goes round. */
static const struct field *field_named(const struct field_list *list, const char *key, size_t *next)
{
    for (size_t k = 0; k < list->n; k++) {
        size_t i = (*next + k) % list->n;
        const struct field *f = &list->items[i];
        if (f->key && f->key[0] == key[0] && strcmp(f->key, key) == 0) {
            *next = i + 1;
            return f;
        }
    }
    return NULL;
}

/* A form's plan, made once per form (forms do not change while loaded): the form compiled for the
 * checks (its sections, as fields whose fields are theirs); where its material fields are — its
 * fields that are one, or hold one below, and nothing else, so that a walk of a document visits
 * only those — and its fields filled from the organisation's record. The plan holds a reference to
 * its form, so that no other form can take its address, and both live as long as the process. */
enum plan_kind { PLAN_MATERIAL, PLAN_MATERIALS, PLAN_OBJECT, PLAN_OBJECTS };

struct plan_list { struct plan_field *items; size_t n; };

struct plan_field {
    const char *key;
    const json_t *def;
    enum plan_kind kind;
    long long max_items;   /* -1: no limit */
    struct plan_list fields;   /* PLAN_OBJECT, PLAN_OBJECTS */
};

struct form_plan {
    const json_t *form;
    struct field_list sections;      /* compiled for the checks, every section in the form's order */
    struct plan_list material_sections;
    struct schema_record_field *record_fields;
    size_t n_record_fields;
    struct form_plan *next;
};

/* the plans made so far, newest first: read without the lock (a plan is complete before it is
 * published, and never changes after), added to under it */
static struct form_plan *plans_known;
static pthread_mutex_t plans_mu = PTHREAD_MUTEX_INITIALIZER;

/* the plan of defs (a "fields" array); false when out of memory */
static bool plan_fields(const json_t *defs, struct plan_list *out)
{
    *out = (struct plan_list){0};
    size_t n = json_array_size(defs), i;
    if (!n) return true;
    if (!(out->items = calloc(n, sizeof *out->items))) return false;
    const json_t *def;
    json_array_foreach(defs, i, def) {
        const char *type = def_type(def);
        const char *key = json_string_value(json_object_get(def, "key"));
        if (!key) continue;
        struct plan_field f = {key, def, PLAN_MATERIAL, -1, {0}};
        long long max = 0;
        if (def_has(def, "max_items", &max)) f.max_items = max;
        if (strcmp(type, "material") == 0) f.kind = PLAN_MATERIAL;
        else if (strcmp(type, "material[]") == 0) f.kind = PLAN_MATERIALS;
        else if (strcmp(type, "object") == 0 || strcmp(type, "list<object>") == 0) {
            f.kind = strcmp(type, "object") == 0 ? PLAN_OBJECT : PLAN_OBJECTS;
            if (!plan_fields(json_object_get(def, "fields"), &f.fields)) return false;
            if (!f.fields.n) {   /* nothing below to look at */
                free(f.fields.items);
                continue;
            }
        } else {
            continue;
        }
        out->items[out->n++] = f;
    }
    return true;
}

/* fp's plan of form; false when out of memory */
static bool plan_make(struct form_plan *fp, const json_t *form)
{
    const json_t *sections = form_sections(form);
    if (!compile_fields(sections, &fp->sections)) return false;
    /* the sections as fields of a top-level object */
    size_t n = json_array_size(sections), i;
    if (n && !(fp->material_sections.items = calloc(n, sizeof *fp->material_sections.items))) return false;
    const json_t *section;
    json_array_foreach(sections, i, section) {
        const char *key = json_string_value(json_object_get(section, "key"));
        struct plan_field f = {key, section, PLAN_OBJECT, -1, {0}};
        if (!key) continue;
        if (!plan_fields(json_object_get(section, "fields"), &f.fields)) return false;
        if (f.fields.n) fp->material_sections.items[fp->material_sections.n++] = f;
        else free(f.fields.items);
    }
    /* the sections' fields filled from the organisation's record */
    size_t k, records = 0;
    const json_t *def;
    json_array_foreach(sections, i, section)
        json_array_foreach(json_object_get(section, "fields"), k, def)
            records += json_is_string(json_object_get(def, "from_record"));
    if (records && !(fp->record_fields = calloc(records, sizeof *fp->record_fields))) return false;
    json_array_foreach(sections, i, section) {
        json_array_foreach(json_object_get(section, "fields"), k, def) {
            const char *member = json_string_value(json_object_get(def, "from_record"));
            const char *section_key = json_string_value(json_object_get(section, "key"));
            const char *key = json_string_value(json_object_get(def, "key"));
            if (!member || !section_key || !key || fp->n_record_fields == records) continue;
            struct schema_record_field *rf = &fp->record_fields[fp->n_record_fields++];
            rf->def = def;
            rf->member = member;
            snprintf(rf->path, sizeof rf->path, "/%s/%s", section_key, key);
        }
    }
    return true;
}

static const struct form_plan *plan_of(const json_t *form)
{
    for (struct form_plan *fp = __atomic_load_n(&plans_known, __ATOMIC_ACQUIRE); fp; fp = fp->next)
        if (fp->form == form) return fp;
    pthread_mutex_lock(&plans_mu);
    struct form_plan *fp = plans_known;
    while (fp && fp->form != form) fp = fp->next;
    if (!fp && (fp = calloc(1, sizeof *fp))) {
        if (!plan_make(fp, form)) {   /* out of memory: no plan (a half-made one is not freed: rare) */
            free(fp);
            fp = NULL;
        } else {
            fp->form = json_incref((json_t *)form);
            fp->next = plans_known;
            __atomic_store_n(&plans_known, fp, __ATOMIC_RELEASE);
        }
    }
    pthread_mutex_unlock(&plans_mu);
    return fp;
}

/* ---- shape ------------------------------------------------------------------------------ */

/* What a value of each type looks like, as a message ends: "… must be <en>" / "…应为<zh>". */
struct expectation {
    const char *type;
    const char *en;
    const char *zh;
};

static const struct expectation EXPECTED[] = {
    {"text", "text", "文本"},
    {"int", "a whole number", "整数"},
    {"bool", "true or false", "布尔值（是或否）"},
    {"date", "a date written YYYY-MM-DD", "日期（YYYY-MM-DD）"},
    {"enum", "one of its option codes (a string)", "选项代码（字符串）"},
    {"enum[]", "a list of option codes", "选项代码列表"},
    {"text[]", "a list of texts", "文本列表"},
    {"object", "an object", "对象"},
    {"list<object>", "a list of entries", "条目列表"},
    {"material", "a material id (a positive whole number)", "材料编号（正整数）"},
    {"material[]", "a list of material ids", "材料编号列表"},
    {"org_ref", "an organisation id (a positive whole number)", "单位编号（正整数）"},
    {"evaluation_ref", "a provider evaluation id (a positive whole number)", "云服务商评估编号（正整数）"},
};

static void report_type(struct walk *w, const json_t *def, const char *type)
{
    const struct expectation *x = &EXPECTED[0];
    for (size_t i = 0; i < sizeof EXPECTED / sizeof EXPECTED[0]; i++)
        if (strcmp(EXPECTED[i].type, type) == 0)
            x = &EXPECTED[i];
    const char *at = path_text(&w->path);
    report(w, "FORM-TYPE", format("%s（%s）应为%s", label(def, "zh"), at, x->zh),
           format("%s (%s) must be %s", label(def, "en"), at, x->en));
}

/* Compiled patterns, per thread (validation runs on many threads at once; a regex_t is not
 * shared): a small cache keyed by the pattern text, freed when the thread ends. Compiling is
 * far dearer than matching, and a form has only a handful of patterns. */
#define PATTERN_CACHE 16
struct pattern_cache {
    int count;
    struct { char pattern[PATTERN_MAX + 1]; regex_t re; bool ok; } slot[PATTERN_CACHE];
};
static pthread_key_t pattern_key;
static pthread_once_t pattern_once = PTHREAD_ONCE_INIT;

static void pattern_cache_free(void *p)
{
    struct pattern_cache *c = p;
    for (int i = 0; i < c->count; i++)
        if (c->slot[i].ok) regfree(&c->slot[i].re);
    free(c);
}

static void pattern_key_make(void) { pthread_key_create(&pattern_key, pattern_cache_free); }

/* The compiled form of pattern for this thread, or NULL when it does not compile. */
static const regex_t *pattern_compiled(const char *pattern)
{
    pthread_once(&pattern_once, pattern_key_make);
    struct pattern_cache *c = pthread_getspecific(pattern_key);
    if (!c) {
        c = calloc(1, sizeof *c);
        if (!c) return NULL;
        pthread_setspecific(pattern_key, c);
    }
    for (int i = 0; i < c->count; i++)
        if (strcmp(c->slot[i].pattern, pattern) == 0) return c->slot[i].ok ? &c->slot[i].re : NULL;
    int i = c->count < PATTERN_CACHE ? c->count++ : PATTERN_CACHE - 1;
    if (i == PATTERN_CACHE - 1 && c->slot[i].ok) regfree(&c->slot[i].re); /* full: reuse the last slot */
    snprintf(c->slot[i].pattern, sizeof c->slot[i].pattern, "%s", pattern);
    c->slot[i].ok = pattern_compile(pattern, &c->slot[i].re) == 0;
    return c->slot[i].ok ? &c->slot[i].re : NULL;
}

/* Does the whole of s (bytes long, may hold NUL) match? A pattern that does not compile matches
 * nothing; pack_load has already rejected such packs. */
static bool pattern_matches(const char *pattern, const char *s, size_t bytes)
{
    if (strlen(s) != bytes || strlen(pattern) > PATTERN_MAX) return false;
    const regex_t *re = pattern_compiled(pattern);
    return re && regexec(re, s, 0, NULL, 0) == 0;
}

static void check_text(struct walk *w, const struct field *f, const json_t *value)
{
    if (!json_is_string(value)) {
        report_type(w, f->def, "text");
        return;
    }
    const char *s = json_string_value(value);
    size_t bytes = json_string_length(value);
    const json_t *def = f->def;
    if (f->has_max_length && utf8_codepoints(s, bytes) > (size_t)f->max_length) {
        const char *at = path_text(&w->path);
        report(w, "FORM-LENGTH", format("%s（%s）不能超过%lld个字符", label(def, "zh"), at, f->max_length),
               format("%s (%s) must be at most %lld characters", label(def, "en"), at, f->max_length));
    }
    const char *pattern = f->pattern;
    if (!pattern || bytes == 0 || pattern_matches(pattern, s, bytes))
        return;
    /* in words when the pack says what the pattern wants (pattern_hint), else the pattern itself */
    const char *at = path_text(&w->path);
    const json_t *hint = json_object_get(def, "pattern_hint");
    const char *hint_zh = json_string_value(json_object_get(hint, "zh"));
    const char *hint_en = json_string_value(json_object_get(hint, "en"));
    char *value_shown = shown(s);
    if (hint_zh && hint_en)
        report(w, "FORM-PATTERN", format("%s（%s）格式不正确：“%s”不符合要求，应为%s", label(def, "zh"), at, value_shown, hint_zh),
               format("%s (%s): \"%s\" is not in the required form, which is %s", label(def, "en"), at, value_shown,
                      hint_en));
    else
        report(w, "FORM-PATTERN", format("%s（%s）格式不正确，应符合 %s", label(def, "zh"), at, pattern),
               format("%s (%s) does not have the required format %s", label(def, "en"), at, pattern));
    free(value_shown);
}

static void check_int(struct walk *w, const struct field *f, const json_t *value)
{
    if (!json_is_integer(value)) {
        report_type(w, f->def, "int");
        return;
    }
    long long n = json_integer_value(value), min = f->min, max = f->max;
    bool has_min = f->has_min, has_max = f->has_max;
    if ((!has_min || n >= min) && (!has_max || n <= max))
        return;
    const char *at = path_text(&w->path), *zh = label(f->def, "zh"), *en = label(f->def, "en");
    if (has_min && has_max)
        report(w, "FORM-RANGE", format("%s（%s）应在%lld到%lld之间", zh, at, min, max),
               format("%s (%s) must be between %lld and %lld", en, at, min, max));
    else if (has_min)
        report(w, "FORM-RANGE", format("%s（%s）不能小于%lld", zh, at, min),
               format("%s (%s) must be at least %lld", en, at, min));
    else
        report(w, "FORM-RANGE", format("%s（%s）不能大于%lld", zh, at, max),
               format("%s (%s) must be at most %lld", en, at, max));
}

static void check_date(struct walk *w, const struct field *f, const json_t *value)
{
    day_t day;
    if (!json_is_string(value)) {
        report_type(w, f->def, "date");
        return;
    }
    const char *s = json_string_value(value);
    if (json_string_length(value) == 0 || (strlen(s) == json_string_length(value) && date_parse(s, &day) == 0))
        return;
    const char *at = path_text(&w->path);
    char *value_shown = shown(s);
    report(w, "FORM-DATE",
           format("%s（%s）应为有效日期（YYYY-MM-DD），“%s”不是有效日期", label(f->def, "zh"), at, value_shown),
           format("%s (%s) must be a real day written YYYY-MM-DD; \"%s\" is not", label(f->def, "en"), at,
                  value_shown));
    free(value_shown);
}

static void check_enum(struct walk *w, const struct field *f, const json_t *value)
{
    if (!json_is_string(value)) {
        report_type(w, f->def, "enum");
        return;
    }
    size_t len = json_string_length(value);
    if (len == 0)
        return;
    const char *s = json_string_value(value);
    for (size_t k = 0; k < f->n_options; k++)
        if (f->options[k].len == len && memcmp(f->options[k].text, s, len) == 0)
            return;

    /* "a, b, c" and "a（甲）、b（乙）" listing every option code. */
    const json_t *options = json_object_get(f->def, "options");
    size_t i;
    const json_t *option;
    size_t cap_en = 1, cap_zh = 1;
    json_array_foreach(options, i, option) {
        cap_en += strlen(json_string_value(json_object_get(option, "value"))) + 2;
        cap_zh += strlen(json_string_value(json_object_get(option, "value"))) +
                  strlen(label(option, "zh")) + 12;
    }
    char *list_en = calloc(1, cap_en), *list_zh = calloc(1, cap_zh);
    if (!list_en || !list_zh)
        abort();
    json_array_foreach(options, i, option) {
        const char *code = json_string_value(json_object_get(option, "value"));
        if (i) {
            strcat(list_en, ", ");
            strcat(list_zh, "、");
        }
        strcat(list_en, code);
        strcat(list_zh, code);
        strcat(list_zh, "（");
        strcat(list_zh, label(option, "zh"));
        strcat(list_zh, "）");
    }
    const char *at = path_text(&w->path);
    char *value_shown = shown(s);
    report(w, "FORM-ENUM",
           format("%s（%s）应为以下选项之一：%s；“%s”不是有效选项", label(f->def, "zh"), at, list_zh, value_shown),
           format("%s (%s) must be one of %s; \"%s\" is not", label(f->def, "en"), at, list_en, value_shown));
    free(value_shown);
    free(list_en);
    free(list_zh);
}

/* material, org_ref and evaluation_ref: the id of a stored object. */
static void check_id(struct walk *w, const struct field *f, const json_t *value, const char *type)
{
    if (!json_is_integer(value) || json_integer_value(value) < 1)
        report_type(w, f->def, type);
}

static void check_members(struct walk *w, const struct field *container, const json_t *object);

/* The lists: enum[], text[], material[], list<object>. */
static void check_list(struct walk *w, const struct field *f, const json_t *value)
{
    if (!json_is_array(value)) {
        report_type(w, f->def, f->type);
        return;
    }
    size_t count = json_array_size(value), limit = count;
    if (f->has_max_items && count > (size_t)f->max_items) {
        const char *at = path_text(&w->path);
        report(w, "FORM-ITEMS", format("%s（%s）最多%lld项，当前有%zu项", label(f->def, "zh"), at, f->max_items, count),
               format("%s (%s) may have at most %lld entries; it has %zu", label(f->def, "en"), at, f->max_items,
                      count));
        limit = (size_t)f->max_items;
    }
    for (size_t i = 0; i < limit; i++) {
        const json_t *item = json_array_get(value, i);
        if (json_is_null(item))
            continue;
        size_t mark = path_push_index(&w->path, i);
        if (f->kind == FIELD_ENUM_LIST)
            check_enum(w, f, item);
        else if (f->kind == FIELD_TEXT_LIST)
            check_text(w, f, item);
        else if (f->kind == FIELD_MATERIAL_LIST)
            check_id(w, f, item, "material");
        else if (!json_is_object(item))
            report_type(w, f->def, "object");
        else
            check_members(w, f, item);
        path_cut(&w->path, mark);
    }
}

static void check_value(struct walk *w, const struct field *f, const json_t *value)
{
    if (json_is_null(value))
        return;
    switch (f->kind) {
    case FIELD_TEXT: check_text(w, f, value); break;
    case FIELD_INT: check_int(w, f, value); break;
    case FIELD_BOOL:
        if (!json_is_boolean(value))
            report_type(w, f->def, f->type);
        break;
    case FIELD_DATE: check_date(w, f, value); break;
    case FIELD_ENUM: check_enum(w, f, value); break;
    case FIELD_ID: check_id(w, f, value, f->type); break;
    case FIELD_OBJECT:
        if (json_is_object(value))
            check_members(w, f, value);
        else
            report_type(w, f->def, f->type);
        break;
    default: check_list(w, f, value); break;
    }
}

/* The members of a section or object (container): each must be one of its fields and have its
 * shape. */
static void check_members(struct walk *w, const struct field *container, const json_t *object)
{
    const char *key;
    const json_t *value;
    size_t next = 0;
    json_object_foreach((json_t *)object, key, value) {
        size_t mark = path_push(&w->path, key);
        const struct field *f = field_named(&container->fields, key, &next);
        if (f) {
            check_value(w, f, value);
        } else {
            const char *at = path_text(&w->path);
            char *key_shown = shown(key);
            report(w, "FORM-UNKNOWN",
                   format("未知字段（%s）：%s中没有“%s”字段", at, label(container->def, "zh"), key_shown),
                   format("Unknown field %s: %s has no field \"%s\"", at, label(container->def, "en"),
                          key_shown));
            free(key_shown);
        }
        path_cut(&w->path, mark);
    }
}

json_t *schema_check_shape(const struct pack *p, const json_t *doc)
{
    return schema_check_shape_in(p->form, doc);
}

json_t *schema_check_shape_member(const json_t *form, const char *key, const json_t *value)
{
    const struct form_plan *plan = plan_of(form);
    if (!plan)
        abort(); /* out of memory while validating: nothing sensible to return */
    struct walk w = {.findings = json_array()};
    path_init(&w.path);
    size_t mark = path_push(&w.path, key), next = 0;
    const struct field *section = field_named(&plan->sections, key, &next);
    const char *at = path_text(&w.path);
    if (!section) {
        char *key_shown = shown(key);
        report(&w, "FORM-UNKNOWN", format("未知部分（%s）：表单中没有“%s”部分", at, key_shown),
               format("Unknown section %s: the form has no section \"%s\"", at, key_shown));
        free(key_shown);
    } else if (json_is_object(value)) {
        check_members(&w, section, value);
    } else if (!json_is_null(value)) {
        report(&w, "FORM-TYPE", format("%s（%s）应为对象", label(section->def, "zh"), at),
               format("%s (%s) must be an object", label(section->def, "en"), at));
    }
    path_cut(&w.path, mark);
    path_free(&w.path);
    return w.findings;
}

json_t *schema_check_shape_in(const json_t *form, const json_t *doc)
{
    json_t *all = json_array();
    if (!json_is_object(doc)) {
        finding_add(all, "FORM-TYPE", SEVERITY, "", "备案文档应为 JSON 对象，每个部分一个成员",
                    "The filing document must be a JSON object with one member per section", SOURCE);
        return all;
    }
    const char *key;
    const json_t *value;
    json_object_foreach((json_t *)doc, key, value) {
        json_t *part = schema_check_shape_member(form, key, value);
        json_array_extend(all, part);
        json_decref(part);
    }
    return all;
}

/* ---- completeness ----------------------------------------------------------------------- */

/* Empty or only white space (ASCII or the ideographic space U+3000). */
static bool is_blank(const char *s, size_t bytes)
{
    for (size_t i = 0; i < bytes;) {
        unsigned char c = (unsigned char)s[i];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
            i++;
        else if (c == 0xE3 && i + 2 < bytes && (unsigned char)s[i + 1] == 0x80 && (unsigned char)s[i + 2] == 0x80)
            i += 3;
        else
            return false;
    }
    return true;
}

static bool is_missing(const json_t *value)
{
    return !value || json_is_null(value) ||
           (json_is_string(value) && is_blank(json_string_value(value), json_string_length(value)));
}

static bool type_is_list(const char *type)
{
    return strcmp(type, "enum[]") == 0 || strcmp(type, "text[]") == 0 ||
           strcmp(type, "list<object>") == 0 || strcmp(type, "material[]") == 0;
}

static void report_required(struct walk *w, const json_t *def)
{
    const char *at = path_text(&w->path);
    report(w, "FORM-REQUIRED", format("%s（%s）为必填项", label(def, "zh"), at),
           format("%s (%s) is required", label(def, "en"), at));
}

static void require_members(struct walk *w, const struct field_list *fields, const json_t *object);

static void require_value(struct walk *w, const struct field *f, const json_t *value)
{
    if (f->listed) {
        if (value && !json_is_null(value) && !json_is_array(value))
            return; /* a shape error, reported by schema_check_shape */
        size_t filled = 0;
        for (size_t i = 0; i < json_array_size(value); i++)
            filled += !json_is_null(json_array_get(value, i));
        size_t needed = f->min_items > 1 ? (size_t)f->min_items : 1;
        if (f->required && filled == 0 && needed == 1) {
            report_required(w, f->def);
        } else if (f->required && filled < needed) {
            const char *at = path_text(&w->path);
            report(w, "FORM-REQUIRED",
                   format("%s（%s）至少需要%zu项，当前有%zu项", label(f->def, "zh"), at, needed, filled),
                   format("%s (%s) needs at least %zu entries; it has %zu", label(f->def, "en"), at, needed, filled));
        }
        if (f->kind != FIELD_OBJECT_LIST)
            return;
        for (size_t i = 0; i < json_array_size(value); i++) {
            const json_t *item = json_array_get(value, i);
            if (!json_is_object(item))
                continue;
            size_t mark = path_push_index(&w->path, i);
            require_members(w, &f->fields, item);
            path_cut(&w->path, mark);
        }
        return;
    }
    if (!f->required)
        return;
    if (is_missing(value))
        report_required(w, f->def);
    else if (f->kind == FIELD_OBJECT && json_is_object(value))
        require_members(w, &f->fields, value);
}

/* object may be NULL (the section or object is absent): then every required field is missing. */
static void require_members(struct walk *w, const struct field_list *fields, const json_t *object)
{
    for (size_t i = 0; i < fields->n; i++) {
        const struct field *f = &fields->items[i];
        const char *key = f->key ? f->key : json_string_value(json_object_get(f->def, "key"));
        if (!key)
            continue;
        size_t mark = path_push(&w->path, key);
        require_value(w, f, object ? json_object_get(object, key) : NULL);
        path_cut(&w->path, mark);
    }
}

json_t *schema_check_required(const struct pack *p, const json_t *doc)
{
    return schema_check_required_in(p->form, doc);
}

json_t *schema_check_required_section(const json_t *form, size_t index, const json_t *value)
{
    const struct form_plan *plan = plan_of(form);
    if (!plan)
        abort(); /* out of memory while validating: nothing sensible to return */
    struct walk w = {.findings = json_array()};
    path_init(&w.path);
    if (index >= plan->sections.n)
        return w.findings;
    const struct field *section = &plan->sections.items[index];
    const char *key = json_string_value(json_object_get(section->def, "key"));
    size_t mark = path_push(&w.path, key ? key : "");
    require_members(&w, &section->fields, json_is_object(value) ? value : NULL);
    path_cut(&w.path, mark);
    path_free(&w.path);
    return w.findings;
}

json_t *schema_check_required_in(const json_t *form, const json_t *doc)
{
    json_t *all = json_array();
    size_t i;
    const json_t *section;
    json_array_foreach(form_sections(form), i, section) {
        const char *key = json_string_value(json_object_get(section, "key"));
        json_t *part = schema_check_required_section(form, i, json_is_object(doc) && key ? json_object_get(doc, key) : NULL);
        json_array_extend(all, part);
        json_decref(part);
    }
    return all;
}

/* ---- lookup ----------------------------------------------------------------------------- */

/* Reads the next segment of a JSON pointer into buf (unescaped); returns the rest or NULL. */
static const char *next_segment(const char *pointer, char *buf, size_t cap)
{
    if (*pointer != '/')
        return NULL;
    pointer++;
    size_t n = 0;
    while (*pointer && *pointer != '/') {
        char c = *pointer++;
        if (c == '~') {
            if (*pointer == '0')
                c = '~';
            else if (*pointer == '1')
                c = '/';
            else
                return NULL;
            pointer++;
        }
        if (n + 1 >= cap)
            return NULL;
        buf[n++] = c;
    }
    buf[n] = '\0';
    return pointer;
}

static bool is_array_index(const char *s)
{
    if (!*s || (s[0] == '0' && s[1]) || strlen(s) > 9)
        return false;
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return false;
    return true;
}

/* A section path ("/subject") returns the section's definition, which has the same key, label,
 * help and fields as an object field; an entry of a list ("/provider/data_centers/0",
 * "/system/domains/1") returns the list's field, which defines its entries. */
const json_t *schema_field_at(const struct pack *p, const char *path)
{
    return p ? schema_field_in(p->form, path) : NULL;
}

const json_t *schema_field_in(const json_t *form, const char *path)
{
    char segment[256];
    if (!form || !path)
        return NULL;
    const char *rest = next_segment(path, segment, sizeof segment);
    if (!rest)
        return NULL;
    const json_t *def = find_by_key(form_sections(form), segment);
    bool at_list_entry = false;
    while (def && *rest) {
        if (!(rest = next_segment(rest, segment, sizeof segment)))
            return NULL;
        const char *type = def_type(def);
        bool is_list = type_is_list(type);
        if (is_list && !at_list_entry) {
            if (!is_array_index(segment))
                return NULL;
            at_list_entry = true;
        } else if ((strcmp(type, "list<object>") == 0 && at_list_entry) || strcmp(type, "object") == 0 ||
                   json_object_get(def, "type") == NULL /* a section */) {
            def = find_by_key(json_object_get(def, "fields"), segment);
            at_list_entry = false;
        } else {
            return NULL; /* below a scalar, or below an entry of a scalar list */
        }
    }
    return def;
}

/* ---- material references ---------------------------------------------------------------- */

static void each_material_in(const struct plan_list *fields, const json_t *object, struct path *path,
                             schema_material_fn fn, void *arg)
{
    for (size_t i = 0; i < fields->n; i++) {
        const struct plan_field *f = &fields->items[i];
        const json_t *value = json_object_get(object, f->key);
        if (!value || json_is_null(value))
            continue;
        size_t mark = path_push(path, f->key);
        if (f->kind == PLAN_MATERIAL) {
            fn(path_text(path), f->def, value, arg);
        } else if (f->kind == PLAN_OBJECT) {
            if (json_is_object(value))
                each_material_in(&f->fields, value, path, fn, arg);
        } else if (json_is_array(value)) {
            size_t count = json_array_size(value);
            if (f->max_items >= 0 && count > (size_t)f->max_items)
                count = (size_t)f->max_items; /* as the shape check: the rest is reported, not examined */
            for (size_t k = 0; k < count; k++) {
                const json_t *item = json_array_get(value, k);
                if (json_is_null(item))
                    continue;
                size_t at = path_push_index(path, k);
                if (f->kind == PLAN_MATERIALS)
                    fn(path_text(path), f->def, item, arg);
                else if (json_is_object(item))
                    each_material_in(&f->fields, item, path, fn, arg);
                path_cut(path, at);
            }
        }
        path_cut(path, mark);
    }
}

void schema_each_material(const json_t *form, const json_t *doc, schema_material_fn fn, void *arg)
{
    const struct form_plan *plan = json_is_object(doc) ? plan_of(form) : NULL;
    if (!plan)
        return;
    struct path path;
    path_init(&path);
    each_material_in(&plan->material_sections, doc, &path, fn, arg);
    path_free(&path);
}

const struct schema_record_field *schema_record_fields(const json_t *form, size_t *n)
{
    const struct form_plan *plan = plan_of(form);
    *n = plan ? plan->n_record_fields : 0;
    return plan ? plan->record_fields : NULL;
}

bool schema_material_accepts(const json_t *def, const char *kind)
{
    if (!kind)
        return false;
    const json_t *kinds = json_object_get(def, "material_kinds");
    size_t i;
    const json_t *k;
    json_array_foreach(kinds, i, k)
        if (json_is_string(k) && strcmp(json_string_value(k), kind) == 0)
            return true;
    const char *one = json_string_value(json_object_get(def, "material_kind"));
    return one && strcmp(one, kind) == 0;
}

/* ---- what the rules see ------------------------------------------------------------------ */

/* Set the value at pointer in doc to null (an entry of a list, a member of an object); a pointer
 * that leads nowhere changes nothing. */
static void null_at(json_t *doc, const char *pointer)
{
    char segment[256];
    json_t *cur = doc;
    const char *rest = pointer;
    while (cur && (rest = next_segment(rest, segment, sizeof segment))) {
        if (!*rest) {
            if (json_is_object(cur) && json_object_get(cur, segment))
                json_object_set_new(cur, segment, json_null());
            else if (json_is_array(cur) && is_array_index(segment) && (size_t)atol(segment) < json_array_size(cur))
                json_array_set_new(cur, (size_t)atol(segment), json_null());
            return;
        }
        cur = json_is_object(cur) ? json_object_get(cur, segment)
              : json_is_array(cur) && is_array_index(segment) ? json_array_get(cur, (size_t)atol(segment))
                                                              : NULL;
    }
}

json_t *schema_without_findings(const json_t *doc, const json_t *findings)
{
    if (json_array_size(findings) == 0 || !json_is_object(doc))
        return json_incref((json_t *)doc);
    json_t *copy = json_deep_copy(doc);
    size_t i;
    const json_t *f;
    json_array_foreach(findings, i, f) {
        const char *path = json_string_value(json_object_get(f, "path"));
        if (copy && path && *path)
            null_at(copy, path);
    }
    return copy;
}
