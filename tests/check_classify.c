/* Tests for the matcher (lib/classify.c): normalization-aware matching,
 * spans in the original text, NEAR/BEFORE distances, negation and
 * contrast, weights, cues, explain vetoes, regex match limits and
 * thread safety. */
#include "vocx.h"

#include "rules.h"
#include "testutil.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static vocx_rules *compile_ok(const char *src)
{
    vocx_rules *r = NULL;
    vocx_diagnostics *d = NULL;
    int rc = vocx_rules_compile(&r, src, strlen(src), "t.rules", &d);
    for (size_t i = 0; rc && i < vocx_diagnostics_count(d); i++)
        fprintf(stderr, "%s\n", vocx_diagnostics_get(d, i)->message);
    ck_assert_int_eq(rc, VOCX_OK);
    vocx_diagnostics_free(d);
    return r;
}

static const vocx_result *classify(const vocx_rules *r, vocx_scratch *s,
                                   const char *text, unsigned flags)
{
    const vocx_result *res = NULL;
    ck_assert_int_eq(vocx_classify(r, s, text, strlen(text), flags, &res),
                     VOCX_OK);
    ck_assert_ptr_nonnull(res);
    return res;
}

/* Issue ids raised, joined by ",". */
static const char *ids(const vocx_rules *r, const char *text)
{
    static char out[4096];
    vocx_scratch *s = NULL;
    ck_assert_int_eq(vocx_scratch_new(&s), VOCX_OK);
    const vocx_result *res = classify(r, s, text, 0);
    out[0] = '\0';
    for (size_t i = 0; i < res->nhits; i++) {
        if (i)
            strcat(out, ",");
        strcat(out, res->hits[i].issue->id);
    }
    vocx_scratch_free(s);
    return out;
}

/* The text of span i of the first hit. */
static const char *span_text(const vocx_rules *r, const char *text, size_t i)
{
    static char out[512];
    vocx_scratch *s = NULL;
    vocx_scratch_new(&s);
    const vocx_result *res = classify(r, s, text, 0);
    ck_assert_uint_ge(res->nhits, 1);
    ck_assert_uint_gt(res->hits[0].nspans, i);
    vocx_span sp = res->hits[0].spans[i];
    ck_assert_uint_le(sp.end, strlen(text));
    snprintf(out, sizeof out, "%.*s", (int)(sp.end - sp.start),
             text + sp.start);
    vocx_scratch_free(s);
    return out;
}

static vocx_rules *one_rule(const char *head, const char *expr)
{
    char src[2048];
    snprintf(src, sizeof src, "%sissue t\n  block improvement\n  match %s\n",
             head, expr);
    return compile_ok(src);
}

#define RAISES(r, text) ck_assert_str_eq(ids((r), (text)), "t")
#define SILENT(r, text) ck_assert_str_eq(ids((r), (text)), "")

/* ---- normalization ----------------------------------------------------- */

START_TEST(normalization_aware)
{
    vocx_rules *r = one_rule("", "café");
    RAISES(r, "Le CAFÉ était froid");
    RAISES(r, "cafe\xCC\x81"); /* e + combining acute: NFC composes */
    SILENT(r, "cafe");
    vocx_rules_free(r);
    r = one_rule("option accents ignore\n", "cafe");
    RAISES(r, "Café");
    RAISES(r, "CAFE");
    vocx_rules_free(r);

    r = one_rule("", "überweisung*");
    RAISES(r, "Die ÜBERWEISUNG ist nicht angekommen");
    RAISES(r, "Überweisungen");
    vocx_rules_free(r);

    r = one_rule("", "доставка");
    RAISES(r, "ДОСТАВКА опоздала");
    SILENT(r, "доставки");
    vocx_rules_free(r);

    r = one_rule("", "😡");
    RAISES(r, "worst service ever😡😡");
    SILENT(r, "🙂 fine");
    vocx_rules_free(r);

    r = one_rule("", "file");
    RAISES(r, "the \xEF\xAC\x81le is corrupt"); /* U+FB01 ligature */
    vocx_rules_free(r);
    r = one_rule("", "\xEF\xAC\x81le");
    RAISES(r, "FILE missing");
    vocx_rules_free(r);

    r = one_rule("", "refund");
    RAISES(r, "\xEF\xBC\xB2\xEF\xBC\xA5\xEF\xBC\xA6\xEF\xBC\xB5\xEF\xBC\xAE"
              "\xEF\xBC\xA4 please"); /* full-width REFUND */
    vocx_rules_free(r);

    /* rule terms written in full width or upper case match plain text */
    r = one_rule("", "\"ＳＴＩＬＬ WAITING\"");
    RAISES(r, "still waiting");
    vocx_rules_free(r);
}
END_TEST

/* Variation selectors choose how an emoji or a character is drawn, not
 * what it is: a rule matches with or without U+FE0F on either side, and
 * the span covers the selector in the original text. */
START_TEST(variation_selectors_ignored)
{
    static const char *const rules[] = {"\"\xF0\x9F\x98\xA1\"",
                                        "\"\xF0\x9F\x98\xA1\xEF\xB8\x8F\""};
    for (int k = 0; k < 2; k++) {
        vocx_rules *r = one_rule("", rules[k]);
        RAISES(r, "so angry \xF0\x9F\x98\xA1 today");
        RAISES(r, "so angry \xF0\x9F\x98\xA1\xEF\xB8\x8F today");
        RAISES(r, "\xF0\x9F\x98\xA1\xEF\xB8\x8E"); /* text style */
        SILENT(r, "so angry \xF0\x9F\x98\xA0 today"); /* another face */
        ck_assert_str_eq(span_text(r, "so angry \xF0\x9F\x98\xA1\xEF\xB8\x8F"
                                      " today", 0),
                         "\xF0\x9F\x98\xA1\xEF\xB8\x8F");
        vocx_rules_free(r);
    }
    /* a CJK ideographic variation selector (U+E0100) too */
    vocx_rules *r = one_rule("", "\"\xE8\x91\x9B\"");
    RAISES(r, "\xE8\x91\x9B\xF3\xA0\x84\x80");
    vocx_rules_free(r);
}
END_TEST

