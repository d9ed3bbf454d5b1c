/* Tests for lib/iso8601.c: parsing, range checks, formatting, civil days. */
#include "iso8601.h"
#include "vocx.h"

#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static int64_t parse_ok(const char *s)
{
    int64_t t = -1;
    int col = -7;
    int rc = vx_time_parse(s, strlen(s), &t, &col);
    ck_assert_msg(rc == 0, "\"%s\" should parse (rc %d, col %d)", s, rc, col);
    return t;
}

/* Must fail, with the fault at 1-based column `col`. */
static void parse_bad(const char *s, int col)
{
    int64_t t = 12345;
    int got = 0;
    const char *why = NULL;
    int rc = vx_time_parse_diag(s, strlen(s), &t, &got, &why);
    ck_assert_msg(rc == VOCX_EPARSE, "\"%s\" should fail", s);
    ck_assert_msg(got == col, "\"%s\": bad column %d, expected %d (%s)", s,
                  got, col, why ? why : "?");
    ck_assert_ptr_nonnull(why);
    ck_assert_int_eq(t, 12345); /* untouched on failure */
}

static void format_is(int64_t t, const char *want)
{
    char out[21];
    memset(out, 'x', sizeof out);
    vx_time_format(t, out);
    ck_assert_str_eq(out, want);
}

START_TEST(dates)
{
    ck_assert_int_eq(parse_ok("1970-01-01"), 0);
    ck_assert_int_eq(parse_ok("2000-03-01"), 951868800);
    ck_assert_int_eq(parse_ok("2026-03-14"), 1773446400);
    ck_assert_int_eq(parse_ok("1969-12-31"), -86400);
    ck_assert_int_eq(parse_ok("0001-01-01"), -62135596800LL);
    ck_assert_int_eq(parse_ok("9999-12-31"), 253402214400LL);
}
END_TEST

START_TEST(date_times)
{
    ck_assert_int_eq(parse_ok("2026-03-14T09:21"), 1773446400 + 9 * 3600 +
                                                      21 * 60);
    ck_assert_int_eq(parse_ok("2026-03-14T09:21:07"),
                     1773446400 + 9 * 3600 + 21 * 60 + 7);
    ck_assert_int_eq(parse_ok("2026-03-14 09:21:07"),
                     1773446400 + 9 * 3600 + 21 * 60 + 7);
    ck_assert_int_eq(parse_ok("2026-03-14t09:21:07z"),
                     1773446400 + 9 * 3600 + 21 * 60 + 7);
    ck_assert_int_eq(parse_ok("2026-03-14T09:21:07Z"),
                     parse_ok("2026-03-14T09:21:07"));
    /* fractions are truncated, '.' or ',' */
    ck_assert_int_eq(parse_ok("2026-03-14T09:21:07.999999999Z"),
                     parse_ok("2026-03-14T09:21:07Z"));
    ck_assert_int_eq(parse_ok("2026-03-14T09:21:07,5"),
                     parse_ok("2026-03-14T09:21:07Z"));
    /* trimmed */
    ck_assert_int_eq(parse_ok("  2026-03-14T09:21:07Z \t"),
                     parse_ok("2026-03-14T09:21:07Z"));
    /* leap second read as :59 */
    ck_assert_int_eq(parse_ok("2016-12-31T23:59:60Z"),
                     parse_ok("2016-12-31T23:59:59Z"));
}
END_TEST

START_TEST(offsets)
{
    int64_t utc = parse_ok("2026-03-14T09:21:00Z");
    ck_assert_int_eq(parse_ok("2026-03-14T10:21:00+01:00"), utc);
    ck_assert_int_eq(parse_ok("2026-03-14T10:21:00+0100"), utc);
    ck_assert_int_eq(parse_ok("2026-03-14T10:21:00+01"), utc);
    ck_assert_int_eq(parse_ok("2026-03-14T04:21:00-05:00"), utc);
    ck_assert_int_eq(parse_ok("2026-03-14T14:51:00+05:30"), utc);
    ck_assert_int_eq(parse_ok("2026-03-14T09:21:00-00:00"), utc);
    ck_assert_int_eq(parse_ok("2026-03-14T10:21+01:00"), utc);
    ck_assert_int_eq(parse_ok("2026-03-14T10:21:00.25+01:00"), utc);
    /* an offset can move the date back a day (and a year) */
    ck_assert_int_eq(parse_ok("2026-01-01T00:30:00+01:00"),
                     parse_ok("2025-12-31T23:30:00Z"));
}
END_TEST

START_TEST(leap_years)
{
    parse_ok("2024-02-29");
    parse_ok("2000-02-29");
    parse_ok("1600-02-29");
    parse_bad("2026-02-29", 9);
    parse_bad("1900-02-29", 9);
    parse_bad("2100-02-29T00:00Z", 9);
    parse_bad("2026-02-30", 9);
    parse_bad("2024-02-30", 9);
    parse_bad("2026-04-31", 9);
    parse_ok("2026-12-31");
    ck_assert_int_eq(vx_is_leap_year(2024), 1);
    ck_assert_int_eq(vx_is_leap_year(1900), 0);
    ck_assert_int_eq(vx_is_leap_year(2000), 1);
    ck_assert_uint_eq(vx_days_in_month(2023, 2), 28);
    ck_assert_uint_eq(vx_days_in_month(2024, 2), 29);
    ck_assert_uint_eq(vx_days_in_month(2024, 13), 0);
}
END_TEST

