/*
 * Compiled rules: the internal representation behind vocx_rules, shared by
 * the parser (rules_parse.c), the builder and accessors (rules.c), the
 * matcher (classify.c) and diagnostics (diag.c).
 *
 * Matching is built around one token trie holding every literal term of
 * the file: each trie edge is keyed by (parent node, exact word or word
 * prefix); a single word is a path of length one, a phrase a longer path.
 * A comment is scanned once, token by token; terms that occur produce
 * occurrence records for their leaf, and only the rules that have one of
 * those leaves as a positive operand are evaluated.  Everything here is
 * immutable once vocx_rules_compile() returns.
 *
 * Internal header: not installed.
 */
#ifndef VX_RULES_H
#define VX_RULES_H

#ifndef PCRE2_CODE_UNIT_WIDTH
#define PCRE2_CODE_UNIT_WIDTH 8
#endif
#include <pcre2.h>

#include "prefilter.h"
#include "text.h"
#include "vocx.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Documented limits (docs/rules.md, "Limits"). */
#define VX_RULES_MAX_SOURCE (64u * 1024u * 1024u) /* bytes of rule text */
#define VX_RULES_MAX_LINE 65536u                  /* bytes per line */
#define VX_RULES_MAX_RULES 100000u  /* match/negated/unless/cue lines */
#define VX_RULES_MAX_DEPTH 64       /* expression nesting */
#define VX_RULES_MAX_NEAR 1000      /* n in NEAR/n, BEFORE/n */
#define VX_RULES_MAX_PHRASE 64      /* words in one phrase */
#define VX_RULES_MAX_ERRORS 1000    /* errors reported before giving up */
#define VX_RULES_MAX_ID 128         /* bytes in an issue or block id */
#define VX_REGEX_MATCH_LIMIT 100000u
#define VX_REGEX_DEPTH_LIMIT 1000u
/* PCRE2's match limit restarts at every start position, and a match that
 * scans to the end of the text is not counted at all, so on a long text a
 * pattern that stays under the limit at each of many positions (or
 * matches at many) takes quadratic time: minutes for a few hundred KB.
 * Texts longer than VX_REGEX_PLAIN_MAX normalized bytes are therefore
 * searched with a copy of each regex compiled with PCRE2_AUTO_CALLOUT,
 * whose callout counts the work of all searches of that regex on that
 * text -- one per pattern item entered plus the characters moved over --
 * and stops at WORK_BASE + WORK_PER_BYTE x length (a normal regex needs a
 * few per byte).  Shorter texts use the plain code, which is faster: at
 * most VX_REGEX_PLAIN_MAX searches, each under the match limit. */
#define VX_REGEX_PLAIN_MAX 1024u
#define VX_REGEX_WORK_BASE 1000000u
#define VX_REGEX_WORK_PER_BYTE 64u

/* Rule kinds (one per match / negated / unless / cue line). */
enum {
    VX_RULE_MATCH = 1,
    VX_RULE_NEGATED,
    VX_RULE_UNLESS,
    VX_RULE_CUE_CHURN,
    VX_RULE_CUE_POSITIVE
};

/* Expression operators. */
enum {
    VX_OP_LEAF = 1,
    VX_OP_OR,     /* n-ary */
    VX_OP_AND,    /* n-ary; children may be NOT */
    VX_OP_NOT,    /* one child */
    VX_OP_NEAR,   /* two children, either order */
    VX_OP_BEFORE  /* two children, in order */
};

/* An expression node.  A node is "positional" when it yields occurrences
 * with a place in the text (a term, an OR of positional nodes, NEAR,
 * BEFORE); AND and NOT yield only true/false. */
typedef struct vx_node {
    uint8_t op;
    uint8_t positional;
    uint16_t dist;  /* n of NEAR/n, BEFORE/n */
    uint32_t arg;   /* LEAF: leaf id; others: first child in rules->kids */
    uint32_t nkids;
} vx_node;

enum { VX_LEAF_WORD = 1, VX_LEAF_PREFIX, VX_LEAF_PHRASE, VX_LEAF_REGEX };

/* A distinct term of the file: identical terms of several rules share one
 * leaf, so each is looked for once per comment. */
typedef struct vx_leaf {
    uint8_t kind;
    uint32_t regex;               /* VX_LEAF_REGEX: index in regexes */
    uint32_t rules_off, rules_cnt; /* rules indexed under it (into
                                      leaf_rules), in rule order */
} vx_leaf;