START_TEST(spans_in_original_text)
{
    vocx_rules *r = one_rule("", "überweisung");
    const char *t = "Die ÜBERWEISUNG kam nicht an";
    ck_assert_str_eq(span_text(r, t, 0), "ÜBERWEISUNG");
    vocx_rules_free(r);

    r = one_rule("", "file");
    t = "my \xEF\xAC\x81le";
    ck_assert_str_eq(span_text(r, t, 0), "\xEF\xAC\x81le");
    vocx_rules_free(r);

    r = one_rule("", "refund");
    t = "😡 \xEF\xBC\xB2\xEF\xBC\xA5\xEF\xBC\xA6\xEF\xBC\xB5\xEF\xBC\xAE"
        "\xEF\xBC\xA4!";
    ck_assert_str_eq(span_text(r, t, 0),
                     "\xEF\xBC\xB2\xEF\xBC\xA5\xEF\xBC\xA6\xEF\xBC\xB5\xEF"
                     "\xBC\xAE\xEF\xBC\xA4");
    vocx_rules_free(r);

    /* a phrase is one span; NEAR gives each side; spans sorted */
    r = one_rule("", "\"très déçu\" OR (colis NEAR/3 abîmé)");
    t = "Colis reçu ABÎMÉ, je suis TRÈS   DÉÇU";
    vocx_scratch *s;
    vocx_scratch_new(&s);
    const vocx_result *res = classify(r, s, t, 0);
    ck_assert_uint_eq(res->nhits, 1);
    ck_assert_uint_eq(res->hits[0].nspans, 3);
    const char *want[] = {"Colis", "ABÎMÉ", "TRÈS   DÉÇU"};
    for (size_t i = 0; i < 3; i++) {
        vocx_span sp = res->hits[0].spans[i];
        ck_assert_uint_eq(sp.end - sp.start, strlen(want[i]));
        ck_assert_int_eq(memcmp(t + sp.start, want[i], strlen(want[i])), 0);
    }
    vocx_scratch_free(s);
    vocx_rules_free(r);

    /* a regex span maps back too */
    r = one_rule("", "/\\d+ heures/");
    ck_assert_str_eq(span_text(r, "Attendu 3 HEURES!", 0), "3 HEURES");
    vocx_rules_free(r);

    /* the same word twice: two spans; overlapping evidence merged */
    const char *src = "issue t\n  block improvement\n  match late\n"
                      "  match \"late delivery\"\n";
    r = compile_ok(src);
    vocx_scratch_new(&s);
    t = "late delivery, again late";
    res = classify(r, s, t, 0);
    ck_assert_uint_eq(res->hits[0].nspans, 2);
    ck_assert_uint_eq(res->hits[0].spans[0].start, 0);
    ck_assert_uint_eq(res->hits[0].spans[0].end, 13);
    ck_assert_uint_eq(res->hits[0].spans[1].start, 21);
    ck_assert_uint_eq(res->hits[0].spans[1].end, 25);
    vocx_scratch_free(s);
    vocx_rules_free(r);
}
END_TEST

START_TEST(prefixes_phrases_lists)
{
    vocx_rules *r = one_rule("", "deliver*");
    SILENT(r, "it was not delivered"); /* plain matches skip negated words */
    RAISES(r, "Deliveries are slow");
    RAISES(r, "DELIVER it");
    SILENT(r, "undeliverable");
    vocx_rules_free(r);

    r = one_rule("", "\"show* up\" OR \"turn* up\"");
    RAISES(r, "it showed up broken");
    RAISES(r, "Turned   up late");
    SILENT(r, "show, up");
    vocx_rules_free(r);

    r = one_rule("", "[late, delay*, \"took ages\"]");
    RAISES(r, "it took ages");
    RAISES(r, "delays");
    SILENT(r, "it took long ages");
    vocx_rules_free(r);

    r = one_rule("", "parcel AND NOT (damaged OR broken)");
    RAISES(r, "parcel arrived fine");
    SILENT(r, "parcel was broken");
    vocx_rules_free(r);
}
END_TEST

START_TEST(near_before_distances)
{
    vocx_rules *r = one_rule("", "refund NEAR/3 waiting");
    RAISES(r, "refund waiting");
    RAISES(r, "refund a b c waiting");     /* exactly 3 words between */
    SILENT(r, "refund a b c d waiting");   /* 4 */
    RAISES(r, "waiting a b c refund");     /* other order, 3 */
    SILENT(r, "waiting a b c d refund");
    RAISES(r, "refund a b c d e f, waiting for my refund");
    vocx_rules_free(r);

    r = one_rule("", "refund BEFORE/2 waiting");
    RAISES(r, "refund x y waiting");
    SILENT(r, "refund x y z waiting");
    SILENT(r, "waiting x refund");
    vocx_rules_free(r);

    r = one_rule("", "\"credit card\" NEAR/1 declined");
    RAISES(r, "my credit card was declined");
    RAISES(r, "declined credit card");
    SILENT(r, "credit card was then declined");
    vocx_rules_free(r);

    r = one_rule("", "(a1 OR b1) BEFORE/0 (c1 OR d1)");
    RAISES(r, "b1 d1");
    SILENT(r, "d1 b1");
    vocx_rules_free(r);
}
END_TEST

START_TEST(unless_weights_threshold)
{
    const char *src = "issue a\n"
                      "  block improvement\n"
                      "  threshold 2\n"
                      "  weight 10\n"
                      "  match slow ; weight 1\n"
                      "  match crash* ; weight 1.5\n"
                      "  match \"lost my data\" ; weight 2\n"
                      "  unless \"just kidding\"\n"
                      "issue b\n"
                      "  block innovation\n"
                      "  kind opportunity\n"
                      "  match \"i wish\" OR \"would be great\"\n";
    vocx_rules *r = compile_ok(src);
    ck_assert_str_eq(ids(r, "slow"), "");
    ck_assert_str_eq(ids(r, "it crashed"), "");
    ck_assert_str_eq(ids(r, "slow and it crashed"), "a");
    ck_assert_str_eq(ids(r, "I lost my data"), "a");
    ck_assert_str_eq(ids(r, "I lost my data. Just kidding"), "");
    ck_assert_str_eq(ids(r, "I wish it was not slow but it crashed, I lost my "
                            "data"),
                     "a,b");
    vocx_scratch *s;
    vocx_scratch_new(&s);
    const vocx_result *res = classify(r, s, "slow, crashing", 0);
    ck_assert_uint_eq(res->nhits, 1);
    ck_assert(res->hits[0].score > 24.99 && res->hits[0].score < 25.01);
    ck_assert_uint_eq(res->hits[0].rule_line, 5);
    ck_assert_str_eq(res->hits[0].rule_text, "slow");
    ck_assert_uint_eq(res->hits[0].nspans, 2);
    vocx_scratch_free(s);
    vocx_rules_free(r);
}
END_TEST

