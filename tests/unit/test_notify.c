/* test_notify.c — unit tests of notifications: the Standard Webhooks signature (the reference
 * vector of standardwebhooks.com), the refusal of private and loopback targets, the catalogue. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "service/notify.h"
#include "service/notify_sender.h"
#include "service/webhooks.h"

static void test_signature_reference_vector(void **state)
{
    (void)state;
    char sig[128];
    assert_int_equal(notify_webhook_sign("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek",
                                         1614265330, "{\"test\": 2432232314}", sig, sizeof sig),
                     0);
    assert_string_equal(sig, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    /* another timestamp, another signature; a secret without its prefix is refused */
    assert_int_equal(notify_webhook_sign("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek",
                                         1614265331, "{\"test\": 2432232314}", sig, sizeof sig),
                     0);
    assert_string_not_equal(sig, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    assert_int_equal(notify_webhook_sign("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "m", 1, "{}", sig, sizeof sig), -1);
}

static int check(const char *url)
{
    char host[256], pin[512];
    int port;
    struct err e = {0};
    int rc = webhook_target_check(url, host, sizeof host, &port, pin, sizeof pin, &e);
    err_clear(&e);
    return rc;
}

static void test_private_targets_refused(void **state)
{
    (void)state;
    webhook_allow_private(false);
    const char *refused[] = {"http://127.0.0.1/x", "http://127.8.9.10:8080/", "http://10.0.0.1/", "http://172.16.0.1/",
                             "http://172.31.255.255/", "http://192.168.1.1/", "http://169.254.169.254/latest",
                             "http://[::1]/", "http://[fc00::1]/", "http://[fd12:3456::1]/", "http://[fe80::1]/",
                             "http://[::ffff:10.0.0.1]/", "http://0.0.0.0/", "ftp://203.0.113.10/", "http://user@203.0.113.10/",
                             "http://203.0.113.10:0/", "http:///x", NULL};
    for (int i = 0; refused[i]; i++) {
        if (check(refused[i]) == 0) fail_msg("%s was accepted", refused[i]);
    }
    const char *allowed[] = {"http://203.0.113.10/hook", "https://198.51.100.7:8443/x", "http://172.32.0.1/",
                             "http://[2001:db8::1]/", NULL};
    for (int i = 0; allowed[i]; i++) {
        if (check(allowed[i]) != 0) fail_msg("%s was refused", allowed[i]);
    }
    char host[256], pin[512];
    int port;
    struct err e = {0};
    assert_int_equal(webhook_target_check("https://[2001:db8::1]:9443/a", host, sizeof host, &port, pin, sizeof pin, &e), 0);
    assert_string_equal(host, "2001:db8::1");
    assert_int_equal(port, 9443);
    assert_string_equal(pin, "[2001:db8::1]");
    webhook_allow_private(true);
    assert_int_equal(check("http://127.0.0.1:9/"), 0);
    webhook_allow_private(false);
}

static void test_catalogue(void **state)
{
    (void)state;
    assert_string_equal(notify_event_for("filing.submit_for_check", "internal_check")->event, "filing.check_requested");
    assert_string_equal(notify_event_for("filing.approve_check", "provider_confirmation")->event, "filing.hosting_requested");
    assert_string_equal(notify_event_for("filing.approve_check", "under_review")->event, "filing.resubmitted");
    assert_null(notify_event_for("filing.approve_check", NULL));
    assert_null(notify_event_for("org.update", NULL));
    assert_true(notify_event_known("filing.approved"));
    assert_false(notify_event_known("filing.approve"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_signature_reference_vector),
        cmocka_unit_test(test_private_targets_refused),
        cmocka_unit_test(test_catalogue),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