typedef struct vx_regex {
    pcre2_code *code;
    pcre2_code *counted; /* the same with PCRE2_AUTO_CALLOUT (long texts) */
    pcre2_code *ascii;   /* the same without UTF and UCP, for short texts
                            that are all ASCII, or NULL (vx_regex_ascii_ok) */
    uint32_t leaf;
    uint32_t line;                  /* first line that used it */
    uint32_t users_off, users_cnt;  /* every rule using it, also under
                                       NOT (into regex_users) */
} vx_regex;

/* Trie node.  Children are found through the rules' hash table. */
typedef struct vx_tnode {
    int32_t leaf;       /* leaf of the term ending here, -1 when none */
    uint32_t has_prefix; /* has word-prefix children (rules->pbuckets) */
    uint32_t pkey;      /* bytes of their bucket key: min(VX_PKEY_MAX,
                           shortest prefix child) */
    uint32_t has_exact; /* has exact-word children */
    uint64_t next_mask; /* a bit per child (vx_child_bit): a token whose
                           bit is clear is no child's key */
    uint32_t tag;       /* the edge that leads here: parent << 1 | is_prefix */
    uint32_t koff;      /* and its key bytes in rules->keys */
    uint32_t klen;
} vx_tnode;

/* The prefix children of one trie node that share their first `pkey`
 * bytes (vx_tnode.pkey), found in one lookup: a token needs one probe for
 * all its prefix lengths instead of one hash lookup per length. */
#define VX_PKEY_MAX 4
typedef struct vx_pbucket {
    uint32_t node1;    /* parent node + 1; 0 marks an empty slot */
    uint32_t key;      /* the first pkey bytes, little-endian, zero-padded */
    uint32_t off, cnt; /* children in rules->pchild, by ascending length */
} vx_pbucket;

/* Hash table slot, kept small so the table stays in cache: 32 bits of the
 * key's hash and the child node; the child holds the full key. */
typedef struct vx_tslot {
    uint32_t hfrag;
    uint32_t child;   /* child node + 1; 0 marks an empty slot */
} vx_tslot;

typedef struct vx_rule {
    uint8_t kind;          /* VX_RULE_* */
    uint32_t line;
    uint32_t issue;        /* owning issue (issue rules only) */
    uint32_t root;         /* root node */
    uint32_t node_base;    /* the rule's nodes are node_base..+nnodes */
    uint32_t nnodes;
    double weight;
    const char *text;      /* the expression as written */
    /* Terms the rule needs beyond the one it is indexed under: req_n
     * clauses at rules->req + req_off, each a count and that many leaves,
     * one of which must occur for the rule to be true.  A candidate whose
     * clause has no leaf in the comment is not evaluated. */
    uint32_t req_off, req_n;
} vx_rule;

typedef struct vx_issue {
    vocx_issue_info info;  /* first: results point at it */
    uint32_t block;
    uint32_t first_rule;   /* its match/negated/unless rules are */
    uint32_t end_rule;     /* first_rule..end_rule-1 (cues excluded) */
} vx_issue;

typedef struct vx_block {
    const char *id;
    const char *label;
} vx_block;

/* String storage that never moves: pointers into it stay valid. */
typedef struct vx_arena_chunk vx_arena_chunk;
typedef struct vx_arena {
    vx_arena_chunk *head;
} vx_arena;

struct vocx_rules {
    char *name;
    char *source;       /* NUL-terminated copy of the text */
    size_t source_len;
    char hash[65];
    unsigned norm_flags; /* VX_NORM_* for comments and terms */
    vx_lexicon *lexicon;
    vx_arena arena;

    vx_block *blocks;
    size_t nblocks, cap_blocks;
    size_t nbuiltin_blocks;
    vx_issue *issues;
    size_t nissues, cap_issues;
    vx_rule *rules;
    size_t nrules, cap_rules;
    vx_node *nodes;
    size_t nnodes, cap_nodes;
    uint32_t *kids;
    size_t nkids, cap_kids;
    uint32_t *req; /* the rules' clauses of needed terms (vx_rule.req_off) */
    size_t nreq, cap_req;
    uint32_t max_rule_nodes; /* largest rule, for per-node scratch */

    vx_leaf *leaves;
    size_t nleaves, cap_leaves;
    uint32_t *leaf_rules;   /* CSR: leaf -> rules (positive use) */
    vx_regex *regexes;
    size_t nregexes, cap_regexes;
    uint32_t *regex_users;  /* CSR: regex -> every rule using it */
    uint32_t max_regex_pairs; /* ovector pairs of the largest regex */
    /* Regexes that can only match where one of their literals occurs,
     * and the scan that finds those literals (prefilter.h). */
    unsigned char *regex_prefiltered; /* per regex: skipped unless marked */
    uint32_t *regex_always;  /* the regexes not prefiltered, ascending */
    size_t nregex_always;
    vx_prefilter prefilter;

