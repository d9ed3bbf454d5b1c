/* PII redaction (lib/redact.c): real-world formats of e-mail addresses,
 * phone numbers, card numbers and IBANs; near misses that must be left
 * alone; adjacency, positions, non-ASCII and invalid UTF-8; kind
 * selection; linear time on hostile input; and ingest storing only the
 * redacted text, which still classifies with correct spans. */
#include "redact.h"
#include "testutil.h"
#include "utf8.h"
#include "vocx_internal.h"

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* Redact with the public API; returns a static copy of the result. */
static const char *red(const char *text, unsigned kinds, size_t *count)
{
    static char buf[8192];
    char *out = NULL;
    size_t len = 0, n = 0;
    ck_assert_int_eq(vocx_redact(text, strlen(text), kinds, &out, &len, &n),
                     VOCX_OK);
    ck_assert_ptr_nonnull(out);
    ck_assert_uint_eq(strlen(out), len);
    ck_assert_uint_lt(len, sizeof buf);
    memcpy(buf, out, len + 1);
    vocx_free(out);
    if (count)
        *count = n;
    return buf;
}

typedef struct pair {
    const char *in, *want;
} pair;

static void check_pairs(const pair *p, size_t n, unsigned kinds)
{
    for (size_t i = 0; i < n; i++) {
        const char *got = red(p[i].in, kinds, NULL);
        ck_assert_msg(strcmp(got, p[i].want) == 0, "\"%s\"\n  got  \"%s\"\n"
                      "  want \"%s\"", p[i].in, got, p[i].want);
    }
}

#define CHECK(pairs) check_pairs(pairs, sizeof pairs / sizeof *pairs, VOCX_REDACT_ALL)

START_TEST(test_phone_formats)
{
    static const pair p[] = {
        {"+44 20 7946 0958", "[PHONE]"},
        {"Call me on +44 20 7946 0958 please", "Call me on [PHONE] please"},
        {"+44 (0)20 7946 0958", "[PHONE]"},
        {"+44 (0) 20 7946 0958", "[PHONE]"},
        {"+1 (415) 555-0132", "[PHONE]"},
        {"(415) 555-0132", "[PHONE]"},
        {"415-555-0132, 415.555.0132 or 415 555 0132",
         "[PHONE], [PHONE] or [PHONE]"},
        {"1-800-555-0199", "[PHONE]"},
        {"0049 30 1234567", "[PHONE]"},
        {"0049301234567", "[PHONE]"},
        {"030/1234567", "[PHONE]"},
        {"030 1234567", "[PHONE]"},
        {"(030) 1234567", "[PHONE]"},
        {"020 7946 0958", "[PHONE]"},
        {"07700 900123", "[PHONE]"},
        {"+33 1 23 45 67 89", "[PHONE]"},
        {"+33 (0)1 23 45 67 89", "[PHONE]"},
        {"06 12 34 56 78", "[PHONE]"},
        {"+49 170 1234567", "[PHONE]"},
        {"+4917012345678", "[PHONE]"},
        {"090-1234-5678", "[PHONE]"},
        {"Tel:+4930123456", "Tel:[PHONE]"},
        {"Tel.: 030-1234567", "Tel.: [PHONE]"},
        /* a phone word unlocks numbers without a national prefix */
        {"call 555-0132", "call [PHONE]"},
        {"call me on 4155550132", "call me on [PHONE]"},
        {"phone number: 4155550132", "phone number: [PHONE]"},
        {"mobile 1234 567 890", "mobile [PHONE]"},
        /* no-break spaces of every kind (French formatting) */
        {"+33\xC2\xA0" "1\xC2\xA0" "23\xC2\xA0" "45\xC2\xA0" "67\xC2\xA0" "89",
         "[PHONE]"},
        {"+33\xE2\x80\xAF" "6\xE2\x80\xAF" "12\xE2\x80\xAF" "34\xE2\x80\xAF"
         "56\xE2\x80\xAF" "78",
         "[PHONE]"},
    };
    CHECK(p);
}
END_TEST

