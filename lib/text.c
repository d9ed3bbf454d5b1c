/*
 * Text analysis: normalization with a map back to the original bytes,
 * tokenization, clauses and negation scope.  See text.h for the interface
 * and docs/rules.md ("Expressions", "Negation and contrast") for the
 * behaviour.
 *
 * Three passes over one comment, all on buffers reused across calls (no
 * allocation once they have grown to the largest comment):
 *  1. normalize: NFKC + case fold (+ accent stripping) into t->norm, with
 *     omap/oend giving each normalized byte's original character.  ASCII
 *     runs take a fast path (16 or 8 bytes at a time, found and copied in
 *     one pass); other text goes through utf8proc one grapheme cluster at
 *     a time;
 *  2. tokenize t->norm into words and symbols, numbering clauses at
 *     punctuation.  ASCII runs are cut with 64-bit masks, 64 bytes at a
 *     time (a text that was all ASCII is one run, not searched for);
 *     other text character by character;
 *  3. look every word up in the lexicon (vx_lexicon_classify), then mark
 *     negators, contrast words and pseudo-negation phrases, renumber
 *     clauses at contrast words and mark negation scope.
 * Speed comes from keeping branches that depend on the text out of the
 * per-byte and per-word paths: on real comments those branches are
 * mispredicted so often that they, not the work, set the pace
 * (bench/bench_text.c).
 */
#include "text.h"
#include "utf8.h"
#include "vocx.h"

#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>
#if defined(__SSE2__) && !defined(VX_TEXT_NO_SIMD)
#include <emmintrin.h>
#endif

/* Longest run of code points normalized as one unit.  Grapheme clusters
 * are far shorter in real text; the cap bounds work and stack space on
 * hostile input ("Zalgo" text with thousands of combining marks, which
 * utf8proc would reorder in quadratic time).  UAX #15's stream-safe
 * format makes the same cut at 30 non-starters. */
#define CLUSTER_MAX 32
/* No code point decomposes into more than 18 (U+FDFA, with compatibility
 * mappings and case folding), so CLUSTER_MAX * 18 always fits. */
#define DECOMP_MAX (CLUSTER_MAX * 18)

#define REPLACEMENT 0xFFFD

/* Zeroed bytes kept after the normalized text, so the tokenizer can read
 * whole 64-byte blocks without a bounds check per byte. */
#define TOKENIZE_SLACK 64

/* ---- ASCII tables -------------------------------------------------- */

/* NFKC + case folding of an ASCII byte is ASCII lower-casing; the grave
 * accent is unified with the apostrophe like the curly quotes are. */
static const unsigned char ascii_fold[128] = {
    0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
    0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f,
    0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17,
    0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f,
    0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27,
    0x28, 0x29, 0x2a, 0x2b, 0x2c, 0x2d, 0x2e, 0x2f,
    0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37,
    0x38, 0x39, 0x3a, 0x3b, 0x3c, 0x3d, 0x3e, 0x3f,
    0x40, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67,
    0x68, 0x69, 0x6a, 0x6b, 0x6c, 0x6d, 0x6e, 0x6f,
    0x70, 0x71, 0x72, 0x73, 0x74, 0x75, 0x76, 0x77,
    0x78, 0x79, 0x7a, 0x5b, 0x5c, 0x5d, 0x5e, 0x5f,
    0x27, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67,
    0x68, 0x69, 0x6a, 0x6b, 0x6c, 0x6d, 0x6e, 0x6f,
    0x70, 0x71, 0x72, 0x73, 0x74, 0x75, 0x76, 0x77,
    0x78, 0x79, 0x7a, 0x7b, 0x7c, 0x7d, 0x7e, 0x7f,
};

/* Tokenizer classes of ASCII bytes in normalized text. */
enum { S = 0, W, Q, D, B };
/* S separator, W word character, Q apostrophe, B clause break, D '.' or
 * ',' (a clause break unless between two digits: 3.5, 1,000) */
static const unsigned char ascii_cls[128] = {
    S, S, S, S, S, S, S, S, S, S, B, B, B, B, S, S,
    S, S, S, S, S, S, S, S, S, S, S, S, S, S, S, S,
    S, B, S, S, S, S, S, Q, S, S, S, S, D, S, D, S,
    W, W, W, W, W, W, W, W, W, W, B, B, S, S, S, B,
    S, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W,
    W, W, W, W, W, W, W, W, W, W, W, S, S, S, S, S,
    S, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W,
    W, W, W, W, W, W, W, W, W, W, W, S, S, S, S, S,
};

#define ONES 0x0101010101010101ULL
#define HIGH 0x8080808080808080ULL

/* Lower-case eight ASCII bytes at once and map '`' to '\''.  No byte is
 * >= 0x80, so the additions cannot carry into the next byte. */
static uint64_t fold8(uint64_t w)
{
    uint64_t ge_a = w + ONES * (0x80 - 'A');
    uint64_t gt_z = w + ONES * (0x80 - 'Z' - 1);
    w |= ((ge_a & ~gt_z) & HIGH) >> 2; /* 0x80 >> 2 == 0x20 */
    uint64_t x = w ^ (ONES * '`');
    uint64_t zero = ~(((x & ~HIGH) + ~HIGH) | x | ~HIGH);
    if (zero)
        w ^= (zero >> 7) * ('`' ^ '\''); /* 0x01 per grave accent byte */
    return w;
}

/* ---- buffers ------------------------------------------------------- */

void vx_text_init(vx_text *t) { memset(t, 0, sizeof *t); }

void vx_text_free(vx_text *t)
{
    if (!t)
        return;
    free(t->norm);
    free(t->omap);
    free(t->oend);
    free(t->tok);
    free(t->lexf);
    free(t->cache);
    vx_text_init(t);
}

