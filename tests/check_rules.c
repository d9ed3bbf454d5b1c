/* Tests for the rule language: parsing, compilation, diagnostics, limits,
 * hash and accessors (lib/rules_parse.c, lib/rules.c, lib/diag.c).  Every
 * construct is also evaluated through vocx_classify. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "vocx.h"

#include "testutil.h"

#include <errno.h>
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- helpers ------------------------------------------------------------ */

static vocx_rules *compile_ok(const char *src)
{
    vocx_rules *r = NULL;
    vocx_diagnostics *d = NULL;
    int rc = vocx_rules_compile(&r, src, strlen(src), "t.rules", &d);
    if (rc != VOCX_OK) {
        for (size_t i = 0; i < vocx_diagnostics_count(d); i++)
            fprintf(stderr, "%s\n", vocx_diagnostics_get(d, i)->message);
    }
    ck_assert_int_eq(rc, VOCX_OK);
    ck_assert_ptr_nonnull(r);
    vocx_diagnostics_free(d);
    return r;
}

/* Issue ids raised by `text`, joined by ",". */
static const char *ids(const vocx_rules *r, const char *text)
{
    static char out[4096];
    vocx_scratch *s = NULL;
    ck_assert_int_eq(vocx_scratch_new(&s), VOCX_OK);
    const vocx_result *res = NULL;
    ck_assert_int_eq(vocx_classify(r, s, text, strlen(text), 0, &res),
                     VOCX_OK);
    out[0] = '\0';
    for (size_t i = 0; i < res->nhits; i++) {
        if (i)
            strcat(out, ",");
        strcat(out, res->hits[i].issue->id);
    }
    vocx_scratch_free(s);
    return out;
}

/* One-issue rule file around a match expression. */
static vocx_rules *one_rule(const char *expr)
{
    char src[2048];
    snprintf(src, sizeof src, "issue t\n  block improvement\n  match %s\n",
             expr);
    return compile_ok(src);
}

#define RAISES(r, text) ck_assert_str_eq(ids((r), (text)), "t")
#define SILENT(r, text) ck_assert_str_eq(ids((r), (text)), "")

/* Compile `src`, expect `rc`, and a diagnostic at line:col whose reason
 * contains `needle`. */
static void expect_diag(const char *src, int rc, unsigned line, unsigned col,
                        const char *needle)
{
    vocx_rules *r = NULL;
    vocx_diagnostics *d = NULL;
    int got = vocx_rules_compile(&r, src, strlen(src), "t.rules", &d);
    ck_assert_ptr_null(r);
    int found = 0;
    for (size_t i = 0; i < vocx_diagnostics_count(d); i++) {
        const vocx_diagnostic *x = vocx_diagnostics_get(d, i);
        if (x->line == line && x->column == col && strstr(x->reason, needle)) {
            found = 1;
            char pre[64];
            snprintf(pre, sizeof pre, "t.rules:%u:%u: ", line, col);
            ck_assert_int_eq(strncmp(x->message, pre, strlen(pre)), 0);
            ck_assert_str_eq(x->message + strlen(pre), x->reason);
            ck_assert_str_eq(x->file, "t.rules");
            ck_assert_int_eq(x->severity, VOCX_DIAG_ERROR);
        }
    }
    if (!found) {
        for (size_t i = 0; i < vocx_diagnostics_count(d); i++)
            fprintf(stderr, "  have: %s\n", vocx_diagnostics_get(d, i)->message);
        ck_abort_msg("no diagnostic %u:%u containing \"%s\"", line, col,
                     needle);
    }
    ck_assert_int_eq(got, rc);
    vocx_diagnostics_free(d);
}

#define HEAD "issue t\n  block improvement\n"

/* ---- constructs, parsed and evaluated ----------------------------------- */

START_TEST(words_and_prefixes)
{
    vocx_rules *r = one_rule("refund");
    RAISES(r, "I want a REFUND now");
    RAISES(r, "refund!");
    SILENT(r, "refunds please");   /* whole words only */
    SILENT(r, "no-refunding");
    SILENT(r, "");
    vocx_rules_free(r);

    r = one_rule("refund*");
    RAISES(r, "refund");
    RAISES(r, "They refunded me");
    RAISES(r, "Refunds?");
    SILENT(r, "refun");
    SILENT(r, "nonrefundable");
    vocx_rules_free(r);
}
END_TEST

START_TEST(phrases)
{
    vocx_rules *r = one_rule("\"money back\"");
    RAISES(r, "I want my Money  Back");
    RAISES(r, "money-back guarantee");
    SILENT(r, "money, back");        /* a clause break is no phrase */
    SILENT(r, "back money");
    SILENT(r, "money was back");
    vocx_rules_free(r);

    r = one_rule("\"cancel* my account*\"");
    RAISES(r, "I am cancelling my account");
    RAISES(r, "cancel my accounts");
    SILENT(r, "cancel the account");
    vocx_rules_free(r);

    /* a word that tokenizes into several words is a phrase */
    r = one_rule("wi-fi");
    RAISES(r, "the wi fi is down");
    RAISES(r, "WI-FI down");
    SILENT(r, "wi and fi");
    vocx_rules_free(r);
}
END_TEST