START_TEST(test_card_formats)
{
    static const pair p[] = {
        {"4111 1111 1111 1111", "[CARD]"},
        {"4111-1111-1111-1111", "[CARD]"},
        {"4111111111111111", "[CARD]"},
        {"5500-0000-0000-0004", "[CARD]"},
        {"5500 0000 0000 0004", "[CARD]"},
        {"Amex 378282246310005", "Amex [CARD]"},
        {"Amex 3782 822463 10005", "Amex [CARD]"},
        {"Amex 3714-496353-98431", "Amex [CARD]"},
        {"Visa 13 digits 4222222222222", "Visa 13 digits [CARD]"},
        {"Discover 6011 1111 1111 1117", "Discover [CARD]"},
        {"JCB 3530111333300000", "JCB [CARD]"},
        {"Mastercard 2-series 2223 0031 2200 3222",
         "Mastercard 2-series [CARD]"},
        {"19 digits 4111 1111 1111 1111 003", "19 digits [CARD]"},
        /* CVV and expiry after the number stay */
        {"card 4111 1111 1111 1111 exp 12/25 cvv 123",
         "card [CARD] exp 12/25 cvv 123"},
        {"4111 1111 1111 1111 12/25", "[CARD] 12/25"},
        {"4111\xC2\xA0" "1111\xC2\xA0" "1111\xC2\xA0" "1111", "[CARD]"},
    };
    CHECK(p);
}
END_TEST

START_TEST(test_iban_formats)
{
    static const pair p[] = {
        {"GB82 WEST 1234 5698 7654 32", "[IBAN]"},
        {"GB82WEST12345698765432", "[IBAN]"},
        {"DE89370400440532013000", "[IBAN]"},
        {"DE89 3704 0044 0532 0130 00", "[IBAN]"},
        {"IBAN: FR14 2004 1010 0505 0001 3M02 606.", "IBAN: [IBAN]."},
        {"NL91ABNA0417164300", "[IBAN]"},
        {"CH93 0076 2011 6238 5295 7", "[IBAN]"},
        {"NO9386011117947", "[IBAN]"},
        {"MT84MALT011000012345MTLCAST001S", "[IBAN]"},
        {"lower case gb82 west 1234 5698 7654 32", "lower case [IBAN]"},
        {"(IBAN DE89370400440532013000)", "(IBAN [IBAN])"},
    };
    CHECK(p);
}
END_TEST

START_TEST(test_email_formats)
{
    static const pair p[] = {
        {"bob@example.com", "[EMAIL]"},
        {"mail bob.smith+tag@example.co.uk.", "mail [EMAIL]."},
        {"first_last-99@sub.mail-host.example.org", "[EMAIL]"},
        {"<BOB@EXAMPLE.COM>", "<[EMAIL]>"},
        {"mailto:o'brien@example.ie?", "mailto:[EMAIL]?"},
        {"4155550132@sms.example.com", "[EMAIL]"},
        {"+4915112345678@sms.example.com", "+[EMAIL]"},
        {"bob@xn--mller-kva.de", "[EMAIL]"},
        {"Grüße an jürgen@müller.de", "Grüße an [EMAIL]"},
        {"wait..bob@example.com", "wait..[EMAIL]"},
        {"'bob@example.com'", "'[EMAIL]'"},
    };
    CHECK(p);
}
END_TEST

START_TEST(test_near_misses_are_left_alone)
{
    static const char *const keep[] = {
        "order #A-1029384",
        "order 123456789",
        "order number 0301234567",
        "Order no. 0049301234567",
        "invoice 030-1234567",
        "on 2024-03-15, 15.03.2024 and 03/15/2024",
        "2024-03-15 10:30 until 2024-03-16T18:00:00Z",
        "15.03.24 and 3/15/2024 and 2024/03/15",
        "at 10:30 or 10.30",
        "$1,299.99 or 1 299,99 EUR or 1.299.999,00",
        "4111111111111112",
        "4111 1111 1111 1112",
        "tracking 1Z999AA10123456784",
        "USPS 9400 1000 0000 0000 0000 00",
        "DHL 00340434161234567890",
        "FedEx 7489 4782 3456",
        "Royal Mail AB123456789GB",
        "version 1.2.3, build 10.0.19045.3803",
        "IP 192.168.100.200",
        "GB82 WEST 1234 5698 7654 31",
        "GB82WEST12345698765431",
        "DE89 3704 0044 0532 0130 01",
        "DE89 3704 0044 0532 0130 0",
        "XX89370400440532013000",
        "user at example dot com",
        "user [at] example [dot] com",
        "bob@localhost",
        "x@y",
        "@handle and @example.com",
        "a.@example.com",
        "ISBN 978-3-16-148410-0",
        "3 items, 2 boxes, 1 refund of 25 dollars",
        "room 12, floor 3, desk 45",
        "SKU 1234567",
        "A1029384 B-2394857 #9483726",
        "1234567",
        "12345678901234567890123456789",
    };
    for (size_t i = 0; i < sizeof keep / sizeof *keep; i++) {
        size_t n = 99;
        const char *got = red(keep[i], VOCX_REDACT_ALL, &n);
        ck_assert_msg(n == 0 && strcmp(got, keep[i]) == 0,
                      "\"%s\" became \"%s\"", keep[i], got);
    }
}
END_TEST