/* Room for `extra` more normalized bytes plus the terminator (and the
 * omap/oend entry at norm_len).  Doubles, so growth is amortized. */
static int reserve(vx_text *t, size_t extra)
{
    size_t need = t->norm_len + extra + 1;
    if (need <= t->norm_cap && need <= t->map_cap)
        return 0;
    if (extra > (size_t)UINT32_MAX - 1 - t->norm_len)
        return VOCX_ELIMIT; /* token offsets are uint32_t */
    size_t cap = t->norm_cap > t->map_cap ? t->norm_cap : t->map_cap;
    cap = cap * 2 > need ? cap * 2 : need;
    if (cap < 256)
        cap = 256;
    if (cap > (size_t)UINT32_MAX)
        cap = need;
    if (cap > SIZE_MAX / sizeof(uint32_t))
        return VOCX_ENOMEM;
    if (t->norm_cap < cap) {
        char *p = realloc(t->norm, cap);
        if (!p)
            return VOCX_ENOMEM;
        t->norm = p;
        t->norm_cap = cap;
    }
    if (t->map_cap < cap) {
        uint32_t *a = realloc(t->omap, cap * sizeof *a);
        if (!a)
            return VOCX_ENOMEM;
        t->omap = a;
        uint32_t *e = realloc(t->oend, cap * sizeof *e);
        if (!e)
            return VOCX_ENOMEM; /* omap is bigger already: harmless */
        t->oend = e;
        t->map_cap = cap;
    }
    return 0;
}

/* ---- 1. normalization ---------------------------------------------- */

/* End of the ASCII run that starts at i: the first byte >= 0x80, or len. */
static size_t ascii_run_end(const unsigned char *b, size_t i, size_t len)
{
    while (len - i >= 8) {
        uint64_t w;
        memcpy(&w, b + i, 8);
        if (w & HIGH)
            break;
        i += 8;
    }
    while (i < len && b[i] < 0x80)
        i++;
    return i;
}

#if defined(__GNUC__)
/* GCC/Clang vector extensions: the map entries go out 4 at a time (SSE2
 * on x86-64, NEON on arm64, plain code elsewhere).  Left to itself the
 * compiler writes them one by one at -O2, and that was a third of the
 * normalization time. */
typedef uint32_t v4u32 __attribute__((vector_size(16)));
#endif

/* Store 8 folded bytes w whose first has original offset o, each mapped
 * to itself. */
static inline void ascii_copy8(char *dst, uint32_t *om, uint32_t *oe,
                               uint64_t w, uint32_t o)
{
    memcpy(dst, &w, 8);
#if defined(__GNUC__)
    v4u32 lo = {0, 1, 2, 3}, hi = {4, 5, 6, 7};
    lo += o;
    hi += o;
    memcpy(om, &lo, 16);
    memcpy(om + 4, &hi, 16);
    lo += 1;
    hi += 1;
    memcpy(oe, &lo, 16);
    memcpy(oe + 4, &hi, 16);
#else
    for (uint32_t j = 0; j < 8; j++) {
        om[j] = o + j;
        oe[j] = o + j + 1;
    }
#endif
}

/* Fold and copy the ASCII run that starts at b[i] (b[i] and, unless it
 * is the last byte, b[i + 1] are ASCII), each byte mapped to itself, up
 * to its last byte before a non-ASCII one (which may take a combining
 * mark: norm_cluster's) or to the end; returns where it stopped.  One
 * pass: a block goes out when its bytes and the byte after it are ASCII.
 * The caller has reserved len - i bytes. */
static size_t ascii_run(vx_text *t, const unsigned char *b, size_t i,
                        size_t len)
{
    char *dst = t->norm + t->norm_len;
    uint32_t *om = t->omap + t->norm_len, *oe = t->oend + t->norm_len;
    size_t k = 0, n = len - i;
    b += i;
#if defined(__SSE2__) && defined(__GNUC__) && !defined(VX_TEXT_NO_SIMD)
    v4u32 q0 = {0, 1, 2, 3};
    q0 += (uint32_t)i;
    for (; n - k >= 16; k += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(b + k));
        unsigned next = n - k > 16 ? b[k + 16] : 0;
        if (_mm_movemask_epi8(v) | (next & 0x80))
            break;
        /* signed compares: every byte is ASCII here */
        __m128i up = _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8('A' - 1)),
                                   _mm_cmplt_epi8(v, _mm_set1_epi8('Z' + 1)));
        v = _mm_or_si128(v, _mm_and_si128(up, _mm_set1_epi8(0x20)));
        __m128i grave = _mm_cmpeq_epi8(v, _mm_set1_epi8('`'));
        v = _mm_xor_si128(v, _mm_and_si128(grave, _mm_set1_epi8('`' ^ '\'')));
        _mm_storeu_si128((__m128i *)(void *)(dst + k), v);
        v4u32 q1 = q0 + 4, q2 = q0 + 8, q3 = q0 + 12;
        memcpy(om + k, &q0, 16);
        memcpy(om + k + 4, &q1, 16);
        memcpy(om + k + 8, &q2, 16);
        memcpy(om + k + 12, &q3, 16);
        q0 += 1;
        q1 += 1;
        q2 += 1;
        q3 += 1;
        memcpy(oe + k, &q0, 16);
        memcpy(oe + k + 4, &q1, 16);
        memcpy(oe + k + 8, &q2, 16);
        memcpy(oe + k + 12, &q3, 16);
        q0 += 15;
    }
