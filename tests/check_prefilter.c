/* Tests for lib/prefilter.c: the literals a regex requires, and the scan
 * that finds them.  The property that matters: whenever PCRE2 finds a
 * match, one of the literals occurs in the text -- otherwise skipping the
 * regex would lose a match. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "prefilter.h"

#include <check.h>
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The literal set of `pat` as "a|b|c" in byte order, or "-" for none. */
static const char *lits(const char *pat)
{
    static char out[VX_LIT_SET_MAX * (VX_LIT_MAX + 1) + 1];
    vx_litset s;
    if (!vx_regex_literals(pat, strlen(pat), &s))
        return "-";
    char *v[VX_LIT_SET_MAX];
    char buf[VX_LIT_SET_MAX][VX_LIT_MAX + 1];
    for (uint32_t i = 0; i < s.n; i++) {
        memcpy(buf[i], s.s[i], s.len[i]);
        buf[i][s.len[i]] = '\0';
        v[i] = buf[i];
    }
    for (uint32_t i = 1; i < s.n; i++) /* insertion sort */
        for (uint32_t j = i; j > 0 && strcmp(v[j - 1], v[j]) > 0; j--) {
            char *t = v[j];
            v[j] = v[j - 1];
            v[j - 1] = t;
        }
    out[0] = '\0';
    for (uint32_t i = 0; i < s.n; i++) {
        if (i)
            strcat(out, "|");
        strcat(out, v[i]);
    }
    return out;
}

#define LITS(pat, want) ck_assert_str_eq(lits(pat), want)

START_TEST(literals_of_plain_patterns)
{
    LITS("refund", "refund");
    LITS("colou?r", "color|colour");
    LITS("(day|week)s?", "day|week");
    LITS("wait(ed|ing)?", "wait");
    LITS("(?:refund|money back)", "money back|refund");
    LITS("stra\xC3\x9F" "e?", "stra\xC3\x9F");
    /* cut to VX_LIT_MAX bytes: a prefix of a required literal is required */
    LITS("abcdefghijklmnopqrstuvwxyz0123456789", "abcdefghijklmnopqrstuvwx");
}
END_TEST

START_TEST(literals_along_sequences)
{
    /* the longest stretch that every match contains */
    LITS("\\btook (\\d+|a|one) (full )?(days?|weeks?)\\b", "took ");
    LITS("[\xE2\x82\xAC\xC2\xA3$]?\\d+[.,]\\d\\d to [\xE2\x82\xAC\xC2\xA3$]?"
         "\\d+",
         " to ");
    LITS("\\{\\s*first_?name\\s*\\}", "first_name|firstname");
    /* both sides of .{0,30} are required; the more selective one wins */
    LITS("\\b(waited|waiting|wait|hold|queue|queued)\\b.{0,30}\\b(\\d+|an?) "
         "?(min|mins|minutes|hours?|hrs)\\b",
         "hold|queue|wait");
    LITS("[abc]def", "def");
    LITS("[]x]yzw", "yzw");
    LITS("caf\\x{e9}", "caf");
    LITS("(refund){2,}", "refund");
    LITS("(?:refund)+", "refund");
    /* 17 alternatives are too many to keep; the rest still counts */
    LITS("(a|b|c|d|e|f|g|h|i|j|k|l|m|n|o|p|q)xyz", "xyz");
}
END_TEST

START_TEST(zero_width_pieces)
{
    LITS("refund(?= now)", "refund");
    LITS("(?<=my )refund(?!s)", "refund");
    LITS("^refund$", "refund");
    LITS("\\brefund\\b", "refund");
    LITS("(?#a comment)refund", "refund");
    LITS("(?<name>refund)", "refund");
    LITS("(?'name'refund)", "refund");
    LITS("(?P<name>refund)", "refund");
    LITS("(?>refund)", "refund");
}
END_TEST

START_TEST(no_guarantee)
{
    LITS("", "-");
    LITS("a+b", "-");          /* too short to key on */
    LITS("\\d+ ?%", "-");
    LITS("refund|.", "-");     /* one branch can match anything */
    LITS("(refund)?", "-");
    LITS("(refund)*", "-");
    LITS("x{0}refund", "refund");
}
END_TEST

START_TEST(unmodelled_syntax_gives_up)
{
    LITS("(?i)refund", "-");      /* inline options */
    LITS("(refund)\\1", "-");     /* backreference */
    LITS("\\Qrefund\\E", "-");
    LITS("(*UTF)refund", "-");
    LITS("refund{,3}", "-");      /* a brace whose meaning varies */
    LITS("refund\\", "-");
    LITS("refund)", "-");
    LITS("(refund", "-");
    LITS("[refund", "-");
    LITS("((((((((((refund))))))))))", "-"); /* deeper than analyzed */
    LITS("refund\\Kx", "-");
}
END_TEST

/* ---- soundness against PCRE2 itself ------------------------------------ */

static uint64_t rng_state;

static uint32_t rnd(uint32_t n)
{
    rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t)(rng_state >> 33) % n;
}

