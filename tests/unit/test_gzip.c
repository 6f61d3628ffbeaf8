/* test_gzip.c — the content coding of replies (src/http/gzip.c): Accept-Encoding negotiation
 * (RFC 9110 §12.5.3: weights, "*", x-gzip, identity, case), which types are compressed, and that
 * what is compressed inflates back to the same bytes. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "http/gzip.h"

static void accept_encoding_is_negotiated(void **state)
{
    (void)state;
    assert_false(gzip_accepted(NULL));              /* no header: identity */
    assert_false(gzip_accepted(""));
    assert_true(gzip_accepted("gzip"));
    assert_true(gzip_accepted("GZIP"));
    assert_true(gzip_accepted("gzip, deflate, br"));
    assert_true(gzip_accepted("br;q=1.0, gzip;q=0.8, *;q=0.1"));
    assert_true(gzip_accepted("x-gzip"));
    assert_true(gzip_accepted("deflate , gzip ; q=0.5"));
    assert_false(gzip_accepted("identity"));
    assert_false(gzip_accepted("deflate, br"));
    assert_false(gzip_accepted("gzip;q=0"));
    assert_false(gzip_accepted("gzip;q=0.000"));
    assert_false(gzip_accepted("gzip; q=0, *"));    /* named and refused: "*" does not bring it back */
    assert_true(gzip_accepted("*"));
    assert_true(gzip_accepted("identity;q=1, *;q=0.5"));
    assert_false(gzip_accepted("*;q=0"));
    assert_false(gzip_accepted("gzipped"));         /* a different coding */
    assert_false(gzip_accepted("gzip;q=bogus"));    /* a broken weight counts as 0 */
    assert_true(gzip_accepted("gzip;q=0.001"));
}

static void compressible_types(void **state)
{
    (void)state;
    assert_true(gzip_type_compressible("application/json; charset=utf-8"));
    assert_true(gzip_type_compressible("application/problem+json"));
    assert_true(gzip_type_compressible("text/html; charset=utf-8"));
    assert_true(gzip_type_compressible("text/javascript; charset=utf-8"));
    assert_true(gzip_type_compressible("text/css"));
    assert_true(gzip_type_compressible("image/svg+xml"));
    assert_true(gzip_type_compressible("application/manifest+json"));
    assert_true(gzip_type_compressible("text/plain; version=0.0.4; charset=utf-8"));
    assert_false(gzip_type_compressible("image/png"));
    assert_false(gzip_type_compressible("application/pdf"));
    assert_false(gzip_type_compressible("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"));
    assert_false(gzip_type_compressible("application/zip"));
    assert_false(gzip_type_compressible("application/gzip"));
    assert_false(gzip_type_compressible("font/woff2"));
    assert_false(gzip_type_compressible("application/octet-stream"));
    assert_false(gzip_type_compressible(NULL));
}

static void compresses_and_inflates_back(void **state)
{
    (void)state;
    size_t len = 100000;
    char *in = malloc(len);
    for (size_t i = 0; i < len; i++) in[i] = (char)("{\"items\":[]} "[i % 13] + (i % 997 == 0));
    size_t gz_len = 0;
    char *gz = gzip_compress(in, len, &gz_len);
    assert_non_null(gz);
    assert_true(gz_len < len / 4);
    assert_int_equal((unsigned char)gz[0], 0x1f);   /* the gzip magic */
    assert_int_equal((unsigned char)gz[1], 0x8b);

    char *out = malloc(len + 1);
    z_stream z = {0};
    assert_int_equal(inflateInit2(&z, 15 + 16), Z_OK);
    z.next_in = (Bytef *)gz;
    z.avail_in = (uInt)gz_len;
    z.next_out = (Bytef *)out;
    z.avail_out = (uInt)len + 1;
    assert_int_equal(inflate(&z, Z_FINISH), Z_STREAM_END);
    assert_int_equal(z.total_out, len);
    inflateEnd(&z);
    assert_memory_equal(in, out, len);

    size_t empty_len = 0;
    char *empty = gzip_compress("", 0, &empty_len);
    assert_non_null(empty);
    assert_true(empty_len >= 20);   /* header and trailer only */
    free(empty);
    free(out);
    free(gz);
    free(in);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(accept_encoding_is_negotiated),
        cmocka_unit_test(compressible_types),
        cmocka_unit_test(compresses_and_inflates_back),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
