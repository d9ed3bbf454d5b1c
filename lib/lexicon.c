/*
 * The negation lexicon: negators, contrast words and pseudo-negation
 * phrases in open-addressing hash sets (FNV-1a, linear probing), so the
 * tokenizer pays one probe per word, never a scan over the lists.
 *
 * Every entry lives in two sets: one for text folded with accents and one
 * for text folded with VX_NORM_STRIP_ACCENTS, because a word list written
 * as "não" must find "nao" when a rule file ignores accents.  A phrase is
 * stored as its folded words joined by one space.
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

typedef struct lex_set {
    lex_entry *slot;
    size_t cap, count; /* cap is a power of two, count <= cap / 2 */
    /* lenmask[first byte] has bit min(len, 63) set for every word key:
     * most tokens are rejected by this before any hashing. */
    uint64_t lenmask[256];
    size_t max_words; /* longest pseudo phrase, in words */
} lex_set;

struct vx_lexicon {
    lex_set set[2]; /* [0] accents kept, [1] accents stripped */
    char *arena;
    size_t arena_len, arena_cap;
};

/* docs/rules.md, "Negation and contrast".  Words ending in n't are
 * negators without being listed (see text.c). */
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
    if (!(flags & VX_LEX_PHRASE))
        s->lenmask[(unsigned char)k[0]] |= 1ULL << (n < 63 ? n : 63);
    return 0;
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
        int rc = set_add(lx, &lx->set[which], f, fn, flags);
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
        if (!rc)
            rc = set_add(lx, s, t.norm + f->nstart, f->nend - f->nstart,
                         VX_LEX_PSEUDO_FIRST);
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
    for (size_t i = 0; !rc && i < NELEM(default_pseudo); i++)
        rc = vx_lexicon_add_pseudo(lx, default_pseudo[i],
                                   strlen(default_pseudo[i]));
    if (rc) {
        vx_lexicon_free(lx);
        return rc;
    }
    *out = lx;
    return 0;
}

void vx_lexicon_free(vx_lexicon *lx)
{
    if (!lx)
        return;
    free(lx->set[0].slot);
    free(lx->set[1].slot);
    free(lx->arena);
    free(lx);
}

unsigned vx_lexicon_lookup(const vx_lexicon *lx, unsigned norm_flags,
                           const char *w, size_t n)
{
    const lex_set *s = &lx->set[(norm_flags & VX_NORM_STRIP_ACCENTS) != 0];
    if (n == 0 || !(s->lenmask[(unsigned char)w[0]] >> (n < 63 ? n : 63) & 1))
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

size_t vx_lexicon_phrase_words(const vx_lexicon *lx, unsigned norm_flags)
{
    return lx->set[(norm_flags & VX_NORM_STRIP_ACCENTS) != 0].max_words;
}