    /* token trie */
    vx_tnode *tnodes;
    size_t ntnodes, cap_tnodes;
    vx_tslot *slots;
    size_t slot_mask;       /* table size - 1 (power of two) */
    size_t nslots_used;
    char *keys;
    size_t nkeys, cap_keys;
    vx_pbucket *pbuckets;   /* open addressing, power-of-two size */
    size_t pbucket_mask;
    uint32_t *pchild;       /* prefix children grouped by bucket */
    /* Bloom filter over the table's keys (two bits each): most tokens
     * are no term, and the filter says so from L1 cache. */
    uint64_t *bloom;
    size_t bloom_mask; /* words - 1 (power of two) */
    /* Gate for every root term: a bit per hash of a term's first
     * min(4, length) bytes and that count, so a token whose first bytes
     * start no root term skips the trie.  rgate_short: bit p set when the
     * root has prefix terms of p < VX_RGATE_LEN bytes (their keys are
     * shorter than a longer token's). */
    uint64_t *rgate;
    unsigned rgate_bits; /* log2 of the bits */
    unsigned rgate_short;

    /* (leaf, rule) pairs gathered while parsing, turned into CSR */
    uint32_t *pairs;
    size_t npairs, cap_pairs;
    uint32_t *rpairs;       /* (regex, rule) pairs */
    size_t nrpairs, cap_rpairs;
    /* regex literal sets while building, indexed by regex */
    vx_litset *build_lits;
    size_t cap_build_lits;
};

/* ---- builder (rules.c) ------------------------------------------------ */

/* A copy of s[0..len) with a NUL, stored in the rules; NULL when out of
 * memory. */
const char *vx_rules_strdup(vocx_rules *r, const char *s, size_t len);

/* Grow helper: make room for `need` items of `size` bytes in *pv. */
int vx_grow(void **pv, size_t *cap, size_t need, size_t size);

/* Hash of a key under a trie parent, eight bytes at a time: most words
 * fit in two masked loads, with no loop over bytes.  `avail` is how many
 * bytes may be read from s (at least n); with 16 more than n the loads go
 * straight to the text, otherwise the tail is copied first. */
static inline uint64_t vx_trie_seed(uint32_t parent)
{
    return (0xcbf29ce484222325ULL ^ ((uint64_t)parent * 0x9e3779b97f4a7c15ULL)) *
           0x100000001b3ULL;
}
static inline uint64_t vx_load64(const char *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    v = __builtin_bswap64(v); /* the first bytes in the low bits */
#endif
    return v;
}
static inline uint64_t vx_low_bytes(size_t k)
{
    return k >= 8 ? ~0ULL : (1ULL << (8 * k)) - 1;
}
static inline uint64_t vx_mix(uint64_t h, uint64_t v)
{
    h = (h ^ v) * 0x9e3779b97f4a7c15ULL;
    return h ^ (h >> 32);
}
static inline uint64_t vx_key_hash(uint32_t parent, const char *s, size_t n,
                                   size_t avail)
{
    uint64_t h = vx_trie_seed(parent) ^ (uint64_t)n;
    size_t i = 0;
    for (; n - i > 16; i += 8)
        h = vx_mix(h, vx_load64(s + i));
    size_t r = n - i;
    const char *p = s + i;
    char tmp[16];
    if (avail - i < 16) {
        memset(tmp, 0, sizeof tmp);
        memcpy(tmp, p, r);
        p = tmp;
    }
    h = vx_mix(h, vx_load64(p) & vx_low_bytes(r));
    h = vx_mix(h, vx_load64(p + 8) & vx_low_bytes(r > 8 ? r - 8 : 0));
    return h * 0xff51afd7ed558ccdULL;
}

/* Whether a[0..len) == b[0..len) where 16 bytes are readable at both:
 * short keys (most words) in two masked loads, without a call. */
static inline int vx_key_equal16(const char *a, const char *b, size_t len)
{
    if (len > 16)
        return memcmp(a, b, len) == 0;
    uint64_t d0 = (vx_load64(a) ^ vx_load64(b)) & vx_low_bytes(len);
    uint64_t d1 = (vx_load64(a + 8) ^ vx_load64(b + 8)) &
                  vx_low_bytes(len > 8 ? len - 8 : 0);
    return (d0 | d1) == 0;
}

/* Zeroed bytes kept after the trie's keys (rules->keys), so that any key
 * can be read 16 bytes at a time. */