#endif
    for (; n - k >= 8; k += 8) {
        uint64_t w;
        memcpy(&w, b + k, 8);
        unsigned next = n - k > 8 ? b[k + 8] : 0;
        if ((w & HIGH) | (next & 0x80))
            break;
        ascii_copy8(dst + k, om + k, oe + k, fold8(w), (uint32_t)(i + k));
    }
    for (; k < n && b[k] < 0x80 && (k + 1 == n || b[k + 1] < 0x80); k++) {
        dst[k] = (char)ascii_fold[b[k]];
        om[k] = (uint32_t)(i + k);
        oe[k] = (uint32_t)(i + k + 1);
    }
    t->norm_len += k;
    return i + k;
}

/* Append the bytes of one code point produced by the original character
 * or cluster [os, oe). */
static void put_cp(vx_text *t, uint32_t cp, size_t os, size_t oe)
{
    char u[4];
    int n = vx_utf8_encode(cp, u);
    for (int k = 0; k < n; k++) {
        t->norm[t->norm_len] = u[k];
        t->omap[t->norm_len] = (uint32_t)os;
        t->oend[t->norm_len] = (uint32_t)oe;
        t->norm_len++;
    }
}

/* Variation selectors only choose a glyph (emoji or text presentation,
 * CJK variants): "\xF0\x9F\x98\xA1" with U+FE0F after it is the same word
 * as without, so they are left out of the normalized text (NFKC keeps
 * them). */
static int is_variation_selector(uint32_t cp)
{
    return (cp >= 0xFE00 && cp <= 0xFE0F) || (cp >= 0xE0100 && cp <= 0xE01EF);
}

static uint32_t unify_apostrophe(uint32_t cp)
{
    switch (cp) {
    case 0x2019: /* right single quotation mark: the usual typed one */
    case 0x2018:
    case 0x02BC: /* modifier letter apostrophe */
    case 0xFF07: /* full-width (NFKC maps it already) */
    case 0x0060:
        return '\'';
    default:
        return cp;
    }
}

/* Folds of single non-ASCII characters, per vx_text (so per thread):
 * accented letters, Cyrillic or Greek text would otherwise pay a utf8proc
 * decomposition and recomposition for every letter.  Direct-mapped; an
 * entry holds the final bytes (apostrophes unified). */
#define FCACHE_SIZE 256
typedef struct fc_entry {
    uint32_t key; /* cp << 1 | accents stripped; 0: empty (cp >= 0x80) */
    uint8_t len;
    char out[11];
} fc_entry;
struct vx_fold_cache {
    fc_entry e[FCACHE_SIZE];
};

static fc_entry *fcache_slot(vx_text *t, uint32_t key)
{
    if (!t->cache) {
        t->cache = calloc(1, sizeof *t->cache);
        if (!t->cache)
            return NULL; /* no cache, no harm */
    }
    return &t->cache->e[(key * 0x9E3779B1u) >> 24];
}

static void put_bytes(vx_text *t, const char *u, size_t n, size_t os,
                      size_t oe)
{
    memcpy(t->norm + t->norm_len, u, n);
    for (size_t k = 0; k < n; k++) {
        t->omap[t->norm_len + k] = (uint32_t)os;
        t->oend[t->norm_len + k] = (uint32_t)oe;
    }
    t->norm_len += n;
}

/* A grapheme break between prev and next that needs no utf8proc call: no
 * character below U+0600 is Prepend, ZWJ, Hangul or a regional indicator,
 * and these ranges of next (Latin, Greek, Cyrillic letters) hold no
 * Extend or SpacingMark character.  Checked against utf8proc's data by
 * check_text.c (fast_paths_agree). */
static int sure_break(uint32_t prev, uint32_t next)
{
    return prev < 0x600 &&
           (next < 0x300 || (next >= 0x370 && next < 0x483) ||
            (next >= 0x48A && next < 0x591));
}

/* Normalize the grapheme cluster that starts at b[*pi] (a non-ASCII
 * character, or an ASCII one followed by a non-ASCII byte) and advance
 * *pi past it.  Every output byte maps to the whole cluster: a composed
 * "é" from "e" + U+0301 maps to both code points, "fi" from U+FB01 to the
 * ligature. */
static int norm_cluster(vx_text *t, const unsigned char *b, size_t len,
                        size_t *pi, utf8proc_option_t opt)
{
    size_t i = *pi;
    uint32_t cp;
    int n = vx_utf8_decode((const char *)b + i, len - i, &cp);
    int rc = reserve(t, 4);
    if (rc)
        return rc;
    if (n == 0) { /* an invalid byte: a separator that matches nothing */
        put_cp(t, REPLACEMENT, i, i + 1);
        *pi = i + 1;
        return 0;
    }
    size_t ce = i + (size_t)n;
    utf8proc_int32_t state = 0;
    uint32_t prev = cp;
    for (int count = 1; ce < len && count < CLUSTER_MAX; count++) {
        /* Before an ASCII character there is always a break, except after
         * a Prepend character (none below U+0600) or in CR LF (which
         * normalizes the same either way). */
        if (b[ce] < 0x80 && prev < 0x600)
            break;
        uint32_t next;
        int m = vx_utf8_decode((const char *)b + ce, len - ce, &next);
        if (m == 0 || sure_break(prev, next) ||
            utf8proc_grapheme_break_stateful(
                          (utf8proc_int32_t)prev, (utf8proc_int32_t)next,
                          &state))
            break;
        prev = next;
        ce += (size_t)m;
    }
    *pi = ce;
    if (ce == i + 1) { /* a lone ASCII character */
        put_cp(t, ascii_fold[b[i]], i, ce);
        return 0;
    }
    fc_entry *fc = NULL;
    uint32_t key = cp << 1 | ((opt & UTF8PROC_STRIPMARK) != 0);
    if (ce == i + (size_t)n) { /* one code point: try the cache */
        fc = fcache_slot(t, key);
        if (fc && fc->key == key) {
            if ((rc = reserve(t, fc->len)))
                return rc;
            put_bytes(t, fc->out, fc->len, i, ce);
            return 0;
        }
    }
    utf8proc_int32_t buf[DECOMP_MAX];
    utf8proc_ssize_t r = utf8proc_decompose(
        b + i, (utf8proc_ssize_t)(ce - i), buf, DECOMP_MAX, opt);
    if (r >= 0 && r <= DECOMP_MAX)
        r = utf8proc_normalize_utf32(buf, r, opt);
    if (r < 0 || r > DECOMP_MAX) { /* cannot happen on valid UTF-8 */
        put_cp(t, REPLACEMENT, i, ce);
        return 0;
    }
    rc = reserve(t, (size_t)r * 4);
    if (rc)
        return rc;
    size_t start = t->norm_len;
    for (utf8proc_ssize_t k = 0; k < r; k++)
        if (!is_variation_selector((uint32_t)buf[k]))
            put_cp(t, unify_apostrophe((uint32_t)buf[k]), i, ce);
    size_t out = t->norm_len - start;
    if (fc && out <= sizeof fc->out) {
        fc->key = key;
        fc->len = (uint8_t)out;
        memcpy(fc->out, t->norm + start, out);
    }
    return 0;
}

