/*
 * The negation lexicon: negators, contrast words and pseudo-negation
 * phrases in hash tables, so a word costs one lookup, never a scan over
 * the lists.  Two tables per set: an exact one (FNV-1a, linear probing)
 * holding words and phrases, and a fast one for the per-word lookups of
 * vx_lexicon_classify (see fast_slot).
 *
 * Every entry lives in two sets: one for text folded with accents and one
 * for text folded with VX_NORM_STRIP_ACCENTS, because a word list written
 * as "não" must find "nao" when a rule file ignores accents.  A phrase is
 * stored as its folded words joined by one space.
 *
 * The built-in words are UTF-8 in this file; they are folded when the
 * lexicon is built, like words from a rule file.
 */
#include "text.h"
#include "utf8.h"
#include "vocx.h"

#include <stdlib.h>
#include <string.h>

typedef struct lex_entry {
    uint64_t hash;
    uint32_t off, len; /* key bytes in the arena */
    uint32_t flags;    /* VX_LEX_*; 0 marks an empty slot */
} lex_entry;

/* The tokenizer's table: a word's first 8 bytes packed into an integer
 * (with its length) are the key, so one integer compare settles words of
 * up to 8 bytes, with no hashing of bytes and no memcmp.  Longer words
 * sharing those 8 bytes and length are marked FAST_VERIFY and checked in
 * the exact table.  Cuckoo hashing: a key sits in one of its two slots,
 * so a lookup reads both and never loops or branches on collisions (with
 * linear probing, common words that happened to collide with a list word
 * cost a mispredicted loop each time). */
typedef struct fast_slot {
    uint64_t key;
    uint32_t len; /* 0: empty */
    uint32_t flags;
} fast_slot;

#define FAST_VERIFY 0x100 /* above every VX_LEX_* flag */

typedef struct lex_set {
    lex_entry *slot; /* exact table: words and phrases */
    size_t cap, count; /* cap is a power of two, count <= cap / 2 */
    fast_slot *fast;
    size_t fast_cap, fast_count; /* cap: a power of two, >= 8 * count */
    unsigned fast_bits;          /* log2(fast_cap) */
    size_t max_words; /* longest pseudo phrase, in words */
    /* The same keys in a collision-free table (vx_lexicon_seal): one
     * probe per word instead of two.  pidx[h >> (64 - pbits)] indexes
     * pent, whose entry 0 is empty; NULL when not built (a word added
     * since, or no multiplier found). */
    uint8_t *pidx;
    fast_slot *pent;
    uint64_t pmul;
    unsigned pbits;
} lex_set;

struct vx_lexicon {
    lex_set set[2]; /* [0] accents kept, [1] accents stripped */
    char *arena;
    size_t arena_len, arena_cap;
};

/* docs/rules.md, "Negation and contrast".  Words ending in n't are
 * negators without being listed (vx_lexicon_classify). */
static const char *const default_negators[] = {
    "no", "not", "never", "nothing", "nobody", "none", "neither", "nor",
    "without", "cannot", "nowhere", "noone",
    "dont", "didnt", "doesnt", "wasnt", "isnt", "wont", "cant", "havent",
    "hasnt", "hadnt", "couldnt", "wouldnt", "shouldnt", "arent", "werent",
    "aint",
    "kein", "keine", "keinen", "keinem", "keiner", "nicht", "nie", "niemals",
    "pas", "jamais", "aucun", "aucune", "sans", "ni",
    "nunca", "sin", "ningún", "ninguna", "ningun",
    "geen", "niet", "nooit",
    "não", "nao", "sem", "nenhum", "nenhuma",
    "не", "нет", "никогда", "ни",
};

static const char *const default_contrast[] = {
    "but", "however", "although", "though", "yet", "except", "whereas",
    "aber", "jedoch", "mais", "cependant", "pero", "sino", "maar", "mas",
    "porém", "но", "однако",
};

/* A conjunction followed by a subject starts a new clause for negation:
 * in "the parcel didn't arrive and I was billed twice" the billing is not
 * negated, while in "no delays and errors" the errors still are. */
static const char *const default_conj[] = {
    "and", "or", "so", "plus", "then", "und", "oder", "et", "ou", "y", "o",
    "en", "of", "e", "и", "а",
};