#define VX_KEYS_SLACK 16

/* The child of trie node `parent` along an exact word (is_prefix 0) or a
 * word prefix (1) with hash `h` of key[0..len); -1 when there is none.
 * `avail`: bytes readable at key (at least len). */
static inline int32_t vx_trie_find(const vocx_rules *r, uint32_t parent,
                                   int is_prefix, uint64_t h, const char *key,
                                   size_t len, size_t avail)
{
    uint32_t tag = parent << 1 | (uint32_t)is_prefix;
    uint64_t m = (h ^ (h >> 29)) * 0x9e3779b97f4a7c15ULL;
    if (r->bloom) {
        /* both bits in one word: one load, usually from L1 */
        uint64_t w = r->bloom[(size_t)(m >> 40) & r->bloom_mask];
        uint64_t need = (1ULL << (m & 63)) | (1ULL << ((m >> 6) & 63));
        if ((w & need) != need)
            return -1;
    }
    size_t mask = r->slot_mask;
    size_t i = (size_t)(m >> 20) & mask;
    uint32_t frag = (uint32_t)(h >> 32);
    for (;;) {
        const vx_tslot *s = &r->slots[i];
        if (!s->child)
            return -1;
        if (s->hfrag == frag) {
            const vx_tnode *n = &r->tnodes[s->child - 1];
            if (n->tag == tag && n->klen == len &&
                (avail >= 16 ? vx_key_equal16(r->keys + n->koff, key, len)
                             : memcmp(r->keys + n->koff, key, len) == 0))
                return (int32_t)(s->child - 1);
        }
        i = (i + 1) & mask;
    }
}

/* The bit of a child key or a token w[0..len) in vx_tnode.next_mask: a
 * hash of its first min(2, len) bytes and that count.  A prefix child
 * of 2 bytes or more shares the bit of every token it starts; shorter
 * ones set every bit.  8 bytes must be readable at w. */
static inline unsigned vx_child_bit(const char *w, size_t len)
{
    size_t k = len < 2 ? len : 2;
    uint64_t v = (vx_load64(w) & vx_low_bytes(k)) | (uint64_t)k << 16;
    return (unsigned)((v * 0x9e3779b97f4a7c15ULL) >> 58);
}

/* Slot of the prefix bucket (node, key) in a table of mask + 1 slots. */
static inline size_t vx_pbucket_slot(uint32_t node, uint32_t key,
                                     size_t mask)
{
    uint64_t h = ((uint64_t)node << 32 | key) * 0x9e3779b97f4a7c15ULL;
    return (size_t)(h >> 32) & mask;
}
/* The bucket of node's prefix children whose first node->pkey bytes are
 * `key`; NULL when there is none. */
static inline const vx_pbucket *vx_pbucket_find(const vocx_rules *r,
                                                uint32_t node, uint32_t key)
{
    size_t mask = r->pbucket_mask;
    size_t i = vx_pbucket_slot(node, key, mask);
    for (;;) {
        const vx_pbucket *b = &r->pbuckets[i];
        if (!b->node1)
            return NULL;
        if (b->node1 == node + 1 && b->key == key)
            return b;
        i = (i + 1) & mask;
    }
}

#define VX_RGATE_LEN 4
/* Hash of the gate key of s[0..k), 1 <= k <= VX_RGATE_LEN; s must have 8
 * readable bytes. */
static inline uint64_t vx_rgate_hash(const char *s, size_t k)
{
    static const uint64_t keep[VX_RGATE_LEN + 1] = {0, 0xFF, 0xFFFF,
                                                   0xFFFFFF, 0xFFFFFFFF};
    return ((vx_load64(s) & keep[k]) | (uint64_t)k << 32) *
           0x9e3779b97f4a7c15ULL;
}
/* One bit per hash (the top `bits` bits of h) in a bitmap of 2^bits
 * bits: one load and a shift to test. */
static inline int vx_rgate_has(const uint64_t *g, unsigned bits, uint64_t h)
{
    uint64_t b = h >> (64 - bits);
    return (int)((g[b >> 6] >> (b & 63)) & 1);
}
static inline void vx_rgate_set(uint64_t *g, unsigned bits, uint64_t h)
{
    uint64_t b = h >> (64 - bits);
    g[b >> 6] |= 1ULL << (b & 63);
}
/* Whether a token w[0..len), len >= 1, with 8 bytes readable at w, may
 * start a root term: 0 means no lookup at the root can find anything. */