/* *all_ascii (may be NULL): the text was one ASCII run, so the
 * normalized text is ASCII too and as long. */
static int normalize(vx_text *t, const char *orig, size_t len, unsigned flags,
                     int *all_ascii)
{
    const unsigned char *b = (const unsigned char *)orig;
    utf8proc_option_t opt = UTF8PROC_STABLE | UTF8PROC_COMPAT |
                            UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD;
    if (flags & VX_NORM_STRIP_ACCENTS)
        opt |= UTF8PROC_STRIPMARK;
    t->norm_len = 0;
    t->orig_len = len;
    int rc = reserve(t, len); /* exact for ASCII text */
    size_t i = 0;
    int general = 0; /* some text went through norm_cluster */
    while (!rc && i < len) {
        /* Fast path: an ASCII byte followed by another is a grapheme
         * cluster of its own that NFKC + case folding only lower-cases.
         * The last ASCII byte before a non-ASCII one may take a combining
         * mark (e + U+0301), so it goes through norm_cluster. */
        if (b[i] < 0x80 && (i + 1 == len || b[i + 1] < 0x80)) {
            rc = reserve(t, len - i);
            if (!rc)
                i = ascii_run(t, b, i, len);
            continue;
        }
        general = 1;
        rc = norm_cluster(t, b, len, &i, opt);
    }
    if (rc) {
        t->norm_len = 0;
        t->orig_len = 0;
        if (t->norm)
            t->norm[0] = '\0';
        return rc;
    }
    /* zeroed slack for the tokenizer's 64-byte blocks */
    rc = reserve(t, TOKENIZE_SLACK);
    if (rc) {
        t->norm_len = 0;
        t->orig_len = 0;
        t->norm[0] = '\0';
        return rc;
    }
    memset(t->norm + t->norm_len, 0, TOKENIZE_SLACK + 1);
    t->omap[t->norm_len] = (uint32_t)len;
    t->oend[t->norm_len] = (uint32_t)len;
    if (all_ascii)
        *all_ascii = !general;
    return 0;
}

/* ---- 2. tokenization ----------------------------------------------- */

/* Classes of code points for the tokenizer. */
enum { C_SEP, C_WORD, C_MARK, C_HAN, C_SYM, C_BRK };

/* CJK ideographs: one token each, since Chinese and Japanese are written
 * without spaces and a run of them is a phrase, not a word. */
static int is_han(uint32_t cp)
{
    return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
           (cp >= 0xF900 && cp <= 0xFAFF) ||
           (cp >= 0x20000 && cp <= 0x323AF);
}

/* Non-ASCII sentence and clause punctuation that survives NFKC (the
 * full-width ，！？；： and … are folded to ASCII before this). */
static int is_break(uint32_t cp)
{
    switch (cp) {
    case 0x0085: /* next line */
    case 0x2028: /* line separator */
    case 0x2029: /* paragraph separator */
    case 0x3002: /* 。 ideographic full stop */
    case 0x3001: /* 、 ideographic comma */
    case 0x00A1: /* ¡ */
    case 0x00BF: /* ¿ */
    case 0x060C: /* Arabic comma */
    case 0x061B: /* Arabic semicolon */
    case 0x061F: /* Arabic question mark */
    case 0x06D4: /* Arabic full stop */
    case 0x0964: /* Devanagari danda */
    case 0x0965: /* double danda */
    case 0x2026: /* … (NFKC makes it "...") */
        return 1;
    default:
        return 0;
    }
}

static int cp_class(uint32_t cp)
{
    /* Latin-1 and Latin Extended letters, Cyrillic letters: all L* */
    if ((cp >= 0xC0 && cp <= 0x24F && cp != 0xD7 && cp != 0xF7) ||
        (cp >= 0x400 && cp <= 0x52F && (cp <= 0x481 || cp >= 0x48A)))
        return C_WORD;
    if (is_han(cp))
        return C_HAN;
    switch (utf8proc_category((utf8proc_int32_t)cp)) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
    case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_NO:
        return C_WORD;
    case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_MC:
    case UTF8PROC_CATEGORY_ME:
        return C_MARK;
    case UTF8PROC_CATEGORY_SO:
        return cp == REPLACEMENT ? C_SEP : C_SYM;
    case UTF8PROC_CATEGORY_CF:
        /* ZWNJ and ZWJ shape letters inside Persian and Indic words */
        return cp == 0x200C || cp == 0x200D ? C_MARK : C_SEP;
    default:
        return is_break(cp) ? C_BRK : C_SEP;
    }
}