START_TEST(test_adjacent_and_overlapping)
{
    static const pair p[] = {
        {"a@example.com,b@example.org", "[EMAIL],[EMAIL]"},
        {"a@example.com b@example.org", "[EMAIL] [EMAIL]"},
        {"0301234567/0307654321", "[PHONE]/[PHONE]"},
        {"+44 20 7946 0958/+1 (415) 555-0132", "[PHONE]/[PHONE]"},
        {"4111 1111 1111 1111 +44 20 7946 0958", "[CARD] [PHONE]"},
        {"4111111111111111,5500000000000004", "[CARD],[CARD]"},
        {"DE89370400440532013000 GB82WEST12345698765432", "[IBAN] [IBAN]"},
        {"+44 20 7946 0958 2 times", "[PHONE] 2 times"},
        {"Room 12 0301234567", "Room 12 [PHONE]"},
        {"ref 12 4111 1111 1111 1111", "ref 12 [CARD]"},
        {"on 15.03.2024 0301234567", "on 15.03.2024 [PHONE]"},
        {"2024-03-15 10:30 0301234567", "2024-03-15 10:30 [PHONE]"},
        {"0301234567 15.03.2024", "[PHONE] 15.03.2024"},
        {"bob@example.com:0301234567", "[EMAIL]:[PHONE]"},
        /* the address owns digits in its local part */
        {"0301234567.doe@example.com", "[EMAIL]"},
        {"DE89370400440532013000@example.com", "[EMAIL]"},
    };
    CHECK(p);
}
END_TEST

START_TEST(test_positions_punctuation_and_scripts)
{
    static const pair p[] = {
        {"bob@example.com ends", "[EMAIL] ends"},
        {"starts bob@example.com", "starts [EMAIL]"},
        {"0301234567", "[PHONE]"},
        {"(bob@example.com)", "([EMAIL])"},
        {"(0301234567)", "([PHONE])"},
        {"[+44 20 7946 0958]", "[[PHONE]]"},
        {"\"4111 1111 1111 1111\"", "\"[CARD]\""},
        {"call: 0301234567!", "call: [PHONE]!"},
        {"IBAN:DE89370400440532013000;", "IBAN:[IBAN];"},
        {"Très bien, écrivez à jean@exemple.fr ou appelez le "
         "+33 (0)1 23 45 67 89 merci",
         "Très bien, écrivez à [EMAIL] ou appelez le [PHONE] merci"},
        {"メールはjohn@example.comです。電話0301234567まで",
         "メールは[EMAIL]です。電話[PHONE]まで"},
        {"Позвоните +7 495 123-45-67 😀", "Позвоните [PHONE] 😀"},
        {"😡4111111111111111😡", "😡[CARD]😡"},
        {"line one\nbob@example.com\r\n+44 20 7946 0958\n",
         "line one\n[EMAIL]\r\n[PHONE]\n"},
    };
    CHECK(p);
}
END_TEST