START_TEST(lists_and_boolean)
{
    vocx_rules *r = one_rule("[refund, \"money back\", reimburs*]");
    RAISES(r, "reimbursement please");
    RAISES(r, "money back");
    RAISES(r, "refund");
    SILENT(r, "money");
    vocx_rules_free(r);

    r = one_rule("late OR delayed");
    RAISES(r, "it was delayed");
    RAISES(r, "late again");
    SILENT(r, "on time");
    vocx_rules_free(r);

    r = one_rule("parcel AND damaged");
    RAISES(r, "damaged box. The parcel was opened");
    SILENT(r, "the parcel");
    SILENT(r, "damaged");
    vocx_rules_free(r);

    r = one_rule("parcel AND NOT damaged");
    RAISES(r, "the parcel was fine");
    SILENT(r, "the parcel was damaged");
    vocx_rules_free(r);

    /* precedence: NOT, NEAR, AND, OR */
    r = one_rule("a1 OR b1 AND c1");
    RAISES(r, "a1");
    RAISES(r, "b1 c1");
    SILENT(r, "b1");
    vocx_rules_free(r);
    r = one_rule("(a1 OR b1) AND c1");
    SILENT(r, "a1");
    RAISES(r, "a1 c1");
    vocx_rules_free(r);
    r = one_rule("a1 AND b1 NEAR/1 c1");
    RAISES(r, "a1 ... b1 x c1");
    SILENT(r, "b1 x y c1 a1");
    vocx_rules_free(r);
    /* lower-case and/or/not are words */
    r = one_rule("\"salt and pepper\"");
    RAISES(r, "salt and pepper");
    vocx_rules_free(r);
}
END_TEST

START_TEST(near_and_before)
{
    vocx_rules *r = one_rule("charged NEAR/2 twice");
    RAISES(r, "charged twice");
    RAISES(r, "charged me x twice");    /* 2 words between */
    SILENT(r, "charged me x y twice");  /* 3 */
    RAISES(r, "twice I was charged");   /* either order */
    SILENT(r, "twice I was then charged");
    vocx_rules_free(r);

    r = one_rule("charged BEFORE/2 twice");
    RAISES(r, "charged me twice");
    SILENT(r, "twice I charged");
    vocx_rules_free(r);

    r = one_rule("(charged OR billed) NEAR/4 (twice OR \"two times\")");
    RAISES(r, "billed me two times");
    RAISES(r, "two times they billed");
    SILENT(r, "billed");
    vocx_rules_free(r);

    /* nested: the pair is the operand of another NEAR */
    r = one_rule("(wait* NEAR/1 hours) NEAR/2 phone");
    RAISES(r, "waited two hours on the phone");
    SILENT(r, "waited two hours on the old broken phone");
    vocx_rules_free(r);

    r = one_rule("late NEAR/0 delivery");
    RAISES(r, "late delivery");
    RAISES(r, "delivery late");
    SILENT(r, "late the delivery");
    vocx_rules_free(r);
}
END_TEST

START_TEST(regexes)
{
    vocx_rules *r = one_rule("/waited? \\d+ (hours?|hrs)/");
    RAISES(r, "I WAITED 3 HOURS");
    RAISES(r, "wait 12 hrs, I waited 1 hour");
    RAISES(r, "waite 2 hrs");
    SILENT(r, "waited hours");
    vocx_rules_free(r);
    /* Unicode-aware \w and \b on the normalized text */
    r = one_rule("/\\bstrasse\\b/ OR /^ü\\w+/");
    RAISES(r, "Die STRASSE");
    RAISES(r, "Die Straße");           /* full case folding: ß is ss */
    RAISES(r, "Überweisung");
    vocx_rules_free(r);
    r = one_rule("late AND /\\d+ days?/");
    RAISES(r, "late by 3 days");
    SILENT(r, "late");
    vocx_rules_free(r);
}
END_TEST

START_TEST(issue_attributes_and_scoring)
{
    const char *src =
        "issue a.heavy\n"
        "  label \"Heavy\"\n"
        "  block improvement\n"
        "  kind opportunity\n"
        "  severity 0.9\n"
        "  owner \"Ops team\"\n"
        "  weight 2.5\n"
        "  threshold 1.5\n"
        "  match late ; weight 0.5\n"
        "  match delay* ; weight 1\n"
        "  match \"very late\" ;weight 0.25\n"
        "issue b.plain\n"
        "  block innovation\n"
        "  match wish\n";
    vocx_rules *r = compile_ok(src);
    SILENT(r, "it was late");               /* 0.5 < 1.5 */
    SILENT(r, "delayed");                   /* 1 < 1.5 */
    ck_assert_str_eq(ids(r, "late and delayed"), "a.heavy");
    vocx_scratch *s;
    vocx_scratch_new(&s);
    const vocx_result *res;
    const char *t = "very late and delayed, I wish";
    ck_assert_int_eq(vocx_classify(r, s, t, strlen(t), 0, &res), VOCX_OK);
    ck_assert_uint_eq(res->nhits, 2);
    ck_assert_str_eq(res->hits[0].issue->id, "a.heavy");
    ck_assert(res->hits[0].score > 4.37 && res->hits[0].score < 4.38);
    ck_assert_uint_eq(res->hits[0].rule_line, 9);
    ck_assert_str_eq(res->hits[0].rule_text, "late");
    ck_assert_str_eq(res->hits[1].issue->id, "b.plain");
    ck_assert(res->hits[1].score == 1.0);
    vocx_scratch_free(s);
    vocx_rules_free(r);
}
END_TEST

