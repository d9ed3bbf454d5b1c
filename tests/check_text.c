/* Tests for lib/text.c and lib/lexicon.c: normalization with the offset
 * map, tokenization, clauses, negation scope, the lexicon. */
#include "text.h"
#include "utf8.h"
#include "vocx.h"

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

/* Non-ASCII test text is written with escapes so that no editor can
 * silently recompose it.  Note "\xA9" "e": a hex escape would swallow a
 * following hex digit. */
#define E_ACUTE "\xC3\xA9"    /* é precomposed */
#define COMB_ACUTE "\xCC\x81" /* U+0301 */
#define RSQUO "\xE2\x80\x99"  /* ’ */
#define ANGRY "\xF0\x9F\x98\xA1"                   /* U+1F621 */
#define THUMBS_MED "\xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD" /* U+1F44D U+1F3FD */
#define ZWJ "\xE2\x80\x8D"
#define FAMILY                                                                 \
    "\xF0\x9F\x91\xA8" ZWJ "\xF0\x9F\x91\xA9" ZWJ "\xF0\x9F\x91\xA7"
#define FLAG_US "\xF0\x9F\x87\xBA\xF0\x9F\x87\xB8"
#define FLAG_FR "\xF0\x9F\x87\xAB\xF0\x9F\x87\xB7"

static vx_lexicon *lex(void)
{
    vx_lexicon *lx = NULL;
    ck_assert_int_eq(vx_lexicon_new(&lx), 0);
    ck_assert_ptr_nonnull(lx);
    return lx;
}

static void analyze(vx_text *t, const vx_lexicon *lx, const char *s,
                    unsigned flags)
{
    ck_assert_int_eq(vx_text_analyze(t, s, strlen(s), lx, flags), 0);
}

static int tok_is(const vx_text *t, size_t k, const char *w)
{
    const vx_token *x = &t->tok[k];
    return x->nend - x->nstart == strlen(w) &&
           memcmp(t->norm + x->nstart, w, strlen(w)) == 0;
}

/* Index of the first token whose normalized text is w, after `from`. */
static size_t find_tok(const vx_text *t, const char *w, size_t from)
{
    for (size_t k = from; k < t->ntok; k++)
        if (tok_is(t, k, w))
            return k;
    ck_abort_msg("token \"%s\" not found in \"%s\"", w, t->norm);
    return 0;
}

static unsigned flags_of(const vx_text *t, const char *w)
{
    return t->tok[find_tok(t, w, 0)].flags;
}

#define NEGATED(t, w) ((flags_of(t, w) & VX_TF_NEGATED) != 0)

/* Every token of t, as "word|word|..." for compact assertions. */
static const char *joined(const vx_text *t)
{
    static char buf[1024];
    size_t o = 0;
    for (size_t k = 0; k < t->ntok && o < sizeof buf - 8; k++) {
        int n = (int)(t->tok[k].nend - t->tok[k].nstart);
        o += (size_t)snprintf(buf + o, sizeof buf - o, "%s%.*s", k ? "|" : "",
                              n, t->norm + t->tok[k].nstart);
    }
    buf[o < sizeof buf ? o : sizeof buf - 1] = '\0';
    return buf;
}

static void assert_span(const vx_token *x, uint32_t os, uint32_t oe)
{
    ck_assert_uint_eq(x->ostart, os);
    ck_assert_uint_eq(x->oend, oe);
}

/* ---- normalization and the map ------------------------------------- */

START_TEST(ascii_fold_identity_map)
{
    vx_text t;
    vx_text_init(&t);
    const char *s = "Hello WORLD, `quoted` MiXeD 42x!";
    analyze(&t, NULL, s, 0);
    ck_assert_str_eq(t.norm, "hello world, 'quoted' mixed 42x!");
    ck_assert_uint_eq(t.norm_len, strlen(s));
    for (size_t i = 0; i < t.norm_len; i++) {
        ck_assert_uint_eq(t.omap[i], i);
        ck_assert_uint_eq(t.oend[i], i + 1);
    }
    ck_assert_uint_eq(t.omap[t.norm_len], strlen(s));
    ck_assert_str_eq(joined(&t), "hello|world|quoted|mixed|42x");
    assert_span(&t.tok[1], 6, 11);
    /* every length around the 8-byte blocks of the fast path */
    char buf[80], want[80];
    for (size_t n = 0; n < 70; n++) {
        for (size_t i = 0; i < n; i++) {
            buf[i] = (char)("AbZz`@[{"[i % 8]);
            want[i] = (char)("abzz'@[{"[i % 8]);
        }
        ck_assert_int_eq(vx_text_analyze(&t, buf, n, NULL, 0), 0);
        ck_assert_uint_eq(t.norm_len, n);
        ck_assert_int_eq(memcmp(t.norm, want, n), 0);
    }
    vx_text_free(&t);
}
END_TEST

START_TEST(precomposed_and_combining)
{
    vx_text a, b;
    vx_text_init(&a);
    vx_text_init(&b);
    const char *pre = "Caf" E_ACUTE " ok";       /* 5 + 3 bytes */
    const char *dec = "Cafe" COMB_ACUTE " ok";   /* 6 + 3 bytes */
    analyze(&a, NULL, pre, 0);
    analyze(&b, NULL, dec, 0);
    ck_assert_str_eq(a.norm, "caf" E_ACUTE " ok");
    ck_assert_str_eq(b.norm, a.norm);
    assert_span(&a.tok[0], 0, 5);
    assert_span(&b.tok[0], 0, 6);
    assert_span(&b.tok[1], 7, 9);
    /* the é bytes map to the whole e + U+0301 sequence */
    size_t os, oe;
    vx_text_span(&b, 3, 5, &os, &oe);
    ck_assert_uint_eq(os, 3);
    ck_assert_uint_eq(oe, 6);
    vx_text_span(&a, 3, 5, &os, &oe);
    ck_assert_uint_eq(os, 3);
    ck_assert_uint_eq(oe, 5);
    /* a span inside a character widens to the character */
    vx_text_span(&b, 4, 5, &os, &oe);
    ck_assert_uint_eq(os, 3);
    ck_assert_uint_eq(oe, 6);
    vx_text_span(&b, 0, 3, &os, &oe);
    ck_assert_uint_eq(os, 0);
    ck_assert_uint_eq(oe, 3);
    vx_text_free(&a);
    vx_text_free(&b);
}
END_TEST

START_TEST(case_folding)
{
    vx_text t;
    vx_text_init(&t);
    analyze(&t, NULL, "\xC3\x9C" "BERWEISUNG", 0); /* ÜBERWEISUNG */
    ck_assert_str_eq(t.norm, "\xC3\xBC" "berweisung");
    assert_span(&t.tok[0], 0, 12);
    analyze(&t, NULL, "Stra\xC3\x9F" "e", 0); /* Straße */
    ck_assert_str_eq(t.norm, "strasse");
    /* both s bytes map to the 2-byte ß */
    ck_assert_uint_eq(t.omap[4], 4);
    ck_assert_uint_eq(t.oend[4], 6);
    ck_assert_uint_eq(t.omap[5], 4);
    ck_assert_uint_eq(t.oend[5], 6);
    ck_assert_uint_eq(t.omap[6], 6);
    assert_span(&t.tok[0], 0, 7);
    /* Greek final sigma and Cyrillic */
    analyze(&t, NULL, "\xCE\xA3\xCE\x9F\xCE\xA6\xCE\x9F\xCE\xA3", 0);
    ck_assert_uint_eq(t.ntok, 1);
    vx_text_free(&t);
}
END_TEST

START_TEST(ligature_expands)
{
    vx_text t;
    vx_text_init(&t);
    analyze(&t, NULL, "\xEF\xAC\x81le", 0); /* U+FB01 "le" */
    ck_assert_str_eq(t.norm, "file");
    ck_assert_uint_eq(t.ntok, 1);
    assert_span(&t.tok[0], 0, 5);
    for (int i = 0; i < 2; i++) { /* f and i both map to the ligature */
        ck_assert_uint_eq(t.omap[i], 0);
        ck_assert_uint_eq(t.oend[i], 3);
    }
    ck_assert_uint_eq(t.omap[2], 3);
    ck_assert_uint_eq(t.omap[3], 4);
    size_t os, oe;
    vx_text_span(&t, 1, 2, &os, &oe); /* "i" alone still maps to all of it */
    ck_assert_uint_eq(os, 0);
    ck_assert_uint_eq(oe, 3);
    vx_text_free(&t);
}
END_TEST