START_TEST(test_invalid_utf8_left_intact)
{
    static const char in[] = "\xFF" "0301234567\xFE bob@example.com \xC3(\xE2\x82 "
                             "\xC0\xAF x";
    static const char want[] = "\xFF[PHONE]\xFE [EMAIL] \xC3(\xE2\x82 "
                               "\xC0\xAF x";
    char *out = NULL;
    size_t len = 0, n = 0;
    ck_assert_int_eq(vocx_redact(in, sizeof in - 1, VOCX_REDACT_ALL, &out,
                                 &len, &n),
                     VOCX_OK);
    ck_assert_uint_eq(n, 2);
    ck_assert_uint_eq(len, sizeof want - 1);
    ck_assert_mem_eq(out, want, len);
    vocx_free(out);
    /* Embedded NUL bytes are data like any other. */
    static const char nul[] = "a\0bob@example.com\0b";
    ck_assert_int_eq(vocx_redact(nul, sizeof nul - 1, VOCX_REDACT_ALL, &out,
                                 &len, &n),
                     VOCX_OK);
    ck_assert_uint_eq(len, 11);
    ck_assert_mem_eq(out, "a\0[EMAIL]\0b", 11);
    vocx_free(out);
}
END_TEST

START_TEST(test_kind_selection)
{
    const char *all = "bob@example.com +44 20 7946 0958 4111 1111 1111 1111 "
                      "DE89370400440532013000";
    size_t n = 0;
    ck_assert_str_eq(red(all, VOCX_REDACT_ALL, &n),
                     "[EMAIL] [PHONE] [CARD] [IBAN]");
    ck_assert_uint_eq(n, 4);
    ck_assert_str_eq(red(all, VOCX_REDACT_EMAIL, &n),
                     "[EMAIL] +44 20 7946 0958 4111 1111 1111 1111 "
                     "DE89370400440532013000");
    ck_assert_uint_eq(n, 1);
    /* A card is recognized as a card even when only phones are asked for:
     * never reported as a phone. */
    ck_assert_str_eq(red(all, VOCX_REDACT_PHONE, &n),
                     "bob@example.com [PHONE] 4111 1111 1111 1111 "
                     "DE89370400440532013000");
    ck_assert_str_eq(red(all, VOCX_REDACT_CARD | VOCX_REDACT_IBAN, &n),
                     "bob@example.com +44 20 7946 0958 [CARD] [IBAN]");
    ck_assert_uint_eq(n, 2);
    ck_assert_str_eq(red(all, 0, &n), all);
    ck_assert_uint_eq(n, 0);
    /* IBAN digits are not a phone when IBANs are not asked for. */
    ck_assert_str_eq(red("DE89 3704 0044 0532 0130 00", VOCX_REDACT_PHONE, &n),
                     "DE89 3704 0044 0532 0130 00");
}
END_TEST

START_TEST(test_api_contract)
{
    char *out = (char *)1;
    size_t len = 7, n = 7;
    ck_assert_int_eq(vocx_redact("x", 1, 0x10, &out, &len, &n), VOCX_EINVAL);
    ck_assert_ptr_null(out);
    ck_assert_uint_eq(len, 0);
    ck_assert_uint_eq(n, 0);
    ck_assert_int_eq(vocx_redact(NULL, 3, VOCX_REDACT_ALL, &out, NULL, NULL),
                     VOCX_EINVAL);
    ck_assert_int_eq(vocx_redact("x", 1, VOCX_REDACT_ALL, NULL, NULL, NULL),
                     VOCX_EINVAL);
    /* Empty input: an empty, allocated string. */
    ck_assert_int_eq(vocx_redact(NULL, 0, VOCX_REDACT_ALL, &out, &len, &n),
                     VOCX_OK);
    ck_assert_ptr_nonnull(out);
    ck_assert_str_eq(out, "");
    vocx_free(out);
    /* Length, not NUL, ends the text. */
    ck_assert_int_eq(vocx_redact("bob@example.com", 9, VOCX_REDACT_ALL, &out,
                                 &len, &n),
                     VOCX_OK);
    ck_assert_str_eq(out, "bob@examp");
    ck_assert_uint_eq(n, 0);
    vocx_free(out);

    /* The internal call leaves the buffer alone when nothing changes and
     * reuses it across calls. */
    vx_redact_buf b = {NULL, 0, 0};
    ck_assert_int_eq(vx_redact("plain text", 10, VOCX_REDACT_ALL, &b, &n),
                     VOCX_OK);
    ck_assert_uint_eq(n, 0);
    ck_assert_ptr_null(b.data);
    ck_assert_int_eq(vx_redact("a@example.com", 13, VOCX_REDACT_ALL, &b, &n),
                     VOCX_OK);
    ck_assert_uint_eq(n, 1);
    ck_assert_str_eq(b.data, "[EMAIL]");
    char *first = b.data;
    ck_assert_int_eq(vx_redact("x 0301234567", 12, VOCX_REDACT_ALL, &b, &n),
                     VOCX_OK);
    ck_assert_str_eq(b.data, "x [PHONE]");
    ck_assert_ptr_eq(b.data, first);
    ck_assert_int_eq(vx_redact("x", 1, VOCX_REDACT_ALL, &b, NULL),
                     VOCX_EINVAL);
    ck_assert_int_eq(vx_redact("x", 1, VOCX_REDACT_ALL, NULL, &n),
                     VOCX_EINVAL);
    vx_redact_buf_free(&b);
    vx_redact_buf_free(&b);
    vx_redact_buf_free(NULL);

    /* The precheck. */
    ck_assert_int_eq(vx_redact_maybe("no digits, no at", 16, VOCX_REDACT_ALL),
                     0);
    ck_assert_int_eq(vx_redact_maybe("123456 only six", 15, VOCX_REDACT_ALL),
                     0);
    ck_assert_int_eq(vx_redact_maybe("1234567", 7, VOCX_REDACT_ALL), 1);
    ck_assert_int_eq(vx_redact_maybe("1234567", 7, VOCX_REDACT_EMAIL), 0);
    ck_assert_int_eq(vx_redact_maybe("a@b", 3, VOCX_REDACT_EMAIL), 1);
    ck_assert_int_eq(vx_redact_maybe("a@b", 3, VOCX_REDACT_PHONE), 0);
}
END_TEST