/* ---- negation and contrast ---------------------------------------------- */

static const char negation_rules[] =
    "issue billing.error\n"
    "  block improvement\n"
    "  match \"billing error*\" OR overcharg*\n"
    "issue delay\n"
    "  block improvement\n"
    "  match late OR delay* OR \"took ages\"\n"
    "issue delivery.problem\n"
    "  block improvement\n"
    "  match \"problem with* delivery\" OR \"problem with the delivery\"\n"
    "issue refund.missing\n"
    "  block improvement\n"
    "  negated refund* OR processed OR \"money back\"\n"
    "issue delivery.missing\n"
    "  block improvement\n"
    "  negated arriv* OR receiv* OR \"show* up\" OR \"turn* up\"\n"
    "issue callback.missing\n"
    "  block customer_voice\n"
    "  negated \"call* me back\" OR \"call* back\" OR repl*\n"
    "issue damaged\n"
    "  block improvement\n"
    "  match damag* OR broken\n"
    "issue app.crash\n"
    "  block improvement\n"
    "  match crash*\n"
    "issue staff.rude\n"
    "  block culture\n"
    "  match rude OR impolite\n"
    "issue punctuality\n"
    "  block improvement\n"
    "  negated pünktlich\n"
    "issue livraison.retard\n"
    "  block improvement\n"
    "  match \"en retard\"\n"
    "issue generic.problem\n"
    "  block improvement\n"
    "  match problem\n"
    "cue churn \"cancel* my account\" OR \"never again\"\n"
    "cue positive excellent OR \"thank you\"\n";

static const struct {
    const char *text, *want;
} negation_cases[] = {
    {"There was a billing error on my invoice", "billing.error"},
    {"no billing error this month", ""},
    {"They never overcharged me", ""},
    {"the flight was late", "delay"},
    {"the flight wasn't late", ""},
    {"the flight wasn’t late", ""}, /* typographic apostrophe */
    {"I had a problem with delivery", "delivery.problem,generic.problem"},
    {"never had a problem with delivery", ""},
    {"my refund was not processed", "refund.missing"},
    {"not refunded yet", "refund.missing"},
    {"my refund was processed quickly", ""},
    {"I want my money back", ""},
    {"still no money back", "refund.missing"},
    {"the parcel didn't arrive", "delivery.missing"},
    {"the parcel didnt arrive", "delivery.missing"},
    {"the parcel arrived on time", ""},
    {"it never showed up", "delivery.missing"},
    {"I never received anything", "delivery.missing"},
    {"nobody called me back", "callback.missing"},
    {"they called me back within an hour", ""},
    {"no reply to my emails", "callback.missing"},
    {"no problem, but the delivery was three days late", "delay"},
    {"not only was it late but it was damaged", "delay,damaged"},
    {"The app did not crash, however the staff were rude", "staff.rude"},
    {"The app did not crash. The staff were rude", "staff.rude"},
    {"It wasn't the app, but the delivery was late", "delay"},
    {"not the app but the delivery was late", "delay"},
    /* the window: "late" is the 8th word after "nothing", then the 9th */
    {"Nothing about the order or the driver was late", ""},
    {"Nothing about the order or the nice driver was late", "delay"},
    /* a comma ends the negation */
    {"No billing issues, the flight was late", "delay"},
    {"No, the flight was late", "delay"},
    {"Die Lieferung war nicht pünktlich", "punctuality"},
    {"Die Lieferung war pünktlich", ""},
    {"La livraison n'est pas en retard", ""},
    {"La livraison est en retard", "livraison.retard"},
    {"no damage at all, but the box was broken", "damaged"},
    {"nothing was broken or damaged", ""},
    {"The app never crashed", ""},
    {"Without any delay", ""},
    {"the delivery was late although the driver was not rude", "delay"},
    {"There was no delay and no billing error", ""},
    {"no doubt the delivery was late", "delay"},
    {"The staff weren't rude", ""},
    {"the app crashed but not the website", "app.crash"},
    {"no problem at all", ""},
    {"I have a problem", "generic.problem"},
};

START_TEST(negation_and_contrast)
{
    vocx_rules *r = compile_ok(negation_rules);
    size_t n = sizeof negation_cases / sizeof negation_cases[0];
    ck_assert_uint_ge(n, 30);
    int bad = 0;
    for (size_t i = 0; i < n; i++) {
        const char *got = ids(r, negation_cases[i].text);
        if (strcmp(got, negation_cases[i].want) != 0) {
            fprintf(stderr, "\"%s\": got \"%s\", want \"%s\"\n",
                    negation_cases[i].text, got, negation_cases[i].want);
            bad++;
        }
    }
    ck_assert_int_eq(bad, 0);
    vocx_rules_free(r);
}
END_TEST

START_TEST(cues_with_negation)
{
    vocx_rules *r = compile_ok(negation_rules);
    vocx_scratch *s;
    vocx_scratch_new(&s);
    /* one cue per cue line that matched, with its first evidence */
    const char *t = "I will cancel my account. Never again!";
    const vocx_result *res = classify(r, s, t, 0);
    ck_assert_uint_eq(res->ncues, 1);
    ck_assert_uint_eq(res->churn_cues, 1);
    ck_assert_uint_eq(res->positive_cues, 0);
    ck_assert_int_eq(res->cues[0].kind, VOCX_CUE_CHURN);
    ck_assert_uint_eq(res->cues[0].rule_line, 37);
    ck_assert_uint_eq(res->cues[0].span.start, 7);
    ck_assert_uint_eq(res->cues[0].span.end, 24);
    res = classify(r, s, "Never again, thank you", 0);
    ck_assert_uint_eq(res->ncues, 2);
    ck_assert_uint_eq(res->cues[0].span.start, 0);
    ck_assert_int_eq(res->cues[1].kind, VOCX_CUE_POSITIVE);
    ck_assert_uint_eq(res->positive_cues, 1);
    res = classify(r, s, "I'm not going to cancel my account", 0);
    ck_assert_uint_eq(res->ncues, 0);
    res = classify(r, s, "Excellent, thank you", 0);
    ck_assert_uint_eq(res->positive_cues, 1);
    res = classify(r, s, "not excellent at all", 0);
    ck_assert_uint_eq(res->positive_cues, 0);
    vocx_scratch_free(s);
    vocx_rules_free(r);
}
END_TEST