START_TEST(full_width)
{
    vx_text t;
    vx_text_init(&t);
    /* ＡＢＣ */
    analyze(&t, NULL, "\xEF\xBC\xA1\xEF\xBC\xA2\xEF\xBC\xA3", 0);
    ck_assert_str_eq(t.norm, "abc");
    for (uint32_t i = 0; i < 3; i++) {
        ck_assert_uint_eq(t.omap[i], 3 * i);
        ck_assert_uint_eq(t.oend[i], 3 * i + 3);
    }
    ck_assert_uint_eq(t.ntok, 1);
    assert_span(&t.tok[0], 0, 9);
    /* full-width punctuation folds to ASCII and breaks clauses */
    analyze(&t, NULL, "a\xEF\xBC\x8C" "b\xEF\xBC\x81" "c\xE3\x80\x82" "d", 0);
    ck_assert_str_eq(joined(&t), "a|b|c|d");
    for (uint32_t k = 0; k < 4; k++)
        ck_assert_uint_eq(t.tok[k].clause, k);
    vx_text_free(&t);
}
END_TEST

START_TEST(strip_accents_only_with_flag)
{
    vx_text t;
    vx_text_init(&t);
    analyze(&t, NULL, "Caf" E_ACUTE, 0);
    ck_assert_str_eq(t.norm, "caf" E_ACUTE);
    analyze(&t, NULL, "Caf" E_ACUTE, VX_NORM_STRIP_ACCENTS);
    ck_assert_str_eq(t.norm, "cafe");
    ck_assert_uint_eq(t.omap[3], 3);
    ck_assert_uint_eq(t.oend[3], 5);
    analyze(&t, NULL, "Cafe" COMB_ACUTE " \xC3\x9C" "ber",
            VX_NORM_STRIP_ACCENTS);
    ck_assert_str_eq(t.norm, "cafe uber");
    assert_span(&t.tok[0], 0, 6);
    assert_span(&t.tok[1], 7, 12);
    size_t n;
    char *f = vx_text_fold("CAF" E_ACUTE, 5, VX_NORM_STRIP_ACCENTS, &n);
    ck_assert_str_eq(f, "cafe");
    free(f);
    vx_text_free(&t);
}
END_TEST

START_TEST(apostrophes_unified)
{
    vx_text t;
    vx_text_init(&t);
    /* ’ ‘ ʼ ＇ ` all become ' and stay inside words */
    analyze(&t, NULL,
            "a" RSQUO "b c\xE2\x80\x98" "d e\xCA\xBC" "f g\xEF\xBC\x87h i`j",
            0);
    ck_assert_str_eq(joined(&t), "a'b|c'd|e'f|g'h|i'j");
    assert_span(&t.tok[0], 0, 5);
    /* quotes around a word are not part of it */
    analyze(&t, NULL, "\xE2\x80\x98great" RSQUO " 'fine' rock'n'roll", 0);
    ck_assert_str_eq(joined(&t), "great|fine|rock'n'roll");
    vx_text_free(&t);
}
END_TEST

/* ---- tokens -------------------------------------------------------- */

START_TEST(cyrillic_words)
{
    vx_text t;
    vx_text_init(&t);
    analyze(&t, NULL, "\xD0\x9F\xD0\xA0\xD0\x98\xD0\x92\xD0\x95\xD0\xA2 "
                      "\xD0\xBC\xD0\xB8\xD1\x80", 0); /* ПРИВЕТ мир */
    ck_assert_uint_eq(t.ntok, 2);
    ck_assert(tok_is(&t, 0,
                     "\xD0\xBF\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82"));
    ck_assert(tok_is(&t, 1, "\xD0\xBC\xD0\xB8\xD1\x80"));
    assert_span(&t.tok[0], 0, 12);
    assert_span(&t.tok[1], 13, 19);
    ck_assert_uint_eq(t.tok[0].kind, VX_TOK_WORD);
    vx_text_free(&t);
}
END_TEST

START_TEST(emoji_symbols)
{
    vx_text t;
    vx_text_init(&t);
    const char *s = "bad" ANGRY "ok " THUMBS_MED " " FAMILY "x" FLAG_US FLAG_FR
                    ANGRY ANGRY;
    analyze(&t, NULL, s, 0);
    ck_assert_uint_eq(t.ntok, 10);
    ck_assert(tok_is(&t, 0, "bad"));
    ck_assert_uint_eq(t.tok[1].kind, VX_TOK_SYMBOL);
    assert_span(&t.tok[1], 3, 7);
    ck_assert(tok_is(&t, 2, "ok"));
    ck_assert_uint_eq(t.tok[3].kind, VX_TOK_SYMBOL); /* thumbs + skin tone */
    assert_span(&t.tok[3], 10, 18);
    ck_assert(tok_is(&t, 3, THUMBS_MED));
    ck_assert_uint_eq(t.tok[4].kind, VX_TOK_SYMBOL); /* ZWJ family */
    assert_span(&t.tok[4], 19, 37);
    ck_assert(tok_is(&t, 4, FAMILY));
    ck_assert(tok_is(&t, 5, "x"));
    assert_span(&t.tok[6], 38, 46); /* one flag = two regional indicators */
    assert_span(&t.tok[7], 46, 54);
    assert_span(&t.tok[8], 54, 58);
    assert_span(&t.tok[9], 58, 62);
    /* a lone skin tone (Sk) and U+FFFD are not tokens; U+2764 U+FE0F is */
    analyze(&t, NULL,
            "\xF0\x9F\x8F\xBD \xEF\xBF\xBD \xE2\x9D\xA4\xEF\xB8\x8F", 0);
    ck_assert_uint_eq(t.ntok, 1);
    ck_assert_uint_eq(t.tok[0].kind, VX_TOK_SYMBOL);
    assert_span(&t.tok[0], 9, 15);
    vx_text_free(&t);
}
END_TEST

START_TEST(separators_and_words)
{
    vx_text t;
    vx_text_init(&t);
    analyze(&t, NULL, "e-mail $5 5pm 100%  co-op's it's' 'tis", 0);
    ck_assert_str_eq(joined(&t), "e|mail|5|5pm|100|co|op's|it's|tis");
    /* CJK ideographs are one token each; kana and Latin runs are words */
    analyze(&t, NULL, "\xE9\x85\x8D\xE9\x81\x94" "app" /* 配達app */, 0);
    ck_assert_str_eq(joined(&t), "\xE9\x85\x8D|\xE9\x81\x94|app");
    assert_span(&t.tok[1], 3, 6);
    /* a combining mark after a separator starts no word */
    analyze(&t, NULL, "a " COMB_ACUTE " b", 0);
    ck_assert_str_eq(joined(&t), "a|b");
    /* ZWNJ stays inside a Persian word */
    analyze(&t, NULL,
            "\xD9\x85\xDB\x8C\xE2\x80\x8C\xD8\xB1\xD9\x88\xD9\x85", 0);
    ck_assert_uint_eq(t.ntok, 1);
    vx_text_free(&t);
}
END_TEST

START_TEST(invalid_utf8)
{
    vx_text t;
    vx_text_init(&t);
    /* stray byte, truncated sequence, overlong, lone continuation, and a
     * truncated sequence at the very end */
    const char s[] = "ab\xFF" "cd \xC3 ef\xC0\xAF" "gh\x80ij \xE2\x82";
    size_t len = sizeof s - 1;
    ck_assert_int_eq(vx_text_analyze(&t, s, len, NULL, 0), 0);
    ck_assert_str_eq(joined(&t), "ab|cd|ef|gh|ij");
    assert_span(&t.tok[0], 0, 2);
    assert_span(&t.tok[1], 3, 5);
    assert_span(&t.tok[2], 8, 10);
    assert_span(&t.tok[3], 12, 14);
    assert_span(&t.tok[4], 15, 17);
    for (size_t k = 0; k < t.ntok; k++)
        ck_assert_uint_eq(t.tok[k].kind, VX_TOK_WORD);
    /* each invalid byte became one U+FFFD mapped to that byte */
    ck_assert_int_eq(memcmp(t.norm + 2, "\xEF\xBF\xBD", 3), 0);
    ck_assert_uint_eq(t.omap[2], 2);
    ck_assert_uint_eq(t.oend[4], 3);
    ck_assert_uint_eq(vx_utf8_check(t.norm, t.norm_len), t.norm_len);
    ck_assert_uint_eq(t.omap[t.norm_len], len);
    /* a lead byte as the very last byte is not read past */
    char *one = malloc(1);
    one[0] = (char)0xF0;
    ck_assert_int_eq(vx_text_analyze(&t, one, 1, NULL, 0), 0);
    ck_assert_uint_eq(t.ntok, 0);
    one[0] = 'Z';
    ck_assert_int_eq(vx_text_analyze(&t, one, 1, NULL, 0), 0);
    ck_assert_str_eq(t.norm, "z");
    free(one);
    /* vx_text_fold refuses invalid UTF-8 */
    ck_assert_ptr_null(vx_text_fold("a\xFF", 2, 0, NULL));
    vx_text_free(&t);
}
END_TEST

