/* test_netaddr.c — the address arithmetic behind trusted proxies and per-address limits (net.h):
 * parsing addresses and ADDR/BITS lists, membership at odd prefix lengths, IPv4-mapped IPv6, the
 * right-to-left walk of X-Forwarded-For, and the token buckets and connection counts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <sodium.h>
#include <string.h>

#include "http/net.h"

static struct net_addr addr(const char *text)
{
    struct net_addr a;
    assert_true(net_addr_parse(text, strlen(text), &a));
    return a;
}

static bool listed(const char *list_text, const char *a)
{
    struct net_list l;
    struct err e = {0};
    assert_int_equal(net_list_parse(&l, list_text, "--x", &e), 0);
    struct net_addr x = addr(a);
    return net_list_contains(&l, &x);
}

static void test_parse_and_format(void **state)
{
    (void)state;
    char buf[64];
    struct net_addr a = addr("::ffff:192.0.2.7");   /* mapped: kept as IPv4 */
    assert_int_equal(a.family, AF_INET);
    net_addr_format(&a, buf, sizeof buf);
    assert_string_equal(buf, "192.0.2.7");
    a = addr("2001:DB8::1");
    net_addr_format(&a, buf, sizeof buf);
    assert_string_equal(buf, "2001:db8::1");
    struct net_addr b;
    assert_false(net_addr_parse("", 0, &b));
    assert_false(net_addr_parse("1.2.3", 5, &b));
    assert_false(net_addr_parse("1.2.3.4:80", 10, &b));
    assert_false(net_addr_parse("unknown", 7, &b));
    assert_false(net_addr_parse("[::1]", 5, &b));
}

static void test_lists(void **state)
{
    (void)state;
    assert_true(listed("10.0.0.0/8", "10.255.1.2"));
    assert_false(listed("10.0.0.0/8", "11.0.0.1"));
    assert_true(listed("192.168.4.0/22", "192.168.7.255"));
    assert_false(listed("192.168.4.0/22", "192.168.8.0"));
    assert_true(listed("127.0.0.1, ::1", "::1"));
    assert_false(listed("127.0.0.1", "127.0.0.2"));
    assert_true(listed("0.0.0.0/0", "203.0.113.9"));
    assert_false(listed("0.0.0.0/0", "2001:db8::1"));        /* families never mix */
    assert_true(listed("2001:db8::/33", "2001:db8:7fff::1"));
    assert_false(listed("2001:db8::/33", "2001:db8:8000::1"));

    struct net_list l;
    struct err e = {0};
    const char *bad[] = {"", "10.0.0.0/33", "::/129", "10.0.0.0/", "10.0.0.0/x", "10.0.0.0/-1", "a.example",
                         "10.0.0.1,", ",10.0.0.1", "10.0.0.1/8/8"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(net_list_parse(&l, bad[i], "--trusted-proxy", &e), -1);
        assert_int_equal(e.code, ERR_USAGE);
        assert_non_null(strstr(e.detail_en, "--trusted-proxy"));
        err_clear(&e);
    }
    char many[NET_LIST_MAX * 16 + 16] = "";
    for (int i = 0; i <= NET_LIST_MAX; i++) snprintf(many + strlen(many), sizeof many - strlen(many), "%s10.0.0.%d", i ? "," : "", i);
    assert_int_equal(net_list_parse(&l, many, "--x", &e), -1);
    err_clear(&e);
}

static const char *client_of(const char *peer, const char *trusted, const char *const *xff, size_t n, char *buf)
{
    struct net_list l;
    struct err e = {0};
    assert_int_equal(net_list_parse(&l, trusted, "--x", &e), 0);
    struct net_addr p = addr(peer), c;
    net_real_client(&p, &l, xff, n, &c);
    net_addr_format(&c, buf, 64);
    return buf;
}

