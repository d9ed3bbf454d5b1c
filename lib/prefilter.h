/*
 * Regex prefilter: skip a rule's regular expression on every comment that
 * cannot match it.
 *
 * At compile time each pattern is analyzed for literals one of which every
 * match must contain ("took " in /\btook (\d+|a) days?/; one of "wait",
 * "hold", "queue" in /\b(wait|waited|hold|queue)\b.{0,30}\d+ min/).  At
 * classification time one pass over the normalized text finds which of all
 * those literals occur, and only the regexes they belong to run.  A regex
 * whose pattern gives no such guarantee (or uses syntax the analysis does
 * not model) always runs, so results never change: the prefilter only
 * removes searches that would have found nothing.
 *
 * Internal header: not installed.
 */
#ifndef VX_PREFILTER_H
#define VX_PREFILTER_H

#include <stddef.h>
#include <stdint.h>

#define VX_LIT_MIN 3      /* shortest literal worth keying the scan on */
#define VX_LIT_MAX 24     /* literals are cut to this many bytes (a prefix
                             of a required literal is required too) */
#define VX_LIT_SET_MAX 16 /* literals in one alternative set */

/* A set of literals: every match contains at least one of them. */
typedef struct vx_litset {
    uint32_t n;
    uint8_t len[VX_LIT_SET_MAX];
    char s[VX_LIT_SET_MAX][VX_LIT_MAX];
} vx_litset;

/* Analyze a PCRE2 pattern (compiled with PCRE2_UTF | PCRE2_UCP and no
 * other options, as rules compile them).  Returns 1 and fills `out` when
 * every match contains one of the literals, each at least VX_LIT_MIN bytes;
 * 0 when the pattern gives no such guarantee. */
int vx_regex_literals(const char *pat, size_t len, vx_litset *out);

/* All regexes' literals of one rule set, for one scan per comment. */
typedef struct vx_prefilter {
    uint64_t *pairs;     /* two bits per byte pair w: bit 2w when it is
                            the first two bytes of a key, 2w + 1 when the
                            last two */
    uint64_t *bloom;     /* a bit per hashed 3-byte key */
    uint32_t *slots;     /* open addressing: index + 1 into keys, 0 empty */
    size_t slot_mask;
    uint32_t *keys;      /* distinct first 3 bytes of the literals */
    uint32_t *key_off;   /* literals of key i: [key_off[i], key_off[i+1]) */
    size_t nkeys;
    char *bytes;         /* literal i: bytes + lit_off[i], lit_len[i] */
    uint32_t *lit_off;
    uint8_t *lit_len;
    uint32_t *user_off;  /* regexes of literal i: users[user_off[i]..
                            user_off[i+1]) */
    uint32_t *users;
    size_t nlits;
} vx_prefilter;

/* Build the scanner from `n` regexes: sets[x] holds regex x's literals
 * when has[x] is non-zero; regexes without a set are not the prefilter's
 * business (they always run).  Returns 0 or VOCX_ENOMEM. */
int vx_prefilter_build(vx_prefilter *pf, const vx_litset *sets,
                       const unsigned char *has, size_t n);
void vx_prefilter_free(vx_prefilter *pf);

/* Set maybe[x] = stamp for every regex x one of whose literals occurs in
 * text[0..n); when `list` is not NULL, also append each x whose maybe[x]
 * was not stamp yet (so each once, in no particular order).  Returns the
 * number appended. */
size_t vx_prefilter_scan(const vx_prefilter *pf, const char *text, size_t n,
                         uint32_t *maybe, uint32_t stamp, uint32_t *list);

#endif