START_TEST(explain_vetoes)
{
    const char *src = "issue late\n"          /* 1 */
                      "  block improvement\n" /* 2 */
                      "  match late\n"        /* 3 */
                      "  unless \"just kidding\"\n"
                      "issue missing\n"       /* 5 */
                      "  block improvement\n"
                      "  negated arriv*\n"    /* 7 */
                      "issue weak\n"          /* 8 */
                      "  block improvement\n"
                      "  threshold 2\n"
                      "  match slow\n";       /* 11 */
    vocx_rules *r = compile_ok(src);
    vocx_scratch *s;
    vocx_scratch_new(&s);

    const vocx_result *res = classify(r, s, "it was not late", 0);
    ck_assert_uint_eq(res->nvetoes, 0); /* only with EXPLAIN */
    res = classify(r, s, "it was not late", VOCX_CLASSIFY_EXPLAIN);
    ck_assert_uint_eq(res->nhits, 0);
    ck_assert_uint_eq(res->nvetoes, 1);
    ck_assert_str_eq(res->vetoes[0].issue->id, "late");
    ck_assert_int_eq(res->vetoes[0].why, VOCX_VETO_NEGATED);
    ck_assert_uint_eq(res->vetoes[0].rule_line, 3);
    ck_assert_uint_eq(res->vetoes[0].span.start, 11);
    ck_assert_uint_eq(res->vetoes[0].span.end, 15);

    res = classify(r, s, "late again. just kidding", VOCX_CLASSIFY_EXPLAIN);
    ck_assert_uint_eq(res->nhits, 0);
    ck_assert_uint_eq(res->nvetoes, 1);
    ck_assert_int_eq(res->vetoes[0].why, VOCX_VETO_UNLESS);
    ck_assert_uint_eq(res->vetoes[0].by_line, 4);
    ck_assert_uint_eq(res->vetoes[0].span.start, 0);

    res = classify(r, s, "it arrived", VOCX_CLASSIFY_EXPLAIN);
    ck_assert_uint_eq(res->nvetoes, 1);
    ck_assert_int_eq(res->vetoes[0].why, VOCX_VETO_NOT_NEGATED);
    ck_assert_str_eq(res->vetoes[0].issue->id, "missing");
    ck_assert_uint_eq(res->vetoes[0].rule_line, 7);

    res = classify(r, s, "so slow", VOCX_CLASSIFY_EXPLAIN);
    ck_assert_uint_eq(res->nvetoes, 1);
    ck_assert_int_eq(res->vetoes[0].why, VOCX_VETO_THRESHOLD);
    ck_assert_uint_eq(res->vetoes[0].rule_line, 11);

    /* explain changes no hit */
    res = classify(r, s, "late, never arrived, slow", VOCX_CLASSIFY_EXPLAIN);
    ck_assert_uint_eq(res->nhits, 2);
    ck_assert_str_eq(res->hits[0].issue->id, "late");
    ck_assert_str_eq(res->hits[1].issue->id, "missing");
    ck_assert_uint_eq(res->nvetoes, 1);
    vocx_scratch_free(s);
    vocx_rules_free(r);
}
END_TEST

/* ---- regex limits ------------------------------------------------------- */

START_TEST(regex_match_limit)
{
    const char *src = "issue evil\n"
                      "  block improvement\n"
                      "  match /(a+)+$/\n"
                      "  match late\n"
                      "issue nice\n"
                      "  block improvement\n"
                      "  match /a{3}b/\n";
    vocx_rules *r = compile_ok(src);
    vocx_scratch *s;
    vocx_scratch_new(&s);
    const char *t = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab late";
    clock_t c0 = clock();
    const vocx_result *res = classify(r, s, t, 0);
    double secs = (double)(clock() - c0) / CLOCKS_PER_SEC;
    ck_assert(secs < 5.0);
    ck_assert_uint_eq(res->nwarnings, 1);
    ck_assert_uint_eq(res->warnings[0].rule_line, 3);
    ck_assert_str_eq(res->warnings[0].message,
                     "rule at line 3: regex match limit exceeded; rule "
                     "skipped for this text");
    /* the other rules still work on the same text */
    ck_assert_uint_eq(res->nhits, 2);
    ck_assert_uint_eq(res->hits[0].rule_line, 4);
    /* a harmless text gives no warning; the scratch is reusable */
    res = classify(r, s, "aaa", 0);
    ck_assert_uint_eq(res->nwarnings, 0);
    ck_assert_uint_eq(res->nhits, 1);
    vocx_scratch_free(s);
    vocx_rules_free(r);
}
END_TEST

/* ---- arguments, odd input, reuse ---------------------------------------- */

START_TEST(arguments_and_odd_input)
{
    vocx_rules *r = one_rule("", "late");
    vocx_scratch *s;
    const vocx_result *res = NULL;
    ck_assert_int_eq(vocx_scratch_new(NULL), VOCX_EINVAL);
    ck_assert_int_eq(vocx_scratch_new(&s), VOCX_OK);
    ck_assert_int_eq(vocx_classify(NULL, s, "x", 1, 0, &res), VOCX_EINVAL);
    ck_assert_int_eq(vocx_classify(r, NULL, "x", 1, 0, &res), VOCX_EINVAL);
    ck_assert_int_eq(vocx_classify(r, s, NULL, 1, 0, &res), VOCX_EINVAL);
    ck_assert_int_eq(vocx_classify(r, s, "x", 1, 0, NULL), VOCX_EINVAL);
    ck_assert_int_eq(vocx_classify(r, s, "x", 1, 0x80, &res), VOCX_EINVAL);
    ck_assert_int_eq(vocx_classify(r, s, "x", ((size_t)1 << 31) + 1, 0, &res),
                     VOCX_ELIMIT);
    ck_assert_int_eq(vocx_classify(r, s, NULL, 0, 0, &res), VOCX_OK);
    ck_assert_uint_eq(res->nhits, 0);
    /* invalid bytes never match but do not hide valid words */
    const char bad[] = "l\xFF" "ate \xC3 late\xE2\x82";
    ck_assert_int_eq(vocx_classify(r, s, bad, sizeof bad - 1, 0, &res),
                     VOCX_OK);
    ck_assert_uint_eq(res->nhits, 1);
    ck_assert_uint_eq(res->hits[0].nspans, 1);
    ck_assert_uint_eq(res->hits[0].spans[0].start, 8);
    /* text with NUL bytes: length, not terminator */
    const char nul[] = "x\0late";
    ck_assert_int_eq(vocx_classify(r, s, nul, sizeof nul - 1, 0, &res),
                     VOCX_OK);
    ck_assert_uint_eq(res->nhits, 1);

    /* one scratch, two rule sets of different sizes */
    vocx_rules *big = compile_ok(negation_rules);
    res = classify(big, s, "the flight was late", 0);
    ck_assert_str_eq(res->hits[0].issue->id, "delay");
    res = classify(r, s, "late", 0);
    ck_assert_str_eq(res->hits[0].issue->id, "t");
    vocx_rules_free(big);
    vocx_scratch_free(s);
    vocx_scratch_free(NULL);
    vocx_rules_free(r);
}
END_TEST