static uint64_t rng_next(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* Random texts built from the pieces PII is made of: never a crash (the
 * sanitizer build watches), valid UTF-8 stays valid, the text outside
 * the placeholders is the input's, and a second pass changes nothing. */
START_TEST(test_random_pieces)
{
    static const char *const pieces[] = {
        "0", "1", "4", "9", "00", "030", "4111", "1111", "2024", "12",
        " ", " ", "-", ".", "/", "+", "(", ")", "@", ":", ",", "#", "$",
        "a", "bob", "example", "com", "DE89", "GB82", "WEST", "call",
        "order", "\xC2\xA0", "\xC3\xBC", "\xE2\x80\xAF", "\xF0\x9F\x98\x80",
        "\xFF", "..", "_", "'", "\n", "xn--", "[", "]"};
    uint64_t seed = 7;
    char in[256];
    for (int iter = 0; iter < 20000; iter++) {
        size_t len = 0;
        size_t k = 1 + rng_next(&seed) % 40;
        for (size_t j = 0; j < k; j++) {
            const char *p = pieces[rng_next(&seed) %
                                   (sizeof pieces / sizeof *pieces)];
            size_t pl = strlen(p);
            if (len + pl >= sizeof in)
                break;
            memcpy(in + len, p, pl);
            len += pl;
        }
        char *out = NULL, *again = NULL;
        size_t olen = 0, n = 0, alen = 0, n2 = 0;
        ck_assert_int_eq(vocx_redact(in, len, VOCX_REDACT_ALL, &out, &olen,
                                     &n),
                         VOCX_OK);
        if (vx_utf8_check(in, len) == len)
            ck_assert_uint_eq(vx_utf8_check(out, olen), olen);
        if (n == 0)
            ck_assert_mem_eq(out, in, len);
        ck_assert_int_eq(vocx_redact(out, olen, VOCX_REDACT_ALL, &again,
                                     &alen, &n2),
                         VOCX_OK);
        ck_assert_msg(n2 == 0, "not stable: \"%.*s\" -> \"%s\" -> \"%s\"",
                      (int)len, in, out, again);
        vocx_free(out);
        vocx_free(again);
    }
}
END_TEST

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Seconds (best of 3) to redact `len` bytes of repeated `unit`. */
static double time_pattern(char *buf, size_t len, const char *unit)
{
    size_t ul = strlen(unit), n = 0;
    while (n + ul <= len) {
        memcpy(buf + n, unit, ul);
        n += ul;
    }
    double best = 1e9;
    for (int r = 0; r < 3; r++) {
        char *out = NULL;
        size_t olen = 0, count = 0;
        double t0 = now_s();
        ck_assert_int_eq(vocx_redact(buf, n, VOCX_REDACT_ALL, &out, &olen,
                                     &count),
                         VOCX_OK);
        double dt = now_s() - t0;
        vocx_free(out);
        if (dt < best)
            best = dt;
    }
    return best;
}

/* Hostile input stays linear: 8 times the text takes about 8 times as
 * long (a quadratic scan would take 64 times), whatever the machine. */
START_TEST(test_linear_on_hostile_input)
{
    static const char *const unit[] = {
        "1 ", "0-", "+1", "((1)", "@", "a.", "a@", "@a.", "4111 ", "GB82 ",
        "9", "x@example.co", "DE89", "0 0 0 0 0 0 0 ", "..@", "a@b-",
        "12 ", "0301 ", "(0)1 ", "+1 (1)", "1-", "call 1 "};
    size_t big = 2u << 20, small = big / 8;
    char *buf = malloc(big);
    ck_assert_ptr_nonnull(buf);
    for (size_t u = 0; u < sizeof unit / sizeof *unit; u++) {
        double ts = time_pattern(buf, small, unit[u]);
        double tb = time_pattern(buf, big, unit[u]);
        /* The floor keeps timer noise on a busy machine out of it. */
        ck_assert_msg(tb <= 24 * (ts > 0.02 ? ts : 0.02),
                      "pattern \"%s\": %.3f s for 256 KiB, %.3f s for 2 MiB",
                      unit[u], ts, tb);
    }
    free(buf);
}
END_TEST

/* ---- ingest ----------------------------------------------------------- */

static const char PII_CSV[] =
    "id,customer_id,created_at,channel,text\n"
    "p1,7,2026-01-05,email,\"I was charged twice! Mail me at "
    "jane.doe@example.com or call +44 20 7946 0958.\"\n"
    "p2,8,2026-01-06,chat,Refund to IBAN DE89 3704 0044 0532 0130 00 "
    "please; card 4111 1111 1111 1111 was billed double\n"
    "p3,9,2026-01-07,survey,Order 123456789 arrived late on 2026-01-03\n";

/* 1 when `needle` occurs in the file at `path` (which may be missing). */
static int file_contains(const char *path, const char *needle)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    size_t nl = strlen(needle), cap = 1 << 16, len = 0;
    char *buf = malloc(cap);
    ck_assert_ptr_nonnull(buf);
    size_t r;
    while ((r = fread(buf + len, 1, cap - len, f)) > 0) {
        len += r;
        if (len == cap) {
            cap *= 2;
            buf = realloc(buf, cap);
            ck_assert_ptr_nonnull(buf);
        }
    }
    fclose(f);
    int found = 0;
    for (size_t i = 0; !found && i + nl <= len; i++)
        found = memcmp(buf + i, needle, nl) == 0;
    free(buf);
    return found;
}