static inline int vx_rgate_pass(const vocx_rules *r, const char *w,
                                size_t len)
{
    size_t k = len < VX_RGATE_LEN ? len : VX_RGATE_LEN;
    if (vx_rgate_has(r->rgate, r->rgate_bits, vx_rgate_hash(w, k)))
        return 1;
    if (!r->rgate_short)
        return 0;
    /* shorter prefix terms: rare, and few lengths */
    for (size_t p = 1; p < k; p++)
        if (((r->rgate_short >> p) & 1) &&
            vx_rgate_has(r->rgate, r->rgate_bits, vx_rgate_hash(w, p)))
            return 1;
    return 0;
}

/* One element of a term: an exact word or a word prefix (normalized). */
typedef struct vx_elem {
    const char *s;
    uint32_t len;
    uint32_t is_prefix;
} vx_elem;

/* Insert a word, prefix or phrase (n elements) into the trie and return its
 * leaf id in *leaf (an existing one for a term seen before). */
int vx_rules_add_term(vocx_rules *r, const vx_elem *e, size_t n,
                      uint32_t *leaf);
/* Take ownership of a compiled regex (plain and with PCRE2_AUTO_CALLOUT)
 * and return its leaf id.  `lits`, when not NULL, are literals one of which
 * every match contains (vx_regex_literals): the regex then runs only on
 * texts holding one of them. */
int vx_rules_add_regex(vocx_rules *r, pcre2_code *code, pcre2_code *counted,
                       pcre2_code *ascii, uint32_t line, const vx_litset *lits,
                       uint32_t *leaf);
/* Whether a pattern compiled without UTF and UCP matches exactly as with
 * them on every all-ASCII subject: its bytes are ASCII and it has no
 * escape or verb that can name a code point beyond ASCII (whose caseless
 * partners may be ASCII: U+212A is k, U+017F is s) or set options. */
int vx_regex_ascii_ok(const char *pat, size_t len);
/* Drop the ASCII codes: every text runs the UTF code (tests compare with
 * and without them; results must be identical). */
void vx_rules_disable_ascii(vocx_rules *r);
/* Make every regex run on every text (tests compare with and without the
 * prefilter; results must be identical). */
void vx_rules_disable_prefilter(vocx_rules *r);
/* Let every token through the root gate (tests compare with and without
 * it; results must be identical). */
void vx_rules_disable_gate(vocx_rules *r);
/* Let every next token try to continue a phrase (vx_tnode.next_mask; tests
 * compare with and without the child bits; results must be identical). */
void vx_rules_disable_child_bits(vocx_rules *r);
/* Evaluate every candidate rule, whatever terms occurred (tests compare
 * with and without the clauses of vx_rule.req_off; results must be
 * identical). */
void vx_rules_disable_prechecks(vocx_rules *r);
/* Derive the clauses of terms rule `ri` needs (vx_rule.req_off) from its
 * expression; once its nodes are in. */
int vx_rules_add_prechecks(vocx_rules *r, uint32_t ri);
/* Record that `rule` uses `leaf`; `indexed`: the rule is a candidate
 * whenever the leaf occurs (it is one of the terms the rule needs). */
int vx_rules_use_leaf(vocx_rules *r, uint32_t leaf, uint32_t rule,
                      int indexed);
/* Build the indexes once every rule is in: CSR lists, prefix lengths,
 * JIT compilation. */
int vx_rules_finish(vocx_rules *r);

/* ---- parser (rules_parse.c) -------------------------------------------- */

/* Parse r->source into r; diagnostics go to `d`.  Returns VOCX_OK (the
 * file may still have errors: see vx_diag_errors), VOCX_ELIMIT when a
 * limit was exceeded, or VOCX_ENOMEM. */
int vx_rules_parse(vocx_rules *r, vocx_diagnostics *d);

/* ---- diagnostics (diag.c) --------------------------------------------- */

int vx_diag_new(vocx_diagnostics **out, const char *file);
/* Append a diagnostic; the reason is printf-formatted.  Returns VOCX_OK or
 * VOCX_ENOMEM. */
int vx_diag_add(vocx_diagnostics *d, int severity, uint32_t line,
                uint32_t column, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 5, 6)))
#endif
    ;
/* Sort by line and column, keeping the order of equal positions. */
void vx_diag_sort(vocx_diagnostics *d);
size_t vx_diag_errors(const vocx_diagnostics *d);

/* Edit distance (optimal string alignment: a swap of two neighbours costs
 * one) between two short strings, capped at `cap`. */
size_t vx_edit_distance(const char *a, size_t alen, const char *b,
                        size_t blen, size_t cap);

#endif