START_TEST(long_text)
{
    vocx_rules *r = compile_ok(negation_rules);
    size_t n = 4u << 20;
    char *t = malloc(n + 32);
    size_t k = 0;
    while (k < n)
        k += (size_t)sprintf(t + k, "word%zu ", k % 977);
    k += (size_t)sprintf(t + k, "it was late");
    vocx_scratch *s;
    vocx_scratch_new(&s);
    const vocx_result *res = NULL;
    ck_assert_int_eq(vocx_classify(r, s, t, k, 0, &res), VOCX_OK);
    ck_assert_uint_eq(res->nhits, 1);
    ck_assert_uint_eq(res->hits[0].spans[0].start, k - 4);
    vocx_scratch_free(s);
    free(t);
    vocx_rules_free(r);
}
END_TEST

/* ---- threads ------------------------------------------------------------ */

#define NCOMMENTS 600
#define NTHREADS 8

static char *comments[NCOMMENTS];
static char *reference[NCOMMENTS];
static const vocx_rules *shared_rules;

/* Everything in a result, as text, for comparison. */
static char *describe(const vocx_result *res)
{
    size_t cap = 256, n = 0;
    char *out = malloc(cap);
    out[0] = '\0';
#define ADD(...)                                                               \
    do {                                                                       \
        char tmp[256];                                                         \
        int w = snprintf(tmp, sizeof tmp, __VA_ARGS__);                        \
        if (n + (size_t)w + 1 > cap) {                                         \
            cap = (n + (size_t)w + 1) * 2;                                     \
            out = realloc(out, cap);                                           \
        }                                                                      \
        memcpy(out + n, tmp, (size_t)w + 1);                                   \
        n += (size_t)w;                                                        \
    } while (0)
    for (size_t i = 0; i < res->nhits; i++) {
        const vocx_hit *h = &res->hits[i];
        ADD("%s %g %u", h->issue->id, h->score, h->rule_line);
        for (size_t k = 0; k < h->nspans; k++)
            ADD(" %zu-%zu", h->spans[k].start, h->spans[k].end);
        ADD(";");
    }
    for (size_t i = 0; i < res->ncues; i++)
        ADD("cue %d %u %zu;", res->cues[i].kind, res->cues[i].rule_line,
            res->cues[i].span.start);
    for (size_t i = 0; i < res->nvetoes; i++)
        ADD("veto %s %d %u;", res->vetoes[i].issue->id, res->vetoes[i].why,
            res->vetoes[i].rule_line);
    for (size_t i = 0; i < res->nwarnings; i++)
        ADD("warn %s;", res->warnings[i].message);
#undef ADD
    return out;
}

static void *worker(void *arg)
{
    size_t id = (size_t)arg, mismatches = 0;
    vocx_scratch *s = NULL;
    if (vocx_scratch_new(&s))
        return (void *)1;
    for (int round = 0; round < 5; round++) {
        for (size_t i = 0; i < NCOMMENTS; i++) {
            size_t k = (i * 7 + id * 131 + (size_t)round * 17) % NCOMMENTS;
            const vocx_result *res;
            if (vocx_classify(shared_rules, s, comments[k], strlen(comments[k]),
                              VOCX_CLASSIFY_EXPLAIN, &res)) {
                mismatches++;
                continue;
            }
            char *d = describe(res);
            if (strcmp(d, reference[k]) != 0)
                mismatches++;
            free(d);
        }
    }
    vocx_scratch_free(s);
    return (void *)mismatches;
}

START_TEST(threads_share_rules)
{
    char src[sizeof negation_rules + 256];
    snprintf(src, sizeof src, "%s%s", negation_rules,
             "issue rx\n  block improvement\n  match /(\\w+)+!$/ OR "
             "/\\d+ (days|hours)/\n");
    vocx_rules *r = compile_ok(src);
    shared_rules = r;
    static const char *const parts[] = {
        "the parcel didn't arrive", "no billing error", "late",
        "3 days", "Die Lieferung war nicht pünktlich", "refund processed",
        "not refunded", "😡", "Café", "nobody called me back",
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "thank you",
        "I will cancel my account", "but", ",", "never", "crashed"};
    size_t np = sizeof parts / sizeof parts[0];
    unsigned seed = 12345;
    vocx_scratch *s;
    vocx_scratch_new(&s);
    for (size_t i = 0; i < NCOMMENTS; i++) {
        char buf[1024] = "";
        size_t words = 1 + i % 12;
        for (size_t w = 0; w < words; w++) {
            seed = seed * 1103515245u + 12345u;
            strcat(buf, parts[(seed >> 16) % np]);
            strcat(buf, (seed >> 8) % 5 == 0 ? "! " : " ");
        }
        comments[i] = strdup(buf);
        const vocx_result *res = classify(r, s, comments[i],
                                          VOCX_CLASSIFY_EXPLAIN);
        reference[i] = describe(res);
    }
    vocx_scratch_free(s);

    pthread_t th[NTHREADS];
    for (size_t i = 0; i < NTHREADS; i++)
        ck_assert_int_eq(pthread_create(&th[i], NULL, worker, (void *)i), 0);
    size_t total = 0;
    for (size_t i = 0; i < NTHREADS; i++) {
        void *ret;
        pthread_join(th[i], &ret);
        total += (size_t)ret;
    }
    ck_assert_uint_eq(total, 0);
    for (size_t i = 0; i < NCOMMENTS; i++) {
        free(comments[i]);
        free(reference[i]);
    }
    vocx_rules_free(r);
}
END_TEST