START_TEST(clause_boundaries)
{
    vx_text t;
    vx_text_init(&t);
    analyze(&t, NULL,
            "a. b, c; d: e! f? g\xE2\x80\xA6 h\ni\r\nj\xE2\x80\xA8k l", 0);
    ck_assert_str_eq(joined(&t), "a|b|c|d|e|f|g|h|i|j|k|l");
    for (uint32_t k = 0; k < 11; k++)
        ck_assert_uint_eq(t.tok[k].clause, k);
    ck_assert_uint_eq(t.tok[11].clause, 10);
    /* runs of punctuation count once; leading punctuation starts nothing */
    analyze(&t, NULL, "!!  a?!... b\r\n\r\nc", 0);
    ck_assert_uint_eq(t.tok[0].clause, 0);
    ck_assert_uint_eq(t.tok[1].clause, 1);
    ck_assert_uint_eq(t.tok[2].clause, 2);
    /* decimal points and thousands separators between digits do not */
    analyze(&t, NULL, "paid 1,000.50 twice. then 3. x", 0);
    ck_assert_uint_eq(t.tok[find_tok(&t, "twice", 0)].clause, 0);
    ck_assert_uint_eq(t.tok[find_tok(&t, "then", 0)].clause, 1);
    ck_assert_uint_eq(t.tok[find_tok(&t, "x", 0)].clause, 2);
    vx_text_free(&t);
}
END_TEST

/* ---- negation ------------------------------------------------------ */

START_TEST(negation_scope)
{
    vx_lexicon *lx = lex();
    vx_text t;
    vx_text_init(&t);

    analyze(&t, lx, "no billing error", 0);
    ck_assert_uint_eq(flags_of(&t, "no"), VX_TF_NEGATOR);
    ck_assert(NEGATED(&t, "billing"));
    ck_assert(NEGATED(&t, "error"));

    analyze(&t, lx, "the flight wasn't late", 0);
    ck_assert(flags_of(&t, "wasn't") & VX_TF_NEGATOR);
    ck_assert(!NEGATED(&t, "flight"));
    ck_assert(NEGATED(&t, "late"));

    analyze(&t, lx, "never had a problem with delivery", 0);
    ck_assert(NEGATED(&t, "problem"));
    ck_assert(NEGATED(&t, "with"));
    ck_assert(NEGATED(&t, "delivery"));
    ck_assert(!NEGATED(&t, "never"));

    analyze(&t, lx, "not refunded", 0);
    ck_assert(NEGATED(&t, "refunded"));

    analyze(&t, lx, "not the app, but the delivery was late", 0);
    ck_assert(NEGATED(&t, "app"));
    ck_assert(!NEGATED(&t, "late"));
    ck_assert(!NEGATED(&t, "delivery"));
    ck_assert(flags_of(&t, "but") & VX_TF_CONTRAST);

    /* a contrast word alone also ends the scope and starts a clause */
    analyze(&t, lx, "not the app but the delivery was late", 0);
    ck_assert(NEGATED(&t, "app"));
    ck_assert(!NEGATED(&t, "late"));
    size_t b = find_tok(&t, "but", 0);
    ck_assert_uint_eq(t.tok[b].clause, 1);
    ck_assert_uint_eq(t.tok[b - 1].clause, 0);
    ck_assert_uint_eq(t.tok[t.ntok - 1].clause, 1);

    /* a conjunction with a new subject ends the scope; coordinated
     * objects stay negated */
    analyze(&t, lx, "the parcel didn't arrive and I was billed twice", 0);
    ck_assert(NEGATED(&t, "arrive"));
    ck_assert(!NEGATED(&t, "billed"));
    ck_assert(!NEGATED(&t, "twice"));
    analyze(&t, lx, "no delays and errors this time", 0);
    ck_assert(NEGATED(&t, "delays"));
    ck_assert(NEGATED(&t, "errors"));
    analyze(&t, lx, "Die Lieferung kam nicht und ich warte", 0);
    ck_assert(!NEGATED(&t, "warte"));

    /* punctuation ends the scope */
    analyze(&t, lx, "no. refund please", 0);
    ck_assert(!NEGATED(&t, "refund"));

    /* what should have happened and did not (a `negated` rule) */
    analyze(&t, lx, "nobody called me back", 0);
    ck_assert(NEGATED(&t, "called"));
    ck_assert(NEGATED(&t, "back"));
    vx_text_free(&t);
    vx_lexicon_free(lx);
}
END_TEST

START_TEST(negation_window)
{
    vx_lexicon *lx = lex();
    vx_text t;
    vx_text_init(&t);
    analyze(&t, lx, "not w1 w2 w3 w4 w5 w6 w7 w8 w9 w10", 0);
    for (size_t k = 1; k <= VX_NEGATION_WINDOW; k++)
        ck_assert_msg(t.tok[k].flags & VX_TF_NEGATED, "token %zu", k);
    ck_assert(!(t.tok[9].flags & VX_TF_NEGATED));
    ck_assert(!(t.tok[10].flags & VX_TF_NEGATED));
    /* a second negator restarts the window and is itself negated */
    analyze(&t, lx, "no a b never c d e f g h i j k", 0);
    ck_assert_uint_eq(flags_of(&t, "never"), VX_TF_NEGATOR | VX_TF_NEGATED);
    ck_assert(NEGATED(&t, "j"));
    ck_assert(!NEGATED(&t, "k"));
    /* symbols count as words */
    analyze(&t, lx, "not " ANGRY " " ANGRY " a b c d e f g", 0);
    ck_assert(t.tok[1].flags & VX_TF_NEGATED);
    ck_assert(NEGATED(&t, "f"));
    ck_assert(!NEGATED(&t, "g"));
    vx_text_free(&t);
    vx_lexicon_free(lx);
}
END_TEST

START_TEST(pseudo_negation)
{
    vx_lexicon *lx = lex();
    vx_text t;
    vx_text_init(&t);

    analyze(&t, lx, "no problem, the parcel was late", 0);
    ck_assert_uint_eq(flags_of(&t, "no"), VX_TF_PSEUDO);
    ck_assert_uint_eq(flags_of(&t, "problem"), VX_TF_PSEUDO | VX_TF_NEGATED);
    ck_assert(!NEGATED(&t, "late"));

    analyze(&t, lx, "no problem the parcel was late", 0); /* no comma */
    ck_assert(!NEGATED(&t, "parcel"));
    ck_assert(!NEGATED(&t, "late"));

    analyze(&t, lx, "not only late but also damaged", 0);
    ck_assert(!NEGATED(&t, "late"));
    ck_assert(!NEGATED(&t, "damaged"));
    ck_assert(flags_of(&t, "only") & VX_TF_PSEUDO);

    analyze(&t, lx, "not bad at all", 0);
    ck_assert(NEGATED(&t, "bad"));
    ck_assert(!NEGATED(&t, "at"));

    /* "but" inside "nothing but" is no contrast word */
    analyze(&t, lx, "nothing but delays", 0);
    ck_assert_uint_eq(flags_of(&t, "but"), VX_TF_PSEUDO | VX_TF_NEGATED);
    ck_assert(!NEGATED(&t, "delays"));
    ck_assert_uint_eq(t.tok[2].clause, 0);

    /* the longest phrase wins; "No  Problems" matches regardless of case
     * and spacing, but not across punctuation */
    analyze(&t, lx, "No  Problems here", 0);
    ck_assert(flags_of(&t, "problems") & VX_TF_PSEUDO);
    ck_assert(!NEGATED(&t, "here"));
    analyze(&t, lx, "no, problem here", 0);
    ck_assert(!(flags_of(&t, "no") & VX_TF_PSEUDO));

    /* a pseudo phrase inside an earlier scope is still negated there */
    analyze(&t, lx, "never said no problem to late", 0);
    ck_assert(NEGATED(&t, "late"));
    vx_text_free(&t);
    vx_lexicon_free(lx);
}
END_TEST

START_TEST(contrast_after_negator)
{
    vx_lexicon *lx = lex();
    vx_text t;
    vx_text_init(&t);
    /* "not yet": yet is not a contrast there, the scope goes on */
    analyze(&t, lx, "my parcel has not yet arrived", 0);
    ck_assert(!(flags_of(&t, "yet") & VX_TF_CONTRAST));
    ck_assert(NEGATED(&t, "arrived"));
    ck_assert_uint_eq(t.tok[t.ntok - 1].clause, 0);
    /* "yet" elsewhere is one */
    analyze(&t, lx, "no refund yet the app says paid", 0);
    ck_assert(flags_of(&t, "yet") & VX_TF_CONTRAST);
    ck_assert(!NEGATED(&t, "paid"));
    vx_text_free(&t);
    vx_lexicon_free(lx);
}
END_TEST

