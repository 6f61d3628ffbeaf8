/* test_memo.c — the memory of policy checks (src/policy/memo.c), which the standing check and the
 * impact analysis use: a check answered from the memo equals the plain, full policy_check of the
 * same inputs, on every document fixture of the default pack and on random edits of the
 * reference filing — in order, again in reverse (answered from the memo), and shuffled after
 * enough other inputs to evict entries. A caller changing what it got back does not change what
 * the memo answers next.
 * The incremental evaluation (policy_check_traced, rules.c): run after an earlier evaluation's
 * trace, so that only the rules whose reads changed run, it equals the full policy_check — on
 * every fixture after the reference filing, on chains of random edits of documents and contexts
 * (materials, overrides, the day, the kind of filing), each after the one before, and after a
 * trace of an unrelated input. Needs BEIAN_POLICY_DIR (meson sets it). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/date.h"
#include "policy/fixtures.h"
#include "policy/memo.h"
#include "policy/pack.h"
#include "policy/rules.h"

static struct pack *pack;

static int setup(void **state)
{
    (void)state;
    const char *base = getenv("BEIAN_POLICY_DIR");
    char dir[4200];
    snprintf(dir, sizeof dir, "%s/cn-cloud", base ? base : ".");
    struct err e = {0};
    if (pack_load(dir, &pack, &e) != 0) {
        fprintf(stderr, "pack_load: %s\n", e.detail_en);
        err_clear(&e);
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    pack_free(pack);
    policy_thread_cleanup();
    return 0;
}

/* A small deterministic generator, so a failure repeats. */
static uint64_t rng = 0x9e3779b97f4a7c15ULL;
static uint32_t next_random(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng >> 16);
}

/* The containers and keys/indexes of every value in doc, for picking one to edit. */
struct spot { json_t *parent; const char *key; size_t index; };

static void collect(json_t *v, struct spot *spots, size_t *n, size_t cap)
{
    const char *key;
    json_t *member;
    size_t i;
    if (json_is_object(v)) {
        json_object_foreach(v, key, member) {
            if (*n < cap) spots[(*n)++] = (struct spot){v, key, 0};
            collect(member, spots, n, cap);
        }
    } else if (json_is_array(v)) {
        json_array_foreach(v, i, member) {
            if (*n < cap) spots[(*n)++] = (struct spot){v, NULL, i};
            collect(member, spots, n, cap);
        }
    }
}

/* obj's members in the reverse order (json_equal does not see it; the shape check's findings
 * follow it). */
static json_t *reversed(const json_t *obj)
{
    const char *keys[512];
    size_t n = 0;
    for (void *it = json_object_iter((json_t *)obj); it && n < 512; it = json_object_iter_next((json_t *)obj, it))
        keys[n++] = json_object_iter_key(it);
    json_t *r = json_object();
    while (n > 0) {
        n--;
        json_object_set(r, keys[n], json_object_get(obj, keys[n]));
    }
    return r;
}

/* One random edit of doc: a value removed, emptied, replaced by another type, a number moved, a
 * flag flipped, a day moved, or an object's members put in another order. */
static void edit(json_t *doc)
{
    struct spot spots[4096];
    size_t n = 0;
    collect(doc, spots, &n, 4096);
    if (n == 0) return;
    struct spot s = spots[next_random() % n];
    json_t *old = s.key ? json_object_get(s.parent, s.key) : json_array_get(s.parent, s.index);
    json_t *now;
    switch (next_random() % 7) {
    case 6:
        if (!json_is_object(old) || json_object_size(old) < 2) return;
        now = reversed(old);
        break;
    case 0:
        if (s.key) json_object_del(s.parent, s.key); else json_array_remove(s.parent, s.index);
        return;
    case 1: now = json_string(""); break;
    case 2: now = json_integer((json_int_t)(next_random() % 100000)); break;
    case 3: now = json_is_boolean(old) ? json_boolean(!json_is_true(old)) : json_null(); break;
    case 4: {
        char day[11];
        date_format(date_from_ymd(2020 + (int)(next_random() % 8), 1 + (int)(next_random() % 12), 1 + (int)(next_random() % 28)), day);
        now = json_string(day);
        break;
    }
    default: now = json_string("x"); break;
    }
    if (s.key) json_object_set_new(s.parent, s.key, now); else json_array_set_new(s.parent, s.index, now);
}

struct input { json_t *doc, *ctx; day_t as_of; json_t *findings, *derived; };

static void plain(struct input *in)
{
    struct err e = {0};
    assert_int_equal(policy_check(pack, in->doc, in->as_of, in->ctx, &in->findings, &in->derived, &e), 0);
}