/* The regex prefilter only skips searches that cannot match: every
 * example comment gets the same result with it and without it, and it does
 * cover the default rules' regexes. */
START_TEST(prefilter_changes_nothing)
{
    const char *path = VOCX_TEST_DATA_DIR "/../../rules/default.rules";
    vocx_rules *with = NULL, *without = NULL;
    ck_assert_int_eq(vocx_rules_load(&with, path, NULL), VOCX_OK);
    ck_assert_int_eq(vocx_rules_load(&without, path, NULL), VOCX_OK);
    vx_rules_disable_prefilter(without);
    size_t filtered = 0;
    for (size_t i = 0; i < with->nregexes; i++)
        filtered += with->regex_prefiltered[i];
    ck_assert_uint_gt(with->nregexes, 30);
    ck_assert_uint_ge(filtered * 10, with->nregexes * 9); /* >= 90 % */

    static const char *const files[] = {"comments.csv", "labeled.csv"};
    vocx_scratch *s;
    ck_assert_int_eq(vocx_scratch_new(&s), VOCX_OK);
    size_t lines = 0, hits = 0;
    for (size_t f = 0; f < 2; f++) {
        char fp[1024];
        snprintf(fp, sizeof fp, "%s/%s", VOCX_TEST_DATA_DIR, files[f]);
        FILE *in = fopen(fp, "rb");
        ck_assert_ptr_nonnull(in);
        char line[8192];
        while (fgets(line, sizeof line, in)) {
            const vocx_result *res;
            ck_assert_int_eq(vocx_classify(without, s, line, strlen(line),
                                           VOCX_CLASSIFY_EXPLAIN, &res),
                             VOCX_OK);
            ck_assert_uint_eq(res->nwarnings, 0);
            hits += res->nhits;
            char *a = describe(res);
            ck_assert_int_eq(vocx_classify(with, s, line, strlen(line),
                                           VOCX_CLASSIFY_EXPLAIN, &res),
                             VOCX_OK);
            char *b = describe(res);
            if (strcmp(a, b) != 0)
                ck_abort_msg("%s line %zu: %s\nwith prefilter: %s\n"
                             "without: %s", files[f], lines, line, b, a);
            free(a);
            free(b);
            lines++;
        }
        fclose(in);
    }
    ck_assert_uint_gt(lines, 700);
    ck_assert_uint_gt(hits, 500);
    vocx_scratch_free(s);
    vocx_rules_free(with);
    vocx_rules_free(without);
}
END_TEST

/* A regex's ASCII code (no UTF, no UCP) runs on short all-ASCII texts
 * instead of the UTF code: every result must be the same as with the UTF
 * code alone, also where the match limit is hit, and a pattern that can
 * name a code point beyond ASCII gets no ASCII code. */
