/*
 * Text analysis for matching: Unicode normalization (NFKC + case folding,
 * optionally without accents) with a map back to original byte offsets,
 * word tokenization by Unicode categories, clause boundaries and negation
 * scope.  See docs/rules.md ("Expressions", "Negation and contrast") for
 * the behaviour this implements.
 *
 * A vx_text is per-thread scratch: reused across comments, never shared.
 * A vx_lexicon is immutable once built and may be shared by any number of
 * threads.  Internal header: not installed.
 *
 * The rules, in short (lib/text.c has the reasons):
 *  - Normalization is NFKC + full case folding (+ removal of marks with
 *    VX_NORM_STRIP_ACCENTS), one grapheme cluster at a time, with the
 *    apostrophes U+2019 U+2018 U+02BC U+FF07 U+0060 made '.  Every byte of
 *    a cluster's output maps to the whole cluster: "e" + U+0301 -> "é"
 *    maps to both code points, U+FB01 -> "fi" to the ligature, U+00BD ->
 *    "1/2" (two tokens) to the one character.  A cluster longer than 32
 *    code points is normalized in pieces of 32.
 *  - A word is a run of letters, digits and marks (a mark does not start
 *    one), with ZWNJ/ZWJ and with an apostrophe between two word
 *    characters.  Each CJK ideograph is a word of its own.  Each symbol
 *    (category So) with the rest of its grapheme cluster (skin tone,
 *    variation selector, ZWJ sequence, flag pair) is one VX_TOK_SYMBOL.
 *    Everything else separates.
 *  - A clause ends at . , ; : ! ? (not '.' or ',' between two digits),
 *    line breaks (LF VT FF CR NEL U+2028 U+2029), 。 、 ¡ ¿ and Arabic and
 *    Devanagari stops; runs count once.  A contrast word starts a new
 *    clause, except right after a negator ("not yet").
 *  - A negator (lexicon word, or ending in n't) marks the next
 *    VX_NEGATION_WINDOW tokens of its clause (symbols count) NEGATED.  In
 *    a pseudo-negation phrase the first word is PSEUDO only (no negator),
 *    the others PSEUDO|NEGATED, and no word of it plays another role
 *    ("nothing but": no contrast).  Lexicon words match folded tokens.
 */
#ifndef VX_TEXT_H
#define VX_TEXT_H

#include <stddef.h>
#include <stdint.h>

/* Token kinds. */
#define VX_TOK_WORD 1   /* letters/digits/marks, inner apostrophes kept */
#define VX_TOK_SYMBOL 2 /* one emoji or other symbol (category So) */

/* Token flags. */
#define VX_TF_NEGATOR 0x01  /* this token negates what follows */
#define VX_TF_CONTRAST 0x02 /* contrast word: starts a new clause */
#define VX_TF_NEGATED 0x04  /* inside a negation scope */
#define VX_TF_PSEUDO 0x08   /* part of a pseudo-negation phrase */

typedef struct vx_token {
    uint32_t nstart, nend; /* byte range in the normalized text */
    uint32_t ostart, oend; /* byte range in the original text */
    uint32_t clause;       /* clause number, from 0 */
    uint16_t kind;         /* VX_TOK_* */
    uint16_t flags;        /* VX_TF_* */
} vx_token;

/* Words that drive negation scope; built from the defaults plus a rule
 * file's `negators` / `contrast` lines. */
typedef struct vx_lexicon vx_lexicon;

/* A lexicon with the built-in lists (docs/rules.md). */
int vx_lexicon_new(vx_lexicon **out);
/* Add a negator / contrast word / pseudo-negation phrase (normalized by
 * the caller with vx_text_fold; folding again here is harmless).  The word
 * is entered both with and without accents, so one lexicon serves both
 * VX_NORM_STRIP_ACCENTS settings.  A phrase is split into words like
 * comment text ("no  problem" == "no-problem" == "no problem").  Returns 0,
 * VOCX_ENOMEM, or VOCX_EINVAL (NULL lexicon, invalid UTF-8).  After
 * VOCX_ENOMEM the lexicon may lack the word (it is still safe to free). */
int vx_lexicon_add_negator(vx_lexicon *lx, const char *word, size_t len);
int vx_lexicon_add_contrast(vx_lexicon *lx, const char *word, size_t len);
int vx_lexicon_add_pseudo(vx_lexicon *lx, const char *phrase, size_t len);
void vx_lexicon_free(vx_lexicon *lx); /* NULL is a no-op */
/* Build the one-probe word tables once every word is in (vx_lexicon_new
 * does; call again after adding words).  Optional: lookups give the same
 * flags without it, a little slower.  Returns 0, VOCX_ENOMEM (the lexicon
 * is still valid), or VOCX_EINVAL (NULL). */
int vx_lexicon_seal(vx_lexicon *lx);