START_TEST(negators_folded_and_multilingual)
{
    vx_lexicon *lx = lex();
    vx_text t;
    vx_text_init(&t);
    static const char *const cases[][2] = {
        {"NOT delivered", "delivered"},
        {"Didn" RSQUO "t arrive", "arrive"},
        {"I dont know", "know"},
        {"we CANNOT login", "login"},
        {"das Paket ist NICHT angekommen", "angekommen"},
        {"il n'est pas arriv" E_ACUTE, "arriv" E_ACUTE},
        {"el pedido nunca lleg\xC3\xB3", "lleg\xC3\xB3"},
        {"N\xC3\x83O chegou", "chegou"},           /* NÃO */
        {"ning\xC3\xBAn reembolso", "reembolso"},    /* ningún */
        {"\xD0\x9D\xD0\x95 \xD0\xBF\xD1\x80\xD0\xB8\xD1\x88\xD1\x91\xD0\xBB",
         "\xD0\xBF\xD1\x80\xD0\xB8\xD1\x88\xD1\x91\xD0\xBB"}, /* НЕ пришёл */
        {"geen terugbetaling", "terugbetaling"},
        {"won't refund", "refund"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        analyze(&t, lx, cases[i][0], 0);
        ck_assert_msg(NEGATED(&t, cases[i][1]), "%s", cases[i][0]);
    }
    /* contrast words from other languages */
    analyze(&t, lx, "nicht schnell aber gut", 0);
    ck_assert(flags_of(&t, "aber") & VX_TF_CONTRAST);
    ck_assert(!NEGATED(&t, "gut"));
    analyze(&t, lx, "n\xC3\xA3o chegou por\xC3\xA9m ok", 0);
    ck_assert(flags_of(&t, "por\xC3\xA9m") & VX_TF_CONTRAST);
    /* accent-stripped text finds accented list entries */
    analyze(&t, lx, "N\xC3\x83O chegou por\xC3\xA9m ok", VX_NORM_STRIP_ACCENTS);
    ck_assert(flags_of(&t, "nao") & VX_TF_NEGATOR);
    ck_assert(flags_of(&t, "porem") & VX_TF_CONTRAST);
    ck_assert(NEGATED(&t, "chegou"));
    ck_assert(!NEGATED(&t, "ok"));
    /* ordinary words are ordinary */
    analyze(&t, lx, "nothingness knot notable", 0);
    ck_assert_uint_eq(t.tok[0].flags | t.tok[1].flags | t.tok[2].flags, 0);
    vx_text_free(&t);
    vx_lexicon_free(lx);
}
END_TEST

START_TEST(lexicon_extension)
{
    vx_lexicon *lx = lex();
    vx_text t;
    vx_text_init(&t);
    size_t n;
    char *w = vx_text_fold("NIMMER", 6, 0, &n);
    ck_assert_int_eq(vx_lexicon_add_negator(lx, w, n), 0);
    free(w);
    ck_assert_int_eq(vx_lexicon_add_contrast(lx, "dennoch", 7), 0);
    const char *cw = "can" RSQUO "t  WAIT";
    ck_assert_int_eq(vx_lexicon_add_pseudo(lx, cw, strlen(cw)), 0);
    ck_assert_int_eq(vx_lexicon_add_negator(lx, "caf" E_ACUTE, 5), 0);
    ck_assert_int_eq(vx_lexicon_add_negator(lx, "x\xFF", 2), VOCX_EINVAL);
    ck_assert_int_eq(vx_lexicon_add_pseudo(NULL, "a", 1), VOCX_EINVAL);

    analyze(&t, lx, "Nimmer wieder dennoch gut", 0);
    ck_assert(flags_of(&t, "nimmer") & VX_TF_NEGATOR);
    ck_assert(NEGATED(&t, "wieder"));
    ck_assert(flags_of(&t, "dennoch") & VX_TF_CONTRAST);
    ck_assert(!NEGATED(&t, "gut"));

    analyze(&t, lx, "I can't wait for the refund", 0);
    ck_assert(flags_of(&t, "can't") & VX_TF_PSEUDO);
    ck_assert(!(flags_of(&t, "can't") & VX_TF_NEGATOR));
    ck_assert(NEGATED(&t, "wait"));
    ck_assert(!NEGATED(&t, "refund"));

    analyze(&t, lx, "CAFE x", VX_NORM_STRIP_ACCENTS);
    ck_assert(NEGATED(&t, "x"));
    /* the defaults are still there; a lexicon is reusable and shareable */
    analyze(&t, lx, "not late", 0);
    ck_assert(NEGATED(&t, "late"));
    vx_lexicon_free(lx);
    vx_lexicon_free(NULL);
    ck_assert_int_eq(vx_lexicon_new(NULL), VOCX_EINVAL);
    vx_text_free(&t);
}
END_TEST

/* ---- interface details --------------------------------------------- */

START_TEST(fold_matches_analyze)
{
    size_t n;
    char *f = vx_text_fold("\xC3\x9C" "BERWEISUNG", 12, 0, &n);
    ck_assert_str_eq(f, "\xC3\xBC" "berweisung");
    ck_assert_uint_eq(n, 12);
    free(f);
    f = vx_text_fold("", 0, 0, &n);
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(n, 0);
    free(f);
    f = vx_text_fold(NULL, 0, 0, NULL);
    ck_assert_ptr_nonnull(f);
    free(f);
    ck_assert_ptr_null(vx_text_fold(NULL, 3, 0, NULL));
    const char *d = "Didn" RSQUO "t \xEF\xAC\x81le";
    f = vx_text_fold(d, strlen(d), 0, &n);
    ck_assert_str_eq(f, "didn't file");
    free(f);
}
END_TEST

/* For every token: folding its original bytes gives its normalized
 * bytes, so rule terms folded with vx_text_fold compare byte for byte. */
static void round_trip(const char *s, size_t len, unsigned flags)
{
    vx_text t;
    vx_text_init(&t);
    ck_assert_int_eq(vx_text_analyze(&t, s, len, NULL, flags), 0);
    for (size_t k = 0; k < t.ntok; k++) {
        const vx_token *x = &t.tok[k];
        size_t n;
        char *f = vx_text_fold(s + x->ostart, x->oend - x->ostart, flags, &n);
        ck_assert_ptr_nonnull(f);
        ck_assert_msg(n == x->nend - x->nstart &&
                          memcmp(f, t.norm + x->nstart, n) == 0,
                      "token %zu of \"%s\": fold gives \"%s\"", k, s, f);
        free(f);
    }
    vx_text_free(&t);
}

START_TEST(round_trip_tokens)
{
    static const char *const texts[] = {
        "The flight WASN" RSQUO "T late, Caf" E_ACUTE " and Cafe" COMB_ACUTE,
        "\xEF\xAC\x81le \xEF\xBC\xA1\xEF\xBC\xA2\xEF\xBC\xA3 Stra\xC3\x9F" "e",
        "\xC3\x9C" "BERWEISUNG " THUMBS_MED FAMILY FLAG_US "ok",
        "\xD0\x9F\xD0\xA0\xD0\x98\xD0\x92\xD0\x95\xD0\xA2 l" RSQUO "app",
        "\xE9\x85\x8D\xE9\x81\x94\xE3\x81\x8C\xE9\x81\x85\xE3\x81\x84",
        "a" COMB_ACUTE COMB_ACUTE "\xCC\xA3 x\xE1\x84\x80\xE1\x85\xA1 y",
    };
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        round_trip(texts[i], strlen(texts[i]), 0);
        round_trip(texts[i], strlen(texts[i]), VX_NORM_STRIP_ACCENTS);
    }
}
END_TEST

START_TEST(span_and_token_at)
{
    vx_text t;
    vx_text_init(&t);
    analyze(&t, NULL, "ab  cd\xC3\xA9 ef", 0);
    ck_assert_uint_eq(vx_text_token_at(&t, 0), 0);
    ck_assert_uint_eq(vx_text_token_at(&t, 1), 0);
    ck_assert_uint_eq(vx_text_token_at(&t, 2), 1); /* in the gap: next */
    ck_assert_uint_eq(vx_text_token_at(&t, 6), 1); /* inside é */
    ck_assert_uint_eq(vx_text_token_at(&t, 8), 2);
    ck_assert_uint_eq(vx_text_token_at(&t, 11), 3);
    ck_assert_uint_eq(vx_text_token_at(&t, 99), 3);
    size_t os, oe;
    vx_text_span(&t, 4, 8, &os, &oe);
    ck_assert_uint_eq(os, 4);
    ck_assert_uint_eq(oe, 8);
    vx_text_span(&t, 5, 5, &os, &oe); /* empty */
    ck_assert_uint_eq(os, 5);
    ck_assert_uint_eq(oe, 5);
    vx_text_span(&t, t.norm_len, t.norm_len, &os, &oe);
    ck_assert_uint_eq(os, t.orig_len);
    ck_assert_uint_eq(oe, t.orig_len);
    vx_text_span(&t, 0, 1000, &os, &oe); /* clamped */
    ck_assert_uint_eq(oe, t.orig_len);
    /* empty text */
    ck_assert_int_eq(vx_text_analyze(&t, "", 0, NULL, 0), 0);
    ck_assert_uint_eq(t.ntok, 0);
    ck_assert_str_eq(t.norm, "");
    ck_assert_uint_eq(vx_text_token_at(&t, 0), 0);
    vx_text_free(&t);
}
END_TEST

