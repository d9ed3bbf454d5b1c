/* Tests for lib/utf8.c: strict RFC 3629 validation, decode, encode. */
#include "utf8.h"

#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define CHECK_BYTES(lit, expect)                                               \
    ck_assert_uint_eq(vx_utf8_check(lit, sizeof(lit) - 1), (size_t)(expect))

START_TEST(valid_text)
{
    CHECK_BYTES("", 0);
    CHECK_BYTES("plain ascii", 11);
    CHECK_BYTES("caf\xC3\xA9", 5);                      /* é */
    CHECK_BYTES("\xE2\x82\xAC 5", 5);                   /* € */
    CHECK_BYTES("\xF0\x9F\x98\x80", 4);                 /* U+1F600 */
    CHECK_BYTES("\xEF\xBF\xBF", 3);                     /* U+FFFF */
    CHECK_BYTES("\xF4\x8F\xBF\xBF", 4);                 /* U+10FFFF */
    CHECK_BYTES("\xC2\x80", 2);                         /* U+0080 */
    CHECK_BYTES("\xE0\xA0\x80", 3);                     /* U+0800 */
    CHECK_BYTES("\xF0\x90\x80\x80", 4);                 /* U+10000 */
    CHECK_BYTES("\xED\x9F\xBF", 3);                     /* U+D7FF */
    CHECK_BYTES("\xEE\x80\x80", 3);                     /* U+E000 */
    /* NUL is valid UTF-8; callers forbid it separately */
    ck_assert_uint_eq(vx_utf8_check("a\0b", 3), 3);
}
END_TEST

START_TEST(overlong_forms)
{
    CHECK_BYTES("\xC0\xAF", 0);         /* '/' in two bytes */
    CHECK_BYTES("ab\xC1\xBF", 2);
    CHECK_BYTES("\xE0\x80\xAF", 0);
    CHECK_BYTES("\xE0\x9F\xBF", 0);
    CHECK_BYTES("x\xF0\x80\x80\xAF", 1);
    CHECK_BYTES("\xF0\x8F\xBF\xBF", 0);
}
END_TEST

START_TEST(surrogates_and_range)
{
    CHECK_BYTES("\xED\xA0\x80", 0); /* U+D800 */
    CHECK_BYTES("ok\xED\xBF\xBF", 2); /* U+DFFF */
    CHECK_BYTES("\xF4\x90\x80\x80", 0); /* U+110000 */
    CHECK_BYTES("\xF5\x80\x80\x80", 0);
    CHECK_BYTES("\xF8\x88\x80\x80\x80", 0);
    CHECK_BYTES("\xFF", 0);
    CHECK_BYTES("\xFE", 0);
}
END_TEST

START_TEST(truncated_and_stray)
{
    CHECK_BYTES("\xE2\x82", 0);           /* € without its last byte */
    CHECK_BYTES("abc\xE2\x82", 3);
    CHECK_BYTES("\xE2\x82(", 0);
    CHECK_BYTES("\xC3", 0);
    CHECK_BYTES("\xC3(", 0);
    CHECK_BYTES("\xF0\x9F\x98", 0);
    CHECK_BYTES("\x80", 0);               /* lone continuation */
    CHECK_BYTES("ab\xBF", 2);
    CHECK_BYTES("\xC3\xA9\xA9", 2);       /* one continuation too many */
}
END_TEST

/* The 8-byte ASCII path must not skip a bad byte at any alignment. */
START_TEST(bad_byte_at_every_offset)
{
    char buf[64];
    for (size_t len = 1; len <= sizeof buf; len++) {
        for (size_t at = 0; at < len; at++) {
            memset(buf, 'a', len);
            buf[at] = (char)0x80;
            ck_assert_uint_eq(vx_utf8_check(buf, len), at);
            buf[at] = (char)0xF5;
            ck_assert_uint_eq(vx_utf8_check(buf, len), at);
        }
        memset(buf, 'a', len);
        ck_assert_uint_eq(vx_utf8_check(buf, len), len);
    }
}
END_TEST

/* Reference from the definition: bit patterns, shortest form, no
 * surrogates, at most U+10FFFF.  Length of the valid character or 0. */