static const char RULES[] =
    "issue billing.double_charge\n"
    "  label \"Charged twice\"\n"
    "  block improvement\n"
    "  match (charged OR billed) NEAR/3 (twice OR double)\n"
    "\n"
    "issue delivery.late\n"
    "  label \"Late delivery\"\n"
    "  block improvement\n"
    "  match late\n"
    "\n"
    "issue contact.by_email\n"
    "  block improvement\n"
    "  match email OR phone\n";

START_TEST(test_ingest_stores_only_redacted_text)
{
    char db[512], csv[512], wal[600];
    vocx_store *s = tu_fresh_store(db, sizeof db, "redact.db");
    snprintf(wal, sizeof wal, "%s-wal", db);
    tu_tmppath(csv, sizeof csv, "pii.csv");
    tu_write_str(csv, PII_CSV);

    vocx_ingest_options o = VOCX_INGEST_OPTIONS_INIT;
    ck_assert_uint_eq(o.redact, 0);
    o.redact = VOCX_REDACT_ALL;
    vocx_ingest_stats st;
    ck_assert_int_eq(vocx_ingest_file(s, csv, &o, &st), VOCX_OK);
    ck_assert_uint_eq(st.inserted, 3);

    vocx_cursor *cur = NULL;
    const vocx_comment_row *r;
    vocx_comment_filter f = VOCX_COMMENT_FILTER_INIT;
    ck_assert_int_eq(vocx_comments_open(&cur, s, &f), VOCX_OK);
    char texts[3][256];
    for (int i = 0; i < 3; i++) {
        ck_assert_int_eq(vocx_cursor_next(cur, &r), 1);
        snprintf(texts[i], sizeof texts[i], "%s", r->text);
    }
    ck_assert_int_eq(vocx_cursor_next(cur, &r), 0);
    vocx_cursor_free(cur);
    ck_assert_str_eq(texts[0], "I was charged twice! Mail me at [EMAIL] or "
                               "call [PHONE].");
    ck_assert_str_eq(texts[1], "Refund to IBAN [IBAN] please; card [CARD] "
                               "was billed double");
    ck_assert_str_eq(texts[2], "Order 123456789 arrived late on 2026-01-03");
    ck_assert_ptr_null(strstr(texts[0], "jane.doe"));

    /* Re-running is idempotent: the redaction is deterministic. */
    ck_assert_int_eq(vocx_ingest_file(s, csv, &o, &st), VOCX_OK);
    ck_assert_uint_eq(st.unchanged, 3);

    /* Classification of the redacted text: spans are right. */
    vocx_rules *rules = NULL;
    ck_assert_int_eq(vocx_rules_compile(&rules, RULES, strlen(RULES),
                                        "t.rules", NULL),
                     VOCX_OK);
    vocx_scratch *sc = NULL;
    ck_assert_int_eq(vocx_scratch_new(&sc), VOCX_OK);
    const char *want_issue[3] = {"billing.double_charge",
                                 "billing.double_charge", "delivery.late"};
    const char *want_span[3] = {"charged twice", "billed double", "late"};
    for (int i = 0; i < 3; i++) {
        const vocx_result *res = NULL;
        ck_assert_int_eq(vocx_classify(rules, sc, texts[i], strlen(texts[i]),
                                       0, &res),
                         VOCX_OK);
        ck_assert_uint_eq(res->nhits, 1);
        const vocx_hit *h = &res->hits[0];
        ck_assert_str_eq(h->issue->id, want_issue[i]);
        ck_assert_uint_ge(h->nspans, 1);
        size_t a = h->spans[0].start, b = h->spans[h->nspans - 1].end;
        ck_assert_uint_le(b, strlen(texts[i]));
        char span[64];
        snprintf(span, sizeof span, "%.*s", (int)(b - a), texts[i] + a);
        ck_assert_str_eq(span, want_span[i]);
    }
    /* Placeholders are no words: "[EMAIL]" and "[PHONE]" above raised
     * nothing (one hit each), while the words themselves do. */
    const vocx_result *res = NULL;
    static const char said[] = "please email or phone me";
    ck_assert_int_eq(vocx_classify(rules, sc, said, sizeof said - 1, 0, &res),
                     VOCX_OK);
    ck_assert_uint_eq(res->nhits, 1);
    ck_assert_str_eq(res->hits[0].issue->id, "contact.by_email");
    vocx_scratch_free(sc);
    vocx_rules_free(rules);

    /* The same store classified through the library agrees. */
    vocx_store_close(s);
    /* Nothing of the raw values reached the database or its WAL. */
    ck_assert(!file_contains(db, "jane.doe@example.com"));
    ck_assert(!file_contains(db, "7946 0958"));
    ck_assert(!file_contains(db, "4111 1111"));
    ck_assert(!file_contains(db, "DE89 3704"));
    ck_assert(!file_contains(wal, "jane.doe@example.com"));
    ck_assert(!file_contains(wal, "4111 1111"));
    ck_assert(file_contains(db, "[EMAIL]") || file_contains(wal, "[EMAIL]"));
    tu_rm_db(db);
    unlink(csv);
}
END_TEST