/* Lookups used by the tokenizer (thread-safe: the lexicon is read only).
 * vx_lexicon_lookup returns VX_LEX_* flags for one folded word under the
 * given VX_NORM_* flags, 0 for an ordinary word.  Words ending in n't are
 * negators by rule (vx_lexicon_classify), not through this table. */
#define VX_LEX_NEGATOR 0x1
#define VX_LEX_CONTRAST 0x2
#define VX_LEX_PSEUDO_FIRST 0x4 /* first word of a pseudo-negation phrase */
#define VX_LEX_PHRASE 0x8       /* a whole pseudo-negation phrase */
#define VX_LEX_PSEUDO_NEXT 0x10 /* a later word of a pseudo-negation phrase */
#define VX_LEX_PSEUDO_ALONE 0x20 /* a one-word pseudo-negation "phrase" */
#define VX_LEX_CONJ 0x40    /* "and", "or"...: may start a new clause */
#define VX_LEX_SUBJECT 0x80 /* "i", "we", "it"...: a new subject */
unsigned vx_lexicon_lookup(const vx_lexicon *lx, unsigned norm_flags,
                           const char *w, size_t n);
/* VX_LEX_PHRASE when the words norm[tok[i].nstart, tok[i].nend), i < ntok,
 * joined by single spaces, are a pseudo-negation phrase; else 0. */
unsigned vx_lexicon_lookup_phrase(const vx_lexicon *lx, unsigned norm_flags,
                                  const char *norm,
                                  const vx_token *tok, size_t ntok);
/* Words in the longest pseudo-negation phrase. */
size_t vx_lexicon_phrase_words(const vx_lexicon *lx, unsigned norm_flags);

#define VX_NORM_STRIP_ACCENTS 0x1 /* café == cafe */
#define VX_NEGATION_WINDOW 8      /* words a negator reaches */
/* Longest text vx_text_analyze accepts (offsets are uint32_t); the
 * normalized text must also stay below 4 GiB. */
#define VX_TEXT_MAX ((size_t)1 << 31)

typedef struct vx_text {
    /* normalized text, NUL-terminated (and followed by 64 more zero
     * bytes); valid until the next analyze */
    char *norm;
    size_t norm_len, norm_cap;
    /* omap[i]: original offset of the character that produced normalized
     * byte i; omap[norm_len] = original length.  Original span of normalized
     * [a, b) is [omap[a], oend_of(b - 1)); use vx_text_span(). */
    uint32_t *omap;
    uint32_t *oend; /* oend[i]: original end offset of that character */
    size_t map_cap;
    vx_token *tok;
    size_t ntok, tok_cap;
    size_t orig_len;
    /* scratch for vx_text_analyze, not meaningful to callers: VX_LEX_*
     * flags per token (tok_cap entries), folds of recent characters */
    uint8_t *lexf;
    struct vx_fold_cache *cache;
} vx_text;

void vx_text_init(vx_text *t);
void vx_text_free(vx_text *t);

/* Normalize, tokenize and mark clauses and negation for `orig` (valid
 * UTF-8; invalid bytes are treated as separators, never read past len).
 * Each invalid byte becomes U+FFFD in the normalized text, mapped to that
 * byte; U+FFFD is never part of a token.  `lx` may be NULL: then no token
 * is a negator, contrast word or pseudo phrase.  Returns 0, VOCX_ENOMEM,
 * VOCX_ELIMIT (text over VX_TEXT_MAX, or normalized text over 4 GiB), or
 * VOCX_EINVAL (NULL t, or NULL orig with len > 0).  On error the text is
 * left empty (norm_len == 0, ntok == 0). */
int vx_text_analyze(vx_text *t, const char *orig, size_t len,
                    const vx_lexicon *lx, unsigned flags);

/* Map a normalized byte range [a, b) to the original text. */
void vx_text_span(const vx_text *t, size_t a, size_t b, size_t *ostart,
                  size_t *oend);

/* Index of the token containing normalized byte `off`, or of the first
 * token after it; t->ntok when none. */
size_t vx_text_token_at(const vx_text *t, size_t off);

/* Normalize a rule word or phrase the same way as comment text (NFKC,
 * case fold, optional accent stripping, apostrophes unified) into a newly
 * malloc'd NUL-terminated string.  Returns NULL on bad UTF-8 or no
 * memory. */
char *vx_text_fold(const char *s, size_t len, unsigned flags, size_t *out_len);

/* For vx_text_analyze: VX_LEX_* flags of every token of `t` into out[0,
 * t->ntok), words ending in n't counted as negators (lx may be NULL for
 * that alone); returns the union of the flags.  Reads up to 8 bytes from
 * each token's start, so `t` must come from vx_text_analyze (its
 * normalized text has zeroed slack). */
unsigned vx_lexicon_classify(const vx_lexicon *lx, unsigned norm_flags,
                             const vx_text *t, uint8_t *out);

#endif