/* Decode a character of the normalized text (valid UTF-8, built above). */
static int dec(const unsigned char *s, uint32_t *cp)
{
    if (s[0] < 0xE0) {
        *cp = (uint32_t)(s[0] & 0x1F) << 6 | (s[1] & 0x3F);
        return 2;
    }
    if (s[0] < 0xF0) {
        *cp = (uint32_t)(s[0] & 0x0F) << 12 | (uint32_t)(s[1] & 0x3F) << 6 |
              (s[2] & 0x3F);
        return 3;
    }
    *cp = (uint32_t)(s[0] & 0x07) << 18 | (uint32_t)(s[1] & 0x3F) << 12 |
          (uint32_t)(s[2] & 0x3F) << 6 | (s[3] & 0x3F);
    return 4;
}

/* Whether the character at s[p] can start a word (and so keep an
 * apostrophe before it inside a word). */
static int starts_word(const unsigned char *s, size_t p, size_t n)
{
    if (p >= n)
        return 0;
    if (s[p] < 0x80)
        return ascii_cls[s[p]] == W;
    uint32_t cp;
    dec(s + p, &cp);
    return cp_class(cp) == C_WORD;
}

/* End of the word that continues at p: word characters, marks, and
 * apostrophes between two word characters. */
static size_t word_end(const unsigned char *s, size_t p, size_t n)
{
    for (;;) {
        while (p < n && s[p] < 0x80 && ascii_cls[s[p]] == W)
            p++;
        if (p >= n)
            return p;
        if (s[p] < 0x80) {
            if (ascii_cls[s[p]] == Q && starts_word(s, p + 1, n)) {
                p++;
                continue;
            }
            return p;
        }
        uint32_t cp;
        int l = dec(s + p, &cp);
        int c = cp_class(cp);
        if (c != C_WORD && c != C_MARK)
            return p;
        p += (size_t)l;
    }
}

static int grow_tokens(vx_text *t)
{
    size_t cap = t->tok_cap ? t->tok_cap * 2 : 64;
    if (cap > SIZE_MAX / sizeof(vx_token))
        return VOCX_ENOMEM;
    uint8_t *nl = realloc(t->lexf, cap);
    if (!nl)
        return VOCX_ENOMEM;
    t->lexf = nl;
    vx_token *nt = realloc(t->tok, cap * sizeof *nt);
    if (!nt)
        return VOCX_ENOMEM; /* lexf is bigger already: harmless */
    t->tok = nt;
    t->tok_cap = cap;
    return 0;
}

static inline int push_token(vx_text *t, size_t a, size_t b, uint32_t clause,
                             int kind)
{
    if (t->ntok == t->tok_cap) {
        int rc = grow_tokens(t);
        if (rc)
            return rc;
    }
    vx_token *k = &t->tok[t->ntok++];
    k->nstart = (uint32_t)a;
    k->nend = (uint32_t)b;
    k->ostart = t->omap[a];
    k->oend = t->oend[b - 1];
    k->clause = clause;
    k->kind = (uint16_t)kind;
    k->flags = 0;
    return 0;
}

/* Clause numbering while tokenizing.  A run of breaks ("?!", "\r\n",
 * "...") counts once and breaks before the first token count not at all,
 * so clause numbers have no gaps. */
typedef struct tokstate {
    uint32_t clause;
    int pending; /* a clause break since the last token started */
    int any;     /* a token has started */
} tokstate;

static uint32_t start_clause(tokstate *st)
{
    st->clause += (uint32_t)(st->pending & st->any);
    st->pending = 0;
    st->any = 1;
    return st->clause;
}

static int is_digit(unsigned char c) { return (unsigned)(c - '0') < 10u; }

/* ASCII runs are tokenized 64 bytes at a time with bit masks, so the cost
 * does not depend on where words end: a byte-by-byte loop mispredicts a
 * branch at almost every word boundary, which made it the slowest part of
 * the analysis. */

static int ctz64(uint64_t x)
{
#if defined(__GNUC__)
    return __builtin_ctzll(x);
#else
    int n = 0;
    while (!(x & 1)) {
        x >>= 1;
        n++;
    }
    return n;
#endif
}

static int clz64(uint64_t x)
{
#if defined(__GNUC__)
    return __builtin_clzll(x);
#else
    int n = 0;
    while (!(x >> 63)) {
        x <<= 1;
        n++;
    }
    return n;
#endif
}

/* Bit i of *word: byte p[i] is a letter or digit; of *other: neither
 * that nor a space (punctuation, and bytes >= 0x80, which only occur past
 * the run and are masked off by the caller). */