START_TEST(test_ingest_content_id_and_kinds)
{
    char db[512], csv[512];
    vocx_store *s = tu_fresh_store(db, sizeof db, "redact2.db");
    tu_tmppath(csv, sizeof csv, "anon.jsonl");
    /* Anonymous comments differing only in the address: the content id is
     * a hash of the redacted text, so the second is the same comment. */
    tu_write_str(csv, "{\"text\": \"contact a@example.com about 0301234567\"}\n"
                      "{\"text\": \"contact b@example.org about 0301234567\"}\n"
                      "{\"text\": null}\n");
    vocx_ingest_options o = VOCX_INGEST_OPTIONS_INIT;
    o.redact = VOCX_REDACT_EMAIL;
    vocx_ingest_stats st;
    ck_assert_int_eq(vocx_ingest_file(s, csv, &o, &st), VOCX_OK);
    ck_assert_uint_eq(st.inserted, 1);
    ck_assert_uint_eq(st.unchanged, 1);
    ck_assert_uint_eq(st.rejected, 1);
    ck_assert_int_eq(tu_sql_int(db, "SELECT count(*) FROM comments WHERE "
                                    "text = 'contact [EMAIL] about "
                                    "0301234567'"),
                     1);
    /* Unknown bits are refused before anything happens. */
    o.redact = 0x30;
    ck_assert_int_eq(vocx_ingest_file(s, csv, &o, &st), VOCX_EINVAL);
    ck_assert_ptr_nonnull(strstr(vocx_store_errmsg(s), "redaction"));
    vocx_store_close(s);
    tu_rm_db(db);
    unlink(csv);
}
END_TEST