START_TEST(limits_and_errors)
{
    vx_text t;
    vx_text_init(&t);
    char small[4] = "abc";
    /* rejected before a single byte is read */
    ck_assert_int_eq(vx_text_analyze(&t, small, VX_TEXT_MAX + 1, NULL, 0),
                     VOCX_ELIMIT);
    ck_assert_uint_eq(t.ntok, 0);
    ck_assert_uint_eq(t.norm_len, 0);
    ck_assert_ptr_null(vx_text_fold(small, VX_TEXT_MAX + 1, 0, NULL));
    ck_assert_int_eq(vx_text_analyze(NULL, small, 3, NULL, 0), VOCX_EINVAL);
    ck_assert_int_eq(vx_text_analyze(&t, NULL, 3, NULL, 0), VOCX_EINVAL);
    ck_assert_int_eq(vx_text_analyze(&t, NULL, 0, NULL, 0), 0);
    vx_text_free(&t);
    vx_text_free(&t); /* twice is fine */
    vx_text_free(NULL);
}
END_TEST

START_TEST(reuse_across_calls)
{
    vx_lexicon *lx = lex();
    vx_text t;
    vx_text_init(&t);
    char *big = malloc(100001);
    for (size_t i = 0; i < 100000; i++)
        big[i] = "not late. "[i % 10];
    big[100000] = '\0';
    analyze(&t, lx, big, 0);
    ck_assert_uint_eq(t.ntok, 20000);
    ck_assert_uint_eq(t.tok[19999].clause, 9999);
    char *norm = t.norm;
    vx_token *tok = t.tok;
    analyze(&t, lx, "Short one", 0);
    ck_assert_str_eq(joined(&t), "short|one");
    ck_assert_uint_eq(t.tok[1].flags, 0);
    analyze(&t, lx, big, 0);
    /* steady state: the buffers are reused, not reallocated */
    ck_assert_ptr_eq(t.norm, norm);
    ck_assert_ptr_eq(t.tok, tok);
    free(big);
    vx_text_free(&t);
    vx_lexicon_free(lx);
}
END_TEST

/* Characters whose fold is longer than they are, many times over: the
 * buffers must grow on the way (㍻ -> 平成, U+FDFA -> 33 bytes, Ǆ -> dž). */
START_TEST(expanding_text)
{
    static const char *const ch[] = {"\xE3\x8D\xBB", "\xEF\xB7\xBA",
                                     "\xC7\x84", "\xEF\xAC\x83"};
    static const size_t grows[] = {6, 33, 3, 3};
    char *s = malloc(8 + 5000 * 3);
    for (size_t c = 0; c < 4; c++) {
        size_t cl = strlen(ch[c]);
        /* After up to 5 ASCII bytes, every count up to 120 (a fresh text
         * each time, so each meets its buffer's end at another point),
         * and one long run. */
        for (size_t m = 0; m < 6; m++) {
            memset(s, 'x', m);
            for (size_t i = 0; i < 5000; i++)
                memcpy(s + m + i * cl, ch[c], cl);
            for (size_t n = 1; n <= 5000; n = n < 120 ? n + 1 : n + 4880) {
                vx_text t;
                vx_text_init(&t);
                ck_assert_int_eq(vx_text_analyze(&t, s, m + n * cl, NULL, 0),
                                 0);
                ck_assert_uint_eq(t.norm_len, m + n * grows[c]);
                ck_assert_uint_eq(t.omap[t.norm_len - 1], m + (n - 1) * cl);
                ck_assert_uint_eq(t.oend[t.norm_len - 1], m + n * cl);
                vx_text_free(&t);
            }
        }
    }
    free(s);
}
END_TEST

/* Thousands of combining marks on one letter: bounded work, sane map. */
START_TEST(zalgo)
{
    size_t n = 1 + 2 * 20000;
    char *s = malloc(n + 3);
    s[0] = 'a';
    for (size_t i = 1; i < n; i += 2)
        memcpy(s + i, i % 4 == 1 ? COMB_ACUTE : "\xCC\xA3", 2);
    memcpy(s + n, " b", 3);
    vx_text t;
    vx_text_init(&t);
    ck_assert_int_eq(vx_text_analyze(&t, s, n + 2, NULL, 0), 0);
    ck_assert_uint_eq(t.ntok, 2);
    assert_span(&t.tok[0], 0, (uint32_t)n);
    ck_assert_int_eq(vx_text_analyze(&t, s, n + 2, NULL, VX_NORM_STRIP_ACCENTS),
                     0);
    ck_assert_str_eq(t.norm, "a b");
    vx_text_free(&t);
    free(s);
}
END_TEST

/* ---- randomized ---------------------------------------------------- */

static uint64_t rng_next(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static const char *const pieces[] = {
    "the", "LATE", "refund", "not", "no problem", "but", "didn" RSQUO "t",
    " ", " ", " ", ", ", ". ", "\n", "\r\n", "-", "'", "`", "!?", "3.5",
    E_ACUTE, "e" COMB_ACUTE, COMB_ACUTE, "\xCC\xA3", "\xC3\x9F",
    "\xC3\x9C", "\xEF\xAC\x81", "\xEF\xBC\xA1", "\xC2\xBD", "\xE2\x80\xA6",
    ANGRY, THUMBS_MED, FAMILY, FLAG_US, "\xF0\x9F\x8F\xBD", ZWJ,
    "\xEF\xB8\x8F", "\xD0\x9F\xD0\xA0\xD0\x98", "\xD0\xBC\xD0\xB8\xD1\x80",
    "\xE9\x85\x8D", "\xE3\x81\x8C", "\xE1\x84\x80", "\xE1\x85\xA1",
    "\xEA\xB0\x80", "\xD8\x80", "\xC2\xAD", "\xE2\x80\xA8", "\xE3\x80\x82",
    "\xCA\xBC", "\xE2\x80\x8C", "\xEF\xBF\xBD",
    /* invalid */
    "\xFF", "\x80", "\xC3", "\xE2\x82", "\xF0\x9F\x98", "\xC0\xAF",
    "\xED\xA0\x80",
};
#define NPIECES (sizeof pieces / sizeof pieces[0])
#define NVALID (NPIECES - 7)

/* 1 for each offset of s that starts a character as the normalizer reads
 * it (an invalid byte is a character of one byte). */
static void char_starts(const char *s, size_t len, unsigned char *start)
{
    memset(start, 0, len + 1);
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        int n = vx_utf8_decode(s + i, len - i, &cp);
        start[i] = 1;
        i += n ? (size_t)n : 1;
    }
    start[len] = 1;
}

static void check_invariants(const char *s, size_t len, const vx_lexicon *lx,
                             unsigned flags, vx_text *t)
{
    static unsigned char start[4096];
    ck_assert_int_eq(vx_text_analyze(t, s, len, lx, flags), 0);
    char_starts(s, len, start);
    ck_assert_uint_eq(t->orig_len, len);
    ck_assert_uint_eq(t->norm[t->norm_len], 0);
    ck_assert_uint_eq(vx_utf8_check(t->norm, t->norm_len), t->norm_len);
    ck_assert_uint_eq(t->omap[t->norm_len], len);
    for (size_t i = 0; i < t->norm_len; i++) {
        ck_assert_uint_lt(t->omap[i], t->oend[i]);
        ck_assert_uint_le(t->oend[i], len);
        ck_assert(start[t->omap[i]] && start[t->oend[i]]);
        if (i > 0) {
            ck_assert_uint_le(t->omap[i - 1], t->omap[i]);
            ck_assert_uint_le(t->oend[i - 1], t->oend[i]);
        }
    }
    for (size_t k = 0; k < t->ntok; k++) {
        const vx_token *x = &t->tok[k];
        ck_assert_uint_lt(x->nstart, x->nend);
        ck_assert_uint_le(x->nend, t->norm_len);
        ck_assert_uint_lt(x->ostart, x->oend);
        ck_assert_uint_le(x->oend, len);
        ck_assert(start[x->ostart] && start[x->oend]);
        /* tokens never contain invalid bytes */
        ck_assert_uint_eq(vx_utf8_check(s + x->ostart, x->oend - x->ostart),
                          x->oend - x->ostart);
        ck_assert(x->kind == VX_TOK_WORD || x->kind == VX_TOK_SYMBOL);
        if (k > 0) {
            const vx_token *p = &t->tok[k - 1];
            ck_assert_uint_le(p->nend, x->nstart);
            ck_assert_uint_le(p->ostart, x->ostart);
            ck_assert(x->clause == p->clause || x->clause == p->clause + 1);
        } else {
            ck_assert_uint_eq(x->clause, 0);
        }
        /* the round trip, widened to whole original characters (U+00BD
         * "1/2" gives two tokens that both map to the one character) */
        size_t a = x->nstart, b = x->nend, n;
        while (a > 0 && t->omap[a - 1] == x->ostart)
            a--;
        while (b < t->norm_len && t->oend[b] == x->oend)
            b++;
        char *f = vx_text_fold(s + x->ostart, x->oend - x->ostart, flags, &n);
        ck_assert_ptr_nonnull(f);
        ck_assert_msg(n == b - a && memcmp(f, t->norm + a, n) == 0,
                      "round trip of token %zu", k);
        free(f);
    }
}