START_TEST(out_of_range_fields)
{
    parse_bad("2026-13-01", 6);
    parse_bad("2026-00-10", 6);
    parse_bad("2026-01-00", 9);
    parse_bad("2026-01-32", 9);
    parse_bad("0000-01-01", 1);
    parse_bad("2026-01-01T24:00", 12);
    parse_bad("2026-01-01T23:60", 15);
    parse_bad("2026-01-01T23:59:61", 18);
    parse_bad("2026-01-01T10:00+24:00", 18);
    parse_bad("2026-01-01T10:00+01:60", 21);
}
END_TEST

START_TEST(bad_syntax)
{
    parse_bad("", 1);
    parse_bad("   ", 4);
    parse_bad("26-01-01", 3);
    parse_bad("2026/01/01", 5);
    parse_bad("2026-1-01", 7);
    parse_bad("2026-01-01X", 11);
    parse_bad("2026-01-01Z", 11);          /* a zone needs a time */
    parse_bad("2026-01-01T", 12);
    parse_bad("2026-01-01T10", 14);        /* minutes are required */
    parse_bad("2026-01-01T1000", 14);
    parse_bad("2026-01-01  10:00", 12);    /* one space only */
    parse_bad("2026-01-01T10:00:", 18);
    parse_bad("2026-01-01T10:00:00.", 21);
    parse_bad("2026-01-01T10:00:00.Z", 21);
    parse_bad("2026-01-01T10:00:00+1", 22); /* the missing digit */
    parse_bad("2026-01-01T10:00:00+01:", 24);
    parse_bad("2026-01-01T10:00:00Zjunk", 21);
    parse_bad("2026-01-01T10:00:00 Z", 20);
    parse_bad("  x", 3); /* columns count from the untrimmed start */
    parse_bad("2026-01-01T10:00:00\xC3\xA9", 20);
    int64_t t;
    ck_assert_int_eq(vx_time_parse(NULL, 0, &t, NULL), VOCX_EPARSE);
    /* the length is honoured: no NUL terminator needed */
    ck_assert_int_eq(vx_time_parse("2026-01-01junk", 10, &t, NULL), 0);
    ck_assert_int_eq(t, parse_ok("2026-01-01"));
}
END_TEST

START_TEST(formatting)
{
    format_is(0, "1970-01-01T00:00:00Z");
    format_is(1773446400 + 9 * 3600 + 21 * 60 + 7, "2026-03-14T09:21:07Z");
    format_is(-1, "1969-12-31T23:59:59Z");
    format_is(951782400, "2000-02-29T00:00:00Z");
    format_is(-62135596800LL, "0001-01-01T00:00:00Z");
    format_is(253402300799LL, "9999-12-31T23:59:59Z");
    /* clamped outside years 0000..9999 */
    format_is(INT64_MAX, "9999-12-31T23:59:59Z");
    format_is(INT64_MIN, "0000-01-01T00:00:00Z");
    format_is(parse_ok("0001-01-01T00:30+01:00"), "0000-12-31T23:30:00Z");
}
END_TEST

START_TEST(round_trip)
{
    /* every day of years around the edges, at a few times of day */
    static const int years[] = {1, 2, 4, 99, 100, 400, 1600, 1899, 1900,
                                1969, 1970, 1971, 2000, 2024, 2025, 2100,
                                9998, 9999};
    for (size_t k = 0; k < sizeof years / sizeof *years; k++) {
        for (unsigned m = 1; m <= 12; m++) {
            for (unsigned d = 1; d <= vx_days_in_month(years[k], m); d++) {
                int64_t days = vx_days_from_civil(years[k], m, d);
                int y2;
                unsigned m2, d2;
                vx_civil_from_days(days, &y2, &m2, &d2);
                ck_assert_int_eq(y2, years[k]);
                ck_assert_uint_eq(m2, m);
                ck_assert_uint_eq(d2, d);
                int64_t t = days * 86400 + (int64_t)(d * 3697 % 86400);
                char s[21];
                vx_time_format(t, s);
                int64_t back;
                ck_assert_int_eq(vx_time_parse(s, 20, &back, NULL), 0);
                ck_assert_int_eq(back, t);
            }
        }
    }
    /* consecutive days are consecutive numbers across the whole range */
    int64_t prev = vx_days_from_civil(1, 1, 1) - 1;
    for (int y = 1; y <= 9999; y++)
        for (unsigned m = 1; m <= 12; m++) {
            int64_t first = vx_days_from_civil(y, m, 1);
            ck_assert_int_eq(first, prev + 1);
            prev = first + vx_days_in_month(y, m) - 1;
        }
    ck_assert_int_eq(vx_days_from_civil(1970, 1, 1), 0);
    ck_assert_int_eq(vx_days_from_civil(2000, 1, 1), 10957);
    ck_assert_int_eq(vx_days_from_civil(1969, 12, 31), -1);
}
END_TEST

static Suite *iso8601_suite(void)
{
    Suite *s = suite_create("iso8601");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, dates);
    tcase_add_test(tc, date_times);
    tcase_add_test(tc, offsets);
    tcase_add_test(tc, leap_years);
    tcase_add_test(tc, out_of_range_fields);
    tcase_add_test(tc, bad_syntax);
    tcase_add_test(tc, formatting);
    tcase_add_test(tc, round_trip);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(iso8601_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