static int ref_len(const unsigned char *b, size_t avail, uint32_t *cp)
{
    int n;
    uint32_t v;
    if (b[0] < 0x80) {
        *cp = b[0];
        return 1;
    } else if ((b[0] & 0xE0) == 0xC0) {
        n = 2;
        v = b[0] & 0x1Fu;
    } else if ((b[0] & 0xF0) == 0xE0) {
        n = 3;
        v = b[0] & 0x0Fu;
    } else if ((b[0] & 0xF8) == 0xF0) {
        n = 4;
        v = b[0] & 0x07u;
    } else {
        return 0;
    }
    if (avail < (size_t)n)
        return 0;
    for (int k = 1; k < n; k++) {
        if ((b[k] & 0xC0) != 0x80)
            return 0;
        v = v << 6 | (b[k] & 0x3Fu);
    }
    static const uint32_t min[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (v < min[n] || (v >= 0xD800 && v <= 0xDFFF) || v > 0x10FFFF)
        return 0;
    *cp = v;
    return n;
}

/* One 4-byte input against the reference; returns 0 when they agree. */
static int disagrees(const unsigned char *b)
{
    uint32_t want_cp = 0, cp = 0;
    int want = ref_len(b, 4, &want_cp);
    int got = vx_utf8_decode((const char *)b, 4, &cp);
    if (got != want)
        return 1;
    if (!want)
        return vx_utf8_check((const char *)b, 4) != 0;
    char enc[4];
    if (cp != want_cp ||
        vx_utf8_check((const char *)b, (size_t)want) != (size_t)want ||
        vx_utf8_encode(cp, enc) != want || memcmp(enc, b, (size_t)want) != 0)
        return 1;
    /* cut short, a multi-byte character is invalid */
    for (size_t cut = 1; cut < (size_t)want; cut++)
        if (vx_utf8_check((const char *)b, cut) != 0)
            return 1;
    return 0;
}

START_TEST(agrees_with_reference)
{
    static const unsigned char thirds[] = {0x00, 0x41, 0x7F, 0x80, 0x8F,
                                           0x90, 0x9F, 0xA0, 0xBF, 0xC0,
                                           0xC2, 0xE0, 0xF0, 0xFF};
    unsigned char b[4];
    size_t tried = 0;
    for (uint32_t lead = 0; lead < 256; lead++)
        for (uint32_t x = 0; x < 256; x++)
            for (size_t t = 0; t < sizeof thirds; t++)
                for (int last = 0; last < 2; last++) {
                    b[0] = (unsigned char)lead;
                    b[1] = (unsigned char)x;
                    b[2] = thirds[t];
                    b[3] = last ? 0xBF : 0x30;
                    tried++;
                    if (disagrees(b))
                        ck_abort_msg("disagree on %02X %02X %02X %02X", b[0],
                                     b[1], b[2], b[3]);
                }
    ck_assert_uint_eq(tried, 256 * 256 * sizeof thirds * 2);
}
END_TEST

START_TEST(encode_decode)
{
    char out[4];
    uint32_t cp;
    ck_assert_int_eq(vx_utf8_encode(0x41, out), 1);
    ck_assert_int_eq(vx_utf8_encode(0xE9, out), 2);
    ck_assert(memcmp(out, "\xC3\xA9", 2) == 0);
    ck_assert_int_eq(vx_utf8_encode(0x20AC, out), 3);
    ck_assert(memcmp(out, "\xE2\x82\xAC", 3) == 0);
    ck_assert_int_eq(vx_utf8_encode(0x1F600, out), 4);
    ck_assert(memcmp(out, "\xF0\x9F\x98\x80", 4) == 0);
    ck_assert_int_eq(vx_utf8_encode(0xD800, out), 0);
    ck_assert_int_eq(vx_utf8_encode(0xDFFF, out), 0);
    ck_assert_int_eq(vx_utf8_encode(0x110000, out), 0);
    ck_assert_int_eq(vx_utf8_decode("\xF0\x9F\x98\x80", 4, &cp), 4);
    ck_assert_uint_eq(cp, 0x1F600);
    ck_assert_int_eq(vx_utf8_decode("\xF0\x9F\x98", 3, &cp), 0);
    ck_assert_int_eq(vx_utf8_decode("", 0, &cp), 0);
    ck_assert_int_eq(vx_utf8_decode("\xED\xA0\x80", 3, &cp), 0);
}
END_TEST

static void describe_is(const char *s, size_t len, const char *want)
{
    char out[128];
    vx_utf8_describe(s, len, vx_utf8_check(s, len), out, sizeof out);
    ck_assert_str_eq(out, want);
}

START_TEST(describe_messages)
{
    describe_is("a\xC3(", 3, "byte 0xC3 followed by 0x28");
    describe_is("\xC0\xAF", 2, "byte 0xC0 followed by 0xAF (overlong "
                               "encoding)");
    describe_is("\xED\xA0\x80", 3, "byte 0xED followed by 0xA0 (UTF-16 "
                                   "surrogate)");
    describe_is("\xE0\x80\x80", 3, "byte 0xE0 followed by 0x80 (overlong "
                                   "encoding)");
    describe_is("\xF4\x90\x80\x80", 4, "byte 0xF4 followed by 0x90 (above "
                                       "U+10FFFF)");
    describe_is("\xE2\x82", 2, "bytes 0xE2 0x82 at the end (truncated "
                               "sequence)");
    describe_is("\xE2\x82x", 3, "bytes 0xE2 0x82 followed by 0x78");
    describe_is("\x80", 1, "unexpected continuation byte 0x80");
    describe_is("\xF5\x80", 2, "byte 0xF5 (never valid in UTF-8)");
    char tiny[8];
    vx_utf8_describe("\x80", 1, 0, tiny, sizeof tiny);
    ck_assert_uint_eq(strlen(tiny), 7); /* truncated, still terminated */
}
END_TEST

static Suite *utf8_suite(void)
{
    Suite *s = suite_create("utf8");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, valid_text);
    tcase_add_test(tc, overlong_forms);
    tcase_add_test(tc, surrogates_and_range);
    tcase_add_test(tc, truncated_and_stray);
    tcase_add_test(tc, bad_byte_at_every_offset);
    tcase_add_test(tc, agrees_with_reference);
    tcase_add_test(tc, encode_decode);
    tcase_add_test(tc, describe_messages);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(utf8_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