START_TEST(random_invariants)
{
    vx_lexicon *lx = lex();
    vx_text t;
    vx_text_init(&t);
    uint64_t seed = 12345;
    char buf[2048];
    for (int iter = 0; iter < 3000; iter++) {
        size_t len = 0, np = rng_next(&seed) % 60;
        for (size_t i = 0; i < np; i++) {
            const char *p = pieces[rng_next(&seed) % NPIECES];
            size_t pl = strlen(p);
            memcpy(buf + len, p, pl);
            len += pl;
        }
        check_invariants(buf, len, lx, 0, &t);
        check_invariants(buf, len, lx, VX_NORM_STRIP_ACCENTS, &t);
    }
    vx_text_free(&t);
    vx_lexicon_free(lx);
}
END_TEST

/* Normalizing cluster by cluster (and the ASCII fast path) gives the same
 * text as utf8proc on the whole string, apostrophes and variation
 * selectors (left out) aside. */
static char *reference(const char *s, size_t len, unsigned flags,
                       size_t *out_len)
{
    utf8proc_option_t opt = UTF8PROC_STABLE | UTF8PROC_COMPAT |
                            UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD;
    if (flags & VX_NORM_STRIP_ACCENTS)
        opt |= UTF8PROC_STRIPMARK;
    utf8proc_uint8_t *m = NULL;
    utf8proc_ssize_t n = utf8proc_map((const utf8proc_uint8_t *)s,
                                      (utf8proc_ssize_t)len, &m, opt);
    ck_assert_int_ge(n, 0);
    char *out = malloc((size_t)n + 1);
    size_t o = 0;
    for (utf8proc_ssize_t i = 0; i < n;) {
        uint32_t cp;
        int l = vx_utf8_decode((const char *)m + i, (size_t)(n - i), &cp);
        ck_assert_int_gt(l, 0);
        if (cp == 0x2019 || cp == 0x2018 || cp == 0x02BC || cp == 0x60)
            out[o++] = '\'';
        else if ((cp >= 0xFE00 && cp <= 0xFE0F) ||
                 (cp >= 0xE0100 && cp <= 0xE01EF))
            ; /* a variation selector */
        else {
            memcpy(out + o, m + i, (size_t)l);
            o += (size_t)l;
        }
        i += l;
    }
    out[o] = '\0';
    free(m);
    *out_len = o;
    return out;
}

static int contains(const char *s, size_t len, const char *needle)
{
    size_t n = strlen(needle);
    for (size_t i = 0; i + n <= len; i++)
        if (memcmp(s + i, needle, n) == 0)
            return 1;
    return 0;
}

START_TEST(matches_whole_string_utf8proc)
{
    vx_text t;
    vx_text_init(&t);
    uint64_t seed = 777;
    char buf[2048];
    for (int iter = 0; iter < 3000; iter++) {
        size_t len = 0, np = rng_next(&seed) % 60;
        for (size_t i = 0; i < np; i++) {
            const char *p = pieces[rng_next(&seed) % NVALID];
            size_t pl = strlen(p);
            memcpy(buf + len, p, pl);
            len += pl;
        }
        for (unsigned flags = 0; flags < 2; flags++) {
            /* One known difference: a mark stripped between two conjoining
             * jamo (U+1100 U+0301 U+1161) lets utf8proc compose them when
             * it sees the whole string, but they are separate clusters. */
            if (flags && contains(buf, len, "\xE1\x84\x80"))
                continue;
            size_t rn;
            char *ref = reference(buf, len, flags, &rn);
            ck_assert_int_eq(vx_text_analyze(&t, buf, len, NULL, flags), 0);
            ck_assert_msg(rn == t.norm_len && memcmp(ref, t.norm, rn) == 0,
                          "\"%.*s\": \"%s\" != \"%s\"", (int)len, buf, t.norm,
                          ref);
            free(ref);
        }
    }
    vx_text_free(&t);
}
END_TEST

/* A plain byte-by-byte tokenizer for text made of ASCII and é, written
 * from the rules in docs/rules.md, to check the 64-byte bit-mask
 * tokenizer at every block boundary. */
typedef struct ref_tok {
    size_t a, b;
    uint32_t clause;
} ref_tok;

static int ref_word_at(const char *s, size_t i, size_t n)
{
    if (i >= n)
        return 0;
    unsigned char c = (unsigned char)s[i];
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == 0xC3;
}

static size_t ref_tokenize(const char *s, size_t n, ref_tok *out)
{
    size_t nt = 0, i = 0;
    uint32_t clause = 0;
    int pending = 0;
    while (i < n) {
        if (ref_word_at(s, i, n)) {
            size_t a = i;
            for (;;) {
                if (ref_word_at(s, i, n))
                    i += (unsigned char)s[i] == 0xC3 ? 2 : 1;
                else if (s[i] == '\'' && i > a && ref_word_at(s, i + 1, n))
                    i++;
                else
                    break;
            }
            if (pending && nt > 0)
                clause++;
            pending = 0;
            out[nt++] = (ref_tok){a, i, clause};
            continue;
        }
        char c = s[i];
        if (c == '.' || c == ',') {
            int digits = i > 0 && s[i - 1] >= '0' && s[i - 1] <= '9' &&
                         i + 1 < n && s[i + 1] >= '0' && s[i + 1] <= '9';
            if (!digits)
                pending = 1;
        } else if (c && strchr(";:!?\n\r\v\f", c)) {
            pending = 1;
        }
        i++;
    }
    return nt;
}

START_TEST(mask_tokenizer_matches_reference)
{
    static const char *const bits[] = {
        "a", "b", "z", "0", "9", " ", " ", "'", ".", ",", "!", "-", "\n",
        "\xC3\xA9", "x'y", "1.5", "3,000", "  ", "?", "\t", "$", "\"",
    };
    vx_text t;
    vx_text_init(&t);
    uint64_t seed = 4242;
    static char buf[1024];
    static ref_tok want[1024];
    for (int iter = 0; iter < 20000; iter++) {
        size_t len = 0, np = 1 + rng_next(&seed) % 300;
        for (size_t i = 0; i < np && len < sizeof buf - 8; i++) {
            const char *p =
                bits[rng_next(&seed) % (sizeof bits / sizeof *bits)];
            memcpy(buf + len, p, strlen(p));
            len += strlen(p);
        }
        /* long words across block boundaries now and then */
        if (iter % 7 == 0 && len > 72) {
            memset(buf + 50, 'w', 20);
            if ((unsigned char)buf[49] == 0xC3) /* not half an é */
                buf[49] = 'w';
            if ((unsigned char)buf[70] == 0xA9)
                buf[70] = 'w';
        }
        size_t nw = ref_tokenize(buf, len, want);
        ck_assert_int_eq(vx_text_analyze(&t, buf, len, NULL, 0), 0);
        ck_assert_uint_eq(t.norm_len, len); /* folding changes nothing */
        ck_assert_msg(t.ntok == nw, "\"%.*s\": %zu tokens, want %zu",
                      (int)len, buf, t.ntok, nw);
        for (size_t k = 0; k < nw; k++) {
            ck_assert_msg(t.tok[k].nstart == want[k].a &&
                              t.tok[k].nend == want[k].b &&
                              t.tok[k].clause == want[k].clause,
                          "\"%.*s\" token %zu: [%u,%u) clause %u, want "
                          "[%zu,%zu) clause %u",
                          (int)len, buf, k, t.tok[k].nstart, t.tok[k].nend,
                          t.tok[k].clause, want[k].a, want[k].b,
                          want[k].clause);
        }
    }
    vx_text_free(&t);
}
END_TEST

/* The shortcuts that avoid utf8proc calls (grapheme breaks before Latin,
 * Greek and Cyrillic letters; letter ranges; the per-text fold cache)
 * agree with utf8proc's own data, for every character below U+0800. */