static void test_forwarded_for(void **state)
{
    (void)state;
    char b[64];
    const char *one[] = {"203.0.113.1"};
    assert_string_equal(client_of("10.0.0.5", "10.0.0.0/8", one, 1, b), "203.0.113.1");
    assert_string_equal(client_of("192.0.2.9", "10.0.0.0/8", one, 1, b), "192.0.2.9");   /* untrusted peer */
    const char *chain[] = {"6.6.6.6, 203.0.113.1, 10.0.0.7"};
    assert_string_equal(client_of("10.0.0.5", "10.0.0.0/8", chain, 1, b), "203.0.113.1");
    const char *two_headers[] = {"6.6.6.6", "203.0.113.2,10.1.1.1"};                      /* in order received */
    assert_string_equal(client_of("10.0.0.5", "10.0.0.0/8", two_headers, 2, b), "203.0.113.2");
    const char *all_trusted[] = {"10.3.3.3, 10.0.0.7"};
    assert_string_equal(client_of("10.0.0.5", "10.0.0.0/8", all_trusted, 1, b), "10.3.3.3");
    const char *garbage[] = {"203.0.113.3, nonsense, 10.0.0.7"};
    assert_string_equal(client_of("10.0.0.5", "10.0.0.0/8", garbage, 1, b), "10.0.0.7");
    const char *empty[] = {""};
    assert_string_equal(client_of("10.0.0.5", "10.0.0.0/8", empty, 1, b), "10.0.0.5");
    assert_string_equal(client_of("10.0.0.5", "10.0.0.0/8", NULL, 0, b), "10.0.0.5");
    const char *v6[] = {" 2001:db8::5 ,\t::ffff:10.0.0.9"};
    assert_string_equal(client_of("::ffff:10.0.0.5", "10.0.0.0/8", v6, 1, b), "2001:db8::5");
}

static void test_buckets(void **state)
{
    (void)state;
    struct net_buckets *bk = net_buckets_new(3);
    unsigned retry = 0;
    struct net_addr a1 = addr("192.0.2.1"), a2 = addr("192.0.2.2");
    for (int i = 0; i < 3; i++) assert_true(net_buckets_take(bk, &a1, &retry));
    assert_false(net_buckets_take(bk, &a1, &retry));
    assert_true(retry >= 1 && retry <= 20);   /* 3 a minute: the next token within 20 s */
    assert_true(net_buckets_take(bk, &a2, &retry));
    /* IPv6 counts by /64: another address in the same /64 shares the bucket, the next /64 not */
    struct net_addr v1 = addr("2001:db8:0:1::1"), v2 = addr("2001:db8:0:1:ffff::2"), v3 = addr("2001:db8:0:2::1");
    for (int i = 0; i < 3; i++) assert_true(net_buckets_take(bk, &v1, &retry));
    assert_false(net_buckets_take(bk, &v2, &retry));
    assert_true(net_buckets_take(bk, &v3, &retry));
    net_buckets_free(bk);
}

static void test_connection_counts(void **state)
{
    (void)state;
    struct net_conn_table *t = net_conn_table_new(2);
    struct net_addr a = addr("192.0.2.1");
    assert_true(net_conn_admit(t, &a));
    size_t s1, s2, s3;
    assert_true(net_conn_hold(t, &a, &s1));
    assert_true(net_conn_hold(t, &a, &s2));
    assert_int_equal(s1, s2);
    assert_false(net_conn_admit(t, &a));
    /* two workers both passed the look at accept: the third hold is over, and counts until released */
    assert_false(net_conn_hold(t, &a, &s3));
    net_conn_release(t, s1);
    assert_false(net_conn_admit(t, &a));
    net_conn_release(t, s3);
    assert_true(net_conn_admit(t, &a));
    net_conn_release(t, s2);
    struct net_addr v1 = addr("2001:db8::1"), v2 = addr("2001:db8::ffff:1");
    size_t w1, w2;
    assert_true(net_conn_hold(t, &v1, &w1));
    assert_true(net_conn_hold(t, &v2, &w2));
    assert_int_equal(w1, w2);   /* one /64, one count */
    assert_false(net_conn_admit(t, &v1));
    net_conn_table_free(t);
}

int main(void)
{
    if (sodium_init() < 0) return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_and_format), cmocka_unit_test(test_lists),
        cmocka_unit_test(test_forwarded_for), cmocka_unit_test(test_buckets),
        cmocka_unit_test(test_connection_counts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