static const char *const words[] = {"wait", "waited", "hold", "refund",
                                    "late", "day", "days", "order", "no",
                                    "ok", "\xC3\xA9t\xC3\xA9", "a", "ab"};

static void gen_pattern(char *out, size_t cap, int depth);

static void gen_atom(char *out, size_t cap, int depth)
{
    static const char *const atoms[] = {
        "\\d", "\\w", "\\s", ".", "[ab]", "[^x]", "\\b", "^", "$", " ",
        "\\.", "(?=a)", "(?!b)", "(?<=a)", "\xC3\xA9"};
    switch (rnd(depth < 3 ? 4 : 3)) {
    case 0:
    case 1:
        snprintf(out, cap, "%s", words[rnd(sizeof words / sizeof *words)]);
        break;
    case 2:
        snprintf(out, cap, "%s", atoms[rnd(sizeof atoms / sizeof *atoms)]);
        break;
    default: {
        char inner[256];
        gen_pattern(inner, sizeof inner, depth + 1);
        snprintf(out, cap, rnd(2) ? "(%s)" : "(?:%s)", inner);
    }
    }
    static const char *const quant[] = {"", "", "", "?", "*", "+", "{2}",
                                        "{0,2}", "{1,}", "??", "+?"};
    size_t l = strlen(out);
    snprintf(out + l, cap - l, "%s", quant[rnd(sizeof quant / sizeof *quant)]);
}

static void gen_pattern(char *out, size_t cap, int depth)
{
    out[0] = '\0';
    int branches = 1 + (rnd(4) == 0) + (rnd(8) == 0);
    for (int b = 0; b < branches; b++) {
        if (b)
            strncat(out, "|", cap - strlen(out) - 1);
        int n = 1 + (int)rnd(4);
        for (int i = 0; i < n; i++) {
            char atom[300];
            gen_atom(atom, sizeof atom, depth);
            strncat(out, atom, cap - strlen(out) - 1);
        }
    }
}

static size_t gen_text(char *out, size_t cap)
{
    static const char *const seps[] = {" ", " ", ", ", ". ", "1", "42 ", ""};
    size_t n = 0;
    int k = 1 + (int)rnd(12);
    for (int i = 0; i < k; i++) {
        const char *w = words[rnd(sizeof words / sizeof *words)];
        const char *s = seps[rnd(sizeof seps / sizeof *seps)];
        if (n + strlen(w) + strlen(s) + 1 >= cap)
            break;
        n += (size_t)sprintf(out + n, "%s%s", w, s);
    }
    return n;
}

static int occurs(const vx_litset *s, const char *t, size_t n)
{
    for (uint32_t i = 0; i < s->n; i++)
        for (size_t k = 0; k + s->len[i] <= n; k++)
            if (memcmp(t + k, s->s[i], s->len[i]) == 0)
                return 1;
    return 0;
}

START_TEST(sound_against_pcre2)
{
    rng_state = 0x5EED0001;
    pcre2_match_data *md = pcre2_match_data_create(32, NULL);
    /* random nesting can backtrack for long: a search that hits the
     * limit proves nothing and is skipped */
    pcre2_match_context *mc = pcre2_match_context_create(NULL);
    pcre2_set_match_limit(mc, 20000);
    size_t analyzed = 0, matched = 0;
    for (int iter = 0; iter < 20000; iter++) {
        char pat[512];
        gen_pattern(pat, sizeof pat, 0);
        int ec;
        PCRE2_SIZE eo;
        pcre2_code *re = pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED,
                                       PCRE2_UTF | PCRE2_UCP, &ec, &eo, NULL);
        if (!re)
            continue;
        vx_litset s;
        if (vx_regex_literals(pat, strlen(pat), &s)) {
            analyzed++;
            for (int t = 0; t < 20; t++) {
                char text[256];
                size_t n = gen_text(text, sizeof text);
                int rc = pcre2_match(re, (PCRE2_SPTR)text, n, 0, 0, md, mc);
                if (rc >= 0) {
                    matched++;
                    if (!occurs(&s, text, n))
                        ck_abort_msg("/%s/ matches \"%.*s\" but none of its "
                                     "literals %s occurs",
                                     pat, (int)n, text, lits(pat));
                }
            }
        }
        pcre2_code_free(re);
    }
    pcre2_match_data_free(md);
    pcre2_match_context_free(mc);
    /* the generator must exercise the analysis, not skip it */
    ck_assert_uint_gt(analyzed, 2000);
    ck_assert_uint_gt(matched, 1000);
}
END_TEST

/* ---- the scan ----------------------------------------------------------- */

static void add(vx_litset *s, const char *lit)
{
    memcpy(s->s[s->n], lit, strlen(lit));
    s->len[s->n++] = (uint8_t)strlen(lit);
}