START_TEST(fast_paths_agree)
{
    static const char *const after[] = {"b", COMB_ACUTE, "\xD2\x83",
                                        "\xD6\xB0", "\xE2\x80\x8D", ""};
    vx_text t, fresh;
    vx_text_init(&t);
    vx_text_init(&fresh);
    char buf[64];
    for (uint32_t cp = 0x80; cp < 0x800; cp++) {
        char u[4];
        int n = vx_utf8_encode(cp, u);
        for (size_t f = 0; f < sizeof after / sizeof *after; f++) {
            for (unsigned flags = 0; flags < 2; flags++) {
                size_t len = 0;
                buf[len++] = 'a';
                memcpy(buf + len, u, (size_t)n);
                len += (size_t)n;
                memcpy(buf + len, after[f], strlen(after[f]));
                len += strlen(after[f]);
                memcpy(buf + len, u, (size_t)n); /* twice: from the cache */
                len += (size_t)n;
                buf[len++] = 'z';
                size_t rn;
                char *ref = reference(buf, len, flags, &rn);
                ck_assert_int_eq(vx_text_analyze(&t, buf, len, NULL, flags),
                                 0);
                ck_assert_msg(rn == t.norm_len && memcmp(ref, t.norm, rn) == 0,
                              "U+%04X + \"%s\" flags %u", cp, after[f], flags);
                /* a fresh text (empty cache) gives the same tokens */
                ck_assert_int_eq(
                    vx_text_analyze(&fresh, buf, len, NULL, flags), 0);
                ck_assert_uint_eq(fresh.ntok, t.ntok);
                for (size_t k = 0; k < t.ntok; k++) {
                    ck_assert_uint_eq(fresh.tok[k].nstart, t.tok[k].nstart);
                    ck_assert_uint_eq(fresh.tok[k].nend, t.tok[k].nend);
                    ck_assert_uint_eq(fresh.tok[k].kind, t.tok[k].kind);
                }
                vx_text_free(&fresh);
                free(ref);
            }
        }
        /* the character alone, between spaces: a word exactly when its
         * fold starts with a letter or digit */
        size_t len = 0;
        buf[len++] = ' ';
        memcpy(buf + len, u, (size_t)n);
        len += (size_t)n;
        buf[len++] = ' ';
        ck_assert_int_eq(vx_text_analyze(&t, buf, len, NULL, 0), 0);
        if (t.norm_len > 2) {
            uint32_t c2;
            vx_utf8_decode(t.norm + 1, t.norm_len - 1, &c2);
            int cat = utf8proc_category((utf8proc_int32_t)c2);
            int word =
                cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_NO &&
                !(cat >= UTF8PROC_CATEGORY_MN && cat <= UTF8PROC_CATEGORY_ME);
            ck_assert_msg(word == (t.ntok > 0 && t.tok[0].kind == VX_TOK_WORD &&
                                   t.tok[0].nstart == 1),
                          "U+%04X", cp);
        }
    }
    vx_text_free(&t);
}
END_TEST

/* Many user words (the fast table grows and rehashes), long words that
 * share their first 8 bytes, and words that are not there. */
START_TEST(lexicon_many_words)
{
    vx_lexicon *lx = lex();
    char w[64];
    for (int i = 0; i < 3000; i++) {
        int n = snprintf(w, sizeof w, "neg%d", i * 7);
        ck_assert_int_eq(vx_lexicon_add_negator(lx, w, (size_t)n), 0);
    }
    ck_assert_int_eq(vx_lexicon_add_contrast(lx, "longwordsharing1", 16), 0);
    vx_text t;
    vx_text_init(&t);
    for (int i = 0; i < 3000 * 7; i++) {
        int n = snprintf(w, sizeof w, "neg%d x", i);
        ck_assert_int_eq(vx_text_analyze(&t, w, (size_t)n, lx, 0), 0);
        ck_assert_msg(((t.tok[0].flags & VX_TF_NEGATOR) != 0) == (i % 7 == 0),
                      "%s", w);
    }
    analyze(&t, lx, "a longwordsharing2 b longwordsharing1 c", 0);
    ck_assert_uint_eq(flags_of(&t, "longwordsharing2"), 0);
    ck_assert(flags_of(&t, "longwordsharing1") & VX_TF_CONTRAST);
    ck_assert_uint_eq(t.tok[4].clause, 1);
    /* a long built-in word (14 bytes of Cyrillic) */
    /* НИКОГДА x */
    analyze(&t, lx,
            "\xD0\x9D\xD0\x98\xD0\x9A\xD0\x9E\xD0\x93\xD0\x94\xD0\x90 x", 0);
    ck_assert(t.tok[0].flags & VX_TF_NEGATOR);
    ck_assert(NEGATED(&t, "x"));
    vx_text_free(&t);
    vx_lexicon_free(lx);
}
END_TEST

/* ---- fast paths against the general ones ---------------------------- */

static const char *const ascii_pieces[] = {
    "the", "LATE", "Refund", "not", "didn't", "DON'T", "isn`t", "no problem",
    "nothing but", "not only", "but", "However", "yet", "and", "i", "it's",
    "we", "and i", "or we", "o'clock", "rock'n'roll", "'quoted'", "x'",
    "'y", "3.5", "1,000", "3.", ",5", "12:30", "a.b", "x,y", "v2.0.1",
    " ", " ", " ", "  ", ", ", ". ", "; ", "!?", "...", "\n", "\r\n", "\t",
    "-", "--", "(", ")", "\"", "/", "@", "#", "[EMAIL]", "[PHONE]", "[x]",
    "`", "'", "''", "abcdefghijklmnop", "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456",
    "never", "nobody", "without", "cannot", "can't", "won't", "aint"};

static void same_token(const vx_token *a, const vx_token *b, const char *text,
                       size_t k)
{
    ck_assert_msg(a->nstart == b->nstart && a->nend == b->nend &&
                      a->ostart == b->ostart && a->oend == b->oend &&
                      a->clause == b->clause && a->kind == b->kind &&
                      a->flags == b->flags,
                  "\"%s\" token %zu: [%u,%u) o[%u,%u) c%u k%u f%u, general "
                  "path [%u,%u) o[%u,%u) c%u k%u f%u",
                  text, k, a->nstart, a->nend, a->ostart, a->oend, a->clause,
                  a->kind, a->flags, b->nstart, b->nend, b->ostart, b->oend,
                  b->clause, b->kind, b->flags);
}

/* An all-ASCII text is normalized and tokenized in one run each.  The
 * same text with " ж" after it takes the general path (runs found by
 * scanning, the last byte through utf8proc), and must give the same
 * bytes, map and tokens for the ASCII part; the map is the identity.
 * Lengths cross the 8-, 16-, 32- and 64-byte blocks. */
START_TEST(ascii_text_matches_general_path)
{
    vx_lexicon *lx = lex();
    vx_text a, b;
    vx_text_init(&a);
    vx_text_init(&b);
    uint64_t seed = 77;
    static char buf[1200];
    size_t np = sizeof ascii_pieces / sizeof *ascii_pieces;
    for (int iter = 0; iter < 20000; iter++) {
        size_t len = 0;
        if (iter % 3 == 0) { /* a word or run ending near a block edge */
            static const size_t edge[] = {1, 6, 7, 8, 9, 14, 15, 16, 17, 30,
                                          31, 32, 33, 62, 63, 64, 65, 127,
                                          128, 129};
            size_t m = edge[rng_next(&seed) % (sizeof edge / sizeof *edge)];
            memset(buf, iter % 2 ? 'W' : '5', m);
            len = m;
        }
        size_t n = rng_next(&seed) % 40;
        for (size_t i = 0; i < n && len < 1000; i++) {
            const char *p = ascii_pieces[rng_next(&seed) % np];
            memcpy(buf + len, p, strlen(p));
            len += strlen(p);
        }
        buf[len] = '\0';
        unsigned flags = iter % 5 == 0 ? VX_NORM_STRIP_ACCENTS : 0;
        ck_assert_int_eq(vx_text_analyze(&a, buf, len, lx, flags), 0);
        memcpy(buf + len, " \xD0\xB6", 3); /* " ж": no fold changes it */
        ck_assert_int_eq(vx_text_analyze(&b, buf, len + 3, lx, flags), 0);
        buf[len] = '\0';
        ck_assert_uint_eq(a.norm_len, len);
        ck_assert_uint_eq(b.norm_len, len + 3);
        for (size_t i = 0; i < len; i++) {
            unsigned char c = (unsigned char)buf[i];
            char want = c == '`' ? '\'' : c >= 'A' && c <= 'Z' ? c + 32 : c;
            ck_assert_msg(a.norm[i] == want && b.norm[i] == want &&
                              a.omap[i] == i && a.oend[i] == i + 1 &&
                              b.omap[i] == i && b.oend[i] == i + 1,
                          "\"%s\" byte %zu", buf, i);
        }
        ck_assert_uint_eq(a.norm[len], 0);
        ck_assert_uint_eq(a.omap[len], len);
        ck_assert_msg(b.ntok == a.ntok + 1, "\"%s\": %zu tokens, general %zu",
                      buf, a.ntok, b.ntok);
        for (size_t k = 0; k < a.ntok; k++)
            same_token(&a.tok[k], &b.tok[k], buf, k);
    }
    vx_text_free(&a);
    vx_text_free(&b);
    vx_lexicon_free(lx);
}
END_TEST