static const char *const default_subject[] = {
    "i", "i'm", "i've", "i'd", "im", "ive", "we", "we're", "we've", "you",
    "you're", "he", "she", "they", "they're", "it", "it's", "its", "my",
    "our", "your", "his", "her", "their", "there", "this", "that", "now",
    "ich", "wir", "er", "sie", "es", "mein", "meine", "je", "j'ai", "il",
    "elle", "nous", "ils", "mon", "ma", "yo", "mi", "ik", "wij", "het",
    "mijn", "eu", "я", "мы", "мой", "моя",
};

static const char *const default_pseudo[] = {
    "no problem", "no problems", "no doubt", "no wonder", "not only",
    "not just", "nothing but", "no matter", "not bad", "no worries",
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static uint64_t fnv_step(uint64_t h, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

#define FNV_BASIS 0xcbf29ce484222325ULL

static int set_grow(lex_set *s)
{
    size_t ncap = s->cap ? s->cap * 2 : 64;
    lex_entry *ns = calloc(ncap, sizeof *ns);
    if (!ns)
        return VOCX_ENOMEM;
    for (size_t i = 0; i < s->cap; i++) {
        if (!s->slot[i].flags)
            continue;
        size_t j = (size_t)s->slot[i].hash & (ncap - 1);
        while (ns[j].flags)
            j = (j + 1) & (ncap - 1);
        ns[j] = s->slot[i];
    }
    free(s->slot);
    s->slot = ns;
    s->cap = ncap;
    return 0;
}

static int arena_put(vx_lexicon *lx, const char *k, size_t n, uint32_t *off)
{
    if (n > UINT32_MAX - lx->arena_len)
        return VOCX_ELIMIT;
    if (lx->arena_len + n > lx->arena_cap) {
        size_t ncap = lx->arena_cap ? lx->arena_cap * 2 : 1024;
        while (ncap < lx->arena_len + n)
            ncap *= 2;
        char *na = realloc(lx->arena, ncap);
        if (!na)
            return VOCX_ENOMEM;
        lx->arena = na;
        lx->arena_cap = ncap;
    }
    memcpy(lx->arena + lx->arena_len, k, n);
    *off = (uint32_t)lx->arena_len;
    lx->arena_len += n;
    return 0;
}

/* The first min(n, 8) bytes, byte 0 lowest, as the tokenizer builds it
 * from a little-endian load. */
static uint64_t fast_key(const char *w, size_t n)
{
    uint64_t k = 0;
    for (size_t i = 0; i < n && i < 8; i++)
        k |= (uint64_t)(unsigned char)w[i] << (8 * i);
    return k;
}

/* The two candidate slots of a key: two bit fields of one hash. */
static void fast_slots(uint64_t key, size_t n, unsigned bits, size_t *i1,
                       size_t *i2)
{
    /* Fibonacci hashing: the top bits of the product mix all key bits */
    uint64_t h = (key ^ (uint64_t)n << 59) * 0x9E3779B97F4A7C15ULL;
    size_t m = ((size_t)1 << bits) - 1;
    *i1 = (size_t)(h >> (64 - bits));
    *i2 = (size_t)(h >> (64 - 2 * bits)) & m;
    if (*i2 == *i1)
        *i2 ^= 1;
}

/* Cuckoo insertion.  Returns 1, or 0 when it went round too long: then
 * *homeless holds the key left without a slot (not necessarily `e`). */
static int fast_put(lex_set *s, fast_slot e, fast_slot *homeless)
{
    size_t i1, i2;
    fast_slots(e.key, e.len, s->fast_bits, &i1, &i2);
    for (int pass = 0; pass < 2; pass++) { /* already there: merge */
        fast_slot *f = &s->fast[pass ? i2 : i1];
        if (f->len == e.len && f->key == e.key) {
            f->flags |= e.flags;
            return 1;
        }
    }
    size_t i = s->fast[i1].len == 0 ? i1 : i2;
    for (int kicks = 0; kicks < 64; kicks++) {
        fast_slot out = s->fast[i];
        s->fast[i] = e;
        if (out.len == 0) {
            s->fast_count++;
            return 1;
        }
        e = out; /* the evicted key moves to its other slot */
        fast_slots(e.key, e.len, s->fast_bits, &i1, &i2);
        i = i == i1 ? i2 : i1;
    }
    *homeless = e;
    return 0;
}

/* Rebuild at twice the size (or more) with `extra` added.  On failure
 * the old table stays in place (without `extra`). */
static int fast_grow(lex_set *s, fast_slot extra)
{
    lex_set old = *s;
    for (unsigned bits = old.fast_bits ? old.fast_bits + 1 : 8; bits <= 30;
         bits++) {
        fast_slot *nf = calloc((size_t)1 << bits, sizeof *nf);
        if (!nf)
            break;
        s->fast = nf;
        s->fast_cap = (size_t)1 << bits;
        s->fast_bits = bits;
        s->fast_count = 0;
        fast_slot lost;
        int ok = fast_put(s, extra, &lost);
        for (size_t i = 0; ok && i < old.fast_cap; i++)
            if (old.fast[i].len)
                ok = fast_put(s, old.fast[i], &lost);
        if (ok) {
            free(old.fast);
            return 0;
        }
        free(nf); /* unlucky: try a bigger table */
    }
    s->fast = old.fast;
    s->fast_cap = old.fast_cap;
    s->fast_bits = old.fast_bits;
    s->fast_count = old.fast_count;
    return VOCX_ENOMEM;
}

static void unseal(lex_set *s)
{
    free(s->pidx);
    free(s->pent);
    s->pidx = NULL;
    s->pent = NULL;
}

static int fast_add(lex_set *s, const char *w, size_t n, unsigned flags)
{
    unseal(s); /* the single-probe table lacks the new word */
    fast_slot e = {fast_key(w, n), (uint32_t)n,
                   n > 8 ? flags | FAST_VERIFY : flags};
    fast_slot lost;
    if ((s->fast_count + 1) * 8 > s->fast_cap)
        return fast_grow(s, e);
    if (fast_put(s, e, &lost))
        return 0;
    return fast_grow(s, lost);
}

static int set_add(vx_lexicon *lx, lex_set *s, const char *k, size_t n,
                   unsigned flags)
{
    if (n == 0)
        return 0;
    if (n > UINT32_MAX)
        return VOCX_ELIMIT;
    uint64_t h = fnv_step(FNV_BASIS, k, n);
    if (s->cap) {
        for (size_t j = (size_t)h & (s->cap - 1); s->slot[j].flags;
             j = (j + 1) & (s->cap - 1)) {
            lex_entry *e = &s->slot[j];
            if (e->hash == h && e->len == n &&
                memcmp(lx->arena + e->off, k, n) == 0) {
                e->flags |= flags;
                return 0;
            }
        }
    }
    if ((s->count + 1) * 2 > s->cap) {
        int rc = set_grow(s);
        if (rc)
            return rc;
    }
    uint32_t off;
    int rc = arena_put(lx, k, n, &off);
    if (rc)
        return rc;
    size_t j = (size_t)h & (s->cap - 1);
    while (s->slot[j].flags)
        j = (j + 1) & (s->cap - 1);
    s->slot[j] = (lex_entry){h, off, (uint32_t)n, flags};
    s->count++;
    return 0;
}

/* A word (not a phrase) goes into both tables. */
static int set_add_word(vx_lexicon *lx, lex_set *s, const char *k, size_t n,
                        unsigned flags)
{
    if (n == 0)
        return 0;
    int rc = set_add(lx, s, k, n, flags);
    return rc ? rc : fast_add(s, k, n, flags);
}

/* Add a word to both sets: folded with accents, and without. */
static int add_word(vx_lexicon *lx, const char *w, size_t n, unsigned flags)
{
    if (!lx || (!w && n))
        return VOCX_EINVAL;
    if (vx_utf8_check(w, n) != n)
        return VOCX_EINVAL;
    /* Folding again is harmless (folding is idempotent) and spares the
     * built-in lists from having to be written pre-folded. */
    for (int which = 0; which < 2; which++) {
        size_t fn;
        char *f = vx_text_fold(w, n, which ? VX_NORM_STRIP_ACCENTS : 0, &fn);
        if (!f)
            return VOCX_ENOMEM;
        int rc = set_add_word(lx, &lx->set[which], f, fn, flags);
        free(f);
        if (rc)
            return rc;
    }
    return 0;
}

int vx_lexicon_add_negator(vx_lexicon *lx, const char *word, size_t len)
{
    return add_word(lx, word, len, VX_LEX_NEGATOR);
}

int vx_lexicon_add_contrast(vx_lexicon *lx, const char *word, size_t len)
{
    return add_word(lx, word, len, VX_LEX_CONTRAST);
}

/* Tokenize the phrase the way comment text is tokenized and store its
 * words joined by single spaces, so "no  problem" or "no-problem" in a
 * rule file mean the same as "no problem". */
static int add_phrase_to(vx_lexicon *lx, int which, const char *p, size_t n)
{
    vx_text t;
    vx_text_init(&t);
    unsigned nf = which ? VX_NORM_STRIP_ACCENTS : 0;
    int rc = vx_text_analyze(&t, p, n, NULL, nf);
    size_t keylen = 0;
    for (size_t i = 0; !rc && i < t.ntok; i++)
        keylen += (t.tok[i].nend - t.tok[i].nstart) + (i > 0);
    char *key = rc || t.ntok == 0 ? NULL : malloc(keylen);
    if (!rc && t.ntok && !key)
        rc = VOCX_ENOMEM;
    if (key) {
        size_t o = 0;
        for (size_t i = 0; i < t.ntok; i++) {
            if (i)
                key[o++] = ' ';
            size_t wl = t.tok[i].nend - t.tok[i].nstart;
            memcpy(key + o, t.norm + t.tok[i].nstart, wl);
            o += wl;
        }
        lex_set *s = &lx->set[which];
        const vx_token *f = &t.tok[0];
        rc = set_add(lx, s, key, keylen, VX_LEX_PHRASE);
        /* The word flags let the tokenizer skip the phrase lookup unless
         * a first word is followed by possible later words. */
        if (!rc)
            rc = set_add_word(lx, s, t.norm + f->nstart, f->nend - f->nstart,
                              t.ntok == 1
                                  ? VX_LEX_PSEUDO_FIRST | VX_LEX_PSEUDO_ALONE
                                  : VX_LEX_PSEUDO_FIRST);
        for (size_t i = 1; !rc && i < t.ntok; i++)
            rc = set_add_word(lx, s, t.norm + t.tok[i].nstart,
                              t.tok[i].nend - t.tok[i].nstart,
                              VX_LEX_PSEUDO_NEXT);
        if (!rc && t.ntok > s->max_words)
            s->max_words = t.ntok;
        free(key);
    }
    vx_text_free(&t);
    return rc;
}

int vx_lexicon_add_pseudo(vx_lexicon *lx, const char *phrase, size_t len)
{
    if (!lx || (!phrase && len))
        return VOCX_EINVAL;
    if (vx_utf8_check(phrase, len) != len)
        return VOCX_EINVAL;
    int rc = add_phrase_to(lx, 0, phrase, len);
    return rc ? rc : add_phrase_to(lx, 1, phrase, len);
}

int vx_lexicon_new(vx_lexicon **out)
{
    if (!out)
        return VOCX_EINVAL;
    *out = NULL;
    vx_lexicon *lx = calloc(1, sizeof *lx);
    if (!lx)
        return VOCX_ENOMEM;
    int rc = 0;
    for (size_t i = 0; !rc && i < NELEM(default_negators); i++)
        rc = vx_lexicon_add_negator(lx, default_negators[i],
                                    strlen(default_negators[i]));
    for (size_t i = 0; !rc && i < NELEM(default_contrast); i++)
        rc = vx_lexicon_add_contrast(lx, default_contrast[i],
                                     strlen(default_contrast[i]));
    for (size_t i = 0; !rc && i < NELEM(default_conj); i++)
        rc = add_word(lx, default_conj[i], strlen(default_conj[i]),
                      VX_LEX_CONJ);
    for (size_t i = 0; !rc && i < NELEM(default_subject); i++)
        rc = add_word(lx, default_subject[i], strlen(default_subject[i]),
                      VX_LEX_SUBJECT);
    for (size_t i = 0; !rc && i < NELEM(default_pseudo); i++)
        rc = vx_lexicon_add_pseudo(lx, default_pseudo[i],
                                   strlen(default_pseudo[i]));
    if (!rc)
        rc = vx_lexicon_seal(lx);
    if (rc) {
        vx_lexicon_free(lx);
        return rc;
    }
    *out = lx;
    return 0;
}

/* Index of a key in the single-probe table. */
static size_t seal_index(uint64_t key, size_t n, uint64_t mul, unsigned bits)
{
    return (size_t)(((key ^ (uint64_t)n << 59) * mul) >> (64 - bits));
}

/* Build s's single-probe table: try multipliers until every key has a
 * slot of its own.  With 8K slots or more for at most 255 keys a few
 * tries do; with more keys than a byte indexes, the cuckoo table stays
 * in use. */
static int seal_set(lex_set *s)
{
    unseal(s);
    if (!s->fast_count || s->fast_count > 255)
        return 0;
    s->pent = malloc((s->fast_count + 1) * sizeof *s->pent);
    if (!s->pent)
        return VOCX_ENOMEM;
    size_t ne = 1;
    memset(&s->pent[0], 0, sizeof s->pent[0]); /* len 0: matches no word */
    for (size_t i = 0; i < s->fast_cap; i++)
        if (s->fast[i].len)
            s->pent[ne++] = s->fast[i];
    uint64_t seed = 0x243F6A8885A308D3ULL; /* fixed: builds are repeatable */
    for (unsigned bits = 13; bits <= 15; bits++) {
        uint8_t *idx = realloc(s->pidx, (size_t)1 << bits);
        if (!idx) {
            unseal(s);
            return VOCX_ENOMEM;
        }
        s->pidx = idx;
        for (int attempt = 0; attempt < 64; attempt++) {
            /* splitmix64 */
            uint64_t z = (seed += 0x9E3779B97F4A7C15ULL);
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
            uint64_t mul = (z ^ (z >> 31)) | 1;
            memset(idx, 0, (size_t)1 << bits);
            size_t i;
            for (i = 1; i < ne; i++) {
                size_t j = seal_index(s->pent[i].key, s->pent[i].len, mul,
                                      bits);
                if (idx[j])
                    break;
                idx[j] = (uint8_t)i;
            }
            if (i == ne) {
                s->pmul = mul;
                s->pbits = bits;
                return 0;
            }
        }
    }
    unseal(s); /* unlucky: lookups stay on the cuckoo table */
    return 0;
}

int vx_lexicon_seal(vx_lexicon *lx)
{
    if (!lx)
        return VOCX_EINVAL;
    for (int i = 0; i < 2; i++) {
        int rc = seal_set(&lx->set[i]);
        if (rc)
            return rc;
    }
    return 0;
}

void vx_lexicon_free(vx_lexicon *lx)
{
    if (!lx)
        return;
    for (int i = 0; i < 2; i++) {
        free(lx->set[i].slot);
        free(lx->set[i].fast);
        unseal(&lx->set[i]);
    }
    free(lx->arena);
    free(lx);
}

unsigned vx_lexicon_lookup(const vx_lexicon *lx, unsigned norm_flags,
                           const char *w, size_t n)
{
    const lex_set *s = &lx->set[(norm_flags & VX_NORM_STRIP_ACCENTS) != 0];
    if (n == 0 || s->cap == 0)
        return 0;
    uint64_t h = fnv_step(FNV_BASIS, w, n);
    for (size_t j = (size_t)h & (s->cap - 1); s->slot[j].flags;
         j = (j + 1) & (s->cap - 1)) {
        const lex_entry *e = &s->slot[j];
        if (e->hash == h && e->len == n &&
            memcmp(lx->arena + e->off, w, n) == 0)
            return e->flags & ~(unsigned)VX_LEX_PHRASE;
    }
    return 0;
}

unsigned vx_lexicon_lookup_phrase(const vx_lexicon *lx, unsigned norm_flags,
                                  const char *norm, const vx_token *tok,
                                  size_t ntok)
{
    const lex_set *s = &lx->set[(norm_flags & VX_NORM_STRIP_ACCENTS) != 0];
    if (ntok == 0 || s->cap == 0)
        return 0;
    uint64_t h = FNV_BASIS;
    size_t n = 0;
    for (size_t i = 0; i < ntok; i++) {
        if (i)
            h = fnv_step(h, " ", 1);
        h = fnv_step(h, norm + tok[i].nstart, tok[i].nend - tok[i].nstart);
        n += (tok[i].nend - tok[i].nstart) + (i > 0);
    }
    for (size_t j = (size_t)h & (s->cap - 1); s->slot[j].flags;
         j = (j + 1) & (s->cap - 1)) {
        const lex_entry *e = &s->slot[j];
        if (e->hash != h || e->len != n || !(e->flags & VX_LEX_PHRASE))
            continue;
        /* compare piece by piece against "w1 w2 ..." */
        const char *k = lx->arena + e->off;
        size_t o = 0, i;
        for (i = 0; i < ntok; i++) {
            size_t wl = tok[i].nend - tok[i].nstart;
            if (i && k[o++] != ' ')
                break;
            if (memcmp(k + o, norm + tok[i].nstart, wl) != 0)
                break;
            o += wl;
        }
        if (i == ntok)
            return VX_LEX_PHRASE;
    }
    return 0;
}

static uint64_t load_le64(const char *p)
{
    uint64_t w;
    memcpy(&w, p, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    w = __builtin_bswap64(w);
#endif
    return w;
}

/* VX_LEX_NEGATOR when w[0..n) ends in n't: the three bytes before the
 * end (at offset 0 for shorter words, then ignored). */
static inline unsigned ends_nt(const char *w, size_t n)
{
    const uint32_t nt = 'n' | '\'' << 8 | (uint32_t)'t' << 16;
    size_t j = n >= 3 ? n - 3 : 0;
    return VX_LEX_NEGATOR *
           ((((uint32_t)load_le64(w + j) & 0xFFFFFF) == nt) & (n >= 3));
}

unsigned vx_lexicon_classify(const vx_lexicon *lx, unsigned norm_flags,
                             const vx_text *t, uint8_t *out)
{
    static const uint64_t keep[9] = {
        0, 0xFF, 0xFFFF, 0xFFFFFF, 0xFFFFFFFFULL, 0xFFFFFFFFFFULL,
        0xFFFFFFFFFFFFULL, 0xFFFFFFFFFFFFFFULL, ~0ULL};
    const lex_set *s = lx ? &lx->set[(norm_flags & VX_NORM_STRIP_ACCENTS) != 0]
                          : NULL;
    const vx_token *tok = t->tok;
    const char *norm = t->norm;
    size_t ntok = t->ntok;
    unsigned all = 0;
    /* Reads up to 8 bytes from a word's start: the normalized text has
     * TOKENIZE_SLACK zeroed bytes after its end.  No branch depends on
     * the word, so the cost does not either. */
    if (!s || !s->fast_cap) {
        for (size_t k = 0; k < ntok; k++) {
            const char *w = norm + tok[k].nstart;
            unsigned f = ends_nt(w, tok[k].nend - tok[k].nstart);
            out[k] = (uint8_t)f;
            all |= f;
        }
        return all;
    }
    if (s->pidx) { /* sealed: one probe */
        const uint8_t *pidx = s->pidx;
        const fast_slot *pent = s->pent;
        uint64_t mul = s->pmul;
        unsigned bits = s->pbits;
        for (size_t k = 0; k < ntok; k++) {
            const char *w = norm + tok[k].nstart;
            uint32_t n = tok[k].nend - tok[k].nstart;
            unsigned f = ends_nt(w, n);
            uint64_t key = load_le64(w) & keep[n < 8 ? n : 8];
            const fast_slot *e = &pent[pidx[seal_index(key, n, mul, bits)]];
            unsigned g = e->flags & (0u - ((e->key == key) & (e->len == n)));
            if (g & FAST_VERIFY)
                g = vx_lexicon_lookup(lx, norm_flags, w, n);
            f |= g;
            out[k] = (uint8_t)f;
            all |= f;
        }
        return all;
    }
    /* the table's shape in registers, not reloaded per word */
    const fast_slot *fast = s->fast;
    unsigned bits = s->fast_bits;
    size_t m = ((size_t)1 << bits) - 1;
    for (size_t k = 0; k < ntok; k++) {
        const char *w = norm + tok[k].nstart;
        uint32_t n = tok[k].nend - tok[k].nstart;
        unsigned f = ends_nt(w, n);
        uint64_t key = load_le64(w) & keep[n < 8 ? n : 8];
        /* fast_slots(), spelled out */
        uint64_t h = (key ^ (uint64_t)n << 59) * 0x9E3779B97F4A7C15ULL;
        size_t i1 = (size_t)(h >> (64 - bits));
        size_t i2 = (size_t)(h >> (64 - 2 * bits)) & m;
        i2 ^= (size_t)(i2 == i1);
        const fast_slot *e1 = &fast[i1], *e2 = &fast[i2];
        unsigned g = e1->flags & (0u - ((e1->key == key) & (e1->len == n)));
        g |= e2->flags & (0u - ((e2->key == key) & (e2->len == n)));
        if (g & FAST_VERIFY) /* a long word: look it up exactly */
            g = vx_lexicon_lookup(lx, norm_flags, w, n);
        /* (a symbol token may match too; vx_text_analyze ignores it) */
        f |= g;
        out[k] = (uint8_t)f;
        all |= f;
    }
    return all;
}

size_t vx_lexicon_phrase_words(const vx_lexicon *lx, unsigned norm_flags)
{
    return lx->set[(norm_flags & VX_NORM_STRIP_ACCENTS) != 0].max_words;
}