START_TEST(scan_marks_regexes_whose_literals_occur)
{
    vx_litset sets[4];
    unsigned char has[4] = {1, 1, 0, 1};
    memset(sets, 0, sizeof sets);
    add(&sets[0], "wait");
    add(&sets[0], "hold");
    add(&sets[1], "hold");      /* shared with regex 0 */
    add(&sets[1], "took ");
    add(&sets[3], "wai");       /* same first 3 bytes as "wait" */
    vx_prefilter pf;
    ck_assert_int_eq(vx_prefilter_build(&pf, sets, has, 4), 0);
    uint32_t maybe[4] = {0};

    const char *t1 = "i was on hold";
    vx_prefilter_scan(&pf, t1, strlen(t1), maybe, 1, NULL);
    ck_assert_uint_eq(maybe[0], 1); /* at the very end of the text */
    ck_assert_uint_eq(maybe[1], 1);
    ck_assert_uint_eq(maybe[2], 0);
    ck_assert_uint_eq(maybe[3], 0);

    const char *t2 = "it took ages, i wai";
    vx_prefilter_scan(&pf, t2, strlen(t2), maybe, 2, NULL);
    ck_assert_uint_eq(maybe[0], 1); /* "wait" does not fit: not marked */
    ck_assert_uint_eq(maybe[1], 2);
    ck_assert_uint_eq(maybe[3], 2);

    const char *t3 = "ho"; /* shorter than any key */
    vx_prefilter_scan(&pf, t3, strlen(t3), maybe, 3, NULL);
    ck_assert_uint_eq(maybe[0], 1);
    vx_prefilter_free(&pf);
}
END_TEST

/* The scan looks up byte pairs at odd positions only: on random texts
 * over a small alphabet (literals at every offset, odd and even, at the
 * very start and end) it marks exactly the regexes a naive search of
 * every literal at every position marks. */
START_TEST(scan_same_as_naive_search)
{
    static const char alpha[] = "abc \xc3\xa9";
    uint32_t seed = 7;
#define RND() (seed = seed * 1103515245u + 12345u, seed >> 16)
    for (int round = 0; round < 300; round++) {
        enum { NX = 6 };
        vx_litset sets[NX];
        unsigned char has[NX];
        memset(sets, 0, sizeof sets);
        for (size_t x = 0; x < NX; x++) {
            has[x] = RND() % 5 != 0;
            size_t nl = 1 + RND() % 3;
            for (size_t i = 0; i < nl; i++) {
                char lit[8];
                size_t len = VX_LIT_MIN + RND() % 3;
                for (size_t j = 0; j < len; j++)
                    lit[j] = alpha[RND() % (sizeof alpha - 1)];
                lit[len] = '\0';
                add(&sets[x], lit);
            }
        }
        vx_prefilter pf;
        ck_assert_int_eq(vx_prefilter_build(&pf, sets, has, NX), 0);
        for (int t = 0; t < 20; t++) {
            char text[40];
            size_t n = RND() % sizeof text;
            for (size_t i = 0; i < n; i++)
                text[i] = alpha[RND() % (sizeof alpha - 1)];
            uint32_t maybe[NX] = {0}, list[NX];
            size_t nl = vx_prefilter_scan(&pf, text, n, maybe, 1, list);
            size_t listed[NX] = {0};
            for (size_t i = 0; i < nl; i++)
                listed[list[i]]++;
            for (size_t x = 0; x < NX; x++) {
                ck_assert_uint_eq(listed[x], maybe[x] == 1); /* once each */
                int want = 0;
                for (uint32_t l = 0; has[x] && l < sets[x].n; l++)
                    for (size_t i = 0; i + sets[x].len[l] <= n; i++)
                        want |= memcmp(text + i, sets[x].s[l],
                                       sets[x].len[l]) == 0;
                ck_assert_int_eq(maybe[x] == 1, want);
            }
        }
        vx_prefilter_free(&pf);
    }
#undef RND
}
END_TEST

START_TEST(scan_with_no_literals)
{
    vx_litset sets[1];
    unsigned char has[1] = {0};
    memset(sets, 0, sizeof sets);
    vx_prefilter pf;
    ck_assert_int_eq(vx_prefilter_build(&pf, sets, has, 1), 0);
    uint32_t maybe[1] = {0};
    vx_prefilter_scan(&pf, "anything", 8, maybe, 1, NULL);
    ck_assert_uint_eq(maybe[0], 0);
    vx_prefilter_free(&pf);
    vx_prefilter_free(&pf); /* idempotent */
}
END_TEST

static Suite *prefilter_suite(void)
{
    Suite *s = suite_create("prefilter");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, literals_of_plain_patterns);
    tcase_add_test(tc, literals_along_sequences);
    tcase_add_test(tc, zero_width_pieces);
    tcase_add_test(tc, no_guarantee);
    tcase_add_test(tc, unmodelled_syntax_gives_up);
    tcase_add_test(tc, sound_against_pcre2);
    tcase_add_test(tc, scan_marks_regexes_whose_literals_occur);
    tcase_add_test(tc, scan_with_no_literals);
    tcase_add_test(tc, scan_same_as_naive_search);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(prefilter_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