#if defined(__SSE2__) && !defined(VX_TEXT_NO_SIMD)
static void block_masks(const unsigned char *p, uint64_t *word,
                        uint64_t *other)
{
    uint64_t w = 0, o = 0;
    for (unsigned k = 0; k < 64; k += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + k));
        __m128i x = _mm_or_si128(v, _mm_set1_epi8(0x20)); /* A-Z as a-z */
        /* signed compares: bytes >= 0x80 are negative, never in range */
        __m128i letter =
            _mm_and_si128(_mm_cmpgt_epi8(x, _mm_set1_epi8('a' - 1)),
                          _mm_cmplt_epi8(x, _mm_set1_epi8('z' + 1)));
        __m128i digit =
            _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8('0' - 1)),
                          _mm_cmplt_epi8(v, _mm_set1_epi8('9' + 1)));
        unsigned mw = (unsigned)_mm_movemask_epi8(_mm_or_si128(letter, digit));
        unsigned ms = (unsigned)_mm_movemask_epi8(
            _mm_cmpeq_epi8(v, _mm_set1_epi8(' ')));
        w |= (uint64_t)mw << k;
        o |= (uint64_t)(~(mw | ms) & 0xFFFFu) << k;
    }
    *word = w;
    *other = o;
}
#else
static uint64_t load_le64(const unsigned char *p)
{
    uint64_t w;
    memcpy(&w, p, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    w = __builtin_bswap64(w);
#endif
    return w;
}

/* High bit of each byte that is zero (exact: no false positives). */
static uint64_t zero_bytes(uint64_t v)
{
    return ~(((v & ~HIGH) + ~HIGH) | v | ~HIGH);
}

/* The high bits of the 8 bytes as 8 bits, byte 0 in bit 0. */
static uint64_t movemask8(uint64_t hi)
{
    return ((hi & HIGH) * 0x0002040810204081ULL) >> 56;
}

/* Portable: eight bytes at a time in a 64-bit integer.  Bytes >= 0x80
 * may carry into later bytes, which are past the run as well. */
static void block_masks(const unsigned char *p, uint64_t *word,
                        uint64_t *other)
{
    uint64_t wm = 0, om = 0;
    for (unsigned k = 0; k < 64; k += 8) {
        uint64_t w = load_le64(p + k);
        uint64_t x = w | ONES * 0x20; /* A-Z as a-z */
        uint64_t letter =
            (x + ONES * (0x80 - 'a')) & ~(x + ONES * (0x80 - 'z' - 1));
        uint64_t digit =
            (w + ONES * (0x80 - '0')) & ~(w + ONES * (0x80 - '9' - 1));
        uint64_t wd = (letter | digit) & HIGH;
        uint64_t sp = zero_bytes(w ^ (ONES * ' '));
        wm |= movemask8(wd) << k;
        om |= movemask8(~(wd | sp) & HIGH) << k;
    }
    *word = wm;
    *other = om;
}
#endif

/* Tokens of the ASCII run s[p, q).  A word still open at q may go on in
 * non-ASCII text ("caf" + "é"): word_end finishes it.  Sets *next to where
 * tokenizing continues. */
static int ascii_segment(vx_text *t, tokstate *st, size_t p, size_t q,
                         size_t *next)
{
    const unsigned char *s = (const unsigned char *)t->norm;
    size_t n = t->norm_len;
    int open = 0, rc;
    size_t ostart = 0;
    uint32_t oclause = 0;
    for (size_t b0 = p; b0 < q; b0 += 64) {
        size_t len = q - b0 < 64 ? q - b0 : 64;
        uint64_t valid = len == 64 ? ~0ULL : (1ULL << len) - 1;
        uint64_t word, other;
        block_masks(s + b0, &word, &other);
        word &= valid;
        other &= valid;
        /* Punctuation is rare: settle breaks and apostrophes one by one,
         * without branching on which character it is. */
        uint64_t brk = 0;
        while (other) {
            int i = ctz64(other);
            other &= other - 1;
            size_t pos = b0 + (size_t)i;
            unsigned c = ascii_cls[s[pos]];
            /* 3.5 and 1,000 do not end a clause; s[pos + 1] is at most
             * the terminating NUL */
            unsigned digits = (pos > 0) & is_digit(s[pos - (pos > 0)]) &
                              is_digit(s[pos + 1]);
            brk |= (uint64_t)((c == B) | ((c == D) & !digits)) << i;
            /* an apostrophe stays between two word characters */
            if (c == Q && pos > 0 && s[pos - 1] < 0x80 &&
                ascii_cls[s[pos - 1]] == W && starts_word(s, pos + 1, n))
                word |= 1ULL << i;
        }
        uint64_t before = (word << 1) | (uint64_t)open;
        uint64_t starts = word & ~before;
        uint64_t ends = ~word & before & valid; /* first byte after a word */
        /* The starts that open a clause (see start_clause): a break
         * carries up through ~starts to the next start, so adding the
         * breaks marks every start with a break since the one before,
         * once however many.  A break before the block's first start may
         * also be pending from earlier; before the first token of the
         * text, breaks count not at all.  A carry past the block is
         * dropped: the break is pending for the next one. */
        uint64_t first = starts & -starts;
        uint64_t opens = ((~starts + brk) & starts) |
                         (st->pending ? first : 0);
        if (!st->any)
            opens &= ~first;
        /* At most 33 tokens end in a block: room first, then the loop
         * writes them with everything in registers. */
        while (t->tok_cap - t->ntok < 33)
            if ((rc = grow_tokens(t)))
                return rc;
        vx_token *o = t->tok + t->ntok;
        const uint32_t *om = t->omap, *oe = t->oend;
        uint32_t clause = st->clause;
        int pending = st->pending | (brk != 0);
        if (open && ends) {
            size_t e = b0 + (size_t)ctz64(ends);
            ends &= ends - 1;
            *o++ = (vx_token){(uint32_t)ostart, (uint32_t)e, om[ostart],
                              oe[e - 1], oclause, VX_TOK_WORD, 0};
            open = 0;
        }
        if (starts) { /* pending: a break after the last start */
            int last = 63 - clz64(starts);
            pending = (brk >> last) != 0;
            st->any = 1;
        }
        while (starts) {
            int i = ctz64(starts);
            size_t a = b0 + (size_t)i;
            starts &= starts - 1;
            clause += (uint32_t)((opens >> i) & 1);
            if (ends) {
                size_t e = b0 + (size_t)ctz64(ends);
                ends &= ends - 1;
                *o++ = (vx_token){(uint32_t)a, (uint32_t)e, om[a], oe[e - 1],
                                  clause, VX_TOK_WORD, 0};
            } else {
                open = 1;
                ostart = a;
                oclause = clause;
            }
        }
        t->ntok = (size_t)(o - t->tok);
        st->clause = clause;
        st->pending = pending;
    }
    *next = q;
    if (open) {
        size_t e = q < n ? word_end(s, q, n) : q;
        if ((rc = push_token(t, ostart, e, oclause, VX_TOK_WORD)))
            return rc;
        *next = e;
    }
    return 0;
}

/* Words, symbols and clause numbers from punctuation. */
static int tokenize(vx_text *t, int all_ascii)
{
    const unsigned char *s = (const unsigned char *)t->norm;
    size_t n = t->norm_len, p = 0;
    tokstate st = {0, 0, 0};
    t->ntok = 0;
    if (all_ascii && n) /* one run: no need to look for its end */
        return ascii_segment(t, &st, 0, n, &p);
    while (p < n) {
        if (s[p] < 0x80) {
            int rc = ascii_segment(t, &st, p, ascii_run_end(s, p, n), &p);
            if (rc)
                return rc;
            continue;
        }
        size_t a = p;
        int kind = 0;
        uint32_t cp;
        p += (size_t)dec(s + p, &cp);
        switch (cp_class(cp)) {
        case C_WORD:
            p = word_end(s, p, n);
            kind = VX_TOK_WORD;
            break;
        case C_HAN: /* one ideograph, with any marks on it */
            while (p < n && s[p] >= 0x80) {
                uint32_t m;
                int l = dec(s + p, &m);
                if (cp_class(m) != C_MARK)
                    break;
                p += (size_t)l;
            }
            kind = VX_TOK_WORD;
            break;
        case C_SYM:
            /* The rest of its grapheme cluster belongs to it: skin tones,
             * variation selectors, ZWJ sequences, flag pairs.  Bytes of
             * one cluster share their omap entry. */
            while (p < n && t->omap[p] == t->omap[a])
                p++;
            kind = VX_TOK_SYMBOL;
            break;
        case C_BRK:
            st.pending = 1;
            break;
        default: /* separators; a mark after one is dropped too */
            break;
        }
        if (kind) {
            int rc = push_token(t, a, p, start_clause(&st), kind);
            if (rc)
                return rc;
        }
    }
    return 0;
}

/* ---- 3. negation --------------------------------------------------- */

/* Length in tokens of the pseudo-negation phrase starting at token k
 * (same clause, longest first), or 0.  Only runs of words flagged as
 * possible later words of a phrase are looked up. */
static size_t pseudo_len(const vx_text *t, const vx_lexicon *lx,
                         unsigned flags, size_t k)
{
    size_t max = vx_lexicon_phrase_words(lx, flags);
    if (max > t->ntok - k)
        max = t->ntok - k;
    size_t same = 1; /* tokens from k in k's clause (before renumbering) */
    while (same < max && t->tok[k + same].clause == t->tok[k].clause &&
           (t->lexf[k + same] & VX_LEX_PSEUDO_NEXT))
        same++;
    for (size_t m = same; m >= 2; m--)
        if (vx_lexicon_lookup_phrase(lx, flags, t->norm, t->tok + k, m))
            return m;
    return (t->lexf[k] & VX_LEX_PSEUDO_ALONE) ? 1 : 0;
}

/* Marks, in one pass over the tokens:
 *  - negators (lexicon, or ending in n't): VX_TF_NEGATOR, and the next
 *    VX_NEGATION_WINDOW tokens of the same clause VX_TF_NEGATED;
 *  - contrast words: VX_TF_CONTRAST, and a new clause starts with them,
 *    except right after a negator ("not yet arrived": yet is negated);
 *  - pseudo-negation phrases ("no problem"): VX_TF_PSEUDO on every token;
 *    the first negates the rest of the phrase and nothing after it, and
 *    the phrase's words play no other role ("nothing but": no contrast).
 * Clause numbers from tokenize() are shifted by the contrast words seen.
 * Ordinary words (almost all) take the branch-free path. */
static void mark(vx_text *t, const vx_lexicon *lx, unsigned flags)
{
    vx_token *tk = t->tok;
    const uint8_t *lexf = t->lexf;
    uint32_t shift = 0, prev_clause = 0;
    size_t pseudo_end = 0;   /* tokens before this are in a phrase */
    size_t neg_end = 0;      /* tokens before this ... */
    uint32_t neg_clause = 0; /* ... and in this clause are negated */
    int prev_negator = 0;
    /* Without a negator, contrast word or phrase there is nothing to do:
     * the tokenizer's clause numbers and zero flags stand. */
    const unsigned special =
        VX_LEX_NEGATOR | VX_LEX_CONTRAST | VX_LEX_PSEUDO_FIRST;
    if (!t->ntok || !(vx_lexicon_classify(lx, flags, t, t->lexf) & special))
        return;
    /* Before the first negator, contrast word or phrase nothing changes;
     * after the last, only the clause shift and the scope still open. */
    size_t first = 0, last = t->ntok - 1;
    while (!(lexf[first] & special))
        first++;
    while (!(lexf[last] & special))
        last--;
    prev_clause = first ? tk[first - 1].clause : 0;
    for (size_t k = first; k < t->ntok; k++) {
        vx_token *x = &tk[k];
        if (k > last && k >= neg_end && k >= pseudo_end) {
            for (; shift && k < t->ntok; k++)
                tk[k].clause += shift;
            break;
        }
        unsigned lf = lexf[k];
        uint32_t c = x->clause;
        int new_clause = c != prev_clause;
        prev_clause = c;
        /* A conjunction and a new subject close the negation scope. */
        if ((lf & VX_LEX_CONJ) && k + 1 < t->ntok &&
            (lexf[k + 1] & VX_LEX_SUBJECT) && k < neg_end &&
            tk[k + 1].clause == c)
            neg_end = k;
        if (!((lf & (VX_LEX_NEGATOR | VX_LEX_CONTRAST | VX_LEX_PSEUDO_FIRST)) |
              (k < pseudo_end))) { /* an ordinary word, or a symbol */
            x->clause = c + shift;
            x->flags |= (uint16_t)(((k < neg_end) & (x->clause == neg_clause)) *
                                   VX_TF_NEGATED);
            prev_negator = 0;
            continue;
        }
        if (k < pseudo_end || x->kind != VX_TOK_WORD)
            lf = 0; /* words of a phrase play no other role */
        size_t plen = 0;
        if (lf & VX_LEX_PSEUDO_FIRST)
            plen = pseudo_len(t, lx, flags, k);
        if (plen) {
            for (size_t j = k; j < k + plen; j++) {
                tk[j].flags |= VX_TF_PSEUDO;
                if (j > k && (lf & VX_LEX_NEGATOR))
                    tk[j].flags |= VX_TF_NEGATED;
            }
            pseudo_end = k + plen;
            lf = 0;
        }
        if ((lf & VX_LEX_CONTRAST) && !(prev_negator && !new_clause)) {
            x->flags |= VX_TF_CONTRAST;
            shift += k > 0 && !new_clause;
        }
        x->clause = c + shift;
        if (k < neg_end && x->clause == neg_clause)
            x->flags |= VX_TF_NEGATED;
        prev_negator = (lf & VX_LEX_NEGATOR) != 0;
        if (prev_negator) {
            x->flags |= VX_TF_NEGATOR;
            neg_end = k + 1 + VX_NEGATION_WINDOW;
            neg_clause = x->clause;
        }
    }
}

/* The placeholders redaction leaves ("[EMAIL]", "[PHONE]", "[CARD]",
 * "[IBAN]", redact.c) stand for removed data, not for what a customer
 * said: they are no words, so a rule about e-mail is not raised by an
 * address that was in the text. */
static void drop_placeholders(vx_text *t, const char *orig, size_t len)
{
    if (!len || !memchr(orig, '[', len)) /* no placeholder can follow */
        return;
    size_t out = 0;
    for (size_t i = 0; i < t->ntok; i++) {
        const vx_token *k = &t->tok[i];
        size_t a = k->ostart, b = k->oend;
        int ph = a > 0 && orig[a - 1] == '[' && b < len && orig[b] == ']' &&
                 ((b - a == 5 && (memcmp(orig + a, "EMAIL", 5) == 0 ||
                                  memcmp(orig + a, "PHONE", 5) == 0)) ||
                  (b - a == 4 && (memcmp(orig + a, "CARD", 4) == 0 ||
                                  memcmp(orig + a, "IBAN", 4) == 0)));
        if (ph)
            continue;
        if (out != i) /* only after a placeholder: most texts have none */
            t->tok[out] = *k;
        out++;
    }
    t->ntok = out;
}

/* ---- interface ----------------------------------------------------- */

int vx_text_analyze(vx_text *t, const char *orig, size_t len,
                    const vx_lexicon *lx, unsigned flags)
{
    if (!t)
        return VOCX_EINVAL;
    t->norm_len = 0;
    t->ntok = 0;
    t->orig_len = 0;
    if (!orig && len)
        return VOCX_EINVAL;
    if (len > VX_TEXT_MAX)
        return VOCX_ELIMIT;
    int all_ascii = 0;
    int rc = normalize(t, orig ? orig : "", len, flags, &all_ascii);
    if (!rc)
        rc = tokenize(t, all_ascii);
    if (!rc)
        drop_placeholders(t, orig, len);
    if (rc) {
        t->norm_len = 0;
        t->ntok = 0;
        t->orig_len = 0;
        if (t->norm)
            t->norm[0] = '\0';
        return rc;
    }
    mark(t, lx, flags);
    return 0;
}

void vx_text_span(const vx_text *t, size_t a, size_t b, size_t *ostart,
                  size_t *oend)
{
    if (b > t->norm_len)
        b = t->norm_len;
    size_t s = a < t->norm_len ? t->omap[a] : t->orig_len;
    size_t e = b > a ? t->oend[b - 1] : s;
    if (ostart)
        *ostart = s;
    if (oend)
        *oend = e;
}

size_t vx_text_token_at(const vx_text *t, size_t off)
{
    /* first token whose end is past off */
    size_t lo = 0, hi = t->ntok;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (t->tok[mid].nend > off)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

char *vx_text_fold(const char *s, size_t len, unsigned flags, size_t *out_len)
{
    if (!s && len)
        return NULL;
    if (!s)
        s = "";
    if (len > VX_TEXT_MAX || vx_utf8_check(s, len) != len)
        return NULL;
    vx_text t;
    vx_text_init(&t);
    if (normalize(&t, s, len, flags, NULL) != 0) {
        vx_text_free(&t);
        return NULL;
    }
    char *r = t.norm; /* never NULL: normalize reserves the terminator */
    if (out_len)
        *out_len = t.norm_len;
    free(t.omap);
    free(t.oend);
    free(t.tok);
    free(t.lexf);
    free(t.cache);
    return r;
}