START_TEST(unless_negated_cues)
{
    const char *src =
        "issue billing.double\n"
        "  block improvement\n"
        "  match charged NEAR/3 twice\n"
        "  unless \"refunded the difference\"\n"
        "issue delivery.missing\n"
        "  block improvement\n"
        "  negated arriv* OR \"show* up\"\n"
        "cue churn \"cancel* my account\" OR \"switching to\"\n"
        "cue positive love OR \"thank you\"\n";
    vocx_rules *r = compile_ok(src);
    ck_assert_str_eq(ids(r, "they charged me twice"), "billing.double");
    ck_assert_str_eq(ids(r, "charged twice but they refunded the difference"),
                     "");
    ck_assert_str_eq(ids(r, "the parcel didn't arrive"), "delivery.missing");
    ck_assert_str_eq(ids(r, "the parcel arrived"), "");
    ck_assert_str_eq(ids(r, "it never showed up"), "delivery.missing");

    vocx_scratch *s;
    vocx_scratch_new(&s);
    const vocx_result *res;
    const char *t = "Thank you, but I am switching to another bank. I love it";
    ck_assert_int_eq(vocx_classify(r, s, t, strlen(t), 0, &res), VOCX_OK);
    ck_assert_uint_eq(res->ncues, 2);
    ck_assert_uint_eq(res->churn_cues, 1);
    ck_assert_uint_eq(res->positive_cues, 1);
    ck_assert_int_eq(res->cues[0].kind, VOCX_CUE_CHURN);
    ck_assert_uint_eq(res->cues[0].rule_line, 8);
    ck_assert_int_eq(res->cues[1].kind, VOCX_CUE_POSITIVE);
    /* the first evidence of the positive cue is "Thank you" */
    ck_assert_uint_eq(res->cues[1].span.start, 0);
    ck_assert_uint_eq(res->cues[1].span.end, 9);
    t = "I'm not going to cancel my account";
    ck_assert_int_eq(vocx_classify(r, s, t, strlen(t), 0, &res), VOCX_OK);
    ck_assert_uint_eq(res->ncues, 0);
    vocx_scratch_free(s);
    vocx_rules_free(r);
}
END_TEST

START_TEST(options_lexicon_blocks)
{
    const char *src =
        "# accents are ignored for every term, wherever the option is\n"
        "issue cafe\n"
        "  block food\n"
        "  match cafe AND NOT bad\n"
        "block food \"Food and drink\"\n"
        "option accents ignore\n"
        "negators nimmer keinerlei\n"
        "contrast dennoch\n"
        "issue delay\n"
        "  block improvement\n"
        "  match verspätet\n";
    vocx_rules *r = compile_ok(src);
    ck_assert_str_eq(ids(r, "Le CAFÉ"), "cafe");
    ck_assert_str_eq(ids(r, "le cafe"), "cafe");
    ck_assert_str_eq(ids(r, "Zug verspatet"), "delay");
    ck_assert_str_eq(ids(r, "Der Zug war nimmer verspätet"), "");
    ck_assert_str_eq(ids(r, "Der Zug war nicht pünktlich dennoch verspätet"),
                     "delay");
    ck_assert_str_eq(ids(r, "keinerlei Verspätet"), "");
    ck_assert_uint_eq(vocx_rules_block_count(r), 10);
    const char *id, *label;
    ck_assert_int_eq(vocx_rules_block(r, 9, &id, &label), VOCX_OK);
    ck_assert_str_eq(id, "food");
    ck_assert_str_eq(label, "Food and drink");
    vocx_issue_info info;
    ck_assert_int_eq(vocx_rules_issue(r, 0, &info), VOCX_OK);
    ck_assert_str_eq(info.block, "food");
    ck_assert_str_eq(info.block_label, "Food and drink");
    vocx_rules_free(r);

    /* without the option accents count */
    r = one_rule("cafe");
    SILENT(r, "café");
    vocx_rules_free(r);
    r = one_rule("café");
    RAISES(r, "CAFÉ");
    SILENT(r, "cafe");
    vocx_rules_free(r);
}
END_TEST