static void through_memo(struct policy_memo *m, const struct input *in)
{
    json_t *findings, *derived;
    struct err e = {0};
    assert_int_equal(policy_check_memo(m, pack, in->doc, in->as_of, in->ctx, &findings, &derived, &e), 0);
    if (!json_equal(findings, in->findings) || !json_equal(derived, in->derived)) {
        char *got = json_dumps(findings, JSON_COMPACT), *want = json_dumps(in->findings, JSON_COMPACT);
        fail_msg("memo differs from the full check:\n got  %s\n want %s", got, want);
    }
    /* the array is the caller's: emptying it must not change the memo's next answer (the findings
     * in it and derived are shared, read only: memo.h) */
    json_array_clear(findings);
    json_decref(findings);
    json_decref(derived);
}

static void test_memo_equals_full(void **state)
{
    (void)state;
    struct err e = {0};
    json_t *fixtures = fixtures_inputs(pack, &e);
    assert_non_null(fixtures);
    assert_true(json_array_size(fixtures) > 100);
    enum { EDITS = 300 };
    size_t n_fx = json_array_size(fixtures), n = n_fx + EDITS, i;
    struct input *in = calloc(n, sizeof *in);
    json_t *fx;
    json_array_foreach(fixtures, i, fx) {
        day_t day;
        assert_int_equal(date_parse(json_string_value(json_object_get(fx, "as_of")), &day), 0);
        in[i] = (struct input){json_incref(json_object_get(fx, "document")), json_incref(json_object_get(fx, "ctx")), day,
                               NULL, NULL};
    }
    const json_t *reference = json_object_get(json_array_get(fixtures, 0), "document");
    for (i = n_fx; i < n; i++) {
        json_t *doc = json_deep_copy(reference);
        for (uint32_t k = 1 + next_random() % 3; k > 0; k--) edit(doc);
        json_t *ctx = next_random() % 2 ? NULL : json_pack("{s:{s:[i]}}", "materials", "business_licence", 31);
        in[i] = (struct input){doc, ctx, date_from_ymd(2026, 1 + (int)(next_random() % 12), 1), NULL, NULL};
    }
    for (i = 0; i < n; i++) plain(&in[i]);

    struct policy_memo *m = policy_memo_new();
    for (i = 0; i < n; i++) through_memo(m, &in[i]);          /* mostly filling it */
    for (i = n; i > 0; i--) through_memo(m, &in[i - 1]);      /* recent ones answered from it */
    for (i = 0; i < 3 * n; i++) through_memo(m, &in[next_random() % n]);
    struct policy_memo_stats st = policy_memo_stats(m);
    print_message("%lld of %lld checks answered from the memo\n", st.hits, st.checks);
    assert_true(st.hits > 0);
    assert_true(st.hits < st.checks);
    policy_memo_free(m);

    for (i = 0; i < n; i++) {
        json_decref(in[i].doc);
        json_decref(in[i].ctx);
        json_decref(in[i].findings);
        json_decref(in[i].derived);
    }
    free(in);
    json_decref(fixtures);
}

/* One random change of a context: the day, materials attached or not, an override, the kind. */
static json_t *ctx_edit(const json_t *ctx, day_t *as_of)
{
    json_t *c = json_is_object(ctx) ? json_deep_copy(ctx) : json_object();
    switch (next_random() % 5) {
    case 0: *as_of += (day_t)(next_random() % 400); break;
    case 1: json_object_set_new(c, "materials", json_pack("{s:[i]}", "business_licence", 31)); break;
    case 2: json_object_del(c, "materials"); break;
    case 3: {   /* accepted overrides of overridable rules, as a list or an object */
        static const char *const IDS[] = {"SUBJ-002", "PROV-004", "GRAD-002", "DS-004", "OPS-002", "EMER-006"};
        json_t *list = json_array(), *obj = json_object();
        for (size_t i = 0; i < sizeof IDS / sizeof IDS[0]; i++)
            if (next_random() % 2) {
                json_array_append_new(list, json_string(IDS[i]));
                json_object_set_new(obj, IDS[i], json_true());
            }
        bool as_list = next_random() % 3 != 0;
        json_object_set_new(c, "overrides", as_list ? list : obj);
        json_decref(as_list ? obj : list);
        break;
    }
    default: json_object_set_new(c, "filing_kind", json_string(next_random() % 2 ? "change" : "initial")); break;
    }
    return c;
}

/* The traced check of in after prev equals the full check; its trace is returned. */
static struct policy_trace *traced(const struct policy_trace *prev, const struct input *in, int *ran, int *reused)
{
    json_t *findings, *derived;
    struct policy_trace *next = NULL;
    struct err e = {0};
    assert_int_equal(policy_check_traced(pack, in->doc, in->as_of, in->ctx, prev, &next, &findings, &derived, &e), 0);
    assert_non_null(next);
    if (!json_equal(findings, in->findings) || !json_equal(derived, in->derived)) {
        char *got = json_dumps(findings, JSON_COMPACT), *want = json_dumps(in->findings, JSON_COMPACT);
        fail_msg("incremental differs from the full check:\n got  %s\n want %s", got, want);
    }
    struct policy_trace_stats st = policy_trace_stats(next);
    *ran += st.ran;
    *reused += st.reused;
    json_decref(findings);
    json_decref(derived);
    return next;
}

