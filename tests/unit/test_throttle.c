/* test_throttle.c — unit tests of the sign-in throttle table (service/throttle.c, issue 12):
 * free failures then doubling delays up to the cap, forgetting, parallel-safe reservation, keys
 * that differ per process and per part, and a flood of other keys that cannot reset a counter. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "service/throttle.h"

#include <stdio.h>

static void test_free_then_doubling(void **state)
{
    struct throttle *t = throttle_new();
    uint64_t k = throttle_key(t, "pair", "alice", "10.0.0.1");
    int64_t now = 1000000;
    for (int i = 0; i < 4; i++) assert_int_equal(throttle_reserve(t, k, 5, false, now), 0);
    assert_int_equal(throttle_wait(t, k, now), 0);
    assert_int_equal(throttle_reserve(t, k, 5, false, now), 0);        /* the 5th: counted, delay starts */
    assert_int_equal(throttle_wait(t, k, now), THROTTLE_BASE_DELAY);
    assert_int_equal(throttle_reserve(t, k, 5, false, now + 1), THROTTLE_BASE_DELAY - 1); /* refused, not counted */
    assert_int_equal(throttle_fails(t, k, now + 1), 5);
    int64_t expect = THROTTLE_BASE_DELAY;
    for (int round = 0; round < 12; round++) {
        now += throttle_wait(t, k, now);
        assert_int_equal(throttle_reserve(t, k, 5, false, now), 0);
        expect = expect * 2 > THROTTLE_MAX_DELAY ? THROTTLE_MAX_DELAY : expect * 2;
        assert_int_equal(throttle_wait(t, k, now), expect);
    }
    assert_int_equal(expect, THROTTLE_MAX_DELAY);
    /* forgotten an hour after the last delay ended */
    int64_t end = now + THROTTLE_MAX_DELAY;
    assert_int_equal(throttle_fails(t, k, end + THROTTLE_FORGET - 1), 17);
    assert_int_equal(throttle_fails(t, k, end + THROTTLE_FORGET), 0);
    throttle_free(t);
}

static void test_forget_release_force(void **state)
{
    struct throttle *t = throttle_new();
    uint64_t k = throttle_key(t, "pair", "bob", "10.0.0.2");
    for (int i = 0; i < 5; i++) throttle_reserve(t, k, 5, false, 100);
    assert_true(throttle_wait(t, k, 100) > 0);
    throttle_forget(t, k);
    assert_int_equal(throttle_wait(t, k, 100), 0);
    assert_int_equal(throttle_fails(t, k, 100), 0);
    throttle_reserve(t, k, 5, false, 100);
    throttle_release(t, k);
    assert_int_equal(throttle_fails(t, k, 100), 0);
    /* force counts even while the key must wait */
    for (int i = 0; i < 7; i++) assert_int_equal(throttle_reserve(t, k, 5, true, 100), 0);
    assert_int_equal(throttle_fails(t, k, 100), 7);
    throttle_free(t);
}

static void test_keys(void **state)
{
    struct throttle *a = throttle_new(), *b = throttle_new();
    assert_int_equal(throttle_key(a, "pair", "x", "y"), throttle_key(a, "pair", "x", "y"));
    /* a secret key per process: the same name lands elsewhere in another process */
    assert_int_not_equal(throttle_key(a, "pair", "x", "y"), throttle_key(b, "pair", "x", "y"));
    /* parts are length-prefixed */
    assert_int_not_equal(throttle_key(a, "pair", "ab", "c"), throttle_key(a, "pair", "a", "bc"));
    assert_int_not_equal(throttle_key(a, "pair", "x", NULL), throttle_key(a, "device", "x", NULL));
    throttle_free(a);
    throttle_free(b);
}

/* 200,000 other keys with one failure each (three times the table) cannot reset a punished one. */
static void test_flood_does_not_reset(void **state)
{
    struct throttle *t = throttle_new();
    uint64_t victim = throttle_key(t, "pair", "admin", "10.0.0.9");
    for (int i = 0; i < 8; i++) throttle_reserve(t, victim, 5, true, 500);
    char name[32];
    for (int i = 0; i < 200000; i++) {
        snprintf(name, sizeof name, "flood-%d", i);
        throttle_reserve(t, throttle_key(t, "pair", name, "10.0.0.10"), 5, false, 500);
    }
    assert_int_equal(throttle_fails(t, victim, 500), 8);
    assert_true(throttle_wait(t, victim, 500) > 0);
    throttle_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_free_then_doubling),
        cmocka_unit_test(test_forget_release_force),
        cmocka_unit_test(test_keys),
        cmocka_unit_test(test_flood_does_not_reset),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