START_TEST(builtin_blocks_and_accessors)
{
    static const char *const want[] = {
        "customer_voice", "cx_strategy",  "culture",
        "customer_intelligence", "clv", "improvement",
        "innovation", "engaging_internally", "engaging_externally"};
    const char *src =
        "issue x.one\n"
        "  block culture\n"
        "  match rude\n"
        "  negated helpful\n"
        "  unless joke\n"
        "issue x.two\n"
        "  label   \"Two words\"  \n"
        "  block clv\n"
        "  kind praise\n"
        "  severity 0\n"
        "  owner Loyalty team\n"
        "  match loyal*\n"
        "cue churn leave\n";
    vocx_rules *r = compile_ok(src);
    ck_assert_uint_eq(vocx_rules_block_count(r), 9);
    for (size_t i = 0; i < 9; i++) {
        const char *id = NULL, *label = NULL;
        ck_assert_int_eq(vocx_rules_block(r, i, &id, &label), VOCX_OK);
        ck_assert_str_eq(id, want[i]);
        ck_assert(label && *label);
    }
    ck_assert_int_eq(vocx_rules_block(r, 9, NULL, NULL), VOCX_EINVAL);
    ck_assert_uint_eq(vocx_rules_issue_count(r), 2);
    ck_assert_uint_eq(vocx_rules_rule_count(r), 5);
    vocx_issue_info a, b;
    ck_assert_int_eq(vocx_rules_issue(r, 0, &a), VOCX_OK);
    ck_assert_int_eq(vocx_rules_issue(r, 1, &b), VOCX_OK);
    ck_assert_int_eq(vocx_rules_issue(r, 2, &b), VOCX_EINVAL);
    ck_assert_int_eq(vocx_rules_issue(r, 1, &b), VOCX_OK);
    ck_assert_str_eq(a.id, "x.one");
    ck_assert_str_eq(a.label, "x.one");
    ck_assert_str_eq(a.block, "culture");
    ck_assert_int_eq(a.kind, VOCX_KIND_PROBLEM);
    ck_assert(a.severity == 0.5 && a.weight == 1 && a.threshold == 1);
    ck_assert_ptr_null(a.owner);
    ck_assert_uint_eq(a.line, 1);
    ck_assert_uint_eq(a.nrules, 2);
    ck_assert_str_eq(b.label, "Two words");
    ck_assert_str_eq(b.block_label, "Customer lifetime value");
    ck_assert_int_eq(b.kind, VOCX_KIND_PRAISE);
    ck_assert(b.severity == 0.0);
    ck_assert_str_eq(b.owner, "Loyalty team");
    ck_assert_uint_eq(b.line, 6);
    ck_assert_uint_eq(b.nrules, 1);
    ck_assert_str_eq(vocx_kind_name(VOCX_KIND_PROBLEM), "problem");
    ck_assert_str_eq(vocx_kind_name(VOCX_KIND_OPPORTUNITY), "opportunity");
    ck_assert_str_eq(vocx_kind_name(VOCX_KIND_PRAISE), "praise");
    ck_assert_str_eq(vocx_rules_name(r), "t.rules");
    size_t len = 0;
    ck_assert_str_eq(vocx_rules_source(r, &len), src);
    ck_assert_uint_eq(len, strlen(src));
    vocx_rules_free(r);

    ck_assert_uint_eq(vocx_rules_block_count(NULL), 0);
    ck_assert_uint_eq(vocx_rules_issue_count(NULL), 0);
    ck_assert_ptr_null(vocx_rules_hash(NULL));
    vocx_rules_free(NULL);
    vocx_diagnostics_free(NULL);
    ck_assert_uint_eq(vocx_diagnostics_count(NULL), 0);
    ck_assert_ptr_null(vocx_diagnostics_get(NULL, 0));
}
END_TEST

START_TEST(comments_blank_lines_crlf_bom)
{
    const char *src = "\xEF\xBB\xBF# a comment\r\n"
                      "\r\n"
                      "issue t\r\n"
                      "   # indented comment inside the issue\r\n"
                      "\r\n"
                      "\tblock improvement\r\n"
                      "  match late\r\n";
    vocx_rules *r = compile_ok(src);
    RAISES(r, "late");
    vocx_rules_free(r);

    /* an empty file is a valid, empty rule set */
    vocx_rules *e = NULL;
    ck_assert_int_eq(vocx_rules_compile(&e, "", 0, NULL, NULL), VOCX_OK);
    ck_assert_str_eq(vocx_rules_name(e), "<rules>");
    ck_assert_uint_eq(vocx_rules_issue_count(e), 0);
    ck_assert_str_eq(ids(e, "anything at all"), "");
    vocx_rules_free(e);
}
END_TEST

/* ---- diagnostics ------------------------------------------------------- */

START_TEST(err_unknown_block)
{
    expect_diag("issue a\n  block improvment\n  match x\n", VOCX_ERULES, 2, 9,
                "unknown building block \"improvment\" (did you mean "
                "\"improvement\"?)");
    /* far from every id: the message lists them */
    expect_diag("issue a\n  block zzz\n  match x\n", VOCX_ERULES, 2, 9,
                "the blocks are customer_voice, cx_strategy");
    /* custom blocks count, whatever their place in the file */
    expect_diag("issue a\n  block fod\n  match x\nblock food\n", VOCX_ERULES,
                2, 9, "(did you mean \"food\"?)");
}
END_TEST

START_TEST(err_duplicate_issue)
{
    expect_diag("issue a\n  block improvement\n  match x\n\n"
                "issue a\n  block improvement\n  match y\n",
                VOCX_ERULES, 5, 7,
                "duplicate issue id \"a\" (first defined at line 1)");
}
END_TEST

START_TEST(err_parentheses_and_quotes)
{
    expect_diag(HEAD "  match (late OR delay\n", VOCX_ERULES, 3, 23,
                "unbalanced parenthesis: \"(\" at column 9 is never closed");
    expect_diag(HEAD "  match late)\n", VOCX_ERULES, 3, 13,
                "unbalanced parenthesis: \")\" has no matching \"(\"");
    expect_diag(HEAD "  match ((a) OR b ; weight 2\n", VOCX_ERULES, 3, 19,
                "\"(\" at column 9 is never closed");
    expect_diag(HEAD "  match late OR \"late delivery\n", VOCX_ERULES, 3, 17,
                "unterminated quote");
    expect_diag(HEAD "  match [late, delay\n", VOCX_ERULES, 3, 21,
                "unbalanced bracket: \"[\" at column 9 is never closed");
    expect_diag(HEAD "  match /late\n", VOCX_ERULES, 3, 9,
                "unterminated regular expression");
    expect_diag("issue t\n  label \"abc\n  block improvement\n  match x\n",
                VOCX_ERULES, 2, 9, "unterminated quote");
}
END_TEST