/* The last ASCII byte before a non-ASCII one may take a combining mark:
 * the one-pass ASCII copy must stop before it wherever it falls in a
 * block, and must not stop early before an ASCII byte. */
START_TEST(ascii_run_stops_before_combining_mark)
{
    vx_text t;
    vx_text_init(&t);
    char buf[200], want[200];
    for (size_t m = 0; m < 70; m++) {
        for (size_t p = 0; p < 20; p += 3) {
            memset(buf, 'X', m);
            memcpy(buf + m, "e" COMB_ACUTE, 3);
            memset(buf + m + 3, 'y', p);
            size_t len = m + 3 + p;
            ck_assert_int_eq(vx_text_analyze(&t, buf, len, NULL, 0), 0);
            memset(want, 'x', m);
            memcpy(want + m, E_ACUTE, 2);
            memset(want + m + 2, 'y', p);
            ck_assert_uint_eq(t.norm_len, len - 1);
            ck_assert(memcmp(t.norm, want, len - 1) == 0);
            for (size_t i = 0; i < m; i++)
                ck_assert(t.omap[i] == i && t.oend[i] == i + 1);
            /* é maps to e + U+0301 */
            ck_assert(t.omap[m] == m && t.omap[m + 1] == m);
            ck_assert(t.oend[m] == m + 3 && t.oend[m + 1] == m + 3);
            for (size_t i = 0; i < p; i++)
                ck_assert(t.omap[m + 2 + i] == m + 3 + i &&
                          t.oend[m + 2 + i] == m + 4 + i);
            ck_assert_uint_eq(t.ntok, 1); /* one word */
            assert_span(&t.tok[0], 0, (uint32_t)len);
        }
    }
    vx_text_free(&t);
}
END_TEST

/* Reference lexicon flags of every token of t: the exact table and the
 * n't rule. */
static void lex_reference(const vx_lexicon *lx, unsigned flags,
                          const vx_text *t, uint8_t *out)
{
    for (size_t k = 0; k < t->ntok; k++) {
        const char *w = t->norm + t->tok[k].nstart;
        size_t n = t->tok[k].nend - t->tok[k].nstart;
        unsigned f = vx_lexicon_lookup(lx, flags, w, n);
        if (n >= 3 && memcmp(w + n - 3, "n't", 3) == 0)
            f |= VX_LEX_NEGATOR;
        out[k] = (uint8_t)f;
    }
}

/* The one-probe table (sealed) and the cuckoo table (after an add) give
 * what the exact table gives, for list words, long words sharing their
 * first 8 bytes, near misses and n't, with and without accents. */
START_TEST(lexicon_sealed_matches_exact)
{
    static const char *const words[] = {
        "no", "not", "nothing", "never", "didnt", "didn't", "don't", "n't",
        "nt", "t", "'t", "but", "however", "and", "i", "i'm", "it's", "its",
        "my", "this", "that", "now", "problem", "problems", "only",
        "cependant", "cependan", "cependants", "cependantx", "однако",
        "никогда", "НИКОГДА", "não", "nao", "ningún", "ningun", "porém",
        "porem", "kein", "keine", "keinem", "zzq", "zzqq", "wasn't", "x",
        "nothingness", "nobody", "nobodyy", "longwordsharing1",
        "longwordsharing2", "😡", "the", "refund", "3", "3.5"};
    vx_lexicon *sealed = lex(), *cuckoo = lex();
    /* the same words in both; only `sealed` gets its one-probe table */
    ck_assert_int_eq(vx_lexicon_add_negator(sealed, "zzq", 3), 0);
    ck_assert_int_eq(vx_lexicon_add_negator(cuckoo, "zzq", 3), 0);
    ck_assert_int_eq(vx_lexicon_add_contrast(sealed, "longwordsharing1", 16),
                     0);
    ck_assert_int_eq(vx_lexicon_add_contrast(cuckoo, "longwordsharing1", 16),
                     0);
    ck_assert_int_eq(vx_lexicon_seal(sealed), 0);
    /* many words: more than the one-probe table takes, sealed anyway */
    vx_lexicon *many = lex();
    char w[32];
    for (int i = 0; i < 400; i++) {
        int n = snprintf(w, sizeof w, "neg%d", i);
        ck_assert_int_eq(vx_lexicon_add_negator(many, w, (size_t)n), 0);
    }
    ck_assert_int_eq(vx_lexicon_seal(many), 0);
    vx_text t;
    vx_text_init(&t);
    uint64_t seed = 5;
    char buf[1024];
    uint8_t got[3][256], want[3][256];
    const vx_lexicon *lxs[3] = {sealed, cuckoo, many};
    size_t nw = sizeof words / sizeof *words;
    for (int iter = 0; iter < 3000; iter++) {
        size_t len = 0, n = 1 + rng_next(&seed) % 30;
        for (size_t i = 0; i < n; i++) {
            const char *x = words[rng_next(&seed) % nw];
            if (iter % 4 == 0 && i % 3 == 0) { /* in `many` or not */
                snprintf(w, sizeof w, "neg%d", (int)(rng_next(&seed) % 500));
                x = w;
            }
            size_t l = strlen(x);
            memcpy(buf + len, x, l);
            len += l;
            buf[len++] = ' ';
        }
        unsigned flags = iter % 2 ? VX_NORM_STRIP_ACCENTS : 0;
        ck_assert_int_eq(vx_text_analyze(&t, buf, len, NULL, flags), 0);
        ck_assert_uint_le(t.ntok, 256);
        for (int k = 0; k < 3; k++) {
            unsigned all = vx_lexicon_classify(lxs[k], flags, &t, got[k]);
            lex_reference(lxs[k], flags, &t, want[k]);
            unsigned wall = 0;
            for (size_t j = 0; j < t.ntok; j++) {
                ck_assert_msg(got[k][j] == want[k][j],
                              "lexicon %d, \"%.*s\" token %zu: %u, want %u", k,
                              (int)len, buf, j, got[k][j], want[k][j]);
                wall |= want[k][j];
            }
            ck_assert_uint_eq(all, wall);
        }
        /* the two with the same words agree */
        ck_assert(memcmp(got[0], got[1], t.ntok) == 0);
    }
    vx_text_free(&t);
    vx_lexicon_free(sealed);
    vx_lexicon_free(cuckoo);
    vx_lexicon_free(many);
}
END_TEST


static Suite *text_suite(void)
{
    Suite *s = suite_create("text");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, ascii_fold_identity_map);
    tcase_add_test(tc, precomposed_and_combining);
    tcase_add_test(tc, case_folding);
    tcase_add_test(tc, ligature_expands);
    tcase_add_test(tc, full_width);
    tcase_add_test(tc, strip_accents_only_with_flag);
    tcase_add_test(tc, apostrophes_unified);
    tcase_add_test(tc, cyrillic_words);
    tcase_add_test(tc, emoji_symbols);
    tcase_add_test(tc, separators_and_words);
    tcase_add_test(tc, invalid_utf8);
    tcase_add_test(tc, clause_boundaries);
    tcase_add_test(tc, negation_scope);
    tcase_add_test(tc, negation_window);
    tcase_add_test(tc, pseudo_negation);
    tcase_add_test(tc, contrast_after_negator);
    tcase_add_test(tc, negators_folded_and_multilingual);
    tcase_add_test(tc, lexicon_extension);
    tcase_add_test(tc, fold_matches_analyze);
    tcase_add_test(tc, round_trip_tokens);
    tcase_add_test(tc, span_and_token_at);
    tcase_add_test(tc, limits_and_errors);
    tcase_add_test(tc, reuse_across_calls);
    tcase_add_test(tc, zalgo);
    tcase_add_test(tc, expanding_text);
    tcase_add_test(tc, random_invariants);
    tcase_add_test(tc, matches_whole_string_utf8proc);
    tcase_add_test(tc, mask_tokenizer_matches_reference);
    tcase_add_test(tc, fast_paths_agree);
    tcase_add_test(tc, lexicon_many_words);
    tcase_add_test(tc, ascii_text_matches_general_path);
    tcase_add_test(tc, ascii_run_stops_before_combining_mark);
    tcase_add_test(tc, lexicon_sealed_matches_exact);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(text_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