static void test_incremental_equals_full(void **state)
{
    (void)state;
    struct err e = {0};
    json_t *fixtures = fixtures_inputs(pack, &e);
    assert_non_null(fixtures);
    size_t n_fx = json_array_size(fixtures), i;
    enum { CHAINS = 40, STEPS = 12 };
    int ran = 0, reused = 0;
    /* every fixture after the reference filing's trace, and after the fixture before it */
    struct input *fx = calloc(n_fx, sizeof *fx);
    json_t *f;
    json_array_foreach(fixtures, i, f) {
        day_t day;
        assert_int_equal(date_parse(json_string_value(json_object_get(f, "as_of")), &day), 0);
        fx[i] = (struct input){json_incref(json_object_get(f, "document")), json_incref(json_object_get(f, "ctx")), day,
                               NULL, NULL};
        plain(&fx[i]);
    }
    struct policy_trace *reference = traced(NULL, &fx[0], &ran, &reused), *last = NULL;
    for (i = 0; i < n_fx; i++) {
        policy_trace_free(traced(reference, &fx[i], &ran, &reused));
        struct policy_trace *t = traced(last, &fx[i], &ran, &reused);
        policy_trace_free(last);
        last = t;
    }
    /* a section with two unknown fields, then the same with them in the other order: the shape
     * findings follow the members' order (json_equal says the sections are equal) */
    {
        struct input a = {json_deep_copy(fx[0].doc), json_incref(fx[0].ctx), fx[0].as_of, NULL, NULL};
        json_t *subject = json_object_get(a.doc, "subject");
        assert_non_null(subject);
        json_object_set_new(subject, "zz_a", json_string("1"));
        json_object_set_new(subject, "zz_b", json_string("2"));
        plain(&a);
        struct policy_trace *ta = traced(NULL, &a, &ran, &reused);
        struct input b = {json_deep_copy(a.doc), json_incref(a.ctx), a.as_of, NULL, NULL};
        json_object_set_new(b.doc, "subject", reversed(json_object_get(a.doc, "subject")));
        plain(&b);
        policy_trace_free(traced(ta, &b, &ran, &reused));
        policy_trace_free(ta);
        struct input *both[] = {&a, &b};
        for (int k = 0; k < 2; k++) {
            json_decref(both[k]->doc);
            json_decref(both[k]->ctx);
            json_decref(both[k]->findings);
            json_decref(both[k]->derived);
        }
    }
    /* chains of random edits, each checked after the trace of the one before */
    for (int c = 0; c < CHAINS; c++) {
        struct input in = {json_deep_copy(fx[0].doc), json_deep_copy(fx[0].ctx), fx[0].as_of, NULL, NULL};
        struct policy_trace *t = traced(NULL, (plain(&in), &in), &ran, &reused);
        for (int step = 0; step < STEPS; step++) {
            json_t *doc = json_deep_copy(in.doc), *ctx;
            day_t day = in.as_of;
            if (next_random() % 4 == 0) ctx = ctx_edit(in.ctx, &day);
            else {
                ctx = json_incref(in.ctx);
                for (uint32_t k = 1 + next_random() % 2; k > 0; k--) edit(doc);
            }
            json_decref(in.findings);
            json_decref(in.derived);
            /* the old document stays as it was: the trace holds it */
            json_decref(in.doc);
            json_decref(in.ctx);
            in = (struct input){doc, ctx, day, NULL, NULL};
            plain(&in);
            struct policy_trace *next = traced(t, &in, &ran, &reused);
            policy_trace_free(t);
            t = next;
        }
        /* and after the trace of another input altogether */
        policy_trace_free(traced(last, &in, &ran, &reused));
        policy_trace_free(t);
        json_decref(in.doc);
        json_decref(in.ctx);
        json_decref(in.findings);
        json_decref(in.derived);
    }
    print_message("incremental: %d rules run, %d reused\n", ran, reused);
    assert_true(reused > ran);
    policy_trace_free(reference);
    policy_trace_free(last);
    for (i = 0; i < n_fx; i++) {
        json_decref(fx[i].doc);
        json_decref(fx[i].ctx);
        json_decref(fx[i].findings);
        json_decref(fx[i].derived);
    }
    free(fx);
    json_decref(fixtures);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_memo_equals_full),
        cmocka_unit_test(test_incremental_equals_full),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