START_TEST(err_operators)
{
    expect_diag(HEAD "  match late delivery\n", VOCX_ERULES, 3, 14,
                "two terms without an operator: write \"late delivery\" for a "
                "phrase or late AND delivery for both");
    expect_diag(HEAD "  match late or delay\n", VOCX_ERULES, 3, 14,
                "operators are upper case, write OR instead of \"or\"");
    expect_diag(HEAD "  match (late OR delay) \"long wait\"\n", VOCX_ERULES, 3,
                25, "two terms without an operator");
    expect_diag(HEAD "  match late NOT early\n", VOCX_ERULES, 3, 14,
                "write AND NOT");
    expect_diag(HEAD "  match NOT late\n", VOCX_ERULES, 3, 9,
                "NOT needs a positive partner");
    expect_diag(HEAD "  match late OR NOT early\n", VOCX_ERULES, 3, 17,
                "NOT needs a positive partner");
    expect_diag(HEAD "  match NOT a AND NOT b\n", VOCX_ERULES, 3, 9,
                "NOT needs a positive partner");
    expect_diag(HEAD "  match late AND\n", VOCX_ERULES, 3, 14,
                "AND needs a term after it");
    expect_diag(HEAD "  match OR late\n", VOCX_ERULES, 3, 9,
                "OR needs a term before it");
    expect_diag(HEAD "  match late NEAR delay\n", VOCX_ERULES, 3, 14,
                "NEAR needs a distance");
    expect_diag(HEAD "  match late NEAR/x delay\n", VOCX_ERULES, 3, 14,
                "bad NEAR/n \"NEAR/x\"");
    expect_diag(HEAD "  match late NEAR/1001 delay\n", VOCX_ERULES, 3, 14,
                "bad NEAR/n");
    expect_diag(HEAD "  match late BEFORE/-1 delay\n", VOCX_ERULES, 3, 14,
                "bad BEFORE/n");
    expect_diag(HEAD "  match (a AND b) NEAR/3 c\n", VOCX_ERULES, 3, 19,
                "AND and NOT have no position");
    expect_diag(HEAD "  match re*und\n", VOCX_ERULES, 3, 11,
                "\"*\" may only end a word");
    expect_diag(HEAD "  match late AND *\n", VOCX_ERULES, 3, 18,
                "a lone \"*\"");
    expect_diag(HEAD "  match []\n", VOCX_ERULES, 3, 9, "empty list");
    expect_diag(HEAD "  match [a b]\n", VOCX_ERULES, 3, 12,
                "separated by commas");
    expect_diag(HEAD "  match \"!?\"\n", VOCX_ERULES, 3, 10,
                "has no letters, digits or symbols");
    expect_diag(HEAD "  match\n", VOCX_ERULES, 3, 8,
                "match needs an expression");
    expect_diag(HEAD "  match late ; wieght 2\n", VOCX_ERULES, 3, 16,
                "unknown rule option \"wieght\" (did you mean \"weight\"?)");
    expect_diag(HEAD "  match late\n  unless x ; weight 2\n", VOCX_ERULES, 4,
                12, "only allowed on match and negated lines");
}
END_TEST

START_TEST(err_keywords_and_numbers)
{
    expect_diag(HEAD "  mtach late\n", VOCX_ERULES, 3, 3,
                "unknown keyword \"mtach\" (did you mean \"match\"?)");
    expect_diag(HEAD "  match x\n  frobnicate 3\n", VOCX_ERULES, 4, 3,
                "unknown keyword \"frobnicate\": an issue line is one of");
    expect_diag(HEAD "  match x\nisue y\n", VOCX_ERULES, 4, 1,
                "unknown keyword \"isue\" (did you mean \"issue\"?)");
    expect_diag(HEAD "  match x\nmatch y\n", VOCX_ERULES, 4, 1,
                "\"match\" must be indented");
    expect_diag("  match y\n", VOCX_ERULES, 1, 3, "indented line outside");
    expect_diag(HEAD "  match x\n  severity 1.5\n", VOCX_ERULES, 4, 12,
                "severity 1.5 is out of range");
    expect_diag(HEAD "  match x\n  severity 0.x\n", VOCX_ERULES, 4, 12,
                "bad number \"0.x\"");
    expect_diag(HEAD "  match x\n  weight -2\n", VOCX_ERULES, 4, 10,
                "cannot be negative");
    expect_diag(HEAD "  match x ; weight abc\n", VOCX_ERULES, 3, 20,
                "bad number \"abc\"");
    expect_diag(HEAD "  match x\n  threshold 0\n", VOCX_ERULES, 4, 13,
                "threshold must be greater than 0");
    expect_diag(HEAD "  match x\n  kind problme\n", VOCX_ERULES, 4, 8,
                "unknown kind \"problme\" (did you mean \"problem\"?)");
    expect_diag(HEAD "  match x\n  block clv\n", VOCX_ERULES, 4, 3,
                "block given twice for issue \"t\" (first at line 2)");
    expect_diag("issue Billing\n  block improvement\n  match x\n", VOCX_ERULES,
                1, 7, "ids are lower case (write \"billing\")");
    expect_diag("issue a b\n  block improvement\n  match x\n", VOCX_ERULES,
                1, 9, "unexpected text after the issue id");
    expect_diag("cue chrun late\n", VOCX_ERULES, 1, 5,
                "unknown cue kind \"chrun\" (did you mean \"churn\"?)");
    expect_diag("option accents forget\n", VOCX_ERULES, 1, 8,
                "unknown option");
    expect_diag("negators no-way\n", VOCX_ERULES, 1, 10,
                "is not a single word");
    expect_diag("block improvement\n", VOCX_ERULES, 1, 7, "is built in");
    expect_diag("block mine\nblock mine\n", VOCX_ERULES, 2, 7,
                "duplicate building block \"mine\" (first defined at line 1)");
}
END_TEST