START_TEST(ascii_regex_changes_nothing)
{
    ck_assert_int_eq(vx_regex_ascii_ok("\\bwait(ed)? \\d+ ?min", 20), 1);
    static const char *const refused[] = {
        "\\x{212A}", "(*UTF)k", "a(?C1)b", "caf\xc3\xa9", "\\p{L}", "\\1",
        "\\o{101}", "\\N{U+41}", "\\X", "\\0101"};
    for (size_t i = 0; i < sizeof refused / sizeof *refused; i++)
        ck_assert_int_eq(vx_regex_ascii_ok(refused[i], strlen(refused[i])),
                         0);

    const char *src =
        "issue a.one\n  block improvement\n"
        "  match /\\b\\d+ ?(min|minutes?|hours?)\\b/\n"
        "  match /\\b(wait|hold)\\b.{0,10}\\b(\\d+|an?) ?min/\n"
        "issue a.two\n  block improvement\n"
        "  match /(?i)\\bK\\w*s\\b/\n"
        "  match /(?i)\\x{212A}/\n" /* Kelvin sign: matches k under UTF */
        "  match /(?i)o\xe2\x84\xaa/\n" /* the same, as UTF-8 */
        "  match /[[:punct:]]{2}\\s+[[:alpha:]]/\n"
        "issue a.three\n  block improvement\n"
        "  match /(?<=x)y\\W|^\\w+$|z\\B\\d/\n"
        "  match /(a+)+$/\n"
        "  match /(a|aa)+c/\n"
        "  match /(\\w+\\s?)+!/\n";
    vocx_rules *with = compile_ok(src);
    vocx_rules *without = compile_ok(src);
    vx_rules_disable_ascii(without);
    size_t codes = 0;
    for (size_t i = 0; i < with->nregexes; i++)
        codes += with->regexes[i].ascii != NULL;
    ck_assert_uint_eq(codes, with->nregexes - 2); /* all but the Kelvins */

    vocx_scratch *s;
    ck_assert_int_eq(vocx_scratch_new(&s), VOCX_OK);
    static const char alpha[] = "aaaakKsxyz019 !.,-\tw";
    uint32_t seed = 12345;
    char text[200];
    size_t warned = 0;
    for (int it = 0; it < 3000; it++) {
        size_t n = 0;
        if (it < 4) {
            static const char *const fixed[] = {
                "on hold 20 min, ok", "waited an hour; 3 minutes",
                "KELVINS k", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab"};
            n = strlen(fixed[it]);
            memcpy(text, fixed[it], n);
        } else {
            size_t len = (seed >> 8) % (sizeof text);
            for (; n < len; n++) {
                seed = seed * 1103515245u + 12345u;
                text[n] = alpha[(seed >> 16) % (sizeof alpha - 1)];
            }
        }
        const vocx_result *res;
        ck_assert_int_eq(vocx_classify(without, s, text, n,
                                       VOCX_CLASSIFY_EXPLAIN, &res),
                         VOCX_OK);
        warned += res->nwarnings;
        char *a = describe(res);
        ck_assert_int_eq(vocx_classify(with, s, text, n,
                                       VOCX_CLASSIFY_EXPLAIN, &res),
                         VOCX_OK);
        char *b = describe(res);
        if (strcmp(a, b) != 0)
            ck_abort_msg("%.*s\nwith ASCII code: %s\nwithout: %s", (int)n,
                         text, b, a);
        free(a);
        free(b);
    }
    ck_assert_uint_gt(warned, 0); /* the limit was hit and reported */
    vocx_scratch_free(s);
    vocx_rules_free(with);
    vocx_rules_free(without);
}
END_TEST

/* ---- the root gate ------------------------------------------------------ */

/* Terms of every kind and of lengths around the gate's 4 bytes: exact
 * words of 1 to 9 bytes, prefixes of 1 to 6 (the short ones take the
 * gate's second test), phrases, non-ASCII words and a symbol. */
static const char gate_rules[] =
    "issue g.exact\n  block improvement\n"
    "  match a OR ab OR abc OR abcd OR abcde OR abcdefgh OR abcdefghi\n"
    "  match café OR naïve OR \"😡\" OR x1 OR 3\n"
    "issue g.prefix\n  block improvement\n"
    "  match z* OR qy* OR qyx* OR qyxw* OR qyxwv* OR qyxwvu*\n"
    "  match refund* OR \"charged twice\" OR \"late deliv*\"\n"
    "issue g.neg\n  block improvement\n"
    "  negated arriv* OR abcd\n"
    "  match late NEAR/2 parcel\n"
    "  match abc AND NOT zed\n";

/* Every root term lets a token that matches it through. */
START_TEST(root_gate_passes_every_term)
{
    vocx_rules *r = compile_ok(gate_rules);
    ck_assert_uint_ne(r->rgate_short, 0); /* z*, qy*, qyx* */
    size_t roots = 0;
    for (size_t i = 1; i < r->ntnodes; i++) {
        const vx_tnode *n = &r->tnodes[i];
        if (n->tag > 1)
            continue; /* not a root term */
        char tok[64] = {0}; /* zeros after: 8 readable bytes */
        ck_assert_uint_lt(n->klen + 3, 48);
        memcpy(tok, r->keys + n->koff, n->klen);
        size_t len = n->klen;
        if (n->tag == 1) { /* a prefix: the token goes on */
            memcpy(tok + len, "ing", 3);
            len += 3;
        }
        ck_assert_msg(vx_rgate_pass(r, tok, len), "root term %.*s%s gated out",
                      (int)n->klen, r->keys + n->koff, n->tag ? "*" : "");
        if (n->tag == 1) /* the prefix alone is a match as well */
            ck_assert(vx_rgate_pass(r, tok, n->klen));
        roots++;
    }
    ck_assert_uint_ge(roots, 20);
    /* and most other words are stopped */
    static const char *const other[] = {
        "the", "parcel", "hello", "my", "order", "was", "never", "i",
        "delivered", "it", "is", "broken", "please", "help", "me", "now",
        "b", "bc", "cd", "yq", "qx", "late", "twice", "charged"};
    size_t stopped = 0, nother = sizeof other / sizeof *other;
    for (size_t i = 0; i < nother; i++) {
        char tok[64] = {0};
        memcpy(tok, other[i], strlen(other[i]));
        stopped += !vx_rgate_pass(r, tok, strlen(other[i]));
    }
    ck_assert_uint_ge(stopped, nother - 6); /* late, twice, charged... */
    vocx_rules_free(r);
}
END_TEST

/* Prefix terms of one trie node are found through buckets keyed by
 * their first bytes (rules.h, vx_pbucket): every prefix of every length
 * that a token starts with is still visited, at the root and inside
 * phrases, and none that it does not start with. */
START_TEST(prefix_buckets_find_every_length)
{
    static const char src[] =
        "issue p1\n  block improvement\n  match r*\n"
        "issue p2\n  block improvement\n  match re*\n"
        "issue p3\n  block improvement\n  match ref*\n"
        "issue p4\n  block improvement\n  match refu*\n"
        "issue p5\n  block improvement\n  match refund*\n"
        "issue p6\n  block improvement\n  match refundabl*\n"
        "issue p7\n  block improvement\n  match rf*\n"
        "issue x1\n  block improvement\n  match refund\n"
        "issue q1\n  block improvement\n  match \"got r*\"\n"
        "issue q2\n  block improvement\n  match \"got refun*\"\n"
        "issue q3\n  block improvement\n  match \"got refund* yet\"\n"
        "issue q4\n  block improvement\n  match \"got refundable*\"\n";
    vocx_rules *r = compile_ok(src);
    ck_assert_str_eq(ids(r, "refundable"), "p1,p2,p3,p4,p5,p6");
    ck_assert_str_eq(ids(r, "refund"), "p1,p2,p3,p4,p5,x1");
    ck_assert_str_eq(ids(r, "refu"), "p1,p2,p3,p4");
    ck_assert_str_eq(ids(r, "re"), "p1,p2");
    ck_assert_str_eq(ids(r, "r"), "p1");
    ck_assert_str_eq(ids(r, "rf rfx"), "p1,p7");
    ck_assert_str_eq(ids(r, "x refx"), "p1,p2,p3");
    ck_assert_str_eq(ids(r, "got refunds yet"),
                     "p1,p2,p3,p4,p5,q1,q2,q3");
    ck_assert_str_eq(ids(r, "got refundable"),
                     "p1,p2,p3,p4,p5,p6,q1,q2,q4");
    ck_assert_str_eq(ids(r, "got ref"), "p1,p2,p3,q1");
    vocx_rules_free(r);
}
END_TEST

static uint64_t gate_rng(uint64_t *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    return *x;
}

/* The gate only skips lookups that cannot find anything, and a rule is
 * left unevaluated only when a term it needs is absent: random texts of
 * the terms' words, their neighbours and other words get the same result
 * with both and without, with the test rules and the default rules. */
START_TEST(root_gate_changes_nothing)
{
    static const char *const words[] = {
        "a", "ab", "abc", "abcd", "abcde", "abcdef", "abcdefgh", "abcdefghi",
        "abcdefghij", "A", "AB", "Abcd", "café", "CAFÉ", "cafe", "naïve",
        "😡", "😡😡", "x1", "3", "3.5", "1,000", "z", "zed", "zz", "q", "qy",
        "qyx", "qyxw", "qyxwv", "qyxwvu", "qyxwvutsrq", "refund",
        "refunded", "refun", "charged", "twice", "late", "delivery",
        "deliv", "parcel", "arrive", "arrived", "not", "never", "didn't",
        "no", "but", "and", "i", "it's", "the", "order", "thank",
        "you", "cancel", "my", "account", "[EMAIL]", "o'clock"};
    static const char *const seps[] = {" ", " ", " ", ", ", ". ", "-",
                                       "'", "\n", "  ", "! "};
    const char *path = VOCX_TEST_DATA_DIR "/../../rules/default.rules";
    vocx_rules *with[2], *without[2];
    with[0] = compile_ok(gate_rules);
    without[0] = compile_ok(gate_rules);
    ck_assert_int_eq(vocx_rules_load(&with[1], path, NULL), VOCX_OK);
    ck_assert_int_eq(vocx_rules_load(&without[1], path, NULL), VOCX_OK);
    vx_rules_disable_gate(without[0]);
    vx_rules_disable_gate(without[1]);
    /* and the phrase children's bits (vx_tnode.next_mask), and the
     * clauses of terms a rule needs (vx_rule.req_off) */
    vx_rules_disable_child_bits(without[0]);
    vx_rules_disable_child_bits(without[1]);
    vx_rules_disable_prechecks(without[0]);
    vx_rules_disable_prechecks(without[1]);
    vocx_scratch *s;
    ck_assert_int_eq(vocx_scratch_new(&s), VOCX_OK);
    uint64_t seed = 0x9E3779B97F4A7C15ULL;
    size_t nw = sizeof words / sizeof *words, ns = sizeof seps / sizeof *seps;
    size_t hits = 0;
    char text[2048];
    for (int iter = 0; iter < 6000; iter++) {
        size_t len = 0, n = gate_rng(&seed) % 40;
        for (size_t i = 0; i < n; i++) {
            const char *w = words[gate_rng(&seed) % nw];
            const char *p = seps[gate_rng(&seed) % ns];
            memcpy(text + len, w, strlen(w));
            len += strlen(w);
            memcpy(text + len, p, strlen(p));
            len += strlen(p);
        }
        for (int k = 0; k < 2; k++) {
            const vocx_result *res;
            ck_assert_int_eq(vocx_classify(without[k], s, text, len,
                                           VOCX_CLASSIFY_EXPLAIN, &res),
                             VOCX_OK);
            hits += res->nhits;
            char *a = describe(res);
            ck_assert_int_eq(vocx_classify(with[k], s, text, len,
                                           VOCX_CLASSIFY_EXPLAIN, &res),
                             VOCX_OK);
            char *b = describe(res);
            if (strcmp(a, b) != 0)
                ck_abort_msg("rules %d, \"%.*s\"\nwith gate: %s\nwithout: %s",
                             k, (int)len, text, b, a);
            free(a);
            free(b);
        }
    }
    ck_assert_uint_gt(hits, 6000);
    vocx_scratch_free(s);
    for (int k = 0; k < 2; k++) {
        vocx_rules_free(with[k]);
        vocx_rules_free(without[k]);
    }
}
END_TEST

/* The clauses of terms each rule needs: one per operand of NEAR, BEFORE
 * and AND (none for a NOT), one for an OR or a term, an OR's reaching
 * into its AND operands; none when an OR can be true without a term, nor
 * for a rule that is a term or an OR (candidates have that one). */
START_TEST(prechecks_need_every_operand)
{
    vocx_rules *r = compile_ok(
        "issue p.one\n  block improvement\n"
        "  match refund NEAR/3 (late OR slow)\n"
        "  match (cancel AND NOT sorry) OR angry\n"
        "  match unhappy AND NOT sorry\n"
        "  match (a BEFORE/2 b) AND (c OR d OR e)\n"
        "  match (x NEAR/2 y) OR z\n");
    static const uint32_t want[][4] = {
        {2, 1, 2}, {0}, {1, 1}, {3, 1, 1, 3}, {0}};
    ck_assert_uint_eq(r->nrules, 5);
    for (size_t i = 0; i < 5; i++) {
        const vx_rule *ru = &r->rules[i];
        ck_assert_uint_eq(ru->req_n, want[i][0]);
        const uint32_t *c = r->req + ru->req_off;
        for (uint32_t k = 0; k < ru->req_n; k++) {
            ck_assert_msg(*c == want[i][k + 1], "rule %zu clause %u: %u terms",
                          i, k, *c);
            for (uint32_t j = 0; j < *c; j++)
                ck_assert_uint_lt(c[1 + j], r->nleaves);
            c += 1 + *c;
        }
    }
    /* and the rule is false when a clause is absent, true when present */
    vocx_scratch *s;
    ck_assert_int_eq(vocx_scratch_new(&s), VOCX_OK);
    const vocx_result *res;
    ck_assert_int_eq(vocx_classify(r, s, "refund came late", 16, 0, &res),
                     VOCX_OK);
    ck_assert_uint_eq(res->nhits, 1);
    ck_assert_int_eq(vocx_classify(r, s, "refund came", 11, 0, &res), VOCX_OK);
    ck_assert_uint_eq(res->nhits, 0);
    vocx_scratch_free(s);
    vocx_rules_free(r);
}
END_TEST

static Suite *classify_suite(void)
{
    Suite *s = suite_create("classify");
    TCase *c = tcase_create("matching");
    tcase_add_test(c, normalization_aware);
    tcase_add_test(c, variation_selectors_ignored);
    tcase_add_test(c, spans_in_original_text);
    tcase_add_test(c, prefixes_phrases_lists);
    tcase_add_test(c, near_before_distances);
    tcase_add_test(c, unless_weights_threshold);
    suite_add_tcase(s, c);
    c = tcase_create("negation");
    tcase_add_test(c, negation_and_contrast);
    tcase_add_test(c, cues_with_negation);
    tcase_add_test(c, explain_vetoes);
    suite_add_tcase(s, c);
    c = tcase_create("robustness");
    tcase_set_timeout(c, 120);
    tcase_add_test(c, regex_match_limit);
    tcase_add_test(c, arguments_and_odd_input);
    tcase_add_test(c, long_text);
    tcase_add_test(c, threads_share_rules);
    tcase_add_test(c, prefilter_changes_nothing);
    tcase_add_test(c, ascii_regex_changes_nothing);
    tcase_add_test(c, root_gate_passes_every_term);
    tcase_add_test(c, root_gate_changes_nothing);
    tcase_add_test(c, prechecks_need_every_operand);
    tcase_add_test(c, prefix_buckets_find_every_length);
    suite_add_tcase(s, c);
    return s;
}

int main(void) { return tu_run_suite(classify_suite()); }