/* Version 1 callers (compiled before `redact` existed) keep working: the
 * library reads no byte past their struct. */
START_TEST(test_ingest_options_version_1)
{
    size_t v1 = offsetof(vocx_ingest_options, redact);
    vocx_ingest_options *o = malloc(v1); /* exactly a version 1 struct */
    ck_assert_ptr_nonnull(o);
    ck_assert_int_eq(vocx_ingest_options_init(o, 1), VOCX_OK);
    unsigned int version; /* read as bytes: `o` is smaller than the type */
    memcpy(&version, o, sizeof version);
    ck_assert_uint_eq(version, 1);
    ck_assert_int_eq(vocx_ingest_options_init(o, 3), VOCX_EINVAL);
    vocx_ingest_options full;
    ck_assert_int_eq(vocx_ingest_options_init(&full, 2), VOCX_OK);
    ck_assert_uint_eq(full.version, VOCX_INGEST_OPTIONS_VERSION);
    ck_assert_uint_eq(full.redact, 0);

    char db[512], csv[512];
    vocx_store *s = tu_fresh_store(db, sizeof db, "v1.db");
    tu_tmppath(csv, sizeof csv, "v1.csv");
    tu_write_str(csv, "id,text\nv1,mail bob@example.com\n");
    vocx_ingest_stats st;
    ck_assert_int_eq(vocx_ingest_file(s, csv, o, &st), VOCX_OK);
    ck_assert_uint_eq(st.inserted, 1);
    /* No redaction for version 1. */
    ck_assert_int_eq(tu_sql_int(db, "SELECT count(*) FROM comments WHERE "
                                    "text = 'mail bob@example.com'"),
                     1);
    vocx_store_close(s);
    free(o);
    tu_rm_db(db);
    unlink(csv);
}
END_TEST

int main(void)
{
    Suite *su = suite_create("redact");
    TCase *tc = tcase_create("redact");
    tcase_set_timeout(tc, 240);
    tcase_add_test(tc, test_phone_formats);
    tcase_add_test(tc, test_card_formats);
    tcase_add_test(tc, test_iban_formats);
    tcase_add_test(tc, test_email_formats);
    tcase_add_test(tc, test_near_misses_are_left_alone);
    tcase_add_test(tc, test_adjacent_and_overlapping);
    tcase_add_test(tc, test_positions_punctuation_and_scripts);
    tcase_add_test(tc, test_invalid_utf8_left_intact);
    tcase_add_test(tc, test_kind_selection);
    tcase_add_test(tc, test_api_contract);
    tcase_add_test(tc, test_random_pieces);
    tcase_add_test(tc, test_linear_on_hostile_input);
    tcase_add_test(tc, test_ingest_stores_only_redacted_text);
    tcase_add_test(tc, test_ingest_content_id_and_kinds);
    tcase_add_test(tc, test_ingest_options_version_1);
    suite_add_tcase(su, tc);
    return tu_run_suite(su);
}