START_TEST(err_incomplete_issues)
{
    expect_diag("issue lonely\n  match late\n", VOCX_ERULES, 1, 1,
                "issue \"lonely\" has no block line");
    expect_diag("issue mute\n  block improvement\n  unless late\n",
                VOCX_ERULES, 1, 1,
                "issue \"mute\" has no match or negated line");
    /* an issue whose only rule line is broken is not reported twice */
    vocx_diagnostics *d = NULL;
    vocx_rules *r = NULL;
    const char *src = "issue a\n  block improvement\n  match (x\n";
    ck_assert_int_eq(vocx_rules_compile(&r, src, strlen(src), "t", &d),
                     VOCX_ERULES);
    ck_assert_uint_eq(vocx_diagnostics_count(d), 1);
    vocx_diagnostics_free(d);
}
END_TEST

START_TEST(err_regex)
{
    /* PCRE2's own message, at the column of the offending character */
    PCRE2_UCHAR want[256];
    pcre2_get_error_message(PCRE2_ERROR_MISSING_CLOSING_PARENTHESIS, want,
                            sizeof want);
    char needle[300];
    snprintf(needle, sizeof needle, "bad regular expression: %s (at offset 3)",
             (const char *)want);
    /*                        col: 9 12   17 21 */
    expect_diag(HEAD "  match late OR /(ab/\n", VOCX_ERULES, 3, 21, needle);

    /* offset in bytes, column in characters: "éé" is 4 bytes, 2 columns */
    int ec;
    PCRE2_SIZE eo;
    pcre2_code *c = pcre2_compile((PCRE2_SPTR) "\xC3\xA9\xC3\xA9)", 5,
                                  PCRE2_UTF, &ec, &eo, NULL);
    ck_assert_ptr_null(c);
    ck_assert_uint_eq(eo, 4);
    pcre2_get_error_message(ec, want, sizeof want);
    expect_diag(HEAD "  match /\xC3\xA9\xC3\xA9)/\n", VOCX_ERULES, 3, 12,
                (const char *)want);
    expect_diag(HEAD "  match //\n", VOCX_ERULES, 3, 9, "empty regular");
}
END_TEST

START_TEST(err_bad_bytes)
{
    expect_diag(HEAD "  match caf\xC3\n", VOCX_ERULES, 3, 12,
                "invalid UTF-8");
    static const char nul[] = "issue t\n  block improvement\n  match a\0b\n";
    vocx_rules *r = NULL;
    vocx_diagnostics *d = NULL;
    ck_assert_int_eq(vocx_rules_compile(&r, nul, sizeof nul - 1, "t", &d),
                     VOCX_ERULES);
    ck_assert_uint_eq(vocx_diagnostics_get(d, 0)->line, 3);
    ck_assert_uint_eq(vocx_diagnostics_get(d, 0)->column, 10);
    ck_assert_ptr_nonnull(strstr(vocx_diagnostics_get(d, 0)->reason, "NUL"));
    vocx_diagnostics_free(d);
}
END_TEST

START_TEST(five_errors_all_reported)
{
    const char *src = "issue a\n"                     /* 1 */
                      "  block improvment\n"          /* 2: unknown block */
                      "  match (late\n"               /* 3: paren */
                      "  match late delivery\n"       /* 4: two terms */
                      "  severity 2\n"                /* 5: range */
                      "  match ok\n"                  /* 6 */
                      "issue a\n"                     /* 7: duplicate */
                      "  block improvement\n"
                      "  match fine\n";
    vocx_rules *r = NULL;
    vocx_diagnostics *d = NULL;
    ck_assert_int_eq(vocx_rules_compile(&r, src, strlen(src), "f", &d),
                     VOCX_ERULES);
    ck_assert_ptr_null(r);
    ck_assert_uint_eq(vocx_diagnostics_count(d), 5);
    static const unsigned lines[] = {2, 3, 4, 5, 7};
    for (size_t i = 0; i < 5; i++) {
        const vocx_diagnostic *x = vocx_diagnostics_get(d, i);
        ck_assert_uint_eq(x->line, lines[i]); /* sorted by position */
        ck_assert_int_eq(x->severity, VOCX_DIAG_ERROR);
    }
    ck_assert_ptr_null(vocx_diagnostics_get(d, 5));
    vocx_diagnostics_free(d);
}
END_TEST

START_TEST(warnings_on_success)
{
    vocx_rules *r = NULL;
    vocx_diagnostics *d = NULL;
    const char *src = HEAD "  match late AND near/3\n";
    ck_assert_int_eq(vocx_rules_compile(&r, src, strlen(src), "w", &d),
                     VOCX_OK);
    ck_assert_ptr_nonnull(r);
    ck_assert_uint_eq(vocx_diagnostics_count(d), 1);
    const vocx_diagnostic *x = vocx_diagnostics_get(d, 0);
    ck_assert_int_eq(x->severity, VOCX_DIAG_WARNING);
    ck_assert_uint_eq(x->line, 3);
    ck_assert_uint_eq(x->column, 18);
    ck_assert_ptr_nonnull(strstr(x->message, "w:3:18: warning: "));
    vocx_diagnostics_free(d);
    /* no diagnostics: *diag stays NULL */
    vocx_rules_free(r);
    r = NULL;
    d = (vocx_diagnostics *)&r; /* garbage that must be overwritten */
    src = HEAD "  match late\n";
    ck_assert_int_eq(vocx_rules_compile(&r, src, strlen(src), "w", &d),
                     VOCX_OK);
    ck_assert_ptr_null(d);
    vocx_rules_free(r);
}
END_TEST

/* ---- limits ------------------------------------------------------------- */

static char *nested(int depth)
{
    char *s = malloc((size_t)depth * 2 + 64);
    strcpy(s, HEAD "  match ");
    size_t n = strlen(s);
    for (int i = 0; i < depth; i++)
        s[n++] = '(';
    s[n++] = 'x';
    for (int i = 0; i < depth; i++)
        s[n++] = ')';
    s[n++] = '\n';
    s[n] = '\0';
    return s;
}

START_TEST(limit_depth)
{
    char *ok = nested(64);
    vocx_rules *r = compile_ok(ok);
    RAISES(r, "x");
    vocx_rules_free(r);
    free(ok);
    char *bad = nested(65);
    expect_diag(bad, VOCX_ELIMIT, 3, 73, "nests deeper than 64 levels");
    free(bad);
    /* a long NEAR chain is as deep as its length */
    char src[4096] = HEAD "  match a";
    for (int i = 0; i < 70; i++)
        strcat(src, " NEAR/1 a");
    strcat(src, "\n");
    vocx_rules *r2 = NULL;
    ck_assert_int_eq(vocx_rules_compile(&r2, src, strlen(src), NULL, NULL),
                     VOCX_ELIMIT);
}
END_TEST

START_TEST(limit_line_length)
{
    size_t n = 70000;
    char *s = malloc(n + 64);
    strcpy(s, HEAD "  match x OR ");
    size_t k = strlen(s);
    while (k < n) {
        memcpy(s + k, "ab OR ", 6);
        k += 6;
    }
    memcpy(s + k, "z\n", 3);
    expect_diag(s, VOCX_ELIMIT, 3, 1, "the limit is 65536 bytes");
    free(s);
}
END_TEST

START_TEST(limit_rules)
{
    size_t n = 100001;
    char *s = malloc(n * 16 + 64);
    strcpy(s, "issue many\n  block improvement\n");
    size_t k = strlen(s);
    for (size_t i = 0; i < n; i++)
        k += (size_t)sprintf(s + k, "  match w%zu\n", i);
    /* the 100,001st rule is on line 100,003 */
    expect_diag(s, VOCX_ELIMIT, 100003, 1, "too many rules: the limit is 100000");
    free(s);
}
END_TEST

START_TEST(limit_source_size)
{
    size_t n = 64u * 1024 * 1024 + 1;
    char *s = malloc(n);
    memset(s, '\n', n);
    vocx_rules *r = NULL;
    vocx_diagnostics *d = NULL;
    ck_assert_int_eq(vocx_rules_compile(&r, s, n, "big", &d), VOCX_ELIMIT);
    ck_assert_uint_eq(vocx_diagnostics_count(d), 1);
    ck_assert_ptr_nonnull(strstr(vocx_diagnostics_get(d, 0)->message,
                                 "big: rule text is"));
    vocx_diagnostics_free(d);
    free(s);
}
END_TEST

START_TEST(too_many_errors)
{
    size_t n = 1500;
    char *s = malloc(n * 16 + 16);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        k += (size_t)sprintf(s + k, "bogus %zu\n", i);
    vocx_rules *r = NULL;
    vocx_diagnostics *d = NULL;
    ck_assert_int_eq(vocx_rules_compile(&r, s, k, "t", &d), VOCX_ERULES);
    ck_assert_uint_eq(vocx_diagnostics_count(d), 1001);
    ck_assert_ptr_nonnull(strstr(vocx_diagnostics_get(d, 1000)->reason,
                                 "too many errors"));
    vocx_diagnostics_free(d);
    free(s);
}
END_TEST

/* ---- hash, load, arguments ---------------------------------------------- */

START_TEST(hash_stable_and_sensitive)
{
    vocx_rules *e = NULL;
    ck_assert_int_eq(vocx_rules_compile(&e, "", 0, NULL, NULL), VOCX_OK);
    ck_assert_str_eq(vocx_rules_hash(e),
                     "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    vocx_rules_free(e);

    char src[] = HEAD "  match late\n";
    vocx_rules *a = compile_ok(src), *b = compile_ok(src);
    ck_assert_str_eq(vocx_rules_hash(a), vocx_rules_hash(b));
    ck_assert_uint_eq(strlen(vocx_rules_hash(a)), 64);
    src[strlen(src) - 2] = 'E'; /* "latE" */
    vocx_rules *c = compile_ok(src);
    ck_assert_str_ne(vocx_rules_hash(a), vocx_rules_hash(c));
    vocx_rules_free(a);
    vocx_rules_free(b);
    vocx_rules_free(c);
}
END_TEST

START_TEST(load_file)
{
    char path[512];
    tu_tmppath(path, sizeof path, "load.rules");
    tu_write_str(path, HEAD "  match late\n");
    vocx_rules *r = NULL;
    vocx_diagnostics *d = NULL;
    ck_assert_int_eq(vocx_rules_load(&r, path, &d), VOCX_OK);
    ck_assert_ptr_null(d);
    ck_assert_str_eq(vocx_rules_name(r), path);
    RAISES(r, "late");
    vocx_rules_free(r);
    tu_write_str(path, HEAD "  match (late\n");
    ck_assert_int_eq(vocx_rules_load(&r, path, &d), VOCX_ERULES);
    ck_assert_str_eq(vocx_diagnostics_get(d, 0)->file, path);
    vocx_diagnostics_free(d);
    unlink(path);

    ck_assert_int_eq(vocx_rules_load(&r, path, &d), VOCX_EIO);
    ck_assert_ptr_null(r);
    ck_assert_uint_eq(vocx_diagnostics_count(d), 1);
    const char *m = vocx_diagnostics_get(d, 0)->message;
    ck_assert_ptr_nonnull(strstr(m, path));
    ck_assert_ptr_nonnull(strstr(m, strerror(ENOENT)));
    vocx_diagnostics_free(d);
    /* a directory cannot be read as rules */
    char dir[512];
    snprintf(dir, sizeof dir, "%s", path);
    *strrchr(dir, '/') = '\0';
    ck_assert_int_eq(vocx_rules_load(&r, dir, &d), VOCX_EIO);
    vocx_diagnostics_free(d);
    ck_assert_int_eq(vocx_rules_load(&r, path, NULL), VOCX_EIO);
}
END_TEST

START_TEST(bad_arguments)
{
    vocx_rules *r = NULL;
    ck_assert_int_eq(vocx_rules_compile(NULL, "", 0, NULL, NULL), VOCX_EINVAL);
    ck_assert_int_eq(vocx_rules_compile(&r, NULL, 3, NULL, NULL), VOCX_EINVAL);
    ck_assert_int_eq(vocx_rules_load(&r, NULL, NULL), VOCX_EINVAL);
    ck_assert_int_eq(vocx_rules_load(NULL, "x", NULL), VOCX_EINVAL);
    ck_assert_int_eq(vocx_rules_issue(NULL, 0, NULL), VOCX_EINVAL);
    ck_assert_int_eq(vocx_rules_block(NULL, 0, NULL, NULL), VOCX_EINVAL);
    /* text need not be NUL-terminated */
    const char src[] = HEAD "  match late\nGARBAGE";
    ck_assert_int_eq(vocx_rules_compile(&r, src, sizeof src - 1 - 7, NULL,
                                        NULL),
                     VOCX_OK);
    vocx_rules_free(r);
}
END_TEST

static Suite *rules_suite(void)
{
    Suite *s = suite_create("rules");
    TCase *c = tcase_create("constructs");
    tcase_add_test(c, words_and_prefixes);
    tcase_add_test(c, phrases);
    tcase_add_test(c, lists_and_boolean);
    tcase_add_test(c, near_and_before);
    tcase_add_test(c, regexes);
    tcase_add_test(c, issue_attributes_and_scoring);
    tcase_add_test(c, unless_negated_cues);
    tcase_add_test(c, options_lexicon_blocks);
    tcase_add_test(c, builtin_blocks_and_accessors);
    tcase_add_test(c, comments_blank_lines_crlf_bom);
    suite_add_tcase(s, c);
    c = tcase_create("diagnostics");
    tcase_add_test(c, err_unknown_block);
    tcase_add_test(c, err_duplicate_issue);
    tcase_add_test(c, err_parentheses_and_quotes);
    tcase_add_test(c, err_operators);
    tcase_add_test(c, err_keywords_and_numbers);
    tcase_add_test(c, err_incomplete_issues);
    tcase_add_test(c, err_regex);
    tcase_add_test(c, err_bad_bytes);
    tcase_add_test(c, five_errors_all_reported);
    tcase_add_test(c, warnings_on_success);
    suite_add_tcase(s, c);
    c = tcase_create("limits");
    tcase_set_timeout(c, 120);
    tcase_add_test(c, limit_depth);
    tcase_add_test(c, limit_line_length);
    tcase_add_test(c, limit_rules);
    tcase_add_test(c, limit_source_size);
    tcase_add_test(c, too_many_errors);
    suite_add_tcase(s, c);
    c = tcase_create("misc");
    tcase_add_test(c, hash_stable_and_sensitive);
    tcase_add_test(c, load_file);
    tcase_add_test(c, bad_arguments);
    suite_add_tcase(s, c);
    return s;
}

int main(void) { return tu_run_suite(rules_suite()); }
